/*
 * fb.h: the framebuffer contract shared by the server's emulator and the
 * client's display. A screen is an array of reference-counted rows; rows are
 * copied only when written while shared, so a snapshot costs O(rows) and a
 * full-width scroll moves pointers, never cells. Two snapshots diff into a
 * ScreenDiff message (proto/screen.proto) that a peer holding the first
 * applies to obtain the second, exactly.
 */
#ifndef LNSH_FB_H
#define LNSH_FB_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"	/* the screen's limits, FB_MAX_COLS ... */

#define FB_MAX_CP		0x10ffff	/* Unicode's last code point */

/* Whether a code point may be stored and drawn: no controls, surrogates. */
#define FB_CP_OK(cp)	((cp) >= 0x20 && \
	((cp) < 0x7f || (cp) > 0x9f) && \
	(cp) <= FB_MAX_CP && ((cp) < 0xd800 || (cp) > 0xdfff))

/* Cell attributes (struct fb_pen.attr). */
#define FB_BOLD			0x0001
#define FB_FAINT		0x0002
#define FB_ITALIC		0x0004
/* Underline: 0 none, 1 single, 2 double, 3 curly. */
#define FB_UNDERLINE_MASK	0x0018
#define FB_UNDERLINE_SHIFT	3
#define FB_BLINK		0x0020
#define FB_REVERSE		0x0040
#define FB_STRIKE		0x0080
#define FB_CONCEAL		0x0100
#define FB_ATTR_MASK		0x01ff
/* Layout bits of a cell, not of the pen. */
#define FB_WIDE			0x4000	/* first half of a width-2 character */
#define FB_CONT			0x8000	/* second half: cp is 0 */

/*
 * A colour: FB_COLOR_DEFAULT, a palette index (16 and 256 colours) or a
 * 24-bit RGB value, tagged in the top byte.
 */
#define FB_COLOR_DEFAULT	0
#define FB_COLOR_PALETTE	0x01000000u
#define FB_COLOR_RGB		0x02000000u
#define FB_COLOR_TYPE(c)	((c) & 0xff000000u)
#define FB_COLOR_IDX(i)		(FB_COLOR_PALETTE | ((i) & 0xffu))
#define FB_COLOR_RGB3(r, g, b)	(FB_COLOR_RGB | (uint32_t)(r) << 16 | \
				    (uint32_t)(g) << 8 | (uint32_t)(b))

/* Modes the client mirrors (struct fb.modes). */
#define FB_MODE_APPCURSOR	0x0001	/* DECCKM */
#define FB_MODE_APPKEYPAD	0x0002	/* DECKPAM */
#define FB_MODE_BRACKETPASTE	0x0004	/* 2004 */
#define FB_MODE_MOUSE_CLICK	0x0008	/* 1000 */
#define FB_MODE_MOUSE_DRAG	0x0010	/* 1002 */
#define FB_MODE_MOUSE_MOTION	0x0020	/* 1003 */
#define FB_MODE_MOUSE_UTF8	0x0040	/* 1005 */
#define FB_MODE_MOUSE_SGR	0x0080	/* 1006 */
#define FB_MODE_MOUSE_URXVT	0x0100	/* 1015 */
#define FB_MODE_FOCUS		0x0200	/* 1004 */
#define FB_MODE_ALTSCREEN	0x0400	/* 1049/1047/47 */
#define FB_MODE_REVERSE		0x0800	/* DECSCNM */
#define FB_MODE_MASK		0x0fff

/*
 * The cursor's style (struct fb_cursor.style) is DECSCUSR's Ps itself:
 * 0 the terminal's own default, 1-6 blinking or steady block, underline
 * and bar. Values from FB_CURSOR_STYLES up are not styles.
 */
#define FB_CURSOR_STYLES	7

/* How a cell is drawn. */
struct fb_pen {
	uint32_t	fg;
	uint32_t	bg;
	uint16_t	attr;
};

/*
 * One cell: 16 bytes. comb is 0, or 1 + the index in the row's comb pool
 * where this cell's combining characters start (0-terminated).
 */
struct fb_cell {
	uint32_t	cp;
	uint32_t	fg;
	uint32_t	bg;
	uint16_t	attr;
	uint16_t	comb;
};

