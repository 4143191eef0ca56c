/*
 * server.c: the workers, the gatherer, the connections, the policy
 * swap and the signals.
 *
 * Design.  All -n workers share one epoll set holding the FastCGI
 * listening sockets, every open connection that waits for a request,
 * and a stop eventfd.  The sockets and the connections are registered EPOLLIN |
 * EPOLLONESHOT (level-triggered): an event goes to exactly one worker
 * and disarms its descriptor, so no two workers ever touch one socket.
 * A worker loops on epoll_wait() for one event:
 *
 *  - the listening socket: accept up to SERVER_ACCEPT_BATCH connections
 *    (the socket is non-blocking), re-arm it, register each new
 *    connection, and go on at once with the first one whose bytes have
 *    already arrived, saving an epoll round;
 *  - a connection: read its bytes (one recv, up to SCAN_MAX_REQUEST,
 *    into the worker's buffer) and scan them (scan.h).  A whole request
 *    is served from that buffer (server_serve(): the params copied out
 *    by the same scanner, the answer and END_REQUEST in one write),
 *    and the connection is re-armed (keep-alive) or closed.  Bytes that
 *    can never be a request we read: closed without an answer.  Part of
 *    a request: handed to the gatherer, with a copy of the bytes;
 *  - the stop eventfd, level-triggered and never read: leave.
 *
 * A request is thus read, decided and answered by the thread that
 * epoll woke, with no hand-off between threads: on keep-alive, an
 * epoll_wait, a recv, a write and the epoll_ctl re-arm a request.  Idle keep-alive
 * connections (nginx's upstream `keepalive N`) cost a file descriptor,
 * never a thread: any pool size up to CERTAUTHZD_MAXCONN is served by
 * -n workers.
 *
 * The gatherer.  One thread owns a second epoll set holding the
 * connections whose request has begun but is not whole.  They are
 * registered EPOLLIN | EPOLLET | EPOLLRDHUP, without ONESHOT, so that
 * each arrival of bytes is reported once.  On each event the gatherer
 * reads what came into the connection's buffer (until the socket is
 * empty: the registration is edge-triggered) and, when more bytes
 * came, scans them all again.  A whole request the gatherer serves
 * itself, as a worker would (it has its own cache and buffers; such
 * requests are rare: web servers send a request in one write), then
 * hands the connection back to the workers' set or closes it.  Bytes
 * that can never be a request, the peer's shutdown, a request still
 * not whole SERVER_GATHER_MS after a worker handed it over, or
 * SERVER_GATHER_SCANS scans of one request
 * (a peer that sends a byte at a time would cost O(n^2) scanning):
 * closed without an answer.  A worker hands a connection over on
 * srv.handoff (under srv.clock) with its deadline, before it registers
 * it, and wakes the gatherer with an eventfd: the bytes it read are
 * gone from the socket, so no event need ever come for it.  The
 * gatherer takes srv.handoff in after every wait, before it looks at
 * an event.  The time limit is one constant and the deadlines are
 * taken under the lock, so its list is in order of deadline, and its
 * head gives epoll_wait() its timeout.  Half-sent, slow and silent
 * peers thus cost a descriptor and the bytes they sent (at most
 * SCAN_MAX_REQUEST, in a buffer that grows with them), never a
 * worker: a worker never waits for a request's bytes.
 *
 * Nor for room to write: connections are accepted non-blocking.  An
 * answer (at most about 13 KB) fits the socket's send buffer unless
 * the peer has stopped reading its earlier answers; a write that does
 * not fit fails, the answer is lost (nginx and Apache answer their
 * client with an error) and the connection is closed, logged.  This
 * also saves the two setsockopt() calls a connection that write and
 * read timeouts would cost.  A read that holds more than one request
 * is answered for its first and the connection closed after the
 * answer (pipelining is not supported; nginx and Apache never
 * pipeline).
 *
 * The connection limit.  Every armed connection, in either set, sits
 * on an LRU list (srv.idle, under srv.clock; two uncontended lock round
 * trips per request).  At CERTAUTHZD_MAXCONN open connections,
 * accepting one more evicts the connection armed longest ago: it is
 * moved to srv.dying and shut down, which makes it readable, and the
 * thread that takes the resulting event (a worker or the gatherer)
 * closes it.  A descriptor is closed only by the one thread that holds
 * it, or under srv.clock while it is on a list, so no thread can touch
 * a descriptor number that has been reused.  The gatherer holds the
 * connections of its set for their epoll registration and their scan
 * state only; it takes them off the list (server_conn_take()) before
 * closing one.  When nothing is armed (all connections busy: only when
 * -n is about the limit) the new connection is closed at once.
 *
 * One parser.  The bytes a decision rests on are read by scan.c only:
 * scan_request() bounds and checks them, scan_params_copy() takes the
 * params out of the same bytes (tests/unit/test_fcgi_ref.c holds that
 * reading to libfcgi's), and response.c frames the answer as libfcgi
 * did.  libfcgi, once driven here without its accept and close, read
 * every request a second time with its own parser and allocations:
 * two readings of one request that could disagree, and for each
 * request a peek before its read, a second parse, two 8 KB buffers
 * and a malloc per param (BENCHMARKS.md).
 *
 * Policy.  The running policy sits behind a reference-counted holder
 * and a generation counter.  A worker compares the counter (one atomic
 * load) before each request and takes the mutex only when it changed,
 * then drops its reference to the old policy; the last reference frees
 * it.  Requests in flight finish on the policy they started with.
 *
 * HTTP.  The LISTEN_HTTP sockets are served by http.c, with threads
 * of its own (libmicrohttpd's); it shares with the workers the policy
 * holder (server_hold_get()), the decision (server_decide()) and the
 * decision line (server_decision_log()).  Without a FastCGI socket no
 * worker or gatherer is started.
 *
 * Metrics (-M).  Each worker and each HTTP thread counts into a block
 * of its own (metrics.c); server_hold_get() and server_hold_put() fold
 * the labels of a policy about to be dropped (metrics_rebase()) before
 * the reference goes.  The metrics listener runs until the very end of
 * a stop, answering /healthz 503 from its first moment.
 *
 * Signals are blocked in every thread and taken by sigwait() in the
 * main thread: SIGHUP reloads; SIGTERM and SIGINT set srv.stopping.
 * From then on the listening socket is not re-armed, no request enters
 * the gatherer and no connection is kept after its answer, the HTTP
 * listener is stopped (http_stop()), but the
 * requests the gatherer holds are still completed and served.  Once
 * none is left (srv.pending), or after SERVER_GRACE_MS, the main thread
 * signals the stop eventfd: the gatherer leaves, and each worker once
 * its request in flight is answered, which never waits for a peer (all
 * its I/O is non-blocking).  Then it closes the listening socket and
 * every remaining connection, begun requests included.
 */
