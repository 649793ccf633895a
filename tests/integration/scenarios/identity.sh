# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# Service identity from real cgroups: the drivers run in cgroups made in
# the v2 hierarchy the way systemd, Kubernetes (systemd driver) and docker
# name them, and every record names them back. Then --cgroup: only what
# happens inside the subtree counts, exactly.

# the cgroup v2 mount (root "/" of the hierarchy), "" when there is none
cg_mount() {
	awk '{ for (i = 1; i <= NF; i++) if ($i == "-") break }
	     $(i + 1) == "cgroup2" && $4 == "/" { print $5; exit }' /proc/self/mountinfo
}

# 32 random hex digits
cg_hex32() {
	tr -d '-' </proc/sys/kernel/random/uuid
}

# cg_make DIR...: make cgroups, each remembered for cg_remove_all
CG_MADE=""
cg_make() {
	local d

	for d in "$@"; do
		[ -d "$d" ] && continue
		mkdir "$d" || return 1
		CG_MADE="$d $CG_MADE"
	done
}

# remove what cg_make made, innermost first; a parent others use stays
cg_remove_all() {
	local d

	for d in $CG_MADE; do
		rmdir "$d" 2>/dev/null
	done
	CG_MADE=""
}

# run_driver_in_cgroup CGDIR NS NAME DRIVER [ARGS...]: run_driver with the
# driver in cgroup CGDIR from its start (it listens, accepts, connects there)
run_driver_in_cgroup() {
	local cg=$1 ns=$2 name=$3 drv=$4
	shift 4

	DRV_OUT="$WORK/$name.drv"
	DRV_RC=127
	timeout -k 2 "$DRIVER_TIMEOUT" sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" \
		ip netns exec "$ns" "$DRV/$drv" "$@" >"$DRV_OUT" 2>"$DRV_OUT.err" </dev/null
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

# the cgroups of both parts: a service, a Kubernetes container, a docker container
identity_cgroups() {
	local mount=$1 x=$2 uid=$3 pod ctr dock

	pod="kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$(echo "$uid" | tr - _).slice"
	ctr="cri-containerd-$CTR_ID.scope"
	dock="docker-$DOCKER_ID.scope"
	SVC_REL="/system.slice/$x.service"
	CTR_REL="/$pod/$ctr"
	DOCKER_REL="/system.slice/$dock"
	cg_make "$mount/system.slice" "$mount$SVC_REL" "$mount$SVC_REL/payload" "$mount/kubepods.slice" \
		"$mount/kubepods.slice/kubepods-burstable.slice" "$mount/$pod" "$mount$CTR_REL" \
		"$mount$DOCKER_REL" || return 1
}

sc_identity() {
	local name=$1 ns mount x uid n want
	scenario_setup ns "$name" || return
	mount=$(cg_mount)
	if [ -z "$mount" ]; then
		err "no cgroup2 hierarchy mounted (mount -t cgroup2 none /sys/fs/cgroup)"
		ns_del "$ns"
		verdict "$name" "not run"
		return
	fi
	x="tbid-$$-$RANDOM"
	uid=$(cat /proc/sys/kernel/random/uuid)
	CTR_ID="$(cg_hex32)$(cg_hex32)"
	DOCKER_ID="$(cg_hex32)$(cg_hex32)"
	if ! identity_cgroups "$mount" "$x" "$uid"; then
		err "cannot make cgroups under $mount"
		cg_remove_all
		ns_del "$ns"
		verdict "$name" "not run"
		return
	fi

	tracer_start "$ns" "$name" -i 1
	run_driver_in_cgroup "$mount$SVC_REL" "$ns" "$name.svc" overflow -p 8080
	run_driver_in_cgroup "$mount$CTR_REL" "$ns" "$name.ctr" emfile -p 8081 -l 16 -k 3
	want=$(kv "$DRV_OUT" emfile_total)
	run_driver_in_cgroup "$mount$DOCKER_REL" "$ns" "$name.docker" connect_fail -m refused -p 8082 -k 2
	run_driver_in_cgroup "$mount$SVC_REL" "$ns" "$name.bind" connect_fail -m bind -p 8083 -k 2
	tracer_stop
	check_promise_interval "$ns" "$name" "$SA_FOLD_MAX"
	if [ "$TRACER_OK" = 1 ]; then
		[ "$T_AE" = "$want" ] || err "totals.accept_error $T_AE, the driver saw $want EMFILE returns"
		n=$(ev_count syn_drop)
		[ "$n" -gt 0 ] || err "no syn_drop records"
		ev_identity syn_drop "" "$SVC_REL" "$x.service" "(none)" "(none)"
		ev_identity accept_error "" "$CTR_REL" "cri-containerd-$CTR_ID.scope" "$CTR_ID" "$uid"
		ev_identity connect_error "" "$DOCKER_REL" "docker-$DOCKER_ID.scope" "$DOCKER_ID" "(none)"
		ev_identity bind_error "" "$SVC_REL" "$x.service" "(none)" "(none)"
		# the listeners' records name their owners the same way
		n=$(jqo 'select(.event == "listener" and .lport == 8080) | 1' | wc -l)
		[ "$n" -gt 0 ] || err "no listener record for port 8080"
		n=$(jqo --arg c "$SVC_REL" --arg u "$x.service" 'select(.event == "listener" and .lport == 8080)
			| select(.cgroup != $c or .unit != $u or .container != null or .pod_uid != null) | 1' | wc -l)
		[ "$n" = 0 ] || err "$n listener records of port 8080 without the service's identity"
		n=$(jqo --arg c "$CTR_REL" --arg id "$CTR_ID" --arg p "$uid" 'select(.event == "listener" and .lport == 8081)
			| select(.cgroup != $c or .container != $id or .pod_uid != $p) | 1' | wc -l)
		[ "$n" = 0 ] || err "$n listener records of port 8081 without the container's identity"
	fi
	ns_del "$ns"
	cg_remove_all
	verdict "$name" "service $x, pod $uid; $(summary_line)"
}

# --cgroup SUBTREE: listeners owned inside it and calls made inside it
# count, exactly as the kernel counted them; nothing from outside appears
sc_identity_filter() {
	local name=$1 ns mount x uid ld_in want_ce n
	scenario_setup ns "$name" || return
	mount=$(cg_mount)
	x="tbid-$$-$RANDOM"
	uid=$(cat /proc/sys/kernel/random/uuid)
	CTR_ID="$(cg_hex32)$(cg_hex32)"
	DOCKER_ID="$(cg_hex32)$(cg_hex32)"
	if [ -z "$mount" ] || ! identity_cgroups "$mount" "$x" "$uid"; then
		err "no cgroup2 hierarchy to make cgroups in"
		cg_remove_all
		ns_del "$ns"
		verdict "$name" "not run"
		return
	fi

	tracer_start "$ns" "$name" --cgroup "$SVC_REL"
	# inside: a child of the subtree
	run_driver_in_cgroup "$mount$SVC_REL/payload" "$ns" "$name.in" overflow -p 8080
	read_mib "$ns"
	ld_in=$LD
	run_driver_in_cgroup "$mount$SVC_REL/payload" "$ns" "$name.in_connect" connect_fail -m refused -p 8082 -k 2
	want_ce=$(kv "$DRV_OUT" connect_errors)
	# outside: drops, accept errors and failed connects elsewhere
	run_driver_in_cgroup "$mount$DOCKER_REL" "$ns" "$name.out" overflow -p 8081
	run_driver_in_cgroup "$mount$CTR_REL" "$ns" "$name.out_emfile" emfile -p 8083 -l 16 -k 3
	run_driver_in_cgroup "$mount$CTR_REL" "$ns" "$name.out_connect" connect_fail -m refused -p 8084 -k 2
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
		n=$(jqo 'select(.event != "start" and .event != "totals") | .cgroup' | sort | uniq -c | tr -s ' \n' ' ')
		ev_expect syn_drop lport 8080
		ev_expect syn_drop cgroup "$SVC_REL/payload"
		ev_expect syn_drop unit "$x.service"
		ev_expect connect_error cgroup "$SVC_REL/payload"
		ev_expect connect_error rport 8082
		[ "$(ev_count accept_error)" = 0 ] || err "accept_error records from outside the subtree"
		[ "$(jqo 'select(.event == "start") | .filters.cgroup')" = "$SVC_REL" ] ||
			err "start record filters.cgroup is not $SVC_REL"
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
	local name=$1 where=$2 ns mount x uid bg i dpid scope
	scenario_setup ns "$name" || return
	mount=$(cg_mount)
	x="tbid-$$-$RANDOM"
	uid=$(cat /proc/sys/kernel/random/uuid)
	CTR_ID="$(cg_hex32)$(cg_hex32)"
	DOCKER_ID="$(cg_hex32)$(cg_hex32)"
	if [ -z "$mount" ] || ! identity_cgroups "$mount" "$x" "$uid"; then
		err "no cgroup2 hierarchy to make cgroups in"
		cg_remove_all
		ns_del "$ns"
		verdict "$name" "not run"
		return
	fi
	scope=$SVC_REL
	[ "$where" = in ] || scope=$DOCKER_REL
	DRV_OUT="$WORK/$name.drv"
	timeout -k 2 "$DRIVER_TIMEOUT" sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$mount$SVC_REL" \
		ip netns exec "$ns" "$DRV/preexisting" -p 8080 -t 25000 >"$DRV_OUT" 2>"$DRV_OUT.err" </dev/null &
	bg=$!
	bg_add "$bg"
	for ((i = 0; i < 80; i++)); do
		grep -q '^ready=1' "$DRV_OUT" && break
		kill -0 "$bg" 2>/dev/null || break
		sleep 0.1
	done
	dpid=$(kv "$DRV_OUT" pid)
	if ! grep -q '^ready=1' "$DRV_OUT" || [ -z "$dpid" ]; then
		err "driver preexisting did not get ready: $(tr '\n' ' ' <"$DRV_OUT.err")"
	else
		tracer_start "$ns" "$name" --cgroup "$scope"
		mark_baseline "$ns"
		kill -USR1 "$dpid"
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
			ev_identity syn_drop "" "$SVC_REL" "$x.service" "(none)" "(none)"
			ev_expect syn_drop pid "$dpid"
		else
			[ $((T_SYN + T_AO)) = 0 ] || err "syn_drop $T_SYN + accept_overflow $T_AO from outside --cgroup $scope"
			[ "$(ev_count syn_drop)" = 0 ] || err "syn_drop records from outside --cgroup $scope"
		fi
	fi
	ns_del "$ns"
	cg_remove_all
	verdict "$name" "--cgroup $scope; $(summary_line)"
}
