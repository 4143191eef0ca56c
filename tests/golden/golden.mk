# tests/golden: `certauthz check` and `certauthz lint` against golden
# output (cases.txt -> cases.out, errors/*.conf -> errors.golden), the
# example policies, `certauthz test` (policytest.sh), and a 1,000,000-entry
# list.
TESTS += tests/golden/golden.sh tests/golden/policies.sh \
	tests/golden/biglist.sh tests/golden/policytest.sh
check_PROGRAMS += tests/golden/maxrss
tests_golden_maxrss_SOURCES = tests/golden/maxrss.c
EXTRA_DIST += tests/golden/golden.sh tests/golden/policies.sh \
	tests/golden/biglist.sh tests/golden/policytest.sh \
	tests/golden/mkcerts.sh \
	tests/golden/cases.txt tests/golden/cases.out tests/golden/errors.golden \
	tests/golden/keys.conf tests/golden/select.conf \
	tests/golden/identity.conf tests/golden/settings.conf \
	tests/golden/lax.conf tests/golden/verify.conf tests/golden/names.txt \
	tests/golden/when.conf tests/golden/matched.conf \
	tests/golden/eku-first.conf \
	tests/golden/emptylist.conf tests/golden/emptylist.txt \
	tests/golden/include.conf tests/golden/include.inc \
	tests/golden/shadow.conf tests/golden/shadow-cand.conf \
	tests/golden/errors/bad-ca.conf \
	tests/golden/errors/ca-not-a-file.conf \
	tests/golden/errors/list-not-a-file.conf \
	tests/golden/errors/include-not-a-file.conf \
	tests/golden/errors/big-rdn.conf \
	tests/golden/errors/empty-list.conf \
	tests/golden/errors/empty-list-unused.conf \
	tests/golden/errors/empty-list-file.conf \
	tests/golden/errors/empty-list.txt \
	tests/golden/errors/max-cert.conf \
	tests/golden/errors/bad-list-entry.conf \
	tests/golden/errors/bad-settings.conf \
	tests/golden/errors/bad-types.conf \
	tests/golden/errors/bad-values.conf \
	tests/golden/errors/crl-without-ca.conf \
	tests/golden/errors/deny-fingerprint.conf \
	tests/golden/errors/duplicate-policy.conf \
	tests/golden/errors/duplicate-rule.conf \
	tests/golden/errors/empty-policies.conf \
	tests/golden/errors/no-policies.conf \
	tests/golden/errors/syntax.conf \
	tests/golden/errors/unknown-condition.conf \
	tests/golden/errors/unknown-list.conf \
	tests/golden/errors/unknown-setting.conf \
	tests/golden/errors/unknown-top.conf \
	tests/golden/errors/unreadable-list.conf \
	tests/golden/errors/warnings.conf \
	tests/golden/errors/bad-serials.txt
