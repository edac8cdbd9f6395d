/*
 * fuzz-rel.c: the reliable layer. A script of records drives one rel on a
 * virtual clock:
 *
 *	FUZZ_OP_DGRAM		an Envelope from the peer (rel_input)
 *	FUZZ_OP_DGRAM_ALT	a message to queue reliably (rel_queue)
 *	FUZZ_OP_TICK		advance the clock (u32le ms), then take all
 *				rel_next has to send
 *	FUZZ_OP_SEND		an unreliable message to wrap (rel_wrap)
 *	FUZZ_OP_CONNECT		the peer forgot us: rel_reset
 *
 * Reliable messages must come out in order, each exactly once, and the
 * send window must hold.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

struct fuzz_rel {
	struct rel	r;
	uint64_t	delivered;	/* the last reliable seq delivered */
};

/* A delivered message: reliable ones must be the next in order. */
static void
fuzz_deliver(void *arg, const uint8_t *msg, size_t len, int reliable)
{
	struct fuzz_rel	*f = arg;

	(void)msg;
	if (len > LN_REL_MAX_BODY)
		abort();
	if (!reliable)
		return;
	if (f->r.delivered != f->delivered + 1) {
		fprintf(stderr, "fuzz-rel: out of order or twice\n");
		abort();
	}
	f->delivered = f->r.delivered;
}

/* Runs one script against a fresh rel. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ln_counters	 counters;
	struct fuzz_rel		 f;
	struct fuzz_rec		 rec;
	struct buf		 b;
	uint8_t			*env;
	uint64_t		 now = FUZZ_T0;
	size_t			 envlen;
	int			 r;

	memset(&counters, 0, sizeof counters);
	memset(&f, 0, sizeof f);
	rel_init(&f.r, &counters);
	buf_reader(&b, data, size);
	while (fuzz_next_rec(&b, &rec) == 0) {
		switch (rec.op) {
		case FUZZ_OP_DGRAM:
			r = rel_input(&f.r, rec.data, rec.len, now,
			    fuzz_deliver, &f);
			if (r != 0 && !LN_E_IS_DROP(r))
				abort();
			break;
		case FUZZ_OP_DGRAM_ALT:
			(void)rel_queue(&f.r, rec.data, rec.len);
			break;
		case FUZZ_OP_TICK:
			now += (uint64_t)fuzz_u32(rec.data, rec.len) *
			    LN_NS_PER_MS;
			while (rel_next(&f.r, now, &env, &envlen, NULL) == 1)
				free(env);
			(void)rel_deadline(&f.r);
			break;
		case FUZZ_OP_SEND:
			if (rel_wrap(&f.r, now, rec.data, rec.len, &env,
			    &envlen) == 0)
				free(env);
			break;
		case FUZZ_OP_CONNECT:
			rel_reset(&f.r);
			f.delivered = f.r.delivered;
			break;
		case FUZZ_OP_MAX:
			break;
		}
		if (rel_unacked(&f.r) > LN_REL_WINDOW) {
			fprintf(stderr, "fuzz-rel: window overrun\n");
			abort();
		}
	}
	rel_free(&f.r);
	return (0);
}
