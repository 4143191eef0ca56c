# tests/fuzz/: libFuzzer targets (--enable-fuzzing, clang), their
# regression driver (always built, run by `make check`), `make fuzz-smoke`.
#
# With --enable-fuzzing the whole tree is compiled with
# -fsanitize=fuzzer-no-link (coverage for libFuzzer, no main), and only
# the fuzz_* programs are linked with -fsanitize=fuzzer.  Add
# --enable-sanitizers for ASan+UBSan as well (recommended):
#   ./configure CC=clang --enable-fuzzing --enable-sanitizers

FUZZ_TARGET_NAMES = cert dn policy request scan
FUZZSRC_COMMON = tests/fuzz/fuzz.h tests/fuzz/fuzz_util.c $(CERTGEN_SRC)

# The regression drivers: the same targets with driver.c's main().
check_PROGRAMS += tests/fuzz/regress-cert tests/fuzz/regress-dn \
	tests/fuzz/regress-policy tests/fuzz/regress-request \
	tests/fuzz/regress-scan
tests_fuzz_regress_cert_SOURCES = tests/fuzz/fuzz_cert.c tests/fuzz/driver.c $(FUZZSRC_COMMON)
tests_fuzz_regress_cert_LDADD = $(AUTHZ_LIBS)
tests_fuzz_regress_dn_SOURCES = tests/fuzz/fuzz_dn.c tests/fuzz/driver.c $(FUZZSRC_COMMON)
tests_fuzz_regress_dn_LDADD = $(AUTHZ_LIBS)
tests_fuzz_regress_policy_SOURCES = tests/fuzz/fuzz_policy.c tests/fuzz/driver.c $(FUZZSRC_COMMON)
tests_fuzz_regress_policy_LDADD = $(AUTHZ_LIBS)
tests_fuzz_regress_request_SOURCES = tests/fuzz/fuzz_request.c tests/fuzz/driver.c $(FUZZSRC_COMMON)
tests_fuzz_regress_request_LDADD = $(AUTHZ_LIBS)
# fuzz_scan: fcgi/scan.c alone (no library: the scanner is pure).
FUZZSRC_SCAN = tests/fuzz/fuzz_scan.c tests/fuzz/fuzz.h fcgi/scan.c \
	fcgi/scan.h
tests_fuzz_regress_scan_SOURCES = $(FUZZSRC_SCAN) tests/fuzz/driver.c
tests_fuzz_regress_scan_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/fcgi
TESTS += tests/fuzz/regress.sh
dist_noinst_SCRIPTS += tests/fuzz/regress.sh tests/fuzz/corpus.sh
EXTRA_DIST += tests/fuzz/lsan.supp
# Listed by file where a build dir could hold products (a directory in
# EXTRA_DIST is copied from the build dir when it exists there).
EXTRA_DIST += tests/fuzz/regress

if FUZZING
AM_CFLAGS += -fsanitize=fuzzer-no-link
noinst_PROGRAMS += tests/fuzz/fuzz_cert tests/fuzz/fuzz_dn \
	tests/fuzz/fuzz_policy tests/fuzz/fuzz_request tests/fuzz/fuzz_scan
FUZZLINK_FLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_cert_SOURCES = tests/fuzz/fuzz_cert.c $(FUZZSRC_COMMON)
tests_fuzz_fuzz_cert_LDADD = $(AUTHZ_LIBS)
tests_fuzz_fuzz_cert_LDFLAGS = $(FUZZLINK_FLAGS)
tests_fuzz_fuzz_dn_SOURCES = tests/fuzz/fuzz_dn.c $(FUZZSRC_COMMON)
tests_fuzz_fuzz_dn_LDADD = $(AUTHZ_LIBS)
tests_fuzz_fuzz_dn_LDFLAGS = $(FUZZLINK_FLAGS)
tests_fuzz_fuzz_policy_SOURCES = tests/fuzz/fuzz_policy.c $(FUZZSRC_COMMON)
tests_fuzz_fuzz_policy_LDADD = $(AUTHZ_LIBS)
tests_fuzz_fuzz_policy_LDFLAGS = $(FUZZLINK_FLAGS)
tests_fuzz_fuzz_request_SOURCES = tests/fuzz/fuzz_request.c $(FUZZSRC_COMMON)
tests_fuzz_fuzz_request_LDADD = $(AUTHZ_LIBS)
tests_fuzz_fuzz_request_LDFLAGS = $(FUZZLINK_FLAGS)
tests_fuzz_fuzz_scan_SOURCES = $(FUZZSRC_SCAN)
tests_fuzz_fuzz_scan_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/fcgi
tests_fuzz_fuzz_scan_LDFLAGS = $(FUZZLINK_FLAGS)

# make fuzz-smoke [FUZZ_SECONDS=45]: each target for FUZZ_SECONDS from a
# seed corpus made now; fails on any crash, leak, timeout or OOM.  A
# crashing input is left in tests/fuzz/artifacts/.
FUZZ_SECONDS = 45
# A fixed seed: the same mutations in every run (FUZZ_SEED=0: random).
FUZZ_SEED = 1
fuzz-smoke: tests/pki/out/.done tests/fuzz/fuzz_cert tests/fuzz/fuzz_dn \
	    tests/fuzz/fuzz_policy tests/fuzz/fuzz_request tests/fuzz/fuzz_scan
	@rm -rf tests/fuzz/corpus tests/fuzz/artifacts tests/fuzz/tmp; \
	mkdir -p tests/fuzz/artifacts tests/fuzz/tmp; \
	OPENSSL='$(OPENSSL)' $(SHELL) $(srcdir)/tests/fuzz/corpus.sh \
	    tests/pki/out tests/fuzz/corpus || exit 1; \
	rv=0; \
	for t in $(FUZZ_TARGET_NAMES); do \
	    echo "fuzz-smoke: fuzz_$$t for $(FUZZ_SECONDS) s"; \
	    mkdir -p tests/fuzz/corpus/$$t.work; \
	    dirs="tests/fuzz/corpus/$$t.work tests/fuzz/corpus/$$t"; \
	    test -d $(srcdir)/tests/fuzz/regress/$$t && \
	        dirs="$$dirs $(srcdir)/tests/fuzz/regress/$$t"; \
	    TMPDIR=$$PWD/tests/fuzz/tmp \
	    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    LSAN_OPTIONS=suppressions=$(abs_srcdir)/tests/fuzz/lsan.supp \
	    ./tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
	        -timeout=10 -rss_limit_mb=2048 -max_len=20000 -seed=$(FUZZ_SEED) \
	        -print_final_stats=1 \
	        -artifact_prefix=tests/fuzz/artifacts/$$t- $$dirs \
	        > tests/fuzz/fuzz_$$t.log 2>&1 || { rv=1; \
	        echo "fuzz-smoke: fuzz_$$t FAILED:"; \
	        tail -n 60 tests/fuzz/fuzz_$$t.log; }; \
	    grep -E '^stat::(number_of_executed_units|peak_rss_mb)' \
	        tests/fuzz/fuzz_$$t.log | tr '\n' ' '; echo; \
	done; \
	ls tests/fuzz/artifacts; exit $$rv
else
fuzz-smoke:
	@echo "make fuzz-smoke needs: ./configure CC=clang --enable-fuzzing --enable-sanitizers"; exit 1
endif
CLEANFILES += tests/fuzz/*.log
