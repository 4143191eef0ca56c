/*
 * metrics.c: the metrics and health listener (certauthzd(8), METRICS):
 * Prometheus text exposition 0.0.4 on /metrics and a health answer on
 * /healthz, served by one libmicrohttpd thread on the -M socket, never
 * on an authorization socket.
 *
 * Counting.  Every thread that decides (a FastCGI worker, an HTTP
 * thread) owns a struct metrics_block, cache-line aligned, reached
 * through a thread-local pointer.  Its counters are atomics written by
 * the owner alone with a relaxed load and store (no locked
 * instruction, no shared cache line); the scraper sums them with
 * relaxed loads.  No lock is taken on the per-request path.
 *
 * Labels.  A decision's policy and rule are pointers into the running
 * policy.  A block keeps up to METRICS_LABELS (policy, rule, outcome)
 * keys as those pointers, appended by the owner (the key written, then
 * the count of keys stored with release); more distinct keys are
 * counted under policy="" rule="" (overflow).  When the owner's policy
 * hold moves to a new policy (a reload: server_hold_get()) or is
 * dropped, and before the old policy can be freed, metrics_rebase()
 * folds the block's keys into totals kept by name (policy, rule,
 * outcome as strings) and empties them, under the block's lock.  The
 * scraper reads the keys under that lock, so the names it reads are
 * alive.  A counter of a policy generation swapped out thus lives on
 * under its names, and a policy or rule kept by name across a reload
 * keeps counting from where it was; one removed stays at its last
 * value until the daemon restarts.
 *
 * Blocks are made when a thread starts deciding and kept (their
 * certificate-cache counts folded in when the thread ends) until
 * metrics_stop(): the threads are a fixed pool, so their number is
 * bounded.
 */
#include "config.h"	/* _GNU_SOURCE (AC_USE_SYSTEM_EXTENSIONS) */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "certauthzd.h"
#include "log.h"

#define METRICS_LABELS		64	/* (policy, rule, outcome) per block */
#define METRICS_MAXCONN		16	/* scrapers at once */
#define METRICS_TIMEOUT_S	10

/* Upper bounds of the latency histogram, in microseconds. */
static const long metrics_le_us[] = {
	10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 50000
};
#define METRICS_NBUCKET	(sizeof(metrics_le_us) / sizeof(metrics_le_us[0]))

/* Denial classes: metrics_class() maps a reason to one. */
enum metrics_class {
	MC_VERIFY, MC_CERT, MC_FORWARDED, MC_VALIDITY, MC_PLACEMENT,
	MC_RULE, MC_NORULE, MC_FAULT, MC_NCLASS
};
static const char *const metrics_class_name[MC_NCLASS] = {
	"verify", "certificate", "forwarded_mismatch", "validity",
	"placement", "rule", "no_rule", "request_fault"
};

enum { MO_ALLOW, MO_DENY, MO_FAULT, MO_N };
static const char *const metrics_outcome[MO_N] = { "allow", "deny", "fault" };

struct metrics_label {
	const char	*policy;	/* into the owner's policy; NULL: "-" */
	const char	*rule;
	int		 outcome;
	atomic_ulong	 n;
};

struct metrics_block {
	/* The owner's hot counters first, on lines of their own. */
	_Alignas(64) atomic_ulong hist[METRICS_NBUCKET + 1];
	atomic_ulong		 sum_us;
	atomic_ulong		 denials[MC_NCLASS];
	atomic_ulong		 faults;
	atomic_ulong		 overflow[MO_N];
	atomic_uint		 nlabel;
	unsigned int		 hint;		/* owner's: the last key hit */
	struct metrics_label	 label[METRICS_LABELS];

	_Alignas(64) pthread_mutex_t lock;	/* the keys: rebase vs scrape */
	struct cert_cache	*cache;		/* NULL once the thread ended */
	unsigned long		 cache_hits, cache_misses; /* of ended */
	struct metrics_block	*next;		/* under metrics.lock */
};

/* Counts of keys folded by name (metrics_rebase()). */
struct metrics_total {
	char			*policy;	/* NULL: "-" */
	char			*rule;
	int			 outcome;
	unsigned long		 n;
	struct metrics_total	*next;
};

static struct {
	int			 on;	/* -M given: threads count */
	struct MHD_Daemon	*d;
	pthread_mutex_t		 lock;	/* blocks, totals, policy facts */
	struct metrics_block	*blocks;
	struct metrics_total	*totals;
	unsigned long		 reload_ok, reload_failed;
	unsigned long		 generation;
	time_t			 loaded;
	int			 hascrl;
	time_t			 crl_last, crl_next;
} metrics = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

