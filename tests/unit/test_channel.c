/*
 * test_channel.c: the two channel endpoints talking through an in-memory
 * network on a virtual clock: no sockets, no sleeping. The network can
 * lose, duplicate, delay and reorder datagrams (seeded, so every run is the
 * same), hold a datagram back, and change a client's address.
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

#define MAX_CLIENTS	12
#define MAX_MSGS	2048

struct test_net;

/* A datagram in flight. */
struct pkt {
	uint64_t		 at;		/* arrival time */
	int			 to;		/* -1: server, else a client */
	struct chan_addr	 from;
	uint8_t			*data;
	size_t			 len;
	struct pkt		*next;
};

/* What one side received: counts per message number, and their order. */
struct inbox {
	unsigned	 count[MAX_MSGS];
	int		 last_rel;	/* last reliable number, for order */
	int		 misordered;
	int		 corrupt;
	unsigned	 total;
};

struct test_client {
	struct test_net		*net;
	struct chan_client	*c;
	uint8_t			 sk[LN_KEY_LEN], pk[LN_KEY_LEN];
	struct chan_addr	 addr;
	struct inbox		 in;
	int			 connected;	/* connected() calls */
	int			 resumed;	/* its last argument */
	struct chan_peer	*peer;		/* the server's peer for us */
	struct inbox		 srv_in;	/* what the server got */
	uint64_t		 skew;		/* its wall clock is ahead */
	uint64_t		 gone_at;	/* when its peer was forgotten */
};

struct test_net {
	uint64_t		 now;
	uint64_t		 rng;
	unsigned		 loss, dup;	/* per mille */
	uint64_t		 delay_ns, jitter_ns;
	struct pkt		*q;
	int			 hold;		/* keep back the next one */
	struct pkt		*held;
	int			 tap;		/* copy client packets */
	struct pkt		*tapped;

	struct chan_config	 cfg;
	struct chan_server	*srv;
	uint8_t			 srv_sk[LN_KEY_LEN], srv_pk[LN_KEY_LEN];
	int			 refuse_all;
	uint64_t		 wall;

	struct test_client	 cl[MAX_CLIENTS];
	int			 ncl;
	unsigned		 srv_sent;	/* datagrams the server sent */
	unsigned		 cl_sent;	/* datagrams clients sent */
	int			 connects, disconnects;
	int			 greet;		/* send in connect() */
	int			 stales;	/* ops->stale calls */
	uint64_t		 stale_gap;	/* the last one's gap */
	int			 greet_unreliable_rc;
};

static int
addr_eq(const struct chan_addr *a, const struct chan_addr *b)
{
	return (a->len == b->len && memcmp(&a->ss, &b->ss, a->len) == 0);
}

/* Queues a datagram, in arrival order (stable for equal times). */
static void
enqueue(struct test_net *n, struct pkt *p)
{
	struct pkt	**pp;

	for (pp = &n->q; *pp != NULL && (*pp)->at <= p->at; pp = &(*pp)->next)
		;
	p->next = *pp;
	*pp = p;
}

/* A copy of a datagram. */
static struct pkt *
pkt_new(int to, const struct chan_addr *from, const uint8_t *d, size_t len)
{
	struct pkt	*p;

	p = calloc(1, sizeof *p);
	p->to = to;
	if (from != NULL)
		p->from = *from;
	p->data = malloc(len == 0 ? 1 : len);
	memcpy(p->data, d, len);
	p->len = len;
	return (p);
}

static void
pkt_free_list(struct pkt *p)
{
	struct pkt	*next;

	for (; p != NULL; p = next) {
		next = p->next;
		free(p->data);
		free(p);
	}
}

/* Puts a datagram on the impaired link: maybe lost, duplicated, late. */
static void
transmit(struct test_net *n, int to, const struct chan_addr *from,
    const uint8_t *d, size_t len)
{
	int		 copies = 1, i;
	struct pkt	*p;

	assert_true(len <= LN_MAX_DATAGRAM);
	if (n->loss && rnd(&n->rng) % 1000 < n->loss)
		return;
	if (n->dup && rnd(&n->rng) % 1000 < n->dup)
		copies = 2;
	for (i = 0; i < copies; i++) {
		p = pkt_new(to, from, d, len);
		p->at = n->now + n->delay_ns +
		    (n->jitter_ns ? rnd(&n->rng) % n->jitter_ns : 0);
		enqueue(n, p);
	}
}

/* Server ops: send to whichever client has that address now. */
static void
srv_send(void *ctx, const struct chan_addr *to, const uint8_t *d, size_t len)
{
	struct test_net	*n = ctx;
	int		 i;

	n->srv_sent++;
	for (i = 0; i < n->ncl; i++) {
		if (addr_eq(&n->cl[i].addr, to)) {
			transmit(n, i, NULL, d, len);
			return;
		}
	}
	/* Nobody is at that address any more: lost. */
}

/* Server ops: every client key the test made is admitted, as "alice". */
static int
srv_authorize(void *ctx, const uint8_t *pk, const char *user)
{
	struct test_net	*n = ctx;
	int		 i;

	if (n->refuse_all || strcmp(user, "alice") != 0)
		return (-1);
	for (i = 0; i < n->ncl; i++)
		if (memcmp(n->cl[i].pk, pk, LN_KEY_LEN) == 0)
			return (0);
	return (-1);
}

/* The test client a peer belongs to (by connection, then by key). */
static struct test_client *
client_of(struct test_net *n, struct chan_peer *peer)
{
	int	i;

	for (i = 0; i < n->ncl; i++)
		if (n->cl[i].peer == peer)
			return (&n->cl[i]);
	return (NULL);
}

/* Server ops: a new connection; bound to the client with that address. */
static void
srv_connect(void *ctx, struct chan_peer *peer)
{
	struct test_net	*n = ctx;
	const uint8_t	 hi[] = "greeting";
	int		 i;

	n->connects++;
	for (i = 0; i < n->ncl; i++) {
		if (addr_eq(&n->cl[i].addr, chan_peer_addr(peer))) {
			n->cl[i].peer = peer;
			chan_peer_set_data(peer, &n->cl[i]);
		}
	}
	if (n->greet) {
		/* No confirmed key pair: unreliable fails, reliable waits. */
		n->greet_unreliable_rc = chan_server_send(n->srv, peer, hi,
		    sizeof hi, 0, n->now);
		assert_int_equal(chan_server_send(n->srv, peer, hi, sizeof hi,
		    CHAN_RELIABLE, n->now), 0);
	}
}

/* Server ops: a connection forgotten. */
static void
srv_disconnect(void *ctx, struct chan_peer *peer)
{
	struct test_net		*n = ctx;
	struct test_client	*tc = client_of(n, peer);

	n->disconnects++;
	if (tc != NULL) {
		tc->peer = NULL;
		tc->gone_at = n->now;
	}
}

/*
 * Test messages: 4 bytes of number, then bytes derived from the number and
 * position, so the receiver can check every byte.
 */
static uint8_t *
mkmsg(unsigned num, size_t len)
{
	uint8_t	*m;
	size_t	 i;

	assert_true(len >= 4);
	m = malloc(len);
	m[0] = num & 0xff;
	m[1] = (num >> 8) & 0xff;
	m[2] = (num >> 16) & 0xff;
	m[3] = (num >> 24) & 0xff;
	for (i = 4; i < len; i++)
		m[i] = (uint8_t)(num * 31 + i * 7 + (i >> 8));
	return (m);
}

