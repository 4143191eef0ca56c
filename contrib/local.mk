# contrib: fragment of Makefile.am
