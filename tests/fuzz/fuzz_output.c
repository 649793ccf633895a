// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: every formatter of user/format/output.h (start, event,
 * interval, suppressed, summary, totals; JSON and text) on structs built from fuzz
 * bytes, strings included (comm is attacker-controlled; the others are
 * escaped too and must never break a line or a record).
 *
 * Listener reports come three ways: raw bytes, stats_whole_run() of a
 * raw snapshot, or stats_update() over two raw snapshots, so the numbers
 * stats.c derives (percentiles, deltas of counters that went down) reach
 * the formatters as well.
 *
 * Checked (fuzz_check.h, fuzz_format.h): JSON records valid and one line
 * each, as many as promised, no key twice; text lines printable ASCII,
 * one word per table cell. Suppressed records are written for each
 * listener of the interval. Destination records come from raw bytes, with
 * the port_exhaustion hints hints.c gives for them.
 */
#include <stddef.h>
#include <sys/socket.h>

#include "fuzz_format.h"
#include "fuzz_output.h"
#include "aggregate/destinations.h"
#include "aggregate/hints.h"
#include "aggregate/stats.h"

#define MAX_REPORTS	4
#define MAX_HINTS	4
#define MAX_PROBES	4

/* the hint kinds hints.c uses, and one from the input */
static const char *const hint_kinds[] = {
	"backlog_clamped", "backlog_small", "slow_accept", "fd_limit", "syn_queue_full",
};

static void check_start(const struct start_info *info)
{
	struct fz_sink s;
	int n;

	fz_sink_open(&s);
	output_json.start(s.f, info);
	fz_sink_close(&s);
	n = fz_check_json(s.buf, s.len);
	FZ_ASSERT(n == 1, "JSON start: not exactly one record", s.buf, s.len);
	fz_sink_free(&s);

	fz_sink_open(&s);
	output_text.start(s.f, info);
	fz_sink_close(&s);
	n = fz_check_text(s.buf, s.len);
	FZ_ASSERT(n == ((info->probes && info->probes[0]) ? 3 : 2),
		  "text start: wrong number of lines", s.buf, s.len);
	{
		/* the column header is the last line: 11 columns */
		const char *last = s.buf + s.len - 1;

		while (last > s.buf && last[-1] != '\n')
			last--;
		FZ_ASSERT(fz_words(last, (size_t)(s.buf + s.len - last)) == 11,
			  "text start: header not 11 columns", s.buf, s.len);
	}
	fz_sink_free(&s);
}

static void check_totals(const struct totals *t)
{
	struct fz_sink s;

	fz_sink_open(&s);
	output_json.totals(s.f, t);
	fz_sink_close(&s);
	FZ_ASSERT(fz_check_json(s.buf, s.len) == 1, "JSON totals: not one record", s.buf, s.len);
	fz_sink_free(&s);

	fz_sink_open(&s);
	output_text.totals(s.f, t);
	fz_sink_close(&s);
	FZ_ASSERT(fz_check_text(s.buf, s.len) == 1, "text totals: not one line", s.buf, s.len);
	fz_sink_free(&s);
}

/* lines under a listener's row: one per acceptor listed, one for the rest */
static int acceptor_lines(const struct listener_snapshot *s)
{
	return s->nacceptors + (s->acceptors_other.processes != 0);
}

/*
 * text listener table: header and rows of 15 one-word cells, each row
 * followed by its acceptors' lines of 6 words ("acceptor", who, four counts)
 * and a rest line of 4
 */
