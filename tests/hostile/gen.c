/*
 * gen.c: makes the hostile client certificates that the openssl command
 * line cannot (NUL bytes, BMPString and T61String values, raw serials,
 * multi-valued RDNs, a 20 KB certificate, extension sets that make or
 * do not make a CA, a duplicate extension, a v1 certificate), signed by
 * the test PKI's
 * client CA, so that they chain and only their content is hostile.
 *
 * Usage: gen PKIDIR OUTDIR     writes OUTDIR/NAME.pem for each case
 * below.  Nothing it writes is committed: tests run it at test time.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

struct ava {
	const char	*name;		/* "CN", ... NULL ends */
	int		 type;		/* V_ASN1_UTF8STRING, ... */
	const char	*value;
	size_t		 len;		/* 0: strlen(value) */
	int		 set;		/* -1: a new RDN, 0: joins the previous one */
};

struct hostile {
	const char	*name;
	struct ava	 subject[6];
	const char	*serial;	/* raw magnitude bytes, hex */
	int		 negative;
	const char	*san_email;	/* NULL: none */
	size_t		 san_email_len;
	int		 huge;		/* 700 DNS SANs */
	long		 start;		/* notBefore offset, seconds */
	int		 exts;		/* EXT_*: which extensions */
};

/* Extension sets; what makes a CA follows X509_check_ca() (cert.c). */
enum {
	EXT_LEAF,		/* CA:FALSE, digitalSignature, clientAuth */
	EXT_KU_CERTSIGN,	/* no basicConstraints, keyCertSign: a CA */
	EXT_BC_FALSE_CERTSIGN,	/* CA:FALSE wins over keyCertSign: no CA */
	EXT_BC_TRUE_NOSIGN,	/* CA:TRUE without keyCertSign: a CA here */
	EXT_NS_SSLCA,		/* only nsCertType sslCA: a CA */
	EXT_DUP_SAN,		/* subjectAltName twice: refused */
	EXT_V1,			/* version 1, no extensions, self-issued */
	EXT_CRLDP_EMPTY,	/* a DistributionPoint naming nothing */
	EXT_MANY		/* 65 extensions: more than cert.c takes */
};

#define U	V_ASN1_UTF8STRING
#define P	V_ASN1_PRINTABLESTRING
#define BASE	{ "O", P, "Example", 0, -1 }, { "OU", P, "Eng", 0, -1 }
/* serial-nonmin: 00 10 03 is mallory's revoked serial with a needless 00. */

