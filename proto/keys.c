/*
 * keys.c: X25519 keys as text and in files, shared by lnsh and lnshd, and
 * the text-file helpers every lnsh file parser uses: permission-checked
 * reading, atomic replacement, line splitting through struct buf, and
 * ADDRESS[:PORT] splitting. docs/files.md describes the formats.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "proto.h"

#define FINGERPRINT_HASH_LEN	32	/* BLAKE2b-256 */

/* Sets *cause, when wanted, to an allocated message; callers free it. */
void
ln_cause(char **cause, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	if (cause == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	s = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	(void)vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	*cause = s;
}

/*
 * Checks an opened file against the flags of ln_file_read. The message says
 * what to run, because the person reading it is the one who must fix it.
 */
static int
file_check(const char *path, int fd, int flags, char **cause)
{
	struct stat	st;

	if (fstat(fd, &st) == -1) {
		ln_cause(cause, "%s: %s", path, strerror(errno));
		return (LN_E_SYSTEM);
	}
	if (!S_ISREG(st.st_mode)) {
		ln_cause(cause, "%s: not a regular file", path);
		return (LN_E_INVAL);
	}
	if ((flags & LN_FILE_OWNED) && st.st_uid != geteuid() &&
	    st.st_uid != 0) {
		ln_cause(cause, "%s is owned by uid %lu, not by the user "
		    "reading it (uid %lu) or root: run `chown %lu %s` or "
		    "remove it",
		    path, (unsigned long)st.st_uid, (unsigned long)geteuid(),
		    (unsigned long)geteuid(), path);
		return (LN_E_INVAL);
	}
	if ((flags & LN_FILE_PRIVATE) && (st.st_mode & 077) != 0) {
		ln_cause(cause, "%s is accessible by group or others (mode "
		    "%04o), refusing to use it: run `chmod 600 %s`", path,
		    (unsigned)(st.st_mode & 07777), path);
		return (LN_E_INVAL);
	}
	if ((flags & LN_FILE_NO_OTHER_WRITE) && (st.st_mode & 022) != 0) {
		ln_cause(cause, "%s is writable by group or others (mode "
		    "%04o), refusing to use it: run `chmod go-w %s`", path,
		    (unsigned)(st.st_mode & 07777), path);
		return (LN_E_INVAL);
	}
	if (st.st_size > LN_TEXT_FILE_MAX) {
		ln_cause(cause, "%s: larger than %d bytes", path,
		    LN_TEXT_FILE_MAX);
		return (LN_E_INVAL);
	}
	return (0);
}

/*
 * Reads a whole small text file after checking it (flags LN_FILE_*). On
 * success *data is an allocated, NUL-terminated copy of *len bytes that the
 * caller frees (and wipes, if it held a secret); with LN_FILE_MISSING_OK an
 * absent file is a success with *data NULL.
 */
int
ln_file_read(const char *path, int flags, uint8_t **data, size_t *len,
    char **cause)
{
	int	 fd, r;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK)) == -1) {
		if (errno == ENOENT && (flags & LN_FILE_MISSING_OK)) {
			*data = NULL;
			*len = 0;
			return (0);
		}
		if (errno == ELOOP)
			ln_cause(cause, "%s: is a symbolic link, refusing to "
			    "follow it", path);
		else
			ln_cause(cause, "%s: %s", path, strerror(errno));
		return (LN_E_SYSTEM);
	}
	if ((r = file_check(path, fd, flags, cause)) == 0)
		r = ln_fd_read(path, fd, data, len, cause);
	close(fd);
	return (r);
}

/*
 * Reads what is left of an open file (path names it in messages), at most
 * LN_TEXT_FILE_MAX bytes, for readers that open and check a file their own
 * way. On success *data is an allocated, NUL-terminated copy of *len bytes
 * that the caller frees; a partial read is wiped before it is freed.
 */
