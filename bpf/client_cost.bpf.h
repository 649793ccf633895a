/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the drops cost the clients. A 4-tuple enters map "tuples" at its
 * first dropped packet (a SYN, or a final ACK); its later SYNs are
 * counted as retries; when its connection is established at the
 * listener, the entry goes and the wait since the first drop is the
 * connection's added delay. What never gets in is judged abandoned by the
 * loader. Nothing here runs for a 4-tuple that had no drop beyond one
 * lookup, and nothing at all before the first drop.
 */
#ifndef TB_CLIENT_COST_BPF_H
#define TB_CLIENT_COST_BPF_H

#include "tcpbacklog.bpf.h"
#include "tb_log2.h"
#include "emit.bpf.h"
#include "packet.bpf.h"
#include "queues.bpf.h"

static __always_inline void tuple_key_from_pkt(struct tb_tuple_key *k, __u32 netns, const struct pkt *p)
{
	k->netns = netns;
	k->sport = p->sport;
	k->dport = p->dport;
	if (p->family == AF_INET) {
		__u32 s, d;

		__builtin_memcpy(&s, p->saddr, 4);
		__builtin_memcpy(&d, p->daddr, 4);
		addr_set_v4(k->saddr, s);
		addr_set_v4(k->daddr, d);
	} else {
		__builtin_memcpy(k->saddr, p->saddr, 16);
		__builtin_memcpy(k->daddr, p->daddr, 16);
	}
}

/*
 * New 4-tuples per second and CPU that enter the map. An insertion into
 * a full LRU map evicts, about 1.7 us here under a flood: a flood of
 * spoofed SYNs would pay that for every SYN (measured: 0.3-0.7 us more
 * per dropped SYN on average). 2048/s per CPU costs a CPU at most
 * 0.35 %. Past the budget a new 4-tuple is counted in the totals
 * (tracked, and so untracked: it never ends otherwise) but not followed,
 * and not counted in its listener: an atomic add to the listener's
 * entry, shared by every CPU, would cost each SYN of the flood a cache
 * line moving between CPUs.
 */
#define TUPLE_INSERTS_PER_SEC	2048

static __always_inline bool tuple_budget_left(__u64 now)
{
	__u32 zero = 0;
	struct tb_rate_window *w = bpf_map_lookup_elem(&tuple_budget, &zero);

	if (!w)
		return false;
	if (now - w->window_start_ns >= 1000000000ULL) {
		w->window_start_ns = now;
		w->window_records = 0;
	}
	if (w->window_records >= TUPLE_INSERTS_PER_SEC)
		return false;
	w->window_records++;	/* per-CPU: no atomics */
	return true;
}

/* One more SYN of a 4-tuple that had one dropped (l: its listener's entry): its number. */
static __always_inline __u32 tuple_syn_again(struct tb_tuple *t, struct tb_listener *l, __u64 now)
{
	t->last_ns = now;
	if (l)
		__sync_fetch_and_add(&l->retried_syns, 1);
	count_total(TB_TOTAL_RETRIED_SYN);
#ifdef TB_PRE_5_17
	/* no fetching atomics before 5.12: two SYNs of one 4-tuple at once may share a number */
	return ++t->attempts;
#else
	return __sync_fetch_and_add(&t->attempts, 1) + 1;
#endif
}

/*
 * A packet of this 4-tuple was dropped by listener sk (l: its entry,
 * NULL unknown), at time now. Returns the SYN's attempt number (1:
 * first), 0 for an ACK.
 */
static __always_inline __u32 tuple_dropped(bool syn, __u64 sk, struct tb_listener *l, __u32 netns,
					   const struct pkt *p, __u64 now)
{
	struct tb_tuple_key k;
	struct tb_tuple *t, fresh = {};

	tuple_key_from_pkt(&k, netns, p);
	t = bpf_map_lookup_elem(&tuples, &k);
	if (t) {
		if (syn)
			return tuple_syn_again(t, l, now);
		t->last_ns = now;
		return 0;
	}
	fresh.listener = sk;
	fresh.first_drop_ns = now;
	fresh.last_ns = now;
	fresh.attempts = syn;
	if (!tuple_budget_left(now)) {
		count_total(TB_TOTAL_TUPLES_TRACKED);
		return 0;	/* not followed: no attempt number */
	}
	/* NOEXIST: a twin on another CPU got in first, it is that one's */
	if (bpf_map_update_elem(&tuples, &k, &fresh, BPF_NOEXIST))
		return syn;
	if (!tuples_used)
		tuples_used = 1;
	if (l)
		__sync_fetch_and_add(&l->tuples_tracked, 1);
	count_total(TB_TOTAL_TUPLES_TRACKED);
	return syn;
}

/* A SYN that was not dropped: a retry, if its 4-tuple had one dropped. */
static __always_inline void tuple_syn_passed(__u32 netns, const struct pkt *p)
{
	struct tb_tuple_key k;
	struct tb_tuple *t;

	if (!tuples_used)
		return;
	tuple_key_from_pkt(&k, netns, p);
	t = bpf_map_lookup_elem(&tuples, &k);
	if (t)
		tuple_syn_again(t, t->listener ? bpf_map_lookup_elem(&listeners, &t->listener) : NULL,
				bpf_ktime_get_ns());
}

/*
 * The connection of child sk is established at its listener (its state
 * goes SYN_RECV -> ESTABLISHED as the final ACK is processed, right
 * after it was queued for accept()): if one of its packets had been
 * dropped, it is delayed, by the time since that first drop.
 */
static __always_inline void tuple_established(const struct sock *sk)
{
	struct tb_tuple_key k = {};
	struct tb_listener *l;
	struct tb_peaks *pk;
	struct tb_tuple *t;
	__u64 listener, ns;
	__u32 slot;

	if (!tuples_used)
		return;
	k.netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	k.sport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	k.dport = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (BPF_CORE_READ(sk, __sk_common.skc_family) == AF_INET6) {
		/* a dual-stack listener's IPv4 child: these hold the mapped form */
		BPF_CORE_READ_INTO(&k.saddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&k.daddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
	} else {
		addr_set_v4(k.saddr, BPF_CORE_READ(sk, __sk_common.skc_daddr));
		addr_set_v4(k.daddr, BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr));
	}
	t = bpf_map_lookup_elem(&tuples, &k);
	if (!t)
		return;
	ns = bpf_ktime_get_ns() - t->first_drop_ns;
	listener = t->listener;
	/* the loader may be judging it abandoned right now: whoever deletes it counts it */
	if (bpf_map_delete_elem(&tuples, &k))
		return;
	count_total(TB_TOTAL_DELAYED);
	l = listener ? bpf_map_lookup_elem(&listeners, &listener) : NULL;
	if (!l)
		return;
	__sync_fetch_and_add(&l->delayed, 1);
	slot = tb_lat_slot(ns / 1000);
	barrier_var(slot);	/* keep the mask: see count_accept() */
	__sync_fetch_and_add(&l->delay_us_hist[slot & (TB_LAT_SLOTS - 1)], 1);
	pk = peaks_of(listener);
	if (pk && ns > pk->delay_max_ns)
		pk->delay_max_ns = ns;
}

#endif /* TB_CLIENT_COST_BPF_H */
