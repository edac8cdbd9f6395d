/*
 * handshake.c: the two handshake packets of lnsh, which carry the messages
 * of Noise_IK_25519_ChaChaPoly_BLAKE2b (noise.c) with prologue LN_PROLOGUE
 * ("lnsh v1", 7 bytes, no terminator), plus a mac1 that lets the server
 * drop junk before doing any Diffie-Hellman, as WireGuard does.
 *
 * All integers are little-endian. Offsets are in bytes; plen is the length
 * of the handshake payload (a protobuf message), 0 <= plen <=
 * LN_MAX_HS_PAYLOAD (512).
 *
 * Initiation, client -> server, 120 + plen bytes (136 + plen with mac2):
 *
 *   offset    length   field
 *   0         1        type = LN_PKT_INITIATION (1)
 *   1         1        version = LN_PROTO_VERSION (1), or
 *                      LN_PROTO_VERSION_COOKIE (2) when mac2 follows mac1
 *   2         2        reserved, zero
 *   4         4        sender index: the client's index for this session
 *   8         32       Noise IK message 1, token e: ephemeral public key
 *   40        48         token s: client's static public key, encrypted
 *   88        plen+16    the payload, encrypted
 *   104+plen  16       mac1
 *   120+plen  16       mac2 (version 2 only)
 *
 * Response, server -> client, 76 + plen bytes:
 *
 *   offset    length   field
 *   0         1        type = LN_PKT_RESPONSE (2)
 *   1         1        version = LN_PROTO_VERSION (1)
 *   2         2        reserved, zero
 *   4         4        sender index: the server's index for this session
 *   8         4        receiver index: the client's sender index, echoed
 *   12        32       Noise IK message 2, token e: ephemeral public key
 *   44        plen+16    the payload, encrypted
 *   60+plen   16       mac1
 *
 * mac1 = BLAKE2b(key = mac1_key(R), outlen = 16, every byte before mac1),
 * where R is the static public key of the packet's Receiver (the server's
 * for an initiation, the client's for a response) and
 * mac1_key(R) = BLAKE2b-256("mac1----" || R) (unkeyed, 32-byte output).
 * mac1 proves only that the sender knows R; it is not authentication (R is
 * public). mac2 = BLAKE2b(key = the cookie the server sent (cookie.c),
 * outlen = 16, every byte before mac2, mac1 included): it proves that the
 * sender receives at its source address, which a server under load asks
 * for before any Diffie-Hellman. The Noise messages authenticate everything from offset 8
 * (initiation) or 12 (response) on. The indices are not covered by Noise,
 * exactly as in WireGuard: someone who rewrites them can only make the
 * handshake fail.
 *
 * After the response, each side Splits the Noise state: c1 protects client
 * -> server transport packets and c2 server -> client.
 *
 * A receiver checks, in this order, and drops with the reason in brackets:
 * type [TYPE] (an empty datagram: [SHORT]), the rest of the common header
 * [SHORT], version [VERSION], reserved bytes [RESERVED], length of the whole
 * packet [SHORT], receiver index (response only) [UNKNOWN_INDEX], mac1
 * [MAC1], payload size [HANDSHAKE], under load (initiation only, in
 * chan-server.c) mac2 [UNDER_LOAD, answered with a cookie reply], for a response whether our handshake
 * still awaits one [STATE], the Noise message [HANDSHAKE]. Only the last
 * step costs Diffie-Hellman operations.
 *
 * Replay timestamps, authorization and per-key state live in the channel,
 * which reads them from the payloads; this file is only the packet format.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "proto.h"

/* Packet sizes without the payload; see the layout above. */
#define HS_INIT_FIXED	(LN_HDR_LEN + 4 + LN_KEY_LEN + LN_KEY_LEN + \
			 LN_TAG_LEN + LN_TAG_LEN + LN_MAC_LEN)	/* 120 */
#define HS_RESP_FIXED	(LN_HDR_LEN + 4 + 4 + LN_KEY_LEN + LN_TAG_LEN + \
			 LN_MAC_LEN)				/* 76 */
/* Room for the payload of a last handshake message, IK's or XXpsk3's. */
#define HS_LAST_PAYLOAD_MAX	(LN_MAX_HS_PAYLOAD > LN_PAIR_MAX_PAYLOAD ? \
				 LN_MAX_HS_PAYLOAD : LN_PAIR_MAX_PAYLOAD)
