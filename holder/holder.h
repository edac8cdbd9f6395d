/*
 * holder.h: the session holder (lnsh-holder), prototypes grouped by file;
 * what it shares with lnshd is in server/sessdir.h.
 */
#ifndef LNSH_HOLDER_H
#define LNSH_HOLDER_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "fb.h"

/* emu.c: one session's terminal: libvterm's state layer driving our fb. */
struct emu;
/* Bytes the emulator must send back to the application (DA, DSR/CPR). */
typedef void (*emu_reply_fn)(void *, const uint8_t *, size_t);
struct emu	*emu_new(int, int, size_t, emu_reply_fn, void *);
void		 emu_free(struct emu *);
void		 emu_input(struct emu *, const uint8_t *, size_t);
void		 emu_resize(struct emu *, int, int);
const struct fb	*emu_screen(const struct emu *);
const struct fb	*emu_held(const struct emu *, uint64_t *, uint64_t *);
void		 emu_release(struct emu *);
const char	*emu_title(const struct emu *);
int		 emu_capture(const struct emu *, long, int, char **, size_t *);
const struct scrollback *emu_scrollback(const struct emu *);
#define EMU_FAST_OFF	0	/* every byte through libvterm */
#define EMU_FAST_ON	1	/* the default: long runs of ASCII past it */
#define EMU_FAST_ALWAYS	2	/* any run, however short: for tests */
void		 emu_set_fast(struct emu *, int);
size_t		 emu_pending(const struct emu *, size_t *);
void		 emu_settle(struct emu *);

/*
 * scrollback.c: lines that scrolled off the top, stored compactly; how
 * many by default, SB_DEFAULT_LINES, is in proto/wire.h.
 */
struct scrollback;
struct scrollback *sb_new(size_t);
void		 sb_free(struct scrollback *);
void		 sb_push(struct scrollback *, const struct fb_row *);
void		 sb_settle(struct scrollback *);
size_t		 sb_count(const struct scrollback *);
uint64_t	 sb_total(const struct scrollback *);
size_t		 sb_pending(const struct scrollback *, size_t *);
int		 sb_line(const struct scrollback *, size_t, int,
		     struct fb_text *);
int		 sb_wrapped(const struct scrollback *, size_t);

/*
 * holder-sync.c: in the holder, the server end of SSP for each client
 * lnshd attaches, on the emulator's own screen and scrollback; clients
 * that go without detaching are kept LN_HOLDER_RESUME_SEC for resuming.
 * A connection is an opaque pointer here.
 */
struct hsync;
struct event_base;
struct hsync_ops {
	/* (arg, conn, client id, message): 0, or an error (a loss). */
	int	(*send)(void *, void *, uint32_t, const uint8_t *, size_t);
	/* Keys a client typed, in order, exactly once. */
	void	(*keys)(void *, const uint8_t *, size_t);
	/* The latest client's size. */
	void	(*resize)(void *, int, int);
	/*
	 * (arg, conn, client id, seconds silent): the client was evicted,
	 * silent past SSP_ACTIVE_RETRY_NS, to make room for a new one.
	 */
	void	(*evicted)(void *, void *, uint32_t, unsigned);
};
struct hsync	*hsync_new(struct event_base *, struct emu *,
		     const struct hsync_ops *, void *);
void		 hsync_free(struct hsync *);
unsigned	 hsync_count(const struct hsync *);
int		 hsync_attach(struct hsync *hs, void *conn, uint32_t id,
		     int cols, int rows, const uint8_t *resume, uint8_t *token,
		     int *resumed);
void		 hsync_start_sending(struct hsync *, void *, uint32_t);
void		 hsync_input(struct hsync *, void *, uint32_t,
		     const uint8_t *, size_t);
void		 hsync_detach(struct hsync *, void *, uint32_t, int);
void		 hsync_conn_gone(struct hsync *, void *);
void		 hsync_changed(struct hsync *);

/* pty.c: the session's pty and child. */
struct pty_spec {
	const char	 *user;		/* USER, LOGNAME */
	const char	 *home;		/* HOME and the cwd */
	const char	 *shell;	/* SHELL; a login shell if !argv */
	char *const	 *argv;		/* command instead, or NULL */
	const char	 *term;		/* TERM; NULL: xterm-256color */
	char *const	 *env;		/* K=V; only LANG and LC_* are kept */
	const char	 *session;	/* LNSH_SESSION */
	int		  cols, rows;
};
#define PTY_DEFAULT_TERM	"xterm-256color"
/*
 * The session's PATH, the same everywhere: Homebrew's bin directories
 * (/opt/homebrew/bin on Apple silicon, /usr/local/bin on Intel) first, as
 * Homebrew's own shellenv puts them, then the system's. A directory that
 * does not exist costs a failed lookup, nothing more (docs/lnshd.md).
 */
#define PTY_DEFAULT_PATH	"/opt/homebrew/bin:/usr/local/bin:" \
    "/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"
int		 pty_spawn(const struct pty_spec *, int *, pid_t *, char *,
		     size_t);
int		 pty_resize(int, int, int);

/*
 * holder.c: the session holder process (lnsh-holder): owns the pty, the
 * child, the emulator; serves lnshd on SOCKDIR/NAME.
 */
struct holder_opts {
	const char	 *name;
	const char	 *dir;
	int		  cols, rows;
	long		  scrollback;
	long		  keep_exited;	/* seconds an exited session stays */
	const char	 *term;
	char		**env;		/* K=V */
	char		**argv;		/* NULL: login shell */
	int		  ready_fd;	/* -1, or where to report startup */
};
int		 holder_run(const struct holder_opts *);

#endif /* LNSH_HOLDER_H */
