/*
 * test_escape.c: the escapes `lnsh send` interprets, and the ones it
 * refuses instead of guessing.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "client.h"

/* Decodes s and checks it gives exactly the n bytes of want. */
static void
check_ok(const char *s, const char *want, size_t n)
{
	uint8_t		*out = NULL;
	size_t		 len = 99, where = 99;
	const char	*why = NULL;

	assert_int_equal(escape_decode(s, &out, &len, &why, &where), 0);
	assert_non_null(out);
	assert_int_equal(len, n);
	assert_memory_equal(out, want, n);
	assert_int_equal(out[len], '\0');
	free(out);
}

/* Decodes s, expecting a failure at offset at, and nothing allocated. */
static void
check_bad(const char *s, size_t at)
{
	uint8_t		*out = NULL;
	size_t		 len = 99, where = 99;
	const char	*why = NULL;

	assert_int_equal(escape_decode(s, &out, &len, &why, &where),
	    LN_E_INVAL);
	assert_null(out);
	assert_int_equal(len, 99);
	assert_non_null(why);
	assert_int_equal(where, at);
}

/* Text without backslashes passes unchanged, including UTF-8. */
static void
test_plain(void **state)
{
	(void)state;
	check_ok("", "", 0);
	check_ok("echo hi", "echo hi", 7);
	check_ok("caf\xc3\xa9", "caf\xc3\xa9", 5);
}

/* Every documented escape. */
static void
test_escapes(void **state)
{
	(void)state;
	check_ok("\\n", "\n", 1);
	check_ok("\\r", "\r", 1);
	check_ok("\\t", "\t", 1);
	check_ok("\\e", "\x1b", 1);
	check_ok("\\\\", "\\", 1);
	check_ok("ls -l\\n", "ls -l\n", 6);
	check_ok("\\e[A\\r", "\x1b[A\r", 4);
	check_ok("a\\\\n", "a\\n", 3);	/* an escaped backslash, then n */
}

/* \xHH in either case, and bytes that end strings in C. */
static void
test_hex(void **state)
{
	(void)state;
	check_ok("\\x41", "A", 1);
	check_ok("\\x7f\\xFF\\xaB", "\x7f\xff\xab", 3);
	check_ok("\\x03", "\x03", 1);		/* Ctrl-C */
	check_ok("a\\x00b", "a\0b", 3);		/* NUL is a byte like others */
	check_ok("\\x414", "A4", 2);		/* exactly two digits */
}

/* Unknown escapes, short \x and a trailing backslash are refused. */
static void
test_bad(void **state)
{
	(void)state;
	check_bad("\\q", 0);
	check_bad("ab\\", 2);
	check_bad("\\x", 0);
	check_bad("\\x4", 0);
	check_bad("ok\\n\\xg0", 4);
	check_bad("\\0", 0);
	check_bad("\\N", 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_bad),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
