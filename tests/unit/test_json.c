/*
 * test_json.c: the JSON writer places commas and colons right, escapes
 * what RFC 8259 requires, and always emits valid UTF-8.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "client.h"

/* The JSON text of one string value of n bytes. */
static void
check_string(const char *s, size_t n, const char *want)
{
	struct json	j;

	json_init(&j);
	json_string(&j, s, n);
	assert_string_equal(j.buf, want);
	assert_int_equal(j.len, strlen(want));
	json_free(&j);
}

/* Empty containers, and nesting with commas in the right places. */
static void
test_structure(void **state)
{
	struct json	j;

	(void)state;
	json_init(&j);
	json_begin_array(&j);
	json_end_array(&j);
	assert_string_equal(j.buf, "[]");
	json_free(&j);

	json_init(&j);
	json_begin_array(&j);
	json_begin_object(&j);
	json_end_object(&j);
	json_begin_object(&j);
	json_key(&j, "a");
	json_int(&j, 1);
	json_key(&j, "b");
	json_null(&j);
	json_key(&j, "c");
	json_begin_array(&j);
	json_int(&j, -2);
	json_cstring(&j, "x");
	json_end_array(&j);
	json_key(&j, "d");
	json_cstring(&j, NULL);
	json_end_object(&j);
	json_int(&j, 9223372036854775807LL);
	json_end_array(&j);
	assert_string_equal(j.buf,
	    "[{},{\"a\":1,\"b\":null,\"c\":[-2,\"x\"],\"d\":null},"
	    "9223372036854775807]");
	assert_int_equal(j.depth, 0);
	json_free(&j);
}

/* Quotes, backslashes and every control character are escaped. */
static void
test_escapes(void **state)
{
	(void)state;
	check_string("", 0, "\"\"");
	check_string("plain", 5, "\"plain\"");
	check_string("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
	check_string("\n\r\t\b\f", 5, "\"\\n\\r\\t\\b\\f\"");
	check_string("\x01\x1b\x1f\x7f", 4, "\"\\u0001\\u001b\\u001f\\u007f\"");
	check_string("a\0b", 3, "\"a\\u0000b\"");
	/* C1 controls too (UTF-8 CSI and ST); other non-ASCII is kept. */
	check_string("\xc2\x9b\xc2\x9c\xc2\xa0", 6,
	    "\"\\u009b\\u009c\xc2\xa0\"");
	check_string("/", 1, "\"/\"");
}

/* Valid UTF-8 passes through whole; anything else becomes U+FFFD. */
static void
test_utf8(void **state)
{
	(void)state;
	check_string("caf\xc3\xa9", 5, "\"caf\xc3\xa9\"");
	check_string("\xe2\x82\xac", 3, "\"\xe2\x82\xac\"");
	check_string("\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"");
	/* A lone continuation byte, a truncated sequence, a bad lead. */
	check_string("a\x80z", 3, "\"a\xef\xbf\xbdz\"");
	check_string("\xe2\x82", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\"");
	check_string("\xff", 1, "\"\xef\xbf\xbd\"");
	/* Overlong "/", a UTF-16 surrogate, and above U+10FFFF. */
	check_string("\xc0\xaf", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\"");
	check_string("\xed\xa0\x80", 3,
	    "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	check_string("\xf4\x90\x80\x80", 4,
	    "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	/* A multi-byte sequence cut by the end of the value. */
	check_string("\xc3\xa9", 1, "\"\xef\xbf\xbd\"");
}

/* Timestamps are RFC 3339 in UTC. */
static void
test_time(void **state)
{
	struct json	j;
	char		s[32];

	(void)state;
	assert_int_equal(json_rfc3339(0, s, sizeof s), 0);
	assert_string_equal(s, "1970-01-01T00:00:00Z");
	assert_int_equal(json_rfc3339(1700000000, s, sizeof s), 0);
	assert_string_equal(s, "2023-11-14T22:13:20Z");
	assert_int_equal(json_rfc3339(951782400, s, sizeof s), 0);
	assert_string_equal(s, "2000-02-29T00:00:00Z");
	assert_int_equal(json_rfc3339(0, s, 5), LN_E_INVAL);

	json_init(&j);
	json_begin_array(&j);
	assert_int_equal(json_time(&j, 1700000000), 0);
	assert_int_not_equal(json_time(&j, INT64_MAX), 0);
	json_end_array(&j);
	assert_string_equal(j.buf, "[\"2023-11-14T22:13:20Z\",null]");
	json_free(&j);
}

/* A long value grows the buffer without losing bytes. */
static void
test_grow(void **state)
{
	struct json	j;
	char		big[5000];
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	json_init(&j);
	json_string(&j, big, sizeof big);
	assert_int_equal(j.len, sizeof big + 2);
	assert_memory_equal(j.buf + 1, big, sizeof big);
	json_free(&j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_grow),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
