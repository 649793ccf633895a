// SPDX-License-Identifier: GPL-2.0
/*
 * connect_fail: connect() and bind() failing, counted by the caller.
 *   connect_fail -m exhaust [-6] [-u] [-n PORTS]
 *	ip_local_port_range narrowed to PORTS ports, tcp_tw_reuse 0 (this
 *	namespace's sysctls). PORTS connections to a listener (port= in the
 *	output) succeed, one more fails with EADDRNOTAVAIL; the same ports
 *	then connect to a second one (port2=)
 *	(the 4-tuple is unique, the port is not), one more fails; the client
 *	sockets close first and TIME_WAIT keeps their ports: a connect to
 *	PORT fails again.
 *	With -u the failing connects are IORING_OP_CONNECTs (prints
 *	io_uring=unavailable, and no failures, where the kernel has none).
 *   connect_fail -m refused [-6] [-p PORT] [-k REPEATS]
 *	no listener on PORT: REPEATS blocking connects, REPEATS non-blocking
 *	ones (the first then calls connect() again, which repeats the same
 *	failure: not another one), each refused.
 *   connect_fail -m bound [-6] [-p PORT] [-k REPEATS]
 *	bind() to the loopback address and a port of its own, then a
 *	blocking connect to PORT, refused: the record names that local port.
 *   connect_fail -m bind [-6] [-p PORT] [-k REPEATS]
 *	a listener on PORT; REPEATS more sockets bind() to it: EADDRINUSE.
 *   connect_fail -m timeout [-p PORT] [-k REPEATS]
 *	a TUN device nobody reads stands for a peer that never answers;
 *	TCP_SYNCNT 1 bounds the wait (SYN, one retry: about 3 s). REPEATS
 *	non-blocking connects and, meanwhile, REPEATS blocking ones, each
 *	ETIMEDOUT.
 *   connect_fail -m unreachable [-6] [-p PORT] [-k REPEATS]
 *	REPEATS blocking and REPEATS non-blocking connects toward a network
 *	the namespace has no route to (raddr=, ENETUNREACH at once); IPv4
 *	also toward a TUN peer (raddr2=) for which a router answers each SYN
 *	with ICMP host unreachable: REPEATS non-blocking connects (the error
 *	comes later, with no syscall) and REPEATS blocking ones, each
 *	EHOSTUNREACH.
 *   connect_fail -m outlived [-p PORT] [-k REPEATS]
 *	blocking connects toward a TUN peer that never answers (TCP_SYNCNT
 *	1), whose call returns before the connect ends: REPEATS with
 *	SO_SNDTIMEO 200 ms (EINPROGRESS), REPEATS interrupted by a signal
 *	(EINTR); each then ends ETIMEDOUT, with no syscall. And REPEATS whose
 *	call a signal restarts (SA_RESTART): the call itself says ETIMEDOUT.
 *   connect_fail -m race|race_icmp [-p PORT] [-k REPEATS]
 *	the application takes a failed connect's error (SO_ERROR clears it)
 *	as soon as the kernel sets it: a thread on another CPU calls
 *	getsockopt(SO_ERROR) in a tight loop on the socket of each of
 *	REPEATS non-blocking connects, refused on loopback (race: raddr=,
 *	a reset) or toward a TUN peer answered with ICMP host unreachable
 *	(race_icmp: raddr2=).
 *   connect_fail -m race_timeout [-p PORT] [-k REPEATS]
 *	the same race for timeouts: REPEATS non-blocking connects toward a
 *	TUN peer that never answers, started 30 ms apart, each ending
 *	ETIMEDOUT about 1 s later (TCP_USER_TIMEOUT 100 ms, after the first
 *	retransmission); the thread on the other CPU spins with
 *	getsockopt(SO_ERROR) on the oldest not yet ended (raddr=).
 *   connect_fail -m uring [-6] [-p PORT] [-k REPEATS]
 *	no listener on PORT: REPEATS IORING_OP_CONNECTs on blocking sockets
 *	and REPEATS on non-blocking ones (those also fail at the state
 *	change: still one failure each), each refused. Prints
 *	io_uring=unavailable, and no failures, where the kernel has none.
 * Prints pid, comm, family, raddr, and per errno name the failures seen
 * ("fail_EADDRNOTAVAIL=3"), connect_errors= and bind_errors=.
 */
