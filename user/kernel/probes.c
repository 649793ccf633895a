// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel feature checks, program variants, constants, load and attach.
 * Every kernel difference the loader knows about is decided in this file.
 */
#include <errno.h>
#include <pthread.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kernel/probes.h"
#include "kernel/kernel_facts.h"
#include "kernel/vmlinux_btf.h"
#include "tcpbacklog.skel.h"
#include "tcpbacklog_pre_5_17.skel.h"

#define CAP_SYS_ADMIN	21
#define CAP_PERFMON	38
#define CAP_BPF		39

static int fail(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Effective capabilities from /proc/self/status (no libcap needed). */
static uint64_t effective_caps(void)
{
	char line[256];
	uint64_t caps = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "CapEff: %" SCNx64, &caps) == 1)
			break;
	}
	fclose(f);
	return caps;
}

static int check_privileges(char *errbuf, size_t errlen)
{
	uint64_t caps = effective_caps();
	bool admin = caps & (1ULL << CAP_SYS_ADMIN);
	bool bpf = caps & (1ULL << CAP_BPF), perfmon = caps & (1ULL << CAP_PERFMON);

	if (admin || (bpf && perfmon))
		return 0;
	return fail(errbuf, errlen, "needs root: CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN) are missing%s",
		    geteuid() ? " (run it with sudo)" : "");
}

/* Classic tracepoints are found through tracefs; mount it if nobody did. */
static int ensure_tracefs(char *errbuf, size_t errlen)
{
	struct stat st;

	if (!stat("/sys/kernel/tracing/events", &st) || !stat("/sys/kernel/debug/tracing/events", &st))
		return 0;
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) && errno != EBUSY)
		return fail(errbuf, errlen, "tracefs is not mounted and mounting it on /sys/kernel/tracing failed: %s",
			    strerror(errno));
	return 0;
}

static bool tracepoint_exists(const char *category, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%s/%s", category, name);
	if (!stat(path, &st))
		return true;
	snprintf(path, sizeof(path), "/sys/kernel/debug/tracing/events/%s/%s", category, name);
	return !stat(path, &st);
}

/*
 * [start, end) of tcp_rcv_state_process from /proc/kallsyms, read in a
 * thread: the kernel formats the whole symbol table (tens of ms), time
 * better spent beside BTF parsing and the BPF load.
 */
struct kallsyms_job {
	pthread_t thread;
	bool started;
	uint64_t start, end;
	int err;
};

static void *kallsyms_thread(void *arg)
{
	struct kallsyms_job *job = arg;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f) {
		job->err = -errno;
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	job->err = kernel_kallsyms_range(f, "tcp_rcv_state_process", &job->start, &job->end);
	fclose(f);
	return NULL;
}

static struct kallsyms_job kallsyms_job;

static bool tb_verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	/* without -v, libbpf's own errors only, not verifier or BTF logs */
	if (!tb_verbose && (level == LIBBPF_DEBUG || strlen(fmt) > 200 || strstr(fmt, "LOG")))
		return 0;
	return vfprintf(stderr, fmt, args);
}

/*
 * Can an fentry program really be loaded and attached on func? Loads a
 * two-instruction program and attaches it: BTF alone cannot tell, a
 * locked-down kernel refuses at load (EPERM). 0, or -errno.
 */
static int probe_fentry(const struct btf *btf, const char *func)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	int prog_fd, link_fd, err = 0;

	if (id < 0)
		return -ENOENT;
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = id);
	prog_fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "tb_probe", "GPL", insns, 2, &opts);
	if (prog_fd < 0)
		return -errno;
	link_fd = bpf_link_create(prog_fd, 0, BPF_TRACE_FENTRY, NULL);
	if (link_fd < 0)
		err = -errno;
	else
		close(link_fd);
	close(prog_fd);
	return err;
}

