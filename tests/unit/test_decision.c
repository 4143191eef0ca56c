/*
 * test_decision.c: the decision line and header values (decision.c),
 * and the decisions made before any policy is consulted (eval.c).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "test.h"

static const char *
esc(const char *v)
{
	static char	 buf[2048];

	authz_escape(buf, sizeof(buf), v);
	return buf;
}

int
main(void)
{
	struct authz_request	 req;
	struct authz_decision	 d;
	char			 buf[AUTHZ_LINE_MAX], long_[400], want[400];
	char			 big[AUTHZ_HEADER_MAX + 16];
	size_t			 n;

	CHECK_STR(esc(NULL), "-");
	CHECK_STR(esc(""), "\"\"");
	CHECK_STR(esc("alice"), "alice");
	CHECK_STR(esc("CN=a,O=b"), "CN=a,O=b");
	CHECK_STR(esc("a b"), "\"a b\"");
	CHECK_STR(esc("a\"b"), "\"a\\\"b\"");
	CHECK_STR(esc("a\\b"), "\"a\\\\b\"");
	CHECK_STR(esc("x\nallow policy=p"), "\"x\\x0aallow policy=p\"");
	CHECK_STR(esc("\x7f\xff"), "\"\\x7f\\xff\"");
	memset(long_, 'a', 300);
	long_[300] = '\0';
	memset(want, 'a', 256);
	strcpy(want + 256, "...");
	CHECK_STR(esc(long_), want);
	n = authz_escape(buf, 4, "abcdef");
	CHECK(n == 3 && strcmp(buf, "abc") == 0);

	CHECK(authz_header_value(buf, sizeof(buf), "a\r\nb") == 10);
	CHECK_STR(buf, "a\\x0d\\x0ab");
	/* a backslash doubled, so "\\x0a" cannot pass for an escape */
	CHECK(authz_header_value(buf, sizeof(buf), "CN=a b\"\\") == 9);
	CHECK_STR(buf, "CN=a b\"\\\\");
	CHECK(authz_header_value(buf, sizeof(buf), "a\\x0ab") == 7);
	CHECK_STR(buf, "a\\\\x0ab");
	/* an edge space survives web servers that trim: "admin " != "admin" */
	CHECK(authz_header_value(buf, sizeof(buf), "admin ") == 9);
	CHECK_STR(buf, "admin\\x20");
	CHECK(authz_header_value(buf, sizeof(buf), " a b ") == 11);
	CHECK_STR(buf, "\\x20a b\\x20");
	CHECK(authz_header_value(buf, sizeof(buf), " ") == 4);
	CHECK_STR(buf, "\\x20");
	CHECK(authz_header_value(buf, 4, "\\") == 2);
	CHECK(authz_header_value(buf, 3, "\\") == -1);
	CHECK_STR(buf, "");
	CHECK(authz_header_value(buf, 5, "abcd") == 4);
	CHECK_STR(buf, "abcd");
	/* too long for size: cut between escapes, "..." within the bound */
	CHECK(authz_header_value(buf, 4, "abcd") == 3);
	CHECK_STR(buf, "...");
	CHECK(authz_header_value(buf, 5, "ab\n") == 4);
	CHECK_STR(buf, "a...");
	CHECK(authz_header_value(buf, 8, "\\\\\\\\") == 7);
	CHECK_STR(buf, "\\\\\\\\...");

	/* AUTHZ_HEADER_MAX bytes fit; one more is cut to that bound */
	memset(big, 'a', AUTHZ_HEADER_MAX);
	big[AUTHZ_HEADER_MAX] = '\0';
	CHECK(authz_header_fits(big));
	CHECK(authz_header_value(buf, sizeof(buf), big) == AUTHZ_HEADER_MAX);
	CHECK_STR(buf, big);
	strcpy(big + AUTHZ_HEADER_MAX, "b");
	CHECK(!authz_header_fits(big));
	CHECK(authz_header_value(buf, sizeof(buf), big) == AUTHZ_HEADER_MAX);
	CHECK(strncmp(buf, big, AUTHZ_HEADER_MAX - 3) == 0 &&
	    strcmp(buf + AUTHZ_HEADER_MAX - 3, "...") == 0);
	/* the escaped length is what counts: 1100 '\' are 2200 bytes */
	memset(big, '\\', 1100);
	big[1100] = '\0';
	CHECK(!authz_header_fits(big));
	CHECK(authz_header_value(buf, sizeof(buf), big) ==
	    AUTHZ_HEADER_MAX - 1);	/* no half escape */
	CHECK(strspn(buf, "\\") == AUTHZ_HEADER_MAX - 4 &&
	    strcmp(buf + AUTHZ_HEADER_MAX - 4, "...") == 0);
	/* never cut inside a UTF-8 character */
	memset(big, 'a', AUTHZ_HEADER_MAX - 4);
	strcpy(big + AUTHZ_HEADER_MAX - 4, "\xc3\xa9zzzz");
	CHECK(authz_header_value(buf, sizeof(buf), big) ==
	    AUTHZ_HEADER_MAX - 1);
	CHECK(strspn(buf, "a") == AUTHZ_HEADER_MAX - 4 &&
	    strcmp(buf + AUTHZ_HEADER_MAX - 4, "...") == 0);

	memset(&req, 0, sizeof(req));
	req.fault = "SSL_CLIENT_CERT sent twice";
	req.role = "responder";
	req.uri = "/x y";
	authz_decide(NULL, &req, NULL, 0, &d);
	CHECK(d.result == AUTHZ_DENY);
	d.us = 7;
	authz_decision_line(&d, &req, buf, sizeof(buf));
	CHECK_STR(buf, "deny policy=- rule=- reason=\"SSL_CLIENT_CERT sent "
	    "twice\" user=- serial=- subject=- issuer=- email=- method=- "
	    "host=- uri=\"/x y\" remote=- role=responder us=7");
	authz_decision_clear(&d);

	req.fault = NULL;
	authz_decide(NULL, &req, NULL, 0, &d);
	CHECK(d.result == AUTHZ_FAULT);
	authz_decision_line(&d, &req, buf, sizeof(buf));
	CHECK(strncmp(buf, "error policy=- rule=- reason=\"no usable "
	    "policy\" ", 44) == 0);
	n = authz_decision_line(&d, &req, buf, 10);
	CHECK(n == 9 && strcmp(buf, "error pol") == 0);
	authz_decision_clear(&d);
	return test_done();
}
