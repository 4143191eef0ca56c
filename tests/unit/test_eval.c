/*
 * test_eval.c: decisions on certificates the openssl command line
 * cannot make, built here in memory: an empty CN (no identity), v1 and
 * keyCertSign certificates (CAs without basicConstraints), an RDN of
 * more than AUTHZ_RDN_MAX values, and a subject of 36 OUs, longer than
 * a header holds.  Each allow has a deny twin.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authz.h"
#include "certgen.h"
#include "test.h"

static EVP_PKEY	*key;
static X509	*test_ca;	/* "/CN=Test CA", an issuer name only */

enum { C_V1 = 0x01, C_SELF = 0x02, C_CERTSIGN = 0x04, C_SIGN = 0x08 };

/*
 * A PEM certificate for subject (slash form, '+' joins an RDN), issued
 * by "/CN=Test CA" unless C_SELF.  Returns malloc'ed text.
 */
static char *
mkcert(const char *subject, int flags)
{
	struct certgen		 c;
	struct certgen_ava	*ava;
	struct certgen_ext	 ku[2];
	X509			*x;
	char			*pem, *dup, *p, *eq, *end;
	size_t			 n = 0;
	int			 join = 0;

	memset(&c, 0, sizeof(c));
	c.serial = "3001";
	c.days = 1;
	c.flags = flags & C_V1 ? CERTGEN_V1 : 0;
	/* "a=b" pairs split on '/' (a new RDN) and '+' (the same RDN) */
	if ((dup = strdup(subject)) == NULL ||
	    (ava = calloc(strlen(subject) + 2, sizeof(*ava))) == NULL)
		abort();
	for (p = dup; p != NULL; p = end) {
		end = p + strcspn(p, "/+");
		ava[n].join = join;
		join = *end == '+';
		if (*end != '\0')
			*end++ = '\0';
		else
			end = NULL;
		if ((eq = strchr(p, '=')) == NULL)
			abort();
		*eq++ = '\0';
		ava[n].name = p;
		ava[n].type = V_ASN1_UTF8STRING;
		ava[n++].value = eq;
	}
	c.subject = ava;
	if (flags & (C_CERTSIGN | C_SIGN)) {
		ku[0].nid = NID_key_usage;
		ku[0].value = flags & C_CERTSIGN ? "keyCertSign" :
		    "digitalSignature";
		ku[1].nid = 0;
		c.ext = ku;
	}
	x = certgen_make(&c, flags & C_SELF ? NULL : test_ca, key, key);
	pem = certgen_pem(x);
	X509_free(x);
	free(ava);
	free(dup);
	return pem;
}

/* A subject whose one RDN holds n values: "/O=Example/CN=v0+CN=v1...". */
static char *
bigrdn(int n)
{
	char	*s, *p;
	int	 i;

	if ((s = p = malloc(32 + 16 * (size_t)n)) == NULL)
		abort();
	p += sprintf(p, "O=Example/");
	for (i = 0; i < n; i++)
		p += sprintf(p, "%sCN=v%d", i ? "+" : "", i);
	return s;
}

/*
 * "/O=Example/OU=unit-01-xxx.../CN=big" with n OUs of 58 bytes each:
 * with 36 its RFC 4514 rendering is longer than AUTHZ_HEADER_MAX.
 */
