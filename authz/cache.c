/*
 * cache.c: a small cache of decoded certificates for one thread.
 *
 * nginx and Apache forward the same certificate on every request of a
 * connection, so decoding it once per worker thread saves most of the
 * cost.  The cache is direct-mapped: the forwarded bytes hash to one
 * slot, compared in full before a hit; a miss decodes and replaces that
 * slot.  Only successful decodes are cached, and nothing that depends on
 * the time is kept here.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"

struct cert_cache_slot {
	uint64_t		 hash;
	char			*key;
	size_t			 len;
	struct cert_info	*ci;
};

struct cert_cache {
	struct cert_cache_slot	*slot;
	size_t			 nslot;
};

/* A fast 64-bit hash, 8 bytes a step; only ever confirmed by memcmp(). */
static uint64_t
cert_cache_hash(const char *s, size_t len)
{
	uint64_t	 h = 0x9e3779b97f4a7c15ULL ^ len, w;

	while (len >= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
		s += 8;
		len -= 8;
	}
	w = 0;
	memcpy(&w, s, len);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

struct cert_cache *
cert_cache_new(size_t slots)
{
	struct cert_cache *cc;

	if (slots == 0)
		slots = 1;
	if ((cc = calloc(1, sizeof(*cc))) == NULL)
		return NULL;
	if ((cc->slot = calloc(slots, sizeof(*cc->slot))) == NULL) {
		free(cc);
		return NULL;
	}
	cc->nslot = slots;
	return cc;
}

static void
cert_cache_clear(struct cert_cache_slot *sl)
{
	free(sl->key);
	cert_free(sl->ci);
	memset(sl, 0, sizeof(*sl));
}

const struct cert_info *
cert_cache_get(struct cert_cache *cc, const char *s, size_t len, size_t max,
    const char **reason)
{
	struct cert_cache_slot *sl;
	struct cert_info *ci;
	uint64_t	 h;

	*reason = NULL;
	if (len > max) {
		/* A smaller max than when it was cached still refuses it. */
		*reason = "oversized certificate";
		return NULL;
	}
	h = cert_cache_hash(s, len);
	sl = &cc->slot[h % cc->nslot];
	if (sl->ci != NULL && sl->hash == h && sl->len == len &&
	    memcmp(sl->key, s, len) == 0)
		return sl->ci;
	if ((ci = cert_decode(s, len, max, reason)) == NULL)
		return NULL;
	cert_cache_clear(sl);
	if ((sl->key = malloc(len)) == NULL) {
		/* Uncacheable, but decoded: keep it in the slot alone. */
		sl->ci = ci;
		sl->len = (size_t)-1;
		return ci;
	}
	memcpy(sl->key, s, len);
	sl->hash = h;
	sl->len = len;
	sl->ci = ci;
	return ci;
}

void
cert_cache_free(struct cert_cache *cc)
{
	size_t	 i;

	if (cc == NULL)
		return;
	for (i = 0; i < cc->nslot; i++)
		cert_cache_clear(&cc->slot[i]);
	free(cc->slot);
	free(cc);
}
