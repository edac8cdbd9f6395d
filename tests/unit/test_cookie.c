/*
 * test_cookie.c: the cookie mechanism (proto/cookie.c) on a virtual clock:
 * a cookie's round trip, its expiry on the client, the server's secret
 * rotation, a cookie bound to its source address, replayed and forged
 * cookie replies; then the channel server under a flood of initiations
 * with a valid mac1 and bad Noise, which must bound its Diffie-Hellman
 * work while a real client still connects, and what a client without the
 * extension meets.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "proto.h"
#include "chan-harness.h"

/* Keys and one initiation, as a client would send it. */
struct fixture {
	uint8_t			 c_sk[LN_KEY_LEN], c_pk[LN_KEY_LEN];
	uint8_t			 s_sk[LN_KEY_LEN], s_pk[LN_KEY_LEN];
	uint8_t			 s_mac1[LN_KEY_LEN];
	struct cookie_checker	 cc;
	struct cookie_maker	 cm;
	struct noise_handshake	 hs;
	uint8_t			 init[LN_MAX_DATAGRAM];
	size_t			 init_len;
};

/* A fixture with fresh keys; no initiation yet. */
static void
fx_init(struct fixture *f)
{
	memset(f, 0, sizeof *f);
	assert_int_equal(noise_keypair(f->c_sk, f->c_pk), 0);
	assert_int_equal(noise_keypair(f->s_sk, f->s_pk), 0);
	hs_mac1_key(f->s_pk, f->s_mac1);
	cookie_checker_init(&f->cc, f->s_pk);
	cookie_maker_init(&f->cm, f->s_pk);
}

/* The client sends an initiation, with mac2 if it holds a cookie now. */
static void
fx_send(struct fixture *f, uint32_t idx, uint64_t now)
{
	const uint8_t	hello[] = "hello";

	noise_wipe(&f->hs);
	assert_int_equal(hs_initiation_cookie(&f->hs, f->c_sk, f->s_pk, idx,
	    hello, sizeof hello, cookie_maker_get(&f->cm, now), f->init,
	    sizeof f->init, &f->init_len), 0);
	assert_int_equal(hs_check_initiation(f->s_mac1, f->init,
	    f->init_len), 0);
	cookie_maker_sent(&f->cm, f->init, f->init_len);
}

/* The server's cookie reply to the last initiation, from address from. */
static size_t
fx_reply(struct fixture *f, const struct chan_addr *from, uint64_t now,
    uint8_t *out)
{
	size_t	n = 0;

	assert_int_equal(cookie_reply(&f->cc, f->init, f->init_len, from, now,
	    out, LN_COOKIE_REPLY_LEN, &n), 0);
	assert_int_equal(n, LN_COOKIE_REPLY_LEN);
	/* No amplification: never larger than what it answers. */
	assert_true(n < f->init_len);
	return (n);
}

/*
 * The round trip: an initiation without mac2 is version 1 and fails the
 * mac2 check; the reply gives the client a cookie, its next initiation is
 * version 2, 16 bytes longer, passes mac2 and still reads as a valid
 * initiation. The cookie is bound to the source address: the same
 * packet from another address or port fails.
 */
