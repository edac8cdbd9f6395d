/*
 * test_rel.c: reliable messages arrive exactly once, intact and in order
 * over a link that loses, duplicates and reorders; acks, timers and the
 * window behave as rel.c says.
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
#include "lnsh.pb-c.h"

#define MS	LN_NS_PER_MS
#define SEC	LN_NS_PER_SEC

/* A deterministic PRNG (xorshift64*) so failures reproduce. */
static uint64_t
rng(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (*s * 2685821657736338717ULL);
}

/* Encodes an Envelope with every field by hand, as a peer would. */
static uint8_t *
envelope_x(uint64_t seq, uint64_t ack, uint64_t sack, uint32_t ts,
    uint32_t echo, uint32_t delay, const char *body, size_t *len)
{
	Lnsh__Envelope	 e = LNSH__ENVELOPE__INIT;
	uint8_t		*p;

	e.seq = seq;
	e.ack = ack;
	e.sack = sack;
	e.ts = ts;
	e.echo = echo;
	e.echo_delay = delay;
	e.body.data = (uint8_t *)(uintptr_t)body;
	e.body.len = body == NULL ? 0 : strlen(body);
	*len = lnsh__envelope__get_packed_size(&e);
	p = malloc(*len + 1);
	assert_non_null(p);
	lnsh__envelope__pack(&e, p);
	return (p);
}

/* Encodes a plain Envelope: no sack, no timestamps. */
static uint8_t *
envelope(uint64_t seq, uint64_t ack, const char *body, size_t *len)
{
	return (envelope_x(seq, ack, 0, 0, 0, 0, body, len));
}

/* Decodes what rel produced; the test owns the result. */
static Lnsh__Envelope *
decode(const uint8_t *env, size_t len)
{
	Lnsh__Envelope	*e;

	e = lnsh__envelope__unpack(NULL, len, env);
	assert_non_null(e);
	return (e);
}

/* What a receiver saw, for the small tests. */
struct sink {
	int	 n, reliable;
	char	 last[64];
};

static void
sink_deliver(void *ctx, const uint8_t *body, size_t len, int reliable)
{
	struct sink	*k = ctx;

	assert_true(len < sizeof k->last);
	memcpy(k->last, body, len);
	k->last[len] = '\0';
	k->n++;
	k->reliable = reliable;
}

/* Takes the next envelope from rel_next, which must have one. */
static Lnsh__Envelope *
next(struct rel *r, uint64_t now)
{
	Lnsh__Envelope	*e;
	uint8_t		*env = NULL;
	size_t		 len = 0;

	assert_int_equal(rel_next(r, now, &env, &len, NULL), 1);
	assert_non_null(env);
	e = decode(env, len);
	free(env);
	return (e);
}

/* rel_next has nothing to send at this time. */
static void
nothing(struct rel *r, uint64_t now)
{
	uint8_t	*env = NULL;
	size_t	 len = 0;

	assert_int_equal(rel_next(r, now, &env, &len, NULL), 0);
	assert_null(env);
}

/* Feeds a hand-made envelope and returns rel_input's result. */
static int
feed(struct rel *r, uint64_t seq, uint64_t ack, const char *body,
    uint64_t now, struct sink *k)
{
	uint8_t	*env;
	size_t	 len;
	int	 error;

	env = envelope(seq, ack, body, &len);
	error = rel_input(r, env, len, now, sink_deliver, k);
	free(env);
	return (error);
}

/*
 * Feeds a pure ack with a sack and an echo, stamped with a peer clock that
 * runs with ours; returns rel_input's result.
 */
static int
feed_ack(struct rel *r, uint64_t ack, uint64_t sack, uint32_t echo,
    uint32_t delay, uint64_t now)
{
	struct sink	 k;
	uint8_t		*env;
	size_t		 len;
	int		 error;

	memset(&k, 0, sizeof k);
	env = envelope_x(0, ack, sack, (uint32_t)(now / MS) + 5000, echo,
	    delay, NULL, &len);
	error = rel_input(r, env, len, now, sink_deliver, &k);
	free(env);
	assert_int_equal(k.n, 0);
	return (error);
}

/* Queued messages go out once, in order, with seq from 1. */
static void
test_first_transmission(void **state)
{
	struct ln_counters	 c;
	struct rel		 r;
	Lnsh__Envelope		*e;

	memset(&c, 0, sizeof c);
	rel_init(&r, &c);
	assert_int_equal(rel_deadline(&r), UINT64_MAX);
	nothing(&r, 0);
	assert_int_equal(rel_queue(&r, (const uint8_t *)"one", 3), 0);
	assert_int_equal(rel_queue(&r, (const uint8_t *)"two", 3), 0);
	assert_int_equal(rel_unacked(&r), 2);
	assert_int_equal(rel_deadline(&r), 0);
	e = next(&r, 10);
	assert_int_equal(e->seq, 1);
	assert_int_equal(e->ack, 0);
	assert_memory_equal(e->body.data, "one", 3);
	lnsh__envelope__free_unpacked(e, NULL);
	e = next(&r, 10);
	assert_int_equal(e->seq, 2);
	lnsh__envelope__free_unpacked(e, NULL);
	nothing(&r, 10);
	assert_int_equal(rel_deadline(&r), 10 + LN_REL_RTO_INIT_NS);
	assert_int_equal(c.retransmits, 0);
	assert_int_equal(rel_queue(&r, NULL, 1), LN_E_INVAL);
	assert_int_equal(rel_queue(&r, (const uint8_t *)"x",
	    LN_REL_MAX_BODY + 1), LN_E_INVAL);
	rel_free(&r);
}

