/*
 * fuzz_request.c: the whole request -> decision path, as certauthzd
 * runs it, against a fixed policy loaded once.
 *
 * Input: params separated by NUL bytes, each NAME=VALUE (the first '='
 * splits).  A param given twice is a transport fault, as in the daemon;
 * HTTP_* params other than HTTP_HOST are passed nowhere.  Invariants:
 * an allow only with SSL_CLIENT_VERIFY exactly "SUCCESS", a decoded
 * certificate without NUL bytes or a second CN, forwarded serial and
 * DNs equal to the certificate's, no fault; the decision line is one
 * line; header values hold no byte below 0x20.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authz.h"
#include "names.h"
#include "fuzz.h"

#define NPARAM	32

static const char policy_text[] =
    "settings = {\n"
    "  identity = \"cn\";\n"
    "  check_validity = true;\n"
    "  require_client_auth = true;\n"
    "  email_sources = [ \"san\", \"subject\" ];\n"
    "  log_allow = true;\n"
    "  max_cert_bytes = 16384;\n"
    "};\n"
    "lists = { revoked = [ \"10:03\", \"0x0AFF\" ]; };\n"
    "policies = (\n"
    "  { name = \"admin\";\n"
    "    when = { path = [ \"/admin/*\" ]; host = [ \"admin.example.com\" ]; };\n"
    "    deny = ( { name = \"revoked\"; serial = \"@revoked\"; } );\n"
    "    allow = ( { name = \"ops\"; issuer = \"CN=Example Client CA,O=Example\";\n"
    "                email = [ \"*@ops.example.com\", \"alice@example.com\" ]; } );\n"
    "  },\n"
    "  { name = \"spiffe\"; when = { path = [ \"/pay/*\" ]; method = [ \"POST\" ]; };\n"
    "    allow = ( { uri = \"spiffe://example.com/ns/*/sa/payments\"; } ); },\n"
    "  { name = \"default\";\n"
    "    allow = ( { name = \"engineering\"; o = \"Example\"; ou = [ \"Eng\", \"Ops\" ]; },\n"
    "              { cn = \"a*\"; } );\n"
    "  }\n"
    ");\n";

static struct authz_policy	*policy;
static struct cert_cache	*cache;

static void
msg(void *arg, const char *m)
{
	(void)arg;
	fprintf(stderr, "fuzz_request policy: %s\n", m);
}

static void
init(void)
{
	char	*path;

	path = fuzz_tempfile("fuzz-request", policy_text,
	    sizeof(policy_text) - 1);
	policy = authz_policy_load(path, 0, msg, NULL);
	remove(path);
	free(path);
	FUZZ_ASSERT(policy != NULL);
	FUZZ_ASSERT((cache = cert_cache_new(8)) != NULL);
}

static void
check_header(const char *v)
{
	char		 buf[2048];
	const char	*p;
	int		 n;

	if (v == NULL)
		return;
	if ((n = authz_header_value(buf, sizeof(buf), v)) == -1)
		return;
	FUZZ_ASSERT((size_t)n == strlen(buf));
	for (p = buf; *p != '\0'; p++)
		FUZZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f);
}

