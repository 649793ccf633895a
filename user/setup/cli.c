// SPDX-License-Identifier: GPL-2.0
/*
 * Command line parsing. argp does the option syntax; every value check and
 * every message is ours, so the process never exits from here and each
 * error is exactly one line on the caller's stream.
 */
#include <argp.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host/cgroups.h"
#include "setup/cli.h"
#include "setup/metrics_addr.h"

#ifndef TB_VERSION
#define TB_VERSION "0.1"
#endif

#define PROG		"tcpbacklog"
#define MAX_DURATION	31536000	/* one year, in seconds */
#define MAX_PID		4194304		/* PID_MAX_LIMIT on 64-bit */
#define MSG_VALUE_MAX	64		/* bytes of a bad value quoted back */

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum {
	OPT_VERSION = 0x100,	/* long-only options: keys outside char range */
	OPT_USAGE,
	OPT_MODE,
	OPT_RATE_LIMIT,
	OPT_METRICS_ADDR,
	OPT_CGROUP,
	OPT_NO_SYSCALL_TRACEPOINTS,
	OPT_ABANDON_AFTER,
};

static const struct argp_option options[] = {
	{ "json",     'j', NULL,         0, "Print one JSON object per line instead of text", 0 },
	{ "duration", 'd', "SECONDS",    0, "Stop after SECONDS (decimals allowed, up to 31536000); default: until Ctrl-C", 0 },
	{ "interval", 'i', "SECONDS",    0, "Every SECONDS, print one record per active listener: queue depths and peaks, drops, accepts, accept latency, and tuning hints; then the destinations whose connects failed or whose local ports run short", 0 },
	{ "netns",    'n', "PATH|INODE", 0, "Only listeners in this network namespace: a namespace file such as /var/run/netns/NAME or /proc/PID/ns/net, or its inode number", 0 },
	{ "port",     'P', "PORT",       0, "Only listeners on local port PORT (1..65535), connect() calls to port PORT and bind() calls asking for it; repeat for up to 16 ports", 0 },
	{ "pid",      'p', "PID",        0, "Only listeners owned by, and accept(), connect() and bind() calls made by, process PID", 0 },
	{ "cgroup",   OPT_CGROUP, "PATH", 0, "Only listeners whose owner is in this cgroup v2 subtree, and accept(), connect() and bind() calls made in it: /system.slice/NAME.service, or its directory under the cgroup2 mount", 0 },
	{ "mode",     OPT_MODE, "MODE",  0, "How to hook the kernel: auto (default: fentry where the kernel allows it, else tracepoints), fentry, tracepoint", 0 },
	{ "rate-limit", OPT_RATE_LIMIT, "N", 0, "Print at most N event records per second per listener, or per process for connect() and bind() errors (default 100, 0 = unlimited); the rest are counted as suppressed", 0 },
	{ "abandon-after", OPT_ABANDON_AFTER, "SECONDS", 0, "A connection attempt that had a packet dropped and sent nothing for SECONDS is counted abandoned (default 130: longer than a default Linux client retries)", 0 },
	{ "metrics-addr", OPT_METRICS_ADDR, "HOST:PORT", 0, "Serve Prometheus metrics on http://HOST:PORT/metrics", 0 },
	{ "quiet",    'q', NULL,         0, "No event records: only the start record, listener records, metrics and totals", 0 },
	{ "no-syscall-tracepoints", OPT_NO_SYSCALL_TRACEPOINTS, NULL, 0, "Attach no syscall tracepoint: any one puts every syscall of every process on a slower path. Lost: accept(), connect() and bind() errors and accepts seen at the syscalls (fentry mode takes them from fexit instead; io_uring and failures of non-blocking connects after the call are still seen)", 0 },
	{ "verbose",  'v', NULL,         0, "Print libbpf debug messages to stderr", 0 },
	{ "help",     'h', NULL,         0, "Print this help and exit", -1 },
	{ "usage",    OPT_USAGE, NULL,   0, "Print a short usage message and exit", -1 },
	{ "version",  OPT_VERSION, NULL, 0, "Print the program version and exit", -1 },
	{ 0 }
};

