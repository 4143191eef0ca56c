/*
 * set.c: an open-addressing hash set of byte strings (FNV-1a, linear
 * probing, load at most 1/2).  The strings live in the policy's arena;
 * the set stores their hashes and pointers.  A million entries cost
 * about 24 bytes each plus the strings.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy_impl.h"

struct slot {
	const char	*s;	/* NULL: empty */
	uint32_t	 hash;
	uint32_t	 len;
};

struct set {
	struct arena	*arena;
	struct slot	*slot;
	size_t		 cap;	/* a power of two */
	size_t		 count;
};

static uint32_t
set_hash(const char *s, size_t len)
{
	uint32_t	 h = 2166136261u;
	size_t		 i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

struct set *
set_new(struct arena *a)
{
	struct set	*set;

	if ((set = calloc(1, sizeof(*set))) == NULL)
		return NULL;
	set->arena = a;
	set->cap = 16;
	if ((set->slot = calloc(set->cap, sizeof(struct slot))) == NULL) {
		free(set);
		return NULL;
	}
	return set;
}

static struct slot *
set_find(struct slot *slot, size_t cap, const char *s, size_t len,
    uint32_t h)
{
	size_t	 i = h & (cap - 1);

	while (slot[i].s != NULL) {
		if (slot[i].hash == h && slot[i].len == len &&
		    memcmp(slot[i].s, s, len) == 0)
			return &slot[i];
		i = (i + 1) & (cap - 1);
	}
	return &slot[i];
}

static int
set_grow(struct set *set)
{
	struct slot	*n, *dst;
	size_t		 cap = set->cap * 2, i;

	if ((n = calloc(cap, sizeof(*n))) == NULL)
		return -1;
	for (i = 0; i < set->cap; i++) {
		if (set->slot[i].s == NULL)
			continue;
		dst = set_find(n, cap, set->slot[i].s, set->slot[i].len,
		    set->slot[i].hash);
		*dst = set->slot[i];
	}
	free(set->slot);
	set->slot = n;
	set->cap = cap;
	return 0;
}

int
set_add(struct set *set, const char *s, size_t len)
{
	struct slot	*sl;
	uint32_t	 h = set_hash(s, len);

	if (len > UINT32_MAX)
		return -1;
	sl = set_find(set->slot, set->cap, s, len, h);
	if (sl->s != NULL)
		return 0;
	if ((set->count + 1) * 2 > set->cap) {
		if (set_grow(set) == -1)
			return -1;
		sl = set_find(set->slot, set->cap, s, len, h);
	}
	if ((sl->s = arena_strndup(set->arena, s, len)) == NULL)
		return -1;
	sl->hash = h;
	sl->len = (uint32_t)len;
	set->count++;
	return 1;
}

int
set_has(const struct set *set, const char *s, size_t len)
{
	if (set == NULL || set->count == 0)
		return 0;
	return set_find(set->slot, set->cap, s, len,
	    set_hash(s, len))->s != NULL;
}

size_t
set_count(const struct set *set)
{
	return set == NULL ? 0 : set->count;
}

void
set_free(struct set *set)
{
	if (set == NULL)
		return;
	free(set->slot);
	free(set);
}
