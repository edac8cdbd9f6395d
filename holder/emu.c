/*
 * emu.c: one session's terminal. libvterm's state layer parses the bytes
 * the application writes (modes, pen, charsets, cursor) and tells us what
 * to draw through its callbacks; the screen itself is our framebuffer
 * (proto/fb.c), which scrolls by moving row pointers. libvterm's own
 * screen layer is not used: it copies the whole screen for every scrolled
 * line.
 *
 * A few things the state layer keeps to itself or drops: the modes a
 * client must mirror (application cursor and keypad, bracketed paste,
 * mouse encodings, focus events), the faint and conceal attributes, and
 * OSC 52 (0.1.x also cuts strings at 64 bytes). A small scanner watches
 * the escape sequences for exactly those; text between escapes is passed
 * over in one tight loop (emu_text), or drawn by the fast path (with the
 * SGRs between its words). A UTF-8 sequence cut short in it, which
 * libvterm's decoder overflows on, reaches libvterm as one 0x80
 * (emu_utf8_seq).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vterm.h"

#include "proto.h"
#include "fb.h"
#include "holder.h"

/* Where the escape scanner is. */
enum emu_scan {
	SC_GROUND,
	SC_ESC,
	SC_ESC_INT,	/* ESC and intermediates, e.g. ESC ( */
	SC_CSI,
	SC_CSI_DROP,	/* the rest of a CSI libvterm must not see */
	SC_OSC,
	SC_OSC_ESC,
	SC_STR,		/* DCS, SOS, PM, APC: skipped */
	SC_STR_ESC,
};

#define EMU_CSI_MAX	64
#define EMU_VTERM_ARGS	16	/* libvterm's CSI_ARGS_MAX */
/*
 * The most significant digits a CSI argument may have: libvterm keeps one
 * in a long with flags from bit 31 up and multiplies by 10 per digit
 * unchecked (signed overflow past 18), so a larger one means nothing.
 */
#define EMU_VTERM_DIGITS	9
/* The longest unfinished sequence held back between writes. */
#define EMU_HOLD_MAX	(FB_MAX_CLIPBOARD + 64)
/* The modes only the scanner sees; a reset clears them. */
#define EMU_SCAN_MODES	(FB_MODE_APPCURSOR | FB_MODE_APPKEYPAD | \
	FB_MODE_BRACKETPASTE | FB_MODE_MOUSE_UTF8 | FB_MODE_MOUSE_SGR | \
	FB_MODE_MOUSE_URXVT | FB_MODE_FOCUS)

struct emu {
	VTerm			*vt;
	VTermState		*st;
	struct fb		*fb;
	struct scrollback	*sb;
	struct fb_pen		 pen;
	emu_reply_fn		 reply;
	void			*ctx;

	/* The last glyph, to tell an autowrap from an explicit newline. */
	int			 lastx, lasty;
	int			 lastwidth;	/* of the last glyph drawn */
	int			 wrapcand;

	struct fb_text		 title;		/* fragments being joined */

	enum emu_scan		 sc;
	char			 csi[EMU_CSI_MAX];
	size_t			 csilen;
	int			 csi_over;
	int			 csiseps;	/* ';' and ':' in the CSI */
	int			 csidigits;	/* of its argument, past zeros */
	int			 csiphase;	/* emu_csi_byte */
	struct fb_text		 osc;
	int			 osc_skip;
	int			 str_dcs;	/* SC_STR is a DCS */
	/* A DCS's first bytes as libvterm reads them (emu_dcs_done). */
	uint8_t			 dcs[5];
	uint8_t			 dcslen;
	/* libvterm has had part of the OSC or DCS (too long to hold). */
	int			 str_fed;
	int			 dcs_int;	/* it followed intermediates */
	int			 c1;		/* S8C1T: 8-bit C1 replies */
	int			 esc_sp;	/* SC_ESC_INT: ESC SP so far */

	/* Bytes held back from libvterm until the next emu_input. */
	struct fb_text		 hold;

	/* libvterm's cursor or scroll region to fix (emu_fixup). */
	int			 fixup;
	/* A size asked for inside a sequence, for its end (emu_resize). */
	int			 want_cols, want_rows;

	/*
	 * What the scanner knows of libvterm's text state (emu_track_*):
	 * the character set designated into G0-G3 ('B' ASCII, '0' DEC
	 * graphics, 'A' UK) and the one invoked into GL, and a copy of both
	 * that DECSC takes and DECRC puts back (libvterm saves neither).
	 */
	uint8_t			 g[4], gl;
	uint8_t			 saved_g[4], saved_gl;
	int			 scs;		/* SC_ESC_INT: 1 + G set, or 0 */
	unsigned		 block;		/* EMU_BLOCK_*: no fast path */
	int			 dwl;		/* a double-width line was set */
	int			 fast;		/* EMU_FAST_* */

	/*
	 * A synchronized update open (DEC mode 2026, emu_sync): the screen
	 * and the scrollback's total as they were when it began, which the
	 * clients see until it ends (emu_held); how many have begun.
	 */
	struct fb		*held;
	uint64_t		 held_total;
	uint64_t		 held_gen;
};

/* Why the fast path cannot run now (struct emu.block). */
#define EMU_BLOCK_INSERT	0x001	/* IRM */
#define EMU_BLOCK_NEWLINE	0x002	/* LNM: LF is CR LF */
#define EMU_BLOCK_ORIGIN	0x004	/* DECOM */
#define EMU_BLOCK_NOWRAP	0x008	/* DECAWM off */
#define EMU_BLOCK_LRMM		0x010	/* DECLRMM: left and right margins */
#define EMU_BLOCK_REGION	0x020	/* a scroll region that is not all */
#define EMU_BLOCK_GL		0x040	/* which set is in GL is not known */
#define EMU_BLOCK_SS		0x080	/* SS2 or SS3 may apply to the next */
#define EMU_BLOCK_UNKNOWN	0x100	/* a mode sequence we cannot read */
/* Everything a reset (RIS, DECSTR) puts back. */
#define EMU_BLOCK_RESET		0x1ff

/*
 * The shortest run worth sending past libvterm (its cursor is set after),
 * from its first printable character to its last (SGRs in it counted).
 * Shorter pays less than it costs: with 4, the coloured corpus, when
 * every SGR ended a run (words of 2 to 11 characters), took 17% more
 * instructions (docs/benchmarks.md).
 */
#define EMU_FAST_MIN	24

static void	emu_track_reset(struct emu *, int);
static int	emu_fast_default(void);

#define EMU_FIX_CURSOR	0x1	/* DECRC may restore off the screen */
#define EMU_FIX_REGION	0x2	/* the rows changed */

/* A libvterm colour as ours. */
static uint32_t
emu_color(const VTermColor *c, int fg)
{
	if (fg ? VTERM_COLOR_IS_DEFAULT_FG(c) : VTERM_COLOR_IS_DEFAULT_BG(c))
		return (FB_COLOR_DEFAULT);
	if (VTERM_COLOR_IS_INDEXED(c))
		return (FB_COLOR_IDX(c->indexed.idx));
	return (FB_COLOR_RGB3(c->rgb.red, c->rgb.green, c->rgb.blue));
}

/* Hands a row leaving the top of the primary screen to the scrollback. */
static void
emu_push(void *arg, const struct fb_row *r)
{
	struct emu	*e = arg;

	sb_push(e->sb, r);
}

/*
 * Draws a glyph that is more than one printable ASCII character. Never
 * inlined: its stack frame would then be set up for every character.
 */
static int __attribute__((noinline))
emu_putglyph_slow(VTermGlyphInfo *info, VTermPos pos, struct emu *e)
{
	struct fb	*fb = e->fb;
	const uint32_t	*cp = info->chars;
	uint32_t	 fixed[1 + FB_MAX_COMB];
	size_t		 n = 0, i;

	while (n < 1 + FB_MAX_COMB && cp[n] != 0)
		n++;
	if (n == 0)
		return (1);
	/*
	 * libvterm decodes what UTF-8 never encodes (surrogates, past
	 * U+10FFFF) and passes C1 characters as text: none reach the screen.
	 */
	if (n > 1 || cp[0] >= 0x7f) {
		for (i = 0; i < n; i++)
			fixed[i] = FB_CP_OK(cp[i]) ? cp[i] : 0xfffd;
		cp = fixed;
	}
	/* The previous glyph filled a row and this one starts the next. */
	if (e->wrapcand && pos.col == 0 && pos.row > 0 && pos.row < fb->rows)
		fb_row_mut(fb, pos.row - 1)->wrapped = 1;
	if (n == 1 && info->width == 1)
		fb_put1(fb, pos.col, pos.row, cp[0], &e->pen);
	else
		fb_put(fb, pos.col, pos.row, cp, n, info->width, &e->pen);
	e->wrapcand = pos.col + info->width >= fb->cols;
	e->lastwidth = info->width;
	e->lastx = pos.col;
	e->lasty = pos.row;
	return (1);
}

/*
 * Draws one character. libvterm calls this per glyph, so a printable
 * ASCII character that does not follow a full row is drawn here with the
 * least work; anything else goes the long way.
 */
static int
emu_putglyph(VTermGlyphInfo *info, VTermPos pos, void *arg)
{
	struct emu	*e = arg;
	uint32_t	 c = info->chars[0];

	/* chars is 0-terminated: chars[1] exists when chars[0] != 0. */
	if (c < 0x20 || c >= 0x7f || info->chars[1] != 0 ||
	    info->width != 1 || e->wrapcand)
		return (emu_putglyph_slow(info, pos, e));
	fb_put1(e->fb, pos.col, pos.row, c, &e->pen);
	e->wrapcand = pos.col + 1 >= e->fb->cols;
	e->lastwidth = 1;
	e->lastx = pos.col;
	e->lasty = pos.row;
	return (1);
}

/*
 * Tracks the cursor; any move but to the last glyph cancels a wrap.
 * libvterm bounds the cursor on a double-width or double-height line by
 * half the width, which on a one-column screen puts it at column -1 (ESC
 * # 6): the screen's cursor stays inside the screen, or no client takes
 * a diff of it.
 */
static int
emu_movecursor(VTermPos pos, VTermPos oldpos, int visible, void *arg)
{
	struct emu	*e = arg;

	e->fb->cursor.x = pos.col < 0 ? 0 :
	    pos.col < e->fb->cols ? pos.col : e->fb->cols - 1;
	e->fb->cursor.y = pos.row < 0 ? 0 :
	    pos.row < e->fb->rows ? pos.row : e->fb->rows - 1;
	e->fb->cursor.visible = visible ? 1 : 0;
	if (pos.row != e->lasty || pos.col != e->lastx)
		e->wrapcand = 0;
	return (1);
}

