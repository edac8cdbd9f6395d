/*
 * fuzz-ssp-drive.c: what drives SSP's two ends in fuzz-ssp, fuzz-zframe
 * and mkseeds (which writes their seeds from a session of the same ends,
 * so that the targets replay what it recorded): the callbacks an
 * ssp_server and an ssp_client are given, and the client's screen check.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fb.h"
#include "ssp.h"

/* ssp_send_fn: what an end sends is dropped. */
int
fuzz_ssp_drop(void *ctx, const uint8_t *p, size_t len)
{
	(void)ctx;
	(void)p;
	(void)len;
	return (0);
}

/*
 * ssp_line_fn of a server: line number num is "line N" (in bold) while
 * it is one of the last FUZZ_SSP_HELD of *ctx, the lines scrolled so
 * far. Each held line has a text of its own, which stays valid for the
 * call, as ssp.h asks: a frame carries many.
 */
int
fuzz_ssp_line(void *ctx, uint64_t num, struct ssp_line *l)
{
	static char	 text[FUZZ_SSP_HELD][64];
	uint64_t	*total = ctx;
	char		*t = text[num % FUZZ_SSP_HELD];

	if (num == 0 || num > *total || *total - num >= FUZZ_SSP_HELD)
		return (LN_E_STATE);
	snprintf(t, sizeof text[0], "\033[1mline\033[m %llu",
	    (unsigned long long)num);
	l->num = num;
	l->text = t;
	l->len = strlen(t);
	l->wrapped = 0;
	return (0);
}

/* ssp_event_fn of a server: the events it delivers, checked for sense. */
void
fuzz_ssp_event(void *ctx, const struct ssp_event *e)
{
	(void)ctx;
	if (e->type == SSP_EV_RESIZE && (e->cols < 1 ||
	    e->cols > FB_MAX_COLS || e->rows < 1 || e->rows > FB_MAX_ROWS))
		abort();
}

/* Aborts unless the client's screen, if it has one, is within limits. */
void
fuzz_ssp_check_screen(const struct ssp_client *c)
{
	const struct fb	*fb = ssp_client_screen(c);

	if (fb != NULL && (fb->cols < 1 || fb->cols > FB_MAX_COLS ||
	    fb->rows < 1 || fb->rows > FB_MAX_ROWS))
		abort();
}