static const char doc[] =
	"Trace TCP listen-queue drops: SYNs thrown away by a listener, "
	"connections dropped because the accept queue was full, and errors "
	"returned by accept() (such as EMFILE), on every TCP listener of the "
	"host, with the owning process and the queue lengths at the time of "
	"each drop; and the client's side: connect() calls that failed "
	"(EADDRNOTAVAIL: no local port left toward that destination; "
	"ECONNREFUSED, ETIMEDOUT, ...) and bind() calls that failed "
	"(EADDRINUSE). Needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)."
	"\v"
	"EXAMPLES:\n"
	"  tcpbacklog                        trace every listener until Ctrl-C\n"
	"  tcpbacklog -j | jq .              JSON lines, pretty-printed by jq\n"
	"  tcpbacklog -P 80 -P 443 -d 60     ports 80 and 443, for one minute\n"
	"  tcpbacklog -n /var/run/netns/web  only the network namespace \"web\"\n"
	"  tcpbacklog -p $(pidof nginx)      only listeners owned by nginx\n"
	"  tcpbacklog --cgroup /system.slice/nginx.service  only the nginx service\n"
	"\n"
	"Exit status: 0 on success, 1 on a runtime failure, 2 on a usage error.";

struct parse_state {
	struct config *cfg;
	FILE *out;
	bool done;		/* --help/--usage/--version printed */
	bool failed;		/* msg holds the error */
	char msg[512];
};

static error_t parse_opt(int key, char *arg, struct argp_state *state);

static const struct argp argp = {
	.options = options,
	.parser = parse_opt,
	.args_doc = NULL,
	.doc = doc,
};

/*
 * Copy a user-supplied value for quoting in a message: control bytes would
 * break the one-line promise, and a huge value would hide the reason.
 */
static void quote_value(char *dst, size_t len, const char *src)
{
	size_t n = 0;
	size_t i;

	for (i = 0; src[i] && n + 5 < len; i++) {
		unsigned char c = src[i];

		if (i == MSG_VALUE_MAX) {
			n += snprintf(dst + n, len - n, "...");
			break;
		}
		if (c < 0x20 || c == 0x7f)
			n += snprintf(dst + n, len - n, "\\x%02x", c);
		else
			dst[n++] = c;
	}
	dst[n < len ? n : len - 1] = '\0';
}

static void fail(struct parse_state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct parse_state *st, const char *fmt, ...)
{
	va_list ap;

	if (st->failed)		/* keep the first error */
		return;
	va_start(ap, fmt);
	vsnprintf(st->msg, sizeof(st->msg), fmt, ap);
	va_end(ap);
	st->failed = true;
}

static void fail_value(struct parse_state *st, const char *what, const char *value,
		       const char *opt, const char *why)
{
	char q[MSG_VALUE_MAX * 4 + 8];

	quote_value(q, sizeof(q), value);
	fail(st, "invalid %s '%s' for --%s: %s", what, q, opt, why);
}

/* Strict unsigned decimal: digits only, no sign, no spaces, no overflow. */
static int parse_u64(const char *s, uint64_t *val)
{
	unsigned long long v;

	/* strtoull() alone would take a sign, spaces and "0x" */
	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -1;
	errno = 0;
	v = strtoull(s, NULL, 10);
	if (errno)
		return -1;
	*val = v;
	return 0;
}

static int parse_range(const char *s, uint64_t lo, uint64_t hi, uint64_t *val)
{
	uint64_t v;

	if (parse_u64(s, &v) || v < lo || v > hi)
		return -1;
	*val = v;
	return 0;
}

/*
 * Seconds as "N", "N.F" or ".F". Parsed by hand rather than with strtod()
 * so that the locale, exponents, hex floats, "inf" and "nan" play no part.
 */
