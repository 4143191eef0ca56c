#!/bin/bash
# daemon.sh: certauthzd's answers (certauthzd(8), ROLES) over a unix socket: both
# roles, both certificate forms, keep-alive, an idle keep-alive pool
# larger than the thread count, more connections than the limit,
# duplicate and oversized params, both serial params, requests in
# parts, stalled or two in one write, hostile bytes, a FILTER request,
# -t, and a subject longer than a header holds.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/daemon-lib.sh"

write_policy "$T/policy.conf" alice
${VALGRIND_WRAP:-} "$DAEMON" -t -c "$T/policy.conf" > "$T/t.out" 2>&1 || { cat "$T/t.out"; fail "-t on a good policy"; }
grep -qx 'policy OK' "$T/t.out" || fail "-t did not say policy OK"
printf 'policies = (\n  { name = "x"; allow = ( { bogus = 1; } ); }\n);\n' > "$T/bad.conf"
if ${VALGRIND_WRAP:-} "$DAEMON" -t -c "$T/bad.conf" > "$T/t.out" 2>&1; then fail "-t accepted a bad policy"; fi
grep -q "^$T/bad.conf:[0-9][0-9]*: " "$T/t.out" || { cat "$T/t.out"; fail "-t gave no FILE:LINE"; }
[ ! -e "$S" ] || fail "-t bound a socket"

start_daemon -n 2 -c "$T/policy.conf" -s "unix:$S"
ALICE=$(params alice)
BOB=$(params bob)

printf 'Status: 200 OK\nVariable-CERTAUTHZ_USER: alice\nVariable-CERTAUTHZ_POLICY: default\nVariable-CERTAUTHZ_RULE: people\nVariable-CERTAUTHZ_SERIAL: 1001\nVariable-CERTAUTHZ_SUBJECT: CN=alice,OU=Eng,O=Example\nVariable-CERTAUTHZ_EMAIL: alice@example.com\n\n' | crlf > "$T/allow.exp"
printf 'Status: 403 Forbidden\nContent-Type: text/plain\n\n' | crlf > "$T/deny.exp"
printf 'forbidden\n' >> "$T/deny.exp"
printf 'Status: 500 Internal Server Error\nContent-Type: text/plain\n\n' | crlf > "$T/fault.exp"
printf 'forbidden\n' >> "$T/fault.exp"

check() {	# check EXPECTED CLIENT-ARGS...
	exp=$1
	shift
	"$CLIENT" -s "unix:$S" "$@" > "$T/out" || fail "client failed: $*"
	cmp -s "$T/$exp.exp" "$T/out" || { diff "$T/$exp.exp" "$T/out" >&2; fail "not $exp: $*"; }
}

# Both roles; Apache's raw PEM.
check allow -r responder -f "$ALICE"
check allow -r authorizer -f "$ALICE"
check deny -r responder -f "$BOB"
check deny -r authorizer -f "$BOB"

# nginx's $ssl_client_escaped_cert form.
python3 -c 'import sys, urllib.parse; sys.stdout.write(urllib.parse.quote(open(sys.argv[1]).read(), safe=""))' \
    "$PKI/alice.pem" > "$T/alice.esc" || fail "escaping"
sed "s|^SSL_CLIENT_CERT=.*|SSL_CLIENT_CERT=@$T/alice.esc|" "$ALICE" > "$T/alice-nginx.params"
check allow -f "$T/alice-nginx.params" SSL_CLIENT_M_SERIAL=1001
check deny -f "$T/alice-nginx.params" SSL_CLIENT_M_SERIAL=1002
# Both serial params: each must be the certificate's.
check allow -f "$ALICE" SSL_CLIENT_M_SERIAL=1001 SSL_CLIENT_SERIAL=10:01
check allow -f "$ALICE" SSL_CLIENT_SERIAL=0x1001
check deny -f "$ALICE" SSL_CLIENT_SERIAL=1002
check deny -f "$ALICE" SSL_CLIENT_M_SERIAL=1002 SSL_CLIENT_SERIAL=1001
check deny -f "$ALICE" SSL_CLIENT_M_SERIAL=1001 SSL_CLIENT_SERIAL=1002
grep -q 'reason="SSL_CLIENT_M_SERIAL and SSL_CLIENT_SERIAL disagree"' "$T/err" ||
    fail "no serial disagreement in the log"

