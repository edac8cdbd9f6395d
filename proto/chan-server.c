/*
 * chan-server.c: the responder end of the lnsh channel, sans I/O. Datagrams
 * come in through chan_server_input, go out through ops->send; timers run
 * when the caller ticks.
 *
 * A connection (struct chan_peer) is a client key plus the connection id
 * from its Hello, so one client process keeps its peer, and the peer's
 * reliable state, across re-handshakes and address changes. Per-key state
 * (last accepted timestamp, rate limit) exists only for keys the caller
 * authorized, so junk and strangers cost no memory.
 *
 * Key pairs follow WireGuard: a handshake's key pair is "next" until the
 * client's first transport packet under it proves the client holds it;
 * then it becomes current and the old current becomes previous, which
 * still decrypts until it expires, so packets in flight across the switch
 * are not lost.
 */
#include "config.h"

#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto.h"
#include "lnsh.pb-c.h"

#define SRV_INDEX_BUCKETS	256	/* receiver index hash table */
#define SRV_KEY_BUCKETS		64	/* per-client-key state */

/*
 * The server's packet table (style rule 8). Its only state is "open";
 * a RESPONSE, which only a server sends, is not in it and is dropped as an
 * unknown type. Transport packets are further checked against the key
 * pair their index names.
 */
#define SRV_OPEN		0x1
static const struct chan_rule srv_rules[] = {
	{ LN_PKT_INITIATION,	SRV_OPEN },
	{ LN_PKT_TRANSPORT,	SRV_OPEN },
};

enum srv_slot {
	SLOT_NEXT,		/* from the latest handshake, unconfirmed */
	SLOT_CURRENT,		/* confirmed: we send under it */
	SLOT_PREVIOUS,		/* replaced: still decrypts until it expires */
	SLOT_MAX
};

struct srv_kp {
	struct keypair	 kp;
	struct chan_peer *peer;
	uint64_t	 gen;		/* later handshakes have higher gen */
	uint64_t	 top;		/* highest authenticated counter + 1 */
	struct srv_kp	*hnext;		/* index hash chain */
};

struct srv_key {
	uint8_t			 pk[LN_KEY_LEN];
	uint64_t		 last_ts;	/* last accepted Hello time */
	uint64_t		 stale_ns;	/* when last reported stale */
	int			 stale_said;
	struct ratelimit	 rl;
	LIST_HEAD(, chan_peer)	 peers;
	unsigned		 npeers;
	struct srv_key		*next;
};

struct chan_peer {
	struct chan_server	*srv;
	struct srv_key		*key;
	LIST_ENTRY(chan_peer)	 kentry;
	TAILQ_ENTRY(chan_peer)	 entry;
	uint64_t		 conn_id;
	char			*user;
	struct chan_addr	 addr;
	uint64_t		 addr_gen;	/* gen that last set it */
	struct srv_kp		*kp[SLOT_MAX];
	uint64_t		 kp_gen;
	uint64_t		 last_rx_ns;
	struct chan_link	 link;
	void			*data;
	int			 closing;	/* chan_server_close */
	uint64_t		 deadline;	/* its next timer */
	size_t			 hidx;		/* in srv->heap */
};

struct chan_server {
	struct chan_config	 cfg;
	uint8_t			 sk[LN_KEY_LEN];
	uint8_t			 pk[LN_KEY_LEN];
	uint8_t			 mac1_key[LN_KEY_LEN];	/* for our pk */
	struct chan_server_ops	 ops;
	void			*ctx;
	struct ratelimit	 global;
	struct ratelimit	 load;		/* meters mac1-valid initiations */
	uint64_t		 load_until;	/* under load until then */
	struct cookie_checker	 cookie;
	struct srv_kp		*index[SRV_INDEX_BUCKETS];
	struct srv_key		*keys[SRV_KEY_BUCKETS];
	/* Every peer, longest silent first (moved to the tail on rx). */
	TAILQ_HEAD(, chan_peer)	 peers;
	/*
	 * Every peer again, as a binary min-heap on its next deadline, so a
	 * tick touches only the peers with a timer due, never the idle ones.
	 */
	struct chan_peer	**heap;
	size_t			 nheap, heapcap;
	struct ln_counters	 counters;
};

static uint64_t	srv_peer_deadline(struct chan_server *, struct chan_peer *,
		    uint64_t);

