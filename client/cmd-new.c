/*
 * cmd-new.c: `lnsh new HOST NAME [-- CMD ARGS...]`, a detached session
 * running the user's login shell or CMD. The session's terminal type is
 * this one's ($TERM, else xterm-256color) and LANG and LC_* travel with
 * the request, so programs in it speak the user's language and encoding.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc.pb-c.h"
#include "client.h"

#define NEW_DEFAULT_TERM	"xterm-256color"
#define NEW_COLS		80	/* detached: no terminal to measure */
#define NEW_ROWS		24

extern char	**environ;

static int	cmd_new_exec(const struct cmd_entry *, struct cmd_args *);

const struct cmd_entry cmd_new_entry = {
	.name = "new",
	.usage = "HOST NAME [-- CMD ARGS...]",
	.summary = "create a detached session NAME running the login shell, "
	    "or CMD",
	.opts = NULL,
	.lower = 2,
	.upper = -1,
	.exec = cmd_new_exec,
};

/* Is this environment entry one the session should inherit? */
static int
new_env_wanted(const char *kv)
{
	return (strncmp(kv, "LANG=", 5) == 0 || strncmp(kv, "LC_", 3) == 0);
}

/* lnsh new HOST NAME [-- CMD ARGS...] */
static int
cmd_new_exec(const struct cmd_entry *e, struct cmd_args *a)
{
	Lnsh__Request	 req = LNSH__REQUEST__INIT;
	Lnsh__NewRequest nr = LNSH__NEW_REQUEST__INIT;
	Lnsh__Reply	*reply = NULL;
	const char	*term, *name = a->argv[1];
	char		**env = NULL;
	size_t		 nenv = 0, i;
	int		 ex;

	if (a->argc > 2 && a->dashdash != 2)
		return (cmd_usage(e, "put -- before the command"));
	if (a->dashdash == 2 && a->argc == 2)
		return (cmd_usage(e, "no command after --"));
	if (!cmd_session_name_ok(name))
		return (cmd_session_name_usage(e, name));
	if ((term = getenv("TERM")) == NULL || *term == '\0')
		term = NEW_DEFAULT_TERM;
	for (i = 0; environ[i] != NULL; i++)
		if (new_env_wanted(environ[i]))
			nenv++;
	env = xreallocarray(NULL, nenv + 1, sizeof *env);
	nenv = 0;
	for (i = 0; environ[i] != NULL; i++)
		if (new_env_wanted(environ[i]))
			env[nenv++] = environ[i];

	nr.name = (char *)name;
	nr.n_argv = (size_t)(a->argc - 2);
	nr.argv = a->argv + 2;
	nr.term = (char *)term;
	nr.n_env = nenv;
	nr.env = env;
	nr.cols = NEW_COLS;
	nr.rows = NEW_ROWS;
	req.op_case = LNSH__REQUEST__OP_NEW;
	req.new_ = &nr;
	ex = rpc_run(a->argv[0], name, &req, &reply);
	if (ex == LNSH_EXIT_OK)
		lnsh__reply__free_unpacked(reply, NULL);
	free(env);
	return (ex);
}
