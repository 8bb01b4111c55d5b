/*
 * respond_fixture.h -- zonesets loaded from zone text (through a scratch
 * file, the way glued loads them, faults included) and requests built by
 * hand, for the tests of the engine's entry points and of the network layer.
 */
#ifndef TEST_RESPOND_FIXTURE_H
#define TEST_RESPOND_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns/name.h"
#include "dns/policy.h"
#include "dns/query.h"
#include "dns/rdata.h"
#include "dns/zoneset.h"

/* A parent zone with a delegation, and two names that faults pick on. */
static const char FIX_TEST_ZONE[] = "$ORIGIN test.\n"
				    "$TTL 3600\n"
				    "@ SOA ns.test. hostmaster.test. 1 7200 900 1209600 300\n"
				    "@ NS ns.test.\n"
				    "ns A 192.0.2.1\n"
				    "www A 192.0.2.80\n"
				    "www AAAA 2001:db8::80\n"
				    "child NS ns1.child\n"
				    "child NS ns.test.\n"
				    "ns1.child A 192.0.2.10\n"
				    "slow A 192.0.2.81\n"
				    "gone A 192.0.2.82\n";

#define FIX_DELAY_MS 300

/*
 * Load the zone text (origin, text) plus, when big_delegations > 0, a zone
 * "big." with that many delegations dN.big. (NS ns.dN.big., glue A), big
 * enough that the engine prefetches its lookups. The server has a delay
 * fault on slow.test. (FIX_DELAY_MS) and a drop fault on gone.test. when
 * faults is true. Returns the zoneset or NULL (message on stderr).
 */
static inline zoneset_t *fix_zoneset(const char *origin, const char *text, unsigned big_delegations,
				     bool faults)
{
	char dir[] = "/tmp/glued-unit-XXXXXX";
	char path[2][64];
	zoneset_t *zs = NULL;
	if (mkdtemp(dir) == NULL)
		return NULL;
	snprintf(path[0], sizeof(path[0]), "%s/a.zone", dir);
	snprintf(path[1], sizeof(path[1]), "%s/big.zone", dir);
	FILE *f = fopen(path[0], "w");
	if (f == NULL)
		goto out;
	fputs(text, f);
	fclose(f);
	if (big_delegations > 0) {
		f = fopen(path[1], "w");
		if (f == NULL)
			goto out;
		fputs("$ORIGIN big.\n$TTL 3600\n@ SOA ns.big. h.big. 1 2 3 4 5\n@ NS ns\n"
		      "ns A 192.0.2.2\n",
		      f);
		for (unsigned i = 0; i < big_delegations; i++)
			fprintf(f, "d%u NS ns.d%u\nns.d%u A 10.%u.%u.%u\n", i, i, i, i >> 16,
				(i >> 8) & 255, i & 255);
		fclose(f);
	}

	fault_t fl[2] = {
		{ .action = FAULT_DELAY, .every = 1, .delay_ms = FIX_DELAY_MS, .has_name = true },
		{ .action = FAULT_DROP, .every = 1, .has_name = true },
	};
	if (name_from_text("slow.test.", 10, NULL, fl[0].name) < 0 ||
	    name_from_text("gone.test.", 10, NULL, fl[1].name) < 0)
		goto out;
	zone_spec_t zspec[2] = {
		{ .origin = origin, .file = path[0], .rule = GLUE_RULE_INHERIT },
		{ .origin = "big.", .file = path[1], .rule = GLUE_RULE_INHERIT },
	};
	server_spec_t spec = { .name = "unit",
			       .zones = zspec,
			       .nzones = big_delegations ? 2 : 1,
			       .rule = GLUE_RULE_INHERIT,
			       .faults = faults ? fl : NULL,
			       .nfaults = faults ? 2 : 0 };
	char err[512];
	if (zoneset_load(&spec, NULL, NULL, &zs, err, sizeof(err)) != ST_OK) {
		fprintf(stderr, "fix_zoneset: %s\n", err);
		zs = NULL;
	}
out:
	unlink(path[0]);
	unlink(path[1]);
	rmdir(dir);
	return zs;
}

/* EDNS of a built query: none, or an OPT with this version and size. */
#define FIX_NO_EDNS (-1)

/*
 * Write a request into buf (at least 300 bytes): header (id, flags as
 * given, QDCOUNT 1), the question name (text) with qtype and qclass, and
 * an OPT of version `edns` (FIX_NO_EDNS: none) advertising 1232 with DO
 * when do_bit. Returns its length.
 */
static inline size_t fix_query(uint8_t *buf, uint16_t id, uint16_t flags, const char *name,
			       uint16_t qtype, uint16_t qclass, int edns, bool do_bit)
{
	size_t p = 0;
	buf[p++] = (uint8_t)(id >> 8), buf[p++] = (uint8_t)id;
	buf[p++] = (uint8_t)(flags >> 8), buf[p++] = (uint8_t)flags;
	buf[p++] = 0, buf[p++] = 1;
	buf[p++] = 0, buf[p++] = 0;
	buf[p++] = 0, buf[p++] = 0;
	buf[p++] = 0, buf[p++] = edns == FIX_NO_EDNS ? 0 : 1;
	int n = name_from_text(name, strlen(name), NULL, buf + p);
	if (n < 0)
		abort();
	p += (size_t)n;
	buf[p++] = (uint8_t)(qtype >> 8), buf[p++] = (uint8_t)qtype;
	buf[p++] = (uint8_t)(qclass >> 8), buf[p++] = (uint8_t)qclass;
	if (edns != FIX_NO_EDNS) {
		const uint8_t opt[11] = {
			0, 0, 41, 1232 >> 8, 1232 & 255, 0, (uint8_t)edns, do_bit ? 0x80 : 0,
			0, 0, 0
		};
		memcpy(buf + p, opt, sizeof(opt));
		p += sizeof(opt);
	}
	return p;
}

/* Header fields of a response. */
static inline uint16_t fix_id(const uint8_t *m) { return (uint16_t)(m[0] << 8 | m[1]); }
static inline uint16_t fix_flags(const uint8_t *m) { return (uint16_t)(m[2] << 8 | m[3]); }
static inline uint16_t fix_count(const uint8_t *m, int i)
{
	return (uint16_t)(m[4 + 2 * i] << 8 | m[5 + 2 * i]);
}

#endif
