/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which listeners had records held back (--rate-limit) or lost (ring
 * buffer full) since the last look: per-listener deltas of the kernel's
 * cumulative suppressed/lost counts, for the periodic "suppressed" records.
 */
#ifndef TB_SUPPRESSION_H
#define TB_SUPPRESSION_H

#include <stddef.h>
#include <stdint.h>

#include "decode/snapshot.h"

struct suppression {
	struct suppression_entry *items;	/* sorted by id */
	size_t count, cap;
};

/* All zero is empty: no init call. */
void suppression_free(struct suppression *s);

/*
 * For each snapshot whose suppressed or lost count grew since the last
 * call, call report(ctx, snap, suppressed delta, lost delta). snaps are
 * sorted by id, as listeners_read() returns them. Ids absent from snaps
 * are forgotten. Returns the number of reports.
 */
int suppression_update(struct suppression *s, const struct listener_snapshot *snaps, size_t n,
		       void (*report)(void *ctx, const struct listener_snapshot *snap,
				      uint64_t suppressed, uint64_t lost),
		       void *ctx);

#endif /* TB_SUPPRESSION_H */
