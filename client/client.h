/*
 * client.h: lnsh, the client, prototypes grouped by file.
 */
#ifndef LNSH_CLIENT_H
#define LNSH_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
struct host_entry {
	char		 alias[HOSTS_ALIAS_MAX + 1];
	char		 addr[HOSTS_ADDR_MAX + 1];	/* no brackets */
	uint16_t	 port;
	uint8_t		 key[LN_KEY_LEN];
	char		 comment[LN_KEY_COMMENT_MAX + 1];
	char		 user[LN_USER_NAME_MAX + 1];	/* USER@: "" if none */
	unsigned	 line;		/* in the file; 0: not from a file */
};
struct hosts {
	struct host_entry *entries;
	size_t		 n;
};
int		 hosts_alias_ok(const char *);
int		 hosts_user_ok(const char *);
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

/*
 * lnsh.c: the verb table, argument parsing and exit codes (docs/cli.md).
 * A verb is one cmd-*.c file exporting one struct cmd_entry. The exit
 * codes, LNSH_EXIT_*, are in proto/wire.h: lnshd answers with them.
 */
#define CMD_MAX_OPTS		8
struct cmd_opt {
	const char	*name;		/* without the leading "--" */
	int		 has_arg;
};
struct cmd_args {
	const char	*verb;
	char		**argv;		/* positional arguments, "--" removed */
	int		 argc;
	int		 dashdash;	/* positionals before "--"; -1: none */
	const char	*values[CMD_MAX_OPTS];	/* per cmd_entry.opts; */
	int		 present[CMD_MAX_OPTS];	/* flags: "" when set */
};
struct cmd_entry {
	const char		*name;
	const char		*usage;		/* after "lnsh NAME " */
	const char		*summary;
	const struct cmd_opt	*opts;		/* NULL-terminated, or NULL */
	int			 lower, upper;	/* positionals; upper -1: any */
	int			(*exec)(const struct cmd_entry *,
				    struct cmd_args *);
};
int		 cmd_usage(const struct cmd_entry *, const char *, ...)
		     __attribute__((__format__(__printf__, 2, 3)));
void		 cmd_error(const char *, ...)
		     __attribute__((__format__(__printf__, 1, 2)));
const char	*cmd_opt_value(const struct cmd_entry *,
		     const struct cmd_args *, const char *);
int		 cmd_session_name_ok(const char *);
int		 cmd_session_name_usage(const struct cmd_entry *, const char *);
void		 lnsh_version(FILE *);	/* version.c: `lnsh -V` */

/* debuglog.c: the debug log, LNSH_DEBUG_LOG */
void		 debuglog_open(void);
void		 debuglog(const char *, ...)
		     __attribute__((__format__(__printf__, 1, 2)));
extern const struct cmd_entry cmd_ls_entry;
extern const struct cmd_entry cmd_new_entry;
extern const struct cmd_entry cmd_kill_entry;
extern const struct cmd_entry cmd_capture_entry;
extern const struct cmd_entry cmd_send_entry;
extern const struct cmd_entry cmd_keygen_entry;
extern const struct cmd_entry cmd_pubkey_entry;
extern const struct cmd_entry cmd_doctor_entry;	/* cmd-doctor.c */
extern const struct cmd_entry cmd_wait_entry;	/* cmd-wait.c */

/*
 * udp.c: the client's UDP sockets and the poll loop that drives a
 * chan_client. Until the server has answered, every datagram goes to every
 * address the host name resolved to (one connected socket each); the
 * first address a handshake completes through is kept.
 */
#define UDP_MAX_ADDRS		16
struct udp_conn {
	struct chan_client	*cc;
	struct chan_addr	 addrs[UDP_MAX_ADDRS];
	int			 fds[UDP_MAX_ADDRS];
	size_t			 n;
	int			 chosen;	/* index; -1: not yet */
};
typedef int (*udp_done_fn)(void *);
int		 udp_open(struct udp_conn *, const struct chan_addr *, size_t,
		     char **);
void		 udp_close(struct udp_conn *);
void		 udp_send(void *, const uint8_t *, size_t);
int		 udp_send_status(struct udp_conn *, const uint8_t *, size_t);
int		 udp_run(struct udp_conn *, uint64_t, udp_done_fn, void *);
int		 udp_rebind(struct udp_conn *, char **);
void		 udp_read(struct udp_conn *, size_t);

/*
 * rpc.c: one request to lnshd and its reply, with a deadline: resolve HOST
 * through the hosts file, load the client key, handshake, ask, wait.
 */
#define RPC_E_NOANSWER		(-100)	/* nothing authenticated in time */
#define RPC_E_WAITED		(-101)	/* rpc_call_wait: no reply in time */
int		 rpc_timeout_ms(uint64_t *, char **);
/* (&cause, HOST, its address, the wait in ms, the account asked for). */
void		 rpc_noanswer_cause(char **, const char *, const char *,
		     uint64_t, const char *);
