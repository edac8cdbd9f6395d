/*
 * pairing.c: the four pairing packets of lnsh, which let a client that
 * knows neither the server's key nor has its own key admitted yet get both
 * done with a one-time code read off the server (`lnshd pair`). They carry
 * Noise_XXpsk3_25519_ChaChaPoly_BLAKE2b (noise.c), prologue LN_PROLOGUE,
 * with PSK = pair_code_psk(code):
 *
 *	code  = 20 characters of Crockford base32 (100 bits), printed in
 *		groups of 4 joined by '-'. Normalised before use: case is
 *		ignored, so are '-' and ' ', and O reads as 0, I and L as 1.
 *	psk   = BLAKE2b-256(LN_PAIR_PSK_LABEL || normalised code)
 *	mkey  = BLAKE2b-256(LN_PAIR_MAC1_LABEL || psk)
 *
 * The client does not know the server's static key, so mac1 cannot be keyed
 * by it as in handshake.c: it is keyed by mkey instead, and the server
 * drops junk by trying the mac1 keys of its pending codes (a bounded
 * number of BLAKE2b) before any Diffie-Hellman. As there, mac1 is no
 * authentication; Noise with the PSK is. The header, mac1 and the Noise
 * message framing are handshake.c's (hs_put_header, hs_put_noise, ...), so
 * both packet families are built and checked by the same code.
 *
 * All integers are little-endian; plen is a payload's length (protobuf,
 * proto/pair.proto), at most LN_PAIR_MAX_PAYLOAD.
 *
 * Init, client -> server, 72 bytes:
 *   0    4   header: type LN_PKT_PAIR_INIT (5), version 1, reserved 0
 *   4    4   sender index: the client's
 *   8    32  XXpsk3 message 1, token e
 *   40   16    empty payload's tag (psk modes key after e)
 *   56   16  mac1
 *
 * Response, server -> client, 124 bytes:
 *   0    4   header: type LN_PKT_PAIR_RESPONSE (6)
 *   4    4   sender index: the server's
 *   8    4   receiver index: the client's, echoed
 *   12   32  message 2, token e
 *   44   48    token s: the server's static key, encrypted
 *   92   16    empty payload's tag
 *   108  16  mac1
 *
 * Finish, client -> server, 88 + plen bytes:
 *   0    4   header: type LN_PKT_PAIR_FINISH (7)
 *   4    4   receiver index: the server's
 *   8    48  message 3, token s: the client's static key, encrypted
 *   56   plen+16  psk, then the payload (a PairRequest), encrypted
 *   72+plen 16 mac1
 *
 * Result, server -> client, 24 + plen bytes:
 *   0    4   header: type LN_PKT_PAIR_RESULT (8)
 *   4    4   receiver index: the client's
 *   8    plen+16  a PairResult, ChaCha20-Poly1305 under the server ->
 *		  client key of Split() (c2), nonce 0, the 8 bytes before it
 *		  as associated data
 *
 * Only a peer that knows the code completes message 3 (the server) or
 * opens the result (the client): a wrong code fails at the first packet
 * checked with it, and the server never answers a packet it dropped.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "proto.h"

#define PAIR_MSG1_LEN	(LN_KEY_LEN + LN_TAG_LEN)
#define PAIR_MSG2_LEN	(LN_KEY_LEN + LN_KEY_LEN + LN_TAG_LEN + LN_TAG_LEN)
#define PAIR_MSG3_FIXED	(LN_KEY_LEN + LN_TAG_LEN + LN_TAG_LEN)
#define PAIR_INIT_LEN	(LN_HDR_LEN + 4 + PAIR_MSG1_LEN + LN_MAC_LEN)
#define PAIR_RESP_LEN	(LN_HDR_LEN + 8 + PAIR_MSG2_LEN + LN_MAC_LEN)
#define PAIR_FIN_FIXED	(LN_HDR_LEN + 4 + PAIR_MSG3_FIXED + LN_MAC_LEN)
#define PAIR_RES_FIXED	(LN_HDR_LEN + 4 + LN_TAG_LEN)

static const char pair_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* A new code, "XXXX-XXXX-XXXX-XXXX-XXXX", into out[PAIR_CODE_TEXT_MAX]. */
void
pair_code_new(char *out)
{
	size_t	i, o = 0;

	for (i = 0; i < LN_PAIR_CODE_CHARS; i++) {
		if (i != 0 && i % LN_PAIR_CODE_GROUP == 0)
			out[o++] = '-';
		out[o++] = pair_alphabet[randombytes_uniform(32)];
	}
	out[o] = '\0';
}