/* One row. Shared between screens and snapshots while refs > 1. */
struct fb_row {
	unsigned	refs;
	int		cols;
	int		wrapped;	/* continues on the next row */
	int		used;		/* cells past this are default blanks */
	uint32_t	*comb;		/* pool of combining characters */
	uint16_t	ncomb, combcap;
	struct fb_cell	cells[];
};

struct fb_cursor {
	int		x, y;
	int		visible;
	int		style;		/* DECSCUSR's Ps, 0 to 6 */
};

/* A screen: what the client shows, and what a snapshot freezes. */
struct fb {
	int		 cols, rows;
	struct fb_row	**row;
	struct fb_cursor cursor;
	uint32_t	 modes;
	uint32_t	 bells;		/* count, wraps */
	char		*title;		/* never NULL */
	uint8_t		*clip;		/* last OSC 52 payload, or NULL */
	size_t		 cliplen;
	uint32_t	 clipgen;	/* bumped on each new payload */
	/* The primary screen's rows while the alternate one is shown. */
	struct fb_row	**saved;
};

/* Text being built for capture or for a client: grows as needed. */
struct fb_text {
	char		*p;
	size_t		 len, cap;
};

/* fb.c */
struct fb	*fb_new(int, int);
void		 fb_free(struct fb *);
struct fb	*fb_snapshot(const struct fb *);
void		 fb_resize(struct fb *, int, int);
struct fb_row	*fb_row_new(int);
void		 fb_row_unref(struct fb_row *);
struct fb_row	*fb_row_resized(const struct fb_row *, int);
struct fb_row	*fb_row_mut(struct fb *, int);
void		 fb_row_set_comb(struct fb_row *, int, const uint32_t *,
		     size_t);
void		 fb_row_clear(struct fb_row *, int, int, uint32_t);
void		 fb_put(struct fb *fb, int x, int y, const uint32_t *cp,
		     size_t n, int width, const struct fb_pen *pen);
void		 fb_put_cp(struct fb *, int, int, uint32_t,
		     const struct fb_pen *);
const uint32_t	*fb_cell_comb(const struct fb_row *, const struct fb_cell *);
void		 fb_erase(struct fb *fb, int y0, int y1, int x0, int x1,
		     uint32_t bg);
void		 fb_scroll(struct fb *fb, int y0, int y1, int x0, int x1,
		     int down, int right, uint32_t bg,
		     void (*push)(void *, const struct fb_row *), void *arg);
void		 fb_set_altscreen(struct fb *, int);
void		 fb_set_title(struct fb *, const char *, size_t);
void		 fb_set_clip(struct fb *, const uint8_t *, size_t);
int		 fb_cell_equal(const struct fb_row *, const struct fb_row *, int);
int		 fb_row_equal(const struct fb_row *, const struct fb_row *);
int		 fb_equal(const struct fb *, const struct fb *);
void		 fb_text_add(struct fb_text *, const void *, size_t);
void		 fb_text_utf8(struct fb_text *, uint32_t);
void		 fb_text_sgr(struct fb_text *, const struct fb_pen *);
void		 fb_text_trim(struct fb_text *, size_t);
void		 fb_row_text(struct fb_text *, const struct fb_row *, int);

/*
 * fb_put for the common case (one narrow character over a narrow cell of
 * a private row), inline because the emulator calls it per character.
 */
static inline void
fb_put1(struct fb *fb, int x, int y, uint32_t cp, const struct fb_pen *pen)
{
	struct fb_row	*r;
	struct fb_cell	*c;

	if ((unsigned)y < (unsigned)fb->rows &&
	    (unsigned)x < (unsigned)fb->cols &&
	    (r = fb->row[y])->refs == 1 &&
	    !((c = &r->cells[x])->attr & (FB_WIDE | FB_CONT))) {
		c->cp = cp;
		c->fg = pen->fg;
		c->bg = pen->bg;
		c->attr = pen->attr;
		c->comb = 0;
		if (x + 1 > r->used)
			r->used = x + 1;
		return;
	}
	fb_put_cp(fb, x, y, cp, pen);
}

/* fbdiff.c: ScreenDiff encoding and application. */
int		 fb_diff(const struct fb *, const struct fb *, uint8_t **,
		     size_t *);
int		 fb_apply(struct fb *, const uint8_t *, size_t);

#endif /* LNSH_FB_H */
