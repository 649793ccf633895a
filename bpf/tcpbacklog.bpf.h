/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared by the bpf/ files: the loader's settings, the maps,
 * the global functions and the structs passed between files.
 * `bpftool gen object` links the files into one object, one skeleton. The
 * maps and settings are defined in tcpbacklog.bpf.c (one file, linked
 * first: see there), each global function by the file that owns it. A
 * map's type is a typedef so that its definition and every extern name
 * the same type.
 */
#ifndef TB_TCPBACKLOG_BPF_H
#define TB_TCPBACKLOG_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "tcpbacklog.h"

#define AF_INET		2
#define AF_INET6	10
#define IPPROTO_TCP	6
#define TCP_LISTEN	10	/* enum tcp_state, stable since forever */
#define TCP_CLOSE	7
#define TCP_SYN_RECV	3
#define TCP_SYN_SENT	2
#define EAGAIN		11
#define EINTR		4
#define ERESTARTSYS	512
#define ECANCELED	125
#define RLIMIT_NOFILE	7
#define S_IFMT		00170000
#define S_IFSOCK	0140000

#define MAX_LISTENERS	65536

/* ---- set by the loader ---- */

/* scope.bpf.h: what the user asked to trace */
extern const volatile __u32 target_netns;	/* 0: every namespace */
extern const volatile __u32 target_pid;		/* 0: every process */
extern const volatile __u32 nports;		/* 0: every port */
extern const volatile __u16 ports[TB_MAX_PORTS];
extern volatile __u64 target_netns_cookie;	/* -n: the namespace's cookie, 0: unknown */
extern const volatile __u8 target_cgroup;	/* --cgroup: 1, the subtree is target_cgroups[0] */
/* emit.bpf.h */
extern const volatile __u32 rate_limit;		/* records per second per listener, 0 = unlimited */
extern const volatile __u8 no_records;		/* -q: count only, emit nothing */
/* syn.bpf.c: tcp_rcv_state_process, from kallsyms */
extern volatile __u64 syn_caller_start;
extern volatile __u64 syn_caller_end;
/* accept.bpf.c */
extern const volatile __u8 accepts_from_fexit;	/* inet_csk_accept exit counts accepts, not the syscalls */
extern const volatile __u8 track_acceptors;	/* -i: count accepts per process in map "acceptors" */
/* core_fixes.bpf.h: helpers the kernel has (enum bpf_func_id in its BTF), set by the loader */
extern const volatile __u8 has_task_btf;		/* bpf_get_current_task_btf, 5.11 */
extern const volatile __u8 has_task_pt_regs;		/* 5.15 */
/* mib.bpf.c: indexes into struct linux_mib, resolved by name from the kernel's BTF */
extern const volatile __u32 mib_listen_drops;
extern const volatile __u32 mib_listen_overflows;
extern const volatile __u32 mib_reqq_full_drop;
extern const volatile __u32 mib_syncookies_sent;

/* ---- maps: their types, then the maps by the file or header that uses them ---- */

/* Hash maps allocate as entries come: created in microseconds, memory as used. */
#define TB_GROWING_MAP(map_type, key_type, value_type, max)	\
	struct {						\
		__uint(type, map_type);				\
		__uint(map_flags, BPF_F_NO_PREALLOC);		\
		__uint(max_entries, max);			\
		__type(key, key_type);				\
		__type(value, value_type);			\
	}

#define TB_LRU_MAP(key_type, value_type, max)			\
	struct {						\
		__uint(type, BPF_MAP_TYPE_LRU_HASH);		\
		__uint(max_entries, max);			\
		__type(key, key_type);				\
		__type(value, value_type);			\
	}

#define TB_PERCPU_ARRAY(value_type, max)			\
	struct {						\
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);	\
		__uint(max_entries, max);			\
		__type(key, __u32);				\
		__type(value, value_type);			\
	}

/* This CPU's kernel listen-drop counters of a namespace, as last seen. */
struct mib_last {
	__u64 drops;
	__u64 overflows;
	__u64 reqq_full;
	__u64 syncookies;	/* SyncookiesSent */
	__u64 cookie;	/* the namespace's net_cookie: its inode is reused after it dies */
};

#define MAX_CLOSED	1024
#define EVENTS_BYTES	(1 << 18)

