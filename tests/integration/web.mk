# tests/integration/web.mk: fragment of Makefile.am (real nginx and Apache)
