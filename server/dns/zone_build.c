/*
 * zone_build.c -- build an immutable zone from a master file.
 *
 * The parser streams records in; they are built straight into the final
 * representation, so a load holds little more than the zone itself:
 *
 * - The records of one owner usually come together. They are collected
 *   (a few at a time) until the owner changes, then laid out at once: one
 *   arena block per node holding its RRsets, sorted by type, and their
 *   rdata. An owner that comes back later gets its new records parked and
 *   merged into a new block once the file is read.
 * - Nodes live in one array, found through the hash index built while
 *   reading (pre-sized from the file size); that index is the zone's table.
 * - Each lowercased owner name is stored once. Empty non-terminals, glue
 *   names and additional-section targets point into names (or rdata) that
 *   are already there.
 * - Cuts are marked in one pass over the nodes (parents first by
 *   memoisation), the load-time checks run, then the glue of every cut and
 *   the additional targets of NS/MX/SRV RRsets are resolved by exact lookup.
 *
 * Only the error paths need a record's file:line after the fact; they read
 * the source again to find it, so nothing per record is kept for them.
 * The query path reads the result only.
 */
#include "dns/zone_build.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dns/arena.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/wire.h"
#include "dns/zone_dnssec.h"
#include "dns/zone_impl.h"
#include "dns/zonefile.h"

/* ---- policies, before the zone is shared ---------------------------- */

void zone_set_rule(zone_t *z, const glue_rule_t *rule) { z->rule = rule; }

void zone_set_dnssec_faults(zone_t *z, const dnssec_fault_t *f, size_t n)
{
	z->dfaults = f;
	z->ndfaults = n;
}

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
		const glue_rule_t *src;
		uint8_t truncation;
		glue_rule_effective(z, n, server_rule, &src, &truncation);
		if (src->mode != GLUE_WRONG)
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
			    !(g[k].wrong_aaaa =
				      address_rrset(z, RR_AAAA, src->wrong_aaaa, 16, ttl)))
				return ST_ENOMEM;
		}
	}
	return ST_OK;
}

/* ---- limits ---------------------------------------------------------- */

zone_limits_t zone_limits_default(void)
{
	return (zone_limits_t){
		.max_records = ZONE_MAX_RECORDS_DEFAULT,
		.max_file_bytes = ZONE_MAX_FILE_BYTES_DEFAULT,
		.max_rrset_records = ZONE_MAX_RRSET_RECORDS,
		.max_include_depth = ZONE_MAX_INCLUDE_DEPTH,
	};
}

/* ---- building ------------------------------------------------------- */

#define NONE UINT32_MAX

/* One record not laid out yet: of the owner being read, or parked. */
typedef struct brec {
	uint16_t type;
	uint16_t rdlen;
	uint32_t ttl;
	uint32_t node; /* parked records: the node they belong to */
	unsigned line;
	size_t seq;        /* position in the file: the order of records */
	const char *file;  /* interned in the builder's arena */
	size_t off;        /* rdata offset in its byte buffer */
	const uint8_t *rd; /* the rdata, set just before laying out */
} brec_t;

/* A message held back until the point where it is due. */
typedef struct dmsg {
	uint32_t node;
	uint16_t type;
	size_t seq;
	const char *text;
} dmsg_t;

/* The source, kept to be read again by the error paths. */
typedef int (*parse_fn)(void *arg, zf_rr_cb cb, void *ctx, const uint8_t *origin,
			const zf_limits_t *lim, char *err, size_t errcap);

