/*
 * zone_impl.h -- the inside of a zone, for the files that build it
 * (zone_build.c) and read it (zone.c). Nothing else includes it: the rest
 * of glued sees zone_t through zone.h only.
 */
#ifndef GLUED_ZONE_IMPL_H
#define GLUED_ZONE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "dns/arena.h"
#include "dns/zone.h"

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
	uint32_t neg_ttl;
	const glue_rule_t *rule;
	size_t nrecords;
	char *file;
};

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

#endif
