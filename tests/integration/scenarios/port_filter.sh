# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# -P filter: other port -> nothing; the overflowing port -> everything
sc_port_filter() {
	local name=$1 match=$2 ns n
	scenario_setup ns "$name" || return
	if [ "$match" = 1 ]; then
		tracer_start "$ns" "$name" -P 9 -P 8080
	else
		tracer_start "$ns" "$name" -P 8081
	fi
	run_driver "$ns" "$name" overflow -p 8080
	if [ "$match" = 1 ]; then
		tracer_stop TERM	# SIGTERM ends it like SIGINT
	else
		tracer_stop
	fi
	read_mib "$ns"
	[ "$LD" != 0 ] && [ "$LD" != "?" ] || err "scenario setup: ListenDrops $LD, expected > 0"
	if [ "$match" = 1 ]; then
		check_promise "$ns"
		check_listener_events syn_drop "$DRV_OUT"
	elif [ "$TRACER_OK" = 1 ]; then
		jq -e . "$TRACER_OUT" >/dev/null 2>&1 || err "tracer output is not valid JSON Lines"
		n=$(jqo 'select(.event != "start" and .event != "totals") | 1' | wc -l)
		[ "$n" = 0 ] || err "$n event records for a port that was not asked for"
		read_totals
		[ "$T_SYN/$T_AO/$T_AE" = 0/0/0 ] ||
			err "totals syn_drop/accept_overflow/accept_error $T_SYN/$T_AO/$T_AE, expected 0/0/0 outside the filter"
	fi
	ns_del "$ns"
	verdict "$name" "$(summary_line)"
}