/* Scrolls a rectangle; the primary screen's top rows go to scrollback. */
static int
emu_scrollrect(VTermRect r, int down, int right, void *arg)
{
	struct emu	*e = arg;

	fb_scroll(e->fb, r.start_row, r.end_row, r.start_col, r.end_col, down,
	    right, e->pen.bg, e->fb->saved != NULL ? NULL : emu_push, e);
	return (1);
}

/* Blanks a rectangle with the current background (BCE). */
static int
emu_erase(VTermRect r, int selective, void *arg)
{
	struct emu	*e = arg;

	fb_erase(e->fb, r.start_row, r.end_row, r.start_col, r.end_col,
	    e->pen.bg);
	return (1);
}

/* Back to the default pen. */
static int
emu_initpen(void *arg)
{
	struct emu	*e = arg;

	e->pen.fg = e->pen.bg = FB_COLOR_DEFAULT;
	e->pen.attr = 0;
	return (1);
}

/* Sets a bit of the pen's attributes on or off. */
static void
emu_pen_bit(struct emu *e, uint16_t bit, int on)
{
	if (on)
		e->pen.attr |= bit;
	else
		e->pen.attr &= ~bit;
}

/* One attribute of the pen changed. */
static int
emu_setpenattr(VTermAttr attr, VTermValue *val, void *arg)
{
	struct emu	*e = arg;

	switch (attr) {
	case VTERM_ATTR_BOLD:
		emu_pen_bit(e, FB_BOLD, val->boolean);
		break;
	case VTERM_ATTR_UNDERLINE:
		e->pen.attr &= ~FB_UNDERLINE_MASK;
		e->pen.attr |= (uint16_t)((val->number & 3) <<
		    FB_UNDERLINE_SHIFT);
		break;
	case VTERM_ATTR_ITALIC:
		emu_pen_bit(e, FB_ITALIC, val->boolean);
		break;
	case VTERM_ATTR_BLINK:
		emu_pen_bit(e, FB_BLINK, val->boolean);
		break;
	case VTERM_ATTR_REVERSE:
		emu_pen_bit(e, FB_REVERSE, val->boolean);
		break;
	case VTERM_ATTR_STRIKE:
		emu_pen_bit(e, FB_STRIKE, val->boolean);
		break;
	case VTERM_ATTR_FOREGROUND:
		e->pen.fg = emu_color(&val->color, 1);
		break;
	case VTERM_ATTR_BACKGROUND:
		e->pen.bg = emu_color(&val->color, 0);
		break;
	default:
		break;
	}
	return (1);
}

/* Joins title fragments (whole in libvterm 0.1, in pieces from 0.2). */
static void
emu_title_fragment(struct emu *e, const VTermValue *val)
{
	struct vt_fragment	f;

	vt_string_fragment(val, &f);
	if (f.initial)
		e->title.len = 0;
	if (e->title.len + f.len > FB_MAX_TITLE)
		f.len = FB_MAX_TITLE - e->title.len;
	fb_text_add(&e->title, f.s, f.len);
	if (f.final)
		fb_set_title(e->fb, e->title.p, e->title.len);
}

/* A terminal property changed. */
static int
emu_settermprop(VTermProp prop, VTermValue *val, void *arg)
{
	struct emu	*e = arg;
	struct fb	*fb = e->fb;

	switch (prop) {
	case VTERM_PROP_CURSORVISIBLE:
		fb->cursor.visible = val->boolean ? 1 : 0;
		break;
	case VTERM_PROP_ALTSCREEN:
		fb_set_altscreen(fb, val->boolean);
		break;
	case VTERM_PROP_TITLE:
		emu_title_fragment(e, val);
		break;
	case VTERM_PROP_REVERSE:
		if (val->boolean)
			fb->modes |= FB_MODE_REVERSE;
		else
			fb->modes &= ~FB_MODE_REVERSE;
		break;
	case VTERM_PROP_MOUSE:
		fb->modes &= ~(FB_MODE_MOUSE_CLICK | FB_MODE_MOUSE_DRAG |
		    FB_MODE_MOUSE_MOTION);
		if (val->number == VTERM_PROP_MOUSE_CLICK)
			fb->modes |= FB_MODE_MOUSE_CLICK;
		else if (val->number == VTERM_PROP_MOUSE_DRAG)
			fb->modes |= FB_MODE_MOUSE_DRAG;
		else if (val->number == VTERM_PROP_MOUSE_MOVE)
			fb->modes |= FB_MODE_MOUSE_MOTION;
		break;
	default:
		break;
	}
	return (1);
}

/* BEL: counted, the client rings. */
static int
emu_bell(void *arg)
{
	struct emu	*e = arg;

	e->fb->bells++;
	return (1);
}

/*
 * The size changed. When rows shrink, the rows above the cursor that no
 * longer fit go to scrollback (as xterm does) and the cursor moves up
 * with them; vt_resized tells libvterm so and, from 0.2 on, resizes its
 * line info. a is NULL when libvterm did not call back (emu_resize).
 */
static int
emu_resize_cb(int rows, int cols, vt_resize_arg *a, void *arg)
{
	struct emu	*e = arg;
	struct fb	*fb = e->fb;
	int		 k, orows = fb->rows;

	k = fb->cursor.y + 1 - rows;
	if (k > 0) {
		fb_scroll(fb, 0, fb->rows, 0, fb->cols, k, 0, 0,
		    fb->saved != NULL ? NULL : emu_push, e);
		fb->cursor.y -= k;
	} else
		k = 0;
	vt_resized(a, orows, rows, k, fb->saved != NULL);
	fb_resize(fb, cols, rows);
	e->wrapcand = 0;
	return (1);
}

/*
 * Double-width lines are drawn single-width, but libvterm wraps them at
 * half the width: while it may have one, the fast path checks each row.
 */
static int
emu_setlineinfo(int row, const VTermLineInfo *n, const VTermLineInfo *o,
    void *arg)
{
	struct emu	*e = arg;

	if (n->doublewidth || n->doubleheight)
		e->dwl = 1;
	return (1);
}

static const VTermStateCallbacks emu_callbacks = {
	.putglyph = emu_putglyph,
	.movecursor = emu_movecursor,
	.scrollrect = emu_scrollrect,
	.erase = emu_erase,
	.initpen = emu_initpen,
	.setpenattr = emu_setpenattr,
	.settermprop = emu_settermprop,
	.bell = emu_bell,
	.resize = emu_resize_cb,
	.setlineinfo = emu_setlineinfo,
};

/* libvterm answering the application (DA, DSR): through the reply_fn. */
static void
emu_output(const char *s, size_t len, void *arg)
{
	struct emu	*e = arg;

	if (e->reply != NULL)
		e->reply(e->ctx, (const uint8_t *)s, len);
}

/* Clamps a dimension to what the framebuffer and the wire allow. */
static int
emu_clamp(int v, int max)
{
	return (v < 1 ? 1 : v > max ? max : v);
}

/*
 * A terminal of cols x rows keeping sblines of scrollback (0: none);
 * replies to the application go to reply(ctx, bytes, len).
 */
struct emu *
emu_new(int cols, int rows, size_t sblines, emu_reply_fn reply, void *ctx)
{
	struct emu	*e;

	cols = emu_clamp(cols, FB_MAX_COLS);
	rows = emu_clamp(rows, FB_MAX_ROWS);
	e = xcalloc(1, sizeof *e);
	e->reply = reply;
	e->ctx = ctx;
	e->fb = fb_new(cols, rows);
	e->sb = sb_new(sblines);
	e->lastx = e->lasty = -1;
	e->vt = vt_new(rows, cols);
	vterm_set_utf8(e->vt, 1);
	vterm_output_set_callback(e->vt, emu_output, e);
	e->st = vterm_obtain_state(e->vt);
	vterm_state_set_callbacks(e->st, &emu_callbacks, e);
	vterm_state_reset(e->st, 1);
	emu_track_reset(e, 1);
	e->fast = emu_fast_default();
	return (e);
}

/*
 * The fast path is on unless LNSH_EMU_FAST=0 is in the environment, to
 * compare against libvterm alone by hand (docs/benchmarks.md); read once
 * per terminal. The tests set the mode with emu_set_fast.
 */
static int
emu_fast_default(void)
{
	const char	*v = getenv("LNSH_EMU_FAST");

	return (v != NULL && strcmp(v, "0") == 0 ? EMU_FAST_OFF : EMU_FAST_ON);
}

/* EMU_FAST_OFF, _ON (runs worth it) or _ALWAYS (any run: for tests). */
void
emu_set_fast(struct emu *e, int mode)
{
	e->fast = mode;
}

/* Frees a terminal. */
void
emu_free(struct emu *e)
{
	if (e == NULL)
		return;
	vterm_free(e->vt);
	emu_release(e);
	fb_free(e->fb);
	sb_free(e->sb);
	free(e->title.p);
	free(e->osc.p);
	free(e->hold.p);
	free(e);
}

/*
 * Hands libvterm the bytes [*fed, to) it has not seen yet, after and in
 * one write with any bytes held back from the previous call.
 */
static void
emu_feed(struct emu *e, const uint8_t *p, size_t *fed, size_t to)
{
	if (to <= *fed)
		return;
	if (e->hold.len > 0) {
		fb_text_add(&e->hold, p + *fed, to - *fed);
		vterm_input_write(e->vt, e->hold.p, e->hold.len);
		e->hold.len = 0;
	} else
		vterm_input_write(e->vt, (const char *)p + *fed, to - *fed);
	*fed = to;
}

/* emu_feed, and the held bytes even when p adds none to them. */
static void
emu_feed_all(struct emu *e, const uint8_t *p, size_t *fed, size_t to)
{
	if (to <= *fed && e->hold.len > 0) {
		vterm_input_write(e->vt, e->hold.p, e->hold.len);
		e->hold.len = 0;
	}
	emu_feed(e, p, fed, to);
}

/*
 * How many continuation bytes libvterm's UTF-8 decoder (0.1.4 to 0.3.3)
 * reads after c: 1 to 5 for a lead byte (0xc0 to 0xfd, overlong and
 * out-of-range ones too, which it decodes to U+FFFD), else 0.
 */
static size_t
emu_utf8_need(uint8_t c)
{
	if (c < 0xc0 || c > 0xfd)
		return (0);
	return (c < 0xe0 ? 1 : c < 0xf0 ? 2 : c < 0xf8 ? 3 : c < 0xfc ? 4 : 5);
}

