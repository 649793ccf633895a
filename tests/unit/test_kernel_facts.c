// SPDX-License-Identifier: GPL-2.0
/* Kernel facts from made-up BTF and kallsyms listings. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <bpf/btf.h>

#include "kernel/kernel_facts.h"

/* typedef void (*btf_trace_<name>)(void *, <nargs> x int *); */
static void add_tracepoint(struct btf *btf, const char *name, int nargs)
{
	char tname[128];
	int int_id = btf__find_by_name_kind(btf, "int", BTF_KIND_INT);
	int void_ptr = btf__add_ptr(btf, 0);
	int arg_ptr = btf__add_ptr(btf, int_id);
	int proto = btf__add_func_proto(btf, 0);

	btf__add_func_param(btf, "__data", void_ptr);
	for (int i = 0; i < nargs; i++)
		btf__add_func_param(btf, "arg", arg_ptr);
	snprintf(tname, sizeof(tname), "btf_trace_%s", name);
	btf__add_typedef(btf, tname, btf__add_ptr(btf, proto));
}

static struct btf *kernel_btf(void)
{
	struct btf *btf = btf__new_empty();

	assert_non_null(btf);
	assert_true(btf__add_int(btf, "int", 4, BTF_INT_SIGNED) > 0);
	add_tracepoint(btf, "kfree_skb", 4);	/* 6.11+: skb, location, reason, rx_sk */
	add_tracepoint(btf, "consume_skb", 1);	/* 6.1: skb only */
	/* a typedef of the right name that is not a tracepoint pointer */
	btf__add_typedef(btf, "btf_trace_bogus", btf__find_by_name_kind(btf, "int", BTF_KIND_INT));
	return btf;
}

static void test_enum_value(void **state)
{
	struct btf *btf = kernel_btf();
	long long v = -1;

	/* an anonymous enum, like the kernel's MIB lists */
	assert_true(btf__add_enum(btf, NULL, 4) > 0);
	btf__add_enum_value(btf, "LINUX_MIB_NUM", 0);
	btf__add_enum_value(btf, "LINUX_MIB_LISTENOVERFLOWS", 23);
	btf__add_enum_value(btf, "LINUX_MIB_LISTENDROPS", 24);
	assert_int_equal(kernel_enum_value(btf, "LINUX_MIB_LISTENDROPS", &v), 0);
	assert_int_equal(v, 24);
	assert_int_equal(kernel_enum_value(btf, "LINUX_MIB_LISTEN", &v), -ENOENT);
	btf__free(btf);
}

static void test_tp_args(void **state)
{
	struct btf *btf = kernel_btf();

	assert_int_equal(kernel_tp_btf_args(btf, "kfree_skb"), 4);
	assert_int_equal(kernel_tp_btf_args(btf, "consume_skb"), 1);
	assert_int_equal(kernel_tp_btf_args(btf, "sk_data_ready"), -1);
	assert_int_equal(kernel_tp_btf_args(btf, "bogus"), -1);
	btf__free(btf);
}

static int range_of(const char *listing, const char *func, uint64_t *start, uint64_t *end)
{
	FILE *f = fmemopen((void *)listing, strlen(listing), "r");
	int err;

	assert_non_null(f);
	err = kernel_kallsyms_range(f, func, start, end);
	fclose(f);
	return err;
}

static void test_kallsyms_range(void **state)
{
	const char *listing =
		"ffffffff82020a30 T __pfx_tcp_rcv_state_process\n"
		"ffffffff82020a40 T tcp_rcv_state_process\n"
		"ffffffff82020a40 t tcp_rcv_state_process_alias\n"
		"ffffffff82022010 T __pfx_tcp_rcv_synsent\n"
		"ffffffff82022020 T tcp_rcv_synsent\n";
	uint64_t start, end;

	assert_int_equal(range_of(listing, "tcp_rcv_state_process", &start, &end), 0);
	assert_int_equal(start, 0xffffffff82020a40ULL);
	/* an alias at the same address does not end the function */
	assert_int_equal(end, 0xffffffff82022010ULL);
}

static void test_kallsyms_prefix_is_not_a_match(void **state)
{
	const char *listing = "ffffffff82020a40 T tcp_rcv_state_process_x\n";
	uint64_t start, end;

	assert_int_equal(range_of(listing, "tcp_rcv_state_process", &start, &end), -ENOENT);
}

static void test_kallsyms_hidden(void **state)
{
	/* kptr_restrict: every address reads as zero */
	const char *listing =
		"0000000000000000 T tcp_rcv_state_process\n"
		"0000000000000000 T tcp_rcv_synsent\n";
	uint64_t start = 1, end = 1;

	assert_int_equal(range_of(listing, "tcp_rcv_state_process", &start, &end), -ENOENT);
}

static void test_kallsyms_last_symbol(void **state)
{
	const char *listing = "ffffffff81000000 T last_one\n";
	uint64_t start, end;

	assert_int_equal(range_of(listing, "last_one", &start, &end), 0);
	assert_true(end > start);
}

static void test_kallsyms_data_symbol_ignored(void **state)
{
	const char *listing =
		"ffffffff83000000 D tcp_rcv_state_process\n"
		"ffffffff81000000 T tcp_rcv_state_process\n"
		"ffffffff81000100 T next\n";
	uint64_t start, end;

	assert_int_equal(range_of(listing, "tcp_rcv_state_process", &start, &end), 0);
	assert_int_equal(start, 0xffffffff81000000ULL);
	assert_int_equal(end, 0xffffffff81000100ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tp_args),
		cmocka_unit_test(test_enum_value),
		cmocka_unit_test(test_kallsyms_range),
		cmocka_unit_test(test_kallsyms_prefix_is_not_a_match),
		cmocka_unit_test(test_kallsyms_hidden),
		cmocka_unit_test(test_kallsyms_last_symbol),
		cmocka_unit_test(test_kallsyms_data_symbol_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
