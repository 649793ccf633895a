/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The accept-latency histogram's bucket, one definition for the BPF
 * programs (which fill the histogram), the loader (which reads percentiles
 * from it) and the tests (which hold the tracer to it): slot i counts
 * [2^i, 2^(i+1)) us, slot 0 [0, 2) us, the last slot everything above.
 * Plain C without builtins: BPF has no count-leading-zeros instruction.
 */
#ifndef TB_LOG2_H
#define TB_LOG2_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include "tcpbacklog.h"

/* floor(log2(v)), 0 for v < 2: straight-line code, cheap for the verifier */
static inline __attribute__((always_inline)) __u32 tb_log2_u32(__u32 v)
{
	__u32 r, shift;

	r = (v > 0xffff) << 4;
	v >>= r;
	shift = (v > 0xff) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xf) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	return r | (v >> 1);
}

static inline __attribute__((always_inline)) __u32 tb_log2_u64(__u64 v)
{
	__u32 hi = v >> 32;

	return hi ? 32 + tb_log2_u32(hi) : tb_log2_u32((__u32)v);
}

/* The histogram slot of a latency of us microseconds. */
static inline __attribute__((always_inline)) __u32 tb_lat_slot(__u64 us)
{
	__u32 slot = tb_log2_u64(us);

	return slot >= TB_LAT_SLOTS ? TB_LAT_SLOTS - 1 : slot;
}

#endif /* TB_LOG2_H */