/*
 * Where an unfinished UTF-8 sequence at the end of p[0, len) starts, as
 * libvterm's decoder reads one (emu_utf8_need), or len if it ends on a
 * character boundary.
 */
static size_t
emu_utf8_tail(const uint8_t *p, size_t len)
{
	size_t	 i;

	for (i = len; i > 0 && len - i <= 5; i--) {
		if ((p[i - 1] & 0xc0) == 0x80)
			continue;		/* a continuation byte */
		return (len - i < emu_utf8_need(p[i - 1]) ? i - 1 : len);
	}
	return (len);
}

/*
 * A UTF-8 lead byte in text at p[i]. libvterm's decoder (0.1.4 to 0.3.3),
 * meeting an ASCII byte inside a sequence, writes U+FFFD and the
 * character, two code points for the one byte, into an array with room
 * for one per byte of the write (0.1.4, on the stack) or for 1024 (0.3.3,
 * on the heap): one past its end when the sequence was left open by
 * earlier text (0.1.4) or at the 1024th (0.3.3). A control, an escape or
 * 0xfe leaves a sequence open, and its U+FFFD then comes out with
 * whatever text the same one of its five decoders (G0 to G3, UTF-8) takes
 * next. So no sequence reaches libvterm cut short: where a byte that
 * cannot continue one ends it, libvterm gets one 0x80 in its place, which
 * its decoder reads as one U+FFFD, drawn where the sequence was, and is
 * left between characters (a sequence cut by the end of the text is held
 * back, emu_utf8_tail). Returns the sequence's last byte.
 */
static size_t
emu_utf8_seq(struct emu *e, const uint8_t *p, size_t i, size_t len,
    size_t *fed)
{
	size_t	 k, need = emu_utf8_need(p[i]);

	for (k = i + 1; k <= i + need; k++) {
		if (k == len)
			return (len - 1);
		if ((p[k] & 0xc0) != 0x80) {
			emu_feed(e, p, fed, i);
			vterm_input_write(e->vt, "\200", 1);
			*fed = k;
			return (k - 1);
		}
	}
	return (i + need);
}

/*
 * Whether libvterm takes the bytes the scanner is at for text: between
 * sequences, and (VT_STR_TEXT) in SOS, PM and APC, which 0.1.x does not
 * parse as strings.
 */
static int
emu_in_text(const struct emu *e)
{
	return (e->sc == SC_GROUND ||
	    (VT_STR_TEXT && e->sc == SC_STR && !e->str_dcs));
}

/*
 * The start of a write after an unfinished sequence held back
 * (emu_utf8_tail), which is then all e->hold holds: when p cuts it short,
 * libvterm gets 0x80 in its place (emu_utf8_seq). Returns how many of p's
 * bytes, the sequence's, are done with.
 */
static size_t
emu_utf8_held(struct emu *e, const uint8_t *p, size_t len)
{
	size_t	 k, need;

	if (!emu_in_text(e) || e->hold.len == 0)
		return (0);
	need = emu_utf8_need((uint8_t)e->hold.p[0]) + 1 - e->hold.len;
	for (k = 0; k < need && k < len; k++) {
		if ((p[k] & 0xc0) != 0x80) {
			e->hold.len = 0;
			vterm_input_write(e->vt, "\200", 1);
			return (k);
		}
	}
	return (0);
}

/* Reads the next decimal parameter of a CSI; -1 for an empty one. */
static long
emu_csi_num(const char **s, const char *end, int *sub)
{
	long	 v = -1;

	while (*s < end && **s >= '0' && **s <= '9') {
		if (v < 0)
			v = 0;
		if (v < 100000)
			v = v * 10 + (**s - '0');
		(*s)++;
	}
	*sub = 0;
	if (*s < end && (**s == ';' || **s == ':')) {
		*sub = **s == ':';
		(*s)++;
	}
	return (v);
}

/*
 * CSI ? Pm h / l: the private modes libvterm does not report, all of
 * them, from the parameters emu_csi_params read.
 */
static void
emu_csi_modes(struct emu *e, const long *v, int argc, int set)
{
	uint32_t	 bit;
	int		 a;

	for (a = 0; a < argc; a++) {
		switch (v[a]) {
		case 1:
			bit = FB_MODE_APPCURSOR;
			break;
		case 66:
			bit = FB_MODE_APPKEYPAD;
			break;
		case 1004:
			bit = FB_MODE_FOCUS;
			break;
		case 1005:
			bit = FB_MODE_MOUSE_UTF8;
			break;
		case 1006:
			bit = FB_MODE_MOUSE_SGR;
			break;
		case 1015:
			bit = FB_MODE_MOUSE_URXVT;
			break;
		case 2004:
			bit = FB_MODE_BRACKETPASTE;
			break;
		default:
			bit = 0;
			break;
		}
		if (set)
			e->fb->modes |= bit;
		else
			e->fb->modes &= ~bit;
	}
}

/*
 * SGR: works out faint and conceal, which libvterm drops. Colour
 * arguments (38;5;N, 38;2;R;G;B) are skipped so their numbers are not
 * taken for attributes. Returns the attributes to set.
 */
static uint16_t
emu_sgr(const char *s, const char *end, uint16_t attr)
{
	long	 v[32];
	int	 colon[32], n = 0, k, sub;

	while (s < end && n < 32) {
		v[n] = emu_csi_num(&s, end, &sub);
		colon[n] = sub;
		/* 38:2::R:G:B and the like: one argument with its parts. */
		while (sub && s < end)
			(void)emu_csi_num(&s, end, &sub);
		n++;
	}
	/* A ';' at the end is an empty argument after it: a reset. */
	if (s == end && n > 0 && n < 32 && end[-1] == ';') {
		v[n] = -1;
		colon[n++] = 0;
	}
	if (n == 0)
		return (attr & ~(FB_FAINT | FB_CONCEAL));
	for (k = 0; k < n; k++) {
		switch (v[k]) {
		case -1:
		case 0:
			attr &= ~(FB_FAINT | FB_CONCEAL);
			break;
		case 2:
			attr |= FB_FAINT;
			break;
		case 22:
			attr &= ~FB_FAINT;
			break;
		case 8:
			attr |= FB_CONCEAL;
			break;
		case 28:
			attr &= ~FB_CONCEAL;
			break;
		case 38:
		case 48:
		case 58:
			if (colon[k] || k + 1 >= n)
				break;
			if (v[k + 1] == 5)
				k += 2;
			else if (v[k + 1] == 2)
				k += 4;
			else
				k++;
			break;
		}
	}
	return (attr);
}

/*
 * The text state a reset leaves: ASCII in every set, G0 in GL, no modes
 * that stop the fast path. A hard reset (RIS) forgets what DECSC saved.
 */
static void
emu_track_reset(struct emu *e, int hard)
{
	memset(e->g, 'B', sizeof e->g);
	e->gl = 0;
	e->block &= ~EMU_BLOCK_RESET;
	if (hard) {
		memset(e->saved_g, 'B', sizeof e->saved_g);
		e->saved_gl = 0;
	}
}

/* SO (set 1) or SI (set 0) reached libvterm; exact unless ambiguous. */
static void
emu_track_shift(struct emu *e, int set, int ambiguous)
{
	if (ambiguous) {
		e->block |= EMU_BLOCK_GL;
		return;
	}
	e->gl = (uint8_t)set;
	e->block &= ~EMU_BLOCK_GL;
}

/* DECSC (and 1048, 1049): libvterm saves the cursor and pen; we the sets. */
static void
emu_track_save(struct emu *e)
{
	memcpy(e->saved_g, e->g, sizeof e->g);
	e->saved_gl = (e->block & EMU_BLOCK_GL) ? 0xff : e->gl;
}

/*
 * DECRC (and 1048, 1049 reset), after libvterm has restored the cursor:
 * designates and invokes the character sets DECSC saved, as a VT100 and
 * xterm do. libvterm (0.1.4 to 0.3.3) keeps them as they are, so vttest's
 * line of DEC graphics drawn across a DECSC / DECRC came out half as
 * plain letters.
 */
static void
emu_track_restore(struct emu *e)
{
	static const char *const shift[] = { "\017", "\016", "\033n",
	    "\033o" };
	char	 s[16];
	size_t	 n = 0;
	int	 k;

	for (k = 0; k < 4; k++) {
		if (e->g[k] == e->saved_g[k])
			continue;
		s[n++] = '\033';
		s[n++] = "()*+"[k];
		s[n++] = (char)e->saved_g[k];
		e->g[k] = e->saved_g[k];
	}
	if (e->saved_gl == 0xff)
		e->block |= EMU_BLOCK_GL;
	else if (e->saved_gl != e->gl || (e->block & EMU_BLOCK_GL)) {
		memcpy(s + n, shift[e->saved_gl], strlen(shift[e->saved_gl]));
		n += strlen(shift[e->saved_gl]);
		e->gl = e->saved_gl;
		e->block &= ~EMU_BLOCK_GL;
	}
	if (n > 0)
		vterm_input_write(e->vt, s, n);
}

/*
 * Reads a CSI's parameters as libvterm does, -1 for a missing one; the
 * count, or -1 when a byte other than a digit or separator is among them
 * (an intermediate, CSI ? 1 $ h: some other sequence, ignored, as xterm
 * does). *unsure is set when a number is longer than we trust (libvterm's
 * own overflows; it stays too big to be a mode) or there are more than
 * max.
 */
static int
emu_csi_params(const char *s, const char *end, long *v, int max,
    int *unsure)
{
	int	 n = 0;

	*unsure = 0;
	v[0] = -1;
	for (; s < end; s++) {
		if (*s >= '0' && *s <= '9') {
			if (v[n] >= 100000000)
				*unsure = 1;
			else
				v[n] = (v[n] < 0 ? 0 : v[n] * 10) + (*s - '0');
		} else if (*s == ';' || *s == ':') {
			if (n + 1 >= max)
				*unsure = 1;
			else
				v[++n] = -1;
		} else
			return (-1);
	}
	return (n + 1);
}

/* DECSTBM as libvterm reads it: whether the region is now the screen. */
static void
emu_track_region(struct emu *e, const long *v, int argc)
{
	long	 rows = e->fb->rows, top, bot;

	top = (v[0] < 0 ? 1 : v[0]) - 1;
	bot = argc < 2 || v[1] < 0 ? -1 : v[1];
	if (top < 0)
		top = 0;
	if (top > rows)
		top = rows;
	if (top == 0 && bot == rows)
		bot = -1;
	else if (bot > rows)
		bot = rows;
	if ((bot > -1 ? bot : rows) <= top) {
		top = 0;
		bot = -1;
	}
	if (top == 0 && bot == -1)
		e->block &= ~EMU_BLOCK_REGION;
	else
		e->block |= EMU_BLOCK_REGION;
}

