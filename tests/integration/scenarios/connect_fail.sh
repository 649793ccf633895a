# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# expect_errno_lines KIND: per errno name, as many KIND lines as the driver's
# fail_<NAME> count, and no line with another error
expect_errno_lines() {
	local kind=$1 line name want n seen=""

	while IFS= read -r line; do
		name=${line%%=*}
		name=${name#fail_}
		want=${line#*=}
		seen="${seen:+$seen,}$name"
		n=$(ev_count "$kind" ".error == \"$name\"")
		[ "$n" = "$want" ] || err "$n $kind lines with error $name, the driver saw $want"
	done <<-DRV
	$(grep '^fail_' "$DRV_OUT")
	DRV
	[ -z "$seen" ] || ev_expect_in "$kind" error "$seen"
}

# expect_errno_toward NAME RADDR: every connect_error with error NAME is
# toward RADDR, and there are as many as the driver's fail_NAME
expect_errno_toward() {
	local want n

	want=$(kv "$DRV_OUT" "fail_$1")
	n=$(ev_count connect_error ".error == \"$1\" and .raddr == \"$2\"")
	[ "$n" = "${want:-0}" ] || err "$n connect_error lines with error $1 toward $2, the driver saw ${want:-0}"
}

# connect() and bind() failing, each exactly once; ground truth: the
# driver's own count per errno (connect_fail MODE ARGS...)
sc_connect_fail() {
	local name=$1 mode=$2 ns want_c want_b port held range want n
	shift 2
	scenario_setup ns "$name" || return
	traced_run "$ns" "$name" connect_fail -m "$mode" "$@"
	want_c=$(kv "$DRV_OUT" connect_errors)
	want_b=$(kv "$DRV_OUT" bind_errors)
	port=$(kv "$DRV_OUT" port)
	if [ "$TRACER_OK" = 1 ]; then
		[ "$T_CE" = "$want_c" ] || err "totals.connect_error $T_CE, the driver saw $want_c failed connects"
		[ "$T_BE" = "$want_b" ] || err "totals.bind_error $T_BE, the driver saw $want_b failed binds"
		[ "$T_SUP" = 0 ] && [ "$T_LOST" = 0 ] || err "suppressed $T_SUP / lost $T_LOST, expected 0"
		if [ "$mode" = bind ]; then
			expect_errno_lines bind_error
			ev_expect bind_error lport "$port"
			ev_expect bind_error laddr "$(kv "$DRV_OUT" laddr)"
			ev_expect bind_error family "$(kv "$DRV_OUT" family)"
			ev_expect bind_error pid "$(kv "$DRV_OUT" pid)"
			ev_expect bind_error comm "$(kv "$DRV_OUT" comm)"
		else
			expect_errno_lines connect_error
			[ "$mode" = unreachable ] || [ "$mode" = race_icmp ] ||
				ev_expect connect_error raddr "$(kv "$DRV_OUT" raddr)"
			ev_expect connect_error family "$(kv "$DRV_OUT" family)"
			ev_expect connect_error pid "$(kv "$DRV_OUT" pid)"
			ev_expect connect_error comm "$(kv "$DRV_OUT" comm)"
		fi
		case "$mode" in
		exhaust)
			# never bound: the port range had none left
			ev_expect connect_error lport "(none)"
			ev_expect_in connect_error rport "$port,$(kv "$DRV_OUT" port2)"
			# held toward the first destination, the second, then the first in TIME_WAIT
			held=$(jqo 'select(.event == "connect_error") | "\(.port_range[0])-\(.port_range[1])"
				+ " \(.ports_in_use.established)/\(.ports_in_use.time_wait)/\(.ports_in_use.syn_sent)/\(.ports_in_use.other)"' |
				paste -sd, -)
			range=$(kv "$DRV_OUT" port_range)
			n=$(kv "$DRV_OUT" connected_first)
			want="$range $n/0/0/0,$range $n/0/0/0,$range 0/$n/0/0"
			[ "$held" = "$want" ] || err "port_range ports_in_use (established/time_wait/syn_sent/other): $held, expected $want" ;;
		refused | uring)
			ev_expect connect_error rport "$port" ;;
		timeout | outlived | race_timeout)
			ev_expect connect_error rport "$port" ;;
		unreachable)
			# no route: toward raddr; ICMP host unreachable: toward raddr2
			ev_expect connect_error rport "$port"
			expect_errno_toward ENETUNREACH "$(kv "$DRV_OUT" raddr)"
			expect_errno_toward EHOSTUNREACH "$(kv "$DRV_OUT" raddr2)" ;;
		race)
			ev_expect connect_error rport "$port" ;;
		race_icmp)
			ev_expect connect_error rport "$port"
			expect_errno_toward EHOSTUNREACH "$(kv "$DRV_OUT" raddr2)" ;;
		bound)
			ev_expect connect_error lport "$(kv "$DRV_OUT" lport)"
			ev_expect connect_error laddr "$(kv "$DRV_OUT" laddr)" ;;
		esac
		[ "$T_SYN" = 0 ] && [ "$T_AO" = 0 ] && [ "$T_AE" = 0 ] ||
			err "syn_drop $T_SYN / accept_overflow $T_AO / accept_error $T_AE, expected 0"
	fi
	ns_del "$ns"
	verdict "$name" "driver connect=$want_c bind=$want_b ($(grep '^fail_' "$DRV_OUT" | tr '\n' ' ')); tracer connect_error=$T_CE bind_error=$T_BE"
}

# --rate-limit per process for records without a listener: the records
# over it are counted as suppressed, printed + suppressed + lost = totals
sc_connect_rate_limit() {
	local name=$1 ns want lines
	scenario_setup ns "$name" || return
	tracer_start "$ns" "$name" --rate-limit 2
	run_driver "$ns" "$name" connect_fail -m refused -p 8080 -k 5
	tracer_stop
	want=$(kv "$DRV_OUT" connect_errors)
	if [ "$TRACER_OK" = 1 ]; then
		read_totals
		lines=$(ev_count connect_error)
		[ "$T_CE" = "$want" ] || err "totals.connect_error $T_CE, the driver saw $want failed connects"
		[ "$lines" = 2 ] || err "$lines connect_error lines, expected 2 (--rate-limit 2, one process, within a second)"
		[ $((lines + T_SUP + T_LOST)) = "$T_CE" ] ||
			err "$lines lines + suppressed $T_SUP + lost $T_LOST != totals.connect_error $T_CE"
	fi
	ns_del "$ns"
	verdict "$name" "driver connect=$want; tracer connect_error=$T_CE lines=$lines suppressed=$T_SUP lost=$T_LOST"
}
