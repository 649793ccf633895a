#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Integration tests: run each scenario driver in a fresh network namespace
# while build/tcpbacklog traces that namespace, then hold the tracer to its
# promise against the kernel's own counters (nstat, per namespace, exact):
#   totals.syn_drop + totals.accept_overflow                       == TcpExtListenDrops
#   totals.syn_drop_reasons.accept_queue_full + totals.accept_overflow == TcpExtListenOverflows
# plus, per scenario, the event lines themselves (count, owner pid/comm,
# ports, family, reason, queue state, errno ...).
#
#   tests/integration/run.sh BIN DRIVER_DIR [SCENARIO...]
#
# Needs root, ip(8), nstat, jq. Creates namespaces tb-<pid>-<n> and always
# removes them. Prints one PASS/FAIL line per scenario, then "N passed,
# N failed"; exits 1 if any failed. TB_IT_KEEP=1 keeps the work directory.
#
# Scenarios (driver; kernel counters measured on 6.18, 2 CPUs):
#   overflow_ipv4/_ipv6      overflow: loopback, listen(fd, 1), 6 (5) connects,
#                            1.5 s: 4 (3) SYNs dropped + 1 retransmit each ->
#                            ListenOverflows = ListenDrops = 8 (6)
#   tun_syn_queue_full       tun_peer -m synq, syncookies 0: 6 SYNs, 2 fit ->
#                            TCPReqQFullDrop = ListenDrops = 4, no overflows
#   tun_ack_overflow_cookies tun_peer -m ack, syncookies 1: 6 SYNs (4 cookies),
#                            6 ACKs -> ListenOverflows = ListenDrops = 4
#   tun_ack_overflow_reqsk   tun_peer -m late-ack: the request sock's ACK 3x
#                            into a full queue -> ListenOverflows = ListenDrops = 3
#   reuseport(_owners)       reuseport: 3 members (-f: 3 owner processes), 24
#                            connects -> 36 drops, per member as SO_MEMINFO says
#   preexisting(_dirty)      listener made before the tracer (-r: with 8 old
#                            drops, counted from the start record on) -> 8
#   emfile_ipv4/_ipv6        emfile: RLIMIT_NOFILE 16 (20), 3+3 (2+2) accept
#                            /accept4 EMFILE -> 6 (4) accept_error, no drops
#   overflow_wildcard        listener on 0.0.0.0; _dualstack: on [::], IPv4 in
#   relisten                 3 rounds, each a new owner on the same port -> 18
#   concurrent               one child per CPU, 50 connects each into a full
#                            queue, racing -> 200 (2 CPUs)
#   two_netns                drops in two namespaces, only one traced
#   port_filter_*, pid_filter_*, duration: -P, -p, -d
#   failures                 bad flag and bad port (exit 2, one line), not root
#                            (exit 1), reader gone after one line (exit 0)
#   slow_accept(_steady)     slow_accept, -i 1: listen(fd, 8), one accept per
#                            50 ms, 120 clients (in waves) -> accepts, drops,
#                            peak 9 of 8, accept latency vs the driver's own
#                            clock, slow_accept hint
#   uring_emfile_ipv4/_ipv6  uring_emfile, -i 1: IORING_OP_ACCEPT at
#                            RLIMIT_NOFILE -> 3 (2) accept_error EMFILE

set -u

usage() {
	echo "usage: $0 BIN DRIVER_DIR [SCENARIO...]" >&2
	exit 2
}
[ $# -ge 2 ] || usage

abspath() {
	case "$1" in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$PWD" "$1" ;;
	esac
}

BIN=$(abspath "$1")
DRV=$(abspath "$2")
shift 2
ONLY="$*"

START_TIMEOUT=10	# s, for the tracer's start record
STOP_TIMEOUT=10		# s, for the tracer to exit after SIGINT
DRIVER_TIMEOUT=30	# s, hard limit for one driver
DRAIN=0.3		# s, after the traffic, before SIGINT

WORK=$(mktemp -d /tmp/tb-it.XXXXXX) || exit 1
NS_SEQ=0
NAMESPACES=()
BG_PIDS=()
PASSED=0
FAILED=0

cleanup() {
	local p ns i

	trap - EXIT INT TERM
	for p in "${BG_PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null || continue
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${BG_PIDS[@]}"; do
		for i in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for ns in "${NAMESPACES[@]}"; do
		ip netns pids "$ns" 2>/dev/null | while read -r p; do
			kill -KILL "$p" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	if [ "${TB_IT_KEEP:-0}" = 1 ]; then
		echo "work directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- setup --

PRE_ERR=""
[ "$(id -u)" = 0 ] || PRE_ERR="not root"
command -v ip >/dev/null 2>&1 || PRE_ERR="${PRE_ERR:+$PRE_ERR; }ip(8) missing"
command -v nstat >/dev/null 2>&1 || PRE_ERR="${PRE_ERR:+$PRE_ERR; }nstat missing (iproute2)"
if ! command -v jq >/dev/null 2>&1 && [ "$(id -u)" = 0 ] &&
   command -v apt-get >/dev/null 2>&1; then
	echo "installing jq" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq >/dev/null 2>&1; }
fi
command -v jq >/dev/null 2>&1 || PRE_ERR="${PRE_ERR:+$PRE_ERR; }jq missing"

BIN_ERR=""
if [ ! -e "$BIN" ]; then
	BIN_ERR="tracer $BIN does not exist (build it with make)"
elif [ ! -f "$BIN" ] || [ ! -x "$BIN" ]; then
	BIN_ERR="tracer $BIN is not an executable file"
elif cp "$BIN" "$WORK/tracer" 2>/dev/null; then
	# one binary for the whole run, even if BIN is rebuilt meanwhile
	BIN_RUN="$WORK/tracer"
else
	BIN_RUN=$BIN
fi

# --------------------------------------------------------------- helpers --

# a background child was reaped: never signal its (reusable) pid again
bg_done() {
	local p keep=()

	for p in "${BG_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	BG_PIDS=("${keep[@]}")
}

ERRS=()
err() {
	ERRS+=("$*")
}

# new_ns VAR: create a namespace with lo up, name in VAR
new_ns() {
	local name="tb-$$-$NS_SEQ"

	NS_SEQ=$((NS_SEQ + 1))
	if ! ip netns add "$name" 2>"$WORK/ns.err"; then
		err "ip netns add $name: $(cat "$WORK/ns.err")"
		return 1
	fi
	NAMESPACES+=("$name")
	if ! ip -n "$name" link set lo up 2>"$WORK/ns.err"; then
		err "lo up in $name: $(cat "$WORK/ns.err")"
		return 1
	fi
	printf -v "$1" '%s' "$name"
}

del_ns() {
	ip netns del "$1" 2>/dev/null
}

ns_inode() {
	stat -L -c %i "/var/run/netns/$1"
}

# nstat_get NS COUNTER: absolute value in the namespace (-a absolute, -s
# keep no history, -z zeros too)
nstat_get() {
	ip netns exec "$1" nstat -asz "$2" 2>/dev/null |
		awk -v k="$2" '$1 == k { print $2; found = 1 } END { if (!found) print "?" }'
}

# read_mib NS: LD LO RQD (ListenDrops, ListenOverflows, TCPReqQFullDrop),
# less the baseline BASE_* (set by mark_baseline; 0 in a fresh namespace)
read_mib() {
	LD=$(nstat_get "$1" TcpExtListenDrops)
	LO=$(nstat_get "$1" TcpExtListenOverflows)
	RQD=$(nstat_get "$1" TcpExtTCPReqQFullDrop)
	SCS=$(nstat_get "$1" TcpExtSyncookiesSent)
	case "$LD$LO$RQD$SCS" in
	*[!0-9]*) return ;;
	esac
	LD=$((LD - BASE_LD))
	LO=$((LO - BASE_LO))
	RQD=$((RQD - BASE_RQD))
	SCS=$((SCS - BASE_SCS))
}

# mark_baseline NS: from now on, count only what happens after this point
mark_baseline() {
	BASE_LD=0 BASE_LO=0 BASE_RQD=0 BASE_SCS=0
	read_mib "$1"
	BASE_LD=$LD BASE_LO=$LO BASE_RQD=$RQD BASE_SCS=$SCS
}

# kv FILE KEY: value of the last KEY= line of a driver's output
kv() {
	sed -n "s/^$2=//p" "$1" | tail -n 1
}

# tracer_start NS NAME [ARGS...]: start the tracer on NS, wait for "start"
TRACER_PID=""
TRACER_OK=0
tracer_start() {
	local ns=$1 name=$2 i
	shift 2

	TRACER_OUT="$WORK/$name.tracer.out"
	TRACER_ERR="$WORK/$name.tracer.err"
	TRACER_PID=""
	TRACER_OK=0
	: >"$TRACER_OUT"
	: >"$TRACER_ERR"
	if [ -n "$BIN_ERR" ]; then
		err "$BIN_ERR"
		return 1
	fi
	"$BIN_RUN" --json -n "/var/run/netns/$ns" "$@" >"$TRACER_OUT" 2>"$TRACER_ERR" &
	TRACER_PID=$!
	BG_PIDS+=("$TRACER_PID")
	for ((i = 0; i < START_TIMEOUT * 10; i++)); do
		if grep -q '"event" *: *"start"' "$TRACER_OUT" 2>/dev/null; then
			TRACER_OK=1
			return 0
		fi
		if ! kill -0 "$TRACER_PID" 2>/dev/null; then
			wait "$TRACER_PID"
			err "tracer exited (status $?) before its start record"
			bg_done "$TRACER_PID"
			TRACER_PID=""
			return 1
		fi
		sleep 0.1
	done
	err "no start record from the tracer within ${START_TIMEOUT}s"
	return 1
}

