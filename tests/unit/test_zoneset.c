/* Unit tests for zoneset.c: one virtual server's zones, rules and faults. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/zoneset.h"

#include "zone_fixture.h"

/* The announcements of a zoneset, one letter a record: 'z' a zone fault,
 * 'd' a delegation rule, ... */
static void collect_announce(void *ctx, const announce_t *a)
{
	char *buf = ctx;
	size_t n = strlen(buf);
	buf[n] = a->fault ? (a->scope == ANNOUNCE_ZONE ? 'z' : 's')
			  : (a->scope == ANNOUNCE_DELEGATION ? 'd'
			     : a->scope == ANNOUNCE_ZONE     ? 'Z'
							     : 'S');
	buf[n + 1] = 0;
}

static void test_zoneset_deepest(void **state)
{
	char err[512];
	int w = 0;
	zone_t *zones[3];
	zones[0] = load(PARENT, err, sizeof(err), &w);
	zones[1] = load("$ORIGIN child.test.\n$TTL 60\n@ SOA a. b. 1 2 3 4 5\n@ NS a.\n", err,
			sizeof(err), &w);
	zones[2] =
		load("$ORIGIN .\n$TTL 60\n@ SOA a. b. 1 2 3 4 5\n@ NS a.\n", err, sizeof(err), &w);
	assert_non_null(zones[0]);
	assert_non_null(zones[1]);
	assert_non_null(zones[2]);
	zoneset_t *zs = NULL;
	assert_int_equal(zoneset_from_zones(zones, 3, GLUE_FULL, &zs, err, sizeof(err)), ST_OK);
	const zone_t *z = zoneset_find(zs, (const uint8_t *)"\3www\5child\4test\0");
	assert_memory_equal(zone_origin(z), "\5child\4test\0", 12);
	z = zoneset_find(zs, (const uint8_t *)"\3www\4test\0");
	assert_memory_equal(zone_origin(z), "\4test\0", 6);
	z = zoneset_find(zs, (const uint8_t *)"\3org\0");
	assert_int_equal(zone_origin(z)[0], 0);
	/* The bytes of "\4test\0" end this name, but not on a label
	 * boundary: one label "x\4test", under the root. */
	z = zoneset_find(zs, (const uint8_t *)"\6x\4test\0");
	assert_int_equal(zone_origin(z)[0], 0);
	size_t at = 99;
	assert_non_null(zoneset_find_at(zs, (const uint8_t *)"\4test\0", &at));
	assert_memory_equal(zone_origin(zs->zones[at]), "\4test\0", 6);
	zoneset_free(zs);

	/* The same origin twice is refused. */
	zones[0] = load(PARENT, err, sizeof(err), &w);
	zones[1] = load(PARENT, err, sizeof(err), &w);
	assert_int_equal(zoneset_from_zones(zones, 2, GLUE_FULL, &zs, err, sizeof(err)), ST_EEXIST);
	assert_non_null(strstr(err, "already loaded"));
}

static void test_zoneset_rules_and_faults(void **state)
{
	char err[512];
	deleg_spec_t d = { .rule = GLUE_RULE_INHERIT };
	d.rule.mode = GLUE_NONE;
	assert_true(name_from_text("child.test.", 11, NULL, d.name) > 0);
	fault_t f = { .action = FAULT_SERVFAIL, .every = 1 };
	zone_spec_t zspec = { .origin = "test.",
			      .file = GOLDEN_ZONE,
			      .rule = GLUE_RULE_INHERIT,
			      .delegs = &d,
			      .ndelegs = 1,
			      .faults = &f,
			      .nfaults = 1 };
	server_spec_t spec = {
		.name = "tld", .zones = &zspec, .nzones = 1, .rule = GLUE_RULE_INHERIT
	};
	zoneset_t *zs = NULL;
	assert_int_equal(zoneset_load(&spec, NULL, NULL, &zs, err, sizeof(err)), ST_OK);
	/* Server defaults are the RFC's; the zone's fault matches any name. */
	assert_int_equal(zs->rule.mode, GLUE_FULL);
	assert_int_equal(zs->rule.truncation, TRUNC_RFC9471);
	const fault_rt_t *hit = zoneset_fault(zs, 0, (const uint8_t *)"\3www\4test\0", RR_A);
	assert_non_null(hit);
	assert_int_equal(hit->f.action, FAULT_SERVFAIL);
	assert_null(zoneset_fault(zs, SIZE_MAX, (const uint8_t *)"\3www\4test\0", RR_A));
	/* The delegation rule sits on the cut, and is announced. */
	const node_t *cut = find(zs->zones[0], "child.test.");
	assert_non_null(cut->rule);
	assert_int_equal(cut->rule->mode, GLUE_NONE);
	char seen[8] = "";
	assert_int_equal(zoneset_announce(zs, collect_announce, seen), 2);
	assert_string_equal(seen, "zd");
	zoneset_free(zs);

	/* A rule for a name that is not a delegation is an error naming it. */
	assert_true(name_from_text("www.test.", 9, NULL, d.name) > 0);
	snprintf(d.where, sizeof(d.where), "lab.yaml:12");
	assert_int_equal(zoneset_load(&spec, NULL, NULL, &zs, err, sizeof(err)), ST_EINVAL);
	assert_non_null(strstr(err, "lab.yaml:12: www.test. is not a delegation of zone test."));
	assert_true(name_from_text("nope.test.", 10, NULL, d.name) > 0);
	assert_int_equal(zoneset_load(&spec, NULL, NULL, &zs, err, sizeof(err)), ST_EINVAL);
	assert_non_null(strstr(err, "no such name"));
}

