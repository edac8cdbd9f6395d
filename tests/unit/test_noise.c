/*
 * test_noise.c: the Noise implementation reproduces the cacophony test
 * vectors for NN, NNpsk0, IK, XX and XXpsk3 byte for byte, in both roles,
 * through the handshake and the transport messages after Split(); and it
 * refuses truncated, tampered and low-order input.
 *
 * The vectors come from tests/data/vectors-25519-chachapoly-blake2b.json,
 * turned into lines by tests/noise-vectors.py at build time; NOISE_VECTORS
 * is the path of the result (see Makefile.am).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "proto.h"

#ifndef NOISE_VECTORS
#error "NOISE_VECTORS must name the generated vector file"
#endif

#define MAX_VECTORS	32
#define MAX_MSGS	16
#define MAX_BYTES	1024

struct hexfield {
	uint8_t		b[MAX_BYTES];
	size_t		len;
	int		set;
};

struct vmsg {
	struct hexfield	payload;
	struct hexfield	ct;
};

/* One side of a vector: its keys and prologue. */
struct vside {
	struct hexfield	prologue, s, e, rs, psk;
};

struct vector {
	char		name[80];
	struct vside	init, resp;
	struct vmsg	msgs[MAX_MSGS];
	int		nmsgs;
	struct hexfield	hash;
};

static struct vector	*vectors;
static int		 nvectors;

/* Decodes hex ("-" is empty) into f; fails the test on junk. */
static void
hex_field(struct hexfield *f, const char *hex)
{
	size_t	len;

	f->set = 1;
	f->len = 0;
	if (strcmp(hex, "-") == 0)
		return;
	assert_int_equal(sodium_hex2bin(f->b, sizeof f->b, hex, strlen(hex),
	    NULL, &len, NULL), 0);
	f->len = len;
}

/* The side field named by a "init_x" or "resp_x" key, or NULL. */
static struct hexfield *
side_field(struct vector *v, const char *key)
{
	struct vside	*side;

	if (strncmp(key, "init_", 5) == 0)
		side = &v->init;
	else if (strncmp(key, "resp_", 5) == 0)
		side = &v->resp;
	else
		return (NULL);
	key += 5;
	if (strcmp(key, "prologue") == 0)
		return (&side->prologue);
	if (strcmp(key, "static") == 0)
		return (&side->s);
	if (strcmp(key, "ephemeral") == 0)
		return (&side->e);
	if (strcmp(key, "remote_static") == 0)
		return (&side->rs);
	if (strcmp(key, "psk") == 0)
		return (&side->psk);
	return (NULL);
}

