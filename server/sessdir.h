/*
 * sessdir.h: what lnshd and the session holder share, built into
 * libsessdir.a: the holder protocol's frames, lnshd's end of a holder
 * connection, the socket directory, the sockets, the descriptor budget,
 * the switch to the session's user and the TERM check. Prototypes
 * grouped by file.
 */
#ifndef LNSH_SESSDIR_H
#define LNSH_SESSDIR_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/*
 * holder-wire.c: framing of the holder <-> lnshd protocol (proto/holder.proto).
 * Its version and limits, HOLDER_*, are in proto/wire.h.
 */
int		 hwire_name_ok(const char *);
int		 hwire_frame_size(const uint8_t *, size_t, size_t, size_t *);
/*
 * The typed helpers need protobuf-c's generated types, so they are declared
 * only where proto/holder.pb-c.h was included first (holder.c, holder-conn.c,
 * the wire test); nothing else has to know about protobuf.
 */
#ifdef PROTOBUF_C_holder_2eproto__INCLUDED
int		 hwire_pack_request(const Lnsh__Holder__Request *, uint8_t **,
		     size_t *);
int		 hwire_pack_reply(const Lnsh__Holder__Reply *, uint8_t **,
		     size_t *);
int		 hwire_unpack_request(const uint8_t *, size_t,
		     Lnsh__Holder__Request **);
int		 hwire_unpack_reply(const uint8_t *, size_t,
		     Lnsh__Holder__Reply **);
#endif

/* privdrop.c: become a user for good. */
struct passwd;
int		 privdrop(const struct passwd *, char *, size_t);

/* unixsock.c: every Unix socket address, checked against sun_path. */
struct sockaddr_un;
int		 unixsock_addr(struct sockaddr_un *sun, const char *dir,
		     const char *name, const char *shorten, char *err,
		     size_t errlen);
#define UNIXSOCK_SHORTEN_STATE	"the state dir (lnshd --state-dir DIR, " \
    "or state-dir in lnshd.conf)"
#define UNIXSOCK_SHORTEN_HOLDER	"the state dir (lnshd --state-dir DIR, " \
    "or state-dir in lnshd.conf) or the session name"

/*
 * termcheck.c: is there a terminfo entry for a TERM where the session's
 * programs look; the session falls back to PTY_DEFAULT_TERM when not.
 * The longest name it takes, TERMCHECK_MAX_NAME, is in proto/wire.h.
 */
int		 termcheck_name_ok(const char *);
int		 termcheck_known(const char *, const char *);

/*
 * holder-conn.c: lnshd's side of a holder connection. Everything a holder
 * says is untrusted (it runs as the session's user): replies are bounded
 * and validated before use.
 *
 * holder_conn_open() connects and exchanges Hellos; it refuses a socket or a
 * peer not owned by the given uid, and on failure leaves errno as connect(2)
 * set it (ECONNREFUSED: a stale socket) and a message in its err buffer.
 * Callers ignore SIGPIPE.
 *
 * Blocking use (listing a directory, kill-all): holder_conn_open(), then
 * holder_conn_kill(); each exchange (request and reply) ends by one
 * deadline, HOLDER_IO_TIMEOUT_SEC on the monotonic clock, however the
 * holder trickles its bytes. Event-loop use (lnshd): holder_conn_open_async(),
 * which waits for nothing, or holder_conn_open() and holder_conn_watch() on a
 * libevent base; from then on use only the holder_conn_async_*() calls, whose
 * completion callback runs from the loop, never from inside the call.
 * All return 0 or a negative LN_E_* code; holder_conn_error() then says
 * why in words. A holder that answers with an error gives LN_E_STATE
 * (not possible now) or LN_E_INVAL (refused request).
 */
struct holder_conn;
struct holder_conn_info {
	char		 name[LN_SESSION_NAME_MAX + 1];
	int		 exited;	/* 0 running, 1 exited */
	int		 exit_status;	/* exit code; -1: a signal ended it */
	int		 exit_signal;	/* 0 when it exited by itself */
	uint64_t	 created_ns;	/* wall clock, ns since the epoch */
	uint64_t	 activity_ns;	/* last pty input or output */
	unsigned	 clients;	/* attached to the holder */
	int		 cols, rows;
	long		 pid;		/* the child's pid */
	char		*command;	/* owned; "" when unknown */
	char		*title;		/* owned; "" when none */
};
void		 holder_conn_info_free(struct holder_conn_info *);

int		 holder_conn_open(const char *dir, const char *name,
		     uid_t owner, struct holder_conn **out, char *err,
		     size_t errlen);
void		 holder_conn_close(struct holder_conn *);
const char	*holder_conn_error(const struct holder_conn *);
long		 holder_conn_pid(const struct holder_conn *);
const char	*holder_conn_event_method(const struct holder_conn *);
const char	*holder_conn_term(const struct holder_conn *);
int		 holder_conn_kill(struct holder_conn *);

/* Event-loop use. */
struct event_base;
/*
 * holder_conn_open_async's end: (arg, conn, err, the session's state or
 * NULL).
 */
struct holder_conn;
typedef void (*holder_conn_open_fn)(void *, struct holder_conn *, int,
    const struct holder_conn_info *);
