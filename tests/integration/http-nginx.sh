#!/bin/bash
# http-nginx.sh: real nginx in front of certauthzd over HTTP/1.1 with
# the shipped certauthz-http-location.conf and certauthz-http-proxy.conf
# (auth_request + proxy_pass to an upstream with keepalive), certauthzd
# serving FastCGI and HTTP side by side.  Allow, deny, per-location
# policy, forged client headers, connection reuse, and the daemon
# stopped (500, never 200).
. "$top_srcdir/tests/lib.sh"
need nginx curl python3
. "$top_srcdir/tests/integration/web-lib.sh"

hsock=$T/certauthzd-http.sock
start_certauthzd "unix:$T/certauthzd.sock" -s "http:unix:$hsock"
wait_for_socket "$hsock" 10 || fail "certauthzd did not create $hsock"

port=$(free_port)
bport=$(free_port)
while [ "$bport" = "$port" ]; do bport=$(free_port); done
n=$T/nginx
mkdir -p "$n/snippets" "$n/tmp"
cp "$contrib/nginx/certauthz-http-location.conf" \
    "$contrib/nginx/certauthz-http-proxy.conf" "$n/snippets/"
nginx_head "$n" 256 > "$n/nginx.conf"
cat >> "$n/nginx.conf" <<NGINX

	# As certauthz-http-location.conf says to define it.
	upstream certauthzd_http {
		server unix:$hsock;
		keepalive 16;
	}
	server {
		listen 127.0.0.1:$port ssl;
		ssl_certificate $PKI/server.pem;
		ssl_certificate_key $PKI/server.key;
		ssl_client_certificate $PKI/client-chain.pem;
		ssl_verify_client on;
		ssl_verify_depth 2;
		include snippets/certauthz-http-location.conf;

		location / {
			include snippets/certauthz-http-proxy.conf;
			proxy_pass http://127.0.0.1:$bport/;
		}
		location /admin/ {
			set \$certauthz_policy admin;
			include snippets/certauthz-http-proxy.conf;
			proxy_pass http://127.0.0.1:$bport/admin/;
		}
	}
}
NGINX
nginx_run "$n" "$port"
start_echo "$bport"
u=https://127.0.0.1:$port

# Allowed: the backend answers and sees the identity.
expect alice "$u/" "200 user=alice policy=default ssl= uri=/ method=GET length="
expect alice "$u/app/x?q=1" "200 user=alice policy=default *uri=/app/x?q=1 *"
expect carol "$u/app" "200 user=carol *"
log_has "^allow .*user=alice .*uri=/app/x\?q=1 .*role=http"

# Denied by the policy: 403 from nginx, the backend is never asked.
expect bob "$u/" "403 *"
expect mallory "$u/" "403 *"
expect dave "$u/" "403 *"
log_has "^deny .*serial=1002 .*role=http"
log_has "^deny .*rule=revoked .*role=http"

# Per-location policy: /admin/ sets $certauthz_policy admin (carol only).
expect carol "$u/admin/x" "200 user=carol policy=admin *"
expect alice "$u/admin/x" "403 *"
expect alice "$u/admin/../admin/x" "403 *" --path-as-is
expect alice "$u/%61dmin/x" "403 *"
log_has "^deny policy=admin .*CN=alice.*role=http"

# The method and body go to the backend as sent; certauthzd gets none.
expect alice "$u/app/up" "200 user=alice policy=default ssl= uri=/app/up method=POST length=5" \
    --data-binary hello
expect bob "$u/app/up" "403 *" --data-binary hello
log_has "^allow .*method=POST .*uri=/app/up .*role=http"
grep -q "a request with a body" "$T/certauthzd.log" &&
    fail "nginx sent certauthzd a body"

# Forged headers change nothing: each header certauthzd reads, sent by
# the client with another certificate's or location's values, and every
# spelling of every identity header (forged).
mapfile -t hdrs < <(forged_http)
expect bob "$u/" "403 *" "${hdrs[@]}"
expect alice "$u/admin/x" "403 *" "${hdrs[@]}"
expect alice "$u/app/y" "200 user=alice policy=default *" "${hdrs[@]}"
mapfile -t forge < <(forged)
expect alice "$u/app/x?echo=headers" "200 user=alice policy=default ssl= uri=/app/x?echo=headers method=GET length= headers=X-Certauthz-Email: alice@example.com|X-Certauthz-Policy: default|X-Certauthz-Rule: staff|X-Certauthz-Serial: 1001|X-Certauthz-Subject: CN=alice,OU=Eng,O=Example|X-Certauthz-User: alice" \
    "${forge[@]}"
expect bob "$u/app/x?echo=headers" "403 *" "${forge[@]}"
if grep -E "role=http" "$T/certauthzd.log" | grep -Eq "host=forged|remote=192\.0\.2\.1|sent twice"; then
	fail "a client header reached certauthzd: $(grep -E 'host=forged|remote=192|sent twice' "$T/certauthzd.log" | head -1)"
fi
log_has "^allow .*user=alice .*host=127\.0\.0\.1 uri=/app/y remote=127\.0\.0\.1 role=http"

# A CR LF decoded from the path would split the X-Certauthz-Path
# header and let the client write the rest of the request to certauthzd
# (another policy, or a second request answered on the kept
# connection): the location refuses a path with a control byte.
expect alice "$u/admin/x%0d%0aX-Certauthz-Policy:%20default%0d%0aHost:%20x%0d%0a%0d%0a" \
    "500 *" --path-as-is
expect bob "$u/app/%0d%0aHost:%20x%0d%0a%0d%0aGET%20/%20HTTP/1.1%0d%0aClient-Cert:%20x" \
    "500 *" --path-as-is
expect alice "$u/app/a%0ab" "500 *"
expect alice "$u/app/a%7fb" "500 *"

# The auth location is internal.
expect alice "$u/_certauthz" "404 *"

# Connection reuse: 200 checks on 4 client connections (curl reuses a
# connection for the URLs of one command) take a handful of upstream
# connections, not one each.
opened0=$(grep -c "http: connection opened" "$T/certauthzd.log")
checks0=$(grep -c "role=http" "$T/certauthzd.log")
urls=()
for i in $(seq 1 50); do urls+=("$u/app/reuse-$i"); done
cpids=
for j in 1 2 3 4; do
	curl -s --cacert "$PKI/root-ca.pem" --cert "$PKI/alice.pem" \
	    --key "$PKI/alice.key" "${urls[@]}" > "$T/reuse-$j.out" &
	cpids="$cpids $!"
done
for p in $cpids; do
	wait "$p" || fail "curl failed"
done
[ "$(cat "$T"/reuse-*.out | grep -c "^user=alice policy=default ")" = 200 ] ||
    fail "not 200 allows: $(sort "$T"/reuse-*.out | uniq -c | head)"
sleep 0.3
opened=$(( $(grep -c "http: connection opened" "$T/certauthzd.log") - opened0 ))
checks=$(( $(grep -c "role=http" "$T/certauthzd.log") - checks0 ))
echo "connection reuse: $checks checks on $opened new upstream connections"
[ "$checks" -ge 200 ] || fail "only $checks checks reached certauthzd"
[ "$opened" -le 16 ] || fail "$opened upstream connections for $checks checks"

# The daemon stopped: nginx answers 500, never 200.
stop_pid "$certauthzd_pid"
expect alice "$u/" "500 *"
expect alice "$u/admin/x" "500 *"
expect carol "$u/app" "500 *"

if grep -q "uninitialized" "$n/error.log"; then
	fail "nginx warns: $(grep uninitialized "$n/error.log" | head -1)"
fi
exit 0
