// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of per-destination records: user/aggregate/destinations.c
 * (intervals from the kernel's cumulative counts, the selection and its
 * bound), the port_exhaustion hint, and both formatters' records.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "aggregate/destinations.h"
#include "aggregate/hints.h"
#include "format/exposition.h"
#include "format/output.h"

#define NETNS	4026531840u
#define TIME_NS	1763719262123456789ULL	/* 2025-11-21T10:01:02.123456Z */

static struct destination_entry entry(const char *addr, uint16_t port, int err, uint64_t count)
{
	struct destination_entry e;

	memset(&e, 0, sizeof(e));
	e.key.netns = NETNS;
	e.key.family = AF_INET;
	e.key.rport = port;
	e.key.err = err;
	inet_pton(AF_INET, addr, e.key.raddr);
	e.count = count;
	return e;
}

static struct event failure(const char *addr, uint16_t port, uint32_t pid, uint32_t established,
			    uint32_t time_wait)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.netns = NETNS;
	ev.family = AF_INET;
	snprintf(ev.raddr, sizeof(ev.raddr), "%s", addr);
	ev.rport = port;
	ev.pid = pid;
	ev.err = EADDRNOTAVAIL;
	ev.port_low = 40000;
	ev.port_high = 40009;
	ev.ports_in_use.known = true;
	ev.ports_in_use.established = established;
	ev.ports_in_use.time_wait = time_wait;
	return ev;
}

/* counts are per interval; connects and errnos fold into one report per destination */
static void test_interval_deltas(void **state)
{
	struct destinations d = { 0 };
	struct destination_report r[8];
	struct destination_entry first[] = {
		entry("10.0.0.2", 5432, 0, 4),
		entry("10.0.0.2", 5432, ECONNREFUSED, 2),
	};
	struct destination_entry second[] = {
		entry("10.0.0.2", 5432, 0, 9),
		entry("10.0.0.2", 5432, ECONNREFUSED, 2),
		entry("10.0.0.2", 5432, EADDRNOTAVAIL, 3),
		entry("10.0.0.3", 80, ECONNREFUSED, 1),
	};
	int n, omitted;

	n = destinations_collect(&d, first, 2, r);
	assert_int_equal(n, 1);
	assert_string_equal(r[0].raddr, "10.0.0.2");
	assert_int_equal(r[0].connects, 4);
	assert_int_equal(r[0].connect_errors, 2);
	assert_int_equal(r[0].nerrnos, 1);
	assert_int_equal(r[0].errnos[0].err, ECONNREFUSED);

	n = destinations_collect(&d, second, 4, r);
	n = destinations_select(r, n, 8, &omitted);
	assert_int_equal(n, 2);
	assert_int_equal(omitted, 0);
	/* the most failures first; the unchanged ECONNREFUSED count is not in this interval */
	assert_int_equal(r[0].rport, 5432);
	assert_int_equal(r[0].connects, 5);
	assert_int_equal(r[0].connect_errors, 3);
	assert_int_equal(r[0].nerrnos, 1);
	assert_int_equal(r[0].errnos[0].err, EADDRNOTAVAIL);
	assert_int_equal(r[1].rport, 80);

	/* nothing new: nothing to report */
	n = destinations_collect(&d, second, 4, r);
	assert_int_equal(destinations_select(r, n, 8, &omitted), 0);
	destinations_free(&d);
}

/* the bound: at most max records, the rest counted */
static void test_bound(void **state)
{
	struct destinations d = { 0 };
	struct destination_report r[8];
	struct destination_entry now[] = {
		entry("10.0.0.1", 1, ECONNREFUSED, 1),
		entry("10.0.0.1", 2, ECONNREFUSED, 3),
		entry("10.0.0.1", 3, ECONNREFUSED, 2),
	};
	int n, omitted;

	n = destinations_collect(&d, now, 3, r);
	n = destinations_select(r, n, 2, &omitted);
	assert_int_equal(n, 2);
	assert_int_equal(omitted, 1);
	assert_int_equal(r[0].rport, 2);
	assert_int_equal(r[1].rport, 3);
	destinations_free(&d);
}

