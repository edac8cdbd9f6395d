/*
 * chan-bench.c: the channel's two speed goals on one core, each beside the
 * raw libsodium primitive measured in the same run.
 *
 *	chan-bench [-t SECONDS]
 *
 * (a) Responder handshakes per second: hs_consume_initiation followed by
 *     hs_response, over initiations generated beforehand (so the client's
 *     side is not measured), beside crypto_scalarmult (X25519) operations
 *     per second. The Noise IK responder needs four DH operations (es, ss
 *     reading the initiation, ee, se writing the response), so X25519/s / 4
 *     is the ceiling no responder can pass. Goal: >= 3,000 per second.
 * (b) Transport packets per second with a 1200-byte payload, both
 *     directions: transport_seal under one key pair and transport_open
 *     (replay window included) under the peer's, beside raw
 *     crypto_aead_chacha20poly1305_ietf_encrypt and _decrypt of 1200 bytes.
 *     Goal: >= 70% of raw.
 *
 * Each figure and its primitive run in alternating slices of -t CPU
 * seconds (default 0.2), ten of each, and the best slice counts. Run
 * by `make bench-channel` (Makefile.am), never by make check;
 * docs/benchmarks.md keeps the figures.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "proto.h"
#include "lnsh.pb-c.h"

#define NINIT		2048	/* initiations generated beforehand */
#define PAYLOAD		1200	/* transport payload, bytes */
#define ROUNDS		10	/* slices of each, best of */
#define CHECK_EVERY	64	/* iterations between clock reads */
#define NONCE_LEN	crypto_aead_chacha20poly1305_ietf_NPUBBYTES

static double	bench_secs = 0.2;

/*
 * This process's CPU time in ns. The figures are per core, so CPU time is
 * the clock that matters; on a shared machine wall time would also count
 * the time other processes held the core.
 */
static uint64_t
bench_cpu_ns(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) {
		perror("chan-bench: clock_gettime");
		exit(1);
	}
	return ((uint64_t)ts.tv_sec * LN_NS_PER_SEC + (uint64_t)ts.tv_nsec);
}

/* Runs a step for one slice of bench_secs; its rate per CPU second. */
static double
bench_slice(void (*step)(void *, uint64_t), void *arg, uint64_t *n)
{
	uint64_t	start, now, first = *n;
	unsigned	i;

	start = bench_cpu_ns();
	do {
		for (i = 0; i < CHECK_EVERY; i++)
			step(arg, (*n)++);
		now = bench_cpu_ns();
	} while (now - start < (uint64_t)(bench_secs * LN_NS_PER_SEC));
	return ((double)(*n - first) * LN_NS_PER_SEC / (double)(now - start));
}

/*
 * Measures a figure and its raw primitive in alternating slices, ROUNDS of
 * each, and keeps the best rate of each: both then see the same machine,
 * caches and clock speed, and a slice disturbed by a neighbour is dropped.
 */
static void
bench_pair(void (*a)(void *, uint64_t), void *aarg,
    void (*b)(void *, uint64_t), void *barg, double *ra, double *rb)
{
	uint64_t	na = 0, nb = 0;
	double		r;
	int		round;

	*ra = *rb = 0;
	for (round = 0; round < ROUNDS; round++) {
		if ((r = bench_slice(a, aarg, &na)) > *ra)
			*ra = r;
		if ((r = bench_slice(b, barg, &nb)) > *rb)
			*rb = r;
	}
}

/* Handshake state: the server's key and the initiations to answer. */
struct hs_bench {
	uint8_t		 srv_sk[LN_KEY_LEN];
	uint8_t		 srv_pk[LN_KEY_LEN];
	uint8_t		 mac1_key[LN_KEY_LEN];
	uint8_t		 welcome[16];
	size_t		 welcome_len;
	uint8_t		(*pkt)[LN_MAX_DATAGRAM];
	size_t		*len;
};

/* One responder handshake: consume an initiation, write the response. */
static void
hs_step(void *arg, uint64_t i)
{
	struct hs_bench		*b = arg;
	struct noise_handshake	 hs;
	struct hs_keys		 keys;
	uint8_t			 payload[LN_MAX_HS_PAYLOAD];
	uint8_t			 client_pk[LN_KEY_LEN];
	uint8_t			 resp[LN_MAX_DATAGRAM];
	uint32_t		 sender;
	size_t			 plen, rlen, k = i % NINIT;

	if (hs_consume_initiation(&hs, b->srv_sk, b->srv_pk, b->mac1_key,
	    b->pkt[k], b->len[k], &sender, client_pk, payload, sizeof payload,
	    &plen) != 0 ||
	    hs_response(&hs, 1, sender, client_pk, b->welcome,
	    b->welcome_len, resp, sizeof resp, &rlen, &keys) != 0) {
		fprintf(stderr, "chan-bench: handshake failed\n");
		exit(1);
	}
	sodium_memzero(&keys, sizeof keys);
}

