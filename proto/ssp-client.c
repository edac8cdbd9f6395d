/*
 * ssp-client.c: the client end of SSP. It applies the server's screen
 * diffs to copies of the states it holds and acknowledges the newest, and
 * sends the user's input as numbered events, at once, resending from the
 * server's ack until acknowledged. It also watches the path: heartbeats
 * back off while idle, and an unanswered one makes it probe faster.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "ssp.h"
#include "sync.pb-c.h"

/* A screen state the client holds; num 0 is its blank start. */
struct ssp_cstate {
	uint64_t	 num;
	struct fb	*fb;
};

/* One queued input event; cum: encoded bytes of events 1..num. */
struct ssp_cevent {
	enum ssp_event_type	 type;
	uint8_t			*data;
	size_t			 len;
	int			 cols, rows;
	uint64_t		 cum;
};

struct ssp_client {
	struct ssp_link		 link;

	/* The screen: sorted by num, the newest last. */
	struct ssp_cstate	 state[SSP_CLIENT_STATES];
	size_t			 nstate;
	uint64_t		 throwaway;	/* server diffs from >= */
	/*
	 * The screen ack, when ack_due (cli_ack_time). ack_first_ns: when
	 * the first frame it answers came; ack_firm: one of them must not
	 * wait for coalescing (lines, or a resend); ack_flow: one came within
	 * SSP_ACK_COALESCE_NS of the frame before (continuous output);
	 * ack_now: one wants the ack at once (lines with more behind).
	 * frame_ns: when the last new state came (0: none yet).
	 */
	int			 ack_due;
	uint64_t		 ack_first_ns;
	int			 ack_firm, ack_flow, ack_now;
	uint64_t		 frame_ns;

	/* The input stream: ev[head..head+nev) are events acked+1.. */
	struct ssp_cevent	*ev;
	size_t			 head, nev, evcap;
	uint64_t		 acked, sent_hi, total;
	uint64_t		 acked_cum;
	uint64_t		 last_input_ns;
	unsigned		 backoff;

	/* The path. */
	uint64_t		 hb_ns;		/* heartbeat interval */
	/* probe interval while silent */
	uint64_t		 probe_ns;
	uint64_t		 expect_by;	/* reply due by; 0: none */

	/* Scrollback: lines 1..sb_have delivered (sb_any: some were). */
	ssp_lines_fn		 lines_fn;
	void			*lines_ctx;
	uint64_t		 sb_have;
	int			 sb_any;
	int			 sb_more;	/* the newest frame said so */
};

/* Encoded bytes an event adds to a message (an upper bound). */
static size_t
event_cost(const struct ssp_cevent *e)
{
	return (e->type == SSP_EV_KEYS ? e->len + 6 : 16);
}

/* Appends an event to the input queue. */
static void
cli_queue(struct ssp_client *c, const struct ssp_cevent *e)
{
	struct ssp_cevent	*n;
	uint64_t		 cum;

	if (c->head > 0 && c->head + c->nev == c->evcap) {
		memmove(c->ev, c->ev + c->head, c->nev * sizeof *c->ev);
		c->head = 0;
	}
	if (c->head + c->nev == c->evcap) {
		c->evcap = c->evcap ? c->evcap * 2 : 64;
		c->ev = xreallocarray(c->ev, c->evcap, sizeof *c->ev);
	}
	cum = c->nev > 0 ? c->ev[c->head + c->nev - 1].cum : c->acked_cum;
	n = &c->ev[c->head + c->nev++];
	*n = *e;
	n->cum = cum + event_cost(e);
	c->total++;
}

