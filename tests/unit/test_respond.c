/*
 * test_respond.c -- the engine's entry points (respond.h): the verdicts a
 * client sees for malformed and unanswerable requests and what the
 * explanation says about each, zone transfers, QCLASS ANY, the delay and
 * drop faults, and the batch API answering exactly as respond() does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dns/respond.h"
#include "respond_fixture.h"

/* Enough delegations for a zone table of more than 65,536 slots: the
 * engine prefetches lookups only in zones that big. */
#define BIG_DELEGATIONS 20000

static zoneset_t *zs;       /* test. with faults, and big. */
static zoneset_t *zs_plain; /* test. without faults */
static uint8_t req[512];
static uint8_t out[RESPOND_MAX];
static uint8_t out2[RESPOND_MAX];

static int setup(void **state)
{
	(void)state;
	zs = fix_zoneset("test.", FIX_TEST_ZONE, BIG_DELEGATIONS, true);
	zs_plain = fix_zoneset("test.", FIX_TEST_ZONE, 0, false);
	return zs && zs_plain ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	zoneset_free(zs);
	zoneset_free(zs_plain);
	return 0;
}

/* Answer len bytes of req over UDP or TCP; ex pre-filled with garbage so
 * that a field respond() leaves alone shows. */
static size_t ask(size_t len, bool tcp, query_t *q, explain_t *ex)
{
	memset(ex, 0xA5, sizeof(*ex));
	return respond(zs, req, len, tcp, out, q, ex);
}

/* The explanation of an error response: kind and rcode, and the header
 * the client gets, as the encoder wrote it. */
static void check_error(size_t n, const explain_t *ex, uint8_t kind, uint16_t rcode, size_t limit)
{
	assert_true(n >= DNS_HEADER_LEN);
	assert_int_equal(ex->kind, kind);
	assert_int_equal(ex->rcode, rcode);
	assert_int_equal(ex->flags, fix_flags(out));
	assert_int_equal(ex->count[SEC_ANSWER], fix_count(out, 1));
	assert_int_equal(ex->count[SEC_AUTHORITY], fix_count(out, 2));
	assert_int_equal(ex->count[SEC_ADDITIONAL], fix_count(out, 3));
	assert_int_equal(ex->size, n);
	assert_int_equal(ex->limit, limit);
	assert_int_equal(ex->tc, TC_NONE);
	assert_null(ex->zone);
	assert_null(ex->fault);
	assert_int_equal(ex->delay_ms, 0);
	assert_int_equal(fix_flags(out) & DNS_QR, DNS_QR);
	assert_int_equal(fix_flags(out) & 0xF, rcode & 0xF);
}

static void test_formerr(void **state)
{
	(void)state;
	query_t q;
	explain_t ex;
	/* Two questions: FORMERR, the ID and RD echoed, no question. */
	size_t len =
		fix_query(req, 0x1234, DNS_RD, "www.test.", RR_A, CLASS_IN, FIX_NO_EDNS, false);
	req[5] = 2;
	size_t n = ask(len, false, &q, &ex);
	check_error(n, &ex, ANSWER_ERROR, RCODE_FORMERR, 512);
	assert_int_equal(fix_id(out), 0x1234);
	assert_int_equal(fix_flags(out), DNS_QR | DNS_RD | RCODE_FORMERR);
	assert_int_equal(n, DNS_HEADER_LEN);

	/* A question cut short: FORMERR without it. */
	len = fix_query(req, 7, 0, "www.test.", RR_A, CLASS_IN, FIX_NO_EDNS, false);
	n = ask(len - 3, false, &q, &ex);
	check_error(n, &ex, ANSWER_ERROR, RCODE_FORMERR, 512);
	assert_int_equal(fix_count(out, 0), 0);

	/* Two OPT records: FORMERR (RFC 6891 6.1.1), no OPT back. */
	len = fix_query(req, 8, 0, "www.test.", RR_A, CLASS_IN, 0, false);
	memcpy(req + len, req + len - 11, 11);
	req[11] = 2;
	n = ask(len + 11, false, &q, &ex);
	check_error(n, &ex, ANSWER_ERROR, RCODE_FORMERR, 512);
	assert_int_equal(fix_count(out, 3), 0);
}

