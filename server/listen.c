/*
 * listen.c: lnshd's UDP sockets and the sans-I/O channel server on them,
 * driven by the daemon's one libevent loop. Datagrams read from a socket go
 * to chan_server_input; the channel's deadlines become one event timer,
 * re-armed after everything that can move them (input, sends), and read on
 * the monotonic clock only.
 *
 * One port serves every client and session. The wildcard "::" is bound as
 * a dual-stack IPv6 socket (IPV6_V6ONLY off), so IPv4 clients arrive as
 * v4-mapped addresses on the same socket; where IPv6 is missing it falls
 * back to 0.0.0.0.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "server.h"

#define LISTEN_RECV_BATCH	64	/* datagrams per readable event */

struct listen_sock {
	int		 fd;
	int		 family;
	struct event	*ev;
	char		 name[LISTEN_ADDR_MAX];
	struct lnshd	*d;
};

/* Fills a sockaddr from a numeric host and a port. */
static int
listen_addr(const char *host, uint16_t port, struct chan_addr *a)
{
	struct addrinfo	 hints, *res = NULL;
	char		 serv[8];
	int		 r = LN_E_INVAL;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	snprintf(serv, sizeof serv, "%u", (unsigned)port);
	if (getaddrinfo(host, serv, &hints, &res) != 0 || res == NULL ||
	    res->ai_addrlen > sizeof a->ss)
		goto out;
	memset(a, 0, sizeof *a);
	memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
	a->len = (socklen_t)res->ai_addrlen;
	r = 0;
out:
	if (res != NULL)
		freeaddrinfo(res);
	return (r);
}

/* A non-blocking, close-on-exec UDP socket bound to a. */
static int
listen_bind(const struct chan_addr *a, int *fdp, char **cause)
{
	char	name[LISTEN_ADDR_MAX];
	int	fd, off = 0, saved;

	if ((fd = socket(a->ss.ss_family, SOCK_DGRAM, 0)) == -1) {
		ln_cause(cause, "socket: %s", strerror(errno));
		return (LN_E_SYSTEM);
	}
	if (a->ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &off, sizeof off) == -1)
		log_debug("IPV6_V6ONLY off: %s", strerror(errno));
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    bind(fd, (const struct sockaddr *)&a->ss, a->len) == -1) {
		saved = errno;
		ln_cause(cause, "cannot listen on %s: %s",
		    log_addr(a, name, sizeof name), strerror(saved));
		close(fd);
		errno = saved;
		return (LN_E_SYSTEM);
	}
	*fdp = fd;
	return (0);
}

/* Re-arms the channel timer for the next deadline the channel gave. */
static void
listen_arm(struct lnshd *d, uint64_t now, uint64_t deadline)
{
	struct timeval	tv;
	uint64_t	ns;

	if (deadline == UINT64_MAX) {
		evtimer_del(d->tick_ev);
		return;
	}
	ns = deadline > now ? deadline - now : 0;
	ln_ns_timeval(ns, &tv);
	evtimer_add(d->tick_ev, &tv);
}

/*
 * Runs the channel's timers and re-arms ours. Called after anything that
 * may have queued packets or moved a deadline.
 */
void
listen_kick(struct lnshd *d)
{
	uint64_t	now = ln_now_ns();

	if (d->cs == NULL)
		return;
	listen_arm(d, now, chan_server_tick(d->cs, now));
}

/* The timer fired: the channel has retransmissions or expiries due. */
static void
listen_tick_cb(int fd, short what, void *arg)
{
	listen_kick(arg);
}

static void	listen_send(void *, const struct chan_addr *, const uint8_t *,
		    size_t);

