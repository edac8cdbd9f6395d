/*
 * sessions.c: the sessions lnshd serves, one per live holder. The holders'
 * sockets are the registry that outlives lnshd (sessdir.c); this file is
 * lnshd's view of it: one watched connection per holder, opened when lnshd
 * spawns a holder or, at startup, adopts the holders a previous lnshd left
 * running. A holder that goes away (killed, or exited and listed) closes
 * its connection and leaves the registry.
 *
 * Sockets live in STATE/holders/UID, one directory per user, mode 0700 and
 * owned by that user, so that a holder running as the user can create its
 * socket there and nobody else can reach it. STATE/holders is 0711 in root
 * mode: users may pass through it but not list it.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "server.h"

struct session {
	struct lnshd		*d;
	uid_t			 uid;
	char			 name[LN_SESSION_NAME_MAX + 1];
	struct holder_conn	*hc;
	long			 holder_pid;
	int			 exited;
	int			 exit_status;	/* -1 when a signal ended it */
	int			 exit_signal;
	int			 forgotten;	/* exited, seen: going */
	struct attach_sess	*attach;	/* attach.c: clients */
	struct session		*next;
};

/*
 * A session being started: its holder spawned, not yet listening (ev on the
 * ready pipe), then being opened (holder_conn_open_async). It holds its name:
 * a second new of the same name is refused meanwhile, and it counts
 * toward the user's limit.
 */
struct spawning {
	struct lnshd		*d;
	uid_t			 uid;
	char			 name[LN_SESSION_NAME_MAX + 1];
	char			*uname;		/* for the log */
	char			*dir;
	pid_t			 pid;
	int			 fd;		/* the ready pipe, or -1 */
	struct event		*ev;
	struct session		*s;		/* being opened */
	session_spawned_fn	 done;
	void			*arg;
	struct spawning		*next;
};

static void	sessions_spawn_end(struct spawning *, struct session *, int,
	    const char *);

/* The holders directory: STATE/holders. */
static char *
sessions_root(const struct lnshd *d)
{
	size_t	 n = strlen(d->state_dir) + sizeof "/" PATHS_HOLDERS;
	char	*s;

	s = xmalloc(n);
	snprintf(s, n, "%s/%s", d->state_dir, PATHS_HOLDERS);
	return (s);
}

/*
 * Makes a directory with a mode and owner, or checks an existing one has
 * them. Anything else is refused: a directory someone else controls could
 * hand lnshd a socket of theirs.
 */
static int
sessions_mkdir(const char *path, mode_t mode, uid_t uid, gid_t gid,
    char **cause)
{
	struct stat	st;
	int		made;

	made = mkdir(path, mode) == 0;
	if (!made && errno != EEXIST) {
		ln_cause(cause, "cannot create %s: %s%s", path,
		    strerror(errno), ln_fs_hint(errno));
		return (LN_E_SYSTEM);
	}
	if (made && (chmod(path, mode) == -1 ||
	    (geteuid() == 0 && chown(path, uid, gid) == -1))) {
		ln_cause(cause, "%s: %s", path, strerror(errno));
		return (LN_E_SYSTEM);
	}
	if (lstat(path, &st) == -1) {
		ln_cause(cause, "%s: %s", path, strerror(errno));
		return (LN_E_SYSTEM);
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != uid ||
	    (st.st_mode & 07777) != mode) {
		ln_cause(cause, "%s must be a directory owned by uid %lu with "
		    "mode %04o (it is uid %lu, mode %04o): fix or remove it",
		    path, (unsigned long)uid, (unsigned)mode,
		    (unsigned long)st.st_uid, (unsigned)(st.st_mode & 07777));
		return (LN_E_INVAL);
	}
	return (0);
}

/* A user's socket directory, created for them if need be. */
static int
sessions_userdir(struct lnshd *d, uid_t uid, gid_t gid, char **dir,
    char **cause)
{
	char	*path;
	int	 r;

	path = paths_holder_dir(d->state_dir, uid);
	if ((r = sessions_mkdir(path, 0700, uid, gid, cause)) != 0) {
		free(path);
		return (r);
	}
	*dir = path;
	return (0);
}

