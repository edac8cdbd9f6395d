/*
 * fb.c: the framebuffer. Rows are reference counted so that a snapshot is a
 * copy of row pointers; the first write to a shared row copies it. Every
 * row tracks how far its non-blank cells reach (used), so that clearing,
 * comparing and encoding a mostly empty row touch only its start: output
 * such as `seq` scrolls millions of short lines through here.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "fb.h"

static const struct fb_cell blank_cell = { ' ', 0, 0, 0, 0 };

/* A row of cols default blank cells, held once. */
struct fb_row *
fb_row_new(int cols)
{
	struct fb_row	*r;
	int		 i;

	r = xmalloc(sizeof *r + (size_t)cols * sizeof r->cells[0]);
	r->refs = 1;
	r->cols = cols;
	r->wrapped = 0;
	r->used = 0;
	r->comb = NULL;
	r->ncomb = r->combcap = 0;
	for (i = 0; i < cols; i++)
		r->cells[i] = blank_cell;
	return (r);
}

/* Drops one reference to a row, freeing it with the last. */
void
fb_row_unref(struct fb_row *r)
{
	if (r == NULL || --r->refs > 0)
		return;
	free(r->comb);
	free(r);
}

/* A private copy of a row, at another width if cols differs. */
struct fb_row *
fb_row_resized(const struct fb_row *src, int cols)
{
	struct fb_row	*r;
	int		 n;

	r = fb_row_new(cols);
	n = src->cols < cols ? src->cols : cols;
	memcpy(r->cells, src->cells, (size_t)n * sizeof r->cells[0]);
	r->wrapped = src->wrapped;
	r->used = src->used < cols ? src->used : cols;
	if (src->ncomb > 0) {
		r->comb = xmemdup(src->comb, src->ncomb * sizeof r->comb[0]);
		r->ncomb = r->combcap = src->ncomb;
	}
	/* A wide character cut in half at the new edge is blanked. */
	if (cols < src->cols && cols > 0 && (r->cells[cols - 1].attr & FB_WIDE))
		r->cells[cols - 1] = blank_cell;
	return (r);
}

/* Row y, made private to this screen so that it may be written. */
struct fb_row *
fb_row_mut(struct fb *fb, int y)
{
	struct fb_row	*r = fb->row[y];

	if (r->refs > 1) {
		r->refs--;
		r = fb->row[y] = fb_row_resized(r, r->cols);
	}
	return (r);
}

/* The combining characters of a cell, 0-terminated, or NULL. */
const uint32_t *
fb_cell_comb(const struct fb_row *r, const struct fb_cell *c)
{
	if (c->comb == 0 || c->comb > r->ncomb)
		return (NULL);
	return (&r->comb[c->comb - 1]);
}

/*
 * Rebuilds a row's combining pool from the cells that still use it, so
 * that a program rewriting accents in place cannot grow it without bound.
 */
static void
fb_row_comb_compact(struct fb_row *r)
{
	uint32_t	*old = r->comb, *pool;
	uint16_t	 n = 0, k;
	int		 x;

	pool = xreallocarray(NULL, r->combcap ? r->combcap : 1, sizeof *pool);
	for (x = 0; x < r->cols; x++) {
		struct fb_cell	*c = &r->cells[x];

		if (c->comb == 0)
			continue;
		k = c->comb - 1;
		c->comb = n + 1;
		while (old[k] != 0)
			pool[n++] = old[k++];
		pool[n++] = 0;
	}
	free(old);
	r->comb = pool;
	r->ncomb = n;
}

