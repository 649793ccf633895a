// SPDX-License-Identifier: GPL-2.0
/*
 * The definitions of what tcpbacklog.bpf.h declares: every map and every
 * setting of the loader, grouped by the file that uses them. One file,
 * linked first: bpftool 7.1's linker gives a map defined in a later file
 * than one using it the wrong offset in the object's BTF (the map then
 * fails to load), and the maps are used across files in both directions
 * (the registry and the groups use each other).
 */
#include "tcpbacklog.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* ---- scope.bpf.h: what the user asked to trace, set between open and load ---- */
const volatile __u32 target_netns = 0;
const volatile __u32 target_pid = 0;
const volatile __u32 nports = 0;
const volatile __u16 ports[TB_MAX_PORTS] = { 0 };
/*
 * With -n, the namespace's net_cookie: writable data, set by the loader
 * while seeding (it is inside that namespace then), before the counting
 * programs attach. 0: unknown (before 5.14), the inode alone decides.
 */
volatile __u64 target_netns_cookie;
/* --cgroup: the subtree's directory fd goes into target_cgroups[0] after load */
const volatile __u8 target_cgroup = 0;
tb_cgroup_array_map target_cgroups SEC(".maps");

/* ---- emit.bpf.h: records and totals ---- */
const volatile __u32 rate_limit = 0;	/* --rate-limit */
const volatile __u8 no_records = 0;	/* -q */

/* Exact totals for the traced scope, indexed by enum tb_total. */
tb_total_map totals SEC(".maps");

/*
 * Incident records for the loader. 256 KiB (2048 records): the loader is
 * woken at a quarter full, and under a flood with no rate limit (250k
 * records/s here) it lost none. The buffer is mapped twice into the loader,
 * so each KiB here costs two of its resident memory.
 */
tb_event_ring events SEC(".maps");

/* When this CPU last woke the loader for records (see event_submit()). */
tb_percpu_u64_map reader_woken SEC(".maps");

/* Process (tgid) -> its --rate-limit window for records with no listener. */
tb_caller_rate_map caller_rates SEC(".maps");

/* ---- listeners.bpf.c: the registry ---- */

/* Registry of listening sockets: struct sock * -> state and exact counts. */
tb_listener_map listeners SEC(".maps");

/* Room to build a registry entry: too large for the BPF stack. */
tb_listener_scratch_map listener_scratch SEC(".maps");

/*
 * Listeners that closed (key: struct sock *), as they were at the close:
 * the loader reports their last partial interval, then deletes them. The
 * most recent closes are kept, should the loader fall behind.
 */
tb_closed_listener_map gone_listeners SEC(".maps");

/* ---- reuseport.bpf.c: SO_REUSEPORT groups ---- */

/* (netns, port, address) -> the listeners bound there. */
tb_group_map groups SEC(".maps");
#ifdef TB_PRE_5_17
tb_slot_map group_slots SEC(".maps");
tb_claim_map drop_claims SEC(".maps");
#endif

/*
 * Per path (TB_PATH_SYN, TB_PATH_ACK), the members seen moved while
 * visiting a group: a counter in map memory, not on the stack, so that
 * the verifier does not follow its every value through the visiting loop.
 */
tb_moved_count_map moved_counts SEC(".maps");

/*
 * Bumped whenever a listener joins or leaves the registry: a SYN path
 * cache entry (hot_listener) from before a change is not used after it.
 */
volatile __u32 registry_gen;

/* This CPU's last single-listener SYN destination (syn.bpf.c). */
tb_hot_listener_map hot_listener SEC(".maps");

/* ---- mib.bpf.c: the kernel's per-CPU listen-drop counters ---- */

/* indexes into struct linux_mib, resolved by name from the kernel's BTF */
const volatile __u32 mib_listen_drops = 0;
const volatile __u32 mib_listen_overflows = 0;
const volatile __u32 mib_reqq_full_drop = 0;
const volatile __u32 mib_syncookies_sent = 0;

/*
 * Last values seen, per CPU, by namespace inode; the loader sets them on
 * every CPU for the namespaces that exist at start.
 */
tb_mib_seen_map mib_seen SEC(".maps");

/* Namespace inode -> struct net *, for the loader's baseline runs. */
tb_netns_net_map netns_net SEC(".maps");

/*
 * A per-CPU array whose address gives this CPU's per-CPU offset: this
 * CPU's copy minus the per-CPU base the array keeps. Each CPU's copy then
 * keeps the result (see this_cpu_offset()). Kernels without data symbols
 * in kallsyms cannot give the offset as a ksym.
 */
tb_percpu_u64_map cpu_anchor SEC(".maps");

/* ---- queues.bpf.c ---- */

/* Listener -> highs since the loader last read (and deleted) the entry. */
tb_peak_map peaks SEC(".maps");

/* ---- core_fixes.bpf.h: helpers the kernel has ---- */

const volatile __u8 has_task_btf = 1;
const volatile __u8 has_task_pt_regs = 1;

/* ---- accept.bpf.c ---- */

/* inet_csk_accept's exit counts accepts, not the syscalls */
const volatile __u8 accepts_from_fexit = 0;

/* -i: the loader takes map "acceptors" each interval; without it nobody would */
const volatile __u8 track_acceptors = 0;

/*
 * (listener, process) -> its accepts and failures since the loader last
 * took the entry. A full map is counted in TB_TOTAL_REGISTRY_FULL.
 */
tb_acceptor_map acceptors SEC(".maps");

/* (listener, errno) -> accept() failures. */
tb_errno_map accept_errnos SEC(".maps");

/*
 * New connection (child socket) -> when it was queued for accept(): set
 * as the child is cloned from its listener (listener_state).
 */
tb_child_queued_map child_queued SEC(".maps");

/* ---- connect.bpf.c ---- */

/*
 * Socket -> the non-blocking connect() in progress on it (EINPROGRESS):
 * its failure, seen at the state change in softirq, names that caller.
 * Successful connects leave theirs to the LRU.
 */
tb_connect_pending_map connect_pending SEC(".maps");

/*
 * (netns, destination, errno) -> failed connects, the last caller and
 * port range; errno 0: connects that sent a SYN since the destination's
 * first failure. Never deleted: a
 * full map stops taking new destinations.
 */
tb_destination_map destinations SEC(".maps");

/* ---- syn.bpf.c ---- */

/*
 * tcp_rcv_state_process, from kallsyms: writable data, set by the loader
 * after load (reading kallsyms runs beside the BPF load). Until set, the
 * SYN path ignores packets; drops then are counted at the next packet.
 */
volatile __u64 syn_caller_start;
volatile __u64 syn_caller_end;

/* ---- client_cost.bpf.h, client_cost.bpf.c ---- */

/*
 * 4-tuple -> its first dropped packet, until the connection is
 * established (deleted here: delayed) or judged abandoned by the loader
 * (deleted there). LRU: under a flood of spoofed SYNs the oldest go, and
 * a real client's retries keep its entry fresh. Entries pushed out are
 * counted by the loader as untracked (tracked - delayed - abandoned -
 * pending).
 */
tb_tuple_map tuples SEC(".maps");

/*
 * This CPU's insertions into "tuples" in the current second: at most
 * TUPLE_INSERTS_PER_SEC (client_cost.bpf.h), the cost of a flood.
 */
tb_tuple_budget_map tuple_budget SEC(".maps");

/* Set at the first tracked drop: until then SYNs and new connections skip the lookup. */
volatile __u32 tuples_used;
