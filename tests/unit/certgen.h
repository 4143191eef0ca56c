/*
 * certgen.h: the one certificate builder of the tests.  Every test that
 * needs a certificate the openssl command line cannot make describes it
 * as a row of a case table (struct certgen) and has certgen_make()
 * build it: tests/unit/gencert.c, tests/hostile/gen.c, test_eval.c and
 * the fuzz targets.  Nothing it makes is committed.
 *
 * Every function exits (status 1, a message on stderr) when OpenSSL
 * fails: a test cannot run without its certificates.
 */
#ifndef CERTGEN_H
#define CERTGEN_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* One attribute of the subject, in order; a NULL name ends the list. */
struct certgen_ava {
	const char	*name;		/* "CN", "O", "1.2.3.4", ... */
	int		 type;		/* V_ASN1_UTF8STRING, MBSTRING_UTF8, ... */
	const char	*value;
	size_t		 len;		/* 0: strlen(value) */
	int		 join;		/* 1: joins the previous RDN */
};

/* One extension from an openssl.cnf value; a nid of 0 ends the list. */
struct certgen_ext {
	int		 nid;		/* NID_basic_constraints, ... */
	const char	*value;		/* "critical,CA:FALSE", ... */
};

/* One extension as DER bytes, as it is; a NULL oid ends the list. */
struct certgen_raw {
	const char	*oid;
	const unsigned char *der;
	size_t		 len;
};

/* One subjectAltName entry; a type of 0 (GEN_OTHERNAME) ends the list. */
struct certgen_san {
	int		 type;		/* GEN_EMAIL, GEN_DNS, GEN_URI, GEN_IPADD */
	const char	*value;		/* GEN_IPADD: text, "192.0.2.1" */
	size_t		 len;		/* 0: strlen(value) */
};

enum {
	CERTGEN_V1 = 0x01,		/* version 1 */
	CERTGEN_ISSUER_NAME = 0x02,	/* subject is the issuer's name */
	CERTGEN_DUP_SAN = 0x04		/* subjectAltName twice */
};

/*
 * A certificate, made in this order: version, serial, validity, subject,
 * issuer, key, then the extensions: ext, raw, nprivate private ones,
 * subjectAltName (san, then ndns generated DNS names) last.
 */
struct certgen {
	const char	*name;		/* NAME.pem; NULL ends a table */
	const struct certgen_ava *subject;	/* NULL: an empty name */
	const char	*serial;	/* magnitude bytes in hex, exactly as
					   given: "001003" keeps its 00; "":
					   zero bytes */
	int		 negative;
	long		 start;		/* notBefore: now + start - 1 h */
	long		 days;		/* notAfter: now + start + days (0: 30) */
	int		 flags;		/* CERTGEN_* */
	const struct certgen_ext *ext;
	const struct certgen_raw *raw;
	int		 nprivate;	/* 1.3.6.1.4.1.99999.7.N, each a NULL */
	const struct certgen_san *san;
	int		 ndns;		/* DNS names dnshead NNNN dnstail, */
	const char	*dnshead;	/* NNNN from 0000 to ndns - 1 */
	const char	*dnstail;
};

/* Terminated lists for a table row: .subject = CERTGEN_NAME(...). */
#define CERTGEN_NAME(...)	((const struct certgen_ava[]){ __VA_ARGS__, { NULL, 0, NULL, 0, 0 } })
#define CERTGEN_EXT(...)	((const struct certgen_ext[]){ __VA_ARGS__, { 0, NULL } })
#define CERTGEN_SAN(...)	((const struct certgen_san[]){ __VA_ARGS__, { 0, NULL, 0 } })

/* A new P-256 key. */
EVP_PKEY	*certgen_key(void);

/*
 * Builds c with the public key key, issued by ca and signed with cakey
 * (SHA-256).  With ca NULL the certificate is self-signed: its issuer is
 * its own subject, its signature by cakey.  Returns a new X509.
 */
X509		*certgen_make(const struct certgen *c, X509 *ca, EVP_PKEY *cakey,
		    EVP_PKEY *key);

/* Writes x as DIR/NAME.pem. */
void		 certgen_write(X509 *x, const char *dir, const char *name);

/* Returns x as a malloc'ed, NUL-terminated PEM string. */
char		*certgen_pem(X509 *x);

#endif /* CERTGEN_H */
