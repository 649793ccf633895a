// SPDX-License-Identifier: GPL-2.0
/*
 * bpfstats: keep the kernel's BPF run-time statistics (run_cnt,
 * run_time_ns of every program) on while it runs.
 *
 *   bpfstats [-t SECONDS]
 *
 * Holds a BPF_ENABLE_STATS descriptor rather than writing
 * kernel.bpf_stats_enabled: the sysctl is one shared switch, and another
 * user turning it off in the middle of a measurement (or this bench
 * turning it off under somebody else's) would falsify both. The
 * descriptor is a reference of its own. Prints ready=1, then waits for
 * SIGTERM/SIGINT (at most SECONDS, default 600); the statistics stay on
 * for as long as anybody else asks for them.
 */
#include <getopt.h>
#include <linux/bpf.h>
#include <sys/syscall.h>

#include "driver.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	union bpf_attr attr;
	double secs = 600;
	uint64_t deadline;
	int fd, opt;

	tb_prog = "bpfstats";
	while ((opt = getopt(argc, argv, "t:")) != -1) {
		switch (opt) {
		case 't':
			secs = atof(optarg);
			break;
		default:
			fprintf(stderr, "usage: bpfstats [-t SECONDS]\n");
			return 2;
		}
	}
	if (secs <= 0 || secs > 3600)
		tb_die("bad arguments");

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	memset(&attr, 0, sizeof(attr));
	attr.enable_stats.type = BPF_STATS_RUN_TIME;
	fd = (int)syscall(__NR_bpf, BPF_ENABLE_STATS, &attr, sizeof(attr));
	if (fd < 0)
		tb_die("BPF_ENABLE_STATS: %s", strerror(errno));
	tb_kv("ready", "1");

	deadline = tb_now_ms() + (uint64_t)(secs * 1000);
	while (!stop && tb_now_ms() < deadline)
		tb_sleep_ms(20);
	close(fd);
	return 0;
}
