/*
 * zonefile.h -- RFC 1035 master-file parser, as BIND, NSD and Knot read it.
 *
 * Supports $ORIGIN, $TTL, $INCLUDE (path relative to the including file's
 * directory), @, relative names, blank owners (previous owner), parentheses
 * across lines, ; comments, quoted strings with escapes, \X and \DDD, TTL
 * units (1w2d3h4m5s, case-insensitive), TTL and class in either order, class
 * IN only, every type that rdata.h knows and RFC 3597 TYPEnnn / \# for others.
 *
 * Records are handed to a callback one at a time, in file order; nothing is
 * kept by the parser once the callback returns.
 */
#ifndef GLUED_ZONEFILE_H
#define GLUED_ZONEFILE_H

#include <stddef.h>
#include <stdint.h>

#include "dns/status.h"

#define ZONEFILE_ERR_MAX 512

typedef struct zf_rr {
	const uint8_t *owner; /* wire form, case as written */
	uint16_t type;
	uint16_t rclass; /* always CLASS_IN */
	uint32_t ttl;
	const uint8_t *rdata; /* wire form, uncompressed */
	uint16_t rdlen;
	const char *file; /* file this record came from: valid until the parse
			       * returns, one pointer per file opened */
	unsigned line;    /* line where the record starts */
} zf_rr_t;

/*
 * Called once per record. Return 0 to go on; a negative status stops the
 * parse and is returned by zonefile_parse*. The callback writes its own
 * message (ideally "file:line: ...") into err when it fails.
 */
typedef int (*zf_rr_cb)(void *ctx, const zf_rr_t *rr, char *err, size_t errcap);

/*
 * Parse the zone file at path. The file is streamed through a bounded
 * window (1 MiB, larger only for a single record that needs more), never
 * held whole. origin (wire form, may be NULL) is the
 * initial $ORIGIN; with NULL, a file must set $ORIGIN or use only absolute
 * names before any relative one. On failure returns a negative status and
 * writes "file:line: what was expected" into err (errcap bytes, at least
 * ZONEFILE_ERR_MAX recommended).
 */
int zonefile_parse(const char *path, const uint8_t *origin, zf_rr_cb cb, void *ctx, char *err,
		   size_t errcap) MUST_CHECK;

/*
 * Limits of one parse. 0 means no limit; the depth is capped at
 * ZONEFILE_INCLUDE_MAX whatever is asked.
 */
typedef struct zf_limits {
	uint64_t max_bytes; /* bytes of text read, over every $INCLUDEd file */
	unsigned max_depth; /* $INCLUDE nesting */
} zf_limits_t;

#define ZONEFILE_INCLUDE_MAX 16

/* zonefile_parse / zonefile_parse_mem under limits (NULL: no byte limit,
 * depth ZONEFILE_INCLUDE_MAX). */
int zonefile_parse_ex(const char *path, const uint8_t *origin, const zf_limits_t *limits,
		      zf_rr_cb cb, void *ctx, char *err, size_t errcap) MUST_CHECK;
int zonefile_parse_mem_ex(const char *name, const char *text, size_t len, const uint8_t *origin,
			  const zf_limits_t *limits, zf_rr_cb cb, void *ctx, char *err,
			  size_t errcap) MUST_CHECK;

/* Same, over an in-memory text of len bytes; `name` is used in messages and
 * as the base for relative $INCLUDE paths (its directory). */
int zonefile_parse_mem(const char *name, const char *text, size_t len, const uint8_t *origin,
		       zf_rr_cb cb, void *ctx, char *err, size_t errcap) MUST_CHECK;

#endif
