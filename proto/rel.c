/*
 * rel.c: reliable, ordered, exactly-once messages over the lossy channel.
 *
 * Every message the channel carries (after reassembly) is one protobuf
 * Envelope (proto/lnsh.proto):
 *
 *	field name type   meaning
 *	1     seq  uint64 reliable sequence number, from 1 per direction;
 *	                  0 marks an unreliable message
 *	2     ack  uint64 cumulative: the sender has delivered every
 *	                  reliable seq <= ack it received
 *	3     body bytes  the upper layer's message (at most
 *	                  LN_REL_MAX_BODY bytes)
 *
 * Sender: rel_queue copies a message and gives it the next seq; at most
 * LN_REL_WINDOW may be unacknowledged (LN_E_FULL beyond). rel_next hands
 * out, one per call, every first transmission and every retransmission
 * whose timer ran out, oldest seq first, then a pure ack (seq 0, empty
 * body) if one is due. Each envelope carries ack = delivered, which
 * satisfies any due ack. Each message has its own timer of one RTO from
 * its last transmission. RTO follows RFC 6298: srtt, rttvar,
 * rto = srtt + 4 * rttvar within [LN_REL_RTO_MIN_NS, LN_REL_RTO_MAX_NS],
 * LN_REL_RTO_INIT_NS before the first sample. When the oldest message's
 * timer runs out the RTO doubles (exponential backoff, RFC 6298 5.5) until
 * a fresh sample resets it. Samples are taken per Karn only from acks that
 * cover no retransmitted message.
 *
 * Receiver (rel_input): seq 0 with a body is delivered at once as
 * unreliable; seq 0 with an empty body is a pure ack. A reliable seq is
 * delivered in order, exactly once: seq <= delivered is a duplicate
 * (REL_DUPLICATE, and an ack goes at once since the peer evidently missed
 * ours); seq > delivered + LN_REL_WINDOW cannot be held (REL_WINDOW);
 * otherwise it is held until every seq before it was delivered. A new
 * reliable arrival schedules an ack LN_REL_ACK_DELAY_NS later, or at once
 * when it is the second since the last ack went out.
 *
 * Drops come back as LN_E_DROP(reason) for the caller to count; only
 * retransmissions are counted here (counters->retransmits).
 */
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "lnsh.pb-c.h"

/* A message we sent and the peer has not acknowledged yet. */
struct rel_msg {
	uint8_t		*body;
	size_t		 len;
	unsigned	 tx;		/* transmissions; 0: not yet */
	uint64_t	 sent_ns;	/* last transmission */
	uint64_t	 due_ns;	/* retransmit at */
};

/* Sent messages, indexed by seq modulo the window. */
struct rel_out {
	struct rel_msg	 m[LN_REL_WINDOW];
};

/* A message that arrived ahead of a gap. */
struct rel_held {
	uint8_t		*body;
	size_t		 len;
	int		 present;
};

/* Held arrivals, indexed by seq modulo the window. */
struct rel_in {
	struct rel_held	 m[LN_REL_WINDOW];
	unsigned	 arrivals;	/* reliable ones since our ack */
};

/* Starts both directions afresh. */
void
rel_init(struct rel *r, struct ln_counters *counters)
{
	memset(r, 0, sizeof *r);
	r->counters = counters;
	r->out = xcalloc(1, sizeof *r->out);
	r->in = xcalloc(1, sizeof *r->in);
	r->next_seq = 1;
	r->rto_ns = LN_REL_RTO_INIT_NS;
}

/* Frees every queued and held message, leaving the slots empty. */
static void
rel_clear(struct rel *r)
{
	size_t	 i;

	for (i = 0; i < LN_REL_WINDOW; i++) {
		free(r->out->m[i].body);
		free(r->in->m[i].body);
	}
	memset(r->out, 0, sizeof *r->out);
	memset(r->in, 0, sizeof *r->in);
}

/*
 * The peer lost our state (it restarted, or did not resume us): forget
 * everything in both directions and count from seq 1 again.
 */
void
rel_reset(struct rel *r)
{
	struct ln_counters	*counters = r->counters;
	struct rel_out		*out = r->out;
	struct rel_in		*in = r->in;

	rel_clear(r);
	memset(r, 0, sizeof *r);
	r->counters = counters;
	r->out = out;
	r->in = in;
	r->next_seq = 1;
	r->rto_ns = LN_REL_RTO_INIT_NS;
}

