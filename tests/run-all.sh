#!/bin/sh
# tests/run-all.sh: the README's test command.
#
# Installs what the tests need (Debian packages, with sudo when not
# root), then builds with ASan+UBSan and -Werror and runs the whole
# test suite (`make check`, which starts real nginx and Apache on
# loopback ports), then the daemon and unit tests once more under
# valgrind with a plain build, a clang -Werror build, a libFuzzer smoke
# run of every fuzz target, `make distcheck`, and the Debian package
# (tests/package.sh: built, lintian clean, installed, nginx end to end,
# purged).  Exits non-zero on any failure.
#
# Usage: tests/run-all.sh            (from the top of a clone)
#        NO_INSTALL=1 tests/run-all.sh   to skip apt-get
#        NO_PACKAGE=1 tests/run-all.sh   to skip the Debian package
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=${JOBS:-2}

PACKAGES="build-essential autoconf automake pkg-config libssl-dev
libconfig-dev libfcgi-dev libfcgi-bin openssl curl nginx apache2
libapache2-mod-fcgid valgrind clang libclang-rt-14-dev python3 procps
libmicrohttpd-dev caddy lighttpd lighttpd-mod-openssl lighttpd-modules-lua
debhelper dpkg-dev fakeroot lintian"

if [ -z "${NO_INSTALL:-}" ]; then
	missing=
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'install ok installed' || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		sudo=
		[ "$(id -u)" -eq 0 ] || sudo=sudo
		echo "installing:$missing"
		$sudo apt-get update -qq
		# shellcheck disable=SC2086
		$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		    --no-install-recommends $missing
	fi
fi

./autogen.sh

step() {
	echo
	echo "=== $*"
}

step "ASan+UBSan build, make check"
rm -rf build-asan && mkdir build-asan
(cd build-asan && ../configure -q --enable-sanitizers --enable-werror &&
    make -j"$jobs" && make -j"$jobs" check) || {
	cat build-asan/test-suite.log 2>/dev/null | tail -200
	exit 1
}

step "valgrind: daemon and unit tests on a plain build"
# The unit tests and every test that drives certauthzd over FastCGI.
valgrind_tests="tests/unit/test_dn tests/unit/test_match
tests/unit/test_decision tests/unit/test_eval tests/unit/test_scan
tests/unit/test_fcgi_ref
tests/unit/certs.sh $(ls tests/integration/daemon*.sh | grep -v daemon-lib)
tests/integration/hostile.sh tests/integration/hostile-nul.sh
tests/integration/http-daemon.sh tests/integration/metrics.sh"
valgrind_tests=$(echo $valgrind_tests)
rm -rf build-valgrind && mkdir build-valgrind
(cd build-valgrind && ../configure -q --enable-werror &&
    make -j"$jobs" && make -j"$jobs" check \
    VALGRIND_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --suppressions=$top/tests/valgrind.supp" \
    TESTS="$valgrind_tests") || {
	cat build-valgrind/test-suite.log 2>/dev/null | tail -200
	exit 1
}

step "clang -Wall -Wextra -Werror build"
rm -rf build-clang && mkdir build-clang
(cd build-clang && ../configure -q CC=clang --enable-werror && make -j"$jobs")

step "libFuzzer smoke run (clang, ASan+UBSan), FUZZ_SECONDS each target"
rm -rf build-fuzz && mkdir build-fuzz
(cd build-fuzz && ../configure -q CC=clang --enable-fuzzing \
    --enable-sanitizers && make -j"$jobs" &&
    make fuzz-smoke FUZZ_SECONDS="${FUZZ_SECONDS:-30}")

step "make distcheck (the whole suite again, from the tarball)"
(cd build-valgrind && make -j"$jobs" distcheck \
    DISTCHECK_CONFIGURE_FLAGS=--enable-werror)

if [ -z "${NO_PACKAGE:-}" ]; then
	step "Debian package from the distcheck tarball (tests/package.sh)"
	sh tests/package.sh build-valgrind
fi

# One plain closing line, counted from the main (sanitizer) run.
log=build-asan/test-suite.log
pass=$(sed -n 's/^# PASS: *//p' "$log")
failed=$(sed -n 's/^# FAIL: *//p' "$log")
skipped=$(sed -n 's/^# SKIP: *//p' "$log")
echo
echo "all test steps passed"
echo "tests: ${pass:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
