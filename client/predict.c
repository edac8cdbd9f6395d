/*
 * predict.c: predictive local echo, as mosh does it. Typed printable
 * characters, backspace and cursor left/right are guessed onto the screen
 * at once; the server's screen confirms or refutes each guess.
 *
 * Predictions live only here and in the overlay built from them for the
 * display: the synced screen (ssp_client_screen) is never written, so a
 * wrong guess disappears by itself at the next draw.
 *
 * Confidence comes in epochs. Predictions of an epoch are shown only once
 * one prediction of that epoch has been confirmed by the server; anything
 * that makes the outcome of typing uncertain (Enter, a control key, an
 * escape sequence we do not model, a wrong guess) starts a new epoch,
 * whose first predictions stay hidden until the server echoes one. A
 * session that does not echo (a password prompt) therefore never confirms
 * its epoch: its predictions time out unseen and are dropped.
 *
 * A prediction is judged once the server holds the keystroke (the caller
 * says so through predict_acked) and has had PREDICT_GRACE_NS plus one
 * SRTT to echo it: if the screen then shows it, it is confirmed, else it
 * is wrong, every prediction is rolled back and a new epoch begins.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fb.h"
#include "client.h"

#define PREDICT_MAX		256	/* predictions outstanding */
#define PREDICT_GRACE_NS	(100 * LN_NS_PER_MS)
/* Adaptive mode: show predictions above this SRTT, stop below the low. */
#define PREDICT_SHOW_SRTT_NS	(30 * LN_NS_PER_MS)
#define PREDICT_HIDE_SRTT_NS	(20 * LN_NS_PER_MS)
/* Underline unconfirmed predictions above this SRTT, stop below the low. */
#define PREDICT_FLAG_SRTT_NS	(80 * LN_NS_PER_MS)
#define PREDICT_UNFLAG_SRTT_NS	(50 * LN_NS_PER_MS)
/* A confirmation this late counts as a glitch: show and flag for a while. */
#define PREDICT_GLITCH_NS	(250 * LN_NS_PER_MS)
#define PREDICT_GLITCH_HOLD_NS	(5000 * LN_NS_PER_MS)

/* One guess: a cell written (cp != 0) or a cursor move only (cp == 0). */
struct prediction {
	int		 x, y;		/* the cell guessed, if any */
	uint32_t	 cp;
	int		 cx, cy;	/* the cursor after it */
	uint64_t	 epoch;
	uint64_t	 typed;		/* when */
	uint64_t	 acked;		/* when the server had it; 0: not yet */
};

struct predict {
	int		 mode;		/* PREDICT_* */
	uint64_t	 srtt;
	int		 show_srtt, flag_srtt;	/* with hysteresis */
	uint64_t	 glitch_until;
	uint64_t	 epoch;		/* the epoch new predictions join */
	uint64_t	 confirmed;	/* newest epoch the server confirmed */
	int		 blind;		/* no cursor to predict from */
	int		 esc;		/* 1: after ESC, 2: after ESC [ or O */
	struct prediction p[PREDICT_MAX];
	size_t		 n;
	struct fb	*overlay;
	struct predict_stats stats;
};

/* A prediction engine in one of the PREDICT_* modes. */
struct predict *
predict_new(int mode)
{
	struct predict	*pr;

	pr = xcalloc(1, sizeof *pr);
	pr->mode = mode;
	pr->epoch = 1;
	return (pr);
}

void
predict_free(struct predict *pr)
{
	if (pr == NULL)
		return;
	fb_free(pr->overlay);
	free(pr);
}

/* The smoothed RTT, which decides (adaptive mode) whether to show. */
void
predict_set_srtt(struct predict *pr, uint64_t srtt)
{
	pr->srtt = srtt;
	if (srtt > PREDICT_SHOW_SRTT_NS)
		pr->show_srtt = 1;
	else if (srtt < PREDICT_HIDE_SRTT_NS)
		pr->show_srtt = 0;
	if (srtt > PREDICT_FLAG_SRTT_NS)
		pr->flag_srtt = 1;
	else if (srtt < PREDICT_UNFLAG_SRTT_NS)
		pr->flag_srtt = 0;
}

/*
 * Drops every prediction and starts a new, unconfirmed epoch: after a
 * wrong guess, a resize or a new screen from a reattach.
 */
void
predict_reset(struct predict *pr)
{
	pr->n = 0;
	pr->epoch++;
	pr->esc = 0;
}

/* A new epoch: what follows is uncertain until the server echoes it. */
static void
predict_new_epoch(struct predict *pr)
{
	pr->epoch++;
}

