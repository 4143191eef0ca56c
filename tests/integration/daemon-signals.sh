#!/bin/bash
# daemon-signals.sh: SIGHUP reload (a good file applies, a broken one
# leaves the old policy in force and logs FILE:LINE), SIGTERM with a
# request in flight (it completes, exit 0, promptly), the pid file.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/daemon-lib.sh"

write_policy "$T/policy.conf" alice
start_daemon -n 2 -c "$T/policy.conf" -s "unix:$S" -p "$T/pid"
# The pid file is written just after the sockets are bound: the socket
# can appear first (slowly so under valgrind).
i=0
while [ "$(cat "$T/pid" 2>/dev/null)" != "$dpid" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ "$(cat "$T/pid")" = "$dpid" ] || fail "pid file holds $(cat "$T/pid"), not $dpid"
BOB=$(params bob)
status() { "$CLIENT" -s "unix:$S" -q -f "$BOB"; }

[ "$(status)" = "403 1" ] || fail "bob allowed before reload"
write_policy "$T/policy.conf" alice bob
kill -HUP $dpid
i=0
while [ "$(status)" != "200 1" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(status)" = "200 1" ] || fail "reload did not apply"

printf 'policies = (\n  { name = "x";\n    allow = ( { bogus = 1; } ); }\n);\n' > "$T/policy.conf"
kill -HUP $dpid
i=0
while ! grep -q "reload of" "$T/err" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
grep -q "^$T/policy.conf:[0-9][0-9]*: " "$T/err" || { cat "$T/err" >&2; fail "no FILE:LINE for the broken reload"; }
[ "$(status)" = "200 1" ] || fail "the old policy is not in force after a broken reload"
kill -0 $dpid || fail "daemon died on a broken reload"

# SIGTERM while a request is half sent: it is answered, then exit 0.
python3 - "$S" "$dpid" > "$T/inflight" <<'EOP' || fail "in-flight request"
import os, signal, socket, sys, time
def rec(t, body):
    return bytes([1, t, 0, 1, len(body) >> 8, len(body) & 255, 0, 0]) + body
def nv(n, v):
    return bytes([len(n), len(v)]) + n + v
cert = open(os.environ["PKI"] + "/bob.pem", "rb").read()
p = nv(b"SSL_CLIENT_VERIFY", b"SUCCESS") + bytes([15, 0x80, len(cert) >> 16 & 255, len(cert) >> 8 & 255, len(cert) & 255]) + b"SSL_CLIENT_CERT" + cert
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(10)
s.sendall(rec(1, bytes([0, 1, 0, 0, 0, 0, 0, 0])) + rec(4, p)[:100])
time.sleep(0.5)
os.kill(int(sys.argv[2]), signal.SIGTERM)
time.sleep(0.5)
s.sendall(rec(4, p)[100:] + rec(4, b"") + rec(5, b""))
out = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    out += d
print(out[8:8 + 20].decode("latin1").split("\r\n")[0])
EOP
grep -qx 'Status: 200 OK' "$T/inflight" || fail "in-flight request got: $(cat "$T/inflight")"
i=0
while kill -0 $dpid 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 $dpid 2>/dev/null && fail "still running 3 s after SIGTERM"
wait $dpid
rc=$?
[ $rc -eq 0 ] || fail "exit status $rc after SIGTERM"
[ ! -e "$T/pid" ] || fail "pid file left behind"
[ ! -e "$S" ] || fail "socket left behind"

# SIGINT with idle connections open: prompt exit 0.
write_policy "$T/policy.conf" alice
start_daemon -n 1 -c "$T/policy.conf" -s "unix:$S"
"$CLIENT" -s "unix:$S" -k -c 3 -H 10 -q -f "$BOB" > "$T/held" &
track_pid $!
i=0
while ! grep -q ready "$T/held" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); import time; time.sleep(0.2)' "$S" 2>/dev/null &
kill -INT $dpid
i=0
while kill -0 $dpid 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 $dpid 2>/dev/null && fail "still running 3 s after SIGINT"
wait $dpid
rc=$?
[ $rc -eq 0 ] || fail "exit status $rc after SIGINT"
exit 0
