/*
 * rpc.c: one request to lnshd and its reply (proto/rpc.proto), for the
 * scripting verbs: find HOST in the hosts file, load the client key, run
 * the handshake, send the Request as a reliable channel message, wait for
 * the Reply with the same id.
 *
 * An unreachable host and one that does not admit our key look the same
 * from here, by design (the server answers nothing to an unknown key): both
 * are "no answer in time", RPC_E_NOANSWER, which lnsh reports as exit 3.
 * The wait is RPC_TIMEOUT_DEFAULT_MS for the handshake and again for the
 * reply; $LNSH_TIMEOUT (seconds) changes both, for tests and slow links.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "rpc.pb-c.h"
#include "client.h"

#define RPC_REQUEST_ID		1
#define RPC_LINGER_NS		(200ULL * LN_NS_PER_MS)

/* One call in progress. */
struct rpc_call {
	struct udp_conn	 u;
	uint8_t		*req;
	size_t		 reqlen;
	int		 sent;
	int		 send_err;
	int		 malformed;
	Lnsh__Reply	*reply;
	uint64_t	 tx_after_reply;
};

/*
 * The deadline from $LNSH_TIMEOUT (seconds, fractions allowed, > 0), else
 * RPC_TIMEOUT_DEFAULT_MS.
 */
int
rpc_timeout_ms(uint64_t *ms, char **cause)
{
	const char	*v;
	char		*end;
	double		 d;

	if ((v = getenv("LNSH_TIMEOUT")) == NULL || *v == '\0') {
		*ms = RPC_TIMEOUT_DEFAULT_MS;
		return (0);
	}
	errno = 0;
	d = strtod(v, &end);
	if (errno != 0 || end == v || *end != '\0' || !(d > 0) ||
	    d * 1000 > RPC_TIMEOUT_MAX_SEC * 1000) {
		ln_cause(cause, "LNSH_TIMEOUT='%s': want seconds, more than 0 "
		    "and at most %d", v, RPC_TIMEOUT_MAX_SEC);
		return (LN_E_INVAL);
	}
	*ms = (uint64_t)(d * 1000);
	if (*ms == 0)
		*ms = 1;
	return (0);
}

/* ops->message: keep the reply to our request; anything else is dropped. */
static void
rpc_message(void *arg, const uint8_t *msg, size_t len, int reliable)
{
	struct rpc_call	*c = arg;
	Lnsh__Reply	*r;

	if (!reliable || c->reply != NULL)
		return;
	if ((r = lnsh__reply__unpack(NULL, len, msg)) == NULL) {
		c->malformed = 1;
		return;
	}
	if (r->id != RPC_REQUEST_ID) {
		lnsh__reply__free_unpacked(r, NULL);
		return;
	}
	c->reply = r;
	c->tx_after_reply = chan_client_counters(c->u.cc)->tx_packets;
}

/* ops->send: through the call's sockets. */
static void
rpc_send(void *arg, const uint8_t *pkt, size_t len)
{
	struct rpc_call	*c = arg;

	udp_send(&c->u, pkt, len);
}

/* ops->connected: nothing to do; rpc_has_reply sends once connected. */
static void
rpc_connected(void *arg, int resumed)
{
	(void)arg;
	(void)resumed;
}

/* udp_run's test while handshaking. */
static int
rpc_is_connected(void *arg)
{
	struct rpc_call	*c = arg;

	return (chan_client_connected(c->u.cc));
}

/* udp_run's test while waiting: sends the request once, then waits. */
static int
rpc_has_reply(void *arg)
{
	struct rpc_call	*c = arg;
	int		 r;

	if (!c->sent) {
		r = chan_client_send(c->u.cc, c->req, c->reqlen,
		    CHAN_RELIABLE, ln_now_ns());
		if (r == LN_E_FULL)
			return (0);
		c->sent = 1;
		if (r != 0) {
			c->send_err = r;
			return (1);
		}
	}
	return (c->reply != NULL || c->malformed);
}

