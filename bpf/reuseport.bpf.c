// SPDX-License-Identifier: GPL-2.0
/* SO_REUSEPORT groups: the map of members, and the visit that claims a drop. */
#include "tcpbacklog.bpf.h"
#include "reuseport.bpf.h"

struct visit {
	struct tb_group *g;		/* the members, read in place: a copy would not fit the stack */
	struct drop_search *s;
	__u32 *nmoved;			/* in map memory: see moved_counts */
	bool sample;
	bool claim;
};

/* One member of the group being visited (see member_visit()). */
static long visit_member(__u32 i, struct visit *v)
{
	__u64 sk = v->g->socks[i & (TB_GROUP_SLOTS - 1)];
	struct tb_listener *l;

	if (!sk)
		return 0;
	l = bpf_map_lookup_elem(&listeners, &sk);
	if (l)
		member_visit(sk, l, v->s, v->nmoved, v->sample, v->claim);
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
