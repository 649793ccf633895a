/* SPDX-License-Identifier: GPL-2.0 */
/*
 * At a syscall's exit: its arguments, from the registers saved at entry,
 * and the socket behind an fd of the calling task.
 */
#ifndef TB_SYSCALL_BPF_H
#define TB_SYSCALL_BPF_H

#include "tcpbacklog.bpf.h"

/*
 * The struct sock behind fd in the current task, NULL if not a socket.
 * task is a BTF pointer: its chain to the fd table is plain loads.
 */
static __always_inline struct sock *fd_to_sock(struct task_struct *task, __s32 fd)
{
	struct fdtable *fdt = task->files->fdt;
	struct file **fds, *file = NULL;
	struct socket *sock;
	umode_t mode;

	if (fd < 0 || (__u32)fd >= fdt->max_fds)
		return NULL;
	fds = fdt->fd;
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
 * The first argument of the syscall being left. Its registers were saved
 * at entry and the kernel does not change them on the way out; compat
 * (32-bit) syscalls never reach the syscalls tracepoints.
 */
static __always_inline __s32 syscall_fd_arg(struct task_struct *task)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);

	return (__s32)PT_REGS_PARM1_CORE_SYSCALL(regs);
}

/* The second argument of the syscall being left (a pointer, for bind and connect). */
static __always_inline __u64 syscall_arg2(struct task_struct *task)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);

	return PT_REGS_PARM2_CORE_SYSCALL(regs);
}

#endif /* TB_SYSCALL_BPF_H */
