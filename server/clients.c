/*
 * clients.c: the clients connected to lnshd and the scripting verbs they send
 * (proto/rpc.proto): list, new, kill, capture, send. Each Request arrives
 * as one reliable channel message and gets exactly one Reply with the same
 * id, whose status is an lnsh exit code: 0 ok, 4 no such session, 5 session
 * exists, 1 anything else, with a one-line error for people.
 *
 * A client is served as the user it was admitted for (authz.c) and sees
 * only that user's sessions: every lookup is by (uid, name).
 *
 * Nothing here blocks on a holder: requests to holders go through the
 * holder_conn_async_*() calls and are answered from their completions. Replies
 * are queued per client and sent from the loop (clients_flush), never from
 * inside the channel's own delivery; a full send window leaves them queued
 * until acknowledgements make room.
 */
#include "config.h"

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <protobuf-c/protobuf-c.h>

#include "rpc.pb-c.h"
#include "server.h"

/* The answer past a client's reply budget: small and of fixed size. */
#define RPC_BUSY_TEXT		"lnshd is busy: this client has not " \
	"acknowledged the answers it was sent; ask again later"

/* A packed Reply waiting for room in the client's send window. */
struct queued {
	struct queued	*next;
	size_t		 len;
	uint8_t		 data[];
};

struct client {
	struct lnshd		*d;
	struct chan_peer	*peer;		/* NULL once gone */
	unsigned		 id;
	int			 have_user;
	struct paths_user	 user;
	unsigned		 refs;		/* the list, and each op */
	struct queued		*out_head, **out_tail;
	size_t			 out_bytes;	/* in out_head's list */
	struct attach		*att;		/* attach.c, or NULL */
	struct client		*next;
	/*
	 * In d->flushq: the clients with a peer and replies queued
	 * (out_head != NULL), which is what says a client is on it.
	 */
	struct client		*qnext;
	char			*wait_name;	/* a wait request pending */
	uint64_t		 wait_id;

	/*
	 * The account check (account.c): requests that arrive before its
	 * verdict wait in held, at most LN_ACCT_QUEUE_MAX of them.
	 */
	enum { ACCT_PENDING, ACCT_OK, ACCT_REFUSED } acct;
	char			*acct_reason;	/* ACCT_REFUSED: why */
	struct account_check	*acct_check;	/* ACCT_PENDING */
	Lnsh__Request		*held[LN_ACCT_QUEUE_MAX];
	unsigned		 nheld;
};

/* A request waiting for one or more holders to answer. */
struct pending {
	struct client		 *c;
	uint64_t		  id;
	struct session		 *s;		/* kill */
	unsigned		  waiting;	/* holder answers to come */
	int			  status;
	char			 *error;
	Lnsh__SessionInfo	**infos;	/* list */
	size_t			  ninfos;
	int			  forget;	/* attach to an exited one */
	/* An attach waiting for the session it creates (client_do_attach). */
	char			 *name, *term;
	int			  cols, rows;
	/* An attach waiting for the holder (client_attach_ready). */
	int			  created;
	char			 *notice;
};

static unsigned	next_client_id;

/*
 * Requests held while lnshd adopts the holders it found at start
 * (client_adopt_hold), in the order they came; each holds a client
 * reference.
 */
static struct adopt_held {
	struct client	*c;
	Lnsh__Request	*req;
} adopt_held[LN_ADOPT_HELD_MAX];
static unsigned	adopt_nheld;

static void	client_ended_screen(struct client *, const char *, int, int,
		    const char *, size_t);

/* Abandons a client's account check and the requests held for it. */
static void
client_account_stop(struct client *c)
{
	account_check_cancel(c->acct_check);
	c->acct_check = NULL;
	while (c->nheld > 0)
		lnsh__request__free_unpacked(c->held[--c->nheld], NULL);
}

/* Drops a reference to a client; the last one frees it. */
static void
client_unref(struct client *c)
{
	struct queued	*o;

	if (--c->refs > 0)
		return;
	client_account_stop(c);
	free(c->acct_reason);
	free(c->wait_name);
	while ((o = c->out_head) != NULL) {
		c->out_head = o->next;
		free(o);
	}
	if (c->have_user)
		paths_user_free(&c->user);
	free(c);
}

/* Takes a client off the list of those with replies queued. */
static void
client_unqueue(struct client *c)
{
	struct client	**cp;

	if (c->out_head == NULL || c->peer == NULL)
		return;
	for (cp = &c->d->flushq; *cp != NULL; cp = &(*cp)->qnext) {
		if (*cp == c) {
			*cp = c->qnext;
			break;
		}
	}
	c->qnext = NULL;
}

/*
 * Sends queued replies, as far as their windows allow, of the clients
 * that have any (d->flushq): the idle ones cost nothing here.
 */
void
clients_flush(struct lnshd *d)
{
	struct client	*c, **cp;
	struct queued	*o;
	uint64_t	 now = ln_now_ns();
	int		 r;

	for (cp = &d->flushq; (c = *cp) != NULL; ) {
		while ((o = c->out_head) != NULL && c->peer != NULL) {
			r = chan_server_send(d->cs, c->peer, o->data, o->len,
			    CHAN_RELIABLE, now);
			if (r == LN_E_FULL)
				break;
			if (r != 0)
				log_warn("client %u: reply not sent: %s",
				    c->id, ln_strerror(r));
			if ((c->out_head = o->next) == NULL)
				c->out_tail = &c->out_head;
			c->out_bytes -= o->len;
			free(o);
		}
		if (c->out_head == NULL || c->peer == NULL) {
			*cp = c->qnext;
			c->qnext = NULL;
		} else
			cp = &c->qnext;
	}
	listen_kick(d);
}

/* The flush event: replies queued from holder completions. */
static void
clients_flush_cb(int fd, short what, void *arg)
{
	clients_flush(arg);
}

/* Sets up the client list and the flush event. */
void
clients_init(struct lnshd *d)
{
	d->flush_ev = event_new(d->base, -1, 0, clients_flush_cb, d);
}

/* Forgets every client (the channel is going away). */
void
clients_free(struct lnshd *d)
{
	struct client	*c;

	while (adopt_nheld > 0) {
		adopt_nheld--;
		lnsh__request__free_unpacked(
		    adopt_held[adopt_nheld].req, NULL);
		client_unref(adopt_held[adopt_nheld].c);
	}
	while ((c = d->clients) != NULL) {
		d->clients = c->next;
		client_unqueue(c);
		client_account_stop(c);
		/* lnshd stops: the holders keep the sync state. */
		if (c->att != NULL)
			attach_stop(c->att, 1);
		c->att = NULL;
		c->peer = NULL;
		client_unref(c);
	}
	d->nclients = 0;
	if (d->flush_ev != NULL)
		event_free(d->flush_ev);
	d->flush_ev = NULL;
}

