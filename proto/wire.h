/*
 * wire.h: every constant and limit of the lnsh wire protocol, in one place.
 * docs/protocol.md describes the same numbers for people; change both.
 */
#ifndef LNSH_WIRE_H
#define LNSH_WIRE_H

/*
 * A limit as text, for a message that is one static string: "at most "
 * LN_STR(LN_SESSION_NAME_MAX). Only for limits that are plain numbers.
 */
#define LN_STR1(x)		#x
#define LN_STR(x)		LN_STR1(x)

/*
 * The clocks count nanoseconds, people and RTTs milliseconds and seconds:
 * every _NS limit below is spelt in these.
 */
#define LN_NS_PER_MS		1000000ULL
#define LN_NS_PER_SEC		1000000000ULL

/* Protocol version, carried in every packet's second byte. */
#define LN_PROTO_VERSION	1
/*
 * The cookie extension (proto/cookie.c, docs/protocol.md section 4.1):
 * an initiation that carries mac2, and the cookie reply, have version 2
 * in that byte; every other packet keeps version 1. A client sends
 * version 2 only to a server that sent it a cookie, so an older lnshd
 * never sees one.
 */
#define LN_PROTO_VERSION_COOKIE	2

/* The UDP port lnshd listens on and lnsh connects to by default. */
#define LN_DEFAULT_PORT		60100

/*
 * A session name: 1 to LN_SESSION_NAME_MAX of A-Z a-z 0-9 . _ -, neither
 * "." nor ".." (proto/names.c checks it for every program).
 */
#define LN_SESSION_NAME_MAX	64

/*
 * An account name lnsh carries: Hello.user, PairRequest.user and
 * PairResult.user, USER@ in the hosts file and User in the client's config.
 * 64 bytes is twice the 32 that useradd(8) allows.
 */
#define LN_USER_NAME_MAX	64

/*
 * A key's comment (the rest of a key line: user@host), in bytes, NUL
 * excluded, in every file that holds keys (authorized_keys, hosts, the
 * key files): a line with a longer one is refused, never cut.
 */
#define LN_KEY_COMMENT_MAX	256
/*
 * A TERM name the client passes on for a session, as lnshd and the holder
 * check it (server/termcheck.c): a longer one is taken for a terminal this
 * machine does not know.
 */
#define TERMCHECK_MAX_NAME	64

/* Noise protocol names and the prologue both ends mix in. */
#define LN_NOISE_IK	"Noise_IK_25519_ChaChaPoly_BLAKE2b"
#define LN_NOISE_XXPSK3	"Noise_XXpsk3_25519_ChaChaPoly_BLAKE2b"
#define LN_PROLOGUE	"lnsh v1"

/* Packet types: byte 0 of every datagram. */
#define LN_PKT_INITIATION	1	/* client -> server, Noise IK message 1 */
#define LN_PKT_RESPONSE		2	/* server -> client, Noise IK message 2 */
#define LN_PKT_COOKIE_REPLY	3	/* server -> client, under load */
#define LN_PKT_TRANSPORT	4	/* either way, after a handshake */
/* Pairing (proto/pairing.c): Noise XXpsk3 with a one-time code as PSK. */
#define LN_PKT_PAIR_INIT	5	/* client -> server, XXpsk3 message 1 */
#define LN_PKT_PAIR_RESPONSE	6	/* server -> client, XXpsk3 message 2 */
#define LN_PKT_PAIR_FINISH	7	/* client -> server, XXpsk3 message 3 */
#define LN_PKT_PAIR_RESULT	8	/* server -> client, the sealed result */

/* Every datagram starts with: type (1), version (1), reserved zero (2). */
#define LN_HDR_LEN		4
/* Transport header: common header, receiver index (4), counter (8). */
#define LN_TRANSPORT_HDR_LEN	16

#define LN_KEY_LEN		32	/* X25519 keys, ChaCha20-Poly1305 keys */
#define LN_HASH_LEN		64	/* BLAKE2b-512 */
#define LN_TAG_LEN		16	/* Poly1305 */
#define LN_MAC_LEN		16	/* mac1: keyed BLAKE2b-128 */
#define LN_MAC1_LABEL		"mac1----"

/*
 * Cookies (proto/cookie.c), as WireGuard's: under load the server answers
 * an initiation without a valid mac2 with a cookie reply instead of doing
 * any Diffie-Hellman. cookie = BLAKE2b-128 keyed by a secret redrawn every
 * LN_COOKIE_SECRET_NS, of the source address; the client keeps it for
 * LN_COOKIE_LIFE_NS (less, so that it stops using one just before the
 * server forgets the secret that made it).
 */
#define LN_COOKIE_LEN		16
#define LN_COOKIE_NONCE_LEN	24	/* XChaCha20-Poly1305 */
#define LN_COOKIE_LABEL		"cookie--"
/* Cookie reply: header, receiver index, nonce, sealed cookie: 64 bytes. */
#define LN_COOKIE_REPLY_LEN	(LN_HDR_LEN + 4 + LN_COOKIE_NONCE_LEN + \
				 LN_COOKIE_LEN + LN_TAG_LEN)
