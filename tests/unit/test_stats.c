// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of user/aggregate/stats.c: log2 slot bounds, percentiles worked out by
 * hand, and interval deltas of cumulative counters across updates.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "aggregate/stats.h"

#define LAST	(TB_LAT_SLOTS - 1)

/* ---- histogram arithmetic ---- */

static void test_slot_bounds(void **state)
{
	int i;

	assert_int_equal(hist_slot_low_us(0), 0);
	assert_int_equal(hist_slot_high_us(0), 2);
	assert_int_equal(hist_slot_low_us(1), 2);
	assert_int_equal(hist_slot_high_us(1), 4);
	assert_int_equal(hist_slot_low_us(10), 1024);
	assert_int_equal(hist_slot_high_us(10), 2048);
	assert_int_equal(hist_slot_low_us(LAST), 1ull << LAST);
	assert_true(hist_slot_high_us(LAST) == UINT64_MAX);
	/* contiguous: each slot starts where the previous one ends */
	for (i = 1; i < TB_LAT_SLOTS; i++)
		assert_true(hist_slot_low_us(i) == hist_slot_high_us(i - 1));
	/* out of range slots behave as the nearest real one */
	assert_int_equal(hist_slot_low_us(-3), 0);
	assert_true(hist_slot_high_us(TB_LAT_SLOTS + 5) == UINT64_MAX);
}

static void test_slot_of(void **state)
{
	int i;

	assert_int_equal(hist_slot_of_us(0), 0);
	assert_int_equal(hist_slot_of_us(1), 0);
	assert_int_equal(hist_slot_of_us(2), 1);
	assert_int_equal(hist_slot_of_us(3), 1);
	assert_int_equal(hist_slot_of_us(4), 2);
	assert_int_equal(hist_slot_of_us(1023), 9);
	assert_int_equal(hist_slot_of_us(1024), 10);
	assert_int_equal(hist_slot_of_us((1ull << LAST) - 1), LAST - 1);
	assert_int_equal(hist_slot_of_us(1ull << LAST), LAST);
	assert_int_equal(hist_slot_of_us(UINT64_MAX), LAST);
	/* every slot's bounds map back to it */
	for (i = 0; i < LAST; i++) {
		assert_int_equal(hist_slot_of_us(hist_slot_low_us(i)), i);
		assert_int_equal(hist_slot_of_us(hist_slot_high_us(i) - 1), i);
	}
}

static void test_count(void **state)
{
	uint64_t h[TB_LAT_SLOTS] = { [0] = 1, [5] = 2, [LAST] = 3 };

	assert_int_equal(hist_count(h), 6);
}

static void test_percentile_empty(void **state)
{
	uint64_t h[TB_LAT_SLOTS] = { 0 };

	assert_int_equal(hist_percentile_us(h, 50, 0), 0);
	assert_int_equal(hist_percentile_us(h, 99, 1000), 0);
}

static void test_percentile_single_slot0(void **state)
{
	uint64_t h[TB_LAT_SLOTS] = { [0] = 1 };

	/* the middle of [0, 2) */
	assert_int_equal(hist_percentile_us(h, 50, 0), 1);
	assert_int_equal(hist_percentile_us(h, 99, 0), 1);
	assert_int_equal(hist_percentile_us(h, 100, 0), 1);
	assert_int_equal(hist_percentile_us(h, 99, 1), 1);
}

/*
 * 4 samples in [1024, 2048): the k-th at 1024 + 1024 * (2k - 1) / 8,
 * for k = 1, 2, 3, 4: 1152, 1408, 1664, 1920.
 */
static void test_percentile_one_slot(void **state)
{
	uint64_t h[TB_LAT_SLOTS] = { [10] = 4 };

	assert_int_equal(hist_percentile_us(h, 25, 0), 1152);	/* rank 1 */
	assert_int_equal(hist_percentile_us(h, 50, 0), 1408);	/* rank 2 */
	assert_int_equal(hist_percentile_us(h, 51, 0), 1664);	/* rank ceil(2.04) = 3 */
	assert_int_equal(hist_percentile_us(h, 99, 0), 1920);	/* rank 4 */
	assert_int_equal(hist_percentile_us(h, 100, 0), 1920);
	/* tiny p still means the first sample */
	assert_int_equal(hist_percentile_us(h, 0.0001, 0), 1152);
	/* never above a known max */
	assert_int_equal(hist_percentile_us(h, 50, 1500), 1408);
	assert_int_equal(hist_percentile_us(h, 99, 1500), 1500);
	assert_int_equal(hist_percentile_us(h, 99, 2047), 1920);
}

