// SPDX-License-Identifier: GPL-2.0
/*
 * relisten: the same port is listened on, overflowed and closed several
 * times in a row, each time by a new child process. A tracer that keeps a
 * closed listener's entry (or its owner) would attribute later drops to the
 * wrong round; the kernel often hands the new socket the old one's memory.
 *   relisten [-6] [-p PORT] [-R ROUNDS] [-n CONNECTS] [-w WAIT_MS]
 * Reports per round: round<i>_pid (the owner), round<i>_listener_ino,
 * round<i>_listener_drops and round<i>_dropped_ports.
 */
#include "driver.h"

#include <sys/wait.h>

static void round_child(int round, int family, uint16_t port, int n,
			unsigned int wait_ms)
{
	char key[48], buf[TB_MAX_CONNS * 7 + 1];
	struct tb_flood fl;
	size_t off = 0;
	int lfd, i;

	memset(&fl, 0, sizeof(fl));
	fl.family = family;
	fl.addr = tb_loopback(family);
	fl.port = port;
	fl.n = n;
	lfd = tb_listener(family, fl.addr, port, 1, false);

	tb_flood_connect(&fl);
	tb_sleep_ms(wait_ms);
	tb_flood_settle(&fl);

	snprintf(key, sizeof(key), "round%d_pid", round);
	tb_kv(key, "%d", (int)getpid());
	snprintf(key, sizeof(key), "round%d_listener_ino", round);
	tb_kv(key, "%llu", (unsigned long long)tb_sock_ino(lfd));
	snprintf(key, sizeof(key), "round%d_listener_drops", round);
	tb_kv(key, "%ld", tb_sock_drops(lfd));
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		if (!fl.connected[i])
			off += snprintf(buf + off, sizeof(buf) - off, "%s%u",
					off ? "," : "", fl.sports[i]);
	snprintf(key, sizeof(key), "round%d_dropped_ports", round);
	tb_kv(key, "%s", buf);
	snprintf(key, sizeof(key), "round%d_connected", round);
	tb_kv(key, "%d", fl.nconnected);

	tb_flood_close(&fl);
	close(lfd);
	fflush(stdout);
	_exit(fl.nconnected == 2 ? 0 : 1);
}

int main(int argc, char **argv)
{
	const char *usage = "[-6] [-p PORT] [-R ROUNDS] [-n CONNECTS] [-w WAIT_MS]";
	int family = AF_INET, rounds = 3, n = 5, i, status, rc = 0;
	unsigned int wait_ms = 1200;
	struct tb_mib before, after;
	uint16_t port = 8080;
	uint64_t deadline;
	pid_t pid;

	tb_prog = "relisten";
	const struct tb_option options[] = {
		TB_SWITCH('6', family, AF_INET6),
		TB_NUMBER('p', port, 1, 65535, "port"),
		TB_NUMBER('R', rounds, 1, 10, "rounds"),
		TB_NUMBER('n', n, 3, TB_MAX_CONNS, "connection count"),
		TB_NUMBER('w', wait_ms, 0, 5000, "wait (ms)"),
	};

	TB_OPTIONS_PARSE(argc, argv, usage, options);

	tb_mib_read(&before);
	tb_print_listener(family, tb_loopback(family), port);
	tb_kv("rounds", "%d", rounds);

	for (i = 0; i < rounds; i++) {
		fflush(stdout);
		pid = fork();
		if (pid < 0)
			tb_die("fork: %s", strerror(errno));
		if (!pid)
			round_child(i, family, port, n, wait_ms);
		deadline = tb_now_ms() + wait_ms + 5000;
		while (waitpid(pid, &status, WNOHANG) == 0) {
			if (tb_now_ms() > deadline) {
				kill(pid, SIGKILL);
				waitpid(pid, &status, 0);
				break;
			}
			tb_sleep_ms(10);
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			tb_warn("round %d failed", i);
			rc = 1;
		}
	}

	tb_mib_read(&after);
	tb_mib_print_delta(&before, &after);
	if (!rc)
		tb_kv("result", "ok");
	return rc;
}
