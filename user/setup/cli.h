/* SPDX-License-Identifier: GPL-2.0 */
/* Command line -> struct config. No BPF, no root: unit-tested as is. */
#ifndef TB_CLI_H
#define TB_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tcpbacklog.h"

enum probe_mode {
	MODE_AUTO = 0,		/* fentry/fexit where the kernel allows, else tracepoints */
	MODE_FENTRY,
	MODE_TRACEPOINT,
};

struct config {
	bool json;			/* -j/--json */
	bool verbose;			/* -v/--verbose: libbpf debug output */
	double duration;		/* -d/--duration SECONDS, 0 = until interrupted */
	double interval;		/* -i/--interval SECONDS, 0 = no listener records */
	uint32_t netns;			/* -n/--netns PATH|INODE, 0 = all */
	uint16_t ports[TB_MAX_PORTS];	/* -P/--port PORT, repeatable */
	int nports;
	uint32_t pid;			/* -p/--pid PID, 0 = all */
	enum probe_mode mode;		/* --mode auto|fentry|tracepoint */
	uint32_t rate_limit;		/* --rate-limit N records/s per listener, 0 = unlimited */
	char metrics_addr[128];		/* --metrics-addr HOST:PORT, "" = no endpoint */
	bool quiet;			/* -q/--quiet: no event records (metrics, totals only) */
	char cgroup[512];		/* --cgroup: the subtree, relative to the v2 root; "" = all */
	char cgroup_dir[1024];		/* --cgroup: its directory, for the kernel's filter */
	bool no_syscall_tracepoints;	/* --no-syscall-tracepoints: none attached (see README) */
	double abandon_after;		/* --abandon-after SECONDS: a dropped 4-tuple silent this long gave up */
};

/*
 * --abandon-after default: longer than a default Linux client retries
 * its SYN (tcp_syn_retries 6, backoff 1, 2, ... 32 s, then 64 s more:
 * ETIMEDOUT 127 s after the first SYN), so a 4-tuple judged abandoned
 * has given up, whatever the kernel's backoff.
 */
#define CLI_ABANDON_AFTER_DEFAULT	130.0

enum cli_result {
	CLI_OK = 0,	/* run with *cfg */
	CLI_EXIT = 1,	/* --help / --version printed: exit 0 */
	CLI_ERROR = 2,	/* one-line error printed to err: exit 2 */
};

/*
 * Parse argv into cfg. Output of --help/--version goes to out, errors (one
 * line starting with "tcpbacklog: ") to err. Never exits the process.
 */
enum cli_result cli_parse(int argc, char **argv, struct config *cfg, FILE *out, FILE *err);

/* Resolve a --netns argument: a decimal inode or a namespace file path. */
int cli_netns_inode(const char *arg, uint32_t *inode, char *errbuf, size_t errlen);

/*
 * Resolve a --cgroup argument into cfg->cgroup and cfg->cgroup_dir; -1 and
 * the reason in errbuf when it is not a directory of the cgroup v2 hierarchy.
 */
int cli_cgroup_path(const char *arg, struct config *cfg, char *errbuf, size_t errlen);

#endif /* TB_CLI_H */
