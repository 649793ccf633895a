// SPDX-License-Identifier: GPL-2.0
/*
 * scrape_abuser: hostile scrapers of a /metrics endpoint, for DURATION_MS,
 * from source addresses other than the real scraper's: the fast ones from
 * FAST_SRC, the others from SRC.
 *   FAST  clients that scrape as fast as they can, over and over;
 *   SLOW  clients that send their request one byte a second;
 *   DEAF  clients that send 100 pipelined requests and never read.
 * Prints key=value counts at the end: fast scrapes answered 200, fast
 * attempts refused or cut; slow clients refused (closed within CUT_MS of
 * connecting) and cut later, and the longest a slow client was kept;
 * deaf clients connected and cut.
 *   scrape_abuser -d DST -p PORT [-s SRC] [-S FAST_SRC] [-f FAST] [-l SLOW] [-n DEAF]
 *                 [-t DURATION_MS]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* driver.h's accept4() */
#endif
#include "driver.h"

#include <pthread.h>

#define MAX_CLIENTS	512
#define CUT_MS		2000	/* a slow client closed after this was let in, then cut */

static const char request[] = "GET /metrics HTTP/1.1\r\nHost: tcpbacklog\r\n\r\n";
static struct sockaddr_in dst, src, fast_src;
static uint64_t deadline_ms;
static unsigned long fast_ok, fast_failed, slow_refused, slow_cut, slow_kept_ms_max;
static unsigned long deaf_connected, deaf_cut;
static pthread_mutex_t counts_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void count(unsigned long *what)
{
	pthread_mutex_lock(&counts_lock);
	(*what)++;
	pthread_mutex_unlock(&counts_lock);
}

/* a blocking socket from *from to dst with 1 s I/O timeouts; -1 on failure */
static int dial(const struct sockaddr_in *from)
{
	struct timeval tv = { .tv_sec = 1 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (bind(fd, (const struct sockaddr *)from, sizeof(*from)) ||
	    connect(fd, (struct sockaddr *)&dst, sizeof(dst))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void *fast_client(void *arg)
{
	char buf[16384];

	while (now_ms() < deadline_ms) {
		int fd = dial(&fast_src);
		ssize_t n, total = 0;
		bool ok = false;

		if (fd < 0) {
			count(&fast_failed);
			usleep(10000);	/* hostile, not a CPU burner on a shared test machine */
			continue;
		}
		if (write(fd, "GET /metrics HTTP/1.0\r\n\r\n", 25) == 25) {
			while ((n = read(fd, buf, sizeof(buf))) > 0) {
				if (!total && n >= 12 && !memcmp(buf + 9, "200", 3))
					ok = true;
				total += n;
			}
		}
		count(ok ? &fast_ok : &fast_failed);
		close(fd);
		if (!ok)
			usleep(10000);
	}
	return NULL;
}

static void slow_closed(uint64_t started_ms)
{
	unsigned long kept = (unsigned long)(now_ms() - started_ms);

	pthread_mutex_lock(&counts_lock);
	if (kept < CUT_MS) {
		slow_refused++;
	} else {
		slow_cut++;
		if (kept > slow_kept_ms_max)
			slow_kept_ms_max = kept;
	}
	pthread_mutex_unlock(&counts_lock);
}

static void *slow_client(void *arg)
{
	uint64_t started_ms = now_ms();
	int fd = dial(&src);
	char c;

	if (fd < 0) {
		slow_closed(started_ms);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(request) - 1 && now_ms() < deadline_ms; i++) {
		if (send(fd, &request[i], 1, MSG_NOSIGNAL) != 1) {
			slow_closed(started_ms);
			break;
		}
		sleep(1);
		/* the server gave up on us: EOF or a reset */
		if (recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK) == 0 ||
		    (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
			slow_closed(started_ms);
			break;
		}
	}
	close(fd);
	return NULL;
}

static void *deaf_client(void *arg)
{
	int fd = dial(&src);

	if (fd < 0)
		return NULL;
	count(&deaf_connected);
	for (int i = 0; i < 100; i++)
		if (send(fd, request, sizeof(request) - 1, MSG_NOSIGNAL) < 0)
			break;
	/* never read: only watch for the server hanging up */
	while (now_ms() < deadline_ms) {
		struct pollfd p = { .fd = fd, .events = POLLRDHUP };

		if (poll(&p, 1, 100) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR))) {
			count(&deaf_cut);
			break;
		}
	}
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	static const char usage[] =
		"-d DST -p PORT [-s SRC] [-S FAST_SRC] [-f FAST] [-l SLOW] [-n DEAF] [-t DURATION_MS]";
	const char *dst_text = NULL, *src_text = "127.0.0.1", *fast_src_text = NULL;
	unsigned int fast = 200, slow = 50, deaf = 50, duration_ms = 10000;
	static pthread_t threads[3 * MAX_CLIENTS];
	size_t nthreads = 0;
	uint16_t port = 0;
	const struct tb_option options[] = {
		TB_TEXT('d', dst_text),
		TB_NUMBER('p', port, 1, 65535, "port"),
		TB_TEXT('s', src_text),
		TB_TEXT('S', fast_src_text),
		TB_NUMBER('f', fast, 0, MAX_CLIENTS, "fast clients"),
		TB_NUMBER('l', slow, 0, MAX_CLIENTS, "slow clients"),
		TB_NUMBER('n', deaf, 0, MAX_CLIENTS, "deaf clients"),
		TB_NUMBER('t', duration_ms, 1, 300000, "duration (ms)"),
	};

	tb_prog = "scrape_abuser";
	TB_OPTIONS_PARSE(argc, argv, usage, options);
	if (!dst_text || !port)
		tb_usage_error(usage);
	signal(SIGPIPE, SIG_IGN);
	dst.sin_family = src.sin_family = fast_src.sin_family = AF_INET;
	dst.sin_port = htons(port);
	if (inet_pton(AF_INET, dst_text, &dst.sin_addr) != 1 ||
	    inet_pton(AF_INET, src_text, &src.sin_addr) != 1 ||
	    inet_pton(AF_INET, fast_src_text ? fast_src_text : src_text, &fast_src.sin_addr) != 1)
		tb_die("bad address");
	deadline_ms = now_ms() + duration_ms;

	for (unsigned int i = 0; i < deaf; i++)
		if (!pthread_create(&threads[nthreads], NULL, deaf_client, NULL))
			nthreads++;
	for (unsigned int i = 0; i < slow; i++)
		if (!pthread_create(&threads[nthreads], NULL, slow_client, NULL))
			nthreads++;
	for (unsigned int i = 0; i < fast; i++)
		if (!pthread_create(&threads[nthreads], NULL, fast_client, NULL))
			nthreads++;
	tb_kv("threads", "%zu", nthreads);
	for (size_t i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	tb_kv("fast_ok", "%lu", fast_ok);
	tb_kv("fast_failed", "%lu", fast_failed);
	tb_kv("slow_refused", "%lu", slow_refused);
	tb_kv("slow_cut", "%lu", slow_cut);
	tb_kv("slow_kept_ms_max", "%lu", slow_kept_ms_max);
	tb_kv("deaf_connected", "%lu", deaf_connected);
	tb_kv("deaf_cut", "%lu", deaf_cut);
	return 0;
}
