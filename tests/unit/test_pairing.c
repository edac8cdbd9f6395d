/*
 * test_pairing.c: the pairing packets (proto/pairing.c) round-trip to
 * matching keys with each side learning the other's static key; a wrong
 * code fails at the first packet checked with it and leaves the handshake
 * state as it was; every bit flip and every truncation of every packet is
 * dropped; codes normalise as documented.
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

#define CODE		"7K3M-Q9ZT-4WXR-H2PB-NC8D"
#define OTHER_CODE	"7K3M-Q9ZT-4WXR-H2PB-NC8E"
#define C_INDEX		0x01020304
#define S_INDEX		0xa0b0c0d0

static const uint8_t	request[] = "user=alice host=laptop";
static const uint8_t	result[] = "ok";

/* Both ends of one exchange, with every packet kept. */
struct ex {
	uint8_t			c_sk[LN_KEY_LEN], c_pk[LN_KEY_LEN];
	uint8_t			s_sk[LN_KEY_LEN], s_pk[LN_KEY_LEN];
	uint8_t			psk[LN_KEY_LEN], mkey[LN_KEY_LEN];
	struct noise_handshake	c_hs, s_hs;
	struct hs_keys		c_keys, s_keys;
	uint8_t			init[LN_MAX_DATAGRAM], resp[LN_MAX_DATAGRAM];
	uint8_t			fin[LN_MAX_DATAGRAM], res[LN_MAX_DATAGRAM];
	size_t			init_len, resp_len, fin_len, res_len;
};

/* Keys for both ends and the code's psk and mac1 key. */
static void
ex_setup(struct ex *x, const char *code)
{
	memset(x, 0, sizeof *x);
	assert_int_equal(noise_keypair(x->c_sk, x->c_pk), 0);
	assert_int_equal(noise_keypair(x->s_sk, x->s_pk), 0);
	assert_int_equal(pair_code_psk(code, x->psk), 0);
	pair_mac1_key(x->psk, x->mkey);
}

/* Runs the whole exchange; every step must succeed. */
static void
ex_run(struct ex *x)
{
	uint8_t		pl[LN_PAIR_MAX_PAYLOAD];
	size_t		n;
	uint32_t	idx;

	assert_int_equal(pair_init(&x->c_hs, x->c_sk, x->psk, x->mkey,
	    C_INDEX, x->init, sizeof x->init, &x->init_len), 0);
	assert_int_equal(x->init_len, 72);
	assert_int_equal(pair_packet_type(x->init, x->init_len),
	    LN_PKT_PAIR_INIT);
	assert_int_equal(pair_mac1_ok(x->init, x->init_len, x->mkey), 0);
	assert_int_equal(pair_consume_init(&x->s_hs, x->s_sk, x->psk,
	    x->mkey, x->init, x->init_len, &idx), 0);
	assert_int_equal(idx, C_INDEX);
	assert_int_equal(pair_response(&x->s_hs, S_INDEX, C_INDEX, x->mkey,
	    x->resp, sizeof x->resp, &x->resp_len), 0);
	assert_int_equal(x->resp_len, 124);
	assert_int_equal(pair_packet_index(x->resp, x->resp_len, &idx), 0);
	assert_int_equal(idx, C_INDEX);
	assert_int_equal(pair_consume_response(&x->c_hs, C_INDEX, x->mkey,
	    x->resp, x->resp_len, &idx), 0);
	assert_int_equal(idx, S_INDEX);
	assert_memory_equal(x->c_hs.rs, x->s_pk, LN_KEY_LEN);
	assert_int_equal(pair_finish(&x->c_hs, S_INDEX, x->mkey, request,
	    sizeof request, x->fin, sizeof x->fin, &x->fin_len, &x->c_keys),
	    0);
	x->c_keys.local_index = C_INDEX;
	assert_int_equal(x->fin_len, 88 + sizeof request);
	assert_int_equal(pair_packet_index(x->fin, x->fin_len, &idx), 0);
	assert_int_equal(idx, S_INDEX);
	assert_int_equal(pair_consume_finish(&x->s_hs, S_INDEX, x->mkey,
	    x->fin, x->fin_len, pl, sizeof pl, &n, &x->s_keys), 0);
	x->s_keys.remote_index = C_INDEX;
	assert_int_equal(n, sizeof request);
	assert_memory_equal(pl, request, n);
	assert_memory_equal(x->s_keys.remote_static, x->c_pk, LN_KEY_LEN);
	assert_memory_equal(x->c_keys.remote_static, x->s_pk, LN_KEY_LEN);
	assert_memory_equal(x->c_keys.send, x->s_keys.recv, LN_KEY_LEN);
	assert_memory_equal(x->c_keys.recv, x->s_keys.send, LN_KEY_LEN);
	assert_int_equal(pair_result(&x->s_keys, result, sizeof result,
	    x->res, sizeof x->res, &x->res_len), 0);
	assert_int_equal(x->res_len, 24 + sizeof result);
	assert_int_equal(pair_consume_result(&x->c_keys, x->res, x->res_len,
	    pl, sizeof pl, &n), 0);
	assert_int_equal(n, sizeof result);
	assert_memory_equal(pl, result, n);
}

