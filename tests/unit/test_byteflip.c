/*
 * test_byteflip.c: byte flipping, as OpenSSH's regress does it. A real
 * client and server handshake and talk in memory on a virtual clock, and
 * the initiation, the response and transport packets both ways (a
 * keepalive or a lone ack, an unreliable and a reliable message) are
 * captured on the way. Every single-bit flip and every truncation of each,
 * and a few thousand random datagrams, go to the endpoint that would
 * receive the packet. Each must be dropped and counted exactly once under
 * the reason the packet formats document, answered by nothing, deliver
 * nothing, and leave the endpoint able to take the genuine packet after.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "proto.h"
#include "chan-harness.h"

#define QMAX		32		/* datagrams waiting per direction */
#define MSG_MAX		256		/* largest test message kept */
#define RANDOM_COUNT	4000		/* random datagrams per run */
#define RANDOM_SEED	0x62797465666c6970ULL	/* "byteflip" */

/* Offsets in the handshake packets (proto/handshake.c). */
#define INIT_NOISE_OFF	8	/* after header and sender index */
#define RESP_RECV_OFF	8	/* the receiver index */
#define RESP_NOISE_OFF	12	/* after header and both indices */
/* Offsets in a transport packet (proto/transport.c). */
#define TR_INDEX_OFF	4
#define TR_COUNTER_OFF	8

#define R(reason)	(1U << LN_DROP_##reason)

/* One datagram. */
struct dgram {
	uint8_t		data[LN_MAX_DATAGRAM + 64];
	size_t		len;
};

/* Datagrams one side has sent that nobody has delivered yet. */
struct queue {
	struct dgram	d[QMAX];
	unsigned	n;
	unsigned	sent;		/* ever */
};

/* What one side's layer above was handed. */
struct seen {
	unsigned	msgs;
	uint8_t		last[MSG_MAX];
	size_t		last_len;
	int		last_reliable;
};

/* A client and a server joined by two queues. */
struct pair {
	uint64_t		 now;
	struct chan_config	 cfg;
	uint8_t			 srv_sk[LN_KEY_LEN], srv_pk[LN_KEY_LEN];
	uint8_t			 cl_sk[LN_KEY_LEN], cl_pk[LN_KEY_LEN];
	struct chan_addr	 cl_addr;
	struct chan_server	*srv;
	struct chan_client	*cl;
	struct queue		 to_srv;	/* the client sent */
	struct queue		 to_cl;		/* the server sent */
	struct seen		 srv_seen, cl_seen;
	int			 connects;	/* server's connect() */
	int			 connected;	/* client's connected() */
	struct chan_peer	*peer;
};

/* A fresh server with the pair's keys, for one initiation. */
struct probe {
	struct pair	*p;
	unsigned	 sent;
	int		 connects;
};

/* The packets captured, in the order they were sent. */
enum cap {
	CAP_INIT,		/* client -> server: handshake initiation */
	CAP_RESP,		/* server -> client: handshake response */
	CAP_C_KEEPALIVE,	/* client -> server: a keepalive */
	CAP_C_DATA,		/* client -> server: unreliable message */
	CAP_C_RELIABLE,		/* client -> server: reliable message */
	CAP_S_ACK,		/* server -> client: an ack alone */
	CAP_S_DATA,		/* server -> client: unreliable message */
	CAP_S_RELIABLE,		/* server -> client: reliable message */
	CAP_MAX
};
static const struct {
	const char	*name;
	int		 to_server;
	unsigned	 msg;		/* test message number; 0: none */
	size_t		 msglen;
} caps[CAP_MAX] = {
	{ "initiation",		1, 0, 0 },
	{ "response",		0, 0, 0 },
	{ "client keepalive",	1, 0, 0 },
	{ "client message",	1, 1, 60 },
	{ "client reliable",	1, 2, 90 },
	{ "server ack",		0, 0, 0 },
	{ "server message",	0, 3, 70 },
	{ "server reliable",	0, 4, 110 },
};

/* What is done to each captured packet. */
enum mode {
	MODE_FLIP,		/* every single-bit flip */
	MODE_FLIP_REMAC,	/* flips inside Noise, mac1 made valid again */
	MODE_TRUNCATE,		/* every shorter length */
};