static void
test_roundtrip(void **state)
{
	struct fixture		 f;
	struct chan_addr	 a = mkaddr(1, 4000), b = mkaddr(2, 4000);
	struct chan_addr	 a2 = mkaddr(1, 4001);
	struct noise_handshake	 shs;
	uint8_t			 reply[LN_COOKIE_REPLY_LEN], pl[64], cpk[32];
	uint64_t		 now = 10 * SEC;
	uint32_t		 sender;
	size_t			 v1len, n, plen;

	fx_init(&f);
	fx_send(&f, 7, now);
	assert_int_equal(f.init[1], LN_PROTO_VERSION);
	v1len = f.init_len;
	assert_int_equal(cookie_check_mac2(&f.cc, f.init, f.init_len, &a,
	    now), LN_E_DROP(LN_DROP_UNDER_LOAD));
	n = fx_reply(&f, &a, now, reply);
	assert_int_equal(reply[0], LN_PKT_COOKIE_REPLY);
	assert_int_equal(reply[1], LN_PROTO_VERSION_COOKIE);
	assert_null(cookie_maker_get(&f.cm, now));
	assert_int_equal(cookie_consume_reply(&f.cm, reply, n, now + MS), 0);
	assert_non_null(cookie_maker_get(&f.cm, now + MS));

	fx_send(&f, 8, now + 2 * MS);
	assert_int_equal(f.init[1], LN_PROTO_VERSION_COOKIE);
	assert_int_equal(f.init_len, v1len + LN_MAC_LEN);
	assert_int_equal(cookie_check_mac2(&f.cc, f.init, f.init_len, &a,
	    now + 3 * MS), 0);
	assert_int_equal(cookie_check_mac2(&f.cc, f.init, f.init_len, &b,
	    now + 3 * MS), LN_E_DROP(LN_DROP_UNDER_LOAD));
	assert_int_equal(cookie_check_mac2(&f.cc, f.init, f.init_len, &a2,
	    now + 3 * MS), LN_E_DROP(LN_DROP_UNDER_LOAD));
	/* A flipped mac2 bit fails; mac1 still holds (it does not cover it). */
	f.init[f.init_len - 1] ^= 1;
	assert_int_equal(cookie_check_mac2(&f.cc, f.init, f.init_len, &a,
	    now + 3 * MS), LN_E_DROP(LN_DROP_UNDER_LOAD));
	assert_int_equal(hs_check_initiation(f.s_mac1, f.init, f.init_len),
	    0);
	f.init[f.init_len - 1] ^= 1;
	/* Version 2 reads as an initiation, the same Noise message. */
	assert_int_equal(hs_consume_initiation(&shs, f.s_sk, f.s_pk, f.s_mac1,
	    f.init, f.init_len, &sender, cpk, pl, sizeof pl, &plen), 0);
	assert_int_equal(sender, 8);
	assert_memory_equal(cpk, f.c_pk, LN_KEY_LEN);
	assert_int_equal(plen, 6);
	noise_wipe(&shs);
	/* A version 1 packet with 16 bytes of junk appended: bad mac1. */
	f.init[1] = LN_PROTO_VERSION;
	assert_int_equal(hs_check_initiation(f.s_mac1, f.init, f.init_len),
	    LN_E_DROP(LN_DROP_MAC1));
	noise_wipe(&f.hs);
}

/* The client stops using a cookie LN_COOKIE_LIFE_NS after it came. */
static void
test_expiry(void **state)
{
	struct fixture		 f;
	struct chan_addr	 a = mkaddr(1, 4000);
	uint8_t			 reply[LN_COOKIE_REPLY_LEN];
	uint64_t		 now = 10 * SEC;
	size_t			 n;

	fx_init(&f);
	fx_send(&f, 7, now);
	n = fx_reply(&f, &a, now, reply);
	assert_int_equal(cookie_consume_reply(&f.cm, reply, n, now), 0);
	assert_non_null(cookie_maker_get(&f.cm, now + LN_COOKIE_LIFE_NS - 1));
	assert_null(cookie_maker_get(&f.cm, now + LN_COOKIE_LIFE_NS));
	fx_send(&f, 8, now + LN_COOKIE_LIFE_NS);
	assert_int_equal(f.init[1], LN_PROTO_VERSION);
	noise_wipe(&f.hs);
}

/*
 * The server redraws its secret every LN_COOKIE_SECRET_NS: a cookie made
 * before no longer keys a valid mac2, and the next reply brings one that
 * does.
 */