# tracer_stop [SIG [TIMEOUT]]: send SIG (default INT; "none": let it end by
# itself, -d), bounded wait; sets TRACER_RC
tracer_stop() {
	local sig=${1:-INT} limit=${2:-$STOP_TIMEOUT} i what

	TRACER_RC=""
	[ -n "$TRACER_PID" ] || return 0
	if [ "$sig" = none ]; then
		what="its own end (-d)"
	else
		what="SIG$sig"
		sleep "$DRAIN"
		kill -"$sig" "$TRACER_PID" 2>/dev/null
	fi
	for ((i = 0; i < limit * 10; i++)); do
		kill -0 "$TRACER_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$TRACER_PID" 2>/dev/null; then
		err "tracer still running ${limit}s after $what (killed)"
		kill -KILL "$TRACER_PID" 2>/dev/null
	fi
	{ wait "$TRACER_PID"; } 2>/dev/null
	TRACER_RC=$?
	bg_done "$TRACER_PID"
	TRACER_PID=""
	[ "$TRACER_RC" = 0 ] || err "tracer exit status $TRACER_RC after $what"
}

# run_driver NS NAME DRIVER [ARGS...]: run a driver to completion in NS;
# output in $WORK/NAME.drv (stdout) and NAME.drv.err; sets DRV_OUT, DRV_RC
run_driver() {
	local ns=$1 name=$2 drv=$3
	shift 3

	DRV_OUT="$WORK/$name.drv"
	DRV_RC=127
	if [ ! -x "$DRV/$drv" ]; then
		err "driver $DRV/$drv missing (make build/tests/integration/$drv)"
		: >"$DRV_OUT"
		return 1
	fi
	timeout -k 2 "$DRIVER_TIMEOUT" ip netns exec "$ns" "$DRV/$drv" "$@" \
		>"$DRV_OUT" 2>"$DRV_OUT.err" </dev/null
	DRV_RC=$?
	if [ "$DRV_RC" != 0 ]; then
		err "driver $drv $* exited with status $DRV_RC: $(tr '\n' ' ' <"$DRV_OUT.err")"
		return 1
	fi
}

# ---------------------------------------------- checks on tracer output --

# jq over the tracer's output
jqo() {
	jq -r "$@" "$TRACER_OUT" 2>/dev/null
}

# count of event lines of a kind, optionally with an extra jq condition
ev_count() {
	jqo --arg k "$1" "select(.event == \$k) | select(${2:-true}) | 1" | wc -l
}

tot() {
	jqo "select(.event == \"totals\") | $1 // \"missing\""
}

# ev_expect KIND FIELD VALUE: every KIND event has .FIELD == VALUE
ev_expect() {
	local bad

	bad=$(jqo --arg k "$1" --arg f "$2" --arg v "$3" \
		'select(.event == $k) | (.[$f] | if . == null then "(none)" else tostring end)
		 | select(. != $v)' | sort | uniq -c | awk '{ printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1 }')
	[ -z "$bad" ] || err "$1.$2: expected $3, got $bad"
}

# ev_expect_in KIND FIELD LIST: every KIND event has .FIELD in the comma list
ev_expect_in() {
	local bad

	bad=$(jqo --arg k "$1" --arg f "$2" --arg l "$3" \
		'select(.event == $k) | (.[$f] | if . == null then "(none)" else tostring end)
		 | select(. as $x | ($l | split(",")) | index($x) | not)' |
		sort | uniq -c | awk '{ printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1 }')
	[ -z "$bad" ] || err "$1.$2: expected one of {$3}, got $bad"
}

read_totals() {
	T_SYN=$(tot .syn_drop)
	T_AO=$(tot .accept_overflow)
	T_AE=$(tot .accept_error)
	T_AQF=$(tot .syn_drop_reasons.accept_queue_full)
	T_SQF=$(tot .syn_drop_reasons.syn_queue_full)
	T_OTH=$(tot .syn_drop_reasons.other)
	T_SUP=$(tot .suppressed)
	T_LOST=$(tot .lost)
}

# distinct values of .FIELD over KIND events, for the record
ev_values() {
	jqo --arg k "$1" --arg f "$2" 'select(.event == $k) | .[$f] | tostring' |
		sort -u | paste -sd,
}

# check_promise NS: the exact equalities, JSON Lines form, lines == totals.
# Sets T_* and LD/LO/RQD.
check_promise() {
	local ns=$1 ino n first last nstart ntot

	read_mib "$ns"
	[ "$TRACER_OK" = 1 ] || return 0
	if ! jq -e . "$TRACER_OUT" >/dev/null 2>&1; then
		err "tracer output is not valid JSON Lines"
		return 0
	fi
	nstart=$(ev_count start)
	ntot=$(ev_count totals)
	first=$(jqo -s '.[0].event // "(empty)"')
	last=$(jqo -s '.[-1].event // "(empty)"')
	[ "$nstart" = 1 ] || err "$nstart start records (expected 1)"
	[ "$ntot" = 1 ] || err "$ntot totals records (expected 1)"
	[ "$first" = start ] || err "first record is '$first', not start"
	[ "$last" = totals ] || err "last record is '$last', not totals"

	read_totals
	for n in T_SYN T_AO T_AE T_AQF T_SQF T_OTH T_SUP T_LOST; do
		case "${!n}" in
		'' | *[!0-9]*)
			[ "$ntot" = 0 ] || err "totals: $n is '${!n}'"
			T_SYN="?" T_AO="?" T_AE="?" T_AQF="?" T_SQF="?" T_OTH="?" T_SUP="?" T_LOST="?"
			return 0 ;;
		esac
	done
	case "$LD$LO" in
	*[!0-9]*)
		err "nstat unreadable (ListenDrops '$LD', ListenOverflows '$LO')"
		return 0 ;;
	esac

	[ $((T_SYN + T_AO)) = "$LD" ] ||
		err "syn_drop $T_SYN + accept_overflow $T_AO = $((T_SYN + T_AO)) != ListenDrops $LD"
	[ $((T_AQF + T_AO)) = "$LO" ] ||
		err "syn_drop_reasons.accept_queue_full $T_AQF + accept_overflow $T_AO = $((T_AQF + T_AO)) != ListenOverflows $LO"
	[ $((T_AQF + T_SQF + T_OTH)) = "$T_SYN" ] ||
		err "syn_drop_reasons sum $((T_AQF + T_SQF + T_OTH)) != syn_drop $T_SYN"

	n=$(ev_count syn_drop)
	[ "$n" = "$T_SYN" ] || err "$n syn_drop lines, totals.syn_drop $T_SYN (suppressed $T_SUP, lost $T_LOST)"
	n=$(ev_count syn_drop '.reason == "accept_queue_full"')
	[ "$n" = "$T_AQF" ] || err "$n syn_drop lines with reason accept_queue_full, totals $T_AQF"
	n=$(ev_count syn_drop '.reason == "syn_queue_full"')
	[ "$n" = "$T_SQF" ] || err "$n syn_drop lines with reason syn_queue_full, totals $T_SQF"
	n=$(ev_count syn_drop '.reason == "other"')
	[ "$n" = "$T_OTH" ] || err "$n syn_drop lines with reason other, totals $T_OTH"
	n=$(ev_count accept_overflow)
	[ "$n" = "$T_AO" ] || err "$n accept_overflow lines, totals.accept_overflow $T_AO (suppressed $T_SUP, lost $T_LOST)"
	n=$(ev_count accept_error)
	[ "$n" = "$T_AE" ] || err "$n accept_error lines, totals.accept_error $T_AE"
	n=$(jqo 'select(.event != "start" and .event != "totals" and .event != "syn_drop"
		 and .event != "accept_overflow" and .event != "accept_error") | .event' | sort -u | tr '\n' ' ')
	[ -z "$n" ] || err "unknown record kinds: $n"

	ino=$(ns_inode "$ns")
	ev_expect syn_drop netns "$ino"
	ev_expect accept_overflow netns "$ino"
	ev_expect accept_error netns "$ino"
}

# the listener identity every drop event of KIND must carry
check_listener_events() {
	local kind=$1 out=$2

	[ "$TRACER_OK" = 1 ] || return 0
	ev_expect "$kind" pid "$(kv "$out" pid)"
	ev_expect "$kind" comm "$(kv "$out" comm)"
	ev_expect "$kind" lport "$(kv "$out" port)"
	ev_expect "$kind" family "$(kv "$out" family)"
	ev_expect "$kind" laddr "$(kv "$out" laddr)"
}

