/*
 * authz.h: the certauthz library, the one header that fcgi/ and the
 * certauthz program include.
 *
 * The library turns a forwarded client certificate into plain C data
 * (struct cert_info, cert.c and dn.c), loads a policy file into an
 * immutable compiled policy (policy.c), decides a request against it
 * (eval.c, match.c) and renders the decision line of certauthzd(8),
 * LOGGING (decision.c).  It never logs and never touches FastCGI: the
 * caller logs what it is handed.  No OpenSSL type appears here.
 *
 * Thread safety: a loaded struct authz_policy is never modified, so any
 * number of threads may decide against it at once.  A struct cert_cache
 * belongs to one thread.
 */
#ifndef AUTHZ_H
#define AUTHZ_H

#include <stddef.h>
#include <time.h>

#define AUTHZ_CERT_MAX_DEFAULT	16384	/* bytes of a certificate's DER */
#define AUTHZ_CERT_MAX_LIMIT	49152	/* max_cert_bytes at most: a
					   request is 64 KiB in all */
#define AUTHZ_VALUE_MAX		256	/* bytes of one log value */
#define AUTHZ_HEADER_MAX	2048	/* bytes of one Variable- header
					   value as sent, "..." included */
#define AUTHZ_SERIAL_MAX	64	/* bytes of a serial's magnitude */
#define AUTHZ_SERIAL_HEXLEN	(2 * AUTHZ_SERIAL_MAX + 2)	/* '-', NUL */
#define AUTHZ_LINE_MAX		4096	/* a decision line, NUL included */
#define AUTHZ_RDN_MAX		64	/* values in one multi-valued RDN */

/*
 * Distinguished names (dn.c).
 *
 * A struct dn holds the RDNs in certificate (ASN.1) order: the most
 * general first, as in /C=../O=../CN=..; RFC 4514 strings are written
 * the other way round.  Values are UTF-8 and may hold a NUL byte (the
 * length says where a value ends); dn_flags() reports that.
 */
struct dn_ava {
	char		*oid;	/* dotted, "2.5.4.3" */
	char		*name;	/* "CN", or the dotted OID when unnamed */
	char		*value;	/* UTF-8, NUL-terminated */
	size_t		 len;	/* bytes of value, not counting the NUL */
	char		*raw;	/* from a certificate: the string's bytes as
				   X509_NAME_oneline() prints them, when
				   they differ from value; else NULL */
	size_t		 rawlen;
};

struct dn_rdn {
	struct dn_ava	*ava;
	size_t		 nava;	/* > 1: a multi-valued RDN */
};

struct dn {
	struct dn_rdn	*rdn;
	size_t		 nrdn;
};

/*
 * Parses an RFC 4514/2253 string ("CN=alice,O=Example", escapes \, \+
 * \XX, multi-valued RDNs joined by +) or OpenSSL's slash form
 * ("/O=Example/CN=alice").  Attribute names are the RFC 4514 keywords
 * (CN, L, ST, O, OU, C, STREET, DC, UID) and emailAddress/E, else
 * OpenSSL's short or long names, any case, or dotted OIDs.  An RDN holds
 * at most AUTHZ_RDN_MAX values.  Returns 0, or -1 with *errstr set to a
 * short static reason and *out left empty.
 */
int	 dn_parse(const char *, size_t, struct dn *, const char **errstr);
/* Returns 1 when equal as certauthz.conf(5), RULES says, 0 otherwise. */
int	 dn_equal(const struct dn *, const struct dn *);
/* RFC 4514 rendering, most specific first; malloc'ed, NULL on ENOMEM. */
char	*dn_render(const struct dn *);
/*
 * Returns 1 when a DN string forwarded by a web server (SSL_CLIENT_S_DN,
 * SSL_CLIENT_I_DN) names the same DN as dn in one of the forms nginx,
 * Apache or lighttpd print (RFC 2253 with raw or \XX-escaped UTF-8,
 * legacy slash form, lighttpd's "O = Lab, CN = alice" exactly as it
 * prints this DN, never cut), 0 when it does not or cannot be parsed.
 */
int	 dn_matches_forwarded(const struct dn *, const char *);
void	 dn_free(struct dn *);

