#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmarks of the tracer: overhead, exactness under a SYN flood, start
# time, memory, per-program cost; bpftrace side by side where it runs.
#
#   bench/run.sh TRACER BENCH_BIN_DIR
#
# Prints a table and writes it to BENCH_BIN_DIR/results.md. Needs root,
# ip(8), nstat, jq, bpftool; installs bpftrace when missing (its part is
# reported as not run if it cannot be installed or cannot attach).
#
# The machine is shared and noisy: every comparison alternates its
# configurations round by round and reports medians and the median of the
# per-round ratios, measured in this one run. Nothing here asserts a
# timing; the goals are reported against, not enforced.
#
# Environment (defaults): BENCH_ROUNDS=7 churn rounds, BENCH_CONNS=40000
# connections per churn run, BENCH_FLOOD_ROUNDS=3, BENCH_FLOOD_SECONDS=5,
# BENCH_FLOOD_MODES="aqf synq", BENCH_READY_RUNS=10, BENCH_BPFTRACE=1,
# BENCH_SYSCALL_ROUNDS=7, BENCH_SYSCALL_CALLS=2000000 (getppid loop),
# BENCH_SYSCALL_MIXED=200000 (iterations of the mixed loop),
# BENCH_SYSCALL_WAIT=120 (s to wait, per round, for other processes' syscall
# tracepoints to go: while one is attached, "no tracer" pays the tax too),
# BENCH_BASELINE= (another tcpbacklog binary, e.g. a build of an earlier
# commit: its churn, start and flood runs alternate with the others, for a
# change's effect measured side by side),
# BENCH_PARTS="churn ready syscall flood" (the parts to run, for quick
# iterations; the others are reported as not run).
#
# Floors: the configuration "empty" attaches, with bench/emptyprog, a
# program that returns at once to each hook the tracer runs on (churn: the
# probes of its start record; flood: its per-packet tracepoints). Its cost
# is the hooks' dispatch alone; the rest of the tracer's is its work.
#
# Traffic stays on loopback and on a veth pair between two namespaces of
# this run (198.18.0.1/24 and 198.18.0.2/24, spoofed source 198.18.0.3);
# every loop is bounded in count and time.

set -u

[ $# = 2 ] || { echo "usage: $0 TRACER BENCH_BIN_DIR" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tests/lib/harness.sh"
TRACER_SRC=$(abspath "$1")
BB=$(abspath "$2")

ROUNDS=${BENCH_ROUNDS:-7}
CONNS=${BENCH_CONNS:-40000}
FLOOD_ROUNDS=${BENCH_FLOOD_ROUNDS:-3}
FLOOD_SECONDS=${BENCH_FLOOD_SECONDS:-5}
FLOOD_MODES=${BENCH_FLOOD_MODES:-aqf synq}
READY_RUNS=${BENCH_READY_RUNS:-10}
SYS_ROUNDS=${BENCH_SYSCALL_ROUNDS:-7}
SYS_CALLS=${BENCH_SYSCALL_CALLS:-2000000}
SYS_MIXED=${BENCH_SYSCALL_MIXED:-200000}
SYS_WAIT=${BENCH_SYSCALL_WAIT:-120}
USE_BPFTRACE=${BENCH_BPFTRACE:-1}
BASE_TR=${BENCH_BASELINE:-}
PARTS=${BENCH_PARTS:-churn ready syscall flood}
for p in $PARTS; do
	case "$p" in
	churn | ready | syscall | flood) ;;
	*) echo "bench: unknown part $p in BENCH_PARTS (churn ready syscall flood)" >&2; exit 2 ;;
	esac
done

START_TIMEOUT=10	# s, tracer or bpftrace ready
STOP_TIMEOUT=15		# s, to exit after SIGINT
PORT=8080

RESULTS=$BB/results.md
work_dir_make tb-bench || exit 1

log() {
	echo "bench: $*" >&2
}

cleanup() {
	trap - EXIT INT TERM
	bg_stop_all INT 50
	ns_remove_all
	work_dir_remove 0
}
traps_set

# ------------------------------------------------------------ checks --

[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 1; }
# jq, bpftool, iproute2: the core packages, as make bench installs them first
for c in jq bpftool ip nstat; do
	command -v "$c" >/dev/null 2>&1 || { echo "bench: $c missing (scripts/install-deps.sh)" >&2; exit 1; }
done
BT_NOTE=""
if [ "$USE_BPFTRACE" = 1 ]; then
	"$HERE/../scripts/install-deps.sh" bench >/dev/null 2>&1 || BT_NOTE="bpftrace could not be installed"
	command -v bpftrace >/dev/null 2>&1 || BT_NOTE=${BT_NOTE:-"bpftrace missing"}
else
	BT_NOTE="skipped (BENCH_BPFTRACE=0)"
fi
for b in churn synflood holder ready linecount bpfstats emptyprog sysloop; do
	[ -x "$BB/$b" ] || { echo "bench: $BB/$b missing (make bench-build)" >&2; exit 1; }
done
[ -x "$TRACER_SRC" ] || { echo "bench: tracer $TRACER_SRC missing (make)" >&2; exit 1; }
if [ -n "$BASE_TR" ]; then
	BASE_TR=$(abspath "$BASE_TR")
	[ -x "$BASE_TR" ] || { echo "bench: BENCH_BASELINE=$BASE_TR is not an executable" >&2; exit 2; }
fi
# one binary for the whole run, even if it is rebuilt meanwhile
cp "$TRACER_SRC" "$WORK/tcpbacklog" || exit 1
TR=$WORK/tcpbacklog
HAS_RATE=0
"$TR" --help 2>&1 | grep -q -- '--rate-limit' && HAS_RATE=1
HAS_NO_SYSCALL_TPS=0
"$TR" --help 2>&1 | grep -q -- '--no-syscall-tracepoints' && HAS_NO_SYSCALL_TPS=1

# ----------------------------------------------------------- helpers --

# part NAME: 0 if NAME is in BENCH_PARTS
part() {
	case " $PARTS " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

# empty_start EMPTYPROG_ARGS...: empty programs on those hooks, held by EPID
EPID=""
empty_start() {
	"$BB/emptyprog" -t 600 "$@" >"$WORK/empty.out" 2>&1 &
	EPID=$!
	bg_add "$EPID"
	wait_for_line "$EPID" "$WORK/empty.out" '^ready=1' 100 0.05 && return 0
	log "emptyprog $*: $(cat "$WORK/empty.out")"
	empty_stop
	return 1
}

empty_stop() {
	[ -n "$EPID" ] || return 0
	bg_end "$EPID" TERM
	EPID=""
}

# empty_hooks PROBE...: emptyprog's options for the tracer's probes, as its
# start record names them (tp_btf/X, raw_tp/X: raw tracepoint X;
# tracepoint/C/N: classic C/N); others are left out, with a note
empty_hooks() {
	local p

	for p in "$@"; do
		case "$p" in
		tp_btf/* | raw_tp/* | raw_tracepoint/*) printf '%s\n' -r "${p#*/}" ;;
		tracepoint/* | tp/*) printf '%s\n' -T "${p#*/}" ;;
		*) log "empty programs: no floor for probe $p, left out" ;;
		esac
	done
}

