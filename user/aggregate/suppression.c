// SPDX-License-Identifier: GPL-2.0
/* Per-listener suppressed/lost deltas; see suppression.h. */
#include <stdlib.h>
#include <string.h>

#include "aggregate/suppression.h"

struct suppression_entry {
	uint64_t id;
	uint64_t suppressed;
	uint64_t lost;
};

void suppression_free(struct suppression *s)
{
	free(s->items);
	memset(s, 0, sizeof(*s));
}

int suppression_update(struct suppression *s, const struct listener_snapshot *snaps, size_t n,
		       void (*report)(void *ctx, const struct listener_snapshot *snap,
				      uint64_t suppressed, uint64_t lost),
		       void *ctx)
{
	struct suppression_entry *next = calloc(n + 1, sizeof(*next));
	size_t j = 0;
	int reports = 0;

	if (!next)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct suppression_entry *prev = NULL;
		uint64_t sup = snaps[i].suppressed, lost = snaps[i].lost;

		/* both sorted by id: the previous look at this one, if any, is at j or after */
		while (j < s->count && s->items[j].id < snaps[i].id)
			j++;
		if (j < s->count && s->items[j].id == snaps[i].id)
			prev = &s->items[j];
		/* a count that went down belongs to a new socket at a reused address */
		if (prev && prev->suppressed <= sup && prev->lost <= lost) {
			sup -= prev->suppressed;
			lost -= prev->lost;
		}
		if (sup || lost) {
			report(ctx, &snaps[i], sup, lost);
			reports++;
		}
		next[i] = (struct suppression_entry){ snaps[i].id, snaps[i].suppressed, snaps[i].lost };
	}
	free(s->items);
	s->items = next;
	s->count = n;
	s->cap = n + 1;
	return reports;
}
