/*
 * channel.c: what the two channel endpoints share (chan-server.c and
 * chan-client.c hold the endpoints themselves): the packet classifier that
 * applies an endpoint's state table, and the link that carries messages
 * over one connection: rel wraps them, frag splits them into frames,
 * transport seals each frame under a key pair, and the endpoint's emit
 * callback puts the datagram on the wire. Nothing here does I/O or reads a
 * clock.
 *
 * Fragment message ids: a link draws a random even id_base (anew on
 * restart, so a restarted peer's ids do not meet fragments of its previous
 * life). Reliable seq s travels as id_base + 2s, every try of it under the
 * same id with the same bytes (rel keeps the Envelope), so fragments of
 * different tries add up in the receiver's reassembly, and a later seq has
 * a later id, which frag's eviction relies on. Unreliable messages and pure
 * acks, never sent again, take odd ids id_base + 2k + 1, k counting.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto.h"

/*
 * LNSH_TEST_KEY_LIFETIME_SEC=N, for tests (docs/security.md, "Faults"): a
 * key pair is refused after N s instead of 180, rekeyed after 2N/3 instead
 * of 120, and a silent peer forgotten after 5N instead of 15 minutes (the
 * defaults' proportions), so that a test can stop a client past its keys'
 * life in seconds instead of the minutes a laptop sleeps. It can only
 * shorten, never below LN_TEST_KEY_LIFETIME_MIN_SEC (which bounds the
 * handshakes it causes), and it replaces only defaults: a configuration
 * that sets its own lifetimes keeps them. 0 and the lifetime, or -1.
 */
static int
chan_test_lifetime(uint64_t *ns)
{
	*ns = ln_test_env_ns("LNSH_TEST_KEY_LIFETIME_SEC", LN_NS_PER_SEC,
	    LN_TEST_KEY_LIFETIME_MIN_SEC,
	    LN_REJECT_AFTER_NS / LN_NS_PER_SEC - 1);
	return (*ns != 0 ? 0 : -1);
}

/* Copies a configuration, putting the protocol default in every zero. */
void
chan_config_fill(struct chan_config *out, const struct chan_config *in)
{
	uint64_t	life;

	memset(out, 0, sizeof *out);
	if (in != NULL)
		*out = *in;
	if (chan_test_lifetime(&life) == 0) {
		if (out->rekey_after_ns == 0)
			out->rekey_after_ns = life / 3 * 2;
		if (out->reject_after_ns == 0)
			out->reject_after_ns = life;
		if (out->peer_idle_ns == 0)
			out->peer_idle_ns = 5 * life;
	}
	if (out->rekey_after_ns == 0)
		out->rekey_after_ns = LN_REKEY_AFTER_NS;
	if (out->reject_after_ns == 0)
		out->reject_after_ns = LN_REJECT_AFTER_NS;
	if (out->peer_idle_ns == 0)
		out->peer_idle_ns = LN_PEER_IDLE_NS;
	if (out->init_global_per_sec == 0)
		out->init_global_per_sec = LN_INIT_GLOBAL_PER_SEC;
	if (out->init_per_key_per_sec == 0)
		out->init_per_key_per_sec = LN_INIT_PER_KEY_PER_SEC;
	if (out->init_load_per_sec == 0)
		out->init_load_per_sec = LN_INIT_LOAD_PER_SEC;
}

/*
 * Reads a datagram's common header and applies the endpoint's state table:
 * a version we know (1, or 2 for the cookie extension; each packet's own
 * reader checks that its type may have it), reserved zero, then a type
 * the endpoint never accepts is TYPE, one it does not accept in its
 * current state is STATE. On success *type is the packet type.
 */
