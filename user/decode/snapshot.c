// SPDX-License-Identifier: GPL-2.0
/* Per-listener map -> listener snapshots; see snapshot.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "decode.h"
#include "snapshot.h"
#include "sysinfo.h"
#include "tcpbacklog.skel.h"

int snapshot_init(struct snapshot_reader *r, struct probes *p, struct owners *o, char *errbuf, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->probes = p;
	r->owners = o;
	r->queues_fd = bpf_program__fd(p->skel->progs.listener_queues);
	if (r->queues_fd < 0) {
		snprintf(errbuf, errlen, "the listener queue reader is not loaded");
		return -1;
	}
	return 0;
}

void snapshot_free(struct snapshot_reader *r)
{
	free(r->items);
	memset(r, 0, sizeof(*r));
}

static int by_id(const void *a, const void *b)
{
	uint64_t x = ((const struct listener_snapshot *)a)->id, y = ((const struct listener_snapshot *)b)->id;

	return x < y ? -1 : x > y;
}

/* items are sorted by id once read (a host may have thousands of listeners) */
static struct listener_snapshot *find(struct snapshot_reader *r, uint64_t id)
{
	struct listener_snapshot key = { .id = id };

	return r->count ? bsearch(&key, r->items, r->count, sizeof(key), by_id) : NULL;
}

/* Queue lengths of every registered listener, now, into their registry entries. */
static int refresh_queues(struct snapshot_reader *r)
{
	uint64_t args[1] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));

	return bpf_prog_test_run_opts(r->queues_fd, &opts);
}

static void read_errnos(struct snapshot_reader *r)
{
	int fd = bpf_map__fd(r->probes->skel->maps.accept_errnos);
	struct tb_errno_key key, next, *prev = NULL;
	struct listener_snapshot *s;
	uint64_t count;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &count) || !(s = find(r, key.sk)))
			continue;
		if (s->nerrnos < SNAPSHOT_ERRNOS) {
			s->errnos[s->nerrnos].err = key.err;
			s->errnos[s->nerrnos].count = count;
			s->nerrnos++;
		}
	}
}

static void fill(struct listener_snapshot *s, uint64_t id, const struct tb_listener *l, struct owners *o)
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
	if (!s->pid) {
		const struct owner *own = owners_find(o, l->ino);

		if (own) {
			s->pid = own->pid;
			memcpy(s->comm, own->comm, sizeof(s->comm));
		}
	}
	memcpy(s->syn_drops, l->syn_drops, sizeof(s->syn_drops));
	s->accept_overflows = l->accept_overflows;
	s->syncookies = l->syncookies;
	s->accepts = l->accepts;
	s->accept_errors = l->accept_errors;
	s->suppressed = l->suppressed;
	s->lost = l->lost;
	memcpy(s->lat_us_hist, l->lat_us_hist, sizeof(s->lat_us_hist));
	s->backlog = l->now.backlog;
	s->backlog_max = l->now.backlog_max;
	s->synq = l->now.synq;
	/* never read yet: take it as listening (it was when registered) */
	s->listening = !l->now.state || l->now.state == 10;
	s->open_fds = -1;
}

