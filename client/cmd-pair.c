/*
 * cmd-pair.c: `lnsh pair ALIAS ADDRESS[:PORT] CODE`: admits this client's
 * key on a server and learns the server's key, with a one-time code from
 * `lnshd pair` instead of copying keys by hand (proto/pairing.c says how).
 * Creates the client key if there is none (saved only on success). On
 * success ALIAS goes into the hosts file with the account the server
 * admitted the key for, the address, port and the server key learned in
 * the handshake; on any failure nothing is written.
 *
 * All or nothing as the user sees it: the server's key arrives in its
 * response, before the client sends the finish that makes the server admit
 * the key and spend the code, so a key that conflicts with the hosts file
 * (the alias or the address stored with another key) is refused there,
 * with both fingerprints, and the code stays good.
 *
 * The server never answers a wrong, expired or used code (it cannot tell
 * such a client from junk), so those show as no answer within LNSH_TIMEOUT,
 * as does a server where nothing listens: one message names both.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "pair.pb-c.h"
#include "client.h"

static int	cmd_pair_exec(const struct cmd_entry *, struct cmd_args *);

const struct cmd_entry cmd_pair_entry = {
	.name = "pair",
	.usage = "ALIAS [USER@]ADDRESS[:PORT] CODE",
	.summary = "admit this client on a server with a code from "
	    "'lnshd pair', and save the server as ALIAS",
	.opts = NULL,
	.lower = 3,
	.upper = 3,
	.exec = cmd_pair_exec,
};

/* One pairing run: sockets to every address and the handshake state. */
struct pair_run {
	int			 fds[UDP_MAX_ADDRS];
	size_t			 n;
	int			 chosen;	/* the socket that answered */
	struct noise_handshake	 hs;
	struct hs_keys		 keys;
	uint8_t			 psk[LN_KEY_LEN], mkey[LN_KEY_LEN];
	uint32_t		 index;
	uint8_t			 pkt[LN_MAX_DATAGRAM];
	size_t			 pkt_len;
};

/* "user@host" and the host name alone, for the request and a new key. */
static void
pair_names(char *host, size_t hlen, char *comment, size_t clen)
{
	struct passwd	*pw;
	const char	*user;

	if (gethostname(host, hlen) != 0)
		snprintf(host, hlen, "unknown");
	host[hlen - 1] = '\0';
	if ((user = getenv("USER")) == NULL || *user == '\0')
		user = (pw = getpwuid(getuid())) != NULL ? pw->pw_name : "lnsh";
	snprintf(comment, clen, "%.64s@%.128s", user, host);
}

/*
 * Loads the client key, or makes a new one in memory (*fresh = 1) when
 * there is none: it is saved only once pairing succeeded, so a failed
 * pairing leaves no trace.
 */
static int
pair_client_key(uint8_t *sk, uint8_t *pk, int *fresh, char **cause)
{
	struct stat	 st;
	char		*path = NULL;
	int		 r;

	*fresh = 0;
	if ((r = paths_config_file(PATHS_CLIENT_KEY, &path, cause)) != 0)
		goto out;
	if (lstat(path, &st) == -1 && errno == ENOENT) {
		*fresh = 1;
		r = key_generate(sk, pk);
		goto out;
	}
	r = key_load_private(path, sk, pk, NULL, cause);
out:
	free(path);
	return (r);
}

/* Saves a new client key (0600, in a 0700 dir). */
static int
pair_save_key(const uint8_t *sk, const char *comment, char **cause)
{
	char	*dir = NULL, *path = NULL;
	int	 r;

	if ((r = paths_config_dir(&dir, cause)) != 0 ||
	    (r = paths_config_file(PATHS_CLIENT_KEY, &path, cause)) != 0 ||
	    (r = ln_mkdir(dir, 0700, cause)) != 0 ||
	    (r = key_save_private(path, sk, comment, cause)) != 0)
		goto out;
	fprintf(stderr, "lnsh: created the client key %s\n", path);
out:
	free(dir);
	free(path);
	return (r);
}

