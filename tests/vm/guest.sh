#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The scenario matrix of one kernel, run in the caller's network namespace:
# for each tracer mode and each scenario, start tcpbacklog (filtered on this
# namespace), run the scenario driver, stop the tracer, and compare its
# totals with this namespace's own counters (/proc/net/netstat, deltas over
# the cell):
#   totals.syn_drop + totals.accept_overflow                          == ListenDrops
#   totals.syn_drop_reasons.accept_queue_full + totals.accept_overflow == ListenOverflows
#
#   guest.sh LABEL BIN DRIVER_DIR "MODES" "SCENARIOS"
#
# Runs as /init's payload inside a VM (busybox) and on the host inside
# `unshare -n` (the host row); plain POSIX sh plus awk, grep, sed, timeout.
# Sources the shared harness library: harness.sh next to this file (the
# VM's /vm/), else ../lib/harness.sh.
# Prints one line per cell (ts syn_drop, ao accept_overflow, aqf/sqf
# syn_drop_reasons accept_queue_full/syn_queue_full, ae accept_error; LD, LO
# the ListenDrops, ListenOverflows deltas):
#   VMTEST LABEL MODE SCENARIO PASS|FAIL|NA ts=N ao=N aqf=N sqf=N ae=N LD=N LO=N sec=S | detail
# before it "VMCELL LABEL N MODE SCENARIO"; VMINFO lines say what the tracer
# said when probed in each mode, VMLOG lines carry its --verbose stderr when
# it failed to start.
#
# A cell is NA only when the tracer refuses the mode: it exits 1 before its
# start record and its last stderr line ("tcpbacklog: ...") names a missing
# kernel feature; or when its start-up note says the kernel cannot show what
# the scenario tests (io_uring connects before 5.18). Every other problem,
# including a mode other than the one asked for, is a FAIL.

set -u

[ $# -eq 5 ] || { echo "usage: $0 LABEL BIN DRIVER_DIR MODES SCENARIOS" >&2; exit 2; }
LABEL=$1
BIN=$2
DRV=$3
MODES=$4
SCENARIOS=$5

START_TIMEOUT=${TB_VM_START_TIMEOUT:-120}	# s, for the tracer's start record
STOP_TIMEOUT=${TB_VM_STOP_TIMEOUT:-30}		# s, for the tracer to exit after SIGINT
DRIVER_TIMEOUT=${TB_VM_DRIVER_TIMEOUT:-60}	# s, hard limit for one driver
DRAIN=0.5					# s, after the traffic, before SIGINT

HERE=$(cd "$(dirname "$0")" && pwd)
if [ -e "$HERE/harness.sh" ]; then
	. "$HERE/harness.sh"
else
	. "$HERE/../lib/harness.sh"
fi

work_dir_make tb-vm || exit 1
NETNS=/proc/self/ns/net
TPID=""
BGPID=""

cleanup() {
	[ -z "$TPID" ] || kill -KILL "$TPID" 2>/dev/null
	[ -z "$BGPID" ] || kill -KILL "$BGPID" 2>/dev/null
	cg_remove_all
	work_dir_remove 0
}
traps_set

ip link set lo up 2>/dev/null

now() {
	awk '{ print $1 }' /proc/uptime
}

# seconds from $1 to now, one decimal
since() {
	awk -v a="$1" '{ printf "%.1f", $1 - a }' /proc/uptime
}

# mib: "ListenDrops ListenOverflows TCPReqQFullDrop" of this namespace
mib() {
	awk '$1 == "TcpExt:" {
		if (!hdr) { for (i = 2; i <= NF; i++) name[i] = $i; hdr = 1; next }
		for (i = 2; i <= NF; i++) v[name[i]] = $i
	}
	END {
		printf "%s %s %s\n", ("ListenDrops" in v) ? v["ListenDrops"] : "?",
			("ListenOverflows" in v) ? v["ListenOverflows"] : "?",
			("TCPReqQFullDrop" in v) ? v["TCPReqQFullDrop"] : "?"
	}' /proc/net/netstat
}

