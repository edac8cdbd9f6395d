/*
 * test_emu.c: real escape sequences through the emulator, checked on the
 * captured screen: colours, cursor motion, regions, insert and delete,
 * the alternate screen, titles, replies to DA and DSR, modes.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "vterm.h"

#include "proto.h"
#include "fb.h"
#include "holder.h"

struct reply {
	char	buf[256];
	size_t	len;
};

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

/* Feeds a C string. */
static void
feed(struct emu *e, const char *s)
{
	emu_input(e, (const uint8_t *)s, strlen(s));
}

/* Asserts the captured screen (no scrollback) equals want. */
static void
assert_screen(struct emu *e, long sb, int esc, const char *want)
{
	char	*out;
	size_t	 len;

	assert_int_equal(emu_capture(e, sb, esc, &out, &len), 0);
	assert_int_equal(strlen(out), len);
	assert_string_equal(out, want);
	free(out);
}

/* Plain text, CR LF, cursor motion, erase. */
static void
test_text_and_motion(void **state)
{
	struct emu	*e = emu_new(10, 3, 100, NULL, NULL);

	feed(e, "hello\r\nworld\033[1;8HX\033[3;2Hy");
	assert_screen(e, 0, 0, "hello  X\nworld\n y\n");
	feed(e, "\033[1;3H\033[K");
	assert_screen(e, 0, 0, "he\nworld\n y\n");
	feed(e, "\033[2J\033[H\tT");
	assert_screen(e, 0, 0, "        T\n\n\n");
	emu_free(e);
}

/* Scrolling fills the scrollback; capture reads it back. */
static void
test_scroll_and_capture(void **state)
{
	struct emu	*e = emu_new(10, 3, 100, NULL, NULL);
	int		 i;
	char		 s[16];

	for (i = 1; i <= 6; i++) {
		snprintf(s, sizeof s, "%d\r\n", i);
		feed(e, s);
	}
	assert_screen(e, 0, 0, "5\n6\n\n");
	assert_screen(e, -1, 0, "1\n2\n3\n4\n5\n6\n\n");
	assert_screen(e, 2, 0, "3\n4\n5\n6\n\n");
	emu_free(e);
}

/* SGR colours: 16, 256 and truecolor, attributes, captured as escapes. */
static void
test_colours(void **state)
{
	struct emu	*e = emu_new(20, 2, 100, NULL, NULL);
	const struct fb	*fb;

	feed(e, "\033[1;31mR\033[0;38;5;200mP\033[38;2;1;2;3;48;5;4mT\033[m.");
	fb = emu_screen(e);
	assert_int_equal(fb->row[0]->cells[0].fg, FB_COLOR_IDX(1));
	assert_true(fb->row[0]->cells[0].attr & FB_BOLD);
	assert_int_equal(fb->row[0]->cells[1].fg, FB_COLOR_IDX(200));
	assert_int_equal(fb->row[0]->cells[2].fg, FB_COLOR_RGB3(1, 2, 3));
	assert_int_equal(fb->row[0]->cells[2].bg, FB_COLOR_IDX(4));
	assert_screen(e, 0, 1, "\033[0;1;31mR\033[0;38;5;200mP"
	    "\033[0;38;2;1;2;3;44mT\033[0m.\n\n");
	/* Faint and conceal, which libvterm drops, and 38;5;2 is no faint. */
	feed(e, "\r\n\033[2ma\033[22;8mb\033[28;38;5;2mc");
	fb = emu_screen(e);
	assert_int_equal(fb->row[1]->cells[0].attr, FB_FAINT);
	assert_int_equal(fb->row[1]->cells[1].attr, FB_CONCEAL);
	assert_int_equal(fb->row[1]->cells[2].attr, 0);
	/* "2;" ends with an empty argument: a reset, as libvterm reads it. */
	feed(e, "\033[2;mx\033[8;1;mx");
	fb = emu_screen(e);
	assert_int_equal(fb->row[1]->cells[3].attr, 0);
	assert_int_equal(fb->row[1]->cells[4].attr, 0);
	emu_free(e);
}

/* CSI r regions, IL/DL, ICH/DCH. */
static void
test_regions_insert_delete(void **state)
{
	struct emu	*e = emu_new(8, 5, 100, NULL, NULL);

	feed(e, "a\r\nb\r\nc\r\nd\r\ne");
	feed(e, "\033[2;4r\033[4;1H\n");		/* scroll inside 2-4 */
	assert_screen(e, 0, 0, "a\nc\nd\n\ne\n");
	assert_screen(e, -1, 0, "a\nc\nd\n\ne\n");	/* nothing pushed */
	feed(e, "\033[r\033[2;1H\033[L");		/* IL */
	assert_screen(e, 0, 0, "a\n\nc\nd\n\n");
	feed(e, "\033[1;1H\033[M");			/* DL */
	assert_screen(e, 0, 0, "\nc\nd\n\n\n");
	feed(e, "\033[1;1Habcdef\033[1;2H\033[2P");	/* DCH */
	assert_screen(e, 0, 0, "adef\nc\nd\n\n\n");
	feed(e, "\033[1;2H\033[3@");			/* ICH */
	assert_screen(e, 0, 0, "a   def\nc\nd\n\n\n");
	emu_free(e);
}

/* ?1049h/l: the alternate screen records no scrollback. */
static void
test_altscreen(void **state)
{
	struct emu	*e = emu_new(10, 2, 100, NULL, NULL);

	feed(e, "shell$ ");
	feed(e, "\033[?1049h\033[Hvim");
	assert_true(emu_screen(e)->modes & FB_MODE_ALTSCREEN);
	assert_screen(e, 0, 0, "vim\n\n");
	feed(e, "\r\n1\r\n2\r\n3\r\n4");
	assert_screen(e, -1, 0, "3\n4\n");
	feed(e, "\033[?1049l");
	assert_false(emu_screen(e)->modes & FB_MODE_ALTSCREEN);
	assert_screen(e, -1, 0, "shell$\n\n");
	emu_free(e);
}

/* Wide characters, combining characters, autowrap marks the row. */
static void
test_utf8_and_wrap(void **state)
{
	struct emu	*e = emu_new(5, 3, 100, NULL, NULL);
	const struct fb	*fb;

	feed(e, "\xe4\xb8\xad" "e\xcc\x81" "abcd");
	assert_screen(e, 0, 0, "\xe4\xb8\xad" "e\xcc\x81" "ab\ncd\n\n");
	fb = emu_screen(e);
	assert_true(fb->row[0]->cells[0].attr & FB_WIDE);
	assert_true(fb->row[0]->wrapped);
	assert_false(fb->row[1]->wrapped);
	/* A wide character that does not fit at the last column wraps. */
	feed(e, "\r\n1234\xe4\xb8\xad");
	assert_screen(e, 0, 0, "cd\n1234\n\xe4\xb8\xad\n");
	assert_screen(e, -1, 0, "\xe4\xb8\xad" "e\xcc\x81" "ab\ncd\n1234\n"
	    "\xe4\xb8\xad\n");
	emu_free(e);
}

/*
 * DECSC saves the character sets and DECRC puts them back (a VT100's
 * and xterm's DECSC, what vttest's menu 2 checks): a line of DEC
 * graphics interrupted by a DECSC, an ASCII 'A' elsewhere, and a DECRC
 * goes on as graphics. libvterm alone drew the second half as plain q.
 */
