/*
 * holder.c: the session holder. One process per session, running as the
 * session's user: it owns the pty master, the child, the emulator, the
 * scrollback and the server end of SSP for each attached client
 * (holder-sync.c), and serves lnshd (and nobody else) on a Unix socket.
 * lnshd is only a client, relaying its clients' SSP messages: the holder
 * outlives it, keeps its clients' sync state meanwhile, and a new lnshd
 * finds it again by its socket. Nothing here blocks; libevent picks the
 * backend.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <protobuf-c/protobuf-c.h>
#include <sodium.h>

#include "compat.h"
#include "holder.pb-c.h"
#include "holder.h"
#include "sessdir.h"

/* One connection on the holder's socket (lnshd, or holderctl). */
struct peer {
	struct holder		*h;
	struct bufferevent	*bev;
	int			 hello;		/* the peer's Hello accepted */
	int			 closing;	/* free once output drained */
	int			 kill_wait;	/* owes an Ok to a Kill */
	uint32_t		 kill_id;
	TAILQ_ENTRY(peer)	 entry;
};
TAILQ_HEAD(peers, peer);

struct holder {
	const struct holder_opts *opts;
	struct event_base	*base;
	struct sockaddr_un	 sun;		/* our socket, to unlink */
	int			 listen_fd;
	struct acceptor		 acc;		/* the listening socket */

	int			 master;
	struct event		*ev_pty_read;
	struct event		*ev_pty_write;
	struct evbuffer		*pty_out;
	uint64_t		 keys_dropped;	/* over HOLDER_PTY_QUEUE */
	uint64_t		 replies_dropped; /* the same, the emulator's */
	int			 pty_eof;
	pid_t			 child;
	struct emu		*emu;
	struct hsync		*sync;		/* attached clients' SSP */
	int			 cols, rows;
	char			*command;
	const char		*term;		/* the session's TERM */

	int			 exited;
	int			 exit_status;
	int			 exit_signal;
	uint64_t		 created_ns;
	uint64_t		 activity_ns;

	int			 killing;
	int			 leaving;
	struct event		*ev_kill;	/* SIGHUP -> SIGKILL grace */
	struct event		*ev_expire;	/* exited, never listed */
	struct event		*ev_leave;	/* bound on flushing at exit */
	struct event		*ev_settle;	/* scrollback: output paused */
	struct event		*ev_sync;	/* an update left open */
	uint64_t		 sync_gen;	/* the update it bounds */
	uint64_t		 settle_total;	/* sb_total when set */
	int			 trim;		/* after a capture drains */
	struct event		*ev_sigchld;
	struct event		*ev_sigterm;

	struct peers		 conns;
	unsigned		 nconns;
};

static void	holder_leave(struct holder *);
static void	peer_free(struct peer *);

