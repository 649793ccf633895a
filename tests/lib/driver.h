/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the scenario drivers: the integration drivers (also run
 * in the VM matrix and the soak), the bench drivers and the metrics test's
 * listener.
 *
 * Drivers run inside a test network namespace (ip netns exec, or a minimal
 * busybox VM later): libc only, statically linkable, no shell-outs, every
 * wait bounded in count and in time. A driver reports what it did on stdout
 * as "key=value" lines (flushed at once) and diagnostics on stderr; it exits
 * 0 when it did what it was asked to, 1 otherwise, 2 on bad usage.
 */
#ifndef TB_TEST_DRIVER_H
#define TB_TEST_DRIVER_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#ifndef SO_MEMINFO
#define SO_MEMINFO		55
#endif
#define TB_SK_MEMINFO_DROPS	8	/* index in the SO_MEMINFO array */
#define TB_SK_MEMINFO_VARS	9

#define TB_MAX_CONNS		256
#define TB_MAX_WAIT_MS		30000	/* no driver waits longer than this */

static const char *tb_prog = "driver";

/* ---------- diagnostics and output ---------- */

/* "driver: message" on stderr, after what stdout holds so far */
static inline void tb_vwarn(const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", tb_prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static inline void __attribute__((format(printf, 1, 2)))
tb_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tb_vwarn(fmt, ap);
	va_end(ap);
}

static inline void __attribute__((format(printf, 1, 2), noreturn))
tb_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tb_vwarn(fmt, ap);
	va_end(ap);
	exit(1);
}

/* One "key=value" line, flushed at once (the runner may be waiting for it). */
static inline void __attribute__((format(printf, 2, 3)))
tb_kv(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("%s=", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* "<prefix><i>_<name>=N": one number of the i-th of several (workers, members) */
static inline void tb_kv_nth(const char *prefix, int i, const char *name, long value)
{
	char key[64];

	snprintf(key, sizeof(key), "%s%d_%s", prefix, i, name);
	tb_kv(key, "%ld", value);
}

static inline void tb_usage_error(const char *usage)
{
	fprintf(stderr, "usage: %s %s\n", tb_prog, usage);
	exit(2);
}

static inline long tb_parse_long(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "%s: bad %s '%s' (expected %ld..%ld)\n",
			tb_prog, what, s, min, max);
		exit(2);
	}
	return v;
}

/*
 * A driver's command line as a table: one row per option, parsed by
 * tb_options_parse() with getopt. TB_NUMBER takes a number in [min, max]
 * (tb_parse_long's message names it), TB_SWITCH sets its variable to a
 * value, TB_TEXT keeps the argument as given. Integer and bool variables
 * of any width: the row records the size it stores.
 */
struct tb_option {
	char flag;
	const char *what;	/* TB_NUMBER: its name in errors */
	long min, max;		/* TB_SWITCH: sets max */
	void *value;
	size_t value_size;
	const char **text;	/* TB_TEXT */
};

#define TB_NUMBER(f, var, lo, hi, name) \
	{ .flag = (f), .what = (name), .min = (lo), .max = (hi), .value = &(var), .value_size = sizeof(var) }
#define TB_SWITCH(f, var, on) \
	{ .flag = (f), .max = (on), .value = &(var), .value_size = sizeof(var) }
#define TB_TEXT(f, var) \
	{ .flag = (f), .text = &(var) }

static inline void tb_option_store(const struct tb_option *o, long v)
{
	switch (o->value_size) {
	case sizeof(uint8_t):
		*(uint8_t *)o->value = (uint8_t)v;
		break;
	case sizeof(uint16_t):
		*(uint16_t *)o->value = (uint16_t)v;
		break;
	case sizeof(uint32_t):
		*(uint32_t *)o->value = (uint32_t)v;
		break;
	default:
		*(uint64_t *)o->value = (uint64_t)v;
	}
}

