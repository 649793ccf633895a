// SPDX-License-Identifier: GPL-2.0
/*
 * backlog_holder: the loopback accept-queue overflow of the integration
 * drivers, then hold still so a scraper can read it: listen(fd, BACKLOG),
 * never accept(), open n non-blocking connects, wait WAIT_MS (every
 * dropped SYN is retransmitted once), then close the clients still in
 * SYN_SENT so no retransmit moves the counters any more. Prints the
 * key=value report and ready=1, keeps the listener (accept queue full)
 * until SIGUSR1 or HOLD_MS, then closes everything.
 *   backlog_holder [-6] [-p PORT] [-b BACKLOG] [-n CONNECTS] [-w WAIT_MS] [-t HOLD_MS]
 */
#include "common.h"

int main(int argc, char **argv)
{
	static const char usage[] =
		"[-6] [-p PORT] [-b BACKLOG] [-n CONNECTS] [-w WAIT_MS] [-t HOLD_MS]";
	struct tb_flood fl;
	unsigned int qlen = 0, qmax = 0, hold_ms = 60000;
	uint16_t port = 0;
	int backlog = 1, lfd, i, opt;

	tb_prog = "backlog_holder";
	memset(&fl, 0, sizeof(fl));
	fl.family = AF_INET;
	fl.n = 6;
	fl.wait_ms = 1500;
	while ((opt = getopt(argc, argv, "6p:b:n:w:t:")) != -1) {
		switch (opt) {
		case '6':
			fl.family = AF_INET6;
			break;
		case 'p':
			port = tb_parse_long(optarg, 0, 65535, "port");
			break;
		case 'b':
			backlog = tb_parse_long(optarg, 0, 64, "backlog");
			break;
		case 'n':
			fl.n = tb_parse_long(optarg, 1, TB_MAX_CONNS, "connection count");
			break;
		case 'w':
			fl.wait_ms = tb_parse_long(optarg, 0, TB_MAX_WAIT_MS, "wait (ms)");
			break;
		case 't':
			hold_ms = tb_parse_long(optarg, 1, 300000, "hold (ms)");
			break;
		default:
			tb_usage_error(usage);
		}
	}
	if (optind != argc)
		tb_usage_error(usage);

	tb_block_usr1();
	fl.addr = tb_loopback(fl.family);
	lfd = tb_listener(fl.family, fl.addr, port, backlog, false);
	fl.port = tb_local_port(lfd);
	tb_print_identity();
	tb_kv("family", "%s", tb_family_name(fl.family));
	tb_kv("laddr", "%s", fl.addr);
	tb_kv("port", "%u", fl.port);
	tb_kv("backlog", "%d", backlog);

	tb_flood_connect(&fl);
	tb_sleep_ms(fl.wait_ms);
	tb_flood_settle(&fl);
	/* a closed SYN_SENT socket retransmits no more: the counts stand still */
	for (i = 0; i < fl.n; i++) {
		if (!fl.connected[i]) {
			close(fl.fds[i]);
			fl.fds[i] = -1;
		}
	}
	if (!tb_listener_queue(lfd, &qlen, &qmax)) {
		tb_kv("accept_queue", "%u", qlen);
		tb_kv("accept_queue_max", "%u", qmax);
	}
	tb_kv("listener_drops", "%ld", tb_sock_drops(lfd));
	tb_flood_report(&fl);
	tb_kv("ready", "1");

	if (tb_wait_usr1(hold_ms))
		tb_warn("no SIGUSR1 within %u ms: closing anyway", hold_ms);
	for (i = 0; i < fl.n; i++)
		if (fl.fds[i] >= 0)
			close(fl.fds[i]);
	close(lfd);
	tb_kv("result", "ok");
	return 0;
}