/* The whole exchange works and both sides agree on keys and statics. */
static void
test_round_trip(void **state)
{
	struct ex	x;

	(void)state;
	ex_setup(&x, CODE);
	ex_run(&x);
}

/* Codes: the documented normal form, and their text shape. */
static void
test_code_text(void **state)
{
	char	code[PAIR_CODE_TEXT_MAX], norm[LN_PAIR_CODE_CHARS + 1];
	char	other[PAIR_CODE_TEXT_MAX];
	uint8_t	a[LN_KEY_LEN], b[LN_KEY_LEN];
	size_t	i;

	(void)state;
	pair_code_new(code);
	assert_int_equal(strlen(code), 24);
	for (i = 0; i < 24; i++)
		if (i % 5 == 4)
			assert_int_equal(code[i], '-');
	assert_int_equal(pair_code_normalise(code, norm), 0);
	assert_int_equal(strlen(norm), LN_PAIR_CODE_CHARS);
	pair_code_new(other);
	assert_string_not_equal(code, other);

	/* Case, dashes, spaces, O/0 and I/L/1 do not matter. */
	assert_int_equal(pair_code_psk("7K3M-Q9ZT-4WXR-H2PB-NC8D", a), 0);
	assert_int_equal(pair_code_psk(" 7k3mq9zt 4wxr-h2pb nc8d", b), 0);
	assert_memory_equal(a, b, LN_KEY_LEN);
	assert_int_equal(pair_code_psk("0I1L-0000-0000-0000-0000", a), 0);
	assert_int_equal(pair_code_psk("o111-OOOO-0000-0000-0000", b), 0);
	assert_memory_equal(a, b, LN_KEY_LEN);
	assert_int_equal(pair_code_psk(OTHER_CODE, b), 0);
	assert_memory_not_equal(a, b, LN_KEY_LEN);

	/* Wrong length, U (not Crockford), punctuation. */
	assert_int_equal(pair_code_normalise("7K3M-Q9ZT-4WXR-H2PB-NC8", norm),
	    LN_E_INVAL);
	assert_int_equal(pair_code_normalise("7K3M-Q9ZT-4WXR-H2PB-NC8DD",
	    norm), LN_E_INVAL);
	assert_int_equal(pair_code_normalise("7K3M-Q9ZT-4WXR-H2PB-NC8U",
	    norm), LN_E_INVAL);
	assert_int_equal(pair_code_normalise("7K3M.Q9ZT-4WXR-H2PB-NC8D",
	    norm), LN_E_INVAL);
	assert_int_equal(pair_code_normalise("", norm), LN_E_INVAL);
}

/*
 * A client with a wrong code: its init fails the server's mac1 (nothing
 * else is tried, no state made); had the mac1 key leaked, the finish still
 * fails on the PSK, and the server's handshake is left as it was.
 */