static const struct hostile cases[] = {
	{ .name = "inj-comma", .subject = { BASE, { "CN", U, "alice,O=Admin", 0, -1 } }, .serial = "2001" },
	{ .name = "inj-slash", .subject = { BASE, { "CN", U, "alice/O=Admin", 0, -1 } }, .serial = "2002" },
	{ .name = "inj-quote", .subject = { BASE, { "CN", U, "al\"ice", 0, -1 } }, .serial = "2003" },
	{ .name = "inj-newline", .subject = { BASE, { "CN", U, "alice\nallow policy=FORGED rule=ops user=root", 0, -1 } }, .serial = "2004" },
	{ .name = "inj-crlf", .subject = { BASE, { "CN", U, "x\r\nVariable-CERTAUTHZ_USER: root", 0, -1 } }, .serial = "2005" },
	{ .name = "inj-backslash", .subject = { BASE, { "CN", U, "alice\\", 0, -1 } }, .serial = "2006" },
	{ .name = "dup-cn", .subject = { BASE, { "CN", U, "alice", 0, -1 }, { "CN", U, "admin", 0, -1 } }, .serial = "2007" },
	{ .name = "multi-rdn", .subject = { BASE, { "CN", U, "alice", 0, -1 }, { "O", U, "Admin", 0, 0 } }, .serial = "2008" },
	{ .name = "nul-cn", .subject = { BASE, { "CN", U, "alice\0.evil.example", 19, -1 } }, .serial = "2009" },
	{ .name = "nul-san", .subject = { BASE, { "CN", U, "nulsan", 0, -1 } }, .serial = "200A", .san_email = "admin@example.com\0.evil.example", .san_email_len = 31 },
	{ .name = "bmp-cn", .subject = { BASE, { "CN", V_ASN1_BMPSTRING, "\0a\0l\0i\0c\0e", 10, -1 } }, .serial = "200B" },
	{ .name = "t61-cn", .subject = { BASE, { "CN", V_ASN1_T61STRING, "alice", 0, -1 } }, .serial = "200C" },
	{ .name = "cyrillic-cn", .subject = { BASE, { "CN", U, "\xd0\xb0lice", 0, -1 } }, .serial = "200D" },
	{ .name = "subj-email", .subject = { BASE, { "CN", U, "semail", 0, -1 }, { "emailAddress", V_ASN1_IA5STRING, "admin@example.com", 0, -1 } }, .serial = "200E", .san_email = "nobody@other.example" },
	{ .name = "san-admin", .subject = { BASE, { "CN", U, "sanadmin", 0, -1 } }, .serial = "200F", .san_email = "admin@EXAMPLE.com" },
	{ .name = "san-admin-upper", .subject = { BASE, { "CN", U, "sanupper", 0, -1 } }, .serial = "2010", .san_email = "ADMIN@example.com" },
	{ .name = "serial-neg", .subject = { BASE, { "CN", U, "alice", 0, -1 } }, .serial = "1001", .negative = 1 },
	{ .name = "serial-zero", .subject = { BASE, { "CN", U, "alice", 0, -1 } }, .serial = "" },
	{ .name = "serial-21", .subject = { BASE, { "CN", U, "alice", 0, -1 } }, .serial = "7F0102030405060708090A0B0C0D0E0F1011121314" },
	{ .name = "serial-huge", .subject = { BASE, { "CN", U, "alice", 0, -1 } }, .serial = "7F0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F" "202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F" "40414243" },
	{ .name = "serial-nonmin", .subject = { BASE, { "CN", U, "alice", 0, -1 } }, .serial = "001003" },
	{ .name = "notyet", .subject = { BASE, { "CN", U, "alice", 0, -1 } }, .serial = "2011", .start = 86400 },
	{ .name = "huge", .subject = { BASE, { "CN", U, "huge", 0, -1 } }, .serial = "2012", .huge = 1 },
	{ .name = "ku-certsign", .subject = { BASE, { "CN", U, "alice", 0, -1 } }, .serial = "2013", .exts = EXT_KU_CERTSIGN },
	{ .name = "bc-false-certsign", .subject = { BASE, { "CN", U, "alice", 0, -1 } }, .serial = "2014", .exts = EXT_BC_FALSE_CERTSIGN },
	{ .name = "bc-true-nosign", .subject = { BASE, { "CN", U, "alice", 0, -1 } }, .serial = "2015", .exts = EXT_BC_TRUE_NOSIGN },
	{ .name = "ns-sslca", .subject = { BASE, { "CN", U, "alice", 0, -1 } }, .serial = "2016", .exts = EXT_NS_SSLCA },
	{ .name = "dup-san", .subject = { BASE, { "CN", U, "alice", 0, -1 } }, .serial = "2017", .san_email = "alice@example.com", .exts = EXT_DUP_SAN },
	{ .name = "v1-self-issued", .subject = { { NULL, 0, NULL, 0, 0 } }, .serial = "2018", .exts = EXT_V1 },
	{ .name = "crldp-empty", .subject = { BASE, { "CN", U, "alice", 0, -1 } }, .serial = "2019", .exts = EXT_CRLDP_EMPTY },
	{ .name = "many-ext", .subject = { BASE, { "CN", U, "alice", 0, -1 } }, .serial = "201A", .exts = EXT_MANY },
	{ .name = NULL }
};

static void
die(const char *what)
{
	fprintf(stderr, "gen: %s\n", what);
	exit(1);
}

