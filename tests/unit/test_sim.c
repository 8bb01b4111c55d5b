/* Unit tests for sim.c: the predicted outcome of each kind of delegation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dns/name.h"
#include "dns/query.h"
#include "dns/rdata.h"
#include "dns/respond.h"
#include "analysis/sim.h"
#include "dns/zoneset.h"

#include "lab_fixture.h"

/* The network: 127.0.0.<last> is the server with that number, answered
 * in process; nothing else answers. */
static int send_at(void *ctx, const sim_addr_t *a, bool tcp, const uint8_t *q, size_t qlen,
		   uint8_t *resp, size_t cap, size_t *rlen)
{
	(void)ctx;
	static const uint8_t lo[3] = { 127, 0, 0 };
	*rlen = 0;
	if (a->len != 4 || memcmp(a->bytes, lo, 3) != 0)
		return ECONNREFUSED;
	for (size_t i = 0; i < nservers; i++) {
		if (servers[i].last != a->bytes[3])
			continue;
		explain_t ex;
		assert_true(cap >= RESPOND_MAX);
		*rlen = respond(servers[i].zs, q, qlen, tcp, resp, NULL, &ex);
		if (*rlen == 0)
			return ETIMEDOUT;
		return ex.delay_ms >= 1500 ? ETIME : 0;
	}
	return ECONNREFUSED;
}

static sim_result_t res;

static void resolve(const char *name, uint16_t type)
{
	sim_addr_t root = { 4, { 127, 0, 0, 1 } };
	uint8_t q[NAME_MAXLEN];
	assert_true(name_from_text(name, strlen(name), NULL, q) > 0);
	assert_int_equal(sim_resolve(&root, 1, &(sim_net_t){ send_at, NULL }, q, type, NULL, &res),
			 0);
}

static void expect_addr(const char *addr)
{
	char buf[64];
	if (res.rcode != RCODE_NOERROR || !res.has_addr) {
		fprintf(stderr, "rcode %u why: %s\ntrace:\n%s", res.rcode, res.why, res.trace);
		fail();
	}
	assert_string_equal(sim_addr_str(&res.addr, buf, sizeof(buf)), addr);
	assert_true(res.answered); /* and who answered is known */
	assert_true(res.answered_by.len == 4 || res.answered_by.len == 16);
}

/* SERVFAIL because of cause at zone, having run into every seen bit on
 * the way. */
static void expect_servfail(uint8_t cause, const char *zone, uint16_t seen)
{
	char z[NAME_TEXT_MAX];
	assert_true(name_to_text(res.cause_zone, z, sizeof(z)) > 0);
	if (res.rcode != RCODE_SERVFAIL || res.cause != cause || strcmp(z, zone) != 0 ||
	    (res.seen & seen) != seen) {
		fprintf(stderr, "rcode %u cause %u at %s seen %#x why: %s\ntrace:\n%s", res.rcode,
			res.cause, z, res.seen, res.why, res.trace);
		fail();
	}
	assert_false(res.answered);
}

static void test_in_domain_glue(void **state)
{
	resolve("www.good.lab.", RR_A);
	expect_addr("192.0.2.1");
	assert_int_equal(res.queries, 3); /* root, lab., good.lab. */
}

/* The trace names each question's type (known types by their mnemonic). */
static void test_trace_names_types(void **state)
{
	resolve("www.good.lab.", RR_AAAA);
	if (strstr(res.trace, "? www.good.lab. AAAA -> ") == NULL) {
		fprintf(stderr, "trace:\n%s", res.trace);
		fail();
	}
	resolve("www.good.lab.", 65280);
	assert_non_null(strstr(res.trace, "? www.good.lab. TYPE65280 -> "));
}

static void test_glue_withheld(void **state)
{
	resolve("www.nog.lab.", RR_A);
	expect_servfail(SIM_CAUSE_NO_ADDRESS, "nog.lab.", SIM_SEEN_NO_GLUE);
	assert_int_equal(res.seen & (SIM_SEEN_CYCLE | SIM_SEEN_LAME | SIM_SEEN_TIMEOUT), 0);
}

static void test_lame(void **state)
{
	resolve("www.lame.lab.", RR_A);
	expect_servfail(SIM_CAUSE_NO_ANSWER, "lame.lab.", SIM_SEEN_LAME);
}

static void test_glue_mismatch(void **state)
{
	resolve("www.mism.lab.", RR_A);
	/* The glue leads to 127.0.0.99, where nothing listens. */
	expect_servfail(SIM_CAUSE_NO_ANSWER, "mism.lab.", SIM_SEEN_NOBODY);
	assert_int_equal(res.seen & SIM_SEEN_LAME, 0);
}

static void test_out_of_domain(void **state)
{
	resolve("www.ood.lab.", RR_A);
	expect_addr("192.0.2.4");
	assert_int_equal(res.cause, SIM_CAUSE_NONE);
	assert_int_equal(res.naddrs, 1);
}

static void test_cyclic_sibling_with_glue(void **state)
{
	resolve("www.cyca.lab.", RR_A);
	expect_addr("192.0.2.5");
}

static void test_out_of_domain_cycle(void **state)
{
	resolve("www.loopa.lab.", RR_A);
	expect_servfail(SIM_CAUSE_NO_ADDRESS, "loopa.lab.", SIM_SEEN_CYCLE);
}

static void test_big_referral_over_tcp(void **state)
{
	/* 13 NS with long names, A+AAAA glue: over 1232 bytes, so TC. */
	resolve("www.big.lab.", RR_A);
	expect_addr("192.0.2.6");
	assert_true(res.tcp >= 1);
}

static void test_negative_and_cname(void **state)
{
	resolve("nothing.good.lab.", RR_A);
	assert_int_equal(res.rcode, RCODE_NXDOMAIN);
	resolve("www.good.lab.", RR_AAAA);
	assert_int_equal(res.rcode, RCODE_NOERROR);
	assert_true(res.nodata);
	resolve("alias.good.lab.", RR_A);
	expect_addr("192.0.2.4");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_domain_glue),
		cmocka_unit_test(test_trace_names_types),
		cmocka_unit_test(test_glue_withheld),
		cmocka_unit_test(test_lame),
		cmocka_unit_test(test_glue_mismatch),
		cmocka_unit_test(test_out_of_domain),
		cmocka_unit_test(test_cyclic_sibling_with_glue),
		cmocka_unit_test(test_out_of_domain_cycle),
		cmocka_unit_test(test_big_referral_over_tcp),
		cmocka_unit_test(test_negative_and_cname),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
