#!/bin/bash
# faults.sh: certauthzd killed under load behind real nginx (clients get
# 500s, never 200s; a second instance in the upstream keeps answering;
# service resumes on restart), and broken files at SIGHUP (the running
# policy stays, the error is logged).
. "$top_srcdir/tests/lib.sh"
need curl

D=$top_builddir/certauthzd
[ -x "$D" ] || fail "certauthzd not built"
mkdir -p "$T/etc"
chmod 755 "$T"
echo alice > "$T/etc/people.txt"

good_policy() {
	cat > "$T/etc/policy.conf" <<EOP
settings = { identity = "cn"; log_allow = true;
  ca_file = "$T/etc/ca.pem"; };
lists = { people = { file = "$T/etc/people.txt"; }; };
policies = ( { name = "default";
  allow = ( { name = "people"; o = "Example"; cn = "@people"; } ); } );
EOP
}
cp "$PKI/client-chain.pem" "$T/etc/ca.pem"
good_policy

# start_d N: certauthzd number N on $T/sN, stderr in $T/errN
start_d() {
	"$D" -d -c "$T/etc/policy.conf" -s "unix:$T/s$1" 2>>"$T/err$1" &
	eval "d$1=$!"
	track_pid $!
	wait_for_socket "$T/s$1" 10 || { cat "$T/err$1" >&2; fail "no socket $T/s$1"; }
}

# ask CERT: status of one request to daemon 1 with that certificate
ask() {
	python3 "$top_srcdir/tests/hostile/fcgi.py" req "$T/s1" \
	    SSL_CLIENT_VERIFY=SUCCESS "SSL_CLIENT_CERT=@$PKI/$1.pem" |
	    sed -n 's/^Status: \([0-9]*\).*/\1/p'
}

# --- reload faults ------------------------------------------------------
start_d 1
[ "$(ask alice)" = 200 ] || fail "alice not allowed at start"
[ "$(ask bob)" = 403 ] || fail "bob allowed at start"

# hup_keeps WHAT: after SIGHUP, the old policy still decides, error logged
hup_keeps() {
	n=$(wc -l < "$T/err1")
	kill -HUP "$d1"
	sleep 1
	kill -0 "$d1" 2>/dev/null || fail "$1: certauthzd died on SIGHUP"
	[ "$(ask alice)" = 200 ] || fail "$1: alice no longer allowed"
	[ "$(ask bob)" = 403 ] || fail "$1: bob allowed"
	tail -n +$((n + 1)) "$T/err1" | grep -q -i -E 'error|fail|cannot|refus' ||
	    fail "$1: nothing logged: $(tail -n 3 "$T/err1")"
}

head -c 4096 /dev/urandom > "$T/etc/policy.conf"
hup_keeps "garbage policy"
good_policy
head -c 100 "$T/etc/policy.conf" > "$T/etc/p" && mv "$T/etc/p" "$T/etc/policy.conf"
hup_keeps "truncated policy"
rm -f "$T/etc/policy.conf"
hup_keeps "deleted policy"
good_policy
mv "$T/etc/people.txt" "$T/etc/people.off"
hup_keeps "missing list file"
mv "$T/etc/people.off" "$T/etc/people.txt"
mv "$T/etc/ca.pem" "$T/etc/ca.off"
hup_keeps "missing ca_file"
mv "$T/etc/ca.off" "$T/etc/ca.pem"
echo "-----BEGIN CERTIFICATE-----" > "$T/etc/ca.pem"
hup_keeps "broken ca_file"
cp "$PKI/client-chain.pem" "$T/etc/ca.pem"
# Not regular files: a FIFO would hang the loader, a directory once made
# it allocate without bound, and libconfig's own @include would hang on
# a FIFO or exit() the process on a directory.
mv "$T/etc/people.txt" "$T/etc/people.off"
mkfifo "$T/etc/people.txt"
hup_keeps "list file is a FIFO"
rm -f "$T/etc/people.txt"
mkdir "$T/etc/people.txt"
hup_keeps "list file is a directory"
rmdir "$T/etc/people.txt"
mv "$T/etc/people.off" "$T/etc/people.txt"
cp "$T/etc/policy.conf" "$T/etc/policy.good"
echo '@include "inc.conf"' >> "$T/etc/policy.conf"
mkfifo "$T/etc/inc.conf"
hup_keeps "@include of a FIFO"
rm -f "$T/etc/inc.conf"
mkdir "$T/etc/inc.conf"
hup_keeps "@include of a directory"
rmdir "$T/etc/inc.conf"
mv "$T/etc/policy.good" "$T/etc/policy.conf"
if [ "$(id -u)" != 0 ]; then
	chmod 000 "$T/etc/policy.conf"
	hup_keeps "unreadable policy"
	chmod 644 "$T/etc/policy.conf"
