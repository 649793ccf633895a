/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whose pids /proc shows. The tracer prints the pids the kernel's BPF
 * programs see: those of the initial PID namespace. A tracer in its own
 * PID namespace with the host's /proc mounted finds them there as they
 * are; with its own /proc (unshare --mount-proc, a container's) the same
 * numbers name other processes, or none: then no pid is looked up there.
 */
#ifndef TB_PIDNS_H
#define TB_PIDNS_H

#include <stdbool.h>

/* PROC_PID_INIT_INO: the initial PID namespace's inode, fixed by the kernel */
#define PIDNS_INIT_INO	0xEFFFFFFCULL

/*
 * Does <proc_root> number processes as the kernel's initial PID namespace
 * does? Its pid 1's namespace says so where it may be read; else our own
 * namespace and the levels of our NSpid line: in a child namespace, a proc
 * of our own shows one level, one mounted from an ancestor more (taken as
 * the initial one: nested namespaces with a middle one's proc are not
 * told apart). True when nothing can be read.
 */
bool pidns_proc_is_initial(const char *proc_root);

#endif /* TB_PIDNS_H */
