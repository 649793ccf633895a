// SPDX-License-Identifier: GPL-2.0
/*
 * preexisting: the overflow scenario on a listener that exists before the
 * tracer starts. Prints ready=1 once listening, then waits (at most
 * TIMEOUT_MS) for SIGUSR1 before it connects; the tracer has to find the
 * listener and its owner (this process) from what already exists.
 * -r: overflow the listener once before ready=1 (and empty its accept queue
 * again), so it carries old drops into the trace.
 *   preexisting [-6] [-r] [-p PORT] [-b BACKLOG] [-n CONNECTS] [-w WAIT_MS] [-t TIMEOUT_MS]
 */
#include "overflow.h"

int main(int argc, char **argv)
{
	struct tb_overflow_opts o = {
		TB_OVERFLOW_DEFAULTS,
		.wait_signal = true,
		.signal_timeout_ms = 20000,
	};

	tb_prog = "preexisting";
	tb_overflow_parse(&o, argc, argv,
			  "[-6] [-r] [-p PORT] [-b BACKLOG] [-n CONNECTS] [-w WAIT_MS] [-t TIMEOUT_MS]");
	return tb_overflow_run(&o);
}