/*
 * udp_run's test after the reply: a packet went out since, which carries
 * the acknowledgement, so the daemon stops resending the reply.
 */
static int
rpc_acked(void *arg)
{
	struct rpc_call	*c = arg;

	return (chan_client_counters(c->u.cc)->tx_packets >
	    c->tx_after_reply);
}

/* Sends the CloseRequest that ends a one-shot command's connection. */
static void
rpc_close(struct rpc_call *c)
{
	Lnsh__Request		req = LNSH__REQUEST__INIT;
	Lnsh__CloseRequest	cl = LNSH__CLOSE_REQUEST__INIT;
	uint8_t			buf[16];
	size_t			len;
	uint64_t		now = ln_now_ns();

	req.id = RPC_REQUEST_ID + 1;
	req.op_case = LNSH__REQUEST__OP_CLOSE;
	req.close = &cl;
	len = lnsh__request__get_packed_size(&req);
	if (len > sizeof buf ||
	    chan_client_send(c->u.cc, buf, lnsh__request__pack(&req, buf),
	    CHAN_RELIABLE, now) != 0)
		chan_client_ack_now(c->u.cc, now);
}

/* The addresses HOST's entry resolves to, all of them. */
static int
rpc_resolve(const struct host_entry *e, struct chan_addr *addrs, size_t *n,
    char **cause)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		 port[8];
	size_t		 k = 0;
	int		 r;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof port, "%u", e->port);
	if ((r = getaddrinfo(e->addr, port, &hints, &res)) != 0) {
		ln_cause(cause, "cannot resolve %s (hosts line %u): %s; "
		    "check the name, or put the server's IP address on that "
		    "line", e->addr, e->line, gai_strerror(r));
		return (LN_E_INVAL);
	}
	for (ai = res; ai != NULL && k < UDP_MAX_ADDRS; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof addrs[k].ss)
			continue;
		memset(&addrs[k], 0, sizeof addrs[k]);
		memcpy(&addrs[k].ss, ai->ai_addr, ai->ai_addrlen);
		addrs[k].len = ai->ai_addrlen;
		k++;
	}
	freeaddrinfo(res);
	if (k == 0) {
		ln_cause(cause, "%s resolves to no usable address", e->addr);
		return (LN_E_INVAL);
	}
	*n = k;
	return (0);
}

/*
 * The client key, with a message that says to run `lnsh keygen` when
 * there is none yet.
 */
static int
rpc_client_key(uint8_t *sk, uint8_t *pk, char **cause)
{
	struct stat	 st;
	char		*path = NULL;
	int		 r;

	if ((r = paths_config_file(PATHS_CLIENT_KEY, &path, cause)) != 0)
		return (r);
	if (lstat(path, &st) == -1 && errno == ENOENT) {
		ln_cause(cause, "no client key at %s; create one with "
		    "'lnsh keygen'", path);
		r = LN_E_INVAL;
		goto out;
	}
	r = key_load_private(path, sk, pk, NULL, cause);
out:
	free(path);
	return (r);
}

/*
 * Splits "USER@HOST": the account to be served as on the server, else the
 * local user's name. *hostp points into spec.
 */
static int
rpc_user(const char *spec, char **user, const char **hostp, char **cause)
{
	struct passwd	*pw;
	const char	*at;

	if ((at = strrchr(spec, '@')) != NULL) {
		if (at == spec || at[1] == '\0') {
			ln_cause(cause, "'%s': want HOST or USER@HOST", spec);
			return (LN_E_INVAL);
		}
		*user = xmemdup(spec, (size_t)(at - spec) + 1);
		(*user)[at - spec] = '\0';
		*hostp = at + 1;
		return (0);
	}
	if ((pw = getpwuid(getuid())) == NULL) {
		ln_cause(cause, "uid %lu has no password entry; say which "
		    "account to use as USER@%s", (unsigned long)getuid(), spec);
		return (LN_E_INVAL);
	}
	*user = xstrdup(pw->pw_name);
	*hostp = spec;
	return (0);
}

