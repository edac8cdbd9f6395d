/*
 * ssp.h: the State Synchronisation Protocol (mosh's SSP), sans I/O.
 * docs/sync.md describes the messages and the timers for people.
 *
 * Two synced objects, one contract (diff from a state the peer is known to
 * hold, apply, equal): the server sends the session's screen (struct fb),
 * the client sends its input stream (keys and resizes as numbered events).
 * Each endpoint is driven the way the channel is:
 *	- messages from the peer go in through *_input();
 *	- messages for the peer come out through the send callback, each to
 *	  be sent as one UNRELIABLE channel message (flags 0): SSP does its
 *	  own acknowledgements and retransmission;
 *	- *_tick(now) sends what is due and returns the next deadline
 *	  (UINT64_MAX: none). Call it after every other call on the endpoint
 *	  and whenever its deadline passes.
 * `now` is the monotonic clock in nanoseconds; nothing here reads a clock.
 *
 * One ssp_server per attached client: a server endpoint lives only while
 * its client is attached (the session's holder creates it when lnshd
 * relays the attach and frees it on detach, or once an orphaned client's
 * resume time has passed: holder/holder-sync.c), so a session without
 * clients has no SSP timer at all. An endpoint that has heard nothing from
 * its client for SSP_ACTIVE_RETRY_NS stops sending until it hears again.
 */
#ifndef LNSH_SSP_H
#define LNSH_SSP_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "fb.h"

/* Timers; docs/sync.md says why each has its value. */
/* The frame interval: floor, ceiling. */
#define SSP_SEND_MIN_NS		(20 * LN_NS_PER_MS)
#define SSP_SEND_MAX_NS		(250 * LN_NS_PER_MS)
/* From a change to the frame that carries it, at least. */
#define SSP_COLLECT_NS		(3 * LN_NS_PER_MS)
#define SSP_ECHO_NS		(20 * LN_NS_PER_MS) /* input to echo: at once */
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
/* Encoded event bytes per message: an input message fits one fragment. */
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
/*
 * A flood ends once the output pauses this long (or two frame intervals,
 * if longer): on a loaded machine the gaps between a flooding program's
 * writes, as the holder sees them, often exceed one frame interval, and a
 * flood that kept ending sent its lines with no deferral.
 */
#define SSP_FLOOD_PAUSE_NS	(50 * LN_NS_PER_MS)
#define SSP_SB_FRAME_LINES	2000		/* lines in one frame */
#define SSP_SB_FRAME_BYTES	(256 * 1024)	/* their text bytes */
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
 * Hands one message to the channel (unreliable); 0 or an LN_E_* code.
 * SSP treats a failure as a lost message.
 */
typedef int	(*ssp_send_fn)(void *, const uint8_t *, size_t);

/* One user event delivered to the server, in order, exactly once. */
enum ssp_event_type {
	SSP_EV_KEYS,		/* data, len: bytes as typed */
	SSP_EV_RESIZE,		/* cols, rows: the client's terminal */
};
struct ssp_event {
	enum ssp_event_type	 type;
	uint64_t		 num;	/* 1, 2, ...: the event's number */
	const uint8_t		*data;
	size_t			 len;
	int			 cols, rows;
};
typedef void	(*ssp_event_fn)(void *, const struct ssp_event *);

/* One scrollback line: SGR text as holder/scrollback.c's sb_line gives. */
struct ssp_line {
	uint64_t	 num;		/* 1: the first line ever scrolled */
	const char	*text;
	size_t		 len;
	int		 wrapped;	/* continues on the next line */
};
/*
 * Server: (ctx, num, &line): 0, or LN_E_STATE if no longer held. The text
 * must stay valid until the ssp_server call that asked returns.
 */
typedef int	(*ssp_line_fn)(void *, uint64_t, struct ssp_line *);
/*
 * Client: (ctx, lines, n, skipped): lines in order, never one twice,
 * before the frame that carried them becomes the screen; skipped is how
 * many lines before the first the server could no longer send.
 */
typedef void	(*ssp_lines_fn)(void *, const struct ssp_line *, size_t,
		    uint64_t);

struct ssp_server;
struct ssp_client;

/* ssp-server.c */
/*
 * (initial screen, send, ctx, now). The server keeps the pointer to the
 * caller's live screen given here or to ssp_server_update(), and takes a
 * (copy-on-write) snapshot of it only when it sends a frame: the screen
 * must stay valid until the next update or ssp_server_free().
 */
struct ssp_server *ssp_server_new(const struct fb *, ssp_send_fn, void *,
	     uint64_t);
void	 ssp_server_free(struct ssp_server *);
/* The screen changed (it may be the same pointer as before). */
void	 ssp_server_update(struct ssp_server *, const struct fb *,
	     uint64_t);
/*
 * Scrollback: (base, fn, ctx) right after ssp_server_new: the client is
 * taken to hold lines 1..base (on attach, the current total less the
 * lines to push into its terminal); fn fetches a line by number.
 */
