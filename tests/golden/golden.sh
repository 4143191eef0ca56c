# golden.sh: runs every case of cases.txt through `certauthz check` and
# diffs the output against cases.out (the us= figure and fingerprints,
# which change with every test PKI, masked).  With
# GOLDEN_UPDATE=1 it rewrites cases.out instead (review the diff!).
. "$top_srcdir/tests/lib.sh"
g=$top_srcdir/tests/golden
need "$OPENSSL"
sh "$g/mkcerts.sh" "$PKI" "$T/certs" || fail "making test certificates"
: > "$T/certs/none.pem"
fp=$(cat "$T/certs/rich.fp")
fplow=$(printf '%s' "$fp" | tr -d : | tr A-F a-f)
spki=$(cat "$T/certs/rich.spki")
mkdir -p "$T/p"
for f in "$g"/*.conf "$g"/*.txt "$g"/*.inc; do
	sed -e "s/@FP@/$fp/" -e "s/@FPLOW@/$fplow/" -e "s/@SPKI@/$spki/" \
	    "$f" > "$T/p/${f##*/}"
done
cp "$PKI/client-chain.pem" "$PKI/client-ca.crl" "$T/p/"

policy_file() {	# FILE[@ID@SRC]: prints the path of the policy to use
	case $1 in
	policies/*) echo "$top_srcdir/$1" ;;
	*@*)
		base=${1%%@*}; rest=${1#*@}; id=${rest%%@*}; src=${rest#*@}
		out=$T/p/$base.$id.$(printf '%s' "$src" | tr -c a-z _)
		sed -e "s/@ID@/$id/" -e "s/@SRC@/$src/" "$T/p/$base" > "$out"
		echo "$out" ;;
	*) echo "$T/p/$1" ;;
	esac
}

n=0
while IFS='|' read -r name policy cert args; do
	case $name in ''|'#'*) continue ;; esac
	n=$((n + 1))
	[ $n -le 1000 ] || fail "too many cases"
	name=$(echo $name); policy=$(echo $policy); cert=$(echo $cert)
	c=$PKI/$cert.pem
	[ -f "$c" ] || c=$T/certs/$cert.pem
	p=$(policy_file "$policy")
	out=$(eval "\"\$top_builddir/certauthz\" check -c \"\$p\" $args \"\$c\"" 2>&1)
	rc=$?
	printf '%s: %s exit=%d\n' "$name" "$out" "$rc"
done < "$g/cases.txt" | sed -e 's/ us=[0-9]*/ us=N/' -e "s|$T|T|g" \
    -e 's/ user=[0-9a-f]\{64\} / user=SHA256 /' > "$T/cases.out"

# Every allow has a deny twin (the rule of cases.txt's header): a later
# case NAME-twin or NAME-twin-WHAT that denies; an allow named
# BASE-twin[-WHAT] is the twin of the earlier case BASE, which denies.
awk '{
	name = $1; sub(/:$/, "", name)
	n++; names[n] = name; dec[name] = $2; pos[name] = n
}
END {
	for (i = 1; i <= n; i++) {
		a = names[i]
		if (dec[a] != "allow")
			continue
		ok = 0
		if (match(a, /-twin(-|$)/)) {
			b = substr(a, 1, RSTART - 1)
			ok = (b in dec) && dec[b] == "deny" && pos[b] < i
		} else
			for (j = i + 1; j <= n && !ok; j++)
				ok = (names[j] == a "-twin" ||
				    index(names[j], a "-twin-") == 1) &&
				    dec[names[j]] == "deny"
		if (!ok) {
			print "allow without a deny twin: " a
			bad = 1
		}
	}
	exit bad
}' "$T/cases.out" >&2 || fail "cases.txt: an allow case has no deny twin"

# every error file (refused, exit 1) and the warnings of lint
for f in "$g"/errors/*.conf; do
	echo "== ${f##*/}"
	"$top_builddir/certauthz" lint -c "$f" 2>&1
	echo "exit=$?"
done | sed -e "s|$g/errors/||g" > "$T/errors.out"

if [ "${GOLDEN_UPDATE:-}" = 1 ]; then
	cp "$T/cases.out" "$g/cases.out"
	cp "$T/errors.out" "$g/errors.golden"
	echo "rewrote $g/cases.out $g/errors.golden"
	exit 0
fi
diff -u "$g/cases.out" "$T/cases.out" || fail "cases.out differs"
diff -u "$g/errors.golden" "$T/errors.out" || fail "errors.golden differs"
echo "$(grep -c . "$T/cases.out") cases, $(grep -c "^== " "$T/errors.out") error files"
