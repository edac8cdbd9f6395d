/*
 * lnshd.c: main, the subcommand table, and what every subcommand shares:
 * the command line, the config file, the state dir and the host key.
 *
 *	lnshd [--config FILE] [--listen ADDR:PORT] [--state-dir DIR]
 *	    [--single-user] [-v]
 *	lnshd pubkey | status | kill-all [common options]
 *	lnshd install | uninstall | service-status [--dry-run]
 *	    [--platform launchd|systemd] [--root DIR] [common options]
 *
 * Options may come before or after the subcommand. Each subcommand is one
 * cmd-*.c exporting a struct lnshd_cmd, listed in lnshd_table as tmux's
 * cmd_table lists its commands. docs/lnshd.md describes them all.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <protobuf-c/protobuf-c.h>
#include <sodium.h>
#include <vterm.h>

#include "server.h"

static const struct lnshd_cmd *lnshd_table[] = {
	&lnshd_run_entry,
	&lnshd_pubkey_entry,
	&lnshd_status_entry,
	&lnshd_kill_all_entry,
	&lnshd_install_entry,
	&lnshd_uninstall_entry,
	&lnshd_service_status_entry,
	&lnshd_authorize_entry, &lnshd_authorized_entry, &lnshd_revoke_entry,
	&lnshd_pair_entry,
	NULL
};

/*
 * Says how to call lnshd. Asked for (why is NULL: -h, --help): on stdout,
 * exit 0; after a usage error: the error and the usage on stderr, exit 2.
 */
static void __attribute__((noreturn))
usage(const char *why)
{
	const struct lnshd_cmd	**cp;
	FILE			 *fp = why != NULL ? stderr : stdout;

	if (why != NULL)
		fprintf(stderr, "lnshd: %s\n", why);
	fprintf(fp, "usage: lnshd [--config FILE] [--listen ADDR:PORT] "
	    "[--state-dir DIR] [--single-user] [-v]\n");
	for (cp = lnshd_table + 1; *cp != NULL; cp++)
		fprintf(fp, "       lnshd %s%s [--config FILE] "
		    "[--state-dir DIR] [--single-user]\n", (*cp)->name,
		    (*cp)->usage);
	fprintf(fp, "       lnshd -h | --help | -V | --version\n");
	if (fflush(fp) != 0 && why == NULL)
		exit(1);
	exit(why != NULL ? LNSHD_EXIT_USAGE : 0);
}

/*
 * `lnshd -V`: the version, the protocol, and the libraries lnshd was built
 * with (libvterm is lnsh-holder's, known at compile time only).
 */
static void __attribute__((noreturn))
version(void)
{
#ifdef VTERM_VERSION_MAJOR
	int	vt_major = VTERM_VERSION_MAJOR, vt_minor = VTERM_VERSION_MINOR;
#else
	int	vt_major = 0, vt_minor = 1;
#endif

	printf("lnshd %s (protocol %d)\n", PACKAGE_VERSION,
	    LN_PROTO_VERSION);
	printf("built with libsodium %s, protobuf-c %s, libevent %s, "
	    "libvterm %d.%d\n", sodium_version_string(),
	    protobuf_c_version(), event_get_version(), vt_major, vt_minor);
	exit(fflush(stdout) != 0);
}

/*
 * The value of an option that takes one: "--opt=VALUE" or "--opt VALUE".
 * Advances *ip past what it used.
 */
static const char *
opt_value(int argc, char **argv, int *ip, const char *name)
{
	const char	*a = argv[*ip], *eq;
	char		 why[128];

	if ((eq = strchr(a, '=')) != NULL)
		return (eq + 1);
	if (*ip + 1 >= argc) {
		snprintf(why, sizeof why, "%s needs a value", name);
		usage(why);
	}
	return (argv[++*ip]);
}

/* Does argument a name option name (alone or as "name=...")? */
static int
opt_is(const char *a, const char *name)
{
	size_t	n = strlen(name);

	return (strncmp(a, name, n) == 0 && (a[n] == '\0' || a[n] == '='));
}

/*
 * Parses the whole command line: options anywhere, the first other word
 * the subcommand, and anything after "--" or a second word left in
 * argv for the subcommand. Returns the subcommand.
 */
