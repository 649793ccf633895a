// SPDX-License-Identifier: GPL-2.0
/*
 * ACK-time listen drops: the final ACK of a handshake arrives while the
 * accept queue is full, the child is not created and the skb is freed
 * with kfree_skb(). The drop reason differs between kernels and paths
 * (TCP_LISTEN_OVERFLOW on the request-sock path since 6.15, NO_SOCKET on
 * the syncookie path, NOT_SPECIFIED before), so this CPU's listen-drop
 * counters moving is what marks a listen drop (see mib_take()).
 */
#include "tcpbacklog.bpf.h"
#include "listen_drop.bpf.h"
#include "mib.bpf.h"
#include "packet.bpf.h"
#include "reuseport.bpf.h"
#include "scope.bpf.h"

/* Kernels whose kfree_skb tracepoint names the receiving socket (6.11+). */
SEC("tp_btf/kfree_skb")
int BPF_PROG(ack_dropped_rx_sk, struct sk_buff *skb, void *location,
	     enum skb_drop_reason reason, struct sock *rx_sk)
{
	if (!rx_sk || BPF_CORE_READ(rx_sk, __sk_common.skc_state) != TCP_LISTEN)
		return 0;
	take_listen_drops(TB_KIND_ACCEPT_OVERFLOW, BPF_CORE_READ(rx_sk, __sk_common.skc_net.net),
			  (__u64)rx_sk, skb, true);
	return 0;
}

/*
 * Older kernels: the listener is found from the packet, as for SYNs. Only
 * (skb, location): the drop reason came in 5.17 and is not needed.
 */
SEC("tp_btf/kfree_skb")
int BPF_PROG(ack_dropped, struct sk_buff *skb, void *location)
{
	struct drop_search s = {};
	struct pkt p = {};
	struct mib_delta d;
	struct net *net;
	__u32 netns;

	net = traced_segment(skb, TCP_FLAG_ACK, &p, &netns);
	if (!net)
		return 0;
	mib_take(net, netns, &d);
	if (!d.drops)
		return 0;
	find_dropping_listener(netns, &p, &s, false, true, false, TB_PATH_ACK);
	report_listen_drop(TB_KIND_ACCEPT_OVERFLOW, s.claimed_sk, NULL, netns, &p, &d, &s);
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
	if (!child)
		take_listen_drops(TB_KIND_ACCEPT_OVERFLOW, BPF_CORE_READ(sk, __sk_common.skc_net.net),
				  (__u64)sk, skb, false);
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

/*
 * Before 5.17 (no bpf_get_func_ret): the return value follows the six
 * arguments these kernels' syn_recv_sock has; the loader picks these only
 * when the kernel's BTF says six.
 */
SEC("fexit/tcp_v4_syn_recv_sock")
int BPF_PROG(ack4_exit_6args, const struct sock *sk, struct sk_buff *skb, void *req, void *dst,
	     void *req_unhash, bool *own_req, struct sock *child)
{
	return recv_sock_exit(sk, skb, child);
}

SEC("fexit/tcp_v6_syn_recv_sock")
int BPF_PROG(ack6_exit_6args, const struct sock *sk, struct sk_buff *skb, void *req, void *dst,
	     void *req_unhash, bool *own_req, struct sock *child)
{
	return recv_sock_exit(sk, skb, child);
}
