/*
 * test_hosts.c: the client's hosts file: add, look up by alias and by
 * address, remove, duplicate aliases refused, IPv6 addresses, and every
 * malformed line reported with file:line. Each test has its own directory.
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

#include "client.h"

struct tmp {
	char	dir[64];
	char	path[128];
	char	key_text[LN_KEY_TEXT_MAX];
	uint8_t	key[LN_KEY_LEN];
};

/* A fresh directory; the hosts file goes in a subdirectory not yet made. */
static int
setup(void **state)
{
	struct tmp	*t;

	t = xcalloc(1, sizeof *t);
	snprintf(t->dir, sizeof t->dir, "/tmp/lnsh-test-hosts.XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return (-1);
	snprintf(t->path, sizeof t->path, "%s/cfg/hosts", t->dir);
	memset(t->key, 0x42, sizeof t->key);
	if (key_format(t->key, NULL, t->key_text, sizeof t->key_text) != 0)
		return (-1);
	*state = t;
	return (0);
}

/* Removes the directory. */
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

/* Reads the whole hosts file into a static buffer. */
static const char *
slurp(const char *path)
{
	static char	 text[4096];
	FILE		*f;
	size_t		 n;

	assert_non_null(f = fopen(path, "r"));
	n = fread(text, 1, sizeof text - 1, f);
	text[n] = '\0';
	fclose(f);
	return (text);
}

/* Writes a hosts file by hand, mode 0600. */
static void
put(const char *path, const char *text)
{
	char	dir[128];

	snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(path, '/') - path),
	    path);
	assert_int_equal(ln_mkdir(dir, 0700, NULL), 0);
	assert_int_equal(ln_file_write(path, text, strlen(text), 0600, 0,
	    NULL), 0);
}

/* Adds an alias by its command-line arguments. */
static void
add(struct tmp *t, const char *alias, const char *address, const char *key)
{
	struct host_entry	 e;
	char			*cause = NULL;

	assert_int_equal(hosts_entry_make(alias, address, key, &e, &cause), 0);
	assert_int_equal(hosts_add(t->path, &e, &cause), 0);
}

/* Add, look up by alias and address, remove; the file stays as written. */
static void
test_add_lookup_remove(void **state)
{
	struct tmp		*t = *state;
	struct host_entry	 e;
	char			*cause = NULL, expect[1024], b64[64];
	struct stat		 st;

	add(t, "mini", "mini.local", t->key_text);
	key_b64(t->key, b64);
	add(t, "lab", "10.0.0.5:2222", b64);

	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	snprintf(expect, sizeof expect, "mini mini.local:60100 %s\n"
	    "lab 10.0.0.5:2222 %s\n", t->key_text, t->key_text);
	assert_string_equal(slurp(t->path), expect);

	assert_int_equal(hosts_lookup(t->path, "mini", &e, &cause), 0);
	assert_string_equal(e.addr, "mini.local");
	assert_int_equal(e.port, 60100);
	assert_memory_equal(e.key, t->key, LN_KEY_LEN);
	assert_int_equal(e.line, 1);

	/* Not an alias: an address with a line in the file. */
	assert_int_equal(hosts_lookup(t->path, "10.0.0.5:2222", &e, &cause),
	    0);
	assert_string_equal(e.alias, "lab");
	assert_int_equal(hosts_lookup(t->path, "MINI.local", &e, &cause), 0);
	assert_string_equal(e.alias, "mini");

	/* An address with no line: the error says how to add it. */
	assert_int_not_equal(hosts_lookup(t->path, "10.0.0.5", &e, &cause), 0);
	assert_non_null(strstr(cause, t->path));
	assert_non_null(strstr(cause, "10.0.0.5:60100"));
	assert_non_null(strstr(cause, "lnsh host add"));
	free(cause);
	cause = NULL;

	assert_int_equal(hosts_remove(t->path, "mini", &cause), 0);
	snprintf(expect, sizeof expect, "lab 10.0.0.5:2222 %s\n",
	    t->key_text);
	assert_string_equal(slurp(t->path), expect);
	assert_int_not_equal(hosts_lookup(t->path, "mini", &e, &cause), 0);
	free(cause);
	cause = NULL;
	assert_int_not_equal(hosts_remove(t->path, "mini", &cause), 0);
	assert_non_null(strstr(cause, "no alias 'mini'"));
	free(cause);
}

/* A second line for the same alias is refused, naming the first. */
static void
test_duplicate(void **state)
{
	struct tmp		*t = *state;
	struct host_entry	 e;
	char			*cause = NULL, where[160], text[1024];
	const char		*before;

	add(t, "mini", "mini.local", t->key_text);
	before = strdup(slurp(t->path));
	assert_int_equal(hosts_entry_make("mini", "other:1", t->key_text, &e,
	    &cause), 0);
	assert_int_not_equal(hosts_add(t->path, &e, &cause), 0);
	snprintf(where, sizeof where, "%s:1:", t->path);
	assert_non_null(strstr(cause, where));
	assert_non_null(strstr(cause, "already exists"));
	free(cause);
	cause = NULL;
	assert_string_equal(slurp(t->path), before);
	free((char *)before);

	/* Written by hand, the duplicate makes the file unusable. */
	snprintf(text, sizeof text, "mini a %s\n# x\nmini b %s\n",
	    t->key_text, t->key_text);
	put(t->path, text);
	assert_int_not_equal(hosts_lookup(t->path, "mini", &e, &cause), 0);
	snprintf(where, sizeof where, "%s:3:", t->path);
	assert_non_null(strstr(cause, where));
	free(cause);
}

