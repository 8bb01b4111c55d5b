/*
 * encode.c -- plan -> response bytes: name compression, size limit, TC rules.
 *
 * One pass over the plan; every RRset is written whole or rolled back. The
 * OPT record's 11 bytes (and its EDE option's, if any) are reserved before
 * anything else so that it always fits, whatever else is cut (RFC 6891 7: a
 * truncated answer keeps its OPT).
 */
#include "dns/encode.h"

#include <assert.h>
#include <string.h>
#include <stdlib.h>

#include "dns/rdata.h"
#include "dns/wire.h"

#define OPT_RR_LEN 11          /* root, type, class, ttl, rdlen */
#define COMP_MAX 64            /* names remembered for compression */
#define COMP_PTR_MAX 0x3FFF    /* largest offset a pointer can hold */
#define COMP_MAX_HOPS 64       /* bound on pointer hops while comparing */
#define ENCODE_LIMIT_MAX 65535 /* a DNS message is at most this long */

/*
 * Compression memory: the offset of every name suffix already in the
 * output (each one a literal label there), up to COMP_MAX of them.
 *
 * No two entries ever spell the same name (ignoring case): a suffix is
 * written out literally only when no entry matched it. So each entry is
 * fully described by its first label and the entry its remainder points at
 * (its parent), and the entries form a tree rooted at the root name. A name
 * is matched bottom-up: its last label among the children of the root, the
 * label before among the children of that entry, and so on; no pointer is
 * followed. A label is compared by its length and its key (the label
 * case-folded into 64 bits, which is the label itself up to 8 bytes), and
 * only a longer label whose key matches is compared byte by byte. The
 * result, the longest suffix already present, is exactly what a
 * longest-first byte-by-byte search over all entries finds: the output is
 * the same, byte for byte, as that of the simple search.
 *
 * An entry whose remainder was not remembered (the table was full, or the
 * remainder lies beyond COMP_PTR_MAX) is an orphan: while there is one, the
 * tree is incomplete and names are matched the slow way (comp_match over
 * every entry). That only happens in big TCP answers.
 *
 * Before any of that, a small cache keyed by the name's address: the plan
 * points into immutable zone data, and the same name is often written
 * again from the same bytes (the owner of every record of an RRset, the
 * owner of a glue AAAA RRset after its A RRset). Such a name is wholly in
 * the output already, as the entry the cache remembers; the search would
 * find that same entry. A rollback empties the cache.
 */
#define COMP_NONE 0xFF             /* end of a child list */
#define COMP_ROOT COMP_MAX         /* parent of one-label suffixes */
#define COMP_ORPHAN (COMP_MAX + 1) /* parent not remembered */
#define COMP_CACHE 16              /* names remembered by address */

typedef struct comp {
	uint64_t key[COMP_MAX]; /* label_key of the first label */
	uint16_t off[COMP_MAX];
	uint8_t len[COMP_MAX];      /* length of the first label */
	uint8_t labels[COMP_MAX];   /* label count of the name at off */
	uint8_t parent[COMP_MAX];   /* an entry, COMP_ROOT or COMP_ORPHAN */
	uint8_t next[COMP_MAX];     /* next child of the same parent */
	uint8_t head[COMP_MAX + 2]; /* first child of each entry, the root, the orphans */
	unsigned n;
	const uint8_t *cache_name[COMP_CACHE]; /* a name written whole ... */
	uint8_t cache_entry[COMP_CACHE];       /* ... is this entry */
	/* The question's suffixes are the first entries, remembered on the
	 * first name written (an answer that only points at the question
	 * never needs them): its name and offset until then, else NULL. */
	const uint8_t *qname;
	const uint8_t *qname_rolled; /* the question's name, kept for a rollback */
	size_t qoff;
	unsigned nq; /* entries the question took */
} comp_t;

_Static_assert(COMP_MAX + 2 < COMP_NONE, "entry indexes must fit in uint8_t");

/* One name's labels, for matching and remembering. */
typedef struct labels {
	int n;
	uint8_t at[NAME_MAXLABELS];   /* offset of each label in the name */
	uint64_t key[NAME_MAXLABELS]; /* label_key of each label */
} labels_t;