/* Checks and records a received test message. */
static void
inbox_put(struct inbox *in, const uint8_t *m, size_t len, int reliable)
{
	unsigned	num;
	size_t		i;

	if (len < 4) {
		in->corrupt++;
		return;
	}
	num = m[0] | (m[1] << 8) | (m[2] << 16) | ((unsigned)m[3] << 24);
	if (num >= MAX_MSGS) {
		in->corrupt++;
		return;
	}
	for (i = 4; i < len; i++) {
		if (m[i] != (uint8_t)(num * 31 + i * 7 + (i >> 8))) {
			in->corrupt++;
			return;
		}
	}
	if (reliable) {
		if ((int)num <= in->last_rel)
			in->misordered++;
		in->last_rel = (int)num;
	}
	in->count[num]++;
	in->total++;
}

/* Server ops: a message from a peer. */
static void
srv_message(void *ctx, struct chan_peer *peer, const uint8_t *m, size_t len,
    int reliable)
{
	struct test_client	*tc = chan_peer_data(peer);

	assert_non_null(tc);
	inbox_put(&tc->srv_in, m, len, reliable);
}

/* ops->stale: count, and keep the gap. */
static void
srv_stale(void *ctx, const uint8_t *pk, const char *user, uint64_t gap)
{
	struct test_net	*n = ctx;

	assert_non_null(pk);
	assert_string_equal(user, "alice");
	n->stales++;
	n->stale_gap = gap;
}

static const struct chan_server_ops srv_ops = {
	.send = srv_send,
	.authorize = srv_authorize,
	.connect = srv_connect,
	.disconnect = srv_disconnect,
	.message = srv_message,
	.stale = srv_stale,
};

/* Client ops: to the server, from the client's current address. */
static void
cl_send(void *ctx, const uint8_t *d, size_t len)
{
	struct test_client	*tc = ctx;
	struct test_net		*n = tc->net;
	struct pkt		*p;

	n->cl_sent++;
	if (n->tap) {
		p = pkt_new(-1, &tc->addr, d, len);
		p->next = n->tapped;
		n->tapped = p;
	}
	if (n->hold) {
		n->hold = 0;
		n->held = pkt_new(-1, &tc->addr, d, len);
		return;
	}
	transmit(n, -1, &tc->addr, d, len);
}

/* Client ops: a message from the server. */
static void
cl_message(void *ctx, const uint8_t *m, size_t len, int reliable)
{
	struct test_client	*tc = ctx;

	inbox_put(&tc->in, m, len, reliable);
}

/* Client ops: handshake done. */
static void
cl_connected(void *ctx, int resumed)
{
	struct test_client	*tc = ctx;

	tc->connected++;
	tc->resumed = resumed;
}

static const struct chan_client_ops cl_ops = {
	.send = cl_send,
	.message = cl_message,
	.connected = cl_connected,
};

/* The virtual wall clock: starts in 2023 and follows the virtual time. */
static uint64_t
wall(void *ctx)
{
	struct test_client	*tc = ctx;

	return (WALL_BASE + tc->net->now + tc->skew);
}

/* A network with a server and no clients yet. */
static struct test_net *
net_new(const struct chan_config *cfg, uint64_t seed)
{
	struct test_net	*n;

	n = calloc(1, sizeof *n);
	n->rng = seed ? seed : 1;
	n->now = 1 * SEC;
	n->delay_ns = 5 * MS;
	if (cfg != NULL)
		n->cfg = *cfg;
	n->cfg.wall_ns = wall;
	assert_int_equal(noise_keypair(n->srv_sk, n->srv_pk), 0);
	n->srv = chan_server_new(&n->cfg, n->srv_sk, &srv_ops, n);
	assert_non_null(n->srv);
	return (n);
}

/* Adds a client at 10.0.0.(10+i); same_key_as >= 0 reuses a key. */
static struct test_client *
net_client(struct test_net *n, int same_key_as)
{
	struct test_client	*tc = &n->cl[n->ncl];

	assert_true(n->ncl < MAX_CLIENTS);
	memset(tc, 0, sizeof *tc);
	tc->net = n;
	tc->in.last_rel = -1;
	tc->srv_in.last_rel = -1;
	if (same_key_as >= 0) {
		memcpy(tc->sk, n->cl[same_key_as].sk, LN_KEY_LEN);
		memcpy(tc->pk, n->cl[same_key_as].pk, LN_KEY_LEN);
	} else
		assert_int_equal(noise_keypair(tc->sk, tc->pk), 0);
	tc->addr = mkaddr(10 + n->ncl, 40000);
	tc->c = chan_client_new(&n->cfg, tc->sk, n->srv_pk, "alice", &cl_ops,
	    tc);
	assert_non_null(tc->c);
	n->ncl++;
	return (tc);
}

/* Frees everything. */
static void
net_free(struct test_net *n)
{
	int	i;

	for (i = 0; i < n->ncl; i++)
		chan_client_free(n->cl[i].c);
	chan_server_free(n->srv);
	pkt_free_list(n->q);
	pkt_free_list(n->held);
	pkt_free_list(n->tapped);
	free(n);
}

/* Hands one datagram to its endpoint. */
static void
deliver(struct test_net *n, struct pkt *p)
{
	if (p->to == -1)
		chan_server_input(n->srv, p->data, p->len, &p->from, n->now);
	else
		chan_client_input(n->cl[p->to].c, p->data, p->len, n->now);
}

/*
 * Runs the network until `until`: delivers what has arrived, ticks every
 * endpoint, and jumps the clock to the next thing that happens.
 */
static void
net_run(struct test_net *n, uint64_t until)
{
	struct pkt	*p;
	uint64_t	 next, d;
	int		 i;
	unsigned	 steps = 0;

	for (;;) {
		while (n->q != NULL && n->q->at <= n->now) {
			p = n->q;
			n->q = p->next;
			deliver(n, p);
			free(p->data);
			free(p);
		}
		next = chan_server_tick(n->srv, n->now);
		for (i = 0; i < n->ncl; i++) {
			d = chan_client_tick(n->cl[i].c, n->now);
			if (d < next)
				next = d;
		}
		/* A deadline already passed after a tick would spin forever. */
		assert_true(next > n->now);
		if (n->q != NULL && n->q->at < next)
			next = n->q->at;
		if (n->now >= until)
			break;
		n->now = next < until ? next : until;
		assert_true(++steps < 10000000);
	}
}

/* Runs until every client is connected (or fails the test). */
static void
net_connect_all(struct test_net *n)
{
	int	i;

	for (i = 0; i < n->ncl; i++)
		assert_int_equal(chan_client_connect(n->cl[i].c, n->now), 0);
	net_run(n, n->now + 2 * SEC);
	for (i = 0; i < n->ncl; i++) {
		assert_true(chan_client_connected(n->cl[i].c));
		assert_non_null(n->cl[i].peer);
	}
}

/* Sends test message num of len bytes from a client. */
static int
cl_say(struct test_client *tc, unsigned num, size_t len, int flags)
{
	uint8_t	*m = mkmsg(num, len);
	int	 r;

	r = chan_client_send(tc->c, m, len, flags, tc->net->now);
	free(m);
	return (r);
}

/* Sends test message num of len bytes from the server to a client. */
static int
srv_say(struct test_client *tc, unsigned num, size_t len, int flags)
{
	uint8_t	*m = mkmsg(num, len);
	int	 r;

	r = chan_server_send(tc->net->srv, tc->peer, m, len, flags,
	    tc->net->now);
	free(m);
	return (r);
}

