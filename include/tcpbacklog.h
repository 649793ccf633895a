/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ABI shared by the BPF programs (bpf/) and the loader (user/):
 * record kinds, drop reasons, the listener registry entry and the ring
 * buffer record. Fixed-width fields, explicit padding, sizes asserted, so
 * both compilers (clang -target bpf, gcc x86_64) agree byte for byte.
 */
#ifndef TCPBACKLOG_H
#define TCPBACKLOG_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define TB_COMM_LEN	16
#define TB_MAX_PORTS	16	/* -P may be given this many times */
#define TB_GROUP_SLOTS	16	/* SO_REUSEPORT members tracked per address */
#define TB_LAT_SLOTS	32	/* accept latency: log2 buckets of microseconds */
#define TB_PRE_5_17_OPEN_FDS	16384	/* open fds an accept error counts without bpf_loop */

/* What a ring-buffer record (struct tb_event) reports. */
enum tb_kind {
	TB_KIND_SYN_DROP	= 1,	/* SYN thrown away by a listener */
	TB_KIND_ACCEPT_OVERFLOW	= 2,	/* final ACK dropped: accept queue full */
	TB_KIND_ACCEPT_ERROR	= 3,	/* accept()/accept4() returned an error */
	TB_KIND_CONNECT_ERROR	= 4,	/* an outbound connect() failed, at once or later */
	TB_KIND_BIND_ERROR	= 5,	/* bind() of a TCP socket failed */
	TB_KIND_END,			/* one past the last kind: tests' "unknown kind" */
};

/* Why a listen drop happened (mirrors the order of tcp_conn_request()). */
enum tb_reason {
	TB_REASON_NONE			= 0,
	TB_REASON_ACCEPT_QUEUE_FULL	= 1,
	TB_REASON_SYN_QUEUE_FULL	= 2,
	TB_REASON_OTHER			= 3,
	TB_REASON_MAX			= 4,
};

/* Slots of the per-CPU totals array (map "totals"). Exact in-kernel counts. */
enum tb_total {
	TB_TOTAL_SYN_DROP_ACCEPT_QUEUE_FULL = 0,
	TB_TOTAL_SYN_DROP_SYN_QUEUE_FULL,
	TB_TOTAL_SYN_DROP_OTHER,
	TB_TOTAL_ACCEPT_OVERFLOW,		/* accept queue full at the ACK */
	TB_TOTAL_ACCEPT_OVERFLOW_OTHER,		/* listen drop at the ACK, queue not full */
	TB_TOTAL_ACCEPT_ERROR,
	TB_TOTAL_SUPPRESSED,			/* records not emitted on purpose */
	TB_TOTAL_LOST,				/* ring buffer full: record lost */
	TB_TOTAL_REGISTRY_FULL,			/* a listener or namespace found its map full */
	TB_TOTAL_AMBIGUOUS,			/* drops whose SO_REUSEPORT member was a guess */
	TB_TOTAL_LATE,				/* drops no packet showed, found at exit */
	TB_TOTAL_CONNECT_ERROR,
	TB_TOTAL_BIND_ERROR,
	/* what the drops cost the clients (client_cost.bpf.h) */
	TB_TOTAL_TUPLES_TRACKED,		/* 4-tuples that had a packet dropped, first time seen */
	TB_TOTAL_DELAYED,			/* of them, established after all */
	TB_TOTAL_RETRIED_SYN,			/* SYNs of a 4-tuple whose earlier SYN was dropped */
	TB_TOTAL_SYNACK_RETRANSMIT,		/* listeners' SYN-ACK retransmits */
	TB_TOTAL_MAX,
};

/* Bits of tb_event.flags. */
enum tb_event_flags {
	/*
	 * Two members of one SO_REUSEPORT group dropped at the same instant:
	 * the record names one of them, perhaps the other one's drop.
	 */
	TB_EVENT_F_AMBIGUOUS = 1,
	/* listen_addr holds the bound address of the record's listener */
	TB_EVENT_F_LISTEN_ADDR = 2,
};

/* Where a listener's owner came from. */
enum tb_owner_src {
	TB_OWNER_UNKNOWN = 0,	/* seeded by iter/tcp: resolved from /proc */
	TB_OWNER_LISTEN	 = 1,	/* the task that called listen() */
	TB_OWNER_PROC	 = 2,	/* written by the loader after a /proc scan */
};

/*
 * Addresses are kept as 16 bytes; IPv4 in the IPv4-mapped IPv6 form
 * (::ffff:a.b.c.d), so one key type serves both families.
 */
struct tb_addr_key {
	__u32 netns;		/* network namespace inode */
	__u16 port;		/* host byte order */
	__u16 pad;
	__u8  addr[16];
};

/* Value of map "groups": the listeners bound to one tb_addr_key. */
struct tb_group {
	__u64 socks[TB_GROUP_SLOTS];	/* struct sock * of each member, 0 = free */
	__u32 used;			/* bit i: socks[i] was ever taken (set first, never cleared) */
	__u32 pad;
};

