/*
 * match.c: values and the matchers of certauthz.conf(5), RULES.
 *
 * Load time: match_normalize() turns a value written in a policy into
 * the form the matchers compare (serials to cert_info form, DNS names
 * and email domains to lower case, addresses through inet_pton, EKU
 * names to dotted OIDs), and match_add() files it in a value set.
 * Request time: match_cond() gives each condition key its own small
 * matcher returning 1 (holds), 0 (does not) or -1 (cannot tell: the
 * caller denies).  A value set without values holds for nothing.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "names.h"
#include "policy_impl.h"

int
match_glob(const char *pat, const char *s)
{
	const char	*star = NULL, *retry = NULL;

	while (*s != '\0') {
		if (*pat == '*') {
			star = ++pat;
			retry = s;
			continue;
		}
		if (*pat == '?' ||
		    (*pat == '\\' && pat[1] == *s) ||
		    (*pat != '\\' && *pat != '\0' && *pat == *s)) {
			pat += *pat == '\\' ? 2 : 1;
			s++;
			continue;
		}
		if (star == NULL)
			return 0;
		pat = star;
		s = ++retry;
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

/*
 * Checks the escapes of a pattern.  Returns 1 when it is a glob, 0 when
 * it is exact (then unescaped into out), -1 when malformed.
 */
static int
match_pattern(const char *in, char *out)
{
	const char	*p;
	int		 glob = 0;
	size_t		 o = 0;

	for (p = in; *p != '\0'; p++) {
		if (*p == '\\') {
			if (p[1] != '*' && p[1] != '?' && p[1] != '\\')
				return -1;
			p++;
		} else if (*p == '*' || *p == '?')
			glob = 1;
	}
	if (glob) {
		strcpy(out, in);
		return 1;
	}
	for (p = in; *p != '\0'; p++) {
		if (*p == '\\')
			p++;
		out[o++] = *p;
	}
	out[o] = '\0';
	return 0;
}

static void
match_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = tolower((unsigned char)*s);
}

/* Canonical text of an IP address, or -1. */
static int
match_ip_text(const char *in, char *out, size_t size)
{
	unsigned char	 a[sizeof(struct in6_addr)];

	if (inet_pton(AF_INET, in, a) == 1)
		return inet_ntop(AF_INET, a, out, size) ? 0 : -1;
	if (inet_pton(AF_INET6, in, a) == 1)
		return inet_ntop(AF_INET6, a, out, size) ? 0 : -1;
	return -1;
}

int
match_normalize(enum cond_kind kind, const char *in, char *out, size_t size,
    const char **err)
{
	const char	*at;
	size_t		 len = strlen(in);
	int		 r;

	if (size < len + 64) {
		*err = "value too long";
		return -1;
	}
	switch (kind) {
	case K_SERIAL:
		if (names_serial(in, out, size) == -1) {
			*err = "malformed serial";
			return -1;
		}
		return 0;
	case K_IP:
		if (match_ip_text(in, out, size) == -1) {
			*err = "malformed ip address";
			return -1;
		}
		return 0;
	case K_FINGERPRINT:
	case K_SPKI: {
		size_t	 o = 0;

		for (; *in != '\0' && o <= 64; in++) {
			if (*in == ':')
				continue;
			if (!isxdigit((unsigned char)*in))
				break;
			out[o++] = tolower((unsigned char)*in);
		}
		out[o] = '\0';
		if (*in != '\0' || o != 64) {
			*err = kind == K_SPKI ? "malformed spki (want the 32 "
			    "bytes of a SHA-256 in hex)" : "malformed "
			    "fingerprint (want the 32 bytes of a SHA-256 in hex)";
			return -1;
		}
		return 0;
	}
	case K_EKU:
		if (names_eku_oid(in, out, size) == -1) {
			*err = "unknown extended key usage (want a name "
			    "such as clientAuth, or a dotted OID)";
			return -1;
		}
		return 0;
	default:
		break;
	}
	if (*in == '\0') {
		*err = "empty value";
		return -1;
	}
	if ((r = match_pattern(in, out)) == -1) {
		*err = "malformed pattern (a backslash escapes only *, ? "
		    "and \\)";
		return -1;
	}
	switch (kind) {
	case K_DNS:
	case K_HOST:
		match_lower(out);
		break;
	case K_EMAIL:
		if ((at = strrchr(out, '@')) == NULL || at[1] == '\0') {
			*err = "malformed email (want local@domain or @domain)";
			return -1;
		}
		match_lower(out + (at - out));
		break;
	default:
		break;
	}
	return r;
}