/* Reads every vector of the generated file once, before the tests. */
static int
load_vectors(void **state)
{
	static char	 line[8192];
	struct vector	*v = NULL;
	struct hexfield	*f;
	FILE		*fp;
	char		*key, *a, *b;

	if (sodium_init() < 0)
		return (-1);
	if ((fp = fopen(NOISE_VECTORS, "r")) == NULL) {
		fprintf(stderr, "%s: cannot open\n", NOISE_VECTORS);
		return (-1);
	}
	vectors = xcalloc(MAX_VECTORS, sizeof *vectors);
	while (fgets(line, sizeof line, fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if ((key = strtok(line, " ")) == NULL)
			continue;
		a = strtok(NULL, " ");
		b = strtok(NULL, " ");
		if (strcmp(key, "vector") == 0) {
			if (nvectors == MAX_VECTORS || a == NULL)
				goto bad;
			v = &vectors[nvectors++];
			snprintf(v->name, sizeof v->name, "%s", a);
		} else if (v == NULL) {
			goto bad;
		} else if (strcmp(key, "msg") == 0) {
			if (v->nmsgs == MAX_MSGS || a == NULL || b == NULL)
				goto bad;
			hex_field(&v->msgs[v->nmsgs].payload, a);
			hex_field(&v->msgs[v->nmsgs].ct, b);
			v->nmsgs++;
		} else if (strcmp(key, "hash") == 0 && a != NULL) {
			hex_field(&v->hash, a);
		} else if (strcmp(key, "end") == 0) {
			v = NULL;
		} else if ((f = side_field(v, key)) != NULL && a != NULL) {
			/* Two-psk patterns are not ours: keep the first. */
			if (!f->set)
				hex_field(f, a);
		} else
			goto bad;
	}
	fclose(fp);
	return (0);
bad:
	fprintf(stderr, "%s: bad line starting \"%s\"\n", NOISE_VECTORS, line);
	fclose(fp);
	return (-1);
}

/* Frees the vectors after the tests. */
static int
free_vectors(void **state)
{
	free(vectors);
	return (0);
}

/* The pattern a protocol name names, or -1 if noise.c does not do it. */
static int
pattern_of(const char *name)
{
	static const struct {
		const char		*name;
		enum noise_pattern	 pattern;
	} names[] = {
		{ "Noise_NN_25519_ChaChaPoly_BLAKE2b", NOISE_NN },
		{ "Noise_NNpsk0_25519_ChaChaPoly_BLAKE2b", NOISE_NNPSK0 },
		{ LN_NOISE_IK, NOISE_IK },
		{ "Noise_XX_25519_ChaChaPoly_BLAKE2b", NOISE_XX },
		{ LN_NOISE_XXPSK3, NOISE_XXPSK3 },
	};
	size_t	i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i].name, name) == 0)
			return ((int)names[i].pattern);
	return (-1);
}

/* Key argument for noise_init: the field's bytes, or NULL if absent. */
static const uint8_t *
key_or_null(const struct hexfield *f)
{
	if (!f->set)
		return (NULL);
	assert_int_equal(f->len, LN_KEY_LEN);
	return (f->b);
}

/*
 * Sets up one side of a vector's handshake with its fixed ephemeral; with
 * given_pub, through noise_init_pub with the static public key computed
 * here (as a server does once), else through noise_init.
 */
static void
start_side_pub(struct noise_handshake *hs, enum noise_pattern p,
    enum noise_role role, const struct vside *side, int given_pub)
{
	uint8_t		pub[LN_KEY_LEN];
	uint64_t	dh0;

	if (given_pub && side->s.set) {
		assert_int_equal(noise_pubkey(key_or_null(&side->s), pub), 0);
		dh0 = noise_x25519_count();
		assert_int_equal(noise_init_pub(hs, p, role, side->prologue.b,
		    side->prologue.len, key_or_null(&side->s), pub,
		    key_or_null(&side->rs), key_or_null(&side->psk)), 0);
		/* The given key is used as is: no X25519 for it. */
		assert_int_equal(noise_x25519_count(), dh0);
	} else
		assert_int_equal(noise_init(hs, p, role, side->prologue.b,
		    side->prologue.len, key_or_null(&side->s),
		    key_or_null(&side->rs), key_or_null(&side->psk)), 0);
	assert_true(side->e.set);
	noise_set_ephemeral(hs, side->e.b);
}

/* Sets up one side of a vector's handshake through noise_init. */
static void
start_side(struct noise_handshake *hs, enum noise_pattern p,
    enum noise_role role, const struct vside *side)
{
	start_side_pub(hs, p, role, side, 0);
}

/*
 * Plays one vector: each side writes its own messages (compared with the
 * vector's ciphertext) and reads the other's (from the vector's ciphertext,
 * compared with its payload), so both roles are checked in both directions.
 */
