# policies: fragment of Makefile.am
