/*
 * server.h: lnshd, prototypes grouped by file; what it shares with the
 * session holder is in sessdir.h.
 */
#ifndef LNSH_SERVER_H
#define LNSH_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "sessdir.h"

/*
 * install.c: `lnshd install / uninstall / service-status`, and
 * service-os.c (compat/): which service manager this machine runs.
 * LNSH_SBINDIR comes from Makefile.am's AM_CPPFLAGS.
 */
enum service_platform {
	SERVICE_NONE,		/* neither: the user starts lnshd by hand */
	SERVICE_LAUNCHD,	/* macOS: a LaunchDaemon */
	SERVICE_SYSTEMD,	/* Linux: a system unit */
};
struct service_opts {
	enum service_platform	 platform;
	const char		*lnshd_path;	/* absolute; NULL: the built one */
	const char		*root;	/* "" or "/": the live system */
	int			 no_commands;	/* files only (a staging root) */
	int			 no_chown;	/* leave files owned by the caller */
	const char		*tool_root;	/* tests: /bin/launchctl under it */
	int			 polls;		/* tests: 0 is SERVICE_POLLS */
};
/*
 * lnshd install waits for launchd to let go of the old job (install.c):
 * a try every SERVICE_POLL_MS, at most SERVICE_POLLS tries.
 */
#define SERVICE_POLL_MS		100
#define SERVICE_POLLS		100
#include <stdio.h>
int		 service_install(const struct service_opts *, int, FILE *,
		     char **);
int		 service_uninstall(const struct service_opts *, int, FILE *,
		     char **);
int		 service_status(const struct service_opts *, int, FILE *,
		     char **);
int		 service_render(enum service_platform, const char *, char **,
		     char **);
const char	*service_pam(enum service_platform);
const char	*service_default_lnshd(void);
int		 service_platform_parse(const char *, enum service_platform *);
enum service_platform service_os_platform(void);

/*
 * paths.c: lnshd's default locations (docs/files.md); the client's are in
 * client.h. Returned strings are allocated; the caller frees them. In
 * single-user mode $HOME locates the user's files, in root mode the
 * password database does. `single_user` is lnshd's --single-user.
 */
#ifndef LNSH_ROOT_STATE_DIR
#define LNSH_ROOT_STATE_DIR	"/var/lib/lnsh"	/* configure: per OS */
#endif
#ifndef LNSH_SYSCONF_DIR
#define LNSH_SYSCONF_DIR	"/etc/lnsh"
#endif
#define PATHS_AUTHKEYS		"authorized_keys"
#define PATHS_DAEMON_CONFIG	"lnshd.conf"
#define PATHS_HOST_KEY		"host_key"
#define PATHS_CONTROL_SOCKET	"lnshd.sock"
#define PATHS_HOLDERS		"holders"
struct paths_user {
	char		*name;
	uid_t		 uid;
	gid_t		 gid;
	char		*home;
	char		*shell;		/* login shell; /bin/sh if none */
};
/* (single_user, name or NULL, &user, cause); free with paths_user_free. */
int		 paths_user(int, const char *, struct paths_user *, char **);
int		 paths_user_uid(int, uid_t, struct paths_user *, char **);
void		 paths_user_free(struct paths_user *);
char		*paths_user_dir(const struct paths_user *); /* .config/lnsh */
char		*paths_authorized_keys(const struct paths_user *);
/* (single_user, &path, cause): the defaults when no option says. */
int		 paths_state_dir(int, char **, char **);
int		 paths_daemon_config(int, char **, char **);
/* (state_dir): files in it; paths_holder_dir(state_dir, uid). */
char		*paths_host_key(const char *);
char		*paths_control_socket(const char *);
char		*paths_holder_dir(const char *, uid_t);
/*
 * The client's half, declared in client.h too: paths.c includes only
 * this header.
 */
int		 paths_config_dir(char **, char **);
int		 paths_config_file(const char *, char **, char **);

/*
 * authkeys.c: a user's authorized_keys (docs/files.md): one key a line,
 * "lnsh-x25519 BASE64 [comment]", # comments and blank lines. StrictModes
 * as OpenSSH: the whole file is refused when it is not the user's, when
 * group or others can read or write it, or when a directory from the
 * user's home down to it is writable by anyone but the user and root or
 * owned by anyone else. A malformed line is skipped with a warning naming
 * file:line: it admits nothing, and the lines after it still count.
 */
