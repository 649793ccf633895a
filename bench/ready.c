// SPDX-License-Identifier: GPL-2.0
/*
 * ready: time from exec to the tracer's start record, and its memory.
 *
 *   ready [-n RUNS] [-p PREFIX] -- TRACER [ARGS...]
 *
 * RUNS times (default 10, at most 100): fork, exec TRACER ARGS with stdout
 * on a pipe, wait for the first line that is a start record (JSON
 * {"event":"start" or the text header "tcpbacklog: tracing"; with -p, a
 * first line starting with PREFIX, for a peer such as bpftrace), take the
 * time, read VmHWM/VmRSS of the tracer, SIGINT it, drain its output and
 * reap it; every wait bounded (10 s for the start, 10 s for the exit).
 * Prints run=I ready_ms=... hwm_kb=... rss_kb=... per run, then
 * ready_ms_median=, ready_ms_min=, ready_ms_max=, hwm_kb_max=, failures=.
 */
#include <getopt.h>
#include <sys/wait.h>

#include "driver.h"

#define MAX_RUNS	100

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static long status_kb(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':')
			v = strtol(line + klen + 1, NULL, 10);
	fclose(f);
	return v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* wait for the child to exit, at most ms; SIGKILL after that */
static int reap(pid_t pid, int ms)
{
	int st, i;

	for (i = 0; i < ms / 10; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		tb_sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

/* the first line a tracer prints once it is attached; NULL: tcpbacklog's start record */
static const char *ready_prefix;

static bool is_ready_line(const char *line)
{
	if (ready_prefix)
		return !strncmp(line, ready_prefix, strlen(ready_prefix));
	return strstr(line, "{\"event\":\"start\"") == line || strstr(line, "tcpbacklog: tracing") == line;
}

/* one run: ready time in ms, or a negative value on failure */
static double one(char **argv, long *hwm, long *rss)
{
	char buf[65536];
	size_t used = 0;
	int p[2], rc;
	uint64_t t0, deadline;
	double ms = -1;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		tb_die("pipe: %s", strerror(errno));
	t0 = now_ns();
	pid = fork();
	if (pid < 0)
		tb_die("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);

	deadline = t0 + 10000000000ULL;
	while (ms < 0) {
		struct pollfd pf = { .fd = p[0], .events = POLLIN };
		uint64_t now = now_ns();
		ssize_t n;
		char *nl;

		if (now >= deadline)
			break;
		if (poll(&pf, 1, (int)((deadline - now) / 1000000) + 1) <= 0)
			continue;
		n = read(p[0], buf + used, sizeof(buf) - 1 - used);
		if (n <= 0)
			break;
		used += (size_t)n;
		buf[used] = '\0';
		/* a whole first line is there: is it the start record? */
		nl = strchr(buf, '\n');
		if (!nl && used < sizeof(buf) - 1)
			continue;
		if (is_ready_line(buf))
			ms = (double)(now_ns() - t0) / 1e6;
		else
			break;
	}
	*hwm = status_kb(pid, "VmHWM");
	*rss = status_kb(pid, "VmRSS");
	/* a peer prints its line before it attaches, and takes no SIGINT until done */
	if (ready_prefix)
		tb_sleep_ms(500);
	kill(pid, SIGINT);
	/* drain until EOF so the tracer never blocks on a full pipe */
	for (;;) {
		struct pollfd pf = { .fd = p[0], .events = POLLIN };

		if (poll(&pf, 1, 10000) <= 0 || read(p[0], buf, sizeof(buf)) <= 0)
			break;
	}
	close(p[0]);
	rc = reap(pid, 10000);
	if (rc != 0 && ms >= 0) {
		tb_warn("tracer exit status %d", rc);
		ms = -2;
	}
	return ms;
}

int main(int argc, char **argv)
{
	double ms[MAX_RUNS], sorted[MAX_RUNS];
	long hwm, rss, hwm_max = 0;
	int runs = 10, ok = 0, failures = 0, opt, i;

	tb_prog = "ready";
	while ((opt = getopt(argc, argv, "+n:p:")) != -1) {
		switch (opt) {
		case 'n':
			runs = atoi(optarg);
			break;
		case 'p':
			ready_prefix = optarg;
			break;
		default:
			fprintf(stderr, "usage: ready [-n RUNS] [-p PREFIX] -- TRACER [ARGS...]\n");
			return 2;
		}
	}
	if (optind >= argc || runs < 1 || runs > MAX_RUNS)
		tb_die("usage: ready [-n RUNS] [-p PREFIX] -- TRACER [ARGS...]");
	signal(SIGPIPE, SIG_IGN);

	for (i = 0; i < runs; i++) {
		ms[i] = one(argv + optind, &hwm, &rss);
		printf("run=%d ready_ms=%.1f hwm_kb=%ld rss_kb=%ld\n", i, ms[i], hwm, rss);
		fflush(stdout);
		if (ms[i] < 0) {
			failures++;
			continue;
		}
		sorted[ok++] = ms[i];
		if (hwm > hwm_max)
			hwm_max = hwm;
		tb_sleep_ms(100);
	}
	if (ok) {
		qsort(sorted, ok, sizeof(sorted[0]), cmp_double);
		tb_kv("ready_ms_median", "%.1f",
		      ok % 2 ? sorted[ok / 2] : (sorted[ok / 2 - 1] + sorted[ok / 2]) / 2);
		tb_kv("ready_ms_min", "%.1f", sorted[0]);
		tb_kv("ready_ms_max", "%.1f", sorted[ok - 1]);
	}
	tb_kv("hwm_kb_max", "%ld", hwm_max);
	tb_kv("failures", "%d", failures);
	return failures ? 1 : 0;
}
