#!/bin/bash
# routing.sh: the web server, certauthzd and the backend must agree on
# which request is being authorized.
#
# For every target of targets.txt (and the %XX of every reserved
# character), sent raw with curl through real nginx, real Apache
# (mod_authnz_fcgi) and, when installed, real lighttpd (mod_fastcgi
# authorizer) with the shipped files: the location the server
# routed to (an X-Routed response header), the policy certauthzd applied
# (the X-Certauthz-Policy the backend received) and where a backend
# that routes the raw forwarded target by prefix, without normalizing
# it, would file it, must be one.  A 403 is allowed only as a deny that
# placed no policy (policy=-: a target certauthzd cannot place); alice
# is allowed by every policy.  Then the same for Host spellings against
# `when.host` and the servers' virtual hosts.  Every server rewrites
# /console/ into /ops/, which a `when.path` protects.
. "$top_srcdir/tests/lib.sh"
need nginx apache2 curl python3
. "$top_srcdir/tests/integration/web-lib.sh"

# alice is allowed by each policy; the rule names say which applied.
web_policy() {
	cat > "$1" <<'POLICY'
settings = { identity = "cn"; log_allow = true; };
policies = (
  { name = "vhost"; when = { host = "admin.example.com"; };
    allow = ( { name = "vhost-staff"; o = "Example"; } ); },
  { name = "admin"; when = { path = [ "/admin", "/admin/*" ]; };
    allow = ( { name = "admin-staff"; o = "Example"; } ); },
  { name = "ops"; when = { path = [ "/ops", "/ops/*" ]; };
    allow = ( { name = "ops-staff"; o = "Example"; } ); },
  { name = "default"; allow = ( { name = "default-staff"; o = "Example"; } ); }
);
POLICY
}

start_certauthzd "unix:$T/certauthzd.sock"
log=$T/certauthzd.log

# The front: the shipped snippets, locations that mirror the policy, a
# rewrite into /admin/, and a virtual host for admin.example.com.  The
# backend shows what it was handed and where it routed it.
port=$(free_port)
bport=$(free_port)
while [ "$bport" = "$port" ]; do bport=$(free_port); done
n=$T/nginx
mkdir -p "$n/snippets" "$n/tmp"
cp "$contrib/nginx/certauthz_params" "$contrib/nginx/certauthz-location.conf" \
    "$contrib/nginx/certauthz-proxy.conf" "$n/snippets/"
tls="ssl_certificate $PKI/server.pem;
	ssl_certificate_key $PKI/server.key;
	ssl_client_certificate $PKI/client-chain.pem;
	ssl_verify_client on;
	ssl_verify_depth 2;
	include snippets/certauthz-location.conf;"
echo_body='user=$http_x_certauthz_user policy=$http_x_certauthz_policy uri=$request_uri\n'
nginx_head "$n" 64 > "$n/nginx.conf"
cat >> "$n/nginx.conf" <<NGINX
	upstream certauthzd { server unix:$T/certauthzd.sock; }

	server {
		listen 127.0.0.1:$port ssl default_server;
		server_name localhost;
		$tls
		rewrite ^/console/(.*)\$ /ops/\$1 last;
		location / {
			add_header X-Routed default always;
			include snippets/certauthz-proxy.conf;
			proxy_pass http://127.0.0.1:$bport/;
		}
		location = /admin {
			add_header X-Routed admin always;
			include snippets/certauthz-proxy.conf;
			proxy_pass http://127.0.0.1:$bport/admin;
		}
		location /admin/ {
			add_header X-Routed admin always;
			include snippets/certauthz-proxy.conf;
			proxy_pass http://127.0.0.1:$bport/admin/;
		}
		location = /ops {
			add_header X-Routed ops always;
			include snippets/certauthz-proxy.conf;
			proxy_pass http://127.0.0.1:$bport/ops;
		}
		location /ops/ {
			add_header X-Routed ops always;
			include snippets/certauthz-proxy.conf;
			proxy_pass http://127.0.0.1:$bport/ops/;
		}
	}
	server {
		listen 127.0.0.1:$port ssl;
		server_name admin.example.com;
		$tls
		location / {
			add_header X-Routed vhost always;
			include snippets/certauthz-proxy.conf;
			proxy_pass http://127.0.0.1:$bport/;
		}
	}
	server {
		listen 127.0.0.1:$bport;
		location / { return 200 "$echo_body"; }
	}
}
NGINX
nginx_run "$n" "$port"
wait_for_port "$bport" 10 || fail "nginx backend did not start"
nport=$port