/* Logs a line to stderr, which lnshd passes on to its log. */
static void __attribute__((format(printf, 2, 3)))
holder_log(const struct holder *h, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "lnsh-holder %s: ", h->opts->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * The session's TERM: the one asked for if this machine has a terminfo
 * entry for it, else PTY_DEFAULT_TERM (lnshd tells the client, from our
 * Hello).
 */
static const char *
holder_term(struct holder *h, const char *home)
{
	const char	*term = h->opts->term;

	if (term == NULL || *term == '\0')
		return (PTY_DEFAULT_TERM);
	if (termcheck_known(term, home))
		return (term);
	holder_log(h, "TERM %s has no terminfo entry here: the session runs "
	    "with TERM=%s", termcheck_name_ok(term) ? term :
	    "(not a terminal name)", PTY_DEFAULT_TERM);
	return (PTY_DEFAULT_TERM);
}

/* Tells whoever spawned us how startup went ("ok", "exists", "error"). */
static void
holder_ready(struct holder *h, const char *word, const char *msg)
{
	char	line[HOLDER_READY_MAX];
	int	n;

	if (h->opts->ready_fd == -1)
		return;
	n = snprintf(line, sizeof line, "%s %s\n", word, msg);
	if (n > 0 && (size_t)n < sizeof line &&
	    write(h->opts->ready_fd, line, (size_t)n) != n)
		holder_log(h, "cannot report startup: %s", strerror(errno));
	close(h->opts->ready_fd);
}

/* Frames and queues a reply on a connection. */
static void
peer_send(struct peer *c, const Lnsh__Holder__Reply *rep)
{
	uint8_t	*frame;
	size_t	 len;

	if (hwire_pack_reply(rep, &frame, &len) != 0)
		return;
	bufferevent_write(c->bev, frame, len);
	free(frame);
}

/* Sends an Error reply. */
static void
peer_error(struct peer *c, uint32_t id, Lnsh__Holder__ErrorCode code,
    const char *msg)
{
	Lnsh__Holder__Reply	rep = LNSH__HOLDER__REPLY__INIT;
	Lnsh__Holder__Error	e = LNSH__HOLDER__ERROR__INIT;

	e.code = code;
	e.message = (char *)(uintptr_t)msg;
	rep.id = id;
	rep.msg_case = LNSH__HOLDER__REPLY__MSG_ERROR;
	rep.error = &e;
	peer_send(c, &rep);
}

static void
peer_ok(struct peer *c, uint32_t id)
{
	Lnsh__Holder__Reply	rep = LNSH__HOLDER__REPLY__INIT;
	Lnsh__Holder__Ok	ok = LNSH__HOLDER__OK__INIT;

	rep.id = id;
	rep.msg_case = LNSH__HOLDER__REPLY__MSG_OK;
	rep.ok = &ok;
	peer_send(c, &rep);
}

/* The screen changed: the attached clients' SSP servers hear. */
static void
holder_changed(struct holder *h)
{
	hsync_changed(h->sync);
}

/* Tells every connection the child exited. */
static void
holder_notify_exited(struct holder *h)
{
	Lnsh__Holder__Reply	rep = LNSH__HOLDER__REPLY__INIT;
	Lnsh__Holder__Exited	ex = LNSH__HOLDER__EXITED__INIT;
	struct peer		*c;

	ex.exit_status = h->exit_status;
	ex.exit_signal = (uint32_t)h->exit_signal;
	rep.msg_case = LNSH__HOLDER__REPLY__MSG_EXITED;
	rep.exited = &ex;
	TAILQ_FOREACH(c, &h->conns, entry) {
		if (c->hello && !c->closing)
			peer_send(c, &rep);
	}
}

/*
 * Queues bytes for the pty, within HOLDER_PTY_QUEUE: 0, or LN_E_FULL and
 * nothing queued.
 */
static int
holder_pty_queue(struct holder *h, const uint8_t *data, size_t len)
{
	if (evbuffer_get_length(h->pty_out) + len > HOLDER_PTY_QUEUE)
		return (LN_E_FULL);
	if (len > 0) {
		evbuffer_add(h->pty_out, data, len);
		event_add(h->ev_pty_write, NULL);
	}
	return (0);
}

/*
 * The emulator's answers to the application (DA, DSR) go to the pty, in
 * the queue typed input shares, within HOLDER_PTY_QUEUE. A program that
 * asks and never reads its input (ESC [ c in a loop) would grow the queue
 * without end: an answer that does not fit is dropped, and the first
 * such drop logged, as for keys; the program, not reading, misses nothing
 * it would have read.
 */
static void
holder_emu_reply(void *arg, const uint8_t *data, size_t len)
{
	struct holder	*h = arg;

	if (h->pty_eof || h->exited)
		return;
	if (holder_pty_queue(h, data, len) != 0 && h->replies_dropped++ == 0)
		holder_log(h, "the session is not reading its input: "
		    "terminal replies dropped");
}

/*
 * Sets the timer that encodes the scrollback lines still held as copies
 * once output pauses (holder/scrollback.c).
 */
static void
holder_settle_arm(struct holder *h)
{
	struct timeval	 tv;

	h->settle_total = sb_total(emu_scrollback(h->emu));
	tv.tv_sec = 0;
	tv.tv_usec = HOLDER_SB_SETTLE_MS * 1000;
	evtimer_add(h->ev_settle, &tv);
}

/*
 * The settle timer: if lines scrolled since it was set, the burst goes on
 * and so does the wait (the lines it pushes out of the ring meanwhile are
 * never encoded; LN_SB_PENDING_MAX bounds what waits); else the lines
 * waiting are encoded and their copies freed.
 */
static void
holder_settle(evutil_socket_t fd, short events, void *arg)
{
	struct holder	*h = arg;

	if (sb_total(emu_scrollback(h->emu)) != h->settle_total)
		holder_settle_arm(h);
	else {
		emu_settle(h->emu);
		compat_malloc_trim();
	}
}

/* Lines may have scrolled into the scrollback: settle them later. */
static void
holder_settle_check(struct holder *h)
{
	if (emu_pending(h->emu, NULL) > 0 &&
	    !evtimer_pending(h->ev_settle, NULL))
		holder_settle_arm(h);
}

/*
 * A synchronized update the program opened (emu_held) shows when the
 * program ends it, or HOLDER_SYNC_MAX_MS after it began: a program that
 * dies inside one must not freeze the clients' screen.
 */
static void
holder_sync_check(struct holder *h)
{
	struct timeval	 tv;
	uint64_t	 total, gen;

	if (emu_held(h->emu, &total, &gen) == NULL || gen == h->sync_gen)
		return;
	h->sync_gen = gen;
	tv.tv_sec = HOLDER_SYNC_MAX_MS / 1000;
	tv.tv_usec = (HOLDER_SYNC_MAX_MS % 1000) * 1000;
	evtimer_add(h->ev_sync, &tv);
}

/* The bound of holder_sync_check: the update still open is let go. */
static void
holder_sync_expire(evutil_socket_t fd, short events, void *arg)
{
	struct holder	*h = arg;
	uint64_t	 total, gen;

	if (emu_held(h->emu, &total, &gen) == NULL || gen != h->sync_gen)
		return;
	emu_release(h->emu);
	holder_changed(h);
}

/* Output from the application: into the emulator. */
static void
holder_pty_read(evutil_socket_t fd, short events, void *arg)
{
	struct holder	*h = arg;
	uint8_t		 data[65536];
	ssize_t		 n;

	n = read(fd, data, sizeof data);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* EIO on Linux once the last slave fd closes; EOF elsewhere. */
		h->pty_eof = 1;
		event_del(h->ev_pty_read);
		event_del(h->ev_pty_write);
		evbuffer_drain(h->pty_out, evbuffer_get_length(h->pty_out));
		return;
	}
	emu_input(h->emu, data, (size_t)n);
	holder_settle_check(h);
	holder_sync_check(h);
	h->activity_ns = ln_wall_ns();
	holder_changed(h);
}

