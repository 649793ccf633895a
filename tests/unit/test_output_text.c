// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of user/format/output_text.c: exact lines, column alignment, and
 * hostile comm values that must never break a line or a column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "format/output.h"

#define NETNS		4026531840u
#define T_2026		1795255262123456789ull	/* 2026-11-21T10:01:02.123456789Z */
#define NCOLS		11

#define HEADER \
	"TIME            EVENT               PID COMM             ACCEPTOR                      NETNS " \
	"LISTENER              PEER                      QUEUE      SYNQ DETAIL\n"

static struct event drop_v4(void)
{
	struct event ev = {
		.kind = TB_KIND_SYN_DROP,
		.reason = TB_REASON_ACCEPT_QUEUE_FULL,
		.time_ns = T_2026,
		.netns = NETNS,
		.family = AF_INET,
		.laddr = "10.0.0.1",
		.lport = 8080,
		.has_peer = true,
		.raddr = "10.0.0.2",
		.rport = 51234,
		.pid = 1234,
		.comm = "nginx",
		.acceptor_pid = 1300,
		.acceptor_comm = "worker",
		.listen_addr = "0.0.0.0",
		.backlog = 129,
		.backlog_max = 128,
		.synq = 3,
		.open_fds = -1,
	};

	return ev;
}

static struct event accept_error(void)
{
	struct event ev = {
		.kind = TB_KIND_ACCEPT_ERROR,
		.time_ns = 1795255262000001000ull,
		.netns = NETNS,
		.family = AF_INET,
		.laddr = "0.0.0.0",
		.lport = 8080,
		.pid = 42,
		.comm = "server",
		.acceptor_pid = 42,
		.acceptor_comm = "server",
		.listen_addr = "0.0.0.0",
		.err = 24,
		.nofile_limit = 1024,
		.open_fds = 1024,
	};

	return ev;
}

static char *capture_event(const struct event *ev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	output_text.event(f, ev);
	fclose(f);
	return buf;
}

static char *capture_start(const struct start_info *info)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	output_text.start(f, info);
	fclose(f);
	return buf;
}

/* one line, printable ASCII only, newline only at the very end */
static void assert_clean_line(const char *line)
{
	size_t len = strlen(line), i;

	assert_true(len > 1);
	if (line[len - 1] != '\n')
		fail_msg("no final newline: %s", line);
	for (i = 0; i < len - 1; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c < 0x20 || c > 0x7e)
			fail_msg("byte 0x%02x at %zu in: %s", c, i, line);
	}
}

struct cell {
	size_t start, end;	/* [start, end) within the line */
};

/* split on runs of spaces; returns the number of cells found */
static int cells(const char *line, struct cell *c, int max)
{
	int n = 0;
	size_t i = 0;

	while (line[i] && line[i] != '\n') {
		if (line[i] == ' ') {
			i++;
			continue;
		}
		if (n < max)
			c[n].start = i;
		while (line[i] && line[i] != ' ' && line[i] != '\n')
			i++;
		if (n < max)
			c[n].end = i;
		n++;
	}
	return n;
}

/*
 * The first NCOLS cells of row sit under the header's: left-aligned
 * columns share their start, right-aligned ones (PID, NETNS, QUEUE,
 * SYNQ) their end.
 */
static void assert_aligned(const char *row)
{
	static const bool right[NCOLS] = {
		[2] = true, [5] = true, [8] = true, [9] = true,
	};
	struct cell h[NCOLS + 1], r[NCOLS + 4];
	int i;

	assert_int_equal(cells(HEADER, h, NCOLS + 1), NCOLS);
	assert_true(cells(row, r, NCOLS + 4) >= NCOLS);
	for (i = 0; i < NCOLS; i++) {
		bool ok = right[i] ? h[i].end == r[i].end :
				     h[i].start == r[i].start;

		if (!ok)
			fail_msg("column %d misaligned:\n%s%s", i, HEADER, row);
	}
}

