// SPDX-License-Identifier: GPL-2.0
/*
 * JSON Lines output: one object per line, "event" always the first key.
 * Field names are an interface other tools parse: change them only on
 * purpose. Every string goes through json_write_string().
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sys/socket.h>
#include <time.h>

#include "decode/kinds.h"
#include "decode/names.h"
#include "format/escape.h"
#include "format/output.h"

/* N, or null when unknown */
static void put_u64_value(FILE *out, uint64_t v, bool known)
{
	if (known)
		fprintf(out, "%" PRIu64, v);
	else
		fputs("null", out);
}

/* ,"<key>":N, or null when unknown */
static void put_u64_or_null(FILE *out, const char *key, uint64_t v, bool known)
{
	fprintf(out, ",\"%s\":", key);
	put_u64_value(out, v, known);
}

/* a string, or null for none */
static void put_str_or_null(FILE *out, const char *s)
{
	if (s)
		json_write_string(out, s);
	else
		fputs("null", out);
}

/* ,"<prefix>cgroup":..,"<prefix>unit":..,"<prefix>container":..,"<prefix>pod_uid":.., each null when absent */
static void put_identity(FILE *out, const char *prefix, const struct cgroup_identity *id)
{
	const struct {
		const char *key;
		const char *value;
	} parts[] = {
		{ "cgroup", id->path }, { "unit", id->unit }, { "container", id->container }, { "pod_uid", id->pod_uid },
	};

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		fprintf(out, ",\"%s%s\":", prefix, parts[i].key);
		put_str_or_null(out, parts[i].value[0] ? parts[i].value : NULL);
	}
}

/* ,"<key>":seconds, or null when not set */
static void put_seconds_or_null(FILE *out, const char *key, double v)
{
	fprintf(out, ",\"%s\":", key);
	/* %.15g round-trips any duration typed on the command line */
	if (v > 0 && isfinite(v))
		fprintf(out, "%.15g", v);
	else
		fputs("null", out);
}

/* {"accept_queue_full":N,"syn_queue_full":N,"other":N} */
static void put_reasons(FILE *out, const uint64_t by_reason[TB_REASON_MAX])
{
	static const int reasons[] = { TB_REASON_ACCEPT_QUEUE_FULL, TB_REASON_SYN_QUEUE_FULL, TB_REASON_OTHER };

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		fprintf(out, "%s\"%s\":%" PRIu64, i ? "," : "{", reason_name(reasons[i]), by_reason[reasons[i]]);
	fputc('}', out);
}

/* -1 (unreadable) becomes null */
static void put_long_or_null(FILE *out, long v)
{
	if (v < 0)
		fputs("null", out);
	else
		fprintf(out, "%ld", v);
}

static void json_start(FILE *out, const struct start_info *info)
{
	const struct {
		const char *name;
		long value;
	} sysctls[] = {
		{ "somaxconn", info->somaxconn },
		{ "tcp_max_syn_backlog", info->tcp_max_syn_backlog },
		{ "tcp_syncookies", info->tcp_syncookies },
		{ "tcp_abort_on_overflow", info->tcp_abort_on_overflow },
		{ "file_max", info->file_max },
		{ "nr_open", info->nr_open },
	};
	size_t i;
	int p;

	fputs("{\"event\":\"start\",\"mode\":", out);
	put_str_or_null(out, info->mode);
	fputs(",\"kernel\":", out);
	put_str_or_null(out, info->kernel);

	fputs(",\"probes\":[", out);
	for (p = 0; info->probes && info->probes[p]; p++) {
		if (p)
			fputc(',', out);
		json_write_string(out, info->probes[p]);
	}

	fputc(']', out);
	if (info->syscall_hooks) {
		fputs(",\"syscall_hooks\":", out);
		json_write_string(out, info->syscall_hooks);
	}
	fputs(",\"filters\":{\"netns\":", out);
	put_u64_value(out, info->netns, info->netns != 0);
	fputs(",\"ports\":[", out);
	for (p = 0; info->ports && p < info->nports; p++)
		fprintf(out, "%s%u", p ? "," : "", info->ports[p]);
	fputc(']', out);
	put_u64_or_null(out, "pid", info->pid, info->pid != 0);
	fputs(",\"cgroup\":", out);
	put_str_or_null(out, info->cgroup && info->cgroup[0] ? info->cgroup : NULL);
	fputc('}', out);
	put_seconds_or_null(out, "duration", info->duration);
	put_seconds_or_null(out, "interval", info->interval);
	fprintf(out, ",\"listeners\":%" PRIu32, info->listeners);

	/* grouped for readers that want them together, flat for jq one-liners */
	fputs(",\"sysctls\":{", out);
	for (i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++) {
		fprintf(out, "%s\"%s\":", i ? "," : "", sysctls[i].name);
		put_long_or_null(out, sysctls[i].value);
	}
	fputc('}', out);
	for (i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++) {
		fprintf(out, ",\"%s\":", sysctls[i].name);
		put_long_or_null(out, sysctls[i].value);
	}
	fputs("}\n", out);
}

