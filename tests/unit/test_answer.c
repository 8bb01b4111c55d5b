/* Unit tests for answer.c: the plan for each kind of question. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "dns/answer.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/zone_build.h"
#include "dns/zoneset.h"

static const char PARENT[] =
	"$ORIGIN test.\n"
	"$TTL 3600\n"
	"@ SOA ns.test. host.test. 1 7200 900 1209600 300\n"
	"@ NS ns.test.\n"
	"ns A 192.0.2.1\n"
	"child NS ns1.child\n"
	"child NS ns.test.\n"
	"child NS ns.elsewhere.example.\n"
	"child DS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\n"
	"ns1.child A 192.0.2.10\n"
	"ns1.child AAAA 2001:db8::10\n"
	"a NS ns.b\n"
	"b NS ns.b\n"
	"ns.b A 192.0.2.20\n"
	"x.y.z A 192.0.2.30\n"
	"*.wild A 192.0.2.40\n"
	"*.wild TXT \"wild\"\n"
	"mx MX 10 ns\n"
	"c1 CNAME c2\n"
	"c2 CNAME www\n"
	"www A 192.0.2.50\n"
	"tochild CNAME www.child\n"
	"tonx CNAME nothing\n"
	"loop1 CNAME loop2\n"
	"loop2 CNAME loop1\n"
	"out CNAME www.example.org.\n"
	"towild CNAME foo.wild\n";

static const char CHILD[] = "$ORIGIN sub.test.\n"
			    "$TTL 60\n"
			    "@ SOA ns.sub.test. host.test. 1 7200 900 1209600 30\n"
			    "@ NS ns.sub.test.\n"
			    "ns A 192.0.2.99\n";

/* Signed as far as glued can tell: DNSKEY and RRSIGs at the apex. */
static const char SIGNED[] =
	"$ORIGIN signed.example.\n"
	"$TTL 60\n"
	"@ SOA ns.signed.example. host.test. 1 7200 900 1209600 30\n"
	"@ NS ns.signed.example.\n"
	"@ DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n"
	"@ RRSIG SOA 13 2 60 20460101000000 20260101000000 12345 signed.example. "
	"oJB1W6WNGv+ldvQ3WDG0MQkg5IEhjRip8WTrPYGv07h108dUKGMeDPKijVCHX3DDKdfb+v6oB9wfuh3DTJXUAfI=\n"
	"ns A 192.0.2.98\n"
	"kid NS ns.kid\n"
	"kid DS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\n"
	"ns.kid A 192.0.2.97\n"
	"sigs RRSIG A 13 3 60 20460101000000 20260101000000 12345 signed.example. "
	"oJB1W6WNGv+ldvQ3WDG0MQkg5IEhjRip8WTrPYGv07h108dUKGMeDPKijVCHX3DDKdfb+v6oB9wfuh3DTJXUAfI=\n"
	"sigs TXT \"signed\"\n"
	"onlysig RRSIG A 13 3 60 20460101000000 20260101000000 12345 signed.example. "
	"oJB1W6WNGv+ldvQ3WDG0MQkg5IEhjRip8WTrPYGv07h108dUKGMeDPKijVCHX3DDKdfb+v6oB9wfuh3DTJXUAfI=\n";

/* ANY's choice (NSD's): the types of each node in a telling file order. */
static const char ANYZ[] = "$ORIGIN any.example.\n"
			   "$TTL 60\n"
			   "@ MX 10 mx\n"
			   "@ NS ns\n"
			   "@ SOA ns host 1 7200 900 1209600 30\n"
			   "ns A 192.0.2.50\n"
			   "mx A 192.0.2.51\n"
			   "n1 TXT \"n1\"\n"
			   "n1 AAAA 2001:db8::1\n"
			   "n1 A 192.0.2.1\n"
			   "n2 TXT \"n2\"\n"
			   "n2 CAA 0 issue \"ca\"\n"
			   "n2 HINFO cpu os\n"
			   "n3 HINFO cpu os\n"
			   "n3 TXT \"n3\"\n"
			   "n4 DNSKEY 256 3 13 AAAA\n"
			   "n4 NSEC n5 DNSKEY NSEC\n"
			   "n5 PTR n1\n"
			   "n5 A 192.0.2.5\n"
			   "n6 HINFO cpu os\n"
			   "n7 TXT \"n7\"\n"
			   "n6 TXT \"n6, back\"\n"
			   "n7 AAAA 2001:db8::7\n"
			   "*.w TXT \"wild\"\n"
			   "*.w A 192.0.2.9\n"
			   "cn CNAME n1\n"
			   "a.ent A 192.0.2.10\n"
			   "sub NS ns.sub\n"
			   "ns.sub A 192.0.2.11\n";

