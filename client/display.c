/*
 * display.c: the remote screen on the local terminal. Terminfo (not the
 * curses screen API) gives the capabilities; we keep a snapshot of the last
 * screen drawn, whose rows are shared by pointer with the framebuffer, so
 * an unchanged row costs one pointer comparison and a changed one only its
 * differing cells. The local terminal's alternate screen is never used, so
 * that lines scrolled off reach the terminal's own scrollback: queued lines
 * are written from the top row followed by the whole new screen, and the
 * terminal scrolls exactly the queued lines into its history.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include <curses.h>
#include <term.h>

#include "compat.h"
#include "proto.h"
#include "fb.h"
#include "client.h"

/* Modes sent to the local terminal as DEC private modes. */
static const struct {
	uint32_t	 bit;
	const char	*on, *off;
} display_modes[] = {
	{ FB_MODE_APPCURSOR, "\033[?1h", "\033[?1l" },
	{ FB_MODE_APPKEYPAD, "\033=", "\033>" },
	{ FB_MODE_BRACKETPASTE, "\033[?2004h", "\033[?2004l" },
	{ FB_MODE_MOUSE_CLICK, "\033[?1000h", "\033[?1000l" },
	{ FB_MODE_MOUSE_DRAG, "\033[?1002h", "\033[?1002l" },
	{ FB_MODE_MOUSE_MOTION, "\033[?1003h", "\033[?1003l" },
	{ FB_MODE_MOUSE_UTF8, "\033[?1005h", "\033[?1005l" },
	{ FB_MODE_MOUSE_SGR, "\033[?1006h", "\033[?1006l" },
	{ FB_MODE_MOUSE_URXVT, "\033[?1015h", "\033[?1015l" },
	{ FB_MODE_FOCUS, "\033[?1004h", "\033[?1004l" },
	{ FB_MODE_REVERSE, "\033[?5h", "\033[?5l" },
};

/* What is written on any exit: every mirrored mode off, pen reset. */
static const char display_restore[] = "\033[0m\033[?1l\033>\033[?2004l"
	"\033[?1000l\033[?1002l\033[?1003l\033[?1005l\033[?1006l\033[?1015l"
	"\033[?1004l\033[?5l\033[?25h";

struct display {
	int		 fd;
	struct fb_text	 out;
	int		 cols, rows;		/* the local terminal */

	/* Capabilities. */
	const char	*cup, *el, *bel, *civis, *cnorm;
	int		 colors, truecolor, smulx;

	/* What the terminal shows now. */
	struct fb	*shown;		/* NULL: nothing known */
	uint8_t		*stale;		/* per local row */
	int		 cx, cy;		/* -1: unknown */
	struct fb_pen	 pen;
	int		 pen_known;
	uint32_t	 modes;
	int		 visible;		/* -1: unknown */
	int		 cstyle;	/* DECSCUSR Ps; 0: the terminal's own */
	char		*title;			/* NULL: never set */
	uint32_t	 bells, clipgen;
	int		 baseline;	/* bells, clipgen adopted */

	/* Lines waiting to go to the native scrollback. */
	struct fb_row	**queue;
	size_t		 nqueue, queuecap;

	char		*notice;
	int		 notice_where;
	int		 notice_drawn;
};

/* tputs has no context argument: the display it is writing for. */
static struct display *display_target;

/* tputs' output function: appends one byte to the target's buffer. */
static int
display_putc(int c)
{
	char	ch = (char)c;

	fb_text_add(&display_target->out, &ch, 1);
	return (c);
}

/* Appends a string. */
static void
display_puts(struct display *d, const char *s)
{
	fb_text_add(&d->out, s, strlen(s));
}

/* Appends a terminfo string through tputs (padding, delays). */
static void
display_cap(struct display *d, const char *cap)
{
	if (cap == NULL)
		return;
	display_target = d;
	tputs(cap, 1, display_putc);
}

/* A string capability, or NULL if absent. */
static const char *
display_tigetstr(const char *name)
{
	char	*s = tigetstr(name);

	if (s == NULL || s == (char *)-1)
		return (NULL);
	return (s);
}

