/*
 * proto.h: the lnsh wire library (proto/), prototypes grouped by file.
 *
 * Conventions (see ../docs/hacking.md):
 * - fallible functions return 0 or a negative LN_E_* code and write their
 *   outputs only on success;
 * - a receive-path function that rejects input returns LN_E_DROP(reason),
 *   and the caller counts the reason (ln_count());
 * - time is always a monotonic clock in nanoseconds passed in as `now`, so
 *   every module is testable without sleeping;
 * - untrusted bytes are read only through struct buf.
 */
#ifndef LNSH_PROTO_H
#define LNSH_PROTO_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/* Error codes. */
enum ln_err {
	LN_OK = 0,
	LN_E_INVAL = -1,	/* bad argument from the caller */
	LN_E_NOSPACE = -2,	/* output buffer too small */
	LN_E_FULL = -3,		/* queue or window full: try again later */
	LN_E_CRYPTO = -4,	/* a primitive refused (e.g. low-order point) */
	LN_E_STATE = -5,	/* call not valid in this state */
	LN_E_SYSTEM = -6,	/* a system call failed; errno says why */
};
#define LN_E_DROP_BASE		1000
#define LN_E_DROP(reason)	(-(LN_E_DROP_BASE + (int)(reason)))
#define LN_E_IS_DROP(e)		((e) <= -LN_E_DROP_BASE)
#define LN_E_DROP_REASON(e)	((enum ln_drop)(-(e) - LN_E_DROP_BASE))

/* What one endpoint has seen; tests and `lnshd status` read it. */
struct ln_counters {
	uint64_t	drop[LN_DROP_MAX];
	uint64_t	rx_packets;
	uint64_t	tx_packets;
	uint64_t	rx_bytes;
	uint64_t	tx_bytes;
	uint64_t	handshakes;	/* completed */
	uint64_t	messages_in;	/* delivered to the layer above */
	uint64_t	messages_out;	/* handed to us by the layer above */
	uint64_t	retransmits;
	uint64_t	cookies;	/* cookie replies sent / accepted */
};

/* An address a datagram came from or goes to. */
struct chan_addr {
	struct sockaddr_storage	ss;
	socklen_t		len;
};

/* err.c */
const char	*ln_strerror(int);
const char	*ln_drop_name(enum ln_drop);
const char	*ln_fs_hint(int);
void		 ln_count(struct ln_counters *, int);
uint64_t	 ln_drops_total(const struct ln_counters *);

/* names.c: (name, &why): 0, or LN_E_INVAL with why, static text. */
int		 ln_session_name_check(const char *, const char **);

/* xmalloc.c: allocation that aborts on failure, as tmux and OpenSSH do. */
void		*xmalloc(size_t);
void		*xcalloc(size_t, size_t);
void		*xreallocarray(void *, size_t, size_t);
char		*xstrdup(const char *);
void		*xmemdup(const void *, size_t);

/* termtext.c: text from a peer, a session or a file, made safe to show. */
#define TT_DROP		0x1		/* controls removed, not shown as '?' */
#define TT_REPLACEMENT	0xfffd		/* what ill-formed UTF-8 becomes */
size_t		 tt_clean(char *, size_t, const void *, size_t, int);
char		*tt_dup(const void *, size_t, int);
void		 tt_clean_str(char *, size_t);

/* buf.c: the one bounded buffer that untrusted bytes pass through. */
struct buf {
	uint8_t		*data;
	size_t		 size;	/* bytes readable (reader) or capacity (writer) */
	size_t		 off;	/* next byte to read or write */
	int		 err;	/* sticky: once set, every call fails */
};
void		 buf_reader(struct buf *, const void *, size_t);
void		 buf_writer(struct buf *, void *, size_t);
size_t		 buf_left(const struct buf *);
size_t		 buf_used(const struct buf *);
int		 buf_get_u8(struct buf *, uint8_t *);
int		 buf_get_u16le(struct buf *, uint16_t *);
int		 buf_get_u32le(struct buf *, uint32_t *);
int		 buf_get_u64le(struct buf *, uint64_t *);
int		 buf_get_bytes(struct buf *, void *, size_t);
const uint8_t	*buf_get_ptr(struct buf *, size_t);
const uint8_t	*buf_get_rest(struct buf *, size_t *);
int		 buf_put_u8(struct buf *, uint8_t);
int		 buf_put_u16le(struct buf *, uint16_t);
int		 buf_put_u32le(struct buf *, uint32_t);
int		 buf_put_u64le(struct buf *, uint64_t);
int		 buf_put_bytes(struct buf *, const void *, size_t);
uint8_t		*buf_put_ptr(struct buf *, size_t);

