/* Unit tests for util/json.c: the JSON lines of --check, gluecheck and -q. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/json.h"

static void test_members_and_nesting(void **state)
{
	char buf[256];
	json_t j;
	json_init(&j, buf, sizeof(buf));
	json_obj_open(&j, NULL);
	json_str(&j, "kind", "finding");
	json_uint(&j, "n", 18446744073709551615ull);
	json_bool(&j, "ok", false);
	json_null(&j, "cut");
	json_str(&j, "none", NULL);
	json_arr_open(&j, "flags");
	json_str(&j, NULL, "qr");
	json_str(&j, NULL, "aa");
	json_arr_close(&j);
	json_arr_open(&j, "empty");
	json_arr_close(&j);
	json_obj_open(&j, "counts");
	json_uint(&j, "answer", 0);
	json_obj_close(&j);
	json_obj_close(&j);
	assert_false(json_full(&j));
	assert_string_equal(buf,
			    "{\"kind\":\"finding\",\"n\":18446744073709551615,\"ok\":false,"
			    "\"cut\":null,\"none\":null,\"flags\":[\"qr\",\"aa\"],\"empty\":[],"
			    "\"counts\":{\"answer\":0}}");
	assert_int_equal(json_len(&j), strlen(buf));
}

static void test_escapes(void **state)
{
	char buf[128];
	json_t j;
	json_init(&j, buf, sizeof(buf));
	json_obj_open(&j, NULL);
	json_str(&j, "k\"", "a\"b\\c\n\r\t\x01\x7f\xc3\xa9");
	json_obj_close(&j);
	/* Every byte outside printable ASCII as \u00XX: valid JSON whatever
	 * a path or a name holds. */
	assert_string_equal(buf,
			    "{\"k\\\"\":\"a\\\"b\\\\c\\n\\r\\t\\u0001\\u007f\\u00c3\\u00a9\"}");
}

static void test_never_overflows(void **state)
{
	char buf[16];
	json_t j;
	memset(buf, 'x', sizeof(buf));
	json_init(&j, buf, sizeof(buf));
	json_obj_open(&j, NULL);
	json_str(&j, "key", "a value too long for the buffer");
	assert_true(json_full(&j));
	/* What fitted, terminated; once full, nothing more is written. */
	char before[sizeof(buf)];
	memcpy(before, buf, sizeof(buf));
	assert_true(json_len(&j) < sizeof(buf));
	assert_int_equal(strlen(buf), json_len(&j));
	assert_int_equal(strncmp(buf, "{\"key\":\"a value", json_len(&j)), 0);
	json_uint(&j, "n", 1);
	json_obj_close(&j);
	assert_memory_equal(buf, before, sizeof(buf));
}

static void test_mark_and_rewind(void **state)
{
	char buf[40];
	json_t j;
	json_init(&j, buf, sizeof(buf));
	json_obj_open(&j, NULL);
	json_arr_open(&j, "ns");
	json_mark_t m = json_mark(&j);
	json_str(&j, NULL, "one");
	json_mark_t m2 = json_mark(&j);
	json_str(&j, NULL, "a name that does not fit in forty bytes");
	assert_true(json_full(&j));
	json_rewind(&j, m2);
	assert_false(json_full(&j));
	json_arr_close(&j);
	json_obj_close(&j);
	assert_string_equal(buf, "{\"ns\":[\"one\"]}");
	/* Back to before the first element: no stray comma. */
	json_rewind(&j, m);
	json_str(&j, NULL, "two");
	json_arr_close(&j);
	json_obj_close(&j);
	assert_string_equal(buf, "{\"ns\":[\"two\"]}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members_and_nesting),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_never_overflows),
		cmocka_unit_test(test_mark_and_rewind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