#include "tun.h"
#include "uring.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/time.h>
#include <sys/wait.h>

#define MAX_ERRNOS	8

struct tally {
	int err[MAX_ERRNOS];
	int count[MAX_ERRNOS];
	int n;
	int connect_errors;
	int bind_errors;
};

static void tally_add(struct tally *t, int err, bool is_bind)
{
	int i;

	if (is_bind)
		t->bind_errors++;
	else
		t->connect_errors++;
	for (i = 0; i < t->n && t->err[i] != err; i++)
		;
	if (i == t->n) {
		if (t->n == MAX_ERRNOS)
			tb_die("too many distinct errors");
		t->err[t->n++] = err;
	}
	t->count[i]++;
}

static const char *errno_symbol(int err)
{
	switch (err) {
	case EADDRNOTAVAIL:
		return "EADDRNOTAVAIL";
	case EADDRINUSE:
		return "EADDRINUSE";
	case ECONNREFUSED:
		return "ECONNREFUSED";
	case ETIMEDOUT:
		return "ETIMEDOUT";
	case ECONNABORTED:
		return "ECONNABORTED";
	case ENETUNREACH:
		return "ENETUNREACH";
	case EHOSTUNREACH:
		return "EHOSTUNREACH";
	default:
		return "OTHER";
	}
}

static void tally_report(const struct tally *t)
{
	char key[32];

	for (int i = 0; i < t->n; i++) {
		snprintf(key, sizeof(key), "fail_%s", errno_symbol(t->err[i]));
		tb_kv(key, "%d", t->count[i]);
	}
	tb_kv("connect_errors", "%d", t->connect_errors);
	tb_kv("bind_errors", "%d", t->bind_errors);
}

/* A blocking connect to addr:port; the fd, or -1 with errno. */
static int connect_blocking(int family, const char *addr, uint16_t port, int fd)
{
	union tb_sockaddr sa;
	socklen_t len = tb_sockaddr_set(&sa, family, addr, port);
	int saved;

	if (fd < 0)
		fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		tb_die("socket: %s", strerror(errno));
	if (!connect(fd, &sa.sa, len))
		return fd;
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* Set by -u: the connects that must fail go through this io_uring. */
static struct ring *fail_ring;

/* An IORING_OP_CONNECT to addr:port on a new socket: as connect_blocking(). */
static int connect_uring(int family, const char *addr, uint16_t port)
{
	static union tb_sockaddr sa;	/* read by the kernel when it runs the request */
	socklen_t len = tb_sockaddr_set(&sa, family, addr, port);
	static uint64_t tag;
	struct io_uring_sqe *sqe;
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), res;

	if (fd < 0)
		tb_die("socket: %s", strerror(errno));
	sqe = ring_sqe(fail_ring);
	sqe->opcode = IORING_OP_CONNECT;
	sqe->fd = fd;
	sqe->addr = (uint64_t)(uintptr_t)&sa;
	sqe->off = len;		/* the address length */
	res = ring_submit_wait(fail_ring, ++tag);
	if (!res)
		return fd;
	close(fd);
	errno = -res;
	return -1;
}

/*
 * connect that must fail with want; counted. The tracer counts the ports
 * held when it reads the record: they stay as they are a while.
 */
static void connect_must_fail(struct tally *t, int family, const char *addr, uint16_t port, int want)
{
	int fd = fail_ring ? connect_uring(family, addr, port) : connect_blocking(family, addr, port, -1);

	if (fd >= 0)
		tb_die("connect to port %u succeeded, expected %s", port, errno_symbol(want));
	if (errno != want)
		tb_die("connect to port %u: %s, expected %s", port, strerror(errno), errno_symbol(want));
	tally_add(t, errno, false);
	if (want == EADDRNOTAVAIL)
		tb_sleep_ms(300);
}

/* n connections to addr:port, all of which must succeed */
static void connect_all(int family, const char *addr, uint16_t port, int *fds, int n)
{
	for (int i = 0; i < n; i++) {
		fds[i] = connect_blocking(family, addr, port, -1);
		if (fds[i] < 0)
			tb_die("connect %d to port %u: %s", i + 1, port, strerror(errno));
	}
}

