/*
 * names.c: the rule for session names, one check that lnsh, lnshd and
 * lnsh-holder all apply, so that a name one of them takes is never refused
 * by another with a message quoting a rule it satisfies.
 */
#include "config.h"

#include <string.h>

#include "proto.h"

#define LN_NAME_CHARS	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
	"0123456789._-"
#define LN_NAME_MAX_S	LN_STR(LN_SESSION_NAME_MAX)

/*
 * Is name a session name: 1 to LN_SESSION_NAME_MAX of A-Z a-z 0-9 . _ -,
 * and neither "." nor ".." (a session is a socket in a directory, and
 * those two name directories)? 0, or LN_E_INVAL with *why (static text,
 * when why is not NULL) saying which part of the rule it breaks.
 */
int
ln_session_name_check(const char *name, const char **why)
{
	const char	*w = NULL;
	size_t		 n;

	if (name == NULL || (n = strlen(name)) == 0)
		w = "it is empty; use 1 to " LN_NAME_MAX_S " of A-Z a-z 0-9 . _ -";
	else if (n > LN_SESSION_NAME_MAX)
		w = "it is longer than " LN_NAME_MAX_S " characters";
	else if (strspn(name, LN_NAME_CHARS) != n)
		w = "use only A-Z a-z 0-9 . _ - (1 to " LN_NAME_MAX_S
		    " of them)";
	else if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		w = "'.' and '..' name directories, so no session may have "
		    "them; choose another name";
	if (w == NULL)
		return (0);
	if (why != NULL)
		*why = w;
	return (LN_E_INVAL);
}
