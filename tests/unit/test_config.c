/*
 * test_config.c: lnshd's config file: defaults, every option parsed,
 * malformed lines and unknown keywords reported with file:line (and a
 * hint), a file with errors rejected whole, and the file checks; and the
 * default locations of paths.c.
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

#include "server.h"

/* Parses text as file "lnshd.conf"; returns the result. */
static int
parse(const char *text, struct config *c, char **cause)
{
	*cause = NULL;
	return (config_parse("lnshd.conf", (const uint8_t *)text,
	    strlen(text), c, cause));
}

/* An empty file (or only comments) gives the documented defaults. */
static void
test_defaults(void **state)
{
	struct config	 c;
	char		*cause;

	assert_int_equal(parse("# nothing\n\n", &c, &cause), 0);
	assert_int_equal(c.nlisten, 1);
	assert_string_equal(c.listen[0].host, "::");
	assert_int_equal(c.listen[0].port, 60100);
	assert_int_equal(c.scrollback_lines, 10000);
	assert_int_equal(c.log_level, CONFIG_LOG_INFO);
	assert_int_equal(c.max_sessions_per_user, 64);
	assert_int_equal(c.max_clients, 256);
	assert_null(c.holder_path);
	assert_null(c.state_dir);
	config_free(&c);
}

/* Every option, with comments and blanks around. */
static void
test_every_option(void **state)
{
	struct config	 c;
	char		*cause;
	const char	*text =
	    "# lnshd.conf\n"
	    "listen 0.0.0.0:60200\n"
	    "  listen\t[::1]:60201  \n"
	    "listen [fd00::1]\n"
	    "scrollback-lines 0\n"
	    "log-level debug\n"
	    "max-sessions-per-user 5\n"
	    "max-clients 7\n"
	    "keep-exited 90m\n"
	    "holder-path /opt/lnsh/libexec/lnsh-holder\n"
	    "state-dir /Library/Application Support/lnsh\n";

	assert_int_equal(parse(text, &c, &cause), 0);
	assert_int_equal(c.nlisten, 3);
	assert_string_equal(c.listen[0].host, "0.0.0.0");
	assert_int_equal(c.listen[0].port, 60200);
	assert_string_equal(c.listen[1].host, "::1");
	assert_int_equal(c.listen[1].port, 60201);
	assert_string_equal(c.listen[2].host, "fd00::1");
	assert_int_equal(c.listen[2].port, 60100);
	assert_int_equal(c.scrollback_lines, 0);
	assert_int_equal(c.log_level, CONFIG_LOG_DEBUG);
	assert_int_equal(c.max_sessions_per_user, 5);
	assert_int_equal(c.max_clients, 7);
	assert_int_equal(c.keep_exited_sec, 90 * 60);
	assert_string_equal(c.holder_path, "/opt/lnsh/libexec/lnsh-holder");
	assert_string_equal(c.state_dir, "/Library/Application Support/lnsh");
	config_free(&c);

	assert_int_equal(parse("log-level error\n", &c, &cause), 0);
	assert_int_equal(c.keep_exited_sec, 24 * 60 * 60);
	assert_int_equal(c.log_level, CONFIG_LOG_ERROR);
	assert_string_equal(config_log_level_name(c.log_level), "error");
	config_free(&c);
	assert_int_equal(parse("log-level warn\n", &c, &cause), 0);
	assert_int_equal(c.log_level, CONFIG_LOG_WARN);
	config_free(&c);
}

/* Expects text to be rejected with `where` and `what` in the message. */
static void
expect_error(const char *text, const char *where, const char *what)
{
	struct config	 c;
	char		*cause;

	memset(&c, 0xee, sizeof c);
	assert_int_equal(parse(text, &c, &cause), LN_E_INVAL);
	assert_non_null(cause);
	if (strstr(cause, where) == NULL || strstr(cause, what) == NULL)
		fail_msg("expected '%s' and '%s' in: %s", where, what, cause);
	free(cause);
	/* Nothing was written. */
	assert_int_equal(c.max_clients, 0xeeeeeeee);
}

/* Malformed lines: each names file:line and what was expected. */
static void
test_malformed(void **state)
{
	expect_error("# c\nlisten\n", "lnshd.conf:2: ", "needs a value");
	expect_error("listen example.com:1\n", "lnshd.conf:1: ",
	    "numeric IPv4");
	expect_error("listen 300.1.1.1\n", ":1: ", "numeric");
	expect_error("listen [::1]:0\n", ":1: ", "port");
	expect_error("listen 1.2.3.4\nlisten 1.2.3.4:60100\n", ":2: ",
	    "already listed");
	expect_error("scrollback-lines lots\n", ":1: ", "from 0 to 1000000");
	expect_error("scrollback-lines -1\n", ":1: ", "number of lines");
	expect_error("scrollback-lines 1000001\n", ":1: ", "1000000");
	expect_error("log-level verbose\n", ":1: ",
	    "error, warn, info or debug");
	expect_error("max-clients 0\n", ":1: ", "from 1 to 100000");
	expect_error("keep-exited 0\n", ":1: ", "30s, 90m, 24h or 7d");
	expect_error("keep-exited 3w\n", ":1: ", "duration");
	expect_error("keep-exited 367d\n", ":1: ", "366d");
	expect_error("keep-exited 5hh\n", ":1: ", "duration");
	expect_error("max-sessions-per-user 3 4\n", ":1: ", "one value");
	expect_error("holder-path lnsh-holder\n", ":1: ", "absolute path");
	expect_error("state-dir relative/dir\n", ":1: ", "absolute path");
	expect_error("log-level info\nlog-level debug\n", ":2: ",
	    "already set at line 1");
}

