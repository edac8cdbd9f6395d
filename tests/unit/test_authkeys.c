/*
 * test_authkeys.c: authorized_keys parsing (comments, bad lines skipped
 * with file:line, good lines after them still admitted) and StrictModes
 * (group-writable or readable file, group-writable directory, refused with
 * the file named), and the last-use record. Each test builds a home
 * directory in a temporary one.
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

#include "server.h"

struct tmp {
	char			 base[64];
	char			 home[96];
	char			 dir[128];	/* home/.config/lnsh */
	char			 path[160];	/* its authorized_keys */
	struct paths_user	 user;
	uint8_t			 a[LN_KEY_LEN], b[LN_KEY_LEN], c[LN_KEY_LEN];
	char			 ta[LN_KEY_TEXT_MAX], tb[LN_KEY_TEXT_MAX];
	char			 tc[LN_KEY_TEXT_MAX];
	char			 warnings[2048];
	int			 nwarnings;
};

/* Collects warnings for the test to look at. */
static void
collect(void *arg, const char *msg)
{
	struct tmp	*t = arg;
	size_t		 n = strlen(t->warnings);

	snprintf(t->warnings + n, sizeof t->warnings - n, "%s\n", msg);
	t->nwarnings++;
}

/* A home with .config/lnsh in it, and three keys. */
static int
setup(void **state)
{
	struct tmp	*t;

	t = xcalloc(1, sizeof *t);
	snprintf(t->base, sizeof t->base, "/tmp/lnsh-test-authkeys.XXXXXX");
	if (mkdtemp(t->base) == NULL)
		return (-1);
	snprintf(t->home, sizeof t->home, "%s/home", t->base);
	snprintf(t->dir, sizeof t->dir, "%s/.config/lnsh", t->home);
	snprintf(t->path, sizeof t->path, "%s/authorized_keys", t->dir);
	if (ln_mkdir(t->dir, 0700, NULL) != 0)
		return (-1);
	t->user.name = xstrdup("tester");
	t->user.uid = geteuid();
	t->user.gid = getegid();
	t->user.home = xstrdup(t->home);
	t->user.shell = xstrdup("/bin/sh");
	memset(t->a, 0xa1, sizeof t->a);
	memset(t->b, 0xb2, sizeof t->b);
	memset(t->c, 0xc3, sizeof t->c);
	if (key_format(t->a, "laptop", t->ta, sizeof t->ta) != 0 ||
	    key_format(t->b, NULL, t->tb, sizeof t->tb) != 0 ||
	    key_format(t->c, NULL, t->tc, sizeof t->tc) != 0)
		return (-1);
	*state = t;
	return (0);
}

/* Removes the temporary tree. */
static int
teardown(void **state)
{
	struct tmp	*t = *state;
	char		 cmd[160];

	snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s'; rm -rf '%s'", t->base,
	    t->base);
	if (system(cmd) != 0)
		return (-1);
	paths_user_free(&t->user);
	free(t);
	return (0);
}

/* Writes the authorized_keys file with a mode. */
static void
put(struct tmp *t, const char *text, mode_t mode)
{
	(void)unlink(t->path);
	assert_int_equal(ln_file_write(t->path, text, strlen(text), mode, 0,
	    NULL), 0);
}

/* Comments and blank lines are skipped; keys keep line and comment. */
static void
test_parse(void **state)
{
	struct tmp		*t = *state;
	struct authkeys		 ak;
	const struct authkey	*k;
	char			 text[1024];

	snprintf(text, sizeof text, "# my keys\n\n   \n%s\n  # indented\n"
	    "\t%s\r\n", t->ta, t->tb);
	assert_int_equal(authkeys_parse("F", (uint8_t *)text, strlen(text),
	    &ak, collect, t), 0);
	assert_int_equal(ak.nkeys, 2);
	assert_int_equal(t->nwarnings, 0);
	assert_non_null(k = authkeys_find(&ak, t->a));
	assert_int_equal(k->line, 4);
	assert_string_equal(k->comment, "laptop");
	assert_non_null(k = authkeys_find(&ak, t->b));
	assert_int_equal(k->line, 6);
	assert_null(authkeys_find(&ak, t->c));
	authkeys_free(&ak);
}

