/*
 * Unit tests for zone_dnssec.c and denial.c: the RRSIGs grouped per RRset,
 * the NSEC and NSEC3 proofs that answers from a signed zone carry (which
 * owner, which RRset, in which order), the load-time warnings about signed
 * data, and what DO=1 changes end to end through respond().
 *
 * The zones are signed only as far as glued can tell: the signatures are
 * not valid (glued never validates), but the NSEC chain is in canonical
 * order and every NSEC3 owner is the right hash of its name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "analysis/msg.h"
#include "dns/answer.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/respond.h"
#include "dns/wire.h"
#include "dns/zone_build.h"
#include "dns/zoneset.h"

#include "respond_fixture.h"

#define KEY \
	"mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ=="
#define SIGDATA \
	"oJB1W6WNGv+ldvQ3WDG0MQkg5IEhjRip8WTrPYGv07h108dUKGMeDPKijVCHX3DDKdfb+v6oB9wfuh3DTJXUAfI="
#define DSDATA "12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"

/* The rest of an RRSIG record after its type covered: valid until 2046,
 * by the zone's key. */
#define NSIG " 13 3 3600 20460101000000 20261101000000 12345 n.example. " SIGDATA
#define N3SIG " 13 3 3600 20460101000000 20261101000000 12345 n3.example. " SIGDATA

/*
 * NSEC. Canonical order (RFC 4034 6.1): n.example, a, c (an empty
 * non-terminal), b.c, d (insecure delegation), ns.d (glue), e (secure
 * delegation), ns.e (glue), ns, w (empty non-terminal), *.w, m.w.
 */
static const char NSEC_ZONE[] =
	"$ORIGIN n.example.\n"
	"$TTL 3600\n"
	"@ SOA ns.n.example. host.n.example. 1 7200 900 1209600 300\n"
	"@ NS ns\n"
	"@ DNSKEY 257 3 13 " KEY "\n"
	"@ NSEC a.n.example. NS SOA RRSIG NSEC DNSKEY\n"
	"@ RRSIG SOA" NSIG "\n"
	"@ RRSIG NS" NSIG "\n"
	"@ RRSIG DNSKEY" NSIG "\n"
	"@ RRSIG NSEC" NSIG "\n"
	"a A 192.0.2.1\n"
	"a NSEC b.c.n.example. A RRSIG NSEC\n"
	"a RRSIG A" NSIG "\n"
	"a RRSIG NSEC" NSIG "\n"
	"b.c A 192.0.2.2\n"
	"b.c NSEC d.n.example. A RRSIG NSEC\n"
	"b.c RRSIG A" NSIG "\n"
	"b.c RRSIG NSEC" NSIG "\n"
	"d NS ns.d\n"
	"d NSEC e.n.example. NS RRSIG NSEC\n"
	"d RRSIG NSEC" NSIG "\n"
	"ns.d A 192.0.2.3\n"
	"e NS ns.e\n"
	"e DS " DSDATA "\n"
	"e NSEC ns.n.example. NS DS RRSIG NSEC\n"
	"e RRSIG DS" NSIG "\n"
	"e RRSIG NSEC" NSIG "\n"
	"ns.e A 192.0.2.4\n"
	/* Two signatures over A (key tags 11111, 22222) and one over AAAA
	 * in between; the RRSIGs' own TTL is neither's. */
	"ns 600 A 192.0.2.5\n"
	"ns 900 AAAA 2001:db8::5\n"
	"ns RRSIG A 13 3 3600 20460101000000 20261101000000 11111 n.example. " SIGDATA "\n"
	"ns RRSIG AAAA" NSIG "\n"
	"ns RRSIG A 13 3 3600 20460101000000 20261101000000 22222 n.example. " SIGDATA "\n"
	"ns NSEC *.w.n.example. A AAAA RRSIG NSEC\n"
	"ns RRSIG NSEC" NSIG "\n"
	"*.w TXT \"wild\"\n"
	"*.w NSEC m.w.n.example. TXT RRSIG NSEC\n"
	"*.w RRSIG TXT" NSIG "\n"
	"*.w RRSIG NSEC" NSIG "\n"
	"m.w A 192.0.2.6\n"
	"m.w NSEC n.example. A RRSIG NSEC\n"
	"m.w RRSIG A" NSIG "\n"
	"m.w RRSIG NSEC" NSIG "\n";

/*
 * NSEC3, SHA-1, no extra iteration, salt aabbccdd, opt-out. The hashes
 * were computed once with bind9-utils, `nsec3hash aabbccdd 1 0 NAME`, and
 * agree with ldns-utils' `ldns-nsec3-hash -t 0 -s aabbccdd NAME`. The
 * names with an NSEC3, in hash order (which is the chain), and the NSEC3
 * owner each hashes to:
 */
#define N3_APEX "3elsdu6vn2phlq1amibcps7ikgm1dfrc.n3.example." /* n3.example. */
#define N3_W "620drqim6up2ai8mfnee7teaea502jrc.n3.example."    /* w (empty non-terminal) */
#define N3_C "a7jqvvvcheg1j59gqhk1krcnmsk0d77f.n3.example."    /* c (empty non-terminal) */
#define N3_BC "bedosotq0rbdtncmstnntdk9qjsfv59n.n3.example."   /* b.c */
#define N3_NS "mbpf7mnq7t1r33mqbm5ucv4krsvevcc8.n3.example."   /* ns */
#define N3_E "mp1gtdb3c2k41jk5t8fiq3atvlbpjqmq.n3.example."    /* e (secure delegation) */
#define N3_WILD "o0e1h7q0pge2q9ku4bbjrt3qtgesau64.n3.example." /* *.w */
#define N3_A "qcokpbhffnj7tleo7eg7ka70er5n201j.n3.example."    /* a */
/*
 * Names without one, by the same command, and the NSEC3 covering them:
 *   *.n3.example.       FRSP3U1E... covered by N3_BC
 *   r                   P05L2J42... by N3_WILD
 *   s.r                 H1M1CVBJ... by N3_BC (r's is not: the next closer counts)
 *   x.c                 PMQ3BE1T... by N3_WILD
 *   *.c                 SH4348JJ... by N3_A
 *   d.c (opt-out)       1GRE12DA... by N3_A (before the first hash: the chain wraps)
 *   o (ENT, opt-out)    9M8DB6EJ... by N3_W
 *   b.o (opt-out)       C0BI7CSA... by N3_BC
 *   foo.w               5LCQ7RDP... by N3_APEX
 *   x.foo.w             FEKNSD09... by N3_BC
 */
