/*
 * cache.c: a small cache of decoded certificates for one thread.
 *
 * nginx and Apache forward the same certificate on every request of a
 * connection, so decoding it once per worker thread saves most of the
 * cost.  The cache is 4-way set-associative: the forwarded bytes hash
 * to a set of four slots, each compared in full before a hit; a miss
 * decodes and replaces the least recently used slot of the set (a
 * direct-mapped cache let two busy clients that hashed alike evict each
 * other on every request).  Only successful decodes are cached, and
 * nothing that depends on the time is kept here.
 */
#include "config.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"

#define CERT_CACHE_WAYS	4

struct cert_cache_slot {
	uint64_t		 hash;
	uint64_t		 used;	/* cc->tick at the last hit */
	char			*key;
	size_t			 len;
	struct cert_info	*ci;
};

struct cert_cache {
	struct cert_cache_slot	*slot;
	size_t			 nslot;	/* a multiple of CERT_CACHE_WAYS */
	uint64_t		 tick;
	atomic_ulong		 hits;	/* written by the owner only */
	atomic_ulong		 misses;
};

/* One more, from the owner: no locked instruction on the hot path. */
static void
cert_cache_count(atomic_ulong *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c,
	    memory_order_relaxed) + 1, memory_order_relaxed);
}

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
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

struct cert_cache *
cert_cache_new(size_t slots)
{
	struct cert_cache *cc;

	slots = (slots + CERT_CACHE_WAYS - 1) / CERT_CACHE_WAYS *
	    CERT_CACHE_WAYS;
	if (slots == 0)
		slots = CERT_CACHE_WAYS;
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
	struct cert_cache_slot *set, *sl;
	struct cert_info *ci;
	uint64_t	 h;
	size_t		 i;

	*reason = NULL;
	if (len > cert_encoded_max(max)) {
		*reason = "oversized certificate";
		return NULL;
	}
	h = cert_cache_hash(s, len);
	set = &cc->slot[h % (cc->nslot / CERT_CACHE_WAYS) * CERT_CACHE_WAYS];
	sl = &set[0];
	for (i = 0; i < CERT_CACHE_WAYS; i++) {
		if (set[i].ci != NULL && set[i].hash == h &&
		    set[i].len == len && memcmp(set[i].key, s, len) == 0) {
			set[i].used = ++cc->tick;
			cert_cache_count(&cc->hits);
			/* a smaller max than when it was cached refuses it */
			if (set[i].ci->derlen > max) {
				*reason = "oversized certificate";
				return NULL;
			}
			return set[i].ci;
		}
		if (set[i].used < sl->used)
			sl = &set[i];	/* empty slots have used == 0 */
	}
	cert_cache_count(&cc->misses);
	if ((ci = cert_decode(s, len, max, reason)) == NULL)
		return NULL;
	cert_cache_clear(sl);
	if ((sl->key = malloc(len)) == NULL) {
		/* Uncacheable, but decoded: keep it in the slot alone. */
		sl->ci = ci;
		sl->len = (size_t)-1;
		sl->used = ++cc->tick;
		return ci;
	}
	memcpy(sl->key, s, len);
	sl->hash = h;
	sl->len = len;
	sl->ci = ci;
	sl->used = ++cc->tick;
	return ci;
}

void
cert_cache_stats(const struct cert_cache *cc, unsigned long *hits,
    unsigned long *misses)
{
	*hits = atomic_load_explicit(&cc->hits, memory_order_relaxed);
	*misses = atomic_load_explicit(&cc->misses, memory_order_relaxed);
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