/* IPv6: written in brackets with the port, found by either form. */
static void
test_ipv6(void **state)
{
	struct tmp		*t = *state;
	struct host_entry	 e;
	char			*cause = NULL, line[1024];

	add(t, "v6", "[::1]:60200", t->key_text);
	add(t, "v6default", "fd00::7", t->key_text);
	snprintf(line, sizeof line, "v6 [::1]:60200 %s\nv6default "
	    "[fd00::7]:60100 %s\n", t->key_text, t->key_text);
	assert_string_equal(slurp(t->path), line);

	assert_int_equal(hosts_lookup(t->path, "v6", &e, &cause), 0);
	assert_string_equal(e.addr, "::1");
	assert_int_equal(e.port, 60200);
	assert_int_equal(hosts_lookup(t->path, "[::1]:60200", &e, &cause), 0);
	assert_string_equal(e.alias, "v6");
	assert_int_equal(hosts_lookup(t->path, "fd00::7", &e, &cause), 0);
	assert_string_equal(e.alias, "v6default");
	assert_int_equal(hosts_lookup(t->path, "[fd00::7]", &e, &cause), 0);
	assert_string_equal(e.alias, "v6default");
}

/* Comments and blank lines are fine; a bad line names file:line. */
static void
test_malformed(void **state)
{
	struct tmp		*t = *state;
	struct host_entry	 e;
	char			*cause = NULL, text[1024], where[160];
	char			 b64[64];
	size_t			 i;
	/* Each bad line, and whether the good key text follows it. */
	const struct {
		const char	*line;
		int		 key;
	} bad[] = {
		{ "mini", 0 },					/* address */
		{ "mini mini.local", 0 },			/* no key */
		{ "mini mini.local:99999 ", 1 },		/* port */
		{ "-mini mini.local ", 1 },			/* alias */
		{ "mini [::1 ", 1 },				/* bracket */
		{ "mini mini.local ssh-ed25519 AAAA", 0 },	/* key type */
		{ "mini mini.local lnsh-x25519 AAAA", 0 },	/* length */
	};

	snprintf(text, sizeof text, "# servers\n\n  \t\nmini mini.local %s "
	    "the mini\n", t->key_text);
	put(t->path, text);
	assert_int_equal(hosts_lookup(t->path, "mini", &e, &cause), 0);
	assert_string_equal(e.comment, "the mini");
	assert_int_equal(e.line, 4);

	key_b64(t->key, b64);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, "# servers\nok 1.2.3.4 %s\n%s%s\n",
		    t->key_text, bad[i].line, bad[i].key ? t->key_text : "");
		put(t->path, text);
		cause = NULL;
		assert_int_not_equal(hosts_lookup(t->path, "ok", &e, &cause),
		    0);
		snprintf(where, sizeof where, "%s:3: ", t->path);
		assert_non_null(cause);
		if (strstr(cause, where) == NULL)
			fail_msg("line %zu: %s", i, cause);
		free(cause);
	}

	/* The bare base64 form is for the command line, not the file. */
	snprintf(text, sizeof text, "ok 1.2.3.4 %s\n", b64);
	put(t->path, text);
	assert_int_not_equal(hosts_lookup(t->path, "ok", &e, &cause), 0);
	free(cause);

	/* A hosts file others can write is refused. */
	snprintf(text, sizeof text, "ok 1.2.3.4 %s\n", t->key_text);
	put(t->path, text);
	assert_int_equal(chmod(t->path, 0666), 0);
	assert_int_not_equal(hosts_lookup(t->path, "ok", &e, &cause), 0);
	assert_non_null(strstr(cause, "writable by group or others"));
	free(cause);
}

/* No hosts file yet: lookups fail saying how to add one. */
static void
test_missing_file(void **state)
{
	struct tmp		*t = *state;
	struct host_entry	 e;
	char			*cause = NULL;

	assert_int_not_equal(hosts_lookup(t->path, "mini", &e, &cause), 0);
	assert_non_null(strstr(cause, "lnsh host add"));
	free(cause);
	assert_int_not_equal(hosts_entry_make("bad alias", "x", t->key_text,
	    &e, NULL), 0);
	assert_int_not_equal(hosts_entry_make("ok", "x:0", t->key_text, &e,
	    NULL), 0);
	assert_int_not_equal(hosts_entry_make("ok", "x", "AAAA", &e, NULL),
	    0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_lookup_remove, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_duplicate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ipv6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup,
		    teardown),
	};

	if (sodium_init() < 0)
		return (1);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