# Verify absent or failed; unknown policy; duplicate params.
grep -v SSL_CLIENT_VERIFY "$ALICE" > "$T/noverify.params"
check deny -f "$T/noverify.params"
check deny -f "$T/noverify.params" SSL_CLIENT_VERIFY=FAILED:certificate\ has\ expired
check allow -f "$ALICE" CERTAUTHZ_POLICY=default
check fault -f "$ALICE" CERTAUTHZ_POLICY=nosuch
check deny -f "$ALICE" -D SSL_CLIENT_CERT
check deny -f "$ALICE" -D X_HARMLESS X_HARMLESS=1
grep -q 'duplicate param' "$T/err" || fail "no duplicate param in the log"
# HTTP_* params never carry identity.
check deny -f "$BOB" HTTP_SSL_CLIENT_CERT=x HTTP_X_USER=alice

# Keep-alive: several requests on one connection, both answers.
"$CLIENT" -s "unix:$S" -n 5 -q -f "$ALICE" > "$T/out" || fail "keep-alive"
[ "$(cat "$T/out")" = "200 5" ] || fail "keep-alive: $(cat "$T/out")"
"$CLIENT" -s "unix:$S" -n 3 -q -f "$BOB" > "$T/out" || fail "keep-alive deny"
[ "$(cat "$T/out")" = "403 3" ] || fail "keep-alive deny: $(cat "$T/out")"
# Many short keep-alive connections: whether the first request is
# there at accept time or arrives later, the connection is kept.
"$CLIENT" -s "unix:$S" -c 40 -n 3 -q -f "$ALICE" > "$T/out" || fail "keep-alive, new connections"
[ "$(cat "$T/out")" = "200 120" ] || fail "keep-alive, new connections: $(cat "$T/out")"

# 8 idle keep-alive connections against 2 threads: others still served.
"$CLIENT" -s "unix:$S" -k -c 8 -H 5 -q -f "$ALICE" > "$T/held" &
held=$!
track_pid $held
i=0
while ! grep -q ready "$T/held" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
grep -q ready "$T/held" || fail "the idle pool did not get its answers"
# The held connections stay open 5 s: a daemon that pinned a thread per
# connection could not answer within the client's 3 s limit.  (No finer
# timing here: speed is for make bench.)
"$CLIENT" -s "unix:$S" -t 3 -q -f "$ALICE" > "$T/out" || fail "starved by idle keep-alive connections"
[ "$(cat "$T/out")" = "200 1" ] || fail "pool: $(cat "$T/out")"
# ... and the held connections are still usable afterwards? They are
# idle; the client just closes them.  The daemon must not have lost one.
kill -0 $dpid || fail "daemon died"

# More keep-alive connections than the limit (1024): each is answered,
# the longest idle are closed to admit the newest, and the daemon goes
# on serving.
"$CLIENT" -s "unix:$S" -k -c 1100 -H 1 -q -f "$ALICE" > "$T/out" || fail "past the connection limit"
[ "$(tail -1 "$T/out")" = "200 1100" ] || fail "past the connection limit: $(cat "$T/out")"
check allow -f "$ALICE"

# A request over 64 KiB is closed unanswered; 300 params are a deny;
# the next client is served.
if "$CLIENT" -s "unix:$S" -f "$ALICE" -B 70000 > "$T/out" 2>&1; then
	fail "a 70000-byte param was answered"
