/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The maps, the loader-set constants and the small helpers every hook
 * uses. Every bpf/ program file includes this; maps.bpf.c defines (TB_DEFINE)
 * what the others see as extern, and `bpftool gen object` links them
 * into one object, one skeleton.
 */
#ifndef TB_MAPS_BPF_H
#define TB_MAPS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "tcpbacklog.h"

#ifdef TB_DEFINE
#define TB_MAP
#define TB_CONST(type, name)	const volatile type name = { 0 }
#else
#define TB_MAP			extern
#define TB_CONST(type, name)	extern const volatile type name
#endif

#define AF_INET		2
#define AF_INET6	10
#define IPPROTO_TCP	6
#define TCP_LISTEN	10	/* enum tcp_state, stable since forever */
#define TCP_CLOSE	7
#define TCP_SYN_RECV	3
#define EAGAIN		11
#define EINTR		4
#define ERESTARTSYS	512
#define ECANCELED	125
#define RLIMIT_NOFILE	7
#define S_IFMT		00170000
#define S_IFSOCK	0140000

#define MAX_LISTENERS	65536

/* ---- set by the loader between open and load ---- */
TB_CONST(__u32, target_netns);		/* 0: every namespace */
TB_CONST(__u32, target_pid);		/* 0: every process */
TB_CONST(__u32, nports);		/* 0: every port */
TB_CONST(__u16, ports[TB_MAX_PORTS]);
/*
 * tcp_rcv_state_process, from kallsyms: writable data, set by the loader
 * after load (reading kallsyms runs beside the BPF load). Until set, the
 * SYN path ignores packets; drops then are counted at the next packet.
 */
#ifdef TB_DEFINE
volatile __u64 syn_caller_start;
volatile __u64 syn_caller_end;
#else
extern volatile __u64 syn_caller_start;
extern volatile __u64 syn_caller_end;
#endif
/*
 * With -n, the namespace's net_cookie: writable data, set by the loader
 * while seeding (it is inside that namespace then), before the counting
 * programs attach. 0: unknown (before 5.14), the inode alone decides.
 */
#ifdef TB_DEFINE
volatile __u64 target_netns_cookie;
#else
extern volatile __u64 target_netns_cookie;
#endif
TB_CONST(__u8, synq_full_ge);		/* SYN queue full at qlen >= max (older kernels), else > max */
TB_CONST(__u8, accepts_from_fexit);	/* inet_csk_accept exit counts accepts, not the syscalls */
TB_CONST(__u32, rate_limit);		/* records per second per listener, 0 = unlimited */
TB_CONST(__u8, no_records);		/* -q: count only, emit nothing */
/* indexes into struct linux_mib, resolved by name from the kernel's BTF */
TB_CONST(__u32, mib_listen_drops);
TB_CONST(__u32, mib_listen_overflows);
TB_CONST(__u32, mib_reqq_full_drop);
TB_CONST(__u32, mib_syncookies_sent);


/* ---- maps ---- */

/* Registry of listening sockets: struct sock * -> state and exact counts. */
TB_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* created in microseconds, memory as used */
	__uint(max_entries, MAX_LISTENERS);
	__type(key, __u64);
	__type(value, struct tb_listener);
} listeners SEC(".maps");

/* (netns, port, address) -> the listeners bound there (SO_REUSEPORT groups). */
TB_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* created in microseconds, memory as used */
	__uint(max_entries, MAX_LISTENERS);
	__type(key, struct tb_addr_key);
	__type(value, struct tb_group);
} groups SEC(".maps");

/* Exact totals for the traced scope, indexed by enum tb_total. */
TB_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TB_TOTAL_MAX);
	__type(key, __u32);
	__type(value, __u64);
} totals SEC(".maps");

/*
 * Incident records for the loader. 256 KiB (2048 records): the loader is
 * woken at a quarter full, and under a flood with no rate limit (250k
 * records/s here) it lost none. The buffer is mapped twice into the loader,
 * so each KiB here costs two of its resident memory.
 */
#define EVENTS_BYTES	(1 << 18)
TB_MAP struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, EVENTS_BYTES);
} events SEC(".maps");

/* When this CPU last woke the loader for records (see event_submit()). */
TB_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} reader_woken SEC(".maps");

