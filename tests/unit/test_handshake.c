/*
 * test_handshake.c: the IK initiation and response packets round-trip to
 * matching keys, have the documented byte layout, and every corruption
 * (bit flip, truncation, wrong key, wrong index, oversize payload) is
 * dropped with a reason and never accepted. Also the token bucket, on a
 * virtual clock.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "proto.h"

#define INIT_FIXED	120	/* initiation without payload */
#define RESP_FIXED	76	/* response without payload */
#define SEC		LN_NS_PER_SEC
#define MS		LN_NS_PER_MS

/* Both ends' keys and one completed exchange of packets. */
struct pair {
	uint8_t			c_priv[LN_KEY_LEN], c_pub[LN_KEY_LEN];
	uint8_t			s_priv[LN_KEY_LEN], s_pub[LN_KEY_LEN];
	uint8_t			c_mac1[LN_KEY_LEN], s_mac1[LN_KEY_LEN];
	struct noise_handshake	c_hs, s_hs;
	uint8_t			init[LN_MAX_DATAGRAM], resp[LN_MAX_DATAGRAM];
	size_t			init_len, resp_len;
};

static const uint8_t	hello[] = "hello from the client";
static const uint8_t	welcome[] = "welcome";

/* Fresh keys for both ends, and their mac1 keys. */
static void
pair_keys(struct pair *p)
{
	memset(p, 0, sizeof *p);
	assert_int_equal(noise_keypair(p->c_priv, p->c_pub), 0);
	assert_int_equal(noise_keypair(p->s_priv, p->s_pub), 0);
	hs_mac1_key(p->c_pub, p->c_mac1);
	hs_mac1_key(p->s_pub, p->s_mac1);
}

/* Client writes an initiation with sender index 0x11223344. */
static void
pair_initiation(struct pair *p)
{
	assert_int_equal(hs_initiation(&p->c_hs, p->c_priv, p->s_pub,
	    0x11223344, hello, sizeof hello, p->init, sizeof p->init,
	    &p->init_len), 0);
	assert_int_equal(p->init_len, INIT_FIXED + sizeof hello);
}

/* Server consumes the initiation and answers with index 0xaabbccdd. */
static void
hs_pair_response(struct pair *p, struct hs_keys *skeys)
{
	uint8_t		pl[LN_MAX_HS_PAYLOAD], cpk[LN_KEY_LEN];
	size_t		plen;
	uint32_t	sender;

	assert_int_equal(hs_consume_initiation(&p->s_hs, p->s_priv, p->s_pub,
	    p->s_mac1, p->init, p->init_len, &sender, cpk, pl, sizeof pl,
	    &plen), 0);
	assert_int_equal(sender, 0x11223344);
	assert_memory_equal(cpk, p->c_pub, LN_KEY_LEN);
	assert_int_equal(plen, sizeof hello);
	assert_memory_equal(pl, hello, plen);
	assert_int_equal(hs_response(&p->s_hs, 0xaabbccdd, sender, cpk,
	    welcome, sizeof welcome, p->resp, sizeof p->resp, &p->resp_len,
	    skeys), 0);
	assert_int_equal(p->resp_len, RESP_FIXED + sizeof welcome);
}

/* mac1 as the header comment of handshake.c defines it, computed here. */
static void
expect_mac1(const uint8_t *pub, const uint8_t *pkt, size_t len)
{
	uint8_t	key[32], in[8 + LN_KEY_LEN], mac[LN_MAC_LEN];

	memcpy(in, "mac1----", 8);
	memcpy(in + 8, pub, LN_KEY_LEN);
	crypto_generichash(key, sizeof key, in, sizeof in, NULL, 0);
	crypto_generichash(mac, sizeof mac, pkt, len - LN_MAC_LEN, key,
	    sizeof key);
	assert_memory_equal(mac, pkt + len - LN_MAC_LEN, LN_MAC_LEN);
}

