// SPDX-License-Identifier: GPL-2.0
/* Every read of the BPF maps; see maps.h. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "array.h"
#include "aggregate/client_cost.h"
#include "kernel/maps.h"
#include "host/owners.h"
#include "kernel/probes.h"
#include "tcpbacklog.skel.h"

void map_entries_free(struct map_entries *e)
{
	free(e->live);
	free(e->closed);
	free(e->errnos);
	free(e->acceptors);
	memset(e, 0, sizeof(*e));
}

/*
 * Every entry of map fd into *items, an array of elements of elem_size
 * that hold the key at their start and the value at value_off; *n entries
 * read. take: each entry leaves the map once read.
 */
static int read_entries(int fd, size_t key_size, size_t value_off, size_t elem_size,
			void **items, size_t *n, size_t *cap, bool take)
{
	char key[64], next[64];	/* the largest key: struct tb_tuple_key */
	bool started = false;
	int err = 0;

	*n = 0;
	while (!bpf_map_get_next_key(fd, started ? key : NULL, next)) {
		char *elem;

		/* deleting the current key would end get_next_key's walk: the previous one goes now */
		if (take && started)
			bpf_map_delete_elem(fd, key);
		memcpy(key, next, key_size);
		started = true;
		if (array_reserve(items, cap, *n, elem_size, 64)) {
			err = -ENOMEM;
			break;
		}
		elem = (char *)*items + *n * elem_size;
		memcpy(elem, key, key_size);
		if (!bpf_map_lookup_elem(fd, key, elem + value_off))
			(*n)++;
	}
	if (take && started)
		bpf_map_delete_elem(fd, key);
	return err;
}

int maps_refresh_queues(const struct probes *p)
{
	uint64_t args[1] = { 0 }, next;
	int fd = bpf_map__fd(p->skel->maps.listeners), err;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));

	if (!p->queues_by_key)
		return bpf_prog_test_run_opts(bpf_program__fd(p->skel->progs.listener_queues), &opts);
	/* no bpf_for_each_map_elem (before 5.13): one run per listener, its key in args[0] */
	for (void *prev = NULL; !bpf_map_get_next_key(fd, prev, &next); prev = args) {
		args[0] = next;
		err = bpf_prog_test_run_opts(bpf_program__fd(p->skel->progs.listener_queues), &opts);
		if (err)
			return err;
	}
	return 0;
}

int maps_read_listeners(const struct probes *p, struct map_entries *e)
{
	return read_entries(bpf_map__fd(p->skel->maps.listeners), sizeof(uint64_t),
			    offsetof(struct listener_entry, l), sizeof(struct listener_entry),
			    (void **)&e->live, &e->nlive, &e->live_cap, false);
}

int maps_take_peaks(const struct probes *p, uint64_t id, struct tb_peaks *pk)
{
	return bpf_map_lookup_and_delete_elem(bpf_map__fd(p->skel->maps.peaks), &id, pk);
}

static int read_closed(const struct probes *p, struct map_entries *e, bool take)
{
	int err = read_entries(bpf_map__fd(p->skel->maps.gone_listeners), sizeof(uint64_t),
			       offsetof(struct closed_entry, l), sizeof(struct closed_entry),
			       (void **)&e->closed, &e->nclosed, &e->closed_cap, take);

	for (size_t i = 0; i < e->nclosed; i++) {
		struct closed_entry *ce = &e->closed[i];

		/* no queues any more: the kernel side left the last highs in now */
		ce->backlog_peak = ce->l.now.backlog;
		ce->synq_peak = ce->l.now.synq;
		ce->l.now.backlog = ce->l.now.synq = 0;
	}
	return err;
}

int maps_read_closed(const struct probes *p, struct map_entries *e)
{
	return read_closed(p, e, false);
}

int maps_take_closed(const struct probes *p, struct map_entries *e)
{
	return read_closed(p, e, true);
}

int maps_read_errnos(const struct probes *p, struct map_entries *e)
{
	return read_entries(bpf_map__fd(p->skel->maps.accept_errnos), sizeof(struct tb_errno_key),
			    offsetof(struct errno_entry, count), sizeof(struct errno_entry),
			    (void **)&e->errnos, &e->nerrnos, &e->errnos_cap, false);
}

_Static_assert(sizeof(struct destination_entry) - offsetof(struct destination_entry, count) >=
	       sizeof(struct tb_destination_value), "destination_entry holds the map's value");
_Static_assert(offsetof(struct destination_entry, port_high) - offsetof(struct destination_entry, count) ==
	       offsetof(struct tb_destination_value, port_high), "destination_entry lays the value out as the map");

int maps_take_acceptors(const struct probes *p, struct map_entries *e)
{
	int fd = bpf_map__fd(p->skel->maps.acceptors);
	struct tb_acceptor_key key, next, *prev = NULL;
	size_t nkeys = 0;

	/* the keys first: deleting while walking would restart the walk */
	e->nacceptors = 0;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (ARRAY_RESERVE(e->acceptors, e->acceptors_cap, nkeys, 64))
			return -ENOMEM;
		e->acceptors[nkeys++].key = next;
		key = next;
		prev = &key;
	}
	for (size_t i = 0; i < nkeys; i++) {
		struct acceptor_entry *ae = &e->acceptors[i];

		/*
		 * One step where the kernel has it (hash maps, 5.14+): an accept
		 * counted between a lookup and a delete would be lost.
		 */
		if (bpf_map_lookup_and_delete_elem(fd, &ae->key, &ae->a)) {
			if (errno == ENOENT || bpf_map_lookup_elem(fd, &ae->key, &ae->a))
				continue;
			bpf_map_delete_elem(fd, &ae->key);
		}
		e->acceptors[e->nacceptors++] = *ae;
	}
	return 0;
}

