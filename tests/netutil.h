/* netutil.h: between the test programs chandemo.c and impair.c. */
#ifndef LNSH_NETUTIL_H
#define LNSH_NETUTIL_H

struct chan_addr;

uint64_t	 net_parse_u64(const char *, const char *,
		    void (*)(const char *));
int		 net_nonblock(int);
const char	*net_addr_str(const struct chan_addr *, char *, size_t);
int		 net_signal_pipe(const char *, const int *, size_t);

#endif /* LNSH_NETUTIL_H */