/* Test message num: bytes derived from the number and position. */
static void
mkmsg(unsigned num, size_t len, uint8_t *out)
{
	size_t	i;

	for (i = 0; i < len; i++)
		out[i] = (uint8_t)(num * 31 + i * 7 + 1);
}

static void
queue_put(struct queue *q, const uint8_t *d, size_t len)
{
	assert_true(q->n < QMAX);
	assert_true(len <= LN_MAX_DATAGRAM);
	memcpy(q->d[q->n].data, d, len);
	q->d[q->n].len = len;
	q->n++;
	q->sent++;
}

/* Takes the oldest datagram off a queue. */
static void
queue_take(struct queue *q, struct dgram *out)
{
	assert_true(q->n > 0);
	*out = q->d[0];
	q->n--;
	memmove(&q->d[0], &q->d[1], q->n * sizeof q->d[0]);
}

/* Records a message handed up. */
static void
seen_put(struct seen *s, const uint8_t *m, size_t len, int reliable)
{
	s->msgs++;
	assert_true(len <= sizeof s->last);
	memcpy(s->last, m, len);
	s->last_len = len;
	s->last_reliable = reliable;
}

/* Server ops: every datagram goes to the one client. */
static void
srv_send(void *ctx, const struct chan_addr *to, const uint8_t *d, size_t len)
{
	struct pair	*p = ctx;

	assert_int_equal(to->len, p->cl_addr.len);
	assert_memory_equal(&to->ss, &p->cl_addr.ss, to->len);
	queue_put(&p->to_cl, d, len);
}

/* Server ops: the test's client key, as "alice", and nobody else. */
static int
srv_authorize(void *ctx, const uint8_t *pk, const char *user)
{
	struct pair	*p = ctx;

	if (strcmp(user, "alice") != 0 ||
	    memcmp(pk, p->cl_pk, LN_KEY_LEN) != 0)
		return (-1);
	return (0);
}

/* Server ops: the client's connection appeared. */
static void
srv_connect(void *ctx, struct chan_peer *peer)
{
	struct pair	*p = ctx;

	p->connects++;
	p->peer = peer;
}

/* Server ops: a message from the client. */
static void
srv_message(void *ctx, struct chan_peer *peer, const uint8_t *m, size_t len,
    int reliable)
{
	struct pair	*p = ctx;

	assert_ptr_equal(peer, p->peer);
	seen_put(&p->srv_seen, m, len, reliable);
}

static const struct chan_server_ops srv_ops = {
	.send = srv_send,
	.authorize = srv_authorize,
	.connect = srv_connect,
	.message = srv_message,
};

/* Client ops: to the server. */
static void
cl_send(void *ctx, const uint8_t *d, size_t len)
{
	struct pair	*p = ctx;

	queue_put(&p->to_srv, d, len);
}

/* Client ops: a message from the server. */
static void
cl_message(void *ctx, const uint8_t *m, size_t len, int reliable)
{
	struct pair	*p = ctx;

	seen_put(&p->cl_seen, m, len, reliable);
}

/* Client ops: the handshake completed. */
static void
cl_connected(void *ctx, int resumed)
{
	struct pair	*p = ctx;

	p->connected++;
}

static const struct chan_client_ops cl_ops = {
	.send = cl_send,
	.message = cl_message,
	.connected = cl_connected,
};

/* Probe server ops: count what it sends. */
static void
probe_send(void *ctx, const struct chan_addr *to, const uint8_t *d,
    size_t len)
{
	struct probe	*pr = ctx;

	pr->sent++;
}

/* Probe server ops: the same admission as the pair's server. */
static int
probe_authorize(void *ctx, const uint8_t *pk, const char *user)
{
	struct probe	*pr = ctx;

	return (srv_authorize(pr->p, pk, user));
}

/* Probe server ops: count connections. */
static void
probe_connect(void *ctx, struct chan_peer *peer)
{
	struct probe	*pr = ctx;

	pr->connects++;
}

static const struct chan_server_ops probe_ops = {
	.send = probe_send,
	.authorize = probe_authorize,
	.connect = probe_connect,
};

/* The virtual wall clock for Hello timestamps. */
static uint64_t
wall(void *ctx)
{
	struct pair	*p = ctx;

	return (WALL_BASE + p->now);
}

