// SPDX-License-Identifier: GPL-2.0
/*
 * Human-readable output: a header block, one aligned line per event,
 * listener tables per interval, latency histograms and totals at the end.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "decode/kinds.h"
#include "decode/names.h"
#include "format/escape.h"
#include "format/output.h"
#include "aggregate/stats.h"

/*
 * Every cell is a string formatted beforehand, so the header and the rows
 * share one format and stay aligned. Widths fit typical values: an IPv4
 * "255.255.255.255:65535", a full 16-byte comm, a 10-digit netns inode.
 * Longer cells push the rest of the line right but never merge columns:
 * no cell contains a space.
 */
#define ROW_FMT	"%-15s %-15s %7s %-16s %-24s %10s %-21s %-21s %9s %9s %s\n"

/* "[addr]:port" holds an IPv6 address, brackets, colon and port */
#define ENDPOINT_LEN	(EVENT_ADDR_LEN + sizeof("[]:65535"))

static void print_sysctl(FILE *out, const char *name, long v)
{
	if (v < 0)
		fprintf(out, "%s=?", name);
	else
		fprintf(out, "%s=%ld", name, v);
}

static void text_start(FILE *out, const struct start_info *info)
{
	int i;

	fputs("tcpbacklog: tracing in ", out);
	text_write_escaped(out, info->mode ? info->mode : "?");
	fputs(" mode on kernel ", out);
	text_write_escaped(out, info->kernel ? info->kernel : "?");
	if (info->syscall_hooks && !strcmp(info->syscall_hooks, "none"))
		fputs(" without syscall tracepoints (no accept/connect/bind errors from the syscalls)", out);
	fputs(", ", out);
	print_sysctl(out, "somaxconn", info->somaxconn);
	fputc(' ', out);
	print_sysctl(out, "tcp_max_syn_backlog", info->tcp_max_syn_backlog);
	fputc(' ', out);
	print_sysctl(out, "tcp_syncookies", info->tcp_syncookies);
	fputc(' ', out);
	print_sysctl(out, "tcp_abort_on_overflow", info->tcp_abort_on_overflow);

	fputs("; filters: netns=", out);
	if (info->netns)
		fprintf(out, "%" PRIu32, info->netns);
	else
		fputs("all", out);
	fputs(" ports=", out);
	if (info->nports > 0 && info->ports) {
		for (i = 0; i < info->nports; i++)
			fprintf(out, "%s%u", i ? "," : "", info->ports[i]);
	} else {
		fputs("all", out);
	}
	fputs(" pid=", out);
	if (info->pid)
		fprintf(out, "%" PRIu32, info->pid);
	else
		fputs("all", out);

	/* only when set: the usual start line stays as it was */
	if (info->cgroup && info->cgroup[0]) {
		fputs(" cgroup=", out);
		text_write_escaped(out, info->cgroup);
	}

	fprintf(out, "; %" PRIu32 " listener%s known; ", info->listeners,
		info->listeners == 1 ? "" : "s");
	if (info->duration > 0)
		fprintf(out, "stopping after %gs or Ctrl-C\n", info->duration);
	else
		fputs("Ctrl-C to stop\n", out);
	if (info->probes && info->probes[0]) {
		fputs("tcpbacklog: probes:", out);
		for (i = 0; info->probes[i]; i++) {
			fputc(' ', out);
			text_write_escaped(out, info->probes[i]);
		}
		fputc('\n', out);
	}

	fprintf(out, ROW_FMT, "TIME", "EVENT", "PID", "COMM", "ACCEPTOR", "NETNS",
		"LISTENER", "PEER", "QUEUE", "SYNQ", "DETAIL");
}

