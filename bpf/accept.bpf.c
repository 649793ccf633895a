// SPDX-License-Identifier: GPL-2.0
/*
 * accept()/accept4() failures. EMFILE and ENFILE are decided before the
 * protocol's accept runs, so only the syscall exit sees them: remember
 * the fd at entry, and at a failed exit resolve it to its listener and
 * record the caller's fd limit and usage.
 */
#include "maps.bpf.h"

#define MAX_FD_WORDS	(1 << 14)	/* counts up to 1M open fds */

static __always_inline int remember_fd(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__s32 fd = (__s32)ctx->args[0];

	bpf_map_update_elem(&accept_fds, &tid, &fd, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_accept")
int accept_enter(struct trace_event_raw_sys_enter *ctx)
{
	return remember_fd(ctx);
}

SEC("tracepoint/syscalls/sys_enter_accept4")
int accept4_enter(struct trace_event_raw_sys_enter *ctx)
{
	return remember_fd(ctx);
}

/* The struct sock behind fd in the current task, NULL if not a socket. */
static __always_inline struct sock *fd_to_sock(struct task_struct *task, __s32 fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *file = NULL;
	struct socket *sock;
	umode_t mode;

	if (fd < 0 || (__u32)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return NULL;
	mode = BPF_CORE_READ(file, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	sock = BPF_CORE_READ(file, private_data);
	return BPF_CORE_READ(sock, sk);
}

struct fd_count {
	unsigned long *bits;
	__u32 words;
	__u32 count;
};

static long count_word(__u32 i, struct fd_count *c)
{
	unsigned long w = 0;

	if (i >= c->words)
		return 1;
	bpf_probe_read_kernel(&w, sizeof(w), &c->bits[i]);
	c->count += __builtin_popcountl(w);
	return 0;
}

/* Open fds of the current task: the bits set in its fd table's open map. */
static __always_inline __s32 open_fd_count(struct task_struct *task)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct fd_count c = {
		.bits = BPF_CORE_READ(fdt, open_fds),
		.words = BPF_CORE_READ(fdt, max_fds) / 64,
	};

	if (c.words > MAX_FD_WORDS)
		return -1;
	bpf_loop(c.words, count_word, &c, 0);
	return c.count;
}

static __always_inline int accept_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, pid = id >> 32, netns, port = 0;
	struct task_struct *task = bpf_get_current_task_btf();
	long ret = ctx->ret;
	struct tb_listener *l = NULL;
	struct tb_event *e;
	struct sock *sk;
	__s32 *fdp, fd;
	__u64 key;

	fdp = bpf_map_lookup_elem(&accept_fds, &tid);
	if (!fdp)
		return 0;
	fd = *fdp;
	bpf_map_delete_elem(&accept_fds, &tid);
	/* Success, or "try again": not a failure to report. */
	if (ret >= 0 || ret == -EAGAIN || ret == -EINTR || ret == -ERESTARTSYS)
		return 0;

	sk = fd_to_sock(task, fd);
	if (sk) {
		netns = sock_netns(sk);
		port = BPF_CORE_READ(sk, __sk_common.skc_num);
		key = (__u64)sk;
		l = bpf_map_lookup_elem(&listeners, &key);
	} else {
		netns = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
	}
	if (!in_scope(netns, port, pid))
		return 0;
	if (l)
		__sync_fetch_and_add(&l->accept_errors, 1);
	count_total(TB_TOTAL_ACCEPT_ERROR);

	e = event_reserve();
	if (!e)
		return 0;
	e->kind = TB_KIND_ACCEPT_ERROR;
	e->netns = netns;
	e->pid = pid;
	e->err = -ret;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->nofile_limit = BPF_CORE_READ(task, signal, rlim[RLIMIT_NOFILE].rlim_cur);
	e->open_fds = open_fd_count(task);
	if (sk) {
		e->lport = port;
		e->family = BPF_CORE_READ(sk, __sk_common.skc_family);
		if (e->family == AF_INET6)
			BPF_CORE_READ_INTO(&e->laddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		else
			BPF_CORE_READ_INTO(&e->laddr, sk, __sk_common.skc_rcv_saddr);
		queue_state(sk, e);
		e->listener_ino = BPF_CORE_READ(sk, sk_socket, file, f_inode, i_ino);
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept")
int accept_exit_plain(struct trace_event_raw_sys_exit *ctx)
{
	return accept_exit(ctx);
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int accept4_exit(struct trace_event_raw_sys_exit *ctx)
{
	return accept_exit(ctx);
}

/*
 * fentry mode: every connection accept() takes from a listener's queue.
 * inet_csk_accept() takes (sk, struct proto_accept_arg *) since 6.10,
 * (sk, flags, err, kern) before: one program per signature, the loader
 * picks by BTF.
 */
static __always_inline int accepted(struct sock *sk, struct sock *child)
{
	__u64 key = (__u64)sk;
	struct tb_listener *l;

	if (!child)
		return 0;
	l = bpf_map_lookup_elem(&listeners, &key);
	if (l)
		__sync_fetch_and_add(&l->accepts, 1);
	return 0;
}

SEC("fexit/inet_csk_accept")
int BPF_PROG(accept_exit_arg, struct sock *sk, void *arg, struct sock *child)
{
	return accepted(sk, child);
}

SEC("fexit/inet_csk_accept")
int BPF_PROG(accept_exit_legacy, struct sock *sk, int flags, int *err, bool kern, struct sock *child)
{
	return accepted(sk, child);
}