/* Stores up to FB_MAX_COMB combining characters; returns the cell's index. */
static uint16_t
fb_row_comb_add(struct fb_row *r, const uint32_t *cp, size_t n)
{
	size_t	 need, limit, i;
	uint16_t at;

	if (n > FB_MAX_COMB)
		n = FB_MAX_COMB;
	need = r->ncomb + n + 1;
	limit = (size_t)r->cols * (FB_MAX_COMB + 1);
	if (need > limit && r->ncomb > 0) {
		fb_row_comb_compact(r);
		need = r->ncomb + n + 1;
	}
	if (need > r->combcap) {
		size_t	cap = r->combcap ? (size_t)r->combcap * 2 : 16;

		while (cap < need)
			cap *= 2;
		if (cap > 65535)
			cap = 65535;
		if (cap < need)
			return (0);
		r->comb = xreallocarray(r->comb, cap, sizeof r->comb[0]);
		r->combcap = (uint16_t)cap;
	}
	at = r->ncomb;
	for (i = 0; i < n; i++)
		r->comb[r->ncomb++] = cp[i];
	r->comb[r->ncomb++] = 0;
	return (at + 1);
}

/* Gives cell x of a private row these combining characters. */
void
fb_row_set_comb(struct fb_row *r, int x, const uint32_t *cp, size_t n)
{
	if (x < 0 || x >= r->cols)
		return;
	r->cells[x].comb = 0;
	if (n > 0)
		r->cells[x].comb = fb_row_comb_add(r, cp, n);
}

/* Turns a cell into a blank, keeping its colours (half of a split pair). */
static void
fb_cell_unpair(struct fb_cell *c)
{
	c->cp = ' ';
	c->attr &= ~(FB_WIDE | FB_CONT);
	c->comb = 0;
}

/*
 * Restores the pairing invariant on cells [x0, x1): a continuation cell
 * always follows a wide cell and a wide cell is always followed by one.
 */
static void
fb_row_fix_pairs(struct fb_row *r, int x0, int x1)
{
	int	 x;

	if (x0 < 0)
		x0 = 0;
	if (x1 > r->cols)
		x1 = r->cols;
	for (x = x0; x < x1; x++) {
		struct fb_cell	*c = &r->cells[x];

		if ((c->attr & FB_CONT) &&
		    (x == 0 || !(r->cells[x - 1].attr & FB_WIDE)))
			fb_cell_unpair(c);
		else if ((c->attr & FB_WIDE) &&
		    (x + 1 >= r->cols || !(r->cells[x + 1].attr & FB_CONT)))
			fb_cell_unpair(c);
	}
}

/* Blanks cells [x0, x1) of a private row with background bg. */
void
fb_row_clear(struct fb_row *r, int x0, int x1, uint32_t bg)
{
	struct fb_cell	 b = blank_cell;
	int		 x, end;

	if (x0 < 0)
		x0 = 0;
	if (x1 > r->cols)
		x1 = r->cols;
	if (x0 >= x1)
		return;
	b.bg = bg;
	if (x0 == 0 && x1 == r->cols) {
		/*
		 * The whole row, as for every line scrolled in: no pair can
		 * be cut, and past used the cells are default blanks.
		 */
		end = bg == FB_COLOR_DEFAULT ? r->used : r->cols;
		for (x = 0; x < end; x++)
			r->cells[x] = b;
		r->used = bg == FB_COLOR_DEFAULT ? 0 : r->cols;
		r->ncomb = 0;
		r->wrapped = 0;
		return;
	}
	/* Past used every cell is already a default blank. */
	end = (bg == FB_COLOR_DEFAULT && x1 > r->used) ? r->used : x1;
	for (x = x0; x < end; x++)
		r->cells[x] = b;
	if (bg != FB_COLOR_DEFAULT) {
		if (x1 > r->used)
			r->used = x1;
	} else if (x1 >= r->used && x0 < r->used)
		r->used = x0;
	if (x0 == 0 && x1 == r->cols) {
		r->ncomb = 0;
		r->wrapped = 0;
	}
	fb_row_fix_pairs(r, x0 - 1, x0 + 1);
	fb_row_fix_pairs(r, x1 - 1, x1 + 1);
}

/* A screen of blank rows. */
struct fb *
fb_new(int cols, int rows)
{
	struct fb	*fb;
	int		 y;

	fb = xcalloc(1, sizeof *fb);
	fb->cols = cols;
	fb->rows = rows;
	fb->row = xreallocarray(NULL, (size_t)rows, sizeof *fb->row);
	for (y = 0; y < rows; y++)
		fb->row[y] = fb_row_new(cols);
	fb->cursor.visible = 1;
	fb->title = xstrdup("");
	return (fb);
}

