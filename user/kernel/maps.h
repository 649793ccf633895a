/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every read of the BPF maps, in the ABI's own structs (tcpbacklog.h):
 * decoding them is user/decode's job. A read that deletes what it read is
 * called "take"; one that deletes what it did not read, "delete".
 */
#ifndef TB_MAPS_H
#define TB_MAPS_H

#include <stddef.h>
#include <stdint.h>

#include "host/cgroups.h"
#include "tcpbacklog.h"

struct probes;
struct owners;

/* One registered listener (map "listeners"). */
struct listener_entry {
	uint64_t id;			/* key: the kernel socket address */
	struct tb_listener l;
};

/*
 * One listener that closed (map "gone_listeners"): its counts as they
 * were at the close, and the highs of its last period. The map keeps
 * those highs in l.now; here they have their own fields and l.now is
 * zero (a closed listener has no queues).
 */
struct closed_entry {
	uint64_t id;
	struct tb_listener l;
	uint32_t backlog_peak;
	uint32_t synq_peak;
};

/* accept() failures of one listener (key.sk, 0 when the fd was no socket) for one errno. */
struct errno_entry {
	struct tb_errno_key key;
	uint64_t count;
};

/*
 * Connects toward one destination (key.err 0) or its failures with key.err
 * (map "destinations"), with the last failing pid and port range; the
 * fields from count on are the map's value, struct tb_destination_value.
 */
struct destination_entry {
	struct tb_destination_key key;
	uint64_t count;
	uint32_t pid;
	uint16_t port_low, port_high;
};

/* One process's accepts from one listener since the entry was last taken (map "acceptors"). */
struct acceptor_entry {
	struct tb_acceptor_key key;
	struct tb_acceptor a;
};

/* Growable arrays the reads fill; they keep their memory between reads. */
struct map_entries {
	struct listener_entry *live;
	size_t nlive, live_cap;
	struct closed_entry *closed;
	size_t nclosed, closed_cap;
	struct errno_entry *errnos;
	size_t nerrnos, errnos_cap;
	struct acceptor_entry *acceptors;
	size_t nacceptors, acceptors_cap;
};

void map_entries_free(struct map_entries *e);

/* Every entry of map "destinations" into *items (*n of them; *cap grows). */
int maps_read_destinations(const struct probes *p, struct destination_entry **items, size_t *n, size_t *cap);

/* Run the program that writes every registered listener's queue lengths, now, into its entry. */
int maps_refresh_queues(const struct probes *p);

/* The registry into e->live / e->nlive. 0, or -ENOMEM. */
int maps_read_listeners(const struct probes *p, struct map_entries *e);

/* Highs of listener id since they were last taken; taking them starts the next period. 0 when found. */
int maps_take_peaks(const struct probes *p, uint64_t id, struct tb_peaks *pk);

/*
 * Closed listeners into e->closed / e->nclosed. The take variant deletes
 * them from the map as it reads: the reader that reports them last.
 */
int maps_read_closed(const struct probes *p, struct map_entries *e);
int maps_take_closed(const struct probes *p, struct map_entries *e);

/* accept() failures by listener and errno into e->errnos / e->nerrnos. */
int maps_read_errnos(const struct probes *p, struct map_entries *e);

/*
 * Every process's accepts per listener into e->acceptors / e->nacceptors,
 * each entry deleted as it is read: the next interval starts from zero.
 */
int maps_take_acceptors(const struct probes *p, struct map_entries *e);

/*
 * Delete the highs and accept-error counts of listeners that left the
 * registry (the kernel side cannot find them all: keys of a gone
 * listener). Returns how many entries went.
 */
int maps_delete_stale(const struct probes *p);

/* Every 4-tuple of map "tuples" (aggregate/client_cost.h's tuple_entry) into *items. */
struct tuple_entry;
int maps_read_tuples(const struct probes *p, struct tuple_entry **items, size_t *n, size_t *cap);

/* Delete a 4-tuple: 0 when this call deleted it (the kernel did not, first). */
int maps_delete_tuple(const struct probes *p, const struct tb_tuple_key *key);

/* Connections of listener id established after a drop, now; 0 when found. */
int maps_listener_delayed(const struct probes *p, uint64_t id, uint64_t *delayed);

/* The totals map, summed over CPUs, indexed by enum tb_total. 0, or -1. */
int maps_read_totals(const struct probes *p, uint64_t sums[TB_TOTAL_MAX]);

/*
 * Write owners found in /proc into registry entries that lack one.
 * Returns the number of listeners in the registry (in scope or not).
 */
int maps_write_missing_owners(const struct probes *p, struct owners *o);

/*
 * Registry entries whose owner came from /proc: that owner's cgroup, and
 * whether --cgroup scope (relative to the v2 root, "" for none) takes it.
 */
void maps_write_owner_cgroups(const struct probes *p, const struct cgroups *c, const char *scope);

#endif /* TB_MAPS_H */
