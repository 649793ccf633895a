// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "setup/cli.h"

#ifndef TB_VERSION
#define TB_VERSION "0.1"
#endif

struct run {
	enum cli_result res;
	struct config cfg;
	char *out, *err;
	size_t out_len, err_len;
};

/* argv is NULL-terminated, without the program name. */
static void run_argv(struct run *r, char **args)
{
	char *argv[64];
	FILE *out, *err;
	int argc = 0;

	argv[argc++] = "tcpbacklog";
	while (*args)
		argv[argc++] = *args++;
	argv[argc] = NULL;

	memset(r, 0, sizeof(*r));
	/* poison: cli_parse must reset everything */
	memset(&r->cfg, 0xa5, sizeof(r->cfg));
	out = open_memstream(&r->out, &r->out_len);
	err = open_memstream(&r->err, &r->err_len);
	assert_non_null(out);
	assert_non_null(err);
	r->res = cli_parse(argc, argv, &r->cfg, out, err);
	fclose(out);
	fclose(err);
}

#define RUN(r, ...) run_argv((r), (char *[]){ __VA_ARGS__, NULL })

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static void assert_defaults(const struct config *c)
{
	int i;

	assert_false(c->json);
	assert_false(c->verbose);
	assert_true(c->duration == 0);
	assert_int_equal(c->netns, 0);
	assert_int_equal(c->nports, 0);
	assert_int_equal(c->pid, 0);
	assert_int_equal(c->mode, MODE_AUTO);
	assert_true(c->interval == 0);
	assert_int_equal(c->rate_limit, 100);
	assert_true(c->abandon_after == 130);
	assert_false(c->quiet);
	assert_false(c->no_syscall_tracepoints);
	assert_string_equal(c->metrics_addr, "");
	assert_string_equal(c->cgroup, "");
	for (i = 0; i < TB_MAX_PORTS; i++)
		assert_int_equal(c->ports[i], 0);
}

static void assert_ok(struct run *r)
{
	if (r->res != CLI_OK)
		print_error("unexpected error: %s\n", r->err);
	assert_int_equal(r->res, CLI_OK);
	assert_int_equal(r->err_len, 0);
	assert_int_equal(r->out_len, 0);
}

/* One line, "tcpbacklog: " first, mentioning each of the given words. */
static void assert_error(struct run *r, const char *w1, const char *w2)
{
	assert_int_equal(r->res, CLI_ERROR);
	assert_int_equal(r->out_len, 0);
	assert_true(r->err_len > 0);
	assert_true(strncmp(r->err, "tcpbacklog: ", 12) == 0);
	assert_non_null(strchr(r->err, '\n'));
	assert_ptr_equal(strchr(r->err, '\n'), r->err + r->err_len - 1);
	if (w1 && !strstr(r->err, w1))
		fail_msg("'%s' not in: %s", w1, r->err);
	if (w2 && !strstr(r->err, w2))
		fail_msg("'%s' not in: %s", w2, r->err);
}

#define EXPECT_ERROR(w1, w2, ...) do {			\
	struct run r_;					\
	RUN(&r_, __VA_ARGS__);				\
	assert_error(&r_, (w1), (w2));			\
	run_free(&r_);					\
} while (0)

static void test_defaults(void **state)
{
	char *argv[] = { "tcpbacklog", NULL };
	struct config cfg;
	FILE *out, *err;
	char *ob = NULL, *eb = NULL;
	size_t ol, el;

	memset(&cfg, 0xff, sizeof(cfg));
	out = open_memstream(&ob, &ol);
	err = open_memstream(&eb, &el);
	assert_int_equal(cli_parse(1, argv, &cfg, out, err), CLI_OK);
	fclose(out);
	fclose(err);
	assert_int_equal(ol, 0);
	assert_int_equal(el, 0);
	assert_defaults(&cfg);
	free(ob);
	free(eb);
}

