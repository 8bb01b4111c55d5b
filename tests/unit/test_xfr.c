/*
 * test_xfr.c -- zone transfers in the engine: AXFR and IXFR out (xfr.h),
 * the histories they read (journal.h), and the client side that reads
 * them back (xfrin.h), with and without TSIG.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "dns/header.h"
#include "dns/journal.h"
#include "dns/rdata.h"
#include "dns/respond.h"
#include "dns/wire.h"
#include "dns/xfr.h"
#include "dns/xfrin.h"
#include "dns/zoneset.h"
#include "zone_fixture.h"

#define NOW 1800000000u

static const uint8_t ORIGIN[] = "\x04test";

static struct sockaddr_in peer4(const char *addr)
{
	struct sockaddr_in s = { .sin_family = AF_INET, .sin_port = htons(40000) };
	inet_pton(AF_INET, addr, &s.sin_addr);
	return s;
}

/* A zoneset of one zone loaded from text, with transfer settings x. */
static zoneset_t *set_of(const char *text, xfr_spec_t *x)
{
	char err[512];
	int warnings = 0;
	zone_t *z = load(text, err, sizeof(err), &warnings);
	assert_non_null(z);
	zoneset_t *zs = NULL;
	assert_int_equal(zoneset_from_zones(&z, 1, GLUE_FULL, &zs, err, sizeof(err)), ST_OK);
	if (x) {
		zs->xfr[0] = x;
		zs->nxfr = 1;
	}
	return zs;
}

static void unset(zoneset_t *zs)
{
	zs->xfr[0] = NULL;
	zoneset_free(zs);
}

static xfr_spec_t allow_lo(void)
{
	xfr_spec_t x;
	char err[128];
	memset(&x, 0, sizeof(x));
	assert_int_equal(xfr_addr_parse("127.0.0.0/8", true, 53, &x.allow[0], err, sizeof(err)),
			 ST_OK);
	x.nallow = 1;
	return x;
}

/* An IXFR request carrying serial in AUTHORITY. */
static size_t ixfr_request(uint8_t *buf, uint16_t id, uint32_t serial)
{
	size_t n = xfr_build_request(buf, 512, id, ORIGIN, RR_IXFR, NULL, NOW);
	assert_true(n > 0);
	wire_put16(buf + 8, 1);
	static const uint8_t soa_rd[] = "\x02ns\x04test\x00\x04host\x04test";
	size_t rdl = sizeof(soa_rd) + 20;
	buf[n++] = 0xC0, buf[n++] = 12;
	wire_put16(buf + n, RR_SOA), wire_put16(buf + n + 2, CLASS_IN);
	wire_put32(buf + n + 4, 0), wire_put16(buf + n + 8, (uint16_t)rdl);
	n += 10;
	memcpy(buf + n, soa_rd, sizeof(soa_rd));
	n += sizeof(soa_rd);
	memset(buf + n, 0, 20);
	wire_put32(buf + n, serial);
	return n + 20;
}

/* Drain a stream into a client, message by message. */
static int drain(xfr_out_t *x, xfrin_t *in, unsigned *msgs, size_t cap)
{
	static uint8_t out[RESPOND_MAX];
	int r = 0;
	size_t n;
	*msgs = 0;
	while ((n = xfr_out_next(x, out, cap)) > 0) {
		assert_true(n <= cap);
		(*msgs)++;
		if (in) {
			r = xfrin_feed(in, out, n, NOW);
			assert_true(r >= 0);
		}
	}
	assert_false(xfr_out_failed(x));
	return r;
}

