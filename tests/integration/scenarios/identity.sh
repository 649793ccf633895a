# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# Service identity from real cgroups: the drivers run in cgroups made in
# the v2 hierarchy the way systemd, Kubernetes (systemd driver) and docker
# name them, and every record names them back. Then --cgroup: only what
# happens inside the subtree counts, exactly.

# 32 random hex digits
cg_hex32() {
	tr -d '-' </proc/sys/kernel/random/uuid
}

# run_driver_in_cgroup CGDIR NS NAME DRIVER [ARGS...]: run_driver with the
# driver in cgroup CGDIR from its start (it listens, accepts, connects there)
run_driver_in_cgroup() {
	local cg=$1 ns=$2 name=$3 drv=$4
	shift 4

	DRV_OUT="$WORK/$name.drv"
	DRV_RC=127
	cg_exec "$cg" timeout -k 2 "$DRIVER_TIMEOUT" ip netns exec "$ns" "$DRV/$drv" "$@" \
		>"$DRV_OUT" 2>"$DRV_OUT.err" </dev/null
	DRV_RC=$?
	[ "$DRV_RC" = 0 ] || err "driver $drv $* in $cg exited with status $DRV_RC: $(tr '\n' ' ' <"$DRV_OUT.err")"
}

# ev_identity KIND PREFIX CGROUP UNIT CONTAINER POD: every KIND record names them ("(none)": null)
ev_identity() {
	ev_expect "$1" "${2}cgroup" "$3"
	ev_expect "$1" "${2}unit" "$4"
	ev_expect "$1" "${2}container" "$5"
	ev_expect "$1" "${2}pod_uid" "$6"
}

# identity_setup NS NAME: the cgroups of a scenario under MOUNT, named
# after X, POD_UID, CTR_ID, DOCKER_ID (SVC_REL, CTR_REL, DOCKER_REL their
# paths); 1, with the verdict given, when they cannot be made
identity_setup() {
	local ns=$1 name=$2 pod

	MOUNT=$(cg_mount)
	X="tbid-$$-$RANDOM"
	POD_UID=$(cat /proc/sys/kernel/random/uuid)
	CTR_ID="$(cg_hex32)$(cg_hex32)"
	DOCKER_ID="$(cg_hex32)$(cg_hex32)"
	pod="/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$(echo "$POD_UID" | tr - _).slice"
	SVC_REL="/system.slice/$X.service"
	CTR_REL="$pod/cri-containerd-$CTR_ID.scope"
	DOCKER_REL="/system.slice/docker-$DOCKER_ID.scope"
	[ -n "$MOUNT" ] && cg_make "$MOUNT/system.slice" "$MOUNT$SVC_REL" "$MOUNT$SVC_REL/payload" \
		"$MOUNT/kubepods.slice" "$MOUNT/kubepods.slice/kubepods-burstable.slice" "$MOUNT$pod" \
		"$MOUNT$CTR_REL" "$MOUNT$DOCKER_REL" && return 0
	err "cannot make cgroups in the cgroup v2 hierarchy (mounted at '$MOUNT')"
	cg_remove_all
	ns_del "$ns"
	verdict "$name" "not run"
	return 1
}

