// SPDX-License-Identifier: GPL-2.0
/*
 * tun_peer: exact handshakes against a listener on 198.18.0.1, with this
 * driver playing the peer 198.18.0.2 behind a TUN device it creates.
 *   tun_peer -m synq|ack|late-ack [-c SYNCOOKIES] [-p PORT] [-b BACKLOG]
 *            [-n SYNS] [-k REPEATS] [-i IFNAME] [-s FIRST_PEER_PORT]
 * Modes, listen(fd, BACKLOG), never accept():
 *   synq      N SYNs, no ACKs. With tcp_syncookies=0, BACKLOG+1 request
 *             socks fit; every later SYN is a SYN-queue-full drop
 *             (TCPReqQFullDrop, ListenDrops; no ListenOverflows).
 *   ack       N SYNs, then the N final ACKs. With tcp_syncookies=1 the SYNs
 *             past the SYN queue get cookie SYN-ACKs; BACKLOG+1 ACKs are
 *             queued, every later ACK overflows the accept queue
 *             (ListenOverflows = ListenDrops = N - BACKLOG - 1).
 *   late-ack  request-sock path: SYN 0..B, ACK 0, SYN B+1, ACK 1..B (the
 *             accept queue is now full), then the ACK of B+1 sent K times:
 *             each one overflows in tcp_check_req (ListenOverflows =
 *             ListenDrops = K). No syncookies involved.
 *   rtx       late-ack with one overflowing ACK, then one accept() makes
 *             room; the listener sends its SYN-ACK again (about 1 s after
 *             the first), the peer answers with the ACK again and the
 *             connection gets in: delayed by the time between its two ACKs
 *             (delay_us), after 1 SYN-ACK retransmit (synack_retransmits).
 *   flood     tcp_synack_retries 1: N spoofed SYNs from the peer, never
 *             answered nor sent again (BACKLOG+1 get request socks, the rest
 *             are dropped with the SYN queue full when syncookies are off),
 *             then R real clients in this namespace (-r, blocking
 *             connect() to the listener): dropped too until the spoofed
 *             request socks expire (about 3 s), then in. Prints the real
 *             clients delayed (connected after a SYN retransmit) and the
 *             spoofed SYNs dropped; keeps the listener until SIGUSR1.
 * -c sets net.ipv4.tcp_syncookies in this namespace first.
 */
#include "tun.h"

#include <netinet/tcp.h>
#include <pthread.h>

#define TB_TUN_MAX_CONNS	64

struct tb_conn {
	uint16_t sport;
	uint32_t isn;
	bool synack;		/* got a SYN-ACK */
	uint32_t peer_isn;
	int ack_result;		/* 0 not sent, 1 queued, -1 overflowed */
};

static struct tb_tun_peer tp;
static struct tb_conn conns[TB_TUN_MAX_CONNS];
static int nconns;
static int lfd;

/* Wait up to timeout_ms for the SYN-ACK of conn c; 1 got it. */
static int wait_synack(struct tb_conn *c, unsigned int timeout_ms)
{
	uint64_t deadline = tb_now_ms() + timeout_ms;
	struct tb_seg seg;
	uint64_t now;
	int i;

	while (!c->synack) {
		now = tb_now_ms();
		if (now >= deadline)
			break;
		if (!tb_tun_recv(&tp, &seg, (unsigned int)(deadline - now)))
			break;
		if ((seg.flags & (TB_TCP_SYN | TB_TCP_ACK)) != (TB_TCP_SYN | TB_TCP_ACK))
			continue;
		for (i = 0; i < nconns; i++) {
			if (conns[i].sport == seg.dport && !conns[i].synack &&
			    seg.ack == conns[i].isn + 1) {
				conns[i].synack = true;
				conns[i].peer_isn = seg.seq;
			}
		}
	}
	return c->synack;
}

static unsigned int accept_queue(void)
{
	unsigned int q = 0, max = 0;

	if (tb_listener_queue(lfd, &q, &max))
		tb_die("TCP_INFO on the listener: %s", strerror(errno));
	return q;
}

static void send_syn(struct tb_conn *c)
{
	tb_tun_send(&tp, c->sport, c->isn, 0, TB_TCP_SYN);
	wait_synack(c, 200);
}