#include "config.h"	/* _GNU_SOURCE (AC_USE_SYSTEM_EXTENSIONS) */

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>

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

#include <fastcgi.h>

#include "certauthzd.h"
#include "log.h"
#include "scan.h"

#define SERVER_GRACE_MS		3000	/* stop: for begun requests to be whole */
#define SERVER_CACHE_SLOTS	256
#define SERVER_ACCEPT_BATCH	16	/* accept4() calls per listener event */
#define SERVER_BACKOFF_MS	100	/* after accept fails for lack of fds */
#define SERVER_GATHER_MS	5000	/* for a begun request to be whole */
#define SERVER_GATHER_SCANS	128	/* scans of one request, at most */
#define SERVER_GATHER_EVENTS	64	/* per epoll_wait() of the gatherer */

struct policy_ref {
	atomic_int		 refs;
	struct authz_policy	*policy;
};

/* A thread that serves requests: each worker, and the gatherer. */
struct worker {
	pthread_t		 thread;
	struct cert_cache	*cache;
	struct server_hold	 hold;
	unsigned char		*buf;	/* SCAN_MAX_REQUEST bytes read */
	char			*params; /* SCAN_MAX_REQUEST: their copies */
	struct scan_param	 pairs[SCAN_MAX_PARAMS];
	unsigned char		 answer[RESPONSE_FCGI_MAX];
};

enum conn_list { CONN_HELD, CONN_IDLE, CONN_DYING };

/*
 * An open connection; on srv.idle or srv.dying while armed in either
 * epoll set.  entry, list and gathered are under srv.clock; the rest
 * belongs to the thread that holds it, or to the gatherer while it is
 * in the gatherer's set.
 */
