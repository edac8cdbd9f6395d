/*
 * rel.c: reliable, ordered, exactly-once messages over the lossy channel.
 *
 * Every message the channel carries (after reassembly) is one protobuf
 * Envelope (proto/lnsh.proto):
 *
 *	field name       type   meaning
 *	1     seq        uint64 reliable sequence number, from 1 per
 *	                        direction; 0 marks an unreliable message
 *	2     ack        uint64 cumulative: the sender has delivered every
 *	                        reliable seq <= ack it received
 *	3     body       bytes  the upper layer's message (at most
 *	                        LN_REL_MAX_BODY bytes)
 *	4     sack       uint64 selective: bit i set, the sender holds seq
 *	                        ack + 2 + i (i < LN_REL_SACK_BITS)
 *	5     ts         uint32 the sender's clock at encoding, ms mod 2^32,
 *	                        never 0
 *	6     echo       uint32 the last ts received from the peer; 0: none
 *	7     echo_delay uint32 ms the sender held that ts before encoding
 *
 * Sender: rel_queue copies a message and gives it the next seq; at most
 * LN_REL_WINDOW may be unacknowledged (LN_E_FULL beyond). rel_next hands
 * out, one per call, oldest seq first, every message that is due: never
 * sent, or found lost. A message is encoded once, at its first
 * transmission, and every retransmission is that same Envelope, byte for
 * byte (with its ack, sack and ts of then: acks only ever grow, so a stale
 * one is harmless), so the channel can send it under the same fragment id
 * and the receiver's reassembly adds fragments up across tries. After the
 * messages comes a pure ack (seq 0, empty body) if one is due; a freshly
 * encoded Envelope satisfies any due ack, a retransmission does not.
 *
 * Acks: an Envelope's ack frees every seq <= ack; its sack marks later
 * seqs held, which are never sent again. A message is lost when the RTO
 * since its last transmission runs out, or when a message transmitted
 * LN_REL_DUPTHRESH transmissions and at least srtt after it has been acked
 * (RFC 6675 and RACK, RFC 8985, in transmission order, so a lost
 * retransmission is found as well; a whole srtt of reordering window,
 * because a path that reorders by more than that is rarer than one that
 * reorders at all, and the RTO remains for the rest).
 *
 * RTT: every Envelope carries its ts and echoes the last one received from
 * the peer (the last to arrive, not the newest: that would favour whatever
 * overtook the rest) with how long it was held, so any arrival gives a
 * sample, lost or not, of clock - echo - echo_delay. Karn's ambiguity moves
 * to the timestamps: an echo is sampled only if it is newer than every ts
 * we sent again (stale_ts), once, and only from a fresh Envelope of the
 * peer's (its newest ts: a retransmitted one carries an old echo and
 * delay). srtt and rttvar follow RFC 6298; rto = srtt + 4 * rttvar +
 * LN_REL_ACK_DELAY_NS (the samples leave out the peer's ack delay, the
 * timer must not) within [LN_REL_RTO_MIN_NS, LN_REL_RTO_MAX_NS], and
 * LN_REL_RTO_INIT_NS before the first sample. Each RTO expiry doubles the
 * RTO (5.5); any ack of something new or sample puts it back.
 *
 * Pacing (RFC 5681 Reno, counted in fragments, not bytes): messages in
 * flight (sent, not acked, not lost) may take up cwnd fragments; one
 * message may always go when nothing is in flight; no seq goes beyond
 * peer_acked + 1 + LN_REL_SACK_BITS, the farthest a selective ack reaches.
 * cwnd starts at LN_REL_CWND_INIT, grows by what is acked in slow start and
 * by one per cwnd acked above ssthresh. A loss, found by acks or by an RTO
 * expiry, halves it (ssthresh = flight / 2, at least LN_REL_CWND_MIN) once
 * per window (until `recover` is acked). An RTO expiry makes only the
 * messages whose own timer ran out lost, so retransmissions go oldest
 * first, as many as the window holds, clocked out by the acks that come
 * back, never as one burst of the whole window.
 *
 * Receiver (rel_input): seq 0 with a body is delivered at once as
 * unreliable; seq 0 with an empty body is a pure ack. A reliable seq is
 * delivered in order, exactly once: seq <= delivered is a duplicate
 * (REL_DUPLICATE, and an ack goes at once since the peer evidently missed
 * ours); seq > delivered + LN_REL_WINDOW cannot be held (REL_WINDOW);
 * otherwise it is held until every seq before it was delivered. A new
 * reliable arrival schedules an ack LN_REL_ACK_DELAY_NS later, or at once
 * when it is the second since the last ack went out, or out of order, or
 * fills a gap (the sender's loss detection waits on those).
 *
 * Drops come back as LN_E_DROP(reason) for the caller to count; only
 * retransmissions are counted here (counters->retransmits).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "lnsh.pb-c.h"

/* Echoes claiming an RTT longer than this are nonsense (a wrapped clock). */
#define REL_RTT_SANE_MS	60000U

