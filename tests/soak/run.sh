#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Soak test: minutes of loopback connection churn plus periodic listen
# drops, accept-queue overflows and accept() errors under two tracers,
# then kill -9.
#
#   tests/soak/run.sh TRACER BENCH_BIN_DIR DRIVER_DIR [SECONDS]
#
# SECONDS (default $SOAK_SECONDS, else 300) of:
#   churn     bench/churn in a private namespace, paced at SOAK_RATE
#             connections/s (default 2000), 4 listeners on ephemeral ports
#             closed and reopened every 1000 connections, IPv4 and IPv6 in
#             turns;
#   incidents every cycle, in the same namespace: overflow (SYN drops on a
#             full accept queue, 4+4), tun_peer -m ack (4 ACK-time
#             overflows), tun_peer -m synq (4 SYN-queue-full drops), emfile
#             (accept()/accept4() EMFILE); and one short-lived namespace with
#             an overflow on port 9461 in it (namespaces come and go, as
#             containers do; the kernel reuses their inode numbers).
# Tracer A: --json -i 1 -n NAMESPACE, stopped with SIGINT: its totals must
# match nstat exactly. Tracer B: --json -q -i 1, every namespace, stopped
# with kill -9: none of its BPF programs, links or maps may remain.
# Tracer C: --json -q -P 9461, every namespace, stopped with SIGINT: its
# totals must match the short-lived namespaces' own counters.
#
# Checked (one PASS/FAIL line each, then "N passed, N failed"):
#   privileges  after attach each tracer keeps only CAP_BPF, CAP_SYS_PTRACE,
#               CAP_DAC_READ_SEARCH, with no_new_privs
#   alive       both tracers ran the whole time; A wrote listener records
#               until the end; both outputs are valid JSON Lines
#   rss A/B     VmRSS sampled every SOAK_SAMPLE s (default 5): the highest
#               sample of the last third is at most RSS_SLACK_KB (128) above
#               the highest of the first third. Measured here, VmRSS stays
#               within one page once the tracer runs; 128 KiB (32 pages, one
#               glibc M_TOP_PAD) leaves room for code and buffers first used
#               late. With 300 s it catches a leak of 0.64 KiB/s: one byte
#               per 3 connections of the churn, 80 bytes per listener that
#               comes and goes, 160 bytes per event record.
#   maps A/B    element counts of the tracer's maps (bpftool map dump),
#               sampled with RSS. Entries that outlived their object
#               (orphans) must not accumulate: a group whose slots are all
#               free, peaks or accept_errnos of a listener that is no longer
#               registered, mib_seen/netns_net of a namespace that no longer
#               exists. Rule: max over the last third <= max over the first
#               third + MAP_SLACK (4: a few objects die between two
#               samples). Listeners of the soak namespace in the registry
#               <= 16 (at most 7 live at once). LRU maps (preallocated,
#               evicting): child_queued <= first-third max + the connections
#               the drivers left unaccepted since + 512 (other tests on the
#               host); gone_listeners <= 64 (each is reported once and
#               deleted, within one 1 s interval).
#   exact C     syn_drop == accept_queue_full == the sum of ListenDrops of
#               the short-lived namespaces (each driver reads its own)
#   exact A     syn_drop + accept_overflow == ListenDrops,
#               accept_queue_full + accept_overflow == ListenOverflows,
#               syn_queue_full == TCPReqQFullDrop (nstat of the namespace),
#               accept_error == the EMFILE returns the drivers saw,
#               event lines + suppressed + lost == syn_drop +
#               accept_overflow + accept_error, registry_full == 0
#   kill -9 B   every program, link and map id B held is gone within 10 s;
#               programs and links named like B's, before B started and
#               after the kill, are reported (others' tracers on the host
#               come and go: not judged)
#
# SOAK_INJECT=pin (self-test): pin one of B's links before kill -9, so the
# kill -9 check must fail (the pin is removed at the end).
# Needs root, ip(8), nstat, jq, bpftool. Every loop is bounded in time.

set -u

