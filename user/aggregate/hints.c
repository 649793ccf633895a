// SPDX-License-Identifier: GPL-2.0
/*
 * Tuning advice from one interval report. Every hint names the figures
 * it rests on; none comes from defaults or guesses. The text holds only
 * numbers and fixed words: comm and addresses stay in their own fields,
 * for the formatters to escape.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "aggregate/hints.h"

/* accept latency at which the queue is the application's, not the backlog's, problem */
#define SLOW_ACCEPT_P99_US	100000
/* a backlog below this was asked for on purpose, or by a careless default */
#define SMALL_BACKLOG		128

static const struct sysctls unknown_sysctls = {
	.somaxconn = -1, .tcp_max_syn_backlog = -1, .tcp_syncookies = -1,
	.tcp_abort_on_overflow = -1, .file_max = -1, .nr_open = -1,
};

__attribute__((format(printf, 6, 7)))
static void add(struct hint *out, int *n, int max, const struct listener_report *r,
		const char *kind, const char *fmt, ...)
{
	struct hint *h;
	va_list ap;

	if (*n >= max)
		return;
	h = &out[(*n)++];
	memset(h, 0, sizeof(*h));
	h->netns = r->now->netns;
	snprintf(h->netns_name, sizeof(h->netns_name), "%s", r->now->netns_name);
	snprintf(h->laddr, sizeof(h->laddr), "%s", r->now->laddr);
	h->lport = r->now->lport;
	h->kind = kind;
	va_start(ap, fmt);
	vsnprintf(h->text, sizeof(h->text), fmt, ap);
	va_end(ap);
}

/* "850 us", "12.5 ms", "3.2 s" */
static const char *fmt_us(char *buf, size_t len, uint64_t us)
{
	if (us < 1000)
		snprintf(buf, len, "%" PRIu64 " us", us);
	else if (us < 1000000)
		snprintf(buf, len, "%.1f ms", (double)us / 1e3);
	else
		snprintf(buf, len, "%.1f s", (double)us / 1e6);
	return buf;
}

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

static uint64_t errno_delta(const struct listener_report *r, int err)
{
	int i;

	for (i = 0; i < r->nerrnos; i++)
		if (r->errnos[i].err == err)
			return r->errnos[i].count;
	return 0;
}

/* pids listed in a hint; the rest are counted */
#define HINT_PIDS	4

/*
 * "process 101", "processes 101, 102 and 3 more": the listener's acceptors
 * of the interval that pass keep(), busiest first. Returns how many passed.
 */
static int acceptor_pids(char *buf, size_t len, const struct listener_snapshot *s,
			 bool (*keep)(const struct acceptor_stats *a))
{
	int n = 0, listed = 0;
	size_t off;

	for (int i = 0; i < s->nacceptors; i++)
		n += keep(&s->acceptors[i]);
	off = snprintf(buf, len, "process%s", n == 1 ? "" : "es");
	for (int i = 0; i < s->nacceptors && listed < HINT_PIDS && off < len; i++) {
		if (!keep(&s->acceptors[i]))
			continue;
		off += snprintf(buf + off, len - off, "%s%" PRIu32, listed ? ", " : " ", s->acceptors[i].pid);
		listed++;
	}
	if (n > listed && off < len)
		snprintf(buf + off, len - off, " and %d more", n - listed);
	return n;
}

static bool accepted(const struct acceptor_stats *a)
{
	return a->accepts > 0;
}

static bool failed(const struct acceptor_stats *a)
{
	return a->accept_errors > 0;
}

/*
 * The queue was full and accept() did not keep up: the accepted waited
 * long, or, with no latency measured, fewer were accepted than dropped.
 */
static bool accept_slow(const struct listener_report *r, uint64_t overflows)
{
	const struct listener_snapshot *s = r->now;
	uint32_t peak = s->backlog_peak > s->backlog ? s->backlog_peak : s->backlog;

	if (peak < s->backlog_max)
		return false;
	if (r->latency.count)
		return r->latency.p99_us >= SLOW_ACCEPT_P99_US;
	return r->accepts < overflows;
}

static void queue_hints(const struct listener_report *r, const struct sysctls *sys,
			struct hint *out, int *n, int max)
{
	const struct listener_snapshot *s = r->now;
	uint64_t overflows = r->syn_drops_by_reason[TB_REASON_ACCEPT_QUEUE_FULL] +
			     r->accept_overflows;
	char p50[24], p99[24], mx[24], lat[96], who[96];