#define LN_COOKIE_SECRET_NS	(120 * LN_NS_PER_SEC)
#define LN_COOKIE_LIFE_NS	(115 * LN_NS_PER_SEC)
/*
 * "Under load": initiations with a valid mac1 are metered by a token
 * bucket of LN_INIT_LOAD_PER_SEC a second, burst as many; when one finds
 * it empty the server is under load for LN_INIT_LOAD_HOLD_NS more, and
 * meanwhile answers every initiation without a valid mac2 with a cookie
 * reply. So a flood costs at most one burst in Diffie-Hellman before the
 * cookies start, and nothing more while it lasts.
 */
#define LN_INIT_LOAD_PER_SEC	100
#define LN_INIT_LOAD_HOLD_NS	(1 * LN_NS_PER_SEC)
/*
 * Under load, initiations with a valid mac2 (whose source address has
 * proved it receives) are limited per source address, in a fixed table
 * of buckets indexed by a keyed hash of the address: no state is made per
 * source, as WireGuard's limiter does after the cookie.
 */
#define LN_COOKIE_PER_SRC_PER_SEC	20
#define LN_COOKIE_PER_SRC_BURST		5
#define LN_COOKIE_SOURCES		1024

/* The largest datagram either side sends: fits the IPv6 minimum MTU. */
#define LN_MAX_DATAGRAM		1232
/* Plaintext bytes a transport packet can carry. */
#define LN_MAX_PLAINTEXT	(LN_MAX_DATAGRAM - LN_TRANSPORT_HDR_LEN - LN_TAG_LEN)
/* Largest handshake payload (protobuf Hello / Welcome). */
#define LN_MAX_HS_PAYLOAD	512

/* Pairing codes and the server's limits on pairing (server/pair.c). */
#define LN_PAIR_CODE_CHARS	20	/* Crockford base32: 100 bits */
#define LN_PAIR_CODE_GROUP	4	/* printed in groups of 4, '-' between */
#define LN_PAIR_PSK_LABEL	"lnsh pair psk v1"
#define LN_PAIR_MAC1_LABEL	"lnsh pair mac1 v1"
#define LN_PAIR_TTL_DEFAULT_SEC	(10 * 60)
#define LN_PAIR_TTL_MAX_SEC	(24 * 60 * 60)
#define LN_PAIR_MAX_CODES	16	/* pending codes per user */
#define LN_PAIR_MAX_USERS	64	/* users' code files read per attempt */
#define LN_PAIR_MAX_ENTRIES	4096	/* directory entries seen per attempt */
#define LN_PAIR_MAX_PAYLOAD	512	/* PairRequest / PairResult bytes */
#define LN_PAIR_SLOTS		16	/* pairing handshakes in progress */
#define LN_PAIR_SLOT_NS		(10 * LN_NS_PER_SEC) /* a slot's life */
#define LN_PAIR_PER_SRC_PER_SEC	1	/* initiations per source address */
#define LN_PAIR_PER_SRC_BURST	5
#define LN_PAIR_GLOBAL_PER_SEC	10	/* initiations overall */
#define LN_PAIR_GLOBAL_BURST	20
#define LN_PAIR_SOURCES		64	/* source addresses tracked */
/*
 * Longest a child may take to write a paired key (root mode): then it is
 * killed and the client told, within lnsh's default LNSH_TIMEOUT (5 s).
 */
#define LN_PAIR_AUTHORIZE_NS	(3 * LN_NS_PER_SEC)

/* Frames inside a transport plaintext (byte 0). */
#define LN_FRAME_KEEPALIVE	0	/* empty: proves liveness, elicits nothing */
#define LN_FRAME_FRAGMENT	1	/* one fragment of a message */
/* Fragment frame: kind (1), message id (8), index (2), count (2), data. */
#define LN_FRAG_HDR_LEN		13
#define LN_FRAG_DATA_MAX	(LN_MAX_PLAINTEXT - LN_FRAG_HDR_LEN)
/* Reassembly limits per peer. */
#define LN_FRAG_MAX_COUNT	1024	/* fragments in one message */
#define LN_MAX_MESSAGE		(LN_FRAG_MAX_COUNT * LN_FRAG_DATA_MAX)
/*
 * Messages being reassembled at once. A message sent again keeps its id and
 * its bytes, so tries add up in one slot; what needs slots at once is what
 * loss and reordering leave partial within the sender's congestion window.
 * When slots or budget run out the receiver keeps the messages rel needs
 * first (frag.c). Memory stays capped by LN_FRAG_BUDGET either way.
 */
#define LN_FRAG_SLOTS		64
/*
 * Ids of messages lately completed: a late or resent fragment of one is
 * dropped instead of starting a partial message that can never finish.
 */
#define LN_FRAG_DONE		512
#define LN_FRAG_BUDGET		(2 * 1024 * 1024) /* bytes held for reassembly */
#define LN_FRAG_TIMEOUT_NS	(10 * LN_NS_PER_SEC)

/* Replay window (RFC 6479), in packets. */
#define LN_REPLAY_WINDOW	4096

