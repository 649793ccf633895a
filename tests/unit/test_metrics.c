// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the metrics endpoint (user/format/exposition.c, series.c,
 * metrics.c, metrics_addr.c): exact exposition text, series that outlive
 * their listeners (retention, bound, gauges), label escaping of
 * hostile process names, --metrics-addr parsing, and the HTTP server
 * itself on loopback.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <cmocka.h>

#include "format/exposition.h"
#include "format/metrics.h"
#include "format/series.h"
#include "setup/metrics_addr.h"

#define SEC		1000000000LL

#define FFFD		"\xef\xbf\xbd"
#define NETNS		4026531840u
#define LBL		"netns=\"4026531840\",laddr=\"127.0.0.1\",lport=\"8080\",comm=\"nginx\""

/* a listener socket of its own each time, as the kernel's reads give them */
static void fill_snapshot(struct listener_snapshot *s)
{
	static uint64_t sockets;

	memset(s, 0, sizeof(*s));
	s->id = 0xffff888012345678ull + 64 * sockets;
	s->ino = 1000 + sockets++;
	s->netns = NETNS;
	s->family = AF_INET;
	strcpy(s->laddr, "127.0.0.1");
	s->lport = 8080;
	s->pid = 4242;
	strcpy(s->comm, "nginx");
	s->listening = true;
	s->backlog = 3;
	s->backlog_max = 128;
	s->synq = 7;
	s->syn_drops[TB_REASON_ACCEPT_QUEUE_FULL] = 11;
	s->syn_drops[TB_REASON_SYN_QUEUE_FULL] = 5;
	s->syn_drops[TB_REASON_OTHER] = 1;
	s->accept_overflows = 4;
	s->syncookies = 9;
	s->accepts = 1000;
	s->accept_errors = 6;
	s->suppressed = 2;
	s->lost = 1;
	s->errnos[0] = (struct errno_count){ .err = EMFILE, .count = 5 };
	s->errnos[1] = (struct errno_count){ .err = ENFILE, .count = 1 };
	s->nerrnos = 2;
	s->lat_us_hist[0] = 10;		/* [0, 2) us */
	s->lat_us_hist[3] = 20;		/* [8, 16) us */
	s->lat_us_hist[19] = 2;		/* [0.524288, 1.048576) s */
	s->lat_us_hist[TB_LAT_SLOTS - 1] = 1;	/* >= 2^31 us: only in +Inf */
}

static void fill_totals(struct totals *t)
{
	memset(t, 0, sizeof(*t));
	t->syn_drop = 17;
	t->syn_drop_by_reason[TB_REASON_ACCEPT_QUEUE_FULL] = 11;
	t->syn_drop_by_reason[TB_REASON_SYN_QUEUE_FULL] = 5;
	t->syn_drop_by_reason[TB_REASON_OTHER] = 1;
	t->accept_overflow = 4;
	t->accept_error = 6;
	t->suppressed = 12;
	t->lost = 3;
	t->registry_full = 0;
	t->ambiguous = 3;
	t->late = 4;
	t->missed_runs = 7;
}

/* a whole line of text, exactly */
static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
		p += n;
	}
	return false;
}

static void assert_line(const char *text, const char *line)
{
	if (!has_line(text, line))
		fail_msg("line not found: %s\n--- in ---\n%s", line, text);
}

