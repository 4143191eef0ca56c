# policies.sh: every example policy in policies/ lints clean (no error,
# no warning) and decides the test PKI as its comments say.
. "$top_srcdir/tests/lib.sh"
n=0
for f in "$top_srcdir"/policies/*.conf; do
	out=$("$top_builddir/certauthz" lint -c "$f" 2>&1) ||
	    fail "${f##*/} does not load: $out"
	[ "$out" = "$f: policy OK" ] || fail "${f##*/} warns: $out"
	n=$((n + 1))
done
[ $n -ge 7 ] || fail "only $n example policies"

expect() {	# exit policy cert [args]
	want=$1 p=$top_srcdir/policies/$2 c=$PKI/$3.pem
	shift 3
	"$top_builddir/certauthz" check -c "$p" "$@" "$c" > "$T/out" 2>&1
	rc=$?
	[ $rc -eq "$want" ] || fail "$p $c $*: exit $rc, want $want: $(cat "$T/out")"
}
expect 0 example.conf alice
expect 1 example.conf bob
expect 1 example.conf mallory
expect 0 example.conf carol --uri /admin/
expect 1 example.conf alice --uri /admin/
expect 1 example.conf expired
expect 0 serial-allowlist.conf carol
expect 1 serial-allowlist.conf dave
expect 0 revocation.conf bob
expect 1 revocation.conf mallory
expect 0 dn.conf alice
expect 1 dn.conf bob
expect 0 email-domain.conf carol
expect 1 email-domain.conf dave
expect 0 spiffe.conf spiffe --uri /api/x
expect 1 spiffe.conf spiffe --uri /other
expect 0 admin-area.conf carol --uri /admin --host admin.example.com
expect 1 admin-area.conf bob --uri /admin --host admin.example.com
expect 0 admin-area.conf bob --uri /shop --host admin.example.com
echo "$n policies OK"
