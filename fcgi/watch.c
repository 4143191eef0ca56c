/*
 * watch.c: what certauthzd's main thread does between signals
 * (watch_wait()): it says, once per loaded policy, that its crl_file is
 * past its nextUpdate (crl_stale of certauthz.conf(5)), and with
 * auto_reload set it asks for a reload when a file the policy read has
 * changed.  The reload itself is server.c's, the one SIGHUP runs, so it
 * swaps as atomically and keeps a failed load out the same way.
 *
 * A change is reloaded once it has held still for one short check
 * (WATCH_SETTLE_MS), so a file caught half written is not loaded on
 * its own; a load that failed is not tried again until the files
 * change again, so a broken file is logged once, not every interval.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "authz.h"
#include "log.h"
#include "certauthzd.h"

#define WATCH_SETTLE_MS		1000
#define WATCH_CRL_S		60	/* how often a CRL's age is looked at */

static struct {
	unsigned long		 gen;		/* of the policy last seen */
	int			 crl_told;	/* its stale CRL was logged */
	int			 settling;	/* a change seen, not reloaded */
	unsigned long long	 seen;		/* the digest it was seen at */
	int			 tried;		/* a reload at tried_digest */
	unsigned long		 tried_gen;
	unsigned long long	 tried_digest;
} watch;

/* Logs, once per policy, that its CRL is past its nextUpdate. */
static void
watch_crl(const struct authz_policy *p)
{
	time_t		 last, next, now = time(NULL);
	struct tm	 tm;
	char		 when[32];

	if (watch.crl_told || !authz_policy_crl(p, &last, &next) ||
	    next == 0 || now <= next)
		return;
	watch.crl_told = 1;
	if (gmtime_r(&next, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(when, sizeof(when), "%lld", (long long)next);
	if (authz_policy_crl_stale(p))
		log_warnx("crl_file is past its nextUpdate (%s): crl_stale = "
		    "warn, decisions unchanged; a certificate revoked since "
		    "is not in it", when);
	else
		log_warnx("crl_file is past its nextUpdate (%s): crl_stale = "
		    "deny, every certificate verified against it is denied",
		    when);
}

int
watch_wait(const sigset_t *set, const struct authz_policy *p,
    unsigned long gen)
{
	struct timespec		 ts;
	const char		*which;
	unsigned long long	 digest;
	long			 ms;
	int			 sig, every = authz_policy_auto_reload(p);

	if (gen != watch.gen) {
		watch.gen = gen;
		watch.crl_told = 0;
		watch.settling = 0;
	}
	watch_crl(p);
	ms = watch.settling ? WATCH_SETTLE_MS : every > 0 ? every * 1000L :
	    WATCH_CRL_S * 1000L;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	if ((sig = sigtimedwait(set, NULL, &ts)) > 0)
		return sig;
	if (sig == -1 && errno != EAGAIN)
		return 0;
	if (every == 0 || !authz_policy_changed(p, &which, &digest)) {
		watch.settling = 0;
		return 0;
	}
	/* a failed reload of these very files: wait for another change */
	if (watch.tried && watch.tried_gen == gen &&
	    watch.tried_digest == digest)
		return 0;
	if (!watch.settling || watch.seen != digest) {
		watch.settling = 1;
		watch.seen = digest;
		return 0;
	}
	watch.settling = 0;
	watch.tried = 1;
	watch.tried_gen = gen;
	watch.tried_digest = digest;
	log_info("%s changed: auto_reload", which != NULL ? which : "a file");
	return -1;
}