struct conn {
	TAILQ_ENTRY(conn)	 entry;
	int			 fd;
	enum conn_list		 list;	/* CONN_HELD: a thread holds it */
	int			 gathered; /* counted in srv.pending */
	int			 registered; /* in srv.epfd (maybe disarmed) */
	/* The gatherer's: */
	TAILQ_ENTRY(conn)	 gentry;	/* on srv.handoff, srv.gathering */
	long			 deadline;	/* server_ms() */
	unsigned char		*buf;		/* the request's bytes so far */
	size_t			 have;		/* bytes in buf */
	size_t			 size;		/* of buf */
	int			 scans;
};
TAILQ_HEAD(conn_head, conn);

static struct {
	const struct server_config	*conf;
	int				 listenfd[CERTAUTHZD_LISTEN_MAX];
	int				 nlisten;	/* FastCGI sockets */
	int				 nhttp;		/* HTTP sockets */
	int				 epfd;
	int				 gatherfd;
	int				 gatherwake;	/* eventfd: srv.handoff */
	int				 stopfd;
	atomic_int			 stopping;
	atomic_int			 running;	/* threads not yet out */

	pthread_mutex_t			 clock;
	struct conn_head		 idle;	/* armed, oldest first */
	struct conn_head		 dying;	/* evicted, armed */
	int				 nopen;	/* not evicted */
	int				 pending; /* gathered, not yet taken */
	struct conn_head		 handoff; /* to the gatherer */

	struct conn_head		 gathering; /* the gatherer's, by deadline */
	struct worker			 gatherer;

	pthread_mutex_t			 plock;
	struct policy_ref		*current;
	atomic_ulong			 generation;

	struct worker			*workers;
	int				 nworkers;
} srv = {
	.clock = PTHREAD_MUTEX_INITIALIZER,
	.idle = TAILQ_HEAD_INITIALIZER(srv.idle),
	.dying = TAILQ_HEAD_INITIALIZER(srv.dying),
	.gathering = TAILQ_HEAD_INITIALIZER(srv.gathering),
	.handoff = TAILQ_HEAD_INITIALIZER(srv.handoff),
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

const struct authz_policy *
server_hold_get(struct server_hold *h)
{
	struct policy_ref	*ref;

	if (h->ref != NULL && atomic_load_explicit(&srv.generation,
	    memory_order_acquire) == h->gen)
		return h->ref->policy;
	pthread_mutex_lock(&srv.plock);
	ref = srv.current;
	atomic_fetch_add(&ref->refs, 1);
	h->gen = atomic_load(&srv.generation);
	pthread_mutex_unlock(&srv.plock);
	if (h->ref != NULL)
		metrics_rebase();
	server_policy_release(h->ref);
	h->ref = ref;
	return ref->policy;
}

void
server_hold_put(struct server_hold *h)
{
	if (h->ref != NULL)
		metrics_rebase();
	server_policy_release(h->ref);
	h->ref = NULL;
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
	metrics_policy(atomic_load(&srv.generation), policy);
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
		metrics_reload(0);
		return;
	}
	if (server_policy_install(policy) == 0) {
		log_info("policy %s loaded", srv.conf->policy_file);
		metrics_reload(1);
	} else
		metrics_reload(0);
}

static long
server_us(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000L +
	    (b->tv_nsec - a->tv_nsec) / 1000;
}