/* clock.c */
uint64_t	 ln_now_ns(void);	/* elapsed, sleep included */
uint64_t	 ln_wall_ns(void);	/* CLOCK_REALTIME, for timestamps only */
uint64_t	 ln_min(uint64_t, uint64_t);
struct timeval;
void		 ln_ns_timeval(uint64_t, struct timeval *);
uint64_t	 ln_test_env_ns(const char *, uint64_t, unsigned long,
		     unsigned long);
int		 ln_wait_ms(uint64_t, uint64_t);	/* (now, deadline) */

/* utf8.c */
size_t		 ln_utf8_decode(const uint8_t *, size_t, uint32_t *);
size_t		 ln_utf8_skip(const uint8_t *, size_t);

/* noise.c: the Noise framework for 25519_ChaChaPoly_BLAKE2b. */
enum noise_pattern {
	NOISE_NN,
	NOISE_NNPSK0,
	NOISE_IK,
	NOISE_XX,
	NOISE_XXPSK3,
};
enum noise_role {
	NOISE_INITIATOR,
	NOISE_RESPONDER,
};
struct noise_cipher {
	uint8_t		k[LN_KEY_LEN];
	uint64_t	n;
	int		has_key;
};
struct noise_handshake {
	enum noise_pattern	pattern;
	enum noise_role		role;
	struct noise_cipher	cs;
	uint8_t			ck[LN_HASH_LEN];
	uint8_t			h[LN_HASH_LEN];
	uint8_t			s_priv[LN_KEY_LEN], s_pub[LN_KEY_LEN];
	uint8_t			e_priv[LN_KEY_LEN], e_pub[LN_KEY_LEN];
	uint8_t			rs[LN_KEY_LEN], re[LN_KEY_LEN];
	uint8_t			psk[LN_KEY_LEN];
	int			has_s, has_e, has_rs, has_re;
	int			msg_index;	/* next message of the pattern */
};
int	 noise_init(struct noise_handshake *hs, enum noise_pattern pattern,
	     enum noise_role role, const uint8_t *prologue, size_t prologue_len,
	     const uint8_t *s_priv, const uint8_t *rs, const uint8_t *psk);
int	 noise_init_pub(struct noise_handshake *hs, enum noise_pattern pattern,
	     enum noise_role role, const uint8_t *prologue, size_t prologue_len,
	     const uint8_t *s_priv, const uint8_t *s_pub, const uint8_t *rs,
	     const uint8_t *psk);
void	 noise_set_ephemeral(struct noise_handshake *, const uint8_t *);
int	 noise_write(struct noise_handshake *hs, const uint8_t *payload,
	     size_t plen, uint8_t *out, size_t cap, size_t *outlen);
int	 noise_read(struct noise_handshake *hs, const uint8_t *msg, size_t len,
	     uint8_t *payload, size_t pcap, size_t *plen);
int	 noise_done(const struct noise_handshake *);
int	 noise_split(struct noise_handshake *, struct noise_cipher *,
	     struct noise_cipher *);
void	 noise_wipe(struct noise_handshake *);
int	 noise_encrypt(struct noise_cipher *cs, const uint8_t *ad, size_t adlen,
	     const uint8_t *in, size_t inlen, uint8_t *out, size_t cap,
	     size_t *outlen);
int	 noise_decrypt(struct noise_cipher *cs, const uint8_t *ad, size_t adlen,
	     const uint8_t *in, size_t inlen, uint8_t *out, size_t cap,
	     size_t *outlen);
int	 noise_seal(const uint8_t *key, uint64_t n, const uint8_t *ad,
	     size_t adlen, const uint8_t *in, size_t inlen, uint8_t *out);
int	 noise_open(const uint8_t *key, uint64_t n, const uint8_t *ad,
	     size_t adlen, const uint8_t *in, size_t inlen, uint8_t *out);
void	 noise_hash(const uint8_t *, size_t, const uint8_t *, size_t,
	     uint8_t *);
int	 noise_keypair(uint8_t *, uint8_t *);
int	 noise_pubkey(const uint8_t *, uint8_t *);
uint64_t noise_x25519_count(void);

