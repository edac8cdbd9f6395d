/*
 * chan-client.c: the initiator end of the lnsh channel, sans I/O, talking
 * to one server. Datagrams come in through chan_client_input, go out
 * through ops->send; timers run when the caller ticks.
 *
 * The connection id is drawn once per client and sent in every Hello, so
 * the server binds each re-handshake to the connection (and reliable
 * state) it already holds: the layer above sees one continuous channel.
 * A new key pair becomes current as soon as the response arrives; the old
 * one stays as previous, still decrypting what the server sent before it
 * learned of the switch, until it expires.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto.h"
#include "lnsh.pb-c.h"

/*
 * The client's states and the packet table that says which accept what
 * (style rule 8). A response is expected only while an initiation is out;
 * transport packets only while a key pair exists.
 */
enum cli_state {
	CLI_IDLE = 0x1,		/* chan_client_connect not called yet */
	CLI_CONNECTING = 0x2,	/* initiation out, no usable key pair */
	CLI_ESTABLISHED = 0x4,	/* key pair current */
	CLI_REKEYING = 0x8,	/* key pair current, initiation out */
};
static const struct chan_rule cli_rules[] = {
	{ LN_PKT_RESPONSE,	CLI_CONNECTING | CLI_REKEYING },
	{ LN_PKT_COOKIE_REPLY,	CLI_CONNECTING | CLI_REKEYING },
	{ LN_PKT_TRANSPORT,	CLI_ESTABLISHED | CLI_REKEYING },
};

struct chan_client {
	struct chan_config	 cfg;
	uint8_t			 sk[LN_KEY_LEN];
	uint8_t			 server_pk[LN_KEY_LEN];
	uint8_t			 mac1_key[LN_KEY_LEN];	/* for our pk */
	char			*user;
	struct chan_client_ops	 ops;
	void			*ctx;
	uint64_t		 conn_id;
	enum cli_state		 state;
	int			 ever_connected;
	int			 closes;	/* the server's Welcome.closes */

	struct noise_handshake	 hs;		/* the initiation out */
	uint32_t		 hs_index;
	uint64_t		 hs_sent_ns;
	uint64_t		 hs_retry_ns;
	uint64_t		 last_ts;	/* last Hello timestamp */
	struct cookie_maker	 cookie;
	uint64_t		 cookie_resend_ns; /* last resend for one */
	int			 cookie_resent;

	struct keypair		*current, *previous;
	struct chan_link	 link;
	uint64_t		 last_heard_ns;
	struct ln_counters	 counters;
};

/* Puts a datagram on the wire to the server. */
static void
cli_emit(void *arg, const uint8_t *pkt, size_t len)
{
	struct chan_client	*c = arg;

	c->ops.send(c->ctx, pkt, len);
}

/* Wipes and frees a key pair. */
static void
cli_kp_free(struct keypair *kp)
{
	if (kp == NULL)
		return;
	keypair_wipe(kp);
	sodium_memzero(kp, sizeof *kp);
	free(kp);
}

/* The key pair to send under, if there is one still usable. */
static struct keypair *
cli_send_kp(struct chan_client *c, uint64_t now)
{
	if (!chan_kp_usable(c->current, now, c->cfg.reject_after_ns))
		return (NULL);
	return (c->current);
}

/* A Hello timestamp: the wall clock, but always later than the last. */
static uint64_t
cli_timestamp(struct chan_client *c)
{
	uint64_t	ts;

	ts = c->cfg.wall_ns != NULL ? c->cfg.wall_ns(c->ctx) : ln_wall_ns();
	if (ts <= c->last_ts)
		ts = c->last_ts + 1;
	c->last_ts = ts;
	return (ts);
}

/*
 * Sends a fresh initiation (new ephemeral key, index and timestamp),
 * forgetting any earlier one still out, and schedules its resend.
 */
