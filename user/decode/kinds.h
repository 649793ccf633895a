/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Record kinds as a table: one row says what a kind of record carries and
 * how the outputs show it. Decode, the formatters, main and the fuzzers
 * consult the row, never the kind's number; a kind without a row is an
 * error (decode refuses it, the formatters print nothing for it). Adding
 * a kind: a row here, and a printer per field the others lack.
 */
#ifndef TB_KINDS_H
#define TB_KINDS_H

#include <stdbool.h>
#include <stddef.h>

#include "tcpbacklog.h"

/* Groups of struct event fields, printed by one helper each. */
enum event_field {
	FIELD_END = 0,
	FIELD_FAMILY,		/* family */
	FIELD_LOCAL,		/* laddr, lport */
	FIELD_PEER,		/* raddr, rport; null when unknown */
	FIELD_PROCESS,		/* pid, comm */
	FIELD_QUEUE,		/* backlog, backlog_max, synq */
	FIELD_REASON,		/* reason, and ambiguous when set */
	FIELD_ERRNO,		/* err */
	FIELD_FD_USAGE,		/* nofile_limit, open_fds */
	FIELD_SOURCE,		/* laddr, lport of a client socket; null when not bound yet */
	FIELD_PORTS,		/* EADDRNOTAVAIL: port_range, ports_in_use toward raddr:rport */
	FIELD_ACCEPTOR,		/* acceptor_pid, acceptor_comm: the listener's last accept() caller; null none */
	FIELD_LISTEN_ADDR,	/* listen_addr: the listener's bound address; null unknown */
	FIELD_IDENTITY,		/* cgroup, unit, container, pod_uid of pid; null when unknown */
	FIELD_ACCEPTOR_IDENTITY,	/* the same, acceptor_ prefixed, of the listener's last acceptor */
	FIELD_ATTEMPT,		/* the 4-tuple's SYN number, 1 first; null when untracked */
};

#define KIND_FIELDS_MAX	12

/* How the totals break a kind's count down. */
enum total_breakdown {
	BREAKDOWN_NONE = 0,
	BREAKDOWN_REASONS,	/* by drop reason: totals "<name>_reasons" */
	BREAKDOWN_OTHER,	/* the part no reason explains: totals "<name>_other" */
};

/* Whose pid and comm a record carries. */
enum kind_process {
	PROCESS_NONE = 0,
	PROCESS_OWNER,		/* the listener's owner: from /proc when the kernel did not know it */
	PROCESS_CALLER,		/* the task that made the failing call */
};

struct kind_info {
	enum tb_kind kind;
	const char *name;		/* the record's "event", the totals key */
	bool has_listener;		/* belongs to a listener: its address, its counts */
	bool has_peer;			/* raddr/rport */
	enum kind_process process;	/* pid/comm */
	bool listen_drop;		/* one of the kernel's TcpExtListenDrops */
	/* after "event", "time" and "netns": the JSON record's fields in order, and the text detail's */
	enum event_field fields[KIND_FIELDS_MAX];
	size_t total;			/* offsetof(struct totals, ...) of its count */
	enum total_breakdown breakdown;
	size_t breakdown_total;		/* offsetof(struct totals, ...) of the breakdown */
};

extern const struct kind_info kinds[];
extern const size_t nkinds;

/* The row of kind; NULL for a kind the table does not know. */
const struct kind_info *kind_info(unsigned int kind);

bool kind_has_field(const struct kind_info *k, enum event_field field);

#endif /* TB_KINDS_H */
