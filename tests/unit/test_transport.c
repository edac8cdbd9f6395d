/*
 * test_transport.c: transport packets round-trip; any change to a packet
 * is refused; replays, old key pairs and spent counters are refused; the
 * replay window takes reordered packets once each.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto.h"

#define SEC		LN_NS_PER_SEC
#define T0		(100 * SEC)
#define PKT_MAX		(LN_MAX_DATAGRAM + 64)

/* A deterministic PRNG (xorshift64*) so failures reproduce. */
static uint64_t
rng(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (*s * 2685821657736338717ULL);
}

/* Two ends of one session: a (initiator, index 0x11) and b (0x22). */
static void
pair(struct keypair *a, struct keypair *b)
{
	struct hs_keys	ha, hb;
	int		i;

	memset(&ha, 0, sizeof ha);
	for (i = 0; i < LN_KEY_LEN; i++) {
		ha.send[i] = (uint8_t)(i + 1);
		ha.recv[i] = (uint8_t)(0xa0 + i);
	}
	ha.local_index = 0x11;
	ha.remote_index = 0x44332222;
	hb = ha;
	memcpy(hb.send, ha.recv, LN_KEY_LEN);
	memcpy(hb.recv, ha.send, LN_KEY_LEN);
	hb.local_index = ha.remote_index;
	hb.remote_index = ha.local_index;
	keypair_init(a, &ha, 1, T0);
	keypair_init(b, &hb, 0, T0);
}

/* Seals a message that says which packet it is. */
static size_t
seal(struct keypair *kp, uint32_t tag, uint64_t now, uint8_t *pkt)
{
	uint8_t	 pt[64];
	size_t	 len = 0;

	memset(pt, 0, sizeof pt);
	memcpy(pt, &tag, sizeof tag);
	assert_int_equal(transport_seal(kp, pt, sizeof pt, now, 0, pkt,
	    PKT_MAX, &len), 0);
	return (len);
}

/* Opens a packet, returning the result and the tag it carried. */
static int
open_pkt(struct keypair *kp, const uint8_t *pkt, size_t len, uint64_t now,
    uint32_t *tag)
{
	uint8_t	 pt[PKT_MAX];
	size_t	 ptlen = 0;
	int	 error;

	error = transport_open(kp, pkt, len, now, 0, pt, sizeof pt, &ptlen);
	if (error == 0) {
		assert_int_equal(ptlen, 64);
		if (tag != NULL)
			memcpy(tag, pt, sizeof *tag);
	}
	return (error);
}

/* Both directions, the header layout, and the plaintext size limits. */
static void
test_round_trip(void **state)
{
	struct keypair	 a, b;
	uint8_t		 pkt[PKT_MAX], pt[PKT_MAX];
	uint8_t		 big[LN_MAX_PLAINTEXT + 1];
	size_t		 len, ptlen;
	uint32_t	 idx, tag;

	pair(&a, &b);
	len = seal(&a, 7, T0, pkt);
	assert_int_equal(len, LN_TRANSPORT_HDR_LEN + 64 + LN_TAG_LEN);
	assert_int_equal(pkt[0], LN_PKT_TRANSPORT);
	assert_int_equal(pkt[1], LN_PROTO_VERSION);
	assert_int_equal(pkt[2], 0);
	assert_int_equal(pkt[3], 0);
	/* Receiver index: b's own, little-endian. */
	assert_int_equal(pkt[4], 0x22);
	assert_int_equal(pkt[7], 0x44);
	/* Counter 0, then 1. */
	assert_int_equal(pkt[8], 0);
	assert_int_equal(transport_index(pkt, len, &idx), 0);
	assert_int_equal(idx, 0x44332222);
	assert_int_equal(open_pkt(&b, pkt, len, T0, &tag), 0);
	assert_int_equal(tag, 7);
	len = seal(&a, 8, T0, pkt);
	assert_int_equal(pkt[8], 1);
	assert_int_equal(open_pkt(&b, pkt, len, T0, &tag), 0);
	assert_int_equal(tag, 8);

	len = seal(&b, 9, T0, pkt);
	assert_int_equal(pkt[4], 0x11);
	assert_int_equal(open_pkt(&a, pkt, len, T0, &tag), 0);
	assert_int_equal(tag, 9);
	/* a cannot open its own packets: wrong index, and wrong key. */
	len = seal(&a, 10, T0, pkt);
	assert_int_equal(open_pkt(&a, pkt, len, T0, NULL),
	    LN_E_DROP(LN_DROP_UNKNOWN_INDEX));

	/* Empty and maximal plaintexts; one byte more is refused. */
	assert_int_equal(transport_seal(&a, NULL, 0, T0, 0, pkt, sizeof pkt,
	    &len), 0);
	assert_int_equal(len, LN_TRANSPORT_HDR_LEN + LN_TAG_LEN);
	assert_int_equal(transport_open(&b, pkt, len, T0, 0, pt, sizeof pt,
	    &ptlen), 0);
	assert_int_equal(ptlen, 0);
	memset(big, 0x5a, sizeof big);
	assert_int_equal(transport_seal(&a, big, LN_MAX_PLAINTEXT, T0, 0, pkt,
	    sizeof pkt, &len), 0);
	assert_int_equal(len, LN_MAX_DATAGRAM);
	assert_int_equal(transport_open(&b, pkt, len, T0, 0, pt, sizeof pt,
	    &ptlen), 0);
	assert_int_equal(ptlen, LN_MAX_PLAINTEXT);
	assert_memory_equal(pt, big, LN_MAX_PLAINTEXT);
	assert_int_equal(transport_seal(&a, big, sizeof big, T0, 0, pkt,
	    sizeof pkt, &len), LN_E_INVAL);
	/* Too little room, either way, and the counter does not move. */
	assert_int_equal(transport_seal(&a, big, 10, T0, 0, pkt,
	    LN_TRANSPORT_HDR_LEN + 10 + LN_TAG_LEN - 1, &len), LN_E_NOSPACE);
	assert_int_equal(a.send_counter, 5);
	len = seal(&a, 11, T0, pkt);
	assert_int_equal(transport_open(&b, pkt, len, T0, 0, pt, 63, &ptlen),
	    LN_E_NOSPACE);
	assert_int_equal(open_pkt(&b, pkt, len, T0, &tag), 0);
	keypair_wipe(&a);
	keypair_wipe(&b);
}

