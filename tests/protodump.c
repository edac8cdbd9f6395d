/*
 * protodump.c: a worked example of the lnsh wire format, for the appendix
 * of docs/protocol.md. It drives the real packet code (handshake.c,
 * transport.c, frag.c, pairing.c and the protobuf messages) with fixed
 * static keys, fixed ephemeral keys, fixed indices and fixed payloads, and
 * prints every packet in hex together with the derived keys, so that an
 * independent implementation can check itself byte for byte.
 *
 * Randomness is the only input that is not fixed by the arguments of the
 * functions called, so libsodium's generator is replaced by one that hands
 * out exactly the bytes queued for the next draw (the ephemeral private
 * keys, in order) and aborts on any draw nobody queued: the dump cannot
 * silently depend on a random number.
 *
 * As a check program it also reads every packet back with the receiving
 * side's code and exits 1 if anything fails to round-trip.
 *
 * tests/regress/protocol-doc.sh compares this output with the appendix.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto.h"
#include "lnsh.pb-c.h"
#include "rpc.pb-c.h"
#include "pair.pb-c.h"

#define DUMP_QUEUE	4	/* random draws queued at once, at most */

/* Bytes queued for the next randombytes_buf calls, one entry a call. */
static struct {
	uint8_t	bytes[DUMP_QUEUE][LN_KEY_LEN];
	size_t	len[DUMP_QUEUE];
	int	head, n;
	int	strict;		/* unqueued draws abort */
} dump_rng;

static int	dump_failed;

/* The name libsodium reports for the generator. */
static const char *
dump_rng_name(void)
{
	return ("lnsh-protodump-fixed");
}

/*
 * Hands out the next queued bytes. Before sodium_init is done (its own
 * canary) zeros will do; after it, a draw nobody queued is a bug.
 */
static void
dump_rng_buf(void *p, size_t n)
{
	if (!dump_rng.strict) {
		memset(p, 0, n);
		return;
	}
	if (dump_rng.n == 0 || dump_rng.len[dump_rng.head] != n) {
		fprintf(stderr, "protodump: unexpected random draw of %zu "
		    "bytes\n", n);
		abort();
	}
	memcpy(p, dump_rng.bytes[dump_rng.head], n);
	dump_rng.head = (dump_rng.head + 1) % DUMP_QUEUE;
	dump_rng.n--;
}

/* A 32-bit random number: only through the queue. */
static uint32_t
dump_rng_random(void)
{
	uint32_t	v;

	dump_rng_buf(&v, sizeof v);
	return (v);
}

static struct randombytes_implementation dump_rng_impl = {
	.implementation_name = dump_rng_name,
	.random = dump_rng_random,
	.stir = NULL,
	.uniform = NULL,
	.buf = dump_rng_buf,
	.close = NULL,
};

/* Queues len bytes for the next random draw. */
static void
dump_queue(const uint8_t *p, size_t len)
{
	int	tail;

	if (dump_rng.n == DUMP_QUEUE || len > LN_KEY_LEN)
		abort();
	tail = (dump_rng.head + dump_rng.n) % DUMP_QUEUE;
	memcpy(dump_rng.bytes[tail], p, len);
	dump_rng.len[tail] = len;
	dump_rng.n++;
}

/* Fills a 32-byte key with first, first + 1, ... (mod 256). */
static void
dump_fixed(uint8_t *k, uint8_t first)
{
	size_t	i;

	for (i = 0; i < LN_KEY_LEN; i++)
		k[i] = (uint8_t)(first + i);
}

/* Prints a labelled value in hex on one line. */
static void
dump_line(const char *label, const uint8_t *p, size_t len)
{
	size_t	i;

	printf("%-22s ", label);
	for (i = 0; i < len; i++)
		printf("%02x", p[i]);
	printf("\n");
}

/* Prints a packet as offset and 16 bytes a line. */
static void
dump_packet(const char *label, const uint8_t *p, size_t len)
{
	size_t	i;

	printf("%s, %zu bytes:\n", label, len);
	for (i = 0; i < len; i++) {
		if (i % 16 == 0)
			printf("  %04zx ", i);
		printf(" %02x", p[i]);
		if (i % 16 == 15 || i + 1 == len)
			printf("\n");
	}
}

/* Notes a failed round trip; the program will exit 1. */
static void
dump_check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "protodump: %s failed\n", what);
		dump_failed = 1;
	}
}