/* Send the final ACK of c; record whether it was queued or overflowed. */
static void send_ack(struct tb_conn *c)
{
	unsigned int before = accept_queue(), after;
	int i;

	if (!c->synack)
		tb_die("no SYN-ACK for peer port %u", c->sport);
	tb_tun_send(&tp, c->sport, c->isn + 1, c->peer_isn + 1, TB_TCP_ACK);
	/* the segment is processed within write(); allow a little slack */
	for (i = 0; i < 20; i++) {
		after = accept_queue();
		if (after != before)
			break;
		tb_sleep_ms(5);
	}
	c->ack_result = after > before ? 1 : -1;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

/* Wait up to timeout_ms for a SYN-ACK sent again to conn c; 1 got it. */
static int wait_synack_again(const struct tb_conn *c, unsigned int timeout_ms)
{
	uint64_t deadline = tb_now_ms() + timeout_ms;
	struct tb_seg seg;
	uint64_t now;

	for (;;) {
		now = tb_now_ms();
		if (now >= deadline)
			return 0;
		if (!tb_tun_recv(&tp, &seg, (unsigned int)(deadline - now)))
			return 0;
		if ((seg.flags & (TB_TCP_SYN | TB_TCP_ACK)) == (TB_TCP_SYN | TB_TCP_ACK) &&
		    seg.dport == c->sport && seg.ack == c->isn + 1)
			return 1;
	}
}

/* flood: one real client, a blocking connect() */
struct real_client {
	pthread_t thread;
	uint16_t port;
	int fd;
	int err;
	uint32_t retrans;
};

static void *real_connect(void *arg)
{
	struct real_client *c = arg;
	union tb_sockaddr sa;
	socklen_t len = tb_sockaddr_set(&sa, AF_INET, TB_TUN_LOCAL, c->port);
	struct tcp_info ti;
	socklen_t tlen = sizeof(ti);

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, &sa.sa, len))
		c->err = errno;
	memset(&ti, 0, sizeof(ti));
	if (!c->err && !getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &tlen))
		c->retrans = ti.tcpi_total_retrans;
	return NULL;
}

static void print_ports(const char *key, int want_synack, int want_ack)
{
	char buf[TB_TUN_MAX_CONNS * 7 + 1];
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < nconns; i++) {
		if (want_synack >= 0 && conns[i].synack != (bool)want_synack)
			continue;
		if (want_ack != 2 && conns[i].ack_result != want_ack)
			continue;
		off += snprintf(buf + off, sizeof(buf) - off, "%s%u",
				off ? "," : "", conns[i].sport);
	}
	tb_kv(key, "%s", buf);
}

