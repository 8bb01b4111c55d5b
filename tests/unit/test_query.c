/*
 * test_query.c -- query_parse: header, question, OPT, and the udp limit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "dns/query.h"
#include "dns/rdata.h"
#include "dns/wire.h"

/* A request under construction. */
typedef struct pkt {
	uint8_t b[1024];
	size_t n;
} pkt_t;

static void put8(pkt_t *p, uint8_t v) { p->b[p->n++] = v; }
static void put16(pkt_t *p, uint16_t v) { wire_put16(p->b + p->n, v), p->n += 2; }
static void put32(pkt_t *p, uint32_t v) { wire_put32(p->b + p->n, v), p->n += 4; }
static void putb(pkt_t *p, const void *s, size_t n) { memcpy(p->b + p->n, s, n), p->n += n; }

static void hdr(pkt_t *p, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar)
{
	p->n = 0;
	put16(p, 0xBEEF);
	put16(p, flags);
	put16(p, qd), put16(p, an), put16(p, ns), put16(p, ar);
}

/* "\3WwW\7ExAmPle\0" A IN */
static const uint8_t QNAME[] = "\3WwW\7ExAmPle";
#define QNAME_LEN 13

static void question(pkt_t *p, uint16_t qtype, uint16_t qclass)
{
	putb(p, QNAME, QNAME_LEN);
	put16(p, qtype), put16(p, qclass);
}

static void opt(pkt_t *p, uint16_t size, uint8_t version, uint16_t flags, const void *rd,
		uint16_t rdlen)
{
	put8(p, 0);
	put16(p, RR_OPT), put16(p, size);
	put32(p, (uint32_t)version << 16 | flags);
	put16(p, rdlen);
	if (rdlen)
		putb(p, rd, rdlen);
}

static void a_record(pkt_t *p)
{
	putb(p, "\1a\0", 3);
	put16(p, RR_A), put16(p, CLASS_IN), put32(p, 300), put16(p, 4);
	putb(p, "\xc0\x00\x02\x01", 4);
}

static void simple(pkt_t *p, uint16_t ar)
{
	hdr(p, DNS_RD, 1, 0, 0, ar);
	question(p, RR_A, CLASS_IN);
}

static void test_valid(void **state)
{
	pkt_t p;
	query_t q;
	simple(&p, 0);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_OK);
	assert_int_equal(q.id, 0xBEEF);
	assert_int_equal(q.flags, DNS_RD);
	assert_int_equal(q.opcode, 0);
	assert_true(q.has_question);
	assert_int_equal(q.qname_len, QNAME_LEN);
	assert_memory_equal(q.qname, QNAME, QNAME_LEN);
	assert_memory_equal(q.lname, "\3www\7example", QNAME_LEN);
	assert_int_equal(q.qtype, RR_A);
	assert_int_equal(q.qclass, CLASS_IN);
	assert_false(q.edns);
	assert_false(q.do_bit);
	assert_int_equal(query_udp_limit(&q), 512);
}

static void test_root_question(void **state)
{
	pkt_t p;
	query_t q;
	hdr(&p, 0, 1, 0, 0, 0);
	put8(&p, 0);
	put16(&p, RR_NS), put16(&p, CLASS_IN);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_OK);
	assert_int_equal(q.qname_len, 1);
	assert_int_equal(q.qtype, RR_NS);
}

static void test_edns(void **state)
{
	pkt_t p;
	query_t q;
	simple(&p, 1);
	opt(&p, 4096, 0, 0, NULL, 0);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_OK);
	assert_true(q.edns);
	assert_int_equal(q.edns_version, 0);
	assert_int_equal(q.edns_size, 4096);
	assert_false(q.do_bit);
	assert_int_equal(query_udp_limit(&q), EDNS_ADVERTISED);
}

static void test_do_bit(void **state)
{
	pkt_t p;
	query_t q;
	simple(&p, 1);
	opt(&p, 1400, 0, 0x8000, NULL, 0);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_OK);
	assert_true(q.edns);
	assert_true(q.do_bit);

	/* Unknown flags (Z bits) are ignored. */
	simple(&p, 1);
	opt(&p, 1400, 0, 0x4001, NULL, 0);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_OK);
	assert_false(q.do_bit);
}