static int parse_seconds(const char *s, double *val)
{
	uint64_t whole = 0, frac = 0, scale = 1;
	bool digits = false, dot = false;

	for (; *s; s++) {
		if (*s == '.' && !dot) {
			dot = true;
			continue;
		}
		if (*s < '0' || *s > '9')
			return -1;
		digits = true;
		if (!dot) {
			whole = whole * 10 + (*s - '0');
			if (whole > MAX_DURATION)
				return -1;
		} else if (scale < 1000000000000000ULL) {
			/* digits past 1e-15 s cannot matter */
			frac = frac * 10 + (*s - '0');
			scale *= 10;
		}
	}
	if (!digits)
		return -1;
	*val = (double)whole + (double)frac / (double)scale;
	if (*val <= 0 || *val > MAX_DURATION)
		return -1;
	return 0;
}

int cli_cgroup_path(const char *arg, struct config *cfg, char *errbuf, size_t errlen)
{
	struct cgroups c;

	cgroups_init(&c, NULL, NULL);
	return cgroups_resolve_arg(&c, arg, cfg->cgroup, sizeof(cfg->cgroup), cfg->cgroup_dir,
				   sizeof(cfg->cgroup_dir), errbuf, errlen);
}

int cli_netns_inode(const char *arg, uint32_t *inode, char *errbuf, size_t errlen)
{
	struct stat sb;
	uint64_t v;

	if (!arg || !*arg) {
		snprintf(errbuf, errlen, "expected a namespace file path or an inode number");
		return -1;
	}
	if (strspn(arg, "0123456789") == strlen(arg)) {
		if (parse_range(arg, 1, UINT32_MAX, &v)) {
			snprintf(errbuf, errlen, "inode must be 1..%u", UINT32_MAX);
			return -1;
		}
		*inode = v;
		return 0;
	}
	/* stat() follows /proc/PID/ns/net to the namespace inode itself */
	if (stat(arg, &sb)) {
		snprintf(errbuf, errlen, "%s", strerror(errno));
		return -1;
	}
	if (sb.st_ino == 0 || sb.st_ino > UINT32_MAX) {
		snprintf(errbuf, errlen, "inode %llu is not a namespace inode",
			 (unsigned long long)sb.st_ino);
		return -1;
	}
	*inode = sb.st_ino;
	return 0;
}

static void add_port(struct parse_state *st, const char *arg)
{
	struct config *cfg = st->cfg;
	uint64_t v;
	int i;

	if (parse_range(arg, 1, 65535, &v)) {
		fail_value(st, "port", arg, "port", "expected 1..65535");
		return;
	}
	for (i = 0; i < cfg->nports; i++)
		if (cfg->ports[i] == v)
			return;
	if (cfg->nports == TB_MAX_PORTS) {
		char why[64];

		snprintf(why, sizeof(why), "at most %d different ports", TB_MAX_PORTS);
		fail_value(st, "port", arg, "port", why);
		return;
	}
	cfg->ports[cfg->nports++] = v;
}