/* Drops every reference held by an array of rows, and the array. */
static void
fb_rows_free(struct fb_row **row, int rows)
{
	int	 y;

	if (row == NULL)
		return;
	for (y = 0; y < rows; y++)
		fb_row_unref(row[y]);
	free(row);
}

/* Frees a screen or a snapshot. */
void
fb_free(struct fb *fb)
{
	if (fb == NULL)
		return;
	fb_rows_free(fb->row, fb->rows);
	fb_rows_free(fb->saved, fb->rows);
	free(fb->title);
	free(fb->clip);
	free(fb);
}

/* A frozen copy of what a screen shows, sharing its rows: O(rows). */
struct fb *
fb_snapshot(const struct fb *src)
{
	struct fb	*fb;
	int		 y;

	fb = xmalloc(sizeof *fb);
	*fb = *src;
	fb->row = xreallocarray(NULL, (size_t)src->rows, sizeof *fb->row);
	for (y = 0; y < src->rows; y++) {
		fb->row[y] = src->row[y];
		fb->row[y]->refs++;
	}
	fb->saved = NULL;
	fb->title = xstrdup(src->title);
	fb->clip = src->clip ? xmemdup(src->clip, src->cliplen) : NULL;
	return (fb);
}

/* Resizes an array of rows: rows kept from the top, blanks added below. */
static struct fb_row **
fb_rows_resize(struct fb_row **old, int ocols, int orows, int cols, int rows)
{
	struct fb_row	**row;
	int		  y;

	row = xreallocarray(NULL, (size_t)rows, sizeof *row);
	for (y = 0; y < rows; y++) {
		if (y >= orows)
			row[y] = fb_row_new(cols);
		else if (cols == ocols) {
			row[y] = old[y];
			old[y] = NULL;
		} else
			row[y] = fb_row_resized(old[y], cols);
	}
	fb_rows_free(old, orows);
	return (row);
}

/*
 * Changes the size. Rows are kept from the top and cut or added at the
 * bottom; the emulator scrolls first if it wants to keep the cursor's row.
 */
void
fb_resize(struct fb *fb, int cols, int rows)
{
	if (cols < 1)
		cols = 1;
	if (rows < 1)
		rows = 1;
	if (cols == fb->cols && rows == fb->rows)
		return;
	fb->row = fb_rows_resize(fb->row, fb->cols, fb->rows, cols, rows);
	if (fb->saved != NULL)
		fb->saved = fb_rows_resize(fb->saved, fb->cols, fb->rows, cols,
		    rows);
	fb->cols = cols;
	fb->rows = rows;
	if (fb->cursor.x >= cols)
		fb->cursor.x = cols - 1;
	if (fb->cursor.y >= rows)
		fb->cursor.y = rows - 1;
}

/*
 * Writes one character at (x, y): cp[0] and n - 1 combining characters,
 * width 1 or 2. This is the per-character path: no allocation unless the
 * row is shared or the character combines.
 */
void
fb_put(struct fb *fb, int x, int y, const uint32_t *cp, size_t n, int width,
    const struct fb_pen *pen)
{
	struct fb_row	*r;
	struct fb_cell	*c;

	if (y < 0 || y >= fb->rows || x < 0 || x >= fb->cols || n == 0)
		return;
	r = fb->row[y];
	if (r->refs > 1)
		r = fb_row_mut(fb, y);
	c = &r->cells[x];
	/* Overwriting half of a wide character blanks the other half. */
	if ((c->attr & FB_CONT) && x > 0)
		fb_cell_unpair(&r->cells[x - 1]);
	if ((c->attr & FB_WIDE) && x + 1 < r->cols)
		fb_cell_unpair(&r->cells[x + 1]);
	c->cp = cp[0];
	c->fg = pen->fg;
	c->bg = pen->bg;
	c->attr = pen->attr & FB_ATTR_MASK;
	c->comb = n > 1 ? fb_row_comb_add(r, cp + 1, n - 1) : 0;
	if (width == 2 && x + 1 < r->cols) {
		struct fb_cell	*d = &r->cells[x + 1];

		if ((d->attr & FB_WIDE) && x + 2 < r->cols)
			fb_cell_unpair(&r->cells[x + 2]);
		c->attr |= FB_WIDE;
		d->cp = 0;
		d->fg = pen->fg;
		d->bg = pen->bg;
		d->attr = c->attr ^ (FB_WIDE | FB_CONT);
		d->comb = 0;
		x++;
	}
	if (x + 1 > r->used)
		r->used = x + 1;
}

