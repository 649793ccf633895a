/* SPDX-License-Identifier: GPL-2.0 */
/* Raw BPF records and counters -> decoded structs (event.h). */
#ifndef TB_DECODE_H
#define TB_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "decode/event.h"

/* Exact in-kernel counts for the traced scope, summed over CPUs. */
struct totals {
	uint64_t syn_drop;			/* all reasons */
	uint64_t syn_drop_by_reason[TB_REASON_MAX];
	uint64_t accept_overflow;		/* includes accept_overflow_other */
	uint64_t accept_overflow_other;
	uint64_t accept_error;
	uint64_t connect_error;
	uint64_t bind_error;
	uint64_t suppressed;
	uint64_t lost;
	uint64_t registry_full;
	uint64_t ambiguous;			/* drops whose SO_REUSEPORT member was a guess */
	uint64_t late;				/* drops no packet showed, found at exit (no record) */
	uint64_t missed_runs;			/* program runs the kernel skipped (recursion) */
	/*
	 * What the drops cost the clients: 4-tuples that had a packet
	 * dropped, each ends as one of delayed, abandoned, untracked (pushed
	 * out of the map), or is still pending at exit. The last three are
	 * the loader's (set by the caller, 0 here).
	 */
	uint64_t tuples_tracked;
	uint64_t delayed;
	uint64_t abandoned;
	uint64_t untracked;
	uint64_t pending;
	uint64_t retried_syns;
	uint64_t synack_retransmits;
};

/* Offset from the BPF clock (CLOCK_MONOTONIC) to CLOCK_REALTIME. */
struct clock_map {
	int64_t mono_to_real_ns;
};

void clock_map_init(struct clock_map *c);

/*
 * Decode one ring-buffer record. Returns 0, or -1 when the record is too
 * short or of an unknown kind (the caller counts it, it is never printed).
 */
int decode_event(const void *data, size_t size, const struct clock_map *c, struct event *ev);

/* Text form of a 16-byte address (IPv4 in the first 4 bytes for AF_INET). */
void decode_addr(int family, const uint8_t addr[16], char *buf, size_t len);

/* The reverse: text into 16 bytes (IPv4 in the first 4); 0, or -1 if not an address of family. */
int decode_addr_parse(int family, const char *text, uint8_t addr[16]);

/*
 * A listener's bound address as the registry keeps it (IPv4 mapped into
 * IPv6, ::ffff:a.b.c.d) into text: IPv4 for a mapped one.
 */
void decode_bound_addr(const uint8_t addr[16], char *buf, size_t len);

/* Per-slot sums (indexed by enum tb_total) -> totals. */
void decode_totals(const uint64_t sums[TB_TOTAL_MAX], struct totals *t);

#endif /* TB_DECODE_H */