/*
 * Certificates (cert.c).  Everything a policy can match, as plain data.
 */
#define CERT_F_NUL	0x01	/* a subject value or SAN holds a NUL byte */
#define CERT_F_MULTI_CN	0x02	/* the subject holds more than one CN */

/* Values, each NUL-terminated, that may hold a NUL: len[i] is v[i]'s. */
struct strlist {
	char		**v;
	size_t		 *len;
	size_t		  n;
};

struct cert_info {
	char		 serial[AUTHZ_SERIAL_HEXLEN];	/* normalized hex */
	struct dn	 subject;
	struct dn	 issuer;
	char		*subject_str;	/* RFC 4514 */
	char		*issuer_str;	/* RFC 4514 */
	struct strlist	 san_email;	/* rfc822Name */
	struct strlist	 subject_email;	/* emailAddress attributes */
	struct strlist	 dns;
	struct strlist	 uri;
	struct strlist	 ip;		/* "192.0.2.1", "2001:db8::1" */
	struct strlist	 eku;		/* "clientAuth", or a dotted OID */
	struct strlist	 eku_oid;	/* the same, dotted: what is compared */
	int		 has_eku;	/* the extension is present */
	int		 eku_client;	/* it lists clientAuth */
	int		 is_ca;		/* X509_check_ca(): CA:TRUE, v1
					   self-signed, keyCertSign, ... */
	unsigned char	 sha256[32];
	char		 fingerprint[65];	/* lowercase hex, no colons */
	char		 spki[65];	/* SHA-256 of the DER of the
					   SubjectPublicKeyInfo, the same */
	time_t		 not_before;
	time_t		 not_after;
	unsigned int	 flags;		/* CERT_F_* */
	unsigned char	*der;
	size_t		 derlen;
};

/*
 * Decodes SSL_CLIENT_CERT in any form a web server forwards it in (PEM
 * with LF or CRLF, nginx's TAB-continued and %XX-escaped forms, bare
 * base64 DER, RFC 9440 ":b64:") holding exactly one certificate of at
 * most max bytes of DER, whatever the length of its form.  Returns a
 * new cert_info, or NULL with *reason set to a short static text
 * ("oversized certificate", "bad %XX escape", ...).
 *
 * cert_encoded_max() is the longest form of a certificate of max DER
 * bytes (about 4.5 times max): a longer input is "oversized" unread,
 * so that memory and work stay bounded.
 */
struct cert_info	*cert_decode(const char *, size_t, size_t max,
			    const char **reason);
size_t			 cert_encoded_max(size_t max);
void			 cert_free(struct cert_info *);

/*
 * A CA (and optional CRL) store for the policy's ca_file/crl_file.
 * cert_store_verify() returns 1 when the certificate chains to it at
 * time now and is not revoked, 0 with *reason set when not.
 */
struct cert_store;
struct cert_store	*cert_store_load(const char *ca, const char *crl,
			    const char **reason);
int			 cert_store_verify(const struct cert_store *,
			    const struct cert_info *, time_t now,
			    const char **reason);
void			 cert_store_free(struct cert_store *);
/*
 * 1 when crl_file gave cs CRLs: *last is the oldest lastUpdate among
 * them, *next the earliest nextUpdate (0: none has one); else 0.
 */
int			 cert_store_crl(const struct cert_store *,
			    time_t *last, time_t *next);
/*
 * crl_stale of certauthz.conf(5): with warn set, a CRL past its
 * nextUpdate is still used (its revocations hold) rather than failing
 * every verification against it.  Call before any cert_store_verify().
 */
void			 cert_store_crl_stale(struct cert_store *, int warn);

/*
 * A bounded cache of decoded certificates keyed by the exact forwarded
 * bytes, owned by one thread.  cert_cache_get() decodes on a miss; the
 * returned cert_info stays valid until the next call on the same cache.
 * Time-dependent checks are never cached.
 */
struct cert_cache;
struct cert_cache	*cert_cache_new(size_t slots);
const struct cert_info	*cert_cache_get(struct cert_cache *, const char *,
			    size_t, size_t max, const char **reason);