/* UTC "HH:MM:SS.uuuuuu": wide enough to order events, narrow for columns */
static void format_time(char *buf, size_t len, uint64_t time_ns)
{
	time_t sec = (time_t)(time_ns / 1000000000ULL);
	unsigned int usec = (unsigned int)(time_ns % 1000000000ULL / 1000);
	struct tm tm;

	if (!gmtime_r(&sec, &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "%02d:%02d:%02d.%06u", tm.tm_hour, tm.tm_min,
		 tm.tm_sec, usec);
}

/* "addr:port", "[addr]:port" for IPv6, "-" when unknown */
static void format_endpoint(char *buf, size_t len, const char *addr,
			    uint16_t port)
{
	char esc[TEXT_ESCAPED_MAX(EVENT_ADDR_LEN)];

	if (!addr[0]) {
		snprintf(buf, len, "-");
		return;
	}
	/* addresses come from inet_ntop, escaped anyway: the cell must stay one word */
	text_escape(esc, sizeof(esc), addr);
	if (strchr(addr, ':'))
		snprintf(buf, len, "[%s]:%u", esc, port);
	else
		snprintf(buf, len, "%s:%u", esc, port);
}

static void fmt_comm(char *buf, size_t len, const char *comm)
{
	/* an empty cell would shift every column after it */
	if (comm[0])
		text_escape(buf, len, comm);
	else
		snprintf(buf, len, "-");
}

/* "pid/comm" of a listener's acceptor, "-" none yet: the pid's digits end at the first '/' */
static void fmt_acceptor(char *buf, size_t len, uint32_t pid, const char *comm)
{
	char esc[TEXT_ESCAPED_MAX(EVENT_COMM_LEN)];

	if (!pid) {
		snprintf(buf, len, "-");
		return;
	}
	fmt_comm(esc, sizeof(esc), comm);
	snprintf(buf, len, "%" PRIu32 "/%s", pid, esc);
}

/* The namespace's name where it has one, else its inode */
static void fmt_netns(char *buf, size_t len, uint32_t netns, const char *name)
{
	if (name[0])
		text_escape(buf, len, name);
	else
		snprintf(buf, len, "%" PRIu32, netns);
}

static void fmt_u64(char *buf, size_t len, uint64_t v)
{
	snprintf(buf, len, "%" PRIu64, v);
}

/* fd usage as "nofile=N open=N", each "?" when unknown */
static void fmt_fd_usage(char *buf, size_t len, uint64_t nofile_limit, int64_t open_fds)
{
	char lim[24], open[24];

	if (!nofile_limit)
		snprintf(lim, sizeof(lim), "?");
	else if (nofile_limit == UINT64_MAX)
		snprintf(lim, sizeof(lim), "unlimited");
	else
		fmt_u64(lim, sizeof(lim), nofile_limit);
	if (open_fds < 0)
		snprintf(open, sizeof(open), "?");
	else
		snprintf(open, sizeof(open), "%" PRId64, open_fds);
	snprintf(buf, len, "nofile=%s open=%s", lim, open);
}

/*
 * "<sep><key><service>", escaped, where a process has a service (see
 * cgroup_identity_service()); nothing otherwise, so that lines without
 * one read as before. Returns the length written, as snprintf.
 */
static size_t format_service(char *buf, size_t len, const char *sep, const char *key,
			     const struct cgroup_identity *id)
{
	char service[CGROUP_PATH_LEN], esc[TEXT_ESCAPED_MAX(CGROUP_PATH_LEN)];

	if (!cgroup_identity_service(id, service, sizeof(service))[0])
		return 0;
	text_escape(esc, sizeof(esc), service);
	return (size_t)snprintf(buf, len, "%s%s%s", sep, key, esc);
}

/* The detail cell: the row's reason, errno and fd usage, in its field order, one space apart. */
static void format_detail(char *buf, size_t len, const struct kind_info *k, const struct event *ev)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < KIND_FIELDS_MAX && k->fields[i] != FIELD_END && n < len; i++) {
		const char *sep = n ? " " : "";

		switch (k->fields[i]) {
		case FIELD_REASON:
			n += snprintf(buf + n, len - n, "%s%s%s", sep, reason_name(ev->reason),
				      ev->ambiguous ? " ambiguous" : "");
			break;
		case FIELD_ERRNO:
			n += snprintf(buf + n, len - n, "%s%s", sep, errno_name(ev->err));
			break;
		case FIELD_FD_USAGE: {
			char fds[64];

			fmt_fd_usage(fds, sizeof(fds), ev->nofile_limit, ev->open_fds);
			n += snprintf(buf + n, len - n, "%s%s", sep, fds);
			break;
		}
		case FIELD_ATTEMPT:
			if (ev->attempt)
				n += snprintf(buf + n, len - n, "%sattempt=%" PRIu32, sep, ev->attempt);
			break;
		case FIELD_PORTS:
			if (ev->err != EADDRNOTAVAIL)
				break;
			n += snprintf(buf + n, len - n, "%srange=%u-%u", sep, ev->port_low, ev->port_high);
			if (ev->ports_in_use.known && n < len)
				n += snprintf(buf + n, len - n,
					      " established=%" PRIu32 " time_wait=%" PRIu32
					      " syn_sent=%" PRIu32 " other=%" PRIu32,
					      ev->ports_in_use.established, ev->ports_in_use.time_wait,
					      ev->ports_in_use.syn_sent, ev->ports_in_use.other);
			break;
		default:
			break;
		}
	}
	/* the services last, after what happened */
	for (int i = 0; i < KIND_FIELDS_MAX && k->fields[i] != FIELD_END && n < len; i++) {
		if (k->fields[i] == FIELD_IDENTITY)
			n += format_service(buf + n, len - n, n ? " " : "", "service=", &ev->identity);
		else if (k->fields[i] == FIELD_ACCEPTOR_IDENTITY)
			n += format_service(buf + n, len - n, n ? " " : "", "acceptor_service=",
					    &ev->acceptor_identity);
	}
	/* a cell is never empty: it would shift every column after it */
	if (!buf[0])
		snprintf(buf, len, "-");
}