/* The IK handshake, then one transport packet each way. */
static void
dump_ik(void)
{
	uint8_t			 c_sk[LN_KEY_LEN], c_pk[LN_KEY_LEN];
	uint8_t			 s_sk[LN_KEY_LEN], s_pk[LN_KEY_LEN];
	uint8_t			 c_e[LN_KEY_LEN], s_e[LN_KEY_LEN];
	uint8_t			 e_pk[LN_KEY_LEN];
	uint8_t			 c_mac1[LN_KEY_LEN], s_mac1[LN_KEY_LEN];
	uint8_t			 hello_pb[LN_MAX_HS_PAYLOAD];
	uint8_t			 welcome_pb[LN_MAX_HS_PAYLOAD];
	uint8_t			 pl[LN_MAX_HS_PAYLOAD], rpk[LN_KEY_LEN];
	uint8_t			 init[LN_MAX_DATAGRAM];
	uint8_t			 resp[LN_MAX_DATAGRAM];
	uint8_t			 req_pb[64], env_pb[128];
	uint8_t			 frame[LN_MAX_PLAINTEXT];
	uint8_t			 pkt[LN_MAX_DATAGRAM];
	uint8_t			 plain[LN_MAX_PLAINTEXT];
	size_t			 hello_len, welcome_len;
	size_t			 init_len, resp_len;
	size_t			 req_len, env_len, frame_len, pkt_len, n;
	uint32_t		 sender;
	struct noise_handshake	 c_hs, s_hs;
	struct hs_keys		 ck, sk;
	struct keypair		 ckp, skp;
	Lnsh__Hello		 hello = LNSH__HELLO__INIT;
	Lnsh__Welcome		 welcome = LNSH__WELCOME__INIT;
	Lnsh__Request		 req = LNSH__REQUEST__INIT;
	Lnsh__ListRequest	 list = LNSH__LIST_REQUEST__INIT;
	Lnsh__Envelope		 env = LNSH__ENVELOPE__INIT;
	const uint8_t		 keepalive[1] = { LN_FRAME_KEEPALIVE };

	dump_fixed(c_sk, 0x00);
	dump_fixed(s_sk, 0x20);
	dump_fixed(c_e, 0x40);
	dump_fixed(s_e, 0x60);
	if (noise_pubkey(c_sk, c_pk) != 0 || noise_pubkey(s_sk, s_pk) != 0)
		abort();

	printf("== IK connection ==\n");
	dump_line("client static private", c_sk, sizeof c_sk);
	dump_line("client static public", c_pk, sizeof c_pk);
	dump_line("server static private", s_sk, sizeof s_sk);
	dump_line("server static public", s_pk, sizeof s_pk);
	dump_line("client ephemeral priv", c_e, sizeof c_e);
	if (noise_pubkey(c_e, e_pk) != 0)
		abort();
	dump_line("client ephemeral pub", e_pk, sizeof e_pk);
	dump_line("server ephemeral priv", s_e, sizeof s_e);
	if (noise_pubkey(s_e, e_pk) != 0)
		abort();
	dump_line("server ephemeral pub", e_pk, sizeof e_pk);
	hs_mac1_key(s_pk, s_mac1);
	hs_mac1_key(c_pk, c_mac1);
	dump_line("mac1 key (server)", s_mac1, sizeof s_mac1);
	dump_line("mac1 key (client)", c_mac1, sizeof c_mac1);

	/* Hello: a fixed time, connection id and user. */
	hello.timestamp_ns = 1700000000000000000ULL;
	hello.connection_id = 0x0102030405060708ULL;
	hello.user = (char *)"alice";
	hello.version = LN_PROTO_VERSION;
	hello_len = lnsh__hello__pack(&hello, hello_pb);
	dump_line("Hello (protobuf)", hello_pb, hello_len);

	dump_queue(c_e, sizeof c_e);
	if (hs_initiation(&c_hs, c_sk, s_pk, 0x01020304, hello_pb, hello_len,
	    init, sizeof init, &init_len) != 0)
		abort();
	dump_packet("initiation (client -> server)", init, init_len);

	dump_check(hs_consume_initiation(&s_hs, s_sk, s_pk, s_mac1, init,
	    init_len, &sender, rpk, pl, sizeof pl, &n) == 0 &&
	    sender == 0x01020304 &&
	    n == hello_len && memcmp(pl, hello_pb, n) == 0 &&
	    memcmp(rpk, c_pk, LN_KEY_LEN) == 0, "reading the initiation");

	welcome.version = LN_PROTO_VERSION;
	welcome.resumed = 0;
	welcome_len = lnsh__welcome__pack(&welcome, welcome_pb);
	dump_line("Welcome (protobuf)", welcome_pb, welcome_len);
	dump_queue(s_e, sizeof s_e);
	if (hs_response(&s_hs, 0xa1b2c3d4, sender, rpk, welcome_pb,
	    welcome_len, resp, sizeof resp, &resp_len, &sk) != 0)
		abort();
	dump_packet("response (server -> client)", resp, resp_len);
	dump_check(hs_consume_response(&c_hs, 0x01020304, c_mac1, resp,
	    resp_len, pl, sizeof pl, &n, &ck) == 0 && n == welcome_len &&
	    memcmp(pl, welcome_pb, n) == 0, "reading the response");
	dump_line("c1 (client -> server)", ck.send, sizeof ck.send);
	dump_line("c2 (server -> client)", ck.recv, sizeof ck.recv);
	dump_check(memcmp(ck.send, sk.recv, LN_KEY_LEN) == 0 &&
	    memcmp(ck.recv, sk.send, LN_KEY_LEN) == 0, "split");

	keypair_init(&ckp, &ck, 1, 0);
	keypair_init(&skp, &sk, 0, 0);

	/* Client -> server: the first request, reliable seq 1, list. */
	req.id = 1;
	req.op_case = LNSH__REQUEST__OP_LIST;
	req.list = &list;
	req_len = lnsh__request__pack(&req, req_pb);
	dump_line("Request (protobuf)", req_pb, req_len);
	env.seq = 1;
	env.ack = 0;
	env.body.data = req_pb;
	env.body.len = req_len;
	env.ts = 1000;
	env_len = lnsh__envelope__pack(&env, env_pb);
	dump_line("Envelope (protobuf)", env_pb, env_len);
	/* Fragment id: id_base 0x1000 (even, random in real life) + 2 seq. */
	if (frag_build(0x1000 + 2 * env.seq, env_pb, env_len, 0, frame,
	    sizeof frame, &frame_len) != 0)
		abort();
	dump_line("fragment frame", frame, frame_len);
	if (transport_seal(&ckp, frame, frame_len, 0, 0, pkt, sizeof pkt,
	    &pkt_len) != 0)
		abort();
	dump_packet("transport (client -> server, counter 0)", pkt, pkt_len);
	dump_check(transport_open(&skp, pkt, pkt_len, 0, 0, plain,
	    sizeof plain, &n) == 0 && n == frame_len &&
	    memcmp(plain, frame, n) == 0, "opening the client's transport");

	/* Server -> client: a keepalive frame. */
	if (transport_seal(&skp, keepalive, sizeof keepalive, 0, 0, pkt,
	    sizeof pkt, &pkt_len) != 0)
		abort();
	dump_packet("transport (server -> client, counter 0, keepalive)", pkt,
	    pkt_len);
	dump_check(transport_open(&ckp, pkt, pkt_len, 0, 0, plain,
	    sizeof plain, &n) == 0 && n == 1 && plain[0] == LN_FRAME_KEEPALIVE,
	    "opening the server's transport");

	keypair_wipe(&ckp);
	keypair_wipe(&skp);
}

