/*
 * status.c: lnshd's local control socket, STATE/lnshd.sock (mode 0600, in a
 * state dir of mode 0700, or 0711 in root mode so holders can reach their
 * directories), and its client side for `lnshd status` and `lnshd
 * kill-all`. A connection sends one line, "status" or "kill-all", and
 * reads text until the daemon closes it. Only root and lnshd's own user
 * are answered: the peer's credentials are checked on every accept.
 *
 * The socket also keeps a second lnshd from starting on the same state
 * dir: one that finds the socket answering refuses to start.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "compat.h"
#include "server.h"

#define STATUS_IO_TIMEOUT_SEC	10	/* a kill-all waits for holders */

struct status_srv {
	int		 fd;
	char		*path;
	struct acceptor	 acc;
};

/* One control connection; kill-all keeps it until the holders answer. */
struct status_conn {
	struct lnshd		*d;
	struct bufferevent	*bev;
	unsigned		 waiting;
	unsigned		 killed, failed;
	int			 closing;
};

/* A Unix socket address for path, or LN_E_INVAL if it is too long. */
static int
status_sun(const char *path, struct sockaddr_un *sun, char **cause)
{
	char	err[PATH_MAX + 256];
	int	r;

	if ((r = unixsock_addr(sun, path, NULL, UNIXSOCK_SHORTEN_STATE, err,
	    sizeof err)) != 0)
		ln_cause(cause, "%s", err);
	return (r);
}

/* Frees a connection (its bufferevent closes the socket). */
static void
status_conn_free(struct status_conn *sc)
{
	if (sc->bev != NULL)
		bufferevent_free(sc->bev);
	sc->bev = NULL;
	if (sc->waiting == 0)
		free(sc);
}

/* All output written: close, unless holders still have to answer. */
static void
status_write_cb(struct bufferevent *bev, void *arg)
{
	struct status_conn	*sc = arg;

	if (sc->closing)
		status_conn_free(sc);
}

/* The client hung up or failed. */
static void
status_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct status_conn	*sc = arg;

	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		status_conn_free(sc);
}

/* Queues the answer's end: close once it has been written. */
static void
status_finish(struct status_conn *sc)
{
	sc->closing = 1;
	if (evbuffer_get_length(bufferevent_get_output(sc->bev)) == 0)
		status_conn_free(sc);
}

/*
 * "PREFIXdrops N", then "PREFIXdrop NAME N" for every reason, zero or not:
 * one set of drop counters.
 */
static void
status_drops(FILE *out, const char *prefix, const struct ln_counters *ctr)
{
	size_t	i;

	fprintf(out, "%sdrops %llu\n", prefix,
	    (unsigned long long)ln_drops_total(ctr));
	for (i = 0; i < LN_DROP_MAX; i++)
		fprintf(out, "%sdrop %s %llu\n", prefix,
		    ln_drop_name((enum ln_drop)i),
		    (unsigned long long)ctr->drop[i]);
}

/*
 * The status text: the daemon, its sockets, clients, sessions, the
 * channel's counters and the relay's, pairing's drops, one "key
 * value..." line each
 * (docs/lnshd.md).
 */
static void
status_report(struct lnshd *d, FILE *out)
{
	const struct ln_counters	*ctr = chan_server_counters(d->cs);
	size_t				 i;

	fprintf(out, "pid %ld\n", (long)getpid());
	fprintf(out, "mode %s\n", d->single_user ? "single-user" : "root");
	fprintf(out, "state-dir %s\n", d->state_dir);
	fprintf(out, "uptime %llu\n", (unsigned long long)
	    ((ln_now_ns() - d->started_ns) / LN_NS_PER_SEC));
	for (i = 0; i < listen_count(d); i++)
		fprintf(out, "listen %s\n", listen_name(d, i));
	clients_describe(d, out);
	sessions_describe(d, out);
	fprintf(out, "rx_packets %llu\n",
	    (unsigned long long)ctr->rx_packets);
	fprintf(out, "tx_packets %llu\n",
	    (unsigned long long)ctr->tx_packets);
	fprintf(out, "rx_bytes %llu\n", (unsigned long long)ctr->rx_bytes);
	fprintf(out, "tx_bytes %llu\n", (unsigned long long)ctr->tx_bytes);
	fprintf(out, "handshakes %llu\n",
	    (unsigned long long)ctr->handshakes);
	fprintf(out, "messages_in %llu\n",
	    (unsigned long long)ctr->messages_in);
	fprintf(out, "messages_out %llu\n",
	    (unsigned long long)ctr->messages_out);
	fprintf(out, "retransmits %llu\n",
	    (unsigned long long)ctr->retransmits);
	fprintf(out, "cookies %llu\n", (unsigned long long)ctr->cookies);
	fprintf(out, "under_load %d\n",
	    chan_server_under_load(d->cs, ln_now_ns()));
	fprintf(out, "dh_ops %llu\n",
	    (unsigned long long)noise_x25519_count());
	fprintf(out, "stamps %s\n", stamps_ok(d->stamps) ? "disk" : "memory");
	fprintf(out, "relay_dropped %llu\n",
	    (unsigned long long)d->relay_dropped);
	status_drops(out, "", ctr);
	status_drops(out, "pair_", pair_counters());
}