/*
 * The window holds LN_REL_WINDOW unacked messages; an ack makes room. They
 * do not all go at once: the congestion window paces them.
 */
static void
test_window_full(void **state)
{
	struct ln_counters	 c;
	struct rel		 r;
	struct sink		 k;
	int			 i;

	memset(&c, 0, sizeof c);
	memset(&k, 0, sizeof k);
	rel_init(&r, &c);
	for (i = 0; i < LN_REL_WINDOW; i++)
		assert_int_equal(rel_queue(&r, (const uint8_t *)"m", 1), 0);
	assert_int_equal(rel_queue(&r, (const uint8_t *)"m", 1), LN_E_FULL);
	assert_int_equal(rel_unacked(&r), LN_REL_WINDOW);

	/*
	 * As many go out as a selective ack can reach (fewer than the
	 * congestion window allows); the peer acks the first ten.
	 */
	assert_true(LN_REL_CWND_INIT > 1 + LN_REL_SACK_BITS);
	for (i = 0; i < 1 + LN_REL_SACK_BITS; i++)
		lnsh__envelope__free_unpacked(next(&r, 0), NULL);
	nothing(&r, 0);
	assert_int_equal(rel_deadline(&r), LN_REL_RTO_INIT_NS);
	assert_int_equal(feed(&r, 0, 10, NULL, 5 * MS, &k), 0);
	assert_int_equal(k.n, 0);	/* a pure ack delivers nothing */
	assert_int_equal(rel_unacked(&r), LN_REL_WINDOW - 10);
	/* Slow start: ten acked, the window grows by ten; ten more go. */
	assert_int_equal(r.cwnd, LN_REL_CWND_INIT + 10);
	for (i = 0; i < 10; i++)
		lnsh__envelope__free_unpacked(next(&r, 5 * MS), NULL);
	nothing(&r, 5 * MS);
	for (i = 0; i < 10; i++)
		assert_int_equal(rel_queue(&r, (const uint8_t *)"m", 1), 0);
	assert_int_equal(rel_queue(&r, (const uint8_t *)"m", 1), LN_E_FULL);
	/* An ack of something never sent is ignored. */
	assert_int_equal(feed(&r, 0, 100000, NULL, 5 * MS, &k), 0);
	assert_int_equal(rel_unacked(&r), LN_REL_WINDOW);
	rel_free(&r);
}

/*
 * rel_unacked_bytes counts the bodies sent or queued and not acked (what
 * lnshd charges to a client's reply budget); a muted receiver's envelopes
 * (chan_client_mute_acks) acknowledge nothing.
 */
static void
test_unacked_bytes(void **state)
{
	struct ln_counters	 c;
	struct rel		 r, peer;
	struct sink		 k;
	Lnsh__Envelope		*e;
	uint8_t			*env;
	size_t			 envlen;

	memset(&c, 0, sizeof c);
	memset(&k, 0, sizeof k);
	rel_init(&r, &c);
	assert_int_equal(rel_unacked_bytes(&r), 0);
	assert_int_equal(rel_queue(&r, (const uint8_t *)"one", 3), 0);
	assert_int_equal(rel_queue(&r, (const uint8_t *)"three", 5), 0);
	assert_int_equal(rel_unacked_bytes(&r), 8);
	lnsh__envelope__free_unpacked(next(&r, 0), NULL);
	lnsh__envelope__free_unpacked(next(&r, 0), NULL);
	assert_int_equal(rel_unacked_bytes(&r), 8);
	assert_int_equal(feed(&r, 0, 1, NULL, 5 * MS, &k), 0);
	assert_int_equal(rel_unacked_bytes(&r), 5);
	assert_int_equal(feed(&r, 0, 2, NULL, 5 * MS, &k), 0);
	assert_int_equal(rel_unacked_bytes(&r), 0);
	rel_reset(&r);
	assert_int_equal(rel_queue(&r, (const uint8_t *)"x", 1), 0);
	assert_int_equal(rel_unacked_bytes(&r), 1);
	rel_free(&r);

	/* Muted: delivered, but the envelopes say ack 0 and no sack. */
	rel_init(&peer, &c);
	peer.mute_acks = 1;
	env = envelope(1, 0, "a", &envlen);
	assert_int_equal(rel_input(&peer, env, envlen, 0, sink_deliver, &k),
	    0);
	free(env);
	assert_int_equal(k.n, 1);
	assert_int_equal(rel_queue(&peer, (const uint8_t *)"q", 1), 0);
	e = next(&peer, MS);
	assert_int_equal(e->ack, 0);
	assert_int_equal(e->sack, 0);
	lnsh__envelope__free_unpacked(e, NULL);
	rel_free(&peer);
}