static void
test_decsc_charsets(void **state)
{
	static const char *tail = "\033[1;10HA\0338qq";
	struct emu	*e = emu_new(20, 3, 100, NULL, NULL);
	int		 k;

	/* vttest: cup, scs_graphics, qqqqq, decsc, cup, scs_normal, A... */
	feed(e, "\033[2;3H\033(0qqqqq\0337\033[1;1H\033(BA\0338qqqqq");
	assert_screen(e, 0, 0, "A\n  "
	    "\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"
	    "\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"
	    "\xe2\x94\x80\xe2\x94\x80\n\n");
	/* The other way round, with G1 shifted in (SO) and 1048. */
	feed(e, "\033[2J\033[H\033(B\033)0\017\033[?1048hx\016q\033[?1048lq"
	    "\017");
	assert_screen(e, 0, 0, "q\xe2\x94\x80\n\n\n");
	/*
	 * RIS forgets the saved sets: DECRC then restores ASCII (and, in
	 * libvterm, the saved column).
	 */
	feed(e, "\033(0\0337\033c\0338q");
	assert_screen(e, 0, 0, " q\n\n\n");
	/* Every split of the vttest line gives the same screen. */
	for (k = 1; k < (int)strlen(tail); k++) {
		emu_free(e);
		e = emu_new(20, 3, 100, NULL, NULL);
		feed(e, "\033(0qq\0337\033(B");
		emu_input(e, (const uint8_t *)tail, (size_t)k);
		emu_input(e, (const uint8_t *)tail + k, strlen(tail) - (size_t)k);
		assert_screen(e, 0, 0, "\xe2\x94\x80\xe2\x94\x80"
		    "\xe2\x94\x80\xe2\x94\x80     A\n\n\n");
	}
	emu_free(e);
}

/* DA and DSR/CPR are answered through the emu_reply_fn. */
static void
test_replies(void **state)
{
	struct reply	 r = { "", 0 };
	struct emu	*e = emu_new(20, 5, 100, reply_cb, &r);

	feed(e, "\033[3;7H\033[6n");
	assert_string_equal(r.buf, "\033[3;7R");
	r.len = 0;
	feed(e, "\033[c");
	assert_true(r.len > 3);
	assert_memory_equal(r.buf, "\033[?", 3);
	emu_free(e);
}

/* OSC 0/2 titles, bell, OSC 52, and the modes a client mirrors. */
static void
test_title_bell_modes(void **state)
{
	struct emu	*e = emu_new(20, 5, 100, NULL, NULL);
	const struct fb	*fb = emu_screen(e);

	feed(e, "\033]2;my title\007");
	assert_string_equal(emu_title(e), "my title");
	feed(e, "\033]0;other\033\\");
	assert_string_equal(emu_title(e), "other");
	feed(e, "\007\007");
	assert_int_equal(emu_screen(e)->bells, 2);
	feed(e, "\033]52;c;aGVsbG8=\007");
	assert_int_equal(fb->cliplen, strlen("c;aGVsbG8="));
	assert_memory_equal(fb->clip, "c;aGVsbG8=", fb->cliplen);
	feed(e, "\033]52;c;?\007");		/* a query is not kept */
	assert_memory_equal(fb->clip, "c;aGVsbG8=", fb->cliplen);
	feed(e, "\033[?1h\033=\033[?2004h\033[?1002h\033[?1006h\033[?25l");
	fb = emu_screen(e);
	assert_true(fb->modes & FB_MODE_APPCURSOR);
	assert_true(fb->modes & FB_MODE_APPKEYPAD);
	assert_true(fb->modes & FB_MODE_BRACKETPASTE);
	assert_true(fb->modes & FB_MODE_MOUSE_DRAG);
	assert_true(fb->modes & FB_MODE_MOUSE_SGR);
	assert_false(fb->cursor.visible);
	/* Split across writes, byte by byte. */
	{
		const char	*s = "\033[?1l\033>\033[?2004l\033[?1002l"
		    "\033[?25h";

		for (; *s != '\0'; s++)
			emu_input(e, (const uint8_t *)s, 1);
	}
	fb = emu_screen(e);
	assert_int_equal(fb->modes & (FB_MODE_APPCURSOR | FB_MODE_APPKEYPAD |
	    FB_MODE_BRACKETPASTE | FB_MODE_MOUSE_DRAG), 0);
	assert_true(fb->cursor.visible);
	emu_free(e);
}

/*
 * DECSCUSR (CSI Ps SP q): the screen keeps Ps as the program sent it, 0
 * (the terminal's own style) included; the first parameter counts; a Ps
 * past 6, a leader or another intermediate change nothing; RIS puts 0
 * back; a sequence cut at every byte does what it does whole.
 */
static void
test_cursor_style(void **state)
{
	static const struct {
		const char	*in;
		int		 style;
	} t[] = {
		{ "\033[6 q", 6 },
		{ "\033[ q", 0 },
		{ "\033[2;9 q", 2 },
		{ "\033[0005 q", 5 },
		{ "\033[7 q", 5 },
		{ "\033[65541 q", 5 },
		{ "\033[?3 q", 5 },
		{ "\033[3! q", 5 },
		{ "\033[3 !q", 5 },
		{ "\033[4q", 5 },
		{ "\033[1 q", 1 },
		{ "\033c", 0 },
		{ "\033[3 q\033[!p", 3 },	/* DECSTR leaves it */
	};
	struct emu	*e = emu_new(20, 5, 100, NULL, NULL);
	size_t		 i;
	const char	*s = "x\033[4 qy";

	(void)state;
	assert_int_equal(emu_screen(e)->cursor.style, 0);
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		feed(e, t[i].in);
		if (emu_screen(e)->cursor.style != t[i].style) {
			print_error("after \"%s\"\n", t[i].in + 1);
			assert_int_equal(emu_screen(e)->cursor.style, t[i].style);
		}
	}
	feed(e, "\033c");
	for (; *s != '\0'; s++)
		emu_input(e, (const uint8_t *)s, 1);
	assert_int_equal(emu_screen(e)->cursor.style, 4);
	assert_screen(e, 0, 0, "xy\n\n\n\n\n");
	emu_free(e);
}

/* Row y of fb as text (fb_row_text cuts trailing blanks), in buf[64]. */
static const char *
fb_line(const struct fb *fb, int y, char *buf)
{
	struct fb_text	 t = { NULL, 0, 0 };

	fb_row_text(&t, fb->row[y], 0);
	fb_text_add(&t, "", 0);
	assert_true(t.len < 64);
	memcpy(buf, t.p, t.len + 1);
	free(t.p);
	return (buf);
}

/*
 * Synchronized update (DEC mode 2026): while one is open the clients get
 * the screen from before it (emu_held), with the scrollback's total
 * then; it ends on reset, RIS, a resize or emu_release; a second set
 * keeps the first screen; cut at every byte it does what it does whole.
 * DECRQM for the mode is answered here (1 set, 2 reset, 8-bit after
 * S8C1T), in its place among libvterm's answers, and libvterm adds no
 * answer of its own.
 */
