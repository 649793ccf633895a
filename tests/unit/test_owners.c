// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_tree.h"
#include "host/owners.h"

/* /proc/<pid>, /proc/<pid>/fd */
static void add_pid(unsigned pid)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "%u", pid);
	tree_dir(rel);
	snprintf(rel, sizeof(rel), "%u/fd", pid);
	tree_dir(rel);
}

static void add_fd(unsigned pid, int fd, const char *target)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "%u/fd/%d", pid, fd);
	tree_link(target, rel);
}

static void write_comm(unsigned pid, const char *data, size_t len)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "%u/comm", pid);
	tree_write(rel, data, len);
}

static int setup_tree(void **state)
{
	tree_make("test_owners");

	/* pid 100: two sockets (one twice), a pipe, a file */
	add_pid(100);
	add_fd(100, 0, "/dev/null");
	add_fd(100, 3, "socket:[123]");
	add_fd(100, 4, "pipe:[5]");
	add_fd(100, 5, "socket:[456]");
	add_fd(100, 8, "socket:[123]");
	add_fd(100, 9, "anon_inode:[eventpoll]");
	write_comm(100, "nginx\n", 6);

	/* pid 50 shares socket 123 and is lower: it owns it */
	add_pid(50);
	add_fd(50, 7, "socket:[123]");
	write_comm(50, "a\nb\n", 4);

	/* pid 200: no comm file */
	add_pid(200);
	add_fd(200, 0, "socket:[789]");

	/* pid 300: odd bytes kept raw, only the final newline goes */
	add_pid(300);
	add_fd(300, 1, "socket:[1000]");
	write_comm(300, "\xff\x01x\x1b[31m\n", 9);

	/* pid 310: comm longer than the kernel allows, truncated */
	add_pid(310);
	add_fd(310, 1, "socket:[1001]");
	write_comm(310, "0123456789abcdefXYZ\n", 20);

	/* pid 400: gone, only its directory is left */
	tree_dir("400");

	/* pid 500: no sockets */
	add_pid(500);
	add_fd(500, 0, "/dev/null");
	add_fd(500, 1, "socket:[]");
	add_fd(500, 2, "socket:[12a]");
	write_comm(500, "bash\n", 5);

	/* not processes */
	tree_dir("self");
	tree_dir("12abc");
	tree_dir("12abc/fd");
	tree_link("socket:[31337]", "12abc/fd/0");
	tree_dir("sys");
	return 0;
}

static int teardown_tree(void **state)
{
	tree_remove(NULL);
	return 0;
}

static void test_parse_link(void **state)
{
	uint64_t ino = 77;

	assert_int_equal(owners_parse_socket_link("socket:[12345]", &ino), 0);
	assert_int_equal(ino, 12345);
	assert_int_equal(owners_parse_socket_link("socket:[18446744073709551615]", &ino), 0);
	assert_true(ino == UINT64_MAX);

	ino = 77;
	assert_int_equal(owners_parse_socket_link("socket:[]", &ino), -1);
	assert_int_equal(owners_parse_socket_link("socket:[12a]", &ino), -1);
	assert_int_equal(owners_parse_socket_link("socket:[99999999999999999999]", &ino), -1);
	assert_int_equal(owners_parse_socket_link("socket:[18446744073709551616]", &ino), -1);
	assert_int_equal(owners_parse_socket_link("anon_inode:[eventpoll]", &ino), -1);
	assert_int_equal(owners_parse_socket_link("pipe:[5]", &ino), -1);
	assert_int_equal(owners_parse_socket_link("socket:[12]x", &ino), -1);
	assert_int_equal(owners_parse_socket_link("socket:[12", &ino), -1);
	assert_int_equal(owners_parse_socket_link("socket:[-1]", &ino), -1);
	assert_int_equal(owners_parse_socket_link("socket:[ 1]", &ino), -1);
	assert_int_equal(owners_parse_socket_link("socket:[0]", &ino), -1);
	assert_int_equal(owners_parse_socket_link("socket:", &ino), -1);
	assert_int_equal(owners_parse_socket_link("Socket:[1]", &ino), -1);
	assert_int_equal(owners_parse_socket_link("", &ino), -1);
	assert_int_equal(owners_parse_socket_link(NULL, &ino), -1);
	/* untouched on failure */
	assert_int_equal(ino, 77);
}