static void test_notimp(void **state)
{
	(void)state;
	query_t q;
	explain_t ex;
	/* Opcode 2 (STATUS), with EDNS: NOTIMP, the opcode echoed, the OPT
	 * back, the limit the client's. */
	size_t len = fix_query(req, 9, 2 << 11, "www.test.", RR_A, CLASS_IN, 0, false);
	size_t n = ask(len, false, &q, &ex);
	check_error(n, &ex, ANSWER_ERROR, RCODE_NOTIMP, 1232);
	assert_int_equal(DNS_OPCODE(fix_flags(out)), 2);
	assert_int_equal(fix_count(out, 0), 1);
	assert_int_equal(fix_count(out, 3), 1);
}

static void test_refused(void **state)
{
	(void)state;
	query_t q;
	explain_t ex;
	/* Not in any zone served here. */
	size_t len =
		fix_query(req, 10, DNS_RD, "www.example.org.", RR_A, CLASS_IN, FIX_NO_EDNS, false);
	size_t n = ask(len, false, &q, &ex);
	assert_true(n > DNS_HEADER_LEN);
	assert_int_equal(fix_flags(out), DNS_QR | DNS_RD | RCODE_REFUSED);
	assert_int_equal(ex.kind, ANSWER_REFUSED);
	assert_int_equal(ex.rcode, RCODE_REFUSED);
	assert_null(ex.zone);
	assert_int_equal(ex.size, n);
	/* Without EDNS there is no OPT to carry an EDE. */
	assert_int_equal(fix_count(out, 3), 0);
	assert_false(ex.ede_sent);
	/* With EDNS: EDE 20 Not Authoritative, no text, as NSD and Knot. */
	len = fix_query(req, 10, 0, "www.example.org.", RR_A, CLASS_IN, 0, false);
	n = ask(len, false, &q, &ex);
	assert_int_equal(fix_count(out, 3), 1);
	assert_memory_equal(out + n - 17, "\0\0\x29\x04\xd0\0\0\0\0\0\x06\0\x0f\0\x02\0\x14", 17);
	assert_true(ex.ede_sent);
	assert_int_equal(ex.ede, EDE_NOT_AUTHORITATIVE);
	assert_int_equal(ex.size, n);

	/* Class CH: REFUSED before any zone is looked at, EDE 21 Not
	 * Supported (NSD's too). */
	len = fix_query(req, 11, 0, "www.test.", RR_TXT, CLASS_CH, 0, false);
	n = ask(len, false, &q, &ex);
	check_error(n, &ex, ANSWER_REFUSED, RCODE_REFUSED, 1232);
	assert_int_equal(fix_count(out, 3), 1);
	assert_memory_equal(out + n - 6, "\0\x0f\0\x02\0\x15", 6);
	assert_true(ex.ede_sent);
	assert_int_equal(ex.ede, EDE_NOT_SUPPORTED);
}

static void test_badvers(void **state)
{
	(void)state;
	query_t q;
	explain_t ex;
	/* EDNS version 1: BADVERS = extended rcode 1 in the OPT, 0 in the
	 * header; the explanation has the whole rcode. */
	size_t len = fix_query(req, 12, 0, "www.test.", RR_A, CLASS_IN, 1, true);
	size_t n = ask(len, false, &q, &ex);
	check_error(n, &ex, ANSWER_ERROR, RCODE_BADVERS, 1232);
	assert_int_equal(fix_flags(out) & 0xF, 0);
	assert_int_equal(fix_count(out, 3), 1);
	const uint8_t *opt = out + n - 11;
	assert_int_equal(opt[5], 1);    /* extended rcode */
	assert_int_equal(opt[6], 0);    /* our version */
	assert_int_equal(opt[7], 0x80); /* DO echoed */
}

