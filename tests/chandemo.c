/*
 * chandemo.c: the channel demo, and the driver of the loopback regress test.
 *
 *	chandemo server [--listen ADDR:PORT] [--key FILE]
 *	chandemo client --to ADDR:PORT --server-key KEY [--count N]
 *	    [--sizes N,N,...] [--rebind-at K] [--timeout SEC] [--window BYTES]
 *	    [--progress N] [--user NAME]
 *
 * The server prints its public key and where it listens, then echoes every
 * message back to whoever sent it, printing what happens: connections,
 * peer address changes, and every dropped packet with its reason. On
 * SIGTERM or SIGINT it reads what is still queued on its socket, prints its
 * counters, and exits 0.
 *
 * The client connects, sends --count reliable messages cycling through
 * --sizes (payload bytes, 0 allowed), each behind a header carrying its
 * index, size and a BLAKE2b of both and the payload, keeping at most
 * --window bytes of them unechoed. It checks that every echo comes back
 * exactly once and intact, optionally moves to a fresh local socket once
 * --rebind-at echoes are back (roaming, as a laptop changing networks
 * does), prints "progress" every --progress echoes, and a summary. It
 * exits 0 only if every message came back once and intact before --timeout.
 *
 * The demo server admits any client key: it has no authorized_keys yet.
 * Everything runs in one poll() loop per process, timed by the deadlines the
 * sans-I/O channel returns from its tick functions.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "proto.h"
#include "netutil.h"

#define DEMO_MAX_PEERS		64
#define DEMO_MAX_SIZES		64
#define DEMO_HASH_LEN		16
#define DEMO_HDR_LEN		(4 + 4 + DEMO_HASH_LEN)
#define DEMO_DEFAULT_SIZES	"0,1,100,1000,1200,1300,5000,30000,100000"
#define DEMO_RECV_BATCH		256
#define DEMO_B64_LEN		sodium_base64_ENCODED_LEN(LN_KEY_LEN, \
				    sodium_base64_VARIANT_ORIGINAL)
#define DEMO_KEY_PREFIX		"lnsh-x25519"
#define DEMO_PRIV_PREFIX	"lnsh-x25519-private"

static int	 sig_fd = -1;	/* the self-pipe's read end */

/* An echo waiting for room in the peer's send window. */
struct echo {
	struct chan_peer	*peer;
	int			 flags;
	size_t			 len;
	struct echo		*next;
	uint8_t			 data[];
};

/* What the server remembers of each connection, to report changes. */
struct peer_info {
	struct chan_peer	*peer;
	struct chan_addr	 addr;
	unsigned		 id;
};

struct server {
	int			 fd;
	struct chan_server	*cs;
	uint64_t		 now;
	struct peer_info	 peers[DEMO_MAX_PEERS];
	unsigned		 next_id;
	struct echo		*echo_head, **echo_tail;
	int			 in_input;
	uint64_t		 sent_in_input;
	uint64_t		 replies_to_drops;
	uint64_t		 moves;
	uint64_t		 echoed;
};

struct client {
	int			 fd;
	struct chan_client	*cc;
	struct chan_addr	 to;
	uint64_t		 count;
	size_t			 sizes[DEMO_MAX_SIZES];
	size_t			 nsizes;
	uint8_t			*seen;		/* echoes per message */
	uint64_t		 sent, delivered, duplicates, corrupted;
	uint64_t		 unexpected;	/* unreliable or unknown index */
	size_t			 in_flight;	/* bytes sent, not yet echoed */
	uint64_t		 progress;	/* report every this many */
	int			 connected;
};

/* Says how to call us and exits 2. */
static void __attribute__((noreturn))
usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "chandemo: %s\n", why);
	fprintf(stderr,
	    "usage: chandemo server [--listen ADDR:PORT] [--key FILE]\n"
	    "       chandemo client --to ADDR:PORT --server-key KEY "
	    "[--count N]\n"
	    "\t[--sizes N,N,...] [--rebind-at K] [--timeout SEC] "
	    "[--window BYTES]\n"
	    "\t[--progress N] [--user NAME]\n");
	exit(2);
}