# jnum FILE KEY: the number after "KEY": in the totals record
jnum() {
	grep '"event":"totals"' "$1" | tail -n 1 | sed -n "s/.*\"$2\":\([0-9][0-9]*\).*/\1/p"
}

# jstr FILE KEY: the string after "KEY": in the start record
jstr() {
	grep '"event":"start"' "$1" | head -n 1 | sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p"
}

oneline() {
	tr '\n' ' ' <"$1" | sed 's/  */ /g; s/ $//' | cut -c1-600
}

# the tracer's stderr, its own last word first: "LAST [earlier: ...]"
errline() {
	local last

	last=$(grep -v '^[[:space:]]*$' "$1" | tail -n 1)
	if [ "$(grep -c -v '^[[:space:]]*$' "$1")" -gt 1 ]; then
		echo "$last [earlier: $(grep -v '^[[:space:]]*$' "$1" | sed '$d' | tr '\n' ' ' | sed 's/  */ /g; s/ $//')]" |
			cut -c1-600
	else
		echo "$last" | cut -c1-600
	fi
}

# A tracer that exited before its start record: did it refuse the mode?
# Sets REFUSAL to its reason when it did.
classify_exit() {
	local rc=$1 last

	REFUSAL=""
	last=$(grep -v '^[[:space:]]*$' "$TERR" | tail -n 1)
	if [ "$rc" = 1 ] &&
	   echo "$last" | grep -q '^tcpbacklog: ' &&
	   echo "$last" | grep -Eqi 'missing|absent|has no|needs|requires|not supported|unsupported|not available|refuse|locked' &&
	   ! echo "$last" | grep -Eqi 'failed|cannot read'; then
		REFUSAL=${last#tcpbacklog: }
	fi
}

# tracer_start MODE NAME: start the tracer, wait for its start record.
# 0 started; 1 exited or hung (ERRS/REFUSAL say why).
tracer_start() {
	local mode=$1 name=$2 t0 rc

	TOUT="$WORK/$name.$mode.out"
	TERR="$WORK/$name.$mode.err"
	REFUSAL=""
	# emptied now: the background job's own redirection may come after the
	# wait below has found an earlier run's start record
	: >"$TOUT"
	"$BIN" --json --mode "$mode" -n "$NETNS" >"$TOUT" 2>"$TERR" &
	TPID=$!
	t0=$(now)
	wait_for_line "$TPID" "$TOUT" '"event":"start"' $((START_TIMEOUT * 5)) 0.2
	rc=$?
	if [ "$rc" = 0 ]; then
		TSTART=$(since "$t0")
		return 0
	fi
	if [ "$rc" = 1 ]; then
		wait "$TPID"
		rc=$?
		TPID=""
		classify_exit "$rc"
		[ -n "$REFUSAL" ] ||
			err "tracer exited (status $rc) before its start record: $(errline "$TERR")"
		return 1
	fi
	err "no start record within ${START_TIMEOUT}s: $(errline "$TERR")"
	kill -KILL "$TPID" 2>/dev/null
	wait "$TPID" 2>/dev/null
	TPID=""
	return 1
}

tracer_stop() {
	local rc

	[ -n "$TPID" ] || return 0
	sleep "$DRAIN"
	kill -INT "$TPID" 2>/dev/null
	if ! wait_gone "$TPID" $((STOP_TIMEOUT * 10)); then
		err "tracer still running ${STOP_TIMEOUT}s after SIGINT (killed)"
		kill -KILL "$TPID" 2>/dev/null
	fi
	wait "$TPID"
	rc=$?
	TPID=""
	[ "$rc" = 0 ] || err "tracer exit status $rc after SIGINT: $(errline "$TERR")"
}

# run_driver NAME DRIVER ARGS...: run a driver to completion
run_driver() {
	local name=$1 drv=$2 rc

	shift 2
	DOUT="$WORK/$name.drv"
	timeout -k 2 "$DRIVER_TIMEOUT" "$DRV/$drv" "$@" >"$DOUT" 2>"$DOUT.err" </dev/null
	rc=$?
	[ "$rc" = 0 ] || err "driver $drv $* exited with status $rc: $(oneline "$DOUT.err")"
}

# overflow driver in a second, untraced namespace (two_netns)
other_ns_overflow() {
	unshare -n sh -c 'ip link set lo up && exec "$0" "$@"' \
		"$DRV/overflow" -p 8080 >"$WORK/other.drv" 2>"$WORK/other.drv.err" </dev/null &
	BGPID=$!
}

# preexisting: the listener exists before the tracer starts
preexisting_start() {
	local t0

	DOUT="$WORK/preexisting.drv"
	timeout -k 2 "$DRIVER_TIMEOUT" "$DRV/preexisting" -p 8080 -t 25000 \
		>"$DOUT" 2>"$DOUT.err" </dev/null &
	BGPID=$!
	t0=$(now)
	# by the clock, not by rounds: an emulated guest is slow and uneven
	while ! grep -q '^ready=1' "$DOUT"; do
		if ! kill -0 "$BGPID" 2>/dev/null; then
			err "driver preexisting exited before it was ready: $(oneline "$DOUT.err")"
			return
		fi
		if [ "$(since "$t0" | cut -d. -f1)" -ge 30 ]; then
			err "driver preexisting not ready after 30 s: $(oneline "$DOUT.err")"
			return
		fi
		sleep 0.1
	done
}

preexisting_go() {
	local rc

	[ -n "$BGPID" ] || return 0
	if grep -q '^ready=1' "$DOUT"; then
		kill -USR1 "$(kv "$DOUT" pid)" 2>/dev/null
	else
		kill -KILL "$BGPID" 2>/dev/null
	fi
	wait "$BGPID"
	rc=$?
	BGPID=""
	[ "$rc" = 0 ] || err "driver preexisting exited with status $rc: $(oneline "$DOUT.err")"
}

# identity: a service's and a Kubernetes container's cgroups (as in
# tests/integration/scenarios/identity.sh), drivers started in them
identity_drive() {
	local mount pod

	mount=$(cg_mount)
	ID_SVC="tbid-$$.service"
	ID_UID=$(cat /proc/sys/kernel/random/uuid)
	ID_CTR="$(sed s/-//g /proc/sys/kernel/random/uuid)$(sed s/-//g /proc/sys/kernel/random/uuid)"
	pod="/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$(echo "$ID_UID" | tr - _).slice"
	ID_SVC_REL="/system.slice/$ID_SVC"
	ID_CTR_REL="$pod/cri-containerd-$ID_CTR.scope"
	if [ -z "$mount" ] || ! cg_make "$mount/system.slice" "$mount$ID_SVC_REL" "$mount/kubepods.slice" \
		"$mount/kubepods.slice/kubepods-burstable.slice" "$mount$pod" "$mount$ID_CTR_REL"; then
		err "cannot make cgroups in the cgroup v2 hierarchy (mounted at '$mount')"
		return
	fi
	DOUT="$WORK/identity.svc.drv"
	cg_exec "$mount$ID_SVC_REL" timeout -k 2 "$DRIVER_TIMEOUT" "$DRV/overflow" -p 8080 \
		>"$DOUT" 2>"$DOUT.err" </dev/null || err "driver overflow in $ID_SVC_REL failed: $(oneline "$DOUT.err")"
	DOUT="$WORK/identity.ctr.drv"
	cg_exec "$mount$ID_CTR_REL" timeout -k 2 "$DRIVER_TIMEOUT" "$DRV/emfile" -p 8081 -l 16 -k 2 \
		>"$DOUT" 2>"$DOUT.err" </dev/null || err "driver emfile in $ID_CTR_REL failed: $(oneline "$DOUT.err")"
}

# every KIND record names the identity WANT (the JSON text from "cgroup" to "pod_uid")
identity_expect() {
	local kind=$1 want=$2 n all

	all=$(grep -c "\"event\":\"$kind\"" "$TOUT")
	n=$(grep "\"event\":\"$kind\"" "$TOUT" | grep -cF "$want")
	[ "$all" -gt 0 ] && [ "$n" = "$all" ] || err "$kind: $n of $all records name $want"
}

# the driver of each scenario (as in tests/integration/run.sh)
drive() {
	case "$1" in
	overflow_ipv4)		run_driver "$1" overflow -p 8080 ;;
	overflow_ipv6)		run_driver "$1" overflow -6 -p 8080 -n 5 ;;
	tun_syn_queue_full)	run_driver "$1" tun_peer -m synq -c 0 -p 8080 ;;
	tun_ack_overflow_cookies) run_driver "$1" tun_peer -m ack -c 1 -p 8080 ;;
	tun_ack_overflow_reqsk)	run_driver "$1" tun_peer -m late-ack -c 0 -p 8080 -k 3 ;;
	tun_ack_overflow_delayed) run_driver "$1" tun_peer -m rtx -c 0 -p 8080 ;;
	client_delay)		run_driver "$1" client_cost -m delay -p 8080 -b 2 -n 8 -a 300 -g 10 -t 0 ;;
	reuseport)		run_driver "$1" reuseport -p 8080 -m 3 -n 24 ;;
	reuseport_owners)	run_driver "$1" reuseport -f -p 8080 -m 3 -n 24 ;;
	emfile_ipv4)		run_driver "$1" emfile -p 8080 -l 16 -k 3 ;;
	emfile_ipv6)		run_driver "$1" emfile -6 -p 8080 -l 20 -k 2 ;;
	connect_refused)	run_driver "$1" connect_fail -m refused -p 8090 -k 2 ;;
	connect_uring)		run_driver "$1" connect_fail -m uring -6 -p 8090 -k 2 ;;
	connect_timeout)	run_driver "$1" connect_fail -m timeout -p 8090 -k 1 ;;
	connect_unreachable) run_driver "$1" connect_fail -m unreachable -p 8090 -k 1 ;;
	connect_outlived)	run_driver "$1" connect_fail -m outlived -p 8090 -k 1 ;;
	connect_race)		run_driver "$1" connect_fail -m race -p 8090 -k 40 ;;
	bind_in_use)		run_driver "$1" connect_fail -m bind -p 8090 -k 2 ;;
	connect_exhaust)	run_driver "$1" connect_fail -m exhaust -n 10 ;;
	prefork_reuseport)	run_driver "$1" prefork -r -p 8080 -w 3 -n 24 -H 0 ;;
	preexisting)		preexisting_go ;;
	identity)		identity_drive ;;
	two_netns)
		other_ns_overflow
		run_driver "$1" overflow -p 8080
		wait "$BGPID"
		[ $? = 0 ] || err "driver overflow in the other namespace failed: $(oneline "$WORK/other.drv.err")"
		BGPID=""
		;;
	*)			err "unknown scenario $1" ;;
	esac
}

