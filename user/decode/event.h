/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A decoded ring-buffer record: what the formatters print. Built from the
 * raw BPF struct by decode.c, never by the formatters themselves.
 */
#ifndef TB_EVENT_H
#define TB_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "host/cgroup_path.h"
#include "host/port_usage.h"
#include "tcpbacklog.h"

#define EVENT_ADDR_LEN	INET6_ADDRSTRLEN
#define EVENT_COMM_LEN	(TB_COMM_LEN + 1)
#define EVENT_NETNS_NAME_LEN	256	/* a file name in /run/netns, NUL-terminated */

struct event {
	enum tb_kind kind;
	enum tb_reason reason;		/* syn_drop / accept_overflow */
	uint64_t time_ns;		/* CLOCK_REALTIME, ns since the epoch */
	uint32_t netns;			/* network namespace inode */
	char netns_name[EVENT_NETNS_NAME_LEN];	/* its name in /run/netns, "" none: escape on output */
	int family;			/* AF_INET, AF_INET6; 0 when unknown */
	char laddr[EVENT_ADDR_LEN];	/* "" when unknown or not bound */
	uint16_t lport;
	bool has_peer;			/* raddr/rport valid */
	char raddr[EVENT_ADDR_LEN];
	uint16_t rport;
	uint32_t pid;			/* listener owner, or the failing call's caller */
	char comm[EVENT_COMM_LEN];	/* raw bytes, NUL-terminated: escape on output */
	uint32_t acceptor_pid;		/* the listener's last accept() caller, 0 none yet */
	char acceptor_comm[EVENT_COMM_LEN];	/* raw bytes: escape on output */
	char listen_addr[EVENT_ADDR_LEN];	/* the listener's bound address, "" unknown */
	uint32_t backlog;
	uint32_t backlog_max;
	uint32_t synq;
	int err;			/* accept/connect/bind_error: positive errno */
	uint64_t nofile_limit;		/* accept_error: RLIMIT_NOFILE soft limit */
	int64_t open_fds;		/* accept_error: -1 when unknown */
	uint64_t listener_ino;		/* socket inode, 0 when unknown */
	bool ambiguous;			/* SO_REUSEPORT member guessed (TB_EVENT_F_AMBIGUOUS) */
	/* connect_error EADDRNOTAVAIL: the namespace's ip_local_port_range, and the ports held */
	uint16_t port_low;
	uint16_t port_high;
	struct port_usage ports_in_use;	/* filled by the loader after decoding */
	/* cgroup v2 ids at the moment (0 unknown), and their identities, filled by the loader */
	uint64_t cgroup_id;		/* of pid */
	uint64_t acceptor_cgroup_id;	/* of the listener's last acceptor */
	struct cgroup_identity identity;
	struct cgroup_identity acceptor_identity;
	uint32_t attempt;		/* syn_drop: the 4-tuple's SYN number, 1 first; 0 untracked */
};

#endif /* TB_EVENT_H */