/* Every number in [lo, hi) arrived exactly once, intact and in order. */
static void
assert_all_once(const struct inbox *in, unsigned lo, unsigned hi)
{
	unsigned	i;

	assert_int_equal(in->corrupt, 0);
	assert_int_equal(in->misordered, 0);
	for (i = lo; i < hi; i++) {
		if (in->count[i] != 1)
			fail_msg("message %u arrived %u times", i,
			    in->count[i]);
	}
}

/* Handshake, then reliable and unreliable messages both ways. */
static void
test_exchange(void **state)
{
	struct test_net		*n = net_new(NULL, 1);
	struct test_client	*tc = net_client(n, -1);
	const struct ln_counters *sc, *cc;

	n->greet = 1;
	net_connect_all(n);
	assert_int_equal(tc->connected, 1);
	assert_int_equal(tc->resumed, 0);
	assert_int_equal(n->connects, 1);
	/* The greeting waited for the key pair to be confirmed. */
	assert_int_equal(n->greet_unreliable_rc, LN_E_STATE);
	assert_int_equal(tc->in.corrupt, 1);	/* "greeting": not numbered */
	tc->in.corrupt = 0;
	assert_string_equal(chan_peer_user(tc->peer), "alice");
	assert_memory_equal(chan_peer_key(tc->peer), tc->pk, LN_KEY_LEN);
	assert_true(addr_eq(chan_peer_addr(tc->peer), &tc->addr));

	/* Small, multi-fragment and ~1 MB messages, both ways. */
	assert_int_equal(cl_say(tc, 1, 10, CHAN_RELIABLE), 0);
	assert_int_equal(cl_say(tc, 2, 5000, CHAN_RELIABLE), 0);
	assert_int_equal(cl_say(tc, 3, 1000000, CHAN_RELIABLE), 0);
	assert_int_equal(cl_say(tc, 100, 20, 0), 0);
	assert_int_equal(cl_say(tc, 101, 3000, 0), 0);
	assert_int_equal(srv_say(tc, 1, 10, CHAN_RELIABLE), 0);
	assert_int_equal(srv_say(tc, 2, 5000, CHAN_RELIABLE), 0);
	assert_int_equal(srv_say(tc, 3, 1000000, CHAN_RELIABLE), 0);
	assert_int_equal(srv_say(tc, 100, 20, 0), 0);
	assert_int_equal(srv_say(tc, 101, 3000, 0), 0);
	net_run(n, n->now + 3 * SEC);
	assert_all_once(&tc->srv_in, 1, 4);
	assert_all_once(&tc->srv_in, 100, 102);
	assert_all_once(&tc->in, 1, 4);
	assert_all_once(&tc->in, 100, 102);
	assert_int_equal(tc->srv_in.total, 5);
	assert_int_equal(tc->in.total, 5);

	sc = chan_server_counters(n->srv);
	cc = chan_client_counters(tc->c);
	assert_int_equal(ln_drops_total(sc), 0);
	assert_int_equal(ln_drops_total(cc), 0);
	assert_int_equal(sc->handshakes, 1);
	assert_int_equal(cc->handshakes, 1);
	assert_int_equal(cc->messages_out, 5);
	assert_int_equal(sc->messages_in, 5);
	assert_int_equal(sc->messages_out, 6);	/* and the greeting */
	assert_int_equal(cc->messages_in, 6);
	assert_true(cc->tx_packets > 1000000 / LN_MAX_PLAINTEXT);
	assert_int_equal(cc->tx_packets, sc->rx_packets);
	assert_int_equal(sc->tx_packets, cc->rx_packets);
	assert_true(sc->rx_bytes > 1000000);
	/* Too large for one message. */
	assert_int_equal(cl_say(tc, 5, LN_MAX_MESSAGE + 1, CHAN_RELIABLE),
	    LN_E_INVAL);
	net_free(n);
}

/*
 * Traffic both ways for `dur`, a message every `gap` from each side;
 * says how many each side sent. Window-full sends are retried later.
 */
static void
traffic(struct test_net *n, struct test_client *tc, uint64_t dur,
    uint64_t gap, size_t maxlen, unsigned *cout, unsigned *sout)
{
	uint64_t	end = n->now + dur;
	unsigned	cnum = 0, snum = 0;
	size_t		len;

	while (n->now < end && cnum < MAX_MSGS && snum < MAX_MSGS) {
		len = 4 + rnd(&n->rng) % maxlen;
		if (cl_say(tc, cnum, len, CHAN_RELIABLE) == 0)
			cnum++;
		len = 4 + rnd(&n->rng) % maxlen;
		if (tc->peer != NULL &&
		    srv_say(tc, snum, len, CHAN_RELIABLE) == 0)
			snum++;
		net_run(n, n->now + gap);
	}
	*cout = cnum;
	*sout = snum;
}

/* A lossy, duplicating, reordering link still delivers exactly once. */
static void
test_lossy(void **state)
{
	struct test_net		*n = net_new(NULL, 0x5eed);
	struct test_client	*tc = net_client(n, -1);
	unsigned		 count, scount;

	n->loss = 100;		/* 10% */
	n->dup = 50;		/* 5% */
	n->jitter_ns = 30 * MS;	/* reorders */
	assert_int_equal(chan_client_connect(tc->c, n->now), 0);
	net_run(n, n->now + 10 * SEC);
	assert_true(chan_client_connected(tc->c));
	traffic(n, tc, 5 * SEC, 10 * MS, 3000, &count, &scount);
	assert_true(count > 300 && scount > 300);
	net_run(n, n->now + 20 * SEC);
	assert_all_once(&tc->srv_in, 0, count);
	assert_all_once(&tc->in, 0, scount);
	assert_int_equal(tc->srv_in.total, count);
	assert_int_equal(tc->in.total, scount);
	assert_true(chan_client_counters(tc->c)->drop[LN_DROP_REPLAY] > 0 ||
	    chan_server_counters(n->srv)->drop[LN_DROP_REPLAY] > 0);
	net_free(n);
}

/*
 * A burst of multi-fragment messages through a lossy link that reorders:
 * every retransmission round re-sends the unacknowledged window under
 * fresh message ids, so the receiver must be able to reassemble many
 * messages at once or it evicts them all (the loopback test's failure).
 */
static void
test_burst_reorder(void **state)
{
	struct test_net		*n = net_new(NULL, 0xb0b);
	struct test_client	*tc = net_client(n, -1);
	unsigned		 i, count = 120;

	net_connect_all(n);
	n->loss = 100;
	n->delay_ns = 20 * MS;
	n->jitter_ns = 5 * MS;
	for (i = 0; i < count; i++) {
		assert_int_equal(cl_say(tc, i, 3000, CHAN_RELIABLE), 0);
		assert_int_equal(srv_say(tc, i, 2500, CHAN_RELIABLE), 0);
	}
	net_run(n, n->now + 10 * SEC);
	assert_all_once(&tc->srv_in, 0, count);
	assert_all_once(&tc->in, 0, count);
	net_free(n);
}

/*
 * Messages of 35 fragments through 10% loss: a retransmission is the same
 * fragments under the same id, so tries add up and every message arrives
 * within a few tries (when each try had to bring all 35 fragments, one in
 * 40 did), and only lost ones are resent.
 */
