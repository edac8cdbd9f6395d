/*
 * unixsock.c: the one place a Unix socket address is filled in. sun_path
 * is small (104 bytes on macOS, 108 on Linux, the terminating NUL
 * included) and a path that does not fit must never be cut short: bind
 * would then create, and connect look for, some other file.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <stdio.h>
#include <string.h>

#include "sessdir.h"

/*
 * Fills sun with DIR/NAME (NAME NULL: DIR is the whole path). A path
 * longer than sun_path holds is refused with LN_E_INVAL and a message in
 * err that names the path, its length and the limit, and says what to
 * shorten (`shorten`, e.g. "the state dir (lnshd --state-dir)").
 */
int
unixsock_addr(struct sockaddr_un *sun, const char *dir, const char *name,
    const char *shorten, char *err, size_t errlen)
{
	size_t	len;

	len = strlen(dir) + (name != NULL ? 1 + strlen(name) : 0);
	if (len >= sizeof sun->sun_path) {
		snprintf(err, errlen, "%s%s%s: %zu bytes, longer than the %zu "
		    "a Unix socket path can have here: shorten %s", dir,
		    name != NULL ? "/" : "", name != NULL ? name : "", len,
		    sizeof sun->sun_path - 1, shorten);
		return (LN_E_INVAL);
	}
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof sun->sun_path, "%s%s%s", dir,
	    name != NULL ? "/" : "", name != NULL ? name : "");
	return (0);
}
