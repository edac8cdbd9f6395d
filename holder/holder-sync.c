/*
 * holder-sync.c: the server end of SSP, in the session holder. Each client
 * lnshd attaches gets its own ssp_server (proto/ssp.h) run directly on the
 * emulator's screen and scrollback: one framebuffer per session, one diff
 * per frame per client, and SSP's frame clock the only pacing. lnshd
 * relays the SSP messages both ways as opaque bytes (holder.proto, Sync)
 * and never sees the screen.
 *
 * A client belongs to a connection (lnshd's) and carries lnshd's number
 * for it. When it goes without detaching (lnshd died, or its channel
 * peer was forgotten) its ssp_server is kept, orphaned, for
 * LN_HOLDER_RESUME_SEC: an Attach with its token (random, from libsodium)
 * on any connection takes it over, so that the client's numbered input
 * events and the screen states it acknowledged carry on where they were.
 *
 * The session's size follows tmux's "latest" policy: the size of the
 * client that attached or typed last.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sodium.h>

#include "holder.h"
#include "ssp.h"

struct hsync;

/* One attached (or orphaned) client. */
struct hclient {
	struct hsync		*hs;
	void			*conn;		/* NULL: orphaned */
	uint32_t		 id;		/* lnshd's number on conn */
	struct ssp_server	*ssp;
	struct event		*timer;
	uint8_t			 token[LN_HOLDER_TOKEN_LEN];
	uint64_t		 orphan_ns;	/* when it lost its conn */
	int			 cols, rows;	/* its terminal; 0: unknown */
	TAILQ_ENTRY(hclient)	 entry;
};
TAILQ_HEAD(hclients, hclient);

struct hsync {
	struct event_base	*base;
	struct emu		*emu;
	const struct hsync_ops	*ops;
	void			*arg;
	struct hclients		 clients;	/* orphans included */
	struct hclient		*latest;	/* whose size the session has */
	struct event		*reap;		/* orphans' expiry */
	uint64_t		 keep_ns;	/* how long orphans are kept */
	/* Line texts handed to an ssp_server call, freed after it. */
	char			**texts;
	size_t			 ntexts, textcap;
	/*
	 * While the program holds a synchronized update open: hsync's own
	 * snapshot of the screen the emulator kept (emu_held), update
	 * number gen, with the scrollback's total then (hsync_view).
	 */
	struct fb		*frozen;
	uint64_t		 frozen_gen, frozen_total;
};

/* Frees the line texts the last ssp_server call asked for. */
static void
hsync_texts_free(struct hsync *hs)
{
	size_t	i;

	for (i = 0; i < hs->ntexts; i++)
		free(hs->texts[i]);
	hs->ntexts = 0;
}

/* ssp_line_fn: scrollback line num from the emulator's scrollback. */
static int
hsync_line(void *arg, uint64_t num, struct ssp_line *l)
{
	struct hsync		*hs = arg;
	const struct scrollback	*sb = emu_scrollback(hs->emu);
	struct fb_text		 t;
	uint64_t		 total = sb_total(sb), oldest;

	oldest = total - sb_count(sb) + 1;
	if (num < oldest || num > total)
		return (LN_E_STATE);
	memset(&t, 0, sizeof t);
	if (sb_line(sb, (size_t)(num - oldest), 1, &t) != 0) {
		free(t.p);
		return (LN_E_STATE);
	}
	if (hs->ntexts == hs->textcap) {
		hs->textcap = hs->textcap == 0 ? 64 : hs->textcap * 2;
		hs->texts = xreallocarray(hs->texts, hs->textcap,
		    sizeof *hs->texts);
	}
	hs->texts[hs->ntexts++] = t.p;
	l->num = num;
	l->text = t.p != NULL ? t.p : "";
	l->len = t.len;
	l->wrapped = sb_wrapped(sb, (size_t)(num - oldest));
	return (0);
}

/* ssp_send_fn: one SSP message for the client, through its connection. */
static int
hsync_send(void *arg, const uint8_t *p, size_t len)
{
	struct hclient	*hc = arg;

	if (hc->conn == NULL)
		return (LN_E_STATE);	/* orphaned: a loss, as SSP sees it */
	return (hc->hs->ops->send(hc->hs->arg, hc->conn, hc->id, p, len));
}

/* Runs a client's SSP timers and sets its event for the next one. */
static void
hsync_arm(struct hclient *hc, uint64_t now)
{
	struct timeval	 tv;
	uint64_t	 t, wait;

	t = ssp_server_tick(hc->ssp, now);
	hsync_texts_free(hc->hs);
	if (t == UINT64_MAX) {
		evtimer_del(hc->timer);
		return;
	}
	wait = t > now ? t - now : 0;
	ln_ns_timeval(wait, &tv);
	evtimer_add(hc->timer, &tv);
}