/* Marks every row as unknown: the next draw rewrites all of it. */
void
display_redraw(struct display *d)
{
	memset(d->stale, 1, (size_t)d->rows);
	d->cx = d->cy = -1;
	d->pen_known = 0;
	d->visible = -1;
	d->notice_drawn = 0;
}

/* Sets up a display for the terminal on fd, of type term. */
int
display_new(int fd, const char *term, int cols, int rows,
    struct display **out, char **cause)
{
	struct display	*d;
	const char	*ct, *name;
	char		 msg[256];
	int		 err = 0, rgb;

	name = term != NULL ? term : getenv("TERM");
	if (name == NULL)
		name = "(unset)";
	if (setupterm((char *)term, fd, &err) != OK) {
		snprintf(msg, sizeof msg, "terminal type %s: %s", name,
		    err == 0 ? "not in the terminfo database" :
		    "cannot use the terminfo database");
		*cause = xstrdup(msg);
		return (LN_E_INVAL);
	}
	d = xcalloc(1, sizeof *d);
	d->fd = fd;
	d->cup = display_tigetstr("cup");
	d->el = display_tigetstr("el");
	d->bel = display_tigetstr("bel");
	d->civis = display_tigetstr("civis");
	d->cnorm = display_tigetstr("cnorm");
	d->smulx = display_tigetstr("Smulx") != NULL;
	d->colors = tigetnum("colors");
	rgb = tigetflag("RGB") > 0 || tigetflag("Tc") > 0;
	ct = getenv("COLORTERM");
	if (ct != NULL && (strcmp(ct, "truecolor") == 0 ||
	    strcmp(ct, "24bit") == 0))
		rgb = 1;
	d->truecolor = rgb;
	if (d->cup == NULL) {
		snprintf(msg, sizeof msg,
		    "terminal type %s cannot move the cursor", name);
		*cause = xstrdup(msg);
		free(d);
		return (LN_E_INVAL);
	}
	d->stale = xcalloc(1, 1);
	d->rows = 1;
	display_resize(d, cols, rows);
	*out = d;
	return (0);
}

/* Frees a display without writing anything. */
void
display_free(struct display *d)
{
	size_t	 i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nqueue; i++)
		fb_row_unref(d->queue[i]);
	free(d->queue);
	fb_free(d->shown);
	free(d->stale);
	free(d->title);
	free(d->notice);
	free(d->out.p);
	free(d);
}

/* The local terminal changed size: everything is drawn again. */
void
display_resize(struct display *d, int cols, int rows)
{
	d->cols = cols < 1 ? 1 : cols;
	d->rows = rows < 1 ? 1 : rows;
	free(d->stale);
	d->stale = xcalloc((size_t)d->rows, 1);
	display_redraw(d);
}

/* Moves the cursor to (x, y), cheaply when it is already on that row. */
static void
display_goto(struct display *d, int x, int y)
{
	if (d->cx == x && d->cy == y)
		return;
	if (x == 0 && d->cy == y && d->cx >= 0)
		display_puts(d, "\r");
	else
		display_cap(d, tparm((char *)d->cup, y, x, 0, 0, 0, 0, 0, 0,
		    0));
	d->cx = x;
	d->cy = y;
}

/* The 256-colour index nearest to an RGB colour (xterm's 6x6x6 + greys). */
static unsigned
display_rgb_to_256(uint32_t c)
{
	static const int steps[] = { 0, 95, 135, 175, 215, 255 };
	int	 r = (c >> 16) & 0xff, g = (c >> 8) & 0xff, b = c & 0xff;
	int	 ri, gi, bi, grey, gi2, dc, dg, i;

	ri = r < 48 ? 0 : r < 115 ? 1 : (r - 35) / 40;
	gi = g < 48 ? 0 : g < 115 ? 1 : (g - 35) / 40;
	bi = b < 48 ? 0 : b < 115 ? 1 : (b - 35) / 40;
	grey = (r + g + b) / 3;
	gi2 = grey > 238 ? 23 : grey < 8 ? 0 : (grey - 8) / 10;
	i = 8 + 10 * gi2;
	dc = (r - steps[ri]) * (r - steps[ri]) + (g - steps[gi]) *
	    (g - steps[gi]) + (b - steps[bi]) * (b - steps[bi]);
	dg = (r - i) * (r - i) + (g - i) * (g - i) + (b - i) * (b - i);
	if (dg < dc)
		return (232 + (unsigned)gi2);
	return (16 + 36 * (unsigned)ri + 6 * (unsigned)gi + (unsigned)bi);
}

