/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Failed connects and binds (connect.bpf.c): counting and reserving a
 * record, and the state changes of an outbound connect, which the one
 * inet_sock_set_state program (listeners.bpf.c) hands over.
 */
#ifndef TB_CONNECT_BPF_H
#define TB_CONNECT_BPF_H

#include "tcpbacklog.bpf.h"
#include "core_fixes.bpf.h"
#include "emit.bpf.h"
#include "scope.bpf.h"

#define EACCES		13
#define EADDRINUSE	98
#define EADDRNOTAVAIL	99
#define EISCONN		106
#define EALREADY	114
#define EINPROGRESS	115
#define ECONNREFUSED	111
#define SOCK_STREAM	1
#define O_NONBLOCK	04000

static __always_inline bool is_tcp(const struct sock *sk)
{
	return sk && BPF_CORE_READ(sk, sk_protocol) == IPPROTO_TCP &&
	       BPF_CORE_READ(sk, sk_type) == SOCK_STREAM;
}

static __always_inline __u64 sock_inode(const struct sock *sk)
{
	return BPF_CORE_READ(sk, sk_socket, file, f_inode, i_ino);
}

/*
 * The socket's local address and port into the record (port 0: never
 * bound). A failed connect gives its port back (skc_num 0) unless bind()
 * asked for one; inet_sport still names it.
 */
