/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The experiment the two accept-error drivers (emfile, uring_emfile) share:
 * a loopback listener with one completed connection waiting, RLIMIT_NOFILE
 * lowered to the limit and every descriptor below it taken, so that each
 * accept fails with EMFILE; then one descriptor freed for the waiting one.
 */
#ifndef TB_IT_EMFILE_H
#define TB_IT_EMFILE_H

#include "driver.h"

#define TB_EMFILE_MAX_FILLERS	1024

struct tb_emfile {
	int family;
	uint16_t port;
	int limit;
	int repeats;		/* accepts that must fail, per kind */
	int lfd, cfd;
	int fillers[TB_EMFILE_MAX_FILLERS];
	int nfill;
	int open_fds;		/* after the table was filled: exactly limit */
};

#define TB_EMFILE_DEFAULTS \
	.family = AF_INET, .port = 8080, .limit = 16, .repeats = 3

/* the options both drivers take: -6 -p PORT -l LIMIT -k REPEATS */
#define TB_EMFILE_OPTIONS(e) \
	TB_SWITCH('6', (e).family, AF_INET6), \
	TB_NUMBER('p', (e).port, 0, 65535, "port"), \
	TB_NUMBER('l', (e).limit, 8, 1024, "limit"), \
	TB_NUMBER('k', (e).repeats, 1, 1000, "repeats")

/* the listener and its waiting connection, reported */
static inline void tb_emfile_listen(struct tb_emfile *e)
{
	e->lfd = tb_listener(e->family, tb_loopback(e->family), e->port, 8, false);
	e->port = tb_local_port(e->lfd);
	e->cfd = tb_connect_nb(e->family, tb_loopback(e->family), e->port);
	if (!tb_wait_connected(e->cfd, 1000))
		tb_die("the client did not connect");
	tb_print_listener(e->family, tb_loopback(e->family), e->port);
}

/* fill every free slot below the limit */
static inline void tb_emfile_exhaust(struct tb_emfile *e)
{
	e->open_fds = tb_exhaust_fds(e->limit, e->lfd, e->fillers, TB_EMFILE_MAX_FILLERS,
				     &e->nfill);
}

/* one slot free again: the waiting connection is still there */
static inline void tb_emfile_free_one(struct tb_emfile *e)
{
	if (e->nfill)
		close(e->fillers[--e->nfill]);
}

static inline void tb_emfile_report(const struct tb_emfile *e)
{
	tb_kv("nofile_limit", "%d", e->limit);
	tb_kv("open_fds", "%d", e->open_fds);
}

static inline void tb_emfile_free_all(struct tb_emfile *e)
{
	while (e->nfill)
		close(e->fillers[--e->nfill]);
}

#endif /* TB_IT_EMFILE_H */