/*
 * Resolves "ADDR:PORT" or "[V6ADDR]:PORT". An empty ADDR (":PORT" or just
 * "PORT") is the wildcard address, IPv6 when the system has it (the socket
 * is then made dual-stack), IPv4 otherwise.
 */
static int
resolve(const char *spec, int passive, struct chan_addr *out)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		 host[256];
	const char	*port, *h = NULL;
	size_t		 n = 0;
	int		 rc = -1;

	if ((port = strrchr(spec, ':')) == NULL)
		port = spec;
	else {
		n = (size_t)(port - spec);
		port++;
		if (n >= 2 && spec[0] == '[' && spec[n - 1] == ']') {
			spec++;
			n -= 2;
		}
	}
	if (n >= sizeof host)
		goto out;
	if (n > 0) {
		memcpy(host, spec, n);
		host[n] = '\0';
		h = host;
	} else if (!passive)
		goto out;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	if (getaddrinfo(h, port, &hints, &res) != 0)
		goto out;
	/* For the wildcard, prefer IPv6 (dual-stack) when it is offered. */
	for (ai = res; ai != NULL; ai = ai->ai_next)
		if (h != NULL || ai->ai_family == AF_INET6)
			break;
	if (ai == NULL)
		ai = res;
	if (ai == NULL || ai->ai_addrlen > sizeof out->ss)
		goto out;
	memset(out, 0, sizeof *out);
	memcpy(&out->ss, ai->ai_addr, ai->ai_addrlen);
	out->len = ai->ai_addrlen;
	rc = 0;
out:
	if (res != NULL)
		freeaddrinfo(res);
	return (rc);
}

/*
 * A UDP socket of the family of a, bound to a (server) or connected to it
 * (client). An IPv6 socket is dual-stack, so a wildcard server also takes
 * IPv4 clients.
 */
static int
udp_socket(const struct chan_addr *a, int do_bind)
{
	int	fd, off = 0;

	if ((fd = socket(a->ss.ss_family, SOCK_DGRAM, 0)) == -1)
		return (-1);
	if (a->ss.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
		    sizeof off);
	if (net_nonblock(fd) == -1 ||
	    (do_bind && bind(fd, (const struct sockaddr *)&a->ss, a->len)) ||
	    (!do_bind &&
	    connect(fd, (const struct sockaddr *)&a->ss, a->len))) {
		close(fd);
		return (-1);
	}
	return (fd);
}

/* The local port of a socket, for messages. */
static unsigned
local_port(int fd)
{
	struct chan_addr	a;
	char			s[NI_MAXHOST + NI_MAXSERV + 2], *sp;

	a.len = sizeof a.ss;
	if (getsockname(fd, (struct sockaddr *)&a.ss, &a.len) == -1)
		return (0);
	net_addr_str(&a, s, sizeof s);
	sp = strrchr(s, ' ');
	return (sp == NULL ? 0 : (unsigned)strtoul(sp + 1, NULL, 10));
}

/* Milliseconds from now until a deadline, for poll(); -1: none. */
static int
poll_timeout(uint64_t now, uint64_t deadline)
{
	if (deadline == UINT64_MAX)
		return (-1);
	return (ln_wait_ms(now, deadline));
}

/* Writes a public key as "lnsh-x25519 BASE64". */
static void
key_text(const uint8_t *pk, char *s, size_t len)
{
	char	b64[DEMO_B64_LEN];

	sodium_bin2base64(b64, sizeof b64, pk, LN_KEY_LEN,
	    sodium_base64_VARIANT_ORIGINAL);
	snprintf(s, len, "%s %s", DEMO_KEY_PREFIX, b64);
}