/* An unanswered message is resent after 300, 600, 1200, 2000, 2000 ms. */
static void
test_rto_backoff(void **state)
{
	struct ln_counters	 c;
	struct rel		 r;
	Lnsh__Envelope		*e;
	uint64_t		 now = 0, rto = LN_REL_RTO_INIT_NS;
	int			 i;

	memset(&c, 0, sizeof c);
	rel_init(&r, &c);
	assert_int_equal(rel_queue(&r, (const uint8_t *)"hello", 5), 0);
	lnsh__envelope__free_unpacked(next(&r, now), NULL);
	for (i = 0; i < 6; i++) {
		assert_int_equal(rel_deadline(&r), now + rto);
		nothing(&r, now + rto - 1);
		now += rto;
		e = next(&r, now);
		assert_int_equal(e->seq, 1);
		assert_memory_equal(e->body.data, "hello", 5);
		lnsh__envelope__free_unpacked(e, NULL);
		assert_int_equal(c.retransmits, i + 1);
		rto = rto * 2 > LN_REL_RTO_MAX_NS ? LN_REL_RTO_MAX_NS : rto * 2;
		assert_int_equal(r.rto_ns, rto);
		nothing(&r, now);
	}
	assert_int_equal(rto, LN_REL_RTO_MAX_NS);
	rel_free(&r);
}

/*
 * RTT samples come from the peer's echoes of our timestamps, less the time
 * it held them, and follow RFC 6298 (the RTO adds the peer's ack delay);
 * never from an echo of a timestamp we sent again, nor a stale echo.
 */
static void
test_rtt_timestamps(void **state)
{
	struct ln_counters	 c;
	struct rel		 r;
	struct sink		 k;
	Lnsh__Envelope		*e;
	uint8_t			*env;
	size_t			 len;
	uint64_t		 t = 10 * SEC;
	uint32_t		 ts;

	memset(&c, 0, sizeof c);
	memset(&k, 0, sizeof k);
	rel_init(&r, &c);

	/* First sample 100 ms: srtt 100, rttvar 50, rto 315. */
	assert_int_equal(rel_queue(&r, (const uint8_t *)"a", 1), 0);
	e = next(&r, t);
	ts = e->ts;
	assert_int_equal(ts, t / MS);
	assert_int_equal(e->echo, 0);
	lnsh__envelope__free_unpacked(e, NULL);
	assert_int_equal(feed_ack(&r, 1, 0, ts, 0, t + 100 * MS), 0);
	assert_int_equal(r.srtt_ns, 100 * MS);
	assert_int_equal(r.rttvar_ns, 50 * MS);
	assert_int_equal(r.rto_ns, 300 * MS + LN_REL_ACK_DELAY_NS);

	/* Held 30 ms by the peer: the sample is 100, rttvar 37.5. */
	t += SEC;
	assert_int_equal(rel_queue(&r, (const uint8_t *)"b", 1), 0);
	e = next(&r, t);
	ts = e->ts;
	lnsh__envelope__free_unpacked(e, NULL);
	assert_int_equal(feed_ack(&r, 2, 0, ts, 30, t + 130 * MS), 0);
	assert_int_equal(r.srtt_ns, 100 * MS);
	assert_int_equal(r.rttvar_ns, 37500000ULL);
	assert_int_equal(r.rto_ns, 250 * MS + LN_REL_ACK_DELAY_NS);
	/* The same echo again (a stale one) gives no sample. */
	assert_int_equal(feed_ack(&r, 2, 0, ts, 0, t + 900 * MS), 0);
	assert_int_equal(r.srtt_ns, 100 * MS);

	/* Sent again, then its echo: no sample; the ack ends the backoff. */
	t += SEC;
	assert_int_equal(rel_queue(&r, (const uint8_t *)"c", 1), 0);
	e = next(&r, t);
	ts = e->ts;
	lnsh__envelope__free_unpacked(e, NULL);
	e = next(&r, t + r.rto_ns);
	assert_int_equal(e->seq, 3);
	assert_int_equal(e->ts, ts);	/* the same bytes */
	lnsh__envelope__free_unpacked(e, NULL);
	assert_int_equal(r.rto_ns, 2 * (250 * MS + LN_REL_ACK_DELAY_NS));
	assert_int_equal(feed_ack(&r, 3, 0, ts, 0, t + 900 * MS), 0);
	assert_int_equal(r.srtt_ns, 100 * MS);
	assert_int_equal(r.rto_ns, 250 * MS + LN_REL_ACK_DELAY_NS);
	assert_int_equal(rel_unacked(&r), 0);
	assert_int_equal(rel_deadline(&r), UINT64_MAX);

	/* A fresh timestamp after it samples again; tiny RTTs keep the min. */
	t += SEC;
	assert_int_equal(rel_queue(&r, (const uint8_t *)"d", 1), 0);
	e = next(&r, t);
	ts = e->ts;
	lnsh__envelope__free_unpacked(e, NULL);
	assert_int_equal(feed_ack(&r, 4, 0, ts, 0, t), 0);
	assert_true(r.srtt_ns < 100 * MS);
	assert_true(r.rto_ns >= LN_REL_RTO_MIN_NS);

	/*
	 * We echo the last timestamp to arrive (not the newest: that is of
	 * whatever overtook the rest) with how long we held it.
	 */
	env = envelope_x(1, 0, 0, 777, 0, 0, "x", &len);
	assert_int_equal(rel_input(&r, env, len, t, sink_deliver, &k), 0);
	free(env);
	env = envelope_x(0, 0, 0, 700, 0, 0, NULL, &len);	/* overtaken */
	assert_int_equal(rel_input(&r, env, len, t, sink_deliver, &k), 0);
	free(env);
	e = next(&r, t + LN_REL_ACK_DELAY_NS);
	assert_int_equal(e->seq, 0);
	assert_int_equal(e->ack, 1);
	assert_int_equal(e->echo, 700);
	assert_int_equal(e->echo_delay, LN_REL_ACK_DELAY_NS / MS);
	lnsh__envelope__free_unpacked(e, NULL);
	rel_free(&r);
}