/* Which hook serves each concern, decided once from the kernel and --mode. */
struct hooks {
	bool syn_fentry;	/* tcp_conn_request entry/exit, else consume_skb */
	bool ack_fentry;	/* syn_recv_sock entry/exit, else kfree_skb */
	bool accept_fexit;	/* inet_csk_accept exit (accept counts) */
	bool accept_arg;	/* inet_csk_accept(sk, struct proto_accept_arg *), 6.10+ */
	bool syscalls_fexit;	/* accept/connect/bind errors at __sys_*'s exit, not at syscall tracepoints */
	int kfree_args;
	int consume_args;
	int uring_args;		/* io_uring_complete: 3 since 6.3 (ctx, req, cqe) */
	bool uring_req;		/* ... and it names the request (5.18+; before: ctx, user_data, res) */
	long long mib_listen_drops;	/* enum values into struct linux_mib */
	long long mib_listen_overflows;
	long long mib_reqq_full_drop;
	long long mib_syncookies_sent;
	int data_ready_args;	/* sock:sk_data_ready, 6.3+ */
	int reset_args;		/* tcp:tcp_receive_reset (sk) */
	int error_report_args;	/* sock:inet_sk_error_report (sk), 5.14+ */
	struct kernel_helpers helpers;
	enum ack_exit_variant ack_exit;
	char ack_note[160];	/* why --mode fentry takes ACK-time overflows from a tracepoint */
};

static const char *const syn_funcs[] = { "tcp_conn_request", NULL };
static const char *const ack_funcs[] = { "tcp_v4_syn_recv_sock", "tcp_v6_syn_recv_sock", NULL };
static const char *const accept_funcs[] = { "inet_csk_accept", NULL };
/*
 * what the accept, accept4, connect, bind and getsockopt syscalls call:
 * errors without syscall tracepoints (__sys_getsockopt has the same
 * arguments in 5.10 to 6.18)
 */
static const char *const syscall_funcs[] = { "__sys_accept4", "__sys_connect", "__sys_bind", "__sys_getsockopt", NULL };

/* All of funcs take fentry? On failure, *failed names the first refusal. */
static int probe_all(const struct btf *btf, const char *const *funcs, const char **failed)
{
	for (; *funcs; funcs++) {
		int err = probe_fentry(btf, *funcs);

		if (err) {
			*failed = *funcs;
			return err;
		}
	}
	return 0;
}

/* Add a sentence to the start-up note (stderr), after any already there. */
static void note_add(struct probes *p, const char *text)
{
	size_t len = strlen(p->note);

	snprintf(p->note + len, sizeof(p->note) - len, "%s%s", len ? "; " : "", text);
}

