/*
 * compat.h: the few OS differences lnsh needs, each hidden behind a
 * configure check (configure.ac) and one small file here.
 */
#ifndef LNSH_COMPAT_H
#define LNSH_COMPAT_H

#include <sys/types.h>

/* openpty(): <pty.h> on Linux, <util.h> on macOS, <libutil.h> on FreeBSD. */
#if defined(HAVE_PTY_H)
#include <pty.h>
#elif defined(HAVE_UTIL_H)
#include <util.h>
#elif defined(HAVE_LIBUTIL_H)
#include <libutil.h>
#endif

/* peercred.c: the uid and gid at the other end of a Unix socket. */
int	compat_peereid(int, uid_t *, gid_t *);

/* malloc-tune.c: large blocks go back to the system when freed. */
void	compat_malloc_tune(void);
void	compat_malloc_trim(void);

/*
 * waitfd.c: poll(2)'s contract for every wait that includes a tty or a
 * pty: select(2) where poll cannot wait on devices (LNSH_SELECT_WAIT),
 * else poll(2). -1 and errno on failure; ERANGE: a descriptor select(2)
 * cannot watch (>= FD_SETSIZE), which compat_waitfd_strerror() explains.
 */
struct pollfd;
int	compat_waitfd(struct pollfd *, size_t, int);
int	compat_waitfd_select(struct pollfd *, size_t, int);
int	compat_waitfd_poll(struct pollfd *, size_t, int);
const char *compat_waitfd_method(void);
const char *compat_waitfd_strerror(int);

/* event-base.c: the libevent base for a loop that waits on a pty. */
struct event_base;
struct event_base *compat_event_base(void);
const char *compat_event_method(void);

/* shadow.c: 0, or -1 and why: expired or locked in the shadow database. */
int	compat_shadow_refuses(const char *, time_t, char *, size_t);

/* pam-account.c: 0 allowed, -1 refused and why, 1 no PAM here. */
int	compat_pam_account(const char *, const char *, const char *, char *,
	    size_t);

#endif /* LNSH_COMPAT_H */