static void test_scan_fake(void **state)
{
	const struct owner *w;
	struct owners o;

	owners_init(&o, root);
	assert_int_equal(owners_scan(&o), 5);
	assert_int_equal(o.count, 5);

	w = owners_find(&o, 123);
	assert_non_null(w);
	assert_int_equal(w->pid, 50);
	assert_string_equal(w->comm, "a\nb");

	w = owners_find(&o, 456);
	assert_non_null(w);
	assert_int_equal(w->pid, 100);
	assert_string_equal(w->comm, "nginx");

	w = owners_find(&o, 789);
	assert_non_null(w);
	assert_int_equal(w->pid, 200);
	assert_string_equal(w->comm, "");

	w = owners_find(&o, 1000);
	assert_non_null(w);
	assert_int_equal(w->pid, 300);
	assert_string_equal(w->comm, "\xff\x01x\x1b[31m");

	w = owners_find(&o, 1001);
	assert_non_null(w);
	assert_int_equal(w->pid, 310);
	assert_string_equal(w->comm, "0123456789abcdef");

	/* 12abc is not a pid; pipes and bad links are not sockets */
	assert_null(owners_find(&o, 31337));
	assert_null(owners_find(&o, 5));
	assert_null(owners_find(&o, 12));
	assert_null(owners_find(&o, 0));
	assert_null(owners_find(&o, 124));
	assert_null(owners_find(&o, UINT64_MAX));
	owners_free(&o);
	assert_null(o.items);
	assert_int_equal(o.count, 0);
}

/* A second scan replaces the first; the next lowest pid takes over. */
static void test_rescan(void **state)
{
	const struct owner *w;
	struct owners o;

	owners_init(&o, root);
	assert_int_equal(owners_scan(&o), 5);
	assert_int_equal(owners_find(&o, 123)->pid, 50);

	tree_remove("50");
	tree_remove("200");

	assert_int_equal(owners_scan(&o), 4);
	w = owners_find(&o, 123);
	assert_non_null(w);
	assert_int_equal(w->pid, 100);
	assert_string_equal(w->comm, "nginx");
	assert_null(owners_find(&o, 789));
	owners_free(&o);
}

static void test_many(void **state)
{
	struct owners o;
	char target[32];
	int i;

	add_pid(900);
	write_comm(900, "many\n", 5);
	add_pid(901);
	for (i = 0; i < 3000; i++) {
		snprintf(target, sizeof(target), "socket:[%d]", 5000000 - i * 7);
		add_fd(900, i, target);
		if (i % 3 == 0)
			add_fd(901, i, target);
	}

	owners_init(&o, root);
	assert_int_equal(owners_scan(&o), 3000 + 5);
	for (i = 1; i < (int)o.count; i++)
		assert_true(o.items[i - 1].ino < o.items[i].ino);
	for (i = 0; i < 3000; i++) {
		const struct owner *w = owners_find(&o, 5000000 - i * 7);

		assert_non_null(w);
		assert_int_equal(w->pid, 900);
		assert_string_equal(w->comm, "many");
		assert_null(owners_find(&o, 5000000 - i * 7 + 1));
	}
	owners_free(&o);
}

static void test_bad_root(void **state)
{
	struct owners o;

	owners_init(&o, "/nonexistent/proc");
	assert_int_equal(owners_scan(&o), -ENOENT);
	assert_null(owners_find(&o, 1));
	owners_free(&o);
	owners_free(&o);	/* twice is harmless */
}

static void test_empty(void **state)
{
	char dir[] = "/tmp/test_owners_empty.XXXXXX";
	struct owners o;

	assert_non_null(mkdtemp(dir));
	owners_init(&o, dir);
	assert_string_equal(o.proc_root, dir);
	assert_int_equal(owners_scan(&o), 0);
	assert_null(owners_find(&o, 123));
	owners_free(&o);
	rmdir(dir);
}

/* The real /proc: a socket of ours is found, owned by us. */
static void test_real_proc(void **state)
{
	const struct owner *w;
	struct owners o;
	char comm[32] = "";
	struct stat sb;
	FILE *f;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &sb), 0);

	f = fopen("/proc/self/comm", "r");
	if (!f || !fgets(comm, sizeof(comm), f)) {
		if (f)
			fclose(f);
		close(fd);
		skip();
	}
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';

	owners_init(&o, "/proc");
	assert_true(owners_scan(&o) > 0);
	w = owners_find(&o, sb.st_ino);
	assert_non_null(w);
	assert_int_equal(w->pid, getpid());
	assert_string_equal(w->comm, comm);
	owners_free(&o);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_link),
		cmocka_unit_test_setup_teardown(test_scan_fake, setup_tree, teardown_tree),
		cmocka_unit_test_setup_teardown(test_rescan, setup_tree, teardown_tree),
		cmocka_unit_test_setup_teardown(test_many, setup_tree, teardown_tree),
		cmocka_unit_test(test_bad_root),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_real_proc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
