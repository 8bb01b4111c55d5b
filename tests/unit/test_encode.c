/*
 * test_encode.c -- encode_response / encode_error on hand-built plans.
 *
 * RRsets are built here from static arrays (no zone loading); every output
 * is decoded again with name_unpack and checked section by section.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "dns/encode.h"
#include "dns/rdata.h"
#include "dns/wire.h"

/* ---- building RRsets and plans ---- */

typedef struct rsb {
	rrset_t rs;
	uint8_t data[2048];
} rsb_t;

static void rsb_init(rsb_t *b, uint16_t type, uint32_t ttl)
{
	memset(&b->rs, 0, sizeof(b->rs));
	b->rs.type = type;
	b->rs.ttl = ttl;
	b->rs.data = b->data;
}

static void rsb_add(rsb_t *b, const void *rd, uint16_t len)
{
	assert_true(b->rs.datalen + 2u + len <= sizeof(b->data));
	wire_put16(b->data + b->rs.datalen, len);
	memcpy(b->data + b->rs.datalen + 2, rd, len);
	b->rs.datalen += 2u + len;
	b->rs.count++;
}

static size_t wname(const char *text, uint8_t *out)
{
	int n = name_from_text(text, strlen(text), NULL, out);
	assert_true(n > 0);
	return (size_t)n;
}

/* A record whose rdata is one name (NS, CNAME, PTR, DNAME). */
static void rsb_add_name(rsb_t *b, const char *text)
{
	uint8_t n[NAME_MAXLEN];
	rsb_add(b, n, (uint16_t)wname(text, n));
}

static void rsb_add_mx(rsb_t *b, uint16_t pref, const char *text)
{
	uint8_t rd[2 + NAME_MAXLEN];
	wire_put16(rd, pref);
	rsb_add(b, rd, (uint16_t)(2 + wname(text, rd + 2)));
}

static void rsb_add_srv(rsb_t *b, const char *target)
{
	uint8_t rd[6 + NAME_MAXLEN];
	wire_put16(rd, 10), wire_put16(rd + 2, 20), wire_put16(rd + 4, 53);
	rsb_add(b, rd, (uint16_t)(6 + wname(target, rd + 6)));
}

static void rsb_add_a(rsb_t *b, uint8_t last)
{
	uint8_t rd[4] = { 192, 0, 2, last };
	rsb_add(b, rd, 4);
}

