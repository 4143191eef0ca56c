/*
 * test_cert.c: cert_decode() and the DN checks over certificates made
 * at test time.  Usage: test_cert GENDIR PKIDIR (certs.sh runs it):
 * GENDIR from gencert, PKIDIR from tests/pki/mkpki.sh.  OpenSSL itself
 * is the reference: serials as i2a_ASN1_INTEGER prints them, DNs as
 * X509_NAME_print_ex() and X509_NAME_oneline() print them for nginx,
 * Apache and lighttpd, fingerprints from X509_digest(), spki from i2d_X509_PUBKEY().
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "authz.h"
#include "test.h"

static const char *gendir, *pkidir;

static X509 *
x509_of(const char *pem)
{
	BIO	*b = BIO_new_mem_buf(pem, -1);
	X509	*x = PEM_read_bio_X509(b, NULL, NULL, NULL);

	BIO_free(b);
	return x;
}

/* The forms of certauthzd(8), PARAMS, made from the PEM with LF line ends. */
enum form { F_LF, F_CRLF, F_TAB, F_ESC, F_ESC_RAWPLUS, F_B64, F_9440, F_N };
static const char *form_name[] = { "lf", "crlf", "tab", "escaped",
    "escaped-rawplus", "b64", "rfc9440" };

static char *
make_form(const char *pem, enum form f)
{
	size_t	 len = strlen(pem), i;
	char	*out = malloc(3 * len + 3), *p = out;
	const char *body, *end;

	if (out == NULL)
		exit(1);
	switch (f) {
	case F_LF:
		strcpy(out, pem);
		break;
	case F_CRLF:
		for (i = 0; i < len; i++) {
			if (pem[i] == '\n')
				*p++ = '\r';
			*p++ = pem[i];
		}
		*p = '\0';
		break;
	case F_TAB:	/* nginx: a TAB after every newline but the last */
		for (i = 0; i < len; i++) {
			*p++ = pem[i];
			if (pem[i] == '\n' && i + 1 < len)
				*p++ = '\t';
		}
		*p = '\0';
		break;
	case F_ESC:
	case F_ESC_RAWPLUS:	/* nginx ngx_escape_uri(NGX_ESCAPE_URI_COMPONENT) */
		for (i = 0; i < len; i++) {
			if (strchr(" \n/=+", pem[i]) != NULL &&
			    !(f == F_ESC_RAWPLUS && pem[i] == '+'))
				p += sprintf(p, "%%%02X",
				    (unsigned char)pem[i]);
			else
				*p++ = pem[i];
		}
		*p = '\0';
		break;
	case F_B64:
	case F_9440:
		body = strchr(pem, '\n') + 1;
		end = strstr(pem, "-----END");
		if (f == F_9440)
			*p++ = ':';
		for (; body < end; body++)
			if (*body != '\n')
				*p++ = *body;
		if (f == F_9440)
			*p++ = ':';
		*p = '\0';
		break;
	default:
		abort();
	}
	return out;
}

static char *
name_print(const X509_NAME *n, unsigned long flags)
{
	BIO	*b = BIO_new(BIO_s_mem());
	char	*s, *out;
	long	 len;

	X509_NAME_print_ex(b, n, 0, flags);
	len = BIO_get_mem_data(b, &s);
	out = len > 0 ? strndup(s, (size_t)len) : strdup("");
	BIO_free(b);
	return out;
}

static char *
serial_print(const X509 *x)
{
	BIO	*b = BIO_new(BIO_s_mem());
	char	*s, *out;
	long	 len;

	i2a_ASN1_INTEGER(b, X509_get0_serialNumber(x));
	len = BIO_get_mem_data(b, &s);
	out = strndup(s, (size_t)len);
	BIO_free(b);
	return out;
}

#define NGINX_DN	XN_FLAG_RFC2253
#define APACHE_DN	(XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB)
/* lighttpd's mod_openssl: the print cut at 255 bytes (a char[256]). */
#define LIGHTTPD_DN	(XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB)
#define LIGHTTPD_DN_MAX	255

/*
 * Decodes d/name.pem in every form and checks each against OpenSSL's own
 * reading of it.  Returns the LF decoding (the caller frees it).
 */
