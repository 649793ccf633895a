// SPDX-License-Identifier: GPL-2.0
/*
 * The client's side: TCP connect() and bind() calls that fail, each
 * failure once. A failure the call returns is seen at its exit; a
 * non-blocking connect that later ends refused, timed out or unreachable
 * is seen as its socket leaves SYN_SENT for CLOSE with an error, with no
 * syscall. A blocking connect failing the same way is left to the
 * syscall's exit: the state change may run in softirq, on any task.
 */
#include "tcpbacklog.bpf.h"
#include "connect.bpf.h"
#include "syscall.bpf.h"

/* The first bytes of a struct sockaddr_in / sockaddr_in6 from the caller. */
struct sockaddr_head {
	__u16 family;
	__be16 port;
	__u8 v4[4];	/* sockaddr_in: the address; sockaddr_in6: flowinfo */
};

/* Not failures of a connect: in progress, already connecting or connected, retried. */
static __always_inline bool connect_not_failed(long ret)
{
	return ret == -EINPROGRESS || ret == -EALREADY || ret == -EISCONN || retry_errno(ret);
}

/*
 * The address the caller passed to connect() or bind() into *family,
 * addr (IPv4 in the first 4 bytes) and *port; false if unreadable or not
 * IPv4/IPv6. The kernel has just copied it: the page is present.
 */
static __always_inline bool user_sockaddr(__u64 uaddr, __u16 *family, __u8 addr[16], __u16 *port)
{
	struct sockaddr_head h;

	if (bpf_probe_read_user(&h, sizeof(h), (void *)uaddr))
		return false;
	*family = h.family;
	*port = bpf_ntohs(h.port);
	if (h.family == AF_INET) {
		__builtin_memcpy(addr, h.v4, 4);
		return true;
	}
	return h.family == AF_INET6 &&
	       !bpf_probe_read_user(addr, 16, (void *)(uaddr + sizeof(h)));
}

/*
 * A connect() or bind() that failed: the address it asked for (at uaddr,
 * in the caller's memory) is the destination (connect; the local endpoint
 * from the socket) or the local endpoint (bind).
 */
static __always_inline void report_call_failure(__u64 uaddr, struct sock *sk, __u32 kind, long ret)
{
	struct tb_destination_key dest = { .err = -ret };
	__u16 range[2] = {};
	__u8 addr[16] = {};
	__u16 family, port;
	struct tb_event *e;

	if (!user_sockaddr(uaddr, &family, addr, &port))
		return;
	dest.family = family;
	dest.rport = port;
	__builtin_memcpy(dest.raddr, addr, sizeof(addr));
	/* no local port left: out of which range */
	if (kind == TB_KIND_CONNECT_ERROR && ret == -EADDRNOTAVAIL)
		local_port_range(BPF_CORE_READ(sk, __sk_common.skc_net.net), &range[0], &range[1]);
	e = failure_reserve(sk, kind, port, bpf_get_current_pid_tgid() >> 32, bpf_get_current_cgroup_id(),
			    current_in_cgroup(), kind == TB_KIND_CONNECT_ERROR ? &dest : NULL, range);
	if (!e)
		return;
	e->family = family;
	e->err = -ret;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (kind == TB_KIND_BIND_ERROR) {
		e->lport = port;
		__builtin_memcpy(e->laddr, addr, sizeof(addr));
	} else {
		e->rport = port;
		__builtin_memcpy(e->raddr, addr, sizeof(addr));
		event_local(e, sk);
		e->port_low = range[0];
		e->port_high = range[1];
	}
	event_submit(e);
}

/*
 * A connect call returned a failure: does it only repeat the one already
 * reported at the state change (a non-blocking connect's)? Forgets it.
 */
static __always_inline bool repeats_reported_failure(struct sock *sk)
{
	__u64 key = (__u64)sk;
	struct connect_pending *pending = bpf_map_lookup_elem(&connect_pending, &key);
	bool repeated;

	if (!pending)
		return false;
	repeated = pending->state == PENDING_REPORTED && pending->ino == sock_inode(sk);
	bpf_map_delete_elem(&connect_pending, &key);
	return repeated;
}

/*
 * A blocking connect() returned while its socket still connects: its
 * SO_SNDTIMEO ran out (EINPROGRESS) or a signal came (EINTR, or a restart
 * that waits again). Its end is then the state change's to report, as for
 * a non-blocking connect; if it already failed, between the call's last
 * look and here, report it now. A restarted call that fails repeats that
 * failure: not another one.
 */
