// SPDX-License-Identifier: GPL-2.0
/*
 * SYN-ACK retransmits: a listener sends its SYN-ACK again when the final
 * ACK did not come (lost, or dropped with the accept queue full) or the
 * client sent its SYN again. tcp_rtx_synack() fires this tracepoint
 * exactly where it counts TCPSynRetrans, for the listener. A BTF
 * tracepoint: no ftrace needed, the same in every mode.
 */
#include "tcpbacklog.bpf.h"
#include "emit.bpf.h"
#include "scope.bpf.h"

SEC("tp_btf/tcp_retransmit_synack")
int BPF_PROG(synack_retransmit, const struct sock *sk, const struct request_sock *req)
{
	__u64 key = (__u64)sk;
	struct tb_listener *l = bpf_map_lookup_elem(&listeners, &key);

	if (!l || !in_scope(l->addr.netns, l->addr.port, l->owner_pid))
		return 0;
	__sync_fetch_and_add(&l->synack_retransmits, 1);
	count_total(TB_TOTAL_SYNACK_RETRANSMIT);
	return 0;
}
