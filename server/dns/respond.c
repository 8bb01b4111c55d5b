/*
 * respond.c -- request bytes -> response bytes: parse, judge, plan, encode.
 */
#include "dns/respond.h"

#include <string.h>

#include "dns/encode.h"
#include "dns/rdata.h"

/* An error response: respond decides its kind and rcode, the encoder
 * fills in what it wrote. */
static size_t respond_error(const query_t *q, uint16_t rcode, uint8_t kind, uint8_t *out,
			    size_t limit, explain_t *ex)
{
	memset(ex, 0, sizeof(*ex));
	ex->kind = kind;
	ex->rcode = (uint8_t)rcode;
	return encode_error(q, rcode, out, limit, ex);
}

/* respond() after the parse: the zone of the question is known when
 * zone_known (z NULL: none), else looked up here. */
static size_t respond_parsed(const zoneset_t *zs, const query_t *q, int verdict, bool zone_known,
			     const zone_t *z, size_t zi, bool tcp, uint8_t *out, explain_t *ex)
{
	explain_t lex;
	if (!ex)
		ex = &lex;
	if (verdict == QUERY_DROP) {
		memset(ex, 0, sizeof(*ex));
		return 0;
	}
	size_t limit = tcp ? RESPOND_MAX : query_udp_limit(q);
	if (verdict == QUERY_ERROR)
		return respond_error(q, q->rcode, ANSWER_ERROR, out, limit, ex);

	/* Only class IN is served. QCLASS ANY (RFC 1035 3.2.5) matches IN
	 * data, so it is answered like IN, as NSD does. CH is REFUSED: glued
	 * has no server names (NSD answers CH version.bind/id.server, and
	 * REFUSES CH for other names, HS, NONE and the rest). */
	if (q->qclass != CLASS_IN && q->qclass != CLASS_ANY)
		return respond_error(q, RCODE_REFUSED, ANSWER_REFUSED, out, limit, ex);

	/*
	 * Meta types. Zone transfers are not offered: NSD 4.6 without
	 * provide-xfr answers AXFR and IXFR over TCP with REFUSED, AXFR over
	 * UDP with NOTIMP (AXFR is TCP-only, RFC 5936 4.2), and IXFR over UDP
	 * with NOTAUTH; we say REFUSED there, which names the real reason.
	 * MAILA, MAILB, TSIG, TKEY, OPT and other types in 128..254 are plain
	 * lookups in NSD (NODATA at an existing name), so answer_plan gets
	 * them like any type; ANY is answer_plan's business (RFC 8482).
	 */
	if (q->qtype == RR_AXFR || q->qtype == RR_IXFR) {
		if (q->qtype == RR_AXFR && !tcp)
			return respond_error(q, RCODE_NOTIMP, ANSWER_ERROR, out, limit, ex);
		return respond_error(q, RCODE_REFUSED, ANSWER_REFUSED, out, limit, ex);
	}

	plan_t plan;
	if (!zone_known)
		z = zoneset_find_at(zs, q->lname, &zi);
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
	int verdict = query_parse(req, len, q);
	return respond_parsed(zs, q, verdict, false, NULL, 0, tcp, out, ex);
}

void respond_prepare(const zoneset_t *zs, const uint8_t *req, size_t len, prepared_t *p)
{
	p->verdict = query_parse(req, len, &p->q);
	p->zone_known = false;
	p->pf.stage = 0;
	if (p->verdict != QUERY_OK)
		return;
	p->zone = zoneset_find_at(zs, p->q.lname, &p->zi);
	p->zone_known = true;
	if (p->zone)
		zone_pf_start(&p->pf, p->zone, p->q.lname, p->q.qname_len);
}

size_t respond_prepared(const zoneset_t *zs, const prepared_t *p, bool tcp, uint8_t *out,
			explain_t *ex)
{
	return respond_parsed(zs, &p->q, p->verdict, p->zone_known, p->zone, p->zi, tcp, out, ex);
}