/* A connected UDP socket to every address host:port resolves to. */
static int
pair_connect(struct pair_run *pr, const char *host, uint16_t port,
    char **cause)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		 serv[8];
	int		 fd, e;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	snprintf(serv, sizeof serv, "%u", (unsigned)port);
	if ((e = getaddrinfo(host, serv, &hints, &res)) != 0) {
		ln_cause(cause, "cannot resolve %s: %s; check the name, or "
		    "give the server's IP address", host, gai_strerror(e));
		return (LN_E_INVAL);
	}
	for (ai = res; ai != NULL && pr->n < UDP_MAX_ADDRS; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, SOCK_DGRAM, 0)) == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
			close(fd);
			continue;
		}
		pr->fds[pr->n++] = fd;
	}
	freeaddrinfo(res);
	if (pr->n == 0) {
		ln_cause(cause, "%s: no address to reach", host);
		return (LN_E_SYSTEM);
	}
	return (0);
}

/* Sends the current packet: to every socket until one has answered. */
static void
pair_send(struct pair_run *pr)
{
	size_t	i;

	for (i = 0; i < pr->n; i++)
		if (pr->chosen < 0 || (size_t)pr->chosen == i)
			(void)send(pr->fds[i], pr->pkt, pr->pkt_len, 0);
}

/*
 * Waits until deadline (monotonic ns) for a datagram that accept() takes,
 * resending the current packet every PAIR_RESEND_MS. 0: accepted;
 * RPC_E_NOANSWER: nothing in time.
 */
static int
pair_wait(struct pair_run *pr, uint64_t deadline,
    int (*accept_fn)(struct pair_run *, const uint8_t *, size_t))
{
	struct pollfd	 pfd[UDP_MAX_ADDRS];
	uint8_t		 buf[LN_MAX_DATAGRAM + 1];
	uint64_t	 now, next;
	ssize_t		 got;
	size_t		 i;
	int		 ms;

	pair_send(pr);
	debuglog("pairing: %s sent", pr->pkt_len > 0 &&
	    pr->pkt[0] == LN_PKT_PAIR_INIT ? "the initiation" : "the finish");
	next = ln_now_ns() + PAIR_RESEND_MS * LN_NS_PER_MS;
	for (;;) {
		now = ln_now_ns();
		if (now >= deadline)
			return (RPC_E_NOANSWER);
		if (now >= next) {
			pair_send(pr);
			next = now + PAIR_RESEND_MS * LN_NS_PER_MS;
		}
		ms = ln_wait_ms(now, ln_min(next, deadline));
		for (i = 0; i < pr->n; i++) {
			pfd[i].fd = pr->fds[i];
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, pr->n, ms) == -1 && errno != EINTR)
			return (LN_E_SYSTEM);
		for (i = 0; i < pr->n; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			if ((got = recv(pr->fds[i], buf, sizeof buf, 0)) <= 0)
				continue;
			if (pr->chosen >= 0 && (size_t)pr->chosen != i)
				continue;
			if (accept_fn(pr, buf, (size_t)got) == 0) {
				pr->chosen = (int)i;
				return (0);
			}
		}
	}
}

/* accept_fn for the response: the server's message 2. */
static int
pair_accept_response(struct pair_run *pr, const uint8_t *pkt, size_t len)
{
	uint32_t	server_index;

	if (pair_consume_response(&pr->hs, pr->index, pr->mkey, pkt, len,
	    &server_index) != 0)
		return (-1);
	pr->keys.remote_index = server_index;
	return (0);
}

/* accept_fn for the result: keeps its payload in pr->pkt. */
static int
pair_accept_result(struct pair_run *pr, const uint8_t *pkt, size_t len)
{
	uint8_t	pl[LN_PAIR_MAX_PAYLOAD];
	size_t	n;

	if (pair_consume_result(&pr->keys, pkt, len, pl, sizeof pl, &n) != 0)
		return (-1);
	memcpy(pr->pkt, pl, n);
	pr->pkt_len = n;
	return (0);
}

/* Prints a cause of one or more lines, each as an lnsh error line. */
static void
host_error_lines(char *cause)
{
	char	*line, *p = cause;

	while ((line = strsep(&p, "\n")) != NULL)
		cmd_error("%s", line);
}

