#!/bin/bash
# http-caddy.sh: real Caddy with the shipped contrib/caddy/
# Caddyfile.certauthz (forward_auth, client_auth, the certificate as
# {http.request.tls.client.certificate_der_base64}) in front of
# certauthzd over HTTP.  Allow, deny, per-location policy, forged client
# headers, and the daemon stopped (500, never 200).
. "$top_srcdir/tests/lib.sh"
need caddy curl python3
. "$top_srcdir/tests/integration/web-lib.sh"

hsock=$T/certauthzd-http.sock
start_certauthzd "http:unix:$hsock"
wait_for_socket "$hsock" 10 || fail "certauthzd did not create $hsock"

port=$(free_port)
bport=$(free_port)
hport=$(free_port)
while [ "$bport" = "$port" ]; do bport=$(free_port); done
c=$T/caddy
mkdir -p "$c"
cp "$contrib/caddy/Caddyfile.certauthz" "$c/site"
# Caddy refuses (421) a request whose Host is not the TLS server name,
# and curl sends no server name for an address: localhost (Caddy
# listens on every address of the port).
subst "$c/site" "app.example.com {" "https://localhost:$port {"
subst "$c/site" "/etc/certauthz/tls/" "$PKI/"
subst "$c/site" "unix//run/certauthzd/certauthzd-http.sock" "unix/$hsock"
subst "$c/site" "127.0.0.1:8080" "127.0.0.1:$bport"
# The test's own global options: no admin endpoint, no port 80, state
# in the test's directory.
cat > "$c/Caddyfile" <<CADDY
{
	admin off
	http_port $hport
	auto_https disable_redirects
	storage file_system $c/data
	skip_install_trust
}
import $c/site
CADDY
export XDG_DATA_HOME=$c/xdg XDG_CONFIG_HOME=$c/xdg HOME=$c
caddy validate --config "$c/Caddyfile" --adapter caddyfile \
    >"$c/validate.log" 2>&1 || fail "caddy validate: $(tail -3 "$c/validate.log")"
caddy run --config "$c/Caddyfile" --adapter caddyfile >"$c/caddy.log" 2>&1 &
track_pid $!
wait_for_port "$port" 10 || fail "caddy did not start: $(tail -5 "$c/caddy.log")"
start_echo "$bport"
u=https://localhost:$port

# Allowed: the backend answers and sees the identity.
expect alice "$u/" "200 user=alice policy=default ssl= uri=/ method=GET length="
expect alice "$u/app/x?q=1" "200 user=alice policy=default *uri=/app/x?q=1 *"
expect carol "$u/app" "200 user=carol *"
log_has "^allow .*user=alice .*method=GET host=localhost uri=/app/x\?q=1 remote=(127\.0\.0\.1|::1) role=http"

# Denied by the policy.
expect bob "$u/" "403 *"
expect mallory "$u/" "403 *"
expect dave "$u/" "403 *"
log_has "^deny .*serial=1002 .*role=http"
log_has "^deny .*rule=revoked .*role=http"

# Refused by Caddy itself: no certificate, another CA.
expect - "$u/" "000 *"
expect rogue "$u/" "000 *"

# Per-location policy: /admin and /admin/* name the policy admin.
expect carol "$u/admin/x" "200 user=carol policy=admin *"
expect carol "$u/admin" "200 user=carol policy=admin *"
expect alice "$u/admin/x" "403 *"
expect alice "$u/admin" "403 *"
expect alice "$u/%61dmin/x" "403 *"
expect alice "$u/admin/../admin/x" "403 *" --path-as-is
log_has "^deny policy=admin .*CN=alice.*role=http"

# A body goes to the backend, never to certauthzd.
expect alice "$u/app/up" "200 user=alice policy=default ssl= uri=/app/up method=POST length=5" \
    --data-binary hello
# Caddy answers 403 without reading the body; over HTTP/2 curl then
# sometimes reports the stream reset instead (000).  Never a 200.
got=$(req bob "$u/app/up" --data-binary hello)
case $got in
403*|000*) ;;
*) fail "bob POST: $got" ;;
esac
grep -q "a request with a body" "$T/certauthzd.log" &&
    fail "caddy sent certauthzd a body"

# Forged headers change nothing.
mapfile -t hdrs < <(forged_http)
expect bob "$u/" "403 *" "${hdrs[@]}"
expect alice "$u/admin/x" "403 *" "${hdrs[@]}"
expect alice "$u/app/y" "200 user=alice policy=default *" "${hdrs[@]}"
expect alice "$u/app/x?echo=headers" "200 user=alice policy=default ssl= uri=/app/x?echo=headers method=GET length= headers=X-Certauthz-Policy: default|X-Certauthz-Rule: staff|X-Certauthz-Serial: 1001|X-Certauthz-Subject: CN=alice,OU=Eng,O=Example|X-Certauthz-User: alice" \
    -H "X-Certauthz-Email: forged" -H "X-Certauthz-User: forged"
# Every spelling of every identity header (forged).
mapfile -t forge < <(forged)
expect alice "$u/app/x?echo=headers" "200 user=alice policy=default ssl= uri=/app/x?echo=headers method=GET length= headers=X-Certauthz-Policy: default|X-Certauthz-Rule: staff|X-Certauthz-Serial: 1001|X-Certauthz-Subject: CN=alice,OU=Eng,O=Example|X-Certauthz-User: alice" \
    "${forge[@]}"
expect spiffe "$u/app/x?echo=headers" "200 user=payments policy=default ssl= uri=/app/x?echo=headers method=GET length= headers=X-Certauthz-Policy: default|X-Certauthz-Rule: svc|X-Certauthz-Serial: 1006|X-Certauthz-Subject: CN=payments,O=Example|X-Certauthz-User: payments" \
    -H "X-Certauthz-Email: forged" -H "X-Certauthz-User: forged"
if grep -E "role=http" "$T/certauthzd.log" | grep -Eq "host=forged|remote=192\.0\.2\.1|sent twice"; then
	fail "a client header reached certauthzd: $(grep -E 'host=forged|remote=192|sent twice' "$T/certauthzd.log" | head -1)"
fi
log_has "^allow .*user=alice .*uri=/app/y remote=(127\.0\.0\.1|::1) role=http"

# The daemon stopped: Caddy answers 500 (its forward_auth error), never 200.
stop_pid "$certauthzd_pid"
for t in / /admin/x /app; do
	got=$(req alice "$u$t")
	case $got in
	5??*) ;;
	*) fail "daemon stopped: $t: $got" ;;
	esac
done
exit 0
