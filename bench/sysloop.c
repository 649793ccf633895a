// SPDX-License-Identifier: GPL-2.0
/*
 * sysloop: what a process pays per syscall, for the syscall-tax measure.
 *
 *   sysloop [-n ITERATIONS] -w getppid  a tight getppid() loop
 *   sysloop [-n ITERATIONS] -w mixed    an event loop's syscalls: write to a
 *                                      socket pair, epoll_wait, read back,
 *                                      fstat, open and close a file
 *
 * Pins itself to the CPU it starts on. Prints iterations=, syscalls=,
 * elapsed_s= and ns_per_syscall= (wall time over syscalls made).
 */
#include <sched.h>
#include <sys/epoll.h>

#include "driver.h"

#define MIXED_SYSCALLS	6	/* per iteration of the mixed loop */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void loop_getppid(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
}

static void loop_mixed(long n)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	char buf[64] = { 0 };
	struct stat st;
	int sv[2], ep;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		tb_die("socketpair: %s", strerror(errno));
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev))
		tb_die("epoll: %s", strerror(errno));
	for (long i = 0; i < n; i++) {
		int fd;

		if (write(sv[0], buf, sizeof(buf)) != sizeof(buf) ||
		    epoll_wait(ep, &out, 1, 0) != 1 ||
		    read(sv[1], buf, sizeof(buf)) != sizeof(buf))
			tb_die("socket pair: %s", strerror(errno));
		fstat(sv[1], &st);
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			tb_die("open: %s", strerror(errno));
		close(fd);
	}
	close(ep);
	close(sv[0]);
	close(sv[1]);
}

int main(int argc, char **argv)
{
	static const char usage[] = "[-n ITERATIONS] -w getppid|mixed";
	const char *workload = NULL;
	long n = 2000000, per = 1;
	const struct tb_option opts[] = {
		TB_NUMBER('n', n, 1, 1000000000L, "iterations"),
		TB_TEXT('w', workload),
	};
	cpu_set_t set;
	double t0, el;
	int cpu;

	tb_prog = "sysloop";
	TB_OPTIONS_PARSE(argc, argv, usage, opts);
	if (!workload)
		tb_usage_error(usage);
	/* one CPU for the whole run: no migration in the figure */
	cpu = sched_getcpu();
	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);

	t0 = now_s();
	if (!strcmp(workload, "getppid")) {
		loop_getppid(n);
	} else if (!strcmp(workload, "mixed")) {
		loop_mixed(n);
		per = MIXED_SYSCALLS;
	} else {
		tb_usage_error(usage);
	}
	el = now_s() - t0;
	tb_kv("iterations", "%ld", n);
	tb_kv("syscalls", "%ld", n * per);
	tb_kv("elapsed_s", "%.4f", el);
	tb_kv("ns_per_syscall", "%.1f", el * 1e9 / (double)(n * per));
	return 0;
}
