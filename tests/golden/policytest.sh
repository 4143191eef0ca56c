# policytest.sh: `certauthz test` (certauthz(1)).  policies/example.test
# passes against the test PKI (--certs); its failure twin, the same
# cases each changed in one field, fails every case with the --- want /
# +++ got report (exit 1); certificates inline and beside the test file;
# and every unusable file (syntax, unknown key, wrong type, no cases, a
# policy that does not load, a certificate that cannot be read) runs no
# case and exits 2 with FILE:LINE.  certauthz runs under $VALGRIND_WRAP
# when set.
. "$top_srcdir/tests/lib.sh"
ex=$top_srcdir/policies/example.test

# run WANT ARGS...: certauthz test ARGS, exit WANT, output in $T/out
run() {
	local want=$1 got
	shift
	(cd "$T" && ${VALGRIND_WRAP:-} "$CERTAUTHZ" test "$@") > "$T/out" 2>&1
	got=$?
	[ "$got" = "$want" ] ||
	    fail "test $*: exit $got, want $want: $(cat "$T/out")"
}

run 0 --certs "$PKI" "$ex"
n=$(grep -c 'expect = ' "$ex")
[ "$(cat "$T/out")" = "$n cases, 0 failed" ] || fail "example.test: $(cat "$T/out")"

# The twin: every case fails, each reported.
cp "$top_srcdir/policies/example.conf" "$top_srcdir/policies/revoked.txt" "$T/"
sed -e 's/expect = "allow"/expect = "@"/' -e 's/expect = "deny"/expect = "allow"/' \
    -e 's/expect = "@"/expect = "deny"/' -e 's/expect = "error"/expect = "deny"/' \
    "$ex" > "$T/twin.test"
run 1 --certs "$PKI" twin.test
[ "$(grep -c '^--- want twin.test:[0-9]*: ' "$T/out")" = "$n" ] ||
    fail "twin: not $n reports: $(cat "$T/out")"
tail -1 "$T/out" | grep -qx "$n cases, $n failed" || fail "twin: $(tail -1 "$T/out")"

# One report in full (us= masked).
cat > "$T/one.test" <<'EOF'
policy_file = "example.conf";
cases = (
  { name = "bob is staff"; cert = "bob.pem"; expect = "allow";
    rule = "staff"; },
  { name = "alice holds"; cert = "alice.pem"; expect = "allow"; },
  { name = "alice is \"bob smith\""; cert = "alice.pem"; expect = "allow";
    user = "bob smith"; selected = "default"; reason = "-"; }
);
EOF
run 1 --certs "$PKI" one.test
sed 's/ us=[0-9]*$/ us=N/' "$T/out" > "$T/one.out"
cat > "$T/one.exp" <<'EOF'
--- want one.test:3: bob is staff
+++ got  one.test:3: bob is staff
-allow rule=staff
+deny rule=-
 deny policy=default rule=- reason="no rule allows" user=- serial=1002 subject=CN=bob,OU=Sales,O=Example issuer="CN=Example Client CA,O=Example" email=bob@example.com method=GET host=- uri=/ remote=- role=check us=N
--- want one.test:6: alice is "bob smith"
+++ got  one.test:6: alice is "bob smith"
-allow policy=default reason=- user="bob smith"
+allow policy=default reason=- user=alice
 allow policy=default rule=staff user=alice serial=1001 subject=CN=alice,OU=Eng,O=Example issuer="CN=Example Client CA,O=Example" email=alice@example.com method=GET host=- uri=/ remote=- role=check us=N
3 cases, 2 failed
EOF
diff -u "$T/one.exp" "$T/one.out" || fail "the report differs"

# Certificates inline (PEM across lines) and beside the test file.
cp "$PKI/carol.pem" "$T/"
{
	echo 'policy_file = "example.conf";'
	printf 'cases = (\n  { name = "inline"; uri = "/admin/"; expect = "allow"; rule = "ops"; cert_pem = "'
	cat "$PKI/alice.pem"
	printf '"; },\n'
	echo '  { name = "beside"; cert = "carol.pem"; uri = "/admin/"; expect = "allow"; rule = "ops"; }'
	echo ');'
} > "$T/certs.test"
run 1 certs.test
grep -q '^--- want certs.test:3: inline$' "$T/out" || fail "inline: $(cat "$T/out")"
tail -1 "$T/out" | grep -qx '2 cases, 1 failed' || fail "certs: $(cat "$T/out")"
# A policy_file per case, and several files: the worst status wins.
printf 'cases = ( { policy_file = "example.conf"; cert = "carol.pem"; expect = "allow"; } );\n' > "$T/percase.test"
run 0 percase.test
run 1 percase.test certs.test

# Unusable files: no case runs, exit 2, FILE:LINE.
bad() {	# bad NAME 'MESSAGE REGEX' CONTENT
	printf '%s\n' "$3" > "$T/$1.test"
	run 2 --certs "$PKI" "$1.test" "$ex"
	grep -Eq "^$1.test:[0-9]+: $2" "$T/out" || fail "$1: $(cat "$T/out")"
	tail -1 "$T/out" | grep -qx "$n cases, 0 failed" || fail "$1 ran: $(cat "$T/out")"
}
c='policy_file = "example.conf";'
bad syntax 'syntax error' "$c cases = ( { expect = \"deny\" ) );"
bad unknown-key 'unknown key rules in a case' "$c cases = (
  { cert = \"alice.pem\"; expect = \"allow\"; },
  { cert = \"bob.pem\"; expect = \"allow\"; rules = \"staff\"; } );"
bad unknown-top 'unknown key case' "$c case = ( { expect = \"deny\"; } );"
bad type 'uri must be a string' "$c cases = ( { uri = 3; expect = \"deny\"; } );"
bad type-cases 'cases must be a list' "$c cases = { expect = \"deny\"; };"
bad type-case 'a case must be a group' "$c cases = ( \"x\" );"
bad no-expect 'a case needs expect' "$c cases = ( { cert = \"alice.pem\"; } );"
bad bad-expect 'expect is "permit"' "$c cases = ( { expect = \"permit\"; } );"
bad no-cases 'no cases' "$c"
bad empty-cases 'cases holds no cases' "$c cases = ( );"
bad two-certs 'cert and cert_pem' "$c cases = ( { cert = \"a\"; cert_pem = \"b\"; expect = \"deny\"; } );"
bad no-policy 'no policy_file' 'cases = ( { expect = "deny"; } );'
bad no-such-policy 'policy_file nope.conf does not load' \
    'policy_file = "nope.conf"; cases = ( { expect = "deny"; } );'
bad no-such-cert 'cert nope.pem cannot be read' \
    "$c cases = ( { cert = \"nope.pem\"; expect = \"deny\"; } );"
run 2 --certs "$PKI" nosuch.test
grep -q 'nosuch.test: cannot read' "$T/out" || fail "nosuch: $(cat "$T/out")"
run 2
run 2 --certs
run 2 -x "$ex"
echo "example.test: $n cases; its twin, the report and 14 unusable files"
