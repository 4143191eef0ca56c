#!/bin/bash
# lighttpd.sh: real lighttpd with the shipped contrib/lighttpd files,
# mod_fastcgi asking certauthzd as a FastCGI authorizer over a unix
# socket, mod_magnet running certauthz.lua, mod_proxy to the backend.
. "$top_srcdir/tests/lib.sh"
need lighttpd curl python3
. "$top_srcdir/tests/integration/web-lib.sh"

mapfile -t forge < <(forged)
[ ${#forge[@]} = 92 ] || fail "forged() sends $((${#forge[@]} / 2)) headers, not 46"

start_certauthzd "unix:$T/certauthzd.sock"
start_lighttpd
u=https://127.0.0.1:$port

# Allowed: the backend answers and sees the identity.  certauthzd
# checked lighttpd's SSL_CLIENT_S_DN ("O = Example, OU = Eng, CN =
# alice") against the certificate: it denied every request before.
expect alice "$u/" "200 user=alice policy=default ssl= uri=/ method=GET length="
expect alice "$u/app" "200 user=alice policy=default ssl= uri=/app method=GET length="
expect alice "$u/app/x?q=1" "200 user=alice policy=default *uri=/app/x?q=1 *"
expect carol "$u/app" "200 user=carol *"
log_has "^allow .*user=alice .*uri=/app/x\?q=1 .*role=authorizer"

# Denied by the policy: 403 with certauthzd's body.
policy_denies "$u"

# Refused by lighttpd itself during the handshake.
handshake_refuses "$u"

# Forged headers gain nothing: certauthz.lua removes every spelling
# (lighttpd forwards X_Certauthz_User as sent) and sets each
# X-Certauthz-* from certauthzd's answer alone.  A client's
# Variable-CERTAUTHZ_USER or CERTAUTHZ_USER header is HTTP_* to lighttpd,
# never the environment that certauthzd's Variable-* are appended to.
expect bob "$u/app" "403 *" -H "X-Certauthz-User: alice"
expect bob "$u/app" "403 *" -H "Certauthz-Policy: default" \
    -H "SSL-Client-Verify: SUCCESS" -H "SSL-Client-S-DN: CN=alice" \
    -H "Certauthz-User: alice" -H "Variable-CERTAUTHZ_USER: alice"
expect alice "$u/app" "200 user=alice policy=default ssl= *" \
    -H "X-Certauthz-User: root" -H "X-Certauthz-Policy: admin" \
    -H "SSL-Client-Cert: forged" -H "Variable-CERTAUTHZ_USER: root" \
    -H "CERTAUTHZ_USER: root" -H "Variable-CERTAUTHZ_POLICY: admin"
# lighttpd keeps the header name as the client spelled it when
# certauthz.lua replaces its value: compared ignoring case.
headers() {
	local c=$1 want=$2 got
	shift 2
	got=$(req "$c" "$u/app/x?echo=headers" "$@")
	[ "${got,,}" = "${want,,}" ] ||
	    fail "$c: want '$want', got '$got'"
}
headers spiffe "200 user=payments policy=default ssl= uri=/app/x?echo=headers method=GET length= headers=X-Certauthz-Policy: default|X-Certauthz-Rule: svc|X-Certauthz-Serial: 1006|X-Certauthz-Subject: CN=payments,O=Example|X-Certauthz-User: payments" \
    "${forge[@]}"
headers alice "200 user=alice policy=default ssl= uri=/app/x?echo=headers method=GET length= headers=X-Certauthz-Email: alice@example.com|X-Certauthz-Policy: default|X-Certauthz-Rule: staff|X-Certauthz-Serial: 1001|X-Certauthz-Subject: CN=alice,OU=Eng,O=Example|X-Certauthz-User: alice" \
    "${forge[@]}"
headers alice "200 user=alice policy=default ssl= uri=/app/x?echo=headers method=GET length= headers=X-Certauthz-Email: alice@example.com|X-Certauthz-Policy: default|X-Certauthz-Rule: staff|X-Certauthz-Serial: 1001|X-Certauthz-Subject: CN=alice,OU=Eng,O=Example|X-Certauthz-User: alice"
expect bob "$u/app/x?echo=headers" "403 forbidden" "${forge[@]}"

# Per-path policy: $HTTP["url"] =~ "^/admin" sets CERTAUTHZ_POLICY
# admin (carol only), on the path lighttpd decoded and normalized.
# lighttpd appends certauthzd's Variable-CERTAUTHZ_POLICY to it
# ("admin, admin"); the backend gets certauthzd's "admin".
expect carol "$u/admin/" "200 user=carol policy=admin ssl= uri=/admin/ *"
expect carol "$u/admin/x" "200 user=carol policy=admin ssl= *"
expect carol "$u/admin" "200 user=carol policy=admin ssl= *"
expect alice "$u/admin/" "403 *"
expect alice "$u/admin/x" "403 *"
expect alice "$u/admin" "403 *"
expect alice "$u/%61dmin" "403 *" --path-as-is
expect alice "$u//admin/x" "403 *" --path-as-is
expect alice "$u/app/%2e%2e/admin/x" "403 *" --path-as-is
expect alice "$u/app/../admin/x" "403 *" --path-as-is
expect alice "$u/administrator" "403 *"
expect carol "$u/administrator" "200 user=carol policy=admin *"
# A servlet backend serves these as /admin/x: lighttpd routes the first
# in the admin area; certauthzd cannot place the second.
expect alice "$u/admin;jsessionid=1/x" "403 *" --path-as-is
expect alice "$u/public/..;/admin/x" "403 *" --path-as-is
expect alice "$u/public/x" "200 user=alice policy=default *"
log_has "^deny policy=admin .*uri=/%61dmin "
log_has "^deny policy=- rule=- reason=\"dot segment in REQUEST_URI\" .*uri=/app/%2e%2e/admin/x "
expect alice "$u/admin/../app/x" "403 *" --path-as-is
# The backend gets the target lighttpd normalized, as it routed it.
expect alice "$u/%61pp//x" "200 user=alice policy=default ssl= uri=/app/x *" \
    --path-as-is

# The backend gets the method and the body as the client sent them.
expect alice "$u/app/up" "200 user=alice policy=default ssl= uri=/app/up method=POST length=5" \
    --data-binary hello
# A deny over HTTP/2 before the body was read: lighttpd answers 403
# and resets the stream, which curl sometimes reports as a stream
# error (exit 92) instead of the 403 (7 times in 60): HTTP/1.1 here.
expect bob "$u/app/up" "403 forbidden" --data-binary hello --http1.1
log_has "^allow .*user=alice .*method=POST .*uri=/app/up"

# lighttpd cuts SSL_CLIENT_S_DN at 255 bytes: bigsubject's 2370 are
# cut, and a cut DN is denied whatever the policy says.
expect bigsubject "$u/app" "403 forbidden"
log_has "^deny policy=- rule=- reason=\"forwarded subject DN disagrees with the certificate\" .*serial=1009 "

# With ssl.verifyclient.enforce "disable" lighttpd asks certauthzd
# about every client: SSL_CLIENT_VERIFY "FAILED:..." (a rogue or an
# expired certificate) or "NONE" (none), each a deny.
lighttpd_site_hook() {
	subst "$1/50-certauthz.conf" 'ssl.verifyclient.enforce    = "enable"' \
	    'ssl.verifyclient.enforce    = "disable"'
}
start_lighttpd lax
u=https://127.0.0.1:$port
expect rogue "$u/app" "403 forbidden"
expect expired "$u/app" "403 forbidden"
expect - "$u/app" "403 forbidden"
expect alice "$u/app" "200 user=alice policy=default *"
log_has '^deny policy=- rule=- reason="SSL_CLIENT_VERIFY is FAILED:error:[0-9A-F]+:lib\(0\)::reason\(21\)"'
log_has '^deny policy=- rule=- reason="SSL_CLIENT_VERIFY is NONE"'
exit 0
