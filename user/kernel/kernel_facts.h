/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Facts about the running kernel that decide which programs load:
 * tracepoint argument counts from BTF, function ranges from kallsyms.
 * Pure functions over their inputs, so tests feed them made-up kernels.
 */
#ifndef TB_KERNEL_FACTS_H
#define TB_KERNEL_FACTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct btf;

/*
 * Arguments of the BTF tracepoint tp (without the context pointer), read
 * from the btf_trace_<tp> typedef; -1 when the kernel has no such tracepoint.
 */
int kernel_tp_btf_args(const struct btf *btf, const char *tp);

/* Is argument i (0-based, without the context pointer) of tracepoint tp a pointer? -1 unknown. */
int kernel_tp_btf_arg_is_ptr(const struct btf *btf, const char *tp, int i);

/*
 * [start, end) of function func in a /proc/kallsyms listing: end is the
 * next higher address. 0 on success, -ENOENT when absent or when addresses
 * are hidden (all zero, kptr_restrict).
 */
int kernel_kallsyms_range(FILE *kallsyms, const char *func, uint64_t *start, uint64_t *end);

/* Value of an enumerator by name, searched in every enum (named or not). 0, or -ENOENT. */
int kernel_enum_value(const struct btf *btf, const char *name, long long *value);

/* Parameters of kernel function func, from its BTF prototype; -1 when absent. */
int kernel_func_args(const struct btf *btf, const char *func);

/* BPF helpers newer than the oldest kernel supported (5.10) */
struct kernel_helpers {
	bool loop;			/* bpf_loop, 5.17 */
	bool func_ret;			/* bpf_get_func_ret, 5.17 */
	bool for_each_map_elem;		/* 5.13 */
	bool task_pt_regs;		/* 5.15 */
	bool current_task_btf;		/* bpf_get_current_task_btf, 5.11 */
};

/* Which of them the kernel has: enum bpf_func_id in its BTF names them. */
void kernel_helpers_read(const struct btf *btf, struct kernel_helpers *h);

/* How the exit of tcp_v{4,6}_syn_recv_sock finds the new child socket */
enum ack_exit_variant {
	ACK_EXIT_NONE,		/* not from fexit: the drop tracepoint instead */
	ACK_EXIT_FUNC_RET,	/* bpf_get_func_ret, whatever the argument count */
	ACK_EXIT_6ARGS,		/* the return value after six arguments (before 5.17) */
};

/* The variant for a kernel with (or without) bpf_get_func_ret whose syn_recv_sock takes nargs. */
enum ack_exit_variant kernel_ack_exit_variant(bool func_ret, int nargs);

#endif /* TB_KERNEL_FACTS_H */
