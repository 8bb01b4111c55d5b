/* Unit tests for zone.c and zone_build.c: layout, cuts, glue classes, checks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/zone.h"
#include "dns/zone_build.h"

#include "zone_fixture.h"

static void test_layout_and_cuts(void **state)
{
	char err[512];
	int warnings = 0;
	zone_t *z = load(PARENT, err, sizeof(err), &warnings);
	assert_non_null(z);
	assert_int_equal(warnings, 1); /* noglue has no glue */
	assert_true(zone_apex(z)->flags & NODE_APEX);
	assert_int_equal(zone_negative_ttl(z), 300);

	const node_t *child = find(z, "child.test.");
	assert_non_null(child);
	assert_true(child->flags & NODE_CUT);
	assert_ptr_equal(child->cut, child);
	const node_t *glue = find(z, "ns1.child.test.");
	assert_ptr_equal(glue->cut, child); /* below the cut: not authoritative */
	assert_null(find(z, "ns.test.")->cut);

	/* Empty non-terminals exist, without RRsets. */
	const node_t *ent = find(z, "y.z.test.");
	assert_non_null(ent);
	assert_int_equal(ent->nrrsets, 0);
	assert_non_null(find(z, "z.test."));
	assert_true(find(z, "wild.test.")->flags & NODE_WILDCARD_CHILD);

	/* Closest encloser of a name that does not exist. */
	uint8_t w[NAME_MAXLEN];
	assert_true(name_from_text("q.x.y.z.test.", 13, NULL, w) > 0);
	assert_ptr_equal(zone_closest(z, w, false), find(z, "x.y.z.test."));
	assert_ptr_equal(zone_closest(z, w, true), find(z, "x.y.z.test."));
	/* Below a cut: the deepest node, or (for answering) the cut itself. */
	assert_true(name_from_text("q.ns1.child.test.", 17, NULL, w) > 0);
	assert_ptr_equal(zone_closest(z, w, false), find(z, "ns1.child.test."));
	assert_ptr_equal(zone_closest(z, w, true), find(z, "child.test."));
	assert_true(name_from_text("test.", 5, NULL, w) > 0);
	assert_ptr_equal(zone_closest(z, w, true), zone_apex(z));
	zone_free(z);
}

static void test_glue_classes(void **state)
{
	char err[512];
	int warnings = 0;
	zone_t *z = load(PARENT, err, sizeof(err), &warnings);
	assert_non_null(z);

	const node_t *child = find(z, "child.test.");
	assert_int_equal(child->nglue, 3);
	/* In-domain first, then the others in NS order. */
	assert_int_equal(child->glue[0].cls, GLUE_CLASS_IN_DOMAIN);
	assert_non_null(child->glue[0].a);
	assert_non_null(child->glue[0].aaaa);
	assert_int_equal(child->glue[1].cls, GLUE_CLASS_IN_ZONE);
	assert_non_null(child->glue[1].a);
	assert_null(child->glue[1].aaaa);
	assert_int_equal(child->glue[2].cls, GLUE_CLASS_OUT_OF_ZONE);
	assert_null(child->glue[2].a);

	const node_t *a = find(z, "a.test.");
	assert_int_equal(a->nglue, 1);
	assert_int_equal(a->glue[0].cls, GLUE_CLASS_SIBLING);
	assert_non_null(a->glue[0].a);
	const node_t *b = find(z, "b.test.");
	assert_int_equal(b->glue[0].cls, GLUE_CLASS_IN_DOMAIN);

	const node_t *noglue = find(z, "noglue.test.");
	assert_int_equal(noglue->glue[0].cls, GLUE_CLASS_IN_DOMAIN);
	assert_null(noglue->glue[0].a);
	assert_null(noglue->glue[0].aaaa);

	/* MX target addresses are precomputed. */
	const rrset_t *mx = node_rrset(find(z, "mx.test."), RR_MX);
	assert_non_null(mx->addl);
	assert_non_null(mx->addl[0].a);
	zone_free(z);
}

static void test_duplicates_collapse(void **state)
{
	char err[512];
	int warnings = 0;
	zone_t *z = load("$ORIGIN t.\n$TTL 60\n@ SOA a. b. 1 2 3 4 5\n@ NS a.\n"
			 "w A 192.0.2.1\nw A 192.0.2.1\nw 30 A 192.0.2.2\n",
			 err, sizeof(err), &warnings);
	assert_non_null(z);
	const rrset_t *a = node_rrset(find(z, "w.t."), RR_A);
	assert_int_equal(a->count, 2);
	assert_int_equal(a->ttl, 60);
	assert_int_equal(warnings, 1); /* the differing TTL */
	assert_int_equal(zone_record_count(z), 4);
	zone_free(z);
}