/* Swaps two heap entries, keeping their indices right. */
static void
srv_heap_swap(struct chan_server *srv, size_t a, size_t b)
{
	struct chan_peer	*t = srv->heap[a];

	srv->heap[a] = srv->heap[b];
	srv->heap[b] = t;
	srv->heap[a]->hidx = a;
	srv->heap[b]->hidx = b;
}

/* Restores the heap order around entry i after its deadline changed. */
static void
srv_heap_fix(struct chan_server *srv, size_t i)
{
	size_t	l, r, m;

	while (i > 0 && srv->heap[i]->deadline <
	    srv->heap[(i - 1) / 2]->deadline) {
		srv_heap_swap(srv, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < srv->nheap &&
		    srv->heap[l]->deadline < srv->heap[m]->deadline)
			m = l;
		if (r < srv->nheap &&
		    srv->heap[r]->deadline < srv->heap[m]->deadline)
			m = r;
		if (m == i)
			break;
		srv_heap_swap(srv, i, m);
		i = m;
	}
}

/* Puts a new peer in the heap. */
static void
srv_heap_add(struct chan_server *srv, struct chan_peer *peer)
{
	if (srv->nheap == srv->heapcap) {
		srv->heapcap = srv->heapcap == 0 ? 16 : srv->heapcap * 2;
		srv->heap = xreallocarray(srv->heap, srv->heapcap,
		    sizeof *srv->heap);
	}
	peer->hidx = srv->nheap;
	srv->heap[srv->nheap++] = peer;
	srv_heap_fix(srv, peer->hidx);
}

static void
srv_heap_remove(struct chan_server *srv, struct chan_peer *peer)
{
	size_t	i = peer->hidx;

	if (--srv->nheap != i) {
		srv_heap_swap(srv, i, srv->nheap);
		srv_heap_fix(srv, i);
	}
}

/*
 * Recomputes a peer's next deadline after anything that may have changed
 * it (input, a send, a new key pair), and its place in the heap.
 */
static void
srv_schedule(struct chan_server *srv, struct chan_peer *peer, uint64_t now)
{
	peer->deadline = srv_peer_deadline(srv, peer, now);
	srv_heap_fix(srv, peer->hidx);
}

/* Authenticated word from a peer: it is the least silent now. */
static void
srv_heard(struct chan_server *srv, struct chan_peer *peer, uint64_t now)
{
	peer->last_rx_ns = now;
	TAILQ_REMOVE(&srv->peers, peer, entry);
	TAILQ_INSERT_TAIL(&srv->peers, peer, entry);
}

/* The hash bucket of a receiver index; indices are random already. */
static struct srv_kp **
srv_bucket(struct chan_server *srv, uint32_t idx)
{
	return (&srv->index[idx % SRV_INDEX_BUCKETS]);
}

/* The key pair a receiver index names, or NULL. */
static struct srv_kp *
srv_index_find(struct chan_server *srv, uint32_t idx)
{
	struct srv_kp	*k;

	for (k = *srv_bucket(srv, idx); k != NULL; k = k->hnext)
		if (k->kp.local_index == idx)
			return (k);
	return (NULL);
}

/* A fresh random receiver index, unique among ours and never zero. */
static uint32_t
srv_index_new(struct chan_server *srv)
{
	uint32_t	idx;

	do
		randombytes_buf(&idx, sizeof idx);
	while (idx == 0 || srv_index_find(srv, idx) != NULL);
	return (idx);
}

/* Drops a key pair from the index, wipes and frees it. */
static void
srv_kp_free(struct chan_server *srv, struct srv_kp *k)
{
	struct srv_kp	**pp;

	if (k == NULL)
		return;
	for (pp = srv_bucket(srv, k->kp.local_index); *pp != NULL;
	    pp = &(*pp)->hnext) {
		if (*pp == k) {
			*pp = k->hnext;
			break;
		}
	}
	keypair_wipe(&k->kp);
	sodium_memzero(k, sizeof *k);
	free(k);
}

/* Puts the datagram a peer's link produced on the wire to its address. */
static void
srv_emit(void *arg, const uint8_t *pkt, size_t len)
{
	struct chan_peer	*peer = arg;
	struct chan_server	*srv = peer->srv;

	srv->ops.send(srv->ctx, &peer->addr, pkt, len);
}

