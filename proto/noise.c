/*
 * noise.c: the Noise Protocol Framework (revision 34) for the cipher suite
 * 25519_ChaChaPoly_BLAKE2b, built from libsodium primitives only:
 *
 *	DH	X25519 (crypto_scalarmult); an all-zero result (a low-order
 *		public key) is refused with LN_E_CRYPTO.
 *	cipher	ChaCha20-Poly1305 IETF; the 96-bit nonce is 4 zero bytes
 *		followed by the 64-bit counter n, little-endian.
 *	hash	BLAKE2b with 64-byte output (crypto_generichash).
 *	HMAC	HMAC-BLAKE2b per RFC 2104 with a 128-byte block, built on
 *		crypto_generichash_init/update/final (libsodium has none).
 *	HKDF	as section 4.3 of the Noise specification defines it.
 *
 * It implements the CipherState, SymmetricState and HandshakeState objects
 * of the specification for the patterns lnsh needs (IK for every
 * connection, XXpsk3 for pairing) and those the test vectors exercise
 * around them (NN, NNpsk0, XX):
 *
 *	NN:	-> e
 *		<- e, ee
 *	NNpsk0:	-> psk, e
 *		<- e, ee
 *	IK:	<- s
 *		...
 *		-> e, es, s, ss
 *		<- e, ee, se
 *	XX:	-> e
 *		<- e, ee, s, es
 *		-> s, se
 *	XXpsk3:	-> e
 *		<- e, ee, s, es
 *		-> s, se, psk
 *
 * With any psk modifier, the `e` token also does MixKey(e.pub) (section 9).
 *
 * Failure semantics. noise_write and noise_read check lengths and turn
 * before they touch the state, so LN_E_STATE, LN_E_INVAL, LN_E_NOSPACE and
 * a too-short message leave the handshake as it was. Any later failure
 * (a decryption that does not authenticate, a low-order key) happens after
 * the hash and chaining key have moved on; the handshake is then wiped and
 * marked dead, and the caller must discard it. A receiver that must survive
 * forged packets (handshake.c) reads into a copy of the handshake and
 * commits the copy only on success.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "proto.h"

#define NOISE_BLOCK_LEN		128	/* BLAKE2b block, for HMAC */
#define NOISE_NONCE_LEN		12	/* ChaCha20-Poly1305 IETF */
#define NOISE_MAX_MSG_LEN	65535	/* section 3 */
#define NOISE_DEAD		(-1)	/* msg_index of a wiped handshake */

/* Message tokens (section 7). */
enum noise_token {
	TOK_END = 0,
	TOK_E,
	TOK_S,
	TOK_EE,
	TOK_ES,
	TOK_SE,
	TOK_SS,
	TOK_PSK,
};

#define NOISE_MAX_MSGS		3
#define NOISE_MAX_TOKENS	5	/* 4 tokens and TOK_END */

/* One handshake pattern: its protocol name, premessage and messages. */
struct noise_pattern_def {
	const char	*name;
	int		 pre_rs;	/* "<- s" premessage (IK) */
	int		 psk;		/* has a psk modifier */
	int		 i_static;	/* initiator has a static key */
	int		 r_static;	/* responder has a static key */
	int		 nmsgs;
	uint8_t		 msgs[NOISE_MAX_MSGS][NOISE_MAX_TOKENS];
};

/* Indexed by enum noise_pattern. Message i is the initiator's if i is even. */
static const struct noise_pattern_def patterns[] = {
	[NOISE_NN] = {
		"Noise_NN_25519_ChaChaPoly_BLAKE2b", 0, 0, 0, 0, 2, {
			{ TOK_E },
			{ TOK_E, TOK_EE },
		},
	},
	[NOISE_NNPSK0] = {
		"Noise_NNpsk0_25519_ChaChaPoly_BLAKE2b", 0, 1, 0, 0, 2, {
			{ TOK_PSK, TOK_E },
			{ TOK_E, TOK_EE },
		},
	},
	[NOISE_IK] = {
		LN_NOISE_IK, 1, 0, 1, 1, 2, {
			{ TOK_E, TOK_ES, TOK_S, TOK_SS },
			{ TOK_E, TOK_EE, TOK_SE },
		},
	},
	[NOISE_XX] = {
		"Noise_XX_25519_ChaChaPoly_BLAKE2b", 0, 0, 1, 1, 3, {
			{ TOK_E },
			{ TOK_E, TOK_EE, TOK_S, TOK_ES },
			{ TOK_S, TOK_SE },
		},
	},
	[NOISE_XXPSK3] = {
		LN_NOISE_XXPSK3, 0, 1, 1, 1, 3, {
			{ TOK_E },
			{ TOK_E, TOK_EE, TOK_S, TOK_ES },
			{ TOK_S, TOK_SE, TOK_PSK },
		},
	},
};

