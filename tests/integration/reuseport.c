// SPDX-License-Identifier: GPL-2.0
/*
 * reuseport: M listeners share one port with SO_REUSEPORT, each with
 * listen(fd, 1) and no accept(). N loopback connects (each from its own
 * ephemeral port, so the group hash spreads them) fill the members up;
 * every SYN that hashes to a full member is a SYN-time drop of that member.
 *   reuseport [-6] [-f] [-m MEMBERS] [-n CONNECTS] [-p PORT] [-w WAIT_MS]
 * -f: each member is created (and listen()ed) by its own child process, so
 * each has its own owner pid. Reports per member: member<i>_pid,
 * member<i>_ino, member<i>_drops (its sk_drops, from SO_MEMINFO) and
 * member<i>_accept_queue.
 */
#include "driver.h"

#include <sys/wait.h>

#define TB_MAX_MEMBERS	16

struct member {
	pid_t pid;
	int fd;			/* non-fork mode */
	int res_rd;		/* fork mode: the child's report pipe */
	unsigned long long ino;
	long drops;
	unsigned int queue;
};

static struct member members[TB_MAX_MEMBERS];

/* Read one line (at most len-1 bytes) from fd within timeout_ms; 0 on success. */
static int read_line(int fd, char *buf, size_t len, unsigned int timeout_ms)
{
	uint64_t deadline = tb_now_ms() + timeout_ms;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t off = 0;
	uint64_t now;
	ssize_t n;

	while (off < len - 1) {
		now = tb_now_ms();
		if (now >= deadline)
			return -1;
		if (poll(&p, 1, (int)(deadline - now)) <= 0)
			continue;
		n = read(fd, buf + off, 1);
		if (n <= 0)
			return -1;
		if (buf[off] == '\n') {
			buf[off] = '\0';
			return 0;
		}
		off++;
	}
	return -1;
}

static void write_all(int fd, const char *buf)
{
	size_t len = strlen(buf);

	if (write(fd, buf, len) != (ssize_t)len)
		_exit(1);
}

/* Child of -f: own one member, report, wait for the parent, exit. */
static void member_child(int family, uint16_t port, int res_wr, int go_rd, int exit_rd)
{
	struct pollfd p;
	char buf[128];
	unsigned int q = 0, max = 0;
	int fd;

	fd = tb_listener(family, tb_loopback(family), port, 1, true);
	snprintf(buf, sizeof(buf), "%d %llu\n", (int)getpid(),
		 (unsigned long long)tb_sock_ino(fd));
	write_all(res_wr, buf);

	/* the parent closes go_rd's write end once the traffic is done */
	p.fd = go_rd;
	p.events = POLLIN;
	if (poll(&p, 1, TB_MAX_WAIT_MS) <= 0)
		_exit(1);
	tb_listener_queue(fd, &q, &max);
	snprintf(buf, sizeof(buf), "%ld %u\n", tb_sock_drops(fd), q);
	write_all(res_wr, buf);

	/* keep listening until the clients are closed */
	p.fd = exit_rd;
	poll(&p, 1, TB_MAX_WAIT_MS);
	close(fd);
	_exit(0);
}

