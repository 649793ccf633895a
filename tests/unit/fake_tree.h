/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A made-up file tree (a /proc, a /proc/sys) in a temporary directory, for
 * the unit tests of code that reads one: made, filled and removed here.
 * Include after cmocka.h.
 */
#ifndef TB_FAKE_TREE_H
#define TB_FAKE_TREE_H

#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[64];

/* A new, empty tree: /tmp/<name>.XXXXXX */
static inline void tree_make(const char *name)
{
	snprintf(root, sizeof(root), "/tmp/%s.XXXXXX", name);
	assert_non_null(mkdtemp(root));
}

/* root/rel; the buffer is reused by the next call */
static inline const char *tree_path(const char *rel)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return path;
}

static inline void tree_dir(const char *rel)
{
	assert_int_equal(mkdir(tree_path(rel), 0755), 0);
}

static inline void tree_write(const char *rel, const void *data, size_t len)
{
	FILE *f = fopen(tree_path(rel), "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static inline void tree_put(const char *rel, const char *text)
{
	tree_write(rel, text, strlen(text));
}

static inline void tree_link(const char *target, const char *rel)
{
	assert_int_equal(symlink(target, tree_path(rel)), 0);
}

static inline int tree_remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* root/rel and everything below it; rel NULL: the whole tree */
static inline void tree_remove(const char *rel)
{
	nftw(rel ? tree_path(rel) : root, tree_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

#endif /* TB_FAKE_TREE_H */