/*
 * fb_put of one narrow character, out of line: fb_put1's caller then
 * needs no stack slot for the character on its fast path.
 */
void
fb_put_cp(struct fb *fb, int x, int y, uint32_t cp, const struct fb_pen *pen)
{
	fb_put(fb, x, y, &cp, 1, 1, pen);
}

/* Blanks the rectangle of rows [y0, y1) and columns [x0, x1). */
void
fb_erase(struct fb *fb, int y0, int y1, int x0, int x1, uint32_t bg)
{
	int	 y;

	if (y0 < 0)
		y0 = 0;
	if (y1 > fb->rows)
		y1 = fb->rows;
	for (y = y0; y < y1; y++) {
		struct fb_row	*r = fb->row[y];

		if (r->used == 0 && bg == FB_COLOR_DEFAULT && !r->wrapped)
			continue;
		if (r->refs > 1 && x0 <= 0 && x1 >= fb->cols) {
			/* A whole shared row: a fresh one beats a copy. */
			fb_row_unref(r);
			r = fb->row[y] = fb_row_new(fb->cols);
		} else
			r = fb_row_mut(fb, y);
		fb_row_clear(r, x0, x1, bg);
	}
}

/* Copies one cell between rows, its combining characters included. */
static void
fb_cell_copy(struct fb_row *dst, int dx, const struct fb_row *src, int sx)
{
	const uint32_t	*comb;
	size_t		 n = 0;

	dst->cells[dx] = src->cells[sx];
	if ((comb = fb_cell_comb(src, &src->cells[sx])) != NULL) {
		while (comb[n] != 0)
			n++;
		dst->cells[dx].comb = fb_row_comb_add(dst, comb, n);
	}
}

/* Moves cells of rows [y0, y1), columns [x0, x1) left by n (right if <0). */
static void
fb_scroll_cols(struct fb *fb, int y0, int y1, int x0, int x1, int n,
    uint32_t bg)
{
	int	 y, w = x1 - x0;

	for (y = y0; y < y1; y++) {
		struct fb_row	*r = fb_row_mut(fb, y);

		/* used stays an upper bound: content may move up to x1. */
		if (r->used > x0 && r->used < x1)
			r->used = x1;
		if (n > 0 && n < w) {
			memmove(&r->cells[x0], &r->cells[x0 + n],
			    (size_t)(w - n) * sizeof r->cells[0]);
			fb_row_clear(r, x1 - n, x1, bg);
		} else if (n < 0 && -n < w) {
			memmove(&r->cells[x0 - n], &r->cells[x0],
			    (size_t)(w + n) * sizeof r->cells[0]);
			fb_row_clear(r, x0, x0 - n, bg);
		} else
			fb_row_clear(r, x0, x1, bg);
		fb_row_fix_pairs(r, x0 - 1, x1 + 1);
	}
}

/* Moves the cells of columns [x0, x1) of row sy into row dy. */
static void
fb_move_cells(struct fb *fb, int dy, int sy, int x0, int x1)
{
	struct fb_row	*d = fb_row_mut(fb, dy);
	struct fb_row	*s = fb->row[sy];
	int		 x, su;

	for (x = x0; x < x1; x++)
		fb_cell_copy(d, x, s, x);
	su = s->used < x1 ? s->used : x1;
	if (su > d->used)
		d->used = su;
	fb_row_fix_pairs(d, x0 - 1, x0 + 1);
	fb_row_fix_pairs(d, x1 - 1, x1 + 1);
}