/* Sets or clears a block bit. */
static void
emu_block_bit(struct emu *e, unsigned bit, int on)
{
	if (on)
		e->block |= bit;
	else
		e->block &= ~bit;
}

/*
 * Synchronized update (DEC private mode 2026, as tmux, iTerm2 and kitty
 * read it): a program sets it before a redraw and resets it after, and
 * wants no screen shown in between, which would show the redraw half
 * done (a frame in the middle of neovim's, say). On set, what precedes
 * the CSI goes to libvterm first and the screen as it then stands is
 * kept, with the scrollback's total, for the clients (emu_held); on
 * reset, or a second set, nothing more is kept. The holder bounds how
 * long an update may stay open (HOLDER_SYNC_MAX_MS, emu_release).
 */
static void
emu_sync(struct emu *e, const long *v, int argc, int set, const uint8_t *p,
    size_t i, size_t *fed)
{
	int	 a;

	for (a = 0; a < argc && v[a] != 2026; a++)
		;
	if (a == argc)
		return;
	if (!set) {
		emu_release(e);
		return;
	}
	if (e->held != NULL)
		return;
	emu_feed(e, p, fed, i);
	e->held = fb_snapshot(e->fb);
	e->held_total = sb_total(e->sb);
	e->held_gen++;
}

/*
 * The modes (SM, RM, DECSET, DECRST) and the scroll region (DECSTBM),
 * read as libvterm reads them: those only the scanner sees
 * (emu_csi_modes), and those that decide whether text may go the fast
 * path: SM and RM take their first parameter only, DECSET and DECRST
 * from 0.2 on all of them. A DECRC by 1048 or 1049 puts the character
 * sets back once libvterm has had it.
 */
static void
emu_csi_track(struct emu *e, uint8_t final, const uint8_t *p, size_t i,
    size_t *fed)
{
	long	 v[EMU_VTERM_ARGS];
	int	 argc, a, priv, unsure, set = final == 'h';

	if (final != 'h' && final != 'l' && final != 'r')
		return;
	if (e->csi_over) {
		e->block |= EMU_BLOCK_UNKNOWN;
		return;
	}
	priv = e->csilen > 0 && e->csi[0] == '?';
	argc = emu_csi_params(e->csi + priv, e->csi + e->csilen, v,
	    EMU_VTERM_ARGS, &unsure);
	if (argc < 0)
		return;
	if (priv && final != 'r') {
		emu_csi_modes(e, v, argc, set);
		emu_sync(e, v, argc, set, p, i, fed);
	}
	if (unsure) {
		e->block |= EMU_BLOCK_UNKNOWN;
		return;
	}
	if (final == 'r') {
		if (!priv)
			emu_track_region(e, v, argc);
		return;
	}
	if (!priv) {
		if (v[0] == 4)
			emu_block_bit(e, EMU_BLOCK_INSERT, set);
		else if (v[0] == 20)
			emu_block_bit(e, EMU_BLOCK_NEWLINE, set);
		return;
	}
	for (a = 0; a < argc; a++) {
#ifndef HAVE_VTERMSTATEFALLBACKS
		if (a > 0)
			break;		/* 0.1 reads the first only */
#endif
		switch (v[a]) {
		case 6:
			emu_block_bit(e, EMU_BLOCK_ORIGIN, set);
			break;
		case 7:
			emu_block_bit(e, EMU_BLOCK_NOWRAP, !set);
			break;
		case 69:
			emu_block_bit(e, EMU_BLOCK_LRMM, set);
			break;
		case 1048:
		case 1049:
			if (set)
				emu_track_save(e);
			else {
				emu_feed(e, p, fed, i);
				emu_track_restore(e);
			}
			break;
		}
	}
}

/*
 * libvterm gets what precedes p[i - 1] and then CAN in its place, which
 * ends there the sequence p[i - 1] is in: for sequences libvterm would
 * mishandle (emu_csi_done, emu_input).
 */
static void
emu_cancel(struct emu *e, const uint8_t *p, size_t *fed, size_t i)
{
	emu_feed(e, p, fed, i - 1);
	vterm_input_write(e->vt, "\030", 1);
	*fed = i;
}

/*
 * Whether libvterm (0.1.4 to 0.3.3) carrying out the SGR with parameters
 * s to end (fewer than 16) reaches a 38 or 48 as its last argument, as it
 * walks them (a colour's own arguments and ':' parts skipped): it then
 * reads the colour's kind, and for 5 its index, from past the arguments,
 * where the CSI before left them. Numbers as libvterm keeps them: a long
 * with the top bit of 32 for ':' after it.
 */
static int
emu_sgr_bare_colour(const char *s, const char *end)
{
	unsigned long	 v[EMU_VTERM_ARGS], x, pal;
	int		 n = 0, a, more, rest;

	v[0] = CSI_ARG_MISSING;
	for (; s < end; s++) {
		if (*s >= '0' && *s <= '9') {
			if (v[n] == CSI_ARG_MISSING)
				v[n] = 0;
			v[n] = v[n] * 10 + (unsigned long)(*s - '0');
		} else if (*s == ';' || *s == ':') {
			if (*s == ':')
				v[n] |= CSI_ARG_FLAG_MORE;
			if (++n >= EMU_VTERM_ARGS)
				return (0);
			v[n] = CSI_ARG_MISSING;
		} else
			return (0);
	}
	n++;
	for (a = 0; a < n;) {
		x = CSI_ARG(v[a]);
		if (x == 38 || x == 48) {
			if (a == n - 1)
				return (1);
			pal = CSI_ARG(v[a + 1]);
			rest = n - a - 2;
			a += 1 + (pal == 2 ? (rest < 3 ? rest : 3) :
			    pal == 5 ? (rest > 0) : 0);
		}
		do
			more = a < n && CSI_ARG_HAS_MORE(v[a]);
		while (a++, more);
	}
	return (0);
}

/*
 * DECSCUSR (CSI Ps SP q, s to end holding Ps and the space): the cursor's
 * style. libvterm keeps it as a shape and a blink, which cannot say 0,
 * "the terminal's own default" (the person's choice, which a program
 * leaving puts back), so Ps is kept here as it came. As in libvterm and
 * xterm the first parameter counts; a Ps past 6 changes nothing.
 */
static void
emu_cursor_style(struct emu *e, const char *s, const char *end)
{
	long	 v[EMU_VTERM_ARGS];
	int	 unsure;

	/* -1: a leader, or another intermediate. */
	if (emu_csi_params(s, end, v, EMU_VTERM_ARGS, &unsure) < 0 ||
	    unsure || v[0] >= FB_CURSOR_STYLES)
		return;
	e->fb->cursor.style = v[0] < 0 ? 0 : (int)v[0];
}

/*
 * DECRQM (CSI ? Ps $ p, s to end holding Ps) for mode 2026: answered
 * here, set (1) while an update is open, else reset (2), as the terminals
 * that have it answer, so that a program that asks (neovim) uses it.
 * libvterm does not know the mode (0.3.3 says 0, "not recognised"), and
 * gets CAN instead of the final byte, after what precedes the sequence,
 * so that its answers to queries before this one go first (the fast path
 * feeds libvterm at other points than libvterm alone would: answering
 * before feeding put the answers in another order, fuzz-emu-fast). 1 if
 * answered.
 */
static int
emu_decrqm_sync(struct emu *e, const char *s, const char *end,
    const uint8_t *p, size_t i, size_t *fed)
{
	long	 v[EMU_VTERM_ARGS];
	char	 r[24];
	int	 unsure, n;

	if (emu_csi_params(s, end, v, EMU_VTERM_ARGS, &unsure) != 1 ||
	    unsure || v[0] != 2026)
		return (0);
	emu_cancel(e, p, fed, i);
	n = snprintf(r, sizeof r, "%s?2026;%d$y", e->c1 ? "\233" : "\033[",
	    e->held != NULL ? 1 : 2);
	emu_output(r, (size_t)n, e);
	return (1);
}

/* A CSI sequence ended with final at p[i - 1]. */
static void
emu_csi_done(struct emu *e, uint8_t final, const uint8_t *p, size_t i,
    size_t *fed)
{
	const char	*s = e->csi, *end = e->csi + e->csilen;
	uint16_t	 attr;

	if (final == 'b') {
		/*
		 * REP (CSI Pn b) with no glyph of any width drawn before it:
		 * libvterm (0.1.4 to 0.3.3) repeats its last glyph, of width
		 * 0, by advancing the cursor by that width until the end of
		 * the row, which never comes: the holder hung at 100% CPU on
		 * 3 bytes of output. So what precedes the final byte is drawn
		 * first, and then libvterm gets CAN, which ends the sequence,
		 * instead of the final byte. (Before csi_over: libvterm takes
		 * a long sequence whole.)
		 */
		emu_feed(e, p, fed, i - 1);
		if (e->lastwidth <= 0) {
			emu_cancel(e, p, fed, i);
			return;
		}
	}
	emu_csi_track(e, final, p, i, fed);
	if (e->csi_over)
		return;
	if (final == 'm' && (s == end || (*s >= '0' && *s <= ';'))) {
		/*
		 * A bare 38 or 48 at the end: libvterm took the colour from
		 * what the CSI before left past the arguments, which the
		 * fast path's CSIs change (fuzz-emu-fast: a 5 from its cursor
		 * column made tur;5 ESC[38m p black). It gets an empty
		 * argument after it, which it takes for the colour's kind and
		 * skips: the colour is left as it was, as xterm leaves it.
		 */
		if (e->csiseps < EMU_VTERM_ARGS - 1 &&
		    emu_sgr_bare_colour(s, end)) {
			emu_feed(e, p, fed, i - 1);
			vterm_input_write(e->vt, ";m", 2);
			*fed = i;
		}
		attr = emu_sgr(s, end, e->pen.attr);
		if ((attr ^ e->pen.attr) & (FB_FAINT | FB_CONCEAL)) {
			/* Glyphs before this SGR keep the old pen. */
			emu_feed(e, p, fed, i);
			e->pen.attr = (e->pen.attr & ~(FB_FAINT | FB_CONCEAL)) |
			    (attr & (FB_FAINT | FB_CONCEAL));
		}
		return;
	}
	if (final == 'q' && e->csilen > 0 && end[-1] == ' ')
		emu_cursor_style(e, s, end - 1);
	if (final == 'p' && e->csilen > 2 && *s == '?' && end[-1] == '$' &&
	    emu_decrqm_sync(e, s + 1, end - 1, p, i, fed))
		return;
	if (final == 'p' && e->csilen == 1 && *s == '!') {
		/* DECSTR, soft reset. */
		emu_feed(e, p, fed, i);
		e->fb->modes &= ~(FB_MODE_APPCURSOR | FB_MODE_APPKEYPAD);
		e->pen.attr &= ~(FB_FAINT | FB_CONCEAL);
		/*
		 * What libvterm resets, only where it does (VT_DECSTR; 0.1
		 * looks for the '!' among leaders): with 0.1.4 the fast path
		 * took insert mode for off and overwrote what libvterm
		 * inserted.
		 */
		if (VT_DECSTR) {
			emu_track_reset(e, 0);
			e->c1 = 0;
		}
	}
}