/* Replaces the mac1 of a packet by a valid one, as anyone knowing pub can. */
static void
remac(const uint8_t *pub, uint8_t *pkt, size_t len)
{
	uint8_t	key[LN_KEY_LEN];

	hs_mac1_key(pub, key);
	crypto_generichash(pkt + len - LN_MAC_LEN, LN_MAC_LEN, pkt,
	    len - LN_MAC_LEN, key, sizeof key);
}

/* A full round trip: keys match crosswise, layout is as documented. */
static void
test_round_trip(void **state)
{
	struct pair	p;
	struct hs_keys	ck, sk;
	uint8_t		pl[LN_MAX_HS_PAYLOAD], ct[64], pt[64];
	size_t		plen;

	pair_keys(&p);
	pair_initiation(&p);
	/* type, version, reserved, sender index little-endian */
	assert_int_equal(p.init[0], LN_PKT_INITIATION);
	assert_int_equal(p.init[1], LN_PROTO_VERSION);
	assert_int_equal(p.init[2] | p.init[3], 0);
	assert_int_equal(p.init[4], 0x44);
	assert_int_equal(p.init[7], 0x11);
	expect_mac1(p.s_pub, p.init, p.init_len);

	hs_pair_response(&p, &sk);
	assert_int_equal(p.resp[0], LN_PKT_RESPONSE);
	assert_int_equal(p.resp[1], LN_PROTO_VERSION);
	assert_int_equal(p.resp[2] | p.resp[3], 0);
	assert_int_equal(p.resp[4], 0xdd);	/* server's index */
	assert_int_equal(p.resp[8], 0x44);	/* client's, echoed */
	expect_mac1(p.c_pub, p.resp, p.resp_len);
	/* The server's handshake was consumed. */
	assert_false(noise_done(&p.s_hs));

	assert_int_equal(hs_consume_response(&p.c_hs, 0x11223344, p.c_mac1,
	    p.resp, p.resp_len, pl, sizeof pl, &plen, &ck), 0);
	assert_int_equal(plen, sizeof welcome);
	assert_memory_equal(pl, welcome, plen);

	assert_memory_equal(ck.send, sk.recv, LN_KEY_LEN);
	assert_memory_equal(ck.recv, sk.send, LN_KEY_LEN);
	assert_memory_not_equal(ck.send, ck.recv, LN_KEY_LEN);
	assert_int_equal(ck.local_index, 0x11223344);
	assert_int_equal(ck.remote_index, 0xaabbccdd);
	assert_int_equal(sk.local_index, 0xaabbccdd);
	assert_int_equal(sk.remote_index, 0x11223344);
	assert_memory_equal(ck.remote_static, p.s_pub, LN_KEY_LEN);
	assert_memory_equal(sk.remote_static, p.c_pub, LN_KEY_LEN);

	/* The keys work both ways for transport. */
	assert_int_equal(noise_seal(ck.send, 0, NULL, 0, hello, 8, ct), 0);
	assert_int_equal(noise_open(sk.recv, 0, NULL, 0, ct, 8 + LN_TAG_LEN,
	    pt), 0);
	assert_memory_equal(pt, hello, 8);
	assert_int_equal(noise_seal(sk.send, 0, NULL, 0, hello, 8, ct), 0);
	assert_int_equal(noise_open(ck.recv, 0, NULL, 0, ct, 8 + LN_TAG_LEN,
	    pt), 0);

	/* A second response to a completed handshake is not expected. */
	assert_int_equal(hs_consume_response(&p.c_hs, 0x11223344, p.c_mac1,
	    p.resp, p.resp_len, pl, sizeof pl, &plen, &ck),
	    LN_E_DROP(LN_DROP_STATE));
}

/*
 * A client that has the wrong server key fails mac1 at the real server;
 * one that forges mac1 for the right key still fails the Noise read.
 */
