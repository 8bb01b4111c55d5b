/* Unit tests for check.c: each kind of broken delegation gets its finding,
 * healthy ones get none, and the predictions match the simulation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/check.h"
#include "dns/query.h"

#include "lab_fixture.h"

#define MAX_FINDINGS 256

static check_finding_t found[MAX_FINDINGS];
static size_t nfound;
static check_prediction_t predicted[64];
static size_t npredicted;
static check_summary_t sum;

static void on_finding(void *ctx, const check_finding_t *f)
{
	(void)ctx;
	if (nfound < MAX_FINDINGS)
		found[nfound++] = *f;
}

static void on_prediction(void *ctx, const check_prediction_t *p)
{
	(void)ctx;
	if (npredicted < 64)
		predicted[npredicted++] = *p;
}

static int run_checks(void **state)
{
	if (setup(state) != 0)
		return -1;
	static check_server_t cs[8];
	static sim_addr_t addrs[8];
	for (size_t i = 0; i < nservers; i++) {
		addrs[i] = (sim_addr_t){ 4, { 127, 0, 0, servers[i].last } };
		cs[i] = (check_server_t){
			.name = NULL, .zs = servers[i].zs, .addrs = &addrs[i], .naddrs = 1
		};
	}
	return check_run(cs, nservers, NULL, NULL, on_finding, on_prediction, NULL, &sum);
}

static int has(const char *code, const char *delegation)
{
	int n = 0;
	for (size_t i = 0; i < nfound; i++)
		if (strcmp(found[i].code, code) == 0 &&
		    strcmp(found[i].delegation, delegation) == 0)
			n++;
	return n;
}

static int about(const char *delegation, uint8_t severity)
{
	int n = 0;
	for (size_t i = 0; i < nfound; i++)
		if (strcmp(found[i].delegation, delegation) == 0 && found[i].severity <= severity)
			n++;
	return n;
}

static const check_prediction_t *prediction(const char *delegation)
{
	for (size_t i = 0; i < npredicted; i++)
		if (strcmp(predicted[i].delegation, delegation) == 0)
			return &predicted[i];
	return NULL;
}

static void dump(void)
{
	char line[2048];
	for (size_t i = 0; i < nfound; i++) {
		check_format_text(&found[i], line, sizeof(line));
		fprintf(stderr, "  %s\n", line);
	}
}

static void test_broken_delegations(void **state)
{
	if (!has("GLUE_WITHHELD_BY_POLICY", "nog.lab.") || !has("LAME_DELEGATION", "lame.lab.") ||
	    !has("NO_SERVER_AT_ADDRESS", "mism.lab.") || !has("GLUE_MISMATCH", "mism.lab.") ||
	    !has("OUT_OF_DOMAIN_NS_CYCLE", "loopa.lab.") ||
	    !has("REFERRAL_EXCEEDS_1232", "big.lab.")) {
		dump();
		fail();
	}
	if (getenv("CHECK_DUMP"))
		dump();
	assert_int_equal(has("CYCLIC_SIBLING_GLUE", "cyca.lab."), 1);
	assert_true(sum.errors > 0);
	assert_true(sum.have_root);
}

static void test_healthy_delegations_are_quiet(void **state)
{
	/* Errors and warnings: none for these; the cyclic pair gets an info. */
	if (about("good.lab.", CHECK_WARNING) || about("ood.lab.", CHECK_WARNING) ||
	    about("hosting.other.", CHECK_WARNING) || about("lab.", CHECK_WARNING) ||
	    about("cyca.lab.", CHECK_WARNING) || about("cycb.lab.", CHECK_WARNING)) {
		dump();
		fail();
	}
}

static void test_predictions(void **state)
{
	const check_prediction_t *p = prediction("good.lab.");
	assert_non_null(p);
	assert_int_equal(p->rcode, RCODE_NOERROR);
	p = prediction("nog.lab.");
	assert_non_null(p);
	assert_int_equal(p->rcode, RCODE_SERVFAIL);
	assert_non_null(strstr(p->why, "ns1.nog.lab. has no glue and no other path"));
	assert_int_equal(prediction("lame.lab.")->rcode, RCODE_SERVFAIL);
	assert_int_equal(prediction("ood.lab.")->rcode, RCODE_NOERROR);
	assert_int_equal(prediction("big.lab.")->rcode, RCODE_NOERROR);
	assert_int_equal(prediction("cyca.lab.")->rcode, RCODE_NOERROR);
}