/* The per-key state of an (authorized) client key, created if need be. */
static struct srv_key *
srv_key_get(struct chan_server *srv, const uint8_t *pk, uint64_t now)
{
	struct srv_key	**bucket, *key;

	bucket = &srv->keys[pk[0] % SRV_KEY_BUCKETS];
	for (key = *bucket; key != NULL; key = key->next)
		if (sodium_memcmp(key->pk, pk, LN_KEY_LEN) == 0)
			return (key);
	key = xcalloc(1, sizeof *key);
	memcpy(key->pk, pk, LN_KEY_LEN);
	/* What an earlier life of the server accepted still counts. */
	if (srv->ops.stamp_get != NULL)
		key->last_ts = srv->ops.stamp_get(srv->ctx, pk);
	ratelimit_init(&key->rl, srv->cfg.init_per_key_per_sec,
	    LN_INIT_PER_KEY_BURST, now);
	LIST_INIT(&key->peers);
	key->next = *bucket;
	*bucket = key;
	return (key);
}

/* Forgets a peer: tells the caller (if it knew it), frees everything. */
static void
srv_peer_free(struct chan_server *srv, struct chan_peer *peer, int tell)
{
	int	i;

	if (tell && srv->ops.disconnect != NULL)
		srv->ops.disconnect(srv->ctx, peer);
	TAILQ_REMOVE(&srv->peers, peer, entry);
	srv_heap_remove(srv, peer);
	LIST_REMOVE(peer, kentry);
	peer->key->npeers--;
	for (i = 0; i < SLOT_MAX; i++)
		srv_kp_free(srv, peer->kp[i]);
	chan_link_free(&peer->link);
	free(peer->user);
	free(peer);
}

/* The connection (key, connection id), or NULL. */
static struct chan_peer *
srv_peer_find(struct srv_key *key, uint64_t conn_id)
{
	struct chan_peer	*peer;

	LIST_FOREACH(peer, &key->peers, kentry)
		if (peer->conn_id == conn_id)
			return (peer);
	return (NULL);
}

/*
 * A new connection for key. One key may hold only LN_PEERS_PER_KEY: an
 * authorized but misbehaving client must not fill our memory with
 * connection ids, so the longest-silent one makes room.
 */
static struct chan_peer *
srv_peer_new(struct chan_server *srv, struct srv_key *key, uint64_t conn_id,
    const char *user, uint64_t now)
{
	struct chan_peer	*peer, *p, *oldest = NULL;

	if (key->npeers >= LN_PEERS_PER_KEY) {
		LIST_FOREACH(p, &key->peers, kentry)
			if (oldest == NULL ||
			    p->last_rx_ns < oldest->last_rx_ns)
				oldest = p;
		srv_peer_free(srv, oldest, 1);
	}
	peer = xcalloc(1, sizeof *peer);
	peer->srv = srv;
	peer->key = key;
	peer->conn_id = conn_id;
	peer->user = xstrdup(user);
	peer->last_rx_ns = now;
	chan_link_init(&peer->link, &srv->counters, srv->cfg.reject_after_ns,
	    srv_emit, peer);
	LIST_INSERT_HEAD(&key->peers, peer, kentry);
	key->npeers++;
	TAILQ_INSERT_TAIL(&srv->peers, peer, entry);
	peer->deadline = now + srv->cfg.peer_idle_ns;
	srv_heap_add(srv, peer);
	return (peer);
}

/* The key pair we send under, if it is still usable. */
static struct keypair *
srv_send_kp(struct chan_peer *peer, uint64_t now)
{
	struct srv_kp	*k = peer->kp[SLOT_CURRENT];

	if (k == NULL ||
	    !chan_kp_usable(&k->kp, now, peer->srv->cfg.reject_after_ns))
		return (NULL);
	return (&k->kp);
}

/* Makes a peer's unconfirmed key pair current: the client holds it. */
static void
srv_confirm(struct chan_server *srv, struct chan_peer *peer)
{
	srv_kp_free(srv, peer->kp[SLOT_PREVIOUS]);
	peer->kp[SLOT_PREVIOUS] = peer->kp[SLOT_CURRENT];
	peer->kp[SLOT_CURRENT] = peer->kp[SLOT_NEXT];
	peer->kp[SLOT_NEXT] = NULL;
}

