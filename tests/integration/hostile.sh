#!/bin/bash
# hostile.sh: hostile certificates and hostile requests, asserted through
# the running daemon (certauthzd(8) PARAMS and LOGGING, certauthz.conf(5) DECISION), and `certauthz check` must agree
# on every certificate.  The corpus is made now (tests/hostile/gen.sh).
. "$top_srcdir/tests/lib.sh"
need python3

GEN=$top_builddir/tests/hostile/gen
FCGI="python3 $top_srcdir/tests/hostile/fcgi.py"
H=$T/h
S=$T/s
[ -x "$GEN" ] || fail "$GEN not built"
[ -x "$top_builddir/certauthzd" ] || fail "certauthzd not built"
sh "$top_srcdir/tests/hostile/gen.sh" "$GEN" "$PKI" "$H" >"$T/gen.log" 2>&1 ||
    { cat "$T/gen.log" >&2; fail "making the hostile corpus"; }
sh "$top_srcdir/tests/fuzz/corpus.sh" "$PKI" "$T/corpus" ||
    fail "making the certificate forms"

cat > "$T/policy.conf" <<EOF2
settings = {
  identity = "cn";
  check_validity = true;
  require_client_auth = true;
  email_sources = [ "san" ];
  ca_file = "$PKI/client-chain.pem";
  log_allow = true;
};
lists = { revoked = [ "10:03" ]; };
policies = (
  { name = "exact";
    deny = ( { name = "revoked"; serial = "@revoked"; } );
    allow = ( { name = "alice"; subject = "CN=alice,OU=Eng,O=Example"; } ); },
  { name = "cn";
    deny = ( { name = "revoked"; serial = "@revoked"; } );
    allow = ( { name = "alice"; cn = "alice"; } ); },
  { name = "email";
    allow = ( { name = "admin"; email = "admin@example.com"; } ); },
  { name = "serial";
    deny = ( { name = "revoked"; serial = "@revoked"; } );
    allow = ( { name = "s1001"; serial = "1001"; } ); },
  { name = "any";
    deny = ( { name = "revoked"; serial = "@revoked"; } );
    allow = ( { name = "example"; o = "Example"; } ); }
);
EOF2

$CERTAUTHZD -d -c "$T/policy.conf" -s "unix:$S" 2>"$T/err" &
dpid=$!
track_pid $dpid
wait_for_socket "$S" 10 || { cat "$T/err" >&2; fail "no socket $S"; }

nreq=0
nbad=0
bad() {
	echo "$0:${BASH_LINENO[1]}: FAIL: $*" >&2
	nbad=$((nbad + 1))
}

# Requests are queued, then sent by one fcgi.py process (a Python start
# per request is slow on a loaded machine), then checked.
: > "$T/batch"
: > "$T/want"
mkdir -p "$T/ans"

# queue ROLE WANT PARAM...: sets $id (its answer is $T/ans/$id.ans)
queue() {
	role=$1 want=$2
	shift 2
	nreq=$((nreq + 1))
	id=$nreq
	( IFS=$'\t'; printf '%s\t%s\t%s\n' "$id" "$role" "$*" ) >> "$T/batch"
	printf '%s %s %s %s\n' "$id" "$want" "${BASH_LINENO[1]}" "$*" |
	    tr -d '\n' >> "$T/want"
	echo >> "$T/want"
}

# expect STATUS POLICY CERT [PARAM...]
expect() {
	want=$1 policy=$2 cert=$3
	shift 3
	set -- SSL_CLIENT_VERIFY=SUCCESS REQUEST_URI=/x HTTP_HOST=h.example \
	    REQUEST_METHOD=GET REMOTE_ADDR=127.0.0.1 "$@"
	[ "$policy" = - ] || set -- "$@" "CERTAUTHZ_POLICY=$policy"
	[ "$cert" = - ] || set -- "$@" "SSL_CLIENT_CERT=@$cert"
	queue responder "$want" "$@"
}

# expect_raw STATUS PARAM...: exactly these params
expect_raw() {
	want=$1
	shift
	queue responder "$want" "$@"
}

# --- controls -----------------------------------------------------------
for p in exact cn serial any; do
	expect 200 "$p" "$PKI/alice.pem"
done
expect 403 email "$PKI/alice.pem"
expect 403 any "$PKI/dave.pem"
expect 403 any "$PKI/mallory.pem"
for form in lf crlf tab esc b64 rfc9440; do
	expect 200 cn "$T/corpus/cert/alice.$form"
done
expect 403 any "$PKI/rogue.pem"		# same issuer name, other key: ca_file
expect 403 cn "$PKI/rogue.pem"
expect 403 any "$PKI/expired.pem"
expect 403 any "$PKI/server-only.pem"
expect 500 nosuch "$PKI/alice.pem"

