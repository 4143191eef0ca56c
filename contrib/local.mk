# contrib: fragment of Makefile.am.  Web-server snippets, systemd
# units and the quickstart.  The snippets are installed as examples in
# $(pkgdatadir); the units only with --with-systemdsystemunitdir.

contrib_nginxdir = $(pkgdatadir)/nginx
dist_contrib_nginx_DATA = \
	contrib/nginx/certauthz_params \
	contrib/nginx/certauthz-location.conf \
	contrib/nginx/certauthz-proxy.conf \
	contrib/nginx/certauthz-example.conf

contrib_apachedir = $(pkgdatadir)/apache
dist_contrib_apache_DATA = \
	contrib/apache/certauthz-env.conf \
	contrib/apache/certauthz-headers.conf \
	contrib/apache/certauthz-authnz-fcgi.conf \
	contrib/apache/certauthz-fcgid.conf

dist_noinst_SCRIPTS += contrib/quickstart.sh
EXTRA_DIST += \
	contrib/systemd/certauthzd.service.in \
	contrib/systemd/certauthzd.socket

if HAVE_SYSTEMD
systemdsystemunit_DATA = \
	contrib/systemd/certauthzd.service \
	contrib/systemd/certauthzd.socket
endif

# Made here, not by configure, so that `make sbindir=...` is honoured.
CLEANFILES += contrib/systemd/certauthzd.service
contrib/systemd/certauthzd.service: $(srcdir)/contrib/systemd/certauthzd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) contrib/systemd && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' \
	    -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	    $(srcdir)/contrib/systemd/certauthzd.service.in > $@.tmp && \
	mv $@.tmp $@
