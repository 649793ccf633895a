// SPDX-License-Identifier: GPL-2.0
/* Unit tests for user/host/netns_names.c: names from a made-up /run/netns. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "host/netns_names.h"
#include "fake_tree.h"

static uint32_t ino_of(const char *rel)
{
	struct stat st;

	assert_int_equal(stat(tree_path(rel), &st), 0);
	return (uint32_t)st.st_ino;
}

static void test_names(void **state)
{
	const char *dirs[3];
	char run[512], var_run[512], buf[EVENT_NETNS_NAME_LEN];
	struct netns_names n;
	uint32_t blue, red;

	tree_make("tb-netns-names");
	tree_dir("run");
	tree_dir("varrun");
	tree_put("run/blue", "");
	tree_put("run/two words\n", "");
	tree_dir("run/not-a-file");
	tree_link("../run/blue", "varrun/blue-again");	/* /var/run is /run: one name */
	tree_put("varrun/red", "");
	blue = ino_of("run/blue");
	red = ino_of("varrun/red");
	snprintf(run, sizeof(run), "%s", tree_path("run"));
	snprintf(var_run, sizeof(var_run), "%s", tree_path("varrun"));
	dirs[0] = run;
	dirs[1] = var_run;
	dirs[2] = NULL;

	netns_names_init(&n, dirs, false);
	assert_string_equal(netns_names_find(&n, blue), "blue");
	assert_string_equal(netns_names_find(&n, red), "red");
	assert_string_equal(netns_names_find(&n, ino_of("run/two words\n")), "two words\n");
	assert_null(netns_names_find(&n, ino_of("run/not-a-file")));
	assert_null(netns_names_find(&n, 0));
	netns_names_copy(&n, 12345, buf, sizeof(buf));
	assert_string_equal(buf, "");
	netns_names_copy(&n, red, buf, sizeof(buf));
	assert_string_equal(buf, "red");
	netns_names_free(&n);

	/* production's rule: plain files are no namespaces (only nsfs bind mounts are) */
	netns_names_init(&n, dirs, true);
	assert_null(netns_names_find(&n, blue));
	netns_names_free(&n);
	tree_remove(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
