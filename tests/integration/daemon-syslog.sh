#!/bin/bash
# daemon-syslog.sh: the decision lines certauthzd sends to syslog
# itself (fcgi/log.c), through a fake /dev/log (CERTAUTHZD_LOG_SOCKET,
# for tests only): RFC 3164 lines with the policy's facility, also after
# a reload; lines lost while /dev/log is missing are counted and the
# count is logged once it is back; a syslog that does not read never
# holds up an answer; the lines an HTTP thread holds are sent within
# LOG_HOLD_MS of the first though no request follows (log.c's
# flusher); -d still copies every line to stderr.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/daemon-lib.sh"
need python3

LOGS=$T/log.sock
policy() {	# policy FACILITY
	write_policy "$T/policy.conf" alice
	sed -i "s/^  log_allow = true;/  log_allow = true;\n  syslog_facility = \"$1\";/" \
	    "$T/policy.conf"
}
# The fake syslog: one datagram a line in $T/syslog; it stops reading
# while $T/pause exists.
fake_syslog() {
	python3 - "$LOGS" "$T/syslog" "$T/pause" <<'EOP' &
import os, socket, sys, time
path, out, pause = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(0.05)
with open(out, "ab", buffering=0) as f:
    while True:
        if os.path.exists(pause):
            time.sleep(0.05)
            continue
        try:
            f.write(s.recv(65536) + b"\n")
        except socket.timeout:
            pass
EOP
	track_pid $!
	wait_for_socket "$LOGS" 10 || fail "no fake syslog"
}
ALICE=$(params alice)
BOB=$(params bob)
ask() {	# ask PARAMS-FILE: prints "STATUS 1"
	"$CLIENT" -s "unix:$S" -q -f "$1"
}
# syslog_has PATTERN [PARAMS-FILE]: asks (alice, or PARAMS-FILE) until
# the fake syslog got a line matching PATTERN (egrep), for up to 5 s.
# Asking again matters: a worker whose socket has not reconnected yet
# drops its line, and another worker may serve the next request.
syslog_has() {
	i=0
	until grep -Eq "$1" "$T/syslog" 2>/dev/null || [ $i -ge 50 ]; do
		ask "${2:-$ALICE}" > /dev/null
		sleep 0.1
		i=$((i + 1))
	done
	grep -Eq "$1" "$T/syslog" || fail "no syslog line /$1/: $(cat "$T/syslog" 2>&1)"
}

# /dev/log missing at start: decisions are answered, their lines lost.
policy local3
export CERTAUTHZD_LOG_SOCKET=$LOGS
H=$T/h.sock
start_daemon -n 2 -c "$T/policy.conf" -s "unix:$S" -s "http:unix:$H"
unset CERTAUTHZD_LOG_SOCKET
wait_for_socket "$H" 10 || fail "no socket $H"
for i in 1 2 3; do
	[ "$(ask "$ALICE")" = "200 1" ] || fail "no answer without syslog"
done
# It appears: within a second or so each thread connects, and the
# count of lost lines is logged (local3.warning = 156).
fake_syslog
stamp='[A-Z][a-z]{2} [ 1-3][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}'
syslog_has "^<158>$stamp certauthzd\\[$dpid\\]: allow policy=default rule=people user=alice serial=1001 "
syslog_has "^<156>$stamp certauthzd\\[$dpid\\]: [1-9][0-9]* log lines dropped\$"
[ "$(ask "$BOB")" = "403 1" ] || fail "bob allowed"
syslog_has "^<157>$stamp certauthzd\\[$dpid\\]: deny policy=default rule=- reason=" "$BOB"

# A reload applies the new facility (local4.info = 166).
policy local4
kill -HUP $dpid
syslog_has "^<166>$stamp certauthzd\\[$dpid\\]: allow "

# A syslog that stops reading: every request is still answered (a send
# that blocked would hang the client), and the drops are counted.
: > "$T/pause"
sleep 0.2
"$CLIENT" -s "unix:$S" -k -n 2000 -q -f "$ALICE" > "$T/out" ||
    fail "answers held up by syslog: $(cat "$T/out")"
[ "$(cat "$T/out")" = "200 2000" ] || fail "paused syslog: $(cat "$T/out")"
: > "$T/syslog"
rm -f "$T/pause"
syslog_has "^<164>$stamp certauthzd\\[$dpid\\]: [1-9][0-9]* log lines dropped\$"

# HTTP: an MHD thread holds its lines (up to 8 a send) and sleeps in
# libmicrohttpd's loop, with no hook to flush them; the flusher sends
# them once the first has waited 100 ms.  On one kept connection (so
# that no "connection closed" debug line flushes them), one request,
# then three, then nothing more: each line must arrive while the
# connection stays open (bounded waits, no asking again).
python3 - "$H" "$PKI/alice.pem" "$T/syslog" "$dpid" <<'EOP' || fail "HTTP lines held"
import re, socket, sys, time, urllib.parse
path, pem, log, pid = sys.argv[1:5]
cert = urllib.parse.quote(open(pem).read(), safe="")
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(path)
def ask(uri):
    s.sendall(("GET /_certauthz HTTP/1.1\r\nHost: certauthzd\r\n"
               "Client-Cert: %s\r\nX-Certauthz-Verify: SUCCESS\r\n"
               "X-Original-URI: %s\r\nX-Forwarded-Method: GET\r\n\r\n"
               % (cert, uri)).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(4096)
    assert head.startswith(b"HTTP/1.1 200 "), head
def lines(want, pattern):
    rx = re.compile(r"certauthzd\[%s\]: allow .* uri=%s .*role=http" % (pid, pattern))
    for _ in range(30):
        n = sum(1 for l in open(log, errors="replace") if rx.search(l))
        if n >= want:
            break
        time.sleep(0.1)
    if n != want:
        sys.exit("want %d lines for %s, got %d" % (want, pattern, n))
ask("/h1")
lines(1, "/h1")
for u in ("/h2", "/h3", "/h4"):
    ask(u)
lines(3, "/h[234]")
s.close()
EOP

# -d: the same lines on stderr, without the syslog header.
grep -q '^allow policy=default rule=people user=alice serial=1001 ' "$T/err" ||
    fail "no allow line on stderr"
grep -q '^deny policy=default ' "$T/err" || fail "no deny line on stderr"
exit 0
