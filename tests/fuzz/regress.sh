#!/bin/bash
# regress.sh: runs every fuzz target's non-fuzzer driver over the kept
# regression inputs (tests/fuzz/regress/TARGET/) and over the seed
# corpus made from the test PKI, so that both run in every `make check`
# (gcc, ASan, valgrind) and not only under libFuzzer.
. "$top_srcdir/tests/lib.sh"
# libconfig's own leak on a syntax error (see lsan.supp) is not ours.
LSAN_OPTIONS="suppressions=$top_srcdir/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

sh "$top_srcdir/tests/fuzz/corpus.sh" "$PKI" "$T/corpus" ||
    fail "making the seed corpus"
for t in cert dn policy request scan; do
	drv="$top_builddir/tests/fuzz/regress-$t"
	[ -x "$drv" ] || fail "$drv is not built"
	dirs="$T/corpus/$t"
	[ -d "$top_srcdir/tests/fuzz/regress/$t" ] &&
	    dirs="$dirs $top_srcdir/tests/fuzz/regress/$t"
	# Regression inputs that are certificates are kept as scripts that
	# make them (no certificate is committed): run each into $T.
	if [ -d "$top_srcdir/tests/fuzz/regress/$t.gen" ]; then
		mkdir -p "$T/gen-$t"
		for g in "$top_srcdir/tests/fuzz/regress/$t.gen"/*.sh; do
			[ -f "$g" ] || continue
			sh "$g" "$PKI" > "$T/gen-$t/$(basename "$g" .sh)" ||
			    fail "$g"
		done
		dirs="$dirs $T/gen-$t"
	fi
	# shellcheck disable=SC2086
	TMPDIR=$T ${VALGRIND_WRAP:-} "$drv" $dirs ||
	    fail "regress-$t failed (input above)"
done
exit 0