int main(int argc, char **argv)
{
	const char *usage = "-m synq|ack|late-ack|rtx|flood [-c SYNCOOKIES] [-p PORT] [-r REAL_CLIENTS] "
			    "[-b BACKLOG] [-n SYNS] [-k REPEATS] [-i IFNAME] "
			    "[-s FIRST_PEER_PORT]";
	const char *mode = NULL, *ifname = "tun0";
	long syncookies = -1;
	int backlog = 1, n = 6, repeats = 3, first_sport = 40000;
	long exp_drops = 0, exp_overflows = 0, exp_reqq_drop = -1;
	struct tb_mib before, after;
	int i, nsynack = 0, noverflow = 0, rc = 0, synack_again = 0;
	uint64_t delay_us = 0;
	static struct real_client real[TB_TUN_MAX_CONNS];
	int nreal = 3, real_delayed = 0, real_failed = 0;
	long synack_retries_was;
	uint16_t port = 8080;

	tb_prog = "tun_peer";
	const struct tb_option options[] = {
		TB_TEXT('m', mode),
		TB_NUMBER('c', syncookies, 0, 2, "syncookies"),
		TB_NUMBER('p', port, 1, 65535, "port"),
		TB_NUMBER('b', backlog, 1, 16, "backlog"),
		TB_NUMBER('n', n, 1, TB_TUN_MAX_CONNS - 1, "SYN count"),
		TB_NUMBER('k', repeats, 1, 100, "repeats"),
		TB_TEXT('i', ifname),
		TB_NUMBER('s', first_sport, 1024, 65000, "peer port"),
		TB_NUMBER('r', nreal, 0, TB_TUN_MAX_CONNS, "real clients"),
	};

	TB_OPTIONS_PARSE(argc, argv, usage, options);
	if (!mode ||
	    (strcmp(mode, "synq") && strcmp(mode, "ack") && strcmp(mode, "late-ack") && strcmp(mode, "rtx") &&
	     strcmp(mode, "flood")))
		tb_usage_error(usage);
	/* blocked before "hold=1" is printed, so the runner's signal waits for us */
	tb_block_usr1();
	synack_retries_was = tb_sysctl_read("/proc/sys/net/ipv4/tcp_synack_retries");
	if (!strcmp(mode, "flood"))
		tb_sysctl_write("/proc/sys/net/ipv4/tcp_synack_retries", 1);

	if (syncookies >= 0)
		tb_sysctl_write("/proc/sys/net/ipv4/tcp_syncookies", syncookies);
	syncookies = tb_sysctl_read("/proc/sys/net/ipv4/tcp_syncookies");

	tp.fd = tb_tun_open(ifname);
	tb_if_up(ifname, TB_TUN_LOCAL, TB_TUN_PREFIX);
	inet_pton(AF_INET, TB_TUN_LOCAL, &tp.local);
	inet_pton(AF_INET, TB_TUN_PEER, &tp.peer);
	tp.lport = port;

	tb_mib_read(&before);
	lfd = tb_listener(AF_INET, TB_TUN_LOCAL, port, backlog, false);

	tb_print_identity();
	tb_kv("mode", "%s", mode);
	tb_kv("syncookies", "%ld", syncookies);
	tb_kv("family", "ipv4");
	tb_kv("laddr", "%s", TB_TUN_LOCAL);
	tb_kv("raddr", "%s", TB_TUN_PEER);
	tb_kv("port", "%u", port);
	tb_kv("backlog", "%d", backlog);
	tb_kv("listener_ino", "%llu", (unsigned long long)tb_sock_ino(lfd));

	if (!strcmp(mode, "rtx"))
		repeats = 1;
	if (!strcmp(mode, "late-ack") || !strcmp(mode, "rtx"))
		n = backlog + 2;
	nconns = n;
	for (i = 0; i < n; i++) {
		conns[i].sport = (uint16_t)(first_sport + i);
		conns[i].isn = 0x10000000u * (uint32_t)(i + 1) + 12345;
	}

	if (!strcmp(mode, "flood")) {
		/* spoofed: sent and forgotten */
		for (i = 0; i < n; i++)
			tb_tun_send(&tp, conns[i].sport, conns[i].isn, 0, TB_TCP_SYN);
		for (i = 0; i < nreal; i++) {
			real[i].port = port;
			if (pthread_create(&real[i].thread, NULL, real_connect, &real[i]))
				tb_die("pthread_create failed");
		}
		for (i = 0; i < nreal; i++) {
			pthread_join(real[i].thread, NULL);
			real_delayed += !real[i].err && real[i].retrans > 0;
			real_failed += real[i].err != 0;
		}
	} else if (!strcmp(mode, "synq") || !strcmp(mode, "ack")) {
		for (i = 0; i < n; i++)
			send_syn(&conns[i]);
		for (i = 0; i < n; i++)
			nsynack += conns[i].synack;
		if (!strcmp(mode, "ack")) {
			for (i = 0; i < n; i++)
				if (conns[i].synack)
					send_ack(&conns[i]);
		}
	} else {
		/* SYN 0..B: the SYN queue holds B+1 request socks */
		for (i = 0; i <= backlog; i++)
			send_syn(&conns[i]);
		send_ack(&conns[0]);
		send_syn(&conns[backlog + 1]);
		for (i = 1; i <= backlog; i++)
			send_ack(&conns[i]);
		for (i = 0; i < n; i++)
			nsynack += conns[i].synack;
		/* the accept queue is full now: every ACK of the last one overflows */
		for (i = 0; i < repeats; i++) {
			uint64_t t0 = now_us();

			send_ack(&conns[backlog + 1]);
			if (conns[backlog + 1].ack_result < 0)
				noverflow++;
			if (strcmp(mode, "rtx"))
				continue;
			/* room for it, then its SYN-ACK comes again: answer it */
			i = accept(lfd, NULL, NULL);
			if (i < 0)
				tb_die("accept: %s", strerror(errno));
			/*
			 * closed with a reset: a FIN the peer never answers would
			 * keep the socket, and its 4-tuple, in this namespace for
			 * minutes, in the way of the next run's SYNs
			 */
			setsockopt(i, SOL_SOCKET, SO_LINGER, &(struct linger){ .l_onoff = 1 }, sizeof(struct linger));
			close(i);
			i = repeats;
			synack_again = wait_synack_again(&conns[backlog + 1], 5000);
			if (!synack_again)
				tb_die("no SYN-ACK sent again within 5 s");
			delay_us = now_us() - t0;
			tb_tun_send(&tp, conns[backlog + 1].sport, conns[backlog + 1].isn + 1,
				    conns[backlog + 1].peer_isn + 1, TB_TCP_ACK);
			tb_sleep_ms(20);
		}
	}
	for (i = 0; i < n && strcmp(mode, "late-ack") && strcmp(mode, "rtx") && strcmp(mode, "flood"); i++)
		noverflow += conns[i].ack_result < 0;

	tb_kv("syns", "%d", n);
	tb_kv("synacks", "%d", nsynack);
	tb_kv("accept_queue", "%u", accept_queue());
	tb_kv("listener_drops", "%ld", tb_sock_drops(lfd));
	tb_kv("ack_overflows", "%d", noverflow);
	print_ports("dropped_ports", 0, 2);	/* SYNs without an answer */
	print_ports("queued_ports", 1, 1);
	print_ports("overflow_ports", 1, -1);
	tb_kv("synack_again", "%d", synack_again);
	if (!strcmp(mode, "flood")) {
		tb_kv("real_clients", "%d", nreal);
		tb_kv("real_delayed", "%d", real_delayed);
		tb_kv("real_failed", "%d", real_failed);
		tb_kv("spoofed_dropped", "%d", n > backlog + 1 ? n - (backlog + 1) : 0);
	}
	tb_kv("delay_us", "%llu", (unsigned long long)delay_us);
	/* delayed: queued at last (the accept above made room for exactly one) */
	tb_kv("delayed", "%d", !strcmp(mode, "rtx") && accept_queue() == (unsigned int)backlog + 1);

	/* what the kernel must have counted */
	if (!strcmp(mode, "synq")) {
		exp_drops = syncookies == 0 ? n - (backlog + 1) : 0;
		exp_overflows = 0;
		exp_reqq_drop = exp_drops;
	} else if (!strcmp(mode, "ack")) {
		exp_overflows = n > backlog + 1 ? n - (backlog + 1) : 0;
		if (syncookies == 0)	/* no cookies: the extra SYNs are dropped instead */
			exp_overflows = 0;
		exp_drops = syncookies == 0 ? n - (backlog + 1) : exp_overflows;
	} else if (!strcmp(mode, "flood")) {
		/* the spoofed SYNs past the SYN queue, and each real client's until it got in */
		exp_drops = -1;
		exp_overflows = 0;
	} else {
		exp_overflows = repeats;
		exp_drops = repeats;
		exp_reqq_drop = 0;
	}
	tb_kv("expect_listen_drops", "%ld", exp_drops);
	tb_kv("expect_listen_overflows", "%ld", exp_overflows);

	if (!strcmp(mode, "flood")) {
		tb_kv("hold", "1");
		fflush(stdout);
		tb_wait_usr1(10000);
		for (i = 0; i < nreal; i++)
			if (real[i].fd >= 0)
				close(real[i].fd);
	}
	close(lfd);
	if (!strcmp(mode, "flood") && synack_retries_was >= 0)
		tb_sysctl_write("/proc/sys/net/ipv4/tcp_synack_retries", synack_retries_was);
	tb_mib_read(&after);
	tb_mib_print_delta(&before, &after);
	close(tp.fd);

	if (before.valid && after.valid) {
		if ((exp_drops >= 0 && after.listen_drops - before.listen_drops != exp_drops) ||
		    after.listen_overflows - before.listen_overflows != exp_overflows ||
		    (exp_reqq_drop >= 0 &&
		     after.reqq_full_drop - before.reqq_full_drop != exp_reqq_drop)) {
			tb_warn("kernel counters differ from what this mode should produce");
			rc = 1;
		}
	}
	if (noverflow != exp_overflows) {
		tb_warn("%d ACKs overflowed, expected %ld", noverflow, exp_overflows);
		rc = 1;
	}
	if (!rc)
		tb_kv("result", "ok");
	return rc;
}