static int count_lines_starting(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *p = text;
	int count = 0;

	while (p && *p) {
		if (!strncmp(p, prefix, n))
			count++;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return count;
}

/* The text of one render of table after a read of s[0..n). */
static char *render_next(struct series_table *table, const struct listener_snapshot *s, size_t n,
			 const struct totals *t, int64_t now_ns, uint64_t scraped_seq)
{
	char *out = NULL;
	size_t len;

	assert_true(series_table_render(table, s, n, now_ns, scraped_seq) > 0);
	len = exposition_render(table, t, &out);

	assert_non_null(out);
	assert_int_equal(len, strlen(out));
	assert_true(len > 0 && out[len - 1] == '\n');
	return out;
}

/* The text for one read, as the first publish of a tracer shows it. */
static char *render(const struct listener_snapshot *s, size_t n, const struct totals *t)
{
	struct series_table table;
	char *out;

	series_table_init(&table);
	out = render_next(&table, s, n, t, SEC, 0);
	series_table_free(&table);
	return out;
}

/*
 * Format rules every scrape must keep: each family's samples come right
 * after its one # HELP and # TYPE, and no family appears twice.
 */
static void check_structure(const char *text)
{
	char family[128] = "", seen[4096] = " ";
	const char *p = text;

	while (*p) {
		const char *eol = strchr(p, '\n');
		char name[sizeof(family) + 2];
		int len;

		assert_non_null(eol);
		if (!strncmp(p, "# HELP ", 7)) {
			assert_int_equal(sscanf(p + 7, "%127s", family), 1);
			snprintf(name, sizeof(name), " %s ", family);
			assert_null(strstr(seen, name));
			strncat(seen, name + 1, sizeof(seen) - strlen(seen) - 1);
			/* TYPE follows at once */
			assert_int_equal(strncmp(eol + 1, "# TYPE ", 7), 0);
			assert_int_equal(strncmp(eol + 8, family, strlen(family)), 0);
		} else if (p[0] != '#') {
			len = (int)strcspn(p, "{ ");
			assert_true(family[0]);
			/* a histogram's samples are family_bucket/_sum/_count */
			if (!(len == (int)strlen(family) && !strncmp(p, family, len)))
				assert_int_equal(strncmp(p, family, strlen(family)), 0);
		}
		p = eol + 1;
	}
}

static void test_render_one_listener(void **state)
{
	struct listener_snapshot s;
	struct totals t;
	char *out;

	fill_snapshot(&s);
	fill_totals(&t);
	out = render(&s, 1, &t);
	check_structure(out);

	assert_line(out, "# HELP tcpbacklog_syn_drops_total SYNs a listener dropped, by reason: "
		    "accept_queue_full (the application accepts too slowly), syn_queue_full "
		    "(half-open queue full, no syncookies), other.");
	assert_line(out, "# TYPE tcpbacklog_syn_drops_total counter");
	assert_line(out, "tcpbacklog_syn_drops_total{" LBL ",reason=\"accept_queue_full\"} 11");
	assert_line(out, "tcpbacklog_syn_drops_total{" LBL ",reason=\"syn_queue_full\"} 5");
	assert_line(out, "tcpbacklog_syn_drops_total{" LBL ",reason=\"other\"} 1");
	assert_int_equal(count_lines_starting(out, "tcpbacklog_syn_drops_total{"), 3);
	assert_line(out, "# TYPE tcpbacklog_accept_overflows_total counter");
	assert_line(out, "tcpbacklog_accept_overflows_total{" LBL "} 4");
	assert_line(out, "tcpbacklog_accept_errors_total{" LBL ",error=\"EMFILE\"} 5");
	assert_line(out, "tcpbacklog_accept_errors_total{" LBL ",error=\"ENFILE\"} 1");
	assert_int_equal(count_lines_starting(out, "tcpbacklog_accept_errors_total{"), 2);
	assert_line(out, "tcpbacklog_syncookies_total{" LBL "} 9");
	assert_line(out, "tcpbacklog_accepts_total{" LBL "} 1000");
	assert_line(out, "# TYPE tcpbacklog_accept_queue_length gauge");
	assert_line(out, "tcpbacklog_accept_queue_length{" LBL "} 3");
	assert_line(out, "# TYPE tcpbacklog_accept_queue_max gauge");
	assert_line(out, "tcpbacklog_accept_queue_max{" LBL "} 128");
	assert_line(out, "# TYPE tcpbacklog_syn_queue_length gauge");
	assert_line(out, "tcpbacklog_syn_queue_length{" LBL "} 7");
	assert_line(out, "tcpbacklog_suppressed_events_total{" LBL "} 2");
	assert_line(out, "tcpbacklog_lost_events_total{" LBL "} 1");

	/* histogram: cumulative, le in seconds, last slot only in +Inf */
	assert_line(out, "# TYPE tcpbacklog_accept_latency_seconds histogram");
	assert_line(out, "tcpbacklog_accept_latency_seconds_bucket{" LBL ",le=\"2e-06\"} 10");
	assert_line(out, "tcpbacklog_accept_latency_seconds_bucket{" LBL ",le=\"4e-06\"} 10");
	assert_line(out, "tcpbacklog_accept_latency_seconds_bucket{" LBL ",le=\"8e-06\"} 10");
	assert_line(out, "tcpbacklog_accept_latency_seconds_bucket{" LBL ",le=\"1.6e-05\"} 30");
	assert_line(out, "tcpbacklog_accept_latency_seconds_bucket{" LBL ",le=\"0.000128\"} 30");
	assert_line(out, "tcpbacklog_accept_latency_seconds_bucket{" LBL ",le=\"0.524288\"} 30");
	assert_line(out, "tcpbacklog_accept_latency_seconds_bucket{" LBL ",le=\"1.048576\"} 32");
	assert_line(out, "tcpbacklog_accept_latency_seconds_bucket{" LBL ",le=\"2147.483648\"} 32");
	assert_line(out, "tcpbacklog_accept_latency_seconds_bucket{" LBL ",le=\"+Inf\"} 33");
	assert_line(out, "tcpbacklog_accept_latency_seconds_count{" LBL "} 33");
	/* midpoints: 10 * 1 + 20 * 12 + 2 * 786432 + 1 * 3221225472 us */
	assert_line(out, "tcpbacklog_accept_latency_seconds_sum{" LBL "} 3222.798586");
	/* 31 finite buckets and +Inf */
	assert_int_equal(count_lines_starting(out, "tcpbacklog_accept_latency_seconds_bucket{"),
			 TB_LAT_SLOTS);

	/* global series, no listener labels */
	assert_line(out, "tcpbacklog_listen_drops_total{kind=\"syn_drop\"} 17");
	assert_line(out, "tcpbacklog_listen_drops_total{kind=\"accept_overflow\"} 4");
	assert_line(out, "# TYPE tcpbacklog_tracer_suppressed_events_total counter");
	assert_line(out, "tcpbacklog_tracer_suppressed_events_total 12");
	assert_line(out, "tcpbacklog_tracer_lost_events_total 3");
	assert_line(out, "tcpbacklog_tracer_registry_full_total 0");
	assert_line(out, "tcpbacklog_tracer_ambiguous_drops_total 3");
	assert_line(out, "tcpbacklog_tracer_late_drops_total 4");
	assert_line(out, "tcpbacklog_tracer_missed_runs_total 7");
	assert_int_equal(count_lines_starting(out, "tcpbacklog_info{version=\""), 1);
	free(out);
}

/* buckets never decrease and the last finite one <= +Inf == _count */
static void test_histogram_cumulative(void **state)
{
	struct listener_snapshot s;
	uint64_t prev = 0, v, total = 0;
	const char *p;
	char *out;
	int i, buckets = 0;

	fill_snapshot(&s);
	for (i = 0; i < TB_LAT_SLOTS; i++) {
		s.lat_us_hist[i] = (uint64_t)(i * 7 % 5);
		total += s.lat_us_hist[i];
	}
	out = render(&s, 1, NULL);
	for (p = out; (p = strstr(p, "tcpbacklog_accept_latency_seconds_bucket{")); p++) {
		p = strchr(p, '}');
		v = strtoull(p + 2, NULL, 10);
		assert_true(v >= prev);
		prev = v;
		buckets++;
	}
	assert_int_equal(buckets, TB_LAT_SLOTS);
	assert_int_equal(prev, total);
	p = strstr(out, "tcpbacklog_accept_latency_seconds_count{");
	assert_non_null(p);
	assert_int_equal(strtoull(strchr(p, '}') + 2, NULL, 10), total);
	/* no totals given: the global series read 0 */
	assert_line(out, "tcpbacklog_listen_drops_total{kind=\"syn_drop\"} 0");
	free(out);
}

static void test_empty_histogram(void **state)
{
	struct listener_snapshot s;
	char *out;

	fill_snapshot(&s);
	memset(s.lat_us_hist, 0, sizeof(s.lat_us_hist));
	out = render(&s, 1, NULL);
	assert_line(out, "tcpbacklog_accept_latency_seconds_bucket{" LBL ",le=\"+Inf\"} 0");
	assert_line(out, "tcpbacklog_accept_latency_seconds_sum{" LBL "} 0");
	assert_line(out, "tcpbacklog_accept_latency_seconds_count{" LBL "} 0");
	free(out);
}

/* a listener not listening keeps its counters, not its gauges; order is the order given */
static void test_skip_and_order(void **state)
{
	struct listener_snapshot s[3];
	const char *a, *b;
	char *out;

	fill_snapshot(&s[0]);
	fill_snapshot(&s[1]);
	fill_snapshot(&s[2]);
	s[0].lport = 9090;
	s[1].lport = 7070;
	s[1].id++;
	s[1].listening = false;
	strcpy(s[2].laddr, "::");
	s[2].family = AF_INET6;
	s[2].id += 2;
	out = render(s, 3, NULL);
	check_structure(out);
	assert_line(out, "tcpbacklog_accepts_total{netns=\"4026531840\",laddr=\"127.0.0.1\",lport=\"7070\",comm=\"nginx\"} 1000");
	assert_null(strstr(out, "tcpbacklog_accept_queue_length{netns=\"4026531840\",laddr=\"127.0.0.1\",lport=\"7070\""));
	assert_int_equal(count_lines_starting(out, "tcpbacklog_accept_queue_length{"), 2);
	a = strstr(out, "tcpbacklog_accepts_total{netns=\"4026531840\",laddr=\"127.0.0.1\",lport=\"9090\"");
	b = strstr(out, "tcpbacklog_accepts_total{netns=\"4026531840\",laddr=\"::\",lport=\"8080\"");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a < b);
	assert_int_equal(count_lines_starting(out, "tcpbacklog_accepts_total{"), 3);
	free(out);

	/* no listener: the families are still described */
	out = render(NULL, 0, NULL);
	check_structure(out);
	assert_line(out, "# TYPE tcpbacklog_syn_drops_total counter");
	assert_int_equal(count_lines_starting(out, "tcpbacklog_syn_drops_total{"), 0);
	assert_line(out, "tcpbacklog_tracer_lost_events_total 0");
	assert_line(out, "# TYPE tcpbacklog_tracer_series_evicted_total counter");
	assert_line(out, "tcpbacklog_tracer_series_evicted_total 0");
	free(out);
}

