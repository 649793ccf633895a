// SPDX-License-Identifier: GPL-2.0
/* The record kinds; see kinds.h. Rows in the order the totals print them. */
#include <stddef.h>

#include "decode/decode.h"
#include "decode/kinds.h"

/* Both listen drops: a listener, its owner and acceptor, a peer, the queues, a reason. */
#define LISTEN_DROP \
	.has_listener = true, .has_peer = true, .process = PROCESS_OWNER, .listen_drop = true
/* ... and their fields, to which each kind adds its own before the acceptor's identity */
#define LISTEN_DROP_FIELDS \
	FIELD_FAMILY, FIELD_LOCAL, FIELD_LISTEN_ADDR, FIELD_PEER, FIELD_PROCESS, FIELD_IDENTITY, \
	FIELD_ACCEPTOR, FIELD_QUEUE, FIELD_REASON

const struct kind_info kinds[] = {
	{ .kind = TB_KIND_SYN_DROP, .name = "syn_drop", LISTEN_DROP,
	  .fields = { LISTEN_DROP_FIELDS, FIELD_ATTEMPT, FIELD_ACCEPTOR_IDENTITY },
	  .total = offsetof(struct totals, syn_drop),
	  .breakdown = BREAKDOWN_REASONS, .breakdown_total = offsetof(struct totals, syn_drop_by_reason) },
	{ .kind = TB_KIND_ACCEPT_OVERFLOW, .name = "accept_overflow", LISTEN_DROP,
	  .fields = { LISTEN_DROP_FIELDS, FIELD_ACCEPTOR_IDENTITY },
	  .total = offsetof(struct totals, accept_overflow),
	  .breakdown = BREAKDOWN_OTHER, .breakdown_total = offsetof(struct totals, accept_overflow_other) },
	{ .kind = TB_KIND_ACCEPT_ERROR, .name = "accept_error",
	  .has_listener = true, .process = PROCESS_CALLER,
	  .fields = { FIELD_PROCESS, FIELD_IDENTITY, FIELD_ACCEPTOR, FIELD_ERRNO, FIELD_FAMILY, FIELD_LOCAL,
		      FIELD_LISTEN_ADDR, FIELD_FD_USAGE, FIELD_ACCEPTOR_IDENTITY },
	  .total = offsetof(struct totals, accept_error) },
	{ .kind = TB_KIND_CONNECT_ERROR, .name = "connect_error",
	  .has_peer = true, .process = PROCESS_CALLER,
	  .fields = { FIELD_PROCESS, FIELD_IDENTITY, FIELD_FAMILY, FIELD_SOURCE, FIELD_PEER, FIELD_ERRNO,
		      FIELD_PORTS },
	  .total = offsetof(struct totals, connect_error) },
	{ .kind = TB_KIND_BIND_ERROR, .name = "bind_error",
	  .process = PROCESS_CALLER,
	  .fields = { FIELD_PROCESS, FIELD_IDENTITY, FIELD_FAMILY, FIELD_LOCAL, FIELD_ERRNO },
	  .total = offsetof(struct totals, bind_error) },
};

const size_t nkinds = sizeof(kinds) / sizeof(kinds[0]);

const struct kind_info *kind_info(unsigned int kind)
{
	for (size_t i = 0; i < nkinds; i++) {
		if (kinds[i].kind == kind)
			return &kinds[i];
	}
	return NULL;
}

bool kind_has_field(const struct kind_info *k, enum event_field field)
{
	for (int i = 0; i < KIND_FIELDS_MAX && k->fields[i] != FIELD_END; i++) {
		if (k->fields[i] == field)
			return true;
	}
	return false;
}
