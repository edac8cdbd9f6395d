/*
 * scrollback.c: lines that scrolled off the top of the primary screen.
 * A line is kept as its UTF-8 text plus the points where the pen changes,
 * not as cells: an 80-column coloured line takes ~100-200 bytes instead of
 * 1280. The store is a ring bounded by a line count; the oldest line goes
 * first, and its buffer is reused for the newest.
 *
 * A stored line: flags (1 byte: wrapped), varint text length, the text,
 * then runs until the end: varint byte offset from the previous run,
 * varint attributes, varint fg, varint bg (colour codes: 0 default,
 * 1 + index, 257 + rgb). Text before the first run has the default pen.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "fb.h"
#include "holder.h"

struct sb_line {
	uint8_t		*data;
	uint32_t	 len;
};

struct scrollback {
	struct sb_line	*ring;
	size_t		 cap;		/* slots allocated, <= limit */
	size_t		 limit;
	size_t		 start;		/* oldest */
	size_t		 count;
	uint64_t	 total;		/* lines ever pushed */
	struct fb_text	 scratch;
};

/*
 * An empty store keeping at most limit lines. 0 keeps none, as tmux's
 * history-limit 0: lines that leave the screen are counted, not stored.
 */
struct scrollback *
sb_new(size_t limit)
{
	struct scrollback	*sb;

	sb = xcalloc(1, sizeof *sb);
	sb->limit = limit;
	return (sb);
}

/* Frees the store and every line. */
void
sb_free(struct scrollback *sb)
{
	size_t	 i;

	if (sb == NULL)
		return;
	for (i = 0; i < sb->cap; i++)
		free(sb->ring[i].data);
	free(sb->ring);
	free(sb->scratch.p);
	free(sb);
}

/* Lines held now. */
size_t
sb_count(const struct scrollback *sb)
{
	return (sb->count);
}

/* Lines ever pushed: a reader can tell how many it missed. */
uint64_t
sb_total(const struct scrollback *sb)
{
	return (sb->total);
}

/* Writes an unsigned LEB128 varint at p; returns its length. */
static size_t
sb_put_varint(uint8_t *p, uint32_t v)
{
	size_t	 n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return (n);
}

