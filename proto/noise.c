/* noise.c: not written yet. */
typedef int lnsh_noise_placeholder;