int
match_add(struct arena *a, struct valueset *vs, enum cond_kind kind,
    const char *v, int glob)
{
	if (glob) {
		if (arena_grow(a, &vs->globs, vs->nglob, sizeof(char *)) == -1 ||
		    (vs->globs[vs->nglob] = arena_strndup(a, v, strlen(v))) ==
		    NULL)
			return -1;
		vs->nglob++;
		return 0;
	}
	if (kind == K_EMAIL && v[0] == '@')
		return set_add(vs->domains, v + 1, strlen(v + 1)) == -1 ? -1 : 0;
	return set_add(vs->exact, v, strlen(v)) == -1 ? -1 : 0;
}

/* Does vs hold s (len bytes, which may hold a NUL)?  1 or 0. */
static int
match_valueset(const struct valueset *vs, const char *s, size_t len)
{
	size_t	 i;

	if (strlen(s) != len)	/* a NUL: matches nothing */
		return 0;
	if (set_has(vs->exact, s, len))
		return 1;
	for (i = 0; i < vs->nglob; i++)
		if (match_glob(vs->globs[i], s))
			return 1;
	return 0;
}

static int
match_any(const struct cond *c, const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < c->nset; i++)
		if (match_valueset(c->sets[i], s, len))
			return 1;
	return 0;
}

static int
match_serial(const struct cond *c, const struct cert_info *ci)
{
	return match_any(c, ci->serial, strlen(ci->serial));
}

static int
match_dn(const struct cond *c, const struct dn *dn)
{
	size_t	 i, j;

	for (i = 0; i < c->nset; i++)
		for (j = 0; j < c->sets[i]->ndn; j++)
			if (dn_equal(&c->sets[i]->dns[j], dn))
				return 1;
	return 0;
}

static int
match_attr(const struct cond *c, const struct cert_info *ci)
{
	const struct dn_ava	*ava;
	size_t			 i, j;

	for (i = 0; i < ci->subject.nrdn; i++) {
		for (j = 0; j < ci->subject.rdn[i].nava; j++) {
			ava = &ci->subject.rdn[i].ava[j];
			if (strcmp(ava->oid, c->oid) == 0 &&
			    match_any(c, ava->value, ava->len))
				return 1;
		}
	}
	return 0;
}

/* Copies s lowered (from its last '@' when email) into a new string. */
static char *
match_lowered(const char *s, int email)
{
	char	*p, *at;

	if ((p = strdup(s)) == NULL)
		return NULL;
	if (!email)
		match_lower(p);
	else if ((at = strrchr(p, '@')) != NULL)
		match_lower(at);
	return p;
}

static int
match_email_one(const struct cond *c, const char *e, const char **reason)
{
	const char	*at;
	char		*low;
	size_t		 i;
	int		 r;

	if ((low = match_lowered(e, 1)) == NULL) {
		*reason = "out of memory";
		return -1;
	}
	r = match_any(c, low, strlen(low));
	if (!r && (at = strrchr(low, '@')) != NULL)
		for (i = 0; i < c->nset && !r; i++)
			r = set_has(c->sets[i]->domains, at + 1,
			    strlen(at + 1));
	free(low);
	return r;
}

