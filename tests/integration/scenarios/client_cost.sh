# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# How far the tracer's added delay (first dropped SYN -> established at the
# listener) and the client's own connect() time may be apart: on loopback
# the SYN is dropped inside connect() and the listener processes the final
# ACK right after the client's handshake completes, both in softirq;
# measured tens of us apart. 2 ms leaves room for a busy machine.
CC_SKEW_US=2000

# cc_records FIELDS: one tab-separated line per listener record of the port
cc_records() {
	jqo "select(.event == \"listener\" and .lport == $CC_PORT) | [$1] | @tsv"
}

# cc_sum FIELD: the listener records of the port, summed
cc_sum() {
	jqo -s "[.[] | select(.event == \"listener\" and .lport == $CC_PORT) | $1] | add // 0"
}

# cc_run NAME FIELD KEY "TRACER_ARGS" DRIVER [ARGS...]: the tracer on a
# fresh namespace (CC_NS) while the driver runs, holding its listener
# until the listener records' FIELD add up to the driver's KEY; then the
# promise, the namespace's TCPSynRetrans (SYNRETRANS) and the port (CC_PORT)
cc_run() {
	local name=$1 field=$2 key=$3 targs=$4
	shift 4
	scenario_setup CC_NS "$name" || return 1
	tracer_start "$CC_NS" "$name" $targs
	run_driver_held "$CC_NS" "$name" "$field" "$key" "$@"
	tracer_stop
	check_promise_interval "$CC_NS" "$name"
	SYNRETRANS=$(nstat_get "$CC_NS" TcpExtTCPSynRetrans)
	CC_PORT=$(kv "$DRV_OUT" port)
}