static void test_axfr_roundtrip(void **state)
{
	(void)state;
	xfr_spec_t x = allow_lo();
	zoneset_t *zs = set_of(PARENT, &x);
	struct sockaddr_in p = peer4("127.0.0.5");
	uint8_t req[512], out[RESPOND_MAX];
	size_t len = xfr_build_request(req, sizeof(req), 77, ORIGIN, RR_AXFR, NULL, NOW);
	xfr_result_t res;
	assert_int_equal(xfr_answer(zs, req, len, true, (struct sockaddr *)&p, NOW, out, &res),
			 ST_OK);
	assert_int_equal(res.outcome, XFR_STREAM);
	xfrin_t in;
	xfrin_init(&in, ORIGIN, 77, NULL, NULL, "test");
	unsigned msgs;
	assert_int_equal(drain(res.stream, &in, &msgs, RESPOND_MAX), 1);
	uint32_t m;
	uint64_t recs, bytes;
	xfr_out_counts(res.stream, &m, &recs, &bytes);
	/* Every record once, the SOA twice. */
	assert_int_equal(recs, zone_record_count(zs->zones[0]) + 1);
	assert_int_equal(in.copy.recs.n, zone_record_count(zs->zones[0]));
	assert_int_equal(in.copy.serial, 1);
	xfr_out_free(res.stream);

	/* The copy builds the same zone. */
	zone_copy_t c;
	xfrin_take(&in, &c);
	zone_t *z2 = NULL;
	char err[256];
	assert_int_equal(zone_load_source("copy", zone_copy_source, &c, c.recs.len, NULL, NULL,
					  NULL, &z2, err, sizeof(err)),
			 ST_OK);
	assert_int_equal(zone_record_count(z2), zone_record_count(zs->zones[0]));
	assert_int_equal(zone_node_count(z2), zone_node_count(zs->zones[0]));
	/* Glue is zone data: it travels with the zone. */
	assert_non_null(node_rrset(find(z2, "ns1.child.test."), RR_AAAA));
	zone_free(z2);
	zone_copy_free(&c);
	xfrin_free(&in);
	unset(zs);
}

/* A zone too big for one message goes in several, each compressed and
 * within the limit, and comes back whole. */
static void test_axfr_many_messages(void **state)
{
	(void)state;
	size_t cap = 200000, at = 0;
	char *text = malloc(cap);
	at += (size_t)snprintf(text, cap, "%s", PARENT);
	for (int i = 0; i < 3000; i++)
		at += (size_t)snprintf(text + at, cap - at, "d%d NS ns.d%d\nns.d%d A 192.0.2.%d\n",
				       i, i, i, i % 250);
	xfr_spec_t x = allow_lo();
	zoneset_t *zs = set_of(text, &x);
	free(text);
	struct sockaddr_in p = peer4("127.0.0.1");
	uint8_t req[512], out[RESPOND_MAX];
	size_t len = xfr_build_request(req, sizeof(req), 9, ORIGIN, RR_AXFR, NULL, NOW);
	xfr_result_t res;
	assert_int_equal(xfr_answer(zs, req, len, true, (struct sockaddr *)&p, NOW, out, &res),
			 ST_OK);
	assert_int_equal(res.outcome, XFR_STREAM);
	xfrin_t in;
	xfrin_init(&in, ORIGIN, 9, NULL, NULL, "test");
	unsigned msgs;
	assert_int_equal(drain(res.stream, &in, &msgs, 16384), 1);
	assert_true(msgs > 5);
	assert_int_equal(in.copy.recs.n, zone_record_count(zs->zones[0]));
	uint32_t m;
	uint64_t recs, bytes;
	xfr_out_counts(res.stream, &m, &recs, &bytes);
	/* Compressed: well under the uncompressed size of the records. */
	assert_true(bytes < in.copy.recs.len);
	xfr_out_free(res.stream);
	xfrin_free(&in);
	unset(zs);
}

static void expect_rcode(zoneset_t *zs, const uint8_t *req, size_t len, bool tcp, const char *from,
			 unsigned rcode)
{
	struct sockaddr_in p = peer4(from);
	uint8_t out[RESPOND_MAX];
	xfr_result_t res;
	assert_int_equal(xfr_answer(zs, req, len, tcp, (struct sockaddr *)&p, NOW, out, &res),
			 ST_OK);
	assert_int_not_equal(res.outcome, XFR_STREAM);
	assert_true(res.len >= DNS_HEADER_LEN);
	assert_int_equal(out[3] & 0xF, rcode);
	assert_true(res.why[0] != 0);
}

static void test_refusals(void **state)
{
	(void)state;
	xfr_spec_t x = allow_lo();
	zoneset_t *zs = set_of(PARENT, &x);
	uint8_t req[512];
	size_t len = xfr_build_request(req, sizeof(req), 1, ORIGIN, RR_AXFR, NULL, NOW);
	expect_rcode(zs, req, len, true, "192.0.2.99", RCODE_REFUSED); /* not allowed */
	expect_rcode(zs, req, len, false, "127.0.0.1", RCODE_NOTIMP);  /* AXFR over UDP */
	size_t l2 = xfr_build_request(req, sizeof(req), 1, (const uint8_t *)"\x03www\x04test",
				      RR_AXFR, NULL, NOW);
	expect_rcode(zs, req, l2, true, "127.0.0.1", RCODE_NOTAUTH); /* not an apex */
	zs->xfr[0]->nallow = 0;                                      /* nobody */
	len = xfr_build_request(req, sizeof(req), 1, ORIGIN, RR_AXFR, NULL, NOW);
	expect_rcode(zs, req, len, true, "127.0.0.1", RCODE_REFUSED);
	unset(zs);
}