static struct cert_info *
check_cert(const char *d, const char *name, int oneline_ok)
{
	struct cert_info *ci, *first = NULL;
	const char	*reason;
	unsigned char	 md[32];
	unsigned int	 mdlen;
	char		*pem, *in, *s, fp[65];
	X509		*x;
	size_t		 len, i;
	int		 f;

	pem = test_slurp(d, name, &len);
	if ((x = x509_of(pem)) == NULL) {
		fprintf(stderr, "%s: OpenSSL cannot read it\n", name);
		exit(1);
	}
	X509_digest(x, EVP_sha256(), md, &mdlen);
	for (i = 0; i < 32; i++)
		sprintf(fp + 2 * i, "%02x", md[i]);
	for (f = 0; f < F_N; f++) {
		in = make_form(pem, f);
		ci = cert_decode(in, strlen(in), AUTHZ_CERT_MAX_DEFAULT, &reason);
		if (ci == NULL)
			fprintf(stderr, "%s %s: %s\n", name, form_name[f], reason);
		CHECK(ci != NULL);
		free(in);
		if (ci == NULL)
			continue;
		CHECK_STR(ci->fingerprint, fp);
		CHECK(memcmp(ci->sha256, md, 32) == 0);
		CHECK_STR(ci->serial, s = serial_print(x));
		free(s);
		if (strcmp(name, "san") != 0) {	/* 1.2.3.4: OpenSSL dumps #hex */
			CHECK_STR(ci->subject_str,
			    s = name_print(X509_get_subject_name(x), APACHE_DN));
			free(s);
		}
		CHECK_STR(ci->issuer_str,
		    s = name_print(X509_get_issuer_name(x), APACHE_DN));
		free(s);
		/* What nginx and Apache forward names the same DN. */
		s = name_print(X509_get_subject_name(x), NGINX_DN);
		CHECK(dn_matches_forwarded(&ci->subject, s) == 1);
		free(s);
		s = name_print(X509_get_subject_name(x), APACHE_DN);
		CHECK(dn_matches_forwarded(&ci->subject, s) == 1);
		free(s);
		s = name_print(X509_get_subject_name(x), LIGHTTPD_DN);
		CHECK(dn_matches_forwarded(&ci->subject, s) == 1);
		if (strlen(s) > LIGHTTPD_DN_MAX) {	/* what lighttpd sends */
			s[LIGHTTPD_DN_MAX] = '\0';
			CHECK(dn_matches_forwarded(&ci->subject, s) == 0);
		}
		free(s);
		s = X509_NAME_oneline(X509_get_subject_name(x), NULL, 0);
		CHECK(dn_matches_forwarded(&ci->subject, s) == oneline_ok);
		OPENSSL_free(s);
		s = name_print(X509_get_issuer_name(x), NGINX_DN);
		CHECK(dn_matches_forwarded(&ci->issuer, s) == 1);
		free(s);
		CHECK(X509_cmp_time(X509_get0_notAfter(x), &ci->not_after) == -1);
		ci->not_after--;
		CHECK(X509_cmp_time(X509_get0_notAfter(x), &ci->not_after) == 1);
		ci->not_after++;
		CHECK(X509_cmp_time(X509_get0_notBefore(x), &ci->not_before) == -1);
		if (first == NULL)
			first = ci;
		else
			cert_free(ci);
	}
	X509_free(x);
	free(pem);
	return first;
}

/* Decoding in must fail with a reason. */
static void
reject(const char *in, size_t len, size_t max, const char *what)
{
	struct cert_info *ci;
	const char	*reason = NULL;

	ci = cert_decode(in, len, max, &reason);
	if (ci != NULL || reason == NULL)
		fprintf(stderr, "accepted: %s\n", what);
	CHECK(ci == NULL && reason != NULL);
	cert_free(ci);
}