/*
 * WireGuard's timestamp rule locks a key out for as long as its client's
 * clock once ran ahead: tells the caller (ops->stale), so that the reason
 * is in the log, when the gap is LN_INIT_STALE_NS or more; a replay of a
 * fresh initiation has a gap near 0 and stays silent. Once per key per
 * LN_INIT_STALE_EVERY_NS: the per-key rate limit already bounds the calls.
 */
static void
srv_stale(struct chan_server *srv, struct srv_key *key,
    const Lnsh__Hello *hello, uint64_t now)
{
	uint64_t	gap = key->last_ts - hello->timestamp_ns;

	if (srv->ops.stale == NULL || gap < LN_INIT_STALE_NS ||
	    (key->stale_said && now - key->stale_ns < LN_INIT_STALE_EVERY_NS))
		return;
	key->stale_said = 1;
	key->stale_ns = now;
	srv->ops.stale(srv->ctx, key->pk, hello->user, gap);
}

/* Packs the Welcome for a handshake response. */
static int
srv_welcome(int resumed, uint8_t *out, size_t cap, size_t *outlen)
{
	Lnsh__Welcome	w = LNSH__WELCOME__INIT;
	size_t		n;

	w.version = LN_PROTO_VERSION;
	w.resumed = resumed ? 1 : 0;
	w.closes = 1;
	n = lnsh__welcome__get_packed_size(&w);
	if (n > cap)
		return (LN_E_NOSPACE);
	*outlen = lnsh__welcome__pack(&w, out);
	return (0);
}

/*
 * Meters an initiation that passed mac1 and says whether we are under
 * load: the load bucket (LN_INIT_LOAD_PER_SEC a second, as many at once)
 * ran empty less than LN_INIT_LOAD_HOLD_NS ago. Every such initiation is
 * metered, those answered with a cookie too, so a flood keeps the server
 * under load for as long as it lasts.
 */
static int
srv_load(struct chan_server *srv, uint64_t now)
{
	if (!ratelimit_allow(&srv->load, now))
		srv->load_until = now + LN_INIT_LOAD_HOLD_NS;
	return (now < srv->load_until);
}

/*
 * Under load, an initiation without a valid mac2 is answered with a cookie
 * reply (cookie.c) and goes no further: 0 when it may go on, else the
 * drop (UNDER_LOAD once the reply is sent; RATELIMIT when its source,
 * which proved it receives, sends more than LN_COOKIE_PER_SRC_*).
 */
static int
srv_cookie(struct chan_server *srv, const uint8_t *pkt, size_t len,
    const struct chan_addr *from, uint64_t now)
{
	uint8_t	reply[LN_COOKIE_REPLY_LEN];
	size_t	n;
	int	r;

	if (!srv_load(srv, now))
		return (0);
	if (cookie_check_mac2(&srv->cookie, pkt, len, from, now) == 0) {
		if (!ratelimit_allow(cookie_source(&srv->cookie, from, now),
		    now))
			return (LN_E_DROP(LN_DROP_RATELIMIT));
		return (0);
	}
	if ((r = cookie_reply(&srv->cookie, pkt, len, from, now, reply,
	    sizeof reply, &n)) != 0)
		return (r);
	srv->ops.send(srv->ctx, from, reply, n);
	srv->counters.cookies++;
	srv->counters.tx_packets++;
	srv->counters.tx_bytes += n;
	return (LN_E_DROP(LN_DROP_UNDER_LOAD));
}

/*
 * An initiation. The checks run cheapest first and nothing that fails gets
 * a reply but for the cookie reply under load: length and mac1
 * (hs_check_initiation), then, under load, mac2 (srv_cookie), then the
 * global rate limit, then Noise (hs_consume_initiation), the Hello, authorization, the
 * timestamp and the per-key rate limit. Only then is any per-key or
 * per-peer state touched. mac1 comes before the global limit, as in
 * WireGuard: junk from someone who does not know our public key must not
 * spend the tokens real clients' handshakes need. The timestamp comes
 * before the per-key limit for the same reason: replays of a captured
 * initiation must not spend the tokens of the key they were captured
 * from. A handshake the client completes (its first transport packet
 * under the new keys, srv_transport) gives its token back, so the per-key
 * limit bounds only fresh initiations nobody follows up: a user's scripts
 * calling lnsh in a loop never meet it (docs/protocol.md section 4).
 */
