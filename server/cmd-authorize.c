/*
 * cmd-authorize.c: `lnshd authorize KEY [--user NAME] [--comment C]`: the
 * manual way to admit a client key (what `lnsh pubkey` prints on the
 * client), appended to the user's authorized_keys. The file is created
 * mode 0600 in a 0700 directory, by the user (root does its writing in a
 * child that has become the user), and a key already there is not added
 * twice. Also what authorized and revoke share: their arguments and
 * running as the user.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "server.h"

/* What authorize does as the user. */
struct authorize {
	uint8_t		 key[LN_KEY_LEN];
	const char	*comment;
};

/*
 * Parses the subcommand's own options, --user NAME and (when comment is
 * not NULL) --comment C, leaving the positionals at the front of argv in
 * *npos, and finds the user: --user, required in root mode; in
 * single-user mode only the user running lnshd. Returns -1 on success,
 * else the exit code (a usage error has been printed).
 */
int
authkeys_cmd_args(const char *verb, const struct lnshd_opts *o, int argc,
    char **argv, struct paths_user *u, const char **comment, int *npos)
{
	const char	*name = NULL, **dst, *a;
	char		*cause = NULL;
	size_t		 len;
	int		 i, n = 0;

	for (i = 0; i < argc; i++) {
		a = argv[i];
		dst = NULL;
		if (strncmp(a, "--user", 6) == 0 && (a[6] == '\0' ||
		    a[6] == '='))
			dst = &name;
		else if (comment != NULL && strncmp(a, "--comment", 9) == 0 &&
		    (a[9] == '\0' || a[9] == '='))
			dst = comment;
		else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "lnshd %s: unknown option %s\n", verb,
			    a);
			return (LNSHD_EXIT_USAGE);
		} else {
			argv[n++] = argv[i];
			continue;
		}
		len = strcspn(a, "=");
		if (a[len] == '=')
			*dst = a + len + 1;
		else if (i + 1 < argc)
			*dst = argv[++i];
		else {
			fprintf(stderr, "lnshd %s: %.*s needs a value\n", verb,
			    (int)len, a);
			return (LNSHD_EXIT_USAGE);
		}
	}
	if (!o->single_user && name == NULL) {
		fprintf(stderr, "lnshd %s: as root, say whose keys with "
		    "--user NAME\n", verb);
		return (LNSHD_EXIT_USAGE);
	}
	if (paths_user(o->single_user, name, u, &cause) != 0) {
		fprintf(stderr, "lnshd %s: %s\n", verb, cause);
		free(cause);
		return (1);
	}
	*npos = n;
	return (-1);
}

/*
 * Runs fn as user u: directly when we are u (or not root), else in a child
 * that has become u for good (authkeys_as_user_start), so that root never
 * creates or replaces a file in a directory the user controls. Returns
 * fn's exit code; fn says what went wrong on stderr itself.
 */
int
authkeys_as_user(const struct paths_user *u, authkeys_user_fn fn, void *arg)
{
	char		*cause = NULL;
	pid_t		 pid;
	int		 fd, status;
	unsigned char	 ex = 1;
	ssize_t		 n;

	if (geteuid() != 0 || u->uid == geteuid())
		return (fn(u, arg));
	if (authkeys_as_user_start(u, fn, arg, &pid, &fd, &cause) != 0) {
		fprintf(stderr, "lnshd: %s\n", cause);
		free(cause);
		return (1);
	}
	while ((n = read(fd, &ex, 1)) == -1 && errno == EINTR)
		;
	if (n != 1)
		ex = 1;
	close(fd);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return (1);
	return (WIFEXITED(status) && WEXITSTATUS(status) == 0 ? ex : 1);
}

/*
 * Starts fn as user u (not root's own uid) in a child that has become u
 * for good (privdrop.c), for callers that must not block, such as lnshd's
 * pairing: the child writes fn's exit code, one byte, on the pipe *fdp and
 * exits; nothing comes if it could not become u or died. The caller reads
 * *fdp and reaps *pidp.
 */
int
authkeys_as_user_start(const struct paths_user *u, authkeys_user_fn fn,
    void *arg, pid_t *pidp, int *fdp, char **cause)
{
	struct passwd	*pw;
	char		 err[256];
	pid_t		 pid;
	int		 p[2];
	unsigned char	 ex;

	if ((pw = getpwuid(u->uid)) == NULL) {
		ln_cause(cause, "cannot become %s: no such user", u->name);
		return (LN_E_INVAL);
	}
	if (pipe(p) == -1) {
		ln_cause(cause, "pipe: %s", strerror(errno));
		return (LN_E_SYSTEM);
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		ln_cause(cause, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return (LN_E_SYSTEM);
	}
	if (pid == 0) {
		close(p[0]);
		if (privdrop(pw, err, sizeof err) != 0) {
			fprintf(stderr, "lnshd: cannot become %s: %s\n",
			    u->name, err);
			_exit(1);
		}
		ex = (unsigned char)fn(u, arg);
		fflush(stdout);
		fflush(stderr);
		(void)write(p[1], &ex, 1);
		_exit(0);
	}
	close(p[1]);
	*pidp = pid;
	*fdp = p[0];
	return (0);
}

/* Prints a warning about a malformed authorized_keys line. */
static void
authorize_warn(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "lnshd authorize: warning: %s\n", msg);
}

/*
 * Appends "lnsh-x25519 KEY comment" to u's authorized_keys unless the key
 * is there already, as the user (authkeys_as_user and its _start run it
 * so in root mode). The file is created 0600 and its directory 0700; a
 * malformed line in it goes to fn and stays. On success *line is 0 when
 * the key was added, else the line that already admits it.
 */
