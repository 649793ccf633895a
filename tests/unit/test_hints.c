// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of user/aggregate/hints.c: each kind fires on the data it rests on,
 * with those figures in its text, and stays silent below its threshold.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "aggregate/hints.h"

#define NETNS	4026531840u
#define MAXH	8

static const struct sysctls host = {
	.somaxconn = 4096,
	.tcp_max_syn_backlog = 512,
	.tcp_syncookies = 1,
	.tcp_abort_on_overflow = 0,
	.file_max = 9223372036854775807L,
	.nr_open = 1048576,
};

struct fixture {
	struct listener_snapshot s;
	struct listener_report r;
	struct sysctls sys;
	struct hint h[MAXH];
};

static void setup_fixture(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->s.id = 1;
	f->s.netns = NETNS;
	f->s.family = AF_INET;
	strcpy(f->s.laddr, "10.0.0.1");
	f->s.lport = 8080;
	f->s.pid = 1234;
	strcpy(f->s.comm, "nginx");
	f->s.listening = true;
	f->s.backlog_max = 4096;
	f->s.open_fds = -1;
	f->r.now = &f->s;
	f->sys = host;
}

static int run(struct fixture *f)
{
	return hints_for(&f->r, &f->sys, f->h, MAXH);
}

/* exactly one hint, of that kind, with that text */
static void assert_one(struct fixture *f, const char *kind, const char *text)
{
	int n = run(f);

	if (n != 1)
		fail_msg("%d hints for %s (first: %s)", n, kind, n ? f->h[0].kind : "-");
	assert_string_equal(f->h[0].kind, kind);
	assert_string_equal(f->h[0].text, text);
	assert_int_equal(f->h[0].netns, NETNS);
	assert_string_equal(f->h[0].laddr, f->s.laddr);
	assert_int_equal(f->h[0].lport, f->s.lport);
}

static void assert_none(struct fixture *f)
{
	int n = run(f);

	if (n)
		fail_msg("unexpected %s: %s", f->h[0].kind, f->h[0].text);
}

/* a fast application: accepts measured in microseconds */
static void fast_accepts(struct fixture *f)
{
	f->r.accepts = 1000;
	f->r.latency = (struct latency_summary){ 1000, 40, 900, 1500 };
}

static void test_all_zero(void **state)
{
	struct fixture f;

	setup_fixture(&f);
	assert_none(&f);
	/* even with the most suspicious settings */
	f.sys.tcp_syncookies = 0;
	f.sys.somaxconn = 4096;
	f.s.backlog_max = 4096;
	f.s.backlog_peak = 4096;
	assert_none(&f);
	f.s.backlog_max = 1;
	assert_none(&f);
	/* nothing without a report or room */
	assert_int_equal(hints_for(NULL, &f.sys, f.h, MAXH), 0);
	f.r.accept_overflows = 5;
	assert_int_equal(hints_for(&f.r, &f.sys, f.h, 0), 0);
}

static void test_backlog_clamped(void **state)
{
	struct fixture f;

	setup_fixture(&f);
	fast_accepts(&f);
	f.s.backlog_peak = 4097;
	f.r.syn_drops_by_reason[TB_REASON_ACCEPT_QUEUE_FULL] = 5;
	f.r.accept_overflows = 2;
	assert_one(&f, "backlog_clamped",
		   "7 connections dropped with the accept queue full at 4096, "
		   "the value of net.core.somaxconn, so the listen() backlog was "
		   "probably clamped: raise net.core.somaxconn (now 4096) together "
		   "with the application's listen() backlog.");

	/* a small somaxconn clamps below 128: clamped, not small */
	f.sys.somaxconn = 64;
	f.s.backlog_max = 64;
	f.s.backlog_peak = 65;
	run(&f);
	assert_string_equal(f.h[0].kind, "backlog_clamped");
	assert_non_null(strstr(f.h[0].text, "(now 64)"));
}

static void test_backlog_small(void **state)
{
	struct fixture f;

	setup_fixture(&f);
	fast_accepts(&f);
	f.s.backlog_max = 5;
	f.s.backlog_peak = 6;
	f.r.syn_drops_by_reason[TB_REASON_ACCEPT_QUEUE_FULL] = 3;
	assert_one(&f, "backlog_small",
		   "3 connections dropped with the accept queue full: the "
		   "application asked for a backlog of only 5; raise it in the "
		   "application's listen() call (net.core.somaxconn is 4096).");

	/* somaxconn unreadable: not clamped for sure, still small */
	f.sys.somaxconn = -1;
	assert_one(&f, "backlog_small",
		   "3 connections dropped with the accept queue full: the "
		   "application asked for a backlog of only 5; raise it in the "
		   "application's listen() call.");
}

