# tests/unit/: the C unit tests, each a program that prints file and
# line on failure.

# cert, dn, cache
#
# test_dn runs on its own; certs.sh makes certificates (gencert and the
# test PKI) and runs test_cert and test_cache over them.  bench_decode is
# a micro-benchmark, built by `make check` but never run by it.
# certgen.c: the one certificate builder, for gencert, test_eval,
# tests/hostile/gen and the fuzz targets.
CERTGEN_SRC = tests/unit/certgen.c tests/unit/certgen.h

check_PROGRAMS += tests/unit/test_dn tests/unit/test_cert \
	tests/unit/test_cache tests/unit/gencert tests/unit/bench_decode
TESTS += tests/unit/test_dn tests/unit/certs.sh
dist_noinst_SCRIPTS += tests/unit/certs.sh

tests_unit_test_dn_SOURCES = tests/unit/test_dn.c tests/unit/test.h
tests_unit_test_dn_LDADD = $(AUTHZ_LIBS)
tests_unit_test_cert_SOURCES = tests/unit/test_cert.c tests/unit/test.h
tests_unit_test_cert_LDADD = $(AUTHZ_LIBS)
tests_unit_test_cache_SOURCES = tests/unit/test_cache.c tests/unit/test.h
tests_unit_test_cache_LDADD = $(AUTHZ_LIBS)
tests_unit_gencert_SOURCES = tests/unit/gencert.c $(CERTGEN_SRC)
tests_unit_gencert_LDADD = $(CRYPTO_LIBS)
tests_unit_bench_decode_SOURCES = tests/unit/bench_decode.c
tests_unit_bench_decode_CFLAGS = $(AM_CFLAGS) $(PTHREAD_CFLAGS)
tests_unit_bench_decode_LDADD = $(AUTHZ_LIBS) $(PTHREAD_LIBS)

# policy, match, eval, decision
TESTS += tests/unit/test_match tests/unit/test_decision tests/unit/test_eval
check_PROGRAMS += tests/unit/test_match tests/unit/test_decision \
	tests/unit/test_eval
tests_unit_test_match_SOURCES = tests/unit/test_match.c
tests_unit_test_match_LDADD = $(AUTHZ_LIBS)
tests_unit_test_decision_SOURCES = tests/unit/test_decision.c
tests_unit_test_decision_LDADD = $(AUTHZ_LIBS)
tests_unit_test_eval_SOURCES = tests/unit/test_eval.c tests/unit/test.h \
	$(CERTGEN_SRC)
tests_unit_test_eval_LDADD = $(AUTHZ_LIBS)

# fcgi/scan.c
TESTS += tests/unit/test_scan
check_PROGRAMS += tests/unit/test_scan
tests_unit_test_scan_SOURCES = tests/unit/test_scan.c tests/unit/test.h \
	fcgi/scan.c fcgi/scan.h
tests_unit_test_scan_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/fcgi

# fcgi/scan.c's reading of the params against libfcgi's
TESTS += tests/unit/test_fcgi_ref
check_PROGRAMS += tests/unit/test_fcgi_ref
tests_unit_test_fcgi_ref_SOURCES = tests/unit/test_fcgi_ref.c \
	tests/unit/test.h fcgi/scan.c fcgi/scan.h
tests_unit_test_fcgi_ref_CPPFLAGS = $(AM_CPPFLAGS) $(FCGI_CFLAGS) \
	-I$(top_srcdir)/fcgi
tests_unit_test_fcgi_ref_LDADD = $(FCGI_LIBS)
