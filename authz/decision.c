/*
 * decision.c: the decision line (certauthzd(8), LOGGING) and the values
 * of the Variable- headers.  Every value a client can influence (a CN, a
 * URI, a host) goes through authz_escape(), so no certificate or request
 * can forge a second line or a key=value pair of its own.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "authz.h"

/* Appends the bytes of s to buf at *o, within size (one byte kept). */
static void
decision_put(char *buf, size_t size, size_t *o, const char *s, size_t n)
{
	if (size == 0 || *o >= size - 1) {
		*o += n;
		return;
	}
	if (n > size - 1 - *o) {
		memcpy(buf + *o, s, size - 1 - *o);
		*o += n;
		return;
	}
	memcpy(buf + *o, s, n);
	*o += n;
}

static int
decision_needs_quotes(const unsigned char *s, size_t n)
{
	size_t	 i;

	if (n == 0)
		return 1;
	for (i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] >= 0x7f || s[i] == '"' ||
		    s[i] == '\\')
			return 1;
	return 0;
}

/*
 * Writes v escaped at buf + *o; *o counts what would have been written,
 * so the caller can tell truncation.
 */
static void
decision_value(char *buf, size_t size, size_t *o, const char *v)
{
	const unsigned char	*s = (const unsigned char *)v;
	size_t			 n, i;
	int			 quote, cut = 0;
	char			 hex[5];

	if (v == NULL) {
		decision_put(buf, size, o, "-", 1);
		return;
	}
	n = strlen(v);
	if (n > AUTHZ_VALUE_MAX) {
		n = AUTHZ_VALUE_MAX;
		cut = 1;
	}
	quote = decision_needs_quotes(s, n);
	if (quote)
		decision_put(buf, size, o, "\"", 1);
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\') {
			hex[0] = '\\';
			hex[1] = (char)s[i];
			decision_put(buf, size, o, hex, 2);
		} else if (s[i] < 0x20 || s[i] >= 0x7f) {
			snprintf(hex, sizeof(hex), "\\x%02x", s[i]);
			decision_put(buf, size, o, hex, 4);
		} else
			decision_put(buf, size, o, (const char *)s + i, 1);
	}
	if (cut)
		decision_put(buf, size, o, "...", 3);
	if (quote)
		decision_put(buf, size, o, "\"", 1);
}

static void
decision_end(char *buf, size_t size, size_t o)
{
	if (size > 0)
		buf[o < size ? o : size - 1] = '\0';
}

size_t
authz_escape(char *buf, size_t size, const char *v)
{
	size_t	 o = 0;

	decision_value(buf, size, &o, v);
	decision_end(buf, size, o);
	return o < size ? o : (size > 0 ? size - 1 : 0);
}

static void
decision_pair(char *buf, size_t size, size_t *o, const char *key,
    const char *v)
{
	decision_put(buf, size, o, " ", 1);
	decision_put(buf, size, o, key, strlen(key));
	decision_put(buf, size, o, "=", 1);
	decision_value(buf, size, o, v);
}

/* The first word of the line for a result. */
static const char *
decision_word(enum authz_result r)
{
	switch (r) {
	case AUTHZ_ALLOW:
		return "allow";
	case AUTHZ_DENY:
		return "deny";
	default:
		return "error";
	}
}

