/*
 * zoneset.h -- one virtual server: its zones, its policies, its faults, and
 * the deepest-zone pick.
 *
 * Immutable once built (but for the faults' query counters, which are
 * atomic): workers share it read-only; a reload builds a new one and swaps a
 * pointer.
 */
#ifndef GLUED_ZONESET_H
#define GLUED_ZONESET_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/arena.h"
#include "dns/policy.h"
#include "dns/status.h"
#include "dns/zone.h"
#include "dns/zone_build.h" /* zone_warn_cb */

/*
 * A rule's where when gluectl set it (ctlcmd.c), and the mark it adds to
 * the file's where when it set one field of a rule whose other field the
 * file sets at the same place: "lab.yaml:41; control: glue" (or just
 * "control: glue" when the file's where is "", the command line).
 */
#define RULE_WHERE_CONTROL "control"
#define RULE_WHERE_MARK "; "
#define RULE_WHERE_CONTROL_GLUE "control: glue"
#define RULE_WHERE_CONTROL_TRUNCATION "control: truncation"

/* A zone or delegation rule, with where it was configured. cut->rule
 * points at rule, the first member, so the slot of a cut's rule is known. */
typedef struct rule_slot {
	glue_rule_t rule;
	char where[96]; /* "lab.yaml:41", "control", "lab.yaml:41; control: glue", or "" */
	/* where, field by field: "lab.yaml:41", "control" or "". */
	char glue_where[96];
	char truncation_where[96];
} rule_slot_t;

typedef struct zoneset_waiting {
	uint8_t origin[NAME_MAXLEN]; /* lowercased wire form */
	struct xfr_spec *xfr;
} zoneset_waiting_t;

typedef struct zoneset {
	char *name;     /* the virtual server's name, or NULL */
	char where[96]; /* where the server was configured, or "" */
	zone_t **zones;
	size_t nzones;
	/* The server's rule, with every INHERIT resolved to the RFC default,
	 * and where each field was set ("default": not set). */
	glue_rule_t rule;
	char glue_where[96];
	char truncation_where[96];
	fault_rt_t *faults; /* server-level faults */
	size_t nfaults;
	fault_rt_t **zfaults; /* per zone (parallel to zones): its faults */
	size_t *nzfaults;
	rule_slot_t *rules; /* storage for zone and delegation rules */
	size_t nrules;
	/* Zone transfers, parallel to zones: each zone's settings (NULL:
	 * none) and IXFR history (NULL: none); nxfr zones have settings. */
	struct xfr_spec **xfr;
	const struct journal **journal;
	size_t nxfr; /* zones and waiting zones with settings */
	/* Zones pulled from a primary that no transfer has brought yet
	 * (server_spec_t.waiting): what a NOTIFY for them needs. */
	struct zoneset_waiting *waiting;
	size_t nwaiting;
	arena_t arena;
	bool borrowed; /* zoneset_subset: zones, faults and rules are another's */
} zoneset_t;

/*
 * Load every zone of a virtual server and apply its policies: zone rules,
 * delegation rules (each must name a delegation point of its zone), faults.
 * Two zones with the same origin are an error. On failure nothing is kept,
 * err holds the first error ("file:line: ..."), and a negative status is
 * returned. The spec is copied: it need not outlive the zoneset.
 */
int zoneset_load(const server_spec_t *spec, zone_warn_cb warn, void *warn_ctx, zoneset_t **out,
		 char *err, size_t errcap) MUST_CHECK;

/*
 * Told after each zone of zoneset_load_each, in spec order: rc is ST_OK with
 * the zone as loaded and with its policies applied, or the zone's error
 * (err, "file:line: ...") and z NULL.
 */
typedef void (*zoneset_zone_cb)(void *ctx, size_t index, int rc, const char *err, const zone_t *z);

/*
 * zoneset_load for a checker: every zone is loaded (once) and reported to
 * each, also after one has failed, so that one run names every broken
 * file. Fails like zoneset_load when any zone failed (err: the last error)
 * or two zones share an origin.
 */
