# tests/hostile/: the generator of hostile certificates and the
# scripts that the hardening tests in tests/integration/ use.
check_PROGRAMS += tests/hostile/gen
tests_hostile_gen_SOURCES = tests/hostile/gen.c $(CERTGEN_SRC)
tests_hostile_gen_LDADD = $(CRYPTO_LIBS)
dist_noinst_SCRIPTS += tests/hostile/gen.sh tests/hostile/fcgi.py \
	tests/hostile/logcheck.py
