/*
 * fuzz-transport.c: the transport packet parser. Each script record is a
 * packet for transport_index and transport_open on a fixed key pair:
 *
 *	FUZZ_OP_DGRAM		the packet as it is
 *	FUZZ_OP_DGRAM_ALT	u64le counter, plaintext: the peer seals it
 *				under that counter first, so the fuzzer drives
 *				the replay window with counters of its choice
 *	FUZZ_OP_TICK		advance the clock (u32le ms): key expiry
 *
 * Whatever opens must open to what was sealed, and must not open twice.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* Installs the deterministic generator and the fixed keys. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return (0);
}

/* Opens one packet; a packet that opens must never open again. */
static void
fuzz_open(struct keypair *rx, const uint8_t *pkt, size_t len, uint64_t now,
    const uint8_t *want, size_t wantlen)
{
	uint8_t		 pt[LN_MAX_DATAGRAM];
	uint32_t	 idx;
	size_t		 ptlen;
	int		 r;

	if (transport_index(pkt, len, &idx) != 0)
		return;
	r = transport_open(rx, pkt, len, now, 0, pt, sizeof pt, &ptlen);
	if (r != 0)
		return;
	if (idx != FUZZ_TX_INDEX || ptlen + LN_TRANSPORT_HDR_LEN +
	    LN_TAG_LEN != len || (want != NULL && (ptlen != wantlen ||
	    (wantlen != 0 && memcmp(pt, want, wantlen) != 0)))) {
		fprintf(stderr, "fuzz-transport: opened to the wrong thing\n");
		abort();
	}
	if (transport_open(rx, pkt, len, now, 0, pt, sizeof pt, &ptlen) !=
	    LN_E_DROP(LN_DROP_REPLAY)) {
		fprintf(stderr, "fuzz-transport: a packet opened twice\n");
		abort();
	}
}

/* Runs one script of packets against a fresh key pair. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keypair	 rx, tx;
	struct fuzz_rec	 rec;
	struct buf	 b, r;
	uint8_t		 pkt[LN_MAX_DATAGRAM];
	const uint8_t	*pt;
	uint64_t	 now = FUZZ_T0, counter = 0;
	size_t		 ptlen, n;

	fuzz_transport_pair(&rx, &tx, now);
	buf_reader(&b, data, size);
	while (fuzz_next_rec(&b, &rec) == 0) {
		switch (rec.op) {
		case FUZZ_OP_DGRAM_ALT:
			buf_reader(&r, rec.data, rec.len);
			(void)buf_get_u64le(&r, &counter);
			pt = buf_get_rest(&r, &ptlen);
			tx.send_counter = counter;
			if (transport_seal(&tx, pt, ptlen, now, 0, pkt,
			    sizeof pkt, &n) == 0)
				fuzz_open(&rx, pkt, n, now, pt, ptlen);
			break;
		case FUZZ_OP_TICK:
			now += (uint64_t)fuzz_u32(rec.data, rec.len) *
			    LN_NS_PER_MS;
			break;
		default:
			fuzz_open(&rx, rec.data, rec.len, now, NULL, 0);
			break;
		}
	}
	keypair_wipe(&rx);
	keypair_wipe(&tx);
	return (0);
}