/* overflows with a backlog neither clamped nor small: no backlog advice */
static void test_backlog_neither(void **state)
{
	struct fixture f;

	setup_fixture(&f);
	fast_accepts(&f);
	f.s.backlog_max = 128;		/* the threshold itself is not small */
	f.s.backlog_peak = 129;
	f.r.accept_overflows = 9;
	assert_none(&f);
	f.s.backlog_max = 1024;
	f.s.backlog_peak = 1025;
	assert_none(&f);
	/* no overflow: a small backlog alone says nothing */
	f.r.accept_overflows = 0;
	f.s.backlog_max = 5;
	assert_none(&f);
	/* syn drops for other reasons are not overflows */
	f.r.syn_drops_by_reason[TB_REASON_OTHER] = 50;
	f.r.syn_drops = 50;
	assert_none(&f);
}

static void test_slow_accept(void **state)
{
	struct fixture f;

	setup_fixture(&f);
	f.sys.somaxconn = 128;
	f.s.backlog_max = 128;
	f.s.backlog_peak = 129;
	f.r.syn_drops_by_reason[TB_REASON_ACCEPT_QUEUE_FULL] = 40;
	f.r.accepts = 10;
	f.r.latency = (struct latency_summary){ 10, 50000, 250000, 300000 };
	/* a bigger queue would not help: the backlog hint is left out */
	assert_one(&f, "slow_accept",
		   "40 connections dropped while the accept queue was full "
		   "(peak 129 of 128) and 10 accepted: the application is not "
		   "accepting fast enough (accept latency p50 50.0 ms, p99 "
		   "250.0 ms, max 300.0 ms); raising the backlog only adds latency.");

	/* at the threshold exactly; seconds and microseconds spelled as such */
	f.r.latency = (struct latency_summary){ 10, 800, 100000, 2500000 };
	run(&f);
	assert_string_equal(f.h[0].kind, "slow_accept");
	assert_non_null(strstr(f.h[0].text,
			       "(accept latency p50 800 us, p99 100.0 ms, max 2.5 s)"));

	/* just below: the application keeps up, the backlog is the limit */
	f.r.latency.p99_us = 99999;
	assert_one(&f, "backlog_clamped",
		   "40 connections dropped with the accept queue full at 128, "
		   "the value of net.core.somaxconn, so the listen() backlog was "
		   "probably clamped: raise net.core.somaxconn (now 128) together "
		   "with the application's listen() backlog.");
}

/* no latency measured: fewer accepted than dropped means stuck */
static void test_slow_accept_unmeasured(void **state)
{
	struct fixture f;

	setup_fixture(&f);
	f.s.backlog = 200;
	f.s.backlog_max = 200;
	f.r.accept_overflows = 40;
	f.r.accepts = 0;
	assert_one(&f, "slow_accept",
		   "40 connections dropped while the accept queue was full "
		   "(peak 200 of 200) and 0 accepted: the application is not "
		   "accepting fast enough (accept latency not measured); raising "
		   "the backlog only adds latency.");
	f.r.accepts = 39;
	run(&f);
	assert_string_equal(f.h[0].kind, "slow_accept");
	/* as many accepted as dropped: not shown to be slow */
	f.r.accepts = 40;
	assert_none(&f);
	/* one of a kind reads as one */
	f.r.accept_overflows = 1;
	f.r.accepts = 0;
	run(&f);
	assert_true(!strncmp(f.h[0].text, "1 connection dropped while", 26));
}

/* slow latency while the queue never filled: not the accept queue's problem */
static void test_slow_accept_queue_not_full(void **state)
{
	struct fixture f;

	setup_fixture(&f);
	f.s.backlog_max = 1024;
	f.s.backlog_peak = 10;
	f.r.accept_overflows = 3;
	f.r.latency = (struct latency_summary){ 10, 500000, 900000, 900000 };
	assert_none(&f);
	/* and latency alone, without a drop, is no hint at all */
	f.r.accept_overflows = 0;
	f.s.backlog_peak = 1025;
	assert_none(&f);
}

/* a prefork worker that failed: its pid, and its figures at the failure */
static void add_worker(struct fixture *f, uint32_t pid, uint64_t accepts, uint64_t errors,
		       uint64_t limit, int64_t open_fds)
{
	struct acceptor_stats *a = &f->s.acceptors[f->s.nacceptors++];

	memset(a, 0, sizeof(*a));
	a->pid = pid;
	a->accepts = accepts;
	a->accept_errors = errors;
	a->fail_nofile_limit = limit;
	a->fail_open_fds = errors ? open_fds : -1;
	/* what /proc says at the report is not what failed */
	a->nofile_limit = 99999;
	a->open_fds = 3;
	f->s.acceptors_known = true;
}

