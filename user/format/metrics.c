// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus endpoint. The exposition text is rendered once per publish,
 * wrapped in a libmicrohttpd response and swapped in under a mutex;
 * scrapes only take a reference to the current response, so a scrape
 * never waits for rendering and never sees half of an update.
 */
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <microhttpd.h>

#include "decode/names.h"
#include "format/escape.h"
#include "format/metrics.h"
#include "format/mhd_lazy.h"

#ifndef TB_VERSION
#define TB_VERSION	"unknown"
#endif

#define CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"
#define MAX_CONNECTIONS	32	/* scrapers are few: bound what a flood can take */
#define CONN_TIMEOUT_S	10

/* ------------------------------------------------------------ rendering -- */

/* Worst case per input byte: one invalid byte becomes U+FFFD (3 bytes). */
#define LABEL_ESCAPED_MAX(n)	((n) * 3 + 1)

/*
 * A label value per the text exposition format: '\' '"' and newline
 * escaped, and, because Prometheus rejects a scrape with invalid UTF-8 in
 * it, every maximal invalid subsequence replaced by U+FFFD. Reads at most
 * max bytes of s (comm arrays need not be terminated); dst must hold
 * LABEL_ESCAPED_MAX(max) bytes.
 */
static void label_escape(char *dst, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strnlen(s, max), k, bad;
	char *d = dst;

	while (n) {
		unsigned char c = *p;

		if (c >= 0x80) {
			k = utf8_valid_len(p, n, &bad);
			if (k) {
				memcpy(d, p, k);
				d += k;
			} else {
				memcpy(d, "\xef\xbf\xbd", 3);
				d += 3;
				k = bad;
			}
			p += k;
			n -= k;
			continue;
		}
		if (c == '\\' || c == '"') {
			*d++ = '\\';
			*d++ = (char)c;
		} else if (c == '\n') {
			*d++ = '\\';
			*d++ = 'n';
		} else {
			*d++ = (char)c;
		}
		p++;
		n--;
	}
	*d = '\0';
}

/*
 * micros / 10^6 in the shortest form that reads back exactly, spelled as
 * Go's strconv 'g' does (what Prometheus' own clients print): "2e-06",
 * "1.6e-05", "0.000128", "1.048576", "1.5e+06". Exact: no binary
 * floating point on the way.
 */
static void put_seconds(FILE *out, unsigned __int128 micros)
{
	char digits[48];
	int len = 0, nd, exp, i;

	do {
		digits[len++] = (char)('0' + (int)(micros % 10));
		micros /= 10;
	} while (micros);
	for (i = 0; i < len / 2; i++) {
		char c = digits[i];

		digits[i] = digits[len - 1 - i];
		digits[len - 1 - i] = c;
	}
	if (len == 1 && digits[0] == '0') {
		fputc('0', out);
		return;
	}
	nd = len;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	exp = len - 1 - 6;	/* decimal exponent of the first digit */

	if (exp < -4 || exp >= 6) {
		fputc(digits[0], out);
		if (nd > 1)
			fprintf(out, ".%.*s", nd - 1, digits + 1);
		fprintf(out, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
		return;
	}
	if (exp < 0) {
		fputs("0.", out);
		for (i = -1; i > exp; i--)
			fputc('0', out);
		fprintf(out, "%.*s", nd, digits);
		return;
	}
	/* exp + 1 digits before the point, padded with zeros if nd is shorter */
	for (i = 0; i <= exp; i++)
		fputc(i < nd ? digits[i] : '0', out);
	if (nd > exp + 1)
		fprintf(out, ".%.*s", nd - exp - 1, digits + exp + 1);
}

/*
 * One time series label set: listeners that render to the same labels
 * (SO_REUSEPORT members of one program, or comms that differ only in
 * invalid bytes) are merged, since a scrape with duplicate series fails.
 */
struct series {
	char *labels;			/* netns="..",laddr="..",lport="..",comm=".." */
	uint32_t hash;
	uint64_t syn_drops[TB_REASON_MAX];
	uint64_t accept_overflows;
	uint64_t syncookies;
	uint64_t accepts;
	uint64_t suppressed;
	uint64_t lost;
	uint64_t backlog;
	uint64_t backlog_max;
	uint64_t synq;
	uint64_t lat_us_hist[TB_LAT_SLOTS];
	struct errno_count *errnos;	/* in order of first appearance */
	size_t nerrnos;
};

struct series_set {
	struct series *s;
	size_t n;
	size_t *slots;			/* open addressing: index + 1, 0 = free */
	size_t nslots;			/* power of two, > 2 * n */
};

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static struct series *series_get(struct series_set *set, const char *labels)
{
	uint32_t h = fnv1a(labels);
	size_t i = h & (set->nslots - 1);
	struct series *s;

	for (; set->slots[i]; i = (i + 1) & (set->nslots - 1)) {
		s = &set->s[set->slots[i] - 1];
		if (s->hash == h && !strcmp(s->labels, labels))
			return s;
	}
	s = &set->s[set->n];
	memset(s, 0, sizeof(*s));
	s->labels = strdup(labels);
	if (!s->labels)
		return NULL;
	s->hash = h;
	set->slots[i] = ++set->n;
	return s;
}

static int series_add_errno(struct series *s, int err, uint64_t count)
{
	struct errno_count *e;
	size_t i;

	for (i = 0; i < s->nerrnos; i++) {
		if (s->errnos[i].err == err) {
			s->errnos[i].count += count;
			return 0;
		}
	}
	e = realloc(s->errnos, (s->nerrnos + 1) * sizeof(*e));
	if (!e)
		return -1;
	s->errnos = e;
	s->errnos[s->nerrnos].err = err;
	s->errnos[s->nerrnos].count = count;
	s->nerrnos++;
	return 0;
}

static void series_free(struct series_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		free(set->s[i].labels);
		free(set->s[i].errnos);
	}
	free(set->s);
	free(set->slots);
}

