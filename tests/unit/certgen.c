/*
 * certgen.c: the test certificate builder (certgen.h): one table row in,
 * one signed X509 out, with what the openssl command line cannot make:
 * NUL bytes, BMPString and T61String values, raw and negative serials,
 * multi-valued RDNs, raw and duplicate extensions, version 1.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/pem.h>

#include "certgen.h"

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "certgen: %s failed\n", what);
	exit(1);
}

EVP_PKEY *
certgen_key(void)
{
	EVP_PKEY_CTX	*kc;
	EVP_PKEY	*key = NULL;

	if ((kc = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL)) == NULL ||
	    EVP_PKEY_keygen_init(kc) <= 0 ||
	    EVP_PKEY_CTX_set_ec_paramgen_curve_nid(kc,
	    NID_X9_62_prime256v1) <= 0 || EVP_PKEY_keygen(kc, &key) <= 0)
		die("P-256 key");
	EVP_PKEY_CTX_free(kc);
	return key;
}

/* The serial exactly as given, leading zero bytes included. */
static void
set_serial(X509 *x, const struct certgen *c)
{
	ASN1_INTEGER	*ai;
	unsigned char	*bin = NULL;
	long		 len = 0;

	if (*c->serial != '\0' &&
	    (bin = OPENSSL_hexstr2buf(c->serial, &len)) == NULL)
		die(c->serial);
	if ((ai = ASN1_INTEGER_new()) == NULL ||
	    !ASN1_STRING_set(ai, bin, (int)len))
		die("serial");
	if (c->negative)
		ai->type = V_ASN1_NEG_INTEGER;
	if (!X509_set_serialNumber(x, ai))
		die("X509_set_serialNumber");
	ASN1_INTEGER_free(ai);
	OPENSSL_free(bin);
}

static void
set_subject(X509 *x, const struct certgen_ava *a)
{
	X509_NAME	*n = X509_get_subject_name(x);

	for (; a != NULL && a->name != NULL; a++)
		if (!X509_NAME_add_entry_by_txt(n, a->name, a->type,
		    (const unsigned char *)a->value,
		    a->len ? (int)a->len : -1, -1, a->join ? -1 : 0))
			die(a->name);
}

static void
add_ext(X509 *x, X509 *issuer, const struct certgen_ext *e)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ex;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	if ((ex = X509V3_EXT_conf_nid(NULL, &ctx, e->nid, e->value)) ==
	    NULL || !X509_add_ext(x, ex, -1))
		die(e->value);
	X509_EXTENSION_free(ex);
}

/* Adds an extension with OID oid and the DER value der, as it is. */
static void
add_raw(X509 *x, const char *oid, const unsigned char *der, size_t len)
{
	ASN1_OBJECT	  *obj;
	ASN1_OCTET_STRING *os = NULL;
	X509_EXTENSION	  *ex = NULL;

	if ((obj = OBJ_txt2obj(oid, 1)) == NULL ||
	    (os = ASN1_OCTET_STRING_new()) == NULL ||
	    !ASN1_OCTET_STRING_set(os, der, (int)len) ||
	    (ex = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os)) == NULL ||
	    !X509_add_ext(x, ex, -1))
		die(oid);
	X509_EXTENSION_free(ex);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
}

static void
push_san(GENERAL_NAMES *gens, int type, const char *v, size_t len)
{
	GENERAL_NAME	*g;
	ASN1_IA5STRING	*s;

	if ((g = GENERAL_NAME_new()) == NULL)
		die("GENERAL_NAME_new");
	if (type == GEN_IPADD) {
		if ((g->d.ip = a2i_IPADDRESS(v)) == NULL)
			die(v);
	} else {
		if ((s = ASN1_IA5STRING_new()) == NULL ||
		    !ASN1_STRING_set(s, v, len ? (int)len : -1))
			die("ASN1_STRING_set");
		g->d.ia5 = s;
	}
	g->type = type;
	if (!sk_GENERAL_NAME_push(gens, g))
		die("sk_GENERAL_NAME_push");
}

static void
add_san(X509 *x, const struct certgen *c)
{
	GENERAL_NAMES	*gens;
	const struct certgen_san *s;
	char		 dns[128];
	int		 i;

	if ((gens = GENERAL_NAMES_new()) == NULL)
		die("GENERAL_NAMES_new");
	for (s = c->san; s != NULL && s->type != 0; s++)
		push_san(gens, s->type, s->value, s->len);
	for (i = 0; i < c->ndns; i++) {
		snprintf(dns, sizeof(dns), "%s%04d%s", c->dnshead, i,
		    c->dnstail);
		push_san(gens, GEN_DNS, dns, 0);
	}
	if (!X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, 0) ||
	    (c->flags & CERTGEN_DUP_SAN && !X509_add1_ext_i2d(x,
	    NID_subject_alt_name, gens, 0, X509V3_ADD_APPEND)))
		die("subjectAltName");
	GENERAL_NAMES_free(gens);
}

X509 *
certgen_make(const struct certgen *c, X509 *ca, EVP_PKEY *cakey,
    EVP_PKEY *key)
{
	static const unsigned char null[] = { 0x05, 0x00 };
	const struct certgen_ext *e;
	const struct certgen_raw *r;
	X509		*x;
	char		 oid[64];
	long		 days = c->days ? c->days : 30;
	int		 i;

	if ((x = X509_new()) == NULL)
		die("X509_new");
	X509_set_version(x, c->flags & CERTGEN_V1 ? X509_VERSION_1 :
	    X509_VERSION_3);
	set_serial(x, c);
	X509_gmtime_adj(X509_getm_notBefore(x), c->start - 3600);
	X509_gmtime_adj(X509_getm_notAfter(x), c->start + 86400L * days);
	set_subject(x, c->subject);
	X509_set_issuer_name(x, X509_get_subject_name(ca ? ca : x));
	if (c->flags & CERTGEN_ISSUER_NAME)
		X509_set_subject_name(x, X509_get_issuer_name(x));
	X509_set_pubkey(x, key);
	for (e = c->ext; e != NULL && e->nid != 0; e++)
		add_ext(x, ca ? ca : x, e);
	for (r = c->raw; r != NULL && r->oid != NULL; r++)
		add_raw(x, r->oid, r->der, r->len);
	for (i = 0; i < c->nprivate; i++) {
		snprintf(oid, sizeof(oid), "1.3.6.1.4.1.99999.7.%d", i);
		add_raw(x, oid, null, sizeof(null));
	}
	if ((c->san != NULL && c->san->type != 0) || c->ndns > 0)
		add_san(x, c);
	if (!X509_sign(x, cakey, EVP_sha256()))
		die("X509_sign");
	return x;
}

void
certgen_write(X509 *x, const char *dir, const char *name)
{
	char	 path[4096];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s.pem", dir, name);
	if ((f = fopen(path, "w")) == NULL || !PEM_write_X509(f, x) ||
	    fclose(f) != 0)
		die(path);
}

char *
certgen_pem(X509 *x)
{
	BIO	*b;
	BUF_MEM	*m;
	char	*pem;

	if ((b = BIO_new(BIO_s_mem())) == NULL || !PEM_write_bio_X509(b, x))
		die("PEM_write_bio_X509");
	BIO_get_mem_ptr(b, &m);
	if ((pem = malloc(m->length + 1)) == NULL)
		die("malloc");
	memcpy(pem, m->data, m->length);
	pem[m->length] = '\0';
	BIO_free(b);
	return pem;
}
