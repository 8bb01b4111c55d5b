/*
 * zone_dnssec.c -- the DNSSEC data of a signed zone, built once at load.
 *
 * - RRSIGs: the records of a node's RRSIG RRset are put in order of the
 *   type they cover, in place, so that each covered type's signatures are
 *   one run of the RRset's data; each run becomes a signature RRset of the
 *   zone (zone_rrsigs), with the covered RRset's TTL (RFC 4034 3).
 * - NSEC zones: the NSEC owners sorted in canonical order (RFC 4034 6.1),
 *   which is what finding the NSEC that covers a name searches.
 * - NSEC3 zones (RFC 5155): the NSEC3 RRsets sorted by the hash their owner
 *   spells, and for every name a proof may be about (authoritative names and
 *   cuts) the NSEC3 that matches or covers it and the one that covers its
 *   wildcard, so that referrals and most denials hash nothing per query.
 *
 * Problems are warnings: a lab serves broken signed data on purpose.
 */
#include "dns/zone_dnssec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/wire.h"
#include "dns/zone_impl.h"

__attribute__((format(printf, 5, 6))) static void
note(dnssec_notes_t *ns, const uint8_t *name, uint16_t type, uint16_t covered, const char *fmt, ...)
{
	if (ns->n >= DNSSEC_NOTES_MAX) {
		ns->more++;
		return;
	}
	dnssec_note_t *n = &ns->note[ns->n++];
	n->name = name;
	n->type = type;
	n->covered = covered;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(n->text, sizeof(n->text), fmt, ap);
	va_end(ap);
}

/* ---- RRSIGs per covered RRset ---------------------------------------- */

typedef struct sigrec {
	uint16_t covered;
	uint32_t off; /* of the record (its rdlen) in the RRset's data */
	uint32_t len; /* 2 + rdlen */
} sigrec_t;

static int sigrec_cmp(const void *a, const void *b)
{
	const sigrec_t *x = a, *y = b;
	if (x->covered != y->covered)
		return x->covered < y->covered ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

typedef struct sigstate {
	uint32_t now;
	size_t expired;
	const uint8_t *first_name; /* the first expired signature seen */
	uint16_t first_covered;
	uint32_t first_expiration;
	sigrec_t *recs;
	size_t caprecs;
	uint8_t *tmp;
	size_t captmp;
	size_t capsets;
} sigstate_t;

/* A UTC time as RRSIG presentation (YYYYMMDDHHMMSS), for messages. */
static void sigtime_text(uint32_t t, char buf[32])
{
	long long days = t / 86400, secs = t % 86400;
	/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm). */
	long long z = days + 719468, era = z / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
	long long m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(buf, 32, "%04lld%02lld%02lld%02lld%02lld%02lld", y % 10000, m, d, secs / 3600,
		 secs / 60 % 60, secs % 60);
}

