/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel side, as the loader sees it: feature checks, choice of program
 * variants, constants set between open and load, attach and detach.
 * Every kernel difference is decided here.
 */
#ifndef TB_PROBES_H
#define TB_PROBES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "setup/cli.h"

#define PROBES_MAX	24

struct tcpbacklog_bpf;
struct bpf_link;

struct probes {
	struct tcpbacklog_bpf *skel;
	const char *attached[PROBES_MAX + 1];	/* NULL-terminated */
	int nattached;
	struct bpf_link *links[PROBES_MAX];
	int nlinks;
	const char *mode;
	const char *syscall_hooks;	/* accept/connect/bind results: "tracepoint", "fexit", "none" */
	char note[512];			/* fallbacks the chosen mode took, "" none */
	bool syn_location;		/* SYN path filters consume_skb by caller address */
	bool queues_by_key;		/* listener_queues runs once per listener (the object without bpf_loop) */
};

/*
 * Check the kernel, open, configure, load, and attach the listener
 * registry. On failure, errbuf holds one line naming what is missing and
 * the call returns -1.
 */
int probes_start(struct probes *p, const struct config *cfg, char *errbuf, size_t errlen);

/* Attach the counting programs (after the registry has been seeded). */
int probes_attach_counters(struct probes *p, char *errbuf, size_t errlen);

/* Ring-buffer map fd, for the reader. */
int probes_events_fd(const struct probes *p);

/*
 * Runs of our programs the kernel skipped because one of them was already
 * running on that CPU (a softirq on top of the same tracepoint in process
 * context): bpf_prog_info.recursion_misses, summed. A skipped drop is
 * still counted (late, from the counters); a skipped accept or listener
 * state change is not.
 */
uint64_t probes_missed_runs(const struct probes *p);

/*
 * Detach every program, keep the maps: nothing counts any more, so the
 * last records drained and the totals read afterwards describe one and
 * the same set of incidents.
 */
void probes_detach(struct probes *p);

/* Detach and free. Safe on a partly started struct. */
void probes_stop(struct probes *p);

#endif /* TB_PROBES_H */
