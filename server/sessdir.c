/*
 * sessdir.c: a user's socket directory and the holders in it. The sockets
 * are the only registry of sessions: a restarted lnshd re-adopts the live
 * holders by listing them, and removes the sockets of holders that died.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sessdir.h"

#ifndef LNSH_HOLDER_PATH
#define LNSH_HOLDER_PATH	"/usr/local/libexec/lnsh-holder"
#endif

/*
 * The holder's argv: its path and up to 15 option words (name, dir, term,
 * size, scrollback, ready fd, "--"), two words per environment entry, the
 * command, and the NULL.
 */
#define SESSDIR_MAX_ARGS	(16 + 2 * LN_SESSION_MAX_ENV + \
				    LN_SESSION_MAX_ARGS + 1)

/* Where lnsh-holder is: $LNSH_HOLDER, else the installed path. */
const char *
sessdir_holder_path(void)
{
	const char	*p;

	if ((p = getenv("LNSH_HOLDER")) != NULL && *p != '\0')
		return (p);
	return (LNSH_HOLDER_PATH);
}

/*
 * Is lnsh-holder there and fit to run? lnshd checks at start, so that a
 * missing or unusable holder stops it with the fix instead of failing the
 * first `lnsh new`. In root mode lnshd runs it for every user, after
 * dropping to them: it must be root's, writable by nobody else, and
 * executable by all. The reason and the fix are in *cause.
 */
int
sessdir_holder_check(int root_mode, char **cause)
{
	static const char	*how = "install it ('make install'), or say "
	    "where it is with holder-path in lnshd's config or $LNSH_HOLDER";
	const char		*path = sessdir_holder_path();
	struct stat		 st;

	if (stat(path, &st) == -1) {
		ln_cause(cause, "lnsh-holder is not at %s (%s): %s", path,
		    strerror(errno), how);
		return (LN_E_INVAL);
	}
	if (!S_ISREG(st.st_mode)) {
		ln_cause(cause, "lnsh-holder at %s is not a file: %s", path,
		    how);
		return (LN_E_INVAL);
	}
	if (!root_mode && access(path, X_OK) == -1) {
		ln_cause(cause, "lnsh-holder at %s is not executable: "
		    "chmod 755 %s", path, path);
		return (LN_E_INVAL);
	}
	if (root_mode && st.st_uid != 0) {
		ln_cause(cause, "lnsh-holder at %s belongs to uid %lu, and "
		    "lnshd runs it for every user: chown root %s", path,
		    (unsigned long)st.st_uid, path);
		return (LN_E_INVAL);
	}
	if (root_mode && (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		ln_cause(cause, "lnsh-holder at %s is writable by group or "
		    "others, and lnshd runs it for every user: chmod go-w %s",
		    path, path);
		return (LN_E_INVAL);
	}
	if (root_mode && (st.st_mode & S_IXOTH) == 0) {
		ln_cause(cause, "lnsh-holder at %s is not executable by the "
		    "users lnshd runs it as: chmod 755 %s", path, path);
		return (LN_E_INVAL);
	}
	return (0);
}

/*
 * Makes sure dir exists, is ours, and is private (mode 0700); creates it if
 * missing. Anything else is refused, not repaired: someone else's or a
 * group/world accessible directory could let others reach the sessions.
 */
int
sessdir_prepare(const char *dir, char *err, size_t errlen)
{
	struct stat	st;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "mkdir %s: %s", dir, strerror(errno));
		return (LN_E_SYSTEM);
	}
	if (lstat(dir, &st) == -1) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return (LN_E_SYSTEM);
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is not a directory", dir);
		return (LN_E_INVAL);
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s is owned by uid %ld, not %ld", dir,
		    (long)st.st_uid, (long)geteuid());
		return (LN_E_INVAL);
	}
	if ((st.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s has mode %03o: it must not be "
		    "accessible to group or others (chmod 700 it)", dir,
		    (unsigned)(st.st_mode & 0777));
		return (LN_E_INVAL);
	}
	return (0);
}

/* qsort comparator for names. */
static int
sessdir_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/*
 * The sessions in dir whose holder runs as owner and answers, sorted by
 * name. A socket whose holder is gone (connection refused) is removed.
 */