/* replay.c: sliding replay window, RFC 6479. */
struct replay {
	uint64_t	top;	/* highest counter accepted + 1; 0: none yet */
	uint64_t	bits[LN_REPLAY_WINDOW / 64];
};
void	 replay_init(struct replay *);
int	 replay_check(const struct replay *, uint64_t);
void	 replay_accept(struct replay *, uint64_t);

/* frag.c: splitting messages into fragment frames and reassembling them. */
struct frag_slot;
struct frag_asm {
	struct frag_slot	*slots[LN_FRAG_SLOTS];
	size_t			 held;		/* bytes held, <= LN_FRAG_BUDGET */
	uint64_t		 done[LN_FRAG_DONE]; /* ids lately completed */
	unsigned		 ndone;		/* completions so far */
	struct ln_counters	*counters;	/* evictions and timeouts */
};
size_t	 frag_count(size_t);
int	 frag_build(uint64_t msg_id, const uint8_t *msg, size_t len,
	     unsigned index, uint8_t *out, size_t cap, size_t *outlen);
void	 frag_init(struct frag_asm *, struct ln_counters *);
int	 frag_input(struct frag_asm *a, const uint8_t *frame, size_t len,
	     uint64_t now, uint8_t **msg, size_t *msglen);
void	 frag_expire(struct frag_asm *, uint64_t);
uint64_t frag_deadline(const struct frag_asm *);
void	 frag_free(struct frag_asm *);

/* rel.c: reliable, ordered, exactly-once messages over the lossy channel. */
typedef void (*rel_deliver_fn)(void *, const uint8_t *, size_t, int);
struct rel_out;
struct rel_in;
struct rel {
	uint64_t	 next_seq;	/* next sequence number to assign */
	uint64_t	 peer_acked;	/* the peer holds every seq <= this */
	uint64_t	 delivered;	/* we delivered every seq <= this */
	struct rel_out	*out;		/* LN_REL_WINDOW unacked messages */
	struct rel_in	*in;		/* out-of-order arrivals held */
	size_t		 out_bytes;	/* bodies of the unacked in out */
	int		 mute_acks;	/* tests: acknowledge nothing */
	int		 ack_due;
	uint64_t	 ack_due_ns;
	/* RTT (RFC 6298) from the peer's echoes of our timestamps. */
	int		 have_rtt;
	uint64_t	 srtt_ns, rttvar_ns, rto_ns;
	uint32_t	 peer_ts;	/* last timestamp of the peer's */
	uint64_t	 peer_ts_ns;	/* when it arrived */
	uint32_t	 peer_newest;	/* newest timestamp of the peer's */
	uint32_t	 echo_seen;	/* newest echo of ours sampled */
	uint32_t	 stale_ts;	/* newest timestamp we sent again */
	/* Loss detection and congestion window (RFC 5681, 6675). */
	uint64_t	 xmit;		/* transmissions so far */
	uint64_t	 rack_xmit;	/* latest transmission known to arrive */
	uint64_t	 rack_sent_ns;	/* and when it was sent */
	uint64_t	 recover;	/* in recovery while peer_acked < this */
	unsigned	 cwnd, ssthresh, cwnd_acc; /* in fragments */
	struct ln_counters *counters;
};
void	 rel_init(struct rel *, struct ln_counters *);
void	 rel_reset(struct rel *);
void	 rel_free(struct rel *);
int	 rel_queue(struct rel *, const uint8_t *, size_t);
int	 rel_next(struct rel *, uint64_t, uint8_t **, size_t *, uint64_t *);
int	 rel_wrap(struct rel *r, uint64_t now, const uint8_t *body, size_t len,
	     uint8_t **env, size_t *envlen);
int	 rel_input(struct rel *r, const uint8_t *env, size_t len, uint64_t now,
	     rel_deliver_fn deliver, void *ctx);
void	 rel_ack_soon(struct rel *, uint64_t);
uint64_t rel_deadline(const struct rel *);
size_t	 rel_unacked(const struct rel *);
size_t	 rel_unacked_bytes(const struct rel *);

/* ratelimit.c: token buckets for handshake initiations. */
struct ratelimit {
	uint64_t	tokens;		/* in nanotokens */
	uint64_t	last_ns;
	unsigned	per_sec, burst;
};
void	 ratelimit_init(struct ratelimit *, unsigned, unsigned, uint64_t);
int	 ratelimit_allow(struct ratelimit *, uint64_t);
void	 ratelimit_refund(struct ratelimit *, uint64_t);