/* Input for the application, written as fast as the pty takes it. */
static void
holder_pty_write(evutil_socket_t fd, short events, void *arg)
{
	struct holder	*h = arg;

	if (evbuffer_write(h->pty_out, fd) == -1 &&
	    errno != EAGAIN && errno != EINTR) {
		evbuffer_drain(h->pty_out, evbuffer_get_length(h->pty_out));
		holder_log(h, "pty write: %s", strerror(errno));
	}
	if (evbuffer_get_length(h->pty_out) == 0)
		event_del(h->ev_pty_write);
}

/* Signals the child's process group and the pty's foreground job. */
static void
holder_signal_child(struct holder *h, int sig)
{
	pid_t	fg;

	if (h->child <= 0)
		return;
	kill(-h->child, sig);
	if (!h->pty_eof && (fg = tcgetpgrp(h->master)) > 0 && fg != h->child)
		kill(-fg, sig);
}

/* The kill grace period is over: whatever is left gets SIGKILL. */
static void
holder_kill_timeout(evutil_socket_t fd, short events, void *arg)
{
	struct holder	*h = arg;

	holder_signal_child(h, SIGKILL);
}

/* Starts ending the session: SIGHUP now, SIGKILL after a grace period. */
static void
holder_start_kill(struct holder *h)
{
	struct timeval	tv;

	if (h->killing)
		return;
	h->killing = 1;
	if (h->exited) {
		holder_leave(h);
		return;
	}
	holder_signal_child(h, SIGHUP);
	ln_ns_timeval(HOLDER_KILL_GRACE_MS * LN_NS_PER_MS, &tv);
	evtimer_add(h->ev_kill, &tv);
}

/* An exited session nobody attached to or killed in time: give it up. */
static void
holder_expire(evutil_socket_t fd, short events, void *arg)
{
	struct holder	*h = arg;

	holder_log(h, "exited %ld s ago and nobody attached or killed it: "
	    "leaving", h->opts->keep_exited);
	holder_leave(h);
}

/* SIGCHLD: collect the child's status; finish a kill in progress. */
static void
holder_sigchld(evutil_socket_t fd, short events, void *arg)
{
	struct holder	*h = arg;
	struct peer	*c;
	struct timeval	 tv;
	pid_t		 pid;
	int		 status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid != h->child || h->exited)
			continue;
		h->exited = 1;
		if (WIFSIGNALED(status)) {
			h->exit_status = -1;
			h->exit_signal = WTERMSIG(status);
		} else
			h->exit_status = WEXITSTATUS(status);
		h->activity_ns = ln_wall_ns();
		holder_notify_exited(h);
		if (h->killing) {
			/* Stragglers the shell left in its group go too. */
			holder_signal_child(h, SIGKILL);
			TAILQ_FOREACH(c, &h->conns, entry) {
				if (c->kill_wait)
					peer_ok(c, c->kill_id);
				c->kill_wait = 0;
			}
			holder_leave(h);
			return;
		}
		tv.tv_sec = h->opts->keep_exited > 0 ?
		    h->opts->keep_exited : HOLDER_EXITED_KEEP_SEC;
		tv.tv_usec = 0;
		evtimer_add(h->ev_expire, &tv);
	}
}

/* SIGTERM to the holder ends the session, as a Kill request would. */
static void
holder_sigterm(evutil_socket_t fd, short events, void *arg)
{
	holder_start_kill(arg);
}

/* The bound on flushing replies at exit has passed. */
static void
holder_leave_timeout(evutil_socket_t fd, short events, void *arg)
{
	struct holder	*h = arg;

	event_base_loopexit(h->base, NULL);
}

/*
 * Stops serving: the socket goes first, so a lister that got our last
 * reply no longer finds us; then replies already queued are flushed (for a
 * bounded time) and the loop ends.
 */