static void
run_vector(const struct vector *v, enum noise_pattern p, int given_pub)
{
	struct noise_handshake	 ini, res, *tx, *rx;
	struct noise_cipher	 ic1, ic2, rc1, rc2, *enc, *dec;
	const struct vmsg	*m;
	uint8_t			 out[MAX_BYTES + 64], pt[MAX_BYTES];
	uint8_t			 sealed[MAX_BYTES + 64];
	size_t			 outlen, ptlen;
	uint64_t		 n;
	int			 i;

	start_side_pub(&ini, p, NOISE_INITIATOR, &v->init, given_pub);
	start_side_pub(&res, p, NOISE_RESPONDER, &v->resp, given_pub);

	for (i = 0; i < v->nmsgs && !noise_done(&ini); i++) {
		m = &v->msgs[i];
		tx = i % 2 == 0 ? &ini : &res;
		rx = i % 2 == 0 ? &res : &ini;
		assert_false(noise_done(rx));
		assert_int_equal(noise_write(tx, m->payload.b, m->payload.len,
		    out, sizeof out, &outlen), 0);
		assert_int_equal(outlen, m->ct.len);
		assert_memory_equal(out, m->ct.b, outlen);
		assert_int_equal(noise_read(rx, m->ct.b, m->ct.len, pt,
		    sizeof pt, &ptlen), 0);
		assert_int_equal(ptlen, m->payload.len);
		assert_memory_equal(pt, m->payload.b, ptlen);
	}
	assert_true(noise_done(&ini));
	assert_true(noise_done(&res));

	/* Both sides agree on the handshake hash, and it is the vector's. */
	assert_true(v->hash.set);
	assert_int_equal(v->hash.len, LN_HASH_LEN);
	assert_memory_equal(ini.h, v->hash.b, LN_HASH_LEN);
	assert_memory_equal(res.h, v->hash.b, LN_HASH_LEN);

	assert_int_equal(noise_split(&ini, &ic1, &ic2), 0);
	assert_int_equal(noise_split(&res, &rc1, &rc2), 0);
	assert_false(noise_done(&ini));		/* wiped */

	/* Transport: c1 carries initiator -> responder, c2 the reverse. */
	for (; i < v->nmsgs; i++) {
		m = &v->msgs[i];
		enc = i % 2 == 0 ? &ic1 : &rc2;
		dec = i % 2 == 0 ? &rc1 : &ic2;
		n = enc->n;
		assert_int_equal(noise_encrypt(enc, NULL, 0, m->payload.b,
		    m->payload.len, out, sizeof out, &outlen), 0);
		assert_int_equal(outlen, m->ct.len);
		assert_memory_equal(out, m->ct.b, outlen);
		/* The explicit-nonce form the transport layer uses agrees. */
		assert_int_equal(noise_seal(enc->k, n, NULL, 0, m->payload.b,
		    m->payload.len, sealed), 0);
		assert_memory_equal(sealed, m->ct.b, m->ct.len);
		assert_int_equal(noise_decrypt(dec, NULL, 0, m->ct.b,
		    m->ct.len, pt, sizeof pt, &ptlen), 0);
		assert_int_equal(ptlen, m->payload.len);
		assert_memory_equal(pt, m->payload.b, ptlen);
	}
	/* The counters advanced once per message each way. */
	assert_int_equal(ic1.n, rc1.n);
	assert_int_equal(ic2.n, rc2.n);
	assert_true(ic1.n + ic2.n > 0);
}

/*
 * Every vector of the five patterns passes, with the static public keys
 * derived by noise_init and given to noise_init_pub, and none of them is
 * missing.
 */
static void
test_vectors(void **state)
{
	int	seen[NOISE_XXPSK3 + 1] = { 0 };
	int	i, p;

	for (i = 0; i < nvectors; i++) {
		if ((p = pattern_of(vectors[i].name)) < 0)
			continue;
		run_vector(&vectors[i], (enum noise_pattern)p, 0);
		run_vector(&vectors[i], (enum noise_pattern)p, 1);
		seen[p]++;
	}
	for (p = 0; p <= NOISE_XXPSK3; p++)
		assert_true(seen[p] >= 1);
}

