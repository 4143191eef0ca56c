/*
 * log.c: the daemon's logging, after relayd's log.c.
 *
 * Every message goes to syslog with ident "certauthzd" and the facility
 * the policy names; with -d it is also written to stderr, one line per
 * message.  log_warn() appends strerror(errno).  Any thread may log.
 *
 * Lines are written here, not by syslog(3): glibc's syslog() takes a
 * process-wide lock, and without /dev/log it tries to connect again on
 * every call, which cost 15-20 us a decision.  Each thread connects a
 * datagram socket of its own to /dev/log the first time it logs and
 * sends RFC 3164 lines on it: "<PRI>Mmm dd hh:mm:ss certauthzd[PID]:
 * message" (systemd-journald, rsyslog and syslog-ng take these; a
 * stream-only /dev/log is not served).  A send never blocks: when the
 * syslog daemon is behind (EAGAIN), or /dev/log is missing or refuses
 * (a thread then tries to connect again at most once a second), the
 * line is dropped and counted, and the count is logged with the next
 * line that goes through.
 *
 * A worker calls log_hold(): its decision lines (log_line()) then wait
 * in its struct log_thread, up to LOG_HOLD of them, and go out with one
 * sendmmsg(2) when it holds LOG_HOLD, when it logs anything else (order
 * is kept), when it calls log_flush(), which it does before it sleeps,
 * or when it asks log_timeout() for its next wait and the first has
 * waited LOG_HOLD_MS.  Lines are formatted in place, in the buffer that
 * holds them.  That saves a system call a line and most of the syslog
 * daemon's wake-ups under load; a crash loses the lines held.
 *
 * A thread that cannot promise a log_flush() before it sleeps (an HTTP
 * thread: libmicrohttpd sleeps in its own loop) calls log_hold_shared()
 * instead, and log_release() before it exits.  Its lines are then also
 * sent by the flusher, a thread of this file (log_flusher_start()) that
 * sleeps until such a thread holds a line and sends every shared
 * thread's lines whose first has waited LOG_HOLD_MS.  A shared thread's
 * state is under its own lock, which only the flusher also takes; the
 * flusher is woken once per batch, when a thread holds its first line.
 *
 * CERTAUTHZD_LOG_SOCKET, when set (and not set-uid), replaces /dev/log:
 * the tests' fake syslog (certauthzd(8), ENVIRONMENT).
 */
#include "config.h"	/* _GNU_SOURCE (AC_USE_SYSTEM_EXTENSIONS) */

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_PATH	"/dev/log"
#define LOG_LINE_MAX	(4096 + 64)	/* a decision line and the header */

#define LOG_HOLD	8		/* lines a holding thread keeps at most */
#define LOG_HOLD_BYTES	16384		/* and their bytes */
#define LOG_HOLD_MS	100		/* and for how long: log_timeout() */

/*
 * A thread's socket to syslog, its header of the current second, and
 * the lines it holds (log_hold()) until its next log_flush().
 */
struct log_thread {
	int		 fd;		/* -1: not connected */
	time_t		 retry;		/* no connect before this second */
	time_t		 sec;		/* of head */
	char		 head[64];	/* "Mmm dd hh:mm:ss certauthzd[PID]: " */
	int		 hold;		/* log_line() may keep its line */
	unsigned int	 nheld;
	long		 since;		/* ms, monotonic: the first held */
	size_t		 used;		/* of buf */
	struct iovec	 iov[LOG_HOLD];
	char		 buf[LOG_HOLD_BYTES];
	/* log_hold_shared(): */
	int		 shared;
	pthread_mutex_t	 lock;		/* all of the above */
	TAILQ_ENTRY(log_thread) entry;	/* on log_shared.threads */
};

/* Set by the first log_init(), before any other thread exists. */
static int			 log_debugging;
static long			 log_pid;
static struct sockaddr_un	 log_addr;

static atomic_int		 log_facility = LOG_DAEMON;
static atomic_ulong		 log_drops;	/* not yet reported */
static atomic_ulong		 log_dropped_total;	/* since start */
static _Thread_local struct log_thread log_self = { .fd = -1 };