/* A listener's queues at the moment the loader last asked. */
struct tb_queue_state {
	__u32 backlog;		/* accept queue length (sk_ack_backlog) */
	__u32 backlog_max;	/* sk_max_ack_backlog */
	__u32 synq;		/* SYN queue length (icsk_accept_queue.qlen) */
	__u32 state;		/* TCP state, 10 = LISTEN */
};

/* Value of map "listeners" (key: struct sock * as __u64). */
struct tb_listener {
	struct tb_addr_key addr;	/* where it listens */
	__u16 family;			/* AF_INET / AF_INET6 of the socket */
	__u16 owner_src;		/* enum tb_owner_src */
	__u32 owner_pid;		/* tgid of the owner */
	__u64 ino;			/* socket inode, to find owners in /proc */
	__u32 last_drops;		/* sk_drops when last looked at */
	__u32 in_cgroup;		/* --cgroup: the owner is in the traced subtree */
	char  owner_comm[TB_COMM_LEN];
	/* exact per-listener counts, updated atomically */
	__u64 syn_drops[TB_REASON_MAX];
	__u64 accept_overflows;
	__u64 accept_errors;
	__u64 accepts;			/* connections taken by accept() */
	__u64 syncookies;		/* SYN-ACKs sent with a cookie */
	__u64 suppressed;		/* records not emitted: over --rate-limit */
	__u64 lost;			/* records lost: ring buffer full */
	__u64 window_start_ns;		/* rate limit: start of the current second */
	__u32 window_records;		/* rate limit: records emitted in it */
	__u32 pad2;
	/* accept latency, queued -> accept() returned: slot i counts [2^i, 2^(i+1)) us, slot 0 [0, 2) */
	__u64 lat_us_hist[TB_LAT_SLOTS];
	/* queue state, written by the "listener_queues" program when the loader runs it */
	struct tb_queue_state now;
	/* identity: cgroup v2 ids (0 unknown), resolved to paths by the loader */
	__u64 owner_cgroup_id;		/* the owner's cgroup when it called listen() */
	__u64 acceptor_cgroup_id;	/* the last acceptor's cgroup */
	__u32 acceptor_pid;		/* tgid that last accepted (or tried to), 0 none yet */
	__u32 pad3;
	char  acceptor_comm[TB_COMM_LEN];
	/* what the drops cost the clients: 4-tuples with a dropped packet, and what became of them */
	__u64 tuples_tracked;		/* entered map "tuples" */
	__u64 delayed;			/* of them, established after all */
	__u64 retried_syns;		/* SYNs of a 4-tuple whose earlier SYN was dropped */
	__u64 synack_retransmits;	/* SYN-ACKs sent again (tcp:tcp_retransmit_synack) */
	/* added delay, first drop -> established: slot i counts [2^i, 2^(i+1)) us, slot 0 [0, 2) */
	__u64 delay_us_hist[TB_LAT_SLOTS];
	__u64 delay_max_ns;		/* closed: the longest added delay of its last period */
};

/*
 * Value of map "peaks" (key: struct sock * of a listener): highs since the
 * loader last read, and deleted, the entry.
 */
struct tb_peaks {
	__u32 backlog_peak;
	__u32 synq_peak;
	__u64 lat_max_ns;
	__u64 delay_max_ns;	/* longest added delay of a connection (client_cost.bpf.h) */
};

/* Key of map "accept_errnos": accept() failures per listener and errno. */
struct tb_errno_key {
	__u64 sk;		/* the listener, 0 when the fd was not a socket */
	__s32 err;		/* positive errno */
	__u32 pad;
};

/*
 * Key of map "destinations": outbound connects toward one destination of
 * one namespace. err 0: connects that sent their SYN, counted only once
 * the destination has failed; err > 0: the failures with that errno.
 */
struct tb_destination_key {
	__u32 netns;
	__u16 family;
	__u16 rport;
	__u8  raddr[16];	/* IPv4 in the first 4 bytes */
	__s32 err;
};

/*
 * Value of map "destinations". For a failure key (err > 0): the last
 * process that failed, and for EADDRNOTAVAIL the namespace's port range
 * then, so the loader can count the ports held and size the range even
 * when no record is emitted (-q, --rate-limit).
 */
struct tb_destination_value {
	__u64 count;
	__u32 pid;		/* tgid, 0 for err 0 */
	__u16 port_low;		/* ip_local_port_range at the last EADDRNOTAVAIL, 0 0 unknown */
	__u16 port_high;
};

/*
 * Value of map "caller_rates" (key: tgid): the rate limit of records that
 * belong to no listener (connect_error, bind_error), per calling process.
 */
struct tb_rate_window {
	__u64 window_start_ns;		/* start of the current second */
	__u32 window_records;		/* records emitted in it */
	__u32 pad;
};

/* Key of map "acceptors": one process (tgid) accepting from one listener. */
struct tb_acceptor_key {
	__u64 sk;		/* the listener's struct sock * */
	__u32 tgid;
	__u32 pad;
};

