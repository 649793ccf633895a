// SPDX-License-Identifier: GPL-2.0
/*
 * SYN-time listen drops. tcp_conn_request() frees accepted and dropped
 * SYNs alike with consume_skb() from tcp_rcv_state_process(): keep
 * consume_skb events from that caller (two compares for every other
 * freed packet), take SYNs, and read how this CPU's listen-drop counters
 * moved while processing this one (see mib_take()). With fentry, the exit
 * of tcp_conn_request() is the same moment with the listener at hand.
 */
#include "tcpbacklog.bpf.h"
#include "client_cost.bpf.h"
#include "listen_drop.bpf.h"
#include "mib.bpf.h"
#include "packet.bpf.h"
#include "queues.bpf.h"
#include "reuseport.bpf.h"
#include "scope.bpf.h"

/*
 * SYN cookies this SYN was answered with: the kernel's SyncookiesSent
 * moved on this CPU (see mib_take()), so the count is exact.
 */
static __always_inline void count_cookies(__u64 sk, struct tb_listener *l, __u32 n)
{
	if (!l)
		l = bpf_map_lookup_elem(&listeners, &sk);
	if (l)
		__sync_fetch_and_add(&l->syncookies, n);
}

/*
 * The hot path: this CPU's last SYN destination had one listener, and the
 * registry has not changed since (registry_gen). Then that listener is the
 * whole search: sample it, and claim the drop from its counter as the
 * group visit would. Its entry, or NULL (not cached, gone): search.
 */
static __always_inline struct tb_listener *hot_visit(__u32 netns, const struct pkt *p, __u32 gen,
						     struct drop_search *s, __u32 drops)
{
	struct tb_hot_listener *h;
	struct tb_listener *l;
	__u64 daddr[2], sk;
	__u32 zero = 0, nmoved = 0;

	h = bpf_map_lookup_elem(&hot_listener, &zero);
	if (!h)
		return NULL;
	__builtin_memcpy(daddr, p->daddr, sizeof(daddr));
	if (h->gen != gen || h->netns != netns || h->port != p->dport || h->family != p->family ||
	    h->daddr[0] != daddr[0] || h->daddr[1] != daddr[1])
		return NULL;
	sk = h->sk;
	l = bpf_map_lookup_elem(&listeners, &sk);
	if (!l)
		return NULL;
	member_visit(sk, l, s, &nmoved, true, drops != 0);
	s->nmoved = nmoved;
	/* a drop, but not this listener's: another CPU's took it first, or the cache is stale */
	if (drops && !s->claimed_sk)
		return NULL;
	return l;
}

/* After a search: remember the destination when one listener was all it could go to. */
static __always_inline void hot_remember(__u32 netns, const struct pkt *p, __u32 gen, const struct drop_search *s)
{
	struct tb_hot_listener *h;
	__u32 zero = 0;

	if (s->nmembers != 1 || !s->any_sk)
		return;
	h = bpf_map_lookup_elem(&hot_listener, &zero);
	if (!h)
		return;
	h->sk = s->any_sk;
	__builtin_memcpy(h->daddr, p->daddr, sizeof(h->daddr));
	h->netns = netns;
	h->gen = gen;
	h->port = p->dport;
	h->family = p->family;
}

static __always_inline int syn_freed(struct sk_buff *skb)
{
	struct drop_search s = {};
	struct tb_listener *l;
	struct pkt p = {};
	struct mib_delta d;
	struct net *net;
	__u32 netns, gen;
	__u64 sk;

	net = traced_segment(skb, TCP_FLAG_SYN, &p, &netns);
	if (!net)
		return 0;
	/* read before the search: a change during it makes what it found stale */
	gen = registry_gen;
	mib_take(net, netns, &d);
	/*
	 * Which listener: the one whose drop counter moved, among those bound
	 * to the destination (a SO_REUSEPORT group may hold several).
	 */
	l = hot_visit(netns, &p, gen, &s, d.drops);
	if (!l) {
		__builtin_memset(&s, 0, sizeof(s));
		find_dropping_listener(netns, &p, &s, true, d.drops != 0, true, TB_PATH_SYN);
		hot_remember(netns, &p, gen, &s);
	}
	sk = s.claimed_sk ? s.claimed_sk : s.any_sk;
	if (d.drops)
		report_listen_drop(TB_KIND_SYN_DROP, sk, sk == s.any_sk ? l : NULL, netns, &p, &d, &s);
	else
		tuple_syn_passed(netns, &p);
	/*
	 * A cookie is sent when the SYN queue is full (or cookies are forced):
	 * in a SO_REUSEPORT group, the member whose queue was full.
	 */
	if (d.syncookies) {
		sk = s.claimed_sk ? s.claimed_sk : s.full_sk ? s.full_sk : s.any_sk;
		count_cookies(sk, sk == s.any_sk ? l : NULL, d.syncookies);
	}
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

	if (!netns_wanted(net, netns))
		return 0;
	peaks_sample((__u64)sk, BPF_CORE_READ(sk, sk_ack_backlog),
		     BPF_CORE_READ(icsk, icsk_accept_queue.qlen.counter));
	mib_take(net, netns, &d);
	if (d.syncookies)
		count_cookies((__u64)sk, NULL, d.syncookies);
	report_drops_at(TB_KIND_SYN_DROP, (__u64)sk, netns, skb, false, &d);
	if (!d.drops && tuples_used) {
		struct pkt p = {};

		if (!read_pkt(skb, &p))
			tuple_syn_passed(netns, &p);
	}
	return 0;
}
