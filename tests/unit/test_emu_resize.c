/*
 * test_emu_resize.c: the emulator grown and shrunk over and over, from
 * 1x1 to the largest screen a client may ask for (FB_MAX_COLS x
 * FB_MAX_ROWS), with text in every corner, scroll regions, insert and
 * delete, autowrap on the last row, double-width lines and the
 * alternate screen, the cursor at each edge when the size changes.
 *
 * This is the code libvterm 0.2+ (Homebrew's 0.3.3) runs differently
 * from 0.1.x: there the resize callback must reallocate the state's
 * line-info arrays, and every sequence here makes libvterm touch the
 * line info of rows that exist only after a grow. The libvterm 0.3.3
 * tier of scripts/test runs this against a libvterm built with ASan, so
 * an array left at its old size is a heap-buffer-overflow, not luck.
 * After every step the cursor libvterm holds (asked with DSR 6) must be
 * the one the screen shows.
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

struct reply {
	char	buf[256];
	size_t	len;
};

/* Collects what the emulator answers the application. */
static void
reply_cb(void *arg, const uint8_t *p, size_t len)
{
	struct reply	*r = arg;

	if (r->len + len < sizeof r->buf) {
		memcpy(r->buf + r->len, p, len);
		r->len += len;
		r->buf[r->len] = '\0';
	}
}

/* Feeds a formatted string. */
static void __attribute__((format(printf, 2, 3)))
feedf(struct emu *e, const char *fmt, ...)
{
	char	s[256];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(s, sizeof s, fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof s);
	emu_input(e, (const uint8_t *)s, (size_t)n);
}

/* The character at column x of row y of the shown screen. */
static uint32_t
cell(struct emu *e, int x, int y)
{
	const struct fb	*fb = emu_screen(e);

	assert_true(x >= 0 && x < fb->cols && y >= 0 && y < fb->rows);
	return (fb->row[y]->cells[x].cp);
}

/* Row y of the shown screen starts with the text want, then blanks. */
static void
assert_screen_row(struct emu *e, int y, const char *want)
{
	const struct fb	*fb = emu_screen(e);
	int		 x;

	for (x = 0; x < fb->cols; x++)
		assert_int_equal(cell(e, x, y),
		    (size_t)x < strlen(want) ? (uint32_t)want[x] : ' ');
}

/* The shown screen is cols x rows. */
static void
assert_size(struct emu *e, int cols, int rows)
{
	assert_int_equal(emu_screen(e)->cols, cols);
	assert_int_equal(emu_screen(e)->rows, rows);
}

/*
 * libvterm's cursor (DSR 6) is where the screen's is: the two agree after
 * every resize, whatever the libvterm version did with the callback.
 */
static void
assert_cursor_agrees(struct emu *e, struct reply *r)
{
	const struct fb	*fb = emu_screen(e);
	char		 want[32];

	assert_true(fb->cursor.x >= 0 && fb->cursor.x < fb->cols);
	assert_true(fb->cursor.y >= 0 && fb->cursor.y < fb->rows);
	r->len = 0;
	r->buf[0] = '\0';
	feedf(e, "\033[6n");
	snprintf(want, sizeof want, "\033[%d;%dR", fb->cursor.y + 1,
	    fb->cursor.x + 1);
	assert_string_equal(r->buf, want);
}

/*
 * Everything that makes libvterm read or write the line info of every
 * row, on a screen of cols x rows: erase all, a character in each
 * corner, a scroll region over the lower half scrolled both ways, insert
 * and delete lines, a double-width last row, autowrap off the bottom.
 */
static void
exercise(struct emu *e, struct reply *r, int cols, int rows)
{
	int	top = rows / 2 + 1;

	feedf(e, "\033[H\033[2J");
	feedf(e, "\033[1;1HA");
	assert_int_equal(cell(e, 0, 0), 'A');
	feedf(e, "\033[1;%dHB", cols);
	assert_int_equal(cell(e, cols - 1, 0), 'B');
	feedf(e, "\033[%d;1HC", rows);
	assert_int_equal(cell(e, 0, rows - 1), 'C');
	feedf(e, "\033[%d;%dHD", rows, cols);
	assert_int_equal(cell(e, cols - 1, rows - 1), 'D');
	assert_cursor_agrees(e, r);

	/* The lower half scrolls; the upper half stays. */
	feedf(e, "\033[%d;%dr", top, rows);
	feedf(e, "\033[%d;1H", rows);
	feedf(e, "x\r\ny\r\nz");
	feedf(e, "\033[%d;1H\033M\033M", top);	/* RI at the region's top */
	feedf(e, "\033[3S\033[2T\033[2L\033[3M");
	feedf(e, "\033[r");
	if (top < rows)
		assert_int_equal(cell(e, 0, 0), cols > 1 ? 'A' : 'B');
	assert_cursor_agrees(e, r);

	/*
	 * A double-width last row, then back to single width (a row one
	 * column wide has no room for a double-width character at all).
	 */
	feedf(e, "\033[%d;1H\033#6%s\033#5", rows, cols > 1 ? "d" : "");
	/* Autowrap on the last row scrolls the whole screen. */
	feedf(e, "\033[%d;%dHWZ", rows, cols);
	assert_int_equal(cell(e, 0, rows - 1), 'Z');
	assert_cursor_agrees(e, r);
}