/* A bad line warns with file:line, admits nothing, hides nothing after. */
static void
test_bad_lines(void **state)
{
	struct tmp		*t = *state;
	struct authkeys		 ak;
	char			 text[2048], b64c[LN_KEY_B64_LEN + 1];

	key_b64(t->c, b64c);
	snprintf(text, sizeof text,
	    "%s\n"			/* 1: good */
	    "ssh-ed25519 AAAAC3Nz x\n"	/* 2: wrong type */
	    "%s\n"			/* 3: bare base64 of c: not a line */
	    "lnsh-x25519 %.40s\n"	/* 4: short key, a prefix of c's */
	    "lnsh-x25519-private %s\n"	/* 5: a private key */
	    "%s\n",			/* 6: good, after the bad ones */
	    t->ta, b64c, b64c, b64c, t->tb);
	assert_int_equal(authkeys_parse("/x/authorized_keys", (uint8_t *)text,
	    strlen(text), &ak, collect, t), 0);
	assert_int_equal(t->nwarnings, 4);
	assert_non_null(strstr(t->warnings, "/x/authorized_keys:2: "));
	assert_non_null(strstr(t->warnings, "/x/authorized_keys:3: "));
	assert_non_null(strstr(t->warnings, "/x/authorized_keys:4: "));
	assert_non_null(strstr(t->warnings, "/x/authorized_keys:5: "));
	assert_non_null(strstr(t->warnings, "expected"));
	assert_null(strstr(t->warnings, b64c));	/* lines are not echoed */
	assert_int_equal(ak.nkeys, 2);
	assert_non_null(authkeys_find(&ak, t->a));
	assert_non_null(authkeys_find(&ak, t->b));
	assert_null(authkeys_find(&ak, t->c));
	authkeys_free(&ak);
}

/* A safe file loads; the admits check says yes and no. */
static void
test_load_and_admit(void **state)
{
	struct tmp	*t = *state;
	struct authkeys	 ak;
	char		 text[512], *cause = NULL;

	snprintf(text, sizeof text, "%s\n", t->ta);
	put(t, text, 0600);
	assert_int_equal(authkeys_load(t->path, t->home, geteuid(), getegid(),
	    &ak, collect, t, &cause), 0);
	assert_int_equal(ak.nkeys, 1);
	authkeys_free(&ak);

	assert_int_equal(authkeys_admits(&t->user, t->a, collect, t, &cause),
	    0);
	assert_int_equal(authkeys_admits(&t->user, t->b, collect, t, &cause),
	    LN_E_DROP(LN_DROP_UNAUTHORIZED));
	assert_non_null(strstr(cause, t->path));
	assert_non_null(strstr(cause, "BLAKE2B:"));
	free(cause);
	cause = NULL;

	/* The directory above the home may be anything: the walk stops. */
	assert_int_equal(chmod(t->base, 0777), 0);
	assert_int_equal(authkeys_admits(&t->user, t->a, NULL, NULL, NULL), 0);

	/* No file: nobody is admitted. */
	assert_int_equal(unlink(t->path), 0);
	assert_int_equal(authkeys_admits(&t->user, t->a, NULL, NULL, &cause),
	    LN_E_DROP(LN_DROP_UNAUTHORIZED));
	assert_non_null(strstr(cause, "does not exist"));
	free(cause);
}

/* Expects the file to be refused with a message naming it and `what`. */
static void
expect_refused(struct tmp *t, const char *what)
{
	struct authkeys	 ak;
	char		*cause = NULL;
	int		 r;

	r = authkeys_load(t->path, t->home, geteuid(), getegid(), &ak, NULL,
	    NULL, &cause);
	assert_int_not_equal(r, 0);
	assert_false(LN_E_IS_DROP(r));
	assert_non_null(cause);
	assert_non_null(strstr(cause, t->path));
	if (strstr(cause, what) == NULL)
		fail_msg("expected '%s' in: %s", what, cause);
	free(cause);
	cause = NULL;
	assert_int_not_equal(authkeys_admits(&t->user, t->a, NULL, NULL,
	    &cause), 0);
	free(cause);
}

/* StrictModes: a file group can write or read, or others can, is refused. */
static void
test_strict_file(void **state)
{
	struct tmp	*t = *state;
	char		 text[512];

	snprintf(text, sizeof text, "%s\n", t->ta);
	put(t, text, 0620);
	expect_refused(t, "chmod 600");
	put(t, text, 0640);
	expect_refused(t, "readable or writable by group or others");
	put(t, text, 0604);
	expect_refused(t, "mode 0604");
	put(t, text, 0600);
	assert_int_equal(authkeys_admits(&t->user, t->a, NULL, NULL, NULL), 0);
}