/* handshake.c: the IK initiation and response packets, mac1. */
/* The session keys a handshake ends with, IK's or pairing's XXpsk3. */
struct hs_keys {
	uint8_t		send[LN_KEY_LEN];
	uint8_t		recv[LN_KEY_LEN];
	uint32_t	local_index;
	uint32_t	remote_index;
	uint8_t		remote_static[LN_KEY_LEN];
};
void	 hs_label_key(const char *, const uint8_t *, uint8_t *);
void	 hs_mac1_key(const uint8_t *, uint8_t *);
/* The framing that the pairing packets (pairing.c) share. */
int	 hs_mac1_check(const uint8_t *, const uint8_t *, size_t);
int	 hs_put_header_v(struct buf *, uint8_t, uint8_t);
int	 hs_put_header(struct buf *, uint8_t);
int	 hs_get_header_v(struct buf *, uint8_t, uint8_t, uint8_t, uint8_t *);
int	 hs_get_header(struct buf *, uint8_t);
int	 hs_put_mac1(struct buf *, const uint8_t *, const uint8_t *);
int	 hs_put_noise(struct buf *, struct noise_handshake *, const uint8_t *,
	     size_t, size_t);
int	 hs_expects(const struct noise_handshake *, enum noise_pattern,
	     enum noise_role, int);
int	 hs_split(struct noise_handshake *, uint8_t *, uint8_t *, uint8_t *);
int	 hs_read_last(struct noise_handshake *hs, const uint8_t *msg,
	     size_t msglen, uint8_t *payload, size_t pcap, size_t *plen,
	     uint8_t *send, uint8_t *recv, uint8_t *remote_static);
int	 hs_write_last(struct noise_handshake *hs, struct buf *w,
	     const uint8_t *start, const uint8_t *mac1_key,
	     const uint8_t *payload, size_t plen, size_t msglen, uint8_t *send,
	     uint8_t *recv, uint8_t *remote_static);
int	 hs_initiation(struct noise_handshake *hs, const uint8_t *client_sk,
	     const uint8_t *server_pk, uint32_t sender_index,
	     const uint8_t *payload, size_t plen, uint8_t *out, size_t cap,
	     size_t *outlen);
int	 hs_initiation_cookie(struct noise_handshake *hs,
	     const uint8_t *client_sk, const uint8_t *server_pk,
	     uint32_t sender_index, const uint8_t *payload, size_t plen,
	     const uint8_t *cookie, uint8_t *out, size_t cap, size_t *outlen);
int	 hs_initiation_fields(const uint8_t *, size_t, uint32_t *,
	     const uint8_t **);
int	 hs_mac2_check(const uint8_t *, const uint8_t *, size_t);
int	 hs_check_initiation(const uint8_t *, const uint8_t *, size_t);
int	 hs_consume_initiation(struct noise_handshake *hs_out,
	     const uint8_t *server_sk, const uint8_t *server_pk,
	     const uint8_t *server_mac1_key, const uint8_t *pkt, size_t len,
	     uint32_t *sender_index, uint8_t *client_pk_out, uint8_t *payload,
	     size_t pcap, size_t *plen);
int	 hs_response(struct noise_handshake *hs, uint32_t sender_index,
	     uint32_t receiver_index, const uint8_t *client_pk,
	     const uint8_t *payload, size_t plen, uint8_t *out, size_t cap,
	     size_t *outlen, struct hs_keys *keys);
int	 hs_consume_response(struct noise_handshake *hs,
	     uint32_t expected_local_index, const uint8_t *client_mac1_key,
	     const uint8_t *pkt, size_t len, uint8_t *payload, size_t pcap,
	     size_t *plen, struct hs_keys *keys);

/* cookie.c: cookie replies and mac2, the server's defence under load. */
struct cookie_checker {
	uint8_t		 secret[LN_KEY_LEN];
	uint64_t	 secret_ns;	/* when drawn */
	int		 have_secret;
	uint64_t	 rotations;	/* secrets drawn */
	uint8_t		 enc_key[LN_KEY_LEN];
	uint8_t		 src_key[16];	/* crypto_shorthash_KEYBYTES */
	struct ratelimit sources[LN_COOKIE_SOURCES];
};
struct cookie_maker {
	uint8_t		 cookie[LN_COOKIE_LEN];
	uint64_t	 cookie_ns;	/* when received */
	int		 have_cookie;
	uint8_t		 last_mac1[LN_MAC_LEN];	/* of the initiation out */
	uint32_t	 last_index;
	int		 awaiting;	/* a reply to it is still accepted */
	uint8_t		 dec_key[LN_KEY_LEN];
};
void	 cookie_checker_init(struct cookie_checker *, const uint8_t *);
void	 cookie_checker_wipe(struct cookie_checker *);
int	 cookie_make(struct cookie_checker *, const struct chan_addr *,
	     uint64_t, uint8_t *);
