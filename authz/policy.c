/*
 * policy.c: reads a policy file (libconfig syntax, certauthz.conf(5))
 * and every file it names into a compiled, immutable struct
 * authz_policy.
 *
 * Everything is validated and normalized here, once: unknown keys,
 * wrong types, malformed values, unknown lists and duplicate names are
 * errors naming FILE:LINE, and any error refuses the whole file.  With
 * AUTHZ_LOAD_LINT the loader also reports warnings (rules that always
 * hold, allow rules a deny rule shadows, serials without issuer, deny
 * rules on fingerprint, policies that only CERTAUTHZ_POLICY can reach).
 *
 * Relative paths (ca_file, crl_file, list files) are resolved against
 * the directory of the policy file.
 */
#define _POSIX_C_SOURCE 200809L

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <libconfig.h>

#include "authz.h"
#include "names.h"
#include "policy_impl.h"

/* A policy, list, CA or CRL file is at most this large (a list of
 * 1,000,000 e-mail addresses is about 30 MB). */
#define POLICY_FILE_MAX		(256L * 1024 * 1024)
#define POLICY_FILE_MAX_TEXT	"256 MiB"
#define POLICY_INCLUDE_DEPTH	10	/* libconfig 1.5's own limit */

struct lentry {
	const char	*s;
	int		 line;
};

struct list {
	const char	*name;
	const char	*decl;		/* the file that declares it */
	const char	*file;		/* where the entries are */
	int		 line;
	char		*buf;		/* a list file's contents */
	struct lentry	*e;
	size_t		 n;
	struct valueset	*compiled[K_NKINDS];
	int		 failed[K_NKINDS];
	int		 broken;	/* did not load: reported */
};

struct loader {
	const char		*file;
	char			*dir;
	int			 flags;
	authz_msg_fn		 msg;
	void			*arg;
	int			 errors;
	struct authz_policy	*p;
	struct list		*lists;
	size_t			 nlists;
	char			*nbuf;		/* normalization buffer */
	size_t			 nbufsize;
	int			 has_ca;
	char			**issuers;	/* distinct issuer sigs */
	size_t			 nissuers;
};

static const struct condkey {
	const char	*name;
	enum cond_kind	 kind;
	const char	*oid;
} policy_keys[] = {
	{ "serial",	K_SERIAL,	NULL },
	{ "issuer",	K_ISSUER,	NULL },
	{ "subject",	K_SUBJECT,	NULL },
	{ "email",	K_EMAIL,	NULL },
	{ "dns",	K_DNS,		NULL },
	{ "uri",	K_URI,		NULL },
	{ "ip",		K_IP,		NULL },
	{ "fingerprint", K_FINGERPRINT,	NULL },
	{ "spki",	K_SPKI,		NULL },
	{ "eku",	K_EKU,		NULL },
};

