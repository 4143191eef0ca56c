/*
 * eval.c: the decision (certauthz.conf(5), DECISION).
 *
 * In this order, the first that applies decides: a transport fault; no
 * usable policy (a fault); SSL_CLIENT_VERIFY not SUCCESS; a missing or
 * unusable certificate; a forwarded serial or DN that disagrees with
 * it (eval_forwarded()); validity; clientAuth; ca_file/crl_file;
 * several CNs or a NUL byte (eval_cert()); a request target that
 * cannot be placed (eval_place(), whatever policy decides); then the
 * policy (eval_policy(): named by CERTAUTHZ_POLICY, else the first
 * whose `when` holds, matched against the paths eval_place() found),
 * its deny rules, its allow rules, and a deny when nothing allowed
 * (eval_rules()).  Anything that cannot be evaluated is a deny: every
 * path out of authz_decide() that is not the one allow is a deny or a
 * fault.
 *
 * A policy with a shadow candidate (settings.shadow) has it decide the
 * same request beside it (eval_shadow()), on the certificate already
 * decoded and, once the enforced decision found them to agree, without
 * comparing the forwarded serial and DNs again; only the decision line
 * shows what it said.  A trace
 * (authz_decide_trace(), `certauthz check --explain`) is handed each
 * step; without one, each step costs a NULL test.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "names.h"
#include "policy_impl.h"

#define EVAL_HOST_MAX	256

static void
eval_deny(struct authz_decision *d, const char *reason)
{
	d->result = AUTHZ_DENY;
	d->reason = reason;
}

/* Hands tr one event: ev as filled, with kind, cond, held and reason. */
static void
eval_trace(const struct authz_trace *tr, struct authz_trace_event *ev,
    enum authz_trace_kind kind, const char *cond, int held,
    const char *reason)
{
	ev->kind = kind;
	ev->cond = cond;
	ev->held = held;
	ev->reason = held == -1 ? reason : NULL;
	tr->fn(tr->arg, ev);
}

/*
 * The paths `when.path` is matched against (eval_place()).  routed is
 * the path the web server routes the request on, NULL when the request
 * names none; bare is routed with ";params" cut from each segment (as
 * Java servlet containers read it), NULL when routed holds no ';';
 * slash is set when REQUEST_URI held an escaped '/'.
 */
struct eval_paths {
	char	*routed, *bare;
	int	 slash;
};

/*
 * Is the decoded path placed?  It must be absolute, and no segment may
 * be "." or ".." once its ";params" are cut ("..;x" too: a servlet
 * container resolves it, while nginx and Apache route it as an
 * ordinary name).  With merged set, no segment but the last may be
 * empty either (the server merged "//").  Returns 0, or -1.
 */