static void comp_init(comp_t *c)
{
	c->n = 0;
	c->qname = NULL;
	c->nq = 0;
	memset(c->head, COMP_NONE, sizeof(c->head));
	memset(c->cache_name, 0, sizeof(c->cache_name));
}

static inline unsigned comp_cache_slot(const uint8_t *name)
{
	uintptr_t a = (uintptr_t)name;
	return (unsigned)((a ^ a >> 4 ^ a >> 9) & (COMP_CACHE - 1));
}

/* Does the (possibly compressed) name at off in buf equal the uncompressed
 * name s, ignoring case? Our own output only holds backward pointers to
 * names we wrote, so this terminates; the hop bound is belt and braces. */
static bool comp_match(const uint8_t *buf, size_t off, const uint8_t *s)
{
	unsigned hops = 0;
	for (;;) {
		uint8_t l = buf[off];
		if ((l & 0xC0) == 0xC0) {
			if (++hops > COMP_MAX_HOPS)
				return false;
			off = (size_t)(l & 0x3F) << 8 | buf[off + 1];
			continue;
		}
		if (l != *s)
			return false;
		if (l == 0)
			return true;
		for (uint8_t i = 1; i <= l; i++)
			if (name_lower_byte(buf[off + i]) != name_lower_byte(s[i]))
				return false;
		off += 1u + l;
		s += 1u + l;
	}
}

/* Every ASCII capital of the 8 bytes in x made small (name_lower_byte on
 * each byte at once): bit 7 of a byte of ge_a / gt_z says the byte's low 7
 * bits are >= 'A' / > 'Z'; no carry crosses a byte. */
static inline uint64_t fold8(uint64_t x)
{
	const uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL, high = 0x8080808080808080ULL;
	uint64_t h = x & low7;
	uint64_t ge_a = h + 0x3F3F3F3F3F3F3F3FULL;
	uint64_t gt_z = h + 0x2525252525252525ULL;
	return x | ((ge_a & ~gt_z & ~x & high) >> 2);
}

