/*
 * zone.h -- one zone, immutable once built: its data types and the read
 * API of the query path. zone_build.h makes zones (zone_load); nothing
 * here changes one.
 *
 * Nodes are keyed by their lowercased wire name in an open-addressing hash
 * table. Every ancestor of a name with data, up to the apex, exists as a node
 * (empty non-terminals have no RRsets), so the closest encloser of any name is
 * found by removing labels until a lookup hits. Zone cuts, the glue of each
 * cut and the additional-section targets of NS/MX/SRV RRsets are computed once
 * by the builder; the query path only reads them.
 */
#ifndef GLUED_ZONE_H
#define GLUED_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/policy.h"
#include "dns/status.h"

/* Class of an NS name relative to one delegation (RFC 9471 section 2). */
enum glue_class {
	GLUE_CLASS_IN_DOMAIN = 0,   /* at or below the cut: required */
	GLUE_CLASS_SIBLING = 1,     /* below another cut of the same zone: optional */
	GLUE_CLASS_IN_ZONE = 2,     /* authoritative data of the zone: optional */
	GLUE_CLASS_OUT_OF_ZONE = 3, /* outside the zone: never added */
};

typedef struct rrset {
	uint16_t type;
	uint16_t count; /* number of records */
	uint32_t ttl;
	const uint8_t *data; /* count x { u16 rdlen (big-endian), rdata } */
	uint32_t datalen;
	/* In a signed zone: the RRSIGs over this RRset, as index + 1 into the
	 * zone's signature RRsets (zone_rrsigs reads it); 0: none. */
	uint32_t sigs;
	/* Where its first record is in the zone file (records read before
	 * it; UINT32_MAX for later ones): the order of a node's RRsets as
	 * the file gives them, which ANY follows (answer.c). */
	uint32_t seq;
	/* For NS, MX and SRV RRsets: one entry per record, parallel to data,
	 * naming the A/AAAA RRsets of the record's target in this zone (either
	 * NULL). NULL for other types. */
	const struct addl *addl;
} rrset_t;

typedef struct addl {
	const uint8_t *target; /* the target name (lowercased wire form) */
	const rrset_t *a;
	const rrset_t *aaaa;
} addl_t;

/* One NS name of a delegation, with its class and addresses (if any). */
typedef struct glue {
	const uint8_t *name; /* lowercased wire form */
	uint8_t cls;         /* enum glue_class */
	const rrset_t *a;    /* found by exact lookup; NULL if none */
	const rrset_t *aaaa;
	/* Under GLUE_WRONG: the rewritten addresses (NULL: left out). */
	const rrset_t *wrong_a;
	const rrset_t *wrong_aaaa;
} glue_t;

enum node_flags {
	NODE_APEX = 1 << 0,
	NODE_CUT = 1 << 1,            /* a delegation point: owns NS, not the apex */
	NODE_WILDCARD_CHILD = 1 << 2, /* "*.<this name>" exists */
};

typedef struct node {
	const uint8_t *name; /* lowercased wire form */
	uint8_t namelen;
	uint8_t labels;            /* label count, root not counted */
	uint16_t flags;            /* enum node_flags */
	uint16_t nrrsets;          /* 0 for an empty non-terminal */
	uint16_t nglue;            /* at a cut: entries in glue */
	const struct node *parent; /* NULL at the apex */
	/* The topmost cut at or above this node (this node if it is a cut
	 * with no cut above), or NULL when the node is authoritative data. */
	const struct node *cut;
	const rrset_t *rrsets; /* sorted by type */
	/* At a cut: one entry per NS record, in-domain ones first, then the
	 * others in NS order. */
	const glue_t *glue;
	const glue_rule_t *rule; /* at a cut: its own rule, or NULL to inherit */
} node_t;

typedef struct zone zone_t;

/* Free a zone and everything it owns. NULL is fine. */
void zone_free(zone_t *z);

/* The origin (lowercased wire form) and apex node. */
const uint8_t *zone_origin(const zone_t *z);
size_t zone_origin_len(const zone_t *z); /* bytes of zone_origin(), root label included */
const node_t *zone_apex(const zone_t *z);
const char *zone_file(const zone_t *z);
size_t zone_node_count(const zone_t *z);
size_t zone_record_count(const zone_t *z);

/* The SOA RRset, and the negative-caching TTL min(SOA TTL, MINIMUM) (RFC 2308). */
const rrset_t *zone_soa(const zone_t *z);
uint32_t zone_negative_ttl(const zone_t *z);

/* Whether the zone is signed: its apex has a DNSKEY RRset and RRSIGs. Only
 * a signed zone's answers carry RRSIGs, denial proofs and, in referrals,
 * DS (RFC 4035 3.1); dns/denial.h picks the proofs. */
bool zone_signed(const zone_t *z);

/* What a signed zone holds for DNSSEC, as --check reports it: how it
 * denies existence, the RRsets that have signatures, the chain's length
 * and, for NSEC3, its parameters and how many records are opt-out. All
 * zero for an unsigned zone; denial is "none" for a signed zone without a
 * usable chain. */
