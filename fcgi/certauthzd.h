/*
 * certauthzd.h: the daemon's internal interface between main.c,
 * listen.c, server.c, request.c, response.c, privs.c, http.c and
 * metrics.c.  Nothing here touches OpenSSL; the library is reached
 * through authz.h only.
 */
#ifndef CERTAUTHZD_H
#define CERTAUTHZD_H

#include <sys/types.h>

#include <signal.h>
#include <stdarg.h>

#include "authz.h"
#include "scan.h"

#define CERTAUTHZD_THREADS_MIN	4	/* default -n: 2 x online CPUs, >= this */
#define CERTAUTHZD_MAXCONN	1024	/* open connections, idle included */
#define CERTAUTHZD_LISTEN_MAX	8	/* -s given at most this often */

struct cert_cache;

/*
 * A listening socket: proto LISTEN_FCGI or LISTEN_HTTP, bound by
 * listen_open() before privileges are dropped.
 */
enum listen_proto { LISTEN_FCGI, LISTEN_HTTP };
struct listener {
	const char	*spec;		/* as given to -s, NULL: inherited */
	enum listen_proto proto;
	int		 fd;
	char		*unlink_path;	/* a unix socket to remove at exit */
};

struct server_config {
	const char	*policy_file;
	int		 threads;
	int		 debug;
	int		 metrics_fd;	/* -M: the metrics socket, else -1 */
};

/*
 * listen.c.  listen_open() returns a non-blocking listening socket for
 * spec ("unix:/path", "tcp:HOST:PORT", or NULL: systemd's fd 3, else fd
 * 0 when it listens), or -1 after logging why.  *unlink_path is set to
 * the unix path it created (to remove at exit), else NULL.
 */
int	 listen_open(const char *spec, mode_t mode, char **unlink_path);

/* privs.c.  Returns 0 once uid/gid are dropped for good, else -1 (logged). */
int	 privs_resolve(const char *user, const char *group, uid_t *, gid_t *);
int	 privs_drop(const char *user, uid_t, gid_t);

/*
 * server.c.  server_run() owns the n listening sockets: it runs the
 * FastCGI workers (each accepts and serves) and the gatherer (see the
 * top of server.c) for the LISTEN_FCGI ones, starts the HTTP listener
 * (http.c) on the LISTEN_HTTP ones, handles signals in the calling
 * thread and returns the exit status once a SIGTERM/SIGINT stop has
 * completed.  The policy passed in is owned by the server from then on.
 */
int	 server_run(const struct listener *, int n,
	    const struct server_config *, struct authz_policy *);

/*
 * A thread's hold on the running policy (server.c).  server_hold_get()
 * returns the running policy, taking a reference only when it changed
 * since the thread's last call (one atomic load otherwise); the policy
 * stays valid until the next call or server_hold_put(), which drops
 * the reference.  A zeroed struct holds nothing.
 */
struct policy_ref;
struct server_hold {
	struct policy_ref	*ref;
	unsigned long		 gen;
};
const struct authz_policy *server_hold_get(struct server_hold *);
void	 server_hold_put(struct server_hold *);

/*
 * Decides req against policy through cache into d, timing it (d->us);
 * then server_decision_log() logs d's line as answered with status
 * (an allow that was not answered 200 is logged as the fault it became)
 * and clears d.  Shared by the FastCGI and HTTP listeners.
 */
void	 server_decide(const struct authz_policy *, struct cert_cache *,
	    const struct authz_request *, struct authz_decision *);
void	 server_decision_log(const struct authz_policy *,
	    struct authz_decision *, const struct authz_request *, int status);
/* Logs each policy load message at LOG_ERR (an authz_msg_fn). */
void	 server_policy_msg(void *, const char *);
/* Blocks SIGHUP/SIGINT/SIGTERM, ignores SIGPIPE; call before any thread. */
void	 server_signals_block(void);

/*
 * watch.c.  watch_wait() waits for a signal of set and returns it; in
 * between it logs a stale CRL of p (once per generation gen) and, with
 * auto_reload, returns -1 when p's files changed and a reload is due,
 * 0 when the caller is only to call again.
 */
