/*
 * security/pam_appl.h: the application side of macOS's PAM (OpenPAM),
 * reduced to what an account check uses, for the macOS cross tier only
 * (scripts/cross-macos). zig 0.11's bundled macOS headers have no PAM;
 * these are OpenPAM's declarations and values (the X/Open ones), and
 * tests/macos/lib/libpam.tbd is the matching link stub for
 * /usr/lib/libpam.2.dylib. Never on a product build's include path.
 */
#ifndef SECURITY_PAM_APPL_H_INCLUDED
#define SECURITY_PAM_APPL_H_INCLUDED

#include <sys/cdefs.h>

/* Return values. */
#define PAM_SUCCESS		0
#define PAM_OPEN_ERR		1
#define PAM_SYMBOL_ERR		2
#define PAM_SERVICE_ERR		3
#define PAM_SYSTEM_ERR		4
#define PAM_BUF_ERR		5
#define PAM_CONV_ERR		6
#define PAM_PERM_DENIED		7
#define PAM_MAXTRIES		8
#define PAM_AUTH_ERR		9
#define PAM_NEW_AUTHTOK_REQD	10
#define PAM_CRED_INSUFFICIENT	11
#define PAM_AUTHINFO_UNAVAIL	12
#define PAM_USER_UNKNOWN	13
#define PAM_CRED_UNAVAIL	14
#define PAM_CRED_EXPIRED	15
#define PAM_CRED_ERR		16
#define PAM_ACCT_EXPIRED	17
#define PAM_AUTHTOK_EXPIRED	18
#define PAM_SESSION_ERR		19
#define PAM_AUTHTOK_ERR		20
#define PAM_AUTHTOK_RECOVERY_ERR 21
#define PAM_AUTHTOK_LOCK_BUSY	22
#define PAM_AUTHTOK_DISABLE_AGING 23
#define PAM_NO_MODULE_DATA	24
#define PAM_IGNORE		25
#define PAM_ABORT		26
#define PAM_TRY_AGAIN		27
#define PAM_MODULE_UNKNOWN	28
#define PAM_DOMAIN_UNKNOWN	29

/* Message styles. */
#define PAM_PROMPT_ECHO_OFF	1
#define PAM_PROMPT_ECHO_ON	2
#define PAM_ERROR_MSG		3
#define PAM_TEXT_INFO		4

/* Flags. */
#define PAM_SILENT		((int)0x80000000)
#define PAM_DISALLOW_NULL_AUTHTOK 0x1

/* Items. */
#define PAM_SERVICE		1
#define PAM_USER		2
#define PAM_TTY			3
#define PAM_RHOST		4
#define PAM_CONV		5
#define PAM_AUTHTOK		6
#define PAM_OLDAUTHTOK		7
#define PAM_RUSER		8
#define PAM_USER_PROMPT		9

typedef struct pam_handle pam_handle_t;

struct pam_message {
	int		 msg_style;
	const char	*msg;
};

struct pam_response {
	char		*resp;
	int		 resp_retcode;
};

struct pam_conv {
	int	(*conv)(int, const struct pam_message **,
		    struct pam_response **, void *);
	void	*appdata_ptr;
};

__BEGIN_DECLS
int		 pam_start(const char *, const char *,
		    const struct pam_conv *, pam_handle_t **);
int		 pam_end(pam_handle_t *, int);
int		 pam_set_item(pam_handle_t *, int, const void *);
int		 pam_get_item(const pam_handle_t *, int, const void **);
int		 pam_authenticate(pam_handle_t *, int);
int		 pam_acct_mgmt(pam_handle_t *, int);
int		 pam_setcred(pam_handle_t *, int);
int		 pam_open_session(pam_handle_t *, int);
int		 pam_close_session(pam_handle_t *, int);
int		 pam_chauthtok(pam_handle_t *, int);
int		 pam_putenv(pam_handle_t *, const char *);
const char	*pam_getenv(pam_handle_t *, const char *);
char		**pam_getenvlist(pam_handle_t *);
const char	*pam_strerror(const pam_handle_t *, int);
__END_DECLS

#endif /* !SECURITY_PAM_APPL_H_INCLUDED */
