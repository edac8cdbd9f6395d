/*
 * fuzz-initiation.c: the server's handshake initiation consumer. The first
 * input byte is a mode, the rest the packet:
 *
 *	bit 0 set	rewrite mac1 to be right for the mutated bytes, so the
 *			fuzzer gets past the cheap check to the Noise read
 *	otherwise	the packet as it is (mac1 must already be right)
 *
 * An initiation that is accepted is answered with hs_response, which must
 * then succeed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fuzz.h"

static uint8_t	srv_sk[LN_KEY_LEN], srv_pk[LN_KEY_LEN];
static uint8_t	srv_mac1_key[LN_KEY_LEN];

/* Installs the deterministic generator and the fixed server key. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	fuzz_server_key(srv_sk, srv_pk);
	hs_mac1_key(srv_pk, srv_mac1_key);
	return (0);
}

/* Consumes one initiation, and answers it when it is accepted. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct noise_handshake	 hs;
	struct hs_keys		 keys;
	struct buf		 b;
	uint8_t			 pkt[4096], resp[LN_MAX_DATAGRAM];
	uint8_t			 payload[LN_MAX_HS_PAYLOAD];
	uint8_t			 client_pk[LN_KEY_LEN];
	const uint8_t		*rest;
	uint32_t		 sender;
	size_t			 len, plen, rlen;
	uint8_t			 mode = 0;
	int			 r;

	fuzz_rng_reset();
	buf_reader(&b, data, size);
	(void)buf_get_u8(&b, &mode);
	rest = buf_get_rest(&b, &len);
	if (len > sizeof pkt)
		return (0);
	if (len != 0)
		memcpy(pkt, rest, len);
	if (mode & 1)
		fuzz_fix_mac1(pkt, len, srv_mac1_key);

	memset(&hs, 0, sizeof hs);
	r = hs_consume_initiation(&hs, srv_sk, srv_pk, srv_mac1_key, pkt, len,
	    &sender, client_pk, payload, sizeof payload, &plen);
	if (r != 0)
		return (0);
	if (plen > LN_MAX_HS_PAYLOAD)
		abort();
	r = hs_response(&hs, FUZZ_RESP_INDEX, sender, client_pk, payload,
	    plen, resp, sizeof resp, &rlen, &keys);
	if (r != 0) {
		fprintf(stderr, "fuzz-initiation: accepted, no response\n");
		abort();
	}
	noise_wipe(&hs);
	sodium_memzero(&keys, sizeof keys);
	return (0);
}
