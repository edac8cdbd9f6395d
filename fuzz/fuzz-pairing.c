/*
 * fuzz-pairing.c: the pairing packets (proto/pairing.c, Noise XXpsk3 with
 * a one-time code as the PSK) and their payloads (proto/pair.proto), on
 * both sides. Each run pairs a fixed client with a fixed server under a
 * fixed code, on the deterministic generator, up to the step the first
 * input byte selects (modulo 4), where the rest of the input replaces the
 * genuine packet:
 *
 *	0	the init, as the server reads it
 *	1	the response, as the client reads it
 *	2	the finish and its PairRequest, as the server reads them
 *	3	the result and its PairResult, as the client reads them
 *
 * The genuine packets, byte for byte what the run makes, are the seeds:
 * FUZZ_PAIR_SEEDS=DIR fuzz/fuzz-pairing writes them into DIR and exits.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pair.pb-c.h"

#define FUZZ_PAIR_CODE	"7K3M-QX9P-2D4H-VB6T-R8WN"
#define FUZZ_PAIR_CIDX	0x43494458U
#define FUZZ_PAIR_SIDX	0x53494458U
#define FUZZ_PAIR_MAX	(1024)

static uint8_t	fuzz_psk[LN_KEY_LEN], fuzz_mkey[LN_KEY_LEN];

/* The genuine packets of one run, for the seeds. */
struct fuzz_pair_pkts {
	uint8_t	p[4][FUZZ_PAIR_MAX];
	size_t	len[4];
};

/* Runs a pairing up to step mode, which reads pkt instead. */
static void
fuzz_pair_run(unsigned mode, const uint8_t *pkt, size_t len,
    struct fuzz_pair_pkts *out)
{
	Lnsh__Pair__PairRequest	 rq = LNSH__PAIR__PAIR_REQUEST__INIT, *rq2;
	Lnsh__Pair__PairResult	 rs = LNSH__PAIR__PAIR_RESULT__INIT, *rs2;
	struct noise_handshake	 chs, shs;
	struct hs_keys		 ckeys, skeys;
	uint8_t			 csk[LN_KEY_LEN], ssk[LN_KEY_LEN];
	uint8_t			 buf[FUZZ_PAIR_MAX], pl[LN_PAIR_MAX_PAYLOAD];
	uint8_t			 plbuf[LN_PAIR_MAX_PAYLOAD];
	const uint8_t		*in;
	size_t			 n, inlen, plen;
	uint32_t		 idx, sidx;

	fuzz_rng_reset();
	fuzz_client_key(csk, NULL);
	fuzz_server_key(ssk, NULL);
	memset(&chs, 0, sizeof chs);
	memset(&shs, 0, sizeof shs);

	/* 0: the init. */
	fuzz_rng_use(FUZZ_CLIENT);
	if (pair_init(&chs, csk, fuzz_psk, fuzz_mkey, FUZZ_PAIR_CIDX, buf,
	    sizeof buf, &n) != 0)
		abort();
	if (out != NULL) {
		memcpy(out->p[0], buf, n);
		out->len[0] = n;
	}
	in = mode == 0 ? pkt : buf;
	inlen = mode == 0 ? len : n;
	fuzz_rng_use(FUZZ_SERVER);
	if (pair_consume_init(&shs, ssk, fuzz_psk, fuzz_mkey, in, inlen,
	    &idx) != 0) {
		if (mode != 0)
			abort();
		return;
	}
	if (pair_response(&shs, FUZZ_PAIR_SIDX, idx, fuzz_mkey, buf,
	    sizeof buf, &n) != 0)
		abort();
	if (mode == 0)
		return;

	/* 1: the response. */
	if (out != NULL) {
		memcpy(out->p[1], buf, n);
		out->len[1] = n;
	}
	in = mode == 1 ? pkt : buf;
	inlen = mode == 1 ? len : n;
	fuzz_rng_use(FUZZ_CLIENT);
	if (pair_consume_response(&chs, FUZZ_PAIR_CIDX, fuzz_mkey, in, inlen,
	    &sidx) != 0) {
		if (mode != 1)
			abort();
		return;
	}
	rq.user = (char *)(uintptr_t)FUZZ_USER;
	rq.host = (char *)(uintptr_t)"laptop";
	rq.comment = (char *)(uintptr_t)"fuzz@laptop";
	plen = lnsh__pair__pair_request__pack(&rq, plbuf);
	if (pair_finish(&chs, sidx, fuzz_mkey, plbuf, plen, buf, sizeof buf,
	    &n, &ckeys) != 0)
		abort();
	ckeys.local_index = FUZZ_PAIR_CIDX;
	if (mode == 1)
		return;