static void
test_sync_update(void **state)
{
	struct reply	 r = { "", 0 };
	struct emu	*e = emu_new(20, 3, 100, reply_cb, &r);
	const struct fb	*h;
	uint64_t	 total, gen, gen1;
	char		 buf[64];
	const char	*s = "\033[?2026h";

	(void)state;
	assert_null(emu_held(e, &total, &gen));
	feed(e, "\033[?2026$p");
	assert_string_equal(r.buf, "\033[?2026;2$y");
	feed(e, "one\r\ntwo\r\nA\033[?2026hxyz\r\nmore\r\nlines");
	assert_non_null(h = emu_held(e, &total, &gen1));
	assert_string_equal(fb_line(h, 2, buf), "A");
	assert_int_equal(total, 0);
	assert_string_equal(fb_line(emu_screen(e), 2, buf), "lines");
	assert_int_equal(sb_total(emu_scrollback(e)), 2);
	r.len = 0;
	feed(e, "\033[?2026$p");
	assert_string_equal(r.buf, "\033[?2026;1$y");
	feed(e, "\033[?2026h!");		/* a second set: the same screen */
	assert_ptr_equal(emu_held(e, &total, &gen), h);
	assert_int_equal(gen, gen1);
	feed(e, "\033[?2026l");
	assert_null(emu_held(e, &total, &gen));
	r.len = 0;
	feed(e, "\033[?2026$p");
	assert_string_equal(r.buf, "\033[?2026;2$y");

	/* Another mode in the same DECSET counts, as xterm reads them. */
	feed(e, "\033[?25;2026h");
	assert_non_null(emu_held(e, &total, &gen));
	assert_true(gen > gen1);
	feed(e, "\033c");
	assert_null(emu_held(e, &total, &gen));
	feed(e, "\033[?2026h");
	emu_resize(e, 30, 4);
	assert_null(emu_held(e, &total, &gen));
	feed(e, "\033[?2026h");
	emu_release(e);
	assert_null(emu_held(e, &total, &gen));

	/* Byte by byte: held from the final byte on, with the A before. */
	feed(e, "\033c\033[?2026lA");
	for (; *s != '\0'; s++) {
		assert_null(emu_held(e, &total, &gen));
		emu_input(e, (const uint8_t *)s, 1);
	}
	feed(e, "B");
	assert_non_null(h = emu_held(e, &total, &gen));
	assert_string_equal(fb_line(h, 0, buf), "A");
	assert_string_equal(fb_line(emu_screen(e), 0, buf), "AB");

	/* After the answers to the queries before it, in one write. */
	r.len = 0;
	feed(e, "\033[5n\033[?2026$p\033[5n");
	assert_string_equal(r.buf, "\033[0n\033[?2026;1$y\033[0n");

	/* After S8C1T the answer uses 8-bit C1, as libvterm's own. */
	r.len = 0;
	feed(e, "\033 G\033[?2026$p");
	assert_string_equal(r.buf, "\233?2026;1$y");
	emu_free(e);
}

/*
 * A private mode sequence with a byte that is no parameter (CSI ? 1 $ h,
 * found by fuzz-emu) is ignored: the mode parser looped on it for ever,
 * hanging the holder at 100% CPU. The alarm turns a hang into a failure.
 */
static void
test_modes_junk(void **state)
{
	struct emu	*e = emu_new(20, 5, 100, NULL, NULL);

	(void)state;
	alarm(10);
	feed(e, "\033[?1$h\033[?2004 l\033[?1;2004$h");
	assert_int_equal(emu_screen(e)->modes & (FB_MODE_APPCURSOR |
	    FB_MODE_BRACKETPASTE), 0);
	feed(e, "\033[?1;2004hok");
	assert_true(emu_screen(e)->modes & FB_MODE_APPCURSOR);
	assert_true(emu_screen(e)->modes & FB_MODE_BRACKETPASTE);
	assert_screen(e, 0, 0, "ok\n\n\n\n\n");
	/* DEL is dropped wherever it is, as libvterm and xterm drop it. */
	feed(e, "\033[?1;2004l\033[\177?20\17704;1h");
	assert_true(emu_screen(e)->modes & FB_MODE_APPCURSOR);
	assert_true(emu_screen(e)->modes & FB_MODE_BRACKETPASTE);
	alarm(0);
	emu_free(e);
}

/*
 * REP (CSI Pn b) before any glyph, or after a glyph of width 0, found by
 * fuzz-emu: libvterm repeated a glyph of width 0 for ever. It is ignored;
 * after a real glyph it repeats it, split across writes too.
 */
static void
test_rep_without_glyph(void **state)
{
	struct emu	*e = emu_new(10, 3, 100, NULL, NULL);
	char		 longrep[96];

	(void)state;
	alarm(10);
	feed(e, "\033[b\033[5b");
	assert_screen(e, 0, 0, "\n\n\n");
	memset(longrep, '0', sizeof longrep);
	memcpy(longrep, "\033[", 2);
	memcpy(longrep + sizeof longrep - 3, "1b", 3);
	feed(e, longrep);
	assert_screen(e, 0, 0, "\n\n\n");
	feed(e, "x\033[3b");
	assert_screen(e, 0, 0, "xxxx\n\n\n");
	feed(e, "\033[");
	feed(e, "2");
	feed(e, "b");
	assert_screen(e, 0, 0, "xxxxxx\n\n\n");
	feed(e, "\r\n\xe2\x80\x8b\033[2b.");
	/* Bytes libvterm passes over after ESC (found by fuzz-emu). */
	emu_free(e);
	e = emu_new(10, 3, 100, NULL, NULL);
	feed(e, "\033\xcf[b\033\x7f\x01[2b\033\xcf[1;;;;;;;;;;;;;;;;;;;;;;;mz");
	assert_screen(e, 0, 0, "z\n\n\n");
	alarm(0);
	emu_free(e);
}

/*
 * A CSI with 16 or more separators (found by fuzz-emu: ESC [ 01;:::...32m)
 * wrote past libvterm's array of 16 arguments and crashed the holder. It is
 * dropped whole, also when split across writes, and what follows is drawn.
 */
static void
test_csi_many_args(void **state)
{
	struct emu	*e = emu_new(10, 3, 100, NULL, NULL);
	int		 k;

	(void)state;
	feed(e, "\033[01;::::::::::::::::::::::::::::::::::::::::32ma");
	feed(e, "\033[1;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;");
	for (k = 0; k < 64; k++)
		feed(e, ";");
	feed(e, "mb\033[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16mc");
	assert_screen(e, 0, 0, "abc\n\n\n");
	/* After an intermediate, libvterm 0.1 starts a CSI all the same. */
	feed(e, "\033![::::::::::::::::::::::::::::::::::::::mx\033(\xcf[;;;;;;;;;;;;;;;;;;;;;;my");
#ifdef HAVE_VTERM_RESIZE_FIELDS
	/*
	 * libvterm 0.2+ takes "ESC ! [" as a whole escape sequence instead,
	 * so the rest is text to it and the scanner's guard cuts some of that
	 * text: what is drawn differs, what must hold is that libvterm's
	 * parser survived (ASan) and the screen still works.
	 */
	feed(e, "\033[2J\033[Hz");
	assert_screen(e, 0, 0, "z\n\n\n");
#else
	assert_screen(e, 0, 0, "abcxy\n\n\n");
#endif
	emu_free(e);
}

/*
 * A CSI argument of ten significant digits or more is dropped with its
 * sequence: libvterm overflowed its long on 19 (UBSan stopped the
 * sanitizer builds' holder on it), and bits 31 and up of an argument are
 * libvterm's flags. Leading zeros do not count.
 */