/* Creates the client end; its size is the first event it sends. */
struct ssp_client *
ssp_client_new(int cols, int rows, ssp_send_fn send, void *ctx, uint64_t now)
{
	struct ssp_client	*c;
	struct ssp_cevent	 e;

	if (cols < 1 || cols > FB_MAX_COLS || rows < 1 || rows > FB_MAX_ROWS)
		return (NULL);
	c = xcalloc(1, sizeof *c);
	ssp_link_init(&c->link, send, ctx, now);
	c->link.zaccept = 1;
	c->state[0].num = 0;
	c->state[0].fb = fb_new(cols, rows);
	c->nstate = 1;
	c->hb_ns = SSP_HB_MIN_NS;
	c->probe_ns = SSP_PROBE_MIN_NS;
	memset(&e, 0, sizeof e);
	e.type = SSP_EV_RESIZE;
	e.cols = cols;
	e.rows = rows;
	cli_queue(c, &e);
	return (c);
}

/* Frees the client end, its states and its queue. */
void
ssp_client_free(struct ssp_client *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nstate; i++)
		fb_free(c->state[i].fb);
	for (i = 0; i < c->nev; i++)
		free(c->ev[c->head + i].data);
	free(c->ev);
	ssp_link_free(&c->link);
	free(c);
}

/* Sets where scrollback lines go. */
void
ssp_client_set_lines(struct ssp_client *c, ssp_lines_fn fn, void *ctx)
{
	c->lines_fn = fn;
	c->lines_ctx = ctx;
}

/* The newest line number delivered. */
uint64_t
ssp_client_lines(const struct ssp_client *c)
{
	return (c->sb_have);
}

/*
 * Whether the newest screen came with lines still to follow: it is newer
 * than the scrollback delivered so far.
 */
int
ssp_client_lines_behind(const struct ssp_client *c)
{
	return (c->sb_more);
}

/* Checks a frame's lines against the limits: 0 or LN_E_DROP. */
static int
cli_check_lines(const Lnsh__SyncMessage *m)
{
	size_t	 i, bytes = 0;

	if (m->n_line > SSP_SB_FRAME_LINES || m->sb_total < m->n_line)
		return (LN_E_DROP(LN_DROP_MESSAGE));
	for (i = 0; i < m->n_line; i++) {
		if (m->line[i]->text.len > LN_SB_LINE_MAX)
			return (LN_E_DROP(LN_DROP_MESSAGE));
		bytes += m->line[i]->text.len;
	}
	if (bytes > SSP_SB_FRAME_BYTES)
		return (LN_E_DROP(LN_DROP_MESSAGE));
	return (0);
}

/*
 * Hands on the lines of a frame we are about to apply that we have not
 * delivered: a frame from an older base repeats some. A gap between the
 * last delivered and the first carried is what the server skipped.
 */
static void
cli_lines(struct ssp_client *c, const Lnsh__SyncMessage *m)
{
	struct ssp_line	*out;
	uint64_t	 first, skipped = 0;
	size_t		 i, n = 0;

	if (m->sb_total <= c->sb_have && c->sb_any)
		return;
	first = m->sb_total - m->n_line + 1;
	if (c->sb_any && first > c->sb_have + 1)
		skipped = first - c->sb_have - 1;
	out = xcalloc(m->n_line > 0 ? m->n_line : 1, sizeof *out);
	for (i = 0; i < m->n_line; i++) {
		if (c->sb_any && first + i <= c->sb_have)
			continue;
		out[n].num = first + i;
		out[n].text = (const char *)m->line[i]->text.data;
		out[n].len = m->line[i]->text.len;
		out[n].wrapped = m->line[i]->wrapped;
		n++;
	}
	if ((n > 0 || skipped > 0) && c->lines_fn != NULL)
		c->lines_fn(c->lines_ctx, out, n, skipped);
	free(out);
	c->sb_have = m->sb_total;
	c->sb_any = 1;
}

/* The encoded bytes of events acked+1..num. */
static uint64_t
cli_bytes_to(const struct ssp_client *c, uint64_t num)
{
	if (num <= c->acked)
		return (0);
	return (c->ev[c->head + (num - c->acked) - 1].cum - c->acked_cum);
}

/*
 * A reply is now due from the server, unless one already was: by the time
 * we would resend unanswered input (ssp_resend_ns).
 */