/* A message we sent and the peer has not acknowledged yet. */
struct rel_msg {
	uint8_t		*body;		/* until first sent */
	size_t		 len;
	uint8_t		*env;		/* encoded at first sending, kept */
	size_t		 envlen;
	unsigned	 cost;		/* fragments env travels in */
	uint32_t	 ts;		/* the ts inside env */
	unsigned	 tx;		/* transmissions; 0: not yet */
	int		 sacked;	/* the peer holds it */
	int		 lost;		/* must go again */
	uint64_t	 xmit;		/* r->xmit at its last transmission */
	uint64_t	 sent_ns;	/* last transmission */
	uint64_t	 due_ns;	/* lost if not acked by then */
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
	size_t		 held_bytes;	/* bodies in m, <= LN_REL_HELD_MAX */
};

/* Sets the sender's clocks and window to their starting values. */
static void
rel_start(struct rel *r)
{
	r->next_seq = 1;
	r->rto_ns = LN_REL_RTO_INIT_NS;
	r->cwnd = LN_REL_CWND_INIT;
	r->ssthresh = LN_REL_CWND_MAX;
}

/* Starts both directions afresh. */
void
rel_init(struct rel *r, struct ln_counters *counters)
{
	memset(r, 0, sizeof *r);
	r->counters = counters;
	r->out = xcalloc(1, sizeof *r->out);
	r->in = xcalloc(1, sizeof *r->in);
	rel_start(r);
}