const char	*rpc_gone_why(const char *);	/* "gone: WHY" answers */
#ifdef PROTOBUF_C_rpc_2eproto__INCLUDED	/* include "rpc.pb-c.h" first */
int		 rpc_run(const char *, const char *, Lnsh__Request *,
		     Lnsh__Reply **);
int		 rpc_call_wait(const char *, Lnsh__Request *, Lnsh__Reply **,
		     uint64_t, char **);
int		 rpc_run_wait(const char *, const char *, Lnsh__Request *,
		     Lnsh__Reply **, uint64_t);
#endif
/* rpc_target: what lnsh attach connects with (rpc.c finds it). */
struct rpc_target {
	struct host_entry e;
	const char	*host;		/* the HOST part of the argument */
	struct chan_addr addrs[UDP_MAX_ADDRS];
	size_t		 n;
	uint8_t		 sk[LN_KEY_LEN];	/* secret: wipe */
	char		*user;
	uint64_t	 timeout_ms;
};
int		 rpc_target(const char *, struct rpc_target *, char **);

/*
 * escape.c: C-style escapes in `lnsh send` text: \n \r \t \e \xHH \\.
 * On failure *why names the problem; *where is its byte offset.
 */
int		 escape_decode(const char *, uint8_t **, size_t *,
		     const char **, size_t *);

/*
 * json.c: JSON output (RFC 8259) into a growing buffer. Strings are
 * written as valid UTF-8 whatever their bytes: invalid sequences become
 * U+FFFD. Commas are placed by the writer.
 */
#define JSON_MAX_DEPTH		16
struct json {
	char		*buf;
	size_t		 len, cap;
	int		 depth;
	int		 need_comma[JSON_MAX_DEPTH];
	int		 after_key;
};
void		 json_init(struct json *);
void		 json_free(struct json *);
void		 json_begin_array(struct json *);
void		 json_end_array(struct json *);
void		 json_begin_object(struct json *);
void		 json_end_object(struct json *);
void		 json_key(struct json *, const char *);
void		 json_string(struct json *, const char *, size_t);
void		 json_cstring(struct json *, const char *);
void		 json_int(struct json *, long long);
void		 json_null(struct json *);
int		 json_time(struct json *, int64_t);
int		 json_rfc3339(int64_t, char *, size_t);

/*
 * display.c: draws a struct fb (proto/fb.h) on the local terminal through
 * terminfo, sending only what changed since the last draw. Lines that
 * scrolled off the top of the remote screen are queued with
 * display_scroll_in_*() and reach the local terminal's own scrollback, in
 * order, at the next display_draw(). Output is buffered until
 * display_flush(). docs/display.md says how it works.
 */
#define DISPLAY_NOTICE_TOP	0
#define DISPLAY_NOTICE_BOTTOM	1
struct display;
struct fb;
struct fb_row;
/* term: NULL for $TERM. */
int		 display_new(int fd, const char *term, int cols, int rows,
		     struct display **out, char **cause);
void		 display_free(struct display *);
void		 display_resize(struct display *, int, int);
void		 display_redraw(struct display *);
void		 display_draw(struct display *, const struct fb *);
void		 display_scroll_in(struct display *, const struct fb_row *);
void		 display_scroll_in_text(struct display *, const char *, size_t,
		     int);
void		 display_notice(struct display *, const char *, int);
void		 display_notice_clear(struct display *);
int		 display_flush(struct display *);
void		 display_finish(struct display *);
const char	*display_restore_string(void);

/*
 * locale.c: LC_CTYPE from the environment, or a UTF-8 one when that is
 * not UTF-8: the display writes UTF-8 and measures characters with it.
 */
int		 locale_utf8(char **);

/*
 * tty.c: the local terminal in raw mode, restored on every exit path
 * (exit, SIGINT, SIGTERM, SIGHUP, SIGQUIT; SIGTSTP suspends with the
 * terminal restored and raw again on SIGCONT). SIGWINCH and SIGCONT are
 * reported through tty_event_fd(), readable when tty_events() has news.
 */
#define TTY_EV_RESIZE		0x1
#define TTY_EV_REDRAW		0x2	/* resumed after a suspend */
int		 tty_watch(char **);
int		 tty_raw(int, char **);
void		 tty_restore(void);
void		 tty_set_restore(const char *);
int		 tty_size(int, int *, int *);
int		 tty_event_fd(void);
int		 tty_events(void);

/*
 * userconf.c: the client's config file, $LNSH_CONFIG_DIR/config
 * (docs/files.md): ssh_config-like "Host PATTERN..." blocks matched
 * against the alias with fnmatch(3), first value of an option wins.
 * Options: Session NAME, Predict adaptive|always|never, EscapeKey ^X or
 * none, Timeout SEC, User NAME. Errors name file:line; an unknown keyword
 * is an error with the closest known one as a hint. userconf_for_alias is
 * the attach client's entry point; rpc.c applies Timeout and User.
 */
