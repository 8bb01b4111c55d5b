/*
 * zoneset.h -- the zones of one virtual server, and the deepest-zone pick.
 *
 * Immutable once built: workers share it read-only; a reload builds a new
 * one and swaps a pointer.
 */
#ifndef GLUED_ZONESET_H
#define GLUED_ZONESET_H

#include <stddef.h>
#include <stdint.h>

#include "dns/status.h"
#include "dns/zone.h"

typedef struct zoneset {
	zone_t **zones;
	size_t nzones;
	uint8_t glue_policy; /* the server's policy: GLUE_FULL, GLUE_IN_DOMAIN, GLUE_NONE */
} zoneset_t;

/* One zone to load: origin text ("example.lab." / "example.lab"), or NULL to
 * take it from the file, and the file's path. */
typedef struct zone_spec {
	const char *origin;
	const char *file;
	uint8_t glue_policy; /* GLUE_INHERIT unless set for this zone */
} zone_spec_t;

/*
 * Load every zone in specs into a new zoneset. Two zones with the same
 * origin are an error. On failure nothing is kept, err holds the first
 * error ("file:line: ..."), and a negative status is returned.
 */
int zoneset_load(const zone_spec_t *specs, size_t n, uint8_t glue_policy, zone_warn_cb warn,
		 void *warn_ctx, zoneset_t **out, char *err, size_t errcap) MUST_CHECK;

/* Build a zoneset from zones already loaded; takes ownership of them (also
 * on failure). */
int zoneset_from_zones(zone_t **zones, size_t n, uint8_t glue_policy, zoneset_t **out,
		       char *err, size_t errcap) MUST_CHECK;

void zoneset_free(zoneset_t *zs);

/* The deepest zone whose origin is lname or an ancestor of it, or NULL.
 * Pre: lname lowercased. */
const zone_t *zoneset_find(const zoneset_t *zs, const uint8_t *lname);

#endif