static void
test_rotation(void **state)
{
	struct fixture		 f;
	struct chan_addr	 a = mkaddr(1, 4000);
	uint8_t			 reply[LN_COOKIE_REPLY_LEN];
	uint8_t			 c1[LN_COOKIE_LEN], c2[LN_COOKIE_LEN];
	uint64_t		 t0 = 10 * SEC, t1;
	size_t			 n;

	fx_init(&f);
	assert_int_equal(cookie_make(&f.cc, &a, t0, c1), 0);
	assert_int_equal(f.cc.rotations, 1);
	assert_int_equal(cookie_make(&f.cc, &a, t0 + LN_COOKIE_SECRET_NS - 1,
	    c2), 0);
	assert_memory_equal(c1, c2, LN_COOKIE_LEN);
	assert_int_equal(f.cc.rotations, 1);

	fx_send(&f, 7, t0);
	n = fx_reply(&f, &a, t0, reply);
	assert_int_equal(cookie_consume_reply(&f.cm, reply, n, t0), 0);
	/* Still young on the client, but the server's secret moved on. */
	t1 = t0 + LN_COOKIE_SECRET_NS;
	fx_send(&f, 8, t1 - 10 * SEC);
	assert_int_equal(f.init[1], LN_PROTO_VERSION_COOKIE);
	assert_int_equal(cookie_check_mac2(&f.cc, f.init, f.init_len, &a, t1),
	    LN_E_DROP(LN_DROP_UNDER_LOAD));
	assert_int_equal(f.cc.rotations, 2);
	assert_int_equal(cookie_make(&f.cc, &a, t1, c2), 0);
	assert_memory_not_equal(c1, c2, LN_COOKIE_LEN);
	/* The reply to it brings the new cookie, and mac2 holds again. */
	n = fx_reply(&f, &a, t1, reply);
	assert_int_equal(cookie_consume_reply(&f.cm, reply, n, t1), 0);
	fx_send(&f, 9, t1 + MS);
	assert_int_equal(cookie_check_mac2(&f.cc, f.init, f.init_len, &a,
	    t1 + MS), 0);
	noise_wipe(&f.hs);
}

/*
 * A cookie reply is taken once, for the initiation out and no other:
 * a replay of it is wrong_state, a late one for an earlier initiation
 * unknown_index, a forged or damaged one bad_decrypt; none changes the
 * cookie held or its age.
 */
static void
test_replayed_reply(void **state)
{
	struct fixture		 f;
	struct chan_addr	 a = mkaddr(1, 4000);
	uint8_t			 r1[LN_COOKIE_REPLY_LEN], r2[LN_COOKIE_REPLY_LEN];
	uint8_t			 held[LN_COOKIE_LEN];
	uint64_t		 now = 10 * SEC, held_ns;
	size_t			 n;
	int			 i;

	fx_init(&f);
	fx_send(&f, 7, now);
	n = fx_reply(&f, &a, now, r1);
	/* Before it is taken: damaged, then the wrong server's key. */
	memcpy(r2, r1, n);
	r2[n - 1] ^= 0x80;
	assert_int_equal(cookie_consume_reply(&f.cm, r2, n, now),
	    LN_E_DROP(LN_DROP_DECRYPT));
	assert_null(cookie_maker_get(&f.cm, now));
	for (i = 0; i < 4; i++) {
		memcpy(r2, r1, n);
		r2[0] = i == 0 ? LN_PKT_RESPONSE : r2[0];
		r2[1] = i == 1 ? LN_PROTO_VERSION : r2[1];
		r2[2] = i == 2 ? 1 : r2[2];
		assert_true(cookie_consume_reply(&f.cm, r2, i == 3 ? n - 1 : n,
		    now) < 0);
	}
	assert_int_equal(cookie_consume_reply(&f.cm, r1, n, now), 0);
	memcpy(held, f.cm.cookie, sizeof held);
	held_ns = f.cm.cookie_ns;
	assert_int_equal(cookie_consume_reply(&f.cm, r1, n, now + SEC),
	    LN_E_DROP(LN_DROP_STATE));
	/* A new initiation: the old reply names another index. */
	fx_send(&f, 8, now + 2 * SEC);
	assert_int_equal(cookie_consume_reply(&f.cm, r1, n, now + 2 * SEC),
	    LN_E_DROP(LN_DROP_UNKNOWN_INDEX));
	assert_memory_equal(held, f.cm.cookie, sizeof held);
	assert_int_equal(f.cm.cookie_ns, held_ns);
	/* Its own reply, with ad = its own mac1, is taken. */
	n = fx_reply(&f, &a, now + 2 * SEC, r2);
	/* ... but not with the first initiation's mac1 as ad. */
	memcpy(r2 + 8, r1 + 8, LN_COOKIE_NONCE_LEN + LN_COOKIE_LEN +
	    LN_TAG_LEN);
	assert_int_equal(cookie_consume_reply(&f.cm, r2, n, now + 2 * SEC),
	    LN_E_DROP(LN_DROP_DECRYPT));
	noise_wipe(&f.hs);
}