static zoneset_t *zs;

static int setup(void **state)
{
	char err[512];
	zone_t *zones[4] = { NULL, NULL, NULL, NULL };
	if (zone_load_mem("parent", PARENT, strlen(PARENT), NULL, NULL, NULL, &zones[0], err,
			  sizeof(err)) != ST_OK)
		return -1;
	if (zone_load_mem("child", CHILD, strlen(CHILD), NULL, NULL, NULL, &zones[1], err,
			  sizeof(err)) != ST_OK)
		return -1;
	if (zone_load_mem("signed", SIGNED, strlen(SIGNED), NULL, NULL, NULL, &zones[2], err,
			  sizeof(err)) != ST_OK) {
		print_error("%s\n", err);
		return -1;
	}
	/* The origin given: the file does not start with the SOA. */
	const uint8_t *any = (const uint8_t *)"\3any\7example";
	if (zone_load_mem("any", ANYZ, strlen(ANYZ), any, NULL, NULL, &zones[3], err,
			  sizeof(err)) != ST_OK) {
		print_error("%s\n", err);
		return -1;
	}
	if (zoneset_from_zones(zones, 4, GLUE_FULL, &zs, err, sizeof(err)) != ST_OK) {
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

static void make_query(query_t *q, const char *name, uint16_t type, bool do_bit)
{
	memset(q, 0, sizeof(*q));
	int n = name_from_text(name, strlen(name), NULL, q->qname);
	assert_true(n > 0);
	q->qname_len = (uint8_t)n;
	name_lower(q->lname, q->qname);
	q->qtype = type;
	q->qclass = CLASS_IN;
	q->edns = true;
	q->edns_size = 1232;
	q->do_bit = do_bit;
}

static plan_t plan;
static explain_t ex;

static void ask(const char *name, uint16_t type, bool do_bit, bool tcp)
{
	query_t q;
	make_query(&q, name, type, do_bit);
	answer_plan(zs, &q, tcp, &plan, &ex);
}

static int count_in(uint8_t section, uint16_t type)
{
	int n = 0;
	for (uint16_t i = 0; i < plan.n; i++)
		if (plan.rr[i].section == section && plan.rr[i].rrset->type == type)
			n++;
	return n;
}

static void test_referral(void **state)
{
	ask("www.child.test.", RR_A, false, false);
	assert_int_equal(plan.kind, ANSWER_REFERRAL);
	assert_false(plan.aa);
	assert_int_equal(plan.rcode, RCODE_NOERROR);
	assert_int_equal(count_in(SEC_AUTHORITY, RR_NS), 1);
	assert_int_equal(count_in(SEC_AUTHORITY, RR_DS), 0); /* no DO */
	/* In-domain glue (required) and in-zone glue (optional). */
	assert_int_equal(count_in(SEC_ADDITIONAL, RR_A), 2);
	assert_int_equal(count_in(SEC_ADDITIONAL, RR_AAAA), 1);
	for (uint16_t i = 0; i < plan.n; i++) {
		if (plan.rr[i].section != SEC_ADDITIONAL)
			continue;
		bool in_domain =
			name_equal(plan.rr[i].owner, (const uint8_t *)"\3ns1\5child\4test\0");
		assert_int_equal(plan.rr[i].required, in_domain);
	}
	assert_int_equal(ex.nns, 3);
	assert_int_equal(ex.ns[0].cls, GLUE_CLASS_IN_DOMAIN);
	assert_int_equal(ex.ns[0].fate, FATE_ADDED);
	assert_int_equal(ex.ns[2].fate, FATE_OUT_OF_ZONE);
	assert_memory_equal(ex.cut, "\5child\4test\0", 12);
}

static void test_referral_from_unsigned_zone_has_no_ds(void **state)
{
	/* The DS is there, but an unsigned parent has nothing to prove it
	 * with: NSD and Knot leave it out even with DO. */
	ask("www.child.test.", RR_A, true, false);
	assert_int_equal(plan.kind, ANSWER_REFERRAL);
	assert_int_equal(count_in(SEC_AUTHORITY, RR_NS), 1);
	assert_int_equal(count_in(SEC_AUTHORITY, RR_DS), 0);
}

static void test_referral_from_signed_zone_with_do_has_ds(void **state)
{
	ask("www.kid.signed.example.", RR_A, true, false);
	assert_int_equal(plan.kind, ANSWER_REFERRAL);
	assert_int_equal(count_in(SEC_AUTHORITY, RR_DS), 1);
	ask("www.kid.signed.example.", RR_A, false, false);
	assert_int_equal(count_in(SEC_AUTHORITY, RR_DS), 0);
}

static void test_glue_name_is_referred(void **state)
{
	/* The glue itself is not authoritative data: refer, never AA. */
	ask("ns1.child.test.", RR_A, false, false);
	assert_int_equal(plan.kind, ANSWER_REFERRAL);
	assert_false(plan.aa);
	assert_int_equal(count_in(SEC_ANSWER, RR_A), 0);
	/* The NS query at the cut is a referral too. */
	ask("child.test.", RR_NS, false, false);
	assert_int_equal(plan.kind, ANSWER_REFERRAL);
}

static void test_ds_at_cut_from_parent(void **state)
{
	ask("child.test.", RR_DS, false, false);
	assert_int_equal(plan.kind, ANSWER_POSITIVE);
	assert_true(plan.aa);
	assert_int_equal(count_in(SEC_ANSWER, RR_DS), 1);
	/* DS at a delegation without DS: NODATA from the parent. */
	ask("a.test.", RR_DS, false, false);
	assert_int_equal(plan.kind, ANSWER_NODATA);
	assert_true(plan.aa);
	assert_int_equal(count_in(SEC_AUTHORITY, RR_SOA), 1);
	/* DS at the apex of a child zone served here: asked of the parent. */
	ask("sub.test.", RR_DS, false, false);
	assert_int_equal(plan.kind, ANSWER_NXDOMAIN);
	assert_memory_equal(ex.zone, "\4test\0", 6);
}

static void test_glue_policies(void **state)
{
	zs->rule.mode = GLUE_NONE;
	ask("www.child.test.", RR_A, false, false);
	assert_int_equal(count_in(SEC_ADDITIONAL, RR_A) + count_in(SEC_ADDITIONAL, RR_AAAA), 0);
	assert_int_equal(ex.ns[0].fate, FATE_POLICY);
	assert_int_equal(ex.policy, GLUE_NONE);

	zs->rule.mode = GLUE_IN_DOMAIN;
	ask("www.child.test.", RR_A, false, false);
	assert_int_equal(count_in(SEC_ADDITIONAL, RR_A), 1);
	assert_int_equal(count_in(SEC_ADDITIONAL, RR_AAAA), 1);
	assert_int_equal(ex.ns[1].fate, FATE_POLICY);
	ask("x.a.test.", RR_A, false, false);
	assert_int_equal(count_in(SEC_ADDITIONAL, RR_A), 0); /* sibling dropped */
	assert_int_equal(ex.ns[0].cls, GLUE_CLASS_SIBLING);

	zs->rule.mode = GLUE_FULL;
	ask("x.a.test.", RR_A, false, false);
	assert_int_equal(count_in(SEC_ADDITIONAL, RR_A), 1); /* sibling added, optional */
	assert_false(plan.rr[plan.n - 1].required);
}

static void test_positive_and_additional(void **state)
{
	ask("mx.test.", RR_MX, false, false);
	assert_int_equal(plan.kind, ANSWER_POSITIVE);
	assert_true(plan.aa);
	assert_int_equal(count_in(SEC_ANSWER, RR_MX), 1);
	assert_int_equal(count_in(SEC_ADDITIONAL, RR_A), 1);
	/* The owner of the answer is the question as asked. */
	assert_null(plan.rr[0].owner);
}

static void test_negative(void **state)
{
	ask("nothing.test.", RR_A, false, false);
	assert_int_equal(plan.kind, ANSWER_NXDOMAIN);
	assert_int_equal(plan.rcode, RCODE_NXDOMAIN);
	assert_true(plan.aa);
	assert_int_equal(count_in(SEC_AUTHORITY, RR_SOA), 1);
	assert_int_equal(plan.rr[0].ttl, 300); /* min(SOA TTL, MINIMUM) */

	ask("www.test.", RR_AAAA, false, false);
	assert_int_equal(plan.kind, ANSWER_NODATA);
	assert_int_equal(plan.rcode, RCODE_NOERROR);

	/* Empty non-terminal: NODATA, not NXDOMAIN. */
	ask("y.z.test.", RR_A, false, false);
	assert_int_equal(plan.kind, ANSWER_NODATA);
}

static void test_refused(void **state)
{
	ask("www.example.org.", RR_A, false, false);
	assert_int_equal(plan.kind, ANSWER_REFUSED);
	assert_int_equal(plan.rcode, RCODE_REFUSED);
	assert_false(plan.aa);
	assert_int_equal(plan.n, 0);
	/* RFC 8914 4.21, as NSD and Knot send it: code 20, no text. */
	assert_true(plan.ede.set);
	assert_int_equal(plan.ede.code, EDE_NOT_AUTHORITATIVE);
	assert_int_equal(plan.ede.textlen, 0);
	/* Answers carry none. */
	ask("www.test.", RR_A, false, false);
	assert_false(plan.ede.set);
	ask("nothing.test.", RR_A, false, false);
	assert_false(plan.ede.set);
}

static void test_wildcard(void **state)
{
	ask("foo.wild.test.", RR_A, false, false);
	assert_int_equal(plan.kind, ANSWER_POSITIVE);
	assert_true(ex.wildcard);
	assert_null(plan.rr[0].owner);
	ask("a.b.wild.test.", RR_TXT, false, false);
	assert_int_equal(count_in(SEC_ANSWER, RR_TXT), 1);
	ask("foo.wild.test.", RR_MX, false, false);
	assert_int_equal(plan.kind, ANSWER_NODATA);
	/* The wildcard does not cover the name that owns it. */
	ask("wild.test.", RR_A, false, false);
	assert_int_equal(plan.kind, ANSWER_NODATA);
}

static void test_cname_chains(void **state)
{
	ask("c1.test.", RR_A, false, false);
	assert_int_equal(plan.kind, ANSWER_POSITIVE);
	assert_int_equal(count_in(SEC_ANSWER, RR_CNAME), 2);
	assert_int_equal(count_in(SEC_ANSWER, RR_A), 1);
	assert_int_equal(ex.cnames, 2);

	ask("c1.test.", RR_CNAME, false, false);
	assert_int_equal(count_in(SEC_ANSWER, RR_CNAME), 1);

	ask("tonx.test.", RR_A, false, false);
	assert_int_equal(plan.rcode, RCODE_NXDOMAIN); /* RFC 6604 */
	assert_int_equal(count_in(SEC_ANSWER, RR_CNAME), 1);
	assert_true(plan.aa);

	ask("loop1.test.", RR_A, false, false);
	assert_int_equal(count_in(SEC_ANSWER, RR_CNAME), 2);
	assert_int_equal(plan.rcode, RCODE_NOERROR);

	ask("out.test.", RR_A, false, false);
	assert_int_equal(count_in(SEC_ANSWER, RR_CNAME), 1);
	assert_int_equal(plan.n, 1);

	ask("towild.test.", RR_TXT, false, false);
	assert_int_equal(count_in(SEC_ANSWER, RR_TXT), 1);

	/* Into a delegation: the CNAME, then the referral. */
	ask("tochild.test.", RR_A, false, false);
	assert_int_equal(count_in(SEC_ANSWER, RR_CNAME), 1);
	assert_int_equal(count_in(SEC_AUTHORITY, RR_NS), 1);
	assert_true(plan.aa);
}

/* ANY for name: one RRset of type want in ANSWER (0: NODATA), over UDP
 * and over TCP alike. */
static void check_any(const char *name, uint16_t want, bool do_bit)
{
	for (int tcp = 0; tcp < 2; tcp++) {
		ask(name, RR_ANY, do_bit, tcp);
		if (want == 0) {
			assert_int_equal(plan.kind, ANSWER_NODATA);
			assert_int_equal(count_in(SEC_ANSWER, RR_ANY), 0);
			assert_int_equal(count_in(SEC_AUTHORITY, RR_SOA), 1);
			continue;
		}
		assert_int_equal(plan.kind, ANSWER_POSITIVE);
		/* One RRset, with DO in a signed zone followed by its RRSIGs. */
		assert_true(plan.n == 1 || (plan.n == 2 && do_bit && plan.rr[1].sig));
		assert_int_equal(plan.rr[0].section, SEC_ANSWER);
		if (plan.rr[0].rrset->type != want)
			fail_msg("ANY %s (%s): type %u, expected %u", name, tcp ? "tcp" : "udp",
				 plan.rr[0].rrset->type, want);
	}
}

static void test_any(void **state)
{
	/* RFC 8482 4.1: one RRset, over UDP and TCP; the SOA at the apex. */
	check_any("test.", RR_SOA, false);
	/* The first of A, AAAA, SOA, MX, PTR in the file ... */
	check_any("any.example.", RR_MX, false);
	check_any("n1.any.example.", RR_AAAA, false);
	check_any("n5.any.example.", RR_PTR, false);
	check_any("n7.any.example.", RR_AAAA, false); /* found when the owner came back */
	/* ... else the last of the other types ... */
	check_any("n2.any.example.", RR_HINFO, false);
	check_any("n3.any.example.", RR_TXT, false);
	check_any("n6.any.example.", RR_TXT, false);   /* the owner came back with it */
	check_any("cn.any.example.", RR_CNAME, false); /* not followed */
	/* ... else the last of DNSKEY, NSEC, RRSIG. */
	check_any("n4.any.example.", RR_NSEC, false);
	/* A wildcard by the same rule; an empty non-terminal has nothing. */
	check_any("x.w.any.example.", RR_A, false);
	assert_true(ex.wildcard);
	check_any("ent.any.example.", 0, false);
	/* At a cut: the referral, not an answer. */
	ask("sub.any.example.", RR_ANY, false, true);
	assert_int_equal(plan.kind, ANSWER_REFERRAL);
	/* RRSIG is a last resort, and none with DO in a signed zone. */
	check_any("sigs.signed.example.", RR_TXT, true);
	check_any("onlysig.signed.example.", RR_RRSIG, false);
	check_any("onlysig.signed.example.", 0, true);
}

static void test_child_zone_served_deepest(void **state)
{
	ask("ns.sub.test.", RR_A, false, false);
	assert_int_equal(plan.kind, ANSWER_POSITIVE);
	assert_true(plan.aa);
	assert_memory_equal(ex.zone, "\3sub\4test\0", 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_referral),
		cmocka_unit_test(test_referral_from_unsigned_zone_has_no_ds),
		cmocka_unit_test(test_referral_from_signed_zone_with_do_has_ds),
		cmocka_unit_test(test_glue_name_is_referred),
		cmocka_unit_test(test_ds_at_cut_from_parent),
		cmocka_unit_test(test_glue_policies),
		cmocka_unit_test(test_positive_and_additional),
		cmocka_unit_test(test_negative),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_wildcard),
		cmocka_unit_test(test_cname_chains),
		cmocka_unit_test(test_any),
		cmocka_unit_test(test_child_zone_served_deepest),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
