/*
 * server.h: lnshd and the session holder, prototypes grouped by file.
 * Each section belongs to the file it names; keep edits to your own section.
 */
#ifndef LNSH_SERVER_H
#define LNSH_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "term.h"

/* emu.c: one session's terminal: libvterm's state layer driving our fb. */
struct emu;
/* Bytes the emulator must send back to the application (DA, DSR/CPR). */
typedef void (*emu_reply_fn)(void *, const uint8_t *, size_t);
struct emu	*emu_new(int, int, size_t, emu_reply_fn, void *);
void		 emu_free(struct emu *);
void		 emu_input(struct emu *, const uint8_t *, size_t);
void		 emu_resize(struct emu *, int, int);
const struct fb	*emu_screen(const struct emu *);
const char	*emu_title(const struct emu *);
int		 emu_capture(const struct emu *, long, int, char **, size_t *);

/* scrollback.c: lines that scrolled off the top, stored compactly. */
struct scrollback;

#endif /* LNSH_SERVER_H */
