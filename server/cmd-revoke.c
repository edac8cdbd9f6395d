/*
 * cmd-revoke.c: `lnshd revoke KEY|FINGERPRINT|COMMENT [--user NAME]`:
 * removes the lines of a user's authorized_keys that admit a key, in one
 * atomic replacement of the file (as the user, like authorize). A key
 * (the `lnsh pubkey` line or its base64) or a fingerprint (as `lnshd
 * authorized` shows it) removes every line of that key; a comment must
 * name exactly one line, and naming several is an error that lists them.
 * lnshd reads the file at every handshake, so the key stops working at
 * once; sessions it attached to are left running.
 */
#include "config.h"

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "server.h"

/* What to remove. */
struct revoke {
	const char	*arg;		/* as given, for messages */
	int		 by_key;
	uint8_t		 key[LN_KEY_LEN];
	int		 by_fp;
	char		 fp[LN_FINGERPRINT_LEN];
};

/* Does entry k match what r names? */
static int
revoke_match(const struct revoke *rv, const struct authkey *k)
{
	char	fp[LN_FINGERPRINT_LEN];

	if (rv->by_key)
		return (sodium_memcmp(k->key, rv->key, LN_KEY_LEN) == 0);
	if (rv->by_fp) {
		key_fingerprint(k->key, fp);
		return (strcmp(fp, rv->fp) == 0);
	}
	return (strcmp(k->comment, rv->arg) == 0);
}

/* As the user: rewrites the file without the matching lines. */
static int
revoke_as_user(const struct paths_user *u, void *arg)
{
	struct revoke	*rv = arg;
	struct authkeys	 ak = { NULL, 0 };
	struct buf	 b;
	uint8_t		*data = NULL;
	char		*path, *cause = NULL, *text = NULL, *drop = NULL;
	char		 line[LN_TEXT_LINE_MAX], fp[LN_FINGERPRINT_LEN];
	size_t		 len = 0, i, start, used = 0, nmatch = 0;
	unsigned	 lineno = 0;
	int		 ex = 1;

	path = paths_authorized_keys(u);
	if (ln_file_read(path, LN_FILE_OWNED | LN_FILE_MISSING_OK, &data,
	    &len, &cause) != 0) {
		fprintf(stderr, "lnshd revoke: %s\n", cause);
		goto out;
	}
	if (data == NULL) {
		fprintf(stderr, "lnshd revoke: %s does not exist; no key is "
		    "admitted for %s\n", path, u->name);
		goto out;
	}
	(void)authkeys_parse(path, data, len, &ak, NULL, NULL);
	drop = xcalloc(len + 2, 1);	/* by line number; lines <= len + 1 */
	for (i = 0; i < ak.nkeys; i++) {
		if (!revoke_match(rv, &ak.keys[i]))
			continue;
		drop[ak.keys[i].line] = 1;
		nmatch++;
	}
	if (nmatch == 0) {
		fprintf(stderr, "lnshd revoke: no key in %s matches '%s'; "
		    "see `lnshd authorized`\n", path, rv->arg);
		goto out;
	}
	if (nmatch > 1 && !rv->by_key && !rv->by_fp) {
		fprintf(stderr, "lnshd revoke: comment '%s' names %zu keys in "
		    "%s; revoke one by its fingerprint:\n", rv->arg, nmatch,
		    path);
		for (i = 0; i < ak.nkeys; i++) {
			if (!drop[ak.keys[i].line])
				continue;
			key_fingerprint(ak.keys[i].key, fp);
			fprintf(stderr, "  line %u: %s %s\n", ak.keys[i].line,
			    fp, ak.keys[i].comment);
		}
		goto out;
	}

	/* Every other line stays exactly as it was. */
	text = xmalloc(len + 1);
	buf_reader(&b, data, len);
	for (;;) {
		start = buf_used(&b);
		if (ln_text_line(&b, line, sizeof line) == 0)
			break;
		if (drop[++lineno])
			continue;
		memcpy(text + used, data + start, buf_used(&b) - start);
		used += buf_used(&b) - start;
	}
	if (ln_file_write(path, text, used, 0600, 0, &cause) != 0) {
		fprintf(stderr, "lnshd revoke: %s\n", cause);
		goto out;
	}
	for (i = 0; i < ak.nkeys; i++) {
		if (!drop[ak.keys[i].line])
			continue;
		key_fingerprint(ak.keys[i].key, fp);
		printf("revoked %s %s (was line %u of %s)\n", fp,
		    ak.keys[i].comment, ak.keys[i].line, path);
	}
	ex = 0;
out:
	authkeys_free(&ak);
	free(drop);
	free(text);
	free(data);
	free(cause);
	free(path);
	return (ex);
}

/* lnshd revoke KEY|FINGERPRINT|COMMENT [--user NAME]. */
static int
lnshd_revoke_exec(const struct lnshd_opts *o, int argc, char **argv)
{
	struct revoke		 rv;
	struct paths_user	 u;
	char			 text[LN_TEXT_LINE_MAX];
	const char		*why;
	size_t			 used = 0;
	int			 ex, n, i;

	memset(&u, 0, sizeof u);
	memset(&rv, 0, sizeof rv);
	if ((ex = authkeys_cmd_args("revoke", o, argc, argv, &u, NULL,
	    &n)) >= 0)
		goto out;
	if (n == 0) {
		fprintf(stderr, "lnshd revoke: say which key: KEY, its "
		    "fingerprint or its comment (see `lnshd authorized`)\n");
		ex = LNSHD_EXIT_USAGE;
		goto out;
	}
	/* Words joined, as authorize does: an unquoted key line works. */
	text[0] = '\0';
	for (i = 0; i < n; i++) {
		if (used + strlen(argv[i]) + 2 > sizeof text)
			break;
		used += (size_t)snprintf(text + used, sizeof text - used,
		    "%s%s", i > 0 ? " " : "", argv[i]);
	}
	rv.arg = text;
	if (key_parse(text, rv.key, NULL, &why) == 0 ||
	    key_from_b64(text, strlen(text), rv.key) == 0)
		rv.by_key = 1;
	else if (strncmp(text, LN_FINGERPRINT_PREFIX,
	    sizeof LN_FINGERPRINT_PREFIX - 1) == 0 &&
	    strlen(text) < sizeof rv.fp) {
		rv.by_fp = 1;
		snprintf(rv.fp, sizeof rv.fp, "%s", text);
	}
	ex = authkeys_as_user(&u, revoke_as_user, &rv);
out:
	paths_user_free(&u);
	return (ex);
}

const struct lnshd_cmd lnshd_revoke_entry = {
	.name = "revoke",
	.usage = " KEY|FINGERPRINT|COMMENT [--user NAME]",
	.options = LNSHD_OPT_ARGS,
	.exec = lnshd_revoke_exec,
};