/* One holder answered a kill-all. */
static void
status_kill_done(void *arg, struct holder_conn *hc,
    const struct holder_conn_result *res)
{
	struct status_conn	*sc = arg;
	struct session		*s;

	if (res->err == 0) {
		sc->killed++;
		/* Gone now, not when the holder's socket closes. */
		for (s = sessions_next(sc->d, NULL); s != NULL;
		    s = sessions_next(sc->d, s)) {
			if (session_conn(s) == hc) {
				sessions_remove(sc->d, s);
				break;
			}
		}
	} else
		sc->failed++;
	if (--sc->waiting > 0)
		return;
	if (sc->bev == NULL) {
		free(sc);
		return;
	}
	evbuffer_add_printf(bufferevent_get_output(sc->bev),
	    "killed %u\nfailed %u\n", sc->killed, sc->failed);
	status_finish(sc);
}

/*
 * kill-all: every session of every user ends. The sessions leave the
 * registry as their holders close their connections.
 */
static void
status_kill_all(struct status_conn *sc)
{
	struct session	*s;

	log_info("kill-all: ending %u sessions", sc->d->nsessions);
	sc->waiting = 1;
	for (s = sessions_next(sc->d, NULL); s != NULL;
	    s = sessions_next(sc->d, s))
		if (holder_conn_async_kill(session_conn(s), status_kill_done,
		    sc) == 0)
			sc->waiting++;
	if (--sc->waiting > 0)
		return;
	evbuffer_add_printf(bufferevent_get_output(sc->bev),
	    "killed %u\nfailed %u\n", sc->killed, sc->failed);
	status_finish(sc);
}

/* A request line arrived. */
static void
status_read_cb(struct bufferevent *bev, void *arg)
{
	struct status_conn	*sc = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	char			*line, *text = NULL;
	size_t			 n, len = 0;
	FILE			*fp;

	if (sc->closing || sc->waiting > 0)
		return;
	line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF);
	if (line == NULL) {
		if (evbuffer_get_length(in) > STATUS_MAX_REQUEST)
			status_conn_free(sc);
		return;
	}
	bufferevent_disable(bev, EV_READ);
	if (strcmp(line, "status") == 0) {
		if ((fp = open_memstream(&text, &len)) != NULL) {
			status_report(sc->d, fp);
			fclose(fp);
			evbuffer_add(bufferevent_get_output(bev), text, len);
			free(text);
		}
		status_finish(sc);
	} else if (strcmp(line, "kill-all") == 0)
		status_kill_all(sc);
	else {
		evbuffer_add_printf(bufferevent_get_output(bev),
		    "error unknown request\n");
		status_finish(sc);
	}
	free(line);
}