/* The vector of a pattern, for the negative tests. */
static const struct vector *
vector_of(enum noise_pattern p)
{
	int	i;

	for (i = 0; i < nvectors; i++)
		if (pattern_of(vectors[i].name) == (int)p)
			return (&vectors[i]);
	fail_msg("no vector for pattern %d", (int)p);
	return (NULL);
}

/* A responder refuses every truncation of IK message 1, and stays usable. */
static void
test_truncated(void **state)
{
	const struct vector	*v = vector_of(NOISE_IK);
	const struct vmsg	*m = &v->msgs[0];
	struct noise_handshake	 res;
	uint8_t			 pt[MAX_BYTES];
	size_t			 len, ptlen;
	int			 r;

	for (len = 0; len < m->ct.len; len++) {
		start_side(&res, NOISE_IK, NOISE_RESPONDER, &v->resp);
		r = noise_read(&res, m->ct.b, len, pt, sizeof pt, &ptlen);
		assert_true(r < 0);
		/*
		 * Shorter than e, s and the tag: refused before any state
		 * changes. Longer: the payload tag does not authenticate.
		 */
		if (len < 32 + 48 + 16) {
			assert_int_equal(r, LN_E_DROP(LN_DROP_SHORT));
			assert_int_equal(noise_read(&res, m->ct.b, m->ct.len,
			    pt, sizeof pt, &ptlen), 0);
		} else
			assert_int_equal(r, LN_E_DROP(LN_DROP_DECRYPT));
	}
}

/*
 * Every single-bit flip of IK message 1 and of XX message 2 is refused, and
 * the handshake that refused it is dead afterwards.
 */
static void
test_tampered(void **state)
{
	const struct vector	*ik = vector_of(NOISE_IK);
	const struct vector	*xx = vector_of(NOISE_XX);
	struct noise_handshake	 hs;
	uint8_t			 msg[MAX_BYTES], pt[MAX_BYTES], out[256];
	size_t			 len, bit, ptlen, outlen;

	len = ik->msgs[0].ct.len;
	for (bit = 0; bit < len * 8; bit++) {
		memcpy(msg, ik->msgs[0].ct.b, len);
		msg[bit / 8] ^= 1 << (bit % 8);
		start_side(&hs, NOISE_IK, NOISE_RESPONDER, &ik->resp);
		assert_true(noise_read(&hs, msg, len, pt, sizeof pt,
		    &ptlen) < 0);
		assert_int_equal(noise_write(&hs, NULL, 0, out, sizeof out,
		    &outlen), LN_E_STATE);
		assert_false(noise_done(&hs));
	}

	len = xx->msgs[1].ct.len;
	for (bit = 0; bit < len * 8; bit++) {
		start_side(&hs, NOISE_XX, NOISE_INITIATOR, &xx->init);
		assert_int_equal(noise_write(&hs, xx->msgs[0].payload.b,
		    xx->msgs[0].payload.len, out, sizeof out, &outlen), 0);
		memcpy(msg, xx->msgs[1].ct.b, len);
		msg[bit / 8] ^= 1 << (bit % 8);
		assert_true(noise_read(&hs, msg, len, pt, sizeof pt,
		    &ptlen) < 0);
		assert_int_equal(noise_read(&hs, xx->msgs[1].ct.b, len, pt,
		    sizeof pt, &ptlen), LN_E_STATE);
	}
}

/*
 * Low-order public keys give an all-zero DH output, which is refused:
 * as a peer ephemeral in a message, and as a configured remote static.
 */
