#!/bin/bash
# http-daemon.sh: certauthzd's HTTP listener on its own (certauthzd(8),
# HTTP), beside a FastCGI socket of the same daemon: the header
# contract, each certificate form, a header sent twice, the answers, a
# body (400 and closed), a head over 64 KiB (closed), keep-alive and
# pipelining, idle connections holding no worker, reload, the socket
# mode, the privilege drop (as root) and a clean stop.  Runs the daemon
# under $VALGRIND_WRAP when set.
. "$top_srcdir/tests/lib.sh"
need curl python3
. "$top_srcdir/tests/integration/daemon-lib.sh"

# write_policy, and a policy "admin" for /admin and below (carol only).
http_policy() {
	write_policy "$@"
	python3 - "$1" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read().replace("policies = (", """policies = (
  { name = "admin"; when = { path = [ "/admin", "/admin/*" ]; };
    allow = ( { name = "ops"; cn = "carol"; } ); },""", 1)
open(p, "w").write(s)
PY
}
http_policy "$T/policy.conf" alice
H=$T/h
start_daemon -n 2 -c "$T/policy.conf" -s "unix:$S" -s "http:unix:$H" -m 0600
wait_for_socket "$H" 10 || fail "no socket $H"
[ "$(stat -c %a "$H")" = 600 ] || fail "http socket mode $(stat -c %a "$H")"

# FastCGI is served beside HTTP.
out=$("$CLIENT" -s "unix:$S" -q -f "$(params alice)") || fail "no FastCGI answer"
[ "$out" = "200 1" ] || fail "FastCGI: $out"

# The certificate forms certauthz accepts that fit a header.
pem() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(open(sys.argv[1]).read(), safe=""))' "$PKI/$1.pem"; }
b64() { "${OPENSSL:-openssl}" x509 -in "$PKI/$1.pem" -outform DER | base64 -w0; }
A9440=":$(b64 alice):"
ANGINX=$(pem alice)
ABARE=$(b64 alice)
BOB=":$(b64 bob):"

# hreq [curl args...]: "STATUS user=X-Certauthz-User policy=... rule=..."
hreq() {
	curl -s -m 10 --unix-socket "$H" -D "$T/head" -o "$T/body" \
	    "$@" http://certauthzd/_certauthz > /dev/null || { echo "000"; return; }
	tr -d '\r' < "$T/head" | awk '
	    NR == 1 { s = $2 }
	    tolower($1) == "x-certauthz-user:" { u = $2 }
	    tolower($1) == "x-certauthz-policy:" { p = $2 }
	    tolower($1) == "x-certauthz-rule:" { r = $2 }
	    tolower($1) == "x-certauthz-email:" { e = $2 }
	    END { printf "%s user=%s policy=%s rule=%s email=%s body=", s, u, p, r, e }'
	wc -c < "$T/body"
}
# hexpect WANT [curl args...]: WANT a glob on hreq's line.
hexpect() {
	local want=$1 got
	shift
	got=$(hreq "$@")
	case $got in
	$want) return 0 ;;
	esac
	echo "$0:${BASH_LINENO[0]}: FAIL: want '$want', got '$got'" >&2
	exit 1
}
ctx=(-H "X-Certauthz-Verify: SUCCESS" -H "X-Original-URI: /app/x?q=1"
    -H "X-Forwarded-Method: GET" -H "X-Forwarded-Host: app.example.com"
    -H "X-Forwarded-For: 192.0.2.7")

hexpect "200 user=alice policy=default rule=people email=alice@example.com body=0" \
    -H "Client-Cert: $A9440" "${ctx[@]}"
grep -Eq "^allow policy=default rule=people user=alice .* method=GET host=app.example.com uri=/app/x\?q=1 remote=192.0.2.7 role=http" "$T/err" ||
    fail "no decision line: $(tail -3 "$T/err")"
hexpect "200 user=alice *" -H "Client-Cert: $ANGINX" "${ctx[@]}"
hexpect "200 user=alice *" -H "Client-Cert: $ABARE" "${ctx[@]}"
# The X-Forwarded-Uri spelling, and lower-case names.
hexpect "200 user=alice *" -H "client-cert: $A9440" \
    -H "x-certauthz-verify: SUCCESS" -H "X-Forwarded-Uri: /app" \
    -H "x-forwarded-method: GET"
# Every shipped proxy sends the target and the method: a request
# without either was not written by the proxy as configured.
hexpect "403 *" -H "Client-Cert: $A9440" -H "X-Certauthz-Verify: SUCCESS" \
    -H "X-Forwarded-Method: GET"