/*
 * The channel endpoints on a virtual clock, with a flooder: the server's
 * datagrams to the client arrive after DELAY, the rest are counted.
 */
#define DELAY	(1 * MS)
#define QMAX	64

struct flood_net {
	uint64_t		 now;
	struct chan_server	*srv;
	struct chan_client	*cli;
	uint8_t			 s_sk[LN_KEY_LEN], s_pk[LN_KEY_LEN];
	uint8_t			 c_sk[LN_KEY_LEN], c_pk[LN_KEY_LEN];
	struct chan_addr	 c_addr;
	/* Datagrams in flight: to the server (to_srv) or the client. */
	struct {
		uint64_t	 at;
		int		 to_srv;
		uint8_t		 d[LN_MAX_DATAGRAM];
		size_t		 len;
	}			 q[QMAX];
	int			 nq;
	unsigned		 to_flooder;	/* datagrams to other addresses */
	size_t			 to_flooder_max;
	int			 connected;
	int			 old_client;	/* drops cookie replies */
	uint8_t			 last_init[LN_MAX_DATAGRAM];
	size_t			 last_init_len;	/* 0: taken */
};

/* Queues a datagram. */
static void
fn_put(struct flood_net *n, int to_srv, const uint8_t *d, size_t len)
{
	assert_true(n->nq < QMAX);
	n->q[n->nq].at = n->now + DELAY;
	n->q[n->nq].to_srv = to_srv;
	memcpy(n->q[n->nq].d, d, len);
	n->q[n->nq].len = len;
	n->nq++;
}

/* Server ops->send: to the client's address, or counted. */
static void
fn_srv_send(void *ctx, const struct chan_addr *to, const uint8_t *d,
    size_t len)
{
	struct flood_net	*n = ctx;

	if (to->len == n->c_addr.len &&
	    memcmp(&to->ss, &n->c_addr.ss, to->len) == 0) {
		fn_put(n, 0, d, len);
		return;
	}
	n->to_flooder++;
	if (len > n->to_flooder_max)
		n->to_flooder_max = len;
}

/* Admits the client's key only. */
static int
fn_authorize(void *ctx, const uint8_t *pk, const char *user)
{
	struct flood_net	*n = ctx;

	return (memcmp(pk, n->c_pk, LN_KEY_LEN) == 0 ? 0 : -1);
}

/* Client ops->send; keeps a copy of the last initiation. */
static void
fn_cli_send(void *ctx, const uint8_t *d, size_t len)
{
	struct flood_net	*n = ctx;

	if (len > 0 && d[0] == LN_PKT_INITIATION) {
		memcpy(n->last_init, d, len);
		n->last_init_len = len;
	}
	fn_put(ctx, 1, d, len);
}

/* Client ops->connected. */
static void
fn_connected(void *ctx, int resumed)
{
	((struct flood_net *)ctx)->connected++;
}

static const struct chan_server_ops fn_srv_ops = {
	.send = fn_srv_send,
	.authorize = fn_authorize,
};
static const struct chan_client_ops fn_cli_ops = {
	.send = fn_cli_send,
	.connected = fn_connected,
};