static void
rejections(void)
{
	char		*pem, *in, *esc, *b64, buf[8192];
	unsigned char	 der[4096];
	size_t		 len, n;
	int		 dlen;
	struct cert_info *ci;
	const char	*reason;

	pem = test_slurp(pkidir, "alice", &len);
	reject(pem, len, 512, "oversized");	/* its DER is ~900 bytes */
	reject("", 0, 100, "empty");
	snprintf(buf, sizeof(buf), "x%s", pem);
	reject(buf, strlen(buf), sizeof(buf), "text before");
	snprintf(buf, sizeof(buf), " %s", pem);
	reject(buf, strlen(buf), sizeof(buf), "space before");
	snprintf(buf, sizeof(buf), "%sx", pem);
	reject(buf, strlen(buf), sizeof(buf), "text after");
	snprintf(buf, sizeof(buf), "%s%s", pem, pem);
	reject(buf, strlen(buf), sizeof(buf), "two certificates");
	snprintf(buf, sizeof(buf), "%.*s", (int)(len - 26), pem);
	reject(buf, strlen(buf), sizeof(buf), "no END");
	memcpy(buf, pem, len);
	buf[100] = '\0';
	reject(buf, len, sizeof(buf), "NUL byte");
	memcpy(buf, pem, len + 1);
	buf[100] = '*';
	reject(buf, len, sizeof(buf), "bad base64 char");
	memcpy(buf, pem, len + 1);
	buf[100] = ' ';
	reject(buf, len, sizeof(buf), "space in base64");
	memcpy(buf, pem, len + 1);
	buf[200] = buf[200] == 'A' ? 'B' : 'A';
	ci = cert_decode(buf, len, sizeof(buf), &reason);
	CHECK(ci == NULL || strcmp(ci->fingerprint, "") != 0);	/* either way, never a crash */
	cert_free(ci);
	/* Whitespace after END is fine. */
	snprintf(buf, sizeof(buf), "%s \r\n\t\n", pem);
	ci = cert_decode(buf, strlen(buf), sizeof(buf), &reason);
	CHECK(ci != NULL);
	cert_free(ci);

	/* Escaped form: bad escapes, and a '+' decoded as a space. */
	esc = make_form(pem, F_ESC);
	snprintf(buf, sizeof(buf), "%s%%G0", esc);
	reject(buf, strlen(buf), sizeof(buf), "%G0");
	snprintf(buf, sizeof(buf), "%s%%2", esc);
	reject(buf, strlen(buf), sizeof(buf), "%2 at end");
	snprintf(buf, sizeof(buf), "%s%%00", esc);
	reject(buf, strlen(buf), sizeof(buf), "%00");
	free(esc);
	esc = make_form(pem, F_ESC_RAWPLUS);
	if (strchr(esc, '+') != NULL) {
		*strchr(esc, '+') = ' ';
		reject(esc, strlen(esc), 8192, "+ as space");
	}
	free(esc);

	/* Bare base64: padding required, trailing DER bytes, garbage. */
	b64 = make_form(pem, F_B64);
	n = strlen(b64);
	if (b64[n - 1] == '=') {
		memcpy(buf, b64, n);
		reject(buf, n - 1, sizeof(buf), "missing padding");
	}
	snprintf(buf, sizeof(buf), "%s\n", b64);
	reject(buf, strlen(buf), sizeof(buf), "newline after bare base64");
	snprintf(buf, sizeof(buf), ":%s", b64);
	reject(buf, strlen(buf), sizeof(buf), "unclosed :b64:");
	snprintf(buf, sizeof(buf), "%s=", b64);
	reject(buf, strlen(buf), sizeof(buf), "extra =");
	dlen = EVP_DecodeBlock(der, (unsigned char *)b64, (int)n);
	while (b64[--n] == '=')
		dlen--;
	der[dlen] = 0;
	der[dlen + 1] = 0;
	EVP_EncodeBlock((unsigned char *)buf, der, dlen + 2);
	ci = cert_decode(buf, strlen(buf), sizeof(buf), &reason);
	CHECK(ci == NULL && reason != NULL &&
	    strcmp(reason, "trailing bytes after the certificate") == 0);
	cert_free(ci);
	EVP_EncodeBlock((unsigned char *)buf, der, dlen - 1);
	reject(buf, strlen(buf), sizeof(buf), "truncated DER");
	reject("aGVsbG8gd29ybGQh", 16, 100, "not a certificate");
	in = make_form(pem, F_LF);
	in[11] = 'X';	/* -----BEGIN XERTIFICATE----- */
	reject(in, len, 8192, "wrong armour");
	free(in);
	free(b64);
	free(pem);
}

/*
 * max_cert_bytes counts the DER of a certificate, never its form: the
 * 600-name certificate of DER length L is accepted in every form with a
 * max of L (its PEM and %XX forms are longer), and refused as oversized
 * in every form with a max of L - 1, decoded or from the cache.
 */
static void
sizes(void)
{
	struct cert_cache *cc;
	struct cert_info *ci;
	const struct cert_info *cci;
	const char	*reason;
	char		*pem, *in, *big;
	size_t		 len, derlen, n;
	X509		*x;
	int		 f, l;

	pem = test_slurp(gendir, "many", &len);
	if ((x = x509_of(pem)) == NULL || (l = i2d_X509(x, NULL)) <= 0)
		exit(1);
	X509_free(x);
	derlen = (size_t)l;
	CHECK(len < AUTHZ_CERT_MAX_DEFAULT && derlen < len);
	for (f = 0; f < F_N; f++) {
		in = make_form(pem, f);
		n = strlen(in);
		if (f == F_ESC)
			CHECK(n > AUTHZ_CERT_MAX_DEFAULT);
		ci = cert_decode(in, n, AUTHZ_CERT_MAX_DEFAULT, &reason);
		CHECK(ci != NULL);
		cert_free(ci);
		ci = cert_decode(in, n, derlen, &reason);
		if (ci == NULL)
			fprintf(stderr, "many %s: %s\n", form_name[f], reason);
		CHECK(ci != NULL && ci->derlen == derlen && ci->dns.n == 600);
		cert_free(ci);
		ci = cert_decode(in, n, derlen - 1, &reason);
		CHECK(ci == NULL && reason != NULL &&
		    strcmp(reason, "oversized certificate") == 0);
		cert_free(ci);
		/* a hit under a smaller max is refused too */
		if ((cc = cert_cache_new(4)) == NULL)
			exit(1);
		cci = cert_cache_get(cc, in, n, derlen, &reason);
		CHECK(cci != NULL);
		cci = cert_cache_get(cc, in, n, derlen - 1, &reason);
		CHECK(cci == NULL && reason != NULL &&
		    strcmp(reason, "oversized certificate") == 0);
		cci = cert_cache_get(cc, in, n, derlen, &reason);
		CHECK(cci != NULL);
		cert_cache_free(cc);
		free(in);
	}
	/* the bound on the form: white space past it is refused unread */
	n = cert_encoded_max(derlen);
	if ((big = malloc(n + 2)) == NULL)
		exit(1);
	memcpy(big, pem, len);
	memset(big + len, '\n', n + 1 - len);
	ci = cert_decode(big, n, derlen, &reason);
	CHECK(ci != NULL);
	cert_free(ci);
	ci = cert_decode(big, n + 1, derlen, &reason);
	CHECK(ci == NULL && reason != NULL &&
	    strcmp(reason, "oversized certificate") == 0);
	cert_free(ci);
	free(big);
	free(pem);
}