/* The four pairing packets with a fixed code. */
static void
dump_pairing(void)
{
	const char		*code = "7QK2-M9XD-4RTB-ZW3H-VC6N";
	char			 norm[LN_PAIR_CODE_CHARS + 1];
	uint8_t			 c_sk[LN_KEY_LEN], s_sk[LN_KEY_LEN];
	uint8_t			 c_e[LN_KEY_LEN], s_e[LN_KEY_LEN];
	uint8_t			 psk[LN_KEY_LEN], mkey[LN_KEY_LEN];
	uint8_t			 pkt[LN_MAX_DATAGRAM];
	uint8_t			 req_pb[LN_PAIR_MAX_PAYLOAD];
	uint8_t			 res_pb[LN_PAIR_MAX_PAYLOAD];
	uint8_t			 pl[LN_PAIR_MAX_PAYLOAD];
	size_t			 len, req_len, res_len, n;
	uint32_t		 idx = 0;
	struct noise_handshake	 c_hs, s_hs;
	struct hs_keys		 ck, sk;
	Lnsh__Pair__PairRequest	 req = LNSH__PAIR__PAIR_REQUEST__INIT;
	Lnsh__Pair__PairResult	 res = LNSH__PAIR__PAIR_RESULT__INIT;

	dump_fixed(c_sk, 0x00);
	dump_fixed(s_sk, 0x20);
	dump_fixed(c_e, 0x80);
	dump_fixed(s_e, 0xa0);

	printf("\n== XXpsk3 pairing ==\n");
	printf("%-22s %s\n", "code as typed", code);
	if (pair_code_normalise(code, norm) != 0 ||
	    pair_code_psk(code, psk) != 0)
		abort();
	printf("%-22s %s\n", "code normalised", norm);
	pair_mac1_key(psk, mkey);
	dump_line("psk", psk, sizeof psk);
	dump_line("mac1 key (code)", mkey, sizeof mkey);
	dump_line("client ephemeral priv", c_e, sizeof c_e);
	dump_line("server ephemeral priv", s_e, sizeof s_e);

	dump_queue(c_e, sizeof c_e);
	if (pair_init(&c_hs, c_sk, psk, mkey, 0x05060708, pkt, sizeof pkt,
	    &len) != 0)
		abort();
	dump_packet("pair init (client -> server)", pkt, len);
	dump_check(pair_mac1_ok(pkt, len, mkey) == 0 &&
	    pair_consume_init(&s_hs, s_sk, psk, mkey, pkt, len, &idx) == 0 &&
	    idx == 0x05060708, "reading the pair init");

	dump_queue(s_e, sizeof s_e);
	if (pair_response(&s_hs, 0xb1b2b3b4, idx, mkey, pkt, sizeof pkt,
	    &len) != 0)
		abort();
	dump_packet("pair response (server -> client)", pkt, len);
	dump_check(pair_consume_response(&c_hs, 0x05060708, mkey, pkt, len,
	    &idx) == 0 && idx == 0xb1b2b3b4, "reading the pair response");

	req.user = (char *)"alice";
	req.host = (char *)"air";
	req.comment = (char *)"alice@air";
	req_len = lnsh__pair__pair_request__pack(&req, req_pb);
	dump_line("PairRequest (protobuf)", req_pb, req_len);
	if (pair_finish(&c_hs, idx, mkey, req_pb, req_len, pkt, sizeof pkt,
	    &len, &ck) != 0)
		abort();
	ck.local_index = 0x05060708;
	dump_packet("pair finish (client -> server)", pkt, len);
	dump_check(pair_consume_finish(&s_hs, 0xb1b2b3b4, mkey, pkt, len, pl,
	    sizeof pl, &n, &sk) == 0 && n == req_len &&
	    memcmp(pl, req_pb, n) == 0, "reading the pair finish");
	sk.remote_index = 0x05060708;
	dump_line("c1 (client -> server)", ck.send, sizeof ck.send);
	dump_line("c2 (server -> client)", ck.recv, sizeof ck.recv);

	res.status = LNSH__PAIR__PAIR_RESULT__STATUS__OK;
	res.message = (char *)"paired";
	res_len = lnsh__pair__pair_result__pack(&res, res_pb);
	dump_line("PairResult (protobuf)", res_pb, res_len);
	if (pair_result(&sk, res_pb, res_len, pkt, sizeof pkt, &len) != 0)
		abort();
	dump_packet("pair result (server -> client)", pkt, len);
	dump_check(pair_consume_result(&ck, pkt, len, pl, sizeof pl, &n) == 0
	    && n == res_len && memcmp(pl, res_pb, n) == 0,
	    "opening the pair result");

	sodium_memzero(&ck, sizeof ck);
	sodium_memzero(&sk, sizeof sk);
	sodium_memzero(psk, sizeof psk);
	sodium_memzero(mkey, sizeof mkey);
}