/* Noise message sizes without the payload. */
#define HS_MSG1_FIXED	(LN_KEY_LEN + LN_KEY_LEN + LN_TAG_LEN + LN_TAG_LEN)
#define HS_MSG2_FIXED	(LN_KEY_LEN + LN_TAG_LEN)

/* The bytes an initiation of this version carries after its Noise message. */
#define HS_INIT_TAIL(v)	((v) == LN_PROTO_VERSION_COOKIE ? 2 * LN_MAC_LEN : \
			 LN_MAC_LEN)
/* The shortest initiation (empty payload) with such a tail. */
#define HS_INIT_MIN(tail)	(HS_INIT_FIXED - LN_MAC_LEN + (tail))

/*
 * BLAKE2b-256(label || key), unkeyed: how the mac1 keys (here and
 * pairing.c) and the cookie key (cookie.c) are derived from a 32-byte
 * key; key_out is 32 bytes. The hash state is wiped (key may be secret).
 */
void
hs_label_key(const char *label, const uint8_t *key, uint8_t *key_out)
{
	crypto_generichash_state	st;

	crypto_generichash_init(&st, NULL, 0, LN_KEY_LEN);
	crypto_generichash_update(&st, (const uint8_t *)label, strlen(label));
	crypto_generichash_update(&st, key, LN_KEY_LEN);
	crypto_generichash_final(&st, key_out, LN_KEY_LEN);
	sodium_memzero(&st, sizeof st);
}

/* mac1_key(pub) = BLAKE2b-256(LN_MAC1_LABEL || pub); key_out is 32 bytes. */
void
hs_mac1_key(const uint8_t *pub, uint8_t *key_out)
{
	hs_label_key(LN_MAC1_LABEL, pub, key_out);
}

/* mac1 of len bytes under a 32-byte mac1 key: BLAKE2b with 16-byte output. */
static void
hs_mac1(const uint8_t *key, const uint8_t *data, size_t len, uint8_t *mac)
{
	crypto_generichash(mac, LN_MAC_LEN, data, len, key, LN_KEY_LEN);
}

/*
 * The framing below is shared with the pairing packets (pairing.c): the
 * same header, a mac1 after every Noise message, the same drop reasons.
 * Only the key of mac1 and the Noise pattern differ.
 */

/*
 * Checks the mac1 that ends a packet of len (>= LN_MAC_LEN) bytes under a
 * 32-byte mac1 key, in constant time.
 */
int
hs_mac1_check(const uint8_t *key, const uint8_t *pkt, size_t len)
{
	struct buf	 rd;
	const uint8_t	*body, *mac;
	uint8_t		 want[LN_MAC_LEN];
	int		 r;

	buf_reader(&rd, pkt, len);
	body = buf_get_ptr(&rd, len - LN_MAC_LEN);
	mac = buf_get_ptr(&rd, LN_MAC_LEN);
	if (body == NULL || mac == NULL)
		return (LN_E_DROP(LN_DROP_SHORT));
	hs_mac1(key, body, len - LN_MAC_LEN, want);
	r = sodium_memcmp(want, mac, LN_MAC_LEN) == 0 ? 0 :
	    LN_E_DROP(LN_DROP_MAC1);
	sodium_memzero(want, sizeof want);
	return (r);
}

/* Writes the common header: type, version, two reserved zero bytes. */
int
hs_put_header_v(struct buf *w, uint8_t type, uint8_t version)
{
	if (buf_put_u8(w, type) != 0 || buf_put_u8(w, version) != 0 ||
	    buf_put_u16le(w, 0) != 0)
		return (LN_E_NOSPACE);
	return (0);
}

/* Writes the common header of a packet of LN_PROTO_VERSION. */
int
hs_put_header(struct buf *w, uint8_t type)
{
	return (hs_put_header_v(w, type, LN_PROTO_VERSION));
}

/*
 * Reads the common header and drops anything but a packet of this type
 * with a version from vmin to vmax; *version, if not NULL, is the one read.
 */
