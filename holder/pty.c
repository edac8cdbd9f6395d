/*
 * pty.c: the session's pseudo-terminal and the child on its slave side: a
 * new session with the pty as controlling terminal, an environment built
 * from nothing, the user's home as cwd.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "compat.h"
#include "holder.h"

/* Is K=V one of the locale variables a client may pass on? */
static int
pty_env_allowed(const char *kv)
{
	const char	*eq;

	if ((eq = strchr(kv, '=')) == NULL || eq == kv)
		return (0);
	if ((size_t)(eq - kv) == 4 && strncmp(kv, "LANG", 4) == 0)
		return (1);
	return (strncmp(kv, "LC_", 3) == 0);
}

/* Builds "K=V" into a new string. */
static char *
pty_kv(const char *k, const char *v)
{
	size_t	 len = strlen(k) + strlen(v) + 2;
	char	*s = xmalloc(len);

	snprintf(s, len, "%s=%s", k, v);
	return (s);
}

/*
 * The child's environment, from scratch: nothing of the holder's leaks
 * into the session except what the spec names.
 */
static char **
pty_environ(const struct pty_spec *spec)
{
	char	**env;
	size_t	  n = 0, i;

	/* The spec's entries, the eight set here, the NULL. */
	env = xcalloc(LN_SESSION_MAX_ENV + 9, sizeof *env);
	env[n++] = pty_kv("HOME", spec->home);
	env[n++] = pty_kv("USER", spec->user);
	env[n++] = pty_kv("LOGNAME", spec->user);
	env[n++] = pty_kv("SHELL", spec->shell);
	env[n++] = pty_kv("PATH", PTY_DEFAULT_PATH);
	env[n++] = pty_kv("TERM", spec->term != NULL && *spec->term != '\0' ?
	    spec->term : PTY_DEFAULT_TERM);
	env[n++] = pty_kv("LNSH_SESSION", spec->session);
	/*
	 * The session's terminal is lnsh's screen, which keeps 24-bit
	 * colour whatever TERM says; each client draws it on its own
	 * terminal, down to 256 or 16 colours where that has fewer
	 * (client/display.c). So programs may use it, as they would in a
	 * truecolor terminal (vim, bat, delta look at COLORTERM).
	 */
	env[n++] = pty_kv("COLORTERM", "truecolor");
	for (i = 0; spec->env != NULL && spec->env[i] != NULL &&
	    i < LN_SESSION_MAX_ENV; i++) {
		if (pty_env_allowed(spec->env[i]))
			env[n++] = xstrdup(spec->env[i]);
	}
	env[n] = NULL;
	return (env);
}

/*
 * In the child after fork: become a session leader on the slave and exec.
 * Only async-signal-safe work and exec from here; failures are written to
 * the pty so the person sees them on the session's screen.
 */
static void
pty_child(const struct pty_spec *spec, int slave, char **env)
{
	extern char	**environ;
	const char	 *base, *msg;
	char		  argv0[256];
	char		 *shargv[2];
	sigset_t	  set;
	int		  fd, maxfd;

	/* Ignored signals survive exec; the shell must start clean. */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);

	if (setsid() == -1)
		_exit(126);
	if (ioctl(slave, TIOCSCTTY, 0) == -1)
		_exit(126);
	if (dup2(slave, 0) == -1 || dup2(slave, 1) == -1 ||
	    dup2(slave, 2) == -1)
		_exit(126);
	maxfd = (int)sysconf(_SC_OPEN_MAX);
	if (maxfd < 0 || maxfd > 65536)
		maxfd = 65536;
	for (fd = 3; fd < maxfd; fd++)
		close(fd);

	if (chdir(spec->home) == -1 && chdir("/") == -1)
		_exit(126);
	environ = env;
	if (spec->argv != NULL && spec->argv[0] != NULL) {
		execvp(spec->argv[0], spec->argv);
		msg = "lnsh: cannot run the command: ";
	} else {
		/* A login shell: argv[0] is "-" and the shell's base name. */
		base = strrchr(spec->shell, '/');
		base = base != NULL ? base + 1 : spec->shell;
		snprintf(argv0, sizeof argv0, "-%s", base);
		shargv[0] = argv0;
		shargv[1] = NULL;
		execv(spec->shell, shargv);
		msg = "lnsh: cannot run the shell: ";
	}
	(void)write(2, msg, strlen(msg));
	msg = strerror(errno);
	(void)write(2, msg, strlen(msg));
	(void)write(2, "\r\n", 2);
	_exit(127);
}

/*
 * The session's line discipline starts from the system's defaults, with
 * IUTF8: the emulator reads UTF-8, so erasing a character in a cooked
 * read (`cat`, `read`, a password prompt) must take all its bytes, not
 * the last one, as in tmux and mosh.
 */
static int
pty_termios(int s)
{
	struct termios	tio;

	if (tcgetattr(s, &tio) == -1)
		return (-1);
#ifdef IUTF8
	tio.c_iflag |= IUTF8;
#endif
	return (tcsetattr(s, TCSANOW, &tio));
}

/*
 * Opens a pty of the spec's size and starts the child on it. On success
 * *master is the nonblocking, close-on-exec master and *pid the child.
 */
int
pty_spawn(const struct pty_spec *spec, int *master, pid_t *pid, char *err,
    size_t errlen)
{
	struct winsize	  ws;
	char		**env = NULL;
	int		  m = -1, s = -1, flags, i, r = LN_E_SYSTEM;
	pid_t		  child;

	memset(&ws, 0, sizeof ws);
	ws.ws_col = (unsigned short)spec->cols;
	ws.ws_row = (unsigned short)spec->rows;
	if (openpty(&m, &s, NULL, NULL, &ws) == -1) {
		snprintf(err, errlen, "openpty: %s", strerror(errno));
		goto out;
	}
	if (pty_termios(s) == -1) {
		snprintf(err, errlen, "pty termios: %s", strerror(errno));
		goto out;
	}
	if ((flags = fcntl(m, F_GETFL)) == -1 ||
	    fcntl(m, F_SETFL, flags | O_NONBLOCK) == -1 ||
	    fcntl(m, F_SETFD, FD_CLOEXEC) == -1) {
		snprintf(err, errlen, "pty master flags: %s", strerror(errno));
		goto out;
	}
	env = pty_environ(spec);
	if ((child = fork()) == -1) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		goto out;
	}
	if (child == 0)
		pty_child(spec, s, env);
	*master = m;
	*pid = child;
	m = -1;
	r = 0;
out:
	if (env != NULL) {
		for (i = 0; env[i] != NULL; i++)
			free(env[i]);
		free(env);
	}
	if (s != -1)
		close(s);
	if (m != -1)
		close(m);
	return (r);
}

/* Sets the window size; the kernel sends SIGWINCH to the foreground job. */
int
pty_resize(int master, int cols, int rows)
{
	struct winsize	ws;

	memset(&ws, 0, sizeof ws);
	ws.ws_col = (unsigned short)cols;
	ws.ws_row = (unsigned short)rows;
	if (ioctl(master, TIOCSWINSZ, &ws) == -1)
		return (LN_E_SYSTEM);
	return (0);
}
