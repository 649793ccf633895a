# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# Loopback SYN-time overflow: listen(fd, 1), 6 connects, 1.5 s.
sc_overflow() {
	local name=$1 ns
	shift
	reset_state || { verdict "$name" "setup"; return; }
	ns_new ns tb || { verdict "$name" "setup"; return; }
	tracer_start "$ns" "$name"
	run_driver "$ns" "$name" overflow "$@"
	tracer_stop
	check_promise "$ns"
	[ "$LD" = "$LO" ] && [ "$LD" != 0 ] || err "scenario setup: expected ListenDrops == ListenOverflows > 0"
	if [ "$TRACER_OK" = 1 ]; then
		check_listener_events syn_drop "$DRV_OUT"
		ev_expect syn_drop reason accept_queue_full
		ev_expect syn_drop raddr "$(kv "$DRV_OUT" raddr)"
		ev_expect_in syn_drop rport "$(kv "$DRV_OUT" dropped_ports)"
		ev_expect syn_drop backlog 2
		ev_expect syn_drop backlog_max 1
		[ "$T_AO" = 0 ] || err "accept_overflow $T_AO, expected 0"
	fi
	ns_del "$ns"
	verdict "$name" "$(summary_line)"
}
