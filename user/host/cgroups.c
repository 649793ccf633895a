// SPDX-License-Identifier: GPL-2.0
/* cgroup v2 id -> path with a bounded cache; see cgroups.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "host/cgroups.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC	0x63677270
#endif

#define CGROUPS_SLOTS	(2 * CGROUPS_MAX)	/* a power of two, at most half full */
#define WALK_DEPTH	64			/* systemd allows fewer levels than this in practice */
#define WALK_EVERY_NS	1000000000LL

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static void unescape_octal(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* "36 25 0:30 / /sys/fs/cgroup/unified rw,nosuid shared:9 - cgroup2 cgroup2 rw" */
bool cgroups_parse_mountinfo_line(const char *line, char *mount, size_t len)
{
	char root[PATH_MAX], point[PATH_MAX], fstype[64];
	const char *sep = strstr(line, " - ");

	if (len)
		mount[0] = '\0';
	if (!sep || sscanf(sep + 3, "%63s", fstype) != 1 || strcmp(fstype, "cgroup2"))
		return false;
	/* the whole hierarchy, not a bind mount of a part of it */
	if (sscanf(line, "%*s %*s %*s %4095s %4095s", root, point) != 2 || strcmp(root, "/"))
		return false;
	unescape_octal(point);
	if (strlen(point) >= len)
		return false;
	snprintf(mount, len, "%s", point);
	return true;
}

void cgroups_init(struct cgroups *c, const char *mountinfo, const char *proc_root)
{
	char line[2 * PATH_MAX];
	FILE *f;

	memset(c, 0, sizeof(*c));
	snprintf(c->proc_root, sizeof(c->proc_root), "%s", proc_root ? proc_root : "/proc");
	f = fopen(mountinfo ? mountinfo : "/proc/self/mountinfo", "re");
	if (!f)
		return;
	while (!c->mount[0] && fgets(line, sizeof(line), f))
		cgroups_parse_mountinfo_line(line, c->mount, sizeof(c->mount));
	fclose(f);
}

void cgroups_free(struct cgroups *c)
{
	for (size_t i = 0; c->slots && i < CGROUPS_SLOTS; i++)
		free(c->slots[i].path);
	free(c->slots);
	c->slots = NULL;
	c->count = 0;
}

static size_t slot_of(uint64_t id)
{
	return (size_t)((id * 0x9e3779b97f4a7c15ULL) >> 32) & (CGROUPS_SLOTS - 1);
}

static struct cgroup_entry *find(const struct cgroups *c, uint64_t id)
{
	if (!c->slots)
		return NULL;
	for (size_t i = slot_of(id);; i = (i + 1) & (CGROUPS_SLOTS - 1)) {
		if (c->slots[i].id == id)
			return &c->slots[i];
		if (!c->slots[i].id)
			return NULL;
	}
}

/* Remember id at path (seen in this walk); -1 when the cache is full. */
static int remember(struct cgroups *c, uint64_t id, const char *path)
{
	struct cgroup_entry *e = find(c, id);
	size_t i;

	if (e) {
		e->seen = c->walks;
		/* a cgroup is not renamed, but an id seen at a new path takes it */
		if (strcmp(e->path, path)) {
			char *copy = strdup(path);

			if (!copy)
				return -1;
			free(e->path);
			e->path = copy;
		}
		return 0;
	}
	if (c->count >= CGROUPS_MAX)
		return -1;
	for (i = slot_of(id); c->slots[i].id; i = (i + 1) & (CGROUPS_SLOTS - 1))
		;
	c->slots[i].path = strdup(path);
	if (!c->slots[i].path)
		return -1;
	c->slots[i].id = id;
	c->slots[i].seen = c->walks;
	c->count++;
	return 0;
}

/* Keep only the cgroups the last walk found: room for new ones. */
static void forget_gone(struct cgroups *c)
{
	struct cgroup_entry *old = c->slots;

	c->slots = calloc(CGROUPS_SLOTS, sizeof(*c->slots));
	if (!c->slots) {
		c->slots = old;
		return;
	}
	c->count = 0;
	for (size_t i = 0; i < CGROUPS_SLOTS; i++) {
		size_t j;

		if (!old[i].id)
			continue;
		if (old[i].seen != c->walks) {
			free(old[i].path);
			c->forgotten++;
			continue;
		}
		for (j = slot_of(old[i].id); c->slots[j].id; j = (j + 1) & (CGROUPS_SLOTS - 1))
			;
		c->slots[j] = old[i];
		c->count++;
	}
	free(old);
}

/* dirfd: the open directory at path (relative to the root); its cgroups below. Returns those left out. */
static size_t walk_dir(struct cgroups *c, int dirfd, char *path, size_t len, int depth)
{
	size_t skipped = 0;
	struct dirent *d;
	struct stat st;
	DIR *dir;

	if (fstat(dirfd, &st) || remember(c, st.st_ino, len ? path : "/"))
		skipped++;
	if (depth >= WALK_DEPTH) {
		close(dirfd);
		return skipped;
	}
	dir = fdopendir(dirfd);
	if (!dir) {
		close(dirfd);
		return skipped;
	}
	while ((d = readdir(dir))) {
		size_t n = strlen(d->d_name);
		int fd;

		if (d->d_type != DT_DIR || d->d_name[0] == '.' || len + 1 + n >= PATH_MAX)
			continue;
		fd = openat(dirfd, d->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;	/* removed meanwhile */
		path[len] = '/';
		memcpy(path + len + 1, d->d_name, n + 1);
		skipped += walk_dir(c, fd, path, len + 1 + n, depth + 1);
		path[len] = '\0';
	}
	closedir(dir);
	return skipped;
}

int cgroups_walk(struct cgroups *c)
{
	char path[PATH_MAX] = "";
	int fd;

	c->last_walk_ns = mono_ns();
	if (!c->mount[0])
		return -ENOENT;
	if (!c->slots) {
		c->slots = calloc(CGROUPS_SLOTS, sizeof(*c->slots));
		if (!c->slots)
			return -ENOMEM;
	}
	fd = open(c->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	c->walks++;
	if (walk_dir(c, fd, path, 0, 0)) {
		/* full: the gone ones make room, and the walk is done again */
		forget_gone(c);
		fd = open(c->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		walk_dir(c, fd, path, 0, 0);
	}
	return 0;
}

bool cgroups_identity(struct cgroups *c, uint64_t id, struct cgroup_identity *out)
{
	struct cgroup_entry *e;

	memset(out, 0, sizeof(*out));
	if (!id)
		return false;
	e = find(c, id);
	if (!e && (!c->walks || mono_ns() - c->last_walk_ns >= WALK_EVERY_NS)) {
		cgroups_walk(c);
		e = find(c, id);
		/*
		 * Not there even now, after it was seen: it was gone before any
		 * walk saw it. Remembered without a path, so that it costs no
		 * more walks; the first to be forgotten (seen by no walk).
		 */
		if (!e && c->slots && !remember(c, id, "")) {
			e = find(c, id);
			e->seen = 0;
		}
	}
	if (!e || !e->path[0])
		return false;
	cgroup_identity_parse(e->path, out);
	return true;
}

int cgroups_pid_path(const struct cgroups *c, uint32_t pid, char *path, size_t len)
{
	char file[PATH_MAX], line[PATH_MAX + 8];
	int rc = -1;
	FILE *f;

	snprintf(file, sizeof(file), "%s/%u/cgroup", c->proc_root, pid);
	f = fopen(file, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (line[3] == '/' && strlen(line + 3) < len) {
			snprintf(path, len, "%s", line + 3);
			rc = 0;
		}
		break;
	}
	fclose(f);
	return rc;
}

uint64_t cgroups_path_id(const struct cgroups *c, const char *path)
{
	char abs[PATH_MAX];
	struct stat st;

	if (!c->mount[0] || snprintf(abs, sizeof(abs), "%s%s", c->mount, path) >= (int)sizeof(abs))
		return 0;
	return stat(abs, &st) || !S_ISDIR(st.st_mode) ? 0 : st.st_ino;
}

int cgroups_resolve_arg(const struct cgroups *c, const char *arg, char *rel, size_t rel_len,
			char *abs, size_t abs_len, char *why, size_t why_len)
{
	char given[PATH_MAX], real[PATH_MAX];
	size_t n = strlen(c->mount);
	struct statfs fs;
	struct stat st;

	if (!c->mount[0]) {
		snprintf(why, why_len, "no cgroup v2 hierarchy is mounted (cgroup2 in /proc/self/mountinfo)");
		return -1;
	}
	if (arg[0] != '/') {
		snprintf(why, why_len, "expected an absolute path: /system.slice/NAME.service or %s/...", c->mount);
		return -1;
	}
	/* a file system path below the mount, or a path inside the hierarchy */
	if (!strncmp(arg, c->mount, n) && (arg[n] == '/' || !arg[n]))
		snprintf(given, sizeof(given), "%s", arg);
	else if (snprintf(given, sizeof(given), "%s%s", c->mount, arg) >= (int)sizeof(given))
		goto not_cgroup;
	if (!realpath(given, real) || statfs(real, &fs) || fs.f_type != CGROUP2_SUPER_MAGIC ||
	    stat(real, &st) || !S_ISDIR(st.st_mode))
		goto not_cgroup;
	if (strncmp(real, c->mount, n) || (real[n] != '/' && real[n])) {
		snprintf(why, why_len, "not inside the cgroup v2 hierarchy at %s", c->mount);
		return -1;
	}
	if (snprintf(rel, rel_len, "%s", real[n] ? real + n : "/") >= (int)rel_len ||
	    snprintf(abs, abs_len, "%s", real) >= (int)abs_len) {
		snprintf(why, why_len, "path too long");
		return -1;
	}
	return 0;

not_cgroup:
	snprintf(why, why_len, "not a cgroup v2 directory (the hierarchy is at %s)", c->mount);
	return -1;
}
