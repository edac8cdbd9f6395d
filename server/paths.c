/*
 * paths.c: where lnsh and lnshd keep their files when not told otherwise
 * (docs/files.md lists them all). Linked into both programs: server.h
 * declares all of it, client.h the client's half again.
 *
 * In single-user mode $HOME locates the user's files, so that tests can run
 * with a temporary home; in root mode the password database does, because
 * the environment is lnshd's own, not the user's.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server.h"

/* Under a home directory: the per-user lnsh directory. */
#define PATHS_USER_DIR		".config/lnsh"

/* "a/b", allocated. */
static char *
paths_join(const char *a, const char *b)
{
	size_t	 n = strlen(a) + 1 + strlen(b) + 1;
	char	*s;

	s = xmalloc(n);
	snprintf(s, n, "%s/%s", a, b);
	return (s);
}

/* An environment variable if it holds an absolute path, else NULL. */
static const char *
env_path(const char *name)
{
	const char	*v;

	if ((v = getenv(name)) == NULL || v[0] != '/')
		return (NULL);
	return (v);
}

/* The client's config dir: $LNSH_CONFIG_DIR, else $HOME/.config/lnsh. */
int
paths_config_dir(char **dir, char **cause)
{
	const char	*v;

	if ((v = getenv("LNSH_CONFIG_DIR")) != NULL && *v != '\0') {
		*dir = xstrdup(v);
		return (0);
	}
	if ((v = env_path("HOME")) == NULL) {
		ln_cause(cause, "HOME is not set to an absolute path; set it, "
		    "or set LNSH_CONFIG_DIR to lnsh's config directory");
		return (LN_E_INVAL);
	}
	*dir = paths_join(v, PATHS_USER_DIR);
	return (0);
}

/* A file in the client's config dir ("key", "hosts": see client.h). */
int
paths_config_file(const char *name, char **path, char **cause)
{
	char	*dir;
	int	 r;

	if ((r = paths_config_dir(&dir, cause)) != 0)
		return (r);
	*path = paths_join(dir, name);
	free(dir);
	return (0);
}

/* Fills u from a password entry, with home given or from the entry. */
static void
user_fill(struct paths_user *u, const struct passwd *pw, const char *home)
{
	u->name = xstrdup(pw->pw_name);
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	u->home = xstrdup(home != NULL ? home : pw->pw_dir);
	u->shell = xstrdup(pw->pw_shell != NULL && *pw->pw_shell != '\0' ?
	    pw->pw_shell : "/bin/sh");
}

/*
 * Looks up the user whose sessions and files a request is about. Root
 * mode: the user by name from the password database. Single-user mode: the
 * user running lnshd, whatever the name (NULL is fine; another name is
 * refused), with the home directory from $HOME.
 */
int
paths_user(int single_user, const char *name, struct paths_user *u,
    char **cause)
{
	struct passwd	*pw;
	const char	*home;

	if (single_user) {
		if ((pw = getpwuid(geteuid())) == NULL) {
			ln_cause(cause, "uid %lu has no password entry",
			    (unsigned long)geteuid());
			return (LN_E_INVAL);
		}
		if (name != NULL && strcmp(name, pw->pw_name) != 0) {
			ln_cause(cause, "lnshd runs in single-user mode for "
			    "%s and cannot serve %s", pw->pw_name, name);
			return (LN_E_INVAL);
		}
		if ((home = env_path("HOME")) == NULL) {
			ln_cause(cause, "HOME is not set to an absolute path; "
			    "single-user lnshd finds the user's files there");
			return (LN_E_INVAL);
		}
		user_fill(u, pw, home);
		return (0);
	}
	if (name == NULL || (pw = getpwnam(name)) == NULL) {
		ln_cause(cause, "no such user: %s", name != NULL ? name :
		    "(none)");
		return (LN_E_INVAL);
	}
	user_fill(u, pw, NULL);
	return (0);
}

