// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_tree.h"
#include "host/cgroups.h"

#define ID64	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static int setup_tree(void **state)
{
	tree_make("tb-cgroups");
	return 0;
}

static int teardown_tree(void **state)
{
	tree_remove(NULL);
	return 0;
}

static uint64_t ino_of(const char *rel)
{
	struct stat st;

	assert_int_equal(stat(tree_path(rel), &st), 0);
	return st.st_ino;
}

/* a mountinfo naming tree/<rel> as the cgroup2 mount, below a v1 line and a bind mount */
static void put_mountinfo(const char *rel)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "25 30 0:23 / /sys/fs/cgroup/memory rw,nosuid shared:9 - cgroup cgroup rw,memory\n"
		 "26 30 0:24 /sub /elsewhere rw,nosuid shared:10 - cgroup2 cgroup2 rw\n"
		 "27 30 0:24 / %s rw,nosuid,nodev shared:11 - cgroup2 cgroup2 rw,nsdelegate\n",
		 tree_path(rel));
	tree_put("mountinfo", text);
}

static void test_mountinfo_lines(void **state)
{
	char mount[256];

	assert_true(cgroups_parse_mountinfo_line(
		"35 25 0:30 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n",
		mount, sizeof(mount)));
	assert_string_equal(mount, "/sys/fs/cgroup/unified");
	assert_true(cgroups_parse_mountinfo_line(
		"30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw\n",
		mount, sizeof(mount)));
	assert_string_equal(mount, "/sys/fs/cgroup");
	/* optional fields, and a space escaped in the mount point */
	assert_true(cgroups_parse_mountinfo_line(
		"30 23 0:26 / /mnt/my\\040cgroups rw shared:4 master:1 - cgroup2 none rw\n", mount, sizeof(mount)));
	assert_string_equal(mount, "/mnt/my cgroups");
	/* v1, a part of the hierarchy, a line without a separator */
	assert_false(cgroups_parse_mountinfo_line(
		"36 25 0:31 / /sys/fs/cgroup/cpu rw shared:10 - cgroup cgroup rw,cpu\n", mount, sizeof(mount)));
	assert_false(cgroups_parse_mountinfo_line(
		"36 25 0:31 /docker/x /sys/fs/cgroup rw shared:10 - cgroup2 cgroup2 rw\n", mount, sizeof(mount)));
	assert_false(cgroups_parse_mountinfo_line("garbage cgroup2\n", mount, sizeof(mount)));
	assert_string_equal(mount, "");
	/* a mount point too long for the buffer is refused, not cut */
	assert_false(cgroups_parse_mountinfo_line(
		"30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", mount, 8));
}

static void test_resolve(void **state)
{
	struct cgroup_identity id;
	struct cgroups c;
	uint64_t service, pod, scope;

	tree_dir("cg");
	tree_dir("cg/system.slice");
	tree_dir("cg/system.slice/tbid-web.service");
	tree_dir("cg/kubepods.slice");
	tree_dir("cg/kubepods.slice/kubepods-pod0f7d2c1e_8a3b_4c5d_9e6f_a1b2c3d4e5f6.slice");
	tree_dir("cg/kubepods.slice/kubepods-pod0f7d2c1e_8a3b_4c5d_9e6f_a1b2c3d4e5f6.slice/cri-containerd-" ID64 ".scope");
	tree_put("cg/cgroup.procs", "");
	put_mountinfo("cg");
	service = ino_of("cg/system.slice/tbid-web.service");
	pod = ino_of("cg/kubepods.slice/kubepods-pod0f7d2c1e_8a3b_4c5d_9e6f_a1b2c3d4e5f6.slice");
	scope = ino_of("cg/kubepods.slice/kubepods-pod0f7d2c1e_8a3b_4c5d_9e6f_a1b2c3d4e5f6.slice/cri-containerd-"
		       ID64 ".scope");

	cgroups_init(&c, tree_path("mountinfo"), NULL);
	assert_string_equal(c.mount, tree_path("cg"));
	assert_true(cgroups_identity(&c, service, &id));
	assert_string_equal(id.path, "/system.slice/tbid-web.service");
	assert_string_equal(id.unit, "tbid-web.service");
	assert_true(cgroups_identity(&c, scope, &id));
	assert_string_equal(id.container, ID64);
	assert_string_equal(id.pod_uid, "0f7d2c1e-8a3b-4c5d-9e6f-a1b2c3d4e5f6");
	assert_true(cgroups_identity(&c, pod, &id));
	assert_string_equal(id.container, "");
	assert_true(cgroups_identity(&c, ino_of("cg"), &id));
	assert_string_equal(id.path, "/");
	assert_int_equal(c.walks, 1);

	/* 0 is unknown; a file is no cgroup */
	assert_false(cgroups_identity(&c, 0, &id));
	assert_string_equal(id.path, "");
	assert_false(cgroups_identity(&c, ino_of("cg/cgroup.procs"), &id));

	/* gone: the last known path stays */
	tree_remove("cg/system.slice/tbid-web.service");
	assert_int_equal(cgroups_walk(&c), 0);
	assert_true(cgroups_identity(&c, service, &id));
	assert_string_equal(id.unit, "tbid-web.service");

	/* new: found by the next walk */
	tree_dir("cg/system.slice/tbid-new.service");
	assert_int_equal(cgroups_walk(&c), 0);
	assert_true(cgroups_identity(&c, ino_of("cg/system.slice/tbid-new.service"), &id));
	assert_string_equal(id.unit, "tbid-new.service");
	cgroups_free(&c);
}