static const struct {
	const char	*name;
	int		 value;
} policy_facilities[] = {
	{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

static const char *policy_identities[] = {
	"cn", "email", "subject", "serial", "uri", "dns", "fingerprint"
};

static void policy_msg(struct loader *, const char *, int, int,
    const char *, ...) __attribute__((format(printf, 5, 6)));

static void
policy_msg(struct loader *ld, const char *file, int line, int warning,
    const char *fmt, ...)
{
	char	 text[1024], out[1400];
	va_list	 ap;

	if (warning && !(ld->flags & AUTHZ_LOAD_LINT))
		return;
	if (!warning)
		ld->errors++;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(out, sizeof(out), "%s:%d: %s%s", file ? file :
		    ld->file, line, warning ? "warning: " : "", text);
	else	/* the file as a whole: unreadable, out of memory */
		snprintf(out, sizeof(out), "%s: %s%s", file ? file : ld->file,
		    warning ? "warning: " : "", text);
	if (ld->msg != NULL)
		ld->msg(ld->arg, out);
}

#define ERR(ld, s, ...) policy_msg((ld), policy_file(ld, s), \
	config_setting_source_line(s), 0, __VA_ARGS__)
#define WARN(ld, line, ...) policy_msg((ld), NULL, (line), 1, __VA_ARGS__)

static const char *
policy_file(struct loader *ld, const config_setting_t *s)
{
	const char	*f = config_setting_source_file(s);

	return f != NULL ? f : ld->file;
}

static int
policy_oom(struct loader *ld)
{
	policy_msg(ld, NULL, 0, 0, "%s: out of memory", __func__);
	return -1;
}

/* Returns path resolved against the policy file's directory. */
static char *
policy_path(struct loader *ld, const char *path)
{
	char	*r;
	size_t	 n;

	if (path[0] == '/' || ld->dir == NULL)
		return arena_strndup(ld->p->arena, path, strlen(path));
	n = strlen(ld->dir) + strlen(path) + 2;
	if ((r = arena_alloc(ld->p->arena, n)) == NULL)
		return NULL;
	snprintf(r, n, "%s/%s", ld->dir, path);
	return r;
}

static struct set *
policy_set(struct loader *ld)
{
	struct authz_policy	*p = ld->p;
	struct set		**n, *s;

	if (p->nsetv == p->setcap) {
		p->setcap = p->setcap ? p->setcap * 2 : 16;
		if ((n = realloc(p->setv, p->setcap * sizeof(*n))) == NULL)
			return NULL;
		p->setv = n;
	}
	if ((s = set_new(p->arena)) == NULL)
		return NULL;
	p->setv[p->nsetv++] = s;
	return s;
}

static struct valueset *
policy_valueset(struct loader *ld)
{
	struct valueset	*vs;

	if ((vs = arena_alloc(ld->p->arena, sizeof(*vs))) == NULL)
		return NULL;
	memset(vs, 0, sizeof(*vs));
	if ((vs->exact = policy_set(ld)) == NULL ||
	    (vs->domains = policy_set(ld)) == NULL)
		return NULL;
	return vs;
}

/*
 * Normalizes value v for kind and adds it to vs.  Reports errors at
 * file:line.  Returns 0, or -1 after reporting.
 */
static int
policy_value(struct loader *ld, struct valueset *vs, enum cond_kind kind,
    const char *v, const char *file, int line)
{
	struct authz_policy	*p = ld->p;
	struct dn		 dn;
	const char		*err = NULL;
	size_t			 need = strlen(v) + 64;
	char			*nb, oid[128];
	int			 r;

	if (kind == K_ISSUER || kind == K_SUBJECT) {
		if (dn_parse(v, strlen(v), &dn, &err) == -1) {
			policy_msg(ld, file, line, 0, "malformed DN \"%s\": %s",
			    v, err ? err : "unparsable");
			return -1;
		}
		if (p->ndnv == p->dncap) {
			struct dn *n;

			p->dncap = p->dncap ? p->dncap * 2 : 16;
			if ((n = realloc(p->dnv, p->dncap * sizeof(*n))) ==
			    NULL) {
				dn_free(&dn);
				return policy_oom(ld);
			}
			p->dnv = n;
		}
		p->dnv[p->ndnv++] = dn;
		if (arena_grow(p->arena, &vs->dns, vs->ndn, sizeof(dn)) == -1)
			return policy_oom(ld);
		vs->dns[vs->ndn++] = dn;
		return 0;
	}
	if (ld->nbufsize < need) {
		if ((nb = realloc(ld->nbuf, need)) == NULL)
			return policy_oom(ld);
		ld->nbuf = nb;
		ld->nbufsize = need;
	}
	if (kind == K_EKU)
		v = names_oid(v, oid, sizeof(oid));
	if ((r = match_normalize(kind, v, ld->nbuf, ld->nbufsize, &err)) ==
	    -1) {
		policy_msg(ld, file, line, 0, "%s \"%s\"", err, v);
		return -1;
	}
	if (kind == K_EKU) {
		if (arena_grow(p->arena, &vs->all, vs->nall,
		    sizeof(char *)) == -1 || (vs->all[vs->nall] =
		    arena_strndup(p->arena, ld->nbuf, strlen(ld->nbuf))) ==
		    NULL)
			return policy_oom(ld);
		vs->nall++;
		return 0;
	}
	if (match_add(p->arena, vs, kind, ld->nbuf, r) == -1)
		return policy_oom(ld);
	return 0;
}

/* The kind a list is compiled for: every attribute compiles alike. */
static struct valueset *
policy_list_compiled(struct loader *ld, struct list *l, enum cond_kind kind)
{
	struct valueset	*vs;
	size_t		 i;
	int		 bad = 0;

	if (l->failed[kind])
		return NULL;
	if (l->compiled[kind] != NULL)
		return l->compiled[kind];
	if ((vs = policy_valueset(ld)) == NULL) {
		policy_oom(ld);
		return NULL;
	}
	for (i = 0; i < l->n; i++)
		if (policy_value(ld, vs, kind, l->e[i].s, l->file,
		    l->e[i].line) == -1 && ++bad >= 10)
			break;
	if (bad) {
		l->failed[kind] = 1;
		return NULL;
	}
	l->compiled[kind] = vs;
	return vs;
}

static struct list *
policy_list_find(struct loader *ld, const char *name)
{
	size_t	 i;

	for (i = 0; i < ld->nlists; i++)
		if (strcmp(ld->lists[i].name, name) == 0)
			return &ld->lists[i];
	return NULL;
}

/* Is s a string, or a list/array of strings?  Returns the count or -1. */
static int
policy_strings(const config_setting_t *s)
{
	int	 i, n;

	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		return 1;
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST)
		return -1;
	n = config_setting_length(s);
	for (i = 0; i < n; i++)
		if (config_setting_type(config_setting_get_elem(s, i)) !=
		    CONFIG_TYPE_STRING)
			return -1;
	return n;
}

static const config_setting_t *
policy_string_at(const config_setting_t *s, int i)
{
	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		return s;
	return config_setting_get_elem(s, i);
}

/*
 * Opens path for reading and returns the descriptor, or -1 with a reason in
 * *why.  Only a regular file of at most POLICY_FILE_MAX bytes will do: a
 * directory (whose lseek() size on ext4 is 2^63-1), a FIFO or a device
 * could hang the loader or make it allocate without bound.  O_NONBLOCK
 * keeps open() itself from waiting on a FIFO.  *size is the file's size.
 */
static int
policy_open_regular(const char *path, size_t *size, const char **why)
{
	struct stat	 st;
	int		 fd;

	*why = NULL;
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) ==
	    -1) {
		*why = strerror(errno);
		return -1;
	}
	if (fstat(fd, &st) == -1)
		*why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		*why = "not a regular file";
	else if (st.st_size > POLICY_FILE_MAX)
		*why = "larger than " POLICY_FILE_MAX_TEXT;
	if (*why != NULL) {
		close(fd);
		return -1;
	}
	*size = (size_t)st.st_size;
	return fd;
}

/* Returns 0 when path is a regular file of sane size, else -1 and *why. */
static int
policy_check_regular(const char *path, const char **why)
{
	size_t	 size;
	int	 fd;

	if ((fd = policy_open_regular(path, &size, why)) == -1)
		return -1;
	close(fd);
	return 0;
}

/*
 * Reads all of the regular file path into *buf (NUL-terminated).  A file
 * that holds a NUL byte is refused.  Returns 0, or -1 with *why set.
 */
