/*
 * fuzz-frag.c: fragment reassembly. A script of records feeds one frag_asm
 * on a virtual clock:
 *
 *	FUZZ_OP_DGRAM		a fragment frame (a transport plaintext)
 *	FUZZ_OP_TICK		advance the clock (u32le ms), expire
 *	others			a fragment frame, too
 *
 * Reassembly must stay within its budget and never hand out a message
 * larger than LN_MAX_MESSAGE.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* Feeds one script of frames to a fresh reassembler. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ln_counters	 counters;
	struct frag_asm		 a;
	struct fuzz_rec		 rec;
	struct buf		 b;
	uint8_t			*msg;
	uint64_t		 now = FUZZ_T0;
	size_t			 msglen;
	int			 r;

	memset(&counters, 0, sizeof counters);
	frag_init(&a, &counters);
	buf_reader(&b, data, size);
	while (fuzz_next_rec(&b, &rec) == 0) {
		if (rec.op == FUZZ_OP_TICK) {
			now += (uint64_t)fuzz_u32(rec.data, rec.len) *
			    LN_NS_PER_MS;
			frag_expire(&a, now);
			continue;
		}
		msg = NULL;
		r = frag_input(&a, rec.data, rec.len, now, &msg, &msglen);
		if (r == 0 && msg != NULL) {
			if (msglen > LN_MAX_MESSAGE)
				abort();
			free(msg);
		} else if (r != 0 && !LN_E_IS_DROP(r))
			abort();
		if (a.held > LN_FRAG_BUDGET) {
			fprintf(stderr, "fuzz-frag: over budget\n");
			abort();
		}
	}
	(void)frag_deadline(&a);
	frag_free(&a);
	return (0);
}