/* An OSC string ended: keeps an OSC 52 clipboard write (not a query). */
static void
emu_osc_done(struct emu *e)
{
	const char	*s = e->osc.p, *semi;

	if (e->osc_skip || e->osc.len < 3 || strncmp(s, "52;", 3) != 0)
		return;
	semi = memchr(s + 3, ';', e->osc.len - 3);
	if (semi == NULL)
		return;
	if ((size_t)(e->osc.p + e->osc.len - semi) == 2 && semi[1] == '?')
		return;
	fb_set_clip(e->fb, (const uint8_t *)s + 3, e->osc.len - 3);
}

/*
 * A DCS ended at p[i - 1] (BEL, or the \ of ESC \); e->dcs holds its
 * first bytes but C0 controls, as libvterm reads it. libvterm 0.1
 * (VT_DECRQSS_UNSAFE) answers a DECRQSS (DCS $ q Pt ST) for a setting it
 * does not know with a printf of an int as a string: ASan stopped the
 * holder on the 7 bytes \eP$qx\e\\ from any program. It also reads a DCS
 * that reached it in pieces (one too long to hold back, emu_input) from
 * its last piece alone, which may begin with $ q whatever the DCS was.
 * 0.2 and later shift a Pt's second and third bytes as signed char
 * (UBSan stopped on \eP$qm\x88\e\\), and take no DCS after
 * intermediates. So libvterm gets CAN instead of the terminator of such
 * a request and, with 0.1, of any DCS in pieces, which ends it unread;
 * the request is answered here as libvterm 0.2 and later answer one they
 * do not know, DCS 0 $ r ST; one libvterm knows, from a DCS it had in
 * pieces, is handed to it again, whole.
 */
static void
emu_dcs_done(struct emu *e, const uint8_t *p, size_t *fed, size_t i)
{
	static const char *const known[] = { "m", "r", "s", " q", "\"q" };
	const char	*pt = (const char *)e->dcs + 2;
	char		 s[8];
	size_t		 ptlen, k;
	int		 rq, ok = 0;

	rq = e->dcslen >= 2 && memcmp(e->dcs, "$q", 2) == 0;
	if (!VT_DECRQSS_UNSAFE) {
		if (!rq || e->dcs_int || !((e->dcslen > 3 &&
		    e->dcs[3] >= 0x80) || (e->dcslen > 4 && e->dcs[4] >= 0x80)))
			return;
	}
	/* A Pt as long as dcs holds is longer than any known one. */
	ptlen = rq ? e->dcslen - 2U : 0;
	for (k = 0; rq && k < sizeof known / sizeof known[0]; k++)
		if (strlen(known[k]) == ptlen && memcmp(known[k], pt,
		    ptlen) == 0)
			ok = 1;
	if ((!rq || ok) && !e->str_fed)
		return;
	emu_feed_all(e, p, fed, i - 1);
	emu_cancel(e, p, fed, i);
	if (ok) {
		memcpy(s, "\033P$q", 4);
		memcpy(s + 4, pt, ptlen);
		memcpy(s + 4 + ptlen, "\033\\", 2);
		vterm_input_write(e->vt, s, 6 + ptlen);
	} else if (rq && e->c1)
		emu_output("\2200$r\234", 5, e);
	else if (rq)
		emu_output("\033P0$r\033\\", 7, e);
}

/* Appends one byte of an OSC string, giving up on long or uninteresting. */
static void
emu_osc_byte(struct emu *e, uint8_t c)
{
	char	ch = (char)c;

	if (e->osc_skip)
		return;
	if (e->osc.len >= FB_MAX_CLIPBOARD + 3 ||
	    (e->osc.len < 3 && c != (uint8_t)"52;"[e->osc.len])) {
		e->osc_skip = 1;
		return;
	}
	fb_text_add(&e->osc, &ch, 1);
}

/*
 * Puts libvterm's cursor and scroll region back inside the screen, with
 * libvterm between sequences (nothing of one fed, or all of it).
 *
 * When the rows shrink, libvterm (0.1 and 0.3 alike) keeps the position
 * DECSC saved, which DECRC (ESC 8) restores as it is and the next glyph
 * is written at, past the last row (a CSI cannot do that: libvterm
 * bounds the cursor at the end of each); and it keeps the scroll
 * region's top, so a region that now starts below the last row makes
 * its next scroll memmove a negative length. Both go past libvterm's
 * line info. As tmux does, a change of rows resets the scroll region
 * (the application sets it again on SIGWINCH); the cursor stays where it
 * is. A cursor off the screen is brought back by libvterm's own bound,
 * which every CSI it handles ends with: CSI ? h with no mode is one that
 * does nothing else.
 */
static void
emu_fixup(struct emu *e)
{
	VTermPos	 pos;
	char		 s[32];
	int		 n;

	vterm_state_get_cursorpos(e->st, &pos);
	if (e->fixup & EMU_FIX_REGION) {
		n = snprintf(s, sizeof s, "\033[r\033[%d;%dH",
		    (pos.row < e->fb->rows ? pos.row : e->fb->rows - 1) + 1,
		    (pos.col < e->fb->cols ? pos.col : e->fb->cols - 1) + 1);
		vterm_input_write(e->vt, s, (size_t)n);
		e->block &= ~EMU_BLOCK_REGION;
	} else if (pos.row >= e->fb->rows || pos.col >= e->fb->cols)
		vterm_input_write(e->vt, "\033[?h", 4);
	e->fixup = 0;
}

/* Whether a size or a fix waits for libvterm to be between sequences. */
static int
emu_due(const struct emu *e)
{
	return (e->fixup != 0 || e->want_rows > 0);
}

/*
 * With libvterm between sequences (it has been fed up to the scanner):
 * the size asked for meanwhile, then the fixes it and DECRC call for.
 */
static void
emu_between(struct emu *e)
{
	int	 cols = e->want_cols, rows = e->want_rows;

	e->want_cols = e->want_rows = 0;
	if (rows > 0 && (cols != e->fb->cols || rows != e->fb->rows)) {
		if (rows != e->fb->rows)
			e->fixup |= EMU_FIX_REGION;
		vterm_set_size(e->vt, rows, cols);
		/* The state layer calls emu_resize_cb; follow if it did not. */
		if (e->fb->cols != cols || e->fb->rows != rows)
			emu_resize_cb(rows, cols, NULL, e);
	}
	if (e->fixup)
		emu_fixup(e);
}

/*
 * Whether c (0x20 to 0x3f, or 0x80 and up) may come next in a CSI, as
 * libvterm (0.1.4 to 0.3.3) parses one: leaders (< = > ?) first, then
 * parameters, then intermediates. Any other byte ends the CSI there, not
 * carried out, and is dropped: the scanner must end it there too, or it
 * takes what libvterm draws as text for the rest of a sequence (and the
 * fast path then starts a run where libvterm's text does not begin).
 */
static int
emu_csi_byte(struct emu *e, uint8_t c)
{
	if (c >= 0x3c && c <= 0x3f)
		return (e->csiphase == 0);
	if (c >= 0x30 && c <= 0x3b) {
		if (e->csiphase > 1)
			return (0);
		e->csiphase = 1;
		return (1);
	}
	if (c >= 0x20 && c <= 0x2f) {
		e->csiphase = 2;
		return (1);
	}
	return (0);
}

/*
 * Whether c, a byte of a CSI's parameters, takes it past what libvterm can
 * hold: a 16th separator, or a tenth significant digit in one argument.
 */
static int
emu_csi_too_much(struct emu *e, uint8_t c)
{
	if (c == ';' || c == ':') {
		e->csidigits = 0;
		return (++e->csiseps >= EMU_VTERM_ARGS);
	}
	if (c < '0' || c > '9' || (c == '0' && e->csidigits == 0))
		return (0);
	return (++e->csidigits > EMU_VTERM_DIGITS);
}

/*
 * Whether libvterm passes over c after ESC (and any intermediates) and
 * stays in its escape state: DEL and up, and the C0 controls, which it
 * carries out there, but CAN, SUB and ESC.
 */
static int
emu_esc_passes(uint8_t c)
{
	return (c >= 0x7f || (c < 0x20 && c != 0x18 && c != 0x1a &&
	    c != 0x1b));
}

/*
 * After ESC (and any intermediates): '[', ']' and 'P' open a CSI, an OSC
 * and a DCS, as they do to libvterm. 1 when c opened one (e->sc is set).
 */
static int
emu_scan_open(struct emu *e, uint8_t c)
{
	switch (c) {
	case '[':
		e->sc = SC_CSI;
		e->csilen = 0;
		e->csi_over = 0;
		e->csiseps = 0;
		e->csidigits = 0;
		e->csiphase = 0;
		return (1);
	case ']':
		e->sc = SC_OSC;
		e->osc.len = 0;
		e->osc_skip = 0;
		e->str_fed = 0;
		return (1);
	case 'P':
		e->dcs_int = e->sc == SC_ESC_INT;
		e->sc = SC_STR;
		e->str_dcs = 1;
		e->dcslen = 0;
		e->str_fed = 0;
		return (1);
	}
	return (0);
}

/* Whether libvterm may have a double-width or double-height row. */
static int
emu_dwl_any(struct emu *e)
{
	const VTermLineInfo	*li;
	int			 y;

	for (y = 0; y < e->fb->rows; y++) {
		li = vterm_state_get_lineinfo(e->st, y);
		if (li->doublewidth || li->doubleheight)
			return (1);
	}
	return (0);
}

/* What a fast run's SGRs set of the pen libvterm keeps (emu_fast_sgr). */
#define EMU_PEN_BOLD		0x001
#define EMU_PEN_ITALIC		0x002
#define EMU_PEN_UNDERLINE	0x004
#define EMU_PEN_BLINK		0x008
#define EMU_PEN_REVERSE		0x010
#define EMU_PEN_STRIKE		0x020
#define EMU_PEN_CONCEAL		0x040	/* libvterm's from 0.2 on */
#define EMU_PEN_FG		0x080
#define EMU_PEN_BG		0x100
#define EMU_PEN_RESET		0x200	/* an SGR 0, then what is not default */