static void test_formats(void **state)
{
	char line[2048];
	size_t i;
	for (i = 0; i < nfound; i++)
		if (strcmp(found[i].code, "GLUE_WITHHELD_BY_POLICY") == 0)
			break;
	assert_true(i < nfound);
	check_format_text(&found[i], line, sizeof(line));
	assert_non_null(strstr(
		line,
		"error GLUE_WITHHELD_BY_POLICY zone=lab. delegation=nog.lab. name=ns1.nog.lab.: "));
	assert_non_null(strstr(line, "(fix: "));
	check_format_json(&found[i], line, sizeof(line));
	assert_non_null(
		strstr(line, "{\"severity\":\"error\",\"code\":\"GLUE_WITHHELD_BY_POLICY\""));
	assert_non_null(strstr(line, "\"delegation\":\"nog.lab.\""));
	assert_int_equal(line[strlen(line) - 1], '}');

	/* Every code reported comes from the one table, with a title and a
	 * fix; the table has no code twice. */
	for (i = 0; i < nfound; i++) {
		const check_code_info_t *ci = check_code_info(found[i].code);
		assert_non_null(ci);
		assert_ptr_equal(ci->code, found[i].code);
		assert_true(ci->title[0] && found[i].fix[0]);
	}
	size_t ncodes = 0;
	for (const check_code_info_t *ci; (ci = check_code_at(ncodes)) != NULL; ncodes++) {
		assert_ptr_equal(check_code_info(ci->code), ci);
		assert_true(ci->severity <= CHECK_INFO);
	}
	assert_true(ncodes >= 17);
	assert_null(check_code_info("NO_SUCH_CODE"));
}

/* ---- Small worlds of their own ---------------------------------------------- */

typedef struct world {
	zoneset_t *zs[4];
	check_server_t cs[4];
	sim_addr_t addrs[4][2];
	size_t n;
	check_finding_t f[64];
	size_t nf;
	check_summary_t sum;
	unsigned npred;
} world_t;

static void world_finding(void *ctx, const check_finding_t *f)
{
	world_t *w = ctx;
	if (w->nf < 64)
		w->f[w->nf++] = *f;
}

static void world_predict(void *ctx, const check_prediction_t *p)
{
	(void)p;
	((world_t *)ctx)->npred++;
}

/* One server: its zone texts (NULL-terminated) and its addresses. */
static void world_add(world_t *w, const char *const *texts, const sim_addr_t *a, size_t na)
{
	zone_t *zones[4];
	char err[512];
	size_t n = 0;
	for (; texts[n]; n++)
		assert_non_null(zones[n] = load(texts[n]));
	assert_int_equal(zoneset_from_zones(zones, n, GLUE_FULL, &w->zs[w->n], err, sizeof(err)),
			 0);
	memcpy(w->addrs[w->n], a, na * sizeof(*a));
	w->cs[w->n] = (check_server_t){ .zs = w->zs[w->n], .addrs = w->addrs[w->n], .naddrs = na };
	w->n++;
}

static void world_run(world_t *w)
{
	assert_int_equal(
		check_run(w->cs, w->n, NULL, NULL, world_finding, world_predict, w, &w->sum), 0);
}

static void world_free(world_t *w)
{
	for (size_t i = 0; i < w->n; i++)
		zoneset_free(w->zs[i]);
}

static int world_has(const world_t *w, const char *code, const char *name)
{
	int n = 0;
	for (size_t i = 0; i < w->nf; i++)
		if (strcmp(w->f[i].code, code) == 0 && (!name || strcmp(w->f[i].name, name) == 0))
			n++;
	return n;
}

#define A4(x)                       \
	{                           \
		4, { 127, 0, 0, x } \
	}

/* The root's own server names live under a delegation of the root (the
 * lab's a.root-servers.other.): their addresses are glue for the apex NS
 * set, not extra glue. A stray address below a cut still is. */
