/*
 * err.c: names for error codes and drop reasons, and the drop counters.
 */
#include "config.h"

#include <errno.h>

#include "proto.h"

static const char *drop_names[LN_DROP_MAX] = {
#define LN_DROP_NAME(id, name) name,
	LN_DROP_REASONS(LN_DROP_NAME)
#undef LN_DROP_NAME
};

/* The counter name of a drop reason, as tests and `lnshd status` show it. */
const char *
ln_drop_name(enum ln_drop why)
{
	if ((unsigned)why >= LN_DROP_MAX)
		return ("unknown");
	return (drop_names[why]);
}

/* A short description of an LN_E_* code, for log lines. */
const char *
ln_strerror(int e)
{
	if (LN_E_IS_DROP(e))
		return (ln_drop_name(LN_E_DROP_REASON(e)));
	switch (e) {
	case LN_OK:
		return ("success");
	case LN_E_INVAL:
		return ("invalid argument");
	case LN_E_NOSPACE:
		return ("no space in output buffer");
	case LN_E_FULL:
		return ("send window full");
	case LN_E_CRYPTO:
		return ("cryptographic operation refused");
	case LN_E_STATE:
		return ("not valid in this state");
	case LN_E_SYSTEM:
		return ("system call failed");
	}
	return ("unknown error");
}

/*
 * What to do about a failed write to a file system, for a message that
 * already names the path and strerror(errnum): "" unless the file system
 * is full or read-only, which the person running lnshd can fix. Used
 * where lnshd writes its state dir (docs/security.md, "Faults").
 */
const char *
ln_fs_hint(int errnum)
{
	switch (errnum) {
	case ENOSPC:
#ifdef EDQUOT
	case EDQUOT:
#endif
		return (" (its file system is full: free space there and try "
		    "again; running sessions are not affected)");
	case EROFS:
		return (" (its file system is read-only: make it writable "
		    "and try again; running sessions are not affected)");
	}
	return ("");
}

/* Counts a drop if e is one; other codes are not the peer's doing. */
void
ln_count(struct ln_counters *c, int e)
{
	if (c != NULL && LN_E_IS_DROP(e) &&
	    (unsigned)LN_E_DROP_REASON(e) < LN_DROP_MAX)
		c->drop[LN_E_DROP_REASON(e)]++;
}

/* Sum of every drop counter. */
uint64_t
ln_drops_total(const struct ln_counters *c)
{
	uint64_t	total = 0;
	int		i;

	for (i = 0; i < LN_DROP_MAX; i++)
		total += c->drop[i];
	return (total);
}
