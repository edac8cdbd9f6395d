/*
 * fuzz-common.c: the deterministic random numbers, fixed keys, script
 * records and in-memory channel endpoints that the fuzz targets and
 * mkcorpus share (fuzz.h says why they are deterministic).
 */
#include "config.h"

#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fuzz.h"

/* One random stream per party: a ChaCha20 key and a call counter. */
struct fuzz_stream {
	uint8_t		key[crypto_stream_chacha20_ietf_KEYBYTES];
	uint64_t	calls;
};
static struct fuzz_stream	fuzz_streams[FUZZ_PARTY_MAX];
static enum fuzz_party		fuzz_party = FUZZ_OTHER;

static uint8_t	fuzz_srv_sk[LN_KEY_LEN], fuzz_srv_pk[LN_KEY_LEN];
static uint8_t	fuzz_cli_sk[LN_KEY_LEN], fuzz_cli_pk[LN_KEY_LEN];

/* The name libsodium reports for the generator. */
static const char *
fuzz_rng_name(void)
{
	return ("lnsh-fuzz-deterministic");
}

/*
 * Fills n bytes from the current party's stream: each call takes a fresh
 * ChaCha20 keystream under the call counter as nonce.
 */
static void
fuzz_rng_buf(void *p, size_t n)
{
	struct fuzz_stream	*s = &fuzz_streams[fuzz_party];
	uint8_t			 nonce[crypto_stream_chacha20_ietf_NONCEBYTES];
	struct buf		 w;

	if (n == 0)
		return;
	memset(nonce, 0, sizeof nonce);
	buf_writer(&w, nonce, sizeof nonce);
	(void)buf_put_u64le(&w, s->calls++);
	crypto_stream_chacha20_ietf(p, n, nonce, s->key);
}

/* A 32-bit random number from the current stream. */
static uint32_t
fuzz_rng_random(void)
{
	uint32_t	v;

	fuzz_rng_buf(&v, sizeof v);
	return (v);
}

static struct randombytes_implementation fuzz_rng = {
	.implementation_name = fuzz_rng_name,
	.random = fuzz_rng_random,
	.stir = NULL,
	.uniform = NULL,	/* libsodium's rejection sampling over random */
	.buf = fuzz_rng_buf,
	.close = NULL,
};

/* Restarts every party's stream from its fixed seed. */
void
fuzz_rng_reset(void)
{
	int	i;

	for (i = 0; i < FUZZ_PARTY_MAX; i++) {
		memset(&fuzz_streams[i], 0, sizeof fuzz_streams[i]);
		fuzz_streams[i].key[0] = (uint8_t)(i + 1);
	}
	fuzz_party = FUZZ_OTHER;
}

/* Makes the random numbers drawn from now on come from a party's stream. */
void
fuzz_rng_use(enum fuzz_party p)
{
	fuzz_party = p;
}

/* A fixed secret key derived from a label, and its public key. */
static void
fuzz_fixed_key(const char *label, uint8_t *sk, uint8_t *pk)
{
	crypto_generichash(sk, LN_KEY_LEN, (const uint8_t *)label,
	    strlen(label), NULL, 0);
	if (noise_pubkey(sk, pk) != 0)
		abort();
}

/*
 * Installs the deterministic generator (it must precede sodium_init) and
 * derives the fixed keys; idempotent.
 */
void
fuzz_init(void)
{
	static int	done;

	if (done)
		return;
	done = 1;
	fuzz_rng_reset();
	if (randombytes_set_implementation(&fuzz_rng) != 0 ||
	    sodium_init() < 0)
		abort();
	fuzz_fixed_key("lnsh fuzz server", fuzz_srv_sk, fuzz_srv_pk);
	fuzz_fixed_key("lnsh fuzz client", fuzz_cli_sk, fuzz_cli_pk);
}

/* The fixed server static key pair (either pointer may be NULL). */
void
fuzz_server_key(uint8_t *sk, uint8_t *pk)
{
	if (sk != NULL)
		memcpy(sk, fuzz_srv_sk, LN_KEY_LEN);
	if (pk != NULL)
		memcpy(pk, fuzz_srv_pk, LN_KEY_LEN);
}

