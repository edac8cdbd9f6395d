/*
 * cookie.c: WireGuard's cookie mechanism (whitepaper section 5.4.7) for
 * lnsh's handshake: how a server that is flooded with initiations which
 * pass mac1 (their sender knows its public key) stops doing
 * Diffie-Hellman for them, without keeping any state per source.
 *
 * Under load (chan-server.c decides) the server answers an initiation
 * that has no valid mac2 with a cookie reply instead of reading it:
 *
 *   cookie     = BLAKE2b(out = 16, key = secret, source address bytes)
 *   reply      = header (type 3, version 2), the initiation's sender
 *                index, a random 24-byte nonce, and
 *                XChaCha20-Poly1305(key = cookie_key(S), nonce,
 *                                   plaintext = cookie,
 *                                   ad = the initiation's mac1)
 *   cookie_key(S) = BLAKE2b(out = 32, unkeyed, "cookie--" || S), S the
 *                server's static public key
 *
 * The secret is 32 random bytes, redrawn every LN_COOKIE_SECRET_NS, so a
 * cookie is worth nothing two minutes later. The reply is 64 bytes, less
 * than the smallest initiation (120), so it amplifies nothing. The client
 * keeps the cookie and puts mac2 = BLAKE2b(out = 16, key = cookie, every
 * byte before mac2) after mac1 in its next initiations (handshake.c),
 * which proves it receives at its source address: a spoofed flood cannot.
 *
 * Source address bytes: the family's port (2 bytes, network order), then
 * the 4 (IPv4) or 16 (IPv6) address bytes. A v4-mapped IPv6 address is
 * 16 bytes, and stays so for as long as the same socket receives it.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <string.h>

#include <sodium.h>

#include "proto.h"

/* The longest source address in bytes: port, then an IPv6 address. */
#define COOKIE_ADDR_MAX	(2 + 16)

/*
 * The bytes of a source address that a cookie covers (port, then
 * address), in out (COOKIE_ADDR_MAX bytes): their count, or 0 for a
 * family we do not serve.
 */
static size_t
cookie_addr_bytes(const struct chan_addr *a, uint8_t *out)
{
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;

	if (a->ss.ss_family == AF_INET && a->len >= sizeof sin) {
		memcpy(&sin, &a->ss, sizeof sin);
		memcpy(out, &sin.sin_port, 2);
		memcpy(out + 2, &sin.sin_addr, 4);
		return (2 + 4);
	}
	if (a->ss.ss_family == AF_INET6 && a->len >= sizeof sin6) {
		memcpy(&sin6, &a->ss, sizeof sin6);
		memcpy(out, &sin6.sin6_port, 2);
		memcpy(out + 2, &sin6.sin6_addr, 16);
		return (2 + 16);
	}
	return (0);
}

/* Server: sets up the checker for our static public key. */
void
cookie_checker_init(struct cookie_checker *cc, const uint8_t *server_pk)
{
	memset(cc, 0, sizeof *cc);
	hs_label_key(LN_COOKIE_LABEL, server_pk, cc->enc_key);
	randombytes_buf(cc->src_key, sizeof cc->src_key);
}

/* Server: wipes the checker's secrets. */
void
cookie_checker_wipe(struct cookie_checker *cc)
{
	sodium_memzero(cc, sizeof *cc);
}

/* Redraws the secret if there is none yet or it is older than its life. */
static void
cookie_rotate(struct cookie_checker *cc, uint64_t now)
{
	if (cc->have_secret && now >= cc->secret_ns &&
	    now - cc->secret_ns < LN_COOKIE_SECRET_NS)
		return;
	randombytes_buf(cc->secret, sizeof cc->secret);
	cc->secret_ns = now;
	cc->have_secret = 1;
	cc->rotations++;
}

/*
 * Server: the cookie of source address from at time now (the secret is
 * redrawn first if it is due). LN_E_INVAL for an address of a family we
 * do not serve.
 */
