// SPDX-License-Identifier: GPL-2.0
/*
 * Accepts: each connection taken from a listener's queue (counted, with
 * its wait), and accept()/accept4() failures. EMFILE and ENFILE are
 * decided before the protocol's accept runs, so only the syscall exit sees
 * them: there the listening fd is still in the caller's saved registers;
 * resolve it to its listener and record the caller's fd limit and usage.
 */
#include "tcpbacklog.bpf.h"
#include "core_fixes.bpf.h"
#include "tb_log2.h"
#include "emit.bpf.h"
#include "queues.bpf.h"
#include "scope.bpf.h"
#include "syscall.bpf.h"

#ifndef TB_PRE_5_17
#define MAX_FD_WORDS	(1 << 14)	/* counts up to 1M open fds */
#else
#define MAX_FD_WORDS	(TB_PRE_5_17_OPEN_FDS / 64)	/* unrolled */
#endif

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
#ifndef TB_PRE_5_17
	bpf_loop(c.words, count_word, &c, 0);
#else
	TB_UNROLL
	for (__u32 i = 0; i < MAX_FD_WORDS; i++) {
		if (count_word(i, &c))
			break;
	}
#endif
	return c.count;
}

#define E2BIG		7

/* What an accept attempt on a listener came to, for its acceptor's counts. */
enum accept_outcome {
	ACCEPT_TRIED,	/* nothing to take yet (EAGAIN), or interrupted */
	ACCEPT_TOOK,
	ACCEPT_FAILED,
};

/*
 * The current process tried to accept from listener l (key sk): it is the
 * listener's acceptor from now on, and, with -i, its own counts grow in
 * map "acceptors" (the loader takes them each interval). On a failure,
 * nofile and open_fds are the caller's limit and usage at that moment.
 */
static __always_inline void note_acceptor(struct tb_listener *l, __u64 sk, enum accept_outcome outcome,
					  __u64 nofile, __s32 open_fds)
{
	struct tb_acceptor_key key = { .sk = sk, .tgid = bpf_get_current_pid_tgid() >> 32 };
	__u64 cgroup_id = bpf_get_current_cgroup_id();
	struct tb_acceptor fresh = { .open_fds = -1 }, *a;
	long err;

	/*
	 * The same acceptor as last time (a server's every accept): leave the
	 * entry's line alone, the softirq paths of other CPUs write its counters.
	 */
	if (l->acceptor_pid != key.tgid || l->acceptor_cgroup_id != cgroup_id) {
		l->acceptor_pid = key.tgid;
		l->acceptor_cgroup_id = cgroup_id;
		bpf_get_current_comm(l->acceptor_comm, sizeof(l->acceptor_comm));
	}
	if (!track_acceptors)
		return;
	a = bpf_map_lookup_elem(&acceptors, &key);
	if (!a) {
		err = bpf_map_update_elem(&acceptors, &key, &fresh, BPF_NOEXIST);
		if (err == -E2BIG) {
			/* never silent: a process whose counts have no room is counted */
			count_total(TB_TOTAL_REGISTRY_FULL);
			return;
		}
		a = bpf_map_lookup_elem(&acceptors, &key);
		if (!a)
			return;
	}
	a->cgroup_id = cgroup_id;
	bpf_get_current_comm(a->comm, sizeof(a->comm));
	if (outcome == ACCEPT_TOOK) {
		__sync_fetch_and_add(&a->accepts, 1);
	} else if (outcome == ACCEPT_FAILED) {
		__sync_fetch_and_add(&a->accept_errors, 1);
		a->nofile_limit = nofile;
		a->open_fds = open_fds;
	}
}

/* An attempt that took nothing (EAGAIN, EINTR) still names who accepts from sk. */
static __always_inline void note_attempt(struct sock *sk)
{
	__u64 key = (__u64)sk;
	struct tb_listener *l;

	if (!sk)
		return;
	l = bpf_map_lookup_elem(&listeners, &key);
	if (l)
		note_acceptor(l, key, ACCEPT_TRIED, 0, -1);
}