#define PORT_RANGE_PATH	"/proc/sys/net/ipv4/ip_local_port_range"

/* Read (old: not NULL) and set the namespace's ip_local_port_range. */
static void port_range_swap(const char *range, char *old, size_t old_len)
{
	int fd;

	if (old) {
		ssize_t n;

		fd = open(PORT_RANGE_PATH, O_RDONLY | O_CLOEXEC);
		n = fd < 0 ? -1 : read(fd, old, old_len - 1);
		if (n <= 0)
			tb_die("reading %s: %s", PORT_RANGE_PATH, strerror(errno));
		old[n] = '\0';
		close(fd);
	}
	fd = open(PORT_RANGE_PATH, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, range, strlen(range)) != (ssize_t)strlen(range))
		tb_die("%s: %s", PORT_RANGE_PATH, strerror(errno));
	close(fd);
}

/*
 * In a fresh namespace the settings go with it; where the namespace stays
 * (the VM guest runs every scenario in one), they are put back.
 */
static void exhaust(struct tally *t, int family, int nports)
{
	const char *lo = tb_loopback(family);
	int l1, l2, c1[TB_MAX_CONNS], c2[TB_MAX_CONNS], i, fd, tries = 0;
	uint16_t port, port2;
	long tw_reuse = tb_sysctl_read("/proc/sys/net/ipv4/tcp_tw_reuse");
	char range[32], old_range[32];

	/*
	 * Two destinations on ports of their own, outside the narrow range: a
	 * run a minute earlier in the same namespace left TIME_WAIT toward
	 * the ports it used, not toward these.
	 */
	for (;;) {
		l1 = tb_listener(family, lo, 0, 2 * nports, false);
		l2 = tb_listener(family, lo, 0, 2 * nports, false);
		port = tb_local_port(l1);
		port2 = tb_local_port(l2);
		if ((port < 40000 || port >= 40000 + nports) &&
		    (port2 < 40000 || port2 >= 40000 + nports))
			break;
		close(l1);
		close(l2);
		if (++tries == 10)
			tb_die("no listener ports outside the narrowed range");
	}
	tb_kv("port", "%u", port);
	tb_kv("port2", "%u", port2);

	snprintf(range, sizeof(range), "40000 %d\n", 40000 + nports - 1);
	port_range_swap(range, old_range, sizeof(old_range));
	tb_sysctl_write("/proc/sys/net/ipv4/tcp_tw_reuse", 0);

	connect_all(family, lo, port, c1, nports);
	connect_must_fail(t, family, lo, port, EADDRNOTAVAIL);
	connect_all(family, lo, port2, c2, nports);
	connect_must_fail(t, family, lo, port2, EADDRNOTAVAIL);
	tb_kv("port_range", "%d-%d", 40000, 40000 + nports - 1);
	tb_kv("connected_first", "%d", nports);
	tb_kv("connected_second", "%d", nports);

	/* the clients close first: their side keeps TIME_WAIT, and the port */
	for (i = 0; i < nports; i++) {
		close(c1[i]);
		close(c2[i]);
	}
	for (i = 0; i < 2 * nports; i++) {
		fd = accept(i < nports ? l1 : l2, NULL, NULL);
		if (fd >= 0)
			close(fd);
	}
	tb_sleep_ms(100);
	connect_must_fail(t, family, lo, port, EADDRNOTAVAIL);
	close(l1);
	close(l2);
	port_range_swap(old_range, NULL, 0);
	if (tw_reuse >= 0)
		tb_sysctl_write("/proc/sys/net/ipv4/tcp_tw_reuse", tw_reuse);
}

