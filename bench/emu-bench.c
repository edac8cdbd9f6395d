/*
 * emu-bench.c: throughput of the session emulator against libvterm's own
 * screen layer fed the same bytes in the same run, and the memory a
 * process holding one emulator uses. Built by `make bench`; not a test.
 *
 *	bench/emu-bench [MB]	(corpus size of the coloured text, default 20)
 *	bench/emu-bench --profile [seq|colour|state|state-colour]
 *		(the emulator alone, or libvterm's state layer alone, for a
 *		profiler: valgrind --tool=callgrind --toggle-collect=emu_input)
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vterm.h"

#include "proto.h"
#include "fb.h"
#include "holder.h"
#include "compat.h"

#define CHUNK	4096	/* a pty read */

/* What `seq 1 N` prints, as a pty delivers it (onlcr: \r\n). */
static void
gen_seq(struct fb_text *t, long n)
{
	char	 s[32];
	long	 i;
	int	 len;

	for (i = 1; i <= n; i++) {
		len = snprintf(s, sizeof s, "%ld\r\n", i);
		fb_text_add(t, s, (size_t)len);
	}
}

/* 80-column lines of words in 16, 256 and 24-bit colours. */
static void
gen_colour(struct fb_text *t, size_t bytes, long maxlines)
{
	static const char *words[] = { "lorem", "ipsum", "dolor", "sit",
	    "amet", "consectetur", "adipiscing", "elit", "sed", "do" };
	char	 s[64];
	long	 line = 0;
	int	 col, len, w, k = 0;

	while (t->len < bytes && (maxlines < 0 || line < maxlines)) {
		for (col = 0; col < 72;) {
			w = k++ % 10;
			switch (k % 4) {
			case 0:
				len = snprintf(s, sizeof s, "\033[1;%dm%s ",
				    31 + k % 7, words[w]);
				break;
			case 1:
				len = snprintf(s, sizeof s, "\033[38;5;%dm%s ",
				    k % 256, words[w]);
				break;
			case 2:
				len = snprintf(s, sizeof s,
				    "\033[38;2;%d;%d;%dm%s ", k % 256,
				    (k * 7) % 256, (k * 13) % 256, words[w]);
				break;
			default:
				len = snprintf(s, sizeof s, "\033[0m%s ",
				    words[w]);
				break;
			}
			fb_text_add(t, s, (size_t)len);
			col += (int)strlen(words[w]) + 1;
		}
		fb_text_add(t, "\033[0m\r\n", 6);
		line++;
	}
}

/* Feeds a corpus to the emulator in pty-sized pieces; returns seconds. */
static double
run_emu(const struct fb_text *t)
{
	struct emu	*e = emu_new(80, 24, SB_DEFAULT_LINES, NULL, NULL);
	uint64_t	 t0 = ln_now_ns();
	size_t		 off, n;
	double		 s;

	for (off = 0; off < t->len; off += n) {
		n = t->len - off < CHUNK ? t->len - off : CHUNK;
		emu_input(e, (const uint8_t *)t->p + off, n);
	}
	/* The lines left waiting are encoded as the holder would. */
	emu_settle(e);
	s = (double)(ln_now_ns() - t0) / LN_NS_PER_SEC;
	emu_free(e);
	return (s);
}

/* libvterm's screen layer keeping scrollback: the pushed line is taken. */
static int
vt_pushline(int cols, const VTermScreenCell *cells, void *arg)
{
	(*(long *)arg)++;
	return (1);
}

/* The same bytes through libvterm's screen layer; returns seconds. */
static double
run_vterm(const struct fb_text *t)
{
	static VTermScreenCallbacks cb = { .sb_pushline = vt_pushline };
	VTerm		*vt = vterm_new(24, 80);
	VTermScreen	*vs;
	long		 pushed = 0;
	uint64_t	 t0;
	size_t		 off, n;
	double		 s;

	vterm_set_utf8(vt, 1);
	vs = vterm_obtain_screen(vt);
	vterm_screen_set_callbacks(vs, &cb, &pushed);
	vterm_screen_enable_altscreen(vs, 1);
	vterm_screen_reset(vs, 1);
	t0 = ln_now_ns();
	for (off = 0; off < t->len; off += n) {
		n = t->len - off < CHUNK ? t->len - off : CHUNK;
		vterm_input_write(vt, t->p + off, n);
	}
	vterm_screen_flush_damage(vs);
	s = (double)(ln_now_ns() - t0) / LN_NS_PER_SEC;
	vterm_free(vt);
	return (s);
}

/* A state-layer callback that does nothing but claim the work done. */
static int
nop_putglyph(VTermGlyphInfo *info, VTermPos pos, void *arg)
{
	return (1);
}

/* Scrolls nothing; the state layer then calls nothing else for it. */
static int
nop_scrollrect(VTermRect r, int down, int right, void *arg)
{
	return (1);
}