struct bad {
	const char *text;
	const char *message; /* substring expected in the error */
};

static void test_load_errors(void **state)
{
	static const struct bad cases[] = {
		{ "$ORIGIN t.\n$TTL 60\n@ NS a.\n", "mem.zone:3: expected the SOA record first" },
		{ "$ORIGIN t.\n$TTL 60\n@ SOA a. b. 1 2 3 4 5\nw A 192.0.2.1\n",
		  "no NS records at its apex" },
		{ "$ORIGIN t.\n$TTL 60\n@ SOA a. b. 1 2 3 4 5\n@ NS a.\nw SOA a. b. 1 2 3 4 5\n",
		  "mem.zone:5: SOA record for w.t. is not at the zone apex" },
		{ "$ORIGIN t.\n$TTL 60\n@ SOA a. b. 1 2 3 4 5\n@ NS a.\nw CNAME x\nw A 192.0.2.1\n",
		  "mem.zone:5: CNAME and other data at w.t." },
		{ "$ORIGIN t.\n$TTL 60\n@ SOA a. b. 1 2 3 4 5\n@ NS a.\nw CNAME x\nw CNAME y\n",
		  "mem.zone:5: more than one CNAME record at w.t." },
		{ "$ORIGIN t.\n$TTL 60\n@ SOA a. b. 1 2 3 4 5\n@ SOA a. b. 2 2 3 4 5\n@ NS a.\n",
		  "more than one SOA record" },
		{ "$ORIGIN t.\n$TTL 60\n@ SOA a. b. 1 2 3 4 5\n@ NS a.\n@ CNAME x.\n",
		  "CNAME and other data at t." },
		{ "", "no records" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[512] = "";
		int warnings = 0;
		zone_t *z = load(cases[i].text, err, sizeof(err), &warnings);
		if (z || strstr(err, cases[i].message) == NULL) {
			fprintf(stderr, "case %zu: got '%s', expected '%s'\n", i, err,
				cases[i].message);
			fail();
		}
	}
}

static void test_out_of_zone_is_a_warning(void **state)
{
	char err[512];
	int warnings = 0;
	zone_t *z =
		load("$ORIGIN t.\n$TTL 60\n@ SOA a. b. 1 2 3 4 5\n@ NS a.\nother. A 192.0.2.1\n",
		     err, sizeof(err), &warnings);
	assert_non_null(z);
	assert_int_equal(warnings, 1);
	uint8_t w[NAME_MAXLEN] = "\5other";
	w[6] = 0;
	assert_null(zone_find(z, w, 7));
	zone_free(z);
}

static void test_explicit_origin(void **state)
{
	char err[512];
	zone_t *z = NULL;
	const char *text = "$TTL 60\n@ SOA a. b. 1 2 3 4 5\n@ NS a.\nwww A 192.0.2.1\n";
	assert_int_equal(zone_load_mem("m", text, strlen(text), (const uint8_t *)"\3LAB\0", NULL,
				       NULL, &z, err, sizeof(err)),
			 ST_OK);
	assert_memory_equal(zone_origin(z), "\3lab\0", 5);
	assert_non_null(find(z, "www.lab."));
	zone_free(z);
}

/* ---- the loader: owners that come back, and the limits ---------------- */

static void collect_warn(void *ctx, const char *msg)
{
	char *buf = ctx;
	size_t used = strlen(buf);
	snprintf(buf + used, 2048 - used, "%s\n", msg);
}

static void test_owner_comes_back(void **state)
{
	/* a's records are split in three runs: they merge into one node, in
	 * type order, duplicates collapsed across the runs, the TTL of the
	 * first record kept and each differing one warned about, in order. */
	static const char text[] = "$ORIGIN test.\n"
				   "$TTL 300\n"
				   "@ SOA ns.test. host.test. 1 7200 900 1209600 300\n"
				   "@ NS ns.test.\n"
				   "a A 192.0.2.1\n"
				   "ns A 192.0.2.53\n"
				   "a TXT \"one\"\n"
				   "a 60 A 192.0.2.2\n"
				   "b A 192.0.2.9\n"
				   "A A 192.0.2.1\n"
				   "a 30 TXT \"two\"\n"
				   "a MX 10 NS.test.\n";
	char err[512], warns[2048] = "";
	zone_t *z = NULL;
	assert_int_equal(zone_load_mem("m.zone", text, strlen(text), NULL, collect_warn, warns, &z,
				       err, sizeof(err)),
			 ST_OK);
	assert_string_equal(
		warns,
		"m.zone:8: TTL 60 of a.test. A differs from the RRset's TTL 300; using 300\n"
		"m.zone:11: TTL 30 of a.test. TXT differs from the RRset's TTL 300; using 300\n");
	assert_int_equal(zone_record_count(z), 9);
	const node_t *a = find(z, "a.test.");
	assert_non_null(a);
	assert_int_equal(a->nrrsets, 3);
	assert_int_equal(a->rrsets[0].type, RR_A);
	assert_int_equal(a->rrsets[0].count, 2);
	assert_int_equal(a->rrsets[1].type, RR_MX);
	assert_int_equal(a->rrsets[2].type, RR_TXT);
	assert_int_equal(a->rrsets[2].count, 2);
	/* The MX target is the node ns.test., found and named once. */
	assert_non_null(a->rrsets[1].addl);
	assert_ptr_equal(a->rrsets[1].addl[0].target, find(z, "ns.test.")->name);
	assert_non_null(a->rrsets[1].addl[0].a);
	zone_free(z);
}

static int load_limited(const char *text, const zone_limits_t *lim, char *err, size_t errcap)
{
	zone_t *z = NULL;
	int rc = zone_load_mem_ex("lim.zone", text, strlen(text), NULL, lim, NULL, NULL, &z, err,
				  errcap);
	zone_free(z);
	return rc;
}

static void test_limits(void **state)
{
	static const char text[] = "$ORIGIN test.\n"
				   "$TTL 300\n"
				   "@ SOA ns.test. host.test. 1 7200 900 1209600 300\n"
				   "@ NS ns.test.\n"
				   "ns A 192.0.2.53\n"
				   "b A 192.0.2.1\n"
				   "a A 192.0.2.1\n"
				   "a A 192.0.2.2\n"
				   "b A 192.0.2.2\n"
				   "a A 192.0.2.3\n";
	char err[512];
	zone_limits_t d = zone_limits_default();
	assert_true(d.max_records == 50000000u);
	assert_true(d.max_rrset_records == 65535u);
	assert_true(d.max_include_depth == 16u);
	assert_true(d.max_file_bytes > 0);
	assert_int_equal(load_limited(text, NULL, err, sizeof(err)), ST_OK);

	zone_limits_t lim = d;
	lim.max_records = 7;
	assert_int_equal(load_limited(text, &lim, err, sizeof(err)), ST_ELIMIT);
	assert_string_equal(err, "lim.zone:10: zone has more than 7 records (limit)");
	lim.max_records = 8;
	assert_int_equal(load_limited(text, &lim, err, sizeof(err)), ST_OK);

	/* The line is the RRset's first record's. */
	lim = d;
	lim.max_rrset_records = 2;
	assert_int_equal(load_limited(text, &lim, err, sizeof(err)), ST_ELIMIT);
	assert_string_equal(err, "lim.zone:7: RRset a.test. A has more than 2 records (limit)");
	lim.max_rrset_records = 3;
	assert_int_equal(load_limited(text, &lim, err, sizeof(err)), ST_OK);

	lim = d;
	lim.max_file_bytes = 100;
	assert_int_equal(load_limited(text, &lim, err, sizeof(err)), ST_ELIMIT);
	assert_string_equal(err, "lim.zone: zone text is more than 100 bytes (limit)");

	/* The same limits on a file, and the $INCLUDE depth. */
	zone_t *z = NULL;
	lim = d;
	lim.max_file_bytes = 10;
	assert_int_equal(zone_load_ex(GOLDEN_ZONE, NULL, &lim, NULL, NULL, &z, err, sizeof(err)),
			 ST_ELIMIT);
	assert_non_null(strstr(err, "zone text is more than 10 bytes (limit)"));
	lim = d;
	lim.max_include_depth = 3;
	assert_int_equal(zone_load_ex(TEST_DATA_DIR "/zonefile/loop.zone",
				      (const uint8_t *)"\4test\0", &lim, NULL, NULL, &z, err,
				      sizeof(err)),
			 ST_ELIMIT);
	assert_non_null(strstr(err, "$INCLUDE nested too deeply (limit 3)"));
	assert_null(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_and_cuts),
		cmocka_unit_test(test_glue_classes),
		cmocka_unit_test(test_duplicates_collapse),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_out_of_zone_is_a_warning),
		cmocka_unit_test(test_explicit_origin),
		cmocka_unit_test(test_owner_comes_back),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