/* The clear header's own refusals. */
static void
test_index_drops(void **state)
{
	struct keypair	 a, b;
	uint8_t		 pkt[PKT_MAX];
	size_t		 len;
	uint32_t	 idx = 99;

	pair(&a, &b);
	len = seal(&a, 1, T0, pkt);
	assert_int_equal(transport_index(pkt, 0, &idx),
	    LN_E_DROP(LN_DROP_SHORT));
	assert_int_equal(transport_index(pkt, LN_TRANSPORT_HDR_LEN +
	    LN_TAG_LEN - 1, &idx), LN_E_DROP(LN_DROP_SHORT));
	assert_int_equal(transport_index(pkt, LN_TRANSPORT_HDR_LEN +
	    LN_TAG_LEN, &idx), 0);
	pkt[0] = LN_PKT_INITIATION;
	assert_int_equal(transport_index(pkt, len, &idx),
	    LN_E_DROP(LN_DROP_TYPE));
	pkt[0] = LN_PKT_TRANSPORT;
	pkt[1] = LN_PROTO_VERSION + 1;
	assert_int_equal(transport_index(pkt, len, &idx),
	    LN_E_DROP(LN_DROP_VERSION));
	pkt[1] = LN_PROTO_VERSION;
	pkt[3] = 0x80;
	assert_int_equal(transport_index(pkt, len, &idx),
	    LN_E_DROP(LN_DROP_RESERVED));
	pkt[3] = 0;
	assert_int_equal(transport_index(pkt, len, &idx), 0);
	/* A packet shorter than header and tag cannot be opened. */
	assert_int_equal(open_pkt(&b, pkt, LN_TRANSPORT_HDR_LEN + 3, T0,
	    NULL), LN_E_DROP(LN_DROP_SHORT));
	assert_int_equal(open_pkt(&b, pkt, len, T0, NULL), 0);
}

/* Every bit of every byte is protected: each flip is refused. */
static void
test_tamper(void **state)
{
	struct keypair	 a, b;
	uint8_t		 pkt[PKT_MAX], bad[PKT_MAX];
	size_t		 len, i;
	int		 bit, want, error;

	pair(&a, &b);
	len = seal(&a, 42, T0, pkt);
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, pkt, len);
			bad[i] ^= (uint8_t)(1 << bit);
			if (i == 0)
				want = LN_E_DROP(LN_DROP_TYPE);
			else if (i == 1)
				want = LN_E_DROP(LN_DROP_VERSION);
			else if (i < 4)
				want = LN_E_DROP(LN_DROP_RESERVED);
			else if (i < 8)
				want = LN_E_DROP(LN_DROP_UNKNOWN_INDEX);
			else
				want = LN_E_DROP(LN_DROP_DECRYPT);
			error = open_pkt(&b, bad, len, T0, NULL);
			assert_int_equal(error, want);
		}
	}
	/* Truncated or extended by a byte. */
	assert_int_equal(open_pkt(&b, pkt, len - 1, T0, NULL),
	    LN_E_DROP(LN_DROP_DECRYPT));
	memcpy(bad, pkt, len);
	bad[len] = 0;
	assert_int_equal(open_pkt(&b, bad, len + 1, T0, NULL),
	    LN_E_DROP(LN_DROP_DECRYPT));
	/* None of that moved the window: the real packet opens once. */
	assert_int_equal(open_pkt(&b, pkt, len, T0, NULL), 0);
	assert_int_equal(open_pkt(&b, pkt, len, T0, NULL),
	    LN_E_DROP(LN_DROP_REPLAY));
}