static int
cli_initiate(struct chan_client *c, uint64_t now)
{
	Lnsh__Hello	 hello = LNSH__HELLO__INIT;
	uint8_t		 payload[LN_MAX_HS_PAYLOAD];
	uint8_t		 pkt[LN_MAX_DATAGRAM];
	size_t		 plen, n;
	const uint8_t	*cookie;
	uint32_t	 idx;
	int		 r;

	hello.timestamp_ns = cli_timestamp(c);
	hello.connection_id = c->conn_id;
	hello.user = c->user;
	hello.version = LN_PROTO_VERSION;
	if (lnsh__hello__get_packed_size(&hello) > sizeof payload)
		return (LN_E_INVAL);
	plen = lnsh__hello__pack(&hello, payload);

	do
		randombytes_buf(&idx, sizeof idx);
	while (idx == 0 ||
	    (c->current != NULL && c->current->local_index == idx) ||
	    (c->previous != NULL && c->previous->local_index == idx));

	noise_wipe(&c->hs);
	c->hs_index = 0;
	/* A cookie from a server under load keys mac2 while it is young. */
	cookie = cookie_maker_get(&c->cookie, now);
	r = hs_initiation_cookie(&c->hs, c->sk, c->server_pk, idx, payload,
	    plen, cookie, pkt, sizeof pkt, &n);
	if (r != 0)
		goto out;
	cookie_maker_sent(&c->cookie, pkt, n);
	c->hs_index = idx;
	c->hs_sent_ns = now;
	/* Jitter keeps many clients from resending in lockstep. */
	c->hs_retry_ns = now + LN_REKEY_TIMEOUT_NS +
	    randombytes_uniform(LN_REKEY_JITTER_NS);
	c->state = c->current != NULL ? CLI_REKEYING : CLI_CONNECTING;
	cli_emit(c, pkt, n);
	c->counters.tx_packets++;
	c->counters.tx_bytes += n;
out:
	sodium_memzero(payload, sizeof payload);
	return (r);
}

/*
 * Starts a re-handshake if the current key pair is getting old or has
 * sent too much, at most one per LN_REKEY_TIMEOUT_NS.
 */
static void
cli_maybe_rekey(struct chan_client *c, uint64_t now)
{
	if (c->state != CLI_ESTABLISHED || c->current == NULL)
		return;
	if (now - c->current->created_ns < c->cfg.rekey_after_ns &&
	    c->current->send_counter < LN_REKEY_AFTER_MSGS)
		return;
	if (c->hs_sent_ns != 0 && now - c->hs_sent_ns < LN_REKEY_TIMEOUT_NS)
		return;
	(void)cli_initiate(c, now);
}

/*
 * Forgets key pairs older than reject_after. Losing the current one
 * without a replacement means connecting from scratch.
 */
static void
cli_expire(struct chan_client *c, uint64_t now)
{
	uint64_t	life = c->cfg.reject_after_ns;

	if (c->previous != NULL && now - c->previous->created_ns >= life) {
		cli_kp_free(c->previous);
		c->previous = NULL;
	}
	if (c->current != NULL && now - c->current->created_ns >= life) {
		cli_kp_free(c->current);
		c->current = NULL;
		if (c->state == CLI_REKEYING)
			c->state = CLI_CONNECTING;
		else if (c->state == CLI_ESTABLISHED)
			(void)cli_initiate(c, now);
	}
}

/*
 * Sends what is waiting: queued reliable messages and acks, or else a
 * keepalive if `must` (the server confirms a key pair by our first packet
 * under it).
 */
static void
cli_flush(struct chan_client *c, uint64_t now, int must)
{
	struct keypair	*kp;
	uint64_t	 before = c->counters.tx_packets;

	if ((kp = cli_send_kp(c, now)) == NULL)
		return;
	(void)chan_link_flush(&c->link, kp, now);
	if (must && c->counters.tx_packets == before)
		(void)chan_link_keepalive(&c->link, kp, now);
}

/*
 * A response to our initiation. hs_consume_response leaves the handshake
 * as it was on failure, so a forged response cannot spoil the real one
 * still to come.
 */