static void
cli_expect(struct ssp_client *c, uint64_t now)
{
	if (c->expect_by == 0)
		c->expect_by = now + ssp_resend_ns(&c->link, 0);
}

/*
 * Sends one message: events from..up to SSP_INPUT_MSG_MAX bytes of them
 * (none if from is the newest), our screen ack and the probe flag.
 * Returns the newest event number sent.
 */
static uint64_t
cli_send(struct ssp_client *c, uint64_t from, int probe, uint64_t now)
{
	Lnsh__SyncMessage	 m;
	Lnsh__SyncInput		 in;
	Lnsh__SyncEvent		*evs = NULL, **evp = NULL;
	Lnsh__SyncResize	*rs = NULL;
	size_t			 i, n = 0, cost = 0, first;
	uint64_t		 to = from;

	lnsh__sync_message__init(&m);
	lnsh__sync_input__init(&in);
	m.has_ack_num = 1;
	m.ack_num = c->state[c->nstate - 1].num;
	if (probe) {
		m.has_probe = 1;
		m.probe = 1;
	}
	if (from < c->total) {
		first = c->head + (size_t)(from - c->acked);
		while (first + n < c->head + c->nev && n < SSP_MSG_EVENTS_MAX &&
		    (n == 0 || cost + event_cost(&c->ev[first + n]) <=
		    SSP_INPUT_MSG_MAX))
			cost += event_cost(&c->ev[first + n++]);
		evs = xcalloc(n, sizeof *evs);
		evp = xcalloc(n, sizeof *evp);
		rs = xcalloc(n, sizeof *rs);
		for (i = 0; i < n; i++) {
			const struct ssp_cevent	*e = &c->ev[first + i];

			lnsh__sync_event__init(&evs[i]);
			if (e->type == SSP_EV_KEYS) {
				evs[i].kind_case = LNSH__SYNC_EVENT__KIND_KEYS;
				evs[i].keys.data = e->data;
				evs[i].keys.len = e->len;
			} else {
				lnsh__sync_resize__init(&rs[i]);
				rs[i].has_cols = rs[i].has_rows = 1;
				rs[i].cols = (uint32_t)e->cols;
				rs[i].rows = (uint32_t)e->rows;
				evs[i].kind_case =
				    LNSH__SYNC_EVENT__KIND_RESIZE;
				evs[i].resize = &rs[i];
			}
			evp[i] = &evs[i];
		}
		to = from + n;
		in.n_event = n;
		in.event = evp;
		m.has_old_num = m.has_new_num = 1;
		m.old_num = from;
		m.new_num = to;
		m.body_case = LNSH__SYNC_MESSAGE__BODY_INPUT;
		m.input = &in;
		/* The resend timer runs from the last send of the oldest. */
		if (from == c->acked)
			c->last_input_ns = now;
		c->link.counters.messages_out++;
		if (to > c->sent_hi)
			c->sent_hi = to;
		cli_expect(c, now);
	}
	if (probe)
		cli_expect(c, now);
	(void)ssp_emit(&c->link, &m, now);
	c->ack_due = 0;
	free(evs);
	free(evp);
	free(rs);
	return (to);
}

/*
 * Sends events from `from` on, message after message, while the window
 * (SSP_INPUT_WINDOW unacked bytes) allows; the first always goes.
 */
static void
cli_send_input(struct ssp_client *c, uint64_t from, uint64_t now)
{
	do {
		from = cli_send(c, from, 0, now);
	} while (from < c->total &&
	    cli_bytes_to(c, from) < SSP_INPUT_WINDOW);
}

/*
 * New events are queued: send them now. While everything unacked fits
 * one message, that message repeats it all from the server's ack, so a
 * lost keystroke is repaired by the next one; a paste goes in order from
 * what was already sent.
 */
static void
cli_input_now(struct ssp_client *c, uint64_t now)
{
	uint64_t	 from = c->sent_hi;

	if (cli_bytes_to(c, c->total) <= SSP_INPUT_MSG_MAX)
		from = c->acked;
	if (from < c->total && cli_bytes_to(c, from) < SSP_INPUT_WINDOW)
		cli_send_input(c, from, now);
	c->hb_ns = SSP_HB_MIN_NS;
}

