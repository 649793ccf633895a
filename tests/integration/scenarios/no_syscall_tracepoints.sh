# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# --no-syscall-tracepoints: no syscall tracepoint attached, and what the
# README says is then lost is lost: EMFILE from accept(2) is not counted
# (the driver saw some), while the listen-drop promise still holds. Where
# fexit works (syscall_hooks "fexit"), every EMFILE is counted all the same.
sc_no_syscall_tracepoints() {
	local name=$1 ns want hooks="" attached=""
	shift
	scenario_setup ns "$name" || return
	tracer_start "$ns" "$name" --no-syscall-tracepoints
	if [ "$TRACER_OK" = 1 ]; then
		# every tracepoint the tracer's programs sit on; syscall ones are sys_enter*/sys_exit*
		attached=$(bpftool -j perf 2>/dev/null | jq -r --argjson p "$TRACER_PID" \
			'.[] | select(.pid == $p) | .tracepoint // empty' | sort -u | tr '\n' ' ')
		[ -n "$attached" ] || err "bpftool perf lists no tracepoint of the tracer"
		case " $attached" in
		*" sys_e"*) err "syscall tracepoints attached: $attached" ;;
		esac
		hooks=$(jqo 'select(.event == "start") | .syscall_hooks')
		case "$hooks" in
		none | fexit) ;;
		*) err "start record: syscall_hooks \"$hooks\", expected \"none\" or \"fexit\"" ;;
		esac
	fi
	run_driver "$ns" "$name" emfile "$@"
	tracer_stop
	check_promise "$ns"
	want=$(kv "$DRV_OUT" emfile_total)
	[ "${want:-0}" -gt 0 ] 2>/dev/null || err "scenario setup: the driver saw no EMFILE"
	if [ "$TRACER_OK" = 1 ] && [ "$hooks" = fexit ]; then
		[ "$T_AE" = "$want" ] || err "totals.accept_error $T_AE, the driver saw $want EMFILE returns"
	elif [ "$TRACER_OK" = 1 ]; then
		[ "$T_AE" = 0 ] || err "totals.accept_error $T_AE, expected 0 without syscall tracepoints"
	fi
	ns_del "$ns"
	verdict "$name" "driver EMFILE=$want, tracepoints: $attached; $(summary_line)"
}