static void
test_low_order(void **state)
{
	/* The identity, and a point of order 8 (from the curve25519 list). */
	static const uint8_t	bad[2][LN_KEY_LEN] = {
		{ 0 },
		{ 0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0,
		  0xb1, 0x55, 0x9c, 0x83, 0xef, 0x5b, 0x04, 0x44, 0x5c, 0xc4,
		  0x58, 0x1c, 0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f,
		  0x11, 0x57 },
	};
	const struct vector	*ik = vector_of(NOISE_IK);
	const struct vector	*nn = vector_of(NOISE_NN);
	struct noise_handshake	 hs;
	uint8_t			 msg[MAX_BYTES], pt[MAX_BYTES], out[256];
	size_t			 len, ptlen, outlen;
	int			 i;

	for (i = 0; i < 2; i++) {
		/* IK responder: e is low order, so es fails. */
		len = ik->msgs[0].ct.len;
		memcpy(msg, ik->msgs[0].ct.b, len);
		memcpy(msg, bad[i], LN_KEY_LEN);
		start_side(&hs, NOISE_IK, NOISE_RESPONDER, &ik->resp);
		assert_int_equal(noise_read(&hs, msg, len, pt, sizeof pt,
		    &ptlen), LN_E_CRYPTO);

		/* NN initiator: the responder's e is low order, ee fails. */
		start_side(&hs, NOISE_NN, NOISE_INITIATOR, &nn->init);
		assert_int_equal(noise_write(&hs, NULL, 0, out, sizeof out,
		    &outlen), 0);
		len = nn->msgs[1].ct.len;
		memcpy(msg, nn->msgs[1].ct.b, len);
		memcpy(msg, bad[i], LN_KEY_LEN);
		assert_int_equal(noise_read(&hs, msg, len, pt, sizeof pt,
		    &ptlen), LN_E_CRYPTO);

		/* IK initiator told a low-order server key: es fails. */
		assert_int_equal(noise_init(&hs, NOISE_IK, NOISE_INITIATOR,
		    NULL, 0, ik->init.s.b, bad[i], NULL), 0);
		assert_int_equal(noise_write(&hs, NULL, 0, out, sizeof out,
		    &outlen), LN_E_CRYPTO);
		assert_false(noise_done(&hs));
	}
}

/* Turn, argument and buffer errors leave the handshake as it was. */
static void
test_state_errors(void **state)
{
	const struct vector	*ik = vector_of(NOISE_IK);
	const struct vmsg	*m = &ik->msgs[0];
	struct noise_handshake	 hs;
	struct noise_cipher	 c1, c2;
	uint8_t			 out[MAX_BYTES], pt[MAX_BYTES];
	size_t			 outlen, ptlen;

	/* Keys the pattern does not take, or lacks, are refused. */
	assert_int_equal(noise_init(&hs, NOISE_IK, NOISE_INITIATOR, NULL, 0,
	    ik->init.s.b, NULL, NULL), LN_E_INVAL);
	assert_int_equal(noise_init(&hs, NOISE_NN, NOISE_INITIATOR, NULL, 0,
	    NULL, NULL, ik->init.s.b), LN_E_INVAL);
	assert_int_equal(noise_init(&hs, NOISE_XXPSK3, NOISE_RESPONDER, NULL,
	    0, ik->resp.s.b, NULL, NULL), LN_E_INVAL);
	/* A static public key without its private key is refused too. */
	assert_int_equal(noise_init_pub(&hs, NOISE_NN, NOISE_INITIATOR, NULL,
	    0, NULL, ik->resp.s.b, NULL, NULL), LN_E_INVAL);

	start_side(&hs, NOISE_IK, NOISE_INITIATOR, &ik->init);
	/* Not the initiator's turn to read; not done, so no split. */
	assert_int_equal(noise_read(&hs, m->ct.b, m->ct.len, pt, sizeof pt,
	    &ptlen), LN_E_STATE);
	assert_int_equal(noise_split(&hs, &c1, &c2), LN_E_STATE);
	/* One byte too small a buffer, then the right one: vector output. */
	assert_int_equal(noise_write(&hs, m->payload.b, m->payload.len, out,
	    m->ct.len - 1, &outlen), LN_E_NOSPACE);
	assert_int_equal(noise_write(&hs, m->payload.b, m->payload.len, out,
	    m->ct.len, &outlen), 0);
	assert_int_equal(outlen, m->ct.len);
	assert_memory_equal(out, m->ct.b, outlen);
	assert_int_equal(noise_write(&hs, NULL, 0, out, sizeof out, &outlen),
	    LN_E_STATE);

	/* A payload buffer one byte short is refused before any change. */
	start_side(&hs, NOISE_IK, NOISE_RESPONDER, &ik->resp);
	assert_int_equal(noise_read(&hs, m->ct.b, m->ct.len, pt,
	    m->payload.len - 1, &ptlen), LN_E_NOSPACE);
	assert_int_equal(noise_read(&hs, m->ct.b, m->ct.len, pt,
	    m->payload.len, &ptlen), 0);
	assert_int_equal(ptlen, m->payload.len);
}

