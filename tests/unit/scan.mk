# tests/unit/scan.mk: fragment of Makefile.am (fcgi/scan.c tests)
