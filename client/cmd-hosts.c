/*
 * cmd-hosts.c: `lnsh hosts [--aliases]`: the hosts file as a table, each
 * server's alias, address and host key fingerprint (what `lnshd pubkey`
 * shows beside the key on the server, to compare), and its comment; with
 * --aliases, the aliases alone, one a line, for shell completion.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

static int	cmd_hosts_exec(const struct cmd_entry *, struct cmd_args *);

static const struct cmd_opt cmd_hosts_opts[] = {
	{ "aliases", 0 },
	{ NULL, 0 }
};

const struct cmd_entry cmd_hosts_entry = {
	.name = "hosts",
	.usage = "[--aliases]",
	.summary = "list the hosts file: aliases, addresses, host key "
	    "fingerprints",
	.opts = cmd_hosts_opts,
	.lower = 0,
	.upper = 0,
	.exec = cmd_hosts_exec,
};

/* lnsh hosts [--aliases] */
static int
cmd_hosts_exec(const struct cmd_entry *ce, struct cmd_args *a)
{
	struct hosts	 h = { NULL, 0 };
	char		*path = NULL, *cause = NULL, *alias, *comment;
	char		 addr[HOSTS_ADDR_MAX + 16], fp[LN_FINGERPRINT_LEN];
	char		 shown[LN_USER_NAME_MAX + HOSTS_ADDR_MAX + 32];
	size_t		 i;
	int		 w = 5, ex = LNSH_EXIT_ERROR;

	if (paths_config_file(PATHS_HOSTS, &path, &cause) != 0 ||
	    hosts_load(path, &h, &cause) != 0)
		goto out;
	if (cmd_opt_value(ce, a, "aliases") != NULL) {
		for (i = 0; i < h.n; i++) {
			alias = tt_dup(h.entries[i].alias,
			    strlen(h.entries[i].alias), 0);
			printf("%s\n", alias);
			free(alias);
		}
		ex = LNSH_EXIT_OK;
		goto out;
	}
	for (i = 0; i < h.n; i++)
		if ((int)strlen(h.entries[i].alias) > w)
			w = (int)strlen(h.entries[i].alias);
	printf("%-*s %-28s %-51s %s\n", w, "ALIAS", "ADDRESS", "HOST KEY",
	    "COMMENT");
	for (i = 0; i < h.n; i++) {
		(void)hosts_format_address(h.entries[i].addr,
		    h.entries[i].port, addr, sizeof addr);
		/* The account lnsh connects as there, when the line names it. */
		snprintf(shown, sizeof shown, "%s%s%s", h.entries[i].user,
		    h.entries[i].user[0] != '\0' ? "@" : "", addr);
		key_fingerprint(h.entries[i].key, fp);
		alias = tt_dup(h.entries[i].alias,
		    strlen(h.entries[i].alias), 0);
		comment = tt_dup(h.entries[i].comment,
		    strlen(h.entries[i].comment), 0);
		printf("%-*s %-28s %-51s %s\n", w, alias, shown, fp, comment);
		free(alias);
		free(comment);
	}
	ex = LNSH_EXIT_OK;
out:
	if (cause != NULL) {
		cmd_error("%s", cause);
		free(cause);
	}
	hosts_free(&h);
	free(path);
	return (ex);
}