/*
 * A retransmission is the first transmission's Envelope byte for byte (so
 * the channel sends it under the same fragment id), stale ack and all.
 */
static void
test_identical_resend(void **state)
{
	struct ln_counters	 c;
	struct rel		 r;
	struct sink		 k;
	uint8_t			*env1, *env2;
	size_t			 len1, len2;
	uint64_t		 seq1, seq2;

	memset(&c, 0, sizeof c);
	memset(&k, 0, sizeof k);
	rel_init(&r, &c);
	assert_int_equal(rel_queue(&r, (const uint8_t *)"same", 4), 0);
	assert_int_equal(rel_next(&r, SEC, &env1, &len1, &seq1), 1);
	assert_int_equal(seq1, 1);
	/* Something arrives meanwhile: a fresh Envelope would ack it. */
	assert_int_equal(feed(&r, 1, 0, "in", SEC + MS, &k), 0);
	assert_int_equal(rel_next(&r, SEC + LN_REL_RTO_INIT_NS, &env2, &len2,
	    &seq2), 1);
	assert_int_equal(seq2, 1);
	assert_int_equal(len1, len2);
	assert_memory_equal(env1, env2, len1);
	assert_int_equal(c.retransmits, 1);
	free(env2);
	/* It did not carry the ack, so a pure ack still goes. */
	assert_int_equal(rel_next(&r, SEC + LN_REL_RTO_INIT_NS, &env2, &len2,
	    &seq2), 1);
	assert_int_equal(seq2, 0);
	free(env1);
	free(env2);
	rel_free(&r);
}

/*
 * Selective acks: what the peer holds is never sent again; a message three
 * transmissions behind one that arrived is lost and goes again at once,
 * without waiting for the RTO.
 */
static void
test_sack(void **state)
{
	struct ln_counters	 c;
	struct rel		 r;
	struct sink		 k;
	Lnsh__Envelope		*e;
	int			 i;

	memset(&c, 0, sizeof c);
	memset(&k, 0, sizeof k);
	rel_init(&r, &c);
	for (i = 0; i < 6; i++)
		assert_int_equal(rel_queue(&r, (const uint8_t *)"m", 1), 0);
	for (i = 0; i < 6; i++)
		lnsh__envelope__free_unpacked(next(&r, 0), NULL);
	/* Holds 1, then 3 (bit 0) and 6 (bit 3): 2 is lost, 4 and 5 not. */
	assert_int_equal(feed_ack(&r, 1, 0x9, 0, 0, 10 * MS), 0);
	e = next(&r, 10 * MS);
	assert_int_equal(e->seq, 2);
	lnsh__envelope__free_unpacked(e, NULL);
	nothing(&r, 10 * MS);
	assert_int_equal(c.retransmits, 1);
	/* Each RTO: 4 and 5 again, then 2, never 3 or 6; each backs off. */
	e = next(&r, LN_REL_RTO_INIT_NS);
	assert_int_equal(e->seq, 4);
	lnsh__envelope__free_unpacked(e, NULL);
	e = next(&r, LN_REL_RTO_INIT_NS);
	assert_int_equal(e->seq, 5);
	lnsh__envelope__free_unpacked(e, NULL);
	nothing(&r, LN_REL_RTO_INIT_NS);
	assert_int_equal(r.rto_ns, 2 * LN_REL_RTO_INIT_NS);
	e = next(&r, 10 * MS + LN_REL_RTO_INIT_NS);
	assert_int_equal(e->seq, 2);
	lnsh__envelope__free_unpacked(e, NULL);
	nothing(&r, 10 * MS + LN_REL_RTO_INIT_NS);
	assert_int_equal(c.retransmits, 4);
	assert_int_equal(r.rto_ns, 4 * LN_REL_RTO_INIT_NS);
	/* Everything acked: the window is empty, the backoff over. */
	assert_int_equal(feed_ack(&r, 6, 0, 0, 0, SEC), 0);
	assert_int_equal(rel_unacked(&r), 0);
	assert_int_equal(rel_deadline(&r), UINT64_MAX);
	assert_int_equal(r.rto_ns, LN_REL_RTO_INIT_NS);

	/* Our sack says what we hold past a gap: seq 3 is bit 1. */
	assert_int_equal(feed(&r, 3, 0, "c", SEC, &k), 0);
	e = next(&r, SEC);
	assert_int_equal(e->seq, 0);
	assert_int_equal(e->ack, 0);
	assert_int_equal(e->sack, 0x2);
	lnsh__envelope__free_unpacked(e, NULL);
	assert_int_equal(k.n, 0);
	rel_free(&r);
}

