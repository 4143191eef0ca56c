/*
 * names.c: hex digits, serials, and the names of OIDs, each defined
 * once: the hex digit values that every %XX and \XX decoder uses, the
 * normalized form of a serial (cert_info.serial and every serial a
 * policy or a web server writes), the attribute keys of a policy with
 * their OIDs, and the names of extended key usages.  It calls nothing
 * else in the library (only OpenSSL's table of object names), so every
 * other file may call it.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <openssl/objects.h>

#include "authz.h"
#include "names.h"

int
names_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
names_serial(const char *in, char *out, size_t size)
{
	char	 digits[2 * AUTHZ_SERIAL_MAX + 1];
	size_t	 n = 0, i, o = 0, seen = 0;
	int	 neg = 0;
	const char *p = in;

	if (in == NULL || size == 0)
		return -1;
	while (*p == ' ')
		p++;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	for (; *p != '\0'; p++) {
		if (*p == ':' || *p == ' ')
			continue;
		/* i2a_ASN1_INTEGER() breaks the line every 35 bytes */
		if (p[0] == '\\' && p[1] == '\n' && p[2] != '\0') {
			p++;
			continue;
		}
		if (!isxdigit((unsigned char)*p))
			return -1;
		seen++;
		if (n == 0 && *p == '0')	/* leading zeros do not count */
			continue;
		if (n >= sizeof(digits) - 1)
			return -1;
		digits[n++] = toupper((unsigned char)*p);
	}
	if (seen == 0)
		return -1;
	if (p > in && (p[-1] == ':'))
		return -1;
	if (n == 0)
		neg = 0;
	if (size < (size_t)neg + n + (n % 2) + (n == 0 ? 2 : 0) + 1)
		return -1;
	if (neg)
		out[o++] = '-';
	if (n == 0) {
		out[o++] = '0';
		out[o++] = '0';
	} else if (n % 2)
		out[o++] = '0';
	for (i = 0; i < n; i++)
		out[o++] = digits[i];
	out[o] = '\0';
	return 0;
}

static const struct {
	const char	*key, *oid;
} names_attrs[] = {
	{ "cn",			NAMES_OID_CN },
	{ "ou",			"2.5.4.11" },
	{ "o",			"2.5.4.10" },
	{ "l",			"2.5.4.7" },
	{ "st",			"2.5.4.8" },
	{ "c",			"2.5.4.6" },
	{ "dc",			"0.9.2342.19200300.100.1.25" },
	{ "uid",		"0.9.2342.19200300.100.1.1" },
	{ "serialNumber",	"2.5.4.5" },
};

const char *
names_attr_oid(const char *key)
{
	size_t	 i;

	for (i = 0; i < sizeof(names_attrs) / sizeof(names_attrs[0]); i++)
		if (strcmp(key, names_attrs[i].key) == 0)
			return names_attrs[i].oid;
	return NULL;
}

const char *
names_attr_key(const char *oid)
{
	size_t	 i;

	for (i = 0; i < sizeof(names_attrs) / sizeof(names_attrs[0]); i++)
		if (strcmp(oid, names_attrs[i].oid) == 0)
			return names_attrs[i].key;
	return NULL;
}

/* The usages of RFC 5280 by the names certauthz.conf(5) lists. */
static const struct {
	const char	*name, *oid;
} names_ekus[] = {
	{ "serverAuth",		"1.3.6.1.5.5.7.3.1" },
	{ "clientAuth",		"1.3.6.1.5.5.7.3.2" },
	{ "codeSigning",	"1.3.6.1.5.5.7.3.3" },
	{ "emailProtection",	"1.3.6.1.5.5.7.3.4" },
	{ "timeStamping",	"1.3.6.1.5.5.7.3.8" },
	{ "OCSPSigning",	"1.3.6.1.5.5.7.3.9" },
};

/* A dotted OID: digits and single dots, two arcs at least. */
static int
names_is_oid(const char *s)
{
	int	 dots = 0, digit = 0;

	for (; *s != '\0'; s++) {
		if (*s == '.') {
			if (!digit)
				return 0;
			dots++;
			digit = 0;
		} else if (isdigit((unsigned char)*s))
			digit = 1;
		else
			return 0;
	}
	return dots > 0 && digit;
}

const char *
names_oid(const char *in, char *buf, size_t size)
{
	ASN1_OBJECT	*obj;
	int		 olen;

	if ((obj = OBJ_txt2obj(in, 0)) == NULL)
		return in;
	olen = OBJ_obj2txt(buf, (int)size, obj, 1);
	ASN1_OBJECT_free(obj);
	return olen > 0 && (size_t)olen < size ? buf : in;
}

int
names_eku_oid(const char *in, char *out, size_t size)
{
	const char	*v = in;
	size_t		 i;

	for (i = 0; i < sizeof(names_ekus) / sizeof(names_ekus[0]); i++)
		if (strcasecmp(in, names_ekus[i].name) == 0) {
			v = names_ekus[i].oid;
			break;
		}
	if (!names_is_oid(v) || strlen(v) >= size)
		return -1;
	strcpy(out, v);
	return 0;
}