static void
test_csi_long_arg(void **state)
{
	struct emu	*e = emu_new(10, 3, 100, NULL, NULL);
	const char	*s = "d\033[2;99999999999999999999999Hf";

	(void)state;
	feed(e, "a\033[1;99999999999999999999Hb\033[2;1H");
	feed(e, "\033[1234567890Cc\033[00000000000002;000000000003Hx");
	/* The same cut at every byte: the count of digits carries over. */
	for (; *s != '\0'; s++)
		emu_input(e, (const uint8_t *)s, 1);
	assert_screen(e, 0, 0, "ab\nc xdf\n\n");
	feed(e, "\033[999999999Cz");
	assert_screen(e, 0, 0, "ab\nc xdf    z\n\n");
	emu_free(e);
}

/*
 * A byte libvterm does not take in a CSI (a parameter after an
 * intermediate, a leader after a parameter) ends it there, not carried
 * out, in the scanner as in libvterm. The scanner took the rest for the
 * sequence, so the fast path began a run inside what libvterm had as
 * text and drew it otherwise (found by fuzz-emu-fast), and gave libvterm
 * CAN for the text "b" of CSI 1 ? b as if it were a REP without a glyph.
 */
static void
test_csi_invalid_byte(void **state)
{
	static const char s[] = "\033[ 18\327\000\237e"
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ";
	struct emu	*e[2];
	int		 k;

	(void)state;
	for (k = 0; k < 2; k++) {
		e[k] = emu_new(80, 3, 100, NULL, NULL);
		emu_set_fast(e[k], k == 0 ? EMU_FAST_OFF : EMU_FAST_ON);
		emu_input(e[k], (const uint8_t *)s, sizeof s - 1);
	}
	assert_true(fb_equal(emu_screen(e[0]), emu_screen(e[1])));
	/* \327 cut short by NUL, then \237 alone (test_utf8_cut_short). */
	assert_screen(e[1], 0, 0, "8\xef\xbf\xbd\xef\xbf\xbd"
	    "eabcdefghijklmnopqrstuvwxyzABCDEFGHIJ\n\n\n");
	for (k = 0; k < 2; k++)
		emu_free(e[k]);
	e[0] = emu_new(10, 3, 100, NULL, NULL);
	feed(e[0], "\033[1?bx");
	assert_screen(e[0], 0, 0, "bx\n\n\n");
	/* So does the rest of a CSI of too many arguments, dropped here. */
	feed(e[0], "\r\033[;;;;;;;;;;;;;;;;;;;;\200abc");
	assert_screen(e[0], 0, 0, "abc\n\n\n");
	emu_free(e[0]);
}

/* Resizing keeps the cursor's row; rows pushed off go to scrollback. */
static void
test_resize(void **state)
{
	struct emu	*e = emu_new(10, 4, 100, NULL, NULL);

	feed(e, "a\r\nb\r\nc\r\nd");
	emu_resize(e, 6, 2);
	assert_screen(e, 0, 0, "c\nd\n");
	assert_screen(e, -1, 0, "a\nb\nc\nd\n");
	feed(e, "X");
	assert_screen(e, 0, 0, "c\ndX\n");
	emu_resize(e, 12, 5);
	assert_int_equal(emu_screen(e)->cols, 12);
	feed(e, "\r\nnext");
	assert_screen(e, 0, 0, "c\ndX\nnext\n\n\n");
	emu_free(e);
}

/*
 * A double-width or double-height line on a one-column screen: libvterm
 * bounds the cursor by half the width, which is 0, and moves it to column
 * -1. The screen's cursor stays inside it, or every diff from it is one
 * the client refuses (cursor_x >= cols) and the client's screen stops.
 */
static void
test_dwl_one_column(void **state)
{
	static const char *in[] = { "\033#3", "\033#6", "x\033#4",
	    "\033#6\033[m", "\033#6y\r\n\033#5z" };
	struct emu	*e;
	struct fb	*peer;
	const struct fb	*snap;
	uint8_t		*d;
	size_t		 len, i;

	for (i = 0; i < sizeof in / sizeof in[0]; i++) {
		e = emu_new(1, 2, 10, NULL, NULL);
		peer = fb_new(1, 1);
		feed(e, in[i]);
		snap = emu_screen(e);
		assert_in_range(snap->cursor.x, 0, snap->cols - 1);
		assert_in_range(snap->cursor.y, 0, snap->rows - 1);
		assert_int_equal(fb_diff(NULL, snap, &d, &len), 0);
		assert_int_equal(fb_apply(peer, d, len), 0);
		assert_true(fb_equal(peer, snap));
		free(d);
		fb_free(peer);
		emu_free(e);
	}
}

/*
 * Random bytes and escape fragments never break the emulator, and every
 * screen it makes diffs and applies onto a peer exactly.
 */
static void
test_random_input(void **state)
{
	static const char *frag[] = { "\033[", "\033]", "\033[?1049h",
	    "\033[?1049l", "\033[2;5r", "\033[r", "\033[3L", "\033[2M",
	    "\033[4@", "\033[3P", "\033[38;2;1;2;3m", "\033[2;8m", "\033[0m",
	    "\xe4\xb8\xad", "e\xcc\x81", "\r\n", "\t", "\033[H", "\033[J",
	    "\033[5;70H", "\033]52;c;eA==\007", "\033]2;t\033\\", "\033M",
	    "\033[?1h", "\033=", "\033c", "\xf0\x9f\x98\x80", "\033[1;3S",
	    "\033[2T", "\033[10X", "\033#8" };
	struct emu	*e = emu_new(30, 8, 50, NULL, NULL);
	struct fb	*peer = fb_new(1, 1), *prev = NULL, *snap;
	uint8_t		 b[64], *d;
	size_t		 len, i, n;
	int		 round;

	srand(4321);
	for (round = 0; round < 3000; round++) {
		if (rand() % 2) {
			n = (size_t)(rand() % (int)sizeof b);
			for (i = 0; i < n; i++)
				b[i] = (uint8_t)rand();
			emu_input(e, b, n);
		} else
			feed(e, frag[rand() % (int)(sizeof frag /
			    sizeof frag[0])]);
		if (round % 500 == 499)
			emu_resize(e, 10 + rand() % 40, 3 + rand() % 10);
		if (round % 7 == 0) {
			snap = fb_snapshot(emu_screen(e));
			assert_int_equal(fb_diff(prev, snap, &d, &len), 0);
			assert_int_equal(fb_apply(peer, d, len), 0);
			assert_true(fb_equal(peer, snap));
			free(d);
			fb_free(prev);
			prev = snap;
		}
	}
	{
		char	*out;

		assert_int_equal(emu_capture(e, -1, 1, &out, &len), 0);
		free(out);
	}
	fb_free(prev);
	fb_free(peer);
	emu_free(e);
}

/* Everything an input leaves behind that a client or the holder sees. */
struct outcome {
	struct fb	*fb;
	char		*capture;
	struct reply	 reply;
};

/*
 * Feeds s (len bytes) cut at the given points, with the fast path in the
 * given mode (EMU_FAST_*); records the outcome.
 */