static void
fields(void)
{
	struct cert_info *ci, *bob;
	struct dn	 dn;
	const char	*errstr;

	/* The openssl-made PKI: alice; twin bob. */
	ci = check_cert(pkidir, "alice", 1);
	bob = check_cert(pkidir, "bob", 1);
	if (ci != NULL && bob != NULL) {
		CHECK_STR(ci->serial, "1001");
		CHECK(ci->flags == 0 && ci->has_eku && !ci->is_ca);
		CHECK(ci->san_email.n == 1 &&
		    strcmp(ci->san_email.v[0], "alice@example.com") == 0);
		CHECK(ci->eku.n == 1 && strcmp(ci->eku.v[0], "clientAuth") == 0);
		CHECK(dn_matches_forwarded(&ci->subject, bob->subject_str) == 0);
		CHECK(dn_matches_forwarded(&bob->subject, bob->subject_str) == 1);
		CHECK(dn_matches_forwarded(&ci->subject, "CN=alice,OU=Eng,O=Example") == 1);
		CHECK(dn_matches_forwarded(&ci->subject, "CN=alice,OU=Ops,O=Example") == 0);
		CHECK(dn_matches_forwarded(&ci->subject, "/O=Example/OU=Eng/CN=alice") == 1);
		CHECK(dn_matches_forwarded(&ci->subject, "/O=Example/OU=Eng/CN=alicf") == 0);
		CHECK(dn_matches_forwarded(&ci->issuer, "CN=Example Client CA,O=Example") == 1);
		CHECK(dn_matches_forwarded(&ci->issuer, "CN=Example Root CA,O=Example") == 0);
	}
	cert_free(ci);
	cert_free(bob);

	/* Serials as Apache prints them; 1001 is not 100100. */
	ci = check_cert(gendir, "neg", 1);
	CHECK(ci != NULL && strcmp(ci->serial, "-1001") == 0);
	cert_free(ci);
	ci = check_cert(gendir, "zero", 1);
	CHECK(ci != NULL && strcmp(ci->serial, "00") == 0);
	cert_free(ci);
	ci = check_cert(gendir, "ff", 1);
	CHECK(ci != NULL && strcmp(ci->serial, "FF") == 0);
	cert_free(ci);
	ci = check_cert(gendir, "big", 1);
	CHECK(ci != NULL && strcmp(ci->serial,
	    "7F0102030405060708090A0B0C0D0E0F10111213") == 0);
	cert_free(ci);
	ci = check_cert(gendir, "s100100", 1);
	CHECK(ci != NULL && strcmp(ci->serial, "100100") == 0 &&
	    strcmp(ci->serial, "1001") != 0);
	cert_free(ci);

	/* UTF-8: nginx escapes it, Apache does not; both match. */
	ci = check_cert(gendir, "utf8", 1);
	if (ci != NULL) {
		CHECK_STR(ci->subject_str, "CN=Jos\xc3\xa9 M\xc3\xbcller,O=Example,OU=Eng");
		CHECK(dn_matches_forwarded(&ci->subject,
		    "CN=Jos\\C3\\A9 M\\C3\\BCller,O=Example,OU=Eng") == 1);
		CHECK(dn_matches_forwarded(&ci->subject,
		    "CN=Jos\xc3\xa9 M\xc3\xbcller,O=Example,OU=Eng") == 1);
		CHECK(dn_matches_forwarded(&ci->subject,
		    "CN=Jose M\xc3\xbcller,O=Example,OU=Eng") == 0);
		CHECK(dn_matches_forwarded(&ci->subject,
		    "/OU=Eng/O=Example/CN=Jos\\xC3\\xA9 M\\xC3\\xBCller") == 1);
	}
	cert_free(ci);
	/*
	 * BMPString and T61String compare as text; the legacy form as
	 * X509_NAME_oneline() prints their bytes (\xEB, \x00Z...), and a
	 * byte changed there is a mismatch.
	 */
	ci = check_cert(gendir, "bmp", 1);
	if (ci != NULL) {
		char	*pem, *one, *p;
		size_t	 len;
		X509	*x;

		pem = test_slurp(gendir, "bmp", &len);
		if ((x = x509_of(pem)) == NULL)
			exit(1);
		one = X509_NAME_oneline(X509_get_subject_name(x), NULL, 0);
		CHECK(one != NULL && (p = strstr(one, "Zo\\xEB AG")) != NULL);
		CHECK(dn_matches_forwarded(&ci->subject, one) == 1);
		if (one != NULL && p != NULL) {
			p[5] = 'C';	/* Zo\xEC AG */
			CHECK(dn_matches_forwarded(&ci->subject, one) == 0);
			p[5] = 'B';
			p = strstr(one, "CN=") + 3;
			CHECK(strncmp(p, "\\x00Z", 5) == 0);
			p[4] = 'Y';	/* the BMPString's Z */
			CHECK(dn_matches_forwarded(&ci->subject, one) == 0);
		}
		/* the UTF-8 text is not what the legacy form carries */
		CHECK(dn_matches_forwarded(&ci->subject,
		    "/C=DE/O=Zo\\xC3\\xAB AG/CN=Zo\\xC3\\xAB") == 0);
		OPENSSL_free(one);
		X509_free(x);
		free(pem);
		CHECK_STR(ci->subject_str, "CN=Zo\xc3\xab,O=Zo\xc3\xab AG,C=DE");
		CHECK(dn_parse("CN=Zo\xc3\xab,O=Zo\xc3\xab AG,C=DE", 22, &dn,
		    &errstr) == 0);
		CHECK(dn_equal(&ci->subject, &dn) == 1);
		dn_free(&dn);
	}
	cert_free(ci);
	/* Look-alikes stay distinct. */
	ci = check_cert(gendir, "look", 1);
	if (ci != NULL) {
		CHECK(dn_matches_forwarded(&ci->subject, "CN=alice,O=Example") == 0);
		CHECK(dn_parse("CN=alice,O=Example", 18, &dn, &errstr) == 0);
		CHECK(dn_equal(&ci->subject, &dn) == 0);
		dn_free(&dn);
	}
	cert_free(ci);
	/* Multi-valued RDN and two OUs. */
	ci = check_cert(gendir, "multi", 1);
	if (ci != NULL) {
		CHECK(ci->subject.nrdn == 4 && ci->subject.rdn[3].nava == 2);
		CHECK(ci->subject.rdn[1].ava[0].len == 3);
		CHECK_STR(ci->subject.rdn[1].ava[0].value, "Eng");
		CHECK_STR(ci->subject.rdn[2].ava[0].value, "Ops");
		CHECK(dn_matches_forwarded(&ci->subject,
		    "CN=alice+UID=a1,OU=Ops,OU=Eng,O=Example") == 1);
		CHECK(dn_matches_forwarded(&ci->subject,
		    "UID=a1,CN=alice,OU=Ops,OU=Eng,O=Example") == 0);
		CHECK(dn_matches_forwarded(&ci->subject,
		    "UID=a1+CN=alice,OU=Eng,OU=Ops,O=Example") == 0);
	}
	cert_free(ci);
	/* Duplicate CNs are flagged. */
	ci = check_cert(gendir, "dupcn", 1);
	CHECK(ci != NULL && (ci->flags & CERT_F_MULTI_CN) && !(ci->flags & CERT_F_NUL));
	cert_free(ci);
	/* Injection: a CN never becomes an O, whatever the form. */
	ci = check_cert(gendir, "inj1", 1);
	if (ci != NULL) {
		CHECK(ci->subject.nrdn == 2);
		CHECK_STR(ci->subject_str, "CN=alice\\,O=Admin,O=Example");
		CHECK(dn_matches_forwarded(&ci->subject, "CN=alice,O=Admin,O=Example") == 0);
		CHECK(dn_matches_forwarded(&ci->subject, "/O=Example/CN=alice/O=Admin") == 0);
		CHECK(dn_matches_forwarded(&ci->subject, "/O=Example/CN=alice,O=Admin") == 1);
	}
	cert_free(ci);
	ci = check_cert(gendir, "inj2", 1);
	if (ci != NULL) {
		CHECK(ci->subject.nrdn == 2);
		CHECK_STR(ci->subject_str, "CN=alice/O=Admin,O=Example");
		CHECK(dn_parse("/O=Example/CN=alice/O=Admin", 27, &dn, &errstr) == 0);
		CHECK(dn_equal(&ci->subject, &dn) == 0);
		dn_free(&dn);
		CHECK(dn_parse("/O=Example/CN=alice\\/O=Admin", 28, &dn, &errstr) == 0);
		CHECK(dn_equal(&ci->subject, &dn) == 1);
		dn_free(&dn);
		CHECK(dn_matches_forwarded(&ci->subject, "CN=Admin,CN=alice,O=Example") == 0);
	}
	cert_free(ci);
	ci = check_cert(gendir, "inj3", 1);
	if (ci != NULL) {
		CHECK(ci->subject.nrdn == 2 && ci->subject.rdn[1].nava == 1);
		CHECK(dn_matches_forwarded(&ci->subject, "CN=alice+O=Admin,O=Example") == 0);
	}
	cert_free(ci);
	/* NUL bytes are flagged, never hidden. */
	ci = check_cert(gendir, "nul", 1);
	CHECK(ci != NULL && (ci->flags & CERT_F_NUL) &&
	    ci->subject.rdn[1].ava[0].len == 6);
	cert_free(ci);
	ci = check_cert(gendir, "nulsan", 1);
	CHECK(ci != NULL && (ci->flags & CERT_F_NUL));
	cert_free(ci);
	ci = check_cert(gendir, "nuldns", 1);
	CHECK(ci != NULL && (ci->flags & CERT_F_NUL));
	if (ci != NULL) {
		CHECK(ci->dns.n == 1 && ci->dns.len[0] == 18 &&
		    memcmp(ci->dns.v[0], "good.example\0.evil", 19) == 0);
		CHECK(ci->uri.n == 1 && ci->uri.len[0] == 27);
		CHECK(ci->san_email.n == 1 && ci->san_email.len[0] == 20);
	}
	cert_free(ci);
	/* Every SAN type, subject emails, EKU, other attributes. */
	ci = check_cert(gendir, "san", 1);
	if (ci != NULL) {
		CHECK(ci->flags == 0 && !ci->is_ca && ci->has_eku);
		CHECK(ci->dns.n == 1 && strcmp(ci->dns.v[0], "svc.example.com") == 0);
		CHECK(ci->uri.n == 1 && strcmp(ci->uri.v[0], "spiffe://example.com/ns/prod") == 0);
		CHECK(ci->ip.n == 2);
		if (ci->ip.n == 2) {
			CHECK_STR(ci->ip.v[0], "192.0.2.1");
			CHECK_STR(ci->ip.v[1], "2001:db8::1");
		}
		CHECK(ci->san_email.n == 1 && strcmp(ci->san_email.v[0], "ops@Example.COM") == 0);
		CHECK(ci->subject_email.n == 1 && strcmp(ci->subject_email.v[0], "svc@example.com") == 0);
		CHECK(ci->eku.n == 3);
		if (ci->eku.n == 3) {
			CHECK_STR(ci->eku.v[0], "clientAuth");
			CHECK_STR(ci->eku.v[1], "serverAuth");
			CHECK_STR(ci->eku.v[2], "1.3.6.1.4.1.99999.1");
		}
		CHECK_STR(ci->subject_str, "1.2.3.4=abc,emailAddress=svc@example.com,"
		    "serialNumber=SN42,CN=svc,L=Town,ST=CA,C=US,DC=example,DC=com");
		CHECK(dn_parse(ci->subject_str, strlen(ci->subject_str), &dn, &errstr) == 0);
		CHECK(dn_equal(&ci->subject, &dn) == 1);
		dn_free(&dn);
		CHECK(dn_matches_forwarded(&ci->subject, "1.2.3.4=#0C03616264,"
		    "emailAddress=svc@example.com,serialNumber=SN42,CN=svc,L=Town,"
		    "ST=CA,C=US,DC=example,DC=com") == 0);
	}
	cert_free(ci);
	ci = check_cert(gendir, "special", 1);
	cert_free(ci);
	ci = check_cert(gendir, "cacert", 1);
	CHECK(ci != NULL && ci->is_ca && !ci->has_eku && ci->eku.n == 0);
	cert_free(ci);
	ci = check_cert(gendir, "empty", 1);
	CHECK(ci != NULL && ci->subject.nrdn == 0 && strcmp(ci->subject_str, "") == 0);
	cert_free(ci);
	ci = check_cert(gendir, "ca", 1);
	CHECK(ci != NULL && ci->is_ca && !ci->has_eku);
	cert_free(ci);
	/* Duplicate extensions: refused. */
	{
		size_t		 len;
		char		*pem = test_slurp(gendir, "dupext", &len);

		reject(pem, len, 8192, "duplicate extension");
		free(pem);
	}
}