# hooks_named EMPTYPROG_ARGS...: "raw a, b; classic c/d" for the report
hooks_named() {
	local raw="" classic=""

	while [ $# -ge 2 ]; do
		case "$1" in
		-r) raw="$raw${raw:+, }$2" ;;
		-T) classic="$classic${classic:+, }$2" ;;
		esac
		shift 2
	done
	echo "${raw:+raw tracepoints $raw}${raw:+${classic:+; }}${classic:+classic tracepoints $classic}"
}

# raw_tp_usable NAME: 0 if an empty program attaches to raw tracepoint NAME
raw_tp_usable() {
	empty_start -r "$1" 2>/dev/null || return 1
	empty_stop
}

# cpu_ticks PID: utime + stime in clock ticks
cpu_ticks() {
	sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'
}

median() {
	sort -g | awk '{ v[NR] = $1 } END { if (!NR) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# prog_stats FILE: run_time_ns/run_cnt of the tracer's programs, by id
prog_stats() {
	local id

	for id in $(bpf_ids "$TPID" prog_id); do
		bpftool -j prog show id "$id" 2>/dev/null
	done | jq -s 'map({(.id | tostring): {name, run_time_ns: (.run_time_ns // 0), run_cnt: (.run_cnt // 0)}}) | add' \
		>"$1" 2>/dev/null
}

# prog_costs ELAPSED_S: per-program cost from the two bpftool readings
prog_costs() {
	jq -n -r --slurpfile a "$WORK/stats0.json" --slurpfile b "$WORK/stats1.json" --arg el "${1:-0}" '
		$b[0] | to_entries | map(. as $e | ($a[0][$e.key] // {run_time_ns: 0, run_cnt: 0}) as $o |
		  {name: $e.value.name, cnt: ($e.value.run_cnt - $o.run_cnt),
		   ns: ($e.value.run_time_ns - $o.run_time_ns)})
		| map(select(.cnt > 0)) | sort_by(-.ns)[]
		| "| \(.name) | \(.cnt) | \(.ns / .cnt | floor) | \((.ns / 1e6) | floor) | \(if ($el | tonumber) > 0 then (.ns / ($el | tonumber) / 1e7 * 10 | floor) / 10 | tostring else "?" end) |"' 2>/dev/null
}

# stats_on / stats_off: the kernel's BPF statistics for one run, through a
# reference of our own (bench/bpfstats), not the shared sysctl
STATS_PID=""
stats_on() {
	"$BB/bpfstats" -t 300 >"$WORK/bpfstats.out" 2>&1 &
	STATS_PID=$!
	bg_add "$STATS_PID"
	wait_for_line "$STATS_PID" "$WORK/bpfstats.out" '^ready=1' 50 0.02 && return 0
	log "BPF statistics not available: $(cat "$WORK/bpfstats.out")"
}

stats_off() {
	bg_end "$STATS_PID" TERM
	STATS_PID=""
}

# tracer_start OUT ARGS...: tracer --json ARGS, stdout through linecount
# into OUT; TPID, LCPID; 0 once the start record is there
TPID="" LCPID=""
tracer_start() {
	local out=$1
	shift

	rm -f "$WORK/fifo"
	mkfifo "$WORK/fifo" || return 1
	# emptied here, not by the background job's redirection: that one may
	# come late, and the wait below would find the last run's start record
	: >"$out"
	"$BB/linecount" <"$WORK/fifo" >"$out" &
	LCPID=$!
	bg_add "$LCPID"
	"${TR_RUN:-$TR}" --json "$@" >"$WORK/fifo" 2>"$out.err" &
	TPID=$!
	bg_add "$TPID"
	wait_for_line "$TPID" "$out" '^\{"event":"start"' $((START_TIMEOUT * 20)) 0.05 && return 0
	log "tracer did not start: $(head -c 500 "$out.err")"
	tracer_stop
	return 1
}

# tracer_stop: SIGINT, bounded wait; TRC exit status
tracer_stop() {
	TRC=""
	[ -n "$TPID" ] || return 0
	kill -INT "$TPID" 2>/dev/null
	wait_gone "$TPID" $((STOP_TIMEOUT * 10)) || { log "tracer hung after SIGINT, killed"; kill -KILL "$TPID"; }
	wait "$TPID" 2>/dev/null
	TRC=$?
	bg_done "$TPID"
	stop_pid "$LCPID" none 50
	bg_done "$LCPID"
	TPID="" LCPID=""
}

# the bpftrace peer: the same hooks, tracepoints only, counting in maps
BT_SCRIPT='
tracepoint:sock:inet_sock_set_state /args->protocol == 6/ { @state[args->newstate] = count(); }
tracepoint:skb:consume_skb { @consumed = count(); }
tracepoint:skb:kfree_skb /args->protocol == 0x0800 || args->protocol == 0x86dd/ { @drop[args->reason] = count(); }
tracepoint:syscalls:sys_exit_accept4 /args->ret < 0/ { @accept_err[-args->ret] = count(); }
tracepoint:syscalls:sys_exit_accept /args->ret < 0/ { @accept_err[-args->ret] = count(); }
'
BTPID=""
bpftrace_start() {
	local out=$1

	: >"$out"	# now, not late in the background job (see tracer_start)
	bpftrace -e "$BT_SCRIPT" >"$out" 2>&1 &
	BTPID=$!
	bg_add "$BTPID"
	# bpftrace compiles with LLVM: slow start
	wait_for_line "$BTPID" "$out" '^Attaching' $((30 * 20)) 0.05 && { sleep 0.2; return 0; }
	bpftrace_stop
	return 1
}

bpftrace_stop() {
	[ -n "$BTPID" ] || return 0
	stop_pid "$BTPID" INT $((STOP_TIMEOUT * 10))
	bg_done "$BTPID"
	BTPID=""
}

# totals_check FILE NSTAT_LISTENDROPS: the two promises ("-": only records +
# suppressed + lost == totals, for a tracer of every namespace); sets TOT_* and CHECK
totals_check() {
	local f=$1 ld=$2 lines

	TOT_SYN=$(jq -r 'select(.event == "totals") | .syn_drop' "$f" 2>/dev/null | tail -n1)
	TOT_AO=$(jq -r 'select(.event == "totals") | .accept_overflow' "$f" 2>/dev/null | tail -n1)
	TOT_AE=$(jq -r 'select(.event == "totals") | .accept_error' "$f" 2>/dev/null | tail -n1)
	TOT_SUP=$(jq -r 'select(.event == "totals") | .suppressed' "$f" 2>/dev/null | tail -n1)
	TOT_LOST=$(jq -r 'select(.event == "totals") | .lost' "$f" 2>/dev/null | tail -n1)
	lines=$(jq -r 'select(.event == "linecount") | .syn_drop + .accept_overflow + .accept_error' "$f" 2>/dev/null | tail -n1)
	LINES=${lines:-?}
	CHECK=ok
	case "$TOT_SYN$TOT_AO$TOT_AE$TOT_SUP$TOT_LOST$lines" in
	'' | *[!0-9]*) CHECK="no totals"; return ;;
	esac
	TOT_DROPS=$((TOT_SYN + TOT_AO))
	[ "$ld" = - ] || [ "$TOT_DROPS" = "$ld" ] || CHECK="syn_drop+accept_overflow $TOT_DROPS != ListenDrops $ld"
	if [ $((lines + TOT_SUP + TOT_LOST)) != $((TOT_SYN + TOT_AO + TOT_AE)) ]; then
		[ "$CHECK" = ok ] && CHECK="" || CHECK="$CHECK; "
		CHECK="${CHECK}lines $lines + suppressed $TOT_SUP + lost $TOT_LOST != totals $((TOT_SYN + TOT_AO + TOT_AE))"
	fi
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0 && a != "nan") printf "%.3f", a / b; else print "n/a" }'
}