/* Bytes of replies a client holds: queued, and sent but unacknowledged. */
static size_t
client_held(const struct client *c)
{
	return (c->out_bytes + chan_peer_unacked_bytes(c->peer));
}

/*
 * Would len more bytes of replies take the client past its budget, or its
 * key past the key's (LN_RPC_CONN_MAX, LN_RPC_KEY_MAX), each raised by
 * reserve per connection?
 */
static int
client_over(const struct client *c, size_t len, size_t reserve)
{
	const struct client	*k;
	const uint8_t		*key = chan_peer_key(c->peer);
	size_t			 held = 0;

	if (client_held(c) + len > LN_RPC_CONN_MAX + reserve)
		return (1);
	for (k = c->d->clients; k != NULL; k = k->next) {
		if (k->peer != NULL &&
		    memcmp(chan_peer_key(k->peer), key, LN_KEY_LEN) == 0)
			held += client_held(k);
	}
	return (held + len > LN_RPC_KEY_MAX + LN_PEERS_PER_KEY * reserve);
}

/*
 * Packs and queues a reply; clients_flush sends it from the loop. A reply too
 * large for one channel message becomes an error saying what to ask for;
 * one past the client's reply budget becomes BUSY, and a BUSY past the
 * budget's reserve is dropped and counted.
 */
static void
client_send(struct client *c, Lnsh__Reply *rep)
{
	Lnsh__Reply	 small = LNSH__REPLY__INIT;
	struct queued	*o;
	size_t		 len;

	if (c->peer == NULL)
		return;
	len = lnsh__reply__get_packed_size(rep);
	if (len > LN_REL_MAX_BODY) {
		small.id = rep->id;
		small.status = LNSH_EXIT_ERROR;
		small.error = (char *)(uintptr_t)"the answer is too large for "
		    "one message: ask for fewer scrollback lines";
		rep = &small;
		len = lnsh__reply__get_packed_size(rep);
	}
	if (client_over(c, len, 0)) {
		small.id = rep->id;
		small.status = LNSH_EXIT_ERROR;
		small.error = (char *)(uintptr_t)RPC_BUSY_TEXT;
		rep = &small;
		len = lnsh__reply__get_packed_size(rep);
		if (client_over(c, len, LN_RPC_BUSY_RESERVE)) {
			c->d->rpc_dropped++;
			log_debug("client %u: reply to %llu dropped: no room",
			    c->id, (unsigned long long)rep->id);
			return;
		}
		c->d->rpc_busy++;
	}
	o = xmalloc(sizeof *o + len);
	o->next = NULL;
	o->len = lnsh__reply__pack(rep, o->data);
	c->out_bytes += o->len;
	*c->out_tail = o;
	c->out_tail = &o->next;
	/* The first reply queued puts the client on the flush list. */
	if (c->out_head == o) {
		c->qnext = c->d->flushq;
		c->d->flushq = c;
	}
	event_active(c->d->flush_ev, EV_TIMEOUT, 0);
}

/* A reply with a status and no result. */
static void
client_reply(struct client *c, uint64_t id, int status, const char *error)
{
	Lnsh__Reply	rep = LNSH__REPLY__INIT;

	rep.id = id;
	rep.status = status;
	if (error != NULL)
		rep.error = (char *)(uintptr_t)error;
	if (status != LNSH_EXIT_OK)
		log_debug("client %u: request %llu: status %d: %s", c->id,
		    (unsigned long long)id, status, error != NULL ? error : "");
	client_send(c, &rep);
}

/*
 * The 4 answer, naming the session; for one listed as gone (lost.c),
 * "gone: REASON", which lnsh shows.
 */
static void
client_no_session(struct client *c, uint64_t id, const char *name)
{
	char		 msg[LN_SESSION_NAME_MAX + 256];
	const char	*why;

	if ((why = lost_find(c->d, c->user.uid, name)) != NULL)
		snprintf(msg, sizeof msg, "gone: %s", why);	/* lnsh: rpc.c */
	else
		snprintf(msg, sizeof msg, "no session named %s (list them "
		    "with lnsh ls)", name);
	client_reply(c, id, LNSH_EXIT_NOSESSION, msg);
}

/* A new op on behalf of a client, which it keeps alive. */
static struct pending *
pending_new(struct client *c, uint64_t id)
{
	struct pending	*op;

	op = xcalloc(1, sizeof *op);
	op->c = c;
	op->id = id;
	c->refs++;
	return (op);
}

/* Frees an op and lets go of its client. */
static void
pending_free(struct pending *op)
{
	size_t	i;

	for (i = 0; i < op->ninfos; i++) {
		free(op->infos[i]->name);
		free(op->infos[i]->command);
		free(op->infos[i]->title);
		if (op->infos[i]->gone != protobuf_c_empty_string)
			free(op->infos[i]->gone);
		free(op->infos[i]);
	}
	free(op->infos);
	free(op->name);
	free(op->term);
	free(op->notice);
	free(op->error);
	client_unref(op->c);
	free(op);
}

/* Notes a holder's error in an op, keeping the first. */
static void
pending_error(struct pending *op, struct holder_conn *hc)
{
	if (op->status != LNSH_EXIT_OK)
		return;
	op->status = LNSH_EXIT_ERROR;
	op->error = xstrdup(holder_conn_error(hc));
}

/* Finds the client's session, or answers 4 and returns NULL. */
static struct session *
client_session(struct client *c, uint64_t id, const char *name)
{
	struct session	*s;

	if (name == NULL || !hwire_name_ok(name) ||
	    (s = sessions_find(c->d, c->user.uid, name)) == NULL) {
		client_no_session(c, id, name != NULL ? name : "");
		return (NULL);
	}
	return (s);
}

/* ---------------------------------------------------------------- list */

/* Orders sessions by name. */
static int
client_info_cmp(const void *a, const void *b)
{
	const Lnsh__SessionInfo	*x = *(Lnsh__SessionInfo *const *)a;
	const Lnsh__SessionInfo	*y = *(Lnsh__SessionInfo *const *)b;

	return (strcmp(x->name, y->name));
}

/* Answers a list once every holder has. */
static void
client_list_finish(struct pending *op)
{
	Lnsh__Reply	rep = LNSH__REPLY__INIT;
	Lnsh__ListReply	lr = LNSH__LIST_REPLY__INIT;

	if (op->ninfos > 1)
		qsort(op->infos, op->ninfos, sizeof *op->infos,
		    client_info_cmp);
	lr.n_sessions = op->ninfos;
	lr.sessions = op->infos;
	rep.id = op->id;
	rep.result_case = LNSH__REPLY__RESULT_LIST;
	rep.list = &lr;
	client_send(op->c, &rep);
	pending_free(op);
}