# --- hostile certificates -----------------------------------------------
expect 403 exact "$H/inj-comma.pem"
expect 403 cn "$H/inj-comma.pem"
expect 200 any "$H/inj-comma.pem"
# A forwarded DN that reads the injected comma as a separator is not it.
expect 403 any "$H/inj-comma.pem" \
    'SSL_CLIENT_S_DN=CN=alice,O=Admin,OU=Eng,O=Example'
expect 200 any "$H/inj-comma.pem" \
    'SSL_CLIENT_S_DN=CN=alice\,O=Admin,OU=Eng,O=Example'
expect 403 exact "$H/inj-slash.pem"
expect 403 cn "$H/inj-slash.pem"
expect 200 any "$H/inj-slash.pem"
# The slash form does not escape '/': this is what Apache forwards for
# this certificate, and the identity comes from the PEM, so it passes.
expect 200 any "$H/inj-slash.pem" 'SSL_CLIENT_S_DN=/O=Example/OU=Eng/CN=alice/O=Admin'
expect 200 any "$H/inj-quote.pem"
expect 403 cn "$H/inj-backslash.pem"
expect 200 any "$H/inj-backslash.pem"
expect 200 any "$H/inj-newline.pem"
expect 200 any "$H/inj-crlf.pem"
crlf_id=$id
expect 403 any "$H/dup-cn.pem"
expect 403 cn "$H/dup-cn.pem"
expect 403 exact "$H/multi-rdn.pem"
expect 403 any "$H/nul-cn.pem"
expect 403 cn "$H/nul-cn.pem"
expect 403 any "$H/nul-san.pem"
expect 403 email "$H/nul-san.pem"
expect 200 cn "$H/bmp-cn.pem"		# BMPString "alice" is alice in UTF-8
expect 200 exact "$H/bmp-cn.pem"
expect 200 cn "$H/t61-cn.pem"
expect 403 cn "$H/cyrillic-cn.pem"	# U+0430, not a
expect 403 exact "$H/cyrillic-cn.pem"
expect 200 any "$H/cyrillic-cn.pem"
expect 403 email "$H/subj-email.pem"	# email_sources = san only
expect 200 email "$H/san-admin.pem"	# domain case-insensitive
expect 403 email "$H/san-admin-upper.pem"	# local part exact
expect 403 serial "$H/serial-neg.pem"	# -1001 is not 1001
expect 200 any "$H/serial-neg.pem"
expect 403 serial "$H/serial-zero.pem"
expect 403 serial "$H/serial-21.pem"
expect 200 any "$H/serial-21.pem"
expect 403 any "$H/serial-huge.pem"	# > AUTHZ_SERIAL_MAX bytes
expect 403 any "$H/serial-nonmin.pem"	# 00 10 03: rejected or revoked
expect 403 serial "$H/serial-nonmin.pem"
expect 403 any "$H/notyet.pem"
expect 403 any "$H/huge.pem"		# > 16 KiB
# What is a CA (require_client_auth), as X509_check_ca() says or stricter.
expect 403 any "$H/ku-certsign.pem"	# keyCertSign, no basicConstraints
expect 200 any "$H/bc-false-certsign.pem"	# CA:FALSE wins
expect 403 any "$H/bc-true-nosign.pem"	# CA:TRUE (OpenSSL: no CA)
expect 403 any "$H/ns-sslca.pem"	# Netscape sslCA
expect 403 any "$H/v1-self-issued.pem"	# a v1 "root"
expect 403 any "$H/dup-san.pem"		# subjectAltName twice: refused
expect 403 any "$H/crldp-empty.pem"	# a DistributionPoint naming nothing
expect 403 any "$H/many-ext.pem"	# 65 extensions
# max_cert_bytes counts DER: trailing blanks make no certificate larger
expect 200 any "$H/padded.pem"
for f in concat junk-before junk-after ca-as-client not-base64; do
	expect 403 any "$H/$f.pem"
done

