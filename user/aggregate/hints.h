/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tuning advice, only where the data supports it: the accept queue
 * overflowing with a backlog clamped by somaxconn or small; accepts slow
 * while the queue is full; EMFILE with the limit and usage; the SYN queue
 * full with syncookies off.
 */
#ifndef TB_HINTS_H
#define TB_HINTS_H

#include "event.h"

/* Hints for one interval report; returns how many were written (<= max). */
int hints_for(const struct listener_report *r, const struct sysctls *sys, struct hint *out, int max);

#endif /* TB_HINTS_H */