static void print_help(FILE *out)
{
	argp_help(&argp, out, ARGP_HELP_SHORT_USAGE | ARGP_HELP_LONG |
		  ARGP_HELP_DOC | ARGP_HELP_PRE_DOC | ARGP_HELP_POST_DOC, (char *)PROG);
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct parse_state *st = state->input;
	struct config *cfg = st->cfg;
	char why[256], host[128];
	unsigned int port;
	uint64_t v;

	switch (key) {
	case 'j':
		cfg->json = true;
		break;
	case 'v':
		cfg->verbose = true;
		break;
	case 'd':
		if (parse_seconds(arg, &cfg->duration))
			fail_value(st, "duration", arg, "duration",
				   "expected seconds > 0 and <= 31536000");
		break;
	case 'i':
		if (parse_seconds(arg, &cfg->interval) || cfg->interval < 0.01)
			fail_value(st, "interval", arg, "interval",
				   "expected seconds >= 0.01 and <= 31536000");
		break;
	case 'n':
		if (cli_netns_inode(arg, &cfg->netns, why, sizeof(why)))
			fail_value(st, "netns", arg, "netns", why);
		break;
	case 'P':
		add_port(st, arg);
		break;
	case OPT_ABANDON_AFTER:
		if (parse_seconds(arg, &cfg->abandon_after) || cfg->abandon_after < 0.01)
			fail_value(st, "abandon-after", arg, "abandon-after",
				   "expected seconds >= 0.01 and <= 31536000");
		break;
	case OPT_RATE_LIMIT:
		if (parse_range(arg, 0, 1000000, &v))
			fail_value(st, "rate limit", arg, "rate-limit", "expected 0..1000000 records per second");
		else
			cfg->rate_limit = v;
		break;
	case OPT_METRICS_ADDR:
		if (metrics_parse_addr(arg, host, sizeof(host), &port, why, sizeof(why)))
			fail_value(st, "address", arg, "metrics-addr", why);
		else
			snprintf(cfg->metrics_addr, sizeof(cfg->metrics_addr), "%s", arg);
		break;
	case 'q':
		cfg->quiet = true;
		break;
	case OPT_CGROUP:
		if (cli_cgroup_path(arg, cfg, why, sizeof(why)))
			fail_value(st, "cgroup", arg, "cgroup", why);
		break;
	case OPT_NO_SYSCALL_TRACEPOINTS:
		cfg->no_syscall_tracepoints = true;
		break;
	case OPT_MODE:
		if (!strcmp(arg, "auto"))
			cfg->mode = MODE_AUTO;
		else if (!strcmp(arg, "fentry"))
			cfg->mode = MODE_FENTRY;
		else if (!strcmp(arg, "tracepoint"))
			cfg->mode = MODE_TRACEPOINT;
		else
			fail_value(st, "mode", arg, "mode", "expected auto, fentry or tracepoint");
		break;
	case 'p':
		if (parse_range(arg, 1, MAX_PID, &v))
			fail_value(st, "pid", arg, "pid", "expected 1..4194304");
		else
			cfg->pid = v;
		break;
	case 'h':
		print_help(st->out);
		st->done = true;
		break;
	case OPT_USAGE:
		argp_help(&argp, st->out, ARGP_HELP_USAGE, (char *)PROG);
		st->done = true;
		break;
	case OPT_VERSION:
		fprintf(st->out, "%s %s\n", PROG, TB_VERSION);
		st->done = true;
		break;
	case ARGP_KEY_ARG: {
		char q[MSG_VALUE_MAX * 4 + 8];

		quote_value(q, sizeof(q), arg);
		fail(st, "unexpected argument '%s'", q);
		break;
	}
	default:
		return ARGP_ERR_UNKNOWN;
	}
	/* stop at the first error or at --help, as getopt programs do */
	return st->failed || st->done ? ECANCELED : 0;
}

/* The option with this argp key, or NULL. */
static const struct argp_option *find_option(int key)
{
	const struct argp_option *o;

	for (o = options; o->name; o++)
		if (o->key == key)
			return o;
	return NULL;
}

/* How many option names start with the name in "--name[=value]". */
static int count_long_matches(const char *word)
{
	size_t n = strcspn(word + 2, "=");
	const struct argp_option *o;
	int matches = 0;

	for (o = options; o->name; o++)
		if (!strncmp(o->name, word + 2, n))
			matches++;
	return matches;
}

/*
 * Why argp runs silent (ARGP_NO_ERRS) instead of reporting syntax errors
 * itself: getopt writes its message to the process's stderr, not to the
 * caller's stream, and argp always adds a second line ("Try `tcpbacklog
 * --help' ..."), where an error here is one line on err. So when argp
 * returns EINVAL, getopt itself is run again, quietly, on the same option
 * table: it finds the culprit, this only words the message.
 */
