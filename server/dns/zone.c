/*
 * zone.c -- reading an immutable zone: exact lookup through the hash
 * table, the closest-encloser walk, prefetching for a batch, accessors.
 *
 * Nothing here changes a zone; zone_build.c makes them (zone_impl.h holds
 * the layout both share).
 */
#include "dns/zone.h"

#include <stdlib.h>
#include <string.h>

#include "dns/rdata.h"
#include "dns/name.h"
#include "dns/zone_impl.h"

/* Zones with fewer hash slots (and so fewer than half as many nodes) are
 * not worth prefetching for: they stay in the CPU's caches. */
#define ZONE_PF_MIN_SLOTS 65536u

const node_t *zone_find(const zone_t *z, const uint8_t *lname, size_t len)
{
	uint32_t h = zone_name_hash(lname, len);
	uint32_t tag = h & SLOT_TAG;
	for (uint32_t i = h & z->mask;; i = (i + 1) & z->mask) {
		uint32_t k = z->table[i];
		if (k == 0)
			return NULL;
		if ((k & SLOT_TAG) != tag)
			continue;
		const node_t *n = &z->nodes[(k & SLOT_INDEX) - 1];
		if (n->namelen == len && memcmp(n->name, lname, len) == 0)
			return n;
	}
}

void zone_pf_start(zone_pf_t *pf, const zone_t *z, const uint8_t *lname, size_t len)
{
	pf->stage = 0;
	/* The apex is always in cache; so is all of a small zone. */
	if (len <= z->originlen || z->mask < ZONE_PF_MIN_SLOTS - 1)
		return;
	/* The first name zone_closest() looks up: one label more than the
	 * origin. */
	size_t p = 0;
	while (p + 1u + lname[p] + z->originlen < len)
		p += 1u + lname[p];
	uint32_t h = zone_name_hash(lname + p, len - p);
	pf->z = z;
	pf->slot = h & z->mask;
	pf->tag = h & SLOT_TAG;
	pf->stage = 1;
	__builtin_prefetch(&z->table[pf->slot]);
}

void zone_pf_step(zone_pf_t *pf)
{
	if (pf->stage == 1) {
		/* The first slot with the name's tag, within the line
		 * prefetched: almost always the node itself. */
		uint32_t i = pf->slot, k;
		for (int probes = 0;; probes++, i = (i + 1) & pf->z->mask) {
			k = pf->z->table[i];
			if (k == 0 || probes == 8) {
				pf->stage = 0;
				return;
			}
			if ((k & SLOT_TAG) == pf->tag)
				break;
		}
		pf->node = &pf->z->nodes[(k & SLOT_INDEX) - 1];
		__builtin_prefetch(pf->node);
		__builtin_prefetch((const char *)(pf->node + 1) - 1);
		pf->stage = 2;
	} else if (pf->stage == 2) {
		/* The name, with the node's RRsets laid out right after it,
		 * and at a cut the glue's names and addresses after those. */
		const node_t *n = pf->node;
		const char *p = (const char *)n->name;
		int lines = n->flags & NODE_CUT ? 6 : 2;
		for (int i = 0; i < lines; i++)
			__builtin_prefetch(p + 64 * i);
		if (n->nglue) {
			__builtin_prefetch(n->glue);
			__builtin_prefetch((const char *)(n->glue + n->nglue) - 1);
		}
		pf->stage = 0;
	}
}

/*
 * Down from the apex, one exact lookup per label: every ancestor of a node
 * exists, so the first name that does not is one label past the closest
 * encloser. Stopping at the first cut makes a referral cost one lookup
 * instead of one per label below the cut (each a few cache misses in a big
 * zone). zone_pf_start prefetches the first of these lookups.
 */
const node_t *zone_closest(const zone_t *z, const uint8_t *lname, bool stop_at_cut)
{
	const node_t *n = z->apex;
	size_t len = name_len(lname);
	uint8_t off[NAME_MAXLABELS];
	int k = 0;
	/* Where each label above the apex starts. */
	for (size_t p = 0; p + z->originlen < len; p += 1u + lname[p])
		off[k++] = (uint8_t)p;
	while (k-- > 0) {
		const node_t *c = zone_find(z, lname + off[k], len - off[k]);
		if (!c)
			break;
		n = c;
		if (stop_at_cut && n->cut)
			break;
	}
	return n;
}

const rrset_t *node_rrset(const node_t *n, uint16_t type)
{
	for (uint16_t i = 0; i < n->nrrsets; i++) {
		if (n->rrsets[i].type == type)
			return &n->rrsets[i];
		if (n->rrsets[i].type > type)
			break;
	}
	return NULL;
}

/* ---- accessors ------------------------------------------------------ */