/*
 * One holder's Info. A holder that cannot answer (it just went away) is
 * left out of the list: it is no longer a session.
 */
static void
client_list_done(void *arg, struct holder_conn *hc,
    const struct holder_conn_result *res)
{
	struct pending		*op = arg;
	const struct holder_conn_info *hi = res->info;
	Lnsh__SessionInfo	*si;

	if (res->err == 0 && hi != NULL) {
		si = xmalloc(sizeof *si);
		lnsh__session_info__init(si);
		si->name = xstrdup(hi->name);
		si->running = !hi->exited;
		if (hi->exited)
			si->exit_status = hi->exit_signal != 0 ?
			    128 + hi->exit_signal : hi->exit_status;
		si->created_unix = (int64_t)(hi->created_ns / LN_NS_PER_SEC);
		si->activity_unix = (int64_t)(hi->activity_ns /
		    LN_NS_PER_SEC);
		si->clients = hi->clients;
		si->cols = hi->cols > 0 ? (uint32_t)hi->cols : 0;
		si->rows = hi->rows > 0 ? (uint32_t)hi->rows : 0;
		si->pid = (int32_t)hi->pid;
		si->command = xstrdup(hi->command);
		si->title = xstrdup(hi->title);
		op->infos[op->ninfos++] = si;
	}
	if (--op->waiting == 0)
		client_list_finish(op);
}

/*
 * list: every session of the client's user. Listing never changes
 * anything: an exited session stays, with its status, until it is killed,
 * attached to, or its keep-exited time passes (holder.c); one whose holder
 * went without a word is listed as gone, with the reason (lost.c).
 */
static void
client_do_list(struct client *c, uint64_t id)
{
	struct pending		*op;
	struct session		*s;
	const struct lost	*l;
	const char		*name, *why;
	Lnsh__SessionInfo	*si;
	unsigned		 n;

	op = pending_new(c, id);
	n = sessions_count_user(c->d, c->user.uid) +
	    lost_count_user(c->d, c->user.uid);
	op->infos = xcalloc(n > 0 ? n : 1, sizeof *op->infos);
	/* Sessions whose holder went without a word: gone, and why. */
	for (l = lost_next(c->d, c->user.uid, NULL, &name, &why); l != NULL;
	    l = lost_next(c->d, c->user.uid, l, &name, &why)) {
		si = xmalloc(sizeof *si);
		lnsh__session_info__init(si);
		si->name = xstrdup(name);
		si->command = xstrdup("");
		si->title = xstrdup("");
		si->gone = xstrdup(why);
		op->infos[op->ninfos++] = si;
	}
	op->waiting = 1;	/* held until every request is out */
	for (s = sessions_next(c->d, NULL); s != NULL;
	    s = sessions_next(c->d, s)) {
		if (session_uid(s) != c->user.uid)
			continue;
		if (holder_conn_async_info(session_conn(s), 0, client_list_done,
		    op) == 0)
			op->waiting++;
	}
	if (--op->waiting == 0)
		client_list_finish(op);
}

/* ----------------------------------------------------------------- new */

/* Is an environment entry one a client may pass (LANG, LC_*)? */
static int
client_env_ok(const char *e)
{
	return (strncmp(e, "LANG=", 5) == 0 ||
	    (strncmp(e, "LC_", 3) == 0 && strchr(e, '=') != NULL));
}

/* A session to spawn, and the argument lists its session_new points into. */
struct client_spawn {
	struct session_new	 sn;
	char			*argv[LN_SESSION_MAX_ARGS + 1];
	char			*env[LN_SESSION_MAX_ENV + 1];
};

/*
 * Checks the session a new request (or an attach that may create one)
 * describes and fills sp to spawn it; answers the client and returns
 * LN_E_INVAL when it is refused.
 */
static int
client_spawn_prepare(struct client *c, uint64_t id, const Lnsh__NewRequest *req,
    struct client_spawn *sp)
{
	const char	*why;
	char		 msg[256];
	size_t		 i, n = 0;

	if (ln_session_name_check(req->name, &why) != 0) {
		snprintf(msg, sizeof msg, "bad session name: %s", why);
		client_reply(c, id, LNSH_EXIT_ERROR, msg);
		return (LN_E_INVAL);
	}
	if (req->n_argv > LN_SESSION_MAX_ARGS) {
		snprintf(msg, sizeof msg, "too many arguments (%zu): a "
		    "session's command takes at most %d; pass more through "
		    "a script or a file", req->n_argv, LN_SESSION_MAX_ARGS);
		client_reply(c, id, LNSH_EXIT_ERROR, msg);
		return (LN_E_INVAL);
	}
	if (req->cols > HOLDER_MAX_COLS || req->rows > HOLDER_MAX_ROWS) {
		snprintf(msg, sizeof msg, "a session of %ux%u is too large: "
		    "at most %dx%d", req->cols, req->rows, HOLDER_MAX_COLS,
		    HOLDER_MAX_ROWS);
		client_reply(c, id, LNSH_EXIT_ERROR, msg);
		return (LN_E_INVAL);
	}
	for (i = 0; i < req->n_argv; i++)
		sp->argv[i] = req->argv[i];
	sp->argv[req->n_argv] = NULL;
	for (i = 0; i < req->n_env; i++) {
		if (!client_env_ok(req->env[i]))
			continue;
		if (n == LN_SESSION_MAX_ENV) {
			snprintf(msg, sizeof msg, "too many LANG and LC_* "
			    "variables: a session takes at most %d",
			    LN_SESSION_MAX_ENV);
			client_reply(c, id, LNSH_EXIT_ERROR, msg);
			return (LN_E_INVAL);
		}
		sp->env[n++] = req->env[i];
	}
	sp->env[n] = NULL;
	memset(&sp->sn, 0, sizeof sp->sn);
	sp->sn.name = req->name;
	sp->sn.argv = req->n_argv > 0 ? sp->argv : NULL;
	sp->sn.term = req->term != NULL && *req->term != '\0' ? req->term :
	    NULL;
	sp->sn.env = n > 0 ? sp->env : NULL;
	sp->sn.cols = (int)req->cols;
	sp->sn.rows = (int)req->rows;
	return (0);
}

/* Answers a new whose session started, or did not. */
static void
client_new_done(void *arg, struct session *s, int err, const char *cause)
{
	struct pending	*op = arg;

	if (err == 0)
		client_reply(op->c, op->id, LNSH_EXIT_OK, NULL);
	else {
		log_warn("client %u: new %s: %s", op->c->id, op->name,
		    cause != NULL ? cause : "lnshd is stopping");
		if (cause != NULL)
			client_reply(op->c, op->id, err == LN_E_STATE ?
			    LNSH_EXIT_EXISTS : LNSH_EXIT_ERROR, cause);
	}
	pending_free(op);
}

