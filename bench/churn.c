// SPDX-License-Identifier: GPL-2.0
/*
 * churn: loopback connection churn, connect/accept/close as fast as it
 * goes (or paced), for the overhead benchmark and the soak.
 *
 *   churn [-6] [-n COUNT] [-t SECONDS] [-l LISTENERS] [-R REOPEN] [-r RATE]
 *         [-b BACKLOG] [-w]
 *
 * -n  connections to make (default 20000); -t  stop after SECONDS anyway
 *     (default 120); the run ends at whichever comes first
 * -l  listeners on ephemeral ports, used round-robin (default 1)
 * -R  close every listener and open new ones every REOPEN connections
 *     (0: never): the listener registry sees listeners come and go
 * -r  at most RATE connections per second (0: as fast as possible)
 * -w  warm up with 200 connections before timing
 *
 * One connection: socket, blocking connect (the loopback handshake
 * completes inside connect()), accept, close client, close server. Run it
 * in a fresh network namespace with a wide ip_local_port_range: a client
 * closes first and leaves a TIME_WAIT socket.
 *
 * Prints conns=, errors=, elapsed_s=, conns_per_s=, listeners_opened=.
 */
#include <getopt.h>

#include "driver.h"

#define MAX_LISTENERS	64

struct churn {
	int family;
	int nl;
	int lfd[MAX_LISTENERS];
	uint16_t port[MAX_LISTENERS];
	long opened;
};

static void open_listeners(struct churn *c, int backlog)
{
	int i;

	for (i = 0; i < c->nl; i++) {
		c->lfd[i] = tb_listener(c->family, tb_loopback(c->family), 0, backlog, false);
		/* blocking accept: the connection is already in the queue */
		if (fcntl(c->lfd[i], F_SETFL, 0))
			tb_die("fcntl: %s", strerror(errno));
		c->port[i] = tb_local_port(c->lfd[i]);
		c->opened++;
	}
}

static void close_listeners(struct churn *c)
{
	int i;

	for (i = 0; i < c->nl; i++)
		close(c->lfd[i]);
}

/* one connect/accept/close; 0 or -1 */
static int one(struct churn *c, int i)
{
	union tb_sockaddr sa;
	socklen_t len;
	int fd, afd;

	fd = socket(c->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	len = tb_sockaddr_set(&sa, c->family, tb_loopback(c->family), c->port[i]);
	if (connect(fd, &sa.sa, len)) {
		close(fd);
		return -1;
	}
	afd = accept4(c->lfd[i], NULL, NULL, SOCK_CLOEXEC);
	close(fd);
	if (afd < 0)
		return -1;
	close(afd);
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct churn c = { .family = AF_INET, .nl = 1 };
	long n = 20000, reopen = 0, rate = 0, done = 0, errors = 0, i;
	double max_s = 120;
	int backlog = 128, opt;
	bool warm = false;
	uint64_t t0, t1, deadline;

	tb_prog = "churn";
	while ((opt = getopt(argc, argv, "6n:t:l:R:r:b:w")) != -1) {
		switch (opt) {
		case '6':
			c.family = AF_INET6;
			break;
		case 'n':
			n = atol(optarg);
			break;
		case 't':
			max_s = atof(optarg);
			break;
		case 'l':
			c.nl = atoi(optarg);
			break;
		case 'R':
			reopen = atol(optarg);
			break;
		case 'r':
			rate = atol(optarg);
			break;
		case 'b':
			backlog = atoi(optarg);
			break;
		case 'w':
			warm = true;
			break;
		default:
			fprintf(stderr, "usage: churn [-6] [-n COUNT] [-t SECONDS] [-l LISTENERS] "
				"[-R REOPEN] [-r RATE] [-b BACKLOG] [-w]\n");
			return 2;
		}
	}
	if (n < 1 || c.nl < 1 || c.nl > MAX_LISTENERS || max_s <= 0 || max_s > 86400 ||
	    reopen < 0 || rate < 0)
		tb_die("bad arguments");

	open_listeners(&c, backlog);
	for (i = 0; warm && i < 200; i++)
		one(&c, (int)(i % c.nl));

	t0 = now_ns();
	deadline = t0 + (uint64_t)(max_s * 1e9);
	for (i = 0; i < n; i++) {
		if ((i & 63) == 0 && now_ns() >= deadline)
			break;
		if (reopen && i && i % reopen == 0) {
			close_listeners(&c);
			open_listeners(&c, backlog);
		}
		if (one(&c, (int)(i % c.nl)))
			errors++;
		else
			done++;
		if (rate) {
			/* pace: connection i is due at t0 + i / rate */
			uint64_t due = t0 + (uint64_t)((double)(i + 1) * 1e9 / (double)rate);
			uint64_t now = now_ns();

			if (due > now) {
				struct timespec ts = { (time_t)((due - now) / 1000000000ULL),
						       (long)((due - now) % 1000000000ULL) };

				nanosleep(&ts, NULL);
			}
		}
	}
	t1 = now_ns();
	close_listeners(&c);

	tb_kv("conns", "%ld", done);
	tb_kv("errors", "%ld", errors);
	tb_kv("elapsed_s", "%.6f", (double)(t1 - t0) / 1e9);
	tb_kv("conns_per_s", "%.1f", (double)done * 1e9 / (double)(t1 - t0));
	tb_kv("listeners_opened", "%ld", c.opened);
	return errors > n / 100 ? 1 : 0;
}