static char *
bigsubject(int n)
{
	char	*s, *p;
	int	 i;

	if ((s = p = malloc(32 + 64 * (size_t)n)) == NULL)
		abort();
	p += sprintf(p, "O=Example");
	for (i = 1; i <= n; i++)
		p += sprintf(p, "/OU=unit-%02d-%.50s", i,
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	sprintf(p, "/CN=big");
	return s;
}

/* Decides pem against p; returns the result, the reason in *reason. */
static enum authz_result
decide(const struct authz_policy *p, const char *pem, char *reason,
    size_t size)
{
	struct authz_request	 req;
	struct authz_decision	 d;
	enum authz_result	 r;

	memset(&req, 0, sizeof(req));
	req.verify = "SUCCESS";
	req.cert = pem;
	req.certlen = strlen(pem);
	req.uri = "/";
	req.method = "GET";
	authz_decide(p, &req, NULL, time(NULL), &d);
	snprintf(reason, size, "%s", d.reason ? d.reason : "-");
	r = d.result;
	authz_decision_clear(&d);
	return r;
}

static void
msg(void *arg, const char *m)
{
	(void)arg;
	fprintf(stderr, "policy: %s\n", m);
}

int
main(void)
{
	struct authz_policy	*p, *lax, *bysubj;
	struct cert_info	*ci;
	const char		*why;
	char			 file[] = "/tmp/test_eval.XXXXXX", reason[256];
	char			 hv[AUTHZ_HEADER_MAX + 1];
	char			*pem, *s;
	FILE			*f;
	int			 fd;

	const struct certgen ca = { .name = "ca", .serial = "01",
	    .subject = CERTGEN_NAME({ "CN", MBSTRING_UTF8, "Test CA", 0, 0 }) };

	key = certgen_key();
	test_ca = certgen_make(&ca, NULL, key, key);
	/* every CN-bearing certificate of O=Example is allowed */
	if ((fd = mkstemp(file)) == -1 || (f = fdopen(fd, "w")) == NULL)
		abort();
	fprintf(f, "settings = { identity = \"cn\"; };\n"
	    "policies = ( { name = \"p\"; allow = ( { name = \"any\"; "
	    "o = \"Example\"; } ); } );\n");
	fclose(f);
	p = authz_policy_load(file, 0, msg, NULL);
	CHECK(p != NULL);
	if ((f = fopen(file, "w")) == NULL)
		abort();
	fprintf(f, "settings = { identity = \"cn\"; "
	    "require_client_auth = false; };\n"
	    "policies = ( { name = \"p\"; allow = ( { name = \"any\"; "
	    "o = \"Example\"; } ); } );\n");
	fclose(f);
	lax = authz_policy_load(file, 0, msg, NULL);
	CHECK(lax != NULL);
	if ((f = fopen(file, "w")) == NULL)
		abort();
	fprintf(f, "settings = { identity = \"subject\"; };\n"
	    "policies = ( { name = \"p\"; allow = ( { name = \"any\"; "
	    "o = \"Example\"; } ); } );\n");
	fclose(f);
	bysubj = authz_policy_load(file, 0, msg, NULL);
	CHECK(bysubj != NULL);
	unlink(file);
	if (p == NULL || lax == NULL || bysubj == NULL)
		return test_done();

	/* an empty CN is no identity */
	pem = mkcert("O=Example/CN=x", 0);
	CHECK(decide(p, pem, reason, sizeof(reason)) == AUTHZ_ALLOW);
	free(pem);
	pem = mkcert("O=Example/CN=", 0);
	CHECK(decide(p, pem, reason, sizeof(reason)) == AUTHZ_DENY);
	CHECK_STR(reason, "no identity");
	free(pem);

	/* CAs by X509_check_ca(): a v1 self-signed root, keyCertSign */
	pem = mkcert("O=Example/CN=v1", C_V1);
	CHECK(decide(p, pem, reason, sizeof(reason)) == AUTHZ_ALLOW);
	free(pem);
	pem = mkcert("O=Example/CN=v1", C_V1 | C_SELF);
	CHECK(decide(p, pem, reason, sizeof(reason)) == AUTHZ_DENY);
	CHECK_STR(reason, "CA certificate");
	CHECK(decide(lax, pem, reason, sizeof(reason)) == AUTHZ_ALLOW);
	free(pem);
	pem = mkcert("O=Example/CN=ku", C_SIGN);
	CHECK(decide(p, pem, reason, sizeof(reason)) == AUTHZ_ALLOW);
	free(pem);
	pem = mkcert("O=Example/CN=ku", C_CERTSIGN);
	CHECK(decide(p, pem, reason, sizeof(reason)) == AUTHZ_DENY);
	CHECK_STR(reason, "CA certificate");
	free(pem);

	/* an RDN of AUTHZ_RDN_MAX values decodes, one more does not */
	pem = mkcert(s = bigrdn(AUTHZ_RDN_MAX), 0);
	free(s);
	ci = cert_decode(pem, strlen(pem), AUTHZ_CERT_MAX_LIMIT, &why);
	CHECK(ci != NULL && ci->subject.nrdn == 2 &&
	    ci->subject.rdn[1].nava == AUTHZ_RDN_MAX);
	CHECK(ci != NULL && dn_equal(&ci->subject, &ci->subject) == 1);
	cert_free(ci);
	free(pem);
	pem = mkcert(s = bigrdn(AUTHZ_RDN_MAX + 1), 0);
	free(s);
	ci = cert_decode(pem, strlen(pem), AUTHZ_CERT_MAX_LIMIT, &why);
	CHECK(ci == NULL);
	CHECK_STR(ci == NULL ? why : NULL, "too many values in one RDN");
	cert_free(ci);
	free(pem);

	/*
	 * A subject longer than a header holds: an allow whose subject
	 * header is cut with "..."; as the identity, a deny (never a cut
	 * identity).  Twin: 30 OUs fit, and are the identity.
	 */
	pem = mkcert(s = bigsubject(36), 0);
	free(s);
	CHECK(decide(p, pem, reason, sizeof(reason)) == AUTHZ_ALLOW);
	ci = cert_decode(pem, strlen(pem), AUTHZ_CERT_MAX_LIMIT, &why);
	CHECK(ci != NULL && strlen(ci->subject_str) > AUTHZ_HEADER_MAX);
	if (ci != NULL) {
		CHECK(authz_header_value(hv, sizeof(hv), ci->subject_str) ==
		    AUTHZ_HEADER_MAX);
		CHECK(strncmp(hv, ci->subject_str, AUTHZ_HEADER_MAX - 3) == 0);
		CHECK_STR(hv + AUTHZ_HEADER_MAX - 3, "...");
	}
	cert_free(ci);
	CHECK(decide(bysubj, pem, reason, sizeof(reason)) == AUTHZ_DENY);
	CHECK_STR(reason, "identity too long for CERTAUTHZ_USER");
	free(pem);
	pem = mkcert(s = bigsubject(30), 0);
	free(s);
	CHECK(decide(bysubj, pem, reason, sizeof(reason)) == AUTHZ_ALLOW);
	free(pem);

	authz_policy_free(p);
	authz_policy_free(lax);
	authz_policy_free(bysubj);
	X509_free(test_ca);
	EVP_PKEY_free(key);
	return test_done();
}
