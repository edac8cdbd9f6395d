/*
 * clientutil.c: what every test client of lnshd starts with, its UDP
 * socket to lnshd and its keys, kept once so they behave alike.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"
#include "clientutil.h"

/*
 * A UDP socket connected to addr:port (IPv4; addr NULL: 127.0.0.1), the
 * address in *sin. Returns the socket, or -1 with errno set (EINVAL: addr
 * is not an IPv4 address).
 */
int
cu_udp_connect(const char *addr, const char *port, struct sockaddr_in *sin)
{
	int	fd;

	memset(sin, 0, sizeof *sin);
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)atoi(port));
	if (addr == NULL)
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1) {
		errno = EINVAL;
		return (-1);
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return (-1);
	if (connect(fd, (struct sockaddr *)sin, sizeof *sin) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

/*
 * A test client's keys: spk (LN_KEY_LEN) the server's public key from its
 * key line, sk (LN_KEY_LEN) the client's private key from keyfile. Returns
 * 0, or -1 after a message that names prog.
 */
int
cu_client_keys(const char *prog, const char *serverline, const char *keyfile,
    uint8_t *spk, uint8_t *sk)
{
	uint8_t		 pk[LN_KEY_LEN];
	const char	*why = NULL;
	char		*cause = NULL;

	if (key_parse(serverline, spk, NULL, &why) != 0) {
		fprintf(stderr, "%s: server key: %s\n", prog, why);
		return (-1);
	}
	if (key_load_private(keyfile, sk, pk, NULL, &cause) != 0) {
		fprintf(stderr, "%s: %s\n", prog, cause);
		free(cause);
		return (-1);
	}
	return (0);
}