/* Reaps holders we spawned; adopted ones are not our children. */
static void
sessions_child_cb(int sig, short what, void *arg)
{
	pid_t	pid;
	int	status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		log_debug("holder process %ld ended", (long)pid);
		lost_reaped((long)pid, status);
	}
}

/* Makes STATE/holders and starts reaping children. */
int
sessions_init(struct lnshd *d, char **cause)
{
	char	*root;
	int	 r;

	root = sessions_root(d);
	r = sessions_mkdir(root, d->single_user ? 0700 : 0711, geteuid(),
	    getegid(), cause);
	free(root);
	if (r != 0)
		return (r);
	d->child_ev = evsignal_new(d->base, SIGCHLD, sessions_child_cb, d);
	evsignal_add(d->child_ev, NULL);
	return (0);
}

/*
 * Unlinks and frees one session; its holder keeps running unless it was
 * killed. Safe from the session's own holder callbacks (holder_conn_close
 * defers), after which that connection says nothing more.
 */
void
sessions_remove(struct lnshd *d, struct session *s)
{
	struct session	**sp;

	for (sp = &d->sessions; *sp != NULL; sp = &(*sp)->next) {
		if (*sp == s) {
			*sp = s->next;
			d->nsessions--;
			break;
		}
	}
	if (s->attach != NULL)
		attach_session_closed(s);
	holder_conn_close(s->hc);
	free(s);
}

/* Forgets every session, leaving every holder running (SIGTERM). */
void
sessions_free(struct lnshd *d)
{
	struct session	*s;

	while (d->sessions != NULL)
		sessions_remove(d, d->sessions);
	while ((s = d->adopting_list) != NULL) {
		d->adopting_list = s->next;
		holder_conn_close(s->hc);
		free(s);
	}
	holderlog_stop_all();
	/*
	 * Starts under way: their holders run on, as every holder does; their
	 * requesters are told with no cause (nothing is sent any more).
	 */
	while (d->spawning != NULL) {
		d->spawning->pid = 0;
		free(d->spawning->s);
		d->spawning->s = NULL;
		sessions_spawn_end(d->spawning, NULL, LN_E_SYSTEM, NULL);
	}
	if (d->child_ev != NULL)
		event_free(d->child_ev);
	d->child_ev = NULL;
	lost_free();
}

/* ops->exited: the session's command ended; the holder keeps its state. */
static void
sessions_exited_cb(void *arg, struct holder_conn *hc, int status, int sig)
{
	struct session	*s = arg;

	s->exited = 1;
	s->exit_status = status;
	s->exit_signal = sig;
	if (sig != 0)
		log_info("session %s (uid %lu) exited on signal %d", s->name,
		    (unsigned long)s->uid, sig);
	else
		log_info("session %s (uid %lu) exited with status %d",
		    s->name, (unsigned long)s->uid, status);
	attach_session_exited(s, status, sig);
	clients_session_ended(s->d, s);
}

/* ops->sync: an SSP message for one of the session's attached clients. */
static void
sessions_sync_cb(void *arg, struct holder_conn *hc, uint32_t id,
    const uint8_t *p, size_t len)
{
	attach_session_sync(arg, id, p, len);
}

/* ops->closed: the holder is gone (killed, forgotten or expired). */
static void
sessions_closed_cb(void *arg, struct holder_conn *hc, int err)
{
	struct session	*s = arg;

	log_info("session %s (uid %lu) ended: %s", s->name,
	    (unsigned long)s->uid, holder_conn_error(hc));
	/* Running, and no word from its holder: listed as gone (lost.c). */
	if (!s->exited && !s->forgotten)
		lost_record(s->d, s->uid, s->name, s->holder_pid);
	clients_session_ended(s->d, s);
	sessions_remove(s->d, s);
}

/* ops->evicted: the holder made room by evicting a silent client. */
static void
sessions_evicted_cb(void *arg, struct holder_conn *hc, uint32_t id)
{
	attach_session_evicted(arg, id);
}

