// SPDX-License-Identifier: GPL-2.0
/*
 * concurrent: SYN-time drops on one listener from several CPUs at once.
 * The listener (listen(fd, 1), never accept()) is filled first, so every
 * later SYN is dropped. Then one child per CPU (pinned there) opens
 * CONNECTS non-blocking loopback connects as fast as it can, all children
 * released together; loopback handles each SYN on the sending CPU, so the
 * listener's drops race each other. Their retransmits (1 s later) race
 * again. Exact counts must survive that.
 *   concurrent [-6] [-p PORT] [-c CPUS] [-n CONNECTS] [-w WAIT_MS]
 */
#include "driver.h"

#include <sched.h>
#include <sys/wait.h>

#define TB_MAX_CHILDREN	16

static void child(int cpu, int family, uint16_t port, int n,
		  unsigned int wait_ms, int go_rd, int res_wr)
{
	static int fds[TB_MAX_CONNS];
	struct pollfd p = { .fd = go_rd, .events = POLLIN };
	char buf[64];
	cpu_set_t set;
	int i, pending = 0, len;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		_exit(3);
	/* released when the parent closes the pipe */
	if (poll(&p, 1, 10000) <= 0)
		_exit(4);
	for (i = 0; i < n; i++)
		fds[i] = tb_connect_nb(family, tb_loopback(family), port);
	tb_sleep_ms(wait_ms);
	for (i = 0; i < n; i++) {
		pending += !tb_wait_connected(fds[i], 0);
		close(fds[i]);
	}
	len = snprintf(buf, sizeof(buf), "%d\n", pending);
	if (write(res_wr, buf, len) != len)
		_exit(5);
	_exit(0);
}

int main(int argc, char **argv)
{
	const char *usage = "[-6] [-p PORT] [-c CPUS] [-n CONNECTS] [-w WAIT_MS]";
	int family = AF_INET, ncpu, n = 50, i, lfd, status, rc = 0;
	int go[2], res[2], fill[2], pending = 0, nchildren;
	unsigned int wait_ms = 1300;
	pid_t pids[TB_MAX_CHILDREN];
	struct tb_mib before, after;
	uint16_t port = 8080;
	uint64_t deadline;
	long drops0, drops;
	char buf[64];
	ssize_t len;

	tb_prog = "concurrent";
	ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1)
		ncpu = 1;
	const struct tb_option options[] = {
		TB_SWITCH('6', family, AF_INET6),
		TB_NUMBER('p', port, 1, 65535, "port"),
		TB_NUMBER('c', ncpu, 1, TB_MAX_CHILDREN, "CPU count"),
		TB_NUMBER('n', n, 1, TB_MAX_CONNS, "connection count"),
		TB_NUMBER('w', wait_ms, 0, 5000, "wait (ms)"),
	};

	TB_OPTIONS_PARSE(argc, argv, usage, options);
	nchildren = ncpu > TB_MAX_CHILDREN ? TB_MAX_CHILDREN : ncpu;

	tb_mib_read(&before);
	lfd = tb_listener(family, tb_loopback(family), port, 1, false);
	/* fill the accept queue: 2 = backlog + 1 */
	for (i = 0; i < 2; i++) {
		fill[i] = tb_connect_nb(family, tb_loopback(family), port);
		if (!tb_wait_connected(fill[i], 1000))
			tb_die("could not fill the accept queue");
	}
	drops0 = tb_sock_drops(lfd);

	tb_print_identity();
	tb_kv("family", "%s", tb_family_name(family));
	tb_kv("laddr", "%s", tb_loopback(family));
	tb_kv("raddr", "%s", tb_loopback(family));
	tb_kv("port", "%u", port);
	tb_kv("backlog", "1");
	tb_kv("children", "%d", nchildren);
	tb_kv("connects_per_child", "%d", n);

	if (pipe2(go, O_CLOEXEC) || pipe2(res, O_CLOEXEC))
		tb_die("pipe: %s", strerror(errno));
	fflush(stdout);
	for (i = 0; i < nchildren; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			tb_die("fork: %s", strerror(errno));
		if (!pids[i]) {
			close(go[1]);
			close(res[0]);
			child(i % ncpu, family, port, n, wait_ms, go[0], res[1]);
		}
	}
	close(go[0]);
	close(res[1]);
	tb_sleep_ms(50);	/* let every child reach its poll() */
	close(go[1]);

	deadline = tb_now_ms() + wait_ms + 10000;
	for (i = 0; i < nchildren; i++) {
		while (waitpid(pids[i], &status, WNOHANG) == 0) {
			if (tb_now_ms() > deadline) {
				kill(pids[i], SIGKILL);
				waitpid(pids[i], &status, 0);
				break;
			}
			tb_sleep_ms(10);
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			tb_warn("child %d failed (status 0x%x)", i, status);
			rc = 1;
		}
	}
	while ((len = read(res[0], buf, sizeof(buf) - 1)) > 0) {
		char *s = buf, *end;

		buf[len] = '\0';
		for (;;) {
			long v = strtol(s, &end, 10);

			if (end == s)
				break;
			pending += (int)v;
			s = end;
		}
	}
	drops = tb_sock_drops(lfd) - drops0;
	tb_kv("clients_dropped", "%d", pending);
	tb_kv("listener_drops", "%ld", drops);

	for (i = 0; i < 2; i++)
		close(fill[i]);
	close(lfd);
	tb_mib_read(&after);
	tb_mib_print_delta(&before, &after);
	if (pending != nchildren * n) {
		tb_warn("%d of %d connects were not dropped", nchildren * n - pending,
			nchildren * n);
		rc = 1;
	}
	if (!rc)
		tb_kv("result", "ok");
	return rc;
}