static void test_edns_options(void **state)
{
	pkt_t p;
	query_t q;
	/* A cookie and an unknown option: ignored. */
	static const uint8_t good[] = { 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0, 0, 0 };
	simple(&p, 1);
	opt(&p, 1232, 0, 0, good, sizeof(good));
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_OK);
	assert_true(q.edns);

	/* Option length beyond the rdata. */
	static const uint8_t longer[] = { 0, 10, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8 };
	simple(&p, 1);
	opt(&p, 1232, 0, 0, longer, sizeof(longer));
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_FORMERR);
	assert_false(q.edns);

	/* A partial option header. */
	static const uint8_t partial[] = { 0, 10, 0 };
	simple(&p, 1);
	opt(&p, 1232, 0, 0, partial, sizeof(partial));
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_FORMERR);
}

static void test_badvers(void **state)
{
	pkt_t p;
	query_t q;
	simple(&p, 1);
	opt(&p, 1232, 1, 0x8000, NULL, 0);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_BADVERS);
	assert_true(q.edns);
	assert_true(q.has_question);
	assert_int_equal(q.edns_version, 1);

	/* Options of another version are not ours to judge. */
	static const uint8_t longer[] = { 0, 10, 0, 9, 1, 2 };
	simple(&p, 1);
	opt(&p, 1232, 1, 0, longer, sizeof(longer));
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_BADVERS);
	assert_true(q.edns);

	/* But two OPTs stay FORMERR, whatever their version. */
	simple(&p, 2);
	opt(&p, 1232, 1, 0, NULL, 0);
	opt(&p, 1232, 1, 0, NULL, 0);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_FORMERR);
	assert_false(q.edns);
}

static void test_two_opt(void **state)
{
	pkt_t p;
	query_t q;
	simple(&p, 2);
	opt(&p, 1232, 0, 0, NULL, 0);
	opt(&p, 1232, 0, 0, NULL, 0);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_FORMERR);
	assert_false(q.edns);
	assert_true(q.has_question);
}

static void test_opt_in_answer(void **state)
{
	pkt_t p;
	query_t q;
	hdr(&p, 0, 1, 1, 0, 0);
	question(&p, RR_A, CLASS_IN);
	opt(&p, 1232, 0, 0, NULL, 0);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_FORMERR);

	hdr(&p, 0, 1, 0, 1, 0);
	question(&p, RR_A, CLASS_IN);
	opt(&p, 1232, 0, 0, NULL, 0);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_FORMERR);
}

static void test_opt_owner(void **state)
{
	pkt_t p;
	query_t q;
	simple(&p, 1);
	putb(&p, "\1a", 2); /* owner a. instead of . */
	opt(&p, 1232, 0, 0, NULL, 0);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_FORMERR);

	/* Owner as a pointer to the question name. */
	simple(&p, 1);
	put16(&p, 0xC00C);
	put16(&p, RR_OPT), put16(&p, 1232), put32(&p, 0), put16(&p, 0);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_FORMERR);
}

static void test_other_records(void **state)
{
	pkt_t p;
	query_t q;
	/* Records we do not support (TSIG, stray data) are skipped. */
	hdr(&p, 0, 1, 1, 1, 2);
	question(&p, RR_A, CLASS_IN);
	a_record(&p);
	a_record(&p);
	a_record(&p);
	opt(&p, 1232, 0, 0x8000, NULL, 0);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_OK);
	assert_true(q.edns);
	assert_true(q.do_bit);
}

static void test_trailing_bytes(void **state)
{
	pkt_t p;
	query_t q;
	/* NSD 4.6 ignores bytes after the counted records; so do we. */
	simple(&p, 0);
	putb(&p, "garbage", 7);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_OK);
	simple(&p, 1);
	opt(&p, 1232, 0, 0, NULL, 0);
	putb(&p, "xx", 2);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_OK);
	assert_true(q.edns);
}

static void test_truncated(void **state)
{
	pkt_t p;
	query_t q;
	simple(&p, 0);
	for (size_t n = 0; n < DNS_HEADER_LEN; n++)
		assert_int_equal(query_parse(p.b, n, &q), QUERY_DROP);
	/* Every cut inside the question is FORMERR. */
	for (size_t n = DNS_HEADER_LEN; n < p.n; n++) {
		assert_int_equal(query_parse(p.b, n, &q), QUERY_ERROR);
		assert_int_equal(q.rcode, RCODE_FORMERR);
		assert_false(q.has_question);
	}
	/* Every cut inside the OPT record. */
	simple(&p, 1);
	size_t qend = p.n;
	static const uint8_t rd[] = { 0, 10, 0, 2, 1, 2 };
	opt(&p, 1232, 0, 0, rd, sizeof(rd));
	for (size_t n = qend; n < p.n; n++) {
		assert_int_equal(query_parse(p.b, n, &q), QUERY_ERROR);
		assert_int_equal(q.rcode, RCODE_FORMERR);
		assert_true(q.has_question);
		assert_false(q.edns);
	}
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_OK);
}

