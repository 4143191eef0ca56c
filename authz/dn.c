/*
 * dn.c: distinguished names as plain data.
 *
 * Parses the two string forms a policy may use (RFC 4514/2253 and
 * OpenSSL's slash form), compares DNs as certauthz.conf(5) RULES says,
 * renders them in RFC 4514 form the way OpenSSL prints them with
 * XN_FLAG_RFC2253 (minus the escaping of UTF-8 bytes, as Apache does),
 * and checks a DN string a web server forwarded against the DN of the
 * certificate.
 *
 * Attribute names resolve to OIDs through a fixed table of the RFC 4514
 * keywords first (OpenSSL's own table has "uid" for uniqueIdentifier),
 * then OpenSSL's object table; no OpenSSL type leaves this file.
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>

#include "authz.h"
#include "names.h"

#define DN_NAME_MAX	128	/* bytes of an attribute name or OID */

/* Characters RFC 4514 (and OpenSSL) escape with a backslash anywhere. */
#define DN_SPECIALS	",+\"\\<>;"

static void
dn_ava_free(struct dn_ava *a)
{
	free(a->oid);
	free(a->name);
	free(a->value);
	free(a->raw);
}

void
dn_free(struct dn *dn)
{
	size_t	 i, j;

	if (dn == NULL)
		return;
	for (i = 0; i < dn->nrdn; i++) {
		for (j = 0; j < dn->rdn[i].nava; j++)
			dn_ava_free(&dn->rdn[i].ava[j]);
		free(dn->rdn[i].ava);
	}
	free(dn->rdn);
	dn->rdn = NULL;
	dn->nrdn = 0;
}

/* Starts a new, empty RDN at the end of dn.  Returns 0, -1 on ENOMEM. */
static int
dn_add_rdn(struct dn *dn)
{
	struct dn_rdn	*r;

	r = reallocarray(dn->rdn, dn->nrdn + 1, sizeof(*r));
	if (r == NULL)
		return -1;
	dn->rdn = r;
	dn->rdn[dn->nrdn].ava = NULL;
	dn->rdn[dn->nrdn].nava = 0;
	dn->nrdn++;
	return 0;
}

/*
 * Appends an AVA to the last RDN of dn, copying oid, name and the len
 * bytes of value.  Returns 0, -1 on ENOMEM.
 */
static int
dn_add_ava(struct dn *dn, const char *oid, const char *name,
    const char *value, size_t len)
{
	struct dn_rdn	*r = &dn->rdn[dn->nrdn - 1];
	struct dn_ava	*a, ava;

	memset(&ava, 0, sizeof(ava));
	if ((ava.oid = strdup(oid)) == NULL ||
	    (ava.name = strdup(name)) == NULL ||
	    (ava.value = malloc(len + 1)) == NULL)
		goto fail;
	memcpy(ava.value, value, len);
	ava.value[len] = '\0';
	ava.len = len;
	a = reallocarray(r->ava, r->nava + 1, sizeof(*a));
	if (a == NULL)
		goto fail;
	r->ava = a;
	r->ava[r->nava++] = ava;
	return 0;
 fail:
	dn_ava_free(&ava);
	return -1;
}

/* RFC 4514 section 3 keywords, and the names emailAddress goes by. */
static const struct {
	const char	*name, *oid;
} dn_keywords[] = {
	{ "CN", "2.5.4.3" }, { "L", "2.5.4.7" }, { "ST", "2.5.4.8" },
	{ "O", "2.5.4.10" }, { "OU", "2.5.4.11" }, { "C", "2.5.4.6" },
	{ "STREET", "2.5.4.9" }, { "DC", "0.9.2342.19200300.100.1.25" },
	{ "UID", "0.9.2342.19200300.100.1.1" },
	{ "emailAddress", "1.2.840.113549.1.9.1" },
	{ "E", "1.2.840.113549.1.9.1" },
};

#define DN_NKEYWORDS	(sizeof(dn_keywords) / sizeof(dn_keywords[0]))

/*
 * The keywords' dotted OIDs and printed names, resolved through OpenSSL
 * once (dn_keywords_init()): every forwarded DN names them, and asking
 * OpenSSL again cost an OBJ_txt2obj() per attribute per request.
 */
static struct {
	char	 oid[DN_NAME_MAX];
	char	 sn[DN_NAME_MAX];
	int	 ok;
} dn_resolved[DN_NKEYWORDS];
static pthread_once_t	 dn_resolved_once = PTHREAD_ONCE_INIT;

