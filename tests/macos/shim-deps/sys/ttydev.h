/*
 * sys/ttydev.h: the macOS SDK's old-tty baud-rate codes, which ncurses'
 * lib_baudrate.c includes on Darwin. zig 0.11's bundled macOS headers lack
 * this file; the macOS cross tier (scripts/cross-macos) supplies it to
 * build ncurses, and nothing else reads it.
 */
#ifndef _SYS_TTYDEV_H_
#define _SYS_TTYDEV_H_

#ifdef USE_OLD_TTY
#define B0	0
#define B50	1
#define B75	2
#define B110	3
#define B134	4
#define B150	5
#define B200	6
#define B300	7
#define B600	8
#define B1200	9
#define B1800	10
#define B2400	11
#define B4800	12
#define B9600	13
#define EXTA	14
#define EXTB	15
#define B57600	16
#define B115200	17
#endif /* USE_OLD_TTY */

#endif /* !_SYS_TTYDEV_H_ */