/* lnsh pair ALIAS ADDRESS[:PORT] CODE */
static int
cmd_pair_exec(const struct cmd_entry *e, struct cmd_args *a)
{
	Lnsh__Pair__PairRequest	 req = LNSH__PAIR__PAIR_REQUEST__INIT;
	Lnsh__Pair__PairResult	*res = NULL;
	struct pair_run		 pr;
	struct host_entry	 he;
	struct hosts		 hosts;
	uint8_t			 sk[LN_KEY_LEN], pk[LN_KEY_LEN];
	uint8_t			 pl[LN_PAIR_MAX_PAYLOAD];
	char			 host[256], comment[LN_KEY_COMMENT_MAX + 1];
	char			 addr[HOSTS_ADDR_MAX + 1];
	char			 b64[LN_KEY_B64_LEN + 1];
	char			 fp[LN_FINGERPRINT_LEN], *cause = NULL;
	char			 pkfp[LN_FINGERPRINT_LEN];
	char			*hosts_path = NULL, *msg;
	const char		*alias = a->argv[0], *address = a->argv[1];
	const char		*why, *at;
	char			 user[64];
	uint64_t		 timeout_ms, deadline;
	uint16_t		 port;
	size_t			 i, plen;
	int			 ex = LNSH_EXIT_ERROR, r, fresh = 0, known = 0;

	memset(&pr, 0, sizeof pr);
	memset(&hosts, 0, sizeof hosts);
	pr.chosen = -1;
	/* USER@ADDRESS: the account to be admitted for (root-mode lnshd). */
	user[0] = '\0';
	if ((at = strchr(address, '@')) != NULL) {
		if ((size_t)(at - address) >= sizeof user || at == address)
			return (cmd_usage(e, "bad user in %s", address));
		memcpy(user, address, (size_t)(at - address));
		user[at - address] = '\0';
		address = at + 1;
	}
	if (!hosts_alias_ok(alias))
		return (cmd_usage(e, "bad alias %s: letters, digits, '.', '_' "
		    "and '-', not starting with '-'", alias));
	if (ln_split_hostport(address, addr, sizeof addr, &port,
	    LN_DEFAULT_PORT, &why) != 0)
		return (cmd_usage(e, "bad address %s: %s", address, why));
	if (pair_code_psk(a->argv[2], pr.psk) != 0) {
		cmd_error("pairing failed: '%s' is not a pairing code (20 "
		    "letters and digits, as 'lnshd pair' prints them)",
		    a->argv[2]);
		return (LNSH_EXIT_ERROR);
	}
	pair_mac1_key(pr.psk, pr.mkey);
	if (rpc_timeout_ms(&timeout_ms, &cause) != 0)
		goto out;

	/* The hosts file must be readable before the server admits anything. */
	if (paths_config_file(PATHS_HOSTS, &hosts_path, &cause) != 0 ||
	    hosts_load(hosts_path, &hosts, &cause) != 0)
		goto out;

	pair_names(host, sizeof host, comment, sizeof comment);
	if (pair_client_key(sk, pk, &fresh, &cause) != 0)
		goto out;
	key_fingerprint(pk, pkfp);
	if (pair_connect(&pr, addr, port, &cause) != 0)
		goto out;
	deadline = ln_now_ns() + timeout_ms * LN_NS_PER_MS;

	/* -> init; <- response (the server knew the code's mac1 key). */
	pr.index = randombytes_random();
	if ((r = pair_init(&pr.hs, sk, pr.psk, pr.mkey, pr.index, pr.pkt,
	    sizeof pr.pkt, &pr.pkt_len)) != 0) {
		ln_cause(&cause, "pairing: %s", ln_strerror(r));
		goto out;
	}
	if ((r = pair_wait(&pr, deadline, pair_accept_response)) != 0) {
		if (r == RPC_E_NOANSWER)
			ln_cause(&cause, "pairing failed: no answer from %s "
			    "within %.1f s; the causes, likeliest first: %s",
			    address, (double)timeout_ms / 1000,
			    PAIR_NOANSWER_CAUSES);
		else
			ln_cause(&cause, "%s: %s", address, strerror(errno));
		goto out;
	}

	/*
	 * The server's key is known now and nothing is admitted yet: refuse
	 * here what the hosts file would refuse, so nothing changes anywhere.
	 */
	key_b64(pr.hs.rs, b64);
	if (hosts_entry_make(alias, address, b64, &he, &cause) != 0 ||
	    (known = host_check(hosts_path, &he, &cause)) < 0) {
		if (cause != NULL)
			host_error_lines(cause);
		free(cause);
		cause = NULL;
		cmd_error("the code was not used: it still works once the "
		    "conflict is resolved");
		goto out;
	}

	/* -> finish with the request; <- result. */
	req.user = user;
	req.host = host;
	req.comment = comment;
	plen = lnsh__pair__pair_request__get_packed_size(&req);
	if (plen > sizeof pl) {
		ln_cause(&cause, "host name too long");
		goto out;
	}
	lnsh__pair__pair_request__pack(&req, pl);
	if ((r = pair_finish(&pr.hs, pr.keys.remote_index, pr.mkey, pl, plen,
	    pr.pkt, sizeof pr.pkt, &pr.pkt_len, &pr.keys)) != 0) {
		ln_cause(&cause, "pairing: %s", ln_strerror(r));
		goto out;
	}
	pr.keys.local_index = pr.index;
	if (pair_wait(&pr, deadline, pair_accept_result) != 0) {
		ln_cause(&cause, "pairing failed: no result from %s in time; "
		    "if 'lnsh ls %s' does not work after adding the host, run "
		    "'lnshd pair' on the server for a new code", address,
		    alias);
		goto out;
	}
	if ((res = lnsh__pair__pair_result__unpack(NULL, pr.pkt_len,
	    pr.pkt)) == NULL) {
		ln_cause(&cause, "pairing failed: malformed result");
		goto out;
	}
	if (res->status != LNSH__PAIR__PAIR_RESULT__STATUS__OK) {
		ln_cause(&cause, "pairing failed: %.200s", res->message);
		goto out;
	}

	/* The account the key was admitted for: lnsh connects as it. */
	if (res->user != NULL && hosts_user_ok(res->user))
		snprintf(he.user, sizeof he.user, "%s", res->user);
	else if (user[0] != '\0')
		snprintf(he.user, sizeof he.user, "%s", user);
	key_fingerprint(pr.keys.remote_static, fp);
	if ((fresh && pair_save_key(sk, comment, &cause) != 0) ||
	    (known == 1 && hosts_remove(hosts_path, alias, &cause) != 0) ||
	    hosts_add(hosts_path, &he, &cause) != 0) {
		/* The server has admitted the key: say so, and the way back. */
		cmd_error("%s", cause);
		free(cause);
		cause = NULL;
		cmd_error("the server admitted this %skey for %s (%s); "
		    "undo that there with 'lnshd revoke %s%s%s', or add the "
		    "host here with 'lnsh host add %s %s%s%s %s'",
		    fresh ? "new, unsaved " : "", he.user[0] != '\0' ?
		    he.user : "the code's user", res->message, pkfp,
		    he.user[0] != '\0' ? " --user " : "", he.user, alias,
		    he.user, he.user[0] != '\0' ? "@" : "", address, b64);
		goto out;
	}
	msg = tt_dup(res->message, strnlen(res->message, 200), 0);
	printf("paired: %s is %s%s%s, host key %s (%s)\n", alias,
	    he.user, he.user[0] != '\0' ? "@" : "", address, fp, msg);
	free(msg);
	ex = LNSH_EXIT_OK;
out:
	if (ex != LNSH_EXIT_OK && cause != NULL)
		cmd_error("%s", cause);
	for (i = 0; i < pr.n; i++)
		close(pr.fds[i]);
	if (res != NULL)
		lnsh__pair__pair_result__free_unpacked(res, NULL);
	sodium_memzero(&pr, sizeof pr);
	sodium_memzero(sk, sizeof sk);
	hosts_free(&hosts);
	free(hosts_path);
	free(cause);
	return (ex);
}
