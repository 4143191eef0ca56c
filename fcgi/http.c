/*
 * http.c: the HTTP/1.1 listener, for proxies that ask an authorizer
 * over HTTP (nginx auth_request with proxy_pass, Caddy forward_auth).
 *
 * libmicrohttpd (MHD) serves each listening socket with conf->threads
 * threads of its own, each with an epoll set of its own
 * (MHD_USE_EPOLL_INTERNAL_THREAD and a thread pool).  A thread sleeps
 * in epoll_wait() and serves the connections whose bytes have arrived,
 * so an idle keep-alive connection, a half-sent request or a slow peer
 * costs a descriptor, never a thread.  Persistent connections and
 * pipelined requests are MHD's: requests on one connection are read
 * and answered in order.  A connection silent for HTTP_TIMEOUT_S is
 * closed; at CERTAUTHZD_MAXCONN connections a socket accepts no more
 * until one closes.
 *
 * The request contract (certauthzd(8), HTTP).  Only the headers of
 * http_names[] are read, each set by the proxy; the method, target and
 * Host of the request itself are the hop's and are never read.  A
 * header of the table sent twice, two names of one field, or a value
 * holding a NUL byte is a deny.  A request that announces a body
 * (Content-Length other than 0, or Transfer-Encoding) is answered 400
 * and its connection closed, the body unread.  A request head of more
 * than HTTP_MAX_REQUEST bytes (counted as the request line and each
 * header's name and value, with 4 bytes of separators each) is closed
 * without an answer; one that does not even fit HTTP_MEMORY gets MHD's
 * own 431 and is closed.
 *
 * The answer: 200 with the identity in X-Certauthz-* headers
 * (X-Certauthz-Email only when the certificate has one; MHD sends no
 * empty header), 403, or 500; none has a body, so that nginx keeps the connection after an
 * auth subrequest, which reads headers only.
 *
 * Each MHD thread keeps its own certificate cache and policy hold
 * (thread-specific data, made on its first request, freed when the
 * thread exits).  It holds its decision lines as a FastCGI worker does,
 * up to 8 sent with one system call; since MHD has no hook before it
 * sleeps, log.c's flusher sends them when the first has waited 100 ms
 * (log_hold_shared()).
 */
#include "config.h"	/* _GNU_SOURCE (AC_USE_SYSTEM_EXTENSIONS) */

#include <sys/types.h>
#include <sys/socket.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "certauthzd.h"
#include "log.h"

#define HTTP_TIMEOUT_S		60	/* a silent connection is closed */
#define HTTP_MAX_REQUEST	(64 * 1024)	/* bytes of a request head */
#define HTTP_MEMORY		(96 * 1024)	/* MHD's pool per connection:
						   the head and the answer */
#define HTTP_CACHE_SLOTS	256

/* The fields of struct authz_request a header fills. */
enum http_field {
	HF_CERT, HF_VERIFY, HF_POLICY, HF_PATH, HF_URI, HF_METHOD, HF_HOST,
	HF_REMOTE, HF_NFIELDS
};

/*
 * The headers read, case-insensitively; two names of one field are one
 * field sent twice.  certauthzd(8) documents this table.
 */
static const struct {
	const char	*name;
	size_t		 len;
	enum http_field	 field;
} http_names[] = {
	{ "Client-Cert",	11, HF_CERT },
	{ "X-Certauthz-Verify",	18, HF_VERIFY },
	{ "X-Certauthz-Policy",	18, HF_POLICY },
	{ "X-Certauthz-Path",	16, HF_PATH },
	{ "X-Original-URI",	14, HF_URI },
	{ "X-Forwarded-Uri",	15, HF_URI },
	{ "X-Forwarded-Method",	18, HF_METHOD },
	{ "X-Forwarded-Host",	16, HF_HOST },
	{ "X-Forwarded-For",	15, HF_REMOTE },
};