/*
 * Scrolls the rectangle rows [y0, y1), columns [x0, x1) up by down rows
 * (down if negative) and left by right columns (right if negative), as
 * libvterm's scrollrect means it; what is uncovered is blanked with bg.
 * Full-width vertical scrolls rotate row pointers; rows leaving the top of
 * a region starting at row 0 are handed to push first (scrollback).
 */
void
fb_scroll(struct fb *fb, int y0, int y1, int x0, int x1, int down, int right,
    uint32_t bg, void (*push)(void *, const struct fb_row *), void *arg)
{
	struct fb_row	*tmp[FB_MAX_ROWS], **held = tmp;
	int		 h, n, y, i;

	if (y0 < 0)
		y0 = 0;
	if (y1 > fb->rows)
		y1 = fb->rows;
	if (x0 < 0)
		x0 = 0;
	if (x1 > fb->cols)
		x1 = fb->cols;
	if (y0 >= y1 || x0 >= x1)
		return;
	h = y1 - y0;
	if (down == 1 && right == 0 && x0 == 0 && x1 == fb->cols) {
		/* A line feed at the bottom: the common case, kept short. */
		struct fb_row	*r = fb->row[y0];

		if (push != NULL && y0 == 0)
			push(arg, r);
		memmove(&fb->row[y0], &fb->row[y0 + 1],
		    (size_t)(h - 1) * sizeof fb->row[0]);
		fb->row[y1 - 1] = r;
		fb_erase(fb, y1 - 1, y1, 0, fb->cols, bg);
		return;
	}
	if (right != 0)
		fb_scroll_cols(fb, y0, y1, x0, x1, right, bg);
	if (down == 0)
		return;
	n = down > 0 ? down : -down;
	if (n > h)
		n = h;
	if (x0 != 0 || x1 != fb->cols) {
		if (down > 0) {
			for (y = y0; y < y1 - n; y++)
				fb_move_cells(fb, y, y + n, x0, x1);
			fb_erase(fb, y1 - n, y1, x0, x1, bg);
		} else {
			for (y = y1 - 1; y >= y0 + n; y--)
				fb_move_cells(fb, y, y - n, x0, x1);
			fb_erase(fb, y0, y0 + n, x0, x1, bg);
		}
		return;
	}
	if (n > FB_MAX_ROWS)
		held = xreallocarray(NULL, (size_t)n, sizeof *held);
	if (down > 0) {
		for (i = 0; i < n; i++) {
			if (push != NULL && y0 == 0)
				push(arg, fb->row[i]);
			held[i] = fb->row[y0 + i];
		}
		memmove(&fb->row[y0], &fb->row[y0 + n],
		    (size_t)(h - n) * sizeof fb->row[0]);
		memcpy(&fb->row[y1 - n], held, (size_t)n * sizeof held[0]);
		fb_erase(fb, y1 - n, y1, 0, fb->cols, bg);
	} else {
		memcpy(held, &fb->row[y1 - n], (size_t)n * sizeof held[0]);
		memmove(&fb->row[y0 + n], &fb->row[y0],
		    (size_t)(h - n) * sizeof fb->row[0]);
		memcpy(&fb->row[y0], held, (size_t)n * sizeof held[0]);
		fb_erase(fb, y0, y0 + n, 0, fb->cols, bg);
	}
	if (held != tmp)
		free(held);
}

/* Shows the alternate screen (blank) or goes back to the primary one. */
void
fb_set_altscreen(struct fb *fb, int on)
{
	struct fb_row	**row;
	int		  y;

	if (on && fb->saved == NULL) {
		row = xreallocarray(NULL, (size_t)fb->rows, sizeof *row);
		for (y = 0; y < fb->rows; y++)
			row[y] = fb_row_new(fb->cols);
		fb->saved = fb->row;
		fb->row = row;
		fb->modes |= FB_MODE_ALTSCREEN;
	} else if (!on && fb->saved != NULL) {
		fb_rows_free(fb->row, fb->rows);
		fb->row = fb->saved;
		fb->saved = NULL;
		fb->modes &= ~FB_MODE_ALTSCREEN;
	}
}

