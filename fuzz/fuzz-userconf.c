/*
 * fuzz-userconf.c: the client's config file parser (client/userconf.c).
 * The input is the file's text. A parse either succeeds, and the config is
 * then matched against aliases as lnsh does, or fails with a cause.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "client.h"

/* Parses one config text and matches it. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct userconf		*uc;
	struct userconf_host	 h;
	char			*cause = NULL;

	if (userconf_parse("config", data, size, &uc, &cause) != 0) {
		if (cause == NULL)
			abort();
		free(cause);
		return (0);
	}
	userconf_match(uc, "a", &h);
	userconf_match(uc, "web-1", &h);
	userconf_match(uc, "", &h);
	userconf_free(uc);
	return (0);
}
