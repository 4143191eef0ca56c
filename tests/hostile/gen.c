/*
 * gen.c: makes the hostile client certificates that the openssl command
 * line cannot (NUL bytes, BMPString and T61String values, raw serials,
 * multi-valued RDNs, a 20 KB certificate, extension sets that make or
 * do not make a CA, a duplicate extension, a v1 certificate), signed by
 * the test PKI's client CA, so that they chain and only their content
 * is hostile.  tests/unit/certgen.c builds each row of the table below.
 *
 * Usage: gen PKIDIR OUTDIR     writes OUTDIR/NAME.pem for each case
 * below.  Nothing it writes is committed: tests run it at test time.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <openssl/pem.h>

#include "../unit/certgen.h"

/*
 * Extension sets; what makes a CA follows X509_check_ca() (cert.c).
 * Every set but V1's ends with clientAuth and the authority key id.
 */
#define CLIENT		{ NID_ext_key_usage, "clientAuth" }, \
			{ NID_authority_key_identifier, "keyid" }
#define BC(v)		{ NID_basic_constraints, "critical,CA:" v }
#define KU(v)		{ NID_key_usage, "critical," v }
/* CA:FALSE, digitalSignature, clientAuth */
#define LEAF		CERTGEN_EXT(BC("FALSE"), KU("digitalSignature"), CLIENT)
/* no basicConstraints, keyCertSign: a CA */
#define KU_CERTSIGN	CERTGEN_EXT(KU("digitalSignature,keyCertSign"), CLIENT)
/* CA:FALSE wins over keyCertSign: no CA */
#define BC_FALSE_CERTSIGN CERTGEN_EXT(BC("FALSE"), \
			    KU("digitalSignature,keyCertSign"), CLIENT)
/* CA:TRUE without keyCertSign: a CA here */
#define BC_TRUE_NOSIGN	CERTGEN_EXT(BC("TRUE"), KU("digitalSignature"), CLIENT)
/* only nsCertType sslCA: a CA */
#define NS_SSLCA	CERTGEN_EXT({ NID_netscape_cert_type, "sslCA" }, CLIENT)

/* CRLDistributionPoints ::= SEQUENCE { DistributionPoint {} } */
static const unsigned char dp_empty[] = { 0x30, 0x02, 0x30, 0x00 };
static const struct certgen_raw crldp_empty[] = {
	{ "2.5.29.31", dp_empty, sizeof(dp_empty) }, { NULL, NULL, 0 }
};

#define U	V_ASN1_UTF8STRING
#define P	V_ASN1_PRINTABLESTRING
#define CN(v)	CERTGEN_NAME({ "O", P, "Example", 0, 0 }, \
		    { "OU", P, "Eng", 0, 0 }, { "CN", U, v, 0, 0 })
#define NAME(...) CERTGEN_NAME({ "O", P, "Example", 0, 0 }, \
		    { "OU", P, "Eng", 0, 0 }, __VA_ARGS__)
#define EMAIL(v, n) CERTGEN_SAN({ GEN_EMAIL, v, n })
/* serial-nonmin: 00 10 03 is mallory's revoked serial with a needless 00. */