int
hs_get_header_v(struct buf *rd, uint8_t want_type, uint8_t vmin,
    uint8_t vmax, uint8_t *version)
{
	uint8_t		type, v;
	uint16_t	reserved;

	if (buf_get_u8(rd, &type) != 0)
		return (LN_E_DROP(LN_DROP_SHORT));
	if (type != want_type)
		return (LN_E_DROP(LN_DROP_TYPE));
	if (buf_get_u8(rd, &v) != 0 || buf_get_u16le(rd, &reserved) != 0)
		return (LN_E_DROP(LN_DROP_SHORT));
	if (v < vmin || v > vmax)
		return (LN_E_DROP(LN_DROP_VERSION));
	if (reserved != 0)
		return (LN_E_DROP(LN_DROP_RESERVED));
	if (version != NULL)
		*version = v;
	return (0);
}

/* Reads the common header of a packet of this type and LN_PROTO_VERSION. */
int
hs_get_header(struct buf *rd, uint8_t want_type)
{
	return (hs_get_header_v(rd, want_type, LN_PROTO_VERSION,
	    LN_PROTO_VERSION, NULL));
}

/*
 * Appends to w, which was started at start, the mac1 under a 32-byte mac1
 * key of everything written so far.
 */
int
hs_put_mac1(struct buf *w, const uint8_t *start, const uint8_t *key)
{
	uint8_t	*mac;
	size_t	 used = buf_used(w);

	if ((mac = buf_put_ptr(w, LN_MAC_LEN)) == NULL)
		return (LN_E_NOSPACE);
	hs_mac1(key, start, used, mac);
	return (0);
}

/* hs_put_mac1 keyed for the receiver whose static public key is peer_pub. */
static int
hs_put_mac1_for(struct buf *w, const uint8_t *start, const uint8_t *peer_pub)
{
	uint8_t	key[LN_KEY_LEN];
	int	r;

	hs_mac1_key(peer_pub, key);
	r = hs_put_mac1(w, start, key);
	sodium_memzero(key, sizeof key);
	return (r);
}

/*
 * Appends the next Noise message of hs, carrying payload (plen bytes),
 * which the packet layout says is exactly msglen bytes long.
 */
int
hs_put_noise(struct buf *w, struct noise_handshake *hs, const uint8_t *payload,
    size_t plen, size_t msglen)
{
	uint8_t	*msg;
	size_t	 n;
	int	 r;

	if ((msg = buf_put_ptr(w, msglen)) == NULL)
		return (LN_E_NOSPACE);
	if ((r = noise_write(hs, payload, plen, msg, msglen, &n)) != 0)
		return (r);
	if (n != msglen)
		return (LN_E_STATE);
	return (0);
}

/* Whether hs is a handshake of this pattern and role at message msg_index. */
int
hs_expects(const struct noise_handshake *hs, enum noise_pattern pattern,
    enum noise_role role, int msg_index)
{
	return (hs->pattern == pattern && hs->role == role &&
	    hs->msg_index == msg_index);
}

/*
 * Ends a completed handshake (which Split wipes): send and recv get the
 * keys of our direction and the peer's (c1 is initiator -> responder),
 * remote_static the peer's static key.
 */
int
hs_split(struct noise_handshake *hs, uint8_t *send, uint8_t *recv,
    uint8_t *remote_static)
{
	struct noise_cipher	c1, c2;
	uint8_t			rs[LN_KEY_LEN];
	int			initiator = hs->role == NOISE_INITIATOR;
	int			r;

	memset(&c1, 0, sizeof c1);
	memset(&c2, 0, sizeof c2);
	memcpy(rs, hs->rs, LN_KEY_LEN);
	if ((r = noise_split(hs, &c1, &c2)) != 0)
		goto out;
	memcpy(send, initiator ? c1.k : c2.k, LN_KEY_LEN);
	memcpy(recv, initiator ? c2.k : c1.k, LN_KEY_LEN);
	memcpy(remote_static, rs, LN_KEY_LEN);
out:
	sodium_memzero(&c1, sizeof c1);
	sodium_memzero(&c2, sizeof c2);
	return (r);
}

/*
 * Reads msg, the last Noise message of *hs, and ends the handshake: on
 * success its payload is in payload (*plen bytes, at most pcap), send, recv
 * and remote_static are as hs_split gives them, and *hs is wiped. Reading
 * works on a copy, since a failed Noise read ruins the state it used: on
 * any failure *hs is left as it was, so a forged packet cannot cancel a
 * handshake whose genuine message is still on its way.
 */