static void
test_wrong_server_key(void **state)
{
	struct pair		p;
	struct noise_handshake	hs;
	uint8_t			o_priv[LN_KEY_LEN], o_pub[LN_KEY_LEN];
	uint8_t			pl[LN_MAX_HS_PAYLOAD], cpk[LN_KEY_LEN];
	size_t			plen;
	uint32_t		sender;

	pair_keys(&p);
	assert_int_equal(noise_keypair(o_priv, o_pub), 0);
	assert_int_equal(hs_initiation(&p.c_hs, p.c_priv, o_pub, 1, hello,
	    sizeof hello, p.init, sizeof p.init, &p.init_len), 0);
	assert_int_equal(hs_consume_initiation(&hs, p.s_priv, p.s_pub, p.s_mac1,
	    p.init, p.init_len, &sender, cpk, pl, sizeof pl, &plen),
	    LN_E_DROP(LN_DROP_MAC1));
	remac(p.s_pub, p.init, p.init_len);
	assert_int_equal(hs_consume_initiation(&hs, p.s_priv, p.s_pub, p.s_mac1,
	    p.init, p.init_len, &sender, cpk, pl, sizeof pl, &plen),
	    LN_E_DROP(LN_DROP_HANDSHAKE));
}

/* The drop a flip of byte off of an initiation must give. */
static int
init_flip_reason(size_t off)
{
	if (off == 0)
		return (LN_E_DROP(LN_DROP_TYPE));
	if (off == 1)
		return (LN_E_DROP(LN_DROP_VERSION));
	if (off < 4)
		return (LN_E_DROP(LN_DROP_RESERVED));
	return (LN_E_DROP(LN_DROP_MAC1));
}

/*
 * Every single-bit flip of an initiation is dropped, with the reason of the
 * field it hit; with mac1 recomputed, a flip in the Noise part is still
 * dropped, by Noise.
 */
static void
test_initiation_bit_flips(void **state)
{
	struct pair		p;
	struct noise_handshake	hs;
	uint8_t			pkt[LN_MAX_DATAGRAM];
	uint8_t			pl[LN_MAX_HS_PAYLOAD], cpk[LN_KEY_LEN];
	size_t			bit, off, plen;
	uint32_t		sender;

	pair_keys(&p);
	pair_initiation(&p);
	for (bit = 0; bit < p.init_len * 8; bit++) {
		off = bit / 8;
		memcpy(pkt, p.init, p.init_len);
		pkt[off] ^= 1 << (bit % 8);
		assert_int_equal(hs_consume_initiation(&hs, p.s_priv, p.s_pub,
		    p.s_mac1, pkt, p.init_len, &sender, cpk, pl, sizeof pl,
		    &plen), init_flip_reason(off));
		if (off < 8 || off >= p.init_len - LN_MAC_LEN)
			continue;
		remac(p.s_pub, pkt, p.init_len);
		assert_int_equal(hs_consume_initiation(&hs, p.s_priv, p.s_pub,
		    p.s_mac1, pkt, p.init_len, &sender, cpk, pl, sizeof pl,
		    &plen), LN_E_DROP(LN_DROP_HANDSHAKE));
	}
	/* The untouched packet is still good. */
	assert_int_equal(hs_consume_initiation(&hs, p.s_priv, p.s_pub, p.s_mac1,
	    p.init, p.init_len, &sender, cpk, pl, sizeof pl, &plen), 0);
}

/* The drop a flip of byte off of a response must give. */
static int
resp_flip_reason(size_t off)
{
	if (off < 4)
		return (init_flip_reason(off));
	if (off >= 8 && off < 12)
		return (LN_E_DROP(LN_DROP_UNKNOWN_INDEX));
	return (LN_E_DROP(LN_DROP_MAC1));
}

/*
 * Every single-bit flip of a response is dropped, and none of them spoils
 * the client's pending handshake: the genuine response is accepted after.
 */
