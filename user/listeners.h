/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The listeners in scope, now: the kernel layer's map reads decoded into
 * snapshots, each given its owner (the kernel's, else /proc's), filtered
 * by the command line's scope.
 */
#ifndef TB_LISTENERS_H
#define TB_LISTENERS_H

#include <stddef.h>

#include "aggregate/client_cost.h"
#include "decode/event.h"
#include "host/netns_names.h"
#include "host/cgroups.h"
#include "host/owners.h"
#include "kernel/maps.h"
#include "kernel/probes.h"
#include "setup/cli.h"

struct listener_reader {
	const struct probes *probes;
	struct owners *owners;
	const char *pid_proc;		/* where the kernel's pids are in /proc; NULL nowhere (see pidns.h) */
	struct netns_names *netns_names;	/* NULL: no names */
	struct cgroups *cgroups;		/* NULL: cgroup identities left empty */
	struct map_entries raw;
	struct listener_snapshot *items;	/* sorted by id */
	size_t count, cap;
	/* 4-tuples with a dropped packet: the last read of the map, and their judgement */
	struct tuple_entry *tuples;
	size_t ntuples, tuples_cap;
	struct client_cost cost;
};

void listeners_init(struct listener_reader *r, const struct probes *p, struct owners *o);
void listeners_free(struct listener_reader *r);

enum listener_parts {
	LISTENERS_COUNTS	= 0,		/* the registry's counts: always */
	LISTENERS_QUEUES	= 1 << 0,	/* queue lengths now (runs the queue reader) */
	LISTENERS_TAKE_PEAKS	= 1 << 1,	/* take the highs: starts a new period */
	LISTENERS_ERRNOS	= 1 << 2,	/* accept failures by errno */
	LISTENERS_OWNER_FDS	= 1 << 3,	/* owners' and acceptors' fd limit and usage from /proc */
	LISTENERS_TAKE_ACCEPTORS = 1 << 4,	/* take the accepts per process: starts a new period */
	LISTENERS_JUDGE_TUPLES	= 1 << 5,	/* judge the dropped 4-tuples: abandoned, pending, untracked */
	LISTENERS_ALL		= LISTENERS_QUEUES | LISTENERS_TAKE_PEAKS | LISTENERS_ERRNOS |
				  LISTENERS_OWNER_FDS | LISTENERS_TAKE_ACCEPTORS | LISTENERS_JUDGE_TUPLES,
};

/*
 * Every listener in scope into r->items / r->count: the registered ones,
 * and those that closed since they were last taken (closed = true).
 */
int listeners_read(struct listener_reader *r, const struct config *cfg, unsigned int parts);

/* The same, and the closed listeners leave the kernel's map: reported this once. */
int listeners_read_taking_closed(struct listener_reader *r, const struct config *cfg, unsigned int parts);

#endif /* TB_LISTENERS_H */
