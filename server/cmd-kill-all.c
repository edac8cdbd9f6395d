/*
 * cmd-kill-all.c: `lnshd kill-all`: ends every session, the one explicit
 * way to do so (stopping lnshd never does). Through the running lnshd if
 * there is one; otherwise straight to the holders in the state dir.
 */
#include "config.h"

#include <sys/types.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "server.h"

/* Kills every session; prints "killed N". */
static int
lnshd_kill_all_exec(const struct lnshd_opts *o, int argc, char **argv)
{
	struct config	 cfg;
	char		*state_dir = NULL, *cause = NULL;
	int		 rc, r, n;

	if ((rc = lnshd_noargs_config(o, "kill-all", argc, argv, &cfg,
	    &state_dir)) != 0)
		return (rc);
	signal(SIGPIPE, SIG_IGN);
	r = status_query(state_dir, "kill-all", stdout, &cause);
	if (r == LN_E_STATE) {
		/* No daemon: do it ourselves. */
		n = sessions_kill_all_dirs(state_dir, o->single_user, stdout);
		printf("killed %d\n", n);
	} else if (r != 0) {
		fprintf(stderr, "lnshd kill-all: %s\n", cause);
		rc = 1;
	}
	free(cause);
	free(state_dir);
	config_free(&cfg);
	return (rc);
}

const struct lnshd_cmd lnshd_kill_all_entry = {
	.name = "kill-all",
	.usage = "",
	.options = 0,
	.exec = lnshd_kill_all_exec,
};