int
authkeys_add(const struct paths_user *u, const uint8_t *key,
    const char *comment, authkeys_warn_fn fn, void *arg, unsigned *line,
    char **cause)
{
	struct authkeys		 ak = { NULL, 0 };
	const struct authkey	*found;
	uint8_t			*data = NULL;
	char			*path, *dir, *text = NULL;
	char			 kl[LN_KEY_TEXT_MAX];
	size_t			 len = 0, tlen;
	int			 r;

	path = paths_authorized_keys(u);
	dir = paths_user_dir(u);
	if ((r = key_format(key, comment, kl, sizeof kl)) != 0) {
		ln_cause(cause, "the comment is too long or has control "
		    "characters");
		goto out;
	}
	if ((r = ln_mkdir(dir, 0700, cause)) != 0 ||
	    (r = ln_file_read(path, LN_FILE_OWNED | LN_FILE_NO_OTHER_WRITE |
	    LN_FILE_MISSING_OK, &data, &len, cause)) != 0)
		goto out;
	if (data != NULL) {
		(void)authkeys_parse(path, data, len, &ak, fn, arg);
		if ((found = authkeys_find(&ak, key)) != NULL) {
			*line = found->line;
			goto out;
		}
	}
	tlen = len + strlen(kl) + 2;
	text = xmalloc(tlen + 1);
	snprintf(text, tlen + 1, "%.*s%s%s\n", (int)len,
	    data != NULL ? (const char *)data : "",
	    len > 0 && data[len - 1] != '\n' ? "\n" : "", kl);
	if ((r = ln_file_write(path, text, strlen(text), 0600, 0,
	    cause)) != 0)
		goto out;
	*line = 0;
out:
	authkeys_free(&ak);
	free(text);
	free(data);
	free(dir);
	free(path);
	return (r);
}

/* As the user: appends the key unless it is there already, and says so. */
static int
authorize_as_user(const struct paths_user *u, void *arg)
{
	struct authorize	*az = arg;
	struct authkeys		 ak = { NULL, 0 };
	char			*path, *cause = NULL;
	char			 fp[LN_FINGERPRINT_LEN];
	unsigned		 line;
	int			 ex = 1;

	path = paths_authorized_keys(u);
	key_fingerprint(az->key, fp);
	if (authkeys_add(u, az->key, az->comment, authorize_warn, NULL,
	    &line, &cause) != 0) {
		fprintf(stderr, "lnshd authorize: %s\n", cause);
		goto out;
	}
	ex = 0;
	if (line != 0) {
		printf("%s already admits %s (line %u); nothing changed\n",
		    path, fp, line);
		goto out;
	}
	printf("admitted %s for %s in %s\n", fp, u->name, path);

	/* Say now, not at the first failed login, if lnshd will refuse it. */
	if (authkeys_load(path, u->home, u->uid, u->gid, &ak, NULL, NULL,
	    &cause) != 0) {
		fprintf(stderr, "lnshd authorize: but lnshd will refuse the "
		    "file: %s\n", cause);
		ex = 1;
	}
out:
	authkeys_free(&ak);
	free(cause);
	free(path);
	return (ex);
}

/*
 * The key: the positionals joined by spaces, so that both
 * `lnshd authorize "$(lnsh pubkey)"` and the unquoted form work; a bare
 * base64 key is accepted too.
 */
static int
authorize_key(int argc, char **argv, uint8_t *key, char *comment)
{
	char		 text[LN_TEXT_LINE_MAX];
	const char	*why;
	size_t		 used = 0;
	int		 i;

	text[0] = '\0';
	for (i = 0; i < argc; i++) {
		if (used + strlen(argv[i]) + 2 > sizeof text)
			return (LN_E_INVAL);
		used += (size_t)snprintf(text + used, sizeof text - used,
		    "%s%s", i > 0 ? " " : "", argv[i]);
	}
	if (key_parse(text, key, comment, &why) == 0)
		return (0);
	comment[0] = '\0';
	return (key_from_b64(text, strlen(text), key));
}

/* lnshd authorize KEY [--user NAME] [--comment C]. */
static int
lnshd_authorize_exec(const struct lnshd_opts *o, int argc, char **argv)
{
	struct authorize	 az;
	struct paths_user	 u;
	char			 comment[LN_KEY_COMMENT_MAX + 1];
	int			 ex, n;

	memset(&u, 0, sizeof u);
	memset(&az, 0, sizeof az);
	if ((ex = authkeys_cmd_args("authorize", o, argc, argv, &u,
	    &az.comment, &n)) >= 0)
		goto out;
	if (n == 0) {
		fprintf(stderr, "lnshd authorize: no key given; on the client, "
		    "`lnsh pubkey` prints it\n");
		ex = LNSHD_EXIT_USAGE;
		goto out;
	}
	if (authorize_key(n, argv, az.key, comment) != 0) {
		fprintf(stderr, "lnshd authorize: not a key: want the line "
		    "`lnsh pubkey` prints (%s BASE64 [comment])\n",
		    LN_KEY_TYPE);
		ex = LNSHD_EXIT_USAGE;
		goto out;
	}
	if (az.comment == NULL)
		az.comment = comment;
	ex = authkeys_as_user(&u, authorize_as_user, &az);
out:
	paths_user_free(&u);
	return (ex);
}

const struct lnshd_cmd lnshd_authorize_entry = {
	.name = "authorize",
	.usage = " KEY [--user NAME] [--comment C]",
	.options = LNSHD_OPT_ARGS,
	.exec = lnshd_authorize_exec,
};
