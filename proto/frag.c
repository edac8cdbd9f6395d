/* frag.c: not written yet. */
typedef int lnsh_frag_placeholder;