static void refused(struct tally *t, int family, uint16_t port, int repeats)
{
	const char *lo = tb_loopback(family);
	union tb_sockaddr sa;
	socklen_t len = tb_sockaddr_set(&sa, family, lo, port);
	int i, fd, err;

	for (i = 0; i < repeats; i++)
		connect_must_fail(t, family, lo, port, ECONNREFUSED);
	for (i = 0; i < repeats; i++) {
		struct pollfd p = { .events = POLLOUT };
		socklen_t elen = sizeof(err);

		fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			tb_die("socket: %s", strerror(errno));
		if (!connect(fd, &sa.sa, len) || (errno != EINPROGRESS && errno != ECONNREFUSED))
			tb_die("non-blocking connect: %s", strerror(errno));
		p.fd = fd;
		if (poll(&p, 1, TB_MAX_WAIT_MS) != 1)
			tb_die("non-blocking connect: no result");
		if (i == 0) {
			/* the error again, from connect(): the same failure */
			if (!connect(fd, &sa.sa, len) || errno != ECONNREFUSED)
				tb_die("second connect: %s", strerror(errno));
			err = ECONNREFUSED;
		} else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen)) {
			tb_die("SO_ERROR: %s", strerror(errno));
		}
		if (err != ECONNREFUSED)
			tb_die("non-blocking connect: %s, expected ECONNREFUSED", strerror(err));
		tally_add(t, err, false);
		close(fd);
	}
}

static void bound(struct tally *t, int family, uint16_t port, int repeats)
{
	const char *lo = tb_loopback(family);
	union tb_sockaddr sa;
	uint16_t lport = 0;

	for (int i = 0; i < repeats; i++) {
		int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		socklen_t len = tb_sockaddr_set(&sa, family, lo, 0);

		if (fd < 0 || bind(fd, &sa.sa, len))
			tb_die("bind: %s", strerror(errno));
		lport = tb_local_port(fd);
		if (lport == 0)
			tb_die("no local port after bind");
		if (connect_blocking(family, lo, port, fd) >= 0 || errno != ECONNREFUSED)
			tb_die("bound connect: %s, expected ECONNREFUSED", strerror(errno));
		tally_add(t, ECONNREFUSED, false);
		tb_kv("lport", "%u", lport);
	}
}

static void bind_taken(struct tally *t, int family, uint16_t port, int repeats)
{
	const char *lo = tb_loopback(family);
	int l = tb_listener(family, lo, port, 8, false);
	union tb_sockaddr sa;
	socklen_t len = tb_sockaddr_set(&sa, family, lo, port);

	for (int i = 0; i < repeats; i++) {
		int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			tb_die("socket: %s", strerror(errno));
		if (!bind(fd, &sa.sa, len) || errno != EADDRINUSE)
			tb_die("bind to a taken port: %s, expected EADDRINUSE", strerror(errno));
		tally_add(t, EADDRINUSE, true);
		close(fd);
	}
	close(l);
}

/* A connect of non-blocking fd to sa that must be in progress; fd. */
static int connect_started(int fd, const union tb_sockaddr *sa, socklen_t len)
{
	if (fd < 0)
		tb_die("socket: %s", strerror(errno));
	if (!connect(fd, &sa->sa, len) || errno != EINPROGRESS)
		tb_die("non-blocking connect: %s, expected EINPROGRESS", strerror(errno));
	return fd;
}

/* The error a non-blocking connect ended with. */
static int connect_result(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t elen = sizeof(int);
	int err;

	if (poll(&p, 1, TB_MAX_WAIT_MS) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen))
		tb_die("non-blocking connect: no result");
	return err;
}

/* a TCP socket that gives up after one SYN retransmission */
static int socket_syncnt1(int type)
{
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0 || setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &one, sizeof(one)))
		tb_die("socket with TCP_SYNCNT 1: %s", strerror(errno));
	return fd;
}

static void timeout(struct tally *t, uint16_t port, int repeats)
{
	int tun = tb_tun_open("tbconn0"), nb[TB_MAX_CONNS], i, err, fd;
	union tb_sockaddr sa;
	socklen_t len;

	if (repeats > TB_MAX_CONNS)
		tb_die("too many repeats");
	tb_if_up("tbconn0", TB_TUN_LOCAL, TB_TUN_PREFIX);
	len = tb_sockaddr_set(&sa, AF_INET, TB_TUN_PEER, port);
	for (i = 0; i < repeats; i++)
		nb[i] = connect_started(socket_syncnt1(SOCK_STREAM | SOCK_NONBLOCK), &sa, len);
	for (i = 0; i < repeats; i++) {
		fd = socket_syncnt1(SOCK_STREAM);
		if (!connect(fd, &sa.sa, len) || errno != ETIMEDOUT)
			tb_die("blocking connect: %s, expected ETIMEDOUT", strerror(errno));
		tally_add(t, ETIMEDOUT, false);
		close(fd);
	}
	for (i = 0; i < repeats; i++) {
		err = connect_result(nb[i]);
		if (err != ETIMEDOUT)
			tb_die("non-blocking connect: %s, expected ETIMEDOUT", strerror(err));
		tally_add(t, err, false);
		close(nb[i]);
	}
	tb_kv("raddr", "%s", TB_TUN_PEER);	/* the last raddr= line counts */
	close(tun);
}

