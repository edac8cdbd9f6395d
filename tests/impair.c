/*
 * impair.c: a UDP relay that impairs what it forwards, for the regress
 * tests and the benchmarks.
 *
 *	impair --listen [ADDR:]PORT --to ADDR:PORT [--drop P] [--dup P]
 *	    [--reorder P] [--delay MS] [--jitter MS] [--corrupt P] [--seed N]
 *	    [--rebind-every N] [--stats FILE] [--pause-file FILE]
 *
 * Clients send to the listening address; each client address gets its own
 * upstream socket towards --to, as behind a NAT, and replies come back the
 * same way. Every packet in either direction meets each impairment
 * independently: it is dropped with probability --drop; otherwise it is
 * sent twice with probability --dup, and each copy has bits flipped with
 * probability --corrupt, is held back (so later packets overtake it) with
 * probability --reorder, and waits --delay ms plus up to --jitter ms. The
 * delay is one way, so the round trip gains twice --delay.
 *
 * A rebind (every --rebind-every packets from clients, or on SIGUSR1) moves
 * every upstream socket to a fresh source port: the server sees its client's
 * address change mid-stream while the client keeps talking to the same
 * relay port. SIGUSR2 writes the counters, SIGTERM and SIGINT write them and
 * exit 0. Counters go to --stats FILE (replaced atomically, so a reader
 * never sees half of it) or else to stderr, one "name value" per line.
 *
 * While the --pause-file exists, every packet that arrives, either way, is
 * dropped (and counted as paused): the link is cut until the file is
 * removed. A file rather than a signal, so that pausing twice or resuming
 * twice cannot invert the state; the benchmarks' outage test uses it.
 *
 * PORT 0 picks a free port; the relay prints "listening ADDR PORT" on stdout
 * once it is ready, which is what scripts wait for.
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

#define IMP_MAX_FLOWS	64		/* client addresses relayed at once */
#define IMP_MAX_QUEUED	65536		/* packets waiting for their time */
#define IMP_MAX_PACKET	65536
#define IMP_MAX_FLIPS	4		/* bits a corruption flips, at most */
#define IMP_REORDER_NS	(10ULL * LN_NS_PER_MS) /* extra hold, plus jitter */
#define IMP_BATCH	64		/* datagrams read per socket per round */

enum imp_dir {
	C2S,		/* client to server */
	S2C,		/* server to client */
	IMP_NDIR
};
static const char *dir_names[IMP_NDIR] = { "c2s", "s2c" };

/* What happened to the packets of one direction. */
#define IMP_STATS(X)							\
	X(rx)		/* received */					\
	X(tx)		/* sent on, copies included */			\
	X(rx_bytes)							\
	X(tx_bytes)							\
	X(paused)	/* dropped: --pause-file exists */		\
	X(dropped)							\
	X(duplicated)							\
	X(reordered)							\
	X(corrupted)	/* corrupted copies sent */			\
	X(overflow)	/* dropped: queue full */			\
	X(discarded)	/* still queued at exit, or their flow gone */	\
	X(send_errors)
struct imp_stats {
#define IMP_STAT_FIELD(name) uint64_t name;
	IMP_STATS(IMP_STAT_FIELD)
#undef IMP_STAT_FIELD
};

struct flow {
	int		 fd;		/* upstream socket; -1: slot free */
	uint64_t	 id;		/* never reused: queued packets name it */
	struct chan_addr client;
	uint64_t	 last_ns;
};

/* A packet waiting in the timer queue. */
struct pkt {
	uint64_t	 due_ns;
	uint64_t	 seq;		/* keeps equal due times in order */
	enum imp_dir	 dir;
	uint64_t	 flow_id;
	int		 corrupted;
	size_t		 len;
	uint8_t		 data[];
};

struct opts {
	const char	*listen;
	const char	*to;
	double		 p_drop, p_dup, p_reorder, p_corrupt;
	uint64_t	 delay_ns, jitter_ns;
	uint64_t	 seed;
	int		 have_seed;
	uint64_t	 rebind_every;
	const char	*stats;
	const char	*pause_file;
};

struct relay {
	struct opts	 o;
	int		 listen_fd;
	struct chan_addr to;
	struct flow	 flows[IMP_MAX_FLOWS];
	uint64_t	 next_flow_id;