/* parse argv by the table; anything else, or an operand, is a usage error */
static inline void tb_options_parse(int argc, char **argv, const char *usage,
				    const struct tb_option *opts, size_t n)
{
	char spec[2 * 32 + 1];
	size_t len = 0, i;
	int opt;

	for (i = 0; i < n && len + 2 < sizeof(spec); i++) {
		spec[len++] = opts[i].flag;
		if (opts[i].what || opts[i].text)
			spec[len++] = ':';
	}
	spec[len] = '\0';
	while ((opt = getopt(argc, argv, spec)) != -1) {
		for (i = 0; i < n && opts[i].flag != opt; i++)
			;
		if (i == n)
			tb_usage_error(usage);
		if (opts[i].text)
			*opts[i].text = optarg;
		else if (opts[i].what)
			tb_option_store(&opts[i], tb_parse_long(optarg, opts[i].min, opts[i].max,
								opts[i].what));
		else
			tb_option_store(&opts[i], opts[i].max);
	}
	if (optind != argc)
		tb_usage_error(usage);
}

#define TB_OPTIONS_PARSE(argc, argv, usage, table) \
	tb_options_parse((argc), (argv), (usage), (table), sizeof(table) / sizeof((table)[0]))

/* only 0, 1, 2 stay open: a driver that counts its descriptors counts exactly */
static inline void tb_close_inherited(void)
{
	int fd;

#ifdef SYS_close_range
	if (!syscall(SYS_close_range, 3u, ~0u, 0u))
		return;
#endif
	for (fd = 3; fd < 4096; fd++)
		close(fd);
}

/* ---------- time ---------- */

static inline uint64_t tb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void tb_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---------- identity ---------- */

static inline void tb_self_comm(char *buf, size_t len)
{
	ssize_t n;
	int fd;

	snprintf(buf, len, "?");
	fd = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0) {
		snprintf(buf, len, "?");
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* pid= and comm= of the calling process: the listener owner in most drivers. */
static inline void tb_print_identity(void)
{
	char comm[32];

	tb_self_comm(comm, sizeof(comm));
	tb_kv("pid", "%d", (int)getpid());
	tb_kv("comm", "%s", comm);
}

/* ---------- sockets ---------- */

union tb_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
	struct sockaddr_storage ss;
};

static inline const char *tb_family_name(int family)
{
	return family == AF_INET6 ? "ipv6" : "ipv4";
}

/* what the runner checks every event's listener against */
static inline void tb_print_listener(int family, const char *laddr, uint16_t port)
{
	tb_print_identity();
	tb_kv("family", "%s", tb_family_name(family));
	tb_kv("laddr", "%s", laddr);
	tb_kv("port", "%u", port);
}

static inline const char *tb_loopback(int family)
{
	return family == AF_INET6 ? "::1" : "127.0.0.1";
}

static inline socklen_t tb_sockaddr_set(union tb_sockaddr *sa, int family,
				 const char *addr, uint16_t port)
{
	memset(sa, 0, sizeof(*sa));
	if (family == AF_INET6) {
		sa->in6.sin6_family = AF_INET6;
		sa->in6.sin6_port = htons(port);
		if (inet_pton(AF_INET6, addr, &sa->in6.sin6_addr) != 1)
			tb_die("bad IPv6 address %s", addr);
		return sizeof(sa->in6);
	}
	sa->in.sin_family = AF_INET;
	sa->in.sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &sa->in.sin_addr) != 1)
		tb_die("bad IPv4 address %s", addr);
	return sizeof(sa->in);
}

static inline uint16_t tb_local_port(int fd)
{
	union tb_sockaddr sa;
	socklen_t len = sizeof(sa);

	if (getsockname(fd, &sa.sa, &len))
		tb_die("getsockname: %s", strerror(errno));
	return ntohs(sa.sa.sa_family == AF_INET6 ? sa.in6.sin6_port : sa.in.sin_port);
}

static inline uint64_t tb_sock_ino(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return 0;
	return st.st_ino;
}

static inline void tb_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK))
		tb_die("fcntl O_NONBLOCK: %s", strerror(errno));
}

/*
 * A non-blocking TCP listener on addr:port (port 0: ephemeral), with
 * listen(fd, backlog). reuseport sets SO_REUSEPORT before bind(); v6only
 * (IPv6 only) false makes a dual-stack listener.
 */
