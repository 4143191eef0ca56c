/*
 * fuzz_util.c: helpers for the fuzz targets: temporary files, and a
 * client certificate made in memory by tests/unit/certgen.c (nothing is
 * ever committed).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../unit/certgen.h"
#include "fuzz.h"

/*
 * Writes len bytes to a new file named after tag in $TMPDIR; returns its
 * malloc'ed path.  Exits on error: a fuzz target cannot run without it.
 */
char *
fuzz_tempfile(const char *tag, const void *buf, size_t len)
{
	const char	*dir;
	char		*path;
	int		 fd;

	if ((dir = getenv("TMPDIR")) == NULL || *dir == '\0')
		dir = "/tmp";
	if (asprintf(&path, "%s/certauthz-%s.XXXXXX", dir, tag) == -1)
		abort();
	if ((fd = mkstemp(path)) == -1) {
		perror(path);
		abort();
	}
	if (len > 0 && write(fd, buf, len) != (ssize_t)len) {
		perror(path);
		abort();
	}
	close(fd);
	return path;
}

/*
 * A self-signed EC client certificate for CN=alice,OU=Eng,O=Example
 * with SAN email alice@example.com, serial 1001, clientAuth, valid now:
 * returned as a malloc'ed PEM string.
 */
char *
fuzz_testcert(void)
{
	const struct certgen alice = {
		.name = "alice", .serial = "1001", .days = 365,
		.subject = CERTGEN_NAME({ "O", MBSTRING_ASC, "Example", 0, 0 },
		    { "OU", MBSTRING_ASC, "Eng", 0, 0 },
		    { "CN", MBSTRING_ASC, "alice", 0, 0 }),
		.ext = CERTGEN_EXT({ NID_basic_constraints, "critical,CA:FALSE" },
		    { NID_ext_key_usage, "clientAuth" }),
		.san = CERTGEN_SAN({ GEN_EMAIL, "alice@example.com", 0 })
	};
	EVP_PKEY	*key;
	X509		*x;
	char		*pem;

	key = certgen_key();
	x = certgen_make(&alice, NULL, key, key);
	pem = certgen_pem(x);
	X509_free(x);
	EVP_PKEY_free(key);
	return pem;
}