/* Delivers every datagram due by now, and ticks both ends. */
static void
fn_step(struct flood_net *n)
{
	int	i, j;

	for (i = 0; i < n->nq; ) {
		if (n->q[i].at > n->now) {
			i++;
			continue;
		}
		if (n->q[i].to_srv)
			chan_server_input(n->srv, n->q[i].d, n->q[i].len,
			    &n->c_addr, n->now);
		else if (!(n->old_client &&
		    n->q[i].d[0] == LN_PKT_COOKIE_REPLY))
			chan_client_input(n->cli, n->q[i].d, n->q[i].len,
			    n->now);
		for (j = i + 1; j < n->nq; j++)
			n->q[j - 1] = n->q[j];
		n->nq--;
	}
	(void)chan_server_tick(n->srv, n->now);
	(void)chan_client_tick(n->cli, n->now);
}

/* A server and a client of it at 10.0.0.1:5000. */
static struct flood_net *
fn_new(void)
{
	struct flood_net	*n = calloc(1, sizeof *n);

	n->now = 1 * SEC;
	assert_int_equal(noise_keypair(n->s_sk, n->s_pk), 0);
	assert_int_equal(noise_keypair(n->c_sk, n->c_pk), 0);
	n->srv = chan_server_new(NULL, n->s_sk, &fn_srv_ops, n);
	n->cli = chan_client_new(NULL, n->c_sk, n->s_pk, "alice", &fn_cli_ops,
	    n);
	assert_non_null(n->srv);
	assert_non_null(n->cli);
	n->c_addr = mkaddr(1, 5000);
	return (n);
}

static void
fn_free(struct flood_net *n)
{
	chan_server_free(n->srv);
	chan_client_free(n->cli);
	free(n);
}

/*
 * An initiation from someone who knows the server's public key but no
 * admitted client key: a valid mac1 over 120 + 32 bytes of junk (so Noise
 * fails at its first decryption, after one Diffie-Hellman).
 */
static size_t
flood_packet(const uint8_t *mac1_key, uint64_t *rng, uint8_t *out)
{
	struct buf	w;
	uint8_t		*p;
	size_t		 i, len = 152;

	buf_writer(&w, out, len);
	assert_int_equal(hs_put_header(&w, LN_PKT_INITIATION), 0);
	p = buf_put_ptr(&w, len - LN_HDR_LEN - LN_MAC_LEN);
	assert_non_null(p);
	for (i = 0; i < len - LN_HDR_LEN - LN_MAC_LEN; i++)
		p[i] = (uint8_t)rnd(rng);
	assert_int_equal(hs_put_mac1(&w, out, mac1_key), 0);
	return (len);
}

/*
 * 10,000 valid-mac1 initiations a second from spoofed addresses for 3 s
 * of virtual time, the client connecting 1 s in: it connects within 2 s
 * (one extra round trip for the cookie), the server's X25519 work over
 * the whole flood stays within one load burst plus the client's
 * handshake, every flood packet is counted (bad_handshake before the
 * load, under_load after), and no reply is larger than its cause.
 */