static const char NSEC3_ZONE[] =
	"$ORIGIN n3.example.\n"
	"$TTL 3600\n"
	"@ SOA ns.n3.example. host.n3.example. 1 7200 900 1209600 300\n"
	"@ NS ns\n"
	"@ DNSKEY 257 3 13 " KEY "\n"
	"@ NSEC3PARAM 1 0 0 aabbccdd\n"
	"@ RRSIG SOA" N3SIG "\n"
	"@ RRSIG NS" N3SIG "\n"
	"@ RRSIG DNSKEY" N3SIG "\n"
	"@ RRSIG NSEC3PARAM" N3SIG "\n"
	"a A 192.0.2.1\n"
	"a RRSIG A" N3SIG "\n"
	"b.c A 192.0.2.2\n"
	"b.c RRSIG A" N3SIG "\n"
	/* Insecure delegations left out of the chain: one below c, which
	 * has its NSEC3, one below o, an empty non-terminal that has none. */
	"d.c NS ns.d.c\n"
	"ns.d.c A 192.0.2.3\n"
	"b.o NS ns.b.o\n"
	"ns.b.o A 192.0.2.4\n"
	"e NS ns.e\n"
	"e DS " DSDATA "\n"
	"e RRSIG DS" N3SIG "\n"
	"ns.e A 192.0.2.5\n"
	"ns A 192.0.2.6\n"
	"ns RRSIG A" N3SIG "\n"
	"*.w TXT \"wild\"\n"
	"*.w RRSIG TXT" N3SIG "\n"
	"3elsdu6vn2phlq1amibcps7ikgm1dfrc NSEC3 1 1 0 aabbccdd 620drqim6up2ai8mfnee7teaea502jrc "
	"NS SOA RRSIG DNSKEY NSEC3PARAM\n"
	"3elsdu6vn2phlq1amibcps7ikgm1dfrc RRSIG NSEC3" N3SIG "\n"
	"620drqim6up2ai8mfnee7teaea502jrc NSEC3 1 1 0 aabbccdd a7jqvvvcheg1j59gqhk1krcnmsk0d77f\n"
	"620drqim6up2ai8mfnee7teaea502jrc RRSIG NSEC3" N3SIG "\n"
	"a7jqvvvcheg1j59gqhk1krcnmsk0d77f NSEC3 1 1 0 aabbccdd bedosotq0rbdtncmstnntdk9qjsfv59n\n"
	"a7jqvvvcheg1j59gqhk1krcnmsk0d77f RRSIG NSEC3" N3SIG "\n"
	"bedosotq0rbdtncmstnntdk9qjsfv59n NSEC3 1 1 0 aabbccdd mbpf7mnq7t1r33mqbm5ucv4krsvevcc8 "
	"A RRSIG\n"
	"bedosotq0rbdtncmstnntdk9qjsfv59n RRSIG NSEC3" N3SIG "\n"
	"mbpf7mnq7t1r33mqbm5ucv4krsvevcc8 NSEC3 1 1 0 aabbccdd mp1gtdb3c2k41jk5t8fiq3atvlbpjqmq "
	"A RRSIG\n"
	"mbpf7mnq7t1r33mqbm5ucv4krsvevcc8 RRSIG NSEC3" N3SIG "\n"
	"mp1gtdb3c2k41jk5t8fiq3atvlbpjqmq NSEC3 1 1 0 aabbccdd o0e1h7q0pge2q9ku4bbjrt3qtgesau64 "
	"NS DS RRSIG\n"
	"mp1gtdb3c2k41jk5t8fiq3atvlbpjqmq RRSIG NSEC3" N3SIG "\n"
	"o0e1h7q0pge2q9ku4bbjrt3qtgesau64 NSEC3 1 1 0 aabbccdd qcokpbhffnj7tleo7eg7ka70er5n201j "
	"TXT RRSIG\n"
	"o0e1h7q0pge2q9ku4bbjrt3qtgesau64 RRSIG NSEC3" N3SIG "\n"
	"qcokpbhffnj7tleo7eg7ka70er5n201j NSEC3 1 1 0 aabbccdd 3elsdu6vn2phlq1amibcps7ikgm1dfrc "
	"A RRSIG\n"
	"qcokpbhffnj7tleo7eg7ka70er5n201j RRSIG NSEC3" N3SIG "\n";

/* ---- fixtures ------------------------------------------------------------ */

typedef struct warns {
	char msg[8][512];
	int n;
} warns_t;

static void collect(void *ctx, const char *msg)
{
	warns_t *w = ctx;
	if (w->n < 8)
		snprintf(w->msg[w->n], sizeof(w->msg[0]), "%s", msg);
	w->n++;
}

static zone_t *load_zone(const char *text, warns_t *w)
{
	char err[512];
	zone_t *z = NULL;
	memset(w, 0, sizeof(*w));
	if (zone_load_mem("mem.zone", text, strlen(text), NULL, collect, w, &z, err, sizeof(err)) !=
	    ST_OK) {
		print_error("%s\n", err);
		return NULL;
	}
	return z;
}