static int
policy_slurp(const char *path, char **buf, size_t *len, const char **why)
{
	size_t	 size, got = 0;
	ssize_t	 r;
	int	 fd;

	*buf = NULL;
	if ((fd = policy_open_regular(path, &size, why)) == -1)
		return -1;
	if ((*buf = malloc(size + 1)) == NULL) {
		*why = "out of memory";
		close(fd);
		return -1;
	}
	/* a file that grows meanwhile is read up to its size at open */
	while (got < size) {
		if ((r = read(fd, *buf + got, size - got)) == -1) {
			if (errno == EINTR)
				continue;
			*why = strerror(errno);
			break;
		}
		if (r == 0) {
			*why = "short read";
			break;
		}
		got += (size_t)r;
	}
	close(fd);
	if (got != size) {
		free(*buf);
		*buf = NULL;
		return -1;
	}
	(*buf)[got] = '\0';
	*len = got;
	/* libconfig reads on past a NUL byte; C strings and the include
	 * scan would not */
	if (memchr(*buf, '\0', got) != NULL) {
		*why = "holds a NUL byte";
		free(*buf);
		*buf = NULL;
		return -1;
	}
	return 0;
}

/*
 * libconfig 1.5 opens the files of "@include" itself, with fopen(): a
 * FIFO there would hang the loader, and a directory makes its scanner
 * exit() the whole process ("input in flex scanner failed").  So every
 * line of file that reads as an include (^[ \t]*@include[ \t]+"PATH"),
 * and of what it includes in turn, must name a regular file, or nothing
 * (libconfig then reports the missing file itself).  Comments are not
 * parsed here: an include in a comment is checked too, which is only
 * stricter.  PATH is resolved as libconfig does, against the include
 * directory.  A file holding a NUL byte is refused.  Returns 0, or -1
 * once the error is reported.
 */
static int
policy_check_includes(struct loader *ld, const char *file, int depth)
{
	struct stat	 st;
	char		*buf, *p, *q, *eol, path[PATH_MAX];
	const char	*why, *dir = ld->dir != NULL ? ld->dir : ".";
	size_t		 len;
	int		 line = 0, rc = 0;

	if (policy_slurp(file, &buf, &len, &why) == -1) {
		policy_msg(ld, depth == 0 ? NULL : file, 0, 0, "cannot read: %s",
		    why);
		return -1;
	}
	for (p = buf; rc == 0 && p < buf + len; p = eol + 1) {
		line++;
		if ((eol = memchr(p, '\n', buf + len - p)) == NULL)
			eol = buf + len;
		p += strspn(p, " \t");
		if (strncmp(p, "@include", 8) != 0 || (p[8] != ' ' &&
		    p[8] != '\t'))
			continue;
		p += 8 + strspn(p + 8, " \t");
		if (*p != '"' || (q = memchr(p + 1, '"', eol - p - 1)) == NULL)
			continue;	/* libconfig's error to report */
		*q = '\0';
		p++;
		if ((size_t)snprintf(path, sizeof(path), "%s%s%s",
		    *p == '/' ? "" : dir, *p == '/' ? "" : "/", p) >=
		    sizeof(path)) {
			policy_msg(ld, file, line, 0, "@include path too long");
			rc = -1;
		} else if (stat(path, &st) == -1 && errno == ENOENT)
			continue;
		else if (depth >= POLICY_INCLUDE_DEPTH) {
			policy_msg(ld, file, line, 0, "@include nested deeper "
			    "than %d", POLICY_INCLUDE_DEPTH);
			rc = -1;
		} else if (policy_check_regular(path, &why) == -1) {
			policy_msg(ld, file, line, 0, "@include \"%s\": %s", p,
			    why);
			rc = -1;
		} else
			rc = policy_check_includes(ld, path, depth + 1);
	}
	free(buf);
	return rc;
}

/* Reads a list file: one entry a line, '#' comments, blanks trimmed. */
static int
policy_list_file(struct loader *ld, struct list *l, const config_setting_t *s,
    const char *path)
{
	char		*p, *end, *line, *e, *h;
	const char	*why;
	size_t		 cap = 0, got;
	int		 lineno = 0;

	if (*path == '\0') {
		ERR(ld, s, "list file must be a file name");
		return -1;
	}
	if ((l->file = policy_path(ld, path)) == NULL)
		return policy_oom(ld);
	if (policy_slurp(l->file, &l->buf, &got, &why) == -1) {
		ERR(ld, s, "cannot read list file %s: %s", l->file, why);
		return -1;
	}
	for (p = l->buf; p < l->buf + got; p = end + 1) {
		lineno++;
		if ((end = strchr(p, '\n')) == NULL)
			end = p + strlen(p);
		*end = '\0';
		line = p;
		/* a comment starts a line or follows a blank */
		for (h = line; (h = strchr(h, '#')) != NULL; h++)
			if (h == line || h[-1] == ' ' || h[-1] == '\t') {
				*h = '\0';
				break;
			}
		while (*line == ' ' || *line == '\t')
			line++;
		e = line + strlen(line);
		while (e > line && (e[-1] == ' ' || e[-1] == '\t' ||
		    e[-1] == '\r'))
			*--e = '\0';
		if (*line == '\0')
			continue;
		if (l->n == cap) {
			struct lentry *n;

			cap = cap ? cap * 2 : 1024;
			if ((n = realloc(l->e, cap * sizeof(*n))) == NULL)
				return policy_oom(ld);
			l->e = n;
		}
		l->e[l->n].s = line;
		l->e[l->n++].line = lineno;
	}
	return 0;
}