/*
 * Transport ciphers: a failed decryption does not advance the counter;
 * noise_open refuses a wrong nonce, a flipped byte, a wrong ad and a
 * message shorter than a tag.
 */
static void
test_transport(void **state)
{
	struct noise_cipher	 tx, rx;
	uint8_t			 key[LN_KEY_LEN], ct[64], pt[64];
	const uint8_t		 ad[4] = { 1, 2, 3, 4 };
	const uint8_t		 msg[] = "seventeen bytes!";
	size_t			 ctlen, ptlen;

	randombytes_buf(key, sizeof key);
	memset(&tx, 0, sizeof tx);
	memcpy(tx.k, key, sizeof key);
	tx.has_key = 1;
	rx = tx;

	assert_int_equal(noise_encrypt(&tx, ad, sizeof ad, msg, sizeof msg,
	    ct, sizeof ct, &ctlen), 0);
	assert_int_equal(ctlen, sizeof msg + LN_TAG_LEN);
	ct[3] ^= 0x80;
	assert_int_equal(noise_decrypt(&rx, ad, sizeof ad, ct, ctlen, pt,
	    sizeof pt, &ptlen), LN_E_DROP(LN_DROP_DECRYPT));
	assert_int_equal(rx.n, 0);
	ct[3] ^= 0x80;
	assert_int_equal(noise_decrypt(&rx, ad, sizeof ad, ct, ctlen, pt,
	    sizeof pt, &ptlen), 0);
	assert_int_equal(rx.n, 1);
	assert_memory_equal(pt, msg, sizeof msg);

	/* Explicit nonces: counter 7 opens only under counter 7. */
	assert_int_equal(noise_seal(key, 7, ad, sizeof ad, msg, sizeof msg,
	    ct), 0);
	assert_int_equal(noise_open(key, 8, ad, sizeof ad, ct, ctlen, pt),
	    LN_E_DROP(LN_DROP_DECRYPT));
	assert_int_equal(noise_open(key, 7, ad, 3, ct, ctlen, pt),
	    LN_E_DROP(LN_DROP_DECRYPT));
	assert_int_equal(noise_open(key, 7, ad, sizeof ad, ct, ctlen - 1, pt),
	    LN_E_DROP(LN_DROP_DECRYPT));
	assert_int_equal(noise_open(key, 7, ad, sizeof ad, ct, LN_TAG_LEN - 1,
	    pt), LN_E_DROP(LN_DROP_SHORT));
	assert_int_equal(noise_open(key, 7, ad, sizeof ad, ct, ctlen, pt), 0);
	assert_memory_equal(pt, msg, sizeof msg);

	/* In place works too. */
	memcpy(pt, msg, sizeof msg);
	assert_int_equal(noise_seal(key, 9, NULL, 0, pt, sizeof msg, pt), 0);
	assert_int_equal(noise_open(key, 9, NULL, 0, pt, ctlen, pt), 0);
	assert_memory_equal(pt, msg, sizeof msg);

	/* The last nonce is reserved. */
	tx.n = UINT64_MAX;
	assert_int_equal(noise_encrypt(&tx, NULL, 0, msg, sizeof msg, ct,
	    sizeof ct, &ctlen), LN_E_STATE);
}