fi
grep -q Status "$T/out" && fail "a 70000-byte param got: $(cat "$T/out")"
"$CLIENT" -s "unix:$S" -q -f "$ALICE" $(seq -f 'P%g=1' 1 300) > "$T/out"
[ "$(cat "$T/out")" = "403 1" ] || fail "300 params: $(cat "$T/out")"
check allow -f "$ALICE"

# A request sent in parts is served once whole; one that stops half
# way is closed unanswered (in 5 s) without holding a worker: with -n 2,
# three of them stall while a fourth client is served.  Two requests in
# one write: the first is answered, then the connection is closed.  A
# request begun behind 100 unread answers is closed too (5 s).
python3 - "$S" "$PKI/alice.pem" > "$T/parts" <<'EOP' || fail "requests in parts"
import socket, struct, sys, time
def rec(t, body=b"", keep=0):
    return struct.pack(">BBHHBx", 1, t, 1, len(body), 0) + body
def nv(n, v):
    ln = lambda x: bytes([x]) if x < 128 else struct.pack(">I", x | 1 << 31)
    return ln(len(n)) + ln(len(v)) + n + v
cert = open(sys.argv[2], "rb").read()
req = (rec(1, bytes([0, 1, 1, 0, 0, 0, 0, 0])) +
       rec(4, nv(b"SSL_CLIENT_VERIFY", b"SUCCESS") + nv(b"SSL_CLIENT_CERT", cert)) +
       rec(4) + rec(5))
def conn():
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(sys.argv[1])
    return s
def answer(s):
    out = b""
    while True:
        d = s.recv(65536)
        if not d:
            return out
        out += d
        if b"\x01\x03\x00\x01" in out:
            return out
stall = [conn() for _ in range(3)]
for s in stall:
    s.sendall(req[:30])
parts = conn()
for i in range(0, len(req), 200):
    parts.sendall(req[i:i + 200])
    time.sleep(0.01)
print("parts", answer(parts)[8:22].decode())
def still_open(s):
    s.setblocking(False)
    try:
        s.recv(100)
        return False
    except BlockingIOError:
        return True
    finally:
        s.settimeout(10)
# An order of events, not a timing: served while the others still hold.
print("held", all(still_open(s) for s in stall))
def closed(s):
    try:
        return s.recv(100)
    except ConnectionResetError:
        return b""
print("stalled", [closed(s) for s in stall])
two = conn()
two.sendall(req + req)
first = answer(two)
time.sleep(0.2)
print("two", first[8:22].decode(), two.recv(65536))
# Begun on a kept connection whose peer has not read its earlier
# answers: the socket is then not writable, and no byte comes after
# the part the worker read, so only the gatherer's own deadline can
# end it.  Closed (5 s) after the 100 answers.
behind = conn()
behind.settimeout(15)
for _ in range(100):		# about 100 KB of answers left unread
    behind.sendall(req)
    time.sleep(0.02)	# one request a read, else it is closed at once
behind.sendall(req[:30])
t0 = time.time()
out = b""
while True:
    try:
        d = behind.recv(65536)
    except ConnectionResetError:
        d = b""
    if not d:
        break
    out += d
print("behind", out.count(b"\x01\x03\x00\x01"), time.time() - t0 < 12)
EOP
grep -qx 'parts Status: 200 OK' "$T/parts" || fail "parts: $(cat "$T/parts")"
grep -qx 'held True' "$T/parts" || fail "held: $(cat "$T/parts")"
grep -qx "stalled \[b'', b'', b''\]" "$T/parts" || fail "stalled: $(cat "$T/parts")"
grep -qx "two Status: 200 OK b''" "$T/parts" || fail "two in one write: $(cat "$T/parts")"
grep -qx "behind 100 True" "$T/parts" || fail "begun behind unread answers: $(cat "$T/parts")"

# FILTER role: 500.
check fault -r filter -f "$ALICE"