/*
 * The kernel's own listen-drop counters (ListenDrops, ListenOverflows,
 * TCPReqQFullDrop) are per network namespace and per CPU. A listener's
 * packets are processed in softirq, one at a time per CPU, so the change
 * of this CPU's counters since this CPU last looked is exactly what the
 * packet at hand did: exact counts, whatever the other CPUs do at the
 * same time. Last values seen, per CPU, by namespace inode; the loader
 * sets them on every CPU for the namespaces that exist at start.
 */
struct mib_last {
	__u64 drops;
	__u64 overflows;
	__u64 reqq_full;
	__u64 syncookies;	/* SyncookiesSent */
	__u64 cookie;	/* the namespace's net_cookie: its inode is reused after it dies */
};

TB_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* created in microseconds, memory as used */
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct mib_last);
} mib_seen SEC(".maps");

/* Namespace inode -> struct net *, for the loader's baseline runs. */
TB_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* created in microseconds, memory as used */
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u64);
} netns_net SEC(".maps");

/*
 * A per-CPU array whose address gives this CPU's per-CPU offset: this
 * CPU's copy minus the per-CPU base the array keeps. Each CPU's copy then
 * keeps the result (see this_cpu_offset()). Kernels without data symbols
 * in kallsyms cannot give the offset as a ksym.
 */
TB_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} cpu_anchor SEC(".maps");

/* Room to build a registry entry: too large for the BPF stack. */
TB_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tb_listener);
} listener_scratch SEC(".maps");

/* Listener -> highs since the loader last read (and deleted) the entry. */
TB_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* created in microseconds, memory as used */
	__uint(max_entries, MAX_LISTENERS);
	__type(key, __u64);
	__type(value, struct tb_peaks);
} peaks SEC(".maps");

/* (listener, errno) -> accept() failures. */
TB_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* created in microseconds, memory as used */
	__uint(max_entries, 16384);
	__type(key, struct tb_errno_key);
	__type(value, __u64);
} accept_errnos SEC(".maps");

/*
 * Listeners that closed (key: struct sock *), as they were at the close:
 * the loader reports their last partial interval, then deletes them. The
 * most recent closes are kept, should the loader fall behind.
 */
#define MAX_CLOSED	1024
TB_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_CLOSED);
	__type(key, __u64);
	__type(value, struct tb_listener);
} gone_listeners SEC(".maps");

/* New connection (child socket) -> when it was queued for accept(). */
TB_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u64);
} child_queued SEC(".maps");

/*
 * Per path (0: SYN, 1: ACK), the members seen moved while visiting a
 * group: a counter in map memory, not on the stack, so that the verifier
 * does not follow its every value through the visiting loop.
 */
enum { TB_PATH_SYN = 0, TB_PATH_ACK = 1 };
TB_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} moved_counts SEC(".maps");

/* ---- helpers ---- */

static __always_inline void count_add(__u32 slot, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&totals, &slot);

	if (v)
		*v += n;	/* per-CPU slot: no atomics needed */
}

static __always_inline void count_total(__u32 slot)
{
	count_add(slot, 1);
}

/*
 * Reserve a record for listener l (NULL: none known) covering n incidents
 * (n > 1 only when drops were seen late, at another packet). Records over
 * the listener's --rate-limit are suppressed and those folded into this
 * one too; a full ring buffer is lost: both are counted, never silent, so
 * printed + suppressed + lost = the totals.
 */