static int
srv_initiation(struct chan_server *srv, const uint8_t *pkt, size_t len,
    const struct chan_addr *from, uint64_t now)
{
	struct noise_handshake	 hs;
	struct hs_keys		 keys;
	uint8_t			 client_pk[LN_KEY_LEN];
	uint8_t			 payload[LN_MAX_HS_PAYLOAD];
	uint8_t			 welcome[LN_MAX_HS_PAYLOAD];
	uint8_t			 resp[LN_MAX_DATAGRAM];
	size_t			 plen, wlen, rlen;
	uint32_t		 remote_index, local_index;
	Lnsh__Hello		*hello = NULL;
	struct srv_key		*key;
	struct chan_peer	*peer;
	struct srv_kp		*k;
	int			 r, resumed, created = 0;

	memset(&hs, 0, sizeof hs);
	memset(&keys, 0, sizeof keys);
	if ((r = hs_check_initiation(srv->mac1_key, pkt, len)) != 0)
		goto out;
	if ((r = srv_cookie(srv, pkt, len, from, now)) != 0)
		goto out;
	if (!ratelimit_allow(&srv->global, now)) {
		r = LN_E_DROP(LN_DROP_RATELIMIT);
		goto out;
	}
	r = hs_consume_initiation(&hs, srv->sk, srv->pk, srv->mac1_key, pkt,
	    len, &remote_index, client_pk, payload, sizeof payload, &plen);
	if (r != 0)
		goto out;
	hello = lnsh__hello__unpack(NULL, plen, payload);
	if (hello == NULL || hello->user == NULL || hello->user[0] == '\0') {
		r = LN_E_DROP(LN_DROP_MESSAGE);
		goto out;
	}
	if (hello->version != LN_PROTO_VERSION) {
		r = LN_E_DROP(LN_DROP_VERSION);
		goto out;
	}
	if (srv->ops.authorize(srv->ctx, client_pk, hello->user) != 0) {
		r = LN_E_DROP(LN_DROP_UNAUTHORIZED);
		goto out;
	}
	key = srv_key_get(srv, client_pk, now);
	if (hello->timestamp_ns <= key->last_ts) {
		srv_stale(srv, key, hello, now);
		r = LN_E_DROP(LN_DROP_INIT_REPLAY);
		goto out;
	}
	if (!ratelimit_allow(&key->rl, now)) {
		r = LN_E_DROP(LN_DROP_RATELIMIT);
		goto out;
	}

	/* Same connection as a user we serve already: rebind, keep state. */
	peer = srv_peer_find(key, hello->connection_id);
	resumed = peer != NULL && strcmp(peer->user, hello->user) == 0;
	if ((r = srv_welcome(resumed, welcome, sizeof welcome, &wlen)) != 0)
		goto out;
	local_index = srv_index_new(srv);
	r = hs_response(&hs, local_index, remote_index, client_pk, welcome,
	    wlen, resp, sizeof resp, &rlen, &keys);
	if (r != 0)
		goto out;

	key->last_ts = hello->timestamp_ns;
	/* Recorded before we answer, so a restart cannot forget it. */
	if (srv->ops.stamp_put != NULL)
		srv->ops.stamp_put(srv->ctx, client_pk, hello->timestamp_ns);
	/* A new connection may need the caller to make room (max-clients). */
	if (peer == NULL && srv->ops.admit != NULL &&
	    srv->ops.admit(srv->ctx, client_pk, now) != 0) {
		r = LN_E_DROP(LN_DROP_UNAUTHORIZED);
		goto out;
	}
	if (peer != NULL && !resumed) {
		/* The connection id now asks for another user: start over. */
		srv_peer_free(srv, peer, 1);
		peer = NULL;
	}
	if (peer == NULL) {
		peer = srv_peer_new(srv, key, hello->connection_id,
		    hello->user, now);
		created = 1;
	}
	k = xcalloc(1, sizeof *k);
	keypair_init(&k->kp, &keys, 0, now);
	k->kp.local_index = local_index;
	k->peer = peer;
	k->gen = ++peer->kp_gen;
	k->hnext = *srv_bucket(srv, local_index);
	*srv_bucket(srv, local_index) = k;
	srv_kp_free(srv, peer->kp[SLOT_NEXT]);
	peer->kp[SLOT_NEXT] = k;

	/* An authenticated, fresh initiation is the newest word from it. */
	peer->addr = *from;
	peer->addr_gen = k->gen;
	srv_heard(srv, peer, now);
	srv_schedule(srv, peer, now);
	srv->counters.handshakes++;
	if (created && srv->ops.connect != NULL)
		srv->ops.connect(srv->ctx, peer);
	else if (!created && srv->ops.moved != NULL)
		srv->ops.moved(srv->ctx, peer, 1);
	srv->ops.send(srv->ctx, from, resp, rlen);
	srv->counters.tx_packets++;
	srv->counters.tx_bytes += rlen;
	r = 0;
out:
	if (hello != NULL)
		lnsh__hello__free_unpacked(hello, NULL);
	noise_wipe(&hs);
	sodium_memzero(&keys, sizeof keys);
	sodium_memzero(client_pk, sizeof client_pk);
	return (r);
}

