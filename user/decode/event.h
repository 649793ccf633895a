/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoded records: what formatters and aggregation see. Built from the
 * raw BPF structs by decode.c, never by the formatters themselves.
 */
#ifndef TB_EVENT_H
#define TB_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "tcpbacklog.h"

#define EVENT_ADDR_LEN	INET6_ADDRSTRLEN
#define EVENT_COMM_LEN	(TB_COMM_LEN + 1)

struct event {
	enum tb_kind kind;
	enum tb_reason reason;		/* syn_drop / accept_overflow */
	uint64_t time_ns;		/* CLOCK_REALTIME, ns since the epoch */
	uint32_t netns;			/* network namespace inode */
	int family;			/* AF_INET, AF_INET6; 0 when unknown */
	char laddr[EVENT_ADDR_LEN];	/* "" when unknown */
	uint16_t lport;
	bool has_peer;			/* raddr/rport valid */
	char raddr[EVENT_ADDR_LEN];
	uint16_t rport;
	uint32_t pid;			/* listener owner, or accept() caller */
	char comm[EVENT_COMM_LEN];	/* raw bytes, NUL-terminated: escape on output */
	uint32_t backlog;
	uint32_t backlog_max;
	uint32_t synq;
	int err;			/* accept_error: positive errno */
	uint64_t nofile_limit;		/* accept_error: RLIMIT_NOFILE soft limit */
	int64_t open_fds;		/* accept_error: -1 when unknown */
	uint64_t listener_ino;		/* socket inode, 0 when unknown */
	bool ambiguous;			/* SO_REUSEPORT member guessed (TB_EVENT_F_AMBIGUOUS) */
};

/* Exact in-kernel counts for the traced scope, summed over CPUs. */
struct totals {
	uint64_t syn_drop;			/* all reasons */
	uint64_t syn_drop_by_reason[TB_REASON_MAX];
	uint64_t accept_overflow;		/* includes accept_overflow_other */
	uint64_t accept_overflow_other;
	uint64_t accept_error;
	uint64_t suppressed;
	uint64_t lost;
	uint64_t registry_full;
	uint64_t ambiguous;			/* drops whose SO_REUSEPORT member was a guess */
	uint64_t late;				/* drops no packet showed, found at exit (no record) */
	uint64_t missed_runs;			/* program runs the kernel skipped (recursion) */
};

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
	/* the owner's file descriptors */
	uint64_t nofile_limit;		/* RLIMIT_NOFILE soft limit; 0 unknown, UINT64_MAX unlimited */
	int64_t open_fds;		/* -1 unknown */
};

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
	bool active;			/* anything happened, or a queue is not empty */
};

#define HINT_TEXT_LEN	320

/* Tuning advice backed by the data of one listener. */
struct hint {
	uint32_t netns;
	char laddr[EVENT_ADDR_LEN];
	uint16_t lport;
	const char *kind;		/* stable identifier, e.g. "backlog_clamped" */
	char text[HINT_TEXT_LEN];	/* one sentence for people */
};

/* Host settings that decide what to tune (-1: unreadable). */
struct sysctls {
	long somaxconn;
	long tcp_max_syn_backlog;
	long tcp_syncookies;
	long tcp_abort_on_overflow;
	long file_max;			/* fs.file-max */
	long nr_open;			/* fs.nr_open */
};

/* What the start record tells. */
struct start_info {
	const char *mode;		/* "tracepoint", ... */
	const char *kernel;		/* uname -r */
	const char *const *probes;	/* NULL-terminated list of attached programs */
	uint32_t netns;			/* 0: all namespaces */
	const uint16_t *ports;		/* filter, nports entries */
	int nports;
	uint32_t pid;			/* 0: all processes */
	double duration;		/* 0: until interrupted */
	long somaxconn;			/* -1 when unreadable */
	long tcp_max_syn_backlog;
	long tcp_syncookies;
	long tcp_abort_on_overflow;
	long file_max;			/* fs.file-max, -1 when unreadable */
	long nr_open;			/* fs.nr_open */
	double interval;		/* -i seconds, 0: no listener records */
	uint32_t listeners;		/* listeners known at start */
};

const char *kind_name(enum tb_kind kind);	/* "syn_drop", ... */
const char *reason_name(enum tb_reason reason);	/* "accept_queue_full", ... */
const char *errno_name(int err);		/* "EMFILE", ...; "E<num>" unknown never NULL */

#endif /* TB_EVENT_H */
