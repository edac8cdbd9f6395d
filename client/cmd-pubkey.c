/*
 * cmd-pubkey.c: `lnsh pubkey`, the client's public key line, as a
 * server's authorized_keys takes it.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <sodium.h>

#include "client.h"

static int	cmd_pubkey_exec(const struct cmd_entry *, struct cmd_args *);

const struct cmd_entry cmd_pubkey_entry = {
	.name = "pubkey",
	.usage = "",
	.summary = "print the client's public key line, for a server's "
	    "authorized_keys",
	.opts = NULL,
	.lower = 0,
	.upper = 0,
	.exec = cmd_pubkey_exec,
};

/* lnsh pubkey */
static int
cmd_pubkey_exec(const struct cmd_entry *e, struct cmd_args *a)
{
	struct stat	 st;
	uint8_t		 sk[LN_KEY_LEN], pk[LN_KEY_LEN];
	char		*path = NULL, *cause = NULL;
	char		 comment[LN_KEY_COMMENT_MAX + 1];
	char		 line[LN_KEY_TEXT_MAX];
	int		 ex = LNSH_EXIT_ERROR;

	(void)e;
	(void)a;
	if (paths_config_file(PATHS_CLIENT_KEY, &path, &cause) != 0)
		goto out;
	if (lstat(path, &st) == -1 && errno == ENOENT) {
		ln_cause(&cause, "no client key at %s; create one with "
		    "'lnsh keygen'", path);
		goto out;
	}
	if (key_load_private(path, sk, pk, comment, &cause) != 0)
		goto out;
	if (key_format(pk, comment, line, sizeof line) != 0) {
		ln_cause(&cause, "%s: cannot format the public key", path);
		goto out;
	}
	printf("%s\n", line);
	ex = LNSH_EXIT_OK;
out:
	sodium_memzero(sk, sizeof sk);
	if (cause != NULL) {
		cmd_error("%s", cause);
		free(cause);
	}
	free(path);
	return (ex);
}
