/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tuning advice, only where the data supports it: the accept queue
 * overflowing with a backlog clamped by somaxconn or small; accepts slow
 * while the queue is full; EMFILE with the limit and usage; the SYN queue
 * full with syncookies off.
 */
#ifndef TB_HINTS_H
#define TB_HINTS_H

#include "aggregate/stats.h"
#include "decode/event.h"
#include "host/sysinfo.h"

#define HINT_TEXT_LEN	320

/* Tuning advice backed by the data of one listener. */
struct hint {
	uint32_t netns;
	char laddr[EVENT_ADDR_LEN];
	uint16_t lport;
	const char *kind;		/* stable identifier, e.g. "backlog_clamped" */
	char text[HINT_TEXT_LEN];	/* one sentence for people */
};

/* Hints for one interval report; returns how many were written (<= max). */
int hints_for(const struct listener_report *r, const struct sysctls *sys, struct hint *out, int max);

#endif /* TB_HINTS_H */
