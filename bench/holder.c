// SPDX-License-Identifier: GPL-2.0
/*
 * holder: a listener that never accepts, the target of the SYN flood.
 *
 *   holder -a ADDR -p PORT [-b BACKLOG] [-f FILL] [-t SECONDS]
 *
 * Listens on ADDR:PORT with listen(fd, BACKLOG) (default 1), then makes
 * FILL connections to itself (default 0) so that the accept queue is full
 * (FILL = BACKLOG + 1) and every further SYN is dropped at once as
 * accept_queue_full. Prints pid=, port=, backlog=, queue=, ready=1, then
 * waits for SIGTERM/SIGINT (at most SECONDS, default 600) and prints the
 * listener's own drop counter (sk_drops) as drops=.
 */
#include <getopt.h>

#include "driver.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	const char *addr = NULL;
	unsigned int backlog_now = 0, max = 0;
	int port = 0, backlog = 1, fill = 0, opt, lfd, i;
	int cfd[TB_MAX_CONNS];
	double secs = 600;
	uint64_t deadline;

	tb_prog = "holder";
	while ((opt = getopt(argc, argv, "a:p:b:f:t:")) != -1) {
		switch (opt) {
		case 'a':
			addr = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'b':
			backlog = atoi(optarg);
			break;
		case 'f':
			fill = atoi(optarg);
			break;
		case 't':
			secs = atof(optarg);
			break;
		default:
			fprintf(stderr, "usage: holder -a ADDR -p PORT [-b BACKLOG] [-f FILL] [-t SECONDS]\n");
			return 2;
		}
	}
	if (!addr || port < 0 || port > 65535 || fill < 0 || fill > TB_MAX_CONNS ||
	    secs <= 0 || secs > 3600)
		tb_die("bad arguments");

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	lfd = tb_listener(strchr(addr, ':') ? AF_INET6 : AF_INET, addr, (uint16_t)port,
			  backlog, false);
	port = tb_local_port(lfd);
	for (i = 0; i < fill; i++) {
		cfd[i] = tb_connect_nb(strchr(addr, ':') ? AF_INET6 : AF_INET, addr, (uint16_t)port);
		if (!tb_wait_connected(cfd[i], 2000))
			tb_die("fill connection %d did not complete", i);
	}
	tb_listener_queue(lfd, &backlog_now, &max);
	tb_kv("pid", "%d", (int)getpid());
	tb_kv("port", "%d", port);
	tb_kv("backlog", "%d", backlog);
	tb_kv("queue", "%u/%u", backlog_now, max);
	tb_kv("ready", "1");

	deadline = tb_now_ms() + (uint64_t)(secs * 1000);
	while (!stop && tb_now_ms() < deadline)
		tb_sleep_ms(50);
	tb_kv("drops", "%ld", tb_sock_drops(lfd));
	return 0;
}
