/*
 * policy_impl.h: the compiled policy, shared by policy*.c (which build
 * it), eval.c (which decides against it) and match.c (the matchers and
 * the value sets).  Not part of the library's interface: only authz.h is.
 *
 * Every value a condition holds is normalized when the file is loaded
 * (serials to cert_info form, DNS names and email domains to lower case,
 * IP addresses to inet_ntop form, ...), so a request only looks values
 * up.  Exact values go in a hash set (O(1) for lists of a million
 * entries); globs are tried in order.
 */
#ifndef POLICY_IMPL_H
#define POLICY_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "authz.h"

/* An arena: many small allocations released at once. */
struct arena;
struct arena	*arena_new(void);
void		*arena_alloc(struct arena *, size_t);
char		*arena_strndup(struct arena *, const char *, size_t);
/*
 * Makes room for element n of the array *arrp of n elements of elem
 * bytes, growing it geometrically (the old copy stays in the arena).
 * Returns 0, -1 on ENOMEM.
 */
int		 arena_grow(struct arena *, void *arrp, size_t n, size_t elem);
void		 arena_free(struct arena *);

/* An open-addressing hash set of byte strings, stored in an arena. */
struct set;
struct set	*set_new(struct arena *);
/* Returns 1 when added, 0 when already present, -1 on ENOMEM. */
int		 set_add(struct set *, const char *, size_t);
/* Returns 1 when present, 0 otherwise. */
int		 set_has(const struct set *, const char *, size_t);
size_t		 set_count(const struct set *);
void		 set_free(struct set *);

/* What a condition (or a `when` key) compares, and how it normalizes. */
enum cond_kind {
	K_SERIAL,
	K_ISSUER,
	K_SUBJECT,
	K_ATTR,		/* cn, ou, ..., oid_2_5_4_97 */
	K_EMAIL,
	K_DNS,
	K_URI,
	K_IP,
	K_FINGERPRINT,
	K_SPKI,
	K_EKU,
	K_PATH,		/* when.path */
	K_HOST,		/* when.host */
	K_METHOD,	/* when.method */
	K_NKINDS
};

/*
 * The normalized values of one condition, or of one list as one kind of
 * condition uses it.  A value set holds when any of its values holds.
 */
struct valueset {
	struct set	 *exact;	/* normalized exact values */
	struct set	 *domains;	/* K_EMAIL "@domain", lower case */
	char		**globs;	/* normalized glob patterns */
	size_t		  nglob;
	struct dn	 *dns;		/* K_ISSUER, K_SUBJECT */
	size_t		  ndn;
	char		**all;		/* K_EKU: each must be present */
	size_t		  nall;
};

struct cond {
	enum cond_kind		  kind;
	const char		 *key;		/* as written, for messages
						   while loading; NULL once
						   loaded (policy_detach()) */
	const char		 *oid;		/* K_ATTR */
	struct valueset		**sets;		/* inline values, lists */
	size_t			  nset;		/* > 0 once loaded */
	char			 *sig;		/* canonical text, for lint */
};

struct rule {
	const char	*name;		/* as written, or "allow[N]";
					   in the policy's arena */
	struct cond	*cond;
	size_t		 ncond;
	int		 line;
};

struct pol {
	const char	*name;			/* in the policy's arena */
	struct cond	*path, *host, *method;	/* NULL: any */
	struct rule	*deny, *allow;
	size_t		 ndeny, nallow;
	int		 line;
};

/*
 * Rule j of pl, counting its deny rules first, then its allow rules:
 * for (j = 0; j < pl->ndeny + pl->nallow; j++) visits every rule, and
 * rule j is a deny rule when j < pl->ndeny.
 */
static inline struct rule *
policy_rule_at(const struct pol *pl, size_t j)
{
	return j < pl->ndeny ? &pl->deny[j] : &pl->allow[j - pl->ndeny];
}

enum identity {
	ID_CN, ID_EMAIL, ID_SUBJECT, ID_SERIAL, ID_URI, ID_DNS, ID_FINGERPRINT
};

#define EMAIL_SRC_SAN		1
#define EMAIL_SRC_SUBJECT	2

/* A file the policy read, as it was just before it was read. */
struct policy_watch {
	const char		*path;		/* in the policy's arena */
	int			 exists;
	unsigned long long	 dev, ino, size;
	long long		 mtime, ctime;	/* nanoseconds */
};

struct authz_policy {
	struct arena		*arena;
	enum identity		 identity;
	int			 check_validity;
	int			 require_client_auth;
	int			 email_src[2];	/* in order, 0 ends */
	struct cert_store	*store;
	int			 facility;
	int			 log_allow;
	size_t			 max_cert;
	struct pol		*pol;
	size_t			 npol;
	struct set		**setv;		/* every set, to free */
	size_t			 nsetv, setcap;
	struct dn		*dnv;		/* a copy of every DN, to free */
	size_t			 ndnv, dncap;
	int			 crl_stale_warn;
	int			 auto_reload;	/* seconds, 0: off */
	struct authz_policy	*shadow;	/* the candidate, or NULL */
	int			 shadow_broken;	/* named, did not load */
	struct policy_watch	*watch;		/* every file read */
	size_t			 nwatch, watchcap;
};

/* match.c */
/*
 * Glob of certauthz.conf(5), RULES: '*', '?', '\' escapes.  1 match, 0
 * not.
 */
int	 match_glob(const char *pat, const char *s);
/*
 * Normalizes one value as written in a policy for kind (attr: the key,
 * for messages) into buf.  Returns 0, 1 when it is a glob (buf holds the
 * normalized pattern), or -1 with *err set.  K_ISSUER, K_SUBJECT are not
 * handled here.
 */
int	 match_normalize(enum cond_kind, const char *, char *, size_t,
	    const char **err);
/* Adds one normalized value to vs.  Returns 0, -1 on ENOMEM. */
int	 match_add(struct arena *, struct valueset *, enum cond_kind,
	    const char *, int glob);
/*
 * Does the condition hold for the certificate (K_SERIAL .. K_EKU)?
 * email_src as in struct authz_policy.  Returns 1, 0, or -1 with
 * *reason set (a value that cannot be compared).  On 1, *value is the
 * certificate's email, DNS name or URI that satisfied a K_EMAIL, K_DNS
 * or K_URI condition (NULL for other kinds).
 */
int	 match_cond(const struct cond *, const struct cert_info *,
	    const int *email_src, const char **value, const char **reason);
/* Does the when-condition hold for the (normalized) value?  1 or 0. */
int	 match_when(const struct cond *, const char *);

#endif /* POLICY_IMPL_H */
