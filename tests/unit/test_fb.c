/*
 * test_fb.c: the framebuffer scrolls by moving rows, keeps wide and
 * combining characters consistent, switches screens, resizes with its
 * content, and its diffs reproduce a screen exactly and reject garbage.
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

static const struct fb_pen plain = { 0, 0, 0 };

/*
 * fb_apply refuses the diff array d as a bad message (a macro, so that a
 * failure names the caller's line).
 */
#define assert_refused(fb, d) \
	assert_int_equal(fb_apply((fb), (d), sizeof (d)), \
	    LN_E_DROP(LN_DROP_MESSAGE))

/* Writes an ASCII string at (x, y) with a pen. */
static void
put_str(struct fb *fb, int x, int y, const char *s, const struct fb_pen *pen)
{
	uint32_t	cp;

	for (; *s != '\0'; s++, x++) {
		cp = (uint8_t)*s;
		fb_put(fb, x, y, &cp, 1, 1, pen);
	}
}

/* Row y as plain text, trailing blanks cut; the caller frees it. */
static char *
row_str(const struct fb *fb, int y)
{
	struct fb_text	t = { NULL, 0, 0 };

	fb_row_text(&t, fb->row[y], 0);
	fb_text_add(&t, "", 0);
	return (t.p);
}

/* Asserts row y reads s. */
static void
assert_row(const struct fb *fb, int y, const char *s)
{
	char	*r = row_str(fb, y);

	assert_string_equal(r, s);
	free(r);
}

/* Collects rows pushed off the top, as scrollback would. */
struct pushed {
	char	*line[16];
	int	 n;
};

static void
push_cb(void *arg, const struct fb_row *r)
{
	struct pushed	*p = arg;
	struct fb_text	 t = { NULL, 0, 0 };

	fb_row_text(&t, r, 0);
	fb_text_add(&t, "", 0);
	if (p->n < 16)
		p->line[p->n++] = t.p;
	else
		free(t.p);
}

/* A full-width scroll rotates row pointers and pushes the top row. */
static void
test_scroll_full(void **state)
{
	struct fb	*fb = fb_new(10, 4);
	struct fb_row	*r1, *r3;
	struct pushed	 p = { { NULL }, 0 };

	put_str(fb, 0, 0, "zero", &plain);
	put_str(fb, 0, 1, "one", &plain);
	put_str(fb, 0, 2, "two", &plain);
	put_str(fb, 0, 3, "three", &plain);
	r1 = fb->row[1];
	r3 = fb->row[3];
	fb_scroll(fb, 0, 4, 0, 10, 1, 0, 0, push_cb, &p);
	assert_ptr_equal(fb->row[0], r1);	/* moved, not copied */
	assert_ptr_equal(fb->row[2], r3);
	assert_row(fb, 0, "one");
	assert_row(fb, 2, "three");
	assert_row(fb, 3, "");
	assert_int_equal(p.n, 1);
	assert_string_equal(p.line[0], "zero");
	free(p.line[0]);

	/* Downward (reverse index): blank at the top, bottom row lost. */
	fb_scroll(fb, 0, 4, 0, 10, -2, 0, 0, NULL, NULL);
	assert_row(fb, 0, "");
	assert_row(fb, 1, "");
	assert_row(fb, 2, "one");
	assert_row(fb, 3, "two");
	fb_free(fb);
}

/* A region scroll leaves rows outside it alone and pushes nothing. */
static void
test_scroll_region(void **state)
{
	struct fb	*fb = fb_new(8, 5);
	struct pushed	 p = { { NULL }, 0 };
	int		 y;
	char		 s[2] = "a";

	for (y = 0; y < 5; y++) {
		s[0] = (char)('a' + y);
		put_str(fb, 0, y, s, &plain);
	}
	fb_scroll(fb, 1, 4, 0, 8, 1, 0, FB_COLOR_IDX(4), push_cb, &p);
	assert_int_equal(p.n, 0);
	assert_row(fb, 0, "a");
	assert_row(fb, 1, "c");
	assert_row(fb, 2, "d");
	assert_row(fb, 3, "");
	assert_int_equal(fb->row[3]->cells[0].bg, FB_COLOR_IDX(4));
	assert_row(fb, 4, "e");

	/* A partial-width rectangle moves cells, not rows. */
	put_str(fb, 0, 1, "cccccccc", &plain);
	put_str(fb, 0, 2, "dddddddd", &plain);
	fb_scroll(fb, 1, 3, 2, 5, 1, 0, 0, NULL, NULL);
	assert_row(fb, 1, "ccdddccc");
	assert_row(fb, 2, "dd   ddd");

	/* Horizontal: delete two characters (content moves left). */
	put_str(fb, 0, 0, "abcdefgh", &plain);
	fb_scroll(fb, 0, 1, 2, 8, 0, 2, 0, NULL, NULL);
	assert_row(fb, 0, "abefgh");
	/* Insert one (content moves right). */
	fb_scroll(fb, 0, 1, 1, 8, 0, -1, 0, NULL, NULL);
	assert_row(fb, 0, "a befgh");
	fb_free(fb);
}

