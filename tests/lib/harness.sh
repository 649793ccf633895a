# SPDX-License-Identifier: GPL-2.0
#
# The shell pieces every test harness shares (integration, metrics, soak,
# bench and the VM guest): work directory, background jobs, network
# namespaces, kernel counters, driver output, tracer start, verdicts.
# Sourced, never run. Plain POSIX sh plus `local`, so that the VM guest's
# busybox ash runs it as well as bash does.
#
# State it keeps (the sourcing script may read it):
#   WORK        the work directory (work_dir_make)
#   BG_PIDS     background children not yet reaped, space separated
#   NAMESPACES  network namespaces made here and not yet deleted
#   CG_MADE     cgroups made here and not yet removed, innermost first
#   ERRS        this check's errors, one a line (err; errs joins them)
#   PASSED, FAILED  verdict counts (pass, fail)

BG_PIDS=""
NAMESPACES=""
CG_MADE=""
NS_SEQ=0
ERRS=""
PASSED=0
FAILED=0

# abspath PATH: PATH from the current directory on, for after a cd
abspath() {
	case "$1" in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$PWD" "$1" ;;
	esac
}

# work_dir_make PREFIX: a fresh directory /tmp/PREFIX.XXXXXX in WORK
work_dir_make() {
	WORK=$(mktemp -d "/tmp/$1.XXXXXX")
}

# work_dir_remove KEEP MESSAGE: remove WORK unless KEEP is 1; then say
# MESSAGE followed by the directory
work_dir_remove() {
	if [ "$1" = 1 ]; then
		echo "$2$WORK"
	else
		rm -rf "$WORK"
	fi
}