/* A server and a client that has not connected yet. */
static struct pair *
duo_new(void)
{
	struct pair	*p;

	p = calloc(1, sizeof *p);
	assert_non_null(p);
	p->now = 1 * SEC;
	p->cfg.wall_ns = wall;
	p->cl_addr = mkaddr(10, 40000);
	assert_int_equal(noise_keypair(p->srv_sk, p->srv_pk), 0);
	assert_int_equal(noise_keypair(p->cl_sk, p->cl_pk), 0);
	p->srv = chan_server_new(&p->cfg, p->srv_sk, &srv_ops, p);
	assert_non_null(p->srv);
	p->cl = chan_client_new(&p->cfg, p->cl_sk, p->srv_pk, "alice",
	    &cl_ops, p);
	assert_non_null(p->cl);
	return (p);
}

static void
duo_free(struct pair *p)
{
	chan_client_free(p->cl);
	chan_server_free(p->srv);
	free(p);
}

/* Delivers every datagram in flight, and whatever they cause, in order. */
static void
duo_pump(struct pair *p)
{
	struct dgram	d;
	unsigned	steps = 0;

	while (p->to_srv.n > 0 || p->to_cl.n > 0) {
		if (p->to_srv.n > 0) {
			queue_take(&p->to_srv, &d);
			chan_server_input(p->srv, d.data, d.len, &p->cl_addr,
			    p->now);
		}
		if (p->to_cl.n > 0) {
			queue_take(&p->to_cl, &d);
			chan_client_input(p->cl, d.data, d.len, p->now);
		}
		assert_true(++steps < 1000);
	}
}

/*
 * Runs the handshake up to the response, which is captured instead of
 * delivered: the client is left waiting for it.
 */
static void
duo_handshake(struct pair *p, struct dgram *cap)
{
	assert_int_equal(chan_client_connect(p->cl, p->now), 0);
	assert_int_equal(p->to_srv.n, 1);
	queue_take(&p->to_srv, &cap[CAP_INIT]);
	chan_server_input(p->srv, cap[CAP_INIT].data, cap[CAP_INIT].len,
	    &p->cl_addr, p->now);
	assert_int_equal(p->to_cl.n, 1);
	queue_take(&p->to_cl, &cap[CAP_RESP]);
	assert_int_equal(p->connects, 1);
	assert_non_null(p->peer);
	assert_false(chan_client_connected(p->cl));
}

/* Hands the client its response; its first packet confirms the keys. */
static void
duo_finish(struct pair *p, const struct dgram *resp)
{
	uint64_t	sdrops = ln_drops_total(chan_server_counters(p->srv));
	uint64_t	cdrops = ln_drops_total(chan_client_counters(p->cl));

	assert_int_equal(p->connected, 0);
	chan_client_input(p->cl, resp->data, resp->len, p->now);
	assert_int_equal(p->connected, 1);
	assert_true(chan_client_connected(p->cl));
	assert_true(p->to_srv.n > 0);
	duo_pump(p);
	assert_int_equal(ln_drops_total(chan_server_counters(p->srv)), sdrops);
	assert_int_equal(ln_drops_total(chan_client_counters(p->cl)), cdrops);
}

/* Sends test message num from one side; it goes out at once. */
static void
duo_say(struct pair *p, int from_server, unsigned num, size_t len,
    int flags)
{
	uint8_t	m[MSG_MAX];

	mkmsg(num, len, m);
	if (from_server)
		assert_int_equal(chan_server_send(p->srv, p->peer, m, len,
		    flags, p->now), 0);
	else
		assert_int_equal(chan_client_send(p->cl, m, len, flags,
		    p->now), 0);
}

/* Takes the one datagram a side just sent. */
static void
take_one(struct queue *q, struct dgram *out)
{
	assert_int_equal(q->n, 1);
	queue_take(q, out);
}

/*
 * Captures transport packets both ways on an established pair, none of
 * them delivered. The server sends no keepalives, so its packet without a
 * message is the ack of a reliable message the client sent first.
 */