static void
test_response_bit_flips(void **state)
{
	struct pair	p;
	struct hs_keys	ck, sk;
	uint8_t		pkt[LN_MAX_DATAGRAM], pl[LN_MAX_HS_PAYLOAD];
	size_t		bit, off, plen;

	pair_keys(&p);
	pair_initiation(&p);
	hs_pair_response(&p, &sk);
	for (bit = 0; bit < p.resp_len * 8; bit++) {
		off = bit / 8;
		memcpy(pkt, p.resp, p.resp_len);
		pkt[off] ^= 1 << (bit % 8);
		assert_int_equal(hs_consume_response(&p.c_hs, 0x11223344,
		    p.c_mac1, pkt, p.resp_len, pl, sizeof pl, &plen, &ck),
		    resp_flip_reason(off));
		if (off < 12 || off >= p.resp_len - LN_MAC_LEN)
			continue;
		remac(p.c_pub, pkt, p.resp_len);
		assert_int_equal(hs_consume_response(&p.c_hs, 0x11223344,
		    p.c_mac1, pkt, p.resp_len, pl, sizeof pl, &plen, &ck),
		    LN_E_DROP(LN_DROP_HANDSHAKE));
	}
	assert_int_equal(hs_consume_response(&p.c_hs, 0x11223344, p.c_mac1,
	    p.resp, p.resp_len, pl, sizeof pl, &plen, &ck), 0);
	assert_memory_equal(ck.send, sk.recv, LN_KEY_LEN);
}

/* Every truncation (and an extension) of either packet is dropped. */
static void
test_truncation(void **state)
{
	struct pair		p;
	struct noise_handshake	hs;
	struct hs_keys		ck, sk;
	uint8_t			pl[LN_MAX_HS_PAYLOAD], cpk[LN_KEY_LEN];
	size_t			len, plen;
	uint32_t		sender;
	int			r;

	pair_keys(&p);
	pair_initiation(&p);
	for (len = 0; len <= p.init_len + 1; len++) {
		if (len == p.init_len)
			continue;
		r = hs_consume_initiation(&hs, p.s_priv, p.s_pub, p.s_mac1,
		    p.init, len, &sender, cpk, pl, sizeof pl, &plen);
		assert_true(LN_E_IS_DROP(r));
		if (len < INIT_FIXED)
			assert_int_equal(r, LN_E_DROP(LN_DROP_SHORT));
		else
			assert_int_equal(r, LN_E_DROP(LN_DROP_MAC1));
	}

	hs_pair_response(&p, &sk);
	for (len = 0; len <= p.resp_len + 1; len++) {
		if (len == p.resp_len)
			continue;
		r = hs_consume_response(&p.c_hs, 0x11223344, p.c_mac1, p.resp,
		    len, pl, sizeof pl, &plen, &ck);
		assert_true(LN_E_IS_DROP(r));
		if (len < RESP_FIXED)
			assert_int_equal(r, LN_E_DROP(LN_DROP_SHORT));
		else
			assert_int_equal(r, LN_E_DROP(LN_DROP_MAC1));
	}
	assert_int_equal(hs_consume_response(&p.c_hs, 0x11223344, p.c_mac1,
	    p.resp, p.resp_len, pl, sizeof pl, &plen, &ck), 0);
}

/* Indices and types: a response for another index, packets swapped. */
static void
test_index_and_type(void **state)
{
	struct pair		p;
	struct noise_handshake	hs;
	struct hs_keys		ck, sk;
	uint8_t			pl[LN_MAX_HS_PAYLOAD], cpk[LN_KEY_LEN];
	size_t			plen;
	uint32_t		sender;

	pair_keys(&p);
	pair_initiation(&p);
	hs_pair_response(&p, &sk);
	assert_int_equal(hs_consume_response(&p.c_hs, 0x11223345, p.c_mac1,
	    p.resp, p.resp_len, pl, sizeof pl, &plen, &ck),
	    LN_E_DROP(LN_DROP_UNKNOWN_INDEX));
	assert_int_equal(hs_consume_response(&p.c_hs, 0x11223344, p.c_mac1,
	    p.init, p.init_len, pl, sizeof pl, &plen, &ck),
	    LN_E_DROP(LN_DROP_TYPE));
	assert_int_equal(hs_consume_initiation(&hs, p.s_priv, p.s_pub, p.s_mac1,
	    p.resp, p.resp_len, &sender, cpk, pl, sizeof pl, &plen),
	    LN_E_DROP(LN_DROP_TYPE));
	/* The server's mac1 key does not open the client's response. */
	assert_int_equal(hs_consume_response(&p.c_hs, 0x11223344, p.s_mac1,
	    p.resp, p.resp_len, pl, sizeof pl, &plen, &ck),
	    LN_E_DROP(LN_DROP_MAC1));
	/* A replayed initiation is the channel's business: it parses. */
	assert_int_equal(hs_consume_initiation(&hs, p.s_priv, p.s_pub, p.s_mac1,
	    p.init, p.init_len, &sender, cpk, pl, sizeof pl, &plen), 0);
}