int
hs_read_last(struct noise_handshake *hs, const uint8_t *msg, size_t msglen,
    uint8_t *payload, size_t pcap, size_t *plen, uint8_t *send,
    uint8_t *recv, uint8_t *remote_static)
{
	struct noise_handshake	tmp;
	uint8_t			pl[HS_LAST_PAYLOAD_MAX];
	size_t			n;
	int			r;

	memcpy(&tmp, hs, sizeof tmp);
	if (noise_read(&tmp, msg, msglen, pl, sizeof pl, &n) != 0) {
		r = LN_E_DROP(LN_DROP_HANDSHAKE);
		goto out;
	}
	if (n > pcap) {
		r = LN_E_NOSPACE;
		goto out;
	}
	if ((r = hs_split(&tmp, send, recv, remote_static)) != 0)
		goto out;
	if (n != 0)
		memcpy(payload, pl, n);
	*plen = n;
	noise_wipe(hs);
out:
	sodium_memzero(&tmp, sizeof tmp);
	sodium_memzero(pl, sizeof pl);
	return (r);
}

/*
 * The writing twin of hs_read_last. The caller has started w at start and
 * written the packet's header and indices; this appends the last Noise
 * message of *hs, carrying payload (plen bytes) in exactly msglen bytes,
 * then the mac1 under mac1_key, and ends the handshake: send, recv and
 * remote_static are as hs_split gives them, and *hs is wiped. Writing works
 * on a copy, so on any failure *hs is left as it was.
 */
int
hs_write_last(struct noise_handshake *hs, struct buf *w, const uint8_t *start,
    const uint8_t *mac1_key, const uint8_t *payload, size_t plen,
    size_t msglen, uint8_t *send, uint8_t *recv, uint8_t *remote_static)
{
	struct noise_handshake	tmp;
	int			r;

	memcpy(&tmp, hs, sizeof tmp);
	if ((r = hs_put_noise(w, &tmp, payload, plen, msglen)) != 0 ||
	    (r = hs_put_mac1(w, start, mac1_key)) != 0 ||
	    (r = hs_split(&tmp, send, recv, remote_static)) != 0)
		goto out;
	noise_wipe(hs);
out:
	sodium_memzero(&tmp, sizeof tmp);
	return (r);
}

/*
 * Client: starts a Noise IK handshake as initiator with our static key
 * client_sk towards the server's static key server_pk, and writes the
 * initiation packet (120 + plen bytes) to out. On success *hs holds the
 * handshake, to be kept for hs_consume_response; *hs is untouched on
 * failure (LN_E_INVAL: payload over LN_MAX_HS_PAYLOAD; LN_E_NOSPACE: cap).
 */
int
hs_initiation(struct noise_handshake *hs, const uint8_t *client_sk,
    const uint8_t *server_pk, uint32_t sender_index, const uint8_t *payload,
    size_t plen, uint8_t *out, size_t cap, size_t *outlen)
{
	return (hs_initiation_cookie(hs, client_sk, server_pk, sender_index,
	    payload, plen, NULL, out, cap, outlen));
}

/*
 * hs_initiation, and with a cookie (LN_COOKIE_LEN bytes, from the
 * server's cookie reply) the initiation is of version 2 and ends in mac2
 * keyed by it (136 + plen bytes). NULL: version 1, no mac2.
 */
