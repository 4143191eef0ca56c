/*
 * test.c: `certauthz test [--certs DIR] FILE...`, table-driven policy
 * tests that operators keep beside their policy and run in CI.
 *
 * A test file is libconfig, the format of the policy itself:
 *
 *   policy_file = "policy.conf";
 *   cases = (
 *     { name = "bob is not ops"; cert = "bob.pem"; uri = "/admin/";
 *       expect = "deny"; selected = "admin"; rule = "-"; }
 *   );
 *
 * Each case is a request (the keys of test_keys[], the options of
 * certauthz check) and what the decision must be: expect (allow, deny
 * or error, the first word of the decision line, required), and
 * optionally selected (the policy= of the line), rule, reason and user,
 * each compared whole, "-" for absent.  It is decided by cli_decide(),
 * the code of check, so a test and the daemon cannot disagree.
 *
 * Relative paths (policy_file, cert) are read from the test file's
 * directory; with --certs, certificates from DIR.  A file that is not
 * what this promises (a syntax error, an unknown key, a value of the
 * wrong type, no cases) runs none of its cases: it fails closed, with
 * FILE:LINE, and the exit status is 2, as it is when a policy does not
 * load or a certificate file cannot be read.  Otherwise each mismatch
 * prints a --- want / +++ got report and the exit status is 1.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "authz.h"
#include "cli.h"

#define TEST_CASES_MAX	10000	/* cases in one file */

/* What a case expects: the fields of the decision line it may name. */
enum test_want {
	TW_RESULT, TW_POLICY, TW_RULE, TW_REASON, TW_USER, TW_N
};

/* The decision-line keys of the report, in the line's order. */
static const char *const test_want_key[TW_N] = {
	NULL, "policy", "rule", "reason", "user"
};

enum test_kind { TK_NAME, TK_POLICY_FILE, TK_CERT, TK_CERT_PEM, TK_REQ,
	TK_WANT };

/* The keys of a case; TK_REQ keys fill the struct authz_request field. */
static const struct test_key {
	const char	*name;
	enum test_kind	 kind;
	size_t		 off;	/* TK_REQ: offsetof; TK_WANT: enum */
} test_keys[] = {
	{ "name",	TK_NAME, 0 },
	{ "policy_file", TK_POLICY_FILE, 0 },
	{ "cert",	TK_CERT, 0 },
	{ "cert_pem",	TK_CERT_PEM, 0 },
	{ "verify",	TK_REQ, offsetof(struct authz_request, verify) },
	{ "uri",	TK_REQ, offsetof(struct authz_request, uri) },
	{ "path",	TK_REQ, offsetof(struct authz_request, path) },
	{ "host",	TK_REQ, offsetof(struct authz_request, host) },
	{ "method",	TK_REQ, offsetof(struct authz_request, method) },
	{ "remote",	TK_REQ, offsetof(struct authz_request, remote) },
	{ "policy",	TK_REQ, offsetof(struct authz_request, policy) },
	{ "serial",	TK_REQ, offsetof(struct authz_request, serial) },
	{ "serial_alt",	TK_REQ, offsetof(struct authz_request, serial_alt) },
	{ "s_dn",	TK_REQ, offsetof(struct authz_request, s_dn) },
	{ "i_dn",	TK_REQ, offsetof(struct authz_request, i_dn) },
	{ "expect",	TK_WANT, TW_RESULT },
	{ "selected",	TK_WANT, TW_POLICY },
	{ "rule",	TK_WANT, TW_RULE },
	{ "reason",	TK_WANT, TW_REASON },
	{ "user",	TK_WANT, TW_USER },
};
#define TEST_NKEYS	(sizeof(test_keys) / sizeof(test_keys[0]))

/* One case, pointing into the file's config_t. */
struct test_case {
	const char		*name;
	int			 line;
	const char		*policy_file;
	const char		*cert;
	const char		*cert_pem;
	struct authz_request	 req;
	const char		*want[TW_N];
	const struct authz_policy *policy;	/* loaded by test_prepare() */
	char			*buf;		/* the cert file's bytes */
};

/* A policy loaded for a file's cases, by its path as written. */
struct test_policy {
	char			*path;
	struct authz_policy	*p;	/* NULL: it did not load */
};

