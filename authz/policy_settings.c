/*
 * policy_settings.c: the settings group of a policy file
 * (certauthz.conf(5), SETTINGS).  Each key has one handler in
 * policy_settings_keys[], which checks the value and sets it in the
 * policy, or reports an error: any error refuses the whole file.  A key
 * that is not set keeps the default authz_policy_load() gave it.
 * ca_file and crl_file are loaded together, once both are known.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>
#include <syslog.h>

#include "policy_load.h"

/* ca_file and crl_file as written, until the store is loaded. */
struct policy_files {
	const config_setting_t	*ca, *crl, *stale;
};

struct policy_name {
	const char	*name;
	int		 value;
};

static const struct policy_name policy_facilities[] = {
	{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

static const struct policy_name policy_identities[] = {
	{ "cn", ID_CN }, { "email", ID_EMAIL }, { "subject", ID_SUBJECT },
	{ "serial", ID_SERIAL }, { "uri", ID_URI }, { "dns", ID_DNS },
	{ "fingerprint", ID_FINGERPRINT },
};

/*
 * The value of the string setting s by the n names of t.  Returns 0, or
 * -1 when s is no string or none of the names.
 */
static int
policy_settings_name(const config_setting_t *s, const struct policy_name *t,
    size_t n, int *value)
{
	const char	*v = config_setting_get_string(s);
	size_t		 k;

	for (k = 0; v != NULL && k < n; k++)
		if (strcmp(v, t[k].name) == 0) {
			*value = t[k].value;
			return 0;
		}
	return -1;
}

static void
policy_settings_identity(struct loader *ld, const config_setting_t *s,
    struct policy_files *f, size_t off)
{
	int	 v;

	(void)f;
	(void)off;
	if (policy_settings_name(s, policy_identities,
	    sizeof(policy_identities) / sizeof(policy_identities[0]), &v) == -1)
		ERR(ld, s, "identity must be one of cn, email, subject, serial, "
		    "uri, dns, fingerprint");
	else
		ld->p->identity = (enum identity)v;
}

/* A boolean: the int at offset off of struct authz_policy. */
static void
policy_settings_bool(struct loader *ld, const config_setting_t *s,
    struct policy_files *f, size_t off)
{
	(void)f;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		ERR(ld, s, "%s must be true or false", config_setting_name(s));
		return;
	}
	*(int *)((char *)ld->p + off) = config_setting_get_bool(s);
}

static void
policy_settings_email(struct loader *ld, const config_setting_t *s,
    struct policy_files *f, size_t off)
{
	struct authz_policy	*p = ld->p;
	const config_setting_t	*e;
	const char		*v;
	int			 j, n = config_setting_length(s);

	(void)f;
	(void)off;
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST)
		n = 0;
	for (j = 0; j < n; j++)
		if (config_setting_type(config_setting_get_elem(s, j)) !=
		    CONFIG_TYPE_STRING)
			n = 0;
	if (n < 1 || n > 2) {
		ERR(ld, s, "email_sources must be a list of \"san\" and/or "
		    "\"subject\"");
		return;
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
			ERR(ld, e, "unknown email source \"%s\" (san or "
			    "subject)", v);
	}
	if (n == 2 && p->email_src[0] == p->email_src[1])
		ERR(ld, s, "email_sources names a source twice");
}

static void
policy_settings_facility(struct loader *ld, const config_setting_t *s,
    struct policy_files *f, size_t off)
{
	(void)f;
	(void)off;
	if (policy_settings_name(s, policy_facilities,
	    sizeof(policy_facilities) / sizeof(policy_facilities[0]),
	    &ld->p->facility) == -1)
		ERR(ld, s, "unknown syslog_facility (auth, authpriv, daemon, "
		    "user, local0..local7)");
}

static void
policy_settings_max_cert(struct loader *ld, const config_setting_t *s,
    struct policy_files *f, size_t off)
{
	long long	 ll;

	(void)f;
	(void)off;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		ERR(ld, s, "max_cert_bytes must be an integer");
		return;
	}
	ll = config_setting_get_int64(s);
	if (config_setting_type(s) == CONFIG_TYPE_INT)
		ll = config_setting_get_int(s);
	/* a request is at most 64 KiB in all (certauthzd) */
	if (ll < 1024 || ll > AUTHZ_CERT_MAX_LIMIT)
		ERR(ld, s, "max_cert_bytes must be within 1024..%d",
		    AUTHZ_CERT_MAX_LIMIT);
	else
		ld->p->max_cert = (size_t)ll;
}

/* ca_file or crl_file: a file name, the member at offset off of *f. */
static void
policy_settings_file(struct loader *ld, const config_setting_t *s,
    struct policy_files *f, size_t off)
{
	const char	*v = config_setting_get_string(s);

	if (v == NULL || *v == '\0') {
		ERR(ld, s, "%s must be a file name", config_setting_name(s));
		return;
	}
	*(const config_setting_t **)((char *)f + off) = s;
}

static void
policy_settings_crl_stale(struct loader *ld, const config_setting_t *s,
    struct policy_files *f, size_t off)
{
	const char	*v = config_setting_get_string(s);

	(void)off;
	if (v != NULL && strcmp(v, "deny") == 0)
		ld->p->crl_stale_warn = 0;
	else if (v != NULL && strcmp(v, "warn") == 0)
		ld->p->crl_stale_warn = 1;
	else {
		ERR(ld, s, "crl_stale must be \"deny\" or \"warn\"");
		return;
	}
	f->stale = s;
}