int
cookie_make(struct cookie_checker *cc, const struct chan_addr *from,
    uint64_t now, uint8_t *cookie)
{
	uint8_t	ab[COOKIE_ADDR_MAX];
	size_t	n;

	if ((n = cookie_addr_bytes(from, ab)) == 0)
		return (LN_E_INVAL);
	cookie_rotate(cc, now);
	crypto_generichash(cookie, LN_COOKIE_LEN, ab, n, cc->secret,
	    sizeof cc->secret);
	return (0);
}

/*
 * Server: checks the mac2 of an initiation already checked by
 * hs_check_initiation (header, length, mac1) against the cookie its
 * source address gets now. 0 when valid; LN_E_DROP(UNDER_LOAD) when the
 * initiation has no mac2 (version 1) or a wrong one.
 */
int
cookie_check_mac2(struct cookie_checker *cc, const uint8_t *pkt, size_t len,
    const struct chan_addr *from, uint64_t now)
{
	uint8_t	cookie[LN_COOKIE_LEN];
	int	r = LN_E_DROP(LN_DROP_UNDER_LOAD);

	if (len < LN_HDR_LEN + LN_MAC_LEN ||
	    pkt[1] != LN_PROTO_VERSION_COOKIE)
		return (r);
	if (cookie_make(cc, from, now, cookie) != 0)
		goto out;
	if (hs_mac2_check(cookie, pkt, len) == 0)
		r = 0;
out:
	sodium_memzero(cookie, sizeof cookie);
	return (r);
}

/*
 * Server: writes to out (cap >= LN_COOKIE_REPLY_LEN) the cookie reply to
 * the initiation pkt (len bytes, already checked by hs_check_initiation)
 * from source address from.
 */
int
cookie_reply(struct cookie_checker *cc, const uint8_t *pkt, size_t len,
    const struct chan_addr *from, uint64_t now, uint8_t *out, size_t cap,
    size_t *outlen)
{
	struct buf		 w;
	uint8_t			 cookie[LN_COOKIE_LEN];
	const uint8_t		*mac1;
	uint8_t			*nonce, *sealed;
	uint32_t		 sender;
	int			 r;

	if (cap < LN_COOKIE_REPLY_LEN)
		return (LN_E_NOSPACE);
	if ((r = hs_initiation_fields(pkt, len, &sender, &mac1)) != 0)
		return (r);
	if ((r = cookie_make(cc, from, now, cookie)) != 0)
		goto out;
	buf_writer(&w, out, LN_COOKIE_REPLY_LEN);
	if (hs_put_header_v(&w, LN_PKT_COOKIE_REPLY,
	    LN_PROTO_VERSION_COOKIE) != 0 || buf_put_u32le(&w, sender) != 0 ||
	    (nonce = buf_put_ptr(&w, LN_COOKIE_NONCE_LEN)) == NULL ||
	    (sealed = buf_put_ptr(&w, LN_COOKIE_LEN + LN_TAG_LEN)) == NULL) {
		r = LN_E_NOSPACE;
		goto out;
	}
	randombytes_buf(nonce, LN_COOKIE_NONCE_LEN);
	crypto_aead_xchacha20poly1305_ietf_encrypt(sealed, NULL, cookie,
	    sizeof cookie, mac1, LN_MAC_LEN, NULL, nonce, cc->enc_key);
	*outlen = buf_used(&w);
	r = 0;
out:
	sodium_memzero(cookie, sizeof cookie);
	return (r);
}

/*
 * Server: the bucket that limits, under load, initiations with a valid
 * mac2 from the source address from: one of LN_COOKIE_SOURCES, chosen by
 * a keyed hash of the address bytes, so nothing is made per source and a
 * sender cannot aim at another's bucket without knowing the key.
 */
struct ratelimit *
cookie_source(struct cookie_checker *cc, const struct chan_addr *from,
    uint64_t now)
{
	uint8_t		 ab[COOKIE_ADDR_MAX], h[crypto_shorthash_BYTES];
	uint64_t	 v = 0;
	size_t		 n, i;
	struct ratelimit *rl;

	n = cookie_addr_bytes(from, ab);
	crypto_shorthash(h, ab, n, cc->src_key);
	for (i = 0; i < sizeof h; i++)
		v = (v << 8) | h[i];
	rl = &cc->sources[v % LN_COOKIE_SOURCES];
	if (rl->burst == 0)
		ratelimit_init(rl, LN_COOKIE_PER_SRC_PER_SEC,
		    LN_COOKIE_PER_SRC_BURST, now);
	return (rl);
}