int
hs_initiation_cookie(struct noise_handshake *hs, const uint8_t *client_sk,
    const uint8_t *server_pk, uint32_t sender_index, const uint8_t *payload,
    size_t plen, const uint8_t *cookie, uint8_t *out, size_t cap,
    size_t *outlen)
{
	struct noise_handshake	 tmp;
	struct buf		 w;
	uint8_t			*mac2;
	size_t			 need;
	int			 r;

	memset(&tmp, 0, sizeof tmp);
	if (plen > LN_MAX_HS_PAYLOAD || (payload == NULL && plen != 0)) {
		r = LN_E_INVAL;
		goto out;
	}
	need = HS_INIT_FIXED + plen + (cookie != NULL ? LN_MAC_LEN : 0);
	if (cap < need) {
		r = LN_E_NOSPACE;
		goto out;
	}
	if ((r = noise_init(&tmp, NOISE_IK, NOISE_INITIATOR,
	    (const uint8_t *)LN_PROLOGUE, strlen(LN_PROLOGUE), client_sk,
	    server_pk, NULL)) != 0)
		goto out;

	buf_writer(&w, out, need);
	/* -> e, es, s, ss, payload */
	if ((r = hs_put_header_v(&w, LN_PKT_INITIATION, cookie != NULL ?
	    LN_PROTO_VERSION_COOKIE : LN_PROTO_VERSION)) != 0 ||
	    (r = buf_put_u32le(&w, sender_index)) != 0 ||
	    (r = hs_put_noise(&w, &tmp, payload, plen,
	    HS_MSG1_FIXED + plen)) != 0 ||
	    (r = hs_put_mac1_for(&w, out, server_pk)) != 0)
		goto out;
	if (cookie != NULL) {
		if ((mac2 = buf_put_ptr(&w, LN_MAC_LEN)) == NULL) {
			r = LN_E_NOSPACE;
			goto out;
		}
		crypto_generichash(mac2, LN_MAC_LEN, out, need - LN_MAC_LEN,
		    cookie, LN_COOKIE_LEN);
	}

	memcpy(hs, &tmp, sizeof tmp);
	*outlen = buf_used(&w);
out:
	sodium_memzero(&tmp, sizeof tmp);
	return (r);
}

/*
 * Starts reading an initiation of either version (1, or 2 with mac2):
 * its header and its length. On success rd is at the sender index and
 * *tail is what follows the Noise message (mac1, or mac1 and mac2).
 */
static int
hs_init_open(struct buf *rd, const uint8_t *pkt, size_t len, size_t *tail)
{
	uint8_t	v;
	int	r;

	buf_reader(rd, pkt, len);
	if ((r = hs_get_header_v(rd, LN_PKT_INITIATION, LN_PROTO_VERSION,
	    LN_PROTO_VERSION_COOKIE, &v)) != 0)
		return (r);
	*tail = HS_INIT_TAIL(v);
	if (len < HS_INIT_MIN(*tail))
		return (LN_E_DROP(LN_DROP_SHORT));
	return (0);
}

/*
 * The sender index and where the mac1 is of an initiation of any version
 * (the cookie reply echoes the one and seals under the other). Checks
 * only the header and the length.
 */
int
hs_initiation_fields(const uint8_t *pkt, size_t len, uint32_t *sender,
    const uint8_t **mac1)
{
	struct buf	rd;
	size_t		tail;
	uint32_t	idx;
	int		r;

	if ((r = hs_init_open(&rd, pkt, len, &tail)) != 0)
		return (r);
	if (buf_get_u32le(&rd, &idx) != 0)
		return (LN_E_DROP(LN_DROP_SHORT));
	*sender = idx;
	*mac1 = pkt + len - tail;
	return (0);
}

/*
 * Checks the mac2 that ends an initiation of version 2 (len bytes) under
 * a cookie (LN_COOKIE_LEN bytes), in constant time: 0, or a drop whose
 * meaning the caller (cookie.c) decides.
 */
int
hs_mac2_check(const uint8_t *cookie, const uint8_t *pkt, size_t len)
{
	uint8_t	want[LN_MAC_LEN];
	int	r;

	if (len < LN_MAC_LEN)
		return (LN_E_DROP(LN_DROP_SHORT));
	crypto_generichash(want, LN_MAC_LEN, pkt, len - LN_MAC_LEN, cookie,
	    LN_COOKIE_LEN);
	r = sodium_memcmp(want, pkt + len - LN_MAC_LEN, LN_MAC_LEN) == 0 ? 0 :
	    LN_E_DROP(LN_DROP_MAC1);
	sodium_memzero(want, sizeof want);
	return (r);
}

/*
 * Server: the checks of an initiation that cost no Diffie-Hellman and need
 * no secret: header, length, mac1 under our mac1 key, payload bound. The
 * server runs them before it takes a rate-limit token (as WireGuard
 * checks mac1 before its limiter), so that junk from anyone who does not
 * know our public key costs one BLAKE2b and spends nothing that a real
 * client needs. mac2, if any, is not checked here (cookie.c does, under
 * load). 0 or the drop, as the header comment lists.
 */
