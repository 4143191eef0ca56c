/*
 * cert.c: SSL_CLIENT_CERT -> struct cert_info, and the optional CA store.
 *
 * cert_decode() accepts exactly the forms of certauthzd(8), PARAMS, and
 * nothing else.  It decodes the base64 itself (OpenSSL 3.0's PEM reader
 * costs far more and contends across threads) and parses the DER with
 * OpenSSL's ASN.1 decoder, through the template CERT_LITE below: an
 * X.509 certificate whose SubjectPublicKeyInfo is kept as an algorithm
 * and a bit string.
 * A decision never needs the key (the web server verified the chain),
 * and decoding it is 95 % of what d2i_X509() costs in OpenSSL 3.0
 * (about 90 us of 92 us for RSA-2048 here).  Only cert_store_verify(),
 * which checks a chain against ca_file, makes a full X509.
 *
 * What d2i_X509() and X509_check_ca() would say about the extensions is
 * done here, stricter where it differs (cert_extensions()).  Every value
 * a policy can match is then copied out as plain C data; no OpenSSL
 * type leaves this file.  Any doubt is an error, never a guess.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/asn1t.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "authz.h"
#include "names.h"

#define PEM_BEGIN	"-----BEGIN CERTIFICATE-----"
#define PEM_END		"-----END CERTIFICATE-----"
#define PEM_BEGIN_ESC	"-----BEGIN%20CERTIFICATE-----"

#define CERT_EXT_MAX	64	/* extensions in one certificate (a CA's
				   client certificates carry about 10) */

struct cert_store {
	X509_STORE	*store;
	int		 ncrl;		/* CRLs loaded from crl_file */
	time_t		 crl_last;	/* the oldest lastUpdate among them */
	time_t		 crl_next;	/* the earliest nextUpdate; 0: none */
	int		 stale_warn;	/* crl_stale = "warn" */
};

/*
 * RFC 5280 4.1, as OpenSSL's own X509 template (crypto/x509/x_x509.c,
 * x_pubkey.c) has it, but for the key: SubjectPublicKeyInfo is parsed
 * as SEQUENCE { AlgorithmIdentifier, BIT STRING } and not decoded, and
 * its encoding is kept (enc) for the spki digest.
 */
typedef struct {
	X509_ALGOR		*algor;
	ASN1_BIT_STRING		*key;
	ASN1_ENCODING		 enc;
} CERT_SPKI;

typedef struct {
	ASN1_INTEGER		*version;	/* absent: v1 */
	ASN1_INTEGER		*serial;
	X509_ALGOR		*sigalg;
	X509_NAME		*issuer;
	X509_VAL		*validity;
	X509_NAME		*subject;
	CERT_SPKI		*spki;
	ASN1_BIT_STRING		*issuer_uid;
	ASN1_BIT_STRING		*subject_uid;
	STACK_OF(X509_EXTENSION) *extensions;
} CERT_TBS;

typedef struct {
	CERT_TBS		*tbs;
	X509_ALGOR		*sigalg;
	ASN1_BIT_STRING		*signature;
} CERT_LITE;

ASN1_SEQUENCE_enc(CERT_SPKI, enc, NULL) = {
	ASN1_SIMPLE(CERT_SPKI, algor, X509_ALGOR),
	ASN1_SIMPLE(CERT_SPKI, key, ASN1_BIT_STRING)
} static_ASN1_SEQUENCE_END_ref(CERT_SPKI, CERT_SPKI)

ASN1_SEQUENCE(CERT_TBS) = {
	ASN1_EXP_OPT(CERT_TBS, version, ASN1_INTEGER, 0),
	ASN1_SIMPLE(CERT_TBS, serial, ASN1_INTEGER),
	ASN1_SIMPLE(CERT_TBS, sigalg, X509_ALGOR),
	ASN1_SIMPLE(CERT_TBS, issuer, X509_NAME),
	ASN1_SIMPLE(CERT_TBS, validity, X509_VAL),
	ASN1_SIMPLE(CERT_TBS, subject, X509_NAME),
	ASN1_SIMPLE(CERT_TBS, spki, CERT_SPKI),
	ASN1_IMP_OPT(CERT_TBS, issuer_uid, ASN1_BIT_STRING, 1),
	ASN1_IMP_OPT(CERT_TBS, subject_uid, ASN1_BIT_STRING, 2),
	ASN1_EXP_SEQUENCE_OF_OPT(CERT_TBS, extensions, X509_EXTENSION, 3)
} static_ASN1_SEQUENCE_END(CERT_TBS)