/*
 * A connection left the accept queue: count it and how long it waited
 * (queued when its socket was cloned from the listener, see listeners.bpf.c).
 */
static __always_inline void count_accept(__u64 sk, __u64 child)
{
	struct tb_listener *l = bpf_map_lookup_elem(&listeners, &sk);
	struct tb_peaks *pk;
	__u64 *queued, ns, us;
	__u32 slot;

	if (!l)
		return;
	__sync_fetch_and_add(&l->accepts, 1);
	note_acceptor(l, sk, ACCEPT_TOOK, 0, -1);
	queued = bpf_map_lookup_elem(&child_queued, &child);
	if (!queued)
		return;
	ns = bpf_ktime_get_ns() - *queued;
	us = ns / 1000;
	pk = peaks_of(sk);
	if (pk && ns > pk->lat_max_ns)
		pk->lat_max_ns = ns;
	bpf_map_delete_elem(&child_queued, &child);
	slot = tb_lat_slot(us);
	/*
	 * clang knows slot < TB_LAT_SLOTS and would drop the mask; the 6.1
	 * verifier does not carry that 32-bit bound into the index: keep it.
	 */
	barrier_var(slot);
	__sync_fetch_and_add(&l->lat_us_hist[slot & (TB_LAT_SLOTS - 1)], 1);
}

/* Count one failed accept on listener sk (NULL: fd was not a socket) and report it. */
static __always_inline void report_accept_error(struct task_struct *task, struct sock *sk, int err)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32, netns, port = 0;
	struct tb_errno_key ek = { .err = err };
	struct tb_listener *l = NULL;
	struct tb_event *e;
	__u64 key = (__u64)sk, one = 1, *n, nofile;
	struct net *net;
	__s32 open_fds;

	if (sk) {
		net = BPF_CORE_READ(sk, __sk_common.skc_net.net);
		port = BPF_CORE_READ(sk, __sk_common.skc_num);
		l = bpf_map_lookup_elem(&listeners, &key);
	} else {
		net = BPF_CORE_READ(task, nsproxy, net_ns);
	}
	netns = BPF_CORE_READ(net, ns.inum);
	if (!netns_wanted(net, netns) || !in_scope(netns, port, pid) || !current_in_cgroup())
		return;
	nofile = BPF_CORE_READ(task, signal, rlim[RLIMIT_NOFILE].rlim_cur);
	open_fds = open_fd_count(task);
	if (l) {
		__sync_fetch_and_add(&l->accept_errors, 1);
		note_acceptor(l, key, ACCEPT_FAILED, nofile, open_fds);
	}
	count_total(TB_TOTAL_ACCEPT_ERROR);
	ek.sk = key;
	n = bpf_map_lookup_elem(&accept_errnos, &ek);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&accept_errnos, &ek, &one, BPF_NOEXIST);

	e = event_reserve(l, 1);
	if (!e)
		return;
	e->kind = TB_KIND_ACCEPT_ERROR;
	e->netns = netns;
	e->pid = pid;
	e->err = err;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->nofile_limit = nofile;
	e->open_fds = open_fds;
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
	if (sk) {
		/* the caller is the acceptor: it made this very attempt */
		e->acceptor_pid = pid;
		e->acceptor_cgroup_id = bpf_get_current_cgroup_id();
		__builtin_memcpy(e->acceptor_comm, e->comm, TB_COMM_LEN);
		/* laddr is the listener's own: its bound address, in the registry's form */
		if (e->family == AF_INET6) {
			__builtin_memcpy(e->listen_addr, e->laddr, sizeof(e->listen_addr));
		} else {
			e->listen_addr[10] = 0xff;
			e->listen_addr[11] = 0xff;
			__builtin_memcpy(&e->listen_addr[12], e->laddr, 4);
		}
		e->flags |= TB_EVENT_F_LISTEN_ADDR;
	}
	event_submit(e);
}

