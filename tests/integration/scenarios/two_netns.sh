# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# The same port overflowing in two namespaces, only the first traced.
sc_two_netns() {
	local name=$1 ns1 ns2 ino2 out2 bg rc2 ld2 n
	scenario_setup ns1 "$name" || return
	ns_new ns2 tb || { verdict "$name" "setup"; return; }
	ino2=$(ns_inode "$ns2")
	out2="$WORK/$name.ns2.drv"
	tracer_start "$ns1" "$name"
	timeout -k 2 "$DRIVER_TIMEOUT" ip netns exec "$ns2" "$DRV/overflow" -p 8080 \
		>"$out2" 2>"$out2.err" </dev/null &
	bg=$!
	bg_add "$bg"
	run_driver "$ns1" "$name" overflow -p 8080
	wait "$bg"
	rc2=$?
	bg_done "$bg"
	[ "$rc2" = 0 ] || err "driver overflow in the second namespace exited with status $rc2"
	tracer_stop
	check_promise "$ns1"
	ld2=$(nstat_get "$ns2" TcpExtListenDrops)
	[ "$LD" != 0 ] && [ "${ld2:-0}" != 0 ] ||
		err "scenario setup: ListenDrops $LD (traced) / $ld2 (other), both should be > 0"
	if [ "$TRACER_OK" = 1 ]; then
		n=$(jqo "select((.netns | tostring) == \"$ino2\") | 1" | wc -l)
		[ "$n" = 0 ] || err "$n records name the untraced namespace $ino2"
		check_listener_events syn_drop "$DRV_OUT"
		ev_expect_in syn_drop rport "$(kv "$DRV_OUT" dropped_ports)"
	fi
	ns_del "$ns1"
	ns_del "$ns2"
	verdict "$name" "other namespace ListenDrops=$ld2; $(summary_line)"
}
