/*
 * request.c: FastCGI params -> struct authz_request (certauthzd(8),
 * PARAMS).
 *
 * Only the params of certauthzd(8)'s PARAMS table are read; every HTTP_*
 * param except HTTP_HOST (request context, never identity) is ignored.
 * The params reach here already bounded and checked by scan_request()
 * (scan.h), on the bytes as sent: at most SCAN_MAX_REQUEST bytes, and
 * what it found wrong (too many params, a NUL byte, a param sent twice)
 * arrives as the fault, since libfcgi hands over C strings in which a
 * NUL cuts a value and a second copy of a name can hide.
 */
#include "config.h"

#include <string.h>

#include "certauthzd.h"

/* Length of the name of "NAME=VALUE"; the whole string when no '='. */
static size_t
request_namelen(const char *p)
{
	const char	*eq = strchr(p, '=');

	return eq != NULL ? (size_t)(eq - p) : strlen(p);
}

/* Returns the value when p is "name=VALUE", else NULL. */
static const char *
request_match(const char *p, size_t plen, const char *name)
{
	size_t	 n = strlen(name);

	if (plen != n || memcmp(p, name, n) != 0 || p[n] != '=')
		return NULL;
	return p + n + 1;
}

void
request_parse(FCGX_Request *r, const char *fault, struct authz_request *req)
{
	char		**envp = r->envp;
	const char	 *p, *v;
	const char	 *httphost = NULL, *servername = NULL;
	size_t		  len;

	memset(req, 0, sizeof(*req));
	req->fault = fault;
	/* server_answer() turned the other roles away */
	req->role = r->role == FCGI_AUTHORIZER ? "authorizer" : "responder";

	/* envp[0] is the FCGI_ROLE=... that libfcgi adds itself. */
	if (envp == NULL || envp[0] == NULL)
		return;
	for (envp++; (p = *envp) != NULL; envp++) {
		len = request_namelen(p);
		if (len < 4)
			continue;
		if ((v = request_match(p, len, "SSL_CLIENT_VERIFY")) != NULL)
			req->verify = v;
		else if ((v = request_match(p, len, "SSL_CLIENT_CERT")) != NULL) {
			req->cert = v;
			req->certlen = strlen(v);
		} else if ((v = request_match(p, len,
		    "SSL_CLIENT_M_SERIAL")) != NULL)
			req->serial = v;
		else if ((v = request_match(p, len, "SSL_CLIENT_SERIAL")) != NULL)
			req->serial_alt = v;
		else if ((v = request_match(p, len, "SSL_CLIENT_S_DN")) != NULL)
			req->s_dn = v;
		else if ((v = request_match(p, len, "SSL_CLIENT_I_DN")) != NULL)
			req->i_dn = v;
		else if ((v = request_match(p, len, "CERTAUTHZ_POLICY")) != NULL)
			req->policy = v;
		else if ((v = request_match(p, len, "REQUEST_URI")) != NULL)
			req->uri = v;
		else if ((v = request_match(p, len, "CERTAUTHZ_PATH")) != NULL)
			req->path = v;
		else if ((v = request_match(p, len, "HTTP_HOST")) != NULL)
			httphost = v;
		else if ((v = request_match(p, len, "SERVER_NAME")) != NULL)
			servername = v;
		else if ((v = request_match(p, len, "REQUEST_METHOD")) != NULL)
			req->method = v;
		else if ((v = request_match(p, len, "REMOTE_ADDR")) != NULL)
			req->remote = v;
	}
	req->host = httphost != NULL ? httphost : servername;
}
