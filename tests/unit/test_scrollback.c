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

/* Line i of the store must read as want. */
static void
assert_line(const struct scrollback *sb, size_t i, int escapes,
    const char *want)
{
	char	*l = line(sb, i, escapes);

	assert_string_equal(l, want);
	free(l);
}

/* Lines come back oldest first; the limit drops the oldest. */
static void
test_order_and_limit(void **state)
{
	struct scrollback	*sb = sb_new(100);
	struct fb_pen		 pen = { 0, 0, 0 };
	struct fb_text		 t = { NULL, 0, 0 };
	char			 s[32];
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
	assert_line(sb, 0, 0, "line 150");
	assert_line(sb, 99, 0, "line 249");
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

	fb_put(fb, 0, 0, cp, 1, 1, &red);
	fb_put(fb, 1, 0, cp, 2, 1, &rgb);
	fb_put(fb, 2, 0, &han, 1, 2, &rgb);
	fb_put(fb, 5, 0, cp, 1, 1, &plain);
	sb_push(sb, fb->row[0]);
	fb_row_text(&want, fb->row[0], 1);
	assert_line(sb, 0, 1, want.p);
	assert_line(sb, 0, 0, "ee\xcc\x81\xe4\xb8\xad e");
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

/* A small deterministic generator, so that a failure can be replayed. */
static uint32_t
rnd(uint64_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return ((uint32_t)(*st >> 32));
}

/*
 * A row of cols with random content: runs of ASCII, wide and combining
 * characters in random pens, trailing blanks with or without a
 * background, sometimes wrapped; or blank.
 */
static struct fb_row *
rndrow(uint64_t *st, int cols)
{
	struct fb	*fb = fb_new(cols, 1);
	struct fb_row	*r;
	struct fb_pen	 pen = { 0, 0, 0 };
	uint32_t	 cp[3];
	int		 x = 0, end = (int)(rnd(st) % (uint32_t)(cols + 1));

	if (rnd(st) % 8 == 0)
		end = 0;
	while (x < end) {
		if (rnd(st) % 4 == 0) {
			pen.fg = rnd(st) % 3 == 0 ? FB_COLOR_DEFAULT :
			    rnd(st) % 2 ? FB_COLOR_IDX(rnd(st) % 256) :
			    FB_COLOR_RGB3(rnd(st) % 256, rnd(st) % 256, 7);
			pen.bg = rnd(st) % 3 ? FB_COLOR_DEFAULT :
			    FB_COLOR_IDX(rnd(st) % 16);
			pen.attr = (uint16_t)(rnd(st) % 3 ? 0 :
			    rnd(st) & FB_ATTR_MASK);
		}
		switch (rnd(st) % 8) {
		case 0:
			cp[0] = 0x4e00 + rnd(st) % 256;
			fb_put(fb, x, 0, cp, 1, 2, &pen);
			x += 2;
			break;
		case 1:
			cp[0] = 'a' + rnd(st) % 26;
			cp[1] = 0x300 + rnd(st) % 16;
			cp[2] = 0x320 + rnd(st) % 16;
			fb_put(fb, x, 0, cp, 1 + rnd(st) % 3, 1, &pen);
			x++;
			break;
		case 2:
			cp[0] = ' ';
			fb_put(fb, x, 0, cp, 1, 1, &pen);
			x++;
			break;
		default:
			cp[0] = 0x21 + rnd(st) % 94;
			fb_put(fb, x, 0, cp, 1, 1, &pen);
			x++;
			break;
		}
	}
	r = fb->row[0];
	r->wrapped = rnd(st) % 4 == 0;
	r->refs++;
	fb_free(fb);
	return (r);
}

/* Line i of two stores reads the same, with and without escapes. */
static void
assert_same_line(const struct scrollback *a, const struct scrollback *b,
    size_t i)
{
	char	*la, *lb;
	int	 esc;

	/* Before the text: a line not yet read is still a row. */
	assert_int_equal(sb_wrapped(a, i), sb_wrapped(b, i));
	for (esc = 0; esc < 2; esc++) {
		la = line(a, i, esc);
		lb = line(b, i, esc);
		assert_string_equal(la, lb);
		free(la);
		free(lb);
	}
}

/* Two stores hold the same lines, numbered the same. */
static void
assert_same_store(const struct scrollback *a, const struct scrollback *b)
{
	size_t	 i;

	assert_int_equal(sb_count(a), sb_count(b));
	assert_int_equal(sb_total(a), sb_total(b));
	for (i = 0; i < sb_count(a); i++)
		assert_same_line(a, b, i);
}

/*
 * The lazy store against the eager encoder it replaced: the same rows
 * pushed into one settled after every push (each line encoded as it
 * arrives, as before) and into one left lazy, read at random in the
 * middle of the bursts (a reader forces only what it reads), settled now
 * and then, at widths that change as a resize changes them. Every line
 * reads the same, numbered the same, at every point compared.
 */
static void
test_lazy_as_eager(void **state)
{
	struct scrollback	*eager = sb_new(300), *lazy = sb_new(300);
	struct fb_row		*r;
	uint64_t		 st = 0x9e3779b97f4a7c15ULL;
	size_t			 n;
	int			 i, cols = 80;

	for (i = 0; i < 20000; i++) {
		if (rnd(&st) % 2000 == 0)
			cols = 1 + (int)(rnd(&st) % 200);
		r = rndrow(&st, cols);
		sb_push(eager, r);
		sb_settle(eager);
		assert_int_equal(sb_pending(eager, NULL), 0);
		sb_push(lazy, r);
		fb_row_unref(r);
		assert_true(sb_pending(lazy, NULL) <= sb_count(lazy));
		if (rnd(&st) % 50 == 0) {
			n = rnd(&st) % sb_count(lazy);
			assert_same_line(eager, lazy, n);
		}
		if (rnd(&st) % 3000 == 0)
			assert_same_store(eager, lazy);
		if (rnd(&st) % 5000 == 0) {
			sb_settle(lazy);
			assert_int_equal(sb_pending(lazy, NULL), 0);
		}
	}
	assert_true(sb_pending(lazy, NULL) > 0);
	assert_same_store(eager, lazy);
	/* Reading encoded every line; reading again gives the same. */
	assert_int_equal(sb_pending(lazy, NULL), 0);
	assert_same_store(eager, lazy);
	sb_free(eager);
	sb_free(lazy);
}

/*
 * A pending line is a copy of the row's cells made when it was pushed:
 * against the screen's own rendering of the row (fb_row_text), taken at
 * the push, under random rows and widths, read before and after
 * settling, with the row written over after each push as the screen
 * reuses it. test_lazy_as_eager
 * compares two stores that both encode from copies; this compares with
 * what does not.
 */
static void
test_copy_as_row_text(void **state)
{
	struct scrollback	*sb = sb_new(300);
	struct fb_row		*r;
	struct fb_text		 want[2][300], got;
	uint64_t		 st = 0x5eed;
	size_t			 n, k;
	int			 i, x, esc, cols = 80;

	memset(want, 0, sizeof want);
	for (i = 0; i < 20000; i++) {
		if (rnd(&st) % 1000 == 0)
			cols = 1 + (int)(rnd(&st) % 200);
		r = rndrow(&st, cols);
		/*
		 * fb_row_text drops trailing blanks whose attributes draw
		 * nothing (bold, italic) where the store keeps them: no such
		 * blanks, so that both end lines at the same cell.
		 */
		for (x = 0; x < r->used; x++) {
			if (r->cells[x].cp == ' ')
				r->cells[x].attr &= (uint16_t)~FB_ATTR_MASK |
				    FB_REVERSE | FB_UNDERLINE_MASK | FB_STRIKE;
		}
		k = (size_t)i % 300;
		for (esc = 0; esc < 2; esc++) {
			want[esc][k].len = 0;
			fb_row_text(&want[esc][k], r, esc);
			fb_text_add(&want[esc][k], "", 1);
		}
		sb_push(sb, r);
		/* The screen reuses the row: the copy must not see it. */
		r->cells[0].cp = 'Z';
		r->cells[0].fg = FB_COLOR_IDX(3);
		r->used = r->cols;
		r->wrapped = !r->wrapped;
		fb_row_unref(r);
		if (rnd(&st) % 4000 == 0)
			sb_settle(sb);
		if (rnd(&st) % 7 != 0)
			continue;
		n = rnd(&st) % sb_count(sb);
		k = (size_t)(sb_total(sb) - sb_count(sb) + n) % 300;
		for (esc = 1; esc >= 0; esc--) {
			memset(&got, 0, sizeof got);
			assert_int_equal(sb_line(sb, n, esc, &got), 0);
			fb_text_add(&got, "", 1);
			assert_string_equal(got.p, want[esc][k].p);
			free(got.p);
		}
	}
	for (k = 0; k < 300; k++) {
		free(want[0][k].p);
		free(want[1][k].p);
	}
	sb_free(sb);
}

/*
 * A flood: lines pushed out of the ring before anyone read them are never
 * encoded; what waits is the ring's own lines, as copies taking a few
 * bytes each. A copy is the line as it was pushed: the row written again
 * afterwards (the screen reuses it) does not change it.
 */
static void
test_flood_never_encoded(void **state)
{
	struct scrollback	*sb = sb_new(100);
	struct fb_row		*r;
	struct fb_pen		 pen = { 0, 0, 0 }, red = { FB_COLOR_IDX(1),
				    0, FB_BOLD };
	char			 s[32];
	size_t			 bytes;
	uint32_t		 cp = 'X';
	int			 i;

	for (i = 0; i < 100000; i++) {
		snprintf(s, sizeof s, "%d", i + 1);
		r = mkrow(80, s, i % 2 ? &red : &pen);
		sb_push(sb, r);
		fb_row_unref(r);
		assert_int_equal(sb_pending(sb, NULL), sb_count(sb));
		(void)sb_pending(sb, &bytes);
		assert_true(bytes <= 256 * 1024);
	}
	assert_int_equal(sb_total(sb), 100000);
	assert_line(sb, 0, 1, "99901");
	assert_line(sb, 1, 1, "\033[0;1;31m99902\033[0m");
	assert_int_equal(sb_pending(sb, NULL), 98);
	/* The screen writes the row again: the line waiting is unchanged. */
	r = mkrow(80, "kept", &pen);
	sb_push(sb, r);
	r->cells[0].cp = cp;
	r->cells[1].fg = FB_COLOR_IDX(2);
	assert_line(sb, 99, 1, "kept");
	fb_row_unref(r);
	r = mkrow(81, "wider", &pen);
	sb_push(sb, r);
	fb_row_unref(r);
	sb_settle(sb);
	assert_int_equal(sb_pending(sb, &bytes), 0);
	assert_int_equal(bytes, 0);
	assert_line(sb, 99, 0, "wider");
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

/*
 * The copies waiting never take more than LN_SB_PENDING_MAX: 1024-column
 * rows into a 10,000-line ring (about 80 MB as copies of their cells) are
 * copied while the bound allows and encoded as they are pushed once it
 * does not, and read as the eager encoder gives them.
 */
static void
test_pending_bounded(void **state)
{
	struct scrollback	*eager = sb_new(10000), *lazy = sb_new(10000);
	struct fb_row		*r;
	uint64_t		 st = 42;
	size_t			 bytes, n, most = 0;
	int			 i, early = 0;

	for (i = 0; i < 12000; i++) {
		r = rndrow(&st, 1024);
		sb_push(eager, r);
		sb_settle(eager);
		sb_push(lazy, r);
		fb_row_unref(r);
		n = sb_pending(lazy, &bytes);
		assert_true(bytes <= LN_SB_PENDING_MAX);
		if (n > most)
			most = n;
		if (n < sb_count(lazy))
			early = 1;
	}
	assert_true(most > 1000);
	assert_true(early);
	assert_int_equal(sb_count(lazy), 10000);
	assert_same_store(eager, lazy);
	sb_free(eager);
	sb_free(lazy);
}

/* Appends a string constant. */
#define ADD(t, s)	fb_text_add((t), (s), sizeof (s) - 1)

/* Feeds a terminal its input one byte at a time. */
static void
feed_bytes(struct emu *e, const char *p, size_t len, int settle)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		emu_input(e, (const uint8_t *)p + i, 1);
		if (settle)
			emu_settle(e);
	}
}

