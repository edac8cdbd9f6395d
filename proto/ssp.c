/*
 * ssp.c: what both SSP endpoints share: the round-trip estimate from
 * echoed timestamps, the timers derived from it, and the decoding and
 * sending of SyncMessages (proto/sync.proto), compressed with zstd when
 * the peer takes it.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "proto.h"
#include "ssp.h"
#include "sync.pb-c.h"

/* Milliseconds of the monotonic clock, as the wire carries them. */
static uint32_t
ssp_ms(uint64_t now)
{
	return ((uint32_t)(now / LN_NS_PER_MS));
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

/* Frees what a link holds beside itself (the zstd contexts). */
void
ssp_link_free(struct ssp_link *l)
{
	ZSTD_freeCCtx(l->zc);
	ZSTD_freeDCtx(l->zd);
	l->zc = l->zd = NULL;
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
 * Decompresses a zframe into a new buffer of exactly the size its header
 * declares, which is read first and must be 1..LN_SSP_ZFRAME_MAX: so no
 * input, however crafted, makes the receiver allocate or write more
 * (zstd writes nothing past the buffer and fails if the content does not
 * fill it exactly). The input must be one zstd frame and nothing else.
 * (link, z, zlen, &out, &outlen): 0, LN_E_DROP(LN_DROP_ZFRAME_OVERSIZE)
 * for a frame that declares too much or no size, LN_E_DROP(LN_DROP_ZFRAME)
 * for anything else that fails; not counted here.
 */
int
ssp_unzframe(struct ssp_link *l, const uint8_t *z, size_t zlen,
    uint8_t **out, size_t *outlen)
{
	unsigned long long	 size;
	uint8_t			*p;
	size_t			 n;

	size = ZSTD_getFrameContentSize(z, zlen);
	if (size == ZSTD_CONTENTSIZE_UNKNOWN ||
	    (size != ZSTD_CONTENTSIZE_ERROR && size > LN_SSP_ZFRAME_MAX))
		return (LN_E_DROP(LN_DROP_ZFRAME_OVERSIZE));
	/* 0: an error, a skippable frame, or nothing worth compressing. */
	if (size == ZSTD_CONTENTSIZE_ERROR || size == 0)
		return (LN_E_DROP(LN_DROP_ZFRAME));
	n = ZSTD_findFrameCompressedSize(z, zlen);
	if (ZSTD_isError(n) || n != zlen)
		return (LN_E_DROP(LN_DROP_ZFRAME));
	if (l->zd == NULL && (l->zd = ZSTD_createDCtx()) == NULL)
		return (LN_E_DROP(LN_DROP_ZFRAME));
	p = xmalloc((size_t)size);
	n = ZSTD_decompressDCtx(l->zd, p, (size_t)size, z, zlen);
	if (ZSTD_isError(n) || n != size) {
		free(p);
		return (LN_E_DROP(LN_DROP_ZFRAME));
	}
	*out = p;
	*outlen = n;
	return (0);
}

/* 1 if a message with zframe set has no other field, as it must. */
static int
ssp_zframe_alone(const Lnsh__SyncMessage *m)
{
	return (!m->has_old_num && !m->has_new_num && !m->has_ack_num &&
	    !m->has_timestamp && !m->has_timestamp_reply && !m->has_probe &&
	    m->body_case == LNSH__SYNC_MESSAGE__BODY__NOT_SET &&
	    !m->has_sb_total && m->n_line == 0 && !m->has_sb_more &&
	    !m->has_accept_zstd);
}

/*
 * Unpacks a message from the peer, decompressing a zframe if this end
 * accepts them, and checks what every message must satisfy; the endpoint
 * checks its body. Garbage is counted as a drop.
 */
int
ssp_decode(struct ssp_link *l, const uint8_t *p, size_t len,
    Lnsh__SyncMessage **out)
{
	Lnsh__SyncMessage	*m;
	uint8_t			*raw;
	size_t			 rawlen;
	int			 error = LN_E_DROP(LN_DROP_MESSAGE);

	l->counters.rx_packets++;
	l->counters.rx_bytes += len;
	if (len > LN_MAX_MESSAGE ||
	    (m = lnsh__sync_message__unpack(NULL, len, p)) == NULL)
		goto out;
	if (m->has_zframe) {
		if (!l->zaccept || !ssp_zframe_alone(m)) {
			lnsh__sync_message__free_unpacked(m, NULL);
			goto out;
		}
		error = ssp_unzframe(l, m->zframe.data, m->zframe.len, &raw,
		    &rawlen);
		lnsh__sync_message__free_unpacked(m, NULL);
		if (error != 0)
			goto out;
		error = LN_E_DROP(LN_DROP_MESSAGE);
		m = lnsh__sync_message__unpack(NULL, rawlen, raw);
		free(raw);
		if (m == NULL)
			goto out;
		if (m->has_zframe) {
			lnsh__sync_message__free_unpacked(m, NULL);
			goto out;
		}
	}
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
			ssp_rtt_sample(l, (uint64_t)r * LN_NS_PER_MS +
			    LN_NS_PER_MS / 2);
	}
	if (m->has_accept_zstd && m->accept_zstd)
		l->zpeer = 1;
	l->counters.messages_in++;
}

/*
 * Replaces a packed message (*pp, *lenp) with its zframe form when that
 * is smaller; otherwise, or if zstd fails, leaves it as it is.
 */
static void
ssp_zwrap(struct ssp_link *l, uint8_t **pp, size_t *lenp)
{
	Lnsh__SyncMessage	 w;
	uint8_t			*z, *q;
	size_t			 cap, n, wlen;

	if (l->zc == NULL && (l->zc = ZSTD_createCCtx()) == NULL)
		return;
	cap = ZSTD_compressBound(*lenp);
	z = xmalloc(cap);
	n = ZSTD_compressCCtx(l->zc, z, cap, *pp, *lenp, SSP_Z_LEVEL);
	if (ZSTD_isError(n))
		goto out;
	lnsh__sync_message__init(&w);
	w.has_zframe = 1;
	w.zframe.data = z;
	w.zframe.len = n;
	wlen = lnsh__sync_message__get_packed_size(&w);
	if (wlen >= *lenp)
		goto out;
	q = xmalloc(wlen);
	lnsh__sync_message__pack(&w, q);
	free(*pp);
	*pp = q;
	*lenp = wlen;
out:
	free(z);
}

/*
 * Stamps a message with our clock and the echo of the peer's (each
 * timestamp is echoed once, and only while fresh), says we take zframes
 * if we do (with input and probes: what a new server hears first), packs
 * it, compresses it if the peer takes zframes and it is worth it, and
 * hands it to the channel. A send failure is a lost message.
 */
int
ssp_emit(struct ssp_link *l, Lnsh__SyncMessage *m, uint64_t now)
{
	uint8_t		*p;
	size_t		 len;
	int		 error;

	if (l->zaccept && (m->body_case == LNSH__SYNC_MESSAGE__BODY_INPUT ||
	    (m->has_probe && m->probe))) {
		m->has_accept_zstd = 1;
		m->accept_zstd = 1;
	}
	m->has_timestamp = 1;
	m->timestamp = ssp_ms(now);
	if (l->peer_ts_held && now - l->peer_ts_at < SSP_TS_HOLD_MAX_NS) {
		m->has_timestamp_reply = 1;
		m->timestamp_reply = l->peer_ts +
		    (uint32_t)((now - l->peer_ts_at) / LN_NS_PER_MS);
	}
	l->peer_ts_held = 0;
	len = lnsh__sync_message__get_packed_size(m);
	p = xmalloc(len > 0 ? len : 1);
	lnsh__sync_message__pack(m, p);
	if (l->zpeer && len >= SSP_Z_MIN && len <= LN_SSP_ZFRAME_MAX)
		ssp_zwrap(l, &p, &len);
	error = l->send(l->ctx, p, len);
	free(p);
	l->last_tx = now;
	l->counters.tx_packets++;
	l->counters.tx_bytes += len;
	return (error);
}

/*
 * A wait for an ack, t, doubled for each resend that went unanswered, up
 * to SSP_RESEND_MAX_NS.
 */
uint64_t
ssp_backoff_ns(uint64_t t, unsigned backoff)
{
	while (backoff-- > 0 && t < SSP_RESEND_MAX_NS)
		t *= 2;
	return (t < SSP_RESEND_MAX_NS ? t : SSP_RESEND_MAX_NS);
}

/*
 * How long to wait for an ack before sending again: RTO plus the peer's
 * ack delay, backed off (ssp_backoff_ns).
 */
uint64_t
ssp_resend_ns(const struct ssp_link *l, unsigned backoff)
{
	return (ssp_backoff_ns(l->rto_ns + SSP_ACK_DELAY_NS, backoff));
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