# Probe each mode once (a 1 s run): report what the tracer says, and skip
# the scenarios of a mode it refuses.
probe_mode() {
	local mode=$1 t0

	PROBE_REFUSAL=""
	ERRS=""
	t0=$(now)
	if tracer_start "$mode" probe; then
		echo "VMINFO $LABEL $mode start after ${TSTART}s: $(grep '"event":"start"' "$TOUT" | head -n 1 | cut -c1-400)"
		tracer_stop
		[ -z "$ERRS" ] || echo "VMINFO $LABEL $mode probe: $(errs)"
	elif [ -n "$REFUSAL" ]; then
		PROBE_REFUSAL=$REFUSAL
		echo "VMINFO $LABEL $mode refused after $(since "$t0")s: $(oneline "$TERR")"
	else
		echo "VMINFO $LABEL $mode probe failed: $(errs)"
		# the libbpf/verifier story, for whoever reads the log
		"$BIN" --json --mode "$mode" -n "$NETNS" -v -d 1 >/dev/null 2>"$WORK/verbose.err"
		grep -v '^libbpf: \(CO-RE\|sec \|map \|elf\|prog .*: \(relo\|found\|added\|insn\)\|loading kernel BTF\|prog .*: skipped\)' \
			"$WORK/verbose.err" | tail -n 25 | sed "s/^/VMLOG $LABEL $mode /"
	fi
	ERRS=""
}

