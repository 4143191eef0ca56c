# tests/unit/policy.mk: fragment of Makefile.am (policy, match, eval, decision tests)
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