	if (!overflows)
		return;

	/* a bigger queue in front of a stuck application only holds clients longer */
	if (accept_slow(r, overflows)) {
		if (r->latency.count)
			snprintf(lat, sizeof(lat), "accept latency p50 %s, p99 %s, max %s",
				 fmt_us(p50, sizeof(p50), r->latency.p50_us),
				 fmt_us(p99, sizeof(p99), r->latency.p99_us),
				 fmt_us(mx, sizeof(mx), r->latency.max_us));
		else
			snprintf(lat, sizeof(lat), "accept latency not measured");
		/* the application is whoever accepts: name them, the listen() caller may not be one */
		int naccepting = acceptor_pids(who + strlen("the accepting "), sizeof(who) - strlen("the accepting "),
					       s, accepted);

		memcpy(who, "the accepting ", strlen("the accepting "));
		if (naccepting > 1)
			strncat(who, " are", sizeof(who) - strlen(who) - 1);
		else if (naccepting == 1)
			strncat(who, " is", sizeof(who) - strlen(who) - 1);
		else if (s->acceptor_pid)
			snprintf(who, sizeof(who), "process %" PRIu32 ", the last to try to accept, is",
				 s->acceptor_pid);
		else
			snprintf(who, sizeof(who), "the application is");
		add(out, n, max, r, "slow_accept",
		    "%" PRIu64 " connection%s dropped while the accept queue was full "
		    "(peak %" PRIu32 " of %" PRIu32 ") and %" PRIu64 " accepted: "
		    "%s not accepting fast enough (%s); "
		    "raising the backlog only adds latency.",
		    overflows, plural(overflows),
		    s->backlog_peak > s->backlog ? s->backlog_peak : s->backlog,
		    s->backlog_max, r->accepts, who, lat);
		return;
	}

	if (sys->somaxconn >= 0 && (long)s->backlog_max == sys->somaxconn) {
		add(out, n, max, r, "backlog_clamped",
		    "%" PRIu64 " connection%s dropped with the accept queue full at "
		    "%" PRIu32 ", the value of net.core.somaxconn, so the listen() "
		    "backlog was probably clamped: raise net.core.somaxconn "
		    "(now %ld) together with the application's listen() backlog.",
		    overflows, plural(overflows), s->backlog_max, sys->somaxconn);
		return;
	}

	if (s->backlog_max < SMALL_BACKLOG) {
		char cur[48] = "";

		if (sys->somaxconn >= 0)
			snprintf(cur, sizeof(cur), " (net.core.somaxconn is %ld)",
				 sys->somaxconn);
		add(out, n, max, r, "backlog_small",
		    "%" PRIu64 " connection%s dropped with the accept queue full: "
		    "the application asked for a backlog of only %" PRIu32
		    "; raise it in the application's listen() call%s.",
		    overflows, plural(overflows), s->backlog_max, cur);
	}
}

/*
 * "pid 101: 16 open, limit 16; pid 102: ...": the fds of the processes whose
 * accept failed, as the kernel saw them at each one's last failure.
 */
static void failed_fd_usage(char *buf, size_t len, const struct listener_snapshot *s)
{
	size_t off = 0;
	int listed = 0, more = 0;

	buf[0] = '\0';
	for (int i = 0; i < s->nacceptors && off < len; i++) {
		const struct acceptor_stats *a = &s->acceptors[i];
		char lim[24];

		if (!failed(a))
			continue;
		if (listed == HINT_PIDS) {
			more++;
			continue;
		}
		if (a->fail_nofile_limit == UINT64_MAX)
			snprintf(lim, sizeof(lim), "unlimited");
		else
			snprintf(lim, sizeof(lim), "%" PRIu64, a->fail_nofile_limit);
		off += snprintf(buf + off, len - off, "%spid %" PRIu32 ": ", listed ? "; " : "", a->pid);
		if (a->fail_open_fds >= 0 && off < len)
			off += snprintf(buf + off, len - off, "%" PRId64 " open, ", a->fail_open_fds);
		if (off < len)
			off += snprintf(buf + off, len - off, "limit %s", lim);
		listed++;
	}
	if (more && off < len)
		snprintf(buf + off, len - off, "; %d more", more);
}