static void *
load_pem(const char *dir, const char *file, int key)
{
	char	*path;
	FILE	*fp;
	void	*p;

	if (asprintf(&path, "%s/%s", dir, file) == -1)
		die("asprintf");
	if ((fp = fopen(path, "r")) == NULL)
		die(path);
	p = key ? (void *)PEM_read_PrivateKey(fp, NULL, NULL, NULL) :
	    (void *)PEM_read_X509(fp, NULL, NULL, NULL);
	if (p == NULL)
		die(path);
	fclose(fp);
	free(path);
	return p;
}

static void
add_ext(X509 *x, X509 *ca, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ex;

	X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
	if ((ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL ||
	    !X509_add_ext(x, ex, -1))
		die("extension");
	X509_EXTENSION_free(ex);
}

/* Adds an extension with OID oid and the DER value der, as it is. */
static void
add_raw(X509 *x, const char *oid, const unsigned char *der, int len)
{
	ASN1_OBJECT	 *obj;
	ASN1_OCTET_STRING *os;
	X509_EXTENSION	 *ex;

	if ((obj = OBJ_txt2obj(oid, 1)) == NULL ||
	    (os = ASN1_OCTET_STRING_new()) == NULL ||
	    !ASN1_OCTET_STRING_set(os, der, len) ||
	    (ex = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os)) == NULL ||
	    !X509_add_ext(x, ex, -1))
		die("raw extension");
	X509_EXTENSION_free(ex);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
}

