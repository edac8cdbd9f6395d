/*
 * cmd-pair.c: `lnshd pair [--user NAME] [--ttl MIN]`: makes a one-time
 * pairing code for the calling user (any user with --user, as root) and
 * prints it with the addresses and port to pair with. The code is stored
 * hashed where the running lnshd reads it on each pairing attempt (pair.c),
 * so no daemon needs telling. LNSH_PAIR_TTL_SEC, for tests, sets the
 * lifetime in seconds.
 *
 * A user who is not root pairs with a root lnshd by leaving the code in
 * its state dir (LNSH_ROOT_STATE_DIR/pairing, open to every user for that)
 * when that exists and no --state-dir says otherwise; else with their own
 * single-user lnshd.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "server.h"

/* The lifetime asked for, in seconds. */
static int
cmd_pair_ttl(const char *ttl_min, uint64_t *sec)
{
	const char	*env = getenv("LNSH_PAIR_TTL_SEC");
	char		*end;
	unsigned long	 v;

	*sec = LN_PAIR_TTL_DEFAULT_SEC;
	if (ttl_min != NULL) {
		errno = 0;
		v = strtoul(ttl_min, &end, 10);
		if (errno != 0 || end == ttl_min || *end != '\0' || v == 0 ||
		    v > LN_PAIR_TTL_MAX_SEC / 60)
			return (LN_E_INVAL);
		*sec = (uint64_t)v * 60;
	}
	if (env != NULL && *env != '\0') {
		errno = 0;
		v = strtoul(env, &end, 10);
		if (errno != 0 || end == env || *end != '\0' || v == 0 ||
		    v > LN_PAIR_TTL_MAX_SEC)
			return (LN_E_INVAL);
		*sec = v;
	}
	return (0);
}

/* Prints the machine's own addresses with port, for a wildcard listen. */
static void
cmd_pair_own_addresses(const char *port)
{
	struct ifaddrs	*ifa, *i;
	char		 host[NI_MAXHOST];
	int		 n = 0;

	if (getifaddrs(&ifa) == -1)
		return;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || (i->ifa_addr->sa_family != AF_INET &&
		    i->ifa_addr->sa_family != AF_INET6))
			continue;
		if (getnameinfo(i->ifa_addr, i->ifa_addr->sa_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6),
		    host, sizeof host, NULL, 0, NI_NUMERICHOST) != 0)
			continue;
		/* Loopback and link-local need no advertising. */
		if (strcmp(host, "127.0.0.1") == 0 ||
		    strcmp(host, "::1") == 0 || strncmp(host, "fe80", 4) == 0)
			continue;
		if (strchr(host, ':') != NULL)
			printf("  [%s]:%s\n", host, port);
		else
			printf("  %s:%s\n", host, port);
		n++;
	}
	freeifaddrs(ifa);
	if (n == 0)
		printf("  (no network address found; this host's name):%s\n",
		    port);
}

/* Prints one "ADDR:PORT" listen address, or the machine's for wildcards. */
static void
cmd_pair_address(const char *a)
{
	const char	*port = strrchr(a, ':');

	if (port == NULL)
		return;
	port++;
	if (strncmp(a, "[::]:", 5) == 0 || strncmp(a, "0.0.0.0:", 8) == 0 ||
	    strncmp(a, ":::", 3) == 0)
		cmd_pair_own_addresses(port);
	else
		printf("  %s\n", a);
}

/*
 * The addresses clients reach us at: the running lnshd's sockets (from its
 * status), else the configured ones.
 */
static void
cmd_pair_addresses(const char *state_dir, const struct config *cfg)
{
	FILE	*f;
	char	*text = NULL, *line, *next, *cause = NULL, a[LISTEN_ADDR_MAX];
	size_t	 len = 0, i;
	int	 n = 0;

	if ((f = open_memstream(&text, &len)) != NULL) {
		if (status_query(state_dir, "status", f, &cause) != 0)
			len = 0;
		fclose(f);
	}
	free(cause);
	for (line = text; len > 0 && line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strncmp(line, "listen ", 7) == 0) {
			cmd_pair_address(line + 7);
			n++;
		}
	}
	free(text);
	if (n > 0)
		return;
	printf("  (lnshd is not answering; from its configuration)\n");
	for (i = 0; i < cfg->nlisten; i++) {
		if (strchr(cfg->listen[i].host, ':') != NULL)
			snprintf(a, sizeof a, "[%s]:%u", cfg->listen[i].host,
			    cfg->listen[i].port);
		else
			snprintf(a, sizeof a, "%s:%u", cfg->listen[i].host,
			    cfg->listen[i].port);
		cmd_pair_address(a);
	}
}