static void test_root_server_names_are_not_extra_glue(void **state)
{
	static const char root[] =
		SOA(".") "@ NS a.root-servers.other.\na.root-servers.other. A 127.0.0.1\n"
			 "other. NS ns.other.\nns.other. A 127.0.0.3\nstray.other. A 127.0.0.9\n";
	static const char other[] = SOA("other.") "@ NS ns\nns A 127.0.0.3\n"
						  "a.root-servers A 127.0.0.1\n";
	const char *t1[] = { root, NULL }, *t3[] = { other, NULL };
	sim_addr_t a1[] = { A4(1) }, a3[] = { A4(3) };
	world_t w = { 0 };
	world_add(&w, t1, a1, 1);
	world_add(&w, t3, a3, 1);
	world_run(&w);
	assert_int_equal(world_has(&w, "EXTRA_GLUE", "a.root-servers.other."), 0);
	assert_int_equal(world_has(&w, "EXTRA_GLUE", "stray.other."), 1);
	assert_int_equal(w.sum.errors, 0);
	assert_true(w.sum.have_root);
	assert_int_equal(w.npred, 1);
	world_free(&w);
}

/* AAAA glue where the configuration listens on IPv4 only (the bundled
 * lab): no resolver it serves can use it, so it is not probed. Once a
 * server listens on IPv6, nothing answering there is a finding. */
static void test_unreachable_family_is_not_probed(void **state)
{
	static const char root[] =
		SOA(".") "@ NS a.root.\na.root. A 127.0.0.1\n"
			 "kid. NS ns.kid.\nns.kid. A 127.0.0.2\nns.kid. AAAA fd00::2\n";
	static const char kid[] = SOA("kid.") "@ NS ns\nns A 127.0.0.2\nns AAAA fd00::2\n";
	const char *t1[] = { root, NULL }, *t2[] = { kid, NULL };
	sim_addr_t a1[] = { A4(1) }, a2[] = { A4(2) };
	world_t w = { 0 };
	world_add(&w, t1, a1, 1);
	world_add(&w, t2, a2, 1);
	world_run(&w);
	assert_int_equal(w.nf, 0);
	world_free(&w);

	sim_addr_t a1v6[] = { A4(1), { 16, { 0xfd, 0, [15] = 1 } } };
	world_t w6 = { 0 };
	world_add(&w6, t1, a1v6, 2);
	world_add(&w6, t2, a2, 1);
	world_run(&w6);
	assert_int_equal(world_has(&w6, "NO_SERVER_AT_ADDRESS", "ns.kid."), 1);
	assert_non_null(strstr(w6.f[0].message, "fd00::2"));
	world_free(&w6);
}

/* Without a root (glued --check -z parent.zone) the configuration is not
 * the whole world: addresses no server of it listens on are not judged,
 * its own addresses are, and there are no predictions. */
static void test_partial_configuration(void **state)
{
	static const char parent[] = SOA("test.") "@ NS ns\nns A 127.0.0.2\n"
						  "far NS ns.far\nns.far A 192.0.2.1\n"
						  "here NS ns.here\nns.here A 127.0.0.2\n"
						  "bare NS ns.bare\n";
	const char *t[] = { parent, NULL };
	sim_addr_t a[] = { A4(2) };
	world_t w = { 0 };
	world_add(&w, t, a, 1);
	world_run(&w);
	assert_false(w.sum.have_root);
	assert_int_equal(w.npred, 0);
	assert_int_equal(world_has(&w, "NO_SERVER_AT_ADDRESS", NULL), 0);
	assert_int_equal(world_has(&w, "LAME_DELEGATION", "ns.here.test."), 1);
	assert_int_equal(world_has(&w, "MISSING_GLUE_FOR_NS_NAME", "ns.bare.test."), 1);
	assert_int_equal(w.sum.errors, 2);
	world_free(&w);
}

/* NS_SET_MISMATCH names each side's extra names, and leaves out a side
 * that has none. */