static void
run_cut(const char *s, size_t len, const size_t *cut, size_t ncut,
    int fast, struct outcome *o)
{
	struct emu	*e;
	size_t		 from = 0, i, n;

	memset(&o->reply, 0, sizeof o->reply);
	e = emu_new(12, 4, 100, reply_cb, &o->reply);
	emu_set_fast(e, fast);
	for (i = 0; i <= ncut; i++) {
		n = (i < ncut ? cut[i] : len) - from;
		emu_input(e, (const uint8_t *)s + from, n);
		from += n;
	}
	o->fb = fb_snapshot(emu_screen(e));
	assert_int_equal(emu_capture(e, -1, 1, &o->capture, &n), 0);
	emu_free(e);
}

/* Asserts two outcomes are the same, naming the sequence if not. */
static void
assert_same(const struct outcome *a, const struct outcome *b, const char *s,
    size_t cut)
{
	if (!fb_equal(a->fb, b->fb) || strcmp(a->capture, b->capture) != 0 ||
	    a->reply.len != b->reply.len ||
	    memcmp(a->reply.buf, b->reply.buf, a->reply.len) != 0) {
		print_error("split at %zu differs for \"", cut);
		for (; *s != '\0'; s++)
			print_error(*s >= 0x20 && *s < 0x7f ? "%c" : "\\x%02x",
			    (unsigned char)*s);
		print_error("\"\nwhole: %s\nsplit: %s\n", a->capture,
		    b->capture);
		fail();
	}
}

/* Frees what run_cut recorded. */
static void
outcome_free(struct outcome *o)
{
	fb_free(o->fb);
	free(o->capture);
}

/*
 * The holder reads the pty in arbitrary pieces: every sequence cut at
 * every byte, and cut at all of them at once, must do exactly what it
 * does whole (screen, cursor, title, modes, clipboard, bells, scrollback,
 * replies). Whole and cut, with the fast path taking every run of ASCII
 * it may, it must also do what libvterm alone does.
 */
static void
test_split_anywhere(void **state)
{
	static const char *corpus[] = {
		"x\xe6\x97\xa5y",		/* 3 bytes after ASCII */
		"\xe6\x97\xa5\xe6\x97\xa5",
		"a\xc3\xa9" "b\xc3\xa9",		/* 2 bytes */
		"a\xf0\x9f\x98\x80" "b",		/* 4 bytes */
		"\033[31mab\xe6\x97\xa5\xc3\xa9" "c\033[1;44m\xf0\x9f\x98\x80"
		    "d\033[0m",				/* in a coloured run */
		"e\xcc\x81\xcc\x82x\xe6\x97\xa5\xcc\x81" "a\xc3\xa9\xcc\x81",
		"abcdefghijk\xe6\x97\xa5z",		/* wide at the edge */
		"a\xe6\x97" "b\xc3" "c\xff\xfe" "d\xed\xa0\x80",  /* invalid */
		"t\355\ndr\355x\300\r\n\xf8\x80\x80\033[1mb\xe6\xfe\x97"
		    "\xa5\xf0\x9f",			/* cut short */
		"\033]2;title \xe6\x97\xa5\007" "x",
		"\033]0;zero\033\\y",
		"\033]2;first\007\033]2;second\033\\",
		"\033]2;abandoned\033[31mB",		/* ESC not ST */
		"\033]52;c;aGVsbG8=\007\033]52;c;eA==\033\\",
		"\033]52;c;?\007",
		"\033P$qm\033\\\033P$qr\007",		/* DECRQSS replies */
		"\033[?1h\033[?2004h\033[?1006;1004h\033[?1002h\033=",
		"\033[?1;2004l\033>\033[?1002l",
		"\033[2mf\033[8mc\033[22;28mn\033[38;5;2mg\033[48;2;1;2;8mh",
		"\033[!p\033[?1h\033c\033[?25l",
		"XY\r\033[4h\033[!pabcde\r\nfg\033[4l",	/* DECSTR */
		"\033[6n\033[c\033[5n",
		"\033[3\030x\033[3\033[1mB",		/* CAN, ESC in CSI */
		"1\r\n2\r\n3\r\n4\r\n5\r\n\xe6\x97\xa5\r\n6",
		"\033[2;3r\033[3;1H\n\n\033[r\033[1;2H\033[2@\033[P\033[L",
		"\033[?1049h\033[Halt\033]2;in alt\007\033[?1049l",
		"\a\033[1;31m\a\033#8\033(0lqk\033(B",
		"\033_Gapc\033\\z\033^pm\007y\033Xsos, unended",
		/* The fast path: wraps, the pending wrap, scrolls. */
		"abcdefghijklmnopqrstuvwxyz\r\n0123456789AB\n\nC\r\n\nxy",
		"\033[4;1Habcdefghijkl\nmn\r\n\033[4;11Hxyz\r\n12345",
		"\033[4;1Habcdefghijkl\r\033[4;10Hxyz\033[Cw\033[2Kv",
		"\033[4hins\033[4l\033[?7labcdefghijklmnop\033[?7hq",
		"\033[2;3rab\r\n\n\nabcdefghijklmnopq\033[rzz\r\n\n\n\n",
		"\033[20hab\ncd\033[20lef\ngh\033[?6hij\033[?6lkl\033[?69hmn",
		"\033(0lqk\r\n\016x\017x\033)0\016qq\033Nqq\033Oqrs\017tu",
		"e\xcc\x81" "abc\r\nabcdefghijk\xcc\x81l\xe6\x97\xa5mnop",
		"\033#6wide line of text\r\nnext line\r\n\033#5back",
		"ab\033[3bcd\r\nabcdefghijkl\033[b\033[1;31mxyz\033[2mfaint",
		"\033(0ab\0337\033(Bcd\0338ef\033[?1049hgh\033[?1049lij",
		"abcdefghij\033[6n\r\nklmnopqrstuvwxy\033[6n\033[H\033[L",
		/* SGRs inside a fast run, and its pen handed to libvterm. */
		"ab\033[31mcd\033[0mef\033[1;4;38;5;200mgh\033[48;2;1;2;3mij"
		    "\r\nk\033[m",
		"a\033[2mb\033[8mc\033[22;28md\033[2;1me\033[22mf\033[;9;7m"
		    "gh\033[3;5;21mij\033P$qm\033\\",
		"a\033[31;1mbc\0337\033[0mde\0338fg\033[39;49;23mhi\033[27m",
		"\033[11;4:3mab\033[1mcd\033P$qm\033\\e\033[0;96;107mf"
		    "\033P$qm\033\\",
		"ab\033[3:1mcd\033[6mef\033[38;5mgh\033[38;5;300mij\033[58;5;2mk",
		"a\033[1;2;3;4;5;7;8;9;31;41;1;2;3;4;5mb\033[?1mc\033[>1md",
		"a\033[0;1;3;4;5;7;9;38;2;1;2;3;48;2;4;5;6mbc\033[0001md",
		"abcdefghijk\033[41ml\033[42mm\r\n\033[43m\n\033[44m\n\n\n",
		"ab\033[2;5;9Hcd\033[38me\033[31;48mf\033[1;5;38mg",
		/* Arguments past libvterm's long, and with leading zeros. */
		"a\033[1;99999999999999999999Hb\033[0000000000002Cc\033[1234567890Cd",
		/* The cursor's style (DECSCUSR), and what is not one. */
		"a\033[6 qb\033[ qc\033[2;9 q\033[7 qd\033[?5 q\033c\033[3 qe",
	};
	struct outcome	 whole, cut;
	size_t		 n, len, k, all[64];

	for (n = 0; n < sizeof corpus / sizeof corpus[0]; n++) {
		len = strlen(corpus[n]);
		assert_true(len <= sizeof all / sizeof all[0]);
		run_cut(corpus[n], len, NULL, 0, EMU_FAST_OFF, &whole);
		run_cut(corpus[n], len, NULL, 0, EMU_FAST_ALWAYS, &cut);
		assert_same(&whole, &cut, corpus[n], len);
		outcome_free(&cut);
		for (k = 1; k < len; k++) {
			run_cut(corpus[n], len, &k, 1, EMU_FAST_OFF, &cut);
			assert_same(&whole, &cut, corpus[n], k);
			outcome_free(&cut);
			run_cut(corpus[n], len, &k, 1, EMU_FAST_ALWAYS, &cut);
			assert_same(&whole, &cut, corpus[n], k);
			outcome_free(&cut);
			all[k - 1] = k;
		}
		run_cut(corpus[n], len, all, len - 1, EMU_FAST_OFF, &cut);
		assert_same(&whole, &cut, corpus[n], 0);
		outcome_free(&cut);
		run_cut(corpus[n], len, all, len - 1, EMU_FAST_ALWAYS, &cut);
		assert_same(&whole, &cut, corpus[n], 0);
		outcome_free(&cut);
		outcome_free(&whole);
	}
}