int zoneset_load_each(const server_spec_t *spec, zone_warn_cb warn, void *warn_ctx,
		      zoneset_zone_cb each, void *each_ctx, zoneset_t **out, char *err,
		      size_t errcap) MUST_CHECK;

/* Build a zoneset from zones already loaded, with a server glue mode and no
 * faults; takes ownership of the zones (also on failure). For tests. */
int zoneset_from_zones(zone_t **zones, size_t n, uint8_t glue_mode, zoneset_t **out, char *err,
		       size_t errcap) MUST_CHECK;

/*
 * A zoneset that serves some of another's zones (of->zones[which[i]]),
 * borrowed with their faults and of's rule and server faults: of must
 * outlive it, and zoneset_free frees only the subset. glued --check models
 * a hierarchy of zone files with it, one subset per server address.
 */
int zoneset_subset(const zoneset_t *of, const size_t *which, size_t n, zoneset_t **out) MUST_CHECK;

void zoneset_free(zoneset_t *zs);

/* Give zone i its IXFR history (a reference is taken), before the
 * zoneset is shared with the query path. */
void zoneset_set_journal(zoneset_t *zs, size_t i, const struct journal *j);

/* The deepest zone whose origin is lname or an ancestor of it, or NULL;
 * *index (may be NULL) gets its position in zs->zones. Pre: lname
 * lowercased. */
const zone_t *zoneset_find(const zoneset_t *zs, const uint8_t *lname);
const zone_t *zoneset_find_at(const zoneset_t *zs, const uint8_t *lname, size_t *index);

/*
 * The fault that shapes this query, if any: the zone's faults first, then
 * the server's; the first that matches and whose turn it is (every Nth
 * matching query) wins. zone_index is SIZE_MAX when no zone matched.
 * Counts the query for every matching fault up to the one that fires.
 */
const fault_rt_t *zoneset_fault(const zoneset_t *zs, size_t zone_index, const uint8_t *lname,
				uint16_t qtype);

/*
 * Where the rules that glue_rule_effective(z, cut, &zs->rule, ...) picks
 * were set: *glue (may be NULL) for the glue mode, *truncation (may be
 * NULL) for the truncation mode. Each is where the level that set it was
 * configured ("lab.yaml:41", "control"), "default" for the RFC 9471
 * defaults, or "" when nothing says (the command line, or a rule not set
 * through zs). z may be NULL (no zone: the server's), cut NULL (not a
 * referral). The strings live as long as zs. No allocation.
 */
void zoneset_rule_where(const zoneset_t *zs, const zone_t *z, const node_t *cut, const char **glue,
			const char **truncation);

/* Where a policy that breaks the RFCs on purpose was set. */
enum announce_scope {
	ANNOUNCE_SERVER = 0,
	ANNOUNCE_ZONE = 1,
	ANNOUNCE_DELEGATION = 2,
};

/* One such policy: a rule (glue or truncation), a fault or a DNSSEC fault. */
typedef struct announce {
	uint8_t scope;                /* enum announce_scope */
	const char *server;           /* the server's name, or NULL */
	const uint8_t *zone;          /* ZONE and DELEGATION: the zone's origin */
	const uint8_t *cut;           /* DELEGATION: the delegation point */
	const glue_rule_t *rule;      /* a rule, or NULL */
	const fault_t *fault;         /* or a fault, or NULL */
	const dnssec_fault_t *dfault; /* or a DNSSEC fault (the signer's), or NULL */
	const char *where;            /* where it was configured ("lab.yaml:41"), or "" */
} announce_t;

/*
 * Call fn once per policy of this server that breaks the RFCs on purpose
 * (glue_rule_breaks_rfc, and every fault): the server's rule and faults,
 * then each zone's rule and faults, then the DNSSEC faults zone by zone
 * (the zone's, then its cuts'), then the delegation rules zone by zone.
 * The record points into zs. Returns how many there were.
 */
size_t zoneset_announce(const zoneset_t *zs, void (*fn)(void *ctx, const announce_t *a), void *ctx);

#endif