static void
test_large_lossy(void **state)
{
	struct test_net		*n = net_new(NULL, 0x1a76e);
	struct test_client	*tc = net_client(n, -1);
	unsigned		 i, count = 24;

	net_connect_all(n);
	n->loss = 100;
	n->dup = 50;
	n->delay_ns = 20 * MS;
	n->jitter_ns = 5 * MS;
	for (i = 0; i < count; i++) {
		assert_int_equal(cl_say(tc, i, 40000, CHAN_RELIABLE), 0);
		assert_int_equal(srv_say(tc, i, 40000, CHAN_RELIABLE), 0);
	}
	/* Each 40000 bytes waits out an RTO or two for its last fragments. */
	for (i = 0; i < 200; i++) {
		net_run(n, n->now + 100 * MS);
		if (tc->srv_in.total == count && tc->in.total == count)
			break;
	}
	assert_all_once(&tc->srv_in, 0, count);
	assert_all_once(&tc->in, 0, count);
	assert_int_equal(tc->srv_in.total, count);
	assert_int_equal(tc->in.total, count);
	assert_true(chan_client_counters(tc->c)->retransmits < 2 * count);
	assert_true(chan_server_counters(n->srv)->retransmits < 2 * count);
	net_free(n);
}

/* Re-handshakes under traffic: nothing lost or duplicated at a switch. */
static void
test_rekey(void **state)
{
	struct chan_config	 cfg;
	struct test_net		*n;
	struct test_client	*tc;
	unsigned		 count, scount;

	memset(&cfg, 0, sizeof cfg);
	cfg.rekey_after_ns = 2 * SEC;
	cfg.reject_after_ns = 4 * SEC;
	n = net_new(&cfg, 7);
	tc = net_client(n, -1);
	n->jitter_ns = 20 * MS;
	net_connect_all(n);
	traffic(n, tc, 9 * SEC, 5 * MS, 2500, &count, &scount);
	assert_true(count > 1000 && scount > 1000);
	net_run(n, n->now + 2 * SEC);
	assert_all_once(&tc->srv_in, 0, count);
	assert_all_once(&tc->in, 0, scount);
	assert_int_equal(tc->srv_in.total, count);
	assert_int_equal(tc->in.total, scount);
	assert_true(chan_client_counters(tc->c)->handshakes >= 4);
	assert_true(chan_server_counters(n->srv)->handshakes >= 4);
	/* One connection all along, resumed at every re-handshake. */
	assert_int_equal(n->connects, 1);
	assert_int_equal(tc->resumed, 1);
	/* Late packets under the previous key pair were still accepted. */
	assert_int_equal(chan_client_counters(tc->c)->drop[LN_DROP_EXPIRED],
	    0);
	assert_int_equal(
	    chan_client_counters(tc->c)->drop[LN_DROP_UNKNOWN_INDEX], 0);
	assert_int_equal(
	    chan_server_counters(n->srv)->drop[LN_DROP_UNKNOWN_INDEX], 0);
	net_free(n);
}

/* A key pair older than reject_after is refused both for sending and
 * receiving. */
static void
test_expired(void **state)
{
	struct chan_config	 cfg;
	struct test_net		*n;
	struct test_client	*tc;
	struct pkt		*old;
	unsigned		 sent;

	memset(&cfg, 0, sizeof cfg);
	cfg.rekey_after_ns = 60 * SEC;
	cfg.reject_after_ns = 90 * SEC;
	n = net_new(&cfg, 3);
	tc = net_client(n, -1);
	net_connect_all(n);

	/* A packet under the first key pair, kept back. */
	n->hold = 1;
	assert_int_equal(cl_say(tc, 1, 10, 0), 0);
	assert_non_null(n->held);
	old = n->held;
	n->held = NULL;

	/* The clock jumps past reject_after before anyone ticks. */
	n->now += 91 * SEC;
	sent = n->srv_sent;
	chan_server_input(n->srv, old->data, old->len, &old->from, n->now);
	assert_int_equal(
	    chan_server_counters(n->srv)->drop[LN_DROP_EXPIRED], 1);
	assert_int_equal(n->srv_sent, sent);
	assert_int_equal(tc->srv_in.total, 0);
	pkt_free_list(old);

	/* The client will not send under it: unreliable refused, reliable
	 * waits for the next handshake. */
	sent = n->cl_sent;
	assert_int_equal(cl_say(tc, 2, 10, 0), LN_E_STATE);
	assert_int_equal(cl_say(tc, 3, 10, CHAN_RELIABLE), 0);
	assert_int_equal(chan_client_keepalive(tc->c, n->now), LN_E_STATE);
	assert_false(chan_client_connected(tc->c));
	net_run(n, n->now + 2 * SEC);
	assert_true(chan_client_connected(tc->c));
	assert_true(n->cl_sent > sent);
	assert_int_equal(tc->srv_in.count[3], 1);
	assert_int_equal(tc->srv_in.count[2], 0);
	assert_int_equal(tc->resumed, 1);
	net_free(n);
}

/* Roaming: the newest authenticated packet moves the peer's address; an
 * older one from the old address does not move it back. */
static void
test_roaming(void **state)
{
	struct test_net		*n = net_new(NULL, 9);
	struct test_client	*tc = net_client(n, -1);
	struct chan_addr	 a = tc->addr, b = mkaddr(77, 5555);
	struct chan_addr	 c = mkaddr(78, 6666);
	struct pkt		*old;
	unsigned		 sent;

	net_connect_all(n);
	assert_true(addr_eq(chan_peer_addr(tc->peer), &a));

	/* Sent from A, delayed in the network. */
	n->hold = 1;
	assert_int_equal(cl_say(tc, 1, 10, CHAN_RELIABLE), 0);
	old = n->held;
	n->held = NULL;
	assert_non_null(old);

	/* The client moves to B and speaks. */
	tc->addr = b;
	assert_int_equal(cl_say(tc, 2, 10, CHAN_RELIABLE), 0);
	net_run(n, n->now + 20 * MS);
	assert_true(addr_eq(chan_peer_addr(tc->peer), &b));

	/* The late packet from A is accepted but does not move it back. */
	sent = n->srv_sent;
	chan_server_input(n->srv, old->data, old->len, &old->from, n->now);
	pkt_free_list(old);
	assert_true(addr_eq(chan_peer_addr(tc->peer), &b));
	net_run(n, n->now + 2 * SEC);
	assert_true(n->srv_sent > sent);
	assert_int_equal(tc->srv_in.count[1], 1);
	assert_int_equal(tc->srv_in.count[2], 1);
	/* Replies reach B. */
	assert_int_equal(srv_say(tc, 7, 50, CHAN_RELIABLE), 0);
	net_run(n, n->now + 1 * SEC);
	assert_int_equal(tc->in.count[7], 1);

	/* A keepalive alone, from a fresh socket, moves it too. */
	tc->addr = c;
	assert_int_equal(chan_client_keepalive(tc->c, n->now), 0);
	net_run(n, n->now + 20 * MS);
	assert_true(addr_eq(chan_peer_addr(tc->peer), &c));
	assert_int_equal(ln_drops_total(chan_server_counters(n->srv)), 0);
	net_free(n);
}

/* An unknown or refused client key gets no reply and no state. */
static void
test_unauthorized(void **state)
{
	struct test_net		*n = net_new(NULL, 11);
	struct test_client	*tc = net_client(n, -1);
	const struct ln_counters *sc = chan_server_counters(n->srv);

	n->refuse_all = 1;
	assert_int_equal(chan_client_connect(tc->c, n->now), 0);
	net_run(n, n->now + 3500 * MS);
	assert_int_equal(n->srv_sent, 0);
	assert_true(sc->drop[LN_DROP_UNAUTHORIZED] >= 3);
	assert_int_equal(sc->drop[LN_DROP_UNAUTHORIZED], ln_drops_total(sc));
	assert_int_equal(n->connects, 0);
	assert_false(chan_client_connected(tc->c));
	/* The client kept trying, a fresh initiation each second or so. */
	assert_true(n->cl_sent >= 3);
	net_free(n);
}

