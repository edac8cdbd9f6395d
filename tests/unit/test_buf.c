/*
 * test_buf.c: the bounded buffer never reads or writes outside its bounds
 * and its first failure sticks.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "proto.h"

/* Little-endian round trip of every width. */
static void
test_round_trip(void **state)
{
	uint8_t		storage[15];
	struct buf	w, r;
	uint8_t		u8;
	uint16_t	u16;
	uint32_t	u32;
	uint64_t	u64;

	buf_writer(&w, storage, sizeof storage);
	assert_int_equal(buf_put_u8(&w, 0xab), 0);
	assert_int_equal(buf_put_u16le(&w, 0x1234), 0);
	assert_int_equal(buf_put_u32le(&w, 0xdeadbeef), 0);
	assert_int_equal(buf_put_u64le(&w, 0x0102030405060708ULL), 0);
	assert_int_equal(buf_used(&w), 15);
	assert_int_equal(storage[1], 0x34);
	assert_int_equal(storage[7], 0x08);

	buf_reader(&r, storage, sizeof storage);
	assert_int_equal(buf_get_u8(&r, &u8), 0);
	assert_int_equal(buf_get_u16le(&r, &u16), 0);
	assert_int_equal(buf_get_u32le(&r, &u32), 0);
	assert_int_equal(buf_get_u64le(&r, &u64), 0);
	assert_int_equal(u8, 0xab);
	assert_int_equal(u16, 0x1234);
	assert_int_equal(u32, 0xdeadbeef);
	assert_int_equal(u64, 0x0102030405060708ULL);
	assert_int_equal(buf_left(&r), 0);
}

/* Reading past the end fails, writes nothing, and keeps failing. */
static void
test_short_read_sticks(void **state)
{
	uint8_t		in[3] = { 1, 2, 3 };
	struct buf	r;
	uint32_t	v = 42;
	uint8_t		u8;

	buf_reader(&r, in, sizeof in);
	assert_int_equal(buf_get_u32le(&r, &v), LN_E_DROP(LN_DROP_SHORT));
	assert_int_equal(v, 42);
	/* One byte is there, but the earlier failure sticks. */
	assert_int_equal(buf_get_u8(&r, &u8), LN_E_DROP(LN_DROP_SHORT));
	assert_null(buf_get_ptr(&r, 0));
	assert_int_equal(buf_left(&r), 0);
}

/* Writing past capacity fails without touching memory beyond it. */
static void
test_write_overflow(void **state)
{
	uint8_t		storage[8];
	struct buf	w;

	memset(storage, 0xee, sizeof storage);
	buf_writer(&w, storage, 4);
	assert_int_equal(buf_put_u64le(&w, 0), LN_E_NOSPACE);
	assert_int_equal(storage[0], 0xee);
	assert_int_equal(storage[4], 0xee);
	assert_null(buf_put_ptr(&w, 1));
}

/* buf_get_rest hands back everything that is left, in place. */
static void
test_rest(void **state)
{
	uint8_t		 in[5] = { 9, 8, 7, 6, 5 };
	struct buf	 r;
	const uint8_t	*p;
	size_t		 n;
	uint16_t	 v;

	buf_reader(&r, in, sizeof in);
	assert_int_equal(buf_get_u16le(&r, &v), 0);
	p = buf_get_rest(&r, &n);
	assert_ptr_equal(p, in + 2);
	assert_int_equal(n, 3);
	assert_int_equal(buf_left(&r), 0);
}

/* Drop reasons have names and are counted. */
static void
test_drop_counting(void **state)
{
	struct ln_counters	c;

	memset(&c, 0, sizeof c);
	ln_count(&c, LN_E_DROP(LN_DROP_REPLAY));
	ln_count(&c, LN_E_DROP(LN_DROP_REPLAY));
	ln_count(&c, LN_E_NOSPACE);	/* not a drop */
	assert_int_equal(c.drop[LN_DROP_REPLAY], 2);
	assert_int_equal(ln_drops_total(&c), 2);
	assert_string_equal(ln_drop_name(LN_DROP_REPLAY), "replay");
	assert_string_equal(ln_strerror(LN_E_DROP(LN_DROP_MAC1)), "bad_mac1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_short_read_sticks),
		cmocka_unit_test(test_write_overflow),
		cmocka_unit_test(test_rest),
		cmocka_unit_test(test_drop_counting),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