static void fd_hints(const struct listener_report *r, const struct sysctls *sys,
		     struct hint *out, int *n, int max)
{
	const struct listener_snapshot *s = r->now;
	uint64_t emfile = errno_delta(r, EMFILE), enfile = errno_delta(r, ENFILE);

	if (emfile) {
		char use[HINT_TEXT_LEN / 2], who[64] = "the process";
		int nfailed = 0;

		/* whose accept failed, not the listen() caller: a prefork master never accepts */
		failed_fd_usage(use, sizeof(use), s);
		for (int i = 0; i < s->nacceptors; i++)
			nfailed += failed(&s->acceptors[i]);
		if (nfailed == 1)
			snprintf(who, sizeof(who), "the process whose accept failed");
		else if (nfailed > 1)
			snprintf(who, sizeof(who), "the %d processes whose accept failed", nfailed);
		add(out, n, max, r, "fd_limit",
		    "accept() failed %" PRIu64 " time%s with EMFILE: %s ran "
		    "out of file descriptors%s%s%s; raise LimitNOFILE= or ulimit -n, "
		    "or look for a descriptor leak.", emfile, plural(emfile), who,
		    use[0] ? " (at the last failure: " : "", use, use[0] ? ")" : "");
	}
	if (enfile) {
		char fmax[48] = "";

		if (sys->file_max >= 0)
			snprintf(fmax, sizeof(fmax), " (fs.file-max %ld)", sys->file_max);
		add(out, n, max, r, "fd_limit",
		    "accept() failed %" PRIu64 " time%s with ENFILE: the system-wide "
		    "file table is full%s; raise fs.file-max or find what holds "
		    "so many files open.", enfile, plural(enfile), fmax);
	}
}

static void syn_hints(const struct listener_report *r, const struct sysctls *sys,
		      struct hint *out, int *n, int max)
{
	uint64_t drops = r->syn_drops_by_reason[TB_REASON_SYN_QUEUE_FULL];
	char cur[48] = "";

	/* with syncookies on, a full SYN queue answers with cookies instead */
	if (!drops || sys->tcp_syncookies != 0)
		return;
	if (sys->tcp_max_syn_backlog >= 0)
		snprintf(cur, sizeof(cur), " (now %ld)", sys->tcp_max_syn_backlog);
	add(out, n, max, r, "syn_queue_full",
	    "%" PRIu64 " SYN%s dropped with the SYN queue full and syncookies off: "
	    "enable net.ipv4.tcp_syncookies=1 and raise "
	    "net.ipv4.tcp_max_syn_backlog%s with the listen() backlog "
	    "(now %" PRIu32 "); a burst nobody expected may be a SYN flood.",
	    drops, plural(drops), cur, r->now->backlog_max);
}

/* what the dropped packets cost: the connections that waited, and why */
static void delay_hints(const struct listener_report *r, struct hint *out, int *n, int max)
{
	/* the drops may have been in an earlier interval: the listener's whole run says why */
	uint64_t aqf = r->now->syn_drops[TB_REASON_ACCEPT_QUEUE_FULL] + r->now->accept_overflows;
	uint64_t sqf = r->now->syn_drops[TB_REASON_SYN_QUEUE_FULL];
	char p50[32], p99[32], mx[32], gave_up[64] = "";
	const char *cause;

	if (!r->delayed)
		return;
	if (aqf)
		cause = "the accept queue was full: the application does not accept fast enough, or its backlog is too small";
	else if (sqf)
		cause = "the SYN queue was full with syncookies off";
	else
		cause = "the listener dropped their SYNs or final ACKs";
	if (r->abandoned)
		snprintf(gave_up, sizeof(gave_up), "; %" PRIu64 " gave up", r->abandoned);
	add(out, n, max, r, "clients_delayed",
	    "%" PRIu64 " connection%s got in only after a dropped SYN or final ACK was sent again, "
	    "waiting %s more at the median, %s at p99, %s at most%s: %s.",
	    r->delayed, plural(r->delayed), fmt_us(p50, sizeof(p50), r->delay.p50_us),
	    fmt_us(p99, sizeof(p99), r->delay.p99_us), fmt_us(mx, sizeof(mx), r->delay.max_us),
	    gave_up, cause);
}

