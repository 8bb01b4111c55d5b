/*
 * respond.c -- request bytes -> response bytes: parse, judge, plan, encode.
 */
#include "dns/respond.h"

#include <string.h>

#include "dns/encode.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/wire.h"

/* An error response, with the explanation filled from what was written. */
static size_t respond_error(const query_t *q, uint16_t rcode, uint8_t kind, uint8_t *out,
			    size_t limit, explain_t *ex)
{
	size_t n = encode_error(q, rcode, out, limit);
	ex->kind = kind;
	ex->rcode = (uint8_t)rcode;
	ex->tc = TC_NONE;
	ex->limit = (uint16_t)limit;
	ex->size = (uint16_t)n;
	if (n >= DNS_HEADER_LEN) {
		ex->flags = wire_get16(out + 2);
		ex->count[SEC_ANSWER] = wire_get16(out + 6);
		ex->count[SEC_AUTHORITY] = wire_get16(out + 8);
		ex->count[SEC_ADDITIONAL] = wire_get16(out + 10);
	}
	return n;
}

size_t respond(const zoneset_t *zs, const uint8_t *req, size_t len, bool tcp, uint8_t *out,
	       query_t *q, explain_t *ex)
{
	query_t lq;
	explain_t lex;
	if (!q)
		q = &lq;
	if (!ex)
		ex = &lex;
	memset(ex, 0, sizeof(*ex));

	int verdict = query_parse(req, len, q);
	if (verdict == QUERY_DROP)
		return 0;
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
	if (q->qtype == RR_AXFR && !tcp)
		return respond_error(q, RCODE_NOTIMP, ANSWER_ERROR, out, limit, ex);
	if (q->qtype == RR_AXFR || q->qtype == RR_IXFR)
		return respond_error(q, RCODE_REFUSED, ANSWER_REFUSED, out, limit, ex);

	plan_t plan;
	answer_plan(zs, q, tcp, &plan, ex);
	/* An answer to QCLASS ANY is never authoritative: the server cannot
	 * know it holds every class (RFC 1034 3.7.1, RFC 1035 6.2). */
	if (q->qclass == CLASS_ANY)
		plan.aa = false;
	if (plan.drop)
		return 0;
	return encode_response(q, &plan, out, limit, ex);
}

void respond_prefetch(const zoneset_t *zs, const uint8_t *req, size_t len, zone_pf_t *pf)
{
	uint8_t lname[NAME_MAXLEN];
	size_t n = 0, p = DNS_HEADER_LEN;
	pf->stage = 0;
	if (len <= DNS_HEADER_LEN)
		return;
	for (;;) {
		if (p >= len)
			return;
		uint8_t l = req[p];
		if (l > 63 || p + 1u + l > len || n + 1u + l > NAME_MAXLEN)
			return; /* a pointer, a bad label: respond() will say */
		lname[n++] = l;
		if (l == 0)
			break;
		for (uint8_t i = 1; i <= l; i++)
			lname[n++] = name_lower_byte(req[p + i]);
		p += 1u + l;
	}
	const zone_t *z = zoneset_find(zs, lname);
	if (z)
		zone_pf_start(pf, z, lname, n);
}
