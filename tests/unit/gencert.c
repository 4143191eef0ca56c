/*
 * gencert.c: makes the certificates the openssl command line cannot
 * (NUL bytes in names and SANs, negative serials, BMPString and
 * T61String values, multi-valued RDNs, injection attempts) for
 * test_cert.  tests/unit/certgen.c builds each row of the table below.
 *
 * Usage: gencert DIR.  Writes DIR/ca.pem and DIR/NAME.pem for each case
 * below, all signed by one throw-away P-256 key made here, which is
 * also every certificate's own key.  Nothing is ever committed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "certgen.h"

#define U	V_ASN1_UTF8STRING
#define M	MBSTRING_UTF8
/* field=value, a new RDN; AVA_PLUS joins the previous one */
#define AVA(f, t, v)		{ f, t, v, 0, 0 }
#define AVA_LEN(f, t, v, n)	{ f, t, v, n, 0 }
#define AVA_PLUS(f, t, v)	{ f, t, v, 0, 1 }
#define BC_FALSE	{ NID_basic_constraints, "CA:FALSE" }
#define CA_TRUE		{ NID_basic_constraints, "critical,CA:TRUE" }
#define CLIENT		CERTGEN_EXT(BC_FALSE, { NID_ext_key_usage, "clientAuth" })

static const char bmp[] = { 0, 'Z', 0, 'o', 0, (char)0xeb };

static const struct certgen gen_ca = {
	.name = "ca", .serial = "01", .ext = CERTGEN_EXT(CA_TRUE),
	.subject = CERTGEN_NAME(AVA("O", M, "Example"), AVA("CN", M, "Gen CA"))
};