/* a failure record names the caller and range; more than half the range held is reported without failures */
static void test_noted_and_half_used(void **state)
{
	struct destinations d = { 0 };
	struct destination_report r[8];
	struct event ev = failure("10.0.0.2", 5432, 77, 10, 0);
	struct destination_entry now[] = { entry("10.0.0.2", 5432, EADDRNOTAVAIL, 1) };
	int n, omitted;

	destinations_note_event(&d, &ev);
	n = destinations_collect(&d, now, 1, r);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].pid, 77);
	assert_int_equal(r[0].port_low, 40000);
	assert_int_equal(r[0].port_high, 40009);
	assert_int_equal(r[0].ports_peak, 10);
	assert_int_equal(r[0].ports_at_failure.established, 10);

	/* next interval, no failure: 6 of 10 held now is reported, 5 is not */
	n = destinations_collect(&d, now, 1, r);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].ports_peak, 0);
	r[0].ports_in_use.known = true;
	r[0].ports_in_use.established = 6;
	assert_int_equal(destinations_select(r, n, 8, &omitted), 1);
	assert_int_equal(r[0].ports_peak, 6);
	n = destinations_collect(&d, now, 1, r);
	r[0].ports_in_use.known = true;
	r[0].ports_in_use.established = 5;
	assert_int_equal(destinations_select(r, n, 8, &omitted), 0);
	destinations_free(&d);
}

/* no record (-q, or over --rate-limit): the kernel's last caller and range stand in */
static void test_kernel_caller_without_records(void **state)
{
	struct destinations d = { 0 };
	struct destination_report r[8];
	struct destination_entry now[] = {
		entry("10.0.0.2", 5432, 0, 4),
		entry("10.0.0.2", 5432, EADDRNOTAVAIL, 2),
		entry("10.0.0.3", 5432, ECONNREFUSED, 1),
	};
	int n;

	now[1].pid = 88;
	now[1].port_low = 40000;
	now[1].port_high = 40009;
	now[2].pid = 99;
	n = destinations_collect(&d, now, 3, r);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].pid, 88);
	assert_int_equal(r[0].port_low, 40000);
	assert_int_equal(r[0].port_high, 40009);
	assert_int_equal(r[0].connects, 4);
	assert_int_equal(r[0].connect_errors, 2);
	/* refused: a caller, no range */
	assert_int_equal(r[1].pid, 99);
	assert_int_equal(r[1].port_high, 0);

	/* a record with no range keeps the kernel's */
	{
		struct event ev = failure("10.0.0.2", 5432, 77, 10, 0);

		ev.port_low = ev.port_high = 0;
		destinations_note_event(&d, &ev);
		now[1].count = 3;
		n = destinations_collect(&d, now, 3, r);
		assert_int_equal(n, 1);
		assert_int_equal(r[0].pid, 77);
		assert_int_equal(r[0].port_high, 40009);
	}
	destinations_free(&d);
}

static struct destination_report exhausted(uint32_t established, uint32_t time_wait)
{
	struct destination_report r;

	memset(&r, 0, sizeof(r));
	r.netns = NETNS;
	r.family = AF_INET;
	strcpy(r.raddr, "10.0.0.2");
	r.rport = 5432;
	r.connects = 7;
	r.connect_errors = 3;
	r.errnos[0].err = EADDRNOTAVAIL;
	r.errnos[0].count = 2;
	r.errnos[1].err = ECONNREFUSED;
	r.errnos[1].count = 1;
	r.nerrnos = 2;
	r.ports_in_use.known = true;
	r.ports_in_use.established = established;
	r.ports_in_use.time_wait = time_wait;
	r.ports_peak = established + time_wait;
	r.port_low = 40000;
	r.port_high = 40009;
	return r;
}