static const char *const http_twice[HF_NFIELDS] = {
	"Client-Cert sent twice",
	"X-Certauthz-Verify sent twice",
	"X-Certauthz-Policy sent twice",
	"X-Certauthz-Path sent twice",
	"X-Original-URI or X-Forwarded-Uri sent twice",
	"X-Forwarded-Method sent twice",
	"X-Forwarded-Host sent twice",
	"X-Forwarded-For sent twice",
};

/* The identity headers of an allow, in response_identity()'s order. */
static const char *const http_out[RESPONSE_FIELDS] = {
	"X-Certauthz-User", "X-Certauthz-Policy", "X-Certauthz-Rule",
	"X-Certauthz-Serial", "X-Certauthz-Subject", "X-Certauthz-Email",
};

/* What the headers of one request said. */
struct http_scan {
	const char	*v[HF_NFIELDS];
	size_t		 len[HF_NFIELDS];
	const char	*fault;
	size_t		 bytes;		/* of the head, about */
	int		 body;		/* announces a body */
};

/* An MHD thread's own state (thread-specific data). */
struct http_thread {
	struct cert_cache	*cache;
	struct server_hold	 hold;
};

static struct {
	pthread_mutex_t		 lock;	/* d and n: start, stop, scrape */
	struct MHD_Daemon	*d[CERTAUTHZD_LISTEN_MAX];
	int			 n;
	pthread_key_t		 key;
	int			 havekey;
	struct MHD_Response	*r400, *r403, *r500;
} http = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

static void
http_thread_free(void *arg)
{
	struct http_thread	*t = arg;

	log_release();
	server_hold_put(&t->hold);
	metrics_thread_end();
	cert_cache_free(t->cache);
	free(t);
}

/* The calling MHD thread's state, made on first use; NULL (logged). */
static struct http_thread *
http_thread(void)
{
	struct http_thread	*t;

	if ((t = pthread_getspecific(http.key)) != NULL)
		return t;
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->cache = cert_cache_new(HTTP_CACHE_SLOTS)) == NULL) {
		log_warnx("%s: out of memory", __func__);
		free(t);
		return NULL;
	}
	if (pthread_setspecific(http.key, t) != 0) {
		log_warnx("%s: pthread_setspecific failed", __func__);
		http_thread_free(t);
		return NULL;
	}
	metrics_thread_begin(t->cache);
	log_hold_shared();
	return t;
}

/* An MHD_KeyValueIteratorN: files one header of the request. */
static enum MHD_Result
http_header(void *arg, enum MHD_ValueKind kind, const char *key,
    size_t keylen, const char *value, size_t vlen)
{
	struct http_scan	*hs = arg;
	enum http_field		 f;
	size_t			 i;

	(void)kind;
	hs->bytes += keylen + vlen + 4;
	if (keylen == 14 && strcasecmp(key, "Content-Length") == 0) {
		if (strcmp(value, "0") != 0)
			hs->body = 1;
		return MHD_YES;
	}
	if (keylen == 17 && strcasecmp(key, "Transfer-Encoding") == 0) {
		hs->body = 1;
		return MHD_YES;
	}
	for (i = 0; i < sizeof(http_names) / sizeof(http_names[0]); i++) {
		if (keylen != http_names[i].len ||
		    strncasecmp(key, http_names[i].name, keylen) != 0)
			continue;
		f = http_names[i].field;
		if (hs->v[f] != NULL && hs->fault == NULL)
			hs->fault = http_twice[f];
		/* MHD 0.9.75 itself cuts a value at a NUL byte. */
		if (strlen(value) != vlen && hs->fault == NULL)
			hs->fault = "header value holds a NUL byte";
		hs->v[f] = value;
		hs->len[f] = vlen;
		break;
	}
	return MHD_YES;
}