static int series_build(struct series_set *set, const struct listener_snapshot *snaps, size_t n)
{
	char laddr[LABEL_ESCAPED_MAX(EVENT_ADDR_LEN)];
	char comm[LABEL_ESCAPED_MAX(EVENT_COMM_LEN)];
	char labels[sizeof(laddr) + sizeof(comm) + 64];
	size_t i;
	int r, k;

	memset(set, 0, sizeof(*set));
	for (set->nslots = 16; set->nslots <= 2 * n; set->nslots *= 2)
		;
	set->s = calloc(n ? n : 1, sizeof(*set->s));
	set->slots = calloc(set->nslots, sizeof(*set->slots));
	if (!set->s || !set->slots)
		return -1;

	for (i = 0; i < n; i++) {
		const struct listener_snapshot *p = &snaps[i];
		struct series *s;
		int nerr;

		if (!p->listening)
			continue;
		label_escape(laddr, p->laddr, sizeof(p->laddr));
		label_escape(comm, p->comm, sizeof(p->comm));
		snprintf(labels, sizeof(labels),
			 "netns=\"%" PRIu32 "\",laddr=\"%s\",lport=\"%u\",comm=\"%s\"",
			 p->netns, laddr, p->lport, comm);
		s = series_get(set, labels);
		if (!s)
			return -1;
		for (r = 0; r < TB_REASON_MAX; r++)
			s->syn_drops[r] += p->syn_drops[r];
		s->accept_overflows += p->accept_overflows;
		s->syncookies += p->syncookies;
		s->accepts += p->accepts;
		s->suppressed += p->suppressed;
		s->lost += p->lost;
		s->backlog += p->backlog;
		s->backlog_max += p->backlog_max;
		s->synq += p->synq;
		for (k = 0; k < TB_LAT_SLOTS; k++)
			s->lat_us_hist[k] += p->lat_us_hist[k];
		nerr = p->nerrnos < 0 ? 0 : p->nerrnos > SNAPSHOT_ERRNOS ? SNAPSHOT_ERRNOS : p->nerrnos;
		for (k = 0; k < nerr; k++)
			if (series_add_errno(s, p->errnos[k].err, p->errnos[k].count))
				return -1;
	}
	return 0;
}