/* The fixed client static key pair (either pointer may be NULL). */
void
fuzz_client_key(uint8_t *sk, uint8_t *pk)
{
	if (sk != NULL)
		memcpy(sk, fuzz_cli_sk, LN_KEY_LEN);
	if (pk != NULL)
		memcpy(pk, fuzz_cli_pk, LN_KEY_LEN);
}

/*
 * Two matching key pairs with fixed keys, created at now: tx seals
 * packets that rx opens (receiver index FUZZ_TX_INDEX).
 */
void
fuzz_transport_pair(struct keypair *rx, struct keypair *tx, uint64_t now)
{
	struct hs_keys	a, b;

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	crypto_generichash(a.send, LN_KEY_LEN, (const uint8_t *)"k1", 2,
	    NULL, 0);
	crypto_generichash(a.recv, LN_KEY_LEN, (const uint8_t *)"k2", 2,
	    NULL, 0);
	a.local_index = FUZZ_TX_INDEX + 1;
	a.remote_index = FUZZ_TX_INDEX;
	memcpy(b.send, a.recv, LN_KEY_LEN);
	memcpy(b.recv, a.send, LN_KEY_LEN);
	b.local_index = FUZZ_TX_INDEX;
	b.remote_index = FUZZ_TX_INDEX + 1;
	keypair_init(tx, &a, 1, now);
	keypair_init(rx, &b, 0, now);
	sodium_memzero(&a, sizeof a);
	sodium_memzero(&b, sizeof b);
}

/*
 * Rewrites the mac1 that ends a handshake packet so that it is right for
 * the mutated bytes before it, under a receiver's mac1 key: the fuzzer then
 * reaches the Noise message behind it.
 */
void
fuzz_fix_mac1(uint8_t *pkt, size_t len, const uint8_t *mac1_key)
{
	struct buf	 w;
	uint8_t		*mac;

	if (len < LN_MAC_LEN)
		return;
	buf_writer(&w, pkt, len);
	if (buf_put_ptr(&w, len - LN_MAC_LEN) == NULL ||
	    (mac = buf_put_ptr(&w, LN_MAC_LEN)) == NULL)
		return;
	crypto_generichash(mac, LN_MAC_LEN, pkt, len - LN_MAC_LEN,
	    mac1_key, LN_KEY_LEN);
}

/* Reads the next script record; -1 at the end of the input. */
int
fuzz_next_rec(struct buf *b, struct fuzz_rec *rec)
{
	uint8_t		op;
	uint16_t	n;

	if (buf_get_u8(b, &op) != 0)
		return (-1);
	if (buf_get_u16le(b, &n) != 0)
		n = 0;
	if (n > buf_left(b))
		n = (uint16_t)buf_left(b);
	rec->rawop = op;
	rec->op = (enum fuzz_op)(op % FUZZ_OP_MAX);
	rec->len = n;
	rec->data = n != 0 ? buf_get_ptr(b, n) : NULL;
	if (n != 0 && rec->data == NULL)
		return (-1);
	return (0);
}

/* Up to the first 4 bytes of data as a little-endian number. */
uint32_t
fuzz_u32(const uint8_t *data, size_t len)
{
	return ((uint32_t)fuzz_u64(data, len < 4 ? len : 4));
}

/* Up to the first 8 bytes of data as a little-endian number. */
uint64_t
fuzz_u64(const uint8_t *data, size_t len)
{
	struct buf	b;
	uint64_t	v = 0;
	uint8_t		c;
	unsigned	i;

	buf_reader(&b, data, len);
	for (i = 0; i < 8 && buf_get_u8(&b, &c) == 0; i++)
		v |= (uint64_t)c << (8 * i);
	return (v);
}

/* Appends bytes to a growing byte string. */
void
fuzz_out_bytes(struct fuzz_out *o, const void *p, size_t n)
{
	struct buf	w;

	if (o->len + n > o->cap) {
		o->cap = (o->len + n) * 2 + 64;
		o->p = xreallocarray(o->p, o->cap, 1);
	}
	buf_writer(&w, o->p, o->cap);
	w.off = o->len;
	if (buf_put_bytes(&w, p, n) != 0)
		abort();
	o->len += n;
}