/* Writes a character as UTF-8 at p; returns its length. */
static size_t
sb_put_utf8(uint8_t *p, uint32_t cp)
{
	if (cp < 0x80) {
		p[0] = (uint8_t)cp;
		return (1);
	}
	if (cp > FB_MAX_CP || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x800) {
		p[0] = (uint8_t)(0xc0 | cp >> 6);
		p[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return (2);
	}
	if (cp < 0x10000) {
		p[0] = (uint8_t)(0xe0 | cp >> 12);
		p[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		p[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return (3);
	}
	p[0] = (uint8_t)(0xf0 | cp >> 18);
	p[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
	p[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
	p[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return (4);
}

/* Reads a varint through the bounded buffer. */
static int
sb_get_varint(struct buf *b, uint32_t *v)
{
	uint32_t	x = 0;
	uint8_t		c;
	int		shift;

	for (shift = 0; shift < 35; shift += 7) {
		if (buf_get_u8(b, &c) != 0)
			return (-1);
		x |= (uint32_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return (0);
		}
	}
	return (-1);
}

/* A colour as a small code: 0 default, 1 + index, 257 + rgb. */
static uint32_t
sb_color_code(uint32_t c)
{
	switch (FB_COLOR_TYPE(c)) {
	case FB_COLOR_PALETTE:
		return (1 + (c & 0xff));
	case FB_COLOR_RGB:
		return (257 + (c & 0xffffff));
	}
	return (0);
}

/* The colour a code stands for. */
static uint32_t
sb_color_decode(uint32_t v)
{
	if (v == 0)
		return (FB_COLOR_DEFAULT);
	if (v <= 256)
		return (FB_COLOR_IDX(v - 1));
	return (FB_COLOR_RGB | ((v - 257) & 0xffffff));
}

/*
 * The fg, bg and attr + comb words of a cell in this pen without
 * combining characters, laid out as struct fb_cell lays them out.
 */
static void
sb_pen_words(const struct fb_pen *pen, uint64_t *w8, uint32_t *w4)
{
	struct fb_cell	 c;

	c.cp = 0;
	c.fg = pen->fg;
	c.bg = pen->bg;
	c.attr = pen->attr;
	c.comb = 0;
	memcpy(w8, (const char *)&c + offsetof(struct fb_cell, fg), 8);
	memcpy(w4, (const char *)&c + offsetof(struct fb_cell, attr), 4);
}

/*
 * Encodes a row into the scratch buffer. This runs for every line that
 * scrolls off (millions for `seq`), so it writes into storage sized once
 * for the worst case instead of appending piece by piece.
 */
static void
sb_encode(struct scrollback *sb, const struct fb_row *r)
{
	struct fb_text	*t = &sb->scratch;
	struct fb_pen	 pen = { 0, 0, 0 };
	const uint32_t	*comb;
	uint8_t		*p, *runs, *rp;
	size_t		 n, last = 0, worst;
	int		 x, end = r->used;
	uint32_t	 v, w4, pen4;
	uint64_t	 w8, pen8;

	while (end > 0) {
		const struct fb_cell *c = &r->cells[end - 1];

		if (c->cp != ' ' || c->bg != 0 || c->attr != 0)
			break;
		end--;
	}
	/* Per cell: 4 bytes for it, 4 per combining one, 20 for a run. */
	worst = 6 + (size_t)end * (4 * (1 + FB_MAX_COMB) + 20);
	if (t->cap < 2 * worst) {
		t->cap = 2 * worst;
		t->p = xreallocarray(t->p, t->cap, 1);
	}
	p = (uint8_t *)t->p;
	runs = rp = p + worst;
	p[0] = r->wrapped ? 1 : 0;
	n = 6;
	sb_pen_words(&pen, &pen8, &pen4);
	for (x = 0; x < end; x++) {
		const struct fb_cell	*c = &r->cells[x];
		uint16_t		 attr = c->attr & FB_ATTR_MASK;

		/*
		 * Most cells: ASCII without combining characters, in the pen
		 * of the one before. fg, bg, attr and comb are compared as
		 * two words against the same fields of a model cell.
		 */
		memcpy(&w8, (const char *)c + offsetof(struct fb_cell, fg),
		    sizeof w8);
		memcpy(&w4, (const char *)c + offsetof(struct fb_cell, attr),
		    sizeof w4);
		if (c->cp < 0x80 && w8 == pen8 && w4 == pen4) {
			p[n++] = (uint8_t)c->cp;
			continue;
		}
		if (c->attr & FB_CONT)
			continue;
		if (c->fg != pen.fg || c->bg != pen.bg || attr != pen.attr) {
			pen.fg = c->fg;
			pen.bg = c->bg;
			pen.attr = attr;
			sb_pen_words(&pen, &pen8, &pen4);
			rp += sb_put_varint(rp, (uint32_t)(n - 6 - last));
			rp += sb_put_varint(rp, attr);
			rp += sb_put_varint(rp, sb_color_code(pen.fg));
			rp += sb_put_varint(rp, sb_color_code(pen.bg));
			last = n - 6;
		}
		if (c->cp < 0x80)
			p[n++] = (uint8_t)c->cp;
		else
			n += sb_put_utf8(p + n, c->cp);
		if (c->comb != 0 && (comb = fb_cell_comb(r, c)) != NULL) {
			while (*comb != 0)
				n += sb_put_utf8(p + n, *comb++);
		}
	}
	/* A fixed 5-byte varint for the text length: no shifting after. */
	v = (uint32_t)(n - 6);
	p[1] = (uint8_t)(v | 0x80);
	p[2] = (uint8_t)(v >> 7 | 0x80);
	p[3] = (uint8_t)(v >> 14 | 0x80);
	p[4] = (uint8_t)(v >> 21 | 0x80);
	p[5] = (uint8_t)(v >> 28);
	if (rp > runs)
		memmove(p + n, runs, (size_t)(rp - runs));
	t->len = n + (size_t)(rp - runs);
}

/* Stores a row that left the screen; drops the oldest line when full. */
void
sb_push(struct scrollback *sb, const struct fb_row *r)
{
	struct sb_line	*l;
	size_t		 slot;

	if (sb->limit == 0) {
		sb->total++;
		return;
	}
	sb_encode(sb, r);
	if (sb->count == sb->cap && sb->cap < sb->limit) {
		size_t	ncap = sb->cap ? sb->cap * 2 : 64;

		if (ncap > sb->limit)
			ncap = sb->limit;
		/* Unwrap the ring into the larger array. */
		sb->ring = xreallocarray(sb->ring, ncap, sizeof *sb->ring);
		memset(&sb->ring[sb->cap], 0, (ncap - sb->cap) *
		    sizeof *sb->ring);
		if (sb->start != 0) {
			struct sb_line	*tmp = xreallocarray(NULL, sb->cap,
			    sizeof *tmp);
			size_t		 i;

			for (i = 0; i < sb->cap; i++)
				tmp[i] = sb->ring[(sb->start + i) % sb->cap];
			memcpy(sb->ring, tmp, sb->cap * sizeof *tmp);
			free(tmp);
			sb->start = 0;
		}
		sb->cap = ncap;
	}
	if (sb->count == sb->cap) {
		slot = sb->start;
		if (++sb->start == sb->cap)
			sb->start = 0;
	} else {
		slot = sb->start + sb->count;
		if (slot >= sb->cap)
			slot -= sb->cap;
		sb->count++;
	}
	l = &sb->ring[slot];
	/*
	 * Reuse the slot's buffer unless it is too small, or more than twice
	 * too big: one long line must not keep its memory for good.
	 */
	if (l->data == NULL || l->len < sb->scratch.len ||
	    l->len > 2 * sb->scratch.len + 64) {
		free(l->data);
		l->data = xmalloc(sb->scratch.len);
	}
	memcpy(l->data, sb->scratch.p, sb->scratch.len);
	l->len = (uint32_t)sb->scratch.len;
	sb->total++;
}

/*
 * Room for one line's bytes: LN_SB_LINE_MAX, less the 4 of the reset that
 * may close it.
 */
#define SB_LINE_ROOM	(LN_SB_LINE_MAX - 4)

/*
 * Appends what fits of n bytes of text to a line begun at keep, cut
 * before a UTF-8 continuation byte so the cut ends on a whole character.
 * Returns 1 if it had to cut.
 */
static int
sb_add_bounded(struct fb_text *t, size_t keep, const uint8_t *p, size_t n)
{
	size_t	used = t->len - keep, room;

	room = used < SB_LINE_ROOM ? SB_LINE_ROOM - used : 0;
	if (n <= room) {
		fb_text_add(t, p, n);
		return (0);
	}
	n = room;
	while (n > 0 && (p[n] & 0xc0) == 0x80)
		n--;
	fb_text_add(t, p, n);
	return (1);
}

/*
 * Appends line i (0 the oldest) as text, or with SGR escapes, without
 * trailing blanks or a newline. Returns 0, or LN_E_INVAL for no such line.
 *
 * A line never takes more than LN_SB_LINE_MAX bytes: every hop after the
 * holder refuses longer ones, so a line whose escapes would take more
 * (1024 cells each in its own colour, with combining marks) is cut here,
 * at a character before the escape or text that does not fit.
 */
int
sb_line(const struct scrollback *sb, size_t i, int escapes,
    struct fb_text *t)
{
	const struct sb_line	*l;
	struct buf		 b;
	struct fb_pen		 pen = { 0, 0, 0 }, shown = { 0, 0, 0 };
	const uint8_t		*text;
	uint32_t		 textlen, off = 0, delta, v[3];
	uint8_t			 flags;
	size_t			 keep, done = 0, before;
	int			 cut = 0;

	if (i >= sb->count)
		return (LN_E_INVAL);
	l = &sb->ring[(sb->start + i) % sb->cap];
	buf_reader(&b, l->data, l->len);
	if (buf_get_u8(&b, &flags) != 0 || sb_get_varint(&b, &textlen) != 0 ||
	    (text = buf_get_ptr(&b, textlen)) == NULL)
		return (LN_E_INVAL);
	keep = t->len;
	while (!cut && buf_left(&b) > 0) {
		if (sb_get_varint(&b, &delta) != 0 ||
		    sb_get_varint(&b, &v[0]) != 0 ||
		    sb_get_varint(&b, &v[1]) != 0 ||
		    sb_get_varint(&b, &v[2]) != 0 || delta > textlen - off)
			return (LN_E_INVAL);
		off += delta;
		if ((cut = sb_add_bounded(t, keep, text + done,
		    off - done)) != 0)
			break;
		done = off;
		pen.attr = (uint16_t)(v[0] & FB_ATTR_MASK);
		pen.fg = sb_color_decode(v[1]);
		pen.bg = sb_color_decode(v[2]);
		if (escapes) {
			before = t->len;
			fb_text_sgr(t, &pen);
			if (t->len - keep > SB_LINE_ROOM) {
				fb_text_trim(t, before);
				cut = 1;
			} else
				shown = pen;
		}
	}
	if (!cut)
		(void)sb_add_bounded(t, keep, text + done, textlen - done);
	if (!escapes) {
		size_t	n = t->len;

		while (n > keep && t->p[n - 1] == ' ')
			n--;
		fb_text_trim(t, n);
	} else if (shown.fg != 0 || shown.bg != 0 || shown.attr != 0)
		fb_text_add(t, "\033[0m", 4);
	return (0);
}

/* Whether line i (0 the oldest) continues on the next one. */
int
sb_wrapped(const struct scrollback *sb, size_t i)
{
	if (i >= sb->count)
		return (0);
	return (sb->ring[(sb->start + i) % sb->cap].data[0] & 1);
}
