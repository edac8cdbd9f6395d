/*
 * termcheck.c: whether this machine has a terminfo entry for a client's
 * TERM, looked up where the session's programs will look. A client on a
 * terminal the server does not know (macOS's system terminfo has no
 * tmux-256color, xterm-kitty or xterm-ghostty) would otherwise get a
 * session in which every curses program refuses to start or draws
 * garbage; such a session runs with TERM=xterm-256color instead
 * (docs/lnshd.md).
 *
 * The lookup reads the terminfo directories rather than calling ncurses'
 * setupterm: the holder's ncurses (Homebrew's, say) may know entries that
 * the system's, which the session's shell and tools use, does not. The
 * session's environment has no TERMINFO or TERMINFO_DIRS (pty.c builds it
 * from nothing), so the places are the user's ~/.terminfo and the system
 * directories ncurses is built with on Linux and macOS.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <stdio.h>
#include <string.h>

#include "sessdir.h"

static const char *const termcheck_dirs[] = {
	"/etc/terminfo",	/* Debian: local entries */
	"/lib/terminfo",	/* Debian: ncurses-base */
	"/usr/share/terminfo",	/* every system; macOS's only one */
	"/usr/lib/terminfo",
	NULL
};

/*
 * Is name usable as a file name under a terminfo directory: 1 to
 * TERMCHECK_MAX_NAME letters, digits and . _ + -, not starting with a dot.
 * Anything else is no terminal this machine knows.
 */
int
termcheck_name_ok(const char *name)
{
	size_t	len = strlen(name), i;

	if (len == 0 || len > TERMCHECK_MAX_NAME || name[0] == '.')
		return (0);
	for (i = 0; i < len; i++) {
		if (strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-", name[i]) ==
		    NULL)
			return (0);
	}
	return (1);
}

/*
 * Does dir hold an entry for name: dir/n/name (the first letter, as Linux
 * lays it out) or dir/6e/name (its hex code, as macOS does for its
 * case-insensitive file systems).
 */
static int
termcheck_in(const char *dir, const char *name)
{
	struct stat	st;
	char		path[1024];

	snprintf(path, sizeof path, "%s/%c/%s", dir, name[0], name);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return (1);
	snprintf(path, sizeof path, "%s/%02x/%s", dir,
	    (unsigned)(unsigned char)name[0], name);
	return (stat(path, &st) == 0 && S_ISREG(st.st_mode));
}

/*
 * Whether a session started here with TERM=name finds a terminfo entry
 * for it, in home's .terminfo (home may be NULL) or a system directory.
 */
int
termcheck_known(const char *name, const char *home)
{
	char	dir[1024];
	size_t	i;

	if (!termcheck_name_ok(name))
		return (0);
	if (home != NULL && *home != '\0' &&
	    (size_t)snprintf(dir, sizeof dir, "%s/.terminfo", home) <
	    sizeof dir && termcheck_in(dir, name))
		return (1);
	for (i = 0; termcheck_dirs[i] != NULL; i++) {
		if (termcheck_in(termcheck_dirs[i], name))
			return (1);
	}
	return (0);
}