static void test_header(void **state)
{
	static const char *const probes[] = { "tp_btf/consume_skb", "fexit/tcp\nconn", NULL };
	static const uint16_t ports[] = { 80, 443 };
	struct start_info info = {
		.mode = "tracepoint",
		.kernel = "6.1.0-18-amd64",
		.probes = probes,
		.ports = ports,
		.nports = 2,
		.somaxconn = 4096,
		.tcp_max_syn_backlog = 512,
		.tcp_syncookies = 1,
		.tcp_abort_on_overflow = 0,
		.listeners = 3,
	};
	char *got = capture_start(&info);

	assert_string_equal(got,
		"tcpbacklog: tracing in tracepoint mode on kernel 6.1.0-18-amd64, "
		"somaxconn=4096 tcp_max_syn_backlog=512 tcp_syncookies=1 "
		"tcp_abort_on_overflow=0; filters: netns=all ports=80,443 "
		"pid=all; 3 listeners known; Ctrl-C to stop\n"
		"tcpbacklog: probes: tp_btf/consume_skb fexit/tcp\\x0aconn\n" HEADER);
	free(got);
}

static void test_header_filters(void **state)
{
	struct start_info info = {
		.mode = "kprobe",
		.kernel = "6.8.0\n\x1b]0;pwned\x07",
		.netns = NETNS,
		.pid = 4321,
		.duration = 2.5,
		.somaxconn = -1,
		.tcp_max_syn_backlog = -1,
		.tcp_syncookies = 2,
		.tcp_abort_on_overflow = 1,
		.listeners = 1,
	};
	char *got = capture_start(&info);

	assert_string_equal(got,
		"tcpbacklog: tracing in kprobe mode on kernel 6.8.0\\x0a\\x1b]0;pwned\\x07, "
		"somaxconn=? tcp_max_syn_backlog=? tcp_syncookies=2 "
		"tcp_abort_on_overflow=1; filters: netns=4026531840 ports=all "
		"pid=4321; 1 listener known; stopping after 2.5s or Ctrl-C\n"
		HEADER);
	free(got);
}

static void test_syn_drop_ipv4(void **state)
{
	struct event ev = drop_v4();
	char *got = capture_event(&ev);

	assert_string_equal(got,
"10:01:02.123456 syn_drop           1234 nginx            "
		"1300/worker              4026531840 0.0.0.0:8080          "
		"10.0.0.2:51234          129/128     3/128 accept_queue_full\n");
	assert_clean_line(got);
	assert_aligned(got);
	free(got);
}

static void test_accept_overflow_ipv6(void **state)
{
	struct event ev = drop_v4();
	char *got;

	ev.kind = TB_KIND_ACCEPT_OVERFLOW;
	ev.reason = TB_REASON_OTHER;
	ev.family = AF_INET6;
	strcpy(ev.laddr, "2001:db8::1");
	strcpy(ev.raddr, "fe80::1");
	ev.lport = 443;
	ev.rport = 65535;
	ev.backlog = 4096;
	ev.backlog_max = 4096;
	ev.synq = 0;
	ev.pid = 1;
	ev.netns = 1;
	strcpy(ev.listen_addr, "2001:db8::1");
	got = capture_event(&ev);
	assert_string_equal(got,
"10:01:02.123456 accept_overflow       1 nginx            "
		"1300/worker                       1 [2001:db8::1]:443     "
		"[fe80::1]:65535       4096/4096    0/4096 other\n");
	assert_clean_line(got);
	assert_aligned(got);
	free(got);
}

static void test_drop_without_peer(void **state)
{
	struct event ev = drop_v4();
	char *got;

	ev.has_peer = false;
	ev.reason = TB_REASON_SYN_QUEUE_FULL;
	got = capture_event(&ev);
	assert_string_equal(got,
"10:01:02.123456 syn_drop           1234 nginx            "
		"1300/worker              4026531840 0.0.0.0:8080          "
		"-                       129/128     3/128 syn_queue_full\n");
	assert_aligned(got);
	free(got);
}

static void test_accept_error(void **state)
{
	struct event ev = accept_error();
	char *got = capture_event(&ev);

	assert_string_equal(got,
"10:01:02.000001 accept_error         42 server           "
		"42/server                4026531840 0.0.0.0:8080          "
		"-                             -         - EMFILE nofile=1024 open=1024\n");
	assert_clean_line(got);
	assert_aligned(got);
	free(got);
}