static void
test_wrong_code(void **state)
{
	struct ex		 x, y;
	struct noise_handshake	 before;
	struct hs_keys		 k;
	uint8_t			 pl[LN_PAIR_MAX_PAYLOAD];
	uint8_t			 wrong_psk[LN_KEY_LEN], wrong_mkey[LN_KEY_LEN];
	uint32_t		 idx;
	size_t			 n;

	(void)state;
	ex_setup(&x, CODE);
	assert_int_equal(pair_code_psk(OTHER_CODE, wrong_psk), 0);
	pair_mac1_key(wrong_psk, wrong_mkey);
	assert_int_equal(pair_init(&x.c_hs, x.c_sk, wrong_psk, wrong_mkey,
	    C_INDEX, x.init, sizeof x.init, &x.init_len), 0);
	assert_int_equal(pair_mac1_ok(x.init, x.init_len, x.mkey),
	    LN_E_DROP(LN_DROP_MAC1));
	memset(&x.s_hs, 0x5a, sizeof x.s_hs);
	assert_int_equal(pair_consume_init(&x.s_hs, x.s_sk, x.psk, x.mkey,
	    x.init, x.init_len, &idx), LN_E_DROP(LN_DROP_MAC1));
	{
		uint8_t	junk[sizeof x.s_hs];

		memset(junk, 0x5a, sizeof junk);
		assert_memory_equal(&x.s_hs, junk, sizeof junk);
	}

	/* Right mac1 key, wrong PSK: message 3 does not decrypt. */
	ex_setup(&y, CODE);
	assert_int_equal(pair_init(&y.c_hs, y.c_sk, wrong_psk, y.mkey,
	    C_INDEX, y.init, sizeof y.init, &y.init_len), 0);
	assert_int_equal(pair_consume_init(&y.s_hs, y.s_sk, y.psk, y.mkey,
	    y.init, y.init_len, &idx), 0);
	assert_int_equal(pair_response(&y.s_hs, S_INDEX, C_INDEX, y.mkey,
	    y.resp, sizeof y.resp, &y.resp_len), 0);
	/*
	 * psk3 mixes the PSK in only at message 3: the client reads the
	 * response, and its finish is what the server refuses, leaving its
	 * handshake as it was (so nothing is admitted).
	 */
	assert_int_equal(pair_consume_response(&y.c_hs, C_INDEX, y.mkey,
	    y.resp, y.resp_len, &idx), 0);
	assert_int_equal(pair_finish(&y.c_hs, S_INDEX, y.mkey, request,
	    sizeof request, y.fin, sizeof y.fin, &y.fin_len, &y.c_keys), 0);
	memcpy(&before, &y.s_hs, sizeof before);
	assert_int_equal(pair_consume_finish(&y.s_hs, S_INDEX, y.mkey, y.fin,
	    y.fin_len, pl, sizeof pl, &n, &k), LN_E_DROP(LN_DROP_HANDSHAKE));
	assert_memory_equal(&before, &y.s_hs, sizeof before);
	/*
	 * A forger with the mac1 key but not the code: a finish with a good
	 * header, index and mac1 fails on Noise, and the server's handshake
	 * is left as it was.
	 */
	memcpy(&before, &y.s_hs, sizeof before);
	n = 88 + 10;
	randombytes_buf(y.fin, n);
	y.fin[0] = LN_PKT_PAIR_FINISH;
	y.fin[1] = LN_PROTO_VERSION;
	y.fin[2] = y.fin[3] = 0;
	y.fin[4] = (uint8_t)S_INDEX;
	y.fin[5] = (uint8_t)(S_INDEX >> 8);
	y.fin[6] = (uint8_t)(S_INDEX >> 16);
	y.fin[7] = (uint8_t)(S_INDEX >> 24);
	crypto_generichash(y.fin + n - LN_MAC_LEN, LN_MAC_LEN, y.fin,
	    n - LN_MAC_LEN, y.mkey, LN_KEY_LEN);
	assert_int_equal(pair_mac1_ok(y.fin, n, y.mkey), 0);
	assert_int_equal(pair_consume_finish(&y.s_hs, S_INDEX, y.mkey, y.fin,
	    n, pl, sizeof pl, &n, &k), LN_E_DROP(LN_DROP_HANDSHAKE));
	assert_memory_equal(&before, &y.s_hs, sizeof before);
}

/*
 * Flips every bit of a packet in turn; consume must refuse each copy.
 * Returns how many were refused.
 */
static size_t
flip_all(const uint8_t *pkt, size_t len, int (*consume)(const uint8_t *,
    size_t, void *), void *arg)
{
	uint8_t	copy[LN_MAX_DATAGRAM];
	size_t	i, bit, refused = 0;

	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(copy, pkt, len);
			copy[i] ^= (uint8_t)(1U << bit);
			if (consume(copy, len, arg) != 0)
				refused++;
		}
	}
	return (refused);
}

