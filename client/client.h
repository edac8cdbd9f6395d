/*
 * client.h: lnsh, the client, prototypes grouped by file.
 * Each section belongs to the file it names; keep edits to your own section.
 */
#ifndef LNSH_CLIENT_H
#define LNSH_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/*
 * paths.c (server/paths.c, linked into lnsh too; server.h declares these
 * two again for paths.c itself): the client's files, in
 * its config dir: $LNSH_CONFIG_DIR, else $HOME/.config/lnsh (created mode
 * 0700 by whoever writes there first: ln_mkdir). Returned strings are
 * allocated; the caller frees them.
 */
#define PATHS_CLIENT_KEY	"key"	/* the client's private key */
#define PATHS_HOSTS		"hosts"
/* (&dir, cause) and (PATHS_CLIENT_KEY or PATHS_HOSTS, &path, cause). */
int		 paths_config_dir(char **, char **);
int		 paths_config_file(const char *, char **, char **);

/*
 * hosts.c: the client's hosts file (docs/files.md), one line a server:
 *	ALIAS ADDRESS[:PORT] lnsh-x25519 BASE64 [comment]
 * with # comments and blank lines. ADDRESS is a host name or an IP
 * address, IPv6 in brackets when a port follows ([::1]:60100); the port
 * defaults to LN_DEFAULT_PORT. A malformed line makes the whole file
 * unusable, with an error naming file:line, until it is fixed: a host key
 * must never be guessed around. Every change rewrites the file atomically.
 */
#define HOSTS_ALIAS_MAX		64	/* [A-Za-z0-9._-], not starting '-' */
#define HOSTS_ADDR_MAX		255
struct host_entry {
	char		 alias[HOSTS_ALIAS_MAX + 1];
	char		 addr[HOSTS_ADDR_MAX + 1];	/* no brackets */
	uint16_t	 port;
	uint8_t		 key[LN_KEY_LEN];
	char		 comment[LN_KEY_COMMENT_MAX + 1];
	unsigned	 line;		/* in the file; 0: not from a file */
};
struct hosts {
	struct host_entry *entries;
	size_t		 n;
};
int		 hosts_alias_ok(const char *);
/* (alias, "ADDRESS[:PORT]", key text or bare base64, &entry, cause). */
int		 hosts_entry_make(const char *, const char *, const char *,
		     struct host_entry *, char **);
/* (addr, port, out, len): "host:port" or "[v6]:port". */
int		 hosts_format_address(const char *, uint16_t, char *, size_t);
int		 hosts_format_line(const struct host_entry *, char *, size_t);
/* (name for messages, data, len, &out, cause): no file checks. */
int		 hosts_parse(const char *, const uint8_t *, size_t,
		     struct hosts *, char **);
/* (path, &out, cause): a missing file has no entries. */
int		 hosts_load(const char *, struct hosts *, char **);
void		 hosts_free(struct hosts *);
/* (path, HOST argument: alias or ADDRESS[:PORT], &entry, cause). */
int		 hosts_lookup(const char *, const char *, struct host_entry *,
		     char **);
/* (path, entry, cause): refuses an existing alias. */
int		 hosts_add(const char *, const struct host_entry *, char **);
/* (path, alias, cause). */
int		 hosts_remove(const char *, const char *, char **);

#endif /* LNSH_CLIENT_H */
