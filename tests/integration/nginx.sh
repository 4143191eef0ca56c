#!/bin/bash
# nginx.sh: real nginx with the shipped contrib/nginx files in front of
# certauthzd (auth_request + fastcgi_pass over a unix socket).
. "$top_srcdir/tests/lib.sh"
need nginx curl python3
. "$top_srcdir/tests/integration/web-lib.sh"

start_certauthzd "unix:$T/certauthzd.sock"
start_nginx
u=https://127.0.0.1:$port

# Allowed: the backend answers and sees the identity.
expect alice "$u/" "200 user=alice policy=default ssl= uri=/ method=GET length="
expect alice "$u/app/x?q=1" "200 user=alice policy=default *uri=/app/x?q=1 *"
expect carol "$u/app" "200 user=carol *"
log_has "^allow .*user=alice"

# Denied by the policy: 403 from nginx, the backend is never asked.
expect bob "$u/" "403 *"
expect bob "$u/app/" "403 *"
expect mallory "$u/" "403 *"
expect dave "$u/" "403 *"
log_has "^deny .*serial=1002"
log_has "^deny .*rule=revoked"

# Refused by nginx itself: no certificate, an untrusted CA (the rogue
# CA even reuses the real client CA's name), an expired certificate.
expect - "$u/" "400 *"
expect rogue "$u/" "400 *"
expect expired "$u/" "400 *"

# Forged headers gain nothing.
expect bob "$u/" "403 *" -H "X-Certauthz-User: alice"
expect alice "$u/" "200 user=alice policy=default ssl= *" \
    -H "X-Certauthz-User: root" -H "X-Certauthz-Policy: admin" \
    -H "SSL-Client-Cert: forged"
expect bob "$u/" "403 *" -H "Certauthz-Policy: default" \
    -H "SSL-Client-Verify: SUCCESS" -H "SSL-Client-S-DN: CN=alice"
# Every spelling of every identity header (forged): the backend sees
# certauthzd's values only; nginx drops the underscore spellings
# (underscores_in_headers off) and proxy_set_header replaces the rest,
# whatever their case.  spiffe has no email: no X-Certauthz-Email.
mapfile -t forge < <(forged)
expect spiffe "$u/app/x?echo=headers" "200 user=payments policy=default ssl= uri=/app/x?echo=headers method=GET length= headers=X-Certauthz-Policy: default|X-Certauthz-Rule: svc|X-Certauthz-Serial: 1006|X-Certauthz-Subject: CN=payments,O=Example|X-Certauthz-User: payments" \
    "${forge[@]}"
expect alice "$u/app/x?echo=headers" "200 user=alice policy=default ssl= uri=/app/x?echo=headers method=GET length= headers=X-Certauthz-Email: alice@example.com|X-Certauthz-Policy: default|X-Certauthz-Rule: staff|X-Certauthz-Serial: 1001|X-Certauthz-Subject: CN=alice,OU=Eng,O=Example|X-Certauthz-User: alice" \
    "${forge[@]}"
expect bob "$u/app/x?echo=headers" "403 *" "${forge[@]}"

# The auth location is internal.
expect alice "$u/_certauthz" "404 *"

# Per-location policy: /admin sets $certauthz_policy admin (carol
# only) for every path that starts with /admin; elsewhere "default"
# applies.
expect carol "$u/admin/" "200 user=carol policy=admin *"
expect carol "$u/admin/x" "200 user=carol policy=admin *"
expect carol "$u/admin" "200 user=carol policy=admin *"
expect alice "$u/admin/" "403 *"
expect alice "$u/admin/x" "403 *"
expect alice "$u/admin" "403 *"
# A servlet backend serves these as /admin/x; nginx routes them in the
# /admin location, or certauthzd cannot place them.
expect alice "$u/admin;jsessionid=1/x" "403 *" --path-as-is
expect alice "$u/public/..;/admin/x" "403 *" --path-as-is
expect alice "$u/public\\..\\admin\\x" "403 *" --path-as-is
expect alice "$u/admin/../admin/x" "403 *" --path-as-is
expect alice "$u/%61dmin/x" "403 *"
log_has "^deny policy=admin .*user=alice|^deny policy=admin .*CN=alice"

# The backend gets the method and the body as the client sent them.
expect alice "$u/app/up" "200 user=alice policy=default ssl= uri=/app/up method=POST length=5" \
    --data-binary hello
expect bob "$u/app/up" "403 *" --data-binary hello
log_has "^allow .*user=alice .*method=POST .*uri=/app/up"

# The decision line carries the client's request, not /_certauthz.
log_has "^allow .*uri=/app/x"
if grep -q "uri=/_certauthz" "$T/certauthzd.log"; then
	fail "decision line shows the auth location's URI"
fi
if grep -q "uninitialized" "$T/nginx/error.log"; then
	fail "nginx warns: $(grep uninitialized "$T/nginx/error.log" | head -1)"
fi
exit 0
