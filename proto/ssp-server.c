/*
 * ssp-server.c: the server end of SSP for one attached client. It sends
 * the screen as a diff from the newest state the client acknowledged to
 * the current screen, so intermediate states are skipped under heavy
 * output, and delivers the client's input events in order, exactly once.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "ssp.h"
#include "sync.pb-c.h"

/*
 * A screen state we sent: num 0 (fb NULL) is the empty screen. sb: the
 * scrollback lines 1..sb are the client's once it holds this state;
 * sb_cost: what the lines its frame carried cost (SSP_SB_LINE_COST each
 * plus their text), sent_ns: when it was first sent.
 */
struct ssp_sstate {
	uint64_t	 num;
	struct fb	*fb;
	uint64_t	 sb;
	size_t		 sb_cost;
	uint64_t	 sent_ns;
};

struct ssp_server {
	struct ssp_link		 link;

	/* The screen. state[0] is the base: the newest the client acked. */
	const struct fb		*cur;		/* the caller's screen */
	int			 dirty;		/* changed since a frame */
	uint64_t		 dirty_ns;	/* first unsent change */
	struct ssp_sstate	 state[SSP_SERVER_STATES];
	size_t			 nstate;
	uint64_t		 next_num;
	uint64_t		 last_frame_ns;
	uint64_t		 pace_ns;	/* the frame interval runs from */
	int			 echo;		/* the dirty screen is an echo */
	int			 early;		/* the frame is a quiet one */
	unsigned		 backoff;	/* resends without an ack */
	/* The last diff encoded, kept for resends of the same state. */
	uint64_t		 diff_old, diff_new;
	uint8_t			*diff;
	size_t			 difflen;

	/* Scrollback: lines 1..sb_total scrolled, sb_oldest.. still held. */
	ssp_line_fn		 line_fn;
	void			*line_ctx;
	uint64_t		 sb_total, sb_oldest;
	int			 sb_behind;	/* a frame could not carry all */
	/*
	 * The lines srv_sb_target fetched to measure a new state, oldest
	 * first: the frame srv_send makes of that state in the same call
	 * (fetched_new) carries them, without fetching them again (a
	 * holder encodes a line on each fetch; its texts last only until
	 * the call returns).
	 */
	struct ssp_line		*fetched;
	size_t			 nfetched, fetchcap;
	int			 fetched_new;
	/*
	 * Flood deferral: output changes (of the screen or the lines)
	 * since burst_ns with no pause (srv_pause_ns), the last at
	 * change_ns. sb_deferred: a frame left lines behind because of a
	 * flood, so a frame goes once the output pauses.
	 */
	int			 changed;	/* change_ns is set */
	uint64_t		 change_ns, burst_ns;
	int			 sb_deferred;
	/*
	 * The line budget (AIMD): the cost of lines one frame may carry.
	 * States up to sb_cut_num were sent before the last cut, so their
	 * loss is not news.
	 */
	size_t			 sb_budget;
	uint64_t		 sb_cut_num;

	/* The input stream. */
	/* events 1..delivered applied */
	uint64_t		 delivered;
	uint64_t		 input_ns;	/* the last delivery; 0: none */
	Lnsh__SyncMessage	*held[SSP_INPUT_HOLD];	/* past a gap */
	size_t			 nheld;
	int			 ack_due;
	uint64_t		 ack_due_ns;
};

/* Creates the server end for a client that just attached. */
struct ssp_server *
ssp_server_new(const struct fb *initial, ssp_send_fn send, void *ctx,
    uint64_t now)
{
	struct ssp_server	*s;

	s = xcalloc(1, sizeof *s);
	ssp_link_init(&s->link, send, ctx, now);
	s->cur = initial;
	s->state[0].num = 0;
	s->state[0].fb = NULL;
	s->nstate = 1;
	s->next_num = 1;
	s->sb_budget = SSP_SB_FRAME_BYTES;
	/* The first frame (the whole screen) goes at once. */
	s->dirty = 1;
	s->dirty_ns = now >= SSP_COLLECT_NS ? now - SSP_COLLECT_NS : 0;
	return (s);
}

/* Frees the server end and every snapshot it holds. */
void
ssp_server_free(struct ssp_server *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nstate; i++)
		if (s->state[i].fb != NULL)
			fb_free(s->state[i].fb);
	for (i = 0; i < s->nheld; i++)
		lnsh__sync_message__free_unpacked(s->held[i], NULL);
	free(s->diff);
	free(s->fetched);
	ssp_link_free(&s->link);
	free(s);
}

