/*
 * policy.c: reads a policy file (libconfig syntax, certauthz.conf(5))
 * and every file it names into a compiled, immutable struct
 * authz_policy.
 *
 * Everything is validated and normalized here, once: unknown keys,
 * wrong types, malformed values, unknown lists and duplicate names are
 * errors naming FILE:LINE.  Any error refuses the whole file: each is
 * counted in ld->errors (policy_load.h), the loader goes on to report
 * the others, and authz_policy_load() returns NULL when the count is
 * not 0.  A policy is never half loaded.
 *
 * Here: @include checks, lists, conditions, rules, policies, and the
 * load itself.  The settings group is policy_settings.c; the warnings
 * of AUTHZ_LOAD_LINT are policy_lint.c; how files are opened and read
 * is policy_file.c; how errors are reported is policy_msg.c.
 *
 * Relative paths (ca_file, crl_file, list files) are resolved against
 * the directory of the policy file.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <libconfig.h>

#include "authz.h"
#include "names.h"
#include "policy_impl.h"
#include "policy_load.h"

#define POLICY_INCLUDE_DEPTH	10	/* libconfig 1.5's own limit */

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
 * Normalizes value v for kind and adds it to vs, or reports an error at
 * file:line.
 */
static void
policy_value(struct loader *ld, struct valueset *vs, enum cond_kind kind,
    const char *v, const char *file, int line)
{
	struct authz_policy	*p = ld->p;
	struct dn		 dn;
	const char		*err = NULL;
	size_t			 need;
	char			*nb, oid[128];
	int			 r;

	if (kind == K_ISSUER || kind == K_SUBJECT) {
		if (dn_parse(v, strlen(v), &dn, &err) == -1) {
			policy_msg(ld, file, line, 0, "malformed DN \"%s\": %s",
			    v, err ? err : "unparsable");
			return;
		}
		if (p->ndnv == p->dncap) {
			struct dn *n;

			p->dncap = p->dncap ? p->dncap * 2 : 16;
			if ((n = realloc(p->dnv, p->dncap * sizeof(*n))) ==
			    NULL) {
				dn_free(&dn);
				policy_oom(ld);
				return;
			}
			p->dnv = n;
		}
		p->dnv[p->ndnv++] = dn;
		if (arena_grow(p->arena, &vs->dns, vs->ndn, sizeof(dn)) == -1)
			policy_oom(ld);
		else
			vs->dns[vs->ndn++] = dn;
		return;
	}
	/* an EKU name becomes its OID, which may be the longer */
	if (kind == K_EKU)
		v = names_oid(v, oid, sizeof(oid));
	need = strlen(v) + 64;	/* match_normalize()'s room */
	if (ld->nbufsize < need) {
		if ((nb = realloc(ld->nbuf, need)) == NULL) {
			policy_oom(ld);
			return;
		}
		ld->nbuf = nb;
		ld->nbufsize = need;
	}
	if ((r = match_normalize(kind, v, ld->nbuf, ld->nbufsize, &err)) ==
	    -1) {
		policy_msg(ld, file, line, 0, "%s \"%s\"", err, v);
		return;
	}
	if (kind == K_EKU) {
		if (arena_grow(p->arena, &vs->all, vs->nall,
		    sizeof(char *)) == -1 || (vs->all[vs->nall] =
		    arena_strndup(p->arena, ld->nbuf, strlen(ld->nbuf))) ==
		    NULL)
			policy_oom(ld);
		else
			vs->nall++;
		return;
	}
	if (match_add(p->arena, vs, kind, ld->nbuf, r) == -1)
		policy_oom(ld);
}

/* The kind a list is compiled for: every attribute compiles alike. */
static struct valueset *
policy_list_compiled(struct loader *ld, struct list *l, enum cond_kind kind)
{
	struct valueset	*vs;
	size_t		 i;
	int		 errors = ld->errors;

	if (l->failed[kind])
		return NULL;
	if (l->compiled[kind] != NULL)
		return l->compiled[kind];
	if ((vs = policy_valueset(ld)) == NULL) {
		policy_oom(ld);
		return NULL;
	}
	/* ten errors say enough about one list */
	for (i = 0; i < l->n && ld->errors - errors < 10; i++)
		policy_value(ld, vs, kind, l->e[i].s, l->file, l->e[i].line);
	if (ld->errors != errors) {
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

	policy_watch(ld, file);
	if (policy_file_slurp(file, &buf, &len, &why) == -1) {
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
		} else if (policy_file_regular(path, &why) == -1) {
			policy_msg(ld, file, line, 0, "@include \"%s\": %s", p,
			    why);
			rc = -1;
		} else
			rc = policy_check_includes(ld, path, depth + 1);
	}
	free(buf);
	return rc;
}

