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

#include "decode/event.h"

/* Accept failures of one listener for one errno. */
struct errno_count {
	int err;
	uint64_t count;
};

#define SNAPSHOT_ERRNOS	8	/* distinct errnos kept per listener */

/*
 * One listener as read from the kernel at one moment (user/decode/snapshot.c):
 * queue state now, highs since the previous read, cumulative counts.
 */
struct listener_snapshot {
	uint64_t id;			/* kernel socket address: stable while it listens */
	uint32_t netns;
	int family;			/* of the socket: AF_INET6 for dual-stack */
	char laddr[EVENT_ADDR_LEN];
	uint16_t lport;
	uint32_t pid;			/* owner, 0 unknown */
	char comm[EVENT_COMM_LEN];
	uint64_t ino;
	bool listening;			/* false: closed since (last report) */
	bool closed;			/* closed: the counts are final */
	/* now */
	uint32_t backlog;
	uint32_t backlog_max;
	uint32_t synq;
	/* highs since the previous snapshot */
	uint32_t backlog_peak;
	uint32_t synq_peak;
	uint64_t lat_max_ns;
	/* cumulative since the tracer started */
	uint64_t syn_drops[TB_REASON_MAX];
	uint64_t accept_overflows;
	uint64_t syncookies;
	uint64_t accepts;
	uint64_t accept_errors;
	uint64_t suppressed;		/* records held back by --rate-limit */
	uint64_t lost;			/* records lost: ring buffer full */
	uint64_t lat_us_hist[TB_LAT_SLOTS];
	struct errno_count errnos[SNAPSHOT_ERRNOS];
	int nerrnos;
	/*
	 * What the drops cost the clients: kernel counts (cumulative), the
	 * longest added delay since the previous read, and the loader's
	 * judgement of the 4-tuples (aggregate/client_cost.h).
	 */
	uint64_t tuples_tracked;
	uint64_t delayed;
	uint64_t retried_syns;
	uint64_t synack_retransmits;
	uint64_t delay_us_hist[TB_LAT_SLOTS];
	uint64_t delay_max_ns;
	uint64_t abandoned;
	uint64_t abandoned_unretried;
	uint64_t untracked;
	uint64_t pending;		/* now */
	uint64_t stale_unretried;	/* now: pending, never retried within the retry window */
	uint64_t stale_retried;
	/* the owner's file descriptors */
	uint64_t nofile_limit;		/* RLIMIT_NOFILE soft limit; 0 unknown, UINT64_MAX unlimited */
	int64_t open_fds;		/* -1 unknown */
};

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
