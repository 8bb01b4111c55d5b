/* Unit tests for server/dns/name.c: wire names, compression guard, text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "dns/name.h"

#define W(s) ((const uint8_t *)(s))

static void test_from_text_absolute(void **state)
{
	uint8_t out[NAME_MAXLEN];
	int n = name_from_text("www.Example.lab.", 16, NULL, out);
	assert_int_equal(n, 17);
	assert_memory_equal(out, "\3www\7Example\3lab\0", 17);
}

static void test_from_text_relative_and_at(void **state)
{
	uint8_t out[NAME_MAXLEN];
	const uint8_t *origin = W("\3lab\0");
	assert_int_equal(name_from_text("ns1", 3, origin, out), 9);
	assert_memory_equal(out, "\3ns1\3lab\0", 9);
	assert_int_equal(name_from_text("@", 1, origin, out), 5);
	assert_memory_equal(out, "\3lab\0", 5);
	assert_int_equal(name_from_text(".", 1, origin, out), 1);
	assert_int_equal(out[0], 0);
	/* Relative without an origin is an error, not a guess. */
	assert_int_equal(name_from_text("ns1", 3, NULL, out), ST_EINVAL);
}

static void test_from_text_escapes(void **state)
{
	uint8_t out[NAME_MAXLEN];
	const char *t = "a\\.b.c\\065\\\\.";
	assert_int_equal(name_from_text(t, strlen(t), NULL, out), 9);
	assert_memory_equal(out, "\3a.b\3cA\\\0", 9);
	char text[NAME_TEXT_MAX];
	assert_true(name_to_text(out, text, sizeof(text)) > 0);
	assert_string_equal(text, "a\\.b.cA\\\\.");
	assert_int_equal(name_from_text("a\\25", 4, NULL, out), ST_EMALF);
	assert_int_equal(name_from_text("a\\256.", 6, NULL, out), ST_EMALF);
	assert_int_equal(name_from_text("a\\", 2, NULL, out), ST_EMALF);
}

/* The one decoder of presentation escapes, for names and strings alike. */
static void test_text_char(void **state)
{
	static const char t[] = "a\\.\\065\\\\\\256\\1";
	size_t len = strlen(t), i = 0;
	assert_int_equal(text_char(t, len, &i), 'a');
	assert_int_equal(i, 1);
	assert_int_equal(text_char(t, len, &i), '.'); /* \. is a plain dot */
	assert_int_equal(i, 3);
	assert_int_equal(text_char(t, len, &i), 'A'); /* \065 */
	assert_int_equal(i, 7);
	assert_int_equal(text_char(t, len, &i), '\\');
	assert_int_equal(i, 9);
	assert_int_equal(text_char(t, len, &i), ST_EMALF); /* \256: over 255 */
	i = 13;
	assert_int_equal(text_char(t, len, &i), ST_EMALF); /* \1: cut short */
	i = 0;
	assert_int_equal(text_char("\\", 1, &i), ST_EMALF); /* a lone backslash */
	assert_int_equal(text_char("\\\\", 2, &i), '\\');
	assert_int_equal(i, 2);
	i = 0;
	assert_int_equal(text_char("\\0x1", 5, &i), ST_EMALF); /* not three digits */
}

static void test_from_text_errors(void **state)
{
	uint8_t out[NAME_MAXLEN];
	assert_int_equal(name_from_text("a..b.", 5, NULL, out), ST_EMALF);
	assert_int_equal(name_from_text("", 0, NULL, out), ST_EMALF);
	char label[80];
	memset(label, 'x', 64);
	label[64] = '.';
	assert_int_equal(name_from_text(label, 65, NULL, out), ST_ELABEL);
	assert_int_equal(name_from_text(label, 63, W("\0"), out), 65);
	/* 4 x 63-byte labels = 256 bytes of wire name: too long. */
	char big[300];
	size_t n = 0;
	for (int i = 0; i < 4; i++) {
		memset(big + n, 'y', 63);
		n += 63;
		big[n++] = '.';
	}
	assert_int_equal(name_from_text(big, n, NULL, out), ST_ENAME);
	/* 3 x 63 + 61 fits exactly in 255. */
	n = 3 * 64;
	memset(big + n, 'z', 61);
	n += 61;
	big[n++] = '.';
	assert_int_equal(name_from_text(big, n, NULL, out), 255);
}

static void test_to_text_special(void **state)
{
	char text[NAME_TEXT_MAX];
	assert_int_equal(name_to_text(W("\0"), text, sizeof(text)), 1);
	assert_string_equal(text, ".");
	assert_true(name_to_text(W("\3a\001\"\0"), text, sizeof(text)) > 0);
	assert_string_equal(text, "a\\001\\\".");
	assert_int_equal(name_to_text(W("\3www\0"), text, 4), ST_ESPACE);
}

