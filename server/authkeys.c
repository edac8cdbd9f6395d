/*
 * authkeys.c: a user's authorized_keys, the only thing that admits a client
 * key for a user. Because whoever can write this file (or replace a
 * directory above it) can log in as the user, it is checked the way
 * OpenSSH's StrictModes checks ~/.ssh/authorized_keys before any line of it
 * is believed, and lnshd reads it afresh at every handshake so that a key
 * removed from it stops working at once.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "server.h"

/*
 * Checks one directory on the way up: owned by the user or root, and
 * writable by nobody else.
 */
static int
strict_dir(const char *file, const char *dir, uid_t uid, char **cause)
{
	struct stat	st;

	if (stat(dir, &st) == -1) {
		ln_cause(cause, "%s: refused: %s: %s", file, dir,
		    strerror(errno));
		return (LN_E_SYSTEM);
	}
	if (!S_ISDIR(st.st_mode)) {
		ln_cause(cause, "%s: refused: %s is not a directory", file,
		    dir);
		return (LN_E_INVAL);
	}
	if (st.st_uid != uid && st.st_uid != 0) {
		ln_cause(cause, "%s: refused: directory %s is owned by uid "
		    "%lu, not by the user (uid %lu) or root", file, dir,
		    (unsigned long)st.st_uid, (unsigned long)uid);
		return (LN_E_INVAL);
	}
	if ((st.st_mode & 022) != 0) {
		ln_cause(cause, "%s: refused: directory %s is writable by "
		    "group or others (mode %04o): run `chmod go-w %s`", file,
		    dir, (unsigned)(st.st_mode & 07777), dir);
		return (LN_E_INVAL);
	}
	return (0);
}

/* What a file that is not a regular file is, for refusals. */
static const char *
file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return ("a directory");
	if (S_ISCHR(mode))
		return ("a character device");
	if (S_ISBLK(mode))
		return ("a block device");
	if (S_ISFIFO(mode))
		return ("a FIFO");
	if (S_ISSOCK(mode))
		return ("a socket");
	return ("not a regular file");
}

/*
 * Checks the file itself, from its open descriptor so that what is checked
 * is what is read: a regular file of the user's that group and others can
 * neither read nor write.
 */
static int
strict_file(const char *path, int fd, uid_t uid, char **cause)
{
	struct stat	st;

	if (fstat(fd, &st) == -1) {
		ln_cause(cause, "%s: %s", path, strerror(errno));
		return (LN_E_SYSTEM);
	}
	if (!S_ISREG(st.st_mode)) {
		ln_cause(cause, "%s: refused: it is %s, not a regular file; "
		    "make it a file of keys (docs/security.md)", path,
		    file_kind(st.st_mode));
		return (LN_E_INVAL);
	}
	if (st.st_uid != uid) {
		ln_cause(cause, "%s: refused: owned by uid %lu, not by the "
		    "user (uid %lu): run `chown %lu %s`", path,
		    (unsigned long)st.st_uid, (unsigned long)uid,
		    (unsigned long)uid, path);
		return (LN_E_INVAL);
	}
	if ((st.st_mode & 066) != 0) {
		ln_cause(cause, "%s: refused: readable or writable by group "
		    "or others (mode %04o): run `chmod 600 %s`", path,
		    (unsigned)(st.st_mode & 07777), path);
		return (LN_E_INVAL);
	}
	if (st.st_size > LN_TEXT_FILE_MAX) {
		ln_cause(cause, "%s: refused: larger than %d bytes", path,
		    LN_TEXT_FILE_MAX);
		return (LN_E_INVAL);
	}
	return (0);
}

/*
 * StrictModes for the directories: walks up from the file's real location
 * (symbolic links resolved) checking every directory until it has checked
 * the user's home, or reached / when the file is not under the home.
 */
int
authkeys_strict(const char *path, const char *home, uid_t uid, char **cause)
{
	char	 real[PATH_MAX], realhome[PATH_MAX], *dir;
	int	 r;

	if (realpath(path, real) == NULL) {
		ln_cause(cause, "%s: %s", path, strerror(errno));
		return (LN_E_SYSTEM);
	}
	if (realpath(home, realhome) == NULL) {
		ln_cause(cause, "%s: refused: home directory %s: %s", path,
		    home, strerror(errno));
		return (LN_E_SYSTEM);
	}
	for (;;) {
		/* dirname may modify its argument and return static storage. */
		dir = dirname(real);
		if (dir != real)
			memmove(real, dir, strlen(dir) + 1);
		if ((r = strict_dir(path, real, uid, cause)) != 0)
			return (r);
		if (strcmp(real, realhome) == 0 || strcmp(real, "/") == 0)
			break;
	}
	return (0);
}

