/*
 * holder-conn.c: lnshd's side of a connection to a session holder. The
 * holder runs as the session's user, who can make it say anything, so root
 * lnshd treats every reply as untrusted: frames are bounded, decoded and
 * checked by holder-wire.c, strings are cleaned before anyone shows them,
 * and a holder that says something out of turn is disconnected.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <protobuf-c/protobuf-c.h>

#include "compat.h"
#include "holder.pb-c.h"
#include "sessdir.h"

/* An async request waiting for its reply. */
struct hpending {
	uint32_t		 id;
	Lnsh__Holder__Reply__MsgCase expect;
	holder_conn_done_fn	 done;
	void			*arg;
	TAILQ_ENTRY(hpending)	 entry;
};

struct holder_conn {
	int			 fd;
	char			 name[LN_SESSION_NAME_MAX + 1];
	unsigned		 version;	/* the protocol we greet in */
	unsigned		 peer_version;	/* a refusal's, 0: none */
	char			*dir;		/* to reconnect */
	uid_t			 owner;
	long			 pid;
	char			 method[HOLDER_MAX_METHOD + 1];
	char			 term[TERMCHECK_MAX_NAME + 1];	/* or "" */
	uint32_t		 next_id;
	char			 err[512];
	uint64_t		 deadline_ns;	/* blocking: this exchange's end */

	/* Event-loop mode. */
	struct bufferevent	*bev;
	const struct holder_conn_ops *ops;
	void			*arg;
	TAILQ_HEAD(, hpending)	 pending;
	int			 busy;		/* inside a callback */
	int			 free_later;	/* closed while busy */
	int			 dead;		/* closed callback done */

	/* holder_conn_open_async(): until open_done has run. */
	holder_conn_open_fn	 open_done;
	void			*open_arg;
	struct event		*open_ev;	/* the opening's deadline */
	int			 opening;
	int			 reconnect_fd;	/* greet again on it, or -1 */
	struct event		*reconnect_ev;
};

/* Frees the strings of a holder_conn_info (hc_info_copy made them). */
void
holder_conn_info_free(struct holder_conn_info *info)
{
	free(info->command);
	free(info->title);
	info->command = info->title = NULL;
}

/* The last error, in words. */
const char *
holder_conn_error(const struct holder_conn *c)
{
	return (c->err);
}

/* The session's TERM, as its holder said in its Hello; "" if it did not. */
const char *
holder_conn_term(const struct holder_conn *c)
{
	return (c->term);
}

/* The holder's pid, as it said in its Hello. */
long
holder_conn_pid(const struct holder_conn *c)
{
	return (c->pid);
}

/* The libevent method the holder's loop runs on ("" if it did not say). */
const char *
holder_conn_event_method(const struct holder_conn *c)
{
	return (c->method);
}

/*
 * The holder protocol version this connection speaks: HOLDER_PROTO_VERSION,
 * or HOLDER_PROTO_PREV for a holder an older lnshd started (listed,
 * captured, typed into and killed; never attached to).
 */
unsigned
holder_conn_version(const struct holder_conn *c)
{
	return (c->version);
}

/*
 * Waits until fd is ready for events or the exchange's deadline passes:
 * 0, or LN_E_SYSTEM with errno ETIMEDOUT. One deadline for the whole
 * exchange, not one per read: a holder (its user's to control) that
 * trickles a byte now and then cannot hold the caller past it.
 */