typedef void (*authkeys_warn_fn)(void *, const char *);
struct authkey {
	uint8_t		 key[LN_KEY_LEN];
	char		 comment[LN_KEY_COMMENT_MAX + 1];
	unsigned	 line;
};
struct authkeys {
	struct authkey	*keys;
	size_t		 nkeys;
};
/* (path, home, uid, cause): the directory walk alone. */
int		 authkeys_strict(const char *, const char *, uid_t, char **);
/* (name for messages, data, len, &out, warn, arg): no file checks. */
int		 authkeys_parse(const char *path, const uint8_t *data,
		     size_t len, struct authkeys *out, authkeys_warn_fn fn,
		     void *arg);
/* (path, home, uid, &out, warn, arg, cause): checks, then parses. */
int		 authkeys_load(const char *path, const char *home, uid_t uid,
		     gid_t gid, struct authkeys *out, authkeys_warn_fn fn,
		     void *arg, char **cause);
/* The entry admitting a key or NULL; constant-time compares. */
const struct authkey *authkeys_find(const struct authkeys *,
		     const uint8_t *);
void		 authkeys_free(struct authkeys *);
/*
 * For the channel's authorize callback: 0 admitted; LN_E_DROP(
 * LN_DROP_UNAUTHORIZED) not listed or no file; other: file refused.
 * *cause (log it, with warnings) names the file and key fingerprint.
 */
int		 authkeys_admits(const struct paths_user *, const uint8_t *,
		     authkeys_warn_fn, void *, char **);

/*
 * config.c: lnshd's config file (docs/files.md): "keyword value" lines and
 * # comments. Any error rejects the whole file; *cause then holds every
 * error, one "file:line: what" per line.
 */
enum config_log_level {
	CONFIG_LOG_ERROR,
	CONFIG_LOG_WARN,
	CONFIG_LOG_INFO,
	CONFIG_LOG_DEBUG,
};
struct config_listen {
	char		 host[64];	/* numeric IPv4 or IPv6, no brackets */
	uint16_t	 port;
};
struct config {
	struct config_listen listen[CONFIG_LISTEN_MAX];
	size_t		 nlisten;
	unsigned	 scrollback_lines;
	enum config_log_level log_level;
	unsigned	 max_sessions_per_user;
	unsigned	 max_clients;
	unsigned	 keep_exited_sec;	/* an exited session stays */
	char		*holder_path;	/* NULL: sessdir_holder_path() */
	char		*state_dir;	/* NULL: paths_state_dir() */
};
void		 config_defaults(struct config *);
/* (name for messages, data, len, &out, cause): over the defaults. */
int		 config_parse(const char *, const uint8_t *, size_t,
		     struct config *, char **);
/* (path, missing_ok, &out, cause); free with config_free. */
int		 config_load(const char *, int, struct config *, char **);
void		 config_free(struct config *);
/* (text, &out, &why): also for lnshd --listen. */
int		 config_parse_listen(const char *, struct config_listen *,
		     const char **);
int		 config_log_level_parse(const char *, enum config_log_level *);
const char	*config_log_level_name(enum config_log_level);

/*
 * lnshd: the daemon (docs/lnshd.md). lnshd.c holds main, the subcommand
 * table and what every subcommand shares; each cmd-*.c exports one
 * descriptor. The running daemon is one struct lnshd driven by one libevent
 * loop: listen.c (UDP and the channel), authz.c (who may log in), clients.c
 * (clients and their requests), sessions.c (the holders), status.c (the
 * local control socket), log.c (stderr).
 */
#define LNSHD_EXIT_USAGE	2
#define LNSHD_OPT_LISTEN	0x1	/* the subcommand takes --listen, -v */
#define LNSHD_OPT_DRY_RUN	0x2	/* --dry-run, --platform, --root */
#define LNSHD_OPT_ARGS		0x4	/* other -options go to its argv */
struct lnshd_opts {
	const char	*config;	/* --config, or NULL: the default */
	const char	*listen;	/* --listen ADDR:PORT, or NULL */
	const char	*state_dir;	/* --state-dir, or NULL */
	int		 single_user;	/* --single-user, or not root */
	int		 verbose;	/* -v count */
	int		 dry_run;	/* --dry-run */
	const char	*platform;	/* --platform NAME, or NULL */
	const char	*root;		/* --root DIR: a staging root, or NULL */
};
struct lnshd_cmd {
	const char	*name;
	const char	*usage;		/* arguments after the name */
	unsigned	 options;	/* LNSHD_OPT_* beyond the common ones */
	int		(*exec)(const struct lnshd_opts *, int, char **);
};
extern const struct lnshd_cmd lnshd_run_entry;
extern const struct lnshd_cmd lnshd_pubkey_entry;
extern const struct lnshd_cmd lnshd_status_entry;
extern const struct lnshd_cmd lnshd_kill_all_entry;
extern const struct lnshd_cmd lnshd_install_entry;
extern const struct lnshd_cmd lnshd_uninstall_entry;
extern const struct lnshd_cmd lnshd_service_status_entry;
int		 lnshd_config(const struct lnshd_opts *, struct config *,
		     char **, char **);
