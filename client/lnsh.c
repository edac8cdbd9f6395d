/*
 * lnsh.c: the client's entry point: global options, the verb table (one
 * cmd-*.c file per verb, as tmux's cmd_table), argument parsing shared by
 * every verb, and the exit codes scripts rely on (docs/cli.md):
 *
 *	0 success, 1 anything else, 2 usage, 3 no answer from HOST in time,
 *	4 no such session, 5 session already exists.
 *
 * Every error is one line on stderr that says what to do.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "client.h"

#define VERB_WORD_MAX		32	/* longer words are no typo of a verb */

static const struct cmd_entry *cmd_table[] = {
	&cmd_attach_entry,
	&cmd_ls_entry,
	&cmd_host_entry, &cmd_hosts_entry,
	&cmd_pair_entry,
	&cmd_new_entry,
	&cmd_kill_entry,
	&cmd_wait_entry,
	&cmd_capture_entry,
	&cmd_send_entry,
	&cmd_keygen_entry,
	&cmd_pubkey_entry,
	&cmd_doctor_entry,
	NULL
};

/*
 * Prints "lnsh: MESSAGE" on stderr as one line. Controls (from a server's
 * message or a user's argument; C0, DEL and C1) are shown as '?' and bad
 * UTF-8 as U+FFFD (termtext.c), so that an error can neither span lines
 * nor drive the terminal.
 */
void
cmd_error(const char *fmt, ...)
{
	va_list	 ap;
	char	 line[1024];

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	tt_clean_str(line, sizeof line);
	fprintf(stderr, "lnsh: %s\n", line);
}

/*
 * A usage error: the problem and the verb's usage, on one line. Returns
 * LNSH_EXIT_USAGE for the verb to return.
 */
int
cmd_usage(const struct cmd_entry *e, const char *fmt, ...)
{
	va_list	ap;
	char	why[512];

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	cmd_error("%s: %s; usage: lnsh %s%s%s", e->name, why, e->name,
	    *e->usage != '\0' ? " " : "", e->usage);
	return (LNSH_EXIT_USAGE);
}

/* The value of option name ("" for a flag given), or NULL if absent. */
const char *
cmd_opt_value(const struct cmd_entry *e, const struct cmd_args *a,
    const char *name)
{
	int	i;

	for (i = 0; e->opts != NULL && e->opts[i].name != NULL; i++)
		if (strcmp(e->opts[i].name, name) == 0)
			return (a->present[i] ? a->values[i] : NULL);
	return (NULL);
}

/* Is s a session name (proto/names.c, the rule lnshd applies too)? */
int
cmd_session_name_ok(const char *s)
{
	return (ln_session_name_check(s, NULL) == 0);
}

/* A usage error for a bad session name, saying why it is bad. */
int
cmd_session_name_usage(const struct cmd_entry *e, const char *s)
{
	const char	*why = "";

	(void)ln_session_name_check(s, &why);
	return (cmd_usage(e, "bad session name '%s': %s", s, why));
}

/* The top-level usage, on fp. */
static void
usage(FILE *fp)
{
	int	i;

	fprintf(fp, "usage: lnsh HOST [NAME] [-- CMD ARGS...]\n"
	    "\tattach to session NAME on HOST (default main), creating it "
	    "if missing;\n\tCtrl-^ . detaches (the same as lnsh attach)\n"
	    "       lnsh [-h | --help | -V | --version]\n"
	    "       lnsh VERB [ARGS], VERB one of:\n");
	for (i = 0; cmd_table[i] != NULL; i++)
		fprintf(fp, "  lnsh %s%s%s\n\t%s\n", cmd_table[i]->name,
		    *cmd_table[i]->usage != '\0' ? " " : "",
		    cmd_table[i]->usage, cmd_table[i]->summary);
	fprintf(fp, "Exit codes: 0 ok, 1 error, 2 usage, 3 no answer from "
	    "HOST, 4 no such session, 5 session exists. See docs/cli.md.\n");
}