static void
duo_capture(struct pair *p, struct dgram *cap)
{
	duo_say(p, 0, 100, 40, CHAN_RELIABLE);
	assert_int_equal(p->to_srv.n, 1);
	duo_pump(p);
	assert_int_equal(p->srv_seen.msgs, 1);
	assert_int_equal(p->to_cl.n, 0);
	/* Its ack waits LN_REL_ACK_DELAY_NS for something to ride on. */
	p->now += LN_REL_ACK_DELAY_NS + 1 * MS;
	(void)chan_server_tick(p->srv, p->now);
	take_one(&p->to_cl, &cap[CAP_S_ACK]);

	p->now += 1 * MS;
	assert_int_equal(chan_client_keepalive(p->cl, p->now), 0);
	take_one(&p->to_srv, &cap[CAP_C_KEEPALIVE]);
	duo_say(p, 0, caps[CAP_C_DATA].msg, caps[CAP_C_DATA].msglen, 0);
	take_one(&p->to_srv, &cap[CAP_C_DATA]);
	duo_say(p, 0, caps[CAP_C_RELIABLE].msg, caps[CAP_C_RELIABLE].msglen,
	    CHAN_RELIABLE);
	take_one(&p->to_srv, &cap[CAP_C_RELIABLE]);
	duo_say(p, 1, caps[CAP_S_DATA].msg, caps[CAP_S_DATA].msglen, 0);
	take_one(&p->to_cl, &cap[CAP_S_DATA]);
	duo_say(p, 1, caps[CAP_S_RELIABLE].msg, caps[CAP_S_RELIABLE].msglen,
	    CHAN_RELIABLE);
	take_one(&p->to_cl, &cap[CAP_S_RELIABLE]);
	p->now += 1 * MS;
}

/* The counters of the endpoint a packet goes to. */
static const struct ln_counters *
counters_of(struct pair *p, int to_server)
{
	if (to_server)
		return (chan_server_counters(p->srv));
	return (chan_client_counters(p->cl));
}

/* Feeds a datagram to the server (from the client's address) or client. */
static void
feed(struct pair *p, int to_server, const uint8_t *d, size_t len)
{
	if (to_server)
		chan_server_input(p->srv, d, len, &p->cl_addr, p->now);
	else
		chan_client_input(p->cl, d, len, p->now);
}

/* Which drop counter went up between two snapshots; exactly one did. */
static enum ln_drop
dropped_once(const struct ln_counters *before,
    const struct ln_counters *after)
{
	int	i, which = -1;

	assert_int_equal(ln_drops_total(after), ln_drops_total(before) + 1);
	for (i = 0; i < LN_DROP_MAX; i++) {
		if (after->drop[i] != before->drop[i]) {
			assert_int_equal(after->drop[i], before->drop[i] + 1);
			which = i;
		}
	}
	assert_true(which >= 0);
	return ((enum ln_drop)which);
}

/*
 * Feeds a datagram that must be refused: one drop counted, nothing sent
 * by either side, nothing delivered, no connection made or lost. Returns
 * the reason it was counted under.
 */
static enum ln_drop
expect_dropped(struct pair *p, int to_server, const uint8_t *d, size_t len)
{
	struct ln_counters	 before;
	unsigned		 srv_sent = p->to_cl.sent;
	unsigned		 cl_sent = p->to_srv.sent;
	unsigned		 srv_msgs = p->srv_seen.msgs;
	unsigned		 cl_msgs = p->cl_seen.msgs;
	int			 connects = p->connects;
	int			 connected = p->connected;
	int			 up = chan_client_connected(p->cl);

	before = *counters_of(p, to_server);
	feed(p, to_server, d, len);
	assert_int_equal(p->to_cl.sent, srv_sent);
	assert_int_equal(p->to_srv.sent, cl_sent);
	assert_int_equal(p->srv_seen.msgs, srv_msgs);
	assert_int_equal(p->cl_seen.msgs, cl_msgs);
	assert_int_equal(p->connects, connects);
	assert_int_equal(p->connected, connected);
	assert_int_equal(chan_client_connected(p->cl), up);
	assert_int_equal(counters_of(p, to_server)->rx_packets,
	    before.rx_packets + 1);
	assert_int_equal(counters_of(p, to_server)->messages_in,
	    before.messages_in);
	assert_int_equal(counters_of(p, to_server)->handshakes,
	    before.handshakes);
	return (dropped_once(&before, counters_of(p, to_server)));
}

