/*
 * lab_fixture.h -- a small hierarchy of virtual servers on 127.0.0.x for
 * the resolver simulation and the delegation checks: a root, the TLDs lab.
 * and other., and one delegation of each kind (in-domain glue, glue
 * withheld by policy, lame, glue mismatch, out-of-domain NS, cyclic sibling
 * glue, an out-of-domain cycle, a referral over 1232 bytes).
 */
#ifndef TEST_LAB_FIXTURE_H
#define TEST_LAB_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "analysis/sim.h"
#include "dns/zone_build.h"
#include "dns/zoneset.h"

#define SOA(o) "$ORIGIN " o "\n$TTL 300\n@ SOA ns hostmaster 1 2 3 4 5\n"

static const char ROOT[] = SOA(".") "@ NS a.root.\na.root. A 127.0.0.1\n"
				    "lab. NS ns.lab.\nns.lab. A 127.0.0.2\n"
				    "other. NS ns.other.\nns.other. A 127.0.0.3\n";

static const char LAB[] = SOA(
	"lab.") "@ NS ns\nns A 127.0.0.2\n"
		"good NS ns1.good\nns1.good A 127.0.0.10\n"
		"nog NS ns1.nog\nns1.nog A 127.0.0.11\n"
		"lame NS ns1.lame\nns1.lame A 127.0.0.12\n"
		"mism NS ns1.mism\nns1.mism A 127.0.0.99\n"
		"ood NS ns.hosting.other.\n"
		"cyca NS ns.cycb\ncycb NS ns.cyca\nns.cycb A 127.0.0.10\nns.cyca A 127.0.0.10\n"
		"loopa NS ns.loopb.other.\n"
		"big NS a-name-server-with-a-long-label-to-fill-the-referral.ns.big\n"
		"a-name-server-with-a-long-label-to-fill-the-referral.ns.big A 127.0.0.10\na-name-server-with-a-long-label-to-fill-the-referral.ns.big AAAA ::1\n"
		"big NS b-name-server-with-a-long-label-to-fill-the-referral.ns.big\n"
		"b-name-server-with-a-long-label-to-fill-the-referral.ns.big A 127.0.0.10\nb-name-server-with-a-long-label-to-fill-the-referral.ns.big AAAA ::1\n"
		"big NS c-name-server-with-a-long-label-to-fill-the-referral.ns.big\n"
		"c-name-server-with-a-long-label-to-fill-the-referral.ns.big A 127.0.0.10\nc-name-server-with-a-long-label-to-fill-the-referral.ns.big AAAA ::1\n"
		"big NS d-name-server-with-a-long-label-to-fill-the-referral.ns.big\n"
		"d-name-server-with-a-long-label-to-fill-the-referral.ns.big A 127.0.0.10\nd-name-server-with-a-long-label-to-fill-the-referral.ns.big AAAA ::1\n"
		"big NS e-name-server-with-a-long-label-to-fill-the-referral.ns.big\n"
		"e-name-server-with-a-long-label-to-fill-the-referral.ns.big A 127.0.0.10\ne-name-server-with-a-long-label-to-fill-the-referral.ns.big AAAA ::1\n"
		"big NS f-name-server-with-a-long-label-to-fill-the-referral.ns.big\n"
		"f-name-server-with-a-long-label-to-fill-the-referral.ns.big A 127.0.0.10\nf-name-server-with-a-long-label-to-fill-the-referral.ns.big AAAA ::1\n"
		"big NS g-name-server-with-a-long-label-to-fill-the-referral.ns.big\n"
		"g-name-server-with-a-long-label-to-fill-the-referral.ns.big A 127.0.0.10\ng-name-server-with-a-long-label-to-fill-the-referral.ns.big AAAA ::1\n"
		"big NS h-name-server-with-a-long-label-to-fill-the-referral.ns.big\n"
		"h-name-server-with-a-long-label-to-fill-the-referral.ns.big A 127.0.0.10\nh-name-server-with-a-long-label-to-fill-the-referral.ns.big AAAA ::1\n"
		"big NS i-name-server-with-a-long-label-to-fill-the-referral.ns.big\n"
		"i-name-server-with-a-long-label-to-fill-the-referral.ns.big A 127.0.0.10\ni-name-server-with-a-long-label-to-fill-the-referral.ns.big AAAA ::1\n"
		"big NS j-name-server-with-a-long-label-to-fill-the-referral.ns.big\n"
		"j-name-server-with-a-long-label-to-fill-the-referral.ns.big A 127.0.0.10\nj-name-server-with-a-long-label-to-fill-the-referral.ns.big AAAA ::1\n"
		"big NS k-name-server-with-a-long-label-to-fill-the-referral.ns.big\n"
		"k-name-server-with-a-long-label-to-fill-the-referral.ns.big A 127.0.0.10\nk-name-server-with-a-long-label-to-fill-the-referral.ns.big AAAA ::1\n"
		"big NS l-name-server-with-a-long-label-to-fill-the-referral.ns.big\n"
		"l-name-server-with-a-long-label-to-fill-the-referral.ns.big A 127.0.0.10\nl-name-server-with-a-long-label-to-fill-the-referral.ns.big AAAA ::1\n"
		"big NS m-name-server-with-a-long-label-to-fill-the-referral.ns.big\n"
		"m-name-server-with-a-long-label-to-fill-the-referral.ns.big A 127.0.0.10\nm-name-server-with-a-long-label-to-fill-the-referral.ns.big AAAA ::1\n";