/* new: spawn a holder for the client's user; answered once it listens. */
static void
client_do_new(struct client *c, uint64_t id, const Lnsh__NewRequest *req)
{
	struct client_spawn	 sp;
	struct pending		*op;
	char			*cause = NULL;
	int			 r;

	if (client_spawn_prepare(c, id, req, &sp) != 0)
		return;
	op = pending_new(c, id);
	op->name = xstrdup(req->name);
	r = sessions_spawn(c->d, &c->user, &sp.sn, client_new_done, op, &cause);
	if (r != 0) {
		log_warn("client %u: new %s: %s", c->id, req->name, cause);
		client_reply(c, id, r == LN_E_STATE ? LNSH_EXIT_EXISTS :
		    LNSH_EXIT_ERROR, cause);
		pending_free(op);
	}
	free(cause);
}

/* ------------------------------------------------- kill, capture, send */

/* Completion of a request that answers only ok or an error. */
static void
client_status_done(void *arg, struct holder_conn *hc,
    const struct holder_conn_result *res)
{
	struct pending	*op = arg;

	if (res->err != 0)
		pending_error(op, hc);
	else if (op->s != NULL) {
		/*
		 * Killed: forget it now, not when the holder's socket closes,
		 * so that a new session of the same name can follow at once.
		 */
		sessions_remove(op->c->d, op->s);
		op->s = NULL;
	}
	if (--op->waiting > 0)
		return;
	client_reply(op->c, op->id, op->status, op->error);
	pending_free(op);
}

/* Starts one async request for an op, or answers its failure at once. */
static void
pending_start(struct pending *op, struct holder_conn *hc, int r)
{
	if (r == 0) {
		op->waiting++;
		return;
	}
	pending_error(op, hc);
}

/* Answers an op that got no request out at all. */
static void
pending_settle(struct pending *op)
{
	if (op->waiting > 0)
		return;
	client_reply(op->c, op->id, op->status, op->error);
	pending_free(op);
}

/* kill: end the session; the holder's going removes it from the registry. */
static void
client_do_kill(struct client *c, uint64_t id, const Lnsh__KillRequest *req)
{
	struct session	*s;
	struct pending	*op;

	/* A session listed as gone (lost.c): killing it forgets it. */
	if (req->name != NULL && hwire_name_ok(req->name) &&
	    sessions_find(c->d, c->user.uid, req->name) == NULL &&
	    lost_forget(c->user.uid, req->name) == 0) {
		log_info("client %u: kill %s (gone): forgotten", c->id,
		    req->name);
		client_reply(c, id, LNSH_EXIT_OK, NULL);
		return;
	}
	if ((s = client_session(c, id, req->name)) == NULL)
		return;
	log_info("client %u: kill %s", c->id, req->name);
	op = pending_new(c, id);
	op->s = s;
	pending_start(op, session_conn(s),
	    holder_conn_async_kill(session_conn(s), client_status_done, op));
	pending_settle(op);
}

/* The capture's text, answered as a CaptureReply. */
static void
client_capture_done(void *arg, struct holder_conn *hc,
    const struct holder_conn_result *res)
{
	struct pending		*op = arg;
	Lnsh__Reply		 rep = LNSH__REPLY__INIT;
	Lnsh__CaptureReply	 cr = LNSH__CAPTURE_REPLY__INIT;

	if (res->err != 0) {
		client_reply(op->c, op->id, LNSH_EXIT_ERROR,
		    holder_conn_error(hc));
		pending_free(op);
		return;
	}
	cr.text.data = (uint8_t *)(uintptr_t)res->text;
	cr.text.len = res->len;
	rep.id = op->id;
	rep.result_case = LNSH__REPLY__RESULT_CAPTURE;
	rep.capture = &cr;
	client_send(op->c, &rep);
	pending_free(op);
}

/* capture: the screen, and scrollback 0 / -1 (all) / N lines. */
static void
client_do_capture(struct client *c, uint64_t id,
    const Lnsh__CaptureRequest *req)
{
	struct session	*s;
	struct pending	*op;

	if ((s = client_session(c, id, req->name)) == NULL)
		return;
	if (req->scrollback < -1 || req->scrollback > INT32_MAX) {
		client_reply(c, id, LNSH_EXIT_ERROR, "scrollback must be "
		    "-1 (all), 0 or a number of lines");
		return;
	}
	op = pending_new(c, id);
	if (holder_conn_async_capture(session_conn(s), (long)req->scrollback,
	    req->escapes, client_capture_done, op) != 0) {
		client_reply(c, id, LNSH_EXIT_ERROR,
		    holder_conn_error(session_conn(s)));
		pending_free(op);
	}
}

/* send: bytes typed into the session, in holder-sized chunks, in order. */
static void
client_do_send(struct client *c, uint64_t id, const Lnsh__SendRequest *req)
{
	struct session	*s;
	struct pending	*op;
	struct buf	 b;
	const uint8_t	*chunk;
	char		 msg[256];
	size_t		 n;

	if ((s = client_session(c, id, req->name)) == NULL)
		return;
	if (session_exited(s)) {
		client_reply(c, id, LNSH_EXIT_ERROR, "the session has "
		    "exited: nothing reads its input");
		return;
	}
	/*
	 * All or nothing: text half typed is worse than none. Each Input
	 * frame adds at most HOLDER_FRAME_OVERHEAD to its chunk.
	 */
	if (req->data.len + (req->data.len / HOLDER_MAX_INPUT + 1) *
	    HOLDER_FRAME_OVERHEAD > holder_conn_async_room(session_conn(s))) {
		snprintf(msg, sizeof msg, "session %s is busy: it has not "
		    "read the input already sent to it (is it stopped?); try "
		    "again later", req->name);
		client_reply(c, id, LNSH_EXIT_ERROR, msg);
		return;
	}
	op = pending_new(c, id);
	buf_reader(&b, req->data.data, req->data.len);
	while (buf_left(&b) > 0 && op->status == LNSH_EXIT_OK) {
		n = buf_left(&b) < HOLDER_MAX_INPUT ? buf_left(&b) :
		    HOLDER_MAX_INPUT;
		if ((chunk = buf_get_ptr(&b, n)) == NULL)
			break;
		pending_start(op, session_conn(s),
		    holder_conn_async_send_keys(session_conn(s), chunk, n,
		    client_status_done, op));
	}
	pending_settle(op);
}

/* ------------------------------------------------------ attach, detach */

