/*
 * view.h -- what the workers answer from: one zoneset per virtual server.
 *
 * zs[i] serves the listen addresses of server i of the srvconf_t the view
 * was built from. A view is immutable once built: the workers share it
 * read-only, a reload builds a whole new one and the daemon retires the old
 * one once every worker has switched (daemon.c).
 */
#ifndef GLUED_VIEW_H
#define GLUED_VIEW_H

#include <stdatomic.h>
#include <stddef.h>

#include "config.h"
#include "dns/zoneset.h"

struct view_stats;

typedef struct view {
	atomic_uint refs; /* the daemon's, and one per zone transfer reading it */
	size_t n;
	struct view_stats *stats; /* the workers' counters (stats.h), or NULL */
	zoneset_t *zs[];
} view_t;

/* A view of n servers with every zs[i] NULL, or NULL (out of memory). */
view_t *view_new(size_t n);

/* Drop a reference to v: the last one frees v and every zoneset in it.
 * Safe on NULL. A view starts with one reference (the builder's). */
void view_free(view_t *v);

/* One more reference, for a zone transfer that reads the view's zones
 * after a reload has replaced it; view_free drops it, on any thread. */
void view_hold(const view_t *v);

/*
 * Load every zone of every server of sc into a new view; the zones'
 * warnings are logged. Nothing is kept unless every server loads: on
 * failure returns a negative status with the first error in err (naming the
 * server when sc comes from a file).
 */
int view_build(const srvconf_t *sc, view_t **out, char *err, size_t errcap) MUST_CHECK;

/*
 * The trust anchor of v: when a server of v serves a signed root zone, the
 * DS (SHA-256) of each of its key-signing keys as zone-file lines
 * (". IN DS 12345 13 2 HEX\n"), as Unbound's trust-anchor-file and kresd
 * read them, into buf (cap bytes, NUL-terminated). Returns how many lines
 * (0: no signed root, buf "").
 */
size_t view_trust_anchor(const view_t *v, char *buf, size_t cap);

/* The number of zones over all servers of v. */
size_t view_zones(const view_t *v);

#endif
