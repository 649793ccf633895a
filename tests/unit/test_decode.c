// SPDX-License-Identifier: GPL-2.0
/* Unit tests of user/decode/decode.c: raw BPF records and counters -> decoded structs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <cmocka.h>

#include "decode/decode.h"

/* The layout include/tcpbacklog.h promises, shared with the BPF side. */
_Static_assert(sizeof(struct tb_event) == 184, "tb_event size");
_Static_assert(offsetof(struct tb_event, ts_ns) == 0, "tb_event.ts_ns");
_Static_assert(offsetof(struct tb_event, listener_ino) == 8, "tb_event.listener_ino");
_Static_assert(offsetof(struct tb_event, nofile_limit) == 16, "tb_event.nofile_limit");
_Static_assert(offsetof(struct tb_event, kind) == 24, "tb_event.kind");
_Static_assert(offsetof(struct tb_event, reason) == 28, "tb_event.reason");
_Static_assert(offsetof(struct tb_event, family) == 40, "tb_event.family");
_Static_assert(offsetof(struct tb_event, lport) == 42, "tb_event.lport");
_Static_assert(offsetof(struct tb_event, laddr) == 48, "tb_event.laddr");
_Static_assert(offsetof(struct tb_event, raddr) == 64, "tb_event.raddr");
_Static_assert(offsetof(struct tb_event, backlog) == 80, "tb_event.backlog");
_Static_assert(offsetof(struct tb_event, err) == 92, "tb_event.err");
_Static_assert(offsetof(struct tb_event, open_fds) == 96, "tb_event.open_fds");
_Static_assert(offsetof(struct tb_event, comm) == 104, "tb_event.comm");
_Static_assert(sizeof(((struct tb_event *)0)->comm) == TB_COMM_LEN, "tb_event.comm size");

static const struct clock_map zero_clock = { .mono_to_real_ns = 0 };

/* A SYN drop on 10.0.0.1:8080 from 192.168.1.20:54321, owner nginx. */
static void fill_syn_v4(struct tb_event *raw)
{
	memset(raw, 0, sizeof(*raw));
	raw->ts_ns = 1000;
	raw->listener_ino = 424242;
	raw->nofile_limit = 77;		/* not meaningful for a SYN drop */
	raw->kind = TB_KIND_SYN_DROP;
	raw->reason = TB_REASON_SYN_QUEUE_FULL;
	raw->netns = 4026531840u;
	raw->pid = 1234;
	raw->family = AF_INET;
	raw->lport = 8080;
	raw->rport = 54321;
	memcpy(raw->laddr, (uint8_t[]){ 10, 0, 0, 1 }, 4);
	memcpy(raw->raddr, (uint8_t[]){ 192, 168, 1, 20 }, 4);
	raw->backlog = 3;
	raw->backlog_max = 128;
	raw->synq = 256;
	raw->err = 24;			/* not meaningful for a SYN drop */
	raw->open_fds = 99;		/* not meaningful for a SYN drop */
	memcpy(raw->comm, "nginx", 6);
}

/* Decode from a heap copy of exactly size bytes, so valgrind sees over-reads. */
static int decode_exact(const void *raw, size_t size, const struct clock_map *c, struct event *ev)
{
	void *buf = malloc(size ? size : 1);
	int rc;

	assert_non_null(buf);
	memcpy(buf, raw, size);
	memset(ev, 0xa5, sizeof(*ev));	/* garbage: decode must set every field */
	rc = decode_event(buf, size, c, ev);
	free(buf);
	return rc;
}

