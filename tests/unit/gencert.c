/*
 * gencert.c: makes the certificates the openssl command line cannot
 * (NUL bytes in names and SANs, negative serials, BMPString and T61String values,
 * multi-valued RDNs, injection attempts) for test_cert.
 *
 * Usage: gencert DIR.  Writes DIR/ca.pem and DIR/NAME.pem for each case
 * below, all signed by one throw-away P-256 key made here.  Nothing is
 * ever committed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static EVP_PKEY	*key;
static X509	*ca;
static const char *dir;

static void
die(const char *what)
{
	fprintf(stderr, "gencert: %s failed\n", what);
	exit(1);
}

/* Adds field=value (len bytes, ASN.1 type) to name: a new RDN, or with set 1 joined to the last one. */
static void
add(X509_NAME *n, const char *field, int type, const char *v, int len, int set)
{
	if (!X509_NAME_add_entry_by_txt(n, field, type,
	    (const unsigned char *)v, len < 0 ? (int)strlen(v) : len, -1, set == 1 ? -1 : 0))
		die(field);
}

static void
san(GENERAL_NAMES *gens, int type, const char *v, int len)
{
	GENERAL_NAME	*g = GENERAL_NAME_new();
	ASN1_IA5STRING	*s;

	if (g == NULL)
		die("GENERAL_NAME_new");
	if (type == GEN_IPADD) {
		if ((g->d.ip = a2i_IPADDRESS(v)) == NULL)
			die("a2i_IPADDRESS");
	} else {
		if ((s = ASN1_IA5STRING_new()) == NULL ||
		    !ASN1_STRING_set(s, v, len < 0 ? (int)strlen(v) : len))
			die("ASN1_STRING_set");
		g->d.ia5 = s;
	}
	g->type = type;
	if (!sk_GENERAL_NAME_push(gens, g))
		die("push");
}

static void
ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*e;

	X509V3_set_ctx(&ctx, ca ? ca : x, x, NULL, NULL, 0);
	if ((e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL ||
	    !X509_add_ext(x, e, -1))
		die(value);
	X509_EXTENSION_free(e);
}

/* Signs x with the CA key (or itself) and writes DIR/name.pem. */
static void
finish(X509 *x, const char *name, const char *serial, GENERAL_NAMES *gens)
{
	BIGNUM		*bn = NULL;
	ASN1_INTEGER	*ai = NULL;
	char		 path[4096];
	FILE		*f;

	if (!BN_hex2bn(&bn, serial) || (ai = BN_to_ASN1_INTEGER(bn, NULL)) ==
	    NULL || !X509_set_serialNumber(x, ai))
		die("serial");
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	if (gens != NULL) {
		if (!X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
		    X509V3_ADD_APPEND))
			die("subjectAltName");
		GENERAL_NAMES_free(gens);
	}
	X509_set_version(x, 2);
	X509_set_issuer_name(x, X509_get_subject_name(ca ? ca : x));
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
	X509_set_pubkey(x, key);
	if (!X509_sign(x, key, EVP_sha256()))
		die("X509_sign");
	snprintf(path, sizeof(path), "%s/%s.pem", dir, name);
	if ((f = fopen(path, "w")) == NULL || !PEM_write_X509(f, x) ||
	    fclose(f) != 0)
		die(path);
}

static X509 *
leaf(X509_NAME **n)
{
	X509	*x = X509_new();

	if (x == NULL)
		die("X509_new");
	*n = X509_get_subject_name(x);
	return x;
}

static void
client(X509 *x)
{
	ext(x, NID_basic_constraints, "CA:FALSE");
	ext(x, NID_ext_key_usage, "clientAuth");
}