# with_unit VALUE DECIMALS UNIT: "12.3 ms", or "not run" for no value
with_unit() {
	[ -n "$1" ] && echo "$(fmt "$1" "$2") $3" || echo "not run"
}

fmt() {
	awk -v a="$1" -v d="${2:-0}" 'BEGIN { if (a == "" || a == "nan" || a == "n/a") print "n/a"; else printf "%.*f", d, a }'
}

# --------------------------------------------------------- environment --

OTHER_PROGS=$(bpftool prog show -j 2>/dev/null | jq '[.[] | select(.type == "tracing" or .type == "tracepoint" or .type == "raw_tracepoint" or .type == "kprobe")] | length' 2>/dev/null)
OTHER_TRACERS=$(pgrep -c -x tcpbacklog 2>/dev/null)
log "kernel $(uname -r), $(nproc) CPUs; tracing programs already loaded by others: ${OTHER_PROGS:-?} (tcpbacklog processes: ${OTHER_TRACERS:-0})"
log "parts: $PARTS"

if [ -z "$BT_NOTE" ]; then
	if bpftrace_start "$WORK/bt.probe"; then
		bpftrace_stop
	else
		BT_NOTE="bpftrace could not attach: $(grep -v '^$' "$WORK/bt.probe" | head -n 3 | tr '\n' ' ')"
	fi
fi

# ------------------------------------------------------------- churn --

# churn_once CONFIG: one run in a fresh namespace; prints conns/s and, for
# a tracer, "cpu_ms" of the tracer during the run
CH_RATE="" CH_CPU=""
churn_once() {
	local cfg=$1 stats=${2:-0} ns out t0 t1

	CH_RATE="nan" CH_CPU="" CH_EL=0
	ns_new ns tbb || return 1
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
	case "$cfg" in
	tcpbacklog | baseline)
		TR_RUN=$TR
		[ "$cfg" = baseline ] && TR_RUN=$BASE_TR
		tracer_start "$WORK/churn.tracer" || { TR_RUN=""; ns_del "$ns"; return 1; }
		TR_RUN=""
		t0=$(cpu_ticks "$TPID")
		[ "$stats" = 1 ] && prog_stats "$WORK/stats0.json" ;;
	bpftrace)
		bpftrace_start "$WORK/churn.bpftrace" || { ns_del "$ns"; return 1; }
		t0=$(cpu_ticks "$BTPID") ;;
	empty)
		empty_start "${CHURN_EMPTY_ARGS[@]}" || { ns_del "$ns"; return 1; } ;;
	esac
	out=$(timeout -k 2 120 ip netns exec "$ns" "$BB/churn" -n "$CONNS" -w -t 60)
	CH_RATE=$(printf '%s\n' "$out" | sed -n 's/^conns_per_s=//p')
	CH_EL=$(printf '%s\n' "$out" | sed -n 's/^elapsed_s=//p')
	case "$cfg" in
	tcpbacklog | baseline)
		t1=$(cpu_ticks "$TPID")
		CH_CPU=$(( (t1 - t0) * 1000 / $(getconf CLK_TCK) ))
		[ "$stats" = 1 ] && prog_stats "$WORK/stats1.json"
		tracer_stop
		# every namespace: others' drops on the host count too
		totals_check "$WORK/churn.tracer" -
		[ "$TRC" = 0 ] || CHECK="exit status $TRC"
		[ "$CHECK" = ok ] || log "churn: tracer: $CHECK" ;;
	bpftrace)
		t1=$(cpu_ticks "$BTPID")
		CH_CPU=$(( (t1 - t0) * 1000 / $(getconf CLK_TCK) ))
		bpftrace_stop ;;
	empty)
		empty_stop ;;
	esac
	ns_del "$ns"
	[ -n "$CH_RATE" ] || CH_RATE=nan
}