static int
policy_lists(struct loader *ld, const config_setting_t *lists)
{
	const config_setting_t	*s, *f;
	struct list		*l;
	int			 i, j, n;

	if (config_setting_type(lists) != CONFIG_TYPE_GROUP) {
		ERR(ld, lists, "lists must be a group: lists = { ... };");
		return -1;
	}
	n = config_setting_length(lists);
	if ((ld->lists = calloc(n > 0 ? n : 1, sizeof(*ld->lists))) == NULL)
		return policy_oom(ld);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(lists, i);
		l = &ld->lists[ld->nlists++];
		l->name = config_setting_name(s);
		l->line = config_setting_source_line(s);
		l->decl = l->file = policy_file(ld, s);
		if (config_setting_type(s) == CONFIG_TYPE_GROUP) {
			if (config_setting_length(s) != 1 ||
			    (f = config_setting_get_member(s, "file")) ==
			    NULL || config_setting_type(f) !=
			    CONFIG_TYPE_STRING) {
				ERR(ld, s, "list %s: a group holds exactly "
				    "file = \"PATH\";", l->name);
				l->broken = 1;
				continue;
			}
			if (policy_list_file(ld, l, f,
			    config_setting_get_string(f)) == -1)
				l->broken = 1;
			continue;
		}
		if (config_setting_type(s) == CONFIG_TYPE_STRING ||
		    policy_strings(s) < 0) {
			ERR(ld, s, "list %s: want [ \"...\", ... ] or "
			    "{ file = \"PATH\"; }", l->name);
			l->broken = 1;
			continue;
		}
		if ((l->e = calloc(config_setting_length(s) + 1,
		    sizeof(*l->e))) == NULL)
			return policy_oom(ld);
		for (j = 0; j < config_setting_length(s); j++) {
			f = config_setting_get_elem(s, j);
			l->e[l->n].s = config_setting_get_string(f);
			l->e[l->n++].line = config_setting_source_line(f);
		}
	}
	return 0;
}

static int
policy_bool(struct loader *ld, const config_setting_t *s, int *out)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		ERR(ld, s, "%s must be true or false", config_setting_name(s));
		return -1;
	}
	*out = config_setting_get_bool(s);
	return 0;
}

static int
policy_settings(struct loader *ld, const config_setting_t *set)
{
	struct authz_policy	*p = ld->p;
	const config_setting_t	*s, *e, *ca = NULL, *crl = NULL;
	const char		*name, *v, *reason = NULL;
	char			*capath, *crlpath = NULL;
	long long		 ll;
	size_t			 k;
	int			 i, j, n;

	if (config_setting_type(set) != CONFIG_TYPE_GROUP) {
		ERR(ld, set, "settings must be a group: settings = { ... };");
		return -1;
	}
	for (i = 0; i < config_setting_length(set); i++) {
		s = config_setting_get_elem(set, i);
		name = config_setting_name(s);
		v = config_setting_type(s) == CONFIG_TYPE_STRING ?
		    config_setting_get_string(s) : NULL;
		if (strcmp(name, "identity") == 0) {
			for (k = 0; v != NULL && k < sizeof(policy_identities) /
			    sizeof(policy_identities[0]); k++)
				if (strcmp(v, policy_identities[k]) == 0)
					break;
			if (v == NULL || k == sizeof(policy_identities) /
			    sizeof(policy_identities[0]))
				ERR(ld, s, "identity must be one of cn, email, "
				    "subject, serial, uri, dns, fingerprint");
			else
				p->identity = (enum identity)k;
		} else if (strcmp(name, "check_validity") == 0)
			policy_bool(ld, s, &p->check_validity);
		else if (strcmp(name, "require_client_auth") == 0)
			policy_bool(ld, s, &p->require_client_auth);
		else if (strcmp(name, "log_allow") == 0)
			policy_bool(ld, s, &p->log_allow);
		else if (strcmp(name, "email_sources") == 0) {
			n = policy_strings(s);
			if (n < 1 || n > 2 ||
			    config_setting_type(s) == CONFIG_TYPE_STRING) {
				ERR(ld, s, "email_sources must be a list of "
				    "\"san\" and/or \"subject\"");
				continue;
			}
			p->email_src[0] = p->email_src[1] = 0;
			for (j = 0; j < n; j++) {
				e = config_setting_get_elem(s, j);
				v = config_setting_get_string(e);
				if (strcmp(v, "san") == 0)
					p->email_src[j] = EMAIL_SRC_SAN;
				else if (strcmp(v, "subject") == 0)
					p->email_src[j] = EMAIL_SRC_SUBJECT;
				else
					ERR(ld, e, "unknown email source \"%s\" "
					    "(san or subject)", v);
			}
			if (n == 2 && p->email_src[0] == p->email_src[1])
				ERR(ld, s, "email_sources names a source "
				    "twice");
		} else if (strcmp(name, "syslog_facility") == 0) {
			for (k = 0; v != NULL && k < sizeof(policy_facilities) /
			    sizeof(policy_facilities[0]); k++)
				if (strcmp(v, policy_facilities[k].name) == 0)
					break;
			if (v == NULL || k == sizeof(policy_facilities) /
			    sizeof(policy_facilities[0]))
				ERR(ld, s, "unknown syslog_facility (auth, "
				    "authpriv, daemon, user, local0..local7)");
			else
				p->facility = policy_facilities[k].value;
		} else if (strcmp(name, "max_cert_bytes") == 0) {
			if (config_setting_type(s) != CONFIG_TYPE_INT &&
			    config_setting_type(s) != CONFIG_TYPE_INT64) {
				ERR(ld, s, "max_cert_bytes must be an integer");
				continue;
			}
			ll = config_setting_get_int64(s);
			if (config_setting_type(s) == CONFIG_TYPE_INT)
				ll = config_setting_get_int(s);
			/* a request is at most 64 KiB in all (certauthzd) */
			if (ll < 1024 || ll > AUTHZ_CERT_MAX_LIMIT)
				ERR(ld, s, "max_cert_bytes must be within "
				    "1024..%d", AUTHZ_CERT_MAX_LIMIT);
			else
				p->max_cert = (size_t)ll;
		} else if (strcmp(name, "ca_file") == 0 ||
		    strcmp(name, "crl_file") == 0) {
			if (v == NULL || *v == '\0') {
				ERR(ld, s, "%s must be a file name", name);
				continue;
			}
			if (name[1] == 'a')
				ca = s;
			else
				crl = s;
		} else
			ERR(ld, s, "unknown setting %s", name);
	}
	if (crl != NULL && ca == NULL) {
		ERR(ld, crl, "crl_file needs ca_file");
		return -1;
	}
	if (ca == NULL)
		return 0;
	ld->has_ca = 1;
	if ((capath = policy_path(ld, config_setting_get_string(ca))) == NULL ||
	    (crl != NULL && (crlpath = policy_path(ld,
	    config_setting_get_string(crl))) == NULL))
		return policy_oom(ld);
	if (policy_check_regular(capath, &reason) == -1) {
		ERR(ld, ca, "cannot load %s: %s", capath, reason);
		return -1;
	}
	if (crlpath != NULL && policy_check_regular(crlpath, &reason) == -1) {
		ERR(ld, crl, "cannot load %s: %s", crlpath, reason);
		return -1;
	}
	if ((p->store = cert_store_load(capath, crlpath, &reason)) == NULL) {
		ERR(ld, crl != NULL ? crl : ca, "cannot load %s%s%s: %s",
		    capath, crlpath ? " or " : "", crlpath ? crlpath : "",
		    reason ? reason : "unusable");
		return -1;
	}
	return 0;
}

