// SPDX-License-Identifier: GPL-2.0
/*
 * backlog_holder: the loopback accept-queue overflow of the integration
 * drivers, then hold still so a scraper can read it: listen(fd, BACKLOG),
 * never accept() at first, open n non-blocking connects, wait WAIT_MS
 * (every dropped SYN is retransmitted once), then close the clients still
 * in SYN_SENT so no retransmit moves the counters any more. Then, so that
 * the per-listener accept series have data too: EMFILES accept4() calls
 * failing with EMFILE (the fd table filled below a lowered RLIMIT_NOFILE),
 * and ACCEPTS connections taken from the queue after their wait (they
 * land in the accept latency histogram). With -c, the process renames
 * itself to COMM before listen() (the owner name a listener keeps; any
 * bytes, such as quotes, newlines or invalid UTF-8). Prints the key=value
 * report (comm= is the name before the rename) and ready=1, keeps the
 * listener until SIGUSR1 or HOLD_MS, then closes everything.
 *   backlog_holder [-6] [-p PORT] [-b BACKLOG] [-n CONNECTS] [-w WAIT_MS]
 *                  [-a ACCEPTS] [-e EMFILES] [-c COMM] [-t HOLD_MS]
 * Ground truth for the accept series is this driver's own count: no SNMP
 * counter exists for them.
 */
#include "driver.h"

#include <sys/prctl.h>

#define MAX_FILLERS	1024

/* n accept4() calls with no descriptor free: how many failed with EMFILE */
static int accept_emfile(int lfd, int n, int *other)
{
	int fillers[MAX_FILLERS], nfill = 0, high = 0, got = 0, fd, i;
	struct rlimit rl, low;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		tb_die("getrlimit: %s", strerror(errno));
	for (fd = 0; fd < MAX_FILLERS; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			high = fd;
	low = rl;
	low.rlim_cur = high + 8;
	if (low.rlim_cur > rl.rlim_max || setrlimit(RLIMIT_NOFILE, &low))
		tb_die("lowering RLIMIT_NOFILE to %d failed", high + 8);
	/* every slot below the limit taken: the next accept has no fd */
	while (nfill < MAX_FILLERS) {
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			if (errno != EMFILE)
				tb_die("filling the fd table: %s", strerror(errno));
			break;
		}
		fillers[nfill++] = fd;
	}
	for (i = 0; i < n; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0 && errno == EMFILE) {
			got++;
		} else {
			(*other)++;
			if (fd >= 0)
				close(fd);
		}
	}
	while (nfill)
		close(fillers[--nfill]);
	if (setrlimit(RLIMIT_NOFILE, &rl))
		tb_die("restoring RLIMIT_NOFILE: %s", strerror(errno));
	return got;
}

int main(int argc, char **argv)
{
	static const char usage[] =
		"[-6] [-p PORT] [-b BACKLOG] [-n CONNECTS] [-w WAIT_MS] [-a ACCEPTS] "
		"[-e EMFILES] [-c COMM] [-t HOLD_MS]";
	struct tb_flood fl;
	unsigned int qlen = 0, qmax = 0, hold_ms = 60000;
	uint64_t t_first, t_last, now;
	const char *comm = NULL;
	uint16_t port = 0;
	int backlog = 1, lfd, i, accepts = 0, emfiles = 0;
	int accepted_fds[TB_MAX_CONNS], naccepted = 0, emfile = 0, other = 0;

	tb_prog = "backlog_holder";
	memset(&fl, 0, sizeof(fl));
	fl.family = AF_INET;
	fl.n = 6;
	fl.wait_ms = 1500;
	const struct tb_option options[] = {
		TB_SWITCH('6', fl.family, AF_INET6),
		TB_NUMBER('p', port, 0, 65535, "port"),
		TB_NUMBER('b', backlog, 0, 64, "backlog"),
		TB_NUMBER('n', fl.n, 1, TB_MAX_CONNS, "connection count"),
		TB_NUMBER('w', fl.wait_ms, 0, TB_MAX_WAIT_MS, "wait (ms)"),
		TB_NUMBER('a', accepts, 0, TB_MAX_CONNS, "accept count"),
		TB_NUMBER('e', emfiles, 0, 1000, "EMFILE count"),
		TB_TEXT('c', comm),
		TB_NUMBER('t', hold_ms, 1, 300000, "hold (ms)"),
	};

	TB_OPTIONS_PARSE(argc, argv, usage, options);

	tb_block_usr1();
	/* the report stays one key=value per line whatever COMM holds */
	tb_print_identity();
	if (comm && prctl(PR_SET_NAME, comm, 0, 0, 0))
		tb_die("renaming to '%s': %s", comm, strerror(errno));
	fl.addr = tb_loopback(fl.family);
	lfd = tb_listener(fl.family, fl.addr, port, backlog, false);
	fl.port = tb_local_port(lfd);
	tb_kv("family", "%s", tb_family_name(fl.family));
	tb_kv("laddr", "%s", fl.addr);
	tb_kv("port", "%u", fl.port);
	tb_kv("backlog", "%d", backlog);

	t_first = tb_now_ms();
	tb_flood_connect(&fl);
	t_last = tb_now_ms();
	tb_sleep_ms(fl.wait_ms);
	tb_flood_settle(&fl);
	/* a closed SYN_SENT socket retransmits no more: the counts stand still */
	for (i = 0; i < fl.n; i++) {
		if (!fl.connected[i]) {
			close(fl.fds[i]);
			fl.fds[i] = -1;
		}
	}

	if (emfiles)
		emfile = accept_emfile(lfd, emfiles, &other);
	/* queued since the flood: each waited about WAIT_MS */
	for (i = 0; i < accepts; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0) {
			other++;
			break;
		}
		accepted_fds[naccepted++] = fd;
	}
	now = tb_now_ms();

	if (!tb_listener_queue(lfd, &qlen, &qmax)) {
		tb_kv("accept_queue", "%u", qlen);
		tb_kv("accept_queue_max", "%u", qmax);
	}
	tb_kv("listener_drops", "%ld", tb_sock_drops(lfd));
	tb_flood_report(&fl);
	tb_kv("accept_emfile", "%d", emfile);
	tb_kv("accepted", "%d", naccepted);
	tb_kv("accept_wait_ms_min", "%llu", (unsigned long long)(now - t_last));
	tb_kv("accept_wait_ms_max", "%llu", (unsigned long long)(now - t_first));
	tb_kv("other_results", "%d", other);
	if (emfile != emfiles || naccepted != accepts || other) {
		tb_warn("unexpected: EMFILE %d of %d, accepted %d of %d, other %d",
			emfile, emfiles, naccepted, accepts, other);
		return 1;
	}
	tb_kv("ready", "1");

	if (tb_wait_usr1(hold_ms))
		tb_warn("no SIGUSR1 within %u ms: closing anyway", hold_ms);
	for (i = 0; i < naccepted; i++)
		close(accepted_fds[i]);
	for (i = 0; i < fl.n; i++)
		if (fl.fds[i] >= 0)
			close(fl.fds[i]);
	close(lfd);
	tb_kv("result", "ok");
	return 0;
}
