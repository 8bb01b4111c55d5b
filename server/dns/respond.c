/*
 * respond.c -- request bytes -> response bytes: parse, judge, plan, encode.
 */
#include "dns/respond.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "dns/encode.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/zone.h"

/* An error response: respond decides its kind, rcode and EDE (may be
 * NULL), the encoder fills in what it wrote. */
static size_t respond_error(const query_t *q, uint16_t rcode, const ede_t *ede, uint8_t kind,
			    uint8_t *out, size_t limit, explain_t *ex)
{
	memset(ex, 0, sizeof(*ex));
	ex->kind = kind;
	ex->rcode = (uint8_t)rcode;
	return encode_error(q, rcode, ede, out, limit, ex);
}

/* A request parsed into a query_t, to be answered from zs. */
typedef struct parsed {
	const zoneset_t *zs;
	int verdict;        /* query_parse's */
	bool zone_known;    /* zone and zi are zoneset_find_at's answer */
	const zone_t *zone; /* (NULL: no zone) */
	size_t zi;
} parsed_t;

/* respond() after the parse: the zone of the question is known when
 * p->zone_known, else looked up here. */
static size_t respond_parsed(const parsed_t *p, const query_t *q, bool tcp, uint8_t *out,
			     explain_t *ex)
{
	const zoneset_t *zs = p->zs;
	int verdict = p->verdict;
	explain_t lex;
	if (!ex)
		ex = &lex;
	if (verdict == QUERY_DROP) {
		memset(ex, 0, sizeof(*ex));
		return 0;
	}
	size_t limit = tcp ? RESPOND_MAX : query_udp_limit(q);
	if (verdict == QUERY_ERROR)
		return respond_error(q, q->rcode, NULL, ANSWER_ERROR, out, limit, ex);

	/* Only class IN is served. QCLASS ANY (RFC 1035 3.2.5) matches IN
	 * data, so it is answered like IN, as NSD does. CH is REFUSED: glued
	 * has no server names (NSD answers CH version.bind/id.server, and
	 * REFUSES CH for other names, HS, NONE and the rest, with EDE 21 Not
	 * Supported, RFC 8914 4.22). */
	if (q->qclass != CLASS_IN && q->qclass != CLASS_ANY) {
		const ede_t ede = EDE_CODE(EDE_NOT_SUPPORTED);
		return respond_error(q, RCODE_REFUSED, &ede, ANSWER_REFUSED, out, limit, ex);
	}

	const zone_t *z = p->zone;
	size_t zi = p->zi;
	if (!p->zone_known)
		z = zoneset_find_at(zs, q->lname, &zi);

	/*
	 * Meta types. Zone transfers are not offered, and glued answers them
	 * as NSD 4.6 without provide-xfr does, over UDP and TCP alike: AXFR
	 * over UDP is NOTIMP (AXFR is TCP-only, RFC 5936 4.2); otherwise an
	 * AXFR or IXFR of a zone served here (the name is its apex) is
	 * REFUSED with EDE 18 Prohibited (RFC 8914 4.19), and of any other
	 * name NOTAUTH (RFC 2136 2.2: not authoritative for the zone named),
	 * IXFR over UDP (RFC 1995 2) included. (Knot 3.2 says NOTAUTH for
	 * every name, its zones' apexes too.)
	 * MAILA, MAILB, TSIG, TKEY, OPT and other types in 128..254 are plain
	 * lookups in NSD (NODATA at an existing name), so answer_plan gets
	 * them like any type; ANY is answer_plan's business (RFC 8482).
	 */
	if (q->qtype == RR_AXFR || q->qtype == RR_IXFR) {
		if (q->qtype == RR_AXFR && !tcp)
			return respond_error(q, RCODE_NOTIMP, NULL, ANSWER_ERROR, out, limit, ex);
		if (z == NULL || !name_equal(q->lname, zone_origin(z)))
			return respond_error(q, RCODE_NOTAUTH, NULL, ANSWER_ERROR, out, limit, ex);
		const ede_t ede = EDE_CODE(EDE_PROHIBITED);
		size_t n = respond_error(q, RCODE_REFUSED, &ede, ANSWER_REFUSED, out, limit, ex);
		ex->zone = zone_origin(z);
		return n;
	}

	plan_t plan;
	answer_plan_in(zs, q, tcp, z, zi, &plan, ex);
	/* An answer to QCLASS ANY is never authoritative: the server cannot
	 * know it holds every class (RFC 1034 3.7.1, RFC 1035 6.2). */
	if (q->qclass == CLASS_ANY)
		plan.aa = false;
	if (plan.drop)
		return 0;
	return encode_response(q, &plan, out, limit, ex);
}