/* The 16-colour index nearest to a 256-colour one. */
static unsigned
display_256_to_16(unsigned i)
{
	static const uint8_t map[6] = { 0, 0, 0, 1, 1, 1 };
	unsigned	 r, g, b, bright, grey;

	if (i < 16)
		return (i);
	if (i >= 232) {
		grey = i - 232;
		return (grey < 6 ? 0 : grey < 12 ? 8 : grey < 18 ? 7 : 15);
	}
	i -= 16;
	r = i / 36;
	g = (i / 6) % 6;
	b = i % 6;
	bright = (r > 3 || g > 3 || b > 3) ? 8 : 0;
	return (bright | map[r] | map[g] << 1 | map[b] << 2);
}

/* Appends a string to a fixed buffer, cutting what does not fit. */
static void
display_cat(char *s, size_t len, const char *add)
{
	size_t	 n = strlen(s);

	snprintf(s + n, len - n, "%s", add);
}

/* Appends the SGR parameters for colour c (base 30 or 40), downgraded. */
static void
display_sgr_color(struct display *d, char *s, size_t len, uint32_t c,
    int base)
{
	unsigned	 i;
	size_t		 n = strlen(s);

	if (FB_COLOR_TYPE(c) == FB_COLOR_RGB && !d->truecolor)
		c = FB_COLOR_IDX(display_rgb_to_256(c));
	if (FB_COLOR_TYPE(c) == FB_COLOR_PALETTE) {
		i = c & 0xff;
		if (i >= 16 && d->colors < 256)
			i = display_256_to_16(i);
		if (i >= 8 && d->colors < 16)
			i -= 8;
		if (i < 8)
			snprintf(s + n, len - n, ";%u", base + i);
		else if (i < 16)
			snprintf(s + n, len - n, ";%u", base + 60 + i - 8);
		else
			snprintf(s + n, len - n, ";%d;5;%u", base + 8, i);
	} else if (FB_COLOR_TYPE(c) == FB_COLOR_RGB)
		snprintf(s + n, len - n, ";%d;2;%u;%u;%u", base + 8,
		    (c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff);
}

/* Sets the local pen, from scratch, if it differs from the one in use. */
static void
display_pen(struct display *d, uint32_t fg, uint32_t bg, uint16_t attr)
{
	static const struct { uint16_t bit; const char *s; } a[] = {
		{ FB_BOLD, ";1" }, { FB_FAINT, ";2" }, { FB_ITALIC, ";3" },
		{ FB_BLINK, ";5" }, { FB_REVERSE, ";7" }, { FB_CONCEAL, ";8" },
		{ FB_STRIKE, ";9" },
	};
	char	 s[128];
	size_t	 i;
	unsigned ul;

	attr &= FB_ATTR_MASK;
	if (d->colors <= 0)
		fg = bg = FB_COLOR_DEFAULT;
	if (d->pen_known && d->pen.fg == fg && d->pen.bg == bg &&
	    d->pen.attr == attr)
		return;
	snprintf(s, sizeof s, "\033[0");
	for (i = 0; i < sizeof a / sizeof a[0]; i++) {
		if (attr & a[i].bit)
			display_cat(s, sizeof s, a[i].s);
	}
	ul = (attr & FB_UNDERLINE_MASK) >> FB_UNDERLINE_SHIFT;
	if (ul == 1 || (ul > 1 && !d->smulx))
		display_cat(s, sizeof s, ";4");
	else if (ul > 1)
		snprintf(s + strlen(s), sizeof s - strlen(s), ";4:%u", ul);
	display_sgr_color(d, s, sizeof s, fg, 30);
	display_sgr_color(d, s, sizeof s, bg, 40);
	display_cat(s, sizeof s, "m");
	display_puts(d, s);
	d->pen.fg = fg;
	d->pen.bg = bg;
	d->pen.attr = attr;
	d->pen_known = 1;
}

/*
 * Where the cells to draw end, of the first w: up to the last one written
 * (row->used), so that spaces the application wrote are written too, as a
 * terminal shown it directly would hold them; past it an erase will do.
 */
static int
display_row_end(const struct fb_row *r, int w)
{
	int	 x = r->used < w ? r->used : w;

	if (r->wrapped && r->cols <= w)
		return (r->cols);
	/* Never end between the halves of a wide character. */
	if (x > 0 && x < r->cols && (r->cells[x].attr & FB_CONT))
		x++;
	return (x);
}

/* Writes cell x of a row at the cursor; returns the cells it covers. */
static int
display_cell(struct display *d, const struct fb_row *r, int x, int w)
{
	const struct fb_cell	*c = &r->cells[x];
	const uint32_t		*comb;
	struct fb_text		*t = &d->out;
	int			 width = (c->attr & FB_WIDE) ? 2 : 1;

	if (c->attr & FB_CONT) {
		/* An orphan half (cannot happen in a valid row): a blank. */
		display_pen(d, c->fg, c->bg, c->attr);
		fb_text_add(t, " ", 1);
	} else if (width == 2 && x + 1 >= w) {
		/* Cut at the local edge: the terminal could not fit it. */
		display_pen(d, c->fg, c->bg, c->attr);
		fb_text_add(t, " ", 1);
		width = 1;
	} else {
		display_pen(d, c->fg, c->bg, c->attr);
		fb_text_utf8(t, FB_CP_OK(c->cp) ? c->cp : 0xfffd);
		if ((comb = fb_cell_comb(r, c)) != NULL) {
			while (*comb != 0) {
				if (FB_CP_OK(*comb))
					fb_text_utf8(t, *comb);
				comb++;
			}
		}
	}
	if (d->cx >= 0)
		d->cx += width;
	if (d->cx >= d->cols)
		d->cx = -1;	/* pending wrap: position unknown */
	return (width);
}

/* Erases from the cursor to the end of the line with the default pen. */
static void
display_erase_tail(struct display *d)
{
	display_pen(d, 0, 0, 0);
	if (d->el != NULL)
		display_cap(d, d->el);
	else {
		int	 n = d->cols - d->cx;

		while (n-- > 0)
			display_puts(d, " ");
		d->cx = -1;
	}
}

/*
 * Brings local row y from old (NULL: unknown) to r, both clipped to the
 * local width; r NULL is a blank row.
 */
static void
display_row(struct display *d, int y, const struct fb_row *old,
    const struct fb_row *r)
{
	int	 w, x, end, oend;

	w = d->cols;
	if (r != NULL && r->cols < w)
		w = r->cols;
	if (old != NULL && (r == NULL || old->cols != r->cols))
		old = NULL;
	end = r != NULL ? display_row_end(r, w) : 0;
	oend = old != NULL ? display_row_end(old, w) : d->cols;
	for (x = 0; x < end; ) {
		if (old != NULL && x < oend && fb_cell_equal(old, r, x) &&
		    !(x + 1 < end && (r->cells[x].attr & FB_WIDE) &&
		    !fb_cell_equal(old, r, x + 1))) {
			x++;
			continue;
		}
		if (r->cells[x].attr & FB_CONT && x > 0) {
			x--;	/* redraw the whole wide character */
		}
		display_goto(d, x, y);
		x += display_cell(d, r, x, w);
	}
	if (oend > end && end < d->cols) {
		display_goto(d, end, y);
		display_erase_tail(d);
	}
}

static uint32_t	display_utf8(const unsigned char **, const unsigned char *);

/*
 * The columns a printable character takes, for text the client measures
 * itself (the notice bar, lines scrolled in as text); controls are the
 * caller's to drop. wcwidth knows widths only in a UTF-8 LC_CTYPE, which
 * locale_utf8() sets. A character it gives no width (unassigned, or no
 * UTF-8 locale on this system) takes one column, as the server's
 * emulator counts it.
 */
static int
display_width(uint32_t cp)
{
	int	 w;

	if (cp < 0x80)
		return (1);
	if ((w = wcwidth((wchar_t)cp)) < 0)
		return (1);
	return (w);
}

/*
 * Draws the notice bar over its row in reverse video. The text is UTF-8
 * (an em dash, a host name); controls are dropped and it is cut at the
 * width, never wrapped.
 */
static void
display_notice_draw(struct display *d)
{
	struct fb_text		*t = &d->out;
	const unsigned char	*p = (const unsigned char *)d->notice, *end;
	uint32_t		 cp;
	int			 y, w, n = 0;

	end = p + strlen(d->notice);
	y = d->notice_where == DISPLAY_NOTICE_TOP ? 0 : d->rows - 1;
	display_goto(d, 0, y);
	display_pen(d, 0, 0, FB_REVERSE);
	while (p < end && n < d->cols - 1) {
		cp = display_utf8(&p, end);
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			continue;
		if ((w = display_width(cp)) == 0)
			continue;
		if (n + w > d->cols - 1)
			break;
		fb_text_utf8(t, cp);
		n += w;
	}
	while (n++ < d->cols - 1)
		fb_text_add(t, " ", 1);
	d->cx = d->cols - 1;
	display_pen(d, 0, 0, 0);
	d->notice_drawn = 1;
}

/* Shows a one-line notice on the top or bottom row until cleared. */
void
display_notice(struct display *d, const char *text, int where)
{
	if (d->notice != NULL && strcmp(d->notice, text) == 0 &&
	    d->notice_where == where)
		return;
	display_notice_clear(d);
	d->notice = xstrdup(text);
	d->notice_where = where;
	d->notice_drawn = 0;
}

/* Removes the notice; the row under it is drawn again at the next draw. */
void
display_notice_clear(struct display *d)
{
	if (d->notice == NULL)
		return;
	d->stale[d->notice_where == DISPLAY_NOTICE_TOP ? 0 : d->rows - 1] = 1;
	free(d->notice);
	d->notice = NULL;
	d->notice_drawn = 0;
}

/* Queues a row that scrolled off the remote screen, for the scrollback. */
void
display_scroll_in(struct display *d, const struct fb_row *r)
{
	if (d->nqueue == d->queuecap) {
		d->queuecap = d->queuecap ? d->queuecap * 2 : 64;
		d->queue = xreallocarray(d->queue, d->queuecap,
		    sizeof *d->queue);
	}
	/* A private copy: the caller's row may change under us. */
	d->queue[d->nqueue++] = fb_row_resized(r, r->cols);
}

/* Applies SGR parameters s..end to a pen, as a terminal would. */
static void
display_text_sgr(struct fb_pen *p, const char *s, const char *end)
{
	long	 v[32], val;
	int	 sub[32], n = 0, i;
	char	 sep = ';';

	while (s < end && n < 32) {
		/* After a ':', a subparameter, as the 3 of 4:3 (curly). */
		sub[n] = sep == ':';
		val = 0;
		while (s < end && *s >= '0' && *s <= '9') {
			/* No SGR value is this large: stop before overflow. */
			if (val < 100000)
				val = val * 10 + (*s - '0');
			s++;
		}
		v[n++] = val;
		if (s < end)
			sep = *s++;
	}
	if (n == 0) {
		v[0] = 0;
		sub[0] = 0;
		n = 1;
	}
	for (i = 0; i < n; i++) {
		long	 c = v[i];

		if (c == 0) {
			p->fg = p->bg = 0;
			p->attr = 0;
		} else if (c == 1)
			p->attr |= FB_BOLD;
		else if (c == 2)
			p->attr |= FB_FAINT;
		else if (c == 3)
			p->attr |= FB_ITALIC;
		else if (c == 4) {
			long	 u = 1;

			if (i + 1 < n && sub[i + 1])
				u = v[++i];
			p->attr &= ~FB_UNDERLINE_MASK;
			if (u > 0 && u < 4)
				p->attr |= (uint16_t)(u << FB_UNDERLINE_SHIFT);
		} else if (c == 5)
			p->attr |= FB_BLINK;
		else if (c == 7)
			p->attr |= FB_REVERSE;
		else if (c == 8)
			p->attr |= FB_CONCEAL;
		else if (c == 9)
			p->attr |= FB_STRIKE;
		else if (c == 22)
			p->attr &= ~(FB_BOLD | FB_FAINT);
		else if (c == 23)
			p->attr &= ~FB_ITALIC;
		else if (c == 24)
			p->attr &= ~FB_UNDERLINE_MASK;
		else if (c == 25)
			p->attr &= ~FB_BLINK;
		else if (c == 27)
			p->attr &= ~FB_REVERSE;
		else if (c == 28)
			p->attr &= ~FB_CONCEAL;
		else if (c == 29)
			p->attr &= ~FB_STRIKE;
		else if ((c >= 30 && c <= 37) || (c >= 40 && c <= 47)) {
			uint32_t col = FB_COLOR_IDX(c % 10);

			*(c < 40 ? &p->fg : &p->bg) = col;
		} else if ((c >= 90 && c <= 97) || (c >= 100 && c <= 107)) {
			uint32_t col = FB_COLOR_IDX(8 + c % 10);

			*(c < 100 ? &p->fg : &p->bg) = col;
		} else if (c == 39)
			p->fg = 0;
		else if (c == 49)
			p->bg = 0;
		else if ((c == 38 || c == 48) && i + 1 < n) {
			uint32_t *to = c == 38 ? &p->fg : &p->bg;

			if (v[i + 1] == 5 && i + 2 < n) {
				*to = FB_COLOR_IDX((uint32_t)v[i + 2]);
				i += 2;
			} else if (v[i + 1] == 2 && i + 4 < n) {
				*to = FB_COLOR_RGB3(v[i + 2] & 0xff,
				    v[i + 3] & 0xff, v[i + 4] & 0xff);
				i += 4;
			} else	/* unknown form: where it ends is unknown */
				i = n;
		}
	}
}

/*
 * Decodes one UTF-8 character at *p (p < end) and steps past it: what
 * ln_utf8_decode refuses, and what a cell cannot hold, becomes U+FFFD.
 */
static uint32_t
display_utf8(const unsigned char **p, const unsigned char *end)
{
	size_t		n = (size_t)(end - *p), k;
	uint32_t	cp;

	if ((k = ln_utf8_decode(*p, n, &cp)) == 0) {
		*p += ln_utf8_skip(*p, n);
		return (0xfffd);
	}
	*p += k;
	return (k == 1 || FB_CP_OK(cp) ? cp : 0xfffd);
}

/*
 * Queues a line given as UTF-8 text with SGR sequences (the form of
 * holder/scrollback.c's sb_line): untrusted, so it is parsed into cells and
 * every other control or escape is dropped. A line wider than the terminal
 * is queued as several rows, all but the last marked wrapped; wrapped says
 * whether the line itself continues on the next one.
 */
void
display_scroll_in_text(struct display *d, const char *text, size_t len,
    int wrapped)
{
	const unsigned char	*p = (const unsigned char *)text, *end;
	struct fb		*tmp;
	struct fb_pen		 pen = { 0, 0, 0 };
	uint32_t		 cp, comb[FB_MAX_COMB + 1];
	int			 x = 0, lastx = -1, w;
	size_t			 ncomb = 0;

	end = p + len;
	tmp = fb_new(d->cols, 1);
	while (p < end) {
		if (*p == 0x1b) {
			const unsigned char *q = p + 1;

			if (q < end && *q == '[') {
				while (++q < end && (*q < 0x40 || *q > 0x7e))
					;
				if (q < end && *q == 'm')
					display_text_sgr(&pen,
					    (const char *)p + 2,
					    (const char *)q);
				p = q < end ? q + 1 : end;
			} else
				p = q < end ? q + 1 : end;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			p++;
			continue;
		}
		cp = display_utf8(&p, end);
		if (cp >= 0x80 && cp <= 0x9f)
			continue;
		w = display_width(cp);
		if (w == 0 && lastx >= 0 && ncomb < FB_MAX_COMB) {
			/* Rewrite the last character with one more mark. */
			comb[++ncomb] = cp;
			fb_put(tmp, lastx, 0, comb, ncomb + 1,
			    (tmp->row[0]->cells[lastx].attr & FB_WIDE) ? 2 : 1,
			    &pen);
			continue;
		}
		if (w <= 0)
			continue;
		if (x + w > d->cols) {
			tmp->row[0]->wrapped = 1;
			display_scroll_in(d, tmp->row[0]);
			fb_free(tmp);
			tmp = fb_new(d->cols, 1);
			x = 0;
		}
		comb[0] = cp;
		ncomb = 0;
		fb_put(tmp, x, 0, &cp, 1, w, &pen);
		lastx = x;
		x += w;
	}
	fb_row_mut(tmp, 0)->wrapped = wrapped;
	display_scroll_in(d, tmp->row[0]);
	fb_free(tmp);
}

/*
 * Writes the queued lines and then every row of fb from the top row down,
 * one line after another: the terminal scrolls exactly the queued lines
 * into its own history and ends up showing fb. A wrapped row is written to
 * the last column and the next one follows without a newline, so that the
 * terminal too knows the lines as one (copy, reflow).
 */
static void
display_stream(struct display *d, const struct fb *fb)
{
	const struct fb_row	*r, *prev = NULL;
	size_t			 i, n;
	int			 y;

	n = d->nqueue + (size_t)d->rows;
	display_goto(d, 0, 0);
	for (i = 0; i < n; i++) {
		if (i < d->nqueue)
			r = d->queue[i];
		else {
			y = (int)(i - d->nqueue);
			r = y < fb->rows ? fb->row[y] : NULL;
		}
		if (i > 0 && !(prev != NULL && prev->wrapped &&
		    prev->cols <= d->cols && d->cx == -1)) {
			display_pen(d, 0, 0, 0);
			display_puts(d, "\r\n");
		}
		/* Rows are written by offset: the cursor row is the last. */
		d->cx = 0;
		d->cy = d->rows - 1;
		if (i < (size_t)d->rows)
			d->cy = (int)i;
		display_row(d, d->cy, NULL, r);
		prev = r;
	}
	for (i = 0; i < d->nqueue; i++)
		fb_row_unref(d->queue[i]);
	d->nqueue = 0;
	memset(d->stale, 0, (size_t)d->rows);
	d->notice_drawn = 0;
}

/*
 * Sends a string from the session inside one of our sequences (title,
 * clipboard payload): C0, DEL and C1 controls removed, since any of them
 * could end the sequence early and start another (termtext.c).
 */
static void
display_puts_clean(struct display *d, const char *s, size_t len)
{
	char	*t;

	t = tt_dup(s, len, TT_DROP);
	fb_text_add(&d->out, t, strlen(t));
	free(t);
}

/*
 * Brings modes, cursor style, title, clipboard and bell to fb's. The
 * style is sent as DECSCUSR whatever terminfo says, like the modes: a
 * terminal without it ignores the sequence (ncurses' Ss is that sequence
 * where it is present, and macOS's own xterm entries lack it).
 */
static void
display_state(struct display *d, const struct fb *fb)
{
	uint32_t	 want = fb->modes & ~FB_MODE_ALTSCREEN;
	size_t		 i;
	char		 seq[16];

	for (i = 0; i < sizeof display_modes / sizeof display_modes[0]; i++) {
		uint32_t	 bit = display_modes[i].bit;

		if ((want & bit) != (d->modes & bit))
			display_puts(d, (want & bit) ? display_modes[i].on :
			    display_modes[i].off);
	}
	d->modes = want;
	if (fb->cursor.style != d->cstyle) {
		snprintf(seq, sizeof seq, "\033[%d q", fb->cursor.style);
		display_puts(d, seq);
		d->cstyle = fb->cursor.style;
	}
	if (d->title == NULL || strcmp(d->title, fb->title) != 0) {
		if (d->title != NULL || fb->title[0] != '\0') {
			display_puts(d, "\033]2;");
			display_puts_clean(d, fb->title, strlen(fb->title));
			display_puts(d, "\007");
		}
		free(d->title);
		d->title = xstrdup(fb->title);
	}
	/* Bells and clipboard writes from before the first draw are old. */
	if (!d->baseline) {
		d->bells = fb->bells;
		d->clipgen = fb->clipgen;
		d->baseline = 1;
	}
	if (fb->clipgen != d->clipgen && fb->clip != NULL) {
		display_puts(d, "\033]52;");
		display_puts_clean(d, (const char *)fb->clip, fb->cliplen);
		display_puts(d, "\007");
	}
	d->clipgen = fb->clipgen;
	if (fb->bells != d->bells)
		display_cap(d, d->bel != NULL ? d->bel : "\007");
	d->bells = fb->bells;
}

/* Brings the local terminal to fb with as little output as it can. */
void
display_draw(struct display *d, const struct fb *fb)
{
	const struct fb_row	*old;
	int			 y, x, vis, ny;

	if (d->nqueue > 0)
		display_stream(d, fb);
	else {
		for (y = 0; y < d->rows; y++) {
			const struct fb_row *r = y < fb->rows ? fb->row[y] :
			    NULL;

			old = NULL;
			if (!d->stale[y] && d->shown != NULL &&
			    y < d->shown->rows) {
				old = d->shown->row[y];
				if (old == r)
					continue;
			}
			if (d->stale[y] || old != NULL || r != NULL)
				display_row(d, y, old, r);
			d->stale[y] = 0;
		}
	}
	if (d->notice != NULL && !d->notice_drawn)
		display_notice_draw(d);
	else if (d->notice != NULL) {
		/* Keep the bar over a row that changed under it. */
		ny = d->notice_where == DISPLAY_NOTICE_TOP ? 0 : d->rows - 1;
		if (d->shown == NULL || ny >= fb->rows || ny >= d->shown->rows
		    || d->shown->row[ny] != fb->row[ny])
			display_notice_draw(d);
	}
	display_state(d, fb);
	x = fb->cursor.x < d->cols ? fb->cursor.x : d->cols - 1;
	y = fb->cursor.y < d->rows ? fb->cursor.y : d->rows - 1;
	display_goto(d, x < 0 ? 0 : x, y < 0 ? 0 : y);
	vis = fb->cursor.visible ? 1 : 0;
	if (vis != d->visible) {
		display_cap(d, vis ? d->cnorm : d->civis);
		d->visible = vis;
	}
	fb_free(d->shown);
	d->shown = fb_snapshot(fb);
}

/* Writes the buffered output; 0 or LN_E_SYSTEM (errno). */
int
display_flush(struct display *d)
{
	size_t		 off = 0;
	ssize_t		 n;
	struct pollfd	 pfd;

	while (off < d->out.len) {
		n = write(d->fd, d->out.p + off, d->out.len - off);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			/* The terminal: compat_waitfd, not poll (macOS). */
			pfd.fd = d->fd;
			pfd.events = POLLOUT;
			if (compat_waitfd(&pfd, 1, -1) == -1 &&
			    errno != EINTR) {
				d->out.len = 0;
				return (LN_E_SYSTEM);
			}
			continue;
		}
		d->out.len = 0;
		return (LN_E_SYSTEM);
	}
	d->out.len = 0;
	return (0);
}

/* The bytes that put the local terminal back as it was (signal-safe). */
const char *
display_restore_string(void)
{
	return (display_restore);
}

/*
 * Leaves the terminal usable: modes off, pen reset, cursor shown in the
 * terminal's own style (if a session changed it) and put below the last
 * row drawn, so the shell prompt follows the screen. The style is put
 * back only if a session set one: it is the person's (their shell may
 * have chosen it) until then. The fixed string a signal's exit writes
 * (display_restore_string) leaves it as it is.
 */
void
display_finish(struct display *d)
{
	display_puts(d, display_restore);
	if (d->cstyle != 0)
		display_puts(d, "\033[0 q");
	d->cstyle = 0;
	d->modes = 0;
	d->pen_known = 0;
	display_goto(d, 0, d->rows - 1);
	display_puts(d, "\r\n");
	(void)display_flush(d);
}
