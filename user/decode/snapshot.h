/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-listener map -> struct listener_snapshot: the registry's exact
 * counts, queue lengths now (a program run over the registry), highs since
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
	int queues_fd;			/* program writing queue lengths into the registry */
	struct listener_snapshot *items;
	size_t count, cap;
};

int snapshot_init(struct snapshot_reader *r, struct probes *p, struct owners *o, char *errbuf, size_t errlen);
void snapshot_free(struct snapshot_reader *r);

enum snapshot_parts {
	SNAP_COUNTS	= 0,		/* the registry's counts: always */
	SNAP_QUEUES	= 1 << 0,	/* queue lengths now (runs the queue reader) */
	SNAP_PEAKS	= 1 << 1,	/* take the highs: starts a new period */
	SNAP_ERRNOS	= 1 << 2,	/* accept failures by errno */
	SNAP_OWNER_FDS	= 1 << 3,	/* owners' fd limit and usage from /proc */
	SNAP_TAKE_CLOSED = 1 << 4,	/* closed listeners leave the map: reported once */
	SNAP_ALL	= SNAP_QUEUES | SNAP_PEAKS | SNAP_ERRNOS | SNAP_OWNER_FDS,
};

/*
 * Delete the highs and accept-error counts of listeners that left the
 * registry (the kernel side cannot find them all: keys of a gone
 * listener). Returns how many entries went.
 */
int snapshot_prune(struct snapshot_reader *r);

/*
 * Read every listener in scope into r->items / r->count: the registered
 * ones, and those that closed since they were last taken (closed = true).
 */
int snapshot_read(struct snapshot_reader *r, const struct config *cfg, unsigned int parts);

#endif /* TB_SNAPSHOT_H */