/* Returns the key's description, or NULL when it is no condition key. */
static const struct condkey *
policy_condkey(const char *name, struct condkey *tmp, char *oidbuf,
    size_t size)
{
	const char	*p;
	size_t		 i, o = 0;

	for (i = 0; i < sizeof(policy_keys) / sizeof(policy_keys[0]); i++)
		if (strcmp(name, policy_keys[i].name) == 0)
			return &policy_keys[i];
	/* cn, ou, ...: an attribute by the key names.c gives it */
	if ((p = names_attr_oid(name)) != NULL) {
		tmp->name = name;
		tmp->kind = K_ATTR;
		tmp->oid = p;
		return tmp;
	}
	/* oid_2_5_4_97: an attribute by OID (libconfig names have no dots) */
	if (strncmp(name, "oid_", 4) != 0 || name[4] == '\0')
		return NULL;
	for (p = name + 4; *p != '\0' && o < size - 1; p++) {
		if (*p == '_')
			oidbuf[o++] = '.';
		else if (*p >= '0' && *p <= '9')
			oidbuf[o++] = *p;
		else
			return NULL;
	}
	oidbuf[o] = '\0';
	if (*p != '\0' || oidbuf[o - 1] == '.' || strchr(oidbuf, '.') == NULL ||
	    strstr(oidbuf, "..") != NULL)
		return NULL;
	tmp->name = name;
	tmp->kind = K_ATTR;
	tmp->oid = oidbuf;
	return tmp;
}

/*
 * Compiles one condition (or a `when` key) from setting s.  Returns 0,
 * or -1 after reporting.
 */
static int
policy_cond(struct loader *ld, struct cond *c, enum cond_kind kind,
    const char *oid, const config_setting_t *s)
{
	struct arena		*a = ld->p->arena;
	const config_setting_t	*e;
	struct valueset		*inl = NULL, *vs;
	struct list		*l;
	const char		*v;
	size_t			 siglen = 0, vl;
	int			 i, n, bad = 0, inl_added = 0;

	c->kind = kind;
	c->key = config_setting_name(s);
	if (oid != NULL && (c->oid = arena_strndup(a, oid, strlen(oid))) ==
	    NULL)
		return policy_oom(ld);
	if ((n = policy_strings(s)) < 1) {
		ERR(ld, s, "%s must be a string or a list of strings", c->key);
		return -1;
	}
	for (i = 0; i < n; i++)
		siglen += strlen(config_setting_get_string(
		    policy_string_at(s, i))) + 1;
	if ((c->sig = arena_alloc(a, strlen(c->key) + siglen + 2)) == NULL)
		return policy_oom(ld);
	strcpy(c->sig, c->key);
	strcat(c->sig, "=");
	for (i = 0; i < n; i++) {
		e = policy_string_at(s, i);
		v = config_setting_get_string(e);
		strcat(c->sig, v);
		strcat(c->sig, "\x1f");
		l = v[0] == '@' ? policy_list_find(ld, v + 1) : NULL;
		/* email "@example.com" is a domain; "@staff" must be a list */
		if (v[0] == '@' && l == NULL && (kind != K_EMAIL ||
		    strchr(v + 1, '.') == NULL)) {
			ERR(ld, e, "unknown list \"%s\"", v + 1);
			bad = 1;
			continue;
		}
		/*
		 * An empty list holds for nothing (an empty revocation list
		 * is the normal first day; lint warns).  Not for eku, where
		 * it would require fewer usages, nor in `when`, where it
		 * would send requests on to a later policy.
		 */
		if (l != NULL && (l->broken || (l->n == 0 &&
		    (kind == K_EKU || kind >= K_PATH)))) {
			if (!l->broken)	/* else already reported */
				ERR(ld, e, "list %s is empty", l->name);
			bad = 1;
			continue;
		}
		if (l != NULL) {
			if ((vs = policy_list_compiled(ld, l,
			    kind)) == NULL) {
				bad = 1;
				continue;
			}
		} else {
			if (inl == NULL && (inl = policy_valueset(ld)) == NULL)
				return policy_oom(ld);
			if (policy_value(ld, inl, kind, v, policy_file(ld, e),
			    config_setting_source_line(e)) == -1)
				bad = 1;
			if (inl_added)
				continue;	/* already in c->sets */
			inl_added = 1;
			vs = inl;
		}
		vl = c->nset;
		if (arena_grow(a, &c->sets, vl, sizeof(*c->sets)) == -1)
			return policy_oom(ld);
		c->sets[c->nset++] = vs;
	}
	return bad ? -1 : 0;
}