#define UNROUTED_V4	"203.0.113.7"	/* TEST-NET-3: no route in a fresh namespace */
#define UNROUTED_V6	"2001:db8::7"	/* documentation prefix: likewise */

/*
 * The router behind the TUN device: every SYN toward the peer is answered
 * with ICMP host unreachable, until want SYNs were answered (a process of
 * its own, so blocking connects can wait meanwhile).
 */
static pid_t icmp_router(int tun, int want)
{
	uint32_t local = inet_addr(TB_TUN_LOCAL), peer = inet_addr(TB_TUN_PEER);
	uint64_t deadline = tb_now_ms() + TB_MAX_WAIT_MS;
	uint8_t pkt[TB_PKT_MAX], reply[TB_PKT_MAX];
	pid_t pid = fork();

	if (pid < 0)
		tb_die("fork: %s", strerror(errno));
	if (pid > 0)
		return pid;
	while (want > 0 && tb_now_ms() < deadline) {
		struct pollfd p = { .fd = tun, .events = POLLIN };
		const struct tb_ip4 *ip = (const struct tb_ip4 *)pkt;
		const struct tb_tcp *th;
		ssize_t n;
		size_t len;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(tun, pkt, sizeof(pkt));
		if (n < (ssize_t)(sizeof(*ip) + sizeof(*th)) || (ip->ver_ihl >> 4) != 4 ||
		    ip->proto != IPPROTO_TCP || ip->daddr != peer)
			continue;
		th = (const struct tb_tcp *)(pkt + (ip->ver_ihl & 0x0f) * 4);
		if (!(th->flags & TB_TCP_SYN))
			continue;
		len = tb_build_icmp_unreach(reply, peer, local, pkt, (size_t)n, 1 /* host */);
		if (write(tun, reply, len) != (ssize_t)len)
			_exit(1);
		want--;
	}
	_exit(want ? 1 : 0);
}

static void unreachable(struct tally *t, int family, uint16_t port, int repeats)
{
	const char *unrouted = family == AF_INET ? UNROUTED_V4 : UNROUTED_V6;
	int nb[TB_MAX_CONNS], i, err, tun, status;
	union tb_sockaddr sa;
	socklen_t len;
	pid_t router;

	if (repeats > TB_MAX_CONNS)
		tb_die("too many repeats");
	/* no route: the call itself fails, blocking or not */
	tb_kv("raddr", "%s", unrouted);
	len = tb_sockaddr_set(&sa, family, unrouted, port);
	for (i = 0; i < 2 * repeats; i++) {
		int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | (i < repeats ? 0 : SOCK_NONBLOCK), 0);

		if (fd < 0)
			tb_die("socket: %s", strerror(errno));
		if (!connect(fd, &sa.sa, len) || errno != ENETUNREACH)
			tb_die("connect without a route: %s, expected ENETUNREACH", strerror(errno));
		tally_add(t, ENETUNREACH, false);
		close(fd);
	}
	if (family != AF_INET)
		return;

	/* a router says the host is unreachable: later, at the state change */
	tun = tb_tun_open("tbconn0");
	tb_if_up("tbconn0", TB_TUN_LOCAL, TB_TUN_PREFIX);
	tb_kv("raddr2", "%s", TB_TUN_PEER);
	router = icmp_router(tun, 2 * repeats);
	len = tb_sockaddr_set(&sa, AF_INET, TB_TUN_PEER, port);
	for (i = 0; i < repeats; i++)
		nb[i] = connect_started(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), &sa, len);
	for (i = 0; i < repeats; i++) {
		err = connect_result(nb[i]);
		if (err != EHOSTUNREACH)
			tb_die("non-blocking connect: %s, expected EHOSTUNREACH", strerror(err));
		tally_add(t, err, false);
		close(nb[i]);
	}
	for (i = 0; i < repeats; i++) {
		if (connect_blocking(AF_INET, TB_TUN_PEER, port, -1) >= 0 || errno != EHOSTUNREACH)
			tb_die("blocking connect: %s, expected EHOSTUNREACH", strerror(errno));
		tally_add(t, EHOSTUNREACH, false);
	}
	if (waitpid(router, &status, 0) != router || !WIFEXITED(status) || WEXITSTATUS(status))
		tb_die("the ICMP router did not answer every SYN");
	close(tun);
}

