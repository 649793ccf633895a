# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# accept()/accept4() failing with EMFILE; ground truth: the driver's count
sc_emfile() {
	local name=$1 ns want limit
	shift
	scenario_setup ns "$name" || return
	traced_run "$ns" "$name" emfile "$@"
	want=$(kv "$DRV_OUT" emfile_total)
	limit=$(kv "$DRV_OUT" nofile_limit)
	[ "$LD" = 0 ] || err "scenario setup: ListenDrops $LD, expected 0"
	if [ "$TRACER_OK" = 1 ]; then
		[ "$T_AE" = "$want" ] || err "totals.accept_error $T_AE, the driver saw $want EMFILE returns"
		ev_expect accept_error pid "$(kv "$DRV_OUT" pid)"
		ev_expect accept_error comm "$(kv "$DRV_OUT" comm)"
		ev_expect accept_error lport "$(kv "$DRV_OUT" port)"
		ev_expect accept_error laddr "$(kv "$DRV_OUT" laddr)"
		ev_expect accept_error family "$(kv "$DRV_OUT" family)"
		ev_expect accept_error errno 24
		ev_expect accept_error error EMFILE
		ev_expect accept_error nofile_limit "$limit"
		ev_expect accept_error open_fds "$(kv "$DRV_OUT" open_fds)"
		[ "$T_SYN" = 0 ] && [ "$T_AO" = 0 ] || err "syn_drop $T_SYN / accept_overflow $T_AO, expected 0"
	fi
	ns_del "$ns"
	verdict "$name" "driver EMFILE=$want; $(summary_line)"
}
