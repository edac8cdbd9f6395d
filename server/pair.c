/*
 * pair.c: pairing codes and the server side of pairing (docs/protocol.md,
 * "Pairing"; the packets are proto/pairing.c).
 *
 * Codes. `lnshd pair` makes a code and stores, never the code, but its
 * psk (BLAKE2b of the normalised code, pair_code_psk) with an expiry and a
 * used mark, in STATE/pairing/UID, one file per user, mode 0600, owned by
 * that user. The file is as sensitive as the code for its lifetime (the psk
 * is what the handshake needs) and worthless after it. STATE/pairing is
 * 0700 in single-user mode; in root mode it is 01733 (as /tmp, but not
 * listable), so that every user can leave codes for their own account and
 * no one else's: lnshd trusts STATE/pairing/UID only when the file belongs
 * to UID or to root. The running lnshd reads the files on every pairing
 * attempt, so new codes need no signal and survive a restart.
 *
 * Exchange. An init is rate-limited per source address and overall, then
 * tried against the mac1 key of every pending code (at most
 * LN_PAIR_MAX_USERS files of LN_PAIR_MAX_CODES codes). A match starts a
 * handshake in one of LN_PAIR_SLOTS slots, which remembers the code's user.
 * A finish that Noise accepts proves the code: the code is marked used
 * (single use, checked again in the file), the client's key is appended to
 * that user's authorized_keys, and the sealed result goes back; a repeated
 * finish gets the same result again. A code of user U admits a key for U
 * only: a request naming another user is refused and changes nothing.
 * Nothing that fails a check gets an answer; each such drop is counted by
 * its LN_DROP_* reason (pair_counters, shown by `lnshd status` as
 * pair_drop lines) and the refusals a person may need to see are logged.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "pair.pb-c.h"
#include "server.h"

#define PAIR_DIR	"pairing"

/*
 * A key being written into a user's authorized_keys by a child that runs
 * as the user (root mode): the loop goes on meanwhile, since a home
 * directory may be slow or hang (NFS, FUSE). What the result needs is kept
 * here until the child reports or LN_PAIR_AUTHORIZE_NS passes.
 */
struct pair_wait {
	struct lnshd		*d;
	struct event		*ev;		/* the child's report, deadline */
	int			 fd;
	pid_t			 pid;
	pair_send_fn		 send;
	struct hs_keys		 keys;
	char			 peer[LISTEN_ADDR_MAX];
	char			 user[LN_USER_NAME_MAX + 1];
	char			 fp[LN_FINGERPRINT_LEN];
	char			 comment[LN_KEY_COMMENT_MAX + 1];
};

/* One handshake in progress, or done with its result kept for resends. */
struct pair_slot {
	int			 busy, done;
	struct pair_wait	*wait;		/* non-NULL: key being written */
	uint64_t		 created_ns;
	struct chan_addr	 from;
	uint32_t		 local_index, remote_index;
	struct noise_handshake	 hs;
	uint8_t			 psk[LN_KEY_LEN], mkey[LN_KEY_LEN];
	uid_t			 uid;
	uint8_t			 fin_hash[LN_KEY_LEN];
	uint8_t			 result[LN_MAX_DATAGRAM];
	size_t			 result_len;
};

/*
 * The daemon's pairing state. One lnshd serves one loop, so it is kept
 * here rather than in struct lnshd (whose fields belong to lnshd.c).
 */
struct pair_srv {
	struct pair_slot	 slots[LN_PAIR_SLOTS];
	struct ratelimit	 global;
	struct ratelimit	 sources[LN_PAIR_SOURCES];
	uint8_t			 src_key[crypto_shorthash_KEYBYTES];
	struct ln_counters	 counters;	/* drop[] only */
};
static struct pair_srv	*pair_srv;

/* STATE/pairing (allocated). */
char *
pair_dir(const char *state_dir)
{
	char	*p;

	if (asprintf(&p, "%s/%s", state_dir, PAIR_DIR) == -1)
		abort();
	return (p);
}

/* STATE/pairing/UID (allocated). */
static char *
pair_file(const char *state_dir, uid_t uid)
{
	char	*p;

	if (asprintf(&p, "%s/%s/%lu", state_dir, PAIR_DIR,
	    (unsigned long)uid) == -1)
		abort();
	return (p);
}

/*
 * Makes STATE/pairing if it is missing and we own the state dir: 0700 in
 * single-user mode, 01733 in root mode (see the top of this file).
 */