static const struct certgen cases[] = {
	{ .name = "utf8", .serial = "1001", .ext = CLIENT,
	  .subject = CERTGEN_NAME(AVA("OU", U, "Eng"), AVA("O", U, "Example"),
	    AVA("CN", U, "Jos\xc3\xa9 M\xc3\xbcller")) },
	{ .name = "bmp", .serial = "1002", .ext = CLIENT,
	  .subject = CERTGEN_NAME(AVA("C", V_ASN1_PRINTABLESTRING, "DE"),
	    AVA("O", V_ASN1_T61STRING, "Zo\xeb AG"),
	    AVA_LEN("CN", V_ASN1_BMPSTRING, bmp, sizeof(bmp))) },
	{ .name = "multi", .serial = "1003", .ext = CLIENT,
	  .subject = CERTGEN_NAME(AVA("O", M, "Example"), AVA("OU", M, "Eng"),
	    AVA("OU", M, "Ops"), AVA("CN", M, "alice"),
	    AVA_PLUS("UID", M, "a1")) },
	{ .name = "dupcn", .serial = "1004", .ext = CLIENT,
	  .subject = CERTGEN_NAME(AVA("O", M, "Example"), AVA("CN", M, "alice"),
	    AVA("CN", M, "admin")) },
	{ .name = "inj1", .serial = "1005", .ext = CLIENT,
	  .subject = CERTGEN_NAME(AVA("O", M, "Example"),
	    AVA("CN", M, "alice,O=Admin")) },
	{ .name = "inj2", .serial = "1006", .ext = CLIENT,
	  .subject = CERTGEN_NAME(AVA("O", M, "Example"),
	    AVA("CN", M, "alice/O=Admin")) },
	{ .name = "inj3", .serial = "1007", .ext = CLIENT,
	  .subject = CERTGEN_NAME(AVA("O", M, "Example"),
	    AVA("CN", M, "alice+O=Admin")) },
	{ .name = "nul", .serial = "1008", .ext = CLIENT,
	  .subject = CERTGEN_NAME(AVA("O", M, "Example"),
	    AVA_LEN("CN", U, "ali\0ce", 6)) },
	{ .name = "nulsan", .serial = "1009", .ext = CLIENT,
	  .subject = CERTGEN_NAME(AVA("CN", M, "x")),
	  .san = CERTGEN_SAN({ GEN_EMAIL, "alice@example.com\0.evil", 24 }) },
	{ .name = "nuldns", .serial = "0100A0", .ext = CLIENT,
	  .subject = CERTGEN_NAME(AVA("CN", M, "x")),
	  .san = CERTGEN_SAN({ GEN_DNS, "good.example\0.evil", 18 },
	    { GEN_URI, "https://good.example\0.evil/", 27 },
	    { GEN_EMAIL, "a@good.example\0.evil", 20 }) },
	/* 600 DNS names: PEM under 16384 bytes, its %XX form over */
	{ .name = "many", .serial = "0100A1", .ext = CLIENT,
	  .subject = CERTGEN_NAME(AVA("CN", M, "many")),
	  .ndns = 600, .dnshead = "h", .dnstail = ".example.com" },
	{ .name = "neg", .serial = "1001", .negative = 1,
	  .subject = CERTGEN_NAME(AVA("CN", M, "neg")) },
	{ .name = "zero", .serial = "00",
	  .subject = CERTGEN_NAME(AVA("CN", M, "zero")) },
	{ .name = "ff", .serial = "FF",
	  .subject = CERTGEN_NAME(AVA("CN", M, "ff")) },
	{ .name = "big", .serial = "7F0102030405060708090A0B0C0D0E0F10111213",
	  .subject = CERTGEN_NAME(AVA("CN", M, "big")) },
	{ .name = "s100100", .serial = "100100",
	  .subject = CERTGEN_NAME(AVA("CN", M, "s100100")) },
	{ .name = "look", .serial = "100A", .ext = CLIENT,
	  .subject = CERTGEN_NAME(AVA("O", M, "Example"),
	    AVA("CN", U, "\xd0\xb0lice")) },
	{ .name = "san", .serial = "100B",
	  .subject = CERTGEN_NAME(AVA("DC", M, "com"), AVA("DC", M, "example"),
	    AVA("C", M, "US"), AVA("ST", M, "CA"), AVA("L", M, "Town"),
	    AVA("CN", M, "svc"), AVA("serialNumber", M, "SN42"),
	    AVA("emailAddress", MBSTRING_ASC, "svc@example.com"),
	    AVA("1.2.3.4", U, "abc")),
	  .san = CERTGEN_SAN({ GEN_DNS, "svc.example.com", 0 },
	    { GEN_URI, "spiffe://example.com/ns/prod", 0 },
	    { GEN_IPADD, "192.0.2.1", 0 }, { GEN_IPADD, "2001:db8::1", 0 },
	    { GEN_EMAIL, "ops@Example.COM", 0 }),
	  .ext = CERTGEN_EXT(BC_FALSE, { NID_ext_key_usage,
	    "clientAuth,serverAuth,1.3.6.1.4.1.99999.1" }) },
	{ .name = "special", .serial = "100C", .ext = CLIENT,
	  .subject = CERTGEN_NAME(AVA("O", U, "#lead"),
	    AVA("OU", U, " sp,+\"\\<>;=/#\x01\x7f end "), AVA("CN", U, "a b")) },
	{ .name = "cacert", .serial = "100D", .ext = CERTGEN_EXT(CA_TRUE),
	  .subject = CERTGEN_NAME(AVA("CN", M, "subca")) },
	{ .name = "dupext", .serial = "100E",
	  .subject = CERTGEN_NAME(AVA("CN", M, "dupext")),
	  .ext = CERTGEN_EXT({ NID_ext_key_usage, "clientAuth" },
	    { NID_ext_key_usage, "serverAuth" }) },
	{ .name = "empty", .serial = "100F", .ext = CLIENT },
	{ .name = NULL }
};

int
main(int argc, char *argv[])
{
	const struct certgen	*c;
	EVP_PKEY		*key;
	X509			*ca, *x;

	if (argc != 2) {
		fprintf(stderr, "usage: gencert DIR\n");
		return 2;
	}
	key = certgen_key();
	ca = certgen_make(&gen_ca, NULL, key, key);
	certgen_write(ca, argv[1], gen_ca.name);
	for (c = cases; c->name != NULL; c++) {
		x = certgen_make(c, ca, key, key);
		certgen_write(x, argv[1], c->name);
		X509_free(x);
	}
	X509_free(ca);
	EVP_PKEY_free(key);
	return 0;
}
