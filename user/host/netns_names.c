// SPDX-License-Identifier: GPL-2.0
/* Network namespace names from /run/netns; see netns_names.h. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "array.h"
#include "host/netns_names.h"

#define NSFS_MAGIC_NUMBER	0x6e736673	/* linux/magic.h NSFS_MAGIC */
#define RESCAN_NS		1000000000LL

static const char *const default_dirs[] = { "/run/netns", "/var/run/netns", NULL };

static int64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void netns_names_init(struct netns_names *n, const char *const *dirs, bool nsfs_only)
{
	memset(n, 0, sizeof(*n));
	if (!dirs)
		dirs = default_dirs;
	for (int i = 0; i < 2 && dirs[i]; i++)
		n->dirs[i] = dirs[i];
	n->nsfs_only = nsfs_only;
}

void netns_names_free(struct netns_names *n)
{
	free(n->items);
	n->items = NULL;
	n->count = n->cap = 0;
}

static bool known(const struct netns_names *n, uint32_t ino)
{
	for (size_t i = 0; i < n->count; i++)
		if (n->items[i].ino == ino)
			return true;
	return false;
}

/* A file the namespace is bind-mounted on: an nsfs inode (an unmounted file is not one). */
static bool namespace_file(const struct netns_names *n, const char *path, uint32_t *ino)
{
	struct statfs sfs;
	struct stat st;

	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return false;
	if (n->nsfs_only && (statfs(path, &sfs) || sfs.f_type != NSFS_MAGIC_NUMBER))
		return false;
	*ino = (uint32_t)st.st_ino;
	return true;
}

static void scan_dir(struct netns_names *n, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[512];
		uint32_t ino;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= EVENT_NETNS_NAME_LEN)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		/* /var/run is usually /run: one name per namespace, the first found */
		if (!namespace_file(n, path, &ino) || known(n, ino))
			continue;
		if (ARRAY_RESERVE(n->items, n->cap, n->count, 16))
			break;
		n->items[n->count].ino = ino;
		snprintf(n->items[n->count].name, sizeof(n->items[n->count].name), "%s", de->d_name);
		n->count++;
	}
	closedir(d);
}

static void scan(struct netns_names *n)
{
	n->count = 0;
	for (int i = 0; n->dirs[i]; i++)
		scan_dir(n, n->dirs[i]);
	n->last_scan_ns = monotonic_ns();
}

static const struct netns_name *lookup(const struct netns_names *n, uint32_t ino)
{
	for (size_t i = 0; i < n->count; i++)
		if (n->items[i].ino == ino)
			return &n->items[i];
	return NULL;
}

const char *netns_names_find(struct netns_names *n, uint32_t ino)
{
	const struct netns_name *e;

	if (!ino)
		return NULL;
	e = lookup(n, ino);
	/* a name given since, or an inode that was named before and reused: look again */
	if (!n->last_scan_ns || monotonic_ns() - n->last_scan_ns >= RESCAN_NS) {
		if (!e || monotonic_ns() - n->last_scan_ns >= 10 * RESCAN_NS) {
			scan(n);
			e = lookup(n, ino);
		}
	}
	return e ? e->name : NULL;
}

void netns_names_copy(struct netns_names *n, uint32_t ino, char *buf, size_t len)
{
	const char *name = netns_names_find(n, ino);

	snprintf(buf, len, "%s", name ? name : "");
}