/*
 * A listener that closes keeps its series with its final counts, and its
 * gauges go; one that comes back with the same labels continues it.
 */
static void test_closed_listener_continues(void **state)
{
	struct series_table table;
	struct listener_snapshot s;
	char *out;

	series_table_init(&table);
	fill_snapshot(&s);
	s.ino = 100;
	out = render_next(&table, &s, 1, NULL, SEC, 0);
	assert_line(out, "tcpbacklog_accepts_total{" LBL "} 1000");
	assert_line(out, "tcpbacklog_accept_queue_length{" LBL "} 3");
	free(out);

	/* closed after more drops: the final counts; its errno entries are gone by then */
	s.closed = true;
	s.accepts = 1010;
	s.syn_drops[TB_REASON_ACCEPT_QUEUE_FULL] = 15;
	s.backlog = s.synq = 0;
	s.nerrnos = 0;
	/* seen closed by a read that took it, then by the publish's own read again */
	assert_int_equal(series_table_observe(&table, &s, 1), 0);
	out = render_next(&table, &s, 1, NULL, 2 * SEC, 0);
	check_structure(out);
	assert_line(out, "tcpbacklog_accepts_total{" LBL "} 1010");
	assert_line(out, "tcpbacklog_syn_drops_total{" LBL ",reason=\"accept_queue_full\"} 15");
	assert_line(out, "tcpbacklog_accept_errors_total{" LBL ",error=\"EMFILE\"} 5");
	assert_line(out, "tcpbacklog_accept_latency_seconds_count{" LBL "} 33");
	assert_int_equal(count_lines_starting(out, "tcpbacklog_accept_queue_length{"), 0);
	assert_int_equal(count_lines_starting(out, "tcpbacklog_accept_queue_max{"), 0);
	assert_int_equal(count_lines_starting(out, "tcpbacklog_syn_queue_length{"), 0);
	free(out);

	/* taken: no read shows it any more, the series stays */
	out = render_next(&table, NULL, 0, NULL, 3 * SEC, 0);
	assert_line(out, "tcpbacklog_accepts_total{" LBL "} 1010");
	free(out);

	/* the server restarts on the same port: a new socket, counting from zero */
	fill_snapshot(&s);
	s.id = 0xffff888000000001ull;
	s.ino = 200;
	memset(s.syn_drops, 0, sizeof(s.syn_drops));
	s.accepts = 3;
	s.nerrnos = 1;
	s.errnos[0].count = 2;
	out = render_next(&table, &s, 1, NULL, 4 * SEC, 0);
	check_structure(out);
	assert_line(out, "tcpbacklog_accepts_total{" LBL "} 1013");
	assert_line(out, "tcpbacklog_syn_drops_total{" LBL ",reason=\"accept_queue_full\"} 15");
	assert_line(out, "tcpbacklog_accept_errors_total{" LBL ",error=\"EMFILE\"} 7");
	assert_line(out, "tcpbacklog_accept_latency_seconds_count{" LBL "} 66");
	assert_line(out, "tcpbacklog_accept_queue_length{" LBL "} 3");
	assert_int_equal(count_lines_starting(out, "tcpbacklog_accepts_total{"), 1);
	free(out);

	/* a socket address and inode reused: counts that went down start anew, added on */
	s.accepts = 1;
	out = render_next(&table, &s, 1, NULL, 5 * SEC, 0);
	assert_line(out, "tcpbacklog_accepts_total{" LBL "} 1014");
	free(out);

	/* gone from the reads without a closed record: its last counts stay */
	out = render_next(&table, NULL, 0, NULL, 6 * SEC, 0);
	assert_line(out, "tcpbacklog_accepts_total{" LBL "} 1014");
	assert_int_equal(count_lines_starting(out, "tcpbacklog_accept_queue_length{"), 0);
	free(out);
	series_table_free(&table);
}