static __always_inline void event_local(struct tb_event *e, const struct sock *sk)
{
	e->lport = bpf_ntohs(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	if (e->family == AF_INET6)
		BPF_CORE_READ_INTO(&e->laddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
	else
		BPF_CORE_READ_INTO(&e->laddr, sk, __sk_common.skc_rcv_saddr);
}

/*
 * A connect of pid toward dest failed with dest->err: count it per
 * destination and errno with its caller and port range (low, high; 0 0
 * unknown), and start counting the connects toward it (errno 0).
 */
static __always_inline void destination_failed(struct tb_destination_key *dest, __u32 pid,
					       __u16 low, __u16 high)
{
	struct tb_destination_value fresh = { .count = 1, .pid = pid, .port_low = low, .port_high = high };
	struct tb_destination_value *v;
	__s32 err = dest->err;

	v = bpf_map_lookup_elem(&destinations, dest);
	if (v) {
		__sync_fetch_and_add(&v->count, 1);
		v->pid = pid;
		if (high) {
			v->port_low = low;
			v->port_high = high;
		}
	} else {
		bpf_map_update_elem(&destinations, dest, &fresh, BPF_NOEXIST);
	}
	dest->err = 0;
	__builtin_memset(&fresh, 0, sizeof(fresh));
	bpf_map_update_elem(&destinations, dest, &fresh, BPF_NOEXIST);
	dest->err = err;
}

/*
 * Count a failure of kind in netns and reserve its record, if in scope
 * (-n, -p, -P, --cgroup: in_cgroup); dest (NULL for a bind): the
 * destination of a connect, range: its port range (EADDRNOTAVAIL; else
 * 0 0). cgroup_id: the caller's.
 */
static __always_inline struct tb_event *failure_reserve(const struct sock *sk, __u32 kind,
							 __u16 port, __u32 pid, __u64 cgroup_id,
							 bool in_cgroup, struct tb_destination_key *dest,
							 const __u16 range[2])
{
	struct net *net = BPF_CORE_READ(sk, __sk_common.skc_net.net);
	__u32 netns = BPF_CORE_READ(net, ns.inum);
	struct tb_event *e;

	if (!netns_wanted(net, netns) || !in_scope(netns, port, pid) || !in_cgroup)
		return NULL;
	count_total(kind == TB_KIND_CONNECT_ERROR ? TB_TOTAL_CONNECT_ERROR : TB_TOTAL_BIND_ERROR);
	if (dest) {
		dest->netns = netns;
		destination_failed(dest, pid, range[0], range[1]);
	}
	e = event_reserve_caller(pid);
	if (!e)
		return NULL;
	e->kind = kind;
	e->netns = netns;
	e->pid = pid;
	e->cgroup_id = cgroup_id;
	return e;
}

/*
 * A connect toward a destination that has failed before enters SYN_SENT
 * (before it picks a port: an EADDRNOTAVAIL attempt counts too): count
 * it. One hash lookup per outbound connect; destinations that never
 * failed are not counted (see README "Per destination").
 */
static __always_inline void destination_connecting(const struct sock *sk)
{
	struct tb_destination_key key = {};
	struct tb_destination_value *v;

	key.netns = sk->__sk_common.skc_net.net->ns.inum;
	key.family = sk->__sk_common.skc_family;
	key.rport = bpf_ntohs(sk->__sk_common.skc_dport);
	if (key.family == AF_INET6)
		__builtin_memcpy(key.raddr, sk->__sk_common.skc_v6_daddr.in6_u.u6_addr8, 16);
	else
		__builtin_memcpy(key.raddr, &sk->__sk_common.skc_daddr, 4);
	v = bpf_map_lookup_elem(&destinations, &key);
	if (v)
		__sync_fetch_and_add(&v->count, 1);
}

/*
 * The end of sk's connect (socket inode ino) comes later, in softirq, and
 * is the state change's to report: remember who asked, its cgroup, and
 * whether --cgroup takes it (decided now, in its context).
 */
static __always_inline void pending_remember(const struct sock *sk, __u64 ino)
{
	struct connect_pending p = { .ino = ino };
	__u64 key = (__u64)sk;

	p.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(p.comm, sizeof(p.comm));
	p.cgroup_id = bpf_get_current_cgroup_id();
	p.in_cgroup = current_in_cgroup();
	bpf_map_update_elem(&connect_pending, &key, &p, BPF_ANY);
}

/*
 * A connect sends its SYN, in the caller's context. A non-blocking one
 * may fail after connect() has returned: remember who asked. A blocking
 * one waits in connect(), whose exit reports its failure.
 */
static __always_inline void connect_started(const struct sock *sk)
{
	struct socket *sock = sk->sk_socket;	/* BTF pointers: plain loads */
	struct file *file;

	destination_connecting(sk);
	if (!sock)
		return;
	file = sock->file;
	if (!file || !(file->f_flags & O_NONBLOCK))
		return;
	pending_remember(sk, file->f_inode->i_ino);
}

/* Report sk's failed connect with err, for the caller pending remembers. */
static __always_inline void connect_report(const struct sock *sk, const struct connect_pending *pending,
					   int err)
{
	struct tb_destination_key dest = { .err = err };
	__u16 no_range[2] = {};
	struct tb_event *e;

	dest.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	dest.rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (dest.family == AF_INET6) {
		BPF_CORE_READ_INTO(&dest.raddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	} else {
		/* 4 bytes, the rest zero: the key must match the syscall path's */
		__be32 daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		__builtin_memcpy(dest.raddr, &daddr, sizeof(daddr));
	}
	e = failure_reserve(sk, TB_KIND_CONNECT_ERROR, dest.rport, pending->pid, pending->cgroup_id,
			    pending->in_cgroup, &dest, no_range);
	if (!e)
		return;
	e->family = dest.family;
	e->rport = dest.rport;
	__builtin_memcpy(e->raddr, dest.raddr, sizeof(dest.raddr));
	e->err = err;
	__builtin_memcpy(e->comm, pending->comm, TB_COMM_LEN);
	event_local(e, sk);
	event_submit(e);
}

#ifndef TB_PRE_5_17
/* Move pending's state from old to PENDING_REPORTED: true if this caller did, and so reports. */
static __always_inline bool pending_claim(struct connect_pending *pending, __u32 old)
{
	return __sync_val_compare_and_swap(&pending->state, old, PENDING_REPORTED) == old;
}
#endif

/*
 * A connect ended without a connection: SYN_SENT -> CLOSE with the error
 * set (RST: ECONNREFUSED; retries exhausted: ETIMEDOUT; ICMP:
 * EHOSTUNREACH...), reported here if non-blocking. The kernel sets
 * sk_err and may wake the application before this state change, and
 * SO_ERROR clears it: if it reads 0, the error seen earlier, at the reset
 * or the error report (connect_error_seen()), or the one the
 * application's getsockopt(SO_ERROR) took (PENDING_TAKEN); with none of
 * them, that getsockopt may still be returning on another CPU: leave the
 * report to it (PENDING_CLOSED, connect_error_taken()). Failures inside
 * connect() itself (EADDRNOTAVAIL) pass here without an error: its exit
 * reports them. Before 5.17 (no compare-and-swap in that object), an
 * error only getsockopt saw is not reported.
 */
static __always_inline void connect_ended(const struct sock *sk)
{
	int err = BPF_CORE_READ(sk, sk_err);
	struct connect_pending *pending;
	__u64 key = (__u64)sk;

	pending = bpf_map_lookup_elem(&connect_pending, &key);
	if (!pending || pending->ino != sock_inode(sk))
		return;
	if (!err)
		err = pending->err;
#ifdef TB_PRE_5_17
	if (!err || pending->state == PENDING_REPORTED)
		return;
	pending->state = PENDING_REPORTED;
#else
	if (!err) {
		if (__sync_val_compare_and_swap(&pending->state, PENDING_OPEN, PENDING_CLOSED) != PENDING_TAKEN ||
		    !pending_claim(pending, PENDING_TAKEN))
			return;
		err = pending->taken;
	} else if (!pending_claim(pending, PENDING_OPEN) && !pending_claim(pending, PENDING_TAKEN)) {
		return;
	}
#endif
	connect_report(sk, pending, err);
}

/*
 * sk's connect is failing with err, before its state change reads
 * sk_err (which the application may clear meanwhile): keep err for
 * connect_ended(), if a non-blocking connect of this socket is pending.
 */
static __always_inline void connect_error_seen(const struct sock *sk, int err)
{
	struct connect_pending *pending;
	__u64 key = (__u64)sk;

	if (!err)
		return;
	pending = bpf_map_lookup_elem(&connect_pending, &key);
	if (pending && pending->state != PENDING_REPORTED && pending->ino == sock_inode(sk))
		pending->err = err;
}

/*
 * The state changes of an outbound connect: CLOSE -> SYN_SENT (started),
 * SYN_SENT -> CLOSE (ended). Inlined into the one inet_sock_set_state
 * program (listeners.bpf.c), whose sk is a BTF pointer: a second program
 * on that tracepoint would run for each of the ten or so changes of
 * every connection.
 */
static __always_inline void connect_state_change(const struct sock *sk, int oldstate, int newstate)
{
	if (oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT) {
		if (sk->sk_protocol == IPPROTO_TCP)
			connect_started(sk);
	} else if (oldstate == TCP_SYN_SENT && newstate == TCP_CLOSE) {
		if (sk->sk_protocol == IPPROTO_TCP)
			connect_ended(sk);
	}
}

#endif /* TB_CONNECT_BPF_H */