static void
test_flood(void **state)
{
	struct flood_net	 *n = fn_new();
	const struct ln_counters *sc = chan_server_counters(n->srv);
	const struct ln_counters *cc = chan_client_counters(n->cli);
	uint8_t			  mkey[LN_KEY_LEN], pkt[LN_MAX_DATAGRAM];
	struct chan_addr	  from;
	uint64_t		  rng = 77, start, dh0, t_conn = 0;
	unsigned		  sent = 0;
	size_t			  len;
	int			  tick;

	hs_mac1_key(n->s_pk, mkey);
	dh0 = noise_x25519_count();
	start = n->now;
	/* 10 packets every ms: 10,000 a second. */
	for (tick = 0; tick < 3000; tick++) {
		int	k;

		for (k = 0; k < 10; k++) {
			len = flood_packet(mkey, &rng, pkt);
			from = mkaddr(100 + (int)(rnd(&rng) % 100000),
			    1024 + (int)(rnd(&rng) % 60000));
			chan_server_input(n->srv, pkt, len, &from, n->now);
			sent++;
		}
		if (tick == 1000)
			assert_int_equal(chan_client_connect(n->cli, n->now),
			    0);
		fn_step(n);
		if (n->connected && t_conn == 0)
			t_conn = n->now;
		n->now += MS;
	}
	print_message("flood: %u initiations in 3 s; x25519 ops %llu; "
	    "cookies %llu; connect %llu ms after start\n", sent,
	    (unsigned long long)(noise_x25519_count() - dh0),
	    (unsigned long long)sc->cookies,
	    (unsigned long long)((t_conn - start) / MS - 1000));
	assert_true(n->connected >= 1);
	assert_true(t_conn - (start + 1000 * MS) <= 2 * SEC);
	assert_true(cc->cookies >= 1);
	assert_true(chan_server_under_load(n->srv, n->now - MS));
	/*
	 * One X25519 per flood packet before the load meter ran dry (es:
	 * the responder's static public key is computed once, in
	 * chan_server_new), the client's two initiations (4 each: s, e,
	 * es, ss) and the rest of its handshake (server 5: es, ss, e, ee,
	 * se; client 2), nothing else. The meter's burst, and what it
	 * refilled while the burst was spent (10 ms):
	 */
	assert_true(sc->drop[LN_DROP_HANDSHAKE] <= LN_INIT_LOAD_PER_SEC + 2);
	assert_int_equal(noise_x25519_count() - dh0,
	    sc->drop[LN_DROP_HANDSHAKE] + 2 * 4 + 5 + 2);
	assert_int_equal(sc->drop[LN_DROP_UNDER_LOAD] +
	    sc->drop[LN_DROP_HANDSHAKE], sent + cc->cookies);
	assert_int_equal(n->to_flooder, sc->drop[LN_DROP_UNDER_LOAD] -
	    cc->cookies);
	assert_true(n->to_flooder_max <= 152);
	assert_int_equal(sc->handshakes, 1);
	fn_free(n);
}

/*
 * A client without the extension (it drops the cookie reply as an older
 * lnsh would, unknown type) gets nothing while the server is under load,
 * and the server does no Diffie-Hellman for it; once the load has been
 * gone for LN_INIT_LOAD_HOLD_NS it connects as before.
 */
static void
test_old_client(void **state)
{
	struct flood_net	 *n = fn_new();
	const struct ln_counters *sc = chan_server_counters(n->srv);
	uint8_t			  mkey[LN_KEY_LEN], pkt[LN_MAX_DATAGRAM];
	struct chan_addr	  from = mkaddr(9, 9);
	const struct ln_counters *cc = chan_client_counters(n->cli);
	uint64_t		  rng = 5, dh0, tx0;
	size_t			  len;
	int			  i;

	n->old_client = 1;
	hs_mac1_key(n->s_pk, mkey);
	for (i = 0; i < LN_INIT_LOAD_PER_SEC + 1; i++) {
		len = flood_packet(mkey, &rng, pkt);
		chan_server_input(n->srv, pkt, len, &from, n->now);
	}
	assert_true(chan_server_under_load(n->srv, n->now));
	dh0 = noise_x25519_count();
	tx0 = cc->tx_packets;
	assert_int_equal(chan_client_connect(n->cli, n->now), 0);
	/* Flood on at 200/s for 3 s: the old client never gets in. */
	for (i = 0; i < 3000; i++) {
		if (i % 5 == 0) {
			len = flood_packet(mkey, &rng, pkt);
			chan_server_input(n->srv, pkt, len, &from, n->now);
		}
		fn_step(n);
		n->now += MS;
	}
	assert_int_equal(n->connected, 0);
	assert_true(sc->drop[LN_DROP_UNDER_LOAD] >= 600 + 2);
	/*
	 * None on the server: the X25519 operations are the client's own,
	 * four for each initiation it wrote (s, e, es, ss).
	 */
	assert_true(cc->tx_packets - tx0 >= 3);
	assert_int_equal(noise_x25519_count() - dh0,
	    4 * (cc->tx_packets - tx0));
	/* The flood stops: a second later the next resend gets in. */
	for (i = 0; i < 3000 && !n->connected; i++) {
		fn_step(n);
		n->now += MS;
	}
	assert_int_equal(n->connected, 1);
	assert_true(i <= (int)((LN_INIT_LOAD_HOLD_NS + LN_REKEY_TIMEOUT_NS +
	    LN_REKEY_JITTER_NS) / MS) + 10);
	fn_free(n);
}