/* A client's SSP timer. */
static void
hsync_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	hsync_arm(arg, ln_now_ns());
}

/* Gives the session the latest client's size, if it has one. */
static void
hsync_size(struct hsync *hs)
{
	struct hclient	*hc = hs->latest;

	if (hc == NULL || hc->cols < 1 || hc->rows < 1)
		return;
	hs->ops->resize(hs->arg, hc->cols, hc->rows);
}

/* Picks a new latest client: any still attached. */
static void
hsync_pick_latest(struct hsync *hs)
{
	struct hclient	*hc;

	hs->latest = NULL;
	TAILQ_FOREACH(hc, &hs->clients, entry) {
		if (hc->conn != NULL)
			hs->latest = hc;
	}
	hsync_size(hs);
}

/* Frees one client. */
static void
hsync_free_client(struct hclient *hc)
{
	struct hsync	*hs = hc->hs;

	TAILQ_REMOVE(&hs->clients, hc, entry);
	ssp_server_free(hc->ssp);
	event_free(hc->timer);
	sodium_memzero(hc->token, sizeof hc->token);
	if (hs->latest == hc)
		hsync_pick_latest(hs);
	free(hc);
}

/* Frees orphans kept past keep_ns; re-arms for the next one. */
static void
hsync_reap(struct hsync *hs, uint64_t now)
{
	struct hclient	*hc, *next;
	struct timeval	 tv;
	uint64_t	 keep = hs->keep_ns, first = 0;

	for (hc = TAILQ_FIRST(&hs->clients); hc != NULL; hc = next) {
		next = TAILQ_NEXT(hc, entry);
		if (hc->conn != NULL)
			continue;
		if (now - hc->orphan_ns >= keep)
			hsync_free_client(hc);
		else if (first == 0 || hc->orphan_ns < first)
			first = hc->orphan_ns;
	}
	if (first == 0) {
		evtimer_del(hs->reap);
		return;
	}
	tv.tv_sec = (time_t)((first + keep - now) / LN_NS_PER_SEC) + 1;
	tv.tv_usec = 0;
	evtimer_add(hs->reap, &tv);
}

/* The orphans' expiry timer. */
static void
hsync_reap_cb(evutil_socket_t fd, short what, void *arg)
{
	hsync_reap(arg, ln_now_ns());
}

/*
 * How long an orphan is kept, in ns: LN_HOLDER_RESUME_SEC, or (test only,
 * docs/hacking.md) LNSH_TEST_RESUME_SEC from lnshd's environment, 1 to
 * LN_HOLDER_RESUME_SEC, so that a test sees the expiry within its time.
 */
static uint64_t
hsync_keep_ns(void)
{
	uint64_t	ns;

	ns = ln_test_env_ns("LNSH_TEST_RESUME_SEC", LN_NS_PER_SEC, 1,
	    LN_HOLDER_RESUME_SEC);
	return (ns != 0 ? ns : LN_HOLDER_RESUME_SEC * LN_NS_PER_SEC);
}

/* The SSP state of a session's clients, on emu's screen and scrollback. */
struct hsync *
hsync_new(struct event_base *base, struct emu *emu,
    const struct hsync_ops *ops, void *arg)
{
	struct hsync	*hs;

	hs = xcalloc(1, sizeof *hs);
	hs->base = base;
	hs->emu = emu;
	hs->ops = ops;
	hs->arg = arg;
	TAILQ_INIT(&hs->clients);
	hs->reap = evtimer_new(base, hsync_reap_cb, hs);
	hs->keep_ns = hsync_keep_ns();
	return (hs);
}

/* Frees every client and the state. */
void
hsync_free(struct hsync *hs)
{
	if (hs == NULL)
		return;
	while (!TAILQ_EMPTY(&hs->clients)) {
		hs->latest = NULL;
		hsync_free_client(TAILQ_FIRST(&hs->clients));
	}
	hsync_texts_free(hs);
	free(hs->texts);
	fb_free(hs->frozen);
	event_free(hs->reap);
	free(hs);
}

/* Clients attached through a connection (orphans not counted). */
unsigned
hsync_count(const struct hsync *hs)
{
	const struct hclient	*hc;
	unsigned		 n = 0;

	TAILQ_FOREACH(hc, &hs->clients, entry) {
		if (hc->conn != NULL)
			n++;
	}
	return (n);
}

/* The client id on conn, or NULL. */
static struct hclient *
hsync_find(struct hsync *hs, void *conn, uint32_t id)
{
	struct hclient	*hc;

	TAILQ_FOREACH(hc, &hs->clients, entry) {
		if (hc->conn == conn && hc->id == id)
			return (hc);
	}
	return (NULL);
}

