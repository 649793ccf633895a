// SPDX-License-Identifier: GPL-2.0
/*
 * The /metrics HTTP server. The exposition text is rendered once per
 * publish, wrapped in a libmicrohttpd response and swapped in under a
 * mutex; scrapes only take a reference to the current response, so a
 * scrape never waits for rendering and never sees half of an update, and
 * a publish never waits for a scrape (the lock covers a pointer swap).
 * Scrapers are bounded: connections in all and per client address, an
 * idle timeout, a deadline for each request, and a fixed memory pool per
 * connection; the response itself is shared, never copied per client.
 */
#include <errno.h>
#include <fcntl.h>
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
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>

#include "format/exposition.h"
#include "format/metrics.h"
#include "setup/metrics_addr.h"
#include "format/mhd_lazy.h"
#include "format/series.h"

/*
 * Scrapers are few (an HA pair of Prometheus servers, an agent): a flood
 * from one address takes at most PER_IP_CONNECTIONS of the slots, the
 * others stay free for everyone else. A client that sends nothing for
 * CONN_TIMEOUT_S is dropped; each connection's buffers for the request
 * come from a pool of CONN_MEMORY bytes (a scrape's request is < 1 KiB).
 */
#define MAX_CONNECTIONS		64
#define PER_IP_CONNECTIONS	16
#define CONN_TIMEOUT_S		10
#define CONN_MEMORY		(16 * 1024)
/*
 * MHD's timeout counts idleness: a client sending a byte a second, or
 * reading one, would keep its slot for ever. Each connection must send a
 * whole request, and take the answer, within this; a scrape takes
 * milliseconds, and Prometheus gives up after 10 s by default.
 */
#define REQUEST_DEADLINE_NS	(10 * 1000000000LL)
#define LOG_INTERVAL_NS		1000000000LL	/* a flood logs once a second, no more */

/* A client connection, for the deadline. */
struct scrape_conn {
	/* a dup of the socket: shutdown() from the main thread never hits a reused fd */
	int fd;
	int64_t since_ns;		/* connected, or its last request came in */
	bool cut;
	struct scrape_conn *prev, *next;
};

struct metrics {
	struct MHD_Daemon *daemon;
	struct series_table series;		/* the main thread's only */
	/* the main thread's only: failed connects, the last interval's destinations */
	struct connect_error_count *connect_errors;
	size_t nconnect_errors;
	struct destination_report *destinations;
	size_t ndestinations;
	pthread_mutex_t lock;
	struct MHD_Response *scrape_response;	/* under lock: what scrapes get */
	uint64_t response_seq;			/* under lock: its render */
	uint64_t scraped_seq;			/* under lock: newest render a scrape got */
	/*
	 * Apart from lock: MHD may log from inside MHD_queue_response(), which
	 * a scrape calls holding lock.
	 */
	pthread_mutex_t log_lock;
	pthread_mutex_t conns_lock;
	struct scrape_conn *conns;		/* under conns_lock */
	int64_t last_log_ns;			/* under log_lock */
	/* under log_lock: while starting, MHD's last error goes here, not to stderr */
	char *start_error;
	size_t start_error_len;
};

static int64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void log_server_message(void *cls, const char *fmt, va_list ap)
{
	struct metrics *m = cls;
	int64_t now = monotonic_ns();
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	pthread_mutex_lock(&m->log_lock);
	if (m->start_error) {
		snprintf(m->start_error, m->start_error_len, "%s", msg);
	} else if (!m->last_log_ns || now - m->last_log_ns >= LOG_INTERVAL_NS) {
		m->last_log_ns = now;
		fprintf(stderr, "tcpbacklog: metrics: %s\n", msg);
	}
	pthread_mutex_unlock(&m->log_lock);
}

