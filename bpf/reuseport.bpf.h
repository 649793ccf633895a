/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The listeners bound to one (netns, port, address): a SO_REUSEPORT group
 * may hold several. Membership (kept by the registry) and the search for
 * the member that dropped a packet; maps and the group visit in
 * reuseport.bpf.c.
 */
#ifndef TB_REUSEPORT_BPF_H
#define TB_REUSEPORT_BPF_H

#include "tcpbacklog.bpf.h"
#include "core_fixes.bpf.h"
#include "emit.bpf.h"
#include "packet.bpf.h"
#include "queues.bpf.h"

/*
 * Take free slot i of g for sk. Lock-free through cmpxchg; before 5.12
 * (no BPF cmpxchg) the slot's owner is whoever inserts (group, slot)
 * into group_slots first.
 */
static __always_inline bool slot_take(const struct tb_addr_key *key, struct tb_group *g, int i, __u64 sk)
{
#ifndef TB_PRE_5_17
	if (__sync_val_compare_and_swap(&g->socks[i], 0, sk) != 0)
		return false;
	/* visitors see the member from here on, as if it came now */
	__sync_fetch_and_or(&g->used, 1U << i);
#else
	struct tb_slot_key sk_key = { .slot = i };

	__builtin_memcpy(&sk_key.group, key, sizeof(sk_key.group));
	if (g->socks[i] || bpf_map_update_elem(&group_slots, &sk_key, &sk, BPF_NOEXIST))
		return false;
	g->socks[i] = sk;
	/* an add is an or while the bit is clear; only the slot's owner sets it */
	if (!(g->used & (1U << i)))
		__sync_fetch_and_add(&g->used, 1U << i);
#endif
	return true;
}

/* Free slot i of g if sk holds it. */
static __always_inline void slot_free(const struct tb_addr_key *key, struct tb_group *g, int i, __u64 sk)
{
#ifndef TB_PRE_5_17
	__sync_val_compare_and_swap(&g->socks[i], sk, 0);
#else
	struct tb_slot_key sk_key = { .slot = i };

	if (g->socks[i] != sk)
		return;
	g->socks[i] = 0;
	__builtin_memcpy(&sk_key.group, key, sizeof(sk_key.group));
	bpf_map_delete_elem(&group_slots, &sk_key);
#endif
}