int
chan_classify(const uint8_t *pkt, size_t len, const struct chan_rule *rules,
    size_t nrules, unsigned state, uint8_t *type)
{
	struct buf	b;
	uint8_t		t, version;
	uint16_t	reserved;
	size_t		i;

	buf_reader(&b, pkt, len);
	if (buf_get_u8(&b, &t) != 0 || buf_get_u8(&b, &version) != 0 ||
	    buf_get_u16le(&b, &reserved) != 0)
		return (LN_E_DROP(LN_DROP_SHORT));
	if (version != LN_PROTO_VERSION && version != LN_PROTO_VERSION_COOKIE)
		return (LN_E_DROP(LN_DROP_VERSION));
	if (reserved != 0)
		return (LN_E_DROP(LN_DROP_RESERVED));
	for (i = 0; i < nrules; i++) {
		if (rules[i].type != t)
			continue;
		if ((rules[i].states & state) == 0)
			return (LN_E_DROP(LN_DROP_STATE));
		*type = t;
		return (0);
	}
	return (LN_E_DROP(LN_DROP_TYPE));
}

/* Draws the link's fragment ids afresh: a random even base. */
static void
chan_link_ids(struct chan_link *l)
{
	randombytes_buf(&l->id_base, sizeof l->id_base);
	l->id_base &= ~(uint64_t)1;
	l->next_unrel = 0;
}

/* Sets up a link; emit puts one datagram on the wire. */
void
chan_link_init(struct chan_link *l, struct ln_counters *counters,
    uint64_t reject_after_ns, void (*emit)(void *, const uint8_t *, size_t),
    void *emit_arg)
{
	memset(l, 0, sizeof *l);
	rel_init(&l->rel, counters);
	frag_init(&l->frag, counters);
	chan_link_ids(l);
	l->reject_after_ns = reject_after_ns;
	l->counters = counters;
	l->emit = emit;
	l->emit_arg = emit_arg;
}

/* Forgets every message in flight both ways: the peer lost our state. */
void
chan_link_restart(struct chan_link *l)
{
	rel_reset(&l->rel);
	frag_free(&l->frag);
	frag_init(&l->frag, l->counters);
	chan_link_ids(l);
}

/* Releases what a link holds. */
void
chan_link_free(struct chan_link *l)
{
	rel_free(&l->rel);
	frag_free(&l->frag);
}

/* May we still send under this key pair? */
int
chan_kp_usable(const struct keypair *kp, uint64_t now,
    uint64_t reject_after_ns)
{
	if (kp == NULL)
		return (0);
	if (now < kp->created_ns || now - kp->created_ns >= reject_after_ns)
		return (0);
	return (kp->send_counter < LN_REJECT_AFTER_MSGS);
}

/* Seals one frame under kp and puts it on the wire. */
static int
chan_link_emit_frame(struct chan_link *l, struct keypair *kp,
    const uint8_t *frame, size_t len, uint64_t now)
{
	uint8_t	pkt[LN_MAX_DATAGRAM];
	size_t	n;
	int	r;

	r = transport_seal(kp, frame, len, now, l->reject_after_ns, pkt,
	    sizeof pkt, &n);
	if (r != 0)
		return (r);
	l->emit(l->emit_arg, pkt, n);
	l->counters->tx_packets++;
	l->counters->tx_bytes += n;
	l->last_sent_ns = now;
	return (0);
}

/*
 * Splits an envelope into fragments and sends them: reliable seq under its
 * own id, seq 0 (unreliable, pure ack) under a fresh one.
 */
static int
chan_link_emit_message(struct chan_link *l, struct keypair *kp,
    const uint8_t *env, size_t len, uint64_t seq, uint64_t now)
{
	uint8_t		frame[LN_MAX_PLAINTEXT];
	uint64_t	id;
	size_t		count, i, n;
	int		r;

	if (seq != 0)
		id = l->id_base + 2 * seq;
	else
		id = l->id_base + 2 * l->next_unrel++ + 1;
	count = frag_count(len);
	for (i = 0; i < count; i++) {
		r = frag_build(id, env, len, (unsigned)i, frame, sizeof frame,
		    &n);
		if (r != 0)
			return (r);
		if ((r = chan_link_emit_frame(l, kp, frame, n, now)) != 0)
			return (r);
	}
	return (0);
}

/*
 * Sends everything rel wants on the wire now: new messages, retransmissions
 * and acks. The caller has checked that kp is usable.
 */