static void text_event(FILE *out, const struct event *ev)
{
	const struct kind_info *k = kind_info(ev->kind);
	char tbuf[32], pid[16], comm[TEXT_ESCAPED_MAX(EVENT_COMM_LEN)];
	char acceptor[16 + TEXT_ESCAPED_MAX(EVENT_COMM_LEN)];
	char netns[TEXT_ESCAPED_MAX(EVENT_NETNS_NAME_LEN)], queue[32], synq[32];
	char detail[160 + 2 * TEXT_ESCAPED_MAX(CGROUP_PATH_LEN)];
	char local[TEXT_ESCAPED_MAX(ENDPOINT_LEN)];
	char peer[TEXT_ESCAPED_MAX(ENDPOINT_LEN)];

	/* a kind without a row is never printed as another one */
	if (!k)
		return;
	format_time(tbuf, sizeof(tbuf), ev->time_ns);
	snprintf(pid, sizeof(pid), "%" PRIu32, ev->pid);
	fmt_comm(comm, sizeof(comm), ev->comm);
	if (kind_has_field(k, FIELD_ACCEPTOR))
		fmt_acceptor(acceptor, sizeof(acceptor), ev->acceptor_pid, ev->acceptor_comm);
	else
		snprintf(acceptor, sizeof(acceptor), "-");
	fmt_netns(netns, sizeof(netns), ev->netns, ev->netns_name);
	/* LISTENER is the bound address wherever the listener is known; the packet's is in JSON laddr */
	if (kind_has_field(k, FIELD_LISTEN_ADDR) && ev->listen_addr[0])
		format_endpoint(local, sizeof(local), ev->listen_addr, ev->lport);
	else
		format_endpoint(local, sizeof(local), ev->laddr, ev->lport);
	if (ev->has_peer)
		format_endpoint(peer, sizeof(peer), ev->raddr, ev->rport);
	else
		snprintf(peer, sizeof(peer), "-");
	/* both now/max: the SYN queue is full past the same sk_max_ack_backlog */
	if (kind_has_field(k, FIELD_QUEUE)) {
		snprintf(queue, sizeof(queue), "%" PRIu32 "/%" PRIu32, ev->backlog, ev->backlog_max);
		snprintf(synq, sizeof(synq), "%" PRIu32 "/%" PRIu32, ev->synq, ev->backlog_max);
	} else {
		snprintf(queue, sizeof(queue), "-");
		snprintf(synq, sizeof(synq), "-");
	}
	format_detail(detail, sizeof(detail), k, ev);
	fprintf(out, ROW_FMT, tbuf, k->name, pid, comm, acceptor, netns, local, peer, queue, synq, detail);
}

