/* SPDX-License-Identifier: GPL-2.0 */
/*
 * At a syscall's exit: its arguments, from the registers saved at entry,
 * and the socket behind an fd of the calling task.
 */
#ifndef TB_SYSCALL_BPF_H
#define TB_SYSCALL_BPF_H

#include "tcpbacklog.bpf.h"
#include "core_fixes.bpf.h"

/* The struct sock behind fd in the current task, NULL if not a socket. */
static __always_inline struct sock *fd_to_sock(struct task_struct *task, __s32 fd)
{
	struct fdtable *fdt;
	struct file **fds, *file = NULL;
	struct socket *sock;
	umode_t mode;

	/* task is a BTF pointer (5.11+): its chain to the fd table is plain loads */
	if (has_task_btf) {
		fdt = task->files->fdt;
		if (fd < 0 || (__u32)fd >= fdt->max_fds)
			return NULL;
		fds = fdt->fd;
	} else {
		fdt = BPF_CORE_READ(task, files, fdt);
		if (fd < 0 || (__u32)fd >= BPF_CORE_READ(fdt, max_fds))
			return NULL;
		fds = BPF_CORE_READ(fdt, fd);
	}
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return NULL;
	mode = BPF_CORE_READ(file, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	sock = BPF_CORE_READ(file, private_data);
	return BPF_CORE_READ(sock, sk);
}

/* Not failures: "try again", and interrupted calls that restart. */
static __always_inline bool retry_errno(long ret)
{
	return ret == -EAGAIN || ret == -EINTR || ret == -ERESTARTSYS;
}

/*
 * The first argument of syscall nr, being left. Its registers were saved
 * at entry and the kernel does not change them on the way out; compat
 * (32-bit) syscalls never reach the syscalls tracepoints. -1 when the
 * registers are not found (see syscall_regs()).
 */
static __always_inline __s32 syscall_fd_arg(struct task_struct *task, long nr)
{
	struct pt_regs *regs = syscall_regs(task, nr);

	return regs ? (__s32)PT_REGS_PARM1_CORE_SYSCALL(regs) : -1;
}

/* The second argument of syscall nr being left (a pointer, for bind and connect); 0 unknown. */
static __always_inline __u64 syscall_arg2(struct task_struct *task, long nr)
{
	struct pt_regs *regs = syscall_regs(task, nr);

	return regs ? PT_REGS_PARM2_CORE_SYSCALL(regs) : 0;
}

#endif /* TB_SYSCALL_BPF_H */
