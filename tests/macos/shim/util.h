/*
 * util.h: the macOS SDK's <util.h>, reduced to the pty calls, for the
 * macOS cross tier only (scripts/cross-macos). zig 0.11's bundled macOS
 * headers lack <util.h>, although libSystem exports openpty, forkpty and
 * login_tty; these are Apple's declarations (no const, unlike glibc's
 * <pty.h>), so code that compiles here compiles against the real SDK.
 * Never installed and never on a product build's include path.
 */
#ifndef _UTIL_H_
#define _UTIL_H_

#include <sys/cdefs.h>
#include <sys/types.h>
#include <sys/ttycom.h>
#include <termios.h>

__BEGIN_DECLS
int	openpty(int *, int *, char *, struct termios *, struct winsize *);
pid_t	forkpty(int *, char *, struct termios *, struct winsize *);
int	login_tty(int);
__END_DECLS

#endif /* !_UTIL_H_ */
