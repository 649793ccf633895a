// SPDX-License-Identifier: GPL-2.0
/* Unit tests of user/host/port_usage.c against a fake /proc/<pid>/net. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "fake_tree.h"
#include "host/port_usage.h"

static uint32_t inode_of(const char *rel)
{
	struct stat st;

	assert_int_equal(stat(tree_path(rel), &st), 0);
	return (uint32_t)st.st_ino;
}

/* What 6.x prints (trailing columns cut): toward 127.0.0.1:8080 and ::1:8080 */
static const char tcp[] =
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1\n"
	"   1: 0100007F:9C40 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 2\n"
	"   2: 0100007F:9C41 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 3\n"
	"   3: 0100007F:9C42 0100007F:1F90 06 00000000:00000000 00:00000000 00000000     0        0 0\n"
	"   4: 0100007F:9C43 0100007F:1F90 02 00000000:00000000 00:00000000 00000000     0        0 4\n"
	"   5: 0100007F:9C44 0100007F:1F91 01 00000000:00000000 00:00000000 00000000     0        0 5\n"
	"   6: 0100007F:9C45 0200007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 6\n"
	"   7: 0100007F:9C46 0100007F:1F90 08 00000000:00000000 00:00000000 00000000     0        0 7\n";
static const char tcp6[] =
	"  sl  local_address                         remote_address                        st\n"
	"   0: 00000000000000000000000001000000:9C40 00000000000000000000000001000000:1F90 06 0\n"
	"   1: 00000000000000000000000001000000:9C41 00000000000000000000000001000000:1F90 06 0\n";

static int setup(void **state)
{
	tree_make("test_port_usage");
	tree_dir("42");
	tree_dir("42/ns");
	tree_dir("42/net");
	tree_put("42/ns/net", "");
	tree_put("42/net/tcp", tcp);
	tree_put("42/net/tcp6", tcp6);
	return 0;
}

static int teardown(void **state)
{
	tree_remove(NULL);
	return 0;
}

/* by state, only toward that address and port; listeners are not toward anything */
static void test_ipv4_by_state(void **state)
{
	struct port_usage u;

	port_usage_count(root, 42, inode_of("42/ns/net"), AF_INET, "127.0.0.1", 8080, &u);
	assert_true(u.known);
	assert_int_equal(u.established, 2);
	assert_int_equal(u.time_wait, 1);
	assert_int_equal(u.syn_sent, 1);
	assert_int_equal(u.other, 1);	/* CLOSE_WAIT */
}

static void test_ipv6(void **state)
{
	struct port_usage u;

	port_usage_count(root, 42, inode_of("42/ns/net"), AF_INET6, "::1", 8080, &u);
	assert_true(u.known);
	assert_int_equal(u.time_wait, 2);
	assert_int_equal(u.established + u.syn_sent + u.other, 0);
}

/* the process left, or lives in another namespace now: unknown, not zero */
static void test_unknown(void **state)
{
	struct port_usage u;

	port_usage_count(root, 43, inode_of("42/ns/net"), AF_INET, "127.0.0.1", 8080, &u);
	assert_false(u.known);
	port_usage_count(root, 42, inode_of("42/ns/net") + 1, AF_INET, "127.0.0.1", 8080, &u);
	assert_false(u.known);
	port_usage_count(root, 42, inode_of("42/ns/net"), AF_INET, "not an address", 8080, &u);
	assert_false(u.known);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_by_state),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_unknown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
