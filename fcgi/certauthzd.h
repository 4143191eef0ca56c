/*
 * certauthzd.h: the daemon's internal interface between main.c,
 * listen.c, server.c, request.c, response.c and privs.c.  Nothing
 * here touches OpenSSL; the library is reached through authz.h only.
 */
#ifndef CERTAUTHZD_H
#define CERTAUTHZD_H

#include <sys/types.h>

#include <fastcgi.h>
#include <fcgiapp.h>

#include "authz.h"

#define CERTAUTHZD_THREADS_MIN	4	/* default -n: 2 x online CPUs, >= this */
#define CERTAUTHZD_MAXCONN	1024	/* open connections, idle included */

struct server_config {
	const char	*policy_file;
	int		 threads;
	int		 debug;
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
 * server.c.  server_run() owns the listening socket, runs the workers
 * (each accepts and serves) and the gatherer (see the top of server.c),
 * handles signals in the calling thread and returns the exit status
 * once a SIGTERM/SIGINT stop has completed.  The policy
 * passed in is owned by the server from then on.
 */
int	 server_run(int fd, const struct server_config *,
	    struct authz_policy *);
/* Logs each policy load message at LOG_ERR (an authz_msg_fn). */
void	 server_policy_msg(void *, const char *);
/* Blocks SIGHUP/SIGINT/SIGTERM, ignores SIGPIPE; call before any thread. */
void	 server_signals_block(void);

/*
 * request.c.  Fills req from the params of r (a responder or an
 * authorizer: the only roles served), which scan_request() has
 * bounded; fault (its res.fault, or NULL) becomes req->fault.
 * Pointers in req point into r and live until FCGX_Free().
 */
void	 request_parse(FCGX_Request *, const char *fault,
	    struct authz_request *);

/*
 * response.c.  Writes the SPEC §2.3 answer for d to out; returns the
 * HTTP status sent (200, 403, 500).
 */
int	 response_write(FCGX_Stream *, const struct authz_decision *);
/* The fault answer, for requests that never reach a decision. */
void	 response_error(FCGX_Stream *);

#endif /* CERTAUTHZD_H */
