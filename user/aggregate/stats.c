// SPDX-License-Identifier: GPL-2.0
/*
 * Interval deltas of the kernel's cumulative per-listener counters, and
 * percentiles of log2 latency histograms.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate/stats.h"
#include "tb_log2.h"

#define LAST_SLOT	(TB_LAT_SLOTS - 1)

/* The cumulative counts of one listener at the previous update. */
struct stats_entry {
	uint64_t id;
	uint64_t syn_drops[TB_REASON_MAX];
	uint64_t accept_overflows;
	uint64_t syncookies;
	uint64_t accepts;
	uint64_t accept_errors;
	uint64_t lat_us_hist[TB_LAT_SLOTS];
	struct errno_count errnos[SNAPSHOT_ERRNOS];
	int nerrnos;
	bool closed;
	uint64_t lat_max_ns;	/* the highest wait seen in any period so far */
	/* what the drops cost the clients */
	uint64_t delayed;
	uint64_t delay_us_hist[TB_LAT_SLOTS];
	uint64_t delay_max_ns;	/* the longest added delay in any period so far */
	uint64_t retried_syns;
	uint64_t synack_retransmits;
	uint64_t abandoned;
	uint64_t abandoned_unretried;
	uint64_t untracked;
};

static int clamp_slot(int slot)
{
	if (slot < 0)
		return 0;
	if (slot > LAST_SLOT)
		return LAST_SLOT;
	return slot;
}

uint64_t hist_slot_low_us(int slot)
{
	slot = clamp_slot(slot);
	return slot ? 1ULL << slot : 0;
}

uint64_t hist_slot_high_us(int slot)
{
	slot = clamp_slot(slot);
	/* the last slot also holds everything above it */
	return slot == LAST_SLOT ? UINT64_MAX : 1ULL << (slot + 1);
}

/* the BPF side's own bucket (tb_log2.h): a percentile never lands in another slot */
int hist_slot_of_us(uint64_t us)
{
	return tb_lat_slot(us);
}

uint64_t hist_count(const uint64_t h[TB_LAT_SLOTS])
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < TB_LAT_SLOTS; i++)
		n += h[i];
	return n;
}

uint64_t hist_percentile_us(const uint64_t h[TB_LAT_SLOTS], double p, uint64_t max_us)
{
	uint64_t count = hist_count(h), rank, seen = 0, low, high, v;
	unsigned __int128 off;
	double r;
	int i;

	if (!count)
		return 0;
	/* p * count first: exact for integral p, where p / 100 is not */
	r = p * (double)count / 100.0;
	if (!(r > 1))			/* also NaN */
		rank = 1;
	else if (r >= (double)count)
		rank = count;
	else
		rank = (uint64_t)r + ((double)(uint64_t)r < r);	/* ceil */

	for (i = 0; i < LAST_SLOT; i++) {
		if (seen + h[i] >= rank)
			break;
		seen += h[i];
	}
	low = hist_slot_low_us(i);
	if (i == LAST_SLOT)
		return max_us ? max_us : low;	/* no upper bound to interpolate to */

	/*
	 * The k-th of the slot's c samples sits in the middle of the k-th of
	 * c equal parts of [low, high): inside the slot, never on its bound.
	 */
	high = hist_slot_high_us(i);
	off = (unsigned __int128)(high - low) * (2 * (rank - seen) - 1) /
	      (2 * (unsigned __int128)h[i]);
	v = low + (uint64_t)off;
	if (max_us && v > max_us)
		v = max_us;
	return v;
}

/*
 * p50/p99/max of a histogram. max_us (0: unknown) is used only if it
 * lies at or above the highest non-empty slot: a lower one is stale
 * (read at another moment) and would drag the percentiles down.
 * Without a usable max, the top of the highest non-empty slot stands in.
 */
static void summarize(const uint64_t h[TB_LAT_SLOTS], uint64_t max_us,
		      struct latency_summary *out)
{
	int top;

	memset(out, 0, sizeof(*out));
	out->count = hist_count(h);
	if (!out->count)
		return;
	for (top = LAST_SLOT; top > 0 && !h[top]; top--)
		;
	if (max_us && hist_slot_of_us(max_us) < top)
		max_us = 0;
	if (!max_us)
		max_us = top == LAST_SLOT ? hist_slot_low_us(top) : hist_slot_high_us(top) - 1;
	out->max_us = max_us;
	out->p50_us = hist_percentile_us(h, 50, max_us);
	out->p99_us = hist_percentile_us(h, 99, max_us);
}

static uint64_t ns_to_us_up(uint64_t ns)
{
	return ns / 1000 + (ns % 1000 != 0);
}

