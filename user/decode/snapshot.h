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
#define SNAPSHOT_ACCEPTORS	8	/* acceptors listed per listener, the busiest; the rest summed */

/* One process that accepted (or tried to) from a listener in one interval. */
struct acceptor_stats {
	uint32_t pid;			/* tgid, as the kernel numbers it */
	char comm[EVENT_COMM_LEN];	/* raw bytes: escape on output */
	uint64_t accepts;
	uint64_t accept_errors;
	/* at its last failed accept, from the kernel: what it ran into */
	uint64_t fail_nofile_limit;	/* UINT64_MAX unlimited; meaningless without a failure */
	int64_t fail_open_fds;		/* -1 unknown or no failure */
	/* at the report, from /proc */
	uint64_t nofile_limit;		/* 0 unknown, UINT64_MAX unlimited */
	int64_t open_fds;		/* -1 unknown */
};

/* The acceptors past SNAPSHOT_ACCEPTORS, summed. */
struct acceptors_rest {
	uint32_t processes;
	uint64_t accepts;
	uint64_t accept_errors;
};

/*
 * One listener as read from the kernel at one moment (user/decode/snapshot.c):
 * queue state now, highs since the previous read, cumulative counts.
 */
struct listener_snapshot {
	uint64_t id;			/* kernel socket address: stable while it listens */
	uint32_t netns;
	char netns_name[EVENT_NETNS_NAME_LEN];	/* "" none */
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
	/* the process that last accepted (or tried to), 0 none yet */
	uint32_t acceptor_pid;
	char acceptor_comm[EVENT_COMM_LEN];
	/* with -i: the processes that accepted in this interval, busiest first */
	bool acceptors_known;
	struct acceptor_stats acceptors[SNAPSHOT_ACCEPTORS];
	int nacceptors;
	struct acceptors_rest acceptors_other;
	/* cgroup v2 ids (0 unknown) of the owner and the last acceptor; identities filled by the reader */
	uint64_t cgroup_id;
	uint64_t acceptor_cgroup_id;
	bool in_cgroup;			/* --cgroup: the owner is in the traced subtree */
	struct cgroup_identity identity;
	struct cgroup_identity acceptor_identity;
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

/*
 * One process's accepts of the interval (map "acceptors"): listed when
 * among the SNAPSHOT_ACCEPTORS busiest (accepts + failures, then lowest
 * pid), else summed into acceptors_other.
 */
void snapshot_add_acceptor(struct listener_snapshot *s, uint32_t pid, const struct tb_acceptor *a);

/* Done: the queue lengths now are also a sample of the highs. */
void snapshot_finish(struct listener_snapshot *s);

/* Sort by id, and find by id in a sorted array (NULL when absent). */
void snapshot_sort(struct listener_snapshot *items, size_t n);
struct listener_snapshot *snapshot_find(struct listener_snapshot *items, size_t n, uint64_t id);

#endif /* TB_SNAPSHOT_H */
