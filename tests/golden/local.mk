# tests/golden: fragment of Makefile.am
