/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Listener -> owning process. Listeners opened while tracing carry their
 * owner from listen(); older ones are found by their socket inode in
 * /proc/<pid>/fd. The proc root is a parameter so tests use a fake tree.
 */
#ifndef TB_OWNERS_H
#define TB_OWNERS_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "tcpbacklog.h"

struct owner {
	uint64_t ino;			/* socket inode */
	uint32_t pid;			/* tgid; lowest pid holding the socket */
	char comm[TB_COMM_LEN + 1];
};

struct owners {
	char proc_root[256];		/* "/proc" in production */
	struct owner *items;		/* sorted by ino after owners_scan() */
	size_t count, cap;
	int64_t last_scan_ns;		/* CLOCK_MONOTONIC of the last scan (or of init) */
};

void owners_init(struct owners *o, const char *proc_root);
void owners_free(struct owners *o);

/*
 * Scan <proc_root>/<pid>/fd/ for "socket:[ino]" links and record, for
 * each inode, the lowest pid holding it and that pid's comm. Replaces the
 * previous contents. Returns the number of socket inodes found, -errno on
 * failure to open proc_root.
 */
int owners_scan(struct owners *o);

/* Find an inode's owner after a scan; NULL when not found. */
const struct owner *owners_find(const struct owners *o, uint64_t ino);

/*
 * The owner of socket inode ino, for a listener the kernel found no owner
 * for: the one call every caller uses. Looked up in the last scan; with
 * rescan, /proc is scanned again when ino is missing and the last scan is
 * over a second old (sockets opened by processes started meanwhile).
 * NULL when not found.
 */
const struct owner *owners_resolve(struct owners *o, uint64_t ino, bool rescan);

/* Parse a readlink() result "socket:[12345]"; 0 and *ino on success, -1 otherwise. */
int owners_parse_socket_link(const char *link, uint64_t *ino);

#endif /* TB_OWNERS_H */