/* ------------------------------------------------------------ primitives */

/* BLAKE2b-512 of a || b, the HASH() of the suite; either part may be empty. */
void
noise_hash(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
    uint8_t *out)
{
	crypto_generichash_state	st;

	crypto_generichash_init(&st, NULL, 0, LN_HASH_LEN);
	if (alen != 0)
		crypto_generichash_update(&st, a, alen);
	if (blen != 0)
		crypto_generichash_update(&st, b, blen);
	crypto_generichash_final(&st, out, LN_HASH_LEN);
	sodium_memzero(&st, sizeof st);
}

/*
 * HMAC-BLAKE2b (RFC 2104, block 128 bytes, output 64) of in1 || in2.
 * HKDF needs the two-part input for "output || byte".
 */
static void
noise_hmac(const uint8_t *key, size_t keylen, const uint8_t *in1,
    size_t len1, const uint8_t *in2, size_t len2, uint8_t *out)
{
	crypto_generichash_state	st;
	uint8_t				k[NOISE_BLOCK_LEN];
	uint8_t				pad[NOISE_BLOCK_LEN];
	uint8_t				inner[LN_HASH_LEN];
	size_t				i;

	/* A key longer than a block is hashed first (RFC 2104, section 2). */
	memset(k, 0, sizeof k);
	if (keylen > NOISE_BLOCK_LEN)
		noise_hash(key, keylen, NULL, 0, k);
	else if (keylen != 0)
		memcpy(k, key, keylen);

	/* inner = HASH((K ^ ipad) || text) */
	for (i = 0; i < sizeof pad; i++)
		pad[i] = k[i] ^ 0x36;
	crypto_generichash_init(&st, NULL, 0, LN_HASH_LEN);
	crypto_generichash_update(&st, pad, sizeof pad);
	if (len1 != 0)
		crypto_generichash_update(&st, in1, len1);
	if (len2 != 0)
		crypto_generichash_update(&st, in2, len2);
	crypto_generichash_final(&st, inner, sizeof inner);

	/* out = HASH((K ^ opad) || inner) */
	for (i = 0; i < sizeof pad; i++)
		pad[i] = k[i] ^ 0x5c;
	crypto_generichash_init(&st, NULL, 0, LN_HASH_LEN);
	crypto_generichash_update(&st, pad, sizeof pad);
	crypto_generichash_update(&st, inner, sizeof inner);
	crypto_generichash_final(&st, out, LN_HASH_LEN);

	sodium_memzero(&st, sizeof st);
	sodium_memzero(k, sizeof k);
	sodium_memzero(pad, sizeof pad);
	sodium_memzero(inner, sizeof inner);
}

/*
 * HKDF(chaining_key, input_key_material, num_outputs) of section 4.3:
 * two outputs, or three when out3 is not NULL. Each output is 64 bytes.
 */
static void
noise_hkdf(const uint8_t *ck, const uint8_t *ikm, size_t ikmlen,
    uint8_t *out1, uint8_t *out2, uint8_t *out3)
{
	uint8_t	temp_key[LN_HASH_LEN];
	uint8_t	byte;

	noise_hmac(ck, LN_HASH_LEN, ikm, ikmlen, NULL, 0, temp_key);
	byte = 0x01;
	noise_hmac(temp_key, sizeof temp_key, &byte, 1, NULL, 0, out1);
	byte = 0x02;
	noise_hmac(temp_key, sizeof temp_key, out1, LN_HASH_LEN, &byte, 1,
	    out2);
	if (out3 != NULL) {
		byte = 0x03;
		noise_hmac(temp_key, sizeof temp_key, out2, LN_HASH_LEN,
		    &byte, 1, out3);
	}
	sodium_memzero(temp_key, sizeof temp_key);
}