	struct pkt	**heap;		/* min-heap on (due_ns, seq) */
	size_t		 nheap;
	uint64_t	 seq;

	struct imp_stats st[IMP_NDIR];
	uint64_t	 rebinds;
	uint64_t	 flows_opened;
	uint64_t	 since_rebind;

	/* A reproducible stream of random bytes: ChaCha20 keyed by --seed. */
	uint8_t		 rng_seed[randombytes_SEEDBYTES];
	uint64_t	 rng_block;
	uint8_t		 rng_pool[1024];
	size_t		 rng_off;
};

static int	 sig_fd = -1;	/* the self-pipe's read end */

/* Says how to call us and exits 2, as every usage error does. */
static void __attribute__((noreturn))
usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "impair: %s\n", why);
	fprintf(stderr, "usage: impair --listen [ADDR:]PORT --to ADDR:PORT "
	    "[--drop P] [--dup P]\n"
	    "\t[--reorder P] [--delay MS] [--jitter MS] [--corrupt P] "
	    "[--seed N]\n"
	    "\t[--rebind-every N] [--stats FILE] [--pause-file FILE]\n"
	    "P is a probability, 0 to 1 or a percentage (\"10%%\").\n");
	exit(2);
}

/* Parses a probability written as 0.1 or 10%. */
static double
parse_prob(const char *opt, const char *s)
{
	char	*end;
	double	 p;
	char	 why[128];

	errno = 0;
	p = strtod(s, &end);
	if (end != s && *end == '%' && end[1] == '\0') {
		p /= 100;
		end++;
	}
	if (errno != 0 || end == s || *end != '\0' || !(p >= 0 && p <= 1)) {
		snprintf(why, sizeof why, "--%s: not a probability: %s", opt,
		    s);
		usage(why);
	}
	return (p);
}

/* Parses a duration in milliseconds (fractions allowed) into nanoseconds. */
static uint64_t
parse_ms(const char *opt, const char *s)
{
	char	*end;
	double	 ms;
	char	 why[128];

	errno = 0;
	ms = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(ms >= 0 && ms <= 1e7)) {
		snprintf(why, sizeof why, "--%s: not milliseconds: %s", opt, s);
		usage(why);
	}
	return ((uint64_t)(ms * LN_NS_PER_MS));
}

/*
 * Resolves "ADDR:PORT", "[V6ADDR]:PORT" or, when passive, "PORT" alone
 * (the loopback address of family fam). Numeric host names only need no
 * DNS, but names such as "localhost" work too.
 */
