/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Facts about the running kernel that decide which programs load:
 * tracepoint argument counts from BTF, function ranges from kallsyms.
 * Pure functions over their inputs, so tests feed them made-up kernels.
 */
#ifndef TB_KERNEL_FACTS_H
#define TB_KERNEL_FACTS_H

#include <stdint.h>
#include <stdio.h>

struct btf;

/*
 * Arguments of the BTF tracepoint tp (without the context pointer), read
 * from the btf_trace_<tp> typedef; -1 when the kernel has no such tracepoint.
 */
int kernel_tp_btf_args(const struct btf *btf, const char *tp);

/*
 * [start, end) of function func in a /proc/kallsyms listing: end is the
 * next higher address. 0 on success, -ENOENT when absent or when addresses
 * are hidden (all zero, kptr_restrict).
 */
int kernel_kallsyms_range(FILE *kallsyms, const char *func, uint64_t *start, uint64_t *end);

/* Value of an enumerator by name, searched in every enum (named or not). 0, or -ENOENT. */
int kernel_enum_value(const struct btf *btf, const char *name, long long *value);

#endif /* TB_KERNEL_FACTS_H */