# certauthz check agrees with the daemon on every certificate ("any").
clis=""
for f in "$H"/*.pem "$PKI"/alice.pem "$PKI"/rogue.pem "$PKI"/expired.pem \
    "$PKI"/server-only.pem; do
	expect any any "$f"
	clis="$clis $id:$f"
done

# --- hostile requests ---------------------------------------------------
A=$PKI/alice.pem
expect 403 any - "HTTP_SSL_CLIENT_CERT=@$A"
expect 403 any "$PKI/dave.pem" "HTTP_SSL_CLIENT_CERT=@$A" \
    HTTP_X_CERTAUTHZ_USER=alice
expect 200 any "$A" HTTP_X_CERTAUTHZ_USER=root HTTP_SSL_CLIENT_VERIFY=NONE
spoof_id=$id
expect 403 any "$A" 'SSL_CLIENT_S_DN=CN=admin,OU=Eng,O=Example'
expect 200 any "$A" 'SSL_CLIENT_S_DN=CN=alice,OU=Eng,O=Example'
expect 200 any "$A" 'SSL_CLIENT_S_DN=/O=Example/OU=Eng/CN=alice'
expect 200 any "$A" 'SSL_CLIENT_I_DN=CN=Example Client CA,O=Example'
expect 403 any "$A" 'SSL_CLIENT_I_DN=CN=Example Root CA,O=Example'
expect 200 any "$A" SSL_CLIENT_M_SERIAL=1001
expect 403 any "$A" SSL_CLIENT_M_SERIAL=1002
expect 403 any "$A" SSL_CLIENT_SERIAL=1002
expect 403 any "$A" SSL_CLIENT_VERIFY=SUCCESS		# sent twice
expect 403 any "$A" "SSL_CLIENT_CERT=@$A"		# sent twice
expect 403 any "$A" CERTAUTHZ_POLICY=any		# sent twice
base="REQUEST_URI=/x CERTAUTHZ_POLICY=any SSL_CLIENT_CERT=@$A"
# shellcheck disable=SC2086
{
expect_raw 200 SSL_CLIENT_VERIFY=SUCCESS $base
expect_raw 403 'SSL_CLIENT_VERIFY=FAILED:certificate has expired' $base
expect_raw 403 SSL_CLIENT_VERIFY=NONE $base
expect_raw 403 $base
expect_raw 403 SSL_CLIENT_VERIFY=success $base
expect_raw 403 'SSL_CLIENT_VERIFY=SUCCESS ' $base
expect_raw 403 SSL_CLIENT_VERIFY= $base
expect_raw 403 SSL_CLIENT_VERIFY=SUCCESS REQUEST_URI=/x CERTAUTHZ_POLICY=any
}
queue authorizer 200 SSL_CLIENT_VERIFY=SUCCESS CERTAUTHZ_POLICY=any \
    "SSL_CLIENT_CERT=@$A"

# --- send, then check -------------------------------------------------
$FCGI batch "$S" "$T/batch" "$T/ans" > "$T/got" || fail "fcgi.py batch"
while read -r id want line desc; do
	got=$(sed -n "s/^$id //p" "$T/got")
	[ "$got" = "$want" ] || [ "$want" = any ] || {
		echo "$0:$line: FAIL: $desc -> $got, want $want:" \
		    "$(tr '\r\n' '  ' < "$T/ans/$id.ans")" >&2
		nbad=$((nbad + 1))
	}
done < "$T/want"
grep -qi '^Variable-CERTAUTHZ_USER: root' "$T/ans/$crlf_id.ans" &&
    bad "inj-crlf: header injected: $(cat "$T/ans/$crlf_id.ans")"
[ "$(grep -ci '^Variable-CERTAUTHZ_USER:' "$T/ans/$crlf_id.ans")" = 1 ] ||
    bad "inj-crlf: not one user header: $(cat "$T/ans/$crlf_id.ans")"
grep -qi '^Variable-CERTAUTHZ_USER: alice' "$T/ans/$spoof_id.ans" ||
    bad "spoofed user header: $(cat "$T/ans/$spoof_id.ans")"
grep -q 'serial=-1001 ' "$T/err" || bad "serial-neg not logged as -1001"
grep -q 'reason="duplicate certificate extension"' "$T/err" ||
    bad "dup-san: no duplicate extension reason logged"
# is_ca decides these before ca_file would (ns-sslca and v1-self-issued
# would fail the chain check too): each must be denied as a CA.
for s in 2013 2015 2016 2018; do
	grep -q "reason=\"CA certificate\".*serial=$s " "$T/err" ||
	    bad "serial $s (ku-certsign, bc-true-nosign, ns-sslca, v1-self-issued): not denied as a CA"
done
grep -q 'reason="invalid CRL distribution point"' "$T/err" ||
    bad "crldp-empty: no invalid CRL distribution point reason logged"
grep -q 'reason="too many certificate extensions"' "$T/err" ||
    bad "many-ext: no too many extensions reason logged"
for c in $clis; do
	id=${c%%:*} f=${c#*:}
	got=$(sed -n "s/^$id //p" "$T/got")
	"$top_builddir/certauthz" check -c "$T/policy.conf" -P any "$f" \
	    >"$T/cli.out" 2>&1
	rc=$?
	# exit 2: an unusable certificate (certauthz(1)), which the daemon denies
	case $got:$rc in 200:0 | 403:1 | 403:2) ;;
	*) bad "certauthz check $f: exit $rc, daemon said $got" ;;
	esac
done

# --- the decision log: one well-formed line per request -------------------
sleep 0.2
python3 "$top_srcdir/tests/hostile/logcheck.py" "$T/err" "$nreq" ||
    bad "decision lines (above)"
grep -q 'al\\\\\\"ice' "$T/err" || grep -q 'al\\"ice' "$T/err" ||
    bad "inj-quote: quote not escaped in the log"
kill -0 $dpid 2>/dev/null || bad "certauthzd died"

[ $nbad -eq 0 ] || { tail -n 5 "$T/err" >&2; fail "$nbad hostile cases failed ($nreq requests)"; }
echo "hostile: $nreq requests, all as promised"
exit 0
