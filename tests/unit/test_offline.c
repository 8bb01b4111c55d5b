/*
 * Unit tests for analysis/offline.c: where zone files alone say each zone is
 * served (its own NS names' addresses, not the parent's mismatching glue),
 * where the resolver starts (a made-up start server for a top zone the
 * files give no address for), which questions the files cannot answer,
 * and what check_run predicts over that model, in words.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "analysis/check.h"
#include "analysis/offline.h"
#include "dns/header.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/zone_build.h"
#include "dns/zoneset.h"

static const char ROOT[] = "$ORIGIN .\n$TTL 3600\n"
			   "@ SOA a.root. h.root. 1 7200 900 1209600 300\n"
			   "@ NS a.root.\n"
			   "a.root. A 127.0.0.10\n"
			   "lab. NS ns.lab.\n"
			   "ns.lab. A 127.0.0.20\n";
/* example: loaded, its glue for ns2 differs from its own; kid: not loaded. */
static const char LAB[] = "$ORIGIN lab.\n$TTL 3600\n"
			  "@ SOA ns h 1 7200 900 1209600 300\n"
			  "@ NS ns\n"
			  "ns A 127.0.0.20\n"
			  "example NS ns1.example\n"
			  "example NS ns2.example\n"
			  "ns1.example A 127.0.1.1\n"
			  "ns2.example A 127.0.1.99\n"
			  "kid NS ns.kid\n"
			  "ns.kid A 127.0.2.1\n";
static const char EXAMPLE[] = "$ORIGIN example.lab.\n$TTL 3600\n"
			      "@ SOA ns1 h 1 7200 900 1209600 300\n"
			      "@ NS ns1\n"
			      "@ NS ns2\n"
			      "@ NS ns.lab.\n"
			      "ns1 A 127.0.1.1\n"
			      "ns2 A 127.0.1.2\n";

static zoneset_t *files;
static offline_t off;

static int setup(void **state)
{
	(void)state;
	const char *text[3] = { ROOT, LAB, EXAMPLE };
	zone_t *z[3];
	char err[256];
	for (int i = 0; i < 3; i++)
		if (zone_load_mem("t", text[i], strlen(text[i]), NULL, NULL, NULL, &z[i], err,
				  sizeof(err)) != ST_OK) {
			print_error("%s\n", err);
			return -1;
		}
	if (zoneset_from_zones(z, 3, GLUE_FULL, &files, err, sizeof(err)) != ST_OK)
		return -1;
	return offline_build(files, &off) == ST_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	offline_free(&off);
	zoneset_free(files);
	return 0;
}

static sim_addr_t v4(const char *s)
{
	sim_addr_t a = { .len = 4 };
	inet_pton(AF_INET, s, a.bytes);
	return a;
}

/* The origins served at address s, as "lab. example.lab." ("" for none). */
static void served(const char *s, char *buf, size_t cap)
{
	sim_addr_t a = v4(s);
	buf[0] = 0;
	for (size_t i = 0; i < off.n; i++) {
		const check_server_t *cs = &off.servers[i];
		if (cs->naddrs != 1 || cs->addrs[0].len != 4 ||
		    memcmp(cs->addrs[0].bytes, a.bytes, 4))
			continue;
		for (size_t k = 0; k < cs->zs->nzones; k++) {
			char o[NAME_TEXT_MAX];
			name_to_text(zone_origin(cs->zs->zones[k]), o, sizeof(o));
			size_t used = strlen(buf);
			snprintf(buf + used, cap - used, "%s%s", used ? " " : "", o);
		}
	}
}

