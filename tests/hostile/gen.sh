#!/bin/sh
# gen.sh GEN PKI OUTDIR: the hostile certificate corpus, made at test
# time (nothing here is committed).  GEN is the built tests/hostile/gen,
# which makes what the openssl command line cannot (see gen.c); this
# script adds what is plain text surgery on the test PKI's PEM files.
#
#   concat.pem        alice then bob: two certificates
#   junk-before.pem   a line of text, then alice
#   junk-after.pem    alice, then a line of text
#   padded.pem        alice followed by 17 KiB of blanks: > 16 KiB, but
#                     max_cert_bytes counts DER, and alice's is < 1 KiB
#   ca-as-client.pem  the client CA's own certificate (CA:TRUE)
#   not-base64.pem    alice with one base64 character replaced by '!'
set -eu
gen=${1:?usage: gen.sh GEN PKI OUTDIR}
pki=${2:?usage: gen.sh GEN PKI OUTDIR}
out=${3:?usage: gen.sh GEN PKI OUTDIR}

mkdir -p "$out"
"$gen" "$pki" "$out"
cat "$pki/alice.pem" "$pki/bob.pem" > "$out/concat.pem"
{ echo "junk"; cat "$pki/alice.pem"; } > "$out/junk-before.pem"
{ cat "$pki/alice.pem"; echo "junk"; } > "$out/junk-after.pem"
{ cat "$pki/alice.pem"; head -c 17408 /dev/zero | tr '\0' ' '; } \
    > "$out/padded.pem"
cp "$pki/client-ca.pem" "$out/ca-as-client.pem"
sed '3s/^./!/' "$pki/alice.pem" > "$out/not-base64.pem"