/* the listener's bound address and last acceptor, where the kind's row has them */
static void test_acceptor_and_listen_addr(void **state)
{
	static const uint8_t any4[16] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct tb_event raw;
	struct event ev;

	fill_syn_v4(&raw);
	raw.acceptor_pid = 4321;
	memcpy(raw.acceptor_comm, "0123456789abcdef", TB_COMM_LEN);
	memcpy(raw.listen_addr, any4, 16);
	raw.flags = TB_EVENT_F_LISTEN_ADDR;
	assert_int_equal(decode_exact(&raw, sizeof(raw), &zero_clock, &ev), 0);
	assert_int_equal(ev.acceptor_pid, 4321);
	assert_string_equal(ev.acceptor_comm, "0123456789abcdef");
	assert_string_equal(ev.listen_addr, "0.0.0.0");	/* mapped IPv4: the IPv4 form */
	assert_string_equal(ev.laddr, "10.0.0.1");		/* the packet's stays */
	assert_string_equal(ev.netns_name, "");

	memcpy(raw.listen_addr, v6, 16);
	assert_int_equal(decode_exact(&raw, sizeof(raw), &zero_clock, &ev), 0);
	assert_string_equal(ev.listen_addr, "2001:db8::1");
	memset(raw.listen_addr, 0, 16);
	assert_int_equal(decode_exact(&raw, sizeof(raw), &zero_clock, &ev), 0);
	assert_string_equal(ev.listen_addr, "::");

	/* no listener entry behind the record: unknown, not "::" */
	raw.flags = 0;
	raw.acceptor_pid = 0;
	assert_int_equal(decode_exact(&raw, sizeof(raw), &zero_clock, &ev), 0);
	assert_string_equal(ev.listen_addr, "");
	assert_int_equal(ev.acceptor_pid, 0);
	assert_string_equal(ev.acceptor_comm, "");

	/* kinds without a listener carry neither */
	raw.kind = TB_KIND_CONNECT_ERROR;
	raw.acceptor_pid = 4321;
	raw.flags = TB_EVENT_F_LISTEN_ADDR;
	assert_int_equal(decode_exact(&raw, sizeof(raw), &zero_clock, &ev), 0);
	assert_int_equal(ev.acceptor_pid, 0);
	assert_string_equal(ev.listen_addr, "");
}

static void test_syn_drop_ipv4(void **state)
{
	struct tb_event raw;
	struct event ev;

	fill_syn_v4(&raw);
	assert_int_equal(decode_exact(&raw, sizeof(raw), &zero_clock, &ev), 0);
	assert_int_equal(ev.kind, TB_KIND_SYN_DROP);
	assert_int_equal(ev.reason, TB_REASON_SYN_QUEUE_FULL);
	assert_int_equal(ev.time_ns, 1000);
	assert_int_equal(ev.netns, 4026531840u);
	assert_int_equal(ev.family, AF_INET);
	assert_string_equal(ev.laddr, "10.0.0.1");
	assert_int_equal(ev.lport, 8080);
	assert_true(ev.has_peer);
	assert_string_equal(ev.raddr, "192.168.1.20");
	assert_int_equal(ev.rport, 54321);
	assert_int_equal(ev.pid, 1234);
	assert_string_equal(ev.comm, "nginx");
	assert_int_equal(ev.backlog, 3);
	assert_int_equal(ev.backlog_max, 128);
	assert_int_equal(ev.synq, 256);
	assert_int_equal(ev.listener_ino, 424242);
	assert_false(ev.ambiguous);
	/* accept_error-only fields are not taken from a SYN drop */
	assert_int_equal(ev.open_fds, -1);
	assert_int_equal(ev.err, 0);
	assert_int_equal(ev.nofile_limit, 0);
}

static void test_accept_overflow_ipv4(void **state)
{
	struct tb_event raw;
	struct event ev;

	fill_syn_v4(&raw);
	raw.kind = TB_KIND_ACCEPT_OVERFLOW;
	raw.reason = TB_REASON_ACCEPT_QUEUE_FULL;
	raw.backlog = 129;
	assert_int_equal(decode_exact(&raw, sizeof(raw), &zero_clock, &ev), 0);
	assert_int_equal(ev.kind, TB_KIND_ACCEPT_OVERFLOW);
	assert_int_equal(ev.reason, TB_REASON_ACCEPT_QUEUE_FULL);
	assert_true(ev.has_peer);
	assert_string_equal(ev.raddr, "192.168.1.20");
	assert_int_equal(ev.rport, 54321);
	assert_int_equal(ev.backlog, 129);
	assert_int_equal(ev.open_fds, -1);
}

static void test_ambiguous_flag(void **state)
{
	struct tb_event raw;
	struct event ev;

	fill_syn_v4(&raw);
	raw.flags = TB_EVENT_F_AMBIGUOUS;
	assert_int_equal(decode_exact(&raw, sizeof(raw), &zero_clock, &ev), 0);
	assert_true(ev.ambiguous);
	/* only drops name a guessed member */
	raw.kind = TB_KIND_ACCEPT_ERROR;
	assert_int_equal(decode_exact(&raw, sizeof(raw), &zero_clock, &ev), 0);
	assert_false(ev.ambiguous);
}