/*
 * 90 samples in [8, 16), 10 in [128, 256), 100 in all:
 *   p50: rank 50, 50th of 90 in slot 3: 8 + 8 * 99 / 180 = 12.4 -> 12
 *   p90: rank 90, last of slot 3: 8 + 8 * 179 / 180 = 15.95 -> 15
 *   p91: rank 91, 1st of 10 in slot 7: 128 + 128 * 1 / 20 = 134.4 -> 134
 *   p99: rank 99, 9th of 10: 128 + 128 * 17 / 20 = 236.8 -> 236
 */
static void test_percentile_two_slots(void **state)
{
	uint64_t h[TB_LAT_SLOTS] = { [3] = 90, [7] = 10 };

	assert_int_equal(hist_percentile_us(h, 50, 0), 12);
	assert_int_equal(hist_percentile_us(h, 90, 0), 15);
	assert_int_equal(hist_percentile_us(h, 91, 0), 134);
	assert_int_equal(hist_percentile_us(h, 99, 0), 236);
	assert_int_equal(hist_percentile_us(h, 99, 200), 200);
	assert_int_equal(hist_percentile_us(h, 50, 200), 12);
}

/* the last slot has no upper bound: the max when known, else its low */
static void test_percentile_last_slot(void **state)
{
	uint64_t h[TB_LAT_SLOTS] = { [0] = 1, [LAST] = 1 };

	assert_int_equal(hist_percentile_us(h, 50, 0), 1);
	assert_true(hist_percentile_us(h, 99, 0) == 1ull << LAST);
	assert_true(hist_percentile_us(h, 99, 3000000000ull) == 3000000000ull);
}

/* counts near 2^64 and slots near the top: no overflow in the interpolation */
static void test_percentile_huge(void **state)
{
	uint64_t h[TB_LAT_SLOTS] = { [LAST - 1] = UINT64_MAX / 2 };
	uint64_t v = hist_percentile_us(h, 99, 0);

	assert_true(v >= hist_slot_low_us(LAST - 1));
	assert_true(v < hist_slot_high_us(LAST - 1));
}

/* ---- interval reports ---- */

static struct listener_snapshot snap(uint64_t id)
{
	struct listener_snapshot s = {
		.id = id,
		.netns = 4026531840u,
		.family = 2,
		.laddr = "10.0.0.1",
		.lport = 8080,
		.pid = 1234,
		.comm = "nginx",
		.listening = true,
		.backlog_max = 128,
		.open_fds = -1,
	};

	return s;
}

static void test_first_sight_full_counts(void **state)
{
	struct listener_snapshot s = snap(1);
	struct listener_report r;
	struct stats st;

	s.syn_drops[TB_REASON_ACCEPT_QUEUE_FULL] = 5;
	s.syn_drops[TB_REASON_SYN_QUEUE_FULL] = 2;
	s.syn_drops[TB_REASON_OTHER] = 1;
	s.accept_overflows = 3;
	s.syncookies = 4;
	s.accepts = 10;
	s.accept_errors = 6;
	s.lat_us_hist[10] = 4;
	s.lat_max_ns = 1500000;
	s.errnos[0] = (struct errno_count){ EMFILE, 6 };
	s.nerrnos = 1;

	stats_init(&st);
	assert_int_equal(stats_update(&st, &s, 1, &r), 0);
	assert_ptr_equal(r.now, &s);
	assert_int_equal(r.syn_drops, 8);
	assert_int_equal(r.syn_drops_by_reason[TB_REASON_ACCEPT_QUEUE_FULL], 5);
	assert_int_equal(r.syn_drops_by_reason[TB_REASON_SYN_QUEUE_FULL], 2);
	assert_int_equal(r.syn_drops_by_reason[TB_REASON_OTHER], 1);
	assert_int_equal(r.accept_overflows, 3);
	assert_int_equal(r.syncookies, 4);
	assert_int_equal(r.accepts, 10);
	assert_int_equal(r.accept_errors, 6);
	assert_int_equal(r.nerrnos, 1);
	assert_int_equal(r.errnos[0].err, EMFILE);
	assert_int_equal(r.errnos[0].count, 6);
	assert_int_equal(r.lat_us_hist[10], 4);
	assert_int_equal(r.latency.count, 4);
	assert_int_equal(r.latency.p50_us, 1408);
	assert_int_equal(r.latency.p99_us, 1500);	/* clamped to the max */
	assert_int_equal(r.latency.max_us, 1500);
	assert_true(r.active);
	stats_free(&st);
}

