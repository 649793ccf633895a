// SPDX-License-Identifier: GPL-2.0
/* Map reads -> listener snapshots in scope; see listeners.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "array.h"
#include "decode/snapshot.h"
#include "host/sysinfo.h"
#include "listeners.h"

void listeners_init(struct listener_reader *r, const struct probes *p, struct owners *o)
{
	memset(r, 0, sizeof(*r));
	r->probes = p;
	r->owners = o;
	r->pid_proc = "/proc";
}

void listeners_free(struct listener_reader *r)
{
	map_entries_free(&r->raw);
	free(r->items);
	free(r->tuples);
	client_cost_free(&r->cost);
	memset(r, 0, sizeof(*r));
}

static struct listener_snapshot *next_item(struct listener_reader *r)
{
	if (ARRAY_RESERVE(r->items, r->cap, r->count, 64))
		return NULL;
	return &r->items[r->count];
}

/* Listeners seeded from a namespace walk may lack an owner the kernel knew. */
static void add_owner(struct listener_reader *r, struct listener_snapshot *s)
{
	const struct owner *own;

	if (s->pid || !r->pid_proc)
		return;
	own = owners_resolve(r->owners, s->ino, false);
	if (own) {
		s->pid = own->pid;
		memcpy(s->comm, own->comm, sizeof(s->comm));
	}
}

/* The owner's and the last acceptor's cgroup, unit, container and pod. */
static void add_identities(struct listener_reader *r, struct listener_snapshot *s)
{
	char path[CGROUP_PATH_LEN];

	if (!r->cgroups)
		return;
	if (s->cgroup_id)
		cgroups_identity(r->cgroups, s->cgroup_id, &s->identity);
	else if (s->pid && !cgroups_pid_path(r->cgroups, s->pid, path, sizeof(path)))
		cgroup_identity_parse(path, &s->identity);	/* an owner found in /proc later on */
	cgroups_identity(r->cgroups, s->acceptor_cgroup_id, &s->acceptor_identity);
}

static bool in_scope(const struct config *cfg, const struct listener_snapshot *s)
{
	if (cfg->netns && s->netns != cfg->netns)
		return false;
	if (cfg->pid && s->pid != cfg->pid)
		return false;
	/* the kernel's decision, at listen() or the loader's at start: the one the counts follow */
	if (cfg->cgroup[0] && !s->in_cgroup)
		return false;
	if (cfg->nports) {
		for (int i = 0; i < cfg->nports; i++) {
			if (cfg->ports[i] == s->lport)
				return true;
		}
		return false;
	}
	return true;
}

static int read_live(struct listener_reader *r, const struct config *cfg, unsigned int parts)
{
	struct listener_snapshot *s;
	struct tb_peaks pk;

	if (maps_read_listeners(r->probes, &r->raw))
		return -ENOMEM;
	for (size_t i = 0; i < r->raw.nlive; i++) {
		const struct listener_entry *le = &r->raw.live[i];

		s = next_item(r);
		if (!s)
			return -ENOMEM;
		snapshot_decode_listener(le->id, &le->l, s);
		add_owner(r, s);
		if (!in_scope(cfg, s))
			continue;
		/* out of scope, the highs stay: the period is that of the listeners reported */
		if ((parts & LISTENERS_TAKE_PEAKS) && !maps_take_peaks(r->probes, le->id, &pk))
			snapshot_add_peaks(s, &pk);
		r->count++;
	}
	snapshot_sort(r->items, r->count);
	return 0;
}

/*
 * Listeners that closed, as they were at the close: their counts end
 * there, so their last interval is reported. One whose struct sock
 * already serves a new listener is left out: one id, one listener.
 */
static int read_closed(struct listener_reader *r, const struct config *cfg, bool take)
{
	size_t live = r->count;
	struct listener_snapshot *s;
	int err;

	err = take ? maps_take_closed(r->probes, &r->raw) : maps_read_closed(r->probes, &r->raw);
	for (size_t i = 0; i < r->raw.nclosed; i++) {
		const struct closed_entry *ce = &r->raw.closed[i];

		if (snapshot_find(r->items, live, ce->id))
			continue;
		s = next_item(r);
		if (!s)
			return -ENOMEM;
		snapshot_decode_closed(ce->id, &ce->l, ce->backlog_peak, ce->synq_peak, s);
		add_owner(r, s);
		if (in_scope(cfg, s))
			r->count++;
	}
	/* closed ones came after the sorted live ones: sort again only then */
	if (r->count > live)
		snapshot_sort(r->items, r->count);
	return err;
}