static int
hc_wait(struct holder_conn *c, short events)
{
	struct pollfd	pfd;
	uint64_t	now;
	int		ms, n;

	for (;;) {
		now = ln_now_ns();
		if (now >= c->deadline_ns) {
			errno = ETIMEDOUT;
			return (LN_E_SYSTEM);
		}
		ms = ln_wait_ms(now, c->deadline_ns);
		pfd.fd = c->fd;
		pfd.events = events;
		pfd.revents = 0;
		if ((n = poll(&pfd, 1, ms)) == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return (LN_E_SYSTEM);
		if (n > 0)
			return (0);
	}
}

/* Writes all of our own frame to a non-blocking socket, by the deadline. */
static int
hc_write_all(struct holder_conn *c, const uint8_t *p, size_t len)
{
	size_t	off = 0;
	ssize_t	n;

	while (off < len) {
		n = write(c->fd, p + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (hc_wait(c, POLLOUT) != 0)
				return (LN_E_SYSTEM);
			continue;
		}
		if (n <= 0)
			return (LN_E_SYSTEM);
		off += (size_t)n;
	}
	return (0);
}

/* Reads exactly len bytes from a non-blocking socket, by the deadline. */
static int
hc_read_all(struct holder_conn *c, uint8_t *p, size_t len)
{
	size_t	got = 0;
	ssize_t	n;

	while (got < len) {
		n = read(c->fd, p + got, len - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (hc_wait(c, POLLIN) != 0)
				return (LN_E_SYSTEM);
			continue;
		}
		if (n == 0)
			errno = ECONNRESET;
		if (n <= 0)
			return (LN_E_SYSTEM);
		got += (size_t)n;
	}
	return (0);
}

/* Reads and decodes one frame, blocking. */
static int
hc_read_frame(struct holder_conn *c, Lnsh__Holder__Reply **rep)
{
	uint8_t	 hdr[HOLDER_FRAME_HDR], *frame;
	size_t	 size;
	int	 r;

	if ((r = hc_read_all(c, hdr, sizeof hdr)) != 0) {
		snprintf(c->err, sizeof c->err, "reading from holder %s: %s",
		    c->name, strerror(errno));
		return (r);
	}
	if ((r = hwire_frame_size(hdr, sizeof hdr, HOLDER_MAX_FRAME,
	    &size)) != 0) {
		snprintf(c->err, sizeof c->err, "holder %s sent a bad frame",
		    c->name);
		return (r);
	}
	frame = xmalloc(size);
	memcpy(frame, hdr, sizeof hdr);
	if ((r = hc_read_all(c, frame + sizeof hdr,
	    size - sizeof hdr)) != 0) {
		snprintf(c->err, sizeof c->err, "reading from holder %s: %s",
		    c->name, strerror(errno));
		goto out;
	}
	if ((r = hwire_unpack_reply(frame, size, rep)) != 0)
		snprintf(c->err, sizeof c->err, "holder %s sent a bad "
		    "message", c->name);
out:
	free(frame);
	return (r);
}

/*
 * Reads the next reply to a request, blocking. Notifications (id 0:
 * Exited, Sync) are no reply: a blocking caller skips
 * them, whatever subscription or exit put them between its request and
 * the answer.
 */
static int
hc_read_reply(struct holder_conn *c, Lnsh__Holder__Reply **rep)
{
	Lnsh__Holder__Reply	*r1;
	int			 r;

	for (;;) {
		if ((r = hc_read_frame(c, &r1)) != 0)
			return (r);
		if (r1->id != 0)
			break;
		lnsh__holder__reply__free_unpacked(r1, NULL);
	}
	*rep = r1;
	return (0);
}

/* Maps an Error reply to a code and keeps its message. */
static int
hc_reply_error(struct holder_conn *c, const Lnsh__Holder__Error *e)
{
	char	msg[200];

	tt_clean(msg, sizeof msg, e->message, strlen(e->message), 0);
	snprintf(c->err, sizeof c->err, "holder %s: %s", c->name, msg);
	/* A version-1 holder says which version it speaks only in words. */
	if (e->code == LNSH__HOLDER__ERROR_CODE__ERROR_VERSION)
		c->peer_version = e->version != 0 ? e->version : 1;
	switch (e->code) {
	case LNSH__HOLDER__ERROR_CODE__ERROR_STATE:
	case LNSH__HOLDER__ERROR_CODE__ERROR_BUSY:
		return (LN_E_STATE);
	case LNSH__HOLDER__ERROR_CODE__ERROR_REQUEST:
	case LNSH__HOLDER__ERROR_CODE__ERROR_VERSION:
		return (LN_E_INVAL);
	default:
		return (LN_E_SYSTEM);
	}
}

/* Gives a request that expects a reply the connection's next number. */
static void
hc_number(struct holder_conn *c, Lnsh__Holder__Request *req)
{
	if (++c->next_id == 0)
		c->next_id = 1;
	req->id = c->next_id;
}

/* Frames a request; the frame is the caller's to free. */
static int
hc_pack(struct holder_conn *c, const Lnsh__Holder__Request *req,
    uint8_t **frame, size_t *len)
{
	if (hwire_pack_request(req, frame, len) != 0) {
		snprintf(c->err, sizeof c->err, "request too large");
		return (LN_E_INVAL);
	}
	return (0);
}

/*
 * Sends a request and waits for its reply, which must be of the expected
 * kind or an Error. Notifications that arrive meanwhile are skipped. The
 * whole exchange has HOLDER_IO_TIMEOUT_SEC on the monotonic clock.
 */
static int
hc_call(struct holder_conn *c, Lnsh__Holder__Request *req,
    Lnsh__Holder__Reply__MsgCase expect, Lnsh__Holder__Reply **out)
{
	Lnsh__Holder__Reply	*rep = NULL;
	uint8_t			*frame;
	size_t			 len;
	int			 r;

	if (c->bev != NULL) {
		snprintf(c->err, sizeof c->err, "connection is in async mode");
		return (LN_E_STATE);
	}
	hc_number(c, req);
	if ((r = hc_pack(c, req, &frame, &len)) != 0)
		return (r);
	c->deadline_ns = ln_now_ns() + HOLDER_IO_TIMEOUT_SEC * LN_NS_PER_SEC;
	r = hc_write_all(c, frame, len);
	free(frame);
	if (r != 0) {
		snprintf(c->err, sizeof c->err, "writing to holder %s: %s",
		    c->name, strerror(errno));
		return (r);
	}
	if ((r = hc_read_reply(c, &rep)) != 0)
		return (r);
	if (rep->id != req->id) {
		snprintf(c->err, sizeof c->err, "holder %s answered out of "
		    "turn", c->name);
		r = LN_E_DROP(LN_DROP_STATE);
	} else if (rep->msg_case == LNSH__HOLDER__REPLY__MSG_ERROR)
		r = hc_reply_error(c, rep->error);
	else if (rep->msg_case != expect) {
		snprintf(c->err, sizeof c->err, "holder %s sent the wrong "
		    "reply", c->name);
		r = LN_E_DROP(LN_DROP_MESSAGE);
	}
	if (r != 0 || out == NULL)
		lnsh__holder__reply__free_unpacked(rep, NULL);
	else
		*out = rep;
	return (r);
}

/* Checks the holder's Hello and keeps what it says about itself. */
static int
hc_hello_check(struct holder_conn *c, const Lnsh__Holder__Hello *h)
{
	if (h->version != c->version) {
		snprintf(c->err, sizeof c->err, "holder %s speaks protocol "
		    "version %u, lnshd %d: restart the session with this "
		    "lnshd's lnsh-holder", c->name, h->version,
		    HOLDER_PROTO_VERSION);
		return (LN_E_INVAL);
	}
	if (strcmp(h->name, c->name) != 0) {
		snprintf(c->err, sizeof c->err, "holder at %s says it is "
		    "another session", c->name);
		return (LN_E_INVAL);
	}
	c->pid = (long)h->pid;
	snprintf(c->method, sizeof c->method, "%s", h->event_method);
	tt_clean_str(c->method, sizeof c->method);
	/* A holder runs as its user: take only a sane name. */
	if (h->term != NULL && termcheck_name_ok(h->term))
		snprintf(c->term, sizeof c->term, "%s", h->term);
	return (0);
}

/* Our Hello request, in the version the connection speaks. */
static void
hc_hello_request(struct holder_conn *c, Lnsh__Holder__Request *req,
    Lnsh__Holder__Hello *hello)
{
	hello->version = c->version;
	req->msg_case = LNSH__HOLDER__REQUEST__MSG_HELLO;
	req->hello = hello;
}

/* The Hello exchange that opens every connection, blocking. */
static int
hc_hello(struct holder_conn *c)
{
	Lnsh__Holder__Request	 req = LNSH__HOLDER__REQUEST__INIT;
	Lnsh__Holder__Hello	 hello = LNSH__HOLDER__HELLO__INIT;
	Lnsh__Holder__Reply	*rep;
	int			 r;

	hc_hello_request(c, &req, &hello);
	if ((r = hc_call(c, &req, LNSH__HOLDER__REPLY__MSG_HELLO, &rep)) != 0)
		return (r);
	r = hc_hello_check(c, rep->hello);
	lnsh__holder__reply__free_unpacked(rep, NULL);
	return (r);
}

/*
 * Connects a non-blocking socket to dir/name, checking that the socket and
 * the process behind it belong to owner. Nothing here waits: a listener
 * that never accepts (a full backlog) fails the connect, and every later
 * wait has a deadline (hc_wait) or is the event loop's.
 */
static int
hc_connect(const char *dir, const char *name, uid_t owner, int *out,
    char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	uid_t			 uid;
	gid_t			 gid;
	int			 fd = -1, r, saved;

	if (!hwire_name_ok(name)) {
		snprintf(err, errlen, "bad session name");
		return (LN_E_INVAL);
	}
	if ((r = unixsock_addr(&sun, dir, name, UNIXSOCK_SHORTEN_HOLDER, err,
	    errlen)) != 0)
		return (r);
	if (lstat(sun.sun_path, &st) == -1) {
		saved = errno;
		snprintf(err, errlen, "%s: %s", sun.sun_path, strerror(errno));
		errno = saved;
		return (LN_E_SYSTEM);
	}
	if (!S_ISSOCK(st.st_mode) || st.st_uid != owner) {
		snprintf(err, errlen, "%s is not a socket owned by uid %ld",
		    sun.sun_path, (long)owner);
		return (LN_E_INVAL);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    evutil_make_socket_nonblocking(fd) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		saved = errno;
		snprintf(err, errlen, "%s: %s", sun.sun_path, strerror(errno));
		if (fd != -1)
			close(fd);
		errno = saved;
		return (LN_E_SYSTEM);
	}
	if (compat_peereid(fd, &uid, &gid) == -1 || uid != owner) {
		snprintf(err, errlen, "%s: the holder is not uid %ld",
		    sun.sun_path, (long)owner);
		close(fd);
		return (LN_E_INVAL);
	}
	*out = fd;
	return (0);
}

/*
 * Did the holder refuse our Hello for speaking the previous version, which
 * we can greet it in on a new connection (it closes this one)?
 */
static int
hc_downgrade(struct holder_conn *c)
{
	return (c->version == HOLDER_PROTO_VERSION &&
	    c->peer_version == HOLDER_PROTO_PREV);
}

/* A connection on fd to the holder of name in dir, not yet greeted. */
static struct holder_conn *
hc_new(int fd, const char *dir, const char *name, uid_t owner)
{
	struct holder_conn	*c;

	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->version = HOLDER_PROTO_VERSION;
	c->dir = xstrdup(dir);
	c->owner = owner;
	c->reconnect_fd = -1;
	snprintf(c->name, sizeof c->name, "%s", name);
	TAILQ_INIT(&c->pending);
	return (c);
}

/*
 * Connects to dir/name, checking that the socket and the process behind it
 * belong to owner, and exchanges Hellos, blocking (HOLDER_IO_TIMEOUT_SEC).
 */
int
holder_conn_open(const char *dir, const char *name, uid_t owner,
    struct holder_conn **out, char *err, size_t errlen)
{
	struct holder_conn	*c;
	int			 fd, r;

	if ((r = hc_connect(dir, name, owner, &fd, err, errlen)) != 0)
		return (r);
	c = hc_new(fd, dir, name, owner);
	if ((r = hc_hello(c)) != 0 && hc_downgrade(c)) {
		/* A holder from before an upgrade: greet it in its version. */
		close(c->fd);
		c->fd = -1;
		c->version = HOLDER_PROTO_PREV;
		if ((r = hc_connect(dir, name, owner, &c->fd, err,
		    errlen)) != 0) {
			holder_conn_close(c);
			return (r);
		}
		r = hc_hello(c);
	}
	if (r != 0) {
		snprintf(err, errlen, "%s", c->err);
		holder_conn_close(c);
		return (r);
	}
	*out = c;
	return (0);
}

/* Closes the connection and fails any request still waiting (silently). */
void
holder_conn_close(struct holder_conn *c)
{
	struct hpending	*p;

	if (c == NULL)
		return;
	if (c->busy) {
		c->free_later = 1;
		return;
	}
	while ((p = TAILQ_FIRST(&c->pending)) != NULL) {
		TAILQ_REMOVE(&c->pending, p, entry);
		free(p);
	}
	if (c->open_ev != NULL)
		event_free(c->open_ev);
	if (c->reconnect_ev != NULL)
		event_free(c->reconnect_ev);
	if (c->reconnect_fd != -1)
		close(c->reconnect_fd);
	if (c->bev != NULL)
		bufferevent_free(c->bev);	/* closes fd */
	else if (c->fd != -1)
		close(c->fd);
	free(c->dir);
	free(c);
}

/* Copies a checked Info message into a holder_conn_info, cleaning strings. */
static void
hc_info_copy(const Lnsh__Holder__Info *i, struct holder_conn_info *info)
{
	memset(info, 0, sizeof *info);
	snprintf(info->name, sizeof info->name, "%s", i->name);
	info->exited = i->state == LNSH__HOLDER__STATE__STATE_EXITED;
	info->exit_status = info->exited ? i->exit_status : 0;
	info->exit_signal = info->exited ? (int)i->exit_signal : 0;
	info->created_ns = i->created_ns;
	info->activity_ns = i->activity_ns;
	info->clients = i->clients;
	info->cols = (int)i->cols;
	info->rows = (int)i->rows;
	info->pid = (long)i->pid;
	info->command = tt_dup(i->command, strlen(i->command), 0);
	info->title = tt_dup(i->title, strlen(i->title), 0);
}

/* Ends the session; returns once the child is gone. */
int
holder_conn_kill(struct holder_conn *c)
{
	Lnsh__Holder__Request	req = LNSH__HOLDER__REQUEST__INIT;
	Lnsh__Holder__Kill	k = LNSH__HOLDER__KILL__INIT;

	req.msg_case = LNSH__HOLDER__REQUEST__MSG_KILL;
	req.kill = &k;
	return (hc_call(c, &req, LNSH__HOLDER__REPLY__MSG_OK, NULL));
}

/* ---------------------------------------------------------- event loop */

/*
 * The connection failed or the holder went away: every waiting request
 * completes with err, then the owner hears closed (once).
 */
static void
hc_fail(struct holder_conn *c, int err)
{
	struct holder_conn_result	 res;
	struct hpending		*p;
	int			 opening = c->opening;

	if (c->dead)
		return;
	c->dead = 1;
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	memset(&res, 0, sizeof res);
	res.err = err;
	while ((p = TAILQ_FIRST(&c->pending)) != NULL) {
		TAILQ_REMOVE(&c->pending, p, entry);
		if (p->done != NULL)
			p->done(p->arg, c, &res);
		free(p);
	}
	/* An opening that failed was open_done's to report, not closed's. */
	if (!opening && c->ops->closed != NULL)
		c->ops->closed(c->arg, c, err);
}

/* One reply in event-loop mode: a notification, or some request's answer. */
static int
hc_async_reply(struct holder_conn *c, const Lnsh__Holder__Reply *rep)
{
	struct holder_conn_result	 res;
	struct holder_conn_info	 info;
	struct hpending		*p;
	char			*text = NULL;

	if (rep->id == 0) {
		if (rep->msg_case == LNSH__HOLDER__REPLY__MSG_SYNC) {
			/* Only a holder we attached clients to sends these. */
			if (c->ops->sync == NULL ||
			    c->version != HOLDER_PROTO_VERSION)
				return (LN_E_DROP(LN_DROP_MESSAGE));
			c->ops->sync(c->arg, c, rep->sync->client,
			    rep->sync->data.data, rep->sync->data.len);
			return (0);
		}
		if (rep->msg_case == LNSH__HOLDER__REPLY__MSG_EVICTED) {
			if (c->ops->evicted != NULL)
				c->ops->evicted(c->arg, c,
				    rep->evicted->client);
			return (0);
		}
		if (rep->msg_case == LNSH__HOLDER__REPLY__MSG_EXITED) {
			if (c->ops->exited != NULL)
				c->ops->exited(c->arg, c,
				    rep->exited->exit_status,
				    (int)rep->exited->exit_signal);
			return (0);
		}
		return (LN_E_DROP(LN_DROP_MESSAGE));
	}
	TAILQ_FOREACH(p, &c->pending, entry) {
		if (p->id == rep->id)
			break;
	}
	if (p == NULL)
		return (LN_E_DROP(LN_DROP_STATE));
	TAILQ_REMOVE(&c->pending, p, entry);
	memset(&res, 0, sizeof res);
	if (rep->msg_case == LNSH__HOLDER__REPLY__MSG_ERROR)
		res.err = hc_reply_error(c, rep->error);
	else if (rep->msg_case != p->expect) {
		free(p);
		return (LN_E_DROP(LN_DROP_MESSAGE));
	} else if (rep->msg_case == LNSH__HOLDER__REPLY__MSG_HELLO)
		res.err = hc_hello_check(c, rep->hello);
	else if (rep->msg_case == LNSH__HOLDER__REPLY__MSG_INFO) {
		hc_info_copy(rep->info, &info);
		res.info = &info;
	} else if (rep->msg_case == LNSH__HOLDER__REPLY__MSG_ATTACHED) {
		res.token = rep->attached->token.data;
		res.resumed = rep->attached->resumed;
	} else if (rep->msg_case == LNSH__HOLDER__REPLY__MSG_CAPTURE) {
		/* protobuf bytes end nowhere: give the callback a C string. */
		text = xmalloc(rep->capture->text.len + 1);
		if (rep->capture->text.len > 0)
			memcpy(text, rep->capture->text.data,
			    rep->capture->text.len);
		text[rep->capture->text.len] = '\0';
		res.text = text;
		res.len = rep->capture->text.len;
	}
	if (p->done != NULL)
		p->done(p->arg, c, &res);
	if (res.info != NULL)
		holder_conn_info_free(&info);
	free(text);
	free(p);
	return (0);
}

/* Bytes from the holder in event-loop mode: every whole frame in them. */
static void
hc_read_cb(struct bufferevent *bev, void *arg)
{
	struct holder_conn	*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	Lnsh__Holder__Reply	*rep;
	uint8_t			*p;
	size_t			 len, size;
	int			 r = 0;

	c->busy = 1;
	while (!c->dead && !c->free_later) {
		len = evbuffer_get_length(in);
		p = evbuffer_pullup(in, len < HOLDER_FRAME_HDR ? -1 :
		    HOLDER_FRAME_HDR);
		r = hwire_frame_size(p, len, HOLDER_MAX_FRAME, &size);
		if (r == LN_E_DROP(LN_DROP_SHORT) || (r == 0 && len < size)) {
			r = 0;
			break;
		}
		if (r == 0) {
			p = evbuffer_pullup(in, (ssize_t)size);
			r = hwire_unpack_reply(p, size, &rep);
		}
		if (r != 0)
			break;
		evbuffer_drain(in, size);
		r = hc_async_reply(c, rep);
		lnsh__holder__reply__free_unpacked(rep, NULL);
		if (r != 0)
			break;
	}
	if (r != 0) {
		snprintf(c->err, sizeof c->err, "holder %s sent a bad message",
		    c->name);
		hc_fail(c, r);
	}
	c->busy = 0;
	if (c->free_later)
		holder_conn_close(c);
	else if (c->reconnect_fd != -1 && c->reconnect_ev != NULL)
		event_active(c->reconnect_ev, EV_TIMEOUT, 0);
}

/* EOF or error from the holder. */
static void
hc_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct holder_conn	*c = arg;

	if ((what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) == 0)
		return;
	snprintf(c->err, sizeof c->err, "holder %s closed the connection",
	    c->name);
	c->busy = 1;
	hc_fail(c, LN_E_SYSTEM);
	c->busy = 0;
	if (c->free_later)
		holder_conn_close(c);
}