static void
check_decision(const struct authz_decision *d, const struct authz_request *r)
{
	char	 line[AUTHZ_LINE_MAX], esc[4 * AUTHZ_VALUE_MAX + 16];
	char	 serial[AUTHZ_SERIAL_HEXLEN];
	size_t	 n;

	n = authz_decision_line(d, r, line, sizeof(line));
	FUZZ_ASSERT(n == strlen(line));
	FUZZ_ASSERT(strchr(line, '\n') == NULL && strchr(line, '\r') == NULL);
	switch (d->result) {
	case AUTHZ_ALLOW:
		FUZZ_ASSERT(strncmp(line, "allow ", 6) == 0);
		FUZZ_ASSERT(r->fault == NULL);
		FUZZ_ASSERT(r->verify != NULL &&
		    strcmp(r->verify, "SUCCESS") == 0);
		FUZZ_ASSERT(r->cert != NULL && d->cert != NULL);
		FUZZ_ASSERT(d->user != NULL && d->policy != NULL);
		FUZZ_ASSERT((d->cert->flags & (CERT_F_NUL | CERT_F_MULTI_CN))
		    == 0);
		FUZZ_ASSERT(!d->cert->is_ca);
		if (r->serial != NULL) {
			FUZZ_ASSERT(names_serial(r->serial, serial,
			    sizeof(serial)) == 0);
			FUZZ_ASSERT(strcmp(serial, d->cert->serial) == 0);
		}
		if (r->serial_alt != NULL) {
			FUZZ_ASSERT(names_serial(r->serial_alt, serial,
			    sizeof(serial)) == 0);
			FUZZ_ASSERT(strcmp(serial, d->cert->serial) == 0);
		}
		if (r->s_dn != NULL)
			FUZZ_ASSERT(dn_matches_forwarded(&d->cert->subject,
			    r->s_dn) == 1);
		if (r->i_dn != NULL)
			FUZZ_ASSERT(dn_matches_forwarded(&d->cert->issuer,
			    r->i_dn) == 1);
		check_header(d->user);
		check_header(d->policy);
		check_header(d->rule);
		check_header(d->email);
		check_header(d->cert->serial);
		check_header(d->cert->subject_str);
		break;
	case AUTHZ_DENY:
		FUZZ_ASSERT(strncmp(line, "deny ", 5) == 0);
		FUZZ_ASSERT(d->reason != NULL);
		break;
	case AUTHZ_FAULT:
		FUZZ_ASSERT(strncmp(line, "allow", 5) != 0);
		FUZZ_ASSERT(d->reason != NULL);
		break;
	default:
		FUZZ_ASSERT(!"bad result");
	}
	n = authz_escape(esc, sizeof(esc), r->uri != NULL ? r->uri : "");
	FUZZ_ASSERT(n == strlen(esc));
	FUZZ_ASSERT(strchr(esc, '\n') == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct authz_request	 req;
	struct authz_decision	 d;
	char			*buf, *p, *end, *eq, *name, *value;
	const char		**slot;
	const char		*server_name = NULL;
	int			 n = 0;

	if (policy == NULL)
		init();
	if ((buf = malloc(size + 1)) == NULL)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	end = buf + size;

	memset(&req, 0, sizeof(req));
	req.role = "responder";
	for (p = buf; p < end && n < NPARAM; p += strlen(p) + 1, n++) {
		if ((eq = strchr(p, '=')) == NULL)
			continue;
		*eq = '\0';
		name = p;
		value = eq + 1;
		slot = NULL;
		if (strcmp(name, "SSL_CLIENT_VERIFY") == 0)
			slot = &req.verify;
		else if (strcmp(name, "SSL_CLIENT_CERT") == 0)
			slot = &req.cert;
		else if (strcmp(name, "SSL_CLIENT_M_SERIAL") == 0)
			slot = &req.serial;
		else if (strcmp(name, "SSL_CLIENT_SERIAL") == 0)
			slot = &req.serial_alt;
		else if (strcmp(name, "SSL_CLIENT_S_DN") == 0)
			slot = &req.s_dn;
		else if (strcmp(name, "SSL_CLIENT_I_DN") == 0)
			slot = &req.i_dn;
		else if (strcmp(name, "CERTAUTHZ_POLICY") == 0)
			slot = &req.policy;
		else if (strcmp(name, "REQUEST_URI") == 0)
			slot = &req.uri;
		else if (strcmp(name, "CERTAUTHZ_PATH") == 0)
			slot = &req.path;
		else if (strcmp(name, "HTTP_HOST") == 0)
			slot = &req.host;
		else if (strcmp(name, "SERVER_NAME") == 0)
			slot = &server_name;
		else if (strcmp(name, "REQUEST_METHOD") == 0)
			slot = &req.method;
		else if (strcmp(name, "REMOTE_ADDR") == 0)
			slot = &req.remote;
		else if (strcmp(name, "FCGI_ROLE") == 0 &&
		    strcmp(value, "AUTHORIZER") == 0)
			req.role = "authorizer";
		if (slot == NULL)
			continue;
		if (*slot != NULL)
			req.fault = "duplicate param";
		*slot = value;
	}
	if (req.host == NULL)
		req.host = server_name;
	if (req.cert != NULL)
		req.certlen = strlen(req.cert);

	/* Through the cache, as a daemon worker does. */
	memset(&d, 0, sizeof(d));
	authz_decide(policy, &req, cache, time(NULL), &d);
	check_decision(&d, &req);
	authz_decision_clear(&d);
	/* Without a cache, as certauthz check does: the same answer. */
	{
		struct authz_decision	 d2;
		enum authz_result	 r1;

		memset(&d, 0, sizeof(d));
		authz_decide(policy, &req, cache, time(NULL), &d);
		r1 = d.result;
		authz_decision_clear(&d);
		memset(&d2, 0, sizeof(d2));
		authz_decide(policy, &req, NULL, time(NULL), &d2);
		FUZZ_ASSERT(d2.result == r1);
		check_decision(&d2, &req);
		authz_decision_clear(&d2);
	}
	/* No usable policy: never an allow. */
	memset(&d, 0, sizeof(d));
	authz_decide(NULL, &req, NULL, time(NULL), &d);
	FUZZ_ASSERT(d.result != AUTHZ_ALLOW);
	check_decision(&d, &req);
	authz_decision_clear(&d);
	free(buf);
	return 0;
}
