/*
 * test_keys.c: key text round trips and rejections, private key files
 * (created 0600, never replaced, refused when others can read them), and
 * the shared text-file helpers. Every file lives in a fresh temporary
 * directory.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sodium.h>

#include "proto.h"

struct tmp {
	char	dir[64];
	char	path[128];
};

/* Makes a temporary directory for one test. */
static int
setup(void **state)
{
	struct tmp	*t;

	t = xcalloc(1, sizeof *t);
	snprintf(t->dir, sizeof t->dir, "/tmp/lnsh-test-keys.XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return (-1);
	snprintf(t->path, sizeof t->path, "%s/key", t->dir);
	*state = t;
	return (0);
}

/* Removes the temporary directory and what the test left in it. */
static int
teardown(void **state)
{
	struct tmp	*t = *state;
	char		 cmd[160];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
	if (system(cmd) != 0)
		return (-1);
	free(t);
	return (0);
}

/* Writes text to path with a mode, for hand-made key files. */
static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE	*f;

	(void)unlink(path);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* A generated key prints and parses back to itself, comment included. */
static void
test_text_round_trip(void **state)
{
	uint8_t		 priv[LN_KEY_LEN], pub[LN_KEY_LEN], back[LN_KEY_LEN];
	uint8_t		 derived[LN_KEY_LEN];
	char		 text[LN_KEY_TEXT_MAX], comment[LN_KEY_COMMENT_MAX + 1];
	const char	*why = NULL;

	assert_int_equal(key_generate(priv, pub), 0);
	assert_int_equal(key_public(priv, derived), 0);
	assert_memory_equal(pub, derived, LN_KEY_LEN);

	assert_int_equal(key_format(pub, "me@laptop 2026-01-02", text,
	    sizeof text), 0);
	assert_memory_equal(text, "lnsh-x25519 ", 12);
	assert_int_equal(strlen(text), 12 + LN_KEY_B64_LEN + 1 + 20);
	assert_int_equal(key_parse(text, back, comment, &why), 0);
	assert_memory_equal(pub, back, LN_KEY_LEN);
	assert_string_equal(comment, "me@laptop 2026-01-02");

	/* No comment; blanks around and between are fine. */
	assert_int_equal(key_format(pub, NULL, text, sizeof text), 0);
	assert_int_equal(strlen(text), 12 + LN_KEY_B64_LEN);
	memset(back, 0, sizeof back);
	assert_int_equal(key_parse(text, back, comment, &why), 0);
	assert_memory_equal(pub, back, LN_KEY_LEN);
	assert_string_equal(comment, "");

	/* Too small an output buffer is refused, not truncated. */
	assert_int_equal(key_format(pub, NULL, text, 20), LN_E_NOSPACE);
}

/* Blanks and tabs around the fields are ignored; the comment is trimmed. */
static void
test_parse_blanks(void **state)
{
	uint8_t		 key[LN_KEY_LEN], back[LN_KEY_LEN];
	char		 b64[LN_KEY_B64_LEN + 1], line[200];
	char		 comment[LN_KEY_COMMENT_MAX + 1];
	const char	*why;

	memset(key, 0x5a, sizeof key);
	key_b64(key, b64);
	snprintf(line, sizeof line, " \tlnsh-x25519\t %s   two words \t", b64);
	assert_int_equal(key_parse(line, back, comment, &why), 0);
	assert_memory_equal(key, back, LN_KEY_LEN);
	assert_string_equal(comment, "two words");
}

/* Wrong prefix, private prefix, bad base64, wrong length: all refused. */
static void
test_parse_rejects(void **state)
{
	uint8_t		 key[LN_KEY_LEN], out[LN_KEY_LEN], k33[33];
	char		 b64[LN_KEY_B64_LEN + 1], b64_33[64], line[200];
	const char	*why;

	memset(key, 0x11, sizeof key);
	memset(out, 0xee, sizeof out);
	key_b64(key, b64);

	snprintf(line, sizeof line, "ssh-ed25519 %s", b64);
	why = NULL;
	assert_int_equal(key_parse(line, out, NULL, &why), LN_E_INVAL);
	assert_non_null(strstr(why, "lnsh-x25519 BASE64"));

	snprintf(line, sizeof line, "lnsh-x25519-private %s", b64);
	assert_int_equal(key_parse(line, out, NULL, &why), LN_E_INVAL);
	assert_non_null(strstr(why, "private key"));

	/* A character outside the base64 alphabet. */
	snprintf(line, sizeof line, "lnsh-x25519 %s", b64);
	line[14] = '!';
	assert_int_equal(key_parse(line, out, NULL, &why), LN_E_INVAL);
	assert_non_null(strstr(why, "base64"));

	/* Too short (31 bytes' worth) and too long (33 bytes). */
	snprintf(line, sizeof line, "lnsh-x25519 %.40s", b64);
	assert_int_equal(key_parse(line, out, NULL, &why), LN_E_INVAL);
	memset(k33, 1, sizeof k33);
	sodium_bin2base64(b64_33, sizeof b64_33, k33, sizeof k33,
	    sodium_base64_VARIANT_ORIGINAL);
	snprintf(line, sizeof line, "lnsh-x25519 %s", b64_33);
	assert_int_equal(key_parse(line, out, NULL, &why), LN_E_INVAL);

	/* Garbage glued to the key; no key at all; a control character. */
	snprintf(line, sizeof line, "lnsh-x25519 %sAAAA", b64);
	assert_int_equal(key_parse(line, out, NULL, &why), LN_E_INVAL);
	assert_int_equal(key_parse("lnsh-x25519", out, NULL, &why),
	    LN_E_INVAL);
	assert_int_equal(key_parse("", out, NULL, &why), LN_E_INVAL);
	snprintf(line, sizeof line, "lnsh-x25519 %s bad\033[2J", b64);
	assert_int_equal(key_parse(line, out, NULL, &why), LN_E_INVAL);
	assert_non_null(strstr(why, "control"));
	/* C1 (UTF-8 CSI) and bad UTF-8 in a comment are refused too. */
	snprintf(line, sizeof line, "lnsh-x25519 %s bad\xc2\x9b" "6n", b64);
	assert_int_equal(key_parse(line, out, NULL, &why), LN_E_INVAL);
	snprintf(line, sizeof line, "lnsh-x25519 %s bad\xff", b64);
	assert_int_equal(key_parse(line, out, NULL, &why), LN_E_INVAL);

	/* Nothing was written on any failure. */
	memset(key, 0xee, sizeof key);
	assert_memory_equal(out, key, LN_KEY_LEN);

	/* Non-ASCII that is not a control is a fine comment. */
	snprintf(line, sizeof line, "lnsh-x25519 %s caf\xc3\xa9", b64);
	assert_int_equal(key_parse(line, out, NULL, &why), 0);
}

/* Fingerprints: fixed form, stable for a key, different between keys. */
static void
test_fingerprint(void **state)
{
	uint8_t	a[LN_KEY_LEN], b[LN_KEY_LEN];
	char	fa[LN_FINGERPRINT_LEN], fa2[LN_FINGERPRINT_LEN];
	char	fb[LN_FINGERPRINT_LEN];

	memset(a, 1, sizeof a);
	memset(b, 2, sizeof b);
	key_fingerprint(a, fa);
	key_fingerprint(a, fa2);
	key_fingerprint(b, fb);
	assert_memory_equal(fa, "BLAKE2B:", 8);
	assert_int_equal(strlen(fa), 8 + 43);
	assert_null(strchr(fa, '='));
	assert_string_equal(fa, fa2);
	assert_string_not_equal(fa, fb);
}

/* A saved private key is 0600, loads back, and is never replaced. */
static void
test_private_save_load(void **state)
{
	struct tmp	*t = *state;
	uint8_t		 priv[LN_KEY_LEN], pub[LN_KEY_LEN];
	uint8_t		 priv2[LN_KEY_LEN], pub2[LN_KEY_LEN];
	char		 comment[LN_KEY_COMMENT_MAX + 1], *cause = NULL;
	struct stat	 st;
	mode_t		 old;

	assert_int_equal(key_generate(priv, pub), 0);
	/* A permissive umask must not widen the mode. */
	old = umask(0);
	assert_int_equal(key_save_private(t->path, priv, "host key", &cause),
	    0);
	umask(old);
	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	assert_int_equal(key_load_private(t->path, priv2, pub2, comment,
	    &cause), 0);
	assert_memory_equal(priv, priv2, LN_KEY_LEN);
	assert_memory_equal(pub, pub2, LN_KEY_LEN);
	assert_string_equal(comment, "host key");

	/* A second save must not clobber the first key. */
	assert_int_equal(key_generate(priv2, pub2), 0);
	assert_int_not_equal(key_save_private(t->path, priv2, NULL, &cause),
	    0);
	assert_non_null(strstr(cause, t->path));
	assert_non_null(strstr(cause, "exists"));
	free(cause);
	cause = NULL;
	assert_int_equal(key_load_private(t->path, priv2, pub2, NULL, &cause),
	    0);
	assert_memory_equal(priv, priv2, LN_KEY_LEN);
}

/* A key file others can read or write is refused, naming file and fix. */
static void
test_private_permissions(void **state)
{
	struct tmp	*t = *state;
	uint8_t		 priv[LN_KEY_LEN], pub[LN_KEY_LEN], out[LN_KEY_LEN];
	char		*cause = NULL, link[160];

	assert_int_equal(key_generate(priv, pub), 0);
	assert_int_equal(key_save_private(t->path, priv, NULL, &cause), 0);

	assert_int_equal(chmod(t->path, 0644), 0);
	memset(out, 0xee, sizeof out);
	assert_int_not_equal(key_load_private(t->path, out, pub, NULL,
	    &cause), 0);
	assert_non_null(cause);
	assert_non_null(strstr(cause, t->path));
	assert_non_null(strstr(cause, "chmod 600"));
	free(cause);
	cause = NULL;
	assert_int_equal(out[0], 0xee);

	assert_int_equal(chmod(t->path, 0620), 0);
	assert_int_not_equal(key_load_private(t->path, out, pub, NULL,
	    &cause), 0);
	free(cause);
	cause = NULL;

	/* Back to 0600 it loads; through a symbolic link it does not. */
	assert_int_equal(chmod(t->path, 0600), 0);
	assert_int_equal(key_load_private(t->path, out, pub, NULL, NULL), 0);
	snprintf(link, sizeof link, "%s/link", t->dir);
	assert_int_equal(symlink(t->path, link), 0);
	assert_int_not_equal(key_load_private(link, out, pub, NULL, &cause),
	    0);
	assert_non_null(strstr(cause, "symbolic link"));
	free(cause);
}

/* Malformed key files are refused with file:line. */
static void
test_private_malformed(void **state)
{
	struct tmp	*t = *state;
	uint8_t		 priv[LN_KEY_LEN], pub[LN_KEY_LEN], other[LN_KEY_LEN];
	char		 b64p[LN_KEY_B64_LEN + 1], b64o[LN_KEY_B64_LEN + 1];
	char		 text[300], where[160], *cause = NULL;

	assert_int_equal(key_generate(priv, pub), 0);
	memset(other, 3, sizeof other);
	key_b64(priv, b64p);
	key_b64(other, b64o);

	/* Only the private line, with a comment line before it: fine. */
	snprintf(text, sizeof text, "# mine\nlnsh-x25519-private %s\n", b64p);
	write_file(t->path, text, 0600);
	assert_int_equal(key_load_private(t->path, other, other, NULL, NULL),
	    0);
	assert_memory_equal(other, pub, LN_KEY_LEN);

	/* A public line of another key. */
	memset(other, 3, sizeof other);
	snprintf(text, sizeof text, "lnsh-x25519-private %s\nlnsh-x25519 %s\n",
	    b64p, b64o);
	write_file(t->path, text, 0600);
	assert_int_not_equal(key_load_private(t->path, priv, pub, NULL,
	    &cause), 0);
	assert_non_null(strstr(cause, "does not belong"));
	free(cause);
	cause = NULL;

	/* Garbage on line 2. */
	snprintf(text, sizeof text, "lnsh-x25519-private %s\nhello\n", b64p);
	write_file(t->path, text, 0600);
	assert_int_not_equal(key_load_private(t->path, priv, pub, NULL,
	    &cause), 0);
	snprintf(where, sizeof where, "%s:2:", t->path);
	assert_non_null(strstr(cause, where));
	free(cause);
	cause = NULL;

	/* A public key alone is not a private key file. */
	snprintf(text, sizeof text, "lnsh-x25519 %s\n", b64o);
	write_file(t->path, text, 0600);
	assert_int_not_equal(key_load_private(t->path, priv, pub, NULL,
	    &cause), 0);
	assert_non_null(strstr(cause, "not a private key file"));
	free(cause);
}

/* ln_file_write replaces content whole, with the exact mode asked for. */
static void
test_file_write_replace(void **state)
{
	struct tmp	*t = *state;
	uint8_t		*data = NULL;
	size_t		 len = 0;
	struct stat	 st;

	assert_int_equal(ln_file_write(t->path, "one\n", 4, 0644, 0, NULL), 0);
	assert_int_equal(ln_file_write(t->path, "two\n", 4, 0600, 0, NULL), 0);
	assert_int_equal(ln_file_read(t->path, LN_FILE_PRIVATE, &data, &len,
	    NULL), 0);
	assert_int_equal(len, 4);
	assert_string_equal((char *)data, "two\n");
	free(data);
	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	/* Missing files: an error, or empty when the caller allows it. */
	assert_int_equal(unlink(t->path), 0);
	assert_int_equal(ln_file_read(t->path, 0, &data, &len, NULL),
	    LN_E_SYSTEM);
	data = (uint8_t *)"x";
	assert_int_equal(ln_file_read(t->path, LN_FILE_MISSING_OK, &data,
	    &len, NULL), 0);
	assert_null(data);
}

/* Lines: CRLF accepted, an overlong line skipped whole, NUL refused. */
static void
test_text_lines(void **state)
{
	const char	 text[] = "a\r\nlonglonglong\nb\nx\0y\nlast";
	struct buf	 b;
	char		 line[8];

	buf_reader(&b, text, sizeof text - 1);
	assert_int_equal(ln_text_line(&b, line, sizeof line), 1);
	assert_string_equal(line, "a");
	assert_int_equal(ln_text_line(&b, line, sizeof line), LN_E_NOSPACE);
	assert_int_equal(ln_text_line(&b, line, sizeof line), 1);
	assert_string_equal(line, "b");
	assert_int_equal(ln_text_line(&b, line, sizeof line), LN_E_INVAL);
	assert_int_equal(ln_text_line(&b, line, sizeof line), 1);
	assert_string_equal(line, "last");
	assert_int_equal(ln_text_line(&b, line, sizeof line), 0);
}

/* ADDRESS[:PORT] in every accepted form, and the rejected ones. */
static void
test_split_hostport(void **state)
{
	char		 host[64];
	uint16_t	 port;
	const char	*why;

	assert_int_equal(ln_split_hostport("mini.local", host, sizeof host,
	    &port, 60100, &why), 0);
	assert_string_equal(host, "mini.local");
	assert_int_equal(port, 60100);
	assert_int_equal(ln_split_hostport("10.0.0.5:2222", host, sizeof host,
	    &port, 60100, &why), 0);
	assert_string_equal(host, "10.0.0.5");
	assert_int_equal(port, 2222);
	assert_int_equal(ln_split_hostport("[::1]:60101", host, sizeof host,
	    &port, 60100, &why), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 60101);
	assert_int_equal(ln_split_hostport("[fe80::1%en0]", host, sizeof host,
	    &port, 60100, &why), 0);
	assert_string_equal(host, "fe80::1%en0");
	assert_int_equal(port, 60100);
	assert_int_equal(ln_split_hostport("2001:db8::7", host, sizeof host,
	    &port, 60100, &why), 0);
	assert_string_equal(host, "2001:db8::7");
	assert_int_equal(port, 60100);

	assert_int_equal(ln_split_hostport("host:0", host, sizeof host, &port,
	    60100, &why), LN_E_INVAL);
	assert_int_equal(ln_split_hostport("host:65536", host, sizeof host,
	    &port, 60100, &why), LN_E_INVAL);
	assert_int_equal(ln_split_hostport("host:12x", host, sizeof host,
	    &port, 60100, &why), LN_E_INVAL);
	assert_int_equal(ln_split_hostport("host:", host, sizeof host, &port,
	    60100, &why), LN_E_INVAL);
	assert_int_equal(ln_split_hostport(":22", host, sizeof host, &port,
	    60100, &why), LN_E_INVAL);
	assert_int_equal(ln_split_hostport("[::1", host, sizeof host, &port,
	    60100, &why), LN_E_INVAL);
	assert_int_equal(ln_split_hostport("[::1]x", host, sizeof host, &port,
	    60100, &why), LN_E_INVAL);
	assert_int_equal(ln_split_hostport("a b", host, sizeof host, &port,
	    60100, &why), LN_E_INVAL);
	assert_int_equal(ln_split_hostport("x", host, 1, &port, 60100, &why),
	    LN_E_INVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_round_trip),
		cmocka_unit_test(test_parse_blanks),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test_setup_teardown(test_private_save_load,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_private_permissions,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_private_malformed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_write_replace,
		    setup, teardown),
		cmocka_unit_test(test_text_lines),
		cmocka_unit_test(test_split_hostport),
	};

	if (sodium_init() < 0)
		return (1);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
