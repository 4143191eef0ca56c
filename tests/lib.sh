# tests/lib.sh: sourced by every shell test.
#
# Provides: fail MSG (prints the caller's line and exits 1), skip MSG
# (exit 77, which automake reports as SKIP), need PROGRAM (skip when it
# is absent), tmpdir setup with cleanup, free_port, wait_for_socket,
# wait_for_port, and stop_pid (TERM, then KILL after 5 s, by pid).
# Every server a test starts is recorded with track_pid and stopped on
# exit, so nothing outlives the test.

set -u
: "${top_srcdir:?run through make check}"
: "${top_builddir:?run through make check}"
: "${PKI:=$top_builddir/tests/pki/out}"

# The programs under test.  With VALGRIND_WRAP set (tests/run-all.sh
# does), every daemon a test starts runs under valgrind: its pid is
# still the one the test tracks and stops.
CERTAUTHZD="${VALGRIND_WRAP:-} $top_builddir/certauthzd"
CERTAUTHZ="$top_builddir/certauthz"

test_name=$(basename "$0" .sh)
T=$(mktemp -d "${TMPDIR:-/tmp}/certauthz-$test_name.XXXXXX")
_pids=""

fail() {
	echo "$0:${BASH_LINENO:-?}: FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

need() {
	for p in "$@"; do
		command -v "$p" >/dev/null 2>&1 || [ -x "$p" ] ||
		    skip "$p is not installed"
	done
}

track_pid() {
	_pids="$_pids $1"
}

stop_pid() {
	pid=$1
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "pid $pid ignored SIGTERM for 5 s: SIGKILL" >&2
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

_cleanup() {
	for p in $_pids; do
		stop_pid "$p"
	done
	if [ "${KEEP_TMP:-}" = "" ]; then
		rm -rf "$T"
	else
		echo "kept $T" >&2
	fi
}
trap _cleanup EXIT
trap 'exit 1' INT TERM

# free_port: prints a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
	    echo $((20000 + $$ % 20000 + RANDOM % 1000))
}

# wait_for_socket PATH [SECONDS]
wait_for_socket() {
	i=0
	while [ ! -S "$1" ] && [ $i -lt $((${2:-10} * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -S "$1" ]
}

# wait_for_port PORT [SECONDS]
wait_for_port() {
	i=0
	while ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null &&
	    [ $i -lt $((${2:-10} * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# pki: make sure the test PKI exists (make check builds it first).
[ -f "$PKI/.done" ] || OPENSSL=${OPENSSL:-openssl} \
    sh "$top_srcdir/tests/pki/mkpki.sh" "$PKI" || fail "making the test PKI"