int	 cookie_check_mac2(struct cookie_checker *, const uint8_t *, size_t,
	     const struct chan_addr *, uint64_t);
int	 cookie_reply(struct cookie_checker *cc, const uint8_t *pkt, size_t len,
	     const struct chan_addr *from, uint64_t now, uint8_t *out,
	     size_t cap, size_t *outlen);
struct ratelimit *cookie_source(struct cookie_checker *,
	     const struct chan_addr *, uint64_t);
void	 cookie_maker_init(struct cookie_maker *, const uint8_t *);
void	 cookie_maker_wipe(struct cookie_maker *);
const uint8_t *cookie_maker_get(const struct cookie_maker *, uint64_t);
void	 cookie_maker_sent(struct cookie_maker *, const uint8_t *, size_t);
int	 cookie_consume_reply(struct cookie_maker *, const uint8_t *, size_t,
	     uint64_t);

/* transport.c: transport packets under one key pair. */
struct keypair {
	uint8_t		send_key[LN_KEY_LEN];
	uint8_t		recv_key[LN_KEY_LEN];
	uint32_t	local_index;
	uint32_t	remote_index;
	uint64_t	send_counter;
	struct replay	replay;
	uint64_t	created_ns;
	int		initiator;
};
void	 keypair_init(struct keypair *, const struct hs_keys *, int, uint64_t);
void	 keypair_wipe(struct keypair *);
int	 transport_index(const uint8_t *, size_t, uint32_t *);
int	 transport_seal(struct keypair *kp, const uint8_t *pt, size_t ptlen,
	     uint64_t now, uint64_t reject_after_ns, uint8_t *out, size_t cap,
	     size_t *outlen);
int	 transport_open(struct keypair *kp, const uint8_t *pkt, size_t len,
	     uint64_t now, uint64_t reject_after_ns, uint8_t *pt, size_t cap,
	     size_t *ptlen);

/* channel.c: client and server endpoints, sans I/O. */
#define CHAN_RELIABLE	0x1

struct chan_config {
	uint64_t	rekey_after_ns;		/* 0: LN_REKEY_AFTER_NS */
	uint64_t	reject_after_ns;	/* 0: LN_REJECT_AFTER_NS */
	uint64_t	keepalive_ns;		/* 0: no keepalives */
	uint64_t	peer_idle_ns;		/* 0: LN_PEER_IDLE_NS */
	unsigned	init_global_per_sec;	/* 0: LN_INIT_GLOBAL_PER_SEC */
	unsigned	init_per_key_per_sec;	/* 0: LN_INIT_PER_KEY_PER_SEC */
	unsigned	init_load_per_sec;	/* 0: LN_INIT_LOAD_PER_SEC */
	uint64_t	(*wall_ns)(void *);	/* NULL: ln_wall_ns() */
};

struct chan_peer;
struct chan_server;
struct chan_client;

struct chan_server_ops {
	/* Put a datagram on the wire to an address. */
	void	(*send)(void *, const struct chan_addr *, const uint8_t *,
		    size_t);
	/* Is this client key admitted for this user? 0: yes. */
	int	(*authorize)(void *, const uint8_t *, const char *);
	/* A client connection appeared, or went away for good. */
	void	(*connect)(void *, struct chan_peer *);
	void	(*disconnect)(void *, struct chan_peer *);
	/* A whole message arrived from a peer. */
	void	(*message)(void *, struct chan_peer *, const uint8_t *, size_t,
		    int);
	/*
	 * Optional: an initiation of (key, user) was refused, its timestamp
	 * this many ns older than the last accepted (LN_INIT_STALE_NS).
	 */
	void	(*stale)(void *, const uint8_t *, const char *, uint64_t);
	/*
	 * Optional: the last accepted timestamp of a client key from before
	 * this server existed (a restart), 0 for none; asked once per key.
	 */
	uint64_t (*stamp_get)(void *, const uint8_t *);
	/*
	 * Optional: an initiation of this key with this timestamp was
	 * accepted; called before the response is sent.
	 */
	void	(*stamp_put)(void *, const uint8_t *, uint64_t);
	/*
	 * Optional: a handshake that passed every check would make a new
	 * connection for this key; 0 admits it (the caller may first drop
	 * another peer with chan_server_drop to make room), else refused.
	 */
	int	(*admit)(void *, const uint8_t *, uint64_t);
	/*
	 * Optional: a connection's address changed (its newest packet came
	 * from elsewhere: roaming), or, with handshake set, a handshake of
	 * an existing connection was accepted (resumed), from the peer's
	 * address; for logs.
	 */
	void	(*moved)(void *, struct chan_peer *, int);
};