/*
 * Leaves a mark on the cursor's row and the cursor at one edge: corner
 * 0 top left, 1 top right, 2 bottom left, 3 bottom right.
 */
static void
park(struct emu *e, int cols, int rows, int corner)
{
	int	x = corner & 1 ? cols : 1, y = corner & 2 ? rows : 1;

	feedf(e, "\033[%d;1HM\033[%d;%dH", y, y, x);
}

/* Sizes from 1x1 to the largest, and past it (clamped). */
static const int sizes[][2] = {
	{ 1, 1 }, { FB_MAX_COLS, FB_MAX_ROWS }, { 1, 1 }, { 80, 24 },
	{ FB_MAX_COLS, 1 }, { 1, FB_MAX_ROWS }, { FB_MAX_COLS, FB_MAX_ROWS },
	{ 2, 3 }, { FB_MAX_COLS - 1, FB_MAX_ROWS - 1 }, { 132, 50 },
	{ 40, 10 }, { 5000, 5000 }, { 0, 0 }, { 300, FB_MAX_ROWS },
	{ 37, 13 }, { FB_MAX_COLS, FB_MAX_ROWS }, { 3, 2 },
};

/* Clamps as the emulator does. */
static int
clamp(int v, int max)
{
	return (v < 1 ? 1 : v > max ? max : v);
}

/*
 * Grows and shrinks through every size, on the primary screen and on
 * the alternate one, with the cursor at each edge in turn when the size
 * changes; the cursor's row keeps its mark.
 */
static void
test_grow_shrink(void **state)
{
	struct reply	 r = { "", 0 };
	struct emu	*e = emu_new(1, 1, 1000, reply_cb, &r);
	const struct fb	*fb;
	size_t		 i;
	int		 cols = 1, rows = 1, alt, corner = 0;

	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		for (alt = 0; alt < 2; alt++) {
			if (alt)
				feedf(e, "\033[?1049h");
			park(e, cols, rows, corner);
			corner = (corner + 1) % 4;
			cols = clamp(sizes[i][0] - alt, FB_MAX_COLS);
			rows = clamp(sizes[i][1] - alt, FB_MAX_ROWS);
			emu_resize(e, cols, rows);
			fb = emu_screen(e);
			assert_int_equal(fb->cols, cols);
			assert_int_equal(fb->rows, rows);
			assert_int_equal(cell(e, 0, fb->cursor.y), 'M');
			assert_cursor_agrees(e, &r);
			exercise(e, &r, cols, rows);
			if (alt) {
				feedf(e, "\033[?1049l");
				assert_false(emu_screen(e)->modes &
				    FB_MODE_ALTSCREEN);
				assert_cursor_agrees(e, &r);
			}
		}
	}
	emu_free(e);
}

/*
 * One grow, and every row of the new screen written through libvterm
 * paths that index the line info by row: the smallest form of the
 * failure a resize callback that does not reallocate it leads to.
 */
static void
test_grow_then_bottom(void **state)
{
	struct reply	 r = { "", 0 };
	struct emu	*e = emu_new(10, 2, 100, reply_cb, &r);
	int		 y;

	emu_resize(e, 20, 40);
	for (y = 1; y <= 40; y++)
		feedf(e, "\033[%d;1H\033#6%02d\033#5", y, y);
	feedf(e, "\033[40;20Hab");
	assert_int_equal(cell(e, 0, 39), 'b');
	assert_int_equal(cell(e, 19, 38), 'a');
	assert_int_equal(cell(e, 0, 37), '3');
	assert_int_equal(cell(e, 1, 37), '9');
	assert_cursor_agrees(e, &r);
	emu_free(e);
}

/*
 * DECSC on a row the screen then loses: DECRC (an escape, unlike the
 * CSIs, which libvterm bounds) comes back inside the screen, and text
 * written there lands on the last row. libvterm itself keeps the saved
 * position and would write past its line info.
 */
static void
test_restore_after_shrink(void **state)
{
	struct reply	 r = { "", 0 };
	struct emu	*e = emu_new(10, 10, 100, reply_cb, &r);

	feedf(e, "\033[10;10H\0337\033[H");
	emu_resize(e, 5, 5);
	feedf(e, "\0338ab\r\ncd");
	assert_cursor_agrees(e, &r);
	assert_int_equal(cell(e, 0, 3), 'b');
	assert_int_equal(cell(e, 4, 2), 'a');
	assert_int_equal(cell(e, 0, 4), 'c');
	/* Cut after the ESC: the same, the cursor put back before "x". */
	feedf(e, "\033[H\033");
	feedf(e, "8x");
	assert_int_equal(cell(e, 4, 4), 'x');
	assert_cursor_agrees(e, &r);
	/* ESC ( 8 is no DECRC. */
	feedf(e, "\033[1;1H\033(8");
	assert_int_equal(cell(e, 0, 0), ' ');
	emu_free(e);
}