static void syntax_error(struct parse_state *st, int argc, char **args)
{
	struct option long_options[ARRAY_SIZE(options)] = { 0 };
	/* the leading ':' tells a missing value apart from other errors */
	char short_options[2 + 2 * ARRAY_SIZE(options)] = ":";
	char q[MSG_VALUE_MAX * 4 + 8];
	const struct argp_option *o;
	const char *word;
	size_t i, n = 1;
	int c;

	for (i = 0; options[i].name; i++) {
		o = &options[i];
		long_options[i] = (struct option){ o->name, o->arg ? required_argument : no_argument,
						   NULL, o->key };
		if (o->key > 0 && o->key <= UCHAR_MAX && isprint(o->key)) {
			short_options[n++] = (char)o->key;
			if (o->arg)
				short_options[n++] = ':';
		}
	}
	short_options[n] = '\0';

	optind = 0;	/* glibc: start afresh */
	opterr = 0;
	do
		c = getopt_long(argc, args, short_options, long_options, NULL);
	while (c != -1 && c != '?' && c != ':');
	word = args[optind - 1];	/* after a long option's error: that option */

	if (c == ':') {
		o = find_option(optopt);
		if (word[1] == '-')
			fail(st, "option '--%s' requires a value (%s)", o->name, o->arg);
		else
			fail(st, "option '-%c' (--%s) requires a value (%s)", o->key, o->name, o->arg);
	} else if (c == '?' && optopt) {
		/* the value of an option that takes none, or an unknown short option */
		o = find_option(optopt);
		if (o) {
			fail(st, "option '--%s' does not take a value", o->name);
		} else {
			quote_value(q, sizeof(q), (char[]){ (char)optopt, 0 });
			fail(st, "unrecognized option '-%s'", q);
		}
	} else if (c == '?') {
		/* a long option getopt rejected: no name starts so, or several do */
		quote_value(q, sizeof(q), word);
		fail(st, "%s option '%s'", count_long_matches(word) > 1 ? "ambiguous" : "unrecognized", q);
	} else {
		fail(st, "invalid command line");
	}
}

static void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->rate_limit = 100;
	cfg->abandon_after = CLI_ABANDON_AFTER_DEFAULT;
}

enum cli_result cli_parse(int argc, char **argv, struct config *cfg, FILE *out, FILE *err)
{
	struct parse_state st = { .cfg = cfg, .out = out };
	char **args;
	error_t ret;
	int i;

	config_defaults(cfg);
	if (argc < 1 || !argv)
		return CLI_OK;

	/*
	 * getopt permutes argv; work on a copy so the caller's argv stays as
	 * it was, and so argv[0] does not change the program name in help.
	 */
	args = calloc(argc + 1, sizeof(*args));
	if (!args) {
		fprintf(err, "%s: %s\n", PROG, strerror(ENOMEM));
		return CLI_ERROR;
	}
	args[0] = (char *)PROG;
	for (i = 1; i < argc; i++)
		args[i] = argv[i];

	ret = argp_parse(&argp, argc, args, ARGP_NO_EXIT | ARGP_NO_ERRS | ARGP_NO_HELP,
			 NULL, &st);
	if (ret && !st.failed && !st.done) {
		if (ret == EINVAL) {
			/* argp permuted args: give getopt the caller's order again */
			for (i = 1; i < argc; i++)
				args[i] = argv[i];
			syntax_error(&st, argc, args);
		} else {
			fail(&st, "%s", strerror(ret));
		}
	}
	free(args);

	if (st.failed) {
		fprintf(err, "%s: %s\n", PROG, st.msg);
		config_defaults(cfg);
		return CLI_ERROR;
	}
	if (st.done) {
		config_defaults(cfg);
		return CLI_EXIT;
	}
	return CLI_OK;
}