/* One arrival is acked after the delay; a second one at once. */
static void
test_delayed_ack(void **state)
{
	struct ln_counters	 c;
	struct rel		 r;
	struct sink		 k;
	Lnsh__Envelope		*e;
	uint64_t		 t = 7 * SEC;

	memset(&c, 0, sizeof c);
	memset(&k, 0, sizeof k);
	rel_init(&r, &c);
	assert_int_equal(feed(&r, 1, 0, "first", t, &k), 0);
	assert_int_equal(k.n, 1);
	assert_int_equal(k.reliable, 1);
	assert_string_equal(k.last, "first");
	nothing(&r, t);
	assert_int_equal(rel_deadline(&r), t + LN_REL_ACK_DELAY_NS);
	e = next(&r, t + LN_REL_ACK_DELAY_NS);
	assert_int_equal(e->seq, 0);
	assert_int_equal(e->ack, 1);
	assert_int_equal(e->body.len, 0);
	lnsh__envelope__free_unpacked(e, NULL);
	nothing(&r, t + SEC);
	assert_int_equal(rel_deadline(&r), UINT64_MAX);

	/* Two arrivals: the ack is due at once. */
	assert_int_equal(feed(&r, 2, 0, "a", t + SEC, &k), 0);
	nothing(&r, t + SEC);
	assert_int_equal(feed(&r, 3, 0, "b", t + SEC, &k), 0);
	e = next(&r, t + SEC);
	assert_int_equal(e->seq, 0);
	assert_int_equal(e->ack, 3);
	lnsh__envelope__free_unpacked(e, NULL);

	/* A message of ours carries the ack and satisfies it. */
	assert_int_equal(feed(&r, 4, 0, "c", t + 2 * SEC, &k), 0);
	assert_int_equal(rel_queue(&r, (const uint8_t *)"reply", 5), 0);
	e = next(&r, t + 2 * SEC);
	assert_int_equal(e->seq, 1);
	assert_int_equal(e->ack, 4);
	lnsh__envelope__free_unpacked(e, NULL);
	nothing(&r, t + 2 * SEC + LN_REL_RTO_INIT_NS - 1);
	assert_int_equal(rel_deadline(&r), t + 2 * SEC + LN_REL_RTO_INIT_NS);
	rel_free(&r);
}

/* Unreliable messages are delivered as such; wrap piggybacks the ack. */
static void
test_unreliable(void **state)
{
	struct ln_counters	 c;
	struct rel		 a, b;
	struct sink		 k;
	Lnsh__Envelope		*e;
	uint8_t			*env;
	size_t			 len;

	memset(&c, 0, sizeof c);
	memset(&k, 0, sizeof k);
	rel_init(&a, &c);
	rel_init(&b, &c);
	assert_int_equal(feed(&a, 1, 0, "r", 0, &k), 0);
	assert_int_equal(rel_wrap(&a, 0, (const uint8_t *)"u", 1, &env, &len), 0);
	e = decode(env, len);
	assert_int_equal(e->seq, 0);
	assert_int_equal(e->ack, 1);
	lnsh__envelope__free_unpacked(e, NULL);
	assert_int_equal(rel_deadline(&a), UINT64_MAX);	/* ack went */

	assert_int_equal(rel_input(&b, env, len, 0, sink_deliver, &k), 0);
	assert_int_equal(k.n, 2);
	assert_int_equal(k.reliable, 0);
	assert_string_equal(k.last, "u");
	/* Unreliable arrivals do not make acks due. */
	assert_int_equal(rel_deadline(&b), UINT64_MAX);
	free(env);
	assert_int_equal(rel_wrap(&a, 0, NULL, 1, &env, &len), LN_E_INVAL);
	/* Empty would be indistinguishable from a pure ack. */
	assert_int_equal(rel_wrap(&a, 0, (const uint8_t *)"", 0, &env, &len),
	    LN_E_INVAL);
	rel_free(&a);
	rel_free(&b);
}