int
pair_dir_prepare(const char *state_dir, int single_user, char **cause)
{
	struct stat	 st;
	char		*dir = pair_dir(state_dir);
	mode_t		 mode = single_user ? 0700 : 01733;
	int		 r = 0;

	if (lstat(dir, &st) == -1) {
		if (errno != ENOENT || mkdir(dir, 0700) == -1 ||
		    lstat(dir, &st) == -1) {
			ln_cause(cause, "%s: %s", dir, strerror(errno));
			r = LN_E_SYSTEM;
			goto out;
		}
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		ln_cause(cause, "%s: not a directory of lnshd's user", dir);
		r = LN_E_INVAL;
		goto out;
	}
	if ((st.st_mode & 07777) != mode && chmod(dir, mode) == -1) {
		ln_cause(cause, "chmod %s: %s", dir, strerror(errno));
		r = LN_E_SYSTEM;
	}
out:
	free(dir);
	return (r);
}

/*
 * Parses a code file: "code BASE64PSK EXPIRES pending|used" lines, with
 * EXPIRES in seconds since the epoch. Malformed lines are skipped.
 * Returns how many codes went to codes (at most max).
 */
static size_t
pair_codes_parse(const uint8_t *data, size_t len, uid_t uid,
    struct pair_code *codes, size_t max)
{
	struct buf	 rd;
	char		 line[LN_TEXT_LINE_MAX], b64[LN_KEY_B64_LEN + 1];
	char		 state[16];
	unsigned long long exp;
	size_t		 n = 0;
	int		 r;

	buf_reader(&rd, data, len);
	while (n < max && (r = ln_text_line(&rd, line, sizeof line)) != 0) {
		if (r < 0 || sscanf(line, "code %44s %llu %15s", b64, &exp,
		    state) != 3)
			continue;
		if (key_from_b64(b64, strlen(b64), codes[n].psk) != 0)
			continue;
		if (strcmp(state, "pending") != 0 && strcmp(state, "used") != 0)
			continue;
		pair_mac1_key(codes[n].psk, codes[n].mkey);
		codes[n].expires = (uint64_t)exp;
		codes[n].used = strcmp(state, "used") == 0;
		codes[n].uid = uid;
		n++;
	}
	sodium_memzero(line, sizeof line);
	sodium_memzero(b64, sizeof b64);
	return (n);
}

/*
 * Loads one user's codes (none if the file is missing). The file must be
 * a private regular file of that user or of root.
 */
