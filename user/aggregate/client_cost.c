// SPDX-License-Identifier: GPL-2.0
/* Abandoned, pending and untracked 4-tuples per listener; see client_cost.h. */
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "aggregate/client_cost.h"

void client_cost_init(struct client_cost *c)
{
	memset(c, 0, sizeof(*c));
}

void client_cost_free(struct client_cost *c)
{
	free(c->items);
	memset(c, 0, sizeof(*c));
}

static int by_id(const void *a, const void *b)
{
	uint64_t x = ((const struct client_cost_listener *)a)->id;
	uint64_t y = ((const struct client_cost_listener *)b)->id;

	return x < y ? -1 : x > y;
}

const struct client_cost_listener *client_cost_find(const struct client_cost *c, uint64_t id)
{
	struct client_cost_listener key = { .id = id };

	return c->count ? bsearch(&key, c->items, c->count, sizeof(key), by_id) : NULL;
}

/* The listener's entry, added (in order) when new; NULL out of memory. */
static struct client_cost_listener *entry(struct client_cost *c, uint64_t id)
{
	struct client_cost_listener *e = (struct client_cost_listener *)client_cost_find(c, id);
	size_t at;

	if (e)
		return e;
	if (ARRAY_RESERVE(c->items, c->cap, c->count, 16))
		return NULL;
	for (at = c->count; at > 0 && c->items[at - 1].id > id; at--)
		;
	memmove(&c->items[at + 1], &c->items[at], (c->count - at) * sizeof(*c->items));
	c->count++;
	e = &c->items[at];
	memset(e, 0, sizeof(*e));
	e->id = id;
	return e;
}

void client_cost_judge(struct client_cost *c, const struct tuple_entry *items, size_t n, int64_t now_ns,
		       int64_t abandon_ns, int (*delete)(void *ctx, const struct tb_tuple_key *key),
		       void *ctx)
{
	for (size_t i = 0; i < c->count; i++)
		c->items[i].pending = c->items[i].stale_unretried = c->items[i].stale_retried = 0;
	c->pending = 0;
	for (size_t i = 0; i < n; i++) {
		const struct tb_tuple *t = &items[i].t;
		struct client_cost_listener *e = entry(c, t->listener);
		bool retried = t->attempts > 1, unretried = t->attempts == 1;

		if (now_ns - (int64_t)t->last_ns >= abandon_ns) {
			if (delete(ctx, &items[i].key))
				continue;	/* established meanwhile: the kernel counted it */
			c->abandoned++;
			if (e) {
				e->abandoned++;
				e->abandoned_unretried += unretried;
			}
			continue;
		}
		c->pending++;
		if (!e)
			continue;
		e->pending++;
		if (now_ns - (int64_t)t->first_drop_ns >= CLIENT_COST_RETRY_WINDOW_NS) {
			e->stale_retried += retried;
			e->stale_unretried += unretried;
		}
	}
}

void client_cost_untracked(struct client_cost *c, uint64_t id, uint64_t tracked, uint64_t delayed)
{
	struct client_cost_listener *e = entry(c, id);
	uint64_t gone;

	if (!e)
		return;
	gone = delayed + e->abandoned + e->pending;
	if (tracked > gone && tracked - gone > e->untracked)
		e->untracked = tracked - gone;
}