/*
 * How long the output must stay quiet for a flood to end: at least
 * SSP_FLOOD_PAUSE_NS and two frame intervals, so that the gaps of a
 * flood on a loaded machine do not end it (ssp.h).
 */
static uint64_t
srv_pause_ns(const struct ssp_server *s)
{
	uint64_t	 p = 2 * ssp_send_interval_ns(&s->link);

	return (p > SSP_FLOOD_PAUSE_NS ? p : SSP_FLOOD_PAUSE_NS);
}

/*
 * Whether a change at now is the echo of input: the output was quiet for
 * a frame interval before it, it comes within SSP_ECHO_NS of input
 * delivered, no frame went since that input, and the frame interval since
 * the last paced frame has passed. Its frame skips the collection
 * interval and does not restart the frame interval (srv_frame_time),
 * so the output that may follow it (a command's, after the echo of Enter)
 * is collected as before. A flood is never quiet that long, so it stays
 * paced.
 */
static int
srv_is_echo(const struct ssp_server *s, uint64_t now)
{
	uint64_t	 iv = ssp_send_interval_ns(&s->link);

	return ((!s->changed || now - s->change_ns >= iv) &&
	    s->input_ns != 0 && now - s->input_ns <= SSP_ECHO_NS &&
	    s->last_frame_ns <= s->input_ns && s->pace_ns + iv <= now);
}

/*
 * Notes output at now: a change after a pause (srv_pause_ns) starts a
 * new burst; the frame goes when pacing allows, or at once for an echo.
 */
static void
srv_changed(struct ssp_server *s, uint64_t now)
{
	if (!s->dirty) {
		s->dirty = 1;
		s->dirty_ns = now;
		s->echo = srv_is_echo(s, now);
	}
	if (!s->changed || now - s->change_ns >= srv_pause_ns(s))
		s->burst_ns = now;
	s->changed = 1;
	s->change_ns = now;
}

/* Notes that the screen changed; the frame goes when pacing allows. */
void
ssp_server_update(struct ssp_server *s, const struct fb *current,
    uint64_t now)
{
	s->cur = current;
	srv_changed(s, now);
}

/* Says where lines come from, and which the client is taken to hold. */
void
ssp_server_set_lines(struct ssp_server *s, uint64_t base, ssp_line_fn fn,
    void *ctx)
{
	s->line_fn = fn;
	s->line_ctx = ctx;
	s->state[0].sb = base;
	if (s->sb_total < base)
		s->sb_total = base;
	if (s->sb_oldest <= base)
		s->sb_oldest = base + 1;
}

/* More lines scrolled off (or the oldest held moved on). */
void
ssp_server_scrolled(struct ssp_server *s, uint64_t total, uint64_t oldest,
    uint64_t now)
{
	if (total == s->sb_total && oldest == s->sb_oldest)
		return;
	s->sb_total = total;
	s->sb_oldest = oldest;
	srv_changed(s, now);
}

/* Removes state i from the list, freeing its snapshot. */
static void
srv_drop_state(struct ssp_server *s, size_t i)
{
	if (s->state[i].fb != NULL)
		fb_free(s->state[i].fb);
	memmove(&s->state[i], &s->state[i + 1],
	    (s->nstate - i - 1) * sizeof s->state[0]);
	s->nstate--;
}

/*
 * The client holds state ack_num: it becomes the base and older states
 * go. An ack for a state we culled means the client may no longer hold
 * our base either, so we fall back to the empty screen (a full diff)
 * rather than risk diffing forever from a state it dropped.
 */