/*
 * DECRQSS (DCS $ q Pt ST) for a setting libvterm does not know: libvterm
 * 0.1 answered with a printf of an int as a string, which ASan stopped on
 * (the holder crashed on "\eP$qx\e\\", found by fuzz-emu-fast). Every
 * version must answer as libvterm 0.2 and later do, DCS 0 $ r ST, with
 * the input cut anywhere; in 8-bit C1 after S8C1T (ESC SP G), until
 * S7C1T or a reset. Known settings are libvterm's to answer.
 */
static void
test_decrqss_unknown(void **state)
{
#define RQ(in, out)	{ in, sizeof in - 1, out }
	static const struct {
		const char	*in;
		size_t		 len;
		const char	*out;
	} rq[] = {
		RQ("\033P$qx\033\\", "\033P0$r\033\\"),
		RQ("\033P$qm junk\033\\", "\033P0$r\033\\"),
		RQ("\033P$qm\210\210\210\033\\", "\033P0$r\033\\"),
		RQ("\033P$q\033\\", "\033P0$r\033\\"),
		RQ("\033P$qq\007", "\033P0$r\033\\"),
		RQ("\033P$q\"\007\033P$q \033\\",
		    "\033P0$r\033\\\033P0$r\033\\"),
		RQ("\033P$qmm\033\\\033P$q q \033\\\033P$qrr\007",
		    "\033P0$r\033\\\033P0$r\033\\\033P0$r\033\\"),
		/* C0 controls in the string are carried out, not part of it. */
		RQ("\033P$\000q\177x\r\033\\", "\033P0$r\033\\"),
		RQ("\033P$q\nm\n\033\\", "\033P1$rm\033\\"),
		/* Known settings. */
		RQ("\033P$qr\033\\", "\033P1$r1;4r\033\\"),
		RQ("\033P$q\"q\033\\", "\033P1$r2\"q\033\\"),
		RQ("\033P$qs\007", "\033P1$r1;12s\033\\"),
		/* No DECRQSS, or none finished: nothing. */
		RQ("\033P1$qx\033\\\033Pq$qx\033\\\033P$x\033\\", ""),
		RQ("\033P$qx\033[31m\033P$qx\030\033P$qx\032", ""),
		/*
		 * S8C1T, S7C1T, and RIS, which ends S8C1T (DECSTR does only
		 * from libvterm 0.2: 0.1 takes its '!' for a leader).
		 */
		RQ("\033 G\033P$qx\033\\\033P$qr\033\\",
		    "\2200$r\234\2201$r1;4r\234"),
		RQ("\033 G\033 F\033P$qx\033\\", "\033P0$r\033\\"),
		RQ("\033 G\033c\033P$qx\007", "\033P0$r\033\\"),
		RQ("\033  G\033P$qx\033\\", "\033P0$r\033\\"),
	};
#undef RQ
	static const int mode[] = { EMU_FAST_OFF, EMU_FAST_ALWAYS };
	struct outcome	 o;
	size_t		 n, len, k, all[64];
	int		 m;

	(void)state;
	for (n = 0; n < sizeof rq / sizeof rq[0]; n++) {
		len = rq[n].len;
		assert_true(len <= sizeof all / sizeof all[0]);
		for (m = 0; m < 2; m++) {
			run_cut(rq[n].in, len, NULL, 0, mode[m], &o);
			assert_string_equal(o.reply.buf, rq[n].out);
			outcome_free(&o);
			for (k = 1; k < len; k++) {
				run_cut(rq[n].in, len, &k, 1, mode[m], &o);
				assert_string_equal(o.reply.buf, rq[n].out);
				outcome_free(&o);
				all[k - 1] = k;
			}
			run_cut(rq[n].in, len, all, len - 1, mode[m], &o);
			assert_string_equal(o.reply.buf, rq[n].out);
			outcome_free(&o);
		}
	}
}

/*
 * A DCS longer than the emulator holds back reaches libvterm in pieces,
 * and libvterm 0.1 reads it from its last piece alone: a DECRQSS there
 * hit the same printf. It is read whole: the long string is no request,
 * and a long request is answered as if whole.
 */
static void
test_decrqss_long(void **state)
{
	struct reply	 r = { "", 0 };
	struct emu	*e = emu_new(12, 4, 100, reply_cb, &r);
	size_t		 n = FB_MAX_CLIPBOARD + 1024;
	uint8_t		*s = malloc(n);

	(void)state;
	assert_non_null(s);
	memset(s, 'X', n);
	memcpy(s, "\033P", 2);
	emu_input(e, s, n);
	feed(e, "$qx\033\\");
	assert_int_equal(r.len, 0);
	/* A request and padding libvterm drops: the setting is known. */
	memset(s, '\0', n);
	memcpy(s, "\033P$qr", 5);
	emu_input(e, s, n);
	feed(e, "\033\\");
	assert_string_equal(r.buf, "\033P1$r1;4r\033\\");
	r.len = 0;
	memcpy(s, "\033P$qrr", 6);
	emu_input(e, s, n);
	feed(e, "\007z");
	assert_string_equal(r.buf, "\033P0$r\033\\");
	assert_screen(e, 0, 0, "z\n\n\n\n");
	free(s);
	emu_free(e);
}

/*
 * A C0 control, NUL or DEL after a string's ESC: libvterm 0.1 carried it
 * out, stayed after the ESC and ended the string at the next \ with a
 * length of -1, copying from past the end of the write (fuzz-emu-fast:
 * ASan's heap-buffer-overflow). The string is dropped on every version
 * (no title, no answer), the control carried out, the \ taken as ST.
 */
static void
test_string_esc_control(void **state)
{
#define IN(s)	{ s, sizeof s - 1 }
	static const struct {
		const char	*s;
		size_t		 len;
	} in[] = {
		IN("\033]2;ab\033\034\\x"), IN("\033P$qm\033\n\\y"),
		IN("\033]2;cd\033\000\\z"), IN("\033P$qx\033\177\\w"),
	};
#undef IN
	struct reply	 r = { "", 0 };
	struct emu	*e = emu_new(10, 3, 100, reply_cb, &r);
	uint8_t		*b;
	size_t		 k;

	(void)state;
	feed(e, "\033]2;keep\007");
	for (k = 0; k < sizeof in / sizeof in[0]; k++) {
		/* Exactly the bytes, as a read from the pty. */
		b = malloc(in[k].len);
		assert_non_null(b);
		memcpy(b, in[k].s, in[k].len);
		emu_input(e, b, in[k].len);
		free(b);
	}
	assert_string_equal(emu_title(e), "keep");
	assert_int_equal(r.len, 0);
	assert_screen(e, 0, 0, "x\n yzw\n\n");
	emu_free(e);
}