/* Appends one script record. */
void
fuzz_out_rec(struct fuzz_out *o, enum fuzz_op op, const void *p, size_t n)
{
	uint8_t		hdr[3];
	struct buf	w;

	if (n > UINT16_MAX)
		abort();
	buf_writer(&w, hdr, sizeof hdr);
	(void)buf_put_u8(&w, (uint8_t)op);
	(void)buf_put_u16le(&w, (uint16_t)n);
	fuzz_out_bytes(o, hdr, sizeof hdr);
	fuzz_out_bytes(o, p, n);
}

/* Frees a byte string's memory and empties it. */
void
fuzz_out_free(struct fuzz_out *o)
{
	free(o->p);
	memset(o, 0, sizeof *o);
}

/* Queues (or just counts) a datagram an endpoint sent. */
static void
fuzz_ep_sent(struct fuzz_ep *ep, const uint8_t *pkt, size_t len)
{
	struct fuzz_dgram	*d;

	ep->sent++;
	if (!ep->keep)
		return;
	d = xcalloc(1, sizeof *d);
	d->data = xmemdup(pkt, len);
	d->len = len;
	*ep->out_tail = d;
	ep->out_tail = &d->next;
}

/* The endpoints' wall clock: a fixed epoch plus the virtual clock. */
static uint64_t
fuzz_ep_wall(void *arg)
{
	struct fuzz_ep	*ep = arg;

	return (FUZZ_WALL0 + ep->now);
}

/* The configuration both endpoints use: defaults, keepalives on. */
static void
fuzz_ep_config(struct chan_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->keepalive_ns = 3 * LN_NS_PER_SEC;
	cfg->wall_ns = fuzz_ep_wall;
}

/* Server op: a datagram out. */
static void
fuzz_srv_send(void *arg, const struct chan_addr *to, const uint8_t *pkt,
    size_t len)
{
	(void)to;
	fuzz_ep_sent(arg, pkt, len);
}

/* Server op: admits the fixed client key as FUZZ_USER only. */
static int
fuzz_srv_authorize(void *arg, const uint8_t *pk, const char *user)
{
	(void)arg;
	if (sodium_memcmp(pk, fuzz_cli_pk, LN_KEY_LEN) != 0 ||
	    strcmp(user, FUZZ_USER) != 0)
		return (-1);
	return (0);
}

/* Server op: remembers the newest peer, to send to. */
static void
fuzz_srv_connect(void *arg, struct chan_peer *peer)
{
	struct fuzz_ep	*ep = arg;

	ep->peer = peer;
}

/* Server op: forgets a peer that went away. */
static void
fuzz_srv_disconnect(void *arg, struct chan_peer *peer)
{
	struct fuzz_ep	*ep = arg;

	if (ep->peer == peer)
		ep->peer = NULL;
}

/* Server op: a message from a peer. */
static void
fuzz_srv_message(void *arg, struct chan_peer *peer, const uint8_t *msg,
    size_t len, int reliable)
{
	struct fuzz_ep	*ep = arg;

	(void)peer;
	(void)msg;
	(void)len;
	(void)reliable;
	ep->messages++;
}

/* Client op: a datagram out. */
static void
fuzz_cli_send(void *arg, const uint8_t *pkt, size_t len)
{
	fuzz_ep_sent(arg, pkt, len);
}

/* Client op: a message from the server. */
static void
fuzz_cli_message(void *arg, const uint8_t *msg, size_t len, int reliable)
{
	struct fuzz_ep	*ep = arg;

	(void)msg;
	(void)len;
	(void)reliable;
	ep->messages++;
}

static const struct chan_server_ops fuzz_srv_ops = {
	.send = fuzz_srv_send,
	.authorize = fuzz_srv_authorize,
	.connect = fuzz_srv_connect,
	.disconnect = fuzz_srv_disconnect,
	.message = fuzz_srv_message,
};

static const struct chan_client_ops fuzz_cli_ops = {
	.send = fuzz_cli_send,
	.message = fuzz_cli_message,
	.connected = NULL,
};