/* A socket is readable: feed each datagram in it to the channel. */
static void
listen_read_cb(int fd, short what, void *arg)
{
	struct listen_sock	*ls = arg;
	struct lnshd		*d = ls->d;
	struct chan_addr	 from;
	uint8_t			 pkt[LN_MAX_DATAGRAM + 1];
	ssize_t			 n;
	int			 i;

	for (i = 0; i < LISTEN_RECV_BATCH; i++) {
		from.len = sizeof from.ss;
		n = recvfrom(fd, pkt, sizeof pkt, 0,
		    (struct sockaddr *)&from.ss, &from.len);
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_warn("recvfrom on %s: %s", ls->name,
				    strerror(errno));
			break;
		}
		/* Pairing packets have their own types and code (pair.c). */
		if (pair_packet_type(pkt, (size_t)n) != 0) {
			pair_input(d, pkt, (size_t)n, &from, ln_now_ns(),
			    listen_send);
			continue;
		}
		chan_server_input(d->cs, pkt, (size_t)n, &from, ln_now_ns());
	}
	clients_flush(d);
	listen_kick(d);
}

/*
 * ops->send: a datagram to an address, from the socket of its family (a
 * dual-stack socket serves v4-mapped addresses too). A failed send is
 * like a lost packet: the channel retransmits.
 */
static void
listen_send(void *arg, const struct chan_addr *to, const uint8_t *pkt,
    size_t len)
{
	struct lnshd	*d = arg;
	char		 name[LISTEN_ADDR_MAX];
	size_t		 i;

	for (i = 0; i < d->nsocks; i++)
		if (d->socks[i].family == to->ss.ss_family)
			break;
	if (i == d->nsocks) {
		log_debug("no socket to reach %s",
		    log_addr(to, name, sizeof name));
		return;
	}
	if (sendto(d->socks[i].fd, pkt, len, 0,
	    (const struct sockaddr *)&to->ss, to->len) == -1 &&
	    log_enabled(CONFIG_LOG_DEBUG))
		log_debug("sendto %s: %s", log_addr(to, name, sizeof name),
		    strerror(errno));
}

/*
 * ops->stale: a key's initiation was refused as older than the last one
 * accepted from it, by gap ns: its client's clock ran ahead and was set
 * back. Warn with the gap and the way out, since the client only sees no
 * answer.
 */
static void
listen_stale(void *arg, const uint8_t *pk, const char *user, uint64_t gap)
{
	char	fp[LN_FINGERPRINT_LEN];

	(void)arg;
	key_fingerprint(pk, fp);
	log_warn("initiation from key %s for %s refused: its timestamp is "
	    "%llu s older than the last one accepted from that key; the "
	    "client's clock ran ahead and was set back, and the key gets no "
	    "answer until its clock passes that point again (lnshd keeps that "
	    "point across restarts, in the state directory's "
	    "handshake-stamps: remove the key's line there and restart lnshd "
	    "to forget it)", fp, user,
	    (unsigned long long)(gap / LN_NS_PER_SEC));
}

/* ops->stamp_get: what an earlier lnshd accepted from this key. */
static uint64_t
listen_stamp_get(void *arg, const uint8_t *pk)
{
	struct lnshd	*d = arg;

	return (stamps_get(d->stamps, pk));
}

/* ops->stamp_put: record an accepted initiation before it is answered. */
static void
listen_stamp_put(void *arg, const uint8_t *pk, uint64_t ts)
{
	struct lnshd	*d = arg;

	stamps_put(d->stamps, pk, ts);
}

static const struct chan_server_ops listen_ops = {
	.send = listen_send,
	.authorize = authz_authorize,
	.admit = client_admit,
	.connect = client_connect,
	.disconnect = client_disconnect,
	.moved = client_moved,
	.message = client_message,
	.stale = listen_stale,
	.stamp_get = listen_stamp_get,
	.stamp_put = listen_stamp_put,
};

