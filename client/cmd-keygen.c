/*
 * cmd-keygen.c: `lnsh keygen`, create the client's key pair if there is
 * none yet, and say where it is and how to get a server to admit it. An
 * existing key is never replaced: servers have it in their authorized_keys.
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

#include <sodium.h>

#include "client.h"

static int	cmd_keygen_exec(const struct cmd_entry *, struct cmd_args *);

const struct cmd_entry cmd_keygen_entry = {
	.name = "keygen",
	.usage = "",
	.summary = "create the client key if it does not exist, and say where "
	    "it is",
	.opts = NULL,
	.lower = 0,
	.upper = 0,
	.exec = cmd_keygen_exec,
};

/* "user@hostname", the comment of a new key, so a server's admin knows it. */
static void
keygen_comment(char *out, size_t len)
{
	struct passwd	*pw;
	char		 host[256];
	const char	*user;

	if (gethostname(host, sizeof host) != 0)
		host[0] = '\0';
	host[sizeof host - 1] = '\0';
	if ((user = getenv("USER")) == NULL || *user == '\0')
		user = (pw = getpwuid(getuid())) != NULL ? pw->pw_name : "lnsh";
	snprintf(out, len, "%s@%s", user, host);
	out[strspn(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789@._-")] = '\0';
}

/* lnsh keygen */
static int
cmd_keygen_exec(const struct cmd_entry *e, struct cmd_args *a)
{
	struct stat	 st;
	uint8_t		 sk[LN_KEY_LEN], pk[LN_KEY_LEN];
	char		*dir = NULL, *path = NULL, *cause = NULL;
	char		 comment[LN_KEY_COMMENT_MAX + 1];
	char		 line[LN_KEY_TEXT_MAX];
	int		 ex = LNSH_EXIT_ERROR;

	(void)e;
	(void)a;
	if (paths_config_dir(&dir, &cause) != 0 ||
	    paths_config_file(PATHS_CLIENT_KEY, &path, &cause) != 0)
		goto out;
	if (lstat(path, &st) == 0) {
		printf("client key exists: %s (kept; 'lnsh pubkey' prints "
		    "its public line)\n", path);
		ex = LNSH_EXIT_OK;
		goto out;
	}
	if (errno != ENOENT) {
		ln_cause(&cause, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (ln_mkdir(dir, 0700, &cause) != 0)
		goto out;
	if (key_generate(sk, pk) != 0) {
		ln_cause(&cause, "cannot generate a key pair");
		goto out;
	}
	keygen_comment(comment, sizeof comment);
	if (key_save_private(path, sk, comment, &cause) != 0 ||
	    key_format(pk, comment, line, sizeof line) != 0)
		goto out;
	printf("created client key %s\n"
	    "to use a server, add this line to ~/.config/lnsh/authorized_keys "
	    "there:\n%s\n", path, line);
	ex = LNSH_EXIT_OK;
out:
	sodium_memzero(sk, sizeof sk);
	if (cause != NULL) {
		cmd_error("%s", cause);
		free(cause);
	}
	free(dir);
	free(path);
	return (ex);
}