static const char OTHER[] = SOA("other.") "@ NS ns\nns A 127.0.0.3\n"
					  "hosting NS ns.hosting\nns.hosting A 127.0.0.13\n"
					  "loopb NS ns.loopa.lab.\n";

static const char GOOD[] = SOA("good.lab.") "@ NS ns1\nns1 A 127.0.0.10\nwww A 192.0.2.1\n"
					    "alias CNAME www.ood.lab.\n";
static const char NOG[] = SOA("nog.lab.") "@ NS ns1\nns1 A 127.0.0.11\nwww A 192.0.2.2\n";
static const char MISM[] = SOA("mism.lab.") "@ NS ns1\nns1 A 127.0.0.14\nwww A 192.0.2.3\n";
static const char OOD[] = SOA("ood.lab.") "@ NS ns.hosting.other.\nwww A 192.0.2.4\n";
static const char HOSTING[] = SOA("hosting.other.") "@ NS ns\nns A 127.0.0.13\n";
static const char CYCA[] = SOA("cyca.lab.") "@ NS ns.cycb.lab.\nns A 127.0.0.10\nwww A 192.0.2.5\n";
static const char CYCB[] = SOA("cycb.lab.") "@ NS ns.cyca.lab.\nns A 127.0.0.10\n";
static const char BIG[] = SOA("big.lab.") "@ NS ns\nns A 127.0.0.10\nwww A 192.0.2.6\n";
static const char UNRELATED[] = SOA("unrelated.") "@ NS ns\nns A 127.0.0.12\n";

typedef struct server {
	uint8_t last; /* 127.0.0.<last> */
	zoneset_t *zs;
} server_t;

static server_t servers[8];
static size_t nservers;
static glue_rule_t none_rule = { .mode = GLUE_NONE, .truncation = TRUNC_INHERIT };

static zone_t *load(const char *text)
{
	zone_t *z = NULL;
	char err[512];
	if (zone_load_mem("sim", text, strlen(text), NULL, NULL, NULL, &z, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	return z;
}

static int add_server(uint8_t last, const char *const *texts, size_t n)
{
	zone_t *zones[8];
	char err[512];
	for (size_t i = 0; i < n; i++)
		if (!(zones[i] = load(texts[i])))
			return -1;
	/* The lab TLD withholds nog.lab.'s glue by policy. */
	for (size_t i = 0; i < n; i++)
		if (texts[i] == LAB &&
		    zone_set_cut_rule(zones[i], (const uint8_t *)"\3nog\3lab\0", &none_rule) != 0)
			return -1;
	servers[nservers].last = last;
	if (zoneset_from_zones(zones, n, GLUE_FULL, &servers[nservers].zs, err, sizeof(err)) != 0)
		return -1;
	nservers++;
	return 0;
}

static int setup(void **state)
{
	const char *root[] = { ROOT }, *lab[] = { LAB }, *other[] = { OTHER };
	const char *ten[] = { GOOD, CYCA, CYCB, BIG }, *eleven[] = { NOG },
		   *twelve[] = { UNRELATED };
	const char *thirteen[] = { HOSTING, OOD }, *fourteen[] = { MISM };
	return add_server(1, root, 1) || add_server(2, lab, 1) || add_server(3, other, 1) ||
	       add_server(10, ten, 4) || add_server(11, eleven, 1) || add_server(12, twelve, 1) ||
	       add_server(13, thirteen, 2) || add_server(14, fourteen, 1);
}

static int teardown(void **state)
{
	for (size_t i = 0; i < nservers; i++)
		zoneset_free(servers[i].zs);
	return 0;
}

#endif