int
sessdir_list(const char *dir, uid_t owner, char ***names, size_t *count)
{
	struct holder_conn	*hc;
	char			**all, **list = NULL, path[1024], err[256];
	size_t			 nall, i, n = 0;
	int			 r;

	if ((r = sessdir_names(dir, &all, &nall)) != 0)
		return (r);
	/* all is sorted, so list is too. */
	for (i = 0; i < nall; i++) {
		r = holder_conn_open(dir, all[i], owner, &hc, err, sizeof err);
		if (r == 0) {
			holder_conn_close(hc);
			list = xreallocarray(list, n + 1, sizeof *list);
			list[n++] = all[i];
			all[i] = NULL;
			continue;
		}
		if (r == LN_E_SYSTEM && errno == ECONNREFUSED) {
			snprintf(path, sizeof path, "%s/%s", dir, all[i]);
			unlink(path);
		}
	}
	sessdir_free_list(all, nall);
	*names = list;
	*count = n;
	return (0);
}

/*
 * The names of the sockets in dir, sorted, without connecting to any (the
 * caller does, and waits for none): for lnshd's adoption, whose loop must
 * not wait on a socket its user controls.
 */
int
sessdir_names(const char *dir, char ***names, size_t *count)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		**list = NULL, path[1024];
	size_t		 n = 0;

	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT) {
			*names = NULL;
			*count = 0;
			return (0);
		}
		return (LN_E_SYSTEM);
	}
	while ((de = readdir(d)) != NULL) {
		if (!hwire_name_ok(de->d_name))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (lstat(path, &st) == -1 || !S_ISSOCK(st.st_mode))
			continue;
		list = xreallocarray(list, n + 1, sizeof *list);
		list[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(list, n, sizeof *list, sessdir_cmp);
	*names = list;
	*count = n;
	return (0);
}

/* Frees what sessdir_list or sessdir_names returned. */
void
sessdir_free_list(char **names, size_t count)
{
	size_t	i;

	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

/* Appends a formatted number argument. */
static char *
sessdir_num(long v)
{
	char	buf[32];

	snprintf(buf, sizeof buf, "%ld", v);
	return (xstrdup(buf));
}

/*
 * In the forked child: become the user, keep nothing of the parent's but
 * the ready pipe and, as stderr, the log pipe (holderlog.c: never lnshd's
 * own stderr, which the user could then write raw lines into), and exec
 * the holder. Never returns.
 */
static void
sessdir_child(const struct sessdir_spawn *sp, char **argv, int ready,
    int log)
{
	char	err[400], line[HOLDER_READY_MAX];
	int	fd, maxfd, devnull;

	fdlimit_restore();
	if (log != -1 && dup2(log, 2) == -1) {
		snprintf(err, sizeof err, "stderr: %s", strerror(errno));
		goto fail;
	}
	if (privdrop(sp->pw, err, sizeof err) != 0)
		goto fail;
	if ((devnull = open("/dev/null", O_RDWR)) == -1 ||
	    dup2(devnull, 0) == -1 || dup2(devnull, 1) == -1) {
		snprintf(err, sizeof err, "/dev/null: %s", strerror(errno));
		goto fail;
	}
	maxfd = (int)sysconf(_SC_OPEN_MAX);
	if (maxfd < 0 || maxfd > 65536)
		maxfd = 65536;
	for (fd = 3; fd < maxfd; fd++) {
		if (fd != ready)
			close(fd);
	}
	signal(SIGPIPE, SIG_DFL);
	execv(argv[0], argv);
	snprintf(err, sizeof err, "cannot run %s: %s", argv[0],
	    strerror(errno));
fail:
	/* One write, under PIPE_BUF: the reader gets the line whole. */
	snprintf(line, sizeof line, "error %s\n", err);
	if (write(ready, line, strlen(line)) == -1)
		_exit(127);
	_exit(127);
}

/*
 * Reads the startup report of a holder from sessdir_spawn_start(), once
 * its fd is readable: "ok NAME", "exists MSG" or "error MSG", written in
 * one piece, or EOF if the holder died first. 0: it listens. LN_E_STATE:
 * a session of that name exists. The caller closes the fd, and reaps the
 * holder if this failed (it exits by itself).
 */
int
sessdir_spawn_ready(int fd, char *err, size_t errlen)
{
	char	line[HOLDER_READY_MAX];
	ssize_t	n;

	while ((n = read(fd, line, sizeof line - 1)) == -1 && errno == EINTR)
		;
	if (n <= 0) {
		snprintf(err, errlen, "the holder exited during startup");
		return (LN_E_SYSTEM);
	}
	line[n] = '\0';
	line[strcspn(line, "\n")] = '\0';
	if (strncmp(line, "ok ", 3) == 0)
		return (0);
	if (strncmp(line, "exists ", 7) == 0) {
		snprintf(err, errlen, "%s", line + 7);
		return (LN_E_STATE);
	}
	if (strncmp(line, "error ", 6) == 0)
		snprintf(err, errlen, "%s", line + 6);
	else
		snprintf(err, errlen, "the holder exited during startup");
	return (LN_E_SYSTEM);
}

/*
 * Starts a holder for (user, name, command) without waiting: fork, drop to
 * the user, exec lnsh-holder. *pid is the holder, a child of the caller,
 * who must reap it; *ready becomes readable when the holder listens or
 * failed: then sessdir_spawn_ready() says which. *log reads the holder's
 * stderr (holderlog.c), or is -1 with sp->keep_stderr.
 */
int
sessdir_spawn_start(const struct sessdir_spawn *sp, pid_t *pid, int *ready,
    int *log, char *err, size_t errlen)
{
	char		*argv[SESSDIR_MAX_ARGS];
	const char	*path = sessdir_holder_path(), *why;
	int		 pfd[2] = { -1, -1 }, lfd[2] = { -1, -1 }, r;
	int		 alloc_from;
	size_t		 n = 0, i, k;
	pid_t		 child;

	if (ln_session_name_check(sp->name, &why) != 0) {
		snprintf(err, errlen, "bad session name: %s", why);
		return (LN_E_INVAL);
	}
	for (i = 0; sp->env != NULL && sp->env[i] != NULL; i++)
		;
	for (k = 0; sp->argv != NULL && sp->argv[k] != NULL; k++)
		;
	if (i > LN_SESSION_MAX_ENV || k > LN_SESSION_MAX_ARGS) {
		snprintf(err, errlen, "too many arguments (%zu, at most %d) "
		    "or environment entries (%zu, at most %d)", k,
		    LN_SESSION_MAX_ARGS, i, LN_SESSION_MAX_ENV);
		return (LN_E_INVAL);
	}
	argv[n++] = (char *)(uintptr_t)path;
	argv[n++] = (char *)(uintptr_t)"--name";
	argv[n++] = (char *)(uintptr_t)sp->name;
	argv[n++] = (char *)(uintptr_t)"--dir";
	argv[n++] = (char *)(uintptr_t)sp->dir;
	if (sp->term != NULL) {
		argv[n++] = (char *)(uintptr_t)"--term";
		argv[n++] = (char *)(uintptr_t)sp->term;
	}
	for (i = 0; sp->env != NULL && sp->env[i] != NULL; i++) {
		argv[n++] = (char *)(uintptr_t)"--env";
		argv[n++] = sp->env[i];
	}
	alloc_from = (int)n;
	argv[n++] = xstrdup("--cols");
	argv[n++] = sessdir_num(sp->cols > 0 ? sp->cols : 80);
	argv[n++] = xstrdup("--rows");
	argv[n++] = sessdir_num(sp->rows > 0 ? sp->rows : 24);
	if (sp->scrollback >= 0) {
		argv[n++] = xstrdup("--scrollback");
		argv[n++] = sessdir_num(sp->scrollback);
	}
	if (sp->keep_exited > 0) {
		argv[n++] = xstrdup("--keep-exited");
		argv[n++] = sessdir_num(sp->keep_exited);
	}
	r = LN_E_SYSTEM;
	if (pipe(pfd) == -1 || (!sp->keep_stderr && pipe(lfd) == -1)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto out;
	}
	argv[n++] = xstrdup("--ready-fd");
	argv[n++] = sessdir_num(pfd[1]);
	argv[n++] = xstrdup("--");
	for (i = 0; sp->argv != NULL && sp->argv[i] != NULL; i++)
		argv[n++] = xstrdup(sp->argv[i]);
	argv[n] = NULL;
	if (sp->argv == NULL || sp->argv[0] == NULL) {
		free(argv[n - 1]);	/* no command: no "--" */
		argv[--n] = NULL;
	}

	if ((child = fork()) == -1) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		goto out;
	}
	if (child == 0) {
		close(pfd[0]);
		close(lfd[0]);
		sessdir_child(sp, argv, pfd[1], lfd[1]);
	}
	fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
	if (lfd[0] != -1)
		fcntl(lfd[0], F_SETFD, FD_CLOEXEC);
	*pid = child;
	*ready = pfd[0];
	*log = lfd[0];
	pfd[0] = lfd[0] = -1;
	r = 0;
out:
	for (i = (size_t)alloc_from; i < n; i++)
		free(argv[i]);
	for (i = 0; i < 2; i++) {
		if (pfd[i] != -1)
			close(pfd[i]);
		if (lfd[i] != -1)
			close(lfd[i]);
	}
	return (r);
}
