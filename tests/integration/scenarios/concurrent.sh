# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# Drops racing each other on several CPUs at once (and the connecting
# processes are not the listener's owner)
sc_concurrent() {
	local name=$1 ns
	shift
	reset_state || { verdict "$name" "setup"; return; }
	ns_new ns tb || { verdict "$name" "setup"; return; }
	tracer_start "$ns" "$name"
	run_driver "$ns" "$name" concurrent "$@"
	tracer_stop
	check_promise "$ns"
	[ "$LD" = "$LO" ] && [ "$LD" != 0 ] || err "scenario setup: expected ListenDrops == ListenOverflows > 0"
	if [ "$TRACER_OK" = 1 ]; then
		check_listener_events syn_drop "$DRV_OUT"
		ev_expect syn_drop reason accept_queue_full
		ev_expect syn_drop backlog 2
		ev_expect syn_drop backlog_max 1
	fi
	ns_del "$ns"
	verdict "$name" "$(kv "$DRV_OUT" children) connecting processes; $(summary_line)"
}