/* A wide character at the last column has no room and is not wide. */
static void
test_wide_last_column(void **state)
{
	struct fb	*fb = fb_new(4, 1);
	uint32_t	 han = 0x4e2d, a = 'a';

	fb_put(fb, 3, 0, &han, 1, 2, &plain);
	assert_false(fb->row[0]->cells[3].attr & FB_WIDE);

	fb_put(fb, 1, 0, &han, 1, 2, &plain);
	assert_true(fb->row[0]->cells[1].attr & FB_WIDE);
	assert_true(fb->row[0]->cells[2].attr & FB_CONT);
	/* Overwriting the second half blanks the first. */
	fb_put(fb, 2, 0, &a, 1, 1, &plain);
	assert_int_equal(fb->row[0]->cells[1].cp, ' ');
	assert_false(fb->row[0]->cells[1].attr & FB_WIDE);
	assert_row(fb, 0, "  a\xe4\xb8\xad");

	/* Deleting a character inside a pair leaves no half. */
	fb_put(fb, 0, 0, &han, 1, 2, &plain);
	fb_scroll(fb, 0, 1, 1, 4, 0, 1, 0, NULL, NULL);
	assert_false(fb->row[0]->cells[0].attr & FB_WIDE);
	assert_int_equal(fb->row[0]->cells[0].cp, ' ');
	fb_free(fb);
}

/* Combining characters stay with their cell through copies and diffs. */
static void
test_combining(void **state)
{
	struct fb	*fb = fb_new(6, 2), *snap, *peer;
	uint32_t	 e[3] = { 'e', 0x301, 0x323 };
	uint8_t		*d;
	size_t		 len;
	int		 i;

	peer = fb_new(6, 2);
	snap = fb_snapshot(fb);
	fb_put(fb, 1, 0, e, 3, 1, &plain);
	assert_row(fb, 0, " e\xcc\x81\xcc\xa3");
	assert_int_equal(fb_diff(snap, fb, &d, &len), 0);
	assert_int_equal(fb_apply(peer, d, len), 0);
	assert_true(fb_equal(peer, fb));
	free(d);
	/* Rewriting the accent in place many times does not grow the pool. */
	for (i = 0; i < 1000; i++)
		fb_put(fb, 1, 0, e, 3, 1, &plain);
	assert_true(fb->row[0]->ncomb <= 6 * (FB_MAX_COMB + 1));
	assert_row(fb, 0, " e\xcc\x81\xcc\xa3");
	fb_free(snap);
	fb_free(peer);
	fb_free(fb);
}

/* The alternate screen starts blank and leaving it restores the primary. */
static void
test_altscreen(void **state)
{
	struct fb	*fb = fb_new(10, 3);

	put_str(fb, 0, 1, "primary", &plain);
	fb_set_altscreen(fb, 1);
	assert_true(fb->modes & FB_MODE_ALTSCREEN);
	assert_row(fb, 1, "");
	put_str(fb, 0, 0, "alt", &plain);
	fb_resize(fb, 12, 3);
	fb_set_altscreen(fb, 0);
	assert_false(fb->modes & FB_MODE_ALTSCREEN);
	assert_row(fb, 1, "primary");
	assert_row(fb, 0, "");
	assert_int_equal(fb->row[1]->cols, 12);
	fb_free(fb);
}