static void test_second_sight_deltas(void **state)
{
	struct listener_snapshot a = snap(1), b;
	struct listener_report r;
	struct stats st;

	a.syn_drops[TB_REASON_ACCEPT_QUEUE_FULL] = 5;
	a.accept_overflows = 3;
	a.accepts = 10;
	a.syncookies = 1;
	a.lat_us_hist[3] = 90;
	b = a;
	b.syn_drops[TB_REASON_ACCEPT_QUEUE_FULL] = 12;
	b.accept_overflows = 3;
	b.accepts = 110;
	b.lat_us_hist[3] = 180;
	b.lat_us_hist[7] = 10;
	b.lat_max_ns = 240000001;	/* rounded up to 240001 us: above slot 7, kept */

	stats_init(&st);
	assert_int_equal(stats_update(&st, &a, 1, &r), 0);
	assert_int_equal(stats_update(&st, &b, 1, &r), 0);
	assert_int_equal(r.syn_drops, 7);
	assert_int_equal(r.syn_drops_by_reason[TB_REASON_ACCEPT_QUEUE_FULL], 7);
	assert_int_equal(r.accept_overflows, 0);
	assert_int_equal(r.syncookies, 0);
	assert_int_equal(r.accepts, 100);
	assert_int_equal(r.lat_us_hist[3], 90);
	assert_int_equal(r.lat_us_hist[7], 10);
	assert_int_equal(r.latency.count, 100);
	assert_int_equal(r.latency.p50_us, 12);
	assert_int_equal(r.latency.p99_us, 236);
	assert_int_equal(r.latency.max_us, 240001);
	assert_true(r.active);

	/* nothing new, queues empty: inactive, all zero */
	assert_int_equal(stats_update(&st, &b, 1, &r), 0);
	assert_int_equal(r.syn_drops, 0);
	assert_int_equal(r.accepts, 0);
	assert_int_equal(r.latency.count, 0);
	assert_int_equal(r.latency.p50_us, 0);
	assert_int_equal(r.latency.max_us, 0);
	assert_false(r.active);
	stats_free(&st);
}

/* the interval a listener closed in reports it, even with nothing new; later ones do not */
static void test_closed_once(void **state)
{
	struct listener_snapshot a = snap(1), b;
	struct listener_report r;
	struct stats st;

	a.syn_drops[TB_REASON_ACCEPT_QUEUE_FULL] = 5;
	b = a;
	b.closed = true;
	b.listening = false;

	stats_init(&st);
	assert_int_equal(stats_update(&st, &a, 1, &r), 0);
	assert_int_equal(stats_update(&st, &a, 1, &r), 0);
	assert_false(r.active);
	assert_int_equal(stats_update(&st, &b, 1, &r), 0);
	assert_true(r.active);
	assert_int_equal(r.syn_drops, 0);
	assert_int_equal(stats_update(&st, &b, 1, &r), 0);
	assert_false(r.active);

	/* opened and closed within one interval: reported, with all its counts */
	stats_free(&st);
	stats_init(&st);
	b.id = 2;
	assert_int_equal(stats_update(&st, &a, 1, &r), 0);
	assert_int_equal(stats_update(&st, &b, 1, &r), 0);
	assert_true(r.active);
	assert_int_equal(r.syn_drops, 5);
	stats_free(&st);
}

