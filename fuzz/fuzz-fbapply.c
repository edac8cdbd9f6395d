/*
 * fuzz-fbapply.c: fb_apply, the client's decoding of the ScreenDiffs a
 * server sends (a malicious server against the client). A script of
 * records (fuzz.h) is applied in order to one screen, 80x24 at first:
 * every record's data is a diff. A diff that fails must leave the screen
 * as it was; one that applies must be reproducible: fb_diff from the old
 * screen to the new one, applied to a copy of the old, gives the new.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fb.h"

/* Applies each record of one script as a diff, checking the invariants. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rec	 rec;
	struct buf	 b;
	struct fb	*fb, *old, *copy;
	uint8_t		*d;
	size_t		 dlen;

	fb = fb_new(80, 24);
	buf_reader(&b, data, size);
	while (fuzz_next_rec(&b, &rec) == 0) {
		old = fb_snapshot(fb);
		if (fb_apply(fb, rec.data, rec.len) != 0) {
			if (!fb_equal(old, fb)) {
				fprintf(stderr, "fuzz-fbapply: a refused "
				    "diff changed the screen\n");
				abort();
			}
			fb_free(old);
			continue;
		}
		if (fb->cols < 1 || fb->cols > FB_MAX_COLS || fb->rows < 1 ||
		    fb->rows > FB_MAX_ROWS)
			abort();
		if (fb_diff(old, fb, &d, &dlen) != 0)
			abort();
		copy = fb_snapshot(old);
		if (fb_apply(copy, d, dlen) != 0 || !fb_equal(copy, fb)) {
			fprintf(stderr, "fuzz-fbapply: the screen does not "
			    "survive its own diff\n");
			abort();
		}
		free(d);
		fb_free(copy);
		fb_free(old);
	}
	fb_free(fb);
	return (0);
}
