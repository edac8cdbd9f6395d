/*
 * tty.c: the local terminal in raw mode. The saved settings are put back
 * however the process ends: exit() through atexit, and the terminating
 * signals through a handler that restores, then dies of the same signal
 * (so the parent sees the real cause). SIGTSTP restores before stopping
 * and goes raw again on SIGCONT. Signal handlers only set flags, write to
 * a self-pipe and call async-signal-safe functions.
 */
#include "config.h"

#include <sys/ioctl.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "proto.h"
#include "client.h"

static int			 tty_fd = -1;
static struct termios		 tty_saved, tty_rawmode;
static volatile sig_atomic_t	 tty_is_raw;
static volatile sig_atomic_t	 tty_pending;
static int			 tty_pipe[2] = { -1, -1 };
static const char		*tty_restore_str;
static int			 tty_atexit_done;

static const int tty_fatal[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/* Sets the bytes written to the terminal when it is restored. */
void
tty_set_restore(const char *s)
{
	tty_restore_str = s;
}

/* Puts the terminal back as it was; safe in a signal handler. */
void
tty_restore(void)
{
	if (!tty_is_raw)
		return;
	if (tty_restore_str != NULL)
		(void)write(tty_fd, tty_restore_str, strlen(tty_restore_str));
	(void)tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
	tty_is_raw = 0;
}

/* Wakes whoever polls tty_event_fd(). */
static void
tty_notify(int ev)
{
	int	 saved = errno;
	char	 c = 0;

	tty_pending |= ev;
	if (tty_pipe[1] != -1)
		(void)write(tty_pipe[1], &c, 1);
	errno = saved;
}

/* SIGINT, SIGTERM, SIGHUP, SIGQUIT: restore, then die of the signal. */
static void
tty_sig_fatal(int sig)
{
	tty_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* SIGTSTP: restore, stop; raw again once continued. */
static void
tty_sig_tstp(int sig)
{
	int	 was = tty_is_raw, saved = errno;
	sigset_t set;

	tty_restore();
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGTSTP);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(SIGTSTP);
	/* Here only after SIGCONT. */
	signal(sig, tty_sig_tstp);
	if (was) {
		(void)tcsetattr(tty_fd, TCSAFLUSH, &tty_rawmode);
		tty_is_raw = 1;
	}
	tty_notify(TTY_EV_REDRAW);
	errno = saved;
}

static void
tty_sig_winch(int sig)
{
	(void)sig;
	tty_notify(TTY_EV_RESIZE);
}

/* SIGCONT without our SIGTSTP (e.g. stopped by SIGSTOP): redraw. */
static void
tty_sig_cont(int sig)
{
	(void)sig;
	if (tty_fd != -1 && tty_is_raw)
		(void)tcsetattr(tty_fd, TCSAFLUSH, &tty_rawmode);
	tty_notify(TTY_EV_REDRAW);
}

/* Installs a handler with SA_RESTART. */
static void
tty_handle(int sig, void (*fn)(int))
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	(void)sigaction(sig, &sa, NULL);
}

static void
tty_atexit(void)
{
	tty_restore();
}

/*
 * Makes the self-pipe and catches SIGWINCH, so that from here on a change
 * of size is a TTY_EV_RESIZE. Called before the size is first read: a
 * resize between the read and the handler would otherwise be lost (the
 * default action ignores SIGWINCH) until the next one. 0, or LN_E_SYSTEM
 * with *cause set.
 */
int
tty_watch(char **cause)
{
	char	 msg[256];
	size_t	 i;

	if (tty_pipe[0] == -1) {
		if (pipe(tty_pipe) != 0) {
			snprintf(msg, sizeof msg, "pipe: %s", strerror(errno));
			*cause = xstrdup(msg);
			return (LN_E_SYSTEM);
		}
		for (i = 0; i < 2; i++) {
			(void)fcntl(tty_pipe[i], F_SETFL, O_NONBLOCK);
			(void)fcntl(tty_pipe[i], F_SETFD, FD_CLOEXEC);
		}
	}
	tty_handle(SIGWINCH, tty_sig_winch);
	return (0);
}

/*
 * Puts the terminal on fd into raw mode (as cfmakeraw, which POSIX lacks)
 * and installs the restoring handlers. 0, or LN_E_SYSTEM with *cause set.
 */
int
tty_raw(int fd, char **cause)
{
	struct termios	 t;
	char		 msg[256];
	size_t		 i;

	if (tcgetattr(fd, &tty_saved) != 0) {
		snprintf(msg, sizeof msg, "terminal: %s", strerror(errno));
		*cause = xstrdup(msg);
		return (LN_E_SYSTEM);
	}
	if (tty_watch(cause) != 0)
		return (LN_E_SYSTEM);
	t = tty_saved;
	t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
	    ICRNL | IXON | IXOFF);
	t.c_oflag &= ~OPOST;
	t.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cflag &= ~(CSIZE | PARENB);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	tty_fd = fd;
	tty_rawmode = t;
	if (!tty_atexit_done) {
		atexit(tty_atexit);
		tty_atexit_done = 1;
	}
	for (i = 0; i < sizeof tty_fatal / sizeof tty_fatal[0]; i++)
		tty_handle(tty_fatal[i], tty_sig_fatal);
	tty_handle(SIGTSTP, tty_sig_tstp);
	tty_handle(SIGCONT, tty_sig_cont);
	if (tcsetattr(fd, TCSAFLUSH, &t) != 0) {
		snprintf(msg, sizeof msg, "terminal: %s", strerror(errno));
		*cause = xstrdup(msg);
		return (LN_E_SYSTEM);
	}
	tty_is_raw = 1;
	return (0);
}

/* The terminal's size in (cols, rows); 0 or LN_E_SYSTEM. */
int
tty_size(int fd, int *cols, int *rows)
{
	struct winsize	 ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0 ||
	    ws.ws_row == 0)
		return (LN_E_SYSTEM);
	*cols = ws.ws_col;
	*rows = ws.ws_row;
	return (0);
}

/* A descriptor readable when tty_events() has something (-1: none yet). */
int
tty_event_fd(void)
{
	return (tty_pipe[0]);
}

/* TTY_EV_* that happened since the last call; drains the pipe. */
int
tty_events(void)
{
	char		 buf[64];
	sigset_t	 set, old;
	int		 ev;

	if (tty_pipe[0] != -1) {
		while (read(tty_pipe[0], buf, sizeof buf) > 0)
			;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGCONT);
	sigaddset(&set, SIGTSTP);
	sigprocmask(SIG_BLOCK, &set, &old);
	ev = tty_pending;
	tty_pending = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return (ev);
}
