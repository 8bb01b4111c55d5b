/*
 * test_hardening.c -- regression tests for bugs found by the hardening work
 * (fuzzing, hostile input). Each test names the input that found the bug.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dns/rdata.h"

#define MAXTOK 16

/* Space-separated words -> tokens (no quoting needed here). */
static size_t split(const char *text, rdata_tok_t *toks)
{
	size_t n = 0;
	const char *p = text;
	while (*p) {
		if (*p == ' ') {
			p++;
			continue;
		}
		assert_true(n < MAXTOK);
		const char *q = p;
		while (*q && *q != ' ')
			q++;
		toks[n++] = (rdata_tok_t){ p, (size_t)(q - p), false };
		p = q;
	}
	return n;
}

static int parse_loc(const char *text)
{
	static uint8_t wire[512];
	rdata_tok_t toks[MAXTOK];
	size_t n = split(text, toks);
	const char *exp = NULL;
	size_t bad = 999;
	uint16_t type;
	assert_int_equal(rrtype_from_text("LOC", 3, &type), 0);
	return rdata_parse_text(type, toks, n, NULL, wire, sizeof(wire), &exp, &bad);
}

/*
 * fuzz_zonefile, 10-minute run of 2026-11-21 (UBSan: rdata.c parse_dec,
 * "signed integer overflow: 6555555555555555530 * 10"). parse_dec bounds the
 * digits by INT64_MAX / 100 but then scales by 10^frac (100 for metres, 1000
 * for seconds), which overflows for 18-digit numbers. Without a sanitizer
 * the value wraps negative, slips under the range checks, and the record is
 * accepted with a garbage field. Each of these must be a syntax error.
 */
static void test_loc_huge_size_is_rejected(void **state)
{
	(void)state;
	assert_true(parse_loc("2 N 5 E 1 655555555555555553") < 0);
	assert_true(parse_loc("2 N 5 E 1m 922337203685477580m") < 0);
}

static void test_loc_huge_precision_is_rejected(void **state)
{
	(void)state;
	assert_true(parse_loc("2 N 5 E 1 1 655555555555555553") < 0);
	assert_true(parse_loc("2 N 5 E 1 1 1 655555555555555553") < 0);
}

static void test_loc_huge_seconds_are_rejected(void **state)
{
	(void)state;
	assert_true(parse_loc("2 0 655555555555555553 N 5 E 1") < 0);
	assert_true(parse_loc("2 N 5 0 655555555555555553 E 1") < 0);
}

static void test_loc_huge_altitude_is_rejected(void **state)
{
	(void)state;
	assert_true(parse_loc("2 N 5 E 655555555555555553") < 0);
	assert_true(parse_loc("2 N 5 E -655555555555555553") < 0);
}

/* The limits themselves still parse. */
static void test_loc_limits_parse(void **state)
{
	(void)state;
	assert_true(parse_loc("90 S 180 E 42849672.95m 90000000m 0m 0.01m") > 0);
	assert_true(parse_loc("0 0 59.999 N 0 0 0 W -100000m 2m 99 1234") > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loc_huge_size_is_rejected),
		cmocka_unit_test(test_loc_huge_precision_is_rejected),
		cmocka_unit_test(test_loc_huge_seconds_are_rejected),
		cmocka_unit_test(test_loc_huge_altitude_is_rejected),
		cmocka_unit_test(test_loc_limits_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