/*
 * Payload limits: LN_MAX_HS_PAYLOAD round-trips, one byte more is refused
 * by the sender and dropped by the receiver; buffers too small are
 * LN_E_NOSPACE and leave the handshake alone.
 */
static void
test_payload_limits(void **state)
{
	struct pair		p;
	struct noise_handshake	hs, saved;
	struct hs_keys		sk;
	uint8_t			big[LN_MAX_HS_PAYLOAD + 1];
	uint8_t			pl[LN_MAX_HS_PAYLOAD], cpk[LN_KEY_LEN];
	uint8_t			pkt[LN_MAX_DATAGRAM];
	size_t			plen, len;
	uint32_t		sender;

	pair_keys(&p);
	randombytes_buf(big, sizeof big);
	assert_int_equal(hs_initiation(&p.c_hs, p.c_priv, p.s_pub, 7, big,
	    LN_MAX_HS_PAYLOAD + 1, pkt, sizeof pkt, &len), LN_E_INVAL);
	assert_int_equal(hs_initiation(&p.c_hs, p.c_priv, p.s_pub, 7, big,
	    LN_MAX_HS_PAYLOAD, pkt, INIT_FIXED + LN_MAX_HS_PAYLOAD - 1, &len),
	    LN_E_NOSPACE);
	assert_int_equal(hs_initiation(&p.c_hs, p.c_priv, p.s_pub, 7, big,
	    LN_MAX_HS_PAYLOAD, pkt, sizeof pkt, &len), 0);
	assert_int_equal(len, INIT_FIXED + LN_MAX_HS_PAYLOAD);

	/* The receiver's payload buffer must hold the payload. */
	assert_int_equal(hs_consume_initiation(&hs, p.s_priv, p.s_pub, p.s_mac1,
	    pkt, len, &sender, cpk, pl, LN_MAX_HS_PAYLOAD - 1, &plen),
	    LN_E_NOSPACE);
	assert_int_equal(hs_consume_initiation(&hs, p.s_priv, p.s_pub, p.s_mac1,
	    pkt, len, &sender, cpk, pl, sizeof pl, &plen), 0);
	assert_int_equal(plen, LN_MAX_HS_PAYLOAD);
	assert_memory_equal(pl, big, plen);

	/* The response side refuses too much, or too little room. */
	memcpy(&saved, &hs, sizeof saved);
	assert_int_equal(hs_response(&hs, 9, sender, cpk, big,
	    LN_MAX_HS_PAYLOAD + 1, pkt, sizeof pkt, &len, &sk), LN_E_INVAL);
	assert_int_equal(hs_response(&hs, 9, sender, cpk, big, 10, pkt,
	    RESP_FIXED + 9, &len, &sk), LN_E_NOSPACE);
	/* Another client's key than the initiation carried. */
	assert_int_equal(hs_response(&hs, 9, sender, p.s_pub, big, 10, pkt,
	    sizeof pkt, &len, &sk), LN_E_INVAL);
	assert_memory_equal(&hs, &saved, sizeof hs);
	assert_int_equal(hs_response(&hs, 9, sender, cpk, big, 10, pkt,
	    sizeof pkt, &len, &sk), 0);

	/* An oversize initiation with a valid mac1 is dropped unread. */
	memset(pkt, 0, sizeof pkt);
	pkt[0] = LN_PKT_INITIATION;
	pkt[1] = LN_PROTO_VERSION;
	len = INIT_FIXED + LN_MAX_HS_PAYLOAD + 1;
	remac(p.s_pub, pkt, len);
	assert_int_equal(hs_consume_initiation(&hs, p.s_priv, p.s_pub, p.s_mac1,
	    pkt, len, &sender, cpk, pl, sizeof pl, &plen),
	    LN_E_DROP(LN_DROP_HANDSHAKE));
}