int
hs_check_initiation(const uint8_t *server_mac1_key, const uint8_t *pkt,
    size_t len)
{
	struct buf	rd;
	size_t		tail;
	int		r;

	if ((r = hs_init_open(&rd, pkt, len, &tail)) != 0)
		return (r);
	/* mac1 first: junk costs one BLAKE2b, not four X25519. */
	if ((r = hs_mac1_check(server_mac1_key, pkt,
	    len - (tail - LN_MAC_LEN))) != 0)
		return (r);
	if (len - HS_INIT_MIN(tail) > LN_MAX_HS_PAYLOAD)
		return (LN_E_DROP(LN_DROP_HANDSHAKE));
	return (0);
}

/*
 * Server: checks and reads an initiation packet with our static key pair
 * server_sk, server_pk and our mac1 key (hs_mac1_key of our public key);
 * the public key and the mac1 key are computed once, not per initiation.
 * On success: *hs_out is the responder's handshake, ready for hs_response;
 * *sender_index is the client's index, client_pk_out its (authenticated)
 * static key, and the payload (at most LN_MAX_HS_PAYLOAD bytes: pass a
 * buffer that large) is in payload, *plen bytes. Drops as the header
 * comment lists; LN_E_NOSPACE if the payload does not fit in pcap.
 */
int
hs_consume_initiation(struct noise_handshake *hs_out, const uint8_t *server_sk,
    const uint8_t *server_pk, const uint8_t *server_mac1_key,
    const uint8_t *pkt, size_t len,
    uint32_t *sender_index, uint8_t *client_pk_out, uint8_t *payload,
    size_t pcap, size_t *plen)
{
	struct noise_handshake	 tmp;
	struct buf		 rd;
	uint8_t			 pl[LN_MAX_HS_PAYLOAD];
	const uint8_t		*msg;
	size_t			 msglen, n, tail;
	uint32_t		 sender;
	int			 r;

	memset(&tmp, 0, sizeof tmp);
	if ((r = hs_check_initiation(server_mac1_key, pkt, len)) != 0)
		goto out;
	if ((r = hs_init_open(&rd, pkt, len, &tail)) != 0 ||
	    (r = buf_get_u32le(&rd, &sender)) != 0)
		goto out;
	msglen = len - HS_INIT_MIN(tail) + HS_MSG1_FIXED;
	if ((msg = buf_get_ptr(&rd, msglen)) == NULL) {
		r = LN_E_DROP(LN_DROP_SHORT);
		goto out;
	}

	if ((r = noise_init_pub(&tmp, NOISE_IK, NOISE_RESPONDER,
	    (const uint8_t *)LN_PROLOGUE, strlen(LN_PROLOGUE), server_sk,
	    server_pk, NULL, NULL)) != 0)
		goto out;
	/* -> e, es, s, ss, payload */
	if (noise_read(&tmp, msg, msglen, pl, sizeof pl, &n) != 0) {
		r = LN_E_DROP(LN_DROP_HANDSHAKE);
		goto out;
	}
	if (n > pcap) {
		r = LN_E_NOSPACE;
		goto out;
	}

	memcpy(hs_out, &tmp, sizeof tmp);
	*sender_index = sender;
	memcpy(client_pk_out, tmp.rs, LN_KEY_LEN);
	if (n != 0)
		memcpy(payload, pl, n);
	*plen = n;
	r = 0;
out:
	sodium_memzero(&tmp, sizeof tmp);
	sodium_memzero(pl, sizeof pl);
	return (r);
}

/*
 * Server: answers a consumed initiation. Writes the response packet (76 +
 * plen bytes) with our index sender_index and the client's receiver_index,
 * mac1 keyed for client_pk (which must be the key the initiation carried),
 * and splits the handshake into keys: send = c2 (server -> client),
 * recv = c1. On success *hs is wiped; on failure it is left as it was.
 */
int
hs_response(struct noise_handshake *hs, uint32_t sender_index,
    uint32_t receiver_index, const uint8_t *client_pk, const uint8_t *payload,
    size_t plen, uint8_t *out, size_t cap, size_t *outlen,
    struct hs_keys *keys)
{
	struct hs_keys		 k;
	struct buf		 w;
	uint8_t			 mkey[LN_KEY_LEN];
	size_t			 need;
	int			 r;

