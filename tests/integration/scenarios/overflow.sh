# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# Loopback SYN-time overflow: listen(fd, 1), 6 connects, 1.5 s.
sc_overflow() {
	local name=$1 ns
	shift
	overflow_scenario ns "$name" overflow "$@" || return
	if [ "$TRACER_OK" = 1 ]; then
		expect_queue_full_drops
		ev_expect syn_drop raddr "$(kv "$DRV_OUT" raddr)"
		ev_expect_in syn_drop rport "$(kv "$DRV_OUT" dropped_ports)"
		[ "$T_AO" = 0 ] || err "accept_overflow $T_AO, expected 0"
	fi
	ns_del "$ns"
	verdict "$name" "$(summary_line)"
}