/* Queues typed bytes (split into events of SSP_EVENT_MAX) and sends. */
int
ssp_client_send_keys(struct ssp_client *c, const uint8_t *p, size_t len,
    uint64_t now)
{
	struct ssp_cevent	 e;
	size_t			 n;

	if (len == 0)
		return (0);
	if (cli_bytes_to(c, c->total) + len > SSP_INPUT_QUEUE_MAX)
		return (LN_E_FULL);
	while (len > 0) {
		n = len < SSP_EVENT_MAX ? len : SSP_EVENT_MAX;
		memset(&e, 0, sizeof e);
		e.type = SSP_EV_KEYS;
		e.data = xmemdup(p, n);
		e.len = n;
		cli_queue(c, &e);
		p += n;
		len -= n;
	}
	cli_input_now(c, now);
	return (0);
}

/* Queues a resize event and sends it. */
int
ssp_client_resize(struct ssp_client *c, int cols, int rows, uint64_t now)
{
	struct ssp_cevent	 e;

	if (cols < 1 || cols > FB_MAX_COLS || rows < 1 || rows > FB_MAX_ROWS)
		return (LN_E_INVAL);
	memset(&e, 0, sizeof e);
	e.type = SSP_EV_RESIZE;
	e.cols = cols;
	e.rows = rows;
	cli_queue(c, &e);
	cli_input_now(c, now);
	return (0);
}

/* The server holds events 1..ack_num: forget them. */
static void
cli_ack(struct ssp_client *c, uint64_t ack_num)
{
	struct ssp_cevent	*e;

	if (ack_num <= c->acked || ack_num > c->sent_hi)
		return;
	while (c->acked < ack_num) {
		e = &c->ev[c->head++];
		c->nev--;
		c->acked++;
		c->acked_cum = e->cum;
		free(e->data);
	}
	if (c->nev == 0)
		c->head = 0;
	c->backoff = 0;
}

/* Removes screen state i, freeing it. */
static void
cli_drop_state(struct ssp_client *c, size_t i)
{
	fb_free(c->state[i].fb);
	memmove(&c->state[i], &c->state[i + 1],
	    (c->nstate - i - 1) * sizeof c->state[0]);
	c->nstate--;
}

/*
 * Applies a screen diff from a state we hold to a copy of it and makes
 * the result our newest state. The server never again diffs from a state
 * older than this diff's base, so those go; past SSP_CLIENT_STATES the
 * oldest goes unless it is that base.
 */
static int
cli_screen(struct ssp_client *c, const Lnsh__SyncMessage *m)
{
	struct fb	*fb;
	size_t		 i;

	if (m->new_num <= c->state[c->nstate - 1].num)
		return (LN_E_DROP(LN_DROP_REL_DUPLICATE));
	if (cli_check_lines(m) != 0)
		return (LN_E_DROP(LN_DROP_MESSAGE));
	if (m->old_num == 0)
		fb = fb_new(1, 1);
	else {
		for (i = 0; i < c->nstate; i++) {
			if (c->state[i].num == m->old_num)
				break;
		}
		if (i == c->nstate)
			return (LN_E_DROP(LN_DROP_STATE));
		fb = fb_snapshot(c->state[i].fb);
	}
	if (fb_apply(fb, m->screen.data, m->screen.len) != 0) {
		fb_free(fb);
		return (LN_E_DROP(LN_DROP_MESSAGE));
	}
	cli_lines(c, m);
	c->sb_more = m->sb_more;
	if (m->old_num > c->throwaway)
		c->throwaway = m->old_num;
	while (c->nstate > 0 && c->state[0].num < c->throwaway)
		cli_drop_state(c, 0);
	if (c->nstate == SSP_CLIENT_STATES)
		cli_drop_state(c, c->state[0].num == c->throwaway ? 1 : 0);
	c->state[c->nstate].num = m->new_num;
	c->state[c->nstate].fb = fb;
	c->nstate++;
	return (1);
}