static __always_inline struct tb_event *event_reserve(struct tb_listener *l, __u32 n)
{
	struct tb_event *e;
	__u64 now;

	if (no_records)
		return NULL;
	if (n > 1) {
		count_add(TB_TOTAL_SUPPRESSED, n - 1);
		if (l)
			__sync_fetch_and_add(&l->suppressed, n - 1);
	}
	now = bpf_ktime_get_ns();
	if (rate_limit && l) {
		/* a one-second window per listener; racy resets only blur its edge */
		if (now - l->window_start_ns >= 1000000000ULL) {
			l->window_start_ns = now;
			l->window_records = 0;
		}
		if (l->window_records >= rate_limit) {
			__sync_fetch_and_add(&l->suppressed, 1);
			count_total(TB_TOTAL_SUPPRESSED);
			return NULL;
		}
		__sync_fetch_and_add(&l->window_records, 1);
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		if (l)
			__sync_fetch_and_add(&l->lost, 1);
		count_total(TB_TOTAL_LOST);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = now;
	return e;
}

/*
 * Hand a record to the loader. A wake-up per record is an interrupt
 * and a context switch each: under a flood without rate limit they cost
 * more than the records. So each CPU wakes the loader at most once a
 * millisecond, and at once when the buffer is a quarter full; a record
 * not woken for is read at the next wake-up or within the loader's
 * 100 ms poll. The first record after a quiet millisecond wakes at once.
 */
#define WAKE_EVERY_NS	1000000ULL

static __always_inline void event_submit(struct tb_event *e)
{
	__u32 zero = 0;
	__u64 *woken = bpf_map_lookup_elem(&reader_woken, &zero);
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (!woken || e->ts_ns - *woken >= WAKE_EVERY_NS ||
	    bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= EVENTS_BYTES / 4) {
		if (woken)
			*woken = e->ts_ns;
		flags = BPF_RB_FORCE_WAKEUP;
	}
	bpf_ringbuf_submit(e, flags);
}

static __always_inline __u32 sock_netns(const struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

/*
 * The listener drop counter (what tcp_listendrop() bumps). Kernels with
 * per-NUMA drop counters (6.18+) use them when the socket has them.
 */
static __always_inline __u32 sock_drops(const struct sock *sk)
{
	if (bpf_core_field_exists(sk->sk_drop_counters)) {
		struct numa_drop_counters *ndc = BPF_CORE_READ(sk, sk_drop_counters);

		if (ndc)
			return BPF_CORE_READ(ndc, drops0.counter) +
			       BPF_CORE_READ(ndc, drops1.counter);
	}
	return BPF_CORE_READ(sk, sk_drops.counter);
}

static __always_inline void addr_set_v4(__u8 *dst16, __u32 v4)
{
	__builtin_memset(dst16, 0, 10);
	dst16[10] = 0xff;
	dst16[11] = 0xff;
	__builtin_memcpy(dst16 + 12, &v4, 4);
}

/* Is this (netns, port, owner) inside what the user asked to trace? */
static __always_inline bool in_scope(__u32 netns, __u16 port, __u32 pid)
{
	if (target_netns && netns != target_netns)
		return false;
	if (target_pid && pid != target_pid)
		return false;
	if (nports) {
		bool hit = false;

		for (int i = 0; i < TB_MAX_PORTS; i++) {
			if (i < nports && ports[i] == port)
				hit = true;
		}
		if (!hit)
			return false;
	}
	return true;
}

/* Queue state of a listener at this moment. */
static __always_inline void queue_state(const struct sock *sk, struct tb_event *e)
{
	struct inet_connection_sock *icsk = (void *)sk;

	e->backlog = BPF_CORE_READ(sk, sk_ack_backlog);
	e->backlog_max = BPF_CORE_READ(sk, sk_max_ack_backlog);
	e->synq = BPF_CORE_READ(icsk, icsk_accept_queue.qlen.counter);
}

static __always_inline struct tb_peaks *peaks_of(__u64 sk)
{
	struct tb_peaks *pk = bpf_map_lookup_elem(&peaks, &sk);
	struct tb_peaks zero = {};

	if (pk)
		return pk;
	bpf_map_update_elem(&peaks, &sk, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&peaks, &sk);
}

/* Remember the highest queue lengths seen (samples: racy writes are fine). */
static __always_inline void peaks_sample(__u64 sk, __u32 backlog, __u32 synq)
{
	struct tb_peaks *pk = peaks_of(sk);

	if (!pk)
		return;
	if (backlog > pk->backlog_peak)
		pk->backlog_peak = backlog;
	if (synq > pk->synq_peak)
		pk->synq_peak = synq;
}

/* inet_csk_reqsk_queue_is_full(), as this kernel defines it. */
static __always_inline bool synq_full(__u32 synq, __u32 max)
{
	return synq_full_ge ? synq >= max : synq > max;
}

/*
 * This CPU's per-CPU offset. A global function, defined in maps.bpf.c:
 * verified once, and its callers see one unknown result, not the states
 * of its two paths (the first run on a CPU works it out and keeps it).
 */
#ifdef TB_DEFINE
__noinline __u64 this_cpu_offset(void)
{
	void *map = &cpu_anchor;
	struct bpf_array *arr = NULL;
	__u64 base, mine = 0, *cached;
	__u32 zero = 0;

	cached = bpf_map_lookup_elem(&cpu_anchor, &zero);
	if (!cached)
		return 0;
	if (*cached)
		return *cached;
	/* the verifier forbids arithmetic on map pointers: read them back as numbers */
	bpf_probe_read_kernel(&arr, sizeof(arr), &map);
	bpf_probe_read_kernel(&mine, sizeof(mine), &cached);
	base = (__u64)BPF_CORE_READ(arr, pptrs[0]);
	if (!mine || !base)
		return 0;
	*cached = mine - base;
	return *cached;
}
#else
extern __u64 this_cpu_offset(void);
#endif

/* Unique for the life of the system (5.12+), unlike the namespace inode. */
static __always_inline __u64 net_cookie(const struct net *net)
{
	if (bpf_core_field_exists(net->net_cookie))
		return BPF_CORE_READ(net, net_cookie);
	return 0;
}

/*
 * The traced namespace (-n): its inode, and its cookie where the loader
 * found it. Inodes are reused: a namespace born later in the dead one's
 * inode is another one, and it is not traced.
 */
static __always_inline bool netns_wanted(const struct net *net, __u32 netns)
{
	if (!target_netns)
		return true;
	if (netns != target_netns)
		return false;
	return !target_netns_cookie || net_cookie(net) == target_netns_cookie;
}

/* ns_common's reference count before 6.18 */
struct ns_common___count {
	refcount_t count;
};

/*
 * A struct net kept from earlier may be of a namespace that died since:
 * its references are gone (0) once it is being torn down, and its memory
 * is freed after that. A net reborn in the same memory has another cookie.
 */
static __always_inline bool net_alive(const struct net *net)
{
	const struct ns_common *ns = &net->ns;

	if (bpf_core_field_exists(ns->__ns_ref))
		return BPF_CORE_READ(ns, __ns_ref.refs.counter) > 0;
	return BPF_CORE_READ((const struct ns_common___count *)ns, count.refs.counter) > 0;
}

/* This CPU's listen-drop and syncookie counters of a namespace. */
static __always_inline bool mib_read(const struct net *net, struct mib_last *v)
{
	__u64 base = (__u64)BPF_CORE_READ(net, mib.net_statistics);
	__u64 off = this_cpu_offset();
	unsigned long *mibs;

	if (!base || !off)
		return false;
	mibs = (unsigned long *)(base + off);
	v->cookie = net_cookie(net);
	return !bpf_probe_read_kernel(&v->drops, sizeof(v->drops), &mibs[mib_listen_drops]) &&
	       !bpf_probe_read_kernel(&v->overflows, sizeof(v->overflows), &mibs[mib_listen_overflows]) &&
	       !bpf_probe_read_kernel(&v->reqq_full, sizeof(v->reqq_full), &mibs[mib_reqq_full_drop]) &&
	       !bpf_probe_read_kernel(&v->syncookies, sizeof(v->syncookies), &mibs[mib_syncookies_sent]);
}

struct mib_delta {
	__u32 drops;		/* ListenDrops */
	__u32 overflows;	/* ListenOverflows: the accept queue was full */
	__u32 reqq_full;	/* TCPReqQFullDrop: the SYN queue was full, no cookies */
	__u32 syncookies;	/* SyncookiesSent: answered with a cookie, no request socket */
};

/*
 * Listen drops this CPU made in this namespace since it last looked, and
 * take them. A namespace never seen (created after the start) counts from
 * 0; so does a new namespace that got the inode of a dead one (another
 * cookie): its counters started from 0, not from the dead one's.
 */
static __always_inline void mib_take(const struct net *net, __u32 netns, struct mib_delta *d)
{
	struct mib_last now, *last;
	bool fresh = false;

	d->drops = d->overflows = d->reqq_full = d->syncookies = 0;
	if (!mib_read(net, &now))
		return;
	last = bpf_map_lookup_elem(&mib_seen, &netns);
	if (!last) {
		struct mib_last zero = {};

		bpf_map_update_elem(&mib_seen, &netns, &zero, BPF_NOEXIST);
		last = bpf_map_lookup_elem(&mib_seen, &netns);
		if (!last) {
			/* no room for this namespace: its drops go uncounted, say so */
			count_total(TB_TOTAL_REGISTRY_FULL);
			return;
		}
		fresh = true;
	}
	/* new to us, or new in a dead one's inode: from 0, and the exit flush reads this one */
	if (fresh || last->cookie != now.cookie) {
		__u64 ptr = (__u64)net;

		last->drops = last->overflows = last->reqq_full = last->syncookies = 0;
		bpf_map_update_elem(&netns_net, &netns, &ptr, BPF_ANY);
	}
	d->drops = now.drops - last->drops;
	d->overflows = now.overflows - last->overflows;
	d->reqq_full = now.reqq_full - last->reqq_full;
	d->syncookies = now.syncookies - last->syncookies;
	*last = now;
}


/*
 * Drops taken with no packet to show them (the exit flush, or a packet
 * whose headers cannot be read): no listener and no record. By the
 * counter that moved: ListenOverflows at a SYN or at an ACK both keep
 * syn_drop(accept_queue_full) + accept_overflow equal to ListenOverflows,
 * so they count as SYN drops of that reason. A port or owner filter
 * cannot be held to them: then they are not counted (nor were they in
 * the kernel's counters of the traced scope, as far as can be told).
 */
static __always_inline void count_unseen(const struct mib_delta *d)
{
	__u32 aqf = d->overflows < d->drops ? d->overflows : d->drops;
	__u32 sqf = d->reqq_full < d->drops - aqf ? d->reqq_full : d->drops - aqf;

	if (nports || target_pid)
		return;

	count_add(TB_TOTAL_SYN_DROP_ACCEPT_QUEUE_FULL, aqf);
	count_add(TB_TOTAL_SYN_DROP_SYN_QUEUE_FULL, sqf);
	count_add(TB_TOTAL_SYN_DROP_OTHER, d->drops - aqf - sqf);
	count_add(TB_TOTAL_LATE, d->drops);
	if (!no_records)
		count_add(TB_TOTAL_SUPPRESSED, d->drops);
}

/* Owner fields of a registered listener into a record. */
static __always_inline void event_owner(struct tb_event *e, const struct tb_listener *l)
{
	e->pid = l->owner_pid;
	e->listener_ino = l->ino;
	__builtin_memcpy(e->comm, l->owner_comm, TB_COMM_LEN);
}

/* floor(log2(v)), 0 for v < 2: straight-line code, cheap for the verifier */
static __always_inline __u32 log2_u32(__u32 v)
{
	__u32 r, shift;

	r = (v > 0xffff) << 4;
	v >>= r;
	shift = (v > 0xff) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xf) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	return r | (v >> 1);
}

static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 hi = v >> 32;

	return hi ? 32 + log2_u32(hi) : log2_u32((__u32)v);
}