static int	dn_resolve_name(const char *, size_t, char *, size_t, char *,
		    size_t);

static void
dn_keywords_init(void)
{
	size_t	 i;

	for (i = 0; i < DN_NKEYWORDS; i++)
		dn_resolved[i].ok = dn_resolve_name(dn_keywords[i].oid,
		    strlen(dn_keywords[i].oid), dn_resolved[i].oid,
		    sizeof(dn_resolved[i].oid), dn_resolved[i].sn,
		    sizeof(dn_resolved[i].sn)) == 0;
}

/*
 * Resolves an attribute name (an RFC 4514 keyword, OpenSSL's short or
 * long name, any case, or a dotted OID) to its dotted OID and the name
 * OpenSSL prints for it.  Returns 0, or -1 when the name is unknown or
 * malformed.
 */
static int
dn_resolve(const char *s, size_t len, char *oid, size_t oidsz,
    char *sn, size_t snsz)
{
	char		 name[DN_NAME_MAX];
	size_t		 i;

	if (len == 0 || len >= sizeof(name))
		return -1;
	memcpy(name, s, len);
	name[len] = '\0';
	for (i = 0; i < DN_NKEYWORDS; i++) {
		if (strcasecmp(name, dn_keywords[i].name) != 0)
			continue;
		pthread_once(&dn_resolved_once, dn_keywords_init);
		if (!dn_resolved[i].ok ||
		    strlen(dn_resolved[i].oid) >= oidsz ||
		    strlen(dn_resolved[i].sn) >= snsz)
			return -1;
		strcpy(oid, dn_resolved[i].oid);
		strcpy(sn, dn_resolved[i].sn);
		return 0;
	}
	return dn_resolve_name(name, len, oid, oidsz, sn, snsz);
}

/* dn_resolve() of a name that is not a keyword: NUL-terminated, len bytes. */
static int
dn_resolve_name(const char *name, size_t len, char *oid, size_t oidsz,
    char *sn, size_t snsz)
{
	ASN1_OBJECT	*obj;
	const char	*p;
	size_t		 i;
	int		 nid = NID_undef, n, last;

	if (isdigit((unsigned char)name[0])) {
		/* A dotted OID: digits and single dots only. */
		for (i = 0; i < len; i++)
			if (!isdigit((unsigned char)name[i]) &&
			    (name[i] != '.' || i + 1 == len ||
			    name[i + 1] == '.'))
				return -1;
		if ((obj = OBJ_txt2obj(name, 1)) == NULL)
			return -1;
		n = OBJ_obj2txt(oid, oidsz, obj, 1);
		nid = OBJ_obj2nid(obj);
		ASN1_OBJECT_free(obj);
		if (n <= 0 || (size_t)n >= oidsz)
			return -1;
		p = nid == NID_undef ? oid : OBJ_nid2sn(nid);
		if (p == NULL || strlen(p) >= snsz)
			return -1;
		strcpy(sn, p);
		return 0;
	}
	if ((nid = OBJ_sn2nid(name)) == NID_undef &&
	    (nid = OBJ_ln2nid(name)) == NID_undef) {
		/* Not spelled as OpenSSL spells it: any case, short name first. */
		last = OBJ_new_nid(0);
		for (n = 1; n < last && nid == NID_undef; n++)
			if ((p = OBJ_nid2sn(n)) != NULL && strcasecmp(p, name) == 0)
				nid = n;
		for (n = 1; n < last && nid == NID_undef; n++)
			if ((p = OBJ_nid2ln(n)) != NULL && strcasecmp(p, name) == 0)
				nid = n;
		if (nid == NID_undef)
			return -1;
	}
	if ((obj = OBJ_nid2obj(nid)) == NULL || OBJ_length(obj) == 0)
		return -1;	/* a name without an OID (e.g. "undefined") */
	n = OBJ_obj2txt(oid, oidsz, obj, 1);
	if (n <= 0 || (size_t)n >= oidsz)
		return -1;
	p = OBJ_nid2sn(nid);
	if (p == NULL || strlen(p) >= snsz)
		return -1;
	strcpy(sn, p);
	return 0;
}

/*
 * Decodes "#hex" (the DER of a string, as OpenSSL dumps an attribute it
 * has no name for) into UTF-8 text in buf.  Returns the length, or -1.
 */