static void put_family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{labels} value, for a per-listener counter or gauge */
static void put_per_listener(FILE *out, const struct series_set *set, const char *name,
			     const char *type, const char *help, size_t offset)
{
	size_t i;

	put_family(out, name, type, help);
	for (i = 0; i < set->n; i++) {
		const struct series *s = &set->s[i];
		uint64_t v = *(const uint64_t *)((const char *)s + offset);

		fprintf(out, "%s{%s} %" PRIu64 "\n", name, s->labels, v);
	}
}

/*
 * Midpoint of latency slot i in microseconds: [0, 2) -> 1, [2^i, 2^(i+1))
 * -> 3 * 2^(i-1). The open-ended last slot is taken as if it were closed
 * at twice its start, like the others.
 */
static uint64_t slot_mid_us(int i)
{
	return i == 0 ? 1 : 3ULL << (i - 1);
}

static void put_latency(FILE *out, const struct series_set *set)
{
	static const char name[] = "tcpbacklog_accept_latency_seconds";
	size_t i;
	int k;

	put_family(out, name, "histogram",
		   "Time from a connection entering the accept queue to accept() returning it. "
		   "Bucket counts are exact (log2 microsecond slots); _sum is an estimate that "
		   "takes each slot's midpoint.");
	for (i = 0; i < set->n; i++) {
		const struct series *s = &set->s[i];
		unsigned __int128 sum_us = 0;
		uint64_t cum = 0;

		/* the last slot is open-ended: it only shows in +Inf */
		for (k = 0; k < TB_LAT_SLOTS - 1; k++) {
			cum += s->lat_us_hist[k];
			fprintf(out, "%s_bucket{%s,le=\"", name, s->labels);
			put_seconds(out, 2ULL << k);
			fprintf(out, "\"} %" PRIu64 "\n", cum);
		}
		cum += s->lat_us_hist[TB_LAT_SLOTS - 1];
		fprintf(out, "%s_bucket{%s,le=\"+Inf\"} %" PRIu64 "\n", name, s->labels, cum);
		for (k = 0; k < TB_LAT_SLOTS; k++)
			sum_us += (unsigned __int128)s->lat_us_hist[k] * slot_mid_us(k);
		fprintf(out, "%s_sum{%s} ", name, s->labels);
		put_seconds(out, sum_us);
		fprintf(out, "\n%s_count{%s} %" PRIu64 "\n", name, s->labels, cum);
	}
}

#define OFF(field)	offsetof(struct series, field)

/* The tracer's own totals, as counters (offsets into struct totals). */
static const struct tracer_counter {
	const char *name;
	const char *help;
	size_t off;
} tracer_counters[] = {
	{ "tcpbacklog_tracer_suppressed_events_total",
	  "Event records held back by --rate-limit, all listeners.",
	  offsetof(struct totals, suppressed) },
	{ "tcpbacklog_tracer_lost_events_total",
	  "Event records lost because the ring buffer was full, all listeners.",
	  offsetof(struct totals, lost) },
	{ "tcpbacklog_tracer_registry_full_total",
	  "Listeners the tracer could not register because its listener map was full: "
	  "they have no per-listener series.",
	  offsetof(struct totals, registry_full) },
	{ "tcpbacklog_tracer_ambiguous_drops_total",
	  "Listen drops whose SO_REUSEPORT member was a guess (two members dropped at "
	  "the same instant): per-listener series may have swapped them.",
	  offsetof(struct totals, ambiguous) },
	{ "tcpbacklog_tracer_late_drops_total",
	  "Listen drops no packet showed, taken from the kernel's counters when the tracer "
	  "stopped: in the totals, on no listener.",
	  offsetof(struct totals, late) },
	{ "tcpbacklog_tracer_missed_runs_total",
	  "Runs of the tracer's programs the kernel skipped (one already running on that "
	  "CPU): drops stay counted, accepts and latency samples may be short.",
	  offsetof(struct totals, missed_runs) },
};