static int choose_hooks(const struct config *cfg, struct hooks *h, char *errbuf, size_t errlen)
{
	struct btf *btf = vmlinux_btf_load();
	const char *failed = NULL;
	int err;

	if (!btf)
		return fail(errbuf, errlen, "cannot read kernel BTF: %s", strerror(errno));
	memset(h, 0, sizeof(*h));
	h->kfree_args = kernel_tp_btf_args(btf, "kfree_skb");
	h->consume_args = kernel_tp_btf_args(btf, "consume_skb");
	h->uring_args = kernel_tp_btf_args(btf, "io_uring_complete");
	h->uring_req = kernel_tp_btf_arg_is_ptr(btf, "io_uring_complete", 1) == 1;
	h->data_ready_args = kernel_tp_btf_args(btf, "sk_data_ready");
	h->reset_args = kernel_tp_btf_args(btf, "tcp_receive_reset");
	h->error_report_args = kernel_tp_btf_args(btf, "inet_sk_error_report");
	h->accept_arg = btf__find_by_name_kind(btf, "proto_accept_arg", BTF_KIND_STRUCT) > 0;
	kernel_helpers_read(btf, &h->helpers);
	h->ack_exit = kernel_ack_exit_variant(h->helpers.func_ret, kernel_func_args(btf, ack_funcs[0]));
	err = kernel_tp_btf_args(btf, "inet_sock_set_state");
	if (kernel_enum_value(btf, "LINUX_MIB_LISTENDROPS", &h->mib_listen_drops) ||
	    kernel_enum_value(btf, "LINUX_MIB_LISTENOVERFLOWS", &h->mib_listen_overflows) ||
	    kernel_enum_value(btf, "LINUX_MIB_TCPREQQFULLDROP", &h->mib_reqq_full_drop) ||
	    kernel_enum_value(btf, "LINUX_MIB_SYNCOOKIESSENT", &h->mib_syncookies_sent)) {
		btf__free(btf);
		return fail(errbuf, errlen, "kernel BTF lacks the LINUX_MIB_LISTENDROPS/LISTENOVERFLOWS/TCPREQQFULLDROP/SYNCOOKIESSENT counters");
	}

	if (err < 0) {
		err = fail(errbuf, errlen, "kernel has no sock:inet_sock_set_state tracepoint: listeners cannot be tracked");
	} else if (cfg->mode == MODE_FENTRY) {
		const char *const *sets[] = { syn_funcs, accept_funcs };

		err = 0;
		for (int i = 0; i < 2 && !err; i++) {
			err = probe_all(btf, sets[i], &failed);
			if (err)
				err = fail(errbuf, errlen, "--mode fentry: the kernel refused fentry on %s: %s",
					   failed, strerror(-err));
		}
		h->syn_fentry = h->accept_fexit = !err;
		/* where refused, the syscall tracepoints as before: the kernel matrix checks both */
		h->syscalls_fexit = !err && !probe_all(btf, syscall_funcs, &failed);
		/*
		 * ACK-time overflows: fexit of syn_recv_sock, or the drop
		 * tracepoint where the trampoline cannot take the function
		 * (6.1 on x86: at most 6 arguments, and it has 7 there).
		 */
		if (!err && h->ack_exit == ACK_EXIT_NONE) {
			snprintf(h->ack_note, sizeof(h->ack_note),
				 "no bpf_get_func_ret and %s has %d arguments: ACK-time overflows from tp_btf/kfree_skb",
				 ack_funcs[0], kernel_func_args(btf, ack_funcs[0]));
		} else if (!err) {
			int ack_err = probe_all(btf, ack_funcs, &failed);

			h->ack_fentry = !ack_err;
			if (ack_err)
				snprintf(h->ack_note, sizeof(h->ack_note),
					 "the kernel refused fexit on %s (%s): ACK-time overflows from tp_btf/kfree_skb",
					 failed, strerror(-ack_err));
		}
	} else if (cfg->mode == MODE_AUTO) {
		/* each concern falls back on its own: all count through the same per-CPU counters */
		h->syn_fentry = !probe_all(btf, syn_funcs, &failed);
		h->ack_fentry = h->ack_exit != ACK_EXIT_NONE && !probe_all(btf, ack_funcs, &failed);
		h->accept_fexit = !probe_all(btf, accept_funcs, &failed);
		h->syscalls_fexit = h->accept_fexit && !probe_all(btf, syscall_funcs, &failed);
		err = 0;
	} else {
		err = 0;
	}
	/* parsed once: the BPF load below reads the same object */
	if (err)
		btf__free(btf);
	else
		vmlinux_btf_hand_over(btf);
	return err;
}

static int attach_prog(struct probes *p, struct bpf_program *prog, char *errbuf, size_t errlen);

/*
 * The BPF object: the one built for kernels without bpf_loop (see
 * TB_PRE_5_17 in tcpbacklog.bpf.h) has the same programs, maps and
 * globals, so the one skeleton serves both.
 */
static struct tcpbacklog_bpf *open_object(bool pre_5_17)
{
	struct tcpbacklog_bpf *obj;
	int err;

	if (!pre_5_17)
		return tcpbacklog_bpf__open();
	obj = calloc(1, sizeof(*obj));
	if (!obj)
		return NULL;
	err = tcpbacklog_bpf__create_skeleton(obj);
	if (!err) {
		obj->skeleton->data = tcpbacklog_pre_5_17_bpf__elf_bytes(&obj->skeleton->data_sz);
		err = bpf_object__open_skeleton(obj->skeleton, NULL);
	}
	if (err) {
		tcpbacklog_bpf__destroy(obj);
		errno = -err;
		return NULL;
	}
	return obj;
}