/* Adds one bound socket to the daemon's list and the loop. */
static int
listen_add(struct lnshd *d, int fd, const struct chan_addr *a, char **cause)
{
	struct listen_sock	*ls;
	struct chan_addr	 bound;

	d->socks = xreallocarray(d->socks, d->nsocks + 1, sizeof *d->socks);
	ls = &d->socks[d->nsocks];
	memset(ls, 0, sizeof *ls);
	ls->fd = fd;
	ls->family = a->ss.ss_family;
	ls->d = d;
	bound.len = sizeof bound.ss;
	if (getsockname(fd, (struct sockaddr *)&bound.ss, &bound.len) == -1)
		bound = *a;
	log_addr(&bound, ls->name, sizeof ls->name);
	d->nsocks++;
	return (0);
}

/*
 * Binds every listen address (config, or --listen), creates the channel
 * server with the host key, and puts the sockets into the loop.
 */
int
listen_open(struct lnshd *d, const struct config_listen *list, size_t n,
    char **cause)
{
	struct chan_addr	 a;
	struct chan_config	 cc;
	struct chan_server_ops	 ops;
	size_t			 i;
	int			 fd, r;

	for (i = 0; i < n; i++) {
		if ((r = listen_addr(list[i].host, list[i].port, &a)) != 0) {
			ln_cause(cause, "not a numeric address: %s",
			    list[i].host);
			goto fail;
		}
		r = listen_bind(&a, &fd, cause);
		if (r != 0 && strcmp(list[i].host, "::") == 0 &&
		    (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL ||
		    errno == EPROTONOSUPPORT)) {
			/* No IPv6 here: the IPv4 wildcard instead. */
			log_info("no IPv6 (%s); listening on IPv4 only",
			    cause != NULL ? *cause : "");
			if (cause != NULL) {
				free(*cause);
				*cause = NULL;
			}
			(void)listen_addr("0.0.0.0", list[i].port, &a);
			r = listen_bind(&a, &fd, cause);
		}
		if (r != 0)
			goto fail;
		listen_add(d, fd, &a, cause);
	}
	memset(&cc, 0, sizeof cc);
	d->stamps = stamps_open(d->state_dir);
	/*
	 * A roam is only logged at debug, and the log level is fixed for
	 * the daemon's life: below it the channel need not compare each
	 * packet's address (chan_server copies the ops).
	 */
	ops = listen_ops;
	if (!log_enabled(CONFIG_LOG_DEBUG))
		ops.moved = NULL;
	d->cs = chan_server_new(&cc, d->host_sk, &ops, d);
	if (d->cs == NULL) {
		ln_cause(cause, "cannot create the channel server");
		r = LN_E_CRYPTO;
		goto fail;
	}
	d->tick_ev = evtimer_new(d->base, listen_tick_cb, d);
	for (i = 0; i < d->nsocks; i++) {
		d->socks[i].ev = event_new(d->base, d->socks[i].fd,
		    EV_READ | EV_PERSIST, listen_read_cb, &d->socks[i]);
		event_add(d->socks[i].ev, NULL);
		log_info("listening on %s", d->socks[i].name);
	}
	pair_open(d);
	return (0);
fail:
	listen_close(d);
	return (r);
}

/* Closes the sockets and frees the channel (every client is dropped). */
void
listen_close(struct lnshd *d)
{
	size_t	i;

	for (i = 0; i < d->nsocks; i++) {
		if (d->socks[i].ev != NULL)
			event_free(d->socks[i].ev);
		close(d->socks[i].fd);
	}
	free(d->socks);
	d->socks = NULL;
	d->nsocks = 0;
	if (d->tick_ev != NULL)
		event_free(d->tick_ev);
	d->tick_ev = NULL;
	if (d->cs != NULL)
		chan_server_free(d->cs);
	d->cs = NULL;
	stamps_close(d->stamps);
	d->stamps = NULL;
	pair_close(d);
}

/* How many sockets listen (for status). */
size_t
listen_count(const struct lnshd *d)
{
	return (d->nsocks);
}

/* The i'th socket's bound address, "ADDR:PORT" (the real port, if 0). */
const char *
listen_name(const struct lnshd *d, size_t i)
{
	return (i < d->nsocks ? d->socks[i].name : "");
}
