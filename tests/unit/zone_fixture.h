/*
 * zone_fixture.h -- a parent zone with one delegation of each kind, and
 * helpers to load zones from text, for test_zone.c and test_zoneset.c.
 */
#ifndef TEST_ZONE_FIXTURE_H
#define TEST_ZONE_FIXTURE_H

#include <string.h>

#include "dns/name.h"
#include "dns/zone.h"
#include "dns/zone_build.h"

static const char PARENT[] =
	"$ORIGIN test.\n"
	"$TTL 3600\n"
	"@ SOA ns.test. host.test. 1 7200 900 1209600 300\n"
	"@ NS ns.test.\n"
	"ns A 192.0.2.1\n"
	/* in-domain, plus an in-zone and an out-of-zone NS */
	"child NS ns1.child\n"
	"child NS ns.test.\n"
	"child NS ns.elsewhere.example.\n"
	"child DS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\n"
	"ns1.child A 192.0.2.10\n"
	"ns1.child AAAA 2001:db8::10\n"
	/* sibling: a's NS lives under b */
	"a NS ns.b\n"
	"b NS ns.b\n"
	"ns.b A 192.0.2.20\n"
	/* missing glue */
	"noglue NS ns.noglue\n"
	/* deeper names, ENTs, wildcard */
	"x.y.z A 192.0.2.30\n"
	"*.wild A 192.0.2.40\n"
	"mx MX 10 ns\n";

static void count_warn(void *ctx, const char *msg)
{
	(void)msg;
	(*(int *)ctx)++;
}

static zone_t *load(const char *text, char *err, size_t errcap, int *warnings)
{
	zone_t *z = NULL;
	int rc = zone_load_mem("mem.zone", text, strlen(text), NULL, count_warn, warnings, &z, err,
			       errcap);
	return rc == ST_OK ? z : NULL;
}

static const node_t *find(const zone_t *z, const char *name)
{
	uint8_t w[NAME_MAXLEN];
	int n = name_from_text(name, strlen(name), NULL, w);
	assert_true(n > 0);
	name_lower(w, w);
	return zone_find(z, w, (size_t)n);
}

#define GOLDEN_ZONE TEST_DATA_DIR "/../golden/zones/test.zone"

#endif
