/*
 * fbplay-emu.c: fbplay's side of the session emulator, reached through
 * these few functions. It was split off when the emulator was declared
 * in server.h, which cannot be included beside client.h (each declares
 * its own verb table); holder.h, where the emulator is now, can be.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "proto.h"
#include "fb.h"
#include "holder.h"
#include "fbplay.h"

/* An emulator of cols x rows keeping the default scrollback. */
struct emu *
play_emu_new(int cols, int rows)
{
	return (emu_new(cols, rows, SB_DEFAULT_LINES, NULL, NULL));
}

/* Feeds bytes from the "application". */
void
play_emu_input(struct emu *e, const uint8_t *p, size_t len)
{
	emu_input(e, p, len);
}

void
play_emu_resize(struct emu *e, int cols, int rows)
{
	emu_resize(e, cols, rows);
}

const struct fb *
play_emu_screen(struct emu *e)
{
	return (emu_screen(e));
}

/*
 * Hands fn, oldest first, each line scrolled off since *seen lines had
 * been (those the scrollback still holds), as SGR text; updates *seen.
 */
void
play_emu_scrolled(struct emu *e, uint64_t *seen, play_line_fn fn, void *arg)
{
	const struct scrollback	*sb = emu_scrollback(e);
	struct fb_text		 t = { NULL, 0, 0 };
	uint64_t		 total = sb_total(sb), k;
	size_t			 count = sb_count(sb), i;

	k = total - *seen;
	if (k > count)
		k = count;	/* older ones are gone, as on a server */
	for (i = count - (size_t)k; i < count; i++) {
		t.len = 0;
		fb_text_add(&t, "", 0);
		if (sb_line(sb, i, 1, &t) == 0)
			fn(arg, t.p, t.len, sb_wrapped(sb, i));
	}
	free(t.p);
	*seen = total;
}

void
play_emu_free(struct emu *e)
{
	emu_free(e);
}