	memset(&k, 0, sizeof k);
	memset(mkey, 0, sizeof mkey);
	if (!hs_expects(hs, NOISE_IK, NOISE_RESPONDER, 1) || !hs->has_rs) {
		r = LN_E_STATE;
		goto out;
	}
	if (sodium_memcmp(client_pk, hs->rs, LN_KEY_LEN) != 0 ||
	    plen > LN_MAX_HS_PAYLOAD || (payload == NULL && plen != 0)) {
		r = LN_E_INVAL;
		goto out;
	}
	need = HS_RESP_FIXED + plen;
	if (cap < need) {
		r = LN_E_NOSPACE;
		goto out;
	}
	hs_mac1_key(client_pk, mkey);

	buf_writer(&w, out, need);
	/* <- e, ee, se, payload */
	if ((r = hs_put_header(&w, LN_PKT_RESPONSE)) != 0 ||
	    (r = buf_put_u32le(&w, sender_index)) != 0 ||
	    (r = buf_put_u32le(&w, receiver_index)) != 0 ||
	    (r = hs_write_last(hs, &w, out, mkey, payload, plen,
	    HS_MSG2_FIXED + plen, k.send, k.recv, k.remote_static)) != 0)
		goto out;
	k.local_index = sender_index;
	k.remote_index = receiver_index;
	memcpy(keys, &k, sizeof k);
	*outlen = buf_used(&w);
out:
	sodium_memzero(&k, sizeof k);
	sodium_memzero(mkey, sizeof mkey);
	return (r);
}

/*
 * Client: checks and reads the response to our initiation. The receiver
 * index must be expected_local_index (the sender index we sent), and mac1
 * is keyed with client_mac1_key (hs_mac1_key of our public key). On success
 * the payload is in payload (*plen bytes), keys holds send = c1 (client ->
 * server) and recv = c2, and *hs is wiped. On any failure *hs is left as it
 * was, so a forged or corrupted response cannot cancel a handshake whose
 * genuine response is still on its way.
 */
int
hs_consume_response(struct noise_handshake *hs, uint32_t expected_local_index,
    const uint8_t *client_mac1_key, const uint8_t *pkt, size_t len,
    uint8_t *payload, size_t pcap, size_t *plen, struct hs_keys *keys)
{
	struct hs_keys		 k;
	struct buf		 rd;
	const uint8_t		*msg;
	size_t			 msglen;
	uint32_t		 sender, receiver;
	int			 r;

	memset(&k, 0, sizeof k);
	buf_reader(&rd, pkt, len);
	if ((r = hs_get_header(&rd, LN_PKT_RESPONSE)) != 0)
		goto out;
	if (len < HS_RESP_FIXED) {
		r = LN_E_DROP(LN_DROP_SHORT);
		goto out;
	}
	if ((r = buf_get_u32le(&rd, &sender)) != 0 ||
	    (r = buf_get_u32le(&rd, &receiver)) != 0)
		goto out;
	if (receiver != expected_local_index) {
		r = LN_E_DROP(LN_DROP_UNKNOWN_INDEX);
		goto out;
	}
	msglen = len - HS_RESP_FIXED + HS_MSG2_FIXED;
	if ((msg = buf_get_ptr(&rd, msglen)) == NULL) {
		r = LN_E_DROP(LN_DROP_SHORT);
		goto out;
	}

	if ((r = hs_mac1_check(client_mac1_key, pkt, len)) != 0)
		goto out;
	if (len - HS_RESP_FIXED > LN_MAX_HS_PAYLOAD) {
		r = LN_E_DROP(LN_DROP_HANDSHAKE);
		goto out;
	}
	/* A handshake already completed (or never started) expects nothing. */
	if (!hs_expects(hs, NOISE_IK, NOISE_INITIATOR, 1)) {
		r = LN_E_DROP(LN_DROP_STATE);
		goto out;
	}

	/* <- e, ee, se, payload */
	if ((r = hs_read_last(hs, msg, msglen, payload, pcap, plen, k.send,
	    k.recv, k.remote_static)) != 0)
		goto out;
	k.local_index = expected_local_index;
	k.remote_index = sender;
	memcpy(keys, &k, sizeof k);
out:
	sodium_memzero(&k, sizeof k);
	return (r);
}
