// SPDX-License-Identifier: GPL-2.0
/*
 * Listener registry: every TCP socket that enters LISTEN is recorded with
 * its address, owner and drop counter; it leaves on its own LISTEN ->
 * CLOSE. Listeners that existed before the tracer are seeded by iter/tcp.
 */
#include "tcpbacklog.bpf.h"
#include "client_cost.bpf.h"
#include "connect.bpf.h"
#include "core_fixes.bpf.h"
#include "emit.bpf.h"
#include "packet.bpf.h"
#include "reuseport.bpf.h"
#include "scope.bpf.h"

static __always_inline __u32 sock_netns(const struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

static __always_inline void listener_key(const struct sock *sk, struct tb_addr_key *key, __u16 *family)
{
	__builtin_memset(key, 0, sizeof(*key));
	key->netns = sock_netns(sk);
	key->port = BPF_CORE_READ(sk, __sk_common.skc_num);
	*family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (*family == AF_INET6)
		BPF_CORE_READ_INTO(&key->addr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
	else
		addr_set_v4(key->addr, BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr));
}

static __always_inline __u64 sock_ino(const struct sock *sk)
{
	return BPF_CORE_READ(sk, sk_socket, file, f_inode, i_ino);
}

static __always_inline void listener_add(const struct sock *sk, bool from_listen)
{
	__u64 key = (__u64)sk;
	__u32 zero = 0;
	struct tb_listener *l;

	if (bpf_map_lookup_elem(&listeners, &key))
		return;
	/* with -n, only the traced namespace's listeners are registered */
	if (!netns_wanted(BPF_CORE_READ(sk, __sk_common.skc_net.net), sock_netns(sk)))
		return;
	l = bpf_map_lookup_elem(&listener_scratch, &zero);
	if (!l)
		return;
	__builtin_memset(l, 0, sizeof(*l));
	listener_key(sk, &l->addr, &l->family);
	l->ino = sock_ino(sk);
	l->last_drops = sock_drops(sk);
	if (from_listen) {
		l->owner_src = TB_OWNER_LISTEN;
		l->owner_pid = bpf_get_current_pid_tgid() >> 32;
		bpf_get_current_comm(l->owner_comm, sizeof(l->owner_comm));
		l->owner_cgroup_id = bpf_get_current_cgroup_id();
		l->in_cgroup = current_in_cgroup();
	}
	if (bpf_map_update_elem(&listeners, &key, l, BPF_NOEXIST)) {
		count_total(TB_TOTAL_REGISTRY_FULL);
		return;
	}
	group_add(&l->addr, key);
	/* before listen() hashes the socket: no packet reaches it earlier */
	__sync_fetch_and_add(&registry_gen, 1);
}

static __always_inline void listener_remove(const struct sock *sk)
{
	__u64 key = (__u64)sk;
	struct tb_listener *l = bpf_map_lookup_elem(&listeners, &key);
	struct tb_peaks *pk;

	if (!l)
		return;
	/* closed, no queues: the highs of its last interval take their place */
	pk = bpf_map_lookup_elem(&peaks, &key);
	l->now.state = TCP_CLOSE;
	l->now.backlog = pk ? pk->backlog_peak : 0;
	l->now.synq = pk ? pk->synq_peak : 0;
	l->delay_max_ns = pk ? pk->delay_max_ns : 0;
	bpf_map_update_elem(&gone_listeners, &key, l, BPF_ANY);
	group_remove(&l->addr, key);
	bpf_map_delete_elem(&listeners, &key);
	bpf_map_delete_elem(&peaks, &key);
	__sync_fetch_and_add(&registry_gen, 1);
}

/*
 * Every state change of every TCP socket passes here, ten or so per
 * connection: decide on the arguments alone before reading the socket.
 * The one program on this tracepoint: outbound connects' changes go to
 * connect.bpf.c from here.
 */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(listener_state, const struct sock *sk, const int oldstate, const int newstate)
{
	if (newstate != TCP_LISTEN && oldstate != TCP_LISTEN) {
		/* an accepted connection is established: was it delayed by a drop? */
		if (oldstate == TCP_SYN_RECV && newstate == TCP_ESTABLISHED) {
			tuple_established(sk);
			return 0;
		}
		/* an outbound connect starts, or ends without a connection */
		connect_state_change(sk, oldstate, newstate);
		return 0;
	}
	if (sk->sk_protocol != IPPROTO_TCP)	/* a BTF argument: a plain load, no helper call */
		return 0;
	if (newstate == TCP_LISTEN) {
		listener_add(sk, true);
	} else if (oldstate == TCP_LISTEN && newstate == TCP_CLOSE) {
		listener_remove(sk);
	} else if (oldstate == TCP_LISTEN && newstate == TCP_SYN_RECV) {
		/*
		 * A child cloned from its listener at the final ACK, about to be
		 * queued for accept(): the start of its accept latency.
		 */
		__u64 key = (__u64)sk, now = bpf_ktime_get_ns();

		bpf_map_update_elem(&child_queued, &key, &now, BPF_ANY);
	}
	return 0;
}

/* Run by the loader once per network namespace at start-up. */
SEC("iter/tcp")
int listener_seed(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;

	if (!skc || BPF_CORE_READ(skc, skc_state) != TCP_LISTEN)
		return 0;
	listener_add((const struct sock *)skc, false);
	return 0;
}
