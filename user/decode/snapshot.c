// SPDX-License-Identifier: GPL-2.0
/* A listener's map entries -> listener snapshots; see snapshot.h. */
#include <netinet/tcp.h>	/* TCP_LISTEN */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "decode/decode.h"
#include "decode/snapshot.h"

void snapshot_decode_listener(uint64_t id, const struct tb_listener *l, struct listener_snapshot *s)
{
	static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(s, 0, sizeof(*s));
	s->id = id;
	s->netns = l->addr.netns;
	s->lport = l->addr.port;
	s->family = l->family;
	s->ino = l->ino;
	if (!memcmp(l->addr.addr, v4_mapped, 12) && l->family == AF_INET) {
		uint8_t v4[16] = { 0 };

		memcpy(v4, l->addr.addr + 12, 4);
		decode_addr(AF_INET, v4, s->laddr, sizeof(s->laddr));
	} else {
		decode_addr(AF_INET6, l->addr.addr, s->laddr, sizeof(s->laddr));
	}
	s->pid = l->owner_pid;
	memcpy(s->comm, l->owner_comm, TB_COMM_LEN);
	s->comm[TB_COMM_LEN] = '\0';
	s->acceptor_pid = l->acceptor_pid;
	if (l->acceptor_pid)
		memcpy(s->acceptor_comm, l->acceptor_comm, TB_COMM_LEN);
	s->acceptor_comm[TB_COMM_LEN] = '\0';
	s->cgroup_id = l->owner_cgroup_id;
	s->acceptor_cgroup_id = l->acceptor_cgroup_id;
	s->in_cgroup = l->in_cgroup;
	memcpy(s->syn_drops, l->syn_drops, sizeof(s->syn_drops));
	s->accept_overflows = l->accept_overflows;
	s->syncookies = l->syncookies;
	s->accepts = l->accepts;
	s->accept_errors = l->accept_errors;
	s->suppressed = l->suppressed;
	s->lost = l->lost;
	memcpy(s->lat_us_hist, l->lat_us_hist, sizeof(s->lat_us_hist));
	s->tuples_tracked = l->tuples_tracked;
	s->delayed = l->delayed;
	s->retried_syns = l->retried_syns;
	s->synack_retransmits = l->synack_retransmits;
	memcpy(s->delay_us_hist, l->delay_us_hist, sizeof(s->delay_us_hist));
	s->backlog = l->now.backlog;
	s->backlog_max = l->now.backlog_max;
	s->synq = l->now.synq;
	/* state 0: never read yet, take it as listening (it was when registered) */
	s->listening = !l->now.state || l->now.state == TCP_LISTEN;
	s->open_fds = -1;
}

void snapshot_decode_closed(uint64_t id, const struct tb_listener *l, uint32_t backlog_peak,
			    uint32_t synq_peak, struct listener_snapshot *s)
{
	snapshot_decode_listener(id, l, s);
	s->closed = true;
	s->backlog = s->synq = 0;
	s->backlog_peak = backlog_peak;
	s->synq_peak = synq_peak;
	s->delay_max_ns = l->delay_max_ns;
}

void snapshot_add_peaks(struct listener_snapshot *s, const struct tb_peaks *pk)
{
	s->backlog_peak = pk->backlog_peak;
	s->synq_peak = pk->synq_peak;
	s->lat_max_ns = pk->lat_max_ns;
	s->delay_max_ns = pk->delay_max_ns;
}

void snapshot_add_errno(struct listener_snapshot *s, int err, uint64_t count)
{
	if (s->nerrnos >= SNAPSHOT_ERRNOS)
		return;
	s->errnos[s->nerrnos].err = err;
	s->errnos[s->nerrnos].count = count;
	s->nerrnos++;
}

/* The busier of two acceptors first; equally busy: the lower pid. */
static bool busier(const struct acceptor_stats *x, const struct acceptor_stats *y)
{
	uint64_t wx = x->accepts + x->accept_errors, wy = y->accepts + y->accept_errors;

	return wx != wy ? wx > wy : x->pid < y->pid;
}

static void rest_add(struct acceptors_rest *r, const struct acceptor_stats *a)
{
	r->processes++;
	r->accepts += a->accepts;
	r->accept_errors += a->accept_errors;
}

void snapshot_add_acceptor(struct listener_snapshot *s, uint32_t pid, const struct tb_acceptor *a)
{
	struct acceptor_stats n = {
		.pid = pid, .accepts = a->accepts, .accept_errors = a->accept_errors,
		.fail_nofile_limit = a->nofile_limit, .fail_open_fds = a->accept_errors ? a->open_fds : -1,
		.open_fds = -1,
	};
	int i;

	memcpy(n.comm, a->comm, TB_COMM_LEN);
	n.comm[TB_COMM_LEN] = '\0';
	s->acceptors_known = true;
	if (s->nacceptors == SNAPSHOT_ACCEPTORS) {
		/* full: the least busy of the list and the newcomer, one goes to the rest */
		if (!busier(&n, &s->acceptors[SNAPSHOT_ACCEPTORS - 1])) {
			rest_add(&s->acceptors_other, &n);
			return;
		}
		rest_add(&s->acceptors_other, &s->acceptors[--s->nacceptors]);
	}
	for (i = s->nacceptors; i > 0 && busier(&n, &s->acceptors[i - 1]); i--)
		s->acceptors[i] = s->acceptors[i - 1];
	s->acceptors[i] = n;
	s->nacceptors++;
}

void snapshot_finish(struct listener_snapshot *s)
{
	if (s->backlog > s->backlog_peak)
		s->backlog_peak = s->backlog;
	if (s->synq > s->synq_peak)
		s->synq_peak = s->synq;
}

static int by_id(const void *a, const void *b)
{
	uint64_t x = ((const struct listener_snapshot *)a)->id, y = ((const struct listener_snapshot *)b)->id;

	return x < y ? -1 : x > y;
}

void snapshot_sort(struct listener_snapshot *items, size_t n)
{
	qsort(items, n, sizeof(*items), by_id);
}

struct listener_snapshot *snapshot_find(struct listener_snapshot *items, size_t n, uint64_t id)
{
	struct listener_snapshot key = { .id = id };

	return n ? bsearch(&key, items, n, sizeof(key), by_id) : NULL;
}