/* Milliseconds on the monotonic clock. */
static long
server_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void
server_decide(const struct authz_policy *policy, struct cert_cache *cache,
    const struct authz_request *req, struct authz_decision *d)
{
	struct timespec	 t0, t1;

	memset(d, 0, sizeof(*d));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	authz_decide(policy, req, cache, time(NULL), d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	d->us = server_us(&t0, &t1);
}

void
server_decision_log(const struct authz_policy *policy,
    struct authz_decision *d, const struct authz_request *req, int status)
{
	char	 line[AUTHZ_LINE_MAX];
	int	 pri;

	if (d->result == AUTHZ_ALLOW && status != 200) {
		/* the line says what was answered: never "allow" on a 500 */
		d->result = AUTHZ_FAULT;
		d->reason = "allow answer could not be written";
	}
	metrics_decision(d, req);
	if (d->result == AUTHZ_ALLOW)
		pri = (policy != NULL && authz_policy_log_allow(policy)) ?
		    LOG_INFO : -1;
	else if (d->result == AUTHZ_DENY)
		pri = LOG_NOTICE;
	else
		pri = LOG_ERR;
	if (pri != -1) {	/* rendered only when it is logged */
		authz_decision_line(d, req, line, sizeof(line));
		log_line(pri, line);
	}
	authz_decision_clear(d);
}

/*
 * Serves on fd the request that scan_request() found whole in buf
 * (res); extra: more bytes than the request were read.  Copies the
 * params, decides, writes the whole answer with one write(2) (the
 * socket is non-blocking: an answer that does not fit is lost, logged,
 * and the connection closed), then logs the decision line: the web
 * server does not wait for the log.  Returns 1 when fd stays open for
 * the next request (FCGI_KEEP_CONN), 0 when it was closed.
 */
static int
server_serve(struct worker *w, int fd, const unsigned char *buf,
    const struct scan_result *res, int extra)
{
	struct authz_request	 req;
	struct authz_decision	 d;
	const struct authz_policy *policy;
	size_t			 n, len;
	ssize_t			 wr;
	int			 status, served, keep;

	policy = server_hold_get(&w->hold);
	served = res->role == FCGI_RESPONDER || res->role == FCGI_AUTHORIZER;
	if (served) {
		n = scan_params_copy(buf, res->length, w->params, w->pairs,
		    SCAN_MAX_PARAMS);
		request_parse(w->pairs, n, res->role, res->fault, &req);
		server_decide(policy, w->cache, &req, &d);
		len = response_fcgi(w->answer, res->request_id, &d, &status);
	} else
		len = response_fcgi(w->answer, res->request_id, NULL, &status);
	wr = write(fd, w->answer, len);
	if (wr == -1 && (errno == EPIPE || errno == ECONNRESET))
		log_info("%s: answer not written (%s): the peer left",
		    __func__, strerror(errno));
	else if (wr == -1)
		log_warn("%s: answer not written: connection closed",
		    __func__);
	else if ((size_t)wr != len)
		log_warnx("%s: answer cut at %zd of %zu bytes (the peer "
		    "reads no more): connection closed", __func__, wr, len);
	if ((size_t)wr != len)
		status = 0;	/* an allow not answered is logged a fault */
	keep = res->keep_conn && !extra && (size_t)wr == len &&
	    !atomic_load(&srv.stopping);
	if (!keep)
		close(fd);
	if (served)
		server_decision_log(policy, &d, &req, status);
	else
		log_warnx("%s: FastCGI role %d is not supported: 500",
		    __func__, res->role);
	return keep;
}

/* Frees a connection whose descriptor is closed. */
static void
server_conn_free(struct conn *c)
{
	free(c->buf);
	free(c);
}

/*
 * Counts a connection just accepted on fd.  At CERTAUTHZD_MAXCONN open
 * connections the one armed longest ago is evicted first: shut down
 * under srv.clock (so its descriptor cannot have been closed and
 * reused) and left to the thread that takes its EOF.  Returns the new
 * connection, held by the caller, or NULL after closing fd.
 */
static struct conn *
server_conn_new(int fd)
{
	struct conn	*c, *old;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("%s: calloc", __func__);
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
			server_conn_free(c);
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
	server_conn_free(c);
}

/*
 * Takes an armed connection off its list: a worker that got its event,
 * or the gatherer about to close it.  Returns 1 when the caller now
 * holds it, 0 when it had been evicted and is closed.
 */
static int
server_conn_take(struct conn *c)
{
	pthread_mutex_lock(&srv.clock);
	if (c->gathered) {
		c->gathered = 0;
		srv.pending--;
	}
	if (c->list == CONN_DYING) {
		TAILQ_REMOVE(&srv.dying, c, entry);
		pthread_mutex_unlock(&srv.clock);
		close(c->fd);
		server_conn_free(c);
		return 0;
	}
	TAILQ_REMOVE(&srv.idle, c, entry);
	c->list = CONN_HELD;
	pthread_mutex_unlock(&srv.clock);
	return 1;
}

/*
 * Puts a held connection on the LRU list; gathered: also on srv.handoff,
 * for the gatherer, whose deadline for it starts now.
 */
static void
server_conn_idle(struct conn *c, int gathered)
{
	pthread_mutex_lock(&srv.clock);
	TAILQ_INSERT_TAIL(&srv.idle, c, entry);
	c->list = CONN_IDLE;
	if (gathered) {
		c->gathered = 1;
		srv.pending++;
		/* under the lock: srv.handoff in order of deadline */
		c->deadline = server_ms() + SERVER_GATHER_MS;
		TAILQ_INSERT_TAIL(&srv.handoff, c, gentry);
	}
	pthread_mutex_unlock(&srv.clock);
}

/*
 * Arms c, which is on its list, in the workers' set.  From then on
 * another thread may take it: the caller no longer touches it unless
 * this fails (-1, logged).
 */
static int
server_conn_epoll(struct conn *c)
{
	struct epoll_event	 ev;
	int			 op;

	op = c->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	c->registered = 1;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.ptr = c;
	if (epoll_ctl(srv.epfd, op, c->fd, &ev) == -1) {
		log_warn("%s: epoll_ctl", __func__);
		return -1;
	}
	return 0;
}

/* Hands a held connection back to the workers' set. */
static void
server_conn_arm(struct conn *c)
{
	server_conn_idle(c, 0);
	if (server_conn_epoll(c) == -1 && server_conn_take(c))
		server_conn_close(c, 1);
}

/*
 * Hands a held connection whose request has begun (the n bytes at buf,
 * read and scanned once) to the gatherer, with a copy of those bytes.
 * Its registration in the workers' set, if any, stays disarmed.
 */
static void
server_gather_add(struct conn *c, const unsigned char *buf, size_t n)
{
	struct epoll_event	 ev;
	uint64_t		 one = 1;

	c->size = n < SCAN_MAX_REQUEST / 2 ? 2 * n : SCAN_MAX_REQUEST;
	if (c->size < 4096)
		c->size = 4096;
	if ((c->buf = malloc(c->size)) == NULL) {
		log_warn("%s: malloc", __func__);
		server_conn_close(c, 1);
		return;
	}
	memcpy(c->buf, buf, n);
	c->have = n;
	c->scans = 1;
	/*
	 * On srv.handoff before it is registered: the gatherer takes the
	 * list in (with each deadline) after every wait, before it looks
	 * at an event, so every connection it gets an event for is on
	 * its own list.  The eventfd wakes it to take the deadline into
	 * its timeout: the bytes were read here, so no event may come.
	 */
	server_conn_idle(c, 1);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLET | EPOLLRDHUP;
	ev.data.ptr = c;
	if (epoll_ctl(srv.gatherfd, EPOLL_CTL_ADD, c->fd, &ev) == -1)
		log_warn("%s: epoll_ctl", __func__);	/* its deadline ends it */
	if (write(srv.gatherwake, &one, sizeof(one)) == -1)
		log_warn("%s: eventfd", __func__);
}

/* The gatherer closes c, in its set, for why (a few words). */
static void
server_gather_drop(struct conn *c, const char *why)
{
	TAILQ_REMOVE(&srv.gathering, c, gentry);
	log_debug("%s: closed without an answer: %s", __func__, why);
	if (server_conn_take(c))
		server_conn_close(c, 1);
}

/*
 * The request on c is whole (res): the gatherer serves it, then hands
 * c back to the workers' set (keep-alive) or closes it.
 */
static void
server_gather_done(struct conn *c, const struct scan_result *res)
{
	TAILQ_REMOVE(&srv.gathering, c, gentry);
	if (epoll_ctl(srv.gatherfd, EPOLL_CTL_DEL, c->fd, NULL) == -1) {
		log_warn("%s: epoll_ctl", __func__);
		if (server_conn_take(c))
			server_conn_close(c, 1);
		return;
	}
	if (!server_conn_take(c))
		return;		/* evicted meanwhile, and closed */
	if (server_serve(&srv.gatherer, c->fd, c->buf, res,
	    c->have > res->length)) {
		free(c->buf);
		c->buf = NULL;
		server_conn_arm(c);
	} else
		server_conn_close(c, 0);
}

/*
 * An event of the gatherer's set on c: reads what came (the
 * registration is edge-triggered: until the socket is empty, the
 * buffer is full or the peer is done), scans all of it, and serves,
 * keeps or closes c as the top of this file says.
 */
static void
server_gather_event(struct conn *c, uint32_t events)
{
	struct scan_result	 res;
	unsigned char		*nb;
	size_t			 before = c->have;
	ssize_t			 n = 1;

	while (c->have < SCAN_MAX_REQUEST) {
		if (c->have == c->size) {
			c->size = c->size < SCAN_MAX_REQUEST / 2 ?
			    2 * c->size : SCAN_MAX_REQUEST;
			if ((nb = realloc(c->buf, c->size)) == NULL) {
				server_gather_drop(c, "out of memory");
				return;
			}
			c->buf = nb;
		}
		n = recv(c->fd, c->buf + c->have, c->size - c->have,
		    MSG_DONTWAIT);
		if (n <= 0)
			break;
		c->have += (size_t)n;
	}
	if (c->have > before) {
		switch (scan_request(c->buf, c->have, &res)) {
		case SCAN_COMPLETE:
			server_gather_done(c, &res);
			return;
		case SCAN_INVALID:
			server_gather_drop(c, res.reason);
			return;
		case SCAN_INCOMPLETE:
			break;
		}
		if (++c->scans >= SERVER_GATHER_SCANS) {
			server_gather_drop(c, "request sent in too many parts");
			return;
		}
	}
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR) || (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
		server_gather_drop(c, "request cut short");
}

/* The gatherer thread: see the top of this file. */
static void *
server_gather(void *arg)
{
	struct epoll_event	 ev[SERVER_GATHER_EVENTS];
	struct conn		*c;
	uint64_t		 wake;
	long			 now;
	int			 i, n, timeout;

	(void)arg;
	metrics_thread_begin(srv.gatherer.cache);
	for (;;) {
		timeout = -1;
		if ((c = TAILQ_FIRST(&srv.gathering)) != NULL) {
			now = server_ms();
			timeout = c->deadline > now ? (int)(c->deadline - now) : 0;
		}
		n = epoll_wait(srv.gatherfd, ev, SERVER_GATHER_EVENTS, timeout);
		if (n == -1 && errno != EINTR) {
			log_warn("%s: epoll_wait", __func__);
			break;
		}
		/* Handed over since the last wait: deadlines in order. */
		pthread_mutex_lock(&srv.clock);
		TAILQ_CONCAT(&srv.gathering, &srv.handoff, gentry);
		pthread_mutex_unlock(&srv.clock);
		now = server_ms();
		for (i = 0; i < n; i++) {
			if (ev[i].data.ptr == &srv.stopfd)
				goto out;
			if (ev[i].data.ptr == &srv.gatherwake) {
				if (read(srv.gatherwake, &wake,
				    sizeof(wake)) == -1 && errno != EAGAIN)
					log_warn("%s: eventfd", __func__);
				continue;
			}
			server_gather_event(ev[i].data.ptr, ev[i].events);
		}
		while ((c = TAILQ_FIRST(&srv.gathering)) != NULL &&
		    c->deadline <= now)
			server_gather_drop(c, "request not whole in time");
	}
out:
	server_hold_put(&srv.gatherer.hold);
	metrics_thread_end();
	atomic_fetch_sub(&srv.running, 1);
	return NULL;
}

/* Reads what fd holds into w->buf: bytes, 0 at EOF, or -1. */
static ssize_t
server_read(struct worker *w, int fd)
{
	return recv(fd, w->buf, SCAN_MAX_REQUEST, MSG_DONTWAIT);
}

/*
 * Goes on with a held connection whose read returned n: serves a whole
 * request, then re-arms or closes c; hands a begun one to the gatherer
 * (stopping: closes it); closes c on anything else.
 */
static void
server_conn_ready(struct worker *w, struct conn *c, ssize_t n)
{
	struct scan_result	 res;

	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR)) {
		server_conn_arm(c);
		return;
	}
	if (n <= 0) {
		server_conn_close(c, 1);
		return;
	}
	switch (scan_request(w->buf, (size_t)n, &res)) {
	case SCAN_COMPLETE:
		if (server_serve(w, c->fd, w->buf, &res, (size_t)n > res.length))
			server_conn_arm(c);
		else
			server_conn_close(c, 0);
		break;
	case SCAN_INVALID:
		log_debug("%s: closed without an answer: %s", __func__,
		    res.reason);
		server_conn_close(c, 1);
		break;
	case SCAN_INCOMPLETE:
		if (atomic_load(&srv.stopping))
			server_conn_close(c, 1);
		else
			server_gather_add(c, w->buf, (size_t)n);
		break;
	}
}