/*
 * Re-encodes the ECDSA signature (r, s) of x, made with a P-256 key, as
 * (r, n - s): as valid a signature, but another DER and so another
 * fingerprint.  Returns x's new PEM.
 */
static char *
ecdsa_reencode(X509 *x)
{
	const ASN1_BIT_STRING *sig;
	const X509_ALGOR *alg;
	const unsigned char *p;
	const BIGNUM	*r, *s;
	ECDSA_SIG	*es, *es2;
	EC_GROUP	*grp;
	BIGNUM		*r2, *s2;
	unsigned char	*der = NULL;
	BIO		*b;
	char		*data, *pem;
	long		 n;
	int		 len;

	X509_get0_signature(&sig, &alg, x);
	p = ASN1_STRING_get0_data(sig);
	if ((es = d2i_ECDSA_SIG(NULL, &p, ASN1_STRING_length(sig))) == NULL ||
	    (grp = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1)) == NULL ||
	    (es2 = ECDSA_SIG_new()) == NULL || (s2 = BN_new()) == NULL)
		exit(1);
	ECDSA_SIG_get0(es, &r, &s);
	if ((r2 = BN_dup(r)) == NULL ||
	    !BN_sub(s2, EC_GROUP_get0_order(grp), s) ||
	    !ECDSA_SIG_set0(es2, r2, s2) ||
	    (len = i2d_ECDSA_SIG(es2, &der)) <= 0 ||
	    !ASN1_BIT_STRING_set((ASN1_BIT_STRING *)sig, der, len) ||
	    (b = BIO_new(BIO_s_mem())) == NULL || !PEM_write_bio_X509(b, x) ||
	    (n = BIO_get_mem_data(b, &data)) <= 0 ||
	    (pem = strndup(data, (size_t)n)) == NULL)
		exit(1);
	BIO_free(b);
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	ECDSA_SIG_free(es2);
	EC_GROUP_free(grp);
	return pem;
}

