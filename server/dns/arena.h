/*
 * arena.h -- bump allocator for data that lives and dies together.
 *
 * A zone's nodes, names, RRsets and rdata are allocated from one arena at
 * load time and freed whole with it; nothing is freed individually.
 */
#ifndef GLUED_ARENA_H
#define GLUED_ARENA_H

#include <stddef.h>

typedef struct arena_chunk arena_chunk_t;

typedef struct arena {
	arena_chunk_t *head; /* current chunk; older chunks chained behind it */
	size_t used;         /* bytes used in head */
	size_t cap;          /* usable bytes in head */
	size_t total;        /* bytes obtained from malloc, for statistics */
} arena_t;

/* An empty arena; allocates nothing until the first arena_alloc. */
void arena_init(arena_t *a);

/* Allocate n bytes aligned for any type; NULL when malloc fails. The memory
 * is not zeroed. */
void *arena_alloc(arena_t *a, size_t n);

/* Allocate n bytes aligned to align (a power of two, at most
 * alignof(max_align_t)); NULL when malloc fails. Zone builders use 1 for
 * names and rdata and 8 for structures, which packs a zone's many small
 * objects far tighter than max_align_t alignment does. */
void *arena_alloc_align(arena_t *a, size_t n, size_t align);

/* Allocate n zeroed bytes. */
void *arena_calloc(arena_t *a, size_t n);

/* Copy n bytes into the arena; NULL when malloc fails. */
void *arena_dup(arena_t *a, const void *src, size_t n);

/* Copy n bytes into the arena at the given alignment. */
void *arena_dup_align(arena_t *a, const void *src, size_t n, size_t align);

/* Free every chunk; the arena is empty (and reusable) afterwards. */
void arena_free(arena_t *a);

#endif
