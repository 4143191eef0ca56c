/*
 * fuzz_util.c: helpers for the fuzz targets: temporary files, and a
 * client certificate made in memory (nothing is ever committed).
 */
#define _GNU_SOURCE	/* asprintf, mkstemp under -std=c11 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "fuzz.h"

/*
 * Writes len bytes to a new file named after tag in $TMPDIR; returns its
 * malloc'ed path.  Exits on error: a fuzz target cannot run without it.
 */
char *
fuzz_tempfile(const char *tag, const void *buf, size_t len)
{
	const char	*dir;
	char		*path;
	int		 fd;

	if ((dir = getenv("TMPDIR")) == NULL || *dir == '\0')
		dir = "/tmp";
	if (asprintf(&path, "%s/certauthz-%s.XXXXXX", dir, tag) == -1)
		abort();
	if ((fd = mkstemp(path)) == -1) {
		perror(path);
		abort();
	}
	if (len > 0 && write(fd, buf, len) != (ssize_t)len) {
		perror(path);
		abort();
	}
	close(fd);
	return path;
}

static int
add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ex;
	int		 ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if ((ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return 0;
	ok = X509_add_ext(x, ex, -1);
	X509_EXTENSION_free(ex);
	return ok;
}

/*
 * A self-signed EC client certificate for CN=alice,OU=Eng,O=Example
 * with SAN email alice@example.com, serial 1001, clientAuth, valid now:
 * returned as a malloc'ed PEM string.
 */
char *
fuzz_testcert(void)
{
	EVP_PKEY	*key;
	X509		*x;
	X509_NAME	*n;
	BIO		*b;
	BUF_MEM		*bm;
	char		*pem;
	EVP_PKEY_CTX	*kc;

	key = NULL;
	if ((kc = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL)) == NULL ||
	    EVP_PKEY_keygen_init(kc) <= 0 ||
	    EVP_PKEY_CTX_set_ec_paramgen_curve_nid(kc,
	    NID_X9_62_prime256v1) <= 0 ||
	    EVP_PKEY_keygen(kc, &key) <= 0 || (x = X509_new()) == NULL)
		abort();
	EVP_PKEY_CTX_free(kc);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 0x1001);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
	    (const unsigned char *)"Example", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_ASC,
	    (const unsigned char *)"Eng", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)"alice", -1, -1, 0);
	X509_set_issuer_name(x, n);
	X509_set_pubkey(x, key);
	if (!add_ext(x, NID_basic_constraints, "critical,CA:FALSE") ||
	    !add_ext(x, NID_ext_key_usage, "clientAuth") ||
	    !add_ext(x, NID_subject_alt_name, "email:alice@example.com"))
		abort();
	if (X509_sign(x, key, EVP_sha256()) == 0)
		abort();
	if ((b = BIO_new(BIO_s_mem())) == NULL || !PEM_write_bio_X509(b, x))
		abort();
	BIO_get_mem_ptr(b, &bm);
	if ((pem = malloc(bm->length + 1)) == NULL)
		abort();
	memcpy(pem, bm->data, bm->length);
	pem[bm->length] = '\0';
	BIO_free(b);
	X509_free(x);
	EVP_PKEY_free(key);
	return pem;
}
