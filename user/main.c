// SPDX-License-Identifier: GPL-2.0
/*
 * tcpbacklog: lifecycle only. Parse the command line, start the probes,
 * seed pre-existing listeners, then read the ring buffer until a signal
 * or --duration, print the exact totals and detach.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "setup/cli.h"
#include "setup/privileges.h"
#include "kernel/maps.h"
#include "kernel/namespaces.h"
#include "kernel/probes.h"
#include "listeners.h"
#include "decode/decode.h"
#include "decode/kinds.h"
#include "host/port_usage.h"
#include "aggregate/destinations.h"
#include "aggregate/hints.h"
#include "aggregate/stats.h"
#include "aggregate/suppression.h"
#include "format/metrics.h"
#include "format/output.h"
#include "host/netns_names.h"
#include "host/cgroups.h"
#include "host/owners.h"
#include "host/pidns.h"
#include "host/sysinfo.h"

#define POLL_MS		100
#define HINTS_PER_LISTENER	6
#define DESTINATIONS_PER_INTERVAL	16	/* destination records; the rest are counted */
#define CONNECT_ERROR_SERIES_MAX	256	/* (netns, errno) series of tcpbacklog_connect_errors_total */
#define TICK_NS		1000000000LL	/* suppressed records, metrics */

static volatile sig_atomic_t stop_signal;

struct app {
	const struct config *cfg;
	const struct output *out;
	struct listener_reader listeners;
	struct stats stats;
	struct suppression suppression;
	struct metrics *metrics;
	struct probes *probes;
	struct sysctls sys;
	struct clock_map clock;
	struct owners owners;
	const char *pid_proc;		/* /proc where it numbers pids as the kernel does, else NULL */
	struct netns_names netns_names;
	struct cgroups cgroups;
	struct destinations destinations;
	struct destination_entry *destination_counts;	/* the last read of the kernel's */
	size_t ndestination_counts, destination_counts_cap;
	uint64_t undecodable;
};