/* Frees the keys of a parsed file. */
void
authkeys_free(struct authkeys *ak)
{
	free(ak->keys);
	ak->keys = NULL;
	ak->nkeys = 0;
}

/* Passes a warning to the caller's log, if it gave one. */
static void
warn(authkeys_warn_fn fn, void *arg, const char *path, unsigned line,
    const char *why)
{
	char	msg[512];

	if (fn == NULL)
		return;
	snprintf(msg, sizeof msg, "%s:%u: ignoring this line: %s", path, line,
	    why);
	fn(arg, msg);
}

/*
 * Parses the text of an authorized_keys file (path only names it in
 * messages). A malformed line is reported through warn and skipped: it
 * admits nothing, and the good lines around it still count, so one typo
 * does not lock the user out.
 */
int
authkeys_parse(const char *path, const uint8_t *data, size_t len,
    struct authkeys *out, authkeys_warn_fn fn, void *arg)
{
	struct authkeys	 ak = { NULL, 0 };
	struct authkey	 k;
	struct buf	 b;
	char		 line[LN_TEXT_LINE_MAX];
	const char	*s, *why;
	unsigned	 lineno = 0;
	int		 r;

	buf_reader(&b, data, len);
	while ((r = ln_text_line(&b, line, sizeof line)) != 0) {
		lineno++;
		if (r < 0) {
			warn(fn, arg, path, lineno,
			    "line too long or not text");
			continue;
		}
		s = line + strspn(line, " \t");
		if (*s == '\0' || *s == '#')
			continue;
		memset(&k, 0, sizeof k);
		if (key_parse(s, k.key, k.comment, &why) != 0) {
			warn(fn, arg, path, lineno, why);
			continue;
		}
		k.line = lineno;
		ak.keys = xreallocarray(ak.keys, ak.nkeys + 1,
		    sizeof *ak.keys);
		ak.keys[ak.nkeys++] = k;
	}
	*out = ak;
	return (0);
}

/*
 * Opens path for reading in the identity of user uid/gid (effective ids
 * and groups only, put back before returning) when lnshd is root serving
 * someone else; as itself otherwise.
 *
 * Why as the user: the path is the user's to point anywhere (a symbolic
 * link to a pty slave, a FIFO, /dev/zero, a device only root may open),
 * and root opening it would act on whatever it names before any check:
 * a tty opened without O_NOCTTY becomes the controlling terminal of an
 * lnshd that has none (under systemd or launchd), whose owner can then
 * stop it with ^C or make it dump core with the host key in it. As the
 * user, lnshd can open only what the user could open themself, so
 * following the user's symbolic links (as sshd does: dotfile managers
 * link ~/.config/lnsh) gives them nothing, and a component swapped
 * between authkeys_strict()'s walk and this open can only be swapped by
 * the user or root (the walk refuses anything others may write), leading
 * the user to no file they could not have written anyway. O_NOCTTY keeps
 * even the user's own pty from becoming ours, O_NONBLOCK keeps a FIFO from
 * blocking the open, and strict_file() then refuses anything but a
 * regular file before a byte is read; ln_fd_read() bounds the read at
 * LN_TEXT_FILE_MAX. This is done in the daemon's process, not in a child:
 * a temporary effective id is what sshd's monitor does for the same file,
 * costs no fork on every handshake, and lets no other process in (a
 * process whose real and saved ids stay 0 cannot be signalled or traced
 * by the user meanwhile). Only the effective ids change, and only
 * around open(), so the loop never runs as anyone but root.
 */