/*
 * A connection left the accept queue: count it and how long it waited
 * (queued when its socket was cloned from the listener, see listeners.bpf.c).
 */
static __always_inline void accept_done(__u64 sk, __u64 child)
{
	struct tb_listener *l = bpf_map_lookup_elem(&listeners, &sk);
	struct tb_peaks *pk;
	__u64 *queued, ns, us;
	int slot = 0;

	if (!l)
		return;
	__sync_fetch_and_add(&l->accepts, 1);
	queued = bpf_map_lookup_elem(&child_queued, &child);
	if (!queued)
		return;
	ns = bpf_ktime_get_ns() - *queued;
	us = ns / 1000;
	pk = peaks_of(sk);
	if (pk && ns > pk->lat_max_ns)
		pk->lat_max_ns = ns;
	bpf_map_delete_elem(&child_queued, &child);
	slot = log2_u64(us);	/* slot 0 holds [0, 2) us */
	if (slot >= TB_LAT_SLOTS)
		slot = TB_LAT_SLOTS - 1;
	__sync_fetch_and_add(&l->lat_us_hist[slot & (TB_LAT_SLOTS - 1)], 1);
}

/* A packet's addresses and ports, read from the skb headers. */
struct pkt {
	__u16 family;
	__u16 sport;
	__u16 dport;
	__u8 flags;		/* TCP flags byte */
	__u8 pad;
	__u8 saddr[16];		/* IPv4: first 4 bytes */
	__u8 daddr[16];
};

