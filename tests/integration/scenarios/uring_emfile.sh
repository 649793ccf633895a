# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# io_uring accepts (IORING_OP_ACCEPT) failing with EMFILE: seen only at the
# io_uring_complete tracepoint; ground truth: the driver's -EMFILE count.
# With -i 1: the listener record counts them by errno, and the accept that
# succeeds at the end through the ring.
sc_uring_emfile() {
	local name=$1 ns ino want port lrec out l_n l_acc l_lat l_ae l_emf n
	shift
	scenario_setup ns "$name" || return
	ino=$(ns_inode "$ns")
	tracer_start "$ns" "$name" -i 1
	run_driver_held "$ns" "$name" accepts accepted_after uring_emfile "$@" -t 5000
	tracer_stop
	port=$(kv "$DRV_OUT" port)
	case "$port" in '' | *[!0-9]*) port=0 ;; esac
	want=$(kv "$DRV_OUT" emfile_total)
	check_promise_interval "$ns" "$name"
	[ "$LD" = 0 ] || err "scenario setup: ListenDrops $LD, expected 0"
	[ "${want:-0}" -gt 0 ] 2>/dev/null || err "scenario setup: the driver saw no -EMFILE completion"
	if [ "$TRACER_OK" = 1 ]; then
		[ "$T_AE" = "$want" ] || err "totals.accept_error $T_AE, the driver saw $want -EMFILE completions"
		TRACER_OUT=$TRACER_EVENTS
		n=$(ev_count accept_error)
		[ "$n" = "$want" ] || err "$n accept_error lines, the driver saw $want -EMFILE completions"
		ev_expect accept_error pid "$(kv "$DRV_OUT" pid)"
		ev_expect accept_error comm "$(kv "$DRV_OUT" comm)"
		ev_expect accept_error lport "$port"
		ev_expect accept_error laddr "$(kv "$DRV_OUT" laddr)"
		ev_expect accept_error family "$(kv "$DRV_OUT" family)"
		ev_expect accept_error errno 24
		ev_expect accept_error error EMFILE
		ev_expect accept_error nofile_limit "$(kv "$DRV_OUT" nofile_limit)"
		ev_expect accept_error open_fds "$(kv "$DRV_OUT" open_fds)"
		[ "$T_SYN" = 0 ] && [ "$T_AO" = 0 ] || err "syn_drop $T_SYN / accept_overflow $T_AO, expected 0"
		TRACER_OUT=$TRACER_FULL

		lrec=".event == \"listener\" and .lport == $port and (.netns | tostring) == \"$ino\""
		l_n=$(ev_count listener "$lrec")
		out=$(jqo -s "[.[] | select($lrec)] |
			[(map(.accepts) | add // 0), (map(.accept_latency_us.count) | add // 0),
			 (map(.accept_errors) | add // 0), (map(.accept_errnos.EMFILE // 0) | add // 0)] | @tsv")
		IFS=$'\t' read -r l_acc l_lat l_ae l_emf <<<"$out"
		[ "${l_n:-0}" -gt 0 ] || err "no listener records for port $port"
		[ "$l_ae" = "$want" ] || err "listener records: accept_errors $l_ae, the driver saw $want"
		[ "$l_emf" = "$want" ] || err "listener records: accept_errnos.EMFILE $l_emf, the driver saw $want"
		[ "$l_acc" = "$(kv "$DRV_OUT" accepted_after)" ] ||
			err "listener records: accepts $l_acc, the driver accepted $(kv "$DRV_OUT" accepted_after) through the ring"
		[ "$l_lat" -le "$l_acc" ] && [ $((l_acc - l_lat)) -le "$SA_LOST_MAX" ] ||
			err "listener records: accept latency count $l_lat, accepts $l_acc"
		n=$(ev_count hint ".lport == $port and .kind == \"fd_limit\"")
		[ "$n" -gt 0 ] || err "no fd_limit hint for port $port"
		n=$(ev_count hint '.kind != "fd_limit"')
		[ "$n" = 0 ] || err "$n hints other than fd_limit, without such data"
	fi
	ns_del "$ns"
	verdict "$name" "driver -EMFILE completions=$want, ring accepts=$(kv "$DRV_OUT" accepted_after); listener records: ${l_n:-?} with accept_errors ${l_ae:-?} (EMFILE ${l_emf:-?}) accepts ${l_acc:-?}; $(summary_line)"
}

SCENARIOS="overflow_ipv4 overflow_ipv6 tun_syn_queue_full tun_ack_overflow_cookies
tun_ack_overflow_reqsk reuseport reuseport_owners preexisting emfile_ipv4 emfile_ipv6
overflow_wildcard overflow_dualstack relisten preexisting_dirty concurrent two_netns
port_filter_other port_filter_match pid_filter_other pid_filter_match duration netns_reuse failures
slow_accept slow_accept_steady uring_emfile_ipv4 uring_emfile_ipv6"
