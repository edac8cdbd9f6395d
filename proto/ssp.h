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

/* SSP's timers and limits, SSP_*, are in proto/wire.h. */

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
/* The line budget now (SSP_SB_LINE_COST per line and its text). */
size_t	 ssp_server_sb_budget(const struct ssp_server *);
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
uint64_t ssp_backoff_ns(uint64_t, unsigned);
uint64_t ssp_resend_ns(const struct ssp_link *, unsigned);
uint64_t ssp_send_interval_ns(const struct ssp_link *);

#endif /* LNSH_SSP_H */