/* The racing thread's socket (-1: none) and the error it took from it (0: none yet). */
static atomic_int race_fd = -1, race_err, race_stop;

/* This thread onto one CPU: the racing thread takes the other. */
static void pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		tb_die("sched_setaffinity: %s", strerror(errno));
}

/* getsockopt(SO_ERROR) on race_fd until it gives an error, then the next. */
static void *race_taker(void *arg)
{
	(void)arg;
	pin_cpu(1);
	while (!atomic_load(&race_stop)) {
		int fd = atomic_load(&race_fd), err = 0;
		socklen_t elen = sizeof(err);

		if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) || !err)
			continue;
		atomic_store(&race_err, err);
		atomic_store(&race_fd, -1);
	}
	return NULL;
}

/*
 * A non-blocking connect to sa whose error the racing thread takes; it
 * must be want. The thread spins on the socket from before the connect:
 * a reset on loopback comes within the call.
 */
static void connect_raced(struct tally *t, const union tb_sockaddr *sa, socklen_t len, int want)
{
	int fd = socket(sa->sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), err;
	uint64_t deadline = tb_now_ms() + TB_MAX_WAIT_MS;

	if (fd < 0)
		tb_die("socket: %s", strerror(errno));
	atomic_store(&race_err, 0);
	atomic_store(&race_fd, fd);
	if (!connect(fd, &sa->sa, len) || errno != EINPROGRESS)
		tb_die("non-blocking connect: %s, expected EINPROGRESS", strerror(errno));
	while (!(err = atomic_load(&race_err))) {
		if (tb_now_ms() > deadline)
			tb_die("non-blocking connect: no result");
		sched_yield();
	}
	if (err != want)
		tb_die("non-blocking connect: %s, expected %s", strerror(err), errno_symbol(want));
	tally_add(t, err, false);
	close(fd);
}

static void race(struct tally *t, uint16_t port, int repeats, bool icmp)
{
	union tb_sockaddr sa;
	socklen_t len;
	pthread_t taker;
	int tun = -1, status, i;
	pid_t router = -1;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		tb_die("the race needs two CPUs");
	pin_cpu(0);
	if (icmp) {
		tun = tb_tun_open("tbconn0");
		tb_if_up("tbconn0", TB_TUN_LOCAL, TB_TUN_PREFIX);
		tb_kv("raddr2", "%s", TB_TUN_PEER);
		router = icmp_router(tun, repeats);
	}
	if (pthread_create(&taker, NULL, race_taker, NULL))
		tb_die("pthread_create failed");
	len = tb_sockaddr_set(&sa, AF_INET, icmp ? TB_TUN_PEER : tb_loopback(AF_INET), port);
	for (i = 0; i < repeats; i++)
		connect_raced(t, &sa, len, icmp ? EHOSTUNREACH : ECONNREFUSED);
	atomic_store(&race_stop, 1);
	pthread_join(taker, NULL);
	if (!icmp)
		return;
	if (waitpid(router, &status, 0) != router || !WIFEXITED(status) || WEXITSTATUS(status))
		tb_die("the ICMP router did not answer every SYN");
	close(tun);
}

/* race_timeout: the sockets in the order started, how many are, the errors taken */
static int timed_fds[TB_MAX_CONNS], timed_errs[TB_MAX_CONNS];
static atomic_int timed_started;

