/*
 * zone.c -- build an immutable zone from a master file.
 *
 * Loading runs in passes: the parser hands over records, which are grouped
 * per owner in a temporary table; every missing ancestor up to the apex is
 * added as an empty non-terminal; then the final nodes, RRsets and hash table
 * are laid out in one arena, cuts are marked top-down, the load-time checks
 * run, and the glue of every cut and the additional targets of NS/MX/SRV
 * RRsets are resolved by exact lookup. The query path reads the result only.
 */
#include "dns/zone.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/arena.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/wire.h"
#include "dns/zonefile.h"

struct zone {
	arena_t arena;
	uint8_t *origin;
	size_t originlen;
	node_t *nodes;
	size_t nnodes;
	node_t **table; /* open addressing, size mask + 1, NULL = empty */
	uint32_t mask;
	node_t *apex;
	const rrset_t *soa;
	uint32_t neg_ttl;
	const glue_rule_t *rule;
	size_t nrecords;
	char *file;
};

/* ---- hashing -------------------------------------------------------- */

static uint32_t name_hash(const uint8_t *lname, size_t len)
{
	/* FNV-1a: short keys, good spread, no tables. */
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++) {
		h ^= lname[i];
		h *= 16777619u;
	}
	return h ^ (h >> 15);
}

const node_t *zone_find(const zone_t *z, const uint8_t *lname, size_t len)
{
	uint32_t i = name_hash(lname, len) & z->mask;
	for (;;) {
		const node_t *n = z->table[i];
		if (n == NULL)
			return NULL;
		if (n->namelen == len && memcmp(n->name, lname, len) == 0)
			return n;
		i = (i + 1) & z->mask;
	}
}