/*
 * The canonical form of a code as a person typed it (LN_PAIR_CODE_CHARS
 * characters and a NUL into out), or LN_E_INVAL.
 */
int
pair_code_normalise(const char *text, char *out)
{
	char		 tmp[LN_PAIR_CODE_CHARS + 1];
	const char	*p;
	size_t		 n = 0;
	int		 c, r = LN_E_INVAL;

	for (p = text; *p != '\0'; p++) {
		c = (unsigned char)*p;
		if (c == '-' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c == 'O')
			c = '0';
		else if (c == 'I' || c == 'L')
			c = '1';
		if (c == '\0' || strchr(pair_alphabet, c) == NULL ||
		    n == LN_PAIR_CODE_CHARS)
			goto out;
		tmp[n++] = (char)c;
	}
	if (n != LN_PAIR_CODE_CHARS)
		goto out;
	tmp[n] = '\0';
	memcpy(out, tmp, sizeof tmp);
	r = 0;
out:
	sodium_memzero(tmp, sizeof tmp);
	return (r);
}

/* psk = BLAKE2b-256(LN_PAIR_PSK_LABEL || normalised code). */
int
pair_code_psk(const char *text, uint8_t *psk)
{
	crypto_generichash_state	st;
	char				norm[LN_PAIR_CODE_CHARS + 1];

	if (pair_code_normalise(text, norm) != 0)
		return (LN_E_INVAL);
	crypto_generichash_init(&st, NULL, 0, LN_KEY_LEN);
	crypto_generichash_update(&st, (const uint8_t *)LN_PAIR_PSK_LABEL,
	    strlen(LN_PAIR_PSK_LABEL));
	crypto_generichash_update(&st, (const uint8_t *)norm,
	    LN_PAIR_CODE_CHARS);
	crypto_generichash_final(&st, psk, LN_KEY_LEN);
	sodium_memzero(norm, sizeof norm);
	sodium_memzero(&st, sizeof st);
	return (0);
}

/* mac1 key of a code: BLAKE2b-256(LN_PAIR_MAC1_LABEL || psk). */
void
pair_mac1_key(const uint8_t *psk, uint8_t *key)
{
	hs_label_key(LN_PAIR_MAC1_LABEL, psk, key);
}

/* The LN_PKT_PAIR_* type of a datagram, or 0 if it is not a pairing one. */
int
pair_packet_type(const uint8_t *pkt, size_t len)
{
	struct buf	rd;
	uint8_t		type;

	buf_reader(&rd, pkt, len);
	if (buf_get_u8(&rd, &type) != 0)
		return (0);
	if (type < LN_PKT_PAIR_INIT || type > LN_PKT_PAIR_RESULT)
		return (0);
	return (type);
}

/*
 * The index after the header of a response, finish or result (whose
 * receiver it names) or an init (its sender), for finding the handshake a
 * packet belongs to before checking it.
 */
int
pair_packet_index(const uint8_t *pkt, size_t len, uint32_t *index)
{
	struct buf	rd;
	uint32_t	v;
	int		type, r;

	if ((type = pair_packet_type(pkt, len)) == 0)
		return (LN_E_DROP(LN_DROP_TYPE));
	buf_reader(&rd, pkt, len);
	if ((r = hs_get_header(&rd, (uint8_t)type)) != 0)
		return (r);
	if (type == LN_PKT_PAIR_RESPONSE && buf_get_u32le(&rd, &v) != 0)
		return (LN_E_DROP(LN_DROP_SHORT));
	if (buf_get_u32le(&rd, &v) != 0)
		return (LN_E_DROP(LN_DROP_SHORT));
	*index = v;
	return (0);
}

