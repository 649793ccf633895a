// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of user/format/output_json.c: exact JSON Lines records, and every
 * produced line checked by a small strict JSON parser below.
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
#include <sys/socket.h>
#include <cmocka.h>

#include "format/output.h"

/* a record whose processes' cgroups are unknown */
#define NO_IDENTITY "\"cgroup\":null,\"unit\":null,\"container\":null,\"pod_uid\":null,"
#define NO_ACCEPTOR_IDENTITY \
	",\"acceptor_cgroup\":null,\"acceptor_unit\":null,\"acceptor_container\":null,\"acceptor_pod_uid\":null"

#define FFFD		"\xef\xbf\xbd"
#define NETNS		4026531840u
#define T_2026		1795255262123456789ull	/* 2026-11-21T10:01:02.123456789Z */

/* ---- a strict RFC 8259 checker, enough to trust one line of output ---- */

static void ws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
		(*p)++;
}

static bool lit(const char **p, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(*p, word, n))
		return false;
	*p += n;
	return true;
}

static bool digits(const char **p)
{
	const char *s = *p;

	while (**p >= '0' && **p <= '9')
		(*p)++;
	return *p > s;
}

static bool number(const char **p)
{
	if (**p == '-')
		(*p)++;
	if (**p == '0')
		(*p)++;
	else if (!(**p >= '1' && **p <= '9') || !digits(p))
		return false;
	if (**p == '.') {
		(*p)++;
		if (!digits(p))
			return false;
	}
	if (**p == 'e' || **p == 'E') {
		(*p)++;
		if (**p == '+' || **p == '-')
			(*p)++;
		if (!digits(p))
			return false;
	}
	return true;
}

/* strict UTF-8 (Unicode Table 3-7); returns bytes consumed, 0 if invalid */
static size_t utf8_char(const unsigned char *s)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	if (c == 0xed)
		hi = 0x9f;
	if (c == 0xf0)
		lo = 0x90;
	if (c == 0xf4)
		hi = 0x8f;
	for (i = 1; i < n; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return n;
}

static bool string(const char **p)
{
	const unsigned char *s = (const unsigned char *)*p;
	int i;

	if (*s++ != '"')
		return false;
	for (;;) {
		size_t n;

		if (*s == '"') {
			*p = (const char *)s + 1;
			return true;
		}
		if (*s < 0x20)		/* raw control byte, or end of input */
			return false;
		if (*s == '\\') {
			s++;
			if (*s == 'u') {
				for (i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
						return false;
				s += 5;
			} else if (*s && strchr("\"\\/bfnrt", *s)) {
				s++;
			} else {
				return false;
			}
			continue;
		}
		n = utf8_char(s);
		if (!n)
			return false;
		s += n;
	}
}

static bool value(const char **p, int depth);

static bool members(const char **p, char close, bool keyed, int depth)
{
	ws(p);
	if (**p == close) {
		(*p)++;
		return true;
	}
	for (;;) {
		ws(p);
		if (keyed) {
			if (!string(p))
				return false;
			ws(p);
			if (*(*p)++ != ':')
				return false;
		}
		if (!value(p, depth + 1))
			return false;
		ws(p);
		if (**p == close) {
			(*p)++;
			return true;
		}
		if (*(*p)++ != ',')
			return false;
	}
}

static bool value(const char **p, int depth)
{
	if (depth > 16)
		return false;
	ws(p);
	switch (**p) {
	case '{':
		(*p)++;
		return members(p, '}', true, depth);
	case '[':
		(*p)++;
		return members(p, ']', false, depth);
	case '"':
		return string(p);
	case 't':
		return lit(p, "true");
	case 'f':
		return lit(p, "false");
	case 'n':
		return lit(p, "null");
	default:
		return number(p);
	}
}

/*
 * One JSON Lines record: a single object starting with "event", a single
 * newline at the very end, no raw control byte or DEL anywhere.
 */
static void assert_json_line(const char *line)
{
	size_t len = strlen(line), i;
	const char *p = line;

	assert_true(len >= 2);
	if (strncmp(line, "{\"event\":\"", 10))
		fail_msg("does not start with {\"event\": %s", line);
	if (line[len - 1] != '\n' || line[len - 2] != '}')
		fail_msg("does not end with }\\n: %s", line);
	for (i = 0; i < len - 1; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c < 0x20 || c == 0x7f)
			fail_msg("raw byte 0x%02x at %zu: %s", c, i, line);
	}
	if (!value(&p, 0))
		fail_msg("not valid JSON near offset %td: %s", p - line, line);
	if (strcmp(p, "\n"))
		fail_msg("trailing data after the object: %s", line);
}

/* the checker itself must reject what it is there to catch */
static void test_checker_rejects(void **state)
{
	static const char *const bad[] = {
		"{\"event\":\"x\",}",
		"{\"event\":\"a\nb\"}",
		"{\"event\":\"\xff\"}",
		"{\"event\":\"\xed\xa0\x80\"}",
		"{\"event\":\"\\x41\"}",
		"{\"event\":\"x\",\"n\":01}",
		"{\"event\":\"x\",\"n\":nan}",
		"{\"event\":\"x\"",
		"{\"event\":\"x\"}{}",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *p = bad[i];

		if (value(&p, 0) && !*p)
			fail_msg("accepted: %s", bad[i]);
	}
}

