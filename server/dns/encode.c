/*
 * encode.c -- plan -> response bytes: name compression, size limit, TC rules.
 *
 * One pass over the plan; every RRset is written whole or rolled back. The
 * OPT record's 11 bytes are reserved before anything else so that it always
 * fits, whatever else is cut (RFC 6891 7: a truncated answer keeps its OPT).
 */
#include "dns/encode.h"

#include <string.h>

#include "dns/rdata.h"
#include "dns/wire.h"

#define OPT_RR_LEN 11      /* root, type, class, ttl, rdlen */
#define COMP_MAX 64        /* names remembered for compression */
#define COMP_PTR_MAX 0x3FFF /* largest offset a pointer can hold */
#define COMP_MAX_HOPS 64   /* bound on pointer hops while comparing */
#define ENCODE_LIMIT_MAX 65535 /* a DNS message is at most this long */

/* Offsets of names (and name suffixes) already in the output. */
typedef struct comp {
	uint16_t off[COMP_MAX];
	uint8_t labels[COMP_MAX]; /* label count of the name at off */
	unsigned n;
} comp_t;

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

static void comp_add(comp_t *c, size_t off, int labels)
{
	if (c->n < COMP_MAX && off <= COMP_PTR_MAX)
		c->off[c->n] = (uint16_t)off, c->labels[c->n] = (uint8_t)labels, c->n++;
}

/* Remember every suffix of the uncompressed name just written at off. */
static void comp_add_name(comp_t *c, const uint8_t *name, size_t off)
{
	int labels = name_labels(name);
	for (const uint8_t *p = name; *p; p += 1 + *p, labels--)
		comp_add(c, off + (size_t)(p - name), labels);
}

/*
 * Write name (uncompressed wire form) at the cursor: its labels up to the
 * longest suffix already in the output, then a pointer to that suffix.
 */
static void name_write(wire_wr_t *w, comp_t *c, const uint8_t *name)
{
	int labels = name_labels(name);
	const uint8_t *s = name;
	int match = -1;
	for (int left = labels; left > 0 && match < 0; left--, s += 1 + *s) {
		for (unsigned i = 0; i < c->n; i++) {
			if (c->labels[i] == left && comp_match(w->buf, c->off[i], s)) {
				match = (int)c->off[i];
				break;
			}
		}
		if (match >= 0)
			break;
	}
	/* s now points at the matched suffix, or at the root label. */
	for (const uint8_t *p = name; p < s; p += 1 + *p, labels--) {
		size_t at = w->pos;
		wire_wr_bytes(w, p, 1u + *p);
		if (w->err)
			return;
		comp_add(c, at, labels);
	}
	if (match >= 0)
		wire_wr_u16(w, (uint16_t)(0xC000 | match));
	else
		wire_wr_u8(w, 0);
}

/*
 * Names inside rdata are compressed only for the RFC 1035 types (RFC 3597
 * 4); everything else, SRV and DNAME included, is copied as it is. Returns
 * the offset of the first name and how many follow it (MX: the name after
 * the preference; SOA: two names, then the 20 fixed bytes), or 0 names.
 */
static int rdata_names(uint16_t type, size_t *first)
{
	*first = 0;
	switch (type) {
	case RR_NS: case RR_MD: case RR_MF: case RR_CNAME: case RR_MB: case RR_MG:
	case RR_MR: case RR_PTR:
		return 1;
	case RR_SOA: case RR_MINFO:
		return 2;
	case RR_MX:
		*first = 2;
		return 1;
	default:
		return 0;
	}
}

static void rdata_write(wire_wr_t *w, comp_t *c, uint16_t type, const uint8_t *rd,
			uint16_t rdlen)
{
	size_t p;
	int names = rdata_names(type, &p);
	if (names == 0 || p > rdlen) {
		wire_wr_bytes(w, rd, rdlen);
		return;
	}
	/* Zone data is checked at load; still never read past rdlen. */
	size_t q = p;
	for (int i = 0; i < names; i++) {
		int n = name_check(rd + q, rdlen - q);
		if (n < 0) {
			wire_wr_bytes(w, rd, rdlen);
			return;
		}
		q += (size_t)n;
	}
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
	while (rrset_next(rs, &it, &rd, &rdlen)) {
		if (prr->owner)
			name_write(w, c, prr->owner);
		else
			wire_wr_u16(w, 0xC000 | DNS_HEADER_LEN); /* the question name */
		wire_wr_u16(w, rs->type);
		wire_wr_u16(w, CLASS_IN);
		wire_wr_u32(w, ttl);
		size_t lenpos = w->pos;
		wire_wr_u16(w, 0);
		rdata_write(w, c, rs->type, rd, rdlen);
		if (w->err)
			return 0;
		wire_put16(w->buf + lenpos, (uint16_t)(w->pos - lenpos - 2));
		n++;
	}
	return n;
}

