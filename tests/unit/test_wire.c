/* Unit tests for wire.h (cursors with a sticky error) and arena.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "dns/arena.h"
#include "dns/wire.h"

static void test_read(void **state)
{
	const uint8_t buf[] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde };
	wire_rd_t r;
	wire_rd_init(&r, buf, sizeof(buf));
	assert_int_equal(wire_rd_u8(&r), 0x12);
	assert_int_equal(wire_rd_u16(&r), 0x3456);
	assert_int_equal(wire_rd_u32(&r), 0x789abcde);
	assert_int_equal(r.err, 0);
	assert_int_equal(wire_rd_left(&r), 0);
	/* Past the end: zero, error set, position kept, and it sticks. */
	assert_int_equal(wire_rd_u8(&r), 0);
	assert_int_equal(r.err, ST_ETRUNC);
	assert_int_equal(r.pos, 7);
	r.pos = 0;
	assert_int_equal(wire_rd_u8(&r), 0);
	assert_null(wire_rd_skip(&r, 1));
}

static void test_read_partial_is_refused(void **state)
{
	const uint8_t buf[] = { 0x01, 0x02, 0x03 };
	wire_rd_t r;
	wire_rd_init(&r, buf, sizeof(buf));
	wire_rd_u16(&r);
	/* Two of four bytes left: a u32 read must not consume or read them. */
	assert_int_equal(wire_rd_u32(&r), 0);
	assert_int_equal(r.pos, 2);
	assert_int_equal(r.err, ST_ETRUNC);
	wire_rd_init(&r, buf, sizeof(buf));
	assert_ptr_equal(wire_rd_skip(&r, 3), buf);
	assert_null(wire_rd_skip(&r, 1));
}

static void test_write(void **state)
{
	uint8_t buf[8];
	wire_wr_t w;
	wire_wr_init(&w, buf, sizeof(buf));
	wire_wr_u8(&w, 0xaa);
	wire_wr_u16(&w, 0xbbcc);
	wire_wr_u32(&w, 0xddeeff00);
	assert_int_equal(w.err, 0);
	assert_int_equal(w.pos, 7);
	assert_memory_equal(buf, "\xaa\xbb\xcc\xdd\xee\xff\x00", 7);
	/* A write that does not fit writes nothing. */
	wire_wr_u16(&w, 0x1122);
	assert_int_equal(w.err, ST_ESPACE);
	assert_int_equal(w.pos, 7);
	wire_wr_u8(&w, 0x33); /* sticky: even a fitting write is refused */
	assert_int_equal(w.pos, 7);
	wire_wr_init(&w, buf, 2);
	wire_wr_bytes(&w, "abc", 3);
	assert_int_equal(w.err, ST_ESPACE);
	assert_int_equal(w.pos, 0);
}

static void test_get_put(void **state)
{
	uint8_t b[4];
	wire_put16(b, 0xbeef);
	assert_int_equal(wire_get16(b), 0xbeef);
	wire_put32(b, 0x01020304);
	assert_int_equal(wire_get32(b), 0x01020304);
}

static void test_arena(void **state)
{
	arena_t a;
	arena_init(&a);
	char *p = arena_dup(&a, "hello", 6);
	assert_string_equal(p, "hello");
	/* Alignment for any type, small and large requests alike. */
	for (size_t n = 1; n < 5000; n += 37) {
		void *q = arena_alloc(&a, n);
		assert_non_null(q);
		assert_int_equal((uintptr_t)q % _Alignof(max_align_t), 0);
		memset(q, 0xab, n);
	}
	uint8_t *big = arena_calloc(&a, 1 << 20);
	assert_non_null(big);
	assert_int_equal(big[(1 << 20) - 1], 0);
	assert_string_equal(p, "hello"); /* earlier data untouched */
	arena_free(&a);
	assert_null(a.head);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),  cmocka_unit_test(test_read_partial_is_refused),
		cmocka_unit_test(test_write), cmocka_unit_test(test_get_put),
		cmocka_unit_test(test_arena),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