# the floor: empty programs on the probes the tracer's start record names
churn_hooks() {
	local probes

	tracer_start "$WORK/probes.tracer" || return 1
	tracer_stop
	probes=$(jq -r 'select(.event == "start") | .probes[]' "$WORK/probes.tracer" 2>/dev/null)
	[ -n "$probes" ] || { log "churn: no probes in the tracer's start record"; return 1; }
	# shellcheck disable=SC2086 # one probe a word
	mapfile -t CHURN_EMPTY_ARGS < <(empty_hooks $probes)
	[ ${#CHURN_EMPTY_ARGS[@]} -gt 0 ]
}

declare -A CH_RATES CH_CPUS CH_RR
CHURN_EMPTY_ARGS=()
CH_EMPTY_NOTE="not run (BENCH_PARTS)"
if part churn; then
	CONFIGS=(none tcpbacklog)
	[ -z "$BASE_TR" ] || CONFIGS+=(baseline)
	CH_EMPTY_NOTE="not run: the tracer's probes could not be read"
	if churn_hooks; then
		if empty_start "${CHURN_EMPTY_ARGS[@]}"; then
			empty_stop
			CONFIGS+=(empty)
			CH_EMPTY_NOTE=""
		else
			CH_EMPTY_NOTE="not run: emptyprog could not attach ${CHURN_EMPTY_ARGS[*]}"
		fi
	fi
	[ -z "$BT_NOTE" ] && CONFIGS+=(bpftrace)
	log "churn: $ROUNDS rounds x ${CONFIGS[*]}, $CONNS connections per run${CH_EMPTY_NOTE:+; empty programs $CH_EMPTY_NOTE}"
	for ((r = 0; r < ROUNDS; r++)); do
		declare -A this=()
		n=${#CONFIGS[@]}
		for ((k = 0; k < n; k++)); do
			# rotate the order each round: no configuration always runs first
			cfg=${CONFIGS[$(((k + r) % n))]}
			churn_once "$cfg"
			this[$cfg]=$CH_RATE
			CH_RATES[$cfg]="${CH_RATES[$cfg]:-} $CH_RATE"
			[ -z "$CH_CPU" ] || CH_CPUS[$cfg]="${CH_CPUS[$cfg]:-} $CH_CPU"
		done
		line=""
		for cfg in "${CONFIGS[@]}"; do
			CH_RR[$cfg]="${CH_RR[$cfg]:-} $(ratio "${this[$cfg]}" "${this[none]}")"
			line="$line $cfg ${this[$cfg]}"
		done
		log "churn round $((r + 1)) (conn/s):$line"
		unset this
	done

	# one more tracer run with the kernel's BPF statistics on: per-program cost
	stats_on
	churn_once tcpbacklog 1
	stats_off
	CHURN_PROG_ROWS=$(prog_costs "$CH_EL")
	CHURN_STATS_RATE=$CH_RATE
fi

med_rate() { printf '%s\n' ${CH_RATES[$1]:-} | grep -v nan | median; }
# med_rr CFG: median of CFG's per-round ratios to no tracer
med_rr() { printf '%s\n' ${CH_RR[$1]:-} | grep -v -e nan -e n/a | median; }
med_cpu() { printf '%s\n' ${CH_CPUS[$1]:-} | median; }

# --------------------------------------------------- start time, RSS --

READY_RUNS_TB="" READY_RUNS_BASE="" READY_HWM=0 READY_HWM_BASE=0 READY_FAIL=0 READY_FAIL_BASE=0
READY_MS="" READY_MAX="" READY_MS_BASE="" BT_READY_MS="" BT_READY_HWM=""
if part ready; then
	log "ready: $READY_RUNS starts${BASE_TR:+, alternating with the baseline}"
	# one start at a time, the baseline's in between: both see the same machine
	for ((r = 0; r < READY_RUNS; r++)); do
		for who in tcpbacklog baseline; do
			bin=$TR
			if [ "$who" = baseline ]; then
				[ -n "$BASE_TR" ] || continue
				bin=$BASE_TR
			fi
			line=$("$BB/ready" -n 1 -- "$bin" --json 2>&1 | grep '^run=')
			ms=$(printf '%s\n' "$line" | sed -n 's/.* ready_ms=\([^ ]*\).*/\1/p')
			hwm=$(printf '%s\n' "$line" | sed -n 's/.* hwm_kb=\([0-9]*\).*/\1/p')
			case "$ms" in
			'' | -*)
				[ "$who" = baseline ] && READY_FAIL_BASE=$((READY_FAIL_BASE + 1)) || READY_FAIL=$((READY_FAIL + 1))
				continue ;;
			esac
			if [ "$who" = baseline ]; then
				READY_RUNS_BASE="$READY_RUNS_BASE $ms"
				[ "${hwm:-0}" -le "$READY_HWM_BASE" ] || READY_HWM_BASE=$hwm
			else
				READY_RUNS_TB="$READY_RUNS_TB $ms"
				[ "${hwm:-0}" -le "$READY_HWM" ] || READY_HWM=$hwm
			fi
		done
	done
	READY_MS=$(printf '%s\n' $READY_RUNS_TB | median)
	READY_MAX=$(printf '%s\n' $READY_RUNS_TB | sort -g | tail -n1)
	READY_MS_BASE=$(printf '%s\n' $READY_RUNS_BASE | median)
	# the peer, to its "Attaching N probes..." line (it compiles its script with LLVM first)
	if [ -z "$BT_NOTE" ]; then
		log "ready: $READY_RUNS bpftrace starts"
		READY_OUT=$("$BB/ready" -n "$READY_RUNS" -p Attaching -- bpftrace -e "$BT_SCRIPT" 2>&1)
		BT_READY_MS=$(printf '%s\n' "$READY_OUT" | sed -n 's/^ready_ms_median=//p')
		BT_READY_HWM=$(printf '%s\n' "$READY_OUT" | sed -n 's/^hwm_kb_max=//p')
	fi
fi

# ------------------------------------------------------- syscall tax --

# What every syscall of every process pays while a mechanism is attached:
# a syscall tracepoint sets the syscall-tracing work flag on every task.
# The floors: an empty program on one syscall tracepoint, on the raw
# sys_exit tracepoint; then the tracer (and without its syscall
# tracepoints) and bpftrace on the same tracepoints as the tracer.
# sys_once CFG: SYS_G, SYS_M ns per syscall of the two loops with CFG attached
SYS_G="" SYS_M=""
sys_once() {
	local cfg=$1

	SYS_G=nan SYS_M=nan
	case "$cfg" in
	none) ;;
	tp1) empty_start -T syscalls/sys_exit_accept4 || return 1 ;;
	rawexit) empty_start -r sys_exit || return 1 ;;
	tcpbacklog) tracer_start "$WORK/sys.tracer" || return 1 ;;
	nosyscalltps) tracer_start "$WORK/sys.tracer" --no-syscall-tracepoints || return 1 ;;
	bpftrace) bpftrace_start "$WORK/sys.bpftrace" || return 1 ;;
	esac
	SYS_G=$("$BB/sysloop" -n "$SYS_CALLS" -w getppid | sed -n 's/^ns_per_syscall=//p')
	SYS_M=$("$BB/sysloop" -n "$SYS_MIXED" -w mixed | sed -n 's/^ns_per_syscall=//p')
	case "$cfg" in
	tp1 | rawexit) empty_stop ;;
	tcpbacklog | nosyscalltps) tracer_stop ;;
	bpftrace) bpftrace_stop ;;
	esac
	[ -n "$SYS_G" ] || SYS_G=nan
	[ -n "$SYS_M" ] || SYS_M=nan
}

# syscall tracepoints others hold (bpftool perf: classic and raw ones)
others_syscall_tps() {
	bpftool -j perf 2>/dev/null |
		jq '[.[] | select((.tracepoint // "") | test("^sys_(enter|exit)"))] | length' 2>/dev/null || echo "?"
}

