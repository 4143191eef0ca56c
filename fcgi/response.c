/*
 * response.c: the answers of certauthzd(8), ROLES.
 *
 * An allow is "Status: 200 OK" and one Variable-CERTAUTHZ_* header per
 * identity field, each value escaped and bounded by authz_header_value()
 * (the library cuts a long subject or email with "...", and denies an
 * identity that would need cutting, so every allow it hands over can be
 * sent).  A deny and a fault carry a fixed body that never says why.
 *
 * The FastCGI framing is the one libfcgi's FCGX_FClose() wrote: one
 * FCGI_STDOUT record padded to a multiple of 8 bytes, the empty
 * FCGI_STDOUT, then FCGI_END_REQUEST (appStatus 0,
 * FCGI_REQUEST_COMPLETE); nothing on FCGI_STDERR.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <fastcgi.h>

#include "certauthzd.h"

static const char response_403[] =
    "Status: 403 Forbidden\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "forbidden\n";

static const char response_500[] =
    "Status: 500 Internal Server Error\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "forbidden\n";

int
response_identity(const struct authz_decision *d,
    char v[RESPONSE_FIELDS][AUTHZ_HEADER_MAX + 1])
{
	const char	*src[RESPONSE_FIELDS];
	int		 i, nv;

	if (d->result != AUTHZ_ALLOW || d->cert == NULL)
		return -1;
	/* The identity is checked once more: a cut one is never sent. */
	if (d->user == NULL || !authz_header_fits(d->user))
		return -1;
	src[0] = d->user;
	src[1] = d->policy;
	src[2] = d->rule;
	src[3] = d->cert->serial;
	src[4] = d->cert->subject_str;
	src[5] = d->email;
	nv = d->email != NULL ? 6 : 5;
	for (i = 0; i < nv; i++)
		if (src[i] == NULL || authz_header_value(v[i],
		    AUTHZ_HEADER_MAX + 1, src[i]) < 0)
			return -1;
	return nv;
}

/*
 * Renders the CGI answer (status line and headers, or a fixed body) for
 * d into buf; returns its length, and the status in *status.
 */
static size_t
response_cgi(char *buf, size_t size, const struct authz_decision *d,
    int *status)
{
	char	 v[RESPONSE_FIELDS][AUTHZ_HEADER_MAX + 1];
	int	 len, nv;

	if (d == NULL)
		goto fail;
	if (d->result == AUTHZ_DENY) {
		memcpy(buf, response_403, sizeof(response_403) - 1);
		*status = 403;
		return sizeof(response_403) - 1;
	}
	/* Every header is rendered first: nothing is sent unless all are. */
	if ((nv = response_identity(d, v)) == -1)
		goto fail;
	len = snprintf(buf, size, "Status: 200 OK\r\n"
	    "Variable-CERTAUTHZ_USER: %s\r\n"
	    "Variable-CERTAUTHZ_POLICY: %s\r\n"
	    "Variable-CERTAUTHZ_RULE: %s\r\n"
	    "Variable-CERTAUTHZ_SERIAL: %s\r\n"
	    "Variable-CERTAUTHZ_SUBJECT: %s\r\n"
	    "%s%s%s"
	    "\r\n", v[0], v[1], v[2], v[3], v[4],
	    nv == 6 ? "Variable-CERTAUTHZ_EMAIL: " : "",
	    nv == 6 ? v[5] : "", nv == 6 ? "\r\n" : "");
	if (len < 0 || (size_t)len >= size)
		goto fail;
	*status = 200;
	return (size_t)len;

fail:
	memcpy(buf, response_500, sizeof(response_500) - 1);
	*status = 500;
	return sizeof(response_500) - 1;
}

_Static_assert(RESPONSE_CGI_MAX <= 0xffff,
    "an answer must fit the content of one FastCGI record");

/* The 8 bytes of a record header. */
static void
response_header(unsigned char *h, int type, unsigned id, size_t clen,
    size_t plen)
{
	h[0] = FCGI_VERSION_1;
	h[1] = (unsigned char)type;
	h[2] = (unsigned char)(id >> 8);
	h[3] = (unsigned char)id;
	h[4] = (unsigned char)(clen >> 8);
	h[5] = (unsigned char)clen;
	h[6] = (unsigned char)plen;
	h[7] = 0;
}

size_t
response_fcgi(unsigned char *buf, unsigned id, const struct authz_decision *d,
    int *status)
{
	unsigned char	*p;
	size_t		 clen, plen;

	/* The content fits one record (RESPONSE_FCGI_MAX, certauthzd.h). */
	clen = response_cgi((char *)buf + FCGI_HEADER_LEN, RESPONSE_CGI_MAX,
	    d, status);
	plen = (8 - clen % 8) % 8;
	response_header(buf, FCGI_STDOUT, id, clen, plen);
	p = buf + FCGI_HEADER_LEN + clen;
	memset(p, 0, plen);
	p += plen;
	response_header(p, FCGI_STDOUT, id, 0, 0);	/* end of stdout */
	p += FCGI_HEADER_LEN;
	response_header(p, FCGI_END_REQUEST, id, 8, 0);
	p += FCGI_HEADER_LEN;
	memset(p, 0, 8);	/* appStatus 0 */
	p[4] = FCGI_REQUEST_COMPLETE;
	return (size_t)(p + 8 - buf);
}
