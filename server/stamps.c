/*
 * stamps.c: the last accepted initiation timestamp of each client key,
 * kept in the state directory so that a restarted lnshd still refuses an
 * initiation captured before the restart (docs/security.md, "Replay").
 *
 * STATE/handshake-stamps is a journal of text lines, "KEY TIMESTAMP\n":
 * the client key in base64 (44 characters) and the Hello timestamp in
 * decimal nanoseconds. The newest line of a key wins when it is read. A
 * line is appended with one write(2) each time an initiation is accepted,
 * before the response goes out: a kill -9 cannot lose it (the kernel has
 * it), and no fsync is paid per handshake. A power cut can lose the lines
 * written since the kernel last flushed the file; the journal is synced
 * when it is compacted. Compaction rewrites it atomically (ln_file_write:
 * temporary file, fsync, rename) with one line per key, at start and
 * whenever LN_STAMP_JOURNAL_MAX lines have been appended, so the file
 * stays under LN_STAMP_JOURNAL_MAX lines of 64 bytes. At most
 * LN_STAMP_KEYS_MAX keys are kept; past that the key that handshaked
 * longest ago is forgotten (its own copy in the channel lives on until
 * the restart).
 *
 * A directory that cannot be written does not stop lnshd: it says so once,
 * naming the file, goes on with the timestamps in memory only, and tries
 * again every LN_STAMP_RETRY_NS while handshakes come in.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "server.h"

#define STAMPS_FILE	"handshake-stamps"
#define STAMPS_BUCKETS	256
/* One line: key, space, up to 20 digits, newline. */
#define STAMPS_LINE_MAX	(LN_KEY_B64_LEN + 1 + 20 + 1)

struct stamp {
	uint8_t		 pk[LN_KEY_LEN];
	uint64_t	 ts;
	struct stamp	*next;
};

struct stamps {
	char		*path;
	int		 fd;		/* journal, for appending; -1: none */
	unsigned	 lines;		/* in the journal */
	int		 failed;	/* the last write failed */
	uint64_t	 tried_ns;	/* when a compaction was last tried */
	struct stamp	*buckets[STAMPS_BUCKETS];
	unsigned	 n;
};

/* The bucket of a key (keys are uniformly random). */
static struct stamp **
stamps_bucket(struct stamps *st, const uint8_t *pk)
{
	return (&st->buckets[pk[0]]);
}

/* The entry of a key, or NULL. */
static struct stamp *
stamps_find(struct stamps *st, const uint8_t *pk)
{
	struct stamp	*e;

	for (e = *stamps_bucket(st, pk); e != NULL; e = e->next)
		if (memcmp(e->pk, pk, LN_KEY_LEN) == 0)
			return (e);
	return (NULL);
}

/* Forgets the key that handshaked longest ago, to make room. */
static void
stamps_evict(struct stamps *st)
{
	struct stamp	**pp, **oldest = NULL, *e;
	int		  i;

	for (i = 0; i < STAMPS_BUCKETS; i++)
		for (pp = &st->buckets[i]; *pp != NULL; pp = &(*pp)->next)
			if (oldest == NULL || (*pp)->ts < (*oldest)->ts)
				oldest = pp;
	if (oldest == NULL)
		return;
	e = *oldest;
	*oldest = e->next;
	free(e);
	st->n--;
}

/* Records ts for a key in memory, if newer than what we have. */
static void
stamps_set(struct stamps *st, const uint8_t *pk, uint64_t ts)
{
	struct stamp	*e;

	if ((e = stamps_find(st, pk)) != NULL) {
		if (ts > e->ts)
			e->ts = ts;
		return;
	}
	if (st->n >= LN_STAMP_KEYS_MAX)
		stamps_evict(st);
	e = xcalloc(1, sizeof *e);
	memcpy(e->pk, pk, LN_KEY_LEN);
	e->ts = ts;
	e->next = *stamps_bucket(st, pk);
	*stamps_bucket(st, pk) = e;
	st->n++;
}

/* Formats one journal line into out (STAMPS_LINE_MAX + 1); its length. */
static size_t
stamps_line(const uint8_t *pk, uint64_t ts, char *out)
{
	char	b64[LN_KEY_B64_LEN + 1];
	int	n;

	key_b64(pk, b64);
	n = snprintf(out, STAMPS_LINE_MAX + 1, "%s %llu\n", b64,
	    (unsigned long long)ts);
	return (n > 0 ? (size_t)n : 0);
}

/*
 * Reads one journal line (without its newline): 0 with the key and
 * timestamp, or LN_E_INVAL for anything else (a torn last line, junk).
 */
static int
stamps_parse(const char *line, uint8_t *pk, uint64_t *ts)
{
	const char	*p;
	uint64_t	 v = 0;

	if (strlen(line) < LN_KEY_B64_LEN + 2 || line[LN_KEY_B64_LEN] != ' ' ||
	    key_from_b64(line, LN_KEY_B64_LEN, pk) != 0)
		return (LN_E_INVAL);
	p = line + LN_KEY_B64_LEN + 1;
	if (*p == '\0')
		return (LN_E_INVAL);
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
			return (LN_E_INVAL);
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*ts = v;
	return (0);
}