# quiet_wait: up to SYS_WAIT s until nobody holds a syscall tracepoint; 0 then
quiet_wait() {
	local i n

	for ((i = 0; i <= SYS_WAIT; i++)); do
		n=$(others_syscall_tps)
		[ "$n" = 0 ] && return 0
		[ "$i" = 0 ] && log "syscall tax: $n syscall tracepoint(s) held by other processes, waiting up to ${SYS_WAIT}s"
		sleep 1
	done
	return 1
}

declare -A SYS_RES
SYS_CONFIGS=()
SYS_DIRTY=0
if part syscall; then
	SYS_CONFIGS=(none tp1 rawexit tcpbacklog)
	[ "$HAS_NO_SYSCALL_TPS" = 1 ] && SYS_CONFIGS+=(nosyscalltps)
	[ -z "$BT_NOTE" ] && SYS_CONFIGS+=(bpftrace)
	log "syscall tax: $SYS_ROUNDS rounds x ${SYS_CONFIGS[*]}, $SYS_CALLS getppid() + $SYS_MIXED mixed iterations per run"
	for ((r = 0; r < SYS_ROUNDS; r++)); do
		declare -A this_g=() this_m=()
		quiet_wait || { SYS_DIRTY=$((SYS_DIRTY + 1)); log "syscall tax round $((r + 1)): others' syscall tracepoints attached, the round counts as disturbed"; }
		n=${#SYS_CONFIGS[@]}
		for ((k = 0; k < n; k++)); do
			cfg=${SYS_CONFIGS[$(((k + r) % n))]}
			sys_once "$cfg"
			this_g[$cfg]=$SYS_G
			this_m[$cfg]=$SYS_M
			SYS_RES[$cfg.g]="${SYS_RES[$cfg.g]:-} $SYS_G"
			SYS_RES[$cfg.m]="${SYS_RES[$cfg.m]:-} $SYS_M"
		done
		for cfg in "${SYS_CONFIGS[@]}"; do
			SYS_RES[$cfg.gr]="${SYS_RES[$cfg.gr]:-} $(ratio "${this_g[$cfg]}" "${this_g[none]}")"
			SYS_RES[$cfg.mr]="${SYS_RES[$cfg.mr]:-} $(ratio "${this_m[$cfg]}" "${this_m[none]}")"
		done
		line=""
		for cfg in "${SYS_CONFIGS[@]}"; do line="$line $cfg ${this_g[$cfg]}/${this_m[$cfg]}"; done
		log "syscall tax round $((r + 1)) (ns per syscall, getppid/mixed):$line"
		unset this_g this_m
	done
fi

# sys_med KEY: median of the numbers in SYS_RES[KEY]
sys_med() { printf '%s\n' ${SYS_RES[$1]:-} | grep -v -e nan -e n/a | median; }
# pct RATIO: "+12.3 %"
pct() { awk -v r="$1" 'BEGIN { if (r == "" || r == "nan") print "n/a"; else printf "%+.1f %%", (r - 1) * 100 }'; }

# ------------------------------------------------------------ flood --

# two namespaces joined by a veth pair; A listens, B floods
flood_setup() {
	ns_new NSA tbb || return 1
	ns_new NSB tbb || return 1
	ip link add "tbA$$" netns "$NSA" type veth peer name "tbB$$" netns "$NSB" || return 1
	ip -n "$NSA" link set "tbA$$" name vA || return 1
	ip -n "$NSB" link set "tbB$$" name vB || return 1
	ip -n "$NSA" addr add 198.18.0.1/24 dev vA || return 1
	ip -n "$NSB" addr add 198.18.0.2/24 dev vB || return 1
	ip -n "$NSA" link set vA up || return 1
	ip -n "$NSB" link set vB up || return 1
	MAC_A=$(ip -n "$NSA" -j link show vA | jq -r '.[0].address')
}

# holder_start MODE: the listener in A (aqf: accept queue filled first)
HPID=""
holder_start() {
	local mode=$1 fill=0

	if [ "$mode" = aqf ]; then
		fill=2
		ip netns exec "$NSA" sysctl -qw net.ipv4.tcp_syncookies=1
	else
		ip netns exec "$NSA" sysctl -qw net.ipv4.tcp_syncookies=0
	fi
	ip netns exec "$NSA" "$BB/holder" -a 198.18.0.1 -p "$PORT" -b 1 -f "$fill" -t 900 \
		>"$WORK/holder.out" 2>"$WORK/holder.err" &
	HPID=$!
	bg_add "$HPID"
	wait_for_line "$HPID" "$WORK/holder.out" '^ready=1' 100 0.05 && return 0
	log "holder did not start: $(cat "$WORK/holder.err")"
	return 1
}

holder_stop() {
	bg_end "$HPID" TERM
	HPID=""
}

mib_sum() {
	# SYNs the listener's namespace handled: dropped (ListenDrops) or
	# answered with a cookie (SyncookiesSent)
	echo $(( $(nstat_get "$NSA" TcpExtListenDrops 0) + $(nstat_get "$NSA" TcpExtSyncookiesSent 0) ))
}

# mib_settle: wait until the listener's namespace has made no listen drop
# for 1.2 s, at most about 5 s. About a second after a flood into a full
# SYN queue, the request sockets' timers count two more drops. A tracer
# started then counts them, and the nstat window read after its start
# record does not.
mib_settle() {
	local a b i

	a=$(nstat_get "$NSA" TcpExtListenDrops 0)
	for ((i = 0; i < 4; i++)); do
		sleep 1.2
		b=$(nstat_get "$NSA" TcpExtListenDrops 0)
		[ "$a" = "$b" ] && return 0
		a=$b
	done
	log "flood: ListenDrops still moving before a run ($a)"
}

# flood_once MODE CFG [STATS]: CFG none, rl (default rate limit), rl0
# (--rate-limit 0), base (the baseline, default rate limit), empty (empty
# programs on the per-packet hooks), bt (bpftrace); STATS=1: kernel BPF
# statistics of the tracer's programs
FL_PPS="" FL_SENT="" FL_CPU="" FL_HWM="" FL_CHECK="" FL_LINES="" FL_DROPS="" FL_LD=""
flood_once() {
	local mode=$1 cfg=$2 stats=${3:-0} ldp ld0 ld1 ldx m0 m1 t0 t1 out el
	local args=(-n "/var/run/netns/$NSA")

	FL_PPS=nan FL_SENT="" FL_CPU="" FL_HWM="" FL_CHECK="" FL_LINES="" FL_DROPS="" FL_LD="" FL_EL=0
	case "$cfg" in
	rl0) args+=(--rate-limit 0) ;;
	esac
	mib_settle
	ldp=$(nstat_get "$NSA" TcpExtListenDrops 0)
	case "$cfg" in
	none) ;;
	bt) bpftrace_start "$WORK/flood.bpftrace" || { FL_CHECK="bpftrace did not start"; return 1; } ;;
	empty) empty_start "${FLOOD_EMPTY_ARGS[@]}" || { FL_CHECK="emptyprog did not start"; return 1; } ;;
	*)
		[ "$cfg" = base ] && TR_RUN=$BASE_TR
		tracer_start "$WORK/flood.tracer" "${args[@]}" || { TR_RUN=""; FL_CHECK="tracer did not start"; return 1; }
		TR_RUN="" ;;
	esac
	ld0=$(nstat_get "$NSA" TcpExtListenDrops 0)
	[ "$ldp" = "$ld0" ] || echo "$mode $cfg: ListenDrops grew by $((ld0 - ldp)) while the tracer started" \
		>>"$BB/flood-mismatches.log"
	m0=$(mib_sum)
	[ -z "$TPID" ] || t0=$(cpu_ticks "$TPID")
	[ -z "$BTPID" ] || t0=$(cpu_ticks "$BTPID")
	[ "$stats" = 1 ] && prog_stats "$WORK/stats0.json"
	out=$(timeout -k 2 $((FLOOD_SECONDS + 30)) ip netns exec "$NSB" "$BB/synflood" -i vB -m "$MAC_A" \
		-s 198.18.0.3 -d 198.18.0.1 -p "$PORT" -t "$FLOOD_SECONDS" 2>&1)
	m1=$(mib_sum)
	el=$(printf '%s\n' "$out" | sed -n 's/^elapsed_s=//p')
	FL_SENT=$(printf '%s\n' "$out" | sed -n 's/^pps=//p')
	[ -n "$el" ] || { log "synflood failed: $out"; el=0; }
	FL_PPS=$(awk -v d=$((m1 - m0)) -v t="$el" 'BEGIN { if (t > 0) printf "%.0f", d / t; else print "nan" }')
	FL_EL=$el
	empty_stop
	if [ -n "$BTPID" ]; then
		t1=$(cpu_ticks "$BTPID")
		FL_CPU=$(awk -v c=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v t="$el" \
			'BEGIN { if (t > 0) printf "%.1f", 100 * c / hz / t; else print "nan" }')
		FL_HWM=$(status_kb "$BTPID" VmHWM "")
		bpftrace_stop
	fi
	if [ -n "$TPID" ]; then
		t1=$(cpu_ticks "$TPID")
		FL_CPU=$(awk -v c=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v t="$el" \
			'BEGIN { if (t > 0) printf "%.1f", 100 * c / hz / t; else print "nan" }')
		FL_HWM=$(status_kb "$TPID" VmHWM "")
		[ "$stats" = 1 ] && prog_stats "$WORK/stats1.json"
		# the flood's late drops (see mib_settle) inside the tracer's
		# window; the last records reach the ring buffer reader
		mib_settle
		ldx=$(nstat_get "$NSA" TcpExtListenDrops 0)
		tracer_stop
		ld1=$(nstat_get "$NSA" TcpExtListenDrops 0)
		[ "$ldx" = "$ld1" ] || echo "$mode $cfg: ListenDrops grew by $((ld1 - ldx)) while the tracer stopped" \
			>>"$BB/flood-mismatches.log"
		FL_LD=$((ld1 - ld0))
		totals_check "$WORK/flood.tracer" "$FL_LD"
		# keep what the tracer said when it disagrees, for a look afterwards
		[ "$CHECK" = ok ] || { echo "$mode $cfg nstat $FL_LD: $CHECK"; grep '"event":"totals"' "$WORK/flood.tracer"; } \
			>>"$BB/flood-mismatches.log"
		[ "$TRC" = 0 ] || CHECK="exit status $TRC; $CHECK"
		FL_CHECK=$CHECK
		FL_LINES=$LINES
		FL_DROPS=${TOT_DROPS:-?}
		FL_SUP=${TOT_SUP:-?}
		FL_LOST=${TOT_LOST:-?}
	fi
	return 0
}


