/*
 * policy_watch.c: the files a policy read, as they were just before it
 * read them, so that certauthzd can reload when one changes (auto_reload
 * of certauthz.conf(5)).  A file is compared by device, inode, size,
 * mtime and ctime: a rename over it (the safe way to replace a file), an
 * edit in place and a removal all show.  Nothing here reads a file.
 */
#include "config.h"

#include <sys/stat.h>

#include <string.h>

#include "policy_load.h"

/* The state of path now into *w (path not set). */
static void
policy_watch_stat(const char *path, struct policy_watch *w)
{
	struct stat	 st;

	memset(w, 0, sizeof(*w));
	if (stat(path, &st) == -1)
		return;
	w->exists = 1;
	w->dev = (unsigned long long)st.st_dev;
	w->ino = (unsigned long long)st.st_ino;
	w->size = (unsigned long long)st.st_size;
	w->mtime = (long long)st.st_mtim.tv_sec * 1000000000LL +
	    st.st_mtim.tv_nsec;
	w->ctime = (long long)st.st_ctim.tv_sec * 1000000000LL +
	    st.st_ctim.tv_nsec;
}

void
policy_watch(struct loader *ld, const char *path)
{
	struct authz_policy	*p = ld->p;
	struct policy_watch	 w;

	policy_watch_stat(path, &w);
	if ((w.path = arena_strndup(p->arena, path, strlen(path))) == NULL ||
	    arena_grow(p->arena, &p->watch, p->nwatch, sizeof(w)) == -1) {
		policy_oom(ld);
		return;
	}
	p->watch[p->nwatch++] = w;
}

/* FNV-1a over the bytes of one file's state. */
static unsigned long long
policy_watch_hash(unsigned long long h, const struct policy_watch *w)
{
	unsigned long long	 v[7];
	const unsigned char	*b = (const unsigned char *)v;
	size_t			 i;

	v[0] = (unsigned long long)w->exists;
	v[1] = w->dev;
	v[2] = w->ino;
	v[3] = w->size;
	v[4] = (unsigned long long)w->mtime;
	v[5] = (unsigned long long)w->ctime;
	v[6] = 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < sizeof(v); i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int
policy_watch_changed(const struct authz_policy *p, const char **which,
    unsigned long long *digest)
{
	struct policy_watch	 now;
	size_t			 i;
	int			 changed = 0;

	for (i = 0; i < p->nwatch; i++) {
		policy_watch_stat(p->watch[i].path, &now);
		*digest = policy_watch_hash(*digest, &now);
		if (changed || (now.exists == p->watch[i].exists &&
		    now.dev == p->watch[i].dev && now.ino == p->watch[i].ino &&
		    now.size == p->watch[i].size &&
		    now.mtime == p->watch[i].mtime &&
		    now.ctime == p->watch[i].ctime))
			continue;
		changed = 1;
		*which = p->watch[i].path;
	}
	if (p->shadow != NULL && policy_watch_changed(p->shadow,
	    changed ? &(const char *){ NULL } : which, digest))
		changed = 1;
	return changed;
}

int
authz_policy_changed(const struct authz_policy *p, const char **which,
    unsigned long long *digest)
{
	*digest = 0xcbf29ce484222325ULL;
	*which = NULL;
	return p != NULL && policy_watch_changed(p, which, digest);
}