/* A listener whose owner becomes known moves series; the sum stays exact. */
static void test_owner_change(void **state)
{
	struct series_table table;
	struct listener_snapshot s;
	char *out;

	series_table_init(&table);
	fill_snapshot(&s);
	s.comm[0] = '\0';
	out = render_next(&table, &s, 1, NULL, SEC, 0);
	free(out);
	strcpy(s.comm, "nginx");
	s.accepts = 1005;
	out = render_next(&table, &s, 1, NULL, 2 * SEC, 0);
	assert_line(out, "tcpbacklog_accepts_total{netns=\"4026531840\",laddr=\"127.0.0.1\",lport=\"8080\",comm=\"\"} 1000");
	assert_line(out, "tcpbacklog_accepts_total{" LBL "} 5");
	assert_line(out, "tcpbacklog_accept_queue_length{" LBL "} 3");
	assert_int_equal(count_lines_starting(out, "tcpbacklog_accept_queue_length{"), 1);
	free(out);
	/* closed: its owner unknown by then, the counts still go to the series it is in */
	s.closed = true;
	s.comm[0] = '\0';
	s.accepts = 1007;
	out = render_next(&table, &s, 1, NULL, 3 * SEC, 0);
	assert_line(out, "tcpbacklog_accepts_total{" LBL "} 7");
	free(out);
	series_table_free(&table);
}