/* As paths_user, by uid (a peer's credentials, a socket's owner). */
int
paths_user_uid(int single_user, uid_t uid, struct paths_user *u,
    char **cause)
{
	struct passwd	*pw;
	const char	*home;

	if (single_user && uid != geteuid()) {
		ln_cause(cause, "lnshd runs in single-user mode for uid %lu "
		    "and cannot serve uid %lu", (unsigned long)geteuid(),
		    (unsigned long)uid);
		return (LN_E_INVAL);
	}
	if ((pw = getpwuid(uid)) == NULL) {
		ln_cause(cause, "uid %lu has no password entry",
		    (unsigned long)uid);
		return (LN_E_INVAL);
	}
	home = NULL;
	if (single_user && (home = env_path("HOME")) == NULL) {
		ln_cause(cause, "HOME is not set to an absolute path; "
		    "single-user lnshd finds the user's files there");
		return (LN_E_INVAL);
	}
	user_fill(u, pw, home);
	return (0);
}

/* Frees what paths_user filled in. */
void
paths_user_free(struct paths_user *u)
{
	free(u->name);
	free(u->home);
	free(u->shell);
	memset(u, 0, sizeof *u);
}

/* A user's lnsh directory on the server: HOME/.config/lnsh. */
char *
paths_user_dir(const struct paths_user *u)
{
	return (paths_join(u->home, PATHS_USER_DIR));
}

/* A user's authorized_keys: HOME/.config/lnsh/authorized_keys. */
char *
paths_authorized_keys(const struct paths_user *u)
{
	return (paths_join(u->home, PATHS_USER_DIR "/" PATHS_AUTHKEYS));
}

/*
 * lnshd's default state dir. Root: LNSH_ROOT_STATE_DIR (configure picks it
 * per OS). Single-user: $XDG_STATE_HOME/lnsh, else $HOME/.local/state/lnsh.
 */
int
paths_state_dir(int single_user, char **dir, char **cause)
{
	const char	*v;

	if (!single_user) {
		*dir = xstrdup(LNSH_ROOT_STATE_DIR);
		return (0);
	}
	if ((v = env_path("XDG_STATE_HOME")) != NULL) {
		*dir = paths_join(v, "lnsh");
		return (0);
	}
	if ((v = env_path("HOME")) == NULL) {
		ln_cause(cause, "HOME is not set to an absolute path; set it, "
		    "or give lnshd --state-dir DIR");
		return (LN_E_INVAL);
	}
	*dir = paths_join(v, ".local/state/lnsh");
	return (0);
}

/* lnshd's default config file; a missing default file means defaults. */
int
paths_daemon_config(int single_user, char **path, char **cause)
{
	const char	*v;

	if (!single_user) {
		*path = xstrdup(LNSH_SYSCONF_DIR "/" PATHS_DAEMON_CONFIG);
		return (0);
	}
	if ((v = env_path("HOME")) == NULL) {
		ln_cause(cause, "HOME is not set to an absolute path; set it, "
		    "or give lnshd --config FILE");
		return (LN_E_INVAL);
	}
	*path = paths_join(v, PATHS_USER_DIR "/" PATHS_DAEMON_CONFIG);
	return (0);
}

/* The host key file in a state dir. */
char *
paths_host_key(const char *state_dir)
{
	return (paths_join(state_dir, PATHS_HOST_KEY));
}

/* The socket `lnshd status` and the other local verbs talk to. */
char *
paths_control_socket(const char *state_dir)
{
	return (paths_join(state_dir, PATHS_CONTROL_SOCKET));
}

/*
 * A user's holder socket directory: STATE/holders/UID. lnshd makes
 * STATE/holders mode 0711 so that a holder, running as its user, can reach
 * its own directory (mode 0700, the user's) and nothing else.
 */
char *
paths_holder_dir(const char *state_dir, uid_t uid)
{
	size_t	 n = strlen(state_dir) + sizeof "/" PATHS_HOLDERS "/" + 24;
	char	*s;

	s = xmalloc(n);
	snprintf(s, n, "%s/%s/%lu", state_dir, PATHS_HOLDERS,
	    (unsigned long)uid);
	return (s);
}