#define TCP_FLAG_SYN	0x02
#define TCP_FLAG_ACK	0x10

/*
 * From the network header at head + nh and the TCP header at head + th.
 * One read covers either IP header: an IPv4 one is followed by at least
 * a TCP header, so 40 bytes are there in both cases.
 */
static __always_inline int read_pkt_at(unsigned char *head, __u16 nh, __u16 th, struct pkt *p)
{
	union {
		__u8 vihl;
		struct iphdr v4;
		struct ipv6hdr v6;
	} ip;
	__u8 tcp[14];

	if (bpf_probe_read_kernel(&ip, sizeof(ip.v6), head + nh))
		return -1;
	if ((ip.vihl >> 4) == 4) {
		if (ip.v4.protocol != IPPROTO_TCP)
			return -1;
		p->family = AF_INET;
		__builtin_memcpy(p->saddr, &ip.v4.saddr, 4);
		__builtin_memcpy(p->daddr, &ip.v4.daddr, 4);
	} else if ((ip.vihl >> 4) == 6) {
		if (ip.v6.nexthdr != IPPROTO_TCP)
			return -1;
		p->family = AF_INET6;
		__builtin_memcpy(p->saddr, &ip.v6.saddr, 16);
		__builtin_memcpy(p->daddr, &ip.v6.daddr, 16);
	} else {
		return -1;
	}
	if (bpf_probe_read_kernel(tcp, sizeof(tcp), head + th))
		return -1;
	p->sport = (tcp[0] << 8) | tcp[1];
	p->dport = (tcp[2] << 8) | tcp[3];
	p->flags = tcp[13];
	return 0;
}

