/* SPDX-License-Identifier: GPL-2.0 */
/* A listener's queues: their lengths now, and their highs (map in queues.bpf.c). */
#ifndef TB_QUEUES_BPF_H
#define TB_QUEUES_BPF_H

#include "tcpbacklog.bpf.h"

/* Queue state of a listener at this moment. */
static __always_inline void queue_state(const struct sock *sk, struct tb_event *e)
{
	struct inet_connection_sock *icsk = (void *)sk;

	e->backlog = BPF_CORE_READ(sk, sk_ack_backlog);
	e->backlog_max = BPF_CORE_READ(sk, sk_max_ack_backlog);
	e->synq = BPF_CORE_READ(icsk, icsk_accept_queue.qlen.counter);
}

static __always_inline struct tb_peaks *peaks_of(__u64 sk)
{
	struct tb_peaks *pk = bpf_map_lookup_elem(&peaks, &sk);
	struct tb_peaks zero = {};

	if (pk)
		return pk;
	bpf_map_update_elem(&peaks, &sk, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&peaks, &sk);
}

/* Remember the highest queue lengths seen (samples: racy writes are fine). */
static __always_inline void peaks_sample(__u64 sk, __u32 backlog, __u32 synq)
{
	struct tb_peaks *pk = peaks_of(sk);

	if (!pk)
		return;
	if (backlog > pk->backlog_peak)
		pk->backlog_peak = backlog;
	if (synq > pk->synq_peak)
		pk->synq_peak = synq;
}

/*
 * inet_csk_reqsk_queue_is_full() since "tcp/dccp: allow a connection when
 * sk_max_ack_backlog is zero" (2024); older kernels compare >= max. It
 * only picks which member of a group a SYN cookie is credited to.
 */
static __always_inline bool synq_full(__u32 synq, __u32 max)
{
	return synq > max;
}

#endif /* TB_QUEUES_BPF_H */
