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

#endif /* LNSH_COMPAT_H */