int		 lnshd_noargs_config(const struct lnshd_opts *o,
		     const char *verb, int argc, char **argv,
		     struct config *cfg, char **state_dir);
int		 lnshd_host_key(const char *, int, uint8_t *, uint8_t *,
		     char **);
/* (state dir, single user, sk, pk, &fresh: made, not yet written, cause) */
int		 lnshd_host_key_open(const char *state_dir, int single_user,
		     uint8_t *sk, uint8_t *pk, int *fresh, char **cause);
int		 lnshd_host_key_save(const char *, uint8_t *, uint8_t *,
		     int *, char **);
char		*lnshd_first_missing(const char *);
void		 lnshd_unmake_dirs(const char *, const char *);
typedef int (*lnshd_service_fn)(const struct service_opts *, int, FILE *,
    char **);
int		 lnshd_service(const struct lnshd_opts *, int, char **,
		     const char *, lnshd_service_fn);

struct event;
struct listen_sock;
struct session;
struct client;
struct spawning;
struct status_srv;
struct lnshd {
	struct event_base	*base;
	struct config		 cfg;
	int			 single_user;
	char			*state_dir;
	uint8_t			 host_sk[LN_KEY_LEN];
	uint8_t			 host_pk[LN_KEY_LEN];
	uint64_t		 started_ns;	/* monotonic */

	struct chan_server	*cs;		/* listen.c */
	struct stamps		*stamps;	/* stamps.c */
	struct listen_sock	*socks;
	size_t			 nsocks;
	struct event		*tick_ev;
	struct event		*flush_ev;	/* clients.c: queued replies */

	struct client		*clients;	/* clients.c */
	unsigned		 nclients;
	struct client		*flushq;	/* clients.c: with replies queued */
	unsigned long long	 evicted;	/* clients.c: at max-clients */
	unsigned long long	 closed;	/* clients.c: CloseRequests */
	uint64_t		 requests;
	uint64_t		 rpc_busy;	/* replies turned BUSY */
	uint64_t		 rpc_dropped;	/* replies dropped: no room */
	uint64_t		 relay_dropped;	/* SSP messages not relayed */


	struct session		*sessions;	/* sessions.c */
	unsigned		 nsessions;
	struct session		*adopting_list;	/* holders not yet answered */
	struct spawning		*spawning;	/* sessions being started */
	unsigned		 adopting, adopted;
	int			 adopt_started;
	void			(*adopt_done)(struct lnshd *, unsigned);
	unsigned		 max_sessions;	/* from the descriptor limit */
	unsigned long		 nofile;	/* soft RLIMIT_NOFILE */
	struct event		*child_ev;

	struct status_srv	*status;	/* status.c */
};

/*
 * account.c: the account policy of a root-mode login (/etc/shells, shadow
 * expiry and lock, PAM's account stack), checked in a child.
 */
struct account_check;
/* (arg, allowed, one-line reason when refused). */
typedef void	(*account_done_fn)(void *, int, const char *);
int		 account_verdict(const struct paths_user *, const char *,
		     char *, size_t);
int		 account_check_start(struct event_base *base,
		     const struct paths_user *u, const char *rhost,
		     account_done_fn fn, void *arg, struct account_check **out,
		     char **cause);
void		 account_check_cancel(struct account_check *);

/* stamps.c: the last accepted initiation timestamp per client key. */
struct stamps;
struct stamps	*stamps_open(const char *);
void		 stamps_close(struct stamps *);
uint64_t	 stamps_get(struct stamps *, const uint8_t *);
void		 stamps_put(struct stamps *, const uint8_t *, uint64_t);
int		 stamps_ok(const struct stamps *);

/* log.c: levelled lines on stderr. */
void		 log_init(enum config_log_level);
int		 log_enabled(enum config_log_level);
void		 log_error(const char *, ...)
		     __attribute__((__format__(__printf__, 1, 2)));
void		 log_warn(const char *, ...)
		     __attribute__((__format__(__printf__, 1, 2)));
void		 log_info(const char *, ...)
		     __attribute__((__format__(__printf__, 1, 2)));
void		 log_debug(const char *, ...)
		     __attribute__((__format__(__printf__, 1, 2)));
