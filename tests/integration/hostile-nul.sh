#!/bin/bash
# hostile-nul.sh: a param value holding a NUL byte is a deny.
# SSL_CLIENT_VERIFY "SUCCESS\0\n" is not exactly SUCCESS (certauthzd(8), PARAMS), yet
# libfcgi hands params over as C strings, in which it reads "SUCCESS";
# certauthzd's scan of the raw bytes (fcgi/scan.c) sees the NUL first.
. "$top_srcdir/tests/lib.sh"
need python3
S=$T/s
printf 'settings = { identity = "cn"; };\npolicies = ( { name = "any"; allow = ( { o = "Example"; } ); } );\n' > "$T/p.conf"
$CERTAUTHZD -d -c "$T/p.conf" -s "unix:$S" 2>"$T/err" &
track_pid $!
wait_for_socket "$S" 10 || fail "no socket"
ans=$(python3 "$top_srcdir/tests/hostile/fcgi.py" req "$S" \
    SSL_CLIENT_VERIFY=%53554343455353000a "SSL_CLIENT_CERT=@$PKI/alice.pem")
case $ans in
*"Status: 403"*) ;;
*) fail "SSL_CLIENT_VERIFY=SUCCESS<NUL><LF> answered: $ans" ;;
esac
ans=$(python3 "$top_srcdir/tests/hostile/fcgi.py" req "$S" \
    SSL_CLIENT_VERIFY=SUCCESS \
    "SSL_CLIENT_CERT=%$(od -An -tx1 "$PKI/alice.pem" | tr -d ' \n')00$(printf 'junk' | od -An -tx1 | tr -d ' \n')")
case $ans in
*"Status: 403"*) ;;
*) fail "SSL_CLIENT_CERT=PEM<NUL>junk answered: $ans" ;;
esac
grep -q 'reason="param value holds a NUL byte"' "$T/err" ||
    fail "no NUL reason in the log"
exit 0
