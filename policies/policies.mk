# policies/: example policies; `make check` lints each one and runs it
# against the test PKI (tests/golden/policies.sh), and runs example.test
# (tests/golden/policytest.sh).  Installed, with the
# list files they name, in $(docdir)/examples.
examplesdir = $(docdir)/examples
dist_examples_DATA = \
	policies/example.conf policies/revoked.txt \
	policies/serial-allowlist.conf policies/allowed-serials.txt \
	policies/revocation.conf policies/dn.conf \
	policies/email-domain.conf policies/spiffe.conf \
	policies/admin-area.conf policies/example.test