static int
open_as_user(const char *path, uid_t uid, gid_t gid, int *fdp, char **cause)
{
	gid_t	*groups = NULL, egid;
	uid_t	 euid;
	int	 fd, ngroups = 0, saved = 0, failed = 0;

	euid = geteuid();
	egid = getegid();
	if (euid == 0 && uid != 0) {
		if ((ngroups = getgroups(0, NULL)) == -1 ||
		    (groups = xreallocarray(NULL, (size_t)ngroups + 1,
		    sizeof *groups)) == NULL ||
		    (ngroups = getgroups(ngroups, groups)) == -1) {
			ln_cause(cause, "%s: getgroups: %s", path,
			    strerror(errno));
			free(groups);
			return (LN_E_SYSTEM);
		}
		if (setgroups(1, &gid) == -1 || setegid(gid) == -1 ||
		    seteuid(uid) == -1) {
			saved = errno;
			ln_cause(cause, "%s: cannot open as uid %lu: %s", path,
			    (unsigned long)uid, strerror(saved));
			fd = -1;
			failed = 1;
			goto back;
		}
	}
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	saved = errno;
back:
	if (euid == 0 && uid != 0) {
		/*
		 * Root's own groups back; should that fail (macOS's getgroups
		 * can list more groups than setgroups takes), root's group
		 * alone: uid 0 needs no group for access.
		 */
		if (seteuid(euid) == -1 || setegid(egid) == -1 ||
		    (setgroups(ngroups, groups) == -1 &&
		    setgroups(1, &egid) == -1)) {
			/* Never go on serving as anyone but ourselves. */
			fprintf(stderr, "lnshd: cannot return to uid %lu after "
			    "opening %s: %s\n", (unsigned long)euid, path,
			    strerror(errno));
			_exit(1);
		}
		free(groups);
	}
	if (fd == -1) {
		if (failed)
			return (LN_E_SYSTEM);
		if (saved == ENOENT) {
			ln_cause(cause, "%s does not exist", path);
			return (LN_E_DROP(LN_DROP_UNAUTHORIZED));
		}
		ln_cause(cause, "%s: %s", path, strerror(saved));
		return (LN_E_SYSTEM);
	}
	*fdp = fd;
	return (0);
}

/*
 * Loads a user's authorized_keys after the StrictModes checks; any failed
 * check refuses the whole file with a message naming it. A missing file
 * admits nobody: LN_E_DROP(LN_DROP_UNAUTHORIZED). The file is opened as
 * the user (open_as_user) and must be a regular file.
 */
int
authkeys_load(const char *path, const char *home, uid_t uid, gid_t gid,
    struct authkeys *out, authkeys_warn_fn fn, void *arg, char **cause)
{
	uint8_t	*data = NULL;
	size_t	 len;
	int	 fd, r;

	if ((r = open_as_user(path, uid, gid, &fd, cause)) != 0)
		return (r);
	if ((r = strict_file(path, fd, uid, cause)) != 0)
		goto out;
	if ((r = authkeys_strict(path, home, uid, cause)) != 0)
		goto out;
	if ((r = ln_fd_read(path, fd, &data, &len, cause)) != 0)
		goto out;
	r = authkeys_parse(path, data, len, out, fn, arg);
out:
	free(data);
	close(fd);
	return (r);
}

/*
 * The entry admitting key, or NULL. Every entry is compared, in constant
 * time, so the time taken says nothing about which key matched.
 */
const struct authkey *
authkeys_find(const struct authkeys *ak, const uint8_t *key)
{
	const struct authkey	*found = NULL;
	size_t			 i;

	for (i = 0; i < ak->nkeys; i++) {
		if (sodium_memcmp(ak->keys[i].key, key, LN_KEY_LEN) == 0 &&
		    found == NULL)
			found = &ak->keys[i];
	}
	return (found);
}

/*
 * Is key admitted for user u? 0: yes. LN_E_DROP(LN_DROP_UNAUTHORIZED): the
 * key is not in the file, or there is no file; other errors: the file was
 * refused. *cause says which, naming the file and the key's fingerprint.
 */
int
authkeys_admits(const struct paths_user *u, const uint8_t *key,
    authkeys_warn_fn fn, void *arg, char **cause)
{
	struct authkeys	 ak;
	char		*path, fp[LN_FINGERPRINT_LEN], *why = NULL;
	int		 r;

	path = paths_authorized_keys(u);
	key_fingerprint(key, fp);
	if ((r = authkeys_load(path, u->home, u->uid, u->gid, &ak, fn, arg,
	    &why)) != 0) {
		ln_cause(cause, "key %s not admitted for %s: %s", fp, u->name,
		    why);
		goto out;
	}
	if (authkeys_find(&ak, key) == NULL) {
		ln_cause(cause, "key %s not admitted for %s: not in %s", fp,
		    u->name, path);
		r = LN_E_DROP(LN_DROP_UNAUTHORIZED);
	}
	authkeys_free(&ak);
out:
	free(why);
	free(path);
	return (r);
}

