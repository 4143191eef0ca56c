#!/bin/bash
# http-routing.sh: nginx's HTTP wiring decides on the path nginx routes,
# exactly as the FastCGI wiring does (routing.sh).  One certauthzd
# serves both; one nginx has two servers with the same locations and a
# rewrite of /console/ into /ops/, one with the shipped FastCGI
# snippets, one with the shipped HTTP snippets.  For each target both
# must give the same status, route and policy, and a 200 must come from
# the policy of the location nginx routed to.
. "$top_srcdir/tests/lib.sh"
need nginx curl python3
. "$top_srcdir/tests/integration/web-lib.sh"

web_policy() {
	cat > "$1" <<'POLICY'
settings = { identity = "cn"; log_allow = true; };
policies = (
  { name = "admin"; when = { path = [ "/admin", "/admin/*" ]; };
    allow = ( { name = "admin-staff"; o = "Example"; } ); },
  { name = "ops"; when = { path = [ "/ops", "/ops/*" ]; };
    allow = ( { name = "ops-staff"; o = "Example"; } ); },
  { name = "default"; allow = ( { name = "default-staff"; o = "Example"; } ); }
);
POLICY
}

hsock=$T/certauthzd-http.sock
start_certauthzd "unix:$T/certauthzd.sock" -s "http:unix:$hsock"
wait_for_socket "$hsock" 10 || fail "certauthzd did not create $hsock"

fport=$(free_port)
hport=$(free_port)
bport=$(free_port)
n=$T/nginx
mkdir -p "$n/fcgi" "$n/http" "$n/tmp"
cp "$contrib/nginx/certauthz_params" "$contrib/nginx/certauthz-location.conf" \
    "$contrib/nginx/certauthz-proxy.conf" "$n/fcgi/"
cp "$contrib/nginx/certauthz-http-location.conf" \
    "$contrib/nginx/certauthz-http-proxy.conf" "$n/http/"
# The FastCGI snippets include snippets/certauthz_params.
mkdir -p "$n/snippets"
cp "$contrib/nginx/certauthz_params" "$n/snippets/"
# server PORT LOCATION-FILE PROXY-FILE
server() {
	cat <<SERVER
	server {
		listen 127.0.0.1:$1 ssl;
		ssl_certificate $PKI/server.pem;
		ssl_certificate_key $PKI/server.key;
		ssl_client_certificate $PKI/client-chain.pem;
		ssl_verify_client on;
		ssl_verify_depth 2;
		include $2;
		rewrite ^/console/(.*)\$ /ops/\$1 last;
		location / {
			add_header X-Routed default always;
			include $3;
			proxy_pass http://127.0.0.1:$bport/;
		}
		location = /admin {
			add_header X-Routed admin always;
			include $3;
			proxy_pass http://127.0.0.1:$bport/admin;
		}
		location /admin/ {
			add_header X-Routed admin always;
			include $3;
			proxy_pass http://127.0.0.1:$bport/admin/;
		}
		location = /ops {
			add_header X-Routed ops always;
			include $3;
			proxy_pass http://127.0.0.1:$bport/ops;
		}
		location /ops/ {
			add_header X-Routed ops always;
			include $3;
			proxy_pass http://127.0.0.1:$bport/ops/;
		}
	}
SERVER
}
nginx_head "$n" 64 > "$n/nginx.conf"
cat >> "$n/nginx.conf" <<NGINX
	upstream certauthzd { server unix:$T/certauthzd.sock; }
	upstream certauthzd_http { server unix:$hsock; keepalive 4; }
$(server "$fport" fcgi/certauthz-location.conf fcgi/certauthz-proxy.conf)
$(server "$hport" http/certauthz-http-location.conf http/certauthz-http-proxy.conf)
}
NGINX
nginx_run "$n" "$fport"
start_echo "$bport"

# one PORT TARGET: "CODE routed=AREA policy=POLICY"
one() {
	local code routed policy=
	code=$(curl -s -m 10 -o "$T/body" -D "$T/head" -w '%{http_code}' \
	    --cacert "$PKI/root-ca.pem" --cert "$PKI/alice.pem" \
	    --key "$PKI/alice.key" --request-target "$2" \
	    "https://127.0.0.1:$1/") || true
	routed=$(tr -d '\r' < "$T/head" | sed -n 's/^X-Routed: //Ip' | head -1)
	[ "$code" = 200 ] &&
	    policy=$(sed -n 's/.* policy=\([^ ]*\) .*/\1/p' "$T/body")
	echo "$code routed=$routed policy=$policy"
}

for t in /admin/x /admin "/admin/..;/x" /admin/..%3B/x /console/x \
    /console/secret.txt /admin/secret.txt /%61dmin/x "/admin;jsessionid=1/x" \
    "/public/..;/admin/x" /admin/../admin/x /app/x /ops "/ops/x?q=1" \
    "/x#/../admin/x" /admin%2Fx; do
	f=$(one "$fport" "$t")
	h=$(one "$hport" "$t")
	echo "$t: fastcgi: $f; http: $h"
	[ "$f" = "$h" ] || fail "$t: FastCGI and HTTP wiring disagree: '$f' vs '$h'"
	case $h in
	"200 routed="*)
		r=${h#200 routed=}
		[ "${r%% *}" = "${h##*policy=}" ] ||
		    fail "$t: routed to ${r%% *}, policy ${h##*policy=}" ;;
	esac
done
# The cases the path rules are about, decided as nginx routes them.
[ "$(one "$hport" /console/x)" = "200 routed=ops policy=ops" ] ||
    fail "/console/x: $(one "$hport" /console/x)"
[ "$(one "$hport" /admin/x)" = "200 routed=admin policy=admin" ] ||
    fail "/admin/x: $(one "$hport" /admin/x)"
case $(one "$hport" "/admin/..;/x") in
*policy=default) fail "/admin/..;/x got the default policy" ;;
esac
grep -q "role=http" "$T/certauthzd.log" || fail "no check reached the HTTP socket"
exit 0
