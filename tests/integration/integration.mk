# tests/integration: the daemon against a real socket (daemon*.sh) and
# the FastCGI test client they, the benchmarks and the hardening tests use.
check_PROGRAMS += tests/integration/fcgi-client
tests_integration_fcgi_client_SOURCES = tests/integration/fcgi-client.c
TESTS += tests/integration/daemon.sh tests/integration/daemon-signals.sh \
	tests/integration/daemon-sockets.sh tests/integration/daemon-syslog.sh \
	tests/integration/ping.sh tests/integration/metrics.sh \
	tests/integration/daemon-fresh.sh
dist_noinst_SCRIPTS += tests/integration/daemon.sh \
	tests/integration/daemon-signals.sh tests/integration/daemon-sockets.sh \
	tests/integration/daemon-syslog.sh tests/integration/daemon-lib.sh \
	tests/integration/ping.sh tests/integration/metrics.sh \
	tests/integration/daemon-fresh.sh

# Real nginx, Apache and lighttpd.
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

# The hardening tests (tests/hostile/ makes their inputs).
TESTS += tests/integration/hostile.sh
dist_noinst_SCRIPTS += tests/integration/hostile.sh
TESTS += tests/integration/hostile-nul.sh
dist_noinst_SCRIPTS += tests/integration/hostile-nul.sh
TESTS += tests/integration/faults.sh
dist_noinst_SCRIPTS += tests/integration/faults.sh
TESTS += tests/integration/limits.sh
dist_noinst_SCRIPTS += tests/integration/limits.sh
