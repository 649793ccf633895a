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

/* net_cookie before 5.12: an atomic64_t, set on first use (bpf_get_netns_cookie) */
struct net___atomic_cookie {
	atomic64_t net_cookie;
};

/*
 * Unique for the life of the system, unlike the namespace inode: struct
 * net sets it at setup since 5.12 ("net: initialize net->net_cookie at
 * netns setup"); before, it is 0 until someone asked for it.
 */
static __always_inline __u64 net_cookie(const struct net *net)
{
	const struct net___atomic_cookie *old = (const void *)net;

	if (bpf_core_field_exists(net->net_cookie))
		return BPF_CORE_READ(net, net_cookie);
	if (bpf_core_field_exists(old->net_cookie))
		return BPF_CORE_READ(old, net_cookie.counter);
	return 0;
}

/* ns_common's reference count from 5.11 to 6.18, which renamed it __ns_ref */
struct ns_common___count {
	refcount_t count;
};

/* before 5.11 ("nsfs: add ns_common.count"), the count was struct net's own */
struct net___count {
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

	const struct ns_common___count *ns_count = (const void *)ns;
	const struct net___count *net_count = (const void *)net;

	if (bpf_core_field_exists(ns->__ns_ref))
		return BPF_CORE_READ(ns, __ns_ref.refs.counter) > 0;
	if (bpf_core_field_exists(ns_count->count))
		return BPF_CORE_READ(ns_count, count.refs.counter) > 0;
	return BPF_CORE_READ(net_count, count.refs.counter) > 0;
}

/*
 * IORING_OP_ACCEPT, IORING_OP_CONNECT: values of enum io_uring_op, which kernels before
 * 5.11 leave unnamed (5.10's BTF has no such enum); the value is ABI.
 */
#define TB_IORING_OP_ACCEPT	13
#define TB_IORING_OP_CONNECT	16

static __always_inline __u32 io_uring_op_accept(void)
{
	if (bpf_core_enum_value_exists(enum io_uring_op, IORING_OP_ACCEPT))
		return bpf_core_enum_value(enum io_uring_op, IORING_OP_ACCEPT);
	return TB_IORING_OP_ACCEPT;
}

static __always_inline __u32 io_uring_op_connect(void)
{
	if (bpf_core_enum_value_exists(enum io_uring_op, IORING_OP_CONNECT))
		return bpf_core_enum_value(enum io_uring_op, IORING_OP_CONNECT);
	return TB_IORING_OP_CONNECT;
}

/*
 * Helpers newer than some kernels we run on. The loader tells which ones
 * the kernel has (has_*, from enum bpf_func_id in its BTF); the verifier
 * drops the branch that calls a missing one, as dead code.
 */

/*
 * The current task. bpf_get_current_task_btf() (5.11) gives a pointer the
 * verifier knows (and that bpf_task_pt_regs() takes); before, a number:
 * read through it with BPF_CORE_READ only.
 */
static __always_inline struct task_struct *current_task(void)
{
	if (has_task_btf)
		return bpf_get_current_task_btf();
	return (struct task_struct *)bpf_get_current_task();
}

/*
 * The user registers saved at entry to syscall nr, NULL if not found.
 * Before 5.15 (bpf_task_pt_regs) they sit at the top of the task's
 * kernel stack (x86-64 task_pt_regs(): no padding above them), whose size
 * is 16 KiB, or 32 KiB with KASAN: the one whose saved syscall number
 * (orig_ax) is nr.
 */
static __always_inline struct pt_regs *syscall_regs(struct task_struct *task, long nr)
{
	__u64 stack;

	if (has_task_pt_regs)
		return (struct pt_regs *)bpf_task_pt_regs(task);
	stack = (__u64)BPF_CORE_READ(task, stack);
#pragma unroll
	for (int order = 2; order <= 3; order++) {
		struct pt_regs *regs = (struct pt_regs *)(stack + (4096UL << order)) - 1;

		if (BPF_CORE_READ(regs, orig_ax) == nr)
			return regs;
	}
	return NULL;
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