# traps_set: the caller's cleanup() runs on every way out
traps_set() {
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# ------------------------------------------------------ background jobs --

bg_add() {
	BG_PIDS="${BG_PIDS:+$BG_PIDS }$1"
}

# a background child was reaped: never signal its (reusable) pid again
bg_done() {
	local p keep=""

	for p in $BG_PIDS; do
		[ "$p" = "$1" ] || keep="${keep:+$keep }$p"
	done
	BG_PIDS=$keep
}

# wait_gone PID TENTHS: poll every 0.1 s, at most TENTHS times, until PID
# has exited; 1 if it still runs
wait_gone() {
	local i=0

	while [ "$i" -lt "$2" ]; do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
		i=$((i + 1))
	done
	! kill -0 "$1" 2>/dev/null
}

# stop_pid PID SIG TENTHS: send SIG (none: already asked), wait at most
# TENTHS tenths of a second, then SIGKILL; reaps it, returns its status
stop_pid() {
	[ -n "$1" ] || return 0
	[ "$2" = none ] || kill -"$2" "$1" 2>/dev/null
	wait_gone "$1" "$3"
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# bg_end PID SIG: signal a background child, reap it, forget it
bg_end() {
	[ -n "$1" ] || return 0
	kill -"$2" "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	bg_done "$1"
}

# bg_stop_all SIG TENTHS: every background child still known: SIG to all
# first, then a bounded wait and SIGKILL for each
bg_stop_all() {
	local p

	for p in $BG_PIDS; do
		kill -0 "$p" 2>/dev/null && kill -"$1" "$p" 2>/dev/null
	done
	for p in $BG_PIDS; do
		stop_pid "$p" none "$2"
	done
	BG_PIDS=""
}

# wait_for_line PID FILE PATTERN POLLS STEP: poll FILE every STEP s, at
# most POLLS times, for a line matching PATTERN (grep -E) while PID runs.
# 0 found; 1 PID exited first (not reaped); 2 not within the time
wait_for_line() {
	local i=0

	while [ "$i" -lt "$4" ]; do
		grep -Eq "$3" "$2" 2>/dev/null && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep "$5"
		i=$((i + 1))
	done
	return 2
}


# ----------------------------------------------------------- namespaces --

# ns_add NAME: create namespace NAME with lo up; removed by ns_remove_all.
# A failure is an err.
ns_add() {
	if ! ip netns add "$1" 2>"$WORK/ns.err"; then
		err "ip netns add $1: $(cat "$WORK/ns.err")"
		return 1
	fi
	NAMESPACES="${NAMESPACES:+$NAMESPACES }$1"
	if ! ip -n "$1" link set lo up 2>"$WORK/ns.err"; then
		err "lo up in $1: $(cat "$WORK/ns.err")"
		return 1
	fi
}

# ns_new VAR PREFIX: ns_add PREFIX-<pid>-<n>, its name in VAR
ns_new() {
	local new_ns_name="$2-$$-$NS_SEQ"

	NS_SEQ=$((NS_SEQ + 1))
	ns_add "$new_ns_name" || return 1
	eval "$1=\$new_ns_name"
}

ns_del() {
	local n keep=""

	ip netns del "$1" 2>/dev/null
	for n in $NAMESPACES; do
		[ "$n" = "$1" ] || keep="${keep:+$keep }$n"
	done
	NAMESPACES=$keep
}

# ns_remove_all [NAME...]: kill what runs in each namespace made here (and
# in each NAME), delete them
ns_remove_all() {
	local ns p

	for ns in $NAMESPACES "$@"; do
		ip netns pids "$ns" 2>/dev/null | while read -r p; do
			kill -KILL "$p" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	NAMESPACES=""
}

ns_inode() {
	stat -L -c %i "/var/run/netns/$1"
}

# -------------------------------------------------------------- cgroups --

# cg_mount: where the root of the cgroup v2 hierarchy is mounted, "" when nowhere
cg_mount() {
	awk '{ for (i = 1; i <= NF; i++) if ($i == "-") break }
	     $(i + 1) == "cgroup2" && $4 == "/" { print $5; exit }' /proc/self/mountinfo
}

# cg_make DIR...: make the cgroups not there yet, remembered for cg_remove_all
cg_make() {
	local d

	for d in "$@"; do
		[ -d "$d" ] && continue
		mkdir "$d" || return 1
		CG_MADE="$d $CG_MADE"
	done
}

# cg_remove_all: remove what cg_make made, innermost first; a parent still in use stays
cg_remove_all() {
	local d

	for d in $CG_MADE; do
		rmdir "$d" 2>/dev/null
	done
	CG_MADE=""
}

# cg_exec DIR CMD [ARGS...]: run CMD in cgroup DIR from its first instruction
cg_exec() {
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$@"
}

# ------------------------------------------------------ kernel counters --

# nstat_get NS COUNTER [MISSING]: absolute value in the namespace (-a
# absolute, -s keep no history, -z zeros too); MISSING (default ?) when
# nstat does not name it
nstat_get() {
	ip netns exec "$1" nstat -asz "$2" 2>/dev/null |
		awk -v k="$2" -v m="${3:-?}" '$1 == k { print $2; f = 1 } END { if (!f) print m }'
}

# status_kb PID KEY [MISSING]: a kB field of /proc/PID/status
status_kb() {
	awk -v k="$2:" -v m="${3-?}" '$1 == k { print $2; f = 1 } END { if (!f && m != "") print m }' \
		"/proc/$1/status" 2>/dev/null
}

# bpf_ids PID KEY: ids (prog_id, link_id, map_id) of the BPF objects PID holds
bpf_ids() {
	local f

	for f in /proc/"$1"/fdinfo/*; do
		awk -v k="$2:" '$1 == k { print $2 }' "$f" 2>/dev/null
	done | sort -un
}

# promise_check SYN AO AQF SQF OTHER LD LO: the tracer's totals (syn_drop,
# accept_overflow, syn_drop_reasons accept_queue_full, syn_queue_full,
# other) held to the kernel's ListenDrops and ListenOverflows, exactly;
# LD "-": no kernel figures, only the reasons' sum
promise_check() {
	if [ "$6" != "-" ]; then
		[ $(($1 + $2)) = "$6" ] ||
			err "syn_drop $1 + accept_overflow $2 = $(($1 + $2)) != ListenDrops $6"
		[ $(($3 + $2)) = "$7" ] ||
			err "syn_drop_reasons.accept_queue_full $3 + accept_overflow $2 = $(($3 + $2)) != ListenOverflows $7"
	fi
	[ $(($3 + $4 + $5)) = "$1" ] ||
		err "syn_drop_reasons sum $(($3 + $4 + $5)) != syn_drop $1"
}

# ------------------------------------------------------- driver output --

# kv FILE KEY: value of the last KEY= line of a driver's output
kv() {
	sed -n "s/^$2=//p" "$1" | tail -n 1
}

# ------------------------------------------------------------ verdicts --

# err MESSAGE: one more reason for this check to fail
err() {
	ERRS="${ERRS:+$ERRS
}$*"
}

# errs_prepend TEXT: put earlier reasons (a saved ERRS) before these
errs_prepend() {
	ERRS="$1${1:+${ERRS:+
}}$ERRS"
}

# errs: the reasons on one line, "; " between them
errs() {
	printf '%s\n' "$ERRS" | awk 'NR > 1 { printf "; " } { printf "%s", $0 } END { print "" }'
}

# pass NAME [DETAIL], fail NAME [DETAIL]: one verdict line
pass() {
	echo "PASS $1${2:+: $2}"
	PASSED=$((PASSED + 1))
}

fail() {
	echo "FAIL $1${2:+: $2}"
	FAILED=$((FAILED + 1))
}

# summary: the closing line; its status is the run's
summary() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" = 0 ]
}
