/*
 * privdrop.c: turning a root process into a user for good. The holder runs
 * code the user controls, so it must not be able to get root back: after
 * dropping we check that setuid(0) fails and that every id is the user's.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sessdir.h"

/*
 * Becomes pw's user: supplementary groups, gid, uid, verified. Without
 * root, becoming the current user is a no-op and anyone else is refused.
 * On failure err says what, naming the user and errno.
 */
int
privdrop(const struct passwd *pw, char *err, size_t errlen)
{
	const char	*u = pw->pw_name;

	if (getuid() != 0 && geteuid() != 0) {
		if (getuid() == pw->pw_uid && geteuid() == pw->pw_uid)
			return (0);
		snprintf(err, errlen, "cannot become user %s: not root", u);
		return (LN_E_SYSTEM);
	}
	if (initgroups(u, pw->pw_gid) == -1) {
		snprintf(err, errlen, "initgroups for user %s: %s", u,
		    strerror(errno));
		return (LN_E_SYSTEM);
	}
	if (setgid(pw->pw_gid) == -1) {
		snprintf(err, errlen, "setgid(%ld) for user %s: %s",
		    (long)pw->pw_gid, u, strerror(errno));
		return (LN_E_SYSTEM);
	}
	if (setuid(pw->pw_uid) == -1) {
		snprintf(err, errlen, "setuid(%ld) for user %s: %s",
		    (long)pw->pw_uid, u, strerror(errno));
		return (LN_E_SYSTEM);
	}
	if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid ||
	    getgid() != pw->pw_gid || getegid() != pw->pw_gid) {
		snprintf(err, errlen, "ids for user %s not as set after "
		    "setuid", u);
		return (LN_E_SYSTEM);
	}
	/* Saved set-user-ID too: a process that can go back is not dropped. */
	if (pw->pw_uid != 0 && (setuid(0) != -1 || seteuid(0) != -1)) {
		snprintf(err, errlen, "user %s could regain root after "
		    "setuid", u);
		return (LN_E_SYSTEM);
	}
	if (pw->pw_gid != 0 && pw->pw_uid != 0 &&
	    (setgid(0) != -1 || setegid(0) != -1)) {
		snprintf(err, errlen, "user %s could regain group 0 after "
		    "setgid", u);
		return (LN_E_SYSTEM);
	}
	return (0);
}