static void text_suppressed(FILE *out, uint64_t time_ns, const struct listener_snapshot *s,
			    uint64_t suppressed, uint64_t lost)
{
	char tbuf[32], pid[16], comm[TEXT_ESCAPED_MAX(EVENT_COMM_LEN)], detail[96];
	char acceptor[16 + TEXT_ESCAPED_MAX(EVENT_COMM_LEN)], netns[TEXT_ESCAPED_MAX(EVENT_NETNS_NAME_LEN)];
	char local[TEXT_ESCAPED_MAX(ENDPOINT_LEN)];

	format_time(tbuf, sizeof(tbuf), time_ns);
	snprintf(pid, sizeof(pid), "%" PRIu32, s->pid);
	fmt_comm(comm, sizeof(comm), s->comm);
	fmt_acceptor(acceptor, sizeof(acceptor), s->acceptor_pid, s->acceptor_comm);
	fmt_netns(netns, sizeof(netns), s->netns, s->netns_name);
	format_endpoint(local, sizeof(local), s->laddr, s->lport);
	snprintf(detail, sizeof(detail), "%" PRIu64 " over the rate limit, %" PRIu64 " lost", suppressed, lost);
	fprintf(out, ROW_FMT, tbuf, "suppressed", pid, comm, acceptor, netns, local, "-", "-", "-", detail);
}

static void text_totals(FILE *out, const struct totals *t)
{
	fputs("totals:", out);
	for (size_t i = 0; i < nkinds; i++) {
		const struct kind_info *k = &kinds[i];
		const char *at = (const char *)t;

		fprintf(out, " %s=%" PRIu64, k->name, *(const uint64_t *)(at + k->total));
		if (k->breakdown == BREAKDOWN_REASONS) {
			const uint64_t *by_reason = (const uint64_t *)(at + k->breakdown_total);

			fprintf(out, " (%s=%" PRIu64 " %s=%" PRIu64 " %s=%" PRIu64 ")",
				reason_name(TB_REASON_ACCEPT_QUEUE_FULL), by_reason[TB_REASON_ACCEPT_QUEUE_FULL],
				reason_name(TB_REASON_SYN_QUEUE_FULL), by_reason[TB_REASON_SYN_QUEUE_FULL],
				reason_name(TB_REASON_OTHER), by_reason[TB_REASON_OTHER]);
		} else if (k->breakdown == BREAKDOWN_OTHER) {
			fprintf(out, " (other=%" PRIu64 ")", *(const uint64_t *)(at + k->breakdown_total));
		}
	}
	fprintf(out, " suppressed=%" PRIu64 " lost=%" PRIu64 " registry_full=%" PRIu64
		" ambiguous=%" PRIu64 " late=%" PRIu64 " missed_runs=%" PRIu64,
		t->suppressed, t->lost, t->registry_full, t->ambiguous, t->late, t->missed_runs);
	fprintf(out, " tuples_tracked=%" PRIu64 " delayed=%" PRIu64 " abandoned=%" PRIu64 " untracked=%" PRIu64
		" pending=%" PRIu64 " retried_syns=%" PRIu64 " synack_retransmits=%" PRIu64 "\n",
		t->tuples_tracked, t->delayed, t->abandoned, t->untracked, t->pending, t->retried_syns,
		t->synack_retransmits);
}

/*
 * Listener table of an interval: one shared format for header and rows,
 * cells formatted beforehand, as for events. Counts are per interval.
 */
#define LST_FMT	"%-21s %7s %-16s %11s %5s %11s %5s %7s %7s %7s %8s %5s %8s %8s %8s %s\n"

static void fmt_latency(char *buf, size_t len, uint64_t us, uint64_t count)
{
	if (count)
		fmt_u64(buf, len, us);
	else
		snprintf(buf, len, "-");
}

