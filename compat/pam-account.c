/*
 * pam-account.c: PAM's account stack for one user (pam_acct_mgmt, as sshd
 * runs it for key logins: no authentication step, the key did that), for
 * lnshd's account check (server/account.c). Linux-PAM and macOS's OpenPAM
 * both have it; configure defines LNSH_PAM when it finds one.
 */
#include "config.h"

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef LNSH_PAM
#include <security/pam_appl.h>
#endif

#include "compat.h"

#ifdef LNSH_PAM
/*
 * The conversation: an account check has nobody to ask, so any prompt is
 * refused; modules' messages are dropped (the verdict carries the reason).
 */
static int
pam_conv_none(int n, const struct pam_message **msg,
    struct pam_response **resp, void *arg)
{
	(void)n;
	(void)msg;
	(void)arg;
	*resp = NULL;
	return (PAM_CONV_ERR);
}
#endif

/*
 * Runs service's account stack for user, coming from rhost (or NULL).
 * 0: allowed; -1: refused, reason says why in one line; 1: no PAM here.
 */
int
compat_pam_account(const char *service, const char *user, const char *rhost,
    char *reason, size_t len)
{
#ifdef LNSH_PAM
	struct pam_conv	 conv = { pam_conv_none, NULL };
	pam_handle_t	*h = NULL;
	int		 r;

	if ((r = pam_start(service, user, &conv, &h)) != PAM_SUCCESS) {
		snprintf(reason, len, "PAM (service %s) did not start: %s",
		    service, pam_strerror(h, r));
		return (-1);
	}
	if (rhost != NULL && (r = pam_set_item(h, PAM_RHOST, rhost)) !=
	    PAM_SUCCESS)
		goto out;
	if ((r = pam_set_item(h, PAM_TTY, "lnsh")) != PAM_SUCCESS)
		goto out;
	r = pam_acct_mgmt(h, PAM_SILENT);
out:
	switch (r) {
	case PAM_SUCCESS:
		break;
	case PAM_ACCT_EXPIRED:
		snprintf(reason, len, "the account expired (PAM service %s)",
		    service);
		break;
	case PAM_NEW_AUTHTOK_REQD:
		snprintf(reason, len, "the password expired: change it "
		    "(passwd) through another login (PAM service %s)",
		    service);
		break;
	default:
		snprintf(reason, len, "PAM service %s refused the account "
		    "(%s; the system log may say why)", service,
		    pam_strerror(h, r));
		break;
	}
	pam_end(h, r);
	return (r == PAM_SUCCESS ? 0 : -1);
#else
	(void)service;
	(void)user;
	(void)rhost;
	(void)reason;
	(void)len;
	return (1);
#endif
}