static void test_hint(void **state)
{
	struct destination_report r = exhausted(2, 8);
	struct hint h;

	assert_int_equal(hint_port_exhaustion(&r, &h), 1);
	assert_string_equal(h.kind, "port_exhaustion");
	assert_string_equal(h.raddr, "10.0.0.2");
	assert_int_equal(h.rport, 5432);
	assert_string_equal(h.laddr, "");
	assert_string_equal(h.text,
		"2 connects failed with EADDRNOTAVAIL, no local port left toward this destination "
		"(8 in TIME_WAIT, 2 open): TIME_WAIT holds most: reuse connections (keep-alive, a pool) "
		"rather than close them, or set net.ipv4.tcp_tw_reuse=1 to reuse them toward this "
		"destination; widen net.ipv4.ip_local_port_range, add source addresses, and set "
		"IP_BIND_ADDRESS_NO_PORT before bind() so a port is picked per destination.");

	/* no EADDRNOTAVAIL: only more than 80 % held */
	r = exhausted(9, 0);
	r.nerrnos = 0;
	assert_int_equal(hint_port_exhaustion(&r, &h), 1);
	assert_true(!strncmp(h.text, "9 of 10 local ports in use toward this destination (0 in TIME_WAIT, 9 open): "
			     "open connections hold them", 100));
	r = exhausted(8, 0);
	r.nerrnos = 0;
	assert_int_equal(hint_port_exhaustion(&r, &h), 0);
}

static char *capture(const struct output *o, const struct destination_report *r, int n, int omitted,
		     const struct hint *h, int nh)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	o->destinations(f, TIME_NS, r, n, omitted, h, nh);
	fclose(f);
	return buf;
}

static void test_json(void **state)
{
	struct destination_report r[2] = { exhausted(2, 8), exhausted(0, 0) };
	struct hint h;
	char *got;

	r[1].ports_in_use.known = false;
	r[1].ports_peak = 0;
	r[1].port_high = 0;
	r[1].nerrnos = 0;
	assert_int_equal(hint_port_exhaustion(&r[0], &h), 1);
	snprintf(h.text, sizeof(h.text), "short.");
	got = capture(&output_json, r, 2, 3, &h, 1);
	assert_string_equal(got,
		"{\"event\":\"destination\",\"time\":\"2025-11-21T10:01:02.123456Z\",\"netns\":4026531840,\"netns_name\":null,"
		"\"family\":\"ipv4\",\"raddr\":\"10.0.0.2\",\"rport\":5432,\"connects\":7,\"connect_errors\":3,"
		"\"connect_errnos\":{\"EADDRNOTAVAIL\":2,\"ECONNREFUSED\":1},"
		"\"ports_in_use\":{\"established\":2,\"time_wait\":8,\"syn_sent\":0,\"other\":0},"
		"\"ports_peak\":10,\"port_range\":[40000,40009]}\n"
		"{\"event\":\"destination\",\"time\":\"2025-11-21T10:01:02.123456Z\",\"netns\":4026531840,\"netns_name\":null,"
		"\"family\":\"ipv4\",\"raddr\":\"10.0.0.2\",\"rport\":5432,\"connects\":7,\"connect_errors\":3,"
		"\"connect_errnos\":{},\"ports_in_use\":null,\"ports_peak\":null,\"port_range\":null}\n"
		"{\"event\":\"destinations_omitted\",\"time\":\"2025-11-21T10:01:02.123456Z\",\"count\":3}\n"
		"{\"event\":\"hint\",\"time\":\"2025-11-21T10:01:02.123456Z\",\"netns\":4026531840,\"netns_name\":null,"
		"\"raddr\":\"10.0.0.2\",\"rport\":5432,\"kind\":\"port_exhaustion\",\"text\":\"short.\"}\n");
	free(got);
	got = capture(&output_json, NULL, 0, 0, NULL, 0);
	assert_string_equal(got, "");
	free(got);
}