/* Resizing keeps rows from the top and cuts or pads columns. */
static void
test_resize(void **state)
{
	struct fb	*fb = fb_new(10, 3);
	uint32_t	 han = 0x4e2d;

	put_str(fb, 0, 0, "abcdefghij", &plain);
	put_str(fb, 0, 2, "last", &plain);
	fb_put(fb, 4, 1, &han, 1, 2, &plain);
	fb->cursor.x = 9;
	fb->cursor.y = 2;
	fb_resize(fb, 5, 2);
	assert_row(fb, 0, "abcde");
	/* The wide character cut in half at the new edge is blanked. */
	assert_row(fb, 1, "");
	assert_int_equal(fb->cursor.x, 4);
	assert_int_equal(fb->cursor.y, 1);
	fb_resize(fb, 8, 4);
	assert_row(fb, 0, "abcde");
	assert_row(fb, 3, "");
	fb_free(fb);
}

/* A snapshot shares rows; writing the screen copies only that row. */
static void
test_snapshot_cow(void **state)
{
	struct fb	*fb = fb_new(10, 3), *snap;

	put_str(fb, 0, 0, "before", &plain);
	snap = fb_snapshot(fb);
	assert_ptr_equal(snap->row[0], fb->row[0]);
	put_str(fb, 0, 0, "after!", &plain);
	assert_ptr_not_equal(snap->row[0], fb->row[0]);
	assert_ptr_equal(snap->row[1], fb->row[1]);
	assert_row(snap, 0, "before");
	assert_row(fb, 0, "after!");
	fb_free(snap);
	fb_free(fb);
}

static void
rand_pen(struct fb_pen *p)
{
	static const uint32_t colors[] = {
		0, FB_COLOR_IDX(1), FB_COLOR_IDX(12), FB_COLOR_IDX(200),
		FB_COLOR_RGB3(10, 20, 30),
	};

	p->fg = colors[rand() % 5];
	p->bg = colors[rand() % 5];
	p->attr = (uint16_t)(rand() & FB_ATTR_MASK);
}

/* Scribbles on a screen: text, wide, combining, scrolls, erases. */
static void
scribble(struct fb *fb, int n)
{
	struct fb_pen	 pen;
	uint32_t	 cp[3];
	int		 i;

	for (i = 0; i < n; i++) {
		int	 x = rand() % fb->cols, y = rand() % fb->rows;

		rand_pen(&pen);
		switch (rand() % 10) {
		case 0:
			fb_scroll(fb, 0, fb->rows, 0, fb->cols, 1 + rand() % 3,
			    0, pen.bg, NULL, NULL);
			break;
		case 1:
			fb_scroll(fb, y, fb->rows, x, fb->cols, rand() % 3 - 1,
			    rand() % 5 - 2, pen.bg, NULL, NULL);
			break;
		case 2:
			fb_erase(fb, y, y + 1 + rand() % 3, x, x + rand() % 9,
			    pen.bg);
			break;
		case 3:
			cp[0] = 0x4e00 + (uint32_t)(rand() % 100);
			fb_put(fb, x, y, cp, 1, 2, &pen);
			break;
		case 4:
			cp[0] = 'a' + (uint32_t)(rand() % 26);
			cp[1] = 0x300 + (uint32_t)(rand() % 16);
			cp[2] = 0x320;
			fb_put(fb, x, y, cp, 1 + (size_t)(rand() % 3), 1, &pen);
			break;
		case 5:
			fb->row[y] = fb_row_mut(fb, y);
			fb->row[y]->wrapped = !fb->row[y]->wrapped;
			break;
		default:
			cp[0] = 0x21 + (uint32_t)(rand() % 90);
			fb_put(fb, x, y, cp, 1, 1, &pen);
			break;
		}
	}
	fb->cursor.x = rand() % fb->cols;
	fb->cursor.y = rand() % fb->rows;
	fb->modes = (uint32_t)rand() & FB_MODE_MASK;
	fb->cursor.style = rand() % FB_CURSOR_STYLES;
	fb->bells += (uint32_t)(rand() % 2);
	if (rand() % 4 == 0)
		fb_set_title(fb, "title", (size_t)(rand() % 6));
	if (rand() % 8 == 0)
		fb_set_clip(fb, (const uint8_t *)"Y2xpcA==", 8);
}