/* Where the next keystroke lands: after the last guess, or the screen's. */
static void
predict_cursor(const struct predict *pr, const struct fb *fb, int *x, int *y)
{
	if (pr->n > 0) {
		*x = pr->p[pr->n - 1].cx;
		*y = pr->p[pr->n - 1].cy;
	} else {
		*x = fb->cursor.x;
		*y = fb->cursor.y;
	}
}

/* Records one guess. */
static void
predict_add(struct predict *pr, int x, int y, uint32_t cp, int cx, int cy,
    uint64_t now)
{
	struct prediction	*p;

	if (pr->n == PREDICT_MAX) {
		predict_reset(pr);
		pr->blind = 1;
		return;
	}
	p = &pr->p[pr->n++];
	p->x = x;
	p->y = y;
	p->cp = cp;
	p->cx = cx;
	p->cy = cy;
	p->epoch = pr->epoch;
	p->typed = now;
	p->acked = 0;
	pr->stats.predicted++;
}

/* A cursor key (ESC [ C or D) typed. */
static void
predict_move(struct predict *pr, const struct fb *fb, int dx, uint64_t now)
{
	size_t	i;
	int	x, y, end;

	predict_cursor(pr, fb, &x, &y);
	if (y < 0 || y >= fb->rows) {
		predict_new_epoch(pr);
		return;
	}
	/* Right moves only over text already there, as the shell allows. */
	end = fb->row[y]->used;
	for (i = 0; i < pr->n; i++) {
		if (pr->p[i].y != y || pr->p[i].cp == 0)
			continue;
		if (pr->p[i].cp != ' ' && pr->p[i].x + 1 > end)
			end = pr->p[i].x + 1;
		else if (pr->p[i].cp == ' ' && pr->p[i].x + 1 == end)
			end = pr->p[i].x;	/* backspace at the end */
	}
	if ((dx < 0 && x == 0) || (dx > 0 && x + 1 > end) ||
	    x + dx >= fb->cols) {
		predict_new_epoch(pr);
		return;
	}
	predict_add(pr, -1, -1, 0, x + dx, y, now);
}

/* One typed byte outside an escape sequence. */
static void
predict_byte(struct predict *pr, const struct fb *fb, uint8_t c, uint64_t now)
{
	int	x, y;

	predict_cursor(pr, fb, &x, &y);
	if (c >= 0x20 && c < 0x7f) {
		/*
		 * At the last column the terminal's wrap rules decide where
		 * the cursor goes: leave that to the server.
		 */
		if (pr->blind || y < 0 || y >= fb->rows || x < 0 ||
		    x >= fb->cols - 1) {
			predict_new_epoch(pr);
			pr->blind = 1;
			return;
		}
		predict_add(pr, x, y, c, x + 1, y, now);
		return;
	}
	if (c == 0x7f || c == 0x08) {
		if (pr->blind || x <= 0 || y < 0 || y >= fb->rows) {
			predict_new_epoch(pr);
			return;
		}
		predict_add(pr, x - 1, y, ' ', x - 1, y, now);
		return;
	}
	if (c == 0x1b) {
		pr->esc = 1;
		return;
	}
	/* Enter and every other control: the outcome is the server's. */
	predict_new_epoch(pr);
	pr->blind = 1;
}

/*
 * Bytes the user typed (and that were sent), guessed against fb, the
 * screen as last received from the server.
 */
void
predict_keys(struct predict *pr, const struct fb *fb, const uint8_t *data,
    size_t len, uint64_t now)
{
	size_t	i;
	uint8_t	c;

	if (pr->mode == PREDICT_NEVER)
		return;
	for (i = 0; i < len; i++) {
		c = data[i];
		if (pr->esc == 1) {
			pr->esc = (c == '[' || c == 'O') ? 2 : 0;
			if (pr->esc == 0)
				predict_new_epoch(pr);
			continue;
		}
		if (pr->esc == 2) {
			if (c >= 0x40 && c <= 0x7e) {
				pr->esc = 0;
				if (c == 'C' && !pr->blind)
					predict_move(pr, fb, 1, now);
				else if (c == 'D' && !pr->blind)
					predict_move(pr, fb, -1, now);
				else
					predict_new_epoch(pr);
			}
			continue;
		}
		predict_byte(pr, fb, c, now);
	}
}

/* The server holds everything typed so far. */
void
predict_acked(struct predict *pr, uint64_t now)
{
	size_t	i;

	for (i = 0; i < pr->n; i++)
		if (pr->p[i].acked == 0)
			pr->p[i].acked = now;
}