static void render(FILE *out, const struct series_set *set, const struct totals *t)
{
	static const struct totals zero;
	static const enum tb_reason reasons[] = {
		TB_REASON_ACCEPT_QUEUE_FULL, TB_REASON_SYN_QUEUE_FULL, TB_REASON_OTHER,
	};
	size_t i, r, e;

	if (!t)
		t = &zero;

	put_family(out, "tcpbacklog_syn_drops_total", "counter",
		   "SYNs a listener dropped, by reason: accept_queue_full (the application "
		   "accepts too slowly), syn_queue_full (half-open queue full, no syncookies), other.");
	for (i = 0; i < set->n; i++)
		for (r = 0; r < sizeof(reasons) / sizeof(reasons[0]); r++)
			fprintf(out, "tcpbacklog_syn_drops_total{%s,reason=\"%s\"} %" PRIu64 "\n",
				set->s[i].labels, reason_name(reasons[r]),
				set->s[i].syn_drops[reasons[r]]);

	put_per_listener(out, set, "tcpbacklog_accept_overflows_total", "counter",
			 "Final ACKs of handshakes a listener dropped because its accept queue was full.",
			 OFF(accept_overflows));

	put_family(out, "tcpbacklog_accept_errors_total", "counter",
		   "accept() and accept4() failures on a listener, by errno.");
	for (i = 0; i < set->n; i++)
		for (e = 0; e < set->s[i].nerrnos; e++)
			fprintf(out, "tcpbacklog_accept_errors_total{%s,error=\"%s\"} %" PRIu64 "\n",
				set->s[i].labels, errno_name(set->s[i].errnos[e].err),
				set->s[i].errnos[e].count);

	put_per_listener(out, set, "tcpbacklog_syncookies_total", "counter",
			 "SYN-ACKs a listener sent with a SYN cookie because its SYN queue was full.",
			 OFF(syncookies));
	put_per_listener(out, set, "tcpbacklog_accepts_total", "counter",
			 "Connections taken from a listener's accept queue by accept().",
			 OFF(accepts));
	put_per_listener(out, set, "tcpbacklog_accept_queue_length", "gauge",
			 "Established connections waiting for accept() now (summed over listeners "
			 "sharing these labels, e.g. SO_REUSEPORT).", OFF(backlog));
	put_per_listener(out, set, "tcpbacklog_accept_queue_max", "gauge",
			 "Accept queue limit: the listen() backlog after the somaxconn clamp "
			 "(summed over listeners sharing these labels).", OFF(backlog_max));
	put_per_listener(out, set, "tcpbacklog_syn_queue_length", "gauge",
			 "Half-open connections (SYN received, SYN-ACK sent) now (summed over "
			 "listeners sharing these labels).", OFF(synq));
	put_latency(out, set);
	put_per_listener(out, set, "tcpbacklog_suppressed_events_total", "counter",
			 "Event records of a listener held back by --rate-limit (still counted above).",
			 OFF(suppressed));
	put_per_listener(out, set, "tcpbacklog_lost_events_total", "counter",
			 "Event records of a listener lost because the ring buffer was full "
			 "(still counted above).", OFF(lost));

	put_family(out, "tcpbacklog_listen_drops_total", "counter",
		   "Listen drops in the traced scope, all listeners: syn_drop + accept_overflow "
		   "equals the kernel's TcpExtListenDrops.");
	fprintf(out, "tcpbacklog_listen_drops_total{kind=\"syn_drop\"} %" PRIu64 "\n", t->syn_drop);
	fprintf(out, "tcpbacklog_listen_drops_total{kind=\"accept_overflow\"} %" PRIu64 "\n",
		t->accept_overflow);
	/* the tracer's own counters: one unlabelled series each */
	for (size_t i = 0; i < sizeof(tracer_counters) / sizeof(tracer_counters[0]); i++) {
		const struct tracer_counter *c = &tracer_counters[i];

		put_family(out, c->name, "counter", c->help);
		fprintf(out, "%s %" PRIu64 "\n", c->name, *(const uint64_t *)((const char *)t + c->off));
	}
	put_family(out, "tcpbacklog_info", "gauge", "Version of the running tracer.");
	/* the version comes from git describe: escape it like any label value */
	{
		char version[LABEL_ESCAPED_MAX(64)];

		label_escape(version, TB_VERSION, 64);
		fprintf(out, "tcpbacklog_info{version=\"%s\"} 1\n", version);
	}
}

