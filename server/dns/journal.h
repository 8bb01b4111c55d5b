/*
 * journal.h -- what changed in a zone from one serial to the next, kept
 * for IXFR (RFC 1995).
 *
 * A diff is made at reload, from the zone as it was and as it is, when the
 * serial went up: the records that went (the old SOA first) and the
 * records that came (the new SOA first), each as owner (uncompressed wire
 * form), type, TTL, RDLENGTH and RDATA, back to back. A journal is the
 * zone's history, oldest diff first, each diff's "to" the next one's
 * "from". Both are immutable once made and shared between the views of
 * successive reloads by reference count (atomic: a view may be freed on
 * any thread). Building them allocates; reading them (the IXFR stream)
 * does not.
 */
#ifndef GLUED_JOURNAL_H
#define GLUED_JOURNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/zone.h"

/* Records back to back in the form above, as a diff and a transferred
 * zone (xfrin.h) hold them. */
typedef struct rec_blob {
	uint8_t *buf;
	size_t len, cap;
	uint32_t n; /* records */
} rec_blob_t;

/* Append one record: false when memory is short (b unchanged). */
bool rec_blob_put(rec_blob_t *b, const zone_rec_t *r);

/* Free what b holds and empty it. */
void rec_blob_free(rec_blob_t *b);

typedef struct journal_diff {
	atomic_uint refs;
	uint32_t from, to; /* serials */
	uint8_t *del;      /* records that went, old SOA first */
	size_t dellen;
	uint32_t ndel;
	uint8_t *add; /* records that came, new SOA first */
	size_t addlen;
	uint32_t nadd;
} journal_diff_t;

typedef struct journal {
	atomic_uint refs;
	size_t n;
	size_t bytes; /* of every diff's records */
	journal_diff_t *d[];
} journal_t;

/* How much history a zone keeps: the oldest diffs go first. */
#define JOURNAL_MAX_DIFFS 64
#define JOURNAL_MAX_BYTES (64u << 20)

/* The diff from old to cur (the same origin), or NULL when memory is short
 * or either zone has no SOA. */
journal_diff_t *journal_diff(const zone_t *old, const zone_t *cur);

/* A new journal: j's diffs (j may be NULL), then d, which it takes, with
 * the oldest dropped to keep within the bounds. NULL when memory is
 * short (d is released then). Pre: d->from is the serial j ends at. */
journal_t *journal_extend(const journal_t *j, journal_diff_t *d);

void journal_hold(const journal_t *j);
void journal_release(const journal_t *j); /* NULL is fine */
void journal_diff_release(journal_diff_t *d);

/* The index of the diff that starts at serial, or -1 when the history
 * does not reach back that far. */
long journal_find(const journal_t *j, uint32_t serial);

/* Read one record of a diff blob at *pos (< len): false when malformed
 * (never, for blobs made here). */
bool journal_rec(const uint8_t *blob, size_t len, size_t *pos, zone_rec_t *r);

/* RFC 1982 serial arithmetic: a is newer than b. */
static inline bool serial_gt(uint32_t a, uint32_t b) { return a != b && (int32_t)(a - b) > 0; }

#endif
