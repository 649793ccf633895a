// SPDX-License-Identifier: GPL-2.0
/*
 * SYN-time listen drops without kprobes. tcp_conn_request() frees both
 * accepted and dropped SYNs with consume_skb() from tcp_rcv_state_process(),
 * so: keep consume_skb events from that caller only (two compares for
 * every other freed packet), take SYNs, and ask the listener's drop
 * counter whether this one was dropped.
 */
#include "maps.bpf.h"

/*
 * Why tcp_conn_request() dropped, decided in its own order: SYN queue
 * full without cookies, then accept queue full (the ListenOverflows
 * case), then the last-quarter rule of tcp_max_syn_backlog.
 */
static __always_inline __u32 syn_drop_reason(const struct sock *sk, const struct tb_event *e)
{
	struct net *net = BPF_CORE_READ(sk, __sk_common.skc_net.net);
	__u8 cookies = BPF_CORE_READ(net, ipv4.sysctl_tcp_syncookies);
	int max_syn = BPF_CORE_READ(net, ipv4.sysctl_max_syn_backlog);

	if (!cookies && synq_full(e->synq, e->backlog_max))
		return TB_REASON_SYN_QUEUE_FULL;
	if (e->backlog > e->backlog_max)
		return TB_REASON_ACCEPT_QUEUE_FULL;
	if (!cookies && max_syn - (int)e->synq < (max_syn >> 2))
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

/* Count and report one SYN drop; l may be NULL (listener not registered). */
static __always_inline void report_syn_drop(const struct sock *sk, struct tb_listener *l,
					    __u32 netns, const struct pkt *p)
{
	struct tb_event ev = {}, *e;
	__u32 reason;

	if (!in_scope(netns, p->dport, l ? l->owner_pid : 0))
		return;
	queue_state(sk, &ev);
	reason = syn_drop_reason(sk, &ev);
	if (l)
		__sync_fetch_and_add(&l->syn_drops[reason & (TB_REASON_MAX - 1)], 1);
	count_total(syn_total_slot(reason));

	e = event_reserve();
	if (!e)
		return;
	e->kind = TB_KIND_SYN_DROP;
	e->reason = reason;
	e->netns = netns;
	e->backlog = ev.backlog;
	e->backlog_max = ev.backlog_max;
	e->synq = ev.synq;
	event_pkt(e, p);
	if (l)
		event_owner(e, l);
	bpf_ringbuf_submit(e, 0);
}

/*
 * A SYN that was not dropped got a cookie instead of a request socket when
 * cookies are forced (2), or on (1) and the SYN queue was full: the
 * kernel's own decision in tcp_conn_request().
 */
static __always_inline void count_cookie(__u8 cookies, bool was_full, struct tb_listener *l)
{
	if (l && (cookies == 2 || (cookies == 1 && was_full)))
		__sync_fetch_and_add(&l->syncookies, 1);
}

static __always_inline int syn_freed(struct sk_buff *skb)
{
	struct moved m = {};
	struct pkt p = {};
	__u32 netns;

	if (read_pkt(skb, &p) || (p.flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) != TCP_FLAG_SYN)
		return 0;
	netns = skb_netns(skb);
	/* The drop is claimed even out of scope, so it is not reported later. */
	if (find_moved_listener(netns, &p, &m, true)) {
		report_syn_drop((const struct sock *)m.sk, bpf_map_lookup_elem(&listeners, &m.sk), netns, &p);
		return 0;
	}
	/* which member of a SO_REUSEPORT group took an accepted SYN is unknown: the full one, or the first */
	if (m.full_sk)
		count_cookie(netns_syncookies((const struct sock *)m.full_sk), true,
			     bpf_map_lookup_elem(&listeners, &m.full_sk));
	else if (m.any_sk)
		count_cookie(netns_syncookies((const struct sock *)m.any_sk), false,
			     bpf_map_lookup_elem(&listeners, &m.any_sk));
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

/*
 * fentry mode: tcp_conn_request() entry and exit bracket one SYN on one
 * CPU, so a drop-counter change between them is this SYN's drop, exactly.
 */
SEC("fentry/tcp_conn_request")
int BPF_PROG(syn_enter, struct request_sock_ops *rsk_ops, const void *af_ops,
	     struct sock *sk, struct sk_buff *skb)
{
	entry_save(sk);
	return 0;
}

SEC("fexit/tcp_conn_request")
int BPF_PROG(syn_exit, struct request_sock_ops *rsk_ops, const void *af_ops,
	     struct sock *sk, struct sk_buff *skb, int ret)
{
	__u64 key = (__u64)sk;
	struct tb_listener *l = bpf_map_lookup_elem(&listeners, &key);
	struct inet_connection_sock *icsk = (void *)sk;
	__u32 synq_before = entry_synq();
	struct pkt p = {};

	peaks_sample(key, BPF_CORE_READ(sk, sk_ack_backlog),
		     BPF_CORE_READ(icsk, icsk_accept_queue.qlen.counter));
	if (!exit_dropped(sk, l)) {
		count_cookie(netns_syncookies(sk),
			     synq_full(synq_before, BPF_CORE_READ(sk, sk_max_ack_backlog)), l);
		return 0;
	}
	if (read_pkt(skb, &p))
		return 0;
	report_syn_drop(sk, l, sock_netns(sk), &p);
	return 0;
}