/* Decides a request carrying pem against the policy file path. */
static enum authz_result
decide(const char *path, const char *pem, char *rule, size_t size)
{
	struct authz_policy	*p;
	struct authz_request	 req;
	struct authz_decision	 d;
	enum authz_result	 res;

	if ((p = authz_policy_load(path, 0, NULL, NULL)) == NULL) {
		fprintf(stderr, "%s: does not load\n", path);
		exit(1);
	}
	memset(&req, 0, sizeof(req));
	req.verify = "SUCCESS";
	req.cert = pem;
	req.certlen = strlen(pem);
	authz_decide(p, &req, NULL, time(NULL), &d);
	res = d.result;
	snprintf(rule, size, "%s", d.rule != NULL ? d.rule : "-");
	authz_decision_clear(&d);
	authz_policy_free(p);
	return res;
}

/*
 * The holder of an ECDSA-signed certificate can make another valid one
 * from it, (r, n - s), of another fingerprint but the same key: a deny
 * on spki holds for both, a deny on fingerprint only for the original.
 */
static void
spki(void)
{
	struct cert_info *ci, *ci2;
	const char	*reason;
	unsigned char	*der = NULL, md[32];
	char		*pem, *pem2, *capem, path[4096], hex[65], rule[64];
	size_t		 len, i;
	X509		*x, *ca, *x2;
	FILE		*f;
	int		 n;

	pem = test_slurp(gendir, "utf8", &len);
	capem = test_slurp(gendir, "ca", &len);
	if ((x = x509_of(pem)) == NULL || (ca = x509_of(capem)) == NULL)
		exit(1);
	pem2 = ecdsa_reencode(x);
	if ((x2 = x509_of(pem2)) == NULL)
		exit(1);
	CHECK(strcmp(pem, pem2) != 0);
	CHECK(X509_verify(x2, X509_get0_pubkey(ca)) == 1);
	/* the SHA-256 of the DER SubjectPublicKeyInfo, as OpenSSL has it */
	if ((n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der)) <= 0 ||
	    !EVP_Digest(der, (size_t)n, md, NULL, EVP_sha256(), NULL))
		exit(1);
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	ci = cert_decode(pem, strlen(pem), AUTHZ_CERT_MAX_DEFAULT, &reason);
	ci2 = cert_decode(pem2, strlen(pem2), AUTHZ_CERT_MAX_DEFAULT, &reason);
	CHECK(ci != NULL && ci2 != NULL);
	if (ci != NULL && ci2 != NULL) {
		CHECK(strcmp(ci->fingerprint, ci2->fingerprint) != 0);
		CHECK_STR(ci->spki, hex);
		CHECK_STR(ci2->spki, hex);
		snprintf(path, sizeof(path), "%s/spki.conf", gendir);
		if ((f = fopen(path, "w")) == NULL)
			exit(1);
		fprintf(f, "policies = ( { name = \"p\";\n"
		    "  deny = ( { name = \"key\"; spki = \"%s\"; } );\n"
		    "  allow = ( { name = \"any\"; cn = \"*\"; } ); } );\n",
		    ci->spki);
		fclose(f);
		CHECK(decide(path, pem, rule, sizeof(rule)) == AUTHZ_DENY);
		CHECK_STR(rule, "key");
		CHECK(decide(path, pem2, rule, sizeof(rule)) == AUTHZ_DENY);
		CHECK_STR(rule, "key");
		if ((f = fopen(path, "w")) == NULL)
			exit(1);
		fprintf(f, "policies = ( { name = \"p\";\n"
		    "  deny = ( { name = \"cert\"; fingerprint = \"%s\"; } );\n"
		    "  allow = ( { name = \"any\"; cn = \"*\"; } ); } );\n",
		    ci->fingerprint);
		fclose(f);
		CHECK(decide(path, pem, rule, sizeof(rule)) == AUTHZ_DENY);
		CHECK_STR(rule, "cert");
		CHECK(decide(path, pem2, rule, sizeof(rule)) == AUTHZ_ALLOW);
		CHECK_STR(rule, "any");
		/* twin: another key's spki denies neither */
		hex[0] = hex[0] == '0' ? '1' : '0';
		if ((f = fopen(path, "w")) == NULL)
			exit(1);
		fprintf(f, "policies = ( { name = \"p\";\n"
		    "  deny = ( { name = \"key\"; spki = \"%s\"; } );\n"
		    "  allow = ( { name = \"any\"; cn = \"*\"; } ); } );\n",
		    hex);
		fclose(f);
		CHECK(decide(path, pem, rule, sizeof(rule)) == AUTHZ_ALLOW);
		CHECK(decide(path, pem2, rule, sizeof(rule)) == AUTHZ_ALLOW);
	}
	cert_free(ci);
	cert_free(ci2);
	OPENSSL_free(der);
	X509_free(x);
	X509_free(x2);
	X509_free(ca);
	free(pem);
	free(pem2);
	free(capem);
}