declare -A FL_RES
PROG_ROWS=""
EXACT_ALL=ok
FLOOD_EMPTY_HOOKS="consume_skb kfree_skb tcp_retransmit_synack sk_data_ready"
FLOOD_EMPTY_NAMES=""
if ! part flood; then
	EXACT_ALL="not run"
elif flood_setup; then
	CFGS=(none rl)
	[ "$HAS_RATE" = 1 ] && CFGS+=(rl0)
	[ -z "$BASE_TR" ] || CFGS+=(base)
	# the floor: empty programs on the tracepoints the tracer runs on per
	# SYN, those of them this kernel has
	FLOOD_EMPTY_ARGS=()
	for h in $FLOOD_EMPTY_HOOKS; do
		if raw_tp_usable "$h"; then
			FLOOD_EMPTY_ARGS+=(-r "$h")
			FLOOD_EMPTY_NAMES="$FLOOD_EMPTY_NAMES${FLOOD_EMPTY_NAMES:+, }$h"
		else
			log "flood: no raw tracepoint $h here, no empty program on it"
		fi
	done
	[ ${#FLOOD_EMPTY_ARGS[@]} = 0 ] || CFGS+=(empty)
	# the peer on the same flood, where it runs
	[ -z "$BT_NOTE" ] && CFGS+=(bt)
	for mode in $FLOOD_MODES; do
		holder_start "$mode" || continue
		# one unmeasured run first: the first flood after the listener
		# starts is slower (caches, the namespace's first request socks),
		# and in one round it would always be "none"'s
		timeout -k 2 $((FLOOD_SECONDS + 30)) ip netns exec "$NSB" "$BB/synflood" -i vB -m "$MAC_A" \
			-s 198.18.0.3 -d 198.18.0.1 -p "$PORT" -t 2 >/dev/null 2>&1
		log "flood $mode: $FLOOD_ROUNDS rounds x ${CFGS[*]}, ${FLOOD_SECONDS}s each"
		for ((r = 0; r < FLOOD_ROUNDS; r++)); do
			n=${#CFGS[@]}
			for ((k = 0; k < n; k++)); do
				cfg=${CFGS[$(((k + r) % n))]}
				flood_once "$mode" "$cfg"
				FL_RES[$mode.$cfg.pps]="${FL_RES[$mode.$cfg.pps]:-} $FL_PPS"
				FL_RES[$mode.$cfg.sent]="${FL_RES[$mode.$cfg.sent]:-} $FL_SENT"
				if [ "$cfg" != none ] && [ "$cfg" != empty ]; then
					FL_RES[$mode.$cfg.cpu]="${FL_RES[$mode.$cfg.cpu]:-} $FL_CPU"
					FL_RES[$mode.$cfg.hwm]="${FL_RES[$mode.$cfg.hwm]:-} $FL_HWM"
				fi
				if [ "$cfg" != none ] && [ "$cfg" != bt ] && [ "$cfg" != empty ]; then
					FL_RES[$mode.$cfg.exact]="${FL_RES[$mode.$cfg.exact]:-}${FL_RES[$mode.$cfg.exact]:+; }$FL_DROPS/$FL_LD $FL_CHECK"
					FL_RES[$mode.$cfg.lines]="${FL_RES[$mode.$cfg.lines]:-} $FL_LINES/$FL_SUP/$FL_LOST"
					[ "$FL_CHECK" = ok ] || EXACT_ALL="not exact"
				fi
				log "flood $mode round $((r + 1)) $cfg: ${FL_PPS} SYN/s handled (sent ${FL_SENT}/s)${FL_CHECK:+, tracer $FL_DROPS vs nstat $FL_LD: $FL_CHECK, lines/suppressed/lost $FL_LINES/$FL_SUP/$FL_LOST}${FL_CPU:+, cpu ${FL_CPU}%}"
			done
		done
		# one more run with the kernel's BPF statistics on: per-program cost
		if [ "$mode" = aqf ]; then
			stats_on
			flood_once "$mode" rl 1
			stats_off
			PROG_ROWS=$(prog_costs "$FL_EL")
			STATS_PPS=$FL_PPS
		fi
		holder_stop
	done
else
	log "flood setup failed"
	EXACT_ALL="not run (flood setup failed)"
fi

# ----------------------------------------------------------- report --

fl_med() { printf '%s\n' ${FL_RES[$1]:-} | grep -v nan | median; }

# floor_share FLOOR_RATIO TRACER_RATIO: the floor's and the tracer's costs
# (1 - ratio to no tracer) and the floor's share of the tracer's
floor_share() {
	awk -v f="$1" -v t="$2" 'BEGIN {
		if (f == "" || t == "" || f == "nan" || t == "nan" || f == "n/a" || t == "n/a") { print "n/a"; exit }
		cf = (1 - f) * 100; ct = (1 - t) * 100
		printf "the hooks with empty programs cost %.1f %%, the tracer %.1f %%", cf, ct
		# noise can put the floor below nothing or above the tracer: no split then
		if (cf < 0 || cf > ct) printf " (within the noise: no split)"
		else if (ct >= 1) printf ": dispatch is about %.0f %% of the tracer'"'"'s cost, its work the rest", 100 * cf / ct
		else printf " (too small to split)"
	}'
}

not_run() {
	echo "Not run (BENCH_PARTS=\"$PARTS\")."
}

report_churn() {
	local base_label="" cfg label goal line

	echo "## Connection churn (loopback, fresh namespace per run, $CONNS connect/accept/close per run, $ROUNDS rounds)"
	echo
	part churn || { not_run; return; }
	[ -z "$BASE_TR" ] || base_label="baseline: $BASE_TR ($("$BASE_TR" --version 2>/dev/null | head -n1))"
	echo "| configuration | conn/s (median) | ratio of medians | median of per-round ratios | tracer CPU per run (ms, median) | goal |"
	echo "|---|---|---|---|---|---|"
	echo "| no tracer | $(fmt "$(med_rate none)") | 1 | 1 | - | |"
	for cfg in tcpbacklog empty baseline bpftrace; do
		case "$cfg" in
		tcpbacklog) label="tcpbacklog (all namespaces)"; goal=">= 0.98" ;;
		empty) label="empty programs on the tracer's hooks (floor)"; goal="" ;;
		baseline) [ -n "$BASE_TR" ] || continue; label=$base_label; goal="" ;;
		bpftrace) label="bpftrace (tracepoints, counting)"; goal="(peer)" ;;
		esac
		if [ -z "${CH_RATES[$cfg]:-}" ]; then
			case "$cfg" in
			empty) echo "| $label | $CH_EMPTY_NOTE | | | | |" ;;
			bpftrace) echo "| bpftrace | not run: $BT_NOTE | | | | |" ;;
			*) echo "| $label | not run | | | | |" ;;
			esac
			continue
		fi
		echo "| $label | $(fmt "$(med_rate "$cfg")") | $(ratio "$(med_rate "$cfg")" "$(med_rate none)") | $(fmt "$(med_rr "$cfg")" 3) | $( [ "$cfg" = empty ] && echo - || fmt "$(med_cpu "$cfg")") | $goal |"
	done
	echo
	if [ -n "${CH_RATES[empty]:-}" ]; then
		echo "Floor: one empty program on each probe of the tracer's start record (tp_btf as raw tracepoints): $(hooks_named "${CHURN_EMPTY_ARGS[@]}")."
		echo "Of conn/s, by the median of per-round ratios, $(floor_share "$(med_rr empty)" "$(med_rr tcpbacklog)")."
		echo
	fi
	line="Per run (conn/s):"
	for cfg in none tcpbacklog empty baseline bpftrace; do
		[ -z "${CH_RATES[$cfg]:-}" ] || line="$line $cfg:${CH_RATES[$cfg]};"
	done
	echo "${line%;}"
	echo
	echo "Per-program cost during one more churn run (BPF_ENABLE_STATS, $(fmt "$CHURN_STATS_RATE") conn/s, $CONNS connections):"
	echo
	echo "| program | runs | ns per run | total ms | % of one CPU |"
	echo "|---|---|---|---|---|"
	if [ -n "${CHURN_PROG_ROWS:-}" ]; then
		printf '%s\n' "$CHURN_PROG_ROWS"
	else
		echo "| (no statistics) | | | | |"
	fi
}

