/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A listener's map entries -> struct listener_snapshot: the registry's
 * exact counts, queue lengths now, highs since the last read, accept
 * failures by errno. Pure: raw structs in, snapshots out (the reads
 * themselves are user/kernel/maps.c's).
 */
#ifndef TB_SNAPSHOT_H
#define TB_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* A registered listener (the state the queue reader last wrote). Owner: the kernel's, 0 unknown. */
void snapshot_decode_listener(uint64_t id, const struct tb_listener *l, struct listener_snapshot *s);

/*
 * A listener that closed: its counts are final, it has no queues, and
 * the highs of its last period are backlog_peak / synq_peak.
 */
void snapshot_decode_closed(uint64_t id, const struct tb_listener *l, uint32_t backlog_peak,
			    uint32_t synq_peak, struct listener_snapshot *s);

/* The highs since the previous read (map "peaks"). */
void snapshot_add_peaks(struct listener_snapshot *s, const struct tb_peaks *pk);

/* accept() failures for one errno; past SNAPSHOT_ERRNOS distinct ones are left out. */
void snapshot_add_errno(struct listener_snapshot *s, int err, uint64_t count);

/* Done: the queue lengths now are also a sample of the highs. */
void snapshot_finish(struct listener_snapshot *s);

/* Sort by id, and find by id in a sorted array (NULL when absent). */
void snapshot_sort(struct listener_snapshot *items, size_t n);
struct listener_snapshot *snapshot_find(struct listener_snapshot *items, size_t n, uint64_t id);

#endif /* TB_SNAPSHOT_H */
