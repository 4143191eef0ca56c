/*
 * test_cache.c: the per-thread certificate cache.  Usage: test_cache
 * PKIDIR (certs.sh runs it).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "test.h"

static const char *pkidir;
static char	*alice, *bob;
static size_t	 alen, blen;

/* A hit returns the same decoding; a different input another. */
static void
test_hits(void)
{
	struct cert_cache *cc;
	const struct cert_info *a1, *a2, *b, *c;
	const char	*reason;
	char		*bad, fp[65] = "";
	size_t		 i, ader = 0;

	CHECK((cc = cert_cache_new(8)) != NULL);
	a1 = cert_cache_get(cc, alice, alen, 16384, &reason);
	a2 = cert_cache_get(cc, alice, alen, 16384, &reason);
	CHECK(a1 != NULL && a1 == a2 && strcmp(a1->serial, "1001") == 0);
	b = cert_cache_get(cc, bob, blen, 16384, &reason);
	CHECK(b != NULL && strcmp(b->serial, "1002") == 0);
	a2 = cert_cache_get(cc, alice, alen, 16384, &reason);
	CHECK(a2 == a1 || a2 != NULL);	/* a1 may be evicted by bob */
	a1 = a2;
	if (a1 != NULL) {
		memcpy(fp, a1->fingerprint, sizeof(fp));
		ader = a1->derlen;
	}
	/* The same bytes but one: never a hit (twin of the test above). */
	CHECK((bad = strdup(alice)) != NULL);
	bad[alen - 1] = ' ';	/* trailing white space: still alice */
	c = cert_cache_get(cc, bad, alen, 16384, &reason);
	CHECK(c != NULL && strcmp(c->serial, "1001") == 0);
	bad[100] ^= 1;
	c = cert_cache_get(cc, bad, alen, 16384, &reason);
	CHECK(c == NULL || strcmp(c->fingerprint, fp) != 0);
	/* An error is not cached and is reported every time. */
	for (i = 0; i < 2; i++) {
		reason = NULL;
		CHECK(cert_cache_get(cc, "garbage", 7, 16384, &reason) == NULL &&
		    reason != NULL);
	}
	/* A cached certificate is refused under a smaller limit (of DER). */
	CHECK(cert_cache_get(cc, alice, alen, ader - 1, &reason) == NULL &&
	    reason != NULL);
	CHECK(cert_cache_get(cc, alice, alen, ader, &reason) != NULL);
	cert_cache_free(cc);
	free(bad);
}

/* One slot: alternating inputs evict each other, stay correct. */
static void
test_one_slot(void)
{
	struct cert_cache *cc;
	const struct cert_info *a1;
	const char	*reason;
	size_t		 i;

	CHECK((cc = cert_cache_new(1)) != NULL);
	for (i = 0; i < 10; i++) {
		a1 = cert_cache_get(cc, i % 2 ? bob : alice, i % 2 ? blen : alen,
		    16384, &reason);
		CHECK(a1 != NULL && strcmp(a1->serial,
		    i % 2 ? "1002" : "1001") == 0);
	}
	cert_cache_free(cc);
}

/*
 * Four ways: four certificates in a cache of one set all stay
 * cached (the same decoding comes back), whatever their hashes; a
 * fifth evicts the least recently used one only.
 */
static void
test_four_ways(void)
{
	static const char *const who[5] = { "alice", "bob", "carol",
	    "dave", "mallory" };
	struct cert_cache *cc;
	const struct cert_info *first[5];
	const char	*reason;
	char		*pem[5];
	size_t		 plen[5], i, j;

	for (j = 0; j < 5; j++)
		pem[j] = test_slurp(pkidir, who[j], &plen[j]);
	CHECK((cc = cert_cache_new(4)) != NULL);
	for (j = 0; j < 4; j++)
		first[j] = cert_cache_get(cc, pem[j], plen[j], 16384,
		    &reason);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 4; j++)
			CHECK(cert_cache_get(cc, pem[j], plen[j], 16384,
			    &reason) == first[j]);
	/* alice is the least recently used: mallory replaces her. */
	first[4] = cert_cache_get(cc, pem[4], plen[4], 16384, &reason);
	CHECK(first[4] != NULL && strcmp(first[4]->serial, "1003") == 0);
	for (j = 1; j < 4; j++)
		CHECK(cert_cache_get(cc, pem[j], plen[j], 16384,
		    &reason) == first[j]);
	cert_cache_free(cc);
	for (j = 0; j < 5; j++)
		free(pem[j]);
}

/* A cache of no entries still decodes; freeing NULL is a no-op. */
static void
test_no_slots(void)
{
	struct cert_cache *cc;
	const char	*reason;

	CHECK((cc = cert_cache_new(0)) != NULL);
	CHECK(cert_cache_get(cc, alice, alen, 16384, &reason) != NULL);
	cert_cache_free(cc);
	cert_cache_free(NULL);
}

int
main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_cache PKIDIR\n");
		return 2;
	}
	pkidir = argv[1];
	alice = test_slurp(pkidir, "alice", &alen);
	bob = test_slurp(pkidir, "bob", &blen);
	test_hits();
	test_one_slot();
	test_four_ways();
	test_no_slots();
	free(alice);
	free(bob);
	return test_done();
}
