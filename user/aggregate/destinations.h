/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per destination, with -i: the destinations (netns, address, port) whose
 * connects failed in the interval, or whose local ports were more than
 * half used, with their connects, failures by errno and the local ports
 * held toward them. The kernel counts per destination only once it has
 * failed (map "destinations"); the records name the process whose view
 * of /proc/<pid>/net shows the ports, and the port range.
 */
#ifndef TB_DESTINATIONS_H
#define TB_DESTINATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/event.h"
#include "host/port_usage.h"
#include "kernel/maps.h"

#define DESTINATION_ERRNOS	8	/* distinct errnos a record names; the rest count in connect_errors */
#define DESTINATIONS_SEEN_MAX	256	/* destinations whose caller and range are remembered */

struct destination_report {
	uint32_t netns;
	char netns_name[EVENT_NETNS_NAME_LEN];	/* "" none; filled by the loader */
	int family;
	uint8_t raddr_bytes[16];
	char raddr[EVENT_ADDR_LEN];
	uint16_t rport;
	uint64_t connects;		/* attempts in the interval, counted from the first failure on */
	uint64_t connect_errors;	/* in the interval */
	struct {
		int err;
		uint64_t count;
	} errnos[DESTINATION_ERRNOS];
	int nerrnos;
	struct port_usage ports_in_use;	/* at the report; known false: no process to look through */
	struct port_usage ports_at_failure;	/* at the last EADDRNOTAVAIL record, if any */
	uint32_t ports_peak;		/* the most seen held at once in the interval: at failures, at the report */
	uint16_t port_low, port_high;	/* 0, 0: not known */
	uint32_t pid;			/* a caller in netns, 0: none known */
};

/* What one connect_error record told about its destination. */
struct destination_seen {
	struct tb_destination_key key;	/* err 0 */
	uint32_t pid;			/* the last caller */
	uint16_t port_low, port_high;
	uint32_t ports_peak;		/* in the current interval */
	struct port_usage ports_at_failure;	/* the last counted */
};

struct destinations {
	struct destination_entry *prev;	/* the kernel's counts at the last report */
	size_t nprev, prev_cap;
	struct destination_seen seen[DESTINATIONS_SEEN_MAX];
	size_t nseen;
};

void destinations_free(struct destinations *d);

/* Remember a connect_error's caller, port range and ports in use. */
void destinations_note_event(struct destinations *d, const struct event *ev);

/* Total ports of u: every state. */
uint32_t port_usage_total(const struct port_usage *u);

/*
 * One interval from the kernel's cumulative counts now[n]: a report into
 * out (room for n + DESTINATIONS_SEEN_MAX) per destination that failed in
 * it or was noted, with its caller to count ports through. Returns how
 * many; starts the next interval.
 */
int destinations_collect(struct destinations *d, const struct destination_entry *now, size_t n,
			 struct destination_report *out);

/*
 * Keep the reports worth a record (failures in the interval, or more than
 * half the range held), ports_in_use counted by the caller folded into
 * the peak: the most failures first, at most max. Returns how many are
 * kept; *omitted: the rest.
 */
int destinations_select(struct destination_report *r, int n, int max, int *omitted);

/* Failed connects of one namespace with one errno, since the start. */
struct connect_error_count {
	uint32_t netns;
	int err;
	uint64_t count;
};

/*
 * The kernel's cumulative counts now[n] summed per namespace and errno
 * into out (at most max, the rest left out); returns how many.
 */
size_t destinations_errors_by_netns(const struct destination_entry *now, size_t n,
				    struct connect_error_count *out, size_t max);

#endif /* TB_DESTINATIONS_H */