/* skb: any kernel pointer */
static __always_inline int read_pkt(const struct sk_buff *skb, struct pkt *p)
{
	return read_pkt_at(BPF_CORE_READ(skb, head), BPF_CORE_READ(skb, network_header),
			   BPF_CORE_READ(skb, transport_header), p);
}

/* skb: a BTF argument of a tp_btf program, read with plain loads (no helper calls) */
static __always_inline int read_pkt_arg(const struct sk_buff *skb, struct pkt *p)
{
	return read_pkt_at(skb->head, skb->network_header, skb->transport_header, p);
}

/*
 * The network namespace a received packet is in. TCP has cleared skb->dev
 * by the time it frees the packet; the input route still names the device.
 * skb: a BTF argument of a tp_btf program, its own fields read with plain
 * loads.
 */
static __always_inline struct net *skb_net(const struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;

	/* read, not loaded, in both cases: one kind of pointer for the verifier, one pass */
	if (dev)
		return BPF_CORE_READ(dev, nd_net.net);
	return BPF_CORE_READ((struct dst_entry *)(skb->_skb_refdst & ~1UL), dev, nd_net.net);
}

struct moved {
	__u64 sk;			/* the listener whose drop counter moved */
	__u64 full_sk;			/* first listener seen with a full SYN queue */
	__u64 any_sk;			/* first listener seen */
	__u32 nmoved;			/* members whose drop counter had moved */
};

struct visit {
	struct tb_group *g;		/* the members, read in place: a copy would not fit the stack */
	struct moved *m;
	__u32 *nmoved;			/* in map memory: see moved_counts */
	bool sample;
};

/* One member: sample its queues, claim its drop-counter change. */
static long visit_member(__u32 i, struct visit *v)
{
	__u64 sk = v->g->socks[i & (TB_GROUP_SLOTS - 1)];
	struct moved *m = v->m;
	struct tb_listener *l;
	__u32 now, last;

	if (!sk)
		return 0;
	l = bpf_map_lookup_elem(&listeners, &sk);
	if (!l)
		return 0;
	if (v->sample) {
		struct inet_connection_sock *icsk = (void *)sk;
		__u32 backlog = BPF_CORE_READ((struct sock *)sk, sk_ack_backlog);
		__u32 max = BPF_CORE_READ((struct sock *)sk, sk_max_ack_backlog);
		__u32 synq = BPF_CORE_READ(icsk, icsk_accept_queue.qlen.counter);

		peaks_sample(sk, backlog, synq);
		if (!m->any_sk)
			m->any_sk = sk;
		if (!m->full_sk && synq_full(synq, max))
			m->full_sk = sk;
	}
	/*
	 * The drop counter moved since we last looked: claim the change (one
	 * drop is reported once, even when several CPUs look at the same
	 * time). More than one member moved means another CPU's drop is in
	 * flight, and the first claimed may be that one's: count them.
	 */
	now = sock_drops((const struct sock *)sk);
	last = l->last_drops;
	if (now == last)
		return 0;
	(*v->nmoved)++;
	if (!m->sk && __sync_val_compare_and_swap(&l->last_drops, last, now) == last)
		m->sk = sk;
	return 0;
}