/* Starts an endpoint afresh at FUZZ_T0, every random stream reset. */
static void
fuzz_ep_reset(struct fuzz_ep *ep, int keep)
{
	memset(ep, 0, sizeof *ep);
	ep->now = FUZZ_T0;
	ep->keep = keep;
	ep->out_tail = &ep->out;
}

/* A server endpoint with the fixed server key; keep: queue its output. */
void
fuzz_ep_server(struct fuzz_ep *ep, int keep)
{
	struct chan_config	cfg;

	fuzz_ep_reset(ep, keep);
	fuzz_ep_config(&cfg);
	fuzz_rng_use(FUZZ_SERVER);
	ep->srv = chan_server_new(&cfg, fuzz_srv_sk, &fuzz_srv_ops, ep);
	if (ep->srv == NULL)
		abort();
}

/* A client endpoint of the fixed client key for the fixed server. */
void
fuzz_ep_client(struct fuzz_ep *ep, int keep)
{
	struct chan_config	cfg;

	fuzz_ep_reset(ep, keep);
	fuzz_ep_config(&cfg);
	fuzz_rng_use(FUZZ_CLIENT);
	ep->cli = chan_client_new(&cfg, fuzz_cli_sk, fuzz_srv_pk, FUZZ_USER,
	    &fuzz_cli_ops, ep);
	if (ep->cli == NULL)
		abort();
}

/* Drops counted before a packet is authenticated: they must stay silent. */
static uint64_t
fuzz_preauth_drops(const struct ln_counters *c)
{
	static const enum ln_drop preauth[] = {
		LN_DROP_SHORT, LN_DROP_TYPE, LN_DROP_VERSION,
		LN_DROP_RESERVED, LN_DROP_MAC1, LN_DROP_HANDSHAKE,
		LN_DROP_UNAUTHORIZED, LN_DROP_INIT_REPLAY, LN_DROP_RATELIMIT,
		LN_DROP_UNKNOWN_INDEX, LN_DROP_STATE, LN_DROP_DECRYPT,
		LN_DROP_REPLAY, LN_DROP_EXPIRED,
	};
	uint64_t	n = 0;
	size_t		i;

	for (i = 0; i < sizeof preauth / sizeof preauth[0]; i++)
		n += c->drop[preauth[i]];
	return (n);
}

/* The counters of whichever endpoint this is. */
static const struct ln_counters *
fuzz_ep_counters(const struct fuzz_ep *ep)
{
	if (ep->srv != NULL)
		return (chan_server_counters(ep->srv));
	return (chan_client_counters(ep->cli));
}

/*
 * A datagram into the endpoint. Checks the protocol's silence rule: a
 * datagram dropped before it authenticated gets no reply at all.
 */
static void
fuzz_ep_input(struct fuzz_ep *ep, const uint8_t *pkt, size_t len, int alt)
{
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;
	struct chan_addr	 a;
	uint64_t		 drops;
	unsigned		 sent = ep->sent;

	memset(&a, 0, sizeof a);
	if (!alt) {
		sin = (struct sockaddr_in *)&a.ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(40000);
		sin->sin_addr.s_addr = htonl(0x7f000001);
		a.len = sizeof *sin;
	} else {
		sin6 = (struct sockaddr_in6 *)&a.ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(40001);
		sin6->sin6_addr.s6_addr[15] = 1;
		a.len = sizeof *sin6;
	}
	drops = fuzz_preauth_drops(fuzz_ep_counters(ep));
	if (ep->srv != NULL)
		chan_server_input(ep->srv, pkt, len, &a, ep->now);
	else
		chan_client_input(ep->cli, pkt, len, ep->now);
	if (fuzz_preauth_drops(fuzz_ep_counters(ep)) != drops &&
	    ep->sent != sent) {
		fprintf(stderr, "fuzz: a dropped datagram got a reply\n");
		abort();
	}
}