static int
cli_response(struct chan_client *c, const uint8_t *pkt, size_t len,
    uint64_t now)
{
	struct hs_keys		 keys;
	uint8_t			 payload[LN_MAX_HS_PAYLOAD];
	size_t			 plen;
	Lnsh__Welcome		*welcome = NULL;
	struct keypair		*kp;
	int			 r, resumed;

	memset(&keys, 0, sizeof keys);
	r = hs_consume_response(&c->hs, c->hs_index, c->mac1_key, pkt, len,
	    payload, sizeof payload, &plen, &keys);
	if (r != 0)
		goto out;
	welcome = lnsh__welcome__unpack(NULL, plen, payload);
	if (welcome == NULL) {
		r = LN_E_DROP(LN_DROP_MESSAGE);
		goto out;
	}
	resumed = welcome->resumed;
	c->closes = welcome->closes;

	kp = xcalloc(1, sizeof *kp);
	keypair_init(kp, &keys, 1, now);
	cli_kp_free(c->previous);
	c->previous = c->current;
	c->current = kp;
	noise_wipe(&c->hs);
	c->hs_index = 0;
	c->state = CLI_ESTABLISHED;
	c->last_heard_ns = now;
	c->counters.handshakes++;
	/*
	 * Not resumed after an earlier session: the server forgot us, so
	 * what was in flight both ways is gone and numbering starts over.
	 * On the first handshake there is nothing to forget, and reliable
	 * messages queued before it must survive.
	 */
	if (!resumed && c->ever_connected)
		chan_link_restart(&c->link);
	c->ever_connected = 1;
	if (c->ops.connected != NULL)
		c->ops.connected(c->ctx, resumed);
	cli_flush(c, now, 1);
	r = 0;
out:
	if (welcome != NULL)
		lnsh__welcome__free_unpacked(welcome, NULL);
	sodium_memzero(&keys, sizeof keys);
	return (r);
}

/*
 * A cookie reply: the server is under load and wants our initiations to
 * carry mac2 keyed by this cookie. Once it is ours the initiation is sent
 * again at once, with mac2, unless we did so for a cookie less than
 * LN_REKEY_TIMEOUT_NS ago: then it waits for the resend timer. So a
 * forged reply (someone on the path can make one: it needs only the
 * server's public key and our mac1) makes us send at most one initiation
 * more per second, and a cookie gone stale (the server's secret moved on,
 * or we moved to another source port) costs one round trip, not a resend
 * period.
 */
static int
cli_cookie(struct chan_client *c, const uint8_t *pkt, size_t len,
    uint64_t now)
{
	int	r;

	if ((r = cookie_consume_reply(&c->cookie, pkt, len, now)) != 0)
		return (r);
	c->counters.cookies++;
	if (c->cookie_resent && now - c->cookie_resend_ns < LN_REKEY_TIMEOUT_NS)
		return (0);
	c->cookie_resent = 1;
	c->cookie_resend_ns = now;
	(void)cli_initiate(c, now);
	return (0);
}

/* Hands a message rel delivered to the caller. */
static void
cli_deliver(void *arg, const uint8_t *msg, size_t len, int reliable)
{
	struct chan_client	*c = arg;

	c->counters.messages_in++;
	if (c->ops.message != NULL)
		c->ops.message(c->ctx, msg, len, reliable);
}

/* A transport packet from the server, under current or previous keys. */
static int
cli_transport(struct chan_client *c, const uint8_t *pkt, size_t len,
    uint64_t now)
{
	uint8_t		 plain[LN_MAX_PLAINTEXT];
	struct keypair	*kp;
	uint32_t	 idx;
	size_t		 plen;
	int		 r;

	if ((r = transport_index(pkt, len, &idx)) != 0)
		return (r);
	if (c->current != NULL && c->current->local_index == idx)
		kp = c->current;
	else if (c->previous != NULL && c->previous->local_index == idx)
		kp = c->previous;
	else
		return (LN_E_DROP(LN_DROP_UNKNOWN_INDEX));
	r = transport_open(kp, pkt, len, now, c->cfg.reject_after_ns, plain,
	    sizeof plain, &plen);
	if (r != 0)
		return (r);
	c->last_heard_ns = now;
	r = chan_link_input(&c->link, plain, plen, now, cli_deliver, c);
	cli_flush(c, now, 0);
	return (r);
}