static inline int tb_listener_v6only(int family, const char *addr, uint16_t port,
				     int backlog, bool reuseport, bool v6only)
{
	union tb_sockaddr sa;
	socklen_t len;
	int one = 1, v6 = v6only;
	int fd;

	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		tb_die("socket: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		tb_die("SO_REUSEADDR: %s", strerror(errno));
	if (reuseport &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)))
		tb_die("SO_REUSEPORT: %s", strerror(errno));
	if (family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6, sizeof(v6)))
		tb_die("IPV6_V6ONLY: %s", strerror(errno));
	len = tb_sockaddr_set(&sa, family, addr, port);
	if (bind(fd, &sa.sa, len))
		tb_die("bind %s port %u: %s", addr, port, strerror(errno));
	if (listen(fd, backlog))
		tb_die("listen: %s", strerror(errno));
	return fd;
}

/* The usual case: IPv6 listeners are IPv6-only. */
static inline int tb_listener(int family, const char *addr, uint16_t port,
			      int backlog, bool reuseport)
{
	return tb_listener_v6only(family, addr, port, backlog, reuseport, true);
}

/* accept() and close every completed connection waiting on a listener. */
static inline int tb_drain_accept_queue(int lfd)
{
	int fd, n = 0, i;

	for (i = 0; i < 1024; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			break;
		close(fd);
		n++;
	}
	return n;
}

/* Accept queue length and limit of a listener (TCP_INFO on a LISTEN socket). */
static inline int tb_listener_queue(int fd, unsigned int *backlog, unsigned int *max)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -1;
	*backlog = ti.tcpi_unacked;	/* sk_ack_backlog for listeners */
	*max = ti.tcpi_sacked;		/* sk_max_ack_backlog for listeners */
	return 0;
}

/* The socket's drop counter (sk_drops), via SO_MEMINFO; -1 when unavailable. */
static inline long tb_sock_drops(int fd)
{
	uint32_t mem[TB_SK_MEMINFO_VARS + 8];
	socklen_t len = sizeof(mem);

	memset(mem, 0, sizeof(mem));
	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) ||
	    len < (TB_SK_MEMINFO_DROPS + 1) * sizeof(uint32_t))
		return -1;
	return mem[TB_SK_MEMINFO_DROPS];
}

/* Non-blocking connect; returns the fd (connect in progress or done). */
static inline int tb_connect_nb(int family, const char *addr, uint16_t port)
{
	union tb_sockaddr sa;
	socklen_t len;
	int fd;

	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		tb_die("socket: %s", strerror(errno));
	len = tb_sockaddr_set(&sa, family, addr, port);
	if (connect(fd, &sa.sa, len) && errno != EINPROGRESS)
		tb_die("connect %s port %u: %s", addr, port, strerror(errno));
	return fd;
}

/* TCP state of a socket (TCP_ESTABLISHED, TCP_SYN_SENT, ...), -1 on error. */
static inline int tb_tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -1;
	return ti.tcpi_state;
}

/* Wait up to timeout_ms for a connect in progress to finish: 1 connected, 0 not. */
static inline int tb_wait_connected(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int err = 0;
	socklen_t len = sizeof(err);
	int rc;

	rc = poll(&p, 1, timeout_ms);
	if (rc <= 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) || err)
		return 0;
	return tb_tcp_state(fd) == TCP_ESTABLISHED;
}

/* ---------- per-namespace SNMP counters (/proc/net/netstat) ---------- */

struct tb_mib {
	bool valid;
	long listen_overflows;
	long listen_drops;
	long reqq_full_drop;
	long reqq_full_do_cookies;
	long syncookies_sent;
	long syncookies_recv;
	long syncookies_failed;
};