/* ---- helpers ---- */

static char *capture_event(const struct event *ev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	output_json.event(f, ev);
	fclose(f);
	assert_json_line(buf);
	return buf;
}

static void assert_event_json(const struct event *ev, const char *want)
{
	char *got = capture_event(ev);

	assert_string_equal(got, want);
	free(got);
}

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
		.time_ns = T_2026,
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

static struct event connect_error(void)
{
	struct event ev = {
		.kind = TB_KIND_CONNECT_ERROR,
		.time_ns = T_2026,
		.netns = NETNS,
		.family = AF_INET6,
		.has_peer = true,
		.raddr = "fd00::2",
		.rport = 5432,
		.pid = 42,
		.comm = "client",
		.err = 99,
		.open_fds = -1,
		.port_low = 40000,
		.port_high = 40009,
		.ports_in_use = { .known = true, .established = 7, .time_wait = 3 },
	};

	return ev;
}

/* ---- records ---- */

static void test_syn_drop_ipv4(void **state)
{
	struct event ev = drop_v4();

	ev.attempt = 3;
	assert_event_json(&ev,
		"{\"event\":\"syn_drop\",\"time\":\"2026-11-21T10:01:02.123456Z\","
		"\"netns\":4026531840,\"netns_name\":null,\"family\":\"ipv4\",\"laddr\":\"10.0.0.1\","
		"\"lport\":8080,\"listen_addr\":\"0.0.0.0\",\"raddr\":\"10.0.0.2\",\"rport\":51234,"
		"\"pid\":1234,\"comm\":\"nginx\"," NO_IDENTITY "\"acceptor_pid\":1300,\"acceptor_comm\":\"worker\","
		"\"backlog\":129,"
		"\"backlog_max\":128,\"synq\":3,\"reason\":\"accept_queue_full\",\"attempt\":3" NO_ACCEPTOR_IDENTITY "}\n");
}

/* a guessed SO_REUSEPORT member says so; an exact one carries no field */
static void test_syn_drop_ambiguous(void **state)
{
	struct event ev = drop_v4();

	ev.ambiguous = true;
	assert_event_json(&ev,
		"{\"event\":\"syn_drop\",\"time\":\"2026-11-21T10:01:02.123456Z\","
		"\"netns\":4026531840,\"netns_name\":null,\"family\":\"ipv4\",\"laddr\":\"10.0.0.1\","
		"\"lport\":8080,\"listen_addr\":\"0.0.0.0\",\"raddr\":\"10.0.0.2\",\"rport\":51234,"
		"\"pid\":1234,\"comm\":\"nginx\"," NO_IDENTITY "\"acceptor_pid\":1300,\"acceptor_comm\":\"worker\","
		"\"backlog\":129,"
		"\"backlog_max\":128,\"synq\":3,\"reason\":\"accept_queue_full\","
		"\"ambiguous\":true,\"attempt\":null" NO_ACCEPTOR_IDENTITY "}\n");
}

static void test_accept_overflow_ipv6(void **state)
{
	struct event ev = drop_v4();

	ev.kind = TB_KIND_ACCEPT_OVERFLOW;
	ev.reason = TB_REASON_OTHER;
	ev.family = AF_INET6;
	strcpy(ev.laddr, "2001:db8::1");
	strcpy(ev.raddr, "fe80::1:2:3:4");
	ev.lport = 443;
	ev.rport = 65535;
	ev.netns = 1;
	ev.backlog = 4096;
	ev.backlog_max = 4096;
	ev.synq = 0;
	assert_event_json(&ev,
		"{\"event\":\"accept_overflow\",\"time\":\"2026-11-21T10:01:02.123456Z\","
		"\"netns\":1,\"netns_name\":null,\"family\":\"ipv6\",\"laddr\":\"2001:db8::1\","
		"\"lport\":443,\"listen_addr\":\"0.0.0.0\",\"raddr\":\"fe80::1:2:3:4\",\"rport\":65535,"
		"\"pid\":1234,\"comm\":\"nginx\"," NO_IDENTITY "\"acceptor_pid\":1300,\"acceptor_comm\":\"worker\","
		"\"backlog\":4096,"
		"\"backlog_max\":4096,\"synq\":0,\"reason\":\"other\"" NO_ACCEPTOR_IDENTITY "}\n");
}

static void test_drop_without_peer(void **state)
{
	struct event ev = drop_v4();

	ev.has_peer = false;
	ev.reason = TB_REASON_SYN_QUEUE_FULL;
	assert_event_json(&ev,
		"{\"event\":\"syn_drop\",\"time\":\"2026-11-21T10:01:02.123456Z\","
		"\"netns\":4026531840,\"netns_name\":null,\"family\":\"ipv4\",\"laddr\":\"10.0.0.1\","
		"\"lport\":8080,\"listen_addr\":\"0.0.0.0\",\"raddr\":null,\"rport\":null,"
		"\"pid\":1234,\"comm\":\"nginx\"," NO_IDENTITY "\"acceptor_pid\":1300,\"acceptor_comm\":\"worker\","
		"\"backlog\":129,"
		"\"backlog_max\":128,\"synq\":3,\"reason\":\"syn_queue_full\",\"attempt\":null" NO_ACCEPTOR_IDENTITY "}\n");
}

