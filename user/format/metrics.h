/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus endpoint: /metrics in the text exposition format, served by
 * libmicrohttpd (loaded only then, see mhd_lazy.c) from its own thread. The main loop publishes a fresh copy
 * of the per-listener snapshots and totals; scrapes read the last copy.
 * Labels are per listener (netns, laddr, lport, comm), never per peer.
 */
#ifndef TB_METRICS_H
#define TB_METRICS_H

#include <stddef.h>

#include "decode/decode.h"
#include "decode/snapshot.h"

struct metrics;

/*
 * Listen on addr, "HOST:PORT" ("[::1]:9876" for IPv6, ":9876" or
 * "0.0.0.0:9876" for every address). NULL on failure, with errbuf set to
 * one line naming the problem.
 */
struct metrics *metrics_start(const char *addr, char *errbuf, size_t errlen);

/* Replace what scrapes see. Copies its inputs. */
void metrics_publish(struct metrics *m, const struct listener_snapshot *snaps, size_t n,
		     const struct totals *t);

void metrics_stop(struct metrics *m);

/*
 * The exposition text for these inputs, malloc'ed into *out (the caller
 * frees it); returns its length. Used by the server and by tests.
 */
size_t metrics_render(const struct listener_snapshot *snaps, size_t n, const struct totals *t, char **out);

/* Check a --metrics-addr value: 0, or -1 with errbuf set. */
int metrics_parse_addr(const char *addr, char *host, size_t hostlen, unsigned int *port,
		       char *errbuf, size_t errlen);

#endif /* TB_METRICS_H */