static const struct holder_conn_ops sessions_ops = {
	.exited = sessions_exited_cb,
	.closed = sessions_closed_cb,
	.sync = sessions_sync_cb,
	.evicted = sessions_evicted_cb,
};

/*
 * Takes a session out of the list of those being adopted; 0 if it was not
 * in it.
 */
static int
sessions_unadopting(struct lnshd *d, struct session *s)
{
	struct session	**sp;

	for (sp = &d->adopting_list; *sp != NULL; sp = &(*sp)->next) {
		if (*sp == s) {
			*sp = s->next;
			return (1);
		}
	}
	return (0);
}

/*
 * Adoption is over (every holder answered, failed or ran out of time):
 * says so, with how many sessions lnshd serves again.
 */
static void
sessions_adopt_settled(struct lnshd *d)
{
	if (d->adopting != 0 || !d->adopt_started)
		return;
	if (d->adopt_done != NULL) {
		d->adopt_done(d, d->adopted);
		d->adopt_done = NULL;
	}
	clients_adopt_settled(d);	/* requests that waited for it */
}

/* holder_conn_open_async's end for an adopted holder. */
static void
sessions_adopt_cb(void *arg, struct holder_conn *hc, int err,
    const struct holder_conn_info *info)
{
	struct session	*s = arg;
	struct lnshd	*d = s->d;

	if (!sessions_unadopting(d, s))
		return;
	d->adopting--;
	if (err != 0) {
		log_warn("cannot adopt session %s (uid %lu): %s", s->name,
		    (unsigned long)s->uid, holder_conn_error(hc));
		free(s);
	} else if (sessions_find(d, s->uid, s->name) != NULL) {
		/* Made anew meanwhile? Never two of one name. */
		holder_conn_close(hc);
		free(s);
	} else {
		s->hc = hc;
		s->holder_pid = holder_conn_pid(hc);
		s->exited = info->exited;
		s->exit_status = info->exit_status;
		s->exit_signal = info->exit_signal;
		s->next = d->sessions;
		d->sessions = s;
		d->nsessions++;
		d->adopted++;
		if (holder_conn_version(hc) != HOLDER_PROTO_VERSION)
			log_warn("adopted session %s (uid %lu), whose holder "
			    "speaks holder protocol %u: an older lnshd started "
			    "it; it can be listed, captured, sent to and "
			    "killed, not attached to", s->name,
			    (unsigned long)s->uid, holder_conn_version(hc));
		else
			log_info("adopted session %s (uid %lu)", s->name,
			    (unsigned long)s->uid);
	}
	sessions_adopt_settled(d);
}

/*
 * Starts adopting the holders in one user's directory. Nothing waits:
 * each holder is asked its Hello and state from the event loop, under one
 * deadline, so a socket that trickles its answer (its user's to make)
 * holds up no one else. A socket nobody listens on any more is removed.
 */
static void
sessions_adopt_dir(struct lnshd *d, const char *dir, uid_t uid)
{
	struct session	*s;
	char		**names, err[512], path[1024];
	size_t		  n, i;

	if (sessdir_names(dir, &names, &n) != 0) {
		log_warn("cannot list %s: %s", dir, strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		if (sessions_find(d, uid, names[i]) != NULL)
			continue;
		s = xcalloc(1, sizeof *s);
		s->d = d;
		s->uid = uid;
		snprintf(s->name, sizeof s->name, "%s", names[i]);
		if (holder_conn_open_async(d->base, dir, names[i], uid,
		    &sessions_ops, s, sessions_adopt_cb, s, err,
		    sizeof err) != 0) {
			if (errno == ECONNREFUSED) {
				snprintf(path, sizeof path, "%s/%s", dir,
				    names[i]);
				unlink(path);
				lost_found_dead(d, uid, names[i]);
			} else
				log_warn("cannot adopt session %s in %s: %s",
				    names[i], dir, err);
			free(s);
			continue;
		}
		/* Held here until it answers; s->hc is set then. */
		s->next = d->adopting_list;
		d->adopting_list = s;
		d->adopting++;
	}
	sessdir_free_list(names, n);
}

/*
 * At startup: finds the holders a previous lnshd left running and starts
 * serving them again, without waiting: done(d, adopted) runs from the
 * loop once every one answered or failed (at once if there were none).
 */
void
sessions_adopt(struct lnshd *d, void (*done)(struct lnshd *, unsigned))
{
	DIR		*dp;
	struct dirent	*de;
	char		*root, *dir, *end;
	unsigned long	 uid;

	d->adopt_done = done;
	if (d->single_user) {
		dir = paths_holder_dir(d->state_dir, geteuid());
		sessions_adopt_dir(d, dir, geteuid());
		free(dir);
		goto out;
	}
	root = sessions_root(d);
	if ((dp = opendir(root)) == NULL) {
		log_warn("cannot read %s: %s", root, strerror(errno));
		free(root);
		goto out;
	}
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		errno = 0;
		uid = strtoul(de->d_name, &end, 10);
		if (errno != 0 || *end != '\0' || uid != (uid_t)uid)
			continue;
		dir = paths_holder_dir(d->state_dir, (uid_t)uid);
		sessions_adopt_dir(d, dir, (uid_t)uid);
		free(dir);
	}
	closedir(dp);
	free(root);
out:
	d->adopt_started = 1;
	sessions_adopt_settled(d);
}

