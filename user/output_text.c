// SPDX-License-Identifier: GPL-2.0
/* Human-readable output: a header block, one aligned line per event, totals. */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "output.h"

/*
 * Every cell is a string formatted beforehand, so the header and the rows
 * share one format and stay aligned. Widths fit typical values: an IPv4
 * "255.255.255.255:65535", a full 16-byte comm, a 10-digit netns inode.
 * Longer cells push the rest of the line right but never merge columns:
 * no cell contains a space.
 */
#define ROW_FMT	"%-15s %-15s %7s %-16s %10s %-21s %-21s %9s %5s %s\n"

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

	fprintf(out, ROW_FMT, "TIME", "EVENT", "PID", "COMM", "NETNS",
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

static void text_event(FILE *out, const struct event *ev)
{
	char tbuf[32], pid[16], comm[TEXT_ESCAPED_MAX(EVENT_COMM_LEN)];
	char netns[16], queue[32], synq[16], detail[96];
	char local[TEXT_ESCAPED_MAX(ENDPOINT_LEN)];
	char peer[TEXT_ESCAPED_MAX(ENDPOINT_LEN)];

	format_time(tbuf, sizeof(tbuf), ev->time_ns);
	snprintf(pid, sizeof(pid), "%" PRIu32, ev->pid);
	/* an empty cell would shift every column after it */
	if (ev->comm[0])
		text_escape(comm, sizeof(comm), ev->comm);
	else
		snprintf(comm, sizeof(comm), "-");
	snprintf(netns, sizeof(netns), "%" PRIu32, ev->netns);
	format_endpoint(local, sizeof(local), ev->laddr, ev->lport);
	if (ev->has_peer)
		format_endpoint(peer, sizeof(peer), ev->raddr, ev->rport);
	else
		snprintf(peer, sizeof(peer), "-");

	if (ev->kind == TB_KIND_ACCEPT_ERROR) {
		char nofile[24], open_fds[24];

		snprintf(queue, sizeof(queue), "-");
		snprintf(synq, sizeof(synq), "-");
		if (ev->nofile_limit == UINT64_MAX)	/* RLIM_INFINITY */
			snprintf(nofile, sizeof(nofile), "unlimited");
		else
			snprintf(nofile, sizeof(nofile), "%" PRIu64,
				 ev->nofile_limit);
		if (ev->open_fds < 0)
			snprintf(open_fds, sizeof(open_fds), "?");
		else
			snprintf(open_fds, sizeof(open_fds), "%" PRId64,
				 ev->open_fds);
		snprintf(detail, sizeof(detail), "%s nofile=%s open=%s",
			 errno_name(ev->err), nofile, open_fds);
	} else {
		snprintf(queue, sizeof(queue), "%" PRIu32 "/%" PRIu32,
			 ev->backlog, ev->backlog_max);
		snprintf(synq, sizeof(synq), "%" PRIu32, ev->synq);
		snprintf(detail, sizeof(detail), "%s", reason_name(ev->reason));
	}

	fprintf(out, ROW_FMT, tbuf, kind_name(ev->kind), pid, comm, netns,
		local, peer, queue, synq, detail);
}

static void text_totals(FILE *out, const struct totals *t)
{
	fprintf(out, "totals: syn_drop=%" PRIu64 " (%s=%" PRIu64 " %s=%" PRIu64
		" %s=%" PRIu64 ") accept_overflow=%" PRIu64
		" (other=%" PRIu64 ") accept_error=%" PRIu64
		" suppressed=%" PRIu64 " lost=%" PRIu64
		" registry_full=%" PRIu64 "\n",
		t->syn_drop,
		reason_name(TB_REASON_ACCEPT_QUEUE_FULL),
		t->syn_drop_by_reason[TB_REASON_ACCEPT_QUEUE_FULL],
		reason_name(TB_REASON_SYN_QUEUE_FULL),
		t->syn_drop_by_reason[TB_REASON_SYN_QUEUE_FULL],
		reason_name(TB_REASON_OTHER),
		t->syn_drop_by_reason[TB_REASON_OTHER],
		t->accept_overflow, t->accept_overflow_other,
		t->accept_error, t->suppressed, t->lost, t->registry_full);
}

const struct output output_text = {
	.name	= "text",
	.start	= text_start,
	.event	= text_event,
	.totals	= text_totals,
};