typedef struct zone_dnssec_info {
	const char *denial; /* "NSEC", "NSEC3" or "none" */
	size_t signed_rrsets;
	size_t chain;  /* NSEC or NSEC3 records */
	size_t optout; /* NSEC3 records with the opt-out flag */
	uint16_t iterations;
	uint8_t saltlen;
	const uint8_t *salt;
} zone_dnssec_info_t;

void zone_dnssec_info(const zone_t *z, zone_dnssec_info_t *out);

/* The RRSIGs that cover rs, an RRset of z (grouped per covered type at
 * load, TTL that of rs), or NULL. */
const rrset_t *zone_rrsigs(const zone_t *z, const rrset_t *rs);

/* The zone's own rule (NULL: inherit the server's); policy.h says what a
 * rule means at a cut (glue_rule_effective). */
const glue_rule_t *zone_rule(const zone_t *z);

/* The DNSSEC faults the zone was signed with (dns/policy.h), *n of them. */
const dnssec_fault_t *zone_dnssec_faults(const zone_t *z, size_t *n);

/* The fault that shapes a DNSSEC answer of z: the one at cut (a referral
 * to it, or its DS; NULL for none), else the first of the zone's own, else
 * NULL. Costs nothing for a zone without faults. */
const dnssec_fault_t *zone_dnssec_fault_at(const zone_t *z, const uint8_t *cut);

/*
 * Exact lookup of a lowercased name (len bytes, wire form). Returns the node
 * or NULL. Pre: lname is lowercased.
 */
const node_t *zone_find(const zone_t *z, const uint8_t *lname, size_t len);

/*
 * Prefetching for a batch of requests. A caller holding several requests
 * starts the first lookup of each (zone_pf_start), advances every one of
 * them ZONE_PF_STEPS times (zone_pf_step), then answers them: the cache
 * misses of the batch's lookups overlap instead of following one another
 * (hash slot, node, then the node's name, RRsets and glue). Hints only:
 * nothing is decided from them, and a wrong guess costs a wasted load.
 */
typedef struct zone_pf {
	const zone_t *z;
	const node_t *node;
	uint32_t slot;
	uint32_t tag;
	uint8_t stage; /* 0: nothing (left) to prefetch */
} zone_pf_t;

#define ZONE_PF_STEPS 2

/* lname (lowercased, len bytes) is at or below z's origin. */
void zone_pf_start(zone_pf_t *pf, const zone_t *z, const uint8_t *lname, size_t len);
void zone_pf_step(zone_pf_t *pf);

/*
 * The closest encloser of lname: the deepest existing node at or above it,
 * which must be at or below the origin; with stop_at_cut, the topmost cut
 * on the way down instead when there is one (what answering needs: below
 * a cut only the cut matters). Never NULL (the apex always exists). One
 * walk for the query path, the builder and the checks. Pre: lname
 * lowercased, name_is_sub(lname, origin).
 */
const node_t *zone_closest(const zone_t *z, const uint8_t *lname, bool stop_at_cut);

/* The RRset of a type at a node, or NULL. */
const rrset_t *node_rrset(const node_t *n, uint16_t type);

/* Walk every node (for --check and tests), in no particular order. */
void zone_walk(const zone_t *z, void (*fn)(void *ctx, const node_t *n), void *ctx);

/* Node i of the zone, 0 <= i < zone_node_count(z), in the order the
 * builder made them (the order zone transfers send them); NULL past the
 * end. */
const node_t *zone_node_at(const zone_t *z, size_t i);

/* The SOA's serial (RFC 1035 3.3.13). */
uint32_t zone_serial(const zone_t *z);

/*
 * Every record of the zone, one at a time, as a zone transfer sends them
 * and a diff compares them: node by node (zone_node_at order), each
 * node's RRsets by type, the SOA among them at the apex. An RRSIG record
 * carries the TTL of the RRset it covers (RFC 4034 3), that RRset being
 * at the same node; wrong-glue rewrites (GLUE_WRONG) are serving
 * behaviour, not data, and never appear.
 */
typedef struct zone_iter {
	const zone_t *z;
	size_t node;
	uint16_t rrset;
	uint32_t pos;
} zone_iter_t;

typedef struct zone_rec {
	const uint8_t *owner; /* lowercased wire form */
	uint16_t type;
	uint32_t ttl;
	const uint8_t *rd;
	uint16_t rdlen;
} zone_rec_t;

void zone_iter_init(zone_iter_t *it, const zone_t *z);

/* The SOA record (owner the origin) into r: false for a zone without one. */
bool zone_soa_rec(const zone_t *z, zone_rec_t *r);
/* The next record into r: true, or false at the end. */
bool zone_iter_next(zone_iter_t *it, zone_rec_t *r);

/* Iterate the records of an RRset: *pos starts at 0; returns 1 and sets
 * rd/rdlen while records remain. */
static inline int rrset_next(const rrset_t *rs, uint32_t *pos, const uint8_t **rd, uint16_t *rdlen)
{
	if (*pos >= rs->datalen)
		return 0;
	const uint8_t *p = rs->data + *pos;
	*rdlen = (uint16_t)(p[0] << 8 | p[1]);
	*rd = p + 2;
	*pos += 2u + *rdlen;
	return 1;
}

#endif