/*
 * Last use: lnshd notes, when a client completes a handshake, the time in
 * STATE_DIR/lastuse/UID, one line a key: "FINGERPRINT SECONDS" (UTC,
 * seconds since the epoch). It lives in the state dir, not beside
 * authorized_keys, so that root-mode lnshd never writes into a directory
 * a user controls; `lnshd authorized` reads it. Lines of keys since
 * revoked stay, harmless, until the file is removed.
 */
#define AUTHKEYS_LASTUSE	"lastuse"

/* STATE_DIR/lastuse/UID, allocated. */
static char *
lastuse_path(const char *state_dir, uid_t uid)
{
	char	*p;
	size_t	 n = strlen(state_dir) + sizeof AUTHKEYS_LASTUSE + 32;

	p = xmalloc(n);
	snprintf(p, n, "%s/%s/%lu", state_dir, AUTHKEYS_LASTUSE,
	    (unsigned long)uid);
	return (p);
}

/*
 * Reads the last-use file of uid into *data (NUL-terminated; "" when
 * there is none yet).
 */
static int
lastuse_read(const char *path, uint8_t **data, size_t *len, char **cause)
{
	int	r;

	r = ln_file_read(path, LN_FILE_PRIVATE | LN_FILE_OWNED |
	    LN_FILE_MISSING_OK, data, len, cause);
	if (r == 0 && *data == NULL) {
		*data = (uint8_t *)xstrdup("");
		*len = 0;
	}
	return (r);
}

/*
 * When key last completed a handshake for uid (seconds since the epoch):
 * 0 and *when, or LN_E_INVAL when it never did (or nobody knows).
 */
int
authkeys_last_use(const char *state_dir, uid_t uid, const uint8_t *key,
    int64_t *when)
{
	struct buf	 b;
	uint8_t		*data = NULL;
	char		*path, fp[LN_FINGERPRINT_LEN], line[LN_TEXT_LINE_MAX];
	char		*end;
	size_t		 len, n;
	long long	 v;
	int		 r = LN_E_INVAL;

	path = lastuse_path(state_dir, uid);
	key_fingerprint(key, fp);
	n = strlen(fp);
	if (lastuse_read(path, &data, &len, NULL) != 0)
		goto out;
	buf_reader(&b, data, len);
	while (ln_text_line(&b, line, sizeof line) != 0) {
		if (strncmp(line, fp, n) != 0 || line[n] != ' ')
			continue;
		v = strtoll(line + n + 1, &end, 10);
		if (*end != '\0' || v < 0)
			continue;
		*when = v;
		r = 0;
	}
out:
	free(data);
	free(path);
	return (r);
}

/*
 * Notes that key completed a handshake for uid at when (seconds since the
 * epoch), replacing the file atomically. Small and bounded: one line per
 * key that ever logged in as the user. A time already recorded less than
 * LN_LASTUSE_EVERY_SEC before when is left alone: no write, no fsync.
 */
int
authkeys_note_use(const char *state_dir, uid_t uid, const uint8_t *key,
    int64_t when, char **cause)
{
	struct buf	 b;
	uint8_t		*data = NULL;
	char		*path, *dir, *text = NULL, line[LN_TEXT_LINE_MAX];
	char		 fp[LN_FINGERPRINT_LEN], *end;
	size_t		 len, n, used = 0, cap;
	long long	 v;
	int		 r;

	path = lastuse_path(state_dir, uid);
	dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	key_fingerprint(key, fp);
	n = strlen(fp);
	if ((r = ln_mkdir(dir, 0700, cause)) != 0)
		goto out;
	if ((r = lastuse_read(path, &data, &len, cause)) != 0)
		goto out;
	cap = len + LN_FINGERPRINT_LEN + 32;
	text = xmalloc(cap);
	buf_reader(&b, data, len);
	while (ln_text_line(&b, line, sizeof line) != 0) {
		if (strncmp(line, fp, n) == 0 && line[n] == ' ') {
			v = strtoll(line + n + 1, &end, 10);
			if (*end == '\0' && v >= 0 && v <= when &&
			    when - v < LN_LASTUSE_EVERY_SEC) {
				r = 0;
				goto out;
			}
			continue;
		}
		used += (size_t)snprintf(text + used, cap - used, "%s\n",
		    line);
	}
	used += (size_t)snprintf(text + used, cap - used, "%s %lld\n", fp,
	    (long long)when);
	r = ln_file_write(path, text, used, 0600, 0, cause);
out:
	free(text);
	free(data);
	free(dir);
	free(path);
	return (r);
}
