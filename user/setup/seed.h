/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Listeners that existed before the tracer: run the iter/tcp program in
 * every network namespace (an iterator walks the namespace it is created
 * in), then give them owners found in /proc.
 */
#ifndef TB_SEED_H
#define TB_SEED_H

#include <stdint.h>

#include "owners.h"
#include "probes.h"

/*
 * Seed the registry from every namespace (or only target_netns when not
 * 0, whose net_cookie the programs then hold: -n traces that namespace,
 * not a later one in its inode). Returns the number of namespaces walked,
 * -1 on error (errbuf).
 */
int seed_listeners(struct probes *p, uint32_t target_netns, char *errbuf, size_t errlen);

/*
 * Write owners into registry entries that lack one. Returns the number of
 * listeners in the registry (in scope or not).
 */
int seed_owners(struct probes *p, struct owners *o);

/*
 * After detaching: take, on every CPU of every live namespace in scope,
 * the listen drops no packet showed, into the totals. Returns the number
 * of (namespace, CPU) runs, -1 on error.
 */
int seed_flush(struct probes *p, uint32_t target_netns);

#endif /* TB_SEED_H */
