# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# SO_REUSEPORT group; -f: one owner process per member
sc_reuseport() {
	local name=$1 ns
	shift
	overflow_scenario ns "$name" reuseport "$@" || return
	if [ "$TRACER_OK" = 1 ]; then
		ev_expect syn_drop reason accept_queue_full
		ev_expect syn_drop lport "$(kv "$DRV_OUT" port)"
		ev_expect syn_drop family "$(kv "$DRV_OUT" family)"
		ev_expect syn_drop comm "$(kv "$DRV_OUT" comm)"
		ev_expect_in syn_drop rport "$(kv "$DRV_OUT" dropped_ports)"
		ev_expect syn_drop backlog 2
		if [ "$(kv "$DRV_OUT" fork)" = 1 ]; then
			# each member's drops are attributed to its own owner
			drops_by_member pid member
			ev_expect_in syn_drop pid "$(sed -n 's/^member[0-9]*_pid=//p' "$DRV_OUT" | paste -sd,)"
		else
			ev_expect syn_drop pid "$(kv "$DRV_OUT" pid)"
		fi
	fi
	ns_del "$ns"
	verdict "$name" "$(summary_line)"
}
