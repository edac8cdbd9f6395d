/*
 * attach.c: clients attached to sessions. lnshd relays: each attached
 * connection's SSP messages go to the session's holder as they came, and
 * the holder's SSP messages for it come back and go out as unreliable
 * channel messages (holder.proto, Sync). The SSP server, the screen and
 * the scrollback live in the holder (holder/holder-sync.c); lnshd never
 * decodes any of it. What stays here is bookkeeping: which connection is
 * attached to which session under which number, the holder's resume token
 * for it, and SessionEnded when the session's shell exits.
 *
 * An attach belongs to the channel's peer, not its key pair: a client that
 * re-handshakes keeps its chan_peer and so its attach. A client whose peer
 * is forgotten (it went silent) leaves its SSP state in the holder for
 * LN_HOLDER_RESUME_SEC; so does every client when lnshd dies. Coming back
 * with the token its attach reply gave, it resumes without a resync.
 */
#include "config.h"

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sodium.h>

#include "server.h"

/* A session with clients. */
struct attach_sess {
	struct lnshd		*d;
	struct session		*s;
	struct attach		*list;
	unsigned		 n;
};

/* One attached connection. */
struct attach {
	struct lnshd		*d;
	struct client		*c;
	struct chan_peer	*peer;
	unsigned		 id;		/* the client's, and the holder's */
	struct attach_sess	*as;
	int			 answered;	/* the holder's Attached came */
	attach_ready_fn		 ready;		/* until then */
	void			*ready_arg;
	struct attach		*next;
};

/* The holder answered an Attach: the client hears, through ready. */
static void
attach_attached(void *arg, struct holder_conn *hc,
    const struct holder_conn_result *res)
{
	struct attach	*a = arg;
	attach_ready_fn	 ready;

	if (a == NULL)
		return;		/* stopped before the answer */
	ready = a->ready;
	a->ready = NULL;
	a->answered = 1;
	if (res->err != 0) {
		log_warn("client %u: attach %s: %s", a->id,
		    session_name(a->as->s), holder_conn_error(hc));
		ready(a->ready_arg, a, res->err, holder_conn_error(hc), NULL,
		    0);
		return;
	}
	log_info("client %u attached to %s%s (%u attached)", a->id,
	    session_name(a->as->s), res->resumed ? ", resumed" : "",
	    a->as->n);
	ready(a->ready_arg, a, 0, NULL, res->token, res->resumed);
}

/*
 * Attaches a client's connection to a session (cols x rows: its terminal,
 * 0 if unknown; resume: the token of an earlier attach, or NULL). ready
 * runs once, from the loop: with 0 and the holder's token for this client
 * (and whether it resumed), or an error and its cause, or, if the attach
 * is stopped first, with a NULL attach (only ready_arg to release). NULL
 * here, and cause set, when the holder cannot be asked at all.
 */
struct attach *
attach_start(struct lnshd *d, struct client *c, struct chan_peer *peer,
    unsigned id, struct session *s, int cols, int rows,
    const uint8_t *resume, attach_ready_fn ready, void *ready_arg,
    const char **cause)
{
	struct attach_sess	*as = session_attached(s);
	struct attach		*a;
	int			 r;

	if (cols < 0 || rows < 0 || cols > HOLDER_MAX_COLS ||
	    rows > HOLDER_MAX_ROWS)
		cols = rows = 0;
	a = xcalloc(1, sizeof *a);
	a->d = d;
	a->c = c;
	a->peer = peer;
	a->id = id;
	a->ready = ready;
	a->ready_arg = ready_arg;
	r = holder_conn_async_attach(session_conn(s), id, cols, rows, resume,
	    attach_attached, a);
	if (r != 0) {
		*cause = holder_conn_error(session_conn(s));
		free(a);
		return (NULL);
	}
	if (as == NULL) {
		as = xcalloc(1, sizeof *as);
		as->d = d;
		as->s = s;
		session_set_attached(s, as);
	}
	a->as = as;
	a->next = as->list;
	as->list = a;
	as->n++;
	return (a);
}

/*
 * Detaches one client. keep: it went without saying so (its peer was
 * forgotten), so the holder keeps its SSP state for a resume.
 */
void
attach_stop(struct attach *a, int keep)
{
	struct attach_sess	*as = a->as;
	struct attach		**ap;
	attach_ready_fn		 ready = a->ready;

	for (ap = &as->list; *ap != NULL; ap = &(*ap)->next) {
		if (*ap == a) {
			*ap = a->next;
			as->n--;
			break;
		}
	}
	(void)holder_conn_async_detach(session_conn(as->s), a->id, keep);
	if (!a->answered)
		holder_conn_async_forget(session_conn(as->s), attach_attached,
		    a);
	log_info("client %u detached from %s", a->id, session_name(as->s));
	a->ready = NULL;
	if (ready != NULL)
		ready(a->ready_arg, NULL, LN_E_STATE, NULL, NULL, 0);
	free(a);
	if (as->n == 0) {
		session_set_attached(as->s, NULL);
		free(as);
	}
}

/*
 * An unreliable message from an attached client: SSP, for the holder as
 * it is. Dropped (SSP resends) before the holder answered the attach,
 * when it is larger than any SSP message a client sends, or when the
 * holder has LN_HOLDER_QUEUE_MAX unread.
 */
void
attach_input(struct attach *a, const uint8_t *p, size_t len)
{
	int	r;

	if (!a->answered || len > LN_RELAY_UP_MAX) {
		a->d->relay_dropped++;
		return;
	}
	r = holder_conn_async_sync(session_conn(a->as->s), a->id, p, len);
	if (r != 0) {
		a->d->relay_dropped++;
		log_debug("client %u: sync message not relayed: %s", a->id,
		    ln_strerror(r));
	}
}

/* Session s's client id, once the holder answered its attach; or NULL. */
static struct attach *
attach_find(struct session *s, uint32_t id)
{
	struct attach_sess	*as = session_attached(s);
	struct attach		*a;

	if (as == NULL)
		return (NULL);
	for (a = as->list; a != NULL; a = a->next) {
		if (a->id == id && a->answered)
			return (a);
	}
	return (NULL);
}

/*
 * sessions.c: an SSP message from the holder for client id: one
 * unreliable channel message to that client, unread. A message for a
 * client no longer attached is dropped.
 */
void
attach_session_sync(struct session *s, uint32_t id, const uint8_t *p,
    size_t len)
{
	struct attach_sess	*as = session_attached(s);
	struct attach		*a;

	if ((a = attach_find(s, id)) == NULL) {
		if (as != NULL)
			as->d->relay_dropped++;
		return;
	}
	if (chan_server_send(a->d->cs, a->peer, p, len, 0, ln_now_ns()) != 0)
		a->d->relay_dropped++;
	listen_kick(a->d);
}

/*
 * sessions.c: the holder evicted client id, silent too long, to make room
 * for another: it is detached (client_evicted). Should it come back, its
 * silent SSP makes it attach again.
 */
void
attach_session_evicted(struct session *s, uint32_t id)
{
	struct attach	*a;

	if ((a = attach_find(s, id)) == NULL)
		return;
	log_info("client %u: evicted from %s by its holder: silent, and the "
	    "session was full", a->id, session_name(s));
	client_evicted(a->c, a);
	attach_stop(a, 0);
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

	while ((as = session_attached(s)) != NULL && (a = as->list) != NULL) {
		client_ended(a->c, session_name(s), code, sig);
		attach_stop(a, 0);
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
