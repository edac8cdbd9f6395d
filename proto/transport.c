/*
 * transport.c: transport packets under one key pair.
 *
 * After a handshake each side holds a key pair: a key per direction, the
 * index each side chose for itself, a send counter and a replay window. A
 * transport packet is
 *
 *	offset size   field
 *	0      1      type: LN_PKT_TRANSPORT (4)
 *	1      1      version: LN_PROTO_VERSION (1)
 *	2      2      reserved, zero
 *	4      4      receiver index, little-endian: the index the receiving
 *	              side chose for itself in the handshake
 *	8      8      counter, little-endian: 0, 1, 2, ... per key pair and
 *	              direction
 *	16     n + 16 ChaCha20-Poly1305 (IETF) of the n-byte plaintext, then
 *	              its 16-byte tag
 *
 * The key is the sender's send key; the nonce is the counter (as Noise
 * forms it: 4 zero bytes, then the counter little-endian); the associated
 * data is the 16 header bytes, so every header bit is authenticated. The
 * plaintext is at most LN_MAX_PLAINTEXT bytes, keeping the datagram within
 * LN_MAX_DATAGRAM.
 *
 * A key pair is used for at most reject_after_ns (LN_REJECT_AFTER_NS) from
 * its creation and for counters below LN_REJECT_AFTER_MSGS, each way. The
 * receiver parses the clear header, refuses old key pairs and replayed
 * counters before spending any work on decryption, decrypts, and only then
 * marks the counter in the replay window, so a forged packet changes
 * nothing.
 */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "proto.h"

/* Sets up a key pair from a finished handshake's keys at time now. */
void
keypair_init(struct keypair *kp, const struct hs_keys *hs, int initiator,
    uint64_t now)
{
	memset(kp, 0, sizeof *kp);
	memcpy(kp->send_key, hs->send, LN_KEY_LEN);
	memcpy(kp->recv_key, hs->recv, LN_KEY_LEN);
	kp->local_index = hs->local_index;
	kp->remote_index = hs->remote_index;
	kp->send_counter = 0;
	replay_init(&kp->replay);
	kp->created_ns = now;
	kp->initiator = initiator;
}

/* Erases a key pair, keys first. */
void
keypair_wipe(struct keypair *kp)
{
	sodium_memzero(kp, sizeof *kp);
}

/* Has the key pair outlived reject_after_ns (0: LN_REJECT_AFTER_NS)? */
static int
keypair_too_old(const struct keypair *kp, uint64_t now,
    uint64_t reject_after_ns)
{
	if (reject_after_ns == 0)
		reject_after_ns = LN_REJECT_AFTER_NS;
	return (now >= kp->created_ns &&
	    now - kp->created_ns >= reject_after_ns);
}

/* Reads the clear header: receiver index and counter. */
static int
transport_header(const uint8_t *pkt, size_t len, uint32_t *idx,
    uint64_t *counter)
{
	struct buf	 r;
	uint8_t		 type, version;
	uint16_t	 reserved;

	buf_reader(&r, pkt, len);
	if (buf_get_u8(&r, &type) != 0)
		return (LN_E_DROP(LN_DROP_SHORT));
	if (type != LN_PKT_TRANSPORT)
		return (LN_E_DROP(LN_DROP_TYPE));
	if (len < LN_TRANSPORT_HDR_LEN + LN_TAG_LEN)
		return (LN_E_DROP(LN_DROP_SHORT));
	buf_get_u8(&r, &version);
	buf_get_u16le(&r, &reserved);
	buf_get_u32le(&r, idx);
	if (buf_get_u64le(&r, counter) != 0)
		return (LN_E_DROP(LN_DROP_SHORT));
	if (version != LN_PROTO_VERSION)
		return (LN_E_DROP(LN_DROP_VERSION));
	if (reserved != 0)
		return (LN_E_DROP(LN_DROP_RESERVED));
	return (0);
}

/*
 * Parses a transport packet's clear header for its receiver index, so the
 * caller can find the key pair. Nothing here is authenticated yet.
 */