/*
 * Schedules the ack of a screen frame (fresh: a new state we applied).
 * - A frame that carried lines and says more follow is acked at once:
 *   the server sends the next share of the backlog on our ack.
 * - A lone frame (an echo, a prompt) is acked SSP_ACK_DELAY_NS after it
 *   came, unless input carries the ack sooner.
 * - Under continuous output (a new state within SSP_ACK_COALESCE_NS of
 *   the one before) the ack waits SSP_ACK_COALESCE_NS from the first
 *   unacked frame, so a flood costs one ack per 100 ms, not one per frame
 *   or per 50 ms; the server's resend and loss timers allow for that
 *   (server_resend_time, server_check_loss).
 * - Frames with lines (the next frames repeat every line the base lacks,
 *   so a stale base costs bytes the other way) and frames we already had
 *   (the server is resending: it waits for us) keep the short delay.
 */
static void
cli_ack_later(struct ssp_client *c, const Lnsh__SyncMessage *m,
    int fresh, uint64_t now)
{
	int	 flow;

	flow = fresh && c->frame_ns != 0 &&
	    now - c->frame_ns < SSP_ACK_COALESCE_NS;
	if (fresh)
		c->frame_ns = now;
	if (!c->ack_due) {
		c->ack_due = 1;
		c->ack_first_ns = now;
		c->ack_firm = c->ack_flow = c->ack_now = 0;
	}
	if (!fresh || m->n_line > 0)
		c->ack_firm = 1;
	if (flow)
		c->ack_flow = 1;
	if (fresh && m->sb_more && m->n_line > 0)
		c->ack_now = 1;
}

/*
 * When the due screen ack goes (cli_ack_later). "At once" (ack_now) is
 * any time already past: the first frame's.
 */
static uint64_t
cli_ack_time(const struct ssp_client *c)
{
	if (c->ack_now)
		return (c->ack_first_ns);
	return (c->ack_first_ns + (c->ack_flow && !c->ack_firm ?
	    SSP_ACK_COALESCE_NS : SSP_ACK_DELAY_NS));
}

/*
 * A message from the server. Its ack and timestamps count whatever its
 * body; a screen body is acknowledged after a short delay (sooner if
 * input leaves first), even a duplicate: the server resends when our
 * ack was lost.
 */
int
ssp_client_input(struct ssp_client *c, const uint8_t *p, size_t len,
    uint64_t now)
{
	Lnsh__SyncMessage	*m;
	int			 error, silent;

	if ((error = ssp_decode(&c->link, p, len, &m)) != 0)
		return (error);
	silent = c->expect_by != 0 && now >= c->expect_by;
	if (m->body_case == LNSH__SYNC_MESSAGE__BODY_INPUT) {
		error = LN_E_DROP(LN_DROP_MESSAGE);
		goto out;
	}
	if (m->body_case == LNSH__SYNC_MESSAGE__BODY_SCREEN &&
	    (error = cli_screen(c, m)) == LN_E_DROP(LN_DROP_MESSAGE))
		goto out;
	ssp_heard(&c->link, m, now);
	c->expect_by = 0;
	c->probe_ns = SSP_PROBE_MIN_NS;
	cli_ack(c, m->ack_num);
	/* The path works again: what is unacked goes now, not backed off. */
	if (silent && c->sent_hi > c->acked) {
		c->backoff = 0;
		c->last_input_ns = 0;
	}
	if (m->body_case == LNSH__SYNC_MESSAGE__BODY_SCREEN) {
		cli_ack_later(c, m, error == 1, now);
		if (error == 1)
			c->hb_ns = SSP_HB_MIN_NS;
	}
out:
	lnsh__sync_message__free_unpacked(m, NULL);
	if (error < 0)
		ln_count(&c->link.counters, error);
	return (error);
}

