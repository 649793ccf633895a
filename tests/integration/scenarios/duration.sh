# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# -d: the tracer ends by itself after the traffic, with its totals
sc_duration() {
	local name=$1 ns
	scenario_setup ns "$name" || return
	tracer_start "$ns" "$name" -d 4
	run_driver "$ns" "$name" overflow -p 8080
	tracer_stop none 8
	check_promise "$ns"
	[ "$LD" != 0 ] || err "scenario setup: ListenDrops $LD, expected > 0"
	check_listener_events syn_drop "$DRV_OUT"
	ns_del "$ns"
	verdict "$name" "$(summary_line)"
}
