/*
 * fuzz-ssp.c: SSP input on both sides (proto/ssp-client.c, ssp-server.c):
 * what a malicious server sends a client, and what an authenticated
 * client sends lnshd. The first input byte selects the side (even: a
 * client, 80x24, fed server messages; odd: a server with an 80x24 screen
 * and scrollback, fed client messages); the rest is a script (fuzz.h):
 *
 *	FUZZ_OP_TICK		advance the clock (u32le ms) and tick
 *	FUZZ_OP_SEND		client: keys typed; server: the screen
 *				changes and one more line scrolls off
 *	others			a message in
 *
 * The client's screen stays within its limits after every message, every
 * resize the server delivers is within them (fuzz_ssp_event), and the
 * client hands out scrollback lines in order, never one twice.
 */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "fb.h"
#include "ssp.h"

/* Client: lines must come in order, each once. */
static void
fuzz_ssp_lines(void *ctx, const struct ssp_line *l, size_t n,
    uint64_t skipped)
{
	uint64_t	*next = ctx;
	size_t		 i;

	if (n > 0 && l[0].num < *next + skipped)
		abort();
	for (i = 0; i < n; i++) {
		if (l[i].num < *next || (i > 0 && l[i].num != l[i - 1].num + 1))
			abort();
		if (l[i].len > LN_SB_LINE_MAX)
			abort();
		*next = l[i].num + 1;
	}
}

/* Runs the client side of one script. */
static void
fuzz_ssp_client(struct buf *b)
{
	struct ssp_client	*c;
	struct fuzz_rec		 rec;
	uint64_t		 now = FUZZ_T0, next = 1;

	c = ssp_client_new(80, 24, fuzz_ssp_drop, NULL, now);
	ssp_client_set_lines(c, fuzz_ssp_lines, &next);
	while (fuzz_next_rec(b, &rec) == 0) {
		if (rec.op == FUZZ_OP_TICK) {
			now += (uint64_t)fuzz_u32(rec.data, rec.len) *
			    LN_NS_PER_MS;
			(void)ssp_client_tick(c, now);
			continue;
		}
		if (rec.op == FUZZ_OP_SEND) {
			(void)ssp_client_send_keys(c, rec.data, rec.len, now);
			continue;
		}
		(void)ssp_client_input(c, rec.data, rec.len, now);
		fuzz_ssp_check_screen(c);
	}
	ssp_client_free(c);
}

/* Runs the server side of one script. */
static void
fuzz_ssp_server(struct buf *b)
{
	struct ssp_server	*s;
	struct fb		*screen;
	struct fuzz_rec		 rec;
	struct fb_pen		 pen = { 0, 0, 0 };
	uint64_t		 now = FUZZ_T0, total = 10;

	screen = fb_new(80, 24);
	s = ssp_server_new(screen, fuzz_ssp_drop, NULL, now);
	ssp_server_set_lines(s, 5, fuzz_ssp_line, &total);
	while (fuzz_next_rec(b, &rec) == 0) {
		if (rec.op == FUZZ_OP_TICK) {
			now += (uint64_t)fuzz_u32(rec.data, rec.len) *
			    LN_NS_PER_MS;
			(void)ssp_server_tick(s, now);
			continue;
		}
		if (rec.op == FUZZ_OP_SEND) {
			fb_put_cp(screen, (int)(total % 80), 0,
			    'a' + (uint32_t)(total % 26), &pen);
			total++;
			ssp_server_scrolled(s, total, total > FUZZ_SSP_HELD ?
			    total - FUZZ_SSP_HELD + 1 : 1, now);
			ssp_server_update(s, screen, now);
			continue;
		}
		(void)ssp_server_input(s, rec.data, rec.len, now,
		    fuzz_ssp_event, NULL);
	}
	ssp_server_free(s);
	fb_free(screen);
}

/* Runs one script on the side its first byte selects. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 b;

	if (size < 1)
		return (0);
	buf_reader(&b, data + 1, size - 1);
	if (data[0] % 2 == 0)
		fuzz_ssp_client(&b);
	else
		fuzz_ssp_server(&b);
	return (0);
}