/* Kept until a scrape has seen the final counts and the retention has passed. */
static void test_retention(void **state)
{
	struct series_table table;
	struct listener_snapshot s;
	int64_t closed_at = 2 * SEC;
	uint64_t seq_closed;
	char *out;

	series_table_init(&table);
	fill_snapshot(&s);
	out = render_next(&table, &s, 1, NULL, SEC, 0);
	free(out);
	s.closed = true;
	out = render_next(&table, &s, 1, NULL, closed_at, 1);
	free(out);
	seq_closed = table.seq;

	/* the retention is over, but no scrape got the final counts */
	out = render_next(&table, NULL, 0, NULL, closed_at + SERIES_RETAIN_NS, seq_closed - 1);
	assert_line(out, "tcpbacklog_accepts_total{" LBL "} 1000");
	free(out);
	/* scraped, but the retention is not over */
	out = render_next(&table, NULL, 0, NULL, closed_at + SERIES_RETAIN_NS - 1, seq_closed);
	assert_line(out, "tcpbacklog_accepts_total{" LBL "} 1000");
	free(out);
	/* both: gone, and not counted as evicted */
	out = render_next(&table, NULL, 0, NULL, closed_at + SERIES_RETAIN_NS, seq_closed);
	check_structure(out);
	assert_int_equal(count_lines_starting(out, "tcpbacklog_accepts_total{"), 0);
	assert_line(out, "tcpbacklog_tracer_series_evicted_total 0");
	free(out);
	series_table_free(&table);
}

/* At most SERIES_RETAINED_MAX label sets without a listener: the oldest go, counted. */
static void test_retained_bound(void **state)
{
	const size_t n = SERIES_RETAINED_MAX + 3;
	struct listener_snapshot *s = calloc(n + 1, sizeof(*s));
	struct series_table table;
	char *out;

	assert_non_null(s);
	series_table_init(&table);
	/* s[0] listens throughout: never evicted */
	fill_snapshot(&s[0]);
	s[0].lport = 1;
	for (size_t i = 1; i <= n; i++) {
		fill_snapshot(&s[i]);
		s[i].id = i;
		s[i].lport = (uint16_t)(10000 + i - 1);
		s[i].closed = true;
	}
	/* the first three close a render earlier: they are the oldest */
	out = render_next(&table, s, 4, NULL, SEC, 0);
	free(out);
	out = render_next(&table, s, n + 1, NULL, 2 * SEC, 0);
	check_structure(out);
	assert_int_equal(count_lines_starting(out, "tcpbacklog_accepts_total{"), SERIES_RETAINED_MAX + 1);
	assert_line(out, "tcpbacklog_tracer_series_evicted_total 3");
	assert_null(strstr(out, "lport=\"10000\""));
	assert_null(strstr(out, "lport=\"10002\""));
	assert_non_null(strstr(out, "lport=\"10003\""));
	assert_line(out, "tcpbacklog_accept_queue_length{netns=\"4026531840\",laddr=\"127.0.0.1\",lport=\"1\",comm=\"nginx\"} 3");
	free(out);
	series_table_free(&table);
	free(s);
}

/* SO_REUSEPORT members of one program: one series each, summed */
static void test_merge_same_labels(void **state)
{
	struct listener_snapshot s[2];
	char *out;

	fill_snapshot(&s[0]);
	fill_snapshot(&s[1]);
	s[1].id++;
	s[1].pid = 4243;
	s[1].backlog = 1;
	s[1].errnos[0] = (struct errno_count){ .err = ENFILE, .count = 2 };
	s[1].errnos[1] = (struct errno_count){ .err = ECONNABORTED, .count = 3 };
	out = render(s, 2, NULL);
	check_structure(out);
	assert_int_equal(count_lines_starting(out, "tcpbacklog_accepts_total{"), 1);
	assert_line(out, "tcpbacklog_accepts_total{" LBL "} 2000");
	assert_line(out, "tcpbacklog_syn_drops_total{" LBL ",reason=\"accept_queue_full\"} 22");
	assert_line(out, "tcpbacklog_accept_queue_length{" LBL "} 4");
	assert_line(out, "tcpbacklog_accept_queue_max{" LBL "} 256");
	assert_line(out, "tcpbacklog_accept_errors_total{" LBL ",error=\"EMFILE\"} 5");
	assert_line(out, "tcpbacklog_accept_errors_total{" LBL ",error=\"ENFILE\"} 3");
	assert_line(out, "tcpbacklog_accept_errors_total{" LBL ",error=\"ECONNABORTED\"} 3");
	assert_line(out, "tcpbacklog_accept_latency_seconds_count{" LBL "} 66");
	free(out);
}

