# tests/unit/policy.mk: fragment of Makefile.am (policy, match, eval, decision tests)
