/*
 * test_scrollback.c: the scrollback store keeps lines in order, drops the
 * oldest past its limit, and gives back text and attributes as they were;
 * a limit of 0 keeps none.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto.h"
#include "fb.h"
#include "holder.h"

/* A row of cols reading s with one pen. */
static struct fb_row *
mkrow(int cols, const char *s, const struct fb_pen *pen)
{
	struct fb	*fb = fb_new(cols, 1);
	struct fb_row	*r;
	uint32_t	 cp;
	int		 x;

	for (x = 0; s[x] != '\0'; x++) {
		cp = (uint8_t)s[x];
		fb_put(fb, x, 0, &cp, 1, 1, pen);
	}
	r = fb->row[0];
	r->refs++;
	fb_free(fb);
	return (r);
}

/* Line i of the store as a string; the caller frees it. */
static char *
line(const struct scrollback *sb, size_t i, int escapes)
{
	struct fb_text	t = { NULL, 0, 0 };

	assert_int_equal(sb_line(sb, i, escapes, &t), 0);
	fb_text_add(&t, "", 0);
	return (t.p);
}

/* Lines come back oldest first; the limit drops the oldest. */
static void
test_order_and_limit(void **state)
{
	struct scrollback	*sb = sb_new(100);
	struct fb_pen		 pen = { 0, 0, 0 };
	struct fb_text		 t = { NULL, 0, 0 };
	char			 s[32], *l;
	int			 i;

	for (i = 0; i < 250; i++) {
		struct fb_row	*r;

		snprintf(s, sizeof s, "line %d", i);
		r = mkrow(40, s, &pen);
		sb_push(sb, r);
		fb_row_unref(r);
	}
	assert_int_equal(sb_count(sb), 100);
	assert_int_equal(sb_total(sb), 250);
	l = line(sb, 0, 0);
	assert_string_equal(l, "line 150");
	free(l);
	l = line(sb, 99, 0);
	assert_string_equal(l, "line 249");
	free(l);
	assert_int_equal(sb_line(sb, 100, 0, &t), LN_E_INVAL);
	sb_free(sb);
}

/* Attributes and colours round-trip through the compact form. */
static void
test_attributes(void **state)
{
	struct scrollback	*sb = sb_new(SB_DEFAULT_LINES);
	struct fb		*fb = fb_new(20, 1);
	struct fb_pen		 red = { FB_COLOR_IDX(1), 0, FB_BOLD };
	struct fb_pen		 rgb = { FB_COLOR_RGB3(250, 128, 1),
				    FB_COLOR_IDX(200), FB_ITALIC | FB_FAINT };
	struct fb_pen		 plain = { 0, 0, 0 };
	struct fb_text		 want = { NULL, 0, 0 };
	uint32_t		 cp[2] = { 'e', 0x301 }, han = 0x4e2d;
	char			*l;

	fb_put(fb, 0, 0, cp, 1, 1, &red);
	fb_put(fb, 1, 0, cp, 2, 1, &rgb);
	fb_put(fb, 2, 0, &han, 1, 2, &rgb);
	fb_put(fb, 5, 0, cp, 1, 1, &plain);
	sb_push(sb, fb->row[0]);
	fb_row_text(&want, fb->row[0], 1);
	l = line(sb, 0, 1);
	assert_string_equal(l, want.p);
	free(l);
	l = line(sb, 0, 0);
	assert_string_equal(l, "ee\xcc\x81\xe4\xb8\xad e");
	free(l);
	free(want.p);
	fb_free(fb);
	sb_free(sb);
}

