// SPDX-License-Identifier: GPL-2.0
/*
 * overflow: SYN-time drops on a full accept queue, over loopback.
 *   overflow [-6] [-A BIND_ADDR] [-D] [-p PORT] [-b BACKLOG] [-n CONNECTS] [-w WAIT_MS]
 * Defaults: IPv4, ephemeral port, backlog 1, 6 connects, 1500 ms wait (so
 * every dropped SYN is retransmitted once). -A binds the listener elsewhere
 * (e.g. the wildcard 0.0.0.0) while clients still connect to loopback; -D
 * listens dual-stack on [::] (or -A) and connects over IPv4.
 */
#include "overflow.h"

int main(int argc, char **argv)
{
	struct tb_overflow_opts o = { TB_OVERFLOW_DEFAULTS };

	tb_prog = "overflow";
	tb_overflow_parse(&o, argc, argv,
			  "[-6] [-A BIND_ADDR] [-D] [-p PORT] [-b BACKLOG] [-n CONNECTS] [-w WAIT_MS]");
	return tb_overflow_run(&o);
}