static void
srv_ack(struct ssp_server *s, uint64_t ack_num)
{
	uint64_t	 sb = s->state[0].sb;
	size_t	 i;

	if (ack_num <= s->state[0].num || ack_num >= s->next_num)
		return;
	for (i = 1; i < s->nstate; i++) {
		if (s->state[i].num == ack_num)
			break;
	}
	if (i == s->nstate) {
		while (s->nstate > 1 && s->state[1].num < ack_num)
			srv_drop_state(s, 1);
		/*
		 * The client holds at least the old base's lines, so its
		 * sb stays: lines are never sent twice on that account.
		 */
		if (s->state[0].fb != NULL)
			fb_free(s->state[0].fb);
		s->state[0].num = 0;
		s->state[0].fb = NULL;
	} else {
		while (i-- > 0)
			srv_drop_state(s, 0);
		/*
		 * Nor do its lines go back: a state made while a flood
		 * deferred the backlog records the base's lines of its
		 * time, fewer than a frame acked since may have carried,
		 * and the client keeps every line it was given.
		 */
		if (s->state[0].sb < sb)
			s->state[0].sb = sb;
		/* A frame got through: the budget grows by one step. */
		s->sb_budget += SSP_SB_BUDGET_STEP;
		if (s->sb_budget > SSP_SB_FRAME_BYTES)
			s->sb_budget = SSP_SB_FRAME_BYTES;
	}
	s->backoff = 0;
	/* A backlog of lines continues now that the base moved. */
	if (s->sb_behind && !s->dirty) {
		s->dirty = 1;
		s->dirty_ns = s->link.last_heard;
	}
}

/* Checks an input body against the limits: 0 or LN_E_DROP. */
static int
srv_check_events(const Lnsh__SyncMessage *m)
{
	const Lnsh__SyncInput	*in = m->input;
	size_t			 i;

	if (in->n_event > SSP_MSG_EVENTS_MAX ||
	    m->new_num - m->old_num != in->n_event)
		return (LN_E_DROP(LN_DROP_MESSAGE));
	for (i = 0; i < in->n_event; i++) {
		const Lnsh__SyncEvent	*e = in->event[i];

		switch (e->kind_case) {
		case LNSH__SYNC_EVENT__KIND_KEYS:
			if (e->keys.len < 1 || e->keys.len > SSP_EVENT_MAX)
				return (LN_E_DROP(LN_DROP_MESSAGE));
			break;
		case LNSH__SYNC_EVENT__KIND_RESIZE:
			if (e->resize->cols < 1 ||
			    e->resize->cols > FB_MAX_COLS ||
			    e->resize->rows < 1 ||
			    e->resize->rows > FB_MAX_ROWS)
				return (LN_E_DROP(LN_DROP_MESSAGE));
			break;
		default:
			return (LN_E_DROP(LN_DROP_MESSAGE));
		}
	}
	return (0);
}

/* Delivers the events of a checked body that we have not delivered yet. */
static void
srv_deliver(struct ssp_server *s, const Lnsh__SyncMessage *m,
    uint64_t now, ssp_event_fn fn, void *arg)
{
	const Lnsh__SyncInput	*in = m->input;
	struct ssp_event	 ev;
	size_t			 i;

	for (i = (size_t)(s->delivered - m->old_num); i < in->n_event; i++) {
		const Lnsh__SyncEvent	*e = in->event[i];

		memset(&ev, 0, sizeof ev);
		ev.num = m->old_num + i + 1;
		if (e->kind_case == LNSH__SYNC_EVENT__KIND_KEYS) {
			ev.type = SSP_EV_KEYS;
			ev.data = e->keys.data;
			ev.len = e->keys.len;
		} else {
			ev.type = SSP_EV_RESIZE;
			ev.cols = (int)e->resize->cols;
			ev.rows = (int)e->resize->rows;
		}
		s->delivered = ev.num;
		s->input_ns = now;
		if (fn != NULL)
			fn(arg, &ev);
	}
}

/*
 * Delivers what held messages now continue, and forgets the ones
 * wholly delivered.
 */
static void
srv_unhold(struct ssp_server *s, uint64_t now, ssp_event_fn fn, void *arg)
{
	size_t	 i;
	int	 again = 1;

	while (again) {
		again = 0;
		for (i = 0; i < s->nheld; i++) {
			Lnsh__SyncMessage	*h = s->held[i];

			if (h->old_num <= s->delivered &&
			    h->new_num > s->delivered) {
				srv_deliver(s, h, now, fn, arg);
				again = 1;
			}
			if (h->new_num <= s->delivered) {
				lnsh__sync_message__free_unpacked(h, NULL);
				s->held[i--] = s->held[--s->nheld];
			}
		}
	}
}

/*
 * An input body: delivered if it continues what we delivered, held if it
 * is ahead (a reordered or lost predecessor: the paste case, where
 * going back to the gap every round would crawl), else a duplicate.
 * Returns 1 when the message is held (now owned here).
 */