/* The raw primitive's state: a scalar, a point, the result. */
struct x25519_bench {
	uint8_t		scalar[crypto_scalarmult_SCALARBYTES];
	uint8_t		point[crypto_scalarmult_BYTES];
	uint8_t		out[crypto_scalarmult_BYTES];
};

/* The raw primitive: one X25519 with a changing scalar. */
static void
x25519_step(void *arg, uint64_t i)
{
	struct x25519_bench	*x = arg;

	x->scalar[0] = (uint8_t)i;
	if (crypto_scalarmult(x->out, x->scalar, x->point) != 0) {
		fprintf(stderr, "chan-bench: crypto_scalarmult failed\n");
		exit(1);
	}
}

/* Transport state: two ends of a connection and a packet buffer. */
struct tx_bench {
	struct keypair	 a, b;
	uint8_t		 pt[PAYLOAD];
	uint8_t		 pkt[LN_MAX_DATAGRAM];
	uint8_t		 out[LN_MAX_DATAGRAM];
};

/* One transport packet: sealed by one end, opened by the other. */
static void
tx_step(void *arg, uint64_t i)
{
	struct tx_bench	*t = arg;
	struct keypair	*from = (i & 1) ? &t->b : &t->a;
	struct keypair	*to = (i & 1) ? &t->a : &t->b;
	size_t		 n, m;

	if (transport_seal(from, t->pt, sizeof t->pt, 1, 0, t->pkt,
	    sizeof t->pkt, &n) != 0 ||
	    transport_open(to, t->pkt, n, 1, 0, t->out, sizeof t->out,
	    &m) != 0 || m != PAYLOAD) {
		fprintf(stderr, "chan-bench: transport failed\n");
		exit(1);
	}
}

/* Raw AEAD state: key, header as associated data, buffers. */
struct aead_bench {
	uint8_t		key[crypto_aead_chacha20poly1305_ietf_KEYBYTES];
	uint8_t		ad[LN_TRANSPORT_HDR_LEN];
	uint8_t		pt[PAYLOAD];
	uint8_t		ct[PAYLOAD + LN_TAG_LEN];
	uint8_t		out[PAYLOAD];
};

/* One raw packet: encrypt and decrypt 1200 bytes with a 16-byte AD. */
static void
aead_step(void *arg, uint64_t i)
{
	struct aead_bench	*r = arg;
	uint8_t			 nonce[NONCE_LEN];
	unsigned long long	 clen, mlen;
	struct buf		 w;

	/* The nonce as transport forms it: 4 zero bytes, the counter. */
	buf_writer(&w, nonce, sizeof nonce);
	(void)buf_put_u32le(&w, 0);
	(void)buf_put_u64le(&w, i);
	crypto_aead_chacha20poly1305_ietf_encrypt(r->ct, &clen, r->pt,
	    sizeof r->pt, r->ad, sizeof r->ad, NULL, nonce, r->key);
	if (crypto_aead_chacha20poly1305_ietf_decrypt(r->out, &mlen, NULL,
	    r->ct, clen, r->ad, sizeof r->ad, nonce, r->key) != 0) {
		fprintf(stderr, "chan-bench: raw AEAD failed\n");
		exit(1);
	}
}

/* Generates the initiations the handshake benchmark answers. */
static void
hs_setup(struct hs_bench *b)
{
	Lnsh__Hello	 hello = LNSH__HELLO__INIT;
	Lnsh__Welcome	 w = LNSH__WELCOME__INIT;
	uint8_t		 cli_sk[LN_KEY_LEN];
	uint8_t		 cli_pk[LN_KEY_LEN], payload[64];
	struct noise_handshake hs;
	size_t		 plen, i;

	if (noise_keypair(b->srv_sk, b->srv_pk) != 0 ||
	    noise_keypair(cli_sk, cli_pk) != 0)
		exit(1);
	hs_mac1_key(b->srv_pk, b->mac1_key);
	w.version = LN_PROTO_VERSION;
	b->welcome_len = lnsh__welcome__pack(&w, b->welcome);
	hello.connection_id = 42;
	hello.user = (char *)(uintptr_t)"bench";
	hello.version = LN_PROTO_VERSION;
	b->pkt = xcalloc(NINIT, sizeof *b->pkt);
	b->len = xcalloc(NINIT, sizeof *b->len);
	for (i = 0; i < NINIT; i++) {
		hello.timestamp_ns = ln_wall_ns() + i;
		plen = lnsh__hello__pack(&hello, payload);
		if (hs_initiation(&hs, cli_sk, b->srv_pk, (uint32_t)i + 1,
		    payload, plen, b->pkt[i], sizeof b->pkt[i],
		    &b->len[i]) != 0)
			exit(1);
		noise_wipe(&hs);
	}
	sodium_memzero(cli_sk, sizeof cli_sk);
}