/*
 * Reads a list file: one entry a line, '#' comments, blanks trimmed.
 * Returns 0, or -1 after reporting: the list is then unusable.
 */
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
	if ((l->file = policy_file_path(ld->p->arena, ld->dir, path)) == NULL)
		return policy_oom(ld);
	policy_watch(ld, l->file);
	if (policy_file_slurp(l->file, &l->buf, &got, &why) == -1) {
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

/* The lists group: each list's entries, read and not yet compiled. */
static void
policy_lists(struct loader *ld, const config_setting_t *lists)
{
	const config_setting_t	*s, *f;
	struct list		*l;
	int			 i, j, n;

	if (config_setting_type(lists) != CONFIG_TYPE_GROUP) {
		ERR(ld, lists, "lists must be a group: lists = { ... };");
		return;
	}
	n = config_setting_length(lists);
	if ((ld->lists = calloc(n > 0 ? n : 1, sizeof(*ld->lists))) == NULL) {
		policy_oom(ld);
		return;
	}
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(lists, i);
		l = &ld->lists[ld->nlists++];
		l->name = config_setting_name(s);
		l->line = config_setting_source_line(s);
		l->decl = l->file = policy_source(ld, s);
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
		    sizeof(*l->e))) == NULL) {
			policy_oom(ld);
			return;
		}
		for (j = 0; j < config_setting_length(s); j++) {
			f = config_setting_get_elem(s, j);
			l->e[l->n].s = config_setting_get_string(f);
			l->e[l->n++].line = config_setting_source_line(f);
		}
	}
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

/* Compiles one condition (or a `when` key) from setting s into c. */
static void
policy_cond(struct loader *ld, struct cond *c, enum cond_kind kind,
    const char *oid, const config_setting_t *s)
{
	struct arena		*a = ld->p->arena;
	const config_setting_t	*e;
	struct valueset		*inl = NULL, *vs;
	struct list		*l;
	const char		*v;
	size_t			 siglen = 0;
	int			 i, n, inl_added = 0;

	c->kind = kind;
	c->key = config_setting_name(s);
	if (oid != NULL && (c->oid = arena_strndup(a, oid, strlen(oid))) ==
	    NULL) {
		policy_oom(ld);
		return;
	}
	if ((n = policy_strings(s)) < 1) {
		ERR(ld, s, "%s must be a string or a list of strings", c->key);
		return;
	}
	for (i = 0; i < n; i++)
		siglen += strlen(config_setting_get_string(
		    policy_string_at(s, i))) + 1;
	if ((c->sig = arena_alloc(a, strlen(c->key) + siglen + 2)) == NULL) {
		policy_oom(ld);
		return;
	}
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
			continue;
		}
		if (l != NULL) {
			/* NULL: the list's errors are reported */
			if ((vs = policy_list_compiled(ld, l, kind)) == NULL)
				continue;
		} else {
			if (inl == NULL && (inl = policy_valueset(ld)) ==
			    NULL) {
				policy_oom(ld);
				return;
			}
			policy_value(ld, inl, kind, v, policy_source(ld, e),
			    config_setting_source_line(e));
			if (inl_added)
				continue;	/* already in c->sets */
			inl_added = 1;
			vs = inl;
		}
		if (arena_grow(a, &c->sets, c->nset, sizeof(*c->sets)) == -1) {
			policy_oom(ld);
			return;
		}
		c->sets[c->nset++] = vs;
	}
}

/*
 * Compiles rule idx of a deny or allow list (kind) into r.  Returns 0,
 * or -1 after reporting when r is no rule at all (not a group, out of
 * memory): the caller does not count it.  A condition with an error is
 * reported and still counted.
 */
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

/* The deny or allow list of a policy (kind: "deny", "allow"). */
static void
policy_rules(struct loader *ld, const config_setting_t *s, const char *kind,
    struct rule **out, size_t *nout)
{
	int	 i, n;

	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		ERR(ld, s, "%s must be a list of rules: %s = ( { ... } );",
		    kind, kind);
		return;
	}
	n = config_setting_length(s);
	if ((*out = arena_alloc(ld->p->arena, (n + 1) * sizeof(**out))) ==
	    NULL) {
		policy_oom(ld);
		return;
	}
	memset(*out, 0, (n + 1) * sizeof(**out));
	for (i = 0; i < n; i++)
		if (policy_rule(ld, &(*out)[*nout],
		    config_setting_get_elem(s, i), kind, i) == 0)
			(*nout)++;
}

static void
policy_when(struct loader *ld, struct pol *pl, const config_setting_t *w)
{
	const config_setting_t	*e;
	struct cond		**slot, *c;
	enum cond_kind		 kind;
	const char		*name;
	int			 i;

	if (config_setting_type(w) != CONFIG_TYPE_GROUP) {
		ERR(ld, w, "when must be a group: when = { path = ...; };");
		return;
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
		if ((c = arena_alloc(ld->p->arena, sizeof(*c))) == NULL) {
			policy_oom(ld);
			return;
		}
		memset(c, 0, sizeof(*c));
		policy_cond(ld, c, kind, NULL, e);
		*slot = c;
	}
}