size_t metrics_render(const struct listener_snapshot *snaps, size_t n, const struct totals *t,
		      char **out)
{
	struct series_set set;
	size_t len = 0;
	FILE *f;

	*out = NULL;
	if (series_build(&set, snaps, n)) {
		series_free(&set);
		return 0;
	}
	f = open_memstream(out, &len);
	if (!f) {
		series_free(&set);
		return 0;
	}
	render(f, &set, t);
	if (fclose(f)) {
		free(*out);
		*out = NULL;
		len = 0;
	}
	series_free(&set);
	return len;
}

/* --------------------------------------------------------------- address -- */

int metrics_parse_addr(const char *addr, char *host, size_t hostlen, unsigned int *port,
		       char *errbuf, size_t errlen)
{
	const char *colon, *h, *p;
	size_t hlen;
	unsigned long v;
	char *end;

	if (!addr || !*addr) {
		snprintf(errbuf, errlen, "empty metrics address (expected HOST:PORT)");
		return -1;
	}
	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');

		if (!close) {
			snprintf(errbuf, errlen, "metrics address \"%s\": missing ']'", addr);
			return -1;
		}
		if (close[1] != ':') {
			snprintf(errbuf, errlen, "metrics address \"%s\": expected [IPv6]:PORT", addr);
			return -1;
		}
		h = addr + 1;
		hlen = (size_t)(close - h);
		p = close + 2;
		if (!hlen) {
			snprintf(errbuf, errlen, "metrics address \"%s\": empty IPv6 address", addr);
			return -1;
		}
		if (strspn(h, "0123456789abcdefABCDEF:.") < hlen) {
			snprintf(errbuf, errlen, "metrics address \"%s\": not an IPv6 address", addr);
			return -1;
		}
	} else {
		colon = strrchr(addr, ':');
		if (!colon) {
			snprintf(errbuf, errlen, "metrics address \"%s\": missing :PORT", addr);
			return -1;
		}
		h = addr;
		hlen = (size_t)(colon - addr);
		p = colon + 1;
		if (memchr(h, ':', hlen)) {
			snprintf(errbuf, errlen,
				 "metrics address \"%s\": put an IPv6 address in brackets, [ADDR]:PORT",
				 addr);
			return -1;
		}
		/* a name or an IPv4 address: nothing a resolver would choke on */
		if (strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") < hlen) {
			snprintf(errbuf, errlen, "metrics address \"%s\": invalid host \"%.*s\"",
				 addr, (int)hlen, h);
			return -1;
		}
	}
	if (!*p || strspn(p, "0123456789") != strlen(p)) {
		snprintf(errbuf, errlen, "metrics address \"%s\": port must be a number 1..65535", addr);
		return -1;
	}
	errno = 0;
	v = strtoul(p, &end, 10);
	if (errno || v < 1 || v > 65535) {
		snprintf(errbuf, errlen, "metrics address \"%s\": port must be 1..65535", addr);
		return -1;
	}
	if (hlen >= hostlen) {
		snprintf(errbuf, errlen, "metrics address \"%s\": host too long", addr);
		return -1;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = (unsigned int)v;
	return 0;
}

/* ---------------------------------------------------------------- server -- */

struct metrics {
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;
	struct MHD_Response *current;	/* under lock: what scrapes get */
	/* under lock: while starting, MHD's last error goes here, not to stderr */
	char *errbuf;
	size_t errlen;
};

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct metrics *m = cls;
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	pthread_mutex_lock(&m->lock);
	if (m->errbuf)
		snprintf(m->errbuf, m->errlen, "%s", msg);
	else
		fprintf(stderr, "tcpbacklog: metrics: %s\n", msg);
	pthread_mutex_unlock(&m->lock);
}

static enum MHD_Result reply_text(struct MHD_Connection *conn, unsigned int status,
				  const char *body, bool allow)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct metrics *m = cls;
	enum MHD_Result ret;

	if (strcmp(url, "/metrics"))
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n", false);
	/* HEAD is GET without the body (RFC 9110): MHD leaves the body out */
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n", true);

	/* queueing takes a reference: a publish may drop ours right after */
	pthread_mutex_lock(&m->lock);
	ret = MHD_queue_response(conn, MHD_HTTP_OK, m->current);
	pthread_mutex_unlock(&m->lock);
	return ret;
}

