/* handshake.c: not written yet. */
typedef int lnsh_handshake_placeholder;