static int
policy_rule(struct loader *ld, struct rule *r, const config_setting_t *s,
    const char *kind, int idx)
{
	struct arena		*a = ld->p->arena;
	const config_setting_t	*e;
	const struct condkey	*ck;
	struct condkey		 tmp;
	const char		*name;
	char			 oid[128], nbuf[32];
	int			 i, n;

	r->line = config_setting_source_line(s);
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		ERR(ld, s, "%s[%d] must be a group { ... }", kind, idx);
		return -1;
	}
	n = config_setting_length(s);
	if ((r->cond = arena_alloc(a, (n + 1) * sizeof(*r->cond))) == NULL)
		return policy_oom(ld);
	memset(r->cond, 0, (n + 1) * sizeof(*r->cond));
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, i);
		name = config_setting_name(e);
		if (strcmp(name, "name") == 0) {
			if (config_setting_type(e) != CONFIG_TYPE_STRING ||
			    *config_setting_get_string(e) == '\0') {
				ERR(ld, e, "name must be a non-empty string");
				continue;
			}
			r->name = config_setting_get_string(e);
			continue;
		}
		if ((ck = policy_condkey(name, &tmp, oid, sizeof(oid))) ==
		    NULL) {
			ERR(ld, e, "unknown condition %s", name);
			continue;
		}
		policy_cond(ld, &r->cond[r->ncond++], ck->kind, ck->oid, e);
	}
	if (r->name == NULL) {
		snprintf(nbuf, sizeof(nbuf), "%s[%d]", kind, idx);
		if ((r->name = arena_strndup(a, nbuf, strlen(nbuf))) == NULL)
			return policy_oom(ld);
	}
	return 0;
}

static int
policy_rules(struct loader *ld, struct pol *pl, const config_setting_t *s,
    const char *kind, struct rule **out, size_t *nout)
{
	int	 i, n;

	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		ERR(ld, s, "%s must be a list of rules: %s = ( { ... } );",
		    kind, kind);
		return -1;
	}
	n = config_setting_length(s);
	if ((*out = arena_alloc(ld->p->arena, (n + 1) * sizeof(**out))) ==
	    NULL)
		return policy_oom(ld);
	memset(*out, 0, (n + 1) * sizeof(**out));
	for (i = 0; i < n; i++)
		if (policy_rule(ld, &(*out)[(*nout)++],
		    config_setting_get_elem(s, i), kind, i) == -1)
			(*nout)--;
	(void)pl;
	return 0;
}

static int
policy_when(struct loader *ld, struct pol *pl, const config_setting_t *w)
{
	const config_setting_t	*e;
	struct cond		**slot, *c;
	enum cond_kind		 kind;
	const char		*name;
	int			 i;

	if (config_setting_type(w) != CONFIG_TYPE_GROUP) {
		ERR(ld, w, "when must be a group: when = { path = ...; };");
		return -1;
	}
	for (i = 0; i < config_setting_length(w); i++) {
		e = config_setting_get_elem(w, i);
		name = config_setting_name(e);
		if (strcmp(name, "path") == 0) {
			kind = K_PATH;
			slot = &pl->path;
		} else if (strcmp(name, "host") == 0) {
			kind = K_HOST;
			slot = &pl->host;
		} else if (strcmp(name, "method") == 0) {
			kind = K_METHOD;
			slot = &pl->method;
		} else {
			ERR(ld, e, "unknown when key %s (path, host, method)",
			    name);
			continue;
		}
		if ((c = arena_alloc(ld->p->arena, sizeof(*c))) == NULL)
			return policy_oom(ld);
		memset(c, 0, sizeof(*c));
		if (policy_cond(ld, c, kind, NULL, e) == 0)
			*slot = c;
	}
	return 0;
}

static int
policy_pol(struct loader *ld, struct pol *pl, const config_setting_t *s)
{
	const config_setting_t	*e;
	const char		*name;
	int			 i;

	/* The slot may hold a policy that failed to load: start afresh. */
	memset(pl, 0, sizeof(*pl));
	pl->line = config_setting_source_line(s);
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		ERR(ld, s, "a policy must be a group { name = ...; ... }");
		return -1;
	}
	for (i = 0; i < config_setting_length(s); i++) {
		e = config_setting_get_elem(s, i);
		name = config_setting_name(e);
		if (strcmp(name, "name") == 0) {
			if (config_setting_type(e) != CONFIG_TYPE_STRING ||
			    *config_setting_get_string(e) == '\0')
				ERR(ld, e, "name must be a non-empty string");
			else
				pl->name = config_setting_get_string(e);
		} else if (strcmp(name, "when") == 0)
			policy_when(ld, pl, e);
		else if (strcmp(name, "deny") == 0)
			policy_rules(ld, pl, e, "deny", &pl->deny, &pl->ndeny);
		else if (strcmp(name, "allow") == 0)
			policy_rules(ld, pl, e, "allow", &pl->allow,
			    &pl->nallow);
		else
			ERR(ld, e, "unknown policy key %s (name, when, deny, "
			    "allow)", name);
	}
	if (pl->name == NULL) {
		ERR(ld, s, "policy without a name");
		return -1;
	}
	return 0;
}

/* Every condition of d is also a condition of a: d holds when a does. */
static int
policy_shadows(const struct rule *d, const struct rule *a)
{
	size_t	 i, j;

	for (i = 0; i < d->ncond; i++) {
		for (j = 0; j < a->ncond; j++)
			if (strcmp(d->cond[i].sig, a->cond[j].sig) == 0)
				break;
		if (j == a->ncond)
			return 0;
	}
	return 1;
}