static int
srv_events(struct ssp_server *s, Lnsh__SyncMessage *m, size_t len,
    uint64_t now, ssp_event_fn fn, void *arg)
{
	size_t	 i;
	int	 error;

	if ((error = srv_check_events(m)) != 0)
		return (error);
	if (m->new_num <= s->delivered)
		return (LN_E_DROP(LN_DROP_REL_DUPLICATE));
	if (m->old_num > s->delivered) {
		for (i = 0; i < s->nheld; i++) {
			if (s->held[i]->old_num == m->old_num)
				return (LN_E_DROP(LN_DROP_REL_DUPLICATE));
		}
		if (s->nheld == SSP_INPUT_HOLD || len > SSP_INPUT_HOLD_MAX ||
		    m->old_num - s->delivered > SSP_INPUT_WINDOW)
			return (LN_E_DROP(LN_DROP_STATE));
		s->held[s->nheld++] = m;
		return (1);
	}
	srv_deliver(s, m, now, fn, arg);
	srv_unhold(s, now, fn, arg);
	return (0);
}

/*
 * A message from the client: its ack and timestamps count whatever its
 * body; input events are delivered through fn, in order, once each.
 * Rejections are counted here and returned.
 */
int
ssp_server_input(struct ssp_server *s, const uint8_t *p, size_t len,
    uint64_t now, ssp_event_fn fn, void *arg)
{
	Lnsh__SyncMessage	*m;
	int			 error, held = 0;
	int			 first = s->link.counters.messages_in == 0;

	if ((error = ssp_decode(&s->link, p, len, &m)) != 0)
		return (error);
	if (m->body_case == LNSH__SYNC_MESSAGE__BODY_SCREEN) {
		error = LN_E_DROP(LN_DROP_MESSAGE);
		goto out;
	}
	if (m->body_case == LNSH__SYNC_MESSAGE__BODY_INPUT) {
		error = srv_events(s, m, len, now, fn, arg);
		if (error == LN_E_DROP(LN_DROP_MESSAGE))
			goto out;
		if (error == 1)
			held = 1;
	}
	ssp_heard(&s->link, m, now);
	srv_ack(s, m->ack_num);
	/*
	 * The client's first word: the lines the first frame held back
	 * (srv_sb_target) go with the next frame, not after its ack.
	 */
	if (first && s->sb_behind && !s->dirty) {
		s->dirty = 1;
		s->dirty_ns = now;
	}
	/*
	 * Input is acknowledged after a short delay (a frame leaving sooner
	 * carries the ack); a probe is answered at once, and the answer
	 * carries the screen if the client is behind: after an outage the
	 * client's probe is what tells us the path works again.
	 */
	if (m->probe) {
		s->ack_due = 1;
		s->ack_due_ns = now;
		s->backoff = 0;
	} else if (m->body_case == LNSH__SYNC_MESSAGE__BODY_INPUT &&
	    (!s->ack_due || s->ack_due_ns > now + SSP_ACK_DELAY_NS)) {
		s->ack_due = 1;
		s->ack_due_ns = now + SSP_ACK_DELAY_NS;
	}
out:
	if (!held)
		lnsh__sync_message__free_unpacked(m, NULL);
	if (error < 0) {
		ln_count(&s->link.counters, error);
		return (error);
	}
	return (0);
}

/*
 * Whether output is flooding at now: it has changed without a pause
 * (srv_pause_ns) for at least one frame interval, and has not paused
 * since. A single burst (a command's output, the attach) is not a flood.
 */
static int
srv_flooding(const struct ssp_server *s, uint64_t now)
{
	uint64_t	 iv = ssp_send_interval_ns(&s->link);

	return (s->changed && now - s->change_ns < srv_pause_ns(s) &&
	    now - s->burst_ns >= iv);
}

/* Keeps a line fetched in this call (s->fetched). */
static void
srv_fetched_add(struct ssp_server *s, const struct ssp_line *l)
{
	if (s->nfetched == s->fetchcap) {
		s->fetchcap = s->fetchcap == 0 ? 64 : s->fetchcap * 2;
		s->fetched = xreallocarray(s->fetched, s->fetchcap,
		    sizeof *s->fetched);
	}
	s->fetched[s->nfetched++] = *l;
}

