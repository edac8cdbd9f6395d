/*
 * waitfd.c: the one wait for descriptors among which is a tty or a pty.
 *
 * macOS's poll(2) does not support devices (its man page says so under
 * BUGS): a terminal on stdin comes back as POLLNVAL, and a client waiting
 * on it would never read a key. mosh-client waits with pselect there for
 * the same reason. So where configure defines LNSH_SELECT_WAIT (macOS, or
 * --enable-select-wait) compat_waitfd() is select(2) behind poll(2)'s
 * contract; elsewhere it is poll(2) itself. Both are built everywhere, so
 * the unit test checks the select path on Linux too.
 *
 * select(2) cannot watch a descriptor at or above FD_SETSIZE (FD_SET
 * would write past the set): such a wait is refused with ERANGE, which
 * compat_waitfd_strerror() turns into words naming the limit.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/select.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "compat.h"

/* poll(2) as it is. */
int
compat_waitfd_poll(struct pollfd *pfd, size_t n, int timeout_ms)
{
	return (poll(pfd, (nfds_t)n, timeout_ms));
}

/*
 * select(2) failed with EBADF: poll(2) would have marked the closed
 * descriptors POLLNVAL and returned, so do that. -1 (EBADF) if every
 * descriptor is open after all.
 */
static int
waitfd_badf(struct pollfd *pfd, size_t n)
{
	size_t	i;
	int	ready = 0;

	for (i = 0; i < n; i++) {
		pfd[i].revents = 0;
		if (pfd[i].fd >= 0 && fcntl(pfd[i].fd, F_GETFD) == -1 &&
		    errno == EBADF) {
			pfd[i].revents = POLLNVAL;
			ready++;
		}
	}
	if (ready == 0) {
		errno = EBADF;
		return (-1);
	}
	return (ready);
}

/*
 * select(2) with poll(2)'s contract: POLLIN, POLLOUT and POLLPRI as
 * readable, writable and exceptional; a negative fd is skipped; a closed
 * one is POLLNVAL. A hangup shows as readable (read then says EOF or
 * EIO), as select(2) has no other way to say it. Returns the number of
 * entries with revents set, 0 on timeout, -1 with errno (EINTR when a
 * signal came first, ERANGE for a descriptor at or above FD_SETSIZE).
 */
int
compat_waitfd_select(struct pollfd *pfd, size_t n, int timeout_ms)
{
	fd_set		 rd, wr, ex;
	struct timeval	 tv, *tvp = NULL;
	size_t		 i;
	int		 fd, maxfd = -1, ready = 0;

	for (i = 0; i < n; i++) {
		if (pfd[i].fd >= FD_SETSIZE) {
			errno = ERANGE;
			return (-1);
		}
	}
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_ZERO(&ex);
	for (i = 0; i < n; i++) {
		pfd[i].revents = 0;
		if ((fd = pfd[i].fd) < 0)
			continue;
		if (pfd[i].events & POLLIN)
			FD_SET(fd, &rd);
		if (pfd[i].events & POLLOUT)
			FD_SET(fd, &wr);
		if (pfd[i].events & POLLPRI)
			FD_SET(fd, &ex);
		if (fd > maxfd)
			maxfd = fd;
	}
	if (timeout_ms >= 0) {
		tv.tv_sec = timeout_ms / 1000;
		tv.tv_usec = (timeout_ms % 1000) * 1000;
		tvp = &tv;
	}
	if (select(maxfd + 1, &rd, &wr, &ex, tvp) == -1) {
		if (errno == EBADF)
			return (waitfd_badf(pfd, n));
		return (-1);
	}
	for (i = 0; i < n; i++) {
		if ((fd = pfd[i].fd) < 0)
			continue;
		if ((pfd[i].events & POLLIN) && FD_ISSET(fd, &rd))
			pfd[i].revents |= POLLIN;
		if ((pfd[i].events & POLLOUT) && FD_ISSET(fd, &wr))
			pfd[i].revents |= POLLOUT;
		if ((pfd[i].events & POLLPRI) && FD_ISSET(fd, &ex))
			pfd[i].revents |= POLLPRI;
		if (pfd[i].revents != 0)
			ready++;
	}
	return (ready);
}

/* The wait this build uses for ttys and ptys (see the top of the file). */
int
compat_waitfd(struct pollfd *pfd, size_t n, int timeout_ms)
{
#ifdef LNSH_SELECT_WAIT
	return (compat_waitfd_select(pfd, n, timeout_ms));
#else
	return (compat_waitfd_poll(pfd, n, timeout_ms));
#endif
}

/* "select" or "poll": what compat_waitfd() is in this build. */
const char *
compat_waitfd_method(void)
{
#ifdef LNSH_SELECT_WAIT
	return ("select");
#else
	return ("poll");
#endif
}

/* A compat_waitfd() failure (its errno) in words for a person. */
const char *
compat_waitfd_strerror(int e)
{
	static char	msg[256];

	if (e != ERANGE)
		return (strerror(e));
	snprintf(msg, sizeof msg, "a descriptor is at or above FD_SETSIZE "
	    "(%d), the most select(2) can wait on: start lnsh from a "
	    "process with fewer open files", (int)FD_SETSIZE);
	return (msg);
}