struct chan_client_ops {
	void	(*send)(void *, const uint8_t *, size_t);
	void	(*message)(void *, const uint8_t *, size_t, int);
	/* Handshake completed (resumed: the server kept our state). */
	void	(*connected)(void *, int);
};

struct chan_server *chan_server_new(const struct chan_config *,
	     const uint8_t *, const struct chan_server_ops *, void *);
void	 chan_server_free(struct chan_server *);
void	 chan_server_input(struct chan_server *, const uint8_t *, size_t,
	     const struct chan_addr *, uint64_t);
int	 chan_server_send(struct chan_server *srv, struct chan_peer *peer,
	     const uint8_t *msg, size_t len, int flags, uint64_t now);
uint64_t chan_server_tick(struct chan_server *, uint64_t);
void	 chan_server_close(struct chan_server *, struct chan_peer *);
void	 chan_server_drop(struct chan_server *, struct chan_peer *);
struct chan_peer *chan_server_oldest(struct chan_server *);
struct chan_peer *chan_peer_newer(struct chan_peer *);
uint64_t chan_peer_last_rx(const struct chan_peer *);
const struct ln_counters *chan_server_counters(const struct chan_server *);
int	 chan_server_under_load(const struct chan_server *, uint64_t);
const struct chan_addr *chan_peer_addr(const struct chan_peer *);
const uint8_t *chan_peer_key(const struct chan_peer *);
const char *chan_peer_user(const struct chan_peer *);
uint64_t chan_peer_connection_id(const struct chan_peer *);
size_t	 chan_peer_unacked_bytes(const struct chan_peer *);
void	*chan_peer_data(const struct chan_peer *);
void	 chan_peer_set_data(struct chan_peer *, void *);

struct chan_client *chan_client_new(const struct chan_config *cfg,
	     const uint8_t *client_sk, const uint8_t *server_pk,
	     const char *user, const struct chan_client_ops *ops, void *ctx);
void	 chan_client_free(struct chan_client *);
int	 chan_client_connect(struct chan_client *, uint64_t);
void	 chan_client_input(struct chan_client *, const uint8_t *, size_t,
	     uint64_t);
int	 chan_client_send(struct chan_client *, const uint8_t *, size_t, int,
	     uint64_t);
uint64_t chan_client_tick(struct chan_client *, uint64_t);
int	 chan_client_connected(const struct chan_client *);
int	 chan_client_closes(const struct chan_client *);
uint64_t chan_client_last_heard(const struct chan_client *);
int	 chan_client_keepalive(struct chan_client *, uint64_t);
void	 chan_client_ack_now(struct chan_client *, uint64_t);
void	 chan_client_mute_acks(struct chan_client *);
const struct ln_counters *chan_client_counters(const struct chan_client *);

/*
 * The per-connection machinery both endpoints share (channel.c): messages
 * are wrapped by rel, split by frag, sealed under a key pair and handed to
 * emit. Internal to channel.c, chan-server.c and chan-client.c.
 */
struct chan_link {
	struct rel		 rel;
	struct frag_asm		 frag;
	uint64_t		 id_base;	/* even; reliable seq s: + 2s */
	uint64_t		 next_unrel;	/* unreliable k: id_base + 2k + 1 */
	uint64_t		 reject_after_ns;
	uint64_t		 last_sent_ns;
	struct ln_counters	*counters;
	void			(*emit)(void *, const uint8_t *, size_t);
	void			*emit_arg;
};
/* Which packet types an endpoint accepts in which of its states. */
struct chan_rule {
	uint8_t		type;		/* LN_PKT_* */
	unsigned	states;		/* bit mask of the endpoint's states */
};
void	 chan_config_fill(struct chan_config *, const struct chan_config *);
int	 chan_classify(const uint8_t *pkt, size_t len,
	     const struct chan_rule *rules, size_t nrules, unsigned state,
	     uint8_t *type);