static _Thread_local struct metrics_block *metrics_self;

/* One more, or v more, from the owner: a relaxed load and store. */
static inline void
metrics_add(atomic_ulong *c, unsigned long v)
{
	atomic_store_explicit(c, atomic_load_explicit(c,
	    memory_order_relaxed) + v, memory_order_relaxed);
}

static inline unsigned long
metrics_get(atomic_ulong *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

void
metrics_thread_begin(struct cert_cache *cache)
{
	struct metrics_block	*b;

	if (!metrics.on || metrics_self != NULL)
		return;
	if ((b = aligned_alloc(64, (sizeof(*b) + 63) / 64 * 64)) == NULL) {
		log_warnx("%s: out of memory: this thread is not counted",
		    __func__);
		return;
	}
	memset(b, 0, sizeof(*b));
	pthread_mutex_init(&b->lock, NULL);
	b->cache = cache;
	pthread_mutex_lock(&metrics.lock);
	b->next = metrics.blocks;
	metrics.blocks = b;
	pthread_mutex_unlock(&metrics.lock);
	metrics_self = b;
}

/* Adds n to the total of (policy, rule, outcome); metrics.lock held. */
static void
metrics_total_add(struct metrics_total **head, const char *policy,
    const char *rule, int outcome, unsigned long n)
{
	struct metrics_total	*t;

	for (t = *head; t != NULL; t = t->next)
		if (t->outcome == outcome &&
		    (t->policy == policy || (t->policy != NULL &&
		    policy != NULL && strcmp(t->policy, policy) == 0)) &&
		    (t->rule == rule || (t->rule != NULL && rule != NULL &&
		    strcmp(t->rule, rule) == 0))) {
			t->n += n;
			return;
		}
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (policy != NULL && (t->policy = strdup(policy)) == NULL) ||
	    (rule != NULL && (t->rule = strdup(rule)) == NULL)) {
		log_warnx("%s: out of memory: a count is lost", __func__);
		if (t != NULL) {
			free(t->policy);
			free(t);
		}
		return;
	}
	t->outcome = outcome;
	t->n = n;
	t->next = *head;
	*head = t;
}

static void
metrics_total_free(struct metrics_total *t)
{
	struct metrics_total	*next;

	for (; t != NULL; t = next) {
		next = t->next;
		free(t->policy);
		free(t->rule);
		free(t);
	}
}

void
metrics_rebase(void)
{
	struct metrics_block	*b = metrics_self;
	unsigned int		 i, n;

	if (b == NULL)
		return;
	pthread_mutex_lock(&metrics.lock);
	pthread_mutex_lock(&b->lock);
	n = atomic_load_explicit(&b->nlabel, memory_order_relaxed);
	for (i = 0; i < n; i++)
		metrics_total_add(&metrics.totals, b->label[i].policy,
		    b->label[i].rule, b->label[i].outcome,
		    metrics_get(&b->label[i].n));
	atomic_store_explicit(&b->nlabel, 0, memory_order_relaxed);
	b->hint = 0;
	pthread_mutex_unlock(&b->lock);
	pthread_mutex_unlock(&metrics.lock);
}

void
metrics_thread_end(void)
{
	struct metrics_block	*b = metrics_self;
	unsigned long		 h, m;

	if (b == NULL)
		return;
	metrics_rebase();
	pthread_mutex_lock(&b->lock);
	if (b->cache != NULL) {
		cert_cache_stats(b->cache, &h, &m);
		b->cache_hits += h;
		b->cache_misses += m;
		b->cache = NULL;
	}
	pthread_mutex_unlock(&b->lock);
	metrics_self = NULL;
}

/*
 * The class of a denial (certauthzd(8), METRICS), from where the
 * decision stopped and, where that is not enough, its reason.  The one
 * place that maps reasons to classes.
 */
static enum metrics_class
metrics_class(const struct authz_decision *d, const struct authz_request *req)
{
	static const char *const placement[] = {
		"REQUEST_URI", "CERTAUTHZ_PATH", "escaped /", "dot segment",
		"\\ or NUL", "malformed %XX", "path parameters", "host absent",
		"malformed host", "REQUEST_METHOD", "no policy applies",
	};
	const char	*r = d->reason != NULL ? d->reason : "";
	size_t		 i;

	if (req->fault != NULL)
		return MC_FAULT;
	if (d->rule != NULL)
		return MC_RULE;
	if (strcmp(r, "no rule allows") == 0)
		return MC_NORULE;
	if (strncmp(r, "SSL_CLIENT_VERIFY", 17) == 0)
		return MC_VERIFY;
	if (d->cert == NULL)
		return MC_CERT;
	if (strstr(r, "disagree") != NULL)
		return MC_FORWARDED;
	if (strcmp(r, "certificate is not yet valid") == 0 ||
	    strcmp(r, "certificate has expired") == 0)
		return MC_VALIDITY;
	for (i = 0; i < sizeof(placement) / sizeof(placement[0]); i++)
		if (strstr(r, placement[i]) != NULL)
			return MC_PLACEMENT;
	return MC_CERT;
}