static void test_served(void **state)
{
	(void)state;
	char buf[256];
	served("127.0.0.10", buf, sizeof(buf));
	assert_string_equal(buf, ".");
	/* ns.lab. is also an NS of example.lab.: both are served there. */
	served("127.0.0.20", buf, sizeof(buf));
	assert_string_equal(buf, "lab. example.lab.");
	served("127.0.1.1", buf, sizeof(buf));
	assert_string_equal(buf, "example.lab.");
	/* The child's own address for ns2, not the parent's glue. */
	served("127.0.1.2", buf, sizeof(buf));
	assert_string_equal(buf, "example.lab.");
	served("127.0.1.99", buf, sizeof(buf));
	assert_string_equal(buf, "");
	/* kid.lab. is not loaded: nothing is served at its glue. */
	served("127.0.2.1", buf, sizeof(buf));
	assert_string_equal(buf, "");
	assert_int_equal(off.n, 4);
}

static void test_roots(void **state)
{
	(void)state;
	sim_addr_t a = v4("127.0.0.10");
	assert_int_equal(off.nroots, 1);
	assert_memory_equal(off.roots[0].bytes, a.bytes, 4);
}

static bool outside(const char *name, uint16_t qtype, const char *addr)
{
	uint8_t w[NAME_MAXLEN];
	assert_true(name_from_text(name, strlen(name), NULL, w) > 0);
	sim_addr_t a = v4(addr);
	return offline_outside(files, &a, w, qtype);
}

static void test_outside(void **state)
{
	(void)state;
	/* A top-level domain the root file does not have. */
	assert_true(outside("ns.provider.net.", RR_A, "127.0.0.10"));
	assert_false(outside("www.example.lab.", RR_A, "127.0.1.1"));
	assert_false(outside("lab.", RR_SOA, "127.0.0.10"));
	/* Below kid.lab. (not loaded): unknown at kid's own address, while
	 * lab.'s server still refers; DS at the cut is the parent's. */
	assert_true(outside("www.kid.lab.", RR_A, "127.0.2.1"));
	assert_false(outside("www.kid.lab.", RR_A, "127.0.0.20"));
	assert_false(outside("kid.lab.", RR_DS, "127.0.2.1"));
}

/* ---- A zone hosted at a provider, exported with its child ------------------- */

/* example.com.'s NS names are the provider's: no address in the files. It
 * delegates dev. with glue (loaded too) and far. to the provider. */
static const char HOSTED[] = "$ORIGIN example.com.\n$TTL 3600\n"
			     "@ SOA ns1.provider.net. h 1 7200 900 1209600 300\n"
			     "@ NS ns1.provider.net.\n"
			     "@ NS ns2.provider.net.\n"
			     "dev NS ns1.dev\n"
			     "ns1.dev A 192.0.2.1\n"
			     "far NS ns3.provider.net.\n";
static const char DEV[] = "$ORIGIN dev.example.com.\n$TTL 3600\n"
			  "@ SOA ns1 h 1 7200 900 1209600 300\n"
			  "@ NS ns1\n"
			  "ns1 A 192.0.2.1\n";

typedef struct hosted {
	zoneset_t *files;
	offline_t off;
	check_prediction_t p[8];
	size_t np;
} hosted_t;

static void hosted_predict(void *ctx, const check_prediction_t *p)
{
	hosted_t *h = ctx;
	if (h->np < 8)
		h->p[h->np++] = *p;
}

static void hosted_finding(void *ctx, const check_finding_t *f)
{
	(void)ctx;
	(void)f;
}

static void hosted_load(hosted_t *h)
{
	const char *text[2] = { HOSTED, DEV };
	zone_t *z[2];
	char err[256];
	memset(h, 0, sizeof(*h));
	for (int i = 0; i < 2; i++)
		assert_int_equal(zone_load_mem("t", text[i], strlen(text[i]), NULL, NULL, NULL,
					       &z[i], err, sizeof(err)),
				 ST_OK);
	assert_int_equal(zoneset_from_zones(z, 2, GLUE_FULL, &h->files, err, sizeof(err)), ST_OK);
	assert_int_equal(offline_build(h->files, &h->off), ST_OK);
}

static void hosted_free(hosted_t *h)
{
	offline_free(&h->off);
	zoneset_free(h->files);
}

/* A made-up start server serves example.com., at an address of 100::/64
 * that no file holds; the walk starts there and reaches dev. by its glue. */
