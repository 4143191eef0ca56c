/*
 * cli.h: shared between the parts of the certauthz program.
 */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>

/*
 * Reads CERT (a file, or "-" for stdin) into a malloc'ed, NUL-terminated
 * buffer of at most max bytes.  Returns 0, or -1 after printing why.
 */
int	cli_read_input(const char *path, size_t max, char **buf, size_t *len);

/* certauthz show CERT: returns the exit status (0, or 2). */
int	cli_show(int argc, char *argv[]);

#endif /* CLI_H */
