/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One interface, several formats. Every function writes whole lines and
 * leaves flushing to the caller (main.c flushes after each batch).
 * Formatters escape every attacker-controlled string (comm).
 */
#ifndef TB_OUTPUT_H
#define TB_OUTPUT_H

#include <stdio.h>

#include "event.h"

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