static void test_made_up_start(void **state)
{
	(void)state;
	hosted_t h;
	hosted_load(&h);
	assert_int_equal(h.off.nstart, 1);
	assert_string_equal(name_str(zone_origin(h.files->zones[h.off.start_zones[0]]),
				     (char[NAME_TEXT_MAX]){ 0 }, NAME_TEXT_MAX),
			    "example.com.");
	assert_int_equal(h.off.start.len, 16);
	assert_int_equal(h.off.start.bytes[0], 0x01);
	assert_int_equal(h.off.start.bytes[1], 0x00);
	assert_int_equal(h.off.nroots, 1);
	assert_memory_equal(h.off.roots[0].bytes, h.off.start.bytes, 16);
	/* dev.example.com. is served at its own address, example.com. at the
	 * start server only. */
	assert_int_equal(h.off.n, 2);

	check_server_t all = { .zs = h.files };
	check_net_t net = { .servers = h.off.servers,
			    .n = h.off.n,
			    .files = h.files,
			    .roots = h.off.roots,
			    .nroots = h.off.nroots };
	check_summary_t sum;
	assert_int_equal(check_run(&all, 1, &net, NULL, hosted_finding, hosted_predict, &h, &sum),
			 0);
	assert_true(sum.have_root);
	assert_int_equal(sum.errors, 0);
	const check_prediction_t *dev = NULL, *far = NULL;
	for (size_t i = 0; i < h.np; i++)
		if (strcmp(h.p[i].delegation, "dev.example.com.") == 0)
			dev = &h.p[i];
		else if (strcmp(h.p[i].delegation, "far.example.com.") == 0)
			far = &h.p[i];
	assert_non_null(dev);
	assert_int_equal(dev->rcode, RCODE_NOERROR);
	assert_false(dev->unchecked);
	assert_string_equal(dev->outside, "");
	/* Not validated: no signatures or proofs are counted. */
	assert_int_equal(dev->rrsigs + dev->nsecs, 0);
	/* far.'s NS name is the provider's: the prediction names it, not
	 * the address it was asked at. */
	assert_non_null(far);
	assert_true(far->unchecked);
	assert_string_equal(far->outside, "ns3.provider.net. is in no loaded zone file");
	hosted_free(&h);
}

/* With the root loaded (the group's files), every top zone has addresses:
 * no made-up start server. */
static void test_no_made_up_start(void **state)
{
	(void)state;
	assert_int_equal(off.nstart, 0);
}

/* Below a delegation whose child is not loaded, and at an address where no
 * loaded zone is served: each said with its addresses. */
static void test_outside_words(void **state)
{
	(void)state;
	check_server_t all = { .zs = files };
	check_net_t net = { .servers = off.servers,
			    .n = off.n,
			    .files = files,
			    .roots = off.roots,
			    .nroots = off.nroots };
	check_summary_t sum;
	hosted_t h = { 0 };
	assert_int_equal(check_run(&all, 1, &net, NULL, hosted_finding, hosted_predict, &h, &sum),
			 0);
	const check_prediction_t *kid = NULL, *example = NULL;
	for (size_t i = 0; i < h.np; i++)
		if (strcmp(h.p[i].delegation, "kid.lab.") == 0)
			kid = &h.p[i];
		else if (strcmp(h.p[i].delegation, "example.lab.") == 0)
			example = &h.p[i];
	assert_non_null(kid);
	assert_true(kid->unchecked);
	assert_string_equal(
		kid->outside,
		"kid.lab. is not loaded: the files do not say what 127.0.2.1 answers for it");
	/* example.lab. resolves through ns1's glue, whatever ns2's says. */
	assert_non_null(example);
	assert_int_equal(example->rcode, RCODE_NOERROR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_served),           cmocka_unit_test(test_roots),
		cmocka_unit_test(test_outside),          cmocka_unit_test(test_made_up_start),
		cmocka_unit_test(test_no_made_up_start), cmocka_unit_test(test_outside_words),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