/* Hands a message rel delivered to the caller. */
static void
srv_deliver(void *arg, const uint8_t *msg, size_t len, int reliable)
{
	struct chan_peer	*peer = arg;
	struct chan_server	*srv = peer->srv;

	srv->counters.messages_in++;
	if (srv->ops.message != NULL)
		srv->ops.message(srv->ctx, peer, msg, len, reliable);
}

/* The counter in a transport header (already authenticated). */
static uint64_t
srv_counter(const uint8_t *pkt, size_t len)
{
	struct buf	b;
	uint64_t	ctr = 0;

	buf_reader(&b, pkt, len);
	(void)buf_get_ptr(&b, LN_TRANSPORT_HDR_LEN - 8);
	(void)buf_get_u64le(&b, &ctr);
	return (ctr);
}

/*
 * A transport packet. Once it authenticates: the first one under a
 * peer's next key pair confirms it; the newest one (highest counter on
 * the newest key pair) moves the peer's address, which is how roaming
 * works; then its frame goes up through frag and rel.
 */
static int
srv_transport(struct chan_server *srv, const uint8_t *pkt, size_t len,
    const struct chan_addr *from, uint64_t now)
{
	uint8_t			 plain[LN_MAX_PLAINTEXT];
	struct chan_peer	*peer;
	struct srv_kp		*k;
	struct keypair		*kp;
	uint32_t		 idx;
	uint64_t		 ctr;
	size_t			 plen;
	int			 r, moved;

	if ((r = transport_index(pkt, len, &idx)) != 0)
		return (r);
	if ((k = srv_index_find(srv, idx)) == NULL)
		return (LN_E_DROP(LN_DROP_UNKNOWN_INDEX));
	r = transport_open(&k->kp, pkt, len, now, srv->cfg.reject_after_ns,
	    plain, sizeof plain, &plen);
	if (r != 0)
		return (r);

	peer = k->peer;
	srv_heard(srv, peer, now);
	ctr = srv_counter(pkt, len);
	if (k->gen > peer->addr_gen ||
	    (k->gen == peer->addr_gen && ctr + 1 > k->top)) {
		/* Compared only for a caller that asks: per packet. */
		moved = srv->ops.moved != NULL &&
		    (peer->addr.len != from->len ||
		    memcmp(&peer->addr.ss, &from->ss, from->len) != 0);
		peer->addr = *from;
		peer->addr_gen = k->gen;
		if (moved)
			srv->ops.moved(srv->ctx, peer, 0);
	}
	if (ctr + 1 > k->top)
		k->top = ctr + 1;
	if (k == peer->kp[SLOT_NEXT]) {
		/* A completed handshake is no flood: its token comes back. */
		ratelimit_refund(&peer->key->rl, now);
		srv_confirm(srv, peer);
	}

	r = chan_link_input(&peer->link, plain, plen, now, srv_deliver, peer);
	/* Acks due now, and anything queued while we had no key pair. */
	if ((kp = srv_send_kp(peer, now)) != NULL)
		(void)chan_link_flush(&peer->link, kp, now);
	/* Its CloseRequest came in: forget it now that the input is done. */
	if (peer->closing)
		srv_peer_free(srv, peer, 1);
	else
		srv_schedule(srv, peer, now);
	return (r);
}

