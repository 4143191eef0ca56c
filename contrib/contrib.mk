# contrib: fragment of Makefile.am.  Web-server snippets, systemd
# units, the default policy and the quickstart.  The snippets are
# installed as examples in $(pkgdatadir); the units only with
# --with-systemdsystemunitdir; the default policy (it denies every
# request) as $(sysconfdir)/certauthz/policy.conf, only where none is.

contrib_nginxdir = $(pkgdatadir)/nginx
dist_contrib_nginx_DATA = \
	contrib/nginx/certauthz_params \
	contrib/nginx/certauthz-location.conf \
	contrib/nginx/certauthz-proxy.conf \
	contrib/nginx/certauthz-example.conf \
	contrib/nginx/certauthz-http-location.conf \
	contrib/nginx/certauthz-http-proxy.conf

contrib_caddydir = $(pkgdatadir)/caddy
dist_contrib_caddy_DATA = contrib/caddy/Caddyfile.certauthz

contrib_apachedir = $(pkgdatadir)/apache
dist_contrib_apache_DATA = \
	contrib/apache/certauthz-env.conf \
	contrib/apache/certauthz-headers.conf \
	contrib/apache/certauthz-authnz-fcgi.conf \
	contrib/apache/certauthz-fcgid.conf

dist_noinst_SCRIPTS += contrib/quickstart.sh
EXTRA_DIST += \
	contrib/systemd/certauthzd.service.in \
	contrib/systemd/certauthzd.socket \
	contrib/policy.conf

# The default policy: never over one that is there (an edited policy
# survives `make install`), removed by `make uninstall` only while it is
# the shipped one.  Every regular file of contrib/lighttpd/, when that
# folder exists, goes to $(pkgdatadir)/lighttpd, as nginx/ and apache/ do.
policydir = $(sysconfdir)/certauthz
install-data-local:
	$(MKDIR_P) '$(DESTDIR)$(policydir)'
	@if test -f '$(DESTDIR)$(policydir)/policy.conf'; then \
	    echo "keeping $(DESTDIR)$(policydir)/policy.conf"; \
	else \
	    echo " $(INSTALL_DATA) contrib/policy.conf '$(DESTDIR)$(policydir)/policy.conf'"; \
	    $(INSTALL_DATA) $(srcdir)/contrib/policy.conf \
	        '$(DESTDIR)$(policydir)/policy.conf'; \
	fi
	@for f in $(srcdir)/contrib/lighttpd/*; do \
	    test -f "$$f" || continue; \
	    $(MKDIR_P) '$(DESTDIR)$(pkgdatadir)/lighttpd' && \
	    echo " $(INSTALL_DATA) $$f '$(DESTDIR)$(pkgdatadir)/lighttpd'" && \
	    $(INSTALL_DATA) "$$f" '$(DESTDIR)$(pkgdatadir)/lighttpd' || exit 1; \
	done

uninstall-local:
	@if cmp -s $(srcdir)/contrib/policy.conf \
	    '$(DESTDIR)$(policydir)/policy.conf'; then \
	    echo " rm -f '$(DESTDIR)$(policydir)/policy.conf'"; \
	    rm -f '$(DESTDIR)$(policydir)/policy.conf'; \
	    rmdir '$(DESTDIR)$(policydir)' 2>/dev/null || :; \
	fi
	@for f in $(srcdir)/contrib/lighttpd/*; do \
	    test -f "$$f" || continue; \
	    rm -f '$(DESTDIR)$(pkgdatadir)/lighttpd/'"$${f##*/}"; \
	done; \
	rmdir '$(DESTDIR)$(pkgdatadir)/lighttpd' 2>/dev/null || :

# contrib/lighttpd/ travels in the tarball whole, whatever it holds.
dist-hook:
	@if test -d $(srcdir)/contrib/lighttpd; then \
	    $(MKDIR_P) $(distdir)/contrib/lighttpd && \
	    for f in $(srcdir)/contrib/lighttpd/*; do \
	        test -f "$$f" || continue; \
	        cp -p "$$f" $(distdir)/contrib/lighttpd/ || exit 1; \
	    done; \
	fi

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