# Hostile bytes: random, a bad version, a truncated record; each time
# the daemon keeps serving.
head -c 4096 /dev/urandom > "$T/raw1"
printf '\x09\x01\x00\x01\x00\x08\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00' > "$T/raw2"
printf '\x01\x01\x00\x01\x00\x08\x00\x00\x00\x01\x01\x00\x00\x00\x00\x00\x01\x04\x00\x01\xff\xff\x00\x00\x7f' > "$T/raw3"
printf '\x01\x01\x00\x01\x00\x08\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x01\x04\x00\x01\x00\x08\x00\x00\x80\x00\x00\x00\x80\xff\xff\xff\x01\x04\x00\x01\x00\x00\x00\x00' > "$T/raw4"
for r in raw1 raw2 raw3 raw4; do
	"$CLIENT" -s "unix:$S" -t 15 -R "$T/$r" > /dev/null || fail "$r: client"
	kill -0 $dpid || fail "daemon died on $r"
	check allow -f "$ALICE"
done

# The log: one decision line per request, at the right levels.
grep -q '^allow policy=default rule=people user=alice serial=1001 ' "$T/err" || fail "no allow line"
grep -q '^deny ' "$T/err" || fail "no deny line"
grep -q ' role=authorizer ' "$T/err" || fail "no authorizer role logged"

stop_pid $dpid
wait $dpid 2>/dev/null

# A subject longer than a header holds (36 OUs): a 200 whose subject
# header is cut with "..." to 2048 bytes, logged as the allow it is.
# With identity "subject" the identity cannot be sent uncut: a 403 for
# the reason `certauthz check` prints, which exits 1 too.
BIG=$(params bigsubject)
write_policy "$T/big.conf" big
subject=$($OPENSSL x509 -in "$PKI/bigsubject.pem" -noout -subject \
    -nameopt RFC2253 | sed 's/^subject= *//')
[ ${#subject} -gt 2048 ] || fail "bigsubject.pem: subject of ${#subject} bytes"
printf 'Status: 200 OK\nVariable-CERTAUTHZ_USER: big\nVariable-CERTAUTHZ_POLICY: default\nVariable-CERTAUTHZ_RULE: people\nVariable-CERTAUTHZ_SERIAL: 1009\nVariable-CERTAUTHZ_SUBJECT: %s...\nVariable-CERTAUTHZ_EMAIL: big@example.com\n\n' \
    "$(printf '%s' "$subject" | cut -c1-2045)" | crlf > "$T/bigallow.exp"
start_daemon -n 2 -c "$T/big.conf" -s "unix:$S"
check bigallow -r responder -f "$BIG"
check bigallow -r authorizer -f "$BIG"
stop_pid $dpid
wait $dpid 2>/dev/null
[ "$(grep -c '^allow policy=default rule=people user=big serial=1009 ' "$T/err")" = 2 ] ||
    { cat "$T/err" >&2; fail "no allow lines for bigsubject"; }
grep -q '^error \|does not fit' "$T/err" && fail "bigsubject: $(cat "$T/err")"

sed 's/identity = "cn"/identity = "subject"/' "$T/big.conf" > "$T/bigsubj.conf"
"$top_builddir/certauthz" check -c "$T/bigsubj.conf" "$PKI/bigsubject.pem" > "$T/check.out"
[ $? -eq 1 ] || fail "check of bigsubject as identity: $(cat "$T/check.out")"
reason=$(sed -n 's/^deny policy=default rule=people \(reason="[^"]*"\) .*/\1/p' "$T/check.out")
[ "$reason" = 'reason="identity too long for CERTAUTHZ_USER"' ] ||
    fail "check: $(cat "$T/check.out")"
start_daemon -n 2 -c "$T/bigsubj.conf" -s "unix:$S"
check deny -r responder -f "$BIG"
check deny -r authorizer -f "$BIG"
stop_pid $dpid
wait $dpid 2>/dev/null
[ "$(grep -c "^deny policy=default rule=people $reason user=- serial=1009 " "$T/err")" = 2 ] ||
    { cat "$T/err" >&2; fail "no deny lines for bigsubject as identity"; }
exit 0