static const struct lnshd_cmd *
parse(int argc, char **argv, struct lnshd_opts *o, int *nargs)
{
	const struct lnshd_cmd	**cp, *cmd = NULL;
	const char		 *a, *unknown = NULL;
	char			  why[256];
	int			  i, n = 0;

	memset(o, 0, sizeof *o);
	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (strcmp(a, "--") == 0) {
			while (++i < argc)
				argv[n++] = argv[i];
			break;
		}
		if (opt_is(a, "--config") || strcmp(a, "-f") == 0)
			o->config = opt_value(argc, argv, &i, "--config");
		else if (opt_is(a, "--listen") || strcmp(a, "-l") == 0)
			o->listen = opt_value(argc, argv, &i, "--listen");
		else if (opt_is(a, "--state-dir") || strcmp(a, "-s") == 0)
			o->state_dir = opt_value(argc, argv, &i,
			    "--state-dir");
		else if (strcmp(a, "--single-user") == 0)
			o->single_user = 1;
		else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
			o->verbose++;
		else if (strcmp(a, "--dry-run") == 0 || strcmp(a, "-n") == 0)
			o->dry_run = 1;
		else if (opt_is(a, "--platform"))
			o->platform = opt_value(argc, argv, &i, "--platform");
		else if (opt_is(a, "--root"))
			o->root = opt_value(argc, argv, &i, "--root");
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
			usage(NULL);
		else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0)
			version();
		else if (a[0] == '-' && a[1] != '\0') {
			/* LNSHD_OPT_ARGS: the subcommand's own. */
			if (unknown == NULL)
				unknown = a;
			argv[n++] = argv[i];
		} else if (cmd == NULL) {
			for (cp = lnshd_table; *cp != NULL; cp++)
				if (strcmp((*cp)->name, a) == 0)
					break;
			if (*cp == NULL) {
				snprintf(why, sizeof why, "unknown command %s",
				    a);
				usage(why);
			}
			cmd = *cp;
		} else
			argv[n++] = argv[i];
	}
	if (cmd == NULL)
		cmd = lnshd_table[0];
	if (unknown != NULL && !(cmd->options & LNSHD_OPT_ARGS)) {
		snprintf(why, sizeof why, "unknown option %s", unknown);
		usage(why);
	}
	if (o->listen != NULL && !(cmd->options & LNSHD_OPT_LISTEN)) {
		snprintf(why, sizeof why, "%s takes no --listen", cmd->name);
		usage(why);
	}
	if ((o->dry_run || o->platform != NULL || o->root != NULL) &&
	    !(cmd->options & LNSHD_OPT_DRY_RUN)) {
		snprintf(why, sizeof why, "%s takes no --dry-run, --platform "
		    "or --root",
		    cmd->name);
		usage(why);
	}
	/* Not root: only ourselves to serve, whatever was asked. */
	if (geteuid() != 0)
		o->single_user = 1;
	*nargs = n;
	return (cmd);
}

/*
 * --listen: as the config's listen, and port 0 too (any free port, which
 * lnshd logs and `lnshd status` shows), which tests use.
 */
static int
lnshd_parse_listen(const char *s, struct config_listen *l, const char **why)
{
	char	*copy;
	size_t	 n = strlen(s);
	int	 r;

	if (n < 2 || strcmp(s + n - 2, ":0") != 0)
		return (config_parse_listen(s, l, why));
	copy = xmalloc(n + 1);
	memcpy(copy, s, n - 1);
	copy[n - 1] = '1';
	copy[n] = '\0';
	if ((r = config_parse_listen(copy, l, why)) == 0)
		l->port = 0;
	free(copy);
	return (r);
}

/*
 * Loads the config (the default file may be missing; a named one must
 * exist), applies --listen, and finds the state dir: --state-dir, else
 * the config's state-dir, else the default. A config error names
 * file:line in *cause, and nothing has been touched.
 */
