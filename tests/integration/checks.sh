# SPDX-License-Identifier: GPL-2.0
#
# The integration runner's checks, sourced by tests/integration/run.sh
# after tests/lib/harness.sh: the tracer and the drivers in a namespace,
# and the tracer's output held to the kernel's counters.

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

# tracer_start NS NAME [ARGS...]: start the tracer on NS, wait for "start".
# TRACER_WRAP: a command the tracer runs under (unshare --pid --fork ...):
# signals then go to the wrapper's child, the tracer itself.
TRACER_PID=""
TRACER_SIGNAL_PID=""
TRACER_WRAP=""
TRACER_OK=0
tracer_start() {
	local ns=$1 name=$2 rc
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
	$TRACER_WRAP "$BIN_RUN" --json -n "/var/run/netns/$ns" "$@" >"$TRACER_OUT" 2>"$TRACER_ERR" &
	TRACER_PID=$!
	TRACER_SIGNAL_PID=$TRACER_PID
	bg_add "$TRACER_PID"
	wait_for_line "$TRACER_PID" "$TRACER_OUT" '"event" *: *"start"' $((START_TIMEOUT * 10)) 0.1
	rc=$?
	if [ "$rc" = 0 ]; then
		[ -z "$TRACER_WRAP" ] || TRACER_SIGNAL_PID=$(pgrep -P "$TRACER_PID" | head -n 1)
		TRACER_OK=1
		return 0
	fi
	if [ "$rc" = 1 ]; then
		wait "$TRACER_PID"
		err "tracer exited (status $?) before its start record"
		bg_done "$TRACER_PID"
		TRACER_PID=""
		return 1
	fi
	err "no start record from the tracer within ${START_TIMEOUT}s"
	return 1
}

# tracer_stop [SIG [TIMEOUT]]: send SIG (default INT; "none": let it end by
# itself, -d), bounded wait; sets TRACER_RC
tracer_stop() {
	local sig=${1:-INT} limit=${2:-$STOP_TIMEOUT} what

	TRACER_RC=""
	[ -n "$TRACER_PID" ] || return 0
	if [ "$sig" = none ]; then
		what="its own end (-d)"
	else
		what="SIG$sig"
		sleep "$DRAIN"
		kill -"$sig" "${TRACER_SIGNAL_PID:-$TRACER_PID}" 2>/dev/null
	fi
	if ! wait_gone "$TRACER_PID" $((limit * 10)); then
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

# wait_ready BG DRIVER: wait (8 s at most) for the driver running as BG to
# print ready=1 into DRV_OUT; its pid= into DPID. 1, with the error, if not.
wait_ready() {
	local i

	for ((i = 0; i < 80; i++)); do
		grep -q '^ready=1' "$DRV_OUT" && break
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	DPID=$(kv "$DRV_OUT" pid)
	grep -q '^ready=1' "$DRV_OUT" && [ -n "$DPID" ] && return 0
	err "driver $2 did not get ready: $(tr '\n' ' ' <"$DRV_OUT.err")"
	return 1
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
	T_CE=$(tot .connect_error)
	T_BE=$(tot .bind_error)
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
	for n in T_SYN T_AO T_AE T_CE T_BE T_AQF T_SQF T_OTH T_SUP T_LOST; do
		case "${!n}" in
		'' | *[!0-9]*)
			[ "$ntot" = 0 ] || err "totals: $n is '${!n}'"
			T_SYN="?" T_AO="?" T_AE="?" T_CE="?" T_BE="?" T_AQF="?" T_SQF="?" T_OTH="?" T_SUP="?" T_LOST="?"
			return 0 ;;
		esac
	done
	case "$LD$LO" in
	*[!0-9]*)
		err "nstat unreadable (ListenDrops '$LD', ListenOverflows '$LO')"
		return 0 ;;
	esac

	promise_check "$T_SYN" "$T_AO" "$T_AQF" "$T_SQF" "$T_OTH" "$LD" "$LO"

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
	n=$(ev_count connect_error)
	[ "$n" = "$T_CE" ] || err "$n connect_error lines, totals.connect_error $T_CE"
	n=$(ev_count bind_error)
	[ "$n" = "$T_BE" ] || err "$n bind_error lines, totals.bind_error $T_BE"
	n=$(jqo 'select(.event != "start" and .event != "totals" and .event != "syn_drop"
		 and .event != "accept_overflow" and .event != "accept_error"
		 and .event != "connect_error" and .event != "bind_error") | .event' | sort -u | tr '\n' ' ')
	[ -z "$n" ] || err "unknown record kinds: $n"

	ino=$(ns_inode "$ns")
	ev_expect syn_drop netns "$ino"
	ev_expect accept_overflow netns "$ino"
	ev_expect accept_error netns "$ino"
	ev_expect connect_error netns "$ino"
	ev_expect bind_error netns "$ino"
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

