/* Unit tests for sim.c: the predicted outcome of each kind of delegation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "dns/name.h"
#include "dns/query.h"
#include "dns/rdata.h"
#include "analysis/sim.h"
#include "dns/zoneset.h"

#include "lab_fixture.h"

/* The network: 127.0.0.<last> is the server with that number. */
static const zoneset_t *at(void *ctx, const sim_addr_t *a)
{
	(void)ctx;
	static const uint8_t lo[3] = {127, 0, 0};
	if (a->len != 4 || memcmp(a->bytes, lo, 3) != 0)
		return NULL;
	for (size_t i = 0; i < nservers; i++)
		if (servers[i].last == a->bytes[3])
			return servers[i].zs;
	return NULL;
}

static sim_result_t res;

static void resolve(const char *name, uint16_t type)
{
	sim_addr_t root = {4, {127, 0, 0, 1}};
	uint8_t q[NAME_MAXLEN];
	assert_true(name_from_text(name, strlen(name), NULL, q) > 0);
	assert_int_equal(sim_resolve(&root, 1, at, NULL, q, type, NULL, &res), 0);
}

static void expect_addr(const char *addr)
{
	char buf[64];
	if (res.rcode != RCODE_NOERROR || !res.has_addr) {
		fprintf(stderr, "rcode %u why: %s\ntrace:\n%s", res.rcode, res.why, res.trace);
		fail();
	}
	assert_string_equal(sim_addr_str(&res.addr, buf, sizeof(buf)), addr);
}

static void expect_servfail(const char *because)
{
	if (res.rcode != RCODE_SERVFAIL || strstr(res.why, because) == NULL) {
		fprintf(stderr, "rcode %u why: %s\ntrace:\n%s", res.rcode, res.why, res.trace);
		fail();
	}
}

static void test_in_domain_glue(void **state)
{
	resolve("www.good.lab.", RR_A);
	expect_addr("192.0.2.1");
	assert_int_equal(res.queries, 3); /* root, lab., good.lab. */
}

static void test_glue_withheld(void **state)
{
	resolve("www.nog.lab.", RR_A);
	expect_servfail("ns1.nog.lab. has no glue and no other path");
}

static void test_lame(void **state)
{
	resolve("www.lame.lab.", RR_A);
	expect_servfail("REFUSED (lame");
}

static void test_glue_mismatch(void **state)
{
	resolve("www.mism.lab.", RR_A);
	expect_servfail("127.0.0.99: timeout");
}

static void test_out_of_domain(void **state)
{
	resolve("www.ood.lab.", RR_A);
	expect_addr("192.0.2.4");
}

static void test_cyclic_sibling_with_glue(void **state)
{
	resolve("www.cyca.lab.", RR_A);
	expect_addr("192.0.2.5");
}

static void test_out_of_domain_cycle(void **state)
{
	resolve("www.loopa.lab.", RR_A);
	expect_servfail("cyclic dependency");
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
