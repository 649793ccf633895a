// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus text exposition of the series (series.c: one per label set,
 * kept across reads): each metric family is written from the table
 * below, in its order.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/escape.h"
#include "decode/names.h"
#include "format/exposition.h"
#include "format/series.h"

#ifndef TB_VERSION
#define TB_VERSION	"unknown"
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define STRINGIFY_(x)	#x
#define STRINGIFY(x)	STRINGIFY_(x)

/*
 * micros / 10^6 in the shortest form that reads back exactly, spelled as
 * Go's strconv 'g' does (what Prometheus' own clients print): "2e-06",
 * "1.6e-05", "0.000128", "1.048576", "1.5e+06". Exact: no binary
 * floating point on the way.
 */
static void put_seconds(FILE *out, unsigned __int128 micros)
{
	char digits[48];
	int len = 0, nd, exp, i;

	do {
		digits[len++] = (char)('0' + (int)(micros % 10));
		micros /= 10;
	} while (micros);
	for (i = 0; i < len / 2; i++) {
		char c = digits[i];

		digits[i] = digits[len - 1 - i];
		digits[len - 1 - i] = c;
	}
	if (len == 1 && digits[0] == '0') {
		fputc('0', out);
		return;
	}
	nd = len;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	exp = len - 1 - 6;	/* decimal exponent of the first digit */

	if (exp < -4 || exp >= 6) {
		fputc(digits[0], out);
		if (nd > 1)
			fprintf(out, ".%.*s", nd - 1, digits + 1);
		fprintf(out, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
		return;
	}
	if (exp < 0) {
		fputs("0.", out);
		for (i = -1; i > exp; i--)
			fputc('0', out);
		fprintf(out, "%.*s", nd, digits);
		return;
	}
	/* exp + 1 digits before the point, padded with zeros if nd is shorter */
	for (i = 0; i <= exp; i++)
		fputc(i < nd ? digits[i] : '0', out);
	if (nd > exp + 1)
		fprintf(out, ".%.*s", nd - exp - 1, digits + exp + 1);
}

/* ------------------------------------------------------- family writers -- */

/* The samples one family has for one series. */
typedef void (*put_samples_fn)(FILE *out, const char *name, const struct series *s);

static void put_syn_drops(FILE *out, const char *name, const struct series *s)
{
	static const enum tb_reason reasons[] = {
		TB_REASON_ACCEPT_QUEUE_FULL, TB_REASON_SYN_QUEUE_FULL, TB_REASON_OTHER,
	};
	size_t r;

	for (r = 0; r < ARRAY_SIZE(reasons); r++)
		fprintf(out, "%s{%s,reason=\"%s\"} %" PRIu64 "\n", name, s->labels,
			reason_name(reasons[r]), s->total.syn_drops[reasons[r]]);
}

static void put_accept_errors(FILE *out, const char *name, const struct series *s)
{
	size_t e;

	for (e = 0; e < s->nerrnos; e++)
		fprintf(out, "%s{%s,error=\"%s\"} %" PRIu64 "\n", name, s->labels,
			errno_name(s->errnos[e].err), s->errnos[e].count);
}

/*
 * Midpoint of latency slot i in microseconds: [0, 2) -> 1, [2^i, 2^(i+1))
 * -> 3 * 2^(i-1). The open-ended last slot is taken as if it were closed
 * at twice its start, like the others.
 */
static uint64_t slot_mid_us(int i)
{
	return i == 0 ? 1 : 3ULL << (i - 1);
}

static void put_log2_histogram(FILE *out, const char *name, const struct series *s,
			       const uint64_t hist[TB_LAT_SLOTS])
{
	unsigned __int128 sum_us = 0;
	uint64_t cum = 0;
	int k;

	/* the last slot is open-ended: it only shows in +Inf */
	for (k = 0; k < TB_LAT_SLOTS - 1; k++) {
		cum += hist[k];
		fprintf(out, "%s_bucket{%s,le=\"", name, s->labels);
		put_seconds(out, 2ULL << k);
		fprintf(out, "\"} %" PRIu64 "\n", cum);
	}
	cum += hist[TB_LAT_SLOTS - 1];
	fprintf(out, "%s_bucket{%s,le=\"+Inf\"} %" PRIu64 "\n", name, s->labels, cum);
	for (k = 0; k < TB_LAT_SLOTS; k++)
		sum_us += (unsigned __int128)hist[k] * slot_mid_us(k);
	fprintf(out, "%s_sum{%s} ", name, s->labels);
	put_seconds(out, sum_us);
	fprintf(out, "\n%s_count{%s} %" PRIu64 "\n", name, s->labels, cum);
}

static void put_latency_histogram(FILE *out, const char *name, const struct series *s)
{
	put_log2_histogram(out, name, s, s->total.lat_us_hist);
}

static void put_delay_histogram(FILE *out, const char *name, const struct series *s)
{
	put_log2_histogram(out, name, s, s->total.delay_us_hist);
}

#define SERIES_FIELD(field)	.offset = offsetof(struct series, field)

/*
 * The per-listener families, in output order: one sample per series from
 * the uint64_t at offset, or what put_samples writes. A gauge describes
 * listeners listening now: a series whose listeners all closed has none
 * (its counters stay, see series.h).
 */
static const struct listener_family {
	const char *name;
	const char *type;
	const char *help;
	size_t offset;
	put_samples_fn put_samples;
	bool gauge;
} listener_families[] = {
	{ "tcpbacklog_syn_drops_total", "counter",
	  "SYNs a listener dropped, by reason: accept_queue_full (the application "
	  "accepts too slowly), syn_queue_full (half-open queue full, no syncookies), other.",
	  .put_samples = put_syn_drops },
	{ "tcpbacklog_accept_overflows_total", "counter",
	  "Final ACKs of handshakes a listener dropped because its accept queue was full.",
	  SERIES_FIELD(total.accept_overflows) },
	{ "tcpbacklog_accept_errors_total", "counter",
	  "accept() and accept4() failures on a listener, by errno.",
	  .put_samples = put_accept_errors },
	{ "tcpbacklog_syncookies_total", "counter",
	  "SYN-ACKs a listener sent with a SYN cookie because its SYN queue was full.",
	  SERIES_FIELD(total.syncookies) },
	{ "tcpbacklog_accepts_total", "counter",
	  "Connections taken from a listener's accept queue by accept().",
	  SERIES_FIELD(total.accepts) },
	{ "tcpbacklog_accept_queue_length", "gauge",
	  "Established connections waiting for accept() now (summed over listeners "
	  "sharing these labels, e.g. SO_REUSEPORT).", SERIES_FIELD(backlog), .gauge = true },
	{ "tcpbacklog_accept_queue_max", "gauge",
	  "Accept queue limit: the listen() backlog after the somaxconn clamp "
	  "(summed over listeners sharing these labels).", SERIES_FIELD(backlog_max), .gauge = true },
	{ "tcpbacklog_syn_queue_length", "gauge",
	  "Half-open connections (SYN received, SYN-ACK sent) now (summed over "
	  "listeners sharing these labels).", SERIES_FIELD(synq), .gauge = true },
	{ "tcpbacklog_accept_latency_seconds", "histogram",
	  "Time from a connection entering the accept queue to accept() returning it. "
	  "Bucket counts are exact (log2 microsecond slots); _sum is an estimate that "
	  "takes each slot's midpoint.",
	  .put_samples = put_latency_histogram },
	{ "tcpbacklog_connections_delayed_total", "counter",
	  "Connections established only after one of their SYNs or final ACKs was dropped "
	  "by the listener and sent again.", SERIES_FIELD(total.delayed) },
	{ "tcpbacklog_connection_delay_seconds", "histogram",
	  "Delay the drops added to the delayed connections: from the first dropped packet "
	  "to the connection established at the listener. Buckets exact (log2 microsecond "
	  "slots); _sum takes each slot's midpoint.",
	  .put_samples = put_delay_histogram },
	{ "tcpbacklog_retried_syns_total", "counter",
	  "SYNs sent again by clients whose earlier SYN the listener dropped.",
	  SERIES_FIELD(total.retried_syns) },
	{ "tcpbacklog_synack_retransmits_total", "counter",
	  "SYN-ACKs the listener sent again (final ACK dropped or lost, or a SYN repeated).",
	  SERIES_FIELD(total.synack_retransmits) },
	{ "tcpbacklog_connections_abandoned_total", "counter",
	  "Connection attempts with a dropped packet that never got in and sent nothing for "
	  "--abandon-after seconds.", SERIES_FIELD(total.abandoned) },
	{ "tcpbacklog_connections_untracked_total", "counter",
	  "Connection attempts with a dropped packet the tracer's bounded 4-tuple map had "
	  "no room to follow (their outcome is unknown).", SERIES_FIELD(total.untracked) },
	{ "tcpbacklog_suppressed_events_total", "counter",
	  "Event records of a listener held back by --rate-limit (still counted above).",
	  SERIES_FIELD(total.suppressed) },
	{ "tcpbacklog_lost_events_total", "counter",
	  "Event records of a listener lost because the ring buffer was full "
	  "(still counted above).", SERIES_FIELD(total.lost) },
};

/* The tracer's own totals: one unlabelled counter each. */
static const struct tracer_counter {
	const char *name;
	const char *help;
	size_t offset;			/* of a uint64_t in struct totals */
} tracer_counters[] = {
	{ "tcpbacklog_tracer_suppressed_events_total",
	  "Event records held back by --rate-limit, all listeners.",
	  offsetof(struct totals, suppressed) },
	{ "tcpbacklog_tracer_lost_events_total",
	  "Event records lost because the ring buffer was full, all listeners.",
	  offsetof(struct totals, lost) },
	{ "tcpbacklog_tracer_registry_full_total",
	  "Listeners the tracer could not register because its listener map was full: "
	  "they have no per-listener series.",
	  offsetof(struct totals, registry_full) },
	{ "tcpbacklog_tracer_ambiguous_drops_total",
	  "Listen drops whose SO_REUSEPORT member was a guess (two members dropped at "
	  "the same instant): per-listener series may have swapped them.",
	  offsetof(struct totals, ambiguous) },
	{ "tcpbacklog_tracer_late_drops_total",
	  "Listen drops no packet showed, taken from the kernel's counters when the tracer "
	  "stopped: in the totals, on no listener.",
	  offsetof(struct totals, late) },
	{ "tcpbacklog_tracer_missed_runs_total",
	  "Runs of the tracer's programs the kernel skipped (one already running on that "
	  "CPU): drops stay counted, accepts and latency samples may be short.",
	  offsetof(struct totals, missed_runs) },
};

static uint64_t u64_at(const void *base, size_t offset)
{
	return *(const uint64_t *)((const char *)base + offset);
}

static void put_family_header(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void put_listener_family(FILE *out, const struct listener_family *f,
				const struct series_table *table)
{
	size_t i;

	put_family_header(out, f->name, f->type, f->help);
	for (i = 0; i < table->count; i++) {
		const struct series *s = table->series[i];

		if (f->gauge && !s->listening)
			continue;
		if (f->put_samples)
			f->put_samples(out, f->name, s);
		else
			fprintf(out, "%s{%s} %" PRIu64 "\n", f->name, s->labels,
				u64_at(s, f->offset));
	}
}

/*
 * tcpbacklog_connect_errors_total{netns,error}, and per destination of the
 * last interval tcpbacklog_local_ports_in_use{netns,raddr,rport,state}
 * and tcpbacklog_local_port_range_size{netns,raddr,rport}.
 */
static void put_outbound(FILE *out, const struct outbound_metrics *o)
{
	char addr[PROM_LABEL_ESCAPED_MAX(EVENT_ADDR_LEN)];
	size_t i;

	put_family_header(out, "tcpbacklog_connect_errors_total", "counter",
			  "Failed outbound connect()s per network namespace, by errno (counted per "
			  "destination in the kernel: up to 4096 destinations).");
	for (i = 0; i < o->nerrors; i++)
		fprintf(out, "tcpbacklog_connect_errors_total{netns=\"%" PRIu32 "\",error=\"%s\"} %" PRIu64 "\n",
			o->errors[i].netns, errno_name(o->errors[i].err), o->errors[i].count);
	put_family_header(out, "tcpbacklog_local_ports_in_use", "gauge",
			  "Local ports held toward a destination that failed or runs short of ports, "
			  "by TCP state, at the last interval (-i).");
	for (i = 0; i < o->ndestinations; i++) {
		const struct destination_report *d = &o->destinations[i];
		const struct {
			const char *name;
			uint32_t value;
		} states[] = {
			{ "established", d->ports_in_use.established }, { "time_wait", d->ports_in_use.time_wait },
			{ "syn_sent", d->ports_in_use.syn_sent }, { "other", d->ports_in_use.other },
		};

		if (!d->ports_in_use.known)
			continue;
		prom_label_escape(addr, sizeof(addr), d->raddr, EVENT_ADDR_LEN);
		for (size_t k = 0; k < ARRAY_SIZE(states); k++)
			fprintf(out, "tcpbacklog_local_ports_in_use{netns=\"%" PRIu32 "\",raddr=\"%s\",rport=\"%u\","
				"state=\"%s\"} %" PRIu32 "\n", d->netns, addr, d->rport, states[k].name, states[k].value);
	}
	put_family_header(out, "tcpbacklog_local_port_range_size", "gauge",
			  "Ports in the namespace's ip_local_port_range, per destination of the last interval "
			  "whose range a failed connect told.");
	for (i = 0; i < o->ndestinations; i++) {
		const struct destination_report *d = &o->destinations[i];

		if (!d->port_high || d->port_high < d->port_low)
			continue;
		prom_label_escape(addr, sizeof(addr), d->raddr, EVENT_ADDR_LEN);
		fprintf(out, "tcpbacklog_local_port_range_size{netns=\"%" PRIu32 "\",raddr=\"%s\",rport=\"%u\"} %u\n",
			d->netns, addr, d->rport, d->port_high - d->port_low + 1u);
	}
}

static void put_all(FILE *out, const struct series_table *table, const struct totals *t,
		    const struct outbound_metrics *o)
{
	/* the version comes from git describe: escape it like any label value */
	char version[PROM_LABEL_ESCAPED_MAX(64)];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(listener_families); i++)
		put_listener_family(out, &listener_families[i], table);

	put_family_header(out, "tcpbacklog_listen_drops_total", "counter",
			  "Listen drops in the traced scope, all listeners: syn_drop + accept_overflow "
			  "equals the kernel's TcpExtListenDrops.");
	fprintf(out, "tcpbacklog_listen_drops_total{kind=\"syn_drop\"} %" PRIu64 "\n", t->syn_drop);
	fprintf(out, "tcpbacklog_listen_drops_total{kind=\"accept_overflow\"} %" PRIu64 "\n",
		t->accept_overflow);
	for (i = 0; i < ARRAY_SIZE(tracer_counters); i++) {
		const struct tracer_counter *c = &tracer_counters[i];

		put_family_header(out, c->name, "counter", c->help);
		fprintf(out, "%s %" PRIu64 "\n", c->name, u64_at(t, c->offset));
	}
	put_family_header(out, "tcpbacklog_tracer_series_evicted_total", "counter",
			  "Label sets of closed listeners dropped before their retention ended, to "
			  "keep at most " STRINGIFY(SERIES_RETAINED_MAX) " of them: a listener returning with "
			  "those labels starts them from zero.");
	fprintf(out, "tcpbacklog_tracer_series_evicted_total %" PRIu64 "\n", table->evicted);

	if (o)
		put_outbound(out, o);
	put_family_header(out, "tcpbacklog_info", "gauge", "Version of the running tracer.");
	prom_label_escape(version, sizeof(version), TB_VERSION, 64);
	fprintf(out, "tcpbacklog_info{version=\"%s\"} 1\n", version);
}

size_t exposition_render(const struct series_table *table, const struct totals *t, char **out)
{
	return exposition_render_outbound(table, t, NULL, out);
}

size_t exposition_render_outbound(const struct series_table *table, const struct totals *t,
				  const struct outbound_metrics *o, char **out)
{
	static const struct series_table no_series;
	static const struct totals no_totals;
	size_t len = 0;
	FILE *f;

	*out = NULL;
	f = open_memstream(out, &len);
	if (!f)
		return 0;
	put_all(f, table ? table : &no_series, t ? t : &no_totals, o);
	if (fclose(f)) {
		free(*out);
		*out = NULL;
		len = 0;
	}
	return len;
}