static struct MHD_Response *make_response(const struct listener_snapshot *snaps, size_t n,
					  const struct totals *t)
{
	struct MHD_Response *resp;
	char *text;
	size_t len;

	len = metrics_render(snaps, n, t, &text);
	if (!text)
		return NULL;
	resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return NULL;
	}
	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE) != MHD_YES) {
		MHD_destroy_response(resp);
		return NULL;
	}
	return resp;
}

static struct MHD_Daemon *start_daemon(struct metrics *m, const struct sockaddr *sa,
				       unsigned int port)
{
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;

	/* an IPv6 wildcard serves IPv4 too */
	if (sa->sa_family == AF_INET6)
		flags |= MHD_USE_DUAL_STACK;
	return MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handle, m,
				MHD_OPTION_SOCK_ADDR, sa,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, m,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)MAX_CONNECTIONS,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONN_TIMEOUT_S,
				MHD_OPTION_END);
}

struct metrics *metrics_start(const char *addr, char *errbuf, size_t errlen)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICSERV,
	};
	struct addrinfo *ai = NULL;
	struct sockaddr_in6 any6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in any4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
	char host[256], portstr[8], why[200] = "";
	struct metrics *m;
	unsigned int port;
	int rc;

	if (metrics_parse_addr(addr, host, sizeof(host), &port, errbuf, errlen))
		return NULL;
	if (mhd_load(errbuf, errlen))
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(errbuf, errlen, "metrics: %s", strerror(ENOMEM));
		return NULL;
	}
	pthread_mutex_init(&m->lock, NULL);
	m->current = make_response(NULL, 0, NULL);
	if (!m->current) {
		snprintf(errbuf, errlen, "metrics: %s", strerror(ENOMEM));
		goto fail;
	}
	m->errbuf = why;
	m->errlen = sizeof(why);

	if (!host[0]) {
		/* every address: IPv6 dual stack, or IPv4 alone where IPv6 is off */
		any6.sin6_port = htons(port);
		any4.sin_port = htons(port);
		m->daemon = start_daemon(m, (struct sockaddr *)&any6, port);
		if (!m->daemon) {
			char first[sizeof(why)];

			memcpy(first, why, sizeof(first));
			m->daemon = start_daemon(m, (struct sockaddr *)&any4, port);
			if (!m->daemon)
				memcpy(why, first, sizeof(why));
		}
	} else {
		snprintf(portstr, sizeof(portstr), "%u", port);
		rc = getaddrinfo(host, portstr, &hints, &ai);
		if (rc) {
			snprintf(errbuf, errlen, "metrics address \"%s\": %s", addr,
				 rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
			goto fail;
		}
		/* exactly the given host: its first address, nothing wider */
		m->daemon = start_daemon(m, ai->ai_addr, port);
		freeaddrinfo(ai);
	}

	pthread_mutex_lock(&m->lock);
	m->errbuf = NULL;
	pthread_mutex_unlock(&m->lock);
	if (!m->daemon) {
		snprintf(errbuf, errlen, "metrics: cannot serve on %s: %s", addr,
			 why[0] ? why : "libmicrohttpd failed to start");
		goto fail;
	}
	return m;
fail:
	if (m->current)
		MHD_destroy_response(m->current);
	pthread_mutex_destroy(&m->lock);
	free(m);
	return NULL;
}

void metrics_publish(struct metrics *m, const struct listener_snapshot *snaps, size_t n,
		     const struct totals *t)
{
	struct MHD_Response *resp, *old;

	if (!m)
		return;
	/* render outside the lock; out of memory: scrapes keep the last copy */
	resp = make_response(snaps, n, t);
	if (!resp)
		return;
	pthread_mutex_lock(&m->lock);
	old = m->current;
	m->current = resp;
	pthread_mutex_unlock(&m->lock);
	MHD_destroy_response(old);
}

void metrics_stop(struct metrics *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->daemon);
	MHD_destroy_response(m->current);
	pthread_mutex_destroy(&m->lock);
	free(m);
}