/*
 * Feeds an initiation that must be refused to a fresh server with the
 * pair's keys: one drop, no reply, no connection. Then the genuine one,
 * which that server must still answer: the forgery spent neither the
 * client's timestamp nor its rate limit. Returns the drop reason.
 */
static enum ln_drop
expect_init_dropped(struct pair *p, const uint8_t *d, size_t len,
    const struct dgram *init)
{
	struct probe		 pr;
	struct chan_server	*srv;
	struct ln_counters	 before;
	enum ln_drop		 why;

	memset(&pr, 0, sizeof pr);
	pr.p = p;
	srv = chan_server_new(&p->cfg, p->srv_sk, &probe_ops, &pr);
	assert_non_null(srv);
	before = *chan_server_counters(srv);
	chan_server_input(srv, d, len, &p->cl_addr, p->now);
	assert_int_equal(pr.sent, 0);
	assert_int_equal(pr.connects, 0);
	assert_int_equal(chan_server_counters(srv)->handshakes, 0);
	why = dropped_once(&before, chan_server_counters(srv));

	chan_server_input(srv, init->data, init->len, &p->cl_addr, p->now);
	assert_int_equal(pr.sent, 1);
	assert_int_equal(pr.connects, 1);
	assert_int_equal(chan_server_counters(srv)->handshakes, 1);
	assert_int_equal(ln_drops_total(chan_server_counters(srv)), 1);
	chan_server_free(srv);
	return (why);
}

/*
 * Recomputes a handshake packet's mac1 (its last LN_MAC_LEN bytes) for the
 * receiver's public key, as anyone who knows that key can.
 */
static void
remac(struct dgram *d, const uint8_t *receiver_pk)
{
	uint8_t	key[LN_KEY_LEN];

	hs_mac1_key(receiver_pk, key);
	crypto_generichash(d->data + d->len - LN_MAC_LEN, LN_MAC_LEN, d->data,
	    d->len - LN_MAC_LEN, key, sizeof key);
}

/*
 * Variant i of a captured packet under a mode, with the offset of the
 * byte changed (or the new length); 0 when there is no variant i.
 *
 * MODE_FLIP_REMAC flips only bits Noise authenticates (not the clear
 * indices, which by design only mac1 covers: a rewritten index with a
 * valid mac1 is a well-formed packet that makes the handshake fail later)
 * and only in handshake packets, then repairs mac1, so each flip reaches
 * the Noise layer and its Diffie-Hellman.
 */
static int
variant(enum mode m, enum cap which, const struct dgram *orig, size_t i,
    const struct pair *p, struct dgram *out, size_t *where)
{
	size_t	start, end;

	*out = *orig;
	switch (m) {
	case MODE_FLIP:
		if (i >= orig->len * 8)
			return (0);
		out->data[i / 8] ^= (uint8_t)(1U << (i % 8));
		*where = i / 8;
		return (1);
	case MODE_TRUNCATE:
		if (i >= orig->len)
			return (0);
		out->len = i;
		*where = i;
		return (1);
	case MODE_FLIP_REMAC:
		if (which != CAP_INIT && which != CAP_RESP)
			return (0);
		start = which == CAP_INIT ? INIT_NOISE_OFF : RESP_NOISE_OFF;
		end = orig->len - LN_MAC_LEN;
		if (i >= (end - start) * 8)
			return (0);
		out->data[start + i / 8] ^= (uint8_t)(1U << (i % 8));
		remac(out, which == CAP_INIT ? p->srv_pk : p->cl_pk);
		*where = start + i / 8;
		return (1);
	}
	return (0);
}

/*
 * The reasons a variant may be dropped for, in the order the packet
 * formats say the receiver checks (proto/handshake.c, transport.c).
 */
static unsigned
allowed(enum mode m, enum cap which, size_t where)
{
	int	hs = which == CAP_INIT || which == CAP_RESP;

	if (m == MODE_FLIP_REMAC)
		return (R(HANDSHAKE));
	if (m == MODE_TRUNCATE) {
		if (where < LN_HDR_LEN)
			return (R(SHORT));
		return (R(SHORT) | (hs ? R(MAC1) : R(DECRYPT)));
	}
	/*
	 * A response's type 2 flipped to 3 is a cookie reply, which a client
	 * reads, and whose version must be 2.
	 */
	if (where == 0)
		return (R(TYPE) | (which == CAP_RESP ? R(VERSION) : 0));
	if (where == 1)
		return (R(VERSION));
	if (where < LN_HDR_LEN)
		return (R(RESERVED));
	if (which == CAP_RESP && where >= RESP_RECV_OFF &&
	    where < RESP_NOISE_OFF)
		return (R(UNKNOWN_INDEX));
	if (hs)
		return (R(MAC1));
	if (where < TR_COUNTER_OFF)
		return (R(UNKNOWN_INDEX));
	/* A counter flipped to one already seen is a replay. */
	if (where < LN_TRANSPORT_HDR_LEN)
		return (R(REPLAY) | R(DECRYPT));
	return (R(DECRYPT));
}

