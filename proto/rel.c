/* rel.c: not written yet. */
typedef int lnsh_rel_placeholder;
