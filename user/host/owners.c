// SPDX-License-Identifier: GPL-2.0
/*
 * Socket inode -> owning process, from the fd symlinks under /proc. Used
 * for listeners that existed before tracing started.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "host/owners.h"

#define SOCKET_PREFIX	"socket:["
#define RESCAN_NS	1000000000LL	/* scan /proc again at most once a second */

static int64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void owners_init(struct owners *o, const char *proc_root)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->proc_root, sizeof(o->proc_root), "%s", proc_root ? proc_root : "/proc");
	/* the start-up scan, when one is needed, is explicit: rescans wait a second */
	o->last_scan_ns = monotonic_ns();
}

void owners_free(struct owners *o)
{
	free(o->items);
	o->items = NULL;
	o->count = o->cap = 0;
}

int owners_parse_socket_link(const char *link, uint64_t *ino)
{
	const char *p;
	uint64_t v = 0;

	if (!link || strncmp(link, SOCKET_PREFIX, sizeof(SOCKET_PREFIX) - 1))
		return -1;
	p = link + sizeof(SOCKET_PREFIX) - 1;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (*p - '0')) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	/* inode 0 is never a socket: treat it as a malformed link */
	if (p[0] != ']' || p[1] != '\0' || v == 0)
		return -1;
	*ino = v;
	return 0;
}

/* "123" -> 123; anything else (".", "self", "12a", "0") is not a process. */
static int parse_pid(const char *name, uint32_t *pid)
{
	unsigned long long v;
	char *end;

	/* strtoull alone would take " 12", "+12" and "-1" */
	if (*name < '1' || *name > '9')
		return -1;
	errno = 0;
	v = strtoull(name, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return -1;
	*pid = v;
	return 0;
}

/* comm as the kernel wrote it, minus its trailing newline; "" if gone. */
static void read_comm(int proc_fd, uint32_t pid, char *comm, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	comm[0] = '\0';
	snprintf(path, sizeof(path), "%u/comm", pid);
	fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, comm, len - 1);
	close(fd);
	if (n <= 0)
		return;
	if (comm[n - 1] == '\n')
		n--;
	comm[n] = '\0';
}

static int push(struct owners *o, uint64_t ino, uint32_t pid, const char *comm)
{
	struct owner *it;

	if (ARRAY_RESERVE(o->items, o->cap, o->count, 256))
		return -ENOMEM;
	it = &o->items[o->count++];
	memset(it, 0, sizeof(*it));
	it->ino = ino;
	it->pid = pid;
	memcpy(it->comm, comm, sizeof(it->comm));
	return 0;
}

/* Returns -ENOMEM or 0; a process that is gone or unreadable is skipped. */
static int scan_pid(struct owners *o, int proc_fd, uint32_t pid)
{
	char comm[sizeof(o->items[0].comm)] = "";
	bool have_comm = false;
	char path[64], link[64];
	struct dirent *de;
	DIR *fds;
	int dfd, err = 0;

	snprintf(path, sizeof(path), "%u/fd", pid);
	dfd = openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 0;	/* exited (ENOENT/ESRCH) or not ours (EACCES) */
	fds = fdopendir(dfd);
	if (!fds) {
		close(dfd);
		return 0;
	}
	while ((de = readdir(fds))) {
		uint64_t ino;
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		n = readlinkat(dfd, de->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;	/* fd closed meanwhile */
		link[n] = '\0';
		if (owners_parse_socket_link(link, &ino))
			continue;
		/* once per process, and only for processes holding sockets */
		if (!have_comm) {
			read_comm(proc_fd, pid, comm, sizeof(comm));
			have_comm = true;
		}
		err = push(o, ino, pid, comm);
		if (err)
			break;
	}
	closedir(fds);
	return err;
}

static int cmp_owner(const void *a, const void *b)
{
	const struct owner *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return 0;
}

int owners_scan(struct owners *o)
{
	struct dirent *de;
	size_t i, n;
	DIR *proc;
	int err = 0;

	o->count = 0;
	o->last_scan_ns = monotonic_ns();
	proc = opendir(o->proc_root);
	if (!proc)
		return -errno;
	while ((de = readdir(proc))) {
		uint32_t pid;

		if (parse_pid(de->d_name, &pid))
			continue;
		err = scan_pid(o, dirfd(proc), pid);
		if (err)
			break;
	}
	closedir(proc);
	if (err) {
		o->count = 0;
		return err;
	}

	/* one entry per inode, the lowest pid first after sorting */
	if (o->count)
		qsort(o->items, o->count, sizeof(*o->items), cmp_owner);
	for (i = 0, n = 0; i < o->count; i++) {
		if (n && o->items[n - 1].ino == o->items[i].ino)
			continue;
		o->items[n++] = o->items[i];
	}
	o->count = n;
	return n > INT32_MAX ? INT32_MAX : (int)n;
}

const struct owner *owners_find(const struct owners *o, uint64_t ino)
{
	size_t lo = 0, hi = o->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (o->items[mid].ino == ino)
			return &o->items[mid];
		if (o->items[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct owner *owners_resolve(struct owners *o, uint64_t ino, bool rescan)
{
	const struct owner *own = owners_find(o, ino);

	if (!own && rescan && monotonic_ns() - o->last_scan_ns > RESCAN_NS) {
		owners_scan(o);
		own = owners_find(o, ino);
	}
	return own;
}