	/* 2: the finish. */
	if (out != NULL) {
		memcpy(out->p[2], buf, n);
		out->len[2] = n;
	}
	in = mode == 2 ? pkt : buf;
	inlen = mode == 2 ? len : n;
	fuzz_rng_use(FUZZ_SERVER);
	if (pair_consume_finish(&shs, FUZZ_PAIR_SIDX, fuzz_mkey, in, inlen,
	    pl, sizeof pl, &plen, &skeys) != 0) {
		if (mode != 2)
			abort();
		return;
	}
	skeys.remote_index = idx;	/* from the init, as server/pair.c */
	if (plen > LN_PAIR_MAX_PAYLOAD)
		abort();
	if ((rq2 = lnsh__pair__pair_request__unpack(NULL, plen, pl)) != NULL)
		lnsh__pair__pair_request__free_unpacked(rq2, NULL);
	else if (mode != 2)
		abort();
	rs.status = LNSH__PAIR__PAIR_RESULT__STATUS__OK;
	rs.message = (char *)(uintptr_t)"admitted";
	rs.user = (char *)(uintptr_t)FUZZ_USER;
	plen = lnsh__pair__pair_result__pack(&rs, plbuf);
	if (pair_result(&skeys, plbuf, plen, buf, sizeof buf, &n) != 0)
		abort();
	if (mode == 2)
		return;

	/* 3: the result. */
	if (out != NULL) {
		memcpy(out->p[3], buf, n);
		out->len[3] = n;
	}
	in = mode == 3 ? pkt : buf;
	inlen = mode == 3 ? len : n;
	if (pair_consume_result(&ckeys, in, inlen, pl, sizeof pl,
	    &plen) != 0) {
		if (mode != 3)
			abort();
		return;
	}
	if (plen > LN_PAIR_MAX_PAYLOAD)
		abort();
	if ((rs2 = lnsh__pair__pair_result__unpack(NULL, plen, pl)) != NULL)
		lnsh__pair__pair_result__free_unpacked(rs2, NULL);
	else if (mode != 3)
		abort();
}

/* Writes the four genuine packets as seeds into dir. */
static void
fuzz_pair_seeds(const char *dir)
{
	struct fuzz_pair_pkts	 pk;
	char			 path[1024];
	FILE			*f;
	uint8_t			 mode;

	memset(&pk, 0, sizeof pk);
	fuzz_pair_run(4, NULL, 0, &pk);
	for (mode = 0; mode < 4; mode++) {
		snprintf(path, sizeof path, "%s/step-%u", dir, mode);
		if ((f = fopen(path, "wb")) == NULL ||
		    fwrite(&mode, 1, 1, f) != 1 ||
		    fwrite(pk.p[mode], pk.len[mode], 1, f) != 1 ||
		    fclose(f) != 0) {
			fprintf(stderr, "fuzz-pairing: %s: cannot write\n",
			    path);
			exit(1);
		}
	}
	exit(0);
}

/* Installs the generator and the code's keys; writes seeds if asked. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*dir;

	(void)argc;
	(void)argv;
	fuzz_init();
	if (pair_code_psk(FUZZ_PAIR_CODE, fuzz_psk) != 0)
		abort();
	pair_mac1_key(fuzz_psk, fuzz_mkey);
	if ((dir = getenv("FUZZ_PAIR_SEEDS")) != NULL)
		fuzz_pair_seeds(dir);
	return (0);
}

/* One pairing with one packet replaced. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t	 idx;

	if (size < 1)
		return (0);
	(void)pair_packet_type(data + 1, size - 1);
	(void)pair_packet_index(data + 1, size - 1, &idx);
	fuzz_pair_run(data[0] % 4, data + 1, size - 1, NULL);
	return (0);
}
