/*
 * cmd-ls.c: `lnsh ls HOST [--json]`, the sessions on HOST, as a table for
 * people or as a JSON array for scripts. The JSON keys are a promise
 * (docs/cli.md): keys may be added, the ones here never change.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpc.pb-c.h"
#include "client.h"

static int	cmd_ls_exec(const struct cmd_entry *, struct cmd_args *);

static const struct cmd_opt cmd_ls_opts[] = {
	{ "json", 0 },
	{ NULL, 0 }
};

const struct cmd_entry cmd_ls_entry = {
	.name = "ls",
	.usage = "HOST [--json]",
	.summary = "list the sessions on HOST",
	.opts = cmd_ls_opts,
	.lower = 1,
	.upper = 1,
	.exec = cmd_ls_exec,
};

/* Orders sessions by name, so output is stable. */
static int
cmp_session(const void *a, const void *b)
{
	const Lnsh__SessionInfo	*x = *(const Lnsh__SessionInfo *const *)a;
	const Lnsh__SessionInfo	*y = *(const Lnsh__SessionInfo *const *)b;

	return (strcmp(x->name, y->name));
}

/* The listing as JSON, one array of objects, on stdout. */
static void
ls_json(Lnsh__SessionInfo **s, size_t n)
{
	struct json	j;
	size_t		i;

	json_init(&j);
	json_begin_array(&j);
	for (i = 0; i < n; i++) {
		json_begin_object(&j);
		json_key(&j, "name");
		json_cstring(&j, s[i]->name);
		json_key(&j, "state");
		json_cstring(&j, s[i]->running ? "running" :
		    *s[i]->gone != '\0' ? "gone" : "exited");
		json_key(&j, "exit_status");
		if (s[i]->running || *s[i]->gone != '\0')
			json_null(&j);
		else
			json_int(&j, s[i]->exit_status);
		json_key(&j, "created");
		(void)json_time(&j, s[i]->created_unix);
		json_key(&j, "activity");
		(void)json_time(&j, s[i]->activity_unix);
		json_key(&j, "clients");
		json_int(&j, s[i]->clients);
		json_key(&j, "cols");
		json_int(&j, s[i]->cols);
		json_key(&j, "rows");
		json_int(&j, s[i]->rows);
		json_key(&j, "pid");
		json_int(&j, s[i]->pid);
		json_key(&j, "command");
		json_cstring(&j, s[i]->command);
		json_key(&j, "title");
		json_cstring(&j, s[i]->title);
		json_key(&j, "reason");
		if (*s[i]->gone != '\0')
			json_cstring(&j, s[i]->gone);
		else
			json_null(&j);
		json_end_object(&j);
	}
	json_end_array(&j);
	printf("%s\n", j.buf);
	json_free(&j);
}

/* A local time for people, "2006-01-02 15:04", or "-". */
static void
ls_time(int64_t t, char *out, size_t len)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (t <= 0 || (int64_t)tt != t || localtime_r(&tt, &tm) == NULL ||
	    strftime(out, len, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(out, len, "-");
}

/* Copies s for a table cell: controls (C0, DEL, C1) shown as '?'. */
static char *
ls_cell(const char *s)
{
	if (s == NULL)
		s = "";
	return (tt_dup(s, strlen(s), 0));
}

/* The listing as a table for people, on stdout. */
static void
ls_table(Lnsh__SessionInfo **s, size_t n)
{
	char	 state[32], created[32], activity[32], size[32];
	char	*name, *cmd, *title;
	int	 w = 4;
	size_t	 i;

	for (i = 0; i < n; i++)
		if ((int)strlen(s[i]->name) > w)
			w = (int)strlen(s[i]->name);
	printf("%-*s %-10s %-16s %-16s %7s %-7s %7s %s\n", w, "NAME", "STATE",
	    "CREATED", "ACTIVITY", "CLIENTS", "SIZE", "PID", "COMMAND / TITLE");
	for (i = 0; i < n; i++) {
		if (s[i]->running)
			snprintf(state, sizeof state, "running");
		else if (*s[i]->gone != '\0')
			snprintf(state, sizeof state, "gone");
		else
			snprintf(state, sizeof state, "exited %d",
			    s[i]->exit_status);
		ls_time(s[i]->created_unix, created, sizeof created);
		ls_time(s[i]->activity_unix, activity, sizeof activity);
		snprintf(size, sizeof size, "%ux%u", s[i]->cols, s[i]->rows);
		name = ls_cell(s[i]->name);
		/* A gone session has no command left: the reason instead. */
		cmd = ls_cell(*s[i]->gone != '\0' ? s[i]->gone :
		    s[i]->command);
		title = ls_cell(s[i]->title);
		printf("%-*s %-10s %-16s %-16s %7u %-7s %7d %s%s%s%s\n", w,
		    name, state, created, activity, s[i]->clients, size,
		    (int)s[i]->pid, cmd, *title != '\0' ? " \"" : "", title,
		    *title != '\0' ? "\"" : "");
		free(name);
		free(cmd);
		free(title);
	}
}

/* lnsh ls HOST [--json] */
static int
cmd_ls_exec(const struct cmd_entry *e, struct cmd_args *a)
{
	Lnsh__Request		 req = LNSH__REQUEST__INIT;
	Lnsh__ListRequest	 list = LNSH__LIST_REQUEST__INIT;
	Lnsh__Reply		*reply = NULL;
	Lnsh__SessionInfo	**s = NULL;
	size_t			 n = 0;
	int			 ex;

	req.op_case = LNSH__REQUEST__OP_LIST;
	req.list = &list;
	if ((ex = rpc_run(a->argv[0], NULL, &req, &reply)) != LNSH_EXIT_OK)
		return (ex);
	if (reply->result_case == LNSH__REPLY__RESULT_LIST) {
		n = reply->list->n_sessions;
		s = reply->list->sessions;
	}
	if (n > 0)
		qsort(s, n, sizeof *s, cmp_session);
	if (cmd_opt_value(e, a, "json") != NULL)
		ls_json(s, n);
	else
		ls_table(s, n);
	lnsh__reply__free_unpacked(reply, NULL);
	return (LNSH_EXIT_OK);
}