[ $# -ge 3 ] && [ $# -le 4 ] || {
	echo "usage: $0 TRACER BENCH_BIN_DIR DRIVER_DIR [SECONDS]" >&2
	exit 2
}
. "$(cd "$(dirname "$0")" && pwd)/../lib/harness.sh"
TRACER_SRC=$(abspath "$1")
BB=$(abspath "$2")
DRV=$(abspath "$3")
SECS=${4:-${SOAK_SECONDS:-300}}
SAMPLE=${SOAK_SAMPLE:-5}
RATE=${SOAK_RATE:-2000}
INJECT=${SOAK_INJECT:-}

RSS_SLACK_KB=128
MAP_SLACK=4
NS_LISTENERS_MAX=16
CLOSED_MAX=64	# closed listeners wait at most one 1 s interval to be reported and go
LRU_SLACK=512
START_TIMEOUT=10
STOP_TIMEOUT=15
KILL_GONE_TIMEOUT=10

case "$SECS" in '' | *[!0-9]*) echo "soak: SECONDS must be an integer" >&2; exit 2 ;; esac
[ "$SECS" -ge 30 ] || { echo "soak: at least 30 seconds" >&2; exit 2; }

work_dir_make tb-soak || exit 1
PINNED=""

log() {
	echo "soak: $*" >&2
}

cleanup() {
	trap - EXIT INT TERM
	bg_stop_all TERM 30
	[ -z "$PINNED" ] || rm -f "$PINNED"
	ns_remove_all $(ip netns list 2>/dev/null | awk -v p="tbs-$$-" 'index($1, p) == 1 { print $1 }')
	work_dir_remove "${SOAK_KEEP:-0}" "soak: work directory kept: " >&2
}
traps_set

verdict() {
	local name=$1 ok=$2
	shift 2

	if [ "$ok" = 1 ]; then
		pass "$name" "$*"
	else
		fail "$name" "$*"
	fi
}

# ------------------------------------------------------------ checks --

[ "$(id -u)" = 0 ] || { echo "soak: needs root" >&2; exit 1; }
for c in ip nstat jq bpftool; do
	command -v "$c" >/dev/null 2>&1 || { echo "soak: $c missing" >&2; exit 1; }
done
for b in "$BB/churn" "$DRV/overflow" "$DRV/tun_peer" "$DRV/emfile" "$TRACER_SRC"; do
	[ -x "$b" ] || { echo "soak: $b missing (make all bench-build)" >&2; exit 1; }
done
# one binary for the whole run, even if it is rebuilt meanwhile
cp "$TRACER_SRC" "$WORK/tcpbacklog" || exit 1
TR=$WORK/tcpbacklog

# ----------------------------------------------------------- helpers --

# soak_ns NAME: a namespace for the drivers
soak_ns() {
	ns_add "$1" || return 1
	# fixed ports (8080..8083) below the ephemeral range: no TIME_WAIT of
	# the churn's clients can hold them
	ip netns exec "$1" sysctl -qw net.ipv4.ip_local_port_range="10000 65535"
}

# map_ids_by_name PID: "name id" of the maps PID holds
map_ids_by_name() {
	local id

	for id in $(bpf_ids "$1" map_id); do
		bpftool -j map show id "$id" 2>/dev/null | jq -r '"\(.name) \(.id)"'
	done
}

# tracer_start NAME ARGS...: start a tracer, wait for its start record; PID in $NAME_PID
tracer_start() {
	local name=$1 pid
	shift

	# emptied now: the background job's own redirection may come after the
	# wait below has found an earlier run's start record
	: >"$WORK/$name.out"
	"$TR" --json "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
	pid=$!
	bg_add "$pid"
	eval "${name}_PID=\$pid"
	wait_for_line "$pid" "$WORK/$name.out" '^\{"event":"start"' $((START_TIMEOUT * 10)) 0.1 && return 0
	log "tracer $name did not start: $(head -c 500 "$WORK/$name.err")"
	return 1
}

