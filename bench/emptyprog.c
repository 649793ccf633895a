// SPDX-License-Identifier: GPL-2.0
/*
 * emptyprog: the floor of a set of hooks. Attaches a BPF program that
 * returns at once to each tracepoint named and holds them while it runs.
 *
 *   emptyprog [-t SECONDS] HOOK...
 *     -T CATEGORY/NAME    classic tracepoint (perf event)
 *     -r NAME             raw tracepoint (e.g. sys_exit, kfree_skb)
 *
 * e.g. emptyprog -r consume_skb -r kfree_skb -T syscalls/sys_exit_accept4
 *
 * Measures what merely having programs there costs everyone, with no work
 * inside them: the dispatch of each hook and, for a syscall tracepoint, the
 * syscall-tracing slow path every task then takes. One program per hook, as
 * a tracer has. Prints ready=1 once all are attached, then waits for
 * SIGTERM/SIGINT (at most SECONDS, default 600). Raw bpf(2) and
 * perf_event_open(2): no libbpf, so the figure is of the kernel mechanism
 * alone.
 */
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "driver.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static int prog_load(enum bpf_prog_type type)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = type;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = 2;
	attr.license = (uint64_t)(uintptr_t)"GPL";
	return (int)syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
}

/* the tracepoint's id from tracefs, -1 if absent */
static long tracepoint_id(const char *tp)
{
	static const char *const roots[] = { "/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events" };
	char path[512];
	long id = -1;

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]) && id < 0; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s/id", roots[i], tp);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fscanf(f, "%ld", &id) != 1)
			id = -1;
		fclose(f);
	}
	return id;
}

static int attach_tp(int prog, const char *tp)
{
	struct perf_event_attr pa;
	long id = tracepoint_id(tp);
	int pfd;

	if (id < 0)
		tb_die("tracepoint %s not found in tracefs", tp);
	memset(&pa, 0, sizeof(pa));
	pa.type = PERF_TYPE_TRACEPOINT;
	pa.size = sizeof(pa);
	pa.config = (uint64_t)id;
	/* one event, as libbpf attaches: the program runs on every CPU */
	pfd = (int)syscall(__NR_perf_event_open, &pa, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		tb_die("perf_event_open %s: %s", tp, strerror(errno));
	if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog) || ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0))
		tb_die("attaching to %s: %s", tp, strerror(errno));
	return pfd;
}

static int attach_raw(int prog, const char *name)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.raw_tracepoint.name = (uint64_t)(uintptr_t)name;
	attr.raw_tracepoint.prog_fd = (uint32_t)prog;
	fd = (int)syscall(__NR_bpf, BPF_RAW_TRACEPOINT_OPEN, &attr, sizeof(attr));
	if (fd < 0)
		tb_die("raw tracepoint %s: %s", name, strerror(errno));
	return fd;
}

#define MAX_HOOKS 32

int main(int argc, char **argv)
{
	static const char usage[] = "[-t SECONDS] {-T CATEGORY/NAME | -r NAME}...";
	struct sigaction sa = { .sa_handler = on_signal };
	const char *hooks[MAX_HOOKS];
	bool raw[MAX_HOOKS];
	int n = 0, opt;
	long secs = 600;
	uint64_t deadline;

	tb_prog = "emptyprog";
	while ((opt = getopt(argc, argv, "t:T:r:")) != -1) {
		switch (opt) {
		case 't':
			secs = tb_parse_long(optarg, 1, 3600, "seconds");
			break;
		case 'T':
		case 'r':
			if (n == MAX_HOOKS)
				tb_die("at most %d hooks", MAX_HOOKS);
			raw[n] = opt == 'r';
			hooks[n++] = optarg;
			break;
		default:
			tb_usage_error(usage);
		}
	}
	if (!n || optind != argc)
		tb_usage_error(usage);

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	for (int i = 0; i < n; i++) {
		int prog = prog_load(raw[i] ? BPF_PROG_TYPE_RAW_TRACEPOINT : BPF_PROG_TYPE_TRACEPOINT);

		if (prog < 0)
			tb_die("loading the program for %s: %s", hooks[i], strerror(errno));
		if (raw[i])
			attach_raw(prog, hooks[i]);
		else
			attach_tp(prog, hooks[i]);
	}
	tb_kv("ready", "1");

	deadline = tb_now_ms() + (uint64_t)secs * 1000;
	while (!stop && tb_now_ms() < deadline)
		tb_sleep_ms(20);
	return 0;
}