static inline uint64_t load8(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t load4(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/*
 * The key of the label at lbl (length byte first, length 1..63): its bytes
 * case-folded into 64 bits. Up to 8 bytes every byte is in the key, so two
 * labels of the same length up to 8 are equal (ignoring case) iff their
 * keys are; a longer label keys on its first 8 bytes. The loads overlap
 * instead of reading past the label, which may end its buffer.
 */
static inline uint64_t label_key(const uint8_t *lbl)
{
	unsigned l = lbl[0];
	const uint8_t *a = lbl + 1;
	uint64_t x;
	if (l >= 8)
		x = load8(a);
	else if (l >= 4)
		x = load4(a) | load4(a + l - 4) << 32;
	else
		x = (uint64_t)a[0] | (uint64_t)a[l >> 1] << 8 | (uint64_t)a[l - 1] << 16;
	return fold8(x);
}

/* The bytes after the first 8 of two labels of the same length > 8. */
static bool label_tail_eq(const uint8_t *a, const uint8_t *b)
{
	unsigned l = a[0];
	a++, b++;
	for (unsigned i = 8; i + 8 <= l; i += 8)
		if (fold8(load8(a + i)) != fold8(load8(b + i)))
			return false;
	return fold8(load8(a + l - 8)) == fold8(load8(b + l - 8));
}

static inline void labels_of(labels_t *ls, const uint8_t *name)
{
	int n = 0;
	for (unsigned p = 0; name[p]; p += 1u + name[p]) {
		ls->at[n] = (uint8_t)p;
		ls->key[n] = label_key(name + p);
		n++;
	}
	ls->n = n;
}

/*
 * Remember the suffixes of one name just written: its literal label k
 * (k < nlit) sits at at[k]; the rest of the name is entry tail (COMP_ROOT
 * when it is the root). Only a prefix of the labels fits (the table fills,
 * offsets grow past COMP_PTR_MAX); the last label remembered before a gap
 * becomes an orphan. Children are linked in index order, which
 * comp_rollback relies on.
 */
static inline void comp_add_labels(comp_t *c, const uint8_t *name, const labels_t *ls,
				   const size_t *at, int nlit, unsigned tail)
{
	unsigned first = c->n;
	int k = 0;
	for (; k < nlit && c->n < COMP_MAX && at[k] <= COMP_PTR_MAX; k++) {
		unsigned i = c->n++;
		c->off[i] = (uint16_t)at[k];
		c->key[i] = ls->key[k];
		c->len[i] = name[ls->at[k]];
		c->labels[i] = (uint8_t)(ls->n - k);
	}
	for (unsigned i = first; i < c->n; i++) {
		unsigned p = i + 1 < c->n ? i + 1 : (k == nlit ? tail : COMP_ORPHAN);
		c->parent[i] = (uint8_t)p;
		c->next[i] = c->head[p];
		c->head[p] = (uint8_t)i;
	}
}

/* Forget every entry from mark on (the RRset that held them was rolled
 * back): undo the list insertions, newest first. */
static void comp_rollback(comp_t *c, unsigned mark)
{
	if (c->n > mark)
		memset(c->cache_name, 0, sizeof(c->cache_name));
	/* The question's entries went too: remember them again when needed,
	 * as if they had been there all along. */
	if (mark < c->nq && c->n > mark)
		c->qname = c->qname_rolled, c->nq = 0;
	while (c->n > mark) {
		unsigned i = --c->n;
		c->head[c->parent[i]] = c->next[i];
	}
}

/* Remember every suffix of the uncompressed name just written at off. */
static void comp_add_name(comp_t *c, const uint8_t *name, size_t off)
{
	labels_t ls;
	size_t at[NAME_MAXLABELS];
	labels_of(&ls, name);
	for (int k = 0; k < ls.n; k++)
		at[k] = off + ls.at[k];
	comp_add_labels(c, name, &ls, at, ls.n, COMP_ROOT);
}

/* The slow path while an orphan exists: longest suffix first, every entry
 * with that many labels, compared through the output. Returns the index of
 * the first label matched (ls->n when none matched) and its entry. */
static int comp_find_slow(const comp_t *c, const uint8_t *buf, const uint8_t *name,
			  const labels_t *ls, unsigned *entry)
{
	for (int k = 0; k < ls->n; k++) {
		int left = ls->n - k;
		for (unsigned i = 0; i < c->n; i++) {
			if (c->labels[i] == left && comp_match(buf, c->off[i], name + ls->at[k])) {
				*entry = i;
				return k;
			}
		}
	}
	*entry = COMP_ROOT;
	return ls->n;
}

/*
 * Write name (uncompressed wire form) at the cursor: its labels up to the
 * longest suffix already in the output, then a pointer to that suffix.
 */
static void name_write(wire_wr_t *w, comp_t *c, const uint8_t *name)
{
	if (c->qname) {
		comp_add_name(c, c->qname, c->qoff);
		c->nq = c->n;
		c->qname = NULL;
	}
	unsigned slot = comp_cache_slot(name);
	if (c->cache_name[slot] == name) {
		wire_wr_u16(w, (uint16_t)(0xC000 | c->off[c->cache_entry[slot]]));
		return;
	}

	labels_t ls;
	labels_of(&ls, name);

	/* j: the first label of the matched suffix (ls.n: none matched);
	 * m: the entry that holds it. */
	int j = ls.n;
	unsigned m = COMP_ROOT;
	if (c->head[COMP_ORPHAN] == COMP_NONE) {
		while (j > 0) {
			const uint8_t *s = name + ls.at[j - 1];
			uint64_t key = ls.key[j - 1];
			unsigned i = c->head[m];
			while (i != COMP_NONE &&
			       !(c->key[i] == key && c->len[i] == *s &&
				 (*s <= 8 || label_tail_eq(w->buf + c->off[i], s))))
				i = c->next[i];
			if (i == COMP_NONE)
				break;
			m = i;
			j--;
		}
	} else {
		j = comp_find_slow(c, w->buf, name, &ls, &m);
	}

	size_t at[NAME_MAXLABELS];
	for (int k = 0; k < j; k++) {
		at[k] = w->pos;
		wire_wr_bytes(w, name + ls.at[k], 1u + name[ls.at[k]]);
	}
	if (j < ls.n)
		wire_wr_u16(w, (uint16_t)(0xC000 | c->off[m]));
	else
		wire_wr_u8(w, 0);
	/* A name that did not fit is rolled back with its RRset: remember
	 * nothing of it. */
	if (w->err)
		return;
	unsigned first = c->n;
	comp_add_labels(c, name, &ls, at, j, m);
	/* The entry that now spells the whole name, if one does. */
	unsigned whole = j == 0 ? m : (c->n > first ? first : COMP_NONE);
	if (whole != COMP_NONE && ls.n > 0) {
		c->cache_name[slot] = name;
		c->cache_entry[slot] = (uint8_t)whole;
	}
}

#ifndef NDEBUG
/* Zone data was checked at load (rdata_check): the names are whole. */
static bool rdata_names_ok(const uint8_t *rd, uint16_t rdlen, size_t p, int names)
{
	for (int i = 0; i < names; i++) {
		int n = name_check(rd + p, rdlen - p);
		if (n < 0)
			return false;
		p += (size_t)n;
	}
	return true;
}
#endif

static void rdata_write(wire_wr_t *w, comp_t *c, uint16_t type, const uint8_t *rd, uint16_t rdlen)
{
	size_t p;
	int names = rdata_compressible_names(type, &p);
	if (names == 0 || p > rdlen) {
		wire_wr_bytes(w, rd, rdlen);
		return;
	}
	/* Zone rdata is validated once, at load; not again per query. */
	assert(rdata_names_ok(rd, rdlen, p, names));
	wire_wr_bytes(w, rd, p);
	for (int i = 0; i < names; i++) {
		name_write(w, c, rd + p);
		p += name_len(rd + p);
	}
	wire_wr_bytes(w, rd + p, rdlen - p);
}

/* Write every record of one plan entry. Returns the records written, or 0
 * with w->err set when it did not fit (the caller rolls back). */
static unsigned rrset_write(wire_wr_t *w, comp_t *c, const plan_rr_t *prr)
{
	const rrset_t *rs = prr->rrset;
	uint32_t ttl = prr->ttl == PLAN_TTL_ZONE ? rs->ttl : prr->ttl;
	uint32_t it = 0;
	const uint8_t *rd;
	uint16_t rdlen;
	unsigned n = 0;
	/* Type, class, TTL and an RDLENGTH patched below: the same 10 bytes
	 * for every record of the RRset, written with one bounds check. */
	uint8_t fixed[10];
	wire_put16(fixed, rs->type);
	wire_put16(fixed + 2, CLASS_IN);
	wire_put32(fixed + 4, ttl);
	wire_put16(fixed + 8, 0);
	while (rrset_next(rs, &it, &rd, &rdlen)) {
		if (prr->owner)
			name_write(w, c, prr->owner);
		else
			/* The question's name or a suffix of it. */
			wire_wr_u16(w, (uint16_t)(0xC000 | (DNS_HEADER_LEN + prr->qskip)));
		wire_wr_bytes(w, fixed, sizeof(fixed));
		size_t lenpos = w->pos - 2;
		rdata_write(w, c, rs->type, rd, rdlen);
		if (w->err)
			return 0;
		wire_put16(w->buf + lenpos, (uint16_t)(w->pos - lenpos - 2));
		n++;
	}
	return n;
}

/* Header and question; the counts are patched at the end. Each piece is
 * one bounded write: a piece that does not fit fails the whole response. */
static void head_write(wire_wr_t *w, comp_t *c, const query_t *q, uint16_t flags)
{
	uint8_t h[DNS_HEADER_LEN] = { 0 };
	wire_put16(h, q->id);
	wire_put16(h + 2, flags);
	wire_put16(h + 4, q->has_question ? 1 : 0);
	wire_wr_bytes(w, h, sizeof(h));
	if (q->has_question) {
		size_t at = w->pos;
		/* Echoed exactly as received, the client's case included (0x20). */
		wire_wr_bytes(w, q->qname, q->qname_len);
		uint8_t tc[4];
		wire_put16(tc, q->qtype);
		wire_put16(tc + 2, q->qclass);
		wire_wr_bytes(w, tc, sizeof(tc));
		if (!w->err && c)
			c->qname = c->qname_rolled = q->qname, c->qoff = at;
	}
}

static uint16_t flags_base(const query_t *q, uint16_t rcode)
{
	return (uint16_t)(DNS_QR | (q->flags & (0xF << 11)) | (q->flags & (DNS_RD | DNS_CD)) |
			  (rcode & 0xF));
}

/* OPT (RFC 6891 6.1): our payload size, extended rcode, version 0, DO
 * echoed (RFC 3225 3), and the one option glued sends, an Extended DNS
 * Error (RFC 8914 2), when ede is set. */
static void opt_write(wire_wr_t *w, const query_t *q, uint16_t rcode, const ede_t *ede)
{
	uint8_t o[OPT_RR_LEN + EDE_OPTION_HDR];
	unsigned elen = ede_option_len(ede);
	o[0] = 0; /* the root */
	wire_put16(o + 1, RR_OPT);
	wire_put16(o + 3, EDNS_ADVERTISED);
	wire_put32(o + 5, (uint32_t)((rcode >> 4) & 0xFF) << 24 | (q->do_bit ? 0x8000u : 0));
	wire_put16(o + 9, (uint16_t)elen);
	if (elen == 0) {
		wire_wr_bytes(w, o, OPT_RR_LEN);
		return;
	}
	wire_put16(o + OPT_RR_LEN, EDE_OPTION_CODE);
	wire_put16(o + OPT_RR_LEN + 2, (uint16_t)(elen - 4));
	wire_put16(o + OPT_RR_LEN + 4, ede->code);
	wire_wr_bytes(w, o, sizeof(o));
	wire_wr_bytes(w, ede->text, ede->textlen);
}

/* What the explanation says of the EDE: sent only with the OPT. */
static void ede_explain(explain_t *ex, const query_t *q, const ede_t *ede, bool sent)
{
	ex->ede_sent = sent && q->edns && ede != NULL && ede->set;
	ex->ede = ex->ede_sent ? ede->code : 0;
}

size_t encode_response(const query_t *q, const plan_t *plan, uint8_t *out, size_t limit,
		       explain_t *ex)
{
	size_t reserve = q->edns ? OPT_RR_LEN + ede_option_len(&plan->ede) : 0;
	uint16_t flags = flags_base(q, plan->rcode);
	if (plan->aa)
		flags |= DNS_AA;
	if (limit > ENCODE_LIMIT_MAX)
		limit = ENCODE_LIMIT_MAX;

	wire_wr_t w;
	comp_t c;
	comp_init(&c);
	wire_wr_init(&w, out, limit > reserve ? limit - reserve : 0);
	head_write(&w, &c, q, flags);
	if (w.err)
		return 0;

	uint16_t count[3] = { 0, 0, 0 };
	unsigned nsig = 0, nnsec = 0;
	uint8_t tc = TC_NONE;
	/* Truncation "always": header, question and OPT only, TC set, so the
	 * client has to come back over TCP. */
	uint16_t nplan = plan->n;
	if (plan->truncation == TRUNC_ALWAYS) {
		nplan = 0;
		tc = TC_ALWAYS;
		flags |= DNS_TC;
		for (uint16_t j = 0; ex && j < plan->n && j < PLAN_MAX; j++) {
			int8_t k = plan->rr[j].ns_index;
			if (plan->rr[j].section == SEC_ADDITIONAL && k >= 0 && k < ex->nns)
				ex->ns[k].fate = FATE_SIZE;
		}
	}
	bool legacy = plan->truncation == TRUNC_LEGACY;
	/* The last RRset written whose RRSIGs follow it: where it began and
	 * what it counted, so that it leaves with RRSIGs that do not fit. */
	struct {
		size_t pos;
		unsigned cn, n;
		bool nsec;
	} prev = { 0, 0, 0, false };
	const bool signs = plan->sigs;
	for (uint16_t i = 0; i < nplan && i < PLAN_MAX; i++) {
		const plan_rr_t *prr = &plan->rr[i];
		if (!prr->rrset || prr->rrset->count == 0 || prr->section > SEC_ADDITIONAL)
			continue;
		size_t mark = w.pos;
		unsigned cmark = c.n;
		unsigned n = rrset_write(&w, &c, prr);
		if (!w.err) {
			count[prr->section] = (uint16_t)(count[prr->section] + n);
			uint16_t t = prr->rrset->type;
			if (t == RR_RRSIG)
				nsig += n;
			else if (t == RR_NSEC || t == RR_NSEC3)
				nnsec += n;
			/* Its RRSIGs come next: remember where it began. */
			if (signs && i + 1 < nplan && plan->rr[i + 1].sig)
				prev.pos = mark, prev.cn = cmark, prev.n = n,
				prev.nsec = t == RR_NSEC || t == RR_NSEC3;
			continue;
		}
		/* Roll the whole RRset back; in ANSWER and AUTHORITY the RRset
		 * its RRSIGs belong to goes with them (RFC 4035 3.1.1: the
		 * signatures go in with their RRset, or TC is set). */
		w.pos = mark, w.err = 0;
		comp_rollback(&c, cmark);
		if (prr->sig && prr->section != SEC_ADDITIONAL && prev.n > 0) {
			w.pos = prev.pos;
			comp_rollback(&c, prev.cn);
			count[prr->section] = (uint16_t)(count[prr->section] - prev.n);
			if (prev.nsec)
				nnsec -= prev.n;
		}
		if (prr->section == SEC_ADDITIONAL && (!prr->required || legacy)) {
			/* Optional glue may be left out without TC (RFC 9471
			 * 3.2); a smaller RRset later may still fit. Legacy
			 * truncation treats required glue the same way: the
			 * pre-RFC 9471 behaviour behind real outages. */
			if (ex && prr->required)
				ex->legacy_dropped = true;
			if (ex && prr->ns_index >= 0 && prr->ns_index < ex->nns &&
			    prr->ns_index < EXPLAIN_MAX_NS)
				ex->ns[prr->ns_index].fate = FATE_SIZE;
			/* Its RRSIGs stay out with it. */
			while (i + 1 < nplan && i + 1 < PLAN_MAX && plan->rr[i + 1].sig)
				i++;
			continue;
		}
		/* ANSWER/AUTHORITY data or in-domain glue: the client must
		 * retry over TCP (RFC 9471 3.1). Stop here. */
		tc = prr->section == SEC_ADDITIONAL ? TC_REQUIRED_GLUE : TC_SIZE;
		/* This RRset and every glue RRset after it stay out. */
		for (uint16_t j = i; ex && j < plan->n && j < PLAN_MAX; j++) {
			int8_t k = plan->rr[j].ns_index;
			if (plan->rr[j].section == SEC_ADDITIONAL && k >= 0 && k < ex->nns &&
			    k < EXPLAIN_MAX_NS)
				ex->ns[k].fate = FATE_SIZE;
		}
		flags |= DNS_TC;
		break;
	}

	if (q->edns) {
		w.cap = limit;
		opt_write(&w, q, plan->rcode, &plan->ede);
		count[SEC_ADDITIONAL]++;
	}
	wire_put16(out + 2, flags);
	wire_put16(out + 6, count[SEC_ANSWER]);
	wire_put16(out + 8, count[SEC_AUTHORITY]);
	wire_put16(out + 10, count[SEC_ADDITIONAL]);

	if (ex) {
		ex->tc = tc;
		ex->flags = flags;
		ex->rcode = plan->rcode;
		memcpy(ex->count, count, sizeof(count));
		ex->rrsigs = (uint16_t)nsig;
		ex->nsecs = (uint16_t)nnsec;
		ex->size = (uint16_t)w.pos;
		ex->limit = (uint16_t)limit;
		ede_explain(ex, q, &plan->ede, true);
	}
	return w.pos;
}

size_t encode_error(const query_t *q, uint16_t rcode, const ede_t *ede, uint8_t *out, size_t limit,
		    explain_t *ex)
{
	size_t reserve = q->edns ? OPT_RR_LEN + ede_option_len(ede) : 0;
	if (limit > ENCODE_LIMIT_MAX)
		limit = ENCODE_LIMIT_MAX;
	uint16_t flags = flags_base(q, rcode);
	uint16_t arcount = 0;
	wire_wr_t w;
	wire_wr_init(&w, out, limit > reserve ? limit - reserve : 0);
	head_write(&w, NULL, q, flags);
	if (!w.err && q->edns) {
		w.cap = limit;
		opt_write(&w, q, rcode, ede);
		arcount = 1;
		wire_put16(out + 10, arcount);
	}
	size_t n = w.err ? 0 : w.pos;
	if (ex) {
		/* An error response has no records but the OPT, and is never
		 * truncated: what does not fit is not sent at all. */
		ex->tc = TC_NONE;
		ex->flags = n > 0 ? flags : 0;
		ex->count[SEC_ANSWER] = 0;
		ex->count[SEC_AUTHORITY] = 0;
		ex->count[SEC_ADDITIONAL] = n > 0 ? arcount : 0;
		ex->rrsigs = ex->nsecs = 0;
		ex->size = (uint16_t)n;
		ex->limit = (uint16_t)limit;
		ede_explain(ex, q, ede, n > 0);
	}
	return n;
}

/* ---- messages written record by record (zone transfers) ------------------------- */

struct encode_msg {
	wire_wr_t w;
	comp_t c;
	const query_t *q;
	uint8_t *out;
	size_t limit;
	uint16_t flags;
	uint16_t rcode;
	uint16_t an;
	bool opt;
	unsigned keep; /* compression entries kept when the table fills */
};

encode_msg_t *encode_msg_new(void) { return malloc(sizeof(encode_msg_t)); }

void encode_msg_free(encode_msg_t *m) { free(m); }

void encode_msg_begin(encode_msg_t *m, const query_t *q, uint16_t rcode, bool aa, bool question,
		      size_t reserve, uint8_t *out, size_t limit)
{
	if (limit > ENCODE_LIMIT_MAX)
		limit = ENCODE_LIMIT_MAX;
	m->q = q;
	m->out = out;
	m->limit = limit;
	m->rcode = rcode;
	m->an = 0;
	m->keep = 0;
	m->opt = q->edns;
	m->flags = flags_base(q, rcode);
	if (aa)
		m->flags |= DNS_AA;
	if (m->opt)
		reserve += OPT_RR_LEN;
	comp_init(&m->c);
	wire_wr_init(&m->w, out, limit > reserve ? limit - reserve : 0);
	query_t noq;
	if (!question) {
		noq = *q;
		noq.has_question = false;
		q = &noq;
	}
	head_write(&m->w, question ? &m->c : NULL, q, m->flags);
	if (!question)
		m->c.qname = NULL;
}

bool encode_msg_rr(encode_msg_t *m, const uint8_t *owner, uint16_t type, uint32_t ttl,
		   const uint8_t *rd, uint16_t rdlen)
{
	wire_wr_t *w = &m->w;
	if (w->err || m->an == 0xFFFF)
		return false;
	/* Records come in zone order: the names of the last few are the ones
	 * worth pointing at. When the table is nearly full, forget all but
	 * the first record's (the apex, in a transfer). */
	if (m->an > 0 && m->c.n + NAME_MAXLABELS / 8 > COMP_MAX)
		comp_rollback(&m->c, m->keep);
	size_t mark = w->pos;
	unsigned cmark = m->c.n;
	name_write(w, &m->c, owner);
	uint8_t fixed[10];
	wire_put16(fixed, type);
	wire_put16(fixed + 2, CLASS_IN);
	wire_put32(fixed + 4, ttl);
	wire_put16(fixed + 8, 0);
	wire_wr_bytes(w, fixed, sizeof(fixed));
	size_t lenpos = w->pos - 2;
	rdata_write(w, &m->c, type, rd, rdlen);
	if (w->err) {
		w->pos = mark, w->err = 0;
		comp_rollback(&m->c, cmark);
		return false;
	}
	wire_put16(w->buf + lenpos, (uint16_t)(w->pos - lenpos - 2));
	if (m->an++ == 0)
		m->keep = m->c.n;
	return true;
}

uint16_t encode_msg_count(const encode_msg_t *m) { return m->an; }

size_t encode_msg_end(encode_msg_t *m)
{
	wire_wr_t *w = &m->w;
	if (w->err)
		return 0;
	uint16_t ar = 0;
	if (m->opt) {
		w->cap = m->limit;
		opt_write(w, m->q, m->rcode, NULL);
		ar = 1;
	}
	if (w->err)
		return 0;
	wire_put16(m->out + 2, m->flags);
	wire_put16(m->out + 6, m->an);
	wire_put16(m->out + 10, ar);
	return w->pos;
}