/* A user's session by name, or NULL. */
struct session *
sessions_find(struct lnshd *d, uid_t uid, const char *name)
{
	struct session	*s;

	for (s = d->sessions; s != NULL; s = s->next)
		if (s->uid == uid && !s->forgotten &&
		    strcmp(s->name, name) == 0)
			return (s);
	return (NULL);
}

/*
 * Iterates the registry: NULL gives the first session. Sessions being
 * forgotten (session_forget) are skipped: nobody sees them again.
 */
struct session *
sessions_next(struct lnshd *d, struct session *s)
{
	s = s == NULL ? d->sessions : s->next;
	while (s != NULL && s->forgotten)
		s = s->next;
	return (s);
}

/* The holder has left at session_forget's request: drop the session. */
static void
sessions_forget_done(void *arg, struct holder_conn *hc,
    const struct holder_conn_result *res)
{
	struct session	*s = arg;

	/* On an error the connection closes and sessions_closed_cb runs. */
	if (res->err == 0)
		sessions_remove(s->d, s);
}

/*
 * An exited session whose last screen and status a client has now seen:
 * the holder is told to leave (a Kill, which an exited holder answers by
 * going) and, from now on, nobody finds or lists the session.
 */
void
session_forget(struct session *s)
{
	if (!s->exited || s->forgotten)
		return;
	s->forgotten = 1;
	log_info("session %s (uid %lu): its end was shown to a client; "
	    "forgetting it", s->name, (unsigned long)s->uid);
	if (holder_conn_async_kill(s->hc, sessions_forget_done, s) != 0)
		log_warn("session %s: %s", s->name, holder_conn_error(s->hc));
}

unsigned
sessions_count_user(struct lnshd *d, uid_t uid)
{
	struct session	*s;
	unsigned	 n = 0;

	for (s = d->sessions; s != NULL; s = s->next)
		if (s->uid == uid && !s->forgotten)
			n++;
	return (n);
}

/* Is a session of this name being started? */
static int
sessions_spawning(const struct lnshd *d, uid_t uid, const char *name)
{
	const struct spawning	*sp;

	for (sp = d->spawning; sp != NULL; sp = sp->next)
		if (sp->uid == uid && strcmp(sp->name, name) == 0)
			return (1);
	return (0);
}

/* Sessions of one user being started. */
static unsigned
sessions_spawning_user(const struct lnshd *d, uid_t uid)
{
	const struct spawning	*sp;
	unsigned		 n = 0;

	for (sp = d->spawning; sp != NULL; sp = sp->next)
		if (sp->uid == uid)
			n++;
	return (n);
}

/* Sessions being started, of every user. */
static unsigned
sessions_spawning_all(const struct lnshd *d)
{
	const struct spawning	*sp;
	unsigned		 n = 0;

	for (sp = d->spawning; sp != NULL; sp = sp->next)
		n++;
	return (n);
}