/*
 * The cookie extension (protocol.md section 4.1): the IK initiation of
 * dump_ik answered by a server under load with a cookie reply, and the
 * client's next initiation, the same Noise message with mac2. The
 * server's secret, its source-hash key and the reply's nonce are fixed.
 */
static void
dump_cookie(void)
{
	uint8_t			 c_sk[LN_KEY_LEN], c_pk[LN_KEY_LEN];
	uint8_t			 s_sk[LN_KEY_LEN], s_pk[LN_KEY_LEN];
	uint8_t			 c_e[LN_KEY_LEN], secret[LN_KEY_LEN];
	uint8_t			 nonce[LN_COOKIE_NONCE_LEN], srckey[16];
	uint8_t			 cookie[LN_COOKIE_LEN];
	uint8_t			 hello_pb[LN_MAX_HS_PAYLOAD];
	uint8_t			 init[LN_MAX_DATAGRAM], init2[LN_MAX_DATAGRAM];
	uint8_t			 reply[LN_COOKIE_REPLY_LEN];
	uint8_t			 addr[6] = { 0x9c, 0x40, 127, 0, 0, 1 };
	size_t			 hello_len, init_len, init2_len, reply_len;
	struct noise_handshake	 hs;
	struct cookie_checker	 cc;
	struct cookie_maker	 cm;
	struct chan_addr	 from;
	struct sockaddr_in	 sin;
	Lnsh__Hello		 hello = LNSH__HELLO__INIT;
	size_t			 i;

	dump_fixed(c_sk, 0x00);
	dump_fixed(s_sk, 0x20);
	dump_fixed(c_e, 0x40);
	dump_fixed(secret, 0xc0);
	for (i = 0; i < sizeof nonce; i++)
		nonce[i] = (uint8_t)(0xe0 + i);
	memset(srckey, 0x5a, sizeof srckey);
	if (noise_pubkey(c_sk, c_pk) != 0 || noise_pubkey(s_sk, s_pk) != 0)
		abort();
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(40000);
	sin.sin_addr.s_addr = htonl(0x7f000001U);
	memset(&from, 0, sizeof from);
	memcpy(&from.ss, &sin, sizeof sin);
	from.len = sizeof sin;

	printf("\n== cookie (under load) ==\n");
	hello.timestamp_ns = 1700000000000000000ULL;
	hello.connection_id = 0x0102030405060708ULL;
	hello.user = (char *)"alice";
	hello.version = LN_PROTO_VERSION;
	hello_len = lnsh__hello__pack(&hello, hello_pb);
	dump_queue(c_e, sizeof c_e);
	if (hs_initiation(&hs, c_sk, s_pk, 0x01020304, hello_pb, hello_len,
	    init, sizeof init, &init_len) != 0)
		abort();
	noise_wipe(&hs);

	dump_queue(srckey, sizeof srckey);
	cookie_checker_init(&cc, s_pk);
	cookie_maker_init(&cm, s_pk);
	cookie_maker_sent(&cm, init, init_len);
	dump_line("cookie key", cm.dec_key, sizeof cm.dec_key);
	dump_line("secret", secret, sizeof secret);
	dump_line("source 127.0.0.1:40000", addr, sizeof addr);
	dump_queue(secret, sizeof secret);
	if (cookie_make(&cc, &from, 1, cookie) != 0)
		abort();
	dump_line("cookie", cookie, sizeof cookie);
	dump_line("nonce", nonce, sizeof nonce);
	dump_queue(nonce, sizeof nonce);
	if (cookie_reply(&cc, init, init_len, &from, 1, reply, sizeof reply,
	    &reply_len) != 0)
		abort();
	dump_packet("cookie reply (server -> client)", reply, reply_len);
	dump_check(cookie_consume_reply(&cm, reply, reply_len, 2) == 0 &&
	    memcmp(cm.cookie, cookie, sizeof cookie) == 0,
	    "reading the cookie reply");

	dump_queue(c_e, sizeof c_e);
	if (hs_initiation_cookie(&hs, c_sk, s_pk, 0x01020304, hello_pb,
	    hello_len, cookie_maker_get(&cm, 3), init2, sizeof init2,
	    &init2_len) != 0)
		abort();
	noise_wipe(&hs);
	dump_packet("initiation with mac2 (client -> server)", init2,
	    init2_len);
	dump_check(cookie_check_mac2(&cc, init2, init2_len, &from, 4) == 0,
	    "checking mac2");
	cookie_checker_wipe(&cc);
	cookie_maker_wipe(&cm);
	(void)c_pk;
}

/* Prints the worked example; exits 1 if any packet does not read back. */
int
main(void)
{
	if (randombytes_set_implementation(&dump_rng_impl) != 0 ||
	    sodium_init() < 0)
		return (1);
	dump_rng.strict = 1;

	printf("lnsh protocol %d worked example (tests/protodump.c)\n",
	    LN_PROTO_VERSION);
	dump_ik();
	dump_pairing();
	dump_cookie();
	if (dump_rng.n != 0) {
		fprintf(stderr, "protodump: a queued random draw was unused\n");
		dump_failed = 1;
	}
	return (dump_failed ? 1 : 0);
}