/* The cells naming a listener: its endpoint, and its owner's pid ("-" unknown) and comm. */
static void format_listener(char local[TEXT_ESCAPED_MAX(ENDPOINT_LEN)], char pid[16],
			    char comm[TEXT_ESCAPED_MAX(EVENT_COMM_LEN)], const struct listener_snapshot *s)
{
	format_endpoint(local, TEXT_ESCAPED_MAX(ENDPOINT_LEN), s->laddr, s->lport);
	if (s->pid)
		snprintf(pid, 16, "%" PRIu32, s->pid);
	else
		snprintf(pid, 16, "-");
	fmt_comm(comm, TEXT_ESCAPED_MAX(EVENT_COMM_LEN), s->comm);
}

/* Under a listener's row: a line per process that accepted from it in the interval, then the rest summed. */
static void text_acceptors(FILE *out, const struct listener_snapshot *s)
{
	char who[16 + TEXT_ESCAPED_MAX(EVENT_COMM_LEN)], fds[64];

	for (int i = 0; i < s->nacceptors && i < SNAPSHOT_ACCEPTORS; i++) {
		const struct acceptor_stats *a = &s->acceptors[i];

		fmt_acceptor(who, sizeof(who), a->pid, a->comm);
		fmt_fd_usage(fds, sizeof(fds), a->nofile_limit, a->open_fds);
		fprintf(out, "  acceptor %s accepts=%" PRIu64 " errors=%" PRIu64 " %s\n",
			who, a->accepts, a->accept_errors, fds);
	}
	if (s->acceptors_other.processes)
		fprintf(out, "  acceptors_other processes=%" PRIu32 " accepts=%" PRIu64 " errors=%" PRIu64 "\n",
			s->acceptors_other.processes, s->acceptors_other.accepts,
			s->acceptors_other.accept_errors);
}

/* What the drops cost the clients, under the listener's row when they cost anything. */
static void text_client_cost(FILE *out, const struct listener_report *r)
{
	const struct listener_snapshot *s = r->now;

	if (!r->delayed && !r->retried_syns && !r->synack_retransmits && !r->abandoned && !r->untracked &&
	    !s->pending)
		return;
	fprintf(out, "  clients: delayed=%" PRIu64, r->delayed);
	if (r->delay.count)
		fprintf(out, " delay_p50us=%" PRIu64 " delay_p99us=%" PRIu64 " delay_maxus=%" PRIu64,
			r->delay.p50_us, r->delay.p99_us, r->delay.max_us);
	fprintf(out, " retried_syns=%" PRIu64 " synack_retransmits=%" PRIu64 " abandoned=%" PRIu64
		" untracked=%" PRIu64 " pending=%" PRIu64 "\n",
		r->retried_syns, r->synack_retransmits, r->abandoned, r->untracked, s->pending);
}

static void text_listener(FILE *out, const struct listener_report *r)
{
	const struct listener_snapshot *s = r->now;
	char local[TEXT_ESCAPED_MAX(ENDPOINT_LEN)], comm[TEXT_ESCAPED_MAX(EVENT_COMM_LEN)];
	char pid[16], queue[32], peak[16], synq[32], synq_peak[16], drops[24], overfl[24];
	char cookies[24], accepts[24], errs[24], p50[24], p99[24], max[24];
	char service[CGROUP_PATH_LEN], esc_service[TEXT_ESCAPED_MAX(CGROUP_PATH_LEN)];

	format_listener(local, pid, comm, s);
	/* the owner's: unit, container or cgroup, "-" for none */
	if (cgroup_identity_service(&s->identity, service, sizeof(service))[0])
		text_escape(esc_service, sizeof(esc_service), service);
	else
		snprintf(esc_service, sizeof(esc_service), "-");
	if (s->closed) {
		snprintf(queue, sizeof(queue), "closed");	/* its counts end at the close */
		snprintf(synq, sizeof(synq), "-");
	} else {
		snprintf(queue, sizeof(queue), "%" PRIu32 "/%" PRIu32, s->backlog, s->backlog_max);
		snprintf(synq, sizeof(synq), "%" PRIu32 "/%" PRIu32, s->synq, s->backlog_max);
	}
	snprintf(peak, sizeof(peak), "%" PRIu32, s->backlog_peak);
	snprintf(synq_peak, sizeof(synq_peak), "%" PRIu32, s->synq_peak);
	fmt_u64(drops, sizeof(drops), r->syn_drops);
	fmt_u64(overfl, sizeof(overfl), r->accept_overflows);
	fmt_u64(cookies, sizeof(cookies), r->syncookies);
	fmt_u64(accepts, sizeof(accepts), r->accepts);
	fmt_u64(errs, sizeof(errs), r->accept_errors);
	fmt_latency(p50, sizeof(p50), r->latency.p50_us, r->latency.count);
	fmt_latency(p99, sizeof(p99), r->latency.p99_us, r->latency.count);
	fmt_latency(max, sizeof(max), r->latency.max_us, r->latency.count);

	fprintf(out, LST_FMT, local, pid, comm, queue, peak, synq, synq_peak, drops, overfl,
		cookies, accepts, errs, p50, p99, max, esc_service);
	text_acceptors(out, s);
	text_client_cost(out, r);
}