/* lnshd pair [--user NAME] [--ttl MIN] */
static int
lnshd_pair_exec(const struct lnshd_opts *o, int argc, char **argv)
{
	struct config		 cfg;
	struct paths_user	 u;
	struct stat		 st;
	uint8_t			 psk[LN_KEY_LEN];
	char			 code[PAIR_CODE_TEXT_MAX];
	char			*state_dir = NULL, *cause = NULL, *dir = NULL;
	const char		*user = NULL, *ttl = NULL;
	uint64_t		 ttl_sec;
	int			 i, rc = 1, single = o->single_user;

	memset(&u, 0, sizeof u);
	memset(&cfg, 0, sizeof cfg);
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
			user = argv[++i];
		else if (strncmp(argv[i], "--user=", 7) == 0)
			user = argv[i] + 7;
		else if (strcmp(argv[i], "--ttl") == 0 && i + 1 < argc)
			ttl = argv[++i];
		else if (strncmp(argv[i], "--ttl=", 6) == 0)
			ttl = argv[i] + 6;
		else {
			fprintf(stderr, "lnshd pair: unexpected argument %s\n"
			    "usage: lnshd pair [--user NAME] [--ttl MIN]\n",
			    argv[i]);
			return (LNSHD_EXIT_USAGE);
		}
	}
	if (cmd_pair_ttl(ttl, &ttl_sec) != 0) {
		fprintf(stderr, "lnshd pair: --ttl wants minutes, 1 to %d\n",
		    LN_PAIR_TTL_MAX_SEC / 60);
		return (LNSHD_EXIT_USAGE);
	}
	if (user == NULL && geteuid() == 0 && !o->single_user) {
		fprintf(stderr, "lnshd pair: as root, name the user the code "
		    "is for: lnshd pair --user NAME\n");
		return (LNSHD_EXIT_USAGE);
	}
	if (user != NULL && geteuid() != 0) {
		fprintf(stderr, "lnshd pair: only root may pair for another "
		    "user (--user); run it as the user who will log in\n");
		return (1);
	}
	log_init(CONFIG_LOG_WARN);
	if (lnshd_config(o, &cfg, &state_dir, &cause) != 0)
		goto out;
	/* Not root, and a root lnshd is there: leave the code with it. */
	dir = pair_dir(LNSH_ROOT_STATE_DIR);
	if (geteuid() != 0 && o->state_dir == NULL && cfg.state_dir == NULL &&
	    lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0) {
		free(state_dir);
		state_dir = xstrdup(LNSH_ROOT_STATE_DIR);
	}
	free(dir);
	dir = pair_dir(state_dir);
	if (geteuid() != 0 && lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid == 0)
		;	/* a root lnshd's, open to us (pair.c) */
	else if (ln_mkdir(state_dir, 0700, &cause) != 0 ||
	    pair_dir_prepare(state_dir, single, &cause) != 0)
		goto out;
	if (paths_user(geteuid() != 0 ? 1 : o->single_user, user, &u,
	    &cause) != 0)
		goto out;
	pair_code_new(code);
	if (pair_code_psk(code, psk) != 0) {
		ln_cause(&cause, "cannot hash the code");
		goto out;
	}
	if (pair_code_store(state_dir, u.uid, psk, ln_wall_ns() /
	    LN_NS_PER_SEC, ttl_sec, &cause) != 0)
		goto out;
	printf("pairing code for %s (valid once, for %llu %s):\n\n    %s\n\n",
	    u.name, (unsigned long long)(ttl_sec % 60 == 0 ? ttl_sec / 60 :
	    ttl_sec), ttl_sec % 60 == 0 ? "minutes" : "seconds", code);
	printf("on the client:  lnsh pair ALIAS ADDRESS[:PORT] %s\n", code);
	printf("this server listens on:\n");
	cmd_pair_addresses(state_dir, &cfg);
	rc = 0;
out:
	if (rc != 0 && cause != NULL)
		fprintf(stderr, "lnshd pair: %s\n", cause);
	sodium_memzero(code, sizeof code);
	sodium_memzero(psk, sizeof psk);
	paths_user_free(&u);
	free(cause);
	free(dir);
	free(state_dir);
	config_free(&cfg);
	return (rc);
}

const struct lnshd_cmd lnshd_pair_entry = {
	.name = "pair",
	.usage = " [--user NAME] [--ttl MIN]",
	.options = LNSHD_OPT_ARGS,
	.exec = lnshd_pair_exec,
};