/* Key lifetimes, as WireGuard's. */
#define LN_REKEY_AFTER_NS	(120 * LN_NS_PER_SEC)
#define LN_REJECT_AFTER_NS	(180 * LN_NS_PER_SEC)
#define LN_REKEY_AFTER_MSGS	(1ULL << 60)
#define LN_REJECT_AFTER_MSGS	(UINT64_MAX - (1ULL << 13))
#define LN_REKEY_TIMEOUT_NS	(1 * LN_NS_PER_SEC) /* resend initiation */
/* The shortest LNSH_TEST_KEY_LIFETIME_SEC honoured (proto/channel.c). */
#define LN_TEST_KEY_LIFETIME_MIN_SEC	5
/* Up to this much random delay is added to each initiation resend. */
#define LN_REKEY_JITTER_NS	(333U * 1000000U)

/* A server forgets a client connection it has not heard from for this long. */
#define LN_PEER_IDLE_NS		(15 * 60 * LN_NS_PER_SEC)
/*
 * A client waiting long for one answer (`lnsh wait`) sends a keepalive
 * this often, well within LN_PEER_IDLE_NS, so that lnshd does not forget it.
 */
#define RPC_WAIT_KEEPALIVE_NS	(60 * LN_NS_PER_SEC)
/* Connections one client key may hold; the longest silent makes room. */
#define LN_PEERS_PER_KEY	32
/*
 * At max-clients lnshd makes room by evicting the longest-silent client
 * that is not attached, or attached but silent this long (SSP's active
 * retry, SSP_ACTIVE_RETRY_NS: a live attached client is heard sooner).
 */
#define LN_EVICT_ATTACHED_SILENT_NS (10 * LN_NS_PER_SEC)

/*
 * An initiation refused as not newer than the last one accepted from its
 * key, by this much or more, is reported (a client clock that ran ahead
 * and was set back: the key is locked out until the clock passes the
 * last timestamp), at most once per key per LN_INIT_STALE_EVERY_NS.
 */
#define LN_INIT_STALE_NS	(10 * LN_NS_PER_SEC)
#define LN_INIT_STALE_EVERY_NS	(60 * LN_NS_PER_SEC)

/*
 * lnshd's record of the last accepted initiation timestamp per client key
 * (server/stamps.c), so that a restart does not reopen the door to a
 * replay: keys kept, journal lines before it is compacted, and how often
 * it tries again to write when it could not.
 */
#define LN_STAMP_KEYS_MAX	4096
#define LN_STAMP_JOURNAL_MAX	(2 * LN_STAMP_KEYS_MAX)
#define LN_STAMP_RETRY_NS	(10 * LN_NS_PER_SEC)

/* Handshake rate limits (token buckets). */
#define LN_INIT_PER_KEY_PER_SEC	20
#define LN_INIT_PER_KEY_BURST	5
#define LN_INIT_GLOBAL_PER_SEC	5000
#define LN_INIT_GLOBAL_BURST	500

/* Reliable messages: unacknowledged messages one side may have in flight. */
#define LN_REL_WINDOW		256
#define LN_REL_RTO_MIN_NS	(50 * LN_NS_PER_MS)
#define LN_REL_RTO_MAX_NS	(2 * LN_NS_PER_SEC)
#define LN_REL_RTO_INIT_NS	(300 * LN_NS_PER_MS)
/* A lone reliable message is acked after this, unless something leaves. */
#define LN_REL_ACK_DELAY_NS	(15 * LN_NS_PER_MS)
/* Later seqs a selective ack covers (Envelope.sack, one bit each). */
#define LN_REL_SACK_BITS	64
/*
 * A message is lost once one sent this many transmissions (and an srtt)
 * after it arrived (RFC 6675's DupThresh, counted in transmissions).
 */
#define LN_REL_DUPTHRESH	3
/*
 * Congestion window, in fragments (datagrams): initial, least after a loss
 * (rel.c says why not 1), and most.
 */
#define LN_REL_CWND_INIT	128
#define LN_REL_CWND_MIN		64
#define LN_REL_CWND_MAX		2048
/*
 * Bytes of out-of-order messages one reliable receiver holds until the
 * gap before them fills. Without it one connection could hold a window
 * (255) of the largest messages, 300 MiB, and a key 32 connections of
 * that. 2 MiB holds a window of small messages, or one of the largest
 * beside some small ones; a message past it is dropped (counted
 * over_budget) and not acked, so its sender sends it again, in order.
 */
#define LN_REL_HELD_MAX		(2 * 1024 * 1024)

/* Most an Envelope adds around its body: 6 tags, 6 varints, a length. */
#define LN_ENVELOPE_OVERHEAD	64
/* Largest body of an Envelope: the Envelope must fit LN_MAX_MESSAGE. */
#define LN_REL_MAX_BODY		(LN_MAX_MESSAGE - LN_ENVELOPE_OVERHEAD)

/*
 * The screen (proto/fb.h): limits a decoder enforces on a diff from the
 * wire (proto/fbdiff.c), and so the largest screen the emulator, the SSP
 * endpoints and the client's display hold, which bounds what one screen
 * state costs. A session's pty is never larger (HOLDER_MAX_COLS), so that
 * a program never draws where lnsh cannot show. A cell keeps at most
 * FB_MAX_COMB combining characters; a title and an OSC 52 clipboard
 * payload are cut at their bytes.
 */
#define FB_MAX_COLS		1024
#define FB_MAX_ROWS		512
#define FB_MAX_COMB		4	/* combining characters kept per cell */
#define FB_MAX_TITLE		1024	/* bytes */
#define FB_MAX_CLIPBOARD	(256 * 1024)	/* bytes of OSC 52 payload */