static void test_syn_drop_ipv6(void **state)
{
	static const uint8_t l6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
	static const uint8_t r6[16] = { 0xfe, 0x80, [8] = 0x02, 0x11, 0x22, 0xff,
					0xfe, 0x33, 0x44, 0x55 };
	struct tb_event raw;
	struct event ev;

	fill_syn_v4(&raw);
	raw.family = AF_INET6;
	raw.reason = TB_REASON_ACCEPT_QUEUE_FULL;
	raw.lport = 443;
	raw.rport = 40000;
	memcpy(raw.laddr, l6, 16);
	memcpy(raw.raddr, r6, 16);
	assert_int_equal(decode_exact(&raw, sizeof(raw), &zero_clock, &ev), 0);
	assert_int_equal(ev.family, AF_INET6);
	assert_int_equal(ev.reason, TB_REASON_ACCEPT_QUEUE_FULL);
	assert_string_equal(ev.laddr, "2001:db8::1");
	assert_int_equal(ev.lport, 443);
	assert_true(ev.has_peer);
	assert_string_equal(ev.raddr, "fe80::211:22ff:fe33:4455");
	assert_int_equal(ev.rport, 40000);
	assert_int_equal(ev.open_fds, -1);
}

static void test_accept_error(void **state)
{
	struct tb_event raw;
	struct event ev;

	fill_syn_v4(&raw);
	raw.kind = TB_KIND_ACCEPT_ERROR;
	raw.reason = TB_REASON_NONE;
	raw.rport = 1111;		/* must be ignored: no peer */
	raw.err = 24;			/* EMFILE */
	raw.nofile_limit = 1024;
	raw.open_fds = 1024;
	raw.pid = 777;
	memcpy(raw.comm, "server", 7);
	assert_int_equal(decode_exact(&raw, sizeof(raw), &zero_clock, &ev), 0);
	assert_int_equal(ev.kind, TB_KIND_ACCEPT_ERROR);
	assert_int_equal(ev.reason, TB_REASON_NONE);
	assert_false(ev.has_peer);
	assert_string_equal(ev.raddr, "");
	assert_int_equal(ev.rport, 0);
	assert_string_equal(ev.laddr, "10.0.0.1");
	assert_int_equal(ev.lport, 8080);
	assert_int_equal(ev.err, 24);
	assert_int_equal(ev.nofile_limit, 1024);
	assert_int_equal(ev.open_fds, 1024);
	assert_int_equal(ev.pid, 777);
	assert_string_equal(ev.comm, "server");
	assert_int_equal(ev.listener_ino, 424242);
}

/* connect_error: the peer is the destination; a socket not bound yet has no local endpoint */
static void test_connect_error(void **state)
{
	struct tb_event raw;
	struct event ev;

	fill_syn_v4(&raw);
	raw.kind = TB_KIND_CONNECT_ERROR;
	raw.reason = TB_REASON_NONE;
	raw.lport = 0;			/* not bound: the address is not printed */
	raw.err = 99;			/* EADDRNOTAVAIL */
	raw.port_low = 40000;
	raw.port_high = 40009;
	raw.pid = 777;
	memcpy(raw.comm, "client", 7);
	assert_int_equal(decode_exact(&raw, sizeof(raw), &zero_clock, &ev), 0);
	assert_int_equal(ev.kind, TB_KIND_CONNECT_ERROR);
	assert_true(ev.has_peer);
	assert_string_equal(ev.raddr, "192.168.1.20");
	assert_string_equal(ev.laddr, "");
	assert_int_equal(ev.lport, 0);
	assert_int_equal(ev.err, 99);
	assert_int_equal(ev.port_low, 40000);
	assert_int_equal(ev.port_high, 40009);
	assert_false(ev.ports_in_use.known);	/* the loader's to count */
	assert_int_equal(ev.pid, 777);
	assert_string_equal(ev.comm, "client");

	raw.lport = 40000;		/* bound by bind() first: shown */
	assert_int_equal(decode_exact(&raw, sizeof(raw), &zero_clock, &ev), 0);
	assert_string_equal(ev.laddr, "10.0.0.1");
	assert_int_equal(ev.lport, 40000);
}