/*
 * A flood of spoofed SYNs: their sources never retry (nobody is there).
 * Real clients that cannot get in do. So: most dropped 4-tuples sent one
 * SYN only, well past the time any client would have retried.
 */
#define SYN_FLOOD_MIN	8	/* unretried 4-tuples below this are no flood */

static void flood_hints(const struct listener_report *r, struct hint *out, int *n, int max)
{
	const struct listener_snapshot *s = r->now;
	uint64_t unretried = s->stale_unretried + r->abandoned_unretried + r->untracked;
	uint64_t retried = s->stale_retried + r->delayed + (r->abandoned - r->abandoned_unretried);

	if (unretried < SYN_FLOOD_MIN || unretried <= retried)
		return;
	add(out, n, max, r, "syn_flood",
	    "%" PRIu64 " dropped connection attempts sent one SYN and never again (%" PRIu64
	    " still waiting, %" PRIu64 " given up, %" PRIu64 " not tracked), %" PRIu64
	    " retried or got in: most sources never retry, a SYN flood (spoofed sources) rather than "
	    "clients that cannot get in; keep net.ipv4.tcp_syncookies on and filter upstream.",
	    unretried, s->stale_unretried, r->abandoned_unretried, r->untracked, retried);
}

int hints_for(const struct listener_report *r, const struct sysctls *sys, struct hint *out, int max)
{
	int n = 0;

	if (!r || !r->now || !out || max <= 0)
		return 0;
	if (!sys)
		sys = &unknown_sysctls;
	queue_hints(r, sys, out, &n, max);
	fd_hints(r, sys, out, &n, max);
	syn_hints(r, sys, out, &n, max);
	delay_hints(r, out, &n, max);
	flood_hints(r, out, &n, max);
	return n;
}

/* percent of the port range held at which a destination runs short */
#define PORTS_SHORT_PERCENT	80

static uint64_t destination_errno_count(const struct destination_report *r, int err)
{
	for (int i = 0; i < r->nerrnos; i++)
		if (r->errnos[i].err == err)
			return r->errnos[i].count;
	return 0;
}

int hint_port_exhaustion(const struct destination_report *r, struct hint *out)
{
	uint64_t failed = destination_errno_count(r, EADDRNOTAVAIL);
	uint32_t range = r->port_high >= r->port_low && r->port_high ? r->port_high - r->port_low + 1u : 0;
	/* what holds them now, or else when the last connect failed */
	const struct port_usage *u = r->ports_in_use.known ? &r->ports_in_use : &r->ports_at_failure;
	uint32_t open = u->established + u->syn_sent + u->other;
	char why[80], held[64] = "", advice[160];

	if (failed)
		snprintf(why, sizeof(why), "%" PRIu64 " connect%s failed with EADDRNOTAVAIL, no local port left",
			 failed, plural(failed));
	else if (range && (uint64_t)r->ports_peak * 100 > (uint64_t)range * PORTS_SHORT_PERCENT)
		snprintf(why, sizeof(why), "%" PRIu32 " of %" PRIu32 " local ports in use", r->ports_peak, range);
	else
		return 0;
	if (u->known)
		snprintf(held, sizeof(held), " (%" PRIu32 " in TIME_WAIT, %" PRIu32 " open)", u->time_wait, open);
	if (!u->known)
		snprintf(advice, sizeof(advice), "reuse connections (keep-alive, a pool) rather than open new ones");
	else if (u->time_wait > open)
		snprintf(advice, sizeof(advice),
			 "TIME_WAIT holds most: reuse connections (keep-alive, a pool) rather than close them, "
			 "or set net.ipv4.tcp_tw_reuse=1 to reuse them toward this destination");
	else
		snprintf(advice, sizeof(advice),
			 "open connections hold them: pool and reuse connections, or fewer at once");
	memset(out, 0, sizeof(*out));
	out->netns = r->netns;
	snprintf(out->raddr, sizeof(out->raddr), "%s", r->raddr);
	out->rport = r->rport;
	out->kind = "port_exhaustion";
	snprintf(out->text, sizeof(out->text),
		 "%s toward this destination%s: %s; widen net.ipv4.ip_local_port_range, add source addresses, "
		 "and set IP_BIND_ADDRESS_NO_PORT before bind() so a port is picked per destination.",
		 why, held, advice);
	return 1;
}
