/*
 * show.c: `certauthz show CERT`, what a policy can match in CERT, one
 * `field: value` line per value, values escaped as the decision line
 * escapes them, a NUL byte included; and cli_read_input(), shared with
 * `check`.
 *
 * Field names are the policy keys of certauthz.conf(5): serial, subject,
 * issuer, cn, ou, o, l, st, c, dc, uid, serialNumber (names.c), any
 * other subject attribute by dotted OID, email (marked "(san)" or
 * "(subject)" by where it comes from), dns, uri, ip, fingerprint, spki,
 * not_before, not_after (ISO 8601 UTC), eku, and ca (yes or no).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authz.h"
#include "names.h"
#include "cli.h"

int
cli_read_input(const char *path, size_t max, char **buf, size_t *len)
{
	FILE	*f;
	char	*b;
	size_t	 n;
	int	 stdin_ = strcmp(path, "-") == 0;

	*buf = NULL;
	*len = 0;
	if ((f = stdin_ ? stdin : fopen(path, "rb")) == NULL) {
		fprintf(stderr, "certauthz: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if ((b = malloc(max + 2)) == NULL) {
		fprintf(stderr, "certauthz: %s: out of memory\n", __func__);
		goto fail;
	}
	n = fread(b, 1, max + 1, f);
	if (ferror(f)) {
		fprintf(stderr, "certauthz: %s: read error\n", path);
		goto fail;
	}
	if (n > max) {
		fprintf(stderr, "certauthz: %s: larger than %zu bytes\n", path,
		    max);
		goto fail;
	}
	if (!stdin_)
		fclose(f);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
 fail:
	free(b);
	if (!stdin_)
		fclose(f);
	return -1;
}

/* The policy key of a subject attribute: its short name, or its OID. */
static const char *
show_key(const struct dn_ava *a)
{
	const char	*key = names_attr_key(a->oid);

	return key != NULL ? key : a->oid;
}

/*
 * Prints "field: value", the len bytes of v escaped as authz_escape()
 * escapes a value of the decision line (quoted when needed, \xNN, cut
 * at AUTHZ_VALUE_MAX bytes with "..."), but a NUL byte too is written
 * \x00 and said, never taken for the end of the value.
 */
static void
show_line(const char *field, const char *v, size_t len, const char *note)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t		 n = len > AUTHZ_VALUE_MAX ? AUTHZ_VALUE_MAX : len, i;
	int		 quote = n == 0;

	for (i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] >= 0x7f || s[i] == '"' || s[i] == '\\')
			quote = 1;
	printf("%s: %s", field, quote ? "\"" : "");
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			printf("\\%c", s[i]);
		else if (s[i] < 0x20 || s[i] >= 0x7f)
			printf("\\x%02x", s[i]);
		else
			putchar(s[i]);
	}
	printf("%s%s%s%s\n", len > n ? "..." : "", quote ? "\"" : "",
	    memchr(v, '\0', len) != NULL ? " (holds a NUL byte)" : "",
	    note != NULL ? note : "");
}

static void
show_list(const char *field, const struct strlist *l, const char *note)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		show_line(field, l->v[i], l->len[i], note);
}

static void
show_time(const char *field, time_t t)
{
	struct tm	 tm;
	char		 buf[32];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		strcpy(buf, "?");
	printf("%s: %s\n", field, buf);
}

int
cli_show(int argc, char *argv[])
{
	struct cert_info *ci;
	const struct dn_ava *a;
	const char	*reason;
	char		*buf;
	size_t		 len, i, j;

	if (argc != 2) {
		fprintf(stderr, "usage: certauthz show CERT\n");
		return 2;
	}
	if (cli_read_input(argv[1], cert_encoded_max(AUTHZ_CERT_MAX_DEFAULT),
	    &buf, &len) == -1)
		return 2;
	ci = cert_decode(buf, len, AUTHZ_CERT_MAX_DEFAULT, &reason);
	free(buf);
	if (ci == NULL) {
		fprintf(stderr, "certauthz: %s: %s\n", argv[1], reason);
		return 2;
	}
	show_line("serial", ci->serial, strlen(ci->serial), NULL);
	show_line("subject", ci->subject_str, strlen(ci->subject_str), NULL);
	show_line("issuer", ci->issuer_str, strlen(ci->issuer_str), NULL);
	for (i = 0; i < ci->subject.nrdn; i++)
		for (j = 0; j < ci->subject.rdn[i].nava; j++) {
			a = &ci->subject.rdn[i].ava[j];
			show_line(show_key(a), a->value, a->len, NULL);
		}
	show_list("email", &ci->san_email, " (san)");
	show_list("email", &ci->subject_email, " (subject)");
	show_list("dns", &ci->dns, NULL);
	show_list("uri", &ci->uri, NULL);
	show_list("ip", &ci->ip, NULL);
	show_line("fingerprint", ci->fingerprint, strlen(ci->fingerprint),
	    NULL);
	show_line("spki", ci->spki, strlen(ci->spki), NULL);
	show_time("not_before", ci->not_before);
	show_time("not_after", ci->not_after);
	show_list("eku", &ci->eku, NULL);
	printf("ca: %s\n", ci->is_ca ? "yes" : "no");
	cert_free(ci);
	return fflush(stdout) == 0 ? 0 : 2;
}
