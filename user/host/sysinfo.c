// SPDX-License-Identifier: GPL-2.0
/* Host facts: sysctls, kernel release, open fd counts. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "host/sysinfo.h"

long sysinfo_read_long(const char *path)
{
	char buf[128], *p, *end;
	ssize_t n;
	long v;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';

	p = buf;
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	/* strtol() would also take "+", "0x" and leading blanks: be strict */
	if (!(*p >= '0' && *p <= '9') && !(*p == '-' && p[1] >= '0' && p[1] <= '9'))
		return -1;
	errno = 0;
	v = strtol(p, &end, 10);
	if (errno)
		return -1;
	/* "4096\t131072" (tcp_rmem) reads as 4096, "12abc" is garbage */
	if (*end && *end != ' ' && *end != '\t' && *end != '\n')
		return -1;
	return v;
}

long sysinfo_sysctl(const char *proc_sys_root, const char *name)
{
	char path[PATH_MAX];
	const char *c;
	size_t len, i;
	int n;

	if (!proc_sys_root || !name || !*name)
		return -1;
	n = snprintf(path, sizeof(path), "%s/", proc_sys_root);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -1;
	len = n;

	/*
	 * sysctl(8) convention: '.' separates levels and '/' stands for a dot
	 * inside a level ("net.ipv4.conf.eth0/100.rp_filter"). Empty, "." and
	 * ".." levels are refused so a name cannot leave the root.
	 */
	for (c = name; ; c++) {
		size_t start = len;

		for (; *c && *c != '.'; c++) {
			if (len + 1 >= sizeof(path))
				return -1;
			path[len++] = *c == '/' ? '.' : *c;
		}
		path[len] = '\0';
		i = len - start;
		if (i == 0 || (i == 1 && path[start] == '.') ||
		    (i == 2 && path[start] == '.' && path[start + 1] == '.'))
			return -1;
		if (!*c)
			break;
		if (len + 1 >= sizeof(path))
			return -1;
		path[len++] = '/';
	}
	return sysinfo_read_long(path);
}

void sysinfo_kernel_release(char *buf, size_t len)
{
	struct utsname u;

	if (!buf || !len)
		return;
	if (uname(&u))
		snprintf(buf, len, "unknown");
	else
		snprintf(buf, len, "%s", u.release);
}

long sysinfo_open_fds(const char *proc_root, uint32_t pid)
{
	char path[PATH_MAX];
	struct dirent *de;
	long count = 0;
	DIR *d;
	int n;

	n = snprintf(path, sizeof(path), "%s/%u/fd", proc_root, pid);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -1;
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			count++;
	closedir(d);
	return count;
}

/*
 * Soft RLIMIT_NOFILE of a process from <proc_root>/<pid>/limits, the line
 * "Max open files  <soft> <hard> files". UINT64_MAX for "unlimited", 0 when
 * unreadable.
 */
uint64_t sysinfo_nofile_limit(const char *proc_root, uint32_t pid)
{
	char path[PATH_MAX], line[256], soft[32];
	uint64_t limit = 0;
	FILE *f;
	int n;

	n = snprintf(path, sizeof(path), "%s/%u/limits", proc_root, pid);
	if (n < 0 || (size_t)n >= sizeof(path))
		return 0;
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Max open files", 14))
			continue;
		if (sscanf(line + 14, "%31s", soft) == 1) {
			if (!strcmp(soft, "unlimited"))
				limit = UINT64_MAX;
			else
				limit = strtoull(soft, NULL, 10);
		}
		break;
	}
	fclose(f);
	return limit;
}

void sysinfo_sysctls(const char *proc_sys_root, struct sysctls *s)
{
	s->somaxconn = sysinfo_sysctl(proc_sys_root, "net.core.somaxconn");
	s->tcp_max_syn_backlog = sysinfo_sysctl(proc_sys_root, "net.ipv4.tcp_max_syn_backlog");
	s->tcp_syncookies = sysinfo_sysctl(proc_sys_root, "net.ipv4.tcp_syncookies");
	s->tcp_abort_on_overflow = sysinfo_sysctl(proc_sys_root, "net.ipv4.tcp_abort_on_overflow");
	s->file_max = sysinfo_sysctl(proc_sys_root, "fs.file-max");
	s->nr_open = sysinfo_sysctl(proc_sys_root, "fs.nr_open");
}