static void check_text_table(const char *buf, size_t len, const struct listener_report *r, int n)
{
	const char *p = buf, *end = buf + len;
	int line = 0, row = -1, under = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = (size_t)(nl - p);

		/* a row's "  clients: ..." line, after its acceptors' lines */
		if (l > 10 && !memcmp(p, "  clients:", 10)) {
			FZ_ASSERT(n > 0 && row >= 0 && under == 0, "text clients line not under a row", p, l);
			p = nl + 1;
			line++;
			continue;
		}
		/* line 0: "--- time listeners ---"; 1: header; then the rows */
		if (n > 0 && line == 1) {
			FZ_ASSERT(fz_words(p, l) == 16, "text listener header: not 16 columns", p, l);
		} else if (n > 0 && line > 1 && row < n) {
			if (under > 0) {
				bool rest = under == 1 && r[row].now->acceptors_other.processes;

				FZ_ASSERT(fz_words(p, l) == (rest ? 4 : 6), "text acceptor line: wrong words", p, l);
				under--;
			} else if (++row < n) {
				FZ_ASSERT(fz_words(p, l) == 16, "text listener row: not 16 columns", p, l);
				under = acceptor_lines(r[row].now);
			}
		}
		p = nl + 1;
		line++;
	}
}

/* listeners whose drops cost their clients something: a "clients:" line each */
static int client_lines(const struct listener_report *r, int n)
{
	int lines = 0;

	for (int i = 0; i < n; i++)
		lines += r[i].delayed || r[i].retried_syns || r[i].synack_retransmits || r[i].abandoned ||
			 r[i].untracked || r[i].now->pending;
	return lines;
}

static void check_interval(uint64_t time_ns, const struct listener_report *r, int n,
			   const struct hint *h, int nh)
{
	struct fz_sink s;
	int lines;

	fz_sink_open(&s);
	output_json.interval(s.f, time_ns, r, n, h, nh);
	fz_sink_close(&s);
	lines = fz_check_json(s.buf, s.len);
	FZ_ASSERT(lines == n + nh, "JSON interval: not one record per listener and hint",
		  s.buf, s.len);
	fz_sink_free(&s);

	fz_sink_open(&s);
	output_text.interval(s.f, time_ns, r, n, h, nh);
	fz_sink_close(&s);
	lines = fz_check_text(s.buf, s.len);
	{
		int want = 1 + (n > 0 ? 1 + n : 1) + nh + client_lines(r, n);

		for (int i = 0; i < n; i++)
			want += acceptor_lines(r[i].now);
		FZ_ASSERT(lines == want, "text interval: wrong number of lines", s.buf, s.len);
	}
	check_text_table(s.buf, s.len, r, n);
	fz_sink_free(&s);

	fz_sink_open(&s);
	output_json.summary(s.f, r, n);
	fz_sink_close(&s);
	fz_check_json(s.buf, s.len);
	fz_sink_free(&s);

	fz_sink_open(&s);
	output_text.summary(s.f, r, n);
	fz_sink_close(&s);
	fz_check_text(s.buf, s.len);
	fz_sink_free(&s);
}

/* the record of listener s held back by --rate-limit or lost: one line */
static void check_suppressed(uint64_t time_ns, const struct listener_snapshot *snap,
			     uint64_t suppressed, uint64_t lost)
{
	struct fz_sink s;

	fz_sink_open(&s);
	output_json.suppressed(s.f, time_ns, snap, suppressed, lost);
	fz_sink_close(&s);
	FZ_ASSERT(fz_check_json(s.buf, s.len) == 1, "JSON suppressed: not one record", s.buf, s.len);
	fz_sink_free(&s);

	fz_sink_open(&s);
	output_text.suppressed(s.f, time_ns, snap, suppressed, lost);
	fz_sink_close(&s);
	FZ_ASSERT(fz_check_text(s.buf, s.len) == 1, "text suppressed: not one line", s.buf, s.len);
	/* 10 one-word cells, then "N over the rate limit, N lost" */
	FZ_ASSERT(fz_words(s.buf, s.len) == 17, "text suppressed: not 10 cells and the detail",
		  s.buf, s.len);
	fz_sink_free(&s);
}