/* 0 if the mac1 ending pkt is right under a code's mac1 key. */
int
pair_mac1_ok(const uint8_t *pkt, size_t len, const uint8_t *mkey)
{
	if (len < LN_HDR_LEN + LN_MAC_LEN)
		return (LN_E_DROP(LN_DROP_SHORT));
	return (hs_mac1_check(mkey, pkt, len));
}

/*
 * Starts reading the pairing packet pkt: the header must name type and the
 * length be min to max bytes, else a drop (SHORT for the length).
 */
static int
pair_get_header(struct buf *rd, const uint8_t *pkt, size_t len, uint8_t type,
    size_t min, size_t max)
{
	int	r;

	buf_reader(rd, pkt, len);
	if ((r = hs_get_header(rd, type)) != 0)
		return (r);
	if (len < min || len > max)
		return (LN_E_DROP(LN_DROP_SHORT));
	return (0);
}

/*
 * 0 if a packet names local as its receiver (else UNKNOWN_INDEX) and its
 * mac1 is right under mkey.
 */
static int
pair_to_us(uint32_t receiver, uint32_t local, const uint8_t *pkt,
    size_t len, const uint8_t *mkey)
{
	if (receiver != local)
		return (LN_E_DROP(LN_DROP_UNKNOWN_INDEX));
	return (pair_mac1_ok(pkt, len, mkey));
}

/*
 * Reads the Noise message msg, which must carry no payload (messages 1 and
 * 2 of XXpsk3), into hs; anything else is a HANDSHAKE drop.
 */
static int
pair_read_empty(struct noise_handshake *hs, const uint8_t *msg, size_t len)
{
	uint8_t	pl[LN_TAG_LEN];
	size_t	n;

	if (noise_read(hs, msg, len, pl, sizeof pl, &n) != 0 || n != 0)
		return (LN_E_DROP(LN_DROP_HANDSHAKE));
	return (0);
}

/*
 * Client: starts XXpsk3 as initiator with our static key client_sk (sent
 * only in message 3) and the code's psk and mac1 key, writing the init
 * packet (72 bytes). On success *hs is kept for
 * pair_consume_response; on failure it is untouched.
 */
int
pair_init(struct noise_handshake *hs, const uint8_t *client_sk,
    const uint8_t *psk, const uint8_t *mkey, uint32_t sender_index,
    uint8_t *out, size_t cap, size_t *outlen)
{
	struct noise_handshake	 tmp;
	struct buf		 w;
	int			 r;

	memset(&tmp, 0, sizeof tmp);
	if (cap < PAIR_INIT_LEN) {
		r = LN_E_NOSPACE;
		goto out;
	}
	if ((r = noise_init(&tmp, NOISE_XXPSK3, NOISE_INITIATOR,
	    (const uint8_t *)LN_PROLOGUE, strlen(LN_PROLOGUE), client_sk,
	    NULL, psk)) != 0)
		goto out;
	buf_writer(&w, out, PAIR_INIT_LEN);
	/* -> e */
	if ((r = hs_put_header(&w, LN_PKT_PAIR_INIT)) != 0 ||
	    (r = buf_put_u32le(&w, sender_index)) != 0 ||
	    (r = hs_put_noise(&w, &tmp, NULL, 0, PAIR_MSG1_LEN)) != 0 ||
	    (r = hs_put_mac1(&w, out, mkey)) != 0)
		goto out;
	memcpy(hs, &tmp, sizeof tmp);
	*outlen = buf_used(&w);
out:
	sodium_memzero(&tmp, sizeof tmp);
	return (r);
}

/*
 * Server: reads an init whose mac1 matched the code of psk and mkey, as
 * responder with our static key. On success *hs_out is ready for
 * pair_response and *sender_index is the client's index.
 */
