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

#include "dns/check.h"
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
		addrs[i] = (sim_addr_t){4, {127, 0, 0, servers[i].last}};
		cs[i] = (check_server_t){ .name = NULL, .zs = servers[i].zs, .addrs = &addrs[i],
					  .naddrs = 1 };
	}
	return check_run(cs, nservers, NULL, on_finding, on_prediction, NULL, &sum);
}

static int has(const char *code, const char *delegation)
{
	int n = 0;
	for (size_t i = 0; i < nfound; i++)
		if (strcmp(found[i].code, code) == 0 && strcmp(found[i].delegation, delegation) == 0)
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
	assert_non_null(strstr(line, "error GLUE_WITHHELD_BY_POLICY zone=lab. delegation=nog.lab. name=ns1.nog.lab.: "));
	assert_non_null(strstr(line, "(fix: "));
	check_format_json(&found[i], line, sizeof(line));
	assert_non_null(strstr(line, "{\"severity\":\"error\",\"code\":\"GLUE_WITHHELD_BY_POLICY\""));
	assert_non_null(strstr(line, "\"delegation\":\"nog.lab.\""));
	assert_int_equal(line[strlen(line) - 1], '}');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_broken_delegations),
		cmocka_unit_test(test_healthy_delegations_are_quiet),
		cmocka_unit_test(test_predictions),
		cmocka_unit_test(test_formats),
	};
	return cmocka_run_group_tests(tests, run_checks, teardown);
}
