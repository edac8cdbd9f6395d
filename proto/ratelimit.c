/* ratelimit.c: not written yet. */
typedef int lnsh_ratelimit_placeholder;