/* Diffs between random screens applied to a peer reproduce each one. */
static void
test_diff_random(void **state)
{
	struct fb	*fb, *peer, *snap, *prev = NULL;
	uint8_t		*d;
	size_t		 len;
	int		 round;

	srand(1234);
	fb = fb_new(20, 8);
	peer = fb_new(1, 1);
	for (round = 0; round < 300; round++) {
		scribble(fb, rand() % 40);
		if (round % 50 == 25)
			fb_resize(fb, 10 + rand() % 20, 3 + rand() % 10);
		snap = fb_snapshot(fb);
		assert_int_equal(fb_diff(prev, snap, &d, &len), 0);
		assert_int_equal(fb_apply(peer, d, len), 0);
		assert_true(fb_equal(peer, snap));
		free(d);
		fb_free(prev);
		prev = snap;
	}
	/* An unchanged screen diffs to a few bytes. */
	snap = fb_snapshot(fb);
	assert_int_equal(fb_diff(prev, snap, &d, &len), 0);
	assert_true(len < 32);
	free(d);
	fb_free(snap);
	fb_free(prev);
	fb_free(peer);
	fb_free(fb);
}

/* A scroll diffs to row moves plus the one new row. */
static void
test_diff_scroll_small(void **state)
{
	struct fb	*fb = fb_new(80, 24), *snap, *peer;
	uint8_t		*d;
	size_t		 len;
	int		 y;
	char		 s[32];

	for (y = 0; y < 24; y++) {
		snprintf(s, sizeof s, "line %d with some text here", y);
		put_str(fb, 0, y, s, &plain);
	}
	snap = fb_snapshot(fb);
	peer = fb_new(80, 24);
	assert_int_equal(fb_diff(NULL, snap, &d, &len), 0);
	assert_int_equal(fb_apply(peer, d, len), 0);
	free(d);
	fb_scroll(fb, 0, 24, 0, 80, 1, 0, 0, NULL, NULL);
	put_str(fb, 0, 23, "new", &plain);
	assert_int_equal(fb_diff(snap, fb, &d, &len), 0);
	assert_true(len < 24 * 6 + 40);
	assert_int_equal(fb_apply(peer, d, len), 0);
	assert_true(fb_equal(peer, fb));
	free(d);
	fb_free(snap);
	fb_free(peer);
	fb_free(fb);
}

/* What fb_apply may answer to bytes it did not make: applied or dropped. */
static const LargestIntegralType apply_rcs[] = {
	0, (LargestIntegralType)LN_E_DROP(LN_DROP_MESSAGE)
};

/* Applies a damaged diff: it is applied, or refused with fb unchanged. */
static void
apply_or_refuse(struct fb *fb, const uint8_t *p, size_t len)
{
	struct fb	*before = fb_snapshot(fb);
	int		 rc;

	rc = fb_apply(fb, p, len);
	assert_in_set(rc, apply_rcs, 2);
	if (rc != 0)
		assert_true(fb_equal(fb, before));
	fb_free(before);
}

/* Garbage, truncated and out-of-bounds diffs are refused, fb untouched. */
static void
test_diff_garbage(void **state)
{
	struct fb	*fb = fb_new(10, 4), *peer, *copy;
	uint8_t		*d, junk[256];
	size_t		 len, i, cut;
	int		 rc, round;
	/* Hand-built: cols 10, rows 4, row index 9 (outside the screen). */
	static const uint8_t bad_index[] = { 0x08, 0x0a, 0x10, 0x04,
	    0x1a, 0x02, 0x08, 0x09 };
	/* cols 5000: over FB_MAX_COLS. */
	static const uint8_t bad_cols[] = { 0x08, 0x88, 0x27, 0x10, 0x04 };
	/* A run with code point 0x1b (a control). */
	static const uint8_t bad_cp[] = { 0x08, 0x0a, 0x10, 0x04,
	    0x1a, 0x06, 0x22, 0x04, 0x22, 0x02, 0x1b, 0x41 };

	put_str(fb, 0, 0, "hello", &plain);
	peer = fb_new(10, 4);
	copy = fb_snapshot(peer);
	assert_refused(peer, bad_index);
	assert_refused(peer, bad_cols);
	assert_refused(peer, bad_cp);
	assert_true(fb_equal(peer, copy));

	/*
	 * Every truncation and random byte flips: refused (the fb untouched)
	 * or applied, no crash.
	 */
	assert_int_equal(fb_diff(NULL, fb, &d, &len), 0);
	for (cut = 0; cut < len; cut++)
		apply_or_refuse(peer, d, cut);
	srand(99);
	for (round = 0; round < 2000; round++) {
		uint8_t	*m = xmemdup(d, len);

		m[rand() % len] ^= (uint8_t)(1 + rand() % 255);
		apply_or_refuse(peer, m, len);
		free(m);
	}
	for (round = 0; round < 2000; round++) {
		for (i = 0; i < sizeof junk; i++)
			junk[i] = (uint8_t)rand();
		rc = fb_apply(peer, junk, 1 + (size_t)rand() % sizeof junk);
		assert_in_set(rc, apply_rcs, 2);
	}
	free(d);
	fb_free(copy);
	fb_free(peer);
	fb_free(fb);
}