static void test_flags(void **state)
{
	struct run r;

	RUN(&r, "-j");
	assert_ok(&r);
	assert_true(r.cfg.json);
	assert_false(r.cfg.verbose);
	run_free(&r);

	RUN(&r, "--json");
	assert_ok(&r);
	assert_true(r.cfg.json);
	run_free(&r);

	RUN(&r, "-v");
	assert_ok(&r);
	assert_true(r.cfg.verbose);
	assert_false(r.cfg.json);
	run_free(&r);

	RUN(&r, "--verbose");
	assert_ok(&r);
	assert_true(r.cfg.verbose);
	run_free(&r);

	RUN(&r, "-jv");
	assert_ok(&r);
	assert_true(r.cfg.json);
	assert_true(r.cfg.verbose);
	run_free(&r);
}

static void test_duration(void **state)
{
	struct run r;

	RUN(&r, "-d", "60");
	assert_ok(&r);
	assert_true(r.cfg.duration == 60);
	run_free(&r);

	RUN(&r, "-d1.5");
	assert_ok(&r);
	assert_true(r.cfg.duration == 1.5);
	run_free(&r);

	RUN(&r, "--duration", "0.25");
	assert_ok(&r);
	assert_true(r.cfg.duration == 0.25);
	run_free(&r);

	RUN(&r, "--duration=.5");
	assert_ok(&r);
	assert_true(r.cfg.duration == 0.5);
	run_free(&r);

	RUN(&r, "--duration=31536000");
	assert_ok(&r);
	assert_true(r.cfg.duration == 31536000);
	run_free(&r);

	RUN(&r, "-d", "10.");
	assert_ok(&r);
	assert_true(r.cfg.duration == 10);
	run_free(&r);
}

static void test_duration_errors(void **state)
{
	EXPECT_ERROR("'0'", "--duration", "-d", "0");
	EXPECT_ERROR("'0.0'", "--duration", "-d", "0.0");
	EXPECT_ERROR("'-5'", "--duration", "-d", "-5");
	EXPECT_ERROR("'+5'", "--duration", "-d", "+5");
	EXPECT_ERROR("''", "--duration", "-d", "");
	EXPECT_ERROR("'abc'", "--duration", "--duration", "abc");
	EXPECT_ERROR("'10s'", "--duration", "--duration=10s");
	EXPECT_ERROR("'1e3'", "--duration", "-d", "1e3");
	EXPECT_ERROR("'0x10'", "--duration", "-d", "0x10");
	EXPECT_ERROR("'inf'", "--duration", "-d", "inf");
	EXPECT_ERROR("'nan'", "--duration", "-d", "nan");
	EXPECT_ERROR("' 5'", "--duration", "-d", " 5");
	EXPECT_ERROR("'1.2.3'", "--duration", "-d", "1.2.3");
	EXPECT_ERROR("'.'", "--duration", "-d", ".");
	EXPECT_ERROR("'31536000.5'", "--duration", "-d", "31536000.5");
	EXPECT_ERROR("'31536001'", "--duration", "-d", "31536001");
	EXPECT_ERROR("'99999999999999999999999'", "--duration",
		     "-d", "99999999999999999999999");
	EXPECT_ERROR("-d", "requires", "-d");
	EXPECT_ERROR("--duration", "requires", "--duration");
}

static void test_ports(void **state)
{
	struct run r;

	RUN(&r, "-P", "80");
	assert_ok(&r);
	assert_int_equal(r.cfg.nports, 1);
	assert_int_equal(r.cfg.ports[0], 80);
	run_free(&r);

	RUN(&r, "-P443", "--port", "1", "--port=65535", "-P", "080");
	assert_ok(&r);
	assert_int_equal(r.cfg.nports, 4);
	assert_int_equal(r.cfg.ports[0], 443);
	assert_int_equal(r.cfg.ports[1], 1);
	assert_int_equal(r.cfg.ports[2], 65535);
	assert_int_equal(r.cfg.ports[3], 80);	/* decimal, not octal */
	run_free(&r);
}

static void test_ports_dedup(void **state)
{
	struct run r;

	RUN(&r, "-P", "80", "-P", "443", "-P", "80", "--port=443", "-P", "80");
	assert_ok(&r);
	assert_int_equal(r.cfg.nports, 2);
	assert_int_equal(r.cfg.ports[0], 80);
	assert_int_equal(r.cfg.ports[1], 443);
	run_free(&r);
}