static int
dn_hexvalue(const char *s, size_t len, char *buf, size_t bufsz)
{
	unsigned char	 der[1024], *utf = NULL;
	const unsigned char *p = der;
	ASN1_TYPE	*t = NULL;
	size_t		 i, n;
	int		 ulen = -1, hi, lo;

	if (len % 2 != 0 || len / 2 > sizeof(der) || len == 0)
		return -1;
	for (i = 0, n = 0; i < len; i += 2) {
		if ((hi = names_hexval(s[i])) < 0 || (lo = names_hexval(s[i + 1])) < 0)
			return -1;
		der[n++] = (unsigned char)(hi << 4 | lo);
	}
	if ((t = d2i_ASN1_TYPE(NULL, &p, (long)n)) == NULL ||
	    p != der + n)
		goto fail;
	switch (t->type) {
	case V_ASN1_UTF8STRING: case V_ASN1_PRINTABLESTRING:
	case V_ASN1_IA5STRING: case V_ASN1_T61STRING:
	case V_ASN1_BMPSTRING: case V_ASN1_UNIVERSALSTRING:
	case V_ASN1_NUMERICSTRING: case V_ASN1_VISIBLESTRING:
		break;
	default:
		goto fail;
	}
	ulen = ASN1_STRING_to_UTF8(&utf, t->value.asn1_string);
	if (ulen < 0 || (size_t)ulen >= bufsz)
		ulen = -1;
	else
		memcpy(buf, utf, ulen);
 fail:
	OPENSSL_free(utf);
	ASN1_TYPE_free(t);
	return ulen;
}

/*
 * Parses one RFC 4514 value starting at s[*i] up to an unescaped ',' or
 * '+' or the end, into buf.  Returns its length, or -1 with *errstr.
 */
static int
dn_value_4514(const char *s, size_t len, size_t *i, int forwarded,
    char *buf, size_t bufsz, const char **errstr)
{
	size_t	 n = 0, start = *i, end;
	int	 hi, lo, c;

	if (*i < len && s[*i] == '#') {
		if (!forwarded) {
			*errstr = "#hex attribute values are not supported";
			return -1;
		}
		for (end = *i; end < len && s[end] != ',' && s[end] != '+';)
			end++;
		c = dn_hexvalue(s + *i + 1, end - *i - 1, buf, bufsz);
		if (c < 0)
			*errstr = "bad #hex attribute value";
		*i = end;
		return c;
	}
	while (*i < len && s[*i] != ',' && s[*i] != '+') {
		c = (unsigned char)s[*i];
		if (n + 1 >= bufsz) {
			*errstr = "attribute value too long";
			return -1;
		}
		if (c == '\\') {
			if (*i + 1 >= len) {
				*errstr = "backslash at the end of the DN";
				return -1;
			}
			c = (unsigned char)s[*i + 1];
			if (strchr(DN_SPECIALS "=# ", c) != NULL && c != '\0') {
				buf[n++] = (char)c;
				*i += 2;
				continue;
			}
			if (*i + 2 >= len || (hi = names_hexval(c)) < 0 ||
			    (lo = names_hexval(s[*i + 2])) < 0) {
				*errstr = "bad escape in DN";
				return -1;
			}
			buf[n++] = (char)(hi << 4 | lo);
			*i += 3;
			continue;
		}
		if (c == '\0' || strchr("\"<>;", c) != NULL) {
			*errstr = "unescaped special character in DN";
			return -1;
		}
		if (c == ' ' && (*i == start || *i + 1 == len ||
		    s[*i + 1] == ',' || s[*i + 1] == '+')) {
			*errstr = "unescaped space at the start or end of a DN value";
			return -1;
		}
		buf[n++] = (char)c;
		(*i)++;
	}
	return (int)n;
}

/*
 * Parses one slash-form value starting at s[*i] up to an unescaped '/'
 * or '+' or the end.  Escapes: \/ \+ \\ \= \, and \xHH.
 */