/*
 * The notice for a client whose new session does not run with the TERM it
 * asked for (the holder found no terminfo entry for it), or NULL.
 */
static char *
client_term_notice(const char *asked, struct session *s, char *buf, size_t len)
{
	const char	*got = holder_conn_term(session_conn(s));

	if (asked == NULL || *asked == '\0' || *got == '\0' ||
	    strcmp(asked, got) == 0)
		return (NULL);
	/* Short: the client shows it on one row. */
	snprintf(buf, len, "no terminfo for %s on the server: TERM=%s",
	    termcheck_name_ok(asked) ? asked : "your TERM", got);
	return (buf);
}

/*
 * The last screen of an exited session a client attached to: sent with how
 * it ended (client_ended), after which lnshd forgets the session. A capture
 * that fails still ends the attach, without the screen.
 */
static void
client_attach_exited_done(void *arg, struct holder_conn *hc,
    const struct holder_conn_result *res)
{
	struct pending	*op = arg;
	int		 code, sig;

	if (op->c->peer != NULL && op->s != NULL &&
	    session_exit_status(op->s, &code, &sig) == 0) {
		client_ended_screen(op->c, session_name(op->s), code, sig,
		    res->err == 0 ? res->text : NULL,
		    res->err == 0 ? res->len : 0);
		if (res->err == 0 && op->forget)
			session_forget(op->s);
	}
	pending_free(op);
}

/*
 * Starts showing an exited session's end to a client that attached; forget
 * says whether lnshd then forgets the session (not when this attach
 * created it: its client is the one that was there when it ended).
 */
static void
client_attach_exited(struct client *c, struct session *s, int forget)
{
	struct pending	*op;
	int		 code, sig;

	op = pending_new(c, 0);
	op->s = s;
	op->forget = forget;
	if (holder_conn_async_capture(session_conn(s), 0, 1,
	    client_attach_exited_done, op) != 0) {
		if (session_exit_status(s, &code, &sig) == 0)
			client_ended(c, session_name(s), code, sig);
		pending_free(op);
	}
}

/* The attach reply: the session's name, and the holder's resume token. */
static void
client_attach_reply(struct client *c, uint64_t id, const char *name,
    int created, const char *notice, const uint8_t *token, int resumed)
{
	Lnsh__Reply		 rep = LNSH__REPLY__INIT;
	Lnsh__AttachReply	 ar = LNSH__ATTACH_REPLY__INIT;

	ar.name = (char *)(uintptr_t)name;
	ar.created = created;
	ar.notice = (char *)(uintptr_t)notice;
	if (token != NULL) {
		ar.resume.data = (uint8_t *)(uintptr_t)token;
		ar.resume.len = LN_HOLDER_TOKEN_LEN;
	}
	ar.resumed = resumed;
	rep.id = id;
	rep.result_case = LNSH__REPLY__RESULT_ATTACH;
	rep.attach = &ar;
	client_send(c, &rep);
}

/*
 * attach_ready_fn: the holder answered the attach (or it was stopped
 * first: a is NULL). The client hears the reply only now, so that it has
 * the token, or why the attach failed.
 */
static void
client_attach_ready(void *arg, struct attach *a, int err, const char *cause,
    const uint8_t *token, int resumed)
{
	struct pending	*op = arg;
	struct client	*c = op->c;

	if (a != NULL && c->att == a && c->peer != NULL) {
		if (err != 0) {
			c->att = NULL;
			attach_stop(a, 0);
			client_reply(c, op->id, LNSH_EXIT_ERROR, cause);
		} else
			client_attach_reply(c, op->id, op->name, op->created,
			    op->notice, token, resumed);
	}
	pending_free(op);
}

/*
 * Attaches to session s (created: by this attach; resume: a token from
 * an earlier attach, or NULL): the reply comes when the holder answers;
 * or the session's end, when it has ended.
 */
static void
client_attach_session(struct client *c, uint64_t id, const char *name,
    const char *term, int cols, int rows, struct session *s, int created,
    const uint8_t *resume)
{
	struct pending	*op;
	const char	*cause = NULL;
	char		 notice[256];
	int		 code, sig;

	/* Asking to resume itself: the holder must keep what it resumes. */
	if (c->att != NULL)
		attach_stop(c->att, resume != NULL);
	c->att = NULL;
	/*
	 * Ended before we came: its last screen and how it ended, as an
	 * attached client would have seen them; then it is forgotten. A
	 * session this attach created and whose command ended at once is
	 * kept, as one that ends under an attached client is: whether the
	 * end came before this reply is a race, and the next attach or
	 * `lnsh wait` must still hear the status.
	 */
	if (session_exit_status(s, &code, &sig) == 0) {
		client_attach_reply(c, id, name, created, created ?
		    client_term_notice(term, s, notice, sizeof notice) : NULL,
		    NULL, 0);
		client_attach_exited(c, s, !created);
		return;
	}
	op = pending_new(c, id);
	op->name = xstrdup(name);
	op->created = created;
	if (created && client_term_notice(term, s, notice, sizeof notice) !=
	    NULL)
		op->notice = xstrdup(notice);
	c->att = attach_start(c->d, c, c->peer, c->id, s, cols, rows, resume,
	    client_attach_ready, op, &cause);
	if (c->att == NULL) {
		log_warn("client %u: attach %s: %s", c->id, name, cause);
		client_reply(c, id, LNSH_EXIT_ERROR, cause);
		pending_free(op);
	}
}

/* The session an attach asked to create started, or did not. */
static void
client_attach_done(void *arg, struct session *s, int err, const char *cause)
{
	struct pending	*op = arg;
	struct client	*c = op->c;

	if (err != 0) {
		log_warn("client %u: attach %s: %s", c->id, op->name,
		    cause != NULL ? cause : "lnshd is stopping");
		if (cause != NULL)
			client_reply(c, op->id, LNSH_EXIT_ERROR, cause);
	} else if (c->peer != NULL)
		client_attach_session(c, op->id, op->name, op->term, op->cols,
		    op->rows, s, 1, NULL);
	pending_free(op);
}

/*
 * attach: this connection shows the session and types into it, after
 * creating the session first when asked and it does not exist (answered
 * once its holder listens).
 */
