/*
 * cli.h: shared between the parts of the certauthz program.
 */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>

#include "authz.h"

#define CLI_READ_MAX	(4 * 1024 * 1024)	/* bytes of a certificate
						   file */

/*
 * Reads CERT (a file, or "-" for stdin) into a malloc'ed, NUL-terminated
 * buffer of at most max bytes.  Returns 0, or -1 after printing why.
 */
int	cli_read_input(const char *path, size_t max, char **buf, size_t *len);

/* An authz_msg_fn: prints the message and a newline on the FILE * arg. */
void	cli_msg(void *, const char *);

/*
 * The request of check and test before the user's fields: verify
 * SUCCESS, method GET, URI /, role "check", everything else absent.
 */
void	cli_request_init(struct authz_request *);

/*
 * Decides req against p at the current time, as certauthzd does, after
 * making absent each of verify, uri, host and method that is "-".
 * Fills d (the caller clears it) and writes the decision line into
 * line.  Returns check's exit status: 0 allow, 1 deny, 2 a fault, or a
 * deny because the certificate is unusable.
 */
int	cli_decide(const struct authz_policy *, struct authz_request *,
	    struct authz_decision *, char *line, size_t size);
/* cli_decide() handing tr (NULL: none) each step of the decision. */
int	cli_decide_trace(const struct authz_policy *, struct authz_request *,
	    struct authz_decision *, char *line, size_t size,
	    const struct authz_trace *tr);

/* certauthz show CERT: returns the exit status (0, or 2). */
int	cli_show(int argc, char *argv[]);

/* certauthz test [--certs DIR] FILE... (test.c): 0, 1 or 2. */
int	test_run(int argc, char *argv[]);

/* certauthz ping [-t SECONDS] SOCKET (ping.c): 0 or 1, 2 on usage. */
int	ping_run(int argc, char *argv[]);

#endif /* CLI_H */