/*
 * The account the hosts line names (USER@ADDRESS, which lnsh pair
 * stores), unless the command line said USER@HOST. The config's User, a
 * choice made by hand, is applied after this and wins.
 */
static void
rpc_hosts_user(const char *spec, const struct host_entry *e, char **user)
{
	if (e->user[0] == '\0' || strchr(spec, '@') != NULL)
		return;
	free(*user);
	*user = xstrdup(e->user);
}

/*
 * The message for "no answer from HOST": lnsh cannot tell why (the server
 * answers nothing it does not accept, by design), so it lists the causes,
 * the likeliest first, each with the check that tells. The one place this
 * text lives: rpc_call_wait and attach both use it.
 */
void
rpc_noanswer_cause(char **cause, const char *host, const char *addr,
    uint64_t ms, const char *user)
{
	ln_cause(cause, "no answer from %s (%s) within %.1f s; the causes, "
	    "likeliest first: lnshd is not running there or not on that port "
	    "(run 'lnshd status' there); the server's key changed (compare "
	    "'lnshd pubkey' there with 'lnsh hosts'); the account '%s' is not "
	    "authorized there (its authorized_keys needs the line 'lnsh "
	    "pubkey' prints); this computer's clock ran ahead and was set "
	    "back (lnshd refuses handshakes older than the newest it saw "
	    "from this key, and says so in its log, until the clock passes "
	    "that point; the log says how to reset it)", host, addr,
	    (double)ms / 1000, user);
}

/*
 * Sends req to HOST (an alias, or an address in the hosts file, either
 * optionally as USER@HOST) and waits for its reply. On success *reply is
 * the unpacked Reply, for lnsh__reply__free_unpacked. RPC_E_NOANSWER: no
 * answer in time; any other failure says why in *cause. For a request
 * whose answer may take long (lnsh wait), once the request is out, the
 * reply is waited for wait_ms (UINT64_MAX: for ever; 0: the usual
 * deadline). RPC_E_WAITED: no reply in wait_ms.
 */