size_t
authz_decision_line(const struct authz_decision *d,
    const struct authz_request *req, char *buf, size_t size)
{
	const struct cert_info	*ci = d->cert;
	const char		*word = decision_word(d->result);
	char			 us[32];
	size_t			 o = 0;

	decision_put(buf, size, &o, word, strlen(word));
	decision_pair(buf, size, &o, "policy", d->policy);
	decision_pair(buf, size, &o, "rule", d->rule);
	if (d->result != AUTHZ_ALLOW)
		decision_pair(buf, size, &o, "reason",
		    d->reason ? d->reason : "unknown");
	decision_pair(buf, size, &o, "user", d->user);
	decision_pair(buf, size, &o, "serial", ci ? ci->serial : NULL);
	decision_pair(buf, size, &o, "subject", ci ? ci->subject_str : NULL);
	decision_pair(buf, size, &o, "issuer", ci ? ci->issuer_str : NULL);
	decision_pair(buf, size, &o, "email", d->email);
	decision_pair(buf, size, &o, "method", req ? req->method : NULL);
	decision_pair(buf, size, &o, "host", req ? req->host : NULL);
	decision_pair(buf, size, &o, "uri", req ? req->uri : NULL);
	decision_pair(buf, size, &o, "remote", req ? req->remote : NULL);
	decision_pair(buf, size, &o, "role", req ? req->role : NULL);
	snprintf(us, sizeof(us), "%ld", d->us);
	decision_pair(buf, size, &o, "us", us);
	/* after us=, so that parsers of the line without them keep working */
	if (d->shadow != 0) {
		decision_pair(buf, size, &o, "shadow",
		    decision_word(d->shadow_result));
		decision_pair(buf, size, &o, "shadow_policy", d->shadow_policy);
		decision_pair(buf, size, &o, "shadow_rule", d->shadow_rule);
		if (d->shadow_result != AUTHZ_ALLOW)
			decision_pair(buf, size, &o, "shadow_reason",
			    d->shadow_reason ? d->shadow_reason : "unknown");
		if (d->shadow == 1 && d->shadow_result != d->result)
			decision_pair(buf, size, &o, "shadow_diff", "1");
	}
	decision_end(buf, size, o);
	return o < size ? o : (size > 0 ? size - 1 : 0);
}

/*
 * The bytes authz_header_value() writes for s[i], the byte at i of a
 * value: 2 for '\', 4 for a control byte, 0x7f or an edge space
 * (\xNN), else 1.
 */
static size_t
decision_header_width(const unsigned char *s, size_t i)
{
	if (s[i] == '\\')
		return 2;
	if (s[i] < 0x20 || s[i] == 0x7f || (s[i] == ' ' &&
	    (i == 0 || s[i + 1] == '\0')))
		return 4;
	return 1;
}

/* The length of v as authz_header_value() writes it uncut. */
static size_t
decision_header_len(const char *v)
{
	const unsigned char	*s = (const unsigned char *)(v ? v : "");
	size_t			 n = 0, i;

	for (i = 0; s[i] != '\0'; i++)
		n += decision_header_width(s, i);
	return n;
}

int
authz_header_fits(const char *v)
{
	return decision_header_len(v) <= AUTHZ_HEADER_MAX;
}

int
authz_header_value(char *buf, size_t size, const char *v)
{
	const unsigned char	*s = (const unsigned char *)(v ? v : "");
	size_t			 o = 0, i, w, max, back;
	int			 cut;

	if (size < 4) {
		if (size > 0)
			buf[0] = '\0';
		return -1;
	}
	max = size - 1 < AUTHZ_HEADER_MAX ? size - 1 : AUTHZ_HEADER_MAX;
	cut = decision_header_len(v) > max;
	if (cut)
		max -= 3;	/* room for the "..." */
	for (i = 0; s[i] != '\0'; i++) {
		if (o + (w = decision_header_width(s, i)) > max)
			break;
		if (w == 2) {
			buf[o++] = '\\';
			buf[o++] = '\\';
		} else if (w == 4) {
			snprintf(buf + o, 5, "\\x%02x", s[i]);
			o += 4;
		} else
			buf[o++] = (char)s[i];
	}
	if (cut) {
		/* never end inside a UTF-8 character: drop its first bytes */
		for (back = 0; back < 3 && i > 0 && (s[i] & 0xc0) == 0x80 &&
		    s[i - 1] >= 0x80; back++) {
			i--;
			o--;	/* a byte >= 0x80 was written as itself */
		}
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return (int)o;
}
