/*
 * test_userconf.c: the client's config file: every documented option and
 * its values, the defaults, Host patterns (globs, several per line, "!"
 * exclusions, lines before the first Host), first value wins, malformed
 * lines with file:line, unknown options with the closest keyword as a
 * hint, and loading from $LNSH_CONFIG_DIR with a missing file.
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

#include "client.h"

/* Parses text as file "cfg"; asserts success. */
static struct userconf *
parse_ok(const char *text)
{
	struct userconf	*uc = NULL;
	char		*cause = NULL;

	if (userconf_parse("cfg", (const uint8_t *)text, strlen(text), &uc,
	    &cause) != 0)
		fail_msg("unexpected error: %s", cause);
	assert_non_null(uc);
	return (uc);
}

/* Parses text; asserts failure with a cause that is exactly want. */
static void
parse_bad(const char *text, const char *want)
{
	struct userconf	*uc = NULL;
	char		*cause = NULL;

	assert_int_equal(userconf_parse("cfg", (const uint8_t *)text,
	    strlen(text), &uc, &cause), LN_E_INVAL);
	assert_null(uc);
	assert_non_null(cause);
	assert_string_equal(cause, want);
	free(cause);
}

/* No file, or an empty one: the defaults. */
static void
test_defaults(void **state)
{
	struct userconf		*uc;
	struct userconf_host	 h;

	(void)state;
	userconf_match(NULL, "mini", &h);
	assert_string_equal(h.session, "main");
	assert_int_equal(h.predict, USERCONF_PREDICT_ADAPTIVE);
	assert_int_equal(h.escape, 0x1e);
	assert_int_equal(h.timeout_ms, 0);
	assert_string_equal(h.user, "");
	assert_int_equal(h.session_line + h.predict_line + h.escape_line +
	    h.timeout_line + h.user_line, 0);
	uc = parse_ok("# nothing\n\n   \n");
	userconf_match(uc, "mini", &h);
	assert_string_equal(h.session, "main");
	userconf_free(uc);
}

/* Every option, each documented value form. */
static void
test_every_option(void **state)
{
	struct userconf		*uc;
	struct userconf_host	 h;

	(void)state;
	uc = parse_ok(
	    "Host mini\n"
	    "\tSession work\n"
	    "\tPredict always\n"
	    "\tEscapeKey ^]\n"
	    "\tTimeout 2.5\n"
	    "\tUser alice\n"
	    "Host never\n"
	    "  predict = NEVER\n"
	    "  escapekey=^a\n"
	    "  TIMEOUT 1\n"
	    "Host none\n"
	    "EscapeKey none\n"
	    "Predict adaptive\n"
	    "Host del\n"
	    "EscapeKey ^?\n");
	userconf_match(uc, "mini", &h);
	assert_string_equal(h.session, "work");
	assert_int_equal(h.session_line, 2);
	assert_int_equal(h.predict, USERCONF_PREDICT_ALWAYS);
	assert_int_equal(h.escape, 0x1d);
	assert_int_equal(h.timeout_ms, 2500);
	assert_int_equal(h.timeout_line, 5);
	assert_string_equal(h.user, "alice");
	assert_int_equal(h.user_line, 6);

	userconf_match(uc, "never", &h);
	assert_int_equal(h.predict, USERCONF_PREDICT_NEVER);
	assert_int_equal(h.escape, 0x01);
	assert_int_equal(h.timeout_ms, 1000);
	assert_string_equal(h.session, "main");
	assert_int_equal(h.session_line, 0);

	userconf_match(uc, "none", &h);
	assert_int_equal(h.escape, USERCONF_ESCAPE_NONE);
	assert_int_equal(h.predict, USERCONF_PREDICT_ADAPTIVE);
	assert_int_equal(h.predict_line, 13);
	userconf_match(uc, "del", &h);
	assert_int_equal(h.escape, 0x7f);
	userconf_free(uc);
}

/* Globs, several patterns, exclusions, global lines, first value wins. */
static void
test_patterns(void **state)
{
	struct userconf		*uc;
	struct userconf_host	 h;

	(void)state;
	uc = parse_ok(
	    "Timeout 7\n"
	    "Host fraktal-* !fraktal-old\n"
	    "Session scraper\n"
	    "Timeout 3\n"
	    "Host laptop? studio\n"
	    "User bob\n"
	    "Host *\n"
	    "Session everywhere\n"
	    "User carol\n");
	userconf_match(uc, "fraktal-mini", &h);
	assert_string_equal(h.session, "scraper");
	assert_int_equal(h.timeout_ms, 7000);	/* the global line first */
	assert_string_equal(h.user, "carol");
	userconf_match(uc, "fraktal-old", &h);
	assert_string_equal(h.session, "everywhere");
	userconf_match(uc, "laptop2", &h);
	assert_string_equal(h.user, "bob");
	assert_string_equal(h.session, "everywhere");
	userconf_match(uc, "studio", &h);
	assert_string_equal(h.user, "bob");
	userconf_match(uc, "laptop22", &h);
	assert_string_equal(h.user, "carol");
	userconf_match(uc, "FRAKTAL-mini", &h);	/* case matters, as aliases */
	assert_string_equal(h.session, "everywhere");
	userconf_free(uc);
}

