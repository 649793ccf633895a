# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# -p filter with a pid that owns nothing -> nothing
sc_pid_filter_other() {
	local name=$1 ns n
	scenario_setup ns "$name" || return
	tracer_start "$ns" "$name" -p $$
	run_driver "$ns" "$name" overflow -p 8080
	tracer_stop
	read_mib "$ns"
	[ "$LD" != 0 ] || err "scenario setup: ListenDrops $LD, expected > 0"
	if [ "$TRACER_OK" = 1 ]; then
		n=$(jqo 'select(.event != "start" and .event != "totals") | 1' | wc -l)
		[ "$n" = 0 ] || err "$n event records for another pid"
		read_totals
		[ "$T_SYN/$T_AO" = 0/0 ] || err "totals syn_drop/accept_overflow $T_SYN/$T_AO, expected 0/0"
	fi
	ns_del "$ns"
	verdict "$name" "$(summary_line)"
}