/*
 * The fast path's wraps and scrolls on the smallest screens it runs on,
 * one row among them: the same screen, wrapped rows and scrollback as
 * libvterm alone draws.
 */
static void
test_fast_small(void **state)
{
	static const char *text = "abcdefghijklmnopq\r\nrs\n\ntuvwxyz0123\n4"
	    "\r\n56789\r\r\n\nABCDEFGHIJKLMNOPQRSTUVWXYZ";
	struct emu	*e[2];
	char		*out[2];
	size_t		 len[2];
	int		 cols, rows, k;

	for (cols = 1; cols <= 7; cols++) {
		for (rows = 1; rows <= 3; rows++) {
			for (k = 0; k < 2; k++) {
				e[k] = emu_new(cols, rows, 100, NULL, NULL);
				emu_set_fast(e[k], k == 0 ? EMU_FAST_OFF :
				    EMU_FAST_ALWAYS);
				feed(e[k], text);
				assert_int_equal(emu_capture(e[k], -1, 1,
				    &out[k], &len[k]), 0);
			}
			assert_true(fb_equal(emu_screen(e[0]),
			    emu_screen(e[1])));
			assert_string_equal(out[0], out[1]);
			for (k = 0; k < 2; k++) {
				free(out[k]);
				emu_free(e[k]);
			}
		}
	}
}

/*
 * SGRs in a fast run: the cells get the pen libvterm alone would give
 * them, and libvterm's own pen is left as its SGRs would have left it,
 * which DECSC and DECRC, DECRQSS and the SGRs that follow show (each
 * input with the fast path off, on as the holder runs it, and on for any
 * run: the same screen, scrollback and replies).
 */
static void
test_fast_sgr(void **state)
{
	static const char *input[] = {
		/* Restored by DECRC: the pen libvterm saved at DECSC. */
		"\033[1;31mThe quick \033[38;2;1;2;3mbrown\033[4m fox\0337"
		    "\033[0mthe lazy dog\0338 jumps again\r\n",
		/* The font a run's SGR 0 resets, the curly one it keeps. */
		"\033[12;4:3mtext before a long run \033[1mof bold text and "
		    "more\033P$qm\033\\ then \033[0;7mreverse text to the end"
		    " of it\033P$qm\033\\",
		/* Colour changes every word, scrolling, and one cut short. */
		"\033[1;32mlorem \033[38;5;12mipsum \033[38;2;9;8;7mdolor "
		    "\033[0msit \033[44mamet\r\n\033[1;33mconsectetur "
		    "\033[38;5;200madipiscing \033[0melit sed do\033[0m\r\n"
		    "\033[45mnew line\r\n\n\n\n\033[2mfaint \033[8mhidden "
		    "\033[22;28mplain text\033[48;5",
		/*
		 * An SGR ending in a bare 38 or 48: libvterm reads the
		 * colour from past its arguments, where the fast path's
		 * cursor (row 2, column 5) left a 5, a palette index.
		 */
		"abcdefghijklmnopqrstuvwxyz012345678\033[38mx\033[48my",
	};
	struct emu	*e[3];
	struct reply	 r[3];
	char		*out[3];
	size_t		 len[3];
	int		 n, k;

	for (n = 0; n < (int)(sizeof input / sizeof input[0]); n++) {
		for (k = 0; k < 3; k++) {
			memset(&r[k], 0, sizeof r[k]);
			e[k] = emu_new(30, 5, 100, reply_cb, &r[k]);
			emu_set_fast(e[k], k == 0 ? EMU_FAST_OFF : k == 1 ?
			    EMU_FAST_ON : EMU_FAST_ALWAYS);
			feed(e[k], input[n]);
			/* What follows is drawn by libvterm with its pen. */
			feed(e[k], "\0337\033[0m\0338x\033[1m\033P$qm\033\\");
			assert_int_equal(emu_capture(e[k], -1, 1, &out[k],
			    &len[k]), 0);
		}
		for (k = 1; k < 3; k++) {
			assert_true(fb_equal(emu_screen(e[0]),
			    emu_screen(e[k])));
			assert_string_equal(out[0], out[k]);
			assert_int_equal(r[0].len, r[k].len);
			assert_memory_equal(r[0].buf, r[k].buf, r[0].len);
		}
		for (k = 0; k < 3; k++) {
			free(out[k]);
			emu_free(e[k]);
		}
	}
	/* The pen of the first case, as DECRC put it back, is right. */
	e[0] = emu_new(30, 5, 100, NULL, NULL);
	emu_set_fast(e[0], EMU_FAST_ON);
	feed(e[0], input[0]);
	assert_int_equal(emu_screen(e[0])->row[0]->cells[20].cp, 'j');
	assert_int_equal(emu_screen(e[0])->row[0]->cells[20].attr,
	    FB_BOLD | (1 << FB_UNDERLINE_SHIFT));
	assert_int_equal(emu_screen(e[0])->row[0]->cells[20].fg,
	    FB_COLOR_RGB3(1, 2, 3));
	emu_free(e[0]);
	/* A bare 38 or 48 changes no colour, whatever CSI came before. */
	e[0] = emu_new(30, 5, 100, NULL, NULL);
	emu_set_fast(e[0], EMU_FAST_OFF);
	feed(e[0], "\033[1;1;5;9H\033[31;38ma\033[1;5;4;2H\033[48mb"
	    "\033[1;6;1;5;6H\033[1;4;38mc");
	assert_int_equal(emu_screen(e[0])->row[0]->cells[0].fg,
	    FB_COLOR_IDX(1));
	assert_int_equal(emu_screen(e[0])->row[0]->cells[4].bg,
	    FB_COLOR_DEFAULT);
	assert_int_equal(emu_screen(e[0])->row[0]->cells[5].fg,
	    FB_COLOR_IDX(1));
	assert_int_equal(emu_screen(e[0])->row[0]->cells[5].attr,
	    FB_BOLD | (1 << FB_UNDERLINE_SHIFT));
	/* A 38 that is a colour's index, or a ':' part, is left alone. */
	feed(e[0], "\033[38;5;38md\033[0;38;2;1;2;38me\033[1:38mf");
	assert_int_equal(emu_screen(e[0])->row[0]->cells[6].fg,
	    FB_COLOR_IDX(38));
	assert_int_equal(emu_screen(e[0])->row[0]->cells[7].fg,
	    FB_COLOR_RGB3(1, 2, 38));
	assert_int_equal(emu_screen(e[0])->row[0]->cells[8].fg,
	    FB_COLOR_RGB3(1, 2, 38));
	assert_int_equal(emu_screen(e[0])->row[0]->cells[8].attr, FB_BOLD);
	emu_free(e[0]);
}

