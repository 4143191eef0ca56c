# tests/unit/scan.mk: fragment of Makefile.am (fcgi/scan.c tests)
TESTS += tests/unit/test_scan
check_PROGRAMS += tests/unit/test_scan
tests_unit_test_scan_SOURCES = tests/unit/test_scan.c tests/unit/test.h \
	fcgi/scan.c fcgi/scan.h
tests_unit_test_scan_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/fcgi
