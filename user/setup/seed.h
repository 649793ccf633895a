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
 * 0). Returns the number of namespaces walked, -1 on error (errbuf).
 */
int seed_listeners(struct probes *p, uint32_t target_netns, char *errbuf, size_t errlen);

/*
 * Write owners into registry entries that lack one. Returns the number of
 * listeners in the registry (in scope or not).
 */
int seed_owners(struct probes *p, struct owners *o);

/*
 * The net_cookie of the namespace with this inode (SO_NETNS_COOKIE of a
 * socket made there), 0 when it cannot be told: then -n matches by inode
 * alone.
 */
uint64_t seed_netns_cookie(uint32_t netns);

/*
 * After detaching: take, on every CPU of every live namespace in scope,
 * the listen drops no packet showed, into the totals. Returns the number
 * of (namespace, CPU) runs, -1 on error.
 */
int seed_flush(struct probes *p, uint32_t target_netns);

#endif /* TB_SEED_H */