/* Two ends of a transport connection with random keys. */
static void
tx_setup(struct tx_bench *t)
{
	struct hs_keys	ka, kb;

	memset(&ka, 0, sizeof ka);
	memset(&kb, 0, sizeof kb);
	randombytes_buf(ka.send, sizeof ka.send);
	randombytes_buf(ka.recv, sizeof ka.recv);
	memcpy(kb.send, ka.recv, LN_KEY_LEN);
	memcpy(kb.recv, ka.send, LN_KEY_LEN);
	ka.local_index = kb.remote_index = 7;
	kb.local_index = ka.remote_index = 9;
	keypair_init(&t->a, &ka, 1, 1);
	keypair_init(&t->b, &kb, 0, 1);
	randombytes_buf(t->pt, sizeof t->pt);
	sodium_memzero(&ka, sizeof ka);
	sodium_memzero(&kb, sizeof kb);
}

/* Prints one line of the table. */
static int
row(const char *figure, double v, const char *raw_name, double raw,
    double ratio, const char *goal, int pass)
{
	printf("%-26s %10.0f  %-22s %10.0f  %6.1f%%  %-14s %s\n", figure, v,
	    raw_name, raw, ratio * 100, goal, pass ? "PASS" : "MISS");
	return (pass);
}

/* Measures both figures and prints the table; exits 0 either way. */
int
main(int argc, char **argv)
{
	static struct tx_bench	 t;
	struct hs_bench		 hb;
	struct aead_bench	 ab;
	struct x25519_bench	 x;
	double			 hs, x25519, ceiling, tx, raw;
	int			 ch;

	while ((ch = getopt(argc, argv, "t:")) != -1) {
		switch (ch) {
		case 't':
			bench_secs = atof(optarg);
			if (bench_secs <= 0) {
				fprintf(stderr, "chan-bench: bad -t\n");
				return (2);
			}
			break;
		default:
			fprintf(stderr, "usage: chan-bench [-t SECONDS]\n");
			return (2);
		}
	}
	if (sodium_init() < 0)
		return (1);

	memset(&hb, 0, sizeof hb);
	hs_setup(&hb);
	randombytes_buf(x.scalar, sizeof x.scalar);
	randombytes_buf(x.out, sizeof x.out);
	if (noise_pubkey(x.out, x.point) != 0)	/* a valid point */
		return (1);
	bench_pair(hs_step, &hb, x25519_step, &x, &hs, &x25519);
	ceiling = x25519 / 4;

	tx_setup(&t);
	memset(&ab, 0, sizeof ab);
	randombytes_buf(ab.key, sizeof ab.key);
	randombytes_buf(ab.pt, sizeof ab.pt);
	bench_pair(tx_step, &t, aead_step, &ab, &tx, &raw);

	printf("lnsh channel benchmark, one core, best of %d slices of %.2f "
	    "CPU s each (libsodium %s)\n\n", ROUNDS, bench_secs,
	    sodium_version_string());
	printf("%-26s %10s  %-22s %10s  %7s  %-14s %s\n", "figure", "per s",
	    "raw primitive", "per s", "ratio", "goal", "result");
	row("responder handshakes", hs, "X25519 / 4 (ceiling)", ceiling,
	    hs / ceiling, ">= 3000/s", hs >= 3000);
	printf("%-26s %10s  %-22s %10.0f\n", "", "", "X25519 ops", x25519);
	printf("%-26s %10s  %-22s %10.2f\n", "", "", "X25519 per handshake",
	    x25519 / hs);
	row("transport pkts, 1200 B", tx, "ChaCha20-Poly1305", raw,
	    tx / raw, ">= 70% of raw", tx >= 0.7 * raw);
	printf("\ntransport: %.0f MB/s of payload sealed and opened; raw AEAD "
	    "%.0f MB/s\n", tx * PAYLOAD / 1e6, raw * PAYLOAD / 1e6);

	sodium_memzero(hb.srv_sk, sizeof hb.srv_sk);
	keypair_wipe(&t.a);
	keypair_wipe(&t.b);
	free(hb.pkt);
	free(hb.len);
	return (0);
}