static void test_unpack_plain_and_compressed(void **state)
{
	/* header(12) + "\3www\3lab\0" at 12 + pointer to 16 ("lab") at 21 */
	uint8_t msg[64] = { 0 };
	memcpy(msg + 12, "\3www\3lab\0", 9);
	msg[21] = 3, memcpy(msg + 22, "ns1", 3);
	msg[25] = 0xC0, msg[26] = 16;
	uint8_t out[NAME_MAXLEN];
	size_t pos = 12;
	assert_int_equal(name_unpack(msg, 27, &pos, out), 9);
	assert_int_equal(pos, 21);
	assert_int_equal(name_unpack(msg, 27, &pos, out), 9);
	assert_int_equal(pos, 27);
	assert_memory_equal(out, "\3ns1\3lab\0", 9);
}

static void test_unpack_hostile(void **state)
{
	uint8_t out[NAME_MAXLEN];
	uint8_t msg[600] = { 0 };
	size_t pos;
	/* Pointer to itself: a loop. */
	msg[12] = 0xC0, msg[13] = 12;
	pos = 12;
	assert_int_equal(name_unpack(msg, 14, &pos, out), ST_EPTR);
	/* Forward pointer. */
	msg[12] = 0xC0, msg[13] = 14, msg[14] = 0;
	pos = 12;
	assert_int_equal(name_unpack(msg, 15, &pos, out), ST_EPTR);
	/* Pointer into the header. */
	msg[12] = 0xC0, msg[13] = 2;
	pos = 12;
	assert_int_equal(name_unpack(msg, 14, &pos, out), ST_EPTR);
	/* Two pointers chasing each other backwards is impossible: any loop
	 * needs a forward step. A label type 01 or 10 is rejected. */
	msg[12] = 0x40;
	pos = 12;
	assert_int_equal(name_unpack(msg, 14, &pos, out), ST_ELABEL);
	/* Truncated label. */
	msg[12] = 5, memcpy(msg + 13, "ab", 2);
	pos = 12;
	assert_int_equal(name_unpack(msg, 15, &pos, out), ST_ETRUNC);
	/* Name over 255 bytes through pointers: labels of 63 repeated. */
	size_t p = 12;
	for (int i = 0; i < 5; i++) {
		msg[p] = 63;
		memset(msg + p + 1, 'a', 63);
		p += 64;
	}
	msg[p++] = 0;
	pos = 12;
	assert_int_equal(name_unpack(msg, p, &pos, out), ST_ENAME);
	/* Unterminated: runs off the end. */
	pos = 12;
	assert_int_equal(name_unpack(msg, 12 + 64, &pos, out), ST_ETRUNC);
}

static void test_compare(void **state)
{
	assert_true(name_equal(W("\3WwW\3LaB\0"), W("\3www\3lab\0")));
	assert_false(name_equal(W("\3www\3lab\0"), W("\3ww1\3lab\0")));
	assert_false(name_equal(W("\3www\0"), W("\4wwww\0")));
	assert_true(name_is_sub(W("\3www\3lab\0"), W("\3LAB\0")));
	assert_true(name_is_sub(W("\3lab\0"), W("\3lab\0")));
	assert_true(name_is_sub(W("\3lab\0"), W("\0")));
	assert_false(name_is_sub(W("\3lab\0"), W("\3www\3lab\0")));
	/* Suffix on a byte boundary but not on a label boundary. */
	assert_false(name_is_sub(W("\4xlab\0"), W("\3lab\0")));
	assert_int_equal(name_labels(W("\3www\3lab\0")), 2);
	assert_int_equal(name_labels(W("\0")), 0);
	assert_memory_equal(name_skip(W("\3www\3lab\0"), 1), "\3lab\0", 5);
	uint8_t low[NAME_MAXLEN];
	assert_int_equal(name_lower(low, W("\3WwW\3LaB\0")), 9);
	assert_memory_equal(low, "\3www\3lab\0", 9);
	assert_true(name_is_wildcard(W("\1*\3lab\0")));
	assert_false(name_is_wildcard(W("\2*a\3lab\0")));
}

static void test_check(void **state)
{
	assert_int_equal(name_check(W("\3www\0"), 5), 5);
	assert_int_equal(name_check(W("\3www\0"), 4), ST_ETRUNC);
	assert_int_equal(name_check(W("\100"), 1), ST_ELABEL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_text_absolute),
		cmocka_unit_test(test_from_text_relative_and_at),
		cmocka_unit_test(test_from_text_escapes),
		cmocka_unit_test(test_text_char),
		cmocka_unit_test(test_from_text_errors),
		cmocka_unit_test(test_to_text_special),
		cmocka_unit_test(test_unpack_plain_and_compressed),
		cmocka_unit_test(test_unpack_hostile),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