/* Creates a server with its static key pair (secret key copied). */
struct chan_server *
chan_server_new(const struct chan_config *cfg, const uint8_t *server_sk,
    const struct chan_server_ops *ops, void *ctx)
{
	struct chan_server	*srv;

	srv = xcalloc(1, sizeof *srv);
	chan_config_fill(&srv->cfg, cfg);
	memcpy(srv->sk, server_sk, LN_KEY_LEN);
	if (noise_pubkey(srv->sk, srv->pk) != 0) {
		sodium_memzero(srv->sk, sizeof srv->sk);
		free(srv);
		return (NULL);
	}
	hs_mac1_key(srv->pk, srv->mac1_key);
	srv->ops = *ops;
	srv->ctx = ctx;
	ratelimit_init(&srv->global, srv->cfg.init_global_per_sec,
	    LN_INIT_GLOBAL_BURST, 0);
	ratelimit_init(&srv->load, srv->cfg.init_load_per_sec,
	    srv->cfg.init_load_per_sec, 0);
	cookie_checker_init(&srv->cookie, srv->pk);
	TAILQ_INIT(&srv->peers);
	return (srv);
}

/* Frees a server; every peer still known is disconnected first. */
void
chan_server_free(struct chan_server *srv)
{
	struct srv_key	*key, *next;
	int		 i;

	if (srv == NULL)
		return;
	while (!TAILQ_EMPTY(&srv->peers))
		srv_peer_free(srv, TAILQ_FIRST(&srv->peers), 1);
	for (i = 0; i < SRV_KEY_BUCKETS; i++) {
		for (key = srv->keys[i]; key != NULL; key = next) {
			next = key->next;
			free(key);
		}
	}
	sodium_memzero(srv->sk, sizeof srv->sk);
	cookie_checker_wipe(&srv->cookie);
	free(srv->heap);
	free(srv);
}

/*
 * One datagram from the network. Every packet that is not accepted is
 * counted under its reason and gets no reply.
 */
void
chan_server_input(struct chan_server *srv, const uint8_t *pkt, size_t len,
    const struct chan_addr *from, uint64_t now)
{
	uint8_t	type = 0;
	int	r;

	srv->counters.rx_packets++;
	srv->counters.rx_bytes += len;
	r = chan_classify(pkt, len, srv_rules,
	    sizeof srv_rules / sizeof srv_rules[0], SRV_OPEN, &type);
	if (r == 0) {
		switch (type) {
		case LN_PKT_INITIATION:
			r = srv_initiation(srv, pkt, len, from, now);
			/* A refusal that is no drop reason is still one. */
			if (r < 0 && !LN_E_IS_DROP(r))
				r = LN_E_DROP(LN_DROP_HANDSHAKE);
			break;
		case LN_PKT_TRANSPORT:
			r = srv_transport(srv, pkt, len, from, now);
			if (r < 0 && !LN_E_IS_DROP(r))
				r = LN_E_DROP(LN_DROP_DECRYPT);
			break;
		}
	}
	ln_count(&srv->counters, r);
}

/*
 * Sends a message to a peer. Reliable messages wait in the queue while the
 * peer has no usable key pair (until its next handshake); an unreliable
 * one then fails with LN_E_STATE.
 */
int
chan_server_send(struct chan_server *srv, struct chan_peer *peer,
    const uint8_t *msg, size_t len, int flags, uint64_t now)
{
	int	r;

	r = chan_link_send(&peer->link, srv_send_kp(peer, now), msg, len,
	    flags, now);
	if (!peer->closing)
		srv_schedule(srv, peer, now);
	return (r);
}

/*
 * When a peer next needs a tick: expiry of its key pairs, fragments and
 * idleness, and rel's timers while it has a key pair to send under.
 */
static uint64_t
srv_peer_deadline(struct chan_server *srv, struct chan_peer *peer,
    uint64_t now)
{
	uint64_t	next;
	int		i;

	if (peer->closing)
		return (0);
	next = peer->last_rx_ns + srv->cfg.peer_idle_ns;
	for (i = 0; i < SLOT_MAX; i++)
		if (peer->kp[i] != NULL)
			next = ln_min(next, peer->kp[i]->kp.created_ns +
			    srv->cfg.reject_after_ns);
	return (ln_min(next, chan_link_deadline(&peer->link,
	    srv_send_kp(peer, now) != NULL)));
}

/*
 * Runs a peer's timers: expiry of its key pairs, fragment expiry, rel's
 * retransmissions and delayed acks.
 */
