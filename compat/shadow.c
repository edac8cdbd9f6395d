/*
 * shadow.c: what the shadow password database says against an account,
 * for lnshd's account check (server/account.c): expired (sp_expire) or
 * locked (a password field of '!' followed by a hash or '*', as usermod -L
 * and passwd -l leave it). A field of only '!' or '!!' is what useradd
 * leaves on an account that never had a password: that is a key-only
 * account, not a locked one, and sshd with PAM serves it too. Where there is no getspnam (macOS keeps accounts in Open
 * Directory, and its PAM module answers the same question) it says
 * nothing.
 */
#include "config.h"

#include <sys/types.h>

#include <stdio.h>
#include <string.h>
#include <time.h>
#ifdef HAVE_SHADOW_H
#include <shadow.h>
#endif

#include "compat.h"

/*
 * 0: nothing against user in the shadow database (or none here, or no
 * entry for user); -1: refused, reason says why in one line. now is the
 * wall-clock time in seconds since the epoch.
 */
int
compat_shadow_refuses(const char *user, time_t now, char *reason,
    size_t len)
{
#if defined(HAVE_SHADOW_H) && defined(HAVE_GETSPNAM)
	struct spwd	*sp;
	long		 today = (long)(now / (24 * 60 * 60));

	if ((sp = getspnam(user)) == NULL)
		return (0);
	/* As pam_unix: -1 is "never"; 0 is 1 January 1970. */
	if (sp->sp_expire != -1 && today >= sp->sp_expire) {
		snprintf(reason, len, "the account expired (shadow "
		    "expiry day %ld; chage -E)", (long)sp->sp_expire);
		return (-1);
	}
	if (sp->sp_pwdp != NULL && sp->sp_pwdp[0] == '!' &&
	    sp->sp_pwdp[strspn(sp->sp_pwdp, "!")] != '\0') {
		snprintf(reason, len, "the account is locked (its password "
		    "is '!' before a password; usermod -U unlocks, usermod -p '*' "
		    "allows key logins without a password)");
		return (-1);
	}
	return (0);
#else
	(void)user;
	(void)now;
	(void)reason;
	(void)len;
	return (0);
#endif
}