/*
 * X25519 scalar multiplications this process has done (DH and public
 * keys): what a handshake flood costs, shown by `lnshd status` (dh_ops).
 * One counter for the process, which has one event loop.
 */
static uint64_t	noise_x25519_ops;

/* How many X25519 operations this process has done. */
uint64_t
noise_x25519_count(void)
{
	return (noise_x25519_ops);
}

/* DH(priv, pub): X25519, refusing the all-zero output of low-order keys. */
static int
noise_dh(const uint8_t *priv, const uint8_t *pub, uint8_t *out)
{
	noise_x25519_ops++;
	if (crypto_scalarmult(out, priv, pub) != 0 ||
	    sodium_is_zero(out, LN_KEY_LEN)) {
		sodium_memzero(out, LN_KEY_LEN);
		return (LN_E_CRYPTO);
	}
	return (0);
}

/* The 96-bit nonce of a 64-bit counter: 4 zero bytes, then n little-endian. */
static void
noise_nonce(uint64_t n, uint8_t *nonce)
{
	struct buf	w;

	buf_writer(&w, nonce, NOISE_NONCE_LEN);
	buf_put_u32le(&w, 0);
	buf_put_u64le(&w, n);
}

/* Public key of an X25519 private key. */
int
noise_pubkey(const uint8_t *priv, uint8_t *pub)
{
	noise_x25519_ops++;
	if (crypto_scalarmult_base(pub, priv) != 0)
		return (LN_E_CRYPTO);
	return (0);
}

/* A fresh X25519 key pair from the system's random source. */
int
noise_keypair(uint8_t *priv, uint8_t *pub)
{
	uint8_t	sk[LN_KEY_LEN], pk[LN_KEY_LEN];
	int	r;

	if (sodium_init() < 0)
		return (LN_E_CRYPTO);
	randombytes_buf(sk, sizeof sk);
	if ((r = noise_pubkey(sk, pk)) == 0) {
		memcpy(priv, sk, sizeof sk);
		memcpy(pub, pk, sizeof pk);
	}
	sodium_memzero(sk, sizeof sk);
	return (r);
}

/*
 * ENCRYPT(k, n, ad, plaintext) with an explicit 64-bit nonce, for the
 * transport layer whose nonce is the packet counter. Writes inlen + 16 bytes
 * to out, which may be the same buffer as in.
 */
int
noise_seal(const uint8_t *key, uint64_t n, const uint8_t *ad, size_t adlen,
    const uint8_t *in, size_t inlen, uint8_t *out)
{
	uint8_t			nonce[NOISE_NONCE_LEN];
	unsigned long long	clen;

	if (inlen > NOISE_MAX_MSG_LEN)
		return (LN_E_INVAL);
	noise_nonce(n, nonce);
	crypto_aead_chacha20poly1305_ietf_encrypt(out, &clen, in, inlen, ad,
	    adlen, NULL, nonce, key);
	return (0);
}

/*
 * DECRYPT(k, n, ad, ciphertext) with an explicit 64-bit nonce. Writes
 * inlen - 16 bytes to out (which may be in) only if the tag authenticates;
 * otherwise the packet is dropped as LN_DROP_DECRYPT (or LN_DROP_SHORT when
 * it cannot even hold a tag) and out holds nothing useful.
 */
int
noise_open(const uint8_t *key, uint64_t n, const uint8_t *ad, size_t adlen,
    const uint8_t *in, size_t inlen, uint8_t *out)
{
	uint8_t			nonce[NOISE_NONCE_LEN];
	unsigned long long	mlen;

	if (inlen < LN_TAG_LEN)
		return (LN_E_DROP(LN_DROP_SHORT));
	if (inlen > NOISE_MAX_MSG_LEN + LN_TAG_LEN)
		return (LN_E_DROP(LN_DROP_DECRYPT));
	noise_nonce(n, nonce);
	if (crypto_aead_chacha20poly1305_ietf_decrypt(out, &mlen, NULL, in,
	    inlen, ad, adlen, nonce, key) != 0)
		return (LN_E_DROP(LN_DROP_DECRYPT));
	return (0);
}

/* ---------------------------------------------------------- CipherState */

