/*
 * accept.c: accept(2) for a listener in a libevent loop, without spinning.
 *
 * A listener's read event is level-triggered: when accept fails for want
 * of descriptors (EMFILE, ENFILE) or of kernel memory, the connection stays
 * queued and the event fires again at once, so the loop spun at full CPU
 * until something else closed a descriptor. Instead the listener pauses
 * for LN_ACCEPT_PAUSE_NS, as libevent's users do; what connects meanwhile
 * waits in the backlog, or is refused by the kernel when that is full.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "sessdir.h"

/* The pause is over: listen again. */
static void
acceptor_resume(evutil_socket_t fd, short what, void *arg)
{
	struct acceptor	*a = arg;

	(void)fd;
	(void)what;
	if (a->paused) {
		a->paused = 0;
		event_add(a->listen, NULL);
	}
}

/* Watches listening socket fd: cb(fd, EV_READ, arg) when one connects. */
void
acceptor_init(struct acceptor *a, struct event_base *base, evutil_socket_t fd,
    event_callback_fn cb, void *arg)
{
	memset(a, 0, sizeof *a);
	a->listen = event_new(base, fd, EV_READ | EV_PERSIST, cb, arg);
	a->resume = evtimer_new(base, acceptor_resume, a);
	event_add(a->listen, NULL);
}

/* Stops listening for good (the events stay until acceptor_free). */
void
acceptor_stop(struct acceptor *a)
{
	a->paused = 0;
	if (a->listen != NULL)
		event_del(a->listen);
	if (a->resume != NULL)
		event_del(a->resume);
}

/* Frees the events. */
void
acceptor_free(struct acceptor *a)
{
	if (a->listen != NULL)
		event_free(a->listen);
	if (a->resume != NULL)
		event_free(a->resume);
	memset(a, 0, sizeof *a);
}

/*
 * Accepts one connection on lfd: its descriptor, or -1 (nothing to take,
 * or a failure the peer caused), or ACCEPT_PAUSED when the listener just
 * paused for want of descriptors or memory and the caller should say so
 * (errno kept; at most once per LN_ACCEPT_SAY_NS, -1 otherwise).
 */
int
acceptor_accept(struct acceptor *a, evutil_socket_t lfd)
{
	struct timeval	tv;
	uint64_t	now;
	int		fd, e;

	if ((fd = accept(lfd, NULL, NULL)) != -1)
		return (fd);
	e = errno;
	if (e != EMFILE && e != ENFILE && e != ENOBUFS && e != ENOMEM)
		return (-1);
	event_del(a->listen);
	a->paused = 1;
	ln_ns_timeval(LN_ACCEPT_PAUSE_NS, &tv);
	evtimer_add(a->resume, &tv);
	a->pauses++;
	now = ln_now_ns();
	if (a->said && now - a->said_ns < LN_ACCEPT_SAY_NS)
		return (-1);
	a->said = 1;
	a->said_ns = now;
	errno = e;
	return (ACCEPT_PAUSED);
}