/* Queues the answer to d; *status is what was answered (0: nothing). */
static enum MHD_Result
http_answer(struct MHD_Connection *conn, const struct authz_decision *d,
    int *status)
{
	struct MHD_Response	*r;
	char			 v[RESPONSE_FIELDS][AUTHZ_HEADER_MAX + 1];
	enum MHD_Result		 ret;
	int			 i, nv;

	if (d->result == AUTHZ_DENY) {
		*status = 403;
		return MHD_queue_response(conn, 403, http.r403);
	}
	/* Every header is rendered first: nothing is sent unless all are. */
	if ((nv = response_identity(d, v)) == -1)
		goto fail;
	if ((r = MHD_create_response_from_buffer(0, (void *)"",
	    MHD_RESPMEM_PERSISTENT)) == NULL)
		goto fail;
	for (i = 0; i < nv; i++)
		if (MHD_add_response_header(r, http_out[i], v[i]) == MHD_NO) {
			MHD_destroy_response(r);
			goto fail;
		}
	ret = MHD_queue_response(conn, 200, r);
	MHD_destroy_response(r);
	*status = ret == MHD_YES ? 200 : 0;
	return ret;
fail:
	*status = 500;
	return MHD_queue_response(conn, 500, http.r500);
}

/*
 * The MHD_AccessHandlerCallback.  MHD calls it once the head of a
 * request is read (*con_cls NULL), then once the request is whole.  A
 * request that announces a body is answered 400 at the first call,
 * which makes MHD close the connection unread.  Any other is answered
 * at the second: an answer queued at the first call closes the
 * connection too, keep-alive or not.
 */
static enum MHD_Result
http_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct http_scan		 hs;
	struct authz_request		 req;
	struct authz_decision		 d;
	struct http_thread		*t;
	const struct authz_policy	*policy;
	enum MHD_Result			 ret;
	int				 status;

	(void)cls;
	(void)upload_data;

	memset(&hs, 0, sizeof(hs));
	if (*con_cls == NULL) {
		hs.bytes = strlen(method) + strlen(url) + strlen(version) + 4;
		MHD_get_connection_values_n(conn, MHD_HEADER_KIND,
		    http_header, &hs);
		if (hs.bytes > HTTP_MAX_REQUEST) {
			log_info("%s: a request head over %d bytes: closed",
			    __func__, HTTP_MAX_REQUEST);
			return MHD_NO;
		}
		if (hs.body) {
			log_info("%s: a request with a body: 400, closed",
			    __func__);
			return MHD_queue_response(conn, 400, http.r400);
		}
		*con_cls = &http;	/* seen */
		return MHD_YES;
	}
	if (*upload_data_size != 0)	/* never: no body is announced */
		return MHD_NO;
	MHD_get_connection_values_n(conn, MHD_HEADER_KIND, http_header, &hs);
	if ((t = http_thread()) == NULL)
		return MHD_queue_response(conn, 500, http.r500);
	policy = server_hold_get(&t->hold);

	memset(&req, 0, sizeof(req));
	req.role = "http";
	req.fault = hs.fault;
	/*
	 * Every shipped proxy sets both: a request without them was not
	 * written by the proxy as configured (a header line the client
	 * split with a CR LF pushes them out of it).
	 */
	if (req.fault == NULL && (hs.v[HF_URI] == NULL ||
	    hs.v[HF_METHOD] == NULL))
		req.fault = "X-Original-URI or X-Forwarded-Method absent";
	req.cert = hs.v[HF_CERT];
	req.certlen = hs.len[HF_CERT];
	req.verify = hs.v[HF_VERIFY];
	req.policy = hs.v[HF_POLICY];
	req.path = hs.v[HF_PATH];
	req.uri = hs.v[HF_URI];
	req.method = hs.v[HF_METHOD];
	req.host = hs.v[HF_HOST];
	req.remote = hs.v[HF_REMOTE];

	server_decide(policy, t->cache, &req, &d);
	ret = http_answer(conn, &d, &status);
	server_decision_log(policy, &d, &req, status);
	return ret;
}

