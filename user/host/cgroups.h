/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup v2 id -> path, as the kernel's bpf_get_current_cgroup_id() gives
 * it: the id is the inode number of the cgroup's directory in the v2
 * hierarchy. The hierarchy is found in mountinfo (/sys/fs/cgroup on a
 * pure v2 host, /sys/fs/cgroup/unified on a hybrid one), walked once and
 * walked again when an id is missing, at most once a second. A cgroup
 * that is gone keeps its last known path; one gone before any walk saw it
 * is remembered as unknown. The cache is bounded.
 */
#ifndef TB_CGROUPS_H
#define TB_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/cgroup_path.h"

#define CGROUPS_MAX	16384	/* cgroups remembered; past it, gone ones are forgotten first */

struct cgroup_entry {
	uint64_t id;		/* 0: free slot */
	char *path;		/* relative to the v2 root, "/" for the root; "" never found */
	uint32_t seen;		/* the walk that last found it */
};

struct cgroups {
	char mount[256];	/* where cgroup2 is mounted, "" when nowhere */
	char proc_root[256];	/* "/proc" in production */
	struct cgroup_entry *slots;	/* open addressing, CGROUPS_SLOTS of them */
	size_t count;
	uint32_t walks;		/* walks done */
	int64_t last_walk_ns;	/* CLOCK_MONOTONIC */
	uint64_t forgotten;	/* gone cgroups dropped to make room */
};

/*
 * Find the cgroup2 mount in mountinfo (NULL: /proc/self/mountinfo); no
 * walk yet. proc_root (NULL: "/proc") serves cgroups_pid_path().
 */
void cgroups_init(struct cgroups *c, const char *mountinfo, const char *proc_root);
void cgroups_free(struct cgroups *c);

/*
 * The identity of cgroup id into *out: false, and out empty, when id is
 * 0 or not found even after a walk (one walk a second at most).
 */
bool cgroups_identity(struct cgroups *c, uint64_t id, struct cgroup_identity *out);

/* Walk the hierarchy now (the first lookup does it too); -errno when it cannot be read. */
int cgroups_walk(struct cgroups *c);

/* Process pid's v2 cgroup ("0::<path>" of /proc/<pid>/cgroup) into path; -1 when unknown. */
int cgroups_pid_path(const struct cgroups *c, uint32_t pid, char *path, size_t len);

/* The id of the cgroup at path (relative to the v2 root); 0 when it is not there. */
uint64_t cgroups_path_id(const struct cgroups *c, const char *path);

/*
 * A --cgroup argument: a directory of the v2 hierarchy, given either as
 * a path inside it ("/system.slice/x.service") or as a file system path
 * ("/sys/fs/cgroup/system.slice/x.service"). Its path relative to the v2
 * root into rel, its file system path into abs; -1 and a sentence in why
 * when it is not a cgroup v2 directory.
 */
int cgroups_resolve_arg(const struct cgroups *c, const char *arg, char *rel, size_t rel_len,
			char *abs, size_t abs_len, char *why, size_t why_len);

/* The mount point from one mountinfo line if its file system is cgroup2; "" otherwise. */
bool cgroups_parse_mountinfo_line(const char *line, char *mount, size_t len);

#endif /* TB_CGROUPS_H */