static void test_ports_limit(void **state)
{
	char *args[2 * (TB_MAX_PORTS + 2) + 1];
	char bufs[TB_MAX_PORTS + 2][12];	/* any int */
	struct run r;
	int i, n = 0;

	/* exactly TB_MAX_PORTS distinct ports, plus a duplicate: fine */
	for (i = 0; i < TB_MAX_PORTS; i++) {
		snprintf(bufs[i], sizeof(bufs[i]), "%d", 1000 + i);
		args[n++] = "-P";
		args[n++] = bufs[i];
	}
	args[n++] = "-P";
	args[n++] = bufs[0];
	args[n] = NULL;
	run_argv(&r, args);
	assert_ok(&r);
	assert_int_equal(r.cfg.nports, TB_MAX_PORTS);
	for (i = 0; i < TB_MAX_PORTS; i++)
		assert_int_equal(r.cfg.ports[i], 1000 + i);
	run_free(&r);

	/* one more distinct port: error naming it */
	snprintf(bufs[TB_MAX_PORTS], sizeof(bufs[0]), "%d", 2000);
	n -= 2;
	args[n++] = "--port";
	args[n++] = bufs[TB_MAX_PORTS];
	args[n] = NULL;
	run_argv(&r, args);
	assert_error(&r, "'2000'", "--port");
	assert_non_null(strstr(r.err, "16"));
	run_free(&r);
}

static void test_port_errors(void **state)
{
	EXPECT_ERROR("'abc'", "--port", "-P", "abc");
	EXPECT_ERROR("'0'", "--port", "-P", "0");
	EXPECT_ERROR("'65536'", "--port", "-P", "65536");
	EXPECT_ERROR("'-1'", "--port", "-P", "-1");
	EXPECT_ERROR("'80x'", "--port", "--port", "80x");
	EXPECT_ERROR("'+80'", "--port", "--port=+80");
	EXPECT_ERROR("''", "--port", "--port=");
	EXPECT_ERROR("' 80'", "--port", "-P", " 80");
	EXPECT_ERROR("'0x50'", "--port", "-P", "0x50");
	EXPECT_ERROR("'18446744073709551697'", "--port", "-P", "18446744073709551697");
	EXPECT_ERROR("'99999999999999999999999'", "--port", "-P", "99999999999999999999999");
	EXPECT_ERROR("-P", "requires", "-P");
}

static void test_interval(void **state)
{
	struct run r;

	RUN(&r, "-i", "5");
	assert_ok(&r);
	assert_true(r.cfg.interval == 5);
	run_free(&r);
	RUN(&r, "--interval=0.5");
	assert_ok(&r);
	assert_true(r.cfg.interval == 0.5);
	run_free(&r);
	EXPECT_ERROR("'0'", "--interval", "-i", "0");
	EXPECT_ERROR("'0.001'", "--interval", "-i", "0.001");
	EXPECT_ERROR("'x'", "--interval", "--interval", "x");
	EXPECT_ERROR("'-1'", "--interval", "-i", "-1");
}

static void test_no_syscall_tracepoints(void **state)
{
	struct run r;

	RUN(&r, "--no-syscall-tracepoints", "-j");
	assert_ok(&r);
	assert_true(r.cfg.no_syscall_tracepoints);
	assert_true(r.cfg.json);
	run_free(&r);
}

static void test_abandon_after(void **state)
{
	struct run r;

	RUN(&r, "--abandon-after", "1.5");
	assert_ok(&r);
	assert_true(r.cfg.abandon_after == 1.5);
	run_free(&r);
	EXPECT_ERROR("'0'", "--abandon-after", "--abandon-after", "0");
	EXPECT_ERROR("'x'", "--abandon-after", "--abandon-after", "x");
}