/* --cgroup: the subtree's directory into the one slot the programs test against. */
static int set_target_cgroup(struct tcpbacklog_bpf *skel, const char *dir, char *errbuf, size_t errlen)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), zero = 0, err;

	if (fd < 0)
		return fail(errbuf, errlen, "opening cgroup %s failed: %s", dir, strerror(errno));
	err = bpf_map_update_elem(bpf_map__fd(skel->maps.target_cgroups), &zero, &fd, BPF_ANY);
	err = err ? -errno : 0;
	close(fd);
	if (err)
		return fail(errbuf, errlen, "the kernel refused cgroup %s as a cgroup v2 directory: %s", dir,
			    strerror(-err));
	return 0;
}

int probes_start(struct probes *p, const struct config *cfg, char *errbuf, size_t errlen)
{
	struct tcpbacklog_bpf *skel;
	struct hooks h;
	bool syscall_tps;
	int err;

	memset(p, 0, sizeof(*p));
	if (cfg->mode != MODE_FENTRY && !kallsyms_job.started)
		kallsyms_job.started = !pthread_create(&kallsyms_job.thread, NULL, kallsyms_thread, &kallsyms_job);
	tb_verbose = cfg->verbose;
	libbpf_set_print(libbpf_print);

	if (check_privileges(errbuf, errlen))
		return -1;
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return fail(errbuf, errlen, "kernel BTF is missing (/sys/kernel/btf/vmlinux): a kernel built with CONFIG_DEBUG_INFO_BTF is needed");
	if (choose_hooks(cfg, &h, errbuf, errlen))
		return -1;
	/* --mode fentry includes the drop tracepoint as its ACK-time fallback */
	p->mode = (h.syn_fentry && h.ack_fentry) || cfg->mode == MODE_FENTRY ? "fentry" :
		  h.syn_fentry || h.ack_fentry ? "fentry+tracepoint" : "tracepoint";
	if (h.ack_note[0])
		snprintf(p->note, sizeof(p->note), "%s", h.ack_note);
	else if (!h.helpers.loop)
		/* the one thing the older object counts less far */
		snprintf(p->note, sizeof(p->note),
			 "no bpf_loop (kernel before 5.17): open_fds of accept errors is counted up to %d fds, unknown beyond",
			 TB_PRE_5_17_OPEN_FDS);
	if (h.uring_args > 0 && !h.uring_req)
		/* without the request, a completion cannot be told to be an accept or a connect */
		note_add(p, "the io_uring_complete tracepoint names no request (kernel before 5.18): "
			 "accepts and connects made through io_uring are not seen");

	/*
	 * A non-blocking connect's error is read at its state change, which
	 * may come after the application has taken (cleared) it: seen first
	 * at the reset and, before 6.10, at the error report.
	 */
	if (h.reset_args < 1)
		note_add(p, "no tcp:tcp_receive_reset tracepoint: a refused non-blocking connect whose error "
			 "the application takes before the state change is not seen");
	if (h.error_report_args < 1)
		note_add(p, "no sock:inet_sk_error_report tracepoint (kernel before 5.14): a non-blocking connect "
			 "that fails by ICMP or timeout, its error taken by the application before the state change, is not seen");

	if (!h.ack_fentry && h.kfree_args < 2)
		return fail(errbuf, errlen, "kernel has no skb:kfree_skb BTF tracepoint (skb, location): ACK-time overflows cannot be seen without fentry");
	if (!h.syn_fentry && h.consume_args < 1)
		return fail(errbuf, errlen, "kernel has no skb:consume_skb BTF tracepoint: SYN drops cannot be seen without fentry");
	if (ensure_tracefs(errbuf, errlen))
		return -1;
	syscall_tps = !h.syscalls_fexit && !cfg->no_syscall_tracepoints;
	p->syscall_hooks = h.syscalls_fexit ? "fexit" : syscall_tps ? "tracepoint" : "none";
	if (!syscall_tps && !h.syscalls_fexit)
		note_add(p, h.accept_fexit ?
			 "--no-syscall-tracepoints: accept(), connect() and bind() errors are not seen (io_uring's are, and non-blocking connects that fail later)" :
			 "--no-syscall-tracepoints: accepts, accept latency, and accept(), connect() and bind() errors are not seen (io_uring's are, and non-blocking connects that fail later)");
	if (syscall_tps && (!tracepoint_exists("syscalls", "sys_exit_accept4") || !tracepoint_exists("syscalls", "sys_exit_accept")))
		return fail(errbuf, errlen, "tracepoints syscalls/sys_exit_accept4 and sys_exit_accept are missing (CONFIG_FTRACE_SYSCALLS): accept() errors cannot be seen");
	p->syn_location = !h.syn_fentry && h.consume_args >= 2;

	skel = open_object(!h.helpers.loop);
	if (!skel)
		return fail(errbuf, errlen, "opening the BPF object failed: %s", strerror(errno));
	p->skel = skel;

	skel->rodata->target_netns = cfg->netns;
	skel->rodata->target_pid = cfg->pid;
	skel->rodata->target_cgroup = cfg->cgroup[0] != '\0';
	skel->rodata->nports = cfg->nports;
	for (int i = 0; i < cfg->nports && i < TB_MAX_PORTS; i++)
		skel->rodata->ports[i] = cfg->ports[i];
	skel->rodata->accepts_from_fexit = h.accept_fexit;
	skel->rodata->track_acceptors = cfg->interval > 0;
	skel->rodata->rate_limit = cfg->rate_limit;
	skel->rodata->no_records = cfg->quiet;
	skel->rodata->mib_listen_drops = h.mib_listen_drops;
	skel->rodata->mib_listen_overflows = h.mib_listen_overflows;
	skel->rodata->mib_reqq_full_drop = h.mib_reqq_full_drop;
	skel->rodata->mib_syncookies_sent = h.mib_syncookies_sent;
	/* helpers a kernel lacks: the programs take the branch that does without */
	skel->rodata->has_task_btf = h.helpers.current_task_btf;
	skel->rodata->has_task_pt_regs = h.helpers.task_pt_regs;
	p->queues_by_key = !h.helpers.loop;

	/* SYN drops: one of three programs. A BTF tracepoint program may read only the arguments the kernel has. */
	bpf_program__set_autoload(skel->progs.syn_exit, h.syn_fentry);
	bpf_program__set_autoload(skel->progs.syn_consumed, !h.syn_fentry && h.consume_args >= 2);
	bpf_program__set_autoload(skel->progs.syn_consumed_any, !h.syn_fentry && h.consume_args < 2);
	/* ACK-time overflows */
	bpf_program__set_autoload(skel->progs.ack4_exit, h.ack_fentry && h.ack_exit == ACK_EXIT_FUNC_RET);
	bpf_program__set_autoload(skel->progs.ack6_exit, h.ack_fentry && h.ack_exit == ACK_EXIT_FUNC_RET);
	bpf_program__set_autoload(skel->progs.ack4_exit_6args, h.ack_fentry && h.ack_exit == ACK_EXIT_6ARGS);
	bpf_program__set_autoload(skel->progs.ack6_exit_6args, h.ack_fentry && h.ack_exit == ACK_EXIT_6ARGS);
	bpf_program__set_autoload(skel->progs.ack_dropped_rx_sk, !h.ack_fentry && h.kfree_args >= 4);
	bpf_program__set_autoload(skel->progs.ack_dropped, !h.ack_fentry && h.kfree_args < 4);
	/* accepted connections */
	bpf_program__set_autoload(skel->progs.accept_exit_arg, h.accept_fexit && h.accept_arg);
	bpf_program__set_autoload(skel->progs.accept_exit_legacy, h.accept_fexit && !h.accept_arg);
	/* accept, connect and bind results: syscall tracepoints (every syscall of the host pays), fexit, or neither */
	bpf_program__set_autoload(skel->progs.accept_exit, syscall_tps);
	bpf_program__set_autoload(skel->progs.accept4_exit, syscall_tps);
	bpf_program__set_autoload(skel->progs.connect_exit, syscall_tps);
	bpf_program__set_autoload(skel->progs.bind_exit, syscall_tps);
	bpf_program__set_autoload(skel->progs.sys_accept4_exit, h.syscalls_fexit);
	bpf_program__set_autoload(skel->progs.sys_connect_exit, h.syscalls_fexit);
	bpf_program__set_autoload(skel->progs.sys_bind_exit, h.syscalls_fexit);
	/*
	 * getsockopt(SO_ERROR) may take a non-blocking connect's error before
	 * its state change reads it: they agree by compare-and-swap, which the
	 * object without bpf_loop (before 5.17) has not
	 */
	bpf_program__set_autoload(skel->progs.getsockopt_exit, syscall_tps && h.helpers.loop);
	bpf_program__set_autoload(skel->progs.sys_getsockopt_exit, h.syscalls_fexit && h.helpers.loop);
	/* accept errors from io_uring, and the moment a connection is queued */
	bpf_program__set_autoload(skel->progs.uring_complete, h.uring_req && h.uring_args == 3);
	bpf_program__set_autoload(skel->progs.uring_complete_legacy, h.uring_req && h.uring_args >= 4);
	bpf_program__set_autoload(skel->progs.queue_grew, h.data_ready_args >= 1);
	/* a non-blocking connect's error, before its state change reads it */
	bpf_program__set_autoload(skel->progs.connect_reset, h.reset_args >= 1);
	bpf_program__set_autoload(skel->progs.connect_error_report, h.error_report_args >= 1);
	/* The iterators run on demand, not attached by the skeleton. */

	err = tcpbacklog_bpf__load(skel);
	vmlinux_btf_drop_unused();
	if (err)
		return fail(errbuf, errlen, "loading BPF programs failed: %s (run with --verbose for the verifier log)",
			    strerror(-err));
	if (cfg->cgroup[0] && set_target_cgroup(skel, cfg->cgroup_dir, errbuf, errlen))
		return -1;

	/* the registry first: seeding and owners happen before counting starts */
	return attach_prog(p, skel->progs.listener_state, errbuf, errlen);
}

