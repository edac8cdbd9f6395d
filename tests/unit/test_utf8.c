/*
 * test_utf8.c: proto/utf8.c decodes what RFC 3629 calls UTF-8 and nothing
 * else (no overlong form, surrogate or code point above U+10FFFF), and
 * says how many bytes of a refused sequence one U+FFFD stands for.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "proto.h"

/* Decodes the string s; expects length want (0: refused) and code point. */
static void
check(const char *s, size_t want, uint32_t want_cp)
{
	uint32_t	cp = 0xdeadbeef;

	assert_int_equal(ln_utf8_decode((const uint8_t *)s, strlen(s), &cp),
	    want);
	assert_int_equal(cp, want == 0 ? 0xdeadbeef : want_cp);
}

/* Every length of character, at both ends of its range. */
static void
test_valid(void **state)
{
	(void)state;
	check("A", 1, 'A');
	check("\x7f", 1, 0x7f);
	check("\xc2\x80", 2, 0x80);
	check("\xdf\xbf", 2, 0x7ff);
	check("\xe0\xa0\x80", 3, 0x800);
	check("\xe2\x80\x94", 3, 0x2014);
	check("\xef\xbf\xbf", 3, 0xffff);
	check("\xf0\x90\x80\x80", 4, 0x10000);
	check("\xf4\x8f\xbf\xbf", 4, 0x10ffff);
	check("\xc3\xa9tc", 2, 0xe9);	/* only the first character */
}

/*
 * Overlong forms spell a character in more bytes than it needs: client
 * display.c's own decoder once took "\xc1\x81" for "A".
 */
static void
test_overlong(void **state)
{
	(void)state;
	check("\xc0\x80", 0, 0);		/* NUL */
	check("\xc0\xaf", 0, 0);		/* "/" */
	check("\xc1\x81", 0, 0);		/* "A" */
	check("\xe0\x80\xaf", 0, 0);
	check("\xe0\x9f\xbf", 0, 0);		/* U+07FF in three */
	check("\xf0\x80\x80\xaf", 0, 0);
	check("\xf0\x8f\xbf\xbf", 0, 0);	/* U+FFFF in four */
}

/* Surrogates, beyond U+10FFFF, stray and truncated bytes. */
static void
test_invalid(void **state)
{
	(void)state;
	check("\xed\xa0\x80", 0, 0);		/* U+D800 */
	check("\xed\xbf\xbf", 0, 0);		/* U+DFFF */
	check("\xf4\x90\x80\x80", 0, 0);	/* U+110000 */
	check("\xf7\xbf\xbf\xbf", 0, 0);
	check("\x80", 0, 0);
	check("\xbf", 0, 0);
	check("\xf8\x88\x80\x80\x80", 0, 0);
	check("\xff", 0, 0);
	check("\xe2\x80", 0, 0);		/* cut short */
	check("\xe2\x28\xa1", 0, 0);		/* not a continuation */
}

/* One U+FFFD covers a stray byte, or a lead and its continuations. */
static void
test_skip(void **state)
{
	(void)state;
	assert_int_equal(ln_utf8_skip((const uint8_t *)"\x80" "A", 2), 1);
	assert_int_equal(ln_utf8_skip((const uint8_t *)"\xff" "A", 2), 1);
	assert_int_equal(ln_utf8_skip((const uint8_t *)"\xe2\x80" "A", 3), 2);
	assert_int_equal(ln_utf8_skip((const uint8_t *)"\xe2\x80", 2), 2);
	assert_int_equal(ln_utf8_skip((const uint8_t *)"\xc1\x81" "A", 3), 2);
	assert_int_equal(ln_utf8_skip((const uint8_t *)"\xed\xa0\x80", 3), 3);
	assert_int_equal(ln_utf8_skip(
	    (const uint8_t *)"\xf4\x90\x80\x80\x80", 5), 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_skip),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