/* getsockopt(SO_ERROR) on each started socket in turn until it gives an error (-1: none in time). */
static void *timeout_taker(void *arg)
{
	int n = *(int *)arg;

	pin_cpu(1);
	for (int i = 0; i < n; i++) {
		uint64_t deadline = tb_now_ms() + TB_MAX_WAIT_MS;
		unsigned int spins = 0;
		int err = 0;

		while (!err) {
			socklen_t elen = sizeof(err);

			if (!(++spins & 1023) && tb_now_ms() > deadline) {
				err = -1;
				break;
			}
			if (atomic_load(&timed_started) <= i)
				continue;
			if (getsockopt(timed_fds[i], SOL_SOCKET, SO_ERROR, &err, &elen))
				err = -1;
		}
		timed_errs[i] = err;
	}
	return NULL;
}

static void race_timeout(struct tally *t, uint16_t port, int repeats)
{
	int tun = tb_tun_open("tbconn0"), i, user_timeout = 100;
	union tb_sockaddr sa;
	pthread_t taker;
	socklen_t len;

	if (repeats > TB_MAX_CONNS)
		tb_die("too many repeats");
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		tb_die("the race needs two CPUs");
	pin_cpu(0);
	tb_if_up("tbconn0", TB_TUN_LOCAL, TB_TUN_PREFIX);
	tb_kv("raddr", "%s", TB_TUN_PEER);
	len = tb_sockaddr_set(&sa, AF_INET, TB_TUN_PEER, port);
	if (pthread_create(&taker, NULL, timeout_taker, &repeats))
		tb_die("pthread_create failed");
	for (i = 0; i < repeats; i++) {
		int fd = socket_syncnt1(SOCK_STREAM | SOCK_NONBLOCK);

		if (setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout, sizeof(user_timeout)))
			tb_die("TCP_USER_TIMEOUT: %s", strerror(errno));
		timed_fds[i] = connect_started(fd, &sa, len);
		atomic_store(&timed_started, i + 1);
		tb_sleep_ms(30);
	}
	pthread_join(taker, NULL);
	for (i = 0; i < repeats; i++) {
		if (timed_errs[i] != ETIMEDOUT)
			tb_die("non-blocking connect %d: %s, expected ETIMEDOUT", i,
			       timed_errs[i] < 0 ? "no result" : strerror(timed_errs[i]));
		tally_add(t, timed_errs[i], false);
		close(timed_fds[i]);
	}
	close(tun);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* SIGALRM in ms, with or without SA_RESTART */
static void alarm_in(unsigned int ms, bool restart)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = restart ? SA_RESTART : 0 };
	struct itimerval it = { .it_value = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 } };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) || setitimer(ITIMER_REAL, &it, NULL))
		tb_die("SIGALRM: %s", strerror(errno));
}

/*
 * Blocking connects whose call returns before the connect ends; see the
 * usage. The calls that returned first end later, each ETIMEDOUT.
 */