/* a connect not bound yet: "-" for the local endpoint; the destination in the peer column */
static void test_connect_error(void **state)
{
	struct event ev = accept_error();
	char *got;

	ev.kind = TB_KIND_CONNECT_ERROR;
	ev.laddr[0] = '\0';
	ev.lport = 0;
	ev.has_peer = true;
	strcpy(ev.raddr, "10.0.0.9");
	ev.rport = 5432;
	ev.err = 99;
	strcpy(ev.comm, "client");
	ev.port_low = 40000;
	ev.port_high = 40009;
	ev.ports_in_use = (struct port_usage){ .known = true, .established = 10 };
	got = capture_event(&ev);
	assert_string_equal(got,
"10:01:02.000001 connect_error        42 client           "
		"-                        4026531840 -                     "
		"10.0.0.9:5432                 -         - EADDRNOTAVAIL range=40000-40009 established=10 time_wait=0 syn_sent=0 other=0\n");
	assert_clean_line(got);
	assert_aligned(got);
	free(got);
}

static void test_bind_error(void **state)
{
	struct event ev = accept_error();
	char *got;

	ev.kind = TB_KIND_BIND_ERROR;
	ev.err = 98;
	got = capture_event(&ev);
	assert_string_equal(got,
"10:01:02.000001 bind_error           42 server           "
		"-                        4026531840 0.0.0.0:8080          "
		"-                             -         - EADDRINUSE\n");
	assert_clean_line(got);
	assert_aligned(got);
	free(got);
}

/* unknowns print as placeholders, never as an empty cell */
static void test_accept_error_unknowns(void **state)
{
	struct event ev = accept_error();
	char *got;

	ev.open_fds = -1;
	ev.nofile_limit = UINT64_MAX;
	ev.laddr[0] = '\0';
	ev.listen_addr[0] = '\0';
	ev.comm[0] = '\0';
	ev.acceptor_pid = 0;
	ev.err = 4242;
	got = capture_event(&ev);
	assert_string_equal(got,
		"10:01:02.000001 accept_error         42 -                "
		"-                        4026531840 -                     "
		"-                             -         - E4242 nofile=unlimited open=?\n");
	assert_clean_line(got);
	assert_aligned(got);
	free(got);
}

