/*
 * request.c: FastCGI params -> struct authz_request (certauthzd(8),
 * PARAMS).
 *
 * Only the params of certauthzd(8)'s PARAMS table are read; every HTTP_*
 * param except HTTP_HOST (request context, never identity) is ignored.
 * The params reach here as scan_params_copy() took them from the bytes
 * scan_request() bounded and checked (scan.h): at most SCAN_MAX_REQUEST
 * bytes, and what it found wrong (too many params, a NUL byte, a param
 * sent twice) arrives as the fault.  Names are compared with their
 * lengths, byte for byte.
 */
#include "config.h"

#include <string.h>

#include <fastcgi.h>

#include "certauthzd.h"

/* 1 when p is named name. */
static int
request_is(const struct scan_param *p, const char *name)
{
	size_t	 n = strlen(name);

	return p->namelen == n && memcmp(p->name, name, n) == 0;
}

void
request_parse(const struct scan_param *params, size_t n, int role,
    const char *fault, struct authz_request *req)
{
	const struct scan_param	*p;
	const char		*httphost = NULL, *servername = NULL;

	memset(req, 0, sizeof(*req));
	req->fault = fault;
	/* server_answer() turned the other roles away */
	req->role = role == FCGI_AUTHORIZER ? "authorizer" : "responder";

	for (p = params; p < params + n; p++) {
		if (p->namelen < 9)
			continue;	/* shorter than any name read here */
		if (request_is(p, "SSL_CLIENT_VERIFY"))
			req->verify = p->value;
		else if (request_is(p, "SSL_CLIENT_CERT")) {
			req->cert = p->value;
			req->certlen = p->valuelen;
		} else if (request_is(p, "SSL_CLIENT_M_SERIAL"))
			req->serial = p->value;
		else if (request_is(p, "SSL_CLIENT_SERIAL"))
			req->serial_alt = p->value;
		else if (request_is(p, "SSL_CLIENT_S_DN"))
			req->s_dn = p->value;
		else if (request_is(p, "SSL_CLIENT_I_DN"))
			req->i_dn = p->value;
		else if (request_is(p, "CERTAUTHZ_POLICY"))
			req->policy = p->value;
		else if (request_is(p, "REQUEST_URI"))
			req->uri = p->value;
		else if (request_is(p, "CERTAUTHZ_PATH"))
			req->path = p->value;
		else if (request_is(p, "HTTP_HOST"))
			httphost = p->value;
		else if (request_is(p, "SERVER_NAME"))
			servername = p->value;
		else if (request_is(p, "REQUEST_METHOD"))
			req->method = p->value;
		else if (request_is(p, "REMOTE_ADDR"))
			req->remote = p->value;
	}
	req->host = httphost != NULL ? httphost : servername;
}