static void outlived(struct tally *t, uint16_t port, int repeats)
{
	struct timeval tv = { .tv_usec = 200 * 1000 };
	int tun = tb_tun_open("tbconn0"), fds[2 * TB_MAX_CONNS], i, err;
	union tb_sockaddr sa;
	socklen_t len;

	if (repeats > TB_MAX_CONNS)
		tb_die("too many repeats");
	tb_if_up("tbconn0", TB_TUN_LOCAL, TB_TUN_PREFIX);
	tb_kv("raddr", "%s", TB_TUN_PEER);
	len = tb_sockaddr_set(&sa, AF_INET, TB_TUN_PEER, port);
	for (i = 0; i < 2 * repeats; i++) {
		bool timed = i < repeats;
		int want = timed ? EINPROGRESS : EINTR;

		fds[i] = socket_syncnt1(SOCK_STREAM);
		if (timed && setsockopt(fds[i], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
			tb_die("SO_SNDTIMEO: %s", strerror(errno));
		if (!timed)
			alarm_in(200, false);
		if (!connect(fds[i], &sa.sa, len) || errno != want)
			tb_die("blocking connect: %s, expected %s", strerror(errno), strerror(want));
	}
	for (i = 0; i < repeats; i++) {
		int fd = socket_syncnt1(SOCK_STREAM);

		alarm_in(200, true);
		if (!connect(fd, &sa.sa, len) || errno != ETIMEDOUT)
			tb_die("restarted connect: %s, expected ETIMEDOUT", strerror(errno));
		tally_add(t, ETIMEDOUT, false);
		close(fd);
	}
	for (i = 0; i < 2 * repeats; i++) {
		err = connect_result(fds[i]);
		if (err != ETIMEDOUT)
			tb_die("connect that outlived its call: %s, expected ETIMEDOUT", strerror(err));
		tally_add(t, err, false);
		close(fds[i]);
	}
	close(tun);
}

static void uring_refused(struct tally *t, int family, uint16_t port, int repeats)
{
	union tb_sockaddr sa;
	socklen_t len = tb_sockaddr_set(&sa, family, tb_loopback(family), port);
	struct ring ring;
	int i, fd, res;

	res = ring_setup(&ring);
	if (res) {
		tb_kv("io_uring", "unavailable: %s", strerror(-res));
		return;
	}
	for (i = 0; i < 2 * repeats; i++) {
		struct io_uring_sqe *sqe;

		fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | (i < repeats ? 0 : SOCK_NONBLOCK), 0);
		if (fd < 0)
			tb_die("socket: %s", strerror(errno));
		sqe = ring_sqe(&ring);
		sqe->opcode = IORING_OP_CONNECT;
		sqe->fd = fd;
		sqe->addr = (uint64_t)(uintptr_t)&sa;
		sqe->off = len;		/* the address length */
		res = ring_submit_wait(&ring, i + 1);
		if (res != -ECONNREFUSED)
			tb_die("io_uring connect %d: %s, expected ECONNREFUSED", i, strerror(-res));
		tally_add(t, ECONNREFUSED, false);
		close(fd);
	}
	close(ring.fd);
}

int main(int argc, char **argv)
{
	const char *usage = "-m exhaust|refused|bound|bind|timeout|uring|unreachable|outlived|race|race_icmp|race_timeout [-6] [-u] [-p PORT] [-n PORTS] [-k REPEATS]";
	const char *mode = NULL;
	int family = AF_INET, nports = 10, repeats = 3, res;
	bool use_uring = false;
	struct ring ring;
	uint16_t port = 8080;
	const struct tb_option options[] = {
		TB_TEXT('m', mode),
		TB_SWITCH('6', family, AF_INET6),
		TB_SWITCH('u', use_uring, true),
		TB_NUMBER('p', port, 1, 65534, "port"),
		TB_NUMBER('n', nports, 1, TB_MAX_CONNS, "ports"),
		TB_NUMBER('k', repeats, 1, 1000, "repeats"),
	};
	struct tally t = { .n = 0 };

	tb_prog = "connect_fail";
	TB_OPTIONS_PARSE(argc, argv, usage, options);
	if (!mode)
		tb_usage_error(usage);
	tb_print_identity();
	tb_kv("family", "%s", tb_family_name(family));
	tb_kv("raddr", "%s", tb_loopback(family));
	tb_kv("laddr", "%s", tb_loopback(family));
	tb_kv("port", "%u", port);

	if (use_uring) {
		res = ring_setup(&ring);
		if (res) {
			tb_kv("io_uring", "unavailable: %s", strerror(-res));
			tally_report(&t);
			return 0;
		}
		fail_ring = &ring;
	}
	if (!strcmp(mode, "exhaust"))
		exhaust(&t, family, nports);
	else if (!strcmp(mode, "refused"))
		refused(&t, family, port, repeats);
	else if (!strcmp(mode, "bound"))
		bound(&t, family, port, repeats);
	else if (!strcmp(mode, "bind"))
		bind_taken(&t, family, port, repeats);
	else if (!strcmp(mode, "timeout") && family == AF_INET)
		timeout(&t, port, repeats);
	else if (!strcmp(mode, "uring"))
		uring_refused(&t, family, port, repeats);
	else if (!strcmp(mode, "outlived"))
		outlived(&t, port, repeats);
	else if (!strcmp(mode, "unreachable"))
		unreachable(&t, family, port, repeats);
	else if ((!strcmp(mode, "race") || !strcmp(mode, "race_icmp")) && family == AF_INET)
		race(&t, port, repeats, !strcmp(mode, "race_icmp"));
	else if (!strcmp(mode, "race_timeout") && family == AF_INET)
		race_timeout(&t, port, repeats);
	else
		tb_usage_error(usage);
	tally_report(&t);
	return 0;
}