static void
client_do_attach(struct client *c, uint64_t id, const Lnsh__AttachRequest *req)
{
	Lnsh__NewRequest	 nr = LNSH__NEW_REQUEST__INIT;
	struct client_spawn	 sp;
	struct pending		*op;
	struct session		*s;
	char			*cause = NULL;
	int			 r;

	/* The session an attach may create is the one new would. */
	nr.name = req->name;
	nr.n_argv = req->n_argv;
	nr.argv = req->argv;
	nr.term = req->term;
	nr.n_env = req->n_env;
	nr.env = req->env;
	nr.cols = req->cols;
	nr.rows = req->rows;
	if (client_spawn_prepare(c, id, &nr, &sp) != 0)
		return;
	if ((s = sessions_find(c->d, c->user.uid, req->name)) != NULL) {
		client_attach_session(c, id, req->name, req->term,
		    (int)req->cols, (int)req->rows, s, 0,
		    req->resume.len == LN_HOLDER_TOKEN_LEN ?
		    req->resume.data : NULL);
		return;
	}
	if (!req->create) {
		client_no_session(c, id, req->name);
		return;
	}
	op = pending_new(c, id);
	op->name = xstrdup(req->name);
	op->term = req->term != NULL ? xstrdup(req->term) : NULL;
	op->cols = (int)req->cols;
	op->rows = (int)req->rows;
	if ((r = sessions_spawn(c->d, &c->user, &sp.sn, client_attach_done, op,
	    &cause)) != 0) {
		log_warn("client %u: attach %s: %s", c->id, req->name, cause);
		client_reply(c, id, LNSH_EXIT_ERROR, cause);
		free(cause);
		pending_free(op);
	}
}

/* Answers a wait: the session ended, code and signal as client_ended says. */
static void
client_wait_answer(struct client *c, uint64_t id, const char *name, int code,
    int sig)
{
	Lnsh__Reply		 rep = LNSH__REPLY__INIT;
	Lnsh__SessionEnded	 se = LNSH__SESSION_ENDED__INIT;

	se.name = (char *)(uintptr_t)name;
	se.exit_status = code;
	se.signal = sig;
	rep.id = id;
	rep.result_case = LNSH__REPLY__RESULT_ENDED;
	rep.ended = &se;
	client_send(c, &rep);
}

/*
 * wait: answered when the session has ended, at once if it has. A client
 * has at most one wait pending; a second one replaces the first, which is
 * answered with an error.
 */
static void
client_do_wait(struct client *c, uint64_t id, const Lnsh__WaitRequest *req)
{
	struct session	*s;
	int		 code, sig;

	if ((s = client_session(c, id, req->name)) == NULL)
		return;
	if (session_exit_status(s, &code, &sig) == 0) {
		client_wait_answer(c, id, req->name, code, sig);
		return;
	}
	if (c->wait_name != NULL) {
		client_reply(c, c->wait_id, LNSH_EXIT_ERROR, "another "
		    "wait on this connection replaced this one");
		free(c->wait_name);
	}
	log_info("client %u: waits for %s to end", c->id, req->name);
	c->wait_name = xstrdup(req->name);
	c->wait_id = id;
}

/*
 * sessions.c: session s has ended; every client waiting for it hears how.
 * A session that goes without an exit status (its holder vanished) ends
 * the waits with an error.
 */
void
clients_session_ended(struct lnshd *d, struct session *s)
{
	struct client	*c;
	int		 code, sig;

	for (c = d->clients; c != NULL; c = c->next) {
		if (c->wait_name == NULL || c->peer == NULL ||
		    !c->have_user || c->user.uid != session_uid(s) ||
		    strcmp(c->wait_name, session_name(s)) != 0)
			continue;
		if (session_exit_status(s, &code, &sig) == 0)
			client_wait_answer(c, c->wait_id, c->wait_name, code,
			    sig);
		else
			client_reply(c, c->wait_id, LNSH_EXIT_ERROR,
			    "the session's holder went away without saying "
			    "how the session ended");
		free(c->wait_name);
		c->wait_name = NULL;
	}
}

/* detach: leave the session; the connection stays. */
static void
client_do_detach(struct client *c, uint64_t id)
{
	if (c->att != NULL)
		attach_stop(c->att, 0);
	c->att = NULL;
	client_reply(c, id, LNSH_EXIT_OK, NULL);
}

/* attach.c: attach a of client c was evicted; attach.c frees it. */
void
client_evicted(struct client *c, struct attach *a)
{
	if (c->att == a)
		c->att = NULL;
}

/*
 * The attached session's shell exited: an unasked Reply (id 0) saying so.
 * The attach is over; attach.c frees it.
 */
void
client_ended(struct client *c, const char *name, int code, int sig)
{
	client_ended_screen(c, name, code, sig, NULL, 0);
}

/* client_ended, with the session's last screen when there is one. */
static void
client_ended_screen(struct client *c, const char *name, int code, int sig,
    const char *screen, size_t len)
{
	Lnsh__Reply		 rep = LNSH__REPLY__INIT;
	Lnsh__SessionEnded	 se = LNSH__SESSION_ENDED__INIT;

	c->att = NULL;
	se.name = (char *)(uintptr_t)name;
	se.exit_status = code;
	se.signal = sig;
	se.last_screen.data = (uint8_t *)(uintptr_t)screen;
	se.last_screen.len = screen != NULL ? len : 0;
	rep.id = 0;
	rep.result_case = LNSH__REPLY__RESULT_ENDED;
	rep.ended = &se;
	client_send(c, &rep);
}

/* -------------------------------------------------------------- clients */

static void	client_serve(struct client *, Lnsh__Request *);

/* Answers a request of a client whose account is refused, saying why. */
static void
client_account_refuse(struct client *c, uint64_t id)
{
	char	msg[LN_ACCT_REASON_MAX + 128];

	snprintf(msg, sizeof msg, "lnshd refuses the account %s: %s; ask "
	    "the administrator", c->user.name, c->acct_reason);
	client_reply(c, id, LNSH_EXIT_ERROR, msg);
}

/*
 * While lnshd adopts the holders it found at start (sessions_adopt), a
 * request naming a session it does not know yet, or a list, would miss
 * sessions that are still there: it waits for adoption to end, and so
 * does every later request of its connection, to keep their order.
 * 1: held (the request is kept); -1: answered, too many wait; 0: serve
 * it now.
 */