/* InitializeKey(key): takes the first 32 bytes of a 64-byte HKDF output. */
static void
cipher_init_key(struct noise_cipher *cs, const uint8_t *key)
{
	memcpy(cs->k, key, LN_KEY_LEN);
	cs->n = 0;
	cs->has_key = 1;
}

/*
 * EncryptWithAd(ad, plaintext): with a key, seals under the counter n and
 * increments it; without one (early in a handshake) copies the plaintext,
 * as the specification says. Nonce 2^64-1 is reserved: LN_E_STATE.
 */
int
noise_encrypt(struct noise_cipher *cs, const uint8_t *ad, size_t adlen,
    const uint8_t *in, size_t inlen, uint8_t *out, size_t cap,
    size_t *outlen)
{
	size_t	need;
	int	r;

	need = inlen + (cs->has_key ? LN_TAG_LEN : 0);
	if (inlen > NOISE_MAX_MSG_LEN)
		return (LN_E_INVAL);
	if (cap < need)
		return (LN_E_NOSPACE);
	if (!cs->has_key) {
		if (inlen != 0)
			memmove(out, in, inlen);
		*outlen = inlen;
		return (0);
	}
	if (cs->n == UINT64_MAX)
		return (LN_E_STATE);
	if ((r = noise_seal(cs->k, cs->n, ad, adlen, in, inlen, out)) != 0)
		return (r);
	cs->n++;
	*outlen = need;
	return (0);
}

/*
 * DecryptWithAd(ad, ciphertext): the inverse of noise_encrypt. On an
 * authentication failure n is not incremented (section 5.1).
 */
int
noise_decrypt(struct noise_cipher *cs, const uint8_t *ad, size_t adlen,
    const uint8_t *in, size_t inlen, uint8_t *out, size_t cap,
    size_t *outlen)
{
	size_t	need;
	int	r;

	if (!cs->has_key) {
		if (inlen > NOISE_MAX_MSG_LEN)
			return (LN_E_INVAL);
		if (cap < inlen)
			return (LN_E_NOSPACE);
		if (inlen != 0)
			memmove(out, in, inlen);
		*outlen = inlen;
		return (0);
	}
	if (inlen < LN_TAG_LEN)
		return (LN_E_DROP(LN_DROP_SHORT));
	need = inlen - LN_TAG_LEN;
	if (cap < need)
		return (LN_E_NOSPACE);
	if (cs->n == UINT64_MAX)
		return (LN_E_STATE);
	if ((r = noise_open(cs->k, cs->n, ad, adlen, in, inlen, out)) != 0)
		return (r);
	cs->n++;
	*outlen = need;
	return (0);
}

/* ------------------------------------------------------- SymmetricState */

/* MixHash(data): h = HASH(h || data). */
static void
sym_mix_hash(struct noise_handshake *hs, const uint8_t *data, size_t len)
{
	noise_hash(hs->h, LN_HASH_LEN, data, len, hs->h);
}

/* MixKey(ikm): ck, temp_k = HKDF(ck, ikm, 2); InitializeKey(temp_k). */
static void
sym_mix_key(struct noise_handshake *hs, const uint8_t *ikm, size_t len)
{
	uint8_t	ck[LN_HASH_LEN], temp_k[LN_HASH_LEN];

	noise_hkdf(hs->ck, ikm, len, ck, temp_k, NULL);
	memcpy(hs->ck, ck, sizeof ck);
	cipher_init_key(&hs->cs, temp_k);
	sodium_memzero(ck, sizeof ck);
	sodium_memzero(temp_k, sizeof temp_k);
}

/*
 * MixKeyAndHash(ikm): ck, temp_h, temp_k = HKDF(ck, ikm, 3);
 * MixHash(temp_h); InitializeKey(temp_k). Used for the psk token.
 */
static void
sym_mix_key_and_hash(struct noise_handshake *hs, const uint8_t *ikm,
    size_t len)
{
	uint8_t	ck[LN_HASH_LEN], temp_h[LN_HASH_LEN], temp_k[LN_HASH_LEN];

	noise_hkdf(hs->ck, ikm, len, ck, temp_h, temp_k);
	memcpy(hs->ck, ck, sizeof ck);
	sym_mix_hash(hs, temp_h, sizeof temp_h);
	cipher_init_key(&hs->cs, temp_k);
	sodium_memzero(ck, sizeof ck);
	sodium_memzero(temp_h, sizeof temp_h);
	sodium_memzero(temp_k, sizeof temp_k);
}