static void test_accept_error(void **state)
{
	struct event ev = accept_error();

	assert_event_json(&ev,
		"{\"event\":\"accept_error\",\"time\":\"2026-11-21T10:01:02.123456Z\","
		"\"netns\":4026531840,\"netns_name\":null,\"pid\":42,\"comm\":\"server\"," NO_IDENTITY ""
		"\"acceptor_pid\":42,\"acceptor_comm\":\"server\",\"errno\":24,"
		"\"error\":\"EMFILE\",\"family\":\"ipv4\",\"laddr\":\"0.0.0.0\","
		"\"lport\":8080,\"listen_addr\":\"0.0.0.0\",\"nofile_limit\":1024,\"open_fds\":1024" NO_ACCEPTOR_IDENTITY "}\n");
}

/* unknown socket, unknown fd count, no limit: nulls, not fake numbers */
static void test_accept_error_unknowns(void **state)
{
	struct event ev = accept_error();

	ev.family = 0;
	ev.laddr[0] = '\0';
	ev.lport = 0;
	ev.open_fds = -1;
	ev.nofile_limit = UINT64_MAX;
	ev.err = ENOBUFS;
	assert_event_json(&ev,
		"{\"event\":\"accept_error\",\"time\":\"2026-11-21T10:01:02.123456Z\","
		"\"netns\":4026531840,\"netns_name\":null,\"pid\":42,\"comm\":\"server\"," NO_IDENTITY ""
		"\"acceptor_pid\":42,\"acceptor_comm\":\"server\",\"errno\":105,"
		"\"error\":\"ENOBUFS\",\"family\":null,\"laddr\":null,"
		"\"lport\":null,\"listen_addr\":\"0.0.0.0\",\"nofile_limit\":null,\"open_fds\":null" NO_ACCEPTOR_IDENTITY "}\n");

	/* an errno without a name still gives a string */
	ev.err = 4242;
	ev.family = AF_INET6;
	strcpy(ev.laddr, "::");
	ev.open_fds = 0;
	ev.nofile_limit = 0;
	assert_event_json(&ev,
		"{\"event\":\"accept_error\",\"time\":\"2026-11-21T10:01:02.123456Z\","
		"\"netns\":4026531840,\"netns_name\":null,\"pid\":42,\"comm\":\"server\"," NO_IDENTITY ""
		"\"acceptor_pid\":42,\"acceptor_comm\":\"server\",\"errno\":4242,"
		"\"error\":\"E4242\",\"family\":\"ipv6\",\"laddr\":\"::\","
		"\"lport\":0,\"listen_addr\":\"0.0.0.0\",\"nofile_limit\":0,\"open_fds\":0" NO_ACCEPTOR_IDENTITY "}\n");
}

static void check_time(uint64_t time_ns, const char *want)
{
	struct event ev = drop_v4();
	char *got, *t;

	ev.time_ns = time_ns;
	got = capture_event(&ev);
	t = strstr(got, "\"time\":\"");
	assert_non_null(t);
	t += strlen("\"time\":\"");
	assert_true(strlen(t) > strlen(want));
	if (strncmp(t, want, strlen(want)) || t[strlen(want)] != '"')
		fail_msg("time %llu: got %.30s, want %s",
			 (unsigned long long)time_ns, t, want);
	free(got);
}

static void test_rfc3339_time(void **state)
{
	check_time(T_2026, "2026-11-21T10:01:02.123456Z");
	check_time(0, "1970-01-01T00:00:00.000000Z");
	/* microseconds are zero-padded, nanoseconds truncated not rounded */
	check_time(951868799000001999ull, "2000-02-29T23:59:59.000001Z");
	check_time(951868799999999999ull, "2000-02-29T23:59:59.999999Z");
	check_time(1795255262000000000ull, "2026-11-21T10:01:02.000000Z");
}

