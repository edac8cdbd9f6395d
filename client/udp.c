/*
 * udp.c: the client's UDP sockets and the one poll() loop that drives its
 * chan_client, timed by the deadlines the sans-I/O channel returns.
 *
 * A host name may resolve to several addresses (IPv6 and IPv4, several
 * interfaces), some of which may not work. Rather than wait out a timeout
 * on each in turn, every datagram goes to every address until the server
 * answers through one; that one is kept from then on. The server sees the
 * same initiation more than once at worst, and drops the copies as replays.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

/*
 * A non-blocking, close-on-exec UDP socket connected to a, so that the
 * kernel filters out datagrams from anyone else.
 */
static int
udp_socket(const struct chan_addr *a)
{
	int	fd, fl;

	if ((fd = socket(a->ss.ss_family, SOCK_DGRAM, 0)) == -1)
		return (-1);
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    connect(fd, (const struct sockaddr *)&a->ss, a->len) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

/*
 * Opens a socket for each of n addresses. Addresses whose socket cannot be
 * made (no IPv6 on this machine, say) are skipped; it fails only if none
 * is left. The caller then sets u->cc, whose ops->send is udp_send with u
 * as its context.
 */
int
udp_open(struct udp_conn *u, const struct chan_addr *addrs, size_t n,
    char **cause)
{
	size_t	i;
	int	fd, saved = 0;

	memset(u, 0, sizeof *u);
	u->chosen = -1;
	for (i = 0; i < n && u->n < UDP_MAX_ADDRS; i++) {
		if ((fd = udp_socket(&addrs[i])) == -1) {
			saved = errno;
			continue;
		}
		u->addrs[u->n] = addrs[i];
		u->fds[u->n++] = fd;
	}
	if (u->n == 0) {
		ln_cause(cause, "cannot make a UDP socket: %s",
		    strerror(saved));
		return (LN_E_SYSTEM);
	}
	return (0);
}

/* Closes the sockets (the chan_client is the caller's). */
void
udp_close(struct udp_conn *u)
{
	size_t	i;

	for (i = 0; i < u->n; i++)
		close(u->fds[i]);
	u->n = 0;
	u->chosen = -1;
}

/*
 * Whether a send error means this socket's path is gone rather than one
 * datagram lost. A connected UDP socket keeps the source address chosen at
 * connect time: once that address is removed (the laptop moved to another
 * network), every send fails with one of these until a fresh socket picks
 * a source address that exists.
 */
static int
udp_path_error(int err)
{
	switch (err) {
	case EADDRNOTAVAIL:
	case ENETUNREACH:
	case EHOSTUNREACH:
	case ENETDOWN:
	case EINVAL:
	case EPERM:
		return (1);
	}
	return (0);
}

/*
 * Sends to the address that answered, or to all of them while none has.
 * Returns LN_E_SYSTEM when the chosen socket's send failed for want of a
 * path (udp_path_error), so the caller can move to a fresh socket at once
 * and send again; any other failure is a lost datagram (0), which the
 * channel already copes with.
 */
int
udp_send_status(struct udp_conn *u, const uint8_t *pkt, size_t len)
{
	size_t	i;

	if (u->chosen >= 0) {
		if (send(u->fds[u->chosen], pkt, len, 0) == -1 &&
		    udp_path_error(errno))
			return (LN_E_SYSTEM);
		return (0);
	}
	for (i = 0; i < u->n; i++)
		(void)send(u->fds[i], pkt, len, 0);
	return (0);
}

/* ops->send of the chan_client, for callers that never rebind (rpc.c). */
void
udp_send(void *arg, const uint8_t *pkt, size_t len)
{
	(void)udp_send_status(arg, pkt, len);
}

/*
 * Reads every datagram waiting on socket i into the channel. The first
 * socket through which the handshake completes becomes the chosen one.
 */
static void
udp_drain(struct udp_conn *u, size_t i, uint8_t *pkt)
{
	ssize_t	n;
	int	was;

	for (;;) {
		n = recv(u->fds[i], pkt, LN_MAX_DATAGRAM + 1, 0);
		if (n == -1)
			return;	/* EAGAIN, or an ICMP error: no answer yet */
		was = chan_client_connected(u->cc);
		chan_client_input(u->cc, pkt, (size_t)n, ln_now_ns());
		if (u->chosen < 0 && !was && chan_client_connected(u->cc))
			u->chosen = (int)i;
	}
}

/*
 * Runs the loop until done(arg) is true (0) or the monotonic clock reaches
 * deadline (RPC_E_NOANSWER). done is asked after every wake-up, once the
 * channel's timers have run; it may send on the channel.
 */
int
udp_run(struct udp_conn *u, uint64_t deadline, udp_done_fn done, void *arg)
{
	struct pollfd	 pfd[UDP_MAX_ADDRS];
	uint8_t		*pkt;
	uint64_t	 now, next;
	size_t		 i;
	int		 r;

	pkt = xmalloc(LN_MAX_DATAGRAM + 1);
	for (;;) {
		(void)chan_client_tick(u->cc, ln_now_ns());
		if (done(arg)) {
			r = 0;
			break;
		}
		/* Again: done may have sent, which arms a timer. */
		now = ln_now_ns();
		next = chan_client_tick(u->cc, now);
		if (now >= deadline) {
			r = RPC_E_NOANSWER;
			break;
		}
		if (next > deadline)
			next = deadline;
		for (i = 0; i < u->n; i++) {
			pfd[i].fd = u->fds[i];
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, (nfds_t)u->n, ln_wait_ms(now, next)) == -1 &&
		    errno != EINTR) {
			r = LN_E_SYSTEM;
			break;
		}
		for (i = 0; i < u->n; i++)
			if (pfd[i].revents != 0)
				udp_drain(u, i, pkt);
	}
	free(pkt);
	return (r);
}

/*
 * Moves the chosen address to a fresh socket, so a new source port: how a
 * client gets through a NAT that forgot it after a network change. The
 * caller then sends something (chan_client_keepalive) so the server learns
 * the new address.
 */
int
udp_rebind(struct udp_conn *u, char **cause)
{
	int	fd;

	if (u->chosen < 0) {
		ln_cause(cause, "no server address chosen yet");
		return (LN_E_STATE);
	}
	if ((fd = udp_socket(&u->addrs[u->chosen])) == -1) {
		ln_cause(cause, "cannot make a UDP socket: %s",
		    strerror(errno));
		return (LN_E_SYSTEM);
	}
	close(u->fds[u->chosen]);
	u->fds[u->chosen] = fd;
	return (0);
}

/*
 * Reads what is waiting on socket i into the channel, for a caller that
 * runs its own poll loop over u->fds (lnsh attach).
 */
void
udp_read(struct udp_conn *u, size_t i)
{
	uint8_t	*pkt;

	pkt = xmalloc(LN_MAX_DATAGRAM + 1);
	udp_drain(u, i, pkt);
	free(pkt);
}