/*
 * Longest scrollback line, as UTF-8 text with SGR escapes, that any hop
 * carries (holder -> lnshd -> client). 16 KiB holds a 1024-column line
 * (the emulator's widest) with a colour change on half its cells; a line
 * that needs more (every cell in its own 24-bit colour with combining
 * marks) is cut where it is encoded, never refused by a receiver.
 */
#define LN_SB_LINE_MAX		(16 * 1024)

/*
 * A compressed SSP message (SyncMessage.zframe, docs/sync.md): the most
 * its zstd frame may declare as its content, the packed SyncMessage. A
 * receiver reads the declared size before decompressing and drops
 * (zframe_oversize) a frame that declares more, or none: what it
 * decompresses is never larger than a message it would take uncompressed.
 */
#define LN_SSP_ZFRAME_MAX	LN_MAX_MESSAGE

/*
 * SSP, the screen and input sync inside channel messages (proto/ssp.h,
 * docs/sync.md). Timers; docs/sync.md says why each has its value.
 */
/* The frame interval: floor, ceiling. */
#define SSP_SEND_MIN_NS		(20 * LN_NS_PER_MS)
#define SSP_SEND_MAX_NS		(250 * LN_NS_PER_MS)
/* From a change to the frame that carries it, at least. */
#define SSP_COLLECT_NS		(3 * LN_NS_PER_MS)
#define SSP_ECHO_NS		(20 * LN_NS_PER_MS) /* input to echo: at once */
/*
 * Output quiet this long: its frame goes without waiting out the frame
 * interval, taking the next interval's slot (so frames still average one
 * per interval). The last screen of a flood (the prompt after `seq 1
 * 3000000`) waited up to a whole interval, 25 ms on average at 100 ms
 * RTT; the holder read the prompt within 0.1 ms of the flood's last
 * bytes, while gaps inside the flood over 5 ms were rare (0 to 38 in a
 * 1-3 s flood on a loaded 2-core machine; over 3 ms, 10 to 210).
 */
#define SSP_QUIET_NS		(5 * LN_NS_PER_MS)
/* How long a delayed ack waits. */
#define SSP_ACK_DELAY_NS	(50 * LN_NS_PER_MS)
/*
 * Under continuous output (a new screen state within this long of the one
 * before, no lines among the unacked frames) the client's ack waits this
 * long after the first unacked frame (mosh's ack delay): one ack per
 * 100 ms instead of one per frame. The server's resend and loss timers
 * allow for it.
 */
#define SSP_ACK_COALESCE_NS	(100 * LN_NS_PER_MS)
/*
 * The server waits for the client's ack of a frame, before it resends the
 * frame and cuts the line budget (ssp-server.c, srv_ack_wait_ns), at
 * least this long over the smoothed RTT and the ack's delay, whatever RTO
 * says. RTO is SRTT and four RTT deviations; on a steady path the
 * deviation falls to 1-3 ms, and the samples leave out how late the
 * client's ack timer fired. `seq 1 3000000` through a clean 100 ms RTT
 * relay, the holder, lnshd and the client on one loaded CPU: one-way
 * delays reached 72 ms for the relay's 50, the client's ack timers fired
 * up to 32 ms late, and twice in six floods an ack came 6-10 ms after its
 * frame counted as lost; the budget fell to SSP_SB_BUDGET_MIN, and the
 * lines after that flood drained in 12 frames of 409 to 1,160 lines
 * instead of 5 of 2,000. A short path already had this margin from
 * SSP_RTO_MIN_NS.
 */
#define SSP_ACK_LATE_NS		(50 * LN_NS_PER_MS)
#define SSP_SRTT_INIT_NS	(100 * LN_NS_PER_MS) /* before any RTT sample */
#define SSP_RTO_INIT_NS		(1000 * LN_NS_PER_MS)
#define SSP_RTO_MIN_NS		(50 * LN_NS_PER_MS)
#define SSP_RTO_MAX_NS		(1000 * LN_NS_PER_MS)
#define SSP_RESEND_MAX_NS	(2000 * LN_NS_PER_MS)	/* backed-off resends */
/* Client heartbeats: after activity, doubling from min to max. */
#define SSP_HB_MIN_NS		(500 * LN_NS_PER_MS)
#define SSP_HB_MAX_NS		(3000 * LN_NS_PER_MS)
/* Probes while a reply is overdue, doubling from min to max. */
#define SSP_PROBE_MIN_NS	(250 * LN_NS_PER_MS)
#define SSP_PROBE_MAX_NS	(500 * LN_NS_PER_MS)
/* After this long without a word from its peer, stop sending. */
#define SSP_ACTIVE_RETRY_NS	(10000 * LN_NS_PER_MS)
/* A timestamp is echoed within this. */
#define SSP_TS_HOLD_MAX_NS	(1000 * LN_NS_PER_MS)
#define SSP_RTT_SAMPLE_MAX_MS	5000		/* longer: a sleep, ignored */