int
pair_consume_init(struct noise_handshake *hs_out, const uint8_t *server_sk,
    const uint8_t *psk, const uint8_t *mkey, const uint8_t *pkt, size_t len,
    uint32_t *sender_index)
{
	struct noise_handshake	 tmp;
	struct buf		 rd;
	const uint8_t		*msg;
	uint32_t		 sender;
	int			 r;

	memset(&tmp, 0, sizeof tmp);
	if ((r = pair_get_header(&rd, pkt, len, LN_PKT_PAIR_INIT,
	    PAIR_INIT_LEN, PAIR_INIT_LEN)) != 0)
		goto out;
	if ((r = buf_get_u32le(&rd, &sender)) != 0 ||
	    (msg = buf_get_ptr(&rd, PAIR_MSG1_LEN)) == NULL) {
		r = LN_E_DROP(LN_DROP_SHORT);
		goto out;
	}
	if ((r = pair_mac1_ok(pkt, len, mkey)) != 0)
		goto out;
	if ((r = noise_init(&tmp, NOISE_XXPSK3, NOISE_RESPONDER,
	    (const uint8_t *)LN_PROLOGUE, strlen(LN_PROLOGUE), server_sk,
	    NULL, psk)) != 0)
		goto out;
	/* -> e */
	if ((r = pair_read_empty(&tmp, msg, PAIR_MSG1_LEN)) != 0)
		goto out;
	memcpy(hs_out, &tmp, sizeof tmp);
	*sender_index = sender;
	r = 0;
out:
	sodium_memzero(&tmp, sizeof tmp);
	return (r);
}

/*
 * Server: the response (124 bytes) to a consumed init, with our index and
 * the client's. *hs advances on success only.
 */
int
pair_response(struct noise_handshake *hs, uint32_t sender_index,
    uint32_t receiver_index, const uint8_t *mkey, uint8_t *out, size_t cap,
    size_t *outlen)
{
	struct noise_handshake	 tmp;
	struct buf		 w;
	int			 r;

	memset(&tmp, 0, sizeof tmp);
	if (!hs_expects(hs, NOISE_XXPSK3, NOISE_RESPONDER, 1)) {
		r = LN_E_STATE;
		goto out;
	}
	if (cap < PAIR_RESP_LEN) {
		r = LN_E_NOSPACE;
		goto out;
	}
	memcpy(&tmp, hs, sizeof tmp);
	buf_writer(&w, out, PAIR_RESP_LEN);
	/* <- e, ee, s, es */
	if ((r = hs_put_header(&w, LN_PKT_PAIR_RESPONSE)) != 0 ||
	    (r = buf_put_u32le(&w, sender_index)) != 0 ||
	    (r = buf_put_u32le(&w, receiver_index)) != 0 ||
	    (r = hs_put_noise(&w, &tmp, NULL, 0, PAIR_MSG2_LEN)) != 0 ||
	    (r = hs_put_mac1(&w, out, mkey)) != 0)
		goto out;
	memcpy(hs, &tmp, sizeof tmp);
	*outlen = buf_used(&w);
out:
	sodium_memzero(&tmp, sizeof tmp);
	return (r);
}

/*
 * Client: reads the response to our init. On success *hs holds the server's
 * static key (hs->rs) and is ready for pair_finish, and *server_index is
 * the server's index; on any failure *hs is left as it was, so a forged
 * response cannot spoil the genuine one on its way.
 */
