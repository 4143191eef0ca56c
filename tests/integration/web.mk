# tests/integration/web.mk: fragment of Makefile.am (real nginx, Apache
# and lighttpd)
#
# Each test starts its own nginx, Apache or lighttpd on free loopback
# ports from the shipped contrib/ files; it is skipped when the server is
# absent.

web_tests = \
	tests/integration/nginx.sh \
	tests/integration/apache.sh \
	tests/integration/apache-fcgid.sh \
	tests/integration/lighttpd.sh \
	tests/integration/differential.sh \
	tests/integration/bigsubject.sh \
	tests/integration/routing.sh \
	tests/integration/http-nginx.sh \
	tests/integration/http-caddy.sh \
	tests/integration/http-routing.sh
TESTS += $(web_tests) tests/integration/http-daemon.sh
dist_noinst_SCRIPTS += $(web_tests) tests/integration/web-lib.sh \
	tests/integration/http-daemon.sh
dist_noinst_DATA += tests/integration/targets.txt