static char *bumped(const char *from, const char *to)
{
	char *t = malloc(strlen(PARENT) + 200);
	const char *at = strstr(PARENT, from);
	size_t pre = (size_t)(at - PARENT);
	memcpy(t, PARENT, pre);
	strcpy(t + pre, to);
	strcat(t, at + strlen(from));
	return t;
}

static void test_ixfr(void **state)
{
	(void)state;
	char err[256];
	int w = 0;
	zone_t *z1 = load(PARENT, err, sizeof(err), &w);
	char *t2 = bumped("host.test. 1 7200", "host.test. 2 7200");
	char *t3 = malloc(strlen(t2) + 64);
	strcpy(t3, t2);
	/* serial 3: one address changed, one record added */
	char *ns = strstr(t3, "ns A 192.0.2.1\n");
	memcpy(ns, "ns A 192.0.2.7\n", 15);
	strcat(t3, "new A 192.0.2.50\n");
	char *s3 = strstr(t3, "host.test. 2 ");
	s3[11] = '3';
	zone_t *z2 = load(t2, err, sizeof(err), &w);
	xfr_spec_t x = allow_lo();
	zoneset_t *zs = set_of(t3, &x);
	const zone_t *z3 = zs->zones[0];
	assert_int_equal(zone_serial(z3), 3);

	journal_diff_t *d12 = journal_diff(z1, z2), *d23 = journal_diff(z2, z3);
	assert_non_null(d12);
	assert_int_equal(d12->ndel, 1); /* the SOA only */
	assert_int_equal(d12->nadd, 1);
	assert_int_equal(d23->ndel, 2); /* SOA, the old address */
	assert_int_equal(d23->nadd, 3); /* SOA, the new address, the new name */
	journal_t *j1 = journal_extend(NULL, d12);
	journal_t *j2 = journal_extend(j1, d23);
	journal_release(j1);
	assert_int_equal(j2->n, 2);
	assert_int_equal(journal_find(j2, 1), 0);
	assert_int_equal(journal_find(j2, 2), 1);
	assert_int_equal(journal_find(j2, 3), -1);
	zoneset_set_journal(zs, 0, j2);
	journal_release(j2);

	struct sockaddr_in p = peer4("127.0.0.1");
	uint8_t req[512], out[RESPOND_MAX];
	xfr_result_t res;
	/* From serial 1: SOA 3, (SOA 1, SOA 2), (SOA 2, -ns, SOA 3, +ns +new), SOA 3. */
	size_t len = ixfr_request(req, 5, 1);
	assert_int_equal(xfr_answer(zs, req, len, true, (struct sockaddr *)&p, NOW, out, &res),
			 ST_OK);
	assert_int_equal(res.outcome, XFR_STREAM);
	unsigned msgs;
	(void)drain(res.stream, NULL, &msgs, RESPOND_MAX);
	uint32_t m;
	uint64_t recs, bytes;
	xfr_out_counts(res.stream, &m, &recs, &bytes);
	assert_int_equal(recs, 1 + 2 + 5 + 1);
	xfr_out_free(res.stream);

	/* Current, or over UDP: the SOA alone. */
	for (int k = 0; k < 2; k++) {
		len = ixfr_request(req, 6, k == 0 ? 3 : 1);
		assert_int_equal(
			xfr_answer(zs, req, len, k == 0, (struct sockaddr *)&p, NOW, out, &res),
			ST_OK);
		assert_int_equal(res.outcome, XFR_REPLY);
		assert_int_equal(wire_get16(out + 6), 1);
		assert_true(out[2] & (DNS_AA >> 8));
	}
	/* Further back than the history: the whole zone. */
	len = ixfr_request(req, 7, 0xFFFFFF00u);
	assert_int_equal(xfr_answer(zs, req, len, true, (struct sockaddr *)&p, NOW, out, &res),
			 ST_OK);
	assert_int_equal(res.outcome, XFR_STREAM);
	(void)drain(res.stream, NULL, &msgs, RESPOND_MAX);
	xfr_out_counts(res.stream, &m, &recs, &bytes);
	assert_int_equal(recs, zone_record_count(z3) + 1);
	xfr_out_free(res.stream);

	zone_free(z1);
	zone_free(z2);
	free(t2);
	free(t3);
	unset(zs);
}