/* Ends a start: out of the list, done told, everything freed. */
static void
sessions_spawn_end(struct spawning *sp, struct session *s, int err,
    const char *cause)
{
	struct spawning	**spp;

	for (spp = &sp->d->spawning; *spp != NULL; spp = &(*spp)->next) {
		if (*spp == sp) {
			*spp = sp->next;
			break;
		}
	}
	if (sp->ev != NULL)
		event_free(sp->ev);
	if (sp->fd != -1)
		close(sp->fd);
	if (err != 0 && sp->pid > 0)
		kill(sp->pid, SIGKILL);	/* SIGCHLD reaps it */
	if (sp->done != NULL)
		sp->done(sp->arg, s, err, cause);
	free(sp->uname);
	free(sp->dir);
	free(sp);
}

/* holder_conn_open_async's end for a new holder: the session is served. */
static void
sessions_spawn_open_cb(void *arg, struct holder_conn *hc, int err,
    const struct holder_conn_info *info)
{
	struct spawning	*sp = arg;
	struct session	*s = sp->s;
	struct lnshd	*d = sp->d;

	sp->s = NULL;
	if (err != 0) {
		free(s);
		sessions_spawn_end(sp, NULL, err, holder_conn_error(hc));
		return;
	}
	if (sessions_find(d, s->uid, s->name) != NULL) {
		/* Adopted meanwhile? Never two of one name. */
		holder_conn_close(hc);
		free(s);
		sessions_spawn_end(sp, NULL, LN_E_STATE, "the session "
		    "appeared while it was being started");
		return;
	}
	s->hc = hc;
	s->holder_pid = holder_conn_pid(hc);
	s->exited = info->exited;
	s->exit_status = info->exit_status;
	s->exit_signal = info->exit_signal;
	s->next = d->sessions;
	d->sessions = s;
	d->nsessions++;
	(void)lost_forget(s->uid, s->name);	/* the name is used again */
	/* The holder's libevent method: "select" is what a Mac must show. */
	log_info("new session %s for %s, holder pid %ld, event loop on %s",
	    s->name, sp->uname, (long)sp->pid, holder_conn_event_method(hc));
	sp->pid = 0;
	sessions_spawn_end(sp, s, 0, NULL);
}

/*
 * The new holder's ready pipe became readable, or its time ran out: on
 * "ok" the holder listens, and is opened from the loop.
 */
static void
sessions_spawn_ready_cb(int fd, short what, void *arg)
{
	struct spawning	*sp = arg;
	char		 err[512];
	int		 r;

	if ((what & EV_READ) == 0) {
		sessions_spawn_end(sp, NULL, LN_E_SYSTEM, "the holder did not "
		    "start in time");
		return;
	}
	if ((r = sessdir_spawn_ready(fd, err, sizeof err)) != 0) {
		sessions_spawn_end(sp, NULL, r, err);
		return;
	}
	event_free(sp->ev);
	sp->ev = NULL;
	close(sp->fd);
	sp->fd = -1;
	sp->s = xcalloc(1, sizeof *sp->s);
	sp->s->d = sp->d;
	sp->s->uid = sp->uid;
	snprintf(sp->s->name, sizeof sp->s->name, "%s", sp->name);
	if ((r = holder_conn_open_async(sp->d->base, sp->dir, sp->name, sp->uid,
	    &sessions_ops, sp->s, sessions_spawn_open_cb, sp, err,
	    sizeof err)) != 0) {
		free(sp->s);
		sp->s = NULL;
		sessions_spawn_end(sp, NULL, r, err);
	}
}

/*
 * Starts a session for a user: a holder spawned (privileges dropped to the
 * user, lnsh-holder exec'd), then connected and watched. Nothing waits:
 * the holder's ready line and its Hello and Info are events, each under
 * HOLDER_IO_TIMEOUT_SEC, so a holder that never says ready (its user can
 * stop it) holds up no one else. done(arg, session, 0, NULL) or done(arg,
 * NULL, error, why) runs from the loop, never from here. An error
 * returned here means done never runs: LN_E_STATE, a session of that
 * name exists or is being started; LN_E_FULL, the user is at the limit.
 */