static int attach_prog(struct probes *p, struct bpf_program *prog, char *errbuf, size_t errlen)
{
	struct bpf_link *link;

	link = bpf_program__attach(prog);
	if (!link)
		return fail(errbuf, errlen, "attaching %s (%s) failed: %s", bpf_program__name(prog),
			    bpf_program__section_name(prog), strerror(errno));
	if (p->nlinks < PROBES_MAX) {
		p->links[p->nlinks++] = link;
		p->attached[p->nattached++] = bpf_program__section_name(prog);
	}
	p->attached[p->nattached] = NULL;
	return 0;
}

int probes_attach_counters(struct probes *p, char *errbuf, size_t errlen)
{
	struct bpf_program *prog;

	if (kallsyms_job.started) {
		pthread_join(kallsyms_job.thread, NULL);
		kallsyms_job.started = false;
	}
	if (p->syn_location) {
		if (kallsyms_job.err)
			return fail(errbuf, errlen, "cannot find tcp_rcv_state_process in /proc/kallsyms (%s): SYN drops need its address",
				    kallsyms_job.err == -ENOENT ? "absent, or hidden by kptr_restrict" : strerror(-kallsyms_job.err));
		p->skel->bss->syn_caller_start = kallsyms_job.start;
		p->skel->bss->syn_caller_end = kallsyms_job.end;
	}

	/* one by one, to name the hook that fails */
	bpf_object__for_each_program(prog, p->skel->obj) {
		if (prog == p->skel->progs.listener_seed || prog == p->skel->progs.listener_queues ||
		    prog == p->skel->progs.mib_baseline || prog == p->skel->progs.mib_flush ||
		    prog == p->skel->progs.listener_state ||
		    !bpf_program__autoload(prog))
			continue;
		if (attach_prog(p, prog, errbuf, errlen))
			return -1;
	}
	return 0;
}

int probes_events_fd(const struct probes *p)
{
	return bpf_map__fd(p->skel->maps.events);
}

uint64_t probes_missed_runs(const struct probes *p)
{
	struct bpf_program *prog;
	uint64_t missed = 0;

	bpf_object__for_each_program(prog, p->skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			missed += info.recursion_misses;
	}
	return missed;
}

void probes_detach(struct probes *p)
{
	for (int i = 0; i < p->nlinks; i++)
		bpf_link__destroy(p->links[i]);
	p->nlinks = 0;
}

void probes_stop(struct probes *p)
{
	vmlinux_btf_drop_unused();
	probes_detach(p);
	tcpbacklog_bpf__destroy(p->skel);
	p->skel = NULL;
}