/* Every truncation of a packet is refused; returns how many. */
static size_t
trunc_all(const uint8_t *pkt, size_t len, int (*consume)(const uint8_t *,
    size_t, void *), void *arg)
{
	uint8_t	copy[LN_MAX_DATAGRAM];
	size_t	n, refused = 0;

	for (n = 0; n < len; n++) {
		memcpy(copy, pkt, n);
		if (consume(copy, n, arg) != 0)
			refused++;
	}
	return (refused);
}

/* Server consumes an init copy (its handshake scratch in a fresh ex). */
static int
eat_init(const uint8_t *p, size_t len, void *arg)
{
	struct ex		*x = arg;
	struct noise_handshake	 hs;
	uint32_t		 idx;
	int			 r;

	memset(&hs, 0, sizeof hs);
	r = pair_consume_init(&hs, x->s_sk, x->psk, x->mkey, p, len, &idx);
	noise_wipe(&hs);
	return (r);
}

/* Client consumes a response copy against its saved handshake. */
static int
eat_resp(const uint8_t *p, size_t len, void *arg)
{
	struct ex		*x = arg;
	struct noise_handshake	 hs;
	uint32_t		 idx;

	memcpy(&hs, &x->c_hs, sizeof hs);
	return (pair_consume_response(&hs, C_INDEX, x->mkey, p, len, &idx));
}

/* Server consumes a finish copy against its saved handshake. */
static int
eat_fin(const uint8_t *p, size_t len, void *arg)
{
	struct ex		*x = arg;
	struct noise_handshake	 hs;
	struct hs_keys		 k;
	uint8_t			 pl[LN_PAIR_MAX_PAYLOAD];
	size_t			 n;

	memcpy(&hs, &x->s_hs, sizeof hs);
	return (pair_consume_finish(&hs, S_INDEX, x->mkey, p, len, pl,
	    sizeof pl, &n, &k));
}

/* Client opens a result copy. */
static int
eat_res(const uint8_t *p, size_t len, void *arg)
{
	struct ex	*x = arg;
	uint8_t		 pl[LN_PAIR_MAX_PAYLOAD];
	size_t		 n;

	return (pair_consume_result(&x->c_keys, p, len, pl, sizeof pl, &n));
}

/*
 * Every bit flip and truncation of each of the four packets is refused at
 * the step that reads it (mac1 covers the indices; the result's AEAD
 * covers its header).
 */
static void
test_flips_and_truncations(void **state)
{
	struct ex	 x, y;
	uint32_t	 idx;

	(void)state;
	ex_setup(&x, CODE);
	ex_run(&x);

	/* Replay the client and server handshakes to their saved points. */
	memcpy(&y, &x, sizeof y);
	assert_int_equal(pair_init(&y.c_hs, y.c_sk, y.psk, y.mkey, C_INDEX,
	    y.init, sizeof y.init, &y.init_len), 0);
	assert_int_equal(pair_consume_init(&y.s_hs, y.s_sk, y.psk, y.mkey,
	    y.init, y.init_len, &idx), 0);
	assert_int_equal(pair_response(&y.s_hs, S_INDEX, C_INDEX, y.mkey,
	    y.resp, sizeof y.resp, &y.resp_len), 0);

	assert_int_equal(flip_all(y.init, y.init_len, eat_init, &y),
	    y.init_len * 8);
	assert_int_equal(trunc_all(y.init, y.init_len, eat_init, &y),
	    y.init_len);
	assert_int_equal(flip_all(y.resp, y.resp_len, eat_resp, &y),
	    y.resp_len * 8);
	assert_int_equal(trunc_all(y.resp, y.resp_len, eat_resp, &y),
	    y.resp_len);
	/* The genuine response still works after all that. */
	assert_int_equal(eat_resp(y.resp, y.resp_len, &y), 0);
	assert_int_equal(pair_consume_response(&y.c_hs, C_INDEX, y.mkey,
	    y.resp, y.resp_len, &idx), 0);
	assert_int_equal(pair_finish(&y.c_hs, S_INDEX, y.mkey, request,
	    sizeof request, y.fin, sizeof y.fin, &y.fin_len, &y.c_keys), 0);
	y.c_keys.local_index = C_INDEX;
	assert_int_equal(flip_all(y.fin, y.fin_len, eat_fin, &y),
	    y.fin_len * 8);
	assert_int_equal(trunc_all(y.fin, y.fin_len, eat_fin, &y),
	    y.fin_len);
	assert_int_equal(eat_fin(y.fin, y.fin_len, &y), 0);

	/* The result, under the first exchange's keys. */
	assert_int_equal(flip_all(x.res, x.res_len, eat_res, &x),
	    x.res_len * 8);
	assert_int_equal(trunc_all(x.res, x.res_len, eat_res, &x),
	    x.res_len);
	assert_int_equal(eat_res(x.res, x.res_len, &x), 0);
}