static int
eval_segments(const char *path, int merged)
{
	const char	*seg, *end;
	size_t		 n;

	if (path[0] != '/')
		return -1;
	for (seg = path + 1; ; seg = end + 1) {
		end = seg + strcspn(seg, "/");
		n = strcspn(seg, ";/");
		if ((n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return -1;
		if (merged && end == seg && *end == '/')
			return -1;
		if (*end == '\0')
			return 0;
	}
}

/*
 * The path of the request target uri (REQUEST_URI) as nginx and Apache
 * route it: from an absolute-form target ("https://host/x") the path
 * alone ("/" when it has none, as nginx's "?x" is); ended at '?' or
 * '#'; every %XX decoded once; repeated slashes merged.  Returns it
 * malloc'ed, with *slash set when it held an escaped '/', or NULL with
 * *reason set when it cannot be placed: not absolute, a malformed
 * escape, a NUL or a '\' (escaped or not: a backend may read it as a
 * '/' after the server routed), or a "." or ".." segment in any
 * spelling ("%2e", "..;x", "..%2F").  Clients remove dot segments and
 * turn '\' into '/' before they send, so only a crafted request holds
 * one, and a backend handed the raw target may resolve it otherwise
 * than the server did: it is denied rather than resolved.
 */
static char *
eval_target(const char *uri, int *slash, const char **reason)
{
	static const char scheme[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.";
	const char	*p = uri;
	char		*out;
	size_t		 len, i, o = 0, n;
	int		 hi, lo, c;

	if (p[0] != '/' && (n = strspn(p, scheme)) > 0 &&
	    isalpha((unsigned char)p[0]) && strncmp(p + n, "://", 3) == 0) {
		p += n + 3;
		p += strcspn(p, "/?#");
		if (*p != '/')
			p = "/";
	} else if (p[0] == '?')
		p = "/";
	len = strcspn(p, "?#");
	if (len == 0 || p[0] != '/') {
		*reason = "REQUEST_URI is not an absolute path";
		return NULL;
	}
	if ((out = malloc(len + 1)) == NULL) {
		*reason = "out of memory";
		return NULL;
	}
	for (i = 0; i < len; i++) {
		c = (unsigned char)p[i];
		if (c == '%') {
			if (i + 2 >= len ||
			    (hi = names_hexval(p[i + 1])) == -1 ||
			    (lo = names_hexval(p[i + 2])) == -1) {
				*reason = "malformed %XX escape in REQUEST_URI";
				goto fail;
			}
			c = hi * 16 + lo;
			*slash |= c == '/';
			i += 2;
		} else if (c == '/' && o > 0 && out[o - 1] == '/')
			continue;
		if (c == '\\' || c == 0) {
			*reason = "\\ or NUL in REQUEST_URI";
			goto fail;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	if (eval_segments(out, 0) == 0)
		return out;
	*reason = "dot segment in REQUEST_URI";
fail:
	free(out);
	return NULL;
}

/*
 * Places the request, whatever policy decides it: fills *ps for req,
 * routed being CERTAUTHZ_PATH when the server passed it (the decoded,
 * normalized path it routes on, after its rewrites; checked to hold no
 * dot or empty segment), else the path of REQUEST_URI.  REQUEST_URI,
 * when present, must place in either case: the backend may be handed
 * it raw.  A request with neither places nothing (a `when.path` then
 * denies).  Returns 0, or -1 with *reason set.
 */
static int
eval_place(const struct authz_request *req, struct eval_paths *ps,
    const char **reason)
{
	char	*target = NULL, *b;
	size_t	 i, o;

	if (req->uri == NULL && req->path == NULL)
		return 0;
	if (req->uri != NULL && (target = eval_target(req->uri, &ps->slash,
	    reason)) == NULL)
		return -1;
	if (req->path != NULL) {
		free(target);
		if (eval_segments(req->path, 1) == -1) {
			*reason = "CERTAUTHZ_PATH is not a normalized path";
			return -1;
		}
		if ((target = strdup(req->path)) == NULL) {
			*reason = "out of memory";
			return -1;
		}
	}
	ps->routed = target;
	if (strchr(target, ';') == NULL)
		return 0;
	if ((ps->bare = b = strdup(target)) == NULL) {
		*reason = "out of memory";
		return -1;
	}
	for (i = o = 0; target[i] != '\0'; i++) {
		if (target[i] == ';')
			i += strcspn(target + i, "/");
		b[o++] = target[i];
		if (target[i] == '\0')
			break;
	}
	b[o] = '\0';
	return 0;
}

/*
 * The host of HTTP_HOST (else SERVER_NAME) without port, lower case, one
 * final dot dropped, in buf: "name", "name:port", "[v6]" or "[v6]:port",
 * a port being 1 to 5 digits.  Returns 0, or -1 when malformed (empty,
 * two colons, a non-numeric port, an unclosed or empty "[]") or too
 * long.
 */
static int
eval_host(const char *host, char *buf, size_t size)
{
	const char	*end, *port;
	size_t		 n, i;

	if (host[0] == '[') {
		if ((end = strchr(host, ']')) == NULL || end == host + 1)
			return -1;
		end++;
	} else
		end = host + strcspn(host, ":");
	port = end;
	if (*port == ':') {
		n = strspn(++port, "0123456789");
		if (n < 1 || n > 5 || port[n] != '\0')
			return -1;
	} else if (*port != '\0')
		return -1;
	n = end - host;
	if (n > 0 && host[n - 1] == '.')
		n--;
	if (n == 0 || n >= size)
		return -1;
	for (i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)host[i]);
	buf[n] = '\0';
	return 0;
}

/*
 * eval_when() without the trace of the policy as a whole: ev, when not
 * NULL, is filled for pl and handed each key as it is decided.
 */
static int
eval_when_keys(const struct pol *pl, const struct authz_request *req,
    const struct eval_paths *ps, const char **reason,
    const struct authz_trace *tr, struct authz_trace_event *ev)
{
	char	 host[EVAL_HOST_MAX];
	int	 m;

	if (pl->path != NULL) {
		if (ps->routed == NULL) {
			*reason = "REQUEST_URI absent";
			return -1;
		}
		/* a backend may split the segment the server routed whole */
		if (ps->slash) {
			*reason = "escaped / in REQUEST_URI";
			return -1;
		}
		m = match_when(pl->path, ps->routed);
		if (ps->bare != NULL && match_when(pl->path, ps->bare) != m) {
			*reason = "path parameters (;) change the policy";
			return -1;
		}
		if (ev != NULL)
			eval_trace(tr, ev, AUTHZ_TRACE_WHEN, pl->path->sig, m,
			    NULL);
		if (!m)
			return 0;
	}
	if (pl->host != NULL) {
		if (req->host == NULL) {
			*reason = "host absent";
			return -1;
		}
		if (eval_host(req->host, host, sizeof(host)) == -1) {
			*reason = "malformed host";
			return -1;
		}
		m = match_when(pl->host, host);
		if (ev != NULL)
			eval_trace(tr, ev, AUTHZ_TRACE_WHEN, pl->host->sig, m,
			    NULL);
		if (!m)
			return 0;
	}
	if (pl->method != NULL) {
		if (req->method == NULL) {
			*reason = "REQUEST_METHOD absent";
			return -1;
		}
		m = match_when(pl->method, req->method);
		if (ev != NULL)
			eval_trace(tr, ev, AUTHZ_TRACE_WHEN, pl->method->sig,
			    m, NULL);
		if (!m)
			return 0;
	}
	return 1;
}

/*
 * Does the `when` of pl hold?  1, 0, or -1 with *reason set: a `when`
 * key whose request value is absent or malformed decides nothing, it
 * denies (a later catch-all policy must not get the request), and so
 * does a path whose ";params" would change which policy applies.  *ps
 * is what eval_place() found.  A trace is handed each key, then the
 * policy's selection.
 */
static int
eval_when(const struct pol *pl, const struct authz_request *req,
    const struct eval_paths *ps, const char **reason,
    const struct authz_trace *tr)
{
	struct authz_trace_event ev;
	int	 m;

	if (tr == NULL)
		return eval_when_keys(pl, req, ps, reason, NULL, NULL);
	memset(&ev, 0, sizeof(ev));
	ev.policy = pl->name;
	m = eval_when_keys(pl, req, ps, reason, tr, &ev);
	eval_trace(tr, &ev, AUTHZ_TRACE_SELECT, NULL, m, *reason);
	return m;
}

/*
 * The certificate values the conditions of a rule held on, by kind: for
 * each of K_EMAIL, K_DNS and K_URI, the value that satisfied the first
 * condition of that kind (NULL: the rule has none).
 */
struct eval_hits {
	const char	*email, *dns, *uri;
};

/*
 * Does every condition of r hold?  1 (with *hits filled), 0, or -1 with
 * *reason set.  With a trace (ev filled for r), every condition is
 * decided and handed to it, and the first that did not hold still says
 * what the rule does.
 */
static int
eval_rule(const struct authz_policy *p, const struct rule *r,
    const struct cert_info *ci, struct eval_hits *hits, const char **reason,
    const struct authz_trace *tr, struct authz_trace_event *ev)
{
	const char	**slot, *v, *why = NULL;
	size_t		 i;
	int		 m, res = 1;

	memset(hits, 0, sizeof(*hits));
	for (i = 0; i < r->ncond; i++) {
		m = match_cond(&r->cond[i], ci, p->email_src, &v, &why);
		if (tr != NULL)
			eval_trace(tr, ev, AUTHZ_TRACE_COND, r->cond[i].sig, m,
			    why);
		if (m != 1 && res == 1) {
			res = m;
			*reason = why;
		}
		if (m != 1 && tr == NULL)
			return m;
		if (m != 1)
			continue;
		if (r->cond[i].kind == K_EMAIL)
			slot = &hits->email;
		else if (r->cond[i].kind == K_DNS)
			slot = &hits->dns;
		else if (r->cond[i].kind == K_URI)
			slot = &hits->uri;
		else
			continue;
		if (*slot == NULL)
			*slot = v;
	}
	return res;
}

/* The first email of the certificate, per email_sources, or NULL. */
static const char *
eval_email(const struct authz_policy *p, const struct cert_info *ci)
{
	const struct strlist	*l;
	size_t			 k;

	for (k = 0; k < 2 && p->email_src[k] != 0; k++) {
		l = p->email_src[k] == EMAIL_SRC_SAN ? &ci->san_email :
		    &ci->subject_email;
		if (l->n > 0)
			return l->v[0];
	}
	return NULL;
}

/*
 * CERTAUTHZ_USER.  When the allowing rule has a condition on the
 * identity's kind (email, uri, dns), the value that satisfied it, never
 * another value of the same certificate; otherwise the first value.
 * NULL with *reason set when there is none, it is empty, or it does not
 * fit in its header uncut (a long subject): the caller denies, so the
 * daemon never has an allow it cannot send and `certauthz check` says
 * the same.
 */
static const char *
eval_identity(const struct authz_policy *p, const struct cert_info *ci,
    const struct eval_hits *hits, const char **reason)
{
	const char	*v = NULL;
	size_t		 i, j;

	switch (p->identity) {
	case ID_CN:
		for (i = 0; i < ci->subject.nrdn && v == NULL; i++)
			for (j = 0; j < ci->subject.rdn[i].nava && v == NULL;
			    j++)
				if (strcmp(ci->subject.rdn[i].ava[j].oid,
				    NAMES_OID_CN) == 0)
					v = ci->subject.rdn[i].ava[j].value;
		break;
	case ID_EMAIL:
		v = hits->email != NULL ? hits->email : eval_email(p, ci);
		break;
	case ID_SUBJECT:
		v = ci->subject_str;
		break;
	case ID_SERIAL:
		v = ci->serial;
		break;
	case ID_URI:
		v = hits->uri != NULL ? hits->uri :
		    ci->uri.n > 0 ? ci->uri.v[0] : NULL;
		break;
	case ID_DNS:
		v = hits->dns != NULL ? hits->dns :
		    ci->dns.n > 0 ? ci->dns.v[0] : NULL;
		break;
	case ID_FINGERPRINT:
		v = ci->fingerprint;
		break;
	}
	if (v == NULL || *v == '\0') {
		*reason = "no identity";
		return NULL;
	}
	if (!authz_header_fits(v)) {
		*reason = "identity too long for CERTAUTHZ_USER";
		return NULL;
	}
	return v;
}

/*
 * 1 when the forwarded serial fwd is the serial s (either form that
 * names_serial() reads), else 0: a malformed one is no serial.
 */
static int
eval_serial_is(const char *fwd, const char *s)
{
	char	 a[AUTHZ_SERIAL_HEXLEN], b[AUTHZ_SERIAL_HEXLEN];

	return names_serial(fwd, a, sizeof(a)) == 0 &&
	    names_serial(s, b, sizeof(b)) == 0 && strcmp(a, b) == 0;
}

/*
 * What the server forwarded about the certificate (serials, DNs) against
 * the certificate itself: no policy setting changes it.  Returns NULL,
 * or why it is denied.
 */
static const char *
eval_forwarded(const struct authz_request *req, const struct cert_info *ci)
{
	if (req->serial != NULL && req->serial_alt != NULL &&
	    !eval_serial_is(req->serial_alt, req->serial))
		return "SSL_CLIENT_M_SERIAL and SSL_CLIENT_SERIAL disagree";
	if ((req->serial != NULL && !eval_serial_is(req->serial,
	    ci->serial)) || (req->serial_alt != NULL &&
	    !eval_serial_is(req->serial_alt, ci->serial)))
		return "forwarded serial disagrees with the certificate";
	if (req->s_dn != NULL && !dn_matches_forwarded(&ci->subject,
	    req->s_dn))
		return "forwarded subject DN disagrees with the certificate";
	if (req->i_dn != NULL && !dn_matches_forwarded(&ci->issuer,
	    req->i_dn))
		return "forwarded issuer DN disagrees with the certificate";
	return NULL;
}

/*
 * The certificate itself against the policy's settings (certauthz.conf(5),
 * DECISION).  Returns NULL, or why it is denied.
 */
static const char *
eval_cert(const struct authz_policy *p, const struct cert_info *ci,
    time_t now)
{
	const char	*reason = NULL;

	if (p->check_validity && now < ci->not_before)
		return "certificate is not yet valid";
	if (p->check_validity && now > ci->not_after)
		return "certificate has expired";
	if (p->require_client_auth) {
		if (ci->is_ca)
			return "CA certificate";
		if (ci->has_eku && !ci->eku_client)
			return "extended key usage lacks clientAuth";
	}
	if (p->store != NULL &&
	    cert_store_verify(p->store, ci, now, &reason) != 1)
		return reason != NULL ? reason : "ca_file verification failed";
	if (ci->flags & CERT_F_MULTI_CN)
		return "subject holds more than one CN";
	if (ci->flags & CERT_F_NUL)
		return "NUL byte in a subject value or SAN";
	return NULL;
}

/*
 * The policy that decides req: the one CERTAUTHZ_POLICY names, else the
 * first whose `when` holds.  Returns it, or NULL with d filled: a fault
 * when the name is unknown, a deny when no policy applies or a `when`
 * cannot be evaluated.  *ps as for eval_when().
 */
static const struct pol *
eval_policy(const struct authz_policy *p, const struct authz_request *req,
    const struct eval_paths *ps, struct authz_decision *d,
    const struct authz_trace *tr)
{
	struct authz_trace_event ev;
	const char	*reason = NULL;
	size_t		 i;
	int		 m;

	if (req->policy != NULL) {
		for (i = 0; i < p->npol; i++)
			if (strcmp(p->pol[i].name, req->policy) == 0) {
				if (tr != NULL) {
					memset(&ev, 0, sizeof(ev));
					ev.policy = p->pol[i].name;
					eval_trace(tr, &ev, AUTHZ_TRACE_NAMED,
					    NULL, 1, NULL);
				}
				return &p->pol[i];
			}
		d->result = AUTHZ_FAULT;
		snprintf(d->reasonbuf, sizeof(d->reasonbuf),
		    "unknown policy %s", req->policy);
		d->reason = d->reasonbuf;
		return NULL;
	}
	for (i = 0; i < p->npol; i++) {
		if ((m = eval_when(&p->pol[i], req, ps, &reason, tr)) == -1) {
			eval_deny(d, reason);
			return NULL;
		}
		if (m == 1)
			return &p->pol[i];
	}
	eval_deny(d, "no policy applies");
	return NULL;
}

/*
 * The rules of pl decide: the first deny rule that holds, or cannot be
 * evaluated, denies; else the first allow rule that holds allows, with
 * its identity (a rule that cannot be evaluated, or an identity that
 * cannot be sent, denies); else nothing allowed, and d is a deny.
 */
static void
eval_rules(const struct authz_policy *p, const struct pol *pl,
    const struct cert_info *ci, struct authz_decision *d,
    const struct authz_trace *tr)
{
	const struct rule	*r;
	struct eval_hits	 hits;
	struct authz_trace_event ev;
	const char		*reason = NULL;
	size_t			 j;
	int			 m, decided = 0;

	memset(&ev, 0, sizeof(ev));
	ev.policy = pl->name;
	/* with a trace, the rules after the decision are traced too */
	for (j = 0; j < pl->ndeny + pl->nallow && (!decided || tr != NULL);
	    j++) {
		r = policy_rule_at(pl, j);
		ev.rule = r->name;
		ev.deny = j < pl->ndeny;
		ev.after = decided;
		m = eval_rule(p, r, ci, &hits, &reason, tr, &ev);
		if (tr != NULL)
			eval_trace(tr, &ev, AUTHZ_TRACE_RULE, NULL, m, reason);
		if (m == 0 || decided)
			continue;
		decided = 1;
		d->rule = r->name;
		if (j < pl->ndeny) {
			eval_deny(d, m == 1 ? "denied by rule" : reason);
			continue;
		}
		if (m == -1) {
			eval_deny(d, reason);
			continue;
		}
		if (hits.email != NULL)
			d->email = hits.email;	/* the email the rule held on */
		if ((d->user = eval_identity(p, ci, &hits, &reason)) == NULL) {
			eval_deny(d, reason);
			continue;
		}
		d->result = AUTHZ_ALLOW;
	}
	if (!decided)
		eval_deny(d, "no rule allows");
}

/*
 * authz_decide() without the shadow: with given set, the certificate
 * already decoded for req by the enforced policy's decision, which the
 * cache is not asked for again; with agreed set too, that decision found
 * it to agree with what the server forwarded, which is not checked
 * again (no policy setting changes that check).
 */
static void
eval_decide(const struct authz_policy *p, const struct authz_request *req,
    struct cert_cache *cache, time_t now, struct authz_decision *d,
    const struct authz_trace *tr, const struct cert_info *given, int agreed)
{
	const struct cert_info	*ci;
	const struct pol	*pl;
	const char		*reason = NULL;
	struct eval_paths	 ps = { NULL, NULL, 0 };

	memset(d, 0, sizeof(*d));
	d->result = AUTHZ_DENY;
	if (req->fault != NULL) {
		eval_deny(d, req->fault);
		return;
	}
	if (p == NULL) {
		d->result = AUTHZ_FAULT;
		d->reason = "no usable policy";
		return;
	}
	if (req->verify == NULL || strcmp(req->verify, "SUCCESS") != 0) {
		snprintf(d->reasonbuf, sizeof(d->reasonbuf),
		    "SSL_CLIENT_VERIFY is %s", req->verify ? req->verify :
		    "absent");
		eval_deny(d, d->reasonbuf);
		return;
	}
	if (req->cert == NULL || req->certlen == 0) {
		eval_deny(d, "SSL_CLIENT_CERT is absent");
		return;
	}
	if (given != NULL) {
		ci = given;
		if (ci->derlen > p->max_cert) {
			ci = NULL;
			reason = "oversized certificate";
		}
	} else if (cache != NULL)
		ci = cert_cache_get(cache, req->cert, req->certlen,
		    p->max_cert, &reason);
	else
		ci = d->owned = cert_decode(req->cert, req->certlen,
		    p->max_cert, &reason);
	if (ci == NULL) {
		eval_deny(d, reason ? reason : "unusable certificate");
		return;
	}
	d->cert = ci;
	d->email = eval_email(p, ci);
	if ((!agreed && (reason = eval_forwarded(req, ci)) != NULL) ||
	    (reason = eval_cert(p, ci, now)) != NULL) {
		eval_deny(d, reason);
		return;
	}
	if (eval_place(req, &ps, &reason) == -1)
		eval_deny(d, reason);
	else if ((pl = eval_policy(p, req, &ps, d, tr)) != NULL) {
		d->policy = pl->name;
		eval_rules(p, pl, ci, d, tr);
	}
	free(ps.routed);
	free(ps.bare);
}

/*
 * The shadow candidate's decision of req into d's shadow fields, which
 * point into the candidate (it lives as long as p) or d itself.
 */
static void
eval_shadow(const struct authz_policy *p, const struct authz_request *req,
    time_t now, struct authz_decision *d)
{
	struct authz_decision	 sd;

	if (p->shadow == NULL) {
		d->shadow = -1;
		d->shadow_result = AUTHZ_FAULT;
		d->shadow_reason = "shadow policy did not load";
		return;
	}
	/* past its certificate checks, the enforced decision has a policy */
	eval_decide(p->shadow, req, NULL, now, &sd, NULL, d->cert,
	    d->policy != NULL);
	d->shadow = 1;
	d->shadow_result = sd.result;
	d->shadow_policy = sd.policy;
	d->shadow_rule = sd.rule;
	if (sd.reason != NULL) {
		snprintf(d->shadow_reasonbuf, sizeof(d->shadow_reasonbuf), "%s",
		    sd.reason);
		d->shadow_reason = d->shadow_reasonbuf;
	}
	authz_decision_clear(&sd);
}

void
authz_decide_trace(const struct authz_policy *p,
    const struct authz_request *req, struct cert_cache *cache, time_t now,
    struct authz_decision *d, const struct authz_trace *tr)
{
	eval_decide(p, req, cache, now, d, tr, NULL, 0);
	if (p != NULL && (p->shadow != NULL || p->shadow_broken))
		eval_shadow(p, req, now, d);
}

void
authz_decide(const struct authz_policy *p, const struct authz_request *req,
    struct cert_cache *cache, time_t now, struct authz_decision *d)
{
	authz_decide_trace(p, req, cache, now, d, NULL);
}

void
authz_decision_clear(struct authz_decision *d)
{
	cert_free(d->owned);
	memset(d, 0, sizeof(*d));
}
