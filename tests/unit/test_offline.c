/*
 * Unit tests for analysis/offline.c: where zone files alone say each zone is
 * served (its own NS names' addresses, not the parent's mismatching glue),
 * where the resolver starts, and which questions the files cannot answer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "analysis/offline.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_served),
		cmocka_unit_test(test_roots),
		cmocka_unit_test(test_outside),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
