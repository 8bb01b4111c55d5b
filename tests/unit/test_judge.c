/* Unit tests for judge.c: the delegation judgements both checkers share. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "analysis/judge.h"
#include "dns/header.h"
#include "dns/name.h"

static uint8_t names[6][NAME_MAXLEN];

static const uint8_t *wire(int i, const char *text)
{
	assert_true(name_from_text(text, strlen(text), NULL, names[i]) > 0);
	return names[i];
}

static void test_ns_sets(void **state)
{
	(void)state;
	const uint8_t *parent[] = { wire(0, "ns1.example.lab."), wire(1, "NS2.example.lab.") };
	const uint8_t *child[] = { wire(2, "ns2.EXAMPLE.lab."), wire(3, "ns1.example.lab.") };
	bool po[2], co[2];
	assert_int_equal(judge_ns_sets(parent, 2, child, 2, po, co), 0); /* case, order */
	const uint8_t *other[] = { wire(4, "ns1.example.lab."), wire(5, "ns3.example.lab.") };
	assert_int_equal(judge_ns_sets(parent, 2, other, 2, po, co), 2);
	assert_false(po[0]);
	assert_true(po[1]);
	assert_false(co[0]);
	assert_true(co[1]);
	assert_int_equal(judge_ns_sets(parent, 2, other, 1, NULL, NULL), 1); /* a subset */
	assert_int_equal(judge_ns_sets(parent, 2, NULL, 0, po, NULL), 2);
}

static void test_glue(void **state)
{
	(void)state;
	sim_addr_t a = { 4, { 192, 0, 2, 1 } }, b = { 4, { 192, 0, 2, 2 } };
	sim_addr_t six = { 16, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	sim_addr_t glue[] = { a, b }, same[] = { b, a }, diff[] = { a, six };
	assert_int_equal(judge_glue(glue, 2, same, 2), JUDGE_GLUE_SAME);
	assert_int_equal(judge_glue(glue, 2, diff, 2), JUDGE_GLUE_MISMATCH);
	assert_int_equal(judge_glue(glue, 2, same, 1), JUDGE_GLUE_MISMATCH);
	assert_int_equal(judge_glue(glue, 2, NULL, 0), JUDGE_GLUE_MISSING_IN_CHILD);

	const uint8_t *cut = wire(0, "example.lab.");
	assert_true(judge_glue_missing(wire(1, "ns1.example.lab."), cut, 0));
	assert_true(judge_glue_missing(wire(2, "example.lab."), cut, 0));
	assert_false(judge_glue_missing(wire(3, "ns1.example.lab."), cut, 1));
	assert_false(judge_glue_missing(wire(4, "ns.other."), cut, 0)); /* out of domain */
}

static void test_authority(void **state)
{
	(void)state;
	sim_msg_t m;
	const uint8_t *zone = wire(0, "example.lab.");
	memset(&m, 0, sizeof(m));
	m.flags = DNS_QR | DNS_AA;
	m.soa = true;
	assert_int_equal(judge_authority(&m, zone), JUDGE_AUTHORITATIVE);
	m.soa = false;
	assert_int_equal(judge_authority(&m, zone), JUDGE_AA_NO_SOA);
	m.rcode = RCODE_REFUSED;
	m.flags = DNS_QR | RCODE_REFUSED;
	assert_int_equal(judge_authority(&m, zone), JUDGE_LAME_RCODE);
	m.rcode = RCODE_NOERROR;
	m.flags = DNS_QR;
	assert_int_equal(judge_authority(&m, zone), JUDGE_LAME_NO_AA);
	m.nns = 1;
	memcpy(m.ns_owner, wire(1, "lab."), name_len(names[1]));
	assert_int_equal(judge_authority(&m, zone), JUDGE_LAME_UPWARD);
	memcpy(m.ns_owner, wire(2, "sub.example.lab."), name_len(names[2]));
	assert_int_equal(judge_authority(&m, zone), JUDGE_LAME_REFERRAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ns_sets),
		cmocka_unit_test(test_glue),
		cmocka_unit_test(test_authority),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
