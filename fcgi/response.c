/*
 * response.c: the answers of certauthzd(8), ROLES.
 *
 * An allow is "Status: 200 OK" and one Variable-CERTAUTHZ_* header per
 * identity field, each value escaped and bounded by authz_header_value()
 * (the library cuts a long subject or email with "...", and denies an
 * identity that would need cutting, so every allow it hands over can be
 * sent).  A deny and a fault carry a fixed body that never says why.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

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

void
response_error(FCGX_Stream *out)
{
	FCGX_PutStr(response_500, sizeof(response_500) - 1, out);
}

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

int
response_write(FCGX_Stream *out, const struct authz_decision *d)
{
	char	 head[6 * (AUTHZ_HEADER_MAX + 32) + 64];
	char	 v[RESPONSE_FIELDS][AUTHZ_HEADER_MAX + 1];
	int	 len, nv;

	if (d->result == AUTHZ_DENY) {
		FCGX_PutStr(response_403, sizeof(response_403) - 1, out);
		return 403;
	}
	/* Every header is rendered first: nothing is sent unless all are. */
	if ((nv = response_identity(d, v)) == -1)
		goto fail;
	len = snprintf(head, sizeof(head), "Status: 200 OK\r\n"
	    "Variable-CERTAUTHZ_USER: %s\r\n"
	    "Variable-CERTAUTHZ_POLICY: %s\r\n"
	    "Variable-CERTAUTHZ_RULE: %s\r\n"
	    "Variable-CERTAUTHZ_SERIAL: %s\r\n"
	    "Variable-CERTAUTHZ_SUBJECT: %s\r\n"
	    "%s%s%s"
	    "\r\n", v[0], v[1], v[2], v[3], v[4],
	    nv == 6 ? "Variable-CERTAUTHZ_EMAIL: " : "",
	    nv == 6 ? v[5] : "", nv == 6 ? "\r\n" : "");
	if (len < 0 || (size_t)len >= sizeof(head))
		goto fail;
	FCGX_PutStr(head, len, out);
	return 200;

fail:
	response_error(out);
	return 500;
}