int
ln_fd_read(const char *path, int fd, uint8_t **data, size_t *len,
    char **cause)
{
	uint8_t	*p;
	size_t	 used = 0, cap = 4096;
	ssize_t	 n;
	int	 r;

	p = xmalloc(cap);
	for (;;) {
		if (used + 1 >= cap) {
			if (cap > LN_TEXT_FILE_MAX) {
				ln_cause(cause, "%s: larger than %d bytes",
				    path, LN_TEXT_FILE_MAX);
				r = LN_E_INVAL;
				goto out;
			}
			p = xreallocarray(p, 2, cap);
			cap *= 2;
		}
		n = read(fd, p + used, cap - used - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			ln_cause(cause, "%s: %s", path, strerror(errno));
			r = LN_E_SYSTEM;
			goto out;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	p[used] = '\0';
	*data = p;
	*len = used;
	p = NULL;
	r = 0;
out:
	if (p != NULL) {
		sodium_memzero(p, cap);
		free(p);
	}
	return (r);
}

/* Writes all of len bytes, retrying short writes. */
static int
write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return (-1);
		p += n;
		len -= (size_t)n;
	}
	return (0);
}

/* Flushes a directory so a rename in it survives a crash; best effort. */
static void
sync_dir_of(const char *path)
{
	char	*copy, *dir;
	int	 fd;

	copy = xstrdup(path);
	dir = dirname(copy);
	if ((fd = open(dir, O_RDONLY)) != -1) {
		(void)fsync(fd);
		close(fd);
	}
	free(copy);
}

/*
 * Replaces (or, with LN_WRITE_NOCLOBBER, creates) path atomically: readers
 * see the old content or the new, never a part. The data goes to a fresh
 * temporary file beside it, created O_EXCL|O_NOFOLLOW with exactly `mode`
 * (whatever the umask), synced, then renamed over path, or linked to it when
 * an existing file must not be replaced.
 */
int
ln_file_write(const char *path, const void *data, size_t len, mode_t mode,
    int flags, char **cause)
{
	char		*tmp;
	uint8_t		 rnd[8];
	size_t		 tmplen;
	int		 fd = -1, r = LN_E_SYSTEM, created = 0;

	tmplen = strlen(path) + 6 + 2 * sizeof rnd + 1;
	tmp = xmalloc(tmplen);
	randombytes_buf(rnd, sizeof rnd);
	snprintf(tmp, tmplen, "%s.tmp.", path);
	sodium_bin2hex(tmp + strlen(tmp), 2 * sizeof rnd + 1, rnd, sizeof rnd);

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
	if (fd == -1) {
		ln_cause(cause, "%s: cannot create %s: %s%s", path, tmp,
		    strerror(errno), ln_fs_hint(errno));
		goto out;
	}
	created = 1;
	if (fchmod(fd, mode) == -1 || write_all(fd, data, len) == -1 ||
	    fsync(fd) == -1) {
		ln_cause(cause, "%s: writing %s: %s%s", path, tmp,
		    strerror(errno), ln_fs_hint(errno));
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		ln_cause(cause, "%s: writing %s: %s%s", path, tmp,
		    strerror(errno), ln_fs_hint(errno));
		goto out;
	}
	fd = -1;
	if (flags & LN_WRITE_NOCLOBBER) {
		/* link(2) fails if path exists, where rename would replace. */
		if (link(tmp, path) == -1) {
			if (errno == EEXIST)
				ln_cause(cause, "%s already exists; not "
				    "replacing it", path);
			else
				ln_cause(cause, "%s: %s", path,
				    strerror(errno));
			goto out;
		}
	} else {
		if (rename(tmp, path) == -1) {
			ln_cause(cause, "%s: rename from %s: %s", path, tmp,
			    strerror(errno));
			goto out;
		}
		created = 0;
	}
	sync_dir_of(path);
	r = 0;
out:
	if (fd != -1)
		close(fd);
	if (created)
		(void)unlink(tmp);
	free(tmp);
	return (r);
}