/*
 * Bytes of requests that may still be queued for the holder: what
 * LN_HOLDER_QUEUE_MAX leaves beside what it has not read yet.
 */
size_t
holder_conn_async_room(const struct holder_conn *c)
{
	size_t	queued;

	if (c->bev == NULL)
		return (0);
	queued = evbuffer_get_length(bufferevent_get_output(c->bev));
	return (queued < LN_HOLDER_QUEUE_MAX ? LN_HOLDER_QUEUE_MAX - queued :
	    0);
}

/*
 * Frames and queues a request in event-loop mode, as it is numbered.
 * LN_E_FULL when the holder has LN_HOLDER_QUEUE_MAX unread already.
 */
static int
hc_queue(struct holder_conn *c, const Lnsh__Holder__Request *req)
{
	uint8_t	*frame;
	size_t	 len;
	int	 r;

	if (c->bev == NULL || c->dead)
		return (LN_E_STATE);
	if ((r = hc_pack(c, req, &frame, &len)) != 0)
		return (r);
	if (len > holder_conn_async_room(c)) {
		free(frame);
		snprintf(c->err, sizeof c->err, "session %s is not reading "
		    "(%zu bytes wait for it): try again later", c->name,
		    evbuffer_get_length(bufferevent_get_output(c->bev)));
		return (LN_E_FULL);
	}
	r = bufferevent_write(c->bev, frame, len) == 0 ? 0 : LN_E_SYSTEM;
	free(frame);
	return (r);
}

