/*
 * clientutil.h: the socket and keys of the test programs that talk to
 * lnshd as a client: attachctl.c, replyflood.c, hostile-flood.c and
 * bench/hs-rate.c.
 */
#ifndef LNSH_CLIENTUTIL_H
#define LNSH_CLIENTUTIL_H

struct sockaddr_in;

int	 cu_udp_connect(const char *, const char *, struct sockaddr_in *);
int	 cu_client_keys(const char *, const char *, const char *, uint8_t *,
	    uint8_t *);

#endif /* LNSH_CLIENTUTIL_H */