static void test_hostile_comm(void **state)
{
	struct listener_snapshot s[4];
	char *out;

	fill_snapshot(&s[0]);
	/* quote, backslash, newline, a stray byte, a cut 3-byte sequence */
	memcpy(s[0].comm, "a\"b\\c\nd\xff" "e\xe2\x82", 12);
	fill_snapshot(&s[1]);
	s[1].lport = 1;
	/* valid UTF-8 passes; surrogates and overlongs do not */
	strcpy(s[1].comm, "\xc3\xa9" "\xed\xa0\x80" "\xc0\xaf" "}");
	fill_snapshot(&s[2]);
	s[2].lport = 2;
	/* no terminating NUL at all: never read past the array */
	memset(s[2].comm, 'x', sizeof(s[2].comm));
	fill_snapshot(&s[3]);
	s[3].lport = 3;
	s[3].comm[0] = '\0';

	out = render(s, 4, NULL);
	check_structure(out);
	assert_line(out, "tcpbacklog_accepts_total{netns=\"4026531840\",laddr=\"127.0.0.1\",lport=\"8080\","
		    "comm=\"a\\\"b\\\\c\\nd" FFFD "e" FFFD "\"} 1000");
	assert_line(out, "tcpbacklog_accepts_total{netns=\"4026531840\",laddr=\"127.0.0.1\",lport=\"1\","
		    "comm=\"\xc3\xa9" FFFD FFFD FFFD FFFD FFFD "}\"} 1000");
	assert_line(out, "tcpbacklog_accepts_total{netns=\"4026531840\",laddr=\"127.0.0.1\",lport=\"2\","
		    "comm=\"xxxxxxxxxxxxxxxxx\"} 1000");
	assert_line(out, "tcpbacklog_accepts_total{netns=\"4026531840\",laddr=\"127.0.0.1\",lport=\"3\","
		    "comm=\"\"} 1000");
	/* the newline never reaches the output raw: every line is a sample or a comment */
	assert_int_equal(count_lines_starting(out, "d"), 0);
	free(out);
}

/* unit, container and pod_uid label a listener's series when known, escaped like every label */
static void test_identity_labels(void **state)
{
	struct listener_snapshot s[2];
	char *out;

	fill_snapshot(&s[0]);
	cgroup_identity_parse("/kubepods.slice/kubepods-burstable.slice/"
			      "kubepods-burstable-pod0f7d2c1e_8a3b_4c5d_9e6f_a1b2c3d4e5f6.slice/cri-containerd-"
			      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope", &s[0].identity);
	fill_snapshot(&s[1]);
	s[1].lport = 1;
	snprintf(s[1].identity.unit, sizeof(s[1].identity.unit), "a\"b\\c\nd\xff.service");
	out = render(s, 2, NULL);
	check_structure(out);
	assert_line(out, "tcpbacklog_accepts_total{netns=\"4026531840\",laddr=\"127.0.0.1\",lport=\"8080\","
		    "comm=\"nginx\",unit=\"cri-containerd-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope\","
		    "container=\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\","
		    "pod_uid=\"0f7d2c1e-8a3b-4c5d-9e6f-a1b2c3d4e5f6\"} 1000");
	assert_line(out, "tcpbacklog_accepts_total{netns=\"4026531840\",laddr=\"127.0.0.1\",lport=\"1\","
		    "comm=\"nginx\",unit=\"a\\\"b\\\\c\\nd" FFFD ".service\"} 1000");
	assert_int_equal(count_lines_starting(out, "d"), 0);
	free(out);
}

/* ------------------------------------------------------- metrics_parse_addr */

static void check_addr(const char *addr, const char *host, unsigned int port)
{
	char h[64], err[256] = "";
	unsigned int p = 0;

	if (metrics_parse_addr(addr, h, sizeof(h), &p, err, sizeof(err)))
		fail_msg("%s: %s", addr, err);
	assert_string_equal(h, host);
	assert_int_equal(p, port);
}

static void check_bad_addr(const char *addr)
{
	char h[64], err[256] = "";
	unsigned int p = 0;

	assert_int_equal(metrics_parse_addr(addr, h, sizeof(h), &p, err, sizeof(err)), -1);
	assert_true(err[0]);
	assert_null(strchr(err, '\n'));
	/* the message names the value */
	if (addr[0] && !strstr(err, addr))
		fail_msg("error for \"%s\" does not name it: %s", addr, err);
}

static void test_parse_addr(void **state)
{
	check_addr("127.0.0.1:9876", "127.0.0.1", 9876);
	check_addr("0.0.0.0:1", "0.0.0.0", 1);
	check_addr("[::1]:9876", "::1", 9876);
	check_addr("[::]:65535", "::", 65535);
	check_addr("[::ffff:127.0.0.1]:80", "::ffff:127.0.0.1", 80);
	check_addr(":9876", "", 9876);
	check_addr("localhost:9100", "localhost", 9100);

	check_bad_addr("");
	check_bad_addr("9876");
	check_bad_addr("127.0.0.1");
	check_bad_addr("127.0.0.1:");
	check_bad_addr("127.0.0.1:0");
	check_bad_addr("127.0.0.1:65536");
	check_bad_addr("127.0.0.1:99999999999999999999");
	check_bad_addr("127.0.0.1:+80");
	check_bad_addr("127.0.0.1:-1");
	check_bad_addr("127.0.0.1:80x");
	check_bad_addr("127.0.0.1: 80");
	check_bad_addr("::1:9876");
	check_bad_addr("[::1]9876");
	check_bad_addr("[::1]:");
	check_bad_addr("[::1:9876");
	check_bad_addr("[]:9876");
	check_bad_addr("[lo%calhost]:80");
	check_bad_addr("a b:80");
	check_bad_addr("host/x:80");
	/* a host longer than the caller's buffer */
	check_bad_addr("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:80");
}

/* ------------------------------------------------------------- the server */

/* an unused loopback port (the kernel picks; freed again at once) */
static unsigned int free_port(int family)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sizeof(ss);
	unsigned int port;
	int fd;

	fd = socket(family, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*a);
	}
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		close(fd);
		return 0;
	}
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	port = ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					: ((struct sockaddr_in *)&ss)->sin_port);
	close(fd);
	return port;
}