void	 chan_link_init(struct chan_link *, struct ln_counters *, uint64_t,
	     void (*)(void *, const uint8_t *, size_t), void *);
void	 chan_link_restart(struct chan_link *);
void	 chan_link_free(struct chan_link *);
int	 chan_kp_usable(const struct keypair *, uint64_t, uint64_t);
int	 chan_link_send(struct chan_link *l, struct keypair *kp,
	     const uint8_t *msg, size_t len, int flags, uint64_t now);
int	 chan_link_flush(struct chan_link *, struct keypair *, uint64_t);
int	 chan_link_keepalive(struct chan_link *, struct keypair *, uint64_t);
int	 chan_link_input(struct chan_link *l, const uint8_t *plain, size_t len,
	     uint64_t now, rel_deliver_fn fn, void *arg);
uint64_t chan_link_deadline(const struct chan_link *, int);

/*
 * keys.c: X25519 keys as text and in files, and the small text-file helpers
 * that every lnsh file parser shares (hosts, authorized_keys, lnshd.conf).
 * docs/files.md describes the formats for people.
 *
 * Text forms:
 *	public:  "lnsh-x25519 BASE64 [comment]"
 *	private: "lnsh-x25519-private BASE64"; a private key file may carry
 *		 the public line (with its comment) after it.
 * BASE64 is standard base64, padded, of the 32 key bytes: 44 characters.
 *
 * Functions that can fail for a reason a person must fix take `char
 * **cause`: on failure, when cause is not NULL, *cause is set to an
 * allocated one-line message (naming the file, and file:line when there is
 * one, and what to run) for the caller to print or log, then free. Parsers
 * of a single line instead set `const char **why` to a static description
 * of what was expected, for the caller to prefix with file:line. Secrets
 * never appear in either.
 */
#define LN_KEY_TYPE		"lnsh-x25519"
#define LN_KEY_TYPE_PRIVATE	"lnsh-x25519-private"
#define LN_KEY_B64_LEN		44	/* base64 of LN_KEY_LEN bytes, padded */
/* Longest public key line, NUL included. */
#define LN_KEY_TEXT_MAX		(sizeof LN_KEY_TYPE + LN_KEY_B64_LEN + 1 + \
				    LN_KEY_COMMENT_MAX + 1)
/* "BLAKE2B:" and unpadded base64 of a BLAKE2b-256 of the key; NUL incl. */
#define LN_FINGERPRINT_PREFIX	"BLAKE2B:"
#define LN_FINGERPRINT_LEN	(sizeof LN_FINGERPRINT_PREFIX + 43)

/* What ln_file_read checks on the file it opened (all: not a symlink). */
#define LN_FILE_PRIVATE		0x1	/* no group/world access at all */
#define LN_FILE_NO_OTHER_WRITE	0x2	/* no group/world write */
#define LN_FILE_OWNED		0x4	/* owner: the effective user or root */
#define LN_FILE_MISSING_OK	0x8	/* absent: success, *data NULL */
/* How ln_file_write replaces the file. */
#define LN_WRITE_NOCLOBBER	0x1	/* fail if the file already exists */

/* *cause = allocated printf message (no-op if cause is NULL). */
void	 ln_cause(char **, const char *, ...)
	     __attribute__((__format__(__printf__, 2, 3)));
/* (path, LN_FILE_* flags, &data, &len, cause): NUL-terminated, free it. */
int	 ln_file_read(const char *, int, uint8_t **, size_t *, char **);
/* (path, fd, &data, &len, cause): the rest of an open file, as above. */
int	 ln_fd_read(const char *, int, uint8_t **, size_t *, char **);
/* (path, data, len, mode, LN_WRITE_* flags, cause): atomic replace. */
int	 ln_file_write(const char *path, const void *data, size_t len,
	     mode_t mode, int flags, char **cause);
/* (dir, mode, cause): mkdir -p, new directories get mode. */
int	 ln_mkdir(const char *, mode_t, char **);
/* (buf, line, cap): 1 a line, 0 end, <0 bad line (skipped, go on). */
int	 ln_text_line(struct buf *, char *, size_t);
/* (text, host, hostcap, &port, default port, &why): ADDRESS[:PORT]. */
int	 ln_split_hostport(const char *s, char *host, size_t hostcap,
	     uint16_t *port, uint16_t defport, const char **why);