static __always_inline int accept_syscall_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = current_task();
	long ret = ctx->ret;
	struct sock *sk;
	__s32 fd;

	fd = syscall_fd_arg(task, ctx->id);
	if (retry_errno(ret)) {
		note_attempt(fd_to_sock(task, fd));
		return 0;
	}
	if (ret >= 0) {
		/* with fexit on inet_csk_accept, accepts are counted there */
		if (!accepts_from_fexit) {
			sk = fd_to_sock(task, fd);
			if (sk)
				count_accept((__u64)sk, (__u64)fd_to_sock(task, ret));
		}
		return 0;
	}
	report_accept_error(task, fd_to_sock(task, fd), -ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept")
int accept_exit(struct trace_event_raw_sys_exit *ctx)
{
	return accept_syscall_exit(ctx);
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int accept4_exit(struct trace_event_raw_sys_exit *ctx)
{
	return accept_syscall_exit(ctx);
}

/*
 * fentry mode: failed accept() and accept4() calls at the exit of
 * __sys_accept4(), which both syscalls call, in place of the syscall
 * tracepoints: any syscall tracepoint puts every task of the host on the
 * slow syscall path. Loaded only with inet_csk_accept's exit below, which
 * counts the accepts.
 */
SEC("fexit/__sys_accept4")
int BPF_PROG(sys_accept4_exit, int fd, void *upeer_sockaddr, int *upeer_addrlen, int flags, int ret)
{
	struct task_struct *task;

	if (ret >= 0 || retry_errno(ret))
		return 0;
	task = current_task();
	report_accept_error(task, fd_to_sock(task, fd), -ret);
	return 0;
}

/*
 * fentry mode: every connection accept() takes from a listener's queue.
 * inet_csk_accept() takes (sk, struct proto_accept_arg *) since 6.10,
 * (sk, flags, err, kern) before: one program per signature, the loader
 * picks by BTF.
 */
static __always_inline int inet_csk_accept_exit(struct sock *sk, struct sock *child)
{
	if (child) {
		count_accept((__u64)sk, (__u64)child);
		peaks_sample((__u64)sk, BPF_CORE_READ(sk, sk_ack_backlog), 0);
	}
	return 0;
}

SEC("fexit/inet_csk_accept")
int BPF_PROG(accept_exit_arg, struct sock *sk, void *arg, struct sock *child)
{
	return inet_csk_accept_exit(sk, child);
}

SEC("fexit/inet_csk_accept")
int BPF_PROG(accept_exit_legacy, struct sock *sk, int flags, int *err, bool kern, struct sock *child)
{
	return inet_csk_accept_exit(sk, child);
}

/*
 * io_uring accepts complete without the accept syscalls. The completion
 * tracepoint carries the result; the request names the listening file.
 * 6.x (>= 6.3): (ctx, req, cqe); older: (ctx, req, user_data, res, ...).
 */
static __always_inline int uring_accept_complete(void *req_ptr, __s32 res)
{
	struct io_kiocb *req = req_ptr;
	struct task_struct *task = current_task();
	__u8 opcode = BPF_CORE_READ(req, opcode);
	struct file *file;
	struct socket *sock;
	struct sock *sk;

	/* connects too: one hook for both kinds of completion */
	if (opcode == io_uring_op_connect())
		return uring_connect_complete((__u64)req, res);
	if (opcode != io_uring_op_accept())
		return 0;
	file = BPF_CORE_READ(req, file);
	if ((BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return 0;
	sock = BPF_CORE_READ(file, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (res >= 0) {
		if (!accepts_from_fexit)
			count_accept((__u64)sk, (__u64)fd_to_sock(task, res));
		return 0;
	}
	if (retry_errno(res))
		note_attempt(sk);
	else if (res != -ECANCELED)
		report_accept_error(task, sk, -res);
	return 0;
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(uring_complete, void *ctx_ring, void *req, struct io_uring_cqe *cqe)
{
	return uring_accept_complete(req, BPF_CORE_READ(cqe, res));
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(uring_complete_legacy, void *ctx_ring, void *req, __u64 user_data, int res)
{
	return uring_accept_complete(req, res);
}