/* hint texts are sentences: keep the spaces, escape each word */
static void write_words(FILE *out, const char *text)
{
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, " ");
		char word[TEXT_ESCAPED_MAX(HINT_TEXT_LEN)];

		if (n) {
			char raw[HINT_TEXT_LEN];

			if (n >= sizeof(raw))
				n = sizeof(raw) - 1;
			memcpy(raw, p, n);
			raw[n] = '\0';
			text_escape(word, sizeof(word), raw);
			fputs(word, out);
			p += n;
		}
		if (*p == ' ') {
			fputc(' ', out);
			p++;
		}
	}
}

/* "hint 127.0.0.1:8080: text", a destination's "hint -> 10.0.0.2:5432: text" */
static void text_hint(FILE *out, const struct hint *h)
{
	char endpoint[TEXT_ESCAPED_MAX(ENDPOINT_LEN)];

	if (h->raddr[0]) {
		format_endpoint(endpoint, sizeof(endpoint), h->raddr, h->rport);
		fprintf(out, "hint -> %s: ", endpoint);
	} else {
		format_endpoint(endpoint, sizeof(endpoint), h->laddr, h->lport);
		fprintf(out, "hint %s: ", endpoint);
	}
	write_words(out, h->text);
	fputc('\n', out);
}

static void text_interval(FILE *out, uint64_t time_ns, const struct listener_report *reports,
			  int n, const struct hint *hints, int nhints)
{
	char tbuf[32];
	time_t sec = (time_t)(time_ns / 1000000000ULL);
	struct tm tm;
	int i;

	if (gmtime_r(&sec, &tm))
		snprintf(tbuf, sizeof(tbuf), "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
	else
		snprintf(tbuf, sizeof(tbuf), "?");
	fprintf(out, "--- %s listeners ---\n", tbuf);
	if (n <= 0) {
		fputs("(no active listeners)\n", out);
	} else {
		fprintf(out, LST_FMT, "LISTENER", "PID", "COMM", "QUEUE", "PEAK",
			"SYNQ", "SYNPK", "DROPS", "OVERFL", "COOKIES", "ACCEPTS", "ERRS",
			"P50us", "P99us", "MAXus", "SERVICE");
		for (i = 0; i < n; i++)
			text_listener(out, &reports[i]);
	}
	for (i = 0; i < nhints; i++)
		text_hint(out, &hints[i]);
}

/* "destination 10.0.0.2:5432 netns=N connects=N connect_errors=N errnos=E:N,... ports_in_use=... port_range=L-H" */
static void text_destination(FILE *out, const struct destination_report *r)
{
	char dest[TEXT_ESCAPED_MAX(ENDPOINT_LEN)];

	format_endpoint(dest, sizeof(dest), r->raddr, r->rport);
	fprintf(out, "destination %s netns=%" PRIu32 " connects=%" PRIu64 " connect_errors=%" PRIu64 " errnos=",
		dest, r->netns, r->connects, r->connect_errors);
	for (int i = 0; i < r->nerrnos && i < DESTINATION_ERRNOS; i++)
		fprintf(out, "%s%s:%" PRIu64, i ? "," : "", errno_name(r->errnos[i].err), r->errnos[i].count);
	if (!r->nerrnos)
		fputc('-', out);
	if (r->ports_in_use.known)
		fprintf(out, " ports_in_use=established:%" PRIu32 ",time_wait:%" PRIu32 ",syn_sent:%" PRIu32
			",other:%" PRIu32,
			r->ports_in_use.established, r->ports_in_use.time_wait,
			r->ports_in_use.syn_sent, r->ports_in_use.other);
	else
		fputs(" ports_in_use=-", out);
	if (r->ports_peak || r->ports_in_use.known)
		fprintf(out, " ports_peak=%" PRIu32, r->ports_peak);
	else
		fputs(" ports_peak=-", out);
	if (r->port_high)
		fprintf(out, " port_range=%u-%u\n", r->port_low, r->port_high);
	else
		fputs(" port_range=-\n", out);
}

static void text_destinations(FILE *out, uint64_t time_ns, const struct destination_report *r, int n,
			      int omitted, const struct hint *hints, int nhints)
{
	int i;

	for (i = 0; i < n; i++)
		text_destination(out, &r[i]);
	if (omitted > 0)
		fprintf(out, "destinations omitted: %d more\n", omitted);
	for (i = 0; i < nhints; i++)
		text_hint(out, &hints[i]);
}

#define HIST_BAR	40

/* "     0 -> 1          : 3        |****                  |", as runqlat draws it */
static void print_histogram(FILE *out, const uint64_t h[TB_LAT_SLOTS])
{
	uint64_t top = 0;
	int first = -1, last = -1, i;

	for (i = 0; i < TB_LAT_SLOTS; i++) {
		if (!h[i])
			continue;
		if (first < 0)
			first = i;
		last = i;
		if (h[i] > top)
			top = h[i];
	}
	if (first < 0)
		return;
	fputs("     usecs               : count     distribution\n", out);
	for (i = first; i <= last; i++) {
		char low[24], high[24], bar[HIST_BAR + 1];
		/* rounded up: any sample at all gets a star */
		unsigned int stars =
			(unsigned int)(((unsigned __int128)h[i] * HIST_BAR + top - 1) / top);

		fmt_u64(low, sizeof(low), hist_slot_low_us(i));
		if (hist_slot_high_us(i) == UINT64_MAX)
			snprintf(high, sizeof(high), "inf");
		else
			fmt_u64(high, sizeof(high), hist_slot_high_us(i) - 1);
		memset(bar, '*', stars);
		bar[stars] = '\0';
		fprintf(out, "%10s -> %-10s : %-8" PRIu64 " |%-*s|\n", low, high, h[i],
			HIST_BAR, bar);
	}
}

static void text_summary(FILE *out, const struct listener_report *reports, int n)
{
	char local[TEXT_ESCAPED_MAX(ENDPOINT_LEN)], comm[TEXT_ESCAPED_MAX(EVENT_COMM_LEN)];
	char pid[16];
	int i;

	for (i = 0; i < n; i++) {
		const struct listener_report *r = &reports[i];
		const struct listener_snapshot *s = r->now;

		if (!r->latency.count || !s)
			continue;
		format_listener(local, pid, comm, s);
		fprintf(out, "\naccept latency, %s (%s %s): %" PRIu64 " accept%s, p50 %"
			PRIu64 " us, p99 %" PRIu64 " us, max %" PRIu64 " us\n",
			local, pid, comm, r->latency.count,
			r->latency.count == 1 ? "" : "s", r->latency.p50_us,
			r->latency.p99_us, r->latency.max_us);
		print_histogram(out, r->lat_us_hist);
	}
}

const struct output output_text = {
	.name = "text", .start = text_start, .event = text_event, .interval = text_interval,
	.destinations = text_destinations,
	.suppressed = text_suppressed, .summary = text_summary, .totals = text_totals,
};