/* RFC 3339 UTC with microseconds: "2026-11-21T10:01:02.123456Z" */
static void put_time(FILE *out, uint64_t time_ns)
{
	time_t sec = (time_t)(time_ns / 1000000000ULL);
	unsigned int usec = (unsigned int)(time_ns % 1000000000ULL / 1000);
	struct tm tm;

	if (!gmtime_r(&sec, &tm)) {
		fputs("null", out);
		return;
	}
	fprintf(out, "\"%04d-%02d-%02dT%02d:%02d:%02d.%06uZ\"",
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
}

static void put_family(FILE *out, int family)
{
	if (family == AF_INET)
		fputs("\"ipv4\"", out);
	else if (family == AF_INET6)
		fputs("\"ipv6\"", out);
	else
		fputs("null", out);
}

/* ,"<addr_key>":"addr","<port_key>":port or both null when addr is "" */
static void put_endpoint(FILE *out, const char *addr_key, const char *port_key,
			 const char *addr, uint16_t port, bool known)
{
	fprintf(out, ",\"%s\":", addr_key);
	if (known && addr[0]) {
		json_write_string(out, addr);
		fprintf(out, ",\"%s\":%u", port_key, port);
	} else {
		fprintf(out, "null,\"%s\":null", port_key);
	}
}

/* ,"netns":N,"netns_name":"name" or null: every record that has a namespace */
static void put_netns(FILE *out, uint32_t netns, const char *name)
{
	fprintf(out, ",\"netns\":%" PRIu32 ",\"netns_name\":", netns);
	put_str_or_null(out, name[0] ? name : NULL);
}

/* {"event":"<event>","time":T,"netns":N,"netns_name":S,"laddr":"A","lport":P: records about one listener */
static void put_listener_head(FILE *out, const char *event, uint64_t time_ns, uint32_t netns,
			      const char *netns_name, const char *laddr, uint16_t lport)
{
	fprintf(out, "{\"event\":\"%s\",\"time\":", event);
	put_time(out, time_ns);
	put_netns(out, netns, netns_name);
	fputs(",\"laddr\":", out);
	json_write_string(out, laddr);
	fprintf(out, ",\"lport\":%u", lport);
}

/* {"established":N,"time_wait":N,"syn_sent":N,"other":N}, or null when not counted */
static void put_port_usage(FILE *out, const struct port_usage *u)
{
	if (u->known)
		fprintf(out, "{\"established\":%" PRIu32 ",\"time_wait\":%" PRIu32
			",\"syn_sent\":%" PRIu32 ",\"other\":%" PRIu32 "}",
			u->established, u->time_wait, u->syn_sent, u->other);
	else
		fputs("null", out);
}

static void put_field(FILE *out, enum event_field field, const struct event *ev)
{
	switch (field) {
	case FIELD_FAMILY:
		fputs(",\"family\":", out);
		put_family(out, ev->family);
		break;
	case FIELD_LOCAL:
	case FIELD_SOURCE:
		put_endpoint(out, "laddr", "lport", ev->laddr, ev->lport, true);
		break;
	case FIELD_PEER:
		put_endpoint(out, "raddr", "rport", ev->raddr, ev->rport, ev->has_peer);
		break;
	case FIELD_PROCESS:
		fprintf(out, ",\"pid\":%" PRIu32 ",\"comm\":", ev->pid);
		json_write_string(out, ev->comm);
		break;
	case FIELD_ACCEPTOR:
		put_u64_or_null(out, "acceptor_pid", ev->acceptor_pid, ev->acceptor_pid != 0);
		fputs(",\"acceptor_comm\":", out);
		put_str_or_null(out, ev->acceptor_pid ? ev->acceptor_comm : NULL);
		break;
	case FIELD_LISTEN_ADDR:
		fputs(",\"listen_addr\":", out);
		put_str_or_null(out, ev->listen_addr[0] ? ev->listen_addr : NULL);
		break;
	case FIELD_QUEUE:
		fprintf(out, ",\"backlog\":%" PRIu32 ",\"backlog_max\":%" PRIu32 ",\"synq\":%" PRIu32,
			ev->backlog, ev->backlog_max, ev->synq);
		break;
	case FIELD_REASON:
		fputs(",\"reason\":", out);
		json_write_string(out, reason_name(ev->reason));
		/* only when set: the common case stays short */
		if (ev->ambiguous)
			fputs(",\"ambiguous\":true", out);
		break;
	case FIELD_ERRNO:
		fprintf(out, ",\"errno\":%d,\"error\":", ev->err);
		json_write_string(out, errno_name(ev->err));
		break;
	case FIELD_FD_USAGE:
		/* RLIM_INFINITY is (uint64_t)-1: no finite limit to report */
		put_u64_or_null(out, "nofile_limit", ev->nofile_limit, ev->nofile_limit != UINT64_MAX);
		put_u64_or_null(out, "open_fds", (uint64_t)ev->open_fds, ev->open_fds >= 0);
		break;
	case FIELD_PORTS:
		/* only where no local port was left */
		if (ev->err != EADDRNOTAVAIL)
			break;
		fprintf(out, ",\"port_range\":[%u,%u],\"ports_in_use\":", ev->port_low, ev->port_high);
		put_port_usage(out, &ev->ports_in_use);
		break;
	case FIELD_IDENTITY:
		put_identity(out, "", &ev->identity);
		break;
	case FIELD_ACCEPTOR_IDENTITY:
		put_identity(out, "acceptor_", &ev->acceptor_identity);
		break;
	case FIELD_ATTEMPT:
		put_u64_or_null(out, "attempt", ev->attempt, ev->attempt != 0);
		break;
	case FIELD_END:
		break;
	}
}

/* "event","time","netns", then the fields of the kind's row in its order */
static void json_event(FILE *out, const struct event *ev)
{
	const struct kind_info *k = kind_info(ev->kind);

	/* a kind without a row is never printed as another one */
	if (!k)
		return;
	fputs("{\"event\":", out);
	json_write_string(out, k->name);
	fputs(",\"time\":", out);
	put_time(out, ev->time_ns);
	put_netns(out, ev->netns, ev->netns_name);
	for (int i = 0; i < KIND_FIELDS_MAX && k->fields[i] != FIELD_END; i++)
		put_field(out, k->fields[i], ev);
	fputs("}\n", out);
}

static void json_totals(FILE *out, const struct totals *t)
{
	const char *at = (const char *)t;

	fputs("{\"event\":\"totals\"", out);
	for (size_t i = 0; i < nkinds; i++)
		fprintf(out, ",\"%s\":%" PRIu64, kinds[i].name, *(const uint64_t *)(at + kinds[i].total));
	fprintf(out, ",\"suppressed\":%" PRIu64 ",\"lost\":%" PRIu64, t->suppressed, t->lost);
	for (size_t i = 0; i < nkinds; i++) {
		const struct kind_info *k = &kinds[i];

		if (k->breakdown == BREAKDOWN_REASONS) {
			fprintf(out, ",\"%s_reasons\":", k->name);
			put_reasons(out, (const uint64_t *)(at + k->breakdown_total));
		} else if (k->breakdown == BREAKDOWN_OTHER) {
			fprintf(out, ",\"%s_other\":%" PRIu64, k->name, *(const uint64_t *)(at + k->breakdown_total));
		}
	}
	fprintf(out, ",\"registry_full\":%" PRIu64 ",\"ambiguous\":%" PRIu64
		",\"late\":%" PRIu64 ",\"missed_runs\":%" PRIu64,
		t->registry_full, t->ambiguous, t->late, t->missed_runs);
	fprintf(out, ",\"tuples_tracked\":%" PRIu64 ",\"delayed\":%" PRIu64 ",\"abandoned\":%" PRIu64
		",\"untracked\":%" PRIu64 ",\"pending\":%" PRIu64 ",\"retried_syns\":%" PRIu64
		",\"synack_retransmits\":%" PRIu64 "}\n",
		t->tuples_tracked, t->delayed, t->abandoned, t->untracked, t->pending, t->retried_syns,
		t->synack_retransmits);
}

/* 0 is unknown, RLIM_INFINITY no finite limit: both null */
static void put_fd_usage(FILE *out, uint64_t nofile_limit, int64_t open_fds)
{
	put_u64_or_null(out, "nofile_limit", nofile_limit, nofile_limit && nofile_limit != UINT64_MAX);
	put_u64_or_null(out, "open_fds", (uint64_t)open_fds, open_fds >= 0);
}

/* ,"acceptors":[{...}],"acceptors_other":{...} or null; both null without -i's counts */
static void put_acceptors(FILE *out, const struct listener_snapshot *s)
{
	const struct acceptors_rest *o = &s->acceptors_other;

	if (!s->acceptors_known) {
		fputs(",\"acceptors\":null,\"acceptors_other\":null", out);
		return;
	}
	fputs(",\"acceptors\":[", out);
	for (int i = 0; i < s->nacceptors && i < SNAPSHOT_ACCEPTORS; i++) {
		const struct acceptor_stats *a = &s->acceptors[i];

		fprintf(out, "%s{\"pid\":%" PRIu32 ",\"comm\":", i ? "," : "", a->pid);
		json_write_string(out, a->comm);
		fprintf(out, ",\"accepts\":%" PRIu64 ",\"accept_errors\":%" PRIu64, a->accepts, a->accept_errors);
		put_fd_usage(out, a->nofile_limit, a->open_fds);
		fputc('}', out);
	}
	fputs("],\"acceptors_other\":", out);
	if (o->processes)
		fprintf(out, "{\"processes\":%" PRIu32 ",\"accepts\":%" PRIu64 ",\"accept_errors\":%" PRIu64 "}",
			o->processes, o->accepts, o->accept_errors);
	else
		fputs("null", out);
}

static void json_listener(FILE *out, uint64_t time_ns, const struct listener_report *r)
{
	const struct listener_snapshot *s = r->now;
	int i;

	put_listener_head(out, "listener", time_ns, s->netns, s->netns_name, s->laddr, s->lport);
	fputs(",\"listen_addr\":", out);
	json_write_string(out, s->laddr);
	fputs(",\"family\":", out);
	put_family(out, s->family);
	put_u64_or_null(out, "pid", s->pid, s->pid != 0);
	fputs(",\"comm\":", out);
	put_str_or_null(out, s->comm[0] ? s->comm : NULL);
	put_identity(out, "", &s->identity);
	put_u64_or_null(out, "acceptor_pid", s->acceptor_pid, s->acceptor_pid != 0);
	fputs(",\"acceptor_comm\":", out);
	put_str_or_null(out, s->acceptor_pid ? s->acceptor_comm : NULL);
	fprintf(out, ",\"backlog\":%" PRIu32 ",\"backlog_max\":%" PRIu32
		",\"backlog_peak\":%" PRIu32 ",\"synq\":%" PRIu32
		",\"synq_peak\":%" PRIu32 ",\"syn_drops\":%" PRIu64
		",\"syn_drop_reasons\":",
		s->backlog, s->backlog_max, s->backlog_peak, s->synq,
		s->synq_peak, r->syn_drops);
	put_reasons(out, r->syn_drops_by_reason);
	fprintf(out, ",\"accept_overflows\":%" PRIu64
		",\"syncookies\":%" PRIu64 ",\"accepts\":%" PRIu64
		",\"accept_errors\":%" PRIu64 ",\"accept_errnos\":{",
		r->accept_overflows, r->syncookies, r->accepts,
		r->accept_errors);
	for (i = 0; i < r->nerrnos && i < SNAPSHOT_ERRNOS; i++) {
		if (i)
			fputc(',', out);
		json_write_string(out, errno_name(r->errnos[i].err));
		fprintf(out, ":%" PRIu64, r->errnos[i].count);
	}
	fprintf(out, "},\"accept_latency_us\":{\"count\":%" PRIu64
		",\"p50\":%" PRIu64 ",\"p99\":%" PRIu64 ",\"max\":%" PRIu64 "}",
		r->latency.count, r->latency.p50_us, r->latency.p99_us,
		r->latency.max_us);
	put_acceptors(out, s);
	fprintf(out, ",\"delayed\":%" PRIu64 ",\"connection_delay_us\":{\"count\":%" PRIu64
		",\"p50\":%" PRIu64 ",\"p99\":%" PRIu64 ",\"max\":%" PRIu64 "},\"retried_syns\":%" PRIu64
		",\"synack_retransmits\":%" PRIu64 ",\"abandoned\":%" PRIu64 ",\"untracked\":%" PRIu64
		",\"pending\":%" PRIu64,
		r->delayed, r->delay.count, r->delay.p50_us, r->delay.p99_us, r->delay.max_us,
		r->retried_syns, r->synack_retransmits, r->abandoned, r->untracked, s->pending);
	put_fd_usage(out, s->nofile_limit, s->open_fds);
	put_identity(out, "acceptor_", &s->acceptor_identity);
	fprintf(out, ",\"closed\":%s}\n", s->closed ? "true" : "false");
}

static void json_suppressed(FILE *out, uint64_t time_ns, const struct listener_snapshot *s,
			    uint64_t suppressed, uint64_t lost)
{
	put_listener_head(out, "suppressed", time_ns, s->netns, s->netns_name, s->laddr, s->lport);
	put_u64_or_null(out, "pid", s->pid, s->pid != 0);
	fputs(",\"comm\":", out);
	put_str_or_null(out, s->comm[0] ? s->comm : NULL);
	put_identity(out, "", &s->identity);
	fprintf(out, ",\"suppressed\":%" PRIu64 ",\"lost\":%" PRIu64 "}\n", suppressed, lost);
}

static void json_hint(FILE *out, uint64_t time_ns, const struct hint *h)
{
	if (h->raddr[0]) {
		/* a destination's: no local endpoint */
		fputs("{\"event\":\"hint\",\"time\":", out);
		put_time(out, time_ns);
		put_netns(out, h->netns, h->netns_name);
		fputs(",\"raddr\":", out);
		json_write_string(out, h->raddr);
		fprintf(out, ",\"rport\":%u", h->rport);
	} else {
		put_listener_head(out, "hint", time_ns, h->netns, h->netns_name, h->laddr, h->lport);
	}
	fputs(",\"kind\":", out);
	json_write_string(out, h->kind);
	fputs(",\"text\":", out);
	json_write_string(out, h->text);
	fputs("}\n", out);
}

/* nothing active, no advice: no line at all, consumers count listener records */
static void json_interval(FILE *out, uint64_t time_ns, const struct listener_report *reports,
			  int n, const struct hint *hints, int nhints)
{
	int i;

	for (i = 0; i < n; i++)
		json_listener(out, time_ns, &reports[i]);
	for (i = 0; i < nhints; i++)
		json_hint(out, time_ns, &hints[i]);
}

static void json_destination(FILE *out, uint64_t time_ns, const struct destination_report *r)
{
	fputs("{\"event\":\"destination\",\"time\":", out);
	put_time(out, time_ns);
	put_netns(out, r->netns, r->netns_name);
	fputs(",\"family\":", out);
	put_family(out, r->family);
	fputs(",\"raddr\":", out);
	json_write_string(out, r->raddr);
	fprintf(out, ",\"rport\":%u,\"connects\":%" PRIu64 ",\"connect_errors\":%" PRIu64
		",\"connect_errnos\":{", r->rport, r->connects, r->connect_errors);
	for (int i = 0; i < r->nerrnos && i < DESTINATION_ERRNOS; i++) {
		if (i)
			fputc(',', out);
		json_write_string(out, errno_name(r->errnos[i].err));
		fprintf(out, ":%" PRIu64, r->errnos[i].count);
	}
	fputs("},\"ports_in_use\":", out);
	put_port_usage(out, &r->ports_in_use);
	put_u64_or_null(out, "ports_peak", r->ports_peak, r->ports_peak || r->ports_in_use.known);
	fputs(",\"port_range\":", out);
	if (r->port_high)
		fprintf(out, "[%u,%u]}\n", r->port_low, r->port_high);
	else
		fputs("null}\n", out);
}

/* nothing failed, nothing short of ports: no line */
static void json_destinations(FILE *out, uint64_t time_ns, const struct destination_report *r, int n,
			      int omitted, const struct hint *hints, int nhints)
{
	int i;

	for (i = 0; i < n; i++)
		json_destination(out, time_ns, &r[i]);
	if (omitted > 0) {
		fputs("{\"event\":\"destinations_omitted\",\"time\":", out);
		put_time(out, time_ns);
		fprintf(out, ",\"count\":%d}\n", omitted);
	}
	for (i = 0; i < nhints; i++)
		json_hint(out, time_ns, &hints[i]);
}

/* histograms are for people; the interval records already carry the figures */
static void json_summary(FILE *out, const struct listener_report *reports, int n)
{
}

const struct output output_json = {
	.name = "json", .start = json_start, .event = json_event, .interval = json_interval,
	.destinations = json_destinations,
	.suppressed = json_suppressed, .summary = json_summary, .totals = json_totals,
};
