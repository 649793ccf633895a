// SPDX-License-Identifier: GPL-2.0
/*
 * prefork: a master that listens and forks workers that accept, as nginx,
 * Apache or gunicorn run. The master never accepts; its fd limit is not
 * the workers'.
 *   prefork [-6] [-r] [-p PORT] [-w WORKERS] [-a ACCEPTS] [-k EMFILES] [-n CONNECTS] [-H HOLD_MS]
 * Default: one listener; each worker lowers RLIMIT_NOFILE to what it has
 * open plus ACCEPTS, and accepts until EMFILE, then calls accept() EMFILES
 * more times, each failing with EMFILE. The master connects WORKERS x
 * ACCEPTS clients, so every worker takes exactly ACCEPTS.
 * -r: WORKERS SO_REUSEPORT members with listen(fd, 1), all made by the
 * master; worker i accepts one connection from member i, then no more: the
 * master connects one client at a time until every worker has taken one,
 * then CONNECTS clients, which overflow the members. Reports per worker: worker<i>_pid, _accepts, _emfile,
 * _nofile, _open_fds, and in -r mode member<i>_drops (its sk_drops).
 * Everything is held HOLD_MS after the last worker reported, so a
 * tracer's interval report sees the workers alive.
 */
#include "driver.h"

#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define MAX_WORKERS	16
#define WORKER_COMM	"prefork_worker"

struct worker {
	pid_t pid;
	int res_rd;		/* its report pipe */
	int lfd;		/* -r: its member */
	long accepts, emfile, nofile, open_fds;
	long drops;
};

static struct worker workers[MAX_WORKERS];

static int count_open_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 4096; fd++)
		n += fcntl(fd, F_GETFD) != -1;
	return n;
}

static void write_report(int fd, long accepts, long emfile, long nofile, long open_fds)
{
	char buf[128];
	int len = snprintf(buf, sizeof(buf), "%ld %ld %ld %ld\n", accepts, emfile, nofile, open_fds);

	if (write(fd, buf, (size_t)len) != len)
		_exit(1);
}

/* Default mode: accept until the fd table is full, then fail emfiles more times. */
static void accept_until_emfile(int lfd, int accepts, int emfiles, int res_wr, int exit_rd)
{
	uint64_t deadline = tb_now_ms() + 10000;
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	long took = 0, failed = 0, open_fds;
	struct rlimit rl;

	/* what is open now (stdio, the listener, two pipe ends) plus room for accepts */
	open_fds = count_open_fds();
	if (getrlimit(RLIMIT_NOFILE, &rl))
		_exit(1);
	rl.rlim_cur = (rlim_t)(open_fds + accepts);
	if (setrlimit(RLIMIT_NOFILE, &rl))
		_exit(1);
	while (failed < emfiles && tb_now_ms() < deadline) {
		int fd;

		/* at the limit accept() fails before it looks at the queue: no wait then */
		if (took < accepts && poll(&p, 1, 100) <= 0)
			continue;
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			took++;		/* kept open: the table fills */
		else if (errno == EMFILE)
			failed++;
		else if (errno != EAGAIN)
			_exit(1);
	}
	write_report(res_wr, took, failed, (long)rl.rlim_cur, count_open_fds());
	p.fd = exit_rd;
	poll(&p, 1, TB_MAX_WAIT_MS);
	_exit(0);
}

/* -r: one connection from its own member, then none: its queue overflows. */
static void accept_one(int lfd, int res_wr, int exit_rd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	struct rlimit rl;
	int fd = -1;

	if (poll(&p, 1, 10000) > 0)
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0)
		close(fd);
	p.fd = exit_rd;
	getrlimit(RLIMIT_NOFILE, &rl);
	write_report(res_wr, fd >= 0, 0, (long)rl.rlim_cur, count_open_fds());
	poll(&p, 1, TB_MAX_WAIT_MS);
	_exit(0);
}