int
transport_index(const uint8_t *pkt, size_t len, uint32_t *idx)
{
	uint32_t	 i;
	uint64_t	 counter;
	int		 error;

	if ((error = transport_header(pkt, len, &i, &counter)) != 0)
		return (error);
	*idx = i;
	return (0);
}

/*
 * Seals ptlen bytes of plaintext into a transport packet in out. Refuses
 * (LN_E_STATE) once the key pair is too old or its counters are spent; the
 * caller must then re-handshake.
 */
int
transport_seal(struct keypair *kp, const uint8_t *pt, size_t ptlen,
    uint64_t now, uint64_t reject_after_ns, uint8_t *out, size_t cap,
    size_t *outlen)
{
	uint8_t		 hdr[LN_TRANSPORT_HDR_LEN], *ct;
	struct buf	 h, w;
	int		 error;

	if (keypair_too_old(kp, now, reject_after_ns) ||
	    kp->send_counter >= LN_REJECT_AFTER_MSGS)
		return (LN_E_STATE);
	if ((pt == NULL && ptlen != 0) || ptlen > LN_MAX_PLAINTEXT)
		return (LN_E_INVAL);
	if (cap < LN_TRANSPORT_HDR_LEN + ptlen + LN_TAG_LEN)
		return (LN_E_NOSPACE);

	buf_writer(&h, hdr, sizeof hdr);
	buf_put_u8(&h, LN_PKT_TRANSPORT);
	buf_put_u8(&h, LN_PROTO_VERSION);
	buf_put_u16le(&h, 0);
	buf_put_u32le(&h, kp->remote_index);
	buf_put_u64le(&h, kp->send_counter);

	buf_writer(&w, out, cap);
	buf_put_bytes(&w, hdr, sizeof hdr);
	if ((ct = buf_put_ptr(&w, ptlen + LN_TAG_LEN)) == NULL) {
		error = LN_E_NOSPACE;
		goto out;
	}
	if ((error = noise_seal(kp->send_key, kp->send_counter, hdr,
	    sizeof hdr, pt, ptlen, ct)) != 0)
		goto out;
	kp->send_counter++;
	*outlen = buf_used(&w);
out:
	return (error);
}

/*
 * Opens a transport packet addressed to this key pair into pt. Returns 0
 * with *ptlen set, or a drop; on a drop pt holds nothing useful and the
 * key pair is unchanged.
 */
int
transport_open(struct keypair *kp, const uint8_t *pkt, size_t len,
    uint64_t now, uint64_t reject_after_ns, uint8_t *pt, size_t cap,
    size_t *ptlen)
{
	struct buf	 r;
	const uint8_t	*hdr, *ct;
	uint32_t	 idx;
	uint64_t	 counter;
	size_t		 ctlen;
	int		 error;

	if ((error = transport_header(pkt, len, &idx, &counter)) != 0)
		return (error);
	if (idx != kp->local_index)
		return (LN_E_DROP(LN_DROP_UNKNOWN_INDEX));
	if (keypair_too_old(kp, now, reject_after_ns))
		return (LN_E_DROP(LN_DROP_EXPIRED));
	if ((error = replay_check(&kp->replay, counter)) != 0)
		return (error);

	buf_reader(&r, pkt, len);
	hdr = buf_get_ptr(&r, LN_TRANSPORT_HDR_LEN);
	ct = buf_get_rest(&r, &ctlen);
	if (hdr == NULL || ct == NULL || ctlen < LN_TAG_LEN)
		return (LN_E_DROP(LN_DROP_SHORT));
	if (cap < ctlen - LN_TAG_LEN)
		return (LN_E_NOSPACE);
	if ((error = noise_open(kp->recv_key, counter, hdr,
	    LN_TRANSPORT_HDR_LEN, ct, ctlen, pt)) != 0) {
		sodium_memzero(pt, ctlen - LN_TAG_LEN);
		goto out;
	}
	replay_accept(&kp->replay, counter);
	*ptlen = ctlen - LN_TAG_LEN;
out:
	return (error);
}
