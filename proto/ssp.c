/*
 * ssp.c: what both SSP endpoints share: the round-trip estimate from
 * echoed timestamps, the timers derived from it, and the decoding and
 * sending of SyncMessages (proto/sync.proto).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "ssp.h"
#include "sync.pb-c.h"

/* Milliseconds of the monotonic clock, as the wire carries them. */
static uint32_t
ssp_ms(uint64_t now)
{
	return ((uint32_t)(now / SSP_MS));
}

/* Sets up what both endpoints share; `now` counts as heard from. */
void
ssp_link_init(struct ssp_link *l, ssp_send_fn send, void *ctx, uint64_t now)
{
	memset(l, 0, sizeof *l);
	l->send = send;
	l->ctx = ctx;
	l->srtt_ns = SSP_SRTT_INIT_NS;
	l->rttvar_ns = SSP_SRTT_INIT_NS / 2;
	l->rto_ns = SSP_RTO_INIT_NS;
	l->last_heard = now;
}

/* Folds one round-trip sample into SRTT, RTTVAR and RTO (RFC 6298). */
static void
ssp_rtt_sample(struct ssp_link *l, uint64_t r)
{
	uint64_t	 d, rto;

	if (!l->rtt_sampled) {
		l->srtt_ns = r;
		l->rttvar_ns = r / 2;
		l->rtt_sampled = 1;
	} else {
		d = l->srtt_ns > r ? l->srtt_ns - r : r - l->srtt_ns;
		l->rttvar_ns = (3 * l->rttvar_ns + d) / 4;
		l->srtt_ns = (7 * l->srtt_ns + r) / 8;
	}
	rto = l->srtt_ns + 4 * l->rttvar_ns;
	if (rto < SSP_RTO_MIN_NS)
		rto = SSP_RTO_MIN_NS;
	if (rto > SSP_RTO_MAX_NS)
		rto = SSP_RTO_MAX_NS;
	l->rto_ns = rto;
}

/*
 * Unpacks a message from the peer and checks what every message must
 * satisfy; the endpoint checks its body. Garbage is counted as a drop.
 */
int
ssp_decode(struct ssp_link *l, const uint8_t *p, size_t len,
    Lnsh__SyncMessage **out)
{
	Lnsh__SyncMessage	*m;
	int			 error = LN_E_DROP(LN_DROP_MESSAGE);

	l->counters.rx_packets++;
	l->counters.rx_bytes += len;
	if (len > LN_MAX_MESSAGE ||
	    (m = lnsh__sync_message__unpack(NULL, len, p)) == NULL)
		goto out;
	if (m->old_num > m->new_num ||
	    (m->body_case == LNSH__SYNC_MESSAGE__BODY__NOT_SET &&
	    m->old_num != m->new_num)) {
		lnsh__sync_message__free_unpacked(m, NULL);
		goto out;
	}
	*out = m;
	error = 0;
out:
	if (error != 0)
		ln_count(&l->counters, error);
	return (error);
}

/*
 * Notes a well-formed message from the peer: liveness, its timestamp to
 * echo, and a round-trip sample from the echo of ours. The sample is
 * ours minus the peer's holding time, so it holds under loss and with
 * delayed acks; a very long one is a sleep, not a path, and is ignored.
 */
void
ssp_heard(struct ssp_link *l, const Lnsh__SyncMessage *m, uint64_t now)
{
	uint32_t	 r;

	if (now > l->last_heard)
		l->last_heard = now;
	if (m->has_timestamp) {
		l->peer_ts = m->timestamp;
		l->peer_ts_at = now;
		l->peer_ts_held = 1;
	}
	if (m->has_timestamp_reply) {
		r = ssp_ms(now) - m->timestamp_reply;
		if (r < SSP_RTT_SAMPLE_MAX_MS)
			ssp_rtt_sample(l, (uint64_t)r * SSP_MS +
			    SSP_MS / 2);
	}
	l->counters.messages_in++;
}

/*
 * Stamps a message with our clock and the echo of the peer's (each
 * timestamp is echoed once, and only while fresh), packs it and hands it
 * to the channel. A send failure is a lost message.
 */
int
ssp_emit(struct ssp_link *l, Lnsh__SyncMessage *m, uint64_t now)
{
	uint8_t		*p;
	size_t		 len;
	int		 error;

	m->has_timestamp = 1;
	m->timestamp = ssp_ms(now);
	if (l->peer_ts_held && now - l->peer_ts_at < SSP_TS_HOLD_MAX_NS) {
		m->has_timestamp_reply = 1;
		m->timestamp_reply = l->peer_ts +
		    (uint32_t)((now - l->peer_ts_at) / SSP_MS);
	}
	l->peer_ts_held = 0;
	len = lnsh__sync_message__get_packed_size(m);
	p = xmalloc(len > 0 ? len : 1);
	lnsh__sync_message__pack(m, p);
	error = l->send(l->ctx, p, len);
	free(p);
	l->last_tx = now;
	l->counters.tx_packets++;
	l->counters.tx_bytes += len;
	return (error);
}

/*
 * How long to wait for an ack before sending again: RTO plus the peer's
 * ack delay, doubled for each resend that went unanswered.
 */
uint64_t
ssp_resend_ns(const struct ssp_link *l, unsigned backoff)
{
	uint64_t	 t = l->rto_ns + SSP_ACK_DELAY_NS;

	while (backoff-- > 0 && t < SSP_RESEND_MAX_NS)
		t *= 2;
	return (t < SSP_RESEND_MAX_NS ? t : SSP_RESEND_MAX_NS);
}

/*
 * The frame interval: half the smoothed RTT, so about two frames are in
 * flight and the screen is never more than a round trip stale, clamped.
 */
uint64_t
ssp_send_interval_ns(const struct ssp_link *l)
{
	uint64_t	 t = l->srtt_ns / 2;

	if (t < SSP_SEND_MIN_NS)
		t = SSP_SEND_MIN_NS;
	if (t > SSP_SEND_MAX_NS)
		t = SSP_SEND_MAX_NS;
	return (t);
}