/* Limits. */
#define SSP_SERVER_STATES	32	/* screen states a server keeps */
#define SSP_CLIENT_STATES	64	/* screen states a client keeps */
#define SSP_EVENT_MAX		1024	/* bytes in one keys event */
#define SSP_MSG_EVENTS_MAX	1024	/* events in one message */
/*
 * Encoded event bytes per message: one event of SSP_EVENT_MAX and its
 * encoding, so that an input message with its other fields fits one
 * fragment (LN_FRAG_DATA_MAX, 1187 bytes).
 */
#define SSP_INPUT_MSG_MAX	1080
#define SSP_INPUT_WINDOW	(16 * 1024)	/* unacked bytes in flight */
#define SSP_INPUT_QUEUE_MAX	(1024 * 1024)	/* queued event bytes */
#define SSP_INPUT_HOLD		32	/* messages held past a gap, */
#define SSP_INPUT_HOLD_MAX	2048	/*   each at most this long */
/*
 * Native scrollback: lines that scroll off the session's screen travel
 * with the frames, numbered 1, 2, ... A frame carries the lines its new
 * state has and its base lacks, at most these many (the newest that fit);
 * more wait for the next frame, so a backlog is split, not skipped, while
 * the server still holds it. During a flood (output changing for over a
 * frame interval) a backlog larger than a frame's share waits until the
 * output pauses (SSP_FLOOD_PAUSE_NS): the client's scrollback keeps only
 * the newest lines, and the lines that leave the server's ring meanwhile
 * are skipped (docs/sync.md).
 */
#define SSP_SB_FRAME_LINES	2000		/* lines in one frame */
#define SSP_SB_FRAME_BYTES	(256 * 1024)	/* their text bytes */
/*
 * A flood ends once the output pauses this long (or two frame intervals,
 * if longer): on a loaded machine the gaps between a flooding program's
 * writes, as the holder sees them, often exceed one frame interval, and a
 * flood that kept ending sent its lines with no deferral.
 */
#define SSP_FLOOD_PAUSE_NS	(50 * LN_NS_PER_MS)
/*
 * Under loss a frame must stay small to get through (it is lost if any of
 * its fragments is): the lines one frame carries are held to a budget,
 * each line costing its text plus SSP_SB_LINE_COST (its encoding). The
 * budget starts at SSP_SB_FRAME_BYTES, halves (from what the lost frame
 * carried) when a frame goes unacknowledged past its resend time, down to
 * about one fragment, and grows by a step per acknowledged frame (AIMD).
 */
#define SSP_SB_LINE_COST	8
#define SSP_SB_BUDGET_MIN	1024
#define SSP_SB_BUDGET_STEP	1024
/*
 * Compression (docs/sync.md): a message packed to at least SSP_Z_MIN
 * bytes, to a peer that accepts zstd, goes as a zframe at level
 * SSP_Z_LEVEL when that is smaller. Below 128 bytes (keystroke echo)
 * neither zstd nor zlib saved anything on real frames: the frame header
 * costs what the data gains. Level 3 (zstd's default) made the seq
 * flood's frames 19% of their size, level 1 23%, level 9 18% at 40% of
 * the speed; zlib at its best 26% (docs/benchmarks.md).
 */
#define SSP_Z_MIN		128
#define SSP_Z_LEVEL		3

/*
 * Bytes of requests lnshd queues for one session holder that has not read
 * them (a stopped or stuck holder): 2 MiB holds the largest request, a
 * `send` of LN_REL_MAX_BODY (about 1.2 MiB) cut into holder Inputs, with
 * room for the small ones (info, resize, keys) beside it. Past it lnshd
 * refuses what it would queue, saying the session is not reading.
 */
#define LN_HOLDER_QUEUE_MAX	(2 * 1024 * 1024)

/*
 * The relay (docs/sync.md, "Where SSP runs"): each attached client's SSP
 * server runs in its session's holder, and lnshd passes SSP messages
 * through as opaque bytes.
 * - A message from a client larger than LN_RELAY_UP_MAX is dropped by lnshd
 *   (counted): a client's SSP message carries at most SSP_INPUT_MSG_MAX
 *   bytes of events plus a small header. One to a client is at most a
 *   channel message (LN_MAX_MESSAGE).
 * - A holder serves at most LN_HOLDER_CLIENTS_MAX clients (attached and
 *   kept for resuming together); one more attach is refused. 64 is above
 *   the 20 clients on one session issue 12 asks for, with room, and
 *   still bounds what a holder keeps: each client's ssp_server holds at
 *   most SSP_SERVER_STATES snapshots, copy-on-write rows shared with the
 *   screen (fb.h), so row pointers (32 x FB_MAX_ROWS each, 8 MB for 64
 *   clients at the largest size) plus SSP_INPUT_HOLD x SSP_INPUT_HOLD_MAX
 *   held input (64 KB each); and every frame is one diff per client.
 * - A holder queues at most LN_HOLDER_SYNC_QUEUE_MAX bytes for lnshd; an
 *   SSP message that does not fit is dropped, which SSP takes as a loss.
 * - A client that went without detaching (its lnshd died, or its channel
 *   peer was forgotten) keeps its SSP server in the holder for
 *   LN_HOLDER_RESUME_SEC, resumable with its LN_HOLDER_TOKEN_LEN-byte
 *   token; then it is freed (tests shorten it: LNSH_TEST_RESUME_SEC,
 *   docs/hacking.md).
 */