/* raw bytes into a snapshot: strings ended, each bool a valid 0 or 1 */
static void terminate_snapshot(struct listener_snapshot *s)
{
	s->laddr[sizeof(s->laddr) - 1] = '\0';
	s->comm[sizeof(s->comm) - 1] = '\0';
	s->acceptor_comm[sizeof(s->acceptor_comm) - 1] = '\0';
	s->netns_name[sizeof(s->netns_name) - 1] = '\0';
	cgroup_identity_terminate(&s->identity);
	cgroup_identity_terminate(&s->acceptor_identity);
	*(unsigned char *)&s->in_cgroup &= 1;
	*(unsigned char *)&s->listening &= 1;
	*(unsigned char *)&s->closed &= 1;
	*(unsigned char *)&s->acceptors_known &= 1;
	s->nacceptors = (int)((unsigned int)s->nacceptors % (SNAPSHOT_ACCEPTORS + 1));
	for (int i = 0; i < SNAPSHOT_ACCEPTORS; i++)
		s->acceptors[i].comm[sizeof(s->acceptors[i].comm) - 1] = '\0';
}

static void check_destinations(uint64_t time_ns, const struct destination_report *r, int n, int omitted,
			       const struct hint *h, int nh)
{
	int want = n + (omitted > 0) + nh;
	struct fz_sink s;

	fz_sink_open(&s);
	output_json.destinations(s.f, time_ns, r, n, omitted, h, nh);
	fz_sink_close(&s);
	FZ_ASSERT(fz_check_json(s.buf, s.len) == want, "JSON destinations: not one record each", s.buf, s.len);
	fz_sink_free(&s);

	fz_sink_open(&s);
	output_text.destinations(s.f, time_ns, r, n, omitted, h, nh);
	fz_sink_close(&s);
	FZ_ASSERT(fz_check_text(s.buf, s.len) == want, "text destinations: not one line each", s.buf, s.len);
	fz_sink_free(&s);
}