# verdict NAME SUMMARY: print PASS/FAIL for the scenario
verdict() {
	local name=$1 summary=$2 e

	if [ ${#ERRS[@]} = 0 ]; then
		echo "PASS $name: $summary"
		PASSED=$((PASSED + 1))
	else
		printf 'FAIL %s: %s' "$name" "${ERRS[0]}"
		[ ${#ERRS[@]} -lt 2 ] || printf '; %s' "${ERRS[@]:1}"
		printf '\n'
		echo "    ($summary)"
		if [ -s "${TRACER_ERR:-/dev/null}" ]; then
			echo "    tracer stderr:"
			head -c 2000 "$TRACER_ERR" | sed 's/^/      /'
		fi
		if [ -s "${TRACER_OUT:-/dev/null}" ]; then
			echo "    tracer output, last lines:"
			tail -n 6 "$TRACER_OUT" | cut -c1-400 | sed 's/^/      /'
		fi
		FAILED=$((FAILED + 1))
	fi
	ERRS=()
	TRACER_OUT=""
	TRACER_ERR=""
}

summary_line() {
	if [ "$TRACER_OK" = 1 ]; then
		echo "ListenDrops=$LD ListenOverflows=$LO ReqQFullDrop=$RQD tracer: syn_drop=$T_SYN (aqf=$T_AQF sqf=$T_SQF other=$T_OTH) accept_overflow=$T_AO accept_error=$T_AE suppressed=$T_SUP lost=$T_LOST"
	else
		echo "ListenDrops=$LD ListenOverflows=$LO ReqQFullDrop=$RQD tracer: not run"
	fi
}

reset_state() {
	ERRS=()
	TRACER_OK=0
	TRACER_PID=""
	TRACER_OUT=""
	TRACER_ERR=""
	LD="?" LO="?" RQD="?" SCS="?"
	BASE_LD=0 BASE_LO=0 BASE_RQD=0 BASE_SCS=0
	T_SYN="?" T_AO="?" T_AE="?" T_AQF="?" T_SQF="?" T_OTH="?" T_SUP="?" T_LOST="?"
	if [ -n "$PRE_ERR" ]; then
		err "$PRE_ERR"
		return 1
	fi
}

# ------------------------------------------------------------ scenarios --

# Loopback SYN-time overflow: listen(fd, 1), 6 connects, 1.5 s.
sc_overflow() {
	local name=$1 ns
	shift
	reset_state || { verdict "$name" "setup"; return; }
	new_ns ns || { verdict "$name" "setup"; return; }
	tracer_start "$ns" "$name"
	run_driver "$ns" "$name" overflow "$@"
	tracer_stop
	check_promise "$ns"
	[ "$LD" = "$LO" ] && [ "$LD" != 0 ] || err "scenario setup: expected ListenDrops == ListenOverflows > 0"
	if [ "$TRACER_OK" = 1 ]; then
		check_listener_events syn_drop "$DRV_OUT"
		ev_expect syn_drop reason accept_queue_full
		ev_expect syn_drop raddr "$(kv "$DRV_OUT" raddr)"
		ev_expect_in syn_drop rport "$(kv "$DRV_OUT" dropped_ports)"
		ev_expect syn_drop backlog 2
		ev_expect syn_drop backlog_max 1
		[ "$T_AO" = 0 ] || err "accept_overflow $T_AO, expected 0"
	fi
	del_ns "$ns"
	verdict "$name" "$(summary_line)"
}

# TUN peer: synq (SYN queue full), ack (cookie ACK overflow), late-ack
# (request-sock ACK overflow)
sc_tun() {
	local name=$1 mode=$2 ns exp_ld exp_lo n COOKIES=""
	shift 2
	reset_state || { verdict "$name" "setup"; return; }
	new_ns ns || { verdict "$name" "setup"; return; }
	# listener records (-i 1, and the last one of the closed listener):
	# its syncookies must add up to the kernel's SyncookiesSent
	tracer_start "$ns" "$name" -i 1
	run_driver "$ns" "$name" tun_peer -m "$mode" "$@"
	tracer_stop
	check_promise_interval "$ns" "$name"
	exp_ld=$(kv "$DRV_OUT" expect_listen_drops)
	exp_lo=$(kv "$DRV_OUT" expect_listen_overflows)
	[ "$LD" = "$exp_ld" ] && [ "$LO" = "$exp_lo" ] ||
		err "scenario setup: ListenDrops $LD / ListenOverflows $LO, the driver expected $exp_ld / $exp_lo"
	if [ "$TRACER_OK" = 1 ]; then
		case "$mode" in
		synq)
			check_listener_events syn_drop "$DRV_OUT"
			ev_expect syn_drop reason syn_queue_full
			ev_expect syn_drop raddr "$(kv "$DRV_OUT" raddr)"
			ev_expect_in syn_drop rport "$(kv "$DRV_OUT" dropped_ports)"
			ev_expect syn_drop backlog 0
			ev_expect syn_drop backlog_max "$(kv "$DRV_OUT" backlog)"
			ev_expect syn_drop synq $(($(kv "$DRV_OUT" backlog) + 1))
			[ "$T_SQF" = "$RQD" ] || err "syn_drop_reasons.syn_queue_full $T_SQF != TCPReqQFullDrop $RQD"
			;;
		ack | late-ack)
			check_listener_events accept_overflow "$DRV_OUT"
			ev_expect accept_overflow reason accept_queue_full
			ev_expect accept_overflow raddr "$(kv "$DRV_OUT" raddr)"
			ev_expect_in accept_overflow rport "$(kv "$DRV_OUT" overflow_ports)"
			ev_expect accept_overflow backlog $(($(kv "$DRV_OUT" backlog) + 1))
			ev_expect accept_overflow backlog_max "$(kv "$DRV_OUT" backlog)"
			[ "$T_SYN" = 0 ] || err "syn_drop $T_SYN, expected 0"
			;;
		esac
		n=$(jqo -s '[.[] | select(.event == "listener") | .syncookies] | add // 0')
		[ "$n" = "$SCS" ] || err "listener records: syncookies $n, SyncookiesSent $SCS"
		COOKIES="listener syncookies $n = SyncookiesSent $SCS; "
	fi
	del_ns "$ns"
	verdict "$name" "$COOKIES$(summary_line)"
}

# SO_REUSEPORT group; -f: one owner process per member
sc_reuseport() {
	local name=$1 ns i m pid drops n amb off
	shift
	reset_state || { verdict "$name" "setup"; return; }
	new_ns ns || { verdict "$name" "setup"; return; }
	tracer_start "$ns" "$name"
	run_driver "$ns" "$name" reuseport "$@"
	tracer_stop
	check_promise "$ns"
	[ "$LD" = "$LO" ] && [ "$LD" != 0 ] || err "scenario setup: expected ListenDrops == ListenOverflows > 0"
	if [ "$TRACER_OK" = 1 ]; then
		ev_expect syn_drop reason accept_queue_full
		ev_expect syn_drop lport "$(kv "$DRV_OUT" port)"
		ev_expect syn_drop family "$(kv "$DRV_OUT" family)"
		ev_expect syn_drop comm "$(kv "$DRV_OUT" comm)"
		ev_expect_in syn_drop rport "$(kv "$DRV_OUT" dropped_ports)"
		ev_expect syn_drop backlog 2
		m=$(kv "$DRV_OUT" members)
		if [ "$(kv "$DRV_OUT" fork)" = 1 ]; then
			# Each member's drops are attributed to its own owner. When
			# two members drop at the same instant on two CPUs, the
			# tracer cannot tell whose drop it saw first: it flags such
			# records and counts them (totals.ambiguous); each can swap
			# one drop between two members, nothing else may differ.
			amb=$(tot .ambiguous)
			off=0
			for ((i = 0; i < ${m:-0}; i++)); do
				pid=$(kv "$DRV_OUT" "member${i}_pid")
				drops=$(kv "$DRV_OUT" "member${i}_drops")
				n=$(ev_count syn_drop ".pid == $pid")
				off=$((off + (n > drops ? n - drops : drops - n)))
				[ "$n" = "$drops" ] || [ "${amb:-0}" != 0 ] ||
					err "member $i (pid $pid): $n syn_drop events, its listener dropped $drops"
			done
			[ "$off" -le $((2 * ${amb:-0})) ] ||
				err "members' events differ from their drops by $off, more than 2 x $amb ambiguous"
			n=$(ev_count syn_drop '.ambiguous == true')
			[ "$n" -le "${amb:-0}" ] || err "$n records flagged ambiguous, totals.ambiguous ${amb:-?}"
			ev_expect_in syn_drop pid "$(sed -n 's/^member[0-9]*_pid=//p' "$DRV_OUT" | paste -sd,)"
		else
			ev_expect syn_drop pid "$(kv "$DRV_OUT" pid)"
		fi
	fi
	del_ns "$ns"
	verdict "$name" "$(summary_line)"
}

# A listener that exists before the tracer starts: owner found from /proc.
# 2nd argument: "pid": the tracer also gets -p <driver pid>; "dirty": the
# listener overflowed before the tracer started (counted from the start
# record on).
sc_preexisting() {
	local name=$1 mode=${2:-} ns dpid bg i dargs=""
	reset_state || { verdict "$name" "setup"; return; }
	new_ns ns || { verdict "$name" "setup"; return; }
	DRV_OUT="$WORK/$name.drv"
	: >"$DRV_OUT"
	if [ ! -x "$DRV/preexisting" ]; then
		err "driver $DRV/preexisting missing"
		del_ns "$ns"
		verdict "$name" "not run"
		return
	fi
	[ "$mode" != dirty ] || dargs=-r
	timeout -k 2 "$DRIVER_TIMEOUT" ip netns exec "$ns" "$DRV/preexisting" $dargs -p 8080 -t 25000 \
		>"$DRV_OUT" 2>"$DRV_OUT.err" </dev/null &
	bg=$!
	BG_PIDS+=("$bg")
	for ((i = 0; i < 80; i++)); do
		grep -q '^ready=1' "$DRV_OUT" && break
		kill -0 "$bg" 2>/dev/null || break
		sleep 0.1
	done
	dpid=$(kv "$DRV_OUT" pid)
	if ! grep -q '^ready=1' "$DRV_OUT" || [ -z "$dpid" ]; then
		err "driver preexisting did not get ready: $(tr '\n' ' ' <"$DRV_OUT.err")"
	else
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
	[ "$LD" = "$LO" ] && [ "$LD" != 0 ] || err "scenario setup: expected ListenDrops == ListenOverflows > 0"
	if [ "$TRACER_OK" = 1 ]; then
		check_listener_events syn_drop "$DRV_OUT"
		ev_expect syn_drop reason accept_queue_full
		ev_expect_in syn_drop rport "$(kv "$DRV_OUT" dropped_ports)"
		ev_expect syn_drop backlog 2
		ev_expect syn_drop backlog_max 1
	fi
	del_ns "$ns"
	if [ "$mode" = dirty ]; then
		verdict "$name" "before the trace: ListenDrops=$BASE_LD; $(summary_line)"
	else
		verdict "$name" "$(summary_line)"
	fi
}

# accept()/accept4() failing with EMFILE; ground truth: the driver's count
sc_emfile() {
	local name=$1 ns want limit
	shift
	reset_state || { verdict "$name" "setup"; return; }
	new_ns ns || { verdict "$name" "setup"; return; }
	tracer_start "$ns" "$name"
	run_driver "$ns" "$name" emfile "$@"
	tracer_stop
	check_promise "$ns"
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
	del_ns "$ns"
	verdict "$name" "driver EMFILE=$want; $(summary_line)"
}

# The same port overflowing in two namespaces, only the first traced.
sc_two_netns() {
	local name=$1 ns1 ns2 ino2 out2 bg rc2 ld2 n
	reset_state || { verdict "$name" "setup"; return; }
	new_ns ns1 || { verdict "$name" "setup"; return; }
	new_ns ns2 || { verdict "$name" "setup"; return; }
	ino2=$(ns_inode "$ns2")
	out2="$WORK/$name.ns2.drv"
	tracer_start "$ns1" "$name"
	timeout -k 2 "$DRIVER_TIMEOUT" ip netns exec "$ns2" "$DRV/overflow" -p 8080 \
		>"$out2" 2>"$out2.err" </dev/null &
	bg=$!
	BG_PIDS+=("$bg")
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
	del_ns "$ns1"
	del_ns "$ns2"
	verdict "$name" "other namespace ListenDrops=$ld2; $(summary_line)"
}

# A namespace dies and a new one gets its inode (the kernel reuses the
# lowest free one): the tracer must count the new namespace's drops from 0,
# not from the dead one's per-CPU counters (which would wrap to ~2^32).
# The tracer traces the inode (-n), so it follows the new namespace.
sc_netns_reuse() {
	local name=$1 ns1 ns2 ino1 ino2 try ld1 lo1 ld2="" lo2 f fillers n
	reset_state || { verdict "$name" "setup"; return; }
	new_ns ns1 || { verdict "$name" "setup"; return; }
	ino1=$(ns_inode "$ns1")
	tracer_start "$ns1" "$name"
	run_driver "$ns1" "$name" overflow -p 8080
	read_mib "$ns1"
	ld1=$LD lo1=$LO
	del_ns "$ns1"
	ino2=""
	fillers=()
	for ((try = 0; try < 100; try++)); do
		new_ns ns2 || break
		ino2=$(ns_inode "$ns2")
		[ "$ino2" != "$ino1" ] || break
		# the lowest free inode comes first: keep those below ours taken,
		# give back those above (ours was not free yet: the old namespace
		# is torn down asynchronously)
		if [ "$ino2" -lt "$ino1" ]; then
			fillers+=("$ns2")
		else
			del_ns "$ns2"
			sleep 0.1
		fi
		ino2=""
	done
	for f in "${fillers[@]}"; do
		del_ns "$f"
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
		del_ns "$ns2"
	fi
	verdict "$name" "inode $ino1 reused; first namespace ListenDrops=$ld1, second ${ld2:-?} (not traced); $(summary_line)"
}

# The failure paths a user meets first: a bad flag (one line, exit 2), not
# root (one line naming the capabilities, exit 1), and a reader that goes
# away (| head -1: the tracer exits at once, status 0, nothing on stderr).
sc_failures() {
	local name=$1 out rc lines t0 el copy
	reset_state || { verdict "$name" "setup"; return; }
	if [ -n "$BIN_ERR" ]; then
		err "$BIN_ERR"
		verdict "$name" "setup"
		return
	fi
	out=$("$BIN_RUN" --bogus 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = 2 ] || err "--bogus: exit status $rc, expected 2"
	case "$out" in
	*"unrecognized option '--bogus'"*) ;;
	*) err "--bogus: no message naming the option: $(echo "$out" | head -n 1)" ;;
	esac
	out=$("$BIN_RUN" -P 70000 2>&1 >/dev/null)
	rc=$?
	lines=$(printf '%s\n' "$out" | grep -c .)
	[ "$rc" = 2 ] && [ "$lines" = 1 ] || err "-P 70000: exit status $rc, $lines lines: $out"
	case "$out" in *"invalid port '70000'"*) ;; *) err "-P 70000: message is: $out" ;; esac

	# not root: a copy any user may run (WORK is private)
	copy=$(mktemp /tmp/tb-nonroot.XXXXXX) && install -m 0755 "$BIN_RUN" "$copy"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$copy" -d 1 2>&1 >/dev/null)
	rc=$?
	rm -f "$copy"
	[ "$rc" = 1 ] || err "not root: exit status $rc, expected 1"
	case "$out" in
	*"needs root: CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN) are missing"*) ;;
	*) err "not root: message is: $out" ;;
	esac

	# the reader goes away after the first record
	t0=$(date +%s%N)
	out=$( { timeout -k 1 10 "$BIN_RUN" --json 2>"$WORK/$name.err"; echo "rc=$?" >"$WORK/$name.rc"; } | head -n 1)
	el=$(( ($(date +%s%N) - t0) / 1000000 ))
	rc=$(sed -n 's/^rc=//p' "$WORK/$name.rc")
	case "$out" in '{"event":"start"'*) ;; *) err "| head -1: first line is not the start record: $out" ;; esac
	[ "$rc" = 0 ] || err "| head -1: exit status $rc (124: still running after 10 s)"
	[ ! -s "$WORK/$name.err" ] || err "| head -1: stderr not empty: $(head -n 1 "$WORK/$name.err")"
	verdict "$name" "bad flag: exit 2; not root: exit 1; | head -1: exit 0 after ${el} ms"
}

