#!/bin/bash
# apache.sh: real Apache with the shipped contrib/apache files,
# mod_authnz_fcgi asking certauthzd over TCP.
. "$top_srcdir/tests/lib.sh"
need apache2 curl python3
. "$top_srcdir/tests/integration/web-lib.sh"

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
expect bob "$u/app" "403 forbidden"
expect bob "$u/" "403 forbidden"
expect mallory "$u/app" "403 forbidden"
expect dave "$u/app" "403 forbidden"
log_has "^deny .*serial=1002"
log_has "^deny .*rule=revoked"

# Refused by Apache itself during the handshake.
expect - "$u/app" "000 *"
expect rogue "$u/app" "000 *"
expect expired "$u/app" "000 *"

# Forged headers gain nothing.
expect bob "$u/app" "403 *" -H "X-Certauthz-User: alice"
expect alice "$u/app" "200 user=alice policy=default ssl= *" \
    -H "X-Certauthz-User: root" -H "X-Certauthz-Policy: admin" \
    -H "SSL-Client-Cert: forged"
expect bob "$u/app" "403 *" -H "Certauthz-Policy: default" \
    -H "SSL-Client-Verify: SUCCESS" -H "SSL-Client-S-DN: CN=alice" \
    -H "Certauthz-User: alice"

# Per-location policy: /admin/ applies "admin" (carol only).
expect carol "$u/admin/" "200 user=carol policy=admin *"
expect carol "$u/admin/x" "200 user=carol policy=admin *"
expect alice "$u/admin/" "403 *"
expect alice "$u/admin/x" "403 *"
expect alice "$u/admin" "200 user=alice policy=default *"
log_has "^deny policy=admin "
exit 0