static __always_inline void connect_outlived_call(struct sock *sk)
{
	struct file *file = BPF_CORE_READ(sk, sk_socket, file);
	struct connect_pending *known;
	__u64 key = (__u64)sk, ino;
	int state;

	if (!file || (BPF_CORE_READ(file, f_flags) & O_NONBLOCK))
		return;
	state = BPF_CORE_READ(sk, __sk_common.skc_state);
	if (state != TCP_SYN_SENT && state != TCP_CLOSE)
		return;
	ino = BPF_CORE_READ(file, f_inode, i_ino);
	known = bpf_map_lookup_elem(&connect_pending, &key);
	if (known && known->ino == ino)
		return;		/* already in the state change's hands */
	pending_remember(sk, ino);
	if (state == TCP_CLOSE)
		connect_ended(sk);
}

/*
 * connect() on sk returned ret < 0 (uaddr: the address it was given).
 * Failed: report it, unless it only repeats the failure of a connect
 * already reported at the state change. Not failed yet (in progress,
 * interrupted): see connect_outlived_call().
 */
static __always_inline void connect_returned(struct sock *sk, __u64 uaddr, long ret)
{
	if (!is_tcp(sk))
		return;
	if (connect_not_failed(ret))
		connect_outlived_call(sk);
	else if (!repeats_reported_failure(sk))
		report_call_failure(uaddr, sk, TB_KIND_CONNECT_ERROR, ret);
}

/* The syscall's exit, in tracepoint mode. */
SEC("tracepoint/syscalls/sys_exit_connect")
int connect_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = current_task();
	long ret = ctx->ret;

	if (ret >= 0 || ret == -EISCONN)
		return 0;
	connect_returned(fd_to_sock(task, syscall_fd_arg(task, ctx->id)), syscall_arg2(task, ctx->id), ret);
	return 0;
}

/*
 * fentry mode: the same at the exit of __sys_connect(), which the syscall
 * calls (io_uring's connects go through __sys_connect_file instead), so
 * no syscall tracepoint is needed (see sys_accept4_exit).
 */
SEC("fexit/__sys_connect")
int BPF_PROG(sys_connect_exit, int fd, void *uservaddr, int addrlen, int ret)
{
	if (ret >= 0 || ret == -EISCONN)
		return 0;
	connect_returned(fd_to_sock(current_task(), fd), (__u64)uservaddr, ret);
	return 0;
}

/*
 * A reset arrived, before the kernel sets sk_err: in SYN_SENT it refuses
 * the connect (tcp_reset()).
 */
SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(connect_reset, struct sock *sk)
{
	if (sk->__sk_common.skc_state == TCP_SYN_SENT && sk->sk_protocol == IPPROTO_TCP)
		connect_error_seen(sk, ECONNREFUSED);
	return 0;
}

/*
 * A socket's error is reported (5.14+). Kernels before 6.10 report an
 * ICMP error or a timeout here before the state change; later ones
 * (tcp_done_with_error()) after it, where this adds nothing.
 */
SEC("tp_btf/inet_sk_error_report")
int BPF_PROG(connect_error_report, const struct sock *sk)
{
	if (sk->__sk_common.skc_state == TCP_SYN_SENT && sk->sk_protocol == IPPROTO_TCP)
		connect_error_seen(sk, sk->sk_err);
	return 0;
}

#define SOL_SOCKET	1
#define SO_ERROR	4
#define ECONNRESET	104

/*
 * The application took err from sk with getsockopt(SO_ERROR), which
 * clears it, perhaps before the state change that ends sk's pending
 * connect could read it: that state change found no error
 * (PENDING_CLOSED): report it now; it is still to come: leave err to it
 * (PENDING_TAKEN). ECONNRESET is no connect's failure: connect(AF_UNSPEC)
 * sets it after the state change when it abandons the connect. Not in
 * the object for kernels before 5.17 (no compare-and-swap).
 */
static __always_inline void connect_error_taken(struct sock *sk, int err)
{
#ifndef TB_PRE_5_17
	struct connect_pending *pending;
	__u64 key = (__u64)sk;

	if (!sk || err == ECONNRESET)
		return;
	pending = bpf_map_lookup_elem(&connect_pending, &key);
	if (!pending || pending->ino != sock_inode(sk))
		return;
	pending->taken = err;
	if (__sync_val_compare_and_swap(&pending->state, PENDING_OPEN, PENDING_TAKEN) == PENDING_CLOSED &&
	    pending_claim(pending, PENDING_CLOSED))
		connect_report(sk, pending, err);
#endif
}

