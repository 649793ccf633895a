// SPDX-License-Identifier: GPL-2.0
/*
 * SYN-time listen drops. tcp_conn_request() frees accepted and dropped
 * SYNs alike with consume_skb() from tcp_rcv_state_process(): keep
 * consume_skb events from that caller (two compares for every other
 * freed packet), take SYNs, and read how this CPU's listen-drop counters
 * moved while processing this one (see mib_take()). With fentry, the exit
 * of tcp_conn_request() is the same moment with the listener at hand.
 */
#include "maps.bpf.h"

/* The kernel's counters say why: ListenOverflows, TCPReqQFullDrop, or neither. */
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

/*
 * Count and report the drops of one SYN. sk: its listener (0 when not
 * registered); d->drops is 1, more only if an earlier drop on this CPU
 * was not seen at its own packet. m: how sk was found among the members
 * of its address, NULL when the hook had it at hand.
 */
static __always_inline void report_syn_drop(__u64 sk, __u32 netns, const struct pkt *p,
					    const struct mib_delta *d, const struct moved *m)
{
	struct tb_listener *l = sk ? bpf_map_lookup_elem(&listeners, &sk) : NULL;
	__u32 reason = syn_drop_reason(d);
	struct tb_event *e;

	if (!in_scope(netns, p->dport, l ? l->owner_pid : 0))
		return;
	if (l)
		__sync_fetch_and_add(&l->syn_drops[reason & (TB_REASON_MAX - 1)], d->drops);
	count_add(syn_total_slot(reason), d->drops);
	if (m)
		count_ambiguous(m, d->drops);

	e = event_reserve(l, d->drops);
	if (!e)
		return;
	e->kind = TB_KIND_SYN_DROP;
	e->reason = reason;
	if (m)
		event_ambiguous(e, m);
	e->netns = netns;
	if (sk)
		queue_state((const struct sock *)sk, e);
	event_pkt(e, p);
	if (l)
		event_owner(e, l);
	event_submit(e);
}

/*
 * SYN cookies this SYN was answered with: the kernel's SyncookiesSent
 * moved on this CPU (see mib_take()), so the count is exact.
 */
static __always_inline void count_cookies(__u64 sk, __u32 n)
{
	struct tb_listener *l = bpf_map_lookup_elem(&listeners, &sk);

	if (l)
		__sync_fetch_and_add(&l->syncookies, n);
}

static __always_inline int syn_freed(struct sk_buff *skb)
{
	struct net *net = skb_net(skb);
	struct mib_delta d;
	struct moved m = {};
	struct pkt p = {};
	__u32 netns;

	if (read_pkt_arg(skb, &p) || (p.flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) != TCP_FLAG_SYN)
		return 0;
	netns = BPF_CORE_READ(net, ns.inum);
	if (!netns_wanted(net, netns))
		return 0;
	mib_take(net, netns, &d);
	/*
	 * Which listener: the one whose drop counter moved, among those bound
	 * to the destination (a SO_REUSEPORT group may hold several).
	 */
	find_moved_listener(netns, &p, &m, true, TB_PATH_SYN);
	if (d.drops)
		report_syn_drop(m.sk ? m.sk : m.any_sk, netns, &p, &d, &m);
	/*
	 * A cookie is sent when the SYN queue is full (or cookies are forced):
	 * in a SO_REUSEPORT group, the member whose queue was full.
	 */
	if (d.syncookies)
		count_cookies(m.sk ? m.sk : m.full_sk ? m.full_sk : m.any_sk, d.syncookies);
	return 0;
}

/* 6.3+: consume_skb names its caller; two compares for every other packet. */
SEC("tp_btf/consume_skb")
int BPF_PROG(syn_consumed, struct sk_buff *skb, void *location)
{
	if ((__u64)location < syn_caller_start || (__u64)location >= syn_caller_end)
		return 0;
	return syn_freed(skb);
}

/* Older kernels: no caller address, so every consumed packet's headers are read. */
SEC("tp_btf/consume_skb")
int BPF_PROG(syn_consumed_any, struct sk_buff *skb)
{
	return syn_freed(skb);
}

/* fentry mode: the exit of tcp_conn_request(), with the listener at hand. */
SEC("fexit/tcp_conn_request")
int BPF_PROG(syn_exit, struct request_sock_ops *rsk_ops, const void *af_ops,
	     struct sock *sk, struct sk_buff *skb, int ret)
{
	struct inet_connection_sock *icsk = (void *)sk;
	struct net *net = BPF_CORE_READ(sk, __sk_common.skc_net.net);
	__u32 netns = BPF_CORE_READ(net, ns.inum);
	struct mib_delta d;
	struct pkt p = {};

	if (!netns_wanted(net, netns))
		return 0;
	peaks_sample((__u64)sk, BPF_CORE_READ(sk, sk_ack_backlog),
		     BPF_CORE_READ(icsk, icsk_accept_queue.qlen.counter));
	mib_take(net, netns, &d);
	if (d.syncookies)
		count_cookies((__u64)sk, d.syncookies);
	if (!d.drops)
		return 0;
	if (read_pkt(skb, &p)) {
		count_unseen(&d);
		return 0;
	}
	report_syn_drop((__u64)sk, netns, &p, &d, NULL);
	return 0;
}