/* A replayed initiation gets no reply. */
static void
test_init_replay(void **state)
{
	struct test_net		*n = net_new(NULL, 12);
	struct test_client	*tc = net_client(n, -1);
	const struct ln_counters *sc = chan_server_counters(n->srv);
	struct pkt		*init;
	unsigned		 sent;

	n->tap = 1;
	assert_int_equal(chan_client_connect(tc->c, n->now), 0);
	n->tap = 0;
	init = n->tapped;
	n->tapped = NULL;
	assert_non_null(init);
	net_run(n, n->now + 1 * SEC);
	assert_true(chan_client_connected(tc->c));
	assert_int_equal(sc->handshakes, 1);

	sent = n->srv_sent;
	chan_server_input(n->srv, init->data, init->len, &init->from, n->now);
	/* Even from another address, and much later. */
	n->now += 30 * SEC;
	init->from = mkaddr(99, 1);
	chan_server_input(n->srv, init->data, init->len, &init->from, n->now);
	assert_int_equal(n->srv_sent, sent);
	assert_int_equal(sc->drop[LN_DROP_INIT_REPLAY], 2);
	assert_int_equal(sc->handshakes, 1);
	assert_true(addr_eq(chan_peer_addr(tc->peer), &tc->addr));
	/* A replay is no clock jump: nothing reported. */
	assert_int_equal(n->stales, 0);
	pkt_free_list(init);
	net_free(n);
}

/*
 * A client whose clock ran an hour ahead was accepted; set right, the same
 * key gets no answer (WireGuard's timestamp rule), and the server reports
 * it once with the gap, however often the client tries in a minute.
 */
static void
test_init_stale(void **state)
{
	struct test_net		*n = net_new(NULL, 14);
	struct test_client	*ahead = net_client(n, -1), *tc;
	const struct ln_counters *sc = chan_server_counters(n->srv);

	ahead->skew = 3600 * SEC;
	assert_int_equal(chan_client_connect(ahead->c, n->now), 0);
	net_run(n, n->now + 1 * SEC);
	assert_true(chan_client_connected(ahead->c));
	tc = net_client(n, 0);
	assert_int_equal(chan_client_connect(tc->c, n->now), 0);
	net_run(n, n->now + 30 * SEC);
	assert_false(chan_client_connected(tc->c));
	assert_true(sc->drop[LN_DROP_INIT_REPLAY] >= 10);
	assert_int_equal(n->stales, 1);
	assert_true(n->stale_gap > 3500 * SEC && n->stale_gap <= 3600 * SEC);
	/* A minute later it is said again. */
	net_run(n, n->now + 40 * SEC);
	assert_int_equal(n->stales, 2);
	net_free(n);
}

/* Takes the datagrams a tap caught, oldest first. */
static struct pkt *
take_tapped(struct test_net *n)
{
	struct pkt	*p, *rev = NULL;

	while ((p = n->tapped) != NULL) {
		n->tapped = p->next;
		p->next = rev;
		rev = p;
	}
	return (rev);
}

/*
 * Everything a client sent (its initiation, its messages, its acks),
 * captured and replayed an hour later, when the server has forgotten the
 * idle connection: every packet is refused and counted (the initiation
 * init_replay, the transport packets unknown_index), nothing is
 * answered, no connection or handshake appears and no message is
 * delivered. The key's owner still connects afterwards.
 */
static void
test_replay_hour(void **state)
{
	struct test_net		*n = net_new(NULL, 21);
	struct test_client	*tc = net_client(n, -1);
	const struct ln_counters *sc = chan_server_counters(n->srv);
	struct ln_counters	 before;
	struct pkt		*caps, *p;
	unsigned		 sent, inits = 0, transports = 0, msgs;
	int			 connects;

	n->tap = 1;
	assert_int_equal(chan_client_connect(tc->c, n->now), 0);
	net_run(n, n->now + 1 * SEC);
	assert_true(chan_client_connected(tc->c));
	assert_int_equal(cl_say(tc, 1, 100, CHAN_RELIABLE), 0);
	assert_int_equal(cl_say(tc, 2, 3000, CHAN_RELIABLE), 0);
	net_run(n, n->now + 1 * SEC);
	n->tap = 0;
	caps = take_tapped(n);
	assert_int_equal(tc->srv_in.total, 2);
	for (p = caps; p != NULL; p = p->next) {
		if (p->data[0] == LN_PKT_INITIATION)
			inits++;
		else if (p->data[0] == LN_PKT_TRANSPORT)
			transports++;
	}
	assert_int_equal(inits, 1);
	assert_true(transports >= 3);

	/*
	 * The client goes away (its machine sleeps); an hour on, the server
	 * has forgotten the silent connection (at 15 min). The new client
	 * object, idle, sends nothing until asked.
	 */
	chan_client_free(tc->c);
	tc->c = chan_client_new(&n->cfg, tc->sk, n->srv_pk, "alice", &cl_ops,
	    tc);
	assert_non_null(tc->c);
	net_run(n, n->now + 3600 * SEC);
	assert_int_equal(n->disconnects, 1);
	sent = n->srv_sent;
	connects = n->connects;
	msgs = tc->srv_in.total;
	before = *sc;
	for (p = caps; p != NULL; p = p->next)
		chan_server_input(n->srv, p->data, p->len, &p->from, n->now);
	assert_int_equal(n->srv_sent, sent);
	assert_int_equal(n->connects, connects);
	assert_int_equal(tc->srv_in.total, msgs);
	assert_int_equal(sc->handshakes, before.handshakes);
	assert_int_equal(sc->drop[LN_DROP_INIT_REPLAY],
	    before.drop[LN_DROP_INIT_REPLAY] + 1);
	assert_int_equal(sc->drop[LN_DROP_UNKNOWN_INDEX],
	    before.drop[LN_DROP_UNKNOWN_INDEX] + transports);
	assert_int_equal(ln_drops_total(sc), ln_drops_total(&before) + inits +
	    transports);
	pkt_free_list(caps);

	/* The owner of the key is not locked out: a fresh handshake. */
	assert_int_equal(chan_client_connect(tc->c, n->now), 0);
	net_run(n, n->now + 1 * SEC);
	assert_int_equal(sc->handshakes, before.handshakes + 1);
	assert_int_equal(n->connects, connects + 1);
	net_free(n);
}

/*
 * Initiations beyond the per-key burst, and beyond the global one, are
 * dropped unanswered. The global bucket is spent only by initiations that
 * pass the length and mac1 checks: a flood of junk from someone who does
 * not know the server's public key leaves every token to real clients.
 */