void stats_init(struct stats *s)
{
	memset(s, 0, sizeof(*s));
}

void stats_free(struct stats *s)
{
	free(s->items);
	memset(s, 0, sizeof(*s));
}

static int entry_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct stats_entry *)a)->id;
	uint64_t y = ((const struct stats_entry *)b)->id;

	return x < y ? -1 : x > y;
}

static const struct stats_entry *find(const struct stats *s, uint64_t id)
{
	struct stats_entry key = { .id = id };

	if (!s->count)
		return NULL;
	return bsearch(&key, s->items, s->count, sizeof(key), entry_cmp);
}

/* prev: the same socket's entry before this period, NULL when new */
static void remember(struct stats_entry *e, const struct listener_snapshot *snap,
		     const struct stats_entry *prev)
{
	e->id = snap->id;
	/* each period's highs are taken and reset in the kernel: keep the run's */
	e->lat_max_ns = prev && prev->lat_max_ns > snap->lat_max_ns ? prev->lat_max_ns : snap->lat_max_ns;
	memcpy(e->syn_drops, snap->syn_drops, sizeof(e->syn_drops));
	e->accept_overflows = snap->accept_overflows;
	e->syncookies = snap->syncookies;
	e->accepts = snap->accepts;
	e->accept_errors = snap->accept_errors;
	memcpy(e->lat_us_hist, snap->lat_us_hist, sizeof(e->lat_us_hist));
	e->nerrnos = snap->nerrnos < 0 ? 0 :
		     snap->nerrnos > SNAPSHOT_ERRNOS ? SNAPSHOT_ERRNOS : snap->nerrnos;
	memcpy(e->errnos, snap->errnos, sizeof(e->errnos));
	e->closed = snap->closed;
	e->delay_max_ns = prev && prev->delay_max_ns > snap->delay_max_ns ? prev->delay_max_ns : snap->delay_max_ns;
	e->delayed = snap->delayed;
	memcpy(e->delay_us_hist, snap->delay_us_hist, sizeof(e->delay_us_hist));
	e->retried_syns = snap->retried_syns;
	e->synack_retransmits = snap->synack_retransmits;
	e->abandoned = snap->abandoned;
	e->abandoned_unretried = snap->abandoned_unretried;
	e->untracked = snap->untracked;
}

/*
 * A cumulative counter only grows while one socket lives at an id: one
 * that went down means the id now belongs to another socket. Errno
 * counts are not checked: a listener keeps only its most frequent ones,
 * so one may drop out of the list without a reset.
 */
static bool went_down(const struct stats_entry *prev, const struct listener_snapshot *snap)
{
	int i;

	for (i = 0; i < TB_REASON_MAX; i++)
		if (snap->syn_drops[i] < prev->syn_drops[i])
			return true;
	for (i = 0; i < TB_LAT_SLOTS; i++)
		if (snap->lat_us_hist[i] < prev->lat_us_hist[i])
			return true;
	if (snap->delayed < prev->delayed || snap->retried_syns < prev->retried_syns ||
	    snap->synack_retransmits < prev->synack_retransmits)
		return true;
	return snap->accept_overflows < prev->accept_overflows ||
	       snap->syncookies < prev->syncookies ||
	       snap->accepts < prev->accepts ||
	       snap->accept_errors < prev->accept_errors;
}

static uint64_t prev_errno(const struct stats_entry *prev, int err)
{
	int i;

	for (i = 0; prev && i < prev->nerrnos; i++)
		if (prev->errnos[i].err == err)
			return prev->errnos[i].count;
	return 0;
}

static int errno_count_cmp(const void *a, const void *b)
{
	const struct errno_count *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return (x->err > y->err) - (x->err < y->err);
}

/* prev NULL: everything counted so far happened in this interval */
static void report(const struct listener_snapshot *snap, const struct stats_entry *prev,
		   struct listener_report *out)
{
	static const struct stats_entry zero;
	const struct stats_entry *p = prev ? prev : &zero;
	int i, n;
	bool any = false;

	memset(out, 0, sizeof(*out));
	out->now = snap;
	for (i = 0; i < TB_REASON_MAX; i++) {
		out->syn_drops_by_reason[i] = snap->syn_drops[i] - p->syn_drops[i];
		out->syn_drops += out->syn_drops_by_reason[i];
	}
	out->accept_overflows = snap->accept_overflows - p->accept_overflows;
	out->syncookies = snap->syncookies - p->syncookies;
	out->accepts = snap->accepts - p->accepts;
	out->accept_errors = snap->accept_errors - p->accept_errors;
	for (i = 0; i < TB_LAT_SLOTS; i++) {
		out->lat_us_hist[i] = snap->lat_us_hist[i] - p->lat_us_hist[i];
		any |= out->lat_us_hist[i] != 0;
	}

