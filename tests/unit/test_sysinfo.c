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

#include "host/sysinfo.h"

static char root[64];

static void put(const char *rel, const char *data)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(data, f);
	fclose(f);
}

static void dir(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static char *at(const char *rel)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return path;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	snprintf(root, sizeof(root), "/tmp/test_sysinfo.XXXXXX");
	assert_non_null(mkdtemp(root));
	dir("net");
	dir("net/core");
	dir("net/ipv4");
	dir("net/ipv4/conf");
	dir("net/ipv4/conf/eth0.100");
	put("net/core/somaxconn", "4096\n");
	put("net/ipv4/tcp_max_syn_backlog", "  512\n");
	put("net/ipv4/tcp_syncookies", "1");
	put("net/ipv4/tcp_rmem", "4096\t131072\t6291456\n");
	put("net/ipv4/neg", "-1\n");
	put("net/ipv4/garbage", "abc\n");
	put("net/ipv4/trailing", "12abc\n");
	put("net/ipv4/empty", "");
	put("net/ipv4/plus", "+5\n");
	put("net/ipv4/hex", "0x10\n");
	put("net/ipv4/huge", "99999999999999999999999\n");
	put("net/ipv4/conf/eth0.100/rp_filter", "2\n");
	put("outside", "7\n");

	/* fake /proc/<pid>/fd */
	dir("proc");
	dir("proc/42");
	dir("proc/42/fd");
	dir("proc/43");
	dir("proc/43/fd");
	{
		char path[512];
		int i;

		for (i = 0; i < 5; i++) {
			snprintf(path, sizeof(path), "%s/proc/42/fd/%d", root, i);
			assert_int_equal(symlink("/dev/null", path), 0);
		}
	}
	return 0;
}

static int teardown(void **state)
{
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void test_read_long(void **state)
{
	assert_int_equal(sysinfo_read_long(at("net/core/somaxconn")), 4096);
	assert_int_equal(sysinfo_read_long(at("net/ipv4/tcp_max_syn_backlog")), 512);
	assert_int_equal(sysinfo_read_long(at("net/ipv4/tcp_syncookies")), 1);
	assert_int_equal(sysinfo_read_long(at("net/ipv4/tcp_rmem")), 4096);
	assert_int_equal(sysinfo_read_long(at("net/ipv4/neg")), -1);

	assert_int_equal(sysinfo_read_long(at("net/ipv4/missing")), -1);
	assert_int_equal(sysinfo_read_long(at("net/ipv4/garbage")), -1);
	assert_int_equal(sysinfo_read_long(at("net/ipv4/trailing")), -1);
	assert_int_equal(sysinfo_read_long(at("net/ipv4/empty")), -1);
	assert_int_equal(sysinfo_read_long(at("net/ipv4/plus")), -1);
	assert_int_equal(sysinfo_read_long(at("net/ipv4/hex")), -1);
	assert_int_equal(sysinfo_read_long(at("net/ipv4/huge")), -1);
	assert_int_equal(sysinfo_read_long(at("net")), -1);	/* a directory */
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
	assert_int_equal(sysinfo_read_long(at("outside")), 7);
	assert_int_equal(sysinfo_sysctl(at("net"), "//.outside"), -1);
	assert_int_equal(sysinfo_sysctl(at("net"), "/.outside"), -1);
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
