// SPDX-License-Identifier: GPL-2.0
/*
 * Time series per label set across reads; see series.h. Each listener is
 * tracked by (id, ino): the id (socket address) is reused by the kernel,
 * the inode is not. A tracked listener counts in its series as last - base:
 * base is what an earlier series of the same listener already holds.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "format/escape.h"
#include "format/series.h"

struct tracked_listener {
	uint64_t id;
	uint64_t ino;
	struct series *series;		/* NULL once folded */
	struct series_counts last, base;
	struct errno_count errnos[SNAPSHOT_ERRNOS], base_errnos[SNAPSHOT_ERRNOS];
	int nerrnos, nbase_errnos;
	bool folded;			/* closed: its counts are in its series' retired part */
	bool seen;			/* in the read being observed */
};

#define COUNTS_WORDS	(sizeof(struct series_counts) / sizeof(uint64_t))

static uint64_t *words(struct series_counts *c)
{
	return (uint64_t *)c;
}

static void counts_from_snapshot(struct series_counts *c, const struct listener_snapshot *p)
{
	memcpy(c->syn_drops, p->syn_drops, sizeof(c->syn_drops));
	c->accept_overflows = p->accept_overflows;
	c->syncookies = p->syncookies;
	c->accepts = p->accepts;
	c->suppressed = p->suppressed;
	c->lost = p->lost;
	memcpy(c->lat_us_hist, p->lat_us_hist, sizeof(c->lat_us_hist));
	c->delayed = p->delayed;
	c->retried_syns = p->retried_syns;
	c->synack_retransmits = p->synack_retransmits;
	c->abandoned = p->abandoned;
	c->untracked = p->untracked;
	memcpy(c->delay_us_hist, p->delay_us_hist, sizeof(c->delay_us_hist));
}

/* dst += a - b, word by word */
static void counts_add_diff(struct series_counts *dst, struct series_counts *a, struct series_counts *b)
{
	for (size_t i = 0; i < COUNTS_WORDS; i++)
		words(dst)[i] += words(a)[i] - words(b)[i];
}

static bool counts_decreased(struct series_counts *now, struct series_counts *before)
{
	for (size_t i = 0; i < COUNTS_WORDS; i++)
		if (words(now)[i] < words(before)[i])
			return true;
	return false;
}

static uint64_t errno_count_of(const struct errno_count *e, int n, int err)
{
	for (int i = 0; i < n; i++)
		if (e[i].err == err)
			return e[i].count;
	return 0;
}

/*
 * The errno counts only grow, but their map entries go when a listener
 * closes and a read without errnos has none: keep the highest seen.
 */
static void errnos_merge(struct tracked_listener *t, const struct listener_snapshot *p)
{
	int n = p->nerrnos < 0 ? 0 : p->nerrnos > SNAPSHOT_ERRNOS ? SNAPSHOT_ERRNOS : p->nerrnos;

	for (int k = 0; k < n; k++) {
		int i;

		for (i = 0; i < t->nerrnos && t->errnos[i].err != p->errnos[k].err; i++)
			;
		if (i == t->nerrnos) {
			if (t->nerrnos == SNAPSHOT_ERRNOS)
				continue;
			t->errnos[t->nerrnos++] = (struct errno_count){ .err = p->errnos[k].err };
		}
		if (p->errnos[k].count > t->errnos[i].count)
			t->errnos[i].count = p->errnos[k].count;
	}
}

static int errnos_add(struct errno_count **e, size_t *n, size_t *cap, int err, uint64_t count)
{
	for (size_t i = 0; i < *n; i++) {
		if ((*e)[i].err == err) {
			(*e)[i].count += count;
			return 0;
		}
	}
	if (ARRAY_RESERVE(*e, *cap, *n, 4))
		return -1;
	(*e)[(*n)++] = (struct errno_count){ .err = err, .count = count };
	return 0;
}

/* ---------------------------------------------------- series by labels -- */

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void slots_fill(struct series_table *table)
{
	memset(table->slots, 0, table->nslots * sizeof(*table->slots));
	for (size_t k = 0; k < table->count; k++) {
		size_t i = table->series[k]->hash & (table->nslots - 1);

		while (table->slots[i])
			i = (i + 1) & (table->nslots - 1);
		table->slots[i] = k + 1;
	}
}