static int group_node_sigs(zone_t *z, node_t *n, sigstate_t *st, dnssec_notes_t *notes)
{
	rrset_t *sig = (rrset_t *)node_rrset(n, RR_RRSIG);
	if (!sig || sig->count == 0)
		return ST_OK;
	if (zone_grow(&st->recs, &st->caprecs, sig->count, sizeof(*st->recs)) != ST_OK ||
	    zone_grow(&st->tmp, &st->captmp, sig->datalen, 1) != ST_OK)
		return ST_ENOMEM;
	size_t k = 0;
	uint32_t pos = 0;
	const uint8_t *rd;
	uint16_t rdlen;
	while (rrset_next(sig, &pos, &rd, &rdlen)) {
		sigrec_t *r = &st->recs[k++];
		r->covered = rdlen >= 2 ? wire_get16(rd) : 0;
		r->off = (uint32_t)(rd - 2 - sig->data);
		r->len = 2u + rdlen;
		/* RRSIG rdata: covered 2, algorithm 1, labels 1, original TTL 4,
		 * expiration 4 (RFC 4034 3.1); serial arithmetic (3.1.5). */
		if (rdlen >= 12 && (int32_t)(wire_get32(rd + 8) - st->now) < 0) {
			if (st->expired++ == 0) {
				st->first_name = n->name;
				st->first_covered = r->covered;
				st->first_expiration = wire_get32(rd + 8);
			}
		}
	}
	qsort(st->recs, k, sizeof(*st->recs), sigrec_cmp);
	size_t at = 0;
	for (size_t i = 0; i < k; i++) {
		memcpy(st->tmp + at, sig->data + st->recs[i].off, st->recs[i].len);
		at += st->recs[i].len;
	}
	uint8_t *data = (uint8_t *)sig->data;
	memcpy(data, st->tmp, at);

	at = 0;
	for (size_t i = 0; i < k;) {
		size_t j = i;
		uint32_t bytes = 0;
		while (j < k && st->recs[j].covered == st->recs[i].covered)
			bytes += st->recs[j++].len;
		uint16_t covered = st->recs[i].covered;
		rrset_t *target = (rrset_t *)node_rrset(n, covered);
		if (!target || covered == RR_RRSIG) {
			char owner[NAME_TEXT_MAX], tbuf[16];
			/* rrtype_to_text writes tbuf only for types without a
			 * mnemonic: use what it returns, twice. */
			const char *type = rrtype_to_text(covered, tbuf);
			note(notes, n->name, RR_RRSIG, covered,
			     "RRSIG over %s at %s has no %s RRset to go with", type,
			     name_str(n->name, owner, sizeof(owner)), type);
		} else {
			if (zone_grow(&z->sigsets, &st->capsets, z->nsigsets + 1,
				      sizeof(*z->sigsets)) != ST_OK)
				return ST_ENOMEM;
			rrset_t *s = &z->sigsets[z->nsigsets++];
			memset(s, 0, sizeof(*s));
			s->type = RR_RRSIG;
			s->count = (uint16_t)(j - i);
			s->ttl = target->ttl;
			s->data = data + at;
			s->datalen = bytes;
			target->sigs = (uint32_t)z->nsigsets;
		}
		at += bytes;
		i = j;
	}
	return ST_OK;
}

static int group_sigs(zone_t *z, uint32_t now, dnssec_notes_t *notes)
{
	sigstate_t st;
	memset(&st, 0, sizeof(st));
	st.now = now;
	int rc = ST_OK;
	for (size_t i = 0; i < z->nnodes && rc == ST_OK; i++) {
		node_t *n = &z->nodes[i];
		if (n->cut && n->cut != n)
			continue; /* glue and occluded data are never signed */
		rc = group_node_sigs(z, n, &st, notes);
	}
	if (rc == ST_OK && st.expired > 0) {
		char owner[NAME_TEXT_MAX], tbuf[16], when[32];
		sigtime_text(st.first_expiration, when);
		note(notes, st.first_name, RR_RRSIG, st.first_covered,
		     "RRSIG over %s %s expired at %s; %zu of the zone's signatures "
		     "have expired (served anyway: validators will fail them)",
		     name_str(st.first_name, owner, sizeof(owner)),
		     rrtype_to_text(st.first_covered, tbuf), when, st.expired);
	}
	free(st.recs);
	free(st.tmp);
	/* The signature RRsets were grown in place: the array is final now. */
	return rc;
}

/* ---- NSEC ------------------------------------------------------------ */

static int node_canon_cmp(const void *a, const void *b)
{
	const node_t *x = *(const node_t *const *)a, *y = *(const node_t *const *)b;
	return name_canon_cmp(x->name, y->name);
}

static int build_nsec(zone_t *z, dnssec_notes_t *notes)
{
	size_t n = 0;
	for (size_t i = 0; i < z->nnodes; i++) {
		const node_t *nd = &z->nodes[i];
		if ((!nd->cut || nd->cut == nd) && node_rrset(nd, RR_NSEC))
			n++;
	}
	z->nsec = malloc((n ? n : 1) * sizeof(*z->nsec));
	if (!z->nsec)
		return ST_ENOMEM;
	for (size_t i = 0; i < z->nnodes; i++) {
		const node_t *nd = &z->nodes[i];
		if ((!nd->cut || nd->cut == nd) && node_rrset(nd, RR_NSEC))
			z->nsec[z->nnsec++] = nd;
	}
	qsort(z->nsec, z->nnsec, sizeof(*z->nsec), node_canon_cmp);
	for (size_t i = 0; i < z->nnsec; i++) {
		const node_t *nd = z->nsec[i];
		const node_t *want = i + 1 < z->nnsec ? z->nsec[i + 1] : z->apex;
		const rrset_t *rs = node_rrset(nd, RR_NSEC);
		uint16_t rdlen = wire_get16(rs->data);
		const uint8_t *next = rs->data + 2;
		if (name_check(next, rdlen) >= 0 && name_equal(next, want->name))
			continue;
		char a[NAME_TEXT_MAX], b[NAME_TEXT_MAX], c[NAME_TEXT_MAX];
		note(notes, nd->name, RR_NSEC, 0,
		     "NSEC chain broken: NSEC at %s points to %s, but the next name "
		     "with NSEC in canonical order is %s",
		     name_str(nd->name, a, sizeof(a)),
		     name_check(next, rdlen) >= 0 ? name_str(next, b, sizeof(b)) : "?",
		     name_str(want->name, c, sizeof(c)));
	}
	z->denial = DENIAL_NSEC;
	return ST_OK;
}

