/*
 * cli.c: the certauthz program, a thin shell over the library.
 *
 *   certauthz show CERT
 *   certauthz check [--explain] -c FILE [-P POLICY] [--uri URI]
 *       [--path PATH] [--host HOST]
 *       [--method M] [--remote ADDR] [--verify V] [--serial S]
 *       [--serial-alt S]
 *       [--s-dn DN] [--i-dn DN] CERT|-
 *   certauthz lint -c FILE
 *   certauthz test [--certs DIR] FILE...	(test.c)
 *   certauthz ping [-t SECONDS] SOCKET		(ping.c)
 *
 * check decides exactly as certauthzd does (the same authz_decide())
 * and prints the decision line; its exit status is 0 allow, 1 deny,
 * 2 for an unusable policy, certificate or command line.  test decides
 * each of its cases through the same cli_decide().  With --explain,
 * check prints after the line how it was reached (cli_explain()): the
 * trace eval.c hands it, never a second evaluator.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authz.h"
#include "cli.h"

static void
cli_usage(FILE *f)
{
	fprintf(f,
	    "usage: certauthz show CERT\n"
	    "       certauthz check [--explain] -c FILE [-P POLICY] [--uri URI] "
	    "[--path PATH] [--host HOST]\n"
	    "                 [--method M] [--remote ADDR] [--verify V] "
	    "[--serial S]\n"
	    "                 [--serial-alt S] [--s-dn DN] [--i-dn DN] "
	    "CERT|-\n"
	    "       certauthz lint -c FILE\n"
	    "       certauthz test [--certs DIR] FILE...\n"
	    "       certauthz ping [-t SECONDS] SOCKET\n"
	    "       certauthz -h | -V\n");
}

void
cli_msg(void *arg, const char *text)
{
	FILE	*f = arg;

	fprintf(f, "%s\n", text);
}

/* Returns the value of option argv[*i] and steps over it, or NULL. */
static const char *
cli_optarg(int argc, char *argv[], int *i)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "certauthz: %s needs a value\n", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

void
cli_request_init(struct authz_request *req)
{
	memset(req, 0, sizeof(*req));
	req->verify = "SUCCESS";
	req->role = "check";
	req->method = "GET";
	req->uri = "/";
}

/* Writes a condition as eval.c traces it: key=value or key=[v, v]. */
static void
cli_explain_cond(FILE *f, const char *sig)
{
	const char	*eq = strchr(sig, '='), *v, *end;
	char		 val[AUTHZ_VALUE_MAX * 4 + 8], tmp[AUTHZ_VALUE_MAX + 1];
	size_t		 n;
	int		 many;

	if (eq == NULL) {
		fprintf(f, "%s", sig);
		return;
	}
	many = strchr(eq + 1, '\x1f') != NULL &&
	    strchr(eq + 1, '\x1f')[1] != '\0';
	fprintf(f, "%.*s=%s", (int)(eq - sig), sig, many ? "[" : "");
	for (v = eq + 1; *v != '\0'; v = *end ? end + 1 : end) {
		end = v + strcspn(v, "\x1f");
		n = (size_t)(end - v) < AUTHZ_VALUE_MAX ? (size_t)(end - v) :
		    AUTHZ_VALUE_MAX;
		memcpy(tmp, v, n);
		tmp[n] = '\0';
		authz_escape(val, sizeof(val), tmp);
		fprintf(f, "%s%s", v == eq + 1 ? "" : ", ", val);
	}
	fprintf(f, "%s", many ? "]" : "");
}

static const char *
cli_explain_held(int held)
{
	return held == 1 ? "yes" : held == 0 ? "no" : "error";
}

/*
 * The trace of `check --explain`, one line a step: which policy each
 * `when` selected or not and why, then each rule of the selected
 * policy with each of its conditions, and which rule decided.
 */
static void
cli_explain(void *arg, const struct authz_trace_event *ev)
{
	FILE	*f = arg;

	switch (ev->kind) {
	case AUTHZ_TRACE_NAMED:
		fprintf(f, "explain: policy %s: named by CERTAUTHZ_POLICY "
		    "(-P), no when consulted", ev->policy);
		break;
	case AUTHZ_TRACE_WHEN:
		fprintf(f, "explain: policy %s: when ", ev->policy);
		cli_explain_cond(f, ev->cond);
		fprintf(f, ": %s", cli_explain_held(ev->held));
		break;
	case AUTHZ_TRACE_SELECT:
		fprintf(f, "explain: policy %s: %s", ev->policy,
		    ev->held == 1 ? "selected" : ev->held == 0 ?
		    "not selected, the next policy is tried" :
		    "its when cannot be evaluated: deny");
		break;
	case AUTHZ_TRACE_COND:
		fprintf(f, "explain:   %s %s: ", ev->deny ? "deny" : "allow",
		    ev->rule);
		cli_explain_cond(f, ev->cond);
		fprintf(f, ": %s", cli_explain_held(ev->held));
		break;
	case AUTHZ_TRACE_RULE:
		fprintf(f, "explain:   %s %s: %s", ev->deny ? "deny" : "allow",
		    ev->rule, ev->held == 1 ? "holds" : ev->held == 0 ?
		    "does not hold" : "cannot be evaluated");
		if (ev->after)
			fprintf(f, " (not consulted: an earlier rule decided)");
		else if (ev->held != 0)
			fprintf(f, " (decides)");
		break;
	}
	if (ev->reason != NULL)
		fprintf(f, " (%s)", ev->reason);
	fputc('\n', f);
}