static void test_text(void **state)
{
	struct destination_report r[2] = { exhausted(2, 8), exhausted(0, 0) };
	struct hint h;
	char *got;

	r[1].ports_in_use.known = false;
	r[1].ports_peak = 0;
	r[1].port_high = 0;
	r[1].nerrnos = 0;
	strcpy(r[1].raddr, "::1");
	assert_int_equal(hint_port_exhaustion(&r[0], &h), 1);
	snprintf(h.text, sizeof(h.text), "short.");
	got = capture(&output_text, r, 2, 1, &h, 1);
	assert_string_equal(got,
		"destination 10.0.0.2:5432 netns=4026531840 connects=7 connect_errors=3 "
		"errnos=EADDRNOTAVAIL:2,ECONNREFUSED:1 ports_in_use=established:2,time_wait:8,syn_sent:0,other:0 "
		"ports_peak=10 port_range=40000-40009\n"
		"destination [::1]:5432 netns=4026531840 connects=7 connect_errors=3 errnos=- ports_in_use=- "
		"ports_peak=- port_range=-\n"
		"destinations omitted: 1 more\n"
		"hint -> 10.0.0.2:5432: short.\n");
	free(got);
}

/* failed connects summed per namespace and errno; connects (errno 0) are not failures */
static void test_errors_by_netns(void **state)
{
	struct destination_entry now[] = {
		entry("10.0.0.2", 5432, 0, 40),
		entry("10.0.0.2", 5432, EADDRNOTAVAIL, 3),
		entry("10.0.0.3", 80, EADDRNOTAVAIL, 2),
		entry("10.0.0.3", 80, ECONNREFUSED, 1),
	};
	struct connect_error_count c[4];

	now[3].key.netns = 7;
	assert_int_equal(destinations_errors_by_netns(now, 4, c, 4), 2);
	assert_int_equal(c[0].netns, NETNS);
	assert_int_equal(c[0].err, EADDRNOTAVAIL);
	assert_int_equal(c[0].count, 5);
	assert_int_equal(c[1].netns, 7);
	assert_int_equal(c[1].err, ECONNREFUSED);
	assert_int_equal(destinations_errors_by_netns(now, 4, c, 1), 1);
}

/* the outbound families: additive, and absent without outbound data */
static void test_exposition(void **state)
{
	struct connect_error_count c = { .netns = NETNS, .err = EADDRNOTAVAIL, .count = 3 };
	struct destination_report r[2] = { exhausted(2, 8), exhausted(0, 0) };
	struct outbound_metrics o = { .errors = &c, .nerrors = 1, .destinations = r, .ndestinations = 2 };
	char *plain, *got;

	r[1].ports_in_use.known = false;
	r[1].port_high = 0;
	exposition_render(NULL, NULL, &plain);
	exposition_render_outbound(NULL, NULL, &o, &got);
	assert_null(strstr(plain, "connect_errors"));
	assert_non_null(strstr(got,
		"tcpbacklog_connect_errors_total{netns=\"4026531840\",error=\"EADDRNOTAVAIL\"} 3\n"));
	assert_non_null(strstr(got,
		"tcpbacklog_local_ports_in_use{netns=\"4026531840\",raddr=\"10.0.0.2\",rport=\"5432\",state=\"established\"} 2\n"
		"tcpbacklog_local_ports_in_use{netns=\"4026531840\",raddr=\"10.0.0.2\",rport=\"5432\",state=\"time_wait\"} 8\n"
		"tcpbacklog_local_ports_in_use{netns=\"4026531840\",raddr=\"10.0.0.2\",rport=\"5432\",state=\"syn_sent\"} 0\n"
		"tcpbacklog_local_ports_in_use{netns=\"4026531840\",raddr=\"10.0.0.2\",rport=\"5432\",state=\"other\"} 0\n"
		"# HELP tcpbacklog_local_port_range_size"));
	assert_non_null(strstr(got,
		"tcpbacklog_local_port_range_size{netns=\"4026531840\",raddr=\"10.0.0.2\",rport=\"5432\"} 10\n"
		"# HELP tcpbacklog_info"));
	free(plain);
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interval_deltas),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_kernel_caller_without_records),
		cmocka_unit_test(test_noted_and_half_used),
		cmocka_unit_test(test_hint),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_errors_by_netns),
		cmocka_unit_test(test_exposition),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
