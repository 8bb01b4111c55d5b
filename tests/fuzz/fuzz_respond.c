/*
 * fuzz_respond.c -- the whole query path: request bytes -> response bytes,
 * over a zoneset with every kind of delegation and the signed lab's zones
 * (NSEC, NSEC3 with opt-out, wildcards, expired signatures, an unsigned
 * child), checking the response's invariants: it parses, its ID and
 * question match, it fits the limit, its counts match its sections, and
 * without DO it carries no RRSIG, NSEC or NSEC3 the question did not ask
 * for. The first input byte picks UDP or TCP (bit 0) and the zoneset
 * (bit 1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/msg.h"
#include "dns/query.h"
#include "dns/rdata.h"
#include "dns/respond.h"
#include "dns/zone_build.h"
#include "dns/zoneset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char ZONE[] =
	"$ORIGIN test.\n$TTL 3600\n"
	"@ SOA ns.test. host.test. 1 7200 900 1209600 300\n@ NS ns.test.\nns A 192.0.2.1\n"
	"child NS ns1.child\nchild NS ns.test.\nchild NS ns.out.example.\n"
	"child DS 1 13 2 00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF\n"
	"ns1.child A 192.0.2.10\nns1.child AAAA 2001:db8::10\n"
	"a NS ns.b\nb NS ns.a\nns.a A 192.0.2.20\nns.b A 192.0.2.21\n"
	"big NS a.big\nbig NS b.big\nbig NS c.big\nbig NS d.big\nbig NS e.big\nbig NS f.big\n"
	"big NS g.big\nbig NS h.big\nbig NS i.big\nbig NS j.big\nbig NS k.big\nbig NS l.big\n"
	"a.big A 192.0.2.1\nb.big A 192.0.2.2\nc.big A 192.0.2.3\nd.big A 192.0.2.4\n"
	"e.big A 192.0.2.5\nf.big A 192.0.2.6\ng.big A 192.0.2.7\nh.big A 192.0.2.8\n"
	"i.big A 192.0.2.9\nj.big A 192.0.2.10\nk.big A 192.0.2.11\nl.big A 192.0.2.12\n"
	"a.big AAAA 2001:db8::1\nb.big AAAA 2001:db8::2\nc.big AAAA 2001:db8::3\n"
	"d.big AAAA 2001:db8::4\ne.big AAAA 2001:db8::5\nf.big AAAA 2001:db8::6\n"
	"www A 192.0.2.80\nwww TXT \"hello\" \"world\"\nmx MX 10 www\nsrv SRV 0 0 53 www\n"
	"*.wild A 192.0.2.90\nc1 CNAME c2\nc2 CNAME www\nloop CNAME loop\nx.y.z A 192.0.2.91\n";

/*
 * The signed lab's zone files, loaded from GLUED_SIGNED_DIR into two sets:
 * every zone (answers from each child), and the parents only (referrals
 * into signed and unsigned children with DS or the proof of no DS).
 */
static const char *const ALL[] = {
	"root.zone",        "sec.zone",          "nsec.sec.zone",     "nsec3.sec.zone",
	"expired.sec.zone", "unsigned.sec.zone", "sub.nsec.sec.zone", NULL,
};
static const char *const PARENTS[] = { "root.zone", "sec.zone", "nsec.sec.zone", NULL };

static zoneset_t *sets[2];

static void load_failed(const char *what, const char *err)
{
	fprintf(stderr, "fuzz zone %s: %s\n", what, err);
	abort();
}

/* The test zone and the named files, as one zoneset. */
static zoneset_t *load_set(const char *const *files)
{
	char err[512], path[4096];
	zone_t *z[16] = { NULL };
	size_t n = 0;
	if (zone_load_mem("fuzz", ZONE, sizeof(ZONE) - 1, NULL, NULL, NULL, &z[n++], err,
			  sizeof(err)))
		load_failed("fuzz", err);
	for (; files[n - 1]; n++) {
		snprintf(path, sizeof(path), "%s/%s", GLUED_SIGNED_DIR, files[n - 1]);
		if (zone_load(path, NULL, NULL, NULL, &z[n], err, sizeof(err)))
			load_failed(path, err);
	}
	zoneset_t *zs;
	if (zoneset_from_zones(z, n, GLUE_FULL, &zs, err, sizeof(err)))
		load_failed("set", err);
	return zs;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	sets[0] = load_set(ALL);
	sets[1] = load_set(PARENTS);
	return 0;
}

static uint8_t out[RESPOND_MAX];
static msg_rr_t rr;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!sets[0])
		LLVMFuzzerInitialize(NULL, NULL);
	if (size < 1)
		return 0;
	bool tcp = data[0] & 1;
	const zoneset_t *zs = sets[(data[0] >> 1) & 1];
	const uint8_t *req = data + 1;
	size_t len = size - 1;

	query_t q;
	explain_t ex;
	size_t n = respond(zs, req, len, tcp, out, &q, &ex);
	if (n == 0)
		return 0;

	size_t limit = tcp ? RESPOND_MAX : UDP_MIN_LIMIT;
	if (!tcp && q.edns)
		limit = query_udp_limit(&q);
	if (n > limit || len < 12)
		abort();
	msg_t m;
	if (msg_open(&m, out, n) != 0)
		abort();
	if (m.id != (uint16_t)(req[0] << 8 | req[1]) || !(m.flags & 0x8000))
		abort();
	/* Every counted record parses and nothing trails the last one. */
	int rc, records = 0;
	while ((rc = msg_next(&m, &rr)) == 1) {
		if (rr.section == 0 && q.has_question &&
		    (memcmp(rr.owner, q.qname, q.qname_len) != 0 || rr.type != q.qtype))
			abort();
		/* DO=0 (RFC 4035 3.1): DNSSEC records only as the answer asked for. */
		bool dnssec_rr = rr.type == RR_RRSIG || rr.type == RR_NSEC || rr.type == RR_NSEC3;
		if (dnssec_rr && !q.do_bit && rr.section > 0 &&
		    !(rr.section == 1 && (rr.type == q.qtype || q.qtype == RR_ANY)))
			abort();
		records++;
	}
	if (rc != 0 || m.pos != n)
		abort();
	if (records != m.count[0] + m.count[1] + m.count[2] + m.count[3])
		abort();
	return 0;
}