hexpect "403 *" -H "Client-Cert: $A9440" -H "X-Certauthz-Verify: SUCCESS" \
    -H "X-Original-URI: /app"
grep -q 'reason="X-Original-URI or X-Forwarded-Method absent"' "$T/err" ||
    fail "no reason for an absent target or method"
# Headers the daemon does not read change nothing.
hexpect "200 user=alice *" -H "Client-Cert: $A9440" "${ctx[@]}" \
    -H "SSL-Client-Cert: x" -H "X-Certauthz-User: root" -H "Host: evil"

# Denied: the policy, no verify result, no certificate, a forged one.
hexpect "403 user= policy= rule= email= body=0" -H "Client-Cert: $BOB" "${ctx[@]}"
hexpect "403 *" -H "Client-Cert: $A9440" -H "X-Original-URI: /x"
hexpect "403 *" -H "X-Certauthz-Verify: SUCCESS" -H "X-Original-URI: /x"
hexpect "403 *" -H "X-Certauthz-Verify: FAILED:x" -H "Client-Cert: $A9440"
hexpect "403 *" -H "Client-Cert: :Zm9yZ2Vk:" "${ctx[@]}"
# Any header read twice, or under both names of the target, is a deny.
hexpect "403 *" -H "Client-Cert: $A9440" -H "Client-Cert: $A9440" "${ctx[@]}"
hexpect "403 *" -H "Client-Cert: $A9440" "${ctx[@]}" -H "X-Forwarded-Uri: /app/x?q=1"
hexpect "403 *" -H "Client-Cert: $A9440" "${ctx[@]}" -H "X-Certauthz-Verify: SUCCESS"
hexpect "403 *" -H "Client-Cert: $A9440" "${ctx[@]}" -H "x-forwarded-host: other"
hexpect "403 *" -H "Client-Cert: $A9440" "${ctx[@]}" \
    -H "X-Certauthz-Policy: default" -H "X-Certauthz-Policy: default"
grep -q 'reason="Client-Cert sent twice"' "$T/err" || fail "no 'sent twice' reason"
grep -q 'reason="X-Original-URI or X-Forwarded-Uri sent twice"' "$T/err" ||
    fail "no reason for two target headers"
# The policy by name; an unknown one is a 500.
hexpect "403 *" -H "Client-Cert: $A9440" "${ctx[@]}" -H "X-Certauthz-Policy: other"
hexpect "500 user= *body=0" -H "Client-Cert: $A9440" "${ctx[@]}" -H "X-Certauthz-Policy: nosuch"
# The path rules: when.path matches X-Certauthz-Path, which must be
# normalized, and the raw target must place.
hexpect "200 user=alice *" -H "Client-Cert: $A9440" "${ctx[@]}" -H "X-Certauthz-Path: /app/x"
hexpect "403 *" -H "Client-Cert: $A9440" "${ctx[@]}" -H "X-Certauthz-Path: /admin/x"
hexpect "200 user=carol policy=admin *" -H "Client-Cert: :$(b64 carol):" \
    "${ctx[@]}" -H "X-Certauthz-Path: /admin/x"
hexpect "403 *" -H "Client-Cert: $A9440" "${ctx[@]}" -H "X-Certauthz-Path: /app/../x"
grep -q 'reason="CERTAUTHZ_PATH is not a normalized path"' "$T/err" ||
    fail "no reason for a path that is not normalized"
hexpect "403 *" -H "Client-Cert: $A9440" -H "X-Certauthz-Verify: SUCCESS" \
    -H "X-Original-URI: /admin/..;/x"
hexpect "403 *" -H "Client-Cert: $A9440" -H "X-Certauthz-Verify: SUCCESS" \
    -H "X-Forwarded-Uri: /admin/x"