int maps_read_destinations(const struct probes *p, struct destination_entry **items, size_t *n, size_t *cap)
{
	return read_entries(bpf_map__fd(p->skel->maps.destinations), sizeof(struct tb_destination_key),
			    offsetof(struct destination_entry, count), sizeof(struct destination_entry),
			    (void **)items, n, cap, false);
}

int maps_read_tuples(const struct probes *p, struct tuple_entry **items, size_t *n, size_t *cap)
{
	return read_entries(bpf_map__fd(p->skel->maps.tuples), sizeof(struct tb_tuple_key),
			    offsetof(struct tuple_entry, t), sizeof(struct tuple_entry),
			    (void **)items, n, cap, false);
}

int maps_delete_tuple(const struct probes *p, const struct tb_tuple_key *key)
{
	return bpf_map_delete_elem(bpf_map__fd(p->skel->maps.tuples), key);
}

int maps_listener_delayed(const struct probes *p, uint64_t id, uint64_t *delayed)
{
	struct tb_listener l;

	if (bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.listeners), &id, &l))
		return -1;
	*delayed = l.delayed;
	return 0;
}

/* Is sk still in the registry? (ENOENT: it closed, or never got in) */
static bool registered(int listeners_fd, uint64_t sk)
{
	struct tb_listener l;

	return !bpf_map_lookup_elem(listeners_fd, &sk, &l) || errno != ENOENT;
}

int maps_delete_stale(const struct probes *p)
{
	int listeners_fd = bpf_map__fd(p->skel->maps.listeners);
	int peaks_fd = bpf_map__fd(p->skel->maps.peaks);
	int errnos_fd = bpf_map__fd(p->skel->maps.accept_errnos);
	struct tb_errno_key ekey, enext, *eprev = NULL;
	uint64_t key, next, *prev = NULL;
	int deleted = 0;

	/* deleting the current key would end get_next_key's walk: step first */
	while (!bpf_map_get_next_key(peaks_fd, prev, &next)) {
		if (prev && !registered(listeners_fd, key) && !bpf_map_delete_elem(peaks_fd, &key))
			deleted++;
		key = next;
		prev = &key;
	}
	if (prev && !registered(listeners_fd, key) && !bpf_map_delete_elem(peaks_fd, &key))
		deleted++;

	while (!bpf_map_get_next_key(errnos_fd, eprev, &enext)) {
		/* sk 0: accept() on an fd that was no socket, kept per errno */
		if (eprev && ekey.sk && !registered(listeners_fd, ekey.sk) &&
		    !bpf_map_delete_elem(errnos_fd, &ekey))
			deleted++;
		ekey = enext;
		eprev = &ekey;
	}
	if (eprev && ekey.sk && !registered(listeners_fd, ekey.sk) && !bpf_map_delete_elem(errnos_fd, &ekey))
		deleted++;
	return deleted;
}

int maps_read_totals(const struct probes *p, uint64_t sums[TB_TOTAL_MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;

	memset(sums, 0, TB_TOTAL_MAX * sizeof(*sums));
	if (ncpu <= 0)
		return -1;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -1;
	for (uint32_t slot = 0; slot < TB_TOTAL_MAX; slot++) {
		if (bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.totals), &slot, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			sums[slot] += vals[c];
	}
	free(vals);
	return 0;
}

int maps_write_missing_owners(const struct probes *p, struct owners *o)
{
	int fd = bpf_map__fd(p->skel->maps.listeners);
	uint64_t key, next, *prev = NULL;
	const struct owner *own;
	struct tb_listener l;
	int count = 0;
	bool scanned = false;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		count++;
		if (bpf_map_lookup_elem(fd, &key, &l) || l.owner_src != TB_OWNER_UNKNOWN || !l.ino)
			continue;
		if (!scanned) {
			owners_scan(o);
			scanned = true;
		}
		own = owners_resolve(o, l.ino, false);
		if (!own)
			continue;
		l.owner_pid = own->pid;
		l.owner_src = TB_OWNER_PROC;
		memcpy(l.owner_comm, own->comm, TB_COMM_LEN);
		/* BPF_EXIST: a listener closed meanwhile stays closed */
		bpf_map_update_elem(fd, &key, &l, BPF_EXIST);
	}
	return count;
}

void maps_write_owner_cgroups(const struct probes *p, const struct cgroups *c, const char *scope)
{
	int fd = bpf_map__fd(p->skel->maps.listeners);
	uint64_t key, next, *prev = NULL;
	char path[CGROUP_PATH_LEN];
	struct tb_listener l;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &l) || l.owner_src != TB_OWNER_PROC ||
		    cgroups_pid_path(c, l.owner_pid, path, sizeof(path)))
			continue;
		l.owner_cgroup_id = cgroups_path_id(c, path);
		l.in_cgroup = scope[0] && cgroup_path_within(path, scope);
		bpf_map_update_elem(fd, &key, &l, BPF_EXIST);
	}
}