void
metrics_decision(const struct authz_decision *d,
    const struct authz_request *req)
{
	struct metrics_block	*b = metrics_self;
	struct metrics_label	*l;
	unsigned int		 i, n, bucket;
	int			 o;

	if (b == NULL)
		return;
	for (bucket = 0; bucket < METRICS_NBUCKET &&
	    d->us > metrics_le_us[bucket]; bucket++)
		;
	metrics_add(&b->hist[bucket], 1);
	metrics_add(&b->sum_us, d->us > 0 ? (unsigned long)d->us : 0);
	switch (d->result) {
	case AUTHZ_ALLOW:
		o = MO_ALLOW;
		break;
	case AUTHZ_DENY:
		o = MO_DENY;
		metrics_add(&b->denials[metrics_class(d, req)], 1);
		break;
	default:
		o = MO_FAULT;
		metrics_add(&b->faults, 1);
		break;
	}
	n = atomic_load_explicit(&b->nlabel, memory_order_relaxed);
	l = &b->label[b->hint];
	if (b->hint < n && l->policy == d->policy && l->rule == d->rule &&
	    l->outcome == o) {
		metrics_add(&l->n, 1);
		return;
	}
	for (i = 0; i < n; i++) {
		l = &b->label[i];
		if (l->policy == d->policy && l->rule == d->rule &&
		    l->outcome == o) {
			b->hint = i;
			metrics_add(&l->n, 1);
			return;
		}
	}
	if (n == METRICS_LABELS) {
		metrics_add(&b->overflow[o], 1);
		return;
	}
	l = &b->label[n];
	l->policy = d->policy;
	l->rule = d->rule;
	l->outcome = o;
	atomic_store_explicit(&l->n, 1, memory_order_relaxed);
	b->hint = n;
	atomic_store_explicit(&b->nlabel, n + 1, memory_order_release);
}

void
metrics_policy(unsigned long generation, const struct authz_policy *p)
{
	time_t	 last = 0, next = 0;
	int	 hascrl;

	hascrl = authz_policy_crl(p, &last, &next);
	pthread_mutex_lock(&metrics.lock);
	metrics.generation = generation;
	metrics.loaded = time(NULL);
	metrics.hascrl = hascrl;
	metrics.crl_last = last;
	metrics.crl_next = next;
	pthread_mutex_unlock(&metrics.lock);
}

void
metrics_reload(int ok)
{
	pthread_mutex_lock(&metrics.lock);
	if (ok)
		metrics.reload_ok++;
	else
		metrics.reload_failed++;
	pthread_mutex_unlock(&metrics.lock);
}

/* Writes s as a label value: \, " and newline escaped. */
static void
metrics_label_value(FILE *fp, const char *s)
{
	if (s == NULL)
		s = "-";
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\\\", fp);
		else if (*s == '"')
			fputs("\\\"", fp);
		else if (*s == '\n')
			fputs("\\n", fp);
		else
			fputc(*s, fp);
	}
}

