# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# SO_REUSEPORT group; -f: one owner process per member
sc_reuseport() {
	local name=$1 ns i m pid drops n amb off
	shift
	overflow_scenario ns "$name" reuseport "$@" || return
	if [ "$TRACER_OK" = 1 ]; then
		ev_expect syn_drop reason accept_queue_full
		ev_expect syn_drop lport "$(kv "$DRV_OUT" port)"
		ev_expect syn_drop family "$(kv "$DRV_OUT" family)"
		ev_expect syn_drop comm "$(kv "$DRV_OUT" comm)"
		ev_expect_in syn_drop rport "$(kv "$DRV_OUT" dropped_ports)"
		ev_expect syn_drop backlog 2
		m=$(kv "$DRV_OUT" members)
		if [ "$(kv "$DRV_OUT" fork)" = 1 ]; then
			# Each member's drops are attributed to its own owner. When
			# two members drop at the same instant on two CPUs, the
			# tracer cannot tell whose drop it saw first: it flags such
			# records and counts them (totals.ambiguous); each can swap
			# one drop between two members, nothing else may differ.
			amb=$(tot .ambiguous)
			off=0
			for ((i = 0; i < ${m:-0}; i++)); do
				pid=$(kv "$DRV_OUT" "member${i}_pid")
				drops=$(kv "$DRV_OUT" "member${i}_drops")
				n=$(ev_count syn_drop ".pid == $pid")
				off=$((off + (n > drops ? n - drops : drops - n)))
				[ "$n" = "$drops" ] || [ "${amb:-0}" != 0 ] ||
					err "member $i (pid $pid): $n syn_drop events, its listener dropped $drops"
			done
			[ "$off" -le $((2 * ${amb:-0})) ] ||
				err "members' events differ from their drops by $off, more than 2 x $amb ambiguous"
			n=$(ev_count syn_drop '.ambiguous == true')
			[ "$n" -le "${amb:-0}" ] || err "$n records flagged ambiguous, totals.ambiguous ${amb:-?}"
			ev_expect_in syn_drop pid "$(sed -n 's/^member[0-9]*_pid=//p' "$DRV_OUT" | paste -sd,)"
		else
			ev_expect syn_drop pid "$(kv "$DRV_OUT" pid)"
		fi
	fi
	ns_del "$ns"
	verdict "$name" "$(summary_line)"
}
