/*
 * policy_lint.c: the warnings of `certauthz lint` (AUTHZ_LOAD_LINT), on
 * a policy that loaded without error: lists that are empty, policies
 * that no request can reach or that allow nothing, when.path globs that
 * miss their own area, rules that hold for every certificate, allow
 * rules a deny rule shadows, serials matched without their issuer, and
 * deny rules on fingerprint.  A warning never refuses the file.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "policy_load.h"

/*
 * The number of distinct issuer conditions in the policy, counted by
 * their canonical text (at most the number counted when memory runs
 * out).
 */
static size_t
policy_lint_issuers(const struct authz_policy *p)
{
	const struct pol	*pl;
	const struct rule	*r;
	const char		**seen = NULL, **n;
	size_t			 i, j, k, m, nseen = 0;

	for (i = 0; i < p->npol; i++) {
		pl = &p->pol[i];
		for (j = 0; j < pl->ndeny + pl->nallow; j++) {
			r = policy_rule_at(pl, j);
			for (k = 0; k < r->ncond; k++) {
				if (r->cond[k].kind != K_ISSUER)
					continue;
				for (m = 0; m < nseen; m++)
					if (strcmp(seen[m], r->cond[k].sig) == 0)
						break;
				if (m < nseen)
					continue;
				if ((n = realloc(seen, (m + 1) *
				    sizeof(*n))) == NULL)
					goto done;
				seen = n;
				seen[nseen++] = r->cond[k].sig;
			}
		}
	}
done:
	free(seen);
	return nseen;
}

/* Every condition of d is also a condition of a: d holds when a does. */
static int
policy_lint_shadows(const struct rule *d, const struct rule *a)
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

/*
 * Warns about rule j of pl (policy_rule_at()); nissuers is the number
 * of distinct issuers the policy names.
 */
static void
policy_lint_rule(struct loader *ld, const struct pol *pl, size_t j,
    size_t nissuers)
{
	const struct rule	*r = policy_rule_at(pl, j);
	size_t			 k, m;
	int			 serial = 0, issuer = 0, fp = 0;

	if (r->ncond == 0)
		WARN(ld, r->line, "rule %s has no condition: it holds for "
		    "every certificate", r->name);
	for (k = 0; k < r->ncond; k++) {
		serial |= r->cond[k].kind == K_SERIAL;
		issuer |= r->cond[k].kind == K_ISSUER;
		fp |= r->cond[k].kind == K_FINGERPRINT;
	}
	if (j < pl->ndeny) {
		/* (r, n - s) is as valid an ECDSA signature as (r, s) */
		if (fp)
			WARN(ld, r->line, "rule %s: a deny on fingerprint can "
			    "be bypassed by re-encoding an ECDSA signature; "
			    "use spki", r->name);
		return;
	}
	/* one issuer in play: the only one named, or ca_file */
	if (serial && !issuer && !(nissuers == 1 || (nissuers == 0 &&
	    ld->has_ca)))
		WARN(ld, r->line, "rule %s matches serial without issuer: a "
		    "serial is unique only per issuer", r->name);
	for (m = 0; m < pl->ndeny; m++)
		if (policy_lint_shadows(&pl->deny[m], r)) {
			WARN(ld, r->line, "allow rule %s never holds: deny "
			    "rule %s holds whenever it does", r->name,
			    pl->deny[m].name);
			break;
		}
}

void
policy_lint(struct loader *ld)
{
	const struct authz_policy	*p = ld->p;
	const struct pol		*pl, *open = NULL;
	size_t				 i, j, nissuers;

	nissuers = policy_lint_issuers(p);
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
		for (j = 0; j < pl->ndeny + pl->nallow; j++)
			policy_lint_rule(ld, pl, j, nissuers);
	}
}