/* A replay is refused before decryption is even tried. */
static void
test_replay(void **state)
{
	struct keypair	 a, b;
	uint8_t		 pkt[PKT_MAX];
	size_t		 len;

	pair(&a, &b);
	len = seal(&a, 1, T0, pkt);
	assert_int_equal(open_pkt(&b, pkt, len, T0, NULL), 0);
	assert_int_equal(open_pkt(&b, pkt, len, T0, NULL),
	    LN_E_DROP(LN_DROP_REPLAY));
	pkt[len - 1] ^= 1;	/* would not decrypt either */
	assert_int_equal(open_pkt(&b, pkt, len, T0, NULL),
	    LN_E_DROP(LN_DROP_REPLAY));
}

/* Reordered packets within the window are each accepted once. */
static void
test_reorder(void **state)
{
	enum { N = 500 };
	struct keypair	 a, b;
	uint8_t		(*pkts)[PKT_MAX];
	size_t		 lens[N], order[N], i, j, t;
	uint64_t	 s = 0xdeadbeefcafef00dULL;
	uint32_t	 tag;
	int		 got[N];

	pkts = calloc(N, PKT_MAX);
	assert_non_null(pkts);
	pair(&a, &b);
	for (i = 0; i < N; i++) {
		lens[i] = seal(&a, (uint32_t)i, T0, pkts[i]);
		order[i] = i;
		got[i] = 0;
	}
	for (i = N; i > 1; i--) {
		j = rng(&s) % i;
		t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	for (i = 0; i < N; i++) {
		j = order[i];
		assert_int_equal(open_pkt(&b, pkts[j], lens[j], T0, &tag), 0);
		assert_int_equal(tag, j);
		got[j]++;
	}
	for (i = 0; i < N; i++) {
		assert_int_equal(got[i], 1);
		assert_int_equal(open_pkt(&b, pkts[i], lens[i], T0, NULL),
		    LN_E_DROP(LN_DROP_REPLAY));
	}
	free(pkts);
}

/* A key pair is refused from reject_after_ns of age on, both ways. */
static void
test_expiry_by_age(void **state)
{
	struct keypair	 a, b;
	uint8_t		 pkt[PKT_MAX], pt[PKT_MAX];
	size_t		 len, ptlen;
	uint64_t	 end = T0 + LN_REJECT_AFTER_NS;

	pair(&a, &b);
	len = seal(&a, 1, end - 1, pkt);
	assert_int_equal(transport_seal(&a, pt, 1, end, 0, pkt + 200,
	    PKT_MAX - 200, &ptlen), LN_E_STATE);
	/* An explicit, shorter limit. */
	assert_int_equal(transport_seal(&a, pt, 1, T0 + 10 * SEC,
	    10 * SEC, pkt + 200, PKT_MAX - 200, &ptlen), LN_E_STATE);
	assert_int_equal(transport_open(&b, pkt, len, T0 + 10 * SEC,
	    10 * SEC, pt, sizeof pt, &ptlen), LN_E_DROP(LN_DROP_EXPIRED));
	assert_int_equal(open_pkt(&b, pkt, len, end, NULL),
	    LN_E_DROP(LN_DROP_EXPIRED));
	assert_int_equal(open_pkt(&b, pkt, len, end - 1, NULL), 0);
}

/* The send counter stops short of LN_REJECT_AFTER_MSGS. */
static void
test_expiry_by_counter(void **state)
{
	struct keypair	 a, b;
	uint8_t		 pkt[PKT_MAX], late[PKT_MAX], pt[8] = { 0 };
	size_t		 len, n;
	uint32_t	 tag;

	pair(&a, &b);
	a.send_counter = LN_REJECT_AFTER_MSGS - 1;
	len = seal(&a, 77, T0, pkt);
	assert_int_equal(a.send_counter, LN_REJECT_AFTER_MSGS);
	assert_int_equal(transport_seal(&a, pt, sizeof pt, T0, 0, late,
	    sizeof late, &n), LN_E_STATE);
	assert_int_equal(open_pkt(&b, pkt, len, T0, &tag), 0);
	assert_int_equal(tag, 77);
	/* A header claiming a spent counter is refused before decrypting. */
	pkt[8] = 0xff;
	pkt[9] = 0xff;
	assert_int_equal(open_pkt(&b, pkt, len, T0, NULL),
	    LN_E_DROP(LN_DROP_EXPIRED));
}

/* Wiping leaves no key behind. */
static void
test_wipe(void **state)
{
	struct keypair	 a, b;
	uint8_t		 zero[LN_KEY_LEN];

	memset(zero, 0, sizeof zero);
	pair(&a, &b);
	keypair_wipe(&a);
	assert_memory_equal(a.send_key, zero, LN_KEY_LEN);
	assert_memory_equal(a.recv_key, zero, LN_KEY_LEN);
	assert_int_equal(a.send_counter, 0);
	assert_int_equal(a.created_ns, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_index_drops),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_reorder),
		cmocka_unit_test(test_expiry_by_age),
		cmocka_unit_test(test_expiry_by_counter),
		cmocka_unit_test(test_wipe),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