typedef TB_GROWING_MAP(BPF_MAP_TYPE_HASH, __u64, struct tb_listener, MAX_LISTENERS) tb_listener_map;
typedef TB_PERCPU_ARRAY(struct tb_listener, 1) tb_listener_scratch_map;
typedef TB_LRU_MAP(__u64, struct tb_listener, MAX_CLOSED) tb_closed_listener_map;
typedef TB_GROWING_MAP(BPF_MAP_TYPE_HASH, struct tb_addr_key, struct tb_group, MAX_LISTENERS) tb_group_map;
typedef TB_PERCPU_ARRAY(__u32, 2) tb_moved_count_map;
typedef TB_PERCPU_ARRAY(__u64, TB_TOTAL_MAX) tb_total_map;
typedef struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, EVENTS_BYTES);
} tb_event_ring;
typedef TB_PERCPU_ARRAY(__u64, 1) tb_percpu_u64_map;
typedef TB_GROWING_MAP(BPF_MAP_TYPE_PERCPU_HASH, __u32, struct mib_last, 8192) tb_mib_seen_map;
typedef TB_GROWING_MAP(BPF_MAP_TYPE_HASH, __u32, __u64, 8192) tb_netns_net_map;
typedef TB_GROWING_MAP(BPF_MAP_TYPE_HASH, __u64, struct tb_peaks, MAX_LISTENERS) tb_peak_map;
typedef TB_GROWING_MAP(BPF_MAP_TYPE_HASH, struct tb_errno_key, __u64, 16384) tb_errno_map;
typedef TB_LRU_MAP(__u64, __u64, 65536) tb_child_queued_map;
typedef TB_LRU_MAP(__u32, struct tb_rate_window, 4096) tb_caller_rate_map;
#define MAX_ACCEPTORS	16384
typedef TB_GROWING_MAP(BPF_MAP_TYPE_HASH, struct tb_acceptor_key, struct tb_acceptor, MAX_ACCEPTORS)
	tb_acceptor_map;
/*
 * Where a pending connect's end stands (connect_pending.state). The state
 * change and the application's getsockopt(SO_ERROR) run on different
 * CPUs in either order: each moves it by compare-and-swap, and whoever
 * moves it to PENDING_REPORTED reports, once.
 */
enum {
	PENDING_OPEN,		/* not ended, no error taken */
	PENDING_CLOSED,		/* left SYN_SENT for CLOSE with no error known */
	PENDING_TAKEN,		/* the application took error taken, before the state change */
	PENDING_REPORTED,	/* failed and reported: a later connect() returning it is not another failure */
};

/* A non-blocking connect in progress (connect.bpf.c): who started it. */
struct connect_pending {
	__u64 ino;		/* socket inode: a freed sock's address is reused */
	__u32 pid;
	__u32 state;		/* PENDING_*; before 5.17, only OPEN or REPORTED (no compare-and-swap) */
	char comm[TB_COMM_LEN];
	__u64 cgroup_id;	/* the caller's cgroup v2 id */
	__u32 in_cgroup;	/* --cgroup: the caller was in the traced subtree */
	__s32 err;		/* its error, seen before the state change (0: none yet) */
	__s32 taken;		/* PENDING_TAKEN: the error getsockopt(SO_ERROR) gave the application */
	__u32 pad;
};

typedef TB_LRU_MAP(__u64, struct connect_pending, 16384) tb_connect_pending_map;
#define MAX_DESTINATION_ENTRIES	4096
typedef TB_GROWING_MAP(BPF_MAP_TYPE_HASH, struct tb_destination_key, struct tb_destination_value, MAX_DESTINATION_ENTRIES)
	tb_destination_map;
#define MAX_TUPLES	16384
/*
 * Per-CPU LRU lists (one hash table): a flood inserts on every CPU, and a
 * common list's lock and eviction cost a dropped SYN 0.7 us here.
 */
typedef struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(max_entries, MAX_TUPLES);
	__type(key, struct tb_tuple_key);
	__type(value, struct tb_tuple);
} tb_tuple_map;

/* --cgroup: one slot, the traced subtree's cgroup (scope.bpf.h) */
typedef struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} tb_cgroup_array_map;
extern tb_cgroup_array_map target_cgroups SEC(".maps");

/* listeners.bpf.c: the registry */
extern tb_listener_map listeners SEC(".maps");
extern tb_listener_scratch_map listener_scratch SEC(".maps");
extern tb_closed_listener_map gone_listeners SEC(".maps");
/* reuseport.bpf.c: the listeners bound to each address */
extern tb_group_map groups SEC(".maps");

#ifdef TB_PRE_5_17
/* A group slot's owner, (group, slot) -> sk: taken by insertion, in place of compare-and-swap. */
struct tb_slot_key {
	struct tb_addr_key group;
	__u32 slot;
};
typedef TB_GROWING_MAP(BPF_MAP_TYPE_HASH, struct tb_slot_key, __u64, MAX_LISTENERS) tb_slot_map;
extern tb_slot_map group_slots SEC(".maps");

