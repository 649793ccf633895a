// SPDX-License-Identifier: GPL-2.0
/*
 * client_cost: what listen drops cost the clients, measured by the
 * clients themselves. Each client is a thread with a blocking connect(),
 * timed, and asks its socket afterwards how many SYNs it sent again
 * (TCP_INFO tcpi_total_retrans: on loopback a SYN is retransmitted only
 * because the listener dropped it).
 *
 *   client_cost -m delay [-6] [-p PORT] [-b BACKLOG] [-n CLIENTS] [-a ACCEPT_MS] [-g GAP_MS]
 *     listen(fd, BACKLOG); the clients connect GAP_MS apart; one accept
 *     every ACCEPT_MS, each accepted connection closed at once. A client
 *     whose connect() succeeded waits for the server's FIN (accepted) or
 *     a reset (its final ACK overflowed: tcp_abort_on_overflow is 1 here,
 *     so no client believes it is connected while the server has no
 *     socket for it; SYN cookies are off, see main()). Prints delayed
 *     (connects with a retransmitted SYN that were accepted), their
 *     connect() times, resets, SYN retransmits; a client neither accepted
 *     nor reset within 10 s counts in other_errors.
 *
 *   client_cost -m abandon [-6] [-p PORT] [-b BACKLOG] [-n CLIENTS] [-s SYNCNT]
 *     listen(fd, BACKLOG), never accepts. BACKLOG + 1 clients connect one
 *     after the other (they fill the accept queue), then the other
 *     CLIENTS at once, with TCP_SYNCNT SYNCNT: their SYNs are dropped
 *     until connect() fails with ETIMEDOUT. Prints the ETIMEDOUT count.
 *
 * Both keep the listener open after printing "hold=1", until SIGUSR1 or
 * HOLD_MS (-t): a tracer reporting per interval sees it still listening.
 */
#include "driver.h"

#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/socket.h>

#define CC_MAX_CLIENTS	256

struct client {
	pthread_t thread;
	int family;
	uint16_t port;
	int syncnt;		/* TCP_SYNCNT, 0: the namespace's */
	unsigned int delay_ms;	/* delay: when to connect, after the start */
	int fd;
	int err;		/* connect()'s errno, 0 connected */
	bool reset;		/* reset by the server, in connect() or after */
	bool stalled;		/* connected, then neither accepted nor reset within 10 s */
	uint16_t lport;
	uint32_t retrans;	/* SYNs sent again */
	uint64_t connect_us;
};

static struct client clients[CC_MAX_CLIENTS];
static pthread_barrier_t start;

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

static void client_connect(struct client *c)
{
	union tb_sockaddr sa;
	socklen_t len = tb_sockaddr_set(&sa, c->family, tb_loopback(c->family), c->port);
	struct tcp_info ti;
	socklen_t tlen = sizeof(ti);
	uint64_t t0;

	c->fd = socket(c->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		tb_die("socket: %s", strerror(errno));
	if (c->syncnt && setsockopt(c->fd, IPPROTO_TCP, TCP_SYNCNT, &c->syncnt, sizeof(c->syncnt)))
		tb_die("TCP_SYNCNT: %s", strerror(errno));
	t0 = now_us();
	c->err = connect(c->fd, &sa.sa, len) ? errno : 0;
	c->connect_us = now_us() - t0;
	if (!c->err)
		c->lport = tb_local_port(c->fd);
	memset(&ti, 0, sizeof(ti));
	if (!getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &tlen))
		c->retrans = ti.tcpi_total_retrans;
}

/* delay: connect, then wait for the server's FIN or a reset */
static void *delay_client(void *arg)
{
	struct client *c = arg;

	pthread_barrier_wait(&start);
	char b;

	struct timeval tv = { .tv_sec = 10 };

	tb_sleep_ms(c->delay_ms);	/* one after the other: no SYN races the queue's fullness check */
	client_connect(c);
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (!c->err && read(c->fd, &b, 1) < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			c->stalled = true;
		else
			c->reset = true;
	}
	return NULL;
}