static void test_drop(void **state)
{
	(void)state;
	query_t q;
	explain_t ex;
	/* A response (QR=1) is never answered. */
	size_t len = fix_query(req, 13, DNS_QR, "www.test.", RR_A, CLASS_IN, FIX_NO_EDNS, false);
	assert_int_equal(ask(len, false, &q, &ex), 0);
	assert_int_equal(ex.kind, 0);
	assert_int_equal(ex.size, 0);
	assert_null(ex.fault);
	/* Nor a request shorter than a header. */
	assert_int_equal(ask(11, false, &q, &ex), 0);
	assert_int_equal(ex.size, 0);
	/* A drop fault: nothing sent, but the explanation names it. */
	len = fix_query(req, 14, 0, "gone.test.", RR_A, CLASS_IN, FIX_NO_EDNS, false);
	assert_int_equal(ask(len, false, &q, &ex), 0);
	assert_non_null(ex.fault);
	assert_int_equal(ex.fault->action, FAULT_DROP);
	assert_int_equal(ex.kind, ANSWER_FAULT);
}

static void test_zone_transfers(void **state)
{
	(void)state;
	query_t q;
	explain_t ex;
	/* As NSD without provide-xfr. AXFR over UDP: NOTIMP (AXFR is
	 * TCP-only), whatever the name. */
	size_t len = fix_query(req, 15, 0, "test.", RR_AXFR, CLASS_IN, FIX_NO_EDNS, false);
	size_t n = ask(len, false, &q, &ex);
	check_error(n, &ex, ANSWER_ERROR, RCODE_NOTIMP, 512);
	assert_int_equal(fix_count(out, 0), 1);
	len = fix_query(req, 15, 0, "www.example.org.", RR_AXFR, CLASS_IN, 0, false);
	n = ask(len, false, &q, &ex);
	check_error(n, &ex, ANSWER_ERROR, RCODE_NOTIMP, 1232);
	assert_false(ex.ede_sent);

	/* AXFR over TCP and IXFR over UDP and TCP of a zone served here:
	 * REFUSED, with EDE 18 Prohibited when there is an OPT, and the zone
	 * named in the explanation. */
	static const uint16_t types[] = { RR_AXFR, RR_IXFR };
	for (int t = 0; t < 2; t++) {
		for (int tcp = 0; tcp < 2; tcp++) {
			if (types[t] == RR_AXFR && !tcp)
				continue;
			len = fix_query(req, 16, 0, "test.", types[t], CLASS_IN, FIX_NO_EDNS,
					false);
			n = ask(len, tcp, &q, &ex);
			assert_int_equal(ex.kind, ANSWER_REFUSED);
			assert_int_equal(fix_flags(out), DNS_QR | RCODE_REFUSED);
			assert_int_equal(fix_count(out, 3), 0);
			assert_false(ex.ede_sent);
			assert_memory_equal(ex.zone, "\4test\0", 6);
			len = fix_query(req, 16, 0, "TEST.", types[t], CLASS_IN, 0, false);
			n = ask(len, tcp, &q, &ex);
			assert_int_equal(fix_flags(out), DNS_QR | RCODE_REFUSED);
			assert_memory_equal(out + n - 6, "\0\x0f\0\x02\0\x12", 6);
			assert_true(ex.ede_sent);
			assert_int_equal(ex.ede, EDE_PROHIBITED);
			assert_int_equal(ex.size, n);
			assert_int_equal(ex.limit, tcp ? 65535 : 1232);

			/* Any other name: NOTAUTH, no EDE (a name in the
			 * zone, a cut, a name in no zone). */
			static const char *const others[] = { "www.test.", "child.test.",
							      "www.example.org." };
			for (int k = 0; k < 3; k++) {
				len = fix_query(req, 17, 0, others[k], types[t], CLASS_IN, 0,
						false);
				n = ask(len, tcp, &q, &ex);
				check_error(n, &ex, ANSWER_ERROR, RCODE_NOTAUTH,
					    tcp ? 65535 : 1232);
				assert_int_equal(fix_count(out, 0), 1);
				assert_int_equal(fix_count(out, 3), 1);
				assert_false(ex.ede_sent);
			}
		}
	}
}

