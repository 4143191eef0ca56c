#!/bin/bash
# differential.sh: the same certificates and URLs through nginx
# (auth_request), Apache (mod_authnz_fcgi) and lighttpd (mod_fastcgi
# authorizer, when installed) must get the same decisions from the same
# policy.  Apache's and lighttpd's handshake refusals (000) count as
# nginx's 400.
. "$top_srcdir/tests/lib.sh"
need nginx apache2 curl python3
. "$top_srcdir/tests/integration/web-lib.sh"

start_apache authnz
aport=$port
start_certauthzd "unix:$T/certauthzd.sock"
start_nginx
nport=$port
lport=
if command -v lighttpd >/dev/null && [ -f /usr/lib/lighttpd/mod_openssl.so ] &&
    [ -f /usr/lib/lighttpd/mod_magnet.so ]; then
	start_lighttpd
	lport=$port
fi

# One line per (certificate, path): the status, and the user the
# backend saw.
run() {
	local p=$1 c path r
	for c in alice bob carol dave mallory spiffe server-only expired \
	    rogue -; do
		for path in / /app /app/x?q=1 /admin/ /admin/x; do
			r=$(req "$c" "https://127.0.0.1:$p$path")
			case $r in
			000*|400*) r=refused ;;
			200*)	r="200 ${r#* }" ;;
			*)	r=${r%% *} ;;
			esac
			echo "$c $path $r"
		done
	done
}
run "$nport" > "$T/nginx.out"
run "$aport" > "$T/apache.out"
diff -u "$T/nginx.out" "$T/apache.out" >&2 ||
    fail "nginx and Apache decided differently"
if [ -n "$lport" ]; then
	run "$lport" > "$T/lighttpd.out"
	diff -u "$T/nginx.out" "$T/lighttpd.out" >&2 ||
	    fail "nginx and lighttpd decided differently"
else
	echo "lighttpd (with mod_openssl and mod_magnet) is not installed: not compared"
fi
grep -q "^alice /app 200 user=alice" "$T/nginx.out" ||
    fail "alice was not let in: $(cat "$T/nginx.out")"
grep -q "^bob /app 403" "$T/nginx.out" || fail "bob was not denied"
exit 0