/* MixKey(DH(priv, pub)), or LN_E_CRYPTO for a low-order public key. */
static int
sym_mix_dh(struct noise_handshake *hs, const uint8_t *priv,
    const uint8_t *pub)
{
	uint8_t	dh[LN_KEY_LEN];
	int	r;

	if ((r = noise_dh(priv, pub, dh)) == 0)
		sym_mix_key(hs, dh, sizeof dh);
	sodium_memzero(dh, sizeof dh);
	return (r);
}

/* EncryptAndHash(plaintext): encrypt with ad = h, then MixHash(ciphertext). */
static int
sym_encrypt_and_hash(struct noise_handshake *hs, const uint8_t *in,
    size_t inlen, struct buf *w)
{
	uint8_t	*out;
	size_t	 len, outlen;
	int	 r;

	len = inlen + (hs->cs.has_key ? LN_TAG_LEN : 0);
	if ((out = buf_put_ptr(w, len)) == NULL)
		return (LN_E_NOSPACE);
	r = noise_encrypt(&hs->cs, hs->h, LN_HASH_LEN, in, inlen, out, len,
	    &outlen);
	if (r != 0)
		return (r);
	sym_mix_hash(hs, out, outlen);
	return (0);
}

/*
 * DecryptAndHash(ciphertext): decrypt with ad = h, then MixHash(ciphertext).
 * in is the ciphertext as received (tag included when keyed).
 */
static int
sym_decrypt_and_hash(struct noise_handshake *hs, const uint8_t *in,
    size_t inlen, uint8_t *out, size_t cap, size_t *outlen)
{
	uint8_t	hnext[LN_HASH_LEN];
	int	r;

	/* The ciphertext is hashed before out (which may alias) is written. */
	noise_hash(hs->h, LN_HASH_LEN, in, inlen, hnext);
	r = noise_decrypt(&hs->cs, hs->h, LN_HASH_LEN, in, inlen, out, cap,
	    outlen);
	if (r == 0)
		memcpy(hs->h, hnext, sizeof hnext);
	sodium_memzero(hnext, sizeof hnext);
	return (r);
}

/* ------------------------------------------------------- HandshakeState */

/* Is it this side's turn to write the next message? */
static int
hs_my_turn(const struct noise_handshake *hs)
{
	return ((hs->msg_index % 2 == 0) == (hs->role == NOISE_INITIATOR));
}

/* Is the handshake alive and its next message one of the pattern's? */
static int
hs_pending(const struct noise_handshake *hs)
{
	if ((unsigned)hs->pattern >= sizeof patterns / sizeof patterns[0])
		return (0);
	return (hs->msg_index >= 0 &&
	    hs->msg_index < patterns[hs->pattern].nmsgs);
}

/*
 * Length of the next message for a payload of plen bytes, given whether the
 * cipher will be keyed at each token: e is 32 bytes, s 32 or 48, the payload
 * plen or plen + 16.
 */
static size_t
hs_msg_len(const struct noise_handshake *hs, size_t plen)
{
	const uint8_t	*tok = patterns[hs->pattern].msgs[hs->msg_index];
	const int	 psk = patterns[hs->pattern].psk;
	int		 keyed = hs->cs.has_key;
	size_t		 len = 0;

	for (; *tok != TOK_END; tok++) {
		switch (*tok) {
		case TOK_E:
			len += LN_KEY_LEN;
			if (psk)
				keyed = 1;
			break;
		case TOK_S:
			len += LN_KEY_LEN + (keyed ? LN_TAG_LEN : 0);
			break;
		default:	/* ee, es, se, ss, psk: MixKey */
			keyed = 1;
			break;
		}
	}
	return (len + plen + (keyed ? LN_TAG_LEN : 0));
}

/* Wipes a handshake and marks it dead: nothing more can be done with it. */
void
noise_wipe(struct noise_handshake *hs)
{
	sodium_memzero(hs, sizeof *hs);
	hs->msg_index = NOISE_DEAD;
}

