/*
 * zone_build.h -- making a zone: load a master file (or text) into an
 * immutable zone_t, then hang the configuration's rules on it, all before
 * the zone is shared with the query path. zone.h is what reads it.
 */
#ifndef GLUED_ZONE_BUILD_H
#define GLUED_ZONE_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "dns/policy.h"
#include "dns/status.h"
#include "dns/zone.h"
#include "dns/zonefile.h" /* zf_rr_cb */

/* Warnings found while building (missing glue, out-of-zone data, ...). */
typedef void (*zone_warn_cb)(void *ctx, const char *msg);

/*
 * Limits on what one zone may hold, so that a wrong or hostile file fails
 * with a clear message instead of exhausting memory. 0 in a field means no
 * limit; zone_limits_default() gives the values zone_load uses.
 */
typedef struct zone_limits {
	uint64_t max_records;       /* records in the zone (default 50,000,000) */
	uint64_t max_file_bytes;    /* bytes of zone text, $INCLUDEd files counted
				     * (default 16 GiB) */
	uint32_t max_rrset_records; /* records in one RRset (default and at most
				     * 65535, what a 16-bit count can hold) */
	uint32_t max_include_depth; /* $INCLUDE nesting (default and at most 16) */
} zone_limits_t;

#define ZONE_MAX_RECORDS_DEFAULT 50000000u
#define ZONE_MAX_FILE_BYTES_DEFAULT (16ull << 30)
#define ZONE_MAX_RRSET_RECORDS 65535u
#define ZONE_MAX_INCLUDE_DEPTH 16u

/* The defaults above. */
zone_limits_t zone_limits_default(void);

/*
 * Load a zone from a master file. origin (wire form) may be NULL: then the
 * origin is the owner of the first SOA record (after $ORIGIN processing).
 * Runs the load-time checks: exactly one SOA, at the apex; NS at the apex;
 * no CNAME beside other data or more than one CNAME at a name. Out-of-zone
 * records are skipped with a warning naming file:line. On failure returns a
 * negative status and writes "file:line: message" (or "file: message") into
 * err; *out is untouched. warn may be NULL.
 */
int zone_load(const char *path, const uint8_t *origin, zone_warn_cb warn, void *warn_ctx,
	      zone_t **out, char *err, size_t errcap) MUST_CHECK;

/* Same from zone-file text in memory (tests, fuzzing). */
int zone_load_mem(const char *name, const char *text, size_t len, const uint8_t *origin,
		  zone_warn_cb warn, void *warn_ctx, zone_t **out, char *err,
		  size_t errcap) MUST_CHECK;

/*
 * zone_load and zone_load_mem under explicit limits (NULL: the defaults).
 * Going over a limit fails with ST_ELIMIT and a message naming the limit,
 * e.g. "tld.zone:5600014: zone has more than 5600013 records (limit)".
 */
int zone_load_ex(const char *path, const uint8_t *origin, const zone_limits_t *limits,
		 zone_warn_cb warn, void *warn_ctx, zone_t **out, char *err,
		 size_t errcap) MUST_CHECK;
int zone_load_mem_ex(const char *name, const char *text, size_t len, const uint8_t *origin,
		     const zone_limits_t *limits, zone_warn_cb warn, void *warn_ctx, zone_t **out,
		     char *err, size_t errcap) MUST_CHECK;

/*
 * A zone from records made by code instead of text (the signer): src calls
 * cb once per record, as the zone-file parser does, and returns ST_OK or
 * the first error (cb's, or its own with a message in err). name stands for
 * the file in messages; size_hint (bytes, about 48 per name) sizes the
 * index. The same checks and limits as zone_load apply.
 */
typedef int (*zone_source_fn)(void *arg, zf_rr_cb cb, void *ctx, char *err, size_t errcap);
int zone_load_source(const char *name, zone_source_fn src, void *arg, uint64_t size_hint,
		     const uint8_t *origin, zone_warn_cb warn, void *warn_ctx, zone_t **out,
		     char *err, size_t errcap) MUST_CHECK;

/* Give the zone its own rule, which must outlive the zone. */
void zone_set_rule(zone_t *z, const glue_rule_t *rule);

/* The DNSSEC faults zone_sign built into z (they must outlive it), for the
 * announcements and the query log's explanation. */
void zone_set_dnssec_faults(zone_t *z, const dnssec_fault_t *f, size_t n);

/*
 * Give the cut at lname (lowercased wire form) its own rule, which must
 * outlive the zone. Returns 0, ST_ENOENT when no such name exists in the
 * zone, or ST_EINVAL when the name is not a delegation point. Only before
 * the zone is shared with the query path.
 */
int zone_set_cut_rule(zone_t *z, const uint8_t *lname, const glue_rule_t *rule) MUST_CHECK;

/*
 * For every cut whose effective glue mode (glue_rule_effective) is
 * GLUE_WRONG, build the rewritten glue RRsets. Returns 0 or ST_ENOMEM. Call
 * after every rule is set, before the zone is shared.
 */
int zone_prepare_rules(zone_t *z, const glue_rule_t *server_rule) MUST_CHECK;

#endif