/*
 * Creates a client for one server. The user is the account on the server
 * to be served as. Nothing is sent until chan_client_connect.
 */
struct chan_client *
chan_client_new(const struct chan_config *cfg, const uint8_t *client_sk,
    const uint8_t *server_pk, const char *user,
    const struct chan_client_ops *ops, void *ctx)
{
	struct chan_client	*c;
	uint8_t			 pk[LN_KEY_LEN];

	if (user == NULL || *user == '\0')
		return (NULL);
	c = xcalloc(1, sizeof *c);
	chan_config_fill(&c->cfg, cfg);
	memcpy(c->sk, client_sk, LN_KEY_LEN);
	if (noise_pubkey(c->sk, pk) != 0) {
		sodium_memzero(c->sk, sizeof c->sk);
		free(c);
		return (NULL);
	}
	hs_mac1_key(pk, c->mac1_key);
	memcpy(c->server_pk, server_pk, LN_KEY_LEN);
	cookie_maker_init(&c->cookie, server_pk);
	c->user = xstrdup(user);
	c->ops = *ops;
	c->ctx = ctx;
	do
		randombytes_buf(&c->conn_id, sizeof c->conn_id);
	while (c->conn_id == 0);
	c->state = CLI_IDLE;
	chan_link_init(&c->link, &c->counters, c->cfg.reject_after_ns,
	    cli_emit, c);
	return (c);
}

/* Frees a client, wiping its keys. */
void
chan_client_free(struct chan_client *c)
{
	if (c == NULL)
		return;
	cli_kp_free(c->current);
	cli_kp_free(c->previous);
	noise_wipe(&c->hs);
	cookie_maker_wipe(&c->cookie);
	chan_link_free(&c->link);
	sodium_memzero(c->sk, sizeof c->sk);
	free(c->user);
	free(c);
}

/*
 * Starts a handshake now (the first, or a fresh one at the caller's
 * wish); it is resent by chan_client_tick until a response arrives.
 */
int
chan_client_connect(struct chan_client *c, uint64_t now)
{
	return (cli_initiate(c, now));
}

/*
 * One datagram from the server. Anything not accepted is counted under
 * its reason and gets no reply.
 */
void
chan_client_input(struct chan_client *c, const uint8_t *pkt, size_t len,
    uint64_t now)
{
	uint8_t	type = 0;
	int	r;

	c->counters.rx_packets++;
	c->counters.rx_bytes += len;
	r = chan_classify(pkt, len, cli_rules,
	    sizeof cli_rules / sizeof cli_rules[0], c->state, &type);
	if (r == 0) {
		switch (type) {
		case LN_PKT_RESPONSE:
			r = cli_response(c, pkt, len, now);
			/* A refusal that is no drop reason is still one. */
			if (r < 0 && !LN_E_IS_DROP(r))
				r = LN_E_DROP(LN_DROP_HANDSHAKE);
			break;
		case LN_PKT_COOKIE_REPLY:
			r = cli_cookie(c, pkt, len, now);
			if (r < 0 && !LN_E_IS_DROP(r))
				r = LN_E_DROP(LN_DROP_HANDSHAKE);
			break;
		case LN_PKT_TRANSPORT:
			r = cli_transport(c, pkt, len, now);
			if (r < 0 && !LN_E_IS_DROP(r))
				r = LN_E_DROP(LN_DROP_DECRYPT);
			break;
		}
	}
	ln_count(&c->counters, r);
}

/*
 * Sends a message to the server. Reliable messages wait in the queue while
 * there is no usable key pair; an unreliable one then fails (LN_E_STATE).
 */