#define LN_RELAY_UP_MAX		4096
#define LN_HOLDER_CLIENTS_MAX	64
#define LN_HOLDER_SYNC_QUEUE_MAX (4 * 1024 * 1024)
#define LN_HOLDER_RESUME_SEC	120
#define LN_HOLDER_TOKEN_LEN	16

/*
 * The holder protocol: lnshd <-> lnsh-holder, over the holder's Unix
 * socket (proto/holder.proto, docs/protocol.md section 14). A frame is a
 * HOLDER_FRAME_HDR-byte big-endian length, then that many bytes of one
 * packed Request (lnshd -> holder) or Reply (holder -> lnshd).
 */
#define HOLDER_PROTO_VERSION	2
/*
 * The version before: holders it started may outlive an upgrade. lnshd
 * greets one in its own version after it says so (holder-conn.c): it can
 * list, capture, type into and kill such a session, not attach to it.
 */
#define HOLDER_PROTO_PREV	1
#define HOLDER_FRAME_HDR	4
/*
 * Most that a frame adds around the one large field of its message: the
 * length, the message's id and tag, the field's tag and length, as
 * varints (under 30 bytes). A capture's text is cut to leave it within
 * HOLDER_MAX_FRAME (holder/holder.c); lnshd counts it for every Input it
 * queues (server/clients.c).
 */
#define HOLDER_FRAME_OVERHEAD	64
/*
 * A reply body, the most lnshd reads from a holder in one message. The
 * largest reply is a capture, and one that lnshd can pass on to lnsh is at
 * most LN_REL_MAX_BODY (about 1.2 MB), so 16 MiB never refuses one lnsh
 * could have had; the holder answers a larger one with an error saying to
 * ask for fewer scrollback lines.
 */
#define HOLDER_MAX_FRAME	(16 * 1024 * 1024)
/*
 * Bytes of one Input: lnshd cuts what lnsh sends into Inputs of at most
 * this, so that the largest request is an Input; a request body is that
 * and 1 KiB for the rest of it, ample (every other request is smaller: a
 * Sync carries at most LN_RELAY_UP_MAX).
 */
#define HOLDER_MAX_INPUT	(64 * 1024)
#define HOLDER_MAX_REQUEST	(HOLDER_MAX_INPUT + 1024)
/* Strings in replies, in bytes; lnshd refuses a reply with a longer one. */
#define HOLDER_MAX_COMMAND	4096		/* Info.command: cut there */
#define HOLDER_MAX_TITLE	FB_MAX_TITLE	/* Info.title: the screen's */
#define HOLDER_MAX_METHOD	32		/* Hello.event_method */
#define HOLDER_MAX_ERROR	1024		/* Error.message */
/*
 * A session's size: what the emulator holds, so that the pty never says
 * more columns or rows than the screen lnsh shows.
 */
#define HOLDER_MAX_COLS		FB_MAX_COLS
#define HOLDER_MAX_ROWS		FB_MAX_ROWS
/*
 * The holder's startup report to whoever spawned it ("ok", "exists" or
 * "error" and a message, on its ready fd): one line in one write of at
 * most this, POSIX's least PIPE_BUF, so that the reader gets it whole.
 */
#define HOLDER_READY_MAX	512
#define HOLDER_MAX_CONNS	32		/* connections one holder serves */
#define HOLDER_PTY_QUEUE	(1024 * 1024)	/* input queued for the pty */
#define HOLDER_EXITED_KEEP_SEC	(24 * 60 * 60)	/* keep-exited's default */
#define HOLDER_KILL_GRACE_MS	1000		/* SIGHUP to SIGKILL */
#define HOLDER_IO_TIMEOUT_SEC	5		/* blocking helpers */
#define HOLDER_PUSH_LINES	1000	/* scrollback pushed on attach */
/*
 * Scrollback lines wait as copies of their cells until no line has
 * scrolled for this long (the burst ended), then are encoded
 * (holder/scrollback.c).
 */
#define HOLDER_SB_SETTLE_MS	50
/*
 * The longest a program's synchronized update (DEC mode 2026) keeps the
 * clients on the screen as it stood when the update began, if the
 * program never ends it (holder/emu.c, emu_sync): tmux's bound too.
 */
#define HOLDER_SYNC_MAX_MS	1000
/*
 * A capture reply this large gives the heap's free pages back once sent:
 * its buffers are carved from the space a burst's copies left.
 */
#define HOLDER_TRIM_BYTES	(64 * 1024)

/*
 * A new session's command line and the environment entries (LANG, LC_*)
 * it inherits from the client: more is refused, never cut (server/clients.c,
 * server/sessdir.c).
 */
#define LN_SESSION_MAX_ARGS	256
#define LN_SESSION_MAX_ENV	64

/*
 * lnsh's exit codes (docs/cli.md). An RPC Reply's status (proto/rpc.proto)
 * is one of the first four, and lnsh exits with it: what lnshd refused is
 * the code a user's script sees, so both sides spell it here.
 */
#define LNSH_EXIT_OK		0
#define LNSH_EXIT_ERROR		1	/* anything else */
#define LNSH_EXIT_NOSESSION	4
#define LNSH_EXIT_EXISTS	5
/* lnsh's own, never a Reply's status. */
#define LNSH_EXIT_USAGE		2
#define LNSH_EXIT_NOANSWER	3	/* no answer from HOST in time */
#define LNSH_EXIT_WAITED	124	/* lnsh wait --timeout passed (timeout(1)) */

