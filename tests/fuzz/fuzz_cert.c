/*
 * fuzz_cert.c: SSL_CLIENT_CERT bytes -> cert_decode() -> everything a
 * policy reads.  Invariants: a decoded certificate renders, its own
 * rendered subject and issuer are accepted as forwarded DNs, the cache
 * agrees with a direct decode, and cert.c's own certificate template is
 * never laxer than OpenSSL's full X509 (check_openssl()).  (subject_str
 * may be printed by OpenSSL, so it is only required to exist.)
 *
 * An input that starts with 0x30 (a DER SEQUENCE; no SSL_CLIENT_CERT
 * form does) is DER: it is base64-encoded and decoded as bare base64,
 * so that mutations reach the ASN.1 and the extensions directly.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "authz.h"
#include "names.h"
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

/*
 * cert_decode() parses without the public key (cert.c); d2i_X509() of
 * the same DER must agree with it where it decodes: extensions OpenSSL
 * calls invalid were refused, and a certificate OpenSSL calls a CA is
 * one here too (cert.c may be stricter, never laxer).
 */
static void
check_openssl(const unsigned char *der, size_t len, const struct cert_info *ci)
{
	const unsigned char	*p = der;
	X509			*x;

	/* The same ASN.1 but for the key, whose decoding errors OpenSSL
	 * 3.0 ignores: only a lack of memory makes this fail. */
	x = d2i_X509(NULL, &p, (long)len);
	FUZZ_ASSERT(x != NULL);
	FUZZ_ASSERT(p == der + len);
	FUZZ_ASSERT((X509_get_extension_flags(x) & EXFLAG_INVALID) == 0);
	if (X509_check_ca(x) != 0)
		FUZZ_ASSERT(ci->is_ca);
	X509_free(x);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cert_cache	*cache;
	struct cert_info		*ci;
	const struct cert_info		*cc;
	const char			*reason = NULL, *creason = NULL;
	char				 serial[AUTHZ_SERIAL_HEXLEN];
	unsigned char			*b64 = NULL;

	if (cache == NULL && (cache = cert_cache_new(4)) == NULL)
		abort();
	if (size > 0 && data[0] == 0x30 && size <= AUTHZ_CERT_MAX_DEFAULT) {
		if ((b64 = malloc(4 * ((size + 2) / 3) + 1)) == NULL)
			abort();
		size = (size_t)EVP_EncodeBlock(b64, data, (int)size);
		data = b64;
	}

	ci = cert_decode((const char *)data, size, AUTHZ_CERT_MAX_DEFAULT,
	    &reason);
	cc = cert_cache_get(cache, (const char *)data, size,
	    AUTHZ_CERT_MAX_DEFAULT, &creason);
	FUZZ_ASSERT((ci == NULL) == (cc == NULL));
	if (ci != NULL)
		check_openssl(ci->der, ci->derlen, ci);
	if (ci == NULL) {
		FUZZ_ASSERT(reason != NULL && *reason != '\0');
		free(b64);
		return 0;
	}
	FUZZ_ASSERT(size <= AUTHZ_CERT_MAX_DEFAULT);
	FUZZ_ASSERT(strcmp(ci->serial, cc->serial) == 0);
	FUZZ_ASSERT(memcmp(ci->sha256, cc->sha256, sizeof(ci->sha256)) == 0);
	FUZZ_ASSERT(strlen(ci->fingerprint) == 64);
	FUZZ_ASSERT(ci->der != NULL && ci->derlen > 0);
	/* The serial as stored is its own normal form. */
	FUZZ_ASSERT(names_serial(ci->serial, serial, sizeof(serial)) == 0);
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
	free(b64);
	return 0;
}