static zoneset_t *zs;
static const zone_t *nsec_z, *nsec3_z; /* owned by zs */

static int setup(void **state)
{
	warns_t w;
	zone_t *zones[2];
	if (!(zones[0] = load_zone(NSEC_ZONE, &w)))
		return -1;
	/* Well-formed signed data loads without a word. */
	if (w.n != 0) {
		print_error("NSEC zone: %s\n", w.msg[0]);
		return -1;
	}
	if (!(zones[1] = load_zone(NSEC3_ZONE, &w)))
		return -1;
	if (w.n != 0) {
		print_error("NSEC3 zone: %s\n", w.msg[0]);
		return -1;
	}
	nsec_z = zones[0], nsec3_z = zones[1];
	char err[512];
	if (zoneset_from_zones(zones, 2, GLUE_FULL, &zs, err, sizeof(err)) != ST_OK) {
		print_error("%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	zoneset_free(zs);
	return 0;
}

static const node_t *find(const zone_t *z, const char *name)
{
	uint8_t w[NAME_MAXLEN];
	int n = name_from_text(name, strlen(name), NULL, w);
	assert_true(n > 0);
	name_lower(w, w);
	const node_t *nd = zone_find(z, w, (size_t)n);
	assert_non_null(nd);
	return nd;
}

/* ---- plans, as text --------------------------------------------------------- */

static query_t q;
static plan_t plan;
static explain_t ex;
static char text[8192];

static void add_line(size_t *at, const char *sec, const char *owner, uint16_t type,
		     uint16_t covered, bool merged, const char *note)
{
	char tbuf[16], cbuf[16];
	if (merged) {
		*at += (size_t)snprintf(text + *at, sizeof(text) - *at, " +sig%s", note);
		return;
	}
	const char *t = rrtype_to_text(type, tbuf);
	if (type == RR_RRSIG)
		*at += (size_t)snprintf(text + *at, sizeof(text) - *at, "%s%s %s RRSIG(%s)",
					*at ? "\n" : "", sec, owner, rrtype_to_text(covered, cbuf));
	else
		*at += (size_t)snprintf(text + *at, sizeof(text) - *at, "%s%s %s %s",
					*at ? "\n" : "", sec, owner, t);
}

/*
 * The plan of the last question, one line per entry: "AN|AU|AD owner
 * TYPE", an RRSIG entry as "RRSIG(covered)", or as " +sig" at the end of
 * the line of the RRset it signs when it follows it.
 */
static const char *plan_text(void)
{
	static const char *const sec[] = { "AN", "AU", "AD" };
	size_t at = 0;
	text[0] = 0;
	for (uint16_t i = 0; i < plan.n; i++) {
		const plan_rr_t *r = &plan.rr[i];
		const uint8_t *o = r->owner ? r->owner : q.qname + r->qskip;
		char owner[NAME_TEXT_MAX];
		uint16_t type = r->rrset->type;
		uint16_t covered = type == RR_RRSIG ? wire_get16(r->rrset->data + 2) : 0;
		bool merged = type == RR_RRSIG && r->sig && i > 0 &&
			      plan.rr[i - 1].rrset->type == covered &&
			      plan.rr[i - 1].section == r->section;
		add_line(&at, sec[r->section], name_str(o, owner, sizeof(owner)), type, covered,
			 merged, "");
	}
	return text;
}

static void ask(const char *name, uint16_t type, bool do_bit)
{
	memset(&q, 0, sizeof(q));
	int n = name_from_text(name, strlen(name), NULL, q.qname);
	assert_true(n > 0);
	q.qname_len = (uint8_t)n;
	name_lower(q.lname, q.qname);
	q.qtype = type;
	q.qclass = CLASS_IN;
	q.edns = true;
	q.edns_size = 1232;
	q.do_bit = do_bit;
	answer_plan(zs, &q, false, &plan, &ex);
}

/* Ask with DO=1; the plan must be of that kind and read as want. */
static void check(const char *name, uint16_t type, uint8_t kind, const char *want)
{
	ask(name, type, true);
	const char *got = plan_text();
	if (plan.kind != kind || strcmp(got, want) != 0)
		fail_msg("%s type %u: kind %s, plan\n%s\nexpected %s, plan\n%s", name, type,
			 answer_kind_str(plan.kind), got, answer_kind_str(kind), want);
}

/* ---- NSEC ---------------------------------------------------------------- */

static void test_nsec_nxdomain(void **state)
{
	/* The NSEC covering the name, then the one covering the wildcard at
	 * the closest encloser (*.n.example: right after the apex). */
	check("aa.n.example.", RR_A, ANSWER_NXDOMAIN,
	      "AU n.example. SOA +sig\n"
	      "AU a.n.example. NSEC +sig\n"
	      "AU n.example. NSEC +sig");
	/* x.a and *.a both fall between a and b.c: one NSEC. */
	check("x.a.n.example.", RR_A, ANSWER_NXDOMAIN,
	      "AU n.example. SOA +sig\n"
	      "AU a.n.example. NSEC +sig");
	/* The closest encloser is an empty non-terminal: *.c sorts before
	 * b.c, x.c after it. */
	check("x.c.n.example.", RR_A, ANSWER_NXDOMAIN,
	      "AU n.example. SOA +sig\n"
	      "AU b.c.n.example. NSEC +sig\n"
	      "AU a.n.example. NSEC +sig");
	/* After the last name: the NSEC that points back to the apex. */
	check("zzz.n.example.", RR_A, ANSWER_NXDOMAIN,
	      "AU n.example. SOA +sig\n"
	      "AU m.w.n.example. NSEC +sig\n"
	      "AU n.example. NSEC +sig");
}

static void test_nsec_nodata(void **state)
{
	check("a.n.example.", RR_TXT, ANSWER_NODATA,
	      "AU n.example. SOA +sig\n"
	      "AU a.n.example. NSEC +sig");
	/* Empty non-terminals own no NSEC: the one covering them. */
	check("c.n.example.", RR_A, ANSWER_NODATA,
	      "AU n.example. SOA +sig\n"
	      "AU a.n.example. NSEC +sig");
	check("w.n.example.", RR_A, ANSWER_NODATA,
	      "AU n.example. SOA +sig\n"
	      "AU ns.n.example. NSEC +sig");
	/* At the apex. */
	check("n.example.", RR_MX, ANSWER_NODATA,
	      "AU n.example. SOA +sig\n"
	      "AU n.example. NSEC +sig");
}

static void test_nsec_wildcard(void **state)
{
	/* The answer, signed, and the NSEC that proves no closer name. */
	check("zz.w.n.example.", RR_TXT, ANSWER_POSITIVE,
	      "AN zz.w.n.example. TXT +sig\n"
	      "AU m.w.n.example. NSEC +sig");
	assert_true(ex.wildcard);
	check("foo.w.n.example.", RR_TXT, ANSWER_POSITIVE,
	      "AN foo.w.n.example. TXT +sig\n"
	      "AU *.w.n.example. NSEC +sig");
	/* Wildcard NODATA: the NSEC covering the name and the wildcard's
	 * own, which shows it has no A; once when it is the same NSEC. */
	check("zz.w.n.example.", RR_A, ANSWER_NODATA,
	      "AU n.example. SOA +sig\n"
	      "AU m.w.n.example. NSEC +sig\n"
	      "AU *.w.n.example. NSEC +sig");
	check("foo.w.n.example.", RR_A, ANSWER_NODATA,
	      "AU n.example. SOA +sig\n"
	      "AU *.w.n.example. NSEC +sig");
}

static void test_nsec_delegations(void **state)
{
	/* DS is the parent's: the DS with its RRSIG, or the cut's NSEC. */
	check("e.n.example.", RR_DS, ANSWER_POSITIVE, "AN e.n.example. DS +sig");
	check("d.n.example.", RR_DS, ANSWER_NODATA,
	      "AU n.example. SOA +sig\n"
	      "AU d.n.example. NSEC +sig");
	/* Referrals: NS unsigned (the child's), DS signed or the NSEC that
	 * proves there is none; glue unsigned. */
	check("www.e.n.example.", RR_A, ANSWER_REFERRAL,
	      "AU e.n.example. NS\n"
	      "AU e.n.example. DS +sig\n"
	      "AD ns.e.n.example. A");
	check("www.d.n.example.", RR_A, ANSWER_REFERRAL,
	      "AU d.n.example. NS\n"
	      "AU d.n.example. NSEC +sig\n"
	      "AD ns.d.n.example. A");
	assert_false(plan.aa);
}

/* ---- NSEC3 --------------------------------------------------------------- */

static void test_nsec3_nxdomain(void **state)
{
	/* RFC 5155 7.2.2: the closest encloser's match, the cover of the
	 * next closer name (r, not s.r) and the cover of *.n3.example. */
	check("s.r.n3.example.", RR_A, ANSWER_NXDOMAIN,
	      "AU n3.example. SOA +sig\n"
	      "AU " N3_APEX " NSEC3 +sig\n"
	      "AU " N3_WILD " NSEC3 +sig\n"
	      "AU " N3_BC " NSEC3 +sig");
	/* Below an empty non-terminal with an NSEC3 of its own. */
	check("x.c.n3.example.", RR_A, ANSWER_NXDOMAIN,
	      "AU n3.example. SOA +sig\n"
	      "AU " N3_C " NSEC3 +sig\n"
	      "AU " N3_WILD " NSEC3 +sig\n"
	      "AU " N3_A " NSEC3 +sig");
}

static void test_nsec3_nodata(void **state)
{
	check("a.n3.example.", RR_TXT, ANSWER_NODATA,
	      "AU n3.example. SOA +sig\n"
	      "AU " N3_A " NSEC3 +sig");
	check("n3.example.", RR_MX, ANSWER_NODATA,
	      "AU n3.example. SOA +sig\n"
	      "AU " N3_APEX " NSEC3 +sig");
	/* An empty non-terminal above signed data has its NSEC3. */
	check("c.n3.example.", RR_A, ANSWER_NODATA,
	      "AU n3.example. SOA +sig\n"
	      "AU " N3_C " NSEC3 +sig");
}

static void test_nsec3_wildcard(void **state)
{
	/* RFC 5155 7.2.6: the cover of the next closer name, foo.w. */
	check("foo.w.n3.example.", RR_TXT, ANSWER_POSITIVE,
	      "AN foo.w.n3.example. TXT +sig\n"
	      "AU " N3_APEX " NSEC3 +sig");
	check("x.foo.w.n3.example.", RR_TXT, ANSWER_POSITIVE,
	      "AN x.foo.w.n3.example. TXT +sig\n"
	      "AU " N3_APEX " NSEC3 +sig");
	/* RFC 5155 7.2.5: closest encloser w, next closer cover, and the
	 * wildcard's own NSEC3, which has no A. */
	check("x.foo.w.n3.example.", RR_A, ANSWER_NODATA,
	      "AU n3.example. SOA +sig\n"
	      "AU " N3_W " NSEC3 +sig\n"
	      "AU " N3_APEX " NSEC3 +sig\n"
	      "AU " N3_WILD " NSEC3 +sig");
}

/* The NSEC3 flags of the entry for owner in the last plan. */
static uint8_t nsec3_flags(const char *owner)
{
	for (uint16_t i = 0; i < plan.n; i++) {
		char o[NAME_TEXT_MAX];
		if (plan.rr[i].rrset->type == RR_NSEC3 && plan.rr[i].owner &&
		    strcmp(name_str(plan.rr[i].owner, o, sizeof(o)), owner) == 0)
			return plan.rr[i].rrset->data[2 + 1];
	}
	fail_msg("no NSEC3 %s in the plan", owner);
	return 0;
}

static void test_nsec3_delegations(void **state)
{
	check("e.n3.example.", RR_DS, ANSWER_POSITIVE, "AN e.n3.example. DS +sig");
	check("www.e.n3.example.", RR_A, ANSWER_REFERRAL,
	      "AU e.n3.example. NS\n"
	      "AU e.n3.example. DS +sig\n"
	      "AD ns.e.n3.example. A");
	/* Opt-out (RFC 5155 7.2.7, 7.2.4): d.c has no NSEC3; the closest
	 * provable encloser c matches, the NSEC3 covering d.c says opt-out. */
	check("www.d.c.n3.example.", RR_A, ANSWER_REFERRAL,
	      "AU d.c.n3.example. NS\n"
	      "AU " N3_C " NSEC3 +sig\n"
	      "AU " N3_A " NSEC3 +sig\n"
	      "AD ns.d.c.n3.example. A");
	assert_int_equal(nsec3_flags(N3_A) & 1, 1);
	check("d.c.n3.example.", RR_DS, ANSWER_NODATA,
	      "AU n3.example. SOA +sig\n"
	      "AU " N3_C " NSEC3 +sig\n"
	      "AU " N3_A " NSEC3 +sig");
	/* Two labels up: o has no NSEC3 either, the apex is the closest
	 * provable encloser and o the next closer name. */
	check("www.b.o.n3.example.", RR_A, ANSWER_REFERRAL,
	      "AU b.o.n3.example. NS\n"
	      "AU " N3_APEX " NSEC3 +sig\n"
	      "AU " N3_W " NSEC3 +sig\n"
	      "AD ns.b.o.n3.example. A");
	assert_int_equal(nsec3_flags(N3_W) & 1, 1);
}

/* ---- RRSIGs per RRset ------------------------------------------------------ */

/* The signature RRset over the type at name: count records, each covering
 * that type, TTL ttl. */
static void check_sigs(const zone_t *z, const char *name, uint16_t type, uint16_t count,
		       uint32_t ttl)
{
	const rrset_t *rs = node_rrset(find(z, name), type);
	assert_non_null(rs);
	const rrset_t *sig = zone_rrsigs(z, rs);
	assert_non_null(sig);
	assert_int_equal(sig->type, RR_RRSIG);
	assert_int_equal(sig->count, count);
	assert_int_equal(sig->ttl, ttl);
	uint32_t pos = 0;
	const uint8_t *rd;
	uint16_t rdlen, n = 0;
	while (rrset_next(sig, &pos, &rd, &rdlen)) {
		assert_true(rdlen >= 18);
		assert_int_equal(wire_get16(rd), type);
		n++;
	}
	assert_int_equal(n, count);
}

static void test_rrsig_grouping(void **state)
{
	/* Interleaved in the file, grouped by the type they cover, with the
	 * covered RRset's TTL (RFC 4034 3), not the RRSIGs' 3600. */
	check_sigs(nsec_z, "ns.n.example.", RR_A, 2, 600);
	check_sigs(nsec_z, "ns.n.example.", RR_AAAA, 1, 900);
	check_sigs(nsec_z, "ns.n.example.", RR_NSEC, 1, 3600);
	check_sigs(nsec_z, "n.example.", RR_SOA, 1, 3600);
	check_sigs(nsec_z, "e.n.example.", RR_DS, 1, 3600);
	check_sigs(nsec3_z, N3_A, RR_NSEC3, 1, 3600);
	/* Not signed: the NS at a cut, glue, an RRSIG RRset itself. */
	assert_null(zone_rrsigs(nsec_z, node_rrset(find(nsec_z, "e.n.example."), RR_NS)));
	assert_null(zone_rrsigs(nsec_z, node_rrset(find(nsec_z, "ns.e.n.example."), RR_A)));
	assert_null(zone_rrsigs(nsec_z, node_rrset(find(nsec_z, "ns.n.example."), RR_RRSIG)));

	/* The two A signatures, in the plan and on the wire, once each. */
	check("ns.n.example.", RR_A, ANSWER_POSITIVE, "AN ns.n.example. A +sig");
	assert_int_equal(plan.rr[1].rrset->count, 2);
	/* An RRSIG query: every group, with or without DO, nothing else. */
	for (int d = 0; d < 2; d++) {
		ask("ns.n.example.", RR_RRSIG, d);
		assert_int_equal(plan.kind, ANSWER_POSITIVE);
		assert_string_equal(plan_text(), "AN ns.n.example. RRSIG(A)\n"
						 "AN ns.n.example. RRSIG(AAAA)\n"
						 "AN ns.n.example. RRSIG(NSEC)");
		assert_int_equal(plan.rr[0].rrset->ttl, 600);
		assert_int_equal(plan.rr[1].rrset->ttl, 900);
		assert_int_equal(plan.rr[2].rrset->ttl, 3600);
	}
}

/* ---- load-time warnings -------------------------------------------------------- */

static void check_warns(const char *zone, const char *const *want, int n)
{
	warns_t w;
	zone_t *z = load_zone(zone, &w);
	assert_non_null(z);
	bool same = w.n == n;
	for (int i = 0; same && i < n; i++)
		same = strcmp(w.msg[i], want[i]) == 0;
	for (int i = 0; !same && i < w.n && i < 8; i++)
		print_message("  warning: %s\n", w.msg[i]);
	assert_int_equal(w.n, n);
	for (int i = 0; i < n; i++)
		assert_string_equal(w.msg[i], want[i]);
	zone_free(z);
}

#define WSIG " 13 3 3600 20460101000000 20261101000000 1 w.example. " SIGDATA
/* Expired in 2010, by two keys. */
#define OLDSIG1 " 13 3 3600 20100101000000 20091201000000 1 w.example. " SIGDATA
#define OLDSIG2 " 13 3 3600 20100101000000 20091201000000 2 w.example. " SIGDATA

static void test_warnings_nsec(void **state)
{
	static const char zone[] =
		"$ORIGIN w.example.\n"                                         /* 1 */
		"$TTL 3600\n"                                                  /* 2 */
		"@ SOA ns.w.example. host.w.example. 1 7200 900 1209600 300\n" /* 3 */
		"@ NS ns\n"                                                    /* 4 */
		"@ DNSKEY 257 3 13 " KEY "\n"                                  /* 5 */
		"@ NSEC a.w.example. NS SOA RRSIG NSEC DNSKEY\n"               /* 6 */
		"@ RRSIG SOA" WSIG "\n"                                        /* 7 */
		"a A 192.0.2.1\n"                                              /* 8 */
		"a RRSIG MX" WSIG "\n"                                         /* 9 */
		"a NSEC ns.w.example. A RRSIG NSEC\n"                          /* 10 */
		"b A 192.0.2.2\n"                                              /* 11 */
		"b RRSIG A" OLDSIG1 "\n"                                       /* 12 */
		"b RRSIG A" OLDSIG2 "\n"                                       /* 13 */
		"b NSEC ns.w.example. A RRSIG NSEC\n"                          /* 14 */
		"ns A 192.0.2.3\n"                                             /* 15 */
		"ns NSEC w.example. A RRSIG NSEC\n";                           /* 16 */
	static const char *const want[] = {
		"mem.zone:9: RRSIG over MX at a.w.example. has no MX RRset to go with",
		"mem.zone:12: RRSIG over b.w.example. A expired at 20100101000000; 2 of the "
		"zone's signatures have expired (served anyway: validators will fail them)",
		"mem.zone:10: NSEC chain broken: NSEC at a.w.example. points to ns.w.example., "
		"but the next name with NSEC in canonical order is b.w.example.",
	};
	check_warns(zone, want, 3);
}

static void test_warnings_nsec3(void **state)
{
	/* Two names of the NSEC3 zone above, the apex and a: the apex's NSEC3
	 * points to w's hash, which this zone does not have, and a's has
	 * another salt. */
	static const char zone[] =
		"$ORIGIN n3.example.\n"                                          /* 1 */
		"$TTL 3600\n"                                                    /* 2 */
		"@ SOA ns.n3.example. host.n3.example. 1 7200 900 1209600 300\n" /* 3 */
		"@ NS a\n"                                                       /* 4 */
		"@ DNSKEY 257 3 13 " KEY "\n"                                    /* 5 */
		"@ NSEC3PARAM 1 0 0 aabbccdd\n"                                  /* 6 */
		"@ RRSIG SOA" N3SIG "\n"                                         /* 7 */
		"a A 192.0.2.1\n"                                                /* 8 */
		"3elsdu6vn2phlq1amibcps7ikgm1dfrc NSEC3 1 1 0 aabbccdd "
		"620drqim6up2ai8mfnee7teaea502jrc NS SOA RRSIG DNSKEY NSEC3PARAM\n" /* 9 */
		"qcokpbhffnj7tleo7eg7ka70er5n201j NSEC3 1 1 0 ccdd "
		"3elsdu6vn2phlq1amibcps7ikgm1dfrc A RRSIG\n"; /* 10 */
	static const char *const want[] = {
		"mem.zone:10: NSEC3 at " N3_A " has an algorithm, iterations or salt that differ "
		"from the zone's NSEC3PARAM",
		"mem.zone:9: NSEC3 chain broken: the next hashed owner of " N3_APEX " is not " N3_A,
	};
	check_warns(zone, want, 2);
}

static void test_warnings_nsec3_without_param(void **state)
{
	/* No NSEC3PARAM: the first NSEC3's parameters, and no record to
	 * point at; extra iterations named where they were found. */
	static const char zone[] =
		"$ORIGIN n3.example.\n"
		"$TTL 3600\n"
		"@ SOA ns.n3.example. host.n3.example. 1 7200 900 1209600 300\n"
		"@ NS a\n"
		"@ DNSKEY 257 3 13 " KEY "\n"
		"@ RRSIG SOA" N3SIG "\n"
		"a A 192.0.2.1\n"
		"d7vm0mljoh61ebk0ig66rbm1n4jlfm1u NSEC3 1 0 5 - d7vm0mljoh61ebk0ig66rbm1n4jlfm1u SOA\n";
	static const char *const want[] = {
		"mem.zone: NSEC3 records but no NSEC3PARAM at the apex n3.example.; using the "
		"parameters of the first NSEC3",
		"mem.zone: NSEC3 with 5 extra iterations: RFC 9276 asks for 0, and validators "
		"may treat the zone as insecure",
	};
	check_warns(zone, want, 2);
}

/* ---- end to end: respond() -------------------------------------------------------- */

static uint8_t req[512], resp[RESPOND_MAX];
static msg_rr_t rr;

/* The response's records as plan_text() writes a plan (OPT left out); an
 * RRSIG merged into its RRset's line shows its TTL when it differs. */
static const char *wire_text(size_t n)
{
	static const char *const sec[] = { "QD", "AN", "AU", "AD" };
	msg_t m;
	size_t at = 0;
	uint16_t prev_type = 0;
	uint32_t prev_ttl = 0;
	int prev_sec = -1;
	char prev_owner[NAME_TEXT_MAX] = "";
	text[0] = 0;
	assert_int_equal(msg_open(&m, resp, n), 0);
	int rc;
	while ((rc = msg_next(&m, &rr)) == 1) {
		if (rr.section == 0 || rr.type == RR_OPT)
			continue;
		char owner[NAME_TEXT_MAX], note[32] = "";
		name_str(rr.owner, owner, sizeof(owner));
		uint16_t covered = rr.type == RR_RRSIG && rr.rdlen >= 2 ? wire_get16(rr.rd) : 0;
		bool merged = rr.type == RR_RRSIG && covered == prev_type &&
			      rr.section == prev_sec && strcmp(owner, prev_owner) == 0;
		if (merged && rr.ttl != prev_ttl)
			snprintf(note, sizeof(note), "(ttl %u)", rr.ttl);
		add_line(&at, sec[rr.section], owner, rr.type, covered, merged, note);
		if (!merged) {
			prev_type = rr.type, prev_ttl = rr.ttl, prev_sec = rr.section;
			snprintf(prev_owner, sizeof(prev_owner), "%s", owner);
		}
	}
	assert_int_equal(rc, 0);
	return text;
}

/* Send name/type with EDNS (DO as asked) or without, return the length. */
static size_t send_query(const char *name, uint16_t type, int edns, bool do_bit)
{
	size_t len = fix_query(req, 77, 0, name, type, CLASS_IN, edns, do_bit);
	size_t n = respond(zs, req, len, false, resp, NULL, NULL);
	assert_true(n > 12);
	assert_int_equal(fix_id(resp), 77);
	return n;
}

static void test_respond_do_bit(void **state)
{
	static const struct {
		const char *name;
		uint16_t type;
	} qs[] = {
		{ "aa.n.example.", RR_A },       { "a.n.example.", RR_TXT },
		{ "c.n.example.", RR_A },        { "zz.w.n.example.", RR_TXT },
		{ "zz.w.n.example.", RR_A },     { "www.e.n.example.", RR_A },
		{ "www.d.n.example.", RR_A },    { "e.n.example.", RR_DS },
		{ "d.n.example.", RR_DS },       { "ns.n.example.", RR_ANY },
		{ "ns.n.example.", RR_NS },      { "s.r.n3.example.", RR_A },
		{ "c.n3.example.", RR_A },       { "x.foo.w.n3.example.", RR_TXT },
		{ "x.foo.w.n3.example.", RR_A }, { "www.e.n3.example.", RR_A },
		{ "www.d.c.n3.example.", RR_A }, { "d.c.n3.example.", RR_DS },
		{ "n3.example.", RR_DNSKEY },    { "n3.example.", RR_NS },
	};
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		/* DO=0, with and without EDNS: no DNSSEC records at all, and
		 * a referral without DS. DO=1: some. */
		for (int mode = 0; mode < 3; mode++) {
			bool do_bit = mode == 2;
			size_t n = send_query(qs[i].name, qs[i].type, mode == 0 ? FIX_NO_EDNS : 0,
					      do_bit);
			msg_t m;
			assert_int_equal(msg_open(&m, resp, n), 0);
			bool referral = !(fix_flags(resp) & 0x0400) && fix_count(resp, 2) > 0;
			int sigs = 0, denials = 0, ds_auth = 0, rc;
			while ((rc = msg_next(&m, &rr)) == 1) {
				if (rr.section == 0)
					continue;
				sigs += rr.type == RR_RRSIG;
				denials += rr.type == RR_NSEC || rr.type == RR_NSEC3;
				ds_auth += rr.type == RR_DS && rr.section == 2;
			}
			assert_int_equal(rc, 0);
			if (!do_bit && (sigs || denials || (referral && ds_auth)))
				fail_msg("%s type %u, %s: %d RRSIG, %d NSEC/NSEC3, %d DS",
					 qs[i].name, qs[i].type, mode == 0 ? "no EDNS" : "DO=0",
					 sigs, denials, ds_auth);
			if (do_bit && sigs == 0)
				fail_msg("%s type %u, DO=1: no RRSIG", qs[i].name, qs[i].type);
		}
	}
}

/* "AN owner type" for each record of ANSWER and AUTHORITY (an RRSIG as
 * "AN owner RRSIG/covered"), one line per RRset, into set; returns how many. */
static int rrsets_of(size_t n, char set[][NAME_TEXT_MAX + 24], int cap)
{
	msg_t m;
	int k = 0, rc;
	assert_int_equal(msg_open(&m, resp, n), 0);
	while ((rc = msg_next(&m, &rr)) == 1) {
		if (rr.section != 1 && rr.section != 2)
			continue;
		char owner[NAME_TEXT_MAX], line[NAME_TEXT_MAX + 24];
		name_str(rr.owner, owner, sizeof(owner));
		uint16_t covered = rr.type == RR_RRSIG && rr.rdlen >= 2 ? wire_get16(rr.rd) : 0;
		snprintf(line, sizeof(line), "%s %s %u/%u", rr.section == 1 ? "AN" : "AU", owner,
			 rr.type, covered);
		bool seen = false;
		for (int i = 0; i < k && !seen; i++)
			seen = strcmp(set[i], line) == 0;
		if (!seen && k < cap)
			snprintf(set[k++], sizeof(set[0]), "%s", line);
	}
	assert_int_equal(rc, 0);
	return k;
}

static void test_respond_size(void **state)
{
	/* RFC 4035 3.1.1: an RRSIG goes in with its RRset or TC is set.
	 * Against the full (1232-byte) response of each DO=1 question, at
	 * every smaller buffer: each RRset of ANSWER and AUTHORITY that is
	 * signed there is signed here too, and a response that lost an RRset
	 * of those sections says so with TC. */
	static const struct {
		const char *name;
		uint16_t type;
	} qs[] = {
		{ "aa.n.example.", RR_A },       { "s.r.n3.example.", RR_A },
		{ "x.c.n3.example.", RR_A },     { "zz.w.n.example.", RR_TXT },
		{ "x.foo.w.n3.example.", RR_A }, { "www.e.n3.example.", RR_A },
		{ "www.d.c.n3.example.", RR_A }, { "n3.example.", RR_DNSKEY },
		{ "c.n3.example.", RR_A },       { "a.n.example.", RR_TXT },
	};
	static char full[64][NAME_TEXT_MAX + 24], part[64][NAME_TEXT_MAX + 24];
	unsigned truncated = 0;
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		size_t n = send_query(qs[i].name, qs[i].type, 0, true);
		assert_false(fix_flags(resp) & 0x0200);
		int nfull = rrsets_of(n, full, 64);
		for (uint16_t size = 1212; size >= 512; size = (uint16_t)(size - 20)) {
			size_t len =
				fix_query(req, 77, 0, qs[i].name, qs[i].type, CLASS_IN, 0, true);
			req[len - 11 + 3] = (uint8_t)(size >> 8), req[len - 11 + 4] = (uint8_t)size;
			size_t m = respond(zs, req, len, false, resp, NULL, NULL);
			assert_true(m > 12 && m <= size);
			bool tc = fix_flags(resp) & 0x0200;
			int npart = rrsets_of(m, part, 64);
			truncated += tc;
			for (int a = 0; a < nfull; a++) {
				bool here = false;
				for (int b = 0; b < npart && !here; b++)
					here = strcmp(full[a], part[b]) == 0;
				if (!here && !tc)
					fail_msg("%s %u at %u bytes: %s left out without TC",
						 qs[i].name, qs[i].type, size, full[a]);
			}
			/* Each RRset here whose RRSIG the full response has keeps it. */
			for (int b = 0; b < npart; b++) {
				char owner[NAME_TEXT_MAX + 8], sig[NAME_TEXT_MAX + 24];
				unsigned type, covered;
				if (sscanf(part[b] + 3, "%s %u/%u", owner, &type, &covered) != 3 ||
				    type == RR_RRSIG)
					continue;
				snprintf(sig, sizeof(sig), "%.2s %s %u/%u", part[b], owner,
					 RR_RRSIG, type);
				bool want = false, have = false;
				for (int a = 0; a < nfull; a++)
					want = want || strcmp(full[a], sig) == 0;
				for (int c = 0; c < npart; c++)
					have = have || strcmp(part[c], sig) == 0;
				if (want && !have)
					fail_msg("%s %u at %u bytes: %s without its RRSIG",
						 qs[i].name, qs[i].type, size, part[b]);
			}
		}
	}
	assert_true(truncated > 0); /* the sizes did make it choose */
}