int
lnshd_config(const struct lnshd_opts *o, struct config *cfg,
    char **state_dir, char **cause)
{
	const char	*why;
	char		*path = NULL;
	int		 r;

	if (o->config != NULL)
		path = xstrdup(o->config);
	else if ((r = paths_daemon_config(o->single_user, &path,
	    cause)) != 0)
		return (r);
	r = config_load(path, o->config == NULL, cfg, cause);
	free(path);
	if (r != 0)
		return (r);
	if (o->listen != NULL) {
		if (lnshd_parse_listen(o->listen, &cfg->listen[0],
		    &why) != 0) {
			ln_cause(cause, "--listen %s: %s", o->listen, why);
			config_free(cfg);
			return (LN_E_INVAL);
		}
		cfg->nlisten = 1;
	}
	if (o->state_dir != NULL)
		*state_dir = xstrdup(o->state_dir);
	else if (cfg->state_dir != NULL)
		*state_dir = xstrdup(cfg->state_dir);
	else if ((r = paths_state_dir(o->single_user, state_dir,
	    cause)) != 0) {
		config_free(cfg);
		return (r);
	}
	if (cfg->holder_path != NULL)
		setenv("LNSH_HOLDER", cfg->holder_path, 0);
	return (0);
}

/*
 * The start of a subcommand that takes no arguments and needs the config:
 * refuses arguments ("lnshd VERB: unexpected argument", or "lnshd: ..."
 * when verb is NULL, the daemon), then lnshd_config. 0 with *cfg and
 * *state_dir set for the caller to free; otherwise the exit code, the
 * reason printed and nothing to free.
 */
int
lnshd_noargs_config(const struct lnshd_opts *o, const char *verb, int argc,
    char **argv, struct config *cfg, char **state_dir)
{
	char	*cause = NULL;

	if (argc > 0) {
		fprintf(stderr, "lnshd%s%s: unexpected argument %s\n",
		    verb != NULL ? " " : "", verb != NULL ? verb : "",
		    argv[0]);
		return (LNSHD_EXIT_USAGE);
	}
	if (lnshd_config(o, cfg, state_dir, &cause) != 0) {
		fprintf(stderr, "lnshd: %s\n", cause);
		free(cause);
		return (1);
	}
	return (0);
}

/*
 * Makes the state dir, or checks it: ours, and closed to others. Root
 * mode opens it for traversal only (0711), so that holders running as
 * their users can reach their own socket directories below it.
 */
static int
lnshd_state_dir(const char *dir, int single_user, char **cause)
{
	struct stat	st;
	mode_t		mode = single_user ? 0700 : 0711;
	int		r;

	if ((r = ln_mkdir(dir, 0700, cause)) != 0)
		return (r);
	if (lstat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		ln_cause(cause, "%s: not a directory", dir);
		return (LN_E_INVAL);
	}
	if (st.st_uid != geteuid()) {
		ln_cause(cause, "state dir %s belongs to uid %lu, not to "
		    "lnshd's uid %lu", dir, (unsigned long)st.st_uid,
		    (unsigned long)geteuid());
		return (LN_E_INVAL);
	}
	if ((st.st_mode & 07777) != mode && chmod(dir, mode) == -1) {
		ln_cause(cause, "chmod %s: %s", dir, strerror(errno));
		return (LN_E_SYSTEM);
	}
	return (0);
}

/*
 * The host key from the state dir, making the state dir if needed. With
 * no key there yet, a new one is made in memory only and *fresh set: the
 * daemon writes it (lnshd_host_key_save) once it has started, so that a
 * start that fails leaves no key behind. A key file that exists but
 * cannot be used is an error, never replaced.
 */
int
lnshd_host_key_open(const char *state_dir, int single_user, uint8_t *sk,
    uint8_t *pk, int *fresh, char **cause)
{
	struct stat	 st;
	char		*path;
	int		 r;

	if ((r = lnshd_state_dir(state_dir, single_user, cause)) != 0)
		return (r);
	path = paths_host_key(state_dir);
	if (lstat(path, &st) == -1 && errno == ENOENT) {
		if ((r = key_generate(sk, pk)) == 0)
			*fresh = 1;
		else
			ln_cause(cause, "cannot generate a host key");
	} else if ((r = key_load_private(path, sk, pk, NULL, cause)) == 0)
		*fresh = 0;
	free(path);
	return (r);
}

/*
 * Writes a host key lnshd_host_key_open made, mode 0600, and sets *wrote.
 * If another lnshd (or `lnshd pubkey`) wrote one first, that one is loaded
 * into sk and pk instead and *wrote is 0.
 */