static void test_rate_limit_quiet_metrics(void **state)
{
	struct run r;

	RUN(&r, "--rate-limit", "0", "-q", "--metrics-addr", "127.0.0.1:9876");
	assert_ok(&r);
	assert_int_equal(r.cfg.rate_limit, 0);
	assert_true(r.cfg.quiet);
	assert_string_equal(r.cfg.metrics_addr, "127.0.0.1:9876");
	run_free(&r);
	RUN(&r, "--rate-limit=2500", "--metrics-addr=[::1]:9100");
	assert_ok(&r);
	assert_int_equal(r.cfg.rate_limit, 2500);
	assert_string_equal(r.cfg.metrics_addr, "[::1]:9100");
	run_free(&r);
	EXPECT_ERROR("'-5'", "--rate-limit", "--rate-limit", "-5");
	EXPECT_ERROR("'1000001'", "--rate-limit", "--rate-limit", "1000001");
	EXPECT_ERROR("'localhost'", "--metrics-addr", "--metrics-addr", "localhost");
	EXPECT_ERROR("'1.2.3.4:0'", "--metrics-addr", "--metrics-addr", "1.2.3.4:0");
}

static void test_mode(void **state)
{
	struct run r;

	RUN(&r, "--mode", "fentry");
	assert_ok(&r);
	assert_int_equal(r.cfg.mode, MODE_FENTRY);
	run_free(&r);
	RUN(&r, "--mode=tracepoint");
	assert_ok(&r);
	assert_int_equal(r.cfg.mode, MODE_TRACEPOINT);
	run_free(&r);
	RUN(&r, "--mode", "auto");
	assert_ok(&r);
	assert_int_equal(r.cfg.mode, MODE_AUTO);
	run_free(&r);
	EXPECT_ERROR("'kprobe'", "--mode", "--mode", "kprobe");
	EXPECT_ERROR("''", "--mode", "--mode=");
	EXPECT_ERROR("'Fentry'", "--mode", "--mode", "Fentry");
}

static void test_pid(void **state)
{
	struct run r;

	RUN(&r, "-p", "1");
	assert_ok(&r);
	assert_int_equal(r.cfg.pid, 1);
	run_free(&r);

	RUN(&r, "--pid=4194304");
	assert_ok(&r);
	assert_int_equal(r.cfg.pid, 4194304);
	run_free(&r);

	RUN(&r, "-p1234");
	assert_ok(&r);
	assert_int_equal(r.cfg.pid, 1234);
	run_free(&r);

	EXPECT_ERROR("'0'", "--pid", "-p", "0");
	EXPECT_ERROR("'4194305'", "--pid", "-p", "4194305");
	EXPECT_ERROR("'-1'", "--pid", "-p", "-1");
	EXPECT_ERROR("'12x'", "--pid", "--pid", "12x");
	EXPECT_ERROR("''", "--pid", "--pid", "");
	EXPECT_ERROR("'4294967297'", "--pid", "-p", "4294967297");
}

static void test_netns_inode(void **state)
{
	char err[128];
	uint32_t ino = 0;
	struct run r;

	RUN(&r, "-n", "4026531840");
	assert_ok(&r);
	assert_int_equal(r.cfg.netns, 4026531840u);
	run_free(&r);

	RUN(&r, "--netns=4294967295");
	assert_ok(&r);
	assert_int_equal(r.cfg.netns, 4294967295u);
	run_free(&r);

	assert_int_equal(cli_netns_inode("42", &ino, err, sizeof(err)), 0);
	assert_int_equal(ino, 42);
	assert_int_equal(cli_netns_inode("0", &ino, err, sizeof(err)), -1);
	assert_int_equal(cli_netns_inode("", &ino, err, sizeof(err)), -1);
	assert_true(strlen(err) > 0);
	assert_int_equal(cli_netns_inode("4294967296", &ino, err, sizeof(err)), -1);

	EXPECT_ERROR("'0'", "--netns", "-n", "0");
	EXPECT_ERROR("'4294967296'", "--netns", "-n", "4294967296");
	EXPECT_ERROR("''", "--netns", "--netns=");
	EXPECT_ERROR("'99999999999999999999999'", "--netns", "-n", "99999999999999999999999");
}

