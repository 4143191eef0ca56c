# fcgi/: the daemon.
sbin_PROGRAMS += certauthzd
certauthzd_SOURCES = \
	fcgi/main.c fcgi/server.c fcgi/request.c fcgi/response.c \
	fcgi/privs.c fcgi/listen.c fcgi/log.c fcgi/log.h fcgi/certauthzd.h \
	fcgi/scan.c fcgi/scan.h fcgi/http.c fcgi/metrics.c fcgi/watch.c
certauthzd_CPPFLAGS = $(AM_CPPFLAGS) $(FCGI_CFLAGS) $(MHD_CFLAGS)
certauthzd_CFLAGS = $(AM_CFLAGS) $(PTHREAD_CFLAGS)
certauthzd_LDADD = $(AUTHZ_LIBS) $(MHD_LIBS) $(PTHREAD_LIBS)
