/*
 * server.c: the workers, the connections, the policy swap and the
 * signals.
 *
 * Design.  All -n workers share one epoll set holding the listening
 * socket, every open connection that is not being served, and a stop
 * eventfd.  The socket and the connections are registered EPOLLIN |
 * EPOLLONESHOT (level-triggered): an event goes to exactly one worker
 * and disarms its descriptor, so no two workers ever touch one socket.
 * A worker loops on epoll_wait() for one event:
 *
 *  - the listening socket: accept up to SERVER_ACCEPT_BATCH connections
 *    (the socket is non-blocking), re-arm it, register each new
 *    connection, and run at once the request of the first one whose
 *    bytes have already arrived (recv MSG_PEEK), saving an epoll round;
 *  - a connection: run exactly one FastCGI request through libfcgi,
 *    then re-arm the connection (keep-alive) or close it;
 *  - the stop eventfd, level-triggered and never read: leave.
 *
 * A request is thus read, decided and answered by the thread that
 * epoll woke, with no hand-off between threads.  Idle keep-alive
 * connections (nginx's upstream `keepalive N`) cost a file descriptor,
 * never a thread: any pool size up to CERTAUTHZD_MAXCONN is served by
 * -n workers.  A request that has started may stall at most
 * CERTAUTHZD_IOTIMEOUT seconds per read or write (SO_RCVTIMEO,
 * SO_SNDTIMEO), so a worker is never held longer by one peer.
 *
 * The connection limit.  Every armed connection sits on an LRU list
 * (srv.idle, under srv.clock; two uncontended lock round trips per
 * request).  At CERTAUTHZD_MAXCONN open connections, accepting one more
 * evicts the connection armed longest ago: it is moved to srv.dying and
 * shut down, which makes it readable, and the worker that takes the
 * resulting event closes it.  A descriptor is closed only by the one
 * thread that holds it, or under srv.clock while it is on a list, so
 * no thread can touch a descriptor number that has been reused.  When
 * nothing is armed (all connections busy: only when -n is about the
 * limit) the new connection is closed at once.
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
 * main thread: SIGHUP reloads; SIGTERM and SIGINT set srv.stopping and
 * signal the stop eventfd.  Workers then take no new request and leave
 * once their request in flight is answered; after SERVER_GRACE_MS the
 * main thread shuts down the sockets of requests that still stall.
 * Then it closes the listening socket and every remaining connection.
 */
#include "config.h"	/* _GNU_SOURCE (AC_USE_SYSTEM_EXTENSIONS) */

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
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
#define SERVER_ACCEPT_BATCH	16	/* accept4() calls per listener event */
#define SERVER_BACKOFF_MS	100	/* after accept fails for lack of fds */

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

enum conn_list { CONN_HELD, CONN_IDLE, CONN_DYING };

/* An open connection; on srv.idle or srv.dying while armed in epoll. */
struct conn {
	TAILQ_ENTRY(conn)	 entry;
	int			 fd;
	enum conn_list		 list;	/* CONN_HELD: a worker holds it */
};
TAILQ_HEAD(conn_head, conn);

static struct {
	const struct server_config	*conf;
	int				 listenfd;
	int				 epfd;
	int				 stopfd;
	atomic_int			 stopping;
	atomic_int			 running;	/* workers not yet out */

	pthread_mutex_t			 clock;
	struct conn_head		 idle;	/* armed, oldest first */
	struct conn_head		 dying;	/* evicted, armed */
	int				 nopen;	/* not evicted */

	pthread_mutex_t			 plock;
	struct policy_ref		*current;
	atomic_ulong			 generation;

