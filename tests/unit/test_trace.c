/*
 * Unit tests for trace.c: gluecheck's delegation walk, run over glued's
 * virtual servers answered in process (check_net_send) instead of sockets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/check.h"
#include "analysis/trace.h"
#include "dns/name.h"

#include "lab_fixture.h"

static check_server_t cs[8];
static sim_addr_t addrs[8];
static check_net_t net;
static trace_t *t;

static int net_setup(void **state)
{
	if (setup(state) != 0)
		return -1;
	for (size_t i = 0; i < nservers; i++) {
		addrs[i] = (sim_addr_t){ 4, { 127, 0, 0, servers[i].last } };
		cs[i] = (check_server_t){ .zs = servers[i].zs, .addrs = &addrs[i], .naddrs = 1 };
	}
	net = (check_net_t){ .servers = cs, .n = nservers, .timeout_ms = 1500 };
	t = calloc(1, sizeof(*t));
	return t ? 0 : -1;
}

static int net_teardown(void **state)
{
	free(t);
	return teardown(state);
}

static void walk(const char *domain)
{
	memset(t, 0, sizeof(*t));
	assert_true(name_from_text(domain, strlen(domain), NULL, t->o.domain) > 0);
	t->o.start = (sim_addr_t){ 4, { 127, 0, 0, 1 } };
	t->o.tries = 1;
	t->net = (sim_net_t){ check_net_send, &net };
	trace_run(t);
}

static int count(const char *code)
{
	int n = 0;
	for (int i = 0; i < t->nfindings; i++)
		n += strcmp(t->findings[i].f.code, code) == 0;
	return n;
}

static void dump(void)
{
	for (int i = 0; i < t->nfindings; i++)
		fprintf(stderr, "finding %s: %s\n", t->findings[i].f.code,
			t->findings[i].f.message);
	fprintf(stderr, "result: %s\n", t->result);
}

static void test_healthy(void **state)
{
	(void)state;
	walk("good.lab.");
	if (!t->complete || t->errors != 0)
		dump();
	assert_true(t->complete);
	assert_int_equal(t->errors, 0);
	assert_int_equal(t->nlevels, 3); /* . -> lab. -> good.lab. */
	assert_true(t->levels[2].referral);
	assert_string_equal(t->levels[2].ztext, "good.lab.");
	assert_int_equal(t->levels[2].nglue, 1);
}

static void test_glue_withheld(void **state)
{
	(void)state;
	walk("nog.lab.");
	assert_false(t->complete);
	assert_int_equal(count("MISSING_GLUE_FOR_NS_NAME"), 1);
	assert_true(t->levels[t->nlevels - 1].broken);
}

static void test_lame(void **state)
{
	(void)state;
	walk("lame.lab.");
	assert_false(t->complete);
	assert_int_equal(count("LAME_DELEGATION"), 1);
}

static void test_glue_leads_nowhere(void **state)
{
	(void)state;
	walk("mism.lab.");
	assert_false(t->complete);
	assert_int_equal(count("NO_SERVER_AT_ADDRESS"), 1); /* 127.0.0.99 */
}

static void test_out_of_domain_ns_resolved(void **state)
{
	(void)state;
	/* ns.hosting.other. has no glue: resolved with the simulated resolver. */
	walk("ood.lab.");
	if (!t->complete)
		dump();
	assert_true(t->complete);
	int found = 0;
	for (int i = 0; i < t->nrows; i++)
		found += strcmp(t->rows[i].ns, "ns.hosting.other.") == 0 && t->rows[i].auth &&
			 strstr(t->rows[i].glue, "resolved") != NULL;
	assert_int_equal(found, 1);
}

static void test_big_referral(void **state)
{
	(void)state;
	walk("big.lab.");
	assert_true(t->complete);
	assert_int_equal(count("REFERRAL_EXCEEDS_512") + count("REFERRAL_EXCEEDS_1232"), 1);
	assert_true(t->levels[2].over_tcp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy),
		cmocka_unit_test(test_glue_withheld),
		cmocka_unit_test(test_lame),
		cmocka_unit_test(test_glue_leads_nowhere),
		cmocka_unit_test(test_out_of_domain_ns_resolved),
		cmocka_unit_test(test_big_referral),
	};
	return cmocka_run_group_tests(tests, net_setup, net_teardown);
}