cell() {
	local mode=$1 sc=$2 t0 mib0 mib1 ld0 lo0 rqd0 ld1 lo1 rqd1 got n want sup lost nsyn nao nae k ktotal
	local ts="-" ao="-" aqf="-" sqf="-" oth="-" ae="-" ld="-" lo="-" rqd="-" res

	ERRS=""
	DOUT="/dev/null"
	t0=$(now)
	mib0=$(mib)
	[ "$sc" != preexisting ] || preexisting_start
	if ! tracer_start "$mode" "$sc"; then
		[ "$sc" != preexisting ] || preexisting_go
		if [ -n "$REFUSAL" ]; then
			echo "VMTEST $LABEL $mode $sc NA sec=$(since "$t0") | $REFUSAL"
		else
			echo "VMTEST $LABEL $mode $sc FAIL sec=$(since "$t0") | $(errs)"
		fi
		return
	fi
	# a feature the kernel cannot support, said in the start-up note: NA, not a miscount
	if [ "$sc" = connect_uring ] && grep -q 'made through io_uring are not seen' "$TERR"; then
		tracer_stop
		echo "VMTEST $LABEL $mode $sc NA sec=$(since "$t0") | $(grep -o 'the io_uring_complete tracepoint[^;]*' "$TERR" | head -n 1)"
		return
	fi
	got=$(jstr "$TOUT" mode)
	[ "$mode" = auto ] || [ "$got" = "$mode" ] ||
		err "asked for --mode $mode, the tracer started in mode '${got:-?}'"
	# fentry mode takes accept/connect/bind results from fexit: no syscall tracepoint, no host-wide tax
	[ "$mode" != fentry ] || [ "$(jstr "$TOUT" syscall_hooks)" = fexit ] ||
		err "fentry mode: syscall results from '$(jstr "$TOUT" syscall_hooks)', expected fexit"
	drive "$sc"
	tracer_stop
	mib1=$(mib)

	set -- $mib0
	ld0=$1 lo0=$2 rqd0=$3
	set -- $mib1
	ld1=$1 lo1=$2 rqd1=$3
	case "$ld0$lo0$rqd0$ld1$lo1$rqd1" in
	*[!0-9]*) err "/proc/net/netstat unreadable ($mib0 / $mib1)" ;;
	*) ld=$((ld1 - ld0)) lo=$((lo1 - lo0)) rqd=$((rqd1 - rqd0)) ;;
	esac

	n=$(grep -c '"event":"totals"' "$TOUT")
	[ "$n" = 1 ] || err "$n totals records (expected 1)"
	ts=$(jnum "$TOUT" syn_drop)
	ao=$(jnum "$TOUT" accept_overflow)
	ae=$(jnum "$TOUT" accept_error)
	aqf=$(jnum "$TOUT" accept_queue_full)
	sqf=$(jnum "$TOUT" syn_queue_full)
	oth=$(jnum "$TOUT" other)
	case "$ts.$ao.$ae.$aqf.$sqf.$oth" in
	*[!0-9.]* | *..* | .* | *.)
		err "totals unreadable: $(grep '"event":"totals"' "$TOUT" | cut -c1-300)"
		ts=${ts:--} ao=${ao:--} ae=${ae:--} aqf=${aqf:--} sqf=${sqf:--} oth=${oth:--}
		;;
	*)
		promise_check "$ts" "$ao" "$aqf" "$sqf" "$oth" "$ld" "$lo"
		# every incident is a record, or counted as suppressed or lost
		sup=$(jnum "$TOUT" suppressed)
		lost=$(jnum "$TOUT" lost)
		nsyn=$(grep -c '"event":"syn_drop"' "$TOUT")
		nao=$(grep -c '"event":"accept_overflow"' "$TOUT")
		nae=$(grep -c '"event":"accept_error"' "$TOUT")
		[ $((nsyn + nao + nae + ${sup:-0} + ${lost:-0})) = $((ts + ao + ae)) ] ||
			err "records $nsyn/$nao/$nae + suppressed ${sup:-?} + lost ${lost:-?} != totals $ts/$ao/$ae"
		[ "$nsyn" -le "$ts" ] && [ "$nao" -le "$ao" ] && [ "$nae" -le "$ae" ] ||
			err "more records than incidents: $nsyn/$nao/$nae, totals $ts/$ao/$ae"
		;;
	esac

	# did the scenario make what it is about? (else the cell proves nothing)
	case "$sc" in
	overflow_* | reuseport* | preexisting | two_netns)
		[ "$ld" = "$lo" ] && [ "$ld" != 0 ] ||
			err "scenario: expected ListenDrops == ListenOverflows > 0, got $ld / $lo"
		;;
	prefork_reuseport)
		[ "$ld" = "$lo" ] && [ "$ld" != 0 ] ||
			err "scenario: expected ListenDrops == ListenOverflows > 0, got $ld / $lo"
		# every drop names as acceptor a worker, which took one connection
		# (in fentry mode seen at inet_csk_accept's exit)
		want=",$(sed -n 's/^worker[0-9]*_pid=//p' "$DOUT" | tr '\n' ','),"
		n=$(grep '"event":"syn_drop"' "$TOUT" | grep -vc '"acceptor_pid":[0-9]')
		[ "$n" = 0 ] || err "$n syn_drop records without an acceptor"
		for k in $(grep '"event":"syn_drop"' "$TOUT" | sed -n 's/.*"acceptor_pid":\([0-9]*\).*/\1/p' | sort -u); do
			case "$want" in
			*",$k,"*) ;;
			*) err "syn_drop records name acceptor $k, no worker (workers $want)" ;;
			esac
		done
		;;
	tun_*)
		want="$(kv "$DOUT" expect_listen_drops)/$(kv "$DOUT" expect_listen_overflows)"
		[ "$ld/$lo" = "$want" ] ||
			err "scenario: ListenDrops/ListenOverflows $ld/$lo, the driver expected $want"
		[ "$sc" != tun_syn_queue_full ] || [ "$sqf" = "$rqd" ] ||
			err "syn_queue_full $sqf != TCPReqQFullDrop $rqd"
		;;
	emfile_*)
		want=$(kv "$DOUT" emfile_total)
		[ "$ae" = "$want" ] || err "accept_error $ae, the driver saw ${want:-?} EMFILE returns"
		[ "$ld" = 0 ] || err "scenario: ListenDrops $ld, expected 0"
		;;
	identity)
		[ "$ld" = "$lo" ] && [ "$ld" != 0 ] ||
			err "scenario: expected ListenDrops == ListenOverflows > 0, got $ld / $lo"
		want=$(kv "$DOUT" emfile_total)
		[ "$ae" = "$want" ] || err "accept_error $ae, the driver saw ${want:-?} EMFILE returns"
		identity_expect syn_drop "\"cgroup\":\"$ID_SVC_REL\",\"unit\":\"$ID_SVC\",\"container\":null,\"pod_uid\":null"
		identity_expect accept_error "\"cgroup\":\"$ID_CTR_REL\",\"unit\":\"cri-containerd-$ID_CTR.scope\",\"container\":\"$ID_CTR\",\"pod_uid\":\"$ID_UID\""
		cg_remove_all
		;;
	connect_* | bind_*)
		# each failure the driver saw is one record, and no other
		for k in connect_error:connect_errors bind_error:bind_errors; do
			want=$(kv "$DOUT" "${k#*:}")
			ktotal=$(jnum "$TOUT" "${k%%:*}")
			n=$(grep -c "\"event\":\"${k%%:*}\"" "$TOUT")
			[ "$ktotal" = "$want" ] && [ "$n" = "$want" ] ||
				err "${k%%:*}: totals ${ktotal:-?}, $n records, the driver saw ${want:-?}"
		done
		[ "$(kv "$DOUT" connect_errors)/$(kv "$DOUT" bind_errors)" != 0/0 ] ||
			grep -q '^io_uring=unavailable' "$DOUT" || err "scenario: the driver saw no failure"
		echo "VMINFO $LABEL $mode $sc driver: connect_errors $(kv "$DOUT" connect_errors)" \
			"bind_errors $(kv "$DOUT" bind_errors) $(grep '^io_uring=' "$DOUT")"
		;;
	esac

	# what the drops cost the clients: the connections that waited, as the driver saw them
	case "$sc" in
	tun_ack_overflow_delayed | client_delay)
		want=$(kv "$DOUT" delayed)
		n=$(jnum "$TOUT" delayed)
		[ "${want:-0}" -gt 0 ] 2>/dev/null && [ "$n" = "$want" ] ||
			err "delayed ${n:-?}, the driver's delayed connections ${want:-?}"
		k=$(jnum "$TOUT" tuples_tracked)
		[ "$k" = $((n + $(jnum "$TOUT" abandoned) + $(jnum "$TOUT" untracked) + $(jnum "$TOUT" pending))) ] ||
			err "tuples_tracked ${k:-?} != delayed + abandoned + untracked + pending"
		[ "$sc" != client_delay ] || [ "$k" = $((want + $(kv "$DOUT" resets))) ] ||
			err "tuples_tracked ${k:-?}, the driver's delayed $want + reset $(kv "$DOUT" resets)"
		echo "VMINFO $LABEL $mode $sc delayed $n tracked $k retried_syns $(jnum "$TOUT" retried_syns) synack_retransmits $(jnum "$TOUT" synack_retransmits)"
		;;
	esac

	if [ -z "$ERRS" ]; then
		res=PASS
		[ "$mode" != auto ] || ERRS="ran as ${got:-?}"
	else
		res=FAIL
	fi
	echo "VMTEST $LABEL $mode $sc $res ts=$ts ao=$ao aqf=$aqf sqf=$sqf ae=$ae LD=$ld LO=$lo sec=$(since "$t0") | $(errs)"
	if [ "$res" = FAIL ] && [ -s "$TERR" ]; then
		echo "VMINFO $LABEL $mode $sc tracer stderr: $(oneline "$TERR")"
	fi
}

# Cells are numbered in order (modes x scenarios); "VMCELL LABEL N MODE
# SCENARIO" announces each one, so that a VM which dies in a cell can be
# restarted after it: TB_VM_SKIP=N skips the cells before N.
SKIP=${TB_VM_SKIP:-0}
echo "VMLABEL $LABEL"
echo "VMINFO $LABEL kernel $(uname -r) btf=$([ -e /sys/kernel/btf/vmlinux ] && echo yes || echo no)"
[ "$SKIP" = 0 ] || echo "VMINFO $LABEL resuming at cell $SKIP"
idx=0
for mode in $MODES; do
	probed=0
	for sc in $SCENARIOS; do
		idx=$((idx + 1))
		[ "$idx" -gt "$SKIP" ] || continue
		echo "VMCELL $LABEL $idx $mode $sc"
		if [ "$probed" = 0 ]; then
			probe_mode "$mode"
			probed=1
		fi
		if [ -n "$PROBE_REFUSAL" ]; then
			echo "VMTEST $LABEL $mode $sc NA sec=0 | $PROBE_REFUSAL"
		else
			cell "$mode" "$sc"
		fi
	done
done
echo "VMDONE $LABEL"