# raw PYTHON-EXPR: sends the bytes on one connection and prints what
# came back, then "<EOF>" when the daemon closed it, "<open>" when it
# was still open 2 s later.
raw() {
	python3 - "$H" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(2)
data = eval(sys.argv[2])
try:
    s.sendall(data)
except OSError as e:
    pass
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            out += b"<EOF>"
            break
        out += b
except socket.timeout:
    out += b"<open>"
except OSError:
    out += b"<EOF>"
sys.stdout.write(out.decode("latin-1").replace("\r\n", "|"))
PY
}
GET='b"GET /_certauthz HTTP/1.1\r\nHost: c\r\nX-Certauthz-Verify: SUCCESS\r\nClient-Cert: '$A9440'\r\nX-Original-URI: /x\r\nX-Forwarded-Method: GET\r\n\r\n"'
# Keep-alive and pipelining: three requests in one write, three answers
# in order, the connection kept.
got=$(raw "$GET * 3")
[ "$(grep -o "HTTP/1.1 200 OK" <<< "$got" | wc -l)" = 3 ] || fail "pipelined: $got"
case $got in *"<open>") ;; *) fail "pipelined: not kept: $got" ;; esac
# A body: 400 and closed, the body never read as a request.
got=$(raw 'b"POST / HTTP/1.1\r\nHost: c\r\nContent-Length: 5\r\n\r\nhello" + '"$GET")
case $got in "HTTP/1.1 400 Bad Request|"*"<EOF>") ;; *) fail "body: $got" ;; esac
[ "$(grep -o "HTTP/1.1" <<< "$got" | wc -l)" = 1 ] || fail "body: $got"
got=$(raw 'b"GET / HTTP/1.1\r\nHost: c\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"')
case $got in "HTTP/1.1 400 Bad Request|"*"<EOF>") ;; *) fail "chunked: $got" ;; esac
# A head of more than 64 KiB: closed without an answer; just under it:
# answered.
got=$(raw 'b"GET / HTTP/1.1\r\nHost: c\r\nX-Pad: " + b"a" * 66000 + b"\r\n\r\n"')
[ "$got" = "<EOF>" ] || fail "66000-byte head: ${got:0:80}"
got=$(raw 'b"GET / HTTP/1.1\r\nHost: c\r\nX-Pad: " + b"a" * 65000 + b"\r\n\r\n"')
case $got in "HTTP/1.1 403 Forbidden|"*) ;; *) fail "65000-byte head: ${got:0:80}" ;; esac
got=$(raw 'b"GET / HTTP/1.1\r\nHost: c\r\nX-Pad: " + b"a" * 300000 + b"\r\n\r\n"')
case $got in *"<EOF>") ;; *) fail "300000-byte head: ${got:0:80}" ;; esac

# Idle and half-sent connections hold no worker: with -n 2, 20 of each
# open, a request is still answered at once.
python3 - "$H" <<'PY' &
import socket, sys, time
conns = []
for i in range(20):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); conns.append(s)
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
    s.sendall(b"GET / HTTP/1.1\r\nHost: c\r\nX-Pad: a"); conns.append(s)
time.sleep(4)
PY
idle=$!
sleep 0.5
hexpect "200 user=alice *" -H "Client-Cert: $A9440" "${ctx[@]}" -m 2
wait "$idle"

# Reload: the HTTP side decides on the new policy.
http_policy "$T/policy.conf" alice bob
kill -HUP "$dpid"
i=0
until grep -q "policy $T/policy.conf loaded" "$T/err" || [ $i -ge 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
hexpect "200 user=bob *" -H "Client-Cert: $BOB" "${ctx[@]}"

# A clean stop removes both sockets.
stop_pid "$dpid"
wait "$dpid" 2>/dev/null
[ ! -e "$H" ] && [ ! -e "$S" ] || fail "a socket was left behind"
grep -q "ready: 2 workers on 1 FastCGI and 1 HTTP sockets" "$T/err" ||
    fail "no ready line: $(grep ready "$T/err")"
grep -q "^stopped" "$T/err" || fail "no clean stop: $(tail -3 "$T/err")"
# Under valgrind: no error reported.
if grep -Eq "^==[0-9]+==" "$T/err"; then
	fail "valgrind: $(grep -E "^==[0-9]+==" "$T/err" | head -20)"
fi

# Bad -s forms are refused before anything is bound.
for spec in http: http:foo http:unix:relative http:tcp:nohostport; do
	if "$DAEMON" -c "$T/policy.conf" -s "unix:$S" -s "$spec" 2>"$T/err2"; then
		fail "-s $spec accepted"
	fi
	[ ! -e "$S" ] || fail "-s $spec: $S left behind"
done

# As root: every socket is bound, and owned by the user, before the drop.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	chmod 755 "$T"
	chmod 644 "$T/policy.conf"
	start_daemon -n 2 -c "$T/policy.conf" -s "unix:$S" -s "http:unix:$H" -u nobody
	wait_for_socket "$H" 10 || fail "no socket $H"
	i=0
	until grep -q "ready:" "$T/err" || [ $i -ge 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(stat -c %U "$H")" = nobody ] || fail "http socket owner $(stat -c %U "$H")"
	[ "$(ps -o user= -p "$dpid")" = nobody ] || fail "not running as nobody"
	hexpect "200 user=alice *" -H "Client-Cert: $A9440" "${ctx[@]}"
	stop_pid "$dpid"
fi
exit 0