static void
srv_peer_tick(struct chan_server *srv, struct chan_peer *peer, uint64_t now)
{
	struct keypair	*kp;
	int		 i;

	for (i = 0; i < SLOT_MAX; i++) {
		if (peer->kp[i] != NULL && peer->kp[i]->kp.created_ns +
		    srv->cfg.reject_after_ns <= now) {
			srv_kp_free(srv, peer->kp[i]);
			peer->kp[i] = NULL;
		}
	}
	frag_expire(&peer->link.frag, now);
	if ((kp = srv_send_kp(peer, now)) != NULL)
		(void)chan_link_flush(&peer->link, kp, now);
}

/*
 * Runs every timer due by now; returns the next deadline (monotonic ns).
 * Only the peers whose deadline has come are touched.
 */
uint64_t
chan_server_tick(struct chan_server *srv, uint64_t now)
{
	struct chan_peer	*peer;

	while (srv->nheap > 0 && (peer = srv->heap[0])->deadline <= now) {
		if (peer->closing || (now >= peer->last_rx_ns &&
		    now - peer->last_rx_ns >= srv->cfg.peer_idle_ns)) {
			srv_peer_free(srv, peer, 1);
			continue;
		}
		srv_peer_tick(srv, peer, now);
		srv_schedule(srv, peer, now);
		/* A deadline that did not move would spin: wait a little. */
		if (peer->deadline <= now) {
			peer->deadline = now + 1;
			srv_heap_fix(srv, peer->hidx);
		}
	}
	return (srv->nheap > 0 ? srv->heap[0]->deadline : UINT64_MAX);
}

/*
 * Forgets a peer once the input that asked for it is done (its
 * CloseRequest): the caller's disconnect follows.
 */
void
chan_server_close(struct chan_server *srv, struct chan_peer *peer)
{
	peer->closing = 1;
	peer->deadline = 0;
	srv_heap_fix(srv, peer->hidx);
}

/*
 * Forgets a peer now (the caller evicts it); the caller's disconnect runs
 * before this returns. Not from inside that peer's own message callback.
 */
void
chan_server_drop(struct chan_server *srv, struct chan_peer *peer)
{
	srv_peer_free(srv, peer, 1);
}

/* The peer silent for longest, or NULL. */
struct chan_peer *
chan_server_oldest(struct chan_server *srv)
{
	return (TAILQ_FIRST(&srv->peers));
}

/* The peer heard from next after this one, or NULL. */
struct chan_peer *
chan_peer_newer(struct chan_peer *peer)
{
	return (TAILQ_NEXT(peer, entry));
}

/* When the peer's last authenticated packet arrived (monotonic ns). */
uint64_t
chan_peer_last_rx(const struct chan_peer *peer)
{
	return (peer->last_rx_ns);
}

/* What the server has seen. */
const struct ln_counters *
chan_server_counters(const struct chan_server *srv)
{
	return (&srv->counters);
}

/* Whether the server is under load now (answering with cookies). */
int
chan_server_under_load(const struct chan_server *srv, uint64_t now)
{
	return (now < srv->load_until);
}

/* Where the server sends to a peer: its newest authenticated address. */
const struct chan_addr *
chan_peer_addr(const struct chan_peer *peer)
{
	return (&peer->addr);
}

/* The peer's client public key (LN_KEY_LEN bytes). */
const uint8_t *
chan_peer_key(const struct chan_peer *peer)
{
	return (peer->key->pk);
}

/* The local user the peer is served as. */
const char *
chan_peer_user(const struct chan_peer *peer)
{
	return (peer->user);
}

/* The client's connection id from its Hello. */
uint64_t
chan_peer_connection_id(const struct chan_peer *peer)
{
	return (peer->conn_id);
}

/*
 * Bytes of reliable messages sent to the peer that it has not acknowledged
 * (server/clients.c counts them against a client's reply budget).
 */
size_t
chan_peer_unacked_bytes(const struct chan_peer *peer)
{
	return (rel_unacked_bytes(&peer->link.rel));
}

/* The caller's pointer for this peer. */
void *
chan_peer_data(const struct chan_peer *peer)
{
	return (peer->data);
}

/* Sets the caller's pointer for this peer. */
void
chan_peer_set_data(struct chan_peer *peer, void *data)
{
	peer->data = data;
}