static void on_signal(int sig)
{
	stop_signal = sig;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* TB_TIMING=1: how long each start-up phase takes, and the peak RSS so far, on stderr */
static void phase(const char *name)
{
	static int64_t t0;
	char line[128];
	long hwm = -1;
	FILE *f;

	if (!getenv("TB_TIMING"))
		return;
	if (!t0)
		t0 = now_ns();
	f = fopen("/proc/self/status", "re");
	while (f && fgets(line, sizeof(line), f) && sscanf(line, "VmHWM: %ld", &hwm) != 1)
		;
	if (f)
		fclose(f);
	fprintf(stderr, "tcpbacklog: %7.1f ms %s (VmHWM %ld KiB)\n", (now_ns() - t0) / 1e6, name, hwm);
}

/* Owner of a listener that was open before the tracer and not found then. */
static void resolve_owner(struct app *app, struct event *ev)
{
	const struct owner *own = owners_resolve(&app->owners, ev->listener_ino, true);

	if (own) {
		ev->pid = own->pid;
		memcpy(ev->comm, own->comm, sizeof(ev->comm));
	}
}

/* cgroup, unit, container, pod of the record's process and of its listener's last acceptor */
static void resolve_identities(struct app *app, struct event *ev)
{
	const struct kind_info *k = kind_info(ev->kind);
	char path[CGROUP_PATH_LEN];

	if (kind_has_field(k, FIELD_IDENTITY)) {
		if (ev->cgroup_id)
			cgroups_identity(&app->cgroups, ev->cgroup_id, &ev->identity);
		else if (k->process == PROCESS_OWNER && ev->pid &&
			 !cgroups_pid_path(&app->cgroups, ev->pid, path, sizeof(path)))
			cgroup_identity_parse(path, &ev->identity);	/* an owner found in /proc */
	}
	if (kind_has_field(k, FIELD_ACCEPTOR_IDENTITY))
		cgroups_identity(&app->cgroups, ev->acceptor_cgroup_id, &ev->acceptor_identity);
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct app *app = ctx;
	struct event ev;

	if (decode_event(data, size, &app->clock, &ev)) {
		app->undecodable++;
		return 0;
	}
	if (kind_info(ev.kind)->process == PROCESS_OWNER && !ev.pid && ev.listener_ino)
		resolve_owner(app, &ev);
	netns_names_copy(&app->netns_names, ev.netns, ev.netns_name, sizeof(ev.netns_name));
	resolve_identities(app, &ev);
	/* no local port left: what holds them, while it still does */
	if (kind_has_field(kind_info(ev.kind), FIELD_PORTS) && ev.err == EADDRNOTAVAIL && app->pid_proc)
		port_usage_count(app->pid_proc, ev.pid, ev.netns, ev.family, ev.raddr, ev.rport, &ev.ports_in_use);
	/* with -i: who to look through for the destination's ports, and its range */
	if (app->cfg->interval > 0 && kind_has_field(kind_info(ev.kind), FIELD_PORTS))
		destinations_note_event(&app->destinations, &ev);
	app->out->event(stdout, &ev);
	/* the reader went away: stop consuming, exit quietly */
	return ferror(stdout) ? -EPIPE : 0;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * The destinations of one interval: those whose connects failed, or with
 * more than half their local ports held, at most DESTINATIONS_PER_INTERVAL,
 * each with a port_exhaustion hint where it ran or runs short.
 */
static int report_destinations(struct app *app, uint64_t time_ns)
{
	struct destination_report *reports;
	struct hint hints[DESTINATIONS_PER_INTERVAL];
	int n, nhints = 0, omitted = 0;

	if (maps_read_destinations(app->probes, &app->destination_counts, &app->ndestination_counts,
				   &app->destination_counts_cap))
		return -1;
	reports = calloc(app->ndestination_counts + DESTINATIONS_SEEN_MAX + 1, sizeof(*reports));
	if (!reports)
		return -1;
	n = destinations_collect(&app->destinations, app->destination_counts, app->ndestination_counts,
				 reports);
	for (int i = 0; i < n; i++) {
		netns_names_copy(&app->netns_names, reports[i].netns, reports[i].netns_name,
				 sizeof(reports[i].netns_name));
		if (reports[i].pid && app->pid_proc)
			port_usage_count(app->pid_proc, reports[i].pid, reports[i].netns, reports[i].family,
					 reports[i].raddr, reports[i].rport, &reports[i].ports_in_use);
	}
	n = destinations_select(reports, n, DESTINATIONS_PER_INTERVAL, &omitted);
	metrics_observe_destinations(app->metrics, reports, n);
	for (int i = 0; i < n; i++)
		nhints += hint_port_exhaustion(&reports[i], &hints[nhints]);
	app->out->destinations(stdout, time_ns, reports, n, omitted, hints, nhints);
	free(reports);
	return 0;
}

/* One interval: a record per active listener, then the hints the data supports. */
static int report_interval(struct app *app)
{
	struct listener_report *reports, *active;
	struct hint *hints;
	int nactive = 0, nhints = 0;
	uint64_t now;

	/* this report is the last to see a closed listener: its entry goes */
	if (listeners_read_taking_closed(&app->listeners, app->cfg, LISTENERS_ALL))
		return -1;
	metrics_observe(app->metrics, app->listeners.items, app->listeners.count);
	reports = calloc(app->listeners.count + 1, sizeof(*reports));
	active = calloc(app->listeners.count + 1, sizeof(*active));
	hints = calloc(app->listeners.count * HINTS_PER_LISTENER + 1, sizeof(*hints));
	if (!reports || !active || !hints) {
		free(reports);
		free(active);
		free(hints);
		return -1;
	}
	stats_update(&app->stats, app->listeners.items, app->listeners.count, reports);
	for (size_t i = 0; i < app->listeners.count; i++) {
		if (!reports[i].active)
			continue;
		active[nactive++] = reports[i];
		nhints += hints_for(&reports[i], &app->sys, hints + nhints, HINTS_PER_LISTENER);
	}
	now = realtime_ns();
	app->out->interval(stdout, now, active, nactive, hints, nhints);
	report_destinations(app, now);
	free(reports);
	free(active);
	free(hints);
	return 0;
}

/* Exact totals, summed over CPUs, and the program runs the kernel skipped. */
static int read_totals(const struct probes *p, struct totals *t)
{
	uint64_t sums[TB_TOTAL_MAX];

	if (maps_read_totals(p, sums))
		return -1;
	decode_totals(sums, t);
	t->missed_runs = probes_missed_runs(p);
	return 0;
}

/*
 * Detached, judged: every tracked 4-tuple is delayed (the kernel's
 * count), abandoned or pending (the loader's), or was pushed out of the
 * map: untracked, exact here.
 */
static void totals_add_client_cost(struct totals *t, const struct client_cost *c)
{
	uint64_t ended = t->delayed + c->abandoned + c->pending;

	t->abandoned = c->abandoned;
	t->pending = c->pending;
	t->untracked = t->tuples_tracked > ended ? t->tuples_tracked - ended : 0;
}

static void print_suppressed(void *ctx, const struct listener_snapshot *snap, uint64_t suppressed, uint64_t lost)
{
	struct app *app = ctx;

	app->out->suppressed(stdout, realtime_ns(), snap, suppressed, lost);
}

/* Failed connects per namespace and errno, from the kernel's per-destination counts, for the metrics. */
static void observe_connect_errors(struct app *app)
{
	struct connect_error_count errors[CONNECT_ERROR_SERIES_MAX];
	size_t n;

	if (maps_read_destinations(app->probes, &app->destination_counts, &app->ndestination_counts,
				   &app->destination_counts_cap))
		return;
	n = destinations_errors_by_netns(app->destination_counts, app->ndestination_counts, errors,
					 CONNECT_ERROR_SERIES_MAX);
	metrics_observe_connect_errors(app->metrics, errors, n);
}

/*
 * Once a second: records held back or lost since the last tick, per
 * listener, and a fresh copy for the metrics endpoint.
 */
static void tick(struct app *app)
{
	struct totals totals;
	/* without -i nothing else reports closed listeners: they go here, seen once */
	int (*read_listeners)(struct listener_reader *r, const struct config *cfg, unsigned int parts) =
		app->cfg->interval > 0 ? listeners_read : listeners_read_taking_closed;
	/* the metrics keep a closed listener's accept failures: read them while they are there */
	unsigned int parts = app->metrics ? LISTENERS_COUNTS | LISTENERS_ERRNOS : LISTENERS_COUNTS;

	if (!app->cfg->quiet) {
		if (!read_listeners(&app->listeners, app->cfg, parts)) {
			suppression_update(&app->suppression, app->listeners.items, app->listeners.count,
					   print_suppressed, app);
			metrics_observe(app->metrics, app->listeners.items, app->listeners.count);
		}
	} else if (read_listeners == listeners_read_taking_closed) {
		if (!read_listeners(&app->listeners, app->cfg, parts))
			metrics_observe(app->metrics, app->listeners.items, app->listeners.count);
	}
	if (app->metrics)
		observe_connect_errors(app);
	if (app->metrics && !listeners_read(&app->listeners, app->cfg, LISTENERS_QUEUES | LISTENERS_ERRNOS) &&
	    !read_totals(app->probes, &totals))
		metrics_publish(app->metrics, app->listeners.items, app->listeners.count, &totals);
	/* bounded maps: entries of closed listeners go within a second, once read above */
	maps_delete_stale(app->probes);
}

/* On exit: what each listener did over the whole run. */
static void report_summary(struct app *app)
{
	struct listener_report *reports;
	int n = 0;

	/* detached: the last judgement of the 4-tuples, what is left is pending */
	if (listeners_read(&app->listeners, app->cfg,
			   LISTENERS_QUEUES | LISTENERS_TAKE_PEAKS | LISTENERS_ERRNOS | LISTENERS_JUDGE_TUPLES))
		return;
	reports = calloc(app->listeners.count + 1, sizeof(*reports));
	if (!reports)
		return;
	for (size_t i = 0; i < app->listeners.count; i++) {
		stats_whole_run(&app->stats, &app->listeners.items[i], &reports[n]);
		if (reports[n].active)
			n++;
	}
	app->out->summary(stdout, reports, n);
	free(reports);
}

static void fill_start_info(struct start_info *info, const struct config *cfg, const struct sysctls *sys,
			    const struct probes *p, char *kernel, size_t klen, int listeners)
{
	sysinfo_kernel_release(kernel, klen);
	memset(info, 0, sizeof(*info));
	info->mode = p->mode;
	info->kernel = kernel;
	info->probes = p->attached;
	info->syscall_hooks = p->syscall_hooks;
	info->netns = cfg->netns;
	info->ports = cfg->ports;
	info->nports = cfg->nports;
	info->pid = cfg->pid;
	info->cgroup = cfg->cgroup;
	info->duration = cfg->duration;
	info->somaxconn = sys->somaxconn;
	info->tcp_max_syn_backlog = sys->tcp_max_syn_backlog;
	info->tcp_syncookies = sys->tcp_syncookies;
	info->tcp_abort_on_overflow = sys->tcp_abort_on_overflow;
	info->file_max = sys->file_max;
	info->nr_open = sys->nr_open;
	info->interval = cfg->interval;
	info->listeners = listeners;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* a closed pipe shows up as EPIPE on write, handled in the loop */
	signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
	static char outbuf[1 << 16];
	struct config cfg;
	struct probes probes = { 0 };
	struct ring_buffer *rb = NULL;
	struct start_info info;
	struct totals totals;
	struct app app = { 0 };
	char err[512], kernel[128];
	int64_t deadline = 0, next_report = 0, next_tick = 0;
	int listeners, rc = 0;
	bool pipe_closed = false;

	switch (cli_parse(argc, argv, &cfg, stdout, stderr)) {
	case CLI_OK:
		break;
	case CLI_EXIT:
		return 0;
	default:
		return 2;
	}
	app.cfg = &cfg;
	app.out = cfg.json ? &output_json : &output_text;
	stats_init(&app.stats);
	app.probes = &probes;
	sysinfo_sysctls("/proc/sys", &app.sys);
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	install_signals();
	/* the kernel's pids: looked up in /proc only where it numbers them the same (pidns.h) */
	app.pid_proc = pidns_proc_is_initial("/proc") ? "/proc" : NULL;
	/* "": no /proc to find owners in */
	owners_init(&app.owners, app.pid_proc ? app.pid_proc : "");
	netns_names_init(&app.netns_names, NULL, true);
	cgroups_init(&app.cgroups, NULL, "/proc");

	phase("parsed");
	if (probes_start(&probes, &cfg, err, sizeof(err)))
		goto fail;
	phase("loaded");
	if (probes.note[0])
		fprintf(stderr, "tcpbacklog: note: %s\n", probes.note);
	if (!app.pid_proc)
		fprintf(stderr, "tcpbacklog: note: /proc belongs to another PID namespace: pids printed are "
			"the host's, and what only /proc tells of a process (fd usage, owners of listeners "
			"older than the tracer) is left out\n");
	if (namespaces_seed(&probes, cfg.netns, err, sizeof(err)) < 0)
		goto fail;
	phase("seeded");
	listeners = maps_write_missing_owners(&probes, &app.owners);
	maps_write_owner_cgroups(&probes, &app.cgroups, cfg.cgroup);
	phase("owners");
	if (probes_attach_counters(&probes, err, sizeof(err)))
		goto fail;
	phase("attached");
	listeners_init(&app.listeners, &probes, &app.owners);
	app.listeners.pid_proc = app.pid_proc;
	app.listeners.netns_names = &app.netns_names;
	app.listeners.cgroups = &app.cgroups;
	if (cfg.metrics_addr[0]) {
		app.metrics = metrics_start(cfg.metrics_addr, err, sizeof(err));
		if (!app.metrics)
			goto fail;
	}
	/* attached: from here on the loop only reads maps and /proc */
	if (privileges_drop(err, sizeof(err)))
		fprintf(stderr, "tcpbacklog: warning: %s\n", err);
	rb = ring_buffer__new(probes_events_fd(&probes), handle_event, &app, NULL);
	if (!rb) {
		snprintf(err, sizeof(err), "creating the ring buffer reader failed: %s", strerror(errno));
		goto fail;
	}

	clock_map_init(&app.clock);
	fill_start_info(&info, &cfg, &app.sys, &probes, kernel, sizeof(kernel), listeners);
	app.out->start(stdout, &info);
	fflush(stdout);
	phase("started");
	if (cfg.duration > 0)
		deadline = now_ns() + (int64_t)(cfg.duration * 1e9);
	if (cfg.interval > 0) {
		/* start the first period now: highs before the start are not ours */
		listeners_read(&app.listeners, &cfg, LISTENERS_ALL);
		stats_update(&app.stats, app.listeners.items, app.listeners.count, NULL);
		next_report = now_ns() + (int64_t)(cfg.interval * 1e9);
	}
	next_tick = now_ns();

	/* wait on the ring buffer and on stdout: a reader that went away (| head -1) ends the run at once */
	struct pollfd fds[2] = {
		{ .fd = ring_buffer__epoll_fd(rb), .events = POLLIN },
		{ .fd = STDOUT_FILENO, .events = 0 },
	};

	while (!stop_signal) {
		int n = 0;

		if (poll(fds, 2, POLL_MS) > 0 && (fds[1].revents & (POLLERR | POLLHUP))) {
			pipe_closed = true;
			break;
		}
		/* woken or not: the programs wake us at most once a millisecond per CPU */
		n = ring_buffer__consume(rb);
		if (fflush(stdout) || ferror(stdout) || n == -EPIPE) {
			pipe_closed = true;
			break;
		}
		if (n < 0 && n != -EINTR) {
			snprintf(err, sizeof(err), "reading the ring buffer failed: %s", strerror(-n));
			goto fail;
		}
		if (now_ns() >= next_tick) {
			tick(&app);
			next_tick += TICK_NS;
		}
		if (next_report && now_ns() >= next_report) {
			report_interval(&app);
			next_report += (int64_t)(cfg.interval * 1e9);
		}
		if (deadline && now_ns() >= deadline)
			break;
	}

	if (!pipe_closed) {
		/* stop counting first, then every record submitted is drained before the totals */
		probes_detach(&probes);
		namespaces_exit_flush(&probes, cfg.netns);
		ring_buffer__consume(rb);
		tick(&app);
		/* the last, partial interval: the listener records add up to the run */
		if (next_report)
			report_interval(&app);
		report_summary(&app);
		if (!read_totals(&probes, &totals)) {
			totals_add_client_cost(&totals, &app.listeners.cost);
			app.out->totals(stdout, &totals);
		}
		if (fflush(stdout) && errno != EPIPE)
			rc = 1;
	}
	goto out;

fail:
	fprintf(stderr, "tcpbacklog: %s\n", err);
	rc = 1;
out:
	ring_buffer__free(rb);
	metrics_stop(app.metrics);
	listeners_free(&app.listeners);
	stats_free(&app.stats);
	suppression_free(&app.suppression);
	probes_stop(&probes);
	owners_free(&app.owners);
	netns_names_free(&app.netns_names);
	cgroups_free(&app.cgroups);
	destinations_free(&app.destinations);
	free(app.destination_counts);
	return rc;
}