/* With -d, each connection opened and closed is logged (debug). */
static void
http_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	(void)cls;
	(void)conn;
	(void)socket_context;
	log_debug("http: connection %s", code == MHD_CONNECTION_NOTIFY_STARTED ?
	    "opened" : "closed");
}

void
http_mhd_log(void *arg, const char *fmt, va_list ap)
{
	char	 buf[512];
	size_t	 len;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	len = strlen(buf);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	log_info("%s: %s", (const char *)arg, buf);
}

/* A fixed answer without a body; close: the connection is then closed. */
static struct MHD_Response *
http_fixed(int close)
{
	struct MHD_Response	*r;

	if ((r = MHD_create_response_from_buffer(0, (void *)"",
	    MHD_RESPMEM_PERSISTENT)) == NULL)
		return NULL;
	if (close && MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION,
	    "close") == MHD_NO) {
		MHD_destroy_response(r);
		return NULL;
	}
	return r;
}

int
http_start(const int *fds, int n, const struct server_config *conf)
{
	unsigned int	 flags;
	int		 i;

	if (pthread_key_create(&http.key, http_thread_free) != 0) {
		log_warnx("%s: pthread_key_create failed", __func__);
		return -1;
	}
	http.havekey = 1;
	if (log_flusher_start() == -1)
		goto fail;
	if ((http.r400 = http_fixed(1)) == NULL ||
	    (http.r403 = http_fixed(0)) == NULL ||
	    (http.r500 = http_fixed(0)) == NULL) {
		log_warnx("%s: out of memory", __func__);
		goto fail;
	}
	flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO |
	    MHD_USE_SUPPRESS_DATE_NO_CLOCK | MHD_USE_ERROR_LOG;
	for (i = 0; i < n; i++) {
		http.d[i] = MHD_start_daemon(flags, 0, NULL, NULL,
		    http_request, NULL,
		    MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log,
		    (void *)"libmicrohttpd",
		    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fds[i],
		    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)conf->threads,
		    MHD_OPTION_CONNECTION_LIMIT,
		    (unsigned int)CERTAUTHZD_MAXCONN,
		    MHD_OPTION_CONNECTION_TIMEOUT,
		    (unsigned int)HTTP_TIMEOUT_S,
		    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY,
		    MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
		    MHD_OPTION_NOTIFY_CONNECTION, http_notify, NULL,
		    MHD_OPTION_END);
		if (http.d[i] == NULL) {
			log_warnx("%s: libmicrohttpd refused socket %d",
			    __func__, fds[i]);
			goto fail;
		}
		pthread_mutex_lock(&http.lock);
		http.n++;
		pthread_mutex_unlock(&http.lock);
	}
	return 0;
fail:
	http_stop();
	return -1;
}

void
http_stop(void)
{
	int	 i;

	/* Joins MHD's threads: their state is freed by then. */
	pthread_mutex_lock(&http.lock);
	for (i = 0; i < http.n; i++)
		MHD_stop_daemon(http.d[i]);
	http.n = 0;
	pthread_mutex_unlock(&http.lock);
	log_flusher_stop();	/* after the threads that held lines */
	if (http.r400 != NULL)
		MHD_destroy_response(http.r400);
	if (http.r403 != NULL)
		MHD_destroy_response(http.r403);
	if (http.r500 != NULL)
		MHD_destroy_response(http.r500);
	http.r400 = http.r403 = http.r500 = NULL;
	if (http.havekey)
		pthread_key_delete(http.key);
	http.havekey = 0;
}

unsigned int
http_connections(void)
{
	const union MHD_DaemonInfo	*info;
	unsigned int			 n = 0;
	int				 i;

	pthread_mutex_lock(&http.lock);
	for (i = 0; i < http.n; i++)
		if ((info = MHD_get_daemon_info(http.d[i],
		    MHD_DAEMON_INFO_CURRENT_CONNECTIONS)) != NULL)
			n += info->num_connections;
	pthread_mutex_unlock(&http.lock);
	return n;
}