/* One test file being run. */
struct test_file {
	const char		*file;
	const char		*dir;	/* of file; NULL: the cwd */
	const char		*certs;	/* --certs, or NULL */
	struct test_case	*c;
	size_t			 n;
	struct test_policy	*pol;
	size_t			 npol;
	int			 errors;
};

static void	test_error(struct test_file *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Reports "FILE:LINE: message" and counts it. */
static void
test_error(struct test_file *tf, int line, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "%s:%d: ", tf->file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	tf->errors++;
}

/* Returns the string of s, or NULL after reporting its type. */
static const char *
test_string(struct test_file *tf, const config_setting_t *s)
{
	const char	*v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING ||
	    (v = config_setting_get_string(s)) == NULL) {
		test_error(tf, config_setting_source_line(s),
		    "%s must be a string", config_setting_name(s));
		return NULL;
	}
	return v;
}

/* Fills c from the group s; errors are counted in tf. */
static void
test_case(struct test_file *tf, const config_setting_t *s,
    const char *policy_file, struct test_case *c)
{
	const config_setting_t		*e;
	const struct test_key		*k;
	const char			*v, *name;
	size_t				 j;
	int				 i;

	memset(c, 0, sizeof(*c));
	c->line = config_setting_source_line(s);
	c->policy_file = policy_file;
	cli_request_init(&c->req);
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		test_error(tf, c->line, "a case must be a group { ... }");
		return;
	}
	for (i = 0; i < config_setting_length(s); i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		name = config_setting_name(e);
		for (k = NULL, j = 0; j < TEST_NKEYS && k == NULL; j++)
			if (strcmp(test_keys[j].name, name) == 0)
				k = &test_keys[j];
		if (k == NULL) {
			test_error(tf, config_setting_source_line(e),
			    "unknown key %s in a case", name);
			continue;
		}
		if ((v = test_string(tf, e)) == NULL)
			continue;
		switch (k->kind) {
		case TK_NAME:
			c->name = v;
			break;
		case TK_POLICY_FILE:
			c->policy_file = v;
			break;
		case TK_CERT:
			c->cert = v;
			break;
		case TK_CERT_PEM:
			c->cert_pem = v;
			break;
		case TK_REQ:
			*(const char **)(void *)((char *)&c->req + k->off) = v;
			break;
		case TK_WANT:
			c->want[k->off] = v;
			break;
		}
	}
	if (c->want[TW_RESULT] == NULL)
		test_error(tf, c->line, "a case needs expect = \"allow\", "
		    "\"deny\" or \"error\"");
	else if (strcmp(c->want[TW_RESULT], "allow") != 0 &&
	    strcmp(c->want[TW_RESULT], "deny") != 0 &&
	    strcmp(c->want[TW_RESULT], "error") != 0)
		test_error(tf, c->line, "expect is \"%s\": allow, deny or "
		    "error", c->want[TW_RESULT]);
	if (c->cert != NULL && c->cert_pem != NULL)
		test_error(tf, c->line, "cert and cert_pem in one case");
	if (c->policy_file == NULL)
		test_error(tf, c->line, "no policy_file, in the case or at "
		    "the top");
}

/* Reads the cases of cfg into tf; returns tf->errors. */
static int
test_parse(struct test_file *tf, config_t *cfg)
{
	const config_setting_t	*root, *s, *cases = NULL;
	const char		*name, *policy_file = NULL;
	int			 i, n;

	root = config_root_setting(cfg);
	for (i = 0; i < config_setting_length(root); i++) {
		s = config_setting_get_elem(root, (unsigned int)i);
		name = config_setting_name(s);
		if (strcmp(name, "policy_file") == 0)
			policy_file = test_string(tf, s);
		else if (strcmp(name, "cases") == 0)
			cases = s;
		else
			test_error(tf, config_setting_source_line(s),
			    "unknown key %s (policy_file, cases)", name);
	}
	if (cases == NULL) {
		test_error(tf, 1, "no cases = ( { ... } ); list");
		return tf->errors;
	}
	if (config_setting_type(cases) != CONFIG_TYPE_LIST) {
		test_error(tf, config_setting_source_line(cases),
		    "cases must be a list ( { ... }, ... )");
		return tf->errors;
	}
	n = config_setting_length(cases);
	if (n == 0 || n > TEST_CASES_MAX) {
		test_error(tf, config_setting_source_line(cases),
		    "cases holds %s cases", n == 0 ? "no" : "too many");
		return tf->errors;
	}
	if ((tf->c = calloc((size_t)n, sizeof(*tf->c))) == NULL) {
		test_error(tf, 0, "%s: out of memory", __func__);
		return tf->errors;
	}
	tf->n = (size_t)n;
	for (i = 0; i < n; i++)
		test_case(tf, config_setting_get_elem(cases, (unsigned int)i),
		    policy_file, &tf->c[i]);
	return tf->errors;
}