static inline void tb_mib_set(struct tb_mib *m, const char *name, long v)
{
	static const struct {
		const char *name;
		size_t off;
	} map[] = {
		{ "ListenOverflows", offsetof(struct tb_mib, listen_overflows) },
		{ "ListenDrops", offsetof(struct tb_mib, listen_drops) },
		{ "TCPReqQFullDrop", offsetof(struct tb_mib, reqq_full_drop) },
		{ "TCPReqQFullDoCookies", offsetof(struct tb_mib, reqq_full_do_cookies) },
		{ "SyncookiesSent", offsetof(struct tb_mib, syncookies_sent) },
		{ "SyncookiesRecv", offsetof(struct tb_mib, syncookies_recv) },
		{ "SyncookiesFailed", offsetof(struct tb_mib, syncookies_failed) },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(name, map[i].name))
			*(long *)((char *)m + map[i].off) = v;
}

/* Read the TcpExt counters of the caller's network namespace. */
static inline int tb_mib_read(struct tb_mib *m)
{
	char names[8192], values[8192];
	char *ns, *vs, *n, *v;
	FILE *f;
	int found = 0;

	memset(m, 0, sizeof(*m));
	f = fopen("/proc/net/netstat", "re");
	if (!f)
		return -1;
	while (fgets(names, sizeof(names), f) && fgets(values, sizeof(values), f)) {
		if (strncmp(names, "TcpExt:", 7) || strncmp(values, "TcpExt:", 7))
			continue;
		n = strtok_r(names + 7, " \n", &ns);
		v = strtok_r(values + 7, " \n", &vs);
		while (n && v) {
			tb_mib_set(m, n, strtol(v, NULL, 10));
			n = strtok_r(NULL, " \n", &ns);
			v = strtok_r(NULL, " \n", &vs);
		}
		found = 1;
	}
	fclose(f);
	m->valid = found;
	return found ? 0 : -1;
}

/* Print what happened between two readings as mib_* lines. */
static inline void tb_mib_print_delta(const struct tb_mib *a, const struct tb_mib *b)
{
	if (!a->valid || !b->valid) {
		tb_kv("mib", "unavailable");
		return;
	}
	tb_kv("mib_listen_overflows", "%ld", b->listen_overflows - a->listen_overflows);
	tb_kv("mib_listen_drops", "%ld", b->listen_drops - a->listen_drops);
	tb_kv("mib_reqq_full_drop", "%ld", b->reqq_full_drop - a->reqq_full_drop);
	tb_kv("mib_reqq_full_do_cookies", "%ld",
	      b->reqq_full_do_cookies - a->reqq_full_do_cookies);
	tb_kv("mib_syncookies_sent", "%ld", b->syncookies_sent - a->syncookies_sent);
	tb_kv("mib_syncookies_recv", "%ld", b->syncookies_recv - a->syncookies_recv);
	tb_kv("mib_syncookies_failed", "%ld",
	      b->syncookies_failed - a->syncookies_failed);
}

/* ---------- sysctls of the caller's namespace ---------- */