/* Frees everything rel holds. */
void
rel_free(struct rel *r)
{
	if (r->out != NULL && r->in != NULL)
		rel_clear(r);
	free(r->out);
	free(r->in);
	r->out = NULL;
	r->in = NULL;
}

/* Messages sent or queued that the peer has not acknowledged. */
size_t
rel_unacked(const struct rel *r)
{
	return ((size_t)(r->next_seq - 1 - r->peer_acked));
}

/* Copies a reliable message in and gives it the next seq. */
int
rel_queue(struct rel *r, const uint8_t *body, size_t len)
{
	struct rel_msg	*m;

	if ((body == NULL && len != 0) || len > LN_REL_MAX_BODY)
		return (LN_E_INVAL);
	if (rel_unacked(r) >= LN_REL_WINDOW)
		return (LN_E_FULL);
	m = &r->out->m[r->next_seq % LN_REL_WINDOW];
	m->body = xmemdup(body, len);
	m->len = len;
	m->tx = 0;
	r->next_seq++;
	return (0);
}

/* Encodes an Envelope into fresh memory; it acks all we delivered. */
static void
rel_encode(struct rel *r, uint64_t seq, const uint8_t *body, size_t len,
    uint8_t **env, size_t *envlen)
{
	Lnsh__Envelope	 e = LNSH__ENVELOPE__INIT;
	uint8_t		*p;
	size_t		 n;

	e.seq = seq;
	e.ack = r->delivered;
	e.body.data = (uint8_t *)(uintptr_t)body;
	e.body.len = len;
	n = lnsh__envelope__get_packed_size(&e);
	p = xmalloc(n);
	lnsh__envelope__pack(&e, p);
	*env = p;
	*envlen = n;

	/* Whatever goes out carries the ack. */
	r->ack_due = 0;
	r->ack_due_ns = 0;
	r->in->arrivals = 0;
}

/*
 * Returns 1 with an encoded Envelope (fresh memory, the caller frees it)
 * when something must go now, 0 when nothing must; call until 0.
 */
int
rel_next(struct rel *r, uint64_t now, uint8_t **env, size_t *envlen)
{
	struct rel_msg	*m;
	uint64_t	 seq;

	for (seq = r->peer_acked + 1; seq < r->next_seq; seq++) {
		m = &r->out->m[seq % LN_REL_WINDOW];
		if (m->tx != 0 && m->due_ns > now)
			continue;
		if (m->tx != 0) {
			if (r->counters != NULL)
				r->counters->retransmits++;
			/* The oldest message timed out: back off. */
			if (seq == r->peer_acked + 1) {
				r->rto_ns *= 2;
				if (r->rto_ns > LN_REL_RTO_MAX_NS)
					r->rto_ns = LN_REL_RTO_MAX_NS;
			}
		}
		m->tx++;
		m->sent_ns = now;
		m->due_ns = now + r->rto_ns;
		rel_encode(r, seq, m->body, m->len, env, envlen);
		return (1);
	}
	if (r->ack_due && r->ack_due_ns <= now) {
		rel_encode(r, 0, NULL, 0, env, envlen);
		return (1);
	}
	return (0);
}

/* Wraps an unreliable message (seq 0) with the current ack. */
int
rel_wrap(struct rel *r, const uint8_t *body, size_t len, uint8_t **env,
    size_t *envlen)
{
	if ((body == NULL && len != 0) || len > LN_REL_MAX_BODY)
		return (LN_E_INVAL);
	rel_encode(r, 0, body, len, env, envlen);
	return (0);
}

/* The next time rel_next has something to send; UINT64_MAX if never. */
uint64_t
rel_deadline(const struct rel *r)
{
	const struct rel_msg	*m;
	uint64_t		 seq, when = UINT64_MAX;

	for (seq = r->peer_acked + 1; seq < r->next_seq; seq++) {
		m = &r->out->m[seq % LN_REL_WINDOW];
		if (m->tx == 0)
			return (0);
		if (m->due_ns < when)
			when = m->due_ns;
	}
	if (r->ack_due && r->ack_due_ns < when)
		when = r->ack_due_ns;
	return (when);
}

