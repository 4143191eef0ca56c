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