/*
 * What the clients are to see now: the emulator's screen, with lines
 * 1..*total scrolled and *oldest.. still held; or, while the program
 * holds a synchronized update open (emu_held), the screen from when it
 * began, and only the lines scrolled by then. That screen is copied
 * into hsync's own snapshot, so that no ssp_server points to one the
 * emulator has freed: a snapshot no longer wanted goes to *old, for the
 * caller to free once every server has been given the new screen.
 */
static const struct fb *
hsync_view(struct hsync *hs, uint64_t *total, uint64_t *oldest,
    struct fb **old)
{
	const struct scrollback	*sb = emu_scrollback(hs->emu);
	const struct fb		*held;
	uint64_t		 htotal, gen;

	*total = sb_total(sb);
	*oldest = *total - sb_count(sb) + 1;
	*old = NULL;
	held = emu_held(hs->emu, &htotal, &gen);
	if (hs->frozen != NULL && (held == NULL || gen != hs->frozen_gen)) {
		*old = hs->frozen;
		hs->frozen = NULL;
	}
	if (held != NULL && hs->frozen == NULL) {
		hs->frozen = fb_snapshot(held);
		hs->frozen_gen = gen;
		hs->frozen_total = htotal;
	}
	if (hs->frozen == NULL)
		return (emu_screen(hs->emu));
	*total = hs->frozen_total;
	if (*oldest > *total + 1)
		*oldest = *total + 1;
	return (hs->frozen);
}

/* Starts a new client's SSP server, pushing recent scrollback. */
static struct hclient *
hsync_start(struct hsync *hs, uint64_t now)
{
	const struct fb		*screen;
	struct hclient		*hc;
	struct fb		*old;
	uint64_t		 total, oldest, push;

	screen = hsync_view(hs, &total, &oldest, &old);
	hc = xcalloc(1, sizeof *hc);
	hc->hs = hs;
	hc->timer = evtimer_new(hs->base, hsync_timer_cb, hc);
	randombytes_buf(hc->token, sizeof hc->token);
	push = total + 1 - oldest;
	if (push > HOLDER_PUSH_LINES)
		push = HOLDER_PUSH_LINES;
	hc->ssp = ssp_server_new(screen, hsync_send, hc, now);
	ssp_server_set_lines(hc->ssp, total - push, hsync_line, hs);
	ssp_server_scrolled(hc->ssp, total, oldest, now);
	TAILQ_INSERT_TAIL(&hs->clients, hc, entry);
	/* The others still show the snapshot going: give them the new. */
	if (old != NULL) {
		hsync_changed(hs);
		fb_free(old);
	}
	return (hc);
}

/*
 * A full holder's way out when it has no orphan: the attached client it
 * has heard nothing from for longest, if that silence is past
 * SSP_ACTIVE_RETRY_NS (SSP has stopped sending to it: its machine slept,
 * its lnsh was killed, and lnshd keeps its connection for minutes). NULL
 * if every client was heard from since: a live client is never evicted.
 */
static struct hclient *
hsync_evictable(struct hsync *hs, uint64_t now)
{
	struct hclient	*hc, *quiet = NULL;
	uint64_t	 heard, oldest = 0;

	TAILQ_FOREACH(hc, &hs->clients, entry) {
		heard = ssp_server_last_heard(hc->ssp);
		if (hc->conn != NULL && (quiet == NULL || heard < oldest)) {
			quiet = hc;
			oldest = heard;
		}
	}
	if (quiet == NULL || now < oldest ||
	    now - oldest <= SSP_ACTIVE_RETRY_NS)
		return (NULL);
	return (quiet);
}

/*
 * Makes room for one more client at LN_HOLDER_CLIENTS_MAX: the oldest orphan
 * goes, else a silent attached client (hsync_evictable), of which lnshd
 * is told (ops->evicted) so that it detaches it; should that client come
 * back, its silent SSP makes it attach again. LN_E_FULL if neither.
 */
static int
hsync_make_room(struct hsync *hs, uint64_t now)
{
	struct hclient	*hc;
	unsigned	 n = 0;
	uint64_t	 silent;

	TAILQ_FOREACH(hc, &hs->clients, entry)
		n++;
	if (n < LN_HOLDER_CLIENTS_MAX)
		return (0);
	TAILQ_FOREACH(hc, &hs->clients, entry) {
		if (hc->conn == NULL)
			break;
	}
	if (hc == NULL && (hc = hsync_evictable(hs, now)) != NULL &&
	    hs->ops->evicted != NULL) {
		silent = now - ssp_server_last_heard(hc->ssp);
		hs->ops->evicted(hs->arg, hc->conn, hc->id,
		    (unsigned)(silent / LN_NS_PER_SEC));
	}
	if (hc == NULL)
		return (LN_E_FULL);
	hsync_free_client(hc);
	return (0);
}