/*
 * The error getsockopt(SOL_SOCKET, SO_ERROR) gave at optval (optlen: its
 * length, both in the caller's memory, just written); 0 if none or not
 * that option.
 */
static __always_inline int so_error_given(int level, int optname, __u64 optval, __u64 optlen)
{
	int err = 0, len = 0;

	if (level != SOL_SOCKET || optname != SO_ERROR)
		return 0;
	/* most SO_ERROR calls give 0: the length is read only for an error */
	if (bpf_probe_read_user(&err, sizeof(err), (void *)optval) || err <= 0 ||
	    bpf_probe_read_user(&len, sizeof(len), (void *)optlen) || len < (int)sizeof(err))
		return 0;
	return err;
}

/* The syscall's exit, in tracepoint mode: only SO_ERROR that gave an error goes further. */
SEC("tracepoint/syscalls/sys_exit_getsockopt")
int getsockopt_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task;
	struct pt_regs *regs;
	int err;

	if (ctx->ret)
		return 0;
	task = current_task();
	regs = syscall_regs(task, ctx->id);
	if (!regs)
		return 0;
	err = so_error_given(PT_REGS_PARM2_CORE_SYSCALL(regs), PT_REGS_PARM3_CORE_SYSCALL(regs),
			     PT_REGS_PARM4_CORE_SYSCALL(regs), PT_REGS_PARM5_CORE_SYSCALL(regs));
	if (err)
		connect_error_taken(fd_to_sock(task, PT_REGS_PARM1_CORE_SYSCALL(regs)), err);
	return 0;
}

/*
 * fentry mode: the same at the exit of __sys_getsockopt(), which the
 * syscall calls in 5.10 to 6.18 alike (io_uring's getsockopt, 6.7+, does
 * not: uncovered).
 */
SEC("fexit/__sys_getsockopt")
int BPF_PROG(sys_getsockopt_exit, int fd, int level, int optname, char *optval, int *optlen, int ret)
{
	int err;

	if (ret)
		return 0;
	err = so_error_given(level, optname, (__u64)optval, (__u64)optlen);
	if (err)
		connect_error_taken(fd_to_sock(current_task(), fd), err);
	return 0;
}

/*
 * An io_uring connect completed (req: its struct io_kiocb, called from
 * the io_uring_complete hook of accept.bpf.c). Without the syscall: the
 * address is where the request's sqe pointed.
 */
__noinline int uring_connect_complete(__u64 req, __s32 res)
{
	struct io_connect *conn = (struct io_connect *)req;
	struct file *file = BPF_CORE_READ(conn, file);
	struct socket *sock;
	struct sock *sk;

	if (res >= 0 || connect_not_failed(res) || res == -ECANCELED)
		return 0;
	if ((BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return 0;
	sock = BPF_CORE_READ(file, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (is_tcp(sk) && !repeats_reported_failure(sk))
		report_call_failure((__u64)BPF_CORE_READ(conn, addr), sk, TB_KIND_CONNECT_ERROR, res);
	return 0;
}

/* Not failures of bind: everything but a taken, unusable or forbidden address. */
static __always_inline bool bind_failed(long ret)
{
	return ret == -EADDRINUSE || ret == -EADDRNOTAVAIL || ret == -EACCES;
}

SEC("tracepoint/syscalls/sys_exit_bind")
int bind_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = current_task();
	long ret = ctx->ret;
	struct sock *sk;

	if (!bind_failed(ret))
		return 0;
	sk = fd_to_sock(task, syscall_fd_arg(task, ctx->id));
	if (is_tcp(sk))
		report_call_failure(syscall_arg2(task, ctx->id), sk, TB_KIND_BIND_ERROR, ret);
	return 0;
}

/* fentry mode: the same at the exit of __sys_bind(), which the syscall calls. */
SEC("fexit/__sys_bind")
int BPF_PROG(sys_bind_exit, int fd, void *umyaddr, int addrlen, int ret)
{
	struct sock *sk;

	if (!bind_failed(ret))
		return 0;
	sk = fd_to_sock(current_task(), fd);
	if (is_tcp(sk))
		report_call_failure((__u64)umyaddr, sk, TB_KIND_BIND_ERROR, ret);
	return 0;
}