int
rpc_call_wait(const char *spec, Lnsh__Request *req, Lnsh__Reply **reply,
    uint64_t wait_ms, char **cause)
{
	static const struct chan_client_ops ops = {
		.send = rpc_send,
		.message = rpc_message,
		.connected = rpc_connected,
	};
	struct rpc_call		 c;
	struct chan_config	 cfg;
	struct host_entry	 e;
	struct chan_addr	 addrs[UDP_MAX_ADDRS];
	uint8_t			 sk[LN_KEY_LEN], pk[LN_KEY_LEN];
	char			*hosts = NULL, *user = NULL;
	char			 shown[HOSTS_ADDR_MAX + 16];
	const char		*host;
	uint64_t		 ms, now;
	size_t			 n;
	int			 r, opened = 0;

	memset(&c, 0, sizeof c);
	if ((r = rpc_timeout_ms(&ms, cause)) != 0)
		goto out;
	if ((r = rpc_user(spec, &user, &host, cause)) != 0)
		goto out;
	if ((r = paths_config_file(PATHS_HOSTS, &hosts, cause)) != 0)
		goto out;
	if ((r = hosts_lookup(hosts, host, &e, cause)) != 0)
		goto out;
	rpc_hosts_user(spec, &e, &user);
	if ((r = userconf_rpc(spec, e.alias, &ms, &user, cause)) != 0)
		goto out;
	if ((r = rpc_resolve(&e, addrs, &n, cause)) != 0)
		goto out;
	if ((r = rpc_client_key(sk, pk, cause)) != 0)
		goto out;
	if ((r = udp_open(&c.u, addrs, n, cause)) != 0)
		goto out;
	opened = 1;
	memset(&cfg, 0, sizeof cfg);
	/* A long wait must not look idle: lnshd forgets silent peers. */
	if (wait_ms != 0)
		cfg.keepalive_ns = RPC_WAIT_KEEPALIVE_NS;
	c.u.cc = chan_client_new(&cfg, sk, e.key, user, &ops, &c);
	if (c.u.cc == NULL) {
		ln_cause(cause, "cannot use the client key or user '%s'",
		    user);
		r = LN_E_INVAL;
		goto out;
	}

	req->id = RPC_REQUEST_ID;
	c.reqlen = lnsh__request__get_packed_size(req);
	c.req = xmalloc(c.reqlen > 0 ? c.reqlen : 1);
	lnsh__request__pack(req, c.req);

	now = ln_now_ns();
	if ((r = chan_client_connect(c.u.cc, now)) != 0) {
		ln_cause(cause, "cannot start the handshake: %s",
		    ln_strerror(r));
		goto out;
	}
	r = udp_run(&c.u, now + ms * LN_NS_PER_MS, rpc_is_connected, &c);
	if (r == 0 && wait_ms != 0) {
		r = udp_run(&c.u, wait_ms == UINT64_MAX ? UINT64_MAX :
		    ln_now_ns() + wait_ms * LN_NS_PER_MS, rpc_has_reply, &c);
		if (r == RPC_E_NOANSWER)
			r = RPC_E_WAITED;
	} else if (r == 0)
		r = udp_run(&c.u, ln_now_ns() + ms * LN_NS_PER_MS,
		    rpc_has_reply, &c);
	if (r == RPC_E_WAITED) {
		/* lnsh wait --timeout gave up: the connection is done too. */
		if (chan_client_closes(c.u.cc))
			rpc_close(&c);
		goto out;
	}
	if (r == RPC_E_NOANSWER) {
		(void)hosts_format_address(e.addr, e.port, shown,
		    sizeof shown);
		rpc_noanswer_cause(cause, host, shown, ms, user);
		goto out;
	}
	if (r != 0) {
		ln_cause(cause, "%s: %s", host, strerror(errno));
		goto out;
	}
	if (c.send_err != 0) {
		ln_cause(cause, "cannot send the request to %s: %s", host,
		    ln_strerror(c.send_err));
		r = c.send_err;
		goto out;
	}
	if (c.reply == NULL) {
		ln_cause(cause, "%s sent a reply lnsh cannot read; is lnshd "
		    "there a different version?", host);
		r = LN_E_INVAL;
		goto out;
	}
	/*
	 * The ack goes now, in a CloseRequest when lnshd takes one (its
	 * Welcome said so): lnshd forgets this connection at once rather
	 * than keep its slot until it idles out. Not waited for: lnshd
	 * answers nothing, and should the datagram be lost the connection
	 * idles out, or is evicted at max-clients, as an older lnsh's does.
	 * The linger covers a send that could not go at once.
	 */
	if (chan_client_closes(c.u.cc))
		rpc_close(&c);
	else
		chan_client_ack_now(c.u.cc, ln_now_ns());
	(void)udp_run(&c.u, ln_now_ns() + RPC_LINGER_NS, rpc_acked, &c);
	*reply = c.reply;
	c.reply = NULL;
	r = 0;
out:
	sodium_memzero(sk, sizeof sk);
	if (c.u.cc != NULL)
		chan_client_free(c.u.cc);
	if (opened)
		udp_close(&c.u);
	if (c.reply != NULL)
		lnsh__reply__free_unpacked(c.reply, NULL);
	free(c.req);
	free(hosts);
	free(user);
	return (r);
}

/*
 * Runs one request for a verb and turns the outcome into lnsh's exit code,
 * saying what went wrong, and what to do, on stderr. name is the session
 * the request is about (NULL for ls). On LNSH_EXIT_OK *reply is the reply.
 */
int
rpc_run(const char *host, const char *name, Lnsh__Request *req,
    Lnsh__Reply **reply)
{
	return (rpc_run_wait(host, name, req, reply, 0));
}

/*
 * The reason lnshd gives in a "no session" answer for a session whose
 * holder went without a word ("gone: REASON", server/clients.c), or NULL
 * when the error is not that.
 */
const char *
rpc_gone_why(const char *error)
{
	static const char	prefix[] = "gone: ";

	if (error == NULL || strncmp(error, prefix, sizeof prefix - 1) != 0)
		return (NULL);
	return (error + sizeof prefix - 1);
}