/* Malformed lines: every error names cfg:LINE and what is wrong. */
static void
test_malformed(void **state)
{
	(void)state;
	parse_bad("Host\n", "cfg:1: Host needs at least one pattern");
	parse_bad("Host a\nSession\n", "cfg:2: Session needs a value");
	parse_bad("\n\nSession a b\n",
	    "cfg:3: Session takes one value, not 'a b'");
	parse_bad("Session bad/name\n", "cfg:1: Session bad/name: want a "
	    "session name of letters, digits, '.', '_' and '-', at most 64");
	parse_bad("Predict sometimes\n",
	    "cfg:1: Predict sometimes: want adaptive, always or never");
	parse_bad("EscapeKey x\n", "cfg:1: EscapeKey x: want ^ and a "
	    "character from @A-Z[\\]^_ or ?, such as ^^ or ^], or none");
	parse_bad("EscapeKey ^1\n", "cfg:1: EscapeKey ^1: want ^ and a "
	    "character from @A-Z[\\]^_ or ?, such as ^^ or ^], or none");
	parse_bad("Timeout 0\n",
	    "cfg:1: Timeout 0: want seconds, more than 0 and at most 3600");
	parse_bad("Timeout 5s\n",
	    "cfg:1: Timeout 5s: want seconds, more than 0 and at most 3600");
	parse_bad("Timeout 4000\n",
	    "cfg:1: Timeout 4000: want seconds, more than 0 and at most 3600");
	parse_bad("User -x\n", "cfg:1: User -x: want a user name of "
	    "letters, digits, '.', '_' and '-'");
	parse_bad("Host \"a b\"\n", "cfg:1: Host patterns are not quoted");
	parse_bad("Host a\n\tSession x\n\tUser\tbob\n\tPredict\n",
	    "cfg:4: Predict needs a value");
}

/* Unknown options: an error with the closest keyword, or the list. */
static void
test_unknown(void **state)
{
	(void)state;
	parse_bad("Sesion work\n",
	    "cfg:1: unknown option 'Sesion'; did you mean 'Session'?");
	parse_bad("Host a\n  escape ^a\n",
	    "cfg:2: unknown option 'escape'; did you mean 'EscapeKey'?");
	parse_bad("Hots a\n",
	    "cfg:1: unknown option 'Hots'; did you mean 'Host'?");
	parse_bad("TimeOut 3\nPrediction always\n",
	    "cfg:2: unknown option 'Prediction'; did you mean 'Predict'?");
	parse_bad("ProxyJump x\n", "cfg:1: unknown option 'ProxyJump'; "
	    "known: Host, Session, Predict, EscapeKey, Timeout, User");
}

/* From $LNSH_CONFIG_DIR/config; missing is the defaults; mode checked. */
static void
test_load(void **state)
{
	struct userconf_host	 h;
	char			 dir[64], path[128], *cause = NULL;
	uint64_t		 ms = 5000;
	char			*user;
	FILE			*fp;

	(void)state;
	snprintf(dir, sizeof dir, "/tmp/lnsh-test-userconf.XXXXXX");
	assert_non_null(mkdtemp(dir));
	setenv("LNSH_CONFIG_DIR", dir, 1);
	unsetenv("LNSH_TIMEOUT");
	assert_int_equal(userconf_for_alias("mini", &h, &cause), 0);
	assert_string_equal(h.session, "main");

	snprintf(path, sizeof path, "%s/config", dir);
	assert_non_null(fp = fopen(path, "w"));
	fprintf(fp, "Host mini\n Timeout 1.5\n User bob\n");
	fclose(fp);
	chmod(path, 0644);
	assert_int_equal(userconf_for_alias("mini", &h, &cause), 0);
	assert_int_equal(h.timeout_ms, 1500);

	/* rpc.c's use: Timeout unless LNSH_TIMEOUT; User unless USER@. */
	user = xstrdup("me");
	assert_int_equal(userconf_rpc("mini", "mini", &ms, &user, &cause), 0);
	assert_int_equal(ms, 1500);
	assert_string_equal(user, "bob");
	ms = 5000;
	free(user);
	user = xstrdup("eve");
	setenv("LNSH_TIMEOUT", "9", 1);
	assert_int_equal(userconf_rpc("eve@mini", "mini", &ms, &user,
	    &cause), 0);
	assert_int_equal(ms, 5000);
	assert_string_equal(user, "eve");
	unsetenv("LNSH_TIMEOUT");
	free(user);

	/* Writable by others: refused, like the hosts file. */
	chmod(path, 0666);
	assert_int_not_equal(userconf_for_alias("mini", &h, &cause), 0);
	assert_non_null(cause);
	assert_non_null(strstr(cause, path));
	free(cause);
	cause = NULL;

	assert_non_null(fp = fopen(path, "w"));
	fprintf(fp, "Host mini\nTimeout never\n");
	fclose(fp);
	chmod(path, 0600);
	assert_int_equal(userconf_for_alias("mini", &h, &cause), LN_E_INVAL);
	assert_non_null(strstr(cause, "/config:2: Timeout never"));
	free(cause);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_option),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_load),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
