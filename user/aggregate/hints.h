/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tuning advice, only where the data supports it: the accept queue
 * overflowing with a backlog clamped by somaxconn or small; accepts slow
 * while the queue is full; EMFILE with the limit and usage; the SYN queue
 * full with syncookies off.
 */
#ifndef TB_HINTS_H
#define TB_HINTS_H

#include "aggregate/destinations.h"
#include "aggregate/stats.h"
#include "decode/event.h"
#include "host/sysinfo.h"

#define HINT_TEXT_LEN	512

/* Tuning advice backed by the data of one listener, or of one destination. */
struct hint {
	uint32_t netns;
	char netns_name[EVENT_NETNS_NAME_LEN];	/* "" none */
	char laddr[EVENT_ADDR_LEN];
	uint16_t lport;
	char raddr[EVENT_ADDR_LEN];	/* "" but for a destination's hint, which has no laddr */
	uint16_t rport;
	const char *kind;		/* stable identifier, e.g. "backlog_clamped" */
	char text[HINT_TEXT_LEN];	/* one sentence for people */
};

/* Hints for one interval report; returns how many were written (<= max). */
int hints_for(const struct listener_report *r, const struct sysctls *sys, struct hint *out, int max);

/*
 * port_exhaustion: connects toward r's destination failed for want of a
 * local port, or more than 80 % of the range was held. Returns 1 when
 * written to *out, else 0.
 */
int hint_port_exhaustion(const struct destination_report *r, struct hint *out);

#endif /* TB_HINTS_H */