/* The shared threads and their flusher; lock before any thread's. */
static struct {
	pthread_mutex_t			 lock;
	pthread_cond_t			 cond;	/* CLOCK_MONOTONIC */
	TAILQ_HEAD(, log_thread)	 threads;
	int				 waiting; /* the flusher, untimed */
	int				 run;	/* 0: the flusher is to leave */
	pthread_t			 flusher;
} log_shared = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.threads = TAILQ_HEAD_INITIALIZER(log_shared.threads),
};

static void	log_vlog(int, int, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));
static void	log_vlog_self(int, int, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));
static void	log_emit(int, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* May be called again (reload) to apply a new facility. */
void
log_init(int debug, int facility)
{
	const char	*path;

	atomic_store(&log_facility, facility & LOG_FACMASK);
	if (log_pid != 0)
		return;
	log_debugging = debug;
	log_pid = (long)getpid();
	if ((path = secure_getenv("CERTAUTHZD_LOG_SOCKET")) == NULL ||
	    strlen(path) >= sizeof(log_addr.sun_path))
		path = LOG_PATH;
	log_addr.sun_family = AF_UNIX;
	memcpy(log_addr.sun_path, path, strlen(path) + 1);
}

/* Writes "<PRI>Mmm dd hh:mm:ss certauthzd[PID]: " to buf; its length. */
static size_t
log_head(struct log_thread *t, int priority, time_t now, char *buf,
    size_t len)
{
	struct tm	 tm;
	char		 stamp[32];
	int		 n;

	if (now != t->sec || t->head[0] == '\0') {
		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
		snprintf(t->head, sizeof(t->head), "%s certauthzd[%ld]: ",
		    stamp, log_pid);
		t->sec = now;
	}
	n = snprintf(buf, len, "<%d>%s", atomic_load_explicit(&log_facility,
	    memory_order_relaxed) | (priority & LOG_PRIMASK), t->head);
	return n < 0 || (size_t)n >= len ? 0 : (size_t)n;
}

/* Connects t's socket unless it is, or a try failed this second. */
static int
log_connect(struct log_thread *t, time_t now)
{
	if (t->fd != -1)
		return 0;
	if (now < t->retry)
		return -1;
	t->retry = now + 1;
	if ((t->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(t->fd, (struct sockaddr *)&log_addr,
	    sizeof(log_addr)) == -1) {
		close(t->fd);
		t->fd = -1;
		return -1;
	}
	return 0;
}

/* Milliseconds on the coarse monotonic clock (a few ns, no syscall). */
static long
log_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/*
 * Sends the lines t holds, with one sendmmsg(2), or counts them
 * dropped; never blocks.
 */
static void
log_send(struct log_thread *t, time_t now)
{
	struct mmsghdr	 mm[LOG_HOLD];
	char		 note[128];
	unsigned long	 drops;
	unsigned int	 i, held = t->nheld;
	int		 sent = -1;
	size_t		 n;

	if (held == 0)
		return;
	t->nheld = 0;
	t->used = 0;
	if (log_connect(t, now) == 0) {
		memset(mm, 0, sizeof(mm[0]) * held);
		for (i = 0; i < held; i++) {
			mm[i].msg_hdr.msg_iov = &t->iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		sent = sendmmsg(t->fd, mm, held, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (sent == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != ENOBUFS && errno != EINTR) {
			/* ECONNREFUSED, ENOTCONN...: syslog went away. */
			close(t->fd);
			t->fd = -1;
		}
	}
	if (sent < (int)held) {
		/* A partial send lost its error: the next one tells. */
		atomic_fetch_add(&log_drops, held - (sent > 0 ? sent : 0));
		atomic_fetch_add_explicit(&log_dropped_total,
		    held - (sent > 0 ? sent : 0), memory_order_relaxed);
		return;
	}
	if (atomic_load_explicit(&log_drops, memory_order_relaxed) == 0 ||
	    (drops = atomic_exchange(&log_drops, 0)) == 0)
		return;
	n = log_head(t, LOG_WARNING, now, note, sizeof(note));
	snprintf(note + n, sizeof(note) - n, "%lu log lines dropped", drops);
	if (send(t->fd, note, strlen(note), MSG_DONTWAIT | MSG_NOSIGNAL) == -1) {
		atomic_fetch_add(&log_drops, drops + 1);
		atomic_fetch_add_explicit(&log_dropped_total, 1,
		    memory_order_relaxed);
	}
}

/* Lines dropped since start (the metric; log_drops is reset). */
unsigned long
log_dropped(void)
{
	return atomic_load_explicit(&log_dropped_total, memory_order_relaxed);
}

/*
 * Formats a line at the end of what t holds (flushed first when a line
 * of LOG_LINE_MAX might not fit), and sends what t holds unless it may
 * keep the line (hold, and the thread called log_hold()) and has room
 * for another.
 */
static void
log_vlog(int priority, int hold, const char *fmt, va_list ap)
{
	struct log_thread	*t = &log_self;
	time_t			 now = time(NULL);
	char			*line;
	size_t			 h, room;
	ssize_t			 w;
	int			 n;

	if (sizeof(t->buf) - t->used < LOG_LINE_MAX)
		log_send(t, now);
	line = t->buf + t->used;
	h = log_head(t, priority, now, line, LOG_LINE_MAX);
	room = LOG_LINE_MAX - h - 1;	/* and a newline for stderr */
	if ((n = vsnprintf(line + h, room, fmt, ap)) < 0)
		return;
	if ((size_t)n >= room)
		n = (int)room - 1;
	if (log_debugging) {
		line[h + n] = '\n';
		w = write(STDERR_FILENO, line + h, (size_t)n + 1);
		(void)w;
	}
	if (t->nheld == 0)
		t->since = log_ms();
	t->iov[t->nheld].iov_base = line;
	t->iov[t->nheld].iov_len = h + (size_t)n;
	t->used += h + (size_t)n;
	t->nheld++;
	if (!hold || !t->hold || t->nheld == LOG_HOLD)
		log_send(t, now);
}

/* log_vlog() for the calling thread, under its lock when shared. */
static void
log_vlog_self(int priority, int hold, const char *fmt, va_list ap)
{
	struct log_thread	*t = &log_self;
	int			 first;

	if (!t->shared) {
		log_vlog(priority, hold, fmt, ap);
		return;
	}
	pthread_mutex_lock(&t->lock);
	log_vlog(priority, hold, fmt, ap);
	first = t->nheld == 1;
	pthread_mutex_unlock(&t->lock);
	if (first) {
		/* The first line of a batch: the flusher may sleep untimed. */
		pthread_mutex_lock(&log_shared.lock);
		if (log_shared.waiting)
			pthread_cond_signal(&log_shared.cond);
		pthread_mutex_unlock(&log_shared.lock);
	}
}

static void
log_emit(int priority, int hold, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vlog_self(priority, hold, fmt, ap);
	va_end(ap);
}

/*
 * Logs a ready-made line (a decision line) verbatim, never as a format.
 * In a thread that called log_hold() it may stay there until the
 * thread's next log_flush() or other message.
 */
void
log_line(int priority, const char *line)
{
	log_emit(priority, 1, "%s", line);
}

/*
 * From now on the calling thread may keep up to LOG_HOLD lines of
 * log_line() and send them with one system call; it promises to call
 * log_flush() before it sleeps and to take its timeouts from
 * log_timeout().
 */
void
log_hold(void)
{
	log_self.hold = 1;
}

/*
 * The timeout of the calling thread's next wait for work: -1 (none)
 * when it holds no line, else 0, so that it flushes rather than sleeps
 * when no work is ready.  Lines whose first has waited LOG_HOLD_MS are
 * sent first: a worker that is never idle, busy with events that log
 * nothing (allows without log_allow, keep-alive closes), does not keep
 * a line for long.
 */
int
log_timeout(void)
{
	struct log_thread	*t = &log_self;

	if (t->nheld != 0 && log_ms() - t->since >= LOG_HOLD_MS)
		log_send(t, time(NULL));
	return t->nheld != 0 ? 0 : -1;
}

/* Sends the lines the calling thread holds. */
void
log_flush(void)
{
	struct log_thread	*t = &log_self;

	if (t->shared)
		pthread_mutex_lock(&t->lock);
	log_send(t, time(NULL));
	if (t->shared)
		pthread_mutex_unlock(&t->lock);
}

/*
 * The calling thread may keep lines as log_hold() says, without the
 * promise: the flusher sends what it holds LOG_HOLD_MS after its
 * first line.  log_release() must come before the thread exits.
 */
void
log_hold_shared(void)
{
	struct log_thread	*t = &log_self;

	if (t->shared)
		return;
	pthread_mutex_init(&t->lock, NULL);
	t->shared = 1;
	t->hold = 1;
	pthread_mutex_lock(&log_shared.lock);
	TAILQ_INSERT_TAIL(&log_shared.threads, t, entry);
	pthread_mutex_unlock(&log_shared.lock);
}

/* Sends what the calling thread holds and ends log_hold_shared(). */
void
log_release(void)
{
	struct log_thread	*t = &log_self;

	if (!t->shared)
		return;
	pthread_mutex_lock(&log_shared.lock);
	TAILQ_REMOVE(&log_shared.threads, t, entry);
	pthread_mutex_unlock(&log_shared.lock);
	log_send(t, time(NULL));	/* no other thread reaches it now */
	t->shared = 0;
	t->hold = 0;
	pthread_mutex_destroy(&t->lock);
}

/* The flusher thread: see the top of this file. */
static void *
log_flusher(void *arg)
{
	struct log_thread	*t;
	struct timespec		 ts;
	long			 now, next;

	(void)arg;
	pthread_mutex_lock(&log_shared.lock);
	while (log_shared.run) {
		now = log_ms();
		next = -1;
		TAILQ_FOREACH(t, &log_shared.threads, entry) {
			pthread_mutex_lock(&t->lock);
			if (t->nheld != 0 && now - t->since >= LOG_HOLD_MS)
				log_send(t, time(NULL));
			else if (t->nheld != 0 &&
			    (next == -1 || t->since + LOG_HOLD_MS < next))
				next = t->since + LOG_HOLD_MS;
			pthread_mutex_unlock(&t->lock);
		}
		if (next == -1) {
			log_shared.waiting = 1;
			pthread_cond_wait(&log_shared.cond, &log_shared.lock);
			log_shared.waiting = 0;
			continue;
		}
		/* log_ms() is coarse: wait a tick more, not a tick less */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		next = next - now + 5;
		ts.tv_sec += next / 1000;
		ts.tv_nsec += (next % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&log_shared.cond, &log_shared.lock, &ts);
	}
	pthread_mutex_unlock(&log_shared.lock);
	return NULL;
}

int
log_flusher_start(void)
{
	pthread_condattr_t	 ca;
	int			 rc;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&log_shared.cond, &ca);
	pthread_condattr_destroy(&ca);
	log_shared.run = 1;
	if ((rc = pthread_create(&log_shared.flusher, NULL, log_flusher,
	    NULL)) != 0) {
		log_shared.run = 0;
		pthread_cond_destroy(&log_shared.cond);
		log_warnx("%s: pthread_create: %s", __func__, strerror(rc));
		return -1;
	}
	return 0;
}

void
log_flusher_stop(void)
{
	pthread_mutex_lock(&log_shared.lock);
	if (!log_shared.run) {
		pthread_mutex_unlock(&log_shared.lock);
		return;
	}
	log_shared.run = 0;
	pthread_cond_signal(&log_shared.cond);
	pthread_mutex_unlock(&log_shared.lock);
	pthread_join(log_shared.flusher, NULL);
	pthread_cond_destroy(&log_shared.cond);
}

void
log_warn(const char *fmt, ...)
{
	char	 buf[1024];
	int	 saved = errno;
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_warnx("%s: %s", buf, strerror(saved));
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vlog_self(LOG_ERR, 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vlog_self(LOG_INFO, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!log_debugging)
		return;
	va_start(ap, fmt);
	log_vlog_self(LOG_DEBUG, 0, fmt, ap);
	va_end(ap);
}