/* comm is attacker-controlled: every hostile byte must come out escaped */
static void test_hostile_comm(void **state)
{
	static const struct {
		const char *comm;
		const char *json;
	} cases[] = {
		{ "evil\nline", "\"evil\\nline\"" },
		{ "a\"b", "\"a\\\"b\"" },
		{ "back\\slash", "\"back\\\\slash\"" },
		{ "\x1b[2Jclear", "\"\\u001b[2Jclear\"" },
		{ "del\x7f", "\"del\\u007f\"" },
		{ "tab\there\r", "\"tab\\there\\r\"" },
		{ "lone\xff", "\"lone" FFFD "\"" },
		{ "trunc\xe2\x82", "\"trunc" FFFD "\"" },
		{ "over\xc0\xaf", "\"over" FFFD FFFD "\"" },
		{ "surr\xed\xa0\x80", "\"surr" FFFD FFFD FFFD "\"" },
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
		{ "\xf0\x9f\x98\x80" "emoji", "\"\xf0\x9f\x98\x80" "emoji\"" },
		{ "", "\"\"" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct event ev = drop_v4();
		struct event ae = accept_error();
		char want[256], *got;

		snprintf(ev.comm, sizeof(ev.comm), "%s", cases[i].comm);
		snprintf(want, sizeof(want), "\"pid\":1234,\"comm\":%s,\"cgroup\"",
			 cases[i].json);
		got = capture_event(&ev);
		if (!strstr(got, want))
			fail_msg("case %zu: %s lacks %s", i, got, want);
		free(got);

		/* the acceptor's comm and the namespace's name are as hostile */
		snprintf(ev.acceptor_comm, sizeof(ev.acceptor_comm), "%s", cases[i].comm);
		snprintf(ev.netns_name, sizeof(ev.netns_name), "%s", cases[i].comm);
		snprintf(want, sizeof(want), "\"acceptor_pid\":1300,\"acceptor_comm\":%s,\"backlog\"",
			 cases[i].json);
		got = capture_event(&ev);
		if (!strstr(got, want))
			fail_msg("case %zu: %s lacks %s", i, got, want);
		snprintf(want, sizeof(want), "\"netns_name\":%s,\"family\"", cases[i].json);
		/* an empty name is no name: null */
		if (cases[i].comm[0] && !strstr(got, want))
			fail_msg("case %zu: %s lacks %s", i, got, want);
		free(got);

		snprintf(ae.comm, sizeof(ae.comm), "%s", cases[i].comm);
		snprintf(want, sizeof(want), "\"pid\":42,\"comm\":%s,\"cgroup\"",
			 cases[i].json);
		got = capture_event(&ae);
		if (!strstr(got, want))
			fail_msg("case %zu: %s lacks %s", i, got, want);
		free(got);
	}
}

/* a full 16-byte comm of control bytes: all of it escaped, nothing cut */
static void test_full_width_comm(void **state)
{
	struct event ev = drop_v4();
	char *got;

	memset(ev.comm, '\n', TB_COMM_LEN);
	ev.comm[TB_COMM_LEN] = '\0';
	got = capture_event(&ev);
	assert_non_null(strstr(got, "\"comm\":\"\\n\\n\\n\\n\\n\\n\\n\\n"
				    "\\n\\n\\n\\n\\n\\n\\n\\n\","));
	free(got);
}

static void test_start(void **state)
{
	static const char *const probes[] = { "tcp_listen_drop", "accept_exit", NULL };
	static const uint16_t ports[] = { 80, 443 };
	struct start_info info = {
		.mode = "tracepoint",
		.kernel = "6.1.0-18-amd64",
		.probes = probes,
		.netns = NETNS,
		.ports = ports,
		.nports = 2,
		.pid = 4321,
		.duration = 2.5,
		.somaxconn = 4096,
		.tcp_max_syn_backlog = 512,
		.tcp_syncookies = 1,
		.tcp_abort_on_overflow = 0,
		.file_max = 9223372036854775807L,
		.nr_open = 1048576,
		.interval = 0.5,
		.listeners = 7,
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	output_json.start(f, &info);
	fclose(f);
	assert_json_line(buf);
	assert_string_equal(buf,
		"{\"event\":\"start\",\"mode\":\"tracepoint\","
		"\"kernel\":\"6.1.0-18-amd64\","
		"\"probes\":[\"tcp_listen_drop\",\"accept_exit\"],"
		"\"filters\":{\"netns\":4026531840,\"ports\":[80,443],\"pid\":4321,\"cgroup\":null},"
		"\"duration\":2.5,\"interval\":0.5,\"listeners\":7,"
		"\"sysctls\":{\"somaxconn\":4096,\"tcp_max_syn_backlog\":512,"
		"\"tcp_syncookies\":1,\"tcp_abort_on_overflow\":0,"
		"\"file_max\":9223372036854775807,\"nr_open\":1048576},"
		"\"somaxconn\":4096,\"tcp_max_syn_backlog\":512,"
		"\"tcp_syncookies\":1,\"tcp_abort_on_overflow\":0,"
		"\"file_max\":9223372036854775807,\"nr_open\":1048576}\n");
	free(buf);
}

/* no filters, unreadable sysctls, hostile strings: nulls and escapes */
static void test_start_defaults(void **state)
{
	static const char *const probes[] = { NULL };
	struct start_info info = {
		.mode = "kprobe",
		.kernel = "6.1\n\"x\"",
		.probes = probes,
		.somaxconn = -1,
		.tcp_max_syn_backlog = -1,
		.tcp_syncookies = -1,
		.tcp_abort_on_overflow = -1,
		.file_max = -1,
		.nr_open = -1,
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	output_json.start(f, &info);
	info.probes = NULL;
	info.mode = NULL;
	info.duration = 60;
	info.tcp_syncookies = 2;
	output_json.start(f, &info);
	fclose(f);

	assert_string_equal(buf,
		"{\"event\":\"start\",\"mode\":\"kprobe\","
		"\"kernel\":\"6.1\\n\\\"x\\\"\",\"probes\":[],"
		"\"filters\":{\"netns\":null,\"ports\":[],\"pid\":null,\"cgroup\":null},"
		"\"duration\":null,\"interval\":null,\"listeners\":0,"
		"\"sysctls\":{\"somaxconn\":null,\"tcp_max_syn_backlog\":null,"
		"\"tcp_syncookies\":null,\"tcp_abort_on_overflow\":null,"
		"\"file_max\":null,\"nr_open\":null},"
		"\"somaxconn\":null,\"tcp_max_syn_backlog\":null,"
		"\"tcp_syncookies\":null,\"tcp_abort_on_overflow\":null,"
		"\"file_max\":null,\"nr_open\":null}\n"
		"{\"event\":\"start\",\"mode\":null,"
		"\"kernel\":\"6.1\\n\\\"x\\\"\",\"probes\":[],"
		"\"filters\":{\"netns\":null,\"ports\":[],\"pid\":null,\"cgroup\":null},"
		"\"duration\":60,\"interval\":null,\"listeners\":0,"
		"\"sysctls\":{\"somaxconn\":null,\"tcp_max_syn_backlog\":null,"
		"\"tcp_syncookies\":2,\"tcp_abort_on_overflow\":null,"
		"\"file_max\":null,\"nr_open\":null},"
		"\"somaxconn\":null,\"tcp_max_syn_backlog\":null,"
		"\"tcp_syncookies\":2,\"tcp_abort_on_overflow\":null,"
		"\"file_max\":null,\"nr_open\":null}\n");

	/* each line on its own */
	{
		char *second = strchr(buf, '\n') + 1;
		char *first = strndup(buf, (size_t)(second - buf));

		assert_json_line(first);
		assert_json_line(second);
		free(first);
	}
	free(buf);
}

/* a connect not bound yet: laddr and lport null; the destination is the peer */
static void test_connect_error(void **state)
{
	struct event ev = connect_error();

	assert_event_json(&ev,
		"{\"event\":\"connect_error\",\"time\":\"2026-11-21T10:01:02.123456Z\","
		"\"netns\":4026531840,\"netns_name\":null,\"pid\":42,\"comm\":\"client\"," NO_IDENTITY "\"family\":\"ipv6\","
		"\"laddr\":null,\"lport\":null,\"raddr\":\"fd00::2\",\"rport\":5432,"
		"\"errno\":99,\"error\":\"EADDRNOTAVAIL\",\"port_range\":[40000,40009],"
		"\"ports_in_use\":{\"established\":7,\"time_wait\":3,\"syn_sent\":0,\"other\":0}}\n");
	/* the namespace had no socket to count with */
	ev.ports_in_use.known = false;
	assert_event_json(&ev,
		"{\"event\":\"connect_error\",\"time\":\"2026-11-21T10:01:02.123456Z\","
		"\"netns\":4026531840,\"netns_name\":null,\"pid\":42,\"comm\":\"client\"," NO_IDENTITY "\"family\":\"ipv6\","
		"\"laddr\":null,\"lport\":null,\"raddr\":\"fd00::2\",\"rport\":5432,"
		"\"errno\":99,\"error\":\"EADDRNOTAVAIL\",\"port_range\":[40000,40009],"
		"\"ports_in_use\":null}\n");
	/* other errors: no port fields */
	strcpy(ev.laddr, "fd00::1");
	ev.lport = 40000;
	ev.err = 111;
	assert_event_json(&ev,
		"{\"event\":\"connect_error\",\"time\":\"2026-11-21T10:01:02.123456Z\","
		"\"netns\":4026531840,\"netns_name\":null,\"pid\":42,\"comm\":\"client\"," NO_IDENTITY "\"family\":\"ipv6\","
		"\"laddr\":\"fd00::1\",\"lport\":40000,\"raddr\":\"fd00::2\",\"rport\":5432,"
		"\"errno\":111,\"error\":\"ECONNREFUSED\"}\n");
}

static void test_bind_error(void **state)
{
	struct event ev = accept_error();

	ev.kind = TB_KIND_BIND_ERROR;
	ev.err = 98;
	assert_event_json(&ev,
		"{\"event\":\"bind_error\",\"time\":\"2026-11-21T10:01:02.123456Z\","
		"\"netns\":4026531840,\"netns_name\":null,\"pid\":42,\"comm\":\"server\"," NO_IDENTITY "\"family\":\"ipv4\","
		"\"laddr\":\"0.0.0.0\",\"lport\":8080,\"errno\":98,\"error\":\"EADDRINUSE\"}\n");
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
		.registry_full = 0,
		.ambiguous = 2,
		.late = 5,
		.missed_runs = 6,
		.tuples_tracked = 20, .delayed = 11, .abandoned = 4, .untracked = 3, .pending = 2,
		.retried_syns = 30, .synack_retransmits = 7,
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	output_json.totals(f, &t);
	fclose(f);
	assert_json_line(buf);
	assert_string_equal(buf,
		"{\"event\":\"totals\",\"syn_drop\":10,\"accept_overflow\":5,"
		"\"accept_error\":4,\"connect_error\":8,\"bind_error\":9,\"suppressed\":3,\"lost\":1,"
		"\"syn_drop_reasons\":{\"accept_queue_full\":6,"
		"\"syn_queue_full\":3,\"other\":1},"
		"\"accept_overflow_other\":2,\"registry_full\":0,\"ambiguous\":2,\"late\":5,\"missed_runs\":6,"
		"\"tuples_tracked\":20,\"delayed\":11,\"abandoned\":4,\"untracked\":3,\"pending\":2,"
		"\"retried_syns\":30,\"synack_retransmits\":7}\n");
	free(buf);
}

static void test_totals_large(void **state)
{
	struct totals t = { .syn_drop = UINT64_MAX, .lost = 1ull << 40 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	output_json.totals(f, &t);
	fclose(f);
	assert_json_line(buf);
	assert_non_null(strstr(buf, "\"syn_drop\":18446744073709551615,"));
	assert_non_null(strstr(buf, "\"lost\":1099511627776,"));
	free(buf);
}

/* ---- interval records ---- */

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
		.acceptor_pid = 1300,
		.acceptor_comm = "worker",
		.acceptors_known = true,
		.acceptors = {
			{ .pid = 1300, .comm = "worker", .accepts = 60, .accept_errors = 3,
			  .nofile_limit = 16, .open_fds = 16 },
			{ .pid = 1301, .comm = "worker", .accepts = 40, .nofile_limit = UINT64_MAX,
			  .open_fds = -1 },
		},
		.nacceptors = 2,
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
		.syncookies = 9,
		.accepts = 100,
		.accept_errors = 3,
		.errnos = { { EMFILE, 2 }, { ENFILE, 1 } },
		.nerrnos = 2,
		.latency = { 100, 1408, 1920, 2000 },
		.active = true,
	};

	return r;
}

static char *capture_interval(const struct listener_report *r, int n,
			      const struct hint *h, int nh)
{
	char *buf = NULL, *line, *next;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	output_json.interval(f, T_2026, r, n, h, nh);
	fclose(f);
	/* every line on its own is one valid record */
	for (line = buf; *line; line = next) {
		char *one;

		next = strchr(line, '\n');
		assert_non_null(next);
		next++;
		one = strndup(line, (size_t)(next - line));
		assert_json_line(one);
		free(one);
	}
	return buf;
}

static void test_interval_listener(void **state)
{
	struct listener_snapshot s = snap_v4();
	struct listener_report r = report_of(&s);
	char *got;

	s.pending = 4;
	r.delayed = 7;
	r.delay = (struct latency_summary){ .count = 7, .p50_us = 1000500, .p99_us = 2001000, .max_us = 2001500 };
	r.retried_syns = 12;
	r.synack_retransmits = 3;
	r.abandoned = 2;
	r.untracked = 1;
	got = capture_interval(&r, 1, NULL, 0);
	assert_string_equal(got,
		"{\"event\":\"listener\",\"time\":\"2026-11-21T10:01:02.123456Z\","
		"\"netns\":4026531840,\"netns_name\":null,\"laddr\":\"10.0.0.1\",\"lport\":8080,"
		"\"listen_addr\":\"10.0.0.1\",\"family\":\"ipv4\",\"pid\":1234,\"comm\":\"nginx\"," NO_IDENTITY
		"\"acceptor_pid\":1300,\"acceptor_comm\":\"worker\",\"backlog\":3,"
		"\"backlog_max\":128,\"backlog_peak\":129,\"synq\":1,\"synq_peak\":2,"
		"\"syn_drops\":6,\"syn_drop_reasons\":{\"accept_queue_full\":4,"
		"\"syn_queue_full\":1,\"other\":1},\"accept_overflows\":2,"
		"\"syncookies\":9,\"accepts\":100,\"accept_errors\":3,"
		"\"accept_errnos\":{\"EMFILE\":2,\"ENFILE\":1},"
		"\"accept_latency_us\":{\"count\":100,\"p50\":1408,\"p99\":1920,\"max\":2000},"
		"\"acceptors\":[{\"pid\":1300,\"comm\":\"worker\",\"accepts\":60,\"accept_errors\":3,"
		"\"nofile_limit\":16,\"open_fds\":16},{\"pid\":1301,\"comm\":\"worker\",\"accepts\":40,"
		"\"accept_errors\":0,\"nofile_limit\":null,\"open_fds\":null}],\"acceptors_other\":null,"
		"\"delayed\":7,\"connection_delay_us\":{\"count\":7,\"p50\":1000500,\"p99\":2001000,"
		"\"max\":2001500},\"retried_syns\":12,\"synack_retransmits\":3,\"abandoned\":2,"
		"\"untracked\":1,\"pending\":4,"
		"\"nofile_limit\":1024,\"open_fds\":1000" NO_ACCEPTOR_IDENTITY ",\"closed\":false}\n");
	free(got);

	/* past the bound, the rest summed; a namespace's name */
	s.acceptors_other = (struct acceptors_rest){ .processes = 3, .accepts = 7, .accept_errors = 1 };
	strcpy(s.netns_name, "blue");
	got = capture_interval(&r, 1, NULL, 0);
	assert_non_null(strstr(got, "\"netns\":4026531840,\"netns_name\":\"blue\","));
	assert_non_null(strstr(got, "}],\"acceptors_other\":{\"processes\":3,\"accepts\":7,"
				    "\"accept_errors\":1},\"delayed\""));
	free(got);
}

/* unknown owner and limits are null, no errno is an empty object */
static void test_interval_unknowns(void **state)
{
	struct listener_snapshot s = snap_v4();
	struct listener_report r = { .now = &s };
	char *got;

	s.family = AF_INET6;
	strcpy(s.laddr, "::");
	s.lport = 443;
	s.netns = 1;
	s.pid = 0;
	s.comm[0] = '\0';
	s.acceptor_pid = 0;
	s.acceptors_known = false;
	s.backlog = s.backlog_peak = s.synq = s.synq_peak = 0;
	s.backlog_max = 4096;
	s.nofile_limit = 0;
	s.open_fds = -1;
	got = capture_interval(&r, 1, NULL, 0);
	assert_string_equal(got,
		"{\"event\":\"listener\",\"time\":\"2026-11-21T10:01:02.123456Z\","
		"\"netns\":1,\"netns_name\":null,\"laddr\":\"::\",\"lport\":443,\"listen_addr\":\"::\","
		"\"family\":\"ipv6\",\"pid\":null,\"comm\":null," NO_IDENTITY "\"acceptor_pid\":null,"
		"\"acceptor_comm\":null,\"backlog\":0,"
		"\"backlog_max\":4096,\"backlog_peak\":0,\"synq\":0,\"synq_peak\":0,"
		"\"syn_drops\":0,\"syn_drop_reasons\":{\"accept_queue_full\":0,"
		"\"syn_queue_full\":0,\"other\":0},\"accept_overflows\":0,"
		"\"syncookies\":0,\"accepts\":0,\"accept_errors\":0,"
		"\"accept_errnos\":{},"
		"\"accept_latency_us\":{\"count\":0,\"p50\":0,\"p99\":0,\"max\":0},"
		"\"acceptors\":null,\"acceptors_other\":null,"
		"\"delayed\":0,\"connection_delay_us\":{\"count\":0,\"p50\":0,\"p99\":0,\"max\":0},"
		"\"retried_syns\":0,\"synack_retransmits\":0,\"abandoned\":0,\"untracked\":0,\"pending\":0,"
		"\"nofile_limit\":null,\"open_fds\":null" NO_ACCEPTOR_IDENTITY ",\"closed\":false}\n");
	free(got);

	/* no finite limit is null too; an errno without a name keeps a string key */
	s.nofile_limit = UINT64_MAX;
	s.open_fds = 0;
	r.errnos[0] = (struct errno_count){ 4242, 1 };
	r.nerrnos = 1;
	got = capture_interval(&r, 1, NULL, 0);
	assert_non_null(strstr(got, "\"accept_errnos\":{\"E4242\":1},"));
	assert_non_null(strstr(got, "\"nofile_limit\":null,\"open_fds\":0" NO_ACCEPTOR_IDENTITY ",\"closed\":false}\n"));
	free(got);

	/* a listener that closed: its counts are final, it says so */
	s.closed = true;
	got = capture_interval(&r, 1, NULL, 0);
	assert_non_null(strstr(got, ",\"closed\":true}\n"));
	free(got);
}

static void test_interval_hostile_comm(void **state)
{
	static const struct {
		const char *comm;
		const char *json;
	} cases[] = {
		{ "evil\nline", "\"evil\\nline\"" },
		{ "a\"b", "\"a\\\"b\"" },
		{ "back\\slash", "\"back\\\\slash\"" },
		{ "\x1b[2Jclear", "\"\\u001b[2Jclear\"" },
		{ "del\x7f", "\"del\\u007f\"" },
		{ "lone\xff", "\"lone" FFFD "\"" },
		{ "trunc\xe2\x82", "\"trunc" FFFD "\"" },
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct listener_snapshot s = snap_v4();
		struct listener_report r = report_of(&s);
		char want[256], *got;

		snprintf(s.comm, sizeof(s.comm), "%s", cases[i].comm);
		snprintf(want, sizeof(want), "\"pid\":1234,\"comm\":%s,\"cgroup\"",
			 cases[i].json);
		got = capture_interval(&r, 1, NULL, 0);
		if (!strstr(got, want))
			fail_msg("case %zu: %s lacks %s", i, got, want);
		free(got);

		/* the acceptors' comms too, the last one's and each listed one's */
		snprintf(s.acceptor_comm, sizeof(s.acceptor_comm), "%s", cases[i].comm);
		snprintf(s.acceptors[0].comm, sizeof(s.acceptors[0].comm), "%s", cases[i].comm);
		got = capture_interval(&r, 1, NULL, 0);
		snprintf(want, sizeof(want), "\"acceptor_pid\":1300,\"acceptor_comm\":%s,\"backlog\"",
			 cases[i].json);
		if (!strstr(got, want))
			fail_msg("case %zu: %s lacks %s", i, got, want);
		snprintf(want, sizeof(want), "[{\"pid\":1300,\"comm\":%s,\"accepts\"", cases[i].json);
		if (!strstr(got, want))
			fail_msg("case %zu: %s lacks %s", i, got, want);
		free(got);
	}
}

static void test_interval_hints(void **state)
{
	struct listener_snapshot s = snap_v4();
	struct listener_report r = report_of(&s);
	struct hint h[2] = {
		{
			.netns = NETNS, .laddr = "10.0.0.1", .lport = 8080,
			.kind = "backlog_small",
			.text = "3 connections dropped; raise it.",
		},
		{
			.netns = 1, .laddr = "1.2.3.4\n\"x", .lport = 80,
			.kind = "fd_limit",
			.text = "quote \" backslash \\ newline \n bad \xff.",
		},
	};
	char *got = capture_interval(&r, 1, h, 2);
	char *hints = strstr(got, "}\n") + 2;

	/* listeners first, then the hints */
	assert_true(!strncmp(got, "{\"event\":\"listener\"", 19));
	assert_string_equal(hints,
		"{\"event\":\"hint\",\"time\":\"2026-11-21T10:01:02.123456Z\","
		"\"netns\":4026531840,\"netns_name\":null,\"laddr\":\"10.0.0.1\",\"lport\":8080,"
		"\"kind\":\"backlog_small\",\"text\":\"3 connections dropped; raise it.\"}\n"
		"{\"event\":\"hint\",\"time\":\"2026-11-21T10:01:02.123456Z\","
		"\"netns\":1,\"netns_name\":null,\"laddr\":\"1.2.3.4\\n\\\"x\",\"lport\":80,"
		"\"kind\":\"fd_limit\",\"text\":\"quote \\\" backslash \\\\ newline "
		"\\n bad " FFFD ".\"}\n");
	free(got);

	/* hints without listeners still print */
	got = capture_interval(NULL, 0, h, 1);
	assert_true(!strncmp(got, "{\"event\":\"hint\"", 15));
	free(got);
}

/* nothing to say: no line at all; the summary is for people only */
static void test_interval_empty_and_summary(void **state)
{
	struct listener_snapshot s = snap_v4();
	struct listener_report r = report_of(&s);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	buf = capture_interval(NULL, 0, NULL, 0);
	assert_string_equal(buf, "");
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	output_json.summary(f, &r, 1);
	fclose(f);
	assert_string_equal(buf, "");
	free(buf);
}

/* cgroup paths and the names taken from them are attacker-controlled: escaped in every field */
static void fill_hostile_identity(struct cgroup_identity *id)
{
	snprintf(id->path, sizeof(id->path), "/system.slice/evil\"\n\x01\x7f\xff.service");
	snprintf(id->unit, sizeof(id->unit), "u\\\"\t.service");
	snprintf(id->container, sizeof(id->container), "c\r\xc3\x28");
	snprintf(id->pod_uid, sizeof(id->pod_uid), "p\b\f");
}

static void test_hostile_identity(void **state)
{
	struct event events[] = { drop_v4(), accept_error(), connect_error() };
	struct listener_snapshot s = snap_v4();
	struct listener_report r = report_of(&s);
	char *got;

	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		fill_hostile_identity(&events[i].identity);
		fill_hostile_identity(&events[i].acceptor_identity);
		got = capture_event(&events[i]);
		assert_json_line(got);
		assert_non_null(strstr(got, "\"cgroup\":\"/system.slice/evil\\\"\\n\\u0001\\u007f" FFFD ".service\","
					    "\"unit\":\"u\\\\\\\"\\t.service\",\"container\":\"c\\r" FFFD "(\","
					    "\"pod_uid\":\"p\\b\\f\""));
		/* the acceptor's, on the records of a listener */
		if (events[i].kind != TB_KIND_CONNECT_ERROR)
			assert_non_null(strstr(got, "\"acceptor_cgroup\":\"/system.slice/evil\\\"\\n\\u0001\\u007f" FFFD
						    ".service\",\"acceptor_unit\":\"u\\\\\\\"\\t.service\""));
		free(got);
	}
	fill_hostile_identity(&s.identity);
	fill_hostile_identity(&s.acceptor_identity);
	got = capture_interval(&r, 1, NULL, 0);
	assert_json_line(got);
	assert_non_null(strstr(got, "\"comm\":\"nginx\",\"cgroup\":\"/system.slice/evil\\\"\\n\\u0001\\u007f" FFFD
				    ".service\",\"unit\":\"u\\\\\\\"\\t.service\",\"container\":\"c\\r" FFFD "(\","
				    "\"pod_uid\":\"p\\b\\f\",\"acceptor_pid\""));
	assert_non_null(strstr(got, "\"acceptor_pod_uid\":\"p\\b\\f\",\"closed\":false}"));
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checker_rejects),
		cmocka_unit_test(test_syn_drop_ipv4),
		cmocka_unit_test(test_syn_drop_ambiguous),
		cmocka_unit_test(test_accept_overflow_ipv6),
		cmocka_unit_test(test_drop_without_peer),
		cmocka_unit_test(test_accept_error),
		cmocka_unit_test(test_connect_error),
		cmocka_unit_test(test_bind_error),
		cmocka_unit_test(test_accept_error_unknowns),
		cmocka_unit_test(test_rfc3339_time),
		cmocka_unit_test(test_hostile_comm),
		cmocka_unit_test(test_full_width_comm),
		cmocka_unit_test(test_start),
		cmocka_unit_test(test_start_defaults),
		cmocka_unit_test(test_totals),
		cmocka_unit_test(test_totals_large),
		cmocka_unit_test(test_interval_listener),
		cmocka_unit_test(test_interval_unknowns),
		cmocka_unit_test(test_interval_hostile_comm),
		cmocka_unit_test(test_hostile_identity),
		cmocka_unit_test(test_interval_hints),
		cmocka_unit_test(test_interval_empty_and_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