static void test_class_any_not_authoritative(void **state)
{
	(void)state;
	query_t q;
	explain_t ex;
	size_t len = fix_query(req, 17, 0, "www.test.", RR_A, CLASS_IN, FIX_NO_EDNS, false);
	size_t n = ask(len, false, &q, &ex);
	assert_true(n > 0);
	assert_int_equal(fix_flags(out), DNS_QR | DNS_AA);
	assert_int_equal(fix_count(out, 1), 1);
	/* The same question in class ANY: the same data, without AA, and
	 * the explanation says so. */
	len = fix_query(req, 17, 0, "www.test.", RR_A, CLASS_ANY, FIX_NO_EDNS, false);
	n = ask(len, false, &q, &ex);
	assert_true(n > 0);
	assert_int_equal(fix_flags(out), DNS_QR);
	assert_int_equal(fix_count(out, 1), 1);
	assert_int_equal(ex.kind, ANSWER_POSITIVE);
	assert_int_equal(ex.flags, DNS_QR);
	assert_int_equal(ex.count[SEC_ANSWER], 1);
}

static void test_delay_fault(void **state)
{
	(void)state;
	query_t q;
	explain_t ex;
	/* The delay fault returns the whole response and its delay: the same
	 * bytes a server without the fault sends, only later. */
	size_t len = fix_query(req, 18, DNS_RD, "slow.test.", RR_A, CLASS_IN, 0, false);
	size_t n = ask(len, false, &q, &ex);
	assert_true(n > 0);
	assert_int_equal(ex.delay_ms, FIX_DELAY_MS);
	assert_non_null(ex.fault);
	assert_int_equal(ex.fault->action, FAULT_DELAY);
	explain_t ex2;
	size_t n2 = respond(zs_plain, req, len, false, out2, NULL, &ex2);
	assert_int_equal(n, n2);
	assert_memory_equal(out, out2, n);
	assert_int_equal(ex2.delay_ms, 0);
	/* Over TCP as well. */
	n = ask(len, true, &q, &ex);
	assert_true(n > 0);
	assert_int_equal(ex.delay_ms, FIX_DELAY_MS);
	/* Other names are not delayed. */
	len = fix_query(req, 19, 0, "www.test.", RR_A, CLASS_IN, 0, false);
	assert_true(ask(len, false, &q, &ex) > 0);
	assert_int_equal(ex.delay_ms, 0);
	assert_null(ex.fault);
}

/* ---- the batch API ---- */

/* Every field of the explanation that says something. */
static void assert_explain_equal(const explain_t *a, const explain_t *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_ptr_equal(a->zone, b->zone);
	assert_ptr_equal(a->cut, b->cut);
	assert_int_equal(a->policy, b->policy);
	assert_int_equal(a->truncation, b->truncation);
	assert_ptr_equal(a->fault, b->fault);
	assert_int_equal(a->delay_ms, b->delay_ms);
	assert_int_equal(a->legacy_dropped, b->legacy_dropped);
	assert_int_equal(a->nns, b->nns);
	assert_int_equal(a->ns_total, b->ns_total);
	for (unsigned i = 0; i < a->nns && i < EXPLAIN_MAX_NS; i++) {
		assert_ptr_equal(a->ns[i].name, b->ns[i].name);
		assert_int_equal(a->ns[i].cls, b->ns[i].cls);
		assert_int_equal(a->ns[i].fate, b->ns[i].fate);
		assert_int_equal(a->ns[i].n_a, b->ns[i].n_a);
		assert_int_equal(a->ns[i].n_aaaa, b->ns[i].n_aaaa);
	}
	assert_int_equal(a->wildcard, b->wildcard);
	assert_int_equal(a->cnames, b->cnames);
	assert_int_equal(a->tc, b->tc);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->rcode, b->rcode);
	assert_memory_equal(a->count, b->count, sizeof(a->count));
	assert_int_equal(a->size, b->size);
	assert_int_equal(a->limit, b->limit);
}

