// SPDX-License-Identifier: GPL-2.0
/*
 * ACK-time listen drops: the final ACK of a handshake arrives while the
 * accept queue is full, the child is not created and the skb is freed
 * with kfree_skb(). The drop reason differs between kernels and paths
 * (TCP_LISTEN_OVERFLOW on the request-sock path since 6.15, NO_SOCKET on
 * the syncookie path, NOT_SPECIFIED before), so the listener's drop
 * counter moving is what marks a listen drop; the reason only rules out
 * drops that bump that counter for other causes (filters, MD5, XFRM).
 */
#include "maps.bpf.h"

static __always_inline bool reason_is(enum skb_drop_reason reason, int value_exists, int value)
{
	return value_exists && reason == value;
}

#define IS_REASON(r, name) \
	reason_is(r, bpf_core_enum_value_exists(enum skb_drop_reason, name), \
		  bpf_core_enum_value(enum skb_drop_reason, name))

/* Drops that move sk_drops of a listener without being listen drops. */
static __always_inline bool not_listen_drop(enum skb_drop_reason r)
{
	return IS_REASON(r, SKB_DROP_REASON_SOCKET_FILTER) ||
	       IS_REASON(r, SKB_DROP_REASON_XFRM_POLICY) ||
	       IS_REASON(r, SKB_DROP_REASON_TCP_MD5NOTFOUND) ||
	       IS_REASON(r, SKB_DROP_REASON_TCP_MD5UNEXPECTED) ||
	       IS_REASON(r, SKB_DROP_REASON_TCP_MD5FAILURE) ||
	       IS_REASON(r, SKB_DROP_REASON_TCP_AONOTFOUND) ||
	       IS_REASON(r, SKB_DROP_REASON_TCP_AOUNEXPECTED) ||
	       IS_REASON(r, SKB_DROP_REASON_TCP_AOKEYNOTFOUND) ||
	       IS_REASON(r, SKB_DROP_REASON_TCP_AOFAILURE);
}

/* Count and report one ACK-time drop; l may be NULL (not registered). */
static __always_inline void report_overflow(__u64 sk, struct tb_listener *l, __u32 netns, const struct pkt *p)
{
	struct tb_event *e;
	__u32 backlog = BPF_CORE_READ((struct sock *)sk, sk_ack_backlog);
	__u32 backlog_max = BPF_CORE_READ((struct sock *)sk, sk_max_ack_backlog);
	/* the kernel's own test, sk_acceptq_is_full() */
	bool full = backlog > backlog_max;

	if (!in_scope(netns, p->dport, l ? l->owner_pid : 0))
		return;
	if (l)
		__sync_fetch_and_add(&l->accept_overflows, 1);
	count_total(TB_TOTAL_ACCEPT_OVERFLOW);
	if (!full)
		count_total(TB_TOTAL_ACCEPT_OVERFLOW_OTHER);

	e = event_reserve();
	if (!e)
		return;
	e->kind = TB_KIND_ACCEPT_OVERFLOW;
	e->reason = full ? TB_REASON_ACCEPT_QUEUE_FULL : TB_REASON_OTHER;
	e->netns = netns;
	queue_state((const struct sock *)sk, e);
	event_pkt(e, p);
	if (l)
		event_owner(e, l);
	bpf_ringbuf_submit(e, 0);
}

/* Kernels whose kfree_skb tracepoint names the receiving socket (6.11+). */
SEC("tp_btf/kfree_skb")
int BPF_PROG(ack_dropped_rx_sk, struct sk_buff *skb, void *location,
	     enum skb_drop_reason reason, struct sock *rx_sk)
{
	struct tb_listener *l;
	struct pkt p = {};
	__u64 key = (__u64)rx_sk;

	if (!rx_sk || BPF_CORE_READ(rx_sk, __sk_common.skc_state) != TCP_LISTEN)
		return 0;
	l = bpf_map_lookup_elem(&listeners, &key);
	if (!l || !claim_drop(rx_sk, l))
		return 0;
	if (not_listen_drop(reason))
		return 0;
	if (read_pkt(skb, &p))
		return 0;
	report_overflow(key, l, sock_netns(rx_sk), &p);
	return 0;
}

/* Older kernels: find the listener from the packet, as for SYNs. */
SEC("tp_btf/kfree_skb")
int BPF_PROG(ack_dropped, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	struct moved m = {};
	struct pkt p = {};
	__u32 netns;

	if (read_pkt(skb, &p) || (p.flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) != TCP_FLAG_ACK)
		return 0;
	netns = skb_netns(skb);
	if (!find_moved_listener(netns, &p, &m, false))
		return 0;
	if (not_listen_drop(reason))
		return 0;
	report_overflow(m.sk, bpf_map_lookup_elem(&listeners, &m.sk), netns, &p);
	return 0;
}

/*
 * fentry mode: the syn_recv_sock functions create the child at the final
 * ACK and fail (tcp_listendrop) when the accept queue is full. IPv6
 * listeners call the IPv4 one for mapped addresses; the change is
 * consumed at the inner exit, so it is reported once.
 */
static __always_inline int recv_sock_exit(const struct sock *sk, struct sk_buff *skb, struct sock *child)
{
	__u64 key = (__u64)sk;
	struct tb_listener *l = bpf_map_lookup_elem(&listeners, &key);
	struct pkt p = {};

	if (child || !exit_dropped(sk, l) || read_pkt(skb, &p))
		return 0;
	report_overflow(key, l, sock_netns(sk), &p);
	return 0;
}

SEC("fentry/tcp_v4_syn_recv_sock")
int BPF_PROG(ack4_enter, const struct sock *sk)
{
	entry_save(sk);
	return 0;
}

SEC("fexit/tcp_v4_syn_recv_sock")
int BPF_PROG(ack4_exit, const struct sock *sk, struct sk_buff *skb, void *req, void *dst,
	     void *req_unhash, bool *own_req, struct sock *child)
{
	return recv_sock_exit(sk, skb, child);
}

SEC("fentry/tcp_v6_syn_recv_sock")
int BPF_PROG(ack6_enter, const struct sock *sk)
{
	entry_save(sk);
	return 0;
}

SEC("fexit/tcp_v6_syn_recv_sock")
int BPF_PROG(ack6_exit, const struct sock *sk, struct sk_buff *skb, void *req, void *dst,
	     void *req_unhash, bool *own_req, struct sock *child)
{
	return recv_sock_exit(sk, skb, child);
}