/*
 * The clipboard travels with its generation: a diff carries a payload
 * exactly when its clipgen differs from the base's, as fb_diff makes
 * them. A payload under the base's generation (fuzz-fbapply's find) was
 * accepted and left a screen no diff could reproduce: fb_diff keys the
 * clipboard on clipgen, so it would never send that payload again, and
 * the display, which writes OSC 52 when clipgen moves, never showed it.
 */
static void
test_diff_clip_generation(void **state)
{
	struct fb	*srv = fb_new(10, 4), *peer = fb_new(10, 4), *snap, *copy;
	uint8_t		*d;
	size_t		 len;
	/* cols 10, rows 4, clip_set, clip "A", clipgen 0 (the base's). */
	static const uint8_t same_gen[] = { 0x08, 0x0a, 0x10, 0x04,
	    0x58, 0x01, 0x62, 0x01, 0x41 };
	/* The same with clip "\0", the campaign's input (issue 11). */
	static const uint8_t same_gen_nul[] = { 0x08, 0x0a, 0x10, 0x04,
	    0x58, 0x01, 0x62, 0x01, 0x00 };
	/* cols 10, rows 4, clipgen 1 without the payload. */
	static const uint8_t gen_only[] = { 0x08, 0x0a, 0x10, 0x04,
	    0x68, 0x01 };
	/* cols 10, rows 4, clip_set, clip "A", clipgen 1: well formed. */
	static const uint8_t new_gen[] = { 0x08, 0x0a, 0x10, 0x04,
	    0x58, 0x01, 0x62, 0x01, 0x41, 0x68, 0x01 };

	copy = fb_snapshot(peer);
	assert_refused(peer, same_gen);
	assert_refused(peer, same_gen_nul);
	assert_refused(peer, gen_only);
	assert_true(fb_equal(peer, copy));
	assert_null(peer->clip);
	assert_int_equal(peer->clipgen, 0);

	/* A new generation with its payload applies and survives a diff. */
	assert_int_equal(fb_apply(peer, new_gen, sizeof new_gen), 0);
	assert_int_equal(peer->cliplen, 1);
	assert_memory_equal(peer->clip, "A", 1);
	assert_int_equal(peer->clipgen, 1);
	assert_int_equal(fb_diff(copy, peer, &d, &len), 0);
	assert_int_equal(fb_apply(copy, d, len), 0);
	assert_true(fb_equal(copy, peer));
	free(d);
	fb_free(copy);
	/* From there, the base's generation is 1: "A" again at 1 is refused. */
	copy = fb_snapshot(peer);
	assert_refused(peer, new_gen);
	assert_true(fb_equal(peer, copy));
	fb_free(copy);
	fb_free(peer);

	/*
	 * What an honest server makes always applies: a full screen from
	 * state 0 (the client applies it to a new screen), then the same
	 * payload copied again (a new generation, the same bytes).
	 */
	fb_set_clip(srv, (const uint8_t *)"c;aGk=", 6);
	peer = fb_new(1, 1);
	assert_int_equal(fb_diff(NULL, srv, &d, &len), 0);
	assert_int_equal(fb_apply(peer, d, len), 0);
	free(d);
	assert_true(fb_equal(peer, srv));
	assert_int_equal(peer->clipgen, srv->clipgen);
	snap = fb_snapshot(srv);
	fb_set_clip(srv, (const uint8_t *)"c;aGk=", 6);
	assert_int_equal(fb_diff(snap, srv, &d, &len), 0);
	assert_int_equal(fb_apply(peer, d, len), 0);
	free(d);
	assert_true(fb_equal(peer, srv));
	assert_int_equal(peer->clipgen, 2);
	fb_free(snap);
	fb_free(peer);
	fb_free(srv);
}