static void test_tsig(void **state)
{
	(void)state;
	xfr_spec_t x = allow_lo();
	char err[128];
	assert_int_equal(tsig_key_init(&x.key, "xfr-key", "hmac-sha256",
				       "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0", err, sizeof(err)),
			 ST_OK);
	x.has_key = true;
	tsig_key_t wrong = x.key;
	wrong.secret[0] ^= 1;
	zoneset_t *zs = set_of(PARENT, &x);
	struct sockaddr_in p = peer4("127.0.0.1");
	uint8_t req[1024], out[RESPOND_MAX];
	xfr_result_t res;

	/* Signed with the key: a signed stream the client verifies. */
	tsig_ctx_t ctx;
	tsig_ctx_init(&ctx, &x.key);
	size_t len = xfr_build_request(req, sizeof(req), 3, ORIGIN, RR_AXFR, &ctx, NOW);
	assert_int_equal(xfr_answer(zs, req, len, true, (struct sockaddr *)&p, NOW, out, &res),
			 ST_OK);
	assert_int_equal(res.outcome, XFR_STREAM);
	xfrin_t in;
	xfrin_init(&in, ORIGIN, 3, NULL, &ctx, "test");
	unsigned msgs;
	assert_int_equal(drain(res.stream, &in, &msgs, 4096), 1);
	xfr_out_free(res.stream);
	xfrin_free(&in);
	tsig_ctx_free(&ctx);

	/* Unsigned: refused. Wrong key: NOTAUTH. */
	len = xfr_build_request(req, sizeof(req), 4, ORIGIN, RR_AXFR, NULL, NOW);
	expect_rcode(zs, req, len, true, "127.0.0.1", RCODE_REFUSED);
	tsig_ctx_init(&ctx, &wrong);
	len = xfr_build_request(req, sizeof(req), 4, ORIGIN, RR_AXFR, &ctx, NOW);
	expect_rcode(zs, req, len, true, "127.0.0.1", RCODE_NOTAUTH);
	tsig_ctx_free(&ctx);
	unset(zs);
}

static void test_notify(void **state)
{
	(void)state;
	char err[128];
	xfr_spec_t x;
	memset(&x, 0, sizeof(x));
	assert_int_equal(xfr_addr_parse("127.0.0.9:5353", false, 53, &x.primary, err, sizeof(err)),
			 ST_OK);
	x.has_primary = true;
	zoneset_t *zs = set_of(PARENT, &x);
	uint8_t req[1024], out[RESPOND_MAX];
	size_t len = xfr_build_notify(req, sizeof(req), 11, zs->zones[0], NULL, NOW);
	assert_true(xfr_peek(req, len));
	struct sockaddr_in p = peer4("127.0.0.9");
	xfr_result_t res;
	assert_int_equal(xfr_answer(zs, req, len, false, (struct sockaddr *)&p, NOW, out, &res),
			 ST_OK);
	assert_int_equal(res.outcome, XFR_NOTIFIED);
	assert_int_equal(res.serial, 1);
	assert_int_equal(out[3] & 0xF, RCODE_NOERROR);
	assert_int_equal(DNS_OPCODE(wire_get16(out + 2)), 4);
	/* From anyone else: refused. */
	expect_rcode(zs, req, len, false, "127.0.0.10", RCODE_REFUSED);
	/* A zone pulled from there that no transfer has brought yet: heard. */
	zoneset_waiting_t w = { .xfr = &x };
	memcpy(w.origin, "\x06pulled", 8);
	zs->waiting = &w;
	zs->nwaiting = 1;
	len = xfr_build_request(req, sizeof(req), 12, w.origin, RR_SOA, NULL, NOW);
	req[2] = 4 << 3 | 0x04; /* NOTIFY, AA */
	assert_int_equal(xfr_answer(zs, req, len, false, (struct sockaddr *)&p, NOW, out, &res),
			 ST_OK);
	assert_int_equal(res.outcome, XFR_NOTIFIED);
	assert_true(name_equal(res.origin, w.origin));
	zs->waiting = NULL;
	zs->nwaiting = 0;
	/* A plain query is not a transfer. */
	len = xfr_build_request(req, sizeof(req), 1, ORIGIN, RR_SOA, NULL, NOW);
	assert_false(xfr_peek(req, len));
	unset(zs);
}