static int read_report(struct worker *w)
{
	struct pollfd p = { .fd = w->res_rd, .events = POLLIN };
	char buf[128];
	ssize_t n;

	if (poll(&p, 1, 15000) <= 0)
		return -1;
	n = read(w->res_rd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return sscanf(buf, "%ld %ld %ld %ld", &w->accepts, &w->emfile, &w->nofile, &w->open_fds) == 4 ? 0 : -1;
}

/*
 * -r: connect one client at a time (the group hash places each) until every
 * worker reported the one it accepted. 0, or -1 when some worker took none.
 */
static int first_accepts(int family, uint16_t port, int nworkers)
{
	static int fds[TB_MAX_CONNS];
	struct pollfd p[MAX_WORKERS];
	int n = 0, left = nworkers, rc = 0, i;

	for (i = 0; i < nworkers; i++)
		p[i] = (struct pollfd){ .fd = workers[i].res_rd, .events = POLLIN };
	while (left && n < TB_MAX_CONNS / 2) {
		fds[n] = tb_connect_nb(family, tb_loopback(family), port);
		tb_wait_connected(fds[n++], 100);
		if (poll(p, (nfds_t)nworkers, 50) <= 0)
			continue;
		for (i = 0; i < nworkers; i++) {
			if (!(p[i].revents & POLLIN) || p[i].fd < 0)
				continue;
			if (read_report(&workers[i]) || workers[i].accepts != 1)
				rc = -1;
			p[i].fd = -1;
			left--;
		}
	}
	if (left)
		tb_warn("%d workers got no connection in %d connects", left, n);
	tb_kv("first_connects", "%d", n);
	/* they stay open until the end, like the flood's */
	return left ? -1 : rc;
}

int main(int argc, char **argv)
{
	const char *usage = "[-6] [-r] [-p PORT] [-w WORKERS] [-a ACCEPTS] [-k EMFILES] [-n CONNECTS] [-H HOLD_MS]";
	int family = AF_INET, nworkers = 3, accepts = 4, emfiles = 2, hold_ms = 2500, i, status;
	int exit_pipe[2], lfd = -1, rc = 0;
	long sum_accepts = 0, sum_emfile = 0, sum_drops = 0;
	bool reuseport = false;
	uint16_t port = 8080;
	struct tb_mib before, after;
	struct tb_flood fl;
	struct rlimit rl;

	tb_prog = "prefork";
	memset(&fl, 0, sizeof(fl));
	fl.n = 0;
	const struct tb_option options[] = {
		TB_SWITCH('6', family, AF_INET6),
		TB_SWITCH('r', reuseport, true),
		TB_NUMBER('p', port, 1, 65535, "port"),
		TB_NUMBER('w', nworkers, 1, MAX_WORKERS, "worker count"),
		TB_NUMBER('a', accepts, 1, 64, "accepts per worker"),
		TB_NUMBER('k', emfiles, 1, 100, "EMFILE failures per worker"),
		TB_NUMBER('n', fl.n, 0, TB_MAX_CONNS, "connection count"),
		TB_NUMBER('H', hold_ms, 0, 10000, "hold (ms)"),
	};

	TB_OPTIONS_PARSE(argc, argv, usage, options);
	tb_close_inherited();
	/* the master's own limit, unlike any worker's */
	if (getrlimit(RLIMIT_NOFILE, &rl))
		tb_die("getrlimit: %s", strerror(errno));
	rl.rlim_cur = rl.rlim_max < 4000 ? rl.rlim_max : 4000;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		tb_die("setrlimit: %s", strerror(errno));
	if (!reuseport && nworkers * accepts > TB_MAX_CONNS)
		tb_die("more connections than %d", TB_MAX_CONNS);
	fl.family = family;
	fl.addr = tb_loopback(family);
	fl.port = port;
	fl.wait_ms = 1500;
	if (!reuseport)
		fl.n = nworkers * accepts;
	else if (!fl.n)
		fl.n = 8 * nworkers;

	tb_mib_read(&before);
	if (pipe2(exit_pipe, O_CLOEXEC))
		tb_die("pipe: %s", strerror(errno));
	if (!reuseport)
		lfd = tb_listener(family, fl.addr, port, fl.n + 8, false);
	else
		for (i = 0; i < nworkers; i++)
			workers[i].lfd = tb_listener(family, fl.addr, port, 1, true);
	tb_print_listener(family, fl.addr, port);
	tb_kv("master_nofile", "%ld", (long)rl.rlim_cur);
	fflush(stdout);

	for (i = 0; i < nworkers; i++) {
		int res[2];

		if (pipe2(res, O_CLOEXEC))
			tb_die("pipe: %s", strerror(errno));
		workers[i].pid = fork();
		if (workers[i].pid < 0)
			tb_die("fork: %s", strerror(errno));
		if (!workers[i].pid) {
			int keep = reuseport ? workers[i].lfd : lfd;

			prctl(PR_SET_NAME, WORKER_COMM);
			close(res[0]);
			close(exit_pipe[1]);
			/* a worker holds its listener and its two pipe ends, nothing else */
			for (int j = 0; j < i; j++)
				close(workers[j].res_rd);
			for (int j = 0; reuseport && j < nworkers; j++)
				if (workers[j].lfd != keep)
					close(workers[j].lfd);
			if (reuseport)
				accept_one(keep, res[1], exit_pipe[0]);
			accept_until_emfile(keep, accepts, emfiles, res[1], exit_pipe[0]);
		}
		close(res[1]);
		workers[i].res_rd = res[0];
	}

	/* -r: every worker has accepted from its member before the flood */
	if (reuseport && first_accepts(family, port, nworkers))
		rc = 1;
	tb_flood_connect(&fl);
	if (reuseport)
		tb_sleep_ms(fl.wait_ms);
	for (i = 0; !reuseport && i < nworkers; i++) {
		if (read_report(&workers[i])) {
			tb_warn("worker %d sent no report", i);
			rc = 1;
		}
	}
	tb_flood_settle(&fl);
	for (i = 0; i < nworkers; i++) {
		if (reuseport)
			workers[i].drops = tb_sock_drops(workers[i].lfd);
		tb_kv_nth("worker", i, "pid", workers[i].pid);
		tb_kv_nth("worker", i, "accepts", workers[i].accepts);
		tb_kv_nth("worker", i, "emfile", workers[i].emfile);
		tb_kv_nth("worker", i, "nofile", workers[i].nofile);
		tb_kv_nth("worker", i, "open_fds", workers[i].open_fds);
		if (reuseport)
			tb_kv_nth("member", i, "drops", workers[i].drops);
		sum_accepts += workers[i].accepts;
		sum_emfile += workers[i].emfile;
		sum_drops += workers[i].drops;
	}
	tb_kv("workers", "%d", nworkers);
	tb_kv("worker_comm", "%s", WORKER_COMM);
	tb_kv("accepts_total", "%ld", sum_accepts);
	tb_kv("emfile_total", "%ld", sum_emfile);
	tb_kv("member_drops_sum", "%ld", sum_drops);
	tb_flood_report(&fl);
	fflush(stdout);

	/* the workers stay, their fds open, while a tracer reports an interval */
	tb_sleep_ms(hold_ms);
	close(exit_pipe[1]);
	for (i = 0; i < nworkers; i++) {
		if (waitpid(workers[i].pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			tb_warn("worker %d failed", i);
			rc = 1;
		}
	}
	tb_flood_close(&fl);
	if (lfd >= 0)
		close(lfd);
	for (i = 0; reuseport && i < nworkers; i++)
		close(workers[i].lfd);
	tb_mib_read(&after);
	tb_mib_print_delta(&before, &after);

	if (!reuseport && (sum_accepts != fl.n || sum_emfile != (long)nworkers * emfiles)) {
		tb_warn("workers accepted %ld of %d, failed %ld times", sum_accepts, fl.n, sum_emfile);
		rc = 1;
	}
	if (reuseport && before.valid && after.valid &&
	    after.listen_drops - before.listen_drops != sum_drops) {
		tb_warn("ListenDrops moved by %ld, the members dropped %ld",
			after.listen_drops - before.listen_drops, sum_drops);
		rc = 1;
	}
	if (reuseport && !sum_drops) {
		tb_warn("no member dropped");
		rc = 1;
	}
	if (!rc)
		tb_kv("result", "ok");
	return rc;
}