int main(int argc, char **argv)
{
	const char *usage = "[-6] [-f] [-m MEMBERS] [-n CONNECTS] [-p PORT] [-w WAIT_MS]";
	int family = AF_INET, nmembers = 3, i, status;
	int go_pipe[2] = { -1, -1 }, exit_pipe[2] = { -1, -1 };
	bool fork_mode = false;
	struct tb_mib before, after;
	struct tb_flood fl;
	uint16_t port = 8080;
	long sum_drops = 0;
	char key[32], line[128];
	uint64_t deadline;
	int rc = 0;

	tb_prog = "reuseport";
	memset(&fl, 0, sizeof(fl));
	fl.n = 24;
	fl.wait_ms = 1500;
	const struct tb_option options[] = {
		TB_SWITCH('6', family, AF_INET6),
		TB_SWITCH('f', fork_mode, true),
		TB_NUMBER('m', nmembers, 1, TB_MAX_MEMBERS, "member count"),
		TB_NUMBER('n', fl.n, 1, TB_MAX_CONNS, "connection count"),
		TB_NUMBER('p', port, 1, 65535, "port"),
		TB_NUMBER('w', fl.wait_ms, 0, TB_MAX_WAIT_MS, "wait (ms)"),
	};

	TB_OPTIONS_PARSE(argc, argv, usage, options);
	fl.family = family;
	fl.addr = tb_loopback(family);
	fl.port = port;

	tb_mib_read(&before);
	if (fork_mode && (pipe2(go_pipe, O_CLOEXEC) || pipe2(exit_pipe, O_CLOEXEC)))
		tb_die("pipe: %s", strerror(errno));
	fflush(stdout);
	for (i = 0; i < nmembers; i++) {
		int res[2];

		if (!fork_mode) {
			members[i].fd = tb_listener(family, fl.addr, port, 1, true);
			members[i].pid = getpid();
			members[i].ino = tb_sock_ino(members[i].fd);
			continue;
		}
		if (pipe2(res, O_CLOEXEC))
			tb_die("pipe: %s", strerror(errno));
		members[i].pid = fork();
		if (members[i].pid < 0)
			tb_die("fork: %s", strerror(errno));
		if (!members[i].pid) {
			close(res[0]);
			close(go_pipe[1]);
			close(exit_pipe[1]);
			member_child(family, port, res[1], go_pipe[0], exit_pipe[0]);
		}
		close(res[1]);
		members[i].res_rd = res[0];
		members[i].fd = -1;
		if (read_line(res[0], line, sizeof(line), 5000) ||
		    sscanf(line, "%*d %llu", &members[i].ino) != 1)
			tb_die("member %d did not start", i);
	}

	tb_print_listener(family, fl.addr, port);
	tb_kv("backlog", "1");
	tb_kv("members", "%d", nmembers);
	tb_kv("fork", "%d", fork_mode);

	tb_flood_connect(&fl);
	tb_sleep_ms(fl.wait_ms);

	if (fork_mode) {
		close(go_pipe[1]);
		for (i = 0; i < nmembers; i++) {
			long d = -1;
			unsigned int q = 0;

			if (read_line(members[i].res_rd, line, sizeof(line), 5000) ||
			    sscanf(line, "%ld %u", &d, &q) != 2) {
				tb_warn("member %d sent no report", i);
				rc = 1;
			}
			members[i].drops = d;
			members[i].queue = q;
		}
	} else {
		for (i = 0; i < nmembers; i++) {
			unsigned int max;

			members[i].drops = tb_sock_drops(members[i].fd);
			tb_listener_queue(members[i].fd, &members[i].queue, &max);
		}
	}
	for (i = 0; i < nmembers; i++) {
		snprintf(key, sizeof(key), "member%d_pid", i);
		tb_kv(key, "%d", (int)members[i].pid);
		snprintf(key, sizeof(key), "member%d_ino", i);
		tb_kv(key, "%llu", members[i].ino);
		snprintf(key, sizeof(key), "member%d_drops", i);
		tb_kv(key, "%ld", members[i].drops);
		snprintf(key, sizeof(key), "member%d_accept_queue", i);
		tb_kv(key, "%u", members[i].queue);
		sum_drops += members[i].drops;
	}
	tb_kv("member_drops_sum", "%ld", sum_drops);
	tb_flood_report(&fl);

	tb_flood_close(&fl);
	if (fork_mode) {
		close(exit_pipe[1]);
		deadline = tb_now_ms() + 5000;
		for (i = 0; i < nmembers; i++) {
			while (waitpid(members[i].pid, &status, WNOHANG) == 0) {
				if (tb_now_ms() > deadline) {
					kill(members[i].pid, SIGKILL);
					waitpid(members[i].pid, &status, 0);
					rc = 1;
					break;
				}
				tb_sleep_ms(10);
			}
		}
	} else {
		for (i = 0; i < nmembers; i++)
			close(members[i].fd);
	}
	tb_mib_read(&after);
	tb_mib_print_delta(&before, &after);

	if (before.valid && after.valid &&
	    after.listen_drops - before.listen_drops != sum_drops) {
		tb_warn("ListenDrops moved by %ld, the members dropped %ld",
			after.listen_drops - before.listen_drops, sum_drops);
		rc = 1;
	}
	if (fl.npending && !sum_drops) {
		tb_warn("%d SYNs unanswered but no member dropped any", fl.npending);
		rc = 1;
	}
	if (!rc)
		tb_kv("result", "ok");
	return rc;
}