const char	*log_addr(const struct chan_addr *, char *, size_t);

/* listen.c: the UDP sockets and the channel server on them. */
#define LISTEN_ADDR_MAX		80	/* "[v6]:port" */
int		 listen_open(struct lnshd *, const struct config_listen *,
		     size_t, char **);
void		 listen_close(struct lnshd *);
void		 listen_kick(struct lnshd *);
size_t		 listen_count(const struct lnshd *);
const char	*listen_name(const struct lnshd *, size_t);

/* authz.c: the channel's authorize callback. */
int		 authz_authorize(void *, const uint8_t *, const char *);
int		 authz_user(const struct lnshd *, const char *,
		     struct paths_user *, char **);

/* clients.c: clients and the scripting verbs' requests (proto/rpc.proto). */
void		 clients_init(struct lnshd *);
void		 clients_free(struct lnshd *);
void		 client_connect(void *, struct chan_peer *);
int		 client_admit(void *, const uint8_t *, uint64_t);
void		 client_disconnect(void *, struct chan_peer *);
void		 client_moved(void *, struct chan_peer *, int);
void		 client_message(void *, struct chan_peer *, const uint8_t *,
		     size_t, int);
void		 clients_flush(struct lnshd *);
void		 clients_describe(const struct lnshd *, FILE *);
/* (client, session name, exit code, signal): an unasked SessionEnded. */
void		 client_ended(struct client *, const char *, int, int);
void		 clients_session_ended(struct lnshd *, struct session *);
void		 clients_adopt_settled(struct lnshd *);
struct attach;
void		 client_evicted(struct client *, struct attach *);

/* holderlog.c: a spawned holder's stderr, in lnshd's log. */
void		 holderlog_start(struct event_base *, int, const char *,
		     uid_t);
void		 holderlog_stop_all(void);

/* lost.c: sessions whose holder went away without a word, listed as gone. */
struct lost;
void		 lost_record(struct lnshd *, uid_t, const char *, long);
void		 lost_found_dead(struct lnshd *, uid_t, const char *);
void		 lost_reaped(long, int);
const char	*lost_find(const struct lnshd *, uid_t, const char *);
int		 lost_forget(uid_t, const char *);
const struct lost *lost_next(const struct lnshd *, uid_t, const struct lost *,
		     const char **, const char **);
unsigned	 lost_count_user(const struct lnshd *, uid_t);
void		 lost_describe(FILE *);
void		 lost_free(void);

/* sessions.c: the registry of holders lnshd serves. */
struct session_new {
	const char	 *name;
	char *const	 *argv;		/* NULL: the login shell */
	const char	 *term;		/* NULL: PTY_DEFAULT_TERM */
	char *const	 *env;		/* LANG=, LC_*= */
	int		  cols, rows;
};
int		 sessions_init(struct lnshd *, char **);
void		 sessions_free(struct lnshd *);
void		 sessions_adopt(struct lnshd *,
		     void (*)(struct lnshd *, unsigned));
struct session	*sessions_find(struct lnshd *, uid_t, const char *);
void		 sessions_remove(struct lnshd *, struct session *);
struct session	*sessions_next(struct lnshd *, struct session *);
unsigned	 sessions_count_user(struct lnshd *, uid_t);
/* sessions_spawn's end: (arg, the session or NULL, error, why). */
typedef void	(*session_spawned_fn)(void *, struct session *, int,
		    const char *);
int		 sessions_spawn(struct lnshd *d, const struct paths_user *u,
		     const struct session_new *sn, session_spawned_fn done,
		     void *arg, char **cause);
struct holder_conn *session_conn(const struct session *);
const char	*session_name(const struct session *);
uid_t		 session_uid(const struct session *);
int		 session_exited(const struct session *);
int		 session_exit_status(const struct session *, int *, int *);
void		 session_forget(struct session *);
void		 sessions_describe(struct lnshd *, FILE *);
struct attach_sess *session_attached(const struct session *);
void		 session_set_attached(struct session *, struct attach_sess *);
int		 sessions_kill_all_dirs(const char *, int, FILE *);

/*
 * attach.c: connections attached to sessions (AttachRequest). lnshd
 * relays their SSP messages to and from the session's holder, which runs
 * the SSP server (holder/holder-sync.c). clients.c starts and stops attaches and
 * hands on unreliable messages; sessions.c hands on the holder's SSP
 * messages, the shell's exit and the holder's going.
 */