/*
 * Attaches client id on conn (cols x rows: its terminal, 0 if unknown).
 * With a resume token (LN_HOLDER_TOKEN_LEN bytes) that matches a client
 * kept or attached elsewhere, that client's SSP state is taken over and
 * *resumed set; otherwise a new one starts. The client's token goes to
 * token. 0, or LN_E_FULL at LN_HOLDER_CLIENTS_MAX when no orphan and no
 * silent client (hsync_evictable) can make room.
 */
int
hsync_attach(struct hsync *hs, void *conn, uint32_t id, int cols, int rows,
    const uint8_t *resume, uint8_t *token, int *resumed)
{
	struct hclient	*hc = NULL, *old;
	uint64_t	 now = ln_now_ns();

	/* A number reused on its connection: the old client left. */
	if ((old = hsync_find(hs, conn, id)) != NULL)
		hsync_free_client(old);
	if (resume != NULL) {
		TAILQ_FOREACH(hc, &hs->clients, entry) {
			if (sodium_memcmp(hc->token, resume,
			    sizeof hc->token) == 0)
				break;
		}
	}
	*resumed = hc != NULL;
	if (hc == NULL) {
		if (hsync_make_room(hs, now) != 0)
			return (LN_E_FULL);
		hc = hsync_start(hs, now);
	}
	hc->conn = conn;
	hc->id = id;
	if (cols > 0 && rows > 0) {
		hc->cols = cols;
		hc->rows = rows;
	}
	memcpy(token, hc->token, sizeof hc->token);
	hs->latest = hc;
	hsync_size(hs);
	hsync_reap(hs, now);
	return (0);
}

/*
 * Starts client id on conn sending, once the answer to its attach has
 * gone: lnshd relays nothing for a client before it has that answer.
 */
void
hsync_start_sending(struct hsync *hs, void *conn, uint32_t id)
{
	struct hclient	*hc;

	if ((hc = hsync_find(hs, conn, id)) != NULL)
		hsync_arm(hc, ln_now_ns());
}

/* ssp_event_fn: the client typed or resized; it becomes the latest. */
static void
hsync_event(void *arg, const struct ssp_event *ev)
{
	struct hclient	*hc = arg;
	struct hsync	*hs = hc->hs;

	hs->latest = hc;
	if (ev->type == SSP_EV_RESIZE) {
		hc->cols = ev->cols;
		hc->rows = ev->rows;
		hsync_size(hs);
		return;
	}
	hsync_size(hs);
	hs->ops->keys(hs->arg, ev->data, ev->len);
}

/* An SSP message from client id on conn; unknown clients' are dropped. */
void
hsync_input(struct hsync *hs, void *conn, uint32_t id, const uint8_t *p,
    size_t len)
{
	struct hclient	*hc;
	uint64_t	 now = ln_now_ns();

	if ((hc = hsync_find(hs, conn, id)) == NULL)
		return;
	(void)ssp_server_input(hc->ssp, p, len, now, hsync_event, hc);
	hsync_texts_free(hs);
	hsync_arm(hc, now);
}

/* Orphans a client, keeping its state for LN_HOLDER_RESUME_SEC. */
static void
hsync_orphan(struct hclient *hc, uint64_t now)
{
	struct hsync	*hs = hc->hs;

	hc->conn = NULL;
	hc->id = 0;
	hc->orphan_ns = now;
	evtimer_del(hc->timer);
	if (hs->latest == hc)
		hsync_pick_latest(hs);
}

/* Client id on conn left; keep: it may come back with its token. */
void
hsync_detach(struct hsync *hs, void *conn, uint32_t id, int keep)
{
	struct hclient	*hc;
	uint64_t	 now = ln_now_ns();

	if ((hc = hsync_find(hs, conn, id)) == NULL)
		return;
	if (!keep) {
		hsync_free_client(hc);
		return;
	}
	hsync_orphan(hc, now);
	hsync_reap(hs, now);
}

/* A connection went: its clients are kept for resuming. */
void
hsync_conn_gone(struct hsync *hs, void *conn)
{
	struct hclient	*hc;
	uint64_t	 now = ln_now_ns();

	TAILQ_FOREACH(hc, &hs->clients, entry) {
		if (hc->conn == conn)
			hsync_orphan(hc, now);
	}
	hsync_reap(hs, now);
}

/* The screen or the scrollback changed: every attached client hears. */
void
hsync_changed(struct hsync *hs)
{
	const struct fb		*screen;
	struct hclient		*hc;
	struct fb		*old;
	uint64_t		 now = ln_now_ns(), total, oldest;

	screen = hsync_view(hs, &total, &oldest, &old);
	TAILQ_FOREACH(hc, &hs->clients, entry) {
		ssp_server_update(hc->ssp, screen, now);
		ssp_server_scrolled(hc->ssp, total, oldest, now);
		if (hc->conn != NULL)
			hsync_arm(hc, now);
	}
	fb_free(old);
}