/* Unknown keywords are errors, with the closest keyword as a hint. */
static void
test_unknown_keyword(void **state)
{
	expect_error("\n\nlisten-address [::]:1\n", "lnshd.conf:3: ",
	    "unknown keyword 'listen-address'");
	expect_error("scrolback-lines 5\n", ":1: ",
	    "did you mean 'scrollback-lines'?");
	expect_error("max-client 5\n", ":1: ", "did you mean 'max-clients'?");
	expect_error("statedir /x\n", ":1: ", "did you mean 'state-dir'?");
	/* Nothing close: the list of keywords instead. */
	expect_error("colour red\n", ":1: ", "known: listen");
}

/* Every error is reported, not just the first; good lines do not help. */
static void
test_all_errors(void **state)
{
	struct config	 c;
	char		*cause;

	assert_int_equal(parse("log-level debug\nfoo 1\nmax-clients 5\n"
	    "max-clients x\n", &c, &cause), LN_E_INVAL);
	assert_non_null(strstr(cause, "lnshd.conf:2: "));
	assert_non_null(strstr(cause, "\nlnshd.conf:4: "));
	assert_null(strstr(cause, "lnshd.conf:1:"));
	free(cause);
}

/* Files: missing (with and without missing_ok), others-writable. */
static void
test_load(void **state)
{
	struct config	 c;
	char		 dir[64], path[128], *cause = NULL;
	const char	*text = "max-clients 9\n";

	snprintf(dir, sizeof dir, "/tmp/lnsh-test-config.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/lnshd.conf", dir);

	assert_int_equal(config_load(path, 1, &c, &cause), 0);
	assert_int_equal(c.max_clients, 256);
	config_free(&c);
	assert_int_not_equal(config_load(path, 0, &c, &cause), 0);
	assert_non_null(strstr(cause, path));
	free(cause);
	cause = NULL;

	assert_int_equal(ln_file_write(path, text, strlen(text), 0644, 0,
	    NULL), 0);
	assert_int_equal(config_load(path, 0, &c, &cause), 0);
	assert_int_equal(c.max_clients, 9);
	config_free(&c);

	assert_int_equal(chmod(path, 0666), 0);
	assert_int_not_equal(config_load(path, 1, &c, &cause), 0);
	assert_non_null(strstr(cause, "writable by group or others"));
	free(cause);

	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* Default locations follow LNSH_CONFIG_DIR, HOME and XDG_STATE_HOME. */
static void
test_paths(void **state)
{
	struct paths_user	 u;
	char			*p, *cause = NULL;

	assert_int_equal(setenv("HOME", "/h/me", 1), 0);
	assert_int_equal(unsetenv("LNSH_CONFIG_DIR"), 0);
	assert_int_equal(unsetenv("XDG_STATE_HOME"), 0);
	assert_int_equal(paths_config_dir(&p, &cause), 0);
	assert_string_equal(p, "/h/me/.config/lnsh");
	free(p);
	assert_int_equal(setenv("LNSH_CONFIG_DIR", "/cfg", 1), 0);
	assert_int_equal(paths_config_file("hosts", &p, &cause), 0);
	assert_string_equal(p, "/cfg/hosts");
	free(p);

	assert_int_equal(paths_state_dir(1, &p, &cause), 0);
	assert_string_equal(p, "/h/me/.local/state/lnsh");
	free(p);
	assert_int_equal(setenv("XDG_STATE_HOME", "/st", 1), 0);
	assert_int_equal(paths_state_dir(1, &p, &cause), 0);
	assert_string_equal(p, "/st/lnsh");
	free(p);
	assert_int_equal(paths_state_dir(0, &p, &cause), 0);
	assert_string_equal(p, LNSH_ROOT_STATE_DIR);
	free(p);
	p = paths_holder_dir("/st/lnsh", 501);
	assert_string_equal(p, "/st/lnsh/holders/501");
	free(p);
	p = paths_host_key("/st/lnsh");
	assert_string_equal(p, "/st/lnsh/host_key");
	free(p);

	/* Single-user: the running user, home from $HOME; others refused. */
	if (paths_user(1, NULL, &u, &cause) == 0) {
		assert_int_equal(u.uid, geteuid());
		assert_string_equal(u.home, "/h/me");
		p = paths_authorized_keys(&u);
		assert_string_equal(p, "/h/me/.config/lnsh/authorized_keys");
		free(p);
		paths_user_free(&u);
		assert_int_not_equal(paths_user(1, "no-such-user-lnsh", &u,
		    &cause), 0);
		assert_non_null(strstr(cause, "single-user"));
	}
	free(cause);
	cause = NULL;

	/* Without HOME nothing is guessed. */
	assert_int_equal(unsetenv("HOME"), 0);
	assert_int_equal(unsetenv("LNSH_CONFIG_DIR"), 0);
	assert_int_not_equal(paths_config_dir(&p, &cause), 0);
	assert_non_null(strstr(cause, "LNSH_CONFIG_DIR"));
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_option),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_unknown_keyword),
		cmocka_unit_test(test_all_errors),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_paths),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
