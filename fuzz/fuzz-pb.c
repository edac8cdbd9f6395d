/*
 * fuzz-pb.c: the table of every protobuf message type lnsh decodes from a
 * peer, for fuzz-protobuf and mkcorpus. The index in this table is the
 * selector byte of a fuzz-protobuf input, so entries are only ever
 * appended.
 */
#include "config.h"

#include <protobuf-c/protobuf-c.h>

#include "fuzz.h"
#include "lnsh.pb-c.h"
#include "rpc.pb-c.h"
#include "screen.pb-c.h"
#include "holder.pb-c.h"
#include "sync.pb-c.h"

const struct ProtobufCMessageDescriptor *const fuzz_pb_types[] = {
	/* lnsh.proto */
	&lnsh__hello__descriptor,
	&lnsh__welcome__descriptor,
	&lnsh__envelope__descriptor,
	/* rpc.proto */
	&lnsh__session_info__descriptor,
	&lnsh__list_request__descriptor,
	&lnsh__list_reply__descriptor,
	&lnsh__new_request__descriptor,
	&lnsh__kill_request__descriptor,
	&lnsh__capture_request__descriptor,
	&lnsh__capture_reply__descriptor,
	&lnsh__send_request__descriptor,
	&lnsh__request__descriptor,
	&lnsh__reply__descriptor,
	/* screen.proto */
	&lnsh__screen_comb__descriptor,
	&lnsh__screen_run__descriptor,
	&lnsh__screen_row__descriptor,
	&lnsh__screen_diff__descriptor,
	/* holder.proto */
	&lnsh__holder__hello__descriptor,
	&lnsh__holder__info_request__descriptor,
	&lnsh__holder__input__descriptor,
	/*
	 * Was Resize, removed from holder.proto: a Request holds its slot so
	 * that the selectors after it keep their types.
	 */
	&lnsh__holder__request__descriptor,
	&lnsh__holder__capture_request__descriptor,
	&lnsh__holder__kill__descriptor,
	&lnsh__holder__attach__descriptor,
	&lnsh__holder__sync__descriptor,
	&lnsh__holder__detach__descriptor,
	&lnsh__holder__request__descriptor,
	&lnsh__holder__info__descriptor,
	&lnsh__holder__capture__descriptor,
	&lnsh__holder__ok__descriptor,
	&lnsh__holder__error__descriptor,
	&lnsh__holder__attached__descriptor,
	&lnsh__holder__exited__descriptor,
	&lnsh__holder__reply__descriptor,
	/* sync.proto */
	&lnsh__sync_resize__descriptor,
	&lnsh__sync_event__descriptor,
	&lnsh__sync_input__descriptor,
	&lnsh__sync_message__descriptor,
	/* rpc.proto, added later */
	&lnsh__attach_request__descriptor,
	&lnsh__attach_reply__descriptor,
	&lnsh__detach_request__descriptor,
	&lnsh__session_ended__descriptor,
};
const size_t fuzz_pb_ntypes = sizeof fuzz_pb_types / sizeof fuzz_pb_types[0];
