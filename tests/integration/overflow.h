/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The loopback accept-queue overflow scenario, shared by the overflow and
 * preexisting drivers: listen(fd, backlog), never accept(), open n
 * non-blocking loopback connects. The first backlog+1 complete; every later
 * SYN (and each of its retransmits, 1 s apart at first) is dropped at SYN
 * time because the accept queue is full: TcpExtListenOverflows and
 * TcpExtListenDrops move together, once per dropped SYN.
 */
#ifndef TB_IT_OVERFLOW_H
#define TB_IT_OVERFLOW_H

#include "driver.h"

struct tb_overflow_opts {
	int family;		/* of the clients' traffic */
	const char *bind_addr;	/* NULL: the loopback address of family */
	bool dual_stack;	/* listen on [::] (not IPv6-only), connect over IPv4 */
	uint16_t port;
	int backlog;
	int n;
	unsigned int wait_ms;
	bool wait_signal;	/* print ready=1, wait for SIGUSR1 before connecting */
	unsigned int signal_timeout_ms;
	bool pre_round;		/* one overflow round before ready=1 (preexisting) */
};

/* IPv4, ephemeral port, backlog 1, 6 connects, 1500 ms wait */
#define TB_OVERFLOW_DEFAULTS \
	.family = AF_INET, .backlog = 1, .n = 6, .wait_ms = 1500

static inline void tb_overflow_parse(struct tb_overflow_opts *o, int argc,
				     char **argv, const char *usage)
{
	const struct tb_option options[] = {
		TB_SWITCH('6', o->family, AF_INET6),
		TB_TEXT('A', o->bind_addr),
		TB_SWITCH('D', o->dual_stack, true),
		TB_NUMBER('p', o->port, 0, 65535, "port"),
		TB_NUMBER('b', o->backlog, 0, 64, "backlog"),
		TB_NUMBER('n', o->n, 1, TB_MAX_CONNS, "connection count"),
		TB_NUMBER('w', o->wait_ms, 0, TB_MAX_WAIT_MS, "wait (ms)"),
		TB_NUMBER('t', o->signal_timeout_ms, 1, 120000, "signal timeout (ms)"),
		TB_SWITCH('r', o->pre_round, true),
	};

	TB_OPTIONS_PARSE(argc, argv, usage, options);
	if (o->dual_stack && o->family == AF_INET6)
		tb_usage_error(usage);
}

/*
 * Before the tracer runs: overflow the listener once (so its drop counter
 * is not zero any more), then empty the accept queue again.
 */
static inline void tb_overflow_pre_round(const struct tb_overflow_opts *o,
					 struct tb_flood *fl, int lfd)
{
	struct tb_flood pre = *fl;

	pre.wait_ms = 1200;	/* one retransmit of each dropped SYN */
	tb_flood_connect(&pre);
	tb_sleep_ms(pre.wait_ms);
	tb_flood_settle(&pre);
	tb_flood_close(&pre);
	tb_kv("pre_clients_dropped", "%d", pre.npending);
	tb_kv("pre_accepted", "%d", tb_drain_accept_queue(lfd));
	tb_kv("pre_listener_drops", "%ld", tb_sock_drops(lfd));
}

static inline int tb_overflow_run(const struct tb_overflow_opts *o)
{
	struct tb_mib before, after;
	struct tb_flood fl;
	unsigned int qlen = 0, qmax = 0;
	const char *laddr;
	long drops, drops0 = 0;
	int lfd, expect_connected;

	memset(&fl, 0, sizeof(fl));
	fl.family = o->family;
	fl.addr = tb_loopback(o->family);
	fl.n = o->n;
	fl.wait_ms = o->wait_ms;

	if (o->wait_signal)
		tb_block_usr1();
	tb_mib_read(&before);
	if (o->dual_stack) {
		laddr = o->bind_addr ? o->bind_addr : "::";
		lfd = tb_listener_v6only(AF_INET6, laddr, o->port, o->backlog,
					 false, false);
	} else {
		laddr = o->bind_addr ? o->bind_addr : fl.addr;
		lfd = tb_listener(o->family, laddr, o->port, o->backlog, false);
	}
	fl.port = tb_local_port(lfd);

	tb_print_identity();
	tb_kv("family", "%s", tb_family_name(o->family));
	tb_kv("listener_family", "%s", o->dual_stack ? "ipv6" : tb_family_name(o->family));
	tb_kv("laddr", "%s", laddr);
	tb_kv("raddr", "%s", fl.addr);
	tb_kv("port", "%u", fl.port);
	tb_kv("backlog", "%d", o->backlog);
	tb_kv("listener_ino", "%llu", (unsigned long long)tb_sock_ino(lfd));

	if (o->pre_round)
		tb_overflow_pre_round(o, &fl, lfd);

	if (o->wait_signal) {
		tb_kv("ready", "1");
		if (tb_wait_usr1(o->signal_timeout_ms))
			tb_die("no SIGUSR1 within %u ms", o->signal_timeout_ms);
		tb_kv("go", "1");
		/* count only what the traffic does, not the wait */
		tb_mib_read(&before);
	}
	drops0 = tb_sock_drops(lfd);

	tb_flood_connect(&fl);
	tb_sleep_ms(o->wait_ms);
	tb_flood_settle(&fl);

	if (!tb_listener_queue(lfd, &qlen, &qmax)) {
		tb_kv("accept_queue", "%u", qlen);
		tb_kv("accept_queue_max", "%u", qmax);
	}
	drops = tb_sock_drops(lfd);
	tb_kv("listener_drops", "%ld", drops - drops0);
	tb_flood_report(&fl);

	/* clients first (quietly), then the listener */
	tb_flood_close(&fl);
	close(lfd);
	tb_mib_read(&after);
	tb_mib_print_delta(&before, &after);

	expect_connected = o->backlog + 1 < o->n ? o->backlog + 1 : o->n;
	if (fl.nconnected != expect_connected) {
		tb_warn("%d clients connected, expected %d", fl.nconnected,
			expect_connected);
		return 1;
	}
	if (after.valid && before.valid &&
	    after.listen_drops - before.listen_drops < fl.npending) {
		tb_warn("ListenDrops moved by %ld, fewer than the %d dropped SYNs",
			after.listen_drops - before.listen_drops, fl.npending);
		return 1;
	}
	tb_kv("result", "ok");
	return 0;
}

#endif /* TB_IT_OVERFLOW_H */
