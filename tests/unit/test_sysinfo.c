// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "fake_tree.h"
#include "host/sysinfo.h"

static int setup(void **state)
{
	tree_make("test_sysinfo");
	tree_dir("net");
	tree_dir("net/core");
	tree_dir("net/ipv4");
	tree_dir("net/ipv4/conf");
	tree_dir("net/ipv4/conf/eth0.100");
	tree_put("net/core/somaxconn", "4096\n");
	tree_put("net/ipv4/tcp_max_syn_backlog", "  512\n");
	tree_put("net/ipv4/tcp_syncookies", "1");
	tree_put("net/ipv4/tcp_rmem", "4096\t131072\t6291456\n");
	tree_put("net/ipv4/neg", "-1\n");
	tree_put("net/ipv4/garbage", "abc\n");
	tree_put("net/ipv4/trailing", "12abc\n");
	tree_put("net/ipv4/empty", "");
	tree_put("net/ipv4/plus", "+5\n");
	tree_put("net/ipv4/hex", "0x10\n");
	tree_put("net/ipv4/huge", "99999999999999999999999\n");
	tree_put("net/ipv4/conf/eth0.100/rp_filter", "2\n");
	tree_put("outside", "7\n");

	/* fake /proc/<pid>/fd */
	tree_dir("proc");
	tree_dir("proc/42");
	tree_dir("proc/42/fd");
	tree_dir("proc/43");
	tree_dir("proc/43/fd");
	{
		char rel[64];
		int i;

		for (i = 0; i < 5; i++) {
			snprintf(rel, sizeof(rel), "proc/42/fd/%d", i);
			tree_link("/dev/null", rel);
		}
	}
	return 0;
}

static int teardown(void **state)
{
	tree_remove(NULL);
	return 0;
}

static void test_read_long(void **state)
{
	assert_int_equal(sysinfo_read_long(tree_path("net/core/somaxconn")), 4096);
	assert_int_equal(sysinfo_read_long(tree_path("net/ipv4/tcp_max_syn_backlog")), 512);
	assert_int_equal(sysinfo_read_long(tree_path("net/ipv4/tcp_syncookies")), 1);
	assert_int_equal(sysinfo_read_long(tree_path("net/ipv4/tcp_rmem")), 4096);
	assert_int_equal(sysinfo_read_long(tree_path("net/ipv4/neg")), -1);

	assert_int_equal(sysinfo_read_long(tree_path("net/ipv4/missing")), -1);
	assert_int_equal(sysinfo_read_long(tree_path("net/ipv4/garbage")), -1);
	assert_int_equal(sysinfo_read_long(tree_path("net/ipv4/trailing")), -1);
	assert_int_equal(sysinfo_read_long(tree_path("net/ipv4/empty")), -1);
	assert_int_equal(sysinfo_read_long(tree_path("net/ipv4/plus")), -1);
	assert_int_equal(sysinfo_read_long(tree_path("net/ipv4/hex")), -1);
	assert_int_equal(sysinfo_read_long(tree_path("net/ipv4/huge")), -1);
	assert_int_equal(sysinfo_read_long(tree_path("net")), -1);	/* a directory */
}

static void test_sysctl(void **state)
{
	assert_int_equal(sysinfo_sysctl(root, "net.core.somaxconn"), 4096);
	assert_int_equal(sysinfo_sysctl(root, "net.ipv4.tcp_max_syn_backlog"), 512);
	assert_int_equal(sysinfo_sysctl(root, "net.ipv4.tcp_syncookies"), 1);
	/* '/' in a dotted name stands for a '.' in the path, as in sysctl(8) */
	assert_int_equal(sysinfo_sysctl(root, "net.ipv4.conf.eth0/100.rp_filter"), 2);

	assert_int_equal(sysinfo_sysctl(root, "net.core.missing"), -1);
	assert_int_equal(sysinfo_sysctl(root, "net.ipv4.garbage"), -1);
	assert_int_equal(sysinfo_sysctl(root, ""), -1);
	assert_int_equal(sysinfo_sysctl(root, "net..somaxconn"), -1);
	assert_int_equal(sysinfo_sysctl(root, ".net.core.somaxconn"), -1);
	assert_int_equal(sysinfo_sysctl(root, "net.core.somaxconn."), -1);
	assert_int_equal(sysinfo_sysctl(root, "net.core"), -1);
	/* no way out of the root */
	assert_int_equal(sysinfo_read_long(tree_path("outside")), 7);
	assert_int_equal(sysinfo_sysctl(tree_path("net"), "//.outside"), -1);
	assert_int_equal(sysinfo_sysctl(tree_path("net"), "/.outside"), -1);
	assert_int_equal(sysinfo_sysctl("/nonexistent", "net.core.somaxconn"), -1);
	assert_int_equal(sysinfo_sysctl(NULL, "net.core.somaxconn"), -1);
	assert_int_equal(sysinfo_sysctl(root, NULL), -1);
}

static void test_sysctl_real(void **state)
{
	if (access("/proc/sys/net/core/somaxconn", R_OK))
		skip();
	assert_true(sysinfo_sysctl("/proc/sys", "net.core.somaxconn") > 0);
}

static void test_kernel_release(void **state)
{
	struct utsname u;
	char buf[256], small[4];

	assert_int_equal(uname(&u), 0);
	sysinfo_kernel_release(buf, sizeof(buf));
	assert_string_equal(buf, u.release);

	sysinfo_kernel_release(small, sizeof(small));
	assert_int_equal(strlen(small), 3);
	assert_true(strncmp(small, u.release, 3) == 0);
	sysinfo_kernel_release(small, 0);	/* must not write */
}

static void test_open_fds(void **state)
{
	char proc[512];
	long n;

	snprintf(proc, sizeof(proc), "%s/proc", root);
	assert_int_equal(sysinfo_open_fds(proc, 42), 5);
	assert_int_equal(sysinfo_open_fds(proc, 43), 0);
	assert_int_equal(sysinfo_open_fds(proc, 44), -1);
	assert_int_equal(sysinfo_open_fds("/nonexistent", 1), -1);

	/* at least stdin/stdout/stderr-like descriptors and the dir itself */
	n = sysinfo_open_fds("/proc", getpid());
	assert_true(n > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_long),
		cmocka_unit_test(test_sysctl),
		cmocka_unit_test(test_sysctl_real),
		cmocka_unit_test(test_kernel_release),
		cmocka_unit_test(test_open_fds),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
