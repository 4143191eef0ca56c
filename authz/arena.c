/*
 * arena.c: a bump allocator for the compiled policy.  A policy is built
 * once and released whole, so its many small strings (a list may hold a
 * million) live in large chunks and are never freed one by one.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy_impl.h"

#define ARENA_CHUNK	(1024 * 1024)

struct chunk {
	struct chunk	*next;
	size_t		 size, used;
	max_align_t	 data[];
};

struct arena {
	struct chunk	*head;
};

struct arena *
arena_new(void)
{
	return calloc(1, sizeof(struct arena));
}

/* Returns size bytes aligned to al (a power of two), or NULL on ENOMEM. */
static void *
arena_get(struct arena *a, size_t size, size_t al)
{
	struct chunk	*c = a->head;
	size_t		 want;
	void		*p;

	if (c != NULL)
		c->used = (c->used + al - 1) & ~(al - 1);
	if (size == 0)
		size = 1;
	if (c != NULL && c->used > c->size)
		c->used = c->size;
	if (c == NULL || c->size - c->used < size) {
		want = size > ARENA_CHUNK / 4 ? size : ARENA_CHUNK;
		if ((c = malloc(sizeof(*c) + want)) == NULL)
			return NULL;
		c->size = want;
		c->used = 0;
		if (size > ARENA_CHUNK / 4 && a->head != NULL) {
			/* a big block: keep filling the current chunk */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	p = (char *)c->data + c->used;
	c->used += size;
	return p;
}

/* Returns size bytes aligned for any type, or NULL on ENOMEM. */
void *
arena_alloc(struct arena *a, size_t size)
{
	return arena_get(a, size, sizeof(max_align_t));
}

char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	char	*p;

	if ((p = arena_get(a, len + 1, 1)) == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

int
arena_grow(struct arena *a, void *arrp, size_t n, size_t elem)
{
	void	**arr = arrp, *na;
	size_t	 cap;

	/* the capacity is implied: 1, 2, 4, ... (n full when a power of 2) */
	if (n != 0 && (n & (n - 1)) != 0)
		return 0;
	cap = n == 0 ? 1 : 2 * n;
	if (cap < n || cap > SIZE_MAX / elem)
		return -1;
	if ((na = arena_alloc(a, cap * elem)) == NULL)
		return -1;
	if (n > 0)
		memcpy(na, *arr, n * elem);
	*arr = na;
	return 0;
}

void
arena_free(struct arena *a)
{
	struct chunk	*c, *next;

	if (a == NULL)
		return;
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}
