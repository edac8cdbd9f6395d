/*
 * fuzz-emu-fast.c: the emulator's fast path (holder/emu.c, runs of ASCII
 * written past libvterm) against libvterm alone. The same script of
 * records as fuzz-emu (fuzz.h):
 *
 *	FUZZ_OP_TICK		resize: u16le cols, u16le rows (each taken
 *				modulo 300 and 100, plus one)
 *	others			bytes the program wrote to the pty
 *
 * goes to three emulators: the fast path off, on as the holder runs it
 * (long runs only), and taking any run however short; after each record
 * their screens (cells, wrapped rows, cursor, modes, title), their
 * scrollback and their replies to the program must be the same, or the
 * target aborts. A resize also encodes the third one's scrollback lines
 * still held as copies, as the holder does when output pauses
 * (emu_settle): the other two keep theirs until the comparison reads
 * them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fb.h"
#include "holder.h"

/* What one emulator answered the program (DA, DSR): kept to compare. */
struct fuzz_replies {
	struct fb_text	 t;
};

/* Keeps an emulator's reply, up to a bound. */
static void
fuzz_fast_reply(void *arg, const uint8_t *p, size_t len)
{
	struct fuzz_replies	*r = arg;

	if (r->t.len + len <= 1 << 16)
		fb_text_add(&r->t, p, len);
}

/* Aborts, saying what differs, unless the two emulators agree. */
static void
fuzz_fast_compare(struct emu *slow, struct emu *fast,
    const struct fuzz_replies *rs, const struct fuzz_replies *rf)
{
	const struct scrollback	*ss = emu_scrollback(slow);
	const struct scrollback	*sf = emu_scrollback(fast);
	char			*a, *b;
	size_t			 alen, blen, i;

	if (!fb_equal(emu_screen(slow), emu_screen(fast))) {
		fprintf(stderr, "fuzz-emu-fast: the screens differ\n");
		abort();
	}
	if (sb_count(ss) != sb_count(sf) || sb_total(ss) != sb_total(sf)) {
		fprintf(stderr, "fuzz-emu-fast: scrollback %zu vs %zu lines\n",
		    sb_count(ss), sb_count(sf));
		abort();
	}
	for (i = 0; i < sb_count(ss); i++) {
		if (sb_wrapped(ss, i) != sb_wrapped(sf, i)) {
			fprintf(stderr, "fuzz-emu-fast: scrollback line %zu "
			    "wrapped differs\n", i);
			abort();
		}
	}
	if (emu_capture(slow, -1, 1, &a, &alen) != 0 ||
	    emu_capture(fast, -1, 1, &b, &blen) != 0)
		abort();
	if (alen != blen || memcmp(a, b, alen) != 0) {
		fprintf(stderr, "fuzz-emu-fast: captures differ:\n%s\n--\n%s\n",
		    a, b);
		abort();
	}
	free(a);
	free(b);
	if (rs->t.len != rf->t.len ||
	    (rs->t.len > 0 && memcmp(rs->t.p, rf->t.p, rs->t.len) != 0)) {
		fprintf(stderr, "fuzz-emu-fast: the replies differ\n");
		abort();
	}
}

/* Runs one script through three fresh 80x24 emulators. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int	 mode[3] = { EMU_FAST_OFF, EMU_FAST_ON,
				    EMU_FAST_ALWAYS };
	struct fuzz_replies	 r[3];
	struct fuzz_rec		 rec;
	struct buf		 b;
	struct emu		*e[3];
	uint32_t		 v;
	int			 k;

	memset(r, 0, sizeof r);
	for (k = 0; k < 3; k++) {
		e[k] = emu_new(80, 24, 200, fuzz_fast_reply, &r[k]);
		emu_set_fast(e[k], mode[k]);
	}
	buf_reader(&b, data, size);
	while (fuzz_next_rec(&b, &rec) == 0) {
		for (k = 0; k < 3; k++) {
			if (rec.op == FUZZ_OP_TICK) {
				v = fuzz_u32(rec.data, rec.len);
				emu_resize(e[k], 1 + (int)((v & 0xffff) % 300),
				    1 + (int)((v >> 16) % 100));
				if (k == 2)
					emu_settle(e[k]);
			} else
				emu_input(e[k], rec.data, rec.len);
		}
		fuzz_fast_compare(e[0], e[1], &r[0], &r[1]);
		fuzz_fast_compare(e[0], e[2], &r[0], &r[2]);
	}
	for (k = 0; k < 3; k++) {
		emu_free(e[k]);
		free(r[k].t.p);
	}
	return (0);
}