/*
 * How far a new state's scrollback may reach: every line scrolled, unless
 * the lines the base lacks exceed one frame's share; then as many as fit,
 * and the rest follow once the client acknowledges (sb_behind). The share
 * is the frame limits and the loss budget (sb_budget), but always at
 * least one line, so that the lines make progress at any budget. *costp
 * is what the lines cost against the budget.
 *
 * During a flood a backlog that exceeds the share is deferred: the state
 * carries no lines (the base's sb) and they go once output pauses, when
 * only the newest the server still holds are left to send. Sent now,
 * most would be pushed out of the client's scrollback (no larger than
 * the server's ring) by the lines that follow; deferred, the ones that
 * leave the ring meanwhile are skipped.
 */
static uint64_t
srv_sb_target(struct ssp_server *s, uint64_t now, size_t *costp)
{
	struct ssp_line	 l;
	uint64_t	 num, from = s->state[0].sb + 1;
	size_t		 n = 0, bytes = 0, cost = 0, len;
	int		 flood = srv_flooding(s, now);

	s->sb_behind = 0;
	s->sb_deferred = 0;
	s->nfetched = 0;
	*costp = 0;
	if (s->line_fn == NULL || s->sb_total < from)
		return (s->sb_total);
	if (from < s->sb_oldest)
		from = s->sb_oldest;
	/*
	 * Until the client is heard from, frames carry the screen alone:
	 * its first message says whether it takes zframes, and the lines
	 * (the attach push, up to SSP_SB_FRAME_BYTES of them) wait for it,
	 * going with the next frame (ssp_server_input). Heard: ssp_heard
	 * counted a message in.
	 */
	if (s->link.counters.messages_in == 0) {
		s->sb_behind = 1;
		return (s->state[0].sb);
	}
	/* Too many for any frame: no need to fetch them to know. */
	if (flood && s->sb_total - from >= SSP_SB_FRAME_LINES) {
		s->sb_behind = s->sb_deferred = 1;
		return (s->state[0].sb);
	}
	for (num = from; num <= s->sb_total; num++) {
		/*
		 * A line the source cannot give is skipped only ahead of
		 * the frame's first: the client numbers a frame's lines
		 * back from its total, so a gap inside would give the
		 * lines before it their successors' numbers. One inside
		 * ends the frame there; the next starts past it.
		 */
		if (s->line_fn(s->line_ctx, num, &l) != 0) {
			if (n == 0)
				continue;
			s->sb_behind = 1;
			*costp = cost;
			return (num - 1);
		}
		len = l.len < LN_SB_LINE_MAX ? l.len : LN_SB_LINE_MAX;
		if (n == SSP_SB_FRAME_LINES ||
		    bytes + len > SSP_SB_FRAME_BYTES ||
		    (n > 0 && cost + len + SSP_SB_LINE_COST > s->sb_budget)) {
			s->sb_behind = 1;
			if (flood) {
				s->sb_deferred = 1;
				return (s->state[0].sb);
			}
			*costp = cost;
			return (num - 1);
		}
		l.len = len;
		srv_fetched_add(s, &l);
		n++;
		bytes += len;
		cost += len + SSP_SB_LINE_COST;
	}
	*costp = cost;
	return (s->sb_total);
}

/*
 * Makes the current screen a new numbered state, unless it equals the
 * last one sent (rows compare by pointer first); 1 if it made one. Past
 * SSP_SERVER_STATES a state from the middle goes, as mosh does: the base
 * must stay, and the newest are the ones an ack will name.
 */
static int
srv_snapshot(struct ssp_server *s, uint64_t now)
{
	struct ssp_sstate	*last = &s->state[s->nstate - 1];
	size_t			 cost;
	uint64_t		 sb = srv_sb_target(s, now, &cost);

	s->dirty = 0;
	s->fetched_new = 0;
	if (last->fb != NULL && last->sb == sb && fb_equal(last->fb, s->cur)) {
		s->echo = s->early = 0;
		return (0);
	}
	s->fetched_new = 1;
	if (s->nstate == SSP_SERVER_STATES)
		srv_drop_state(s, SSP_SERVER_STATES / 2);
	last = &s->state[s->nstate++];
	last->num = s->next_num++;
	last->fb = fb_snapshot(s->cur);
	last->sb = sb;
	last->sb_cost = cost;
	last->sent_ns = now;
	return (1);
}

/*
 * Fills a frame's lines: those the newest state has and the base lacks,
 * the newest that fit one frame, oldest first: for a state just made,
 * the ones its srv_sb_target fetched (fetched: it fitted them in,
 * from the same base); else fetched again. Returns how many; *lp and *pp
 * are allocated for the caller to free.
 */