static void assert_query_equal(const query_t *a, const query_t *b)
{
	assert_int_equal(a->id, b->id);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->has_question, b->has_question);
	assert_int_equal(a->qname_len, b->qname_len);
	assert_memory_equal(a->qname, b->qname, a->qname_len);
	assert_memory_equal(a->lname, b->lname, a->qname_len);
	assert_int_equal(a->qtype, b->qtype);
	assert_int_equal(a->qclass, b->qclass);
	assert_int_equal(a->edns, b->edns);
	assert_int_equal(a->edns_version, b->edns_version);
	assert_int_equal(a->do_bit, b->do_bit);
	assert_int_equal(a->edns_size, b->edns_size);
	assert_int_equal(a->rcode, b->rcode);
}

typedef struct breq {
	size_t len;
	uint8_t wire[300];
} breq_t;

/* Request number i of a mixed sequence: every verdict and kind, in the
 * small zone and the big one, in the client's mixed case. */
static void mixed_request(unsigned i, breq_t *r)
{
	char name[64];
	uint16_t id = (uint16_t)(0x4000 + i);
	switch (i % 20) {
	case 0:
		r->len = fix_query(r->wire, id, DNS_RD, "www.test.", RR_A, CLASS_IN, 0, false);
		break;
	case 1:
		r->len = fix_query(r->wire, id, 0, "a.b.CHILD.test.", RR_A, CLASS_IN, 0, true);
		break;
	case 2:
		r->len = fix_query(r->wire, id, 0, "nothing.test.", RR_AAAA, CLASS_IN, FIX_NO_EDNS,
				   false);
		break;
	case 3:
		r->len = fix_query(r->wire, id, 0, "www.test.", RR_MX, CLASS_IN, 0, false);
		break;
	case 4:
		r->len = fix_query(r->wire, id, 0, "www.example.org.", RR_A, CLASS_IN, 0, false);
		break;
	case 5:
		r->len = fix_query(r->wire, id, 0, "www.test.", RR_TXT, CLASS_CH, 0, false);
		break;
	case 6:
		r->len = fix_query(r->wire, id, 0, "test.", RR_AXFR, CLASS_IN, FIX_NO_EDNS, false);
		break;
	case 7:
		r->len = fix_query(r->wire, id, 0, "www.test.", RR_A, CLASS_IN, 1, false);
		break;
	case 8: /* a response: dropped */
		r->len = fix_query(r->wire, id, DNS_QR, "www.test.", RR_A, CLASS_IN, 0, false);
		break;
	case 9: /* shorter than a header: dropped */
		r->len = 5;
		memset(r->wire, 0x42, 5);
		break;
	case 10: /* two questions: FORMERR */
		r->len = fix_query(r->wire, id, 0, "www.test.", RR_A, CLASS_IN, FIX_NO_EDNS, false);
		r->wire[5] = 2;
		break;
	case 11:
		r->len = fix_query(r->wire, id, 2 << 11, "www.test.", RR_A, CLASS_IN, 0, false);
		break;
	case 12:
		r->len = fix_query(r->wire, id, 0, "slow.test.", RR_A, CLASS_IN, 0, false);
		break;
	case 13:
		r->len = fix_query(r->wire, id, 0, "gone.test.", RR_A, CLASS_IN, 0, false);
		break;
	case 14:
		r->len = fix_query(r->wire, id, 0, "www.test.", RR_A, CLASS_ANY, 0, false);
		break;
	case 15:
		r->len = fix_query(r->wire, id, 0, "test.", RR_IXFR, CLASS_IN, 0, false);
		break;
	default: /* the big zone: referrals and a name that is not there */
		snprintf(name, sizeof(name), i % 20 == 19 ? "x%u.big." : "www.D%u.big.",
			 i * 977 % BIG_DELEGATIONS);
		r->len = fix_query(r->wire, id, 0, name, RR_A, CLASS_IN, 0, false);
		break;
	}
}