/* destination reports from raw bytes, strings terminated, counts in range; their hints */
static void fuzz_destinations(struct fz *c, uint64_t time_ns)
{
	static struct destination_report r[MAX_REPORTS];
	static struct hint h[MAX_REPORTS];
	int n = fz_u8(c) % (MAX_REPORTS + 1), nh = 0, omitted = (int)(fz_u8(c) % 3);

	for (int i = 0; i < n; i++) {
		fz_bytes(c, &r[i], sizeof(r[i]));
		r[i].raddr[sizeof(r[i].raddr) - 1] = '\0';
		r[i].netns_name[sizeof(r[i].netns_name) - 1] = '\0';
		r[i].nerrnos = (int)((unsigned int)r[i].nerrnos % (DESTINATION_ERRNOS + 1));
		*(unsigned char *)&r[i].ports_in_use.known &= 1;
		*(unsigned char *)&r[i].ports_at_failure.known &= 1;
		nh += hint_port_exhaustion(&r[i], &h[nh]);
	}
	check_destinations(time_ns, r, n, omitted, h, nh);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct listener_snapshot snaps[MAX_REPORTS], prev[MAX_REPORTS];
	static struct listener_report reports[MAX_REPORTS];
	static struct hint hints[MAX_HINTS];
	char mode[64], kernel[128], probe_buf[MAX_PROBES][64], kind_buf[MAX_HINTS][32];
	const char *probes[MAX_PROBES + 1];
	uint16_t ports[TB_MAX_PORTS];
	struct fz c = { .p = data, .left = size };
	struct start_info info;
	struct totals totals;
	struct event ev;
	uint64_t time_ns;
	int i, n, nh, np;

	/* start record */
	memset(&info, 0, sizeof(info));
	fz_str(&c, mode, sizeof(mode));
	fz_str(&c, kernel, sizeof(kernel));
	info.mode = fz_u8(&c) & 1 ? NULL : mode;
	info.kernel = kernel;
	np = fz_u8(&c) % (MAX_PROBES + 1);
	for (i = 0; i < np; i++) {
		fz_str(&c, probe_buf[i], sizeof(probe_buf[i]));
		probes[i] = probe_buf[i];
	}
	probes[np] = NULL;
	info.probes = probes;
	info.netns = fz_u32(&c);
	info.nports = fz_u8(&c) % (TB_MAX_PORTS + 1);
	for (i = 0; i < info.nports; i++)
		ports[i] = fz_u16(&c);
	info.ports = ports;
	info.pid = fz_u32(&c);
	fz_bytes(&c, &info.duration, sizeof(info.duration));
	info.somaxconn = (long)fz_u64(&c);
	info.tcp_max_syn_backlog = (long)fz_u64(&c);
	info.tcp_syncookies = (long)fz_u64(&c);
	info.tcp_abort_on_overflow = (long)fz_u64(&c);
	info.file_max = (long)fz_u64(&c);
	info.nr_open = (long)fz_u64(&c);
	fz_bytes(&c, &info.interval, sizeof(info.interval));
	info.listeners = fz_u32(&c);
	check_start(&info);

	/* one event, then the totals */
	fz_event(&c, &ev);
	fz_format_event(&ev);
	fz_bytes(&c, &totals, sizeof(totals));
	check_totals(&totals);

	/* an interval: reports and hints */
	time_ns = fz_u64(&c);
	n = fz_u8(&c) % (MAX_REPORTS + 1);
	for (i = 0; i < n; i++) {
		uint8_t how = fz_u8(&c) % 3;

		fz_bytes(&c, &snaps[i], sizeof(snaps[i]));
		terminate_snapshot(&snaps[i]);
		if (how == 0) {
			fz_bytes(&c, &reports[i], sizeof(reports[i]));
			reports[i].now = &snaps[i];
		} else if (how == 1) {
			struct stats none;

			stats_init(&none);
			stats_whole_run(&none, &snaps[i], &reports[i]);
		} else {
			struct stats st;

			fz_bytes(&c, &prev[i], sizeof(prev[i]));
			terminate_snapshot(&prev[i]);
			prev[i].id = snaps[i].id;
			stats_init(&st);
			stats_update(&st, &prev[i], 1, NULL);
			stats_update(&st, &snaps[i], 1, &reports[i]);
			stats_free(&st);
			FZ_ASSERT(reports[i].now == &snaps[i], "stats_update: report of another snapshot",
				  "", 0);
			FZ_ASSERT(reports[i].nerrnos >= 0 && reports[i].nerrnos <= SNAPSHOT_ERRNOS,
				  "stats_update: nerrnos out of range", "", 0);
		}
	}
	nh = fz_u8(&c) % (MAX_HINTS + 1);
	for (i = 0; i < nh; i++) {
		uint8_t k;

		memset(&hints[i], 0, sizeof(hints[i]));
		hints[i].netns = fz_u32(&c);
		fz_str(&c, hints[i].laddr, sizeof(hints[i].laddr));
		fz_str(&c, hints[i].netns_name, sizeof(hints[i].netns_name));
		hints[i].lport = fz_u16(&c);
		k = fz_u8(&c);
		if (k < sizeof(hint_kinds) / sizeof(hint_kinds[0])) {
			hints[i].kind = hint_kinds[k];
		} else {
			fz_str(&c, kind_buf[i], sizeof(kind_buf[i]));
			hints[i].kind = kind_buf[i];
		}
		/* texts up to the full buffer: a 2-byte length */
		{
			size_t len = fz_u16(&c) % HINT_TEXT_LEN;

			fz_bytes(&c, hints[i].text, len);
			hints[i].text[len] = '\0';
		}
	}
	check_interval(time_ns, reports, n, hints, nh);
	for (i = 0; i < n; i++) {
		uint64_t sup = fz_u64(&c), lost = fz_u64(&c);

		check_suppressed(time_ns, &snaps[i], sup, lost);
	}
	fuzz_destinations(&c, time_ns);
	return 0;
}
