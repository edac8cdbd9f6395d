/* transport.c: not written yet. */
typedef int lnsh_transport_placeholder;