/* When the next heartbeat (or, while a reply is overdue, probe) goes. */
static uint64_t
cli_heartbeat_time(const struct ssp_client *c, uint64_t now)
{
	if (c->expect_by != 0 && now >= c->expect_by)
		return (c->link.last_tx + c->probe_ns);
	return (c->link.last_tx + c->hb_ns);
}

/* When the unacked events are resent, or UINT64_MAX. */
static uint64_t
cli_resend_time(const struct ssp_client *c)
{
	if (c->sent_hi <= c->acked)
		return (UINT64_MAX);
	return (c->last_input_ns + ssp_resend_ns(&c->link, c->backoff));
}

/* When the next send is due. */
static uint64_t
cli_deadline(const struct ssp_client *c, uint64_t now)
{
	uint64_t	 t, u;

	t = cli_heartbeat_time(c, now);
	if (c->expect_by != 0 && c->expect_by > now && c->expect_by < t)
		t = c->expect_by;	/* to switch to probing on time */
	if (c->ack_due && cli_ack_time(c) < t)
		t = cli_ack_time(c);
	if ((u = cli_resend_time(c)) < t)
		t = u;
	/* Events the window held back go as soon as it opens. */
	if (c->sent_hi < c->total &&
	    cli_bytes_to(c, c->sent_hi) < SSP_INPUT_WINDOW)
		t = now;
	return (t);
}

/* Sends the one thing most due: input, a resend, an ack, a heartbeat. */
static void
cli_due(struct ssp_client *c, uint64_t now)
{
	int	 silent;

	silent = c->expect_by != 0 && now >= c->expect_by;
	if (c->sent_hi < c->total &&
	    cli_bytes_to(c, c->sent_hi) < SSP_INPUT_WINDOW)
		cli_send_input(c, c->sent_hi, now);
	else if (cli_resend_time(c) <= now) {
		c->backoff++;
		c->link.counters.retransmits++;
		cli_send_input(c, c->acked, now);
	} else if (c->ack_due && cli_ack_time(c) <= now)
		cli_send(c, c->total, 0, now);
	else if (cli_heartbeat_time(c, now) <= now) {
		cli_send(c, c->total, 1, now);
		if (silent) {
			c->probe_ns *= 2;
			if (c->probe_ns > SSP_PROBE_MAX_NS)
				c->probe_ns = SSP_PROBE_MAX_NS;
		} else {
			c->hb_ns *= 2;
			if (c->hb_ns > SSP_HB_MAX_NS)
				c->hb_ns = SSP_HB_MAX_NS;
		}
	}
}

/* Sends everything due and returns the next deadline. */
uint64_t
ssp_client_tick(struct ssp_client *c, uint64_t now)
{
	uint64_t	 t;
	int		 i;

	/* Each send moves its own deadline past now; the bound is a guard. */
	for (i = 0; (t = cli_deadline(c, now)) <= now && i < 8; i++)
		cli_due(c, now);
	return (t);
}

/* The newest screen the client holds. */
const struct fb *
ssp_client_screen(const struct ssp_client *c)
{
	return (c->state[c->nstate - 1].fb);
}

/* The number of the newest screen state (0: none received yet). */
uint64_t
ssp_client_screen_num(const struct ssp_client *c)
{
	return (c->state[c->nstate - 1].num);
}

/* How long the server has been silent, once a reply is overdue. */
uint64_t
ssp_client_silence(const struct ssp_client *c, uint64_t now)
{
	if (c->expect_by == 0 || now < c->expect_by)
		return (0);
	return (now - c->link.last_heard);
}

/* Encoded bytes of input not yet acknowledged by the server. */
size_t
ssp_client_pending(const struct ssp_client *c)
{
	return ((size_t)cli_bytes_to(c, c->total));
}

/* The smoothed round-trip time to the server. */
uint64_t
ssp_client_srtt(const struct ssp_client *c)
{
	return (c->link.srtt_ns);
}

/* What this endpoint sent, received and dropped. */
const struct ln_counters *
ssp_client_counters(const struct ssp_client *c)
{
	return (&c->link.counters);
}