static int
client_adopt_hold(struct client *c, Lnsh__Request *req)
{
	const char	*name = NULL;
	unsigned	 i, mine = 0;

	if (c->d->adopting == 0 || !c->have_user || c->acct != ACCT_OK)
		return (0);
	for (i = 0; i < adopt_nheld; i++)
		if (adopt_held[i].c == c)
			mine++;
	switch (req->op_case) {
	case LNSH__REQUEST__OP_LIST:
		name = "";
		break;
	case LNSH__REQUEST__OP_NEW:
		name = req->new_->name;
		break;
	case LNSH__REQUEST__OP_KILL:
		name = req->kill->name;
		break;
	case LNSH__REQUEST__OP_CAPTURE:
		name = req->capture->name;
		break;
	case LNSH__REQUEST__OP_SEND:
		name = req->send->name;
		break;
	case LNSH__REQUEST__OP_ATTACH:
		name = req->attach->name;
		break;
	case LNSH__REQUEST__OP_WAIT:
		name = req->wait->name;
		break;
	default:
		break;
	}
	if (mine == 0 && (name == NULL || (*name != '\0' &&
	    sessions_find(c->d, c->user.uid, name) != NULL)))
		return (0);
	if (adopt_nheld == LN_ADOPT_HELD_MAX ||
	    mine == LN_ADOPT_HELD_CONN) {
		client_reply(c, req->id, LNSH_EXIT_ERROR, "lnshd was "
		    "restarted and is still finding its sessions; ask again "
		    "in a few seconds");
		return (-1);
	}
	log_info("client %u: request %llu waits until the sessions found at "
	    "start are adopted", c->id, (unsigned long long)req->id);
	c->refs++;
	adopt_held[adopt_nheld].c = c;
	adopt_held[adopt_nheld].req = req;
	adopt_nheld++;
	return (1);
}

/* Serves a request, or holds it (client_adopt_hold); frees it unless held. */
static void
client_take(struct client *c, Lnsh__Request *req)
{
	int	r;

	if ((r = client_adopt_hold(c, req)) == 1)
		return;
	if (r == 0)
		client_serve(c, req);
	lnsh__request__free_unpacked(req, NULL);
}

/*
 * sessions.c: adoption has ended; the requests held meanwhile are served
 * in their order (a connection gone since is skipped).
 */
void
clients_adopt_settled(struct lnshd *d)
{
	struct adopt_held	 h;
	unsigned		 i, n = adopt_nheld;

	if (n > 0)
		log_info("adoption ended: serving %u requests that waited", n);
	for (i = 0; i < n && adopt_nheld > 0; i++) {
		h = adopt_held[0];
		memmove(adopt_held, adopt_held + 1,
		    (adopt_nheld - 1) * sizeof *adopt_held);
		adopt_nheld--;
		if (h.c->peer != NULL)
			client_serve(h.c, h.req);
		lnsh__request__free_unpacked(h.req, NULL);
		client_unref(h.c);
	}
}

/*
 * account_check_start's callback: the verdict on the client's account.
 * The requests held for it are served, or refused, in their order.
 */
static void
client_account_done(void *arg, int ok, const char *reason)
{
	struct client	*c = arg;
	Lnsh__Request	*req;
	unsigned	 i;

	c->acct_check = NULL;
	if (ok) {
		c->acct = ACCT_OK;
		log_debug("client %u: account %s allowed", c->id,
		    c->user.name);
	} else {
		c->acct = ACCT_REFUSED;
		c->acct_reason = xstrdup(reason);
		log_warn("client %u: account %s refused: %s", c->id,
		    c->user.name, reason);
	}
	c->refs++;		/* serving may end the connection */
	for (i = 0; i < c->nheld; i++) {
		req = c->held[i];
		c->held[i] = NULL;
		if (c->peer != NULL)
			client_take(c, req);
		else
			lnsh__request__free_unpacked(req, NULL);
	}
	c->nheld = 0;
	client_unref(c);
}

/*
 * Starts the account check of a client admitted for a user (root mode;
 * single-user mode serves only its own user, see account.c). addr is the
 * client's address as logged, "HOST:PORT" or "[HOST]:PORT".
 */
static void
client_account_start(struct client *c, const char *addr)
{
	char	 host[LISTEN_ADDR_MAX], *p, *cause = NULL;

	if (!c->have_user || c->d->single_user) {
		c->acct = ACCT_OK;
		return;
	}
	if (addr[0] == '[') {
		snprintf(host, sizeof host, "%s", addr + 1);
		if ((p = strchr(host, ']')) != NULL)
			*p = '\0';
	} else {
		snprintf(host, sizeof host, "%s", addr);
		if ((p = strrchr(host, ':')) != NULL)
			*p = '\0';
	}
	c->acct = ACCT_PENDING;
	if (account_check_start(c->d->base, &c->user, host, client_account_done,
	    c, &c->acct_check, &cause) != 0) {
		c->acct = ACCT_REFUSED;
		c->acct_reason = xstrdup("the account check could not run");
		log_warn("client %u: account %s refused: %s", c->id,
		    c->user.name, cause);
		free(cause);
	}
}

/* ops->connect: a client completed its handshake for a user. */
void
client_connect(void *arg, struct chan_peer *peer)
{
	struct lnshd	*d = arg;
	struct client	*c;
	char		*cause = NULL, addr[LISTEN_ADDR_MAX];
	char		 fp[LN_FINGERPRINT_LEN];

	c = xcalloc(1, sizeof *c);
	c->d = d;
	c->peer = peer;
	c->id = ++next_client_id;
	c->refs = 1;
	c->out_tail = &c->out_head;
	if (authz_user(d, chan_peer_user(peer), &c->user, &cause) == 0) {
		c->have_user = 1;
		/* For `lnshd authorized`; a failure only costs the record. */
		if (authkeys_note_use(d->state_dir, c->user.uid,
		    chan_peer_key(peer), (int64_t)(ln_wall_ns() /
		    LN_NS_PER_SEC), &cause) != 0) {
			log_warn("client %u: %s", c->id, cause);
			free(cause);
			cause = NULL;
		}
	} else {
		log_warn("client %u: %s", c->id, cause);
		free(cause);
	}
	c->next = d->clients;
	d->clients = c;
	d->nclients++;
	chan_peer_set_data(peer, c);
	key_fingerprint(chan_peer_key(peer), fp);
	log_info("client %u connected from %s as %s, key %s", c->id,
	    log_addr(chan_peer_addr(peer), addr, sizeof addr),
	    chan_peer_user(peer), fp);
	client_account_start(c, addr);
}

/*
 * ops->admit: a handshake would make a new connection. Under max-clients
 * it is admitted; at the limit the longest-silent client that is not
 * attached, or attached but silent past LN_EVICT_ATTACHED_SILENT_NS, is
 * evicted to make room (a one-shot command's forgotten connection, or a
 * client gone quiet), never a live attached one. Only when every client
 * is attached and live is the handshake refused. The walk goes from the
 * longest silent on, so it stops at the first client it may evict.
 */
