/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-listener aggregation between reports: deltas of the kernel's
 * cumulative counters, log2 latency histograms and their percentiles.
 * Pure computation over snapshots: unit-tested without BPF.
 */
#ifndef TB_STATS_H
#define TB_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "decode/snapshot.h"

struct latency_summary {
	uint64_t count;			/* accepts measured */
	uint64_t p50_us;		/* 0 when count is 0 */
	uint64_t p99_us;
	uint64_t max_us;
};

/* One listener over one interval: what the formatters print. */
struct listener_report {
	const struct listener_snapshot *now;
	/* per interval (deltas against the previous snapshot) */
	uint64_t syn_drops;		/* all reasons */
	uint64_t syn_drops_by_reason[TB_REASON_MAX];
	uint64_t accept_overflows;
	uint64_t syncookies;
	uint64_t accepts;
	uint64_t accept_errors;
	struct errno_count errnos[SNAPSHOT_ERRNOS];
	int nerrnos;
	uint64_t lat_us_hist[TB_LAT_SLOTS];
	struct latency_summary latency;
	/* what the drops cost the clients, per interval (pending: now) */
	uint64_t delayed;
	uint64_t delay_us_hist[TB_LAT_SLOTS];
	struct latency_summary delay;	/* added delay of the delayed connections */
	uint64_t retried_syns;
	uint64_t synack_retransmits;
	uint64_t abandoned;
	uint64_t abandoned_unretried;
	uint64_t untracked;
	bool active;			/* anything happened, or a queue is not empty */
};

/* Lower and upper bound (exclusive) of latency slot i, in microseconds. */
uint64_t hist_slot_low_us(int slot);
uint64_t hist_slot_high_us(int slot);

/* Slot for a latency (what the BPF side computes, for tests and symmetry). */
int hist_slot_of_us(uint64_t us);

uint64_t hist_count(const uint64_t h[TB_LAT_SLOTS]);

/*
 * The p-th percentile (0 < p <= 100) of a log2 histogram, in microseconds:
 * the sample of rank ceil(p/100 * count), placed by linear interpolation
 * inside its slot, never above max_us when max_us is known (non-zero).
 * 0 for an empty histogram.
 */
uint64_t hist_percentile_us(const uint64_t h[TB_LAT_SLOTS], double p, uint64_t max_us);

/* Previous cumulative counts of every listener seen, by id. */
struct stats {
	struct stats_entry *items;
	size_t count, cap;
};

void stats_init(struct stats *s);
void stats_free(struct stats *s);

/*
 * Turn snapshots into interval reports: out[i] describes snaps[i], with
 * deltas against the previous snapshot of the same id (all of it for an id
 * seen first), and remember snaps as the new previous. Ids absent from
 * snaps are forgotten. out may be NULL: only remember (the first period).
 */
int stats_update(struct stats *s, const struct listener_snapshot *snaps, size_t n,
		 struct listener_report *out);

/*
 * A report of the whole run for one snapshot (cumulative counts); its
 * latency max is the highest of every period s has seen and of snap's.
 */
void stats_whole_run(const struct stats *s, const struct listener_snapshot *snap,
		     struct listener_report *out);

#endif /* TB_STATS_H */