static void
test_ratelimit(void **state)
{
	struct chan_config	 cfg;
	struct test_net		*n;
	struct test_client	*tc;
	const struct ln_counters *sc;
	uint8_t			 junk[200];
	struct chan_addr	 from = mkaddr(50, 50);
	struct pkt		*inits, *p, *replay;
	unsigned		 sent, limited, junked;
	int			 i;

	memset(&cfg, 0, sizeof cfg);
	cfg.init_per_key_per_sec = 1;
	cfg.init_global_per_sec = 1;
	/* Never under load: the cookies are test_cookie's. */
	cfg.init_load_per_sec = 1000000;
	n = net_new(&cfg, 13);
	tc = net_client(n, -1);
	sc = chan_server_counters(n->srv);

	/* Ten fresh initiations at one instant: only the burst passes. */
	n->tap = 1;
	n->loss = 1000;
	for (i = 0; i < 10; i++)
		assert_int_equal(chan_client_connect(tc->c, n->now), 0);
	n->tap = 0;
	n->loss = 0;
	inits = take_tapped(n);
	for (p = inits; p != NULL; p = p->next)
		chan_server_input(n->srv, p->data, p->len, &p->from, n->now);
	pkt_free_list(inits);
	assert_int_equal(sc->handshakes, LN_INIT_PER_KEY_BURST);
	assert_int_equal(sc->drop[LN_DROP_RATELIMIT],
	    10 - LN_INIT_PER_KEY_BURST);
	assert_int_equal(n->srv_sent, LN_INIT_PER_KEY_BURST);
	assert_int_equal(n->connects, 1);
	/* The client waits for the answer to its latest: a resend. */
	net_run(n, n->now + 3 * SEC);
	assert_true(chan_client_connected(tc->c));
	/* Time for the per-key bucket to refill; the global one, at 1/s,
	 * gets back a few of its LN_INIT_GLOBAL_BURST. */
	n->now += 10 * SEC;

	/*
	 * Junk initiations, twice the global burst of them, 4 bytes (the
	 * header alone) and 200 (a bad mac1): dropped as short or bad_mac1,
	 * and none takes a token, so a real initiation is still answered.
	 */
	limited = (unsigned)sc->drop[LN_DROP_RATELIMIT];
	junked = (unsigned)(sc->drop[LN_DROP_SHORT] + sc->drop[LN_DROP_MAC1]);
	memset(junk, 0xa5, sizeof junk);
	junk[0] = LN_PKT_INITIATION;
	junk[1] = LN_PROTO_VERSION;
	junk[2] = junk[3] = 0;
	for (i = 0; i < 2 * LN_INIT_GLOBAL_BURST; i++)
		chan_server_input(n->srv, junk, i % 2 ? 4 : sizeof junk,
		    &from, n->now);
	assert_int_equal((unsigned)sc->drop[LN_DROP_RATELIMIT], limited);
	assert_int_equal((unsigned)(sc->drop[LN_DROP_SHORT] +
	    sc->drop[LN_DROP_MAC1]), junked + 2 * LN_INIT_GLOBAL_BURST);
	sent = n->srv_sent;
	n->tap = 1;
	n->loss = 1000;
	assert_int_equal(chan_client_connect(tc->c, n->now), 0);
	n->tap = 0;
	n->loss = 0;
	replay = take_tapped(n);
	assert_non_null(replay);
	chan_server_input(n->srv, replay->data, replay->len, &replay->from,
	    n->now);
	assert_int_equal(n->srv_sent, sent + 1);

	/*
	 * Replays of that initiation pass mac1 (and Noise: they are dropped
	 * later, as replays), so they do spend the global bucket; once it is
	 * empty a fresh valid initiation finds no token.
	 */
	for (i = 0; i < LN_INIT_GLOBAL_BURST; i++)
		chan_server_input(n->srv, replay->data, replay->len,
		    &replay->from, n->now);
	assert_true((unsigned)sc->drop[LN_DROP_RATELIMIT] > limited);
	limited = (unsigned)sc->drop[LN_DROP_RATELIMIT];
	pkt_free_list(replay);
	sent = n->srv_sent;
	n->tap = 1;
	n->loss = 1000;
	assert_int_equal(chan_client_connect(tc->c, n->now), 0);
	n->tap = 0;
	n->loss = 0;
	inits = take_tapped(n);
	assert_non_null(inits);
	chan_server_input(n->srv, inits->data, inits->len, &inits->from,
	    n->now);
	pkt_free_list(inits);
	assert_int_equal((unsigned)sc->drop[LN_DROP_RATELIMIT], limited + 1);
	assert_int_equal(n->srv_sent, sent);
	net_free(n);
}

/*
 * A script that runs `lnsh ls` in a loop: one key, a new connection every
 * 20 ms (50 a second, over LN_INIT_PER_KEY_PER_SEC), each completing its
 * handshake with a message. Completed handshakes give their token back, so
 * none is dropped. What the per-key limit is for still holds: fresh
 * initiations that never complete are cut at the burst, and replays of a
 * completed one are dropped as replays without spending the key's tokens.
 */
static void
test_ratelimit_completed(void **state)
{
	struct chan_config	 cfg;
	struct test_net		*n;
	struct test_client	*tc;
	const struct ln_counters *sc;
	struct pkt		*inits, *p, *replay = NULL;
	unsigned		 hs, sent;
	int			 i;

	/* Never under load: the cookies are test_cookie's. */
	memset(&cfg, 0, sizeof cfg);
	cfg.init_load_per_sec = 1000000;
	n = net_new(&cfg, 14);
	tc = net_client(n, -1);
	sc = chan_server_counters(n->srv);

	for (i = 0; i < 200; i++) {
		chan_client_free(tc->c);
		tc->c = chan_client_new(&n->cfg, tc->sk, n->srv_pk, "alice",
		    &cl_ops, tc);
		assert_non_null(tc->c);
		if (i == 100)
			n->tap = 1;
		assert_int_equal(chan_client_connect(tc->c, n->now), 0);
		if (i == 100) {
			n->tap = 0;
			replay = take_tapped(n);
			assert_non_null(replay);
		}
		net_run(n, n->now + 10 * MS);
		assert_true(chan_client_connected(tc->c));
		assert_int_equal(cl_say(tc, (unsigned)i, 16, CHAN_RELIABLE),
		    0);
		net_run(n, n->now + 10 * MS);
	}
	assert_int_equal(sc->handshakes, 200);
	assert_int_equal(sc->drop[LN_DROP_RATELIMIT], 0);

	/* Replays of a completed initiation: dropped, no token spent. */
	sent = n->srv_sent;
	for (i = 0; i < LN_INIT_GLOBAL_BURST / 2; i++)
		chan_server_input(n->srv, replay->data, replay->len,
		    &replay->from, n->now);
	pkt_free_list(replay);
	assert_int_equal(n->srv_sent, sent);
	assert_int_equal(sc->drop[LN_DROP_INIT_REPLAY],
	    LN_INIT_GLOBAL_BURST / 2);
	assert_int_equal(sc->drop[LN_DROP_RATELIMIT], 0);

	/* Ten fresh initiations that never complete: only the burst. */
	hs = (unsigned)sc->handshakes;
	n->tap = 1;
	n->loss = 1000;
	for (i = 0; i < 10; i++)
		assert_int_equal(chan_client_connect(tc->c, n->now), 0);
	n->tap = 0;
	n->loss = 0;
	inits = take_tapped(n);
	for (p = inits; p != NULL; p = p->next)
		chan_server_input(n->srv, p->data, p->len, &p->from, n->now);
	pkt_free_list(inits);
	assert_int_equal(sc->handshakes, hs + LN_INIT_PER_KEY_BURST);
	assert_int_equal(sc->drop[LN_DROP_RATELIMIT],
	    10 - LN_INIT_PER_KEY_BURST);
	net_free(n);
}

/*
 * A client about to exit acks the Reply it got at once
 * (chan_client_ack_now), not after the 15 ms delayed-ack timer: lnsh ls
 * spent most of its time waiting for that timer.
 */