/* Every variant of one captured packet is refused by its receiver. */
static void
refuse_variants(struct pair *p, enum mode m, enum cap which,
    const struct dgram *cap)
{
	struct dgram	v;
	size_t		i, where = 0;
	unsigned	reasons = 0;
	enum ln_drop	why;

	for (i = 0; variant(m, which, &cap[which], i, p, &v, &where); i++) {
		if (which == CAP_INIT)
			why = expect_init_dropped(p, v.data, v.len,
			    &cap[CAP_INIT]);
		else
			why = expect_dropped(p, caps[which].to_server, v.data,
			    v.len);
		if ((allowed(m, which, where) & (1U << why)) == 0)
			fail_msg("%s, variant %zu (byte %zu): dropped as %s",
			    caps[which].name, i, where, ln_drop_name(why));
		reasons |= 1U << why;
	}
	/* Each kind of packet saw its header reasons and its crypto one. */
	if (m == MODE_FLIP) {
		assert_int_equal(i, cap[which].len * 8);
		assert_true(reasons & R(TYPE));
		assert_true(reasons & R(VERSION));
		assert_true(reasons & R(RESERVED));
		assert_true(reasons & (R(MAC1) | R(DECRYPT)));
	}
}

/*
 * A genuine transport packet, after all its variants: accepted (no drop)
 * and its message, if it carries one, delivered once and intact.
 */
static void
accept_real(struct pair *p, enum cap which, const struct dgram *cap)
{
	const struct ln_counters *c = counters_of(p, caps[which].to_server);
	struct seen		*s;
	uint64_t		 drops = ln_drops_total(c);
	unsigned		 msgs;
	uint8_t			 want[MSG_MAX];

	s = caps[which].to_server ? &p->srv_seen : &p->cl_seen;
	msgs = s->msgs;
	feed(p, caps[which].to_server, cap[which].data, cap[which].len);
	if (ln_drops_total(c) != drops)
		fail_msg("genuine %s refused after its variants",
		    caps[which].name);
	if (caps[which].msg == 0) {
		assert_int_equal(s->msgs, msgs);
		return;
	}
	assert_int_equal(s->msgs, msgs + 1);
	mkmsg(caps[which].msg, caps[which].msglen, want);
	assert_int_equal(s->last_len, caps[which].msglen);
	assert_memory_equal(s->last, want, caps[which].msglen);
	assert_int_equal(s->last_reliable,
	    which == CAP_C_RELIABLE || which == CAP_S_RELIABLE);
}

/* The pair still talks both ways, reliably. */
static void
still_talks(struct pair *p)
{
	unsigned	srv_msgs = p->srv_seen.msgs, cl_msgs = p->cl_seen.msgs;

	p->now += 1 * MS;
	duo_say(p, 0, 7, 33, CHAN_RELIABLE);
	duo_say(p, 1, 8, 44, CHAN_RELIABLE);
	duo_pump(p);
	assert_int_equal(p->srv_seen.msgs, srv_msgs + 1);
	assert_int_equal(p->cl_seen.msgs, cl_msgs + 1);
	assert_int_equal(p->connects, 1);
}

/*
 * The whole run for one mode: handshake packets while the client waits
 * for its response, then transport packets both ways, then the genuine
 * packets, which must all still work.
 */