static bool in_scope(const struct config *cfg, const struct listener_snapshot *s)
{
	if (cfg->netns && s->netns != cfg->netns)
		return false;
	if (cfg->pid && s->pid != cfg->pid)
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

static struct listener_snapshot *next_item(struct snapshot_reader *r)
{
	if (r->count == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		void *items = realloc(r->items, cap * sizeof(*r->items));

		if (!items)
			return NULL;
		r->items = items;
		r->cap = cap;
	}
	return &r->items[r->count];
}

/*
 * Listeners that closed, as they were at the close: their counts end
 * there, so their last interval is reported. One whose struct sock
 * already serves a new listener is left out: one id, one listener. take:
 * they leave the map once read (the reader that reports them last).
 */
static int read_closed(struct snapshot_reader *r, const struct config *cfg, size_t live, bool take)
{
	int fd = bpf_map__fd(r->probes->skel->maps.gone_listeners);
	uint64_t key, next, *prev = NULL;
	struct listener_snapshot *s, probe;
	struct tb_listener l;
	int err = 0;

	while (!err && !bpf_map_get_next_key(fd, prev, &next)) {
		/* deleting the current key would end get_next_key's walk: the previous one goes now */
		if (take && prev)
			bpf_map_delete_elem(fd, prev);
		key = next;
		prev = &key;
		probe.id = key;
		if (bpf_map_lookup_elem(fd, &key, &l) ||
		    (live && bsearch(&probe, r->items, live, sizeof(probe), by_id)))
			continue;
		s = next_item(r);
		if (!s) {
			err = -ENOMEM;
			break;
		}
		fill(s, key, &l, r->owners);
		/* no queues any more: the kernel side left the last highs there */
		s->closed = true;
		s->backlog_peak = s->backlog;
		s->synq_peak = s->synq;
		s->backlog = s->synq = 0;
		if (in_scope(cfg, s))
			r->count++;
	}
	if (take && prev)
		bpf_map_delete_elem(fd, prev);
	return err;
}

int snapshot_read(struct snapshot_reader *r, const struct config *cfg, unsigned int parts)
{
	int fd = bpf_map__fd(r->probes->skel->maps.listeners);
	int peaks_fd = bpf_map__fd(r->probes->skel->maps.peaks);
	uint64_t key, next, *prev = NULL;
	struct listener_snapshot *s;
	struct tb_listener l;
	struct tb_peaks pk;
	size_t live;

	r->count = 0;
	if (parts & SNAP_QUEUES)
		refresh_queues(r);
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &l))
			continue;
		s = next_item(r);
		if (!s)
			return -ENOMEM;
		fill(s, key, &l, r->owners);
		if (!in_scope(cfg, s))
			continue;
		/* highs since the last read: taking them starts the next period */
		if ((parts & SNAP_PEAKS) && !bpf_map_lookup_and_delete_elem(peaks_fd, &key, &pk)) {
			s->backlog_peak = pk.backlog_peak;
			s->synq_peak = pk.synq_peak;
			s->lat_max_ns = pk.lat_max_ns;
		}
		r->count++;
	}
	qsort(r->items, r->count, sizeof(*r->items), by_id);
	live = r->count;
	if (read_closed(r, cfg, live, parts & SNAP_TAKE_CLOSED))
		return -ENOMEM;
	/* closed ones came after the sorted live ones: sort again only then */
	if (r->count > live)
		qsort(r->items, r->count, sizeof(*r->items), by_id);
	if (parts & SNAP_ERRNOS)
		read_errnos(r);
	for (size_t i = 0; i < r->count; i++) {
		struct listener_snapshot *s = &r->items[i];

		/* the current length is also a sample of the high */
		if (s->backlog > s->backlog_peak)
			s->backlog_peak = s->backlog;
		if (s->synq > s->synq_peak)
			s->synq_peak = s->synq;
		if (s->pid && (parts & SNAP_OWNER_FDS)) {
			s->nofile_limit = sysinfo_nofile_limit("/proc", s->pid);
			s->open_fds = sysinfo_open_fds("/proc", s->pid);
		}
	}
	return 0;
}

/* Is sk still in the registry? (ENOENT: it closed, or never got in) */
static bool registered(int listeners_fd, uint64_t sk)
{
	struct tb_listener l;

	return !bpf_map_lookup_elem(listeners_fd, &sk, &l) || errno != ENOENT;
}

int snapshot_prune(struct snapshot_reader *r)
{
	int listeners_fd = bpf_map__fd(r->probes->skel->maps.listeners);
	int peaks_fd = bpf_map__fd(r->probes->skel->maps.peaks);
	int errnos_fd = bpf_map__fd(r->probes->skel->maps.accept_errnos);
	struct tb_errno_key ekey, enext, *eprev = NULL;
	uint64_t key, next, *prev = NULL;
	int pruned = 0;

	/* deleting the current key would end get_next_key's walk: step first */
	while (!bpf_map_get_next_key(peaks_fd, prev, &next)) {
		if (prev && !registered(listeners_fd, key) && !bpf_map_delete_elem(peaks_fd, &key))
			pruned++;
		key = next;
		prev = &key;
	}
	if (prev && !registered(listeners_fd, key) && !bpf_map_delete_elem(peaks_fd, &key))
		pruned++;

	while (!bpf_map_get_next_key(errnos_fd, eprev, &enext)) {
		/* sk 0: accept() on an fd that was no socket, kept per errno */
		if (eprev && ekey.sk && !registered(listeners_fd, ekey.sk) &&
		    !bpf_map_delete_elem(errnos_fd, &ekey))
			pruned++;
		ekey = enext;
		eprev = &ekey;
	}
	if (eprev && ekey.sk && !registered(listeners_fd, ekey.sk) && !bpf_map_delete_elem(errnos_fd, &ekey))
		pruned++;
	return pruned;
}