/* Takes one RTT sample into srtt, rttvar and rto (RFC 6298 2.2, 2.3). */
static void
rel_rtt(struct rel *r, uint64_t sample)
{
	uint64_t	delta, rto;

	if (r->srtt_ns == 0 && r->rttvar_ns == 0) {
		r->srtt_ns = sample;
		r->rttvar_ns = sample / 2;
	} else {
		delta = r->srtt_ns > sample ? r->srtt_ns - sample :
		    sample - r->srtt_ns;
		r->rttvar_ns = (3 * r->rttvar_ns + delta) / 4;
		r->srtt_ns = (7 * r->srtt_ns + sample) / 8;
	}
	rto = r->srtt_ns + 4 * r->rttvar_ns;
	if (rto < LN_REL_RTO_MIN_NS)
		rto = LN_REL_RTO_MIN_NS;
	if (rto > LN_REL_RTO_MAX_NS)
		rto = LN_REL_RTO_MAX_NS;
	r->rto_ns = rto;
}

/*
 * Frees what a cumulative ack covers and samples the RTT from it. An ack of
 * something never sent (a peer confused by a reset) is ignored.
 */
static void
rel_ack(struct rel *r, uint64_t ack, uint64_t now)
{
	struct rel_msg	*m;
	uint64_t	 seq, sent_ns = 0;
	int		 clean = 1;

	if (ack <= r->peer_acked || ack >= r->next_seq)
		return;
	for (seq = r->peer_acked + 1; seq <= ack; seq++) {
		m = &r->out->m[seq % LN_REL_WINDOW];
		if (m->tx != 1)
			clean = 0;	/* Karn: which copy was acked? */
		sent_ns = m->sent_ns;
		free(m->body);
		memset(m, 0, sizeof *m);
	}
	r->peer_acked = ack;
	if (clean && now >= sent_ns)
		rel_rtt(r, now - sent_ns);
}

/* Schedules an ack: at once, or after the delay unless one is due. */
static void
rel_want_ack(struct rel *r, uint64_t now, int at_once)
{
	uint64_t	when = at_once ? now : now + LN_REL_ACK_DELAY_NS;

	if (!r->ack_due || when < r->ack_due_ns)
		r->ack_due_ns = when;
	r->ack_due = 1;
}

/*
 * Takes one received Envelope: processes its ack, then delivers what it
 * carries, and any held messages it unblocks, through deliver (which must
 * not reset or free r). Returns 0 or a drop.
 */
int
rel_input(struct rel *r, const uint8_t *env, size_t len, uint64_t now,
    rel_deliver_fn deliver, void *ctx)
{
	Lnsh__Envelope	*e;
	struct rel_held	*h;
	uint8_t		*body;
	size_t		 bodylen;
	uint64_t	 seq;
	int		 error = 0;

	if ((e = lnsh__envelope__unpack(NULL, len, env)) == NULL)
		return (LN_E_DROP(LN_DROP_MESSAGE));
	rel_ack(r, e->ack, now);

	seq = e->seq;
	if (seq == 0) {
		if (e->body.len != 0)
			deliver(ctx, e->body.data, e->body.len, 0);
		goto out;
	}
	if (seq <= r->delivered ||
	    (seq - r->delivered <= LN_REL_WINDOW &&
	    r->in->m[seq % LN_REL_WINDOW].present)) {
		rel_want_ack(r, now, 1);
		error = LN_E_DROP(LN_DROP_REL_DUPLICATE);
		goto out;
	}
	if (seq - r->delivered > LN_REL_WINDOW) {
		error = LN_E_DROP(LN_DROP_REL_WINDOW);
		goto out;
	}

	r->in->arrivals++;
	rel_want_ack(r, now, r->in->arrivals >= 2);
	if (seq != r->delivered + 1) {
		h = &r->in->m[seq % LN_REL_WINDOW];
		h->body = xmemdup(e->body.data, e->body.len);
		h->len = e->body.len;
		h->present = 1;
		goto out;
	}

	/* In order: deliver it, then whatever it unblocks. */
	r->delivered = seq;
	deliver(ctx, e->body.data, e->body.len, 1);
	for (;;) {
		h = &r->in->m[(r->delivered + 1) % LN_REL_WINDOW];
		if (!h->present)
			break;
		body = h->body;
		bodylen = h->len;
		memset(h, 0, sizeof *h);
		r->delivered++;
		deliver(ctx, body, bodylen, 1);
		free(body);
	}
out:
	lnsh__envelope__free_unpacked(e, NULL);
	return (error);
}