/* Reads a key from base64, with or without its type prefix. */
static int
key_from_text(const char *s, const char *prefix, uint8_t *key)
{
	size_t		 n, plen = strlen(prefix);
	const char	*end;

	while (*s == ' ')
		s++;
	if (strncmp(s, prefix, plen) == 0 && s[plen] == ' ')
		s += plen + 1;
	for (end = s; *end != '\0' && *end != ' ' && *end != '\n'; end++)
		;
	if (sodium_base642bin(key, LN_KEY_LEN, s, (size_t)(end - s), NULL,
	    &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 || n != LN_KEY_LEN)
		return (-1);
	return (0);
}

/*
 * The server's key pair: from FILE if it exists, else generated (and saved
 * to FILE, mode 0600, when one is named).
 */
static void
server_keys(const char *path, uint8_t *sk, uint8_t *pk)
{
	FILE	*fp;
	char	 line[256], b64[DEMO_B64_LEN];
	int	 fd;

	if (path != NULL && (fp = fopen(path, "r")) != NULL) {
		if (fgets(line, sizeof line, fp) == NULL ||
		    key_from_text(line, DEMO_PRIV_PREFIX, sk) != 0 ||
		    noise_pubkey(sk, pk) != 0) {
			fprintf(stderr, "chandemo: %s:1: want \"%s BASE64\"\n",
			    path, DEMO_PRIV_PREFIX);
			exit(1);
		}
		fclose(fp);
		sodium_memzero(line, sizeof line);
		return;
	}
	if (path != NULL && errno != ENOENT) {
		fprintf(stderr, "chandemo: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	if (noise_keypair(sk, pk) != 0) {
		fprintf(stderr, "chandemo: noise_keypair failed\n");
		exit(1);
	}
	if (path == NULL)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd == -1 || (fp = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "chandemo: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	sodium_bin2base64(b64, sizeof b64, sk, LN_KEY_LEN,
	    sodium_base64_VARIANT_ORIGINAL);
	fprintf(fp, "%s %s\n", DEMO_PRIV_PREFIX, b64);
	sodium_memzero(b64, sizeof b64);
	if (fclose(fp) != 0) {
		fprintf(stderr, "chandemo: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* The server's record of a peer, or NULL. */
static struct peer_info *
srv_info(struct server *s, const struct chan_peer *peer)
{
	int	i;

	for (i = 0; i < DEMO_MAX_PEERS; i++)
		if (s->peers[i].peer == peer)
			return (&s->peers[i]);
	return (NULL);
}

/* ops->send: a datagram to a peer. */
static void
srv_send(void *arg, const struct chan_addr *to, const uint8_t *pkt,
    size_t len)
{
	struct server	*s = arg;

	if (s->in_input)
		s->sent_in_input++;
	(void)sendto(s->fd, pkt, len, 0, (const struct sockaddr *)&to->ss,
	    to->len);
}

/* ops->authorize: the demo admits every key. */
static int
srv_authorize(void *arg, const uint8_t *pk, const char *user)
{
	return (0);
}

/* ops->connect: a new connection. */
static void
srv_connect(void *arg, struct chan_peer *peer)
{
	struct server		*s = arg;
	struct peer_info	*pi;
	char			 a[NI_MAXHOST + NI_MAXSERV + 2];
	char			 k[DEMO_B64_LEN + sizeof DEMO_KEY_PREFIX];

	if ((pi = srv_info(s, NULL)) == NULL) {
		printf("connect: no room to track this peer\n");
		return;
	}
	pi->peer = peer;
	pi->addr = *chan_peer_addr(peer);
	pi->id = ++s->next_id;
	key_text(chan_peer_key(peer), k, sizeof k);
	printf("connect peer=%u from %s user=%s key=%s\n", pi->id,
	    net_addr_str(&pi->addr, a, sizeof a), chan_peer_user(peer), k);
}

/* ops->disconnect: a connection went away; forget its pending echoes. */
static void
srv_disconnect(void *arg, struct chan_peer *peer)
{
	struct server		*s = arg;
	struct peer_info	*pi;
	struct echo		**ep, *e;

	for (ep = &s->echo_head; (e = *ep) != NULL;) {
		if (e->peer == peer) {
			*ep = e->next;
			free(e);
		} else
			ep = &e->next;
	}
	s->echo_tail = &s->echo_head;
	for (e = s->echo_head; e != NULL; e = e->next)
		s->echo_tail = &e->next;
	if ((pi = srv_info(s, peer)) != NULL) {
		printf("disconnect peer=%u\n", pi->id);
		memset(pi, 0, sizeof *pi);
	}
}

/*
 * ops->message: queue the echo. It is sent once chan_server_input returns,
 * not from inside the channel's own delivery.
 */
static void
srv_message(void *arg, struct chan_peer *peer, const uint8_t *msg,
    size_t len, int reliable)
{
	struct server	*s = arg;
	struct echo	*e;

	e = xmalloc(sizeof *e + len);
	e->peer = peer;
	e->flags = reliable ? CHAN_RELIABLE : 0;
	e->len = len;
	e->next = NULL;
	if (len > 0)
		memcpy(e->data, msg, len);
	*s->echo_tail = e;
	s->echo_tail = &e->next;
}

/* Sends queued echoes until one finds its peer's window full. */
static void
srv_flush_echoes(struct server *s)
{
	struct echo	*e;
	int		 r;

	while ((e = s->echo_head) != NULL) {
		r = chan_server_send(s->cs, e->peer, e->data, e->len, e->flags,
		    s->now);
		if (r == LN_E_FULL)
			return;
		if (r != 0)
			printf("echo failed: %s\n", ln_strerror(r));
		else
			s->echoed++;
		if ((s->echo_head = e->next) == NULL)
			s->echo_tail = &s->echo_head;
		free(e);
	}
}

/*
 * Was a drop of this reason about a packet the server did not accept at
 * all? Those must never get a reply. Later reasons (frames, fragments,
 * messages) come from authenticated packets, which may be acknowledged.
 */
static int
packet_drop(int reason)
{
	return (reason <= LN_DROP_EXPIRED);
}

/* Reports address changes of known peers. */
static void
srv_check_moves(struct server *s)
{
	const struct chan_addr	*now_at;
	struct peer_info	*pi;
	char			 a[NI_MAXHOST + NI_MAXSERV + 2];
	char			 b[NI_MAXHOST + NI_MAXSERV + 2];
	int			 i;

	for (i = 0; i < DEMO_MAX_PEERS; i++) {
		pi = &s->peers[i];
		if (pi->peer == NULL)
			continue;
		now_at = chan_peer_addr(pi->peer);
		if (now_at->len == pi->addr.len &&
		    memcmp(&now_at->ss, &pi->addr.ss, now_at->len) == 0)
			continue;
		printf("peer-move peer=%u from %s to %s\n", pi->id,
		    net_addr_str(&pi->addr, a, sizeof a),
		    net_addr_str(now_at, b, sizeof b));
		pi->addr = *now_at;
		s->moves++;
	}
}

/* One datagram: into the channel, then report what it caused. */
static void
srv_input(struct server *s, const uint8_t *pkt, size_t len,
    const struct chan_addr *from)
{
	struct ln_counters	before;
	const struct ln_counters *after;
	char			a[NI_MAXHOST + NI_MAXSERV + 2];
	int			i, refused = 0;

	before = *chan_server_counters(s->cs);
	s->in_input = 1;
	s->sent_in_input = 0;
	chan_server_input(s->cs, pkt, len, from, s->now);
	s->in_input = 0;
	after = chan_server_counters(s->cs);
	for (i = 0; i < LN_DROP_MAX; i++) {
		if (after->drop[i] == before.drop[i])
			continue;
		printf("drop %s from %s (total %llu)\n", ln_drop_name(i),
		    net_addr_str(from, a, sizeof a),
		    (unsigned long long)after->drop[i]);
		if (packet_drop(i))
			refused = 1;
	}
	if (refused && s->sent_in_input > 0) {
		printf("REPLY TO A DROPPED PACKET from %s\n",
		    net_addr_str(from, a, sizeof a));
		s->replies_to_drops++;
	}
	srv_check_moves(s);
	srv_flush_echoes(s);
}

/* Reads every datagram waiting on the server socket. */
static void
srv_read(struct server *s, uint8_t *pkt, size_t cap, int all)
{
	struct chan_addr	from;
	ssize_t			n;
	int			i;

	for (i = 0; all || i < DEMO_RECV_BATCH; i++) {
		memset(&from, 0, sizeof from);
		from.len = sizeof from.ss;
		n = recvfrom(s->fd, pkt, cap, 0, (struct sockaddr *)&from.ss,
		    &from.len);
		if (n == -1)
			return;
		s->now = ln_now_ns();
		srv_input(s, pkt, (size_t)n, &from);
	}
}

/* Prints a counter block, one "PREFIX NAME VALUE" per line. */
static void
print_counters(const char *prefix, const struct ln_counters *c)
{
	int	i;

	printf("%s rx_packets %llu\n%s tx_packets %llu\n"
	    "%s handshakes %llu\n%s messages_in %llu\n"
	    "%s messages_out %llu\n%s retransmits %llu\n",
	    prefix, (unsigned long long)c->rx_packets,
	    prefix, (unsigned long long)c->tx_packets,
	    prefix, (unsigned long long)c->handshakes,
	    prefix, (unsigned long long)c->messages_in,
	    prefix, (unsigned long long)c->messages_out,
	    prefix, (unsigned long long)c->retransmits);
	for (i = 0; i < LN_DROP_MAX; i++)
		if (c->drop[i] != 0)
			printf("%s drop.%s %llu\n", prefix, ln_drop_name(i),
			    (unsigned long long)c->drop[i]);
	printf("%s drops %llu\n", prefix,
	    (unsigned long long)ln_drops_total(c));
}

/* chandemo server: echo every message back to its sender. */
static int
server_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "key", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	static const int sigs[] = { SIGTERM, SIGINT };
	static const struct chan_server_ops ops = {
		.send = srv_send,
		.authorize = srv_authorize,
		.connect = srv_connect,
		.disconnect = srv_disconnect,
		.message = srv_message,
	};
	struct server		 s;
	struct chan_config	 cfg;
	struct chan_addr	 la;
	struct pollfd		 pfd[2];
	struct echo		*e;
	const char		*listen = "127.0.0.1:0", *keyfile = NULL;
	uint8_t			 sk[LN_KEY_LEN], pk[LN_KEY_LEN], *pkt;
	char			 a[NI_MAXHOST + NI_MAXSERV + 2];
	char			 k[DEMO_B64_LEN + sizeof DEMO_KEY_PREFIX];
	unsigned char		 sig;
	uint64_t		 deadline;
	int			 ch, quit = 0;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			listen = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		default:
			usage(NULL);
		}
	}
	if (optind != argc)
		usage("server: unexpected arguments");
	if (resolve(listen, 1, &la) != 0)
		usage("--listen: want [ADDR]:PORT");

	memset(&s, 0, sizeof s);
	s.echo_tail = &s.echo_head;
	server_keys(keyfile, sk, pk);
	memset(&cfg, 0, sizeof cfg);
	if ((s.cs = chan_server_new(&cfg, sk, &ops, &s)) == NULL) {
		fprintf(stderr, "chandemo: chan_server_new failed\n");
		return (1);
	}
	sodium_memzero(sk, sizeof sk);
	if ((s.fd = udp_socket(&la, 1)) == -1) {
		fprintf(stderr, "chandemo: %s: %s\n", listen, strerror(errno));
		return (1);
	}
	la.len = sizeof la.ss;
	getsockname(s.fd, (struct sockaddr *)&la.ss, &la.len);
	sig_fd = net_signal_pipe("chandemo", sigs,
	    sizeof sigs / sizeof sigs[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	key_text(pk, k, sizeof k);
	printf("key %s\n", k);
	printf("listening %s\n", net_addr_str(&la, a, sizeof a));

	pkt = xmalloc(LN_MAX_DATAGRAM + 1);
	while (!quit) {
		s.now = ln_now_ns();
		deadline = chan_server_tick(s.cs, s.now);
		srv_check_moves(&s);
		srv_flush_echoes(&s);
		pfd[0].fd = sig_fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = s.fd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, poll_timeout(s.now, deadline)) == -1 &&
		    errno != EINTR) {
			perror("chandemo: poll");
			return (1);
		}
		while (read(sig_fd, &sig, 1) == 1)
			quit = 1;
		if (pfd[1].revents & POLLIN)
			srv_read(&s, pkt, LN_MAX_DATAGRAM + 1, 0);
	}
	/* What is queued arrived before the signal: count it too. */
	srv_read(&s, pkt, LN_MAX_DATAGRAM + 1, 1);
	print_counters("final", chan_server_counters(s.cs));
	printf("final echoed %llu\nfinal peer_moves %llu\n"
	    "final replies_to_drops %llu\n",
	    (unsigned long long)s.echoed, (unsigned long long)s.moves,
	    (unsigned long long)s.replies_to_drops);
	chan_server_free(s.cs);
	while ((e = s.echo_head) != NULL) {
		s.echo_head = e->next;
		free(e);
	}
	free(pkt);
	return (0);
}

/* The payload size of message i. */
static size_t
msg_size(const struct client *c, uint64_t i)
{
	return (c->sizes[i % c->nsizes]);
}

/* The hash over a message's index, size and payload. */
static void
msg_hash(uint64_t i, size_t size, const uint8_t *payload, uint8_t *out)
{
	crypto_generichash_state	st;
	uint8_t				hdr[8];
	struct buf			b;

	buf_writer(&b, hdr, sizeof hdr);
	buf_put_u32le(&b, (uint32_t)i);
	buf_put_u32le(&b, (uint32_t)size);
	crypto_generichash_init(&st, NULL, 0, DEMO_HASH_LEN);
	crypto_generichash_update(&st, hdr, sizeof hdr);
	crypto_generichash_update(&st, payload, size);
	crypto_generichash_final(&st, out, DEMO_HASH_LEN);
}

/* Builds message i: header, then a payload that differs per message. */
static uint8_t *
msg_build(const struct client *c, uint64_t i, size_t *lenp)
{
	uint8_t		 seed[randombytes_SEEDBYTES], *m, *payload;
	size_t		 size = msg_size(c, i);
	struct buf	 b;

	m = xmalloc(DEMO_HDR_LEN + size);
	payload = m + DEMO_HDR_LEN;
	memset(seed, 0, sizeof seed);
	buf_writer(&b, seed, 8);
	buf_put_u64le(&b, i);
	randombytes_buf_deterministic(payload, size, seed);
	buf_writer(&b, m, DEMO_HDR_LEN);
	buf_put_u32le(&b, (uint32_t)i);
	buf_put_u32le(&b, (uint32_t)size);
	msg_hash(i, size, payload, buf_put_ptr(&b, DEMO_HASH_LEN));
	*lenp = DEMO_HDR_LEN + size;
	return (m);
}

/* ops->message: an echo came back; check it is whole and new. */
static void
cli_message(void *arg, const uint8_t *msg, size_t len, int reliable)
{
	struct client	*c = arg;
	struct buf	 b;
	uint32_t	 i, size;
	uint8_t		 hash[DEMO_HASH_LEN], want[DEMO_HASH_LEN];
	const uint8_t	*payload;
	size_t		 left;

	buf_reader(&b, msg, len);
	if (buf_get_u32le(&b, &i) != 0 || buf_get_u32le(&b, &size) != 0 ||
	    buf_get_bytes(&b, hash, sizeof hash) != 0) {
		c->corrupted++;
		return;
	}
	payload = buf_get_rest(&b, &left);
	if (i >= c->sent || size != msg_size(c, i) || left != size) {
		c->corrupted++;
		return;
	}
	msg_hash(i, size, payload, want);
	if (memcmp(hash, want, sizeof want) != 0) {
		c->corrupted++;
		return;
	}
	if (!reliable)
		c->unexpected++;
	if (c->seen[i]++ > 0) {
		c->duplicates++;
		return;
	}
	c->delivered++;
	c->in_flight -= DEMO_HDR_LEN + size;
	if (c->progress > 0 && c->delivered % c->progress == 0)
		printf("progress delivered %llu sent %llu\n",
		    (unsigned long long)c->delivered,
		    (unsigned long long)c->sent);
}

/* ops->send: a datagram to the server (through the connected socket). */
static void
cli_send(void *arg, const uint8_t *pkt, size_t len)
{
	struct client	*c = arg;

	(void)send(c->fd, pkt, len, 0);
}

/* ops->connected: the handshake completed. */
static void
cli_connected(void *arg, int resumed)
{
	struct client	*c = arg;

	if (!c->connected)
		printf("connected (local port %u)\n", local_port(c->fd));
	c->connected = 1;
}

/* Parses --sizes: payload sizes in bytes, comma separated. */
static void
parse_sizes(struct client *c, const char *s)
{
	char	*end;
	size_t	 v;

	c->nsizes = 0;
	for (;;) {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno != 0 || end == s || *s == '-' ||
		    v > LN_MAX_MESSAGE / 2 || c->nsizes == DEMO_MAX_SIZES)
			usage("--sizes: want sizes in bytes, comma separated");
		c->sizes[c->nsizes++] = v;
		if (*end == '\0')
			break;
		if (*end != ',')
			usage("--sizes: want sizes in bytes, comma separated");
		s = end + 1;
	}
}

/* Hands the channel as many new messages as the window allows. */
static void
cli_send_more(struct client *c, size_t window, uint64_t now)
{
	uint8_t	*m;
	size_t	 len;
	int	 r;

	while (c->sent < c->count &&
	    (c->in_flight == 0 || c->in_flight + DEMO_HDR_LEN +
	    msg_size(c, c->sent) <= window)) {
		m = msg_build(c, c->sent, &len);
		r = chan_client_send(c->cc, m, len, CHAN_RELIABLE, now);
		free(m);
		if (r == LN_E_FULL)
			return;
		if (r != 0) {
			fprintf(stderr, "chandemo: send: %s\n", ln_strerror(r));
			exit(1);
		}
		c->sent++;
		c->in_flight += len;
	}
}

/* Moves to a fresh socket (a new source port) and tells the server. */
static void
cli_rebind(struct client *c, uint64_t now)
{
	unsigned	old = local_port(c->fd);
	int		fd;

	if ((fd = udp_socket(&c->to, 0)) == -1) {
		fprintf(stderr, "chandemo: rebind: %s\n", strerror(errno));
		exit(1);
	}
	close(c->fd);
	c->fd = fd;
	printf("rebind after %llu echoes: local port %u -> %u\n",
	    (unsigned long long)c->delivered, old, local_port(c->fd));
	(void)chan_client_keepalive(c->cc, now);
}

/* chandemo client: send, check the echoes, summarise. */
static int
client_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "server-key", required_argument, NULL, 'k' },
		{ "count", required_argument, NULL, 'n' },
		{ "sizes", required_argument, NULL, 's' },
		{ "rebind-at", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "window", required_argument, NULL, 'w' },
		{ "user", required_argument, NULL, 'u' },
		{ "progress", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct chan_client_ops ops = {
		.send = cli_send,
		.message = cli_message,
		.connected = cli_connected,
	};
	struct client			 c;
	struct chan_config		 cfg;
	const struct ln_counters	*ct;
	const char			*to = NULL, *key = NULL, *user = "demo";
	uint8_t				 spk[LN_KEY_LEN], sk[LN_KEY_LEN];
	uint8_t				 pk[LN_KEY_LEN], *pkt;
	uint64_t			 rebind_at = 0, timeout = 30;
	uint64_t			 start, now, end, deadline;
	size_t				 window = 256 * 1024;
	struct pollfd			 pfd;
	ssize_t				 n;
	int				 ch, i, ok, rebound = 0;

	memset(&c, 0, sizeof c);
	c.count = 200;
	parse_sizes(&c, DEMO_DEFAULT_SIZES);
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			to = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'n':
			c.count = net_parse_u64("count", optarg, usage);
			break;
		case 's':
			parse_sizes(&c, optarg);
			break;
		case 'r':
			rebind_at = net_parse_u64("rebind-at", optarg, usage);
			break;
		case 'T':
			timeout = net_parse_u64("timeout", optarg, usage);
			break;
		case 'w':
			window = net_parse_u64("window", optarg, usage);
			break;
		case 'u':
			user = optarg;
			break;
		case 'p':
			c.progress = net_parse_u64("progress", optarg, usage);
			break;
		default:
			usage(NULL);
		}
	}
	if (optind != argc)
		usage("client: unexpected arguments");
	if (to == NULL || key == NULL)
		usage("client: --to and --server-key are required");
	if (resolve(to, 0, &c.to) != 0)
		usage("--to: want ADDR:PORT");
	if (key_from_text(key, DEMO_KEY_PREFIX, spk) != 0)
		usage("--server-key: want \"lnsh-x25519 BASE64\" or BASE64");
	if (c.count > UINT32_MAX)
		usage("--count: too many");

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (noise_keypair(sk, pk) != 0) {
		fprintf(stderr, "chandemo: noise_keypair failed\n");
		return (1);
	}
	memset(&cfg, 0, sizeof cfg);
	c.cc = chan_client_new(&cfg, sk, spk, user, &ops, &c);
	sodium_memzero(sk, sizeof sk);
	if (c.cc == NULL) {
		fprintf(stderr, "chandemo: chan_client_new failed\n");
		return (1);
	}
	if ((c.fd = udp_socket(&c.to, 0)) == -1) {
		fprintf(stderr, "chandemo: %s: %s\n", to, strerror(errno));
		return (1);
	}
	c.seen = xcalloc(c.count > 0 ? c.count : 1, 1);
	pkt = xmalloc(LN_MAX_DATAGRAM + 1);

	start = now = ln_now_ns();
	end = start + timeout * LN_NS_PER_SEC;
	if ((i = chan_client_connect(c.cc, now)) != 0) {
		fprintf(stderr, "chandemo: connect: %s\n", ln_strerror(i));
		return (1);
	}
	while (c.delivered < c.count && now < end) {
		cli_send_more(&c, window, now);
		deadline = chan_client_tick(c.cc, now);
		if (deadline > end)
			deadline = end;
		pfd.fd = c.fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, poll_timeout(now, deadline)) == -1 &&
		    errno != EINTR) {
			perror("chandemo: poll");
			return (1);
		}
		for (i = 0; i < DEMO_RECV_BATCH; i++) {
			n = recv(c.fd, pkt, LN_MAX_DATAGRAM + 1, 0);
			if (n == -1)
				break;
			now = ln_now_ns();
			chan_client_input(c.cc, pkt, (size_t)n, now);
			/* Move as soon as the count is reached, mid-batch. */
			if (rebind_at > 0 && !rebound &&
			    c.delivered >= rebind_at) {
				cli_rebind(&c, now);
				rebound = 1;
				break;
			}
		}
		now = ln_now_ns();
	}

	ct = chan_client_counters(c.cc);
	ok = c.delivered == c.count && c.duplicates == 0 &&
	    c.corrupted == 0 && c.unexpected == 0;
	printf("sent %llu\ndelivered %llu\nduplicates %llu\ncorrupted %llu\n",
	    (unsigned long long)c.sent, (unsigned long long)c.delivered,
	    (unsigned long long)c.duplicates,
	    (unsigned long long)c.corrupted);
	print_counters("client", ct);
	printf("elapsed %.2f s\n", (double)(now - start) / LN_NS_PER_SEC);
	printf("result %s\n", ok ? "ok" : now >= end ? "TIMEOUT" : "FAILED");
	chan_client_free(c.cc);
	free(c.seen);
	free(pkt);
	return (ok ? 0 : 1);
}

int
main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "chandemo: sodium_init failed\n");
		return (1);
	}
	if (argc < 2)
		usage(NULL);
	if (strcmp(argv[1], "server") == 0)
		return (server_main(argc - 1, argv + 1));
	if (strcmp(argv[1], "client") == 0)
		return (client_main(argc - 1, argv + 1));
	usage("want \"server\" or \"client\"");
}