/*
 * The cursor's style is DECSCUSR's Ps: 0 to 6 apply and diff back; 7 and
 * more are refused, leaving the screen as it was.
 */
static void
test_diff_cursor_style(void **state)
{
	struct fb	*peer = fb_new(10, 4), *copy;
	uint8_t		*d;
	size_t		 len;
	/* cols 10, rows 4, cursor_style 6. */
	static const uint8_t bar[] = { 0x08, 0x0a, 0x10, 0x04, 0x70, 0x06 };
	/* The same with 7, and with 2^32 - 1. */
	static const uint8_t seven[] = { 0x08, 0x0a, 0x10, 0x04, 0x70, 0x07 };
	static const uint8_t huge[] = { 0x08, 0x0a, 0x10, 0x04, 0x70,
	    0xff, 0xff, 0xff, 0xff, 0x0f };

	copy = fb_snapshot(peer);
	assert_refused(peer, seven);
	assert_refused(peer, huge);
	assert_true(fb_equal(peer, copy));
	assert_int_equal(fb_apply(peer, bar, sizeof bar), 0);
	assert_int_equal(peer->cursor.style, 6);
	assert_false(fb_equal(peer, copy));
	assert_int_equal(fb_diff(copy, peer, &d, &len), 0);
	assert_int_equal(fb_apply(copy, d, len), 0);
	assert_int_equal(copy->cursor.style, 6);
	assert_true(fb_equal(copy, peer));
	free(d);
	fb_free(copy);
	fb_free(peer);
}

/*
 * The same payload copied twice is two screens: the server makes a new
 * state only when fb_equal says the screen changed, and the client
 * writes OSC 52 only when clipgen moves, so a second identical copy that
 * changed nothing else never reached the user's terminal.
 */
static void
test_equal_clipgen(void **state)
{
	struct fb	*fb = fb_new(10, 4), *snap;

	fb_set_clip(fb, (const uint8_t *)"c;aGk=", 6);
	snap = fb_snapshot(fb);
	assert_true(fb_equal(snap, fb));
	fb_set_clip(fb, (const uint8_t *)"c;aGk=", 6);
	assert_false(fb_equal(snap, fb));
	fb_free(snap);
	fb_free(fb);
}

/* Rows render with SGR escapes that set each pen from scratch. */
static void
test_row_sgr(void **state)
{
	struct fb	*fb = fb_new(10, 1);
	struct fb_pen	 red = { FB_COLOR_IDX(1), 0, FB_BOLD };
	struct fb_pen	 rgb = { FB_COLOR_RGB3(1, 2, 3), FB_COLOR_IDX(100), 0 };
	struct fb_text	 t = { NULL, 0, 0 };

	put_str(fb, 0, 0, "ab", &red);
	put_str(fb, 2, 0, "c", &rgb);
	put_str(fb, 3, 0, "d  ", &plain);
	fb_row_text(&t, fb->row[0], 1);
	assert_string_equal(t.p, "\033[0;1;31mab\033[0;38;2;1;2;3;48;5;100mc"
	    "\033[0md");
	free(t.p);
	fb_free(fb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scroll_full),
		cmocka_unit_test(test_scroll_region),
		cmocka_unit_test(test_wide_last_column),
		cmocka_unit_test(test_combining),
		cmocka_unit_test(test_altscreen),
		cmocka_unit_test(test_resize),
		cmocka_unit_test(test_snapshot_cow),
		cmocka_unit_test(test_diff_random),
		cmocka_unit_test(test_diff_scroll_small),
		cmocka_unit_test(test_diff_garbage),
		cmocka_unit_test(test_diff_clip_generation),
		cmocka_unit_test(test_diff_cursor_style),
		cmocka_unit_test(test_equal_clipgen),
		cmocka_unit_test(test_row_sgr),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
