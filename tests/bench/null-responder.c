/*
 * null-responder: the floor for `make bench`.
 *
 * A libfcgi program that answers every request with "Status: 200 OK"
 * and nothing else, with THREADS threads each looping on
 * FCGX_Accept_r().  What certauthzd costs above this is the price of
 * the decision itself.  It adds "X-Accel-Redirect: VALUE" when the
 * request has a NULL_ACCEL_REDIRECT param: the bench measures with it
 * what nginx's X-Accel-Redirect wiring would cost instead of
 * auth_request (BENCHMARKS.md; certauthzd does not offer it).
 *
 * With -l SOCKET it also sends, after each answer, one line of the
 * size and form of certauthzd's decision line to the unix datagram
 * socket SOCKET (the bench's syslog sink), with one send(2) per request
 * from a socket each thread connects once, as a program that logs
 * every request without syslog(3)'s lock would: the floor of an
 * authorizer that logs.  A line the sink cannot take is dropped.
 *
 * usage: null-responder -s unix:PATH|tcp:ADDR:PORT [-n THREADS]
 *            [-l SOCKET]
 * SIGTERM/SIGINT stop it at once (nothing to flush).
 */

#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

static int			 listen_fd;
static const char		*log_path;

/* An allow's decision line as certauthzd sends it (about 270 bytes). */
static const char log_line[] = "<86>Nov 23 04:38:29 null-responder[1]: "
    "allow policy=default rule=staff user=alice serial=1001 "
    "subject=CN=alice,OU=Eng,O=Example "
    "issuer=\"CN=Example Client CA,O=Example\" email=alice@example.com "
    "method=GET host=127.0.0.1 uri=/authz?x=1 remote=127.0.0.1 "
    "role=responder us=37";

/* A datagram socket connected to log_path, or -1. */
static int
log_open(void)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", log_path);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
stop(int sig)
{
	(void)sig;
	_exit(0);
}

static void *
worker(void *arg)
{
	FCGX_Request	 req;
	const char	*accel;
	ssize_t		 w;
	int		 logfd = -1;

	(void)arg;
	if (FCGX_InitRequest(&req, listen_fd, 0) != 0)
		return NULL;
	if (log_path != NULL && (logfd = log_open()) == -1) {
		perror(log_path);
		exit(1);
	}
	while (FCGX_Accept_r(&req) >= 0) {
		if ((accel = FCGX_GetParam("NULL_ACCEL_REDIRECT",
		    req.envp)) != NULL)
			FCGX_FPrintF(req.out, "Status: 200 OK\r\n"
			    "X-Accel-Redirect: %s\r\n\r\n", accel);
		else
			FCGX_PutS("Status: 200 OK\r\n\r\n", req.out);
		FCGX_Finish_r(&req);
		if (logfd != -1) {
			w = send(logfd, log_line, sizeof(log_line) - 1,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
			(void)w;
		}
	}
	return NULL;
}

int
main(int argc, char *argv[])
{
	const char	*sock = NULL;
	char		 path[512];
	int		 nthreads = 4, ch, i;
	pthread_t	*tids;

	while ((ch = getopt(argc, argv, "s:n:l:")) != -1) {
		switch (ch) {
		case 's': sock = optarg; break;
		case 'l': log_path = optarg; break;
		case 'n': nthreads = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (sock == NULL || nthreads < 1)
		goto usage;
	/* A parent may have left SIGTERM blocked or ignored: stop anyway. */
	{
		sigset_t	 set;
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGINT);
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		signal(SIGTERM, stop);
		signal(SIGINT, stop);
	}
	/* libfcgi takes a path, or HOST:PORT for TCP */
	if (strncmp(sock, "unix:", 5) == 0)
		snprintf(path, sizeof(path), "%s", sock + 5);
	else if (strncmp(sock, "tcp:", 4) == 0)
		snprintf(path, sizeof(path), "%s", sock + 4);
	else
		goto usage;
	if (FCGX_Init() != 0 || (listen_fd = FCGX_OpenSocket(path, 128)) < 0) {
		fprintf(stderr, "null-responder: cannot listen on %s\n", sock);
		return 1;
	}
	if ((tids = calloc((size_t)nthreads, sizeof(*tids))) == NULL)
		return 1;
	for (i = 0; i < nthreads; i++)
		pthread_create(&tids[i], NULL, worker, NULL);
	for (i = 0; i < nthreads; i++)
		pthread_join(tids[i], NULL);
	return 0;

usage:
	fprintf(stderr, "usage: null-responder -s unix:PATH|tcp:ADDR:PORT "
	    "[-n THREADS] [-l SOCKET]\n");
	return 2;
}
