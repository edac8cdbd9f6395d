/*
 * cmd-pubkey.c: `lnshd pubkey`: prints the host public key, the line a
 * client's hosts file needs, creating the key if there is none yet.
 */
#include "config.h"

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>

#include <sodium.h>

#include "server.h"

/* Prints "lnsh-x25519 BASE64 lnshd@HOST". */
static int
lnshd_pubkey_exec(const struct lnshd_opts *o, int argc, char **argv)
{
	struct config	 cfg;
	uint8_t		 sk[LN_KEY_LEN], pk[LN_KEY_LEN];
	char		*state_dir = NULL, *cause = NULL, *path;
	char		 comment[LN_KEY_COMMENT_MAX + 1], line[LN_KEY_TEXT_MAX];
	int		 rc;

	if ((rc = lnshd_noargs_config(o, "pubkey", argc, argv, &cfg,
	    &state_dir)) != 0)
		return (rc);
	rc = 1;
	log_init(CONFIG_LOG_WARN);
	if (lnshd_host_key(state_dir, o->single_user, sk, pk, &cause) != 0)
		goto out;
	path = paths_host_key(state_dir);
	if (key_load_private(path, sk, pk, comment, &cause) == 0 &&
	    key_format(pk, comment, line, sizeof line) == 0) {
		printf("%s\n", line);
		rc = 0;
	}
	free(path);
out:
	if (rc != 0 && cause != NULL)
		fprintf(stderr, "lnshd: %s\n", cause);
	sodium_memzero(sk, sizeof sk);
	free(cause);
	free(state_dir);
	config_free(&cfg);
	return (rc);
}

const struct lnshd_cmd lnshd_pubkey_entry = {
	.name = "pubkey",
	.usage = "",
	.options = 0,
	.exec = lnshd_pubkey_exec,
};
