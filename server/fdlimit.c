/*
 * fdlimit.c: lnshd's descriptor budget. Every session costs lnshd a few
 * descriptors (the holder connection, its log pipe, one more per attached
 * client), so the soft RLIMIT_NOFILE, often 1024 by default, is raised
 * towards the hard limit at start, and the number of sessions is capped
 * from what it allows: a new session is refused with a clear message
 * before descriptors run out, not failed halfway. Holders get the soft
 * limit lnshd started with back (fdlimit_restore), so that the programs
 * in a session see the machine's usual limit.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/time.h>
#include <sys/resource.h>

#include "sessdir.h"

static struct rlimit	fdlimit_orig;
static int		fdlimit_saved;

/*
 * Raises the soft limit as far as the hard one (at most LNSHD_MAX_NOFILE)
 * allows; returns the soft limit now in force. Some systems refuse a soft
 * limit above a per-process maximum lower than the hard limit (macOS's
 * OPEN_MAX): the request is halved until accepted.
 */
unsigned long
fdlimit_raise(void)
{
	struct rlimit	rl, want;
	rlim_t		n;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return (LNSHD_FD_RESERVE);
	fdlimit_orig = rl;
	fdlimit_saved = 1;
	n = rl.rlim_max;
	if (n == RLIM_INFINITY || n > LNSHD_MAX_NOFILE)
		n = LNSHD_MAX_NOFILE;
	while (rl.rlim_cur != RLIM_INFINITY && n > rl.rlim_cur) {
		want.rlim_cur = n;
		want.rlim_max = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &want) == 0) {
			rl.rlim_cur = n;
			break;
		}
		n /= 2;
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > LNSHD_MAX_NOFILE)
		return (LNSHD_MAX_NOFILE);
	return ((unsigned long)rl.rlim_cur);
}

/* The most sessions a descriptor limit of nofile allows lnshd to serve. */
unsigned
fdlimit_sessions(unsigned long nofile)
{
	if (nofile <= LNSHD_FD_RESERVE + LNSHD_FDS_PER_SESSION)
		return (1);
	return ((unsigned)((nofile - LNSHD_FD_RESERVE) /
	    LNSHD_FDS_PER_SESSION));
}

/* In a child about to exec a holder: the soft limit lnshd started with. */
void
fdlimit_restore(void)
{
	if (fdlimit_saved)
		(void)setrlimit(RLIMIT_NOFILE, &fdlimit_orig);
}