/*
 * rpc_run for a request answered when something happens (rpc_call_wait):
 * LNSH_EXIT_WAITED when wait_ms passed first.
 */
int
rpc_run_wait(const char *host, const char *name, Lnsh__Request *req,
    Lnsh__Reply **reply, uint64_t wait_ms)
{
	Lnsh__Reply	*rp = NULL;
	char		*cause = NULL;
	const char	*gone;
	uint64_t	 ms;
	int		 r, ex;

	if (rpc_timeout_ms(&ms, &cause) != 0) {
		cmd_error("%s", cause);
		free(cause);
		return (LNSH_EXIT_USAGE);
	}
	if ((r = rpc_call_wait(host, req, &rp, wait_ms, &cause)) != 0) {
		if (r == RPC_E_WAITED)
			return (LNSH_EXIT_WAITED);
		cmd_error("%s", cause != NULL ? cause : ln_strerror(r));
		free(cause);
		return (r == RPC_E_NOANSWER ? LNSH_EXIT_NOANSWER :
		    LNSH_EXIT_ERROR);
	}
	switch (rp->status) {
	case LNSH_EXIT_OK:
		*reply = rp;
		return (LNSH_EXIT_OK);
	case LNSH_EXIT_NOSESSION:
		if ((gone = rpc_gone_why(rp->error)) != NULL)
			cmd_error("session '%s' on %s is gone (%s); 'lnsh kill "
			    "%s %s' forgets it, 'lnsh new' starts it again",
			    name != NULL ? name : "", host, gone, host,
			    name != NULL ? name : "");
		else
			cmd_error("no such session '%s' on %s; see 'lnsh ls "
			    "%s'", name != NULL ? name : "", host, host);
		ex = LNSH_EXIT_NOSESSION;
		break;
	case LNSH_EXIT_EXISTS:
		cmd_error("session '%s' already exists on %s; choose another "
		    "name, or end it with 'lnsh kill %s %s'",
		    name != NULL ? name : "", host, host,
		    name != NULL ? name : "");
		ex = LNSH_EXIT_EXISTS;
		break;
	default:
		cmd_error("%s: %s", host, rp->error != NULL &&
		    *rp->error != '\0' ? rp->error : "the request failed "
		    "(lnshd gave no reason; its log may)");
		ex = LNSH_EXIT_ERROR;
		break;
	}
	lnsh__reply__free_unpacked(rp, NULL);
	return (ex);
}

/*
 * What a long-lived connection (lnsh attach) needs before its handshake,
 * found as rpc_call_wait finds it: HOST's entry and addresses, the client
 * key, the user to be served as and the deadline. The caller wipes t->sk
 * and frees t->user.
 */
int
rpc_target(const char *spec, struct rpc_target *t, char **cause)
{
	uint8_t	pk[LN_KEY_LEN];
	char	*hosts = NULL;
	int	 r;

	memset(t, 0, sizeof *t);
	if ((r = rpc_timeout_ms(&t->timeout_ms, cause)) != 0)
		goto out;
	if ((r = rpc_user(spec, &t->user, &t->host, cause)) != 0)
		goto out;
	if ((r = paths_config_file(PATHS_HOSTS, &hosts, cause)) != 0)
		goto out;
	if ((r = hosts_lookup(hosts, t->host, &t->e, cause)) != 0)
		goto out;
	rpc_hosts_user(spec, &t->e, &t->user);
	if ((r = userconf_rpc(spec, t->e.alias, &t->timeout_ms, &t->user,
	    cause)) != 0)
		goto out;
	if ((r = rpc_resolve(&t->e, t->addrs, &t->n, cause)) != 0)
		goto out;
	r = rpc_client_key(t->sk, pk, cause);
out:
	if (r != 0) {
		free(t->user);
		t->user = NULL;
		sodium_memzero(t->sk, sizeof t->sk);
	}
	free(hosts);
	return (r);
}