/* (priv, pub): a new pair, LN_KEY_LEN bytes each. */
int	 key_generate(uint8_t *, uint8_t *);
/* (priv, pub): pub from priv. */
int	 key_public(const uint8_t *, uint8_t *);
/* (key, out[LN_KEY_B64_LEN + 1]) and back (text, its length, key). */
void	 key_b64(const uint8_t *, char *);
int	 key_from_b64(const char *, size_t, uint8_t *);
/* (pub, comment or NULL, out, len): "lnsh-x25519 BASE64[ comment]". */
int	 key_format(const uint8_t *, const char *, char *, size_t);
/* (line, pub, comment[LN_KEY_COMMENT_MAX + 1] or NULL, &why). */
int	 key_parse(const char *, uint8_t *, char *, const char **);
/* (pub, out[LN_FINGERPRINT_LEN]): "BLAKE2B:..." for people. */
void	 key_fingerprint(const uint8_t *, char *);
/* (path, priv, comment, cause): new file 0600; never replaces one. */
int	 key_save_private(const char *, const uint8_t *, const char *,
	     char **);
/* (path, priv, pub, comment or NULL, cause): refused unless private. */
int	 key_load_private(const char *, uint8_t *, uint8_t *, char *,
	     char **);

/*
 * pairing.c: the pairing packets (Noise XXpsk3 with a one-time code as the
 * PSK), the code's text form and the keys derived from it. Sans I/O: the
 * server side's codes, limits and files are in server/pair.c. The layout is
 * in pairing.c and docs/protocol.md.
 */
#define PAIR_CODE_TEXT_MAX	(LN_PAIR_CODE_CHARS + \
				    LN_PAIR_CODE_CHARS / LN_PAIR_CODE_GROUP)
/* (out[PAIR_CODE_TEXT_MAX]): a new code "XXXX-XXXX-XXXX-XXXX-XXXX". */
void	 pair_code_new(char *);
/* (text, out[LN_PAIR_CODE_CHARS + 1]): canonical form, or LN_E_INVAL. */
int	 pair_code_normalise(const char *, char *);
/* (text, psk[LN_KEY_LEN]) and (psk, mac1 key[LN_KEY_LEN]). */
int	 pair_code_psk(const char *, uint8_t *);
void	 pair_mac1_key(const uint8_t *, uint8_t *);
int	 pair_packet_type(const uint8_t *, size_t);
int	 pair_packet_index(const uint8_t *, size_t, uint32_t *);
int	 pair_mac1_ok(const uint8_t *, size_t, const uint8_t *);
int	 pair_init(struct noise_handshake *hs, const uint8_t *client_sk,
	     const uint8_t *psk, const uint8_t *mkey, uint32_t sender_index,
	     uint8_t *out, size_t cap, size_t *outlen);
int	 pair_consume_init(struct noise_handshake *hs_out,
	     const uint8_t *server_sk, const uint8_t *psk, const uint8_t *mkey,
	     const uint8_t *pkt, size_t len, uint32_t *sender_index);
int	 pair_response(struct noise_handshake *hs, uint32_t sender_index,
	     uint32_t receiver_index, const uint8_t *mkey, uint8_t *out,
	     size_t cap, size_t *outlen);
int	 pair_consume_response(struct noise_handshake *hs,
	     uint32_t expected_index, const uint8_t *mkey, const uint8_t *pkt,
	     size_t len, uint32_t *server_index);
int	 pair_finish(struct noise_handshake *hs, uint32_t server_index,
	     const uint8_t *mkey, const uint8_t *payload, size_t plen,
	     uint8_t *out, size_t cap, size_t *outlen, struct hs_keys *keys);
int	 pair_consume_finish(struct noise_handshake *hs, uint32_t local_index,
	     const uint8_t *mkey, const uint8_t *pkt, size_t len,
	     uint8_t *payload, size_t pcap, size_t *plen, struct hs_keys *keys);
int	 pair_result(const struct hs_keys *keys, const uint8_t *payload,
	     size_t plen, uint8_t *out, size_t cap, size_t *outlen);
int	 pair_consume_result(const struct hs_keys *keys, const uint8_t *pkt,
	     size_t len, uint8_t *payload, size_t pcap, size_t *plen);

#endif /* LNSH_PROTO_H */