/* Out-of-order arrivals are held and delivered in order. */
static void
test_reorder_hold(void **state)
{
	struct ln_counters	 c;
	struct rel		 r;
	struct sink		 k;

	memset(&c, 0, sizeof c);
	memset(&k, 0, sizeof k);
	rel_init(&r, &c);
	assert_int_equal(feed(&r, 3, 0, "three", 0, &k), 0);
	assert_int_equal(feed(&r, 2, 0, "two", 0, &k), 0);
	assert_int_equal(k.n, 0);
	assert_int_equal(feed(&r, 1, 0, "one", 0, &k), 0);
	assert_int_equal(k.n, 3);
	assert_string_equal(k.last, "three");
	assert_int_equal(r.delivered, 3);
	rel_free(&r);
}

/* Counts deliveries of any size. */
static void
count_deliver(void *ctx, const uint8_t *body, size_t len, int reliable)
{
	(*(int *)ctx)++;
}

/*
 * Out-of-order bodies are held within LN_REL_HELD_MAX: past it one is
 * dropped (over_budget, not held, so not acked), and once the gap fills
 * the held ones are delivered and the dropped one is taken when resent.
 * Before, a connection held up to a window of 1.2 MB messages.
 */
static void
test_held_budget(void **state)
{
	struct ln_counters	 c;
	struct rel		 r;
	char			*big;
	uint8_t			*env;
	size_t			 len, per = 300 * 1024, fit;
	uint64_t		 seq;
	int			 n = 0;

	memset(&c, 0, sizeof c);
	rel_init(&r, &c);
	big = xmalloc(per + 1);
	memset(big, 'x', per);
	big[per] = '\0';
	fit = LN_REL_HELD_MAX / per;
	for (seq = 2; seq <= fit + 1; seq++) {
		env = envelope(seq, 0, big, &len);
		assert_int_equal(rel_input(&r, env, len, 0, count_deliver,
		    &n), 0);
		free(env);
	}
	env = envelope(fit + 2, 0, big, &len);
	assert_int_equal(rel_input(&r, env, len, 0, count_deliver, &n),
	    LN_E_DROP(LN_DROP_BUDGET));
	free(env);
	assert_int_equal(n, 0);
	assert_int_equal(c.drop[LN_DROP_BUDGET], 0);	/* the caller counts */
	/* The gap fills: everything held goes, and the room is back. */
	env = envelope(1, 0, "one", &len);
	assert_int_equal(rel_input(&r, env, len, 0, count_deliver, &n), 0);
	free(env);
	assert_int_equal(n, (int)fit + 1);
	env = envelope(fit + 2, 0, big, &len);
	assert_int_equal(rel_input(&r, env, len, 0, count_deliver, &n), 0);
	free(env);
	assert_int_equal(n, (int)fit + 2);
	free(big);
	rel_free(&r);
}

/* Duplicates, messages beyond the window and garbage are dropped. */
static void
test_drops(void **state)
{
	struct ln_counters	 c;
	struct rel		 r;
	struct sink		 k;
	Lnsh__Envelope		*e;
	const uint8_t		 junk1[] = { 0x1a, 0x10, 'a' };
	const uint8_t		 junk2[] = { 0x08 };
	const uint8_t		 junk3[] = { 0x08, 0xff, 0xff, 0xff };
	int			 error;

	memset(&c, 0, sizeof c);
	memset(&k, 0, sizeof k);
	rel_init(&r, &c);
	assert_int_equal(feed(&r, 1, 0, "one", 0, &k), 0);
	lnsh__envelope__free_unpacked(next(&r, LN_REL_ACK_DELAY_NS), NULL);
	assert_int_equal(rel_deadline(&r), UINT64_MAX);

	/* A duplicate is dropped, and our ack goes again at once. */
	error = feed(&r, 1, 0, "one", SEC, &k);
	assert_int_equal(error, LN_E_DROP(LN_DROP_REL_DUPLICATE));
	ln_count(&c, error);
	assert_int_equal(k.n, 1);
	e = next(&r, SEC);
	assert_int_equal(e->seq, 0);
	assert_int_equal(e->ack, 1);
	lnsh__envelope__free_unpacked(e, NULL);

	/* A held one arriving again is a duplicate too. */
	assert_int_equal(feed(&r, 5, 0, "five", SEC, &k), 0);
	error = feed(&r, 5, 0, "five", SEC, &k);
	assert_int_equal(error, LN_E_DROP(LN_DROP_REL_DUPLICATE));
	ln_count(&c, error);
	assert_int_equal(c.drop[LN_DROP_REL_DUPLICATE], 2);

	/* The window's far edge is held; one past it is not. */
	assert_int_equal(feed(&r, 1 + LN_REL_WINDOW, 0, "edge", SEC, &k), 0);
	error = feed(&r, 2 + LN_REL_WINDOW, 0, "far", SEC, &k);
	assert_int_equal(error, LN_E_DROP(LN_DROP_REL_WINDOW));
	ln_count(&c, error);
	assert_int_equal(c.drop[LN_DROP_REL_WINDOW], 1);
	assert_int_equal(k.n, 1);

	/* Bytes that are no Envelope. */
	error = rel_input(&r, junk1, sizeof junk1, SEC, sink_deliver, &k);
	assert_int_equal(error, LN_E_DROP(LN_DROP_MESSAGE));
	ln_count(&c, error);
	error = rel_input(&r, junk2, sizeof junk2, SEC, sink_deliver, &k);
	assert_int_equal(error, LN_E_DROP(LN_DROP_MESSAGE));
	ln_count(&c, error);
	error = rel_input(&r, junk3, sizeof junk3, SEC, sink_deliver, &k);
	assert_int_equal(error, LN_E_DROP(LN_DROP_MESSAGE));
	ln_count(&c, error);
	assert_int_equal(c.drop[LN_DROP_MESSAGE], 3);
	assert_int_equal(k.n, 1);
	assert_int_equal(ln_drops_total(&c), 6);
	rel_free(&r);
}