/* bind_error: the address asked for, no peer */
static void test_bind_error(void **state)
{
	struct tb_event raw;
	struct event ev;

	fill_syn_v4(&raw);
	raw.kind = TB_KIND_BIND_ERROR;
	raw.err = 98;			/* EADDRINUSE */
	assert_int_equal(decode_exact(&raw, sizeof(raw), &zero_clock, &ev), 0);
	assert_false(ev.has_peer);
	assert_string_equal(ev.raddr, "");
	assert_string_equal(ev.laddr, "10.0.0.1");
	assert_int_equal(ev.lport, 8080);
	assert_int_equal(ev.err, 98);
}

/* cgroup ids: the process's on every kind, the last acceptor's on a listener's records only */
static void test_cgroup_ids(void **state)
{
	struct tb_event raw;
	struct event ev;

	fill_syn_v4(&raw);
	raw.cgroup_id = 4242;
	raw.acceptor_cgroup_id = 4343;
	assert_int_equal(decode_exact(&raw, sizeof(raw), &zero_clock, &ev), 0);
	assert_int_equal(ev.cgroup_id, 4242);
	assert_int_equal(ev.acceptor_cgroup_id, 4343);
	/* resolved later by the loader: empty until then */
	assert_string_equal(ev.identity.path, "");
	assert_string_equal(ev.acceptor_identity.unit, "");

	raw.kind = TB_KIND_CONNECT_ERROR;
	assert_int_equal(decode_exact(&raw, sizeof(raw), &zero_clock, &ev), 0);
	assert_int_equal(ev.cgroup_id, 4242);
	assert_int_equal(ev.acceptor_cgroup_id, 0);
}

static void test_accept_error_open_fds_unknown(void **state)
{
	struct tb_event raw;
	struct event ev;

	fill_syn_v4(&raw);
	raw.kind = TB_KIND_ACCEPT_ERROR;
	raw.open_fds = -1;
	raw.nofile_limit = UINT64_MAX;	/* RLIM_INFINITY */
	assert_int_equal(decode_exact(&raw, sizeof(raw), &zero_clock, &ev), 0);
	assert_int_equal(ev.open_fds, -1);	/* sign kept through __s32 -> int64_t */
	assert_true(ev.nofile_limit == UINT64_MAX);
}

static void test_comm_full_16_bytes(void **state)
{
	struct tb_event raw;
	struct event ev;

	fill_syn_v4(&raw);
	memcpy(raw.comm, "abcdefghijklmnop", TB_COMM_LEN);	/* no NUL */
	assert_int_equal(decode_exact(&raw, sizeof(raw), &zero_clock, &ev), 0);
	assert_int_equal(ev.comm[TB_COMM_LEN], '\0');
	assert_int_equal(strlen(ev.comm), TB_COMM_LEN);
	assert_string_equal(ev.comm, "abcdefghijklmnop");
}

static void test_too_short(void **state)
{
	struct tb_event raw;
	struct event ev;

	fill_syn_v4(&raw);
	assert_int_equal(decode_exact(&raw, sizeof(raw) - 1, &zero_clock, &ev), -1);
	assert_int_equal(decode_exact(&raw, offsetof(struct tb_event, comm), &zero_clock, &ev), -1);
	assert_int_equal(decode_exact(&raw, 0, &zero_clock, &ev), -1);
}

/* a longer record (a newer BPF side appending fields) still decodes */
static void test_longer_record(void **state)
{
	unsigned char buf[sizeof(struct tb_event) + 8];
	struct tb_event raw;
	struct event ev;

	fill_syn_v4(&raw);
	memset(buf, 0xee, sizeof(buf));
	memcpy(buf, &raw, sizeof(raw));
	assert_int_equal(decode_exact(buf, sizeof(buf), &zero_clock, &ev), 0);
	assert_string_equal(ev.laddr, "10.0.0.1");
	assert_string_equal(ev.comm, "nginx");
}

/* records are decoded from any alignment */
static void test_unaligned(void **state)
{
	unsigned char buf[sizeof(struct tb_event) + 1];
	struct tb_event raw;
	struct event ev;

	fill_syn_v4(&raw);
	memcpy(buf + 1, &raw, sizeof(raw));
	assert_int_equal(decode_event(buf + 1, sizeof(raw), &zero_clock, &ev), 0);
	assert_int_equal(ev.pid, 1234);
	assert_string_equal(ev.raddr, "192.168.1.20");
}

