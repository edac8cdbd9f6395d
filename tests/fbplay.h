/* fbplay.h: between fbplay.c and fbplay-emu.c (see there why). */
#ifndef LNSH_FBPLAY_H
#define LNSH_FBPLAY_H

struct emu;
struct fb;
typedef void (*play_line_fn)(void *, const char *, size_t, int);

struct emu	*play_emu_new(int, int);
void		 play_emu_input(struct emu *, const uint8_t *, size_t);
void		 play_emu_resize(struct emu *, int, int);
const struct fb	*play_emu_screen(struct emu *);
void		 play_emu_scrolled(struct emu *, uint64_t *, play_line_fn,
		     void *);
void		 play_emu_free(struct emu *);

#endif /* LNSH_FBPLAY_H */
