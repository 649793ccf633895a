/* SPDX-License-Identifier: GPL-2.0 */
/* What the user asked to trace: -n, -p, -P and --cgroup (settings in tcpbacklog.bpf.c). */
#ifndef TB_SCOPE_BPF_H
#define TB_SCOPE_BPF_H

#include "tcpbacklog.bpf.h"
#include "core_fixes.bpf.h"

/* Is this (netns, port, owner) inside what the user asked to trace? */
static __always_inline bool in_scope(__u32 netns, __u16 port, __u32 pid)
{
	if (target_netns && netns != target_netns)
		return false;
	if (target_pid && pid != target_pid)
		return false;
	if (nports) {
		bool hit = false;

		for (int i = 0; i < TB_MAX_PORTS; i++) {
			if (i < nports && ports[i] == port)
				hit = true;
		}
		if (!hit)
			return false;
	}
	return true;
}

/*
 * The traced namespace (-n): its inode, and its cookie where the loader
 * found it. Inodes are reused: a namespace born later in the dead one's
 * inode is another one, and it is not traced.
 */
static __always_inline bool netns_wanted(const struct net *net, __u32 netns)
{
	if (!target_netns)
		return true;
	if (netns != target_netns)
		return false;
	return !target_netns_cookie || net_cookie(net) == target_netns_cookie;
}

/*
 * --cgroup, for a process: is the current task in the traced subtree?
 * Process context only (listen(), accept(), connect(), bind()): in
 * softirq the current task is whoever the packet interrupted.
 */
static __always_inline bool current_in_cgroup(void)
{
	return !target_cgroup || bpf_current_task_under_cgroup(&target_cgroups, 0) == 1;
}

/* --cgroup, for a listener: decided when its owner called listen(), or by the loader. */
static __always_inline bool listener_in_cgroup(const struct tb_listener *l)
{
	return !target_cgroup || (l && l->in_cgroup);
}

#endif /* TB_SCOPE_BPF_H */