/* Put sk into a free slot of g; false when full. */
static __always_inline bool group_put(const struct tb_addr_key *key, struct tb_group *g, __u64 sk)
{
	TB_UNROLL
	for (int i = 0; i < TB_GROUP_SLOTS; i++) {
		if (g->socks[i] == sk)
			return true;
	}
	TB_UNROLL
	for (int i = 0; i < TB_GROUP_SLOTS; i++) {
		if (slot_take(key, g, i, sk))
			return true;
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
		if (!g || !group_put(key, g, sk))
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
	TB_UNROLL
	for (int i = 0; i < TB_GROUP_SLOTS; i++) {
		slot_free(key, g, i, sk);
		if (g->socks[i])
			empty = false;
	}
	if (empty)
		bpf_map_delete_elem(&groups, key);
}

/*
 * Claim the move of l's drop counter from last to now: true for one
 * caller only. Before 5.12 (no BPF cmpxchg), whoever inserts (sk, now)
 * into drop_claims first.
 */
static __always_inline bool drops_claim(struct tb_listener *l, __u64 sk, __u32 last)
{
#ifndef TB_PRE_5_17
	return __sync_val_compare_and_swap(&l->last_drops, last, last + 1) == last;
#else
	struct tb_claim_key key = { .sk = sk, .drops = last + 1 };
	__u8 one = 1;

	if (bpf_map_update_elem(&drop_claims, &key, &one, BPF_NOEXIST))
		return false;
	/* a later value may be in already (another CPU, the next drop) */
	if ((__s32)(last + 1 - l->last_drops) > 0)
		l->last_drops = last + 1;
	return true;
#endif
}

/*
 * The accept queue's length and limit: one read where the kernel keeps
 * them side by side (every kernel so far), two otherwise.
 */
static __always_inline void accept_queue_read(const struct sock *sk, __u32 *backlog, __u32 *max)
{
	if (bpf_core_field_offset(struct sock, sk_max_ack_backlog) ==
	    bpf_core_field_offset(struct sock, sk_ack_backlog) + 4) {
		__u32 q[2] = {};

		bpf_probe_read_kernel(q, sizeof(q), (void *)sk + bpf_core_field_offset(struct sock, sk_ack_backlog));
		*backlog = q[0];
		*max = q[1];
	} else {
		*backlog = BPF_CORE_READ(sk, sk_ack_backlog);
		*max = BPF_CORE_READ(sk, sk_max_ack_backlog);
	}
}

/*
 * One listener sk (l: its entry) that a packet may belong to. sample:
 * sample its queues and note it in s (first seen, first with a full SYN
 * queue). claim: this CPU counted a drop for the packet; claim one drop
 * of sk's counter if it moved (counted in *nmoved).
 */
static __always_inline void member_visit(__u64 sk, struct tb_listener *l, struct drop_search *s, __u32 *nmoved,
					 bool sample, bool claim)
{
	__u32 now, last;

	s->nmembers++;
	if (sample) {
		struct inet_connection_sock *icsk = (void *)sk;
		__u32 synq = BPF_CORE_READ(icsk, icsk_accept_queue.qlen.counter);
		__u32 backlog, max;

		accept_queue_read((const struct sock *)sk, &backlog, &max);
		peaks_sample(sk, backlog, synq);
		if (!s->any_sk)
			s->any_sk = sk;
		if (!s->full_sk && synq_full(synq, max))
			s->full_sk = sk;
	}
	/*
	 * Only a packet whose CPU counted a drop claims one: a visit for a
	 * SYN that was not dropped would take another CPU's drop from under
	 * its own packet, which would then name a guessed member, unflagged.
	 */
	if (!claim)
		return;
	/*
	 * The drop counter moved since we last looked: claim one drop of it
	 * (one drop is reported once, even when several CPUs look at the
	 * same time). One, not the whole change: when the same member dropped
	 * on two CPUs at once, the other CPU's packet must find its drop still
	 * there. More than one member moved means another CPU's drop is in
	 * flight, and the first claimed may be that one's: count them.
	 */
	now = sock_drops((const struct sock *)sk);
	last = l->last_drops;
	if (now == last)
		return;
	(*nmoved)++;
	if (!s->claimed_sk && drops_claim(l, sk, last))
		s->claimed_sk = sk;
}

/* Index into moved_counts: one counter per drop path. */
enum { TB_PATH_SYN = 0, TB_PATH_ACK = 1 };

/*
 * Find the listener, among those bound to (netns, port) for this packet's
 * destination, whose drop counter moved: the packet's own listener when
 * it was dropped. Bound address first, then the IPv4 and IPv6 wildcards,
 * each a SO_REUSEPORT group. sample: also sample every member's queues
 * and note the first one with a full SYN queue. claim: this CPU counted
 * a drop for the packet; without one, nothing is claimed. complete: visit
 * every group, also after the claim (claiming no more), so that
 * s->nmembers counts every listener the packet could have gone to.
 */
static __always_inline bool find_dropping_listener(__u32 netns, const struct pkt *p, struct drop_search *s,
						   bool sample, bool claim, bool complete, __u32 path)
{
	struct tb_addr_key key = { .netns = netns, .port = p->dport };
	__u32 *nmoved = bpf_map_lookup_elem(&moved_counts, &path);
	bool found;

	if (!nmoved)
		return false;
	*nmoved = 0;
	if (p->family == AF_INET) {
		__u32 d;

		__builtin_memcpy(&d, p->daddr, 4);
		addr_set_v4(key.addr, d);
		found = group_claim_drop(&key, s, nmoved, sample, claim);
		if (!found || complete) {
			addr_set_v4(key.addr, 0);
			found = group_claim_drop(&key, s, nmoved, sample, claim && !found);
		}
	} else {
		__builtin_memcpy(key.addr, p->daddr, 16);
		found = group_claim_drop(&key, s, nmoved, sample, claim);
	}
	if (!found || complete) {
		__builtin_memset(key.addr, 0, 16);
		found = group_claim_drop(&key, s, nmoved, sample, claim && !found);
	}
	s->nmoved = *nmoved;
	return found;
}

#endif /* TB_REUSEPORT_BPF_H */
