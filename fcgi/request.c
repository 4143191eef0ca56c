/*
 * request.c: FastCGI params -> struct authz_request (SPEC §2.2).
 *
 * Only the params of the table in SPEC §2.2 are read; every HTTP_*
 * param except HTTP_HOST (request context, never identity) is ignored.
 * libfcgi itself bounds neither the number of params nor their length
 * (a name or value may announce up to 2^31 bytes, which it allocates);
 * this file bounds what reaches the policy: more than
 * REQUEST_PARAMS_MAX params or REQUEST_BYTES_MAX bytes, or any param
 * sent twice, is a deny.
 */
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
request_parse(FCGX_Request *r, struct authz_request *req)
{
	char		**envp = r->envp;
	const char	 *p, *v, *mserial = NULL, *serial = NULL;
	const char	 *httphost = NULL, *servername = NULL;
	size_t		  i, j, n, len, bytes = 0;

	memset(req, 0, sizeof(*req));
	switch (r->role) {
	case FCGI_RESPONDER:
		req->role = "responder";
		break;
	case FCGI_AUTHORIZER:
		req->role = "authorizer";
		break;
	default:
		req->role = "filter";
		break;
	}

	/* envp[0] is the FCGI_ROLE=... that libfcgi adds itself. */
	if (envp == NULL || envp[0] == NULL)
		return;
	envp++;

	for (n = 0; envp[n] != NULL; n++) {
		if (n >= REQUEST_PARAMS_MAX) {
			req->fault = "too many params";
			return;
		}
		bytes += strlen(envp[n]);
		if (bytes > REQUEST_BYTES_MAX) {
			req->fault = "oversized params";
			return;
		}
	}

	for (i = 0; i < n; i++) {
		p = envp[i];
		len = request_namelen(p);
		for (j = 0; j < i; j++) {
			if (request_namelen(envp[j]) == len &&
			    memcmp(envp[j], p, len) == 0) {
				req->fault = "duplicate param";
				return;
			}
		}
		if (len < 4)
			continue;
		if ((v = request_match(p, len, "SSL_CLIENT_VERIFY")) != NULL)
			req->verify = v;
		else if ((v = request_match(p, len, "SSL_CLIENT_CERT")) != NULL) {
			req->cert = v;
			req->certlen = strlen(v);
		} else if ((v = request_match(p, len,
		    "SSL_CLIENT_M_SERIAL")) != NULL)
			mserial = v;
		else if ((v = request_match(p, len, "SSL_CLIENT_SERIAL")) != NULL)
			serial = v;
		else if ((v = request_match(p, len, "SSL_CLIENT_S_DN")) != NULL)
			req->s_dn = v;
		else if ((v = request_match(p, len, "SSL_CLIENT_I_DN")) != NULL)
			req->i_dn = v;
		else if ((v = request_match(p, len, "CERTAUTHZ_POLICY")) != NULL)
			req->policy = v;
		else if ((v = request_match(p, len, "REQUEST_URI")) != NULL)
			req->uri = v;
		else if ((v = request_match(p, len, "HTTP_HOST")) != NULL)
			httphost = v;
		else if ((v = request_match(p, len, "SERVER_NAME")) != NULL)
			servername = v;
		else if ((v = request_match(p, len, "REQUEST_METHOD")) != NULL)
			req->method = v;
		else if ((v = request_match(p, len, "REMOTE_ADDR")) != NULL)
			req->remote = v;
	}
	req->serial = mserial != NULL ? mserial : serial;
	req->host = httphost != NULL ? httphost : servername;
}
