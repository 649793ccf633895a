// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of user/aggregate/client_cost.c: which 4-tuples are judged
 * abandoned, the race with the kernel for one being established, pending
 * and stale counts per listener, and the untracked estimate that never
 * goes down; and of the clients_delayed and syn_flood hints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "aggregate/client_cost.h"
#include "aggregate/hints.h"

#define S	1000000000LL

static struct tuple_entry tuple(uint64_t listener, uint16_t sport, int64_t first, int64_t last,
				uint32_t attempts)
{
	struct tuple_entry e;

	memset(&e, 0, sizeof(e));
	e.key.sport = sport;
	e.t.listener = listener;
	e.t.first_drop_ns = first;
	e.t.last_ns = last;
	e.t.attempts = attempts;
	return e;
}

static int deleted[8], ndeleted;
static int refuse_port;		/* the kernel got there first: established */

static int delete_cb(void *ctx, const struct tb_tuple_key *key)
{
	if (key->sport == refuse_port)
		return -1;
	deleted[ndeleted++] = key->sport;
	return 0;
}

static void test_judge(void **state)
{
	struct client_cost c;
	const struct client_cost_listener *l;
	int64_t now = 100 * S;
	struct tuple_entry t[] = {
		tuple(1, 1001, 10 * S, 20 * S, 3),	/* silent 80 s: abandoned, retried */
		tuple(1, 1002, 30 * S, 30 * S, 1),	/* silent 70 s: abandoned, unretried */
		tuple(1, 1003, 90 * S, 99 * S, 2),	/* pending, stale, retried */
		tuple(1, 1004, 98 * S, 98 * S, 1),	/* pending, too young to say */
		tuple(2, 1005, 95 * S, 95 * S, 1),	/* pending, stale, unretried */
		tuple(2, 1006, 1 * S, 1 * S, 1),	/* old, but established meanwhile */
	};

	client_cost_init(&c);
	ndeleted = 0;
	refuse_port = 1006;
	client_cost_judge(&c, t, 6, now, 60 * S, delete_cb, NULL);
	assert_int_equal(ndeleted, 2);
	assert_int_equal(c.abandoned, 2);
	assert_int_equal(c.pending, 3);
	l = client_cost_find(&c, 1);
	assert_non_null(l);
	assert_int_equal(l->abandoned, 2);
	assert_int_equal(l->abandoned_unretried, 1);
	assert_int_equal(l->pending, 2);
	assert_int_equal(l->stale_retried, 1);
	assert_int_equal(l->stale_unretried, 0);
	l = client_cost_find(&c, 2);
	assert_non_null(l);
	assert_int_equal(l->abandoned, 0);
	assert_int_equal(l->pending, 1);
	assert_int_equal(l->stale_unretried, 1);
	assert_null(client_cost_find(&c, 3));

	/* the next judgement: pending counts are of the moment, abandoned add up */
	client_cost_judge(&c, t + 2, 1, 200 * S, 60 * S, delete_cb, NULL);
	l = client_cost_find(&c, 1);
	assert_int_equal(l->abandoned, 3);
	assert_int_equal(l->pending, 0);
	assert_int_equal(client_cost_find(&c, 2)->pending, 0);
	assert_int_equal(c.abandoned, 3);
	client_cost_free(&c);
}

static void test_untracked_never_down(void **state)
{
	struct client_cost c;
	struct tuple_entry t = tuple(7, 1, 0, 0, 1);

	client_cost_init(&c);
	client_cost_judge(&c, &t, 1, S, 60 * S, delete_cb, NULL);	/* one pending */
	client_cost_untracked(&c, 7, 10, 5);	/* 10 - 5 - 0 - 1 */
	assert_int_equal(client_cost_find(&c, 7)->untracked, 4);
	/* an establishment between the reads lowers the estimate: the count stays */
	client_cost_untracked(&c, 7, 10, 7);
	assert_int_equal(client_cost_find(&c, 7)->untracked, 4);
	client_cost_untracked(&c, 7, 20, 9);
	assert_int_equal(client_cost_find(&c, 7)->untracked, 10);
	/* more ended than tracked (read at other moments): nothing */
	client_cost_untracked(&c, 8, 3, 5);
	assert_int_equal(client_cost_find(&c, 8)->untracked, 0);
	client_cost_free(&c);
}

static struct listener_snapshot snap(void)
{
	struct listener_snapshot s;

	memset(&s, 0, sizeof(s));
	s.netns = 1;
	strcpy(s.laddr, "10.0.0.1");
	s.lport = 80;
	s.backlog_max = 128;
	return s;
}

static int hints_of_kind(const struct listener_report *r, const char *kind, struct hint *h)
{
	struct hint out[8];
	int n = hints_for(r, NULL, out, 8), found = 0;

	for (int i = 0; i < n; i++)
		if (!strcmp(out[i].kind, kind)) {
			*h = out[i];
			found++;
		}
	return found;
}

static void test_clients_delayed_hint(void **state)
{
	struct listener_snapshot s = snap();
	struct listener_report r = { .now = &s };
	struct hint h;

	assert_int_equal(hints_of_kind(&r, "clients_delayed", &h), 0);
	r.delayed = 5;
	r.delay = (struct latency_summary){ .count = 5, .p50_us = 1003000, .p99_us = 3010000, .max_us = 3010000 };
	s.syn_drops[TB_REASON_ACCEPT_QUEUE_FULL] = 9;
	r.abandoned = 2;
	assert_int_equal(hints_of_kind(&r, "clients_delayed", &h), 1);
	assert_non_null(strstr(h.text, "5 connections got in only after"));
	assert_non_null(strstr(h.text, "1.0 s more at the median, 3.0 s at p99"));
	assert_non_null(strstr(h.text, "2 gave up"));
	assert_non_null(strstr(h.text, "accept queue was full"));
}

static void test_syn_flood_hint(void **state)
{
	struct listener_snapshot s = snap();
	struct listener_report r = { .now = &s };
	struct hint h;

	/* real clients retry: no flood */
	s.stale_unretried = 3;
	s.stale_retried = 10;
	r.delayed = 4;
	assert_int_equal(hints_of_kind(&r, "syn_flood", &h), 0);
	/* a majority of sources that never retried, enough of them */
	s.stale_unretried = 40;
	r.abandoned = 25;
	r.abandoned_unretried = 20;
	r.untracked = 5;
	assert_int_equal(hints_of_kind(&r, "syn_flood", &h), 1);
	assert_non_null(strstr(h.text, "65 dropped connection attempts sent one SYN"));
	assert_non_null(strstr(h.text, "19 retried or got in"));
	/* a few unretried ones are no flood */
	memset(&s, 0, sizeof(s));
	s = snap();
	r = (struct listener_report){ .now = &s };
	s.stale_unretried = 7;
	assert_int_equal(hints_of_kind(&r, "syn_flood", &h), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_untracked_never_down),
		cmocka_unit_test(test_clients_delayed_hint),
		cmocka_unit_test(test_syn_flood_hint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