static int
resolve(const char *spec, int passive, int fam, struct chan_addr *out)
{
	struct addrinfo	 hints, *res = NULL;
	char		 host[256];
	const char	*port, *h = NULL;
	size_t		 n;
	int		 rc = -1;

	port = strrchr(spec, ':');
	if (port == NULL) {
		if (!passive)
			goto out;
		port = spec;
		h = fam == AF_INET6 ? "::1" : "127.0.0.1";
	} else {
		n = (size_t)(port - spec);
		port++;
		if (n > 0 && spec[0] == '[' && spec[n - 1] == ']') {
			spec++;
			n -= 2;
		}
		if (n == 0 || n >= sizeof host)
			goto out;
		memcpy(host, spec, n);
		host[n] = '\0';
		h = host;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	if (getaddrinfo(h, port, &hints, &res) != 0 || res == NULL)
		goto out;
	if (res->ai_addrlen > sizeof out->ss)
		goto out;
	memset(out, 0, sizeof *out);
	memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
	out->len = res->ai_addrlen;
	rc = 0;
out:
	if (res != NULL)
		freeaddrinfo(res);
	return (rc);
}

/* A fresh upstream socket on a new source port, connected to --to. */
static int
upstream_socket(struct relay *r)
{
	int	fd;

	fd = socket(r->to.ss.ss_family, SOCK_DGRAM, 0);
	if (fd == -1)
		return (-1);
	if (net_nonblock(fd) == -1 ||
	    connect(fd, (struct sockaddr *)&r->to.ss, r->to.len) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

/* Next eight reproducible random bytes. */
static uint64_t
rng_u64(struct relay *r)
{
	struct buf	b;
	uint64_t	v;

	if (r->rng_off + 8 > sizeof r->rng_pool) {
		/* A new block: the seed's tail counts blocks. */
		buf_writer(&b, r->rng_seed + 8, 8);
		buf_put_u64le(&b, r->rng_block++);
		randombytes_buf_deterministic(r->rng_pool, sizeof r->rng_pool,
		    r->rng_seed);
		r->rng_off = 0;
	}
	buf_reader(&b, r->rng_pool + r->rng_off, 8);
	buf_get_u64le(&b, &v);
	r->rng_off += 8;
	return (v);
}

/* True with probability p. */
static int
chance(struct relay *r, double p)
{
	if (p <= 0)
		return (0);
	return ((double)(rng_u64(r) >> 11) * 0x1.0p-53 < p);
}

/* Is heap entry a due before entry b? */
static int
pkt_before(const struct pkt *a, const struct pkt *b)
{
	if (a->due_ns != b->due_ns)
		return (a->due_ns < b->due_ns);
	return (a->seq < b->seq);
}

/* Adds a packet to the timer queue. */
static void
heap_push(struct relay *r, struct pkt *p)
{
	size_t		 i = r->nheap++, parent;
	struct pkt	*tmp;

	r->heap[i] = p;
	while (i > 0) {
		parent = (i - 1) / 2;
		if (!pkt_before(r->heap[i], r->heap[parent]))
			break;
		tmp = r->heap[i];
		r->heap[i] = r->heap[parent];
		r->heap[parent] = tmp;
		i = parent;
	}
}

/* Takes the earliest packet off the timer queue. */
static struct pkt *
heap_pop(struct relay *r)
{
	struct pkt	*top = r->heap[0], *tmp;
	size_t		 i = 0, l, m;

	r->heap[0] = r->heap[--r->nheap];
	for (;;) {
		l = 2 * i + 1;
		m = i;
		if (l < r->nheap && pkt_before(r->heap[l], r->heap[m]))
			m = l;
		if (l + 1 < r->nheap && pkt_before(r->heap[l + 1], r->heap[m]))
			m = l + 1;
		if (m == i)
			break;
		tmp = r->heap[i];
		r->heap[i] = r->heap[m];
		r->heap[m] = tmp;
		i = m;
	}
	return (top);
}

/* The flow with this id, or NULL if it has gone. */
static struct flow *
flow_by_id(struct relay *r, uint64_t id)
{
	int	i;

	for (i = 0; i < IMP_MAX_FLOWS; i++)
		if (r->flows[i].fd != -1 && r->flows[i].id == id)
			return (&r->flows[i]);
	return (NULL);
}

/*
 * The flow of a client address, opened if new. A full table gives up the
 * least recently used flow, as a NAT does.
 */
static struct flow *
flow_for_client(struct relay *r, const struct chan_addr *a, uint64_t now)
{
	struct flow	*f, *victim = NULL;
	int		 i, fd;
	char		 s[NI_MAXHOST + NI_MAXSERV + 2];

	for (i = 0; i < IMP_MAX_FLOWS; i++) {
		f = &r->flows[i];
		if (f->fd != -1 && f->client.len == a->len &&
		    memcmp(&f->client.ss, &a->ss, a->len) == 0)
			return (f);
		if (victim == NULL || f->fd == -1 ||
		    (victim->fd != -1 && f->last_ns < victim->last_ns))
			victim = f;
	}
	if ((fd = upstream_socket(r)) == -1) {
		fprintf(stderr, "impair: upstream socket: %s\n",
		    strerror(errno));
		return (NULL);
	}
	if (victim->fd != -1)
		close(victim->fd);
	victim->fd = fd;
	victim->id = r->next_flow_id++;
	victim->client = *a;
	victim->last_ns = now;
	r->flows_opened++;
	fprintf(stderr, "impair: new client %s\n",
	    net_addr_str(a, s, sizeof s));
	return (victim);
}

/* Moves every flow to a fresh upstream socket (a new source port). */
static void
rebind(struct relay *r)
{
	int	i, fd;

	for (i = 0; i < IMP_MAX_FLOWS; i++) {
		if (r->flows[i].fd == -1)
			continue;
		if ((fd = upstream_socket(r)) == -1) {
			fprintf(stderr, "impair: rebind: %s\n",
			    strerror(errno));
			continue;
		}
		close(r->flows[i].fd);
		r->flows[i].fd = fd;
	}
	r->rebinds++;
	r->since_rebind = 0;
	fprintf(stderr, "impair: rebind %llu\n",
	    (unsigned long long)r->rebinds);
}

/* Queues one copy of a packet, possibly corrupted and held back. */
static void
enqueue(struct relay *r, enum imp_dir dir, uint64_t flow_id,
    const uint8_t *data, size_t len, uint64_t now)
{
	struct imp_stats	*st = &r->st[dir];
	struct pkt		*p;
	uint64_t		 due = now + r->o.delay_ns, bit;
	int			 i, flips;

	if (r->nheap == IMP_MAX_QUEUED) {
		st->overflow++;
		return;
	}
	p = xmalloc(sizeof *p + len);
	memcpy(p->data, data, len);
	p->len = len;
	p->dir = dir;
	p->flow_id = flow_id;
	p->corrupted = 0;
	if (len > 0 && chance(r, r->o.p_corrupt)) {
		flips = 1 + (int)(rng_u64(r) % IMP_MAX_FLIPS);
		for (i = 0; i < flips; i++) {
			bit = rng_u64(r) % (len * 8);
			p->data[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		}
		p->corrupted = 1;
	}
	if (r->o.jitter_ns > 0)
		due += rng_u64(r) % (r->o.jitter_ns + 1);
	if (chance(r, r->o.p_reorder)) {
		due += IMP_REORDER_NS + r->o.jitter_ns;
		st->reordered++;
	}
	p->due_ns = due;
	p->seq = r->seq++;
	heap_push(r, p);
}

/* A packet arrived from one side: impair it and queue it for the other. */
static void
impair(struct relay *r, enum imp_dir dir, uint64_t flow_id,
    const uint8_t *data, size_t len, uint64_t now)
{
	struct imp_stats	*st = &r->st[dir];

	st->rx++;
	st->rx_bytes += len;
	if (r->o.pause_file != NULL && access(r->o.pause_file, F_OK) == 0) {
		st->paused++;
		return;
	}
	if (chance(r, r->o.p_drop)) {
		st->dropped++;
		return;
	}
	enqueue(r, dir, flow_id, data, len, now);
	if (chance(r, r->o.p_dup)) {
		st->duplicated++;
		enqueue(r, dir, flow_id, data, len, now);
	}
}

/* Sends every queued packet whose time has come. */
static void
flush_due(struct relay *r, uint64_t now)
{
	struct pkt		*p;
	struct flow		*f;
	struct imp_stats	*st;
	ssize_t			 n;

	while (r->nheap > 0 && r->heap[0]->due_ns <= now) {
		p = heap_pop(r);
		st = &r->st[p->dir];
		if ((f = flow_by_id(r, p->flow_id)) == NULL) {
			st->discarded++;
			free(p);
			continue;
		}
		if (p->dir == C2S)
			n = send(f->fd, p->data, p->len, 0);
		else
			n = sendto(r->listen_fd, p->data, p->len, 0,
			    (struct sockaddr *)&f->client.ss, f->client.len);
		if (n == -1)
			st->send_errors++;
		else {
			st->tx++;
			st->tx_bytes += (uint64_t)n;
			if (p->corrupted)
				st->corrupted++;
		}
		free(p);
	}
}

/* Reads what waits on the listening socket: packets from clients. */
static void
read_clients(struct relay *r, uint8_t *pkt, uint64_t now)
{
	struct chan_addr	 from;
	struct flow		*f;
	ssize_t			 n;
	int			 i;

	for (i = 0; i < IMP_BATCH; i++) {
		memset(&from, 0, sizeof from);
		from.len = sizeof from.ss;
		n = recvfrom(r->listen_fd, pkt, IMP_MAX_PACKET, 0,
		    (struct sockaddr *)&from.ss, &from.len);
		if (n == -1)
			return;
		if ((f = flow_for_client(r, &from, now)) == NULL)
			continue;
		f->last_ns = now;
		impair(r, C2S, f->id, pkt, (size_t)n, now);
		if (r->o.rebind_every > 0 &&
		    ++r->since_rebind >= r->o.rebind_every)
			rebind(r);
	}
}

/* Reads what waits on one flow's upstream socket: the server's replies. */
static void
read_server(struct relay *r, struct flow *f, uint8_t *pkt, uint64_t now)
{
	ssize_t	n;
	int	i;

	for (i = 0; i < IMP_BATCH; i++) {
		/* A refused send comes back as an error here: ignore it. */
		if ((n = recv(f->fd, pkt, IMP_MAX_PACKET, 0)) == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			continue;
		}
		impair(r, S2C, f->id, pkt, (size_t)n, now);
	}
}

/* Writes the counters to --stats (atomically) or to stderr. */
static void
write_stats(struct relay *r)
{
	FILE	*fp = stderr;
	char	 tmp[PATH_MAX];
	int	 d;

	if (r->o.stats != NULL) {
		snprintf(tmp, sizeof tmp, "%s.tmp", r->o.stats);
		if ((fp = fopen(tmp, "w")) == NULL) {
			fprintf(stderr, "impair: %s: %s\n", tmp,
			    strerror(errno));
			return;
		}
	}
	for (d = 0; d < IMP_NDIR; d++) {
#define IMP_STAT_PRINT(name) fprintf(fp, "%s_%s %llu\n", dir_names[d], \
	    #name, (unsigned long long)r->st[d].name);
		IMP_STATS(IMP_STAT_PRINT)
#undef IMP_STAT_PRINT
	}
	fprintf(fp, "rebinds %llu\nflows %llu\nqueued %zu\nseed %llu\n",
	    (unsigned long long)r->rebinds,
	    (unsigned long long)r->flows_opened, r->nheap,
	    (unsigned long long)r->o.seed);
	if (fp != stderr) {
		if (fclose(fp) != 0 || rename(tmp, r->o.stats) != 0)
			fprintf(stderr, "impair: %s: %s\n", r->o.stats,
			    strerror(errno));
	}
}

/* Acts on the signals that arrived; 1 when it is time to exit. */
static int
handle_signals(struct relay *r)
{
	unsigned char	c;
	int		quit = 0;

	while (read(sig_fd, &c, 1) == 1) {
		if (c == SIGUSR1)
			rebind(r);
		else if (c == SIGUSR2)
			write_stats(r);
		else if (c == SIGTERM || c == SIGINT)
			quit = 1;
	}
	return (quit);
}

/* Binds the listening socket and says where it listens. */
static void
open_listener(struct relay *r)
{
	struct chan_addr	 la;
	int			 off = 0;
	char			 s[NI_MAXHOST + NI_MAXSERV + 2];

	if (resolve(r->o.listen, 1, r->to.ss.ss_family, &la) == -1)
		usage("--listen: want [ADDR:]PORT");
	r->listen_fd = socket(la.ss.ss_family, SOCK_DGRAM, 0);
	if (r->listen_fd == -1 || net_nonblock(r->listen_fd) == -1) {
		perror("impair: socket");
		exit(1);
	}
	/* A wildcard IPv6 listener takes IPv4 clients too. */
	if (la.ss.ss_family == AF_INET6)
		(void)setsockopt(r->listen_fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
		    sizeof off);
	if (bind(r->listen_fd, (struct sockaddr *)&la.ss, la.len) == -1) {
		fprintf(stderr, "impair: bind %s: %s\n", r->o.listen,
		    strerror(errno));
		exit(1);
	}
	la.len = sizeof la.ss;
	getsockname(r->listen_fd, (struct sockaddr *)&la.ss, &la.len);
	printf("listening %s\n", net_addr_str(&la, s, sizeof s));
	fflush(stdout);
}

/* Reads the command line into r->o. */
static void
parse_args(struct relay *r, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "to", required_argument, NULL, 't' },
		{ "drop", required_argument, NULL, 'd' },
		{ "dup", required_argument, NULL, 'u' },
		{ "reorder", required_argument, NULL, 'r' },
		{ "delay", required_argument, NULL, 'D' },
		{ "jitter", required_argument, NULL, 'j' },
		{ "corrupt", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 's' },
		{ "rebind-every", required_argument, NULL, 'b' },
		{ "stats", required_argument, NULL, 'S' },
		{ "pause-file", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			r->o.listen = optarg;
			break;
		case 't':
			r->o.to = optarg;
			break;
		case 'd':
			r->o.p_drop = parse_prob("drop", optarg);
			break;
		case 'u':
			r->o.p_dup = parse_prob("dup", optarg);
			break;
		case 'r':
			r->o.p_reorder = parse_prob("reorder", optarg);
			break;
		case 'c':
			r->o.p_corrupt = parse_prob("corrupt", optarg);
			break;
		case 'D':
			r->o.delay_ns = parse_ms("delay", optarg);
			break;
		case 'j':
			r->o.jitter_ns = parse_ms("jitter", optarg);
			break;
		case 's':
			r->o.seed = net_parse_u64("seed", optarg, usage);
			r->o.have_seed = 1;
			break;
		case 'b':
			r->o.rebind_every = net_parse_u64("rebind-every",
			    optarg, usage);
			break;
		case 'S':
			r->o.stats = optarg;
			break;
		case 'P':
			r->o.pause_file = optarg;
			break;
		case 'h':
		default:
			usage(NULL);
		}
	}
	if (optind != argc)
		usage("unexpected arguments");
	if (r->o.listen == NULL || r->o.to == NULL)
		usage("--listen and --to are required");
}

int
main(int argc, char **argv)
{
	static const int	 sigs[] = { SIGUSR1, SIGUSR2, SIGTERM,
				     SIGINT };
	static struct relay	 r;
	struct pollfd		 pfd[2 + IMP_MAX_FLOWS];
	struct flow		*slot[2 + IMP_MAX_FLOWS];
	struct pkt		*p;
	uint8_t			*pkt;
	uint64_t		 now;
	struct buf		 b;
	nfds_t			 n, i;
	int			 timeout;

	if (sodium_init() < 0) {
		fprintf(stderr, "impair: sodium_init failed\n");
		return (1);
	}
	parse_args(&r, argc, argv);
	if (resolve(r.o.to, 0, AF_UNSPEC, &r.to) == -1)
		usage("--to: want ADDR:PORT");
	if (!r.o.have_seed)
		randombytes_buf(&r.o.seed, sizeof r.o.seed);
	buf_writer(&b, r.rng_seed, 8);
	buf_put_u64le(&b, r.o.seed);
	r.rng_off = sizeof r.rng_pool;
	for (i = 0; i < IMP_MAX_FLOWS; i++)
		r.flows[i].fd = -1;
	r.heap = xcalloc(IMP_MAX_QUEUED, sizeof *r.heap);
	pkt = xmalloc(IMP_MAX_PACKET);

	sig_fd = net_signal_pipe("impair", sigs,
	    sizeof sigs / sizeof sigs[0]);
	open_listener(&r);
	fprintf(stderr, "impair: to %s, seed %llu\n", r.o.to,
	    (unsigned long long)r.o.seed);

	for (;;) {
		if (handle_signals(&r))
			break;
		now = ln_now_ns();
		flush_due(&r, now);

		timeout = -1;
		if (r.nheap > 0)
			timeout = ln_wait_ms(now, r.heap[0]->due_ns);
		n = 0;
		pfd[n].fd = sig_fd;
		pfd[n].events = POLLIN;
		slot[n++] = NULL;
		pfd[n].fd = r.listen_fd;
		pfd[n].events = POLLIN;
		slot[n++] = NULL;
		for (i = 0; i < IMP_MAX_FLOWS; i++) {
			if (r.flows[i].fd == -1)
				continue;
			pfd[n].fd = r.flows[i].fd;
			pfd[n].events = POLLIN;
			slot[n++] = &r.flows[i];
		}
		if (poll(pfd, n, timeout) == -1) {
			if (errno == EINTR)
				continue;
			perror("impair: poll");
			return (1);
		}
		now = ln_now_ns();
		if (pfd[1].revents & POLLIN)
			read_clients(&r, pkt, now);
		for (i = 2; i < n; i++) {
			/* A rebind may have replaced this socket meanwhile. */
			if ((pfd[i].revents & (POLLIN | POLLERR)) &&
			    slot[i]->fd == pfd[i].fd)
				read_server(&r, slot[i], pkt, now);
		}
	}

	while (r.nheap > 0) {
		p = heap_pop(&r);
		r.st[p->dir].discarded++;
		free(p);
	}
	write_stats(&r);
	return (0);
}