static void test_fault_every_nth(void **state)
{
	char err[512];
	fault_t f = { .action = FAULT_DROP, .every = 3, .type = RR_AAAA, .has_name = true };
	assert_true(name_from_text("x.test.", 7, NULL, f.name) > 0);
	zone_spec_t zspec = { .origin = "test.", .file = GOLDEN_ZONE, .rule = GLUE_RULE_INHERIT };
	server_spec_t spec = {
		.zones = &zspec, .nzones = 1, .rule = GLUE_RULE_INHERIT, .faults = &f, .nfaults = 1
	};
	zoneset_t *zs = NULL;
	assert_int_equal(zoneset_load(&spec, NULL, NULL, &zs, err, sizeof(err)), ST_OK);
	const uint8_t *below = (const uint8_t *)"\1a\1x\4test\0";
	int fired = 0;
	for (int i = 0; i < 9; i++)
		fired += zoneset_fault(zs, 0, below, RR_AAAA) != NULL;
	assert_int_equal(fired, 3);
	/* Other types and names do not match (and are not counted). */
	assert_null(zoneset_fault(zs, 0, below, RR_A));
	assert_null(zoneset_fault(zs, 0, (const uint8_t *)"\1y\4test\0", RR_AAAA));
	zoneset_free(zs);
}

/* --check's loader: every zone is loaded once and reported, also after
 * one fails; the set fails as a whole. */
typedef struct each_log {
	int ok, failed;
	char last_err[256];
} each_log_t;

static void each_cb(void *ctx, size_t index, int rc, const char *err, const zone_t *z)
{
	each_log_t *l = ctx;
	(void)index;
	if (rc == ST_OK) {
		assert_non_null(z);
		l->ok++;
	} else {
		assert_null(z);
		l->failed++;
		snprintf(l->last_err, sizeof(l->last_err), "%s", err);
	}
}

static void test_load_each(void **state)
{
	(void)state;
	char err[512];
	zone_spec_t zspec[3] = {
		{ .origin = "test.", .file = GOLDEN_ZONE, .rule = GLUE_RULE_INHERIT },
		{ .origin = "x.",
		  .file = TEST_DATA_DIR "/broken/bad-ttl.zone",
		  .rule = GLUE_RULE_INHERIT },
		{ .origin = "y.",
		  .file = TEST_DATA_DIR "/broken/bad-ipv4.zone",
		  .rule = GLUE_RULE_INHERIT },
	};
	server_spec_t spec = { .zones = zspec, .nzones = 3, .rule = GLUE_RULE_INHERIT };
	each_log_t l = { 0 };
	zoneset_t *zs = NULL;
	assert_int_equal(zoneset_load_each(&spec, NULL, NULL, each_cb, &l, &zs, err, sizeof(err)),
			 ST_EINVAL);
	assert_null(zs);
	assert_int_equal(l.ok, 1);
	assert_int_equal(l.failed, 2); /* the third zone is still read */
	assert_non_null(strstr(l.last_err, "bad-ipv4.zone:"));

	l = (each_log_t){ 0 };
	spec.nzones = 1;
	assert_int_equal(zoneset_load_each(&spec, NULL, NULL, each_cb, &l, &zs, err, sizeof(err)),
			 ST_OK);
	assert_int_equal(l.ok, 1);
	assert_int_equal(zs->nzones, 1);
	zoneset_free(zs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zoneset_deepest),
		cmocka_unit_test(test_zoneset_rules_and_faults),
		cmocka_unit_test(test_fault_every_nth),
		cmocka_unit_test(test_load_each),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
