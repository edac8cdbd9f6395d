/*
 * fuzz.h: what the libFuzzer targets in fuzz/ and the seed-corpus generator
 * (mkcorpus.c) share, implemented in fuzz-common.c.
 *
 * Every target and mkcorpus run on a deterministic random number generator
 * (installed into libsodium before sodium_init), with one stream per party,
 * fixed static keys and a virtual clock. So a packet mkcorpus captured from a
 * real in-memory session is, byte for byte, what the target's own endpoint
 * expects when the target replays the same calls: the seeds decrypt, and the
 * fuzzer mutates from deep inside the protocol instead of bouncing off mac1
 * and the AEAD tags. None of this is fit for anything but fuzzing.
 *
 * Inputs that drive a sequence of calls are scripts of records:
 *
 *	offset	size	field
 *	0	1	op (FUZZ_OP_*, taken modulo the number of ops)
 *	1	2	length n, little-endian
 *	3	n	data; a record that claims more than is left takes the
 *			rest, so mutations that grow a record are not wasted
 */
#ifndef LNSH_FUZZ_H
#define LNSH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto.h"

#define FUZZ_T0		(10 * LN_NS_PER_SEC)	/* virtual clock start */
#define FUZZ_WALL0	(1700000000ULL * LN_NS_PER_SEC)
#define FUZZ_USER	"fuzz"
#define FUZZ_INIT_INDEX	0x494e4954U	/* hs target: the initiator's index */
#define FUZZ_RESP_INDEX	0x52455350U	/* hs target: the responder's index */
#define FUZZ_TX_INDEX	0x54524e53U	/* transport target: receiver index */
#define FUZZ_SCRIPT_MAX	(256 * 1024)	/* longest seed script written */

/* The parties that draw random numbers, each from its own stream. */
enum fuzz_party {
	FUZZ_SERVER,
	FUZZ_CLIENT,
	FUZZ_OTHER,
	FUZZ_PARTY_MAX
};

/* Script operations. */
enum fuzz_op {
	FUZZ_OP_DGRAM,		/* a datagram in, from the usual address */
	FUZZ_OP_DGRAM_ALT,	/* a datagram in, from another address */
	FUZZ_OP_TICK,		/* advance the clock (u32le ms) and tick */
	FUZZ_OP_SEND,		/* the endpoint sends: flags (1), message */
	FUZZ_OP_CONNECT,	/* client: start a handshake */
	FUZZ_OP_MAX
};

struct fuzz_rec {
	enum fuzz_op	 op;
	unsigned	 rawop;	/* the op byte as read */
	const uint8_t	*data;
	size_t		 len;
};

/* A growing byte string: a script or a seed being written. */
struct fuzz_out {
	uint8_t		*p;
	size_t		 len, cap;
};

/* A datagram an endpoint sent. */
struct fuzz_dgram {
	uint8_t			*data;
	size_t			 len;
	struct fuzz_dgram	*next;
};

/* One channel endpoint driven by script records on a virtual clock. */
struct fuzz_ep {
	uint64_t		 now;
	struct chan_server	*srv;
	struct chan_peer	*peer;		/* the server's newest peer */
	struct chan_client	*cli;
	int			 keep;		/* queue what it sends */
	struct fuzz_dgram	*out, **out_tail;
	unsigned		 sent;		/* datagrams sent, in total */
	unsigned		 messages;	/* messages delivered to us */
	struct fuzz_out		*script;	/* mkcorpus: calls recorded */
};

struct ProtobufCMessageDescriptor;

/* fuzz-pb.c: every protobuf message type, in a fixed order. */
extern const struct ProtobufCMessageDescriptor *const fuzz_pb_types[];
extern const size_t fuzz_pb_ntypes;

/* fuzz-ssp-drive.c: SSP's ends in fuzz-ssp, fuzz-zframe and mkseeds. */
#define FUZZ_SSP_HELD	50	/* scrollback lines fuzz_ssp_line holds */
struct ssp_client;
struct ssp_event;
struct ssp_line;
int	 fuzz_ssp_drop(void *, const uint8_t *, size_t);
int	 fuzz_ssp_line(void *, uint64_t, struct ssp_line *);
void	 fuzz_ssp_event(void *, const struct ssp_event *);
void	 fuzz_ssp_check_screen(const struct ssp_client *);

/* The libFuzzer entry points each target defines. */
int	 LLVMFuzzerInitialize(int *, char ***);
int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* fuzz-common.c */
void	 fuzz_init(void);
void	 fuzz_rng_reset(void);
void	 fuzz_rng_use(enum fuzz_party);
void	 fuzz_server_key(uint8_t *, uint8_t *);
void	 fuzz_client_key(uint8_t *, uint8_t *);
void	 fuzz_transport_pair(struct keypair *, struct keypair *, uint64_t);
void	 fuzz_fix_mac1(uint8_t *, size_t, const uint8_t *);
int	 fuzz_next_rec(struct buf *, struct fuzz_rec *);
uint32_t fuzz_u32(const uint8_t *, size_t);
uint64_t fuzz_u64(const uint8_t *, size_t);
void	 fuzz_out_bytes(struct fuzz_out *, const void *, size_t);
void	 fuzz_out_rec(struct fuzz_out *, enum fuzz_op, const void *, size_t);
void	 fuzz_out_free(struct fuzz_out *);
void	 fuzz_ep_server(struct fuzz_ep *, int);
void	 fuzz_ep_client(struct fuzz_ep *, int);
void	 fuzz_ep_apply(struct fuzz_ep *, const struct fuzz_rec *);
void	 fuzz_ep_do(struct fuzz_ep *, enum fuzz_op, const void *, size_t);
struct fuzz_dgram *fuzz_ep_take(struct fuzz_ep *);
void	 fuzz_dgram_free(struct fuzz_dgram *);
void	 fuzz_ep_report(const struct fuzz_ep *, FILE *);
void	 fuzz_ep_free(struct fuzz_ep *);

#endif /* LNSH_FUZZ_H */
