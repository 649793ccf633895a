/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's own listen-drop counters (ListenDrops, ListenOverflows,
 * TCPReqQFullDrop, SyncookiesSent) are per network namespace and per CPU.
 * A listener's packets are processed in softirq, one at a time per CPU,
 * so the change of this CPU's counters since this CPU last looked is
 * exactly what the packet at hand did: exact counts, whatever the other
 * CPUs do at the same time. Maps, baseline and exit flush: mib.bpf.c.
 */
#ifndef TB_MIB_BPF_H
#define TB_MIB_BPF_H

#include "tcpbacklog.bpf.h"
#include "core_fixes.bpf.h"
#include "emit.bpf.h"

/* This CPU's listen-drop and syncookie counters of a namespace. */
static __always_inline bool mib_read(const struct net *net, struct mib_last *v)
{
	__u64 base = (__u64)BPF_CORE_READ(net, mib.net_statistics);
	__u64 off = this_cpu_offset();
	unsigned long *mibs;

	if (!base || !off)
		return false;
	mibs = (unsigned long *)(base + off);
	v->cookie = net_cookie(net);
	/* ListenOverflows and ListenDrops are neighbours in every kernel so far: one read */
	if (mib_listen_drops == mib_listen_overflows + 1) {
		__u64 pair[2];

		if (bpf_probe_read_kernel(pair, sizeof(pair), &mibs[mib_listen_overflows]))
			return false;
		v->overflows = pair[0];
		v->drops = pair[1];
	} else if (bpf_probe_read_kernel(&v->drops, sizeof(v->drops), &mibs[mib_listen_drops]) ||
		   bpf_probe_read_kernel(&v->overflows, sizeof(v->overflows), &mibs[mib_listen_overflows])) {
		return false;
	}
	return !bpf_probe_read_kernel(&v->reqq_full, sizeof(v->reqq_full), &mibs[mib_reqq_full_drop]) &&
	       !bpf_probe_read_kernel(&v->syncookies, sizeof(v->syncookies), &mibs[mib_syncookies_sent]);
}

/*
 * Listen drops this CPU made in this namespace since it last looked, and
 * take them. A namespace never seen (created after the start) counts from
 * 0; so does a new namespace that got the inode of a dead one (another
 * cookie): its counters started from 0, not from the dead one's.
 */
static __always_inline void mib_take(const struct net *net, __u32 netns, struct mib_delta *d)
{
	struct mib_last now, *last;
	bool fresh = false;

	d->drops = d->overflows = d->reqq_full = d->syncookies = 0;
	if (!mib_read(net, &now))
		return;
	last = bpf_map_lookup_elem(&mib_seen, &netns);
	if (!last) {
		struct mib_last zero = {};

		bpf_map_update_elem(&mib_seen, &netns, &zero, BPF_NOEXIST);
		last = bpf_map_lookup_elem(&mib_seen, &netns);
		if (!last) {
			/* no room for this namespace: its drops go uncounted, say so */
			count_total(TB_TOTAL_REGISTRY_FULL);
			return;
		}
		fresh = true;
	}
	/* new to us, or new in a dead one's inode: from 0, and the exit flush reads this one */
	if (fresh || last->cookie != now.cookie) {
		__u64 ptr = (__u64)net;

		last->drops = last->overflows = last->reqq_full = last->syncookies = 0;
		bpf_map_update_elem(&netns_net, &netns, &ptr, BPF_ANY);
	}
	d->drops = now.drops - last->drops;
	d->overflows = now.overflows - last->overflows;
	d->reqq_full = now.reqq_full - last->reqq_full;
	d->syncookies = now.syncookies - last->syncookies;
	*last = now;
}

/*
 * Drops taken with no packet to show them (the exit flush, or a packet
 * whose headers cannot be read): no listener and no record. By the
 * counter that moved: ListenOverflows at a SYN or at an ACK both keep
 * syn_drop(accept_queue_full) + accept_overflow equal to ListenOverflows,
 * so they count as SYN drops of that reason. A port or owner filter
 * cannot be held to them: then they are not counted (nor were they in
 * the kernel's counters of the traced scope, as far as can be told).
 */
static __always_inline void count_unseen(const struct mib_delta *d)
{
	__u32 aqf = d->overflows < d->drops ? d->overflows : d->drops;
	__u32 sqf = d->reqq_full < d->drops - aqf ? d->reqq_full : d->drops - aqf;

	if (nports || target_pid || target_cgroup)
		return;

	count_add(TB_TOTAL_SYN_DROP_ACCEPT_QUEUE_FULL, aqf);
	count_add(TB_TOTAL_SYN_DROP_SYN_QUEUE_FULL, sqf);
	count_add(TB_TOTAL_SYN_DROP_OTHER, d->drops - aqf - sqf);
	count_add(TB_TOTAL_LATE, d->drops);
	if (!no_records)
		count_add(TB_TOTAL_SUPPRESSED, d->drops);
}

#endif /* TB_MIB_BPF_H */
