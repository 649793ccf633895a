// SPDX-License-Identifier: GPL-2.0
/* Unit tests of user/decode/snapshot.c: a listener's map entries -> struct listener_snapshot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "decode/snapshot.h"

/* 10.0.0.1:8080 (IPv4-mapped in the map), owner nginx, some counts and queues. */
static void fill_listener_v4(struct tb_listener *l)
{
	memset(l, 0, sizeof(*l));
	l->addr.netns = 4026531840u;
	l->addr.port = 8080;
	memcpy(l->addr.addr, (uint8_t[]){ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1 }, 16);
	l->family = AF_INET;
	l->owner_pid = 1234;
	l->ino = 424242;
	memcpy(l->owner_comm, "nginx", 6);
	l->syn_drops[TB_REASON_ACCEPT_QUEUE_FULL] = 5;
	l->syn_drops[TB_REASON_SYN_QUEUE_FULL] = 2;
	l->accept_overflows = 7;
	l->accept_errors = 1;
	l->accepts = 100;
	l->syncookies = 3;
	l->suppressed = 4;
	l->lost = 6;
	l->lat_us_hist[3] = 9;
	l->now.backlog = 11;
	l->now.backlog_max = 128;
	l->now.synq = 2;
	l->now.state = 10;	/* TCP_LISTEN */
}

static void test_listener_v4(void **state)
{
	struct listener_snapshot s;
	struct tb_listener l;

	fill_listener_v4(&l);
	snapshot_decode_listener(0xffff888012345678ull, &l, &s);
	assert_true(s.id == 0xffff888012345678ull);
	assert_int_equal(s.netns, 4026531840u);
	assert_int_equal(s.family, AF_INET);
	assert_string_equal(s.laddr, "10.0.0.1");
	assert_int_equal(s.lport, 8080);
	assert_int_equal(s.pid, 1234);
	assert_string_equal(s.comm, "nginx");
	assert_int_equal(s.ino, 424242);
	assert_true(s.listening);
	assert_false(s.closed);
	assert_int_equal(s.backlog, 11);
	assert_int_equal(s.backlog_max, 128);
	assert_int_equal(s.synq, 2);
	assert_int_equal(s.backlog_peak, 0);
	assert_int_equal(s.syn_drops[TB_REASON_ACCEPT_QUEUE_FULL], 5);
	assert_int_equal(s.syn_drops[TB_REASON_SYN_QUEUE_FULL], 2);
	assert_int_equal(s.accept_overflows, 7);
	assert_int_equal(s.accept_errors, 1);
	assert_int_equal(s.accepts, 100);
	assert_int_equal(s.syncookies, 3);
	assert_int_equal(s.suppressed, 4);
	assert_int_equal(s.lost, 6);
	assert_int_equal(s.lat_us_hist[3], 9);
	assert_int_equal(s.nerrnos, 0);
	assert_int_equal(s.open_fds, -1);
}

/* A dual-stack socket keeps its IPv6 form; a comm of the full length stays terminated. */
static void test_listener_v6_and_long_comm(void **state)
{
	struct listener_snapshot s;
	struct tb_listener l;

	fill_listener_v4(&l);
	l.family = AF_INET6;
	memcpy(l.owner_comm, "0123456789abcdef", TB_COMM_LEN);
	snapshot_decode_listener(1, &l, &s);
	assert_string_equal(s.laddr, "::ffff:10.0.0.1");
	assert_int_equal(s.family, AF_INET6);
	assert_int_equal(strlen(s.comm), TB_COMM_LEN);

	memset(l.addr.addr, 0, 16);
	snapshot_decode_listener(1, &l, &s);
	assert_string_equal(s.laddr, "::");
}

/* State 0: the queue reader never ran on it; any state but LISTEN: it stopped listening. */
static void test_listening_state(void **state)
{
	struct listener_snapshot s;
	struct tb_listener l;

	fill_listener_v4(&l);
	l.now.state = 0;
	snapshot_decode_listener(1, &l, &s);
	assert_true(s.listening);
	l.now.state = 7;	/* TCP_CLOSE */
	snapshot_decode_listener(1, &l, &s);
	assert_false(s.listening);
}

static void test_closed(void **state)
{
	struct listener_snapshot s;
	struct tb_listener l;

	fill_listener_v4(&l);
	l.now.backlog = l.now.synq = 0;
	l.now.state = 7;
	snapshot_decode_closed(42, &l, 128, 64, &s);
	assert_true(s.closed);
	assert_false(s.listening);
	assert_int_equal(s.backlog, 0);
	assert_int_equal(s.synq, 0);
	assert_int_equal(s.backlog_peak, 128);
	assert_int_equal(s.synq_peak, 64);
	assert_int_equal(s.accept_overflows, 7);
	snapshot_finish(&s);
	assert_int_equal(s.backlog_peak, 128);
	assert_int_equal(s.synq_peak, 64);
}