/* Seconds between checks of the policy's files: 1 to one day. */
static void
policy_settings_auto_reload(struct loader *ld, const config_setting_t *s,
    struct policy_files *f, size_t off)
{
	int	 v;

	(void)f;
	(void)off;
	if (config_setting_type(s) != CONFIG_TYPE_INT ||
	    (v = config_setting_get_int(s)) < 0 || v > 86400) {
		ERR(ld, s, "auto_reload must be seconds within 0..86400 "
		    "(0: off)");
		return;
	}
	ld->p->auto_reload = v;
}

/* The shadow candidate: a policy file, resolved like the others. */
static void
policy_settings_shadow(struct loader *ld, const config_setting_t *s,
    struct policy_files *f, size_t off)
{
	const char	*v = config_setting_get_string(s);

	(void)f;
	(void)off;
	if (v == NULL || *v == '\0') {
		ERR(ld, s, "shadow must be a file name");
		return;
	}
	if (ld->flags & POLICY_LOAD_SHADOW) {
		ERR(ld, s, "a shadow candidate names no shadow of its own");
		return;
	}
	if ((ld->shadow = policy_file_path(ld->p->arena, ld->dir, v)) ==
	    NULL) {
		policy_oom(ld);
		return;
	}
	ld->shadow_line = config_setting_source_line(s);
}

static const struct {
	const char	*name;
	void		(*set)(struct loader *, const config_setting_t *,
			    struct policy_files *, size_t);
	size_t		 off;	/* what the handler sets, when it says */
} policy_settings_keys[] = {
	{ "identity",		policy_settings_identity,	0 },
	{ "check_validity",	policy_settings_bool,
	    offsetof(struct authz_policy, check_validity) },
	{ "require_client_auth", policy_settings_bool,
	    offsetof(struct authz_policy, require_client_auth) },
	{ "log_allow",		policy_settings_bool,
	    offsetof(struct authz_policy, log_allow) },
	{ "email_sources",	policy_settings_email,		0 },
	{ "syslog_facility",	policy_settings_facility,	0 },
	{ "max_cert_bytes",	policy_settings_max_cert,	0 },
	{ "ca_file",		policy_settings_file,
	    offsetof(struct policy_files, ca) },
	{ "crl_file",		policy_settings_file,
	    offsetof(struct policy_files, crl) },
	{ "crl_stale",		policy_settings_crl_stale,	0 },
	{ "auto_reload",	policy_settings_auto_reload,	0 },
	{ "shadow",		policy_settings_shadow,		0 },
};

/* Loads ca_file and crl_file (relative to the policy file) into a store. */
static void
policy_settings_store(struct loader *ld, const struct policy_files *f)
{
	const char	*reason = NULL;
	char		*capath, *crlpath = NULL;

	if (f->crl != NULL && f->ca == NULL) {
		ERR(ld, f->crl, "crl_file needs ca_file");
		return;
	}
	if (f->stale != NULL && f->crl == NULL) {
		ERR(ld, f->stale, "crl_stale needs crl_file");
		return;
	}
	if (f->ca == NULL)
		return;
	ld->has_ca = 1;
	if ((capath = policy_file_path(ld->p->arena, ld->dir,
	    config_setting_get_string(f->ca))) == NULL || (f->crl != NULL &&
	    (crlpath = policy_file_path(ld->p->arena, ld->dir,
	    config_setting_get_string(f->crl))) == NULL)) {
		policy_oom(ld);
		return;
	}
	if (policy_file_regular(capath, &reason) == -1) {
		ERR(ld, f->ca, "cannot load %s: %s", capath, reason);
		return;
	}
	policy_watch(ld, capath);
	if (crlpath != NULL)
		policy_watch(ld, crlpath);
	if (crlpath != NULL && policy_file_regular(crlpath, &reason) == -1) {
		ERR(ld, f->crl, "cannot load %s: %s", crlpath, reason);
		return;
	}
	if ((ld->p->store = cert_store_load(capath, crlpath, &reason)) ==
	    NULL)
		ERR(ld, f->crl != NULL ? f->crl : f->ca, "cannot load %s%s%s: "
		    "%s", capath, crlpath ? " or " : "", crlpath ? crlpath : "",
		    reason ? reason : "unusable");
	else
		cert_store_crl_stale(ld->p->store, ld->p->crl_stale_warn);
}

void
policy_settings(struct loader *ld, const config_setting_t *set)
{
	struct policy_files	 f = { NULL, NULL, NULL };
	const config_setting_t	*s;
	const char		*name;
	size_t			 k;
	int			 i;

	if (config_setting_type(set) != CONFIG_TYPE_GROUP) {
		ERR(ld, set, "settings must be a group: settings = { ... };");
		return;
	}
	for (i = 0; i < config_setting_length(set); i++) {
		s = config_setting_get_elem(set, i);
		name = config_setting_name(s);
		for (k = 0; k < sizeof(policy_settings_keys) /
		    sizeof(policy_settings_keys[0]); k++)
			if (strcmp(name, policy_settings_keys[k].name) == 0)
				break;
		if (k == sizeof(policy_settings_keys) /
		    sizeof(policy_settings_keys[0]))
			ERR(ld, s, "unknown setting %s", name);
		else
			policy_settings_keys[k].set(ld, s, &f,
			    policy_settings_keys[k].off);
	}
	policy_settings_store(ld, &f);
}