/* A bucket gives its burst at once, then per_sec tokens a second. */
static void
test_ratelimit_burst_and_rate(void **state)
{
	struct ratelimit	rl;
	uint64_t		t0 = 5 * SEC, t;
	int			i, allowed;

	ratelimit_init(&rl, 20, 5, t0);
	for (i = 0; i < 5; i++)
		assert_int_equal(ratelimit_allow(&rl, t0), 1);
	assert_int_equal(ratelimit_allow(&rl, t0), 0);
	/* One token takes 50 ms at 20 a second. */
	assert_int_equal(ratelimit_allow(&rl, t0 + 49 * MS), 0);
	assert_int_equal(ratelimit_allow(&rl, t0 + 50 * MS), 1);
	assert_int_equal(ratelimit_allow(&rl, t0 + 50 * MS), 0);

	/* Long quiet: the bucket refills to the burst, not beyond. */
	t = t0 + 3600 * SEC;
	for (i = 0; i < 5; i++)
		assert_int_equal(ratelimit_allow(&rl, t), 1);
	assert_int_equal(ratelimit_allow(&rl, t), 0);

	/* A request every ms for a second: burst + 19.98 earned tokens. */
	ratelimit_init(&rl, 20, 5, 0);
	allowed = 0;
	for (i = 0; i < 1000; i++)
		allowed += ratelimit_allow(&rl, (uint64_t)i * MS);
	assert_int_equal(allowed, 5 + 19);
}

/* Edge cases: zero rate, zero burst, huge gaps, a clock stepping back. */
static void
test_ratelimit_edges(void **state)
{
	struct ratelimit	rl;

	ratelimit_init(&rl, 0, 2, 0);
	assert_int_equal(ratelimit_allow(&rl, 0), 1);
	assert_int_equal(ratelimit_allow(&rl, 0), 1);
	assert_int_equal(ratelimit_allow(&rl, 1000 * SEC), 0);

	ratelimit_init(&rl, 1000, 0, 0);
	assert_int_equal(ratelimit_allow(&rl, 10 * SEC), 0);

	/* The largest rate and burst over the longest gap do not overflow. */
	ratelimit_init(&rl, UINT32_MAX, UINT32_MAX, 0);
	assert_int_equal(ratelimit_allow(&rl, 0), 1);
	assert_int_equal(ratelimit_allow(&rl, UINT64_MAX), 1);
	assert_int_equal(rl.tokens, ((uint64_t)UINT32_MAX - 1) * SEC);

	/* Backwards time earns nothing and does not rewind the bucket. */
	ratelimit_init(&rl, 10, 1, 100 * SEC);
	assert_int_equal(ratelimit_allow(&rl, 100 * SEC), 1);
	assert_int_equal(ratelimit_allow(&rl, 50 * SEC), 0);
	assert_int_equal(ratelimit_allow(&rl, 100 * SEC + 99 * MS), 0);
	assert_int_equal(ratelimit_allow(&rl, 100 * SEC + 100 * MS), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_wrong_server_key),
		cmocka_unit_test(test_initiation_bit_flips),
		cmocka_unit_test(test_response_bit_flips),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_index_and_type),
		cmocka_unit_test(test_payload_limits),
		cmocka_unit_test(test_ratelimit_burst_and_rate),
		cmocka_unit_test(test_ratelimit_edges),
	};

	if (sodium_init() < 0)
		return (1);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
