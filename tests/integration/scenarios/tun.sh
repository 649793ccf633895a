# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# TUN peer: synq (SYN queue full), ack (cookie ACK overflow), late-ack
# (request-sock ACK overflow), rtx (an ACK overflow repaired by the SYN-ACK
# retransmit)
sc_tun() {
	local name=$1 mode=$2 ns exp_ld exp_lo n d COOKIES=""
	shift 2
	scenario_setup ns "$name" || return
	# listener records (-i 1, and the last one of the closed listener):
	# its syncookies must add up to the kernel's SyncookiesSent
	tracer_start "$ns" "$name" -i 1
	run_driver "$ns" "$name" tun_peer -m "$mode" "$@"
	tracer_stop
	check_promise_interval "$ns" "$name"
	exp_ld=$(kv "$DRV_OUT" expect_listen_drops)
	exp_lo=$(kv "$DRV_OUT" expect_listen_overflows)
	[ "$LD" = "$exp_ld" ] && [ "$LO" = "$exp_lo" ] ||
		err "scenario setup: ListenDrops $LD / ListenOverflows $LO, the driver expected $exp_ld / $exp_lo"
	if [ "$TRACER_OK" = 1 ]; then
		case "$mode" in
		synq)
			check_listener_events syn_drop "$DRV_OUT"
			ev_expect syn_drop reason syn_queue_full
			ev_expect syn_drop raddr "$(kv "$DRV_OUT" raddr)"
			ev_expect_in syn_drop rport "$(kv "$DRV_OUT" dropped_ports)"
			ev_expect syn_drop backlog 0
			ev_expect syn_drop backlog_max "$(kv "$DRV_OUT" backlog)"
			ev_expect syn_drop synq $(($(kv "$DRV_OUT" backlog) + 1))
			[ "$T_SQF" = "$RQD" ] || err "syn_drop_reasons.syn_queue_full $T_SQF != TCPReqQFullDrop $RQD"
			;;
		ack | late-ack | rtx)
			check_listener_events accept_overflow "$DRV_OUT"
			ev_expect accept_overflow reason accept_queue_full
			ev_expect accept_overflow raddr "$(kv "$DRV_OUT" raddr)"
			ev_expect_in accept_overflow rport "$(kv "$DRV_OUT" overflow_ports)"
			ev_expect accept_overflow backlog $(($(kv "$DRV_OUT" backlog) + 1))
			ev_expect accept_overflow backlog_max "$(kv "$DRV_OUT" backlog)"
			[ "$T_SYN" = 0 ] || err "syn_drop $T_SYN, expected 0"
			;;
		esac
		n=$(jqo -s '[.[] | select(.event == "listener") | .syncookies] | add // 0')
		[ "$n" = "$SCS" ] || err "listener records: syncookies $n, SyncookiesSent $SCS"
		COOKIES="listener syncookies $n = SyncookiesSent $SCS; "
		# no kernel client here: every SYN retransmit is the listener's SYN-ACK
		SYNRETRANS=$(nstat_get "$ns" TcpExtTCPSynRetrans)
		n=$(jqo -s '[.[] | select(.event == "listener") | .synack_retransmits] | add // 0')
		[ "$n" = "$SYNRETRANS" ] && [ "$(tot .synack_retransmits)" = "$SYNRETRANS" ] ||
			err "synack_retransmits: listener records $n, totals $(tot .synack_retransmits), TcpExtTCPSynRetrans $SYNRETRANS"
		# each dropped 4-tuple tracked once, and ends once
		n=$(jqo -s '[.[] | select(.event == "syn_drop" or .event == "accept_overflow") | .rport] | unique | length')
		[ "$(tot .tuples_tracked)" = "$n" ] || err "totals.tuples_tracked $(tot .tuples_tracked), $n dropped 4-tuples"
		[ "$(tot .tuples_tracked)" = $(($(tot .delayed) + $(tot .abandoned) + $(tot .untracked) + $(tot .pending))) ] ||
			err "totals: tuples_tracked $(tot .tuples_tracked) != delayed + abandoned + untracked + pending"
		if [ "$mode" = rtx ]; then
			# the overflowed connection got in at the SYN-ACK retransmit: delayed by that
			[ "$(kv "$DRV_OUT" delayed)" = 1 ] && [ "$(kv "$DRV_OUT" synack_again)" = 1 ] ||
				err "scenario setup: the connection did not get in after a SYN-ACK retransmit"
			[ "$(tot .delayed)" = 1 ] || err "totals.delayed $(tot .delayed), expected 1"
			n=$(jqo -s '[.[] | select(.event == "listener") | .connection_delay_us.max] | max // 0')
			d=$(kv "$DRV_OUT" delay_us)
			[ "$n" -ge $((d - 2000)) ] 2>/dev/null && [ "$n" -le $((d + 2000)) ] ||
				err "connection_delay_us.max $n, the driver's ACKs were $d us apart"
			[ "$SYNRETRANS" -ge 1 ] 2>/dev/null || err "scenario setup: TcpExtTCPSynRetrans $SYNRETRANS"
			COOKIES="${COOKIES}delay $n us (driver $d us); "
		fi
		COOKIES="${COOKIES}synack_retransmits $(tot .synack_retransmits) = TCPSynRetrans $SYNRETRANS, tracked $(tot .tuples_tracked) delayed $(tot .delayed) pending $(tot .pending); "
	fi
	ns_del "$ns"
	verdict "$name" "$COOKIES$(summary_line)"
}

