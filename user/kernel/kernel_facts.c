// SPDX-License-Identifier: GPL-2.0
/* Kernel facts from BTF and kallsyms; see kernel_facts.h. */
#include <errno.h>
#include <string.h>

#include <bpf/btf.h>

#include "kernel/kernel_facts.h"

int kernel_tp_btf_args(const struct btf *btf, const char *tp)
{
	char name[128];
	const struct btf_type *t;
	int id;

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, id);			/* typedef */
	t = t ? btf__type_by_id(btf, t->type) : NULL;	/* pointer */
	if (!t || !btf_is_ptr(t))
		return -1;
	t = btf__type_by_id(btf, t->type);		/* function prototype */
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 1)
		return -1;
	return btf_vlen(t) - 1;
}

int kernel_kallsyms_range(FILE *f, const char *func, uint64_t *start, uint64_t *end)
{
	char line[512], sym[256], type;
	unsigned long long addr;
	bool found = false;

	*start = *end = 0;
	/*
	 * Sorted by address within the kernel image; the function ends where
	 * the next symbol with a higher address begins.
	 */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, sym) != 3)
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
