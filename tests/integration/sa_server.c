// SPDX-License-Identifier: GPL-2.0
/*
 * sa_server: a socket-activated server and its client.
 *   sa_server -n ACCEPTS         under systemd-socket-activate (LISTEN_FDS=1,
 *                                the listener is fd 3): fork a worker that
 *                                accepts ACCEPTS connections, wait for it;
 *                                reports pid, worker_pid, worker_comm, accepts
 *   sa_server -c CONNECTS -p PORT  connect CONNECTS times to 127.0.0.1:PORT
 * The worker inherits the listener as any fd-passing server's would: it
 * accepts from a socket that neither it nor the master listen()ed on.
 */
#include "driver.h"

#include <sys/prctl.h>
#include <sys/wait.h>

#define WORKER_COMM	"sa_worker"
#define LISTEN_FD	3	/* SD_LISTEN_FDS_START */

static int serve(int accepts)
{
	const char *fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
	int res[2], status, took = -1;
	pid_t worker;
	char buf[32];
	ssize_t n;

	if (!fds || strcmp(fds, "1") || !pid || atol(pid) != (long)getpid())
		tb_die("not socket-activated with one listener (LISTEN_FDS, LISTEN_PID)");
	if (pipe(res))
		tb_die("pipe: %s", strerror(errno));
	worker = fork();
	if (worker < 0)
		tb_die("fork: %s", strerror(errno));
	if (!worker) {
		int i;

		prctl(PR_SET_NAME, WORKER_COMM);
		alarm(10);
		for (i = 0; i < accepts; i++) {
			int fd = accept4(LISTEN_FD, NULL, NULL, SOCK_CLOEXEC);

			if (fd < 0)
				break;
			close(fd);
		}
		snprintf(buf, sizeof(buf), "%d\n", i);
		_exit(write(res[1], buf, strlen(buf)) > 0 ? 0 : 1);
	}
	close(res[1]);
	n = read(res[0], buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		took = atoi(buf);
	}
	waitpid(worker, &status, 0);
	tb_print_identity();
	tb_kv("worker_pid", "%d", (int)worker);
	tb_kv("worker_comm", "%s", WORKER_COMM);
	tb_kv("accepts", "%d", took);
	return took == accepts ? 0 : 1;
}

static int connect_all(int n, uint16_t port)
{
	int fds[TB_MAX_CONNS], i, ok = 0;

	for (i = 0; i < n; i++) {
		fds[i] = tb_connect_nb(AF_INET, "127.0.0.1", port);
		ok += tb_wait_connected(fds[i], 2000);
	}
	/* the worker takes them; closing before it did would not change its count */
	tb_sleep_ms(300);
	for (i = 0; i < n; i++)
		close(fds[i]);
	tb_kv("connected", "%d", ok);
	return ok == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *usage = "-n ACCEPTS | -c CONNECTS -p PORT";
	int accepts = 0, connects = 0;
	uint16_t port = 8080;
	const struct tb_option options[] = {
		TB_NUMBER('n', accepts, 1, TB_MAX_CONNS, "accept count"),
		TB_NUMBER('c', connects, 1, TB_MAX_CONNS, "connection count"),
		TB_NUMBER('p', port, 1, 65535, "port"),
	};

	tb_prog = "sa_server";
	TB_OPTIONS_PARSE(argc, argv, usage, options);
	if (connects)
		return connect_all(connects, port);
	if (!accepts)
		tb_usage_error(usage);
	return serve(accepts);
}
