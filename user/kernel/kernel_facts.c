// SPDX-License-Identifier: GPL-2.0
/* Kernel facts from BTF and kallsyms; see kernel_facts.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "kernel/kernel_facts.h"

/* The prototype behind the btf_trace_<tp> typedef, NULL when the kernel has no such tracepoint. */
static const struct btf_type *tp_proto(const struct btf *btf, const char *tp)
{
	char name[128];
	const struct btf_type *t;
	int id;

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return NULL;
	t = btf__type_by_id(btf, id);			/* typedef */
	t = t ? btf__type_by_id(btf, t->type) : NULL;	/* pointer */
	if (!t || !btf_is_ptr(t))
		return NULL;
	t = btf__type_by_id(btf, t->type);		/* function prototype */
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 1)
		return NULL;
	return t;
}

int kernel_tp_btf_args(const struct btf *btf, const char *tp)
{
	const struct btf_type *t = tp_proto(btf, tp);

	return t ? btf_vlen(t) - 1 : -1;
}

int kernel_tp_btf_arg_is_ptr(const struct btf *btf, const char *tp, int i)
{
	const struct btf_type *t = tp_proto(btf, tp);

	if (!t || i < 0 || i + 1 >= btf_vlen(t))
		return -1;
	/* parameter 0 is the context pointer */
	t = btf__type_by_id(btf, btf_params(t)[i + 1].type);
	while (t && (btf_is_typedef(t) || btf_is_mod(t)))
		t = btf__type_by_id(btf, t->type);
	return t && btf_is_ptr(t);
}

int kernel_func_args(const struct btf *btf, const char *func)
{
	int id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	const struct btf_type *t;

	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, id);
	t = t ? btf__type_by_id(btf, t->type) : NULL;
	if (!t || !btf_is_func_proto(t))
		return -1;
	return btf_vlen(t);
}

/* Has the enum of type id an enumerator called name? */
static bool enum_has(const struct btf *btf, int id, const char *name)
{
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	const struct btf_enum *e;

	if (!t || !btf_is_enum(t))
		return false;
	e = btf_enum(t);
	for (int i = 0; i < btf_vlen(t); i++, e++) {
		if (!strcmp(btf__name_by_offset(btf, e->name_off), name))
			return true;
	}
	return false;
}

void kernel_helpers_read(const struct btf *btf, struct kernel_helpers *h)
{
	int id = btf__find_by_name_kind(btf, "bpf_func_id", BTF_KIND_ENUM);

	h->loop = enum_has(btf, id, "BPF_FUNC_loop");
	h->func_ret = enum_has(btf, id, "BPF_FUNC_get_func_ret");
	h->for_each_map_elem = enum_has(btf, id, "BPF_FUNC_for_each_map_elem");
	h->task_pt_regs = enum_has(btf, id, "BPF_FUNC_task_pt_regs");
	h->current_task_btf = enum_has(btf, id, "BPF_FUNC_get_current_task_btf");
}

enum ack_exit_variant kernel_ack_exit_variant(bool func_ret, int nargs)
{
	if (func_ret)
		return ACK_EXIT_FUNC_RET;
	/* without it, the return value's slot is fixed at build time */
	return nargs == 6 ? ACK_EXIT_6ARGS : ACK_EXIT_NONE;
}

/*
 * One "ADDR TYPE NAME [MODULE]" line: 0, or -1 when malformed. Hand-made,
 * not sscanf: the file has 100k+ lines, and sscanf took most of the time
 * userspace spent on it.
 */
static int kallsyms_line(char *line, unsigned long long *addr, char *type, char **name)
{
	char *p;

	errno = 0;
	*addr = strtoull(line, &p, 16);
	if (p == line || *p != ' ' || errno)
		return -1;
	if (!p[1] || p[1] == ' ' || p[1] == '\n' || p[2] != ' ')
		return -1;
	*type = p[1];
	*name = p += 3;
	p += strcspn(p, " \t\n");
	if (p == *name)
		return -1;
	*p = '\0';
	return 0;
}

int kernel_kallsyms_range(FILE *f, const char *func, uint64_t *start, uint64_t *end)
{
	char line[512], type, *sym;
	unsigned long long addr;
	bool found = false;

	*start = *end = 0;
	/*
	 * Sorted by address within the kernel image; the function ends where
	 * the next symbol with a higher address begins.
	 */
	while (fgets(line, sizeof(line), f)) {
		if (kallsyms_line(line, &addr, &type, &sym))
			continue;
		if (!found) {
			if (!strcmp(sym, func) && (type == 'T' || type == 't')) {
				*start = addr;
				found = true;
			}
		} else if (addr > *start) {
			*end = addr;
			break;
		}
	}
	if (!found || !*start)
		return -ENOENT;
	if (!*end)
		*end = *start + 4096;
	return 0;
}

int kernel_enum_value(const struct btf *btf, const char *name, long long *value)
{
	int n = btf__type_cnt(btf);

	/* enumerators of anonymous enums (the MIB lists) have no type name to match by */
	for (int id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_enum *e;

		if (!btf_is_enum(t))
			continue;
		e = btf_enum(t);
		for (int i = 0; i < btf_vlen(t); i++, e++) {
			if (!strcmp(btf__name_by_offset(btf, e->name_off), name)) {
				*value = e->val;
				return 0;
			}
		}
	}
	return -ENOENT;
}