/* What a hostile or broken primary sends ends the transfer with a reason. */
static void test_xfrin_hostile(void **state)
{
	(void)state;
	xfrin_t in;
	uint8_t msg[600];
	/* Not the answer: wrong ID. */
	size_t len = xfr_build_request(msg, sizeof(msg), 1, ORIGIN, RR_AXFR, NULL, NOW);
	msg[2] |= 0x80;
	xfrin_init(&in, ORIGIN, 2, NULL, NULL, "test");
	assert_true(xfrin_feed(&in, msg, len, NOW) < 0);
	assert_non_null(strstr(in.err, "not the answer"));
	xfrin_free(&in);
	/* An error rcode. */
	xfrin_init(&in, ORIGIN, 1, NULL, NULL, "test");
	msg[3] = RCODE_REFUSED;
	assert_true(xfrin_feed(&in, msg, len, NOW) < 0);
	assert_non_null(strstr(in.err, "REFUSED"));
	xfrin_free(&in);
	/* A first record that is not the SOA. */
	msg[3] = 0;
	wire_put16(msg + 6, 1);
	static const uint8_t a_rr[] = { 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1 };
	memcpy(msg + len, a_rr, sizeof(a_rr));
	xfrin_init(&in, ORIGIN, 1, NULL, NULL, "test");
	assert_true(xfrin_feed(&in, msg, len + sizeof(a_rr), NOW) < 0);
	assert_non_null(strstr(in.err, "SOA"));
	xfrin_free(&in);
	/* Garbage: a record running past the message, and every truncation. */
	for (size_t cut = 0; cut < len + sizeof(a_rr); cut++) {
		xfrin_init(&in, ORIGIN, 1, NULL, NULL, "test");
		assert_true(xfrin_feed(&in, msg, cut, NOW) <= 0);
		xfrin_free(&in);
	}
}

/* The record limit of zone files holds for transfers too. */
static void test_xfrin_limit(void **state)
{
	(void)state;
	xfr_spec_t x = allow_lo();
	zoneset_t *zs = set_of(PARENT, &x);
	struct sockaddr_in p = peer4("127.0.0.1");
	uint8_t req[512], out[RESPOND_MAX];
	size_t len = xfr_build_request(req, sizeof(req), 8, ORIGIN, RR_AXFR, NULL, NOW);
	xfr_result_t res;
	assert_int_equal(xfr_answer(zs, req, len, true, (struct sockaddr *)&p, NOW, out, &res),
			 ST_OK);
	zone_limits_t lim = zone_limits_default();
	lim.max_records = 5;
	xfrin_t in;
	xfrin_init(&in, ORIGIN, 8, &lim, NULL, "test");
	size_t n = xfr_out_next(res.stream, out, RESPOND_MAX);
	assert_int_equal(xfrin_feed(&in, out, n, NOW), ST_ELIMIT);
	assert_non_null(strstr(in.err, "limit"));
	xfrin_free(&in);
	xfr_out_free(res.stream);
	unset(zs);
}

static void test_addr_parse(void **state)
{
	(void)state;
	xfr_addr_t a;
	char err[200], buf[80];
	assert_int_equal(xfr_addr_parse("[::1]:5353", false, 53, &a, err, sizeof(err)), ST_OK);
	assert_string_equal(xfr_addr_str(&a, buf, sizeof(buf)), "[::1]:5353");
	assert_int_equal(xfr_addr_parse("192.0.2.1", false, 53, &a, err, sizeof(err)), ST_OK);
	assert_string_equal(xfr_addr_str(&a, buf, sizeof(buf)), "192.0.2.1:53");
	assert_int_equal(xfr_addr_parse("10.0.0.0/33", true, 53, &a, err, sizeof(err)), ST_EINVAL);
	assert_int_equal(xfr_addr_parse("nonsense", false, 53, &a, err, sizeof(err)), ST_EINVAL);
	assert_non_null(strstr(err, "nonsense"));
	assert_int_equal(xfr_addr_parse("2001:db8::/32", true, 53, &a, err, sizeof(err)), ST_OK);
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	inet_pton(AF_INET6, "2001:db8:1::5", &s6.sin6_addr);
	assert_true(xfr_addr_match(&a, (struct sockaddr *)&s6));
	inet_pton(AF_INET6, "2001:db9::5", &s6.sin6_addr);
	assert_false(xfr_addr_match(&a, (struct sockaddr *)&s6));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_axfr_roundtrip), cmocka_unit_test(test_axfr_many_messages),
		cmocka_unit_test(test_refusals),       cmocka_unit_test(test_ixfr),
		cmocka_unit_test(test_tsig),           cmocka_unit_test(test_notify),
		cmocka_unit_test(test_xfrin_hostile),  cmocka_unit_test(test_xfrin_limit),
		cmocka_unit_test(test_addr_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