/* Returns the listening socket of an event's data.ptr, or -1. */
static int
server_listen_fd(const void *ptr)
{
	const int	*p = ptr;

	if (p < srv.listenfd || p >= srv.listenfd + srv.nlisten)
		return -1;
	return *p;
}

/* Arms the listening socket *lp (in srv.listenfd); op: ADD or MOD. */
static int
server_listen_arm(int *lp, int op)
{
	struct epoll_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.ptr = lp;
	if (epoll_ctl(srv.epfd, op, *lp, &ev) == -1) {
		log_warn("%s: epoll_ctl", __func__);
		return -1;
	}
	return 0;
}

/*
 * The listening socket *lp was readable: accepts a batch, re-arms the
 * socket for the other workers, registers the new connections and goes
 * on with the first whose bytes are already there.
 */
static void
server_accept(struct worker *w, int *lp)
{
	const struct timespec	 backoff = { 0, SERVER_BACKOFF_MS * 1000000L };
	struct conn		*c, *first = NULL;
	ssize_t			 n = -1;
	int			 fd, i;

	for (i = 0; i < SERVER_ACCEPT_BATCH; i++) {
		fd = accept4(*lp, NULL, NULL,
		    SOCK_CLOEXEC | SOCK_NONBLOCK);
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
		/*
		 * Its bytes are often there already: no epoll round.  No
		 * byte read (none yet, EOF, an error): its event tells.
		 */
		if (first == NULL && (n = server_read(w, fd)) > 0)
			first = c;
		else
			server_conn_arm(c);
	}
	server_listen_arm(lp, EPOLL_CTL_MOD);
	if (first != NULL)
		server_conn_ready(w, first, n);
}