/*
 * The attribute bit SGR n sets (n below 10) or clears (n + 20), or 0;
 * 21 (double underline) and 22 (bold and faint off) are read before.
 */
static uint16_t
emu_sgr_bit(int n)
{
	switch (n % 20) {
	case 1:
		return (FB_BOLD);
	case 3:
		return (FB_ITALIC);
	case 5:
		return (FB_BLINK);
	case 7:
		return (FB_REVERSE);
	case 8:
		return (FB_CONCEAL);
	case 9:
		return (FB_STRIKE);
	}
	return (0);
}

/* Which EMU_PEN_* an attribute bit is. */
static unsigned
emu_pen_part(uint16_t bit)
{
	switch (bit) {
	case FB_BOLD:
		return (EMU_PEN_BOLD);
	case FB_ITALIC:
		return (EMU_PEN_ITALIC);
	case FB_BLINK:
		return (EMU_PEN_BLINK);
	case FB_REVERSE:
		return (EMU_PEN_REVERSE);
	case FB_CONCEAL:
		return (EMU_PEN_CONCEAL);
	}
	return (EMU_PEN_STRIKE);
}

/*
 * The colour of 38 or 48 at v[a], v[a + 1] ... (5;N or 2;R;G;B, each at
 * most 255, none missing) into *c; how many arguments it took, or 0.
 */
static int
emu_sgr_ext(const int *v, int a, int n, uint32_t *c)
{
	if (a + 2 < n && v[a + 1] == 5 && v[a + 2] >= 0 && v[a + 2] <= 255) {
		*c = FB_COLOR_IDX(v[a + 2]);
		return (3);
	}
	if (a + 4 < n && v[a + 1] == 2 && v[a + 2] >= 0 && v[a + 2] <= 255 &&
	    v[a + 3] >= 0 && v[a + 3] <= 255 && v[a + 4] >= 0 &&
	    v[a + 4] <= 255) {
		*c = FB_COLOR_RGB3(v[a + 2], v[a + 3], v[a + 4]);
		return (5);
	}
	return (0);
}

/*
 * An SGR at p[i] that the fast path takes: ESC [, parameters of at most
 * three digits separated by ';' (no leader, ':' or intermediate, fewer
 * than libvterm's 16), then m; each an attribute that libvterm
 * (0.1.4 to 0.3.3) and emu_sgr read alike: 0 to 5, 7 to 9, 21 to 25, 27
 * to 29, the colours, 38 and 48 with 5;N or 2;R;G;B. Anything else (or
 * one cut by the end of the write) ends the fast run there, and the
 * scanner and libvterm read it as always. Applies it to *pen as
 * emu_setpenattr and emu_sgr would, notes in *set what of libvterm's pen
 * it set, and returns its length; or 0, *pen and *set untouched.
 */
static size_t
emu_fast_sgr(const uint8_t *p, size_t i, size_t len, struct fb_pen *pen,
    unsigned *set)
{
	struct fb_pen	 np = *pen;
	unsigned	 s = *set;
	size_t		 k = i + 2;
	int		 v[EMU_VTERM_ARGS - 1], n = 0, a, d, x, bit;
	uint32_t	 c;

	if (k >= len || p[i + 1] != '[')
		return (0);
	for (;;) {
		for (d = 0, x = 0; k < len && p[k] >= '0' && p[k] <= '9'; k++) {
			if (++d > 3)
				return (0);
			x = x * 10 + (p[k] - '0');
		}
		if (k >= len)
			return (0);
		v[n++] = d > 0 ? x : -1;
		if (p[k] == 'm')
			break;
		if (p[k] != ';' || n == EMU_VTERM_ARGS - 1)
			return (0);
		k++;
	}
	for (a = 0; a < n; a++) {
		x = v[a];
		if (x <= 0) {
			np.fg = np.bg = FB_COLOR_DEFAULT;
			np.attr = 0;
			s = EMU_PEN_RESET;
		} else if (x == 2)
			np.attr |= FB_FAINT;
		else if (x == 22) {
			np.attr &= ~(FB_BOLD | FB_FAINT);
			s |= EMU_PEN_BOLD;
		} else if (x == 4 || x == 21 || x == 24) {
			np.attr &= ~FB_UNDERLINE_MASK;
			np.attr |= (uint16_t)((x == 4 ? 1 : x == 21 ? 2 : 0) <<
			    FB_UNDERLINE_SHIFT);
			s |= EMU_PEN_UNDERLINE;
		} else if (x < 30 && (bit = emu_sgr_bit(x)) != 0) {
			if (x < 10)
				np.attr |= (uint16_t)bit;
			else
				np.attr &= (uint16_t)~bit;
			s |= emu_pen_part((uint16_t)bit);
		} else if ((x >= 30 && x <= 37) || (x >= 90 && x <= 97)) {
			np.fg = FB_COLOR_IDX(x < 90 ? x - 30 : x - 90 + 8);
			s |= EMU_PEN_FG;
		} else if ((x >= 40 && x <= 47) || (x >= 100 && x <= 107)) {
			np.bg = FB_COLOR_IDX(x < 100 ? x - 40 : x - 100 + 8);
			s |= EMU_PEN_BG;
		} else if (x == 39 || x == 49) {
			if (x == 39)
				np.fg = FB_COLOR_DEFAULT;
			else
				np.bg = FB_COLOR_DEFAULT;
			s |= x == 39 ? EMU_PEN_FG : EMU_PEN_BG;
		} else if (x == 38 || x == 48) {
			if ((d = emu_sgr_ext(v, a, n, &c)) == 0)
				return (0);
			if (x == 38)
				np.fg = c;
			else
				np.bg = c;
			s |= x == 38 ? EMU_PEN_FG : EMU_PEN_BG;
			a += d - 1;
		} else
			return (0);
	}
	*pen = np;
	*set = s;
	return (k + 1 - i);
}

/* Appends SGR 38 or 48 (base) setting colour c to s. */
static size_t
emu_sgr_color(char *s, int base, uint32_t c)
{
	if (c == FB_COLOR_DEFAULT)
		return ((size_t)sprintf(s, "%d;", base + 1));
	if (FB_COLOR_TYPE(c) == FB_COLOR_PALETTE)
		return ((size_t)sprintf(s, "%d;5;%u;", base, c & 0xff));
	return ((size_t)sprintf(s, "%d;2;%u;%u;%u;", base, (c >> 16) & 0xff,
	    (c >> 8) & 0xff, c & 0xff));
}

/*
 * Gives libvterm the pen a fast run left (set: what its SGRs set, as
 * emu_fast_sgr noted), as one or two SGRs that set those parts of its
 * pen to what the run set them to, after an SGR 0 if the run had one:
 * its pen then is what the run's own SGRs would have made it (the font,
 * which the run never sets, included), for what reads it later (DECSC,
 * DECRQSS). Its callbacks set e->pen to what it already is.
 */
static void
emu_fast_pen(struct emu *e, unsigned set)
{
	static const uint16_t	 bits[] = { FB_BOLD, FB_ITALIC, FB_BLINK,
				    FB_REVERSE, FB_STRIKE, FB_CONCEAL };
	static const char	 on[] = { 1, 3, 5, 7, 9, 8 };
	static const char	 off[] = { 22, 23, 25, 27, 29, 28 };
	const struct fb_pen	*pen = &e->pen;
	char			 s[128];
	size_t			 n = 2;
	unsigned		 k, ul;

	memcpy(s, "\033[", 2);
	if (set & EMU_PEN_RESET) {
		/* Back to libvterm's default, then what is not. */
		n += (size_t)sprintf(s + n, "0;");
		set = 0;
		for (k = 0; k < sizeof bits / sizeof bits[0]; k++)
			if (pen->attr & bits[k])
				set |= emu_pen_part(bits[k]);
		if (pen->attr & FB_UNDERLINE_MASK)
			set |= EMU_PEN_UNDERLINE;
		if (pen->fg != FB_COLOR_DEFAULT)
			set |= EMU_PEN_FG;
		if (pen->bg != FB_COLOR_DEFAULT)
			set |= EMU_PEN_BG;
	}
	for (k = 0; k < sizeof bits / sizeof bits[0]; k++) {
		if (set & emu_pen_part(bits[k]))
			n += (size_t)sprintf(s + n, "%d;", (pen->attr &
			    bits[k]) ? on[k] : off[k]);
	}
	if (set & EMU_PEN_UNDERLINE) {
		ul = (pen->attr & FB_UNDERLINE_MASK) >> FB_UNDERLINE_SHIFT;
		n += (size_t)sprintf(s + n, "%d;", ul == 1 ? 4 : ul == 2 ?
		    21 : 24);
	}
	/* At most 16 arguments to a CSI: the colours in a second one. */
	if (set & (EMU_PEN_FG | EMU_PEN_BG)) {
		if (n > 2) {
			s[n - 1] = 'm';
			memcpy(s + n, "\033[", 2);
			n += 2;
		}
		if (set & EMU_PEN_FG)
			n += emu_sgr_color(s + n, 38, pen->fg);
		if (set & EMU_PEN_BG)
			n += emu_sgr_color(s + n, 48, pen->bg);
	}
	if (n == 2)
		return;
	s[n - 1] = 'm';
	vterm_input_write(e->vt, s, n);
}

/* A line feed at the bottom of the screen, as libvterm would scroll. */
static void
emu_fast_scroll(struct emu *e)
{
	emu_scrollrect((VTermRect){ .start_row = 0, .end_row = e->fb->rows,
	    .start_col = 0, .end_col = e->fb->cols }, 1, 0, e);
}

/*
 * The fast path's autowrap: the next row (scrolling at the bottom), the
 * one left marked as continued, as emu_putglyph_slow marks it.
 */
static void
emu_fast_wrap(struct emu *e, int *y)
{
	if (*y == e->fb->rows - 1)
		emu_fast_scroll(e);
	else
		(*y)++;
	if (*y > 0)
		fb_row_mut(e->fb, *y - 1)->wrapped = 1;
}