sc_identity() {
	local name=$1 ns n want
	scenario_setup ns "$name" || return
	identity_setup "$ns" "$name" || return

	tracer_start "$ns" "$name" -i 1
	run_driver_in_cgroup "$MOUNT$SVC_REL" "$ns" "$name.svc" overflow -p 8080
	run_driver_in_cgroup "$MOUNT$CTR_REL" "$ns" "$name.ctr" emfile -p 8081 -l 16 -k 3
	want=$(kv "$DRV_OUT" emfile_total)
	run_driver_in_cgroup "$MOUNT$DOCKER_REL" "$ns" "$name.docker" connect_fail -m refused -p 8082 -k 2
	run_driver_in_cgroup "$MOUNT$SVC_REL" "$ns" "$name.bind" connect_fail -m bind -p 8083 -k 2
	tracer_stop
	check_promise_interval "$ns" "$name" "$SA_FOLD_MAX"
	if [ "$TRACER_OK" = 1 ]; then
		[ "$T_AE" = "$want" ] || err "totals.accept_error $T_AE, the driver saw $want EMFILE returns"
		n=$(ev_count syn_drop)
		[ "$n" -gt 0 ] || err "no syn_drop records"
		ev_identity syn_drop "" "$SVC_REL" "$X.service" "(none)" "(none)"
		ev_identity accept_error "" "$CTR_REL" "cri-containerd-$CTR_ID.scope" "$CTR_ID" "$POD_UID"
		ev_identity connect_error "" "$DOCKER_REL" "docker-$DOCKER_ID.scope" "$DOCKER_ID" "(none)"
		ev_identity bind_error "" "$SVC_REL" "$X.service" "(none)" "(none)"
		# the listeners' records name their owners the same way
		n=$(jqo 'select(.event == "listener" and .lport == 8080) | 1' | wc -l)
		[ "$n" -gt 0 ] || err "no listener record for port 8080"
		n=$(jqo --arg c "$SVC_REL" --arg u "$X.service" 'select(.event == "listener" and .lport == 8080)
			| select(.cgroup != $c or .unit != $u or .container != null or .pod_uid != null) | 1' | wc -l)
		[ "$n" = 0 ] || err "$n listener records of port 8080 without the service's identity"
		n=$(jqo --arg c "$CTR_REL" --arg id "$CTR_ID" --arg p "$POD_UID" 'select(.event == "listener" and .lport == 8081)
			| select(.cgroup != $c or .container != $id or .pod_uid != $p) | 1' | wc -l)
		[ "$n" = 0 ] || err "$n listener records of port 8081 without the container's identity"
	fi
	ns_del "$ns"
	cg_remove_all
	verdict "$name" "service $X, pod $POD_UID; $(summary_line)"
}

# --cgroup SUBTREE: listeners owned inside it and calls made inside it
# count, exactly as the kernel counted them; nothing from outside appears
sc_identity_filter() {
	local name=$1 ns ld_in want_ce n
	scenario_setup ns "$name" || return
	identity_setup "$ns" "$name" || return

	tracer_start "$ns" "$name" --cgroup "$SVC_REL"
	# inside: a child of the subtree
	run_driver_in_cgroup "$MOUNT$SVC_REL/payload" "$ns" "$name.in" overflow -p 8080
	read_mib "$ns"
	ld_in=$LD
	run_driver_in_cgroup "$MOUNT$SVC_REL/payload" "$ns" "$name.in_connect" connect_fail -m refused -p 8082 -k 2
	want_ce=$(kv "$DRV_OUT" connect_errors)
	# outside: drops, accept errors and failed connects elsewhere
	run_driver_in_cgroup "$MOUNT$DOCKER_REL" "$ns" "$name.out" overflow -p 8081
	run_driver_in_cgroup "$MOUNT$CTR_REL" "$ns" "$name.out_emfile" emfile -p 8083 -l 16 -k 3
	run_driver_in_cgroup "$MOUNT$CTR_REL" "$ns" "$name.out_connect" connect_fail -m refused -p 8084 -k 2
	tracer_stop
	read_mib "$ns"
	if [ "$TRACER_OK" = 1 ]; then
		read_totals
		[ "$LD" -gt "$ld_in" ] || err "scenario setup: the outside driver dropped nothing ($LD after $ld_in)"
		[ "$ld_in" -gt 0 ] || err "scenario setup: the inside driver dropped nothing"
		[ $((T_SYN + T_AO)) = "$ld_in" ] ||
			err "syn_drop $T_SYN + accept_overflow $T_AO != the inside driver's ListenDrops $ld_in (all: $LD)"
		[ "$T_AE" = 0 ] || err "totals.accept_error $T_AE, expected 0 (all outside)"
		[ "$T_CE" = "$want_ce" ] || err "totals.connect_error $T_CE, the inside driver saw $want_ce"
		n=$(ev_count syn_drop)
		[ $((n + T_SUP + T_LOST)) = "$T_SYN" ] || err "$n syn_drop lines + suppressed + lost != totals $T_SYN"
		ev_expect syn_drop lport 8080
		ev_expect syn_drop cgroup "$SVC_REL/payload"
		ev_expect syn_drop unit "$X.service"
		ev_expect connect_error cgroup "$SVC_REL/payload"
		ev_expect connect_error rport 8082
		[ "$(ev_count accept_error)" = 0 ] || err "accept_error records from outside the subtree"
		[ "$(jqo 'select(.event == "start") | .filters.cgroup')" = "$SVC_REL" ] ||
			err "start record filters.cgroup is not $SVC_REL"
		n=$(jqo 'select(.event != "start" and .event != "totals") | .cgroup' | sort | uniq -c | tr -s ' \n' ' ')
	fi
	ns_del "$ns"
	cg_remove_all
	verdict "$name" "inside ListenDrops=$ld_in, all=$LD; tracer syn_drop=$T_SYN accept_overflow=$T_AO accept_error=$T_AE connect_error=$T_CE (records by cgroup:$n)"
}

# A listener older than the tracer: its owner's cgroup comes from /proc,
# and so does the --cgroup decision (the loader's, at start). Argument:
# "in" (--cgroup of the owner's service: all its drops count) or "out"
# (--cgroup of another one: none do).
sc_identity_preexisting() {
	local name=$1 where=$2 ns bg scope
	scenario_setup ns "$name" || return
	identity_setup "$ns" "$name" || return
	scope=$SVC_REL
	[ "$where" = in ] || scope=$DOCKER_REL
	DRV_OUT="$WORK/$name.drv"
	cg_exec "$MOUNT$SVC_REL" timeout -k 2 "$DRIVER_TIMEOUT" ip netns exec "$ns" "$DRV/preexisting" \
		-p 8080 -t 25000 >"$DRV_OUT" 2>"$DRV_OUT.err" </dev/null &
	bg=$!
	bg_add "$bg"
	if wait_ready "$bg" preexisting; then
		tracer_start "$ns" "$name" --cgroup "$scope"
		mark_baseline "$ns"
		kill -USR1 "$DPID"
	fi
	wait "$bg"
	DRV_RC=$?
	bg_done "$bg"
	[ "$DRV_RC" = 0 ] || err "driver preexisting exited with status $DRV_RC: $(tr '\n' ' ' <"$DRV_OUT.err")"
	tracer_stop
	read_mib "$ns"
	if [ "$TRACER_OK" = 1 ]; then
		read_totals
		[ "$LD" -gt 0 ] || err "scenario setup: no drops"
		if [ "$where" = in ]; then
			check_promise "$ns"
			ev_identity syn_drop "" "$SVC_REL" "$X.service" "(none)" "(none)"
			ev_expect syn_drop pid "$DPID"
		else
			[ $((T_SYN + T_AO)) = 0 ] || err "syn_drop $T_SYN + accept_overflow $T_AO from outside --cgroup $scope"
			[ "$(ev_count syn_drop)" = 0 ] || err "syn_drop records from outside --cgroup $scope"
		fi
	fi
	ns_del "$ns"
	cg_remove_all
	verdict "$name" "--cgroup $scope; $(summary_line)"
}