/*
 * Initialize(): sets up a handshake for a pattern and role. s_priv is this
 * side's static private key, rs the peer's static public key, psk the 32-byte
 * pre-shared key; each must be given exactly when the pattern uses it (for
 * IK: the initiator gives s_priv and rs, the responder s_priv only).
 * The prologue is mixed in as is; the ephemeral is made at the `e` token.
 */
int
noise_init(struct noise_handshake *hs, enum noise_pattern pattern,
    enum noise_role role, const uint8_t *prologue, size_t prologue_len,
    const uint8_t *s_priv, const uint8_t *rs, const uint8_t *psk)
{
	return (noise_init_pub(hs, pattern, role, prologue, prologue_len,
	    s_priv, NULL, rs, psk));
}

/*
 * noise_init, with the static public key of s_priv given in s_pub when
 * the caller has it (a server answering every initiation under one key
 * computes it once, not an X25519 per handshake); NULL: derived here.
 * s_pub must be s_priv's public key.
 */
int
noise_init_pub(struct noise_handshake *hs, enum noise_pattern pattern,
    enum noise_role role, const uint8_t *prologue, size_t prologue_len,
    const uint8_t *s_priv, const uint8_t *s_pub, const uint8_t *rs,
    const uint8_t *psk)
{
	const struct noise_pattern_def	*p;
	struct noise_handshake		 tmp;
	size_t				 namelen;
	int				 want_s, want_rs, r;

	if ((unsigned)pattern >= sizeof patterns / sizeof patterns[0] ||
	    (role != NOISE_INITIATOR && role != NOISE_RESPONDER) ||
	    (prologue == NULL && prologue_len != 0))
		return (LN_E_INVAL);
	if (sodium_init() < 0)		/* idempotent; picks implementations */
		return (LN_E_CRYPTO);
	p = &patterns[pattern];
	want_s = role == NOISE_INITIATOR ? p->i_static : p->r_static;
	want_rs = p->pre_rs && role == NOISE_INITIATOR;
	if ((s_priv != NULL) != want_s || (rs != NULL) != want_rs ||
	    (psk != NULL) != p->psk || (s_pub != NULL && s_priv == NULL))
		return (LN_E_INVAL);

	memset(&tmp, 0, sizeof tmp);
	tmp.pattern = pattern;
	tmp.role = role;
	if (s_priv != NULL) {
		memcpy(tmp.s_priv, s_priv, LN_KEY_LEN);
		if (s_pub != NULL)
			memcpy(tmp.s_pub, s_pub, LN_KEY_LEN);
		else if ((r = noise_pubkey(tmp.s_priv, tmp.s_pub)) != 0)
			goto out;
		tmp.has_s = 1;
	}
	if (rs != NULL) {
		memcpy(tmp.rs, rs, LN_KEY_LEN);
		tmp.has_rs = 1;
	}
	if (psk != NULL) {
		memcpy(tmp.psk, psk, LN_KEY_LEN);
	}

	/* InitializeSymmetric(protocol_name): h = name padded, or its hash. */
	namelen = strlen(p->name);
	if (namelen <= LN_HASH_LEN)
		memcpy(tmp.h, p->name, namelen);
	else
		noise_hash((const uint8_t *)p->name, namelen, NULL, 0, tmp.h);
	memcpy(tmp.ck, tmp.h, LN_HASH_LEN);
	sym_mix_hash(&tmp, prologue, prologue_len);

	/* Premessage "<- s": both sides hash the responder's static key. */
	if (p->pre_rs)
		sym_mix_hash(&tmp, role == NOISE_INITIATOR ? tmp.rs :
		    tmp.s_pub, LN_KEY_LEN);

	memcpy(hs, &tmp, sizeof tmp);
	r = 0;
out:
	sodium_memzero(&tmp, sizeof tmp);
	return (r);
}

/*
 * Fixes the ephemeral private key the next `e` token uses instead of a
 * random one. For test vectors only: reusing an ephemeral is fatal.
 */
void
noise_set_ephemeral(struct noise_handshake *hs, const uint8_t *e_priv)
{
	memcpy(hs->e_priv, e_priv, LN_KEY_LEN);
	if (noise_pubkey(hs->e_priv, hs->e_pub) != 0) {
		noise_wipe(hs);
		return;
	}
	hs->has_e = 1;
}