/* StrictModes: a group-writable directory between home and file. */
static void
test_strict_dirs(void **state)
{
	struct tmp	*t = *state;
	char		 text[512], config[128], link[192];

	snprintf(text, sizeof text, "%s\n", t->ta);
	put(t, text, 0600);
	snprintf(config, sizeof config, "%s/.config", t->home);

	assert_int_equal(chmod(config, 0770), 0);
	expect_refused(t, config);
	assert_int_equal(chmod(config, 0700), 0);

	assert_int_equal(chmod(t->dir, 0702), 0);
	expect_refused(t, "chmod go-w");
	assert_int_equal(chmod(t->dir, 0700), 0);

	/* The home itself is on the path too. */
	assert_int_equal(chmod(t->home, 0775), 0);
	expect_refused(t, t->home);
	assert_int_equal(chmod(t->home, 0755), 0);
	assert_int_equal(authkeys_admits(&t->user, t->a, NULL, NULL, NULL), 0);

	/*
	 * A symbolic link to a file in a world-writable place: the walk
	 * follows the real path up and meets the world-writable directory.
	 */
	snprintf(link, sizeof link, "%s/open", t->base);
	assert_int_equal(mkdir(link, 0777), 0);
	assert_int_equal(chmod(link, 0777), 0);
	snprintf(link, sizeof link, "%s/open/keys", t->base);
	assert_int_equal(ln_file_write(link, text, strlen(text), 0600, 0,
	    NULL), 0);
	assert_int_equal(unlink(t->path), 0);
	assert_int_equal(symlink(link, t->path), 0);
	expect_refused(t, "writable by group or others");
}

/* As root, a file or directory owned by someone else is refused. */
static void
test_strict_owner(void **state)
{
	struct tmp	*t = *state;
	char		 text[512], config[128];

	if (geteuid() != 0)
		skip();
	snprintf(text, sizeof text, "%s\n", t->ta);
	put(t, text, 0600);
	assert_int_equal(chown(t->path, 1, (gid_t)-1), 0);
	expect_refused(t, "owned by uid 1");
	assert_int_equal(chown(t->path, 0, (gid_t)-1), 0);

	snprintf(config, sizeof config, "%s/.config", t->home);
	assert_int_equal(chown(config, 1, (gid_t)-1), 0);
	expect_refused(t, "owned by uid 1");
}

/*
 * The last-use record: a handshake within LN_LASTUSE_EVERY_SEC of the time
 * recorded leaves the file alone (no rewrite, no fsync: one per handshake
 * capped lnshd at about 95 handshakes a second), a later one, an earlier
 * one (the clock was set back) or another key's rewrites it.
 */
static void
test_lastuse(void **state)
{
	struct tmp	*t = *state;
	struct stat	 st0, st1;
	char		 path[192];
	int64_t		 when;

	snprintf(path, sizeof path, "%s/lastuse/%lu", t->base,
	    (unsigned long)geteuid());
	assert_int_equal(authkeys_last_use(t->base, geteuid(), t->a, &when),
	    LN_E_INVAL);
	assert_int_equal(authkeys_note_use(t->base, geteuid(), t->a, 1000,
	    NULL), 0);
	assert_int_equal(stat(path, &st0), 0);
	assert_int_equal(authkeys_note_use(t->base, geteuid(), t->a,
	    1000 + LN_LASTUSE_EVERY_SEC - 1, NULL), 0);
	assert_int_equal(stat(path, &st1), 0);
	assert_int_equal(st0.st_ino, st1.st_ino);	/* not replaced */
	assert_int_equal(authkeys_last_use(t->base, geteuid(), t->a, &when),
	    0);
	assert_int_equal(when, 1000);

	assert_int_equal(authkeys_note_use(t->base, geteuid(), t->a,
	    1000 + LN_LASTUSE_EVERY_SEC, NULL), 0);
	assert_int_equal(authkeys_last_use(t->base, geteuid(), t->a, &when),
	    0);
	assert_int_equal(when, 1000 + LN_LASTUSE_EVERY_SEC);
	assert_int_equal(authkeys_note_use(t->base, geteuid(), t->a, 500,
	    NULL), 0);
	assert_int_equal(authkeys_last_use(t->base, geteuid(), t->a, &when),
	    0);
	assert_int_equal(when, 500);

	/* Another key is recorded, the first one kept. */
	assert_int_equal(authkeys_note_use(t->base, geteuid(), t->b, 510,
	    NULL), 0);
	assert_int_equal(authkeys_last_use(t->base, geteuid(), t->b, &when),
	    0);
	assert_int_equal(when, 510);
	assert_int_equal(authkeys_last_use(t->base, geteuid(), t->a, &when),
	    0);
	assert_int_equal(when, 500);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_lines, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_and_admit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_strict_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_strict_dirs, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_strict_owner, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lastuse, setup,
		    teardown),
	};

	if (sodium_init() < 0)
		return (1);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