/*
 * Under load, a source that has a cookie (it receives at its address)
 * but floods valid-mac2 initiations is cut to LN_COOKIE_PER_SRC_BURST
 * at once and LN_COOKIE_PER_SRC_PER_SEC a second.
 */
static void
test_mac2_source_limit(void **state)
{
	struct flood_net	 *n = fn_new();
	const struct ln_counters *sc = chan_server_counters(n->srv);
	uint8_t			  mkey[LN_KEY_LEN], pkt[LN_MAX_DATAGRAM];
	struct chan_addr	  from = mkaddr(9, 9);
	uint64_t		  rng = 5;
	size_t			  len;
	int			  i;

	hs_mac1_key(n->s_pk, mkey);
	for (i = 0; i < LN_INIT_LOAD_PER_SEC + 1; i++) {
		len = flood_packet(mkey, &rng, pkt);
		chan_server_input(n->srv, pkt, len, &from, n->now);
	}
	/* The client gets its cookie and connects. */
	assert_int_equal(chan_client_connect(n->cli, n->now), 0);
	for (i = 0; i < 20 && !n->connected; i++) {
		fn_step(n);
		n->now += MS;
	}
	assert_int_equal(n->connected, 1);
	/* Now it sends 50 more initiations at one instant, all with mac2. */
	for (i = 0; i < 50; i++) {
		n->nq = 0;
		assert_int_equal(chan_client_connect(n->cli, n->now), 0);
		assert_int_equal(n->q[0].d[1], LN_PROTO_VERSION_COOKIE);
		chan_server_input(n->srv, n->q[0].d, n->q[0].len, &n->c_addr,
		    n->now);
	}
	assert_int_equal(sc->drop[LN_DROP_RATELIMIT],
	    50 - (LN_COOKIE_PER_SRC_BURST - 1));
	fn_free(n);
}

/* Sends one flood initiation a millisecond's worth of times: keeps load. */
static void
fn_load(struct flood_net *n, const uint8_t *mkey, uint64_t *rng, int count)
{
	uint8_t			pkt[LN_MAX_DATAGRAM];
	struct chan_addr	from = mkaddr(9, 9);
	size_t			len;
	int			i;

	for (i = 0; i < count; i++) {
		len = flood_packet(mkey, rng, pkt);
		chan_server_input(n->srv, pkt, len, &from, n->now);
	}
}

/*
 * Under load, a client whose cookie went stale (it moved to another
 * source port, as lnsh does when the network changes) is answered with a
 * new cookie and gets in one round trip later, not a resend period
 * later. A forged cookie reply for every initiation it sends makes it
 * send at most one initiation more a second.
 */
