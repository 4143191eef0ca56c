# tests/bench/: `make bench` (never part of `make check`).
#
# The load generator and the null responder are built only for `make
# bench`; tests/bench/run.sh does the rest and writes bench-results/.
# BENCH_SECONDS (per case, default 5), BENCH_CASES (default "direct
# metrics reload memory e2e wiring apache"; add "profile" for strace -c) and the
# other BENCH_* of run.sh pass through the environment.  The apache case
# is tests/bench/apache.sh (sourced by run.sh) and apache-check.lua.
EXTRA_PROGRAMS = tests/bench/fcgi-load tests/bench/null-responder \
	tests/bench/syslog-sink
tests_bench_fcgi_load_SOURCES = tests/bench/fcgi-load.c
tests_bench_fcgi_load_CFLAGS = $(AM_CFLAGS)
tests_bench_fcgi_load_LDADD = $(CRYPTO_LIBS)
tests_bench_null_responder_SOURCES = tests/bench/null-responder.c
tests_bench_null_responder_CPPFLAGS = $(AM_CPPFLAGS) $(FCGI_CFLAGS)
tests_bench_null_responder_CFLAGS = $(AM_CFLAGS) $(PTHREAD_CFLAGS)
tests_bench_null_responder_LDADD = $(FCGI_LIBS) $(PTHREAD_LIBS)
tests_bench_syslog_sink_SOURCES = tests/bench/syslog-sink.c
dist_noinst_SCRIPTS += tests/bench/run.sh tests/bench/mkcerts.sh
dist_noinst_DATA += tests/bench/params.txt tests/bench/apache.sh \
	tests/bench/apache-check.lua
CLEANFILES += $(EXTRA_PROGRAMS)

bench: certauthzd certauthz tests/bench/fcgi-load tests/bench/null-responder \
	    tests/bench/syslog-sink
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	OPENSSL='$(OPENSSL)' $(SHELL) $(srcdir)/tests/bench/run.sh bench-results
