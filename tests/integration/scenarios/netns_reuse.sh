# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# A namespace dies and a new one gets its inode (the kernel reuses the
# lowest free one): the tracer must count the new namespace's drops from 0,
# not from the dead one's per-CPU counters (which would wrap to ~2^32).
# The tracer traces the inode (-n), so it follows the new namespace.
sc_netns_reuse() {
	local name=$1 ns1 ns2 ino1 ino2 try ld1 lo1 ld2="" lo2 f fillers n
	scenario_setup ns1 "$name" || return
	ino1=$(ns_inode "$ns1")
	tracer_start "$ns1" "$name"
	run_driver "$ns1" "$name" overflow -p 8080
	read_mib "$ns1"
	ld1=$LD lo1=$LO
	ns_del "$ns1"
	ino2=""
	fillers=()
	for ((try = 0; try < 100; try++)); do
		ns_new ns2 tb || break
		ino2=$(ns_inode "$ns2")
		[ "$ino2" != "$ino1" ] || break
		# the lowest free inode comes first: keep those below ours taken,
		# give back those above (ours was not free yet: the old namespace
		# is torn down asynchronously)
		if [ "$ino2" -lt "$ino1" ]; then
			fillers+=("$ns2")
		else
			ns_del "$ns2"
			sleep 0.1
		fi
		ino2=""
	done
	for f in "${fillers[@]}"; do
		ns_del "$f"
	done
	if [ -z "$ino2" ]; then
		err "scenario setup: no new namespace got the inode $ino1 back in 100 tries"
	else
		run_driver "$ns2" "$name" overflow -p 8080
	fi
	tracer_stop
	if [ -n "$ino2" ]; then
		# -n named the first namespace: the second, in its inode, is another
		# one and is not traced. The totals are the first one's drops alone.
		BASE_LD=0 BASE_LO=0 BASE_RQD=0 BASE_SCS=0
		read_mib "$ns2"
		ld2=$LD lo2=$LO
		LD=$ld1 LO=$lo1 RQD=0
		[ "$ld1" != 0 ] && [ "$ld2" != 0 ] ||
			err "scenario setup: ListenDrops $ld1 (first) / $ld2 (second), both should be > 0"
		if [ "$TRACER_OK" = 1 ]; then
			jq -e . "$TRACER_OUT" >/dev/null 2>&1 || err "tracer output is not valid JSON Lines"
			read_totals
			[ $((T_SYN + T_AO)) = "$ld1" ] ||
				err "syn_drop $T_SYN + accept_overflow $T_AO != the first namespace's ListenDrops $ld1 (the second's: $ld2)"
			[ $((T_AQF + T_AO)) = "$lo1" ] ||
				err "accept_queue_full $T_AQF + accept_overflow $T_AO != the first namespace's ListenOverflows $lo1"
			n=$(ev_count syn_drop)
			[ "$n" = "$T_SYN" ] || err "$n syn_drop lines, totals.syn_drop $T_SYN"
		fi
		ns_del "$ns2"
	fi
	verdict "$name" "inode $ino1 reused; first namespace ListenDrops=$ld1, second ${ld2:-?} (not traced); $(summary_line)"
}