static void *
server_worker(void *arg)
{
	struct worker		*w = arg;
	struct epoll_event	 ev;
	struct conn		*c;
	int			 n;

	log_hold();
	metrics_thread_begin(w->cache);
	for (;;) {
		/* Held decision lines go out before the worker sleeps. */
		if ((n = epoll_wait(srv.epfd, &ev, 1, log_timeout())) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("%s: epoll_wait", __func__);
			break;
		}
		if (n == 0) {
			log_flush();
			continue;
		}
		if (ev.data.ptr == &srv.stopfd)
			break;
		if (server_listen_fd(ev.data.ptr) != -1) {
			/* Stopping: the socket stays disarmed. */
			if (!atomic_load(&srv.stopping))
				server_accept(w, ev.data.ptr);
			continue;
		}
		c = ev.data.ptr;
		if (server_conn_take(c))
			server_conn_ready(w, c, server_read(w, c->fd));
	}
	log_flush();
	server_hold_put(&w->hold);
	metrics_thread_end();
	atomic_fetch_sub(&srv.running, 1);
	return NULL;
}

/*
 * Stops: once the gatherer's requests are served (or after
 * SERVER_GRACE_MS), tells every thread to leave, and waits for them.
 */
static void
server_stop_wait(void)
{
	const struct timespec	 tick = { 0, 10 * 1000000L };
	uint64_t		 one = 1;
	int			 ms, told = 0, pending;

	for (ms = 0; atomic_load(&srv.running) > 0; ms += 10) {
		if (!told) {
			pthread_mutex_lock(&srv.clock);
			pending = srv.pending;
			pthread_mutex_unlock(&srv.clock);
			if (pending == 0 || ms >= SERVER_GRACE_MS) {
				if (write(srv.stopfd, &one, sizeof(one)) == -1)
					log_warn("%s: eventfd", __func__);
				told = 1;
			}
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

int
server_healthy(void)
{
	int	 ok;

	if (atomic_load(&srv.stopping))
		return 0;
	pthread_mutex_lock(&srv.plock);
	ok = srv.current != NULL && srv.current->policy != NULL;
	pthread_mutex_unlock(&srv.plock);
	/* The gatherer and each worker, when there is a FastCGI socket. */
	return ok && (srv.nlisten == 0 ||
	    atomic_load(&srv.running) == srv.conf->threads + 1);
}

int
server_connections(void)
{
	int	 n;

	pthread_mutex_lock(&srv.clock);
	n = srv.nopen;
	pthread_mutex_unlock(&srv.clock);
	return n;
}

/* Sets up w's cache and buffers; returns 0, or -1 (logged). */
static int
server_worker_init(struct worker *w)
{
	if ((w->cache = cert_cache_new(SERVER_CACHE_SLOTS)) == NULL ||
	    (w->buf = malloc(SCAN_MAX_REQUEST)) == NULL ||
	    (w->params = malloc(SCAN_MAX_REQUEST)) == NULL) {
		log_warnx("%s: out of memory", __func__);
		return -1;
	}
	return 0;
}

static void
server_worker_free(struct worker *w)
{
	cert_cache_free(w->cache);
	free(w->buf);
	free(w->params);
}

static void
server_close_list(struct conn_head *head)
{
	struct conn	*c;

	while ((c = TAILQ_FIRST(head)) != NULL) {
		TAILQ_REMOVE(head, c, entry);
		close(c->fd);
		server_conn_free(c);
	}
}

int
server_run(const struct listener *ls, int nls,
    const struct server_config *conf, struct authz_policy *policy)
{
	struct epoll_event	 ev;
	int			 httpfd[CERTAUTHZD_LISTEN_MAX];
	int			 i, sig, rc;

	srv.conf = conf;
	for (i = 0; i < nls && i < CERTAUTHZD_LISTEN_MAX; i++) {
		if (ls[i].proto == LISTEN_HTTP)
			httpfd[srv.nhttp++] = ls[i].fd;
		else
			srv.listenfd[srv.nlisten++] = ls[i].fd;
	}
	server_nofile();
	if ((srv.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (srv.gatherfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (srv.gatherwake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1 ||
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
	if (epoll_ctl(srv.epfd, EPOLL_CTL_ADD, srv.stopfd, &ev) == -1 ||
	    epoll_ctl(srv.gatherfd, EPOLL_CTL_ADD, srv.stopfd, &ev) == -1) {
		log_warn("%s: epoll_ctl", __func__);
		return 1;
	}
	ev.data.ptr = &srv.gatherwake;	/* level-triggered, read when set */
	if (epoll_ctl(srv.gatherfd, EPOLL_CTL_ADD, srv.gatherwake, &ev) == -1) {
		log_warn("%s: epoll_ctl", __func__);
		return 1;
	}
	for (i = 0; i < srv.nlisten; i++)
		if (server_listen_arm(&srv.listenfd[i], EPOLL_CTL_ADD) == -1)
			return 1;
	if (srv.nhttp > 0 && http_start(httpfd, srv.nhttp, conf) == -1)
		return 1;
	/* Workers and the gatherer serve FastCGI only. */
	if (srv.nlisten == 0)
		goto ready;
	if (server_worker_init(&srv.gatherer) == -1)
		return 1;
	atomic_fetch_add(&srv.running, 1);
	if ((rc = pthread_create(&srv.gatherer.thread, NULL, server_gather,
	    NULL)) != 0) {
		log_warnx("%s: pthread_create: %s", __func__, strerror(rc));
		return 1;
	}
	if ((srv.workers = calloc(conf->threads, sizeof(*srv.workers)))
	    == NULL) {
		log_warn("%s: calloc", __func__);
		return 1;
	}
	for (i = 0; i < conf->threads; i++) {
		struct worker	*w = &srv.workers[i];

		if (server_worker_init(w) == -1)
			return 1;
		atomic_fetch_add(&srv.running, 1);
		if ((rc = pthread_create(&w->thread, NULL, server_worker,
		    w)) != 0) {
			log_warnx("%s: pthread_create: %s", __func__,
			    strerror(rc));
			return 1;
		}
		srv.nworkers++;
	}
ready:
	if (conf->metrics_fd != -1 && metrics_start(conf->metrics_fd) == -1)
		return 1;
	log_info("ready: %d workers on %d FastCGI and %d HTTP sockets%s",
	    conf->threads, srv.nlisten, srv.nhttp,
	    conf->metrics_fd != -1 ? ", metrics on -M" : "");

	for (;;) {
		/* only this thread swaps srv.current: no lock to read it */
		if ((sig = watch_wait(&server_sigset, srv.current->policy,
		    atomic_load(&srv.generation))) == 0)
			continue;
		if (sig == SIGHUP || sig == -1)	/* -1: auto_reload */
			server_reload();
		else
			break;
	}
	log_info("stopping on signal %d", sig);
	atomic_store(&srv.stopping, 1);
	if (srv.nhttp > 0)
		http_stop();
	server_stop_wait();
	if (srv.nlisten > 0) {
		pthread_join(srv.gatherer.thread, NULL);
		server_worker_free(&srv.gatherer);
	}
	for (i = 0; i < srv.nworkers; i++) {
		pthread_join(srv.workers[i].thread, NULL);
		server_worker_free(&srv.workers[i]);
	}
	free(srv.workers);
	for (i = 0; i < srv.nlisten; i++)
		close(srv.listenfd[i]);
	server_close_list(&srv.idle);
	server_close_list(&srv.dying);
	close(srv.epfd);
	close(srv.gatherfd);
	close(srv.gatherwake);
	close(srv.stopfd);
	if (conf->metrics_fd != -1)
		metrics_stop();
	pthread_mutex_lock(&srv.plock);
	server_policy_release(srv.current);
	srv.current = NULL;
	pthread_mutex_unlock(&srv.plock);
	log_info("stopped");
	return 0;
}