size_t respond(const zoneset_t *zs, const uint8_t *req, size_t len, bool tcp, uint8_t *out,
	       query_t *q, explain_t *ex)
{
	query_t lq;
	if (!q)
		q = &lq;
	parsed_t p = { .zs = zs, .verdict = query_parse(req, len, q), .zone_known = false };
	return respond_parsed(&p, q, tcp, out, ex);
}

/*
 * The batch. Each entry is one request, parsed, with its zone picked and
 * its lookup being prefetched (zone_pf_t: hints only, nothing is decided
 * from them).
 */

/* Entries between an entry's prefetch steps while the batch is added:
 * entry k steps entries k - 3 and k - 6 on. */
#define RESPOND_PF_DISTANCE 3

typedef struct batch_entry {
	parsed_t p;
	zone_pf_t pf;
	query_t q;
} batch_entry_t;

struct respond_batch {
	unsigned n;
	batch_entry_t e[RESPOND_BATCH_MAX];
};

respond_batch_t *respond_batch_new(void)
{
	respond_batch_t *b = malloc(sizeof(*b));
	if (b != NULL)
		b->n = 0;
	return b;
}

void respond_batch_free(respond_batch_t *b) { free(b); }

unsigned respond_batch_add(respond_batch_t *b, const zoneset_t *zs, const uint8_t *req, size_t len)
{
	assert(b->n < RESPOND_BATCH_MAX);
	unsigned k = b->n++;
	batch_entry_t *e = &b->e[k];
	e->p.zs = zs;
	e->p.verdict = query_parse(req, len, &e->q);
	e->p.zone_known = false;
	e->pf.stage = 0;
	if (e->p.verdict == QUERY_OK) {
		e->p.zone = zoneset_find_at(zs, e->q.lname, &e->p.zi);
		e->p.zone_known = true;
		if (e->p.zone)
			zone_pf_start(&e->pf, e->p.zone, e->q.lname, e->q.qname_len);
	}
	/* Software pipelining: the entries added a few requests earlier
	 * take their next step now. */
	if (k >= RESPOND_PF_DISTANCE) {
		zone_pf_step(&e[-RESPOND_PF_DISTANCE].pf);
		if (k >= 2 * RESPOND_PF_DISTANCE)
			zone_pf_step(&e[-2 * RESPOND_PF_DISTANCE].pf);
	}
	return k;
}

unsigned respond_batch_count(const respond_batch_t *b) { return b->n; }

void respond_batch_finish(respond_batch_t *b)
{
	unsigned n = b->n;
	for (int step = 0; step < ZONE_PF_STEPS; step++)
		for (unsigned i = 0; i < n; i++)
			zone_pf_step(&b->e[i].pf);
}

size_t respond_batch_answer(const respond_batch_t *b, unsigned i, uint8_t *out, explain_t *ex)
{
	assert(i < b->n);
	const batch_entry_t *e = &b->e[i];
	return respond_parsed(&e->p, &e->q, false, out, ex);
}

const query_t *respond_batch_query(const respond_batch_t *b, unsigned i)
{
	assert(i < b->n);
	return &b->e[i].q;
}

void respond_batch_clear(respond_batch_t *b) { b->n = 0; }
