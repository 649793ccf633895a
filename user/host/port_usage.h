/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Local ports held toward one destination, by TCP state: what a connect()
 * that found no free port was up against. Read with sock_diag through a
 * netlink socket opened inside each namespace while the loader walks them
 * at start (a netlink socket stays in the namespace it was made in; the
 * running loop can no longer enter namespaces).
 */
#ifndef TB_PORT_USAGE_H
#define TB_PORT_USAGE_H

#include <stdbool.h>
#include <stdint.h>

struct port_usage {
	bool known;		/* false: no socket into that namespace */
	uint32_t established;
	uint32_t time_wait;
	uint32_t syn_sent;
	uint32_t other;
};

/* Open a sock_diag socket in the current namespace, kept for netns; 0 or -errno. */
int port_usage_open(uint32_t netns);

/*
 * Count the TCP sockets of family in netns connected (or connecting, or
 * in TIME_WAIT) to raddr:rport, by state. u->known false when netns has
 * no socket open or the dump failed.
 */
void port_usage_count(uint32_t netns, int family, const char *raddr, uint16_t rport,
		      struct port_usage *u);

/* Close every socket. */
void port_usage_close(void);

#endif /* TB_PORT_USAGE_H */