# -P filter: other port -> nothing; the overflowing port -> everything
sc_port_filter() {
	local name=$1 match=$2 ns n
	reset_state || { verdict "$name" "setup"; return; }
	new_ns ns || { verdict "$name" "setup"; return; }
	if [ "$match" = 1 ]; then
		tracer_start "$ns" "$name" -P 9 -P 8080
	else
		tracer_start "$ns" "$name" -P 8081
	fi
	run_driver "$ns" "$name" overflow -p 8080
	if [ "$match" = 1 ]; then
		tracer_stop TERM	# SIGTERM ends it like SIGINT
	else
		tracer_stop
	fi
	read_mib "$ns"
	[ "$LD" != 0 ] && [ "$LD" != "?" ] || err "scenario setup: ListenDrops $LD, expected > 0"
	if [ "$match" = 1 ]; then
		check_promise "$ns"
		check_listener_events syn_drop "$DRV_OUT"
	elif [ "$TRACER_OK" = 1 ]; then
		jq -e . "$TRACER_OUT" >/dev/null 2>&1 || err "tracer output is not valid JSON Lines"
		n=$(jqo 'select(.event != "start" and .event != "totals") | 1' | wc -l)
		[ "$n" = 0 ] || err "$n event records for a port that was not asked for"
		read_totals
		[ "$T_SYN/$T_AO/$T_AE" = 0/0/0 ] ||
			err "totals syn_drop/accept_overflow/accept_error $T_SYN/$T_AO/$T_AE, expected 0/0/0 outside the filter"
	fi
	del_ns "$ns"
	verdict "$name" "$(summary_line)"
}

