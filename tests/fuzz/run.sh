#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# libFuzzer harnesses of the decoder and the formatters (tests/fuzz/*.c).
#
#   tests/fuzz/run.sh run OUTDIR SECONDS NAME... run each OUTDIR/fuzz_NAME for
#                                                SECONDS on the corpus
#                                                OUTDIR/corpus/NAME, seeded
#                                                from OUTDIR/seeds/NAME
#
# A crash (ASan, UBSan, or a format violation: the harness aborts) fails the
# run; the input is kept as OUTDIR/artifacts/NAME-crash-* and replays with
#   OUTDIR/fuzz_NAME OUTDIR/artifacts/NAME-crash-...
# Packages: scripts/install-deps.sh fuzz (make fuzz runs it).
# Prints one PASS/FAIL line per harness, then "N passed, N failed".

set -u

run() {
	local out=$1 secs=$2 name bin log corpus rc passed=0 failed=0 stats
	shift 2

	case "$secs" in
	'' | *[!0-9]* | 0)
		echo "fuzz: FUZZ_SECONDS must be a positive integer, not '$secs'" >&2
		return 2 ;;
	esac
	mkdir -p "$out/artifacts"
	for name in "$@"; do
		bin="$out/fuzz_$name"
		log="$out/$name.log"
		corpus="$out/corpus/$name"
		mkdir -p "$corpus"
		if [ ! -x "$bin" ]; then
			echo "FAIL $name: $bin not built"
			failed=$((failed + 1))
			continue
		fi
		echo "fuzz: $name for ${secs}s (log $log)"
		# -timeout: one input may take 10 s; the outer timeout bounds a hang
		timeout -k 10 $((secs + 120)) "$bin" \
			-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
			-max_len=16384 -print_final_stats=1 \
			-artifact_prefix="$out/artifacts/$name-" \
			"$corpus" "$out/seeds/$name" >"$log" 2>&1
		rc=$?
		stats=$(awk '/stat::number_of_executed_units/ { e = $2 }
			     /stat::peak_rss_mb/ { r = $2 }
			     /^#[0-9]+.*cov:/ { for (i = 1; i <= NF; i++) if ($i == "cov:") c = $(i + 1) }
			     END { printf "%s runs, coverage %s edges, peak RSS %s MB", e ? e : "?", c ? c : "?", r ? r : "?" }' "$log")
		if [ "$rc" = 0 ]; then
			echo "PASS $name: $stats"
			passed=$((passed + 1))
		else
			echo "FAIL $name: exit status $rc; $stats"
			grep -E 'ERROR: |runtime error|FORMAT VIOLATION|SUMMARY:|Test unit written' -A2 "$log" |
				head -n 40 | sed 's/^/    /'
			failed=$((failed + 1))
		fi
	done
	echo "fuzz: $passed passed, $failed failed"
	[ "$failed" = 0 ]
}

case "${1:-}" in
run) shift; [ $# -ge 3 ] || { echo "usage: $0 run OUTDIR SECONDS NAME..." >&2; exit 2; }; run "$@" ;;
*) echo "usage: $0 run OUTDIR SECONDS NAME..." >&2; exit 2 ;;
esac