int
pair_codes_load(const char *state_dir, uid_t uid, struct pair_code *codes,
    size_t max, size_t *n, char **cause)
{
	struct stat	 st;
	uint8_t		*data = NULL;
	size_t		 len = 0;
	char		*path = pair_file(state_dir, uid);
	int		 r;

	*n = 0;
	if (lstat(path, &st) == -1) {
		r = errno == ENOENT ? 0 : LN_E_SYSTEM;
		if (r != 0)
			ln_cause(cause, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (st.st_uid != uid && st.st_uid != 0)) {
		ln_cause(cause, "%s: not a file of uid %lu; ignored", path,
		    (unsigned long)uid);
		r = LN_E_INVAL;
		goto out;
	}
	if ((r = ln_file_read(path, LN_FILE_PRIVATE | LN_FILE_MISSING_OK,
	    &data, &len, cause)) != 0)
		goto out;
	if (data != NULL)
		*n = pair_codes_parse(data, len, uid, codes, max);
out:
	if (data != NULL) {
		sodium_memzero(data, len);
		free(data);
	}
	free(path);
	return (r);
}

/*
 * Writes one user's codes back, dropping those expired before wall_sec,
 * as a new 0600 file owned by the user (chown when we are root).
 */
int
pair_codes_save(const char *state_dir, uid_t uid,
    const struct pair_code *codes, size_t n, uint64_t wall_sec, char **cause)
{
	char	*path = pair_file(state_dir, uid), *text;
	char	 b64[LN_KEY_B64_LEN + 1];
	size_t	 i, len = 0, cap = n * 96 + 64;
	int	 r;

	text = xmalloc(cap);
	len = (size_t)snprintf(text, cap,
	    "# lnshd pairing codes (hashed); see docs/protocol.md\n");
	for (i = 0; i < n; i++) {
		if (codes[i].expires <= wall_sec)
			continue;
		key_b64(codes[i].psk, b64);
		len += (size_t)snprintf(text + len, cap - len,
		    "code %s %llu %s\n", b64,
		    (unsigned long long)codes[i].expires,
		    codes[i].used ? "used" : "pending");
	}
	sodium_memzero(b64, sizeof b64);
	r = ln_file_write(path, text, len, 0600, 0, cause);
	if (r == 0 && geteuid() == 0 && uid != 0 &&
	    chown(path, uid, (gid_t)-1) == -1) {
		ln_cause(cause, "chown %s: %s", path, strerror(errno));
		r = LN_E_SYSTEM;
	}
	sodium_memzero(text, cap);
	free(text);
	free(path);
	return (r);
}

/* Adds a code (by its psk) for uid, valid ttl_sec from wall_sec. */
int
pair_code_store(const char *state_dir, uid_t uid, const uint8_t *psk,
    uint64_t wall_sec, uint64_t ttl_sec, char **cause)
{
	struct pair_code	 codes[LN_PAIR_MAX_CODES + 1];
	size_t			 n, i, live = 0;
	int			 r;

	if ((r = pair_codes_load(state_dir, uid, codes, LN_PAIR_MAX_CODES,
	    &n, cause)) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (codes[i].expires > wall_sec)
			codes[live++] = codes[i];
	if (live >= LN_PAIR_MAX_CODES) {
		ln_cause(cause, "%d codes are pending already; wait for one "
		    "to expire", LN_PAIR_MAX_CODES);
		r = LN_E_FULL;
		goto out;
	}
	memcpy(codes[live].psk, psk, LN_KEY_LEN);
	codes[live].expires = wall_sec + ttl_sec;
	codes[live].used = 0;
	codes[live].uid = uid;
	r = pair_codes_save(state_dir, uid, codes, live + 1, wall_sec, cause);
out:
	sodium_memzero(codes, sizeof codes);
	return (r);
}

/* Counts a pairing packet dropped for the reason in e (an LN_E_DROP). */
static void
pair_drop(int e)
{
	ln_count(&pair_srv->counters, e);
}

/* Wall-clock seconds, for code expiry (which must survive a restart). */
static uint64_t
pair_wall_sec(void)
{
	return (ln_wall_ns() / LN_NS_PER_SEC);
}

/* Makes the pairing state; called once the sockets are open. */
void
pair_open(struct lnshd *d)
{
	char		*cause = NULL;
	uint64_t	 now = ln_now_ns();
	size_t		 i;

	if (pair_srv == NULL)
		pair_srv = xcalloc(1, sizeof *pair_srv);
	ratelimit_init(&pair_srv->global, LN_PAIR_GLOBAL_PER_SEC,
	    LN_PAIR_GLOBAL_BURST, now);
	for (i = 0; i < LN_PAIR_SOURCES; i++)
		ratelimit_init(&pair_srv->sources[i], LN_PAIR_PER_SRC_PER_SEC,
		    LN_PAIR_PER_SRC_BURST, now);
	randombytes_buf(pair_srv->src_key, sizeof pair_srv->src_key);
	if (pair_dir_prepare(d->state_dir, d->single_user, &cause) != 0) {
		log_warn("pairing disabled: %s", cause);
		free(cause);
	}
}

static void	pair_wait_free(struct pair_wait *);

/* Forgets every pairing handshake (a child still writing is killed). */
void
pair_close(struct lnshd *d)
{
	size_t	i;

	(void)d;
	if (pair_srv == NULL)
		return;
	for (i = 0; i < LN_PAIR_SLOTS; i++) {
		if (pair_srv->slots[i].wait != NULL) {
			kill(pair_srv->slots[i].wait->pid, SIGKILL);
			pair_wait_free(pair_srv->slots[i].wait);
		}
	}
	sodium_memzero(pair_srv, sizeof *pair_srv);
	free(pair_srv);
	pair_srv = NULL;
}

/* The source address's bucket: a keyed hash of its bytes. */
static struct ratelimit *
pair_source(const struct chan_addr *from)
{
	uint8_t		h[crypto_shorthash_BYTES];
	uint64_t	v = 0;
	size_t		i;

	crypto_shorthash(h, (const uint8_t *)&from->ss, from->len,
	    pair_srv->src_key);
	for (i = 0; i < sizeof h; i++)
		v = (v << 8) | h[i];
	return (&pair_srv->sources[v % LN_PAIR_SOURCES]);
}

/* Do two addresses name the same sender? */
static int
pair_same_addr(const struct chan_addr *a, const struct chan_addr *b)
{
	return (a->len == b->len && memcmp(&a->ss, &b->ss, a->len) == 0);
}

/*
 * Every code of every user with a file in STATE/pairing (at most
 * LN_PAIR_MAX_USERS files), into an allocated array.
 *
 * Only a file that can hold codes counts towards that limit: STATE/pairing/
 * UID, a regular file of UID or root. Anyone may create files in the
 * directory in root mode (01733), so another name is skipped, and a file
 * named by a uid that is not that user's (or root's) is junk that could
 * only fill the limit or squat on the user's name: it is removed (as root,
 * in our own directory; unlink follows no link) and logged. At most
 * LN_PAIR_MAX_ENTRIES entries are looked at per attempt, so a directory
 * flooded between two attempts costs a bounded time and shrinks.
 */
static struct pair_code *
pair_all_codes(const char *state_dir, size_t *np)
{
	struct pair_code	*all;
	struct dirent		*de;
	DIR			*dp;
	char			*dir = pair_dir(state_dir), *cause = NULL;
	char			*end, *path;
	unsigned long		 uid;
	size_t			 n = 0, got, files = 0, seen = 0;
	struct stat		 st;

	all = xcalloc(LN_PAIR_MAX_USERS * LN_PAIR_MAX_CODES, sizeof *all);
	if ((dp = opendir(dir)) == NULL)
		goto out;
	while (files < LN_PAIR_MAX_USERS && seen++ < LN_PAIR_MAX_ENTRIES &&
	    (de = readdir(dp)) != NULL) {
		errno = 0;
		uid = strtoul(de->d_name, &end, 10);
		if (de->d_name[0] < '0' || de->d_name[0] > '9' ||
		    *end != '\0' || errno != 0 || uid != (uid_t)uid)
			continue;
		path = pair_file(state_dir, (uid_t)uid);
		if (lstat(path, &st) == 0 && (!S_ISREG(st.st_mode) ||
		    (st.st_uid != (uid_t)uid && st.st_uid != 0))) {
			if (unlink(path) == 0)
				log_warn("pairing: removed %s: not a file of "
				    "uid %lu but of uid %lu", path, uid,
				    (unsigned long)st.st_uid);
			else
				log_warn("pairing: %s: not a file of uid %lu; "
				    "ignored (unlink: %s)", path, uid,
				    strerror(errno));
			free(path);
			continue;
		}
		free(path);
		files++;
		if (pair_codes_load(state_dir, (uid_t)uid, all + n,
		    LN_PAIR_MAX_CODES, &got, &cause) != 0) {
			log_warn("pairing: %s", cause);
			free(cause);
			cause = NULL;
			continue;
		}
		n += got;
	}
	closedir(dp);
out:
	free(dir);
	*np = n;
	return (all);
}

/* Frees what pair_all_codes returned, wiping the psks. */
static void
pair_free_codes(struct pair_code *all)
{
	sodium_memzero(all, LN_PAIR_MAX_USERS * LN_PAIR_MAX_CODES *
	    sizeof *all);
	free(all);
}

/* A free slot, or the oldest one past its life; NULL: all busy. */
static struct pair_slot *
pair_slot_new(uint64_t now)
{
	struct pair_slot	*s;
	size_t			 i;

	for (i = 0; i < LN_PAIR_SLOTS; i++) {
		s = &pair_srv->slots[i];
		if (s->wait != NULL)
			continue;
		if (!s->busy || now - s->created_ns > LN_PAIR_SLOT_NS) {
			sodium_memzero(s, sizeof *s);
			return (s);
		}
	}
	return (NULL);
}

/* An init: find its code by mac1, answer with a response. */
static void
pair_on_init(struct lnshd *d, const uint8_t *pkt, size_t len,
    const struct chan_addr *from, uint64_t now, pair_send_fn send)
{
	struct pair_code	*all;
	struct pair_slot	*s;
	struct passwd		*pw;
	uint8_t			 out[LN_MAX_DATAGRAM];
	char			 name[LISTEN_ADDR_MAX];
	size_t			 n, i, outlen;
	uint64_t		 wall = pair_wall_sec();
	uint32_t		 cidx;
	int			 r;

	log_addr(from, name, sizeof name);
	if (!ratelimit_allow(pair_source(from), now) ||
	    !ratelimit_allow(&pair_srv->global, now)) {
		log_debug("pairing attempt from %s: rate limited", name);
		pair_drop(LN_E_DROP(LN_DROP_RATELIMIT));
		return;
	}
	all = pair_all_codes(d->state_dir, &n);
	for (i = 0; i < n; i++)
		if (pair_mac1_ok(pkt, len, all[i].mkey) == 0)
			break;
	if (i == n) {
		/* No code's mac1 key fits: a wrong code, or junk. */
		log_info("pairing attempt from %s refused: no pending code "
		    "matches (wrong, expired or used code)", name);
		pair_drop(LN_E_DROP(LN_DROP_MAC1));
		goto out;
	}
	pw = getpwuid(all[i].uid);
	if (all[i].used || all[i].expires <= wall) {
		log_warn("pairing attempt from %s refused: the code for %s is "
		    "%s", name, pw != NULL ? pw->pw_name : "?",
		    all[i].used ? "already used" : "expired");
		pair_drop(LN_E_DROP(LN_DROP_PAIR_SPENT));
		goto out;
	}
	if ((s = pair_slot_new(now)) == NULL) {
		log_warn("pairing attempt from %s refused: %d pairings in "
		    "progress", name, LN_PAIR_SLOTS);
		pair_drop(LN_E_DROP(LN_DROP_PAIR_BUSY));
		goto out;
	}
	if ((r = pair_consume_init(&s->hs, d->host_sk, all[i].psk,
	    all[i].mkey, pkt, len, &cidx)) != 0) {
		log_info("pairing attempt from %s: bad init (%s)", name,
		    ln_strerror(r));
		pair_drop(r);
		goto out;
	}
	s->local_index = randombytes_random();
	if (pair_response(&s->hs, s->local_index, cidx, all[i].mkey, out,
	    sizeof out, &outlen) != 0) {
		noise_wipe(&s->hs);
		goto out;
	}
	s->busy = 1;
	s->created_ns = now;
	s->from = *from;
	s->remote_index = cidx;
	s->uid = all[i].uid;
	memcpy(s->psk, all[i].psk, LN_KEY_LEN);
	memcpy(s->mkey, all[i].mkey, LN_KEY_LEN);
	log_info("pairing with %s for %s: code accepted, handshake started",
	    name, pw != NULL ? pw->pw_name : "?");
	send(d, from, out, outlen);
out:
	pair_free_codes(all);
}

/*
 * Marks the code of psk used in uid's file (0), or says it is gone, used
 * or expired (LN_E_STATE); restore = 1 marks it pending again.
 */
static int
pair_code_mark(const char *state_dir, uid_t uid, const uint8_t *psk,
    int restore, char **cause)
{
	struct pair_code	codes[LN_PAIR_MAX_CODES];
	size_t			n, i;
	uint64_t		wall = pair_wall_sec();
	int			r;

	if ((r = pair_codes_load(state_dir, uid, codes, LN_PAIR_MAX_CODES,
	    &n, cause)) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (sodium_memcmp(codes[i].psk, psk, LN_KEY_LEN) == 0)
			break;
	if (i == n || codes[i].expires <= wall ||
	    codes[i].used == !restore) {
		ln_cause(cause, "the code is gone, expired or already used");
		r = LN_E_STATE;
		goto out;
	}
	codes[i].used = !restore;
	r = pair_codes_save(state_dir, uid, codes, n, wall, cause);
out:
	sodium_memzero(codes, sizeof codes);
	return (r);
}

/* The key pair_authorize_fn admits. */
struct pair_add {
	const uint8_t	*pk;
	const char	*comment;
};

/* pair_authorize_fn's exit codes, the byte pair_wait_cb reads. */
#define PAIR_KEY_ADDED		0
#define PAIR_KEY_FAILED		1
#define PAIR_KEY_PRESENT	3

/*
 * authkeys_add as an authkeys_user_fn, for root mode, where
 * authkeys_as_user_start runs it in a child that has dropped to the user
 * (never writing into a user's home as root). Its exit code is a
 * PAIR_KEY_*; a failure's cause goes to the log.
 */
static int
pair_authorize_fn(const struct paths_user *u, void *arg)
{
	struct pair_add	*pa = arg;
	char		*c = NULL;
	unsigned	 line;

	if (authkeys_add(u, pa->pk, pa->comment, NULL, NULL, &line,
	    &c) != 0) {
		log_error("pairing: %s", c != NULL ? c : "failed");
		free(c);
		return (PAIR_KEY_FAILED);
	}
	return (line == 0 ? PAIR_KEY_ADDED : PAIR_KEY_PRESENT);
}

/* A PairResult, packed into out (at most LN_PAIR_MAX_PAYLOAD bytes). */
static size_t
pair_pack_result(int ok, const char *message, const char *user, uint8_t *out)
{
	Lnsh__Pair__PairResult	res = LNSH__PAIR__PAIR_RESULT__INIT;

	res.status = ok ? LNSH__PAIR__PAIR_RESULT__STATUS__OK :
	    LNSH__PAIR__PAIR_RESULT__STATUS__REFUSED;
	res.message = (char *)message;
	res.user = (char *)(uintptr_t)(ok ? user : "");
	if (lnsh__pair__pair_result__get_packed_size(&res) >
	    LN_PAIR_MAX_PAYLOAD) {
		res.message = (char *)"";
	}
	return (lnsh__pair__pair_result__pack(&res, out));
}

/* Keeps [A-Za-z0-9._@-] of s (at most len - 1 bytes); "" becomes "?". */
static void
pair_clean(const char *s, char *out, size_t len)
{
	size_t	n = 0;

	for (; s != NULL && *s != '\0' && n + 1 < len; s++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789._@-", *s) != NULL)
			out[n++] = *s;
	if (n == 0)
		out[n++] = '?';
	out[n] = '\0';
}

/* What pair_admit did. */
#define PAIR_REFUSED	0
#define PAIR_ADMITTED	1
#define PAIR_WAITING	2	/* a child writes the key: pair_wait_cb */

/* Seals the result into the slot and sends it; the slot is done. */
static void
pair_complete(struct lnshd *d, struct pair_slot *s, const struct hs_keys *k,
    int ok, const char *msg, const char *user, pair_send_fn send)
{
	uint8_t	res[LN_PAIR_MAX_PAYLOAD];
	size_t	rlen;

	rlen = pair_pack_result(ok, msg, user, res);
	if (pair_result(k, res, rlen, s->result, sizeof s->result,
	    &s->result_len) == 0) {
		s->done = 1;
		send(d, &s->from, s->result, s->result_len);
	}
	sodium_memzero(s->psk, sizeof s->psk);
}

/* The key could not be written: say so, log why, give the code back. */
static void
pair_unrecorded(struct lnshd *d, struct pair_slot *s, const char *name,
    const char *why, char *msg, size_t msglen)
{
	char	*cause = NULL;

	snprintf(msg, msglen, "the server could not record the key");
	log_error("pairing with %s: %s", name, why);
	if (pair_code_mark(d->state_dir, s->uid, s->psk, 1, &cause) != 0) {
		log_error("pairing: %s", cause);
		free(cause);
	}
}

/* The message for the client and the log line of an admitted key. */
static void
pair_admitted(const char *name, const char *fp, const char *comment,
    const char *user, int added, char *msg, size_t msglen)
{
	snprintf(msg, msglen, "key %s for user %s", added ? "admitted" :
	    "was already admitted", user);
	log_info("pairing with %s: key %s (%s) %s for %s", name, fp, comment,
	    added ? "added to authorized_keys" : "already authorized", user);
}

/* Frees a finished or abandoned wait. */
static void
pair_wait_free(struct pair_wait *w)
{
	event_free(w->ev);
	close(w->fd);
	sodium_memzero(w, sizeof *w);
	free(w);
}

/*
 * The child writing a key reported, died, or took longer than
 * LN_PAIR_AUTHORIZE_NS (then it is killed): the result goes out.
 */
static void
pair_wait_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pair_slot	*s = arg;
	struct pair_wait	*w = s->wait;
	char			 b = 0, msg[160], why[200];
	ssize_t			 n = -1;
	int			 ok = 0;

	if (what & EV_TIMEOUT) {
		kill(w->pid, SIGKILL);
		snprintf(why, sizeof why, "writing %s's authorized_keys took "
		    "more than %llu s (a slow or hung home directory?): gave "
		    "up", w->user, (unsigned long long)(LN_PAIR_AUTHORIZE_NS /
		    LN_NS_PER_SEC));
	} else {
		n = read(fd, &b, 1);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;		/* EV_PERSIST: still waiting */
		ok = n == 1 && (b == PAIR_KEY_ADDED || b == PAIR_KEY_PRESENT);
		snprintf(why, sizeof why, "%s", n == 1 ? "could not write "
		    "authorized_keys (see above)" : "the process writing "
		    "authorized_keys died");
	}
	if (ok)
		pair_admitted(w->peer, w->fp, w->comment, w->user,
		    b == PAIR_KEY_ADDED, msg, sizeof msg);
	else
		pair_unrecorded(w->d, s, w->peer, why, msg, sizeof msg);
	s->wait = NULL;
	pair_complete(w->d, s, &w->keys, ok, msg, w->user, w->send);
	pair_wait_free(w);
}

/*
 * A finish proved the code: check the request, mark the code used, admit
 * the key: at once in single-user mode (lnshd is the user), through a
 * child in root mode (PAIR_WAITING: pair_wait_cb completes the slot).
 * Writes the message for the client to msg unless waiting, and, when
 * admitted at once, the account the key was admitted for to user.
 */
static int
pair_admit(struct lnshd *d, struct pair_slot *s, const struct hs_keys *k,
    const uint8_t *pl, size_t plen, const char *name, pair_send_fn send,
    char *msg, size_t msglen, char *user, size_t userlen)
{
	Lnsh__Pair__PairRequest	*req;
	struct paths_user	 u;
	struct pair_wait	*w;
	struct pair_add		 pa;
	struct tm		 tm;
	struct timeval		 tv;
	time_t			 t = time(NULL);
	char			*cause = NULL, host[64], date[16];
	char			 comment[LN_KEY_COMMENT_MAX + 1];
	char			 fp[LN_FINGERPRINT_LEN];
	pid_t			 pid;
	int			 ok = PAIR_REFUSED, fd;
	unsigned		 line;

	memset(&u, 0, sizeof u);
	key_fingerprint(k->remote_static, fp);
	if ((req = lnsh__pair__pair_request__unpack(NULL, plen, pl)) ==
	    NULL) {
		snprintf(msg, msglen, "malformed request");
		log_warn("pairing with %s: malformed request", name);
		return (PAIR_REFUSED);
	}
	if (paths_user_uid(d->single_user, s->uid, &u, &cause) != 0) {
		snprintf(msg, msglen, "the code's user is unknown");
		log_warn("pairing with %s: %s", name, cause);
		goto out;
	}
	/* A code of user U admits a key for U only. */
	if (req->user != NULL && *req->user != '\0' &&
	    strcmp(req->user, u.name) != 0) {
		snprintf(msg, msglen, "the code is not for user %.64s",
		    req->user);
		log_warn("pairing with %s refused: key %s asked for user "
		    "%.64s with a code for %s", name, fp, req->user, u.name);
		goto out;
	}
	if (pair_code_mark(d->state_dir, s->uid, s->psk, 0, &cause) != 0) {
		snprintf(msg, msglen, "the code is wrong, expired or already "
		    "used");
		log_warn("pairing with %s refused: %s", name, cause);
		goto out;
	}
	pair_clean(req->host, host, sizeof host);
	localtime_r(&t, &tm);
	strftime(date, sizeof date, "%Y-%m-%d", &tm);
	snprintf(comment, sizeof comment, "paired-from-%s-%s", host, date);
	if (d->single_user) {
		if (authkeys_add(&u, k->remote_static, comment, NULL, NULL,
		    &line, &cause) != 0) {
			pair_unrecorded(d, s, name, cause, msg, msglen);
			goto out;
		}
		pair_admitted(name, fp, comment, u.name, line == 0, msg,
		    msglen);
		snprintf(user, userlen, "%s", u.name);
		ok = PAIR_ADMITTED;
		goto out;
	}
	pa.pk = k->remote_static;
	pa.comment = comment;
	if (authkeys_as_user_start(&u, pair_authorize_fn, &pa, &pid, &fd,
	    &cause) != 0) {
		pair_unrecorded(d, s, name, cause, msg, msglen);
		goto out;
	}
	evutil_make_socket_nonblocking(fd);
	evutil_make_socket_closeonexec(fd);
	w = xcalloc(1, sizeof *w);
	w->d = d;
	w->fd = fd;
	w->pid = pid;
	w->send = send;
	w->keys = *k;
	snprintf(w->peer, sizeof w->peer, "%s", name);
	snprintf(w->user, sizeof w->user, "%s", u.name);
	snprintf(w->fp, sizeof w->fp, "%s", fp);
	snprintf(w->comment, sizeof w->comment, "%s", comment);
	w->ev = event_new(d->base, fd, EV_READ | EV_PERSIST, pair_wait_cb, s);
	ln_ns_timeval(LN_PAIR_AUTHORIZE_NS, &tv);
	event_add(w->ev, &tv);
	s->wait = w;
	ok = PAIR_WAITING;
out:
	free(cause);
	paths_user_free(&u);
	lnsh__pair__pair_request__free_unpacked(req, NULL);
	return (ok);
}

/* A finish: complete the handshake, admit the key, send the result. */
static void
pair_on_finish(struct lnshd *d, const uint8_t *pkt, size_t len,
    const struct chan_addr *from, uint64_t now, pair_send_fn send)
{
	struct pair_slot	*s = NULL;
	struct hs_keys		 k;
	uint8_t			 pl[LN_PAIR_MAX_PAYLOAD];
	uint8_t			 h[LN_KEY_LEN];
	char			 name[LISTEN_ADDR_MAX], msg[160],
				 user[LN_USER_NAME_MAX + 1];
	size_t			 i, plen;
	uint32_t		 idx;
	int			 ok, r;

	memset(&k, 0, sizeof k);
	log_addr(from, name, sizeof name);
	if ((r = pair_packet_index(pkt, len, &idx)) != 0) {
		pair_drop(r);
		return;
	}
	for (i = 0; i < LN_PAIR_SLOTS; i++) {
		s = &pair_srv->slots[i];
		if (s->busy && s->local_index == idx &&
		    now - s->created_ns <= LN_PAIR_SLOT_NS &&
		    pair_same_addr(&s->from, from))
			break;
	}
	if (i == LN_PAIR_SLOTS) {
		pair_drop(LN_E_DROP(LN_DROP_UNKNOWN_INDEX));
		return;
	}
	crypto_generichash(h, sizeof h, pkt, len, NULL, 0);
	if (s->done) {
		/* The client lost our result: the same finish, the same. */
		if (sodium_memcmp(h, s->fin_hash, sizeof h) == 0)
			send(d, from, s->result, s->result_len);
		else
			pair_drop(LN_E_DROP(LN_DROP_STATE));
		return;
	}
	if (s->wait != NULL) {
		/* A resend while the key is being written: the result comes. */
		pair_drop(LN_E_DROP(LN_DROP_STATE));
		return;
	}
	if ((r = pair_consume_finish(&s->hs, s->local_index, s->mkey, pkt,
	    len, pl, sizeof pl, &plen, &k)) != 0) {
		log_warn("pairing with %s refused: the client does not know "
		    "the code (%s)", name, ln_strerror(r));
		pair_drop(r);
		return;
	}
	k.remote_index = s->remote_index;
	memcpy(s->fin_hash, h, sizeof h);
	user[0] = '\0';
	ok = pair_admit(d, s, &k, pl, plen, name, send, msg, sizeof msg, user,
	    sizeof user);
	if (ok != PAIR_WAITING)
		pair_complete(d, s, &k, ok == PAIR_ADMITTED, msg, user, send);
	sodium_memzero(&k, sizeof k);
	sodium_memzero(pl, sizeof pl);
}

/*
 * A pairing datagram from listen.c (pair_packet_type() said so). Inits and
 * finishes are served; a response or result, which only a client takes, is
 * dropped as a type the server never accepts.
 */
void
pair_input(struct lnshd *d, const uint8_t *pkt, size_t len,
    const struct chan_addr *from, uint64_t now, pair_send_fn send)
{
	if (pair_srv == NULL)
		return;
	switch (pair_packet_type(pkt, len)) {
	case LN_PKT_PAIR_INIT:
		pair_on_init(d, pkt, len, from, now, send);
		break;
	case LN_PKT_PAIR_FINISH:
		pair_on_finish(d, pkt, len, from, now, send);
		break;
	default:
		pair_drop(LN_E_DROP(LN_DROP_TYPE));
		break;
	}
}

/*
 * Pairing's drop counters (zero before pair_open), apart from the
 * channel's: a pairing packet never reaches the channel.
 */
const struct ln_counters *
pair_counters(void)
{
	static const struct ln_counters	none;

	if (pair_srv == NULL)
		return (&none);
	return (&pair_srv->counters);
}