/*
 * Makes a directory and any missing parents, each created with mode (as
 * `mkdir -p -m`); directories that exist are left as they are. The last
 * one must end up a directory.
 */
int
ln_mkdir(const char *path, mode_t mode, char **cause)
{
	struct stat	 st;
	char		*copy, *p, c;
	int		 r = LN_E_SYSTEM;

	if (*path == '\0') {
		ln_cause(cause, "empty directory name");
		return (LN_E_INVAL);
	}
	copy = xstrdup(path);
	for (p = copy + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p[-1] != '/') {
			c = *p;
			*p = '\0';
			if (mkdir(copy, mode) == -1 && errno != EEXIST) {
				ln_cause(cause, "cannot create directory %s: "
				    "%s", copy, strerror(errno));
				goto out;
			}
			*p = c;
		}
		if (*p == '\0')
			break;
	}
	if (stat(path, &st) == -1 || !S_ISDIR(st.st_mode)) {
		ln_cause(cause, "%s: not a directory", path);
		goto out;
	}
	r = 0;
out:
	free(copy);
	return (r);
}

/*
 * Reads the next line of a text file through b into line (NUL-terminated,
 * without its "\n" or "\r\n"). Returns 1 for a line, 0 at the end, or
 * LN_E_NOSPACE for a line longer than cap and LN_E_INVAL for one holding a
 * NUL byte; after an error the rest of that line has been skipped, so the
 * next call reads the next line and line numbers stay right.
 */
