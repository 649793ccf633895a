/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-listener map -> struct listener_snapshot: the registry's exact
 * counts, queue lengths now (an iterator over the registry), highs since
 * the last read, accept failures by errno, and the owner's fd usage.
 */
#ifndef TB_SNAPSHOT_H
#define TB_SNAPSHOT_H

#include <stddef.h>

#include "event.h"
#include "owners.h"
#include "probes.h"

struct snapshot_reader {
	struct probes *probes;
	struct owners *owners;
	struct bpf_link *queues;	/* iter/bpf_map_elem over the registry */
	struct listener_snapshot *items;
	size_t count, cap;
};

int snapshot_init(struct snapshot_reader *r, struct probes *p, struct owners *o, char *errbuf, size_t errlen);
void snapshot_free(struct snapshot_reader *r);

/* Read every registered listener in scope into r->items / r->count. */
int snapshot_read(struct snapshot_reader *r, const struct config *cfg);

#endif /* TB_SNAPSHOT_H */
