/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One listen drop, at a SYN (syn.bpf.c) or at the final ACK
 * (overflow.bpf.c): count it into its listener and the totals, and report
 * it with the packet's addresses and the listener's queues and owner.
 */
#ifndef TB_LISTEN_DROP_BPF_H
#define TB_LISTEN_DROP_BPF_H

#include "tcpbacklog.bpf.h"
#include "client_cost.bpf.h"
#include "emit.bpf.h"
#include "mib.bpf.h"
#include "packet.bpf.h"
#include "queues.bpf.h"
#include "scope.bpf.h"

/* Why a SYN was dropped: ListenOverflows, TCPReqQFullDrop, or neither. */
static __always_inline __u32 syn_drop_reason(const struct mib_delta *d)
{
	if (d->overflows)
		return TB_REASON_ACCEPT_QUEUE_FULL;
	if (d->reqq_full)
		return TB_REASON_SYN_QUEUE_FULL;
	return TB_REASON_OTHER;
}

/* Static data in .rodata is mislinked by bpftool 7.1's linker: use code. */
static __always_inline __u32 syn_total_slot(__u32 reason)
{
	switch (reason) {
	case TB_REASON_ACCEPT_QUEUE_FULL:
		return TB_TOTAL_SYN_DROP_ACCEPT_QUEUE_FULL;
	case TB_REASON_SYN_QUEUE_FULL:
		return TB_TOTAL_SYN_DROP_SYN_QUEUE_FULL;
	default:
		return TB_TOTAL_SYN_DROP_OTHER;
	}
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

/*
 * The member is a guess: others moved too, or nothing was left to claim
 * (another CPU's packet took this one's drop) and the first member stands
 * in. Flag the record, count it (exact totals stay exact).
 */
static __always_inline bool drop_guessed(const struct drop_search *s)
{
	return s->nmoved > 1 || (!s->claimed_sk && s->any_sk);
}

static __always_inline void event_ambiguous(struct tb_event *e, const struct drop_search *s)
{
	if (drop_guessed(s))
		e->flags |= TB_EVENT_F_AMBIGUOUS;
}

static __always_inline void count_ambiguous(const struct drop_search *s, __u32 n)
{
	if (drop_guessed(s))
		count_add(TB_TOTAL_AMBIGUOUS, n);
}

/*
 * Count and report the drops of one packet. kind: TB_KIND_SYN_DROP or
 * TB_KIND_ACCEPT_OVERFLOW, a constant at every call. sk: its listener (0
 * when unknown); d->drops is 1, more only if an earlier drop on this CPU
 * was not seen at its own packet. s: how sk was found among the members
 * of its address, NULL when the hook had it at hand. l: sk's entry when
 * the caller has it, NULL to look it up.
 */
static __always_inline void report_listen_drop(__u32 kind, __u64 sk, struct tb_listener *l, __u32 netns,
					       const struct pkt *p, const struct mib_delta *d,
					       const struct drop_search *s)
{
	__u32 syn_reason = kind == TB_KIND_SYN_DROP ? syn_drop_reason(d) : 0;
	bool accept_queue_full = d->overflows;	/* ListenOverflows: sk_acceptq_is_full() */
	struct tb_event *e;
	__u32 attempt;
	__u64 now;

	if (!l && sk)
		l = bpf_map_lookup_elem(&listeners, &sk);
	if (!in_scope(netns, p->dport, l ? l->owner_pid : 0) || !listener_in_cgroup(l))
		return;
	/* one clock read for the 4-tuple and the rate limit: a flood pays it per drop */
	now = bpf_ktime_get_ns();
	attempt = tuple_dropped(kind == TB_KIND_SYN_DROP, sk, l, netns, p, now);
	if (kind == TB_KIND_SYN_DROP) {
		if (l)
			__sync_fetch_and_add(&l->syn_drops[syn_reason & (TB_REASON_MAX - 1)], d->drops);
		count_add(syn_total_slot(syn_reason), d->drops);
	} else {
		if (l)
			__sync_fetch_and_add(&l->accept_overflows, d->drops);
		count_add(TB_TOTAL_ACCEPT_OVERFLOW, d->drops);
		if (!accept_queue_full)
			count_add(TB_TOTAL_ACCEPT_OVERFLOW_OTHER, d->drops);
	}
	if (s)
		count_ambiguous(s, d->drops);

	e = event_reserve_at(l, d->drops, now);
	if (!e)
		return;
	e->kind = kind;
	if (kind == TB_KIND_SYN_DROP) {
		e->reason = syn_reason;
		e->attempt = attempt;
	} else {
		e->reason = accept_queue_full ? TB_REASON_ACCEPT_QUEUE_FULL : TB_REASON_OTHER;
	}
	if (s)
		event_ambiguous(e, s);
	e->netns = netns;
	if (sk)
		queue_state((const struct sock *)sk, e);
	event_pkt(e, p);
	if (l)
		event_owner(e, l);
	event_submit(e);
}

/*
 * The drops d, taken at a hook that has the listener sk at hand, of the
 * packet skb (skb_is_arg: a BTF argument of the program, read with plain
 * loads). A packet whose headers cannot be read still counts: taken is
 * taken.
 */
static __always_inline void report_drops_at(__u32 kind, __u64 sk, __u32 netns, const struct sk_buff *skb,
					    bool skb_is_arg, const struct mib_delta *d)
{
	struct pkt p = {};

	if (!d->drops)
		return;
	if (skb_is_arg ? read_pkt_arg(skb, &p) : read_pkt(skb, &p)) {
		count_unseen(d);
		return;
	}
	report_listen_drop(kind, sk, NULL, netns, &p, d, NULL);
}

/*
 * A freed packet, at a hook that has no listener at hand: its headers when
 * it is a TCP segment whose SYN and ACK flags are exactly syn_ack, and its
 * namespace. NULL when it is not one, or its namespace is not traced.
 * skb: a BTF argument.
 */
static __always_inline struct net *traced_segment(const struct sk_buff *skb, __u8 syn_ack, struct pkt *p,
						  __u32 *netns)
{
	struct net *net;

	if (read_pkt_arg(skb, p) || (p->flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) != syn_ack)
		return NULL;
	net = skb_net(skb);
	*netns = BPF_CORE_READ(net, ns.inum);
	return netns_wanted(net, *netns) ? net : NULL;
}

/*
 * A hook with the listener sk at hand, in namespace net: take this CPU's
 * listen drops there and report them as the drops of skb.
 */
static __always_inline void take_listen_drops(__u32 kind, const struct net *net, __u64 sk,
					      const struct sk_buff *skb, bool skb_is_arg)
{
	__u32 netns = BPF_CORE_READ(net, ns.inum);
	struct mib_delta d;

	if (!netns_wanted(net, netns))
		return;
	mib_take(net, netns, &d);
	report_drops_at(kind, sk, netns, skb, skb_is_arg, &d);
}

#endif /* TB_LISTEN_DROP_BPF_H */
