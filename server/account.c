/*
 * account.c: may an account that a client has authenticated for (its key
 * is in the user's authorized_keys) log in now? The account policy a
 * login through sshd gets, for lnsh's root mode:
 *
 *   - the login shell must be one /etc/shells lists (getusershell): an
 *     account whose shell is /usr/sbin/nologin or /bin/false, or an
 *     sftp-only account, gets no shell through lnsh either;
 *   - the shadow database must not say expired or locked (compat/shadow.c,
 *     where there is one; checked with PAM too, because Linux-PAM's
 *     pam_unix account module does not look at the lock, and a locked
 *     account is how administrators switch a user off);
 *   - PAM's account stack for service "lnshd" must allow it (pam_acct_mgmt,
 *     no authentication step), where configure found PAM.
 *
 * The check runs in a short-lived child, and lnshd hears its verdict
 * through a pipe in the event loop: PAM modules and the password databases
 * can block (a directory service), and that must not stall lnshd for every
 * other user. A verdict holds for the connection it was made for; a new
 * connection (every lnsh command makes one) is checked afresh, so no cache
 * can outlive an administrator's change. A child that has not answered in
 * LN_ACCT_TIMEOUT_SEC is killed and the login refused.
 *
 * Single-user mode does no account check: that lnshd serves only the user
 * running it, who already has a process on the machine (lnshd itself), and
 * as non-root PAM's and the shadow database's answers about oneself are
 * not to be had (pam_unix cannot read /etc/shadow).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "compat.h"
#include "server.h"

#define ACCOUNT_PAM_SERVICE	"lnshd"

struct account_check {
	struct event	*ev;
	pid_t		 pid;
	int		 fd;
	char		 buf[LN_ACCT_REASON_MAX + 1];
	size_t		 used;
	account_done_fn	 fn;
	void		*arg;
};

/* Is shell one that /etc/shells lists? An empty shell means /bin/sh. */
static int
account_shell_ok(const char *shell)
{
	const char	*s;
	int		 ok = 0;

	if (shell == NULL || *shell == '\0')
		shell = "/bin/sh";
	setusershell();
	while ((s = getusershell()) != NULL) {
		if (strcmp(s, shell) == 0) {
			ok = 1;
			break;
		}
	}
	endusershell();
	return (ok);
}

/*
 * The verdict on user u coming from rhost (NULL if unknown): 0, or -1 and
 * a one-line reason. Blocking; account_check_start runs it in a child.
 */
int
account_verdict(const struct paths_user *u, const char *rhost, char *reason,
    size_t len)
{
	if (!account_shell_ok(u->shell)) {
		snprintf(reason, len, "its login shell %s is not listed in "
		    "/etc/shells", u->shell);
		return (-1);
	}
	/*
	 * The shadow database first: where it knows, it says precisely why
	 * (Debian's common-account turns any pam_unix refusal into pam_deny's
	 * "Authentication failure"); PAM then adds what only it knows
	 * (pam_access, directory services, pam_nologin where configured).
	 */
	if (compat_shadow_refuses(u->name, time(NULL), reason, len) != 0)
		return (-1);
	if (compat_pam_account(ACCOUNT_PAM_SERVICE, u->name, rhost, reason,
	    len) < 0)
		return (-1);
	return (0);
}

/* Ends a check: the event, the pipe, and (still running) the child. */
static void
account_check_free(struct account_check *ac)
{
	if (ac->ev != NULL)
		event_free(ac->ev);
	if (ac->fd != -1)
		close(ac->fd);
	/* The SIGCHLD handler (sessions.c) reaps it. */
	if (ac->pid > 0)
		kill(ac->pid, SIGKILL);
	free(ac);
}

/*
 * The child's answer, or its silence: "0" allowed; "1" and a reason
 * refused; anything else (it died, or took too long) refused too.
 */
static void
account_read_cb(int fd, short what, void *arg)
{
	struct account_check	*ac = arg;
	account_done_fn		 fn = ac->fn;
	void			*fnarg = ac->arg;
	char			 reason[LN_ACCT_REASON_MAX + 1];
	ssize_t			 n;
	int			 ok = 0;

	if (what & EV_TIMEOUT) {
		/* Still running: account_check_free kills it. */
		snprintf(reason, sizeof reason, "the account check did not "
		    "answer in %d seconds", LN_ACCT_TIMEOUT_SEC);
		goto done;
	}
	n = read(fd, ac->buf + ac->used, sizeof ac->buf - 1 - ac->used);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0) {
		ac->used += (size_t)n;
		if (ac->used < sizeof ac->buf - 1)
			return;
	}
	/*
	 * EOF, an error, or the longest answer: the verdict is in, and the
	 * child has exited or is exiting (then reaped, so its pid is not
	 * ours to signal any more).
	 */
	ac->pid = 0;
	ac->buf[ac->used] = '\0';
	if (ac->used > 0 && ac->buf[0] == '0') {
		ok = 1;
		reason[0] = '\0';
	} else if (ac->used > 1 && ac->buf[0] == '1')
		snprintf(reason, sizeof reason, "%s", ac->buf + 1);
	else
		snprintf(reason, sizeof reason, "the account check failed "
		    "(its process gave no verdict)");
done:
	account_check_free(ac);
	fn(fnarg, ok, reason);
}

/*
 * Starts the account check of user u (from rhost, or NULL) in a child;
 * fn(arg, allowed, reason) is called from the loop once, unless
 * account_check_cancel comes first. Fails only if no child can be made.
 */
int
account_check_start(struct event_base *base, const struct paths_user *u,
    const char *rhost, account_done_fn fn, void *arg,
    struct account_check **out, char **cause)
{
	struct account_check	*ac;
	struct timeval		 tv = { LN_ACCT_TIMEOUT_SEC, 0 };
	char			 reason[LN_ACCT_REASON_MAX], msg[2 +
				     LN_ACCT_REASON_MAX];
	int			 pfd[2], n;
	pid_t			 pid;

	if (pipe(pfd) == -1) {
		ln_cause(cause, "account check: pipe: %s", strerror(errno));
		return (LN_E_SYSTEM);
	}
	fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
	fcntl(pfd[1], F_SETFD, FD_CLOEXEC);
	if ((pid = fork()) == -1) {
		ln_cause(cause, "account check: fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return (LN_E_SYSTEM);
	}
	if (pid == 0) {
		close(pfd[0]);
		signal(SIGPIPE, SIG_IGN);
		if (account_verdict(u, rhost, reason, sizeof reason) == 0)
			n = snprintf(msg, sizeof msg, "0");
		else
			n = snprintf(msg, sizeof msg, "1%s", reason);
		if (n > 0)
			(void)write(pfd[1], msg, (size_t)n < sizeof msg ?
			    (size_t)n : sizeof msg - 1);
		_exit(0);
	}
	close(pfd[1]);
	fcntl(pfd[0], F_SETFL, fcntl(pfd[0], F_GETFL) | O_NONBLOCK);
	ac = xcalloc(1, sizeof *ac);
	ac->pid = pid;
	ac->fd = pfd[0];
	ac->fn = fn;
	ac->arg = arg;
	ac->ev = event_new(base, ac->fd, EV_READ | EV_PERSIST,
	    account_read_cb, ac);
	event_add(ac->ev, &tv);
	*out = ac;
	return (0);
}

/* Abandons a check whose answer nobody wants any more (no callback). */
void
account_check_cancel(struct account_check *ac)
{
	if (ac != NULL)
		account_check_free(ac);
}
