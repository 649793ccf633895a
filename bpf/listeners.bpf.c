// SPDX-License-Identifier: GPL-2.0
/*
 * Listener registry: every TCP socket that enters LISTEN is recorded with
 * its address, owner and drop counter; it leaves on its own LISTEN ->
 * CLOSE. Listeners that existed before the tracer are seeded by iter/tcp.
 */
#include "maps.bpf.h"

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

/* Put sk into a free slot of g (lock-free through cmpxchg); false when full. */
static __always_inline bool group_put(struct tb_group *g, __u64 sk)
{
	for (int i = 0; i < TB_GROUP_SLOTS; i++) {
		if (g->socks[i] == sk)
			return true;
	}
	for (int i = 0; i < TB_GROUP_SLOTS; i++) {
		if (__sync_val_compare_and_swap(&g->socks[i], 0, sk) == 0) {
			/* visitors see the member from here on, as if it came now */
			__sync_fetch_and_or(&g->used, 1U << i);
			return true;
		}
	}
	return false;
}

/*
 * Add sk to the members of its address. The last member leaving deletes
 * the entry (group_remove), maybe between our lookup and our slot: then
 * the entry we wrote into is gone, and we add once more to a new one.
 */
static __always_inline void group_add(const struct tb_addr_key *key, __u64 sk)
{
	struct tb_group empty = {};	/* on the stack: bpftool 7.1 mislinks static .rodata */
	struct tb_group *g;

	for (int round = 0; round < 2; round++) {
		bpf_map_update_elem(&groups, key, &empty, BPF_NOEXIST);
		g = bpf_map_lookup_elem(&groups, key);
		if (!g || !group_put(g, sk))
			break;
		if (bpf_map_lookup_elem(&groups, key) == g)
			return;
	}
	count_total(TB_TOTAL_REGISTRY_FULL);
}

/* Take sk out of its address's members; the last one out deletes the entry. */
static __always_inline void group_remove(const struct tb_addr_key *key, __u64 sk)
{
	struct tb_group *g = bpf_map_lookup_elem(&groups, key);
	bool empty = true;

	if (!g)
		return;
	for (int i = 0; i < TB_GROUP_SLOTS; i++) {
		__sync_val_compare_and_swap(&g->socks[i], sk, 0);
		if (g->socks[i])
			empty = false;
	}
	if (empty)
		bpf_map_delete_elem(&groups, key);
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
	}
	if (bpf_map_update_elem(&listeners, &key, l, BPF_NOEXIST)) {
		count_total(TB_TOTAL_REGISTRY_FULL);
		return;
	}
	group_add(&l->addr, key);
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
	bpf_map_update_elem(&gone_listeners, &key, l, BPF_ANY);
	group_remove(&l->addr, key);
	bpf_map_delete_elem(&listeners, &key);
	bpf_map_delete_elem(&peaks, &key);
}

/*
 * Every state change of every TCP socket passes here, ten or so per
 * connection: decide on the arguments alone before reading the socket.
 */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(listener_state, const struct sock *sk, const int oldstate, const int newstate)
{
	if (newstate != TCP_LISTEN && oldstate != TCP_LISTEN)
		return 0;
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

static long queue_state_one(struct bpf_map *map, __u64 *key, struct tb_listener *l, void *unused)
{
	struct sock *sk = (struct sock *)*key;
	struct inet_connection_sock *icsk = (void *)sk;

	l->now.backlog = BPF_CORE_READ(sk, sk_ack_backlog);
	l->now.backlog_max = BPF_CORE_READ(sk, sk_max_ack_backlog);
	l->now.synq = BPF_CORE_READ(icsk, icsk_accept_queue.qlen.counter);
	l->now.state = BPF_CORE_READ(sk, __sk_common.skc_state);
	return 0;
}

/*
 * The queue state of every registered listener, written into its registry
 * entry; the loader runs it (BPF_PROG_TEST_RUN) before each report. A
 * program, not an iter/bpf_map_elem iterator: some hardened kernels refuse
 * map-element iterators while allowing this.
 */
SEC("raw_tp")
int listener_queues(void *ctx)
{
	bpf_for_each_map_elem(&listeners, queue_state_one, NULL, 0);
	return 0;
}

/*
 * Where counting starts. The loader, inside each namespace, runs this once
 * on its own CPU with args[0] = 0 (learn the namespace from the calling
 * task), then on every CPU with args[0] = the namespace inode: there it
 * runs from an IPI, where the current task is anybody's.
 */
SEC("raw_tp")
int mib_baseline(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 netns = ctx->args[0];
	struct mib_last now, *last;
	struct net *net;
	__u64 *known;

	if (!netns) {
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();
		__u64 ptr;

		net = BPF_CORE_READ(task, nsproxy, net_ns);
		netns = BPF_CORE_READ(net, ns.inum);
		ptr = (__u64)net;
		bpf_map_update_elem(&netns_net, &netns, &ptr, BPF_ANY);
	} else {
		known = bpf_map_lookup_elem(&netns_net, &netns);
		if (!known)
			return 1;
		net = (struct net *)*known;
	}
	if (!mib_read(net, &now))
		return 1;
	last = bpf_map_lookup_elem(&mib_seen, &netns);
	if (!last) {
		bpf_map_update_elem(&mib_seen, &netns, &now, BPF_NOEXIST);
		return 0;
	}
	*last = now;
	return 0;
}

/*
 * Where counting ends: run by the loader after detaching, on every CPU of
 * every namespace still alive (args[0] = its inode). Drops this CPU made
 * there that no packet showed it (the hook ran on another CPU than the
 * count, or had not run yet) are taken now: they join the totals, by the
 * counter that moved, as incidents without a record of their own.
 */
SEC("raw_tp")
int mib_flush(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 netns = ctx->args[0];
	struct mib_last *last;
	struct mib_delta d;
	struct net *net;
	__u64 *known;

	/* a drop of unknown listener cannot be held to a port or owner filter */
	if (nports || target_pid || (target_netns && netns != target_netns))
		return 1;
	known = bpf_map_lookup_elem(&netns_net, &netns);
	last = bpf_map_lookup_elem(&mib_seen, &netns);
	if (!known || !last)
		return 1;
	net = (struct net *)*known;
	/*
	 * The pointer is of the namespace that last had this inode: still it?
	 * Alive, the same inode and, where this CPU has looked, the same
	 * cookie; 0: this CPU never looked in a namespace born after the start.
	 * (With -n, the other namespaces' packets are not looked at, so the
	 * pointer may be of a dead one even while its inode lives again.)
	 */
	if (!net_alive(net) || BPF_CORE_READ(net, ns.inum) != netns ||
	    (last->cookie && last->cookie != net_cookie(net)) || !netns_wanted(net, netns))
		return 1;
	mib_take(net, netns, &d);
	if (!d.drops)
		return 0;
	count_unseen(&d);
	return 0;
}