int
chan_link_flush(struct chan_link *l, struct keypair *kp, uint64_t now)
{
	uint8_t		*env;
	size_t		 len;
	uint64_t	 seq;
	int		 r;

	for (;;) {
		if (rel_next(&l->rel, now, &env, &len, &seq) != 1)
			break;
		r = chan_link_emit_message(l, kp, env, len, seq, now);
		free(env);
		if (r != 0)
			return (r);
	}
	return (0);
}

/*
 * Hands a message from the layer above to the link. A reliable one is
 * queued and goes out now if kp is usable, later otherwise; an unreliable
 * one goes out now or never (LN_E_STATE without a usable key pair).
 */
int
chan_link_send(struct chan_link *l, struct keypair *kp, const uint8_t *msg,
    size_t len, int flags, uint64_t now)
{
	uint8_t	*env = NULL;
	size_t	 envlen;
	int	 usable, r;

	if ((msg == NULL && len != 0) || len > LN_REL_MAX_BODY)
		return (LN_E_INVAL);
	usable = chan_kp_usable(kp, now, l->reject_after_ns);
	if (flags & CHAN_RELIABLE) {
		if ((r = rel_queue(&l->rel, msg, len)) != 0)
			return (r);
		l->counters->messages_out++;
		/* Queued: a failure to send now is retransmission's job. */
		if (usable)
			(void)chan_link_flush(l, kp, now);
		return (0);
	}
	if (!usable)
		return (LN_E_STATE);
	if ((r = rel_wrap(&l->rel, now, msg, len, &env, &envlen)) != 0)
		return (r);
	r = chan_link_emit_message(l, kp, env, envlen, 0, now);
	free(env);
	if (r == 0)
		l->counters->messages_out++;
	return (r);
}

/* Sends one keepalive frame under kp. */
int
chan_link_keepalive(struct chan_link *l, struct keypair *kp, uint64_t now)
{
	const uint8_t	frame[1] = { LN_FRAME_KEEPALIVE };

	if (!chan_kp_usable(kp, now, l->reject_after_ns))
		return (LN_E_STATE);
	return (chan_link_emit_frame(l, kp, frame, sizeof frame, now));
}

/*
 * Takes one authenticated transport plaintext: a keepalive (exactly its
 * kind byte) or a fragment, which may complete a message for rel, which may
 * deliver messages through fn.
 */
int
chan_link_input(struct chan_link *l, const uint8_t *plain, size_t len,
    uint64_t now, rel_deliver_fn fn, void *arg)
{
	struct buf	 b;
	uint8_t		 kind, *msg = NULL;
	size_t		 msglen = 0;
	int		 r;

	buf_reader(&b, plain, len);
	if (buf_get_u8(&b, &kind) != 0)
		return (LN_E_DROP(LN_DROP_FRAME));
	switch (kind) {
	case LN_FRAME_KEEPALIVE:
		if (buf_left(&b) != 0)
			return (LN_E_DROP(LN_DROP_FRAME));
		return (0);
	case LN_FRAME_FRAGMENT:
		r = frag_input(&l->frag, plain, len, now, &msg, &msglen);
		/* A resent fragment of what we have: our ack was lost. */
		if (r == LN_E_DROP(LN_DROP_FRAG_OVERLAP))
			rel_ack_soon(&l->rel, now);
		if (r != 0 || msg == NULL)
			return (r);
		r = rel_input(&l->rel, msg, msglen, now, fn, arg);
		free(msg);
		return (r);
	}
	return (LN_E_DROP(LN_DROP_FRAME));
}

/*
 * The earliest time the link needs a tick: fragment expiry always, rel's
 * timers only when they can act (a usable key pair).
 */
uint64_t
chan_link_deadline(const struct chan_link *l, int usable)
{
	uint64_t	d, r;

	d = frag_deadline(&l->frag);
	if (usable) {
		r = rel_deadline(&l->rel);
		if (r < d)
			d = r;
	}
	return (d);
}
