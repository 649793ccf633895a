// SPDX-License-Identifier: GPL-2.0
/*
 * uring_emfile: io_uring accepts failing with EMFILE. Like emfile, but the
 * accepts are IORING_OP_ACCEPT requests, which never enter the accept
 * syscalls: the tracer sees them only at io_uring's completion tracepoint.
 * A listener with one completed connection waiting; the ring is set up;
 * RLIMIT_NOFILE (soft) lowered to LIMIT and the fd table filled; then K
 * accept requests, submitted and reaped one at a time, each completing
 * with -EMFILE. Finally one descriptor is freed and one more request takes
 * the waiting connection.
 *   uring_emfile [-6] [-p PORT] [-l LIMIT] [-k REPEATS] [-t HOLD_MS]
 * Raw io_uring syscalls: no liburing needed. Ground truth is this driver's
 * own count of -EMFILE completions. With -t, the listener stays open after
 * the last accept until SIGUSR1 (or HOLD_MS), for a tracer reporting per
 * interval to see it.
 */
#include "emfile.h"
#include "uring.h"

/* Submit one IORING_OP_ACCEPT on lfd and wait for its completion: its res. */
static int ring_accept(struct ring *r, int lfd, uint64_t tag)
{
	struct io_uring_sqe *sqe = ring_sqe(r);

	sqe->opcode = IORING_OP_ACCEPT;
	sqe->fd = lfd;
	sqe->accept_flags = SOCK_CLOEXEC;
	return ring_submit_wait(r, tag);
}

int main(int argc, char **argv)
{
	const char *usage = "[-6] [-p PORT] [-l LIMIT] [-k REPEATS] [-t HOLD_MS]";
	struct tb_emfile e = { TB_EMFILE_DEFAULTS };
	unsigned int hold_ms = 0;
	const struct tb_option options[] = {
		TB_EMFILE_OPTIONS(e),
		TB_NUMBER('t', hold_ms, 0, TB_MAX_WAIT_MS, "hold time"),
	};
	int n_emfile = 0, other = 0, other_res = 0, accepted, i, res;
	struct tb_mib before, after;
	struct ring ring;
	int rc = 0;

	tb_prog = "uring_emfile";
	TB_OPTIONS_PARSE(argc, argv, usage, options);

	/* blocked before "hold=1" is printed, so the runner's signal waits for us */
	tb_block_usr1();
	/* only 0, 1, 2 and what this driver opens: open_fds is exact */
	tb_close_inherited();
	tb_mib_read(&before);

	/* the ring first: its own descriptor must fit under the limit */
	res = ring_setup(&ring);
	if (res) {
		tb_kv("io_uring", "unavailable: %s", strerror(-res));
		tb_die("io_uring_setup: %s", strerror(-res));
	}
	tb_emfile_listen(&e);
	tb_emfile_exhaust(&e);

	/* one request at a time: each completion is the driver's to count */
	for (i = 0; i < e.repeats; i++) {
		res = ring_accept(&ring, e.lfd, i + 1);
		if (res == -EMFILE) {
			n_emfile++;
		} else {
			other++;
			other_res = res;
			if (res >= 0)
				close(res);
		}
	}

	tb_emfile_free_one(&e);
	res = ring_accept(&ring, e.lfd, e.repeats + 1);
	accepted = res >= 0;

	tb_emfile_report(&e);
	tb_kv("emfile_total", "%d", n_emfile);
	tb_kv("other_results", "%d", other);
	tb_kv("accepted_after", "%d", accepted);

	if (res >= 0)
		close(res);
	tb_emfile_free_all(&e);
	if (hold_ms) {
		tb_kv("hold", "1");
		tb_wait_usr1(hold_ms);
	}
	close(e.cfd);
	close(e.lfd);
	close(ring.fd);
	tb_mib_read(&after);
	tb_mib_print_delta(&before, &after);

	if (e.open_fds != e.limit || n_emfile != e.repeats || other || !accepted) {
		tb_warn("unexpected: open_fds %d (limit %d), EMFILE %d of %d, other %d "
			"(last %d), accepted %d (res %d)", e.open_fds, e.limit, n_emfile,
			e.repeats, other, other_res, accepted, res);
		rc = 1;
	}
	if (!rc)
		tb_kv("result", "ok");
	return rc;
}