# live network namespace inodes: of every process, and of the named ones
live_netns() {
	{
		stat -L -c %i /proc/[0-9]*/ns/net 2>/dev/null
		stat -L -c %i /var/run/netns/* /run/docker/netns/* 2>/dev/null
	} | sort -un | jq -R -s -c 'split("\n") | map(select(length > 0) | tonumber)'
}

# map_counts TAG PID NSINO: one line "key=value ..." of the tracer's maps
map_counts() {
	local tag=$1 pid=$2 ns=$3 name id f args=()

	for name in listeners groups peaks accept_errnos mib_seen netns_net child_queued gone_listeners; do
		id=$(awk -v n="$name" '$1 == n { print $2; exit }' "$WORK/$tag.maps")
		f="$WORK/$tag.dump.$name"
		if [ -z "$id" ] || ! bpftool -j map dump id "$id" >"$f" 2>/dev/null; then
			echo '[]' >"$f"
		fi
		args+=(--slurpfile "$name" "$f")
	done
	jq -n -r "${args[@]}" --argjson ns "$ns" --argjson live "$(live_netns)" '
		def hex: ltrimstr("0x") | explode | map(if . >= 97 then . - 87 elif . >= 65 then . - 55 else . - 48 end)
			 | reduce .[] as $d (0; . * 16 + $d);
		def u32: map(hex) | .[0] + .[1] * 256 + .[2] * 65536 + .[3] * 16777216;
		def sk: .[0:8] | join(",");
		($listeners[0] | map(.key | sk)) as $reg
		| ($live | map({key: tostring, value: 1}) | from_entries) as $alive
		| ($reg | map({key: ., value: 1}) | from_entries) as $regset
		| {
			listeners: ($listeners[0] | length),
			listeners_ns: ($listeners[0] | map(select(.value[0:4] | u32 == $ns)) | length),
			groups: ($groups[0] | length),
			groups_ns: ($groups[0] | map(select(.key[0:4] | u32 == $ns)) | length),
			# the 16 member slots; the "used" mask after them is never cleared
			groups_empty: ($groups[0] | map(select(.value[0:128] | all(. == "0x00"))) | length),
			peaks: ($peaks[0] | length),
			peaks_orphan: ($peaks[0] | map(select($regset[.key | sk] | not)) | length),
			accept_errnos: ($accept_errnos[0] | length),
			accept_errnos_orphan: ($accept_errnos[0] | map(select($regset[.key | sk] | not)) | length),
			mib_seen: ($mib_seen[0] | length),
			mib_seen_dead: ($mib_seen[0] | map(select($alive[.key | u32 | tostring] | not)) | length),
			netns_net: ($netns_net[0] | length),
			netns_net_dead: ($netns_net[0] | map(select($alive[.key | u32 | tostring] | not)) | length),
			child_queued: ($child_queued[0] | length),
			gone_listeners: ($gone_listeners[0] | length)
		  } | to_entries | map("\(.key)=\(.value)") | join(" ")' 2>/dev/null
}

# col FILE KEY: the KEY= values of a samples file, one per line
col() {
	sed -n "s/.* $2=\([0-9?]*\).*/\1/p" "$1"
}

# thirds FILE KEY: "first_max last_max min max last" of a sampled column
thirds() {
	col "$1" "$2" | awk '
		$1 ~ /^[0-9]+$/ { v[n++] = $1 }
		END {
			if (n < 3) { print "? ? ? ? ?"; exit }
			k = int(n / 3); f = -1; l = -1; lo = v[0]; hi = v[0]
			for (i = 0; i < n; i++) {
				if (i < k && v[i] > f) f = v[i]
				if (i >= n - k && v[i] > l) l = v[i]
				if (v[i] < lo) lo = v[i]
				if (v[i] > hi) hi = v[i]
			}
			print f, l, lo, hi, v[n - 1]
		}'
}

# sum_kv KEY FILE...: sum of the KEY= values of drivers' outputs
sum_kv() {
	local key=$1
	shift
	cat "$@" 2>/dev/null | sed -n "s/^$key=//p" | awk '{ s += $1 } END { print s + 0 }'
}

# ---------------------------------------------------------- workload --

NS="tbs-$$-main"
NS_PORT=9461	# the short-lived namespaces' listener: nothing else uses it

# churn until the deadline, in chunks of at most 20 s, IPv4 and IPv6 in turns
churn_loop() {
	local end=$1 i=0 left fam

	while :; do
		left=$((end - $(date +%s)))
		[ "$left" -ge 2 ] || break
		[ "$left" -le 20 ] || left=20
		fam=""
		[ $((i % 2)) = 1 ] && fam=-6
		timeout -k 2 $((left + 10)) ip netns exec "$NS" "$BB/churn" $fam -n 100000000 \
			-t "$left" -r "$RATE" -l 4 -R 1000 >>"$WORK/churn.log" 2>>"$WORK/churn.err"
		echo "rc=$?" >>"$WORK/churn.log"
		i=$((i + 1))
	done
}

# one driver, bounded; output appended to WORK/KIND.log
drive() {
	local ns=$1 kind=$2
	shift 2

	{
		timeout -k 2 30 ip netns exec "$ns" "$@" 2>&1 </dev/null
		echo "rc=$?"
	} >>"$WORK/$kind.log"
}

incident_loop() {
	local end=$1 i=0 fam tmp sport

	while [ $(($(date +%s) + 6)) -lt "$end" ]; do
		fam=""
		[ $((i % 2)) = 1 ] && fam=-6
		sport=$((40000 + (i * 16) % 20000))
		drive "$NS" overflow "$DRV/overflow" $fam -p 8080
		drive "$NS" tun "$DRV/tun_peer" -m ack -c 1 -p 8081 -i tbs0 -s "$sport"
		drive "$NS" tun "$DRV/tun_peer" -m synq -c 0 -p 8083 -i tbs0 -s $((sport + 8))
		ip netns exec "$NS" sysctl -qw net.ipv4.tcp_syncookies=1
		drive "$NS" emfile "$DRV/emfile" $fam -p 8082
		# a namespace that lives for one overflow
		tmp="tbs-$$-t$i"
		if soak_ns "$tmp" 2>/dev/null; then
			echo "ino=$(stat -L -c %i "/var/run/netns/$tmp")" >>"$WORK/nsino.log"
			drive "$tmp" nsoverflow "$DRV/overflow" -p "$NS_PORT"
			ip netns del "$tmp"
		fi
		echo "cycle=$i" >>"$WORK/cycles.log"
		i=$((i + 1))
		sleep 1
	done
}

# -------------------------------------------------------------- run --

log "kernel $(uname -r), $(nproc) CPUs; ${SECS}s, sample every ${SAMPLE}s, churn at $RATE conn/s"
bpftool -j prog show >"$WORK/progs.before" 2>/dev/null || echo '[]' >"$WORK/progs.before"
bpftool -j link show >"$WORK/links.before" 2>/dev/null || echo '[]' >"$WORK/links.before"

soak_ns "$NS" || { echo "soak: cannot create namespace $NS: $(errs)" >&2; exit 1; }
NSINO=$(stat -L -c %i "/var/run/netns/$NS")
ip netns exec "$NS" sysctl -qw net.ipv4.tcp_syncookies=1

A_PID="" B_PID=""
STARTED=1
tracer_start A -i 1 -n "/var/run/netns/$NS" || STARTED=0
tracer_start B -q -i 1 || STARTED=0
tracer_start C -q -P "$NS_PORT" || STARTED=0
if [ "$STARTED" != 1 ]; then
	verdict start 0 "a tracer did not start"
	echo "soak: $PASSED passed, $FAILED failed"
	exit 1
fi
sleep 0.5	# privileges are dropped right after the start record
for t in A B; do
	pid=${t}_PID
	map_ids_by_name "${!pid}" >"$WORK/$t.maps"
done
bpf_ids "$B_PID" prog_id >"$WORK/B.progs"
bpf_ids "$B_PID" link_id >"$WORK/B.links"
bpf_ids "$B_PID" map_id >"$WORK/B.mapids"
bpftool -j prog show >"$WORK/progs.during" 2>/dev/null || echo '[]' >"$WORK/progs.during"

# privileges: CapEff within CAP_DAC_READ_SEARCH (2), CAP_SYS_PTRACE (19), CAP_BPF (39)
for t in A B C; do
	pid=${t}_PID
	eff=$(awk '$1 == "CapEff:" { print $2 }' "/proc/${!pid}/status")
	nnp=$(awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/${!pid}/status")
	extra=$(( 0x$eff & ~((1 << 2) | (1 << 19) | (1 << 39)) ))
	ok=1
	[ "$extra" = 0 ] && [ "$nnp" = 1 ] || ok=0
	verdict "privileges $t" "$ok" "CapEff=$eff NoNewPrivs=$nnp$([ "$extra" = 0 ] || printf ' (extra capabilities %x)' "$extra")"
done

BASE_LD=$(nstat_get "$NS" TcpExtListenDrops)
BASE_LO=$(nstat_get "$NS" TcpExtListenOverflows)
BASE_RQD=$(nstat_get "$NS" TcpExtTCPReqQFullDrop)

T0=$(date +%s)
END=$((T0 + SECS))
churn_loop "$END" &
CHURN_PID=$!
bg_add "$CHURN_PID"
incident_loop "$END" &
INC_PID=$!
bg_add "$INC_PID"

: >"$WORK/samples"
ALIVE=1
DIED=""
while :; do
	now=$(date +%s)
	[ "$now" -lt "$END" ] || break
	line="t=$((now - T0))"
	kill -0 "$C_PID" 2>/dev/null || { ALIVE=0; DIED="$DIED C@$((now - T0))s"; }
	for t in A B; do
		pid=${t}_PID
		if ! kill -0 "${!pid}" 2>/dev/null; then
			ALIVE=0
			DIED="$DIED $t@$((now - T0))s"
			continue
		fi
		line="$line ${t}_rss=$(status_kb "${!pid}" VmRSS) ${t}_anon=$(status_kb "${!pid}" RssAnon)"
		line="$line $(map_counts "$t" "${!pid}" "$NSINO" | sed "s/\([a-z_]*\)=/${t}_\1=/g")"
	done
	echo "$line" >>"$WORK/samples"
	[ "$ALIVE" = 1 ] || break
	sleep "$SAMPLE"
done
SAMPLES=$(wc -l <"$WORK/samples")

# the workload ends by itself at the deadline; bounded wait
for p in "$CHURN_PID" "$INC_PID"; do
	wait_gone "$p" 400
	kill -TERM "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	bg_done "$p"
done
sleep 1	# the last records reach the ring buffer reader

LD=$(($(nstat_get "$NS" TcpExtListenDrops) - BASE_LD))
LO=$(($(nstat_get "$NS" TcpExtListenOverflows) - BASE_LO))
RQD=$(($(nstat_get "$NS" TcpExtTCPReqQFullDrop) - BASE_RQD))

# A and C: SIGINT, totals
stop_int() {
	local pid=$1

	stop_pid "$pid" INT $((STOP_TIMEOUT * 10))
	STOP_RC=$?
	bg_done "$pid"
}
stop_int "$A_PID"
A_RC=$STOP_RC
stop_int "$C_PID"
C_RC=$STOP_RC

# B: kill -9 (optionally with a pinned link that must be noticed)
if [ "$INJECT" = pin ] && [ -d /sys/fs/bpf ]; then
	PINNED=/sys/fs/bpf/tbs-$$-link
	bpftool link pin id "$(head -n1 "$WORK/B.links")" "$PINNED" 2>/dev/null ||
		bpftool prog pin id "$(head -n1 "$WORK/B.progs")" "$PINNED" 2>/dev/null ||
		log "SOAK_INJECT=pin: could not pin"
fi
B_ALIVE_AT_KILL=0
kill -0 "$B_PID" 2>/dev/null && B_ALIVE_AT_KILL=1
kill -KILL "$B_PID" 2>/dev/null
wait "$B_PID" 2>/dev/null
bg_done "$B_PID"
left_p="" left_l="" left_m=""
for ((i = 0; i < KILL_GONE_TIMEOUT * 10; i++)); do
	left_p="" left_l="" left_m=""
	for id in $(cat "$WORK/B.progs"); do bpftool prog show id "$id" >/dev/null 2>&1 && left_p="$left_p $id"; done
	for id in $(cat "$WORK/B.links"); do bpftool link show id "$id" >/dev/null 2>&1 && left_l="$left_l $id"; done
	for id in $(cat "$WORK/B.mapids"); do bpftool map show id "$id" >/dev/null 2>&1 && left_m="$left_m $id"; done
	[ -z "$left_p$left_l$left_m" ] && break
	sleep 0.1
done
GONE_MS=$((i * 100))
bpftool -j prog show >"$WORK/progs.after" 2>/dev/null || echo '[]' >"$WORK/progs.after"
bpftool -j link show >"$WORK/links.after" 2>/dev/null || echo '[]' >"$WORK/links.after"

# ----------------------------------------------------------- verdicts --

verdict alive "$([ "$ALIVE" = 1 ] && [ "$B_ALIVE_AT_KILL" = 1 ] && [ "$A_RC" = 0 ] && [ "$C_RC" = 0 ] && echo 1 || echo 0)" \
	"$SAMPLES samples over ${SECS}s; exit status after SIGINT: A $A_RC, C $C_RC${DIED:+; died:$DIED}"

# workload really ran
CONNS=$(sum_kv conns "$WORK/churn.log")
CERR=$(sum_kv errors "$WORK/churn.log")
CYCLES=$(grep -c '^cycle=' "$WORK/cycles.log" 2>/dev/null)
DRV_FAIL=$(cat "$WORK"/{overflow,tun,emfile,nsoverflow}.log 2>/dev/null | grep -c '^rc=[^0]')
ok=1
[ "$CONNS" -gt 0 ] && [ "${CYCLES:-0}" -gt 0 ] && [ "$DRV_FAIL" = 0 ] && [ "$CERR" -le $((CONNS / 100)) ] || ok=0
verdict workload "$ok" "$CONNS connections ($(awk -v c="$CONNS" -v s="$SECS" 'BEGIN { printf "%.0f", c / s }')/s, $CERR errors), ${CYCLES:-0} incident cycles, $DRV_FAIL driver failures"

# outputs: JSON Lines, and A kept reporting until the end
ok=1 why=""
for t in A B C; do
	jq -e . "$WORK/$t.out" >/dev/null 2>&1 || { ok=0; why="$why $t.out is not valid JSON Lines;"; }
done
NLREC=$(grep -c '^{"event":"listener"' "$WORK/A.out")
LAST_REC=$(grep '^{"event":"listener"' "$WORK/A.out" | tail -n1 | jq -r '.time | sub("\\.[0-9]+Z$"; "Z") | fromdate' 2>/dev/null)
GAP=$((END - ${LAST_REC:-0}))
[ "${LAST_REC:-0}" -gt 0 ] && [ "$GAP" -le 10 ] || { ok=0; why="$why last listener record ${GAP}s before the end;"; }
verdict output "$ok" "A: $NLREC listener records, last ${GAP}s before the end; JSON valid${why:+; }$why"

# RSS
for t in A B; do
	read -r f l lo hi last < <(thirds "$WORK/samples" "${t}_rss")
	read -r af al _ _ alast < <(thirds "$WORK/samples" "${t}_anon")
	ok=0
	[ "$f" != "?" ] && [ "$l" -le $((f + RSS_SLACK_KB)) ] && ok=1
	RSS_LINE[$([ $t = A ] && echo 0 || echo 1)]="$t: VmRSS first third max $f KiB, last third max $l KiB (min $lo, max $hi, last $last); RssAnon $af -> $al KiB"
	verdict "rss $t" "$ok" "VmRSS first-third max $f KiB, last-third max $l KiB (limit +$RSS_SLACK_KB), range $lo..$hi, last $last; RssAnon first-third max $af, last-third max $al"
done

# maps
ABANDONED=$(( $(sum_kv clients_connected "$WORK/overflow.log" "$WORK/nsoverflow.log") +
	      $(sum_kv accept_queue "$WORK/tun.log") ))
for t in A B; do
	ok=1 why="" desc=""
	for k in groups_empty peaks_orphan accept_errnos_orphan mib_seen_dead netns_net_dead; do
		read -r f l lo hi last < <(thirds "$WORK/samples" "${t}_$k")
		desc="$desc $k $f->$l;"
		[ "$f" != "?" ] && [ "$l" -le $((f + MAP_SLACK)) ] ||
			{ ok=0; why="$why $k grows ($f in the first third, $l in the last);"; }
	done
	read -r f l lo hi last < <(thirds "$WORK/samples" "${t}_listeners_ns")
	desc="$desc listeners_ns max $hi;"
	[ "$hi" != "?" ] && [ "$hi" -le "$NS_LISTENERS_MAX" ] ||
		{ ok=0; why="$why listeners of the soak namespace up to $hi (> $NS_LISTENERS_MAX);"; }
	read -r f l lo hi last < <(thirds "$WORK/samples" "${t}_gone_listeners")
	desc="$desc gone_listeners max $hi;"
	[ "$hi" != "?" ] && [ "$hi" -le "$CLOSED_MAX" ] ||
		{ ok=0; why="$why closed listeners waiting up to $hi (> $CLOSED_MAX);"; }
	read -r f l lo hi last < <(thirds "$WORK/samples" "${t}_child_queued")
	desc="$desc child_queued $f->$l (abandoned $ABANDONED)"
	[ "$f" != "?" ] && [ "$l" -le $((f + ABANDONED + LRU_SLACK)) ] ||
		{ ok=0; why="$why child_queued grows ($f -> $l, $ABANDONED connections left unaccepted);"; }
	verdict "maps $t" "$ok" "${why:+$why }$desc"
done

# exactness of A
tot() {
	jq -r "select(.event == \"totals\") | $1" "$WORK/A.out" 2>/dev/null | tail -n1
}
T_SYN=$(tot .syn_drop) T_AO=$(tot .accept_overflow) T_AE=$(tot .accept_error)
T_SUP=$(tot .suppressed) T_LOST=$(tot .lost) T_RF=$(tot .registry_full)
T_AQF=$(tot .syn_drop_reasons.accept_queue_full) T_SQF=$(tot .syn_drop_reasons.syn_queue_full)
EMFILE=$(sum_kv emfile_total "$WORK/emfile.log")
LINES=$(grep -cE '^\{"event":"(syn_drop|accept_overflow|accept_error)"' "$WORK/A.out")
ok=1 why=""
case "$T_SYN$T_AO$T_AE$T_SUP$T_LOST$T_RF$T_AQF$T_SQF" in
'' | *[!0-9]*) ok=0; why="no totals record;" ;;
*)
	[ $((T_SYN + T_AO)) = "$LD" ] || { ok=0; why="$why syn_drop+accept_overflow $((T_SYN + T_AO)) != ListenDrops $LD;"; }
	[ $((T_AQF + T_AO)) = "$LO" ] || { ok=0; why="$why accept_queue_full+accept_overflow $((T_AQF + T_AO)) != ListenOverflows $LO;"; }
	[ "$T_SQF" = "$RQD" ] || { ok=0; why="$why syn_queue_full $T_SQF != TCPReqQFullDrop $RQD;"; }
	[ "$T_AE" = "$EMFILE" ] || { ok=0; why="$why accept_error $T_AE != EMFILE returns $EMFILE;"; }
	[ $((LINES + T_SUP + T_LOST)) = $((T_SYN + T_AO + T_AE)) ] ||
		{ ok=0; why="$why lines $LINES + suppressed $T_SUP + lost $T_LOST != $((T_SYN + T_AO + T_AE));"; }
	[ "$T_RF" = 0 ] || { ok=0; why="$why registry_full $T_RF;"; }
	[ "$LD" -gt 0 ] && [ "$T_AO" -gt 0 ] && [ "$T_SQF" -gt 0 ] && [ "$T_AE" -gt 0 ] ||
		{ ok=0; why="$why an incident kind never happened;"; }
	;;
