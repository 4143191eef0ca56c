#!/bin/bash
# metrics.sh: certauthzd -M (certauthzd(8), METRICS): the counters move
# as known requests through FastCGI and HTTP say they must, the text
# parses as Prometheus text exposition 0.0.4, the CRL and reload
# metrics, open connections, a scrape during load changes no answer,
# /healthz 200 while serving and 503 once a stop has begun, and -M on a
# non-loopback address is refused.  Runs the daemon under
# $VALGRIND_WRAP when set.
. "$top_srcdir/tests/lib.sh"
need curl python3
. "$top_srcdir/tests/integration/daemon-lib.sh"

# A policy with ca_file and crl_file, so that the CRL metrics show.
mpolicy() {
	write_policy "$@"
	python3 - "$1" "$PKI" <<'PY'
import sys
p, pki = sys.argv[1], sys.argv[2]
s = open(p).read().replace("settings = {", 'settings = {\n  ca_file = "%s/client-chain.pem";\n  crl_file = "%s/client-ca.crl";' % (pki, pki), 1)
open(p, "w").write(s)
PY
}
mpolicy "$T/policy.conf" alice
H=$T/h
M=$T/m
# No syslog there: every line is dropped, and counted.
export CERTAUTHZD_LOG_SOCKET=$T/no-syslog
start_daemon -n 2 -c "$T/policy.conf" -s "unix:$S" -s "http:unix:$H" -M "unix:$M"
wait_for_socket "$M" 10 || fail "no metrics socket $M"

# The Prometheus 0.0.4 text format, checked line by line; prints each
# sample as NAME{k="v",...} VALUE with labels sorted, for grep.
cat > "$T/prom.py" <<'PY'
import math, re, sys
name_re = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*')
lname_re = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*')
def die(n, msg):
    sys.exit("line %d: %s" % (n, msg))
def value(n, s):
    if s in ("+Inf", "-Inf", "NaN"):
        return float(s.replace("Inf", "inf").replace("NaN", "nan"))
    try:
        return float(s)
    except ValueError:
        die(n, "bad value %r" % s)
text = sys.stdin.buffer.read().decode("utf-8")
if not text.endswith("\n"):
    die(0, "no final newline")
types, helps, seen, out, samples = {}, set(), set(), [], []
for n, line in enumerate(text.split("\n")[:-1], 1):
    if line.startswith("#"):
        m = re.match(r'# (HELP|TYPE) ([^ ]+) (.*)$', line)
        if not m:
            continue  # a plain comment
        kind, name, rest = m.groups()
        if not name_re.fullmatch(name):
            die(n, "bad metric name %r" % name)
        if kind == "TYPE":
            if name in types:
                die(n, "second TYPE for " + name)
            if name in seen:
                die(n, "TYPE after samples of " + name)
            if rest not in ("counter", "gauge", "histogram", "summary", "untyped"):
                die(n, "bad type %r" % rest)
            types[name] = rest
        else:
            if name in helps:
                die(n, "second HELP for " + name)
            helps.add(name)
        continue
    if line.strip() == "":
        continue
    m = name_re.match(line)
    if not m:
        die(n, "bad sample %r" % line)
    name, i = m.group(0), m.end()
    labels = {}
    if i < len(line) and line[i] == "{":
        i += 1
        while True:
            while line[i] == " ":
                i += 1
            if line[i] == "}":
                i += 1
                break
            lm = lname_re.match(line, i)
            if not lm or line[lm.end():lm.end() + 2] != '="':
                die(n, "bad label at %r" % line[i:])
            k, i, v = lm.group(0), lm.end() + 2, ""
            while line[i] != '"':
                if line[i] == "\\":
                    c = line[i + 1]
                    if c not in '\\"n':
                        die(n, "bad escape \\" + c)
                    v += "\n" if c == "n" else c
                    i += 2
                else:
                    v += line[i]
                    i += 1
            i += 1
            if k in labels:
                die(n, "label %s twice" % k)
            labels[k] = v
            if line[i] == ",":
                i += 1
            elif line[i] != "}":
                die(n, "bad label list %r" % line)
    rest = line[i:].split()
    if line[i:i + 1] != " " or len(rest) not in (1, 2):
        die(n, "bad value part %r" % line[i:])
    v = value(n, rest[0])
    base = name
    for suf in ("_bucket", "_sum", "_count"):
        if name.endswith(suf) and types.get(name[:-len(suf)]) == "histogram":
            base = name[:-len(suf)]
    if base not in types:
        die(n, "sample of %s without TYPE" % name)
    if types[base] == "counter" and (v < 0 or math.isnan(v)):
        die(n, "counter below 0")
    seen.add(base)
    key = name + "{" + ",".join('%s="%s"' % kv for kv in sorted(labels.items())) + "}"
    if key in samples:
        die(n, "sample %s twice" % key)
    samples.append(key)
    out.append((key, v, labels, name, base))