report_ready() {
	echo "## Start and memory (tcpbacklog --json, all namespaces, $READY_RUNS starts)"
	echo
	part ready || { not_run; return; }
	echo "| measure | value | bpftrace (to its Attaching line) | goal |"
	echo "|---|---|---|---|"
	echo "| exec to start record, median | $(fmt "$READY_MS" 1) ms (max $(fmt "$READY_MAX" 1) ms, failures ${READY_FAIL:-?}) | $(with_unit "$BT_READY_MS" 1 ms) | <= 100 ms |"
	echo "| peak RSS (VmHWM) at start | $(fmt "$READY_HWM") KiB | $(with_unit "$BT_READY_HWM" 0 KiB) | <= 8192 KiB |"
	[ -z "$BASE_TR" ] ||
		echo "| baseline ($BASE_TR), alternated: start median, peak RSS | $(fmt "$READY_MS_BASE" 1) ms (failures $READY_FAIL_BASE), $(fmt "$READY_HWM_BASE") KiB | | |"
	echo
	echo "Per start (ms): tcpbacklog:$READY_RUNS_TB${BASE_TR:+; baseline:$READY_RUNS_BASE}"
}

report_syscall() {
	local cfg label goal

	echo "## Syscall tax: what every syscall of every process pays while a mechanism is attached ($SYS_ROUNDS rounds)"
	echo
	part syscall || { not_run; return; }
	echo "getppid: a tight loop of $SYS_CALLS getppid(); mixed: $SYS_MIXED iterations of an event loop's write, epoll_wait, read, fstat, open, close (6 syscalls each)."
	echo "Overhead: the median of the per-round ratios to no tracer; tp1: an empty program on syscalls:sys_exit_accept4; rawexit: an empty program on the raw sys_exit tracepoint; bpftrace: counting on the tracer's tracepoints."
	echo
	echo "Rounds that began with another process's syscall tracepoint attached (their \"no tracer\" already paid the tax): $SYS_DIRTY of $SYS_ROUNDS."
	echo
	echo "| configuration | getppid ns/syscall (median) | overhead | mixed ns/syscall (median) | overhead | goal |"
	echo "|---|---|---|---|---|---|"
	for cfg in "${SYS_CONFIGS[@]}"; do
		case "$cfg" in
		none) label="no tracer"; goal="" ;;
		tp1) label="empty program, syscalls:sys_exit_accept4 (floor of one syscall tracepoint)"; goal="" ;;
		rawexit) label="empty program, raw sys_exit"; goal="" ;;
		tcpbacklog) label="tcpbacklog"; goal="<= +5 %" ;;
		nosyscalltps) label="tcpbacklog --no-syscall-tracepoints"; goal="<= +5 %" ;;
		bpftrace) label="bpftrace (the tracer's tracepoints, counting)"; goal="(peer)" ;;
		esac
		echo "| $label | $(fmt "$(sys_med "$cfg.g")" 1) | $( [ "$cfg" = none ] && echo - || pct "$(sys_med "$cfg.gr")") | $(fmt "$(sys_med "$cfg.m")" 1) | $( [ "$cfg" = none ] && echo - || pct "$(sys_med "$cfg.mr")") | $goal |"
	done
}

