// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's per-CPU listen-drop counters (see mib.bpf.h): where this
 * CPU's copy is, where counting starts (mib_baseline) and where it ends
 * (mib_flush).
 */
#include "tcpbacklog.bpf.h"
#include "scope.bpf.h"
#include "mib.bpf.h"

/*
 * This CPU's per-CPU offset. A global function: verified once, and its
 * callers see one unknown result, not the states of its two paths (the
 * first run on a CPU works it out and keeps it).
 */
__noinline __u64 this_cpu_offset(void)
{
	void *map = &cpu_anchor;
	struct bpf_array *arr = NULL;
	__u64 base, mine = 0, *cached;
	__u32 zero = 0;

	cached = bpf_map_lookup_elem(&cpu_anchor, &zero);
	if (!cached)
		return 0;
	if (*cached)
		return *cached;
	/* the verifier forbids arithmetic on map pointers: read them back as numbers */
	bpf_probe_read_kernel(&arr, sizeof(arr), &map);
	bpf_probe_read_kernel(&mine, sizeof(mine), &cached);
	base = (__u64)BPF_CORE_READ(arr, pptrs[0]);
	if (!mine || !base)
		return 0;
	*cached = mine - base;
	return *cached;
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
	if (nports || target_pid || target_cgroup || (target_netns && netns != target_netns))
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

