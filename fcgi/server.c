/*
 * server.c: the acceptor, the workers, the policy swap and the signals.
 *
 * Design.  One acceptor thread poll()s the listening socket and every
 * idle connection.  A connection goes to a worker only when it is
 * readable (a request, or EOF, has arrived); the worker runs exactly one
 * FastCGI request on it through libfcgi and hands it back (keep-alive)
 * or closes it.  So idle keep-alive connections (nginx's upstream
 * `keepalive N`) cost a file descriptor, never a thread: any pool size
 * up to CERTAUTHZD_MAXCONN open connections is served by -n workers.
 * At that limit the longest-idle connection is closed to admit a new
 * one.  A request that has started may stall at most
 * CERTAUTHZD_IOTIMEOUT seconds per read or write (SO_RCVTIMEO,
 * SO_SNDTIMEO).
 *
 * libfcgi is driven without its accept and close: FCGX_Accept_r() is
 * handed the already accepted descriptor (ipcFd set, listen_sock -1 so
 * that it can never accept itself, keepConnection set so that it never
 * closes the descriptor before reading, detached set so that a close it
 * does on a protocol error skips the shutdown()-and-drain of
 * OS_IpcClose()).  A finished request is closed here with close(2):
 * libfcgi's FCGX_Finish_r() would shutdown(SHUT_WR) and then wait up to
 * 2 s for the peer, which costs about as much CPU as the request.
 *
 * Policy.  The running policy sits behind a reference-counted holder
 * and a generation counter.  A worker compares the counter (one atomic
 * load) before each request and takes the mutex only when it changed,
 * then drops its reference to the old policy; the last reference frees
 * it.  Requests in flight finish on the policy they started with.
 *
 * Signals are blocked in every thread and taken by sigwait() in the
 * main thread: SIGHUP reloads, SIGTERM and SIGINT stop.
 */
#include "config.h"	/* _GNU_SOURCE (AC_USE_SYSTEM_EXTENSIONS) */

#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "certauthzd.h"
#include "log.h"

#define SERVER_DRAIN_MAX	(1024 * 1024)	/* stdin bytes read and dropped */
#define SERVER_GRACE_MS		3000	/* stop: then cut stalled requests */
#define SERVER_CACHE_SLOTS	256

struct policy_ref {
	atomic_int		 refs;
	struct authz_policy	*policy;
};

struct worker {
	pthread_t		 thread;
	struct cert_cache	*cache;
	struct policy_ref	*ref;
	unsigned long		 gen;
	atomic_int		 busyfd;
};

struct idle {
	int	 fd;
};

static struct {
	const struct server_config	*conf;
	int				 listenfd;
	int				 wake[2];
	atomic_int			 stopping;

	pthread_mutex_t			 qlock;
	pthread_cond_t			 qcond;
	int				 queue[CERTAUTHZD_MAXCONN];
	size_t				 qhead, qlen;
	int				 qdone;

	pthread_mutex_t			 rlock;
	int				 ret[CERTAUTHZD_MAXCONN];
	size_t				 rlen;

	pthread_mutex_t			 plock;
	struct policy_ref		*current;
	atomic_ulong			 generation;

	struct worker			*workers;
	int				 nworkers;
} srv = {
	.qlock = PTHREAD_MUTEX_INITIALIZER,
	.qcond = PTHREAD_COND_INITIALIZER,
	.rlock = PTHREAD_MUTEX_INITIALIZER,
	.plock = PTHREAD_MUTEX_INITIALIZER,
};

static sigset_t	server_sigset;

void
server_policy_msg(void *arg, const char *msg)
{
	(void)arg;
	log_warnx("%s", msg);
}

