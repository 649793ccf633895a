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
#include "emfile.h"

/* the result of one accept call: an EMFILE failure, or something else */
static void count_result(int fd, int *n_emfile, int *other)
{
	if (fd < 0 && errno == EMFILE)
		(*n_emfile)++;
	else
		(*other)++;
	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	const char *usage = "[-6] [-p PORT] [-l LIMIT] [-k REPEATS]";
	struct tb_emfile e = { TB_EMFILE_DEFAULTS };
	const struct tb_option options[] = { TB_EMFILE_OPTIONS(e) };
	int n_accept = 0, n_accept4 = 0, other = 0, accepted, i, fd;
	struct tb_mib before, after;
	int rc = 0;

	tb_prog = "emfile";
	TB_OPTIONS_PARSE(argc, argv, usage, options);

	/* only 0, 1, 2 and what this driver opens: open_fds is exact */
	tb_close_inherited();
	tb_mib_read(&before);

	tb_emfile_listen(&e);
	tb_kv("listener_ino", "%llu", (unsigned long long)tb_sock_ino(e.lfd));
	tb_emfile_exhaust(&e);

	for (i = 0; i < e.repeats; i++) {
		count_result(accept(e.lfd, NULL, NULL), &n_accept, &other);
		count_result(accept4(e.lfd, NULL, NULL, SOCK_CLOEXEC), &n_accept4, &other);
	}

	tb_emfile_free_one(&e);
	fd = accept4(e.lfd, NULL, NULL, SOCK_CLOEXEC);
	accepted = fd >= 0;

	tb_emfile_report(&e);
	tb_kv("accept_emfile", "%d", n_accept);
	tb_kv("accept4_emfile", "%d", n_accept4);
	tb_kv("emfile_total", "%d", n_accept + n_accept4);
	tb_kv("other_results", "%d", other);
	tb_kv("accepted_after", "%d", accepted);

	if (fd >= 0)
		close(fd);
	tb_emfile_free_all(&e);
	close(e.cfd);
	close(e.lfd);
	tb_mib_read(&after);
	tb_mib_print_delta(&before, &after);

	if (e.open_fds != e.limit || n_accept != e.repeats || n_accept4 != e.repeats ||
	    other || !accepted) {
		tb_warn("unexpected: open_fds %d (limit %d), EMFILE %d+%d of %d+%d, "
			"other %d, accepted %d", e.open_fds, e.limit, n_accept,
			n_accept4, e.repeats, e.repeats, other, accepted);
		rc = 1;
	}
	if (!rc)
		tb_kv("result", "ok");
	return rc;
}