static void test_unknown_kind(void **state)
{
	static const uint32_t kinds[] = { 0, TB_KIND_END, 0xffffffffu };
	struct tb_event raw;
	struct event ev;
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		fill_syn_v4(&raw);
		raw.kind = kinds[i];
		assert_int_equal(decode_exact(&raw, sizeof(raw), &zero_clock, &ev), -1);
	}
}

static void test_reason_out_of_range(void **state)
{
	static const uint32_t reasons[] = { TB_REASON_MAX, 5, 0xffffffffu };
	struct tb_event raw;
	struct event ev;
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		fill_syn_v4(&raw);
		raw.reason = reasons[i];
		assert_int_equal(decode_exact(&raw, sizeof(raw), &zero_clock, &ev), 0);
		assert_int_equal(ev.reason, TB_REASON_OTHER);
	}
	/* in-range reasons pass through unchanged */
	for (i = TB_REASON_NONE; i < TB_REASON_MAX; i++) {
		fill_syn_v4(&raw);
		raw.reason = i;
		assert_int_equal(decode_exact(&raw, sizeof(raw), &zero_clock, &ev), 0);
		assert_int_equal(ev.reason, i);
	}
}

static void test_unknown_family(void **state)
{
	static const uint16_t families[] = { 0, AF_UNIX, 0xffff };
	struct tb_event raw;
	struct event ev;
	size_t i;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		fill_syn_v4(&raw);
		raw.family = families[i];
		assert_int_equal(decode_exact(&raw, sizeof(raw), &zero_clock, &ev), 0);
		assert_int_equal(ev.family, 0);
		assert_string_equal(ev.laddr, "");
		assert_string_equal(ev.raddr, "");
		/* the rest of the record is still usable */
		assert_int_equal(ev.lport, 8080);
		assert_int_equal(ev.pid, 1234);
	}
}

static void test_time_offset(void **state)
{
	struct clock_map c = { .mono_to_real_ns = 1763719262123456789LL };
	struct tb_event raw;
	struct event ev;

	fill_syn_v4(&raw);
	raw.ts_ns = 987654321987654ULL;
	assert_int_equal(decode_exact(&raw, sizeof(raw), &c, &ev), 0);
	assert_true(ev.time_ns == 987654321987654ULL + 1763719262123456789ULL);

	/* a negative offset (realtime behind monotonic) is exact too */
	c.mono_to_real_ns = -1000;
	raw.ts_ns = 5000;
	assert_int_equal(decode_exact(&raw, sizeof(raw), &c, &ev), 0);
	assert_true(ev.time_ns == 4000);
}

/* a timestamp near the top of the range wraps: no signed overflow (make unit-san) */
static void test_time_offset_huge_ts(void **state)
{
	struct clock_map c = { .mono_to_real_ns = 1795000000000000000LL };
	struct tb_event raw;
	struct event ev;

	fill_syn_v4(&raw);
	raw.ts_ns = 8090716732820152185ULL;
	assert_int_equal(decode_exact(&raw, sizeof(raw), &c, &ev), 0);
	assert_true(ev.time_ns == 8090716732820152185ULL + 1795000000000000000ULL);

	raw.ts_ns = UINT64_MAX;
	c.mono_to_real_ns = INT64_MIN;
	assert_int_equal(decode_exact(&raw, sizeof(raw), &c, &ev), 0);
	assert_true(ev.time_ns == UINT64_MAX - (1ULL << 63));
}

