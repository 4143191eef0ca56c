/*
 * main.c: certauthzd's options and start-up (certauthzd(8)).
 *
 * Order: options; -t checks the policy and exits; otherwise load the
 * policy (a broken one is a start-up error), bind every socket (-s may
 * be given up to CERTAUTHZD_LISTEN_MAX times, FastCGI and HTTP side by
 * side, and the -M metrics socket), write the pid file, drop privileges, serve until
 * SIGTERM/SIGINT, clean up.  The daemon never forks into the
 * background.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "certauthzd.h"
#include "log.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define MAIN_POLICY	SYSCONFDIR "/certauthz/policy.conf"
#define MAIN_THREADS_MAX	1024

/*
 * The default -n: two workers per online CPU, at least
 * CERTAUTHZD_THREADS_MIN.  Workers never wait on idle connections, so
 * more than that only adds preemption: on 2 CPUs, 4 workers served the
 * keep-alive benchmark faster than 8 or 16, with a shorter us= tail.
 */
static int
main_threads(void)
{
	long	 n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < CERTAUTHZD_THREADS_MIN / 2)
		return CERTAUTHZD_THREADS_MIN;
	if (n > MAIN_THREADS_MAX / 2)
		return MAIN_THREADS_MAX;
	return (int)(2 * n);
}

static void __attribute__((noreturn))
main_usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: certauthzd [-c FILE] [-s SOCKET]... [-n THREADS] [-u USER] "
	    "[-g GROUP]\n"
	    "                  [-m MODE] [-M SOCKET] [-p PIDFILE] [-d] [-t] "
	    "[-V] [-h]\n"
	    "  -c FILE     policy file (default %s)\n"
	    "  -s SOCKET   [http:]unix:/path or [http:]tcp:HOST:PORT, "
	    "repeatable\n"
	    "              (default: systemd's socket, else fd 0; FastCGI)\n"
	    "  -n THREADS  worker threads (default 2 x CPUs, at least %d: "
	    "here %d)\n"
	    "  -u USER     user to run as after binding\n"
	    "  -g GROUP    group to run as after binding\n"
	    "  -m MODE     octal mode of a unix socket (default 0660)\n"
	    "  -M SOCKET   metrics and /healthz: unix:/path or "
	    "tcp:LOOPBACK:PORT\n"
	    "  -p PIDFILE  write the pid there\n"
	    "  -d          log to stderr too\n"
	    "  -t          check the policy file and exit\n"
	    "  -V          print the version\n",
	    MAIN_POLICY, CERTAUTHZD_THREADS_MIN, main_threads());
	exit(status);
}

/* -t: each load error goes to stderr as FILE:LINE: message. */
static void
main_msg_stderr(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "%s\n", msg);
}

/* Removes the unix sockets of the first n of ls; closes them too. */
static void
main_unlisten(struct listener *ls, int n, int doclose)
{
	int	 i;

	for (i = 0; i < n; i++) {
		if (doclose && ls[i].fd > 2)
			close(ls[i].fd);
		if (ls[i].unlink_path != NULL &&
		    unlink(ls[i].unlink_path) == -1)
			log_warn("unlink %s", ls[i].unlink_path);
		free(ls[i].unlink_path);
		ls[i].unlink_path = NULL;
	}
}

/*
 * Binds every listener of ls (spec NULL: the inherited socket, FastCGI),
 * chowned to uid/gid when it is a unix socket.  Returns 0, or -1 with
 * every socket made so far closed and removed.
 */
static int
main_listen(struct listener *ls, int n, mode_t mode, uid_t uid, gid_t gid)
{
	const char	*spec;
	int		 i;

	for (i = 0; i < n; i++) {
		spec = ls[i].spec;
		if (spec != NULL && strncmp(spec, "http:", 5) == 0) {
			ls[i].proto = LISTEN_HTTP;
			spec += 5;
		}
		if ((ls[i].fd = listen_open(spec, mode,
		    &ls[i].unlink_path)) == -1)
			goto fail;
		if (ls[i].unlink_path != NULL &&
		    (uid != (uid_t)-1 || gid != (gid_t)-1) &&
		    chown(ls[i].unlink_path, uid, gid) == -1) {
			log_warn("chown %s", ls[i].unlink_path);
			i++;
			goto fail;
		}
	}
	return 0;
fail:
	main_unlisten(ls, i, 1);
	return -1;
}

/*
 * Binds the -M socket into *l (chowned like the others); refuses one
 * that is neither a unix socket nor on a loopback address.  Returns 0
 * or -1 (logged, nothing left).
 */
