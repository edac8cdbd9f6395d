/*
 * cmd-attach.c: `lnsh attach HOST [NAME] [--predict=MODE] [--no-create]
 * [--hint] [-- CMD ARGS...]`, also plain `lnsh HOST [NAME] ...`: the interactive
 * client (attach.c). NAME defaults to the config's Session for HOST, else
 * "main"; --predict to its Predict, else adaptive; the escape key is its
 * EscapeKey, else ^^. CMD is what a session the attach creates runs
 * instead of the login shell; an existing session keeps its own.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

static int	cmd_attach_exec(const struct cmd_entry *, struct cmd_args *);

static const struct cmd_opt cmd_attach_opts[] = {
	{ "predict", 1 },
	{ "no-create", 0 },
	{ "hint", 0 },
	{ NULL, 0 }
};

const struct cmd_entry cmd_attach_entry = {
	.name = "attach",
	.usage = "HOST [NAME] [--predict=adaptive|always|never] [--no-create] "
	    "[--hint] [-- CMD ARGS...]",
	.summary = "attach to session NAME (default main), creating it if "
	    "missing; Ctrl-^ . detaches (--hint: says so for 5 s)",
	.opts = cmd_attach_opts,
	.lower = 1,
	.upper = -1,
	.exec = cmd_attach_exec,
};

/* The alias part of [USER@]HOST, for the config file's Host patterns. */
static const char *
attach_alias(const char *spec)
{
	const char	*at = strrchr(spec, '@');

	return (at != NULL ? at + 1 : spec);
}

/* lnsh attach HOST [NAME] [--predict=MODE] [--no-create] [--hint] [-- CMD] */
static int
cmd_attach_exec(const struct cmd_entry *e, struct cmd_args *a)
{
	struct attach_opts	 o;
	struct userconf_host	 uc;
	const char		*v;
	char			*cause = NULL;
	int			 npos;

	/* HOST and NAME come before "--", the command after it. */
	npos = a->dashdash >= 0 ? a->dashdash : a->argc;
	if (npos < 1 || npos > 2)
		return (cmd_usage(e, "%s arguments%s", npos < 1 ?
		    "missing" : "too many", a->dashdash >= 0 ? " before --" :
		    ""));
	if (a->dashdash >= 0 && a->argc == a->dashdash)
		return (cmd_usage(e, "no command after --"));
	if (a->dashdash >= 0 && cmd_opt_value(e, a, "no-create") != NULL)
		return (cmd_usage(e, "a command is for a session the attach "
		    "creates: drop --no-create or the command"));
	if (userconf_for_alias(attach_alias(a->argv[0]), &uc, &cause) != 0) {
		cmd_error("%s", cause);
		free(cause);
		return (LNSH_EXIT_USAGE);
	}
	memset(&o, 0, sizeof o);
	o.host = a->argv[0];
	o.name = npos > 1 ? a->argv[1] : uc.session;
	o.create = cmd_opt_value(e, a, "no-create") == NULL;
	o.hint = cmd_opt_value(e, a, "hint") != NULL;
	if (a->dashdash >= 0) {
		o.argv = a->argv + a->dashdash;
		o.argc = (size_t)(a->argc - a->dashdash);
	}
	o.predict = uc.predict;
	o.escape = uc.escape;
	if ((v = cmd_opt_value(e, a, "predict")) != NULL) {
		if (strcmp(v, "adaptive") == 0)
			o.predict = PREDICT_ADAPTIVE;
		else if (strcmp(v, "always") == 0)
			o.predict = PREDICT_ALWAYS;
		else if (strcmp(v, "never") == 0)
			o.predict = PREDICT_NEVER;
		else
			return (cmd_usage(e, "--predict=%s: want adaptive, "
			    "always or never", v));
	}
	if (!cmd_session_name_ok(o.name))
		return (cmd_session_name_usage(e, o.name));
	return (attach_run(&o));
}