ASN1_SEQUENCE(CERT_LITE) = {
	ASN1_SIMPLE(CERT_LITE, tbs, CERT_TBS),
	ASN1_SIMPLE(CERT_LITE, sigalg, X509_ALGOR),
	ASN1_SIMPLE(CERT_LITE, signature, ASN1_BIT_STRING)
} static_ASN1_SEQUENCE_END(CERT_LITE)

static const signed char cert_b64[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6,
	['G'] = 7, ['H'] = 8, ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12,
	['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17,
	['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22,
	['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26,
	['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31,
	['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36,
	['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41,
	['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46,
	['u'] = 47, ['v'] = 48, ['w'] = 49, ['x'] = 50, ['y'] = 51,
	['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
	['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61,
	['9'] = 62, ['+'] = 63, ['/'] = 64
};	/* value + 1; 0 is not base64 */

/*
 * Decodes base64 from s, skipping the line breaks of PEM when pem is
 * set (LF, CRLF, and nginx's TAB after a newline).  Padding is
 * required; nothing may follow it.  Writes at most 3 * len / 4 bytes to
 * out.  Returns the length, or -1 with *reason.
 */
static long
cert_base64(const char *s, size_t len, int pem, unsigned char *out,
    const char **reason)
{
	uint32_t	 acc = 0;
	size_t		 i, n = 0, pad = 0;
	long		 o = 0;
	unsigned char	 c;
	int		 v;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (pem && (c == '\n' || (c == '\r' && i + 1 < len &&
		    s[i + 1] == '\n') || (c == '\t' && i > 0 &&
		    s[i - 1] == '\n')))
			continue;
		if (c == '=') {
			if (++pad > 2 || n % 4 < 2)
				goto bad;
			n++;
			continue;
		}
		if (pad > 0 || (v = cert_b64[c]) == 0)
			goto bad;
		acc = acc << 6 | (uint32_t)(v - 1);
		if (++n % 4 == 0) {
			out[o++] = (unsigned char)(acc >> 16);
			out[o++] = (unsigned char)(acc >> 8);
			out[o++] = (unsigned char)acc;
			acc = 0;
		}
	}
	if (n == 0 || n % 4 != 0)
		goto bad;
	if (pad == 2) {
		if (acc & 0xf)
			goto bad;	/* non-canonical trailing bits */
		out[o++] = (unsigned char)(acc >> 4);
	} else if (pad == 1) {
		if (acc & 0x3)
			goto bad;
		out[o++] = (unsigned char)(acc >> 10);
		out[o++] = (unsigned char)(acc >> 2);
	}
	return o;
 bad:
	*reason = "bad base64 in certificate";
	return -1;
}

/*
 * Undoes nginx's $ssl_client_escaped_cert: %XX escapes; '+' is a plus.
 * out holds len bytes.  Returns the length, or -1 with *reason.
 */
static long
cert_unescape(const char *s, size_t len, char *out, const char **reason)
{
	size_t	 i;
	long	 o = 0;
	int	 hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] != '%') {
			out[o++] = s[i];
			continue;
		}
		if (i + 2 >= len || (hi = names_hexval(s[i + 1])) < 0 ||
		    (lo = names_hexval(s[i + 2])) < 0 || (hi == 0 && lo == 0)) {
			*reason = "bad %XX escape in certificate";
			return -1;
		}
		out[o++] = (char)(hi << 4 | lo);
		i += 2;
	}
	return o;
}

static int
cert_isspace(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Finds the base64 between the PEM armour of s: exactly one
 * certificate, nothing before it, only white space after it.
 */
static int
cert_pem_body(const char *s, size_t len, const char **body, size_t *blen,
    const char **reason)
{
	const char	*end;
	size_t		 bl = sizeof(PEM_BEGIN) - 1, el = sizeof(PEM_END) - 1;
	size_t		 i, e;

	if (len < bl || memcmp(s, PEM_BEGIN, bl) != 0) {
		*reason = "text before the certificate";
		return -1;
	}
	/* The last END line; the body must hold no other armour. */
	for (e = len; e > bl && cert_isspace((unsigned char)s[e - 1]);)
		e--;
	if (e < bl + el || memcmp(s + e - el, PEM_END, el) != 0) {
		*reason = "text after the certificate";
		return -1;
	}
	end = s + e - el;
	for (i = bl; s + i < end; i++)
		if (s[i] == '-') {
			*reason = "more than one PEM block";
			return -1;
		}
	*body = s + bl;
	*blen = (size_t)(end - *body);
	/* nginx's $ssl_client_cert puts a TAB before END as well. */
	if (*blen >= 2 && (*body)[*blen - 1] == '\t' &&
	    (*body)[*blen - 2] == '\n')
		(*blen)--;
	/* The armour lines end in a newline. */
	if (*blen < 2 || ((*body)[0] != '\n' && ((*body)[0] != '\r' ||
	    (*body)[1] != '\n')) || (*body)[*blen - 1] != '\n') {
		*reason = "malformed PEM armour";
		return -1;
	}
	return 0;
}

static void
cert_strlist_free(struct strlist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	free(l->len);
	l->v = NULL;
	l->len = NULL;
	l->n = 0;
}

/* Appends a copy of the len bytes of s.  Returns 0, -1 on ENOMEM. */
static int
cert_strlist_add(struct strlist *l, const char *s, size_t len)
{
	char	**v, *p;
	size_t	 *n;

	if ((p = malloc(len + 1)) == NULL)
		return -1;
	memcpy(p, s, len);
	p[len] = '\0';
	if ((v = reallocarray(l->v, l->n + 1, sizeof(*v))) == NULL) {
		free(p);
		return -1;
	}
	l->v = v;
	if ((n = reallocarray(l->len, l->n + 1, sizeof(*n))) == NULL) {
		free(p);
		return -1;
	}
	l->len = n;
	l->len[l->n] = len;
	l->v[l->n++] = p;
	return 0;
}

void
cert_free(struct cert_info *ci)
{
	if (ci == NULL)
		return;
	dn_free(&ci->subject);
	dn_free(&ci->issuer);
	free(ci->subject_str);
	free(ci->issuer_str);
	cert_strlist_free(&ci->san_email);
	cert_strlist_free(&ci->subject_email);
	cert_strlist_free(&ci->dns);
	cert_strlist_free(&ci->uri);
	cert_strlist_free(&ci->ip);
	cert_strlist_free(&ci->eku);
	cert_strlist_free(&ci->eku_oid);
	free(ci->der);
	free(ci);
}

/* Serial as i2a_ASN1_INTEGER prints it (Apache, nginx): "-" and hex bytes. */
static const char *
cert_serial(const ASN1_INTEGER *ai, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *d = ASN1_STRING_get0_data(ai);
	int		 i = 0, n = ASN1_STRING_length(ai);
	char		*p = out;

	while (i < n - 1 && d[i] == 0)
		i++;
	if (n - i > AUTHZ_SERIAL_MAX || (size_t)(2 * (n - i) + 2) > size)
		return "serial too long";
	if (ASN1_STRING_type(ai) == V_ASN1_NEG_INTEGER)
		*p++ = '-';
	if (n == 0)
		*p++ = '0', *p++ = '0';
	for (; i < n; i++) {
		*p++ = hex[d[i] >> 4];
		*p++ = hex[d[i] & 0xf];
	}
	*p = '\0';
	return NULL;
}

/*
 * Keeps in a the bytes X509_NAME_oneline() prints for the string v
 * (crypto/x509/x509_obj.c), when they are not a's UTF-8 value: its
 * data, but for a GeneralString whose length is a multiple of 4 and
 * whose bytes other than every fourth are zero, of which it prints only
 * every fourth.  Returns NULL, or what failed.
 */
static const char *
cert_name_raw(const ASN1_STRING *v, struct dn_ava *a)
{
	const unsigned char *d = ASN1_STRING_get0_data(v);
	size_t		 i, n = (size_t)ASN1_STRING_length(v), o = 0;
	int		 every4 = 0;

	if (ASN1_STRING_type(v) == V_ASN1_UTF8STRING)
		return NULL;
	if (ASN1_STRING_type(v) == V_ASN1_GENERALSTRING && n % 4 == 0) {
		every4 = 1;
		for (i = 0; i < n && every4; i++)
			every4 = i % 4 == 3 || d[i] == 0;
	}
	if (!every4 && n == a->len && memcmp(d, a->value, n) == 0)
		return NULL;
	if ((a->raw = malloc(n + 1)) == NULL)
		return "out of memory";
	for (i = 0; i < n; i++)
		if (!every4 || i % 4 == 3)
			a->raw[o++] = (char)d[i];
	a->raw[o] = '\0';
	a->rawlen = o;
	return NULL;
}

/* Copies name into dn (certificate order), setting CERT_F_* for the subject. */
static const char *
cert_name(const X509_NAME *name, struct dn *dn, unsigned int *flags,
    struct strlist *emails)
{
	const X509_NAME_ENTRY *ne;
	struct dn_rdn	*r;
	struct dn_ava	*a;
	unsigned char	*utf = NULL;
	char		 oid[128];
	const char	*sn, *reason;
	int		 i, n, set = -1, len, nid, ncn = 0;

	n = X509_NAME_entry_count(name);
	for (i = 0; i < n; i++) {
		ne = X509_NAME_get_entry(name, i);
		if (X509_NAME_ENTRY_set(ne) == set &&
		    dn->rdn[dn->nrdn - 1].nava >= AUTHZ_RDN_MAX)
			return "too many values in one RDN";
		if (X509_NAME_ENTRY_set(ne) != set) {
			set = X509_NAME_ENTRY_set(ne);
			if ((r = reallocarray(dn->rdn, dn->nrdn + 1,
			    sizeof(*r))) == NULL)
				return "out of memory";
			dn->rdn = r;
			dn->rdn[dn->nrdn].ava = NULL;
			dn->rdn[dn->nrdn++].nava = 0;
		}
		r = &dn->rdn[dn->nrdn - 1];
		if ((a = reallocarray(r->ava, r->nava + 1, sizeof(*a))) == NULL)
			return "out of memory";
		r->ava = a;
		a = &r->ava[r->nava];
		memset(a, 0, sizeof(*a));
		nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(ne));
		len = OBJ_obj2txt(oid, sizeof(oid),
		    X509_NAME_ENTRY_get_object(ne), 1);
		if (len <= 0 || (size_t)len >= sizeof(oid))
			return "bad attribute OID in name";
		sn = nid == NID_undef ? oid : OBJ_nid2sn(nid);
		if ((len = ASN1_STRING_to_UTF8(&utf,
		    X509_NAME_ENTRY_get_data(ne))) < 0)
			return "bad attribute value in name";
		a->oid = strdup(oid);
		a->name = strdup(sn);
		a->value = malloc((size_t)len + 1);
		if (a->oid == NULL || a->name == NULL || a->value == NULL) {
			r->nava++;	/* so that dn_free() frees it */
			OPENSSL_free(utf);
			return "out of memory";
		}
		memcpy(a->value, utf, (size_t)len);
		a->value[len] = '\0';
		a->len = (size_t)len;
		r->nava++;
		OPENSSL_free(utf);
		utf = NULL;
		if ((reason = cert_name_raw(X509_NAME_ENTRY_get_data(ne),
		    a)) != NULL)
			return reason;
		if (flags == NULL)
			continue;
		if (memchr(a->value, '\0', a->len) != NULL)
			*flags |= CERT_F_NUL;
		if (nid == NID_commonName && ++ncn > 1)
			*flags |= CERT_F_MULTI_CN;
		if (nid == NID_pkcs9_emailAddress &&
		    cert_strlist_add(emails, a->value, a->len) == -1)
			return "out of memory";
	}
	return NULL;
}

/* Copies the emails, DNS names, URIs and IP addresses of gens. */
static const char *
cert_san(const GENERAL_NAMES *gens, struct cert_info *ci)
{
	const GENERAL_NAME *g;
	struct strlist	*l;
	const unsigned char *d;
	char		 ip[INET6_ADDRSTRLEN];
	const char	*reason = NULL;
	int		 i, len;

	for (i = 0; i < sk_GENERAL_NAME_num(gens) && reason == NULL; i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		switch (g->type) {
		case GEN_EMAIL:
			l = &ci->san_email;
			break;
		case GEN_DNS:
			l = &ci->dns;
			break;
		case GEN_URI:
			l = &ci->uri;
			break;
		case GEN_IPADD:
			d = ASN1_STRING_get0_data(g->d.iPAddress);
			len = ASN1_STRING_length(g->d.iPAddress);
			if ((len != 4 && len != 16) || inet_ntop(len == 4 ?
			    AF_INET : AF_INET6, d, ip, sizeof(ip)) == NULL)
				reason = "bad IP address in subjectAltName";
			else if (cert_strlist_add(&ci->ip, ip, strlen(ip)) == -1)
				reason = "out of memory";
			continue;
		default:
			continue;
		}
		/* rfc822Name, dNSName and URI are all IA5String. */
		d = ASN1_STRING_get0_data(g->d.ia5);
		len = ASN1_STRING_length(g->d.ia5);
		if (memchr(d, '\0', (size_t)len) != NULL)
			ci->flags |= CERT_F_NUL;
		if (cert_strlist_add(l, (const char *)d, (size_t)len) == -1)
			reason = "out of memory";
	}
	return reason;
}

/* Copies the usages of eku, by name and dotted. */
static const char *
cert_eku(const EXTENDED_KEY_USAGE *eku, struct cert_info *ci)
{
	const ASN1_OBJECT *obj;
	char		 oid[128];
	const char	*reason = NULL, *p;
	int		 i, nid, len;

	ci->has_eku = 1;
	for (i = 0; i < sk_ASN1_OBJECT_num(eku) && reason == NULL; i++) {
		obj = sk_ASN1_OBJECT_value(eku, i);
		len = OBJ_obj2txt(oid, sizeof(oid), obj, 1);
		if (len <= 0 || (size_t)len >= sizeof(oid)) {
			reason = "bad extendedKeyUsage";
			break;
		}
		nid = OBJ_obj2nid(obj);
		ci->eku_client |= nid == NID_client_auth;
		p = nid == NID_undef ? oid : OBJ_nid2sn(nid);
		if (cert_strlist_add(&ci->eku, p, strlen(p)) == -1 ||
		    cert_strlist_add(&ci->eku_oid, oid, (size_t)len) == -1)
			reason = "out of memory";
	}
	return reason;
}

/*
 * A DistributionPoint names where the CRL is or who issues it (RFC 5280
 * 4.2.1.13); OpenSSL calls a certificate with neither invalid.
 */
static const char *
cert_crldp(const CRL_DIST_POINTS *dps)
{
	const DIST_POINT	*dp;
	int			 i;

	for (i = 0; i < sk_DIST_POINT_num(dps); i++) {
		dp = sk_DIST_POINT_value(dps, i);
		if (dp->distpoint == NULL &&
		    sk_GENERAL_NAME_num(dp->CRLissuer) <= 0)
			return "invalid CRL distribution point";
	}
	return NULL;
}

/* Frees what X509V3_EXT_d2i() returned for an extension of method m. */
static void
cert_ext_free(const X509V3_EXT_METHOD *m, void *v)
{
	if (v == NULL)
		return;
	if (m->it != NULL)
		ASN1_item_free(v, ASN1_ITEM_ptr(m->it));
	else
		m->ext_free(v);
}

/*
 * Checks the extensions of tbs and copies SANs and EKUs into ci.  Where
 * OpenSSL would set EXFLAG_INVALID (crypto/x509/v3_purp.c) this refuses,
 * and more strictly: a certificate below v3 with extensions, an
 * extension that appears twice, any extension OpenSSL knows that does
 * not decode, a pathLenConstraint without CA:TRUE, a keyUsage without a
 * usage, a proxy certificate, more than CERT_EXT_MAX extensions.
 * ci->is_ca is X509_check_ca() or stricter: basicConstraints decides
 * when present (CA:TRUE is a CA even when keyUsage lacks keyCertSign,
 * which OpenSSL would call no CA); without it, a v1 self-issued
 * certificate (OpenSSL's v1 root, without its signature heuristic), a
 * keyUsage with keyCertSign, or a Netscape CA cert type (5-7: SSL,
 * S/MIME, object-signing CA) make one.
 */
static const char *
cert_extensions(const CERT_TBS *tbs, long version, struct cert_info *ci)
{
	const STACK_OF(X509_EXTENSION) *exts = tbs->extensions;
	const X509V3_EXT_METHOD *m;
	X509_EXTENSION	*ext;
	BASIC_CONSTRAINTS *bc = NULL;
	ASN1_BIT_STRING	*ku = NULL, *ns = NULL;
	const char	*reason = NULL;
	void		*v;
	int		 i, j, n, nid;

	n = sk_X509_EXTENSION_num(exts);
	if (n > 0 && version != 2)
		return "extensions in a certificate below v3";
	/* the duplicate check below is quadratic */
	if (n > CERT_EXT_MAX)
		return "too many certificate extensions";
	for (i = 0; i < n && reason == NULL; i++) {
		ext = sk_X509_EXTENSION_value(exts, i);
		for (j = 0; j < i && reason == NULL; j++)
			if (OBJ_cmp(X509_EXTENSION_get_object(ext),
			    X509_EXTENSION_get_object(
			    sk_X509_EXTENSION_value(exts, j))) == 0)
				reason = "duplicate certificate extension";
		if (reason != NULL || (m = X509V3_EXT_get(ext)) == NULL)
			continue;	/* unknown to OpenSSL: kept opaque */
		if ((v = X509V3_EXT_d2i(ext)) == NULL) {
			reason = "invalid certificate extensions";
			continue;
		}
		nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
		switch (nid) {
		case NID_subject_alt_name:
			reason = cert_san(v, ci);
			break;
		case NID_ext_key_usage:
			reason = cert_eku(v, ci);
			break;
		case NID_basic_constraints:
			bc = v;
			if (bc->pathlen != NULL && (!bc->ca ||
			    ASN1_INTEGER_get(bc->pathlen) < 0))
				reason = "invalid certificate extensions";
			continue;	/* freed below */
		case NID_key_usage:
			ku = v;
			/* RFC 5280 4.2.1.3: at least one bit (OpenSSL: the
			 * first 16, after it cleared the unused ones) */
			if ((ku->length < 1 || ku->data[0] == 0) &&
			    (ku->length < 2 || ku->data[1] == 0))
				reason = "empty keyUsage";
			continue;
		case NID_proxyCertInfo:
			/* nginx and Apache refuse them unless told otherwise */
			reason = "proxy certificate";
			break;
		case NID_crl_distribution_points:
			reason = cert_crldp(v);
			break;
		case NID_netscape_cert_type:
			ns = v;
			continue;
		}
		cert_ext_free(m, v);
	}
	if (reason == NULL && bc != NULL)
		ci->is_ca = bc->ca != 0;
	else if (reason == NULL)
		ci->is_ca = (version == 0 && X509_NAME_cmp(tbs->subject,
		    tbs->issuer) == 0) ||
		    (ku != NULL && ASN1_BIT_STRING_get_bit(ku, 5)) ||
		    (ns != NULL && (ASN1_BIT_STRING_get_bit(ns, 5) ||
		    ASN1_BIT_STRING_get_bit(ns, 6) ||
		    ASN1_BIT_STRING_get_bit(ns, 7)));
	BASIC_CONSTRAINTS_free(bc);
	ASN1_BIT_STRING_free(ku);
	ASN1_BIT_STRING_free(ns);
	return reason;
}

static const char *
cert_time(const ASN1_TIME *t, time_t *out)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return "bad validity time";
	*out = timegm(&tm);
	return NULL;
}

/* Fills ci from the certificate c, whose DER ci->der already holds. */
static const char *
cert_extract(const CERT_LITE *c, struct cert_info *ci)
{
	static const char hex[] = "0123456789abcdef";
	const CERT_TBS	*tbs = c->tbs;
	const char	*reason;
	unsigned char	 spki[32];
	long		 version = 0;
	size_t		 i;

	if (tbs->version != NULL &&
	    ((version = ASN1_INTEGER_get(tbs->version)) < 0 || version > 2))
		return "bad certificate version";
	if ((reason = cert_serial(tbs->serial, ci->serial,
	    sizeof(ci->serial))) != NULL ||
	    (reason = cert_name(tbs->subject, &ci->subject,
	    &ci->flags, &ci->subject_email)) != NULL ||
	    (reason = cert_name(tbs->issuer, &ci->issuer,
	    NULL, NULL)) != NULL ||
	    (reason = cert_extensions(tbs, version, ci)) != NULL ||
	    (reason = cert_time(tbs->validity->notBefore,
	    &ci->not_before)) != NULL ||
	    (reason = cert_time(tbs->validity->notAfter,
	    &ci->not_after)) != NULL)
		return reason;
	if ((ci->subject_str = dn_render(&ci->subject)) == NULL ||
	    (ci->issuer_str = dn_render(&ci->issuer)) == NULL)
		return "out of memory";
	/* the SubjectPublicKeyInfo as the certificate encodes it */
	if (tbs->spki->enc.enc == NULL || tbs->spki->enc.len <= 0)
		return "no SubjectPublicKeyInfo encoding";
	if (!EVP_Digest(ci->der, ci->derlen, ci->sha256, NULL, EVP_sha256(),
	    NULL) || !EVP_Digest(tbs->spki->enc.enc,
	    (size_t)tbs->spki->enc.len, spki, NULL, EVP_sha256(), NULL))
		return "SHA-256 failed";
	for (i = 0; i < sizeof(ci->sha256); i++) {
		ci->fingerprint[2 * i] = hex[ci->sha256[i] >> 4];
		ci->fingerprint[2 * i + 1] = hex[ci->sha256[i] & 0xf];
		ci->spki[2 * i] = hex[spki[i] >> 4];
		ci->spki[2 * i + 1] = hex[spki[i] & 0xf];
	}
	ci->fingerprint[64] = '\0';
	ci->spki[64] = '\0';
	return NULL;
}

/*
 * The longest form a certificate of max DER bytes is forwarded in: its
 * base64, two bytes of line break (CRLF, or nginx's LF and TAB) after
 * every 16 characters (OpenSSL writes 64), 256 bytes of armour and
 * trailing white space, and all of that %XX-escaped, 3 bytes for 1.
 */
size_t
cert_encoded_max(size_t max)
{
	size_t	 b64 = (max + 2) / 3 * 4;

	return 3 * (b64 + b64 / 8 + 256);
}

struct cert_info *
cert_decode(const char *s, size_t len, size_t max, const char **reason)
{
	struct cert_info *ci = NULL;
	CERT_LITE	*c = NULL;
	const unsigned char *p;
	const char	*body;
	char		*unesc = NULL;
	size_t		 blen;
	long		 n;
	int		 pem;

	*reason = NULL;
	/* no form of a certificate of max DER bytes is this long */
	if (len > cert_encoded_max(max)) {
		*reason = "oversized certificate";
		return NULL;
	}
	if (len == 0) {
		*reason = "empty certificate";
		return NULL;
	}
	if (memchr(s, '\0', len) != NULL) {
		*reason = "NUL byte in certificate";
		return NULL;
	}
	if (len >= sizeof(PEM_BEGIN_ESC) - 1 &&
	    memcmp(s, PEM_BEGIN_ESC, sizeof(PEM_BEGIN_ESC) - 1) == 0) {
		if ((unesc = malloc(len)) == NULL) {
			*reason = "out of memory";
			return NULL;
		}
		if ((n = cert_unescape(s, len, unesc, reason)) == -1)
			goto fail;
		s = unesc;
		len = (size_t)n;
	}
	if ((pem = s[0] == '-')) {
		if (cert_pem_body(s, len, &body, &blen, reason) == -1)
			goto fail;
	} else if (s[0] == ':') {
		/* RFC 9440: ":" base64 ":" */
		if (len < 2 || s[len - 1] != ':') {
			*reason = "malformed :base64: certificate";
			goto fail;
		}
		body = s + 1;
		blen = len - 2;
	} else {
		body = s;
		blen = len;
	}
	if ((ci = calloc(1, sizeof(*ci))) == NULL ||
	    (ci->der = malloc(blen / 4 * 3 + 3)) == NULL) {
		*reason = "out of memory";
		goto fail;
	}
	if ((n = cert_base64(body, blen, pem, ci->der, reason)) == -1)
		goto fail;
	if ((size_t)n > max) {
		*reason = "oversized certificate";
		goto fail;
	}
	ci->derlen = (size_t)n;
	p = ci->der;
	if ((c = (CERT_LITE *)ASN1_item_d2i(NULL, &p, n,
	    ASN1_ITEM_rptr(CERT_LITE))) == NULL) {
		*reason = "certificate does not parse";
		goto fail;
	}
	if (p != ci->der + ci->derlen) {
		*reason = "trailing bytes after the certificate";
		goto fail;
	}
	if ((*reason = cert_extract(c, ci)) != NULL)
		goto fail;
	ASN1_item_free((ASN1_VALUE *)c, ASN1_ITEM_rptr(CERT_LITE));
	free(unesc);
	return ci;
 fail:
	ASN1_item_free((ASN1_VALUE *)c, ASN1_ITEM_rptr(CERT_LITE));
	free(unesc);
	cert_free(ci);
	return NULL;
}

/* An ASN1_TIME as seconds since the epoch; 0 when unreadable. */
static time_t
cert_asn1_time(const ASN1_TIME *t)
{
	struct tm	 tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return timegm(&tm);
}

/* Records the oldest lastUpdate and earliest nextUpdate of cs's CRLs. */
static void
cert_store_crl_times(struct cert_store *cs)
{
	STACK_OF(X509_OBJECT)	*objs = X509_STORE_get0_objects(cs->store);
	X509_CRL		*crl;
	time_t			 last, next;
	int			 i;

	for (i = 0; i < sk_X509_OBJECT_num(objs); i++) {
		if ((crl = X509_OBJECT_get0_X509_CRL(
		    sk_X509_OBJECT_value(objs, i))) == NULL)
			continue;
		last = cert_asn1_time(X509_CRL_get0_lastUpdate(crl));
		next = cert_asn1_time(X509_CRL_get0_nextUpdate(crl));
		if (cs->ncrl == 0 || last < cs->crl_last)
			cs->crl_last = last;
		if (next != 0 && (cs->crl_next == 0 || next < cs->crl_next))
			cs->crl_next = next;
		cs->ncrl++;
	}
}

int
cert_store_crl(const struct cert_store *cs, time_t *last, time_t *next)
{
	if (cs == NULL || cs->ncrl == 0)
		return 0;
	*last = cs->crl_last;
	*next = cs->crl_next;
	return 1;
}

struct cert_store *
cert_store_load(const char *ca, const char *crl, const char **reason)
{
	struct cert_store *cs;
	X509_LOOKUP	*lu;

	*reason = NULL;
	if ((cs = calloc(1, sizeof(*cs))) == NULL ||
	    (cs->store = X509_STORE_new()) == NULL) {
		*reason = "out of memory";
		goto fail;
	}
	if (ca == NULL || (lu = X509_STORE_add_lookup(cs->store,
	    X509_LOOKUP_file())) == NULL ||
	    X509_load_cert_file(lu, ca, X509_FILETYPE_PEM) <= 0) {
		*reason = "cannot load the CA file";
		goto fail;
	}
	if (crl != NULL) {
		if (X509_load_crl_file(lu, crl, X509_FILETYPE_PEM) <= 0) {
			*reason = "cannot load the CRL file";
			goto fail;
		}
		X509_STORE_set_flags(cs->store, X509_V_FLAG_CRL_CHECK);
		cert_store_crl_times(cs);
	}
	/*
	 * Every certificate in ca_file is a trust anchor, an intermediate
	 * too: the file says which CAs this policy trusts.
	 */
	X509_STORE_set_flags(cs->store, X509_V_FLAG_PARTIAL_CHAIN);
	return cs;
 fail:
	cert_store_free(cs);
	return NULL;
}

void
cert_store_crl_stale(struct cert_store *cs, int warn)
{
	cs->stale_warn = warn;
}

/*
 * The verify callback of crl_stale = "warn": a CRL past its nextUpdate
 * is used all the same (OpenSSL goes on to check the certificate
 * against it), every other error stays one.
 */
static int
cert_store_stale_ok(int ok, X509_STORE_CTX *ctx)
{
	if (!ok && X509_STORE_CTX_get_error(ctx) == X509_V_ERR_CRL_HAS_EXPIRED)
		return 1;
	return ok;
}

int
cert_store_verify(const struct cert_store *cs, const struct cert_info *ci,
    time_t now, const char **reason)
{
	X509_STORE_CTX	*ctx = NULL;
	X509		*x = NULL;
	const unsigned char *p = ci->der;
	int		 ok = 0;

	*reason = "certificate verification failed";
	if ((x = d2i_X509(NULL, &p, (long)ci->derlen)) == NULL ||
	    (ctx = X509_STORE_CTX_new()) == NULL ||
	    !X509_STORE_CTX_init(ctx, cs->store, x, NULL) ||
	    !X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT))
		goto fail;
	X509_STORE_CTX_set_time(ctx, 0, now);
	if (cs->stale_warn)
		X509_STORE_CTX_set_verify_cb(ctx, cert_store_stale_ok);
	if (X509_verify_cert(ctx) == 1) {
		ok = 1;
		*reason = NULL;
	} else if (X509_STORE_CTX_get_error(ctx) ==
	    X509_V_ERR_CRL_HAS_EXPIRED)
		*reason = "crl_file is past its nextUpdate (crl_stale = deny)";
	else
		*reason = X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(ctx));
 fail:
	X509_STORE_CTX_free(ctx);
	X509_free(x);
	return ok;
}

void
cert_store_free(struct cert_store *cs)
{
	if (cs == NULL)
		return;
	X509_STORE_free(cs->store);
	free(cs);
}