static int
dn_value_slash(const char *s, size_t len, size_t *i, char *buf,
    size_t bufsz, const char **errstr)
{
	size_t	 n = 0;
	int	 hi, lo, c;

	while (*i < len && s[*i] != '/' && s[*i] != '+') {
		c = (unsigned char)s[*i];
		if (n + 1 >= bufsz) {
			*errstr = "attribute value too long";
			return -1;
		}
		if (c == '\0') {
			*errstr = "NUL byte in DN";
			return -1;
		}
		if (c != '\\') {
			buf[n++] = (char)c;
			(*i)++;
			continue;
		}
		if (*i + 1 < len && strchr("/+\\=,", s[*i + 1]) != NULL &&
		    s[*i + 1] != '\0') {
			buf[n++] = s[*i + 1];
			*i += 2;
			continue;
		}
		if (*i + 3 < len && s[*i + 1] == 'x' &&
		    (hi = names_hexval(s[*i + 2])) >= 0 &&
		    (lo = names_hexval(s[*i + 3])) >= 0) {
			buf[n++] = (char)(hi << 4 | lo);
			*i += 4;
			continue;
		}
		*errstr = "bad escape in DN";
		return -1;
	}
	return (int)n;
}

/*
 * Reverses dn from RFC 4514 order to certificate order: the RDNs, and
 * the AVAs inside each multi-valued RDN, as OpenSSL prints a name in
 * reverse entry order (so that dn_render(dn_parse(s)) gives s back).
 */
static void
dn_reverse(struct dn *dn)
{
	struct dn_rdn	 t;
	struct dn_ava	 a;
	struct dn_rdn	*r;
	size_t		 i, j;

	for (i = 0; i < dn->nrdn / 2; i++) {
		t = dn->rdn[i];
		dn->rdn[i] = dn->rdn[dn->nrdn - 1 - i];
		dn->rdn[dn->nrdn - 1 - i] = t;
	}
	for (i = 0; i < dn->nrdn; i++) {
		r = &dn->rdn[i];
		for (j = 0; j < r->nava / 2; j++) {
			a = r->ava[j];
			r->ava[j] = r->ava[r->nava - 1 - j];
			r->ava[r->nava - 1 - j] = a;
		}
	}
}

static int
dn_parse_any(const char *s, size_t len, struct dn *out, int forwarded,
    const char **errstr)
{
	char		 oid[DN_NAME_MAX], sn[DN_NAME_MAX];
	char		*buf = NULL;
	size_t		 i, tstart, tend;
	int		 slash, n, newrdn = 1;

	out->rdn = NULL;
	out->nrdn = 0;
	*errstr = NULL;
	if (memchr(s, '\0', len) != NULL) {
		*errstr = "NUL byte in DN";
		return -1;
	}
	if ((buf = malloc(len + 1)) == NULL) {
		*errstr = "out of memory";
		return -1;
	}
	slash = len > 0 && s[0] == '/';
	i = slash ? 1 : 0;
	if (slash && len == 1)
		goto done;	/* "/": the empty DN */
	while (len > 0) {
		/* attribute name: optional spaces (RFC 4514 form), then up to '=' */
		while (!slash && i < len && s[i] == ' ')
			i++;
		tstart = i;
		while (i < len && s[i] != '=' && s[i] != ',' && s[i] != '+' &&
		    s[i] != '/')
			i++;
		tend = i;
		while (!slash && tend > tstart && s[tend - 1] == ' ')
			tend--;
		if (i >= len || s[i] != '=') {
			*errstr = "expected NAME=VALUE in DN";
			goto fail;
		}
		if (dn_resolve(s + tstart, tend - tstart, oid, sizeof(oid),
		    sn, sizeof(sn)) == -1) {
			*errstr = "unknown attribute name in DN";
			goto fail;
		}
		i++;
		n = slash ? dn_value_slash(s, len, &i, buf, len + 1, errstr) :
		    dn_value_4514(s, len, &i, forwarded, buf, len + 1, errstr);
		if (n < 0)
			goto fail;
		if (!newrdn && out->rdn[out->nrdn - 1].nava >= AUTHZ_RDN_MAX) {
			*errstr = "too many values in one RDN";
			goto fail;
		}
		if ((newrdn && dn_add_rdn(out) == -1) ||
		    dn_add_ava(out, oid, sn, buf, (size_t)n) == -1) {
			*errstr = "out of memory";
			goto fail;
		}
		if (i == len)
			break;
		newrdn = s[i] != '+';
		if (++i == len) {
			*errstr = "DN ends with a separator";
			goto fail;
		}
	}
	if (!slash)
		dn_reverse(out);
 done:
	free(buf);
	return 0;
 fail:
	free(buf);
	dn_free(out);
	return -1;
}

int
dn_parse(const char *s, size_t len, struct dn *out, const char **errstr)
{
	return dn_parse_any(s, len, out, 0, errstr);
}

