/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Local ports held toward one destination, by TCP state: what a connect()
 * that found no free port was up against. Read from the failing process's
 * view of its network namespace, <proc>/<pid>/net/tcp{,6}: the running
 * loader may no longer enter namespaces, and a socket or fd kept in each
 * one would keep dead namespaces alive.
 */
#ifndef TB_PORT_USAGE_H
#define TB_PORT_USAGE_H

#include <stdbool.h>
#include <stdint.h>

struct port_usage {
	bool known;		/* false: the process is gone, or in another namespace now */
	uint32_t established;
	uint32_t time_wait;
	uint32_t syn_sent;
	uint32_t other;
};

/*
 * Count the TCP sockets of family (in pid's namespace, which must still be
 * netns) connected, connecting or in TIME_WAIT to raddr:rport, by state.
 * proc_root is "/proc" but in tests.
 */
void port_usage_count(const char *proc_root, uint32_t pid, uint32_t netns, int family,
		      const char *raddr, uint16_t rport, struct port_usage *u);

#endif /* TB_PORT_USAGE_H */