struct holder_conn_ops {
	/* The child exited: its exit status, or -1 and the signal. */
	void	(*exited)(void *, struct holder_conn *, int, int);
	/* The connection is gone (holder exited, or it misbehaved). */
	void	(*closed)(void *, struct holder_conn *, int);
	/*
	 * An SSP message for attached client id (holder_conn_async_attach), to
	 * be sent to it as it is: bytes lnshd does not read.
	 */
	void	(*sync)(void *, struct holder_conn *, uint32_t,
		    const uint8_t *, size_t);
	/* The holder evicted attached client id (it was silent). */
	void	(*evicted)(void *, struct holder_conn *, uint32_t);
};
/*
 * Completion of an async request: err, then for info requests the info,
 * for captures the text (NUL-terminated, len bytes before the NUL); both
 * owned by holder-conn.c and valid only during the callback.
 */
struct holder_conn_result {
	int			 err;
	const struct holder_conn_info *info;
	const char		*text;
	size_t			 len;
	const uint8_t		*token;		/* attach: LN_HOLDER_TOKEN_LEN */
	int			 resumed;	/* attach: a resume worked */
};
typedef void (*holder_conn_done_fn)(void *, struct holder_conn *,
    const struct holder_conn_result *);
int		 holder_conn_open_async(struct event_base *base,
		     const char *dir, const char *name, uid_t owner,
		     const struct holder_conn_ops *ops, void *arg,
		     holder_conn_open_fn done, void *done_arg, char *err,
		     size_t errlen);
size_t		 holder_conn_async_room(const struct holder_conn *);
int		 holder_conn_watch(struct holder_conn *, struct event_base *,
		     const struct holder_conn_ops *, void *);
int		 holder_conn_async_info(struct holder_conn *, int,
		     holder_conn_done_fn, void *);
int		 holder_conn_async_send_keys(struct holder_conn *, const void *,
		     size_t, holder_conn_done_fn, void *);
int		 holder_conn_async_capture(struct holder_conn *, long, int,
		     holder_conn_done_fn, void *);
int		 holder_conn_async_kill(struct holder_conn *,
		     holder_conn_done_fn, void *);
/* (client id, cols, rows, resume token or NULL): reply has the token. */
int		 holder_conn_async_attach(struct holder_conn *c, uint32_t id,
		     int cols, int rows, const uint8_t *resume,
		     holder_conn_done_fn done, void *arg);
/* (client id, SSP message): no reply; LN_E_FULL when the queue is full. */
int		 holder_conn_async_sync(struct holder_conn *, uint32_t,
		     const uint8_t *, size_t);
/* (client id, keep for resuming): no reply. */
int		 holder_conn_async_detach(struct holder_conn *, uint32_t, int);
/* The pending request with this callback and arg will not be heard. */
void		 holder_conn_async_forget(struct holder_conn *,
		     holder_conn_done_fn, void *);
/* The holder protocol version this connection speaks. */
unsigned	 holder_conn_version(const struct holder_conn *);

/* fdlimit.c: lnshd's descriptor limit and the session cap from it. */
unsigned long	 fdlimit_raise(void);
unsigned	 fdlimit_sessions(unsigned long);
void		 fdlimit_restore(void);

/* accept.c: a listener that pauses when descriptors run out. */
struct acceptor {
	struct event	*listen;
	struct event	*resume;
	int		 paused;
	int		 said;
	uint64_t	 said_ns;
	uint64_t	 pauses;
};
#define ACCEPT_PAUSED	(-2)
void		 acceptor_init(struct acceptor *, struct event_base *, int,
		     void (*)(int, short, void *), void *);
void		 acceptor_stop(struct acceptor *);
void		 acceptor_free(struct acceptor *);
int		 acceptor_accept(struct acceptor *, int);

/*
 * sessdir.c: a user's socket directory, the holders in it, and spawning a
 * new one. lnshd finds lnsh-holder at LNSH_HOLDER_PATH, or where the
 * environment variable LNSH_HOLDER says (tests run from the build tree).
 */
struct sessdir_spawn {
	const struct passwd *pw;	/* the session's user */
	const char	 *dir;		/* the user's socket directory */
	const char	 *name;		/* session name */
	char *const	 *argv;		/* command, or NULL: login shell */
	int		  cols, rows;	/* 0: 80x24 */
	long		  scrollback;	/* < 0: the holder's default */
	long		  keep_exited;	/* seconds; <= 0: the holder's default */
	const char	 *term;		/* NULL: PTY_DEFAULT_TERM */
	char *const	 *env;		/* LANG=, LC_*=, or NULL */
	int		  keep_stderr;	/* ours, not a pipe (holderctl) */
};
const char	*sessdir_holder_path(void);
int		 sessdir_holder_check(int, char **);	/* (root mode, cause) */
int		 sessdir_prepare(const char *, char *, size_t);
int		 sessdir_list(const char *, uid_t, char ***, size_t *);
int		 sessdir_names(const char *, char ***, size_t *);
void		 sessdir_free_list(char **, size_t);
int		 sessdir_spawn_start(const struct sessdir_spawn *sp, pid_t *pid,
		     int *ready, int *log, char *err, size_t errlen);
int		 sessdir_spawn_ready(int, char *, size_t);

#endif /* LNSH_SESSDIR_H */