static int
main_metrics_listen(struct listener *l, mode_t mode, uid_t uid, gid_t gid)
{
	if (strncmp(l->spec, "unix:", 5) != 0 &&
	    strncmp(l->spec, "tcp:", 4) != 0) {
		log_warnx("-M %s: unix:/path or tcp:LOOPBACK:PORT", l->spec);
		return -1;
	}
	if ((l->fd = listen_open(l->spec, mode, &l->unlink_path)) == -1)
		return -1;
	if (metrics_check_loopback(l->fd) == -1) {
		log_warnx("-M %s: not a loopback address: metrics are served "
		    "on a unix socket or loopback only", l->spec);
		goto fail;
	}
	if (l->unlink_path != NULL && (uid != (uid_t)-1 ||
	    gid != (gid_t)-1) && chown(l->unlink_path, uid, gid) == -1) {
		log_warn("chown %s", l->unlink_path);
		goto fail;
	}
	return 0;
fail:
	main_unlisten(l, 1, 1);
	l->fd = -1;
	return -1;
}

static int
main_pidfile(const char *path)
{
	FILE	*fp;

	if ((fp = fopen(path, "w")) == NULL) {
		log_warn("%s: %s", __func__, path);
		return -1;
	}
	fprintf(fp, "%ld\n", (long)getpid());
	if (fclose(fp) != 0) {
		log_warn("%s: %s", __func__, path);
		return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct server_config	 conf;
	struct authz_policy	*policy;
	struct listener		 ls[CERTAUTHZD_LISTEN_MAX], ml;
	const char		*user = NULL, *group = NULL;
	const char		*pidfile = NULL;
	char			*end;
	mode_t			 mode = 0660;
	uid_t			 uid;
	gid_t			 gid;
	long			 l;
	int			 ch, check = 0, nls = 0, rc;

	memset(&conf, 0, sizeof(conf));
	memset(ls, 0, sizeof(ls));
	memset(&ml, 0, sizeof(ml));
	ml.fd = -1;
	conf.metrics_fd = -1;
	conf.policy_file = MAIN_POLICY;
	conf.threads = main_threads();

	while ((ch = getopt(argc, argv, "c:s:n:u:g:m:M:p:dtVh")) != -1) {
		switch (ch) {
		case 'c':
			conf.policy_file = optarg;
			break;
		case 's':
			if (nls == CERTAUTHZD_LISTEN_MAX) {
				fprintf(stderr, "certauthzd: -s: at most %d\n",
				    CERTAUTHZD_LISTEN_MAX);
				return 1;
			}
			ls[nls++].spec = optarg;
			break;
		case 'n':
			errno = 0;
			l = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno != 0 ||
			    l < 1 || l > MAIN_THREADS_MAX) {
				fprintf(stderr, "certauthzd: -n: 1..%d\n",
				    MAIN_THREADS_MAX);
				return 1;
			}
			conf.threads = (int)l;
			break;
		case 'u':
			user = optarg;
			break;
		case 'g':
			group = optarg;
			break;
		case 'm':
			errno = 0;
			l = strtol(optarg, &end, 8);
			if (*optarg == '\0' || *end != '\0' || errno != 0 ||
			    l < 0 || l > 0777) {
				fprintf(stderr, "certauthzd: -m: octal mode\n");
				return 1;
			}
			mode = (mode_t)l;
			break;
		case 'M':
			ml.spec = optarg;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'd':
			conf.debug = 1;
			break;
		case 't':
			check = 1;
			break;
		case 'V':
			printf("certauthzd %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			main_usage(0);
		default:
			main_usage(1);
		}
	}
	if (optind != argc)
		main_usage(1);

	if (check) {
		policy = authz_policy_load(conf.policy_file, 0,
		    main_msg_stderr, NULL);
		if (policy == NULL)
			return 1;
		authz_policy_free(policy);
		printf("policy OK\n");
		return 0;
	}

	log_init(conf.debug, LOG_DAEMON);
	if ((policy = authz_policy_load(conf.policy_file, 0,
	    server_policy_msg, NULL)) == NULL) {
		log_warnx("%s: cannot load the policy", conf.policy_file);
		return 1;
	}
	log_init(conf.debug, authz_policy_facility(policy));

	server_signals_block();

	if (privs_resolve(user, group, &uid, &gid) == -1)
		goto fail;
	if (nls == 0)
		nls = 1;	/* the inherited socket, FastCGI */
	/* Every socket, HTTP included, is bound before the drop. */
	if (main_listen(ls, nls, mode, uid, gid) == -1)
		goto fail;
	if (ml.spec != NULL) {
		if (main_metrics_listen(&ml, mode, uid, gid) == -1)
			goto fail_socket;
		conf.metrics_fd = ml.fd;
		metrics_enable();
	}
	if (pidfile != NULL && main_pidfile(pidfile) == -1)
		goto fail_socket;
	if (privs_drop(user, uid, gid) == -1)
		goto fail_pid;

	rc = server_run(ls, nls, &conf, policy);

	main_unlisten(ls, nls, 0);
	if (ml.spec != NULL)
		main_unlisten(&ml, 1, 0);
	if (pidfile != NULL && unlink(pidfile) == -1)
		log_warn("unlink %s", pidfile);
	return rc;

fail_pid:
	if (pidfile != NULL)
		unlink(pidfile);
fail_socket:
	main_unlisten(ls, nls, 1);
	if (ml.fd != -1)
		main_unlisten(&ml, 1, 1);
fail:
	authz_policy_free(policy);
	return 1;
}
