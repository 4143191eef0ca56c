#!/bin/sh
# quickstart.sh: build certauthz and watch it decide, on Debian 12.
#
#   sh contrib/quickstart.sh
#
# Installs the Debian packages it needs (with sudo unless root), builds
# in build/, makes a demo PKI in demo/pki, starts certauthzd with
# policies/example.conf on a unix socket and nginx from
# contrib/nginx/certauthz-example.conf on 127.0.0.1:$PORT (default
# 8443), then sends one request as alice (allowed) and one as bob
# (denied) with curl --cert, and prints both answers and certauthzd's
# decision lines.  Everything it started is stopped on exit; the exit
# status is 0 only when alice got in and bob did not.  Works from any
# directory, a path with spaces included, as root or as a user who may
# sudo; without either it prints the apt-get command to run as root.
set -eu

PORT=${PORT:-8443}
BPORT=${BPORT:-8081}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
demo=$root/demo
pids=

say() { printf '==> %s\n' "$*"; }
die() { printf 'quickstart: %s\n' "$*" >&2; exit 1; }

cleanup() {
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $pids; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -KILL "$p" 2>/dev/null || true
	done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# 1. Packages.
pkgs="build-essential autoconf automake pkg-config libssl-dev libconfig-dev
    libfcgi-dev nginx curl openssl"
missing=
if command -v dpkg-query >/dev/null 2>&1; then
	for p in $pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'install ok installed' || missing="$missing $p"
	done
else
	say "not Debian: make sure these are installed: $pkgs"
fi
if [ -n "$missing" ]; then
	sudo=
	cmd="apt-get update && apt-get install -y --no-install-recommends$missing"
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null 2>&1 || die "missing packages:$missing
  As root, run:  $cmd
  then run this script again."
		sudo=sudo
	fi
	say "installing:$missing"
	{ $sudo apt-get update -q &&
	    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends $missing; } ||
	    die "installing the packages failed.
  As root, run:  $cmd
  then run this script again."
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || die "nginx not found"

# 2. Build out of tree.  configure is run by a relative path: it refuses
# a source directory whose name holds a space ("unsafe srcdir value").
say "building in $build"
[ -x "$root/configure" ] || sh "$root/autogen.sh"
mkdir -p "$build"
(cd "$build" && { [ -f Makefile ] || ../configure -q; } &&
    make -s -j"$(nproc 2>/dev/null || echo 2)" certauthzd certauthz) ||
    die "build failed"

# 3. Demo PKI and policy.
say "making a demo PKI in $demo/pki"
mkdir -p "$demo/run" "$demo/nginx/snippets" "$demo/nginx/tmp"
sh "$root/tests/pki/mkpki.sh" "$demo/pki" >/dev/null 2>&1 ||
    die "making the PKI failed (tests/pki/mkpki.sh)"
policy=$root/policies/example.conf
"$build/certauthzd" -t -c "$policy" || die "$policy: rejected"

# 4. certauthzd on a unix socket.
sock=$demo/run/certauthzd.sock
rm -f "$sock" "$demo/certauthzd.log"
"$build/certauthzd" -d -c "$policy" -s "unix:$sock" \
    >"$demo/certauthzd.log" 2>&1 &
pids="$pids $!"
i=0
while [ ! -S "$sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -S "$sock" ] || die "certauthzd did not start: $(cat "$demo/certauthzd.log")"

# 5. nginx from the shipped example: only paths and ports change.  Every
# path is quoted in the files nginx reads (a path may hold spaces).
n=$demo/nginx
# $demo as a sed replacement: &, | and \ escaped
sdemo=$(printf '%s\n' "$demo" | sed 's/[&|\\]/\\&/g')
ssock=$(printf '%s\n' "$sock" | sed 's/[&|\\]/\\&/g')
cp "$root/contrib/nginx/certauthz_params" \
    "$root/contrib/nginx/certauthz-location.conf" \
    "$root/contrib/nginx/certauthz-proxy.conf" "$n/snippets/"
sed -e "s|listen 443 ssl;|listen 127.0.0.1:$PORT ssl;|" \
    -e "/listen \[::\]:443 ssl;/d" \
    -e "s|/etc/certauthz/tls/\([^;]*\);|\"$sdemo/pki/\1\";|g" \
    -e "s|unix:/run/certauthzd/certauthzd.sock|\"unix:$ssock\"|" \
    -e "s|http://127.0.0.1:8080|http://127.0.0.1:$BPORT|g" \
    "$root/contrib/nginx/certauthz-example.conf" > "$n/certauthz.conf"
user=
[ "$(id -u)" = 0 ] && user="user root;"
cat > "$n/nginx.conf" <<EOF
$user
worker_processes 1;
daemon off;
pid "$n/nginx.pid";
error_log "$n/error.log";
events { worker_connections 64; }
http {
	access_log "$n/access.log";
	client_body_temp_path "$n/tmp/body";
	proxy_temp_path "$n/tmp/proxy";
	fastcgi_temp_path "$n/tmp/fastcgi";
	uwsgi_temp_path "$n/tmp/uwsgi";
	scgi_temp_path "$n/tmp/scgi";
	include certauthz.conf;
	server {
		listen 127.0.0.1:$BPORT;
		location / {
			return 200 "backend: hello \$http_x_certauthz_user\n";
		}
	}
}
EOF
"$NGINX" -t -q -p "$n/" -e "$n/error.log" -c "$n/nginx.conf" ||
    die "nginx -t failed: $(cat "$n/error.log")"
"$NGINX" -p "$n/" -e "$n/error.log" -c "$n/nginx.conf" &
pids="$pids $!"
i=0
while [ $i -lt 50 ]; do
	# any HTTP answer (400: no certificate) means nginx is up
	code=$(curl -s -o /dev/null -w '%{http_code}' -k \
	    "https://127.0.0.1:$PORT/" 2>/dev/null) || true
	[ "$code" = 400 ] && break
	sleep 0.1; i=$((i + 1))
done
[ "$code" = 400 ] || die "nginx did not start: $(cat "$n/error.log")"

# 6. One allowed and one denied request.
ask() {
	printf '\n$ curl --cert %s.pem https://127.0.0.1:%s/\n' "$1" "$PORT"
	curl -s -w '[HTTP %{http_code}]\n' --cacert "$demo/pki/root-ca.pem" \
	    --cert "$demo/pki/$1.pem" --key "$demo/pki/$1.key" \
	    "https://127.0.0.1:$PORT/" | tee "$demo/$1.out"
}
ask alice
ask bob
sleep 0.2
printf '\ncertauthzd decision lines (%s):\n' "$demo/certauthzd.log"
grep -E '^(allow|deny) ' "$demo/certauthzd.log" || true

grep -q 'HTTP 200' "$demo/alice.out" && grep -q 'hello alice' "$demo/alice.out" ||
    die "alice was not let in"
grep -q 'HTTP 403' "$demo/bob.out" || die "bob was not denied"
printf '\nOK: alice allowed, bob denied.  Try other certificates in %s.\n' \
    "$demo/pki"
