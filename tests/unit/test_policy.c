/* Unit tests for policy.c: rule inheritance, what each glue mode keeps, and
 * which fault fires. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "dns/name.h"
#include "dns/policy.h"
#include "dns/rdata.h"
#include "dns/zone.h"
#include "dns/zone_build.h"

#include "zone_fixture.h"

static const glue_rule_t server_rule = { .mode = GLUE_FULL, .truncation = TRUNC_RFC9471 };

static void test_effective_rule(void **state)
{
	(void)state;
	char err[512];
	int w = 0;
	zone_t *z = load(PARENT, err, sizeof(err), &w);
	assert_non_null(z);
	const node_t *cut = find(z, "child.test.");
	const glue_rule_t *g;
	uint8_t trunc;

	/* Nothing set: the server's rule. */
	glue_rule_effective(z, cut, &server_rule, &g, &trunc);
	assert_ptr_equal(g, &server_rule);
	assert_int_equal(trunc, TRUNC_RFC9471);

	/* The zone sets the truncation only: glue still from the server. */
	glue_rule_t zr = GLUE_RULE_INHERIT;
	zr.truncation = TRUNC_LEGACY;
	zone_set_rule(z, &zr);
	glue_rule_effective(z, cut, &server_rule, &g, &trunc);
	assert_ptr_equal(g, &server_rule);
	assert_int_equal(trunc, TRUNC_LEGACY);

	/* The cut sets the glue: it wins for glue, the zone for truncation. */
	glue_rule_t cr = GLUE_RULE_INHERIT;
	cr.mode = GLUE_NONE;
	assert_int_equal(zone_set_cut_rule(z, cut->name, &cr), ST_OK);
	glue_rule_effective(z, cut, &server_rule, &g, &trunc);
	assert_ptr_equal(g, &cr);
	assert_int_equal(trunc, TRUNC_LEGACY);

	/* Not a referral (cut NULL): the zone's and the server's only. */
	glue_rule_effective(z, NULL, &server_rule, &g, &trunc);
	assert_ptr_equal(g, &server_rule);
	assert_int_equal(trunc, TRUNC_LEGACY);

	/* A rule on a name that is no cut is refused. */
	assert_int_equal(zone_set_cut_rule(z, find(z, "ns.test.")->name, &cr), ST_EINVAL);
	zone_free(z);
}

static void test_keeps(void **state)
{
	(void)state;
	char err[512];
	int w = 0;
	zone_t *z = load(PARENT, err, sizeof(err), &w);
	assert_non_null(z);
	/* child.test.: ns1.child (in-domain), ns.test. (in-zone), out-of-zone. */
	const node_t *cut = find(z, "child.test.");
	assert_int_equal(cut->nglue, 3);
	const glue_t *in = &cut->glue[0], *inzone = &cut->glue[1], *ooz = &cut->glue[2];
	assert_int_equal(in->cls, GLUE_CLASS_IN_DOMAIN);
	assert_int_equal(inzone->cls, GLUE_CLASS_IN_ZONE);
	assert_int_equal(ooz->cls, GLUE_CLASS_OUT_OF_ZONE);

	glue_rule_t r = { .mode = GLUE_FULL };
	assert_true(glue_rule_keeps(&r, in, 0));
	assert_true(glue_rule_keeps(&r, inzone, 1));
	assert_false(glue_rule_keeps(&r, ooz, 2)); /* never, whatever the mode */
	r.mode = GLUE_IN_DOMAIN;
	assert_true(glue_rule_keeps(&r, in, 0));
	assert_false(glue_rule_keeps(&r, inzone, 1));
	r.mode = GLUE_NONE;
	assert_false(glue_rule_keeps(&r, in, 0));
	r.mode = GLUE_WRONG;
	assert_true(glue_rule_keeps(&r, in, 0));
	/* partial: the first N in glue-list order, or the names listed. */
	r = (glue_rule_t){ .mode = GLUE_PARTIAL, .first = 1 };
	assert_true(glue_rule_keeps(&r, in, 0));
	assert_false(glue_rule_keeps(&r, inzone, 1));
	r = (glue_rule_t){ .mode = GLUE_PARTIAL, .nnames = 1 };
	assert_true(name_from_text("NS.test.", 8, NULL, r.names[0]) > 0);
	name_lower(r.names[0], r.names[0]);
	assert_false(glue_rule_keeps(&r, in, 0));
	assert_true(glue_rule_keeps(&r, inzone, 1));
	zone_free(z);
}

static void test_wrong_glue_rewritten(void **state)
{
	(void)state;
	char err[512];
	int w = 0;
	zone_t *z = load(PARENT, err, sizeof(err), &w);
	assert_non_null(z);
	glue_rule_t wrong = { .mode = GLUE_WRONG,
			      .truncation = TRUNC_INHERIT,
			      .has_wrong_a = true,
			      .wrong_a = { 198, 51, 100, 7 } };
	const node_t *cut = find(z, "child.test.");
	assert_int_equal(zone_set_cut_rule(z, cut->name, &wrong), ST_OK);
	assert_int_equal(zone_prepare_rules(z, &server_rule), ST_OK);
	const glue_t *g = &cut->glue[0];
	assert_non_null(g->wrong_a);
	assert_memory_equal(g->wrong_a->data, "\0\4\306\63\144\7", 6);
	assert_int_equal(g->wrong_a->ttl, g->a->ttl);
	assert_null(g->wrong_aaaa); /* no wrong AAAA given: that family goes */
	/* Other cuts keep their own glue. */
	assert_null(find(z, "b.test.")->glue[0].wrong_a);
	zone_free(z);
}

static void test_fault_firing(void **state)
{
	(void)state;
	fault_rt_t f[2];
	memset(f, 0, sizeof(f));
	f[0].f = (fault_t){ .action = FAULT_REFUSE, .type = RR_A, .every = 2, .has_name = true };
	assert_true(name_from_text("sub.test.", 9, NULL, f[0].f.name) > 0);
	f[1].f = (fault_t){ .action = FAULT_DROP, .every = 1 };
	const uint8_t *below = (const uint8_t *)"\3www\3sub\4test\0";
	const uint8_t *other = (const uint8_t *)"\3www\4test\0";
	/* The first matches every other query; the second catches the rest. */
	assert_ptr_equal(fault_firing(f, 2, below, RR_A), &f[1]);
	assert_ptr_equal(fault_firing(f, 2, below, RR_A), &f[0]);
	assert_ptr_equal(fault_firing(f, 2, below, RR_A), &f[1]);
	assert_ptr_equal(fault_firing(f, 2, below, RR_A), &f[0]);
	/* Another type or name does not match the first, nor count for it. */
	assert_ptr_equal(fault_firing(f, 2, below, RR_AAAA), &f[1]);
	assert_ptr_equal(fault_firing(f, 2, other, RR_A), &f[1]);
	assert_int_equal(f[0].seen, 4);
	assert_null(fault_firing(f, 1, other, RR_A));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_effective_rule),
		cmocka_unit_test(test_keeps),
		cmocka_unit_test(test_wrong_glue_rewritten),
		cmocka_unit_test(test_fault_firing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