int
cli_decide(const struct authz_policy *p, struct authz_request *req,
    struct authz_decision *d, char *line, size_t size)
{
	return cli_decide_trace(p, req, d, line, size, NULL);
}

int
cli_decide_trace(const struct authz_policy *p, struct authz_request *req,
    struct authz_decision *d, char *line, size_t size,
    const struct authz_trace *tr)
{
	struct timespec	 t0, t1;

	/* "-": the param is absent */
	if (req->verify != NULL && strcmp(req->verify, "-") == 0)
		req->verify = NULL;
	if (req->uri != NULL && strcmp(req->uri, "-") == 0)
		req->uri = NULL;
	if (req->host != NULL && strcmp(req->host, "-") == 0)
		req->host = NULL;
	if (req->method != NULL && strcmp(req->method, "-") == 0)
		req->method = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	authz_decide_trace(p, req, NULL, time(NULL), d, tr);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	d->us = (long)((t1.tv_sec - t0.tv_sec) * 1000000L +
	    (t1.tv_nsec - t0.tv_nsec) / 1000L);
	authz_decision_line(d, req, line, size);
	if (d->result == AUTHZ_ALLOW)
		return 0;
	if (d->result == AUTHZ_DENY && (d->cert != NULL ||
	    req->verify == NULL || strcmp(req->verify, "SUCCESS") != 0))
		return 1;
	return 2;
}

static int
cli_check(int argc, char *argv[])
{
	struct authz_request	 req;
	struct authz_decision	 d;
	struct authz_policy	*p = NULL;
	struct authz_trace	 tr, *trp = NULL;
	const char		*file = NULL, *cert = NULL, **slot, *v;
	char			 line[AUTHZ_LINE_MAX], *buf = NULL, *ex = NULL;
	size_t			 len, exlen = 0;
	int			 i, rc = 2;

	cli_request_init(&req);
	for (i = 1; i < argc; i++) {
		slot = NULL;
		if (strcmp(argv[i], "--explain") == 0) {
			trp = &tr;
			continue;
		}
		if (strcmp(argv[i], "-c") == 0)
			slot = &file;
		else if (strcmp(argv[i], "-P") == 0)
			slot = &req.policy;
		else if (strcmp(argv[i], "--uri") == 0)
			slot = &req.uri;
		else if (strcmp(argv[i], "--path") == 0)
			slot = &req.path;
		else if (strcmp(argv[i], "--host") == 0)
			slot = &req.host;
		else if (strcmp(argv[i], "--method") == 0)
			slot = &req.method;
		else if (strcmp(argv[i], "--remote") == 0)
			slot = &req.remote;
		else if (strcmp(argv[i], "--verify") == 0)
			slot = &req.verify;
		else if (strcmp(argv[i], "--serial") == 0)
			slot = &req.serial;
		else if (strcmp(argv[i], "--serial-alt") == 0)
			slot = &req.serial_alt;
		else if (strcmp(argv[i], "--s-dn") == 0)
			slot = &req.s_dn;
		else if (strcmp(argv[i], "--i-dn") == 0)
			slot = &req.i_dn;
		else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "certauthz: unknown option %s\n",
			    argv[i]);
			cli_usage(stderr);
			return 2;
		} else if (cert == NULL) {
			cert = argv[i];
			continue;
		} else {
			cli_usage(stderr);
			return 2;
		}
		if ((v = cli_optarg(argc, argv, &i)) == NULL)
			return 2;
		*slot = v;
	}
	if (file == NULL || cert == NULL) {
		cli_usage(stderr);
		return 2;
	}
	if ((p = authz_policy_load(file, 0, cli_msg, stderr)) == NULL)
		return 2;
	if (cli_read_input(cert, CLI_READ_MAX, &buf, &len) == -1)
		goto fail;
	req.cert = buf;
	req.certlen = len;
	/* the explanation follows the line, as the trace is made before it */
	if (trp != NULL && (tr.arg = open_memstream(&ex, &exlen)) == NULL) {
		fprintf(stderr, "certauthz: %s: open_memstream failed\n",
		    __func__);
		goto fail;
	}
	tr.fn = cli_explain;
	rc = cli_decide_trace(p, &req, &d, line, sizeof(line), trp);
	printf("%s\n", line);
	if (trp != NULL) {
		fclose(tr.arg);
		if (exlen == 0)
			printf("explain: no policy consulted: the request was "
			    "decided before (reason=)\n");
		fwrite(ex, 1, exlen, stdout);
	}
	authz_decision_clear(&d);
fail:
	free(ex);
	free(buf);
	authz_policy_free(p);
	return rc;
}

static int
cli_lint(int argc, char *argv[])
{
	struct authz_policy	*p;
	const char		*file = NULL;

	if (argc == 3 && strcmp(argv[1], "-c") == 0)
		file = argv[2];
	if (file == NULL) {
		cli_usage(stderr);
		return 2;
	}
	if ((p = authz_policy_load(file, AUTHZ_LOAD_LINT, cli_msg,
	    stdout)) == NULL)
		return 1;
	authz_policy_free(p);
	printf("%s: policy OK\n", file);
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc < 2) {
		cli_usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0) {
		cli_usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0) {
		printf("certauthz %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "show") == 0)
		return cli_show(argc - 1, argv + 1);
	if (strcmp(argv[1], "check") == 0)
		return cli_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "lint") == 0)
		return cli_lint(argc - 1, argv + 1);
	if (strcmp(argv[1], "test") == 0)
		return test_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "ping") == 0)
		return ping_run(argc - 1, argv + 1);
	fprintf(stderr, "certauthz: unknown command %s\n", argv[1]);
	cli_usage(stderr);
	return 2;
}
