/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the drops cost the clients, the loader's part: the kernel keeps
 * each 4-tuple that had a packet dropped (map "tuples") until it is
 * established (delayed, counted there); here, at each interval, the
 * tuples silent for --abandon-after are judged abandoned (deleted: the
 * kernel and the loader race for a tuple, whoever deletes it counts it),
 * the rest are pending, and those the bounded map pushed out are
 * untracked. Per listener, cumulative. Pure: the map walk and the delete
 * are the caller's.
 */
#ifndef TB_CLIENT_COST_H
#define TB_CLIENT_COST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpbacklog.h"

/*
 * A tuple that had its first drop this long ago and sent one SYN only
 * was not retried: every common client sends its first retry after 1 s
 * (Linux, macOS) or 3 s (Windows, older stacks).
 */
#define CLIENT_COST_RETRY_WINDOW_NS	(3500 * 1000000LL)

/* One 4-tuple as read from map "tuples". */
struct tuple_entry {
	struct tb_tuple_key key;
	struct tb_tuple t;
};

/* One listener's 4-tuples. */
struct client_cost_listener {
	uint64_t id;			/* the listener's struct sock *, 0: unknown */
	/* cumulative */
	uint64_t abandoned;
	uint64_t abandoned_unretried;	/* of them, sent one SYN only (not: only an ACK was dropped) */
	uint64_t untracked;		/* pushed out of the map (highest estimate so far) */
	/* at the last judgement */
	uint64_t pending;
	uint64_t stale_unretried;	/* pending, first drop older than the retry window, one SYN */
	uint64_t stale_retried;		/* pending, older than the window, retried */
};

struct client_cost {
	struct client_cost_listener *items;	/* sorted by id */
	size_t count, cap;
	uint64_t abandoned;		/* all listeners, closed ones and unknown included */
	uint64_t pending;		/* at the last judgement */
};

void client_cost_init(struct client_cost *c);
void client_cost_free(struct client_cost *c);

/*
 * Judge the tuples read from the map at now_ns (the BPF clock): silent
 * for abandon_ns or longer, they go (delete returns 0 when this call
 * deleted it: then it is abandoned), the others are pending.
 */
void client_cost_judge(struct client_cost *c, const struct tuple_entry *items, size_t n, int64_t now_ns,
		       int64_t abandon_ns, int (*delete)(void *ctx, const struct tb_tuple_key *key),
		       void *ctx);

/*
 * Untracked tuples of listener id: tracked - delayed - abandoned - pending.
 * tracked must have been read before the judgement and delayed after it:
 * then a tuple inserted or established meanwhile can only lower the
 * estimate, and the count, which never goes down, is never too high.
 * Exact once the programs are detached.
 */
void client_cost_untracked(struct client_cost *c, uint64_t id, uint64_t tracked, uint64_t delayed);

/* The listener's counts, NULL when none of its tuples was ever seen. */
const struct client_cost_listener *client_cost_find(const struct client_cost *c, uint64_t id);

#endif /* TB_CLIENT_COST_H */