static enum MHD_Result reply_plain_text(struct MHD_Connection *conn, unsigned int status,
					const char *body, bool with_allow)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (with_allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result handle_request(void *cls, struct MHD_Connection *conn, const char *url,
				      const char *method, const char *version,
				      const char *upload_data, size_t *upload_data_size,
				      void **con_cls)
{
	struct metrics *m = cls;
	const union MHD_ConnectionInfo *info;
	enum MHD_Result ret;

	/* a request came in whole: the deadline now runs for its answer */
	info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (info && info->socket_context) {
		struct scrape_conn *c = info->socket_context;

		pthread_mutex_lock(&m->conns_lock);
		c->since_ns = monotonic_ns();
		pthread_mutex_unlock(&m->conns_lock);
	}
	if (strcmp(url, "/metrics"))
		return reply_plain_text(conn, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n", false);
	/* HEAD is GET without the body (RFC 9110): MHD leaves the body out */
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_plain_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n", true);

	/* queueing takes a reference: a publish may drop ours right after */
	pthread_mutex_lock(&m->lock);
	ret = MHD_queue_response(conn, MHD_HTTP_OK, m->scrape_response);
	/* a HEAD carries no values: it does not count as having seen them */
	if (ret == MHD_YES && !strcmp(method, MHD_HTTP_METHOD_GET) && m->response_seq > m->scraped_seq)
		m->scraped_seq = m->response_seq;
	pthread_mutex_unlock(&m->lock);
	return ret;
}

/* MHD's thread: a connection opens or closes. */
static void track_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			     enum MHD_ConnectionNotificationCode code)
{
	struct metrics *m = cls;
	struct scrape_conn *c = *socket_context;
	const union MHD_ConnectionInfo *info;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		c = calloc(1, sizeof(*c));
		if (!c || !info)
			goto untracked;
		c->fd = fcntl(info->connect_fd, F_DUPFD_CLOEXEC, 0);
		if (c->fd < 0)
			goto untracked;
		c->since_ns = monotonic_ns();
		pthread_mutex_lock(&m->conns_lock);
		c->next = m->conns;
		if (m->conns)
			m->conns->prev = c;
		m->conns = c;
		pthread_mutex_unlock(&m->conns_lock);
		*socket_context = c;
		return;
	}
	if (!c)
		return;
	pthread_mutex_lock(&m->conns_lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		m->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&m->conns_lock);
	close(c->fd);
	free(c);
	*socket_context = NULL;
	return;
untracked:
	/* out of descriptors or memory: MHD's own bounds still hold */
	free(c);
}

/* Connections past their deadline: shut down, MHD then closes them. */
static void cut_stalled(struct metrics *m)
{
	int64_t now = monotonic_ns();

	pthread_mutex_lock(&m->conns_lock);
	for (struct scrape_conn *c = m->conns; c; c = c->next) {
		if (!c->cut && now - c->since_ns >= REQUEST_DEADLINE_NS) {
			shutdown(c->fd, SHUT_RDWR);
			c->cut = true;
		}
	}
	pthread_mutex_unlock(&m->conns_lock);
}

static struct MHD_Response *render_response(const struct series_table *table, const struct totals *t,
					    const struct outbound_metrics *o)
{
	struct MHD_Response *resp;
	char *text;
	size_t len;

	len = exposition_render_outbound(table, t, o, &text);
	if (!text)
		return NULL;
	resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return NULL;
	}
	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, EXPOSITION_CONTENT_TYPE) != MHD_YES) {
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
	return MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handle_request, m,
				MHD_OPTION_SOCK_ADDR, sa,
				MHD_OPTION_EXTERNAL_LOGGER, log_server_message, m,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)MAX_CONNECTIONS,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)PER_IP_CONNECTIONS,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONN_TIMEOUT_S,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
				MHD_OPTION_NOTIFY_CONNECTION, track_connection, m,
				MHD_OPTION_END);
}

