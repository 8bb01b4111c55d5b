/*
 * denial.c -- NSEC and NSEC3 proofs from the chains zone_dnssec.c built.
 *
 * NSEC: the NSEC that covers a name is the one whose owner is the last
 * before it in canonical order, found by binary search. NSEC3: every
 * existing name's matching or covering NSEC3 is known from the load; a name
 * that does not exist (the next closer name of a name error or a wildcard
 * answer) is hashed with SHA-1 (nettle: no allocation, no global state)
 * and searched for among the sorted hashes.
 */
#include "dns/denial.h"

#include <nettle/sha1.h>
#include <string.h>

#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/zone_impl.h"

void nsec3_hash(const zone_t *z, const uint8_t *lname, size_t len, uint8_t out[NSEC3_HASH_LEN])
{
	struct sha1_ctx c;
	sha1_init(&c);
	sha1_update(&c, len, lname);
	sha1_update(&c, z->n3_saltlen, z->n3_salt);
	sha1_digest(&c, NSEC3_HASH_LEN, out);
	for (unsigned i = 0; i < z->n3_iterations; i++) {
		sha1_update(&c, NSEC3_HASH_LEN, out);
		sha1_update(&c, z->n3_saltlen, z->n3_salt);
		sha1_digest(&c, NSEC3_HASH_LEN, out);
	}
}

size_t nsec3_find(const zone_t *z, const uint8_t *hash, bool *exact)
{
	/* The last entry <= hash; before the first, the last one (the chain
	 * wraps around). */
	size_t lo = 0, hi = z->nnsec3;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (memcmp(z->nsec3[mid].hash, hash, NSEC3_HASH_LEN) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t i = lo == 0 ? z->nnsec3 - 1 : lo - 1;
	*exact = memcmp(z->nsec3[i].hash, hash, NSEC3_HASH_LEN) == 0;
	return i;
}

/* Add one RRset to a proof unless it is in it already. */
static int put(denial_rr_t *out, int n, const uint8_t *owner, const rrset_t *rs)
{
	if (!rs)
		return n;
	for (int i = 0; i < n; i++)
		if (out[i].rrset == rs)
			return n;
	out[n].owner = owner;
	out[n].rrset = rs;
	return n + 1;
}

static int put3(const zone_t *z, denial_rr_t *out, int n, uint32_t idx)
{
	if (idx == 0 || idx > z->nnsec3)
		return n;
	const nsec3_t *e = &z->nsec3[idx - 1];
	return put(out, n, e->owner, e->rrset);
}

/* ---- NSEC -------------------------------------------------------------- */

static const node_t *nsec_cover(const zone_t *z, const uint8_t *lname)
{
	if (z->nnsec == 0)
		return NULL;
	size_t lo = 0, hi = z->nnsec;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (name_canon_cmp(z->nsec[mid]->name, lname) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return z->nsec[lo == 0 ? z->nnsec - 1 : lo - 1];
}

static int put_nsec_cover(const zone_t *z, denial_rr_t *out, int n, const uint8_t *lname)
{
	const node_t *c = nsec_cover(z, lname);
	return c ? put(out, n, c->name, node_rrset(c, RR_NSEC)) : n;
}

/* ---- NSEC3 ------------------------------------------------------------- */

static const n3info_t *info(const zone_t *z, const node_t *n) { return &z->n3[n - z->nodes]; }

/* The NSEC3 covering (or matching) a name that may not exist. */
static uint32_t n3_of_name(const zone_t *z, const uint8_t *lname)
{
	if (z->nnsec3 == 0)
		return 0;
	uint8_t h[NSEC3_HASH_LEN];
	bool exact;
	nsec3_hash(z, lname, name_len(lname), h);
	return (uint32_t)nsec3_find(z, h, &exact) + 1;
}

/*
 * Closest provable encloser proof of the existing name n (RFC 5155 7.2.1):
 * up from n to the first name with a matching NSEC3, and the NSEC3 that
 * covers the name one label below it on the way to n.
 */
static int put_cpe(const zone_t *z, denial_rr_t *out, int n, const node_t *nd)
{
	const node_t *next = nd, *p = nd->parent;
	while (p && info(z, p)->match == 0)
		next = p, p = p->parent;
	if (!p)
		return n;
	n = put3(z, out, n, info(z, p)->match);
	const n3info_t *ni = info(z, next);
	return put3(z, out, n, ni->cover ? ni->cover : ni->match);
}

/* The closest encloser of a name that does not exist, and the NSEC3
 * covering its next closer name, the one below ce towards lname. */
static int put_ce_next_closer(const zone_t *z, denial_rr_t *out, int n, const node_t *ce,
			      const uint8_t *lname)
{
	if (info(z, ce)->match == 0)
		return put_cpe(z, out, n, ce);
	n = put3(z, out, n, info(z, ce)->match);
	int below = name_labels(lname) - ce->labels - 1;
	return put3(z, out, n, n3_of_name(z, name_skip(lname, below)));
}

/* ---- the proofs ---------------------------------------------------------- */

int denial_nxdomain(const zone_t *z, const node_t *ce, const uint8_t *lname,
		    denial_rr_t out[DENIAL_MAX])
{
	int n = 0;
	if (z->denial == DENIAL_NSEC) {
		uint8_t wild[NAME_MAXLEN];
		n = put_nsec_cover(z, out, n, lname);
		if (ce->namelen + 2u <= NAME_MAXLEN) {
			wild[0] = 1, wild[1] = '*';
			memcpy(wild + 2, ce->name, ce->namelen);
			n = put_nsec_cover(z, out, n, wild);
		}
	} else if (z->denial == DENIAL_NSEC3) {
		n = put_ce_next_closer(z, out, n, ce, lname);
		n = put3(z, out, n, info(z, ce)->wild);
	}
	return n;
}

int denial_nodata(const zone_t *z, const node_t *nd, denial_rr_t out[DENIAL_MAX])
{
	int n = 0;
	if (z->denial == DENIAL_NSEC) {
		const rrset_t *own = node_rrset(nd, RR_NSEC);
		n = own ? put(out, n, nd->name, own) : put_nsec_cover(z, out, n, nd->name);
	} else if (z->denial == DENIAL_NSEC3) {
		uint32_t m = info(z, nd)->match;
		n = m ? put3(z, out, n, m) : put_cpe(z, out, n, nd);
	}
	return n;
}

int denial_wildcard(const zone_t *z, const node_t *ce, const uint8_t *lname,
		    denial_rr_t out[DENIAL_MAX])
{
	int n = 0;
	if (z->denial == DENIAL_NSEC) {
		n = put_nsec_cover(z, out, n, lname);
	} else if (z->denial == DENIAL_NSEC3) {
		int below = name_labels(lname) - ce->labels - 1;
		n = put3(z, out, n, n3_of_name(z, name_skip(lname, below)));
	}
	return n;
}

int denial_wildcard_nodata(const zone_t *z, const node_t *ce, const node_t *wild,
			   const uint8_t *lname, denial_rr_t out[DENIAL_MAX])
{
	int n = 0;
	if (z->denial == DENIAL_NSEC) {
		n = put_nsec_cover(z, out, n, lname);
		n = put(out, n, wild->name, node_rrset(wild, RR_NSEC));
	} else if (z->denial == DENIAL_NSEC3) {
		n = put_ce_next_closer(z, out, n, ce, lname);
		n = put3(z, out, n, info(z, wild)->match);
	}
	return n;
}