/* The DH token tok (ee, es, se, ss) for this side's role. */
static int
hs_token_dh(struct noise_handshake *hs, int tok)
{
	const int	init = hs->role == NOISE_INITIATOR;
	const uint8_t	*priv, *pub;
	int		 mine_e, theirs_e;

	switch (tok) {
	case TOK_EE:
		mine_e = 1;
		theirs_e = 1;
		break;
	case TOK_ES:	/* initiator's e, responder's s */
		mine_e = init;
		theirs_e = !init;
		break;
	case TOK_SE:	/* initiator's s, responder's e */
		mine_e = !init;
		theirs_e = init;
		break;
	default:	/* TOK_SS */
		mine_e = 0;
		theirs_e = 0;
		break;
	}
	if ((mine_e ? !hs->has_e : !hs->has_s) ||
	    (theirs_e ? !hs->has_re : !hs->has_rs))
		return (LN_E_STATE);
	priv = mine_e ? hs->e_priv : hs->s_priv;
	pub = theirs_e ? hs->re : hs->rs;
	return (sym_mix_dh(hs, priv, pub));
}

/*
 * WriteMessage(payload, message_buffer): writes the next handshake message
 * into out (cap bytes) and its length to *outlen. Leaves the state untouched
 * on LN_E_STATE (not our turn), LN_E_INVAL and LN_E_NOSPACE; on any other
 * failure the handshake is wiped.
 */
int
noise_write(struct noise_handshake *hs, const uint8_t *payload, size_t plen,
    uint8_t *out, size_t cap, size_t *outlen)
{
	const struct noise_pattern_def	*p;
	const uint8_t			*tok;
	struct buf			 w;
	size_t				 need;
	int				 r = 0;

	if (!hs_pending(hs) || !hs_my_turn(hs))
		return (LN_E_STATE);
	if (plen > NOISE_MAX_MSG_LEN || (payload == NULL && plen != 0))
		return (LN_E_INVAL);
	if ((need = hs_msg_len(hs, plen)) > NOISE_MAX_MSG_LEN)
		return (LN_E_INVAL);
	if (cap < need)
		return (LN_E_NOSPACE);

	p = &patterns[hs->pattern];
	buf_writer(&w, out, need);
	for (tok = p->msgs[hs->msg_index]; *tok != TOK_END; tok++) {
		switch (*tok) {
		case TOK_E:
			/* e: new ephemeral, sent in clear, MixHash(e.pub). */
			if (!hs->has_e) {
				if ((r = noise_keypair(hs->e_priv,
				    hs->e_pub)) != 0)
					goto out;
				hs->has_e = 1;
			}
			if ((r = buf_put_bytes(&w, hs->e_pub,
			    LN_KEY_LEN)) != 0)
				goto out;
			sym_mix_hash(hs, hs->e_pub, LN_KEY_LEN);
			if (p->psk)
				sym_mix_key(hs, hs->e_pub, LN_KEY_LEN);
			break;
		case TOK_S:
			/* s: EncryptAndHash(s.pub). */
			if (!hs->has_s) {
				r = LN_E_STATE;
				goto out;
			}
			if ((r = sym_encrypt_and_hash(hs, hs->s_pub,
			    LN_KEY_LEN, &w)) != 0)
				goto out;
			break;
		case TOK_PSK:
			/* psk: MixKeyAndHash(psk). */
			sym_mix_key_and_hash(hs, hs->psk, LN_KEY_LEN);
			break;
		default:
			/* ee, es, se, ss: MixKey(DH(..)). */
			if ((r = hs_token_dh(hs, *tok)) != 0)
				goto out;
			break;
		}
	}
	/* payload: EncryptAndHash(payload). */
	if ((r = sym_encrypt_and_hash(hs, payload, plen, &w)) != 0)
		goto out;
	hs->msg_index++;
	*outlen = buf_used(&w);
out:
	if (r != 0)
		noise_wipe(hs);
	return (r);
}

