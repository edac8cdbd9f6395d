/*
 * fbplay: plays bytes through the session emulator (holder/emu.c) and
 * draws its framebuffer on this terminal with client/display.c, as the
 * attach client will, but with no network: the end-to-end tests compare
 * its tmux pane with a pane where the same bytes ran directly.
 *
 *	fbplay [-HLsu] [-k every] [-m file] [-N notice] [-n chunk] [-x cols]
 *	    [-y rows] [file]
 *
 * -n	feed the input in chunks of this many bytes (default 4096)
 * -k	draw only after every k-th chunk, as when frames are skipped
 * -s	push lines scrolled off the emulator to the native scrollback
 * -L	feed newlines as they are (default: as a pty's onlcr, \n -> \r\n)
 * -u	never end a chunk inside a UTF-8 sequence (libvterm 0.1.4 decodes a
 *	sequence split between two writes as U+FFFD: see docs/display.md)
 * -m	create this file once the last frame is drawn
 * -N	show this text in the notice bar (bottom row), as attach does
 * -H	then hold the screen until a signal, without restoring anything
 * -x, -y	the emulator's size (default: this terminal's)
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"
#include "fb.h"
#include "client.h"
#include "fbplay.h"

struct play {
	struct emu	*emu;
	struct display	*d;
	int		 push;
	uint64_t	 seen;	/* scrollback lines already pushed */
};

/* Prints usage and fails. */
static void
usage(void)
{
	fprintf(stderr, "usage: fbplay [-HLsu] [-k every] [-m file] "
	    "[-N notice] [-n chunk] [-x cols] [-y rows] [file]\n");
	exit(2);
}

/* A positive number from an option, or usage. */
static long
number(const char *s)
{
	char	*ep;
	long	 v;

	errno = 0;
	v = strtol(s, &ep, 10);
	if (*s == '\0' || *ep != '\0' || errno != 0 || v < 1 || v > 1 << 24)
		usage();
	return (v);
}

/* Queues one scrolled-off line for the native scrollback. */
static void
play_line(void *arg, const char *text, size_t len, int wrapped)
{
	struct play	*p = arg;

	if (p->push)
		display_scroll_in_text(p->d, text, len, wrapped);
}

/* Draws one frame: new scrollback lines first, then the screen. */
static void
play_frame(struct play *p)
{
	play_emu_scrolled(p->emu, &p->seen, play_line, p);
	display_draw(p->d, play_emu_screen(p->emu));
	if (display_flush(p->d) != 0)
		exit(1);
}

/* Applies a terminal resize reported by the tty module. */
static void
play_events(struct play *p, int fixed)
{
	int	 ev, cols, rows;

	if ((ev = tty_events()) == 0)
		return;
	if ((ev & TTY_EV_RESIZE) && tty_size(STDOUT_FILENO, &cols, &rows) ==
	    0) {
		display_resize(p->d, cols, rows);
		if (!fixed)
			play_emu_resize(p->emu, cols, rows);
	}
	if (ev & TTY_EV_REDRAW)
		display_redraw(p->d);
}

/* How many bytes at the end of b[0..n) start an unfinished UTF-8 char. */
static size_t
utf8_tail(const uint8_t *b, size_t n)
{
	size_t	 i, need;

	for (i = 1; i <= 3 && i <= n; i++) {
		uint8_t	c = b[n - i];

		if ((c & 0xc0) == 0x80)
			continue;
		need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		return (need > i ? i : 0);
	}
	return (0);
}

/* Feeds a chunk, turning \n into \r\n unless raw. */
static void
play_feed(struct play *p, const uint8_t *b, size_t n, int raw)
{
	uint8_t	 out[2 * 4096];
	size_t	 i, o = 0;

	if (raw) {
		play_emu_input(p->emu, b, n);
		return;
	}
	for (i = 0; i < n; i++) {
		if (o + 2 > sizeof out) {
			play_emu_input(p->emu, out, o);
			o = 0;
		}
		if (b[i] == '\n')
			out[o++] = '\r';
		out[o++] = b[i];
	}
	play_emu_input(p->emu, out, o);
}

int
main(int argc, char **argv)
{
	struct play	 p;
	const char	*done = NULL, *notice = NULL;
	char		*cause = NULL;
	uint8_t		*buf;
	long		 chunk = 4096, every = 1, cols = 0, rows = 0;
	long		 nchunk = 0;
	int		 ch, fd = STDIN_FILENO, raw = 0, hold = 0;
	int		 tcols, trows, whole = 0;
	ssize_t		 n;
	size_t		 got, carry = 0, tail, want;

	/* As lnsh's attach does: the display measures text in LC_CTYPE. */
	if (locale_utf8(&cause) != 0) {
		fprintf(stderr, "fbplay: %s\n", cause);
		free(cause);
		cause = NULL;
	}
	memset(&p, 0, sizeof p);
	while ((ch = getopt(argc, argv, "HLk:m:N:n:sux:y:")) != -1) {
		switch (ch) {
		case 'H':
			hold = 1;
			break;
		case 'L':
			raw = 1;
			break;
		case 'k':
			every = number(optarg);
			break;
		case 'm':
			done = optarg;
			break;
		case 'N':
			notice = optarg;
			break;
		case 'n':
			chunk = number(optarg);
			break;
		case 's':
			p.push = 1;
			break;
		case 'u':
			whole = 1;
			break;
		case 'x':
			cols = number(optarg);
			break;
		case 'y':
			rows = number(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1)
		usage();
	if (argc == 1 && strcmp(argv[0], "-") != 0 &&
	    (fd = open(argv[0], O_RDONLY)) == -1) {
		fprintf(stderr, "fbplay: %s: %s\n", argv[0], strerror(errno));
		return (1);
	}
	if (tty_size(STDOUT_FILENO, &tcols, &trows) != 0) {
		tcols = 80;
		trows = 24;
	}
	if (display_new(STDOUT_FILENO, NULL, tcols, trows, &p.d, &cause) != 0 ||
	    tty_raw(STDOUT_FILENO, &cause) != 0) {
		fprintf(stderr, "fbplay: %s\n", cause);
		free(cause);
		return (1);
	}
	tty_set_restore(display_restore_string());
	if (notice != NULL)
		display_notice(p.d, notice, DISPLAY_NOTICE_BOTTOM);
	p.emu = play_emu_new(cols ? (int)cols : tcols, rows ? (int)rows :
	    trows);
	buf = xmalloc((size_t)chunk + 3);
	for (;;) {
		/* A whole chunk (short reads joined), so -k means bytes. */
		want = carry + (size_t)chunk;
		for (got = carry; got < want; got += (size_t)n) {
			n = read(fd, buf + got, want - got);
			if (n < 0 && errno == EINTR) {
				n = 0;
				continue;
			}
			if (n <= 0)
				break;
		}
		if (got == 0)
			break;
		tail = (whole && n > 0) ? utf8_tail(buf, got) : 0;
		if (tail == got)
			tail = 0;
		play_feed(&p, buf, got - tail, raw);
		memmove(buf, buf + got - tail, tail);
		carry = tail;
		play_events(&p, cols != 0 || rows != 0);
		if (++nchunk % every == 0)
			play_frame(&p);
		if (n <= 0)
			break;
	}
	play_frame(&p);
	if (done != NULL)
		close(open(done, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	while (hold) {
		/* Resizes still redraw while held. */
		pause();
		play_events(&p, cols != 0 || rows != 0);
		play_frame(&p);
	}
	display_finish(p.d);
	tty_restore();
	display_free(p.d);
	play_emu_free(p.emu);
	free(buf);
	return (0);
}