static void
test_stale_cookie(void **state)
{
	struct flood_net	 *n = fn_new();
	const struct ln_counters *cc = chan_client_counters(n->cli);
	uint8_t			  mkey[LN_KEY_LEN], forged[LN_COOKIE_REPLY_LEN];
	uint64_t		  rng = 3, t0, tx0;
	struct buf		  w;
	int			  i;

	hs_mac1_key(n->s_pk, mkey);
	fn_load(n, mkey, &rng, LN_INIT_LOAD_PER_SEC + 1);
	assert_int_equal(chan_client_connect(n->cli, n->now), 0);
	for (i = 0; i < 20 && !n->connected; i++) {
		fn_step(n);
		n->now += MS;
	}
	assert_int_equal(n->connected, 1);
	assert_int_equal(cc->cookies, 1);

	/* A new source port: the cookie no longer fits. */
	n->c_addr = mkaddr(1, 5001);
	n->now += 2 * SEC;
	fn_load(n, mkey, &rng, 2 * LN_INIT_LOAD_PER_SEC);
	t0 = n->now;
	assert_int_equal(chan_client_connect(n->cli, n->now), 0);
	for (i = 0; i < 900 && n->connected < 2; i++) {
		fn_step(n);
		n->now += MS;
		if (i % 10 == 0)
			fn_load(n, mkey, &rng, 5);
	}
	assert_int_equal(n->connected, 2);
	assert_int_equal(cc->cookies, 2);
	assert_true(n->now - t0 <= 10 * MS);

	/*
	 * Forged replies: built as an on-path attacker could (the server's
	 * public key and the initiation's mac1 are all it takes), one for
	 * every initiation the client sends, for 3 s.
	 */
	n->now += 2 * SEC;
	tx0 = cc->tx_packets;
	/* Its cookie stale again, and the server's own replies lost. */
	n->c_addr = mkaddr(1, 5002);
	n->old_client = 1;
	fn_load(n, mkey, &rng, 2 * LN_INIT_LOAD_PER_SEC);
	assert_int_equal(chan_client_connect(n->cli, n->now), 0);
	for (i = 0; i < 3000; i++) {
		uint8_t		*p;

		if (n->last_init_len != 0) {
			const uint8_t	*mac1;
			uint32_t	 sender;
			uint8_t		 key[LN_KEY_LEN], c[LN_COOKIE_LEN];
			crypto_generichash_state st;

			assert_int_equal(hs_initiation_fields(n->last_init,
			    n->last_init_len, &sender, &mac1), 0);
			crypto_generichash_init(&st, NULL, 0, LN_KEY_LEN);
			crypto_generichash_update(&st,
			    (const uint8_t *)LN_COOKIE_LABEL,
			    strlen(LN_COOKIE_LABEL));
			crypto_generichash_update(&st, n->s_pk, LN_KEY_LEN);
			crypto_generichash_final(&st, key, LN_KEY_LEN);
			randombytes_buf(c, sizeof c);
			buf_writer(&w, forged, sizeof forged);
			(void)buf_put_u8(&w, LN_PKT_COOKIE_REPLY);
			(void)buf_put_u8(&w, LN_PROTO_VERSION_COOKIE);
			(void)buf_put_u16le(&w, 0);
			(void)buf_put_u32le(&w, sender);
			p = buf_put_ptr(&w, LN_COOKIE_NONCE_LEN);
			randombytes_buf(p, LN_COOKIE_NONCE_LEN);
			crypto_aead_xchacha20poly1305_ietf_encrypt(
			    buf_put_ptr(&w, LN_COOKIE_LEN + LN_TAG_LEN), NULL,
			    c, sizeof c, mac1, LN_MAC_LEN, NULL, p, key);
			n->last_init_len = 0;
			chan_client_input(n->cli, forged, sizeof forged,
			    n->now);
		}
		fn_step(n);
		fn_load(n, mkey, &rng, 1);
		n->now += MS;
	}
	print_message("forged replies for 3 s: %llu initiations sent\n",
	    (unsigned long long)(cc->tx_packets - tx0));
	/* 3 s: the resends (about 3), and at most one more a second. */
	assert_true(cc->tx_packets - tx0 <= 3 + 3 + 1);
	assert_true(cc->cookies >= 2 + 3);
	fn_free(n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_replayed_reply),
		cmocka_unit_test(test_flood),
		cmocka_unit_test(test_old_client),
		cmocka_unit_test(test_mac2_source_limit),
		cmocka_unit_test(test_stale_cookie),
	};

	if (sodium_init() < 0)
		return (1);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