# Histograms: cumulative buckets ending in +Inf, which equals _count.
for h in [k for k, t in types.items() if t == "histogram"]:
    b = [(float(l["le"].replace("Inf", "inf")), v) for k, v, l, nm, _ in out if nm == h + "_bucket"]
    if not b or b[-1][0] != math.inf:
        sys.exit(h + ": no +Inf bucket last")
    if any(b[i][0] >= b[i + 1][0] or b[i][1] > b[i + 1][1] for i in range(len(b) - 1)):
        sys.exit(h + ": buckets not cumulative")
    cnt = [v for k, v, l, nm, _ in out if nm == h + "_count"]
    if cnt != [b[-1][1]]:
        sys.exit(h + ": _count is not the +Inf bucket")
for k, v, *_ in out:
    print(k, ("%d" % v) if v == int(v) else v)
PY

scrape() {
	curl -s -f -m 10 --unix-socket "$M" -o "$T/scrape" http://x/metrics ||
	    fail "no /metrics"
	python3 "$T/prom.py" < "$T/scrape" > "$T/samples" ||
	    { cat "$T/scrape" >&2; fail "not Prometheus 0.0.4 text"; }
}
# metric 'NAME{LABELS}': its value in the last scrape (0 when absent).
metric() {
	awk -v k="$1" '$1 == k { v = $2 } END { print v == "" ? 0 : v }' "$T/samples"
}
# expect 'NAME{LABELS}' VALUE
expect() {
	local got
	got=$(metric "$1")
	[ "$got" = "$2" ] || { cat "$T/samples" >&2; fail "$1 is $got, not $2"; }
}
healthz() {
	curl -s -m 10 --unix-socket "$M" -o /dev/null -w '%{http_code}' \
	    http://x/healthz
}