/* A connection to the control socket: root or our own user only. */
static void
status_accept_cb(int lfd, short what, void *arg)
{
	struct lnshd		*d = arg;
	struct status_conn	*sc;
	uid_t			 uid;
	gid_t			 gid;
	int			 fd;

	if ((fd = acceptor_accept(&d->status->acc, lfd)) < 0) {
		if (fd == ACCEPT_PAUSED)
			log_warn("control socket: accept: %s; not accepting "
			    "for a moment", strerror(errno));
		return;
	}
	if (compat_peereid(fd, &uid, &gid) == -1)
		uid = (uid_t)-1;
	if (uid != 0 && uid != geteuid()) {
		log_warn("control socket: refused uid %ld", (long)uid);
		close(fd);
		return;
	}
	if (evutil_make_socket_nonblocking(fd) == -1 ||
	    evutil_make_socket_closeonexec(fd) == -1) {
		close(fd);
		return;
	}
	sc = xcalloc(1, sizeof *sc);
	sc->d = d;
	sc->bev = bufferevent_socket_new(d->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (sc->bev == NULL) {
		close(fd);
		free(sc);
		return;
	}
	bufferevent_setcb(sc->bev, status_read_cb, status_write_cb,
	    status_event_cb, sc);
	bufferevent_enable(sc->bev, EV_READ | EV_WRITE);
}

/*
 * Opens the control socket. If one answers already, another lnshd serves
 * this state dir and we must not start; a socket nobody answers on is a
 * previous lnshd's leftover and is replaced.
 */
int
status_open(struct lnshd *d, char **cause)
{
	struct status_srv	*ss;
	struct sockaddr_un	 sun;
	char			*path;
	mode_t			 old;
	int			 fd = -1, r;

	path = paths_control_socket(d->state_dir);
	if ((r = status_sun(path, &sun, cause)) != 0)
		goto fail;
	r = LN_E_SYSTEM;
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1) {
		ln_cause(cause, "socket: %s", strerror(errno));
		goto fail;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0) {
		ln_cause(cause, "another lnshd is running with state dir %s "
		    "(%s answers); stop it first", d->state_dir, path);
		r = LN_E_STATE;
		goto fail;
	}
	/*
	 * A leftover that cannot be removed (a read-only file system) is the
	 * cause to report, not the bind's "address already in use" after it.
	 */
	if (errno == ECONNREFUSED && unlink(path) == -1 && errno != ENOENT) {
		ln_cause(cause, "control socket %s: cannot remove the one a "
		    "previous lnshd left: %s%s", path, strerror(errno),
		    ln_fs_hint(errno));
		goto fail;
	}
	old = umask(077);
	r = bind(fd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (r == -1 || chmod(path, 0600) == -1 || listen(fd, 16) == -1 ||
	    evutil_make_socket_nonblocking(fd) == -1 ||
	    evutil_make_socket_closeonexec(fd) == -1) {
		ln_cause(cause, "control socket %s: %s%s", path,
		    strerror(errno), ln_fs_hint(errno));
		r = LN_E_SYSTEM;
		goto fail;
	}
	ss = xcalloc(1, sizeof *ss);
	ss->fd = fd;
	ss->path = path;
	d->status = ss;
	acceptor_init(&ss->acc, d->base, fd, status_accept_cb, d);
	return (0);
fail:
	if (fd != -1)
		close(fd);
	free(path);
	return (r);
}

/* Closes and removes the control socket (lnshd is stopping). */
void
status_close(struct lnshd *d)
{
	struct status_srv	*ss = d->status;

	if (ss == NULL)
		return;
	acceptor_free(&ss->acc);
	close(ss->fd);
	unlink(ss->path);
	free(ss->path);
	free(ss);
	d->status = NULL;
}

/*
 * The client side: sends one request to the running lnshd and copies its
 * answer to out. LN_E_STATE: no lnshd answers on this state dir.
 */
int
status_query(const char *state_dir, const char *request, FILE *out,
    char **cause)
{
	struct sockaddr_un	 sun;
	struct timeval		 tv;
	char			*path, buf[4096];
	uid_t			 uid;
	gid_t			 gid;
	ssize_t			 n;
	int			 fd = -1, r;

	path = paths_control_socket(state_dir);
	if ((r = status_sun(path, &sun, cause)) != 0)
		goto out;
	r = LN_E_SYSTEM;
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1) {
		ln_cause(cause, "socket: %s", strerror(errno));
		goto out;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		if (errno == ENOENT || errno == ECONNREFUSED) {
			ln_cause(cause, "no lnshd is running with state dir "
			    "%s (nothing answers on %s): start lnshd, or give "
			    "its --state-dir", state_dir, path);
			r = LN_E_STATE;
		} else
			ln_cause(cause, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (compat_peereid(fd, &uid, &gid) == -1 ||
	    (uid != 0 && uid != geteuid())) {
		ln_cause(cause, "%s is not served by root or by you: not "
		    "asking it", path);
		r = LN_E_INVAL;
		goto out;
	}
	tv.tv_sec = STATUS_IO_TIMEOUT_SEC;
	tv.tv_usec = 0;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	n = (ssize_t)snprintf(buf, sizeof buf, "%s\n", request);
	if (write(fd, buf, (size_t)n) != n) {
		ln_cause(cause, "%s: %s", path, strerror(errno));
		goto out;
	}
	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			ln_cause(cause, "reading from lnshd at %s: %s", path,
			    errno == EAGAIN ? "no answer in time" :
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		fwrite(buf, 1, (size_t)n, out);
	}
	r = 0;
out:
	if (fd != -1)
		close(fd);
	free(path);
	return (r);
}
