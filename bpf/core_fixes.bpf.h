/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel structures that changed shape: one reader each, checked with
 * CO-RE at load, with the kernel version that made it necessary.
 */
#ifndef TB_CORE_FIXES_BPF_H
#define TB_CORE_FIXES_BPF_H

#include "tcpbacklog.bpf.h"

/*
 * The listener drop counter (what tcp_listendrop() bumps). 6.18 added
 * per-NUMA drop counters (sk->sk_drop_counters, NULL on sockets without
 * them): used when the socket has them, sk_drops otherwise.
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

/*
 * Unique for the life of the system, unlike the namespace inode: struct
 * net has it since 5.12 ("net: initialize net->net_cookie at netns
 * setup"); 0 before.
 */
static __always_inline __u64 net_cookie(const struct net *net)
{
	if (bpf_core_field_exists(net->net_cookie))
		return BPF_CORE_READ(net, net_cookie);
	return 0;
}

/* ns_common's reference count before 6.18, which renamed it __ns_ref */
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

/* struct local_ports since 6.3, and before: the range as two ints under a seqlock */
struct local_ports___packed {
	__u32 range;
};

struct local_ports___pair {
	int range[2];
};

/*
 * A namespace's ip_local_port_range. 6.3 packed it into one u32, high <<
 * 16 | low (91d0b78c5177, "inet: Add IP_LOCAL_PORT_RANGE socket option").
 * A flavor each: a field's size cannot be asked across the two types.
 */
static __always_inline void local_port_range(const struct net *net, __u16 *low, __u16 *high)
{
	const void *lp = &net->ipv4.ip_local_ports;
	const struct local_ports___packed *packed = lp;
	const struct local_ports___pair *pair = lp;

	if (bpf_core_field_exists(packed->range)) {
		__u32 range = BPF_CORE_READ(packed, range);

		*low = range & 0xffff;
		*high = range >> 16;
	} else {
		*low = BPF_CORE_READ(pair, range[0]);
		*high = BPF_CORE_READ(pair, range[1]);
	}
}

#endif /* TB_CORE_FIXES_BPF_H */
