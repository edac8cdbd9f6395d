/*
 * fuzz-emu.c: the emulator (holder/emu.c over libvterm, drawing into
 * proto/fb.c) fed arbitrary pty output. A script of records (fuzz.h):
 *
 *	FUZZ_OP_TICK		resize: u16le cols, u16le rows (each taken
 *				modulo the emulator's limits, plus one)
 *	others			bytes the program wrote to the pty
 *
 * After each record the screen must be within its limits and must survive
 * the trip to a client: fb_diff from the previous screen, applied to a
 * copy of it, gives the screen. So must the screen a synchronized update
 * holds for the clients (emu_held), whose scrollback total may not pass
 * the live one. At the end the scrollback is captured with and without
 * escapes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fb.h"
#include "holder.h"

/* The emulator's answers to the program (DA, DSR): counted, dropped. */
static void
fuzz_emu_reply(void *arg, const uint8_t *p, size_t len)
{
	size_t	*n = arg;

	(void)p;
	*n += len;
}

/* Checks the screen against the previous one; returns a new snapshot. */
static struct fb *
fuzz_emu_check(const struct fb *prev, const struct fb *now)
{
	struct fb	*copy;
	uint8_t		*d;
	size_t		 dlen;

	if (now->cols < 1 || now->cols > FB_MAX_COLS || now->rows < 1 ||
	    now->rows > FB_MAX_ROWS)
		abort();
	if (fb_diff(prev, now, &d, &dlen) != 0)
		abort();
	copy = fb_snapshot(prev);
	if (fb_apply(copy, d, dlen) != 0 || !fb_equal(copy, now)) {
		fprintf(stderr, "fuzz-emu: the screen does not survive its "
		    "diff\n");
		abort();
	}
	free(d);
	fb_free(copy);
	return (fb_snapshot(now));
}

/* Runs one script through a fresh 80x24 emulator. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rec	 rec;
	struct buf	 b;
	struct emu	*e;
	struct fb	*prev, *next;
	const struct fb	*held;
	char		*text;
	size_t		 tlen, replied = 0;
	uint32_t	 v;
	uint64_t	 total, gen;

	e = emu_new(80, 24, 200, fuzz_emu_reply, &replied);
	if (e == NULL)
		abort();
	prev = fb_snapshot(emu_screen(e));
	buf_reader(&b, data, size);
	while (fuzz_next_rec(&b, &rec) == 0) {
		if (rec.op == FUZZ_OP_TICK) {
			v = fuzz_u32(rec.data, rec.len);
			emu_resize(e, 1 + (int)((v & 0xffff) % 300),
			    1 + (int)((v >> 16) % 100));
		} else
			emu_input(e, rec.data, rec.len);
		if ((held = emu_held(e, &total, &gen)) != NULL) {
			if (total > sb_total(emu_scrollback(e)))
				abort();
			fb_free(fuzz_emu_check(prev, held));
		}
		next = fuzz_emu_check(prev, emu_screen(e));
		fb_free(prev);
		prev = next;
	}
	if (emu_capture(e, -1, 1, &text, &tlen) == 0)
		free(text);
	if (emu_capture(e, -1, 0, &text, &tlen) == 0)
		free(text);
	(void)emu_title(e);
	fb_free(prev);
	emu_free(e);
	return (0);
}
