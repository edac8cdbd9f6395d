/*
 * mkcorpus.c: writes the seed corpus of every fuzz target from real packets.
 *
 *	mkcorpus DIR
 *
 * makes DIR/<target>/seed-NNN for each target in fuzz/. A server and a
 * client run in memory through the channel API on a virtual clock, with the
 * same deterministic random streams and fixed keys as the targets
 * (fuzz.h), through several scenarios (a plain session, loss, reordering
 * and duplication, roaming, re-handshakes, key expiry). Every call made on
 * each endpoint is recorded as a script, which is a seed for the endpoint
 * target; every datagram that crosses is captured by type as a seed for the
 * packet targets. Fragment frames and Envelopes come from frag_build and a
 * real pair of rel, and every protobuf message type gets a sample encoded
 * from its descriptor. Run at build time by Makefile.am.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <protobuf-c/protobuf-c.h>
#include <sodium.h>

#include "fuzz.h"
#include "lnsh.pb-c.h"

#define MAX_CAPTURE	64	/* datagrams of one type kept per scenario */

static const char	*root;

/* What one scenario needs: both endpoints and the datagrams captured. */
struct net {
	struct fuzz_ep		 srv, cli;
	struct fuzz_out		 srv_script, cli_script;
	unsigned		 step;		/* datagrams carried */
	unsigned		 drop_every;	/* lose every n-th; 0: none */
	unsigned		 dup_every;	/* duplicate every n-th */
	int			 alt;		/* client on its 2nd address */
	int			 reorder;	/* swap each pair */
};

static struct fuzz_out	init_caps[MAX_CAPTURE];
static struct fuzz_out	tx_caps[MAX_CAPTURE];
static unsigned		ninit, ntx;

/* Creates a directory if it is not there; exits on failure. */
static void
mkdir_or_die(const char *path)
{
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "mkcorpus: mkdir %s: %s\n", path,
		    strerror(errno));
		exit(1);
	}
}

