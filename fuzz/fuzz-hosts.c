/*
 * fuzz-hosts.c: the client's hosts file parser (client/hosts.c). The input
 * is the file's text. A parse either succeeds or fails with a cause; every
 * entry that parses, written back as a line, parses again to itself.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "client.h"

/* Parses one hosts text and round-trips each entry. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hosts	 h, again;
	char		 line[1024], *cause = NULL;
	size_t		 i;

	if (hosts_parse("hosts", data, size, &h, &cause) != 0) {
		if (cause == NULL)
			abort();
		free(cause);
		return (0);
	}
	for (i = 0; i < h.n; i++) {
		if (hosts_format_line(&h.entries[i], line, sizeof line) != 0)
			abort();
		if (hosts_parse("again", (uint8_t *)line, strlen(line),
		    &again, &cause) != 0) {
			fprintf(stderr, "fuzz-hosts: %s: %s\n", line, cause);
			abort();
		}
		if (again.n != 1 ||
		    strcmp(again.entries[0].alias, h.entries[i].alias) != 0 ||
		    strcmp(again.entries[0].addr, h.entries[i].addr) != 0 ||
		    strcmp(again.entries[0].user, h.entries[i].user) != 0 ||
		    again.entries[0].port != h.entries[i].port ||
		    memcmp(again.entries[0].key, h.entries[i].key,
		    LN_KEY_LEN) != 0) {
			fprintf(stderr, "fuzz-hosts: a line did not parse "
			    "back: %s", line);
			abort();
		}
		hosts_free(&again);
	}
	hosts_free(&h);
	return (0);
}