/*
 * Compiles one policy into pl.  Returns 0, or -1 after reporting when pl
 * is no policy (not a group, or without a name): the caller does not
 * count it.
 */
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
			policy_rules(ld, e, "deny", &pl->deny, &pl->ndeny);
		else if (strcmp(name, "allow") == 0)
			policy_rules(ld, e, "allow", &pl->allow, &pl->nallow);
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

/* Reports each rule of pl that has the name of an earlier rule of pl. */
static void
policy_rule_names(struct loader *ld, const struct pol *pl)
{
	const struct rule	*r, *q;
	size_t			 j, k;

	for (j = 0; j < pl->ndeny + pl->nallow; j++) {
		r = policy_rule_at(pl, j);
		for (k = 0; k < j; k++) {
			q = policy_rule_at(pl, k);
			if (strcmp(q->name, r->name) == 0) {
				policy_msg(ld, NULL, r->line, 0, "duplicate rule "
				    "name %s in policy %s (first at line %d)",
				    r->name, pl->name, q->line);
				break;
			}
		}
	}
}

static void
policy_policies(struct loader *ld, const config_setting_t *s)
{
	struct authz_policy	*p = ld->p;
	const struct pol	*pl;
	size_t			 i, j, n;

	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		ERR(ld, s, "policies must be a list: policies = ( { ... } );");
		return;
	}
	if ((n = config_setting_length(s)) == 0) {
		ERR(ld, s, "policies is empty");
		return;
	}
	if ((p->pol = arena_alloc(p->arena, n * sizeof(*p->pol))) == NULL) {
		policy_oom(ld);
		return;
	}
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
		policy_rule_names(ld, pl);
	}
}

/* Forwards a message of the candidate's load, counted by its own loader. */
static void
policy_shadow_msg(void *arg, const char *text)
{
	struct loader	*ld = arg;

	ld->msg(ld->arg, text);
}

/*
 * Loads the shadow candidate (settings.shadow) into ld->p->shadow, its
 * messages handed on as they are.  A candidate that does not load
 * leaves the enforced policy as it is (shadow_broken: the decision
 * lines say shadow=error), but for lint, where it is an error.
 */
static void
policy_shadow(struct loader *ld)
{
	struct authz_policy	*p = ld->p;
	char			 text[PATH_MAX + 128];

	policy_watch(ld, ld->shadow);
	p->shadow = authz_policy_load(ld->shadow, (ld->flags &
	    AUTHZ_LOAD_LINT) | POLICY_LOAD_SHADOW, policy_shadow_msg, ld);
	if (p->shadow != NULL)
		return;
	p->shadow_broken = 1;
	if (ld->flags & AUTHZ_LOAD_LINT)
		policy_msg(ld, NULL, ld->shadow_line, 0, "shadow policy %s "
		    "did not load", ld->shadow);
	else {
		snprintf(text, sizeof(text), "%s: shadow policy did not load: "
		    "enforcement is unchanged, decision lines say "
		    "shadow=error", ld->shadow);
		ld->msg(ld->arg, text);
	}
}

/*
 * The names of policies and rules point into libconfig's tree, which the
 * policy outlives: copies them into the policy's arena.  The keys of
 * conditions, only needed for messages while loading, become NULL.
 */
static void
policy_detach(struct loader *ld)
{
	struct authz_policy	*p = ld->p;
	struct pol		*pl;
	struct rule		*r;
	struct cond		*when[3];
	size_t			 i, j, k;

	for (i = 0; i < p->npol; i++) {
		pl = &p->pol[i];
		if ((pl->name = arena_strndup(p->arena, pl->name,
		    strlen(pl->name))) == NULL)
			policy_oom(ld);
		when[0] = pl->path;
		when[1] = pl->host;
		when[2] = pl->method;
		for (k = 0; k < 3; k++)
			if (when[k] != NULL)
				when[k]->key = NULL;
		for (j = 0; j < pl->ndeny + pl->nallow; j++) {
			r = policy_rule_at(pl, j);
			if ((r->name = arena_strndup(p->arena, r->name,
			    strlen(r->name))) == NULL)
				policy_oom(ld);
			for (k = 0; k < r->ncond; k++)
				r->cond[k].key = NULL;
		}
	}
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
	if (ld.errors == 0 && (flags & AUTHZ_LOAD_LINT))
		policy_lint(&ld);
	if (ld.errors == 0 && ld.shadow != NULL)
		policy_shadow(&ld);
	if (ld.errors == 0)
		policy_detach(&ld);
fail:
	for (i = 0; i < ld.nlists; i++) {
		free(ld.lists[i].buf);
		free(ld.lists[i].e);
	}
	free(ld.lists);
	free(ld.nbuf);
	free(ld.dir);
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
	authz_policy_free(p->shadow);
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

int
authz_policy_crl(const struct authz_policy *p, time_t *last, time_t *next)
{
	return p != NULL && cert_store_crl(p->store, last, next);
}

int
authz_policy_crl_stale(const struct authz_policy *p)
{
	return p != NULL && p->crl_stale_warn;
}

int
authz_policy_auto_reload(const struct authz_policy *p)
{
	return p != NULL ? p->auto_reload : 0;
}
