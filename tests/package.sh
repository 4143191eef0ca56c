#!/bin/sh
# tests/package.sh: the Debian package, built, installed, used and purged.
#
#   sh tests/package.sh BUILDDIR
#
# BUILDDIR is a configured build tree that has run `make check` (its
# test PKI and tests are used).  As root, or with sudo:
#   1. unpacks BUILDDIR's `make dist` tarball (made when absent) and runs
#      `dpkg-buildpackage -us -uc -b` in it (DEB_BUILD_OPTIONS=nocheck
#      unless set: the suite has already run on this tree);
#   2. lintian, failing on any error or warning;
#   3. `apt-get install ./certauthz_*.deb`, then checks the installed
#      files, the conffile, the system user, the default policy (loads,
#      denies) and the examples (lint clean), and runs
#      tests/integration/nginx.sh against /usr/sbin/certauthzd with the
#      snippets of /usr/share/certauthz;
#   4. `apt-get purge certauthz`, and fails when a file it added under
#      /etc, /usr, /lib, /opt or /var/lib is left.  What Debian policy keeps
#      is allowed: the system user certauthz (/etc/passwd and friends).
# Prints the time of each step.  Exit 0 only when all passed.
set -eu

[ $# -eq 1 ] || { echo "usage: tests/package.sh BUILDDIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
work=$(mktemp -d /tmp/certauthz-package.XXXXXX)
t0=$(date +%s)
installed=

fail() { echo "tests/package.sh: FAIL: $*" >&2; exit 1; }
step() { echo "--- $* (at $(( $(date +%s) - t0 )) s)"; }

cleanup() {
	if [ -n "$installed" ]; then
		$sudo env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq \
		    certauthz >/dev/null 2>&1 || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# A run cut short leaves the package installed: purge it first.
if dpkg-query -W -f='${Status}' certauthz 2>/dev/null |
    grep -q 'ok installed\|config-files'; then
	echo "purging the certauthz package a former run left"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq \
	    certauthz >/dev/null || fail "apt-get purge certauthz"
fi

step "1. dpkg-buildpackage from the dist tarball"
tarball=$(ls "$build"/certauthz-*.tar.gz 2>/dev/null | tail -1) || true
if [ -z "$tarball" ]; then
	(cd "$build" && make -s dist) >/dev/null
	tarball=$(ls "$build"/certauthz-*.tar.gz | tail -1)
fi
tar -C "$work" -xzf "$tarball"
src=$(ls -d "$work"/certauthz-*/)
(cd "$src" && DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-nocheck} \
    dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 || {
	tail -50 "$work/build.log"
	fail "dpkg-buildpackage"
}
deb=$(ls "$work"/certauthz_*.deb)
changes=$(ls "$work"/certauthz_*.changes)

step "2. lintian"
lintian --fail-on error,warning -I --pedantic --show-overrides \
    "$changes" 2>&1 | grep -v '^running with root privileges' || true
lintian --fail-on error,warning "$changes" >/dev/null 2>&1 ||
    fail "lintian reports an error or a warning"

step "3. apt-get install $(basename "$deb")"
# What is there before: everything added from here on must go on purge.
snapshot() {
	$sudo find /etc /usr /lib /opt /var/lib -xdev \
	    \( -path /var/lib/dpkg -o -path /var/lib/apt \) -prune -o \
	    -print 2>/dev/null | sort
}
snapshot > "$work/before"
installed=1
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "$deb" >"$work/install.log" 2>&1 || {
	cat "$work/install.log"
	fail "apt-get install $deb"
}
for f in /usr/sbin/certauthzd /usr/bin/certauthz /etc/certauthz/policy.conf \
    /usr/share/certauthz/nginx/certauthz_params \
    /usr/share/certauthz/apache/certauthz-env.conf \
    /usr/share/certauthz/lighttpd/50-certauthz.conf \
    /usr/share/doc/certauthz/examples/example.conf \
    /lib/systemd/system/certauthzd.socket \
    /lib/systemd/system/certauthzd.service \
    /usr/share/man/man8/certauthzd.8.gz; do
	[ -f "$f" ] || fail "$f is not installed"
done
dpkg-query -W -f='${Conffiles}\n' certauthz |
    grep -q '^ /etc/certauthz/policy.conf ' ||
    fail "/etc/certauthz/policy.conf is not a conffile"
getent passwd certauthz >/dev/null || fail "no system user certauthz"
# the default policy: loads (under the compiled-in default path too)
# and denies every request
/usr/sbin/certauthzd -t | grep -qx "policy OK" ||
    fail "certauthzd -t rejects /etc/certauthz/policy.conf"
if /usr/bin/certauthz check -c /etc/certauthz/policy.conf \
    "$build/tests/pki/out/alice.pem" >"$work/check.out" 2>&1; then
	fail "the default policy allowed alice: $(cat "$work/check.out")"
fi
grep -q '^deny ' "$work/check.out" ||
    fail "default policy: $(cat "$work/check.out")"
for f in /usr/share/doc/certauthz/examples/*.conf; do
	out=$(/usr/bin/certauthz lint -c "$f" 2>&1) || fail "$f: $out"
	[ "$out" = "$f: policy OK" ] || fail "$f warns: $out"
done
if command -v systemd-analyze >/dev/null 2>&1; then
	systemd-analyze verify /lib/systemd/system/certauthzd.socket \
	    /lib/systemd/system/certauthzd.service >"$work/verify.out" 2>&1 ||
	    fail "systemd-analyze verify: $(cat "$work/verify.out")"
fi

step "3b. nginx end to end: /usr/sbin/certauthzd, /usr/share/certauthz/nginx"
(cd "$build" && WEB_CERTAUTHZD=/usr/sbin/certauthzd \
    WEB_CONTRIB=/usr/share/certauthz make -s check \
    TESTS=tests/integration/nginx.sh) >"$work/nginx.log" 2>&1 || {
	cat "$work/nginx.log" "$build/tests/integration/nginx.log" 2>/dev/null |
	    tail -40
	fail "nginx end to end against the installed package"
}
grep -q '^PASS: tests/integration/nginx.sh' "$work/nginx.log" ||
    fail "nginx.sh did not pass: $(cat "$work/nginx.log")"

step "4. apt-get purge certauthz"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq certauthz \
    >"$work/purge.log" 2>&1 || {
	cat "$work/purge.log"
	fail "apt-get purge certauthz"
}
installed=
snapshot > "$work/after"
# Left behind: new paths that no package owns, less what policy keeps
# (the system user: the backups of /etc/passwd and friends).
comm -13 "$work/before" "$work/after" | while read -r f; do
	case $f in
	/etc/passwd-|/etc/group-|/etc/shadow-|/etc/gshadow-) continue ;;
	esac
	dpkg -S "$f" >/dev/null 2>&1 || echo "$f"
done > "$work/left"
if [ -s "$work/left" ]; then
	fail "purge left: $(cat "$work/left")"
fi
getent passwd certauthz >/dev/null &&
    echo "purge kept the system user certauthz (Debian policy 9.2)"
step "Debian package: built, lintian clean, nginx end to end, purged clean"