esac
verdict "exact A" "$ok" "${why:+$why }syn_drop $T_SYN (accept_queue_full $T_AQF, syn_queue_full $T_SQF) + accept_overflow $T_AO vs ListenDrops $LD, ListenOverflows $LO, TCPReqQFullDrop $RQD; accept_error $T_AE vs $EMFILE; $LINES lines + $T_SUP suppressed + $T_LOST lost"

# exactness of C: namespaces that come and go
CT() {
	jq -r "select(.event == \"totals\") | $1" "$WORK/C.out" 2>/dev/null | tail -n1
}
C_SYN=$(CT .syn_drop) C_AQF=$(CT .syn_drop_reasons.accept_queue_full)
C_AO=$(CT .accept_overflow) C_RF=$(CT .registry_full)
NS_LD=$(sum_kv mib_listen_drops "$WORK/nsoverflow.log")
NS_RUNS=$(grep -c '^result=ok' "$WORK/nsoverflow.log" 2>/dev/null)
NS_INOS=$(grep -c '^ino=' "$WORK/nsino.log" 2>/dev/null)
NS_UNIQ=$(sort -u "$WORK/nsino.log" 2>/dev/null | grep -c '^ino=')
ok=1
[ "$C_SYN" = "$NS_LD" ] && [ "$C_AQF" = "$NS_LD" ] && [ "$C_AO" = 0 ] && [ "$C_RF" = 0 ] && [ "$NS_LD" -gt 0 ] || ok=0
verdict "exact C" "$ok" "syn_drop ${C_SYN:-?} (accept_queue_full ${C_AQF:-?}) vs ListenDrops $NS_LD of $NS_RUNS short-lived namespaces ($NS_UNIQ distinct inode numbers for $NS_INOS namespaces)"