/* A reset forgets both directions and restarts at seq 1. */
static void
test_reset(void **state)
{
	struct ln_counters	 c;
	struct rel		 r;
	struct sink		 k;
	Lnsh__Envelope		*e;

	memset(&c, 0, sizeof c);
	memset(&k, 0, sizeof k);
	rel_init(&r, &c);
	assert_int_equal(rel_queue(&r, (const uint8_t *)"a", 1), 0);
	assert_int_equal(rel_queue(&r, (const uint8_t *)"b", 1), 0);
	lnsh__envelope__free_unpacked(next(&r, 0), NULL);
	assert_int_equal(feed(&r, 1, 0, "x", 0, &k), 0);
	assert_int_equal(feed(&r, 3, 0, "z", 0, &k), 0);
	rel_reset(&r);
	assert_int_equal(rel_unacked(&r), 0);
	assert_int_equal(rel_deadline(&r), UINT64_MAX);
	assert_int_equal(r.delivered, 0);
	assert_int_equal(rel_queue(&r, (const uint8_t *)"c", 1), 0);
	e = next(&r, SEC);
	assert_int_equal(e->seq, 1);
	assert_int_equal(e->ack, 0);
	assert_memory_equal(e->body.data, "c", 1);
	lnsh__envelope__free_unpacked(e, NULL);
	/* The peer's seq 1 is new again. */
	assert_int_equal(feed(&r, 1, 0, "y", SEC, &k), 0);
	assert_string_equal(k.last, "y");
	rel_free(&r);
}

/*
 * The lossy link: two endpoints, a virtual clock, and packets in flight
 * that a seeded PRNG loses, duplicates and delays by varying amounts.
 */
#define LOSSY_LINK_MAX	8192
#define N_MSGS		3000

struct packet {
	uint64_t	 at;
	int		 to;
	uint8_t		*env;
	size_t		 len;
};

struct end {
	struct rel		 rel;
	struct ln_counters	 c;
	uint64_t		 sent;		/* reliable ones queued */
	uint64_t		 got;		/* reliable ones received */
	uint64_t		 unreliable;	/* unreliable received */
	int			 side;
};

struct link {
	struct packet	 q[LOSSY_LINK_MAX];
	size_t		 n;
	uint64_t	 s;
	uint64_t	 now;
	struct end	 end[2];
};

/* The body of reliable message i from side `side`. */
static size_t
body_of(int side, uint64_t i, uint8_t *out)
{
	size_t	 len, j;

	len = (size_t)((i * 37 + (uint64_t)side * 11) % 300) + 8;
	for (j = 0; j < 8; j++)
		out[j] = (uint8_t)(i >> (8 * j));
	for (; j < len; j++)
		out[j] = (uint8_t)(i * 7 + j * 13 + (uint64_t)side);
	return (len);
}

/* Checks each delivery is the next message, intact. */
static void
end_deliver(void *ctx, const uint8_t *body, size_t len, int reliable)
{
	struct end	*e = ctx;
	uint8_t		 want[512];
	size_t		 n;

	if (!reliable) {
		assert_int_equal(len, 3);
		assert_memory_equal(body, "ur!", 3);
		e->unreliable++;
		return;
	}
	n = body_of(!e->side, e->got, want);
	assert_int_equal(len, n);
	assert_memory_equal(body, want, n);
	e->got++;
}