/*
 * Sessions whose holder went away without a word (kill -9, a crash): lnshd
 * lists at most this many as gone, with the reason, the oldest forgotten
 * first (server/lost.c); each stays as long as an exited session would.
 */
#define LN_LOST_MAX		256

/*
 * A listener that cannot accept for want of descriptors pauses this long
 * (server/accept.c), and says so at most once per LN_ACCEPT_SAY_NS.
 */
#define LN_ACCEPT_PAUSE_NS	(100 * LN_NS_PER_MS)
#define LN_ACCEPT_SAY_NS	(60 * LN_NS_PER_SEC)

/*
 * lnshd's descriptors (server/fdlimit.c): the soft RLIMIT_NOFILE is raised
 * towards the hard limit, at most LNSHD_MAX_NOFILE; sessions are capped at
 * (limit - LNSHD_FD_RESERVE) / LNSHD_FDS_PER_SESSION, the reserve serving
 * sockets, control connections, pairing and libevent.
 */
#define LNSHD_MAX_NOFILE	65536
#define LNSHD_FD_RESERVE	64
#define LNSHD_FDS_PER_SESSION	4

/* A holder's stderr in lnshd's log (server/holderlog.c). */
#define LN_HOLDER_LOG_LINE_MAX	512	/* bytes of text per line; more cut */
#define LN_HOLDER_LOG_LINES	20	/* lines per holder per window */
#define LN_HOLDER_LOG_WINDOW_NS	(60 * LN_NS_PER_SEC)

/*
 * Bytes of RPC replies lnshd keeps for one client connection, queued for
 * its send window plus sent and not yet acknowledged. A client that asks
 * and never acknowledges (600 small captures took lnshd from 7 MB to
 * 335 MB) is answered BUSY once this is spent: 4 MiB holds three of the
 * largest replies (LN_REL_MAX_BODY, a capture of the whole scrollback)
 * beside small ones, so a client that reads its answers never sees BUSY.
 * A key's connections (LN_PEERS_PER_KEY of them) share LN_RPC_KEY_MAX.
 * BUSY replies, small and of fixed size, have LN_RPC_BUSY_RESERVE more
 * per connection; past that a reply is dropped unsent, counted by reason
 * in `lnshd status` (rpc_busy, rpc_dropped). A key's worst case is thus
 * LN_RPC_KEY_MAX plus its connections' reserves, 18 MiB.
 */
#define LN_RPC_CONN_MAX		(4 * 1024 * 1024)
#define LN_RPC_KEY_MAX		(16 * 1024 * 1024)
#define LN_RPC_BUSY_RESERVE	(64 * 1024)

/*
 * Why an incoming packet, fragment or message was dropped. Each has a counter
 * and a name (for tests and `lnshd status`). Nothing dropped gets a reply.
 * The channel and pairing (server/pair.c) count drops apart; the last two
 * reasons are pairing's own.
 */
#define LN_DROP_REASONS(X)						\
	X(SHORT,		"short")	/* shorter than its header */	\
	X(TYPE,			"unknown_type")					\
	X(VERSION,		"bad_version")					\
	X(RESERVED,		"bad_reserved")					\
	X(MAC1,			"bad_mac1")					\
	X(HANDSHAKE,		"bad_handshake") /* Noise failed */		\
	X(UNAUTHORIZED,		"unauthorized")	/* unknown client key */	\
	X(INIT_REPLAY,		"init_replay")	/* timestamp not newer */	\
	X(RATELIMIT,		"ratelimit")					\
	X(UNKNOWN_INDEX,	"unknown_index")				\
	X(STATE,		"wrong_state")	/* not expected now */		\
	X(DECRYPT,		"bad_decrypt")					\
	X(REPLAY,		"replay")					\
	X(EXPIRED,		"expired_key")					\
	X(FRAME,		"bad_frame")					\
	X(FRAG_BAD,		"bad_fragment")					\
	X(FRAG_OVERSIZE,	"fragment_oversize")				\
	X(FRAG_OVERLAP,		"fragment_overlap")				\
	X(FRAG_TIMEOUT,		"fragment_timeout")				\
	X(FRAG_EVICTED,		"fragment_evicted")				\
	X(MESSAGE,		"bad_message")	/* protobuf did not decode */	\
	X(REL_WINDOW,		"outside_window")				\
	X(REL_DUPLICATE,	"duplicate_message")				\
	X(PAIR_SPENT,		"pair_code_spent") /* used or expired */	\
	X(PAIR_BUSY,		"pair_busy")	/* every slot in use */	\
	X(LINE_OVERSIZE,	"line_oversize") /* a holder's line */	\
	X(BUDGET,		"over_budget")	/* a byte budget is spent */	\
	X(UNDER_LOAD,		"under_load")	/* answered: cookie reply */	\
	X(ZFRAME,		"bad_zframe")	/* did not decompress */	\
	X(ZFRAME_OVERSIZE,	"zframe_oversize") /* declares too much */

enum ln_drop {
#define LN_DROP_ENUM(id, name) LN_DROP_##id,
	LN_DROP_REASONS(LN_DROP_ENUM)
#undef LN_DROP_ENUM
	LN_DROP_MAX
};