/* Blocks the signals server_run() waits for; call before any thread. */
void
server_signals_block(void)
{
	sigemptyset(&server_sigset);
	sigaddset(&server_sigset, SIGHUP);
	sigaddset(&server_sigset, SIGINT);
	sigaddset(&server_sigset, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &server_sigset, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
}

static void
server_policy_release(struct policy_ref *ref)
{
	if (ref == NULL)
		return;
	if (atomic_fetch_sub(&ref->refs, 1) == 1) {
		authz_policy_free(ref->policy);
		free(ref);
	}
}

/* Makes w hold the current policy; cheap when nothing changed. */
static void
server_policy_refresh(struct worker *w)
{
	struct policy_ref	*ref;

	if (w->ref != NULL && atomic_load_explicit(&srv.generation,
	    memory_order_acquire) == w->gen)
		return;
	pthread_mutex_lock(&srv.plock);
	ref = srv.current;
	atomic_fetch_add(&ref->refs, 1);
	w->gen = atomic_load(&srv.generation);
	pthread_mutex_unlock(&srv.plock);
	server_policy_release(w->ref);
	w->ref = ref;
}

/* Installs policy as the running one; the old one lives while in use. */
static int
server_policy_install(struct authz_policy *policy)
{
	struct policy_ref	*ref, *old;

	if ((ref = malloc(sizeof(*ref))) == NULL) {
		log_warn("%s: malloc", __func__);
		authz_policy_free(policy);
		return -1;
	}
	atomic_init(&ref->refs, 1);
	ref->policy = policy;
	pthread_mutex_lock(&srv.plock);
	old = srv.current;
	srv.current = ref;
	atomic_fetch_add_explicit(&srv.generation, 1, memory_order_release);
	pthread_mutex_unlock(&srv.plock);
	server_policy_release(old);
	log_init(srv.conf->debug, authz_policy_facility(policy));
	return 0;
}

static void
server_reload(void)
{
	struct authz_policy	*policy;

	log_info("reloading %s", srv.conf->policy_file);
	policy = authz_policy_load(srv.conf->policy_file, 0,
	    server_policy_msg, NULL);
	if (policy == NULL) {
		log_warnx("reload of %s failed: the running policy stays",
		    srv.conf->policy_file);
		return;
	}
	if (server_policy_install(policy) == 0)
		log_info("policy %s loaded", srv.conf->policy_file);
}

static long
server_us(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000L +
	    (b->tv_nsec - a->tv_nsec) / 1000;
}

/* Decides, answers and logs one accepted request. */
static void
server_answer(struct worker *w, FCGX_Request *r)
{
	struct authz_request	 req;
	struct authz_decision	 d;
	struct timespec		 t0, t1;
	char			 line[AUTHZ_LINE_MAX];
	const struct authz_policy *policy = w->ref->policy;
	int			 status, pri;

	request_parse(r, &req);
	if (r->role != FCGI_RESPONDER && r->role != FCGI_AUTHORIZER) {
		log_warnx("%s: FastCGI role %d is not supported: 500",
		    __func__, r->role);
		response_error(r->out);
		return;
	}
	memset(&d, 0, sizeof(d));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	authz_decide(policy, &req, w->cache, time(NULL), &d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	d.us = server_us(&t0, &t1);
	status = response_write(r->out, &d);

	authz_decision_line(&d, &req, line, sizeof(line));
	if (d.result == AUTHZ_ALLOW && status != 200) {
		log_warnx("%s: an identity header does not fit: 500",
		    __func__);
		pri = LOG_ERR;
	} else if (d.result == AUTHZ_ALLOW)
		pri = (policy != NULL && authz_policy_log_allow(policy)) ?
		    LOG_INFO : -1;
	else if (d.result == AUTHZ_DENY)
		pri = LOG_NOTICE;
	else
		pri = LOG_ERR;
	if (pri != -1)
		log_line(pri, line);
	authz_decision_clear(&d);
}

/*
 * Runs one FastCGI request on fd, which poll() found readable.
 * Returns 1 when fd stays open for the next request (keep-alive),
 * 0 when it was closed.
 */
static int
server_serve(struct worker *w, int fd)
{
	FCGX_Request	 r;
	char		 buf[4096];
	size_t		 drained = 0;
	int		 n, keep;

	FCGX_InitRequest(&r, -1, 0);
	r.ipcFd = fd;
	r.keepConnection = 1;
	r.detached = 1;
	if (FCGX_Accept_r(&r) != 0) {
		/* EOF or a protocol error: libfcgi has closed fd. */
		if (r.ipcFd >= 0)
			close(r.ipcFd);
		FCGX_Free(&r, 0);
		return 0;
	}
	server_policy_refresh(w);
	if (r.role == FCGI_RESPONDER) {
		while (drained <= SERVER_DRAIN_MAX &&
		    (n = FCGX_GetStr(buf, sizeof(buf), r.in)) > 0)
			drained += (size_t)n;
	}
	server_answer(w, &r);
	FCGX_FClose(r.err);
	FCGX_FClose(r.out);
	keep = r.keepConnection && drained <= SERVER_DRAIN_MAX &&
	    FCGX_GetError(r.out) == 0 && FCGX_GetError(r.in) == 0 &&
	    !atomic_load(&srv.stopping);
	FCGX_Free(&r, 0);
	if (!keep) {
		atomic_store(&w->busyfd, -1);
		close(fd);
	}
	return keep;
}

static void
server_wakeup(void)
{
	char	 c = 0;

	/* A full pipe already holds a wake-up. */
	if (write(srv.wake[1], &c, 1) == -1 && errno != EAGAIN)
		log_warn("%s: write", __func__);
}

static void *
server_worker(void *arg)
{
	struct worker	*w = arg;
	int		 fd, keep;

	for (;;) {
		pthread_mutex_lock(&srv.qlock);
		while (srv.qlen == 0 && !srv.qdone)
			pthread_cond_wait(&srv.qcond, &srv.qlock);
		if (srv.qlen == 0) {
			pthread_mutex_unlock(&srv.qlock);
			break;
		}
		fd = srv.queue[srv.qhead];
		srv.qhead = (srv.qhead + 1) % CERTAUTHZD_MAXCONN;
		srv.qlen--;
		pthread_mutex_unlock(&srv.qlock);

		atomic_store(&w->busyfd, fd);
		keep = server_serve(w, fd);
		atomic_store(&w->busyfd, -1);

		pthread_mutex_lock(&srv.rlock);
		srv.ret[srv.rlen++] = keep ? fd : -1;
		pthread_mutex_unlock(&srv.rlock);
		server_wakeup();
	}
	server_policy_release(w->ref);
	w->ref = NULL;
	return NULL;
}

static void
server_enqueue(int fd)
{
	pthread_mutex_lock(&srv.qlock);
	srv.queue[(srv.qhead + srv.qlen) % CERTAUTHZD_MAXCONN] = fd;
	srv.qlen++;
	pthread_cond_signal(&srv.qcond);
	pthread_mutex_unlock(&srv.qlock);
}

static void
server_setup_conn(int fd)
{
	struct timeval	 tv = { CERTAUTHZD_IOTIMEOUT, 0 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* After the grace period of a stop, cuts requests that still stall. */
static void
server_cut_stalled(void)
{
	int	 i, fd;

	for (i = 0; i < srv.nworkers; i++)
		if ((fd = atomic_load(&srv.workers[i].busyfd)) != -1)
			shutdown(fd, SHUT_RDWR);
}

static void *
server_acceptor(void *arg)
{
	static struct pollfd	 pfd[CERTAUTHZD_MAXCONN + 2];
	static int		 idle[CERTAUTHZD_MAXCONN];
	struct timespec		 stop0, now;
	size_t			 nidle = 0, open = 0, i, j, n, base;
	int			 lidx, fd, k, backoff = 0, cut = 0;
	char			 drain[64];

	(void)arg;
	for (;;) {
		if (atomic_load(&srv.stopping) && srv.listenfd != -1) {
			close(srv.listenfd);
			srv.listenfd = -1;
			for (i = 0; i < nidle; i++)
				close(idle[i]);
			open -= nidle;
			nidle = 0;
			clock_gettime(CLOCK_MONOTONIC, &stop0);
		}
		if (srv.listenfd == -1 && open == 0)
			break;

		n = 0;
		pfd[n].fd = srv.wake[0];
		pfd[n++].events = POLLIN;
		lidx = -1;
		if (srv.listenfd != -1 && !backoff &&
		    (open < CERTAUTHZD_MAXCONN || nidle > 0)) {
			lidx = (int)n;
			pfd[n].fd = srv.listenfd;
			pfd[n++].events = POLLIN;
		}
		base = n;
		for (i = 0; i < nidle; i++) {
			pfd[n].fd = idle[i];
			pfd[n++].events = POLLIN;
		}
		k = poll(pfd, n, backoff || srv.listenfd == -1 ? 100 : -1);
		backoff = 0;
		if (k == -1) {
			if (errno != EINTR)
				log_warn("%s: poll", __func__);
			continue;
		}
		if (srv.listenfd == -1 && !cut) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (server_us(&stop0, &now) / 1000 > SERVER_GRACE_MS) {
				log_warnx("stop: cutting stalled requests");
				server_cut_stalled();
				cut = 1;
			}
		}

		/* Readable idle connections go to the workers. */
		for (i = j = 0; i < nidle; i++) {
			if (pfd[base + i].revents != 0)
				server_enqueue(idle[i]);
			else
				idle[j++] = idle[i];
		}
		nidle = j;

		/* Connections the workers are done with. */
		if (pfd[0].revents != 0) {
			while (read(srv.wake[0], drain, sizeof(drain)) > 0)
				;
			pthread_mutex_lock(&srv.rlock);
			for (i = 0; i < srv.rlen; i++) {
				if (srv.ret[i] == -1)
					open--;
				else if (srv.listenfd == -1) {
					close(srv.ret[i]);
					open--;
				} else
					idle[nidle++] = srv.ret[i];
			}
			srv.rlen = 0;
			pthread_mutex_unlock(&srv.rlock);
		}

		/* New connections. */
		if (lidx == -1 || pfd[lidx].revents == 0)
			continue;
		for (k = 0; k < 64; k++) {
			if (open >= CERTAUTHZD_MAXCONN) {
				if (nidle == 0)
					break;
				close(idle[0]);
				memmove(idle, idle + 1,
				    --nidle * sizeof(idle[0]));
				open--;
			}
			fd = accept4(srv.listenfd, NULL, NULL, SOCK_CLOEXEC);
			if (fd == -1) {
				if (errno == EINTR || errno == ECONNABORTED)
					continue;
				if (errno != EAGAIN && errno != EWOULDBLOCK) {
					log_warn("%s: accept", __func__);
					backoff = 1;
				}
				break;
			}
			server_setup_conn(fd);
			idle[nidle++] = fd;
			open++;
		}
	}

	pthread_mutex_lock(&srv.qlock);
	srv.qdone = 1;
	pthread_cond_broadcast(&srv.qcond);
	pthread_mutex_unlock(&srv.qlock);
	return NULL;
}

int
server_run(int fd, const struct server_config *conf,
    struct authz_policy *policy)
{
	pthread_t	 acceptor;
	int		 i, sig, rc;

	srv.conf = conf;
	srv.listenfd = fd;
	if (pipe2(srv.wake, O_NONBLOCK | O_CLOEXEC) == -1) {
		log_warn("%s: pipe", __func__);
		authz_policy_free(policy);
		return 1;
	}
	if (server_policy_install(policy) == -1)
		return 1;
	if ((srv.workers = calloc(conf->threads, sizeof(*srv.workers)))
	    == NULL) {
		log_warn("%s: calloc", __func__);
		return 1;
	}
	for (i = 0; i < conf->threads; i++) {
		struct worker	*w = &srv.workers[i];

		atomic_init(&w->busyfd, -1);
		if ((w->cache = cert_cache_new(SERVER_CACHE_SLOTS)) == NULL) {
			log_warnx("%s: cert_cache_new failed", __func__);
			return 1;
		}
		if ((rc = pthread_create(&w->thread, NULL, server_worker,
		    w)) != 0) {
			log_warnx("%s: pthread_create: %s", __func__,
			    strerror(rc));
			return 1;
		}
		srv.nworkers++;
	}
	if ((rc = pthread_create(&acceptor, NULL, server_acceptor, NULL))
	    != 0) {
		log_warnx("%s: pthread_create: %s", __func__, strerror(rc));
		return 1;
	}
	log_info("ready: %d workers", conf->threads);

	for (;;) {
		if (sigwait(&server_sigset, &sig) != 0)
			continue;
		if (sig == SIGHUP)
			server_reload();
		else
			break;
	}
	log_info("stopping on signal %d", sig);
	atomic_store(&srv.stopping, 1);
	server_wakeup();
	pthread_join(acceptor, NULL);
	for (i = 0; i < srv.nworkers; i++) {
		pthread_join(srv.workers[i].thread, NULL);
		cert_cache_free(srv.workers[i].cache);
	}
	free(srv.workers);
	server_policy_release(srv.current);
	srv.current = NULL;
	close(srv.wake[0]);
	close(srv.wake[1]);
	log_info("stopped");
	return 0;
}