int
lnshd_host_key_save(const char *state_dir, uint8_t *sk, uint8_t *pk,
    int *wrote, char **cause)
{
	struct stat	 st;
	char		*path, host[128], comment[LN_KEY_COMMENT_MAX + 1];
	int		 r;

	path = paths_host_key(state_dir);
	if (gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = '\0';
	snprintf(comment, sizeof comment, "lnshd@%s", host);
	*wrote = 0;
	r = key_save_private(path, sk, comment, cause);
	if (r == 0) {
		log_info("generated host key %s", path);
		*wrote = 1;
	}
	else if (lstat(path, &st) == 0) {
		/* Lost a race with another lnshd: use what it wrote. */
		if (cause != NULL) {
			free(*cause);
			*cause = NULL;
		}
		r = key_load_private(path, sk, pk, NULL, cause);
	}
	free(path);
	return (r);
}

/*
 * The host key from the state dir; with none yet, a new one, written
 * (mode 0600) before it is returned.
 */
int
lnshd_host_key(const char *state_dir, int single_user, uint8_t *sk,
    uint8_t *pk, char **cause)
{
	int	r, fresh = 0, wrote;

	r = lnshd_host_key_open(state_dir, single_user, sk, pk, &fresh, cause);
	if (r == 0 && fresh)
		r = lnshd_host_key_save(state_dir, sk, pk, &wrote, cause);
	if (r != 0)
		sodium_memzero(sk, LN_KEY_LEN);
	return (r);
}

/*
 * The topmost directory of path that does not exist yet (what a start
 * would create, as ln_mkdir makes parents too), or NULL if path exists.
 */
char *
lnshd_first_missing(const char *path)
{
	struct stat	 st;
	char		*top = NULL, *p, *slash;

	if (lstat(path, &st) == 0)
		return (NULL);
	p = xstrdup(path);
	for (;;) {
		free(top);
		top = xstrdup(p);
		if ((slash = strrchr(p, '/')) == NULL || slash == p)
			break;
		*slash = '\0';
		if (lstat(p, &st) == 0)
			break;
	}
	free(p);
	return (top);
}

/*
 * Undoes a failed start's directories: removes dir, then its parents up
 * to and including top (lnshd_first_missing's answer), each only if it is
 * empty, so nothing anyone else put there is lost.
 */
void
lnshd_unmake_dirs(const char *dir, const char *top)
{
	char	*p, *slash;

	p = xstrdup(dir);
	for (;;) {
		if (rmdir(p) == -1)
			break;
		if (strcmp(p, top) == 0 || (slash = strrchr(p, '/')) == NULL ||
		    slash == p)
			break;
		*slash = '\0';
	}
	free(p);
}

/*
 * install, uninstall, service-status: server/install.c does the work on
 * the platform --platform names, or the one this machine runs.
 */
int
lnshd_service(const struct lnshd_opts *o, int argc, char **argv,
    const char *verb, lnshd_service_fn fn)
{
	struct service_opts	 so;
	char			*cause = NULL;
	int			 r;

	if (argc > 0) {
		fprintf(stderr, "lnshd %s: unexpected argument %s\n", verb,
		    argv[0]);
		return (LNSHD_EXIT_USAGE);
	}
	memset(&so, 0, sizeof so);
	so.platform = service_os_platform();
	if (o->platform != NULL &&
	    service_platform_parse(o->platform, &so.platform) != 0) {
		fprintf(stderr, "lnshd %s: --platform %s: use launchd or "
		    "systemd\n", verb, o->platform);
		return (LNSHD_EXIT_USAGE);
	}
	so.root = "";
	/*
	 * --root DIR: the files only, under DIR, for packagers and tests; no
	 * service manager is asked to act on a file it cannot see. Owned by
	 * root only when we can make them so.
	 */
	if (o->root != NULL && strcmp(o->root, "/") != 0) {
		so.root = o->root;
		so.no_commands = 1;
		so.no_chown = geteuid() != 0;
	}
	if ((r = fn(&so, o->dry_run, stdout, &cause)) != 0) {
		fprintf(stderr, "lnshd %s: %s\n", verb, cause != NULL ? cause :
		    ln_strerror(r));
		free(cause);
		return (1);
	}
	return (0);
}

/* Runs the subcommand the command line names (the daemon if none). */
int
main(int argc, char **argv)
{
	const struct lnshd_cmd	*cmd;
	struct lnshd_opts	 o;
	int			 n;

	if (sodium_init() == -1) {
		fprintf(stderr, "lnshd: libsodium failed to initialise\n");
		return (1);
	}
	cmd = parse(argc, argv, &o, &n);
	return (cmd->exec(&o, n, argv));
}