# A flood of spoofed SYNs (never answered, never sent again) into a SYN
# queue without cookies, next to a few real clients that retry: the real
# ones are delayed, the spoofed ones abandoned or untracked, a syn_flood
# hint says which is which, and the totals still equal the kernel's.
sc_tun_flood() {
	local name=$1 port spoofed real n
	shift
	# abandon-after: longer than the 1 s between a real client's SYNs (cc_run: client_cost.sh)
	cc_run "$name" delayed real_delayed "-i 0.5 --rate-limit 0 --abandon-after 2" \
		tun_peer -m flood "$@" || return
	port=$CC_PORT
	spoofed=$(kv "$DRV_OUT" spoofed_dropped)
	real=$(kv "$DRV_OUT" real_clients)
	[ "$(kv "$DRV_OUT" real_delayed)" = "$real" ] && [ "$(kv "$DRV_OUT" real_failed)" = 0 ] ||
		err "scenario setup: $(kv "$DRV_OUT" real_delayed) of $real real clients got in after a retransmit, $(kv "$DRV_OUT" real_failed) failed"
	if [ "$TRACER_OK" = 1 ]; then
		[ "$T_SQF" = "$RQD" ] || err "syn_drop_reasons.syn_queue_full $T_SQF != TCPReqQFullDrop $RQD"
		[ "$(tot .delayed)" = "$real" ] || err "totals.delayed $(tot .delayed), $real real clients"
		[ $(($(tot .abandoned) + $(tot .untracked))) = "$spoofed" ] && [ "$(tot .pending)" = 0 ] ||
			err "totals abandoned $(tot .abandoned) + untracked $(tot .untracked) (pending $(tot .pending)), $spoofed spoofed SYNs dropped"
		[ "$(tot .tuples_tracked)" = $((real + spoofed)) ] ||
			err "totals.tuples_tracked $(tot .tuples_tracked), $real real + $spoofed spoofed"
		# the real clients' SYN retransmits, and the SYN-ACKs to the spoofed ones
		[ "$SYNRETRANS" = $(($(tot .retried_syns) + $(tot .synack_retransmits))) ] 2>/dev/null ||
			err "TcpExtTCPSynRetrans $SYNRETRANS != retried_syns $(tot .retried_syns) + synack_retransmits $(tot .synack_retransmits)"
		n=$(ev_count hint ".kind == \"syn_flood\" and .lport == $port")
		[ "$n" -gt 0 ] || err "no syn_flood hint"
		n=$(jqo -s "[.[] | select(.event == \"listener\" and .lport == $port) | .abandoned] | add // 0")
		[ "$n" = "$(tot .abandoned)" ] || err "listener records: abandoned $n, totals $(tot .abandoned)"
	fi
	ns_del "$CC_NS"
	verdict "$name" "driver: $spoofed spoofed SYNs dropped, $real real clients; tracer: delayed $(tot .delayed) abandoned $(tot .abandoned) untracked $(tot .untracked) retried_syns $(tot .retried_syns) synack_retransmits $(tot .synack_retransmits), TCPSynRetrans $SYNRETRANS, syn_flood hints $(ev_count hint '.kind == "syn_flood"'); $(summary_line)"
}
