// SPDX-License-Identifier: GPL-2.0
/*
 * ACK-time listen drops: the final ACK of a handshake arrives while the
 * accept queue is full, the child is not created and the skb is freed
 * with kfree_skb(). The drop reason differs between kernels and paths
 * (TCP_LISTEN_OVERFLOW on the request-sock path since 6.15, NO_SOCKET on
 * the syncookie path, NOT_SPECIFIED before), so this CPU's listen-drop
 * counters moving is what marks a listen drop (see mib_take()).
 */
#include "maps.bpf.h"

/*
 * Count and report the drops of one ACK; sk: its listener, 0 when unknown.
 * m: how sk was found among the members of its address, NULL when the
 * hook had it at hand.
 */
static __always_inline void report_overflow(__u64 sk, __u32 netns, const struct pkt *p,
					    const struct mib_delta *d, const struct moved *m)
{
	struct tb_listener *l = sk ? bpf_map_lookup_elem(&listeners, &sk) : NULL;
	bool full = d->overflows;	/* ListenOverflows: sk_acceptq_is_full() */
	struct tb_event *e;

	if (!in_scope(netns, p->dport, l ? l->owner_pid : 0))
		return;
	if (l)
		__sync_fetch_and_add(&l->accept_overflows, d->drops);
	count_add(TB_TOTAL_ACCEPT_OVERFLOW, d->drops);
	if (m)
		count_ambiguous(m, d->drops);
	if (!full)
		count_add(TB_TOTAL_ACCEPT_OVERFLOW_OTHER, d->drops);

	e = event_reserve(l, d->drops);
	if (!e)
		return;
	e->kind = TB_KIND_ACCEPT_OVERFLOW;
	if (m)
		event_ambiguous(e, m);
	e->reason = full ? TB_REASON_ACCEPT_QUEUE_FULL : TB_REASON_OTHER;
	e->netns = netns;
	if (sk)
		queue_state((const struct sock *)sk, e);
	event_pkt(e, p);
	if (l)
		event_owner(e, l);
	event_submit(e);
}

/* Kernels whose kfree_skb tracepoint names the receiving socket (6.11+). */
SEC("tp_btf/kfree_skb")
int BPF_PROG(ack_dropped_rx_sk, struct sk_buff *skb, void *location,
	     enum skb_drop_reason reason, struct sock *rx_sk)
{
	struct net *net;
	struct mib_delta d;
	struct pkt p = {};
	__u32 netns;

	if (!rx_sk || BPF_CORE_READ(rx_sk, __sk_common.skc_state) != TCP_LISTEN)
		return 0;
	net = BPF_CORE_READ(rx_sk, __sk_common.skc_net.net);
	netns = BPF_CORE_READ(net, ns.inum);
	if (!netns_wanted(net, netns))
		return 0;
	mib_take(net, netns, &d);
	if (!d.drops)
		return 0;
	/* taken is taken: drops of a packet we cannot read still count */
	if (read_pkt_arg(skb, &p)) {
		count_unseen(&d);
		return 0;
	}
	report_overflow((__u64)rx_sk, netns, &p, &d, NULL);
	return 0;
}

/* Older kernels: the listener is found from the packet, as for SYNs. */
SEC("tp_btf/kfree_skb")
int BPF_PROG(ack_dropped, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	struct net *net;
	struct mib_delta d;
	struct moved m = {};
	struct pkt p = {};
	__u32 netns;

	if (read_pkt_arg(skb, &p) || (p.flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) != TCP_FLAG_ACK)
		return 0;
	net = skb_net(skb);
	netns = BPF_CORE_READ(net, ns.inum);
	if (!netns_wanted(net, netns))
		return 0;
	mib_take(net, netns, &d);
	if (!d.drops)
		return 0;
	find_moved_listener(netns, &p, &m, false, TB_PATH_ACK);
	report_overflow(m.sk, netns, &p, &d, &m);
	return 0;
}

/*
 * fentry mode: the syn_recv_sock functions create the child at the final
 * ACK and fail (tcp_listendrop) when the accept queue is full. IPv6
 * listeners call the IPv4 one for mapped addresses; the counters are
 * taken at the inner exit, so the drop is reported once.
 */
static __always_inline int recv_sock_exit(const struct sock *sk, struct sk_buff *skb, struct sock *child)
{
	struct net *net;
	struct mib_delta d;
	struct pkt p = {};
	__u32 netns;

	if (child)
		return 0;
	net = BPF_CORE_READ(sk, __sk_common.skc_net.net);
	netns = BPF_CORE_READ(net, ns.inum);
	if (!netns_wanted(net, netns))
		return 0;
	mib_take(net, netns, &d);
	if (!d.drops)
		return 0;
	if (read_pkt(skb, &p)) {
		count_unseen(&d);
		return 0;
	}
	report_overflow((__u64)sk, netns, &p, &d, NULL);
	return 0;
}

/*
 * 6.12 and 6.18 (and stable backports) added a 7th argument
 * (opt_child_init) to syn_recv_sock: take the child with
 * bpf_get_func_ret(), which knows where the return value is whatever the
 * kernel's argument count, and read only the first two arguments.
 */
SEC("fexit/tcp_v4_syn_recv_sock")
int ack4_exit(unsigned long long *ctx)
{
	__u64 child = 0;

	bpf_get_func_ret(ctx, &child);
	return recv_sock_exit((const struct sock *)ctx[0], (struct sk_buff *)ctx[1], (struct sock *)child);
}

SEC("fexit/tcp_v6_syn_recv_sock")
int ack6_exit(unsigned long long *ctx)
{
	__u64 child = 0;

	bpf_get_func_ret(ctx, &child);
	return recv_sock_exit((const struct sock *)ctx[0], (struct sk_buff *)ctx[1], (struct sock *)child);
}
