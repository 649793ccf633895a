/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Network namespace inode -> its name: the files in /run/netns (and
 * /var/run/netns) that `ip netns add` bind-mounts the namespace on.
 * Cached; looked up again when an inode is missing, at most once a second.
 */
#ifndef TB_NETNS_NAMES_H
#define TB_NETNS_NAMES_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "decode/event.h"

struct netns_name {
	uint32_t ino;
	char name[EVENT_NETNS_NAME_LEN];
};

struct netns_names {
	const char *dirs[3];		/* NULL-terminated */
	bool nsfs_only;			/* production: only nsfs bind mounts count */
	struct netns_name *items;
	size_t count, cap;
	int64_t last_scan_ns;		/* CLOCK_MONOTONIC; 0: never scanned */
};

/* dirs: NULL for /run/netns and /var/run/netns; tests give their own (and nsfs_only false). */
void netns_names_init(struct netns_names *n, const char *const *dirs, bool nsfs_only);
void netns_names_free(struct netns_names *n);

/* The name of namespace ino, NULL when it has none. */
const char *netns_names_find(struct netns_names *n, uint32_t ino);

/* Copy the name of ino into buf ("" when none). */
void netns_names_copy(struct netns_names *n, uint32_t ino, char *buf, size_t len);

#endif /* TB_NETNS_NAMES_H */