/* Header and question; the counts are patched at the end. */
static void head_write(wire_wr_t *w, comp_t *c, const query_t *q, uint16_t flags)
{
	wire_wr_u16(w, q->id);
	wire_wr_u16(w, flags);
	wire_wr_u16(w, q->has_question ? 1 : 0);
	wire_wr_u16(w, 0);
	wire_wr_u16(w, 0);
	wire_wr_u16(w, 0);
	if (q->has_question) {
		size_t at = w->pos;
		/* Echoed exactly as received, the client's case included (0x20). */
		wire_wr_bytes(w, q->qname, q->qname_len);
		wire_wr_u16(w, q->qtype);
		wire_wr_u16(w, q->qclass);
		if (!w->err && c)
			comp_add_name(c, q->qname, at);
	}
}

static uint16_t flags_base(const query_t *q, uint16_t rcode)
{
	return (uint16_t)(DNS_QR | (q->flags & (0xF << 11)) | (q->flags & (DNS_RD | DNS_CD)) |
			  (rcode & 0xF));
}

/* OPT (RFC 6891 6.1): our payload size, extended rcode, version 0, DO
 * echoed (RFC 3225 3), no options. */
static void opt_write(wire_wr_t *w, const query_t *q, uint16_t rcode)
{
	wire_wr_u8(w, 0);
	wire_wr_u16(w, RR_OPT);
	wire_wr_u16(w, EDNS_ADVERTISED);
	wire_wr_u32(w, (uint32_t)((rcode >> 4) & 0xFF) << 24 | (q->do_bit ? 0x8000u : 0));
	wire_wr_u16(w, 0);
}

size_t encode_response(const query_t *q, const plan_t *plan, uint8_t *out, size_t limit,
		       explain_t *ex)
{
	size_t reserve = q->edns ? OPT_RR_LEN : 0;
	uint16_t flags = flags_base(q, plan->rcode);
	if (plan->aa)
		flags |= DNS_AA;
	if (limit > ENCODE_LIMIT_MAX)
		limit = ENCODE_LIMIT_MAX;

	wire_wr_t w;
	comp_t c;
	c.n = 0;
	wire_wr_init(&w, out, limit > reserve ? limit - reserve : 0);
	head_write(&w, &c, q, flags);
	if (w.err)
		return 0;

	uint16_t count[3] = { 0, 0, 0 };
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
	for (uint16_t i = 0; i < nplan && i < PLAN_MAX; i++) {
		const plan_rr_t *prr = &plan->rr[i];
		if (!prr->rrset || prr->rrset->count == 0 || prr->section > SEC_ADDITIONAL)
			continue;
		size_t mark = w.pos;
		unsigned cmark = c.n;
		unsigned n = rrset_write(&w, &c, prr);
		if (!w.err) {
			count[prr->section] = (uint16_t)(count[prr->section] + n);
			continue;
		}
		/* Roll the whole RRset back. */
		w.pos = mark, w.err = 0, c.n = cmark;
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
		opt_write(&w, q, plan->rcode);
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
		ex->size = (uint16_t)w.pos;
		ex->limit = (uint16_t)limit;
	}
	return w.pos;
}

size_t encode_error(const query_t *q, uint16_t rcode, uint8_t *out, size_t limit)
{
	size_t reserve = q->edns ? OPT_RR_LEN : 0;
	if (limit > ENCODE_LIMIT_MAX)
		limit = ENCODE_LIMIT_MAX;
	wire_wr_t w;
	wire_wr_init(&w, out, limit > reserve ? limit - reserve : 0);
	head_write(&w, NULL, q, flags_base(q, rcode));
	if (w.err)
		return 0;
	if (q->edns) {
		w.cap = limit;
		opt_write(&w, q, rcode);
		wire_put16(out + 10, 1);
	}
	return w.err ? 0 : w.pos;
}