/* A character cut between writes is the character, not U+FFFD. */
static void
test_split_utf8(void **state)
{
	static const struct {
		const char	*s;
		uint32_t	 cp;
	} ch[] = {
		{ "\xc3\xa9", 0xe9 }, { "\xe6\x97\xa5", 0x65e5 },
		{ "\xf0\x9f\x98\x80", 0x1f600 },
	};
	const struct fb	*fb;
	struct emu	*e;
	char		 s[32];
	size_t		 i, k, len;

	for (i = 0; i < sizeof ch / sizeof ch[0]; i++) {
		for (k = 1; k < strlen(ch[i].s); k++) {
			e = emu_new(20, 2, 10, NULL, NULL);
			len = (size_t)snprintf(s, sizeof s, "x\033[32mA%s",
			    ch[i].s) - strlen(ch[i].s) + k;
			/* Cut k bytes into the character. */
			emu_input(e, (const uint8_t *)s, len);
			emu_input(e, (const uint8_t *)s + len, strlen(s) - len);
			feed(e, "z");
			fb = emu_screen(e);
			assert_int_equal(fb->row[0]->cells[2].cp, ch[i].cp);
			assert_int_equal(fb->row[0]->cells[2].fg,
			    FB_COLOR_IDX(2));
			assert_int_equal(fb->row[0]->cells[0].cp, 'x');
			emu_free(e);
		}
	}
	/* A combining mark cut from its base, and itself cut. */
	e = emu_new(20, 2, 10, NULL, NULL);
	feed(e, "e\xcc");
	feed(e, "\x81");
	feed(e, "z");
	assert_screen(e, 0, 0, "e\xcc\x81z\n\n");
	emu_free(e);
}

/* What libvterm 0.1.x draws as text in SOS, PM and APC; 0.2 does not. */
#if VT_STR_TEXT
#define STR_TEXT(s)	s
#else
#define STR_TEXT(s)	"\n\n\n"	/* a string, not drawn */
#endif

/*
 * An unfinished UTF-8 sequence cut short by a byte that cannot go on with
 * it (found by fuzz-emu-fast, 149 bytes of a directory listing with
 * \355 in it). libvterm's decoder (0.1.4 to 0.3.3) writes U+FFFD and an
 * ASCII character that follows, two code points for one byte, which can
 * be one past its buffer: on 0.1.4 a stack array as long as the write, so
 * a sequence left open by a control ("\355\n") wrote past it when the
 * text after the control ended the write (the character came out as
 * stack garbage, drawn U+FFFD); on 0.3.3 its 1024-point buffer on the
 * heap. Each case draws one U+FFFD where the sequence was, with the fast
 * path off, on, and taking every run; also in an APC, text to 0.1.x.
 */
static void
test_utf8_cut_short(void **state)
{
	static const struct {
		const char	*in[2];		/* two writes */
		const char	*want;
	} c[] = {
		{ { "t\355\ndr\355x", "" },
		    "t\xef\xbf\xbd\n  dr\xef\xbf\xbdx\n\n" },
		/* A lead byte UTF-8 never uses, held back all the same. */
		{ { "a\300", "bc" }, "a\xef\xbf\xbd" "bc\n\n\n" },
		/* Held back, then cut short by the next write. */
		{ { "x\xe6\x97", "y\r\n\xf0\x9f\r" },
		    "x\xef\xbf\xbdy\n\xef\xbf\xbd\n\n" },
		/* By an escape; by 0xfe, which libvterm's decoder reads over. */
		{ { "\xf8\x80\x80\x80", "\033[1mb\xe6\xfe\x97\xa5" },
		    "\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		    "\xef\xbf\xbd\n\n\n" },
		/* In an APC, which libvterm 0.1.x takes for text. */
		{ { "\033_t\355\ndr\355x", "" },
		    STR_TEXT("t\xef\xbf\xbd\n  dr\xef\xbf\xbdx\n\n") },
		{ { "\033_a\300", "bc" },
		    STR_TEXT("a\xef\xbf\xbd" "bc\n\n\n") },
	};
	static const int mode[3] = { EMU_FAST_OFF, EMU_FAST_ON,
	    EMU_FAST_ALWAYS };
	const struct fb	*fb;
	struct emu	*e;
	char		 s[1100];
	size_t		 n;
	int		 k;

	/* The 1024th code point of one piece of text (0.3.3's buffer). */
	memset(s, 'a', 1023);
	memcpy(s + 1023, "\355x", 3);
	for (k = 0; k < 3; k++) {
		e = emu_new(80, 24, 100, NULL, NULL);
		emu_set_fast(e, mode[k]);
		feed(e, s);
		fb = emu_screen(e);
		assert_int_equal(fb->row[12]->cells[62].cp, 'a');
		assert_int_equal(fb->row[12]->cells[63].cp, 0xfffd);
		assert_int_equal(fb->row[12]->cells[64].cp, 'x');
		assert_int_equal(fb->cursor.x, 65);
		emu_free(e);
	}
	for (n = 0; n < sizeof c / sizeof c[0]; n++) {
		for (k = 0; k < 3; k++) {
			e = emu_new(20, 3, 100, NULL, NULL);
			emu_set_fast(e, mode[k]);
			feed(e, c[n].in[0]);
			feed(e, c[n].in[1]);
			assert_screen(e, 0, 0, c[n].want);
			emu_free(e);
		}
	}
}

/* A title cut anywhere, and one longer than libvterm 0.1 buffers. */
static void
test_split_title(void **state)
{
	struct emu	*e = emu_new(20, 2, 10, NULL, NULL);
	char		 s[300];
	size_t		 i;

	feed(e, "\033]2;ab");
	feed(e, "cd\007");
	assert_string_equal(emu_title(e), "abcd");
	feed(e, "\033]0;zero\033");
	feed(e, "\\");
	assert_string_equal(emu_title(e), "zero");
	memcpy(s, "\033]2;", 4);
	for (i = 4; i < 204; i++)
		s[i] = (char)('a' + i % 26);
	s[i++] = '\a';
	for (i = 0; i < 205; i++)
		emu_input(e, (const uint8_t *)s + i, 1);
	assert_int_equal(strlen(emu_title(e)), 200);
	assert_memory_equal(emu_title(e), s + 4, 200);
	emu_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_and_motion),
		cmocka_unit_test(test_scroll_and_capture),
		cmocka_unit_test(test_colours),
		cmocka_unit_test(test_regions_insert_delete),
		cmocka_unit_test(test_altscreen),
		cmocka_unit_test(test_utf8_and_wrap),
		cmocka_unit_test(test_decsc_charsets),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_title_bell_modes),
		cmocka_unit_test(test_cursor_style),
		cmocka_unit_test(test_sync_update),
		cmocka_unit_test(test_modes_junk),
		cmocka_unit_test(test_rep_without_glyph),
		cmocka_unit_test(test_csi_many_args),
		cmocka_unit_test(test_csi_long_arg),
		cmocka_unit_test(test_csi_invalid_byte),
		cmocka_unit_test(test_decrqss_unknown),
		cmocka_unit_test(test_decrqss_long),
		cmocka_unit_test(test_string_esc_control),
		cmocka_unit_test(test_resize),
		cmocka_unit_test(test_dwl_one_column),
		cmocka_unit_test(test_random_input),
		cmocka_unit_test(test_split_anywhere),
		cmocka_unit_test(test_fast_small),
		cmocka_unit_test(test_fast_sgr),
		cmocka_unit_test(test_split_utf8),
		cmocka_unit_test(test_split_title),
		cmocka_unit_test(test_utf8_cut_short),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