struct attach;
struct attach_sess;
/* (arg, attach or NULL if stopped first, err, cause, token, resumed) */
typedef void (*attach_ready_fn)(void *, struct attach *, int, const char *,
    const uint8_t *, int);
struct attach	*attach_start(struct lnshd *d, struct client *c,
		     struct chan_peer *peer, unsigned id, struct session *s,
		     int cols, int rows, const uint8_t *resume,
		     attach_ready_fn ready, void *ready_arg,
		     const char **cause);
void		 attach_stop(struct attach *, int);
void		 attach_input(struct attach *, const uint8_t *, size_t);
void		 attach_session_sync(struct session *, uint32_t,
		     const uint8_t *, size_t);
void		 attach_session_exited(struct session *, int, int);
void		 attach_session_evicted(struct session *, uint32_t);
void		 attach_session_closed(struct session *);

/* status.c: the local control socket (lnshd status, lnshd kill-all). */
#define STATUS_MAX_REQUEST	64
int		 status_open(struct lnshd *, char **);
void		 status_close(struct lnshd *);
int		 status_query(const char *, const char *, FILE *, char **);

/*
 * authkeys.c (last use), cmd-authorize.c, cmd-authorized.c, cmd-revoke.c:
 * `lnshd authorize KEY`, `authorized`, `revoke KEY|COMMENT`, each with
 * [--user NAME] (root mode: required; single-user mode: only oneself).
 * authkeys_note_use records when a key completed a handshake, in
 * STATE_DIR/lastuse/UID (docs/files.md); times are seconds since the epoch.
 * authkeys_as_user runs fn as the user (a privdropped child when root) and
 * returns its exit code; authkeys_as_user_start starts that child without
 * waiting for it.
 */
int		 authkeys_note_use(const char *, uid_t, const uint8_t *,
		     int64_t, char **);
int		 authkeys_last_use(const char *, uid_t, const uint8_t *,
		     int64_t *);
typedef int (*authkeys_user_fn)(const struct paths_user *, void *);
int		 authkeys_as_user(const struct paths_user *, authkeys_user_fn,
		     void *);
/* (user, fn, arg, &pid, &fd, &cause): fn's exit code comes as a byte. */
int		 authkeys_as_user_start(const struct paths_user *u,
		     authkeys_user_fn fn, void *arg, pid_t *pidp, int *fdp,
		     char **cause);
/* (user, key, comment, warn, arg, &line, &cause); run it as the user. */
int		 authkeys_add(const struct paths_user *u, const uint8_t *key,
		     const char *comment, authkeys_warn_fn fn, void *arg,
		     unsigned *line, char **cause);
/* (verb, opts, argc, argv, &user, &comment or NULL, &positionals): */
int		 authkeys_cmd_args(const char *verb, const struct lnshd_opts *o,
		     int argc, char **argv, struct paths_user *u,
		     const char **comment, int *npos);
extern const struct lnshd_cmd lnshd_authorize_entry;
extern const struct lnshd_cmd lnshd_authorized_entry;
extern const struct lnshd_cmd lnshd_revoke_entry;

/*
 * pair.c: pairing codes (hashed, in STATE/pairing/UID) and the server side
 * of pairing; cmd-pair.c is `lnshd pair`. listen.c hands it every datagram
 * whose type is a pairing one.
 */
struct pair_code {
	uint8_t		 psk[LN_KEY_LEN];
	uint8_t		 mkey[LN_KEY_LEN];
	uint64_t	 expires;	/* wall clock, seconds since the epoch */
	int		 used;
	uid_t		 uid;
};
typedef void (*pair_send_fn)(void *, const struct chan_addr *,
    const uint8_t *, size_t);
extern const struct lnshd_cmd lnshd_pair_entry;
char		*pair_dir(const char *);
int		 pair_dir_prepare(const char *, int, char **);
int		 pair_codes_load(const char *state_dir, uid_t uid,
		     struct pair_code *codes, size_t max, size_t *n,
		     char **cause);
int		 pair_codes_save(const char *state_dir, uid_t uid,
		     const struct pair_code *codes, size_t n, uint64_t wall_sec,
		     char **cause);
int		 pair_code_store(const char *state_dir, uid_t uid,
		     const uint8_t *psk, uint64_t wall_sec, uint64_t ttl_sec,
		     char **cause);
void		 pair_open(struct lnshd *);
void		 pair_close(struct lnshd *);
void		 pair_input(struct lnshd *d, const uint8_t *pkt, size_t len,
		     const struct chan_addr *from, uint64_t now,
		     pair_send_fn send);
const struct ln_counters *pair_counters(void);

#endif /* LNSH_SERVER_H */