#define USERCONF_FILE			"config"
#define USERCONF_DEFAULT_SESSION	"main"
#define USERCONF_DEFAULT_ESCAPE		0x1e	/* ^^ */
#define USERCONF_ESCAPE_NONE		(-2)	/* EscapeKey none */
#define USERCONF_PREDICT_ADAPTIVE	0
#define USERCONF_PREDICT_ALWAYS		1
#define USERCONF_PREDICT_NEVER		2
struct userconf;
struct userconf_host {
	char		 session[LN_SESSION_NAME_MAX + 1];
	int		 predict;	/* USERCONF_PREDICT_* */
	int		 escape;	/* the byte, or USERCONF_ESCAPE_NONE */
	uint64_t	 timeout_ms;	/* 0: not set */
	char		 user[LN_USER_NAME_MAX + 1];	/* "": not set */
	/* The line each value came from; 0: the default. */
	unsigned	 session_line, predict_line, escape_line;
	unsigned	 timeout_line, user_line;
};
/* (name for messages, data, len, &out, cause). */
int		 userconf_parse(const char *, const uint8_t *, size_t,
		     struct userconf **, char **);
/* (path, &out, cause): a missing file is an empty config. */
int		 userconf_load(const char *, struct userconf **, char **);
void		 userconf_free(struct userconf *);
/* (config or NULL, alias, &options): defaults, then the matches. */
void		 userconf_match(const struct userconf *, const char *,
		     struct userconf_host *);
int		 userconf_for_alias(const char *, struct userconf_host *,
		     char **);
/* (HOST argument, alias, &timeout ms, &user, cause). */
int		 userconf_rpc(const char *, const char *, uint64_t *, char **,
		     char **);

/*
 * cmd-host.c, cmd-hosts.c: `lnsh host add ALIAS ADDRESS[:PORT] HOSTKEY`,
 * `lnsh host rm ALIAS`, `lnsh hosts`. host_add_checked adds an entry
 * unless it conflicts: the same alias with another key or address, or
 * another alias for the same address with another key, is refused with
 * both fingerprints and what to do (a host key that changed is either a
 * reinstalled server or a man in the middle; only its owner can tell).
 * 0: added; 1: the identical entry was there already; < 0: refused.
 * `lnsh pair` should store its result through it too.
 */
int		 host_add_checked(const char *, const struct host_entry *,
		     char **);
int		 host_check(const char *, const struct host_entry *, char **);
extern const struct cmd_entry cmd_host_entry;
extern const struct cmd_entry cmd_hosts_entry;

/* cmd-pair.c: `lnsh pair ALIAS ADDRESS[:PORT] CODE` (proto/pairing.c). */
#define PAIR_RESEND_MS		500	/* a packet unanswered is sent again */
#define PAIR_NOANSWER_CAUSES	"lnshd is not running there or not on " \
	"that port (run 'lnshd status' there); the code is wrong, expired " \
	"or already used (run 'lnshd pair' there for a new one)"
extern const struct cmd_entry cmd_pair_entry;

/*
 * predict.c: predictive local echo (mosh's), an overlay on the screen the
 * server sent, never written into it. predict_keys with every keystroke
 * sent, predict_acked when the server holds all input, predict_update
 * with every new screen and at predict_deadline, predict_apply to get
 * the screen to draw. docs/attach.md says how confidence works.
 */
#define PREDICT_ADAPTIVE	0	/* = USERCONF_PREDICT_* */
#define PREDICT_ALWAYS		1
#define PREDICT_NEVER		2
struct predict;
struct predict_stats {
	unsigned	 predicted, confirmed;
	unsigned	 wrong;		/* shown, then refuted */
	unsigned	 unechoed;	/* never confirmed: no echo */
	unsigned	 shown;		/* in the last overlay */
};
struct predict	*predict_new(int);
void		 predict_free(struct predict *);
void		 predict_set_srtt(struct predict *, uint64_t);
void		 predict_reset(struct predict *);
void		 predict_keys(struct predict *, const struct fb *,
		     const uint8_t *, size_t, uint64_t);
void		 predict_acked(struct predict *, uint64_t);
void		 predict_update(struct predict *, const struct fb *, uint64_t);
uint64_t	 predict_deadline(const struct predict *);
const struct fb	*predict_apply(struct predict *, const struct fb *, uint64_t);
const struct predict_stats *predict_stats(const struct predict *);

/*
 * attach.c, cmd-attach.c: `lnsh [attach] HOST [NAME]`, the interactive
 * client (docs/attach.md). attach_run returns lnsh's exit code: the
 * session's exit status when its shell ended.
 */
struct attach_opts {
	const char	*host;		/* as given: [USER@]HOST */
	const char	*name;		/* the session */
	int		 create;
	char		**argv;		/* for a session it creates; NULL: */
	size_t		 argc;		/* the login shell */
	int		 predict;	/* PREDICT_* */
	int		 escape;	/* byte, or USERCONF_ESCAPE_NONE */
	int		 hint;		/* --hint: say how to detach */
};
int		 attach_run(const struct attach_opts *);
extern const struct cmd_entry cmd_attach_entry;

#endif /* LNSH_CLIENT_H */
