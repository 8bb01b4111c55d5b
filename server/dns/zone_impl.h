/*
 * zone_impl.h -- the inside of a zone, for the files that build it
 * (zone_build.c, zone_dnssec.c) and read it (zone.c, denial.c). Nothing
 * else includes it: the rest of glued sees zone_t through zone.h only.
 */
#ifndef GLUED_ZONE_IMPL_H
#define GLUED_ZONE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "dns/arena.h"
#include "dns/zone.h"

/* How a signed zone denies existence (RFC 4035 3.1.3, RFC 5155 7.2). */
enum zone_denial { DENIAL_NONE = 0, DENIAL_NSEC = 1, DENIAL_NSEC3 = 2 };

#define NSEC3_HASH_LEN 20 /* SHA-1, the one NSEC3 hash algorithm */

/* One NSEC3 RRset of the zone, keyed by the hash its owner spells. */
typedef struct nsec3 {
	uint8_t hash[NSEC3_HASH_LEN];
	const uint8_t *owner; /* lowercased wire form */
	const rrset_t *rrset;
} nsec3_t;

/* What a node's name hashes to in an NSEC3 zone, worked out at load: the
 * NSEC3 that matches it, else the one that covers it, and the one that
 * covers "*.<name>" (or matches it). Index + 1 into zone.nsec3; 0: none. */
typedef struct n3info {
	uint32_t match, cover, wild;
} n3info_t;

struct zone {
	arena_t arena;
	uint8_t *origin;
	size_t originlen;
	node_t *nodes; /* malloc'd, nnodes entries */
	size_t nnodes;
	uint32_t *table; /* open addressing, mask + 1 slots: SLOT_TAG bits of the
			  * name's hash | node index + 1; 0 = empty */
	uint32_t mask;
	node_t *apex;
	const rrset_t *soa;
	bool is_signed; /* DNSKEY and RRSIG at the apex */
	/* DNSSEC, built by zone_dnssec.c; empty for an unsigned zone. */
	rrset_t *sigsets; /* RRSIGs per covered RRset: rrset_t.sigs - 1 */
	size_t nsigsets;
	uint8_t denial;      /* enum zone_denial */
	const node_t **nsec; /* NSEC owners in canonical order (RFC 4034 6.1) */
	size_t nnsec;
	nsec3_t *nsec3; /* NSEC3 RRsets sorted by hash */
	size_t nnsec3;
	n3info_t *n3; /* NSEC3 zones: one per node, in node order */
	uint16_t n3_iterations;
	uint8_t n3_saltlen;
	uint8_t n3_salt[255];
	uint32_t neg_ttl;
	const glue_rule_t *rule;
	const dnssec_fault_t *dfaults; /* the faults its signer built in */
	size_t ndfaults;
	size_t nrecords;
	char *file;
};

/* NSEC3 (denial.c): the hash of a lowercased name under the zone's salt
 * and iterations (RFC 5155 5), and the index of the NSEC3 that matches
 * hash (*exact) or else covers it. Pre: z->nnsec3 > 0. */
void nsec3_hash(const zone_t *z, const uint8_t *lname, size_t len, uint8_t out[NSEC3_HASH_LEN]);
size_t nsec3_find(const zone_t *z, const uint8_t *hash, bool *exact);

/* ---- hashing -------------------------------------------------------- */

/*
 * A slot of the hash table holds the node's index + 1 in its low bits and
 * the top bits of the name's hash in the others: a probe that meets
 * another name's slot moves on without reading that node (and its name)
 * 31 times in 32, so a lookup costs the slot and the one node it finds.
 * Up to 2^27 slots (the size a zone of 2^26 names gets) the mask and the
 * tag take different bits of the hash; a bigger table shares a bit, and
 * the tag only filters a little less.
 */
#define SLOT_INDEX 0x07FFFFFFu
#define SLOT_TAG (~SLOT_INDEX)
#define ZONE_MAX_NODES (SLOT_INDEX - 1u)

static inline uint32_t zone_name_hash(const uint8_t *lname, size_t len)
{
	/* FNV-1a: short keys, no tables. Its low bits are weak for names that
	 * differ in a digit or two (d1, d2, ...), which linear probing turns
	 * into long clusters: murmur3's finaliser mixes every bit down. */
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++) {
		h ^= lname[i];
		h *= 16777619u;
	}
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

/* Make room for need elements of size bytes in the array *pp of capacity
 * *cap, doubling it (zone_build.c): ST_OK or ST_ENOMEM, *pp kept on failure. */
int zone_grow(void *pp, size_t *cap, size_t need, size_t size);

#endif
