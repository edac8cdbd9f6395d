/*
 * compat/vterm.h: the libvterm differences lnsh meets. 0.1.x (Debian 12)
 * hands string properties (the title) over whole and NUL-terminated; 0.2
 * and later (Homebrew's 0.3) in fragments with initial/final flags.
 * configure's VTermStateFallbacks check tells the two apart.
 */
#ifndef LNSH_COMPAT_VTERM_H
#define LNSH_COMPAT_VTERM_H

#include <string.h>
/* -I compat comes first: reach the real header behind this one. */
#include_next <vterm.h>

/* One piece of a string property and whether it starts or ends it. */
struct vt_fragment {
	const char	*s;
	size_t		 len;
	int		 initial, final;
};

/* Reads a string termprop value as a fragment, whatever the version. */
static inline void
vt_string_fragment(const VTermValue *v, struct vt_fragment *f)
{
#ifdef HAVE_VTERMSTATEFALLBACKS
	f->s = v->string.str;
	f->len = v->string.len;
	f->initial = v->string.initial;
	f->final = v->string.final;
#else
	f->s = v->string != NULL ? v->string : "";
	f->len = strlen(f->s);
	f->initial = f->final = 1;
#endif
}

#endif /* LNSH_COMPAT_VTERM_H */
