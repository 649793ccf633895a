/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Records and totals: reserve a record under the listener's rate limit,
 * hand it to the loader with few wake-ups, count into the totals (maps and
 * settings in emit.bpf.c).
 */
#ifndef TB_EMIT_BPF_H
#define TB_EMIT_BPF_H

#include "tcpbacklog.bpf.h"

static __always_inline void count_add(__u32 slot, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&totals, &slot);

	if (v)
		*v += n;	/* per-CPU slot: no atomics needed */
}

static __always_inline void count_total(__u32 slot)
{
	count_add(slot, 1);
}

/*
 * One second's window of at most --rate-limit records: true when this
 * record is over it. Racy resets only blur the window's edge.
 */
static __always_inline bool window_full(__u64 now, __u64 *start_ns, __u32 *records)
{
	if (now - *start_ns >= 1000000000ULL) {
		*start_ns = now;
		*records = 0;
	}
	if (*records >= rate_limit)
		return true;
	__sync_fetch_and_add(records, 1);
	return false;
}

/* A zeroed record from the ring buffer; a full buffer is counted lost (also in *lost). */
static __always_inline struct tb_event *ring_reserve(__u64 now, __u64 *lost)
{
	struct tb_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		if (lost)
			__sync_fetch_and_add(lost, 1);
		count_total(TB_TOTAL_LOST);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = now;
	return e;
}

/*
 * Reserve a record for listener l (NULL: none known) covering n incidents
 * (n > 1 only when drops were seen late, at another packet). Records over
 * the listener's --rate-limit are suppressed and those folded into this
 * one too; a full ring buffer is lost: both are counted, never silent, so
 * printed + suppressed + lost = the totals. now: bpf_ktime_get_ns().
 */
static __always_inline struct tb_event *event_reserve_at(struct tb_listener *l, __u32 n, __u64 now)
{
	if (no_records)
		return NULL;
	if (n > 1) {
		count_add(TB_TOTAL_SUPPRESSED, n - 1);
		if (l)
			__sync_fetch_and_add(&l->suppressed, n - 1);
	}
	if (rate_limit && l && window_full(now, &l->window_start_ns, &l->window_records)) {
		__sync_fetch_and_add(&l->suppressed, 1);
		count_total(TB_TOTAL_SUPPRESSED);
		return NULL;
	}
	return ring_reserve(now, l ? &l->lost : NULL);
}

static __always_inline struct tb_event *event_reserve(struct tb_listener *l, __u32 n)
{
	return no_records ? NULL : event_reserve_at(l, n, bpf_ktime_get_ns());
}

/*
 * Reserve a record that belongs to no listener (a failed connect() or
 * bind()): the --rate-limit window is the calling process's. Suppressed
 * and lost records are counted in the totals, as for listeners.
 */
static __always_inline struct tb_event *event_reserve_caller(__u32 tgid)
{
	struct tb_rate_window fresh = {}, *w;
	__u64 now;

	if (no_records)
		return NULL;
	now = bpf_ktime_get_ns();
	if (rate_limit) {
		w = bpf_map_lookup_elem(&caller_rates, &tgid);
		if (!w) {
			bpf_map_update_elem(&caller_rates, &tgid, &fresh, BPF_NOEXIST);
			w = bpf_map_lookup_elem(&caller_rates, &tgid);
		}
		if (w && window_full(now, &w->window_start_ns, &w->window_records)) {
			count_total(TB_TOTAL_SUPPRESSED);
			return NULL;
		}
	}
	return ring_reserve(now, NULL);
}

/*
 * Hand a record to the loader. A wake-up per record is an interrupt
 * and a context switch each: under a flood without rate limit they cost
 * more than the records. So each CPU wakes the loader at most once a
 * millisecond, and at once when the buffer is a quarter full; a record
 * not woken for is read at the next wake-up or within the loader's
 * 100 ms poll. The first record after a quiet millisecond wakes at once.
 */
#define WAKE_EVERY_NS	1000000ULL

static __always_inline void event_submit(struct tb_event *e)
{
	__u32 zero = 0;
	__u64 *woken = bpf_map_lookup_elem(&reader_woken, &zero);
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (!woken || e->ts_ns - *woken >= WAKE_EVERY_NS ||
	    bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= EVENTS_BYTES / 4) {
		if (woken)
			*woken = e->ts_ns;
		flags = BPF_RB_FORCE_WAKEUP;
	}
	bpf_ringbuf_submit(e, flags);
}

/* Owner, acceptor and bound address of a registered listener into a record. */
static __always_inline void event_owner(struct tb_event *e, const struct tb_listener *l)
{
	e->pid = l->owner_pid;
	e->listener_ino = l->ino;
	__builtin_memcpy(e->comm, l->owner_comm, TB_COMM_LEN);
	e->cgroup_id = l->owner_cgroup_id;
	e->acceptor_pid = l->acceptor_pid;
	e->acceptor_cgroup_id = l->acceptor_cgroup_id;
	__builtin_memcpy(e->acceptor_comm, l->acceptor_comm, TB_COMM_LEN);
	__builtin_memcpy(e->listen_addr, l->addr.addr, sizeof(e->listen_addr));
	e->flags |= TB_EVENT_F_LISTEN_ADDR;
}

#endif /* TB_EMIT_BPF_H */