/* The highs taken; the lengths now count as a sample of them. */
static void test_peaks_and_finish(void **state)
{
	struct tb_peaks pk = { .backlog_peak = 5, .synq_peak = 40, .lat_max_ns = 123456 };
	struct listener_snapshot s;
	struct tb_listener l;

	fill_listener_v4(&l);
	snapshot_decode_listener(1, &l, &s);
	snapshot_add_peaks(&s, &pk);
	snapshot_finish(&s);
	assert_int_equal(s.backlog_peak, 11);	/* now: 11 > 5 */
	assert_int_equal(s.synq_peak, 40);
	assert_int_equal(s.lat_max_ns, 123456);
}

static void test_errnos_bounded(void **state)
{
	struct listener_snapshot s;
	struct tb_listener l;

	fill_listener_v4(&l);
	snapshot_decode_listener(1, &l, &s);
	for (int i = 0; i < SNAPSHOT_ERRNOS + 3; i++)
		snapshot_add_errno(&s, 20 + i, 100 + i);
	assert_int_equal(s.nerrnos, SNAPSHOT_ERRNOS);
	assert_int_equal(s.errnos[0].err, 20);
	assert_int_equal(s.errnos[0].count, 100);
	assert_int_equal(s.errnos[SNAPSHOT_ERRNOS - 1].err, 20 + SNAPSHOT_ERRNOS - 1);
}

static struct tb_acceptor acceptor(uint64_t accepts, uint64_t errors, const char *comm)
{
	struct tb_acceptor a = { .accepts = accepts, .accept_errors = errors, .nofile_limit = 16,
				 .open_fds = 16 };

	memcpy(a.comm, comm, strlen(comm));
	return a;
}

/* the busiest SNAPSHOT_ACCEPTORS listed in order, whatever order they come in; the rest summed */
static void test_acceptors_bounded(void **state)
{
	struct listener_snapshot s;
	struct tb_listener l;
	struct tb_acceptor a;
	uint64_t listed = 0;

	fill_listener_v4(&l);
	l.acceptor_pid = 900;
	memcpy(l.acceptor_comm, "0123456789abcdef", TB_COMM_LEN);	/* full width, no NUL */
	snapshot_decode_listener(1, &l, &s);
	assert_int_equal(s.acceptor_pid, 900);
	assert_string_equal(s.acceptor_comm, "0123456789abcdef");
	assert_false(s.acceptors_known);

	/* pid p does p % 13 accepts and one failure when p is even */
	for (uint32_t pid = 1; pid <= 12; pid++) {
		a = acceptor(pid % 13 * 10, pid % 2 == 0, "worker");
		snapshot_add_acceptor(&s, pid, &a);
	}
	a = acceptor(0, 0, "poller");	/* only ever got EAGAIN */
	snapshot_add_acceptor(&s, 100, &a);
	assert_true(s.acceptors_known);
	assert_int_equal(s.nacceptors, SNAPSHOT_ACCEPTORS);
	for (int i = 0; i < SNAPSHOT_ACCEPTORS; i++) {
		assert_int_equal(s.acceptors[i].pid, 12 - i);
		listed += s.acceptors[i].accepts;
	}
	assert_string_equal(s.acceptors[0].comm, "worker");
	assert_int_equal(s.acceptors[0].fail_nofile_limit, 16);
	assert_int_equal(s.acceptors[0].fail_open_fds, 16);
	assert_int_equal(s.acceptors[1].fail_open_fds, -1);	/* pid 11: no failure */
	assert_int_equal(s.acceptors[0].open_fds, -1);		/* /proc not read yet */
	/* pids 1..4 and the poller */
	assert_int_equal(s.acceptors_other.processes, 5);
	assert_int_equal(s.acceptors_other.accepts, 10 + 20 + 30 + 40);
	assert_int_equal(s.acceptors_other.accept_errors, 2);
	assert_int_equal(listed + s.acceptors_other.accepts, 780);

	/* equally busy: the lower pid first */
	snapshot_decode_listener(1, &l, &s);
	a = acceptor(5, 0, "b");
	snapshot_add_acceptor(&s, 20, &a);
	snapshot_add_acceptor(&s, 10, &a);
	assert_int_equal(s.acceptors[0].pid, 10);
	assert_int_equal(s.acceptors[1].pid, 20);
}

static void test_sort_find(void **state)
{
	struct listener_snapshot items[4] = { { .id = 30 }, { .id = 10 }, { .id = 40 }, { .id = 20 } };

	snapshot_sort(items, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(items[i].id, 10 * (i + 1));
	assert_ptr_equal(snapshot_find(items, 4, 30), &items[2]);
	assert_null(snapshot_find(items, 4, 25));
	assert_null(snapshot_find(items, 0, 10));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listener_v4),
		cmocka_unit_test(test_listener_v6_and_long_comm),
		cmocka_unit_test(test_listening_state),
		cmocka_unit_test(test_closed),
		cmocka_unit_test(test_peaks_and_finish),
		cmocka_unit_test(test_errnos_bounded),
		cmocka_unit_test(test_acceptors_bounded),
		cmocka_unit_test(test_sort_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