int
sessions_spawn(struct lnshd *d, const struct paths_user *u,
    const struct session_new *sn, session_spawned_fn done, void *arg,
    char **cause)
{
	struct sessdir_spawn	 ss;
	struct spawning		*sp;
	struct passwd		*pw;
	struct timeval		 tv = { HOLDER_IO_TIMEOUT_SEC, 0 };
	const char		*why;
	char			*dir = NULL, err[512];
	pid_t			 pid;
	int			 r, fd, logfd;

	if (ln_session_name_check(sn->name, &why) != 0) {
		ln_cause(cause, "bad session name: %s", why);
		return (LN_E_INVAL);
	}
	if (sessions_find(d, u->uid, sn->name) != NULL) {
		ln_cause(cause, "session %s already exists", sn->name);
		return (LN_E_STATE);
	}
	if (sessions_spawning(d, u->uid, sn->name)) {
		ln_cause(cause, "session %s already exists (it is starting)",
		    sn->name);
		return (LN_E_STATE);
	}
	if (d->max_sessions > 0 &&
	    d->nsessions + sessions_spawning_all(d) >= d->max_sessions) {
		ln_cause(cause, "lnshd serves %u sessions, the most its "
		    "descriptor limit allows (%lu open files): kill a session, "
		    "or raise lnshd's RLIMIT_NOFILE (LimitNOFILE= in its "
		    "systemd unit, ulimit -n)", d->nsessions, d->nofile);
		return (LN_E_FULL);
	}
	if (d->cfg.max_sessions_per_user > 0 &&
	    sessions_count_user(d, u->uid) + sessions_spawning_user(d, u->uid)
	    >= d->cfg.max_sessions_per_user) {
		ln_cause(cause, "%s has %u sessions, the most this lnshd "
		    "allows: end one with 'lnsh kill' (exited ones count "
		    "until killed), or raise max-sessions-per-user in "
		    "lnshd.conf and restart lnshd", u->name,
		    d->cfg.max_sessions_per_user);
		return (LN_E_FULL);
	}
	if ((pw = getpwuid(u->uid)) == NULL) {
		ln_cause(cause, "uid %lu has no password entry",
		    (unsigned long)u->uid);
		return (LN_E_INVAL);
	}
	if ((r = sessions_userdir(d, u->uid, u->gid, &dir, cause)) != 0)
		return (r);
	memset(&ss, 0, sizeof ss);
	ss.pw = pw;
	ss.dir = dir;
	ss.name = sn->name;
	ss.argv = sn->argv;
	ss.cols = sn->cols;
	ss.rows = sn->rows;
	ss.scrollback = d->cfg.scrollback_lines;
	ss.keep_exited = d->cfg.keep_exited_sec;
	ss.term = sn->term;
	ss.env = sn->env;
	if ((r = sessdir_spawn_start(&ss, &pid, &fd, &logfd, err,
	    sizeof err)) != 0) {
		ln_cause(cause, "%s", err);
		free(dir);
		return (r);
	}
	/* Its stderr is logged from now on, whether it starts or not. */
	if (logfd != -1)
		holderlog_start(d->base, logfd, sn->name, u->uid);
	sp = xcalloc(1, sizeof *sp);
	sp->d = d;
	sp->uid = u->uid;
	snprintf(sp->name, sizeof sp->name, "%s", sn->name);
	sp->uname = xstrdup(u->name);
	sp->dir = dir;
	sp->pid = pid;
	sp->fd = fd;
	sp->done = done;
	sp->arg = arg;
	sp->ev = event_new(d->base, fd, EV_READ, sessions_spawn_ready_cb, sp);
	event_add(sp->ev, &tv);
	sp->next = d->spawning;
	d->spawning = sp;
	return (0);
}

/* The session's holder connection (watched: async calls only). */
struct holder_conn *
session_conn(const struct session *s)
{
	return (s->hc);
}

const char *
session_name(const struct session *s)
{
	return (s->name);
}

uid_t
session_uid(const struct session *s)
{
	return (s->uid);
}

/* The session's attached clients (attach.c), or NULL if none. */
struct attach_sess *
session_attached(const struct session *s)
{
	return (s->attach);
}

