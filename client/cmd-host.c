/*
 * cmd-host.c: `lnsh host add ALIAS ADDRESS[:PORT] HOSTKEY` and `lnsh host
 * rm ALIAS`: the manual way to edit the hosts file (hosts.c), beside
 * `lnsh pair`. HOSTKEY is what `lnshd pubkey` prints on the server, as
 * one argument or unquoted.
 *
 * What can be detected, honestly: lnsh encrypts its first packet to the
 * stored host key (Noise IK), so a server whose key is different cannot
 * answer, and nothing lnsh sends reveals anything to it; from the
 * outside that looks like no answer at all (exit 3), and rpc.c says so.
 * A key change is detected where lnsh is handed a key: here (and in
 * pairing, through host_add_checked), against the alias's stored key and
 * against any other alias stored for the same address. That is refused
 * loudly, with both fingerprints and the way to accept the new key.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "client.h"

static int	cmd_host_exec(const struct cmd_entry *, struct cmd_args *);

const struct cmd_entry cmd_host_entry = {
	.name = "host",
	.usage = "add ALIAS ADDRESS[:PORT] HOSTKEY | rm ALIAS",
	.summary = "add a server to the hosts file, or remove one",
	.opts = NULL,
	.lower = 2,
	.upper = -1,
	.exec = cmd_host_exec,
};

/*
 * The loud refusal for a key that differs from a stored one, as lines
 * for cause: both fingerprints and the way out.
 */
static void
host_mismatch(char **cause, const char *path, const struct host_entry *old,
    const struct host_entry *e, int same_alias)
{
	char	oldfp[LN_FINGERPRINT_LEN], newfp[LN_FINGERPRINT_LEN];
	char	addr[HOSTS_ADDR_MAX + 16];

	key_fingerprint(old->key, oldfp);
	key_fingerprint(e->key, newfp);
	(void)hosts_format_address(old->addr, old->port, addr, sizeof addr);
	ln_cause(cause, "REFUSED: HOST KEY MISMATCH for %s '%s' (%s)\n"
	    "stored in %s:%u: %s\n"
	    "given now:%*s %s\n"
	    "Either the server was reinstalled or got a new key, or someone "
	    "is in the middle.\n"
	    "Check on the server with `lnshd pubkey`; if it prints the new "
	    "key, run `lnsh host rm %s` and add it again (or pair again).\n"
	    "Nothing was changed.",
	    same_alias ? "alias" : "address, stored as alias",
	    old->alias, addr, path, old->line, oldfp,
	    (int)(strlen(path) + 4), "", newfp, old->alias);
}

/*
 * Adds e to the hosts file at path unless it conflicts with what is there
 * (client.h): 0 added, 1 already there, < 0 refused with *cause (lines
 * separated by newlines).
 */
int
host_add_checked(const char *path, const struct host_entry *e,
    char **cause)
{
	int	r;

	if ((r = host_check(path, e, cause)) != 0)
		return (r);
	return (hosts_add(path, e, cause));
}

/*
 * host_add_checked without the writing: 0 e could be added, 1 its alias
 * stands for the same address and key already, < 0 refused with *cause.
 * lnsh pair asks before the server admits anything.
 */
int
host_check(const char *path, const struct host_entry *e, char **cause)
{
	struct hosts		 h;
	const struct host_entry	*o;
	char			 addr[HOSTS_ADDR_MAX + 16];
	size_t			 i;
	int			 r, samekey;

	if ((r = hosts_load(path, &h, cause)) != 0)
		return (r);
	for (i = 0; i < h.n; i++) {
		o = &h.entries[i];
		samekey = sodium_memcmp(o->key, e->key, LN_KEY_LEN) == 0;
		if (strcmp(o->alias, e->alias) == 0) {
			if (!samekey) {
				host_mismatch(cause, path, o, e, 1);
				r = LN_E_INVAL;
			} else if (strcasecmp(o->addr, e->addr) != 0 ||
			    o->port != e->port) {
				(void)hosts_format_address(o->addr, o->port,
				    addr, sizeof addr);
				ln_cause(cause, "%s:%u: alias '%s' already "
				    "stands for %s; remove it first with "
				    "`lnsh host rm %s`", path, o->line,
				    o->alias, addr, o->alias);
				r = LN_E_INVAL;
			} else
				r = 1;
			goto out;
		}
		if (strcasecmp(o->addr, e->addr) == 0 && o->port == e->port &&
		    !samekey) {
			host_mismatch(cause, path, o, e, 0);
			r = LN_E_INVAL;
			goto out;
		}
	}
	r = 0;
out:
	hosts_free(&h);
	return (r);
}

/* Prints a cause of one or more lines, each as an lnsh error line. */
static void
host_error(char *cause)
{
	char	*line, *p = cause;

	while ((line = strsep(&p, "\n")) != NULL)
		cmd_error("%s", line);
}

/* lnsh host add ALIAS ADDRESS[:PORT] HOSTKEY... */
static int
host_add(const struct cmd_entry *ce, struct cmd_args *a, const char *path)
{
	struct host_entry	 e;
	char			 key[LN_TEXT_LINE_MAX], fp[LN_FINGERPRINT_LEN];
	char			*cause = NULL;
	size_t			 used = 0;
	int			 i, r;

	if (a->argc < 4)
		return (cmd_usage(ce, "host add needs ALIAS ADDRESS[:PORT] "
		    "HOSTKEY (what `lnshd pubkey` prints on the server)"));
	key[0] = '\0';
	for (i = 3; i < a->argc; i++) {
		if (used + strlen(a->argv[i]) + 2 > sizeof key)
			return (cmd_usage(ce, "HOSTKEY is too long"));
		used += (size_t)snprintf(key + used, sizeof key - used,
		    "%s%s", i > 3 ? " " : "", a->argv[i]);
	}
	if (hosts_entry_make(a->argv[1], a->argv[2], key, &e, &cause) != 0) {
		cmd_error("host add: %s", cause);
		free(cause);
		return (LNSH_EXIT_USAGE);
	}
	key_fingerprint(e.key, fp);
	if ((r = host_add_checked(path, &e, &cause)) < 0) {
		host_error(cause);
		free(cause);
		return (LNSH_EXIT_ERROR);
	}
	printf("%s %s: %s, host key %s\n", r == 1 ? "already known:" :
	    "added", e.alias, a->argv[2], fp);
	return (LNSH_EXIT_OK);
}

/* lnsh host add ... | rm ALIAS */
static int
cmd_host_exec(const struct cmd_entry *ce, struct cmd_args *a)
{
	char	*path = NULL, *cause = NULL;
	int	 ex = LNSH_EXIT_ERROR;

	if (strcmp(a->argv[0], "add") != 0 && strcmp(a->argv[0], "rm") != 0)
		return (cmd_usage(ce, "unknown subcommand '%s'", a->argv[0]));
	if (strcmp(a->argv[0], "rm") == 0 && a->argc != 2)
		return (cmd_usage(ce, "host rm takes one ALIAS"));
	if (paths_config_file(PATHS_HOSTS, &path, &cause) != 0)
		goto out;
	if (strcmp(a->argv[0], "add") == 0)
		ex = host_add(ce, a, path);
	else if (hosts_remove(path, a->argv[1], &cause) == 0) {
		printf("removed %s from %s\n", a->argv[1], path);
		ex = LNSH_EXIT_OK;
	}
out:
	if (cause != NULL) {
		cmd_error("%s", cause);
		free(cause);
	}
	free(path);
	return (ex);
}
