/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every network namespace in turn: at start, the listeners that existed
 * before the tracer (an iter/tcp iterator walks the namespace it is
 * created in) and the per-CPU counter baselines; at exit, the flush of
 * the drops no packet showed.
 */
#ifndef TB_NAMESPACES_H
#define TB_NAMESPACES_H

#include <stdint.h>

#include "kernel/probes.h"

/*
 * Seed the registry from every namespace (or only target_netns when not
 * 0, whose net_cookie the programs then hold: -n traces that namespace,
 * not a later one in its inode). Returns the number of namespaces walked,
 * -1 on error (errbuf).
 */
int namespaces_seed(struct probes *p, uint32_t target_netns, char *errbuf, size_t errlen);

/*
 * After detaching: take, on every CPU of every live namespace in scope,
 * the listen drops no packet showed, into the totals. Returns the number
 * of (namespace, CPU) runs, -1 on error.
 */
int namespaces_exit_flush(struct probes *p, uint32_t target_netns);

#endif /* TB_NAMESPACES_H */