/* Key pairs: the public key is the private key's, and pairs differ. */
static void
test_keys(void **state)
{
	uint8_t	a_priv[LN_KEY_LEN], a_pub[LN_KEY_LEN], pub[LN_KEY_LEN];
	uint8_t	b_priv[LN_KEY_LEN], b_pub[LN_KEY_LEN];
	uint8_t	h1[LN_HASH_LEN], h2[LN_HASH_LEN];

	assert_int_equal(noise_keypair(a_priv, a_pub), 0);
	assert_int_equal(noise_keypair(b_priv, b_pub), 0);
	assert_memory_not_equal(a_pub, b_pub, LN_KEY_LEN);
	assert_int_equal(noise_pubkey(a_priv, pub), 0);
	assert_memory_equal(pub, a_pub, LN_KEY_LEN);

	/* noise_hash(a, b) is BLAKE2b-512 of the concatenation. */
	noise_hash((const uint8_t *)"ab", 2, (const uint8_t *)"c", 1, h1);
	crypto_generichash(h2, sizeof h2, (const uint8_t *)"abc", 3, NULL, 0);
	assert_memory_equal(h1, h2, LN_HASH_LEN);
}

/* A full IK handshake with random keys and ephemerals agrees on keys. */
static void
test_ik_random(void **state)
{
	struct noise_handshake	ini, res;
	struct noise_cipher	ic1, ic2, rc1, rc2;
	uint8_t			c_priv[LN_KEY_LEN], c_pub[LN_KEY_LEN];
	uint8_t			s_priv[LN_KEY_LEN], s_pub[LN_KEY_LEN];
	uint8_t			msg[256], pt[64];
	size_t			len, ptlen;

	assert_int_equal(noise_keypair(c_priv, c_pub), 0);
	assert_int_equal(noise_keypair(s_priv, s_pub), 0);
	assert_int_equal(noise_init(&ini, NOISE_IK, NOISE_INITIATOR,
	    (const uint8_t *)LN_PROLOGUE, strlen(LN_PROLOGUE), c_priv, s_pub,
	    NULL), 0);
	assert_int_equal(noise_init(&res, NOISE_IK, NOISE_RESPONDER,
	    (const uint8_t *)LN_PROLOGUE, strlen(LN_PROLOGUE), s_priv, NULL,
	    NULL), 0);
	assert_int_equal(noise_write(&ini, (const uint8_t *)"hi", 2, msg,
	    sizeof msg, &len), 0);
	assert_int_equal(len, 32 + 48 + 2 + 16);
	assert_int_equal(noise_read(&res, msg, len, pt, sizeof pt, &ptlen), 0);
	assert_memory_equal(res.rs, c_pub, LN_KEY_LEN);
	assert_int_equal(noise_write(&res, NULL, 0, msg, sizeof msg, &len), 0);
	assert_int_equal(len, 32 + 16);
	assert_int_equal(noise_read(&ini, msg, len, pt, sizeof pt, &ptlen), 0);
	assert_int_equal(ptlen, 0);
	assert_int_equal(noise_split(&ini, &ic1, &ic2), 0);
	assert_int_equal(noise_split(&res, &rc1, &rc2), 0);
	assert_memory_equal(ic1.k, rc1.k, LN_KEY_LEN);
	assert_memory_equal(ic2.k, rc2.k, LN_KEY_LEN);
	assert_memory_not_equal(ic1.k, ic2.k, LN_KEY_LEN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_low_order),
		cmocka_unit_test(test_state_errors),
		cmocka_unit_test(test_transport),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_ik_random),
	};

	return (cmocka_run_group_tests(tests, load_vectors, free_vectors));
}