/* a miss walks again, but not more than once a second */
static void test_miss_rate_limited(void **state)
{
	struct cgroup_identity id;
	struct cgroups c;
	uint32_t walks;

	tree_dir("cg");
	put_mountinfo("cg");
	cgroups_init(&c, tree_path("mountinfo"), NULL);
	assert_false(cgroups_identity(&c, 123456789, &id));
	walks = c.walks;
	assert_int_equal(walks, 1);
	for (int i = 0; i < 100; i++)
		assert_false(cgroups_identity(&c, 123456789 + i, &id));
	/* the test runs in well under a second: no walk in between */
	assert_int_equal(c.walks, walks);
	c.last_walk_ns -= 2000000000LL;
	assert_false(cgroups_identity(&c, 123456789 + 1, &id));
	assert_int_equal(c.walks, walks + 1);
	/* an id a walk made after it was seen did not find: no walk for it again */
	c.last_walk_ns -= 2000000000LL;
	assert_false(cgroups_identity(&c, 123456789, &id));
	assert_false(cgroups_identity(&c, 123456789 + 1, &id));
	assert_int_equal(c.walks, walks + 1);
	assert_string_equal(id.path, "");
	/* a new one still walks */
	assert_false(cgroups_identity(&c, 987654321, &id));
	assert_int_equal(c.walks, walks + 2);
	cgroups_free(&c);
}

/* more cgroups than the cache holds: gone ones go first, live ones stay findable */
static void test_bounded(void **state)
{
	struct cgroup_identity id;
	struct cgroups c;
	char rel[64];

	tree_dir("cg");
	put_mountinfo("cg");
	for (int i = 0; i < CGROUPS_MAX - 1; i++) {
		snprintf(rel, sizeof(rel), "cg/%d", i);
		tree_dir(rel);
	}
	cgroups_init(&c, tree_path("mountinfo"), NULL);
	assert_int_equal(cgroups_walk(&c), 0);
	assert_int_equal(c.count, CGROUPS_MAX);
	assert_int_equal(c.forgotten, 0);
	/*
	 * Another hierarchy: every cgroup known so far is gone from view (kept
	 * on disk, so that no inode is reused).
	 */
	tree_dir("cg2");
	for (int i = 0; i < 100; i++) {
		snprintf(rel, sizeof(rel), "cg2/%d", i);
		tree_dir(rel);
	}
	snprintf(c.mount, sizeof(c.mount), "%.255s", tree_path("cg2"));
	assert_int_equal(cgroups_walk(&c), 0);
	assert_int_equal(c.count, 101);
	assert_int_equal(c.forgotten, CGROUPS_MAX);
	assert_true(cgroups_identity(&c, ino_of("cg2/99"), &id));
	assert_string_equal(id.path, "/99");
	/* still gone ones are kept while there is room */
	tree_remove("cg2/99");
	assert_int_equal(cgroups_walk(&c), 0);
	assert_int_equal(c.count, 101);
	cgroups_free(&c);
}

