#!/bin/bash
# ping.sh: `certauthz ping` (certauthz(1)) against a real certauthzd on
# each kind of socket (FastCGI and HTTP, unix and tcp): 0 and the
# probe's deny line while it runs, 1 once it is stopped; and against
# fake peers: one that accepts and never answers (1 within -t), one
# that answers garbage (1), well-formed answers other than 403 (1), and
# a 403 in padded records beside STDERR (0).  Usage errors exit 2.
# certauthz runs under $VALGRIND_WRAP when set, but where it is timed.
. "$top_srcdir/tests/lib.sh"
need python3
. "$top_srcdir/tests/integration/daemon-lib.sh"

# ping WANT [ARGS...] SOCKET: WANT is the exit status; output in $T/ping
ping() {
	local want=$1 got
	shift
	${WRAP-${VALGRIND_WRAP:-}} "$CERTAUTHZ" ping "$@" > "$T/ping" 2>&1
	got=$?
	[ "$got" = "$want" ] ||
	    fail "ping $*: exit $got, want $want: $(cat "$T/ping")"
}

write_policy "$T/policy.conf" alice
H=$T/h
P=$(free_port)
Q=$(free_port)
[ "$P" != "$Q" ] || Q=$((P + 1))
start_daemon -n 2 -c "$T/policy.conf" -s "unix:$S" -s "http:unix:$H" \
    -s "tcp:127.0.0.1:$P" -s "http:tcp:127.0.0.1:$Q"
wait_for_socket "$H" 10 || fail "no socket $H"
wait_for_port "$P" 10 || fail "no port $P"
wait_for_port "$Q" 10 || fail "no port $Q"

for s in "unix:$S" "http:unix:$H" "tcp:127.0.0.1:$P" "http:tcp:127.0.0.1:$Q"; do
	ping 0 "$s"
	grep -q "^$s: ok, 403 to the probe in [0-9]* ms$" "$T/ping" ||
	    fail "ping $s said: $(cat "$T/ping")"
done
ping 0 -t 0.5 "unix:$S"
# The probe is a request without a certificate: a deny, in the log.
n=$(grep -c '^deny policy=- rule=- reason="SSL_CLIENT_VERIFY is NONE" .* uri=/certauthz-ping remote=- role=responder ' "$T/err")
[ "$n" = 3 ] || fail "$n FastCGI probe lines: $(cat "$T/err")"
n=$(grep -c '^deny .* uri=/certauthz-ping remote=- role=http ' "$T/err")
[ "$n" = 2 ] || fail "$n HTTP probe lines: $(cat "$T/err")"
# A broken policy on reload leaves the old one in force: still healthy.
echo 'policies = (' > "$T/policy.conf"
kill -HUP "$dpid"
sleep 0.3
ping 0 "unix:$S"
# The wrong protocol on a socket is no answer.
ping 1 -t 1 "http:unix:$S"
ping 1 -t 1 "unix:$H"

stop_pid "$dpid"
ping 1 "unix:$S"
grep -q 'No such file or directory' "$T/ping" || fail "stopped: $(cat "$T/ping")"
ping 1 "http:unix:$H"
ping 1 "tcp:127.0.0.1:$P"
grep -q 'Connection refused' "$T/ping" || fail "stopped: $(cat "$T/ping")"
ping 1 "http:tcp:127.0.0.1:$Q"