/*
 * Queues a request in event-loop mode; done runs when its reply comes.
 * LN_E_FULL when the holder has LN_HOLDER_QUEUE_MAX unread already.
 */
static int
hc_async(struct holder_conn *c, Lnsh__Holder__Request *req,
    Lnsh__Holder__Reply__MsgCase expect, holder_conn_done_fn done, void *arg)
{
	struct hpending	*p;
	int		 r;

	hc_number(c, req);
	if ((r = hc_queue(c, req)) != 0)
		return (r);
	p = xcalloc(1, sizeof *p);
	p->id = req->id;
	p->expect = expect;
	p->done = done;
	p->arg = arg;
	TAILQ_INSERT_TAIL(&c->pending, p, entry);
	return (0);
}

/* Puts the connection's socket on base: 0, or -1 (c->bev NULL). */
static int
hc_watch_fd(struct holder_conn *c, struct event_base *base)
{
	c->bev = bufferevent_socket_new(base, c->fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL)
		return (-1);
	bufferevent_setcb(c->bev, hc_read_cb, NULL, hc_event_cb, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	return (0);
}

/*
 * Switches an open connection to event-loop mode on base. From now on only
 * the holder_conn_async_*() calls may be used on it.
 */
int
holder_conn_watch(struct holder_conn *c, struct event_base *base,
    const struct holder_conn_ops *ops, void *arg)
{
	if (c->bev != NULL)
		return (LN_E_STATE);
	if (hc_watch_fd(c, base) != 0)
		return (LN_E_SYSTEM);
	c->ops = ops;
	c->arg = arg;
	return (0);
}

/*
 * The opening ended: open_done hears how, once. On failure the connection
 * is closed here (later, if a callback of its is running).
 */
static void
hc_open_finish(struct holder_conn *c, int err,
    const struct holder_conn_info *info)
{
	holder_conn_open_fn	 done = c->open_done;

	if (!c->opening)
		return;
	c->opening = 0;
	c->open_done = NULL;
	evtimer_del(c->open_ev);
	if (err == 0) {
		done(c->open_arg, c, 0, info);
		return;
	}
	c->dead = 1;		/* nobody to tell it closed */
	if (c->bev != NULL)
		bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	done(c->open_arg, c, err, NULL);
	holder_conn_close(c);
}

/* The opening's Info: the session's state, and the end of the opening. */
static void
hc_open_info(void *arg, struct holder_conn *c,
    const struct holder_conn_result *res)
{
	hc_open_finish(c, res->err, res->err == 0 ? res->info : NULL);
}

static void	hc_open_hello(void *, struct holder_conn *,
		    const struct holder_conn_result *);

/*
 * The opening's second connection, to a holder of the previous version:
 * the first one's bufferevent gives way to one on the new socket, which
 * greets the holder in its version (hc_open_hello again).
 */
static void
hc_reconnect_cb(evutil_socket_t unused, short events, void *arg)
{
	struct holder_conn	*c = arg;
	Lnsh__Holder__Request	 req = LNSH__HOLDER__REQUEST__INIT;
	Lnsh__Holder__Hello	 hello = LNSH__HOLDER__HELLO__INIT;
	struct event_base	*base = bufferevent_get_base(c->bev);
	struct hpending		*p;
	int			 r;

	if (c->reconnect_fd == -1 || !c->opening)
		return;
	while ((p = TAILQ_FIRST(&c->pending)) != NULL) {
		TAILQ_REMOVE(&c->pending, p, entry);
		free(p);
	}
	bufferevent_free(c->bev);	/* closes the first socket */
	c->fd = c->reconnect_fd;
	c->reconnect_fd = -1;
	c->dead = 0;
	if (hc_watch_fd(c, base) != 0) {
		snprintf(c->err, sizeof c->err, "cannot watch holder %s",
		    c->name);
		hc_open_finish(c, LN_E_SYSTEM, NULL);	/* closes c->fd */
		return;
	}
	hc_hello_request(c, &req, &hello);
	if ((r = hc_async(c, &req, LNSH__HOLDER__REPLY__MSG_HELLO,
	    hc_open_hello, NULL)) != 0)
		hc_open_finish(c, r, NULL);
}

/*
 * The holder's Hello: then its state, consuming nothing. A holder that
 * refused our version for the previous one (started before an upgrade)
 * is greeted again in its own, on a new connection: it closes this one.
 */
static void
hc_open_hello(void *arg, struct holder_conn *c,
    const struct holder_conn_result *res)
{
	char	err[256];
	int	r, fd;

	if ((r = res->err) != 0 && hc_downgrade(c)) {
		if ((r = hc_connect(c->dir, c->name, c->owner, &fd, err,
		    sizeof err)) != 0) {
			snprintf(c->err, sizeof c->err, "%s", err);
			hc_open_finish(c, r, NULL);
			return;
		}
		/* Inside the first bufferevent's callback: swap after it. */
		c->reconnect_fd = fd;
		c->version = HOLDER_PROTO_PREV;
		if (c->reconnect_ev == NULL)
			c->reconnect_ev = event_new(bufferevent_get_base(
			    c->bev), -1, 0, hc_reconnect_cb, c);
		return;
	}
	if (r == 0)
		r = holder_conn_async_info(c, 0, hc_open_info, NULL);
	if (r != 0)
		hc_open_finish(c, r, NULL);
}

/* The opening took longer than HOLDER_IO_TIMEOUT_SEC, all told. */
static void
hc_open_timeout(evutil_socket_t fd, short events, void *arg)
{
	struct holder_conn	*c = arg;

	snprintf(c->err, sizeof c->err, "holder %s did not answer within "
	    "%d s", c->name, HOLDER_IO_TIMEOUT_SEC);
	c->busy = 1;
	hc_open_finish(c, LN_E_SYSTEM, NULL);
	c->busy = 0;
	if (c->free_later)
		holder_conn_close(c);
}

/*
 * Opens a connection to dir/name (checked as holder_conn_open() does) without
 * waiting: the Hello and Info exchanges run on base, under one deadline of
 * HOLDER_IO_TIMEOUT_SEC for both. On 0, done runs later, exactly once,
 * with the connection and either 0 and the session's state (the callback's
 * to read, not to keep; the connection is watched with ops and arg) or an
 * error (holder_conn_error() says why; the connection is closed once done
 * returns). On an error returned here done never runs and err says why.
 */
int
holder_conn_open_async(struct event_base *base, const char *dir,
    const char *name, uid_t owner, const struct holder_conn_ops *ops,
    void *arg, holder_conn_open_fn done, void *done_arg, char *err,
    size_t errlen)
{
	Lnsh__Holder__Request	 req = LNSH__HOLDER__REQUEST__INIT;
	Lnsh__Holder__Hello	 hello = LNSH__HOLDER__HELLO__INIT;
	struct holder_conn	*c;
	struct timeval		 tv = { HOLDER_IO_TIMEOUT_SEC, 0 };
	int			 fd, r;

	if ((r = hc_connect(dir, name, owner, &fd, err, errlen)) != 0)
		return (r);
	c = hc_new(fd, dir, name, owner);
	if ((r = holder_conn_watch(c, base, ops, arg)) != 0) {
		snprintf(err, errlen, "cannot watch holder %s", name);
		holder_conn_close(c);
		return (r);
	}
	c->opening = 1;
	c->open_done = done;
	c->open_arg = done_arg;
	c->open_ev = evtimer_new(base, hc_open_timeout, c);
	evtimer_add(c->open_ev, &tv);
	hc_hello_request(c, &req, &hello);
	if ((r = hc_async(c, &req, LNSH__HOLDER__REPLY__MSG_HELLO,
	    hc_open_hello, NULL)) != 0) {
		snprintf(err, errlen, "%s", c->err);
		c->opening = 0;
		holder_conn_close(c);
		return (r);
	}
	return (0);
}

/* The session's state. consume: a lister shows it (see holder.proto). */
int
holder_conn_async_info(struct holder_conn *c, int consume,
    holder_conn_done_fn done, void *arg)
{
	Lnsh__Holder__Request	 req = LNSH__HOLDER__REQUEST__INIT;
	Lnsh__Holder__InfoRequest ir = LNSH__HOLDER__INFO_REQUEST__INIT;

	ir.consume = consume != 0;
	req.msg_case = LNSH__HOLDER__REQUEST__MSG_INFO;
	req.info = &ir;
	return (hc_async(c, &req, LNSH__HOLDER__REPLY__MSG_INFO, done, arg));
}

/* Types bytes into the session; len at most HOLDER_MAX_INPUT. */
int
holder_conn_async_send_keys(struct holder_conn *c, const void *data, size_t len,
    holder_conn_done_fn done, void *arg)
{
	Lnsh__Holder__Request	req = LNSH__HOLDER__REQUEST__INIT;
	Lnsh__Holder__Input	in = LNSH__HOLDER__INPUT__INIT;

	if (len > HOLDER_MAX_INPUT)
		return (LN_E_INVAL);
	in.data.data = (uint8_t *)(uintptr_t)data;
	in.data.len = len;
	req.msg_case = LNSH__HOLDER__REQUEST__MSG_INPUT;
	req.input = &in;
	return (hc_async(c, &req, LNSH__HOLDER__REPLY__MSG_OK, done, arg));
}

/*
 * The screen as text (lines of scrollback: 0, -1 for all, or N), with SGR
 * escapes if asked; the NUL-terminated text is valid during the callback
 * only.
 */
int
holder_conn_async_capture(struct holder_conn *c, long lines, int escapes,
    holder_conn_done_fn done, void *arg)
{
	Lnsh__Holder__Request	 req = LNSH__HOLDER__REQUEST__INIT;
	Lnsh__Holder__CaptureRequest cr = LNSH__HOLDER__CAPTURE_REQUEST__INIT;

	if (lines < -1 || lines > INT32_MAX)
		return (LN_E_INVAL);
	cr.scrollback_lines = (int32_t)lines;
	cr.escapes = escapes != 0;
	req.msg_case = LNSH__HOLDER__REQUEST__MSG_CAPTURE;
	req.capture = &cr;
	return (hc_async(c, &req, LNSH__HOLDER__REPLY__MSG_CAPTURE, done,
	    arg));
}

/* Async holder_conn_kill(). */
int
holder_conn_async_kill(struct holder_conn *c, holder_conn_done_fn done,
    void *arg)
{
	Lnsh__Holder__Request	req = LNSH__HOLDER__REQUEST__INIT;
	Lnsh__Holder__Kill	k = LNSH__HOLDER__KILL__INIT;

	req.msg_case = LNSH__HOLDER__REQUEST__MSG_KILL;
	req.kill = &k;
	return (hc_async(c, &req, LNSH__HOLDER__REPLY__MSG_OK, done, arg));
}

/*
 * Attaches lnshd's client id (cols x rows, 0 if unknown; resume: a token
 * an earlier attach gave, or NULL). The reply's token and resumed come to
 * done. A holder of the previous version cannot: LN_E_STATE, and err says
 * what to do.
 */
int
holder_conn_async_attach(struct holder_conn *c, uint32_t id, int cols, int rows,
    const uint8_t *resume, holder_conn_done_fn done, void *arg)
{
	Lnsh__Holder__Request	req = LNSH__HOLDER__REQUEST__INIT;
	Lnsh__Holder__Attach	at = LNSH__HOLDER__ATTACH__INIT;

	if (c->version != HOLDER_PROTO_VERSION) {
		snprintf(c->err, sizeof c->err, "session %s was started by an "
		    "older lnshd (holder protocol %u, this lnshd speaks %d), "
		    "which this one cannot attach to. The session still runs: "
		    "`lnsh capture`, `lnsh send` and `lnsh ls` work on it; "
		    "end it with `lnsh kill` when its programs are done and "
		    "start it again to attach", c->name, c->version,
		    HOLDER_PROTO_VERSION);
		return (LN_E_STATE);
	}
	if (id == 0 || cols < 0 || rows < 0 || cols > HOLDER_MAX_COLS ||
	    rows > HOLDER_MAX_ROWS)
		return (LN_E_INVAL);
	at.client = id;
	at.cols = (uint32_t)cols;
	at.rows = (uint32_t)rows;
	if (resume != NULL) {
		at.resume.data = (uint8_t *)(uintptr_t)resume;
		at.resume.len = LN_HOLDER_TOKEN_LEN;
	}
	req.msg_case = LNSH__HOLDER__REQUEST__MSG_ATTACH;
	req.attach = &at;
	return (hc_async(c, &req, LNSH__HOLDER__REPLY__MSG_ATTACHED, done,
	    arg));
}

/*
 * Its requester is gone: the pending request with done and arg completes
 * with nobody told (the reply, when it comes, is still matched).
 */
void
holder_conn_async_forget(struct holder_conn *c, holder_conn_done_fn done,
    void *arg)
{
	struct hpending	*p;

	TAILQ_FOREACH(p, &c->pending, entry) {
		if (p->done == done && p->arg == arg) {
			p->done = NULL;
			p->arg = NULL;
		}
	}
}

/* Queues a request that gets no reply (id 0), within the queue's bound. */
static int
hc_async_noreply(struct holder_conn *c, Lnsh__Holder__Request *req)
{
	req->id = 0;
	return (hc_queue(c, req));
}

/*
 * One SSP message from attached client id, relayed as it is. No reply;
 * LN_E_FULL when the holder has not read LN_HOLDER_QUEUE_MAX (the message
 * is lost, which SSP repairs).
 */
int
holder_conn_async_sync(struct holder_conn *c, uint32_t id, const uint8_t *p,
    size_t len)
{
	Lnsh__Holder__Request	req = LNSH__HOLDER__REQUEST__INIT;
	Lnsh__Holder__Sync	sy = LNSH__HOLDER__SYNC__INIT;

	if (len > LN_RELAY_UP_MAX)
		return (LN_E_INVAL);
	sy.client = id;
	sy.data.data = (uint8_t *)(uintptr_t)p;
	sy.data.len = len;
	req.msg_case = LNSH__HOLDER__REQUEST__MSG_SYNC;
	req.sync = &sy;
	return (hc_async_noreply(c, &req));
}

/*
 * Client id left; keep: it went without saying so, and may resume with
 * its token within LN_HOLDER_RESUME_SEC. No reply.
 */
int
holder_conn_async_detach(struct holder_conn *c, uint32_t id, int keep)
{
	Lnsh__Holder__Request	req = LNSH__HOLDER__REQUEST__INIT;
	Lnsh__Holder__Detach	de = LNSH__HOLDER__DETACH__INIT;

	de.client = id;
	de.keep = keep != 0;
	req.msg_case = LNSH__HOLDER__REQUEST__MSG_DETACH;
	req.detach = &de;
	return (hc_async_noreply(c, &req));
}