/* abandon: connect, keep the socket */
static void *abandon_client(void *arg)
{
	pthread_barrier_wait(&start);
	client_connect(arg);
	return NULL;
}

static void start_clients(int from, int n, void *(*fn)(void *))
{
	pthread_barrier_init(&start, NULL, n - from);
	for (int i = from; i < n; i++)
		if (pthread_create(&clients[i].thread, NULL, fn, &clients[i]))
			tb_die("pthread_create failed");
}

static void join_clients(int from, int n)
{
	for (int i = from; i < n; i++)
		pthread_join(clients[i].thread, NULL);
	pthread_barrier_destroy(&start);
}

static volatile bool clients_done;

struct server {
	int lfd;
	unsigned int accept_ms;
	int accepted;
};

/* One accept per tick until the clients are done; each connection closed at once. */
static void *server(void *arg)
{
	struct server *s = arg;

	while (!clients_done) {
		int fd;

		tb_sleep_ms(s->accept_ms);
		fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			s->accepted++;
			close(fd);
		}
	}
	return NULL;
}

static void print_list(const char *key, int n, bool (*pick)(const struct client *), bool times)
{
	char buf[CC_MAX_CLIENTS * 12 + 1];
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (!pick(&clients[i]))
			continue;
		off += snprintf(buf + off, sizeof(buf) - off, "%s%llu", off ? "," : "",
				times ? (unsigned long long)clients[i].connect_us :
					(unsigned long long)clients[i].lport);
	}
	tb_kv(key, "%s", buf);
}

static bool is_delayed(const struct client *c)
{
	return !c->err && !c->reset && !c->stalled && c->retrans > 0;
}

static bool is_timed_out(const struct client *c)
{
	return c->err == ETIMEDOUT;
}