static inline long tb_sysctl_read(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static inline void tb_sysctl_write(const char *path, long value)
{
	char buf[32];
	int fd, len;

	len = snprintf(buf, sizeof(buf), "%ld\n", value);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		tb_die("open %s: %s", path, strerror(errno));
	if (write(fd, buf, len) != len)
		tb_die("write %s: %s", path, strerror(errno));
	close(fd);
	if (tb_sysctl_read(path) != value)
		tb_die("%s did not take the value %ld", path, value);
}

/* ---------- waiting for the runner ---------- */

/*
 * Block SIGUSR1 now (before announcing readiness), then tb_wait_usr1()
 * returns 0 once it arrives, -1 after timeout_ms.
 */
static inline void tb_block_usr1(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		tb_die("sigprocmask: %s", strerror(errno));
}

static inline int tb_wait_usr1(unsigned int timeout_ms)
{
	uint64_t deadline = tb_now_ms() + timeout_ms;
	struct timespec ts;
	sigset_t set;
	uint64_t now;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	for (;;) {
		now = tb_now_ms();
		if (now >= deadline)
			return -1;
		ts.tv_sec = (deadline - now) / 1000;
		ts.tv_nsec = (long)((deadline - now) % 1000) * 1000000;
		if (sigtimedwait(&set, NULL, &ts) == SIGUSR1)
			return 0;
		if (errno != EINTR && errno != EAGAIN)
			return -1;
	}
}

/* ---------- the loopback connect flood ---------- */

/*
 * Open n non-blocking loopback connects to port, one after the other. Each
 * handshake completes (or its SYN is dropped) inside connect(), so after a
 * short poll a client is either ESTABLISHED or still in SYN_SENT (its SYN
 * was dropped; it retransmits after 1 s, 3 s, ...). Then hold everything
 * for wait_ms so retransmits happen, and report the clients.
 */
struct tb_flood {
	int family;
	const char *addr;
	uint16_t port;
	int n;
	unsigned int wait_ms;
	int fds[TB_MAX_CONNS];
	uint16_t sports[TB_MAX_CONNS];
	bool connected[TB_MAX_CONNS];
	int nconnected;
	int npending;
};

/*
 * Connect one by one; a completed handshake answers within microseconds, a
 * dropped SYN never does, so a short poll keeps the order (the first
 * clients fill the queue) without waiting long for the dropped ones.
 */
static inline void tb_flood_connect(struct tb_flood *fl)
{
	int i;

	for (i = 0; i < fl->n; i++) {
		fl->fds[i] = tb_connect_nb(fl->family, fl->addr, fl->port);
		fl->sports[i] = tb_local_port(fl->fds[i]);
		tb_wait_connected(fl->fds[i], 5);
	}
}

/* After the wait: which clients are established, which still in SYN_SENT. */
static inline void tb_flood_settle(struct tb_flood *fl)
{
	int i;

	fl->nconnected = 0;
	fl->npending = 0;
	for (i = 0; i < fl->n; i++) {
		fl->connected[i] = tb_wait_connected(fl->fds[i], 0);
		if (fl->connected[i])
			fl->nconnected++;
		else
			fl->npending++;
	}
}

static inline void tb_print_ports(const char *key, const struct tb_flood *fl, bool connected)
{
	char buf[TB_MAX_CONNS * 7 + 1];
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < fl->n; i++) {
		if (fl->connected[i] != connected)
			continue;
		off += snprintf(buf + off, sizeof(buf) - off, "%s%u",
				off ? "," : "", fl->sports[i]);
	}
	tb_kv(key, "%s", buf);
}

static inline void tb_flood_report(const struct tb_flood *fl)
{
	tb_kv("clients", "%d", fl->n);
	tb_kv("clients_connected", "%d", fl->nconnected);
	tb_kv("clients_dropped", "%d", fl->npending);
	tb_print_ports("connected_ports", fl, true);
	tb_print_ports("dropped_ports", fl, false);
}

static inline void tb_flood_close(struct tb_flood *fl)
{
	int i;

	for (i = 0; i < fl->n; i++)
		close(fl->fds[i]);
}

/*
 * Lower RLIMIT_NOFILE to limit and take every free fd below it (with
 * /dev/null, or dups of spare_fd once open() is refused otherwise), so
 * that the next fd-allocating call fails with EMFILE. The fds taken go
 * into fillers (room for cap); returns the number of fds now open.
 */
static inline int tb_exhaust_fds(int limit, int spare_fd, int *fillers, int cap, int *nfill)
{
	struct rlimit rl;
	int fd, open_fds = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		tb_die("getrlimit: %s", strerror(errno));
	if ((rlim_t)limit > rl.rlim_max)
		tb_die("limit %d above the hard limit", limit);
	rl.rlim_cur = limit;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		tb_die("setrlimit: %s", strerror(errno));
	for (int i = 0; i < limit + 1 && *nfill < cap; i++) {
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0 && errno != EMFILE)
			fd = fcntl(spare_fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0) {
			if (errno != EMFILE)
				tb_die("filling the fd table: %s", strerror(errno));
			break;
		}
		fillers[(*nfill)++] = fd;
	}
	for (fd = 0; fd < 4096; fd++)
		open_fds += fcntl(fd, F_GETFD) != -1;
	return open_fds;
}

#endif /* TB_TEST_DRIVER_H */