/* Carries out one script record on the endpoint. */
void
fuzz_ep_apply(struct fuzz_ep *ep, const struct fuzz_rec *rec)
{
	struct buf	 b;
	const uint8_t	*msg;
	size_t		 len;
	uint8_t		 flags = 0;

	fuzz_rng_use(ep->srv != NULL ? FUZZ_SERVER : FUZZ_CLIENT);
	switch (rec->op) {
	case FUZZ_OP_DGRAM:
	case FUZZ_OP_DGRAM_ALT:
		fuzz_ep_input(ep, rec->data, rec->len,
		    rec->op == FUZZ_OP_DGRAM_ALT);
		break;
	case FUZZ_OP_TICK:
		ep->now += (uint64_t)fuzz_u32(rec->data, rec->len) *
		    LN_NS_PER_MS;
		if (ep->srv != NULL)
			(void)chan_server_tick(ep->srv, ep->now);
		else
			(void)chan_client_tick(ep->cli, ep->now);
		break;
	case FUZZ_OP_SEND:
		buf_reader(&b, rec->data, rec->len);
		(void)buf_get_u8(&b, &flags);
		msg = buf_get_rest(&b, &len);
		if (ep->srv != NULL) {
			if (ep->peer != NULL)
				(void)chan_server_send(ep->srv, ep->peer, msg,
				    len, flags & CHAN_RELIABLE, ep->now);
		} else
			(void)chan_client_send(ep->cli, msg, len,
			    flags & CHAN_RELIABLE, ep->now);
		break;
	case FUZZ_OP_CONNECT:
		if (ep->cli != NULL)
			(void)chan_client_connect(ep->cli, ep->now);
		break;
	case FUZZ_OP_MAX:
		break;
	}
}

/* mkcorpus: records a call in the endpoint's script, then makes it. */
void
fuzz_ep_do(struct fuzz_ep *ep, enum fuzz_op op, const void *data, size_t len)
{
	struct fuzz_rec	rec;

	if (ep->script != NULL)
		fuzz_out_rec(ep->script, op, data, len);
	rec.op = op;
	rec.rawop = op;
	rec.data = data;
	rec.len = len;
	fuzz_ep_apply(ep, &rec);
}

/* Takes the oldest datagram the endpoint sent; NULL if none. */
struct fuzz_dgram *
fuzz_ep_take(struct fuzz_ep *ep)
{
	struct fuzz_dgram	*d = ep->out;

	if (d == NULL)
		return (NULL);
	ep->out = d->next;
	if (ep->out == NULL)
		ep->out_tail = &ep->out;
	d->next = NULL;
	return (d);
}

/* Frees a datagram taken from an endpoint. */
void
fuzz_dgram_free(struct fuzz_dgram *d)
{
	if (d == NULL)
		return;
	free(d->data);
	free(d);
}

/* Says what an endpoint did: handshakes, messages, drops by reason. */
void
fuzz_ep_report(const struct fuzz_ep *ep, FILE *f)
{
	const struct ln_counters	*c = fuzz_ep_counters(ep);
	int				 i;

	fprintf(f, "%s: rx %llu tx %llu handshakes %llu messages %u",
	    ep->srv != NULL ? "server" : "client",
	    (unsigned long long)c->rx_packets,
	    (unsigned long long)c->tx_packets,
	    (unsigned long long)c->handshakes, ep->messages);
	for (i = 0; i < LN_DROP_MAX; i++)
		if (c->drop[i] != 0)
			fprintf(f, " %s %llu", ln_drop_name((enum ln_drop)i),
			    (unsigned long long)c->drop[i]);
	fprintf(f, "\n");
}

/* Frees an endpoint and whatever it sent that nobody took. */
void
fuzz_ep_free(struct fuzz_ep *ep)
{
	struct fuzz_dgram	*d;

	fuzz_rng_use(ep->srv != NULL ? FUZZ_SERVER : FUZZ_CLIENT);
	chan_server_free(ep->srv);
	chan_client_free(ep->cli);
	while ((d = fuzz_ep_take(ep)) != NULL)
		fuzz_dgram_free(d);
	ep->srv = NULL;
	ep->cli = NULL;
	ep->peer = NULL;
}

/*
 * libFuzzer's start-up hook for every target that needs no more than the
 * deterministic generator; weak, so a target with its own wins.
 */
__attribute__((weak)) int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return (0);
}
