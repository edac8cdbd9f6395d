/*
 * attach.c: clients attached to sessions. Each attached connection has its
 * own SSP server (proto/ssp.h) fed from the session's mirror (mirror.c),
 * which exists only while the session has clients: the first attach
 * subscribes to the holder's ScreenUpdates, the last detach unsubscribes,
 * so a session nobody watches costs lnshd no timer and no diffing.
 *
 * Input events from any client go to the holder in the order each client
 * typed them; the session's size follows the client that attached or sent
 * input last (tmux's "latest"). When the session's shell exits every
 * attached client gets an unasked SessionEnded and is detached.
 *
 * An attach belongs to the channel's peer, not its key pair: a client that
 * re-handshakes keeps its chan_peer and so its attach and sync state.
 */
#include "config.h"

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "server.h"
#include "ssp.h"

/* A session with clients. */
struct attach_sess {
	struct lnshd		*d;
	struct session		*s;
	struct mirror		*m;
	int			 ready;		/* the full screen arrived */
	struct attach		*list;
	unsigned		 n;
	struct attach		*latest;	/* whose size the session has */
	int			 cols, rows;	/* last asked of the holder */
};

/* One attached connection. */
struct attach {
	struct lnshd		*d;
	struct client		*c;
	struct chan_peer	*peer;
	unsigned		 id;		/* the client's, for logs */
	struct attach_sess	*as;
	struct ssp_server	*ssp;		/* once the mirror is ready */
	struct event		*timer;
	int			 cols, rows;	/* the client's terminal */
	struct attach		*next;
};

/* ssp_send_fn: one unreliable channel message to the client. */
static int
attach_send(void *arg, const uint8_t *p, size_t len)
{
	struct attach	*a = arg;

	return (chan_server_send(a->d->cs, a->peer, p, len, 0, ln_now_ns()));
}

/* ssp_line_fn: a scrollback line from the session's mirror. */
static int
attach_line(void *arg, uint64_t num, struct ssp_line *l)
{
	struct attach_sess	*as = arg;

	l->num = num;
	return (mirror_line(as->m, num, &l->text, &l->len, &l->wrapped));
}

/* Runs the client's SSP timers and sets its event for the next one. */
static void
attach_arm(struct attach *a, uint64_t now)
{
	struct timeval	 tv;
	uint64_t	 t, wait;

	if (a->ssp == NULL)
		return;
	t = ssp_server_tick(a->ssp, now);
	listen_kick(a->d);
	if (t == UINT64_MAX) {
		evtimer_del(a->timer);
		return;
	}
	wait = t > now ? t - now : 0;
	tv.tv_sec = (time_t)(wait / 1000000000ULL);
	tv.tv_usec = (suseconds_t)(wait % 1000000000ULL / 1000);
	evtimer_add(a->timer, &tv);
}

/* The SSP timer of one client. */
static void
attach_timer_cb(int fd, short what, void *arg)
{
	attach_arm(arg, ln_now_ns());
}

/* Starts the client's SSP server on the ready mirror, pushing scrollback. */
static void
attach_start_ssp(struct attach *a, uint64_t now)
{
	struct attach_sess	*as = a->as;
	uint64_t		 total = mirror_total(as->m);
	uint64_t		 held = total + 1 - mirror_oldest(as->m);
	uint64_t		 push;

	push = held < ATTACH_PUSH_LINES ? held : ATTACH_PUSH_LINES;
	a->ssp = ssp_server_new(mirror_screen(as->m), attach_send, a, now);
	ssp_server_set_lines(a->ssp, total - push, attach_line, as);
	ssp_server_scrolled(a->ssp, total, mirror_oldest(as->m), now);
	attach_arm(a, now);
}

/* Tells the holder the size of the latest client, if it changed. */
static void
attach_size(struct attach_sess *as)
{
	struct attach	*a = as->latest;

	if (a == NULL || a->cols < 1 || a->rows < 1 ||
	    (a->cols == as->cols && a->rows == as->rows))
		return;
	as->cols = a->cols;
	as->rows = a->rows;
	if (holder_async_resize(session_conn(as->s), a->cols, a->rows, NULL,
	    NULL) != 0)
		log_warn("session %s: resize: %s", session_name(as->s),
		    holder_conn_error(session_conn(as->s)));
}

/* Tells the holder how many clients it has (lnsh ls shows it). */
static void
attach_count(struct attach_sess *as)
{
	(void)holder_async_clients(session_conn(as->s), as->n, NULL, NULL);
}

/* ssp_event_fn: the client typed or resized; it becomes the latest. */
static void
attach_event(void *arg, const struct ssp_event *ev)
{
	struct attach		*a = arg;
	struct attach_sess	*as = a->as;

	as->latest = a;
	if (ev->type == SSP_EV_RESIZE) {
		a->cols = ev->cols;
		a->rows = ev->rows;
		attach_size(as);
		return;
	}
	attach_size(as);
	if (session_exited(as->s))
		return;
	if (holder_async_input(session_conn(as->s), ev->data, ev->len, NULL,
	    NULL) != 0)
		log_warn("session %s: input: %s", session_name(as->s),
		    holder_conn_error(session_conn(as->s)));
}

