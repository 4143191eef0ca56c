/*
 * fuzz_cert.c: SSL_CLIENT_CERT bytes -> cert_decode() -> everything a
 * policy reads.  Invariants: a decoded certificate renders, its own
 * rendered subject and issuer are accepted as forwarded DNs, the cache
 * agrees with a direct decode.  (subject_str may be printed by OpenSSL,
 * so it is only required to exist.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "fuzz.h"

static void
check_list(const struct strlist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		FUZZ_ASSERT(l->v[i] != NULL);
}

static void
check_dn(const struct dn *dn, const char *str)
{
	char	*r;

	FUZZ_ASSERT(str != NULL);
	r = dn_render(dn);
	FUZZ_ASSERT(r != NULL);
	FUZZ_ASSERT(dn_equal(dn, dn) == 1);
	if (dn->nrdn > 0)
		FUZZ_ASSERT(dn_matches_forwarded(dn, r) == 1);
	free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cert_cache	*cache;
	struct cert_info		*ci;
	const struct cert_info		*cc;
	const char			*reason = NULL, *creason = NULL;
	char				 serial[AUTHZ_SERIAL_HEXLEN];

	if (cache == NULL && (cache = cert_cache_new(4)) == NULL)
		abort();

	ci = cert_decode((const char *)data, size, AUTHZ_CERT_MAX_DEFAULT,
	    &reason);
	cc = cert_cache_get(cache, (const char *)data, size,
	    AUTHZ_CERT_MAX_DEFAULT, &creason);
	FUZZ_ASSERT((ci == NULL) == (cc == NULL));
	if (ci == NULL) {
		FUZZ_ASSERT(reason != NULL && *reason != '\0');
		return 0;
	}
	FUZZ_ASSERT(size <= AUTHZ_CERT_MAX_DEFAULT);
	FUZZ_ASSERT(strcmp(ci->serial, cc->serial) == 0);
	FUZZ_ASSERT(memcmp(ci->sha256, cc->sha256, sizeof(ci->sha256)) == 0);
	FUZZ_ASSERT(strlen(ci->fingerprint) == 64);
	FUZZ_ASSERT(ci->der != NULL && ci->derlen > 0);
	/* The serial as stored is its own normal form. */
	FUZZ_ASSERT(serial_normalize(ci->serial, serial, sizeof(serial)) == 0);
	FUZZ_ASSERT(strcmp(serial, ci->serial) == 0);
	check_dn(&ci->subject, ci->subject_str);
	check_dn(&ci->issuer, ci->issuer_str);
	check_list(&ci->san_email);
	check_list(&ci->subject_email);
	check_list(&ci->dns);
	check_list(&ci->uri);
	check_list(&ci->ip);
	check_list(&ci->eku);
	cert_free(ci);
	return 0;
}