static void test_netns_path(void **state)
{
	char tmpl[] = "/tmp/test_cli_netns.XXXXXX";
	struct stat sb;
	struct run r;
	int fd;

	fd = mkstemp(tmpl);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(stat(tmpl, &sb), 0);

	RUN(&r, "-n", tmpl);
	assert_ok(&r);
	assert_int_equal(r.cfg.netns, (uint32_t)sb.st_ino);
	run_free(&r);

	RUN(&r, "--netns", tmpl);
	assert_ok(&r);
	assert_int_equal(r.cfg.netns, (uint32_t)sb.st_ino);
	run_free(&r);
	unlink(tmpl);

	/* gone now: the error names the path and the reason */
	EXPECT_ERROR(tmpl, "No such file or directory", "-n", tmpl);
	EXPECT_ERROR("'/nonexistent/netns/x'", "--netns", "--netns=/nonexistent/netns/x");
	EXPECT_ERROR("'12ab'", "--netns", "-n", "12ab");

	if (stat("/proc/self/ns/net", &sb) == 0) {
		RUN(&r, "-n", "/proc/self/ns/net");
		assert_ok(&r);
		assert_int_equal(r.cfg.netns, (uint32_t)sb.st_ino);
		run_free(&r);
	}
}

/* --cgroup: a directory of this machine's cgroup v2 hierarchy, else one line and exit 2 */
static void test_cgroup(void **state)
{
	struct run r;

	EXPECT_ERROR("'system.slice'", "absolute", "--cgroup", "system.slice");
	EXPECT_ERROR("'/tb-no-such-cgroup/x'", "--cgroup", "--cgroup", "/tb-no-such-cgroup/x");
	EXPECT_ERROR("'/a\\x0ab'", "--cgroup", "--cgroup", "/a\nb");
	RUN(&r, "--cgroup", "/");
	if (r.res != CLI_OK) {
		/* no v2 hierarchy on this machine: the reason says so */
		assert_error(&r, "cgroup", NULL);
		run_free(&r);
		skip();
	}
	assert_ok(&r);
	assert_string_equal(r.cfg.cgroup, "/");
	assert_true(r.cfg.cgroup_dir[0] == '/');
	run_free(&r);
}

static void test_combined(void **state)
{
	struct run r;

	RUN(&r, "-j", "-P", "80", "-P", "443", "-d", "60", "-p", "42", "-n", "7", "-v");
	assert_ok(&r);
	assert_true(r.cfg.json);
	assert_true(r.cfg.verbose);
	assert_true(r.cfg.duration == 60);
	assert_int_equal(r.cfg.nports, 2);
	assert_int_equal(r.cfg.ports[0], 80);
	assert_int_equal(r.cfg.ports[1], 443);
	assert_int_equal(r.cfg.pid, 42);
	assert_int_equal(r.cfg.netns, 7);
	run_free(&r);

	RUN(&r, "-jvd5", "--port=22");
	assert_ok(&r);
	assert_true(r.cfg.json);
	assert_true(r.cfg.verbose);
	assert_true(r.cfg.duration == 5);
	assert_int_equal(r.cfg.ports[0], 22);
	run_free(&r);

	/* unique abbreviations of long options, as getopt allows */
	RUN(&r, "--dur", "3", "--js");
	assert_ok(&r);
	assert_true(r.cfg.duration == 3);
	assert_true(r.cfg.json);
	run_free(&r);
}

static void test_syntax_errors(void **state)
{
	EXPECT_ERROR("'-x'", "unrecognized", "-x");
	EXPECT_ERROR("'-x'", "unrecognized", "-jx");
	EXPECT_ERROR("'-x'", "unrecognized", "-xj");
	EXPECT_ERROR("'--bogus'", "unrecognized", "--bogus");
	EXPECT_ERROR("'--bogus=1'", "unrecognized", "-j", "--bogus=1");
	EXPECT_ERROR("'--ver'", "ambiguous", "--ver");
	EXPECT_ERROR("--json", "value", "--json=yes");
	EXPECT_ERROR("'foo'", "unexpected", "foo");
	EXPECT_ERROR("'foo'", "unexpected", "-j", "foo", "-v");
	EXPECT_ERROR("'-j'", "unexpected", "--", "-j");
	EXPECT_ERROR("''", "unexpected", "");
	/* a newline in a value must not break the one-line rule */
	EXPECT_ERROR("--port", "\\x0a", "-P", "80\n");
	/* the first error wins */
	EXPECT_ERROR("'abc'", "--port", "-P", "abc", "-p", "xyz");
	EXPECT_ERROR("'-x'", "unrecognized", "foo", "-x", "-P", "abc");
}

