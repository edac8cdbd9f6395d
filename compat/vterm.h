/*
 * compat/vterm.h: the libvterm differences lnsh meets. 0.1.x (Debian 12)
 * hands string properties (the title) over whole and NUL-terminated; 0.2
 * and later (Homebrew's 0.3) in fragments with initial/final flags.
 * configure's VTermStateFallbacks check tells the two apart.
 *
 * The state layer's resize callback differs too (vterm-resize.c): 0.1.x
 * reallocates its line info itself and takes a cursor delta back; 0.2+
 * hands the callback VTermStateFields and, once a callback is set, leaves
 * reallocating both line-info arrays and moving the cursor to it.
 * configure's resize-signature check (HAVE_VTERM_RESIZE_FIELDS) tells
 * those apart.
 *
 * Every version mishandles some DECRQSS (VT_DECRQSS_UNSAFE), 0.1.x draws
 * SOS, PM and APC strings as text (VT_STR_TEXT), and DECSTR only works
 * from 0.3.3 (VT_DECSTR): the header's version macros tell.
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

/* What the state layer's resize callback gets besides the new size. */
#ifdef HAVE_VTERM_RESIZE_FIELDS
typedef VTermStateFields vt_resize_arg;
#else
typedef VTermPos vt_resize_arg;
#endif

/*
 * Before 0.2, libvterm answers a DECRQSS (DCS $ q Pt ST) for a setting it
 * does not know with vsnprintf("0$r%.s", (int)len, Pt): an int where a
 * string is read, undefined behaviour, which ASan stops on. 0.2 answers
 * DCS 0 $ r ST, but reads Pt's first three bytes as char into
 * tmp[0] | tmp[1] << 8 | tmp[2] << 16: a second or third byte of 0x80 or
 * more shifts a negative value, which UBSan stops on. holder/emu.c
 * answers those itself (emu_dcs_done).
 */
#if VTERM_VERSION_MAJOR == 0 && VTERM_VERSION_MINOR < 2
#define VT_DECRQSS_UNSAFE	1
#else
#define VT_DECRQSS_UNSAFE	0
#endif

/*
 * Before 0.2, libvterm parses only DCS and OSC as strings: SOS, PM and
 * APC (ESC X, ESC ^, ESC _) are C1 controls it ignores, and what follows
 * them is text to it.
 */
#if VTERM_VERSION_MAJOR == 0 && VTERM_VERSION_MINOR < 2
#define VT_STR_TEXT		1
#else
#define VT_STR_TEXT		0
#endif

/*
 * DECSTR (CSI ! p) is carried out from 0.3.3 (the header's first with a
 * patch number); before, libvterm looked for the '!' among the leaders.
 */
#if VTERM_VERSION_MAJOR > 0 || VTERM_VERSION_MINOR > 3 || \
    (VTERM_VERSION_MINOR == 3 && defined(VTERM_VERSION_PATCH) && \
    VTERM_VERSION_PATCH >= 3)
#define VT_DECSTR		1
#else
#define VT_DECSTR		0
#endif

/* vterm-resize.c */
VTerm	*vt_new(int, int);
void	 vt_resized(vt_resize_arg *, int, int, int, int);

#endif /* LNSH_COMPAT_VTERM_H */