# Apache: the shipped site, with X-Routed headers, the same rewrite and
# a virtual host for admin.example.com added.  The shipped site applies
# the policy "admin" to /admin and /admin/ by CERTAUTHZ_POLICY, in both
# virtual hosts; `when` picks the policy elsewhere.
apache_site_hook() {
	local routed='
	RewriteRule ^/console/(.*)$ /ops/$1 [PT]
	<Location "/">
		Header always set X-Routed @AREA@
	</Location>
	<LocationMatch "^/admin">
		Header always set X-Routed admin
	</LocationMatch>
	<LocationMatch "^/ops(/|$)">
		Header always set X-Routed @OPS@
	</LocationMatch>
</VirtualHost>'
	python3 - "$1/site.conf" "$routed" <<'PY'
import sys
p, routed = sys.argv[1:]
s = open(p).read()
site = s.replace("</VirtualHost>",
    routed.replace("@AREA@", "default").replace("@OPS@", "ops"))
vhost = s[s.index("<VirtualHost"):].replace("ServerName app.example.com",
    "ServerName admin.example.com").replace("</VirtualHost>",
    routed.replace("@AREA@", "vhost").replace("@OPS@", "vhost"))
open(p, "w").write(site + "\n" + vhost)
PY
}
start_apache authnz
aport=$port

# naive TARGET: where a backend that routes the raw target by prefix
# files it: "admin" for /admin and /admin/..., "ops" likewise, else
# "default".
naive() {
	local p=${1%%[?#]*}
	case $server:$p in
	*:/admin|*:/admin/*) echo admin ;;
	apache:/admin*|lighttpd*:/admin*) echo admin ;;	# the shipped ^/admin area
	*:/ops|*:/ops/*) echo ops ;;
	*) echo default ;;
	esac
}

# The decision line of the last request: the log grows by one line for
# each request that reached certauthzd.
last_line() {
	local i=0
	while [ "$(wc -l < "$log")" -le "$lines" ] && [ $i -lt 30 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sed -n "$((lines + 1))p" "$log"
	lines=$(wc -l < "$log")
}

# one TARGET [curl args...]: sends it, prints one record, and fails the
# test when the three readings disagree.
one() {
	local t=${1//PORT/$port} code routed policy target line
	shift
	lines=$(wc -l < "$log")
	code=$(curl -s -m 10 -o "$T/body" -D "$T/head" -w '%{http_code}' \
	    ${http_version:-} --cacert "$PKI/root-ca.pem" --cert "$PKI/alice.pem" \
	    --key "$PKI/alice.key" --request-target "$t" "$@" \
	    "https://127.0.0.1:$port/") || true
	routed=$(tr -d '\r' < "$T/head" | sed -n 's/^X-Routed: //Ip' | head -1)
	case $code in
	200)	policy=$(sed -n 's/.* policy=\([^ ]*\) .*/\1/p' "$T/body")
		target=$(sed -n 's/.* uri=\([^ ]*\).*/\1/p' "$T/body")
		line=$(last_line)
		echo "$code routed=$routed policy=$policy backend=$target $t $*"
		[ -n "$routed" ] && [ "$policy" = "$routed" ] ||
		    fail "$server: $t $*: routed to '$routed', certauthzd applied '$policy'"
		case $line in
		"allow policy=$policy "*) ;;
		*) fail "$server: $t: the decision line disagrees: $line" ;;
		esac
		[ "$routed" = vhost ] || [ "$(naive "$target")" = "$routed" ] ||
		    fail "$server: $t: routed to $routed, the backend got $target"
		;;
	403)	line=$(last_line)
		echo "$code routed=$routed ${line%% serial=*} $t $*"
		case $line in
		"deny policy=- rule=- reason="*) ;;
		*) fail "$server: $t $*: a 403 that is not a placement deny: $line" ;;
		esac ;;
	*)	echo "$code routed=$routed ($server) $t $*"
		case $code in
		4??) ;;
		*) fail "$server: $t $*: status $code" ;;
		esac ;;
	esac
}

# corpus SERVER: every target through SERVER, one record a line.
corpus() {
	local t c h
	while IFS= read -r t; do
		case $t in ""|"#"*) ;; *) one "$t" ;; esac
	done < "$top_srcdir/tests/integration/targets.txt"
	# %XX of every reserved character, inside and after the segment
	for c in 21 23 24 26 27 28 29 2A 2B 2C 2E 2F 3A 3B 3D 3F 40 5B 5D 25; do
		one "/admin%$c/x"
		one "/a%${c}dmin/x"
		one "/admin/x%$c"
		one "/%${c}admin"
	done
	# Host spellings: the server's virtual host and `when.host` agree.
	for h in admin.example.com ADMIN.Example.COM admin.example.com. \
	    admin.example.com:443 admin.example.com.:443 www.example.com \
	    admin.example.com.. xadmin.example.com admin.example.comx; do
		one /ops/x -H "Host: $h"
		one /app/x -H "Host: $h"
	done
	one "https://admin.example.com/app/x"
	one "https://admin.example.com/app/x" -H "Host: www.example.com"
	one "https://www.example.com/ops/x" -H "Host: admin.example.com"
}