/* Sets or clears the session's attached clients. */
void
session_set_attached(struct session *s, struct attach_sess *as)
{
	s->attach = as;
}

/* Has its command exited (the holder still shows its last screen)? */
int
session_exited(const struct session *s)
{
	return (s->exited);
}

/*
 * How an exited session's command ended: *code is its exit status, or
 * 128 + the signal (as a shell reports it), *sig the signal or 0. 0, or
 * LN_E_STATE while it runs.
 */
int
session_exit_status(const struct session *s, int *code, int *sig)
{
	if (!s->exited)
		return (LN_E_STATE);
	*code = s->exit_signal != 0 ? 128 + s->exit_signal : s->exit_status;
	*sig = s->exit_signal;
	return (0);
}

/*
 * For `lnshd status`: one line per session, from lnshd's own view (no
 * holder is asked, so nothing is consumed):
 * "session UID NAME running|exited STATUS holder PID".
 */
void
sessions_describe(struct lnshd *d, FILE *out)
{
	struct session	*s;

	fprintf(out, "sessions %u\n", d->nsessions);
	fprintf(out, "max-sessions %u\n", d->max_sessions);
	fprintf(out, "nofile %lu\n", d->nofile);
	for (s = d->sessions; s != NULL; s = s->next) {
		fprintf(out, "session %lu %s ", (unsigned long)s->uid, s->name);
		if (!s->exited)
			fprintf(out, "running");
		else if (s->exit_signal != 0)
			fprintf(out, "exited %d", 128 + s->exit_signal);
		else
			fprintf(out, "exited %d", s->exit_status);
		fprintf(out, " holder %ld\n", s->holder_pid);
	}
	lost_describe(out);
}

/* Kills every holder in one directory, blocking; counts them. */
static unsigned
sessions_kill_dir(const char *dir, uid_t uid, FILE *out)
{
	struct holder_conn	*hc;
	char			**names, err[512];
	size_t			  n, i;
	unsigned		  killed = 0;

	if (sessdir_list(dir, uid, &names, &n) != 0)
		return (0);
	for (i = 0; i < n; i++) {
		if (holder_conn_open(dir, names[i], uid, &hc, err,
		    sizeof err) != 0) {
			fprintf(out, "cannot reach %s: %s\n", names[i], err);
			continue;
		}
		if (holder_conn_kill(hc) != 0)
			fprintf(out, "cannot kill %s: %s\n", names[i],
			    holder_conn_error(hc));
		else {
			fprintf(out, "killed %lu %s\n", (unsigned long)uid,
			    names[i]);
			killed++;
		}
		holder_conn_close(hc);
	}
	sessdir_free_list(names, n);
	return (killed);
}

/*
 * `lnshd kill-all` with no lnshd running: ends every session in the state
 * dir directly, talking to each holder. Returns how many it killed.
 */
int
sessions_kill_all_dirs(const char *state_dir, int single_user, FILE *out)
{
	DIR		*dp;
	struct dirent	*de;
	char		*root, *dir, *end;
	unsigned long	 uid;
	unsigned	 n = 0;
	size_t		 len;

	if (single_user) {
		dir = paths_holder_dir(state_dir, geteuid());
		n = sessions_kill_dir(dir, geteuid(), out);
		free(dir);
		return ((int)n);
	}
	len = strlen(state_dir) + sizeof "/" PATHS_HOLDERS;
	root = xmalloc(len);
	snprintf(root, len, "%s/%s", state_dir, PATHS_HOLDERS);
	if ((dp = opendir(root)) != NULL) {
		while ((de = readdir(dp)) != NULL) {
			errno = 0;
			uid = strtoul(de->d_name, &end, 10);
			if (de->d_name[0] < '0' || de->d_name[0] > '9' ||
			    errno != 0 || *end != '\0' || uid != (uid_t)uid)
				continue;
			dir = paths_holder_dir(state_dir, (uid_t)uid);
			n += sessions_kill_dir(dir, (uid_t)uid, out);
			free(dir);
		}
		closedir(dp);
	}
	free(root);
	return ((int)n);
}
