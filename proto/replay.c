/* replay.c: not written yet. */
typedef int lnsh_replay_placeholder;
