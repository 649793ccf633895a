/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus endpoint: /metrics in the text exposition format (see
 * exposition.h), served by libmicrohttpd (loaded only then, see
 * mhd_lazy.c) from its own thread. The main loop publishes a fresh copy of
 * the per-listener snapshots and totals; scrapes read the last copy. The
 * series outlive their listeners (see series.h): every read that takes
 * closed listeners out of the kernel's maps must be shown to
 * metrics_observe(), or their last counts would be missed.
 */
#ifndef TB_METRICS_H
#define TB_METRICS_H

#include <stddef.h>

#include "aggregate/destinations.h"
#include "decode/decode.h"
#include "decode/snapshot.h"

struct metrics;

/*
 * Listen on addr, "HOST:PORT" ("[::1]:9876" for IPv6, ":9876" or
 * "0.0.0.0:9876" for every address). NULL on failure, with errbuf set to
 * one line naming the problem.
 */
struct metrics *metrics_start(const char *addr, char *errbuf, size_t errlen);

/* A read of every listener in scope, for the counters only. */
void metrics_observe(struct metrics *m, const struct listener_snapshot *snaps, size_t n);

/* Observe a read of every listener in scope and replace what scrapes see. Copies its inputs. */
void metrics_publish(struct metrics *m, const struct listener_snapshot *snaps, size_t n,
		     const struct totals *t);

/* Failed connects per namespace and errno since the start, shown from the next publish. */
void metrics_observe_connect_errors(struct metrics *m, const struct connect_error_count *errors, size_t n);

/* The destinations of the last interval (-i), shown from the next publish. */
void metrics_observe_destinations(struct metrics *m, const struct destination_report *d, size_t n);

void metrics_stop(struct metrics *m);

#endif /* TB_METRICS_H */