/* a max below the highest slot was read at another moment: not used */
static void test_stale_max(void **state)
{
	struct listener_snapshot s = snap(1);
	struct listener_report r;
	struct stats st;

	s.lat_us_hist[3] = 90;
	s.lat_us_hist[7] = 10;
	s.lat_max_ns = 9000;		/* 9 us, slot 3, below slot 7 */
	stats_init(&st);
	assert_int_equal(stats_update(&st, &s, 1, &r), 0);
	assert_int_equal(r.latency.p50_us, 12);
	assert_int_equal(r.latency.p99_us, 236);
	assert_int_equal(r.latency.max_us, 255);	/* top of slot 7 */
	stats_free(&st);
}

/* out NULL: the first period only sets the baseline */
static void test_remember_only(void **state)
{
	struct listener_snapshot s = snap(3);
	struct listener_report r;
	struct stats st;

	s.accepts = 500;
	s.accept_overflows = 7;
	stats_init(&st);
	assert_int_equal(stats_update(&st, &s, 1, NULL), 0);
	assert_int_equal(st.count, 1);
	s.accepts = 520;
	assert_int_equal(stats_update(&st, &s, 1, &r), 0);
	assert_int_equal(r.accepts, 20);
	assert_int_equal(r.accept_overflows, 0);
	stats_free(&st);
}

/* a count that went down: another socket at the same id, all of it is new */
static void test_counter_reset(void **state)
{
	struct listener_snapshot a = snap(7), b = snap(7);
	struct listener_report r;
	struct stats st;

	a.accepts = 1000;
	a.syn_drops[TB_REASON_ACCEPT_QUEUE_FULL] = 50;
	a.errnos[0] = (struct errno_count){ EMFILE, 9 };
	a.nerrnos = 1;
	a.accept_errors = 9;
	b.accepts = 3;
	b.syn_drops[TB_REASON_ACCEPT_QUEUE_FULL] = 60;	/* up, yet part of the new socket */
	b.errnos[0] = (struct errno_count){ EMFILE, 2 };
	b.nerrnos = 1;
	b.accept_errors = 2;

	stats_init(&st);
	assert_int_equal(stats_update(&st, &a, 1, &r), 0);
	assert_int_equal(stats_update(&st, &b, 1, &r), 0);
	assert_int_equal(r.accepts, 3);
	assert_int_equal(r.syn_drops, 60);
	assert_int_equal(r.accept_errors, 2);
	assert_int_equal(r.nerrnos, 1);
	assert_int_equal(r.errnos[0].count, 2);

	/* a histogram slot going down is a reset too */
	a = b;
	a.lat_us_hist[4] = 5;
	b.lat_us_hist[4] = 1;
	assert_int_equal(stats_update(&st, &a, 1, &r), 0);
	assert_int_equal(stats_update(&st, &b, 1, &r), 0);
	assert_int_equal(r.accepts, 3);
	assert_int_equal(r.lat_us_hist[4], 1);
	stats_free(&st);
}

/* ids missing from an update are forgotten: seen again, they count from zero */
static void test_forgotten_ids(void **state)
{
	struct listener_snapshot s[2] = { snap(1), snap(2) };
	struct listener_report r[2];
	struct stats st;

	s[0].accepts = 10;
	s[1].accepts = 20;
	stats_init(&st);
	assert_int_equal(stats_update(&st, s, 2, r), 0);
	assert_int_equal(st.count, 2);
	assert_int_equal(stats_update(&st, &s[1], 1, r), 0);
	assert_int_equal(st.count, 1);
	assert_int_equal(r[0].accepts, 0);
	assert_int_equal(stats_update(&st, s, 2, r), 0);
	assert_int_equal(r[0].accepts, 10);	/* forgotten: all of it */
	assert_int_equal(r[1].accepts, 0);	/* remembered: no change */

	/* an empty update forgets everything */
	assert_int_equal(stats_update(&st, NULL, 0, NULL), 0);
	assert_int_equal(st.count, 0);
	assert_int_equal(stats_update(&st, s, 2, r), 0);
	assert_int_equal(r[0].accepts, 10);
	assert_int_equal(r[1].accepts, 20);
	stats_free(&st);
	assert_null(st.items);
}