struct reply {
	int status;
	char *headers;	/* status line and headers, NUL-terminated */
	char *body;
	size_t body_len;
};

/* one HTTP/1.0 request over a plain socket, bounded by a 5 s timeout */
static int http(int family, unsigned int port, const char *method, const char *path,
		struct reply *r)
{
	struct timeval tv = { .tv_sec = 5 };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char req[256], *buf = NULL, *sep;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd, rc;

	memset(r, 0, sizeof(*r));
	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	a6.sin6_port = htons(port);
	a4.sin_port = htons(port);
	rc = family == AF_INET6 ? connect(fd, (struct sockaddr *)&a6, sizeof(a6))
				: connect(fd, (struct sockaddr *)&a4, sizeof(a4));
	if (rc)
		goto fail;
	n = snprintf(req, sizeof(req), "%s %s HTTP/1.0\r\nHost: localhost\r\n\r\n", method, path);
	if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n)
		goto fail;
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap + 1);
			assert_non_null(buf);
		}
		n = recv(fd, buf + len, cap - len, 0);
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	sep = strstr(buf, "\r\n\r\n");
	if (!sep || sscanf(buf, "HTTP/1.%*d %d", &r->status) != 1) {
		free(buf);
		return -1;
	}
	*sep = '\0';
	r->headers = buf;
	r->body = sep + 4;
	r->body_len = len - (size_t)(r->body - buf);
	return 0;
fail:
	close(fd);
	free(buf);
	return -1;
}

/* metrics_start on a free loopback port; a few tries if someone races us to it */
static struct metrics *start_on(int family, const char *fmt, unsigned int *port)
{
	char addr[64], err[256];
	struct metrics *m = NULL;
	int i;

	for (i = 0; i < 5 && !m; i++) {
		*port = free_port(family);
		if (!*port)
			return NULL;
		snprintf(addr, sizeof(addr), fmt, *port);
		m = metrics_start(addr, err, sizeof(err));
		if (!m)
			print_message("metrics_start(%s): %s\n", addr, err);
	}
	return m;
}