int
client_admit(void *arg, const uint8_t *pk, uint64_t now)
{
	struct lnshd		*d = arg;
	struct chan_peer	*p;
	struct client		*c;
	uint64_t		 silent;
	char			 fp[LN_FINGERPRINT_LEN];

	if (d->cfg.max_clients == 0 || d->nclients < d->cfg.max_clients)
		return (0);
	for (p = chan_server_oldest(d->cs); p != NULL;
	    p = chan_peer_newer(p)) {
		c = chan_peer_data(p);
		silent = now > chan_peer_last_rx(p) ?
		    now - chan_peer_last_rx(p) : 0;
		if (c != NULL && c->att != NULL &&
		    silent < LN_EVICT_ATTACHED_SILENT_NS)
			continue;
		log_info("client %u evicted: %u clients, the most allowed "
		    "(max-clients), and it was silent for %llu s%s",
		    c != NULL ? c->id : 0, d->nclients,
		    (unsigned long long)(silent / LN_NS_PER_SEC),
		    c != NULL && c->att != NULL ? " (attached)" : "");
		d->evicted++;
		chan_server_drop(d->cs, p);
		return (0);
	}
	key_fingerprint(pk, fp);
	log_warn("key %s refused: %u clients, the most allowed (max-clients), "
	    "all attached and live; raise max-clients", fp, d->nclients);
	return (-1);
}

/* ops->disconnect: the client went away; its pending answers are dropped. */
void
client_disconnect(void *arg, struct chan_peer *peer)
{
	struct lnshd	*d = arg;
	struct client	*c = chan_peer_data(peer), **cp;

	if (c == NULL)
		return;
	for (cp = &d->clients; *cp != NULL; cp = &(*cp)->next) {
		if (*cp == c) {
			*cp = c->next;
			d->nclients--;
			break;
		}
	}
	log_info("client %u disconnected", c->id);
	client_unqueue(c);
	client_account_stop(c);
	/* Gone silent, not detached: it may come back with its token. */
	if (c->att != NULL)
		attach_stop(c->att, 1);
	c->att = NULL;
	chan_peer_set_data(peer, NULL);
	c->peer = NULL;
	client_unref(c);
}

/*
 * ops->moved: a client's connection roamed to another address, or it
 * shook hands again (handshake): told in the debug log, so that what a
 * client did during an outage can be read from both ends (lnsh's own is
 * LNSH_DEBUG_LOG, docs/attach.md). Set only at log level debug
 * (listen.c).
 */
void
client_moved(void *arg, struct chan_peer *peer, int handshake)
{
	struct client	*c = chan_peer_data(peer);
	char		 addr[LISTEN_ADDR_MAX];

	(void)arg;
	if (c == NULL)
		return;
	log_debug("client %u: %s %s", c->id, handshake ? "handshake again, "
	    "from" : "now at", log_addr(chan_peer_addr(peer), addr,
	    sizeof addr));
}

/* ops->message: one Request from a client. */
void
client_message(void *arg, struct chan_peer *peer, const uint8_t *msg,
    size_t len, int reliable)
{
	struct lnshd	*d = arg;
	struct client	*c = chan_peer_data(peer);
	Lnsh__Request	*req;

	if (c == NULL)
		return;
	/* Unreliable messages are SSP, for an attached connection only. */
	if (!reliable) {
		if (c->att != NULL)
			attach_input(c->att, msg, len);
		return;
	}
	if ((req = lnsh__request__unpack(NULL, len, msg)) == NULL) {
		log_debug("client %u: a message that is not a Request",
		    c->id);
		return;
	}
	d->requests++;
	/*
	 * A one-shot command is done: forget the connection once this
	 * input is processed, whatever the account check says. Only the
	 * client's keys can have sent it (the channel authenticated it).
	 */
	if (req->op_case == LNSH__REQUEST__OP_CLOSE) {
		log_debug("client %u closed its connection", c->id);
		d->closed++;
		chan_server_close(d->cs, peer);
		lnsh__request__free_unpacked(req, NULL);
		return;
	}
	if (c->have_user && c->acct == ACCT_PENDING) {
		if (c->nheld < LN_ACCT_QUEUE_MAX) {
			c->held[c->nheld++] = req;
			return;
		}
		client_reply(c, req->id, LNSH_EXIT_ERROR, "too many "
		    "requests before lnshd checked your account; wait for "
		    "the answers");
		lnsh__request__free_unpacked(req, NULL);
	} else
		client_take(c, req);
}

/*
 * Serves one Request from a client, or refuses it when the client's user
 * cannot be served or its account is refused.
 */
static void
client_serve(struct client *c, Lnsh__Request *req)
{
	if (!c->have_user) {
		client_reply(c, req->id, LNSH_EXIT_ERROR, "this lnshd "
		    "cannot serve the user you connected as");
		return;
	}
	if (c->acct != ACCT_OK) {
		client_account_refuse(c, req->id);
		return;
	}
	/* Past the reply budget: BUSY now, rather than work to throw away. */
	if (client_over(c, 0, 0)) {
		client_reply(c, req->id, LNSH_EXIT_ERROR, RPC_BUSY_TEXT);
		return;
	}
	switch (req->op_case) {
	case LNSH__REQUEST__OP_LIST:
		client_do_list(c, req->id);
		break;
	case LNSH__REQUEST__OP_NEW:
		client_do_new(c, req->id, req->new_);
		break;
	case LNSH__REQUEST__OP_KILL:
		client_do_kill(c, req->id, req->kill);
		break;
	case LNSH__REQUEST__OP_CAPTURE:
		client_do_capture(c, req->id, req->capture);
		break;
	case LNSH__REQUEST__OP_SEND:
		client_do_send(c, req->id, req->send);
		break;
	case LNSH__REQUEST__OP_ATTACH:
		client_do_attach(c, req->id, req->attach);
		break;
	case LNSH__REQUEST__OP_DETACH:
		client_do_detach(c, req->id);
		break;
	case LNSH__REQUEST__OP_WAIT:
		client_do_wait(c, req->id, req->wait);
		break;
	default:
		client_reply(c, req->id, LNSH_EXIT_ERROR, "this lnshd "
		    "does not know that request: upgrade it");
		break;
	}
}

/* For `lnshd status`: "clients N", then "client ID USER ADDR" lines. */
void
clients_describe(const struct lnshd *d, FILE *out)
{
	const struct client	*c;
	char			 addr[LISTEN_ADDR_MAX];

	fprintf(out, "clients %u\n", d->nclients);
	for (c = d->clients; c != NULL; c = c->next) {
		if (c->peer == NULL)
			continue;
		fprintf(out, "client %u %s %s\n", c->id,
		    chan_peer_user(c->peer),
		    log_addr(chan_peer_addr(c->peer), addr, sizeof addr));
	}
	fprintf(out, "requests %llu\n", (unsigned long long)d->requests);
	fprintf(out, "rpc_busy %llu\n", (unsigned long long)d->rpc_busy);
	fprintf(out, "rpc_dropped %llu\n",
	    (unsigned long long)d->rpc_dropped);
	fprintf(out, "clients_closed %llu\n", d->closed);
	fprintf(out, "clients_evicted %llu\n", d->evicted);
}