/*
 * Attaches a client's connection to a session (cols x rows: its terminal,
 * 0 if unknown). The client starts syncing once the mirror holds the
 * screen: at once when others are attached, else after the holder's
 * first update.
 */
struct attach *
attach_start(struct lnshd *d, struct client *c, struct chan_peer *peer,
    unsigned id, struct session *s, int cols, int rows)
{
	struct attach_sess	*as = session_attach(s);
	struct attach		*a;

	if (as == NULL) {
		as = xcalloc(1, sizeof *as);
		as->d = d;
		as->s = s;
		as->m = mirror_new(&d->holder_ctr);
		session_set_attach(s, as);
		if (holder_async_updates(session_conn(s), 1, ATTACH_PUSH_LINES,
		    NULL, NULL) != 0)
			log_warn("session %s: subscribe: %s", session_name(s),
			    holder_conn_error(session_conn(s)));
	}
	a = xcalloc(1, sizeof *a);
	a->d = d;
	a->c = c;
	a->peer = peer;
	a->id = id;
	a->as = as;
	a->cols = cols;
	a->rows = rows;
	a->timer = evtimer_new(d->base, attach_timer_cb, a);
	a->next = as->list;
	as->list = a;
	as->n++;
	as->latest = a;
	attach_size(as);
	attach_count(as);
	if (as->ready)
		attach_start_ssp(a, ln_now_ns());
	log_info("client %u attached to %s (%u attached)", id,
	    session_name(s), as->n);
	return (a);
}

/* Detaches one client; the last one gone stops the session's updates. */
void
attach_stop(struct attach *a)
{
	struct attach_sess	*as = a->as;
	struct attach		**ap;

	for (ap = &as->list; *ap != NULL; ap = &(*ap)->next) {
		if (*ap == a) {
			*ap = a->next;
			as->n--;
			break;
		}
	}
	if (as->latest == a)
		as->latest = as->list;
	log_info("client %u detached from %s", a->id, session_name(as->s));
	ssp_server_free(a->ssp);
	event_free(a->timer);
	free(a);
	if (as->n > 0) {
		attach_size(as);
		attach_count(as);
		return;
	}
	attach_count(as);
	(void)holder_async_updates(session_conn(as->s), 0, 0, NULL, NULL);
	session_set_attach(as->s, NULL);
	mirror_free(as->m);
	free(as);
}

/* An unreliable message from an attached client: SSP. */
void
attach_input(struct attach *a, const uint8_t *p, size_t len)
{
	uint64_t	 now = ln_now_ns();
	int		 r;

	if (a->ssp == NULL)
		return;		/* not syncing yet: the client resends */
	r = ssp_server_input(a->ssp, p, len, now, attach_event, a);
	if (r != 0)
		log_debug("client %u: sync message dropped: %s", a->id,
		    ln_strerror(r));
	attach_arm(a, now);
}

/*
 * sessions.c: a ScreenUpdate from a session's holder. A bad one is
 * logged and refused (the holder connection then closes).
 */
int
attach_session_update(struct session *s, const struct holder_update *u)
{
	struct attach_sess	*as = session_attach(s);
	struct attach		*a;
	char			*cause = NULL;
	uint64_t		 now = ln_now_ns();

	if (as == NULL)
		return (0);	/* an update still in flight at unsubscribe */
	if (mirror_apply(as->m, u, &cause) != 0) {
		log_warn("session %s: holder sent a bad screen update: %s",
		    session_name(s), cause);
		free(cause);
		return (LN_E_INVAL);
	}
	if (!as->ready) {
		as->ready = 1;
		for (a = as->list; a != NULL; a = a->next)
			attach_start_ssp(a, now);
		return (0);
	}
	for (a = as->list; a != NULL; a = a->next) {
		if (a->ssp == NULL)
			continue;
		ssp_server_update(a->ssp, mirror_screen(as->m), now);
		ssp_server_scrolled(a->ssp, mirror_total(as->m),
		    mirror_oldest(as->m), now);
		attach_arm(a, now);
	}
	return (0);
}

/*
 * sessions.c: the session's shell exited (status, or -1 and the signal):
 * every attached client hears it and is detached.
 */
void
attach_session_exited(struct session *s, int status, int sig)
{
	struct attach_sess	*as;
	struct attach		*a;
	int			 code = sig != 0 ? 128 + sig : status;

	while ((as = session_attach(s)) != NULL && (a = as->list) != NULL) {
		rpc_ended(a->c, session_name(s), code, sig);
		attach_stop(a);
	}
}

/*
 * sessions.c: the holder is gone; clients still attached hear it ended,
 * with the command's status if it was known, else 1.
 */
void
attach_session_closed(struct session *s)
{
	int	 code, sig;

	if (session_exit_status(s, &code, &sig) == 0)
		attach_session_exited(s, sig != 0 ? -1 : code, sig);
	else
		attach_session_exited(s, 1, 0);
}
