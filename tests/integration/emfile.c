// SPDX-License-Identifier: GPL-2.0
/*
 * emfile: accept() and accept4() failing with EMFILE. A listener with one
 * completed connection waiting; RLIMIT_NOFILE (soft) lowered to LIMIT;
 * descriptors opened until the table is full (exactly LIMIT open); then K
 * calls of accept() and K of accept4(), each failing with EMFILE. Finally
 * one descriptor is freed and accept4() takes the waiting connection.
 *   emfile [-6] [-p PORT] [-l LIMIT] [-k REPEATS]
 * Ground truth is this driver's own count (no SNMP counter exists).
 */
#include "driver.h"

int main(int argc, char **argv)
{
	const char *usage = "[-6] [-p PORT] [-l LIMIT] [-k REPEATS]";
	int family = AF_INET, limit = 16, repeats = 3, i, fd;
	int lfd, cfd, n_accept = 0, n_accept4 = 0, other = 0, open_fds = 0;
	int fillers[1024], nfill = 0, accepted;
	struct tb_mib before, after;
	uint16_t port = 8080;
	int rc = 0;

	tb_prog = "emfile";
	const struct tb_option options[] = {
		TB_SWITCH('6', family, AF_INET6),
		TB_NUMBER('p', port, 0, 65535, "port"),
		TB_NUMBER('l', limit, 8, 1024, "limit"),
		TB_NUMBER('k', repeats, 1, 1000, "repeats"),
	};

	TB_OPTIONS_PARSE(argc, argv, usage, options);

	/* only 0, 1, 2 and what this driver opens: open_fds is exact */
	tb_close_inherited();
	tb_mib_read(&before);

	lfd = tb_listener(family, tb_loopback(family), port, 8, false);
	port = tb_local_port(lfd);
	cfd = tb_connect_nb(family, tb_loopback(family), port);
	if (!tb_wait_connected(cfd, 1000))
		tb_die("the client did not connect");

	tb_print_listener(family, tb_loopback(family), port);
	tb_kv("listener_ino", "%llu", (unsigned long long)tb_sock_ino(lfd));

	/* fill every free slot below the limit */
	open_fds = tb_exhaust_fds(limit, lfd, fillers, 1024, &nfill);

	for (i = 0; i < repeats; i++) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0 && errno == EMFILE)
			n_accept++;
		else
			other++;
		if (fd >= 0)
			close(fd);
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0 && errno == EMFILE)
			n_accept4++;
		else
			other++;
		if (fd >= 0)
			close(fd);
	}

	/* one slot free again: the waiting connection is still there */
	if (nfill)
		close(fillers[--nfill]);
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	accepted = fd >= 0;

	tb_kv("nofile_limit", "%d", limit);
	tb_kv("open_fds", "%d", open_fds);
	tb_kv("accept_emfile", "%d", n_accept);
	tb_kv("accept4_emfile", "%d", n_accept4);
	tb_kv("emfile_total", "%d", n_accept + n_accept4);
	tb_kv("other_results", "%d", other);
	tb_kv("accepted_after", "%d", accepted);

	if (fd >= 0)
		close(fd);
	while (nfill)
		close(fillers[--nfill]);
	close(cfd);
	close(lfd);
	tb_mib_read(&after);
	tb_mib_print_delta(&before, &after);

	if (open_fds != limit || n_accept != repeats || n_accept4 != repeats ||
	    other || !accepted) {
		tb_warn("unexpected: open_fds %d (limit %d), EMFILE %d+%d of %d+%d, "
			"other %d, accepted %d", open_fds, limit, n_accept,
			n_accept4, repeats, repeats, other, accepted);
		rc = 1;
	}
	if (!rc)
		tb_kv("result", "ok");
	return rc;
}
