/*
 * locale.c: the character type locale the client measures text in.
 *
 * lnsh writes UTF-8 to the terminal whatever the locale says: display.c
 * encodes every cell itself. Only the widths of characters come from the
 * C library (wcwidth), and they are known only in a UTF-8 LC_CTYPE; in
 * the "C" locale every character outside ASCII has none. A person whose
 * LC_CTYPE is C or POSIX (LC_ALL=C in a script, a Mac terminal that sets
 * no LANG, an ssh that forwards none) still has a UTF-8 terminal, so the
 * environment's locale is kept when it is UTF-8, and otherwise the first
 * UTF-8 one this system has is taken: "C.UTF-8" (glibc, musl, FreeBSD),
 * "en_US.UTF-8", "UTF-8" (macOS's name for its LC_CTYPE). Only LC_CTYPE
 * changes: numbers, dates and messages stay as the environment says.
 */
#include "config.h"

#include <langinfo.h>
#include <locale.h>
#include <stddef.h>
#include <stdio.h>
#include <strings.h>

#include "proto.h"
#include "client.h"

/* Whether the current LC_CTYPE encodes characters as UTF-8. */
static int
locale_is_utf8(void)
{
	const char	*set = nl_langinfo(CODESET);

	return (set != NULL && (strcasecmp(set, "UTF-8") == 0 ||
	    strcasecmp(set, "UTF8") == 0));
}

/*
 * Sets LC_CTYPE from the environment, or to the first UTF-8 locale of the
 * fallbacks when the environment's is not UTF-8. 0, or LN_E_STATE with
 * *cause saying what happened when the system has no UTF-8 locale (LC_CTYPE
 * is then the environment's, or C).
 */
int
locale_utf8(char **cause)
{
	static const char *const fallback[] = {
		"C.UTF-8", "en_US.UTF-8", "UTF-8"
	};
	const char	*env;
	char		 name[64], msg[384];
	size_t		 i;

	if ((env = setlocale(LC_CTYPE, "")) != NULL && locale_is_utf8())
		return (0);
	/* setlocale's answer is overwritten by the next call. */
	if (env != NULL)
		snprintf(name, sizeof name, "'%s' is not UTF-8", env);
	else
		snprintf(name, sizeof name, "from the environment is unknown");
	for (i = 0; i < sizeof fallback / sizeof fallback[0]; i++)
		if (setlocale(LC_CTYPE, fallback[i]) != NULL &&
		    locale_is_utf8())
			return (0);
	if (setlocale(LC_CTYPE, "") == NULL)
		(void)setlocale(LC_CTYPE, "C");
	snprintf(msg, sizeof msg, "LC_CTYPE %s and this system has no "
	    "C.UTF-8, en_US.UTF-8 or UTF-8 locale: characters outside ASCII "
	    "count as one column, so wide ones (CJK, emoji) may wrap late in "
	    "the scrollback; install a UTF-8 locale to fix this", name);
	*cause = xstrdup(msg);
	return (LN_E_STATE);
}