/* Puts an envelope on the link: lost, delivered, or delivered twice. */
static void
link_send(struct link *l, int to, uint8_t *env, size_t len)
{
	int	 copies = 1, i;

	switch (rng(&l->s) % 20) {
	case 0:
	case 1:
	case 2:
		copies = 0;	/* 15% loss */
		break;
	case 3:
		copies = 2;	/* 5% duplication */
		break;
	}
	for (i = 0; i < copies; i++) {
		assert_true(l->n < LOSSY_LINK_MAX);
		l->q[l->n].at = l->now + 10 * MS + rng(&l->s) % (40 * MS);
		l->q[l->n].to = to;
		l->q[l->n].env = i == 0 ? env : malloc(len + 1);
		if (i != 0)
			memcpy(l->q[l->n].env, env, len);
		l->q[l->n].len = len;
		l->n++;
	}
	if (copies == 0)
		free(env);
}

/* Both directions, thousands of messages, through loss and disorder. */
static void
test_lossy_link(void **state)
{
	struct link	*l;
	struct end	*e;
	uint8_t		 body[512], *env;
	size_t		 len, i;
	uint64_t	 when, d;
	int		 side, steps = 0;

	l = calloc(1, sizeof *l);
	assert_non_null(l);
	l->s = 0x243f6a8885a308d3ULL;
	for (side = 0; side < 2; side++) {
		l->end[side].side = side;
		rel_init(&l->end[side].rel, &l->end[side].c);
	}

	while (l->end[0].got < N_MSGS || l->end[1].got < N_MSGS ||
	    rel_unacked(&l->end[0].rel) != 0 ||
	    rel_unacked(&l->end[1].rel) != 0) {
		assert_true(++steps < 2000000);
		for (side = 0; side < 2; side++) {
			e = &l->end[side];
			/* Offer a few new messages now and then. */
			while (e->sent < N_MSGS && rng(&l->s) % 4 != 0) {
				len = body_of(side, e->sent, body);
				if (rel_queue(&e->rel, body, len) != 0)
					break;
				e->sent++;
			}
			if (rng(&l->s) % 50 == 0) {
				assert_int_equal(rel_wrap(&e->rel, l->now,
				    (const uint8_t *)"ur!", 3, &env, &len), 0);
				link_send(l, !side, env, len);
			}
			while (rel_next(&e->rel, l->now, &env, &len, NULL) == 1)
				link_send(l, !side, env, len);
		}

		/* Jump to the next event: an arrival or a timer. */
		when = UINT64_MAX;
		for (i = 0; i < l->n; i++)
			if (l->q[i].at < when)
				when = l->q[i].at;
		for (side = 0; side < 2; side++) {
			d = rel_deadline(&l->end[side].rel);
			if (d < when)
				when = d;
		}
		if (l->end[0].sent < N_MSGS || l->end[1].sent < N_MSGS)
			when = when > l->now + MS ? l->now + MS : when;
		assert_int_not_equal(when, UINT64_MAX);
		if (when > l->now)
			l->now = when;

		for (i = 0; i < l->n; ) {
			if (l->q[i].at > l->now) {
				i++;
				continue;
			}
			e = &l->end[l->q[i].to];
			ln_count(&e->c, rel_input(&e->rel, l->q[i].env,
			    l->q[i].len, l->now, end_deliver, e));
			free(l->q[i].env);
			l->q[i] = l->q[--l->n];
		}
	}

	for (side = 0; side < 2; side++) {
		e = &l->end[side];
		assert_int_equal(e->got, N_MSGS);
		/* The link did its worst, and rel noticed. */
				assert_true(e->c.retransmits > 100);
		/*
		 * But only what was lost went again, about once: selective
		 * acks, loss detection that tolerates this link's reordering
		 * and an RTO from samples that loss does not starve: about
		 * 0.2 per message here. (Resending the whole window at every
		 * timeout took 2.5 per message.)
		 */
		assert_true(e->c.retransmits < N_MSGS / 4);
		assert_true(e->c.drop[LN_DROP_REL_DUPLICATE] > 10);
		assert_int_equal(e->c.drop[LN_DROP_MESSAGE], 0);
		assert_true(e->unreliable > 10);
		rel_free(&e->rel);
	}
	for (i = 0; i < l->n; i++)
		free(l->q[i].env);
	free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_transmission),
		cmocka_unit_test(test_window_full),
		cmocka_unit_test(test_unacked_bytes),
		cmocka_unit_test(test_rto_backoff),
		cmocka_unit_test(test_rtt_timestamps),
		cmocka_unit_test(test_identical_resend),
		cmocka_unit_test(test_sack),
		cmocka_unit_test(test_delayed_ack),
		cmocka_unit_test(test_unreliable),
		cmocka_unit_test(test_reorder_hold),
		cmocka_unit_test(test_held_budget),
		cmocka_unit_test(test_drops),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_lossy_link),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
