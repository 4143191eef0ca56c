#!/bin/sh
# mkpki.sh DIR: makes a test PKI with the openssl command line.
#
# Nothing here is ever committed: tests and the quickstart run this at
# test time.  Keys are RSA 2048, so certificates have the size real ones
# have (about 1.3 KB of PEM).  DIR then holds:
#
#   root-ca.pem            self-signed root ("CN=Example Root CA,O=Example")
#   client-ca.pem          intermediate that signs clients
#                          ("CN=Example Client CA,O=Example")
#   client-chain.pem       client-ca.pem + root-ca.pem (nginx ssl_client_certificate)
#   server.pem/.key        127.0.0.1, ::1 and localhost, signed by the root
#   rogue-ca.pem           an unrelated CA that also calls itself
#                          "CN=Example Client CA,O=Example" (other key)
#   NAME.pem/.key          client certificates, all with clientAuth:
#     alice    serial 1001  CN=alice,OU=Eng,O=Example    alice@example.com
#     bob      serial 1002  CN=bob,OU=Sales,O=Example    bob@example.com
#     mallory  serial 1003  CN=mallory,OU=Eng,O=Example  mallory@example.com
#     carol    serial 1004  CN=carol,OU=Ops,O=Example    carol@ops.example.com
#     dave     serial 1005  CN=dave,O=Other              dave@other.example
#     spiffe   serial 1006  CN=payments,O=Example        URI spiffe://example.com/ns/prod/sa/payments
#     expired  serial 1007  CN=expired,OU=Eng,O=Example  (valid 2020-01-01..2021-01-01)
#     server-only serial 1008 CN=svc,OU=Eng,O=Example    (EKU serverAuth only)
#     rogue    serial 1001  CN=alice,OU=Eng,O=Example    signed by rogue-ca
#     bigsan   serial 100A  CN=bigsan,OU=Eng,O=Example, 612 dNSNames (a
#              16 KB PEM, longer than 16 KiB %XX-escaped)
#     bigsubject serial 1009 CN=big, 36 OUs "unit-NN-xxx..." (58 bytes
#              each), O=Example  big@example.com: a subject longer
#              than a Variable- header holds
#   client-ca.crl          CRL of the client CA revoking mallory (1003)
#   NAME.txt               `openssl x509 -text` of each, for humans
#
# Usage: mkpki.sh DIR   (DIR is created; an existing PKI there is kept
# when DIR/.done exists and is newer than this script)
set -eu

dir=${1:?usage: mkpki.sh DIR}
OPENSSL=${OPENSSL:-openssl}
script=$0

if [ -f "$dir/.done" ] && [ "$dir/.done" -nt "$script" ]; then
	exit 0
fi
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"

cat > ca.cnf <<'EOF'
[ ca ]
default_ca = ca_default
[ ca_default ]
dir = .
database = $dir/index.txt
serial = $dir/serial
new_certs_dir = $dir/newcerts
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
default_crl_days = 30
[ policy_any ]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = optional
emailAddress = optional
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused
[ v3_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_intermediate ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, IP:::1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectAltName = $ENV::SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_serveronly ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = $ENV::SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

export SAN=email:unused@example.invalid

key() {
	"$OPENSSL" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$1.key" 2>/dev/null
	chmod 600 "$1.key"
}

# ca_init NAME: a fresh database for the CA called NAME.
ca_init() {
	mkdir -p "$1.db/newcerts"
	: > "$1.db/index.txt"
}

# sign CA NAME SUBJ SERIAL EXT [START END]
sign() {
	ca=$1 name=$2 subj=$3 serial=$4 ext=$5
	"$OPENSSL" req -new -key "$name.key" -subj "$subj" -config ca.cnf \
	    -out "$name.csr"
	echo "$serial" > "$ca.db/serial"
	if [ $# -ge 7 ]; then
		dates="-startdate $6 -enddate $7"
	else
		dates="-days 825"
	fi
	# shellcheck disable=SC2086
	(cd "$ca.db" && "$OPENSSL" ca -batch -notext -config ../ca.cnf \
	    -cert "../$ca.pem" -keyfile "../$ca.key" -extensions "$ext" \
	    -in "../$name.csr" -out "../$name.pem" $dates) 2>/dev/null
	rm -f "$name.csr"
	"$OPENSSL" x509 -in "$name.pem" -noout -text > "$name.txt"
}

selfsigned() {
	name=$1 subj=$2
	key "$name"
	"$OPENSSL" req -new -x509 -key "$name.key" -subj "$subj" -days 3650 \
	    -config ca.cnf -extensions v3_root -set_serial 1 -out "$name.pem"
	ca_init "$name"
}

selfsigned root-ca "/O=Example/CN=Example Root CA"
key client-ca
sign root-ca client-ca "/O=Example/CN=Example Client CA" 0100 v3_intermediate
ca_init client-ca
cat client-ca.pem root-ca.pem > client-chain.pem

key server
sign root-ca server "/O=Example/CN=localhost" 0200 v3_server

client() {
	name=$1 subj=$2 serial=$3 san=$4
	shift 4
	key "$name"
	SAN=$san sign client-ca "$name" "$subj" "$serial" v3_client "$@"
}

client alice   "/O=Example/OU=Eng/CN=alice"     1001 email:alice@example.com
client bob     "/O=Example/OU=Sales/CN=bob"     1002 email:bob@example.com
client mallory "/O=Example/OU=Eng/CN=mallory"   1003 email:mallory@example.com
client carol   "/O=Example/OU=Ops/CN=carol"     1004 email:carol@ops.example.com
client dave    "/O=Other/CN=dave"               1005 email:dave@other.example
client spiffe  "/O=Example/CN=payments"         1006 \
    URI:spiffe://example.com/ns/prod/sa/payments
client expired "/O=Example/OU=Eng/CN=expired"   1007 \
    email:expired@example.com 20200101000000Z 20210101000000Z
key server-only
SAN=email:svc@example.com sign client-ca server-only \
    "/O=Example/OU=Eng/CN=svc" 1008 v3_serveronly

big=/O=Example
i=1
while [ $i -le 36 ]; do
	big=$big/OU=unit-$(printf %02d $i)-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
	i=$((i + 1))
done
client bigsubject "$big/CN=big" 1009 email:big@example.com

# 612 dNSNames: a PEM of about 16.1 KB, whose %XX-escaped form (nginx's
# $ssl_client_escaped_cert) is longer than 16 KiB; its DER is ~12 KB.
san=DNS:n001.example.org
i=2
while [ $i -le 612 ]; do
	san=$san,DNS:n$(printf %03d $i).example.org
	i=$((i + 1))
done
client bigsan "/O=Example/OU=Eng/CN=bigsan" 100A "$san"

# A CRL of the client CA that revokes mallory.
(cd client-ca.db && "$OPENSSL" ca -config ../ca.cnf -cert ../client-ca.pem \
    -keyfile ../client-ca.key -revoke ../mallory.pem) 2>/dev/null
(cd client-ca.db && "$OPENSSL" ca -config ../ca.cnf -cert ../client-ca.pem \
    -keyfile ../client-ca.key -gencrl -out ../client-ca.crl) 2>/dev/null

# Same issuer name as the real client CA, other key.
selfsigned rogue-ca "/O=Example/CN=Example Client CA"
key rogue
SAN=email:alice@example.com sign rogue-ca rogue \
    "/O=Example/OU=Eng/CN=alice" 1001 v3_client

touch .done