const node_t *zone_closest(const zone_t *z, const uint8_t *lname)
{
	size_t len = name_len(lname);
	while (len >= z->originlen) {
		const node_t *n = zone_find(z, lname, len);
		if (n)
			return n;
		if (len == z->originlen)
			break;
		len -= 1u + lname[0];
		lname += 1u + lname[0];
	}
	return z->apex;
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
const node_t *zone_apex(const zone_t *z) { return z->apex; }
const char *zone_file(const zone_t *z) { return z->file; }
size_t zone_node_count(const zone_t *z) { return z->nnodes; }
size_t zone_record_count(const zone_t *z) { return z->nrecords; }
const rrset_t *zone_soa(const zone_t *z) { return z->soa; }
uint32_t zone_negative_ttl(const zone_t *z) { return z->neg_ttl; }
const glue_rule_t *zone_rule(const zone_t *z) { return z->rule; }
void zone_set_rule(zone_t *z, const glue_rule_t *rule) { z->rule = rule; }

int zone_set_cut_rule(zone_t *z, const uint8_t *lname, const glue_rule_t *rule)
{
	node_t *n = (node_t *)zone_find(z, lname, name_len(lname));
	if (!n)
		return ST_ENOENT;
	if (!(n->flags & NODE_CUT))
		return ST_EINVAL;
	n->rule = rule;
	return ST_OK;
}

/* One-record RRset of an address, in the zone's arena. */
static const rrset_t *address_rrset(zone_t *z, uint16_t type, const uint8_t *addr, uint16_t len,
				    uint32_t ttl)
{
	rrset_t *rs = arena_calloc(&z->arena, sizeof(*rs));
	uint8_t *data = arena_alloc(&z->arena, 2u + len);
	if (!rs || !data)
		return NULL;
	wire_put16(data, len);
	memcpy(data + 2, addr, len);
	rs->type = type;
	rs->count = 1;
	rs->ttl = ttl;
	rs->data = data;
	rs->datalen = 2u + len;
	return rs;
}

int zone_prepare_rules(zone_t *z, const glue_rule_t *server_rule)
{
	for (size_t i = 0; i < z->nnodes; i++) {
		node_t *n = &z->nodes[i];
		if (!(n->flags & NODE_CUT))
			continue;
		uint8_t mode = n->rule ? n->rule->mode : GLUE_INHERIT;
		const glue_rule_t *src = n->rule;
		if (mode == GLUE_INHERIT && z->rule)
			mode = z->rule->mode, src = z->rule;
		if (mode == GLUE_INHERIT && server_rule)
			mode = server_rule->mode, src = server_rule;
		if (mode != GLUE_WRONG)
			continue;
		glue_t *g = (glue_t *)n->glue;
		for (uint16_t k = 0; k < n->nglue; k++) {
			/* The rewritten glue keeps the TTL of what it replaces. */
			const rrset_t *orig = g[k].a ? g[k].a : g[k].aaaa;
			uint32_t ttl = orig ? orig->ttl : 3600;
			if (src->has_wrong_a && g[k].a &&
			    !(g[k].wrong_a = address_rrset(z, RR_A, src->wrong_a, 4, ttl)))
				return ST_ENOMEM;
			if (src->has_wrong_aaaa && g[k].aaaa &&
			    !(g[k].wrong_aaaa = address_rrset(z, RR_AAAA, src->wrong_aaaa, 16, ttl)))
				return ST_ENOMEM;
		}
	}
	return ST_OK;
}

void zone_walk(const zone_t *z, void (*fn)(void *ctx, const node_t *n), void *ctx)
{
	for (size_t i = 0; i < z->nnodes; i++)
		fn(ctx, &z->nodes[i]);
}

void zone_free(zone_t *z)
{
	if (!z)
		return;
	free(z->file);
	arena_free(&z->arena);
	free(z);
}

/* ---- building ------------------------------------------------------- */

/* One record as read, kept until the zone is laid out. */
typedef struct brec {
	uint32_t next;     /* next record of the same owner, or NONE */
	uint16_t type;
	uint16_t rdlen;
	uint32_t ttl;
	unsigned line;
	const char *file;  /* interned in the temporary arena */
	const uint8_t *rdata;
} brec_t;

/* One owner name while building. */
typedef struct bnode {
	const uint8_t *name; /* lowercased, in the temporary arena */
	uint8_t namelen;
	uint32_t first;      /* first record, or NONE */
	uint32_t count;
} bnode_t;

#define NONE UINT32_MAX

typedef struct builder {
	arena_t tmp;
	brec_t *recs;
	size_t nrecs, caprecs;
	bnode_t *bnodes;
	size_t nbnodes, capbnodes;
	uint32_t *index; /* hash table of bnode indexes, NONE = empty */
	uint32_t imask;
	uint8_t origin[NAME_MAXLEN];
	size_t originlen;
	int have_origin;
	const char *lastfile; /* interning of file names */
	zone_warn_cb warn;
	void *warn_ctx;
	size_t skipped;
} builder_t;

static void warnf(builder_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warnf(builder_t *b, const char *fmt, ...)
{
	if (!b->warn)
		return;
	char msg[ZONEFILE_ERR_MAX + NAME_TEXT_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	b->warn(b->warn_ctx, msg);
}

static int index_grow(builder_t *b)
{
	uint32_t size = b->imask ? (b->imask + 1) * 2 : 1024;
	uint32_t *idx = malloc(size * sizeof(*idx));
	if (!idx)
		return ST_ENOMEM;
	memset(idx, 0xFF, size * sizeof(*idx));
	uint32_t mask = size - 1;
	for (size_t i = 0; i < b->nbnodes; i++) {
		uint32_t h = name_hash(b->bnodes[i].name, b->bnodes[i].namelen) & mask;
		while (idx[h] != NONE)
			h = (h + 1) & mask;
		idx[h] = (uint32_t)i;
	}
	free(b->index);
	b->index = idx;
	b->imask = mask;
	return ST_OK;
}

/* Find or add the bnode of a lowercased name; returns its index or NONE. */
static uint32_t bnode_get(builder_t *b, const uint8_t *lname, size_t len, int add)
{
	if (b->index == NULL || (b->nbnodes + 1) * 2 > (size_t)b->imask + 1) {
		if (!add && b->index == NULL)
			return NONE;
		if (add && index_grow(b) != ST_OK)
			return NONE;
	}
	uint32_t h = name_hash(lname, len) & b->imask;
	while (b->index[h] != NONE) {
		bnode_t *n = &b->bnodes[b->index[h]];
		if (n->namelen == len && memcmp(n->name, lname, len) == 0)
			return b->index[h];
		h = (h + 1) & b->imask;
	}
	if (!add)
		return NONE;
	if (b->nbnodes == b->capbnodes) {
		size_t cap = b->capbnodes ? b->capbnodes * 2 : 1024;
		bnode_t *nb = realloc(b->bnodes, cap * sizeof(*nb));
		if (!nb)
			return NONE;
		b->bnodes = nb;
		b->capbnodes = cap;
	}
	uint8_t *copy = arena_dup(&b->tmp, lname, len);
	if (!copy)
		return NONE;
	bnode_t *n = &b->bnodes[b->nbnodes];
	n->name = copy;
	n->namelen = (uint8_t)len;
	n->first = NONE;
	n->count = 0;
	b->index[h] = (uint32_t)b->nbnodes;
	return (uint32_t)b->nbnodes++;
}

static int record_cb(void *ctx, const zf_rr_t *rr, char *err, size_t errcap)
{
	builder_t *b = ctx;
	uint8_t lname[NAME_MAXLEN];
	size_t len = name_lower(lname, rr->owner);

	if (!b->have_origin) {
		if (rr->type != RR_SOA) {
			snprintf(err, errcap, "%s:%u: expected the SOA record first, to set the zone's origin",
				 rr->file, rr->line);
			return ST_ESEMANTIC;
		}
		memcpy(b->origin, lname, len);
		b->originlen = len;
		b->have_origin = 1;
	}
	if (!name_is_sub(lname, b->origin)) {
		char owner[NAME_TEXT_MAX], origin[NAME_TEXT_MAX];
		name_to_text(lname, owner, sizeof(owner));
		name_to_text(b->origin, origin, sizeof(origin));
		warnf(b, "%s:%u: ignoring out-of-zone data %s (zone %s)", rr->file, rr->line, owner,
		      origin);
		b->skipped++;
		return ST_OK;
	}
	if (b->lastfile == NULL || strcmp(b->lastfile, rr->file) != 0) {
		b->lastfile = arena_dup(&b->tmp, rr->file, strlen(rr->file) + 1);
		if (!b->lastfile)
			goto nomem;
	}
	uint32_t ni = bnode_get(b, lname, len, 1);
	if (ni == NONE)
		goto nomem;
	if (b->nrecs == b->caprecs) {
		size_t cap = b->caprecs ? b->caprecs * 2 : 4096;
		brec_t *nr = realloc(b->recs, cap * sizeof(*nr));
		if (!nr)
			goto nomem;
		b->recs = nr;
		b->caprecs = cap;
	}
	const uint8_t *rd = rr->rdlen ? arena_dup(&b->tmp, rr->rdata, rr->rdlen) : (const uint8_t *)"";
	if (!rd)
		goto nomem;
	brec_t *r = &b->recs[b->nrecs];
	r->type = rr->type;
	r->rdlen = rr->rdlen;
	r->ttl = rr->ttl;
	r->line = rr->line;
	r->file = b->lastfile;
	r->rdata = rd;
	/* Append in file order: keep a tail by walking is O(n^2) for big
	 * RRsets, so chain at the head and reverse once at layout time. */
	r->next = b->bnodes[ni].first;
	b->bnodes[ni].first = (uint32_t)b->nrecs;
	b->bnodes[ni].count++;
	b->nrecs++;
	return ST_OK;
nomem:
	snprintf(err, errcap, "%s:%u: out of memory", rr->file, rr->line);
	return ST_ENOMEM;
}

static void builder_free(builder_t *b)
{
	arena_free(&b->tmp);
	free(b->recs);
	free(b->bnodes);
	free(b->index);
}

/* Sort helpers: records of one owner by type, keeping file order. */
typedef struct recref {
	uint16_t type;
	uint32_t seq;
	const brec_t *r;
} recref_t;

static int recref_cmp(const void *a, const void *b)
{
	const recref_t *x = a, *y = b;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int is_addl_type(uint16_t type)
{
	return type == RR_NS || type == RR_MX || type == RR_SRV;
}

/* Offset of the target name inside the rdata of an NS/MX/SRV record. */
static size_t addl_target_offset(uint16_t type)
{
	return type == RR_MX ? 2 : type == RR_SRV ? 6 : 0;
}

static void format_name(const uint8_t *name, char *buf, size_t cap)
{
	if (name_to_text(name, buf, cap) < 0)
		snprintf(buf, cap, "?");
}

static int fail(char *err, size_t errcap, const brec_t *r, const char *fmt, const uint8_t *name)
{
	char text[NAME_TEXT_MAX];
	format_name(name, text, sizeof(text));
	if (r)
		snprintf(err, errcap, "%s:%u: ", r->file, r->line);
	else
		err[0] = 0;
	size_t used = strlen(err);
	snprintf(err + used, errcap - used, fmt, text);
	return ST_ESEMANTIC;
}

/* Lay out the nodes and RRsets of one bnode into node n. */
static int layout_node(zone_t *z, builder_t *b, const bnode_t *bn, node_t *n, recref_t *refs,
		       char *err, size_t errcap)
{
	n->nrrsets = 0;
	n->rrsets = NULL;
	if (bn->count == 0)
		return ST_OK;

	size_t k = 0;
	for (uint32_t i = bn->first; i != NONE; i = b->recs[i].next, k++) {
		refs[k].type = b->recs[i].type;
		refs[k].seq = i;
		refs[k].r = &b->recs[i];
	}
	qsort(refs, k, sizeof(*refs), recref_cmp);

	/* Count distinct types, then fill. */
	size_t ntypes = 0;
	for (size_t i = 0; i < k; i++)
		if (i == 0 || refs[i].type != refs[i - 1].type)
			ntypes++;
	if (ntypes > UINT16_MAX)
		return fail(err, errcap, refs[0].r, "too many types at %s", bn->name);
	rrset_t *sets = arena_calloc(&z->arena, ntypes * sizeof(*sets));
	if (!sets)
		return ST_ENOMEM;

	size_t si = 0;
	for (size_t i = 0; i < k;) {
		size_t j = i;
		size_t bytes = 0;
		while (j < k && refs[j].type == refs[i].type)
			bytes += 2u + refs[j++].r->rdlen;
		uint8_t *data = arena_alloc(&z->arena, bytes ? bytes : 1);
		if (!data)
			return ST_ENOMEM;
		rrset_t *rs = &sets[si++];
		rs->type = refs[i].type;
		rs->ttl = refs[i].r->ttl;
		rs->data = data;
		size_t pos = 0;
		uint32_t count = 0;
		for (size_t m = i; m < j; m++) {
			const brec_t *r = refs[m].r;
			/* Identical records collapse into one (RFC 2181 5). */
			int dup = 0;
			uint32_t p = 0;
			while (p < pos) {
				uint16_t l = wire_get16(data + p);
				if (l == r->rdlen && memcmp(data + p + 2, r->rdata, l) == 0) {
					dup = 1;
					break;
				}
				p += 2u + l;
			}
			if (dup)
				continue;
			if (r->ttl != rs->ttl) {
				char owner[NAME_TEXT_MAX], tbuf[16];
				format_name(bn->name, owner, sizeof(owner));
				warnf(b, "%s:%u: TTL %u of %s %s differs from the RRset's TTL %u; using %u",
				      r->file, r->line, r->ttl, owner, rrtype_to_text(r->type, tbuf),
				      rs->ttl, rs->ttl);
			}
			data[pos] = (uint8_t)(r->rdlen >> 8);
			data[pos + 1] = (uint8_t)r->rdlen;
			memcpy(data + pos + 2, r->rdata, r->rdlen);
			pos += 2u + r->rdlen;
			count++;
		}
		if (count > UINT16_MAX)
			return fail(err, errcap, refs[i].r, "too many records at %s", bn->name);
		rs->count = (uint16_t)count;
		rs->datalen = (uint32_t)pos;
		z->nrecords += count;
		i = j;
	}
	n->rrsets = sets;
	n->nrrsets = (uint16_t)ntypes;
	return ST_OK;
}

/* First record of a type at a bnode, for error lines. */
static const brec_t *first_of(const builder_t *b, const bnode_t *bn, uint16_t type)
{
	const brec_t *found = NULL;
	for (uint32_t i = bn->first; i != NONE; i = b->recs[i].next)
		if (b->recs[i].type == type)
			found = &b->recs[i]; /* chain is newest first: keep the last seen */
	return found;
}

static int check_node(const zone_t *z, const builder_t *b, const bnode_t *bn, const node_t *n,
		      char *err, size_t errcap)
{
	const rrset_t *soa = node_rrset(n, RR_SOA);
	if (soa && !(n->flags & NODE_APEX))
		return fail(err, errcap, first_of(b, bn, RR_SOA), "SOA record for %s is not at the zone apex",
			    n->name);
	if (soa && soa->count != 1)
		return fail(err, errcap, first_of(b, bn, RR_SOA), "more than one SOA record at %s", n->name);
	const rrset_t *cname = node_rrset(n, RR_CNAME);
	if (cname) {
		if (cname->count > 1)
			return fail(err, errcap, first_of(b, bn, RR_CNAME),
				    "more than one CNAME record at %s", n->name);
		for (uint16_t i = 0; i < n->nrrsets; i++) {
			uint16_t t = n->rrsets[i].type;
			if (t != RR_CNAME && t != RR_RRSIG && t != RR_NSEC)
				return fail(err, errcap, first_of(b, bn, RR_CNAME),
					    "CNAME and other data at %s", n->name);
		}
		if (n->flags & NODE_APEX)
			return fail(err, errcap, first_of(b, bn, RR_CNAME), "CNAME at the zone apex %s",
				    n->name);
	}
	(void)z;
	return ST_OK;
}

static void lookup_addresses(const zone_t *z, const uint8_t *lname, const rrset_t **a,
			     const rrset_t **aaaa)
{
	const node_t *t = zone_find(z, lname, name_len(lname));
	*a = t ? node_rrset(t, RR_A) : NULL;
	*aaaa = t ? node_rrset(t, RR_AAAA) : NULL;
}

/* Glue list of a cut: one entry per NS record, in-domain first. */
static int build_glue(zone_t *z, builder_t *b, node_t *cut)
{
	const rrset_t *ns = node_rrset(cut, RR_NS);
	glue_t *g = arena_calloc(&z->arena, ns->count * sizeof(*g));
	if (!g)
		return ST_ENOMEM;
	size_t n = 0;
	for (int pass = 0; pass < 2; pass++) {
		uint32_t pos = 0;
		const uint8_t *rd;
		uint16_t rdlen;
		while (rrset_next(ns, &pos, &rd, &rdlen)) {
			uint8_t lname[NAME_MAXLEN];
			size_t len = name_lower(lname, rd);
			int in_domain = name_is_sub(lname, cut->name);
			if (in_domain != (pass == 0))
				continue;
			glue_t *e = &g[n++];
			uint8_t *copy = arena_dup(&z->arena, lname, len);
			if (!copy)
				return ST_ENOMEM;
			e->name = copy;
			if (in_domain) {
				e->cls = GLUE_CLASS_IN_DOMAIN;
			} else if (!name_is_sub(lname, z->origin)) {
				e->cls = GLUE_CLASS_OUT_OF_ZONE;
				continue; /* never glue: no addresses looked up */
			} else {
				/* Below another cut (or at it) is sibling glue,
				 * otherwise authoritative data of the zone. */
				const node_t *ce = zone_closest(z, lname);
				e->cls = ce->cut ? GLUE_CLASS_SIBLING : GLUE_CLASS_IN_ZONE;
			}
			lookup_addresses(z, lname, &e->a, &e->aaaa);
			if (e->cls == GLUE_CLASS_IN_DOMAIN && !e->a && !e->aaaa) {
				char nsname[NAME_TEXT_MAX], cutname[NAME_TEXT_MAX];
				format_name(lname, nsname, sizeof(nsname));
				format_name(cut->name, cutname, sizeof(cutname));
				warnf(b, "%s: delegation %s: in-domain NS %s has no glue (A or AAAA) in the zone",
				      z->file, cutname, nsname);
			}
		}
	}
	cut->glue = g;
	cut->nglue = (uint16_t)n;
	return ST_OK;
}

/* Additional targets of an NS/MX/SRV RRset of authoritative data. */
static int build_addl(zone_t *z, rrset_t *rs)
{
	addl_t *ad = arena_calloc(&z->arena, rs->count * sizeof(*ad));
	if (!ad)
		return ST_ENOMEM;
	uint32_t pos = 0;
	const uint8_t *rd;
	uint16_t rdlen;
	size_t i = 0;
	size_t off = addl_target_offset(rs->type);
	while (rrset_next(rs, &pos, &rd, &rdlen)) {
		addl_t *e = &ad[i++];
		if (rdlen <= off || name_check(rd + off, rdlen - off) < 0)
			continue;
		uint8_t lname[NAME_MAXLEN];
		size_t len = name_lower(lname, rd + off);
		uint8_t *copy = arena_dup(&z->arena, lname, len);
		if (!copy)
			return ST_ENOMEM;
		e->target = copy;
		/* Local data only: addresses in this zone (authoritative or glue). */
		if (name_is_sub(lname, z->origin))
			lookup_addresses(z, lname, &e->a, &e->aaaa);
	}
	rs->addl = ad;
	return ST_OK;
}

static int layout(zone_t *z, builder_t *b, char *err, size_t errcap)
{
	/* Every ancestor up to the apex exists as a node. */
	size_t nreal = b->nbnodes;
	for (size_t i = 0; i < nreal; i++) {
		const uint8_t *name = b->bnodes[i].name;
		size_t len = b->bnodes[i].namelen;
		while (len > b->originlen) {
			len -= 1u + name[0];
			name += 1u + name[0];
			uint32_t before = (uint32_t)b->nbnodes;
			uint32_t idx = bnode_get(b, name, len, 1);
			if (idx == NONE)
				return ST_ENOMEM;
			if (idx != before)
				break; /* it existed: its ancestors do too, or will */
		}
	}
	if (bnode_get(b, b->origin, b->originlen, 0) == NONE) {
		snprintf(err, errcap, "zone has no records at its apex");
		return ST_ESEMANTIC;
	}

	size_t n = b->nbnodes;
	z->nnodes = n;
	z->nodes = arena_calloc(&z->arena, n * sizeof(*z->nodes));
	uint32_t size = 16;
	while (size < n * 2)
		size *= 2;
	z->table = arena_calloc(&z->arena, size * sizeof(*z->table));
	z->mask = size - 1;
	size_t maxcount = 0;
	for (size_t i = 0; i < n; i++)
		if (b->bnodes[i].count > maxcount)
			maxcount = b->bnodes[i].count;
	recref_t *refs = malloc((maxcount ? maxcount : 1) * sizeof(*refs));
	if (!z->nodes || !z->table || !refs) {
		free(refs);
		return ST_ENOMEM;
	}

	int rc = ST_OK;
	for (size_t i = 0; i < n && rc == ST_OK; i++) {
		const bnode_t *bn = &b->bnodes[i];
		node_t *nd = &z->nodes[i];
		uint8_t *name = arena_dup(&z->arena, bn->name, bn->namelen);
		if (!name) {
			rc = ST_ENOMEM;
			break;
		}
		nd->name = name;
		nd->namelen = bn->namelen;
		nd->labels = (uint8_t)name_labels(name);
		rc = layout_node(z, b, bn, nd, refs, err, errcap);
		uint32_t h = name_hash(nd->name, nd->namelen) & z->mask;
		while (z->table[h])
			h = (h + 1) & z->mask;
		z->table[h] = nd;
	}
	free(refs);
	if (rc != ST_OK)
		return rc;

	z->apex = (node_t *)zone_find(z, z->origin, z->originlen);
	z->apex->flags |= NODE_APEX;

	/* Parents, then cuts top-down: process nodes by label count. */
	int minl = z->apex->labels, maxl = minl;
	for (size_t i = 0; i < n; i++) {
		node_t *nd = &z->nodes[i];
		if (nd != z->apex)
			nd->parent = zone_find(z, name_skip(nd->name, 1), nd->namelen - 1u - nd->name[0]);
		if (nd->labels > maxl)
			maxl = nd->labels;
		if (name_is_wildcard(nd->name) && nd->parent)
			((node_t *)nd->parent)->flags |= NODE_WILDCARD_CHILD;
	}
	for (int l = minl + 1; l <= maxl; l++) {
		for (size_t i = 0; i < n; i++) {
			node_t *nd = &z->nodes[i];
			if (nd->labels != l)
				continue;
			if (nd->parent->cut)
				nd->cut = nd->parent->cut;
			else if (node_rrset(nd, RR_NS)) {
				nd->cut = nd;
				nd->flags |= NODE_CUT;
			}
		}
	}

	/* Checks. */
	for (size_t i = 0; i < n; i++) {
		rc = check_node(z, b, &b->bnodes[i], &z->nodes[i], err, errcap);
		if (rc != ST_OK)
			return rc;
	}
	z->soa = node_rrset(z->apex, RR_SOA);
	if (!z->soa)
		return fail(err, errcap, NULL, "zone %s has no SOA record at its apex", z->origin);
	if (!node_rrset(z->apex, RR_NS))
		return fail(err, errcap, NULL, "zone %s has no NS records at its apex", z->origin);

	/* SOA MINIMUM is the last 4 bytes of the rdata. */
	const uint8_t *soard = z->soa->data + 2;
	uint16_t soalen = wire_get16(z->soa->data);
	uint32_t minimum = soalen >= 4 ? wire_get32(soard + soalen - 4) : 0;
	z->neg_ttl = minimum < z->soa->ttl ? minimum : z->soa->ttl;

	/* Glue and additional targets. */
	for (size_t i = 0; i < n; i++) {
		node_t *nd = &z->nodes[i];
		if (nd->flags & NODE_CUT) {
			rc = build_glue(z, b, nd);
			if (rc != ST_OK)
				return rc;
			continue;
		}
		if (nd->cut)
			continue; /* glue or occluded data: not answered from */
		for (uint16_t s = 0; s < nd->nrrsets; s++) {
			rrset_t *rs = (rrset_t *)&nd->rrsets[s];
			if (is_addl_type(rs->type)) {
				rc = build_addl(z, rs);
				if (rc != ST_OK)
					return rc;
			}
		}
	}
	return ST_OK;
}

typedef int (*parse_fn)(void *arg, builder_t *b, const uint8_t *origin, char *err, size_t errcap);

static int zone_build(const char *file, parse_fn parse, void *arg, const uint8_t *origin,
		      zone_warn_cb warn, void *warn_ctx, zone_t **out, char *err, size_t errcap)
{
	builder_t b;
	memset(&b, 0, sizeof(b));
	arena_init(&b.tmp);
	b.warn = warn;
	b.warn_ctx = warn_ctx;
	if (origin) {
		b.originlen = name_lower(b.origin, origin);
		b.have_origin = 1;
	}
	zone_t *z = calloc(1, sizeof(*z));
	if (!z || !(z->file = strdup(file))) {
		free(z);
		builder_free(&b);
		snprintf(err, errcap, "%s: out of memory", file);
		return ST_ENOMEM;
	}
	arena_init(&z->arena);
	err[0] = 0;

	int rc = parse(arg, &b, origin, err, errcap);
	if (rc == ST_OK && !b.have_origin) {
		snprintf(err, errcap, "%s: no records, so no SOA and no origin", file);
		rc = ST_ESEMANTIC;
	}
	if (rc == ST_OK) {
		z->originlen = b.originlen;
		z->origin = arena_dup(&z->arena, b.origin, b.originlen);
		rc = z->origin ? layout(z, &b, err, errcap) : ST_ENOMEM;
		if (rc != ST_OK && err[0] != 0 && strncmp(err, file, strlen(file)) != 0) {
			/* Messages from layout without a file:line get the file name. */
			char tmp[ZONEFILE_ERR_MAX];
			snprintf(tmp, sizeof(tmp), "%s", err);
			snprintf(err, errcap, "%s: %s", file, tmp);
		}
	}
	if (rc != ST_OK && err[0] == 0)
		snprintf(err, errcap, "%s: %s", file, status_str(rc));
	builder_free(&b);
	if (rc != ST_OK) {
		zone_free(z);
		return rc;
	}
	*out = z;
	return ST_OK;
}

static int parse_file(void *arg, builder_t *b, const uint8_t *origin, char *err, size_t errcap)
{
	return zonefile_parse(arg, origin, record_cb, b, err, errcap);
}

struct mem_arg {
	const char *name, *text;
	size_t len;
};

static int parse_mem(void *arg, builder_t *b, const uint8_t *origin, char *err, size_t errcap)
{
	struct mem_arg *m = arg;
	return zonefile_parse_mem(m->name, m->text, m->len, origin, record_cb, b, err, errcap);
}

int zone_load(const char *path, const uint8_t *origin, zone_warn_cb warn, void *warn_ctx,
	      zone_t **out, char *err, size_t errcap)
{
	return zone_build(path, parse_file, (void *)path, origin, warn, warn_ctx, out, err, errcap);
}

int zone_load_mem(const char *name, const char *text, size_t len, const uint8_t *origin,
		  zone_warn_cb warn, void *warn_ctx, zone_t **out, char *err, size_t errcap)
{
	struct mem_arg m = {name, text, len};
	return zone_build(name, parse_mem, &m, origin, warn, warn_ctx, out, err, errcap);
}