void			 cert_cache_free(struct cert_cache *);
/*
 * The lookups that found the certificate cached, and those that had to
 * decode it.  Any thread may read them while the owner uses the cache.
 */
void			 cert_cache_stats(const struct cert_cache *,
			    unsigned long *hits, unsigned long *misses);

/*
 * Policies (policy.c).  authz_policy_load() reads a libconfig file and
 * every file it names into a compiled, immutable policy.  Each error
 * (and, with AUTHZ_LOAD_LINT, each warning prefixed "warning: ") is
 * handed to msg as "FILE:LINE: message".  Returns NULL when anything
 * failed: a policy is never half loaded.
 */
#define AUTHZ_LOAD_LINT	0x01

struct authz_policy;
typedef void	(*authz_msg_fn)(void *, const char *);

struct authz_policy	*authz_policy_load(const char *, int flags,
			    authz_msg_fn msg, void *arg);
void			 authz_policy_free(struct authz_policy *);
int			 authz_policy_facility(const struct authz_policy *);
int			 authz_policy_log_allow(const struct authz_policy *);
size_t			 authz_policy_max_cert(const struct authz_policy *);
/* cert_store_crl() of the policy's ca_file/crl_file store. */
int			 authz_policy_crl(const struct authz_policy *,
			    time_t *last, time_t *next);
/* crl_stale: 1 for "warn", 0 for "deny" (the default). */
int			 authz_policy_crl_stale(const struct authz_policy *);
/* auto_reload: seconds between checks of the policy's files, 0 off. */
int			 authz_policy_auto_reload(const struct authz_policy *);
/*
 * Has any file the policy read (the policy file, its @includes, list
 * files, ca_file, crl_file, the shadow candidate and its files) changed
 * since it was read: another inode, size, mtime or ctime, or gone?
 * Returns 1 (*which: that file's path) or 0.  *digest is set, either
 * way, to a digest of what the files are now, so that a caller can
 * tell a later change from the one it already tried.
 */
int			 authz_policy_changed(const struct authz_policy *,
			    const char **which, unsigned long long *digest);

/*
 * A request as the web server described it.  Any field may be NULL
 * (absent).  fault is set by the transport for what it already knows
 * to be a deny (a param sent twice, an oversized param): the decision is
 * a deny with that reason, whatever the policy says.
 */
struct authz_request {
	const char	*verify;	/* SSL_CLIENT_VERIFY */
	const char	*cert;		/* SSL_CLIENT_CERT */
	size_t		 certlen;
	const char	*serial;	/* SSL_CLIENT_M_SERIAL */
	const char	*serial_alt;	/* SSL_CLIENT_SERIAL */
	const char	*s_dn;		/* SSL_CLIENT_S_DN */
	const char	*i_dn;		/* SSL_CLIENT_I_DN */
	const char	*policy;	/* CERTAUTHZ_POLICY */
	const char	*uri;		/* REQUEST_URI */
	const char	*path;		/* CERTAUTHZ_PATH: the routed path */
	const char	*host;		/* HTTP_HOST, else SERVER_NAME */
	const char	*method;	/* REQUEST_METHOD */
	const char	*remote;	/* REMOTE_ADDR */
	const char	*role;		/* "responder", "authorizer", "check" */
	const char	*fault;
};

enum authz_result {
	AUTHZ_ALLOW = 0,	/* 200 */
	AUTHZ_DENY = 1,		/* 403 */
	AUTHZ_FAULT = 2		/* 500: no usable policy, unknown policy */
};

struct authz_decision {
	enum authz_result	 result;
	const char		*policy;	/* NULL: none chosen ("-") */
	const char		*rule;		/* NULL: none held ("-") */
	const char		*reason;	/* NULL on allow */
	const char		*user;		/* identity, on allow */
	const char		*email;		/* first email, or NULL */
	const struct cert_info	*cert;		/* NULL when unusable */
	long			 us;		/* set by the caller */
	char			 reasonbuf[256];
	struct cert_info	*owned;		/* decoded without a cache */
	/*
	 * The shadow candidate's decision (settings.shadow), which never
	 * changes the answer: shadow is 0 when the policy has no
	 * candidate, 1 when it decided, -1 when it did not load.
	 */
	int			 shadow;
	enum authz_result	 shadow_result;
	const char		*shadow_policy;
	const char		*shadow_rule;
	const char		*shadow_reason;	/* NULL on allow */
	char			 shadow_reasonbuf[128];
};