/* per-errno deltas, zero ones left out, ordered by count then errno */
static void test_errno_deltas(void **state)
{
	struct listener_snapshot a = snap(1), b = snap(1);
	struct listener_report r;
	struct stats st;

	a.errnos[0] = (struct errno_count){ EMFILE, 5 };
	a.errnos[1] = (struct errno_count){ ENFILE, 2 };
	a.errnos[2] = (struct errno_count){ ECONNABORTED, 4 };
	a.nerrnos = 3;
	a.accept_errors = 11;
	b.errnos[0] = (struct errno_count){ ENFILE, 10 };
	b.errnos[1] = (struct errno_count){ EMFILE, 6 };
	b.errnos[2] = (struct errno_count){ ENOBUFS, 1 };
	b.errnos[3] = (struct errno_count){ ECONNABORTED, 4 };
	b.nerrnos = 4;
	b.accept_errors = 21;

	stats_init(&st);
	assert_int_equal(stats_update(&st, &a, 1, &r), 0);
	/* first sight: ordered by count */
	assert_int_equal(r.nerrnos, 3);
	assert_int_equal(r.errnos[0].err, EMFILE);
	assert_int_equal(r.errnos[1].err, ECONNABORTED);
	assert_int_equal(r.errnos[2].err, ENFILE);

	assert_int_equal(stats_update(&st, &b, 1, &r), 0);
	assert_int_equal(r.accept_errors, 10);
	assert_int_equal(r.nerrnos, 3);
	assert_int_equal(r.errnos[0].err, ENFILE);
	assert_int_equal(r.errnos[0].count, 8);
	assert_int_equal(r.errnos[1].err, EMFILE);	/* 24 < 105 on a tie */
	assert_int_equal(r.errnos[1].count, 1);
	assert_int_equal(r.errnos[2].err, ENOBUFS);
	assert_int_equal(r.errnos[2].count, 1);
	stats_free(&st);
}

static void test_active_rules(void **state)
{
	struct listener_snapshot base = snap(1), s;
	struct listener_report r;
	struct stats st;

	stats_init(&st);
	assert_int_equal(stats_update(&st, &base, 1, &r), 0);
	assert_false(r.active);		/* nothing counted, queues empty */

	s = base;
	s.backlog = 1;
	assert_int_equal(stats_update(&st, &s, 1, &r), 0);
	assert_true(r.active);

	s = base;
	s.synq = 1;
	assert_int_equal(stats_update(&st, &s, 1, &r), 0);
	assert_true(r.active);

	s = base;
	s.backlog_peak = 3;
	assert_int_equal(stats_update(&st, &s, 1, &r), 0);
	assert_true(r.active);

	s = base;
	s.synq_peak = 2;
	assert_int_equal(stats_update(&st, &s, 1, &r), 0);
	assert_true(r.active);

	/* queue limits and fd figures are not activity */
	s = base;
	s.backlog_max = 4096;
	s.nofile_limit = 1024;
	s.open_fds = 1000;
	assert_int_equal(stats_update(&st, &s, 1, &r), 0);
	assert_false(r.active);

	s.syncookies = 1;
	assert_int_equal(stats_update(&st, &s, 1, &r), 0);
	assert_true(r.active);
	assert_int_equal(stats_update(&st, &s, 1, &r), 0);
	assert_false(r.active);

	s.lat_us_hist[0] = 1;
	assert_int_equal(stats_update(&st, &s, 1, &r), 0);
	assert_true(r.active);
	assert_int_equal(stats_update(&st, &s, 1, &r), 0);
	assert_false(r.active);
	stats_free(&st);
}

static void test_whole_run(void **state)
{
	struct listener_snapshot s = snap(1);
	struct listener_report r;
	struct stats none;

	stats_init(&none);
	s.backlog = 5;
	s.synq_peak = 3;
	stats_whole_run(&none, &s, &r);
	assert_ptr_equal(r.now, &s);
	assert_false(r.active);		/* queues now are not counts of the run */

	s.accepts = 100;
	s.lat_us_hist[3] = 90;
	s.lat_us_hist[7] = 10;
	s.syn_drops[TB_REASON_SYN_QUEUE_FULL] = 4;
	s.errnos[0] = (struct errno_count){ EMFILE, 3 };
	s.nerrnos = 1;
	s.accept_errors = 3;
	stats_whole_run(&none, &s, &r);
	assert_true(r.active);
	assert_int_equal(r.accepts, 100);
	assert_int_equal(r.syn_drops, 4);
	assert_int_equal(r.nerrnos, 1);
	assert_int_equal(r.errnos[0].count, 3);
	assert_int_equal(r.latency.count, 100);
	assert_int_equal(r.latency.p50_us, 12);
	assert_int_equal(r.latency.p99_us, 236);
	assert_int_equal(r.latency.max_us, 255);
}