# -p filter with a pid that owns nothing -> nothing
sc_pid_filter_other() {
	local name=$1 ns n
	reset_state || { verdict "$name" "setup"; return; }
	new_ns ns || { verdict "$name" "setup"; return; }
	tracer_start "$ns" "$name" -p $$
	run_driver "$ns" "$name" overflow -p 8080
	tracer_stop
	read_mib "$ns"
	[ "$LD" != 0 ] || err "scenario setup: ListenDrops $LD, expected > 0"
	if [ "$TRACER_OK" = 1 ]; then
		n=$(jqo 'select(.event != "start" and .event != "totals") | 1' | wc -l)
		[ "$n" = 0 ] || err "$n event records for another pid"
		read_totals
		[ "$T_SYN/$T_AO" = 0/0 ] || err "totals syn_drop/accept_overflow $T_SYN/$T_AO, expected 0/0"
	fi
	del_ns "$ns"
	verdict "$name" "$(summary_line)"
}

# Listener not bound to the address the clients use: a wildcard (-A) or a
# dual-stack [::] socket taking IPv4 (-D). Exact counts and attribution;
# the addresses reported are shown, not judged.
sc_wildcard() {
	local name=$1 ns
	shift
	reset_state || { verdict "$name" "setup"; return; }
	new_ns ns || { verdict "$name" "setup"; return; }
	tracer_start "$ns" "$name"
	run_driver "$ns" "$name" overflow "$@"
	tracer_stop
	check_promise "$ns"
	[ "$LD" = "$LO" ] && [ "$LD" != 0 ] || err "scenario setup: expected ListenDrops == ListenOverflows > 0"
	if [ "$TRACER_OK" = 1 ]; then
		ev_expect syn_drop pid "$(kv "$DRV_OUT" pid)"
		ev_expect syn_drop comm "$(kv "$DRV_OUT" comm)"
		ev_expect syn_drop lport "$(kv "$DRV_OUT" port)"
		ev_expect syn_drop reason accept_queue_full
		ev_expect_in syn_drop rport "$(kv "$DRV_OUT" dropped_ports)"
		ev_expect_in syn_drop laddr "$(kv "$DRV_OUT" laddr),$(kv "$DRV_OUT" raddr),::ffff:$(kv "$DRV_OUT" raddr)"
		ev_expect_in syn_drop raddr "$(kv "$DRV_OUT" raddr),::ffff:$(kv "$DRV_OUT" raddr)"
	fi
	del_ns "$ns"
	verdict "$name" "listener $(kv "$DRV_OUT" listener_family) $(kv "$DRV_OUT" laddr), events family=$(ev_values syn_drop family) laddr=$(ev_values syn_drop laddr) raddr=$(ev_values syn_drop raddr); $(summary_line)"
}

# The same port listened on, overflowed and closed in turn by new owners
sc_relisten() {
	local name=$1 ns i r pid ports n drops LREC=""
	shift
	reset_state || { verdict "$name" "setup"; return; }
	new_ns ns || { verdict "$name" "setup"; return; }
	# listener records every second and a last one at exit: each round's
	# listener closes, and its records must still add up to its drops
	tracer_start "$ns" "$name" -i 1
	run_driver "$ns" "$name" relisten "$@"
	tracer_stop
	check_promise_interval "$ns" "$name"
	[ "$LD" = "$LO" ] && [ "$LD" != 0 ] || err "scenario setup: expected ListenDrops == ListenOverflows > 0"
	if [ "$TRACER_OK" = 1 ]; then
		ev_expect syn_drop lport "$(kv "$DRV_OUT" port)"
		ev_expect syn_drop comm "$(kv "$DRV_OUT" comm)"
		ev_expect syn_drop reason accept_queue_full
		ev_expect_in syn_drop pid "$(sed -n 's/^round[0-9]*_pid=//p' "$DRV_OUT" | paste -sd,)"
		r=$(kv "$DRV_OUT" rounds)
		for ((i = 0; i < ${r:-0}; i++)); do
			pid=$(kv "$DRV_OUT" "round${i}_pid")
			drops=$(kv "$DRV_OUT" "round${i}_listener_drops")
			ports=$(kv "$DRV_OUT" "round${i}_dropped_ports")
			n=$(ev_count syn_drop ".pid == ${pid:-0}")
			[ "$n" = "$drops" ] ||
				err "round $i (pid $pid): $n syn_drop events, its listener dropped $drops"
			n=$(ev_count syn_drop "(.rport | tostring) as \$p | (\"$ports\" | split(\",\") | index(\$p)) and .pid != $pid")
			[ "$n" = 0 ] || err "round $i: $n drops of its clients attributed to another owner"
			n=$(jqo -s "[.[] | select(.event == \"listener\" and .pid == ${pid:-0}) | .syn_drops] | add // 0")
			[ "$n" = "$drops" ] ||
				err "round $i (pid $pid): its listener records add up to $n syn_drops, its listener dropped $drops"
			n=$(ev_count listener ".pid == ${pid:-0} and .closed")
			[ "$n" = 1 ] || err "round $i (pid $pid): $n listener records say closed (expected 1)"
		done
		LREC=$(ev_count listener)
	fi
	del_ns "$ns"
	verdict "$name" "listener records ${LREC:-?} (closed listeners included); $(summary_line)"
}

# Drops racing each other on several CPUs at once (and the connecting
# processes are not the listener's owner)
sc_concurrent() {
	local name=$1 ns
	shift
	reset_state || { verdict "$name" "setup"; return; }
	new_ns ns || { verdict "$name" "setup"; return; }
	tracer_start "$ns" "$name"
	run_driver "$ns" "$name" concurrent "$@"
	tracer_stop
	check_promise "$ns"
	[ "$LD" = "$LO" ] && [ "$LD" != 0 ] || err "scenario setup: expected ListenDrops == ListenOverflows > 0"
	if [ "$TRACER_OK" = 1 ]; then
		check_listener_events syn_drop "$DRV_OUT"
		ev_expect syn_drop reason accept_queue_full
		ev_expect syn_drop backlog 2
		ev_expect syn_drop backlog_max 1
	fi
	del_ns "$ns"
	verdict "$name" "$(kv "$DRV_OUT" children) connecting processes; $(summary_line)"
}

# -d: the tracer ends by itself after the traffic, with its totals
sc_duration() {
	local name=$1 ns
	reset_state || { verdict "$name" "setup"; return; }
	new_ns ns || { verdict "$name" "setup"; return; }
	tracer_start "$ns" "$name" -d 4
	run_driver "$ns" "$name" overflow -p 8080
	tracer_stop none 8
	check_promise "$ns"
	[ "$LD" != 0 ] || err "scenario setup: ListenDrops $LD, expected > 0"
	check_listener_events syn_drop "$DRV_OUT"
	del_ns "$ns"
	verdict "$name" "$(summary_line)"
}

# ------------------------------------------- per-listener records (-i) --

# How far apart the driver's clock readings and the kernel's may be for one
# connection: the tracer stamps the child's clone at the final ACK and the
# accept's syscall exit; the driver reads CLOCK_MONOTONIC right after
# connect() returns (or its epoll wakes, for a retransmitted SYN) and right
# after accept() returns. Both run SCHED_FIFO: measured 20-60 us apart;
# 2 ms leaves room for an interrupt burst and is far below the width of
# the buckets these waits fall in (64-256 ms).
SA_SKEW_US=2000

# What the tracer may lose, seen on this machine under other tests' load
# (a few per cent of runs, one or two each), and checked to be no more:
# - SA_LOST_MAX accepts without a latency sample: the child's clone stamp
#   (tp_btf/inet_sock_set_state, LISTEN -> SYN_RECV) was not taken. Shown
#   with debug counters: the program saw one transition fewer than there
#   were children, the way a run skipped by the kernel's recursion guard
#   (recursion_misses) looks.
# - SA_FOLD_MAX drops seen late (their program run skipped), counted at the
#   next drop on that CPU: exact in the totals, folded into another record
#   (counted as suppressed) and under that record's kind.
# Both are counted in the PASS line.
SA_LOST_MAX=2
SA_FOLD_MAX=5

