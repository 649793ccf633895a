# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# destination records with -i, against the connect_error records (each
# already one per failure the driver saw): per destination, the failures
# and their errnos sum to that destination's records; every attempt passes
# SYN_SENT, so the attempts counted after the first failure are one fewer
# (connect_fail MODE ARGS...)
sc_destinations() {
	local name=$1 mode=$2 ns port want_c rport recs errs errnos connects dests peak range hints
	shift 2
	scenario_setup ns "$name" || return
	tracer_start "$ns" "$name" -i 1
	run_driver "$ns" "$name" connect_fail -m "$mode" "$@"
	tracer_stop
	check_promise_interval "$ns" "$name"
	want_c=$(kv "$DRV_OUT" connect_errors)
	if [ "$TRACER_OK" = 1 ]; then
		[ "$T_CE" = "$want_c" ] || err "totals.connect_error $T_CE, the driver saw $want_c failed connects"
		dests=$(jqo -s '[.[] | select(.event == "destination" and .connect_errors > 0)
			| "\(.raddr) \(.rport)"] | unique | join(",")')
		want=$(jqo -s '[.[] | select(.event == "connect_error") | "\(.raddr) \(.rport)"] | unique | join(",")')
		[ "$dests" = "$want" ] || err "destinations with failures: $dests, the connect_error records name $want"
		for rport in $(jqo 'select(.event == "connect_error") | .rport' | sort -u); do
			recs=$(ev_count connect_error ".rport == $rport")
			errs=$(jqo -s "[.[] | select(.event == \"destination\" and .rport == $rport) | .connect_errors] | add // 0")
			errnos=$(jqo -s "[.[] | select(.event == \"destination\" and .rport == $rport)
				| .connect_errnos | to_entries[] | .value] | add // 0")
			connects=$(jqo -s "[.[] | select(.event == \"destination\" and .rport == $rport) | .connects] | add // 0")
			[ "$errs" = "$recs" ] || err "port $rport: destination connect_errors sum to $errs, $recs connect_error records"
			[ "$errnos" = "$recs" ] || err "port $rport: connect_errnos sum to $errnos, $recs connect_error records"
			[ "$connects" = $((recs - 1)) ] ||
				err "port $rport: destination connects sum to $connects, expected $((recs - 1)) (attempts after the first failure)"
		done
		if [ "$mode" = exhaust ]; then
			port=$(kv "$DRV_OUT" port)
			range=$(kv "$DRV_OUT" port_range)
			peak=$(jqo -s "[.[] | select(.event == \"destination\" and .rport == $port) | .ports_peak // 0] | max")
			[ "$peak" = "$(kv "$DRV_OUT" connected_first)" ] ||
				err "port $port: ports_peak $peak, the driver held $(kv "$DRV_OUT" connected_first)"
			want=$(jqo -s "[.[] | select(.event == \"destination\" and .rport == $port)
				| \"\(.port_range[0])-\(.port_range[1])\"] | unique | join(\",\")")
			[ "$want" = "$range" ] || err "port $port: port_range $want, the driver set $range"
			hints=$(jqo -s "[.[] | select(.event == \"hint\" and .kind == \"port_exhaustion\") | .rport] | unique | join(\",\")")
			want=$(printf '%s\n' "$port" "$(kv "$DRV_OUT" port2)" | sort -n | paste -sd, -)
			[ "$hints" = "$want" ] || err "port_exhaustion hints toward ports $hints, expected $want"
		fi
	fi
	ns_del "$ns"
	verdict "$name" "driver connect=$want_c; tracer connect_error=$T_CE destination records=$(ev_count destination)"
}

# The same with -q: no connect_error record is printed, yet the destination
# records have what the kernel kept for them (the failing caller, the port
# range): failures per errno as the driver saw them, the range it set, the
# port_exhaustion hint (connect_fail -m exhaust ARGS...)
sc_destinations_quiet() {
	local name=$1 ns want_c errs range want hints
	shift
	scenario_setup ns "$name" || return
	tracer_start "$ns" "$name" -q -i 1
	run_driver "$ns" "$name" connect_fail -m exhaust "$@"
	tracer_stop
	want_c=$(kv "$DRV_OUT" connect_errors)
	if [ "$TRACER_OK" = 1 ]; then
		read_totals
		[ "$T_CE" = "$want_c" ] || err "totals.connect_error $T_CE, the driver saw $want_c failed connects"
		[ "$(ev_count connect_error)" = 0 ] || err "connect_error records with -q"
		errs=$(jqo -s '[.[] | select(.event == "destination") | .connect_errnos.EADDRNOTAVAIL // 0] | add // 0')
		[ "$errs" = "$(kv "$DRV_OUT" fail_EADDRNOTAVAIL)" ] ||
			err "destination records: $errs EADDRNOTAVAIL, the driver saw $(kv "$DRV_OUT" fail_EADDRNOTAVAIL)"
		range=$(kv "$DRV_OUT" port_range)
		want=$(jqo -s '[.[] | select(.event == "destination" and .connect_errors > 0)
			| "\(.port_range[0])-\(.port_range[1])"] | unique | join(",")')
		[ "$want" = "$range" ] || err "port_range $want, the driver set $range"
		hints=$(jqo -s '[.[] | select(.event == "hint" and .kind == "port_exhaustion") | .rport] | unique | join(",")')
		want=$(printf '%s\n' "$(kv "$DRV_OUT" port)" "$(kv "$DRV_OUT" port2)" | sort -n | paste -sd, -)
		[ "$hints" = "$want" ] || err "port_exhaustion hints toward ports $hints, expected $want"
	fi
	ns_del "$ns"
	verdict "$name" "driver connect=$want_c; tracer (-q) connect_error=$T_CE destination records=$(ev_count destination)"
}
