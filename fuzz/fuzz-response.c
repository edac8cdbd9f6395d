/*
 * fuzz-response.c: the client's handshake response consumer. Each run
 * starts the same initiation (fixed client and server keys, deterministic
 * ephemeral key), so responses mkcorpus captured from the real responder
 * are genuine here. The first input byte is a mode, the rest the packet:
 *
 *	bit 0 set	rewrite mac1 to be right for the mutated bytes, so the
 *			fuzzer reaches the Noise read
 *	otherwise	the packet as it is
 *
 * An accepted response must give keys that carry a transport packet.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fuzz.h"

static uint8_t	cli_sk[LN_KEY_LEN], cli_pk[LN_KEY_LEN];
static uint8_t	srv_pk[LN_KEY_LEN];
static uint8_t	cli_mac1_key[LN_KEY_LEN];
/* The initiator's state after the fixed initiation; each run copies it. */
static struct noise_handshake	pristine;

static void	fuzz_initiate(struct noise_handshake *);

/* Installs the deterministic generator and the fixed keys. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	fuzz_client_key(cli_sk, cli_pk);
	fuzz_server_key(NULL, srv_pk);
	hs_mac1_key(cli_pk, cli_mac1_key);
	fuzz_initiate(&pristine);
	return (0);
}

/*
 * Starts the one initiation every run (and mkcorpus) answers: done once,
 * since it is the same every time and costs four X25519.
 */
static void
fuzz_initiate(struct noise_handshake *hs)
{
	uint8_t	pkt[LN_MAX_DATAGRAM];
	size_t	n;

	fuzz_rng_reset();
	fuzz_rng_use(FUZZ_CLIENT);
	if (hs_initiation(hs, cli_sk, srv_pk, FUZZ_INIT_INDEX, NULL, 0, pkt,
	    sizeof pkt, &n) != 0)
		abort();
}

/* Consumes one response to the fixed initiation. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct noise_handshake	 hs;
	struct hs_keys		 keys;
	struct keypair		 kp;
	struct buf		 b;
	uint8_t			 pkt[4096], out[LN_MAX_DATAGRAM];
	uint8_t			 payload[LN_MAX_HS_PAYLOAD];
	const uint8_t		*rest;
	size_t			 len, plen, n;
	uint8_t			 mode = 0;
	int			 r;

	buf_reader(&b, data, size);
	(void)buf_get_u8(&b, &mode);
	rest = buf_get_rest(&b, &len);
	if (len > sizeof pkt)
		return (0);
	if (len != 0)
		memcpy(pkt, rest, len);
	if (mode & 1)
		fuzz_fix_mac1(pkt, len, cli_mac1_key);

	memcpy(&hs, &pristine, sizeof hs);
	r = hs_consume_response(&hs, FUZZ_INIT_INDEX, cli_mac1_key, pkt, len,
	    payload, sizeof payload, &plen, &keys);
	if (r == 0) {
		if (plen > LN_MAX_HS_PAYLOAD)
			abort();
		keypair_init(&kp, &keys, 1, FUZZ_T0);
		if (transport_seal(&kp, payload, plen, FUZZ_T0, 0, out,
		    sizeof out, &n) != 0) {
			fprintf(stderr, "fuzz-response: keys do not seal\n");
			abort();
		}
		keypair_wipe(&kp);
	}
	noise_wipe(&hs);
	sodium_memzero(&keys, sizeof keys);
	return (0);
}