/*
 * A key's last use (STATE/lastuse/UID, server/authkeys.c) is rewritten
 * only when the time recorded is at least this much older: the file is
 * replaced and synced, in lnshd's event loop, and at one write per
 * handshake the fsyncs capped lnshd at about 95 handshakes a second
 * (bench/hostile-hs.sh). `lnshd authorized` shows the time to the
 * minute's precision that this leaves.
 */
#define LN_LASTUSE_EVERY_SEC	60

/*
 * Text files lnsh reads (hosts, authorized_keys, lnshd.conf; a user's
 * authorized_keys is read by root-mode lnshd at every handshake).
 */
#define LN_TEXT_FILE_MAX	(1024 * 1024)	/* largest text file read */
#define LN_TEXT_LINE_MAX	4096		/* longest line, NUL included */

/*
 * The account check of a root-mode login (server/account.c): it runs in a
 * child, which has this long to answer before the login is refused; its
 * one-line reason is cut at LN_ACCT_REASON_MAX bytes; a client's requests
 * sent before the verdict wait, at most LN_ACCT_QUEUE_MAX of them.
 */
#define LN_ACCT_TIMEOUT_SEC	10
#define LN_ACCT_REASON_MAX	256
#define LN_ACCT_QUEUE_MAX	16

/*
 * A restarted lnshd serves clients while it still adopts the holders it
 * found (server/sessions.c): a request naming a session not adopted yet
 * (and a list) waits until adoption ends, which its own deadline bounds
 * (HOLDER_IO_TIMEOUT_SEC per holder). At most LN_ADOPT_HELD_MAX requests
 * wait, at most LN_ADOPT_HELD_CONN of one connection; past that the
 * request is answered "ask again".
 */
#define LN_ADOPT_HELD_MAX	256
#define LN_ADOPT_HELD_CONN	16

/*
 * What a user meets in lnsh's and lnshd's options and files (docs/cli.md,
 * docs/files.md); a value past a limit is refused with a message that
 * names it.
 * - The client's hosts file: an alias of 1 to HOSTS_ALIAS_MAX of
 *   [A-Za-z0-9._-], not starting with '-'; an address of at most
 *   HOSTS_ADDR_MAX bytes (a DNS name is at most 253).
 * - How long lnsh waits for an answer: RPC_TIMEOUT_DEFAULT_MS, or
 *   LNSH_TIMEOUT or the config's Timeout, in seconds, at most
 *   RPC_TIMEOUT_MAX_SEC; `lnsh doctor --wait`, at most DOCTOR_WAIT_MAX_S;
 *   `lnsh wait --timeout`, at most WAIT_MAX_SEC (a year and a day).
 * - The client's config file: a value of fewer than UC_VALUE_MAX bytes.
 * - lnshd.conf: at most CONFIG_LISTEN_MAX listen lines; scrollback-lines
 *   SB_DEFAULT_LINES (also lnsh-holder's default), 0 (none) to
 *   CONFIG_MAX_SCROLLBACK, lnsh-holder's --scrollback too; max-sessions-per-user and max-clients
 *   default to CONFIG_DEFAULT_SESSIONS and CONFIG_DEFAULT_CLIENTS, at
 *   most CONFIG_MAX_SESSIONS and CONFIG_MAX_CLIENTS; keep-exited (default
 *   HOLDER_EXITED_KEEP_SEC) is at most CONFIG_MAX_KEEP_EXITED_DAYS, a year
 *   and a day.
 */
#define HOSTS_ALIAS_MAX		64
#define HOSTS_ADDR_MAX		255
#define RPC_TIMEOUT_DEFAULT_MS	5000
#define RPC_TIMEOUT_MAX_SEC	3600
#define DOCTOR_WAIT_MAX_S	3600
#define WAIT_MAX_SEC		(366.0 * 24 * 60 * 60)	/* a double */
#define UC_VALUE_MAX		256
#define CONFIG_LISTEN_MAX	16
#define CONFIG_DEFAULT_SESSIONS	64
#define CONFIG_DEFAULT_CLIENTS	256
#define SB_DEFAULT_LINES	10000
/*
 * Memory one session's scrollback may hold in lines not yet encoded:
 * copies of the cells each line uses up to its last non-blank one, 16
 * bytes a cell (holder/scrollback.c). They are encoded when the burst of
 * output ends; a flood pushes most of them out of the ring first, and
 * those are never encoded. 8 MiB holds the default ring (SB_DEFAULT_LINES)
 * of lines up to 50 columns wide (`seq`'s take 1.3 MB); a line that would
 * take the copies past it is encoded as it scrolls off, as every line was
 * before.
 */
#define LN_SB_PENDING_MAX	(8 * 1024 * 1024)
#define CONFIG_MAX_SCROLLBACK	1000000
#define CONFIG_MAX_SESSIONS	10000
#define CONFIG_MAX_CLIENTS	100000
#define CONFIG_MAX_KEEP_EXITED_DAYS 366
#define CONFIG_MAX_KEEP_EXITED	(CONFIG_MAX_KEEP_EXITED_DAYS * 24 * 60 * 60)

#endif /* LNSH_WIRE_H */