int
chan_client_send(struct chan_client *c, const uint8_t *msg, size_t len,
    int flags, uint64_t now)
{
	int	r;

	cli_expire(c, now);
	r = chan_link_send(&c->link, cli_send_kp(c, now), msg, len, flags,
	    now);
	cli_maybe_rekey(c, now);
	return (r);
}

/* Runs every timer due by now; returns the next deadline (monotonic ns). */
uint64_t
chan_client_tick(struct chan_client *c, uint64_t now)
{
	struct keypair	*kp;
	uint64_t	 next = UINT64_MAX, due;

	if (c->state == CLI_IDLE)
		return (next);
	cli_expire(c, now);
	frag_expire(&c->link.frag, now);
	cli_maybe_rekey(c, now);
	if ((c->state == CLI_CONNECTING || c->state == CLI_REKEYING) &&
	    now >= c->hs_retry_ns)
		(void)cli_initiate(c, now);
	cli_flush(c, now, 0);
	kp = cli_send_kp(c, now);
	if (kp != NULL && c->cfg.keepalive_ns != 0 &&
	    now - c->link.last_sent_ns >= c->cfg.keepalive_ns)
		(void)chan_link_keepalive(&c->link, kp, now);

	if (c->state == CLI_CONNECTING || c->state == CLI_REKEYING)
		next = ln_min(next, c->hs_retry_ns);
	if (c->state == CLI_ESTABLISHED && c->current != NULL) {
		/* Rekey when due, but not sooner than the last one allows. */
		due = c->current->created_ns + c->cfg.rekey_after_ns;
		if (due < c->hs_sent_ns + LN_REKEY_TIMEOUT_NS)
			due = c->hs_sent_ns + LN_REKEY_TIMEOUT_NS;
		next = ln_min(next, due);
	}
	if (c->current != NULL)
		next = ln_min(next, c->current->created_ns +
		    c->cfg.reject_after_ns);
	if (c->previous != NULL)
		next = ln_min(next, c->previous->created_ns +
		    c->cfg.reject_after_ns);
	if (kp != NULL && c->cfg.keepalive_ns != 0)
		next = ln_min(next,
		    c->link.last_sent_ns + c->cfg.keepalive_ns);
	return (ln_min(next, chan_link_deadline(&c->link, kp != NULL)));
}

/* Is there a key pair we can send under? */
int
chan_client_connected(const struct chan_client *c)
{
	return ((c->state == CLI_ESTABLISHED || c->state == CLI_REKEYING) &&
	    c->current != NULL);
}

/* Does the server forget a connection on a CloseRequest (Welcome.closes)? */
int
chan_client_closes(const struct chan_client *c)
{
	return (c->closes);
}

/* When the last authenticated packet from the server arrived; 0: never. */
uint64_t
chan_client_last_heard(const struct chan_client *c)
{
	return (c->last_heard_ns);
}

/*
 * Sends a keepalive now, so the server learns our (new) address; the
 * program calls it after moving to a fresh socket.
 */
int
chan_client_keepalive(struct chan_client *c, uint64_t now)
{
	cli_expire(c, now);
	return (chan_link_keepalive(&c->link, cli_send_kp(c, now), now));
}

/*
 * Acknowledges what has arrived now rather than after the delayed-ack
 * timer (LN_REL_ACK_DELAY_NS): a client about to exit (lnsh ls, once its
 * Reply is in) tells the server at once, so the server stops resending
 * and the client need not wait 15 ms to say so.
 */
void
chan_client_ack_now(struct chan_client *c, uint64_t now)
{
	cli_expire(c, now);
	rel_ack_soon(&c->link.rel, now);
	cli_flush(c, now, 0);
}

/*
 * For tests (tests/replyflood.c) only: from now on the client's envelopes
 * acknowledge nothing it received, as a client that asks and never reads
 * its answers would; the server still acknowledges what the client sends.
 */
void
chan_client_mute_acks(struct chan_client *c)
{
	c->link.rel.mute_acks = 1;
}

/* What the client has seen. */
const struct ln_counters *
chan_client_counters(const struct chan_client *c)
{
	return (&c->counters);
}