/* comm is attacker-controlled: it stays one printable word in its column */
static void test_hostile_comm(void **state)
{
	static const struct {
		const char *comm;
		const char *text;
	} cases[] = {
		{ "evil\nline", "evil\\x0aline" },
		{ "a\"b", "a\"b" },
		{ "back\\slash", "back\\\\slash" },
		{ "\x1b[2Jclear", "\\x1b[2Jclear" },
		{ "del\x7f", "del\\x7f" },
		{ "two words", "two\\x20words" },
		{ "tab\there\r", "tab\\x09here\\x0d" },
		{ "lone\xff", "lone\\xff" },
		{ "trunc\xe2\x82", "trunc\\xe2\\x82" },
		{ "over\xc0\xaf", "over\\xc0\\xaf" },
		{ "surr\xed\xa0\x80", "surr\\xed\\xa0\\x80" },
		{ "caf\xc3\xa9", "caf\\xc3\\xa9" },
		{ "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n",
		  "\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a"
		  "\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct event ev[2] = { drop_v4(), accept_error() };
		int k;

		for (k = 0; k < 2; k++) {
			struct cell c[NCOLS + 4];
			char *got;

			snprintf(ev[k].comm, sizeof(ev[k].comm), "%s", cases[i].comm);
			got = capture_event(&ev[k]);
			assert_clean_line(got);
			assert_int_equal(cells(got, c, NCOLS + 4),
					 k ? NCOLS + 2 : NCOLS);
			if (c[3].end - c[3].start != strlen(cases[i].text) ||
			    strncmp(got + c[3].start, cases[i].text,
				    strlen(cases[i].text)))
				fail_msg("case %zu: comm cell of %s is not %s",
					 i, got, cases[i].text);
			/* short enough ones keep the columns after them in place */
			if (strlen(cases[i].text) <= 16)
				assert_aligned(got);
			free(got);
		}
	}
}

/* the acceptor's comm and the namespace's name are attacker-controlled too: one word each */
static void test_hostile_acceptor_and_netns_name(void **state)
{
	struct event ev = drop_v4();
	struct cell c[NCOLS + 4];
	char *got;

	snprintf(ev.acceptor_comm, sizeof(ev.acceptor_comm), "%s", "w 1\n\x1b");
	snprintf(ev.netns_name, sizeof(ev.netns_name), "%s", "blue net\n");
	got = capture_event(&ev);
	assert_clean_line(got);
	assert_int_equal(cells(got, c, NCOLS + 4), NCOLS);
	assert_true(!strncmp(got + c[4].start, "1300/w\\x201\\x0a\\x1b ", c[4].end - c[4].start + 1));
	assert_true(!strncmp(got + c[5].start, "blue\\x20net\\x0a ", c[5].end - c[5].start + 1));
	free(got);

	/* a plain name stands where the inode would */
	strcpy(ev.netns_name, "blue");
	strcpy(ev.acceptor_comm, "worker");
	got = capture_event(&ev);
	assert_non_null(strstr(got, " 1300/worker                    blue 0.0.0.0:8080 "));
	assert_aligned(got);
	free(got);
}

/* several events in a row: exactly one line each */
static void test_one_line_per_event(void **state)
{
	struct event ev = drop_v4();
	char *buf = NULL, *p;
	size_t len = 0;
	int lines = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	strcpy(ev.comm, "a\nb\r\nc");
	output_text.event(f, &ev);
	ev.kind = TB_KIND_ACCEPT_ERROR;
	output_text.event(f, &ev);
	fclose(f);
	for (p = buf; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 2);
	free(buf);
}

static void test_totals(void **state)
{
	struct totals t = {
		.syn_drop = 10,
		.syn_drop_by_reason = { 0, 6, 3, 1 },
		.accept_overflow = 5,
		.accept_overflow_other = 2,
		.accept_error = 4,
		.connect_error = 8,
		.bind_error = 9,
		.suppressed = 3,
		.lost = 1,
		.registry_full = 7,
		.ambiguous = 9,
		.late = 4,
		.missed_runs = 3,
		.tuples_tracked = 20, .delayed = 11, .abandoned = 4, .untracked = 3, .pending = 2,
		.retried_syns = 30, .synack_retransmits = 7,
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	output_text.totals(f, &t);
	fclose(f);
	assert_string_equal(buf,
		"totals: syn_drop=10 (accept_queue_full=6 syn_queue_full=3 "
		"other=1) accept_overflow=5 (other=2) accept_error=4 "
		"connect_error=8 bind_error=9 "
		"suppressed=3 lost=1 registry_full=7 ambiguous=9 late=4 missed_runs=3 "
		"tuples_tracked=20 delayed=11 abandoned=4 untracked=3 pending=2 retried_syns=30 "
		"synack_retransmits=7\n");
	free(buf);
}

/* ---- listener tables and latency histograms ---- */

#define LST_COLS	16

#define LST_HEADER \
	"LISTENER                  PID COMM                   QUEUE  PEAK " \
	"       SYNQ SYNPK   DROPS  OVERFL COOKIES  ACCEPTS  ERRS    P50us    P99us    MAXus SERVICE\n"

static struct listener_snapshot snap_v4(void)
{
	struct listener_snapshot s = {
		.id = 1,
		.netns = NETNS,
		.family = AF_INET,
		.laddr = "10.0.0.1",
		.lport = 8080,
		.pid = 1234,
		.comm = "nginx",
		.listening = true,
		.backlog = 3,
		.backlog_max = 128,
		.backlog_peak = 129,
		.synq = 1,
		.synq_peak = 2,
		.nofile_limit = 1024,
		.open_fds = 1000,
	};

	return s;
}

static struct listener_report report_of(const struct listener_snapshot *s)
{
	struct listener_report r = {
		.now = s,
		.syn_drops = 6,
		.syn_drops_by_reason = { 0, 4, 1, 1 },
		.accept_overflows = 2,
		.accepts = 100,
		.accept_errors = 3,
		.errnos = { { 24, 2 }, { 23, 1 } },
		.nerrnos = 2,
		.lat_us_hist = { [0] = 1, [2] = 4, [3] = 2 },
		.latency = { 7, 5, 14, 15 },
		.active = true,
	};

	return r;
}

static char *capture_interval(const struct listener_report *r, int n,
			      const struct hint *h, int nh)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	output_text.interval(f, T_2026, r, n, h, nh);
	fclose(f);
	return buf;
}

static char *capture_summary(const struct listener_report *r, int n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	output_text.summary(f, r, n);
	fclose(f);
	return buf;
}

/* LISTENER, COMM and SERVICE start under their header, every other column ends under it */
static void assert_table_aligned(const char *row)
{
	struct cell h[LST_COLS + 1], r[LST_COLS + 4];
	int i;

	assert_int_equal(cells(LST_HEADER, h, LST_COLS + 1), LST_COLS);
	assert_int_equal(cells(row, r, LST_COLS + 4), LST_COLS);
	for (i = 0; i < LST_COLS; i++) {
		bool left = i == 0 || i == 2 || i == LST_COLS - 1;	/* LISTENER, COMM, SERVICE */
		bool ok = left ? h[i].start == r[i].start : h[i].end == r[i].end;

		if (!ok)
			fail_msg("column %d misaligned:\n%s%s", i, LST_HEADER, row);
	}
}

/* the n-th line of buf (0-based), newline included, in a new string */
static char *line_of(const char *buf, int n)
{
	const char *p = buf, *e;

	while (n-- > 0) {
		p = strchr(p, '\n');
		assert_non_null(p);
		p++;
	}
	e = strchr(p, '\n');
	assert_non_null(e);
	return strndup(p, (size_t)(e - p + 1));
}

static void test_interval_table(void **state)
{
	struct listener_snapshot s[2] = { snap_v4(), snap_v4() };
	struct listener_report r[2];
	struct hint h = {
		.netns = NETNS, .laddr = "10.0.0.1", .lport = 8080,
		.kind = "backlog_small",
		.text = "3 connections dropped; raise it.",
	};
	char *got;
	int i;

	s[1].family = AF_INET6;
	strcpy(s[1].laddr, "2001:db8::1");
	s[1].lport = 443;
	s[1].pid = 0;
	s[1].comm[0] = '\0';
	s[1].backlog = 0;
	s[1].backlog_max = 4096;
	s[1].backlog_peak = 0;
	s[1].synq = 0;
	s[1].synq_peak = 7;
	/* under a listener, the processes that accepted from it, then the rest summed */
	s[0].acceptors_known = true;
	s[0].acceptors[0] = (struct acceptor_stats){ .pid = 1300, .comm = "worker", .accepts = 60,
						     .accept_errors = 3, .nofile_limit = 16, .open_fds = 16 };
	s[0].acceptors[1] = (struct acceptor_stats){ .pid = 1301, .comm = "a b", .accepts = 40,
						     .nofile_limit = UINT64_MAX, .open_fds = -1 };
	s[0].nacceptors = 2;
	s[0].acceptors_other = (struct acceptors_rest){ .processes = 3, .accepts = 7, .accept_errors = 1 };
	r[0] = report_of(&s[0]);
	memset(&r[1], 0, sizeof(r[1]));
	r[1].now = &s[1];
	r[1].syncookies = 12;
	got = capture_interval(r, 2, &h, 1);
	assert_string_equal(got,
		"--- 10:01:02 listeners ---\n"
		LST_HEADER
		"10.0.0.1:8080            1234 nginx                  3/128   129 "
		"      1/128     2       6       2       0      100     3        5       14       15 -\n"
		"  acceptor 1300/worker accepts=60 errors=3 nofile=16 open=16\n"
		"  acceptor 1301/a\\x20b accepts=40 errors=0 nofile=unlimited open=?\n"
		"  acceptors_other processes=3 accepts=7 errors=1\n"
		"[2001:db8::1]:443           - -                     0/4096     0 "
		"     0/4096     7       0       0      12        0     0        -        -        - -\n"
		"hint 10.0.0.1:8080: 3 connections dropped; raise it.\n");
	for (i = 2; i <= 6; i += 4) {
		char *row = line_of(got, i);

		assert_clean_line(row);
		assert_table_aligned(row);
		free(row);
	}
	free(got);
}

/* a listener that closed says so where its queue was, in the same column */
static void test_interval_closed(void **state)
{
	struct listener_snapshot s = snap_v4();
	struct listener_report r;
	char *got, *row;

	s.closed = true;
	s.backlog = s.synq = 0;
	r = report_of(&s);
	got = capture_interval(&r, 1, NULL, 0);
	row = line_of(got, 2);
	assert_non_null(strstr(row, " nginx                 closed   129 "));
	assert_clean_line(row);
	assert_table_aligned(row);
	free(row);
	free(got);
}

static void test_interval_empty(void **state)
{
	char *got = capture_interval(NULL, 0, NULL, 0);

	assert_string_equal(got, "--- 10:01:02 listeners ---\n(no active listeners)\n");
	free(got);
}

static void test_interval_hostile_comm(void **state)
{
	static const struct {
		const char *comm;
		const char *text;
	} cases[] = {
		{ "evil\nline", "evil\\x0aline" },
		{ "two words", "two\\x20words" },
		{ "\x1b[2Jclear", "\\x1b[2Jclear" },
		{ "lone\xff", "lone\\xff" },
		{ "a\"b\\c", "a\"b\\\\c" },
		{ "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n",
		  "\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a"
		  "\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct listener_snapshot s = snap_v4();
		struct listener_report r = report_of(&s);
		struct cell c[LST_COLS + 4];
		char *got, *row;

		snprintf(s.comm, sizeof(s.comm), "%s", cases[i].comm);
		got = capture_interval(&r, 1, NULL, 0);
		row = line_of(got, 2);
		assert_clean_line(row);
		assert_int_equal(cells(row, c, LST_COLS + 4), LST_COLS);
		if (c[2].end - c[2].start != strlen(cases[i].text) ||
		    strncmp(row + c[2].start, cases[i].text, strlen(cases[i].text)))
			fail_msg("case %zu: comm cell of %s is not %s", i, row, cases[i].text);
		if (strlen(cases[i].text) <= 16)
			assert_table_aligned(row);
		free(row);
		free(got);
	}
}

/* hint texts keep their spaces; anything else unprintable is escaped */
static void test_interval_hint_escaping(void **state)
{
	struct hint h = {
		.netns = NETNS, .laddr = "1.2.3.4\n5", .lport = 80,
		.kind = "fd_limit",
		.text = "two  spaces\nnew line \x1b[2J\\ \xff end",
	};
	char *got = capture_interval(NULL, 0, &h, 1);
	char *line = line_of(got, 2);

	assert_clean_line(line);
	assert_string_equal(line,
		"hint 1.2.3.4\\x0a5:80: two  spaces\\x0anew line \\x1b[2J\\\\ \\xff end\n");
	free(line);
	free(got);
}

static void test_summary_histogram(void **state)
{
	struct listener_snapshot s[3] = { snap_v4(), snap_v4(), snap_v4() };
	struct listener_report r[3];
	char *got;

	r[0] = report_of(&s[0]);
	/* nothing measured: no block */
	memset(&r[1], 0, sizeof(r[1]));
	r[1].now = &s[1];
	r[1].accepts = 5;
	/* starts and ends where the samples do, empty slots between drawn */
	s[2].family = AF_INET6;
	strcpy(s[2].laddr, "::");
	s[2].lport = 443;
	s[2].pid = 0;
	strcpy(s[2].comm, "a b\n");
	memset(&r[2], 0, sizeof(r[2]));
	r[2].now = &s[2];
	r[2].lat_us_hist[10] = 3;
	r[2].lat_us_hist[12] = 7;
	r[2].lat_us_hist[TB_LAT_SLOTS - 1] = 1;
	r[2].latency = (struct latency_summary){ 11, 5000, 3000000000ull, 3000000000ull };

	got = capture_summary(r, 3);
	assert_string_equal(got,
		"\n"
		"accept latency, 10.0.0.1:8080 (1234 nginx): 7 accepts, p50 5 us, p99 14 us, max 15 us\n"
		"     usecs               : count     distribution\n"
		"         0 -> 1          : 1        |**********                              |\n"
		"         2 -> 3          : 0        |                                        |\n"
		"         4 -> 7          : 4        |****************************************|\n"
		"         8 -> 15         : 2        |********************                    |\n"
		"\n"
		"accept latency, [::]:443 (- a\\x20b\\x0a): 11 accepts, p50 5000 us, "
		"p99 3000000000 us, max 3000000000 us\n"
		"     usecs               : count     distribution\n"
		"      1024 -> 2047       : 3        |******************                      |\n"
		"      2048 -> 4095       : 0        |                                        |\n"
		"      4096 -> 8191       : 7        |****************************************|\n"
		"      8192 -> 16383      : 0        |                                        |\n"
		"     16384 -> 32767      : 0        |                                        |\n"
		"     32768 -> 65535      : 0        |                                        |\n"
		"     65536 -> 131071     : 0        |                                        |\n"
		"    131072 -> 262143     : 0        |                                        |\n"
		"    262144 -> 524287     : 0        |                                        |\n"
		"    524288 -> 1048575    : 0        |                                        |\n"
		"   1048576 -> 2097151    : 0        |                                        |\n"
		"   2097152 -> 4194303    : 0        |                                        |\n"
		"   4194304 -> 8388607    : 0        |                                        |\n"
		"   8388608 -> 16777215   : 0        |                                        |\n"
		"  16777216 -> 33554431   : 0        |                                        |\n"
		"  33554432 -> 67108863   : 0        |                                        |\n"
		"  67108864 -> 134217727  : 0        |                                        |\n"
		" 134217728 -> 268435455  : 0        |                                        |\n"
		" 268435456 -> 536870911  : 0        |                                        |\n"
		" 536870912 -> 1073741823 : 0        |                                        |\n"
		"1073741824 -> 2147483647 : 0        |                                        |\n"
		"2147483648 -> inf        : 1        |******                                  |\n");
	free(got);

	/* nothing measured anywhere: nothing printed */
	got = capture_summary(&r[1], 1);
	assert_string_equal(got, "");
	free(got);
}

/* a service shows at the end of the detail, one escaped word, only when known */
static void test_service_detail(void **state)
{
	struct event ev = drop_v4();
	struct event ae = accept_error();
	char *got;

	cgroup_identity_parse("/system.slice/nginx.service", &ev.identity);
	cgroup_identity_parse("/system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope",
			      &ev.acceptor_identity);
	got = capture_event(&ev);
	assert_string_equal(got,
		"10:01:02.123456 syn_drop           1234 nginx            1300/worker              "
		"4026531840 0.0.0.0:8080          10.0.0.2:51234          "
		"129/128     3/128 accept_queue_full service=nginx.service acceptor_service=0123456789ab\n");
	assert_aligned(got);
	free(got);

	/* the root cgroup is no service: the line reads as without one */
	cgroup_identity_parse("/", &ae.identity);
	got = capture_event(&ae);
	assert_null(strstr(got, "service="));
	free(got);

	/* a cgroup that is neither unit nor container: its path, escaped */
	snprintf(ae.identity.path, sizeof(ae.identity.path), "/evil path\n\x1b[2J\xff");
	got = capture_event(&ae);
	assert_clean_line(got);
	assert_non_null(strstr(got, "nofile=1024 open=1024 service=/evil\\x20path\\x0a\\x1b[2J\\xff\n"));
	free(got);
}

static void test_interval_service(void **state)
{
	struct listener_snapshot s = snap_v4();
	struct listener_report r = report_of(&s);
	struct cell c[LST_COLS + 4];
	char *got, *row;

	snprintf(s.identity.unit, sizeof(s.identity.unit), "a b\n.service");
	got = capture_interval(&r, 1, NULL, 0);
	row = line_of(got, 2);
	assert_clean_line(row);
	assert_int_equal(cells(row, c, LST_COLS + 4), LST_COLS);
	assert_table_aligned(row);
	assert_non_null(strstr(row, " a\\x20b\\x0a.service\n"));
	free(row);
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_header_filters),
		cmocka_unit_test(test_syn_drop_ipv4),
		cmocka_unit_test(test_accept_overflow_ipv6),
		cmocka_unit_test(test_drop_without_peer),
		cmocka_unit_test(test_accept_error),
		cmocka_unit_test(test_connect_error),
		cmocka_unit_test(test_bind_error),
		cmocka_unit_test(test_accept_error_unknowns),
		cmocka_unit_test(test_hostile_comm),
		cmocka_unit_test(test_hostile_acceptor_and_netns_name),
		cmocka_unit_test(test_one_line_per_event),
		cmocka_unit_test(test_totals),
		cmocka_unit_test(test_interval_table),
		cmocka_unit_test(test_interval_closed),
		cmocka_unit_test(test_interval_empty),
		cmocka_unit_test(test_interval_hostile_comm),
		cmocka_unit_test(test_service_detail),
		cmocka_unit_test(test_interval_service),
		cmocka_unit_test(test_interval_hint_escaping),
		cmocka_unit_test(test_summary_histogram),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