const uint8_t *zone_origin(const zone_t *z) { return z->origin; }
size_t zone_origin_len(const zone_t *z) { return z->originlen; }
const node_t *zone_apex(const zone_t *z) { return z->apex; }
const char *zone_file(const zone_t *z) { return z->file; }
size_t zone_node_count(const zone_t *z) { return z->nnodes; }
size_t zone_record_count(const zone_t *z) { return z->nrecords; }
const rrset_t *zone_soa(const zone_t *z) { return z->soa; }
bool zone_signed(const zone_t *z) { return z->is_signed; }
void zone_dnssec_info(const zone_t *z, zone_dnssec_info_t *out)
{
	memset(out, 0, sizeof(*out));
	if (!z->is_signed)
		return;
	out->signed_rrsets = z->nsigsets;
	if (z->denial == DENIAL_NSEC) {
		out->denial = "NSEC";
		out->chain = z->nnsec;
	} else if (z->denial == DENIAL_NSEC3) {
		out->denial = "NSEC3";
		out->chain = z->nnsec3;
		out->iterations = z->n3_iterations;
		out->saltlen = z->n3_saltlen;
		out->salt = z->n3_salt;
		/* NSEC3 rdata: algorithm, flags (bit 0: opt-out), ... */
		for (size_t i = 0; i < z->nnsec3; i++) {
			const rrset_t *rs = z->nsec3[i].rrset;
			if (rs->datalen >= 4 && (rs->data[3] & 1))
				out->optout++;
		}
	} else {
		out->denial = "none";
	}
}

const rrset_t *zone_rrsigs(const zone_t *z, const rrset_t *rs)
{
	return rs->sigs ? &z->sigsets[rs->sigs - 1] : NULL;
}
uint32_t zone_negative_ttl(const zone_t *z) { return z->neg_ttl; }
const glue_rule_t *zone_rule(const zone_t *z) { return z->rule; }

const dnssec_fault_t *zone_dnssec_faults(const zone_t *z, size_t *n)
{
	*n = z->ndfaults;
	return z->dfaults;
}

const dnssec_fault_t *zone_dnssec_fault_at(const zone_t *z, const uint8_t *cut)
{
	const dnssec_fault_t *zone_wide = NULL;
	for (size_t i = 0; i < z->ndfaults; i++) {
		const dnssec_fault_t *f = &z->dfaults[i];
		if (f->at_cut && cut != NULL && name_equal(f->cut, cut))
			return f;
		if (!f->at_cut && zone_wide == NULL)
			zone_wide = f;
	}
	return zone_wide;
}

void zone_walk(const zone_t *z, void (*fn)(void *ctx, const node_t *n), void *ctx)
{
	for (size_t i = 0; i < z->nnodes; i++)
		fn(ctx, &z->nodes[i]);
}

const node_t *zone_node_at(const zone_t *z, size_t i)
{
	return i < z->nnodes ? &z->nodes[i] : NULL;
}

uint32_t zone_serial(const zone_t *z)
{
	const uint8_t *rd;
	uint16_t rdlen;
	uint32_t pos = 0;
	if (!z->soa || !rrset_next(z->soa, &pos, &rd, &rdlen) || rdlen < 20)
		return 0;
	const uint8_t *p = rd + rdlen - 20;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool zone_soa_rec(const zone_t *z, zone_rec_t *r)
{
	uint32_t pos = 0;
	if (!z->soa || !rrset_next(z->soa, &pos, &r->rd, &r->rdlen))
		return false;
	r->owner = z->origin;
	r->type = RR_SOA;
	r->ttl = z->soa->ttl;
	return true;
}

void zone_iter_init(zone_iter_t *it, const zone_t *z)
{
	it->z = z;
	it->node = 0;
	it->rrset = 0;
	it->pos = 0;
}

bool zone_iter_next(zone_iter_t *it, zone_rec_t *r)
{
	const zone_t *z = it->z;
	while (it->node < z->nnodes) {
		const node_t *n = &z->nodes[it->node];
		if (it->rrset >= n->nrrsets) {
			it->node++;
			it->rrset = 0;
			it->pos = 0;
			continue;
		}
		const rrset_t *rs = &n->rrsets[it->rrset];
		if (!rrset_next(rs, &it->pos, &r->rd, &r->rdlen)) {
			it->rrset++;
			it->pos = 0;
			continue;
		}
		r->owner = n->name;
		r->type = rs->type;
		r->ttl = rs->ttl;
		if (rs->type == RR_RRSIG && r->rdlen >= 2) {
			const rrset_t *covered =
				node_rrset(n, (uint16_t)(r->rd[0] << 8 | r->rd[1]));
			if (covered && covered->type != RR_RRSIG)
				r->ttl = covered->ttl;
		}
		return true;
	}
	return false;
}

void zone_free(zone_t *z)
{
	if (!z)
		return;
	free(z->file);
	free(z->sigsets);
	free(z->nsec);
	free(z->nsec3);
	free(z->n3);
	free(z->nodes);
	free(z->table);
	arena_free(&z->arena);
	free(z);
}