/*
 * Warns about a when.path glob made of a plain path X, a slash and a
 * star, without X itself: the area's own URL (nginx and Apache serve
 * /admin as well as /admin/x) would fall to a later policy.
 */
static void
policy_lint_path(struct loader *ld, const struct pol *pl)
{
	const struct valueset	*vs;
	const char		*g;
	char			*x;
	size_t			 i, j, n;

	if (pl->path == NULL)
		return;
	for (i = 0; i < pl->path->nset; i++) {
		vs = pl->path->sets[i];
		for (j = 0; j < vs->nglob; j++) {
			g = vs->globs[j];
			n = strlen(g);
			if (n < 3 || strcmp(g + n - 2, "/*") != 0 ||
			    strcspn(g, "*?\\") != n - 1)
				continue;
			if ((x = strndup(g, n - 2)) == NULL) {
				policy_oom(ld);
				return;
			}
			if (!match_when(pl->path, x))
				WARN(ld, pl->line, "policy %s: path %s does not "
				    "match %s itself; add \"%s\"", pl->name, g,
				    x, x);
			free(x);
		}
	}
}

static void
policy_lint(struct loader *ld)
{
	const struct authz_policy	*p = ld->p;
	const struct pol		*pl, *open = NULL;
	const struct rule		*r, *d;
	size_t				 i, j, k, m;
	int				 serial, issuer, fp;

	for (i = 0; i < ld->nlists; i++)
		if (ld->lists[i].n == 0 && !ld->lists[i].broken)
			policy_msg(ld, ld->lists[i].decl, ld->lists[i].line, 1,
			    "list %s is empty", ld->lists[i].name);
	for (i = 0; i < p->npol; i++) {
		pl = &p->pol[i];
		if (open != NULL)
			WARN(ld, pl->line, "policy %s is reachable only "
			    "through CERTAUTHZ_POLICY: policy %s before it "
			    "has no when", pl->name, open->name);
		if (open == NULL && pl->path == NULL && pl->host == NULL &&
		    pl->method == NULL)
			open = pl;
		if (pl->nallow == 0)
			WARN(ld, pl->line, "policy %s has no allow rule: it "
			    "denies every request", pl->name);
		policy_lint_path(ld, pl);
		for (j = 0; j < pl->ndeny + pl->nallow; j++) {
			r = j < pl->ndeny ? &pl->deny[j] :
			    &pl->allow[j - pl->ndeny];
			if (r->ncond == 0)
				WARN(ld, r->line, "rule %s has no condition: "
				    "it holds for every certificate", r->name);
			serial = issuer = fp = 0;
			for (k = 0; k < r->ncond; k++) {
				serial |= r->cond[k].kind == K_SERIAL;
				issuer |= r->cond[k].kind == K_ISSUER;
				fp |= r->cond[k].kind == K_FINGERPRINT;
			}
			/* (r, n - s) is as valid an ECDSA signature as (r, s) */
			if (j < pl->ndeny && fp)
				WARN(ld, r->line, "rule %s: a deny on "
				    "fingerprint can be bypassed by re-encoding "
				    "an ECDSA signature; use spki", r->name);
			/* one issuer in play: the only one named, or ca_file */
			if (j >= pl->ndeny && serial && !issuer &&
			    !(ld->nissuers == 1 || (ld->nissuers == 0 &&
			    ld->has_ca)))
				WARN(ld, r->line, "rule %s matches serial "
				    "without issuer: a serial is unique only "
				    "per issuer", r->name);
			if (j < pl->ndeny)
				continue;
			for (m = 0; m < pl->ndeny; m++) {
				d = &pl->deny[m];
				if (policy_shadows(d, r)) {
					WARN(ld, r->line, "allow rule %s never "
					    "holds: deny rule %s holds "
					    "whenever it does", r->name,
					    d->name);
					break;
				}
			}
		}
	}
}

static void
policy_count_issuers(struct loader *ld)
{
	const struct pol	*pl;
	const struct rule	*r;
	size_t			 i, j, k, m;
	char			**n;

	for (i = 0; i < ld->p->npol; i++) {
		pl = &ld->p->pol[i];
		for (j = 0; j < pl->ndeny + pl->nallow; j++) {
			r = j < pl->ndeny ? &pl->deny[j] :
			    &pl->allow[j - pl->ndeny];
			for (k = 0; k < r->ncond; k++) {
				if (r->cond[k].kind != K_ISSUER)
					continue;
				for (m = 0; m < ld->nissuers; m++)
					if (strcmp(ld->issuers[m],
					    r->cond[k].sig) == 0)
						break;
				if (m < ld->nissuers)
					continue;
				if ((n = realloc(ld->issuers, (m + 1) *
				    sizeof(*n))) == NULL)
					return;
				ld->issuers = n;
				ld->issuers[ld->nissuers++] = r->cond[k].sig;
			}
		}
	}
}

static int
policy_policies(struct loader *ld, const config_setting_t *s)
{
	struct authz_policy	*p = ld->p;
	const struct rule	*r;
	const struct pol	*pl;
	size_t			 i, j, k, n;

	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		ERR(ld, s, "policies must be a list: policies = ( { ... } );");
		return -1;
	}
	if ((n = config_setting_length(s)) == 0) {
		ERR(ld, s, "policies is empty");
		return -1;
	}
	if ((p->pol = arena_alloc(p->arena, n * sizeof(*p->pol))) == NULL)
		return policy_oom(ld);
	memset(p->pol, 0, n * sizeof(*p->pol));
	for (i = 0; i < n; i++) {
		if (policy_pol(ld, &p->pol[p->npol],
		    config_setting_get_elem(s, i)) == -1)
			continue;
		pl = &p->pol[p->npol++];
		for (j = 0; j + 1 < p->npol; j++)
			if (strcmp(p->pol[j].name, pl->name) == 0)
				policy_msg(ld, NULL, pl->line, 0,
				    "duplicate policy name %s (first at line "
				    "%d)", pl->name, p->pol[j].line);
		for (j = 0; j < pl->ndeny + pl->nallow; j++) {
			r = j < pl->ndeny ? &pl->deny[j] :
			    &pl->allow[j - pl->ndeny];
			for (k = 0; k < j; k++) {
				const struct rule *q = k < pl->ndeny ?
				    &pl->deny[k] : &pl->allow[k - pl->ndeny];

				if (strcmp(q->name, r->name) == 0) {
					policy_msg(ld, NULL, r->line, 0,
					    "duplicate rule name %s in policy "
					    "%s (first at line %d)", r->name,
					    pl->name, q->line);
					break;
				}
			}
		}
	}
	return 0;
}