static void rsb_add_aaaa(rsb_t *b, uint8_t last)
{
	uint8_t rd[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	rd[15] = last;
	rsb_add(b, rd, 16);
}

/* Owner names must outlive the plan: a static pool. */
static uint8_t owners[64][NAME_MAXLEN];
static unsigned nowners;

static const uint8_t *owner(const char *text)
{
	assert_true(nowners < 64);
	wname(text, owners[nowners]);
	return owners[nowners++];
}

static void plan_add(plan_t *p, const char *own, const rrset_t *rs, uint8_t sec, bool req,
		     int8_t ns_index)
{
	assert_true(p->n < PLAN_MAX);
	plan_rr_t *r = &p->rr[p->n++];
	r->owner = own ? owner(own) : NULL;
	r->rrset = rs;
	r->ttl = PLAN_TTL_ZONE;
	r->section = sec;
	r->required = req;
	r->ns_index = ns_index;
}

static void plan_init(plan_t *p, bool aa, uint8_t rcode)
{
	memset(p, 0, sizeof(*p));
	p->aa = aa;
	p->rcode = rcode;
	nowners = 0;
}

static void query_make(query_t *q, const char *qname, uint16_t qtype, uint16_t flags)
{
	memset(q, 0, sizeof(*q));
	q->id = 0x4242;
	q->flags = flags;
	q->opcode = (uint8_t)DNS_OPCODE(flags);
	q->has_question = true;
	q->qname_len = (uint8_t)wname(qname, q->qname);
	name_lower(q->lname, q->qname);
	q->qtype = qtype;
	q->qclass = CLASS_IN;
}

static void query_edns(query_t *q, uint16_t size, bool do_bit)
{
	q->edns = true;
	q->edns_size = size;
	q->do_bit = do_bit;
}

/* ---- decoding responses ---- */

typedef struct drr {
	uint8_t owner[NAME_MAXLEN];
	uint16_t type, cls, rdlen;
	uint32_t ttl;
	size_t rdpos;                  /* offset of the rdata in the message */
	uint8_t rname[2][NAME_MAXLEN]; /* decompressed names inside rdata */
} drr_t;

typedef struct dmsg {
	uint16_t id, flags, qd, count[3];
	uint8_t qname[NAME_MAXLEN];
	size_t qname_wire; /* bytes the question name takes */
	uint16_t qtype, qclass;
	unsigned n;
	drr_t rr[128];
	int opt; /* index of the OPT record, or -1 */
} dmsg_t;

static dmsg_t dm;

/* Decode the whole message; every name through name_unpack (which rejects
 * forward and looping pointers); the message must end exactly. */
static void decode(const uint8_t *m, size_t len, dmsg_t *d)
{
	memset(d, 0, sizeof(*d));
	d->opt = -1;
	assert_true(len >= DNS_HEADER_LEN);
	d->id = wire_get16(m);
	d->flags = wire_get16(m + 2);
	d->qd = wire_get16(m + 4);
	for (int i = 0; i < 3; i++)
		d->count[i] = wire_get16(m + 6 + 2 * i);
	size_t pos = DNS_HEADER_LEN;
	if (d->qd) {
		assert_int_equal(d->qd, 1);
		assert_true(name_unpack(m, len, &pos, d->qname) > 0);
		d->qname_wire = pos - DNS_HEADER_LEN;
		assert_true(pos + 4 <= len);
		d->qtype = wire_get16(m + pos), d->qclass = wire_get16(m + pos + 2);
		pos += 4;
	}
	unsigned total = (unsigned)d->count[0] + d->count[1] + d->count[2];
	assert_true(total <= 128);
	for (unsigned i = 0; i < total; i++) {
		drr_t *r = &d->rr[i];
		assert_true(name_unpack(m, len, &pos, r->owner) > 0);
		assert_true(pos + 10 <= len);
		r->type = wire_get16(m + pos);
		r->cls = wire_get16(m + pos + 2);
		r->ttl = wire_get32(m + pos + 4);
		r->rdlen = wire_get16(m + pos + 8);
		pos += 10;
		r->rdpos = pos;
		assert_true(pos + r->rdlen <= len);
		size_t rp = pos;
		int names = 0;
		switch (r->type) {
		case RR_NS:
		case RR_CNAME:
		case RR_PTR:
			names = 1;
			break;
		case RR_MX:
			rp += 2, names = 1;
			break;
		case RR_SOA:
			names = 2;
			break;
		}
		for (int k = 0; k < names; k++)
			assert_true(name_unpack(m, pos + r->rdlen, &rp, r->rname[k]) > 0);
		if (r->type == RR_SOA)
			rp += 20;
		if (names)
			assert_int_equal(rp, pos + r->rdlen);
		if (r->type == RR_OPT) {
			assert_int_equal(d->opt, -1);
			assert_true(i >= (unsigned)d->count[0] + d->count[1]);
			d->opt = (int)i;
		}
		pos += r->rdlen;
	}
	d->n = total;
	assert_int_equal(pos, len);
}

static void assert_name(const uint8_t *got, const char *text)
{
	uint8_t want[NAME_MAXLEN];
	wname(text, want);
	if (!name_equal(got, want)) {
		char buf[NAME_TEXT_MAX];
		name_to_text(got, buf, sizeof(buf));
		fail_msg("name %s, expected %s", buf, text);
	}
}

static uint8_t out[65535];

/* ---- fixtures ---- */

static rsb_t rs_a, rs_ns, rs_soa, rs_mx, rs_srv, rs_glue_a;

/* ---- tests ---- */

static void test_header_bits(void **state)
{
	query_t q;
	plan_t p;
	explain_t ex;
	memset(&ex, 0, sizeof(ex));
	query_make(&q, "www.example.", RR_A, DNS_RD | DNS_CD | DNS_AD | DNS_AA | DNS_RA);
	rsb_init(&rs_a, RR_A, 300);
	rsb_add_a(&rs_a, 1);
	plan_init(&p, true, RCODE_NOERROR);
	plan_add(&p, NULL, &rs_a.rs, SEC_ANSWER, false, -1);
	size_t n = encode_response(&q, &p, out, 512, &ex);
	decode(out, n, &dm);
	assert_int_equal(dm.id, 0x4242);
	/* QR, AA from the plan, RD and CD copied; AD, RA never. */
	assert_int_equal(dm.flags, DNS_QR | DNS_AA | DNS_RD | DNS_CD);
	assert_int_equal(ex.flags, dm.flags);
	assert_int_equal(dm.qd, 1);
	assert_int_equal(dm.count[0], 1);
	assert_int_equal(ex.count[0], 1);
	assert_int_equal(ex.size, n);
	assert_int_equal(ex.limit, 512);
	assert_int_equal(ex.tc, TC_NONE);
	assert_int_equal(dm.rr[0].ttl, 300);
	assert_int_equal(dm.rr[0].cls, CLASS_IN);
	/* The owner is a pointer to the question. */
	assert_int_equal(out[dm.rr[0].rdpos - 12], 0xC0);
	assert_int_equal(out[dm.rr[0].rdpos - 11], 12);

	/* NXDOMAIN without AA, no RD; a TTL override. */
	query_make(&q, "www.example.", RR_A, 0);
	plan_init(&p, false, RCODE_NXDOMAIN);
	plan_add(&p, NULL, &rs_a.rs, SEC_AUTHORITY, false, -1);
	p.rr[0].ttl = 60;
	n = encode_response(&q, &p, out, 512, &ex);
	decode(out, n, &dm);
	assert_int_equal(dm.flags, DNS_QR | RCODE_NXDOMAIN);
	assert_int_equal(dm.count[1], 1);
	assert_int_equal(dm.rr[0].ttl, 60);
	assert_int_equal(ex.rcode, RCODE_NXDOMAIN);

	/* The opcode is echoed (encode_error path: NOTIMP for opcode 2). */
	query_make(&q, "www.example.", RR_A, 2 << 11 | DNS_RD);
	n = encode_error(&q, RCODE_NOTIMP, NULL, out, 512, NULL);
	decode(out, n, &dm);
	assert_int_equal(dm.flags, DNS_QR | 2 << 11 | DNS_RD | RCODE_NOTIMP);
}

static void test_question_case(void **state)
{
	query_t q;
	plan_t p;
	query_make(&q, "WwW.eXaMpLe.", RR_MX, 0);
	rsb_init(&rs_a, RR_A, 300);
	rsb_add_a(&rs_a, 1);
	plan_init(&p, true, 0);
	plan_add(&p, "www.example.", &rs_a.rs, SEC_ANSWER, false, -1);
	size_t n = encode_response(&q, &p, out, 512, NULL);
	decode(out, n, &dm);
	assert_memory_equal(out + 12, "\3WwW\7eXaMpLe\0", 13);
	assert_int_equal(dm.qtype, RR_MX);
	assert_int_equal(dm.qclass, CLASS_IN);
	assert_name(dm.rr[0].owner, "www.example.");
	/* The owner compressed to a pointer to the question. */
	assert_int_equal(n, 12 + 13 + 4 + 2 + 10 + 4);
}

static void test_compression(void **state)
{
	query_t q;
	plan_t p;
	explain_t ex;
	memset(&ex, 0, sizeof(ex));
	query_make(&q, "www.Example.", RR_MX, DNS_RD);
	rsb_init(&rs_mx, RR_MX, 3600);
	rsb_add_mx(&rs_mx, 10, "mail.example.");
	rsb_add_mx(&rs_mx, 20, "mail.other.test.");
	rsb_init(&rs_ns, RR_NS, 86400);
	rsb_add_name(&rs_ns, "ns1.example.");
	rsb_add_name(&rs_ns, "ns.other.test.");
	rsb_add_name(&rs_ns, "example.");
	rsb_init(&rs_soa, RR_SOA, 3600);
	{
		uint8_t rd[2 * NAME_MAXLEN + 20];
		size_t l = wname("ns1.example.", rd);
		l += wname("hostmaster.example.", rd + l);
		for (int i = 0; i < 20; i++)
			rd[l++] = (uint8_t)i;
		rsb_add(&rs_soa, rd, (uint16_t)l);
	}
	rsb_init(&rs_glue_a, RR_A, 3600);
	rsb_add_a(&rs_glue_a, 53);
	plan_init(&p, true, 0);
	plan_add(&p, NULL, &rs_mx.rs, SEC_ANSWER, false, -1);
	plan_add(&p, "example.", &rs_ns.rs, SEC_AUTHORITY, false, -1);
	plan_add(&p, "example.", &rs_soa.rs, SEC_AUTHORITY, false, -1);
	plan_add(&p, "ns1.example.", &rs_glue_a.rs, SEC_ADDITIONAL, false, -1);
	plan_add(&p, "mail.other.test.", &rs_glue_a.rs, SEC_ADDITIONAL, false, -1);
	size_t n = encode_response(&q, &p, out, 512, &ex);
	decode(out, n, &dm);
	assert_int_equal(dm.count[0], 2);
	assert_int_equal(dm.count[1], 4);
	assert_int_equal(dm.count[2], 2);
	assert_int_equal(ex.count[1], 4);
	assert_name(dm.rr[0].owner, "www.example.");
	assert_name(dm.rr[0].rname[0], "mail.example.");
	assert_int_equal(wire_get16(out + dm.rr[0].rdpos), 10);
	assert_name(dm.rr[1].rname[0], "mail.other.test.");
	assert_int_equal(wire_get16(out + dm.rr[1].rdpos), 20);
	assert_name(dm.rr[2].owner, "example.");
	assert_name(dm.rr[2].rname[0], "ns1.example.");
	assert_name(dm.rr[3].rname[0], "ns.other.test.");
	assert_name(dm.rr[4].rname[0], "example.");
	assert_name(dm.rr[5].owner, "example.");
	assert_name(dm.rr[5].rname[0], "ns1.example.");
	assert_name(dm.rr[5].rname[1], "hostmaster.example.");
	assert_memory_equal(out + dm.rr[5].rdpos + dm.rr[5].rdlen - 20,
			    "\0\1\2\3\4\5\6\7\10\11\12\13\14\15\16\17\20\21\22\23", 20);
	assert_name(dm.rr[6].owner, "ns1.example.");
	assert_name(dm.rr[7].owner, "mail.other.test.");

	/* Compressed where possible: "mail" + pointer, NS "example." is a
	 * bare pointer (rdlen 2), glue owners are bare pointers. */
	assert_int_equal(dm.rr[0].rdlen, 2 + 5 + 2);
	assert_int_equal(dm.rr[4].rdlen, 2);
	assert_int_equal(out[dm.rr[6].rdpos - 10 - 2] & 0xC0, 0xC0);
	assert_int_equal(out[dm.rr[7].rdpos - 10 - 2] & 0xC0, 0xC0);
	/* Only the first occurrence of example. is spelled out: in the
	 * question, in the client's case. */
	unsigned spelled = 0;
	for (size_t i = 0; i + 7 <= n; i++)
		if (memcmp(out + i, "example", 7) == 0 || memcmp(out + i, "Example", 7) == 0)
			spelled++;
	assert_int_equal(spelled, 1);
}

static void test_root_and_deep_names(void **state)
{
	query_t q;
	plan_t p;
	/* The root as a name in rdata and as an owner; a 255-byte name. */
	char deep[300];
	strcpy(deep, "");
	for (int i = 0; i < 3; i++)
		strcat(deep, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.");
	strcat(deep, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.");
	query_make(&q, ".", RR_NS, 0);
	rsb_init(&rs_ns, RR_NS, 1);
	rsb_add_name(&rs_ns, ".");
	rsb_add_name(&rs_ns, deep);
	rsb_add_name(&rs_ns, deep);
	plan_init(&p, true, 0);
	plan_add(&p, ".", &rs_ns.rs, SEC_ANSWER, false, -1);
	plan_add(&p, deep, &rs_ns.rs, SEC_ANSWER, false, -1);
	size_t n = encode_response(&q, &p, out, 65535, NULL);
	decode(out, n, &dm);
	assert_int_equal(dm.count[0], 6);
	assert_name(dm.rr[0].owner, ".");
	assert_name(dm.rr[0].rname[0], ".");
	assert_name(dm.rr[1].rname[0], deep);
	assert_int_equal(dm.rr[2].rdlen, 2);
	assert_name(dm.rr[3].owner, deep);
	assert_name(dm.rr[4].rname[0], deep);
}

static void test_no_compress_srv(void **state)
{
	query_t q;
	plan_t p;
	query_make(&q, "_dns._udp.example.", RR_SRV, 0);
	rsb_init(&rs_srv, RR_SRV, 300);
	rsb_add_srv(&rs_srv, "ns1.example.");
	rsb_init(&rs_a, RR_DNAME, 300);
	rsb_add_name(&rs_a, "example.");
	rsb_init(&rs_ns, RR_NS, 300);
	rsb_add_name(&rs_ns, "ns1.example.");
	plan_init(&p, true, 0);
	plan_add(&p, NULL, &rs_srv.rs, SEC_ANSWER, false, -1);
	plan_add(&p, "example.", &rs_a.rs, SEC_ANSWER, false, -1);
	plan_add(&p, "example.", &rs_ns.rs, SEC_AUTHORITY, false, -1);
	size_t n = encode_response(&q, &p, out, 512, NULL);
	decode(out, n, &dm);
	/* SRV and DNAME rdata verbatim (RFC 2782, RFC 3597 4). */
	assert_int_equal(dm.rr[0].rdlen, 6 + 13);
	assert_memory_equal(out + dm.rr[0].rdpos, rs_srv.data + 2, 6 + 13);
	assert_int_equal(dm.rr[1].rdlen, 9);
	assert_memory_equal(out + dm.rr[1].rdpos, "\7example\0", 9);
	/* Names in verbatim rdata are no compression targets: the NS
	 * target is "ns1" + a pointer to example. in the question. */
	assert_name(dm.rr[2].rname[0], "ns1.example.");
	assert_int_equal(dm.rr[2].rdlen, 4 + 2);
}

static void test_opt(void **state)
{
	query_t q;
	plan_t p;
	explain_t ex;
	memset(&ex, 0, sizeof(ex));
	query_make(&q, "www.example.", RR_A, 0);
	rsb_init(&rs_a, RR_A, 300);
	rsb_add_a(&rs_a, 1);
	plan_init(&p, true, 0);
	plan_add(&p, NULL, &rs_a.rs, SEC_ANSWER, false, -1);

	size_t n = encode_response(&q, &p, out, 512, &ex);
	decode(out, n, &dm);
	assert_int_equal(dm.opt, -1);
	assert_int_equal(dm.count[2], 0);

	query_edns(&q, 4096, false);
	n = encode_response(&q, &p, out, 1232, &ex);
	decode(out, n, &dm);
	assert_int_equal(dm.opt, 0 + 1);
	assert_int_equal(dm.count[2], 1);
	assert_int_equal(ex.count[2], 1);
	drr_t *o = &dm.rr[dm.opt];
	assert_name(o->owner, ".");
	assert_int_equal(o->cls, EDNS_ADVERTISED);
	assert_int_equal(o->ttl, 0);
	assert_int_equal(o->rdlen, 0);

	query_edns(&q, 4096, true);
	n = encode_response(&q, &p, out, 1232, &ex);
	decode(out, n, &dm);
	assert_int_equal(dm.rr[dm.opt].ttl, 0x8000);

	/* An extended rcode from a plan goes into the OPT TTL. */
	p.rcode = RCODE_BADVERS;
	n = encode_response(&q, &p, out, 1232, &ex);
	decode(out, n, &dm);
	assert_int_equal(dm.flags & 0xF, 0);
	assert_int_equal(dm.rr[dm.opt].ttl >> 24, 1);
}

static void test_errors(void **state)
{
	query_t q;
	/* BADVERS: header rcode 0, extended rcode 1, version 0. */
	query_make(&q, "WWW.example.", RR_A, DNS_RD);
	query_edns(&q, 1232, true);
	q.edns_version = 3;
	explain_t ex;
	memset(&ex, 0xA5, sizeof(ex));
	size_t n = encode_error(&q, RCODE_BADVERS, NULL, out, 512, &ex);
	decode(out, n, &dm);
	/* The explanation says what was written. */
	assert_int_equal(ex.flags, dm.flags);
	assert_int_equal(ex.count[0], 0);
	assert_int_equal(ex.count[1], 0);
	assert_int_equal(ex.count[2], 1);
	assert_int_equal(ex.size, n);
	assert_int_equal(ex.limit, 512);
	assert_int_equal(ex.tc, TC_NONE);
	assert_int_equal(dm.flags, DNS_QR | DNS_RD);
	assert_int_equal(dm.qd, 1);
	assert_memory_equal(out + 12, "\3WWW\7example\0", 13);
	assert_int_equal(dm.count[0] + dm.count[1], 0);
	assert_int_equal(dm.count[2], 1);
	assert_int_equal(dm.rr[0].type, RR_OPT);
	assert_int_equal(dm.rr[0].ttl, 1u << 24 | 0x8000);
	assert_int_equal(dm.rr[0].cls, EDNS_ADVERTISED);

	/* FORMERR without a question, without OPT. */
	memset(&q, 0, sizeof(q));
	q.id = 7;
	q.flags = DNS_RD;
	n = encode_error(&q, RCODE_FORMERR, NULL, out, 512, &ex);
	assert_int_equal(n, 12);
	assert_int_equal(ex.size, 12);
	assert_int_equal(ex.count[2], 0);
	assert_int_equal(ex.flags, DNS_QR | DNS_RD | RCODE_FORMERR);
	decode(out, n, &dm);
	assert_int_equal(dm.id, 7);
	assert_int_equal(dm.flags, DNS_QR | DNS_RD | RCODE_FORMERR);
	assert_int_equal(dm.qd, 0);

	/* REFUSED with the question and OPT. */
	query_make(&q, "x.", RR_TXT, 0);
	q.qclass = CLASS_CH;
	query_edns(&q, 512, false);
	n = encode_error(&q, RCODE_REFUSED, NULL, out, 512, NULL);
	decode(out, n, &dm);
	assert_int_equal(dm.flags, DNS_QR | RCODE_REFUSED);
	assert_int_equal(dm.qclass, CLASS_CH);
	assert_int_equal(dm.count[2], 1);
	assert_int_equal(dm.rr[0].ttl, 0);
}

/* The EDE option (RFC 8914 2): code 15, length, INFO-CODE, EXTRA-TEXT, as
 * the last bytes of the OPT RDATA. */
static void test_ede(void **state)
{
	query_t q;
	plan_t p;
	explain_t ex;
	query_make(&q, "www.example.com.", RR_A, 0);
	query_edns(&q, 1232, false);
	plan_init(&p, false, RCODE_REFUSED);
	p.ede = EDE_CODE(EDE_NOT_AUTHORITATIVE);
	memset(&ex, 0xA5, sizeof(ex));
	size_t n = encode_response(&q, &p, out, 1232, &ex);
	/* What NSD 4.6 sends for a name it does not serve, byte for byte. */
	static const uint8_t nsd[] = "\x42\x42\x80\x05\x00\x01\x00\x00\x00\x00\x00\x01"
				     "\x03www\x07"
				     "example\x03"
				     "com\x00\x00\x01\x00\x01"
				     "\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x06"
				     "\x00\x0f\x00\x02\x00\x14";
	assert_int_equal(n, sizeof(nsd) - 1);
	assert_memory_equal(out, nsd, n);
	assert_true(ex.ede_sent);
	assert_int_equal(ex.ede, 20);
	assert_int_equal(ex.count[2], 1);
	assert_int_equal(ex.size, n);

	/* With text, and DO: the text follows the code, unterminated. */
	query_edns(&q, 1232, true);
	p.ede = (ede_t){ true, 5, 18, "no, no" };
	n = encode_response(&q, &p, out, 1232, &ex);
	decode(out, n, &dm);
	drr_t *o = &dm.rr[dm.opt];
	assert_int_equal(o->ttl, 0x8000);
	assert_int_equal(o->rdlen, 6 + 5);
	assert_memory_equal(out + o->rdpos, "\x00\x0f\x00\x07\x00\x12no, n", 11);
	assert_int_equal(n, o->rdpos + 11);

	/* No OPT, no EDE: it has nowhere to go. */
	q.edns = false;
	n = encode_response(&q, &p, out, 512, &ex);
	decode(out, n, &dm);
	assert_int_equal(dm.opt, -1);
	assert_false(ex.ede_sent);
	assert_int_equal(ex.ede, 0);

	/* encode_error carries one too; NULL is none. */
	query_make(&q, "x.", RR_TXT, DNS_RD);
	q.qclass = CLASS_CH;
	query_edns(&q, 512, false);
	const ede_t ns = EDE_CODE(EDE_NOT_SUPPORTED);
	n = encode_error(&q, RCODE_REFUSED, &ns, out, 512, &ex);
	decode(out, n, &dm);
	assert_int_equal(dm.flags, DNS_QR | DNS_RD | RCODE_REFUSED);
	o = &dm.rr[dm.opt];
	assert_int_equal(o->rdlen, 6);
	assert_memory_equal(out + o->rdpos, "\x00\x0f\x00\x02\x00\x15", 6);
	assert_true(ex.ede_sent);
	assert_int_equal(ex.ede, 21);
	assert_int_equal(ex.size, n);
	n = encode_error(&q, RCODE_REFUSED, NULL, out, 512, &ex);
	decode(out, n, &dm);
	assert_int_equal(dm.rr[dm.opt].rdlen, 0);
	assert_false(ex.ede_sent);
}

/*
 * A referral for sub.example. from the example. zone with 13 NS names
 * a..m.ns.sub.example. (in-domain) each with A and AAAA glue: far more than
 * 512 bytes.
 */
static rsb_t ref_ns, ref_a[13], ref_aaaa[13];
static char ref_names[13][32];

static void referral(plan_t *p, explain_t *ex, bool required)
{
	rsb_init(&ref_ns, RR_NS, 86400);
	for (int i = 0; i < 13; i++) {
		snprintf(ref_names[i], sizeof(ref_names[i]), "%c.ns.sub.example.", 'a' + i);
		rsb_add_name(&ref_ns, ref_names[i]);
		rsb_init(&ref_a[i], RR_A, 86400);
		rsb_add_a(&ref_a[i], (uint8_t)i);
		rsb_init(&ref_aaaa[i], RR_AAAA, 86400);
		rsb_add_aaaa(&ref_aaaa[i], (uint8_t)i);
	}
	plan_init(p, false, 0);
	p->kind = ANSWER_REFERRAL;
	plan_add(p, "sub.example.", &ref_ns.rs, SEC_AUTHORITY, false, -1);
	for (int i = 0; i < 13; i++)
		plan_add(p, ref_names[i], &ref_a[i].rs, SEC_ADDITIONAL, required, (int8_t)i);
	for (int i = 0; i < 13; i++)
		plan_add(p, ref_names[i], &ref_aaaa[i].rs, SEC_ADDITIONAL, required, (int8_t)i);
	memset(ex, 0, sizeof(*ex));
	ex->kind = ANSWER_REFERRAL;
	ex->nns = 13;
	ex->ns_total = 13;
	for (int i = 0; i < 13; i++)
		ex->ns[i].fate = FATE_ADDED;
}

static void check_referral(size_t n, const explain_t *ex, size_t limit)
{
	assert_true(n <= limit);
	decode(out, n, &dm);
	assert_int_equal(dm.count[0], ex->count[0]);
	assert_int_equal(dm.count[1], ex->count[1]);
	assert_int_equal(dm.count[2], ex->count[2]);
	assert_int_equal(ex->size, n);
	assert_int_equal(dm.count[0], 0);
	assert_int_equal(dm.count[1], 13);
	for (unsigned i = 0; i < 13; i++)
		assert_name(dm.rr[i].rname[0], ref_names[i]);
	/* Glue comes in plan order, each with the right owner. */
	unsigned glue = dm.count[2] - (dm.opt >= 0);
	for (unsigned i = 0; i < glue; i++) {
		drr_t *r = &dm.rr[13 + i];
		unsigned k = i < 13 ? i : i - 13;
		assert_int_equal(r->type, i < 13 ? RR_A : RR_AAAA);
		assert_name(r->owner, ref_names[k]);
		assert_int_equal(out[r->rdpos + r->rdlen - 1], k);
	}
}

static void test_required_glue_tc(void **state)
{
	query_t q;
	plan_t p;
	explain_t ex;
	query_make(&q, "www.sub.example.", RR_A, DNS_RD);
	referral(&p, &ex, true);
	size_t n = encode_response(&q, &p, out, 512, &ex);
	check_referral(n, &ex, 512);
	assert_true(dm.flags & DNS_TC);
	assert_int_equal(ex.tc, TC_REQUIRED_GLUE);
	assert_true(ex.flags & DNS_TC);
	/* Encoding stopped at the first glue RRset that did not fit. */
	unsigned glue = dm.count[2];
	assert_true(glue > 0 && glue < 26);
	assert_int_equal(ex.ns[glue < 13 ? glue : glue - 13].fate, FATE_SIZE);
	/* Every name whose glue did not all go out is marked, none other. */
	for (unsigned k = 0; k < 13; k++) {
		bool complete = glue >= 13 && k < glue - 13;
		assert_int_equal(ex.ns[k].fate == FATE_SIZE, !complete);
	}
	/* The same over TCP: everything. */
	referral(&p, &ex, true);
	n = encode_response(&q, &p, out, 65535, &ex);
	check_referral(n, &ex, 65535);
	assert_false(dm.flags & DNS_TC);
	assert_int_equal(dm.count[2], 26);
	assert_int_equal(ex.tc, TC_NONE);

	/* With EDNS the OPT is still there after TC. */
	query_edns(&q, 600, false);
	referral(&p, &ex, true);
	n = encode_response(&q, &p, out, query_udp_limit(&q), &ex);
	check_referral(n, &ex, 600);
	assert_true(dm.flags & DNS_TC);
	assert_true(dm.opt >= 0);
	assert_int_equal(dm.rr[dm.opt].type, RR_OPT);
	assert_int_equal((unsigned)dm.opt, dm.n - 1);
}

static void test_optional_glue_dropped(void **state)
{
	query_t q;
	plan_t p;
	explain_t ex;
	query_make(&q, "www.sub.example.", RR_A, DNS_RD);
	referral(&p, &ex, false);
	size_t n = encode_response(&q, &p, out, 512, &ex);
	check_referral(n, &ex, 512);
	assert_false(dm.flags & DNS_TC);
	assert_int_equal(ex.tc, TC_NONE);
	unsigned glue = dm.count[2];
	assert_true(glue > 0 && glue < 26);
	/* The rest were left out and marked. */
	unsigned marked = 0;
	for (int i = 0; i < 13; i++)
		marked += ex.ns[i].fate == FATE_SIZE;
	assert_true(marked > 0);
	assert_int_equal(ex.ns[12].fate, FATE_SIZE);
	assert_int_equal(ex.ns[0].fate, FATE_ADDED);
}

static void test_optional_then_smaller(void **state)
{
	/* A big optional RRset that does not fit is skipped, a small one
	 * after it still goes in; the rolled-back names must not be used as
	 * compression targets. */
	query_t q;
	plan_t p;
	explain_t ex;
	memset(&ex, 0, sizeof(ex));
	ex.nns = 2;
	query_make(&q, "x.example.", RR_NS, 0);
	static rsb_t big, small, ns;
	rsb_init(&ns, RR_NS, 1);
	rsb_add_name(&ns, "big.glue.example.");
	rsb_add_name(&ns, "small.glue.example.");
	rsb_init(&big, RR_AAAA, 1);
	for (int i = 0; i < 30; i++)
		rsb_add_aaaa(&big, (uint8_t)i);
	rsb_init(&small, RR_A, 1);
	rsb_add_a(&small, 7);
	plan_init(&p, false, 0);
	plan_add(&p, "x.example.", &ns.rs, SEC_AUTHORITY, false, -1);
	plan_add(&p, "big.other.test.", &big.rs, SEC_ADDITIONAL, false, 0);
	plan_add(&p, "small.other.test.", &small.rs, SEC_ADDITIONAL, false, 1);
	size_t n = encode_response(&q, &p, out, 512, &ex);
	assert_true(n <= 512);
	decode(out, n, &dm);
	assert_false(dm.flags & DNS_TC);
	assert_int_equal(dm.count[1], 2);
	assert_int_equal(dm.count[2], 1);
	assert_name(dm.rr[2].owner, "small.other.test.");
	assert_int_equal(dm.rr[2].type, RR_A);
	assert_int_equal(ex.ns[0].fate, FATE_SIZE);
	assert_int_equal(ex.ns[1].fate, 0);
}

static void test_answer_tc(void **state)
{
	/* An ANSWER RRset too big for UDP: TC, nothing after it. */
	query_t q;
	plan_t p;
	explain_t ex;
	memset(&ex, 0, sizeof(ex));
	query_make(&q, "txt.example.", RR_TXT, 0);
	static rsb_t txt;
	rsb_init(&txt, RR_TXT, 1);
	uint8_t rd[201];
	rd[0] = 200;
	memset(rd + 1, 'x', 200);
	for (int i = 0; i < 5; i++)
		rsb_add(&txt, rd, sizeof(rd));
	rsb_init(&rs_a, RR_A, 1);
	rsb_add_a(&rs_a, 1);
	plan_init(&p, true, 0);
	plan_add(&p, NULL, &rs_a.rs, SEC_ANSWER, false, -1);
	plan_add(&p, NULL, &txt.rs, SEC_ANSWER, false, -1);
	plan_add(&p, NULL, &rs_a.rs, SEC_ADDITIONAL, false, -1);
	size_t n = encode_response(&q, &p, out, 512, &ex);
	decode(out, n, &dm);
	assert_true(dm.flags & DNS_TC);
	assert_true(dm.flags & DNS_AA);
	assert_int_equal(ex.tc, TC_SIZE);
	assert_int_equal(dm.count[0], 1);
	assert_int_equal(dm.count[2], 0);
}

static void test_limit_never_exceeded(void **state)
{
	query_t q;
	plan_t p;
	explain_t ex;
	static const char text[EDE_TEXT_MAX] = "x";
	query_make(&q, "www.sub.example.", RR_A, 0);
	for (size_t limit = 512; limit <= 1400; limit += 7) {
		for (int e = 0; e < 2; e++) {
			for (int req = 0; req < 2; req++) {
				if (e)
					query_edns(&q, (uint16_t)limit, e == 1);
				else
					q.edns = false;
				referral(&p, &ex, req);
				/* An EDE's space is reserved with the OPT's. */
				if (limit % 2)
					p.ede = (ede_t){ true, EDE_TEXT_MAX, 0, text };
				size_t n = encode_response(&q, &p, out, limit, &ex);
				assert_true(n <= limit);
				check_referral(n, &ex, limit);
				assert_int_equal(dm.opt >= 0, e);
				assert_int_equal(ex.ede_sent, e && limit % 2);
				if (e)
					assert_int_equal(dm.rr[dm.opt].rdlen,
							 limit % 2 ? 6 + EDE_TEXT_MAX : 0);
				if (!(dm.flags & DNS_TC))
					assert_true(!req || dm.count[2] == 26 + e);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_bits),
		cmocka_unit_test(test_question_case),
		cmocka_unit_test(test_compression),
		cmocka_unit_test(test_root_and_deep_names),
		cmocka_unit_test(test_no_compress_srv),
		cmocka_unit_test(test_opt),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_ede),
		cmocka_unit_test(test_required_glue_tc),
		cmocka_unit_test(test_optional_glue_dropped),
		cmocka_unit_test(test_optional_then_smaller),
		cmocka_unit_test(test_answer_tc),
		cmocka_unit_test(test_limit_never_exceeded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