report_flood() {
	local mode cfg label base p

	echo "## SYN flood (veth between two namespaces, AF_PACKET sender, random source ports, ${FLOOD_SECONDS}s per run, $FLOOD_ROUNDS rounds)"
	echo
	part flood || { not_run; return; }
	echo "aqf: listen(fd, 1) with the accept queue filled first (syncookies 1): every SYN dropped as accept_queue_full."
	echo "synq: listen(fd, 1), syncookies 0, SYN-ACKs to an address that never answers: SYNs dropped as syn_queue_full."
	echo "SYN/s handled = (ListenDrops + SyncookiesSent) delta in the listener's namespace / time; rl = default --rate-limit, rl0 = --rate-limit 0, bt = bpftrace (tracepoints, counting in maps)${BASE_TR:+, base = the baseline $BASE_TR, default rate limit}."
	if [ -n "$FLOOD_EMPTY_NAMES" ]; then
		echo "Floor: one empty program on each raw tracepoint the tracer runs on per SYN here: $FLOOD_EMPTY_NAMES."
	else
		echo "Floor: not run, none of the raw tracepoints $FLOOD_EMPTY_HOOKS attached here."
	fi
	echo "CPU columns: the tracing process itself; the BPF programs run in the sender's softirq and are in the per-program table."
	echo
	echo "| mode | configuration | SYN/s handled (median) | ratio | sent/s (median) | tracer CPU (% of one CPU) | VmHWM KiB | tracer drops / nstat ListenDrops per run | lines/suppressed/lost per run |"
	echo "|---|---|---|---|---|---|---|---|---|"
	for mode in $FLOOD_MODES; do
		base=$(fl_med "$mode.none.pps")
		for cfg in none empty rl rl0 base bt; do
			[ -n "${FL_RES[$mode.$cfg.pps]:-}" ] || continue
			case "$cfg" in
			empty) label="empty programs on the tracer's per-packet hooks (floor)" ;;
			base) label="base (baseline)" ;;
			*) label=$cfg ;;
			esac
			p=$(fl_med "$mode.$cfg.pps")
			echo "| $mode | $label | $(fmt "$p") | $(ratio "$p" "$base") | $(fmt "$(fl_med "$mode.$cfg.sent")") | $( [ "$cfg" = none ] || [ "$cfg" = empty ] && echo - || fmt "$(fl_med "$mode.$cfg.cpu")" 1) | $( [ "$cfg" = none ] || [ "$cfg" = empty ] && echo - || fmt "$(printf '%s\n' ${FL_RES[$mode.$cfg.hwm]:-} | sort -n | tail -n1)") | ${FL_RES[$mode.$cfg.exact]:--} | ${FL_RES[$mode.$cfg.lines]:--} |"
		done
	done
	echo
	for mode in $FLOOD_MODES; do
		[ -n "${FL_RES[$mode.empty.pps]:-}" ] && [ -n "${FL_RES[$mode.rl.pps]:-}" ] || continue
		base=$(fl_med "$mode.none.pps")
		echo "$mode, of SYN/s handled (ratio of medians, tracer rl): $(floor_share "$(ratio "$(fl_med "$mode.empty.pps")" "$base")" "$(ratio "$(fl_med "$mode.rl.pps")" "$base")")."
		echo
	done
	echo "Exact counts at the highest rate this machine generates: $EXACT_ALL."
	echo
	echo "## Per-program cost (BPF_ENABLE_STATS, one aqf flood run with the default rate limit, ${STATS_PPS:-?} SYN/s)"
	echo
	echo "| program | runs | ns per run | total ms | % of one CPU |"
	echo "|---|---|---|---|---|"
	if [ -n "$PROG_ROWS" ]; then
		printf '%s\n' "$PROG_ROWS"
	else
		echo "| (no statistics) | | | | |"
	fi
}

{
	echo "# tcpbacklog benchmarks"
	echo
	echo "$(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r), $(nproc) CPUs, tracer $("$TR" --version 2>/dev/null | head -n1)."
	echo "Tracing BPF programs loaded by others at the start: ${OTHER_PROGS:-?} (other tcpbacklog processes: ${OTHER_TRACERS:-0})."
	echo "Medians of alternating runs in this one session; the machine is shared: compare ratios, not absolutes."
	echo "Parts run: $PARTS."
	echo
	report_churn
	echo
	report_ready
	echo
	report_syscall
	echo
	report_flood
} >"$WORK/results.md"

mkdir -p "$(dirname "$RESULTS")"
cp "$WORK/results.md" "$RESULTS"
cat "$RESULTS"
echo
echo "bench: results in $RESULTS"
