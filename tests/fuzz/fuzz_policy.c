/*
 * fuzz_policy.c: authz_policy_load() on any bytes written to a file.
 * Invariants: NULL exactly when an error was reported, every message
 * starts with "FILE:", lint mode agrees, and a loaded policy decides a
 * fixed request without crashing or leaking.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "authz.h"
#include "fuzz.h"

struct msgs {
	const char	*path;
	int		 errors;
	int		 warnings;
};

static void
msg(void *arg, const char *m)
{
	struct msgs	*ms = arg;
	size_t		 n = strlen(ms->path);

	FUZZ_ASSERT(m != NULL);
	FUZZ_ASSERT(strncmp(m, ms->path, n) == 0 && m[n] == ':');
	/* "FILE:LINE: warning: ...": the text after it may echo input. */
	m += n + 1;
	m += strspn(m, "0123456789");
	if (strncmp(m, ": warning: ", 11) == 0)
		ms->warnings++;
	else
		ms->errors++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char		*pem;
	struct authz_policy	*p, *pl;
	struct authz_request	 req;
	struct authz_decision	 d;
	struct msgs		 ms, ml;
	char			*path, line[AUTHZ_LINE_MAX];
	size_t			 n;

	if (pem == NULL)
		pem = fuzz_testcert();
	path = fuzz_tempfile("fuzz-policy", data, size);
	memset(&ms, 0, sizeof(ms));
	ms.path = path;
	ml = ms;
	p = authz_policy_load(path, 0, msg, &ms);
	pl = authz_policy_load(path, AUTHZ_LOAD_LINT, msg, &ml);
	FUZZ_ASSERT((p == NULL) == (pl == NULL));
	FUZZ_ASSERT((p == NULL) == (ms.errors > 0));
	FUZZ_ASSERT(ms.warnings == 0);
	FUZZ_ASSERT(ms.errors == ml.errors);
	if (p != NULL) {
		(void)authz_policy_facility(p);
		(void)authz_policy_log_allow(p);
		FUZZ_ASSERT(authz_policy_max_cert(p) > 0);
		memset(&req, 0, sizeof(req));
		req.verify = "SUCCESS";
		req.cert = pem;
		req.certlen = strlen(pem);
		req.uri = "/admin/x?y=1";
		req.host = "admin.example.com";
		req.method = "GET";
		req.remote = "127.0.0.1";
		req.role = "responder";
		memset(&d, 0, sizeof(d));
		authz_decide(p, &req, NULL, time(NULL), &d);
		n = authz_decision_line(&d, &req, line, sizeof(line));
		FUZZ_ASSERT(n == strlen(line));
		FUZZ_ASSERT(strchr(line, '\n') == NULL);
		FUZZ_ASSERT(d.result != AUTHZ_ALLOW || d.user != NULL);
		authz_decision_clear(&d);
	}
	if (p != NULL)
		authz_policy_free(p);
	if (pl != NULL)
		authz_policy_free(pl);
	unlink(path);
	free(path);
	return 0;
}
