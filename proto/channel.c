/* channel.c: not written yet. */
typedef int lnsh_channel_placeholder;
