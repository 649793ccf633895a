/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The metrics' time series across reads: one per label set (netns, laddr,
 * lport, comm), its counters monotonic for the life of the tracer. A
 * listener that leaves (closed, or gone from a read) has its last counts
 * folded into its series' retired part, so the series never goes down
 * and a listener that comes back with the same labels continues it.
 * A series with no listener left keeps its counters until a scrape has
 * seen its final values and SERIES_RETAIN_NS has passed; at most
 * SERIES_RETAINED_MAX such series are kept, the oldest dropped first and
 * counted. Gauges are those of the listeners listening now: a series with
 * none has no gauge samples. Pure: no I/O, the clock is the caller's.
 */
#ifndef TB_SERIES_H
#define TB_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/snapshot.h"

/*
 * Scrape intervals are 15-60 s; a retained series must outlive a missed
 * scrape or two of the slowest scraper and a Prometheus restart.
 */
#define SERIES_RETAIN_NS	(10 * 60 * 1000000000LL)
/* A closed label set costs about 5 KiB of exposition text per scrape. */
#define SERIES_RETAINED_MAX	1024

/* Counts that only grow while one listener lives. */
struct series_counts {
	uint64_t syn_drops[TB_REASON_MAX];
	uint64_t accept_overflows;
	uint64_t syncookies;
	uint64_t accepts;
	uint64_t suppressed;
	uint64_t lost;
	uint64_t lat_us_hist[TB_LAT_SLOTS];
	/* what the drops cost the clients */
	uint64_t delayed;
	uint64_t retried_syns;
	uint64_t synack_retransmits;
	uint64_t abandoned;
	uint64_t untracked;
	uint64_t delay_us_hist[TB_LAT_SLOTS];
};

struct series {
	char *labels;			/* netns="..",laddr="..",lport="..",comm=".." */
	uint32_t hash;
	/* what listeners that left had counted: only grows */
	struct series_counts retired;
	struct errno_count *retired_errnos;
	size_t nretired_errnos, retired_errnos_cap;
	/* since when no listener is in it; 0: it has one */
	int64_t orphaned_ns;
	uint64_t orphaned_seq;		/* the first render without a listener */
	/* the last series_table_render(): retired + live listeners */
	struct series_counts total;
	struct errno_count *errnos;	/* in order of first appearance */
	size_t nerrnos, errnos_cap;
	unsigned int members;		/* listeners in it, closed ones not counted */
	unsigned int listening;		/* of them, listening now: gauges below */
	uint64_t backlog;
	uint64_t backlog_max;
	uint64_t synq;
};

struct tracked_listener;

struct series_table {
	struct series **series;		/* in order of first appearance */
	size_t count, cap;
	size_t *slots;			/* open addressing: index + 1, 0 = free */
	size_t nslots;			/* power of two, > 2 * count */
	struct tracked_listener *tracked;	/* sorted by id, ino */
	size_t ntracked, tracked_cap;
	uint64_t seq;			/* renders so far */
	uint64_t evicted;		/* retained series dropped for room */
};

void series_table_init(struct series_table *table);
void series_table_free(struct series_table *table);

/*
 * A read of every listener in scope: live listeners update their series,
 * closed ones fold their final counts in (once, however often a closed
 * listener is read), and listeners missing from the read fold their last
 * counts. -1: out of memory (the counts already folded stay).
 */
int series_table_observe(struct series_table *table, const struct listener_snapshot *snaps, size_t n);

/*
 * Observe snaps, then bring every series' total and gauges up to date and
 * drop the retained series whose time is up: scraped_seq is the newest
 * render a scrape has received. Returns the seq of this render (> 0), or
 * 0 when out of memory.
 */
uint64_t series_table_render(struct series_table *table, const struct listener_snapshot *snaps,
			     size_t n, int64_t now_ns, uint64_t scraped_seq);

#endif /* TB_SERIES_H */