/* Room for one more series in the array and the hash slots. */
static int series_reserve(struct series_table *table)
{
	if (ARRAY_RESERVE(table->series, table->cap, table->count, 16))
		return -1;
	if (2 * (table->count + 1) >= table->nslots) {
		size_t nslots = table->nslots ? table->nslots * 2 : 32;
		size_t *slots = calloc(nslots, sizeof(*slots));

		if (!slots)
			return -1;
		free(table->slots);
		table->slots = slots;
		table->nslots = nslots;
		slots_fill(table);
	}
	return 0;
}

static struct series *series_find_or_add(struct series_table *table, const char *labels)
{
	uint32_t h = fnv1a(labels);
	struct series *s;
	size_t i;

	if (series_reserve(table))
		return NULL;
	for (i = h & (table->nslots - 1); table->slots[i]; i = (i + 1) & (table->nslots - 1)) {
		s = table->series[table->slots[i] - 1];
		if (s->hash == h && !strcmp(s->labels, labels))
			return s;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->labels = strdup(labels);
	if (!s->labels) {
		free(s);
		return NULL;
	}
	s->hash = h;
	table->series[table->count] = s;
	table->slots[i] = ++table->count;
	return s;
}

static void series_free(struct series *s)
{
	free(s->labels);
	free(s->retired_errnos);
	free(s->errnos);
	free(s);
}

/*
 * The owner's unit, container and pod label the listener's series, each
 * only when known: Prometheus treats an absent label and an empty one
 * alike, and the series of listeners without them read as before.
 */
static void labels_of(const struct listener_snapshot *p, char *labels, size_t len)
{
	const struct {
		const char *name;
		const char *value;
		size_t max;
	} identity[] = {
		{ "unit", p->identity.unit, sizeof(p->identity.unit) },
		{ "container", p->identity.container, sizeof(p->identity.container) },
		{ "pod_uid", p->identity.pod_uid, sizeof(p->identity.pod_uid) },
	};
	char laddr[PROM_LABEL_ESCAPED_MAX(EVENT_ADDR_LEN)];
	char comm[PROM_LABEL_ESCAPED_MAX(EVENT_COMM_LEN)];
	char value[PROM_LABEL_ESCAPED_MAX(CGROUP_UNIT_LEN)];
	size_t n;

	prom_label_escape(laddr, sizeof(laddr), p->laddr, sizeof(p->laddr));
	prom_label_escape(comm, sizeof(comm), p->comm, sizeof(p->comm));
	n = (size_t)snprintf(labels, len, "netns=\"%" PRIu32 "\",laddr=\"%s\",lport=\"%u\",comm=\"%s\"",
			     p->netns, laddr, p->lport, comm);
	for (size_t i = 0; i < sizeof(identity) / sizeof(identity[0]) && n < len; i++) {
		if (!identity[i].value[0])
			continue;
		prom_label_escape(value, sizeof(value), identity[i].value, identity[i].max);
		n += (size_t)snprintf(labels + n, len - n, ",%s=\"%s\"", identity[i].name, value);
	}
}

#define LABELS_MAX	(PROM_LABEL_ESCAPED_MAX(EVENT_ADDR_LEN) + PROM_LABEL_ESCAPED_MAX(EVENT_COMM_LEN) + \
			 PROM_LABEL_ESCAPED_MAX(CGROUP_UNIT_LEN) + PROM_LABEL_ESCAPED_MAX(CGROUP_CONTAINER_LEN) + \
			 PROM_LABEL_ESCAPED_MAX(CGROUP_POD_UID_LEN) + 96)

/* ------------------------------------------------------------- tracking -- */

