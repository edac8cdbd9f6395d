/*
 * peercred.c: who is at the other end of a connected Unix socket:
 * getpeereid() on the BSDs and macOS, SO_PEERCRED on Linux.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <unistd.h>

#include "compat.h"

/* The peer's effective uid and gid; -1 and errno set on failure. */
int
compat_peereid(int fd, uid_t *uid, gid_t *gid)
{
#if defined(HAVE_GETPEEREID)
	return (getpeereid(fd, uid, gid));
#elif defined(HAVE_DECL_SO_PEERCRED) && HAVE_DECL_SO_PEERCRED
	struct ucred	cred;
	socklen_t	len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return (-1);
	if (len != sizeof cred) {
		errno = EINVAL;
		return (-1);
	}
	*uid = cred.uid;
	*gid = cred.gid;
	return (0);
#else
#error "no way to read a Unix socket peer's credentials"
#endif
}