/* Client: sets up the cookie store for a server's static public key. */
void
cookie_maker_init(struct cookie_maker *cm, const uint8_t *server_pk)
{
	memset(cm, 0, sizeof *cm);
	hs_label_key(LN_COOKIE_LABEL, server_pk, cm->dec_key);
}

/* Client: wipes the cookie store. */
void
cookie_maker_wipe(struct cookie_maker *cm)
{
	sodium_memzero(cm, sizeof *cm);
}

/*
 * Client: the cookie to key mac2 of an initiation sent now, or NULL when
 * we have none young enough (LN_COOKIE_LIFE_NS).
 */
const uint8_t *
cookie_maker_get(const struct cookie_maker *cm, uint64_t now)
{
	if (!cm->have_cookie || now < cm->cookie_ns ||
	    now - cm->cookie_ns >= LN_COOKIE_LIFE_NS)
		return (NULL);
	return (cm->cookie);
}

/*
 * Client: an initiation (pkt, len bytes, as hs_initiation wrote it) went
 * out: a cookie reply is now accepted for it, once, and for no other.
 */
void
cookie_maker_sent(struct cookie_maker *cm, const uint8_t *pkt, size_t len)
{
	const uint8_t	*mac1;
	uint32_t	 sender;

	cm->awaiting = 0;
	if (hs_initiation_fields(pkt, len, &sender, &mac1) != 0)
		return;
	memcpy(cm->last_mac1, mac1, LN_MAC_LEN);
	cm->last_index = sender;
	cm->awaiting = 1;
}

/*
 * Client: reads a cookie reply. It must answer the initiation we sent
 * last (its receiver index is that initiation's sender index
 * [UNKNOWN_INDEX]), be the first accepted for it [STATE], and open under
 * cookie_key(S) with that initiation's mac1 as associated data [DECRYPT];
 * only then is its cookie kept, dated now. A replayed, forged or late
 * reply changes nothing.
 */
int
cookie_consume_reply(struct cookie_maker *cm, const uint8_t *pkt,
    size_t len, uint64_t now)
{
	struct buf	 rd;
	uint8_t		 cookie[LN_COOKIE_LEN];
	uint32_t	 receiver;
	const uint8_t	*nonce, *sealed;
	int		 r;

	buf_reader(&rd, pkt, len);
	if ((r = hs_get_header_v(&rd, LN_PKT_COOKIE_REPLY,
	    LN_PROTO_VERSION_COOKIE, LN_PROTO_VERSION_COOKIE, NULL)) != 0)
		return (r);
	if (len != LN_COOKIE_REPLY_LEN ||
	    buf_get_u32le(&rd, &receiver) != 0 ||
	    (nonce = buf_get_ptr(&rd, LN_COOKIE_NONCE_LEN)) == NULL ||
	    (sealed = buf_get_ptr(&rd, LN_COOKIE_LEN + LN_TAG_LEN)) == NULL)
		return (LN_E_DROP(LN_DROP_SHORT));
	if (receiver != cm->last_index)
		return (LN_E_DROP(LN_DROP_UNKNOWN_INDEX));
	if (!cm->awaiting)
		return (LN_E_DROP(LN_DROP_STATE));
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(cookie, NULL, NULL,
	    sealed, LN_COOKIE_LEN + LN_TAG_LEN, cm->last_mac1, LN_MAC_LEN,
	    nonce, cm->dec_key) != 0) {
		r = LN_E_DROP(LN_DROP_DECRYPT);
		goto out;
	}
	memcpy(cm->cookie, cookie, sizeof cookie);
	cm->cookie_ns = now;
	cm->have_cookie = 1;
	cm->awaiting = 0;
	r = 0;
out:
	sodium_memzero(cookie, sizeof cookie);
	return (r);
}
