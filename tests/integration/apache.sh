#!/bin/bash
# apache.sh: real Apache with the shipped contrib/apache files,
# mod_authnz_fcgi asking certauthzd over TCP.
. "$top_srcdir/tests/lib.sh"
need apache2 curl python3
. "$top_srcdir/tests/integration/web-lib.sh"

mapfile -t forge < <(forged)
[ ${#forge[@]} = 92 ] || fail "forged() sends $((${#forge[@]} / 2)) headers, not 46"

start_apache authnz
u=https://127.0.0.1:$port

# Allowed: the backend answers and sees the identity.  No URL here ends
# in `/` but the first: no DirectoryIndex sub-request helps.
expect alice "$u/" "200 user=alice policy=default ssl= uri=/ method=GET length="
expect alice "$u/app" "200 user=alice policy=default ssl= uri=/app method=GET length="
expect alice "$u/app/x?q=1" "200 user=alice policy=default *uri=/app/x?q=1 *"
expect carol "$u/app" "200 user=carol *"
log_has "^allow .*user=alice"
log_has "^allow .*role=authorizer"

# Denied by the policy: 403 with certauthzd's body.
policy_denies "$u"

# Refused by Apache itself during the handshake.
handshake_refuses "$u"

# Forged headers gain nothing.
expect bob "$u/app" "403 *" -H "X-Certauthz-User: alice"
expect alice "$u/app" "200 user=alice policy=default ssl= *" \
    -H "X-Certauthz-User: root" -H "X-Certauthz-Policy: admin" \
    -H "SSL-Client-Cert: forged"
expect bob "$u/app" "403 *" -H "Certauthz-Policy: default" \
    -H "SSL-Client-Verify: SUCCESS" -H "SSL-Client-S-DN: CN=alice" \
    -H "Certauthz-User: alice"

# The backend sees certauthzd's six X-Certauthz-* and nothing the
# client wrote: no spelling with '_' (Apache forwards those, and WSGI
# servers read X_Certauthz_User as X-Certauthz-User), no email when
# the certificate has none.  bob, denied, is the twin.
expect spiffe "$u/app/x?echo=headers" "200 user=payments policy=default ssl= uri=/app/x?echo=headers method=GET length= headers=X-Certauthz-Policy: default|X-Certauthz-Rule: svc|X-Certauthz-Serial: 1006|X-Certauthz-Subject: CN=payments,O=Example|X-Certauthz-User: payments" \
    "${forge[@]}"
expect alice "$u/app/x?echo=headers" "200 user=alice policy=default ssl= uri=/app/x?echo=headers method=GET length= headers=X-Certauthz-Email: alice@example.com|X-Certauthz-Policy: default|X-Certauthz-Rule: staff|X-Certauthz-Serial: 1001|X-Certauthz-Subject: CN=alice,OU=Eng,O=Example|X-Certauthz-User: alice" \
    "${forge[@]}"
expect bob "$u/app/x?echo=headers" "403 forbidden" "${forge[@]}"

# Per-location policy: /admin and /admin/... apply "admin" (carol
# only), as Apache's decoded, normalized path names them.
expect carol "$u/admin/" "200 user=carol policy=admin *"
expect carol "$u/admin/x" "200 user=carol policy=admin *"
expect carol "$u/admin" "200 user=carol policy=admin *"
expect alice "$u/admin/" "403 *"
expect alice "$u/admin/x" "403 *"
expect alice "$u/admin" "403 *"
expect alice "$u/%61dmin" "403 *" --path-as-is
expect alice "$u//admin/x" "403 *" --path-as-is
expect alice "$u/app/%2e%2e/admin/x" "403 *" --path-as-is
expect alice "$u/administrator" "403 *"
expect carol "$u/administrator" "200 user=carol policy=admin *"
expect alice "$u/admin;jsessionid=1/x" "403 *" --path-as-is
expect alice "$u/public/..;/admin/x" "403 *" --path-as-is
log_has "^deny policy=admin "

# An absolute-form target is decided as its path is.
expect alice "$u/" "200 user=alice policy=default ssl= uri=/app/x method=GET length=" \
    --request-target "https://127.0.0.1:$port/app/x"
expect bob "$u/" "403 forbidden" --request-target "https://127.0.0.1:$port/app/x"
expect alice "$u/" "403 *" --request-target "https://127.0.0.1:$port/admin"
expect carol "$u/" "200 user=carol policy=admin *" \
    --request-target "https://127.0.0.1:$port/admin"
exit 0
