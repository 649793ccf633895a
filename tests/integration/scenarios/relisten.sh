# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# The same port listened on, overflowed and closed in turn by new owners
sc_relisten() {
	local name=$1 ns i r pid ports n drops LREC=""
	shift
	scenario_setup ns "$name" || return
	# listener records every second and a last one at exit: each round's
	# listener closes, and its records must still add up to its drops
	tracer_start "$ns" "$name" -i 1
	run_driver "$ns" "$name" relisten "$@"
	tracer_stop
	check_promise_interval "$ns" "$name"
	expect_overflows_only
	if [ "$TRACER_OK" = 1 ]; then
		ev_expect syn_drop lport "$(kv "$DRV_OUT" port)"
		ev_expect syn_drop comm "$(kv "$DRV_OUT" comm)"
		ev_expect syn_drop reason accept_queue_full
		ev_expect_in syn_drop pid "$(sed -n 's/^round[0-9]*_pid=//p' "$DRV_OUT" | paste -sd,)"
		r=$(kv "$DRV_OUT" rounds)
		for ((i = 0; i < ${r:-0}; i++)); do
			pid=$(kv "$DRV_OUT" "round${i}_pid")
			drops=$(kv "$DRV_OUT" "round${i}_listener_drops")
			ports=$(kv "$DRV_OUT" "round${i}_dropped_ports")
			n=$(ev_count syn_drop ".pid == ${pid:-0}")
			[ "$n" = "$drops" ] ||
				err "round $i (pid $pid): $n syn_drop events, its listener dropped $drops"
			n=$(ev_count syn_drop "(.rport | tostring) as \$p | (\"$ports\" | split(\",\") | index(\$p)) and .pid != $pid")
			[ "$n" = 0 ] || err "round $i: $n drops of its clients attributed to another owner"
			n=$(jqo -s "[.[] | select(.event == \"listener\" and .pid == ${pid:-0}) | .syn_drops] | add // 0")
			[ "$n" = "$drops" ] ||
				err "round $i (pid $pid): its listener records add up to $n syn_drops, its listener dropped $drops"
			n=$(ev_count listener ".pid == ${pid:-0} and .closed")
			[ "$n" = 1 ] || err "round $i (pid $pid): $n listener records say closed (expected 1)"
		done
		LREC=$(ev_count listener)
	fi
	ns_del "$ns"
	verdict "$name" "listener records ${LREC:-?} (closed listeners included); $(summary_line)"
}