fi
# A good reload does take effect (bob added).
printf 'alice\nbob\n' > "$T/etc/people.txt"
kill -HUP "$d1"
i=0
while [ "$(ask bob)" != 200 ] && [ $i -lt 20 ]; do sleep 0.2; i=$((i + 1)); done
[ "$(ask bob)" = 200 ] || fail "a good reload did not take effect"
echo alice > "$T/etc/people.txt"
kill -HUP "$d1"
sleep 1

# --- kill -9 behind nginx -----------------------------------------------
need nginx
start_d 2
port=$(free_port)
mkdir -p "$T/ngx/www"
echo ok > "$T/ngx/www/x"
# As root, nginx workers would run as nobody and could not reach the
# 0660 sockets: keep them root here (the docs use a shared group).
ngxuser=
[ "$(id -u)" = 0 ] && ngxuser="user root root;"
cat > "$T/ngx/nginx.conf" <<EOP
$ngxuser
worker_processes 1;
pid $T/ngx/nginx.pid;
error_log $T/ngx/error.log;
daemon off;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path $T/ngx/body;
	fastcgi_temp_path $T/ngx/fcgi;
	proxy_temp_path $T/ngx/proxy;
	uwsgi_temp_path $T/ngx/uwsgi;
	scgi_temp_path $T/ngx/scgi;
	upstream certauthzd { server unix:$T/s1; server unix:$T/s2; }
	server {
		listen 127.0.0.1:$port ssl;
		ssl_certificate $PKI/server.pem;
		ssl_certificate_key $PKI/server.key;
		ssl_client_certificate $PKI/client-chain.pem;
		ssl_verify_client on;
		ssl_verify_depth 3;
		set \$certauthz_policy "";
		set \$certauthz_uri "";
		# not "return": it runs before auth_request's access phase
		location / { auth_request /_certauthz; root $T/ngx/www; }
		location = /_certauthz {
			internal;
			fastcgi_pass certauthzd;
			include $top_srcdir/contrib/nginx/certauthz_params;
		}
	}
}
EOP
nginx -p "$T/ngx" -c "$T/ngx/nginx.conf" 2>"$T/ngx/stderr" &
track_pid $!
wait_for_port "$port" 10 || { cat "$T/ngx/stderr" "$T/ngx/error.log" >&2; fail "nginx did not start"; }

get() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
	    --cacert "$PKI/root-ca.pem" --cert "$PKI/$1.pem" \
	    --key "$PKI/$1.key" "https://127.0.0.1:$port/x"
}
[ "$(get alice)" = 200 ] || fail "nginx: alice not allowed"
b=$(get bob); [ "$b" = 403 ] || fail "nginx: bob got $b, want 403"

# load: two clients in a loop while daemons are killed and restarted
load() {
	for _ in $(seq 1 400); do
		echo "$1 $(get "$1")"
		[ -f "$T/stop" ] && break
	done >> "$T/load.$1"
}
load alice & lp1=$!
load bob & lp2=$!
sleep 1
kill -9 "$d1"; wait "$d1" 2>/dev/null
sleep 1
[ "$(get alice)" = 200 ] || fail "failover: alice not answered with one daemon dead"
[ "$(get bob)" = 403 ] || fail "failover: bob allowed with one daemon dead"
kill -9 "$d2"; wait "$d2" 2>/dev/null
sleep 1
a=$(get alice)
[ "$a" = 500 ] || [ "$a" = 502 ] || fail "both daemons dead: alice got $a, want 500"
[ "$(get bob)" != 200 ] || fail "both daemons dead: bob got 200"
# restart on the same socket paths (stale socket files are left by kill -9)
start_d 1
start_d 2
i=0
while [ "$(get alice)" != 200 ] && [ $i -lt 30 ]; do sleep 0.5; i=$((i + 1)); done
[ "$(get alice)" = 200 ] || fail "service did not resume after restart"
touch "$T/stop"
wait $lp1 $lp2
grep -q '^bob 200' "$T/load.bob" && fail "bob got a 200 during the kills"
bad=$(grep -v -E '^alice (200|500|502)$' "$T/load.alice" | head -n 3)
[ -z "$bad" ] || fail "alice got other than 200/500: $bad"
echo "faults: alice $(sort "$T/load.alice" | uniq -c | tr '\n' ' ')" \
    "bob $(sort "$T/load.bob" | uniq -c | tr '\n' ' ')"
exit 0