static size_t
srv_lines(struct ssp_server *s, Lnsh__SyncMessage *m, int fetched,
    Lnsh__SyncLine **lp, Lnsh__SyncLine ***pp)
{
	const struct ssp_sstate	*base = &s->state[0];
	const struct ssp_sstate	*last = &s->state[s->nstate - 1];
	struct ssp_line		 l;
	uint64_t		 lo = base->sb + 1, num;
	size_t			 n, bytes = 0, i;

	*lp = NULL;
	*pp = NULL;
	m->has_sb_total = 1;
	m->sb_total = last->sb;
	if (s->line_fn != NULL && last->sb < s->sb_total) {
		m->has_sb_more = 1;
		m->sb_more = 1;
	}
	if (s->line_fn == NULL || last->sb < lo)
		return (0);
	if (lo < s->sb_oldest)
		lo = s->sb_oldest;
	if (!fetched) {
		/* Newest first, so the oldest are what is left. */
		s->nfetched = 0;
		for (num = last->sb; num >= lo &&
		    s->nfetched < SSP_SB_FRAME_LINES; num--) {
			if (s->line_fn(s->line_ctx, num, &l) != 0)
				break;
			if (l.len > LN_SB_LINE_MAX)
				l.len = LN_SB_LINE_MAX;
			if (bytes + l.len > SSP_SB_FRAME_BYTES)
				break;
			bytes += l.len;
			srv_fetched_add(s, &l);
		}
		for (i = 0; i < s->nfetched / 2; i++) {
			l = s->fetched[i];
			s->fetched[i] = s->fetched[s->nfetched - 1 - i];
			s->fetched[s->nfetched - 1 - i] = l;
		}
	}
	if ((n = s->nfetched) == 0)
		return (0);
	*lp = xcalloc(n, sizeof **lp);
	*pp = xcalloc(n, sizeof **pp);
	for (i = 0; i < n; i++) {
		lnsh__sync_line__init(&(*lp)[i]);
		(*lp)[i].has_text = 1;
		(*lp)[i].text.data = (uint8_t *)(uintptr_t)s->fetched[i].text;
		(*lp)[i].text.len = s->fetched[i].len;
		if (s->fetched[i].wrapped) {
			(*lp)[i].has_wrapped = 1;
			(*lp)[i].wrapped = 1;
		}
		(*pp)[i] = &(*lp)[i];
	}
	m->n_line = n;
	m->line = *pp;
	return (n);
}

/*
 * Sends the newest state as a diff from the base (or, with nothing
 * unacked, an empty message carrying our ack). The diff is kept so that
 * resending the same state costs no diffing.
 */
static void
srv_send(struct ssp_server *s, uint64_t now)
{
	Lnsh__SyncMessage	 m;
	const struct ssp_sstate	*base = &s->state[0];
	const struct ssp_sstate	*last = &s->state[s->nstate - 1];
	Lnsh__SyncLine		*lines = NULL, **linep = NULL;
	int			 fetched = s->fetched_new;

	s->fetched_new = 0;
	lnsh__sync_message__init(&m);
	s->ack_due = 0;
	m.has_ack_num = 1;
	m.ack_num = s->delivered;
	if (last->num != base->num) {
		s->last_frame_ns = now;
		/*
		 * An echo's frame leaves the frame interval as it was; a
		 * quiet one takes the next interval's slot (srv_quiet_time);
		 * any other restarts the interval, but never gives back a
		 * slot a quiet frame took.
		 */
		if (s->early)
			s->pace_ns += ssp_send_interval_ns(&s->link);
		else if (!s->echo && now > s->pace_ns)
			s->pace_ns = now;
		s->echo = s->early = 0;
		if (s->diff == NULL || s->diff_old != base->num ||
		    s->diff_new != last->num) {
			free(s->diff);
			s->diff = NULL;
			if (fb_diff(base->fb, last->fb, &s->diff,
			    &s->difflen) != 0)
				return;
			s->diff_old = base->num;
			s->diff_new = last->num;
		}
		m.has_old_num = m.has_new_num = 1;
		m.old_num = base->num;
		m.new_num = last->num;
		m.body_case = LNSH__SYNC_MESSAGE__BODY_SCREEN;
		m.screen.data = s->diff;
		m.screen.len = s->difflen;
		srv_lines(s, &m, fetched, &lines, &linep);
		s->link.counters.messages_out++;
	}
	(void)ssp_emit(&s->link, &m, now);
	free(lines);
	free(linep);
}