static void
store(void)
{
	struct cert_store *cs;
	struct cert_info *ci;
	const char	*reason;
	char		 ca[4096], crl[4096], *pem;
	size_t		 len;
	time_t		 now = time(NULL);
	static const struct {
		const char	*name;
		int		 ok, ok_crl;
	} c[] = {
		{ "alice", 1, 1 }, { "mallory", 1, 0 }, { "rogue", 0, 0 },
		{ "expired", 0, 0 }, { "server-only", 0, 0 },
	};
	size_t		 i;

	snprintf(ca, sizeof(ca), "%s/client-chain.pem", pkidir);
	snprintf(crl, sizeof(crl), "%s/client-ca.crl", pkidir);
	CHECK(cert_store_load("/nonexistent", NULL, &reason) == NULL && reason);
	CHECK(cert_store_load(ca, "/nonexistent", &reason) == NULL && reason);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		pem = test_slurp(pkidir, c[i].name, &len);
		ci = cert_decode(pem, len, 8192, &reason);
		CHECK(ci != NULL);
		free(pem);
		if (ci == NULL)
			continue;
		cs = cert_store_load(ca, NULL, &reason);
		CHECK(cs != NULL);
		if (cs != NULL) {
			CHECK(cert_store_verify(cs, ci, now, &reason) == c[i].ok);
			CHECK(c[i].ok || reason != NULL);
			cert_store_free(cs);
		}
		cs = cert_store_load(ca, crl, &reason);
		CHECK(cs != NULL);
		if (cs != NULL) {
			CHECK(cert_store_verify(cs, ci, now, &reason) == c[i].ok_crl);
			if (!c[i].ok_crl)
				fprintf(stderr, "  %s: %s\n", c[i].name, reason);
			cert_store_free(cs);
		}
		cert_free(ci);
	}
	/* alice before her notBefore: not yet valid. */
	cs = cert_store_load(ca, NULL, &reason);
	pem = test_slurp(pkidir, "alice", &len);
	ci = cert_decode(pem, len, 8192, &reason);
	if (cs != NULL && ci != NULL)
		CHECK(cert_store_verify(cs, ci, ci->not_before - 86400, &reason) == 0);
	cert_free(ci);
	cert_store_free(cs);
	free(pem);
}

int
main(int argc, char *argv[])
{
	if (argc != 3) {
		fprintf(stderr, "usage: test_cert GENDIR PKIDIR\n");
		return 2;
	}
	gendir = argv[1];
	pkidir = argv[2];
	rejections();
	sizes();
	fields();
	spki();
	store();
	return test_done();
}