int
main(int argc, char *argv[])
{
	X509_NAME	*n;
	X509		*x;
	GENERAL_NAMES	*g;
	static const char bmp[] = { 0, 'Z', 0, 'o', 0, (char)0xeb };

	if (argc != 2)
		die("usage: gencert DIR;");
	dir = argv[1];
	if ((key = EVP_EC_gen("P-256")) == NULL)
		die("EVP_EC_gen");

	x = leaf(&n);
	add(n, "O", MBSTRING_UTF8, "Example", -1, -1);
	add(n, "CN", MBSTRING_UTF8, "Gen CA", -1, -1);
	ext(x, NID_basic_constraints, "critical,CA:TRUE");
	finish(x, "ca", "01", NULL);
	ca = x;

#define CASE(name, serial, body) do {					\
	x = leaf(&n);							\
	g = NULL;							\
	body;								\
	finish(x, name, serial, g);					\
	X509_free(x);							\
} while (0)

	CASE("utf8", "1001", {
		add(n, "OU", V_ASN1_UTF8STRING, "Eng", -1, -1);
		add(n, "O", V_ASN1_UTF8STRING, "Example", -1, -1);
		add(n, "CN", V_ASN1_UTF8STRING, "Jos\xc3\xa9 M\xc3\xbcller", -1, -1);
		client(x);
	});
	CASE("bmp", "1002", {
		add(n, "C", V_ASN1_PRINTABLESTRING, "DE", -1, -1);
		add(n, "O", V_ASN1_T61STRING, "Zo\xeb AG", -1, -1);
		add(n, "CN", V_ASN1_BMPSTRING, bmp, sizeof(bmp), -1);
		client(x);
	});
	CASE("multi", "1003", {
		add(n, "O", MBSTRING_UTF8, "Example", -1, -1);
		add(n, "OU", MBSTRING_UTF8, "Eng", -1, -1);
		add(n, "OU", MBSTRING_UTF8, "Ops", -1, -1);
		add(n, "CN", MBSTRING_UTF8, "alice", -1, -1);
		add(n, "UID", MBSTRING_UTF8, "a1", -1, 1);
		client(x);
	});
	CASE("dupcn", "1004", {
		add(n, "O", MBSTRING_UTF8, "Example", -1, -1);
		add(n, "CN", MBSTRING_UTF8, "alice", -1, -1);
		add(n, "CN", MBSTRING_UTF8, "admin", -1, -1);
		client(x);
	});
	CASE("inj1", "1005", {
		add(n, "O", MBSTRING_UTF8, "Example", -1, -1);
		add(n, "CN", MBSTRING_UTF8, "alice,O=Admin", -1, -1);
		client(x);
	});
	CASE("inj2", "1006", {
		add(n, "O", MBSTRING_UTF8, "Example", -1, -1);
		add(n, "CN", MBSTRING_UTF8, "alice/O=Admin", -1, -1);
		client(x);
	});
	CASE("inj3", "1007", {
		add(n, "O", MBSTRING_UTF8, "Example", -1, -1);
		add(n, "CN", MBSTRING_UTF8, "alice+O=Admin", -1, -1);
		client(x);
	});
	CASE("nul", "1008", {
		add(n, "O", MBSTRING_UTF8, "Example", -1, -1);
		add(n, "CN", V_ASN1_UTF8STRING, "ali\0ce", 6, -1);
		client(x);
	});
	CASE("nulsan", "1009", {
		add(n, "CN", MBSTRING_UTF8, "x", -1, -1);
		g = GENERAL_NAMES_new();
		san(g, GEN_EMAIL, "alice@example.com\0.evil", 24);
		client(x);
	});
	CASE("nuldns", "100A0", {
		add(n, "CN", MBSTRING_UTF8, "x", -1, -1);
		g = GENERAL_NAMES_new();
		san(g, GEN_DNS, "good.example\0.evil", 18);
		san(g, GEN_URI, "https://good.example\0.evil/", 27);
		san(g, GEN_EMAIL, "a@good.example\0.evil", 20);
		client(x);
	});
	/* 600 DNS names: PEM under 16384 bytes, its %XX form over */
	CASE("many", "100A1", {
		char	 dns[32];
		int	 i;

		add(n, "CN", MBSTRING_UTF8, "many", -1, -1);
		g = GENERAL_NAMES_new();
		for (i = 0; i < 600; i++) {
			snprintf(dns, sizeof(dns), "h%04d.example.com", i);
			san(g, GEN_DNS, dns, -1);
		}
		client(x);
	});
	CASE("neg", "-1001", {
		add(n, "CN", MBSTRING_UTF8, "neg", -1, -1);
	});
	CASE("zero", "0", {
		add(n, "CN", MBSTRING_UTF8, "zero", -1, -1);
	});
	CASE("ff", "FF", {
		add(n, "CN", MBSTRING_UTF8, "ff", -1, -1);
	});
	CASE("big", "7F0102030405060708090A0B0C0D0E0F10111213", {
		add(n, "CN", MBSTRING_UTF8, "big", -1, -1);
	});
	CASE("s100100", "100100", {
		add(n, "CN", MBSTRING_UTF8, "s100100", -1, -1);
	});
	CASE("look", "100A", {
		add(n, "O", MBSTRING_UTF8, "Example", -1, -1);
		add(n, "CN", V_ASN1_UTF8STRING, "\xd0\xb0lice", -1, -1);
		client(x);
	});
	CASE("san", "100B", {
		add(n, "DC", MBSTRING_UTF8, "com", -1, -1);
		add(n, "DC", MBSTRING_UTF8, "example", -1, -1);
		add(n, "C", MBSTRING_UTF8, "US", -1, -1);
		add(n, "ST", MBSTRING_UTF8, "CA", -1, -1);
		add(n, "L", MBSTRING_UTF8, "Town", -1, -1);
		add(n, "CN", MBSTRING_UTF8, "svc", -1, -1);
		add(n, "serialNumber", MBSTRING_UTF8, "SN42", -1, -1);
		add(n, "emailAddress", MBSTRING_ASC, "svc@example.com", -1, -1);
		add(n, "1.2.3.4", V_ASN1_UTF8STRING, "abc", -1, -1);
		g = GENERAL_NAMES_new();
		san(g, GEN_DNS, "svc.example.com", -1);
		san(g, GEN_URI, "spiffe://example.com/ns/prod", -1);
		san(g, GEN_IPADD, "192.0.2.1", -1);
		san(g, GEN_IPADD, "2001:db8::1", -1);
		san(g, GEN_EMAIL, "ops@Example.COM", -1);
		ext(x, NID_basic_constraints, "CA:FALSE");
		ext(x, NID_ext_key_usage, "clientAuth,serverAuth,1.3.6.1.4.1.99999.1");
	});
	CASE("special", "100C", {
		add(n, "O", V_ASN1_UTF8STRING, "#lead", -1, -1);
		add(n, "OU", V_ASN1_UTF8STRING, " sp,+\"\\<>;=/#\x01\x7f end ", -1, -1);
		add(n, "CN", V_ASN1_UTF8STRING, "a b", -1, -1);
		client(x);
	});
	CASE("cacert", "100D", {
		add(n, "CN", MBSTRING_UTF8, "subca", -1, -1);
		ext(x, NID_basic_constraints, "critical,CA:TRUE");
	});
	CASE("dupext", "100E", {
		add(n, "CN", MBSTRING_UTF8, "dupext", -1, -1);
		ext(x, NID_ext_key_usage, "clientAuth");
		ext(x, NID_ext_key_usage, "serverAuth");
	});
	CASE("empty", "100F", {
		(void)n;
		client(x);
	});
	X509_free(ca);
	EVP_PKEY_free(key);
	return 0;
}
