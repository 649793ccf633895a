# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# Who accepts: a prefork server (a master listens, workers accept at a lower
# fd limit), SO_REUSEPORT workers, socket activation, a tracer in its own
# PID namespace. Ground truth: the drivers' own pids and counts.

# the worker pids of a prefork driver's output, comma separated
worker_pids() {
	sed -n 's/^worker[0-9]*_pid=//p' "$1" | paste -sd,
}

# acceptor_sums PID: over the listener records of $LREC, that process's
# accepts and accept_errors, tab separated
acceptor_sums() {
	jqo -s --argjson p "$1" "[.[] | select($LREC) | .acceptors[]? | select(.pid == \$p)] |
		[(map(.accepts) | add // 0), (map(.accept_errors) | add // 0)] | @tsv"
}

# A prefork server: every accept failure and hint names the workers and
# their limit, never the master's; listener records list each worker with
# exactly the accepts and failures it counted. WRAP: how the tracer runs
# ("" plain; "pidns": unshare --pid --fork --mount-proc, its own /proc;
# "pidns_hostproc": its own PID namespace, the host's /proc).
sc_prefork() {
	local name=$1 wrap=$2 ns ino port i wpid wlim out acc errs hint n master_lim
	shift 2
	scenario_setup ns "$name" || return
	ino=$(ns_inode "$ns")
	case "$wrap" in
	pidns) TRACER_WRAP="unshare --pid --fork --mount-proc" ;;
	pidns_hostproc) TRACER_WRAP="unshare --pid --fork" ;;
	*) TRACER_WRAP="" ;;
	esac
	tracer_start "$ns" "$name" -i 1
	run_driver "$ns" "$name" prefork "$@"
	tracer_stop
	TRACER_WRAP=""
	check_promise_interval "$ns" "$name"
	port=$(kv "$DRV_OUT" port)
	case "$port" in '' | *[!0-9]*) port=0 ;; esac
	master_lim=$(kv "$DRV_OUT" master_nofile)
	[ "$LD" = 0 ] || err "scenario setup: ListenDrops $LD, expected 0"
	if [ "$TRACER_OK" = 1 ]; then
		[ "$T_AE" = "$(kv "$DRV_OUT" emfile_total)" ] ||
			err "totals.accept_error $T_AE, the workers saw $(kv "$DRV_OUT" emfile_total) EMFILE"
		TRACER_OUT=$TRACER_EVENTS
		# the caller is the worker, and so is the acceptor; the kernel's own figures
		ev_expect_in accept_error pid "$(worker_pids "$DRV_OUT")"
		ev_expect accept_error comm "$(kv "$DRV_OUT" worker_comm)"
		n=$(ev_count accept_error '.acceptor_pid != .pid or .acceptor_comm != .comm')
		[ "$n" = 0 ] || err "$n accept_error records whose acceptor is not their caller"
		ev_expect accept_error nofile_limit "$(kv "$DRV_OUT" worker0_nofile)"
		ev_expect accept_error open_fds "$(kv "$DRV_OUT" worker0_open_fds)"
		ev_expect accept_error listen_addr "$(kv "$DRV_OUT" laddr)"
		TRACER_OUT=$TRACER_FULL

		LREC=".event == \"listener\" and .lport == $port and (.netns | tostring) == \"$ino\""
		[ "$(ev_count listener "$LREC")" -gt 0 ] || err "no listener records for port $port"
		# the listen() caller stays the owner; the acceptor is a worker
		n=$(ev_count listener "$LREC and .pid != $(kv "$DRV_OUT" pid)")
		[ "$n" = 0 ] || err "$n listener records not owned by the master"
		# once anyone accepted, the last acceptor is a worker
		n=$(ev_count listener "$LREC and .acceptor_pid != null and
			((\",$(worker_pids "$DRV_OUT"),\" | contains(\",\(.acceptor_pid),\")) | not)")
		[ "$n" = 0 ] || err "$n listener records name an acceptor that is no worker"
		n=$(ev_count listener "$LREC and .accepts > 0 and .acceptor_comm != \"$(kv "$DRV_OUT" worker_comm)\"")
		[ "$n" = 0 ] || err "$n listener records with accepts name an acceptor comm other than the workers'"
		for ((i = 0; i < $(kv "$DRV_OUT" workers); i++)); do
			wpid=$(kv "$DRV_OUT" "worker${i}_pid")
			wlim=$(kv "$DRV_OUT" "worker${i}_nofile")
			IFS=$'\t' read -r acc errs <<<"$(acceptor_sums "$wpid")"
			[ "$acc" = "$(kv "$DRV_OUT" "worker${i}_accepts")" ] ||
				err "worker $wpid: listener records list $acc accepts, it accepted $(kv "$DRV_OUT" "worker${i}_accepts")"
			[ "$errs" = "$(kv "$DRV_OUT" "worker${i}_emfile")" ] ||
				err "worker $wpid: listener records list $errs accept errors, it saw $(kv "$DRV_OUT" "worker${i}_emfile")"
			# the hints name each worker's own figures at its failure
			n=$(ev_count hint ".kind == \"fd_limit\" and (.text | contains(\"pid $wpid: $wlim open, limit $wlim\"))")
			[ "$n" -gt 0 ] || err "no fd_limit hint names worker $wpid's limit $wlim"
			# /proc at the report: only where it shows the kernel's pids
			n=$(jqo -s --argjson p "$wpid" "[.[] | select($LREC) | .acceptors[]? |
				select(.pid == \$p and .accepts > 0) | .nofile_limit | tostring] | unique | join(\",\")")
			if [ "$wrap" = pidns ]; then
				[ "$n" = null ] || err "worker $wpid: nofile_limit $n read from a /proc that numbers pids otherwise"
			else
				[ "$n" = "$wlim" ] || err "worker $wpid: acceptors list nofile_limit $n, its limit is $wlim"
			fi
		done
		n=$(ev_count hint ".kind == \"fd_limit\" and (.text | contains(\"limit $master_lim\"))")
		[ "$n" = 0 ] || err "$n fd_limit hints give the master's limit $master_lim"
		n=$(ev_count hint '.kind == "fd_limit"')
		[ "$n" -gt 0 ] || err "no fd_limit hint"
		if [ "$wrap" = pidns ]; then
			grep -q "another PID namespace" "$TRACER_ERR" || err "no note on the PID namespace on stderr"
		fi
	fi
	ns_del "$ns"
	verdict "$name" "workers $(worker_pids "$DRV_OUT") accepted $(kv "$DRV_OUT" accepts_total), EMFILE $(kv "$DRV_OUT" emfile_total); $(summary_line)"
}

# SO_REUSEPORT: the master makes every member, worker i accepts from member
# i; each member's drops name its own worker as the acceptor.
sc_prefork_reuseport() {
	local name=$1 ns
	shift
	overflow_scenario ns "$name" prefork -r "$@" || return
	if [ "$TRACER_OK" = 1 ]; then
		ev_expect syn_drop pid "$(kv "$DRV_OUT" pid)"
		ev_expect syn_drop comm "$(kv "$DRV_OUT" comm)"
		ev_expect syn_drop acceptor_comm "$(kv "$DRV_OUT" worker_comm)"
		ev_expect syn_drop listen_addr "$(kv "$DRV_OUT" laddr)"
		ev_expect_in syn_drop acceptor_pid "$(worker_pids "$DRV_OUT")"
		# member i's drops name worker i, the one that accepts from it
		drops_by_member acceptor_pid worker
	fi
	ns_del "$ns"
	verdict "$name" "drops per member $(sed -n 's/^member[0-9]*_drops=//p' "$DRV_OUT" | paste -sd,); $(summary_line)"
}

# systemd-socket-activate listens, then execs a server whose worker
# accepts: the worker is the acceptor, socket-activate the listen() caller.
sc_socket_activate() {
	local name=$1 ns ino port=8080 n=5 sa sa_out acc errs wpid
	scenario_setup ns "$name" || return
	ino=$(ns_inode "$ns")
	if ! command -v systemd-socket-activate >/dev/null 2>&1; then
		err "systemd-socket-activate missing (scripts/install-deps.sh integration)"
		ns_del "$ns"
		verdict "$name" "not run"
		return
	fi
	tracer_start "$ns" "$name" -i 1
	sa_out="$WORK/$name.sa"
	DRV_OUT="$WORK/$name.drv"
	ip netns exec "$ns" systemd-socket-activate -l "127.0.0.1:$port" "$DRV/sa_server" -n "$n" \
		>"$sa_out" 2>"$sa_out.err" </dev/null &
	sa=$!
	bg_add "$sa"
	wait_for_line "$sa" "$sa_out.err" 'Listening on' 50 0.1 || err "systemd-socket-activate did not listen"
	run_driver "$ns" "$name" sa_server -c "$n" -p "$port"
	wait_gone "$sa" 100 || err "the activated server did not end"
	stop_pid "$sa" TERM 10
	bg_done "$sa"
	tracer_stop
	check_promise_interval "$ns" "$name"
	wpid=$(kv "$sa_out" worker_pid)
	if [ "$TRACER_OK" = 1 ] && [ -n "$wpid" ]; then
		LREC=".event == \"listener\" and .lport == $port and (.netns | tostring) == \"$ino\""
		[ "$(ev_count listener "$LREC")" -gt 0 ] || err "no listener records for port $port"
		# socket-activate called listen() and became the server by exec
		ev_expect listener pid "$sa"
		ev_expect listener comm "systemd-socket-"
		ev_expect listener acceptor_pid "$wpid"
		ev_expect listener acceptor_comm "$(kv "$sa_out" worker_comm)"
		IFS=$'\t' read -r acc errs <<<"$(acceptor_sums "$wpid")"
		[ "$acc" = "$(kv "$sa_out" accepts)" ] ||
			err "listener records list $acc accepts by $wpid, it accepted $(kv "$sa_out" accepts)"
		n=$(jqo -s "[.[] | select($LREC) | .acceptors[]? | select(.pid != $wpid)] | length")
		[ "$n" = 0 ] || err "$n acceptors listed other than the worker"
	else
		err "no report from the activated server: $(tr '\n' ' ' <"$sa_out.err")"
	fi
	ns_del "$ns"
	verdict "$name" "socket-activate $sa, worker ${wpid:-?} accepted $(kv "$sa_out" accepts); $(summary_line)"
}