/* path read from dir (NULL: as it is); malloc'ed, NULL on ENOMEM. */
static char *
test_path(const char *dir, const char *path)
{
	char	*r;
	size_t	 n;

	if (path[0] == '/' || dir == NULL)
		return strdup(path);
	n = strlen(dir) + strlen(path) + 2;
	if ((r = malloc(n)) != NULL)
		snprintf(r, n, "%s/%s", dir, path);
	return r;
}

/* The policy of case c, loaded once per file; NULL after reporting. */
static const struct authz_policy *
test_policy(struct test_file *tf, const struct test_case *c)
{
	struct test_policy	*tp;
	char			*path;
	size_t			 i;

	for (i = 0; i < tf->npol; i++)
		if (strcmp(tf->pol[i].path, c->policy_file) == 0)
			return tf->pol[i].p;
	if ((tp = realloc(tf->pol, (tf->npol + 1) * sizeof(*tp))) == NULL)
		goto oom;
	tf->pol = tp;
	tp = &tf->pol[tf->npol];
	tp->p = NULL;
	if ((tp->path = strdup(c->policy_file)) == NULL)
		goto oom;
	tf->npol++;
	if ((path = test_path(tf->dir, c->policy_file)) == NULL)
		goto oom;
	/* its errors say FILE:LINE of the policy; this line says which */
	if ((tp->p = authz_policy_load(path, 0, cli_msg, stderr)) == NULL)
		test_error(tf, c->line, "policy_file %s does not load",
		    c->policy_file);
	free(path);
	return tp->p;
oom:
	test_error(tf, c->line, "%s: out of memory", __func__);
	return NULL;
}

/* Appends " key=value" (or the bare value when key is NULL) to buf. */
static void
test_field(char *buf, size_t size, const char *key, const char *v)
{
	char	 esc[4 * AUTHZ_VALUE_MAX + 16];
	size_t	 len = strlen(buf);

	authz_escape(esc, sizeof(esc), v);
	snprintf(buf + len, size - len, "%s%s%s%s", len > 0 ? " " : "",
	    key != NULL ? key : "", key != NULL ? "=" : "", esc);
}

/*
 * Compares d with what c wants.  Returns 0 when every field c names
 * holds, else 1 after printing the report.
 */
static int
test_compare(const struct test_file *tf, const struct test_case *c,
    const struct authz_decision *d, const char *line)
{
	static const char *const words[] = { "allow", "deny", "error" };
	char		 want[AUTHZ_LINE_MAX], got[AUTHZ_LINE_MAX];
	const char	*g[TW_N];
	int		 i, bad = 0;

	g[TW_RESULT] = words[d->result];
	g[TW_POLICY] = d->policy;
	g[TW_RULE] = d->rule;
	g[TW_REASON] = d->result == AUTHZ_ALLOW ? NULL :
	    d->reason != NULL ? d->reason : "unknown";
	g[TW_USER] = d->user;
	want[0] = got[0] = '\0';
	for (i = 0; i < TW_N; i++) {
		if (c->want[i] == NULL)
			continue;
		/* "-" is how the decision line writes an absent value */
		if (strcmp(c->want[i], g[i] != NULL ? g[i] : "-") != 0)
			bad = 1;
		test_field(want, sizeof(want), test_want_key[i], c->want[i]);
		test_field(got, sizeof(got), test_want_key[i],
		    g[i] != NULL ? g[i] : "-");
	}
	if (!bad)
		return 0;
	printf("--- want %s:%d: %s\n", tf->file, c->line, c->name);
	printf("+++ got  %s:%d: %s\n", tf->file, c->line, c->name);
	printf("-%s\n+%s\n %s\n", want, got, line);
	return 1;
}

/*
 * Loads the policy of case c and reads its certificate.  Returns 0, or
 * -1 after reporting (counted in tf->errors).
 */