static void
holder_leave(struct holder *h)
{
	struct peer	*c, *next;
	struct timeval	 tv;

	if (h->leaving)
		return;
	h->leaving = 1;
	if (h->listen_fd != -1) {
		acceptor_stop(&h->acc);
		close(h->listen_fd);
		h->listen_fd = -1;
		unlink(h->sun.sun_path);
	}
	for (c = TAILQ_FIRST(&h->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		c->closing = 1;
		bufferevent_disable(c->bev, EV_READ);
		if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
			peer_free(c);
	}
	if (h->nconns == 0) {
		event_base_loopexit(h->base, NULL);
		return;
	}
	tv.tv_sec = HOLDER_IO_TIMEOUT_SEC;
	tv.tv_usec = 0;
	evtimer_add(h->ev_leave, &tv);
}

/* Answers an Info request; a consuming lister's report of an exit is final. */
static void
holder_do_info(struct peer *c, uint32_t id, int consume)
{
	struct holder		*h = c->h;
	Lnsh__Holder__Reply	 rep = LNSH__HOLDER__REPLY__INIT;
	Lnsh__Holder__Info	 info = LNSH__HOLDER__INFO__INIT;
	const char		*t;
	char			 title[HOLDER_MAX_TITLE + 1];

	title[0] = '\0';
	if ((t = emu_title(h->emu)) != NULL) {
		tt_clean(title, sizeof title, t, strnlen(t, HOLDER_MAX_TITLE),
		    0);
	}
	info.name = (char *)(uintptr_t)h->opts->name;
	info.state = h->exited ? LNSH__HOLDER__STATE__STATE_EXITED :
	    LNSH__HOLDER__STATE__STATE_RUNNING;
	info.exit_status = h->exited ? h->exit_status : 0;
	info.exit_signal = (uint32_t)h->exit_signal;
	info.created_ns = h->created_ns;
	info.activity_ns = h->activity_ns;
	info.clients = hsync_count(h->sync);
	info.cols = (uint32_t)h->cols;
	info.rows = (uint32_t)h->rows;
	info.pid = (uint32_t)h->child;
	info.command = h->command;
	info.title = title;
	rep.id = id;
	rep.msg_case = LNSH__HOLDER__REPLY__MSG_INFO;
	rep.info = &info;
	peer_send(c, &rep);
	if (consume && h->exited)
		holder_leave(h);
}

/* Answers a Capture request with the emulator's text. */
static void
holder_do_capture(struct peer *c, uint32_t id,
    const Lnsh__Holder__CaptureRequest *req)
{
	Lnsh__Holder__Reply	 rep = LNSH__HOLDER__REPLY__INIT;
	Lnsh__Holder__Capture	 cap = LNSH__HOLDER__CAPTURE__INIT;
	char			*text;
	size_t			 len;

	if (emu_capture(c->h->emu, req->scrollback_lines, req->escapes,
	    &text, &len) != 0) {
		peer_error(c, id, LNSH__HOLDER__ERROR_CODE__ERROR_UNKNOWN,
		    "capture failed");
		return;
	}
	if (len > HOLDER_MAX_FRAME - HOLDER_FRAME_OVERHEAD) {
		free(text);
		peer_error(c, id, LNSH__HOLDER__ERROR_CODE__ERROR_REQUEST,
		    "capture too large: ask for fewer scrollback lines");
		return;
	}
	cap.text.data = (uint8_t *)text;
	cap.text.len = len;
	rep.id = id;
	rep.msg_case = LNSH__HOLDER__REPLY__MSG_CAPTURE;
	rep.capture = &cap;
	peer_send(c, &rep);
	free(text);
	/*
	 * A large capture's buffers come from the free space a burst's
	 * scrollback copies left in the heap, and keep its pages resident once
	 * freed: they go back when the reply has been written (peer_write).
	 */
	if (len >= HOLDER_TRIM_BYTES)
		c->h->trim = 1;
}

/* Queues input for the pty, within HOLDER_PTY_QUEUE. */
static void
holder_do_keys(struct peer *c, uint32_t id, const ProtobufCBinaryData *d)
{
	struct holder	*h = c->h;

	if (h->exited || h->pty_eof || h->killing) {
		peer_error(c, id, LNSH__HOLDER__ERROR_CODE__ERROR_STATE,
		    "the session has exited");
		return;
	}
	if (holder_pty_queue(h, d->data, d->len) != 0) {
		peer_error(c, id, LNSH__HOLDER__ERROR_CODE__ERROR_BUSY,
		    "the session is not reading its input");
		return;
	}
	if (d->len > 0)
		h->activity_ns = ln_wall_ns();
	peer_ok(c, id);
}

/* Resizes the emulator and the pty (the application gets SIGWINCH). */
static void
holder_set_size(struct holder *h, int cols, int rows)
{
	if (cols < 1 || rows < 1 || cols > HOLDER_MAX_COLS ||
	    rows > HOLDER_MAX_ROWS || (cols == h->cols && rows == h->rows))
		return;
	h->cols = cols;
	h->rows = rows;
	emu_resize(h->emu, cols, rows);
	holder_settle_check(h);
	if (!h->pty_eof)
		pty_resize(h->master, cols, rows);
	holder_changed(h);
}

/* hsync_ops->resize: the latest client's size. */
static void
holder_sync_resize(void *arg, int cols, int rows)
{
	holder_set_size(arg, cols, rows);
}

/*
 * hsync_ops->keys: a client's keys, in the order it typed them, into the
 * pty queue within HOLDER_PTY_QUEUE. SSP has delivered them (they are
 * acknowledged): keys that do not fit, because the session has not read
 * its input for a megabyte, are dropped and counted.
 */
static void
holder_sync_keys(void *arg, const uint8_t *data, size_t len)
{
	struct holder	*h = arg;

	if (h->exited || h->pty_eof || h->killing || len == 0)
		return;
	if (holder_pty_queue(h, data, len) != 0) {
		if (h->keys_dropped++ == 0)
			holder_log(h, "the session is not reading its input: "
			    "keys dropped");
		return;
	}
	h->activity_ns = ln_wall_ns();
}

/*
 * hsync_ops->send: one SSP message for client id, a Sync notification on
 * its connection. What lnshd has not read is bounded by
 * LN_HOLDER_SYNC_QUEUE_MAX: past it the message is dropped, which SSP
 * takes as a loss and repairs with a later frame.
 */
static int
holder_sync_send(void *arg, void *conn, uint32_t id, const uint8_t *p,
    size_t len)
{
	struct peer		*c = conn;
	Lnsh__Holder__Reply	 rep = LNSH__HOLDER__REPLY__INIT;
	Lnsh__Holder__Sync	 sy = LNSH__HOLDER__SYNC__INIT;

	if (c->closing || len > LN_MAX_MESSAGE ||
	    evbuffer_get_length(bufferevent_get_output(c->bev)) + len >
	    LN_HOLDER_SYNC_QUEUE_MAX)
		return (LN_E_FULL);
	sy.client = id;
	sy.data.data = (uint8_t *)(uintptr_t)p;
	sy.data.len = len;
	rep.msg_case = LNSH__HOLDER__REPLY__MSG_SYNC;
	rep.sync = &sy;
	peer_send(c, &rep);
	return (0);
}

/*
 * hsync_ops->evicted: a silent client made room for a new one; lnshd
 * hears it (Evicted) and detaches it, and the holder's log says so.
 */
static void
holder_sync_evicted(void *arg, void *conn, uint32_t id, unsigned silent)
{
	struct holder		*h = arg;
	struct peer		*c = conn;
	Lnsh__Holder__Reply	 rep = LNSH__HOLDER__REPLY__INIT;
	Lnsh__Holder__Evicted	 ev = LNSH__HOLDER__EVICTED__INIT;

	holder_log(h, "%d clients attached: client %lu, silent for %u s, "
	    "evicted to make room", LN_HOLDER_CLIENTS_MAX, (unsigned long)id,
	    silent);
	if (c->closing)
		return;
	ev.client = id;
	rep.msg_case = LNSH__HOLDER__REPLY__MSG_EVICTED;
	rep.evicted = &ev;
	peer_send(c, &rep);
}

static const struct hsync_ops holder_sync_ops = {
	.send = holder_sync_send,
	.keys = holder_sync_keys,
	.resize = holder_sync_resize,
	.evicted = holder_sync_evicted,
};

/* Attaches a client of lnshd's: its SSP server starts (or resumes). */
static void
holder_do_attach(struct peer *c, uint32_t id,
    const Lnsh__Holder__Attach *a)
{
	Lnsh__Holder__Reply	 rep = LNSH__HOLDER__REPLY__INIT;
	Lnsh__Holder__Attached	 at = LNSH__HOLDER__ATTACHED__INIT;
	uint8_t			 token[LN_HOLDER_TOKEN_LEN];
	char			 msg[160];
	int			 resumed;

	if (hsync_attach(c->h->sync, c, a->client, (int)a->cols,
	    (int)a->rows, a->resume.len == sizeof token ? a->resume.data :
	    NULL, token, &resumed) != 0) {
		snprintf(msg, sizeof msg, "the session has %d clients "
		    "attached, as many as it serves: detach one of them "
		    "and attach again", LN_HOLDER_CLIENTS_MAX);
		peer_error(c, id, LNSH__HOLDER__ERROR_CODE__ERROR_BUSY, msg);
		return;
	}
	at.token.data = token;
	at.token.len = sizeof token;
	at.resumed = resumed;
	rep.id = id;
	rep.msg_case = LNSH__HOLDER__REPLY__MSG_ATTACHED;
	rep.attached = &at;
	peer_send(c, &rep);
	sodium_memzero(token, sizeof token);
	hsync_start_sending(c->h->sync, c, a->client);
}

/* The first message: the peer's Hello, which must speak our version. */
static void
holder_do_hello(struct peer *c, const Lnsh__Holder__Request *req)
{
	Lnsh__Holder__Reply	rep = LNSH__HOLDER__REPLY__INIT;
	Lnsh__Holder__Hello	hello = LNSH__HOLDER__HELLO__INIT;
	Lnsh__Holder__Error	e = LNSH__HOLDER__ERROR__INIT;
	const char		*method;
	char			msg[128];

	if (req->msg_case != LNSH__HOLDER__REQUEST__MSG_HELLO) {
		peer_error(c, req->id, LNSH__HOLDER__ERROR_CODE__ERROR_REQUEST,
		    "expected hello first");
		c->closing = 1;
		return;
	}
	if (req->hello->version != HOLDER_PROTO_VERSION) {
		/* Our version with the refusal: lnshd may greet us in it. */
		snprintf(msg, sizeof msg, "holder protocol version mismatch: "
		    "holder speaks %d, peer %u", HOLDER_PROTO_VERSION,
		    req->hello->version);
		e.code = LNSH__HOLDER__ERROR_CODE__ERROR_VERSION;
		e.message = msg;
		e.version = HOLDER_PROTO_VERSION;
		rep.id = req->id;
		rep.msg_case = LNSH__HOLDER__REPLY__MSG_ERROR;
		rep.error = &e;
		peer_send(c, &rep);
		c->closing = 1;
		return;
	}
	c->hello = 1;
	hello.version = HOLDER_PROTO_VERSION;
	hello.name = (char *)(uintptr_t)c->h->opts->name;
	hello.pid = (uint32_t)getpid();
	method = event_base_get_method(c->h->base);
	hello.event_method = (char *)(uintptr_t)method;
	hello.term = (char *)(uintptr_t)(c->h->term != NULL ? c->h->term :
	    "");
	rep.id = req->id;
	rep.msg_case = LNSH__HOLDER__REPLY__MSG_HELLO;
	rep.hello = &hello;
	peer_send(c, &rep);
}

/* Acts on one decoded request. */
static void
holder_dispatch(struct peer *c, const Lnsh__Holder__Request *req)
{
	struct holder	*h = c->h;

	if (!c->hello) {
		holder_do_hello(c, req);
		return;
	}
	switch (req->msg_case) {
	case LNSH__HOLDER__REQUEST__MSG_INFO:
		holder_do_info(c, req->id, req->info->consume);
		break;
	case LNSH__HOLDER__REQUEST__MSG_INPUT:
		holder_do_keys(c, req->id, &req->input->data);
		break;
	case LNSH__HOLDER__REQUEST__MSG_CAPTURE:
		holder_do_capture(c, req->id, req->capture);
		break;
	case LNSH__HOLDER__REQUEST__MSG_KILL:
		if (h->exited) {
			peer_ok(c, req->id);
			holder_leave(h);
			break;
		}
		c->kill_wait = 1;
		c->kill_id = req->id;
		holder_start_kill(h);
		break;
	case LNSH__HOLDER__REQUEST__MSG_ATTACH:
		holder_do_attach(c, req->id, req->attach);
		break;
	case LNSH__HOLDER__REQUEST__MSG_SYNC:
		hsync_input(h->sync, c, req->sync->client,
		    req->sync->data.data, req->sync->data.len);
		break;
	case LNSH__HOLDER__REQUEST__MSG_DETACH:
		hsync_detach(h->sync, c, req->detach->client,
		    req->detach->keep);
		break;
	default:
		peer_error(c, req->id, LNSH__HOLDER__ERROR_CODE__ERROR_REQUEST,
		    "unexpected request");
		break;
	}
}

/* Bytes from a connection: every whole frame in them, in order. */
static void
peer_read(struct bufferevent *bev, void *arg)
{
	struct peer		*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	Lnsh__Holder__Request	*req;
	uint8_t			*p;
	size_t			 len, size;
	int			 r;

	while (!c->closing && !c->h->leaving) {
		len = evbuffer_get_length(in);
		p = evbuffer_pullup(in, len < HOLDER_FRAME_HDR ? -1 :
		    HOLDER_FRAME_HDR);
		r = hwire_frame_size(p, len, HOLDER_MAX_REQUEST, &size);
		if (r == LN_E_DROP(LN_DROP_SHORT))
			return;
		if (r == 0 && len < size)
			return;
		if (r == 0) {
			p = evbuffer_pullup(in, (ssize_t)size);
			r = hwire_unpack_request(p, size, &req);
		}
		if (r != 0) {
			/* Garbage: nothing dropped is answered. */
			peer_free(c);
			return;
		}
		evbuffer_drain(in, size);
		holder_dispatch(c, req);
		lnsh__holder__request__free_unpacked(req, NULL);
	}
	if (c->closing &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		peer_free(c);
}

/* A connection's output drained: a pending close. */
static void
peer_write(struct bufferevent *bev, void *arg)
{
	struct peer	*c = arg;

	if (c->h->trim) {
		compat_malloc_trim();
		c->h->trim = 0;
	}
	if (c->closing)
		peer_free(c);
}

/* EOF or an error on a connection. */
static void
peer_event(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		peer_free(arg);
}

/* Forgets a connection; the last one gone ends a holder that is leaving. */
static void
peer_free(struct peer *c)
{
	struct holder	*h = c->h;

	TAILQ_REMOVE(&h->conns, c, entry);
	h->nconns--;
	bufferevent_free(c->bev);
	if (h->sync != NULL)
		hsync_conn_gone(h->sync, c);
	free(c);
	if (h->leaving && h->nconns == 0)
		event_base_loopexit(h->base, NULL);
}

/*
 * A connection on the socket. The directory is 0700 and the socket 0600,
 * but the peer's credentials are checked anyway, on every accept: only
 * root (lnshd) and the session's own user may talk to the holder.
 */
static void
holder_accept(evutil_socket_t lfd, short events, void *arg)
{
	struct holder	*h = arg;
	struct peer	*c;
	uid_t		 uid;
	gid_t		 gid;
	int		 fd;

	if ((fd = acceptor_accept(&h->acc, lfd)) < 0) {
		if (fd == ACCEPT_PAUSED)
			holder_log(h, "accept: %s; not accepting for a moment",
			    strerror(errno));
		return;
	}
	if (compat_peereid(fd, &uid, &gid) == -1) {
		holder_log(h, "peer credentials: %s", strerror(errno));
		close(fd);
		return;
	}
	if (uid != 0 && uid != getuid()) {
		holder_log(h, "refused a connection from uid %ld", (long)uid);
		close(fd);
		return;
	}
	if (h->nconns >= HOLDER_MAX_CONNS || h->leaving) {
		close(fd);
		return;
	}
	evutil_make_socket_nonblocking(fd);
	evutil_make_socket_closeonexec(fd);
	c = xcalloc(1, sizeof *c);
	c->h = h;
	c->bev = bufferevent_socket_new(h->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		close(fd);
		free(c);
		return;
	}
	bufferevent_setcb(c->bev, peer_read, peer_write, peer_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&h->conns, c, entry);
	h->nconns++;
}

/*
 * Binds SOCKDIR/NAME. A socket that answers is a live session of the same
 * name (-> "exists"); one that refuses is stale and is replaced.
 */
static int
holder_listen(struct holder *h, char *err, size_t errlen)
{
	struct sockaddr_un	sun;
	struct stat		st;
	mode_t			mask;
	int			fd = -1, r;

	if ((r = unixsock_addr(&sun, h->opts->dir, h->opts->name,
	    UNIXSOCK_SHORTEN_HOLDER, err, errlen)) != 0)
		return (r);
	h->sun = sun;
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		goto fail;
	if (lstat(sun.sun_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket",
			    sun.sun_path);
			close(fd);
			return (LN_E_INVAL);
		}
		if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0) {
			snprintf(err, errlen, "session %s already exists",
			    h->opts->name);
			close(fd);
			return (LN_E_STATE);
		}
		close(fd);
		unlink(sun.sun_path);
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
			goto fail;
	}
	mask = umask(0177);
	r = bind(fd, (struct sockaddr *)&sun, sizeof sun);
	umask(mask);
	if (r == -1 || listen(fd, 16) == -1)
		goto fail;
	evutil_make_socket_nonblocking(fd);
	evutil_make_socket_closeonexec(fd);
	h->listen_fd = fd;
	return (0);
fail:
	snprintf(err, errlen, "%s: %s%s", sun.sun_path, strerror(errno),
	    ln_fs_hint(errno));
	if (fd != -1)
		close(fd);
	return (LN_E_SYSTEM);
}