/* Sets the window title (not NUL-terminated input; cut at FB_MAX_TITLE). */
void
fb_set_title(struct fb *fb, const char *s, size_t len)
{
	if (len > FB_MAX_TITLE)
		len = FB_MAX_TITLE;
	free(fb->title);
	fb->title = xmalloc(len + 1);
	if (len > 0)
		memcpy(fb->title, s, len);
	fb->title[len] = '\0';
}

/* Keeps the last OSC 52 clipboard payload for the client. */
void
fb_set_clip(struct fb *fb, const uint8_t *p, size_t len)
{
	if (len > FB_MAX_CLIPBOARD)
		len = FB_MAX_CLIPBOARD;
	free(fb->clip);
	fb->clip = len > 0 ? xmemdup(p, len) : NULL;
	fb->cliplen = len;
	fb->clipgen++;
}

/* Whether column x looks the same in two rows, combining characters too. */
int
fb_cell_equal(const struct fb_row *ra, const struct fb_row *rb, int x)
{
	const struct fb_cell	*a = &ra->cells[x], *b = &rb->cells[x];
	const uint32_t		*ca, *cb;

	if (a->cp != b->cp || a->fg != b->fg || a->bg != b->bg ||
	    a->attr != b->attr)
		return (0);
	ca = fb_cell_comb(ra, a);
	cb = fb_cell_comb(rb, b);
	if (ca == NULL || cb == NULL)
		return (ca == cb);
	while (*ca != 0 && *ca == *cb) {
		ca++;
		cb++;
	}
	return (*ca == *cb);
}

/* Whether two rows have the same content. */
int
fb_row_equal(const struct fb_row *a, const struct fb_row *b)
{
	int	 x, n;

	if (a == b)
		return (1);
	if (a->cols != b->cols || a->wrapped != b->wrapped)
		return (0);
	n = a->used > b->used ? a->used : b->used;
	for (x = 0; x < n; x++) {
		if (!fb_cell_equal(a, b, x))
			return (0);
	}
	return (1);
}

/*
 * Whether two screens show exactly the same thing. Bells and clipboard
 * generations count: the server makes a new state only when this says
 * the screen changed, and the client rings or writes OSC 52 when they
 * move, so the same payload copied twice is a change.
 */
int
fb_equal(const struct fb *a, const struct fb *b)
{
	int	 y;

	if (a->cols != b->cols || a->rows != b->rows ||
	    a->cursor.x != b->cursor.x || a->cursor.y != b->cursor.y ||
	    a->cursor.visible != b->cursor.visible ||
	    a->cursor.style != b->cursor.style || a->modes != b->modes ||
	    a->bells != b->bells || strcmp(a->title, b->title) != 0 ||
	    a->clipgen != b->clipgen || a->cliplen != b->cliplen ||
	    (a->cliplen > 0 && memcmp(a->clip, b->clip, a->cliplen) != 0))
		return (0);
	for (y = 0; y < a->rows; y++) {
		if (!fb_row_equal(a->row[y], b->row[y]))
			return (0);
	}
	return (1);
}

/* Appends bytes to a text being built. */
void
fb_text_add(struct fb_text *t, const void *p, size_t len)
{
	if (t->len + len + 1 > t->cap) {
		size_t	cap = t->cap ? t->cap : 256;

		while (cap < t->len + len + 1)
			cap *= 2;
		t->p = xreallocarray(t->p, cap, 1);
		t->cap = cap;
	}
	if (len > 0)
		memcpy(t->p + t->len, p, len);
	t->len += len;
	t->p[t->len] = '\0';
}

/* Appends one character as UTF-8 (invalid ones as U+FFFD). */
void
fb_text_utf8(struct fb_text *t, uint32_t cp)
{
	uint8_t	 b[4];
	size_t	 n;

	if (cp > FB_MAX_CP || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		b[0] = (uint8_t)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xc0 | cp >> 6);
		b[1] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (uint8_t)(0xe0 | cp >> 12);
		b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (uint8_t)(0xf0 | cp >> 18);
		b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 4;
	}
	fb_text_add(t, b, n);
}

