/*
 * clockms.c: prints the elapsed-time clock that every timer of lnsh,
 * lnshd and the holder reads (ln_now_ns), in milliseconds, for the shell
 * tests' deadlines and durations.
 *
 * Not date(1): the wall clock jumps. A virtual machine that is paused and
 * resumed (a snapshot, a host that slept) has its wall clock set forward on
 * resume while this clock did not run, and a test that times lnshd's 10 s
 * timer by the wall clock then sees it take 19 s, or gives up a wait at
 * once that began before the pause. On this clock the pause is not there,
 * for the test or for the programs it times.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "proto.h"

int
main(void)
{
	printf("%llu\n", (unsigned long long)(ln_now_ns() / LN_NS_PER_MS));
	return (0);
}