/* Writes one seed as root/target/seed-NNN, numbered per target. */
static void
seed(const char *target, const void *data, size_t len)
{
	static char	 names[16][64];
	static unsigned	 counts[16];
	char		 path[4096];
	FILE		*f;
	unsigned	 t;

	for (t = 0; t < 16 && names[t][0] != '\0'; t++)
		if (strcmp(names[t], target) == 0)
			break;
	if (t == 16)
		abort();
	if (names[t][0] == '\0') {
		snprintf(names[t], sizeof names[t], "%s", target);
		snprintf(path, sizeof path, "%s/%s", root, target);
		mkdir_or_die(path);
	}
	snprintf(path, sizeof path, "%s/%s/seed-%03u", root, target,
	    counts[t]++);
	if ((f = fopen(path, "wb")) == NULL ||
	    (len != 0 && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
		fprintf(stderr, "mkcorpus: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* Writes a seed made of a mode byte and a packet. */
static void
seed_mode(const char *target, uint8_t mode, const uint8_t *pkt, size_t len)
{
	struct fuzz_out	o;

	memset(&o, 0, sizeof o);
	fuzz_out_bytes(&o, &mode, 1);
	fuzz_out_bytes(&o, pkt, len);
	seed(target, o.p, o.len);
	fuzz_out_free(&o);
}

/* Keeps a copy of a datagram by its type, for the packet targets. */
static void
capture(const uint8_t *pkt, size_t len)
{
	struct fuzz_out	*o = NULL;
	struct buf	 b;
	uint8_t		 type;

	buf_reader(&b, pkt, len);
	if (buf_get_u8(&b, &type) != 0)
		return;
	if (type == LN_PKT_INITIATION && ninit < MAX_CAPTURE)
		o = &init_caps[ninit++];
	else if (type == LN_PKT_TRANSPORT && ntx < MAX_CAPTURE)
		o = &tx_caps[ntx++];
	if (o != NULL)
		fuzz_out_bytes(o, pkt, len);
}

/* Starts a scenario: a fresh server and client, both recorded. */
static void
net_init(struct net *n)
{
	memset(n, 0, sizeof *n);
	fuzz_rng_reset();
	fuzz_ep_server(&n->srv, 1);
	n->srv.script = &n->srv_script;
	fuzz_ep_client(&n->cli, 1);
	n->cli.script = &n->cli_script;
}

/* Ends a scenario: its two scripts become seeds. */
static void
net_done(struct net *n)
{
	if (n->srv_script.len <= FUZZ_SCRIPT_MAX)
		seed("fuzz-chan-server", n->srv_script.p, n->srv_script.len);
	if (n->cli_script.len <= FUZZ_SCRIPT_MAX)
		seed("fuzz-chan-client", n->cli_script.p, n->cli_script.len);
	fuzz_ep_free(&n->srv);
	fuzz_ep_free(&n->cli);
	fuzz_out_free(&n->srv_script);
	fuzz_out_free(&n->cli_script);
}

/* Hands one datagram to an endpoint as the network would. */
static void
net_deliver(struct net *n, struct fuzz_ep *to, struct fuzz_dgram *d)
{
	enum fuzz_op	op;

	n->step++;
	capture(d->data, d->len);
	if (n->drop_every != 0 && n->step % n->drop_every == 0)
		return;
	op = to == &n->srv && n->alt ? FUZZ_OP_DGRAM_ALT : FUZZ_OP_DGRAM;
	fuzz_ep_do(to, op, d->data, d->len);
	if (n->dup_every != 0 && n->step % n->dup_every == 0)
		fuzz_ep_do(to, op, d->data, d->len);
}

/* Carries datagrams both ways until neither side has any to send. */
static void
net_flush(struct net *n)
{
	struct fuzz_dgram	*a, *b;
	int			 moved;

	do {
		moved = 0;
		while ((a = fuzz_ep_take(&n->cli)) != NULL) {
			if (n->reorder && (b = fuzz_ep_take(&n->cli)) != NULL) {
				net_deliver(n, &n->srv, b);
				fuzz_dgram_free(b);
			}
			net_deliver(n, &n->srv, a);
			fuzz_dgram_free(a);
			moved = 1;
		}
		while ((a = fuzz_ep_take(&n->srv)) != NULL) {
			if (n->reorder && (b = fuzz_ep_take(&n->srv)) != NULL) {
				net_deliver(n, &n->cli, b);
				fuzz_dgram_free(b);
			}
			net_deliver(n, &n->cli, a);
			fuzz_dgram_free(a);
			moved = 1;
		}
	} while (moved);
}

/* Advances both clocks by ms, ticking both, and carries what follows. */
static void
net_tick(struct net *n, uint32_t ms)
{
	uint8_t		le[4];
	struct buf	w;

	buf_writer(&w, le, sizeof le);
	(void)buf_put_u32le(&w, ms);
	fuzz_ep_do(&n->srv, FUZZ_OP_TICK, le, sizeof le);
	fuzz_ep_do(&n->cli, FUZZ_OP_TICK, le, sizeof le);
	net_flush(n);
}

/* One endpoint sends a message of len bytes (a pattern) with flags. */
static void
net_send(struct net *n, struct fuzz_ep *from, size_t len, uint8_t flags)
{
	struct fuzz_out	o;
	size_t		i;
	uint8_t		c;

	memset(&o, 0, sizeof o);
	fuzz_out_bytes(&o, &flags, 1);
	for (i = 0; i < len; i++) {
		c = (uint8_t)('a' + i % 26);
		fuzz_out_bytes(&o, &c, 1);
	}
	fuzz_ep_do(from, FUZZ_OP_SEND, o.p, o.len);
	fuzz_out_free(&o);
	net_flush(n);
}

/* The client connects and the handshake runs to the end. */
static void
net_connect(struct net *n)
{
	fuzz_ep_do(&n->cli, FUZZ_OP_CONNECT, NULL, 0);
	net_flush(n);
}

/* A short conversation both ways, small, fragmented and unreliable. */
static void
net_talk(struct net *n)
{
	net_send(n, &n->cli, 20, CHAN_RELIABLE);
	net_send(n, &n->cli, 0, CHAN_RELIABLE);
	net_send(n, &n->srv, 300, CHAN_RELIABLE);
	net_send(n, &n->cli, 40, 0);
	net_send(n, &n->srv, 3000, CHAN_RELIABLE);
	net_send(n, &n->srv, 10, 0);
	net_tick(n, 20);
	net_tick(n, 400);
}

/* The channel scenarios: each leaves a script per endpoint. */
static void
scenarios(void)
{
	struct net	n;
	int		i;

	/* A plain session. */
	net_init(&n);
	net_connect(&n);
	net_talk(&n);
	net_done(&n);

	/* Loss: retransmissions, a resent initiation. */
	net_init(&n);
	n.drop_every = 3;
	net_connect(&n);
	net_tick(&n, 1500);
	net_talk(&n);
	for (i = 0; i < 6; i++)
		net_tick(&n, 700);
	net_done(&n);

	/* Reordering and duplication. */
	net_init(&n);
	net_connect(&n);
	n.reorder = 1;
	n.dup_every = 2;
	net_talk(&n);
	net_send(&n, &n.cli, 2500, CHAN_RELIABLE);
	net_tick(&n, 100);
	net_done(&n);

	/* Roaming: the client moves to another address mid-stream. */
	net_init(&n);
	net_connect(&n);
	net_send(&n, &n.cli, 30, CHAN_RELIABLE);
	n.alt = 1;
	net_tick(&n, 3500);
	net_talk(&n);
	net_done(&n);

	/* Re-handshakes (after 120 s), then silence until keys expire. */
	net_init(&n);
	net_connect(&n);
	net_talk(&n);
	for (i = 0; i < 5; i++)
		net_tick(&n, 30000);
	net_talk(&n);
	n.drop_every = 1;
	net_tick(&n, 200000);
	n.drop_every = 0;
	net_tick(&n, 1000);
	net_talk(&n);
	net_done(&n);

	/* Handshake only, and the client talking first. */
	net_init(&n);
	net_send(&n, &n.cli, 50, CHAN_RELIABLE);
	net_connect(&n);
	net_done(&n);
}

/* Seeds for the initiation target: captured initiations, both modes. */
static void
initiation_seeds(void)
{
	unsigned	i;

	for (i = 0; i < ninit && i < 8; i++) {
		seed_mode("fuzz-initiation", 0, init_caps[i].p,
		    init_caps[i].len);
		seed_mode("fuzz-initiation", 1, init_caps[i].p,
		    init_caps[i].len);
	}
}

/*
 * Seeds for the response target: the responder's answers to the one
 * initiation the target starts (fuzz-response.c, fuzz_initiate), with the
 * channel's Welcome as payload and with none.
 */
static void
response_seeds(void)
{
	Lnsh__Welcome		 w = LNSH__WELCOME__INIT;
	struct noise_handshake	 ini, rsp;
	struct hs_keys		 keys;
	uint8_t			 cli_sk[LN_KEY_LEN], srv_sk[LN_KEY_LEN];
	uint8_t			 srv_pk[LN_KEY_LEN], mac1[LN_KEY_LEN];
	uint8_t			 pkt[LN_MAX_DATAGRAM], resp[LN_MAX_DATAGRAM];
	uint8_t			 payload[LN_MAX_HS_PAYLOAD], cpk[LN_KEY_LEN];
	uint8_t			 welcome[64];
	size_t			 n, rlen, plen, wlen;
	uint32_t		 sender;
	int			 variant;

	fuzz_client_key(cli_sk, NULL);
	fuzz_server_key(srv_sk, srv_pk);
	hs_mac1_key(srv_pk, mac1);
	w.version = LN_PROTO_VERSION;
	for (variant = 0; variant < 3; variant++) {
		w.resumed = variant == 2;
		wlen = lnsh__welcome__pack(&w, welcome);
		fuzz_rng_reset();
		fuzz_rng_use(FUZZ_CLIENT);
		if (hs_initiation(&ini, cli_sk, srv_pk, FUZZ_INIT_INDEX, NULL,
		    0, pkt, sizeof pkt, &n) != 0)
			abort();
		fuzz_rng_use(FUZZ_SERVER);
		if (hs_consume_initiation(&rsp, srv_sk, srv_pk, mac1, pkt, n,
		    &sender, cpk, payload, sizeof payload, &plen) != 0 ||
		    hs_response(&rsp, FUZZ_RESP_INDEX, sender, cpk, welcome,
		    variant == 0 ? 0 : wlen, resp, sizeof resp, &rlen,
		    &keys) != 0)
			abort();
		seed_mode("fuzz-response", 0, resp, rlen);
		seed_mode("fuzz-response", 1, resp, rlen);
		noise_wipe(&ini);
	}
	sodium_memzero(cli_sk, sizeof cli_sk);
	sodium_memzero(srv_sk, sizeof srv_sk);
	sodium_memzero(&keys, sizeof keys);
}

/* Seeds for the transport target: sealed scripts and captured packets. */
static void
transport_seeds(void)
{
	struct keypair	 rx, tx;
	struct fuzz_out	 s, pkts[6];
	uint8_t		 pkt[LN_MAX_DATAGRAM], pt[LN_MAX_PLAINTEXT];
	uint8_t		 alt[8 + 64], le[4];
	static const uint64_t counters[] = { 0, 1, 4095, 4096, 100000,
	    1ULL << 60, LN_REJECT_AFTER_MSGS - 1 };
	struct buf	 w;
	size_t		 len, i, sizes[6] = { 0, 1, 100, 1000,
	    LN_MAX_PLAINTEXT, 17 };

	memset(pt, 'p', sizeof pt);
	fuzz_transport_pair(&rx, &tx, FUZZ_T0);
	memset(pkts, 0, sizeof pkts);
	for (i = 0; i < 6; i++) {
		if (transport_seal(&tx, pt, sizes[i], FUZZ_T0, 0, pkt,
		    sizeof pkt, &len) != 0)
			abort();
		fuzz_out_bytes(&pkts[i], pkt, len);
	}

	/* In order, then replayed. */
	memset(&s, 0, sizeof s);
	for (i = 0; i < 6; i++)
		fuzz_out_rec(&s, FUZZ_OP_DGRAM, pkts[i].p, pkts[i].len);
	fuzz_out_rec(&s, FUZZ_OP_DGRAM, pkts[2].p, pkts[2].len);
	seed("fuzz-transport", s.p, s.len);
	fuzz_out_free(&s);

	/* Reversed, and late after the keys expired. */
	for (i = 6; i-- > 0;)
		fuzz_out_rec(&s, FUZZ_OP_DGRAM, pkts[i].p, pkts[i].len);
	buf_writer(&w, le, sizeof le);
	(void)buf_put_u32le(&w, 181000);
	fuzz_out_rec(&s, FUZZ_OP_TICK, le, sizeof le);
	fuzz_out_rec(&s, FUZZ_OP_DGRAM, pkts[0].p, pkts[0].len);
	seed("fuzz-transport", s.p, s.len);
	fuzz_out_free(&s);

	/* Counters of the fuzzer's choosing, sealed by the harness. */
	for (i = 0; i < sizeof counters / sizeof counters[0]; i++) {
		buf_writer(&w, alt, sizeof alt);
		(void)buf_put_u64le(&w, counters[i]);
		(void)buf_put_bytes(&w, pt, 64);
		fuzz_out_rec(&s, FUZZ_OP_DGRAM_ALT, alt, sizeof alt);
	}
	seed("fuzz-transport", s.p, s.len);
	fuzz_out_free(&s);

	/* Each packet alone, and what the channel sent (other keys). */
	for (i = 0; i < 6; i++) {
		fuzz_out_rec(&s, FUZZ_OP_DGRAM, pkts[i].p, pkts[i].len);
		seed("fuzz-transport", s.p, s.len);
		fuzz_out_free(&s);
		fuzz_out_free(&pkts[i]);
	}
	for (i = 0; i < ntx && i < 8; i++) {
		fuzz_out_rec(&s, FUZZ_OP_DGRAM, tx_caps[i].p, tx_caps[i].len);
		seed("fuzz-transport", s.p, s.len);
		fuzz_out_free(&s);
	}
	keypair_wipe(&rx);
	keypair_wipe(&tx);
}

/* Appends fragment i of a message as a frame record. */
static void
frag_rec(struct fuzz_out *s, uint64_t id, const uint8_t *msg, size_t len,
    unsigned i)
{
	uint8_t	frame[LN_MAX_PLAINTEXT];
	size_t	n;

	if (frag_build(id, msg, len, i, frame, sizeof frame, &n) != 0)
		abort();
	fuzz_out_rec(s, FUZZ_OP_DGRAM, frame, n);
}

/* Seeds for the fragment target, from frag_build's own frames. */
static void
frag_seeds(void)
{
	static const size_t sizes[] = { 0, 10, LN_FRAG_DATA_MAX,
	    LN_FRAG_DATA_MAX + 1, 5000, 30000 };
	static uint8_t	 msg[30000];
	struct fuzz_out	 s;
	uint8_t		 le[4] = { 0x10, 0x27, 0, 0 };	/* 10 s */
	uint8_t		 keepalive = LN_FRAME_KEEPALIVE;
	size_t		 i, c, k;

	for (i = 0; i < sizeof msg; i++)
		msg[i] = (uint8_t)(i * 7);
	memset(&s, 0, sizeof s);
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		c = frag_count(sizes[i]);
		/* In order. */
		for (k = 0; k < c; k++)
			frag_rec(&s, 100 + i, msg, sizes[i], (unsigned)k);
		seed("fuzz-frag", s.p, s.len);
		fuzz_out_free(&s);
		if (c < 2)
			continue;
		/* Reversed, with a duplicate. */
		for (k = c; k-- > 0;)
			frag_rec(&s, 200 + i, msg, sizes[i], (unsigned)k);
		frag_rec(&s, 200 + i, msg, sizes[i], 0);
		seed("fuzz-frag", s.p, s.len);
		fuzz_out_free(&s);
		/* Half of it, then a timeout, then the rest. */
		for (k = 0; k < c / 2; k++)
			frag_rec(&s, 300 + i, msg, sizes[i], (unsigned)k);
		fuzz_out_rec(&s, FUZZ_OP_TICK, le, sizeof le);
		fuzz_out_rec(&s, FUZZ_OP_TICK, le, sizeof le);
		for (; k < c; k++)
			frag_rec(&s, 300 + i, msg, sizes[i], (unsigned)k);
		seed("fuzz-frag", s.p, s.len);
		fuzz_out_free(&s);
	}
	/* Two messages interleaved, and a keepalive frame among them. */
	for (k = 0; k < frag_count(5000); k++) {
		frag_rec(&s, 7, msg, 5000, (unsigned)k);
		frag_rec(&s, 8, msg + 1, 4000,
		    (unsigned)(k % frag_count(4000)));
	}
	fuzz_out_rec(&s, FUZZ_OP_DGRAM, &keepalive, 1);
	seed("fuzz-frag", s.p, s.len);
	fuzz_out_free(&s);
}

/* rel deliver callback for the peer in rel_seeds: nothing to do. */
static void
rel_sink(void *arg, const uint8_t *msg, size_t len, int reliable)
{
	(void)arg;
	(void)msg;
	(void)len;
	(void)reliable;
}

/*
 * Seeds for the rel target: Envelopes a real rel sent, in order, reversed
 * and duplicated, interleaved with the target's own queued messages, ticks
 * and acks of them.
 */
static void
rel_seeds(void)
{
	struct ln_counters	 ca, cb;
	struct rel		 a, b;
	struct fuzz_out		 envs[8], s;
	uint8_t			*env, body[2000], le[4] = { 0x2c, 0x01, 0, 0 };
	size_t			 envlen, i, k, n = 0;

	memset(body, 'b', sizeof body);
	memset(&ca, 0, sizeof ca);
	memset(&cb, 0, sizeof cb);
	memset(envs, 0, sizeof envs);
	rel_init(&a, &ca);
	rel_init(&b, &cb);

	/* b (the target's side) queues two messages; a receives them. */
	memset(&s, 0, sizeof s);
	for (i = 0; i < 2; i++) {
		fuzz_out_rec(&s, FUZZ_OP_DGRAM_ALT, body, 10 + i);
		(void)rel_queue(&b, body, 10 + i);
	}
	fuzz_out_rec(&s, FUZZ_OP_TICK, le, sizeof le);
	while (rel_next(&b, FUZZ_T0 + 300 * LN_NS_PER_MS, &env, &envlen,
	    NULL) == 1) {
		(void)rel_input(&a, env, envlen, FUZZ_T0, rel_sink, NULL);
		free(env);
	}
	/* a sends five reliable messages, acking b's, and an unreliable. */
	for (i = 0; i < 5; i++)
		(void)rel_queue(&a, body, i * 400);
	while (n < 5 && rel_next(&a, FUZZ_T0, &env, &envlen, NULL) == 1) {
		fuzz_out_bytes(&envs[n++], env, envlen);
		free(env);
	}
	if (rel_wrap(&a, FUZZ_T0, body, 33, &env, &envlen) != 0)
		abort();
	fuzz_out_bytes(&envs[n++], env, envlen);
	free(env);
	/* A pure ack. */
	(void)rel_input(&a, envs[0].p, envs[0].len, FUZZ_T0, rel_sink, NULL);
	while (rel_next(&a, FUZZ_T0 + LN_NS_PER_SEC, &env, &envlen,
	    NULL) == 1) {
		if (n < 8)
			fuzz_out_bytes(&envs[n++], env, envlen);
		free(env);
	}

	for (k = 0; k < 3; k++) {
		struct fuzz_out	t;

		memset(&t, 0, sizeof t);
		fuzz_out_bytes(&t, s.p, s.len);
		for (i = 0; i < n; i++) {
			size_t	j = k == 1 ? n - 1 - i : i;

			fuzz_out_rec(&t, FUZZ_OP_DGRAM, envs[j].p,
			    envs[j].len);
			if (k == 2)
				fuzz_out_rec(&t, FUZZ_OP_DGRAM, envs[j].p,
				    envs[j].len);
		}
		fuzz_out_rec(&t, FUZZ_OP_TICK, le, sizeof le);
		fuzz_out_rec(&t, FUZZ_OP_SEND, body, 5);
		if (k == 2)
			fuzz_out_rec(&t, FUZZ_OP_CONNECT, NULL, 0);
		seed("fuzz-rel", t.p, t.len);
		fuzz_out_free(&t);
	}
	for (i = 0; i < n; i++)
		fuzz_out_free(&envs[i]);
	fuzz_out_free(&s);
	rel_free(&a);
	rel_free(&b);
}

/* Appends a protobuf varint. */
static void
pb_varint(struct fuzz_out *o, uint64_t v)
{
	uint8_t	c;

	do {
		c = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v != 0)
			c |= 0x80;
		fuzz_out_bytes(o, &c, 1);
	} while (v != 0);
}

/*
 * Encodes a sample of a message type from its descriptor: every field
 * once (repeated ones twice) with a plausible value, sub-messages filled
 * the same way down to a small depth.
 */
static void
pb_sample(struct fuzz_out *o, const ProtobufCMessageDescriptor *d, int depth)
{
	const ProtobufCFieldDescriptor	*f;
	struct fuzz_out			 sub;
	uint8_t				 fixed[8];
	unsigned			 i, times, t;

	memset(fixed, 0x41, sizeof fixed);
	for (i = 0; i < d->n_fields; i++) {
		f = &d->fields[i];
		times = f->label == PROTOBUF_C_LABEL_REPEATED ? 2 : 1;
		for (t = 0; t < times; t++) {
			switch (f->type) {
			case PROTOBUF_C_TYPE_FIXED64:
			case PROTOBUF_C_TYPE_SFIXED64:
			case PROTOBUF_C_TYPE_DOUBLE:
				pb_varint(o, (uint64_t)f->id << 3 | 1);
				fuzz_out_bytes(o, fixed, 8);
				break;
			case PROTOBUF_C_TYPE_FIXED32:
			case PROTOBUF_C_TYPE_SFIXED32:
			case PROTOBUF_C_TYPE_FLOAT:
				pb_varint(o, (uint64_t)f->id << 3 | 5);
				fuzz_out_bytes(o, fixed, 4);
				break;
			case PROTOBUF_C_TYPE_STRING:
			case PROTOBUF_C_TYPE_BYTES:
				pb_varint(o, (uint64_t)f->id << 3 | 2);
				pb_varint(o, 5);
				fuzz_out_bytes(o, "lnsh1", 5);
				break;
			case PROTOBUF_C_TYPE_MESSAGE:
				memset(&sub, 0, sizeof sub);
				if (depth < 3)
					pb_sample(&sub, f->descriptor,
					    depth + 1);
				pb_varint(o, (uint64_t)f->id << 3 | 2);
				pb_varint(o, sub.len);
				fuzz_out_bytes(o, sub.p, sub.len);
				fuzz_out_free(&sub);
				break;
			default:	/* the varint types */
				pb_varint(o, (uint64_t)f->id << 3);
				pb_varint(o, 1 + t + f->id);
				break;
			}
		}
	}
}

/*
 * Seeds for the protobuf target: for every type, the empty message and a
 * sample from its descriptor; and the Hello and Envelope the channel sends.
 */
static void
protobuf_seeds(void)
{
	Lnsh__Hello	 h = LNSH__HELLO__INIT;
	Lnsh__Envelope	 e = LNSH__ENVELOPE__INIT;
	struct fuzz_out	 o;
	uint8_t		 sel, buf[256];
	size_t		 i, n;

	for (i = 0; i < fuzz_pb_ntypes; i++) {
		sel = (uint8_t)i;
		seed("fuzz-protobuf", &sel, 1);
		memset(&o, 0, sizeof o);
		fuzz_out_bytes(&o, &sel, 1);
		pb_sample(&o, fuzz_pb_types[i], 0);
		seed("fuzz-protobuf", o.p, o.len);
		fuzz_out_free(&o);
	}
	h.timestamp_ns = FUZZ_WALL0;
	h.connection_id = 0x1122334455667788ULL;
	h.user = (char *)(uintptr_t)FUZZ_USER;
	h.version = LN_PROTO_VERSION;
	n = lnsh__hello__pack(&h, buf + 1);
	buf[0] = 0;		/* fuzz_pb_types[0]: Hello */
	seed("fuzz-protobuf", buf, n + 1);
	e.seq = 7;
	e.ack = 5;
	e.body.data = (uint8_t *)(uintptr_t)"body";
	e.body.len = 4;
	n = lnsh__envelope__pack(&e, buf + 1);
	buf[0] = 2;		/* fuzz_pb_types[2]: Envelope */
	seed("fuzz-protobuf", buf, n + 1);
}

/* Writes every target's seeds under the directory named by argv[1]. */
int
main(int argc, char **argv)
{
	unsigned	i;

	if (argc != 2) {
		fprintf(stderr, "usage: mkcorpus DIR\n");
		return (2);
	}
	root = argv[1];
	fuzz_init();
	mkdir_or_die(root);

	scenarios();
	initiation_seeds();
	response_seeds();
	transport_seeds();
	frag_seeds();
	rel_seeds();
	protobuf_seeds();

	for (i = 0; i < ninit; i++)
		fuzz_out_free(&init_caps[i]);
	for (i = 0; i < ntx; i++)
		fuzz_out_free(&tx_caps[i]);
	return (0);
}