# sa_latency_check WAITS SKEW < "accepts count p50 p99 max" per record:
# compare each listener record's accept latency with the driver's waits of
# the same accepts. The kernel counts accepts in the order accept()
# returned them, one server thread makes them, so record k covers the next
# `accepts` entries of the driver's list (in accept order): an exact split.
#
# Tolerance, from user/stats.c: a percentile is the sample of rank
# ceil(p/100 * n) (the driver uses the same rank), placed by interpolation
# inside the log2 bucket [2^i, 2^(i+1)) us that holds that sample, and
# capped at max, which only moves it within the same bucket. So the
# tracer's p50/p99 lie in the bucket of the kernel's own sample of that
# rank. Each kernel sample is within SKEW of the driver's, and so is the
# sample of any rank. The check: the bucket of the tracer's figure must
# reach within SKEW of the driver's figure, i.e. the same bucket, or the
# adjacent one only when the driver's figure is within SKEW of their
# boundary. max is no bucket figure: it is the exact largest wait (ns,
# rounded up to us), so |tracer max - driver max| <= SKEW.
# An accept whose clone stamp was skipped has no sample (count < accepts,
# by k): which one is unknown, so the rank-r sample of the c measured lies
# between the driver's rank r and rank r+k samples, and the max between
# the driver's rank c sample and its max; the runner bounds the losses.
# Then the whole run, when nothing was lost: the driver's overall pXX must
# lie between the lowest and highest interval pXX (a quantile of a union of
# groups lies between the groups' quantiles, also with ceil ranks), with the
# same bucket rule.
# Prints "ERR ..." lines for failures, "LOST n", then one "SUMMARY ..." line.
sa_latency_check() {
	awk -v waits="$1" -v eps="$2" '
	function slot(us,  s) {
		if (us < 2)
			return 0
		for (s = 0; us >= 2; s++)
			us = int(us / 2)
		return s > 31 ? 31 : s
	}
	function lo(s) { return s ? 2 ^ s : 0 }
	function hi(s) { return s == 31 ? 1e30 : 2 ^ (s + 1) }
	function rank(p, n,  r) {
		r = p * n / 100
		if (!(r > 1))
			return 1
		if (r >= n)
			return n
		return r == int(r) ? r : int(r) + 1
	}
	# the bucket of tracer figure t reaches within eps of the driver
	# figures [d, u] (d == u unless samples were lost)
	function near(t, d, u,  s) {
		s = slot(t)
		return lo(s) <= u + eps && hi(s) > d - eps
	}
	function absd(x) { return x < 0 ? -x : x }
	BEGIN {
		nw = split(waits, w, ",")
		pos = 0
		rec = 0
		tmax = 0
		lo50 = lo99 = 1e30
		hi50 = hi99 = 0
		lost = 0
		detail = ""
	}
	{
		rec++
		a = $1; c = $2; t50 = $3; t99 = $4; tm = $5
		if (c > a) {
			printf "ERR record %d: accept_latency_us.count %d > accepts %d\n", rec, c, a
			c = a
		}
		k = a - c
		lost += k
		if (a == 0)
			next
		if (pos + a > nw) {
			printf "ERR record %d: %d accepts, only %d driver waits left\n", rec, a, nw - pos
			pos = nw
			next
		}
		n = 0
		for (i = 1; i <= a; i++) {
			v = w[pos + i] + 0
			for (j = n; j > 0 && s[j] > v; j--)
				s[j + 1] = s[j]
			s[j + 1] = v
			n++
		}
		pos += a
		if (c == 0)
			next
		# k samples lost: the rank-r sample of the c kept lies between
		# the driver rank r and rank r + k samples; the max of the kept
		# between the driver rank c sample and the largest
		r = rank(50, c); d50 = s[r]; u50 = s[r + k]
		r = rank(99, c); d99 = s[r]; u99 = s[r + k]
		dm = s[c]; um = s[a]
		if (!near(t50, d50, u50))
			printf "ERR record %d (%d accepts, %d measured): p50 %d us (bucket %d-%d), driver %d%s us\n",
				rec, a, c, t50, lo(slot(t50)), hi(slot(t50)), d50, k ? "-" u50 : ""
		if (!near(t99, d99, u99))
			printf "ERR record %d (%d accepts, %d measured): p99 %d us (bucket %d-%d), driver %d%s us\n",
				rec, a, c, t99, lo(slot(t99)), hi(slot(t99)), d99, k ? "-" u99 : ""
		if (tm < dm - eps || tm > um + eps)
			printf "ERR record %d (%d accepts, %d measured): max %d us, driver %d%s us (more than %d us apart)\n",
				rec, a, c, tm, dm, k ? "-" um : "", eps
		if (tm > tmax)
			tmax = tm
		if (lo(slot(t50)) < lo50) lo50 = lo(slot(t50))
		if (hi(slot(t50)) > hi50) hi50 = hi(slot(t50))
		if (lo(slot(t99)) < lo99) lo99 = lo(slot(t99))
		if (hi(slot(t99)) > hi99) hi99 = hi(slot(t99))
		detail = detail sprintf(" %d%s:%d/%d,%d/%d,%d/%d", a, k ? "(" c " measured)" : "",
			t50, d50, t99, d99, tm, um)
	}
	END {
		if (pos != nw)
			printf "ERR the records cover %d accepts, the driver made %d\n", pos, nw
		printf "LOST %d\n", lost
		# the whole run: only when every accept was measured
		if (nw && !lost) {
			n = 0
			for (i = 1; i <= nw; i++) {
				v = w[i] + 0
				for (j = n; j > 0 && s[j] > v; j--)
					s[j + 1] = s[j]
				s[j + 1] = v
				n++
			}
			d50 = s[rank(50, n)]; d99 = s[rank(99, n)]; dm = s[n]
			if (!(d50 + eps >= lo50 && d50 - eps < hi50))
				printf "ERR driver p50 %d us outside the intervals p50 range %d-%d us\n", d50, lo50, hi50
			if (!(d99 + eps >= lo99 && d99 - eps < hi99))
				printf "ERR driver p99 %d us outside the intervals p99 range %d-%d us\n", d99, lo99, hi99
			if (absd(tmax - dm) > eps)
				printf "ERR max over the records %d us, driver max %d us\n", tmax, dm
		}
		printf "SUMMARY tracer max %d us, intervals p50 %d-%d us, p99 %d-%d us; per record accepts:p50/driver,p99/driver,max/driver%s\n",
			tmax, lo50, hi50, lo99, hi99, detail
	}'
}

# run_driver_held NS NAME FIELD KEY DRIVER [ARGS...]: run a driver that
# prints hold=1 when done and then keeps its listener open until SIGUSR1.
# A listener's last interval is reported only while it exists: release the
# driver once the tracer's listener records for its port sum FIELD up to
# the driver's KEY= value (at most 5 s). Sets DRV_OUT, DRV_RC.
run_driver_held() {
	local ns=$1 name=$2 field=$3 key=$4 drv=$5 bg i dpid port want sum
	shift 5

	DRV_OUT="$WORK/$name.drv"
	DRV_RC=127
	: >"$DRV_OUT"
	if [ ! -x "$DRV/$drv" ]; then
		err "driver $DRV/$drv missing (make build/tests/integration/$drv)"
		return 1
	fi
	timeout -k 2 "$DRIVER_TIMEOUT" ip netns exec "$ns" "$DRV/$drv" "$@" \
		>"$DRV_OUT" 2>"$DRV_OUT.err" </dev/null &
	bg=$!
	BG_PIDS+=("$bg")
	for ((i = 0; i < DRIVER_TIMEOUT * 10; i++)); do
		grep -q '^hold=1' "$DRV_OUT" && break
		kill -0 "$bg" 2>/dev/null || break
		sleep 0.1
	done
	dpid=$(kv "$DRV_OUT" pid)
	port=$(kv "$DRV_OUT" port)
	want=$(kv "$DRV_OUT" "$key")
	if grep -q '^hold=1' "$DRV_OUT" && [ -n "$dpid" ] && [ -n "$port" ] && [ -n "$want" ]; then
		for ((i = 0; i < 50; i++)); do
			sum=$(jqo --argjson p "$port" --arg f "$field" \
				'select(.event == "listener" and .lport == $p) | .[$f]' |
				awk '{ s += $1 } END { print s + 0 }')
			[ "$sum" -lt "$want" ] || break
			sleep 0.1
		done
		kill -USR1 "$dpid" 2>/dev/null
	fi
	wait "$bg"
	DRV_RC=$?
	bg_done "$bg"
	[ "$DRV_RC" = 0 ] ||
		err "driver $drv $* exited with status $DRV_RC: $(tr '\n' ' ' <"$DRV_OUT.err")"
}