	n = snap->nerrnos > SNAPSHOT_ERRNOS ? SNAPSHOT_ERRNOS : snap->nerrnos;
	for (i = 0; i < n; i++) {
		uint64_t was = prev_errno(prev, snap->errnos[i].err);
		uint64_t d = snap->errnos[i].count >= was ?
			     snap->errnos[i].count - was : snap->errnos[i].count;

		if (!d)
			continue;
		out->errnos[out->nerrnos].err = snap->errnos[i].err;
		out->errnos[out->nerrnos].count = d;
		out->nerrnos++;
	}
	qsort(out->errnos, out->nerrnos, sizeof(out->errnos[0]), errno_count_cmp);

	summarize(out->lat_us_hist, ns_to_us_up(snap->lat_max_ns), &out->latency);

	/* the loader's counts only grow: a smaller one is another socket's, all new */
	out->delayed = snap->delayed - p->delayed;
	for (i = 0; i < TB_LAT_SLOTS; i++)
		out->delay_us_hist[i] = snap->delay_us_hist[i] - p->delay_us_hist[i];
	summarize(out->delay_us_hist, ns_to_us_up(snap->delay_max_ns), &out->delay);
	out->retried_syns = snap->retried_syns - p->retried_syns;
	out->synack_retransmits = snap->synack_retransmits - p->synack_retransmits;
	out->abandoned = snap->abandoned >= p->abandoned ? snap->abandoned - p->abandoned : snap->abandoned;
	out->abandoned_unretried = snap->abandoned_unretried >= p->abandoned_unretried ?
				   snap->abandoned_unretried - p->abandoned_unretried : snap->abandoned_unretried;
	out->untracked = snap->untracked >= p->untracked ? snap->untracked - p->untracked : snap->untracked;
	any |= out->delayed || out->retried_syns || out->synack_retransmits || out->abandoned ||
	       out->untracked;

	any |= out->syn_drops || out->accept_overflows || out->syncookies ||
	       out->accepts || out->accept_errors || out->nerrnos;
	out->active = any || snap->backlog || snap->synq ||
		      snap->backlog_peak || snap->synq_peak;
}

int stats_update(struct stats *s, const struct listener_snapshot *snaps, size_t n,
		 struct listener_report *out)
{
	struct stats_entry *next = NULL;
	size_t i, k;

	for (i = 0; out && i < n; i++) {
		const struct stats_entry *prev = find(s, snaps[i].id);

		if (prev && went_down(prev, &snaps[i]))
			prev = NULL;
		report(&snaps[i], prev, &out[i]);
		/* the interval a listener closed in reports it, once, with its last counts */
		if (snaps[i].closed && (!prev || !prev->closed))
			out[i].active = true;
	}

	if (n) {
		next = malloc(n * sizeof(*next));
		if (!next)
			return -ENOMEM;	/* reports are right; the next deltas grow */
		for (i = 0; i < n; i++) {
			const struct stats_entry *prev = find(s, snaps[i].id);

			remember(&next[i], &snaps[i], prev && !went_down(prev, &snaps[i]) ? prev : NULL);
		}
		qsort(next, n, sizeof(*next), entry_cmp);
		/* an id listed twice: keep one, bsearch needs unique keys */
		for (i = 1, k = 1; i < n; i++)
			if (next[i].id != next[k - 1].id)
				next[k++] = next[i];
		n = k;
	}
	free(s->items);
	s->items = next;
	s->count = n;
	s->cap = n;
	return 0;
}

void stats_whole_run(const struct stats *s, const struct listener_snapshot *snap,
		     struct listener_report *out)
{
	const struct stats_entry *prev = find(s, snap->id);
	struct listener_snapshot run = *snap;

	/*
	 * The highs since the last period are in snap; earlier periods' are
	 * in the entry. Their max is the run's exact max: without it the
	 * summary would take a histogram bucket's edge.
	 */
	if (prev && !went_down(prev, snap) && prev->lat_max_ns > run.lat_max_ns)
		run.lat_max_ns = prev->lat_max_ns;
	if (prev && !went_down(prev, snap) && prev->delay_max_ns > run.delay_max_ns)
		run.delay_max_ns = prev->delay_max_ns;
	report(&run, NULL, out);
	out->now = snap;
	/* the run, not the moment: a queue that is busy now is not a count */
	out->active = out->syn_drops || out->accept_overflows || out->syncookies ||
		      out->accepts || out->accept_errors || out->latency.count || out->delayed ||
		      out->synack_retransmits;
}
