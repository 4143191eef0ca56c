#!/bin/bash
# certs.sh: makes test certificates (gencert, and the test PKI that
# tests/lib.sh makes with the openssl command line) and runs test_cert
# and test_cache over them.  Also checks that `certauthz show` (when
# built) prints what a policy can match.
. "$top_srcdir/tests/lib.sh"

u=$top_builddir/tests/unit
"$u/gencert" "$T" || fail "gencert"
${VALGRIND_WRAP:-} "$u/test_cert" "$T" "$PKI" || fail "test_cert"
${VALGRIND_WRAP:-} "$u/test_cache" "$PKI" || fail "test_cache"

# The DN strings nginx and Apache would send, as the openssl command
# line prints them, for a UTF-8 subject: test_cert checks the same
# through the library calls; this pins the command line's view too.
nginx=$($OPENSSL x509 -in "$T/utf8.pem" -noout -subject -nameopt RFC2253)
apache=$($OPENSSL x509 -in "$T/utf8.pem" -noout -subject -nameopt RFC2253,-esc_msb)
[ "$nginx" = 'subject=CN=Jos\C3\A9 M\C3\BCller,O=Example,OU=Eng' ] ||
    fail "nginx form: $nginx"
[ "$apache" = "subject=CN=José Müller,O=Example,OU=Eng" ] ||
    fail "Apache form: $apache"

# certauthz show, once cli.c and decision.c are in.
c=$top_builddir/certauthz
[ -x "$c" ] || { echo "certauthz not built: show not checked"; exit 0; }
"$c" show "$PKI/alice.pem" > "$T/show.out" || fail "show alice"
for want in 'serial: 1001' 'cn: alice' 'ou: Eng' 'o: Example' \
    'email: alice@example.com (san)' 'eku: clientAuth' 'ca: no'; do
	grep -qxF "$want" "$T/show.out" || fail "show: no line '$want'"
done
grep -q '^fingerprint: [0-9a-f]\{64\}$' "$T/show.out" || fail "show: fingerprint"
# spki after fingerprint: the SHA-256 of the DER SubjectPublicKeyInfo
spki=$($OPENSSL x509 -in "$PKI/alice.pem" -noout -pubkey |
    $OPENSSL pkey -pubin -outform DER | $OPENSSL dgst -sha256 -r | cut -c1-64)
grep -A1 '^fingerprint: ' "$T/show.out" | grep -qxF "spki: $spki" ||
    fail "show: no line 'spki: $spki' after fingerprint"
grep -q '^not_after: [0-9-]*T[0-9:]*Z$' "$T/show.out" || fail "show: not_after"
"$c" show - < "$T/san.pem" > "$T/san.out" || fail "show -"
for want in 'dns: svc.example.com' 'ip: 2001:db8::1' 'ip: 192.0.2.1' \
    'uri: spiffe://example.com/ns/prod' 'email: svc@example.com (subject)' \
    'email: ops@Example.COM (san)' 'serialNumber: SN42' 'dc: example' \
    '1.2.3.4: abc' 'eku: 1.3.6.1.4.1.99999.1'; do
	grep -qxF "$want" "$T/san.out" || fail "show: no line '$want'"
done
# A SAN holding a NUL byte is shown whole, escaped, and said to hold one;
# its twin without a NUL has no note.
"$c" show "$T/nuldns.pem" > "$T/nuldns.out" || fail "show nuldns"
for want in 'dns: "good.example\x00.evil" (holds a NUL byte)' \
    'uri: "https://good.example\x00.evil/" (holds a NUL byte)' \
    'email: "a@good.example\x00.evil" (holds a NUL byte) (san)'; do
	grep -qxF "$want" "$T/nuldns.out" || fail "show: no line '$want'"
done
grep -q 'NUL' "$T/san.out" && fail "show: a NUL note without a NUL"
# Twin: a certificate that is not one is an error, exit 2.
echo garbage > "$T/bad.pem"
"$c" show "$T/bad.pem" > /dev/null 2>&1
[ $? -eq 2 ] || fail "show of garbage did not exit 2"
exit 0