static void read_errnos(struct listener_reader *r)
{
	struct listener_snapshot *s;

	maps_read_errnos(r->probes, &r->raw);
	for (size_t i = 0; i < r->raw.nerrnos; i++) {
		const struct errno_entry *ee = &r->raw.errnos[i];

		s = snapshot_find(r->items, r->count, ee->key.sk);
		if (s)
			snapshot_add_errno(s, ee->key.err, ee->count);
	}
}

static void take_acceptors(struct listener_reader *r)
{
	struct listener_snapshot *s;

	if (maps_take_acceptors(r->probes, &r->raw))
		return;
	for (size_t i = 0; i < r->count; i++)
		r->items[i].acceptors_known = true;
	for (size_t i = 0; i < r->raw.nacceptors; i++) {
		const struct acceptor_entry *ae = &r->raw.acceptors[i];

		s = snapshot_find(r->items, r->count, ae->key.sk);
		if (s)
			snapshot_add_acceptor(s, ae->key.tgid, &ae->a);
	}
}

/* fd limit and usage of the owner and the acceptors listed, from /proc, where it shows their pids */
static void add_fd_usage(struct listener_reader *r, struct listener_snapshot *s)
{
	if (!r->pid_proc)
		return;
	if (s->pid) {
		s->nofile_limit = sysinfo_nofile_limit(r->pid_proc, s->pid);
		s->open_fds = sysinfo_open_fds(r->pid_proc, s->pid);
	}
	for (int i = 0; i < s->nacceptors; i++) {
		struct acceptor_stats *a = &s->acceptors[i];

		a->nofile_limit = sysinfo_nofile_limit(r->pid_proc, a->pid);
		a->open_fds = sysinfo_open_fds(r->pid_proc, a->pid);
	}
}

static int delete_tuple(void *ctx, const struct tb_tuple_key *key)
{
	return maps_delete_tuple(ctx, key);
}

static int64_t bpf_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * After the registry was read (tracked counts): judge the 4-tuples, then
 * read the delayed counts again, so the untracked estimate is never high
 * (see client_cost_untracked()).
 */
static void judge_tuples(struct listener_reader *r, const struct config *cfg)
{
	if (maps_read_tuples(r->probes, &r->tuples, &r->ntuples, &r->tuples_cap))
		return;
	client_cost_judge(&r->cost, r->tuples, r->ntuples, bpf_clock_ns(),
			  (int64_t)(cfg->abandon_after * 1e9), delete_tuple, (void *)r->probes);
	for (size_t i = 0; i < r->count; i++) {
		struct listener_snapshot *s = &r->items[i];
		uint64_t delayed = s->delayed;

		if (!s->tuples_tracked)
			continue;
		/* closed: its counts are final */
		if (!s->closed)
			maps_listener_delayed(r->probes, s->id, &delayed);
		client_cost_untracked(&r->cost, s->id, s->tuples_tracked, delayed);
	}
}

/* The loader's side of the 4-tuples, into each snapshot. */
static void add_client_cost(struct listener_reader *r, struct listener_snapshot *s)
{
	const struct client_cost_listener *c = client_cost_find(&r->cost, s->id);

	if (!c)
		return;
	s->abandoned = c->abandoned;
	s->abandoned_unretried = c->abandoned_unretried;
	s->untracked = c->untracked;
	s->pending = c->pending;
	s->stale_unretried = c->stale_unretried;
	s->stale_retried = c->stale_retried;
}

static int read_all(struct listener_reader *r, const struct config *cfg, unsigned int parts, bool take_closed)
{
	r->count = 0;
	if (parts & LISTENERS_QUEUES)
		maps_refresh_queues(r->probes);
	if (read_live(r, cfg, parts) || read_closed(r, cfg, take_closed))
		return -ENOMEM;
	if (parts & LISTENERS_ERRNOS)
		read_errnos(r);
	if (parts & LISTENERS_TAKE_ACCEPTORS)
		take_acceptors(r);
	if (parts & LISTENERS_JUDGE_TUPLES)
		judge_tuples(r, cfg);
	for (size_t i = 0; i < r->count; i++) {
		struct listener_snapshot *s = &r->items[i];

		add_client_cost(r, s);
		snapshot_finish(s);
		add_identities(r, s);
		if (parts & LISTENERS_OWNER_FDS)
			add_fd_usage(r, s);
		if (r->netns_names)
			netns_names_copy(r->netns_names, s->netns, s->netns_name, sizeof(s->netns_name));
	}
	return 0;
}

int listeners_read(struct listener_reader *r, const struct config *cfg, unsigned int parts)
{
	return read_all(r, cfg, parts, false);
}

int listeners_read_taking_closed(struct listener_reader *r, const struct config *cfg, unsigned int parts)
{
	return read_all(r, cfg, parts, true);
}