int	 watch_wait(const sigset_t *, const struct authz_policy *,
	    unsigned long gen);
/*
 * For metrics.c: 1 when a policy is installed, every worker and the
 * gatherer run and no stop has begun, else 0; the open FastCGI
 * connections.
 */
int	 server_healthy(void);
int	 server_connections(void);

/*
 * request.c.  Fills req from the n params of a request of the given
 * FastCGI role (a responder or an authorizer: the only roles served),
 * as scan_params_copy() took them; fault (scan_request()'s res.fault,
 * or NULL) becomes req->fault.  Pointers in req point into the params'
 * copies.
 */
void	 request_parse(const struct scan_param *, size_t n, int role,
	    const char *fault, struct authz_request *);

/*
 * response.c.  Renders into buf (RESPONSE_FCGI_MAX bytes) the whole
 * FastCGI answer to request id (certauthzd(8), ROLES): for d, or the
 * fault answer when d is NULL.  Returns its length, and the HTTP status
 * it carries (200, 403, 500) in *status.
 */
#define RESPONSE_CGI_MAX	(6 * (AUTHZ_HEADER_MAX + 32) + 64)
#define RESPONSE_FCGI_MAX	(RESPONSE_CGI_MAX + 7 + 4 * 8)
size_t	 response_fcgi(unsigned char *buf, unsigned id,
	    const struct authz_decision *, int *status);
/*
 * The identity of an allow, escaped for a header (authz_header_value()):
 * v[0..5] are the user, policy, rule, serial, subject and email.
 * Returns how many are there (5 without an email, else 6), or -1 when
 * the decision cannot be answered as an allow (a 500).
 */
#define RESPONSE_FIELDS	6
int	 response_identity(const struct authz_decision *,
	    char v[RESPONSE_FIELDS][AUTHZ_HEADER_MAX + 1]);

/*
 * http.c: the HTTP/1.1 listener (certauthzd(8), HTTP).  http_start()
 * serves every fd through libmicrohttpd threads of its own, conf->threads
 * per socket; returns 0, or -1 (logged) with nothing left running.
 * http_stop() closes the sockets and every connection, once the
 * requests in flight are answered.
 */
int	 http_start(const int *fds, int n, const struct server_config *);
void	 http_stop(void);
/* The open HTTP connections; any thread, also during http_stop(). */
unsigned int http_connections(void);
/*
 * libmicrohttpd's own messages (MHD_OPTION_EXTERNAL_LOGGER) at LOG_INFO,
 * prefixed with arg, a string; for the HTTP and the metrics listeners.
 */
void	 http_mhd_log(void *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));

/*
 * metrics.c: the -M listener (certauthzd(8), METRICS).
 * metrics_enable() comes before any thread starts: without it nothing
 * is counted.  A deciding thread calls metrics_thread_begin() with its
 * certificate cache, metrics_decision() for each decision answered,
 * metrics_rebase() before it drops a policy it held (server_hold_get(),
 * server_hold_put()) and metrics_thread_end() as it ends; none of these
 * takes a shared lock but the last two.  The main thread reports each
 * policy installed (metrics_policy()) and each SIGHUP reload
 * (metrics_reload()).  metrics_check_loopback() returns 0 when fd is
 * bound to a unix path or a loopback address, else -1.
 * metrics_start() serves fd with a thread of its own; returns 0, or -1
 * (logged).  metrics_stop() stops it and frees every count.
 */
void	 metrics_enable(void);
void	 metrics_thread_begin(struct cert_cache *);
void	 metrics_thread_end(void);
void	 metrics_rebase(void);
void	 metrics_decision(const struct authz_decision *,
	    const struct authz_request *);
void	 metrics_policy(unsigned long generation, const struct authz_policy *);
void	 metrics_reload(int ok);
int	 metrics_check_loopback(int fd);
int	 metrics_start(int fd);
void	 metrics_stop(void);

#endif /* CERTAUTHZD_H */