static void test_clock_map_init(void **state)
{
	struct clock_map c;
	struct timespec now;
	int64_t real;

	clock_map_init(&c);
	clock_gettime(CLOCK_REALTIME, &now);
	real = (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec;
	clock_gettime(CLOCK_MONOTONIC, &now);
	/* monotonic + offset lands within a second of realtime */
	assert_true(llabs((int64_t)now.tv_sec * 1000000000LL + now.tv_nsec +
			  c.mono_to_real_ns - real) < 1000000000LL);
}

static void test_totals(void **state)
{
	uint64_t sums[TB_TOTAL_MAX];
	struct totals t;

	sums[TB_TOTAL_SYN_DROP_ACCEPT_QUEUE_FULL] = 1;
	sums[TB_TOTAL_SYN_DROP_SYN_QUEUE_FULL] = 20;
	sums[TB_TOTAL_SYN_DROP_OTHER] = 300;
	sums[TB_TOTAL_ACCEPT_OVERFLOW] = 4000;
	sums[TB_TOTAL_ACCEPT_OVERFLOW_OTHER] = 50000;
	sums[TB_TOTAL_ACCEPT_ERROR] = 600000;
	sums[TB_TOTAL_SUPPRESSED] = 7000000;
	sums[TB_TOTAL_LOST] = 80000000;
	sums[TB_TOTAL_REGISTRY_FULL] = 900000000;
	sums[TB_TOTAL_AMBIGUOUS] = 1000000000;
	sums[TB_TOTAL_LATE] = 1100000000;
	memset(&t, 0xa5, sizeof(t));
	decode_totals(sums, &t);
	assert_int_equal(t.syn_drop, 321);
	assert_int_equal(t.syn_drop_by_reason[TB_REASON_NONE], 0);
	assert_int_equal(t.syn_drop_by_reason[TB_REASON_ACCEPT_QUEUE_FULL], 1);
	assert_int_equal(t.syn_drop_by_reason[TB_REASON_SYN_QUEUE_FULL], 20);
	assert_int_equal(t.syn_drop_by_reason[TB_REASON_OTHER], 300);
	/* the BPF side counts an "other" overflow in both slots */
	assert_int_equal(t.accept_overflow, 4000);
	assert_int_equal(t.accept_overflow_other, 50000);
	assert_int_equal(t.accept_error, 600000);
	assert_int_equal(t.suppressed, 7000000);
	assert_int_equal(t.lost, 80000000);
	assert_int_equal(t.registry_full, 900000000);
	assert_int_equal(t.ambiguous, 1000000000);
	assert_int_equal(t.late, 1100000000);
}

static void test_totals_zero(void **state)
{
	uint64_t sums[TB_TOTAL_MAX] = { 0 };
	struct totals t, zero;

	memset(&t, 0xa5, sizeof(t));
	memset(&zero, 0, sizeof(zero));
	decode_totals(sums, &t);
	assert_memory_equal(&t, &zero, sizeof(t));
}

static void test_decode_addr(void **state)
{
	static const uint8_t mapped[16] = { [10] = 0xff, 0xff, 1, 2, 3, 4 };
	static const uint8_t v4[16] = { 127, 0, 0, 1, 0xde, 0xad };	/* tail ignored */
	static const uint8_t any6[16] = { 0 };
	char buf[EVENT_ADDR_LEN];

	decode_addr(AF_INET6, mapped, buf, sizeof(buf));
	assert_string_equal(buf, "::ffff:1.2.3.4");
	decode_addr(AF_INET, v4, buf, sizeof(buf));
	assert_string_equal(buf, "127.0.0.1");
	decode_addr(AF_INET, any6, buf, sizeof(buf));
	assert_string_equal(buf, "0.0.0.0");
	decode_addr(AF_INET6, any6, buf, sizeof(buf));
	assert_string_equal(buf, "::");
	memset(buf, 'x', sizeof(buf));
	decode_addr(0, v4, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

/* the longest IPv6 text fits EVENT_ADDR_LEN */
static void test_decode_addr_longest(void **state)
{
	static const uint8_t a[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	char buf[EVENT_ADDR_LEN];

	decode_addr(AF_INET6, a, buf, sizeof(buf));
	assert_string_equal(buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syn_drop_ipv4),
		cmocka_unit_test(test_acceptor_and_listen_addr),
		cmocka_unit_test(test_accept_overflow_ipv4),
		cmocka_unit_test(test_ambiguous_flag),
		cmocka_unit_test(test_syn_drop_ipv6),
		cmocka_unit_test(test_accept_error),
		cmocka_unit_test(test_connect_error),
		cmocka_unit_test(test_bind_error),
		cmocka_unit_test(test_cgroup_ids),
		cmocka_unit_test(test_accept_error_open_fds_unknown),
		cmocka_unit_test(test_comm_full_16_bytes),
		cmocka_unit_test(test_too_short),
		cmocka_unit_test(test_longer_record),
		cmocka_unit_test(test_unaligned),
		cmocka_unit_test(test_unknown_kind),
		cmocka_unit_test(test_reason_out_of_range),
		cmocka_unit_test(test_unknown_family),
		cmocka_unit_test(test_time_offset),
		cmocka_unit_test(test_time_offset_huge_ts),
		cmocka_unit_test(test_clock_map_init),
		cmocka_unit_test(test_totals),
		cmocka_unit_test(test_totals_zero),
		cmocka_unit_test(test_decode_addr),
		cmocka_unit_test(test_decode_addr_longest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