static void test_ns_set_mismatch_words(void **state)
{
	static const char root[] = SOA(".") "@ NS a.root.\na.root. A 127.0.0.1\n"
					    "kid. NS ns.kid.\nkid. NS ns2.kid.\n"
					    "ns.kid. A 127.0.0.2\nns2.kid. A 127.0.0.2\n";
	static const char kid[] = SOA("kid.") "@ NS ns\nns A 127.0.0.2\nns2 A 127.0.0.2\n";
	const char *t1[] = { root, NULL }, *t2[] = { kid, NULL };
	sim_addr_t a1[] = { A4(1) }, a2[] = { A4(2) };
	world_t w = { 0 };
	world_add(&w, t1, a1, 1);
	world_add(&w, t2, a2, 1);
	world_run(&w);
	assert_int_equal(world_has(&w, "NS_SET_MISMATCH", NULL), 1);
	size_t i = 0;
	while (strcmp(w.f[i].code, "NS_SET_MISMATCH") != 0)
		i++;
	assert_string_equal(w.f[i].message, "the parent lists [ns2.kid.] that the child does not");
	world_free(&w);

	static const char root2[] = SOA(".") "@ NS a.root.\na.root. A 127.0.0.1\n"
					     "kid. NS ns.kid.\nns.kid. A 127.0.0.2\n";
	static const char kid2[] = SOA("kid.") "@ NS ns\n@ NS ns2\nns A 127.0.0.2\n"
					       "ns2 A 127.0.0.2\n";
	const char *t3[] = { root2, NULL }, *t4[] = { kid2, NULL };
	world_t w2 = { 0 };
	world_add(&w2, t3, a1, 1);
	world_add(&w2, t4, a2, 1);
	world_run(&w2);
	for (i = 0; i < w2.nf && strcmp(w2.f[i].code, "NS_SET_MISMATCH") != 0; i++)
		;
	assert_true(i < w2.nf);
	assert_string_equal(w2.f[i].message, "the child lists [ns2.kid.] that the parent does not");
	world_free(&w2);
}

static void test_roots(void **state)
{
	static check_server_t cs[8];
	static sim_addr_t addrs[8];
	for (size_t i = 0; i < nservers; i++) {
		addrs[i] = (sim_addr_t){ 4, { 127, 0, 0, servers[i].last } };
		cs[i] = (check_server_t){ .zs = servers[i].zs, .addrs = &addrs[i], .naddrs = 1 };
	}
	sim_addr_t roots[4];
	assert_int_equal(check_roots(cs, nservers, roots, 4), 1);
	assert_int_equal(roots[0].bytes[3], 1);
	assert_int_equal(check_roots(cs + 1, nservers - 1, roots, 4), 0);
}

/* A scenario agrees on the rcode and, when it names one, the first address. */
static void test_scenario_agreement(void **state)
{
	(void)state;
	sim_result_t r;
	memset(&r, 0, sizeof(r));
	r.rcode = RCODE_NOERROR;
	r.has_addr = true;
	r.addr = (sim_addr_t){ 4, { 192, 0, 2, 1 } };
	check_expect_t e = { .rcode = RCODE_NOERROR };
	assert_true(check_agrees(&e, &r));
	e.has_addr = true;
	e.addr = (sim_addr_t){ 4, { 192, 0, 2, 1 } };
	assert_true(check_agrees(&e, &r));
	e.addr.bytes[3] = 2;
	assert_false(check_agrees(&e, &r));
	e.addr = (sim_addr_t){ 16, { 192, 0, 2, 1 } }; /* same bytes, other family */
	assert_false(check_agrees(&e, &r));
	r.has_addr = false;
	e = (check_expect_t){ .rcode = RCODE_NOERROR,
			      .has_addr = true,
			      .addr = { 4, { 192, 0, 2, 1 } } };
	assert_false(check_agrees(&e, &r));
	r.rcode = RCODE_SERVFAIL;
	e = (check_expect_t){ .rcode = RCODE_SERVFAIL };
	assert_true(check_agrees(&e, &r));
	e.rcode = RCODE_NXDOMAIN;
	assert_false(check_agrees(&e, &r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_broken_delegations),
		cmocka_unit_test(test_healthy_delegations_are_quiet),
		cmocka_unit_test(test_predictions),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_root_server_names_are_not_extra_glue),
		cmocka_unit_test(test_unreachable_family_is_not_probed),
		cmocka_unit_test(test_partial_configuration),
		cmocka_unit_test(test_ns_set_mismatch_words),
		cmocka_unit_test(test_roots),
		cmocka_unit_test(test_scenario_agreement),
	};
	return cmocka_run_group_tests(tests, run_checks, teardown);
}