int main(int argc, char **argv)
{
	const char *usage = "-m delay|abandon [-6] [-p PORT] [-b BACKLOG] [-n CLIENTS] [-a ACCEPT_MS] [-g GAP_MS] [-s SYNCNT] [-t HOLD_MS]";
	int family = AF_INET, backlog = 2, n = 12, syncnt = 1, first = 0;
	unsigned int accept_ms = 300, gap_ms = 10, hold_ms = 10000;
	const char *mode = "";
	uint16_t port = 8080;
	struct server srv = { 0 };
	pthread_t srv_thread;
	int delayed = 0, resets = 0, timed_out = 0, connected = 0, other = 0;
	uint64_t retrans = 0, max_us = 0;
	struct tb_mib before, after;
	long abort_was, cookies_was = -1;

	tb_prog = "client_cost";
	const struct tb_option options[] = {
		TB_TEXT('m', mode),
		TB_SWITCH('6', family, AF_INET6),
		TB_NUMBER('p', port, 1, 65535, "port"),
		TB_NUMBER('b', backlog, 1, 128, "backlog"),
		TB_NUMBER('n', n, 1, CC_MAX_CLIENTS, "client count"),
		TB_NUMBER('a', accept_ms, 1, 10000, "accept interval"),
		TB_NUMBER('s', syncnt, 1, 6, "TCP_SYNCNT"),
		TB_NUMBER('g', gap_ms, 0, 1000, "connect interval"),
		TB_NUMBER('t', hold_ms, 0, TB_MAX_WAIT_MS, "hold time"),
	};

	TB_OPTIONS_PARSE(argc, argv, usage, options);
	if (strcmp(mode, "delay") && strcmp(mode, "abandon"))
		tb_usage_error(usage);
	/* blocked before "hold=1" is printed, so the runner's signal waits for us */
	tb_block_usr1();
	/* restored at the end: the kernel matrix runs every scenario in one namespace */
	abort_was = tb_sysctl_read("/proc/sys/net/ipv4/tcp_abort_on_overflow");
	tb_sysctl_write("/proc/sys/net/ipv4/tcp_abort_on_overflow", 1);
	/*
	 * delay: no SYN cookies. A SYN answered with a cookie whose final ACK
	 * overflows leaves no request to reset: the client believes it is
	 * connected until its own FIN, still carrying the cookie, gets it in.
	 */
	if (!strcmp(mode, "delay")) {
		cookies_was = tb_sysctl_read("/proc/sys/net/ipv4/tcp_syncookies");
		tb_sysctl_write("/proc/sys/net/ipv4/tcp_syncookies", 0);
	}
	tb_mib_read(&before);
	srv.lfd = tb_listener(family, tb_loopback(family), port, backlog, false);
	port = tb_local_port(srv.lfd);
	tb_set_nonblock(srv.lfd);	/* the server's accepts never wait */
	tb_print_listener(family, tb_loopback(family), port);
	tb_kv("backlog", "%d", backlog);
	tb_kv("clients", "%d", n);
	tb_kv("tcp_syn_linear_timeouts", "%ld", tb_sysctl_read("/proc/sys/net/ipv4/tcp_syn_linear_timeouts"));
	for (int i = 0; i < n; i++) {
		clients[i].family = family;
		clients[i].port = port;
		clients[i].syncnt = strcmp(mode, "abandon") ? 0 : syncnt;
		clients[i].delay_ms = i * gap_ms;
	}

	if (!strcmp(mode, "delay")) {
		srv.accept_ms = accept_ms;
		if (pthread_create(&srv_thread, NULL, server, &srv))
			tb_die("pthread_create failed");
		start_clients(0, n, delay_client);
		join_clients(0, n);
		clients_done = true;
		pthread_join(srv_thread, NULL);
	} else {
		/* the queue filled first, one at a time: no SYN races the fullness check */
		for (first = 0; first < backlog + 1 && first < n; first++) {
			clients[first].syncnt = 0;
			start_clients(first, first + 1, abandon_client);
			join_clients(first, first + 1);
		}
		start_clients(first, n, abandon_client);
		join_clients(first, n);
		/* a connected client reset since (its final ACK overflowed) */
		for (int i = 0; i < n; i++) {
			char b;

			if (!clients[i].err && recv(clients[i].fd, &b, 1, MSG_DONTWAIT) < 0 &&
			    errno != EAGAIN)
				clients[i].reset = true;
		}
	}
	tb_mib_read(&after);

	for (int i = 0; i < n; i++) {
		struct client *c = &clients[i];

		retrans += c->retrans;
		if (is_delayed(c)) {
			delayed++;
			if (c->connect_us > max_us)
				max_us = c->connect_us;
		}
		/* reset inside connect(): the final ACK overflowed as the handshake completed */
		if (c->err == ECONNRESET || c->err == ECONNREFUSED)
			c->reset = true;
		resets += c->reset;
		timed_out += is_timed_out(c);
		connected += !c->err;
		other += (c->err && !c->reset && c->err != ETIMEDOUT) || c->stalled;
	}
	tb_kv("mode", "%s", mode);
	tb_kv("accepted", "%d", srv.accepted);
	tb_kv("connected", "%d", connected);
	tb_kv("delayed", "%d", delayed);
	tb_kv("delay_max_us", "%llu", (unsigned long long)max_us);
	print_list("delays_us", n, is_delayed, true);
	print_list("delayed_ports", n, is_delayed, false);
	tb_kv("resets", "%d", resets);
	tb_kv("timed_out", "%d", timed_out);
	tb_kv("other_errors", "%d", other);
	tb_kv("syn_retransmits", "%llu", (unsigned long long)retrans);
	tb_mib_print_delta(&before, &after);
	/* the listener stays until the tracer reported what it saw (SIGUSR1) */
	tb_kv("hold", "1");
	fflush(stdout);
	tb_wait_usr1(hold_ms);
	for (int i = 0; i < n; i++)
		if (clients[i].fd >= 0)
			close(clients[i].fd);
	close(srv.lfd);
	if (abort_was >= 0)
		tb_sysctl_write("/proc/sys/net/ipv4/tcp_abort_on_overflow", abort_was);
	if (cookies_was >= 0)
		tb_sysctl_write("/proc/sys/net/ipv4/tcp_syncookies", cookies_was);
	return 0;
}