static void
metrics_head(FILE *fp, const char *name, const char *type, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/*
 * What the scraper asks of server.c, http.c and log.c, taken before
 * metrics.lock: they take locks of their own (srv.plock, http.lock)
 * that are held while metrics.lock is taken.
 */
struct metrics_outside {
	int		 up;
	int		 fcgi_conns;
	unsigned int	 http_conns;
	unsigned long	 dropped;
};

/* Renders every metric into fp; metrics.lock held. */
static void
metrics_render(FILE *fp, const struct metrics_outside *o)
{
	struct metrics_total	*sum = NULL, *t;
	struct metrics_block	*b;
	unsigned long		 hist[METRICS_NBUCKET + 1] = { 0 };
	unsigned long		 denials[MC_NCLASS] = { 0 };
	unsigned long		 overflow[MO_N] = { 0 };
	unsigned long		 faults = 0, sum_us = 0, hits = 0, misses = 0;
	unsigned long		 h, m, cum;
	unsigned int		 i, n;
	time_t			 now = time(NULL);

	for (t = metrics.totals; t != NULL; t = t->next)
		metrics_total_add(&sum, t->policy, t->rule, t->outcome, t->n);
	for (b = metrics.blocks; b != NULL; b = b->next) {
		for (i = 0; i <= METRICS_NBUCKET; i++)
			hist[i] += metrics_get(&b->hist[i]);
		sum_us += metrics_get(&b->sum_us);
		for (i = 0; i < MC_NCLASS; i++)
			denials[i] += metrics_get(&b->denials[i]);
		for (i = 0; i < MO_N; i++)
			overflow[i] += metrics_get(&b->overflow[i]);
		faults += metrics_get(&b->faults);
		pthread_mutex_lock(&b->lock);
		n = atomic_load_explicit(&b->nlabel, memory_order_acquire);
		for (i = 0; i < n; i++)
			metrics_total_add(&sum, b->label[i].policy,
			    b->label[i].rule, b->label[i].outcome,
			    metrics_get(&b->label[i].n));
		hits += b->cache_hits;
		misses += b->cache_misses;
		if (b->cache != NULL) {
			cert_cache_stats(b->cache, &h, &m);
			hits += h;
			misses += m;
		}
		pthread_mutex_unlock(&b->lock);
	}
	for (i = 0; i < MO_N; i++)
		if (overflow[i] != 0)
			metrics_total_add(&sum, "", "", (int)i, overflow[i]);

	metrics_head(fp, "certauthz_decisions_total", "counter",
	    "Decisions answered, by policy, rule and outcome.");
	for (t = sum; t != NULL; t = t->next) {
		fputs("certauthz_decisions_total{policy=\"", fp);
		metrics_label_value(fp, t->policy);
		fputs("\",rule=\"", fp);
		metrics_label_value(fp, t->rule);
		fprintf(fp, "\",outcome=\"%s\"} %lu\n",
		    metrics_outcome[t->outcome], t->n);
	}
	metrics_total_free(sum);
	metrics_head(fp, "certauthz_denials_total", "counter",
	    "Denials (403), by reason class.");
	for (i = 0; i < MC_NCLASS; i++)
		fprintf(fp, "certauthz_denials_total{class=\"%s\"} %lu\n",
		    metrics_class_name[i], denials[i]);
	metrics_head(fp, "certauthz_faults_total", "counter",
	    "Requests answered 500: no usable policy, an unknown policy "
	    "named, an allow that could not be sent.");
	fprintf(fp, "certauthz_faults_total %lu\n", faults);
	metrics_head(fp, "certauthz_decision_duration_seconds", "histogram",
	    "Time to decide one request.");
	for (i = 0, cum = 0; i <= METRICS_NBUCKET; i++) {
		cum += hist[i];
		if (i < METRICS_NBUCKET)
			fprintf(fp, "certauthz_decision_duration_seconds_bucket"
			    "{le=\"%g\"} %lu\n", metrics_le_us[i] / 1e6, cum);
		else
			fprintf(fp, "certauthz_decision_duration_seconds_bucket"
			    "{le=\"+Inf\"} %lu\n", cum);
	}
	fprintf(fp, "certauthz_decision_duration_seconds_sum %.6f\n"
	    "certauthz_decision_duration_seconds_count %lu\n",
	    sum_us / 1e6, cum);
	metrics_head(fp, "certauthz_reloads_total", "counter",
	    "Policy reloads (SIGHUP), by result.");
	fprintf(fp, "certauthz_reloads_total{result=\"ok\"} %lu\n"
	    "certauthz_reloads_total{result=\"failed\"} %lu\n",
	    metrics.reload_ok, metrics.reload_failed);
	metrics_head(fp, "certauthz_policy_generation", "gauge",
	    "Policies installed since start: 1 is the one loaded at start.");
	fprintf(fp, "certauthz_policy_generation %lu\n", metrics.generation);
	metrics_head(fp, "certauthz_policy_loaded_timestamp_seconds", "gauge",
	    "When the running policy was installed.");
	fprintf(fp, "certauthz_policy_loaded_timestamp_seconds %lld\n",
	    (long long)metrics.loaded);
	if (metrics.hascrl) {
		metrics_head(fp, "certauthz_crl_age_seconds", "gauge",
		    "Seconds since the oldest lastUpdate of crl_file.");
		fprintf(fp, "certauthz_crl_age_seconds %lld\n",
		    (long long)(now - metrics.crl_last));
		if (metrics.crl_next != 0) {
			metrics_head(fp,
			    "certauthz_crl_next_update_timestamp_seconds",
			    "gauge", "The earliest nextUpdate of crl_file.");
			fprintf(fp, "certauthz_crl_next_update_timestamp_seconds"
			    " %lld\n", (long long)metrics.crl_next);
		}
	}
	metrics_head(fp, "certauthz_cert_cache_hits_total", "counter",
	    "Certificates found decoded in a thread's cache.");
	fprintf(fp, "certauthz_cert_cache_hits_total %lu\n", hits);
	metrics_head(fp, "certauthz_cert_cache_misses_total", "counter",
	    "Certificates decoded.");
	fprintf(fp, "certauthz_cert_cache_misses_total %lu\n", misses);
	metrics_head(fp, "certauthz_log_lines_dropped_total", "counter",
	    "Log lines (decision lines included) syslog did not take.");
	fprintf(fp, "certauthz_log_lines_dropped_total %lu\n", o->dropped);
	metrics_head(fp, "certauthz_connections_open", "gauge",
	    "Open connections on the authorization sockets.");
	fprintf(fp, "certauthz_connections_open{listener=\"fastcgi\"} %d\n"
	    "certauthz_connections_open{listener=\"http\"} %u\n",
	    o->fcgi_conns, o->http_conns);
	metrics_head(fp, "certauthz_up", "gauge",
	    "1 when /healthz answers 200.");
	fprintf(fp, "certauthz_up %d\n", o->up);
}

/* Queues a text answer of status with body (copied). */
static enum MHD_Result
metrics_answer(struct MHD_Connection *conn, unsigned int status,
    const char *type, const char *body, size_t len)
{
	struct MHD_Response	*r;
	enum MHD_Result		 ret;

	if ((r = MHD_create_response_from_buffer(len, (void *)body,
	    MHD_RESPMEM_MUST_COPY)) == NULL)
		return MHD_NO;
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    type) == MHD_NO) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* The MHD_AccessHandlerCallback: /metrics, /healthz, else 404. */
static enum MHD_Result
metrics_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	static const char	 text[] = "text/plain; charset=utf-8";
	struct metrics_outside	 o;
	FILE			*fp;
	char			*buf = NULL;
	size_t			 len = 0;
	enum MHD_Result		 ret;

	(void)cls;
	(void)version;
	(void)upload_data;
	if (*con_cls == NULL) {		/* the head: wait for the rest */
		*con_cls = &metrics;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {	/* a body: ignored */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return metrics_answer(conn, 405, text, "GET only\n", 9);
	if (strcmp(url, "/healthz") == 0) {
		if (server_healthy())
			return metrics_answer(conn, 200, text, "ok\n", 3);
		return metrics_answer(conn, 503, text, "unavailable\n", 12);
	}
	if (strcmp(url, "/metrics") != 0)
		return metrics_answer(conn, 404, text, "not found\n", 10);
	if ((fp = open_memstream(&buf, &len)) == NULL)
		return metrics_answer(conn, 500, text, "out of memory\n", 14);
	o.up = server_healthy();
	o.fcgi_conns = server_connections();
	o.http_conns = http_connections();
	o.dropped = log_dropped();
	pthread_mutex_lock(&metrics.lock);
	metrics_render(fp, &o);
	pthread_mutex_unlock(&metrics.lock);
	if (fclose(fp) != 0) {
		free(buf);
		return metrics_answer(conn, 500, text, "out of memory\n", 14);
	}
	ret = metrics_answer(conn, 200, "text/plain; version=0.0.4; "
	    "charset=utf-8", buf, len);
	free(buf);
	return ret;
}

int
metrics_check_loopback(int fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1) {
		log_warn("%s: getsockname", __func__);
		return -1;
	}
	switch (ss.ss_family) {
	case AF_UNIX:
		return 0;
	case AF_INET:
		if ((ntohl(sin->sin_addr.s_addr) >> 24) == 127)
			return 0;
		break;
	case AF_INET6:
		if (IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
			return 0;
		break;
	}
	return -1;
}

void
metrics_enable(void)
{
	metrics.on = 1;
}

int
metrics_start(int fd)
{
	metrics.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    metrics_request, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log,
	    (void *)"metrics: libmicrohttpd",
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)METRICS_MAXCONN,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)METRICS_TIMEOUT_S,
	    MHD_OPTION_END);
	if (metrics.d == NULL) {
		log_warnx("%s: libmicrohttpd refused socket %d", __func__, fd);
		return -1;
	}
	return 0;
}

void
metrics_stop(void)
{
	struct metrics_block	*b, *next;

	if (metrics.d != NULL)
		MHD_stop_daemon(metrics.d);
	metrics.d = NULL;
	for (b = metrics.blocks; b != NULL; b = next) {
		next = b->next;
		pthread_mutex_destroy(&b->lock);
		free(b);
	}
	metrics.blocks = NULL;
	metrics_total_free(metrics.totals);
	metrics.totals = NULL;
}