/* Frees every queued and held message, leaving the slots empty. */
static void
rel_clear(struct rel *r)
{
	size_t	 i;

	for (i = 0; i < LN_REL_WINDOW; i++) {
		free(r->out->m[i].body);
		free(r->out->m[i].env);
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
	rel_start(r);
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

/* Bytes of the messages sent or queued that the peer has not acknowledged. */
size_t
rel_unacked_bytes(const struct rel *r)
{
	return (r->out_bytes);
}

/* Fragments an Envelope of len bytes travels in (as frag_count). */
static unsigned
rel_frags(size_t len)
{
	if (len == 0)
		return (1);
	return ((unsigned)((len + LN_FRAG_DATA_MAX - 1) / LN_FRAG_DATA_MAX));
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
	memset(m, 0, sizeof *m);
	m->body = xmemdup(body, len);
	m->len = len;
	r->out_bytes += len;
	/* The most its Envelope can take, until it is encoded. */
	m->cost = rel_frags(len + LN_ENVELOPE_OVERHEAD);
	r->next_seq++;
	return (0);
}

/* Our clock as an Envelope timestamp: ms modulo 2^32, never 0. */
static uint32_t
rel_ms(uint64_t now)
{
	uint32_t	ms = (uint32_t)(now / LN_NS_PER_MS);

	return (ms == 0 ? 1 : ms);
}

/* Is timestamp a later than b (serial arithmetic, RFC 1982)? */
static int
rel_ts_after(uint32_t a, uint32_t b)
{
	return ((int32_t)(a - b) > 0);
}

/* The selective ack: which of seqs delivered + 2 .. + 65 we hold. */
static uint64_t
rel_sack(const struct rel *r)
{
	uint64_t	bits = 0, seq;
	unsigned	i;

	for (i = 0; i < LN_REL_SACK_BITS; i++) {
		seq = r->delivered + 2 + i;
		if (seq - r->delivered > LN_REL_WINDOW)
			break;
		if (r->in->m[seq % LN_REL_WINDOW].present)
			bits |= 1ULL << i;
	}
	return (bits);
}

/*
 * Encodes an Envelope into fresh memory, stamped with our clock: it acks
 * all we delivered and hold, and echoes the peer's newest timestamp.
 */
static void
rel_encode(struct rel *r, uint64_t now, uint64_t seq, const uint8_t *body,
    size_t len, uint8_t **env, size_t *envlen, uint32_t *ts)
{
	Lnsh__Envelope	 e = LNSH__ENVELOPE__INIT;
	uint8_t		*p;
	uint64_t	 held;
	size_t		 n;

	e.seq = seq;
	if (!r->mute_acks) {
		e.ack = r->delivered;
		e.sack = rel_sack(r);
	}
	e.body.data = (uint8_t *)(uintptr_t)body;
	e.body.len = len;
	e.ts = rel_ms(now);
	if (r->peer_ts != 0) {
		e.echo = r->peer_ts;
		held = now > r->peer_ts_ns ? (now - r->peer_ts_ns) / LN_NS_PER_MS : 0;
		e.echo_delay = held > UINT32_MAX ? UINT32_MAX : (uint32_t)held;
	}
	n = lnsh__envelope__get_packed_size(&e);
	p = xmalloc(n);
	lnsh__envelope__pack(&e, p);
	*env = p;
	*envlen = n;
	if (ts != NULL)
		*ts = e.ts;

	/* Whatever is freshly encoded carries the ack. */
	r->ack_due = 0;
	r->ack_due_ns = 0;
	r->in->arrivals = 0;
}

/*
 * Fragments of ours in flight: sent, neither acked nor found lost.
 *
 * rel_pick sends a message the first time only when every older one has
 * gone at least once, so the sent messages are a prefix of those unacked:
 * this loop and the others over the window stop at the first never sent,
 * and skip what is only queued (up to LN_REL_WINDOW under a burst, where
 * the sent are at most LN_REL_SACK_BITS + 1). They run per packet.
 */
static unsigned
rel_flight(const struct rel *r)
{
	const struct rel_msg	*m;
	uint64_t		 seq;
	unsigned		 n = 0;

	for (seq = r->peer_acked + 1; seq < r->next_seq; seq++) {
		m = &r->out->m[seq % LN_REL_WINDOW];
		if (m->tx == 0)
			break;
		if (!m->sacked && !m->lost)
			n += m->cost;
	}
	return (n);
}

/*
 * The RTO our samples give, without backoff (RFC 6298 2.1 - 2.4). The
 * samples leave out how long the peer held its ack; the timer must not.
 */
static uint64_t
rel_rto_base(const struct rel *r)
{
	uint64_t	rto;

	if (!r->have_rtt)
		return (LN_REL_RTO_INIT_NS);
	rto = r->srtt_ns + 4 * r->rttvar_ns + LN_REL_ACK_DELAY_NS;
	if (rto < LN_REL_RTO_MIN_NS)
		rto = LN_REL_RTO_MIN_NS;
	if (rto > LN_REL_RTO_MAX_NS)
		rto = LN_REL_RTO_MAX_NS;
	return (rto);
}

/*
 * A loss, once per window: half what was in flight goes on, but never less
 * than LN_REL_CWND_MIN (loss here is as often noise as congestion, and a
 * window of one message turns every loss into a timeout).
 */
static void
rel_halve(struct rel *r, unsigned flight)
{
	if (r->peer_acked < r->recover)
		return;
	r->ssthresh = flight / 2;
	if (r->ssthresh < LN_REL_CWND_MIN)
		r->ssthresh = LN_REL_CWND_MIN;
	r->cwnd = r->ssthresh;
	r->cwnd_acc = 0;
	r->recover = r->next_seq - 1;
}

/*
 * When a message in flight has waited an RTO for its ack, everything in
 * flight is taken for lost (RFC 6675 5.1), the RTO backs off (RFC 6298
 * 5.5) and the window halves: the lost go again oldest first, as many as
 * the window holds, and the acks that come back clock out the rest.
 */
static void
rel_timeout(struct rel *r, uint64_t now)
{
	struct rel_msg	*m;
	uint64_t	 seq;
	int		 expired = 0;

	for (seq = r->peer_acked + 1; seq < r->next_seq; seq++) {
		m = &r->out->m[seq % LN_REL_WINDOW];
		if (m->tx == 0)
			break;
		if (!m->sacked && !m->lost && m->due_ns <= now) {
			expired = 1;
			break;
		}
	}
	if (!expired)
		return;
	rel_halve(r, rel_flight(r));
	r->rto_ns *= 2;
	if (r->rto_ns > LN_REL_RTO_MAX_NS)
		r->rto_ns = LN_REL_RTO_MAX_NS;
	for (seq = r->peer_acked + 1; seq < r->next_seq; seq++) {
		m = &r->out->m[seq % LN_REL_WINDOW];
		if (m->tx == 0)
			break;
		if (!m->sacked && m->due_ns <= now)
			m->lost = 1;
	}
}

/*
 * The oldest message that must go (never sent, or lost), if the window
 * lets it go now; 0 if none may. Only seqs a selective ack can reach are
 * sent: beyond them one loss would leave every later message unacked
 * until its RTO, and resent for nothing.
 */
static uint64_t
rel_pick(const struct rel *r)
{
	const struct rel_msg	*m;
	uint64_t		 seq;
	unsigned		 flight;

	for (seq = r->peer_acked + 1; seq < r->next_seq; seq++) {
		m = &r->out->m[seq % LN_REL_WINDOW];
		if (m->tx != 0 && !m->lost)
			continue;
		/* Past what a selective ack reaches, it could only time out. */
		if (seq > r->peer_acked + 1 + LN_REL_SACK_BITS)
			return (0);
		flight = rel_flight(r);
		if (flight == 0 || flight + m->cost <= r->cwnd)
			return (seq);
		return (0);
	}
	return (0);
}

/* Puts message seq on its way: encodes it the first time, keeps it. */
static void
rel_transmit(struct rel *r, uint64_t seq, uint64_t now)
{
	struct rel_msg	*m = &r->out->m[seq % LN_REL_WINDOW];

	if (m->tx == 0) {
		rel_encode(r, now, seq, m->body, m->len, &m->env, &m->envlen,
		    &m->ts);
		free(m->body);
		m->body = NULL;
		m->cost = rel_frags(m->envlen);
	} else {
		if (r->counters != NULL)
			r->counters->retransmits++;
		/* Echoes of this ts are ambiguous from now on (Karn). */
		if (r->stale_ts == 0 || rel_ts_after(m->ts, r->stale_ts))
			r->stale_ts = m->ts;
	}
	m->tx++;
	m->lost = 0;
	m->xmit = ++r->xmit;
	m->sent_ns = now;
	m->due_ns = now + r->rto_ns;
}

/*
 * Returns 1 with an encoded Envelope (fresh memory, the caller frees it)
 * and its seq (0: a pure ack) when something must go now, 0 when nothing
 * must; call until 0.
 */
int
rel_next(struct rel *r, uint64_t now, uint8_t **env, size_t *envlen,
    uint64_t *seqp)
{
	struct rel_msg	*m;
	uint64_t	 seq;

	rel_timeout(r, now);
	if ((seq = rel_pick(r)) != 0) {
		rel_transmit(r, seq, now);
		m = &r->out->m[seq % LN_REL_WINDOW];
		*env = xmemdup(m->env, m->envlen);
		*envlen = m->envlen;
		if (seqp != NULL)
			*seqp = seq;
		return (1);
	}
	if (r->ack_due && r->ack_due_ns <= now) {
		rel_encode(r, now, 0, NULL, 0, env, envlen, NULL);
		if (seqp != NULL)
			*seqp = 0;
		return (1);
	}
	return (0);
}

/* Wraps an unreliable message (seq 0) with the current ack. */
int
rel_wrap(struct rel *r, uint64_t now, const uint8_t *body, size_t len,
    uint8_t **env, size_t *envlen)
{
	/* An empty unreliable message would read as a pure ack: refuse it. */
	if (body == NULL || len == 0 || len > LN_REL_MAX_BODY)
		return (LN_E_INVAL);
	rel_encode(r, now, 0, body, len, env, envlen, NULL);
	return (0);
}

/* The next time rel_next has something to send; UINT64_MAX if never. */
uint64_t
rel_deadline(const struct rel *r)
{
	const struct rel_msg	*m;
	uint64_t		 seq, when = UINT64_MAX;

	if (rel_pick(r) != 0)
		return (0);
	for (seq = r->peer_acked + 1; seq < r->next_seq; seq++) {
		m = &r->out->m[seq % LN_REL_WINDOW];
		if (m->tx == 0)
			break;
		if (!m->sacked && !m->lost && m->due_ns < when)
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
	uint64_t	delta;

	if (!r->have_rtt) {
		r->srtt_ns = sample;
		r->rttvar_ns = sample / 2;
		r->have_rtt = 1;
	} else {
		delta = r->srtt_ns > sample ? r->srtt_ns - sample :
		    sample - r->srtt_ns;
		r->rttvar_ns = (3 * r->rttvar_ns + delta) / 4;
		r->srtt_ns = (7 * r->srtt_ns + sample) / 8;
	}
	r->rto_ns = rel_rto_base(r);
}

/*
 * Notes the peer's timestamp for our echoes, and takes an RTT sample from
 * its echo of ours. We echo the last timestamp to arrive, not the newest:
 * the newest is that of whatever overtook the rest, and would bias the
 * samples towards the fastest packets. A sample comes only from a fresh
 * Envelope of the peer's (a retransmitted one carries an old echo and
 * delay), only once per echo, and never from the echo of a timestamp we
 * sent again (Karn).
 */
static void
rel_clock(struct rel *r, const Lnsh__Envelope *e, uint64_t now)
{
	uint32_t	elapsed;
	int		fresh;

	if (e->ts == 0)
		return;
	fresh = r->peer_newest == 0 || rel_ts_after(e->ts, r->peer_newest);
	if (fresh)
		r->peer_newest = e->ts;
	r->peer_ts = e->ts;
	r->peer_ts_ns = now;
	if (!fresh || e->echo == 0 || e->echo == r->echo_seen)
		return;
	if (r->stale_ts != 0 && !rel_ts_after(e->echo, r->stale_ts))
		return;
	elapsed = rel_ms(now) - e->echo;
	if (elapsed > REL_RTT_SANE_MS)
		return;		/* from our future: not ours */
	r->echo_seen = e->echo;
	elapsed = elapsed > e->echo_delay ? elapsed - e->echo_delay : 0;
	rel_rtt(r, (uint64_t)elapsed * LN_NS_PER_MS);
}

/* Counts newly acknowledged fragments into the window (RFC 5681 3.1). */
static void
rel_grow(struct rel *r, unsigned acked)
{
	if (r->peer_acked < r->recover)
		return;		/* no growth in recovery */
	if (r->cwnd < r->ssthresh) {
		r->cwnd += acked;
		if (r->cwnd > r->ssthresh)
			r->cwnd = r->ssthresh;
	} else {
		r->cwnd_acc += acked;
		while (r->cwnd_acc >= r->cwnd) {
			r->cwnd_acc -= r->cwnd;
			r->cwnd++;
		}
	}
	if (r->cwnd > LN_REL_CWND_MAX)
		r->cwnd = LN_REL_CWND_MAX;
}

/* Notes that the peer holds message m; returns the fragments newly acked. */
static unsigned
rel_got(struct rel *r, struct rel_msg *m)
{
	if (m->tx == 0 || m->sacked)
		return (0);
	if (m->xmit > r->rack_xmit) {
		r->rack_xmit = m->xmit;
		r->rack_sent_ns = m->sent_ns;
	}
	m->sacked = 1;
	m->lost = 0;
	return (m->cost);
}

/*
 * Frees what a cumulative ack covers, marks what the selective ack holds,
 * then finds what was lost and adjusts the window. An ack of something
 * never sent (a peer confused by a reset) is ignored.
 */
static void
rel_ack(struct rel *r, uint64_t ack, uint64_t sack)
{
	struct rel_msg	*m;
	uint64_t	 seq, reo;
	unsigned	 i, acked = 0, flight;
	int		 loss = 0;

	if (ack >= r->next_seq)
		return;
	flight = rel_flight(r);
	for (seq = r->peer_acked + 1; seq <= ack; seq++) {
		m = &r->out->m[seq % LN_REL_WINDOW];
		acked += rel_got(r, m);
		r->out_bytes -= m->len;
		free(m->body);
		free(m->env);
		memset(m, 0, sizeof *m);
	}
	if (ack > r->peer_acked)
		r->peer_acked = ack;
	for (i = 0; i < LN_REL_SACK_BITS; i++) {
		seq = ack + 2 + i;
		if ((sack & (1ULL << i)) == 0 || seq <= r->peer_acked)
			continue;
		if (seq >= r->next_seq)
			break;
		acked += rel_got(r, &r->out->m[seq % LN_REL_WINDOW]);
	}
	if (acked == 0)
		return;

	/* Progress: the backoff ends, the window grows. */
	r->rto_ns = rel_rto_base(r);
	rel_grow(r, acked);
	reo = r->srtt_ns;
	for (seq = r->peer_acked + 1; seq < r->next_seq; seq++) {
		m = &r->out->m[seq % LN_REL_WINDOW];
		if (m->tx == 0)
			break;
		if (!m->sacked && !m->lost &&
		    m->xmit + LN_REL_DUPTHRESH <= r->rack_xmit &&
		    m->sent_ns + reo <= r->rack_sent_ns) {
			m->lost = 1;
			loss = 1;
		}
	}
	if (loss)
		rel_halve(r, flight);
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
 * The peer sent again something we already have: it missed our ack, and
 * what it sends again carries an old one of its own, so ack at once.
 */
void
rel_ack_soon(struct rel *r, uint64_t now)
{
	rel_want_ack(r, now, 1);
}

/*
 * Takes one received Envelope: processes its timestamps and acks, then
 * delivers what it carries, and any held messages it unblocks, through
 * deliver (which must not reset or free r). Returns 0 or a drop.
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
	rel_clock(r, e, now);
	rel_ack(r, e->ack, e->sack);

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

	if (seq != r->delivered + 1 &&
	    e->body.len > LN_REL_HELD_MAX - r->in->held_bytes) {
		/* No room to hold it: unacked, it comes again in order. */
		error = LN_E_DROP(LN_DROP_BUDGET);
		goto out;
	}
	r->in->arrivals++;
	if (seq != r->delivered + 1) {
		/* Out of order: the sender's loss detection wants to know. */
		rel_want_ack(r, now, 1);
		r->in->held_bytes += e->body.len;
		h = &r->in->m[seq % LN_REL_WINDOW];
		h->body = xmemdup(e->body.data, e->body.len);
		h->len = e->body.len;
		h->present = 1;
		goto out;
	}

	/* In order: deliver it, then whatever it unblocks. */
	r->delivered = seq;
	deliver(ctx, e->body.data, e->body.len, 1);
	rel_want_ack(r, now, r->in->arrivals >= 2);
	for (;;) {
		h = &r->in->m[(r->delivered + 1) % LN_REL_WINDOW];
		if (!h->present)
			break;
		body = h->body;
		bodylen = h->len;
		r->in->held_bytes -= bodylen;
		memset(h, 0, sizeof *h);
		r->delivered++;
		rel_want_ack(r, now, 1);	/* a gap filled */
		deliver(ctx, body, bodylen, 1);
		free(body);
	}
out:
	lnsh__envelope__free_unpacked(e, NULL);
	return (error);
}