static void test_qdcount(void **state)
{
	pkt_t p;
	query_t q;
	hdr(&p, 0, 0, 0, 0, 0);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_FORMERR);
	assert_false(q.has_question);
	assert_false(q.edns);

	/* A header-only probe with a valid OPT: FORMERR, OPT echoed. */
	hdr(&p, 0, 0, 0, 0, 1);
	opt(&p, 4096, 0, 0x8000, NULL, 0);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_FORMERR);
	assert_true(q.edns);
	assert_true(q.do_bit);

	hdr(&p, 0, 2, 0, 0, 0);
	question(&p, RR_A, CLASS_IN);
	question(&p, RR_A, CLASS_IN);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_FORMERR);
	assert_false(q.has_question);
}

static void test_qr_drop(void **state)
{
	pkt_t p;
	query_t q;
	hdr(&p, DNS_QR | DNS_RD, 1, 0, 0, 0);
	question(&p, RR_A, CLASS_IN);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_DROP);
}

static void test_opcodes(void **state)
{
	pkt_t p;
	query_t q;
	for (unsigned op = 1; op < 16; op++) {
		hdr(&p, (uint16_t)(op << 11 | DNS_RD), 1, 0, 0, 1);
		question(&p, RR_A, CLASS_IN);
		opt(&p, 1232, 0, 0, NULL, 0);
		assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
		assert_int_equal(q.rcode, RCODE_NOTIMP);
		assert_int_equal(q.opcode, op);
		assert_true(q.has_question);
		assert_true(q.edns);
	}
	/* NOTIMP wins over FORMERR (as NSD does). */
	hdr(&p, 5 << 11, 0, 0, 0, 0);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_NOTIMP);
	assert_false(q.has_question);
	hdr(&p, 1 << 11, 1, 0, 0, 0);
	putb(&p, "\3www\xc0\x0c\0\1\0\1", 10);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_NOTIMP);
	assert_false(q.has_question);
}

static void test_bad_names(void **state)
{
	pkt_t p;
	query_t q;
	/* Pointer to itself. */
	hdr(&p, 0, 1, 0, 0, 0);
	putb(&p, "\xc0\x0c\0\1\0\1", 6);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_FORMERR);

	/* A loop through a label. */
	hdr(&p, 0, 1, 0, 0, 0);
	putb(&p, "\3www\xc0\x0c\0\1\0\1", 10);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_FORMERR);

	/* A forward pointer. */
	hdr(&p, 0, 1, 0, 0, 0);
	putb(&p, "\3www\xc0\x16\0\1\0\1\7example\0", 19);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_FORMERR);

	/* A pointer into the header. */
	hdr(&p, 0, 1, 0, 0, 0);
	putb(&p, "\xc0\x02\0\1\0\1", 6);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);

	/* A 64-byte label, and the reserved label types. */
	hdr(&p, 0, 1, 0, 0, 0);
	put8(&p, 64);
	memset(p.b + p.n, 'a', 64), p.n += 64;
	putb(&p, "\0\0\1\0\1", 5);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_FORMERR);
	hdr(&p, 0, 1, 0, 0, 0);
	putb(&p, "\x41\0\0\1\0\1", 6);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);

	/* 4 x 63-byte labels: 257 bytes. */
	hdr(&p, 0, 1, 0, 0, 0);
	for (int i = 0; i < 4; i++) {
		put8(&p, 63);
		memset(p.b + p.n, 'a', 63), p.n += 63;
	}
	putb(&p, "\0\0\1\0\1", 5);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_FORMERR);

	/* Exactly 255 bytes is fine. */
	hdr(&p, 0, 1, 0, 0, 0);
	for (int i = 0; i < 3; i++) {
		put8(&p, 63);
		memset(p.b + p.n, 'a', 63), p.n += 63;
	}
	put8(&p, 61);
	memset(p.b + p.n, 'b', 61), p.n += 61;
	putb(&p, "\0\0\1\0\1", 5);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_OK);
	assert_int_equal(q.qname_len, 255);

	/* A backward pointer in the question is legal. */
	hdr(&p, 0, 1, 0, 1, 0);
	question(&p, RR_A, CLASS_IN);
	putb(&p, "\1a\xc0\x10", 4); /* a.example via a pointer */
	put16(&p, RR_A), put16(&p, CLASS_IN), put32(&p, 0), put16(&p, 0);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_OK);
}