static void
test_ack_now(void **state)
{
	struct test_net		*n = net_new(NULL, 15);
	struct test_client	*tc = net_client(n, -1);
	const struct ln_counters *sc = chan_server_counters(n->srv);
	unsigned		 sent;
	uint64_t		 rx;

	net_connect_all(n);
	net_run(n, n->now + 1 * SEC);
	assert_int_equal(srv_say(tc, 1, 10, CHAN_RELIABLE), 0);
	/* One network delay: the message is in, the ack not yet due. */
	net_run(n, n->now + n->delay_ns);
	assert_all_once(&tc->in, 1, 2);
	sent = n->cl_sent;
	rx = sc->rx_packets;
	chan_client_ack_now(tc->c, n->now);
	assert_int_equal(n->cl_sent, sent + 1);
	net_run(n, n->now + n->delay_ns);
	assert_int_equal(sc->rx_packets, rx + 1);
	net_free(n);
}

/* Junk of every length and type is counted and never answered. */
static void
test_junk(void **state)
{
	struct test_net		*n = net_new(NULL, 14);
	struct test_client	*tc = net_client(n, -1);
	const struct ln_counters *sc, *cc;
	static const uint8_t	 types[] = { 0, LN_PKT_INITIATION,
	    LN_PKT_RESPONSE, 3, LN_PKT_TRANSPORT, 5, 0xff };
	uint8_t			 junk[LN_MAX_DATAGRAM + 64];
	struct chan_addr	 from = mkaddr(66, 66);
	uint64_t		 sdrops, cdrops;
	unsigned		 ssent, csent, count = 0;
	size_t			 len, t;
	int			 v;

	net_connect_all(n);
	sc = chan_server_counters(n->srv);
	cc = chan_client_counters(tc->c);
	sdrops = ln_drops_total(sc);
	cdrops = ln_drops_total(cc);
	ssent = n->srv_sent;
	csent = n->cl_sent;
	for (len = 0; len <= sizeof junk; len++) {
		for (t = 0; t < sizeof types; t++) {
			for (v = 0; v < 2; v++) {
				randombytes_buf(junk, sizeof junk);
				junk[0] = types[t];
				if (v)
					junk[1] = LN_PROTO_VERSION;
				if (v && len > 3)
					junk[2] = junk[3] = 0;
				chan_server_input(n->srv, junk, len, &from,
				    n->now);
				chan_client_input(tc->c, junk, len, n->now);
				count++;
			}
		}
		/* Keep the global bucket from being the only answer. */
		if (len % 64 == 0)
			n->now += 1 * SEC;
	}
	assert_int_equal(n->srv_sent, ssent);
	assert_int_equal(n->cl_sent, csent);
	assert_int_equal(ln_drops_total(sc) - sdrops, count);
	assert_int_equal(ln_drops_total(cc) - cdrops, count);
	assert_true(sc->drop[LN_DROP_SHORT] > 0);
	assert_true(sc->drop[LN_DROP_TYPE] > 0);
	assert_true(sc->drop[LN_DROP_VERSION] > 0);
	assert_true(sc->drop[LN_DROP_UNKNOWN_INDEX] > 0);
	assert_true(cc->drop[LN_DROP_STATE] + cc->drop[LN_DROP_HANDSHAKE] +
	    cc->drop[LN_DROP_MAC1] + cc->drop[LN_DROP_SHORT] > 0);
	/* The session still works. */
	n->now += 10 * MS;
	assert_int_equal(cl_say(tc, 1, 100, CHAN_RELIABLE), 0);
	assert_int_equal(srv_say(tc, 2, 100, CHAN_RELIABLE), 0);
	net_run(n, n->now + 1 * SEC);
	assert_int_equal(tc->srv_in.count[1], 1);
	assert_int_equal(tc->in.count[2], 1);
	net_free(n);
}

/* Records what a link delivers. */
static void
link_deliver(void *arg, const uint8_t *m, size_t len, int reliable)
{
	inbox_put(arg, m, len, reliable);
}

/* Frames inside an authenticated plaintext: a keepalive is exactly one
 * byte, a fragment goes up through frag and rel, anything else is FRAME. */
static void
test_frames(void **state)
{
	struct ln_counters	 c;
	struct chan_link	 l;
	struct inbox		 in;
	uint8_t			 frame[LN_MAX_PLAINTEXT], *env, *m;
	const uint8_t		 ka[2] = { LN_FRAME_KEEPALIVE, 0 };
	const uint8_t		 odd[2] = { 7, 0 };
	size_t			 n, envlen;

	memset(&c, 0, sizeof c);
	memset(&in, 0, sizeof in);
	in.last_rel = -1;
	chan_link_init(&l, &c, 0, NULL, NULL);
	assert_int_equal(chan_link_input(&l, ka, 1, 1, link_deliver, &in), 0);
	assert_int_equal(chan_link_input(&l, ka, 2, 1, link_deliver, &in),
	    LN_E_DROP(LN_DROP_FRAME));
	assert_int_equal(chan_link_input(&l, ka, 0, 1, link_deliver, &in),
	    LN_E_DROP(LN_DROP_FRAME));
	assert_int_equal(chan_link_input(&l, odd, 2, 1, link_deliver, &in),
	    LN_E_DROP(LN_DROP_FRAME));
	assert_int_equal(in.total, 0);

	/* A one-fragment reliable message, then the same again. */
	m = mkmsg(9, 40);
	assert_int_equal(rel_queue(&l.rel, m, 40), 0);
	assert_int_equal(rel_next(&l.rel, 1, &env, &envlen, NULL), 1);
	assert_int_equal(frag_build(1, env, envlen, 0, frame, sizeof frame,
	    &n), 0);
	free(env);
	free(m);
	chan_link_free(&l);
	chan_link_init(&l, &c, 0, NULL, NULL);
	assert_int_equal(chan_link_input(&l, frame, n, 1, link_deliver, &in),
	    0);
	assert_int_equal(in.count[9], 1);
	assert_int_equal(chan_link_input(&l, frame, n, 1, link_deliver, &in),
	    LN_E_DROP(LN_DROP_REL_DUPLICATE));
	assert_int_equal(in.total, 1);
	chan_link_free(&l);
}

/* One key, two connection ids: two peers with separate message streams. */
static void
test_two_connections(void **state)
{
	struct test_net		*n = net_new(NULL, 15);
	struct test_client	*a = net_client(n, -1);
	struct test_client	*b = net_client(n, 0);

	net_connect_all(n);
	assert_int_equal(n->connects, 2);
	assert_ptr_not_equal(a->peer, b->peer);
	assert_memory_equal(chan_peer_key(a->peer), chan_peer_key(b->peer),
	    LN_KEY_LEN);
	assert_int_not_equal(chan_peer_connection_id(a->peer),
	    chan_peer_connection_id(b->peer));
	assert_int_equal(cl_say(a, 1, 100, CHAN_RELIABLE), 0);
	assert_int_equal(cl_say(b, 2, 100, CHAN_RELIABLE), 0);
	assert_int_equal(srv_say(a, 3, 100, CHAN_RELIABLE), 0);
	assert_int_equal(srv_say(b, 4, 100, CHAN_RELIABLE), 0);
	net_run(n, n->now + 1 * SEC);
	assert_int_equal(a->srv_in.count[1], 1);
	assert_int_equal(a->srv_in.total, 1);
	assert_int_equal(b->srv_in.count[2], 1);
	assert_int_equal(b->srv_in.total, 1);
	assert_int_equal(a->in.count[3], 1);
	assert_int_equal(a->in.total, 1);
	assert_int_equal(b->in.count[4], 1);
	assert_int_equal(b->in.total, 1);
	net_free(n);
}

