// SPDX-License-Identifier: GPL-2.0
/* SO_REUSEPORT groups: the map of members, and the visit that claims a drop. */
#include "tcpbacklog.bpf.h"
#include "core_fixes.bpf.h"
#include "queues.bpf.h"
#include "reuseport.bpf.h"

/*
 * Claim the move of l's drop counter from last to now: true for one
 * caller only. Before 5.12 (no BPF cmpxchg), whoever inserts (sk, now)
 * into drop_claims first.
 */
/* Claim the drop after last: true when this caller is the one that takes it. */
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

struct visit {
	struct tb_group *g;		/* the members, read in place: a copy would not fit the stack */
	struct drop_search *s;
	__u32 *nmoved;			/* in map memory: see moved_counts */
	bool sample;
	bool claim;
};

/* One member: sample its queues; when claiming, claim its drop-counter change. */
static long visit_member(__u32 i, struct visit *v)
{
	__u64 sk = v->g->socks[i & (TB_GROUP_SLOTS - 1)];
	struct drop_search *s = v->s;
	struct tb_listener *l;
	__u32 now, last;

	if (!sk)
		return 0;
	l = bpf_map_lookup_elem(&listeners, &sk);
	if (!l)
		return 0;
	if (v->sample) {
		struct inet_connection_sock *icsk = (void *)sk;
		__u32 backlog = BPF_CORE_READ((struct sock *)sk, sk_ack_backlog);
		__u32 max = BPF_CORE_READ((struct sock *)sk, sk_max_ack_backlog);
		__u32 synq = BPF_CORE_READ(icsk, icsk_accept_queue.qlen.counter);

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
	if (!v->claim)
		return 0;
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
		return 0;
	(*v->nmoved)++;
	if (!s->claimed_sk && drops_claim(l, sk, last))
		s->claimed_sk = sk;
	return 0;
}

/*
 * Visit the members of one address (bpf_loop: verified once, not once
 * per member). True when one of them claimed a drop. A global function:
 * verified once, not once per call site.
 */
__noinline TB_GLOBAL_PTR_ARGS int group_claim_drop(struct tb_addr_key *key, struct drop_search *s, __u32 *nmoved,
						   int sample, int claim)
{
	struct tb_addr_key k;
	struct tb_group *g;
	struct visit v = {};
	__u32 used;

	if (!key || !s || !nmoved)
		return 0;
	/* a copy on the stack: before 6.3 a map key may not be plain memory */
	__builtin_memcpy(&k, key, sizeof(k));
	g = bpf_map_lookup_elem(&groups, &k);
	if (!g)
		return 0;
	v.s = s;
	v.nmoved = nmoved;
	v.sample = sample;
	v.claim = claim;
	v.g = g;
	/*
	 * Most addresses have one listener, in slot 0: no loop for them. (A
	 * loop count from the mask's top bit would cost the verifier a pass
	 * over the callback per count.)
	 */
	used = g->used;
	if (used <= 1) {
		visit_member(0, &v);
	} else {
#ifndef TB_PRE_5_17
		bpf_loop(TB_GROUP_SLOTS, visit_member, &v, 0);
#else
		TB_UNROLL
		for (__u32 i = 0; i < TB_GROUP_SLOTS; i++)
			visit_member(i, &v);
#endif
	}
	return s->claimed_sk != 0;
}