static int
dn_ava_equal(const struct dn_ava *a, const struct dn_ava *b)
{
	return strcmp(a->oid, b->oid) == 0 && a->len == b->len &&
	    memcmp(a->value, b->value, a->len) == 0;
}

/* Multi-valued RDNs compare as sets: each AVA of a pairs with one of b. */
static int
dn_rdn_equal(const struct dn_rdn *a, const struct dn_rdn *b)
{
	uint64_t	 used = 0;
	size_t		 i, j;

	if (a->nava != b->nava || a->nava > AUTHZ_RDN_MAX)
		return 0;
	for (i = 0; i < a->nava; i++) {
		for (j = 0; j < b->nava; j++)
			if ((used & (UINT64_C(1) << j)) == 0 &&
			    dn_ava_equal(&a->ava[i], &b->ava[j]))
				break;
		if (j == b->nava)
			return 0;
		used |= UINT64_C(1) << j;
	}
	return 1;
}

int
dn_equal(const struct dn *a, const struct dn *b)
{
	size_t	 i;

	if (a->nrdn != b->nrdn)
		return 0;
	for (i = 0; i < a->nrdn; i++)
		if (!dn_rdn_equal(&a->rdn[i], &b->rdn[i]))
			return 0;
	return 1;
}

/*
 * Appends one value escaped as OpenSSL's XN_FLAG_RFC2253 without
 * ASN1_STRFLGS_ESC_MSB does: DN_SPECIALS with a backslash, '#' and ' '
 * first and ' ' last likewise, control bytes as \XX, the rest as is.
 * p is at least 3 * len bytes.  Returns the end.
 */
static char *
dn_escape(char *p, const char *v, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t		 i;
	unsigned char	 c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)v[i];
		if (c < 0x20 || c == 0x7f) {
			*p++ = '\\';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 0xf];
		} else if ((c != '\0' && strchr(DN_SPECIALS, c) != NULL) ||
		    (i == 0 && (c == '#' || c == ' ')) ||
		    (i + 1 == len && c == ' ')) {
			*p++ = '\\';
			*p++ = (char)c;
		} else
			*p++ = (char)c;
	}
	return p;
}

char *
dn_render(const struct dn *dn)
{
	const struct dn_ava *a;
	size_t		 i, j, size = 1;
	char		*buf, *p;

	for (i = 0; i < dn->nrdn; i++)
		for (j = 0; j < dn->rdn[i].nava; j++) {
			a = &dn->rdn[i].ava[j];
			size += strlen(a->name) + 2 + 3 * a->len;
		}
	if ((buf = p = malloc(size)) == NULL)
		return NULL;
	/* Most specific first; OpenSSL reverses the AVAs of a set too. */
	for (i = dn->nrdn; i-- > 0;)
		for (j = dn->rdn[i].nava; j-- > 0;) {
			a = &dn->rdn[i].ava[j];
			if (p != buf)
				*p++ = j + 1 == dn->rdn[i].nava ? ',' : '+';
			p = stpcpy(p, a->name);
			*p++ = '=';
			p = dn_escape(p, a->value, a->len);
		}
	*p = '\0';
	return buf;
}

/*
 * Renders dn as X509_NAME_oneline() prints it: "/C=US/CN=alice", bytes
 * outside ' '..'~' as \xHH.  OpenSSL 3.0 (esc set) also escapes '/' and
 * '+' in values and joins a multi-valued RDN with '+'; 1.1.1 escapes
 * neither and puts '/' before every AVA.  X509_NAME_oneline() prints a
 * string's own bytes, not its text: the raw bytes of a certificate's
 * T61String, BMPString, ... (struct dn_ava) are printed where kept.
 */
static char *
dn_render_oneline(const struct dn *dn, int esc)
{
	static const char hex[] = "0123456789ABCDEF";
	const struct dn_ava *a;
	const char	*v;
	size_t		 i, j, k, len, size = 1;
	char		*buf, *p;
	unsigned char	 c;

	for (i = 0; i < dn->nrdn; i++)
		for (j = 0; j < dn->rdn[i].nava; j++) {
			a = &dn->rdn[i].ava[j];
			size += strlen(a->name) + 2 +
			    4 * (a->raw != NULL ? a->rawlen : a->len);
		}
	if ((buf = p = malloc(size)) == NULL)
		return NULL;
	for (i = 0; i < dn->nrdn; i++)
		for (j = 0; j < dn->rdn[i].nava; j++) {
			a = &dn->rdn[i].ava[j];
			v = a->raw != NULL ? a->raw : a->value;
			len = a->raw != NULL ? a->rawlen : a->len;
			*p++ = esc && j > 0 ? '+' : '/';
			p = stpcpy(p, a->name);
			*p++ = '=';
			for (k = 0; k < len; k++) {
				c = (unsigned char)v[k];
				if (c < ' ' || c > '~') {
					*p++ = '\\';
					*p++ = 'x';
					*p++ = hex[c >> 4];
					*p++ = hex[c & 0xf];
				} else {
					if (esc && (c == '/' || c == '+'))
						*p++ = '\\';
					*p++ = (char)c;
				}
			}
		}
	*p = '\0';
	return buf;
}