/* Joins argv into the command line Info shows. */
static char *
holder_command(char **argv, const char *shell)
{
	size_t	 len = 0, i;
	char	*s, *t;

	if (argv == NULL || argv[0] == NULL)
		return (tt_dup(shell, strlen(shell), 0));
	for (i = 0; argv[i] != NULL; i++)
		len += strlen(argv[i]) + 1;
	if (len > HOLDER_MAX_COMMAND)
		len = HOLDER_MAX_COMMAND;
	s = xcalloc(1, len + 1);
	for (i = 0; argv[i] != NULL; i++) {
		if (i > 0)
			strncat(s, " ", len - strlen(s));
		strncat(s, argv[i], len - strlen(s));
	}
	t = xmalloc(len + 1);
	tt_clean(t, len + 1, s, strlen(s), 0);
	free(s);
	return (t);
}

/* Creates the events of the holder's loop. */
static void
holder_events(struct holder *h)
{
	acceptor_init(&h->acc, h->base, h->listen_fd, holder_accept, h);
	h->ev_pty_read = event_new(h->base, h->master, EV_READ | EV_PERSIST,
	    holder_pty_read, h);
	h->ev_pty_write = event_new(h->base, h->master, EV_WRITE | EV_PERSIST,
	    holder_pty_write, h);
	h->ev_kill = evtimer_new(h->base, holder_kill_timeout, h);
	h->ev_expire = evtimer_new(h->base, holder_expire, h);
	h->ev_leave = evtimer_new(h->base, holder_leave_timeout, h);
	h->ev_settle = evtimer_new(h->base, holder_settle, h);
	h->ev_sync = evtimer_new(h->base, holder_sync_expire, h);
	event_add(h->ev_pty_read, NULL);
}

