/*
 * test_termtext.c: the sanitiser for text shown on a terminal lets no
 * control through (C0, DEL, C1 in any encoding a terminal takes), turns
 * ill-formed UTF-8 into U+FFFD, keeps good text and never overflows.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto.h"

#define FFFD	"\xef\xbf\xbd"

/* Whether s holds a C0, DEL or a UTF-8 encoded C1 control. */
static int
has_control(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i;

	for (i = 0; p[i] != '\0'; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return (1);
		if (p[i] == 0xc2 && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f)
			return (1);
		if (p[i] >= 0x80 && p[i] <= 0x9f && (i == 0 ||
		    p[i - 1] < 0x80))
			return (1);	/* a raw 8-bit C1 */
	}
	return (0);
}

/* The title: C1 ST and CSI, UTF-8 encoded, vanish or show '?'. */
static void
test_c1(void **state)
{
	const char	 title[] = "a\xc2\x9c\xc2\x9b" "6n";
	char		*s;

	(void)state;
	s = tt_dup(title, strlen(title), TT_DROP);
	assert_string_equal(s, "a6n");
	free(s);
	s = tt_dup(title, strlen(title), 0);
	assert_string_equal(s, "a??6n");
	free(s);
	/* Raw 8-bit C1 is not UTF-8 at all. */
	s = tt_dup("\x9b" "6n", 3, 0);
	assert_string_equal(s, FFFD "6n");
	free(s);
}

/* C0, DEL and NUL (when the length says it is there) never pass. */
static void
test_c0(void **state)
{
	char	*s;

	(void)state;
	s = tt_dup("x\033]52;c;eA==\007\r\n\t\x7f\0y", 19, 0);
	assert_string_equal(s, "x?]52;c;eA==" "??" "??" "??" "y");
	free(s);
	s = tt_dup("x\033[2J\x7fy", 7, TT_DROP);
	assert_string_equal(s, "x[2Jy");
	free(s);
}

/* Overlong, surrogate, out of range and cut sequences become U+FFFD. */
static void
test_ill_formed(void **state)
{
	static const struct {
		const char	*in, *out;
	} t[] = {
		{ "\xc1\x9b", FFFD FFFD },		/* overlong ESC [ */
		{ "\xc0\x80", FFFD FFFD },		/* overlong NUL */
		{ "\xe0\x82\x9b", FFFD FFFD FFFD },	/* overlong C1 */
		{ "\xed\xa0\x80", FFFD FFFD FFFD },	/* surrogate */
		{ "\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD },
		{ "\xf5\x80", FFFD FFFD },
		{ "\xff", FFFD },
		{ "\xe2\x82", FFFD },			/* cut at the end */
		{ "\xe2\x82x", FFFD "x" },		/* cut before x */
		{ "\xe2\x82\xac", "\xe2\x82\xac" },	/* euro sign */
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },
		{ "\xc2\xa0\xc3\xa9", "\xc2\xa0\xc3\xa9" },
	};
	size_t	 i;
	char	*s;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		s = tt_dup(t[i].in, strlen(t[i].in), 0);
		assert_string_equal(s, t[i].out);
		free(s);
	}
}

/* A short buffer is filled to a character boundary and terminated. */
static void
test_bounds(void **state)
{
	char	 b[6], s[] = "ab\xc3\xa9\x9c" "cd";

	(void)state;
	memset(b, 'Z', sizeof b);
	assert_int_equal(tt_clean(b, 5, "abc\xe2\x82\xac", 6, 0), 3);
	assert_string_equal(b, "abc");
	assert_int_equal(b[5], 'Z');
	assert_int_equal(tt_clean(b, 1, "abc", 3, 0), 0);
	assert_string_equal(b, "");
	tt_clean_str(s, sizeof s);
	/* "ab" é U+FFFD fill 7 of the 8 bytes: "cd" no longer fits. */
	assert_string_equal(s, "ab\xc3\xa9" FFFD);
}

/* Every byte string of length 1 to 3 comes out clean and valid. */
static void
test_exhaustive(void **state)
{
	uint8_t	 in[3];
	char	*s;
	unsigned v, n;

	(void)state;
	for (n = 1; n <= 2; n++) {
		for (v = 0; v < 1u << (8 * n); v++) {
			in[0] = (uint8_t)v;
			in[1] = (uint8_t)(v >> 8);
			s = tt_dup(in, n, 0);
			assert_false(has_control(s));
			free(s);
		}
	}
	for (v = 0; v < 1u << 16; v++) {
		in[0] = 0xc2 + (uint8_t)(v % 3);
		in[1] = (uint8_t)(v >> 8);
		in[2] = (uint8_t)v;
		s = tt_dup(in, 3, TT_DROP);
		assert_false(has_control(s));
		free(s);
	}
}

/*
 * Every character that is no control comes out as it went in: the
 * decoder (proto/utf8.c's) takes all of RFC 3629's UTF-8, each length at
 * both ends of its range included.
 */
static void
test_every_character(void **state)
{
	uint8_t		 in[4];
	uint32_t	 cp;
	size_t		 n;
	char		*s;

	(void)state;
	for (cp = 0xa0; cp <= 0x10ffff; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		if (cp < 0x800) {
			in[0] = (uint8_t)(0xc0 | cp >> 6);
			n = 1;
		} else if (cp < 0x10000) {
			in[0] = (uint8_t)(0xe0 | cp >> 12);
			in[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
			n = 2;
		} else {
			in[0] = (uint8_t)(0xf0 | cp >> 18);
			in[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
			in[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
			n = 3;
		}
		in[n++] = (uint8_t)(0x80 | (cp & 0x3f));
		s = tt_dup(in, n, 0);
		assert_int_equal(strlen(s), n);
		assert_memory_equal(s, in, n);
		free(s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_c1),
		cmocka_unit_test(test_c0),
		cmocka_unit_test(test_ill_formed),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_exhaustive),
		cmocka_unit_test(test_every_character),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