int
pair_consume_response(struct noise_handshake *hs, uint32_t expected_index,
    const uint8_t *mkey, const uint8_t *pkt, size_t len,
    uint32_t *server_index)
{
	struct noise_handshake	 tmp;
	struct buf		 rd;
	const uint8_t		*msg;
	uint32_t		 sender, receiver;
	int			 r;

	memset(&tmp, 0, sizeof tmp);
	if ((r = pair_get_header(&rd, pkt, len, LN_PKT_PAIR_RESPONSE,
	    PAIR_RESP_LEN, PAIR_RESP_LEN)) != 0)
		goto out;
	if (buf_get_u32le(&rd, &sender) != 0 ||
	    buf_get_u32le(&rd, &receiver) != 0 ||
	    (msg = buf_get_ptr(&rd, PAIR_MSG2_LEN)) == NULL) {
		r = LN_E_DROP(LN_DROP_SHORT);
		goto out;
	}
	if ((r = pair_to_us(receiver, expected_index, pkt, len, mkey)) != 0)
		goto out;
	if (!hs_expects(hs, NOISE_XXPSK3, NOISE_INITIATOR, 1)) {
		r = LN_E_DROP(LN_DROP_STATE);
		goto out;
	}
	memcpy(&tmp, hs, sizeof tmp);
	/* <- e, ee, s, es */
	if ((r = pair_read_empty(&tmp, msg, PAIR_MSG2_LEN)) != 0)
		goto out;
	memcpy(hs, &tmp, sizeof tmp);
	*server_index = sender;
	r = 0;
out:
	sodium_memzero(&tmp, sizeof tmp);
	return (r);
}

/*
 * Client: the finish packet (88 + plen bytes) with the request payload,
 * then Split: keys->send = c1, recv = c2,
 * remote_index = server_index, remote_static = the server's key; the
 * caller sets keys->local_index to its own index. *hs is wiped on success.
 */
int
pair_finish(struct noise_handshake *hs, uint32_t server_index,
    const uint8_t *mkey, const uint8_t *payload,
    size_t plen, uint8_t *out, size_t cap, size_t *outlen,
    struct hs_keys *keys)
{
	struct hs_keys		 k;
	struct buf		 w;
	size_t			 need;
	int			 r;

	memset(&k, 0, sizeof k);
	if (!hs_expects(hs, NOISE_XXPSK3, NOISE_INITIATOR, 2) || !hs->has_rs) {
		r = LN_E_STATE;
		goto out;
	}
	if (plen > LN_PAIR_MAX_PAYLOAD || (payload == NULL && plen != 0)) {
		r = LN_E_INVAL;
		goto out;
	}
	need = PAIR_FIN_FIXED + plen;
	if (cap < need) {
		r = LN_E_NOSPACE;
		goto out;
	}
	buf_writer(&w, out, need);
	/* -> s, se, psk, payload */
	if ((r = hs_put_header(&w, LN_PKT_PAIR_FINISH)) != 0 ||
	    (r = buf_put_u32le(&w, server_index)) != 0 ||
	    (r = hs_write_last(hs, &w, out, mkey, payload, plen,
	    PAIR_MSG3_FIXED + plen, k.send, k.recv, k.remote_static)) != 0)
		goto out;
	k.remote_index = server_index;
	memcpy(keys, &k, sizeof k);
	*outlen = buf_used(&w);
out:
	sodium_memzero(&k, sizeof k);
	return (r);
}

/*
 * Server: checks and reads a finish for the handshake *hs (whose index,
 * ours, is local_index). On success the PairRequest is in payload (*plen
 * bytes), keys hold send = c2, recv = c1, the client's static key and both
 * indices, and *hs is wiped; on failure *hs is untouched.
 */
int
pair_consume_finish(struct noise_handshake *hs, uint32_t local_index,
    const uint8_t *mkey, const uint8_t *pkt, size_t len, uint8_t *payload,
    size_t pcap, size_t *plen, struct hs_keys *keys)
{
	struct hs_keys		 k;
	struct buf		 rd;
	const uint8_t		*msg;
	size_t			 msglen;
	uint32_t		 receiver;
	int			 r;

	memset(&k, 0, sizeof k);
	if ((r = pair_get_header(&rd, pkt, len, LN_PKT_PAIR_FINISH,
	    PAIR_FIN_FIXED, SIZE_MAX)) != 0)
		goto out;
	msglen = len - PAIR_FIN_FIXED + PAIR_MSG3_FIXED;
	if (buf_get_u32le(&rd, &receiver) != 0 ||
	    (msg = buf_get_ptr(&rd, msglen)) == NULL) {
		r = LN_E_DROP(LN_DROP_SHORT);
		goto out;
	}
	if ((r = pair_to_us(receiver, local_index, pkt, len, mkey)) != 0)
		goto out;
	if (len - PAIR_FIN_FIXED > LN_PAIR_MAX_PAYLOAD) {
		r = LN_E_DROP(LN_DROP_HANDSHAKE);
		goto out;
	}
	if (!hs_expects(hs, NOISE_XXPSK3, NOISE_RESPONDER, 2)) {
		r = LN_E_DROP(LN_DROP_STATE);
		goto out;
	}
	/* -> s, se, psk, payload */
	if ((r = hs_read_last(hs, msg, msglen, payload, pcap, plen, k.send,
	    k.recv, k.remote_static)) != 0)
		goto out;
	/* The client's index came with its init: the caller sets it. */
	k.local_index = local_index;
	memcpy(keys, &k, sizeof k);
out:
	sodium_memzero(&k, sizeof k);
	return (r);
}

