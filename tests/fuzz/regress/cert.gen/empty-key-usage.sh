#!/bin/sh
# empty-key-usage.sh PKI: alice's key, signed by the client CA, with a
# keyUsage whose only set bit is a padding bit (03 02 05 08): OpenSSL
# clears it and calls the certificate invalid (RFC 5280 4.2.1.3), so
# cert.c must refuse it too.  fuzz_cert found cert.c accepting it.
set -eu
pki=${1:?usage: empty-key-usage.sh PKI}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
printf '%s\n' 'basicConstraints = critical,CA:FALSE' \
    '2.5.29.15 = critical,DER:03:02:05:08' \
    'extendedKeyUsage = clientAuth' > "$t/ext"
${OPENSSL:-openssl} req -new -key "$pki/alice.key" -subj "/O=Example/CN=alice" \
    -out "$t/csr" 2>/dev/null
${OPENSSL:-openssl} x509 -req -in "$t/csr" -CA "$pki/client-ca.pem" \
    -CAkey "$pki/client-ca.key" -set_serial 0x3001 -days 30 \
    -extfile "$t/ext" 2>/dev/null