/* Does the screen show what p guessed? */
static int
predict_matches(const struct prediction *p, const struct fb *fb)
{
	const struct fb_cell	*c;

	if (p->cp == 0)
		return (fb->cursor.x == p->cx && fb->cursor.y == p->cy);
	if (p->y >= fb->rows || p->x >= fb->cols)
		return (0);
	c = &fb->row[p->y]->cells[p->x];
	if (c->attr & (FB_WIDE | FB_CONT))
		return (0);
	return (c->cp == p->cp || (p->cp == ' ' && c->cp == 0));
}

/*
 * Judges predictions against a new screen (or as time passes): the newest
 * one the screen confirms confirms those before it; one overdue and not
 * shown is wrong, and rolls everything back.
 */
void
predict_update(struct predict *pr, const struct fb *fb, uint64_t now)
{
	const struct prediction	*p;
	size_t			 i, k, done = 0;
	uint64_t		 due;

	if (pr->n == 0) {
		/* Caught up: the server's cursor is a basis again. */
		pr->blind = 0;
		return;
	}
	for (i = pr->n; i > 0; i--) {
		p = &pr->p[i - 1];
		if (p->acked != 0 && predict_matches(p, fb)) {
			done = i;
			break;
		}
	}
	for (k = 0; k < done; k++) {
		p = &pr->p[k];
		if (p->epoch > pr->confirmed)
			pr->confirmed = p->epoch;
		if (now - p->typed > PREDICT_GLITCH_NS + pr->srtt)
			pr->glitch_until = now + PREDICT_GLITCH_HOLD_NS;
		pr->stats.confirmed++;
	}
	if (done > 0) {
		memmove(pr->p, pr->p + done, (pr->n - done) * sizeof pr->p[0]);
		pr->n -= done;
	}
	for (i = 0; i < pr->n; i++) {
		p = &pr->p[i];
		if (p->acked == 0)
			continue;
		due = p->acked + PREDICT_GRACE_NS + pr->srtt;
		if (now >= due && !predict_matches(p, fb)) {
			if (p->epoch <= pr->confirmed)
				pr->stats.wrong++;
			else
				pr->stats.unechoed++;
			predict_reset(pr);
			pr->blind = 1;
			return;
		}
	}
	if (pr->n == 0)
		pr->blind = 0;
}

/* When predict_update has something to judge next (UINT64_MAX: never). */
uint64_t
predict_deadline(const struct predict *pr)
{
	uint64_t	next = UINT64_MAX, due;
	size_t		i;

	for (i = 0; i < pr->n; i++) {
		if (pr->p[i].acked == 0)
			continue;
		due = pr->p[i].acked + PREDICT_GRACE_NS + pr->srtt;
		if (due < next)
			next = due;
	}
	return (next);
}

static int
predict_showing(const struct predict *pr, uint64_t now)
{
	switch (pr->mode) {
	case PREDICT_ALWAYS:
		return (1);
	case PREDICT_ADAPTIVE:
		return (pr->show_srtt || now < pr->glitch_until);
	default:
		return (0);
	}
}

/*
 * The screen to draw: fb with the shown predictions over it (underlined
 * on a slow link), or fb itself when none is shown. The overlay belongs
 * to the engine and is valid until the next call.
 */
const struct fb *
predict_apply(struct predict *pr, const struct fb *fb, uint64_t now)
{
	const struct prediction	*p;
	const struct fb_cell	*c;
	struct fb_pen		 pen;
	struct fb		*o = NULL;
	size_t			 i;
	int			 flag, shown = 0;

	fb_free(pr->overlay);
	pr->overlay = NULL;
	if (pr->n == 0 || !predict_showing(pr, now))
		return (fb);
	flag = pr->flag_srtt || now < pr->glitch_until;
	for (i = 0; i < pr->n; i++) {
		p = &pr->p[i];
		if (p->epoch > pr->confirmed)
			break;
		if (p->cy >= fb->rows || p->cx >= fb->cols)
			break;
		if (o == NULL)
			o = fb_snapshot(fb);
		shown++;
		o->cursor.x = p->cx;
		o->cursor.y = p->cy;
		if (p->cp == 0)
			continue;
		/* The pen of the cell before, as the shell would write. */
		c = &fb->row[p->y]->cells[p->x > 0 ? p->x - 1 : p->x];
		pen.fg = c->fg;
		pen.bg = c->bg;
		pen.attr = c->attr & FB_ATTR_MASK;
		if (flag)
			pen.attr = (pen.attr & ~FB_UNDERLINE_MASK) |
			    (1 << FB_UNDERLINE_SHIFT);
		fb_put(o, p->x, p->y, &p->cp, 1, 1, &pen);
	}
	if (o == NULL)
		return (fb);
	pr->stats.shown = (unsigned)shown;
	pr->overlay = o;
	return (o);
}

/* Counters, for tests and the attach client's debugging. */
const struct predict_stats *
predict_stats(const struct predict *pr)
{
	return (&pr->stats);
}