/*
 * When a quiet frame may go, or UINT64_MAX: once the output that made
 * the screen dirty has been quiet for SSP_QUIET_NS, the frame need not
 * wait out the frame interval: it takes the next interval's slot
 * instead (srv_send moves pace_ns on by one interval), so the frames
 * still average at most one per interval however the output stutters,
 * and a slot already taken is never taken twice (not before pace_ns).
 * Only for a change of the output: a frame made dirty by an ack (the
 * next share of a backlog of lines) keeps the interval.
 */
static uint64_t
srv_quiet_time(const struct ssp_server *s)
{
	uint64_t	 q = s->change_ns + SSP_QUIET_NS;

	if (!s->changed || s->change_ns < s->dirty_ns)
		return (UINT64_MAX);
	return (q > s->pace_ns ? q : s->pace_ns);
}

/*
 * When a changed screen may go out: a short collection interval after
 * the first change, so a burst becomes one frame, and no sooner than the
 * frame interval after the previous frame (not counting an echo's),
 * unless the output has gone quiet (srv_quiet_time): the last screen of
 * a burst or a flood is the one the user waits for. An echo
 * (srv_is_echo) goes at once.
 */
static uint64_t
srv_frame_time(const struct ssp_server *s)
{
	uint64_t	 f = s->dirty_ns + SSP_COLLECT_NS, g, q;

	if (s->echo)
		return (s->dirty_ns);
	if (s->pace_ns != 0) {
		g = s->pace_ns + ssp_send_interval_ns(&s->link);
		if ((q = srv_quiet_time(s)) < g)
			g = q;
		if (g > f)
			f = g;
	}
	return (f);
}

/*
 * How long the client's ack of a frame may take before the frame counts
 * as lost (it is resent, and the line budget cut): ssp_resend_ns's wait,
 * but with RTO at least SSP_ACK_LATE_NS over the smoothed RTT. RTO allows
 * four RTT deviations over SRTT, and on a steady path those fall to a
 * few milliseconds, less than a clean link's acks can be late while a
 * flood loads the machine (wire.h). The client's input keeps the plain
 * RTO: a needless resend of input costs a few bytes, a needless cut of
 * the line budget the scrollback's pace after a flood.
 */
static uint64_t
srv_ack_wait_ns(const struct ssp_server *s, unsigned backoff)
{
	uint64_t	 rto = s->link.rto_ns;

	if (rto < s->link.srtt_ns + SSP_ACK_LATE_NS)
		rto = s->link.srtt_ns + SSP_ACK_LATE_NS;
	return (ssp_backoff_ns(rto + SSP_ACK_DELAY_NS, backoff));
}

/*
 * When the unacked newest state is resent, or UINT64_MAX. The client
 * acks a lone frame within SSP_ACK_DELAY_NS, but the ack of continuous
 * output (a frame within SSP_ACK_COALESCE_NS of the one before) up to
 * SSP_ACK_COALESCE_NS after the first unacked frame: then the wait also
 * runs from that one. Continuous is judged here with a margin of four
 * RTT deviations (the jitter RTO allows for), so that frames we sent a
 * little more than SSP_ACK_COALESCE_NS apart but that reached the client
 * closer together do not make us resend what it is still to ack.
 */
static uint64_t
srv_resend_time(const struct ssp_server *s)
{
	uint64_t	 t, u;

	if (s->state[s->nstate - 1].num == s->state[0].num)
		return (UINT64_MAX);
	t = s->last_frame_ns + srv_ack_wait_ns(s, s->backoff);
	if (s->nstate > 2 || s->state[1].sent_ns < s->state[0].sent_ns +
	    SSP_ACK_COALESCE_NS + 4 * s->link.rttvar_ns) {
		u = s->state[1].sent_ns + srv_ack_wait_ns(s, s->backoff) +
		    SSP_ACK_COALESCE_NS - SSP_ACK_DELAY_NS;
		if (u > t)
			t = u;
	}
	return (t);
}

/*
 * When lines deferred by a flood start to drain, or UINT64_MAX: once the
 * output has paused (srv_pause_ns).
 */