static void test_respond_referrals(void **state)
{
	/* To a signed child: DS and its RRSIG, at the DS's TTL. */
	size_t n = send_query("www.e.n.example.", RR_A, 0, true);
	assert_false(fix_flags(resp) & 0x0400);
	assert_string_equal(wire_text(n), "AU e.n.example. NS\n"
					  "AU e.n.example. DS +sig\n"
					  "AD ns.e.n.example. A");
	n = send_query("www.e.n.example.", RR_A, 0, false);
	assert_string_equal(wire_text(n), "AU e.n.example. NS\n"
					  "AD ns.e.n.example. A");
	/* To an unsigned child: the cut's NSEC, or the opt-out proof. */
	n = send_query("www.d.n.example.", RR_A, 0, true);
	assert_string_equal(wire_text(n), "AU d.n.example. NS\n"
					  "AU d.n.example. NSEC +sig\n"
					  "AD ns.d.n.example. A");
	n = send_query("www.d.c.n3.example.", RR_A, 0, true);
	assert_string_equal(wire_text(n), "AU d.c.n3.example. NS\n"
					  "AU " N3_C " NSEC3 +sig\n"
					  "AU " N3_A " NSEC3 +sig\n"
					  "AD ns.d.c.n3.example. A");
	/* Signatures carry their RRset's TTL on the wire too. */
	n = send_query("ns.n.example.", RR_AAAA, 0, true);
	assert_string_equal(wire_text(n), "AN ns.n.example. AAAA +sig");
	n = send_query("ns.n.example.", RR_A, 0, true);
	assert_string_equal(wire_text(n), "AN ns.n.example. A +sig +sig");
	/* The negative SOA's signature: the SOA's negative TTL. */
	n = send_query("aa.n.example.", RR_A, 0, true);
	assert_string_equal(wire_text(n), "AU n.example. SOA +sig\n"
					  "AU a.n.example. NSEC +sig\n"
					  "AU n.example. NSEC +sig");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nsec_nxdomain),
		cmocka_unit_test(test_nsec_nodata),
		cmocka_unit_test(test_nsec_wildcard),
		cmocka_unit_test(test_nsec_delegations),
		cmocka_unit_test(test_nsec3_nxdomain),
		cmocka_unit_test(test_nsec3_nodata),
		cmocka_unit_test(test_nsec3_wildcard),
		cmocka_unit_test(test_nsec3_delegations),
		cmocka_unit_test(test_rrsig_grouping),
		cmocka_unit_test(test_warnings_nsec),
		cmocka_unit_test(test_warnings_nsec3),
		cmocka_unit_test(test_warnings_nsec3_without_param),
		cmocka_unit_test(test_respond_do_bit),
		cmocka_unit_test(test_respond_referrals),
		cmocka_unit_test(test_respond_size),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