# fake MODE: a peer on unix:$T/fake that answers as MODE says, one
# connection after another, until killed.
fake() {
	rm -f "$T/fake"
	python3 - "$T/fake" "$1" <<'EOP' &
import socket, struct, sys, time
path, mode = sys.argv[1], sys.argv[2]
def rec(t, body, pad=0):
	return struct.pack(">BBHHBB", 1, t, 1, len(body), pad, 0) + body + b"\0" * pad
def fcgi(status):
	out = ("Status: %s\r\nContent-Type: text/plain\r\n\r\nforbidden\n" % status).encode()
	return rec(7, b"a warning", 3) + rec(6, out[:10], 5) + rec(6, out[10:], 2) + \
	    rec(6, b"") + rec(3, b"\0\0\0\0\0\0\0\0")
answers = {
	"silent": None,
	"garbage": b"garbage\r\n\r\n",
	"fcgi-403": fcgi("403 Forbidden"),
	"fcgi-500": fcgi("500 Internal Server Error"),
	"fcgi-200": fcgi("200 OK"),
	"fcgi-nostatus": rec(6, b"Content-Type: text/plain\r\n\r\n") + rec(3, b"\0" * 8),
	"fcgi-noend": rec(6, b"Status: 403 Forbidden\r\n\r\n"),
	"fcgi-badend": rec(6, b"Status: 403 Forbidden\r\n\r\n") + rec(3, b"\0\0\0\0\1\0\0\0"),
	"fcgi-big": rec(6, b"x" * 65535) + rec(6, b"x" * 65535) + rec(3, b"\0" * 8),
	"http-403": b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n",
	"http-500": b"HTTP/1.1 500 Internal Server Error\r\n\r\n",
	"http-200": b"HTTP/1.1 200 OK\r\nX-Certauthz-User: x\r\n\r\n",
	"http-nohead": b"HTTP/1.1 403 Forbidden\r\n",
}
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(8)
held = []
while True:
	c, _ = s.accept()
	c.recv(65536)
	a = answers[mode]
	if a is None:
		held.append(c)
		continue
	try:
		c.sendall(a)
	except OSError:
		pass
	c.close()
EOP
	fpid=$!
	track_pid $fpid
	wait_for_socket "$T/fake" 10 || fail "fake $1 did not start"
}

# A peer that accepts and never answers: 1 once the timeout has passed
# (default 2 s), not much later: the bound is loose for a loaded machine.
fake silent
for t in 1 2; do
	start=$(date +%s%N)
	if [ $t = 2 ]; then WRAP= ping 1 "unix:$T/fake"
	else WRAP= ping 1 -t $t "unix:$T/fake"; fi
	grep -q 'timed out' "$T/ping" || fail "silent: $(cat "$T/ping")"
	ms=$((($(date +%s%N) - start) / 1000000))
	[ $ms -ge $((t * 1000 - 50)) ] && [ $ms -lt $((t * 1000 + 5000)) ] ||
	    fail "silent peer, -t $t: $ms ms"
	ping 1 -t $t "http:unix:$T/fake"
done
stop_pid $fpid

fake garbage
ping 1 "unix:$T/fake"
grep -q 'malformed FastCGI record' "$T/ping" || fail "garbage: $(cat "$T/ping")"
ping 1 "http:unix:$T/fake"
grep -q 'malformed status line' "$T/ping" || fail "garbage: $(cat "$T/ping")"
stop_pid $fpid

# Well-formed answers: only 403 is healthy.
for m in fcgi-403:0 fcgi-500:1 fcgi-200:1 fcgi-nostatus:1 fcgi-noend:1 \
    fcgi-badend:1 fcgi-big:1 http-403:0 http-500:1 http-200:1 \
    http-nohead:1; do
	mode=${m%:*} want=${m#*:}
	fake "$mode"
	case $mode in
	http-*) ping "$want" "http:unix:$T/fake" ;;
	*) ping "$want" "unix:$T/fake" ;;
	esac
	stop_pid $fpid
done
fake fcgi-500
ping 1 "unix:$T/fake"
grep -q 'answered 500: no usable policy' "$T/ping" || fail "500: $(cat "$T/ping")"
stop_pid $fpid

# Usage: exit 2.
ping 2
ping 2 -t 0 "unix:$S"
ping 2 -t x "unix:$S"
ping 2 -t 1
ping 1 "bogus:$S"
exit 0
