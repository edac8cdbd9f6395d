/*
 * lost.c: sessions whose holder went away without a word. A holder killed
 * with SIGKILL (or crashed) cannot report its session's end; its socket
 * just closes. Rather than let the session vanish from `lnsh ls`, lnshd
 * keeps a record of it here, "gone" with the reason: how the holder ended
 * when lnshd can know (the holder was its child: waitpid's status), or
 * that it cannot. A record goes when its name is used again, when `lnsh
 * kill` forgets it, or when keep-exited passes, as an exited session's
 * would; at most LN_LOST_MAX are kept, the oldest forgotten first.
 *
 * The holder's socket closing and its SIGCHLD come in either order: a
 * status reaped before the record exists waits in a small ring of recent
 * exits; a record made first is completed when the status comes.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define LOST_REAPED	16	/* exits reaped before their record */

struct lost {
	uid_t		 uid;
	char		 name[LN_SESSION_NAME_MAX + 1];
	long		 pid;		/* 0: no status to wait for */
	char		 reason[160];
	uint64_t	 when_ns;	/* monotonic */
	struct lost	*next;		/* newest first */
};

static struct lost	*lost_list;
static unsigned		 lost_count;
static struct {
	long	pid;
	int	status;
}			 lost_reaped_ring[LOST_REAPED];
static unsigned		 lost_reaped_next;

/* Writes how a holder ended, from its wait status, as the reason. */
static void
lost_reason_status(struct lost *l, int status)
{
	if (WIFSIGNALED(status))
		snprintf(l->reason, sizeof l->reason,
		    "holder killed by signal %d", WTERMSIG(status));
	else if (WIFEXITED(status))
		snprintf(l->reason, sizeof l->reason,
		    "holder exited with status %d", WEXITSTATUS(status));
	else
		snprintf(l->reason, sizeof l->reason, "holder went away");
	l->pid = 0;
}

/* Unlinks and frees the record *lp points to. */
static void
lost_unlink(struct lost **lp)
{
	struct lost	*l = *lp;

	*lp = l->next;
	free(l);
	lost_count--;
}

/* Drops the records older than keep-exited. */
static void
lost_expire(const struct lnshd *d, uint64_t now)
{
	struct lost	**lp;
	uint64_t	  keep = (uint64_t)d->cfg.keep_exited_sec * LN_NS_PER_SEC;

	for (lp = &lost_list; *lp != NULL;) {
		if (now - (*lp)->when_ns >= keep)
			lost_unlink(lp);
		else
			lp = &(*lp)->next;
	}
}

/* Makes a record of (uid, name), replacing any older one of that name. */
static struct lost *
lost_add(const struct lnshd *d, uid_t uid, const char *name)
{
	struct lost	**lp, *l;

	lost_expire(d, ln_now_ns());
	(void)lost_forget(uid, name);
	if (lost_count >= LN_LOST_MAX) {
		for (lp = &lost_list; (*lp)->next != NULL; lp = &(*lp)->next)
			;
		lost_unlink(lp);
	}
	l = xcalloc(1, sizeof *l);
	l->uid = uid;
	snprintf(l->name, sizeof l->name, "%s", name);
	l->when_ns = ln_now_ns();
	l->next = lost_list;
	lost_list = l;
	lost_count++;
	return (l);
}

/*
 * sessions.c: session (uid, name) lost its holder, process pid, with no
 * word from it. Its status is taken now if lnshd has it (reaped already,
 * or a zombie child), later from lost_reaped() if it is a child still
 * exiting, never if it is not lnshd's child (adopted from an earlier
 * lnshd), which the reason then says.
 */
void
lost_record(struct lnshd *d, uid_t uid, const char *name, long pid)
{
	struct lost	*l;
	unsigned	 i;
	int		 status;
	pid_t		 r;

	l = lost_add(d, uid, name);
	for (i = 0; i < LOST_REAPED; i++) {
		if (pid > 0 && lost_reaped_ring[i].pid == pid) {
			lost_reaped_ring[i].pid = 0;
			lost_reason_status(l, lost_reaped_ring[i].status);
			goto out;
		}
	}
	snprintf(l->reason, sizeof l->reason, "holder went away");
	if (pid <= 0)
		goto out;
	while ((r = waitpid((pid_t)pid, &status, WNOHANG)) == -1 &&
	    errno == EINTR)
		;
	if (r == (pid_t)pid)
		lost_reason_status(l, status);
	else if (r == 0)
		l->pid = pid;	/* a child still exiting: lost_reaped */
	else
		snprintf(l->reason, sizeof l->reason, "holder went away "
		    "(pid %ld, started by an earlier lnshd: how it ended is "
		    "unknown)", pid);
out:
	log_warn("session %s (uid %lu) is gone: %s", name,
	    (unsigned long)uid, l->reason);
}