/* Value of map "acceptors": what that process did since the loader last took the entry. */
struct tb_acceptor {
	__u64 accepts;		/* connections it took */
	__u64 accept_errors;	/* failed accepts (retries such as EAGAIN are not failures) */
	__u64 nofile_limit;	/* RLIMIT_NOFILE soft limit at its last failure */
	__s32 open_fds;		/* fds open at its last failure; -1 unknown or no failure */
	__u32 pad;
	__u64 cgroup_id;	/* cgroup v2 id at its last attempt */
	char  comm[TB_COMM_LEN];	/* at its last attempt */
};

/* One ring-buffer record. */
struct tb_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 listener_ino;	/* socket inode of the listener, 0 unknown */
	__u64 nofile_limit;	/* accept_error: RLIMIT_NOFILE soft limit */
	__u32 kind;		/* enum tb_kind */
	__u32 reason;		/* enum tb_reason */
	__u32 netns;
	__u32 pid;		/* owner of the listener, or accept() caller */
	__u16 family;		/* AF_INET / AF_INET6 of the addresses below */
	__u16 lport;
	__u16 rport;		/* 0: no peer (accept_error, bind_error) */
	__u16 flags;		/* enum tb_event_flags */
	__u8  laddr[16];	/* IPv4 in the first 4 bytes when family is AF_INET */
	__u8  raddr[16];
	__u32 backlog;		/* accept queue length (sk_ack_backlog) */
	__u32 backlog_max;	/* sk_max_ack_backlog */
	__u32 synq;		/* SYN queue length (icsk_accept_queue.qlen) */
	__s32 err;		/* accept/connect/bind_error: positive errno */
	__s32 open_fds;		/* accept_error: fds open in the caller, -1 unknown */
	__u16 port_low;		/* connect_error EADDRNOTAVAIL: the namespace's */
	__u16 port_high;	/* ip_local_port_range */
	char  comm[TB_COMM_LEN];
	/* identity of pid/comm above and of the listener's last acceptor */
	__u64 cgroup_id;		/* cgroup v2 id of pid, 0 unknown */
	__u64 acceptor_cgroup_id;	/* cgroup v2 id of acceptor_pid, 0 unknown */
	__u32 acceptor_pid;		/* last accept() caller of the listener, 0 none yet */
	__u32 pad2;
	char  acceptor_comm[TB_COMM_LEN];
	__u8  listen_addr[16];		/* the listener's bound address (laddr is the packet's) */
	__u32 attempt;			/* syn_drop: this 4-tuple's SYN number (1 first), 0 untracked */
	__u32 pad3;
};

/*
 * Key of map "tuples": one connection attempt, as its packets name it
 * (saddr/sport the client's). Addresses in the IPv4-mapped form, like
 * tb_addr_key, so a dual-stack listener's child finds its SYN's entry.
 */
struct tb_tuple_key {
	__u32 netns;
	__u16 sport;		/* host byte order */
	__u16 dport;
	__u8  saddr[16];
	__u8  daddr[16];
};

/* Value of map "tuples": a 4-tuple that had a packet dropped, not yet established. */
struct tb_tuple {
	__u64 listener;		/* struct sock * of the listener that dropped it, 0 unknown */
	__u64 first_drop_ns;	/* bpf_ktime_get_ns() of the first dropped packet */
	__u64 last_ns;		/* of its last SYN or dropped packet: --abandon-after counts from here */
	__u32 attempts;		/* SYNs seen, the first dropped one included (0: only an ACK was dropped) */
	__u32 pad;
};

_Static_assert(sizeof(struct tb_addr_key) == 24, "tb_addr_key layout");
_Static_assert(sizeof(struct tb_group) == 8 * TB_GROUP_SLOTS + 8, "tb_group layout");
_Static_assert(TB_GROUP_SLOTS <= 32, "tb_group.used has a bit per slot");
_Static_assert(sizeof(struct tb_listener) == 472 + 40 + 8 * TB_LAT_SLOTS, "tb_listener layout");
_Static_assert(sizeof(struct tb_event) == 184, "tb_event layout");
_Static_assert(sizeof(struct tb_peaks) == 24, "tb_peaks layout");
_Static_assert(sizeof(struct tb_tuple_key) == 40, "tb_tuple_key layout");
_Static_assert(sizeof(struct tb_tuple) == 32, "tb_tuple layout");
_Static_assert(sizeof(struct tb_errno_key) == 16, "tb_errno_key layout");
_Static_assert(sizeof(struct tb_queue_state) == 16, "tb_queue_state layout");
_Static_assert(sizeof(struct tb_destination_key) == 28, "tb_destination_key layout");
_Static_assert(sizeof(struct tb_rate_window) == 16, "tb_rate_window layout");
_Static_assert(sizeof(struct tb_destination_value) == 16, "tb_destination_value layout");
_Static_assert(sizeof(struct tb_acceptor_key) == 16, "tb_acceptor_key layout");
_Static_assert(sizeof(struct tb_acceptor) == 56, "tb_acceptor layout");

#endif /* TCPBACKLOG_H */