# drops_by_member FIELD PIDKEY: each SO_REUSEPORT member i of the driver's
# output (members=N or workers=N) dropped member<i>_drops, and as many
# syn_drop records carry FIELD == <PIDKEY><i>. When two members drop at the
# same instant on two CPUs, the tracer cannot tell whose drop it saw
# first: it flags such records and counts them (totals.ambiguous); each
# can swap one drop between two members, nothing else may differ.
drops_by_member() {
	local field=$1 pidkey=$2 m i pid drops n amb off=0

	m=$(kv "$DRV_OUT" members)
	[ -n "$m" ] || m=$(kv "$DRV_OUT" workers)
	amb=$(tot .ambiguous)
	for ((i = 0; i < ${m:-0}; i++)); do
		pid=$(kv "$DRV_OUT" "$pidkey${i}_pid")
		drops=$(kv "$DRV_OUT" "member${i}_drops")
		n=$(ev_count syn_drop ".$field == $pid")
		off=$((off + (n > drops ? n - drops : drops - n)))
		[ "$n" = "$drops" ] || [ "${amb:-0}" != 0 ] ||
			err "member $i: $n syn_drop records with $field $pid, its listener dropped $drops"
	done
	[ "$off" -le $((2 * ${amb:-0})) ] ||
		err "members' records differ from their drops by $off, more than 2 x $amb ambiguous"
	n=$(ev_count syn_drop '.ambiguous == true')
	[ "$n" -le "${amb:-0}" ] || err "$n records flagged ambiguous, totals.ambiguous ${amb:-?}"
}

# scenario_setup VAR NAME: fresh state and a fresh namespace (its name in
# VAR); 1, with the verdict given, when there is none
scenario_setup() {
	local setup_ns

	reset_state || { verdict "$2" "setup"; return 1; }
	ns_new setup_ns tb || { verdict "$2" "setup"; return 1; }
	eval "$1=\$setup_ns"
}

# traced_run NS NAME DRIVER [ARGS...]: the tracer on NS while the driver
# runs to completion, then check_promise
traced_run() {
	local ns=$1 name=$2
	shift 2

	tracer_start "$ns" "$name"
	run_driver "$ns" "$name" "$@"
	tracer_stop
	check_promise "$ns"
}

# the drops were all accept-queue overflows, and there were some
expect_overflows_only() {
	[ "$LD" = "$LO" ] && [ "$LD" != 0 ] || err "scenario setup: expected ListenDrops == ListenOverflows > 0"
}

# overflow_scenario VAR NAME DRIVER [ARGS...]: scenario_setup, then
# traced_run of a driver that overflows accept queues, and nothing else
overflow_scenario() {
	local scenario_ns

	scenario_setup scenario_ns "$2" || return 1
	eval "$1=\$scenario_ns"
	shift
	traced_run "$scenario_ns" "$@"
	expect_overflows_only
}

# every SYN drop is the driver's listener's, of a listen(fd, 1) queue found full
expect_queue_full_drops() {
	check_listener_events syn_drop "$DRV_OUT"
	ev_expect syn_drop reason accept_queue_full
	ev_expect syn_drop backlog 2
	ev_expect syn_drop backlog_max 1
}

# verdict NAME SUMMARY: print PASS/FAIL for the scenario
verdict() {
	local name=$1 summary=$2

	if [ -z "$ERRS" ]; then
		pass "$name" "$summary"
	else
		fail "$name" "$(errs)"
		echo "    ($summary)"
		if [ -s "${TRACER_ERR:-/dev/null}" ]; then
			echo "    tracer stderr:"
			head -c 2000 "$TRACER_ERR" | sed 's/^/      /'
		fi
		if [ -s "${TRACER_OUT:-/dev/null}" ]; then
			echo "    tracer output, last lines:"
			tail -n 6 "$TRACER_OUT" | cut -c1-400 | sed 's/^/      /'
		fi
	fi
	ERRS=""
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
	ERRS=""
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

# ------------------------------------------- per-listener records (-i) --

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
	bg_add "$bg"
	wait_for_line "$bg" "$DRV_OUT" '^hold=1' $((DRIVER_TIMEOUT * 10)) 0.1
	dpid=$(kv "$DRV_OUT" pid)
	port=$(kv "$DRV_OUT" port)
	want=$(kv "$DRV_OUT" "$key")
	if grep -q '^hold=1' "$DRV_OUT" && [ -n "$dpid" ] && [ -n "$port" ] && [ -n "$want" ]; then
		i=0
		while [ "$i" -lt 50 ]; do
			i=$((i + 1))
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
	local before lines sup

	TRACER_FULL=$TRACER_OUT
	TRACER_EVENTS="$WORK/$2.events"
	if [ "$TRACER_OK" = 1 ] && ! jq -e . "$TRACER_FULL" >/dev/null 2>&1; then
		err "tracer output is not valid JSON Lines"
	fi
	jq -c 'select(.event != "listener" and .event != "hint" and .event != "suppressed"
		and .event != "destination" and .event != "destinations_omitted")' \
		"$TRACER_FULL" >"$TRACER_EVENTS" 2>/dev/null
	TRACER_OUT=$TRACER_EVENTS
	before=$ERRS
	ERRS=""
	check_promise "$1"
	TRACER_OUT=$TRACER_FULL
	case "$T_SUP" in
	'' | *[!0-9]* | 0)
		errs_prepend "$before"
		return 0 ;;
	esac

	# folded records: replace the per-kind line counts by the sum rule
	ERRS=$(printf '%s\n' "$ERRS" | grep -Ev '^[0-9]+ (syn_drop|accept_overflow|accept_error) lines')
	errs_prepend "$before"
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