/* The edit distance (Levenshtein) between a and b, both short words. */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b), i, j, d[VERB_WORD_MAX + 1];
	size_t	diag, up, best;

	if (la > VERB_WORD_MAX || lb > VERB_WORD_MAX)
		return (SIZE_MAX);
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++) {
		diag = d[0];
		d[0] = i;
		for (j = 1; j <= lb; j++) {
			up = d[j];
			best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (d[j - 1] + 1 < best)
				best = d[j - 1] + 1;
			d[j] = best;
			diag = up;
		}
	}
	return (d[lb]);
}

/*
 * The verb closest to word, if one is close enough to be what was meant:
 * at most one edit in two letters of word ("lss" is ls, "kil" is kill,
 * "list" is ls). Ties go to a verb with word's first letter, then to the
 * table's order. NULL: nothing is close.
 */
static const char *
verb_suggest(const char *word)
{
	const char	*best = NULL;
	size_t		 d, bestd = SIZE_MAX, limit;
	int		 i;

	limit = (strlen(word) + 1) / 2;
	for (i = 0; cmd_table[i] != NULL; i++) {
		d = edit_distance(word, cmd_table[i]->name);
		if (d > limit)
			continue;
		if (d < bestd || (d == bestd && best[0] != word[0] &&
		    cmd_table[i]->name[0] == word[0])) {
			best = cmd_table[i]->name;
			bestd = d;
		}
	}
	return (best);
}

/*
 * Is word (HOST, or USER@HOST) an alias or address in the hosts file?
 * 1 yes, 0 no, -1 cannot tell (no hosts file path, or a malformed file,
 * which attach then reports).
 */
static int
host_known(const char *word)
{
	struct host_entry	 e;
	struct hosts		 h;
	const char		*at = strrchr(word, '@');
	char			*path = NULL, *cause = NULL;
	int			 r = -1;

	if (paths_config_file(PATHS_HOSTS, &path, &cause) != 0)
		goto out;
	if (hosts_load(path, &h, &cause) != 0)
		goto out;
	hosts_free(&h);
	r = hosts_lookup(path, at != NULL ? at + 1 : word, &e, &cause) == 0;
out:
	free(cause);
	free(path);
	return (r);
}

/*
 * A first word that is no verb: `lnsh HOST [NAME]` (attach) unless it is
 * a mistyped verb. It is one when more words follow, it is not in the
 * hosts file, and it is close to a verb or is a plain lower-case word
 * (a host name is rarely that and a verb always is). Says so and returns
 * LNSH_EXIT_USAGE; -1: attach. Lone words stay attach: `lnsh mini`.
 */
static int
verb_mistyped(int argc, char **argv)
{
	const char	*word = argv[1], *near;

	if (argc < 3 || host_known(word) != 0)
		return (-1);
	if ((near = verb_suggest(word)) != NULL) {
		cmd_error("unknown verb '%s'; did you mean '%s'?", word, near);
		return (LNSH_EXIT_USAGE);
	}
	if (strspn(word, "abcdefghijklmnopqrstuvwxyz") == strlen(word)) {
		cmd_error("unknown verb '%s', and no host of that name in the "
		    "hosts file; see 'lnsh --help' and 'lnsh hosts'", word);
		return (LNSH_EXIT_USAGE);
	}
	return (-1);
}

/* Finds option "--name[=value]" of entry e; its index, or -1. */
static int
find_opt(const struct cmd_entry *e, const char *name, size_t len)
{
	int	i;

	for (i = 0; e->opts != NULL && e->opts[i].name != NULL; i++)
		if (strlen(e->opts[i].name) == len &&
		    strncmp(e->opts[i].name, name, len) == 0)
			return (i);
	return (-1);
}

