/*
 * cmd-authorized.c: `lnshd authorized [--user NAME]`: the keys a user's
 * authorized_keys admits, one a line: the fingerprint (which `lnshd
 * revoke` accepts), when the key last completed a handshake with this
 * lnshd (STATE_DIR/lastuse/UID, authkeys.c) and its comment.
 */
#include "config.h"

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server.h"

/* Prints a warning about a malformed authorized_keys line. */
static void
authorized_warn(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "lnshd authorized: warning: %s\n", msg);
}

/* "2025-01-31T12:00:00Z" for seconds since the epoch, or "never". */
static void
authorized_time(int found, int64_t when, char *out, size_t len)
{
	struct tm	tm;
	time_t		t = (time_t)when;

	if (!found || gmtime_r(&t, &tm) == NULL ||
	    strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, len, "never");
}

/* lnshd authorized [--user NAME]. */
static int
lnshd_authorized_exec(const struct lnshd_opts *o, int argc, char **argv)
{
	struct paths_user	 u;
	struct authkeys		 ak = { NULL, 0 };
	struct config		 cfg;
	char			*state_dir = NULL, *cause = NULL, *path = NULL;
	char			 fp[LN_FINGERPRINT_LEN], when[32];
	int64_t			 t;
	size_t			 i;
	int			 ex, n, r, have_cfg = 0;

	memset(&u, 0, sizeof u);
	if ((ex = authkeys_cmd_args("authorized", o, argc, argv, &u, NULL,
	    &n)) >= 0)
		goto out;
	ex = 1;
	if (n > 0) {
		fprintf(stderr, "lnshd authorized: unexpected argument %s\n",
		    argv[0]);
		ex = LNSHD_EXIT_USAGE;
		goto out;
	}
	if (lnshd_config(o, &cfg, &state_dir, &cause) != 0) {
		fprintf(stderr, "lnshd authorized: %s\n", cause);
		goto out;
	}
	have_cfg = 1;
	path = paths_authorized_keys(&u);
	r = authkeys_load(path, u.home, u.uid, u.gid, &ak, authorized_warn,
	    NULL, &cause);
	if (r == LN_E_DROP(LN_DROP_UNAUTHORIZED)) {
		printf("no keys: %s does not exist\n", path);
		ex = 0;
		goto out;
	}
	if (r != 0) {
		fprintf(stderr, "lnshd authorized: %s\n", cause);
		goto out;
	}
	printf("%-52s %-20s %s\n", "FINGERPRINT", "LAST USE", "COMMENT");
	for (i = 0; i < ak.nkeys; i++) {
		key_fingerprint(ak.keys[i].key, fp);
		r = authkeys_last_use(state_dir, u.uid, ak.keys[i].key, &t);
		authorized_time(r == 0, t, when, sizeof when);
		printf("%-52s %-20s %s\n", fp, when, ak.keys[i].comment);
	}
	ex = 0;
out:
	authkeys_free(&ak);
	if (have_cfg)
		config_free(&cfg);
	paths_user_free(&u);
	free(path);
	free(cause);
	free(state_dir);
	return (ex);
}

const struct lnshd_cmd lnshd_authorized_entry = {
	.name = "authorized",
	.usage = " [--user NAME]",
	.options = LNSHD_OPT_ARGS,
	.exec = lnshd_authorized_exec,
};