/*
 * Renders dn as lighttpd's mod_openssl prints SSL_CLIENT_S_DN:
 * X509_NAME_print_ex() with XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB,
 * "O = Lab, OU = Eng, CN = alice": certificate order, " = ", ", "
 * between RDNs, " + " inside one.  A value holding one of ",+<>;", or
 * starting with '#' (unless it is all of it) or ' ', or ending with
 * ' ', is put in double quotes; '"' and '\' take a backslash, control
 * bytes are \XX, the rest (UTF-8 too) is as is.
 */
static char *
dn_render_spaced(const struct dn *dn)
{
	static const char hex[] = "0123456789ABCDEF";
	const struct dn_ava *a;
	size_t		 i, j, k, size = 1;
	char		*buf, *p;
	unsigned char	 c;
	int		 quote;

	for (i = 0; i < dn->nrdn; i++)
		for (j = 0; j < dn->rdn[i].nava; j++) {
			a = &dn->rdn[i].ava[j];
			size += strlen(a->name) + 8 + 3 * a->len;
		}
	if ((buf = p = malloc(size)) == NULL)
		return NULL;
	for (i = 0; i < dn->nrdn; i++)
		for (j = 0; j < dn->rdn[i].nava; j++) {
			a = &dn->rdn[i].ava[j];
			if (p != buf)
				p = stpcpy(p, j > 0 ? " + " : ", ");
			p = stpcpy(stpcpy(p, a->name), " = ");
			quote = a->len > 0 && (a->value[0] == ' ' ||
			    a->value[a->len - 1] == ' ' ||
			    (a->value[0] == '#' && a->len > 1));
			for (k = 0; k < a->len && !quote; k++)
				quote = a->value[k] != '\0' &&
				    strchr(",+<>;", a->value[k]) != NULL;
			if (quote)
				*p++ = '"';
			for (k = 0; k < a->len; k++) {
				c = (unsigned char)a->value[k];
				if (c < ' ' || c == 0x7f) {
					*p++ = '\\';
					*p++ = hex[c >> 4];
					*p++ = hex[c & 0xf];
					continue;
				}
				if (c == '"' || c == '\\')
					*p++ = '\\';
				*p++ = (char)c;
			}
			if (quote)
				*p++ = '"';
		}
	*p = '\0';
	return buf;
}

int
dn_matches_forwarded(const struct dn *dn, const char *s)
{
	struct dn	 fwd;
	const char	*errstr;
	char		*one;
	int		 eq, esc;

	if (s == NULL)
		return 0;
	if (s[0] == '/' || (s[0] == '\0' && dn->nrdn == 0)) {
		/*
		 * The legacy form does not escape '/', so it is compared as
		 * the server would have printed this very DN, never parsed.
		 */
		for (esc = 1, eq = 0; esc >= 0 && !eq; esc--) {
			if ((one = dn_render_oneline(dn, esc)) == NULL)
				return 0;
			eq = strcmp(one, s) == 0;
			free(one);
		}
		return eq;
	}
	if (strstr(s, " = ") != NULL) {
		/*
		 * lighttpd's form, compared as printed: its quoting is not
		 * RFC 4514's.  lighttpd cuts it at 255 bytes; a cut one is
		 * not this DN's print and is denied (certauthzd(8)).
		 */
		if ((one = dn_render_spaced(dn)) == NULL)
			return 0;
		eq = strcmp(one, s) == 0;
		free(one);
		if (eq)
			return 1;
	}
	if (dn_parse_any(s, strlen(s), &fwd, 1, &errstr) == -1)
		return 0;
	eq = dn_equal(dn, &fwd);
	dn_free(&fwd);
	return eq;
}