/*
 * ReadMessage(message, payload_buffer): processes the peer's next handshake
 * message of len bytes and writes its payload to payload (pcap bytes) and
 * its length to *plen.
 *
 * Leaves the state untouched on LN_E_STATE (not the peer's turn),
 * LN_E_INVAL, LN_E_NOSPACE (pcap too small) and LN_E_DROP(LN_DROP_SHORT)
 * (message shorter than its tokens). Any other failure -
 * LN_E_DROP(LN_DROP_DECRYPT) for a ciphertext that does not authenticate,
 * LN_E_CRYPTO for a low-order key - leaves the handshake wiped and unusable:
 * the caller must discard it (or have read into a copy).
 */
int
noise_read(struct noise_handshake *hs, const uint8_t *msg, size_t len,
    uint8_t *payload, size_t pcap, size_t *plen)
{
	const struct noise_pattern_def	*p;
	const uint8_t			*tok, *in;
	struct buf			 rd;
	size_t				 fixed, n, outlen;
	int				 r = 0;

	if (!hs_pending(hs) || hs_my_turn(hs))
		return (LN_E_STATE);
	if (len > NOISE_MAX_MSG_LEN || (msg == NULL && len != 0))
		return (LN_E_INVAL);
	if (len < (fixed = hs_msg_len(hs, 0)))
		return (LN_E_DROP(LN_DROP_SHORT));
	if (pcap < len - fixed)
		return (LN_E_NOSPACE);

	p = &patterns[hs->pattern];
	buf_reader(&rd, msg, len);
	for (tok = p->msgs[hs->msg_index]; *tok != TOK_END; tok++) {
		switch (*tok) {
		case TOK_E:
			/* e: re = the peer's ephemeral, MixHash(re.pub). */
			if ((r = buf_get_bytes(&rd, hs->re, LN_KEY_LEN)) != 0)
				goto out;
			hs->has_re = 1;
			sym_mix_hash(hs, hs->re, LN_KEY_LEN);
			if (p->psk)
				sym_mix_key(hs, hs->re, LN_KEY_LEN);
			break;
		case TOK_S:
			/* s: rs = DecryptAndHash(the peer's static key). */
			n = LN_KEY_LEN + (hs->cs.has_key ? LN_TAG_LEN : 0);
			if ((in = buf_get_ptr(&rd, n)) == NULL) {
				r = LN_E_DROP(LN_DROP_SHORT);
				goto out;
			}
			if ((r = sym_decrypt_and_hash(hs, in, n, hs->rs,
			    LN_KEY_LEN, &outlen)) != 0)
				goto out;
			hs->has_rs = 1;
			break;
		case TOK_PSK:
			/* psk: MixKeyAndHash(psk). */
			sym_mix_key_and_hash(hs, hs->psk, LN_KEY_LEN);
			break;
		default:
			/* ee, es, se, ss: MixKey(DH(..)). */
			if ((r = hs_token_dh(hs, *tok)) != 0)
				goto out;
			break;
		}
	}
	/* payload: DecryptAndHash(the rest). */
	in = buf_get_rest(&rd, &n);
	if ((r = sym_decrypt_and_hash(hs, in, n, payload, pcap,
	    &outlen)) != 0)
		goto out;
	hs->msg_index++;
	*plen = outlen;
out:
	if (r != 0)
		noise_wipe(hs);
	return (r);
}

/* Has every message of the pattern been written or read? */
int
noise_done(const struct noise_handshake *hs)
{
	if ((unsigned)hs->pattern >= sizeof patterns / sizeof patterns[0])
		return (0);
	return (hs->msg_index == patterns[hs->pattern].nmsgs);
}

/*
 * Split(): the two transport cipher states of a completed handshake.
 * c1 encrypts initiator -> responder, c2 responder -> initiator. Read the
 * handshake hash (hs->h) first if it is needed (channel binding): the
 * handshake is wiped here.
 */
int
noise_split(struct noise_handshake *hs, struct noise_cipher *c1,
    struct noise_cipher *c2)
{
	uint8_t	k1[LN_HASH_LEN], k2[LN_HASH_LEN];

	if (!noise_done(hs))
		return (LN_E_STATE);
	noise_hkdf(hs->ck, NULL, 0, k1, k2, NULL);
	cipher_init_key(c1, k1);
	cipher_init_key(c2, k2);
	sodium_memzero(k1, sizeof k1);
	sodium_memzero(k2, sizeof k2);
	noise_wipe(hs);
	return (0);
}