/*
 * Decides req against policy (NULL: no usable policy, a fault) at time
 * now, decoding the certificate through cache (or without one when
 * NULL).  Fills d; pointers in d point into policy, req, cache or d
 * itself and stay valid until authz_decision_clear(), the next use of
 * cache, or the release of policy, whichever comes first.
 */
void	 authz_decide(const struct authz_policy *, const struct authz_request *,
	    struct cert_cache *, time_t now, struct authz_decision *);
void	 authz_decision_clear(struct authz_decision *);

/*
 * A trace of one decision, for `certauthz check --explain`: fn is
 * called with each step eval.c takes, in order.  The policy's `when`
 * keys (AUTHZ_TRACE_WHEN, then AUTHZ_TRACE_SELECT for the policy as a
 * whole, or AUTHZ_TRACE_NAMED when CERTAUTHZ_POLICY named it), then
 * each rule of the selected policy (AUTHZ_TRACE_RULE), each followed by
 * its conditions (AUTHZ_TRACE_COND), all of them, even after one that
 * did not hold.  Rules after the one that decided are traced with
 * after set: they did not count.  held is 1, 0, or -1 (reason says
 * why it could not be evaluated).  cond is the condition as written,
 * "key=value" with values separated by 0x1f; every pointer lives as
 * long as the policy.  Without a trace (authz_decide()) eval.c costs
 * one NULL test per step.
 */
enum authz_trace_kind {
	AUTHZ_TRACE_NAMED, AUTHZ_TRACE_WHEN, AUTHZ_TRACE_SELECT,
	AUTHZ_TRACE_RULE, AUTHZ_TRACE_COND
};

struct authz_trace_event {
	enum authz_trace_kind	 kind;
	const char		*policy;
	const char		*rule;		/* RULE, COND */
	int			 deny;		/* RULE, COND: of a deny rule */
	int			 after;		/* RULE, COND: after the decision */
	const char		*cond;		/* WHEN, COND */
	int			 held;
	const char		*reason;	/* held == -1 */
};

struct authz_trace {
	void	(*fn)(void *, const struct authz_trace_event *);
	void	 *arg;
};

void	 authz_decide_trace(const struct authz_policy *,
	    const struct authz_request *, struct cert_cache *, time_t now,
	    struct authz_decision *, const struct authz_trace *);

/*
 * decision.c.  authz_decision_line() writes the decision line of
 * certauthzd(8), LOGGING, escaped and capped, NUL-terminated, truncated
 * to size; returns its length.  authz_escape() writes one value as that
 * line escapes it (quoted when needed, capped at AUTHZ_VALUE_MAX bytes
 * of input with "...") and returns the length written.
 *
 * authz_header_value() writes a value for a Variable- header: bytes
 * below 0x20 and 0x7f as \xNN, '\' as \\, and a space that starts or
 * ends the value as \x20 (web servers trim those), so the value a
 * backend reads names one certificate value only; nothing else changed.
 * A value whose escaped form is longer than AUTHZ_HEADER_MAX bytes (or
 * than size - 1) is cut, between escapes and UTF-8 characters, and ends
 * in "..." within that bound, as a log value is.  It returns the length
 * written, or -1 when size is below 4 (no room for "...").
 * authz_header_fits() returns 1 when v is written uncut within
 * AUTHZ_HEADER_MAX, 0 otherwise: an identity that does not fit is a
 * deny (eval.c), so CERTAUTHZ_USER is never cut.  Each of the three
 * writers NUL-terminates when size > 0.
 */
size_t	 authz_decision_line(const struct authz_decision *,
	    const struct authz_request *, char *, size_t);
size_t	 authz_escape(char *, size_t, const char *);
int	 authz_header_value(char *, size_t, const char *);
int	 authz_header_fits(const char *);

#endif /* AUTHZ_H */
