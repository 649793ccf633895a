// SPDX-License-Identifier: GPL-2.0
/*
 * A listener's queues: their lengths for each report (listener_queues),
 * and their highs between reports (peaks, sampled on every path that sees
 * a listener, and by queue_grew as a connection is queued).
 */
#include "tcpbacklog.bpf.h"
#include "queues.bpf.h"

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
 * map-element iterators while allowing this. Without callbacks
 * (TB_PRE_5_17), once per listener with args[0] its key.
 */
SEC("raw_tp")
int listener_queues(struct bpf_raw_tracepoint_args *ctx)
{
#ifndef TB_PRE_5_17
	bpf_for_each_map_elem(&listeners, queue_state_one, NULL, 0);
#else
	/* the loader runs it once per listener, args[0] = its key */
	__u64 key = ctx->args[0];
	struct tb_listener *l = bpf_map_lookup_elem(&listeners, &key);

	if (l)
		queue_state_one(NULL, &key, l, NULL);
#endif
	return 0;
}


/* 6.3+: a listener's sk_data_ready fires as a connection is queued: the queue at its longest. */
SEC("tp_btf/sk_data_ready")
int BPF_PROG(queue_grew, const struct sock *sk)
{
	__u64 key = (__u64)sk;

	/* every socket's data arrival passes here: plain loads from the BTF argument */
	if (sk->__sk_common.skc_state != TCP_LISTEN)
		return 0;
	if (!bpf_map_lookup_elem(&listeners, &key))
		return 0;
	peaks_sample(key, sk->sk_ack_backlog, 0);
	return 0;
}