/* (listener, drop-counter value) claimed, in place of compare-and-swap: LRU, old ones go. */
struct tb_claim_key {
	__u64 sk;
	__u64 drops;
};
typedef TB_LRU_MAP(struct tb_claim_key, __u8, 4096) tb_claim_map;
extern tb_claim_map drop_claims SEC(".maps");
#endif
extern tb_moved_count_map moved_counts SEC(".maps");
typedef TB_PERCPU_ARRAY(struct tb_hot_listener, 1) tb_hot_listener_map;
extern tb_hot_listener_map hot_listener SEC(".maps");
extern volatile __u32 registry_gen;
/* emit.bpf.h: records and totals */
extern tb_total_map totals SEC(".maps");
extern tb_event_ring events SEC(".maps");
extern tb_percpu_u64_map reader_woken SEC(".maps");
extern tb_caller_rate_map caller_rates SEC(".maps");
/* mib.bpf.c, mib.bpf.h: the kernel's per-CPU counters */
extern tb_mib_seen_map mib_seen SEC(".maps");
extern tb_netns_net_map netns_net SEC(".maps");
extern tb_percpu_u64_map cpu_anchor SEC(".maps");
/* queues.bpf.c, queues.bpf.h: queue highs */
extern tb_peak_map peaks SEC(".maps");
/* accept.bpf.c; child_queued is set by listeners.bpf.c */
extern tb_errno_map accept_errnos SEC(".maps");
extern tb_child_queued_map child_queued SEC(".maps");
extern tb_acceptor_map acceptors SEC(".maps");
/* connect.bpf.c */
extern tb_connect_pending_map connect_pending SEC(".maps");
extern tb_destination_map destinations SEC(".maps");
/* client_cost.bpf.h: 4-tuples that had a packet dropped */
extern tb_tuple_map tuples SEC(".maps");
typedef TB_PERCPU_ARRAY(struct tb_rate_window, 1) tb_tuple_budget_map;
extern tb_tuple_budget_map tuple_budget SEC(".maps");
extern volatile __u32 tuples_used;

/* ---- shared structs and global functions ---- */

/* This CPU's listen drops in a namespace since it last looked (mib_take()). */
struct mib_delta {
	__u32 drops;		/* ListenDrops */
	__u32 overflows;	/* ListenOverflows: the accept queue was full */
	__u32 reqq_full;	/* TCPReqQFullDrop: the SYN queue was full, no cookies */
	__u32 syncookies;	/* SyncookiesSent: answered with a cookie, no request socket */
};

/* Which member of an address's SO_REUSEPORT group dropped (reuseport.bpf.c). */
struct drop_search {
	__u64 claimed_sk;		/* the listener whose drop counter moved: claimed by us */
	__u64 full_sk;			/* first listener seen with a full SYN queue */
	__u64 any_sk;			/* first listener seen */
	__u32 nmoved;			/* members whose drop counter had moved */
	__u32 nmembers;			/* registered members visited */
};

/*
 * This CPU's last SYN destination served by a single listener (syn.bpf.c):
 * the next SYN to the same (netns, family, port, address) skips the search
 * among the groups while the registry has not changed (registry_gen).
 */
struct tb_hot_listener {
	__u64 sk;
	__u64 daddr[2];
	__u32 netns;
	__u32 gen;			/* registry_gen when found */
	__u16 port;
	__u16 family;
	__u32 pad;
};

/*
 * TB_PRE_5_17: the object for kernels without bpf_loop (before 5.17),
 * built from the same sources; the loader picks one of the two. Such a
 * kernel may also refuse, even in dead code, any callback's address
 * (bpf_for_each_map_elem, 5.13) and atomics other than add (5.12), and
 * global functions with pointer arguments (5.12): that object has none.
 */
#ifdef TB_PRE_5_17
#define TB_GLOBAL_PTR_ARGS	__hidden
/* a back-edge after a helper call is refused before 5.13: no loops left */
#define TB_UNROLL		_Pragma("unroll")
#else
#define TB_GLOBAL_PTR_ARGS
#define TB_UNROLL
#endif

/*
 * Global functions: verified once with only their argument types, and
 * not __hidden: libbpf verifies a hidden one as a static subprogram, at
 * every call site (measured: the SYN path then verifies ten times the
 * instructions).
 */
/* mib.bpf.c */
extern __u64 this_cpu_offset(void);
/* reuseport.bpf.c */
extern TB_GLOBAL_PTR_ARGS int group_claim_drop(struct tb_addr_key *key, struct drop_search *s,
					       __u32 *nmoved, int sample, int claim);
/* connect.bpf.c: req is a struct io_kiocb * */
extern int uring_connect_complete(__u64 req, __s32 res);

#endif /* TB_TCPBACKLOG_BPF_H */