/*
 * A scroll region whose top the screen then loses: libvterm keeps it,
 * and its next scroll moved a negative length. A change of rows resets
 * the region (as tmux does) and leaves the cursor where it was.
 */
static void
test_region_after_shrink(void **state)
{
	struct reply	 r = { "", 0 };
	struct emu	*e = emu_new(10, 10, 100, reply_cb, &r);

	feedf(e, "\033[8;10r\033[9;3H");
	emu_resize(e, 10, 5);
	assert_cursor_agrees(e, &r);
	assert_int_equal(emu_screen(e)->cursor.x, 2);
	assert_int_equal(emu_screen(e)->cursor.y, 4);
	feedf(e, "\033[1;1Htop\033[5;1Hx\r\ny\r\nz");
	assert_screen_row(e, 2, "x");
	assert_screen_row(e, 3, "y");
	assert_screen_row(e, 4, "z");
	feedf(e, "\033M\033M\033M\033M\033M\033[3S\033[2L");
	assert_cursor_agrees(e, &r);
	/* The same with the resize inside a CSI cut in two. */
	emu_resize(e, 10, 10);
	feedf(e, "\033[8;10r\033[10;1H\033[3");
	emu_resize(e, 10, 4);
	feedf(e, "1mq\r\n\r\n\r\n");
	assert_cursor_agrees(e, &r);
	assert_int_equal(cell(e, 0, 0), 'q');
	/*
	 * And inside a CSI that scrolls when it ends, or that carries a
	 * line feed libvterm carries out in the middle of it (fuzz-emu, on
	 * 888e84b: both scrolled the region the resize had left below the
	 * last row, a negative memmove in libvterm). The sequence in flight
	 * ends at the size it began in; the new size follows it.
	 */
	emu_resize(e, 10, 10);
	feedf(e, "\033[8;10r\033[10;1Ha\033[2");
	emu_resize(e, 10, 4);
	assert_int_equal(emu_screen(e)->rows, 10);
	feedf(e, "S");
	assert_int_equal(emu_screen(e)->rows, 4);
	assert_cursor_agrees(e, &r);
	emu_resize(e, 10, 10);
	feedf(e, "\033[8;10r\033[10;1Hb\033[");
	emu_resize(e, 10, 4);
	feedf(e, "\n\n1mc");
	assert_int_equal(emu_screen(e)->rows, 4);
	assert_cursor_agrees(e, &r);
	emu_free(e);
}

/*
 * A resize while a string sequence is unfinished: a title or a DECRQSS
 * cut off in the middle (a program killed mid-write, `cat` of a binary
 * file), which the next output may not end for a long time. The string
 * is held back from libvterm until it ends (emu_input), so libvterm is
 * between sequences and the size applies at once; the string then ends
 * at the new size. Before, the size waited for the string's end, and the
 * client's frames kept the old size meanwhile.
 */
static void
test_resize_in_string(void **state)
{
	struct reply	 r = { "", 0 };
	struct emu	*e = emu_new(10, 10, 100, reply_cb, &r);

	feedf(e, "\033[8;10r\033[10;1H\033]0;half a ti");
	emu_resize(e, 20, 4);
	assert_size(e, 20, 4);
	feedf(e, "tle\n\n\007x\r\n\n\n");
	assert_string_equal(emu_screen(e)->title, "half a title");
	assert_size(e, 20, 4);
	assert_cursor_agrees(e, &r);
	/* ESC \ ends it as well as BEL, cut between the two. */
	feedf(e, "\033]2;other\033");
	emu_resize(e, 12, 6);
	assert_size(e, 12, 6);
	feedf(e, "\\");
	assert_string_equal(emu_screen(e)->title, "other");
	assert_cursor_agrees(e, &r);
	/* A DCS (DECRQSS): its answer comes once it ends. */
	r.len = 0;
	r.buf[0] = '\0';
	feedf(e, "\033P$q");
	emu_resize(e, 30, 8);
	assert_size(e, 30, 8);
	assert_int_equal(r.len, 0);
	feedf(e, "r\033\\");
	assert_true(r.len > 0);
	assert_cursor_agrees(e, &r);
	emu_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow_then_bottom),
		cmocka_unit_test(test_grow_shrink),
		cmocka_unit_test(test_restore_after_shrink),
		cmocka_unit_test(test_region_after_shrink),
		cmocka_unit_test(test_resize_in_string),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
