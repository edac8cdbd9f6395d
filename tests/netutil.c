/*
 * netutil.c: the small socket and signal helpers that the test programs
 * chandemo.c and impair.c both need, kept once so they behave alike.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"
#include "netutil.h"

static int	sig_pipe[2] = { -1, -1 };

/*
 * Parses the value s of option --opt as a non-negative decimal integer.
 * Anything else goes to the program's usage, which names the option and
 * exits 2; it is passed in so each program keeps its own usage text.
 */
uint64_t
net_parse_u64(const char *opt, const char *s,
    void (*usage)(const char *))
{
	char			*end;
	unsigned long long	 v;
	char			 why[128];

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *s == '-') {
		snprintf(why, sizeof why, "--%s: not a number: %s", opt, s);
		usage(why);
		exit(2);	/* usage does not return */
	}
	return (v);
}

/* Makes a descriptor non-blocking and close-on-exec. */
int
net_nonblock(int fd)
{
	int	fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return (-1);
	return (0);
}

/* Formats an address as "ADDR PORT" for people and scripts. */
const char *
net_addr_str(const struct chan_addr *a, char *s, size_t len)
{
	char	host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getnameinfo((const struct sockaddr *)&a->ss, a->len, host,
	    sizeof host, serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV))
		snprintf(s, len, "? ?");
	else
		snprintf(s, len, "%s %s", host, serv);
	return (s);
}

/* Turns a signal into a byte on the self-pipe, which poll() sees. */
static void
on_signal(int sig)
{
	int		saved = errno;
	unsigned char	c = (unsigned char)sig;

	(void)write(sig_pipe[1], &c, 1);
	errno = saved;
}

/*
 * Opens the self-pipe, routes the n signals sigs into it (one byte, the
 * signal number, each) and ignores SIGPIPE. Returns the pipe's read end;
 * exits with a message naming prog if there is no pipe.
 */
int
net_signal_pipe(const char *prog, const int *sigs, size_t n)
{
	struct sigaction	sa;
	size_t			i;

	if (pipe(sig_pipe) == -1 || net_nonblock(sig_pipe[0]) == -1 ||
	    net_nonblock(sig_pipe[1]) == -1) {
		fprintf(stderr, "%s: pipe: %s\n", prog, strerror(errno));
		exit(1);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < n; i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return (sig_pipe[0]);
}