struct authz_policy *
authz_policy_load(const char *file, int flags, authz_msg_fn msg, void *arg)
{
	struct loader		 ld;
	struct authz_policy	*p;
	config_t		 cfg;
	config_setting_t	*root, *s;
	const char		*name, *slash;
	size_t			 i;
	int			 k;

	memset(&ld, 0, sizeof(ld));
	ld.file = file;
	ld.flags = flags;
	ld.msg = msg;
	ld.arg = arg;
	config_init(&cfg);
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->arena = arena_new()) == NULL) {
		free(p);
		p = NULL;
		policy_oom(&ld);
		goto fail;
	}
	ld.p = p;
	p->identity = ID_CN;
	p->check_validity = 1;
	p->require_client_auth = 1;
	p->email_src[0] = EMAIL_SRC_SAN;
	p->email_src[1] = EMAIL_SRC_SUBJECT;
	p->facility = LOG_AUTHPRIV;
	p->log_allow = 1;
	p->max_cert = AUTHZ_CERT_MAX_DEFAULT;
	if ((slash = strrchr(file, '/')) != NULL &&
	    (ld.dir = strndup(file, slash == file ? 1 : slash - file)) ==
	    NULL) {
		policy_oom(&ld);
		goto fail;
	}
	/* @include "x" names a file beside this one, whatever the cwd */
	config_set_include_dir(&cfg, ld.dir != NULL ? ld.dir : ".");
	if (policy_check_includes(&ld, file, 0) == -1)
		goto fail;
	if (config_read_file(&cfg, file) != CONFIG_TRUE) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			policy_msg(&ld, NULL, 0, 0, "cannot read: %s",
			    strerror(errno));
		else
			policy_msg(&ld, config_error_file(&cfg),
			    config_error_line(&cfg), 0, "%s",
			    config_error_text(&cfg));
		goto fail;
	}
	root = config_root_setting(&cfg);
	for (k = 0; k < config_setting_length(root); k++) {
		s = config_setting_get_elem(root, k);
		name = config_setting_name(s);
		if (strcmp(name, "settings") != 0 && strcmp(name, "lists") &&
		    strcmp(name, "policies") != 0)
			ERR(&ld, s, "unknown key %s (settings, lists, "
			    "policies)", name);
	}
	if ((s = config_lookup(&cfg, "settings")) != NULL)
		policy_settings(&ld, s);
	if ((s = config_lookup(&cfg, "lists")) != NULL)
		policy_lists(&ld, s);
	if ((s = config_lookup(&cfg, "policies")) == NULL)
		policy_msg(&ld, NULL, 1, 0, "no policies = ( ... ); list");
	else
		policy_policies(&ld, s);
	if (ld.errors == 0 && (flags & AUTHZ_LOAD_LINT)) {
		policy_count_issuers(&ld);
		policy_lint(&ld);
	}
	/* the policy must outlive cfg: copy every name it points at */
	if (ld.errors == 0) {
		for (i = 0; i < p->npol; i++) {
			struct pol	*pl = &p->pol[i];
			size_t		 j;

			pl->name = arena_strndup(p->arena, pl->name,
			    strlen(pl->name));
			if (pl->path != NULL)
				pl->path->key = NULL;
			if (pl->host != NULL)
				pl->host->key = NULL;
			if (pl->method != NULL)
				pl->method->key = NULL;
			for (j = 0; j < pl->ndeny + pl->nallow; j++) {
				struct rule *r = j < pl->ndeny ? &pl->deny[j] :
				    &pl->allow[j - pl->ndeny];
				size_t c;

				r->name = arena_strndup(p->arena, r->name,
				    strlen(r->name));
				for (c = 0; c < r->ncond; c++)
					r->cond[c].key = NULL;
				if (r->name == NULL)
					policy_oom(&ld);
			}
			if (pl->name == NULL)
				policy_oom(&ld);
		}
	}
fail:
	for (i = 0; i < ld.nlists; i++) {
		free(ld.lists[i].buf);
		free(ld.lists[i].e);
	}
	free(ld.lists);
	free(ld.nbuf);
	free(ld.dir);
	free(ld.issuers);
	config_destroy(&cfg);
	if (ld.errors > 0) {
		authz_policy_free(p);
		return NULL;
	}
	return p;
}

void
authz_policy_free(struct authz_policy *p)
{
	size_t	 i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nsetv; i++)
		set_free(p->setv[i]);
	free(p->setv);
	for (i = 0; i < p->ndnv; i++)
		dn_free(&p->dnv[i]);
	free(p->dnv);
	cert_store_free(p->store);
	arena_free(p->arena);
	free(p);
}

int
authz_policy_facility(const struct authz_policy *p)
{
	return p != NULL ? p->facility : LOG_AUTHPRIV;
}

int
authz_policy_log_allow(const struct authz_policy *p)
{
	return p != NULL ? p->log_allow : 1;
}

size_t
authz_policy_max_cert(const struct authz_policy *p)
{
	return p != NULL ? p->max_cert : AUTHZ_CERT_MAX_DEFAULT;
}
