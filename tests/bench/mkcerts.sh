#!/bin/sh
# mkcerts.sh DIR COUNT: the certificates `make bench` uses.
#
# DIR/pki is the test PKI of tests/pki/mkpki.sh (alice 1001 allowed, bob
# 1002 denied, ...).  DIR/many/cNNN.pem are COUNT (default 300) more client
# certificates from the same client CA, all on one RSA 2048 key (the
# certificate size is what matters, not the key): even NNN are
# OU=Eng,O=Example (allowed by bench policies), odd OU=Sales (denied).
# Serials are 0x2000 + NNN.  DIR/warm.list and DIR/cold.list are the
# "STATUS FILE" lists fcgi-load reads.
set -eu

dir=${1:?usage: mkcerts.sh DIR COUNT}
count=${2:-300}
OPENSSL=${OPENSSL:-openssl}
here=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
OPENSSL=$OPENSSL sh "$here/../pki/mkpki.sh" "$dir/pki"

# Made once; a larger COUNT later only adds the missing ones.
if [ ! -f "$dir/many/.done-$count" ]; then
	mkdir -p "$dir/many"
	cd "$dir/many"
	[ -f shared.key ] && [ "$dir/pki/.done" -ot shared.key ] ||
	    { rm -f c*.pem; "$OPENSSL" genpkey -algorithm RSA \
	    -pkeyopt rsa_keygen_bits:2048 -out shared.key 2>/dev/null; }
	i=0
	while [ "$i" -lt "$count" ]; do
		n=$(printf '%03d' "$i")
		if [ -s "c$n.pem" ]; then
			i=$((i + 1))
			continue
		fi
		if [ $((i % 2)) -eq 0 ]; then ou=Eng; else ou=Sales; fi
		cat > ext.cnf <<EOC
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectAltName = email:user$n@example.com
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOC
		"$OPENSSL" req -new -key shared.key \
		    -subj "/O=Example/OU=$ou/CN=user$n" -out c.csr 2>/dev/null
		"$OPENSSL" x509 -req -in c.csr -CA "$dir/pki/client-ca.pem" \
		    -CAkey "$dir/pki/client-ca.key" \
		    -set_serial $((0x2000 + i)) -days 825 -sha256 \
		    -extfile ext.cnf -out "c$n.tmp" 2>/dev/null
		mv "c$n.tmp" "c$n.pem"
		i=$((i + 1))
	done
	rm -f c.csr ext.cnf
	touch ".done-$count"
fi

# warm: few distinct certificates, allowed and denied.
{
	echo "200 $dir/pki/alice.pem"
	echo "403 $dir/pki/bob.pem"
	echo "200 $dir/pki/carol.pem"
	echo "403 $dir/pki/dave.pem"
} > "$dir/warm.list"
# cold: every request another certificate.
i=0
: > "$dir/cold.list"
while [ "$i" -lt "$count" ]; do
	n=$(printf '%03d' "$i")
	if [ $((i % 2)) -eq 0 ]; then s=200; else s=403; fi
	echo "$s $dir/many/c$n.pem" >> "$dir/cold.list"
	i=$((i + 1))
done