static const struct certgen cases[] = {
	{ .name = "inj-comma", .subject = CN("alice,O=Admin"), .serial = "2001", .ext = LEAF },
	{ .name = "inj-slash", .subject = CN("alice/O=Admin"), .serial = "2002", .ext = LEAF },
	{ .name = "inj-quote", .subject = CN("al\"ice"), .serial = "2003", .ext = LEAF },
	{ .name = "inj-newline", .subject = CN("alice\nallow policy=FORGED rule=ops user=root"), .serial = "2004", .ext = LEAF },
	{ .name = "inj-crlf", .subject = CN("x\r\nVariable-CERTAUTHZ_USER: root"), .serial = "2005", .ext = LEAF },
	{ .name = "inj-backslash", .subject = CN("alice\\"), .serial = "2006", .ext = LEAF },
	{ .name = "dup-cn", .subject = NAME({ "CN", U, "alice", 0, 0 }, { "CN", U, "admin", 0, 0 }), .serial = "2007", .ext = LEAF },
	{ .name = "multi-rdn", .subject = NAME({ "CN", U, "alice", 0, 0 }, { "O", U, "Admin", 0, 1 }), .serial = "2008", .ext = LEAF },
	{ .name = "nul-cn", .subject = NAME({ "CN", U, "alice\0.evil.example", 19, 0 }), .serial = "2009", .ext = LEAF },
	{ .name = "nul-san", .subject = CN("nulsan"), .serial = "200A", .ext = LEAF, .san = EMAIL("admin@example.com\0.evil.example", 31) },
	{ .name = "bmp-cn", .subject = NAME({ "CN", V_ASN1_BMPSTRING, "\0a\0l\0i\0c\0e", 10, 0 }), .serial = "200B", .ext = LEAF },
	{ .name = "t61-cn", .subject = NAME({ "CN", V_ASN1_T61STRING, "alice", 0, 0 }), .serial = "200C", .ext = LEAF },
	{ .name = "cyrillic-cn", .subject = CN("\xd0\xb0lice"), .serial = "200D", .ext = LEAF },
	{ .name = "subj-email", .subject = NAME({ "CN", U, "semail", 0, 0 }, { "emailAddress", V_ASN1_IA5STRING, "admin@example.com", 0, 0 }), .serial = "200E", .ext = LEAF, .san = EMAIL("nobody@other.example", 0) },
	{ .name = "san-admin", .subject = CN("sanadmin"), .serial = "200F", .ext = LEAF, .san = EMAIL("admin@EXAMPLE.com", 0) },
	{ .name = "san-admin-upper", .subject = CN("sanupper"), .serial = "2010", .ext = LEAF, .san = EMAIL("ADMIN@example.com", 0) },
	{ .name = "serial-neg", .subject = CN("alice"), .serial = "1001", .negative = 1, .ext = LEAF },
	{ .name = "serial-zero", .subject = CN("alice"), .serial = "", .ext = LEAF },
	{ .name = "serial-21", .subject = CN("alice"), .serial = "7F0102030405060708090A0B0C0D0E0F1011121314", .ext = LEAF },
	{ .name = "serial-huge", .subject = CN("alice"), .serial = "7F0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F" "202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F" "40414243", .ext = LEAF },
	{ .name = "serial-nonmin", .subject = CN("alice"), .serial = "001003", .ext = LEAF },
	{ .name = "notyet", .subject = CN("alice"), .serial = "2011", .start = 86400, .ext = LEAF },
	{ .name = "huge", .subject = CN("huge"), .serial = "2012", .ext = LEAF, .ndns = 700, .dnshead = "host-", .dnstail = ".a-long-domain.example.com" },
	{ .name = "ku-certsign", .subject = CN("alice"), .serial = "2013", .ext = KU_CERTSIGN },
	{ .name = "bc-false-certsign", .subject = CN("alice"), .serial = "2014", .ext = BC_FALSE_CERTSIGN },
	{ .name = "bc-true-nosign", .subject = CN("alice"), .serial = "2015", .ext = BC_TRUE_NOSIGN },
	{ .name = "ns-sslca", .subject = CN("alice"), .serial = "2016", .ext = NS_SSLCA },
	/* subjectAltName twice: refused */
	{ .name = "dup-san", .subject = CN("alice"), .serial = "2017", .ext = LEAF, .san = EMAIL("alice@example.com", 0), .flags = CERTGEN_DUP_SAN },
	/* version 1, no extensions, self-issued */
	{ .name = "v1-self-issued", .serial = "2018", .flags = CERTGEN_V1 | CERTGEN_ISSUER_NAME },
	/* a DistributionPoint naming nothing */
	{ .name = "crldp-empty", .subject = CN("alice"), .serial = "2019", .ext = LEAF, .raw = crldp_empty },
	/* 4 + 61 private = 65 extensions: more than cert.c takes */
	{ .name = "many-ext", .subject = CN("alice"), .serial = "201A", .ext = LEAF, .nprivate = 61 },
	{ .name = NULL }
};

static void *
load_pem(const char *dir, const char *file, int key)
{
	char	 path[4096];
	FILE	*fp;
	void	*p;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((fp = fopen(path, "r")) == NULL ||
	    (p = key ? (void *)PEM_read_PrivateKey(fp, NULL, NULL, NULL) :
	    (void *)PEM_read_X509(fp, NULL, NULL, NULL)) == NULL) {
		fprintf(stderr, "gen: %s\n", path);
		exit(1);
	}
	fclose(fp);
	return p;
}

int
main(int argc, char *argv[])
{
	const struct certgen	*c;
	EVP_PKEY		*cakey, *key;
	X509			*ca, *x;

	if (argc != 3) {
		fprintf(stderr, "usage: gen PKIDIR OUTDIR\n");
		return 2;
	}
	ca = load_pem(argv[1], "client-ca.pem", 0);
	cakey = load_pem(argv[1], "client-ca.key", 1);
	key = load_pem(argv[1], "alice.key", 1);	/* any key will do */
	for (c = cases; c->name != NULL; c++) {
		x = certgen_make(c, ca, cakey, key);
		certgen_write(x, argv[2], c->name);
		X509_free(x);
	}
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(key);
	X509_free(ca);
	return 0;
}