static void test_fd_limit_emfile(void **state)
{
	struct fixture f;

	setup_fixture(&f);
	f.r.accept_errors = 12;
	f.r.errnos[0] = (struct errno_count){ EMFILE, 12 };
	f.r.nerrnos = 1;
	/* nginx's master: it called listen(), it never accepts; never its figures */
	f.s.nofile_limit = 20000;
	f.s.open_fds = 9;
	add_worker(&f, 101, 16, 8, 16, 16);
	assert_one(&f, "fd_limit",
		   "accept() failed 12 times with EMFILE: the process whose accept failed ran out of "
		   "file descriptors (at the last failure: pid 101: 16 open, limit 16); raise "
		   "LimitNOFILE= or ulimit -n, or look for a descriptor leak.");

	/* two workers failed, one only accepted: the failing ones, busiest first */
	add_worker(&f, 102, 20, 0, 0, -1);
	add_worker(&f, 103, 10, 4, 24, -1);
	assert_one(&f, "fd_limit",
		   "accept() failed 12 times with EMFILE: the 2 processes whose accept failed ran out "
		   "of file descriptors (at the last failure: pid 101: 16 open, limit 16; pid 103: "
		   "limit 24); raise LimitNOFILE= or ulimit -n, or look for a descriptor leak.");

	/* more than a hint lists: counted */
	f.s.nacceptors = 0;
	for (uint32_t pid = 201; pid <= 206; pid++)
		add_worker(&f, pid, 1, 1, UINT64_MAX, 5);
	run(&f);
	assert_non_null(strstr(f.h[0].text, "the 6 processes whose accept failed"));
	assert_non_null(strstr(f.h[0].text, "pid 201: 5 open, limit unlimited; pid 202:"));
	assert_non_null(strstr(f.h[0].text, "pid 204: 5 open, limit unlimited; 2 more)"));

	/* no process known to have failed: no figures rather than the owner's */
	f.s.nacceptors = 0;
	f.s.acceptors_known = false;
	f.r.errnos[0].count = 1;
	assert_one(&f, "fd_limit",
		   "accept() failed 1 time with EMFILE: the process ran out of "
		   "file descriptors; raise LimitNOFILE= or ulimit -n, or look for "
		   "a descriptor leak.");
}

/* slow accepting names the processes that accept, not the listen() caller */
static void test_slow_accept_names_acceptors(void **state)
{
	struct fixture f;

	setup_fixture(&f);
	f.s.backlog_max = 8;
	f.s.backlog_peak = 9;
	f.r.syn_drops_by_reason[TB_REASON_ACCEPT_QUEUE_FULL] = 40;
	f.r.accepts = 30;
	f.r.latency = (struct latency_summary){ 30, 50000, 250000, 300000 };
	add_worker(&f, 101, 20, 0, 0, -1);
	add_worker(&f, 102, 10, 0, 0, -1);
	run(&f);
	assert_non_null(strstr(f.h[0].text, "accepted: the accepting processes 101, 102 are not accepting"));
	f.s.nacceptors = 1;
	run(&f);
	assert_non_null(strstr(f.h[0].text, "accepted: the accepting process 101 is not accepting"));
	/* none accepted in the interval: the last one that tried */
	f.s.nacceptors = 0;
	f.s.acceptor_pid = 77;
	run(&f);
	assert_non_null(strstr(f.h[0].text, "accepted: process 77, the last to try to accept, is not"));
}

static void test_fd_limit_enfile(void **state)
{
	struct fixture f;

	setup_fixture(&f);
	f.r.accept_errors = 3;
	f.r.errnos[0] = (struct errno_count){ ENFILE, 3 };
	f.r.nerrnos = 1;
	f.sys.file_max = 808080;
	assert_one(&f, "fd_limit",
		   "accept() failed 3 times with ENFILE: the system-wide file "
		   "table is full (fs.file-max 808080); raise fs.file-max or find "
		   "what holds so many files open.");

	/* both: one hint each */
	f.r.errnos[1] = (struct errno_count){ EMFILE, 1 };
	f.r.nerrnos = 2;
	assert_int_equal(run(&f), 2);
	assert_string_equal(f.h[0].kind, "fd_limit");
	assert_non_null(strstr(f.h[0].text, "EMFILE"));
	assert_string_equal(f.h[1].kind, "fd_limit");
	assert_non_null(strstr(f.h[1].text, "ENFILE"));
}

/* other accept errors are not about descriptors */
static void test_fd_limit_other_errno(void **state)
{
	struct fixture f;

	setup_fixture(&f);
	f.r.accept_errors = 30;
	f.r.errnos[0] = (struct errno_count){ ECONNABORTED, 20 };
	f.r.errnos[1] = (struct errno_count){ ENOBUFS, 10 };
	f.r.nerrnos = 2;
	f.s.nofile_limit = 1024;
	f.s.open_fds = 1024;
	assert_none(&f);
}

