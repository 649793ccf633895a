// SPDX-License-Identifier: GPL-2.0
/* Unit tests for user/host/pidns.c: whose pids a /proc shows. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "host/pidns.h"
#include "fake_tree.h"

static void test_proc_of_another_namespace(void **state)
{
	tree_make("tb-pidns");
	/* unreadable: taken as the kernel's own, as before there was a check */
	assert_true(pidns_proc_is_initial(root));
	tree_dir("1");
	tree_dir("1/ns");
	tree_link("pid:[4026532301]", "1/ns/pid");
	assert_false(pidns_proc_is_initial(root));
	tree_remove("1/ns/pid");
	tree_link("pid:[4026531836]", "1/ns/pid");
	assert_true(pidns_proc_is_initial(root));
	tree_remove("1/ns/pid");
	tree_link("garbage", "1/ns/pid");
	tree_dir("self");
	/* no /proc/self: a proc that does not show us is not ours */
	tree_put("self/status", "Name:\tx\nNSpid:\t77\n");
	assert_false(pidns_proc_is_initial(root));
	tree_dir("self/ns");
	tree_link("pid:[4026531836]", "self/ns/pid");
	assert_true(pidns_proc_is_initial(root));
	tree_remove("self/ns/pid");
	tree_link("pid:[4026532301]", "self/ns/pid");
	/* in a child namespace, with its own proc: one level */
	assert_false(pidns_proc_is_initial(root));
	/* with the host's proc: the host's pid, then ours */
	tree_put("self/status", "Name:\tx\nNSpid:\t4242\t1\n");
	assert_true(pidns_proc_is_initial(root));
	tree_remove(NULL);
}

/* where the tests run: our own namespace tells, and the answer agrees with it */
static void test_real_proc(void **state)
{
	char link[64];
	ssize_t n = readlink("/proc/self/ns/pid", link, sizeof(link) - 1);

	if (n <= 0)
		skip();
	link[n] = '\0';
	if (!strcmp(link, "pid:[4026531836]"))
		assert_true(pidns_proc_is_initial("/proc"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_of_another_namespace),
		cmocka_unit_test(test_real_proc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