/* ---- NSEC3 ----------------------------------------------------------- */

static int b32hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'v')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'V')
		return c - 'A' + 10;
	return -1;
}

/* The hash an NSEC3 owner's first label spells (32 base32hex characters
 * for SHA-1's 20 bytes). Returns false when it spells none. */
static bool owner_hash(const uint8_t *name, uint8_t out[NSEC3_HASH_LEN])
{
	if (name[0] != 32)
		return false;
	uint64_t acc = 0;
	int bits = 0;
	size_t o = 0;
	for (int i = 1; i <= 32; i++) {
		int v = b32hex_value(name[i]);
		if (v < 0)
			return false;
		acc = acc << 5 | (unsigned)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return o == NSEC3_HASH_LEN;
}

static int nsec3_cmp(const void *a, const void *b)
{
	return memcmp(((const nsec3_t *)a)->hash, ((const nsec3_t *)b)->hash, NSEC3_HASH_LEN);
}

/* Do NSEC3 (or NSEC3PARAM) rdata p carry the zone's algorithm, iterations
 * and salt? NSEC3: algorithm 1, flags 1, iterations 2, salt length 1, salt. */
static bool same_params(const zone_t *z, uint8_t alg, const uint8_t *rd, uint16_t rdlen)
{
	return rdlen >= 5 && rd[0] == alg && wire_get16(rd + 2) == z->n3_iterations &&
	       rd[4] == z->n3_saltlen && rdlen >= 5u + rd[4] &&
	       memcmp(rd + 5, z->n3_salt, z->n3_saltlen) == 0;
}

static uint32_t n3_index(const zone_t *z, const uint8_t *lname, size_t len, bool *exact)
{
	uint8_t h[NSEC3_HASH_LEN];
	nsec3_hash(z, lname, len, h);
	return (uint32_t)nsec3_find(z, h, exact) + 1;
}

static int build_nsec3(zone_t *z, dnssec_notes_t *notes)
{
	char owner[NAME_TEXT_MAX];
	const rrset_t *param = node_rrset(z->apex, RR_NSEC3PARAM);
	uint8_t alg = 1;
	const rrset_t *first = NULL;
	size_t n = 0;
	for (size_t i = 0; i < z->nnodes; i++) {
		const rrset_t *rs = node_rrset(&z->nodes[i], RR_NSEC3);
		if (rs) {
			n++;
			first = first ? first : rs;
		}
	}
	const rrset_t *src = param ? param : first;
	const uint8_t *prd = src->data + 2;
	uint16_t prdlen = wire_get16(src->data);
	if (prdlen >= 5 && prdlen >= 5u + prd[4]) {
		alg = prd[0];
		z->n3_iterations = wire_get16(prd + 2);
		z->n3_saltlen = prd[4];
		memcpy(z->n3_salt, prd + 5, prd[4]);
	}
	if (!param) {
		note(notes, z->origin, RR_NSEC3, 0,
		     "NSEC3 records but no NSEC3PARAM at the apex %s; using the "
		     "parameters of the first NSEC3",
		     name_str(z->origin, owner, sizeof(owner)));
	}
	if (alg != 1) {
		note(notes, z->origin, param ? RR_NSEC3PARAM : RR_NSEC3, 0,
		     "NSEC3 hash algorithm %u is not SHA-1 (1): no NSEC3 proofs served", alg);
		z->denial = DENIAL_NONE;
		return ST_OK;
	}
	if (z->n3_iterations > 0) {
		note(notes, z->origin, param ? RR_NSEC3PARAM : RR_NSEC3, 0,
		     "NSEC3 with %u extra iterations: RFC 9276 asks for 0, and "
		     "validators may treat the zone as insecure",
		     z->n3_iterations);
	}

	z->nsec3 = malloc((n ? n : 1) * sizeof(*z->nsec3));
	z->n3 = calloc(z->nnodes ? z->nnodes : 1, sizeof(*z->n3));
	if (!z->nsec3 || !z->n3)
		return ST_ENOMEM;
	for (size_t i = 0; i < z->nnodes; i++) {
		const node_t *nd = &z->nodes[i];
		const rrset_t *rs = node_rrset(nd, RR_NSEC3);
		if (!rs)
			continue;
		nsec3_t *e = &z->nsec3[z->nnsec3];
		if (nd->parent != z->apex || !owner_hash(nd->name, e->hash)) {
			note(notes, nd->name, RR_NSEC3, 0,
			     "NSEC3 owner %s is not a base32hex SHA-1 hash one label "
			     "below the apex: left out of the chain",
			     name_str(nd->name, owner, sizeof(owner)));
			continue;
		}
		e->owner = nd->name;
		e->rrset = rs;
		z->nnsec3++;
		uint32_t pos = 0;
		const uint8_t *rd;
		uint16_t rdlen;
		while (rrset_next(rs, &pos, &rd, &rdlen)) {
			if (same_params(z, alg, rd, rdlen))
				continue;
			note(notes, nd->name, RR_NSEC3, 0,
			     "NSEC3 at %s has an algorithm, iterations or salt that "
			     "differ from the zone's NSEC3PARAM",
			     name_str(nd->name, owner, sizeof(owner)));
			break;
		}
	}
	qsort(z->nsec3, z->nnsec3, sizeof(*z->nsec3), nsec3_cmp);

	/* The chain: each NSEC3's next hashed owner is the following hash. */
	for (size_t i = 0; i < z->nnsec3; i++) {
		const nsec3_t *e = &z->nsec3[i], *want = &z->nsec3[(i + 1) % z->nnsec3];
		const uint8_t *rd = e->rrset->data + 2;
		uint16_t rdlen = wire_get16(e->rrset->data);
		size_t h = rdlen >= 5 ? 5u + rd[4] : rdlen;
		if (h < rdlen && rd[h] == NSEC3_HASH_LEN && h + 1u + NSEC3_HASH_LEN <= rdlen &&
		    memcmp(rd + h + 1, want->hash, NSEC3_HASH_LEN) == 0)
			continue;
		char b[NAME_TEXT_MAX];
		note(notes, e->owner, RR_NSEC3, 0,
		     "NSEC3 chain broken: the next hashed owner of %s is not %s",
		     name_str(e->owner, owner, sizeof(owner)), name_str(want->owner, b, sizeof(b)));
	}

	/* What the names proofs are about hash to. */
	uint8_t wild[NAME_MAXLEN];
	for (size_t i = 0; i < z->nnodes; i++) {
		const node_t *nd = &z->nodes[i];
		if ((nd->cut && nd->cut != nd) || z->nnsec3 == 0 || node_rrset(nd, RR_NSEC3))
			continue;
		n3info_t *info = &z->n3[i];
		bool exact;
		uint32_t k = n3_index(z, nd->name, nd->namelen, &exact);
		if (exact)
			info->match = k;
		else
			info->cover = k;
		if (nd->cut || nd->namelen + 2u > NAME_MAXLEN)
			continue;
		wild[0] = 1, wild[1] = '*';
		memcpy(wild + 2, nd->name, nd->namelen);
		info->wild = n3_index(z, wild, nd->namelen + 2u, &exact);
	}
	z->denial = DENIAL_NSEC3;
	return ST_OK;
}

int zone_dnssec_build(zone_t *z, uint32_t now, dnssec_notes_t *notes)
{
	notes->n = notes->more = 0;
	if (!z->is_signed)
		return ST_OK;
	int rc = group_sigs(z, now, notes);
	if (rc != ST_OK)
		return rc;
	bool has_nsec3 = node_rrset(z->apex, RR_NSEC3PARAM) != NULL;
	for (size_t i = 0; i < z->nnodes && !has_nsec3; i++)
		has_nsec3 = node_rrset(&z->nodes[i], RR_NSEC3) != NULL;
	if (has_nsec3)
		return build_nsec3(z, notes);
	if (node_rrset(z->apex, RR_NSEC))
		return build_nsec(z, notes);
	z->denial = DENIAL_NONE;
	return ST_OK;
}