static void
make(const struct hostile *h, X509 *ca, EVP_PKEY *cakey, EVP_PKEY *key,
    const char *outdir)
{
	X509		*x;
	X509_NAME	*n;
	ASN1_INTEGER	*ai;
	GENERAL_NAMES	*gens;
	GENERAL_NAME	*gn;
	ASN1_IA5STRING	*ia5;
	const struct ava *a;
	unsigned char	 raw[128];
	long		 rawlen;
	unsigned char	*bin;
	char		*path, dnsname[64];
	FILE		*fp;
	int		 i;

	if ((x = X509_new()) == NULL)
		die("X509_new");
	X509_set_version(x, h->exts == EXT_V1 ? 0 : 2);

	/* The serial exactly as given, leading zero bytes included. */
	if ((bin = OPENSSL_hexstr2buf(*h->serial ? h->serial : "00",
	    &rawlen)) == NULL || rawlen > (long)sizeof(raw))
		die("serial");
	memcpy(raw, bin, rawlen);
	OPENSSL_free(bin);
	if (*h->serial == '\0')
		rawlen = 0;
	ai = ASN1_INTEGER_new();
	if (ai == NULL || !ASN1_STRING_set(ai, raw, rawlen))
		die("serial");
	if (h->negative)
		ai->type = V_ASN1_NEG_INTEGER;
	X509_set_serialNumber(x, ai);
	ASN1_INTEGER_free(ai);

	X509_gmtime_adj(X509_getm_notBefore(x), h->start - 3600);
	X509_gmtime_adj(X509_getm_notAfter(x), h->start + 86400L * 30);
	n = X509_get_subject_name(x);
	for (a = h->subject; a->name != NULL; a++)
		if (!X509_NAME_add_entry_by_txt(n, a->name, a->type,
		    (const unsigned char *)a->value,
		    a->len ? (int)a->len : -1, -1, a->set == -1 ? 0 : -1))
			die(h->name);
	X509_set_issuer_name(x, X509_get_subject_name(ca));
	if (h->exts == EXT_V1)		/* self-issued: the issuer's name */
		X509_set_subject_name(x, X509_get_subject_name(ca));
	X509_set_pubkey(x, key);
	switch (h->exts) {
	case EXT_LEAF:
	case EXT_DUP_SAN:
	case EXT_CRLDP_EMPTY:
	case EXT_MANY:
		add_ext(x, ca, NID_basic_constraints, "critical,CA:FALSE");
		add_ext(x, ca, NID_key_usage, "critical,digitalSignature");
		break;
	case EXT_KU_CERTSIGN:
		add_ext(x, ca, NID_key_usage,
		    "critical,digitalSignature,keyCertSign");
		break;
	case EXT_BC_FALSE_CERTSIGN:
		add_ext(x, ca, NID_basic_constraints, "critical,CA:FALSE");
		add_ext(x, ca, NID_key_usage,
		    "critical,digitalSignature,keyCertSign");
		break;
	case EXT_BC_TRUE_NOSIGN:
		add_ext(x, ca, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, ca, NID_key_usage, "critical,digitalSignature");
		break;
	case EXT_NS_SSLCA:
		add_ext(x, ca, NID_netscape_cert_type, "sslCA");
		break;
	}
	if (h->exts != EXT_V1) {
		add_ext(x, ca, NID_ext_key_usage, "clientAuth");
		add_ext(x, ca, NID_authority_key_identifier, "keyid");
	}
	if (h->exts == EXT_CRLDP_EMPTY) {
		/* CRLDistributionPoints ::= SEQUENCE { DistributionPoint {} } */
		static const unsigned char dp[] = { 0x30, 0x02, 0x30, 0x00 };

		add_raw(x, "2.5.29.31", dp, sizeof(dp));
	}
	for (i = 0; h->exts == EXT_MANY && i < 61; i++) {
		/* private OIDs, each a NULL value: 4 + 61 = 65 */
		static const unsigned char null[] = { 0x05, 0x00 };
		char	 oid[64];

		snprintf(oid, sizeof(oid), "1.3.6.1.4.1.99999.7.%d", i);
		add_raw(x, oid, null, sizeof(null));
	}

	if (h->san_email != NULL || h->huge) {
		gens = sk_GENERAL_NAME_new_null();
		if (h->san_email != NULL) {
			gn = GENERAL_NAME_new();
			ia5 = ASN1_IA5STRING_new();
			ASN1_STRING_set(ia5, h->san_email, h->san_email_len ?
			    (int)h->san_email_len : -1);
			GENERAL_NAME_set0_value(gn, GEN_EMAIL, ia5);
			sk_GENERAL_NAME_push(gens, gn);
		}
		for (i = 0; h->huge && i < 700; i++) {
			gn = GENERAL_NAME_new();
			ia5 = ASN1_IA5STRING_new();
			snprintf(dnsname, sizeof(dnsname),
			    "host-%04d.a-long-domain.example.com", i);
			ASN1_STRING_set(ia5, dnsname, -1);
			GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
			sk_GENERAL_NAME_push(gens, gn);
		}
		if (!X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, 0) ||
		    (h->exts == EXT_DUP_SAN && !X509_add1_ext_i2d(x,
		    NID_subject_alt_name, gens, 0, X509V3_ADD_APPEND)))
			die("san");
		GENERAL_NAMES_free(gens);
	}
	if (X509_sign(x, cakey, EVP_sha256()) == 0)
		die("X509_sign");

	if (asprintf(&path, "%s/%s.pem", outdir, h->name) == -1)
		die("asprintf");
	if ((fp = fopen(path, "w")) == NULL || !PEM_write_X509(fp, x))
		die(path);
	fclose(fp);
	free(path);
	X509_free(x);
}

int
main(int argc, char *argv[])
{
	const struct hostile	*h;
	EVP_PKEY		*cakey, *key;
	X509			*ca;

	if (argc != 3) {
		fprintf(stderr, "usage: gen PKIDIR OUTDIR\n");
		return 2;
	}
	ca = load_pem(argv[1], "client-ca.pem", 0);
	cakey = load_pem(argv[1], "client-ca.key", 1);
	key = load_pem(argv[1], "alice.key", 1);	/* any key will do */
	for (h = cases; h->name != NULL; h++)
		make(h, ca, cakey, key, argv[2]);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(key);
	X509_free(ca);
	return 0;
}