# check SERVER: what every server must have shown.
check() {
	local r=$T/$1.records total t want
	total=$(wc -l < "$r")
	[ "$total" -ge 100 ] || fail "$1: only $total targets"
	for want in "^200 routed=admin policy=admin" "^200 routed=default" \
	    "^200 routed=ops policy=ops" "^200 routed=vhost policy=vhost" \
	    "^403 .*reason=\"dot segment"; do
		grep -q "$want" "$r" || fail "$1: no record /$want/"
	done
	# nginx routes /admin;x/y outside its /admin/ location; the policy's
	# when.path would not: a deny.  (The shipped Apache site's ^/admin
	# area routes it as /admin.)
	[ "$1" != nginx ] || grep -q '^403 .*reason="path parameters' "$r" ||
	    fail "$1: no path parameters deny"
	# The findings of the review, decided as the server routes them.
	for t in "/admin/secret.txt" "/console/secret.txt" "https://127.0.0.1:$port/admin/x"; do
		grep -qE "^200 routed=(admin|ops) policy=(admin|ops) backend=/(admin|ops)/" \
		    <(grep -F " $t" "$r") || fail "$1: $t: $(grep -F " $t" "$r")"
	done
	# Never the default policy for these (a servlet backend serves
	# /admin/x for the last two).
	for t in "/admin/..;/x" "/admin/..%3B/x" "/admin/x/../../public" \
	    "/public/..;/admin/x" "/admin;jsessionid=1/x"; do
		grep -F " $t" "$r" | grep -q "policy=default" &&
		    fail "$1: $t: $(grep -F " $t" "$r")"
	done
	echo "$1: $total targets, $(grep -c '^200' "$r") allowed by the routed policy, $(grep -c '^403' "$r") not placed, $(grep -c "^4[0-9][0-9] .*($1)" "$r") refused by $1"
}

server=nginx port=$nport
corpus > "$T/nginx.records" || { cat "$T/nginx.records" >&2; exit 1; }
check nginx
server=apache port=$aport
corpus > "$T/apache.records" || { cat "$T/apache.records" >&2; exit 1; }
check apache

# lighttpd, when installed: the shipped snippet (CERTAUTHZ_POLICY admin
# for "^/admin", certauthz.lua's CERTAUTHZ_PATH), with X-Routed set
# by $HTTP["url"] and $HTTP["host"] conditions that mirror the policy
# (the last that matches wins: admin in both hosts, as in Apache), and
# the same rewrite.  certauthzd's own REQUEST_URI reading still denies
# the raw targets it cannot place.
if ! command -v lighttpd >/dev/null ||
    [ ! -f /usr/lib/lighttpd/mod_openssl.so ] ||
    [ ! -f /usr/lib/lighttpd/mod_magnet.so ]; then
	echo "lighttpd (with mod_openssl and mod_magnet) is not installed: not checked"
	exit 0
fi
lighttpd_site_hook() {
	cat >> "$1/50-certauthz.conf" <<'ROUTED'
server.modules += ( "mod_rewrite" )
url.rewrite-once = ( "^/console/(.*)$" => "/ops/$1" )
setenv.set-response-header = ( "X-Routed" => "default" )
$HTTP["url"] =~ "^/ops(/|$)" {
	setenv.set-response-header = ( "X-Routed" => "ops" )
}
$HTTP["host"] == "admin.example.com" {
	setenv.set-response-header = ( "X-Routed" => "vhost" )
}
$HTTP["url"] =~ "^/admin" {
	setenv.set-response-header = ( "X-Routed" => "admin" )
}
ROUTED
}
start_lighttpd
# HTTP/1.1, as nginx and Apache serve here; then HTTP/2, lighttpd's
# choice with curl, where it refuses an absolute-form target (400).
server=lighttpd http_version=--http1.1
corpus > "$T/lighttpd.records" || { cat "$T/lighttpd.records" >&2; exit 1; }
check lighttpd
server=lighttpd-h2 http_version=--http2
corpus > "$T/lighttpd-h2.records" || { cat "$T/lighttpd-h2.records" >&2; exit 1; }
r=$T/lighttpd-h2.records
echo "lighttpd over HTTP/2: $(wc -l < "$r") targets, $(grep -c '^200' "$r") allowed by the routed policy, $(grep -c '^403' "$r") not placed, $(grep -c '^4[0-9][0-9] .*(lighttpd-h2)' "$r") refused by lighttpd"
exit 0