/*
 * Server: the result packet (24 + plen bytes) to keys->remote_index,
 * sealed under keys->send with nonce 0 (the only packet under that key).
 */
int
pair_result(const struct hs_keys *keys, const uint8_t *payload,
    size_t plen, uint8_t *out, size_t cap, size_t *outlen)
{
	struct buf	 w;
	uint8_t		*ct;
	int		 r;

	if (plen > LN_PAIR_MAX_PAYLOAD || (payload == NULL && plen != 0))
		return (LN_E_INVAL);
	if (cap < PAIR_RES_FIXED + plen)
		return (LN_E_NOSPACE);
	buf_writer(&w, out, PAIR_RES_FIXED + plen);
	if ((r = hs_put_header(&w, LN_PKT_PAIR_RESULT)) != 0 ||
	    (r = buf_put_u32le(&w, keys->remote_index)) != 0)
		return (r);
	if ((ct = buf_put_ptr(&w, plen + LN_TAG_LEN)) == NULL)
		return (LN_E_NOSPACE);
	if ((r = noise_seal(keys->send, 0, out, LN_HDR_LEN + 4, payload, plen,
	    ct)) != 0)
		return (r);
	*outlen = buf_used(&w);
	return (0);
}

/* Client: opens the result addressed to keys->local_index. */
int
pair_consume_result(const struct hs_keys *keys, const uint8_t *pkt,
    size_t len, uint8_t *payload, size_t pcap, size_t *plen)
{
	struct buf	 rd;
	const uint8_t	*ad, *ct;
	uint8_t		 pl[LN_PAIR_MAX_PAYLOAD];
	size_t		 ctlen;
	uint32_t	 receiver;
	int		 r;

	if ((r = pair_get_header(&rd, pkt, len, LN_PKT_PAIR_RESULT,
	    PAIR_RES_FIXED, SIZE_MAX)) != 0)
		return (r);
	if (buf_get_u32le(&rd, &receiver) != 0 ||
	    (ct = buf_get_rest(&rd, &ctlen)) == NULL)
		return (LN_E_DROP(LN_DROP_SHORT));
	if (receiver != keys->local_index)
		return (LN_E_DROP(LN_DROP_UNKNOWN_INDEX));
	if (ctlen - LN_TAG_LEN > LN_PAIR_MAX_PAYLOAD)
		return (LN_E_DROP(LN_DROP_DECRYPT));
	buf_reader(&rd, pkt, len);
	if ((ad = buf_get_ptr(&rd, LN_HDR_LEN + 4)) == NULL)
		return (LN_E_DROP(LN_DROP_SHORT));
	if (noise_open(keys->recv, 0, ad, LN_HDR_LEN + 4, ct, ctlen, pl) != 0) {
		r = LN_E_DROP(LN_DROP_DECRYPT);
		goto out;
	}
	if (ctlen - LN_TAG_LEN > pcap) {
		r = LN_E_NOSPACE;
		goto out;
	}
	if (ctlen != LN_TAG_LEN)
		memcpy(payload, pl, ctlen - LN_TAG_LEN);
	*plen = ctlen - LN_TAG_LEN;
	r = 0;
out:
	sodium_memzero(pl, sizeof pl);
	return (r);
}