/* Oversize payloads are refused by the writer; wrong states by both. */
static void
test_limits_and_states(void **state)
{
	struct ex	 x;
	uint8_t		 big[LN_PAIR_MAX_PAYLOAD + 1];
	uint32_t	 idx;

	(void)state;
	memset(big, 'x', sizeof big);
	ex_setup(&x, CODE);
	assert_int_equal(pair_init(&x.c_hs, x.c_sk, x.psk, x.mkey, C_INDEX,
	    x.init, sizeof x.init, &x.init_len), 0);
	/* No finish before the response. */
	assert_int_equal(pair_finish(&x.c_hs, S_INDEX, x.mkey, request,
	    sizeof request, x.fin, sizeof x.fin, &x.fin_len, &x.c_keys),
	    LN_E_STATE);
	assert_int_equal(pair_consume_init(&x.s_hs, x.s_sk, x.psk, x.mkey,
	    x.init, x.init_len, &idx), 0);
	assert_int_equal(pair_response(&x.s_hs, S_INDEX, C_INDEX, x.mkey,
	    x.resp, sizeof x.resp, &x.resp_len), 0);
	/* A second response from the same state is refused. */
	assert_int_equal(pair_response(&x.s_hs, S_INDEX, C_INDEX, x.mkey,
	    x.resp, sizeof x.resp, &x.resp_len), LN_E_STATE);
	assert_int_equal(pair_consume_response(&x.c_hs, C_INDEX, x.mkey,
	    x.resp, x.resp_len, &idx), 0);
	/* The same response again: the handshake has moved on. */
	assert_int_equal(pair_consume_response(&x.c_hs, C_INDEX, x.mkey,
	    x.resp, x.resp_len, &idx), LN_E_DROP(LN_DROP_STATE));
	assert_int_equal(pair_finish(&x.c_hs, S_INDEX, x.mkey, big,
	    sizeof big, x.fin, sizeof x.fin, &x.fin_len, &x.c_keys),
	    LN_E_INVAL);
	assert_int_equal(pair_finish(&x.c_hs, S_INDEX, x.mkey, request,
	    sizeof request, x.fin, 40, &x.fin_len, &x.c_keys), LN_E_NOSPACE);
	assert_int_equal(pair_result(&x.s_keys, big, sizeof big, x.res,
	    sizeof x.res, &x.res_len), LN_E_INVAL);
	/* Not pairing packets at all. */
	assert_int_equal(pair_packet_type((const uint8_t *)"\x01", 1), 0);
	assert_int_equal(pair_packet_type((const uint8_t *)"", 0), 0);
	assert_int_equal(pair_packet_type((const uint8_t *)"\x09", 1), 0);
}

/* Each run uses fresh ephemeral keys: two inits differ. */
static void
test_fresh_ephemerals(void **state)
{
	struct ex	x, y;

	(void)state;
	ex_setup(&x, CODE);
	memcpy(&y, &x, sizeof y);
	assert_int_equal(pair_init(&x.c_hs, x.c_sk, x.psk, x.mkey, C_INDEX,
	    x.init, sizeof x.init, &x.init_len), 0);
	assert_int_equal(pair_init(&y.c_hs, y.c_sk, y.psk, y.mkey, C_INDEX,
	    y.init, sizeof y.init, &y.init_len), 0);
	assert_memory_not_equal(x.init, y.init, x.init_len);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_code_text),
		cmocka_unit_test(test_wrong_code),
		cmocka_unit_test(test_flips_and_truncations),
		cmocka_unit_test(test_limits_and_states),
		cmocka_unit_test(test_fresh_ephemerals),
	};

	if (sodium_init() < 0)
		return (1);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