/*
 * Visit the members of one address (bpf_loop: verified once, not once
 * per member). True when one of them claimed a drop. A global function,
 * defined in maps.bpf.c: verified once, not once per call site.
 */
#ifdef TB_DEFINE
__noinline int group_moved(struct tb_addr_key *key, struct moved *m, __u32 *nmoved, int sample)
{
	struct tb_addr_key k;
	struct tb_group *g;
	struct visit v = {};
	__u32 used;

	if (!key || !m || !nmoved)
		return 0;
	/* a copy on the stack: before 6.3 a map key may not be plain memory */
	__builtin_memcpy(&k, key, sizeof(k));
	g = bpf_map_lookup_elem(&groups, &k);
	if (!g)
		return 0;
	v.m = m;
	v.nmoved = nmoved;
	v.sample = sample;
	v.g = g;
	/*
	 * Most addresses have one listener, in slot 0: no loop for them. (A
	 * loop count from the mask's top bit would cost the verifier a pass
	 * over the callback per count.)
	 */
	used = g->used;
	if (used <= 1)
		visit_member(0, &v);
	else
		bpf_loop(TB_GROUP_SLOTS, visit_member, &v, 0);
	return m->sk != 0;
}
#else
extern int group_moved(struct tb_addr_key *key, struct moved *m, __u32 *nmoved, int sample);
#endif

/*
 * Find the listener, among those bound to (netns, port) for this packet's
 * destination, whose drop counter moved: the packet's own listener when
 * it was dropped. Bound address first, then the IPv4 and IPv6 wildcards,
 * each a SO_REUSEPORT group.
 */
static __always_inline bool find_moved_listener(__u32 netns, const struct pkt *p, struct moved *m,
						bool sample, __u32 path)
{
	struct tb_addr_key key = { .netns = netns, .port = p->dport };
	__u32 *nmoved = bpf_map_lookup_elem(&moved_counts, &path);
	bool found;

	if (!nmoved)
		return false;
	*nmoved = 0;
	if (p->family == AF_INET) {
		__u32 d;

		__builtin_memcpy(&d, p->daddr, 4);
		addr_set_v4(key.addr, d);
		found = group_moved(&key, m, nmoved, sample);
		if (!found) {
			addr_set_v4(key.addr, 0);
			found = group_moved(&key, m, nmoved, sample);
		}
	} else {
		__builtin_memcpy(key.addr, p->daddr, 16);
		found = group_moved(&key, m, nmoved, sample);
	}
	if (!found) {
		__builtin_memset(key.addr, 0, 16);
		found = group_moved(&key, m, nmoved, sample);
	}
	m->nmoved = *nmoved;
	return found;
}

/* A guessed member: flag the record, count it (exact totals stay exact). */
static __always_inline void event_ambiguous(struct tb_event *e, const struct moved *m)
{
	if (m->nmoved > 1)
		e->flags |= TB_EVENT_F_AMBIGUOUS;
}

static __always_inline void count_ambiguous(const struct moved *m, __u32 n)
{
	if (m->nmoved > 1)
		count_add(TB_TOTAL_AMBIGUOUS, n);
}

/* Fill a drop record's addresses from the packet (local = its destination). */
static __always_inline void event_pkt(struct tb_event *e, const struct pkt *p)
{
	e->family = p->family;
	e->lport = p->dport;
	e->rport = p->sport;
	__builtin_memcpy(e->laddr, p->daddr, 16);
	__builtin_memcpy(e->raddr, p->saddr, 16);
}

#endif /* TB_MAPS_BPF_H */