static uint64_t
srv_drain_time(const struct ssp_server *s)
{
	if (!s->sb_deferred || s->dirty)
		return (UINT64_MAX);
	return (s->change_ns + srv_pause_ns(s));
}

/* When the next send is due, or UINT64_MAX. */
static uint64_t
srv_deadline(const struct ssp_server *s, uint64_t now)
{
	uint64_t	 t = UINT64_MAX, f, d;

	/* A client silent this long is gone or asleep: wait for it. */
	if (now - s->link.last_heard > SSP_ACTIVE_RETRY_NS)
		return (UINT64_MAX);
	if (s->ack_due)
		t = s->ack_due_ns;
	f = s->dirty ? srv_frame_time(s) : srv_resend_time(s);
	if ((d = srv_drain_time(s)) < f)
		f = d;
	return (f < t ? f : t);
}

/*
 * Cuts the line budget when a frame went unacknowledged past its resend
 * time: a frame of many fragments is lost if any one is, so under loss
 * only small frames get through. The cut halves what the lost frame
 * carried (not the budget: a flood may not have used it all), once per
 * window: frames sent before the last cut carried the old budget, and
 * their loss is no news. A resend is itself such a loss.
 */
static void
srv_check_loss(struct ssp_server *s, uint64_t now)
{
	const struct ssp_sstate	*st;
	uint64_t		 wait;
	size_t			 i, b;

	for (i = 1; i < s->nstate; i++) {
		st = &s->state[i];
		if (st->num <= s->sb_cut_num)
			continue;
		/* A frame without lines may wait for a coalesced ack. */
		wait = srv_ack_wait_ns(s, 0);
		if (st->sb_cost == 0)
			wait += SSP_ACK_COALESCE_NS - SSP_ACK_DELAY_NS;
		if (st->sent_ns + wait > now)
			continue;
		b = st->sb_cost < s->sb_budget ? st->sb_cost : s->sb_budget;
		b /= 2;
		s->sb_budget = b > SSP_SB_BUDGET_MIN ? b : SSP_SB_BUDGET_MIN;
		s->sb_cut_num = s->next_num - 1;
		return;
	}
}

/*
 * Sends the one thing most due: a new frame, an ack, or a resend. A
 * resend after a budget cut is a new state of the same screen carrying
 * fewer lines (the client skips lines it already has, if the bigger frame
 * did arrive); only a resend that could not shrink backs off.
 */
static void
srv_due(struct ssp_server *s, uint64_t now)
{
	int	 fresh = 0;

	srv_check_loss(s, now);
	/* The flood paused: a frame with the deferred lines goes. */
	if (srv_drain_time(s) <= now) {
		s->dirty = 1;
		s->dirty_ns = now >= SSP_COLLECT_NS ? now - SSP_COLLECT_NS : 0;
	}
	if (s->dirty && srv_frame_time(s) <= now) {
		/* Before the interval is up only as a quiet frame. */
		s->early = !s->echo && s->pace_ns != 0 &&
		    now < s->pace_ns + ssp_send_interval_ns(&s->link);
		fresh = srv_snapshot(s, now);
	}
	if (fresh || (s->ack_due && s->ack_due_ns <= now))
		srv_send(s, now);
	else if (!s->dirty && srv_resend_time(s) <= now) {
		if (!srv_snapshot(s, now))
			s->backoff++;
		s->link.counters.retransmits++;
		srv_send(s, now);
	}
}

/* Sends everything due and returns the next deadline. */
uint64_t
ssp_server_tick(struct ssp_server *s, uint64_t now)
{
	uint64_t	 t;
	int		 i;

	/* Each send moves its own deadline past now; the bound is a guard. */
	for (i = 0; (t = srv_deadline(s, now)) <= now && i < 8; i++)
		srv_due(s, now);
	return (t);
}

/* When the client was last heard from. */
uint64_t
ssp_server_last_heard(const struct ssp_server *s)
{
	return (s->link.last_heard);
}

/* The smoothed round-trip time to the client. */
uint64_t
ssp_server_srtt(const struct ssp_server *s)
{
	return (s->link.srtt_ns);
}

/* The cost of the lines one frame may carry now (the loss budget). */
size_t
ssp_server_sb_budget(const struct ssp_server *s)
{
	return (s->sb_budget);
}

/* What this endpoint sent, received and dropped. */
const struct ln_counters *
ssp_server_counters(const struct ssp_server *s)
{
	return (&s->link.counters);
}
