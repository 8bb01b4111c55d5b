#include "dns/arena.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK (256 * 1024)

struct arena_chunk {
	arena_chunk_t *next;
	alignas(max_align_t) unsigned char data[];
};

void arena_init(arena_t *a)
{
	a->head = NULL;
	a->used = a->cap = a->total = 0;
}

void *arena_alloc(arena_t *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	size_t off = (a->used + align - 1) & ~(align - 1);
	if (a->head == NULL || off > a->cap || n > a->cap - off) {
		/* Big requests get a chunk of their own. */
		size_t cap = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK;
		arena_chunk_t *c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		a->total += sizeof(*c) + cap;
		c->next = a->head;
		a->head = c;
		a->cap = cap;
		off = 0;
	}
	a->used = off + n;
	return a->head->data + off;
}

void *arena_calloc(arena_t *a, size_t n)
{
	void *p = arena_alloc(a, n);
	if (p)
		memset(p, 0, n);
	return p;
}

void *arena_dup(arena_t *a, const void *src, size_t n)
{
	void *p = arena_alloc(a, n);
	if (p && n)
		memcpy(p, src, n);
	return p;
}

void arena_free(arena_t *a)
{
	arena_chunk_t *c = a->head;
	while (c) {
		arena_chunk_t *next = c->next;
		free(c);
		c = next;
	}
	arena_init(a);
}
