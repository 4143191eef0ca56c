/*
 * test_match.c: serial_normalize(), the glob matcher, value
 * normalization and the hash set (match.c, set.c, arena.c).
 */
#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "policy_impl.h"
#include "test.h"

static const char *
serial(const char *in)
{
	static char	 buf[AUTHZ_SERIAL_HEXLEN];

	if (serial_normalize(in, buf, sizeof(buf)) == -1)
		return "ERR";
	return buf;
}

static const char *
norm(enum cond_kind k, const char *in)
{
	static char	 buf[512];
	const char	*err;
	int		 r;

	if ((r = match_normalize(k, in, buf, sizeof(buf), &err)) == -1)
		return "ERR";
	if (r == 1) {
		static char	 g[520];

		snprintf(g, sizeof(g), "glob:%s", buf);
		return g;
	}
	return buf;
}

int
main(void)
{
	struct arena	*a;
	struct set	*s;
	char		 key[32], big[200];
	int		 i, ok;

	CHECK_STR(serial("1001"), "1001");
	CHECK_STR(serial("10:01"), "1001");
	CHECK_STR(serial("0x0AFF"), "0AFF");
	CHECK_STR(serial("aff"), "0AFF");
	CHECK_STR(serial("00:00:10:01"), "1001");
	CHECK_STR(serial("10 01"), "1001");
	CHECK_STR(serial("-1a"), "-1A");
	CHECK_STR(serial("0"), "00");
	CHECK_STR(serial("-0"), "00");
	CHECK_STR(serial(""), "ERR");
	CHECK_STR(serial("0x"), "ERR");
	CHECK_STR(serial("10:0g"), "ERR");
	CHECK_STR(serial("1001:"), "ERR");
	CHECK_STR(serial("--1"), "ERR");
	memset(big, 'F', 128);
	big[128] = '\0';
	CHECK(strcmp(serial(big), "ERR") != 0);
	big[128] = 'F';
	big[129] = '\0';
	CHECK_STR(serial(big), "ERR");

	CHECK(match_glob("al*", "alice") == 1);
	CHECK(match_glob("al*", "bob") == 0);
	CHECK(match_glob("*", "") == 1);
	CHECK(match_glob("a?c", "abc") == 1);
	CHECK(match_glob("a?c", "ac") == 0);
	CHECK(match_glob("*@*.example.com", "carol@ops.example.com") == 1);
	CHECK(match_glob("*@*.example.com", "alice@example.com") == 0);
	CHECK(match_glob("a\\*", "a*") == 1);
	CHECK(match_glob("a\\*", "ab") == 0);
	CHECK(match_glob("a\\?", "a?") == 1);
	CHECK(match_glob("a\\\\", "a\\") == 1);
	CHECK(match_glob("/admin/*", "/admin/x/y") == 1);
	CHECK(match_glob("/admin/*", "/admin") == 0);
	CHECK(match_glob("*a*b*c", "xaybzc") == 1);
	CHECK(match_glob("*a*b*c", "xaybz") == 0);

	CHECK_STR(norm(K_ATTR, "alice"), "alice");
	CHECK_STR(norm(K_ATTR, "al\\*"), "al*");
	CHECK_STR(norm(K_ATTR, "al*"), "glob:al*");
	CHECK_STR(norm(K_ATTR, "a\\b"), "ERR");
	CHECK_STR(norm(K_ATTR, "a\\"), "ERR");
	CHECK_STR(norm(K_ATTR, ""), "ERR");
	CHECK_STR(norm(K_DNS, "WWW.Example.com"), "www.example.com");
	CHECK_STR(norm(K_EMAIL, "Alice@EXAMPLE.com"), "Alice@example.com");
	CHECK_STR(norm(K_EMAIL, "@Example.COM"), "@example.com");
	CHECK_STR(norm(K_EMAIL, "alice"), "ERR");
	CHECK_STR(norm(K_EMAIL, "alice@"), "ERR");
	CHECK_STR(norm(K_IP, "0:0::1"), "::1");
	CHECK_STR(norm(K_IP, "192.0.2.1"), "192.0.2.1");
	CHECK_STR(norm(K_IP, "192.0.2.*"), "ERR");
	CHECK_STR(norm(K_FINGERPRINT,
	    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
	    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"),
	    "abcdef0123456789abcdef0123456789"
	    "abcdef0123456789abcdef0123456789");
	CHECK_STR(norm(K_FINGERPRINT, "abcd"), "ERR");
	CHECK_STR(norm(K_EKU, "clientauth"), "clientAuth");
	CHECK_STR(norm(K_EKU, "1.3.6.1.5.5.7.3.2"), "clientAuth");
	CHECK_STR(norm(K_EKU, "1.2.3.4"), "1.2.3.4");
	CHECK_STR(norm(K_EKU, "1..2"), "ERR");
	CHECK_STR(norm(K_SERIAL, "*"), "ERR");

	a = arena_new();
	s = set_new(a);
	CHECK(a != NULL && s != NULL);
	ok = 1;
	for (i = 0; i < 100000 && ok; i++) {
		snprintf(key, sizeof(key), "%X", i);
		ok = set_add(s, key, strlen(key)) == 1;
	}
	CHECK(ok);
	CHECK(set_count(s) == 100000);
	CHECK(set_add(s, "1F", 2) == 0);
	CHECK(set_has(s, "1F", 2) == 1);
	CHECK(set_has(s, "1F", 1) == 1);	/* "1" is in the set too */
	CHECK(set_has(s, "186A0", 5) == 0);	/* 100000 */
	CHECK(set_has(s, "", 0) == 0);
	CHECK(set_has(NULL, "1", 1) == 0);
	set_free(s);
	arena_free(a);
	return test_done();
}