# kill -9 of B. By id: strict (ids are not reused soon). By name: what
# is loaded with the names of B's programs, before B started and after it
# was killed; other tracers on the host (tests running alongside) may
# change that, so it is reported, not judged.
named() {
	jq -n -r --slurpfile now "$WORK/progs.during" --slurpfile ids "$WORK/B.progs.json" \
	      --slurpfile p "$1" --slurpfile l "$2" '
		($now[0] | map(select(.id as $i | $ids[0] | index($i)) | .name) | unique) as $n
		| ($p[0] | map(select(.name as $x | $n | index($x)))) as $mine
		| ($mine | map(.id)) as $mids
		| "\($mine | length) programs, \($l[0] | map(select(.prog_id as $x | $mids | index($x))) | length) links"' \
		2>/dev/null
}
jq -R -s 'split("\n") | map(select(length > 0) | tonumber)' "$WORK/B.progs" >"$WORK/B.progs.json"
NAMED_BEFORE=$(named "$WORK/progs.before" "$WORK/links.before")
NAMED_AFTER=$(named "$WORK/progs.after" "$WORK/links.after")
ok=1
[ -z "$left_p$left_l$left_m" ] || ok=0
[ "$B_ALIVE_AT_KILL" = 1 ] || ok=0
NP=$(wc -l <"$WORK/B.progs") NL=$(wc -l <"$WORK/B.links") NM=$(wc -l <"$WORK/B.mapids")
verdict "kill -9 B" "$ok" "$NP programs, $NL links, $NM maps held by B; $([ -z "$left_p$left_l$left_m" ] && echo "all gone ${GONE_MS} ms after kill -9" || echo "still there after ${KILL_GONE_TIMEOUT}s: programs${left_p:- none}, links${left_l:- none}, maps${left_m:- none}"); named like B's: before start ${NAMED_BEFORE:-?}, after kill ${NAMED_AFTER:-?}"

echo
echo "soak: ${SECS}s, $SAMPLES samples; ${RSS_LINE[0]}; ${RSS_LINE[1]}"
echo "soak: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