static void test_bogus_counts(void **state)
{
	pkt_t p;
	query_t q;
	hdr(&p, 0, 1, 5, 0, 0);
	question(&p, RR_A, CLASS_IN);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_FORMERR);

	hdr(&p, 0, 1, 0xFFFF, 0xFFFF, 0xFFFF);
	question(&p, RR_A, CLASS_IN);
	a_record(&p);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_FORMERR);

	hdr(&p, 0, 0xFFFF, 0, 0, 0);
	question(&p, RR_A, CLASS_IN);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);

	/* An rdlength past the end. */
	hdr(&p, 0, 1, 0, 0, 1);
	question(&p, RR_A, CLASS_IN);
	putb(&p, "\0", 1);
	put16(&p, RR_A), put16(&p, CLASS_IN), put32(&p, 0), put16(&p, 100);
	assert_int_equal(query_parse(p.b, p.n, &q), QUERY_ERROR);
	assert_int_equal(q.rcode, RCODE_FORMERR);
}

static void test_udp_limit(void **state)
{
	query_t q = { 0 };
	assert_int_equal(query_udp_limit(&q), 512);
	q.edns = true;
	q.edns_size = 0;
	assert_int_equal(query_udp_limit(&q), 512);
	q.edns_size = 511;
	assert_int_equal(query_udp_limit(&q), 512);
	q.edns_size = 512;
	assert_int_equal(query_udp_limit(&q), 512);
	q.edns_size = 1000;
	assert_int_equal(query_udp_limit(&q), 1000);
	q.edns_size = 1232;
	assert_int_equal(query_udp_limit(&q), 1232);
	q.edns_size = 1233;
	assert_int_equal(query_udp_limit(&q), 1232);
	q.edns_size = 65535;
	assert_int_equal(query_udp_limit(&q), 1232);
}

/* Random mutations of a valid EDNS query: never a crash (ASan build),
 * always a verdict, and a parsed question is always well formed. */
static void test_mutations(void **state)
{
	pkt_t base, p;
	query_t q;
	uint32_t seed = 12345;
	hdr(&base, DNS_RD, 1, 0, 1, 1);
	question(&base, RR_A, CLASS_IN);
	putb(&base, "\1a\xc0\x10", 4);
	put16(&base, RR_NS), put16(&base, CLASS_IN), put32(&base, 0), put16(&base, 2);
	put16(&base, 0xC00C);
	static const uint8_t rd[] = { 0, 10, 0, 2, 1, 2 };
	opt(&base, 1232, 0, 0x8000, rd, sizeof(rd));
	assert_int_equal(query_parse(base.b, base.n, &q), QUERY_OK);
	for (int i = 0; i < 200000; i++) {
		p = base;
		int flips = 1 + (int)(seed % 4);
		for (int k = 0; k < flips; k++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % p.n;
			seed = seed * 1103515245u + 12345u;
			p.b[at] = (uint8_t)(seed >> 16);
		}
		seed = seed * 1103515245u + 12345u;
		size_t len = (seed >> 4) % 3 == 0 ? (seed >> 8) % (p.n + 1) : p.n;
		int v = query_parse(p.b, len, &q);
		assert_true(v == QUERY_OK || v == QUERY_DROP || v == QUERY_ERROR);
		if (q.has_question) {
			assert_int_equal(name_check(q.qname, NAME_MAXLEN), q.qname_len);
			assert_true(name_equal(q.qname, q.lname));
		}
		if (v == QUERY_OK)
			assert_int_equal(q.opcode, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),          cmocka_unit_test(test_root_question),
		cmocka_unit_test(test_edns),           cmocka_unit_test(test_do_bit),
		cmocka_unit_test(test_edns_options),   cmocka_unit_test(test_badvers),
		cmocka_unit_test(test_two_opt),        cmocka_unit_test(test_opt_in_answer),
		cmocka_unit_test(test_opt_owner),      cmocka_unit_test(test_other_records),
		cmocka_unit_test(test_trailing_bytes), cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_qdcount),        cmocka_unit_test(test_qr_drop),
		cmocka_unit_test(test_opcodes),        cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_bogus_counts),   cmocka_unit_test(test_udp_limit),
		cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