void	 ssp_server_set_lines(struct ssp_server *, uint64_t, ssp_line_fn,
	     void *);
/* (total, oldest held, now): lines scrolled off; frames follow. */
void	 ssp_server_scrolled(struct ssp_server *, uint64_t, uint64_t,
	     uint64_t);
/* 0, or LN_E_DROP(reason), counted; fn(arg, ev) for each event. */
int	 ssp_server_input(struct ssp_server *s, const uint8_t *p, size_t len,
	     uint64_t now, ssp_event_fn fn, void *arg);
uint64_t ssp_server_tick(struct ssp_server *, uint64_t);
/* The client's latest terminal size: 0 and set, or LN_E_STATE if none. */
uint64_t ssp_server_last_heard(const struct ssp_server *);
uint64_t ssp_server_srtt(const struct ssp_server *);
/* tx_packets: every message; messages_out: frames; drop[]: by reason. */
const struct ln_counters *ssp_server_counters(const struct ssp_server *);

/* ssp-client.c */
/*
 * (cols, rows, send, ctx, now): the size is sent as the first event, at
 * the first tick. NULL if the size is outside FB_MAX_COLS x FB_MAX_ROWS.
 */
struct ssp_client *ssp_client_new(int, int, ssp_send_fn, void *, uint64_t);
void	 ssp_client_free(struct ssp_client *);
/* Where scrollback lines go (without it they are dropped). */
void	 ssp_client_set_lines(struct ssp_client *, ssp_lines_fn, void *);
/* Lines 1..n delivered so far (n = 0: none yet). */
uint64_t ssp_client_lines(const struct ssp_client *);
/*
 * 1 while the newest screen is ahead of the lines delivered: more that
 * scrolled off before it are still to come, in later frames.
 */
int	 ssp_client_lines_behind(const struct ssp_client *);
/* 1: the screen changed, 0: it did not, or LN_E_DROP(reason), counted. */
int	 ssp_client_input(struct ssp_client *, const uint8_t *, size_t,
	     uint64_t);
/* The newest screen; valid until the next ssp_client_input(). */
const struct fb *ssp_client_screen(const struct ssp_client *);
uint64_t ssp_client_screen_num(const struct ssp_client *);
/* Queued and sent at once; LN_E_FULL when SSP_INPUT_QUEUE_MAX is queued. */
int	 ssp_client_send_keys(struct ssp_client *, const uint8_t *, size_t,
	     uint64_t);
int	 ssp_client_resize(struct ssp_client *, int, int, uint64_t);
uint64_t ssp_client_tick(struct ssp_client *, uint64_t);
/* When the last valid message arrived (creation time before any). */
/*
 * 0 while the server is answering; once a reply is overdue (a heartbeat
 * or input unanswered for RTO + ack delay), how long since the last one
 * heard. lnsh hops ports and shows its notice bar from this.
 */
uint64_t ssp_client_silence(const struct ssp_client *, uint64_t);
/* Encoded bytes of input not yet acknowledged. */
size_t	 ssp_client_pending(const struct ssp_client *);
uint64_t ssp_client_srtt(const struct ssp_client *);
const struct ln_counters *ssp_client_counters(const struct ssp_client *);

/*
 * ssp.c: what both endpoints share: the RTT estimate from echoed
 * timestamps, message decoding and sending. Internal to ssp*.c.
 */
struct Lnsh__SyncMessage;
struct ssp_link {
	ssp_send_fn		 send;
	void			*ctx;
	struct ln_counters	 counters;
	uint64_t		 srtt_ns, rttvar_ns, rto_ns;
	int			 rtt_sampled;
	uint32_t		 peer_ts;	/* last timestamp heard */
	uint64_t		 peer_ts_at;	/* when */
	int			 peer_ts_held;	/* not echoed yet */
	uint64_t		 last_heard;
	uint64_t		 last_tx;
	int			 zaccept;	/* we take zframes (client) */
	int			 zpeer;		/* the peer said it does */
	void			*zc, *zd;	/* ZSTD_CCtx, ZSTD_DCtx */
};
void	 ssp_link_init(struct ssp_link *, ssp_send_fn, void *, uint64_t);
void	 ssp_link_free(struct ssp_link *);
int	 ssp_unzframe(struct ssp_link *, const uint8_t *, size_t, uint8_t **,
	     size_t *);
int	 ssp_decode(struct ssp_link *, const uint8_t *, size_t,
	     struct Lnsh__SyncMessage **);
void	 ssp_heard(struct ssp_link *, const struct Lnsh__SyncMessage *,
	     uint64_t);
int	 ssp_emit(struct ssp_link *, struct Lnsh__SyncMessage *, uint64_t);
uint64_t ssp_resend_ns(const struct ssp_link *, unsigned);
uint64_t ssp_send_interval_ns(const struct ssp_link *);

#endif /* LNSH_SSP_H */