/*
 * Parses a verb's arguments: "--name", "--name VALUE", "--name=VALUE"
 * anywhere, positionals in order, and everything after "--" positional.
 * Returns -1 on success, else the exit code to leave with (usage, or 0
 * after --help).
 */
static int
parse_args(const struct cmd_entry *e, int argc, char **argv,
    struct cmd_args *a)
{
	const char	*arg, *eq;
	size_t		 len;
	int		 i, k, after = 0;

	memset(a, 0, sizeof *a);
	a->verb = e->name;
	a->dashdash = -1;
	a->argv = xreallocarray(NULL, (size_t)argc + 1, sizeof *a->argv);
	for (i = 0; i < argc; i++) {
		arg = argv[i];
		if (after || arg[0] != '-' || arg[1] == '\0') {
			a->argv[a->argc++] = argv[i];
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			a->dashdash = a->argc;
			after = 1;
			continue;
		}
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			printf("usage: lnsh %s%s%s\n\t%s\n", e->name,
			    *e->usage != '\0' ? " " : "", e->usage,
			    e->summary);
			return (LNSH_EXIT_OK);
		}
		if (arg[1] != '-')
			return (cmd_usage(e, "unknown option %s", arg));
		arg += 2;
		eq = strchr(arg, '=');
		len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
		if ((k = find_opt(e, arg, len)) == -1)
			return (cmd_usage(e, "unknown option %s", argv[i]));
		if (!e->opts[k].has_arg) {
			if (eq != NULL)
				return (cmd_usage(e, "--%s takes no value",
				    e->opts[k].name));
			a->values[k] = "";
		} else if (eq != NULL)
			a->values[k] = eq + 1;
		else if (i + 1 < argc)
			a->values[k] = argv[++i];
		else
			return (cmd_usage(e, "--%s needs a value",
			    e->opts[k].name));
		a->present[k] = 1;
	}
	a->argv[a->argc] = NULL;
	if (a->argc < e->lower || (e->upper >= 0 && a->argc > e->upper))
		return (cmd_usage(e, "%s arguments", a->argc < e->lower ?
		    "missing" : "too many"));
	return (-1);
}

/* lnsh [-h | --version] VERB [ARGS]: runs one verb, exits with its code. */
int
main(int argc, char **argv)
{
	const struct cmd_entry	*e = NULL;
	struct cmd_args		 a;
	int			 i, ex, skip = 2;

	setvbuf(stdout, NULL, _IOFBF, 0);
	if (sodium_init() < 0) {
		cmd_error("libsodium failed to initialise");
		return (LNSH_EXIT_ERROR);
	}
	debuglog_open();
	if (argc < 2) {
		cmd_error("no verb given; see 'lnsh --help'");
		return (LNSH_EXIT_USAGE);
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return (LNSH_EXIT_OK);
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		lnsh_version(stdout);
		return (LNSH_EXIT_OK);
	}
	for (i = 0; cmd_table[i] != NULL; i++)
		if (strcmp(cmd_table[i]->name, argv[1]) == 0)
			e = cmd_table[i];
	if (e == NULL && strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return (LNSH_EXIT_OK);
	}
	if (e == NULL && argv[1][0] != '-' &&
	    (ex = verb_mistyped(argc, argv)) >= 0)
		return (ex);
	/* Not a verb: `lnsh HOST [NAME]` means attach. */
	if (e == NULL && argv[1][0] != '-') {
		e = &cmd_attach_entry;
		skip = 1;
	}
	if (e == NULL) {
		cmd_error("unknown verb '%s'; see 'lnsh --help'", argv[1]);
		return (LNSH_EXIT_USAGE);
	}
	if ((ex = parse_args(e, argc - skip, argv + skip, &a)) < 0)
		ex = e->exec(e, &a);
	free(a.argv);
	if (fflush(stdout) != 0 && ex == LNSH_EXIT_OK) {
		cmd_error("cannot write the output");
		ex = LNSH_EXIT_ERROR;
	}
	return (ex);
}
