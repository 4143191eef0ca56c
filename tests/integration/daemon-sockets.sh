#!/bin/bash
# daemon-sockets.sh: unix socket mode, stale socket replaced, live
# socket and non-socket refused, tcp (IPv4, IPv6), fd 0 listening
# socket (mod_fcgid, spawn-fcgi), systemd's fd 3, and the privilege drop
# when run as root.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/daemon-lib.sh"

write_policy "$T/policy.conf" alice
ALICE=$(params alice)
ok() {	# ok SOCKSPEC
	out=$("$CLIENT" -s "$1" -q -f "$ALICE") || fail "no answer on $1"
	[ "$out" = "200 1" ] || fail "$1: $out"
}

# Mode, then a live daemon is never replaced.
start_daemon -n 2 -c "$T/policy.conf" -s "unix:$S" -m 0600
[ "$(stat -c %a "$S")" = 600 ] || fail "socket mode $(stat -c %a "$S")"
ok "unix:$S"
if "$DAEMON" -d -c "$T/policy.conf" -s "unix:$S" 2>"$T/err2"; then
	fail "a second daemon took a live socket"
fi
grep -q "in use" "$T/err2" || fail "no 'in use' message"
ok "unix:$S"
# A stale socket (its daemon killed hard) is replaced.
kill -KILL $dpid
wait $dpid 2>/dev/null
[ -S "$S" ] || fail "no stale socket to test with"
start_daemon -n 2 -c "$T/policy.conf" -s "unix:$S"
i=0
until grep -q "ready:" "$T/err" || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
ok "unix:$S"
[ "$(stat -c %a "$S")" = 660 ] || fail "default mode $(stat -c %a "$S")"
grep -q "removed stale socket" "$T/err" || fail "no stale message"
stop_pid $dpid
# A regular file is never removed.
echo keep > "$T/file"
if "$DAEMON" -d -c "$T/policy.conf" -s "unix:$T/file" 2>"$T/err2"; then
	fail "bound over a regular file"
fi
[ "$(cat "$T/file")" = keep ] || fail "regular file changed"
# No socket at all: an error, exit 1.
"$DAEMON" -c "$T/policy.conf" < /dev/null 2>"$T/err2"
[ $? -eq 1 ] || fail "no socket: not exit 1"

# TCP, IPv4 and IPv6.
port=$(free_port)
"$DAEMON" -d -n 2 -c "$T/policy.conf" -s "tcp:127.0.0.1:$port" 2>>"$T/err" &
tpid=$!
track_pid $tpid
wait_for_port "$port" 10 || fail "tcp port $port"
ok "tcp:127.0.0.1:$port"
stop_pid $tpid
if python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null; then
	port=$(free_port)
	"$DAEMON" -d -n 2 -c "$T/policy.conf" -s "tcp:[::1]:$port" 2>>"$T/err" &
	tpid=$!
	track_pid $tpid
	i=0
	until "$CLIENT" -s "tcp:[::1]:$port" -q -f "$ALICE" >/dev/null 2>&1 || [ $i -ge 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	ok "tcp:[::1]:$port"
	stop_pid $tpid
fi

# fd 0 as the listening socket, as mod_fcgid and spawn-fcgi do.
python3 - "$T/fd0.sock" "$DAEMON" "$T/policy.conf" 2>>"$T/err" <<'EOP' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(16)
os.dup2(s.fileno(), 0)
os.execv(sys.argv[2], [sys.argv[2], "-d", "-n", "2", "-c", sys.argv[3]])
EOP
fpid=$!
track_pid $fpid
wait_for_socket "$T/fd0.sock" 10 || fail "fd 0 socket"
i=0
until "$CLIENT" -s "unix:$T/fd0.sock" -q -f "$ALICE" >/dev/null 2>&1 || [ $i -ge 50 ]; do
	sleep 0.1; i=$((i + 1))
done
ok "unix:$T/fd0.sock"
stop_pid $fpid

# systemd socket activation: LISTEN_PID/LISTEN_FDS and fd 3.
python3 - "$T/sd.sock" "$DAEMON" "$T/policy.conf" 2>>"$T/err" <<'EOP' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(16)
os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.environ["LISTEN_PID"] = str(os.getpid())
os.environ["LISTEN_FDS"] = "1"
os.execv(sys.argv[2], [sys.argv[2], "-d", "-n", "2", "-c", sys.argv[3]])
EOP
spid=$!
track_pid $spid
wait_for_socket "$T/sd.sock" 10 || fail "systemd socket"
i=0
until "$CLIENT" -s "unix:$T/sd.sock" -q -f "$ALICE" >/dev/null 2>&1 || [ $i -ge 50 ]; do
	sleep 0.1; i=$((i + 1))
done
ok "unix:$T/sd.sock"
stop_pid $spid

# Privilege drop, only when run as root.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	chmod 755 "$T"
	chmod 644 "$T/policy.conf" "$PKI"/*.pem 2>/dev/null
	start_daemon -n 2 -c "$T/policy.conf" -s "unix:$S" -u nobody
	# The socket exists from bind(), before the drop: wait until it
	# answers (workers start after the drop), then look.
	ok "unix:$S"
	uid=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' /proc/$dpid/status)
	nob=$(id -u nobody)
	[ "$uid" = "$nob $nob $nob $nob" ] || fail "Uid: $uid, not $nob"
	stop_pid $dpid
	if "$DAEMON" -d -c "$T/policy.conf" -s "unix:$T/r.sock" -u root 2>"$T/err2"; then
		fail "ran as -u root"
	fi
	if "$DAEMON" -d -c "$T/policy.conf" -s "unix:$T/r.sock" -g nogroup 2>"$T/err2"; then
		fail "-g alone kept uid 0"
	fi
else
	echo "not root: privilege drop not tested" >&2
fi
exit 0