static int
test_prepare(struct test_file *tf, struct test_case *c)
{
	char	*path;
	size_t	 len;
	int	 rc;

	if ((c->policy = test_policy(tf, c)) == NULL)
		return -1;
	if (c->cert_pem != NULL) {
		c->req.cert = c->cert_pem;
		c->req.certlen = strlen(c->cert_pem);
	} else if (c->cert != NULL) {
		if ((path = test_path(tf->certs != NULL ? tf->certs : tf->dir,
		    c->cert)) == NULL) {
			test_error(tf, c->line, "%s: out of memory", __func__);
			return -1;
		}
		rc = cli_read_input(path, CLI_READ_MAX, &c->buf, &len);
		free(path);
		if (rc == -1) {
			test_error(tf, c->line, "cert %s cannot be read",
			    c->cert);
			return -1;
		}
		c->req.cert = c->buf;
		c->req.certlen = len;
	}
	return 0;
}

/* Decides case c.  Returns 0 when it holds, 1 after reporting. */
static int
test_decide(const struct test_file *tf, struct test_case *c)
{
	struct authz_decision	 d;
	char			 line[AUTHZ_LINE_MAX];
	int			 rc;

	(void)cli_decide(c->policy, &c->req, &d, line, sizeof(line));
	rc = test_compare(tf, c, &d, line);
	authz_decision_clear(&d);
	return rc;
}

/*
 * Runs the test file file, adding to *cases and *failed.  Returns 0
 * when every case held, 1 when one did not, 2 when the file (or a
 * policy or certificate it names) is unusable.
 */
static int
test_file(const char *file, const char *certs, size_t *cases,
    size_t *failed)
{
	struct test_file	 tf;
	config_t		 cfg;
	const char		*slash;
	char			*dir = NULL;
	size_t			 i;
	int			 rc = 0;

	memset(&tf, 0, sizeof(tf));
	tf.file = file;
	tf.certs = certs;
	config_init(&cfg);
	if ((slash = strrchr(file, '/')) != NULL &&
	    (dir = strndup(file, slash == file ? 1 : (size_t)(slash - file)))
	    == NULL) {
		test_error(&tf, 0, "%s: out of memory", __func__);
		goto fail;
	}
	tf.dir = dir;
	config_set_include_dir(&cfg, dir != NULL ? dir : ".");
	if (config_read_file(&cfg, file) != CONFIG_TRUE) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			fprintf(stderr, "certauthz: %s: cannot read: %s\n",
			    file, strerror(errno));
		else
			fprintf(stderr, "%s:%d: %s\n",
			    config_error_file(&cfg) != NULL ?
			    config_error_file(&cfg) : file,
			    config_error_line(&cfg), config_error_text(&cfg));
		tf.errors++;
		goto fail;
	}
	/* a file with any fault runs none of its cases */
	if (test_parse(&tf, &cfg) != 0)
		goto fail;
	for (i = 0; i < tf.n; i++)
		(void)test_prepare(&tf, &tf.c[i]);
	if (tf.errors > 0)
		goto fail;
	for (i = 0; i < tf.n; i++) {
		if (tf.c[i].name == NULL)
			tf.c[i].name = "(no name)";
		(*cases)++;
		if (test_decide(&tf, &tf.c[i]) != 0) {
			(*failed)++;
			rc = 1;
		}
	}
fail:
	for (i = 0; i < tf.n; i++)
		free(tf.c[i].buf);
	for (i = 0; i < tf.npol; i++) {
		free(tf.pol[i].path);
		authz_policy_free(tf.pol[i].p);
	}
	free(tf.pol);
	free(tf.c);
	free(dir);
	config_destroy(&cfg);
	return tf.errors > 0 ? 2 : rc;
}

int
test_run(int argc, char *argv[])
{
	const char	*certs = NULL;
	size_t		 cases = 0, failed = 0;
	int		 i, r, rc = 0;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--certs") != 0 || i + 1 >= argc)
			goto usage;
		certs = argv[++i];
	}
	if (i >= argc)
		goto usage;
	for (; i < argc; i++) {
		r = test_file(argv[i], certs, &cases, &failed);
		if (r > rc)
			rc = r;
	}
	printf("%zu case%s, %zu failed\n", cases, cases == 1 ? "" : "s",
	    failed);
	return rc;
usage:
	fprintf(stderr, "usage: certauthz test [--certs DIR] FILE...\n");
	return 2;
}
