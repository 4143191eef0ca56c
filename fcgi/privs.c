/*
 * privs.c: dropping root after the socket is bound.
 *
 * The order is spawn-fcgi's: setgid, setgroups, initgroups, setuid; then
 * check that it stuck (uid 0 cannot be regained).  Asked to drop, the
 * daemon never stays uid 0: a -u that names root, or -g alone while
 * running as root, is refused.
 */
#include "config.h"	/* _GNU_SOURCE (AC_USE_SYSTEM_EXTENSIONS) */

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include "certauthzd.h"
#include "log.h"

/*
 * Resolves user and group (names or numbers; either may be NULL) to
 * *uid and *gid, (uid_t)-1/(gid_t)-1 when not given.  -u alone takes
 * the user's primary group.  Returns 0, or -1 after logging why.
 */
int
privs_resolve(const char *user, const char *group, uid_t *uid, gid_t *gid)
{
	struct passwd	*pw;
	struct group	*gr;
	char		*end;
	unsigned long	 n;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (user != NULL) {
		if ((pw = getpwnam(user)) == NULL) {
			errno = 0;
			n = strtoul(user, &end, 10);
			if (*user == '\0' || *end != '\0' || errno != 0 ||
			    (pw = getpwuid((uid_t)n)) == NULL) {
				log_warnx("%s: unknown user %s", __func__, user);
				return -1;
			}
		}
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
		if (*uid == 0) {
			log_warnx("%s: refusing to run as uid 0 (-u %s)",
			    __func__, user);
			return -1;
		}
	}
	if (group != NULL) {
		if ((gr = getgrnam(group)) == NULL) {
			errno = 0;
			n = strtoul(group, &end, 10);
			if (*group == '\0' || *end != '\0' || errno != 0 ||
			    (gr = getgrgid((gid_t)n)) == NULL) {
				log_warnx("%s: unknown group %s", __func__,
				    group);
				return -1;
			}
		}
		*gid = gr->gr_gid;
	}
	if (user == NULL && group != NULL && geteuid() == 0) {
		log_warnx("%s: -g without -u would keep uid 0", __func__);
		return -1;
	}
	return 0;
}

/*
 * Drops to uid/gid as resolved by privs_resolve(); nothing to do when
 * neither was given.  Returns 0, or -1 after logging why.
 */
int
privs_drop(const char *user, uid_t uid, gid_t gid)
{
	struct passwd	*pw;

	if (uid == (uid_t)-1 && gid == (gid_t)-1)
		return 0;
	if (gid != (gid_t)-1) {
		if (setgid(gid) == -1) {
			log_warn("%s: setgid %lu", __func__, (unsigned long)gid);
			return -1;
		}
		if (geteuid() == 0 && setgroups(1, &gid) == -1) {
			log_warn("%s: setgroups", __func__);
			return -1;
		}
	}
	if (uid != (uid_t)-1) {
		pw = getpwuid(uid);
		if (geteuid() == 0 && (pw == NULL ||
		    initgroups(pw->pw_name, gid) == -1)) {
			log_warn("%s: initgroups %s", __func__, user);
			return -1;
		}
		if (setuid(uid) == -1) {
			log_warn("%s: setuid %lu", __func__, (unsigned long)uid);
			return -1;
		}
	}
	if (uid != (uid_t)-1 && (getuid() != uid || geteuid() != uid ||
	    setuid(0) != -1)) {
		log_warnx("%s: uid %lu did not stick", __func__,
		    (unsigned long)uid);
		return -1;
	}
	if (gid != (gid_t)-1 && (getgid() != gid || getegid() != gid)) {
		log_warnx("%s: gid %lu did not stick", __func__,
		    (unsigned long)gid);
		return -1;
	}
	return 0;
}