/*
 * Catches SIGCHLD and SIGTERM from here on. Called before the child is
 * forked: a command that exits at once (sh -c 'exit 9') would otherwise
 * send its SIGCHLD while the signal is still ignored, and the holder,
 * never hearing it, would list the session running for ever and leave a
 * zombie. libevent queues the signal; the handler runs in the loop, once
 * h->child is known.
 */
static void
holder_signals(struct holder *h)
{
	h->ev_sigchld = evsignal_new(h->base, SIGCHLD, holder_sigchld, h);
	h->ev_sigterm = evsignal_new(h->base, SIGTERM, holder_sigterm, h);
	event_add(h->ev_sigchld, NULL);
	event_add(h->ev_sigterm, NULL);
}

/*
 * Test only (docs/hacking.md): LNSH_TEST_SPAWN_PAUSE_MS=N, 1 to 5000,
 * pauses N ms between forking the child and starting the loop, so that a
 * test can make a quick command end inside that window.
 */
static void
holder_test_pause(void)
{
	uint64_t	ns;

	ns = ln_test_env_ns("LNSH_TEST_SPAWN_PAUSE_MS", LN_NS_PER_MS, 1, 5000);
	if (ns != 0)
		(void)usleep((useconds_t)(ns / 1000));
}

/* Frees everything holder_run made. */
static void
holder_cleanup(struct holder *h)
{
	struct peer	*c;
	struct event	*evs[] = { h->ev_pty_read,
			    h->ev_pty_write, h->ev_kill, h->ev_expire,
			    h->ev_leave, h->ev_settle, h->ev_sync,
			    h->ev_sigchld, h->ev_sigterm };
	size_t		 i;

	while ((c = TAILQ_FIRST(&h->conns)) != NULL)
		peer_free(c);
	hsync_free(h->sync);
	h->sync = NULL;
	acceptor_free(&h->acc);
	for (i = 0; i < sizeof evs / sizeof evs[0]; i++) {
		if (evs[i] != NULL)
			event_free(evs[i]);
	}
	if (h->listen_fd != -1) {
		close(h->listen_fd);
		unlink(h->sun.sun_path);
	}
	if (h->master != -1)
		close(h->master);
	if (h->pty_out != NULL)
		evbuffer_free(h->pty_out);
	if (h->emu != NULL)
		emu_free(h->emu);
	if (h->base != NULL)
		event_base_free(h->base);
	free(h->command);
}