/*
 * With -i each period takes the kernel's highs: the exit summary's max is
 * the highest of every period, exact, even when the last period (taken
 * at exit, after the last interval report) saw no wait at all.
 */
static void test_whole_run_max_of_periods(void **state)
{
	struct listener_snapshot s = snap(1);
	struct listener_report r;
	struct stats st;

	stats_init(&st);
	s.accepts = 10;
	s.lat_us_hist[21] = 10;			/* [2097152, 4194304) us */
	s.lat_max_ns = 2504468000ULL;		/* the first period's exact max */
	assert_int_equal(stats_update(&st, &s, 1, &r), 0);
	assert_int_equal(r.latency.max_us, 2504468);
	s.lat_max_ns = 1200000000ULL;		/* a lower one later */
	assert_int_equal(stats_update(&st, &s, 1, &r), 0);
	s.lat_max_ns = 0;			/* nothing since: the highs were taken */
	stats_whole_run(&st, &s, &r);
	assert_int_equal(r.latency.count, 10);
	assert_int_equal(r.latency.max_us, 2504468);
	assert_true(r.latency.p99_us <= 2504468);

	/* another socket at the same id (counts went down): its own max only */
	s.lat_us_hist[21] = 0;
	s.lat_us_hist[10] = 1;
	s.accepts = 1;
	s.lat_max_ns = 1500000;
	stats_whole_run(&st, &s, &r);
	assert_int_equal(r.latency.max_us, 1500);
	stats_free(&st);
}

/*
 * Thousands of listeners, ids in no order: every report finds its own
 * listener's previous counts (how fast is for make bench, not a test).
 */
static void test_many_listeners(void **state)
{
	enum { N = 5000, ROUNDS = 20 };
	struct listener_snapshot *s = calloc(N, sizeof(*s));
	struct listener_report *r = calloc(N, sizeof(*r));
	struct stats st;
	size_t i;
	int round;

	assert_non_null(s);
	assert_non_null(r);
	for (i = 0; i < N; i++) {
		s[i] = snap((uint64_t)0xffff888000000000ull + ((i * 7919) % N) * 2048);
		s[i].accepts = i;
	}
	stats_init(&st);
	for (round = 0; round < ROUNDS; round++) {
		for (i = 0; i < N; i++)
			s[i].accepts += i % 3;
		assert_int_equal(stats_update(&st, s, N, r), 0);
		if (round == 0)
			continue;
		for (i = 0; i < N; i++)
			if (r[i].accepts != i % 3 || r[i].now != &s[i])
				fail_msg("round %d listener %zu: %llu", round, i,
					 (unsigned long long)r[i].accepts);
	}
	assert_int_equal(st.count, N);
	stats_free(&st);
	free(s);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slot_bounds),
		cmocka_unit_test(test_slot_of),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_percentile_empty),
		cmocka_unit_test(test_percentile_single_slot0),
		cmocka_unit_test(test_percentile_one_slot),
		cmocka_unit_test(test_percentile_two_slots),
		cmocka_unit_test(test_percentile_last_slot),
		cmocka_unit_test(test_percentile_huge),
		cmocka_unit_test(test_first_sight_full_counts),
		cmocka_unit_test(test_second_sight_deltas),
		cmocka_unit_test(test_closed_once),
		cmocka_unit_test(test_stale_max),
		cmocka_unit_test(test_remember_only),
		cmocka_unit_test(test_counter_reset),
		cmocka_unit_test(test_forgotten_ids),
		cmocka_unit_test(test_errno_deltas),
		cmocka_unit_test(test_active_rules),
		cmocka_unit_test(test_whole_run),
		cmocka_unit_test(test_whole_run_max_of_periods),
		cmocka_unit_test(test_many_listeners),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