/* Reads the journal, if there is one; says what it could not read. */
static void
stamps_load(struct stamps *st)
{
	struct buf	 b;
	uint8_t		*data = NULL, pk[LN_KEY_LEN];
	char		 line[LN_TEXT_LINE_MAX], *cause = NULL;
	uint64_t	 ts;
	size_t		 len;
	unsigned	 bad = 0;
	int		 r;

	if (ln_file_read(st->path, LN_FILE_MISSING_OK | LN_FILE_OWNED |
	    LN_FILE_NO_OTHER_WRITE, &data, &len, &cause) != 0) {
		log_error("cannot read the handshake timestamps: %s; lnshd "
		    "starts without them, so an initiation captured before "
		    "this start could be answered once", cause);
		free(cause);
		return;
	}
	if (data == NULL)
		return;
	buf_reader(&b, data, len);
	while ((r = ln_text_line(&b, line, sizeof line)) != 0) {
		if (r == 1 && stamps_parse(line, pk, &ts) == 0)
			stamps_set(st, pk, ts);
		else
			bad++;
	}
	if (bad != 0)
		log_warn("%s: %u line%s not understood and skipped", st->path,
		    bad, bad == 1 ? "" : "s");
	free(data);
}

/* Says once that the timestamps cannot be written, and what follows. */
static void
stamps_fail(struct stamps *st, const char *what)
{
	if (st->failed)
		return;
	st->failed = 1;
	log_error("cannot record handshake timestamps in %s: %s; lnshd goes "
	    "on with them in memory only (a restart would forget them, and "
	    "an initiation captured before it could then be answered once) "
	    "and tries again every %llu s; make the state directory "
	    "writable or free space in it", st->path, what,
	    (unsigned long long)(LN_STAMP_RETRY_NS / LN_NS_PER_SEC));
}

/*
 * Rewrites the journal with one line per key, atomically and synced, and
 * reopens it for appending. On failure the old journal, if any, stays.
 */
static int
stamps_compact(struct stamps *st)
{
	struct stamp	*e;
	char		*text, *cause = NULL;
	size_t		 used = 0, cap;
	int		 i, fd, r;

	st->tried_ns = ln_now_ns();
	cap = (size_t)st->n * STAMPS_LINE_MAX + 1;
	text = xmalloc(cap);
	for (i = 0; i < STAMPS_BUCKETS; i++)
		for (e = st->buckets[i]; e != NULL; e = e->next)
			used += stamps_line(e->pk, e->ts, text + used);
	r = ln_file_write(st->path, text, used, 0600, 0, &cause);
	free(text);
	if (r != 0) {
		stamps_fail(st, cause);
		free(cause);
		return (r);
	}
	if (st->fd != -1)
		close(st->fd);
	fd = open(st->path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	st->fd = fd;
	if (fd == -1) {
		stamps_fail(st, strerror(errno));
		return (LN_E_SYSTEM);
	}
	st->lines = st->n;
	if (st->failed)
		log_info("handshake timestamps are recorded in %s again",
		    st->path);
	st->failed = 0;
	return (0);
}

/*
 * Opens the record in the state directory: reads what an earlier lnshd
 * left and rewrites it compacted. Never fails: a directory that cannot
 * be written is logged and the record lives in memory.
 */
struct stamps *
stamps_open(const char *state_dir)
{
	struct stamps	*st;
	size_t		 n;

	st = xcalloc(1, sizeof *st);
	st->fd = -1;
	n = strlen(state_dir) + sizeof "/" STAMPS_FILE;
	st->path = xmalloc(n);
	snprintf(st->path, n, "%s/%s", state_dir, STAMPS_FILE);
	stamps_load(st);
	(void)stamps_compact(st);
	return (st);
}

/* Closes the record (its content stays on disk). */
void
stamps_close(struct stamps *st)
{
	struct stamp	*e, *next;
	int		 i;

	if (st == NULL)
		return;
	if (st->fd != -1)
		close(st->fd);
	for (i = 0; i < STAMPS_BUCKETS; i++)
		for (e = st->buckets[i]; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
	free(st->path);
	free(st);
}

/* The last timestamp recorded for a key; 0 when there is none. */
uint64_t
stamps_get(struct stamps *st, const uint8_t *pk)
{
	struct stamp	*e;

	if (st == NULL || (e = stamps_find(st, pk)) == NULL)
		return (0);
	return (e->ts);
}

/*
 * An initiation of key pk with timestamp ts was accepted: record it, on
 * disk before the caller answers (one write, no fsync).
 */
void
stamps_put(struct stamps *st, const uint8_t *pk, uint64_t ts)
{
	char	line[STAMPS_LINE_MAX + 1];
	size_t	n;
	ssize_t	w;

	if (st == NULL)
		return;
	stamps_set(st, pk, ts);
	if (st->failed || st->fd == -1) {
		if (ln_now_ns() - st->tried_ns >= LN_STAMP_RETRY_NS)
			(void)stamps_compact(st);
		return;
	}
	if (st->lines + 1 >= LN_STAMP_JOURNAL_MAX) {
		(void)stamps_compact(st);
		return;
	}
	n = stamps_line(pk, ts, line);
	do
		w = write(st->fd, line, n);
	while (w == -1 && errno == EINTR);
	if (w != (ssize_t)n) {
		stamps_fail(st, w == -1 ? strerror(errno) : "short write");
		return;
	}
	st->lines++;
}

/* Whether the record is being written (for status). */
int
stamps_ok(const struct stamps *st)
{
	return (st != NULL && !st->failed && st->fd != -1);
}