/* Stop the server if it runs, then free everything: for a failed start and for the end. */
static void metrics_free(struct metrics *m)
{
	if (m->daemon)
		MHD_stop_daemon(m->daemon);
	if (m->scrape_response)
		MHD_destroy_response(m->scrape_response);
	pthread_mutex_destroy(&m->lock);
	pthread_mutex_destroy(&m->log_lock);
	pthread_mutex_destroy(&m->conns_lock);
	series_table_free(&m->series);
	free(m->connect_errors);
	free(m->destinations);
	free(m);
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
	char host[256], portstr[8], mhd_error[200] = "";
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
	pthread_mutex_init(&m->log_lock, NULL);
	pthread_mutex_init(&m->conns_lock, NULL);
	series_table_init(&m->series);
	m->scrape_response = render_response(NULL, NULL, NULL);
	if (!m->scrape_response) {
		snprintf(errbuf, errlen, "metrics: %s", strerror(ENOMEM));
		goto fail;
	}
	m->start_error = mhd_error;
	m->start_error_len = sizeof(mhd_error);

	if (!host[0]) {
		/* every address: IPv6 dual stack, or IPv4 alone where IPv6 is off */
		any6.sin6_port = htons(port);
		any4.sin_port = htons(port);
		m->daemon = start_daemon(m, (struct sockaddr *)&any6, port);
		if (!m->daemon) {
			/* report why IPv6 failed, the wider of the two */
			char ipv6_error[sizeof(mhd_error)];

			memcpy(ipv6_error, mhd_error, sizeof(ipv6_error));
			m->daemon = start_daemon(m, (struct sockaddr *)&any4, port);
			if (!m->daemon)
				memcpy(mhd_error, ipv6_error, sizeof(mhd_error));
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

	pthread_mutex_lock(&m->log_lock);
	m->start_error = NULL;
	pthread_mutex_unlock(&m->log_lock);
	if (!m->daemon) {
		snprintf(errbuf, errlen, "metrics: cannot serve on %s: %s", addr,
			 mhd_error[0] ? mhd_error : "libmicrohttpd failed to start");
		goto fail;
	}
	return m;
fail:
	metrics_free(m);
	return NULL;
}

void metrics_observe(struct metrics *m, const struct listener_snapshot *snaps, size_t n)
{
	if (m)
		series_table_observe(&m->series, snaps, n);
}

void metrics_publish(struct metrics *m, const struct listener_snapshot *snaps, size_t n,
		     const struct totals *t)
{
	struct MHD_Response *resp, *old;
	uint64_t scraped_seq, seq;
	struct outbound_metrics outbound;

	if (!m)
		return;
	outbound = (struct outbound_metrics){
		.errors = m->connect_errors, .nerrors = m->nconnect_errors,
		.destinations = m->destinations, .ndestinations = m->ndestinations,
	};
	cut_stalled(m);
	pthread_mutex_lock(&m->lock);
	scraped_seq = m->scraped_seq;
	pthread_mutex_unlock(&m->lock);
	/* render outside the lock; out of memory: scrapes keep the last copy */
	seq = series_table_render(&m->series, snaps, n, monotonic_ns(), scraped_seq);
	if (!seq)
		return;
	/* no failed connect yet: no outbound families, the exposition stays as it was */
	resp = render_response(&m->series, t, m->nconnect_errors || m->ndestinations ? &outbound : NULL);
	if (!resp)
		return;
	pthread_mutex_lock(&m->lock);
	old = m->scrape_response;
	m->scrape_response = resp;
	m->response_seq = seq;
	pthread_mutex_unlock(&m->lock);
	MHD_destroy_response(old);
}

/* Replace *items (n of size each) with a copy of src; out of memory: keeps the old copy. */
static void replace_copy(void **items, size_t *nitems, const void *src, size_t n, size_t size)
{
	void *copy = n ? malloc(n * size) : NULL;

	if (n && !copy)
		return;
	if (n)
		memcpy(copy, src, n * size);
	free(*items);
	*items = copy;
	*nitems = n;
}

void metrics_observe_connect_errors(struct metrics *m, const struct connect_error_count *errors, size_t n)
{
	if (m)
		replace_copy((void **)&m->connect_errors, &m->nconnect_errors, errors, n, sizeof(*errors));
}

void metrics_observe_destinations(struct metrics *m, const struct destination_report *d, size_t n)
{
	if (m)
		replace_copy((void **)&m->destinations, &m->ndestinations, d, n, sizeof(*d));
}

void metrics_stop(struct metrics *m)
{
	if (m)
		metrics_free(m);
}
