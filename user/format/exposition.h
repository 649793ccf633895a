/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus text exposition format (version 0.0.4) of the per-listener
 * snapshots and the totals. Labels are per listener (netns, laddr, lport,
 * comm), never per peer. No I/O: the server in metrics.c serves the text.
 */
#ifndef TB_EXPOSITION_H
#define TB_EXPOSITION_H

#include <stddef.h>

#include "decode/decode.h"
#include "decode/snapshot.h"

#define EXPOSITION_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/*
 * The exposition text for these inputs, malloc'ed into *out (the caller
 * frees it); returns its length. Out of memory: *out is NULL.
 */
size_t exposition_render(const struct listener_snapshot *snaps, size_t n,
			 const struct totals *t, char **out);

#endif /* TB_EXPOSITION_H */