/*
 * The fast path: a run of printable ASCII, CR, LF and the simple SGRs
 * emu_fast_sgr takes (a coloured line changes colour every word) from
 * p[i] written straight into the framebuffer, where libvterm would spend
 * a callback on every character and parse every SGR. Only when libvterm
 * would do exactly this: ASCII in GL (e->block and e->g say so), no
 * insert or newline mode, autowrap on, no origin mode, margins or scroll
 * region, no double-width row, and a cursor that cannot be in the
 * pending-wrap state (two or more columns from the edge). libvterm gets
 * the run's first printable character, as it would (its decoder is
 * between characters: emu_utf8_seq). The run's wraps, with their pending
 * state at the last column (which a line feed at the bottom keeps, as
 * libvterm does), and its scrolls (through emu_scrollrect, so scrollback
 * gets its rows as always) are done here; libvterm then gets the pen the
 * run's SGRs left (emu_fast_pen), the cursor where the last printable
 * character goes, and that character and what follows it (line ends; an
 * SGR after it is not the run's), in one write with the text after the
 * run if that goes on (libvterm picks a decoder per write by its first
 * byte), which leaves its cursor, pending wrap, last glyph (for REP and
 * combining characters) and decoders as if it had seen the whole run.
 * Returns where the run ends, or i when it was not taken; then *skip is
 * where the run ends if it was too short (or its first SGR, which the
 * scanner must see), so nothing before it needs another look, or i.
 */
static size_t
emu_fast(struct emu *e, const uint8_t *p, size_t i, size_t len, size_t *fed,
    size_t *skip)
{
	struct fb	*fb = e->fb;
	VTermPos	 pos;
	struct fb_row	*r;
	struct fb_cell	*cell;
	struct fb_pen	 pen;
	size_t		 k, j, first, last = (size_t)-1, tail = 0;
	size_t		 esc = (size_t)-1;
	char		 s[32];
	int		 x, y, n, wrap = 0, cols = fb->cols, rows = fb->rows;
	unsigned	 set = 0;
	uint8_t		 c;

	for (k = i; k < len && (p[k] == '\r' || p[k] == '\n'); k++)
		;
	first = k;
	pen = e->pen;
	for (; k < len; k++) {
		c = p[k];
		if (c >= 0x20 && c < 0x7f)
			last = k;
		else if (c == '\r' || c == '\n')
			continue;
		else if (c == 0x1b && k > first &&
		    (n = (int)emu_fast_sgr(p, k, len, &pen, &set)) > 0) {
			/* The first SGR since the last character (k > last). */
			if (tail <= last)
				tail = k;
			if (esc == (size_t)-1)
				esc = k;
			k += (size_t)n - 1;
		} else
			break;
	}
	/* SGRs that no character follows are not the run's. */
	if (tail > last && last != (size_t)-1)
		k = tail;
	*skip = i;
	if (last == (size_t)-1 || first == last ||
	    (e->fast != EMU_FAST_ALWAYS && last - first < EMU_FAST_MIN)) {
		/* The scanner must see the SGRs. */
		*skip = esc < k ? esc : k;
		return (i);
	}
	/* libvterm must have everything before the run, held bytes too. */
	if (*fed == i && e->hold.len > 0)
		return (i);
	emu_feed(e, p, fed, first + 1);
	vterm_state_get_cursorpos(e->st, &pos);
	x = pos.col;
	y = pos.row;
	if (cols < 4 || x < 0 || x > cols - 3 || y < 0 || y >= rows ||
	    (e->dwl && emu_dwl_any(e)))
		return (i);
	set = 0;
	for (j = first + 1; j < last; j++) {
		c = p[j];
		if (c == '\r') {
			x = 0;
			wrap = 0;
			continue;
		}
		if (c == '\n') {
			/* libvterm cancels a pending wrap only if it moved. */
			if (y == rows - 1)
				emu_fast_scroll(e);
			else {
				y++;
				wrap = 0;
			}
			continue;
		}
		if (c == 0x1b) {
			j += emu_fast_sgr(p, j, len, &e->pen, &set) - 1;
			continue;
		}
		if (wrap) {
			emu_fast_wrap(e, &y);
			x = 0;
			wrap = 0;
		}
		/*
		 * The characters from here to a control, the run's last or
		 * the end of the row, into a row made private once.
		 */
		r = fb_row_mut(fb, y);
		for (;;) {
			cell = &r->cells[x];
			if (cell->attr & (FB_WIDE | FB_CONT))
				fb_put_cp(fb, x, y, c, &e->pen);
			else {
				cell->cp = c;
				cell->fg = e->pen.fg;
				cell->bg = e->pen.bg;
				cell->attr = e->pen.attr;
				cell->comb = 0;
			}
			if (x == cols - 1) {
				wrap = 1;
				break;
			}
			x++;
			if (j + 1 >= last || (c = p[j + 1]) < 0x20 || c >= 0x7f)
				break;
			j++;
		}
		if (r->used < x + wrap)
			r->used = x + wrap;
	}
	/* The last character wraps first, if it does, then goes to libvterm. */
	if (wrap) {
		emu_fast_wrap(e, &y);
		x = 0;
	}
	e->wrapcand = 0;
	if (set != 0)
		emu_fast_pen(e, set);
	n = snprintf(s, sizeof s, "\033[%d;%dH", y + 1, x + 1);
	vterm_input_write(e->vt, s, (size_t)n);
	*fed = last;
	if (k == len || p[k] < 0x80)
		emu_feed(e, p, fed, k);
	return (k);
}

/*
 * Text from p[i] up to the next ESC, whose offset it returns (len if
 * none): through the fast path where it may go, and otherwise left for
 * libvterm, watching only for what the fast path must know (SO, SI, the
 * end of a single shift). After a line feed the fast path is tried again.
 * One pass over the bytes: looking for ESC, SO and SI each with memchr
 * scanned the text to the next ESC again after every shift, which text
 * drawn with SO and SI (screen's and tmux's smacs and rmacs) made
 * quadratic.
 */
static size_t
emu_text(struct emu *e, const uint8_t *p, size_t i, size_t len, size_t *fed)
{
	size_t		 j, skip;
	uint8_t		 c;
	int		 ok;

	for (;;) {
		ok = e->fast != EMU_FAST_OFF && e->block == 0 &&
		    e->g[e->gl] == 'B';
		if (ok) {
			if ((j = emu_fast(e, p, i, len, fed, &skip)) > i) {
				i = j;
				continue;
			}
			if ((i = skip) >= len)
				return (len);
		}
		for (; i < len; i++) {
			c = p[i];
			if (c > 0x20) {
				/* A single shift applies to this one at most. */
				if (c < 0x7f)
					e->block &= ~EMU_BLOCK_SS;
				else if (c >= 0xc0)
					i = emu_utf8_seq(e, p, i, len, fed);
				continue;
			}
			if (c == 0x1b)
				return (i);
			if (c == 0x0e || c == 0x0f) {
				emu_track_shift(e, c == 0x0e, 0);
				i++;
				break;
			}
			if (c == '\n' && ok) {
				i++;
				break;
			}
		}
		if (i >= len)
			return (len);
	}
}

/*
 * Bytes from the application (the pty), in any pieces.
 *
 * libvterm 0.1.4 keeps a CSI or an escape that is cut between two writes,
 * but not everything: an OSC or DCS string loses the part written before
 * the cut (its parser keeps no partial string), so a split title never
 * arrives; and an unfinished UTF-8 character at the end of a write is
 * lost when the text run it ends began with an ASCII byte (the run is
 * decoded as G0 and the UTF-8 decoder's state is not carried over), so
 * "x" + "\xe6\x97" then "\xa5" shows U+FFFD. So what ends a write
 * unfinished (a string sequence, or a character in text) is held back
 * and handed over with the next write: libvterm sees only cuts that it
 * handles, and any split of the input has the same effect as none.
 */