# Every tracked 4-tuple ends once: delayed, abandoned, untracked or pending.
cc_check_totals() {
	local tr de ab un pe

	tr=$(tot .tuples_tracked) de=$(tot .delayed) ab=$(tot .abandoned)
	un=$(tot .untracked) pe=$(tot .pending)
	[ "$tr" = $((de + ab + un + pe)) ] 2>/dev/null ||
		err "totals: tuples_tracked $tr != delayed $de + abandoned $ab + untracked $un + pending $pe"
	[ "$(cc_sum .delayed)" = "$de" ] || err "listener records: delayed sum $(cc_sum .delayed), totals.delayed $de"
	[ "$(cc_sum .abandoned)" = "$ab" ] ||
		err "listener records: abandoned sum $(cc_sum .abandoned), totals.abandoned $ab"
	[ "$(cc_sum .retried_syns)" = "$(tot .retried_syns)" ] ||
		err "listener records: retried_syns sum $(cc_sum .retried_syns), totals $(tot .retried_syns)"
	[ "$(cc_sum .synack_retransmits)" = "$(tot .synack_retransmits)" ] ||
		err "listener records: synack_retransmits sum $(cc_sum .synack_retransmits), totals $(tot .synack_retransmits)"
	# SYN retransmits of the loopback clients, and the listener's SYN-ACK ones
	[ "$SYNRETRANS" = $(($(tot .retried_syns) + $(tot .synack_retransmits))) ] 2>/dev/null ||
		err "TcpExtTCPSynRetrans $SYNRETRANS != retried_syns $(tot .retried_syns) + synack_retransmits $(tot .synack_retransmits)"
	# attempt: each dropped 4-tuple's SYNs numbered from 1
	TRACER_OUT=$TRACER_EVENTS
	n=$(jqo -s '[.[] | select(.event == "syn_drop")] | group_by(.rport) |
		map(select((map(.attempt) | sort) != [range(1; length + 1)] )) | length')
	TRACER_OUT=$TRACER_FULL
	[ "$n" = 0 ] || err "$n dropped 4-tuples whose syn_drop attempts are not 1, 2, ... (with no rate limit)"
}

# Blocking connects, timed, against a listener that accepts slowly: the
# connections that needed a retransmitted SYN are delayed, by as long as
# their connect() took.
sc_client_delay() {
	local name=$1 d_del d_max recs n max
	shift
	cc_run "$name" delayed delayed "-i 1 --rate-limit 0" client_cost -m delay "$@" || return
	d_del=$(kv "$DRV_OUT" delayed)
	d_max=$(kv "$DRV_OUT" delay_max_us)
	[ "${d_del:-0}" -gt 0 ] 2>/dev/null || err "scenario setup: no client needed a retransmitted SYN"
	[ "$(kv "$DRV_OUT" other_errors)" = 0 ] || err "scenario setup: $(kv "$DRV_OUT" other_errors) connects failed"
	if [ "$TRACER_OK" = 1 ]; then
		cc_check_totals
		[ "$(tot .delayed)" = "$d_del" ] || err "totals.delayed $(tot .delayed), the driver's delayed connects $d_del"
		[ "$(cc_sum .connection_delay_us.count)" = "$d_del" ] ||
			err "listener records: connection_delay_us.count sum $(cc_sum .connection_delay_us.count), driver $d_del"
		# a reset socket forgets its retransmits: only without resets
		[ "$(kv "$DRV_OUT" resets)" != 0 ] || [ "$(tot .retried_syns)" = "$(kv "$DRV_OUT" syn_retransmits)" ] ||
			err "totals.retried_syns $(tot .retried_syns), the clients retransmitted $(kv "$DRV_OUT" syn_retransmits) SYNs"
		# an ACK-time overflow resets its client (tcp_abort_on_overflow 1): tracked, never established
		[ "$(tot .tuples_tracked)" = $((d_del + $(kv "$DRV_OUT" resets))) ] ||
			err "totals.tuples_tracked $(tot .tuples_tracked), the driver's delayed $d_del + reset $(kv "$DRV_OUT" resets)"
		[ "$(tot .untracked)" = 0 ] || err "totals.untracked $(tot .untracked), expected 0"
		# the delays: each record's max is one of the driver's connect()
		# times, the largest within CC_SKEW_US of the driver's longest; the
		# percentiles in the log2 bucket of a driver's delay (their rank
		# in each interval is the tracer's business, their values are not)
		recs=$(cc_records '.connection_delay_us.count, .connection_delay_us.p50, .connection_delay_us.p99, .connection_delay_us.max')
		out=$(awk -v waits="$(kv "$DRV_OUT" delays_us)" -v eps="$CC_SKEW_US" -v dmax="$d_max" '
			function lo(x,  b) { if (x < 2) return 0; b = 1; while (b * 2 <= x) b *= 2; return b }
			function hi(x) { return x < 2 ? 2 : lo(x) * 2 }
			# some driver delay lies in the bucket of x (or within eps of it)
			function inbucket(x,  i) {
				for (i = 1; i <= nw; i++)
					if (w[i] + eps >= lo(x) && w[i] - eps < hi(x))
						return 1
				return 0
			}
			function exact(x,  i) {
				for (i = 1; i <= nw; i++)
					if (x >= w[i] - eps && x <= w[i] + eps)
						return 1
				return 0
			}
			BEGIN { nw = split(waits, w, ","); tmax = 0 }
			$1 > 0 {
				if (!inbucket($2)) printf "ERR p50 %d us: no driver delay in its bucket\n", $2
				if (!inbucket($3)) printf "ERR p99 %d us: no driver delay in its bucket\n", $3
				if (!exact($4)) printf "ERR max %d us: no driver delay within %d us\n", $4, eps
				if ($4 > tmax) tmax = $4
			}
			END {
				if (tmax < dmax - eps || tmax > dmax + eps)
					printf "ERR records max %d us, driver longest connect %d us\n", tmax, dmax
				printf "MAX %d\n", tmax
			}' <<<"$recs")
		while IFS= read -r line; do
			case "$line" in
			"ERR "*) err "delay: ${line#ERR }" ;;
			"MAX "*) max=${line#MAX } ;;
			esac
		done <<<"$out"
		n=$(ev_count hint ".kind == \"clients_delayed\" and .lport == $CC_PORT")
		[ "$n" -gt 0 ] || err "no clients_delayed hint"
		n=$(ev_count hint '.kind == "syn_flood"')
		[ "$n" = 0 ] || err "$n syn_flood hints: every dropped client retried"
	fi
	ns_del "$CC_NS"
	verdict "$name" "driver: delayed $d_del (longest connect $d_max us), resets $(kv "$DRV_OUT" resets), SYN retransmits $(kv "$DRV_OUT" syn_retransmits); tracer: delayed $(tot .delayed) (max ${max:-?} us) tracked $(tot .tuples_tracked) pending $(tot .pending) retried_syns $(tot .retried_syns) synack_retransmits $(tot .synack_retransmits), TCPSynRetrans $SYNRETRANS; $(summary_line)"
}

# Clients with TCP_SYNCNT 1 against a full accept queue give up with
# ETIMEDOUT: with a short --abandon-after, each is abandoned, once.
sc_client_abandon() {
	local name=$1 d_to d_rs
	shift
	# abandon-after: longer than the 1 s between a client's two SYNs, shorter than the run
	cc_run "$name" abandoned timed_out "-i 0.5 --rate-limit 0 --abandon-after 1.5" \
		client_cost -m abandon "$@" || return
	d_to=$(kv "$DRV_OUT" timed_out)
	d_rs=$(kv "$DRV_OUT" resets)
	[ "${d_to:-0}" -gt 0 ] 2>/dev/null || err "scenario setup: no connect() timed out"
	[ "$(kv "$DRV_OUT" other_errors)" = 0 ] || err "scenario setup: $(kv "$DRV_OUT" other_errors) connects failed otherwise"
	if [ "$TRACER_OK" = 1 ]; then
		cc_check_totals
		[ "$(tot .abandoned)" = $((d_to + d_rs)) ] ||
			err "totals.abandoned $(tot .abandoned), the driver's ETIMEDOUT $d_to + reset $d_rs"
		[ "$(tot .delayed)/$(tot .pending)/$(tot .untracked)" = 0/0/0 ] ||
			err "totals delayed/pending/untracked $(tot .delayed)/$(tot .pending)/$(tot .untracked), expected 0/0/0"
	fi
	ns_del "$CC_NS"
	verdict "$name" "driver: ETIMEDOUT $d_to, resets $d_rs; tracer: abandoned $(tot .abandoned) tracked $(tot .tuples_tracked) retried_syns $(tot .retried_syns), TCPSynRetrans $SYNRETRANS; $(summary_line)"
}