/*
 * The server's timers come from a heap of per-peer deadlines: with
 * MAX_CLIENTS peers heard from in a scrambled order, then silent (every
 * datagram lost), each is forgotten exactly when its idle time runs out,
 * in the order it went silent; one closed and one dropped from the middle
 * of the heap go at once and leave the others' deadlines right.
 */
static void
test_idle_order(void **state)
{
	static const int	 order[MAX_CLIENTS] = {
		7, 2, 11, 0, 5, 9, 3, 10, 1, 6, 8, 4 };
	struct chan_config	 cfg;
	struct test_net		*n;
	struct test_client	*tc;
	uint64_t		 last[MAX_CLIENTS], prev;
	int			 i, k;

	memset(&cfg, 0, sizeof cfg);
	cfg.peer_idle_ns = 20 * SEC;
	n = net_new(&cfg, 21);
	for (i = 0; i < MAX_CLIENTS; i++)
		net_client(n, -1);
	net_connect_all(n);
	/* Each speaks up in turn, 300 ms apart: its last word orders it. */
	for (k = 0; k < MAX_CLIENTS; k++) {
		tc = &n->cl[order[k]];
		assert_int_equal(cl_say(tc, (unsigned)k + 1, 50, CHAN_RELIABLE),
		    0);
		net_run(n, n->now + 300 * MS);
		assert_int_equal(tc->srv_in.count[k + 1], 1);
	}
	for (i = 0; i < MAX_CLIENTS; i++)
		last[i] = chan_peer_last_rx(n->cl[i].peer);
	n->loss = 1000;
	/* Two leave from inside the heap: a close and a drop. */
	chan_server_close(n->srv, n->cl[order[5]].peer);
	chan_server_drop(n->srv, n->cl[order[8]].peer);
	assert_int_equal(n->cl[order[8]].gone_at, n->now);
	net_run(n, n->now);
	assert_int_equal(n->cl[order[5]].gone_at, n->now);
	net_run(n, n->now + cfg.peer_idle_ns + 5 * SEC);
	assert_int_equal(n->disconnects, MAX_CLIENTS);
	prev = 0;
	for (k = 0; k < MAX_CLIENTS; k++) {
		i = order[k];
		assert_null(n->cl[i].peer);
		if (k == 5 || k == 8)
			continue;
		assert_int_equal(n->cl[i].gone_at, last[i] + cfg.peer_idle_ns);
		assert_true(n->cl[i].gone_at > prev);
		prev = n->cl[i].gone_at;
	}
	net_free(n);
}

/* A re-handshake with the same connection id resumes the same peer, with
 * its reliable state; a forgotten peer is not resumed. */
static void
test_resume(void **state)
{
	struct chan_config	 cfg;
	struct test_net		*n;
	struct test_client	*tc;
	struct chan_peer	*peer;

	memset(&cfg, 0, sizeof cfg);
	cfg.peer_idle_ns = 60 * SEC;
	n = net_new(&cfg, 16);
	tc = net_client(n, -1);
	net_connect_all(n);
	peer = tc->peer;
	assert_int_equal(cl_say(tc, 1, 100, CHAN_RELIABLE), 0);
	net_run(n, n->now + 1 * SEC);

	/* A message in flight to the server is lost with its path. */
	n->loss = 1000;
	assert_int_equal(cl_say(tc, 2, 100, CHAN_RELIABLE), 0);
	n->loss = 0;
	assert_int_equal(chan_client_connect(tc->c, n->now), 0);
	net_run(n, n->now + 2 * SEC);
	assert_int_equal(tc->connected, 2);
	assert_int_equal(tc->resumed, 1);
	assert_ptr_equal(tc->peer, peer);
	assert_int_equal(n->connects, 1);
	assert_int_equal(chan_server_counters(n->srv)->handshakes, 2);
	assert_all_once(&tc->srv_in, 1, 3);

	/* Silent past peer_idle: the server forgets the connection. */
	n->now += 61 * SEC;
	net_run(n, n->now);
	assert_int_equal(n->disconnects, 1);
	assert_null(tc->peer);
	n->now += 60 * SEC;	/* and the client's keys have expired */
	net_run(n, n->now + 2 * SEC);
	assert_int_equal(tc->connected, 3);
	assert_int_equal(tc->resumed, 0);
	assert_int_equal(n->connects, 2);
	/* Numbering starts over on both sides and still works. */
	tc->srv_in.last_rel = -1;
	assert_int_equal(cl_say(tc, 5, 100, CHAN_RELIABLE), 0);
	net_run(n, n->now + 1 * SEC);
	assert_int_equal(tc->srv_in.count[5], 1);
	net_free(n);
}

/*
 * LNSH_TEST_KEY_LIFETIME_SEC (tests/e2e/fault-sleep.sh): shortens the
 * default lifetimes in the defaults' proportions, never below its floor,
 * never lengthens them, never overrides a configured value.
 */
static void
test_test_lifetime(void **state)
{
	struct chan_config	in, out;

	memset(&in, 0, sizeof in);
	setenv("LNSH_TEST_KEY_LIFETIME_SEC", "6", 1);
	chan_config_fill(&out, &in);
	assert_int_equal(out.reject_after_ns, 6 * SEC);
	assert_int_equal(out.rekey_after_ns, 4 * SEC);
	assert_int_equal(out.peer_idle_ns, 30 * SEC);
	in.reject_after_ns = 90 * SEC;		/* configured: kept */
	chan_config_fill(&out, &in);
	assert_int_equal(out.reject_after_ns, 90 * SEC);
	assert_int_equal(out.rekey_after_ns, 4 * SEC);
	memset(&in, 0, sizeof in);
	setenv("LNSH_TEST_KEY_LIFETIME_SEC", "4", 1);	/* below the floor */
	chan_config_fill(&out, &in);
	assert_int_equal(out.reject_after_ns, LN_REJECT_AFTER_NS);
	setenv("LNSH_TEST_KEY_LIFETIME_SEC", "600", 1);	/* longer: no */
	chan_config_fill(&out, &in);
	assert_int_equal(out.reject_after_ns, LN_REJECT_AFTER_NS);
	assert_int_equal(out.rekey_after_ns, LN_REKEY_AFTER_NS);
	assert_int_equal(out.peer_idle_ns, LN_PEER_IDLE_NS);
	setenv("LNSH_TEST_KEY_LIFETIME_SEC", "6x", 1);
	chan_config_fill(&out, &in);
	assert_int_equal(out.reject_after_ns, LN_REJECT_AFTER_NS);
	unsetenv("LNSH_TEST_KEY_LIFETIME_SEC");
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exchange),
		cmocka_unit_test(test_ratelimit_completed),
		cmocka_unit_test(test_ack_now),
		cmocka_unit_test(test_lossy),
		cmocka_unit_test(test_burst_reorder),
		cmocka_unit_test(test_large_lossy),
		cmocka_unit_test(test_rekey),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_roaming),
		cmocka_unit_test(test_unauthorized),
		cmocka_unit_test(test_init_replay),
		cmocka_unit_test(test_init_stale),
		cmocka_unit_test(test_replay_hour),
		cmocka_unit_test(test_ratelimit),
		cmocka_unit_test(test_junk),
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_two_connections),
		cmocka_unit_test(test_idle_order),
		cmocka_unit_test(test_resume),
		cmocka_unit_test(test_test_lifetime),
	};

	if (sodium_init() < 0)
		return (1);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
