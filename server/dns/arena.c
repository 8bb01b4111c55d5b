#include "dns/arena.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

/* A chunk and its malloc header fill whole pages: each chunk is its own
 * mmap at this size, so nothing is lost to rounding. */
#define ARENA_CHUNK (1024 * 1024 - 64)

struct arena_chunk {
	arena_chunk_t *next;
	alignas(max_align_t) unsigned char data[];
};

void arena_init(arena_t *a)
{
	a->head = NULL;
	a->used = a->cap = a->total = 0;
}

void *arena_alloc(arena_t *a, size_t n) { return arena_alloc_align(a, n, alignof(max_align_t)); }

void *arena_alloc_align(arena_t *a, size_t n, size_t align)
{
	size_t off = (a->used + align - 1) & ~(align - 1);
	if (a->head == NULL || off > a->cap || n > a->cap - off) {
		/* Big requests get a chunk of their own. */
		size_t cap = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK - sizeof(arena_chunk_t);
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

void *arena_dup_align(arena_t *a, const void *src, size_t n, size_t align)
{
	void *p = arena_alloc_align(a, n, align);
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
