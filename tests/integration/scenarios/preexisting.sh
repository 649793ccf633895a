# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# A listener that exists before the tracer starts: owner found from /proc.
# 2nd argument: "pid": the tracer also gets -p <driver pid>; "dirty": the
# listener overflowed before the tracer started (counted from the start
# record on).
sc_preexisting() {
	local name=$1 mode=${2:-} ns dpid bg dargs=""
	scenario_setup ns "$name" || return
	DRV_OUT="$WORK/$name.drv"
	: >"$DRV_OUT"
	if [ ! -x "$DRV/preexisting" ]; then
		err "driver $DRV/preexisting missing"
		ns_del "$ns"
		verdict "$name" "not run"
		return
	fi
	[ "$mode" != dirty ] || dargs=-r
	timeout -k 2 "$DRIVER_TIMEOUT" ip netns exec "$ns" "$DRV/preexisting" $dargs -p 8080 -t 25000 \
		>"$DRV_OUT" 2>"$DRV_OUT.err" </dev/null &
	bg=$!
	bg_add "$bg"
	if wait_ready "$bg" preexisting; then
		dpid=$DPID
		if [ "$mode" = pid ]; then
			tracer_start "$ns" "$name" -p "$dpid"
		else
			tracer_start "$ns" "$name"
		fi
		mark_baseline "$ns"
		kill -USR1 "$dpid"
	fi
	wait "$bg"
	DRV_RC=$?
	bg_done "$bg"
	[ "$DRV_RC" = 0 ] ||
		err "driver preexisting exited with status $DRV_RC: $(tr '\n' ' ' <"$DRV_OUT.err")"
	tracer_stop
	check_promise "$ns"
	expect_overflows_only
	if [ "$TRACER_OK" = 1 ]; then
		expect_queue_full_drops
		ev_expect_in syn_drop rport "$(kv "$DRV_OUT" dropped_ports)"
	fi
	ns_del "$ns"
	if [ "$mode" = dirty ]; then
		verdict "$name" "before the trace: ListenDrops=$BASE_LD; $(summary_line)"
	else
		verdict "$name" "$(summary_line)"
	fi
}