int
ln_text_line(struct buf *b, char *line, size_t cap)
{
	size_t	n = 0;
	uint8_t	c;
	int	r = 1;

	if (cap == 0 || buf_left(b) == 0)
		return (0);
	while (buf_left(b) > 0) {
		if (buf_get_u8(b, &c) != 0 || c == '\n')
			break;
		if (c == '\0')
			r = LN_E_INVAL;
		else if (n + 1 >= cap) {
			if (r == 1)
				r = LN_E_NOSPACE;
		} else
			line[n++] = (char)c;
	}
	if (n > 0 && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	return (r);
}

/* Is c allowed in a host name or address (brackets and port aside)? */
static int
host_char(int c)
{
	return (isalnum(c) || c == '.' || c == '-' || c == '_' || c == ':' ||
	    c == '%');
}

/*
 * Splits "HOST", "HOST:PORT", "[IPV6]", "[IPV6]:PORT" or a bare IPv6
 * address (two colons or more: no port) into host and port; defport when
 * no port is given. The host is not resolved here.
 */
int
ln_split_hostport(const char *s, char *host, size_t hostcap, uint16_t *port,
    uint16_t defport, const char **why)
{
	const char	*h, *end, *p = NULL, *c;
	size_t		 hlen;
	unsigned long	 v = defport;
	char		*ep;

	if (s[0] == '[') {
		h = s + 1;
		if ((end = strchr(h, ']')) == NULL) {
			*why = "expected ']' after an IPv6 address";
			return (LN_E_INVAL);
		}
		if (end[1] == ':')
			p = end + 2;
		else if (end[1] != '\0') {
			*why = "expected ':PORT' or nothing after ']'";
			return (LN_E_INVAL);
		}
	} else {
		h = s;
		end = strchr(s, ':');
		if (end != NULL && strchr(end + 1, ':') == NULL)
			p = end + 1;
		else
			end = s + strlen(s);
	}
	hlen = (size_t)(end - h);
	if (hlen == 0) {
		*why = "expected an address before the port";
		return (LN_E_INVAL);
	}
	if (hlen >= hostcap) {
		*why = "address too long";
		return (LN_E_INVAL);
	}
	for (c = h; c < end; c++) {
		if (!host_char((unsigned char)*c)) {
			*why = "address has a character not allowed in a host "
			    "name or IP address";
			return (LN_E_INVAL);
		}
	}
	if (p != NULL) {
		errno = 0;
		if (!isdigit((unsigned char)*p) ||
		    (v = strtoul(p, &ep, 10)) == 0 || v > 65535 ||
		    *ep != '\0' || errno != 0) {
			*why = "expected a port number from 1 to 65535 after "
			    "':'";
			return (LN_E_INVAL);
		}
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = (uint16_t)v;
	return (0);
}

/* Makes a new key pair from the system's random generator. */
int
key_generate(uint8_t *priv, uint8_t *pub)
{
	uint8_t	sk[LN_KEY_LEN], pk[LN_KEY_LEN];
	int	r = LN_E_CRYPTO;

	randombytes_buf(sk, sizeof sk);
	if (crypto_scalarmult_base(pk, sk) != 0)
		goto out;
	memcpy(priv, sk, sizeof sk);
	memcpy(pub, pk, sizeof pk);
	r = 0;
out:
	sodium_memzero(sk, sizeof sk);
	return (r);
}

int
key_public(const uint8_t *priv, uint8_t *pub)
{
	uint8_t	pk[LN_KEY_LEN];

	if (crypto_scalarmult_base(pk, priv) != 0)
		return (LN_E_CRYPTO);
	memcpy(pub, pk, sizeof pk);
	return (0);
}

/* The base64 of a key: LN_KEY_B64_LEN characters and a NUL into out. */
void
key_b64(const uint8_t *key, char *out)
{
	sodium_bin2base64(out, LN_KEY_B64_LEN + 1, key, LN_KEY_LEN,
	    sodium_base64_VARIANT_ORIGINAL);
}

/* Decodes exactly len characters of base64 into a 32-byte key. */
int
key_from_b64(const char *s, size_t len, uint8_t *key)
{
	uint8_t	k[LN_KEY_LEN];
	size_t	n;
	int	r = LN_E_INVAL;

	if (len != LN_KEY_B64_LEN)
		goto out;
	if (sodium_base642bin(k, sizeof k, s, len, NULL, &n, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || n != sizeof k)
		goto out;
	memcpy(key, k, sizeof k);
	r = 0;
out:
	sodium_memzero(k, sizeof k);
	return (r);
}

/*
 * Is a comment printable: valid UTF-8 with no control (C0, DEL, C1) to
 * upset a terminal? That is, termtext.c would leave it as it is.
 */
static int
comment_ok(const char *s, size_t len)
{
	char	*t;
	int	 ok;

	t = tt_dup(s, len, 0);
	ok = strlen(t) == len && memcmp(t, s, len) == 0;
	free(t);
	return (ok);
}

/* Prints a public key line, "lnsh-x25519 BASE64[ comment]", into out. */
int
key_format(const uint8_t *pub, const char *comment, char *out, size_t len)
{
	char	b64[LN_KEY_B64_LEN + 1];
	int	n;

	if (comment != NULL && (strlen(comment) > LN_KEY_COMMENT_MAX ||
	    !comment_ok(comment, strlen(comment))))
		return (LN_E_INVAL);
	key_b64(pub, b64);
	if (comment != NULL && *comment != '\0')
		n = snprintf(out, len, "%s %s %s", LN_KEY_TYPE, b64, comment);
	else
		n = snprintf(out, len, "%s %s", LN_KEY_TYPE, b64);
	if (n < 0 || (size_t)n >= len)
		return (LN_E_NOSPACE);
	return (0);
}

/* Length of the run of non-blank characters at s. */
static size_t
token_len(const char *s)
{
	return (strcspn(s, " \t"));
}

static const char *
skip_blank(const char *s)
{
	return (s + strspn(s, " \t"));
}

/*
 * Parses a public key line: "lnsh-x25519 BASE64 [comment]", blanks around
 * and between allowed. On success the key goes to pub and, when comment is
 * not NULL, the comment (trailing blanks trimmed, "" if none) to comment,
 * which holds LN_KEY_COMMENT_MAX + 1 bytes. On failure *why says what was
 * expected.
 */
int
key_parse(const char *line, uint8_t *pub, char *comment, const char **why)
{
	const char	*s, *c;
	size_t		 n, clen;
	uint8_t		 k[LN_KEY_LEN];

	s = skip_blank(line);
	n = token_len(s);
	if (n == strlen(LN_KEY_TYPE_PRIVATE) &&
	    strncmp(s, LN_KEY_TYPE_PRIVATE, n) == 0) {
		*why = "found a private key where a public key (\""
		    LN_KEY_TYPE " BASE64 [comment]\") was expected";
		return (LN_E_INVAL);
	}
	if (n != strlen(LN_KEY_TYPE) || strncmp(s, LN_KEY_TYPE, n) != 0) {
		*why = "expected a key \"" LN_KEY_TYPE " BASE64 [comment]\"";
		return (LN_E_INVAL);
	}
	s = skip_blank(s + n);
	n = token_len(s);
	if (key_from_b64(s, n, k) != 0) {
		*why = "expected the base64 of a 32-byte key (44 characters) "
		    "after \"" LN_KEY_TYPE "\"";
		return (LN_E_INVAL);
	}
	c = skip_blank(s + n);
	clen = strlen(c);
	while (clen > 0 && (c[clen - 1] == ' ' || c[clen - 1] == '\t'))
		clen--;
	if (clen > LN_KEY_COMMENT_MAX) {
		*why = "key comment longer than "
		    LN_STR(LN_KEY_COMMENT_MAX) " bytes";
		return (LN_E_INVAL);
	}
	if (!comment_ok(c, clen)) {
		*why = "key comment holds control characters or bad UTF-8";
		return (LN_E_INVAL);
	}
	memcpy(pub, k, sizeof k);
	if (comment != NULL) {
		memcpy(comment, c, clen);
		comment[clen] = '\0';
	}
	return (0);
}

/* A fingerprint for people: "BLAKE2B:" and 43 characters, into out. */
void
key_fingerprint(const uint8_t *pub, char *out)
{
	uint8_t	h[FINGERPRINT_HASH_LEN];
	size_t	plen = strlen(LN_FINGERPRINT_PREFIX);

	crypto_generichash(h, sizeof h, pub, LN_KEY_LEN, NULL, 0);
	memcpy(out, LN_FINGERPRINT_PREFIX, plen);
	sodium_bin2base64(out + plen, LN_FINGERPRINT_LEN - plen, h, sizeof h,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

/*
 * Writes a new private key file: the private line, then the public line
 * with its comment so `cat` shows which key it is. Created atomically with
 * mode 0600; an existing file is never replaced.
 */
int
key_save_private(const char *path, const uint8_t *priv, const char *comment,
    char **cause)
{
	char	text[sizeof LN_KEY_TYPE_PRIVATE + LN_KEY_B64_LEN + 1 +
		    LN_KEY_TEXT_MAX + 1];
	char	b64[LN_KEY_B64_LEN + 1];
	uint8_t	pub[LN_KEY_LEN];
	size_t	n;
	int	r;

	if ((r = key_public(priv, pub)) != 0) {
		ln_cause(cause, "%s: not a usable X25519 private key", path);
		goto out;
	}
	key_b64(priv, b64);
	n = (size_t)snprintf(text, sizeof text, "%s %s\n",
	    LN_KEY_TYPE_PRIVATE, b64);
	if ((r = key_format(pub, comment, text + n, sizeof text - n - 1))
	    != 0) {
		ln_cause(cause, "%s: key comment too long or not printable",
		    path);
		goto out;
	}
	n = strlen(text);
	text[n++] = '\n';
	r = ln_file_write(path, text, n, 0600, LN_WRITE_NOCLOBBER, cause);
out:
	sodium_memzero(text, sizeof text);
	sodium_memzero(b64, sizeof b64);
	return (r);
}

/*
 * Loads a private key file, refusing one that others can read or write or
 * that belongs to someone else. The public key is derived from the private
 * one; a public line in the file must match it, and its comment goes to
 * comment (LN_KEY_COMMENT_MAX + 1 bytes; "" if none) when that is not NULL.
 */
int
key_load_private(const char *path, uint8_t *priv, uint8_t *pub,
    char *comment, char **cause)
{
	struct buf	 b;
	uint8_t		*data = NULL, sk[LN_KEY_LEN], pk[LN_KEY_LEN];
	uint8_t		 filepk[LN_KEY_LEN];
	char		 line[LN_TEXT_LINE_MAX], cmt[LN_KEY_COMMENT_MAX + 1];
	const char	*s, *why;
	size_t		 len = 0, n;
	unsigned	 lineno = 0;
	int		 r, got_priv = 0, got_pub = 0;

	cmt[0] = '\0';
	r = ln_file_read(path, LN_FILE_PRIVATE | LN_FILE_OWNED, &data, &len,
	    cause);
	if (r != 0)
		goto out;
	buf_reader(&b, data, len);
	while ((r = ln_text_line(&b, line, sizeof line)) != 0) {
		lineno++;
		if (r < 0) {
			ln_cause(cause, "%s:%u: line too long or not text",
			    path, lineno);
			r = LN_E_INVAL;
			goto out;
		}
		s = skip_blank(line);
		if (*s == '\0' || *s == '#')
			continue;
		n = token_len(s);
		if (n == strlen(LN_KEY_TYPE_PRIVATE) &&
		    strncmp(s, LN_KEY_TYPE_PRIVATE, n) == 0) {
			if (got_priv) {
				ln_cause(cause, "%s:%u: a second private key; "
				    "a key file holds one", path, lineno);
				r = LN_E_INVAL;
				goto out;
			}
			s = skip_blank(s + n);
			n = token_len(s);
			if (key_from_b64(s, n, sk) != 0 ||
			    *skip_blank(s + n) != '\0') {
				ln_cause(cause, "%s:%u: expected \"%s BASE64\" "
				    "with the base64 of a 32-byte key", path,
				    lineno, LN_KEY_TYPE_PRIVATE);
				r = LN_E_INVAL;
				goto out;
			}
			got_priv = 1;
		} else if (key_parse(s, filepk, cmt, &why) == 0) {
			if (got_pub) {
				ln_cause(cause, "%s:%u: a second public key; "
				    "a key file holds one", path, lineno);
				r = LN_E_INVAL;
				goto out;
			}
			got_pub = 1;
		} else {
			ln_cause(cause, "%s:%u: expected \"%s BASE64\" or "
			    "\"%s BASE64 [comment]\"", path, lineno,
			    LN_KEY_TYPE_PRIVATE, LN_KEY_TYPE);
			r = LN_E_INVAL;
			goto out;
		}
	}
	if (!got_priv) {
		ln_cause(cause, "%s: no \"%s\" line: not a private key file",
		    path, LN_KEY_TYPE_PRIVATE);
		r = LN_E_INVAL;
		goto out;
	}
	if ((r = key_public(sk, pk)) != 0) {
		ln_cause(cause, "%s: not a usable X25519 private key", path);
		goto out;
	}
	if (got_pub && sodium_memcmp(pk, filepk, sizeof pk) != 0) {
		ln_cause(cause, "%s: the public key line does not belong to "
		    "the private key in the same file", path);
		r = LN_E_INVAL;
		goto out;
	}
	memcpy(priv, sk, sizeof sk);
	memcpy(pub, pk, sizeof pk);
	if (comment != NULL)
		memcpy(comment, cmt, strlen(cmt) + 1);
	r = 0;
out:
	if (data != NULL) {
		sodium_memzero(data, len);
		free(data);
	}
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(line, sizeof line);
	return (r);
}