/*
 * Answer n requests from number first on as one batch, and check each
 * answer, explanation and parsed query against respond()'s for the same
 * bytes. The request bytes are overwritten after each add, as a recvmmsg
 * slab may be: the batch must not keep them.
 */
static void batch_matches_respond(respond_batch_t *b, unsigned first, unsigned n)
{
	static breq_t reqs[RESPOND_BATCH_MAX];
	breq_t scratch;
	assert_int_equal(respond_batch_count(b), 0);
	for (unsigned i = 0; i < n; i++) {
		mixed_request(first + i, &reqs[i]);
		scratch = reqs[i];
		assert_int_equal(respond_batch_add(b, zs, scratch.wire, scratch.len), i);
		memset(&scratch, 0xEE, sizeof(scratch));
	}
	assert_int_equal(respond_batch_count(b), n);
	respond_batch_finish(b);
	for (unsigned i = 0; i < n; i++) {
		explain_t ex1, ex2;
		query_t q1;
		memset(&ex1, 0x5A, sizeof(ex1));
		memset(&ex2, 0x5A, sizeof(ex2));
		size_t n1 = respond(zs, reqs[i].wire, reqs[i].len, false, out, &q1, &ex1);
		size_t n2 = respond_batch_answer(b, i, out2, &ex2);
		assert_int_equal(n1, n2);
		assert_memory_equal(out, out2, n1);
		assert_explain_equal(&ex1, &ex2);
		if (reqs[i].len >= DNS_HEADER_LEN)
			assert_query_equal(&q1, respond_batch_query(b, i));
		/* Without an explanation: the same bytes. */
		assert_int_equal(respond_batch_answer(b, i, out2, NULL), n1);
		assert_memory_equal(out, out2, n1);
	}
	respond_batch_clear(b);
	assert_int_equal(respond_batch_count(b), 0);
}

static void test_batch_mixed(void **state)
{
	(void)state;
	respond_batch_t *b = respond_batch_new();
	assert_non_null(b);
	/* Full batches, one after the other in the same batch, with every
	 * kind of request at every position. */
	for (unsigned first = 0; first < 60; first += 7)
		batch_matches_respond(b, first, RESPOND_BATCH_MAX);
	respond_batch_free(b);
}

static void test_batch_of_one(void **state)
{
	(void)state;
	respond_batch_t *b = respond_batch_new();
	assert_non_null(b);
	for (unsigned i = 0; i < 20; i++)
		batch_matches_respond(b, i, 1);
	/* And every size in between. */
	for (unsigned n = 2; n < RESPOND_BATCH_MAX; n++)
		batch_matches_respond(b, n * 3, n);
	respond_batch_free(b);
}

static void test_batch_answer_order(void **state)
{
	(void)state;
	/* Answering out of order, or twice, changes nothing: each entry is
	 * answered from its own parse. */
	respond_batch_t *b = respond_batch_new();
	assert_non_null(b);
	breq_t r[3];
	for (unsigned i = 0; i < 3; i++) {
		mixed_request(16 + i, &r[i]);
		respond_batch_add(b, zs, r[i].wire, r[i].len);
	}
	respond_batch_finish(b);
	for (int k = 2; k >= 0; k--) {
		size_t n1 = respond(zs, r[k].wire, r[k].len, false, out, NULL, NULL);
		assert_true(n1 > 0);
		assert_int_equal(respond_batch_answer(b, (unsigned)k, out2, NULL), n1);
		assert_memory_equal(out, out2, n1);
		assert_int_equal(fix_id(out2), 0x4000 + 16 + k);
	}
	respond_batch_free(b);
	respond_batch_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formerr),
		cmocka_unit_test(test_notimp),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_badvers),
		cmocka_unit_test(test_drop),
		cmocka_unit_test(test_zone_transfers),
		cmocka_unit_test(test_class_any_not_authoritative),
		cmocka_unit_test(test_delay_fault),
		cmocka_unit_test(test_batch_mixed),
		cmocka_unit_test(test_batch_of_one),
		cmocka_unit_test(test_batch_answer_order),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
