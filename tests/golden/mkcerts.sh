#!/bin/sh
# mkcerts.sh PKI DIR: the extra client certificates the golden cases
# need, signed by the test client CA, made at test time.
#
#   rich.pem     serial 0xABCDEF, every subject attribute a key can name
#                (DC, C, ST, L, O, OU, UID, serialNumber, 2.5.4.97, CN,
#                emailAddress) and every SAN type (email, DNS, IP x2, URI);
#                EKU clientAuth + emailProtection
#   evil.pem     a CN holding a quote, a space, "user=root" and a newline
#   twocn.pem    two CN attributes
#   nocn.pem     no CN, no email (identity "cn" finds nothing)
#   neg.pem      a negative serial (-0x1A)
#   uid.pem      UID=u7 (userId, 0.9.2342.19200300.100.1.1)
#   twomail.pem  two SAN emails, URIs and DNS names: partner.org first,
#                example.com second
#   smartcard.pem EKU clientAuth, msSmartcardLogin, ipsecEndSystem,
#                anyExtendedKeyUsage
#   size-under.pem, size-over.pem  DER just under and just over 1024 bytes
set -eu
pki=$1
dir=$2
OPENSSL=${OPENSSL:-openssl}
mkdir -p "$dir"
cd "$dir"

"$OPENSSL" ecparam -name prime256v1 -genkey -noout -out key.pem 2>/dev/null

mk() {	# name serial subject extensions
	printf '%s\n' "$4" > "$1.ext"
	"$OPENSSL" req -new -key key.pem -subj "$3" -multivalue-rdn \
	    -out "$1.csr" 2>/dev/null
	"$OPENSSL" x509 -req -in "$1.csr" -CA "$pki/client-ca.pem" \
	    -CAkey "$pki/client-ca.key" -set_serial "$2" -days 30 \
	    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}

base='basicConstraints = critical, CA:FALSE
extendedKeyUsage = clientAuth'

mk rich 0xABCDEF \
    '/DC=org/DC=example/C=DE/ST=Berlin/L=Mitte/O=Example/OU=Eng/UID=u1001/serialNumber=SN-42/2.5.4.97=VATDE-1234/CN=rich/emailAddress=Rich@Example.ORG' \
    'basicConstraints = critical, CA:FALSE
extendedKeyUsage = clientAuth, emailProtection
subjectAltName = email:rich.person@Example.COM, DNS:Www.Example.COM, IP:192.0.2.1, IP:0:0::1, URI:spiffe://example.com/ns/prod/sa/rich'
mk evil 0x2001 "/O=Example/CN=x\" user=root
allow" "$base"
mk twocn 0x2002 '/O=Example/CN=one/CN=two' "$base"
mk nocn 0x2003 '/O=Example/OU=Eng' "$base"
mk neg -0x1A '/O=Example/CN=neg' "$base"
mk uid 0x2004 '/O=Example/UID=u7/CN=uid7' "$base"
mk twomail 0x2005 '/O=Example/CN=twomail' "$base
subjectAltName = email:boss@partner.org, email:zed@example.com, URI:spiffe://partner.org/boss, URI:spiffe://example.com/zed, DNS:boss.partner.org, DNS:zed.example.com"
mk smartcard 0x2006 '/O=Example/CN=smartcard' 'basicConstraints = critical, CA:FALSE
extendedKeyUsage = clientAuth, msSmartcardLogin, 1.3.6.1.5.5.7.3.5, anyExtendedKeyUsage'
# max_cert_bytes = 1024 counts DER: size-under is 1012 bytes of it (its
# PEM about 1430), size-over 1046, signed by the RSA-2048 client CA.
sans() {	# DNS:s01.example.com, ... up to $1
	i=1 s=
	while [ "$i" -le "$1" ]; do
		s="$s${s:+, }DNS:s$(printf %02d "$i").example.com"
		i=$((i + 1))
	done
	echo "$s"
}
mk size-under 0x2007 '/O=Example/CN=size' "$base
subjectAltName = $(sans 22)"
mk size-over 0x2008 '/O=Example/CN=size' "$base
subjectAltName = $(sans 24)"
"$OPENSSL" x509 -in rich.pem -noout -fingerprint -sha256 |
    sed 's/.*=//' > rich.fp
# rich's key: SHA-256 of its DER SubjectPublicKeyInfo, upper case, colons
"$OPENSSL" x509 -in rich.pem -noout -pubkey |
    "$OPENSSL" pkey -pubin -outform DER | "$OPENSSL" dgst -sha256 -c |
    sed 's/.*= *//' | tr a-f A-F > rich.spki