static void test_pid_path(void **state)
{
	struct cgroups c;
	char path[CGROUP_PATH_LEN], proc[PATH_MAX];

	tree_dir("proc");
	tree_dir("proc/42");
	tree_put("proc/42/cgroup",
		 "12:memory:/system.slice/x.service\n"
		 "1:name=systemd:/system.slice/x.service\n"
		 "0::/system.slice/x.service\n");
	tree_dir("proc/43");
	tree_put("proc/43/cgroup", "4:memory:/\n");
	tree_dir("proc/44");
	tree_put("proc/44/cgroup", "0::/\n");
	tree_dir("cg");
	put_mountinfo("cg");
	snprintf(proc, sizeof(proc), "%s", tree_path("proc"));	/* tree_path() reuses its buffer */
	cgroups_init(&c, tree_path("mountinfo"), proc);
	assert_int_equal(cgroups_pid_path(&c, 42, path, sizeof(path)), 0);
	assert_string_equal(path, "/system.slice/x.service");
	assert_int_equal(cgroups_pid_path(&c, 43, path, sizeof(path)), -1);
	assert_int_equal(cgroups_pid_path(&c, 44, path, sizeof(path)), 0);
	assert_string_equal(path, "/");
	assert_int_equal(cgroups_pid_path(&c, 45, path, sizeof(path)), -1);
	assert_int_equal(cgroups_path_id(&c, "/"), ino_of("cg"));
	assert_int_equal(cgroups_path_id(&c, "/nope"), 0);
	cgroups_free(&c);
}

/* --cgroup arguments against this machine's own hierarchy */
static void test_resolve_arg(void **state)
{
	char rel[512], abs[1024], why[256], given[1024];
	struct cgroups c;

	cgroups_init(&c, NULL, NULL);
	if (!c.mount[0])
		skip();
	assert_int_equal(cgroups_resolve_arg(&c, "/", rel, sizeof(rel), abs, sizeof(abs), why, sizeof(why)), 0);
	assert_string_equal(rel, "/");
	assert_string_equal(abs, c.mount);
	assert_int_equal(cgroups_resolve_arg(&c, c.mount, rel, sizeof(rel), abs, sizeof(abs), why, sizeof(why)), 0);
	assert_string_equal(rel, "/");
	assert_int_equal(cgroups_resolve_arg(&c, "/tb-no-such-cgroup", rel, sizeof(rel), abs, sizeof(abs), why,
					     sizeof(why)), -1);
	assert_non_null(strstr(why, "not a cgroup v2 directory"));
	assert_int_equal(cgroups_resolve_arg(&c, "system.slice", rel, sizeof(rel), abs, sizeof(abs), why,
					     sizeof(why)), -1);
	assert_non_null(strstr(why, "absolute"));
	/* a file of the hierarchy is not a cgroup */
	snprintf(given, sizeof(given), "%s/cgroup.procs", c.mount);
	assert_int_equal(cgroups_resolve_arg(&c, given, rel, sizeof(rel), abs, sizeof(abs), why, sizeof(why)), -1);
	/* out of the hierarchy through .. */
	assert_int_equal(cgroups_resolve_arg(&c, "/../../..", rel, sizeof(rel), abs, sizeof(abs), why,
					     sizeof(why)), -1);
	cgroups_free(&c);
}

static void test_no_mount(void **state)
{
	struct cgroup_identity id;
	char rel[64], abs[64], why[256];
	struct cgroups c;

	tree_put("mountinfo", "25 30 0:23 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
	cgroups_init(&c, tree_path("mountinfo"), NULL);
	assert_string_equal(c.mount, "");
	assert_false(cgroups_identity(&c, 1, &id));
	assert_int_equal(cgroups_resolve_arg(&c, "/", rel, sizeof(rel), abs, sizeof(abs), why, sizeof(why)), -1);
	assert_non_null(strstr(why, "no cgroup v2"));
	cgroups_free(&c);
	cgroups_init(&c, tree_path("no-such-file"), NULL);
	assert_string_equal(c.mount, "");
	cgroups_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mountinfo_lines),
		cmocka_unit_test_setup_teardown(test_resolve, setup_tree, teardown_tree),
		cmocka_unit_test_setup_teardown(test_miss_rate_limited, setup_tree, teardown_tree),
		cmocka_unit_test_setup_teardown(test_bounded, setup_tree, teardown_tree),
		cmocka_unit_test_setup_teardown(test_pid_path, setup_tree, teardown_tree),
		cmocka_unit_test(test_resolve_arg),
		cmocka_unit_test_setup_teardown(test_no_mount, setup_tree, teardown_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