static void test_help(void **state)
{
	struct run r;

	RUN(&r, "--help");
	assert_int_equal(r.res, CLI_EXIT);
	assert_int_equal(r.err_len, 0);
	assert_non_null(strstr(r.out, "Usage: tcpbacklog"));
	assert_non_null(strstr(r.out, "EXAMPLES"));
	assert_non_null(strstr(r.out, "tcpbacklog -j | jq ."));
	assert_non_null(strstr(r.out, "tcpbacklog -P 80 -P 443 -d 60"));
	assert_non_null(strstr(r.out, "tcpbacklog -n /var/run/netns/web"));
	assert_non_null(strstr(r.out, "tcpbacklog -p $(pidof nginx)"));
	assert_non_null(strstr(r.out, "--duration"));
	assert_non_null(strstr(r.out, "--netns"));
	assert_non_null(strstr(r.out, "--port"));
	assert_non_null(strstr(r.out, "--pid"));
	assert_non_null(strstr(r.out, "--json"));
	assert_non_null(strstr(r.out, "--verbose"));
	assert_non_null(strstr(r.out, "--version"));
	assert_non_null(strstr(r.out, "root"));
	run_free(&r);

	RUN(&r, "-h");
	assert_int_equal(r.res, CLI_EXIT);
	assert_non_null(strstr(r.out, "EXAMPLES"));
	run_free(&r);

	/* options before --help are parsed, but help still wins */
	RUN(&r, "-j", "--help", "-P", "80");
	assert_int_equal(r.res, CLI_EXIT);
	assert_non_null(strstr(r.out, "EXAMPLES"));
	run_free(&r);

	RUN(&r, "--usage");
	assert_int_equal(r.res, CLI_EXIT);
	assert_int_equal(r.err_len, 0);
	assert_non_null(strstr(r.out, "Usage: tcpbacklog"));
	run_free(&r);
}

static void test_version(void **state)
{
	struct run r;

	RUN(&r, "--version");
	assert_int_equal(r.res, CLI_EXIT);
	assert_int_equal(r.err_len, 0);
	assert_true(strncmp(r.out, "tcpbacklog ", 11) == 0);
	assert_non_null(strstr(r.out, TB_VERSION));
	assert_ptr_equal(strchr(r.out, '\n'), r.out + r.out_len - 1);
	run_free(&r);
}

/* Earlier calls leave nothing behind, and the caller's argv is untouched. */
static void test_repeatable(void **state)
{
	char *argv[] = { "tcpbacklog", "foo", "-j", NULL };
	FILE *devnull = fopen("/dev/null", "w");
	struct config cfg;
	struct run r;
	int i;

	assert_non_null(devnull);
	for (i = 0; i < 50; i++) {
		RUN(&r, "-j", "-P", "80", "-p", "9", "-d", "2");
		assert_ok(&r);
		run_free(&r);
		RUN(&r, "-P", "bad");
		assert_error(&r, "'bad'", NULL);
		run_free(&r);
	}
	RUN(&r, "-v");
	assert_ok(&r);
	assert_int_equal(r.cfg.nports, 0);
	assert_int_equal(r.cfg.pid, 0);
	assert_false(r.cfg.json);
	run_free(&r);

	assert_int_equal(cli_parse(3, argv, &cfg, devnull, devnull), CLI_ERROR);
	assert_string_equal(argv[1], "foo");
	assert_string_equal(argv[2], "-j");
	/* on error the config is left at defaults */
	assert_defaults(&cfg);
	fclose(devnull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_duration_errors),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_ports_dedup),
		cmocka_unit_test(test_ports_limit),
		cmocka_unit_test(test_port_errors),
		cmocka_unit_test(test_interval),
		cmocka_unit_test(test_rate_limit_quiet_metrics),
		cmocka_unit_test(test_no_syscall_tracepoints),
		cmocka_unit_test(test_abandon_after),
		cmocka_unit_test(test_mode),
		cmocka_unit_test(test_pid),
		cmocka_unit_test(test_netns_inode),
		cmocka_unit_test(test_netns_path),
		cmocka_unit_test(test_cgroup),
		cmocka_unit_test(test_combined),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_repeatable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
