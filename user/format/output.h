/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One interface, several formats. Every function writes whole lines and
 * leaves flushing to the caller (main.c flushes after each batch).
 * Formatters escape every attacker-controlled string (comm).
 */
#ifndef TB_OUTPUT_H
#define TB_OUTPUT_H

#include <stdio.h>

#include "aggregate/destinations.h"
#include "aggregate/hints.h"
#include "aggregate/stats.h"
#include "decode/decode.h"
#include "decode/event.h"
#include "decode/snapshot.h"

/* What the start record tells. */
struct start_info {
	const char *mode;		/* "tracepoint", ... */
	const char *kernel;		/* uname -r */
	const char *const *probes;	/* NULL-terminated list of attached programs */
	const char *syscall_hooks;	/* accept/connect/bind results: "tracepoint", "fexit", "none"; NULL: not said */
	uint32_t netns;			/* 0: all namespaces */
	const uint16_t *ports;		/* filter, nports entries */
	int nports;
	uint32_t pid;			/* 0: all processes */
	const char *cgroup;		/* --cgroup subtree; NULL or "": all */
	double duration;		/* 0: until interrupted */
	long somaxconn;			/* -1 when unreadable */
	long tcp_max_syn_backlog;
	long tcp_syncookies;
	long tcp_abort_on_overflow;
	long file_max;			/* fs.file-max, -1 when unreadable */
	long nr_open;			/* fs.nr_open */
	double interval;		/* -i seconds, 0: no listener records */
	uint32_t listeners;		/* listeners known at start */
};

struct output {
	const char *name;
	void (*start)(FILE *out, const struct start_info *info);
	void (*event)(FILE *out, const struct event *ev);
	/*
	 * One interval: reports of the active listeners (n may be 0), then
	 * the hints. time_ns: CLOCK_REALTIME of the snapshot.
	 */
	void (*interval)(FILE *out, uint64_t time_ns, const struct listener_report *reports, int n,
			 const struct hint *hints, int nhints);
	/*
	 * Destinations of one interval (n may be 0: no line), omitted more
	 * left out by the bound, then their hints.
	 */
	void (*destinations)(FILE *out, uint64_t time_ns, const struct destination_report *r, int n,
			     int omitted, const struct hint *hints, int nhints);
	/*
	 * Records of listener s held back by --rate-limit (suppressed) or
	 * lost to a full ring buffer since the previous such record.
	 */
	void (*suppressed)(FILE *out, uint64_t time_ns, const struct listener_snapshot *s,
			   uint64_t suppressed, uint64_t lost);
	/* On exit: whole-run reports (latency histograms of busy listeners in text). */
	void (*summary)(FILE *out, const struct listener_report *reports, int n);
	void (*totals)(FILE *out, const struct totals *t);
};

extern const struct output output_text;
extern const struct output output_json;

#endif /* TB_OUTPUT_H */