typedef struct builder {
	zone_t *z;
	arena_t tmp; /* file names and held-back messages */
	node_t *nodes;
	size_t nnodes, capnodes;
	uint32_t *index; /* node index + 1, 0 = empty; becomes z->table */
	uint32_t imask;
	uint32_t *parent; /* parent node index, NONE while not known */
	size_t capparent;
	uint32_t recent[4]; /* the last nodes read: parents are usually among them */
	/* The owner being read and its records so far. */
	uint32_t cur;
	uint8_t cur_raw[NAME_MAXLEN];
	size_t cur_rawlen;
	brec_t *recs;
	size_t nrecs, caprecs;
	uint8_t *bytes;
	size_t nbytes, capbytes;
	/* Records of owners that came back after being laid out. */
	brec_t *park;
	size_t npark, cappark;
	uint8_t *pbytes;
	size_t npbytes, cappbytes;
	/* Held-back TTL warnings and the first layout error. */
	dmsg_t *msgs;
	size_t nmsgs, capmsgs;
	uint32_t err_node;
	uint16_t err_type;
	size_t seq; /* records read */
	uint8_t origin[NAME_MAXLEN];
	size_t originlen;
	int have_origin;
	const char *file_src; /* rr->file as the parser gave it ... */
	const char *file;     /* ... and its copy */
	zone_limits_t lim;
	zf_limits_t zflim;
	zone_warn_cb warn;
	void *warn_ctx;
	parse_fn parse;
	void *parse_arg;
	const uint8_t *origin_arg;
	char *err;
	size_t errcap;
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

int zone_grow(void *pp, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return ST_OK;
	size_t nc = *cap ? *cap : 64;
	while (nc < need)
		nc *= 2;
	void *np = realloc(*(void **)pp, nc * size);
	if (!np)
		return ST_ENOMEM;
	*(void **)pp = np;
	*cap = nc;
	return ST_OK;
}

static int index_resize(builder_t *b, size_t size)
{
	uint32_t *idx = calloc(size, sizeof(*idx));
	if (!idx)
		return ST_ENOMEM;
	uint32_t mask = (uint32_t)(size - 1);
	for (size_t i = 0; i < b->nnodes; i++) {
		uint32_t hash = zone_name_hash(b->nodes[i].name, b->nodes[i].namelen);
		uint32_t h = hash & mask;
		while (idx[h] != 0)
			h = (h + 1) & mask;
		idx[h] = (hash & SLOT_TAG) | ((uint32_t)i + 1);
	}
	free(b->index);
	b->index = idx;
	b->imask = mask;
	return ST_OK;
}

/*
 * Find the node of a lowercased name, or with add create it: its name is
 * keep when given (a name already stored, e.g. a suffix of a child's), a
 * copy otherwise. Returns the node's index, or NONE (not found, or no
 * memory). *added tells which.
 */
static uint32_t node_get(builder_t *b, const uint8_t *lname, size_t len, int add,
			 const uint8_t *keep, int *added)
{
	*added = 0;
	if (add && (b->nnodes + 1) * 2 > (size_t)b->imask + 1) {
		if (b->nnodes >= ZONE_MAX_NODES ||
		    index_resize(b, ((size_t)b->imask + 1) * 2) != ST_OK)
			return NONE;
	}
	uint32_t hash = zone_name_hash(lname, len), tag = hash & SLOT_TAG;
	uint32_t h = hash & b->imask;
	for (uint32_t k; (k = b->index[h]) != 0; h = (h + 1) & b->imask) {
		if ((k & SLOT_TAG) != tag)
			continue;
		const node_t *n = &b->nodes[(k & SLOT_INDEX) - 1];
		if (n->namelen == len && memcmp(n->name, lname, len) == 0)
			return (k & SLOT_INDEX) - 1;
	}
	if (!add || b->nnodes >= ZONE_MAX_NODES)
		return NONE;
	if (zone_grow(&b->nodes, &b->capnodes, b->nnodes + 1, sizeof(*b->nodes)) != ST_OK)
		return NONE;
	if (!keep && !(keep = arena_alloc_align(&b->z->arena, len, 1)))
		return NONE;
	if (keep != lname)
		memcpy((uint8_t *)keep, lname, len);
	node_t *n = &b->nodes[b->nnodes];
	memset(n, 0, sizeof(*n));
	n->name = keep;
	n->namelen = (uint8_t)len;
	b->index[h] = tag | ((uint32_t)b->nnodes + 1);
	*added = 1;
	return (uint32_t)b->nnodes++;
}

/* name (lowercased, len bytes) is parent or below it: compare the tail once. */
static bool sub_of(const uint8_t *name, size_t len, const uint8_t *parent, size_t plen)
{
	if (len < plen)
		return false;
	size_t p = 0;
	while (len - p > plen)
		p += 1u + name[p];
	return p == len - plen && memcmp(name + p, parent, plen) == 0;
}

static void format_name(const uint8_t *name, char *buf, size_t cap)
{
	if (name_to_text(name, buf, cap) < 0)
		snprintf(buf, cap, "?");
}

/* ---- laying out the RRsets of a node --------------------------------- */

static int hold_msg(builder_t *b, uint32_t node, uint16_t type, size_t seq, const char *text)
{
	if (zone_grow(&b->msgs, &b->capmsgs, b->nmsgs + 1, sizeof(*b->msgs)) != ST_OK)
		return ST_ENOMEM;
	char *copy = arena_alloc_align(&b->tmp, strlen(text) + 1, 1);
	if (!copy)
		return ST_ENOMEM;
	strcpy(copy, text);
	b->msgs[b->nmsgs++] = (dmsg_t){ node, type, seq, copy };
	return ST_OK;
}

static int brec_cmp(const void *a, const void *b)
{
	const brec_t *x = a, *y = b;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Give node ni one new block with its RRsets: those it has (if any) with
 * the k records r (in file order) added. Identical records collapse into
 * one (RFC 2181 5); a record whose TTL differs from its RRset's is warned
 * about (held back until the layout is due); an RRset over the limit is
 * remembered as the layout error.
 */
static int lay_out(builder_t *b, uint32_t ni, brec_t *r, size_t k)
{
	node_t *n = &b->nodes[ni];
	/* Stable by type: records come in file order. */
	if (k <= 32) {
		for (size_t i = 1; i < k; i++) {
			brec_t t = r[i];
			size_t j = i;
			for (; j > 0 && r[j - 1].type > t.type; j--)
				r[j] = r[j - 1];
			r[j] = t;
		}
	} else {
		qsort(r, k, sizeof(*r), brec_cmp);
	}

	const rrset_t *old = n->rrsets;
	size_t nold = n->nrrsets, ntypes = 0, bytes = 0;
	for (size_t i = 0, o = 0; i < k || o < nold; ntypes++) {
		uint16_t t =
			i < k && (o >= nold || r[i].type <= old[o].type) ? r[i].type : old[o].type;
		if (o < nold && old[o].type == t)
			bytes += old[o++].datalen;
		for (; i < k && r[i].type == t; i++)
			bytes += 2u + r[i].rdlen;
	}
	size_t head = ntypes * sizeof(rrset_t);
	uint8_t *block = arena_alloc_align(&b->z->arena, head + (bytes ? bytes : 1), 8);
	if (!block)
		return ST_ENOMEM;
	rrset_t *sets = (rrset_t *)block;
	uint8_t *data = block + head;
	size_t pos = 0, si = 0;

	for (size_t i = 0, o = 0; i < k || o < nold; si++) {
		uint16_t t =
			i < k && (o >= nold || r[i].type <= old[o].type) ? r[i].type : old[o].type;
		rrset_t *rs = &sets[si];
		size_t start = pos;
		uint32_t count = 0, oldcount = 0;
		bool have_ttl = false;
		rs->type = t;
		rs->ttl = 0;
		rs->sigs = 0;
		rs->addl = NULL;
		/* An RRset laid out before came earlier in the file than any
		 * record added now; a new one starts at its first record. */
		if (o < nold && old[o].type == t)
			rs->seq = old[o].seq;
		else
			rs->seq = r[i].seq < UINT32_MAX ? (uint32_t)r[i].seq : UINT32_MAX;
		if (o < nold && old[o].type == t) {
			memcpy(data + pos, old[o].data, old[o].datalen);
			pos += old[o].datalen;
			count = oldcount = old[o].count;
			rs->ttl = old[o].ttl;
			have_ttl = true;
			o++;
		}
		for (; i < k && r[i].type == t; i++) {
			const brec_t *x = &r[i];
			int dup = 0;
			for (size_t p = start; p < pos;) {
				uint16_t l = wire_get16(data + p);
				if (l == x->rdlen && memcmp(data + p + 2, x->rd, l) == 0) {
					dup = 1;
					break;
				}
				p += 2u + l;
			}
			if (dup)
				continue;
			if (!have_ttl) {
				rs->ttl = x->ttl;
				have_ttl = true;
			} else if (x->ttl != rs->ttl && t != RR_RRSIG) {
				/* The RRSIGs of a name cover different RRsets, each
				 * with its own TTL (RFC 4034 3): not one RRset. */
				char owner[NAME_TEXT_MAX], tbuf[16],
					msg[ZONEFILE_ERR_MAX + NAME_TEXT_MAX];
				format_name(n->name, owner, sizeof(owner));
				snprintf(
					msg, sizeof(msg),
					"%s:%u: TTL %u of %s %s differs from the RRset's TTL %u; using %u",
					x->file, x->line, x->ttl, owner, rrtype_to_text(t, tbuf),
					rs->ttl, rs->ttl);
				if (hold_msg(b, ni, t, x->seq, msg) != ST_OK)
					return ST_ENOMEM;
			}
			data[pos] = (uint8_t)(x->rdlen >> 8);
			data[pos + 1] = (uint8_t)x->rdlen;
			memcpy(data + pos + 2, x->rd, x->rdlen);
			pos += 2u + x->rdlen;
			count++;
		}
		if (count > b->lim.max_rrset_records && (b->err_node == NONE || ni < b->err_node ||
							 (ni == b->err_node && t < b->err_type))) {
			b->err_node = ni;
			b->err_type = t;
		}
		rs->count = (uint16_t)(count > UINT16_MAX ? UINT16_MAX : count);
		rs->data = data + start;
		rs->datalen = (uint32_t)(pos - start);
		b->z->nrecords += count - oldcount;
	}
	n->rrsets = sets;
	n->nrrsets = (uint16_t)ntypes;
	return ST_OK;
}

/* The owner's records are all read (until it comes back, if ever). */
static int flush(builder_t *b)
{
	if (b->cur == NONE || b->nrecs == 0)
		return ST_OK;
	int rc = ST_OK;
	if (b->nodes[b->cur].rrsets == NULL) {
		for (size_t i = 0; i < b->nrecs; i++)
			b->recs[i].rd = b->bytes + b->recs[i].off;
		rc = lay_out(b, b->cur, b->recs, b->nrecs);
	} else if (zone_grow(&b->park, &b->cappark, b->npark + b->nrecs, sizeof(*b->park)) !=
			   ST_OK ||
		   /* + 1: a buffer even when every parked rdata is empty. */
		   zone_grow(&b->pbytes, &b->cappbytes, b->npbytes + b->nbytes + 1, 1) != ST_OK) {
		rc = ST_ENOMEM;
	} else {
		for (size_t i = 0; i < b->nrecs; i++) {
			brec_t *p = &b->park[b->npark++];
			*p = b->recs[i];
			p->node = b->cur;
			p->off += b->npbytes;
		}
		memcpy(b->pbytes + b->npbytes, b->bytes, b->nbytes);
		b->npbytes += b->nbytes;
	}
	b->nrecs = b->nbytes = 0;
	return rc;
}

static int park_cmp(const void *a, const void *b)
{
	const brec_t *x = a, *y = b;
	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Merge the parked records of owners that came back. */
static int merge_parked(builder_t *b)
{
	if (b->npark == 0)
		return ST_OK;
	qsort(b->park, b->npark, sizeof(*b->park), park_cmp);
	for (size_t i = 0; i < b->npark; i++)
		b->park[i].rd = b->pbytes + b->park[i].off;
	for (size_t i = 0; i < b->npark;) {
		size_t j = i;
		while (j < b->npark && b->park[j].node == b->park[i].node)
			j++;
		int rc = lay_out(b, b->park[i].node, b->park + i, j - i);
		if (rc != ST_OK)
			return rc;
		i = j;
	}
	return ST_OK;
}

/* ---- reading records -------------------------------------------------- */

/* A new owner: lay out the last one, check this one, find its node. Returns
 * 0, 1 when the record is out of zone (skipped), or a negative status. */
static int owner_change(builder_t *b, const zf_rr_t *rr, size_t rawlen, char *err, size_t errcap)
{
	if (flush(b) != ST_OK)
		return ST_ENOMEM;
	b->cur = NONE;
	uint8_t lname[NAME_MAXLEN];
	size_t len = name_lower(lname, rr->owner);
	if (!b->have_origin) {
		if (rr->type != RR_SOA) {
			snprintf(err, errcap,
				 "%s:%u: expected the SOA record first, to set the zone's origin",
				 rr->file, rr->line);
			return ST_ESEMANTIC;
		}
		memcpy(b->origin, lname, len);
		b->originlen = len;
		b->have_origin = 1;
	}
	if (!sub_of(lname, len, b->origin, b->originlen)) {
		char owner[NAME_TEXT_MAX], origin[NAME_TEXT_MAX];
		name_to_text(lname, owner, sizeof(owner));
		name_to_text(b->origin, origin, sizeof(origin));
		warnf(b, "%s:%u: ignoring out-of-zone data %s (zone %s)", rr->file, rr->line, owner,
		      origin);
		b->skipped++;
		return 1;
	}
	int added;
	uint32_t ni = node_get(b, lname, len, 1, NULL, &added);
	if (ni == NONE && b->nnodes >= ZONE_MAX_NODES) {
		snprintf(err, errcap, "%s:%u: more than %u names in one zone (limit)", rr->file,
			 rr->line, ZONE_MAX_NODES);
		return ST_ELIMIT;
	}
	if (ni == NONE)
		return ST_ENOMEM;
	if (added) {
		/* Its parent is usually one of the last few owners (a delegation,
		 * then its glue): look there before the hash table does. */
		if (zone_grow(&b->parent, &b->capparent, b->nnodes, sizeof(*b->parent)) != ST_OK)
			return ST_ENOMEM;
		uint32_t p = NONE;
		if (len > b->originlen) {
			const uint8_t *pname = lname + 1 + lname[0];
			size_t plen = len - 1u - lname[0];
			for (size_t k = 0; k < 4 && p == NONE; k++) {
				uint32_t r = b->recent[k];
				if (r != NONE && b->nodes[r].namelen == plen &&
				    memcmp(b->nodes[r].name, pname, plen) == 0)
					p = r;
			}
		}
		b->parent[ni] = p;
	}
	if (b->recent[0] != ni) {
		memmove(b->recent + 1, b->recent, 3 * sizeof(b->recent[0]));
		b->recent[0] = ni;
	}
	b->cur = ni;
	memcpy(b->cur_raw, rr->owner, rawlen);
	b->cur_rawlen = rawlen;
	return ST_OK;
}

static int record_cb(void *ctx, const zf_rr_t *rr, char *err, size_t errcap)
{
	builder_t *b = ctx;
	size_t rawlen = name_len(rr->owner);
	/* Same owner as the record before (as written): nothing to look up. */
	if (b->cur == NONE || rawlen != b->cur_rawlen ||
	    memcmp(rr->owner, b->cur_raw, rawlen) != 0) {
		int rc = owner_change(b, rr, rawlen, err, errcap);
		if (rc == ST_ENOMEM)
			goto nomem;
		if (rc != ST_OK)
			return rc < 0 ? rc : ST_OK;
	}
	if (b->lim.max_records && b->seq >= b->lim.max_records) {
		snprintf(err, errcap, "%s:%u: zone has more than %llu records (limit)", rr->file,
			 rr->line, (unsigned long long)b->lim.max_records);
		return ST_ELIMIT;
	}
	if (rr->file != b->file_src) {
		/* The parser keeps one pointer per file for the whole parse. */
		char *copy = arena_alloc_align(&b->tmp, strlen(rr->file) + 1, 1);
		if (!copy)
			goto nomem;
		strcpy(copy, rr->file);
		b->file = copy;
		b->file_src = rr->file;
	}
	if (zone_grow(&b->recs, &b->caprecs, b->nrecs + 1, sizeof(*b->recs)) != ST_OK ||
	    /* + 1: records point into a buffer, also when every rdata so far
	     * is empty (TYPE123 \# 0), never at an offset from NULL. */
	    zone_grow(&b->bytes, &b->capbytes, b->nbytes + rr->rdlen + 1, 1) != ST_OK)
		goto nomem;
	brec_t *r = &b->recs[b->nrecs++];
	r->type = rr->type;
	r->rdlen = rr->rdlen;
	r->ttl = rr->ttl;
	r->line = rr->line;
	r->seq = b->seq++;
	r->file = b->file;
	r->off = b->nbytes;
	if (rr->rdlen)
		memcpy(b->bytes + b->nbytes, rr->rdata, rr->rdlen);
	b->nbytes += rr->rdlen;
	return ST_OK;
nomem:
	snprintf(err, errcap, "%s:%u: out of memory", rr->file, rr->line);
	return ST_ENOMEM;
}

static void builder_free(builder_t *b)
{
	arena_free(&b->tmp);
	free(b->nodes);
	free(b->index);
	free(b->parent);
	free(b->recs);
	free(b->bytes);
	free(b->park);
	free(b->pbytes);
	free(b->msgs);
}

/* ---- error paths: where was that record? ------------------------------ */

typedef struct locate {
	uint8_t name[NAME_MAXLEN];
	size_t len;
	uint16_t type;
	char file[ZONEFILE_ERR_MAX];
	unsigned line;
	bool found;
} locate_t;

static int locate_cb(void *ctx, const zf_rr_t *rr, char *err, size_t errcap)
{
	locate_t *l = ctx;
	uint8_t lname[NAME_MAXLEN];
	(void)err, (void)errcap;
	if (rr->type != l->type || name_lower(lname, rr->owner) != l->len ||
	    memcmp(lname, l->name, l->len) != 0)
		return ST_OK;
	snprintf(l->file, sizeof(l->file), "%s", rr->file);
	l->line = rr->line;
	l->found = true;
	return ST_EEXIST; /* stop */
}

/* Where the records the DNSSEC warnings are about are: one more read of
 * the source for all of them. */
typedef struct locate_notes {
	const dnssec_notes_t *notes;
	char file[DNSSEC_NOTES_MAX][ZONEFILE_ERR_MAX];
	unsigned line[DNSSEC_NOTES_MAX];
	size_t left;
} locate_notes_t;

static int locate_notes_cb(void *ctx, const zf_rr_t *rr, char *err, size_t errcap)
{
	locate_notes_t *l = ctx;
	uint8_t lname[NAME_MAXLEN];
	(void)err, (void)errcap;
	size_t len = 0;
	for (size_t i = 0; i < l->notes->n; i++) {
		const dnssec_note_t *m = &l->notes->note[i];
		if (l->line[i] != 0 || rr->type != m->type)
			continue;
		if (m->covered && (rr->rdlen < 2 || wire_get16(rr->rdata) != m->covered))
			continue;
		if (len == 0)
			len = name_lower(lname, rr->owner);
		if (len != name_len(m->name) || memcmp(lname, m->name, len) != 0)
			continue;
		snprintf(l->file[i], sizeof(l->file[i]), "%s", rr->file);
		l->line[i] = rr->line;
		if (--l->left == 0)
			return ST_EEXIST; /* stop */
	}
	return ST_OK;
}

static void warn_notes(builder_t *b, const dnssec_notes_t *notes)
{
	if (notes->n == 0 || !b->warn)
		return;
	locate_notes_t *l = calloc(1, sizeof(*l));
	if (l) {
		char scratch[ZONEFILE_ERR_MAX];
		l->notes = notes;
		l->left = notes->n;
		(void)b->parse(b->parse_arg, locate_notes_cb, l, b->origin_arg, &b->zflim, scratch,
			       sizeof(scratch));
	}
	for (size_t i = 0; i < notes->n; i++) {
		if (l && l->line[i])
			warnf(b, "%s:%u: %s", l->file[i], l->line[i], notes->note[i].text);
		else
			warnf(b, "%s: %s", b->z->file, notes->note[i].text);
	}
	if (notes->more)
		warnf(b, "%s: %zu more DNSSEC warnings like these", b->z->file, notes->more);
	free(l);
}

/*
 * A load-time check failed for the first record of type at the node named
 * name: read the source again to name its file:line (NULL type: no line),
 * then write fmt with the name for %s. Returns st.
 */
static int fail_at(builder_t *b, const uint8_t *name, int type, int st, const char *fmt)
{
	char text[NAME_TEXT_MAX];
	format_name(name, text, sizeof(text));
	b->err[0] = 0;
	if (type >= 0) {
		locate_t *l = calloc(1, sizeof(*l));
		char scratch[ZONEFILE_ERR_MAX];
		if (l) {
			l->len = name_len(name);
			memcpy(l->name, name, l->len);
			l->type = (uint16_t)type;
			(void)b->parse(b->parse_arg, locate_cb, l, b->origin_arg, &b->zflim,
				       scratch, sizeof(scratch));
			if (l->found)
				snprintf(b->err, b->errcap, "%s:%u: ", l->file, l->line);
			free(l);
		}
	}
	size_t used = strlen(b->err);
	snprintf(b->err + used, b->errcap - used, fmt, text);
	return st;
}

static int check_node(builder_t *b, const node_t *n)
{
	const rrset_t *soa = node_rrset(n, RR_SOA);
	if (soa && !(n->flags & NODE_APEX))
		return fail_at(b, n->name, RR_SOA, ST_ESEMANTIC,
			       "SOA record for %s is not at the zone apex");
	if (soa && soa->count != 1)
		return fail_at(b, n->name, RR_SOA, ST_ESEMANTIC, "more than one SOA record at %s");
	const rrset_t *cname = node_rrset(n, RR_CNAME);
	if (cname) {
		if (cname->count > 1)
			return fail_at(b, n->name, RR_CNAME, ST_ESEMANTIC,
				       "more than one CNAME record at %s");
		for (uint16_t i = 0; i < n->nrrsets; i++) {
			uint16_t t = n->rrsets[i].type;
			if (t != RR_CNAME && t != RR_RRSIG && t != RR_NSEC)
				return fail_at(b, n->name, RR_CNAME, ST_ESEMANTIC,
					       "CNAME and other data at %s");
		}
		if (n->flags & NODE_APEX)
			return fail_at(b, n->name, RR_CNAME, ST_ESEMANTIC,
				       "CNAME at the zone apex %s");
	}
	return ST_OK;
}

/* ---- glue and additional targets -------------------------------------- */

static int is_addl_type(uint16_t type) { return type == RR_NS || type == RR_MX || type == RR_SRV; }

/* Offset of the target name inside the rdata of an NS/MX/SRV record. */
static size_t addl_target_offset(uint16_t type)
{
	return type == RR_MX ? 2 : type == RR_SRV ? 6 : 0;
}

/*
 * Where the lowercased name lname (len bytes) can be kept: the name of its
 * node t when it has one, the rdata name rdname when that is lowercase
 * already, a copy otherwise.
 */
static const uint8_t *keep_name(zone_t *z, const node_t *t, const uint8_t *lname, size_t len,
				const uint8_t *rdname)
{
	/* The rdata's own bytes first: the encoder remembers names by
	 * address, so a glue or additional owner that is the very name just
	 * written in the NS/MX/SRV rdata becomes a pointer without a search. */
	if (memcmp(rdname, lname, len) == 0)
		return rdname;
	if (t)
		return t->name;
	return arena_dup_align(&z->arena, lname, len, 1);
}

/* zone_find, looking first at the few nodes read right after node `from`:
 * that is where a delegation's in-domain name servers usually are. */
static const node_t *find_near(const zone_t *z, const node_t *from, const uint8_t *lname,
			       size_t len)
{
	for (const node_t *n = from + 1; n < from + 5 && n < z->nodes + z->nnodes; n++)
		if (n->namelen == len && memcmp(n->name, lname, len) == 0)
			return n;
	return zone_find(z, lname, len);
}

/* Glue list of a cut: one entry per NS record, in-domain first. */
static int build_glue(zone_t *z, builder_t *b, node_t *cut)
{
	const rrset_t *ns = node_rrset(cut, RR_NS);
	glue_t *g = arena_alloc_align(&z->arena, ns->count * sizeof(*g), 8);
	if (!g)
		return ST_ENOMEM;
	memset(g, 0, ns->count * sizeof(*g));
	size_t n = 0;
	for (int pass = 0; pass < 2; pass++) {
		uint32_t pos = 0;
		const uint8_t *rd;
		uint16_t rdlen;
		while (rrset_next(ns, &pos, &rd, &rdlen)) {
			uint8_t lname[NAME_MAXLEN];
			size_t len = name_lower(lname, rd);
			int in_domain = sub_of(lname, len, cut->name, cut->namelen);
			if (in_domain != (pass == 0))
				continue;
			glue_t *e = &g[n++];
			const node_t *t = NULL;
			if (in_domain) {
				e->cls = GLUE_CLASS_IN_DOMAIN;
				t = find_near(z, cut, lname, len);
			} else if (!sub_of(lname, len, z->origin, z->originlen)) {
				e->cls = GLUE_CLASS_OUT_OF_ZONE; /* never glue: no addresses */
			} else {
				/* Below another cut (or at it) is sibling glue,
				 * otherwise authoritative data of the zone. */
				const node_t *ce = zone_closest(z, lname, false);
				e->cls = ce->cut ? GLUE_CLASS_SIBLING : GLUE_CLASS_IN_ZONE;
				t = ce->namelen == len ? ce : NULL;
			}
			if (!(e->name = keep_name(z, t, lname, len, rd)))
				return ST_ENOMEM;
			if (e->cls == GLUE_CLASS_OUT_OF_ZONE)
				continue;
			e->a = t ? node_rrset(t, RR_A) : NULL;
			e->aaaa = t ? node_rrset(t, RR_AAAA) : NULL;
			if (e->cls == GLUE_CLASS_IN_DOMAIN && !e->a && !e->aaaa) {
				char nsname[NAME_TEXT_MAX], cutname[NAME_TEXT_MAX];
				format_name(lname, nsname, sizeof(nsname));
				format_name(cut->name, cutname, sizeof(cutname));
				warnf(b,
				      "%s: delegation %s: in-domain NS %s has no glue (A or AAAA) in the zone",
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
	addl_t *ad = arena_alloc_align(&z->arena, rs->count * sizeof(*ad), 8);
	if (!ad)
		return ST_ENOMEM;
	memset(ad, 0, rs->count * sizeof(*ad));
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
		/* Local data only: addresses in this zone (authoritative or glue). */
		const node_t *t = sub_of(lname, len, z->origin, z->originlen)
					  ? zone_find(z, lname, len)
					  : NULL;
		if (!(e->target = keep_name(z, t, lname, len, rd + off)))
			return ST_ENOMEM;
		e->a = t ? node_rrset(t, RR_A) : NULL;
		e->aaaa = t ? node_rrset(t, RR_AAAA) : NULL;
	}
	rs->addl = ad;
	return ST_OK;
}

/* ---- after the last record -------------------------------------------- */

static int dmsg_cmp(const void *a, const void *b)
{
	const dmsg_t *x = a, *y = b;
	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Every ancestor up to the apex exists as a node: an empty non-terminal's
 * name is the suffix of its child's. Completes b->parent (parents found
 * while reading are known already). Nodes are visited in the order they
 * were read and each missing chain is added bottom-up, so node order (and
 * with it zone_walk's and the messages') does not depend on the hash table.
 */
static int add_ancestors(builder_t *b)
{
	size_t nreal = b->nnodes;
	for (size_t i = 0; i < nreal; i++) {
		uint32_t cur = (uint32_t)i;
		while (b->parent[cur] == NONE) {
			const uint8_t *name = b->nodes[cur].name;
			size_t len = b->nodes[cur].namelen;
			if (len <= b->originlen)
				break;
			const uint8_t *pname = name + 1 + name[0];
			int added;
			uint32_t idx = node_get(b, pname, len - 1u - name[0], 1, pname, &added);
			if (idx == NONE && b->nnodes >= ZONE_MAX_NODES) {
				snprintf(b->err, b->errcap,
					 "more than %u names in one zone (limit)", ZONE_MAX_NODES);
				return ST_ELIMIT;
			}
			if (idx == NONE || zone_grow(&b->parent, &b->capparent, b->nnodes,
						     sizeof(*b->parent)) != ST_OK)
				return ST_ENOMEM;
			b->parent[cur] = idx;
			if (!added)
				break; /* it existed: its ancestors do too, or will */
			b->parent[idx] = NONE;
			cur = idx;
		}
	}
	return ST_OK;
}

/* Cuts top-down: a node's cut is its parent's, else itself when it owns
 * NS. Each node is resolved once, after its parent (memoised). */
static int mark_cuts(zone_t *z)
{
	size_t n = z->nnodes;
	uint8_t *done = calloc((n + 7) / 8, 1);
	if (!done)
		return ST_ENOMEM;
	size_t ai = (size_t)(z->apex - z->nodes);
	done[ai / 8] |= (uint8_t)(1u << (ai % 8));
	node_t *stack[NAME_MAXLABELS + 1];
	for (size_t i = 0; i < n; i++) {
		size_t depth = 0;
		node_t *nd = &z->nodes[i];
		for (;;) {
			size_t k = (size_t)(nd - z->nodes);
			if (done[k / 8] & (1u << (k % 8)))
				break;
			stack[depth++] = nd;
			nd = (node_t *)nd->parent;
		}
		while (depth > 0) {
			nd = stack[--depth];
			if (nd->parent->cut) {
				nd->cut = nd->parent->cut;
			} else if (node_rrset(nd, RR_NS)) {
				nd->cut = nd;
				nd->flags |= NODE_CUT;
			}
			size_t k = (size_t)(nd - z->nodes);
			done[k / 8] |= (uint8_t)(1u << (k % 8));
		}
	}
	free(done);
	return ST_OK;
}

static int finish(zone_t *z, builder_t *b)
{
	int rc = flush(b);
	if (rc == ST_OK)
		rc = merge_parked(b);
	free(b->recs), b->recs = NULL;
	free(b->bytes), b->bytes = NULL;
	free(b->park), b->park = NULL;
	free(b->pbytes), b->pbytes = NULL;
	if (rc != ST_OK)
		return rc;

	if (b->nnodes > 0 && (rc = add_ancestors(b)) != ST_OK)
		return rc;
	uint32_t *parent = b->parent;
	int added;
	uint32_t ai = node_get(b, b->origin, b->originlen, 0, NULL, &added);
	if (ai == NONE) {
		snprintf(b->err, b->errcap, "zone has no records at its apex");
		return ST_ESEMANTIC;
	}

	/* The TTL warnings, where and as far as the old one-pass layout gave
	 * them: by node, type and file order, up to the layout error. */
	if (b->nmsgs > 1)
		qsort(b->msgs, b->nmsgs, sizeof(*b->msgs), dmsg_cmp);
	for (size_t i = 0; i < b->nmsgs; i++) {
		const dmsg_t *m = &b->msgs[i];
		if (b->err_node != NONE &&
		    (m->node > b->err_node || (m->node == b->err_node && m->type > b->err_type)))
			break;
		warnf(b, "%s", m->text);
	}
	if (b->err_node != NONE) {
		char tbuf[16], fmt[128];
		snprintf(fmt, sizeof(fmt), "RRset %%s %s has more than %u records (limit)",
			 rrtype_to_text(b->err_type, tbuf), b->lim.max_rrset_records);
		return fail_at(b, b->nodes[b->err_node].name, b->err_type, ST_ELIMIT, fmt);
	}

	/* The node array is complete: hand it and the index to the zone. */
	size_t n = b->nnodes;
	node_t *nodes = realloc(b->nodes, (n ? n : 1) * sizeof(*nodes));
	if (nodes)
		b->nodes = nodes;
	z->nodes = b->nodes, b->nodes = NULL;
	z->nnodes = n;
	z->table = b->index, b->index = NULL;
	z->mask = b->imask;
	for (size_t i = 0; i < n; i++) {
		node_t *nd = &z->nodes[i];
		nd->labels = (uint8_t)name_labels(nd->name);
		if (parent[i] != NONE) {
			nd->parent = &z->nodes[parent[i]];
			if (name_is_wildcard(nd->name))
				((node_t *)nd->parent)->flags |= NODE_WILDCARD_CHILD;
		}
	}
	free(b->parent);
	b->parent = NULL;
	z->apex = &z->nodes[ai];
	z->apex->flags |= NODE_APEX;
	if ((rc = mark_cuts(z)) != ST_OK)
		return rc;

	/* Checks. */
	for (size_t i = 0; i < n; i++) {
		rc = check_node(b, &z->nodes[i]);
		if (rc != ST_OK)
			return rc;
	}
	z->soa = node_rrset(z->apex, RR_SOA);
	/* Signed: RRSIGs at the apex, or a DNSKEY (a zone that lost its
	 * signatures still serves its NSEC chain). */
	z->is_signed = node_rrset(z->apex, RR_RRSIG) || node_rrset(z->apex, RR_DNSKEY);
	if (!z->soa)
		return fail_at(b, z->origin, -1, ST_ESEMANTIC,
			       "zone %s has no SOA record at its apex");
	if (!node_rrset(z->apex, RR_NS))
		return fail_at(b, z->origin, -1, ST_ESEMANTIC,
			       "zone %s has no NS records at its apex");

	/* Signatures per RRset and the denial chain of a signed zone. */
	if (z->is_signed) {
		dnssec_notes_t *notes = malloc(sizeof(*notes));
		if (!notes)
			return ST_ENOMEM;
		rc = zone_dnssec_build(z, (uint32_t)time(NULL), notes);
		if (rc == ST_OK)
			warn_notes(b, notes);
		free(notes);
		if (rc != ST_OK)
			return rc;
	}

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

static int zone_build(const char *file, parse_fn parse, void *arg, uint64_t size_hint,
		      const uint8_t *origin, const zone_limits_t *limits, zone_warn_cb warn,
		      void *warn_ctx, zone_t **out, char *err, size_t errcap)
{
	builder_t b;
	memset(&b, 0, sizeof(b));
	arena_init(&b.tmp);
	b.lim = limits ? *limits : zone_limits_default();
	if (b.lim.max_rrset_records == 0 || b.lim.max_rrset_records > ZONE_MAX_RRSET_RECORDS)
		b.lim.max_rrset_records = ZONE_MAX_RRSET_RECORDS;
	b.zflim.max_bytes = b.lim.max_file_bytes;
	b.zflim.max_depth = b.lim.max_include_depth;
	b.warn = warn;
	b.warn_ctx = warn_ctx;
	b.parse = parse;
	b.parse_arg = arg;
	b.origin_arg = origin;
	b.err = err;
	b.errcap = errcap;
	b.cur = NONE;
	b.err_node = NONE;
	for (size_t k = 0; k < 4; k++)
		b.recent[k] = NONE;
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
	b.z = z;
	err[0] = 0;

	/* About one node per 48 bytes of text (a delegation with glue is three
	 * names in ~170 bytes): size the index and the node array once. Pages
	 * of either that are never touched cost nothing. */
	uint64_t est = size_hint / 48 + 16;
	if (est > (1u << 26))
		est = 1u << 26;
	size_t isize = 1024;
	while (isize < est * 2)
		isize *= 2;
	/* Only a hint: where the system will not reserve that much (strict
	 * overcommit), start smaller and grow. */
	int rc;
	while ((rc = index_resize(&b, isize)) != ST_OK && isize > 1024)
		isize /= 2;
	while (rc == ST_OK &&
	       zone_grow(&b.nodes, &b.capnodes, (size_t)est, sizeof(*b.nodes)) != ST_OK) {
		if (est <= 1024)
			rc = ST_ENOMEM;
		est /= 2;
	}
	if (rc == ST_OK)
		rc = parse(arg, record_cb, &b, origin, &b.zflim, err, errcap);
	if (rc == ST_OK && !b.have_origin) {
		snprintf(err, errcap, "%s: no records, so no SOA and no origin", file);
		rc = ST_ESEMANTIC;
	}
	if (rc == ST_OK) {
		z->originlen = b.originlen;
		z->origin = arena_dup_align(&z->arena, b.origin, b.originlen, 1);
		rc = z->origin ? finish(z, &b) : ST_ENOMEM;
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

static int parse_file(void *arg, zf_rr_cb cb, void *ctx, const uint8_t *origin,
		      const zf_limits_t *lim, char *err, size_t errcap)
{
	return zonefile_parse_ex(arg, origin, lim, cb, ctx, err, errcap);
}

struct mem_arg {
	const char *name, *text;
	size_t len;
};

static int parse_mem(void *arg, zf_rr_cb cb, void *ctx, const uint8_t *origin,
		     const zf_limits_t *lim, char *err, size_t errcap)
{
	struct mem_arg *m = arg;
	return zonefile_parse_mem_ex(m->name, m->text, m->len, origin, lim, cb, ctx, err, errcap);
}

struct src_arg {
	zone_source_fn fn;
	void *arg;
};

static int parse_source(void *arg, zf_rr_cb cb, void *ctx, const uint8_t *origin,
			const zf_limits_t *lim, char *err, size_t errcap)
{
	struct src_arg *s = arg;
	return s->fn(s->arg, cb, ctx, err, errcap);
}

int zone_load_source(const char *name, zone_source_fn src, void *arg, uint64_t size_hint,
		     const uint8_t *origin, zone_warn_cb warn, void *warn_ctx, zone_t **out,
		     char *err, size_t errcap)
{
	struct src_arg s = { src, arg };
	return zone_build(name, parse_source, &s, size_hint, origin, NULL, warn, warn_ctx, out, err,
			  errcap);
}

int zone_load_ex(const char *path, const uint8_t *origin, const zone_limits_t *limits,
		 zone_warn_cb warn, void *warn_ctx, zone_t **out, char *err, size_t errcap)
{
	struct stat st;
	uint64_t hint = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	return zone_build(path, parse_file, (void *)path, hint, origin, limits, warn, warn_ctx, out,
			  err, errcap);
}

int zone_load_mem_ex(const char *name, const char *text, size_t len, const uint8_t *origin,
		     const zone_limits_t *limits, zone_warn_cb warn, void *warn_ctx, zone_t **out,
		     char *err, size_t errcap)
{
	struct mem_arg m = { name, text, len };
	return zone_build(name, parse_mem, &m, len, origin, limits, warn, warn_ctx, out, err,
			  errcap);
}

int zone_load(const char *path, const uint8_t *origin, zone_warn_cb warn, void *warn_ctx,
	      zone_t **out, char *err, size_t errcap)
{
	return zone_load_ex(path, origin, NULL, warn, warn_ctx, out, err, errcap);
}

int zone_load_mem(const char *name, const char *text, size_t len, const uint8_t *origin,
		  zone_warn_cb warn, void *warn_ctx, zone_t **out, char *err, size_t errcap)
{
	return zone_load_mem_ex(name, text, len, origin, NULL, warn, warn_ctx, out, err, errcap);
}