static void
run_mode(enum mode m)
{
	struct pair	*p = duo_new();
	struct dgram	 cap[CAP_MAX];
	int		 i;

	memset(cap, 0, sizeof cap);
	duo_handshake(p, cap);
	refuse_variants(p, m, CAP_INIT, cap);
	/* Forgeries must not cancel the handshake the client waits on. */
	refuse_variants(p, m, CAP_RESP, cap);
	assert_false(chan_client_connected(p->cl));
	duo_finish(p, &cap[CAP_RESP]);

	duo_capture(p, cap);
	for (i = CAP_C_KEEPALIVE; i < CAP_MAX; i++)
		refuse_variants(p, m, (enum cap)i, cap);
	/*
	 * Genuine packets after every variant: no flipped counter burned a
	 * slot in the replay window (a low counter bit flipped can name the
	 * next packet's counter, which is delivered after it).
	 */
	for (i = CAP_C_KEEPALIVE; i < CAP_MAX; i++)
		accept_real(p, (enum cap)i, cap);
	/* The genuine response, again, is a duplicate now. */
	assert_int_equal(expect_dropped(p, 0, cap[CAP_RESP].data,
	    cap[CAP_RESP].len), LN_DROP_STATE);
	still_talks(p);
	duo_free(p);
}

/* Every single-bit flip of every captured packet. */
static void
test_flip(void **state)
{
	run_mode(MODE_FLIP);
}

/* Flips inside the Noise messages with mac1 repaired: Noise refuses. */
static void
test_flip_remac(void **state)
{
	run_mode(MODE_FLIP_REMAC);
}

/* Every truncation of every captured packet. */
static void
test_truncate(void **state)
{
	run_mode(MODE_TRUNCATE);
}

/*
 * Random datagrams of random lengths (seeded) to both ends of a live
 * connection: wholly random, with a valid common header, or a transport
 * header naming the receiver's real index. All dropped, none answered.
 */
static void
test_random(void **state)
{
	static const uint8_t	 types[] = { LN_PKT_INITIATION,
	    LN_PKT_RESPONSE, LN_PKT_TRANSPORT, 0, 3, 0xff };
	struct pair		*p = duo_new();
	struct dgram		 cap[CAP_MAX], d;
	uint64_t		 seed = RANDOM_SEED;
	unsigned		 reasons[2] = { 0, 0 };
	size_t			 j;
	int			 i, to_server;
	enum ln_drop		 why;

	memset(cap, 0, sizeof cap);
	duo_handshake(p, cap);
	duo_finish(p, &cap[CAP_RESP]);
	duo_capture(p, cap);
	for (i = 0; i < RANDOM_COUNT; i++) {
		to_server = i % 2 == 0;
		d.len = rnd(&seed) % (LN_MAX_DATAGRAM + 64 + 1);
		if (i % 8 < 2)		/* and many short ones */
			d.len %= 64;
		for (j = 0; j < d.len; j++)
			d.data[j] = (uint8_t)rnd(&seed);
		switch (rnd(&seed) % 3) {
		case 0:
			break;
		case 2:
			if (d.len >= LN_TRANSPORT_HDR_LEN) {
				/* The index the receiver chose for itself. */
				memcpy(d.data + TR_INDEX_OFF,
				    cap[to_server ? CAP_C_DATA :
				    CAP_S_DATA].data + TR_INDEX_OFF, 4);
				d.data[0] = LN_PKT_TRANSPORT;
			}
			/* FALLTHROUGH */
		case 1:
			if (d.len > 0 && d.data[0] != LN_PKT_TRANSPORT)
				d.data[0] = types[rnd(&seed) % sizeof types];
			if (d.len > 1)
				d.data[1] = LN_PROTO_VERSION;
			if (d.len > 3)
				d.data[2] = d.data[3] = 0;
			break;
		}
		why = expect_dropped(p, to_server, d.data, d.len);
		reasons[to_server] |= 1U << why;
	}
	/* The mix reached past the header checks on both ends. */
	assert_true(reasons[1] & R(MAC1));
	assert_true(reasons[1] & R(DECRYPT));
	assert_true(reasons[1] & R(UNKNOWN_INDEX));
	assert_true(reasons[0] & R(DECRYPT));
	assert_true(reasons[0] & R(STATE));
	for (i = CAP_C_KEEPALIVE; i < CAP_MAX; i++)
		accept_real(p, (enum cap)i, cap);
	still_talks(p);
	duo_free(p);
}

/* Runs the byte-flipping tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flip),
		cmocka_unit_test(test_flip_remac),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_random),
	};

	if (sodium_init() < 0)
		return (1);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