/* Appends the SGR parameters selecting colour c (base 30 or 40). */
static int
fb_sgr_color(char *s, size_t len, uint32_t c, int base)
{
	unsigned	i = c & 0xff;

	switch (FB_COLOR_TYPE(c)) {
	case FB_COLOR_PALETTE:
		if (i < 8)
			return (snprintf(s, len, ";%u", base + i));
		if (i < 16)
			return (snprintf(s, len, ";%u", base + 60 + i - 8));
		return (snprintf(s, len, ";%d;5;%u", base + 8, i));
	case FB_COLOR_RGB:
		return (snprintf(s, len, ";%d;2;%u;%u;%u", base + 8,
		    (c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff));
	}
	return (0);
}

/* Appends an SGR sequence that sets exactly this pen from any state. */
void
fb_text_sgr(struct fb_text *t, const struct fb_pen *p)
{
	static const struct { uint16_t bit; const char *s; } a[] = {
		{ FB_BOLD, ";1" }, { FB_FAINT, ";2" }, { FB_ITALIC, ";3" },
		{ FB_BLINK, ";5" }, { FB_REVERSE, ";7" }, { FB_CONCEAL, ";8" },
		{ FB_STRIKE, ";9" },
	};
	static const char *ul[] = { "", ";4", ";4:2", ";4:3" };
	char	 s[96];
	size_t	 n, i;

	n = (size_t)snprintf(s, sizeof s, "\033[0");
	for (i = 0; i < sizeof a / sizeof a[0]; i++) {
		if (p->attr & a[i].bit)
			n += (size_t)snprintf(s + n, sizeof s - n, "%s",
			    a[i].s);
	}
	n += (size_t)snprintf(s + n, sizeof s - n, "%s",
	    ul[(p->attr & FB_UNDERLINE_MASK) >> FB_UNDERLINE_SHIFT]);
	n += (size_t)fb_sgr_color(s + n, sizeof s - n, p->fg, 30);
	n += (size_t)fb_sgr_color(s + n, sizeof s - n, p->bg, 40);
	n += (size_t)snprintf(s + n, sizeof s - n, "m");
	fb_text_add(t, s, n);
}

/* Cuts a text back to len bytes. */
void
fb_text_trim(struct fb_text *t, size_t len)
{
	if (len < t->len) {
		t->len = len;
		t->p[len] = '\0';
	}
}

/*
 * Appends a row as text (escapes 0) or with SGR escapes (1), without its
 * trailing blanks and without a newline.
 */
void
fb_row_text(struct fb_text *t, const struct fb_row *r, int escapes)
{
	struct fb_pen	 pen = { 0, 0, 0 };
	const uint32_t	*comb;
	size_t		 keep = t->len;
	int		 x, pen_set = 0;

	for (x = 0; x < r->used; x++) {
		const struct fb_cell	*c = &r->cells[x];
		uint16_t		 attr = c->attr & FB_ATTR_MASK;

		if (c->attr & FB_CONT)
			continue;
		if (escapes && (c->fg != pen.fg || c->bg != pen.bg ||
		    attr != pen.attr)) {
			pen.fg = c->fg;
			pen.bg = c->bg;
			pen.attr = attr;
			fb_text_sgr(t, &pen);
		}
		fb_text_utf8(t, c->cp);
		if ((comb = fb_cell_comb(r, c)) != NULL) {
			while (*comb != 0)
				fb_text_utf8(t, *comb++);
		}
		/* A blank is trailing unless something visible follows. */
		if (c->cp != ' ' || (escapes && (pen.bg != 0 || (pen.attr &
		    (FB_REVERSE | FB_UNDERLINE_MASK | FB_STRIKE))))) {
			keep = t->len;
			pen_set = pen.fg != 0 || pen.bg != 0 || pen.attr != 0;
		}
	}
	fb_text_trim(t, keep);
	if (escapes && pen_set)
		fb_text_add(t, "\033[0m", 4);
}
