/*
 * test_match.c: names_serial(), the glob matcher, value normalization
 * and the hash set (names.c, match.c, set.c, arena.c).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>

#include "authz.h"
#include "names.h"
#include "policy_impl.h"
#include "test.h"

static const char *
serial(const char *in)
{
	static char	 buf[AUTHZ_SERIAL_HEXLEN];

	if (names_serial(in, buf, sizeof(buf)) == -1)
		return "ERR";
	return buf;
}

/*
 * A serial of n bytes 0x81, 0x82, ... (negative when neg) as
 * i2a_ASN1_INTEGER() prints it for nginx and Apache, and as hex.
 */
static void
serial_i2a(int n, int neg, char *out, size_t size, char *hex)
{
	unsigned char	 bytes[AUTHZ_SERIAL_MAX];
	ASN1_INTEGER	*ai;
	BIGNUM		*bn;
	BIO		*b;
	char		*s;
	long		 len;
	int		 i;

	for (i = 0; i < n; i++) {
		bytes[i] = (unsigned char)(0x81 + i);
		sprintf(hex + 2 * i, "%02X", bytes[i]);
	}
	if ((bn = BN_bin2bn(bytes, n, NULL)) == NULL)
		exit(1);
	BN_set_negative(bn, neg);
	if ((ai = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
	    (b = BIO_new(BIO_s_mem())) == NULL ||
	    i2a_ASN1_INTEGER(b, ai) <= 0 ||
	    (len = BIO_get_mem_data(b, &s)) <= 0 || (size_t)len >= size)
		exit(1);
	memcpy(out, s, (size_t)len);
	out[len] = '\0';
	BIO_free(b);
	ASN1_INTEGER_free(ai);
	BN_free(bn);
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

/* serial_normalize(): every form nginx and Apache forward */
static void
test_serial(void)
{
	char		 big[200], i2a[256], hex[2 * 40 + 2];

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
	/* i2a_ASN1_INTEGER() breaks a serial of more than 35 bytes */
	serial_i2a(40, 0, i2a, sizeof(i2a), hex);
	CHECK(strstr(i2a, "\\\n") != NULL);
	CHECK_STR(serial(i2a), hex);
	serial_i2a(40, 1, i2a, sizeof(i2a), hex + 1);
	hex[0] = '-';
	CHECK(i2a[0] == '-' && strstr(i2a, "\\\n") != NULL);
	CHECK_STR(serial(i2a), hex);
	/* only that pair: a lone backslash or newline, or one at the end */
	*strchr(i2a, '\n') = ' ';
	CHECK_STR(serial(i2a), "ERR");
	CHECK_STR(serial("10\\01"), "ERR");
	CHECK_STR(serial("10\n01"), "ERR");
	CHECK_STR(serial("1001\\\n"), "ERR");
	CHECK_STR(serial("10\\\n01"), "1001");
	memset(big, 'F', 128);
	big[128] = '\0';
	CHECK(strcmp(serial(big), "ERR") != 0);
	big[128] = 'F';
	big[129] = '\0';
	CHECK_STR(serial(big), "ERR");
}

static void
test_glob(void)
{
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
}

/* match_normalize(): policy values as the matchers compare them */
static void
test_normalize(void)
{
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
	CHECK_STR(norm(K_SPKI,
	    "AB:CD:EF:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:"
	    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"),
	    "abcdef0123456789abcdef0123456789"
	    "abcdef0123456789abcdef0123456789");
	CHECK_STR(norm(K_SPKI, "abcdef0123456789abcdef0123456789"
	    "abcdef0123456789abcdef0123456789ab"), "ERR");
	CHECK_STR(norm(K_SPKI, "sha256:abcdef0123456789abcdef0123456789"
	    "abcdef0123456789abcdef0123456789"), "ERR");
	/* EKUs compare as dotted OIDs */
	CHECK_STR(norm(K_EKU, "clientauth"), "1.3.6.1.5.5.7.3.2");
	CHECK_STR(norm(K_EKU, "1.3.6.1.5.5.7.3.2"), "1.3.6.1.5.5.7.3.2");
	CHECK_STR(norm(K_EKU, "1.2.3.4"), "1.2.3.4");
	CHECK_STR(norm(K_EKU, "1..2"), "ERR");
	CHECK_STR(norm(K_SERIAL, "*"), "ERR");
}

static void
test_empty_condition(void)
{
	struct cert_info ci;
	struct cond	 c;
	struct valueset	 vs, *sets[1];
	char		*ekus[] = { "1.3.6.1.5.5.7.3.2" };
	const char	*v, *err;
	int		 src[2] = { EMAIL_SRC_SAN, 0 };

	/* a condition without values holds for no certificate */
	memset(&ci, 0, sizeof(ci));
	ci.eku_oid.v = ekus;
	ci.eku_oid.n = 1;
	memset(&c, 0, sizeof(c));
	c.kind = K_EKU;
	c.sets = sets;
	c.nset = 1;
	sets[0] = &vs;
	memset(&vs, 0, sizeof(vs));
	CHECK(match_cond(&c, &ci, src, &v, &err) == 0);
	vs.all = ekus;
	vs.nall = 1;
	CHECK(match_cond(&c, &ci, src, &v, &err) == 1);
	c.kind = K_SERIAL;
	memset(&vs, 0, sizeof(vs));
	CHECK(match_cond(&c, &ci, src, &v, &err) == 0);
	c.kind = K_EMAIL;
	CHECK(match_cond(&c, &ci, src, &v, &err) == 0);
}

static void
test_arena(void)
{
	struct arena	*a;
	int		 i, ok, *arr;

	/* arena_grow: geometric, the contents kept */
	a = arena_new();
	arr = NULL;
	ok = 1;
	for (i = 0; i < 100000 && ok; i++) {
		ok = arena_grow(a, &arr, (size_t)i, sizeof(*arr)) == 0;
		if (ok)
			arr[i] = i;
	}
	for (i = 0; i < 100000 && ok; i++)
		ok = arr[i] == i;
	CHECK(ok);
	arena_free(a);
}

static void
test_set(void)
{
	struct arena	*a;
	struct set	*s;
	char		 key[32];
	int		 i, ok;

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
}

int
main(void)
{
	test_serial();
	test_glob();
	test_normalize();
	test_empty_condition();
	test_arena();
	test_set();
	return test_done();
}
