/*
 * authz.c: who may log in as whom. The channel asks, for every handshake
 * that passed mac1 and the rate limits, whether a client key is admitted
 * for the user its Hello names. A refusal gets no reply at all (the client
 * cannot tell it from an unreachable host); the log says why, naming the
 * authorized_keys file, so the user's administrator can.
 *
 * Root mode: the user from the password database, admitted only by that
 * user's ~/.config/lnsh/authorized_keys under StrictModes (authkeys.c).
 * Single-user mode: only the user running lnshd, with $HOME locating the
 * file. Reading a small file here is the one bounded piece of I/O in a
 * callback, as sshd does for the same question. max-clients is kept
 * after every check, when a handshake would make a new connection
 * (clients.c client_admit, which evicts a silent one to make room).
 */
#include "config.h"

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

/* Logs a warning authkeys found in a file (a malformed line). */
static void
authz_warn(void *arg, const char *msg)
{
	log_warn("%s", msg);
}

/*
 * The account a client asked to be served as, from the password database
 * (root mode) or the running user (single-user mode, where any other name
 * is refused).
 */
int
authz_user(const struct lnshd *d, const char *name, struct paths_user *u,
    char **cause)
{
	if (name != NULL && *name == '\0')
		name = NULL;
	return (paths_user(d->single_user, name, u, cause));
}

/* ops->authorize: 0 if pk is in the user's authorized_keys. */
int
authz_authorize(void *arg, const uint8_t *pk, const char *user)
{
	struct lnshd		*d = arg;
	struct paths_user	 u;
	char			*cause = NULL, fp[LN_FINGERPRINT_LEN];
	int			 r;

	memset(&u, 0, sizeof u);
	if ((r = authz_user(d, user, &u, &cause)) != 0) {
		key_fingerprint(pk, fp);
		log_warn("key %s refused: %s", fp, cause);
		goto out;
	}
	if ((r = authkeys_admits(&u, pk, authz_warn, NULL, &cause)) != 0) {
		log_warn("%s", cause);
		goto out;
	}
	if (log_enabled(CONFIG_LOG_DEBUG)) {
		key_fingerprint(pk, fp);
		log_debug("key %s admitted for %s", fp, u.name);
	}
out:
	free(cause);
	paths_user_free(&u);
	return (r == 0 ? 0 : -1);
}