void
emu_input(struct emu *e, const uint8_t *p, size_t len)
{
	size_t		 i, fed, seq = 0, keep;
	uint8_t		 c;

	i = fed = emu_utf8_held(e, p, len);
	while (i < len) {
		if (e->sc == SC_GROUND) {
			if (emu_due(e)) {
				emu_feed(e, p, &fed, i);
				emu_between(e);
			}
			if ((i = emu_text(e, p, i, len, &fed)) >= len)
				break;
			seq = i++;
			e->sc = SC_ESC;
			continue;
		}
		c = p[i++];
		/*
		 * libvterm carries out SO and SI wherever they are, but in
		 * SOS from 0.2 on (which 0.1 does not parse as a string), and
		 * in what this scanner drops.
		 */
		if ((c == 0x0e || c == 0x0f) && e->sc != SC_CSI_DROP)
			emu_track_shift(e, c == 0x0e, (e->sc == SC_STR ||
			    e->sc == SC_STR_ESC) && !e->str_dcs);
		switch (e->sc) {
		case SC_ESC:
			/*
			 * libvterm stays in its escape state over these, so
			 * this scanner does, or ESC 0xcf [ b would be a REP
			 * to libvterm and text here.
			 */
			if (emu_esc_passes(c))
				break;
			e->sc = SC_GROUND;
			if (emu_scan_open(e, c))
				;
			else if (c == 'X' || c == '^' || c == '_') {
				e->sc = SC_STR;
				e->str_dcs = 0;
			} else if (c >= 0x20 && c <= 0x2f) {
				e->sc = SC_ESC_INT;
				e->scs = c >= '(' && c <= '+' ? c - '(' + 1 : 0;
				e->esc_sp = c == ' ';
			} else if (c == '7')
				emu_track_save(e);		/* DECSC */
			else if (c == '8') {
				e->fixup |= EMU_FIX_CURSOR;	/* DECRC */
				emu_feed(e, p, &fed, i);
				emu_track_restore(e);
			} else if (c == 'n' || c == 'o') {
				e->gl = c == 'n' ? 2 : 3;	/* LS2, LS3 */
				e->block &= ~EMU_BLOCK_GL;
			} else if (c == 'N' || c == 'O')
				e->block |= EMU_BLOCK_SS;	/* SS2, SS3 */
			else if (c == '=')
				e->fb->modes |= FB_MODE_APPKEYPAD;
			else if (c == '>')
				e->fb->modes &= ~FB_MODE_APPKEYPAD;
			else if (c == 'c') {
				emu_feed(e, p, &fed, i);
				emu_release(e);
				e->fb->modes &= ~EMU_SCAN_MODES;
				e->fb->cursor.style = 0;
				e->pen.attr &= ~(FB_FAINT | FB_CONCEAL);
				emu_track_reset(e, 1);
				e->c1 = 0;
			} else if (c == 0x1b) {
				e->sc = SC_ESC;
				seq = i - 1;
			}
			break;
		case SC_ESC_INT:
			/* libvterm starts a CSI, OSC or DCS here too. */
			if (c == 0x1b) {
				e->sc = SC_ESC;
				seq = i - 1;
			} else if (emu_scan_open(e, c))
				;
			else if (emu_esc_passes(c))
				break;
			else if (c >= 0x30 || c == 0x18 || c == 0x1a) {
				/* SCS: the sets libvterm knows; others kept. */
				if (e->scs > 0 && (c == 'B' || c == '0' ||
				    c == 'A'))
					e->g[e->scs - 1] = c;
				/* S7C1T, S8C1T: how libvterm's replies begin. */
				if (e->esc_sp && (c == 'F' || c == 'G'))
					e->c1 = c == 'G';
				e->sc = SC_GROUND;
			} else {
				e->scs = 0;	/* a second intermediate */
				e->esc_sp = 0;
			}
			break;
		case SC_CSI:
			if (c >= 0x40 && c <= 0x7e) {
				e->sc = SC_GROUND;
				emu_csi_done(e, c, p, i, &fed);
			} else if (c == 0x1b) {
				e->sc = SC_ESC;
				seq = i - 1;
			} else if (c == 0x18 || c == 0x1a)
				e->sc = SC_GROUND;
			else if (c < 0x20 || c == 0x7f)
				;	/* carried out or dropped by libvterm */
			else if (!emu_csi_byte(e, c))
				e->sc = SC_GROUND;
			else if (emu_csi_too_much(e, c)) {
				/*
				 * libvterm (0.1.4 to 0.3.3) stores CSI
				 * arguments in an array of 16 without a bound:
				 * the 16th separator writes past it, into the
				 * parser's own pointers (a crash, or worse, on
				 * \e[1;;;;;;;;;;;;;;;;m from any program); and
				 * an argument of 19 digits overflows its long
				 * (undefined; UBSan stops the sanitizer
				 * builds' holder on \e[99999999999999999999m).
				 * It gets CAN instead, and the rest of the
				 * sequence is dropped here, as tmux ignores a
				 * sequence with an argument out of range.
				 */
				emu_cancel(e, p, &fed, i);
				e->sc = SC_CSI_DROP;
			} else if (e->csilen < sizeof e->csi)
				e->csi[e->csilen++] = (char)c;
			else
				e->csi_over = 1;
			break;
		case SC_CSI_DROP:
			/* Up to where libvterm would have ended the CSI. */
			fed = i;
			if ((c >= 0x40 && c <= 0x7e) || c == 0x18 || c == 0x1a)
				e->sc = SC_GROUND;
			else if (c == 0x1b) {
				fed = i - 1;
				e->sc = SC_ESC;
				seq = i - 1;
			} else if (c >= 0x20 && c != 0x7f && !emu_csi_byte(e, c))
				e->sc = SC_GROUND;
			break;
		case SC_OSC:
		case SC_STR:
			if (c == 0x07 || c == 0x18 || c == 0x1a) {
				if (e->sc == SC_OSC && c == 0x07)
					emu_osc_done(e);
				else if (c == 0x07 && e->str_dcs)
					emu_dcs_done(e, p, &fed, i);
				e->sc = SC_GROUND;
			} else if (c == 0x1b) {
				e->sc = e->sc == SC_OSC ? SC_OSC_ESC :
				    SC_STR_ESC;
			}
			else if (e->sc == SC_OSC)
				emu_osc_byte(e, c);
			else if (!e->str_dcs) {
				if (VT_STR_TEXT && c >= 0xc0)
					i = emu_utf8_seq(e, p, i - 1, len,
					    &fed) + 1;
			} else if (e->dcslen < sizeof e->dcs && c >= 0x20 &&
			    c != 0x7f)
				e->dcs[e->dcslen++] = c;	/* not C0 */
			break;
		case SC_OSC_ESC:
		case SC_STR_ESC:
			if (c == '\\') {
				if (e->sc == SC_OSC_ESC)
					emu_osc_done(e);
				else if (e->str_dcs)
					emu_dcs_done(e, p, &fed, i);
				e->sc = SC_GROUND;
			} else if (emu_esc_passes(c)) {
				/*
				 * libvterm 0.1 carries out a C0 control, NUL
				 * or DEL after a string's ESC and stays there,
				 * then ends the string at \ with a length of
				 * -1: it read past the write (ASan, fuzz-emu-
				 * fast: \eP\e\x1c\\). It gets CAN, which drops
				 * the string, and the ESC again, as the scanner
				 * sees it: an ESC that starts a new sequence.
				 */
				emu_feed_all(e, p, &fed, i - 1);
				vterm_input_write(e->vt, "\030\033", 2);
				e->sc = SC_ESC;
				i--;
				seq = i > 0 ? i - 1 : 0;
			} else {
				/* Not ST: the ESC starts a new sequence. */
				e->sc = SC_ESC;
				i--;
				seq = i > 0 ? i - 1 : 0;
			}
			break;
		case SC_GROUND:
			break;
		}
	}
	if (emu_in_text(e) && e->hold.len > 0) {
		/*
		 * Nothing fed yet (a feed empties hold), and the character
		 * cut at the end may have begun in the held bytes.
		 */
		fb_text_add(&e->hold, p, len);
		keep = emu_utf8_tail((const uint8_t *)e->hold.p, e->hold.len);
		if (keep > 0) {
			vterm_input_write(e->vt, e->hold.p, keep);
			memmove(e->hold.p, e->hold.p + keep,
			    e->hold.len - keep);
			e->hold.len -= keep;
		}
		if (e->sc == SC_GROUND && emu_due(e))
			emu_between(e);
		return;
	}
	switch (e->sc) {
	case SC_GROUND:
		keep = emu_utf8_tail(p, len);
		break;
	case SC_OSC:
	case SC_OSC_ESC:
		keep = seq;
		break;
	case SC_STR:
	case SC_STR_ESC:
		/*
		 * libvterm 0.1 parses only DCS as a string; SOS, PM and APC
		 * it does not hold, so neither do we: an unfinished one
		 * would otherwise keep what follows from the screen. To 0.1
		 * their bytes are text: a character cut at the end waits.
		 */
		keep = e->str_dcs ? seq : emu_in_text(e) ? emu_utf8_tail(p,
		    len) : len;
		break;
	default:
		keep = len;
		break;
	}
	/* A string too long to hold is libvterm's to lose. */
	if (e->hold.len + (len - keep) > EMU_HOLD_MAX) {
		keep = len;
		e->str_fed = 1;
	}
	emu_feed(e, p, &fed, keep);
	if (keep < len)
		fb_text_add(&e->hold, p + keep, len - keep);
	if (e->sc == SC_GROUND && emu_due(e))
		emu_between(e);
}

/*
 * Whether libvterm is between sequences: the scanner is, or it is inside
 * an OSC or DCS string that emu_input holds back whole until its end
 * (libvterm has had none of it).
 */
static int
emu_vt_between(const struct emu *e)
{
	switch (e->sc) {
	case SC_GROUND:
		return (1);
	case SC_OSC:
	case SC_OSC_ESC:
		return (!e->str_fed);
	case SC_STR:
	case SC_STR_ESC:
		return (e->str_dcs && !e->str_fed);
	default:
		return (0);
	}
}

/*
 * Changes the size; content is kept (see emu_resize_cb). Inside a
 * sequence libvterm has begun, the change waits for its end
 * (emu_between): libvterm carries out the sequence's end, and any line
 * feed in it, at the size it began in. At the new size, with the region
 * a shrink left below the last row and before emu_fixup could reset it,
 * `\e[2` resize `S`, or a line feed inside a CSI, scrolled that region: a
 * negative memmove in libvterm 0.1 and 0.3 alike (fuzz-emu,
 * fuzz/regress/fuzz-emu/resize-in-csi). A CSI or escape ends at the
 * program's next byte that is not part of one; an OSC or DCS string may
 * stay open far longer (a title cut off), but libvterm has had none of
 * it, so the size applies at once. Only a string too long to hold, or
 * an SOS, PM or APC, which libvterm is fed as it comes, keeps the old
 * size until it ends, as a terminal would wait for its end.
 */
void
emu_resize(struct emu *e, int cols, int rows)
{
	e->want_cols = emu_clamp(cols, FB_MAX_COLS);
	e->want_rows = emu_clamp(rows, FB_MAX_ROWS);
	if (emu_vt_between(e))
		emu_between(e);
	/* The program redraws for the new size: what was held is stale. */
	emu_release(e);
}

/* The screen as the client should show it. */
const struct fb *
emu_screen(const struct emu *e)
{
	return (e->fb);
}

/*
 * While a synchronized update is open (emu_sync), the screen the clients
 * should see, with the scrollback's total then in *total and the number
 * of updates begun so far in *gen (a new one is a new value); else NULL.
 */
const struct fb *
emu_held(const struct emu *e, uint64_t *total, uint64_t *gen)
{
	if (e->held == NULL)
		return (NULL);
	*total = e->held_total;
	*gen = e->held_gen;
	return (e->held);
}

/* Ends a synchronized update: the clients see the screen as it is. */
void
emu_release(struct emu *e)
{
	fb_free(e->held);
	e->held = NULL;
}

/* The window title (OSC 0/2); never NULL. */
const char *
emu_title(const struct emu *e)
{
	return (e->fb->title);
}

/* The scrollback store, for pushing lines to clients. */
const struct scrollback *
emu_scrollback(const struct emu *e)
{
	return (e->sb);
}

/*
 * Whether scrollback lines wait to be encoded (emu_settle), with what
 * they take in *bytes if bytes is not NULL.
 */
size_t
emu_pending(const struct emu *e, size_t *bytes)
{
	return (sb_pending(e->sb, bytes));
}

/* Encodes the scrollback lines still held as copies: the output paused. */
void
emu_settle(struct emu *e)
{
	sb_settle(e->sb);
}

/*
 * What `lnsh capture` prints: the last sblines of scrollback (0 none, -1
 * all) then every screen row, one per line, trailing blanks trimmed, as
 * text (escapes 0) or with SGR escapes (1). *out is NUL-terminated and
 * allocated; the caller frees it.
 */
int
emu_capture(const struct emu *e, long sblines, int escapes, char **out,
    size_t *len)
{
	struct fb_text	 t = { NULL, 0, 0 };
	size_t		 count = sb_count(e->sb), from, i;
	int		 y;

	if (sblines < 0 || (unsigned long)sblines >= count)
		from = 0;
	else
		from = count - (size_t)sblines;
	if (sblines == 0)
		from = count;
	fb_text_add(&t, "", 0);
	for (i = from; i < count; i++) {
		(void)sb_line(e->sb, i, escapes, &t);
		fb_text_add(&t, "\n", 1);
	}
	for (y = 0; y < e->fb->rows; y++) {
		fb_row_text(&t, e->fb->row[y], escapes);
		fb_text_add(&t, "\n", 1);
	}
	*out = t.p;
	*len = t.len;
	return (0);
}