static void test_syn_queue_full(void **state)
{
	struct fixture f;

	setup_fixture(&f);
	f.s.backlog_max = 128;
	f.sys.tcp_syncookies = 0;
	f.r.syn_drops_by_reason[TB_REASON_SYN_QUEUE_FULL] = 9;
	f.r.syn_drops = 9;
	assert_one(&f, "syn_queue_full",
		   "9 SYNs dropped with the SYN queue full and syncookies off: "
		   "enable net.ipv4.tcp_syncookies=1 and raise "
		   "net.ipv4.tcp_max_syn_backlog (now 512) with the listen() "
		   "backlog (now 128); a burst nobody expected may be a SYN flood.");

	f.sys.tcp_max_syn_backlog = -1;
	f.r.syn_drops_by_reason[TB_REASON_SYN_QUEUE_FULL] = 1;
	run(&f);
	assert_non_null(strstr(f.h[0].text, "net.ipv4.tcp_max_syn_backlog with"));
	assert_true(!strncmp(f.h[0].text, "1 SYN dropped", 13));

	/* cookies on, or unknown: no advice */
	f.sys.tcp_syncookies = 1;
	assert_none(&f);
	f.sys.tcp_syncookies = 2;
	assert_none(&f);
	f.sys.tcp_syncookies = -1;
	assert_none(&f);
	/* no sysctls at all: nothing that needs them */
	assert_int_equal(hints_for(&f.r, NULL, f.h, MAXH), 0);
}

/* several problems at once, and never more than asked for */
static void test_many_and_max(void **state)
{
	struct fixture f;

	setup_fixture(&f);
	fast_accepts(&f);
	f.s.backlog_max = 4096;
	f.s.backlog_peak = 4097;
	f.r.accept_overflows = 7;
	f.r.syn_drops_by_reason[TB_REASON_SYN_QUEUE_FULL] = 2;
	f.r.errnos[0] = (struct errno_count){ EMFILE, 1 };
	f.r.errnos[1] = (struct errno_count){ ENFILE, 1 };
	f.r.nerrnos = 2;
	f.sys.tcp_syncookies = 0;
	assert_int_equal(run(&f), 4);
	assert_string_equal(f.h[0].kind, "backlog_clamped");
	assert_string_equal(f.h[1].kind, "fd_limit");
	assert_string_equal(f.h[2].kind, "fd_limit");
	assert_string_equal(f.h[3].kind, "syn_queue_full");

	memset(f.h, 0xaa, sizeof(f.h));
	assert_int_equal(hints_for(&f.r, &f.sys, f.h, 2), 2);
	/* the slot after the last one is untouched */
	assert_int_equal((unsigned char)f.h[2].text[0], 0xaa);
}

/* comm and address never reach the text; the address goes to its field as is */
static void test_hostile_strings(void **state)
{
	struct fixture f;
	int n, i;

	setup_fixture(&f);
	strcpy(f.s.comm, "x\n\x1b[2J\"evil");
	strcpy(f.s.laddr, "1.2.3.4\n\"x");
	f.s.backlog_max = 5;
	f.s.backlog_peak = 6;
	f.r.accept_overflows = 1;
	f.r.errnos[0] = (struct errno_count){ EMFILE, 1 };
	f.r.nerrnos = 1;
	f.sys.tcp_syncookies = 0;
	f.r.syn_drops_by_reason[TB_REASON_SYN_QUEUE_FULL] = 1;
	n = run(&f);
	assert_true(n >= 3);
	for (i = 0; i < n; i++) {
		const char *p;

		assert_null(strstr(f.h[i].text, "evil"));
		assert_null(strstr(f.h[i].text, "1.2.3.4"));
		for (p = f.h[i].text; *p; p++)
			if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
				fail_msg("byte 0x%02x in %s", (unsigned char)*p, f.h[i].text);
		assert_string_equal(f.h[i].laddr, "1.2.3.4\n\"x");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_zero),
		cmocka_unit_test(test_backlog_clamped),
		cmocka_unit_test(test_backlog_small),
		cmocka_unit_test(test_backlog_neither),
		cmocka_unit_test(test_slow_accept),
		cmocka_unit_test(test_slow_accept_unmeasured),
		cmocka_unit_test(test_slow_accept_names_acceptors),
		cmocka_unit_test(test_slow_accept_queue_not_full),
		cmocka_unit_test(test_fd_limit_emfile),
		cmocka_unit_test(test_fd_limit_enfile),
		cmocka_unit_test(test_fd_limit_other_errno),
		cmocka_unit_test(test_syn_queue_full),
		cmocka_unit_test(test_many_and_max),
		cmocka_unit_test(test_hostile_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