/* What `lnsh capture -a` prints (escapes on or off). */
static char *
capture_all(const struct emu *e, int escapes)
{
	char	*out;
	size_t	 len;

	assert_int_equal(emu_capture(e, -1, escapes, &out, &len), 0);
	return (out);
}

/* Both terminals' `lnsh capture -a`, with escapes and without, agree. */
static void
assert_same_capture(const struct emu *a, const struct emu *b)
{
	char	*ca, *cb;
	int	 esc;

	for (esc = 0; esc < 2; esc++) {
		ca = capture_all(a, esc);
		cb = capture_all(b, esc);
		assert_string_equal(ca, cb);
		free(ca);
		free(cb);
	}
}

/*
 * Through the emulator: the same output into a terminal whose scrollback
 * is settled after every byte (the eager encoder) and into one left lazy,
 * read in the middle of bursts (capture -S, single lines) and resized at
 * the same points (a resize that drops rows pushes them). Captures, line
 * numbers and wrapping agree throughout.
 */
static void
test_emu_lazy_as_eager(void **state)
{
	struct emu	*a = emu_new(60, 10, 200, NULL, NULL);
	struct emu	*b = emu_new(60, 10, 200, NULL, NULL);
	struct fb_text	 t = { NULL, 0, 0 };
	uint64_t	 st = 7;
	char		 s[64], *out;
	size_t		 len, i, n;
	int		 k, j;

	for (k = 0; k < 3000; k++) {
		t.len = 0;
		switch (rnd(&st) % 6) {
		case 0:		/* seq */
			for (j = 0; j < 30; j++) {
				len = (size_t)snprintf(s, sizeof s, "%d\r\n",
				    k * 30 + j);
				fb_text_add(&t, s, len);
			}
			break;
		case 1:		/* colour, wide and combining */
			len = (size_t)snprintf(s, sizeof s,
			    "\033[1;3%um%d \xe4\xb8\xad e\xcc\x81\033[0m"
			    "\033[4%um \033[m\r\n", rnd(&st) % 8, k,
			    rnd(&st) % 8);
			fb_text_add(&t, s, len);
			break;
		case 2:		/* a long line: wraps */
			for (j = 0; j < 150; j++)
				ADD(&t, "x");
			ADD(&t, "\r\n");
			break;
		case 3:		/* a region: lines scroll off no one */
			ADD(&t, "\0337\033[3;6r\033[6;1H\n\n\n\033[r\0338");
			break;
		case 4:		/* the alternate screen: no scrollback */
			ADD(&t, "\033[?1049halt\r\n\n\n\n\n\n\n\n\n\n\n"
			    "\033[?1049l");
			break;
		default:
			ADD(&t, "\033[3S\033[2T.\r\n");
			break;
		}
		feed_bytes(a, t.p, t.len, 1);
		feed_bytes(b, t.p, t.len, 0);
		if (rnd(&st) % 100 == 0) {
			int	cols = 20 + (int)(rnd(&st) % 100);
			int	rows = 3 + (int)(rnd(&st) % 20);

			emu_resize(a, cols, rows);
			emu_settle(a);
			emu_resize(b, cols, rows);
		}
		if (rnd(&st) % 20 == 0) {
			n = sb_count(emu_scrollback(b));
			if (n > 0)
				assert_same_line(emu_scrollback(a),
				    emu_scrollback(b), rnd(&st) % n);
		}
		if (rnd(&st) % 200 == 0) {
			assert_int_equal(emu_capture(b, 5, 1, &out, &len), 0);
			free(out);
		}
		if (rnd(&st) % 500 == 0)
			assert_same_capture(a, b);
	}
	assert_true(emu_pending(b, NULL) > 0);
	assert_int_equal(sb_total(emu_scrollback(a)),
	    sb_total(emu_scrollback(b)));
	for (i = 0; i < sb_count(emu_scrollback(a)); i++)
		assert_int_equal(sb_wrapped(emu_scrollback(a), i),
		    sb_wrapped(emu_scrollback(b), i));
	assert_same_capture(a, b);
	free(t.p);
	emu_free(a);
	emu_free(b);
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
		cmocka_unit_test(test_lazy_as_eager),
		cmocka_unit_test(test_copy_as_row_text),
		cmocka_unit_test(test_flood_never_encoded),
		cmocka_unit_test(test_pending_bounded),
		cmocka_unit_test(test_emu_lazy_as_eager),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
