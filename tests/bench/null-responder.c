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
 * usage: null-responder -s unix:PATH|tcp:ADDR:PORT [-n THREADS]
 * SIGTERM/SIGINT stop it at once (nothing to flush).
 */

#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

static int	listen_fd;

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

	(void)arg;
	if (FCGX_InitRequest(&req, listen_fd, 0) != 0)
		return NULL;
	while (FCGX_Accept_r(&req) >= 0) {
		if ((accel = FCGX_GetParam("NULL_ACCEL_REDIRECT",
		    req.envp)) != NULL)
			FCGX_FPrintF(req.out, "Status: 200 OK\r\n"
			    "X-Accel-Redirect: %s\r\n\r\n", accel);
		else
			FCGX_PutS("Status: 200 OK\r\n\r\n", req.out);
		FCGX_Finish_r(&req);
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

	while ((ch = getopt(argc, argv, "s:n:")) != -1) {
		switch (ch) {
		case 's': sock = optarg; break;
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
	    "[-n THREADS]\n");
	return 2;
}