	struct worker			*workers;
	int				 nworkers;
} srv = {
	.clock = PTHREAD_MUTEX_INITIALIZER,
	.idle = TAILQ_HEAD_INITIALIZER(srv.idle),
	.dying = TAILQ_HEAD_INITIALIZER(srv.dying),
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
 * Runs one FastCGI request on fd, which epoll found readable.
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

	atomic_store(&w->busyfd, fd);
	FCGX_InitRequest(&r, -1, 0);
	r.ipcFd = fd;
	r.keepConnection = 1;
	r.detached = 1;
	if (FCGX_Accept_r(&r) != 0) {
		/* EOF or a protocol error: libfcgi may have closed fd. */
		atomic_store(&w->busyfd, -1);
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
	atomic_store(&w->busyfd, -1);
	if (!keep)
		close(fd);
	return keep;
}

/*
 * Counts a connection just accepted on fd.  At CERTAUTHZD_MAXCONN open
 * connections the one armed longest ago is evicted first: shut down
 * under srv.clock (so its descriptor cannot have been closed and
 * reused) and left to the worker that takes its EOF.  Returns the new
 * connection, held by the caller, or NULL after closing fd.
 */
static struct conn *
server_conn_new(int fd)
{
	struct conn	*c, *old;

	if ((c = malloc(sizeof(*c))) == NULL) {
		log_warn("%s: malloc", __func__);
		close(fd);
		return NULL;
	}
	c->fd = fd;
	c->list = CONN_HELD;
	pthread_mutex_lock(&srv.clock);
	if (srv.nopen >= CERTAUTHZD_MAXCONN) {
		if ((old = TAILQ_FIRST(&srv.idle)) == NULL) {
			pthread_mutex_unlock(&srv.clock);
			log_warnx("%s: %d connections, none idle: one refused",
			    __func__, CERTAUTHZD_MAXCONN);
			close(fd);
			free(c);
			return NULL;
		}
		TAILQ_REMOVE(&srv.idle, old, entry);
		TAILQ_INSERT_TAIL(&srv.dying, old, entry);
		old->list = CONN_DYING;
		shutdown(old->fd, SHUT_RDWR);
		srv.nopen--;
	}
	srv.nopen++;
	pthread_mutex_unlock(&srv.clock);
	return c;
}

/* Closes a connection the caller holds (fd already closed: !doclose). */
static void
server_conn_close(struct conn *c, int doclose)
{
	pthread_mutex_lock(&srv.clock);
	srv.nopen--;
	pthread_mutex_unlock(&srv.clock);
	if (doclose)
		close(c->fd);
	free(c);
}

/*
 * Takes a connection whose event this worker got off its list.
 * Returns 1 when the caller now holds it, 0 when it had been evicted
 * and is closed.
 */
static int
server_conn_take(struct conn *c)
{
	pthread_mutex_lock(&srv.clock);
	if (c->list == CONN_DYING) {
		TAILQ_REMOVE(&srv.dying, c, entry);
		pthread_mutex_unlock(&srv.clock);
		close(c->fd);
		free(c);
		return 0;
	}
	TAILQ_REMOVE(&srv.idle, c, entry);
	c->list = CONN_HELD;
	pthread_mutex_unlock(&srv.clock);
	return 1;
}

/* Hands a held connection back to epoll (op: EPOLL_CTL_ADD or _MOD). */
static void
server_conn_arm(struct conn *c, int op)
{
	struct epoll_event	 ev;

	pthread_mutex_lock(&srv.clock);
	TAILQ_INSERT_TAIL(&srv.idle, c, entry);
	c->list = CONN_IDLE;
	pthread_mutex_unlock(&srv.clock);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.ptr = c;
	if (epoll_ctl(srv.epfd, op, c->fd, &ev) == -1) {
		log_warn("%s: epoll_ctl", __func__);
		if (server_conn_take(c))
			server_conn_close(c, 1);
	}
}

/*
 * Runs one request on a held connection, then re-arms it (op: ADD when
 * it was never registered) or closes it.
 */
static void
server_conn_serve(struct worker *w, struct conn *c, int op)
{
	if (server_serve(w, c->fd))
		server_conn_arm(c, op);
	else
		server_conn_close(c, 0);
}

static void
server_setup_conn(int fd)
{
	struct timeval	 tv = { CERTAUTHZD_IOTIMEOUT, 0 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void
server_listen_arm(void)
{
	struct epoll_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.ptr = &srv.listenfd;
	if (epoll_ctl(srv.epfd, EPOLL_CTL_MOD, srv.listenfd, &ev) == -1)
		log_warn("%s: epoll_ctl", __func__);
}

/*
 * The listening socket was readable: accepts a batch, re-arms the
 * socket for the other workers, registers the new connections and
 * serves the first whose request is already there.
 */
static void
server_accept(struct worker *w)
{
	const struct timespec	 backoff = { 0, SERVER_BACKOFF_MS * 1000000L };
	struct conn		*c, *first = NULL;
	char			 b;
	int			 fd, i;

	for (i = 0; i < SERVER_ACCEPT_BATCH; i++) {
		fd = accept4(srv.listenfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				/* Out of descriptors or memory: let some go. */
				log_warn("%s: accept", __func__);
				nanosleep(&backoff, NULL);
			}
			break;
		}
		if ((c = server_conn_new(fd)) == NULL)
			continue;
		server_setup_conn(fd);
		if (first == NULL &&
		    recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 1)
			first = c;
		else
			server_conn_arm(c, EPOLL_CTL_ADD);
	}
	server_listen_arm();
	if (first != NULL)
		server_conn_serve(w, first, EPOLL_CTL_ADD);
}

static void *
server_worker(void *arg)
{
	struct worker		*w = arg;
	struct epoll_event	 ev;
	struct conn		*c;
	int			 n;

	while (!atomic_load(&srv.stopping)) {
		if ((n = epoll_wait(srv.epfd, &ev, 1, -1)) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("%s: epoll_wait", __func__);
			break;
		}
		if (n == 0 || ev.data.ptr == &srv.stopfd)
			continue;
		if (ev.data.ptr == &srv.listenfd) {
			/* Stopping: the socket stays disarmed. */
			if (!atomic_load(&srv.stopping))
				server_accept(w);
			continue;
		}
		c = ev.data.ptr;
		if (!server_conn_take(c))
			continue;
		if (atomic_load(&srv.stopping))
			server_conn_close(c, 1);
		else
			server_conn_serve(w, c, EPOLL_CTL_MOD);
	}
	server_policy_release(w->ref);
	w->ref = NULL;
	atomic_fetch_sub(&srv.running, 1);
	return NULL;
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

/* Waits for the workers to leave, cutting stalled requests once. */
static void
server_stop_wait(void)
{
	const struct timespec	 tick = { 0, 10 * 1000000L };
	int			 ms;

	for (ms = 0; atomic_load(&srv.running) > 0; ms += 10) {
		if (ms == SERVER_GRACE_MS) {
			log_warnx("stop: cutting stalled requests");
			server_cut_stalled();
		}
		nanosleep(&tick, NULL);
	}
}

/* Raises the soft open-files limit to fit CERTAUTHZD_MAXCONN if it can. */
static void
server_nofile(void)
{
	struct rlimit	 rl;
	rlim_t		 want = CERTAUTHZD_MAXCONN + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		log_warn("%s: setrlimit", __func__);
	if (rl.rlim_cur < want)
		log_warnx("open files limited to %lu: fewer than %d "
		    "connections fit", (unsigned long)rl.rlim_cur,
		    CERTAUTHZD_MAXCONN);
}

static void
server_close_list(struct conn_head *head)
{
	struct conn	*c;

	while ((c = TAILQ_FIRST(head)) != NULL) {
		TAILQ_REMOVE(head, c, entry);
		close(c->fd);
		free(c);
	}
}

int
server_run(int fd, const struct server_config *conf,
    struct authz_policy *policy)
{
	struct epoll_event	 ev;
	uint64_t		 one = 1;
	int			 i, sig, rc;

	srv.conf = conf;
	srv.listenfd = fd;
	server_nofile();
	if ((srv.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (srv.stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		log_warn("%s: epoll_create1/eventfd", __func__);
		authz_policy_free(policy);
		return 1;
	}
	if (server_policy_install(policy) == -1)
		return 1;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;		/* level-triggered, never read */
	ev.data.ptr = &srv.stopfd;
	if (epoll_ctl(srv.epfd, EPOLL_CTL_ADD, srv.stopfd, &ev) == -1) {
		log_warn("%s: epoll_ctl", __func__);
		return 1;
	}
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.ptr = &srv.listenfd;
	if (epoll_ctl(srv.epfd, EPOLL_CTL_ADD, fd, &ev) == -1) {
		log_warn("%s: epoll_ctl", __func__);
		return 1;
	}
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
		atomic_fetch_add(&srv.running, 1);
		if ((rc = pthread_create(&w->thread, NULL, server_worker,
		    w)) != 0) {
			log_warnx("%s: pthread_create: %s", __func__,
			    strerror(rc));
			return 1;
		}
		srv.nworkers++;
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
	if (write(srv.stopfd, &one, sizeof(one)) == -1)
		log_warn("%s: eventfd", __func__);
	server_stop_wait();
	for (i = 0; i < srv.nworkers; i++) {
		pthread_join(srv.workers[i].thread, NULL);
		cert_cache_free(srv.workers[i].cache);
	}
	free(srv.workers);
	close(srv.listenfd);
	server_close_list(&srv.idle);
	server_close_list(&srv.dying);
	close(srv.epfd);
	close(srv.stopfd);
	server_policy_release(srv.current);
	srv.current = NULL;
	log_info("stopped");
	return 0;
}