/*
 * Runs a session to its end: socket, emulator, child, then the loop until
 * the session has been killed, or has exited and been listed (or expired).
 * Returns 0, or nonzero if it could not start (reported on ready_fd).
 */
int
holder_run(const struct holder_opts *opts)
{
	struct holder	 h;
	struct passwd	*pw;
	struct pty_spec	 spec;
	char		 err[512];
	const char	*shell;
	int		 r;

	memset(&h, 0, sizeof h);
	h.opts = opts;
	h.listen_fd = h.master = -1;
	h.cols = opts->cols;
	h.rows = opts->rows;
	TAILQ_INIT(&h.conns);

	/* Our own session: lnshd's terminal and signals are not ours. */
	(void)setsid();
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);

	if ((pw = getpwuid(getuid())) == NULL) {
		snprintf(err, sizeof err, "no passwd entry for uid %ld",
		    (long)getuid());
		r = LN_E_SYSTEM;
		goto fail;
	}
	shell = pw->pw_shell != NULL && *pw->pw_shell != '\0' ?
	    pw->pw_shell : "/bin/sh";
	if ((r = sessdir_prepare(opts->dir, err, sizeof err)) != 0 ||
	    (r = holder_listen(&h, err, sizeof err)) != 0)
		goto fail;
	if ((h.base = compat_event_base()) == NULL) {
		if (compat_event_method() != NULL)
			snprintf(err, sizeof err, "libevent offers no \"%s\" "
			    "method, the only one that can wait on a pty "
			    "here: install a libevent built with it",
			    compat_event_method());
		else
			snprintf(err, sizeof err, "cannot create a libevent "
			    "event base");
		r = LN_E_SYSTEM;
		goto fail;
	}
	h.pty_out = evbuffer_new();
	h.emu = emu_new(h.cols, h.rows, (size_t)opts->scrollback,
	    holder_emu_reply, &h);
	h.sync = hsync_new(h.base, h.emu, &holder_sync_ops, &h);
	h.command = holder_command(opts->argv, shell);
	h.created_ns = h.activity_ns = ln_wall_ns();

	memset(&spec, 0, sizeof spec);
	spec.user = pw->pw_name;
	spec.home = pw->pw_dir != NULL && *pw->pw_dir != '\0' ?
	    pw->pw_dir : "/";
	spec.shell = shell;
	spec.argv = opts->argv;
	spec.term = h.term = holder_term(&h, spec.home);
	spec.env = opts->env;
	spec.session = opts->name;
	spec.cols = h.cols;
	spec.rows = h.rows;
	holder_signals(&h);
	if ((r = pty_spawn(&spec, &h.master, &h.child, err, sizeof err)) != 0)
		goto fail;
	holder_test_pause();

	holder_events(&h);
	holder_ready(&h, "ok", opts->name);
	event_base_dispatch(h.base);
	holder_cleanup(&h);
	return (0);
fail:
	holder_ready(&h, r == LN_E_STATE ? "exists" : "error", err);
	fprintf(stderr, "lnsh-holder %s: %s\n", opts->name, err);
	holder_cleanup(&h);
	return (1);
}