/* A long run of coloured lines stays small. */
static void
test_compact(void **state)
{
	struct scrollback	*sb = sb_new(10000);
	struct fb		*fb = fb_new(80, 1);
	struct fb_pen		 pen = { 0, 0, 0 };
	uint32_t		 cp;
	int			 i, x;

	for (i = 0; i < 20000; i++) {
		for (x = 0; x < 80; x++) {
			pen.fg = FB_COLOR_IDX((x / 10 + i) % 8);
			cp = 'a' + (uint32_t)((x + i) % 26);
			fb_put(fb, x, 0, &cp, 1, 1, &pen);
		}
		sb_push(sb, fb->row[0]);
	}
	assert_int_equal(sb_count(sb), 10000);
	assert_int_equal(sb_wrapped(sb, 0), 0);
	fb_free(fb);
	sb_free(sb);
}

/*
 * A 1024-column line, every cell in its own 24-bit colour with a combining
 * mark, would take about 26 KB with escapes: it comes back cut within
 * LN_SB_LINE_MAX (what lnshd and the client accept), on a whole
 * character, closed by a reset; without escapes it fits whole.
 */
static void
test_long_line_cut(void **state)
{
	struct scrollback	*sb = sb_new(10);
	struct fb		*fb = fb_new(1024, 1);
	struct fb_row		*r;
	struct fb_pen		 pen = { 0, 0, 0 };
	uint32_t		 cp[2];
	char			*l;
	size_t			 n;
	int			 x;

	for (x = 0; x < 1024; x++) {
		pen.fg = FB_COLOR_RGB3(x % 256, x / 4, (x * 7) % 256);
		cp[0] = 'a' + x % 26;
		cp[1] = 0x301;
		fb_put(fb, x, 0, cp, 2, 1, &pen);
	}
	r = fb->row[0];
	r->refs++;
	fb_free(fb);
	sb_push(sb, r);
	fb_row_unref(r);
	l = line(sb, 0, 1);
	n = strlen(l);
	assert_true(n > LN_SB_LINE_MAX - 64);
	assert_true(n <= LN_SB_LINE_MAX);
	assert_memory_equal(l + n - 4, "\033[0m", 4);
	/* The last character before the reset is whole: U+0301's 2 bytes. */
	assert_memory_equal(l + n - 6, "\xcc\x81", 2);
	free(l);
	l = line(sb, 0, 0);
	assert_int_equal(strlen(l), 1024 * 3);
	free(l);
	sb_free(sb);
}

/*
 * A limit of 0 keeps no line, as tmux's history-limit 0: lines that leave
 * the screen are counted (a reader knows they went) but none is held.
 */
static void
test_none(void **state)
{
	struct scrollback	*sb = sb_new(0);
	struct fb_pen		 pen = { 0, 0, 0 };
	struct fb_row		*r;
	struct fb_text		 t = { NULL, 0, 0 };
	int			 i;

	for (i = 0; i < 100; i++) {
		r = mkrow(10, "gone", &pen);
		sb_push(sb, r);
		fb_row_unref(r);
	}
	assert_int_equal(sb_count(sb), 0);
	assert_int_equal(sb_total(sb), 100);
	assert_int_equal(sb_line(sb, 0, 0, &t), LN_E_INVAL);
	assert_int_equal(t.len, 0);
	free(t.p);
	sb_free(sb);
}

/*
 * A terminal keeping no scrollback: a capture of every line of scrollback
 * (-1) is the screen alone, after 100 lines scrolled through a 4-row one.
 */
static void
test_capture_none(void **state)
{
	struct emu	*e = emu_new(10, 4, 0, NULL, NULL);
	char		 in[8], *out, want[64];
	size_t		 len;
	int		 i;

	for (i = 1; i <= 100; i++) {
		snprintf(in, sizeof in, "%d\r\n", i);
		emu_input(e, (const uint8_t *)in, strlen(in));
	}
	assert_int_equal(sb_count(emu_scrollback(e)), 0);
	assert_int_equal(emu_capture(e, -1, 0, &out, &len), 0);
	snprintf(want, sizeof want, "98\n99\n100\n\n");
	assert_string_equal(out, want);
	assert_int_equal(len, strlen(want));
	free(out);
	emu_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_limit),
		cmocka_unit_test(test_attributes),
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_long_line_cut),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_capture_none),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