static int
match_email(const struct cond *c, const struct cert_info *ci,
    const int *src, const char **value, const char **reason)
{
	const struct strlist	*l;
	size_t			 i, k;
	int			 r;

	for (k = 0; k < 2 && src[k] != 0; k++) {
		l = src[k] == EMAIL_SRC_SAN ? &ci->san_email :
		    &ci->subject_email;
		for (i = 0; i < l->n; i++)
			if ((r = match_email_one(c, l->v[i], reason)) != 0) {
				*value = l->v[i];
				return r;
			}
	}
	return 0;
}

static int
match_dns(const struct cond *c, const struct cert_info *ci,
    const char **value, const char **reason)
{
	char	*low;
	size_t	 i;
	int	 r;

	for (i = 0; i < ci->dns.n; i++) {
		if ((low = match_lowered(ci->dns.v[i], 0)) == NULL) {
			*reason = "out of memory";
			return -1;
		}
		r = match_any(c, low, strlen(low));
		free(low);
		if (r) {
			*value = ci->dns.v[i];
			return 1;
		}
	}
	return 0;
}

static int
match_uri(const struct cond *c, const struct cert_info *ci,
    const char **value)
{
	size_t	 i;

	for (i = 0; i < ci->uri.n; i++)
		if (match_any(c, ci->uri.v[i], strlen(ci->uri.v[i]))) {
			*value = ci->uri.v[i];
			return 1;
		}
	return 0;
}

static int
match_ip(const struct cond *c, const struct cert_info *ci)
{
	char	 buf[INET6_ADDRSTRLEN];
	size_t	 i;

	for (i = 0; i < ci->ip.n; i++) {
		if (match_ip_text(ci->ip.v[i], buf, sizeof(buf)) == -1)
			continue;
		if (match_any(c, buf, strlen(buf)))
			return 1;
	}
	return 0;
}

static int
match_fingerprint(const struct cond *c, const struct cert_info *ci)
{
	return match_any(c, ci->fingerprint, strlen(ci->fingerprint));
}

static int
match_spki(const struct cond *c, const struct cert_info *ci)
{
	return match_any(c, ci->spki, strlen(ci->spki));
}

/*
 * Every usage named must be in the certificate's EKU, compared as dotted
 * OIDs.  A condition that names no usage at all holds for nothing.
 */
static int
match_eku(const struct cond *c, const struct cert_info *ci)
{
	size_t	 i, j, k, named = 0;
	int	 found;

	for (i = 0; i < c->nset; i++) {
		for (j = 0; j < c->sets[i]->nall; j++) {
			named++;
			found = 0;
			for (k = 0; k < ci->eku_oid.n && !found; k++)
				found = strcmp(ci->eku_oid.v[k],
				    c->sets[i]->all[j]) == 0;
			if (!found)
				return 0;
		}
	}
	return named > 0;
}

int
match_cond(const struct cond *c, const struct cert_info *ci,
    const int *email_src, const char **value, const char **reason)
{
	*value = NULL;
	switch (c->kind) {
	case K_SERIAL:
		return match_serial(c, ci);
	case K_ISSUER:
		return match_dn(c, &ci->issuer);
	case K_SUBJECT:
		return match_dn(c, &ci->subject);
	case K_ATTR:
		return match_attr(c, ci);
	case K_EMAIL:
		return match_email(c, ci, email_src, value, reason);
	case K_DNS:
		return match_dns(c, ci, value, reason);
	case K_URI:
		return match_uri(c, ci, value);
	case K_IP:
		return match_ip(c, ci);
	case K_FINGERPRINT:
		return match_fingerprint(c, ci);
	case K_SPKI:
		return match_spki(c, ci);
	case K_EKU:
		return match_eku(c, ci);
	default:
		*reason = "condition cannot apply to a certificate";
		return -1;
	}
}

int
match_when(const struct cond *c, const char *v)
{
	return match_any(c, v, strlen(v));
}