/*
 * sessions.c: at startup, session (uid, name)'s socket was there but no
 * holder answered on it: the holder died while no lnshd ran.
 */
void
lost_found_dead(struct lnshd *d, uid_t uid, const char *name)
{
	struct lost	*l;

	l = lost_add(d, uid, name);
	snprintf(l->reason, sizeof l->reason,
	    "holder found dead when lnshd started");
	log_warn("session %s (uid %lu) is gone: %s", name,
	    (unsigned long)uid, l->reason);
}

/*
 * sessions.c: lnshd reaped child pid with this wait status. A holder's
 * record waiting for it takes it; else it is kept a while, in case the
 * holder's socket has not closed yet.
 */
void
lost_reaped(long pid, int status)
{
	struct lost	*l;

	for (l = lost_list; l != NULL; l = l->next) {
		if (l->pid == pid) {
			lost_reason_status(l, status);
			log_warn("session %s (uid %lu): %s", l->name,
			    (unsigned long)l->uid, l->reason);
			return;
		}
	}
	lost_reaped_ring[lost_reaped_next].pid = pid;
	lost_reaped_ring[lost_reaped_next].status = status;
	lost_reaped_next = (lost_reaped_next + 1) % LOST_REAPED;
}

/* Why session (uid, name) is gone, or NULL if no record says it is. */
const char *
lost_find(const struct lnshd *d, uid_t uid, const char *name)
{
	struct lost	*l;

	lost_expire(d, ln_now_ns());
	for (l = lost_list; l != NULL; l = l->next)
		if (l->uid == uid && strcmp(l->name, name) == 0)
			return (l->reason);
	return (NULL);
}

/*
 * Forgets the record of (uid, name): its name was used again or `lnsh
 * kill` asked. 0 if there was one, LN_E_INVAL if not.
 */
int
lost_forget(uid_t uid, const char *name)
{
	struct lost	**lp;

	for (lp = &lost_list; *lp != NULL; lp = &(*lp)->next) {
		if ((*lp)->uid == uid && strcmp((*lp)->name, name) == 0) {
			lost_unlink(lp);
			return (0);
		}
	}
	return (LN_E_INVAL);
}

/*
 * Iterates one user's records for a listing: NULL starts; each call gives
 * the next record's name and reason, or returns NULL at the end.
 */
const struct lost *
lost_next(const struct lnshd *d, uid_t uid, const struct lost *l,
    const char **name, const char **reason)
{
	if (l == NULL)
		lost_expire(d, ln_now_ns());
	for (l = l == NULL ? lost_list : l->next; l != NULL; l = l->next) {
		if (l->uid == uid) {
			*name = l->name;
			*reason = l->reason;
			return (l);
		}
	}
	return (NULL);
}

unsigned
lost_count_user(const struct lnshd *d, uid_t uid)
{
	const struct lost	*l;
	const char		*n, *r;
	unsigned		 count = 0;

	for (l = lost_next(d, uid, NULL, &n, &r); l != NULL;
	    l = lost_next(d, uid, l, &n, &r))
		count++;
	return (count);
}

/* For `lnshd status`: one "gone UID NAME REASON" line per record. */
void
lost_describe(FILE *out)
{
	const struct lost	*l;

	for (l = lost_list; l != NULL; l = l->next)
		fprintf(out, "gone %lu %s %s\n", (unsigned long)l->uid,
		    l->name, l->reason);
}

/* Frees every record (lnshd is stopping). */
void
lost_free(void)
{
	while (lost_list != NULL)
		lost_unlink(&lost_list);
	memset(lost_reaped_ring, 0, sizeof lost_reaped_ring);
}
