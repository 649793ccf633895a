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
	{
		/* 5.10: io_uring_complete(ctx, u64 user_data, long res): no request pointer */
		int u64_id = btf__add_int(btf, "long long unsigned int", 8, 0);
		int u64_typedef = btf__add_typedef(btf, "u64", u64_id);
		int void_ptr = btf__add_ptr(btf, 0);
		int proto = btf__add_func_proto(btf, 0);	/* its parameters follow it */

		btf__add_func_param(btf, "__data", void_ptr);
		btf__add_func_param(btf, "ctx", void_ptr);
		btf__add_func_param(btf, "user_data", u64_typedef);
		btf__add_func_param(btf, "res", u64_id);
		btf__add_typedef(btf, "btf_trace_io_uring_complete", btf__add_ptr(btf, proto));
	}
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
	assert_int_equal(kernel_tp_btf_args(btf, "io_uring_complete"), 3);
	/* 6.3+ has (ctx, req, cqe): the second is a pointer there, a u64 on 5.10 */
	assert_int_equal(kernel_tp_btf_arg_is_ptr(btf, "io_uring_complete", 0), 1);
	assert_int_equal(kernel_tp_btf_arg_is_ptr(btf, "io_uring_complete", 1), 0);
	assert_int_equal(kernel_tp_btf_arg_is_ptr(btf, "kfree_skb", 1), 1);
	assert_int_equal(kernel_tp_btf_arg_is_ptr(btf, "kfree_skb", 4), -1);
	assert_int_equal(kernel_tp_btf_arg_is_ptr(btf, "sk_data_ready", 0), -1);
	btf__free(btf);
}

/* enum bpf_func_id with the helpers given, as in a kernel's BTF */
static void add_helpers(struct btf *btf, const char *const *names)
{
	int value = 1;

	assert_true(btf__add_enum(btf, "bpf_func_id", 4) > 0);
	btf__add_enum_value(btf, "BPF_FUNC_unspec", 0);
	for (; *names; names++)
		btf__add_enum_value(btf, *names, value++);
}

/* a kernel function: int func(nargs x int) */
static void add_func(struct btf *btf, const char *name, int nargs)
{
	int int_id = btf__find_by_name_kind(btf, "int", BTF_KIND_INT);
	int proto = btf__add_func_proto(btf, int_id);

	for (int i = 0; i < nargs; i++)
		btf__add_func_param(btf, "arg", int_id);
	assert_true(btf__add_func(btf, name, BTF_FUNC_STATIC, proto) > 0);
}

/* 5.10: none of the newer helpers (ringbuf_query is older) */
static void test_helpers_5_10(void **state)
{
	static const char *const names[] = { "BPF_FUNC_ringbuf_query", NULL };
	struct btf *btf = kernel_btf();
	struct kernel_helpers h;

	add_helpers(btf, names);
	/* an enumerator of the same name in another enum does not count */
	assert_true(btf__add_enum(btf, "other", 4) > 0);
	btf__add_enum_value(btf, "BPF_FUNC_loop", 7);
	memset(&h, 0xff, sizeof(h));
	kernel_helpers_read(btf, &h);
	assert_false(h.loop);
	assert_false(h.func_ret);
	assert_false(h.for_each_map_elem);
	assert_false(h.task_pt_regs);
	assert_false(h.current_task_btf);
	btf__free(btf);
}

/* 5.15: everything but bpf_loop and bpf_get_func_ret */
static void test_helpers_5_15(void **state)
{
	static const char *const names[] = {
		"BPF_FUNC_get_current_task_btf", "BPF_FUNC_for_each_map_elem",
		"BPF_FUNC_task_pt_regs", NULL,
	};
	struct btf *btf = kernel_btf();
	struct kernel_helpers h;

	add_helpers(btf, names);
	kernel_helpers_read(btf, &h);
	assert_false(h.loop);
	assert_false(h.func_ret);
	assert_true(h.for_each_map_elem);
	assert_true(h.task_pt_regs);
	assert_true(h.current_task_btf);
	btf__free(btf);
}

/* no enum bpf_func_id at all: nothing is assumed */
static void test_helpers_no_enum(void **state)
{
	struct btf *btf = kernel_btf();
	struct kernel_helpers h;

	memset(&h, 0xff, sizeof(h));
	kernel_helpers_read(btf, &h);
	assert_false(h.loop || h.func_ret || h.for_each_map_elem || h.task_pt_regs || h.current_task_btf);
	btf__free(btf);
}

static void test_func_args(void **state)
{
	struct btf *btf = kernel_btf();

	add_func(btf, "tcp_v4_syn_recv_sock", 6);
	assert_int_equal(kernel_func_args(btf, "tcp_v4_syn_recv_sock"), 6);
	assert_int_equal(kernel_func_args(btf, "tcp_v6_syn_recv_sock"), -1);
	/* a tracepoint typedef is not a function */
	assert_int_equal(kernel_func_args(btf, "btf_trace_kfree_skb"), -1);
	btf__free(btf);
}

static void test_ack_exit_variant(void **state)
{
	/* 5.17+: bpf_get_func_ret, whatever the count (6.12's syn_recv_sock has 7) */
	assert_int_equal(kernel_ack_exit_variant(true, 6), ACK_EXIT_FUNC_RET);
	assert_int_equal(kernel_ack_exit_variant(true, 7), ACK_EXIT_FUNC_RET);
	/* 5.10-5.16: the return value after the six arguments */
	assert_int_equal(kernel_ack_exit_variant(false, 6), ACK_EXIT_6ARGS);
	/* a count the program was not built for, or no such function: no fexit */
	assert_int_equal(kernel_ack_exit_variant(false, 7), ACK_EXIT_NONE);
	assert_int_equal(kernel_ack_exit_variant(false, -1), ACK_EXIT_NONE);
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

static void test_kallsyms_odd_lines(void **state)
{
	/* malformed lines are skipped; a module's symbols carry its name after a tab */
	const char *listing =
		"garbage\n"
		"ffffffff81000000 TT not_a_type\n"
		"ffffffff81000000\n"
		"ffffffff81000010 T \n"
		"ffffffffc0000000 t tcp_rcv_state_process\t[mod]\n"
		"ffffffffc0000040 t after\t[mod]\n";
	uint64_t start, end;

	assert_int_equal(range_of(listing, "tcp_rcv_state_process", &start, &end), 0);
	assert_int_equal(start, 0xffffffffc0000000ULL);
	assert_int_equal(end, 0xffffffffc0000040ULL);
	assert_int_equal(range_of(listing, "not_a_type", &start, &end), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tp_args),
		cmocka_unit_test(test_enum_value),
		cmocka_unit_test(test_helpers_5_10),
		cmocka_unit_test(test_helpers_5_15),
		cmocka_unit_test(test_helpers_no_enum),
		cmocka_unit_test(test_func_args),
		cmocka_unit_test(test_ack_exit_variant),
		cmocka_unit_test(test_kallsyms_range),
		cmocka_unit_test(test_kallsyms_prefix_is_not_a_match),
		cmocka_unit_test(test_kallsyms_hidden),
		cmocka_unit_test(test_kallsyms_last_symbol),
		cmocka_unit_test(test_kallsyms_data_symbol_ignored),
		cmocka_unit_test(test_kallsyms_odd_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
