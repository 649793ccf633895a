/* SPDX-License-Identifier: GPL-2.0 */
/* Host facts for the start record and for tuning advice. */
#ifndef TB_SYSINFO_H
#define TB_SYSINFO_H

#include <stddef.h>
#include <stdint.h>

/* Read one integer from a file such as /proc/sys/net/core/somaxconn; -1 on error. */
long sysinfo_read_long(const char *path);

/*
 * Read a sysctl by dotted name ("net.core.somaxconn") under proc_sys_root
 * ("/proc/sys" in production). -1 on error.
 */
long sysinfo_sysctl(const char *proc_sys_root, const char *name);

/* uname -r into buf. */
void sysinfo_kernel_release(char *buf, size_t len);

/* Count entries of <proc_root>/<pid>/fd; -1 when unreadable. */
long sysinfo_open_fds(const char *proc_root, uint32_t pid);

/* Soft RLIMIT_NOFILE of pid from <proc_root>/<pid>/limits: UINT64_MAX unlimited, 0 unreadable. */
uint64_t sysinfo_nofile_limit(const char *proc_root, uint32_t pid);

/* Host settings that decide what to tune (-1: unreadable). */
struct sysctls {
	long somaxconn;
	long tcp_max_syn_backlog;
	long tcp_syncookies;
	long tcp_abort_on_overflow;
	long file_max;			/* fs.file-max */
	long nr_open;			/* fs.nr_open */
};

/* The sysctls that decide what to tune, -1 each when unreadable. */
void sysinfo_sysctls(const char *proc_sys_root, struct sysctls *s);

#endif /* TB_SYSINFO_H */