[ "$(healthz)" = 200 ] || fail "/healthz $(healthz) while serving"
grep -q "^Content-Type: text/plain; version=0.0.4" \
    <(curl -s -D - -o /dev/null --unix-socket "$M" http://x/metrics | tr -d '\r') ||
    fail "no version=0.0.4 Content-Type"
[ "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$M" http://x/other)" = 404 ] ||
    fail "an unknown path is not 404"
scrape
expect 'certauthz_decision_duration_seconds_count{}' 0
expect 'certauthz_policy_generation{}' 1
expect 'certauthz_reloads_total{result="ok"}' 0
expect 'certauthz_up{}' 1
# mkpki.sh makes the CRL now with nextUpdate in 30 days.
now=$(date +%s)
age=$(metric 'certauthz_crl_age_seconds{}')
next=$(metric 'certauthz_crl_next_update_timestamp_seconds{}')
[ "$age" -ge 0 ] && [ "$age" -lt 86400 ] || fail "CRL age $age"
[ "$next" -gt $((now + 29 * 86400)) ] && [ "$next" -lt $((now + 31 * 86400)) ] ||
    fail "CRL nextUpdate $next, now $now"

# Known requests: 3 allows, 2 denials by no rule, 1 by SSL_CLIENT_VERIFY,
# 1 revoked (a certificate-class denial), 1 fault (an unknown policy)
# through FastCGI; 1 allow and 1 denial by no rule through HTTP.
ALICE=$(params alice)
BOB=$(params bob)
sed 's/^SSL_CLIENT_VERIFY=.*/SSL_CLIENT_VERIFY=FAILED:x/' "$ALICE" > "$T/failed.params"
{ cat "$ALICE"; echo "CERTAUTHZ_POLICY=nope"; } > "$T/unknown.params"
ask() { "$CLIENT" -s "unix:$S" -q "$@"; }
[ "$(ask -n 3 -f "$ALICE")" = "200 3" ] || fail "alice not allowed"
[ "$(ask -n 2 -f "$BOB")" = "403 2" ] || fail "bob not denied"
[ "$(ask -f "$T/failed.params")" = "403 1" ] || fail "a failed verify not denied"
[ "$(ask -f "$(params mallory)")" = "403 1" ] || fail "mallory (revoked) not denied"
[ "$(ask -f "$T/unknown.params")" = "500 1" ] || fail "an unknown policy not 500"
b64() { "${OPENSSL:-openssl}" x509 -in "$PKI/$1.pem" -outform DER | base64 -w0; }
hget() {
	curl -s -m 10 -o /dev/null -w '%{http_code}' --unix-socket "$H" \
	    -H "Client-Cert: :$(b64 "$1"):" -H "X-Certauthz-Verify: SUCCESS" \
	    -H "X-Original-URI: /x" -H "X-Forwarded-Method: GET" \
	    -H "X-Forwarded-Host: www.example.com" http://certauthzd/auth
}
[ "$(hget alice)" = 200 ] || fail "HTTP: alice not allowed"
[ "$(hget bob)" = 403 ] || fail "HTTP: bob not denied"

scrape
expect 'certauthz_decisions_total{outcome="allow",policy="default",rule="people"}' 4
expect 'certauthz_decisions_total{outcome="deny",policy="default",rule="-"}' 3
expect 'certauthz_decisions_total{outcome="deny",policy="-",rule="-"}' 2
expect 'certauthz_decisions_total{outcome="fault",policy="-",rule="-"}' 1
expect 'certauthz_denials_total{class="no_rule"}' 3
expect 'certauthz_denials_total{class="verify"}' 1
expect 'certauthz_denials_total{class="certificate"}' 1
expect 'certauthz_denials_total{class="rule"}' 0
expect 'certauthz_faults_total{}' 1
expect 'certauthz_decision_duration_seconds_count{}' 10
# Every request but the failed verify decoded a certificate.
hits=$(metric 'certauthz_cert_cache_hits_total{}')
misses=$(metric 'certauthz_cert_cache_misses_total{}')
[ $((hits + misses)) = 9 ] || fail "cache: $hits hits + $misses misses, not 9"
[ "$hits" -ge 1 ] && [ "$misses" -ge 3 ] || fail "cache: $hits hits, $misses misses"
# The 10 decision lines at least (log_allow is set).
[ "$(metric 'certauthz_log_lines_dropped_total{}')" -ge 10 ] ||
    fail "log lines dropped: $(metric 'certauthz_log_lines_dropped_total{}')"

# Open connections: two idle FastCGI and one idle HTTP connection held.
"$CLIENT" -s "unix:$S" -q -k -c 2 -H 5 -f "$ALICE" > "$T/held" &
hpid=$!
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(5)' "$H" &
ppid=$!
i=0
while ! grep -q ready "$T/held" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
scrape
expect 'certauthz_connections_open{listener="fastcgi"}' 2
expect 'certauthz_connections_open{listener="http"}' 1
wait $hpid $ppid

# Reload: the running policy's generation and time; counts of a name
# kept across the swap go on from where they were.
before=$(metric 'certauthz_policy_loaded_timestamp_seconds{}')
sleep 1
mpolicy "$T/policy.conf" alice bob
kill -HUP $dpid
i=0
while [ "$(ask -f "$BOB")" != "200 1" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
scrape
expect 'certauthz_reloads_total{result="ok"}' 1
expect 'certauthz_reloads_total{result="failed"}' 0
expect 'certauthz_policy_generation{}' 2
[ "$(metric 'certauthz_policy_loaded_timestamp_seconds{}')" -gt "$before" ] ||
    fail "the policy load time did not move"
[ "$(ask -n 2 -f "$ALICE")" = "200 2" ] || fail "alice after reload"
scrape
# 4 before, bob's allow(s) while waiting for the reload, 2 now.
allows=$(metric 'certauthz_decisions_total{outcome="allow",policy="default",rule="people"}')
[ "$allows" -ge 7 ] || fail "allows across the reload: $allows"
printf 'policies = (\n  { name = "x";\n    allow = ( { bogus = 1; } ); }\n);\n' > "$T/policy.conf"
kill -HUP $dpid
i=0
while ! grep -q "reload of" "$T/err" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
scrape
expect 'certauthz_reloads_total{result="failed"}' 1
expect 'certauthz_policy_generation{}' 2
[ "$(healthz)" = 200 ] || fail "/healthz after a failed reload"

# A scrape during load changes no answer: every one of 4 x 300 allows
# and 300 denials is answered as before while /metrics is read in a loop.
(for i in $(seq 1 40); do
	curl -s -f -m 10 --unix-socket "$M" -o /dev/null http://x/metrics || echo bad
done) > "$T/scrapes" &
spid=$!
lpids=""
for c in 1 2 3 4; do ask -n 300 -f "$ALICE" > "$T/load.$c" & lpids="$lpids $!"; done
ask -n 300 -f "$(params carol)" > "$T/load.deny"
wait $spid $lpids
[ ! -s "$T/scrapes" ] || fail "a scrape failed during load"
for c in 1 2 3 4; do
	[ "$(cat "$T/load.$c")" = "200 300" ] || fail "load $c: $(cat "$T/load.$c")"
done
[ "$(cat "$T/load.deny")" = "403 300" ] || fail "load deny: $(cat "$T/load.deny")"
scrape

# /healthz 503 once a stop has begun: a half-sent request keeps the
# daemon in its stop (it waits for the gatherer's requests) while the
# metrics listener still answers.
python3 - "$S" "$dpid" "$M" > "$T/stop" <<'PY' || { cat "$T/stop" >&2; fail "503 during the stop"; }
import os, signal, socket, sys, time
def rec(t, body):
    return bytes([1, t, 0, 1, len(body) >> 8, len(body) & 255, 0, 0]) + body
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(rec(1, bytes([0, 1, 1, 0, 0, 0, 0, 0])) + rec(4, b"\x01"))
time.sleep(0.5)
os.kill(int(sys.argv[2]), signal.SIGTERM)
time.sleep(0.5)
m = socket.socket(socket.AF_UNIX)
m.connect(sys.argv[3])
m.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
print(m.recv(4096).split(b"\r\n")[0].decode())
PY
grep -q "^HTTP/1.1 503" "$T/stop" || fail "/healthz during the stop: $(cat "$T/stop")"
wait $dpid || fail "exit status $? after the stop"
[ ! -e "$M" ] || fail "the metrics socket was not removed"

# -M on a non-loopback address is refused; on loopback it serves.
port=$(free_port)
write_policy "$T/ok.conf" alice
"$DAEMON" -d -c "$T/ok.conf" -s "unix:$T/s2" -M "tcp:0.0.0.0:$port" 2> "$T/err2" &&
    fail "-M tcp:0.0.0.0 accepted"
grep -q "not a loopback address" "$T/err2" || { cat "$T/err2" >&2; fail "no reason for -M refused"; }
"$DAEMON" -d -c "$T/ok.conf" -s "unix:$T/s2" -M "http:unix:$T/x" 2> "$T/err2" &&
    fail "-M http:unix: accepted"
S=$T/s3
start_daemon -n 1 -c "$T/ok.conf" -s "unix:$S" -M "tcp:127.0.0.1:$port"
wait_for_port "$port" 10 || fail "no metrics port"
[ "$(curl -s -m 10 http://127.0.0.1:$port/healthz)" = ok ] || fail "/healthz on tcp:127.0.0.1"
stop_pid $dpid
exit 0