/* The parse alone: libvterm's state layer with empty callbacks. */
static double
run_state(const struct fb_text *t)
{
	static VTermStateCallbacks cb = { .putglyph = nop_putglyph,
	    .scrollrect = nop_scrollrect };
	VTerm		*vt = vterm_new(24, 80);
	VTermState	*st;
	uint64_t	 t0;
	size_t		 off, n;
	double		 s;

	vterm_set_utf8(vt, 1);
	st = vterm_obtain_state(vt);
	vterm_state_set_callbacks(st, &cb, NULL);
	vterm_state_reset(st, 1);
	t0 = ln_now_ns();
	for (off = 0; off < t->len; off += n) {
		n = t->len - off < CHUNK ? t->len - off : CHUNK;
		vterm_input_write(vt, t->p + off, n);
	}
	s = (double)(ln_now_ns() - t0) / LN_NS_PER_SEC;
	vterm_free(vt);
	return (s);
}

/* Prints one throughput line. */
static void
report(const char *name, const struct fb_text *t)
{
	double	 mb = (double)t->len / 1e6, a, b, c, x;
	int	 i;

	/*
	 * Best of three for the fast runs: other processes on the machine
	 * only ever make a run slower. The screen layer is slow enough to
	 * be measured once.
	 */
	a = run_emu(t);
	c = run_state(t);
	for (i = 0; i < 2; i++) {
		if ((x = run_emu(t)) < a)
			a = x;
		if ((x = run_state(t)) < c)
			c = x;
	}
	b = run_vterm(t);
	printf("%-14s %5.1f MB: emu %5.1f MB/s, libvterm screen %5.1f MB/s "
	    "(emu %.1fx), libvterm state parse alone %5.1f MB/s\n", name, mb,
	    mb / a, mb / b, b / a, mb / c);
}

/*
 * The child half of the RSS measurement: holds one idle emulator (with
 * lines of coloured scrollback), says so on fd, and waits to be told.
 */
static int
rss_child(long lines)
{
	struct fb_text	 t = { NULL, 0, 0 };
	struct emu	*e = emu_new(80, 24, SB_DEFAULT_LINES, NULL, NULL);
	char		 c = 'r';

	long		 i;

	/* Fed as a pty would be, a little at a time. */
	for (i = 0; lines > 0 && i < lines + 24; i += 10) {
		t.len = 0;
		gen_colour(&t, (size_t)-1, 10);
		emu_input(e, (const uint8_t *)t.p, t.len);
	}
	free(t.p);
	/* What the holder does once the output pauses. */
	emu_settle(e);
	compat_malloc_trim();
	if (lines > 0) {
		fprintf(stderr, "scrollback lines held: %zu\n",
		    sb_count(emu_scrollback(e)));
	}
	if (write(STDOUT_FILENO, &c, 1) != 1 ||
	    read(STDIN_FILENO, &c, 1) < 0)
		return (1);
	emu_free(e);
	return (0);
}

/* Starts a fresh process holding an emulator and reads its RSS via ps. */
static long
rss_of(const char *self, const char *lines)
{
	int	 in[2], out[2], status;
	pid_t	 pid;
	char	 cmd[64], c;
	FILE	*f;
	long	 kb = -1;

	if (pipe(in) != 0 || pipe(out) != 0)
		return (-1);
	if ((pid = fork()) == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		close(in[1]);
		close(out[0]);
		execl(self, self, "--rss-child", lines, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (pid > 0 && read(out[0], &c, 1) == 1) {
		snprintf(cmd, sizeof cmd, "ps -o rss= -p %ld", (long)pid);
		if ((f = popen(cmd, "r")) != NULL) {
			if (fscanf(f, "%ld", &kb) != 1)
				kb = -1;
			pclose(f);
		}
	}
	close(in[1]);
	close(out[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	return (kb);
}

int
main(int argc, char **argv)
{
	struct fb_text	 seq = { NULL, 0, 0 }, col = { NULL, 0, 0 };
	long		 mb = 20;

	if (argc == 3 && strcmp(argv[1], "--rss-child") == 0)
		return (rss_child(atol(argv[2])));
	if (argc >= 2 && strcmp(argv[1], "--profile") == 0) {
		/* The emulator alone, for a profiler. */
		gen_seq(&seq, 3000000);
		if (argc == 2 || strcmp(argv[2], "seq") == 0)
			printf("seq %.2f s\n", run_emu(&seq));
		if (argc > 2 && strcmp(argv[2], "state") == 0)
			printf("seq, state layer %.2f s\n", run_state(&seq));
		if (argc == 2 || strcmp(argv[2], "colour") == 0) {
			gen_colour(&col, 20000000, -1);
			printf("colour %.2f s\n", run_emu(&col));
		}
		if (argc > 2 && strcmp(argv[2], "state-colour") == 0) {
			gen_colour(&col, 20000000, -1);
			printf("colour, state layer %.2f s\n", run_state(&col));
		}
		return (0);
	}
	if (argc == 2)
		mb = atol(argv[1]);
	gen_seq(&seq, 3000000);
	gen_colour(&col, (size_t)mb * 1000000, -1);
	printf("emulator 80x24, scrollback %d lines, fed in %d-byte reads\n",
	    SB_DEFAULT_LINES, CHUNK);
	report("seq 1 3000000", &seq);
	report("coloured text", &col);
	free(seq.p);
	free(col.p);
	printf("RSS, process holding an idle emulator: %ld KB\n",
	    rss_of(argv[0], "0"));
	printf("RSS, with 10000 lines of 80-column coloured scrollback: "
	    "%ld KB\n", rss_of(argv[0], "10000"));
	return (0);
}