static void expect_body(int family, unsigned int port, const char *want)
{
	struct reply r;

	assert_int_equal(http(family, port, "GET", "/metrics", &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strcasestr(r.headers,
				   "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8"));
	assert_int_equal(r.body_len, strlen(want));
	assert_memory_equal(r.body, want, r.body_len);
	free(r.headers);
}

static void test_server_round_trip(void **state)
{
	struct listener_snapshot s[2];
	struct totals t;
	struct reply r;
	unsigned int port;
	struct series_table mirror;	/* fed as the server's */
	struct metrics *m;
	char *want;

	series_table_init(&mirror);
	m = start_on(AF_INET, "127.0.0.1:%u", &port);
	assert_non_null(m);

	/* before the first publish: the families, no listener */
	want = render(NULL, 0, NULL);
	expect_body(AF_INET, port, want);
	free(want);

	fill_snapshot(&s[0]);
	fill_snapshot(&s[1]);
	s[1].id++;
	s[1].lport = 8443;
	memcpy(s[1].comm, "evil\"\n\xff", 8);
	fill_totals(&t);
	metrics_publish(m, s, 2, &t);
	/* the copy is the server's: scribbling over the inputs changes nothing */
	want = render_next(&mirror, s, 2, &t, SEC, 0);
	memset(s, 0x5a, sizeof(s));
	memset(&t, 0x5a, sizeof(t));
	expect_body(AF_INET, port, want);
	/* a query string does not change the path */
	assert_int_equal(http(AF_INET, port, "GET", "/metrics?x=1", &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len, strlen(want));
	free(r.headers);
	free(want);

	assert_int_equal(http(AF_INET, port, "GET", "/other", &r), 0);
	assert_int_equal(r.status, 404);
	free(r.headers);
	assert_int_equal(http(AF_INET, port, "GET", "/", &r), 0);
	assert_int_equal(r.status, 404);
	free(r.headers);
	assert_int_equal(http(AF_INET, port, "GET", "/metrics/", &r), 0);
	assert_int_equal(r.status, 404);
	free(r.headers);
	assert_int_equal(http(AF_INET, port, "POST", "/metrics", &r), 0);
	assert_int_equal(r.status, 405);
	assert_non_null(strcasestr(r.headers, "\r\nAllow: GET, HEAD"));
	free(r.headers);
	assert_int_equal(http(AF_INET, port, "DELETE", "/metrics", &r), 0);
	assert_int_equal(r.status, 405);
	free(r.headers);
	assert_int_equal(http(AF_INET, port, "HEAD", "/metrics", &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len, 0);
	free(r.headers);

	/*
	 * a second publish replaces the first: the listener on 8443 closed
	 * (its counters stay, its gauges go), the one on 8080 is a new
	 * socket (its counts add on)
	 */
	fill_snapshot(&s[0]);
	s[0].accepts = 1;
	metrics_publish(m, s, 1, NULL);
	want = render_next(&mirror, s, 1, NULL, 2 * SEC, 0);
	assert_line(want, "tcpbacklog_accepts_total{" LBL "} 1001");
	assert_int_equal(count_lines_starting(want, "tcpbacklog_accepts_total{"), 2);
	assert_int_equal(count_lines_starting(want, "tcpbacklog_accept_queue_length{"), 1);
	expect_body(AF_INET, port, want);
	free(want);
	series_table_free(&mirror);

	metrics_stop(m);
	/* stopped: nobody listens there any more */
	assert_int_equal(http(AF_INET, port, "GET", "/metrics", &r), -1);

	metrics_publish(NULL, s, 1, NULL);
	metrics_stop(NULL);
}

static void test_server_ipv6_and_wildcard(void **state)
{
	unsigned int port;
	struct metrics *m;
	char *want;
	int fd;

	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd < 0 || !free_port(AF_INET6)) {
		if (fd >= 0)
			close(fd);
		skip();
	}
	close(fd);
	want = render(NULL, 0, NULL);

	m = start_on(AF_INET6, "[::1]:%u", &port);
	assert_non_null(m);
	expect_body(AF_INET6, port, want);
	/* bound to ::1 exactly: not reachable over IPv4 */
	{
		struct reply r;

		assert_int_equal(http(AF_INET, port, "GET", "/metrics", &r), -1);
	}
	metrics_stop(m);

	/* ":PORT": every address, IPv4 included (dual stack) */
	m = start_on(AF_INET, ":%u", &port);
	assert_non_null(m);
	expect_body(AF_INET, port, want);
	expect_body(AF_INET6, port, want);
	metrics_stop(m);
	free(want);
}

static void test_server_errors(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	char addr[64], err[256] = "";
	int fd, one = 1;

	/* the port is taken: NULL, and the error says where and why */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", ntohs(a.sin_port));
	assert_null(metrics_start(addr, err, sizeof(err)));
	assert_non_null(strstr(err, addr));
	assert_null(strchr(err, '\n'));
	print_message("port in use: %s\n", err);
	close(fd);

	err[0] = '\0';
	assert_null(metrics_start("127.0.0.1:0", err, sizeof(err)));
	assert_non_null(strstr(err, "127.0.0.1:0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_one_listener),
		cmocka_unit_test(test_histogram_cumulative),
		cmocka_unit_test(test_empty_histogram),
		cmocka_unit_test(test_skip_and_order),
		cmocka_unit_test(test_closed_listener_continues),
		cmocka_unit_test(test_owner_change),
		cmocka_unit_test(test_retention),
		cmocka_unit_test(test_retained_bound),
		cmocka_unit_test(test_merge_same_labels),
		cmocka_unit_test(test_identity_labels),
		cmocka_unit_test(test_hostile_comm),
		cmocka_unit_test(test_parse_addr),
		cmocka_unit_test(test_server_round_trip),
		cmocka_unit_test(test_server_ipv6_and_wildcard),
		cmocka_unit_test(test_server_errors),
	};

	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
