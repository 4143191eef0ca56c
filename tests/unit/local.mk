# tests/unit: fragment of Makefile.am