# tracer_misses: "name=N" per BPF program of the running tracer that the
# kernel skipped at least once. A tp_btf program is not run again on a CPU
# where it is already running (an interrupt or softirq arriving while it
# runs in process context): that invocation is lost and counted in the
# program's recursion_misses. Programs are found through the tracer's fds.
tracer_misses() {
	local id

	[ -n "$TRACER_PID" ] && command -v bpftool >/dev/null 2>&1 || return 0
	for id in $(sed -n 's/^prog_id:[[:space:]]*//p' /proc/"$TRACER_PID"/fdinfo/* 2>/dev/null | sort -u); do
		bpftool -j prog show id "$id" 2>/dev/null
	done | jq -r 'select((.recursion_misses // 0) > 0) | "\(.name)=\(.recursion_misses)"' 2>/dev/null
}

# check_promise_interval NS NAME [FOLD_MAX]: check_promise on the event
# records alone (-i adds listener, hint and suppressed records, which it
# does not know). TRACER_FULL is the whole output, TRACER_EVENTS the rest.
# A drop whose program run was skipped is counted late, at the next drop on
# that CPU, folded into that record and counted as suppressed: then the
# lines fall short of the totals by exactly the suppressed count (the
# counts stay exact). With FOLD_MAX (no rate limit: folding is the only
# suppression), at most that many.
check_promise_interval() {
	local nerr i keep=() lines sup

	TRACER_FULL=$TRACER_OUT
	TRACER_EVENTS="$WORK/$2.events"
	if [ "$TRACER_OK" = 1 ] && ! jq -e . "$TRACER_FULL" >/dev/null 2>&1; then
		err "tracer output is not valid JSON Lines"
	fi
	jq -c 'select(.event != "listener" and .event != "hint" and .event != "suppressed")' \
		"$TRACER_FULL" >"$TRACER_EVENTS" 2>/dev/null
	TRACER_OUT=$TRACER_EVENTS
	nerr=${#ERRS[@]}
	check_promise "$1"
	TRACER_OUT=$TRACER_FULL
	case "$T_SUP" in '' | *[!0-9]* | 0) return 0 ;; esac

	# folded records: replace the per-kind line counts by the sum rule
	for ((i = nerr; i < ${#ERRS[@]}; i++)); do
		[[ "${ERRS[$i]}" =~ ^[0-9]+\ (syn_drop|accept_overflow)\ lines ]] || keep+=("${ERRS[$i]}")
	done
	ERRS=("${ERRS[@]:0:nerr}" "${keep[@]}")
	TRACER_OUT=$TRACER_EVENTS
	lines=$(ev_count syn_drop)
	lines=$((lines + $(ev_count accept_overflow) + $(ev_count accept_error)))
	TRACER_OUT=$TRACER_FULL
	[ $((lines + T_SUP + T_LOST)) = $((T_SYN + T_AO + T_AE)) ] ||
		err "$lines event lines + suppressed $T_SUP + lost $T_LOST != totals $((T_SYN + T_AO + T_AE))"
	sup=$(jqo -s '[.[] | select(.event == "suppressed") | .suppressed] | add // 0')
	[ "$sup" = "$T_SUP" ] || err "suppressed records sum to $sup, totals.suppressed $T_SUP"
	if [ -n "${3:-}" ]; then
		[ "$T_SUP" -le "$3" ] ||
			err "$T_SUP drops seen late (suppressed with no rate limit), at most $3 expected"
	fi
}

# A slow accept() loop, seen through the per-listener records: listen(fd, 8),
# one accept every 50 ms, 120 clients at one per 20 ms (SYNs dropped and
# retransmitted). The driver measures every connection's wait itself.
sc_slow_accept() {
	local name=$1 ns ino dpid acc port backlog lrec out n line misses="" lost=0
	local l_acc l_syn l_aqf l_sqf l_oth l_ao l_ae l_peak l_bmax l_pid l_comm l_n
	shift
	reset_state || { verdict "$name" "setup"; return; }
	new_ns ns || { verdict "$name" "setup"; return; }
	ino=$(ns_inode "$ns")
	tracer_start "$ns" "$name" -i 1 --rate-limit 0
	run_driver_held "$ns" "$name" accepts accepted slow_accept "$@"
	dpid=$(kv "$DRV_OUT" pid)
	port=$(kv "$DRV_OUT" port)
	acc=$(kv "$DRV_OUT" accepted)
	misses=$(tracer_misses | paste -sd' ')
	tracer_stop
	case "$port" in '' | *[!0-9]*) port=0 ;; esac

	check_promise_interval "$ns" "$name" "$SA_FOLD_MAX"
	if [ "$TRACER_OK" = 1 ]; then
		TRACER_OUT=$TRACER_EVENTS
		check_listener_events syn_drop "$DRV_OUT"
		check_listener_events accept_overflow "$DRV_OUT"
		ev_expect syn_drop reason accept_queue_full
		ev_expect accept_overflow reason accept_queue_full
		[ "$T_AE" = 0 ] || err "accept_error $T_AE, expected 0"
		TRACER_OUT=$TRACER_FULL
	fi

	backlog=$(kv "$DRV_OUT" backlog)
	[ "$LD" = "$LO" ] && [ "$LD" != 0 ] || err "scenario setup: expected ListenDrops == ListenOverflows > 0"
	# the queue holds backlog + 1 (sk_acceptq_is_full() is ack_backlog > max):
	# the driver saw it itself, with TCP_INFO on the listener, before accepting
	[ "$(kv "$DRV_OUT" queue_peak_seen)" = $((backlog + 1)) ] ||
		err "scenario setup: the driver saw the accept queue at $(kv "$DRV_OUT" queue_peak_seen), expected backlog + 1 = $((backlog + 1))"
	[ "$(kv "$DRV_OUT" after_retransmit)" -gt 0 ] 2>/dev/null ||
		err "scenario setup: no client got in by a retransmitted SYN"
	[ "$(kv "$DRV_OUT" late_max_us)" -le "$SA_SKEW_US" ] 2>/dev/null ||
		err "scenario setup: a client read its clock $(kv "$DRV_OUT" late_max_us) us after the accept (limit $SA_SKEW_US us)"

	if [ "$TRACER_OK" = 1 ]; then
		lrec=".event == \"listener\" and .lport == $port and (.netns | tostring) == \"$ino\""
		l_n=$(ev_count listener "$lrec")
		out=$(jqo -s "[.[] | select($lrec)] |
			[(map(.accepts) | add // 0), (map(.syn_drops) | add // 0),
			 (map(.syn_drop_reasons.accept_queue_full) | add // 0),
			 (map(.syn_drop_reasons.syn_queue_full) | add // 0),
			 (map(.syn_drop_reasons.other) | add // 0),
			 (map(.accept_overflows) | add // 0), (map(.accept_errors) | add // 0),
			 (map(.backlog_peak) | max // 0),
			 (map(.backlog_max | tostring) | unique | join(\",\")),
			 (map(.pid | tostring) | unique | join(\",\")),
			 (map(.comm) | unique | join(\",\"))] | @tsv")
		IFS=$'\t' read -r l_acc l_syn l_aqf l_sqf l_oth l_ao l_ae l_peak l_bmax l_pid l_comm <<<"$out"
		[ "${l_n:-0}" -gt 0 ] || err "no listener records for port $port"
		[ "$l_acc" = "$acc" ] || err "listener records: accepts sum $l_acc, the driver accepted $acc"
		[ "$l_syn" = "$T_SYN" ] || err "listener records: syn_drops sum $l_syn, totals.syn_drop $T_SYN"
		[ "$l_ao" = "$T_AO" ] || err "listener records: accept_overflows sum $l_ao, totals.accept_overflow $T_AO"
		[ $((l_syn + l_ao)) = "$LD" ] ||
			err "listener records: syn_drops $l_syn + accept_overflows $l_ao != ListenDrops $LD"
		[ $((l_aqf + l_ao)) = "$LO" ] ||
			err "listener records: syn_drop_reasons.accept_queue_full $l_aqf + accept_overflows $l_ao != ListenOverflows $LO"
		[ "$l_sqf/$l_oth/$l_ae" = 0/0/0 ] ||
			err "listener records: syn_queue_full/other/accept_errors $l_sqf/$l_oth/$l_ae, expected 0/0/0"
		# with tcp_abort_on_overflow=1 each ACK-time overflow resets one
		# client; one seen late (folded, suppressed) is counted under the
		# kind of the drop it was folded into
		if [ "$(kv "$DRV_OUT" tcp_abort_on_overflow)" = 1 ]; then
			n=$(kv "$DRV_OUT" resets)
			[ "$l_ao" -le "$n" ] && [ "$n" -le $((l_ao + T_SUP)) ] ||
				err "listener records: accept_overflows $l_ao (suppressed $T_SUP), the driver's clients were reset $n times"
		fi
		[ "$l_bmax" = "$backlog" ] || err "listener records: backlog_max $l_bmax, the driver asked for $backlog"
		[ "$l_peak" = $((backlog + 1)) ] ||
			err "listener records: max backlog_peak $l_peak, expected backlog + 1 = $((backlog + 1))"
		[ "$l_pid" = "$dpid" ] || err "listener records: pid $l_pid, expected $dpid"
		[ "$l_comm" = "$(kv "$DRV_OUT" comm)" ] || err "listener records: comm $l_comm, expected $(kv "$DRV_OUT" comm)"

		out=$(jqo "select($lrec) | [.accepts, .accept_latency_us.count, .accept_latency_us.p50,
			   .accept_latency_us.p99, .accept_latency_us.max] | @tsv" |
			sa_latency_check "$(kv "$DRV_OUT" waits_us)" "$SA_SKEW_US")
		while IFS= read -r line; do
			case "$line" in
			"ERR "*) err "latency: ${line#ERR }" ;;
			"LOST "*) lost=${line#LOST } ;;
			"SUMMARY "*) SA_LAT=${line#SUMMARY } ;;
			esac
		done <<<"$out"
		[ "${lost:-0}" -le "$SA_LOST_MAX" ] ||
			err "latency: $lost accepts without a latency sample (at most $SA_LOST_MAX expected)"

		# hints: slow_accept seen; none without the data behind it
		n=$(ev_count hint ".lport == $port and .kind == \"slow_accept\"")
		[ "$n" -gt 0 ] || err "no slow_accept hint for port $port"
		n=$(ev_count hint '.kind == "fd_limit" or .kind == "syn_queue_full"')
		[ "$n" = 0 ] || err "$n fd_limit/syn_queue_full hints, no such data"
		n=$(jqo -s '
			[.[] | select(.event == "listener")] as $l |
			.[] | select(.event == "hint" and .kind == "slow_accept") |
			. as $h | [$l[] | select(.time == $h.time and .lport == $h.lport and .laddr == $h.laddr)] |
			select(length != 1 or
			       (.[0] | (.syn_drop_reasons.accept_queue_full + .accept_overflows) == 0 or
				       .backlog_peak < .backlog_max or
				       (.accept_latency_us.count > 0 and .accept_latency_us.p99 < 100000))) | 1' | wc -l)
		[ "$n" = 0 ] || err "$n slow_accept hints without overflows, a full queue and p99 >= 100 ms in their interval"
		ev_expect hint netns "$ino"
	fi
	del_ns "$ns"
	verdict "$name" "driver: accepted $acc (first try $(kv "$DRV_OUT" first_try), after retransmit $(kv "$DRV_OUT" after_retransmit), resets $(kv "$DRV_OUT" resets), late clock readings $(kv "$DRV_OUT" late_stamps)), wait p50 $(kv "$DRV_OUT" wait_p50_us) p99 $(kv "$DRV_OUT" wait_p99_us) max $(kv "$DRV_OUT" wait_max_us) us, queue seen $(kv "$DRV_OUT" queue_peak_seen)/$backlog; listener records: ${l_n:-?} with accepts $l_acc syn_drops $l_syn accept_overflows $l_ao peak ${l_peak:-?}/${l_bmax:-?}, slow_accept hints $(ev_count hint '.kind == "slow_accept"'); latency: ${SA_LAT:-?}; accepts without a latency sample ${lost:-?}, drops seen late $T_SUP, skipped BPF runs: ${misses:-none}; $(summary_line)"
	SA_LAT=""
}

# io_uring accepts (IORING_OP_ACCEPT) failing with EMFILE: seen only at the
# io_uring_complete tracepoint; ground truth: the driver's -EMFILE count.
# With -i 1: the listener record counts them by errno, and the accept that
# succeeds at the end through the ring.
sc_uring_emfile() {
	local name=$1 ns ino want port lrec out l_n l_acc l_lat l_ae l_emf n
	shift
	reset_state || { verdict "$name" "setup"; return; }
	new_ns ns || { verdict "$name" "setup"; return; }
	ino=$(ns_inode "$ns")
	tracer_start "$ns" "$name" -i 1
	run_driver_held "$ns" "$name" accepts accepted_after uring_emfile "$@" -t 5000
	tracer_stop
	port=$(kv "$DRV_OUT" port)
	case "$port" in '' | *[!0-9]*) port=0 ;; esac
	want=$(kv "$DRV_OUT" emfile_total)
	check_promise_interval "$ns" "$name"
	[ "$LD" = 0 ] || err "scenario setup: ListenDrops $LD, expected 0"
	[ "${want:-0}" -gt 0 ] 2>/dev/null || err "scenario setup: the driver saw no -EMFILE completion"
	if [ "$TRACER_OK" = 1 ]; then
		[ "$T_AE" = "$want" ] || err "totals.accept_error $T_AE, the driver saw $want -EMFILE completions"
		TRACER_OUT=$TRACER_EVENTS
		n=$(ev_count accept_error)
		[ "$n" = "$want" ] || err "$n accept_error lines, the driver saw $want -EMFILE completions"
		ev_expect accept_error pid "$(kv "$DRV_OUT" pid)"
		ev_expect accept_error comm "$(kv "$DRV_OUT" comm)"
		ev_expect accept_error lport "$port"
		ev_expect accept_error laddr "$(kv "$DRV_OUT" laddr)"
		ev_expect accept_error family "$(kv "$DRV_OUT" family)"
		ev_expect accept_error errno 24
		ev_expect accept_error error EMFILE
		ev_expect accept_error nofile_limit "$(kv "$DRV_OUT" nofile_limit)"
		ev_expect accept_error open_fds "$(kv "$DRV_OUT" open_fds)"
		[ "$T_SYN" = 0 ] && [ "$T_AO" = 0 ] || err "syn_drop $T_SYN / accept_overflow $T_AO, expected 0"
		TRACER_OUT=$TRACER_FULL

		lrec=".event == \"listener\" and .lport == $port and (.netns | tostring) == \"$ino\""
		l_n=$(ev_count listener "$lrec")
		out=$(jqo -s "[.[] | select($lrec)] |
			[(map(.accepts) | add // 0), (map(.accept_latency_us.count) | add // 0),
			 (map(.accept_errors) | add // 0), (map(.accept_errnos.EMFILE // 0) | add // 0)] | @tsv")
		IFS=$'\t' read -r l_acc l_lat l_ae l_emf <<<"$out"
		[ "${l_n:-0}" -gt 0 ] || err "no listener records for port $port"
		[ "$l_ae" = "$want" ] || err "listener records: accept_errors $l_ae, the driver saw $want"
		[ "$l_emf" = "$want" ] || err "listener records: accept_errnos.EMFILE $l_emf, the driver saw $want"
		[ "$l_acc" = "$(kv "$DRV_OUT" accepted_after)" ] ||
			err "listener records: accepts $l_acc, the driver accepted $(kv "$DRV_OUT" accepted_after) through the ring"
		[ "$l_lat" -le "$l_acc" ] && [ $((l_acc - l_lat)) -le "$SA_LOST_MAX" ] ||
			err "listener records: accept latency count $l_lat, accepts $l_acc"
		n=$(ev_count hint ".lport == $port and .kind == \"fd_limit\"")
		[ "$n" -gt 0 ] || err "no fd_limit hint for port $port"
		n=$(ev_count hint '.kind != "fd_limit"')
		[ "$n" = 0 ] || err "$n hints other than fd_limit, without such data"
	fi
	del_ns "$ns"
	verdict "$name" "driver -EMFILE completions=$want, ring accepts=$(kv "$DRV_OUT" accepted_after); listener records: ${l_n:-?} with accept_errors ${l_ae:-?} (EMFILE ${l_emf:-?}) accepts ${l_acc:-?}; $(summary_line)"
}

SCENARIOS="overflow_ipv4 overflow_ipv6 tun_syn_queue_full tun_ack_overflow_cookies
tun_ack_overflow_reqsk reuseport reuseport_owners preexisting emfile_ipv4 emfile_ipv6
overflow_wildcard overflow_dualstack relisten preexisting_dirty concurrent two_netns
port_filter_other port_filter_match pid_filter_other pid_filter_match duration netns_reuse failures
slow_accept slow_accept_steady uring_emfile_ipv4 uring_emfile_ipv6"

run_one() {
	case "$1" in
	overflow_ipv4)		sc_overflow "$1" -p 8080 ;;
	overflow_ipv6)		sc_overflow "$1" -6 -p 8080 -n 5 ;;
	tun_syn_queue_full)	sc_tun "$1" synq -c 0 -p 8080 ;;
	tun_ack_overflow_cookies) sc_tun "$1" ack -c 1 -p 8080 ;;
	tun_ack_overflow_reqsk)	sc_tun "$1" late-ack -c 0 -p 8080 -k 3 ;;
	reuseport)		sc_reuseport "$1" -p 8080 -m 3 -n 24 ;;
	reuseport_owners)	sc_reuseport "$1" -f -p 8080 -m 3 -n 24 ;;
	preexisting)		sc_preexisting "$1" ;;
	pid_filter_match)	sc_preexisting "$1" pid ;;
	emfile_ipv4)		sc_emfile "$1" -p 8080 -l 16 -k 3 ;;
	emfile_ipv6)		sc_emfile "$1" -6 -p 8080 -l 20 -k 2 ;;
	two_netns)		sc_two_netns "$1" ;;
	netns_reuse)		sc_netns_reuse "$1" ;;
	failures)		sc_failures "$1" ;;
	port_filter_other)	sc_port_filter "$1" 0 ;;
	port_filter_match)	sc_port_filter "$1" 1 ;;
	pid_filter_other)	sc_pid_filter_other "$1" ;;
	duration)		sc_duration "$1" ;;
	overflow_wildcard)	sc_wildcard "$1" -A 0.0.0.0 -p 8080 ;;
	overflow_dualstack)	sc_wildcard "$1" -D -p 8080 ;;
	relisten)		sc_relisten "$1" -p 8080 -R 3 ;;
	preexisting_dirty)	sc_preexisting "$1" dirty ;;
	concurrent)		sc_concurrent "$1" -p 8080 -n 50 ;;
	slow_accept)		sc_slow_accept "$1" -p 8080 -b 8 -n 120 -a 50 -g 20 -w 24 -W 1000 ;;
	slow_accept_steady)	sc_slow_accept "$1" -p 8080 -b 8 -n 120 -a 50 -g 20 ;;
	uring_emfile_ipv4)	sc_uring_emfile "$1" -p 8080 -l 16 -k 3 ;;
	uring_emfile_ipv6)	sc_uring_emfile "$1" -6 -p 8080 -l 20 -k 2 ;;
	*)			echo "unknown scenario $1" >&2; return 1 ;;
	esac
}

for s in ${ONLY:-$SCENARIOS}; do
	run_one "$s" || FAILED=$((FAILED + 1))
done
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
