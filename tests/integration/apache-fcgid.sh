#!/bin/bash
# apache-fcgid.sh: real Apache with the shipped certauthz-fcgid.conf:
# mod_fcgid spawns certauthzd (listening socket on fd 0) and asks it
# as FcgidAccessChecker.  mod_fcgid answers every denial with 401.
. "$top_srcdir/tests/lib.sh"
need apache2 curl python3
. "$top_srcdir/tests/integration/web-lib.sh"

mapfile -t forge < <(forged)
[ ${#forge[@]} = 92 ] || fail "forged() sends $((${#forge[@]} / 2)) headers, not 46"

start_apache fcgid
u=https://127.0.0.1:$port

expect alice "$u/" "200 user=alice policy=default ssl= uri=/ method=GET length="
expect alice "$u/app" "200 user=alice policy=default ssl= uri=/app method=GET length="
expect carol "$u/app/x?q=1" "200 user=carol policy=default *uri=/app/x?q=1 *"
log_has "allow .*user=alice"

# A client certauthzd denies never reaches the backend.
expect bob "$u/app" "401 *"
expect bob "$u/" "401 *"
expect mallory "$u/app" "401 *"
expect dave "$u/app" "401 *"
log_has "deny .*serial=1002"
log_has "deny .*rule=revoked"

expect - "$u/app" "000 *"
expect rogue "$u/app" "000 *"

expect bob "$u/app" "401 *" -H "X-Certauthz-User: alice"
expect alice "$u/app" "200 user=alice policy=default ssl= *" \
    -H "X-Certauthz-User: root" -H "X-Certauthz-Policy: admin" \
    -H "SSL-Client-Cert: forged"

# mod_fcgid turns certauthzd's Variable-* into CERTAUTHZ_* as
# mod_authnz_fcgi does: the same six headers, nothing forged.
expect spiffe "$u/app/x?echo=headers" "200 user=payments policy=default ssl= uri=/app/x?echo=headers method=GET length= headers=X-Certauthz-Policy: default|X-Certauthz-Rule: svc|X-Certauthz-Serial: 1006|X-Certauthz-Subject: CN=payments,O=Example|X-Certauthz-User: payments" \
    "${forge[@]}"
expect alice "$u/app/x?echo=headers" "200 user=alice policy=default ssl= uri=/app/x?echo=headers method=GET length= headers=X-Certauthz-Email: alice@example.com|X-Certauthz-Policy: default|X-Certauthz-Rule: staff|X-Certauthz-Serial: 1001|X-Certauthz-Subject: CN=alice,OU=Eng,O=Example|X-Certauthz-User: alice" \
    "${forge[@]}"
expect bob "$u/app/x?echo=headers" "401 *" "${forge[@]}"

expect carol "$u/admin/x" "200 user=carol policy=admin *"
expect carol "$u/admin" "200 user=carol policy=admin *"
expect alice "$u/admin/x" "401 *"
expect alice "$u/admin" "401 *"
expect alice "$u/%61dmin" "401 *" --path-as-is
expect alice "$u/administrator" "401 *"
expect alice "$u/admin;jsessionid=1/x" "401 *" --path-as-is
log_has "deny policy=admin "

expect alice "$u/" "200 user=alice policy=default ssl= uri=/app/x method=GET length=" \
    --request-target "https://127.0.0.1:$port/app/x"
expect bob "$u/" "401 *" --request-target "https://127.0.0.1:$port/app/x"
expect alice "$u/" "401 *" --request-target "https://127.0.0.1:$port/admin"

# mod_fcgid spawns a process only when none is free, and then makes the
# request wait about a second.  20 sequential requests must be served
# by the processes already there, not by new ones: count the daemons
# mod_fcgid started for this test's policy before and after.  (A count,
# not a timing: speed belongs to make bench.)
spawned() {
	pgrep -f -- "-c $T/policy.conf" | wc -l
}
before=$(spawned)
i=0
while [ $i -lt 20 ]; do
	expect alice "$u/app" "200 user=alice *"
	i=$((i + 1))
done
after=$(spawned)
echo "certauthzd processes spawned by mod_fcgid: $before before, $after after 20 requests"
[ "$after" -ge 1 ] || fail "no certauthzd process found for this test"
[ "$after" -le "$before" ] || [ "$after" -le 2 ] ||
    fail "mod_fcgid spawned $after processes for 20 sequential requests"
exit 0