static int tracked_cmp(const void *a, const void *b)
{
	const struct tracked_listener *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static struct tracked_listener *tracked_find(const struct series_table *table, size_t n,
					     const struct listener_snapshot *p)
{
	struct tracked_listener key = { .id = p->id, .ino = p->ino };

	/* bsearch() and qsort() want an array, even an empty one */
	return n ? bsearch(&key, table->tracked, n, sizeof(key), tracked_cmp) : NULL;
}

/* What t has counted so far goes into its series for good. */
static int retire(struct tracked_listener *t)
{
	struct series *s = t->series;
	int rc = 0;

	counts_add_diff(&s->retired, &t->last, &t->base);
	for (int i = 0; i < t->nerrnos; i++) {
		uint64_t base = errno_count_of(t->base_errnos, t->nbase_errnos, t->errnos[i].err);

		if (t->errnos[i].count > base &&
		    errnos_add(&s->retired_errnos, &s->nretired_errnos, &s->retired_errnos_cap,
			       t->errnos[i].err, t->errnos[i].count - base))
			rc = -1;
	}
	/* from here on t counts from what it has now */
	t->base = t->last;
	memcpy(t->base_errnos, t->errnos, sizeof(t->errnos));
	t->nbase_errnos = t->nerrnos;
	return rc;
}

static struct tracked_listener *tracked_add(struct series_table *table, uint64_t id, uint64_t ino)
{
	struct tracked_listener *t;

	if (ARRAY_RESERVE(table->tracked, table->tracked_cap, table->ntracked, 64))
		return NULL;
	t = &table->tracked[table->ntracked++];
	memset(t, 0, sizeof(*t));
	t->id = id;
	t->ino = ino;
	return t;
}

static int observe_one(struct series_table *table, size_t nold, const struct listener_snapshot *p)
{
	struct tracked_listener *t = tracked_find(table, nold, p);
	struct series_counts now;
	char labels[LABELS_MAX];
	int rc = 0;

	labels_of(p, labels, sizeof(labels));
	if (!t) {
		struct series *s = series_find_or_add(table, labels);

		if (!s)
			return -1;
		t = tracked_add(table, p->id, p->ino);
		if (!t)
			return -1;
		t->series = s;
	}
	t->seen = true;
	if (t->folded)
		return 0;
	counts_from_snapshot(&now, p);
	/* counts that went down: a new listener under the same id and inode */
	if (counts_decreased(&now, &t->last)) {
		rc |= retire(t);
		memset(&t->base, 0, sizeof(t->base));
		memset(&t->last, 0, sizeof(t->last));
		t->nerrnos = t->nbase_errnos = 0;
	}
	/*
	 * Its owner became known (or changed): it counts on in the new series
	 * from here. A closed listener's owner may be unknown by now: it stays.
	 */
	if (!p->closed && strcmp(labels, t->series->labels)) {
		struct series *s = series_find_or_add(table, labels);

		if (!s)
			return -1;
		rc |= retire(t);
		t->series = s;
	}
	t->last = now;
	errnos_merge(t, p);
	if (p->closed) {
		rc |= retire(t);
		t->folded = true;
		t->series = NULL;
	}
	return rc;
}

int series_table_observe(struct series_table *table, const struct listener_snapshot *snaps, size_t n)
{
	size_t nold = table->ntracked, kept = 0;
	int rc = 0;

	for (size_t i = 0; i < nold; i++)
		table->tracked[i].seen = false;
	for (size_t i = 0; i < n; i++)
		if (observe_one(table, nold, &snaps[i]))
			rc = -1;
	/* gone from the read: taken elsewhere, or out of reach; the last counts stay */
	for (size_t i = 0; i < table->ntracked; i++) {
		struct tracked_listener *t = &table->tracked[i];

		if (!t->seen) {
			if (!t->folded && retire(t))
				rc = -1;
			continue;
		}
		table->tracked[kept++] = *t;
	}
	table->ntracked = kept;
	if (table->ntracked)
		qsort(table->tracked, table->ntracked, sizeof(*table->tracked), tracked_cmp);
	/* a listener twice in one read counts once */
	for (size_t i = kept = 0; i < table->ntracked; i++)
		if (!kept || tracked_cmp(&table->tracked[kept - 1], &table->tracked[i]))
			table->tracked[kept++] = table->tracked[i];
	table->ntracked = kept;
	return rc;
}

/* --------------------------------------------------------------- render -- */

static int series_sum(struct series_table *table, const struct listener_snapshot *snaps, size_t n)
{
	int rc = 0;

	for (size_t k = 0; k < table->count; k++) {
		struct series *s = table->series[k];

		s->total = s->retired;
		s->nerrnos = 0;
		for (size_t e = 0; e < s->nretired_errnos; e++)
			rc |= errnos_add(&s->errnos, &s->nerrnos, &s->errnos_cap,
					 s->retired_errnos[e].err, s->retired_errnos[e].count);
		s->members = s->listening = 0;
		s->backlog = s->backlog_max = s->synq = 0;
	}
	for (size_t i = 0; i < table->ntracked; i++) {
		struct tracked_listener *t = &table->tracked[i];
		struct series *s = t->series;

		if (t->folded)
			continue;
		s->members++;
		counts_add_diff(&s->total, &t->last, &t->base);
		for (int e = 0; e < t->nerrnos; e++) {
			uint64_t base = errno_count_of(t->base_errnos, t->nbase_errnos, t->errnos[e].err);

			if (t->errnos[e].count > base)
				rc |= errnos_add(&s->errnos, &s->nerrnos, &s->errnos_cap,
						 t->errnos[e].err, t->errnos[e].count - base);
		}
	}
	/* gauges: the listeners listening in this read, as they are now */
	for (size_t i = 0; i < n; i++) {
		const struct listener_snapshot *p = &snaps[i];
		struct tracked_listener *t;

		if (!p->listening || p->closed)
			continue;
		t = tracked_find(table, table->ntracked, p);
		if (!t || t->folded)
			continue;
		t->series->listening++;
		t->series->backlog += p->backlog;
		t->series->backlog_max += p->backlog_max;
		t->series->synq += p->synq;
	}
	return rc;
}

static bool outlived(const struct series *s, int64_t now_ns, uint64_t scraped_seq)
{
	return scraped_seq >= s->orphaned_seq && now_ns - s->orphaned_ns >= SERIES_RETAIN_NS;
}

/* Drop the series at k, keeping the order of the others. */
static void series_remove(struct series_table *table, size_t k)
{
	series_free(table->series[k]);
	memmove(&table->series[k], &table->series[k + 1],
		(table->count - k - 1) * sizeof(*table->series));
	table->count--;
}

/* Series without a listener: kept for their time, and no more than the bound. */
static void series_expire(struct series_table *table, int64_t now_ns, uint64_t scraped_seq)
{
	size_t retained = 0, kept = 0, before = table->count;

	for (size_t k = 0; k < table->count; k++) {
		struct series *s = table->series[k];

		if (s->members) {
			s->orphaned_seq = 0;
			s->orphaned_ns = 0;
		} else if (!s->orphaned_seq) {
			s->orphaned_seq = table->seq;
			s->orphaned_ns = now_ns;
		}
		if (!s->members && outlived(s, now_ns, scraped_seq)) {
			series_free(s);
			continue;
		}
		retained += !s->members;
		table->series[kept++] = s;
	}
	table->count = kept;
	/* over the bound: the longest without a listener go first, counted */
	for (; retained > SERIES_RETAINED_MAX; retained--) {
		size_t oldest = table->count;

		for (size_t k = 0; k < table->count; k++) {
			const struct series *s = table->series[k];

			if (!s->members && (oldest == table->count ||
					    s->orphaned_seq < table->series[oldest]->orphaned_seq))
				oldest = k;
		}
		series_remove(table, oldest);
		table->evicted++;
	}
	if (table->count != before)
		slots_fill(table);
}

uint64_t series_table_render(struct series_table *table, const struct listener_snapshot *snaps,
			     size_t n, int64_t now_ns, uint64_t scraped_seq)
{
	int rc = series_table_observe(table, snaps, n);

	table->seq++;
	rc |= series_sum(table, snaps, n);
	series_expire(table, now_ns, scraped_seq);
	return rc ? 0 : table->seq;
}

void series_table_init(struct series_table *table)
{
	memset(table, 0, sizeof(*table));
}

void series_table_free(struct series_table *table)
{
	for (size_t k = 0; k < table->count; k++)
		series_free(table->series[k]);
	free(table->series);
	free(table->slots);
	free(table->tracked);
	memset(table, 0, sizeof(*table));
}
