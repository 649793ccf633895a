#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Prometheus endpoint end to end: the tracer serves /metrics on
# loopback while a listener in a fresh network namespace overflows its
# accept queue; the scraped text must pass `promtool check metrics`, and a
# real Prometheus server scraping the tracer every second must hold the
# kernel's own counters for that namespace (nstat, exact):
#   sum by (netns) (tcpbacklog_syn_drops_total)                       == TcpExtListenOverflows
#     (every drop here is a SYN dropped on a full accept queue)
#   sum by (netns) (tcpbacklog_syn_drops_total + accept_overflows)    == TcpExtListenDrops
#   sum (tcpbacklog_listen_drops_total)                               == TcpExtListenDrops
# and the driver's own counts of its accept() results (no kernel counter
# exists for those): EMFILE failures, accepts, the latency histogram.
# Labels are those of listeners only, never of peers. Then the listener
# closes (its counters stay, its gauges go) and the same program restarts
# on the same port twice, overflowing and exiting at once, the second time
# under hostile scrapers (fast, slow, never reading: the endpoint answers
# a scrape from elsewhere, the tracer's memory stays bounded); over the
# whole run the one series never resets and ends at nstat's counts, with
# no lost record. Last, connect() fails in the namespace (no local port
# left, refused): tcpbacklog_connect_errors_total holds the driver's counts
# and the -i tracer shows the destination's port range.
#
#   tests/metrics/run.sh [BIN [HOLDER [ABUSER]]]
#
# BIN defaults to build/tcpbacklog; HOLDER (the traffic driver, built from
# tests/metrics/backlog_holder.c) and ABUSER (the hostile scrapers, from
# tests/metrics/scrape_abuser.c) are compiled into the work directory when
# not given. Needs root, ip(8), nstat, ss; installs prometheus (for
# prometheus and promtool), curl and jq with apt-get when they are missing.
# Everything listens on 127.0.0.1 only, every wait is bounded, and every
# process and namespace it made is removed on exit. Prints one PASS/FAIL
# line per check, then "N passed, N failed"; exits 1 if any failed.
# TB_METRICS_KEEP=1 keeps the work directory (logs, scrapes, TSDB).

set -u

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/harness.sh

BIN=${1:-build/tcpbacklog}
HOLDER=${2:-}
ABUSER=${3:-}

START_TIMEOUT=15	# s, for the tracer to serve /metrics
PROM_TIMEOUT=60		# s, for Prometheus to be ready and the target up
DRIVER_TIMEOUT=30	# s, for the driver's ready=1
SETTLE_TIMEOUT=20	# s, for a value to reach the endpoint or Prometheus
STOP_TIMEOUT=10		# s, for a process to exit after its signal
HOLD_MS=120000		# the driver keeps its listener at most this long
ACCEPTS=1		# connections the driver accepts after their wait
EMFILES=2		# accept4() calls it makes with no descriptor free
# The listener owner's name, as a hostile process could choose it: a quote,
# a backslash, a newline, an invalid UTF-8 byte. The exposition escapes
# the first three and replaces the last with U+FFFD (Prometheus refuses a
# whole scrape with invalid UTF-8 in it).
HOLDER_COMM=$'tb"h\\o\nld\xffr'
COMM_LABEL='tb\"h\\o\nld'$'\xef\xbf\xbd''r'	# as /metrics spells it
COMM_VALUE=$'tb"h\\o\nld\xef\xbf\xbdr'	# as Prometheus stores it

work_dir_make tb-metrics || exit 1
NS="tb-m-$$"
TRACER_PID=""
TRACER2_PID=""
PROM_PID=""
HOLDER_PID=""
ABUSER_PID=""
CLIENT_PID=""
STOP_TENTHS=$((STOP_TIMEOUT * 10))
HOLDER_OUT="$WORK/holder.out"

cleanup() {
	trap - EXIT INT TERM
	stop_pid "$HOLDER_PID" KILL "$STOP_TENTHS"
	stop_pid "$ABUSER_PID" KILL "$STOP_TENTHS"
	stop_pid "$CLIENT_PID" KILL "$STOP_TENTHS"
	stop_pid "$PROM_PID" TERM "$STOP_TENTHS"
	stop_pid "$TRACER_PID" INT "$STOP_TENTHS"
	stop_pid "$TRACER2_PID" INT "$STOP_TENTHS"
	ns_remove_all
	work_dir_remove "${TB_METRICS_KEEP:-0}" "work directory kept: "
}
traps_set

# the end: summary line and status
finish() {
	summary
	exit
}

# ---------------------------------------------------------------- setup --

# installs what is missing; a command still missing then is a setup failure
[ "$(id -u)" != 0 ] || scripts/install-deps.sh metrics >"$WORK/apt.log" 2>&1
PRE=""
[ "$(id -u)" = 0 ] || PRE="not root"
for cmd_pkg in ip:iproute2 nstat:iproute2 ss:iproute2 curl:curl jq:jq \
	       promtool:prometheus prometheus:prometheus; do
	command -v "${cmd_pkg%%:*}" >/dev/null 2>&1 ||
		PRE="${PRE:+$PRE; }${cmd_pkg%%:*} missing (Debian package ${cmd_pkg#*:})"
done
if [ ! -x "$BIN" ]; then
	PRE="${PRE:+$PRE; }tracer $BIN missing (build it with make)"
elif ! "$BIN" --help 2>/dev/null | grep -q -- '--metrics-addr'; then
	PRE="${PRE:+$PRE; }tracer $BIN has no --metrics-addr option"
fi
if [ -z "$HOLDER" ]; then
	HOLDER="$WORK/backlog_holder"
	command -v gcc >/dev/null 2>&1 &&
		gcc -O2 -Wall -Itests/lib tests/metrics/backlog_holder.c -o "$HOLDER" \
			2>"$WORK/holder.build" ||
		PRE="${PRE:+$PRE; }building the driver failed: $(head -c 300 "$WORK/holder.build" 2>/dev/null)"
elif [ ! -x "$HOLDER" ]; then
	PRE="${PRE:+$PRE; }driver $HOLDER missing"
fi
if [ -n "$PRE" ]; then
	fail setup "$PRE"
	finish
fi

# a TCP port nothing listens on in this namespace (loopback use only)
free_port() {
	local p i

	for ((i = 0; i < 50; i++)); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		[ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ] && { echo "$p"; return 0; }
	done
	return 1
}

# instant query; prints the value of the first series, "none" when empty
prom_query() {
	curl -s --max-time 3 -G --data-urlencode "query=$1" \
		"http://127.0.0.1:$PROM_PORT/api/v1/query" >"$WORK/query.json" 2>/dev/null ||
		{ echo "unreachable"; return; }
	jq -r 'if .status != "success" then "error: \(.error)"
	       elif (.data.result | length) == 0 then "none"
	       else .data.result[0].value[1] end' "$WORK/query.json" 2>/dev/null || echo "bad reply"
}

# wait_query QUERY WANT: poll until QUERY gives WANT (bounded); sets GOT
wait_query() {
	local i

	for ((i = 0; i < SETTLE_TIMEOUT * 4; i++)); do
		GOT=$(prom_query "$1")
		[ "$GOT" = "$2" ] && return 0
		sleep 0.25
	done
	return 1
}

scrape() {
	curl -s --max-time 3 -o "$1" -w '%{http_code} %{content_type}' "$METRICS_URL" 2>/dev/null
}

# ------------------------------------------------------------ the tracer --

if ! ns_add "$NS"; then
	fail setup "$(errs)"
	finish
fi
NS_INO=$(stat -L -c %i "/var/run/netns/$NS")

METRICS_PORT=$(free_port) || { fail setup "no free port"; finish; }
METRICS_URL="http://127.0.0.1:$METRICS_PORT/metrics"
"$BIN" --metrics-addr "127.0.0.1:$METRICS_PORT" -q -n "/var/run/netns/$NS" \
	>"$WORK/tracer.out" 2>"$WORK/tracer.err" </dev/null &
TRACER_PID=$!

# A second tracer with -i: there the interval report, not the metrics'
# tick, takes closed listeners out of the kernel's maps; its series must
# end at the same counts (checked at the end, from its own endpoint). With
# -q: its per-destination gauges come from what the kernel kept, not from
# records.
METRICS2_PORT=$(free_port) || { fail setup "no free port"; finish; }
while [ "$METRICS2_PORT" = "$METRICS_PORT" ]; do
	METRICS2_PORT=$(free_port) || { fail setup "no free port"; finish; }
done
"$BIN" --metrics-addr "127.0.0.1:$METRICS2_PORT" -q -i 1 -n "/var/run/netns/$NS" \
	>"$WORK/tracer2.out" 2>"$WORK/tracer2.err" </dev/null &
TRACER2_PID=$!

reply=""
for ((i = 0; i < START_TIMEOUT * 10; i++)); do
	kill -0 "$TRACER_PID" 2>/dev/null || break
	reply=$(scrape "$WORK/first.prom")
	[ "${reply%% *}" = 200 ] && break
	sleep 0.1
done
if [ "${reply%% *}" != 200 ]; then
	if kill -0 "$TRACER_PID" 2>/dev/null; then
		fail serve "no answer on $METRICS_URL within ${START_TIMEOUT}s"
	else
		wait "$TRACER_PID"
		fail serve "tracer exited (status $?): $(head -c 400 "$WORK/tracer.err")"
		TRACER_PID=""
	fi
	finish
fi
if [ "${reply#* }" = "text/plain; version=0.0.4; charset=utf-8" ]; then
	pass serve "$METRICS_URL answers 200, ${reply#* }"
else
	fail serve "Content-Type '${reply#* }'"
fi

codes="$(curl -s --max-time 3 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$METRICS_PORT/other")"
codes="$codes $(curl -s --max-time 3 -o /dev/null -w '%{http_code}' -X POST "$METRICS_URL")"
if [ "$codes" = "404 405" ]; then
	pass http_errors "/other 404, POST /metrics 405"
else
	fail http_errors "/other and POST /metrics gave $codes, expected 404 405"
fi

# ------------------------------------------------------------ Prometheus --

PROM_PORT=$(free_port) || { fail setup "no free port"; finish; }
while [ "$PROM_PORT" = "$METRICS_PORT" ]; do
	PROM_PORT=$(free_port) || { fail setup "no free port"; finish; }
done
mkdir -p "$WORK/tsdb"
cat >"$WORK/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: tcpbacklog
    static_configs:
      - targets: ['127.0.0.1:$METRICS_PORT']
EOF
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
	--web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn \
	>"$WORK/prometheus.log" 2>&1 </dev/null &
PROM_PID=$!

up=""
for ((i = 0; i < PROM_TIMEOUT * 4; i++)); do
	kill -0 "$PROM_PID" 2>/dev/null || break
	up=$(curl -s --max-time 2 "http://127.0.0.1:$PROM_PORT/api/v1/targets" 2>/dev/null |
		jq -r '[.data.activeTargets[] | select(.health == "up")] | length' 2>/dev/null)
	[ "${up:-0}" = 1 ] && break
	sleep 0.25
done
if [ "${up:-0}" = 1 ]; then
	pass prometheus_target "Prometheus on 127.0.0.1:$PROM_PORT scrapes the tracer, target up"
else
	fail prometheus_target "target not up within ${PROM_TIMEOUT}s: $(tail -c 400 "$WORK/prometheus.log")"
	finish
fi

# --------------------------------------------------------------- traffic --

ip netns exec "$NS" "$HOLDER" -p 8080 -a "$ACCEPTS" -e "$EMFILES" \
	-c "$HOLDER_COMM" -t "$HOLD_MS" >"$WORK/holder.out" 2>"$WORK/holder.err" </dev/null &
HOLDER_PID=$!
wait_for_line "$HOLDER_PID" "$WORK/holder.out" '^ready=1' $((DRIVER_TIMEOUT * 10)) 0.1
if ! grep -q '^ready=1' "$WORK/holder.out" 2>/dev/null; then
	fail traffic "driver not ready within ${DRIVER_TIMEOUT}s: $(tr '\n' ' ' <"$WORK/holder.err")"
	finish
fi
LD=$(nstat_get "$NS" TcpExtListenDrops)
LO=$(nstat_get "$NS" TcpExtListenOverflows)
case "$LD$LO" in
*[!0-9]*) fail traffic "nstat in $NS unreadable (ListenDrops '$LD', ListenOverflows '$LO')"; finish ;;
esac
if [ "$LD" -gt 0 ] && [ "$LD" = "$LO" ]; then
	pass traffic "netns $NS_INO: ListenDrops $LD, ListenOverflows $LO; $(kv "$HOLDER_OUT" clients_dropped) clients dropped, accept queue $(kv "$HOLDER_OUT" accept_queue)/$(kv "$HOLDER_OUT" accept_queue_max); $(kv "$HOLDER_OUT" accept_emfile) EMFILE, $(kv "$HOLDER_OUT" accepted) accepted after $(kv "$HOLDER_OUT" accept_wait_ms_min)-$(kv "$HOLDER_OUT" accept_wait_ms_max) ms"
else
	fail traffic "expected ListenDrops == ListenOverflows > 0, got $LD and $LO"
fi

# Where the accepted connections' wait falls: log2 microsecond buckets,
# (1.048576 s, 2.097152 s] for the usual 1.5 s. A wait the scheduler
# stretched near a bucket bound leaves the bucket unchecked (said so).
WAIT_MIN=$(kv "$HOLDER_OUT" accept_wait_ms_min)
WAIT_MAX=$(kv "$HOLDER_OUT" accept_wait_ms_max)
BUCKET_CHECK=0
[ "$WAIT_MIN" -ge 1100 ] && [ "$WAIT_MAX" -le 2000 ] && BUCKET_CHECK=1

# ---------------------------------------------------------- the scrape --

LBL="netns=\"$NS_INO\",laddr=\"127.0.0.1\",lport=\"8080\",comm=\"$COMM_LABEL\""
HIST=tcpbacklog_accept_latency_seconds
wanted=("tcpbacklog_syn_drops_total{$LBL,reason=\"accept_queue_full\"} $LO"
	"tcpbacklog_syn_drops_total{$LBL,reason=\"syn_queue_full\"} 0"
	"tcpbacklog_syn_drops_total{$LBL,reason=\"other\"} 0"
	"tcpbacklog_accept_overflows_total{$LBL} $((LD - LO))"
	"tcpbacklog_accept_errors_total{$LBL,error=\"EMFILE\"} $(kv "$HOLDER_OUT" accept_emfile)"
	"tcpbacklog_syncookies_total{$LBL} 0"
	"tcpbacklog_accepts_total{$LBL} $(kv "$HOLDER_OUT" accepted)"
	"tcpbacklog_accept_queue_length{$LBL} $(kv "$HOLDER_OUT" accept_queue)"
	"tcpbacklog_accept_queue_max{$LBL} $(kv "$HOLDER_OUT" accept_queue_max)"
	"${HIST}_bucket{$LBL,le=\"+Inf\"} $(kv "$HOLDER_OUT" accepted)"
	"${HIST}_count{$LBL} $(kv "$HOLDER_OUT" accepted)"
	"tcpbacklog_suppressed_events_total{$LBL} 0"
	"tcpbacklog_lost_events_total{$LBL} 0"
	"tcpbacklog_listen_drops_total{kind=\"syn_drop\"} $LO"
	"tcpbacklog_listen_drops_total{kind=\"accept_overflow\"} $((LD - LO))")
if [ "$BUCKET_CHECK" = 1 ]; then
	wanted+=("${HIST}_bucket{$LBL,le=\"1.048576\"} 0"
		 "${HIST}_bucket{$LBL,le=\"2.097152\"} $(kv "$HOLDER_OUT" accepted)")
fi
# scrape_missing FILE: the wanted lines FILE lacks, into errs
scrape_missing() {
	local line

	errs=""
	for line in "${wanted[@]}"; do
		grep -qxF "$line" "$1" || errs="${errs:+$errs; }missing '$line'"
	done
}
# the tracer publishes once a second: wait until one copy has everything
for ((i = 0; i < SETTLE_TIMEOUT * 4; i++)); do
	scrape "$WORK/scrape.prom" >/dev/null
	scrape_missing "$WORK/scrape.prom"
	[ -z "$errs" ] && break
	sleep 0.25
done
if [ -z "$errs" ]; then
	pass scrape "listener series with netns, laddr, lport, comm=\"$COMM_LABEL\": ${#wanted[@]} samples as the kernel and the driver count (histogram buckets $([ "$BUCKET_CHECK" = 1 ] && echo checked || echo "not checked: wait $WAIT_MIN-$WAIT_MAX ms"))"
else
	fail scrape "$errs (have: $(grep "lport=\"8080\"" "$WORK/scrape.prom" | grep -v _bucket | tr '\n' ' '))"
fi

# A histogram Prometheus can use: bounds rising to +Inf, counts cumulative,
# +Inf equal to _count, for every listener of the scrape
hist_err=$(grep "^${HIST}_" "$WORK/scrape.prom" | awk '
	{
		sub(/^tcpbacklog_accept_latency_seconds_/, "")
		v = $NF; $NF = ""
		kind = substr($0, 1, index($0, "{") - 1)
		lbl = substr($0, index($0, "{") + 1)
		le = ""
		if (kind == "bucket") {
			le = lbl; sub(/.*,le="/, "", le); sub(/".*/, "", le)
			sub(/,le="[^"]*"/, "", lbl)
		}
		if (kind == "bucket") {
			if (lbl in last && (le != "+Inf" && le + 0 <= lastle[lbl] + 0 || v + 0 < last[lbl]))
				{ print "bucket le=" le " of {" lbl " not rising"; bad = 1 }
			if (lbl in inf) { print "bucket after +Inf in {" lbl; bad = 1 }
			last[lbl] = v + 0; lastle[lbl] = le
			if (le == "+Inf") inf[lbl] = v + 0
			n[lbl]++
		} else if (kind == "count") {
			if (!(lbl in inf) || inf[lbl] != v + 0)
				{ print "_count " v " != +Inf bucket in {" lbl; bad = 1 }
			counted[lbl] = 1
		}
	}
	END {
		for (l in inf) if (!(l in counted)) print "no _count for {" l
		for (l in n) k++
		if (!k) print "no histogram"
	}' | head -n 3)
if [ -z "$hist_err" ]; then
	pass histogram "${HIST}: bounds rising to +Inf, counts cumulative, +Inf = _count"
else
	fail histogram "$(echo "$hist_err" | tr '\n' ' ')"
fi

# Bounded cardinality: no label but these, and one label set per listener
# in the test's namespace (six clients, one listener: no peer labels)
bad=$(grep -v '^#' "$WORK/scrape.prom" | sed -n 's/^[a-z_]*{\(.*\)} [^ ]*$/\1/p' |
	grep -o '[a-z_]*="' | sort -u | tr -d '="' |
	grep -vx -e netns -e laddr -e lport -e comm -e reason -e error -e le -e kind -e version)
sets=$(grep -v '^#' "$WORK/scrape.prom" | grep -o "netns=\"$NS_INO\",laddr=\"[^\"]*\",lport=\"[0-9]*\",comm=\"[^\"]*\"" |
	sort -u | wc -l)
if [ -z "$bad" ] && [ "$sets" = 1 ]; then
	pass cardinality "labels netns, laddr, lport, comm (+ reason, error, le) only; 1 listener = 1 label set"
else
	fail cardinality "unexpected labels '$(echo $bad)', $sets listener label sets (expected 1)"
fi

if promtool check metrics <"$WORK/scrape.prom" >"$WORK/promtool.out" 2>&1; then
	if [ -s "$WORK/promtool.out" ]; then
		fail promtool "lint: $(head -c 400 "$WORK/promtool.out" | tr '\n' ' ')"
	else
		pass promtool "promtool check metrics: $(wc -l <"$WORK/scrape.prom") lines, no problem"
	fi
else
	fail promtool "$(head -c 400 "$WORK/promtool.out" | tr '\n' ' ')"
fi

# ------------------------------------------------- what Prometheus holds --

q="sum by (netns) (tcpbacklog_syn_drops_total{netns=\"$NS_INO\"})"
if wait_query "$q" "$LO"; then
	pass prometheus_syn_drops "$q = $GOT = TcpExtListenOverflows"
else
	fail prometheus_syn_drops "$q = $GOT, TcpExtListenOverflows $LO"
fi
# the series themselves, as the plain query returns them; "comm" stands
# for the owner's name arriving intact (escapes undone, U+FFFD in place)
series=$(curl -s --max-time 3 -G --data-urlencode "query=tcpbacklog_syn_drops_total{netns=\"$NS_INO\"}" \
	"http://127.0.0.1:$PROM_PORT/api/v1/query" 2>/dev/null |
	jq -r --arg c "$COMM_VALUE" '.data.result[] |
		"\(.metric.lport)/\(if .metric.comm == $c then "comm" else (.metric.comm | @json) end)/\(.metric.reason)=\(.value[1])"' \
		2>/dev/null | sort | paste -sd' ')
want="8080/comm/accept_queue_full=$LO 8080/comm/other=0 8080/comm/syn_queue_full=0"
if [ "$series" = "$want" ]; then
	pass prometheus_series "tcpbacklog_syn_drops_total{netns=\"$NS_INO\"}: $series"
else
	fail prometheus_series "got '$series', expected '$want'"
fi

q="sum by (netns) (tcpbacklog_syn_drops_total{netns=\"$NS_INO\"}) + sum by (netns) (tcpbacklog_accept_overflows_total{netns=\"$NS_INO\"})"
if wait_query "$q" "$LD"; then
	pass prometheus_listen_drops "syn drops + accept overflows = $GOT = TcpExtListenDrops"
else
	fail prometheus_listen_drops "syn drops + accept overflows = $GOT, TcpExtListenDrops $LD"
fi
q="sum(tcpbacklog_listen_drops_total)"
if wait_query "$q" "$LD"; then
	pass prometheus_totals "$q = $GOT = TcpExtListenDrops"
else
	fail prometheus_totals "$q = $GOT, TcpExtListenDrops $LD"
fi

# the accept side, against the driver's own counts
errs=""
for qw in "sum(tcpbacklog_accept_errors_total{netns=\"$NS_INO\",error=\"EMFILE\"})=$(kv "$HOLDER_OUT" accept_emfile)" \
	  "sum(tcpbacklog_accepts_total{netns=\"$NS_INO\"})=$(kv "$HOLDER_OUT" accepted)" \
	  "sum(${HIST}_count{netns=\"$NS_INO\"})=$(kv "$HOLDER_OUT" accepted)"; do
	wait_query "${qw%=*}" "${qw##*=}" || errs="${errs:+$errs; }${qw%=*} = $GOT, expected ${qw##*=}"
done
if [ -z "$errs" ]; then
	pass prometheus_accepts "EMFILE errors $(kv "$HOLDER_OUT" accept_emfile), accepts $(kv "$HOLDER_OUT" accepted), latency count $(kv "$HOLDER_OUT" accepted), as the driver counts"
else
	fail prometheus_accepts "$errs"
fi
# Prometheus reads the buckets as a histogram: one observation in
# (1.048576, 2.097152] has its median at the bucket's middle
if [ "$BUCKET_CHECK" = 1 ] && [ "$(kv "$HOLDER_OUT" accepted)" = 1 ]; then
	q="histogram_quantile(0.5, sum by (le) (${HIST}_bucket{netns=\"$NS_INO\"}))"
	if wait_query "$q" 1.572864; then
		pass prometheus_histogram "$q = $GOT"
	else
		fail prometheus_histogram "$q = $GOT, expected 1.572864"
	fi
fi

# the kernel has not moved meanwhile: the comparison was against a still picture
LD2=$(nstat_get "$NS" TcpExtListenDrops)
if [ "$LD2" = "$LD" ]; then
	pass stable "ListenDrops still $LD: the comparisons were against a still picture"
else
	fail stable "ListenDrops moved from $LD to $LD2 during the checks"
fi

# ------------------------------------- listeners that close and come back --
# The held listener closes; then the same program restarts on the same
# port twice, each time overflowing and exiting at once (between two
# publishes): the second time while hostile scrapers hammer the endpoint.
# The one series of that label set never goes down, keeps its counters
# when no listener is left (its gauges go), and ends exactly at the
# kernel's count.

kill -USR1 "$HOLDER_PID" 2>/dev/null
stop_pid "$HOLDER_PID" none "$STOP_TENTHS"
HOLDER_PID=""
ACCEPTED=$(kv "$HOLDER_OUT" accepted)
EMFILED=$(kv "$HOLDER_OUT" accept_emfile)
gauge_gone=0
for ((i = 0; i < SETTLE_TIMEOUT * 4; i++)); do
	scrape "$WORK/closed.prom" >/dev/null
	if ! grep -qF "tcpbacklog_accept_queue_length{$LBL}" "$WORK/closed.prom"; then
		gauge_gone=1
		break
	fi
	sleep 0.25
done
errs=""
for line in "tcpbacklog_syn_drops_total{$LBL,reason=\"accept_queue_full\"} $LO" \
	    "tcpbacklog_accept_overflows_total{$LBL} $((LD - LO))" \
	    "tcpbacklog_accepts_total{$LBL} $ACCEPTED"; do
	grep -qxF "$line" "$WORK/closed.prom" || errs="${errs:+$errs; }missing '$line'"
done
[ "$gauge_gone" = 1 ] || errs="${errs:+$errs; }gauges still there ${SETTLE_TIMEOUT}s after the close"
if [ -z "$errs" ]; then
	pass closed_series "listener closed: its counters stay (syn drops $LO, accepts $ACCEPTED), its gauges are gone"
else
	fail closed_series "$errs"
fi

# holder_burst NAME: the same program on the same port, overflowing, then
# gone at once; adds its accepts and EMFILE failures to the running sums
holder_burst() {
	timeout $((DRIVER_TIMEOUT + 5)) ip netns exec "$NS" "$HOLDER" -p 8080 -a "$ACCEPTS" \
		-e "$EMFILES" -c "$HOLDER_COMM" -t 1 >"$WORK/$1.out" 2>"$WORK/$1.err" </dev/null
	if ! grep -q '^ready=1' "$WORK/$1.out"; then
		fail "$1" "driver failed: $(tr '\n' ' ' <"$WORK/$1.err")"
		return 1
	fi
	ACCEPTED=$((ACCEPTED + $(kv "$WORK/$1.out" accepted)))
	EMFILED=$((EMFILED + $(kv "$WORK/$1.out" accept_emfile)))
	return 0
}

LD_BEFORE=$(nstat_get "$NS" TcpExtListenDrops)
holder_burst restart &&
	pass restart "same program on port 8080 again: overflowed and exited (ListenDrops $LD_BEFORE -> $(nstat_get "$NS" TcpExtListenDrops))"

# ---------------------------------------------------------- scrape abuse --
# For ABUSE_MS: ABUSE_FAST clients from 127.0.0.3 scraping as fast as they
# can, and from 127.0.0.2 ABUSE_SLOW sending their request a byte a second
# and ABUSE_DEAF sending pipelined requests and never reading. Each address
# gets a bounded share of the endpoint's connections (16 of 64). Meanwhile the listener restarts
# and overflows once more, and a scrape from 127.0.0.1 every half second
# must be answered within 2 s.
ABUSE_MS=15000	# longer than the endpoint's 10 s request deadline
ABUSE_FAST=200
ABUSE_SLOW=50
ABUSE_DEAF=50
RSS_LIMIT_KB=16384	# growth of the tracer's resident peak the abuse may cause

if [ -z "$ABUSER" ]; then
	ABUSER="$WORK/scrape_abuser"
	gcc -O2 -Wall -Itests/lib tests/metrics/scrape_abuser.c -o "$ABUSER" -lpthread \
		2>"$WORK/abuser.build" ||
		fail abuse "building the scrape abuser failed: $(head -c 300 "$WORK/abuser.build")"
fi
if [ -x "$ABUSER" ]; then
	RSS0=$(status_kb "$TRACER_PID" VmRSS)
	HWM0=$(status_kb "$TRACER_PID" VmHWM)
	"$ABUSER" -d 127.0.0.1 -p "$METRICS_PORT" -s 127.0.0.2 -S 127.0.0.3 -f "$ABUSE_FAST" -l "$ABUSE_SLOW" \
		-n "$ABUSE_DEAF" -t "$ABUSE_MS" >"$WORK/abuser.out" 2>"$WORK/abuser.err" </dev/null &
	ABUSER_PID=$!
	sleep 1
	holder_burst abused_restart
	probes=0
	answered=0
	while kill -0 "$ABUSER_PID" 2>/dev/null; do
		probes=$((probes + 1))
		[ "$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$METRICS_URL")" = 200 ] &&
			answered=$((answered + 1))
		sleep 0.5
	done
	wait "$ABUSER_PID"
	ABUSER_PID=""
	RSS1=$(status_kb "$TRACER_PID" VmRSS)
	HWM1=$(status_kb "$TRACER_PID" VmHWM)
	A="$WORK/abuser.out"
	figures="$(kv "$A" fast_ok) fast scrapes answered, $(kv "$A" fast_failed) refused or cut; slow clients: $(kv "$A" slow_refused) refused, $(kv "$A" slow_cut) cut (kept $(kv "$A" slow_kept_ms_max) ms at most); deaf clients: $(kv "$A" deaf_connected) connected, $(kv "$A" deaf_cut) cut; tracer VmRSS ${RSS0} -> ${RSS1} kB, VmHWM ${HWM0} -> ${HWM1} kB"
	if [ "$probes" -gt 0 ] && [ "$answered" = "$probes" ] &&
	   [ $((HWM1 - RSS0)) -le "$RSS_LIMIT_KB" ] && [ "$(kv "$A" fast_ok)" -gt 0 ] &&
	   [ $(($(kv "$A" slow_refused) + $(kv "$A" slow_cut))) = "$ABUSE_SLOW" ] &&
	   [ "$(kv "$A" slow_kept_ms_max)" -le 13000 ]; then
		pass abuse "$ABUSE_FAST fast, $ABUSE_SLOW slow, $ABUSE_DEAF deaf scrapers for $((ABUSE_MS / 1000)) s: $answered/$probes scrapes from 127.0.0.1 answered; $figures"
	else
		fail abuse "$answered/$probes scrapes from 127.0.0.1 answered (every slow client dropped within 13 s, the peak may grow ${RSS_LIMIT_KB} kB at most); $figures"
	fi
fi

# --------------------------------------------- the whole run, exactly --

LD=$(nstat_get "$NS" TcpExtListenDrops)
LO=$(nstat_get "$NS" TcpExtListenOverflows)
errs=""
for qw in "sum(tcpbacklog_syn_drops_total{netns=\"$NS_INO\"}) + sum(tcpbacklog_accept_overflows_total{netns=\"$NS_INO\"})=$LD" \
	  "sum(tcpbacklog_syn_drops_total{netns=\"$NS_INO\",reason=\"accept_queue_full\"})=$LO" \
	  "sum(tcpbacklog_listen_drops_total)=$LD" \
	  "sum(tcpbacklog_accepts_total{netns=\"$NS_INO\"})=$ACCEPTED" \
	  "sum(tcpbacklog_accept_errors_total{netns=\"$NS_INO\",error=\"EMFILE\"})=$EMFILED" \
	  "count(tcpbacklog_accepts_total{netns=\"$NS_INO\"})=1" \
	  "sum(resets(tcpbacklog_syn_drops_total{netns=\"$NS_INO\"}[10m])) + sum(resets(tcpbacklog_accept_overflows_total{netns=\"$NS_INO\"}[10m])) + sum(resets(tcpbacklog_accepts_total{netns=\"$NS_INO\"}[10m]))=0" \
	  "max(tcpbacklog_tracer_lost_events_total)=0"; do
	wait_query "${qw%=*}" "${qw##*=}" || errs="${errs:+$errs; }${qw%=*} = $GOT, expected ${qw##*=}"
done
if [ -z "$errs" ]; then
	pass whole_run "three listeners in turn on port 8080, one series: never reset, ends at ListenDrops $LD, ListenOverflows $LO, accepts $ACCEPTED, EMFILE $EMFILED; lost 0"
else
	fail whole_run "$errs"
fi

# the client side, after the whole run (its listeners accept too):
# connect() failing in the same namespace: no local port left (a range of
# 10 ports), then refused. Prometheus must hold the driver's own counts
# per errno, and the per-destination gauges (from the tracer with -i,
# scraped directly while the driver holds its ports) the range it set.
CLIENT="$WORK/connect_fail"
if gcc -O2 -Wall -std=gnu11 -D_GNU_SOURCE -pthread -Itests/lib -Itests/integration tests/integration/connect_fail.c -o "$CLIENT" \
	2>"$WORK/client.build"; then
	ip netns exec "$NS" "$CLIENT" -m exhaust -n 10 >"$WORK/client.out" 2>"$WORK/client.err" </dev/null &
	CLIENT_PID=$!
	# the interval report after the failures: up to a few seconds after the driver
	saw_range=""
	for ((i = 0; i < SETTLE_TIMEOUT * 5; i++)); do
		curl -s --max-time 2 "http://127.0.0.1:$METRICS2_PORT/metrics" 2>/dev/null |
			grep -q "^tcpbacklog_local_port_range_size{netns=\"$NS_INO\",raddr=\"127.0.0.1\",rport=\"[0-9]*\"} 10$" &&
			saw_range=1
		[ -n "$saw_range" ] && ! kill -0 "$CLIENT_PID" 2>/dev/null && break
		sleep 0.2
	done
	wait "$CLIENT_PID"
	client_rc=$?
	ip netns exec "$NS" "$CLIENT" -m refused -p "$(free_port)" -k 2 >"$WORK/refused.out" 2>"$WORK/refused.err" </dev/null
	refused_rc=$?
	NOTAVAIL=$(kv "$WORK/client.out" fail_EADDRNOTAVAIL)
	REFUSED=$(kv "$WORK/refused.out" fail_ECONNREFUSED)
	errs=""
	[ "$client_rc" = 0 ] && [ "$refused_rc" = 0 ] ||
		errs="driver exit status $client_rc/$refused_rc: $(head -c 300 "$WORK/client.err" "$WORK/refused.err")"
	for qw in "sum(tcpbacklog_connect_errors_total{netns=\"$NS_INO\",error=\"EADDRNOTAVAIL\"})=$NOTAVAIL" \
		  "sum(tcpbacklog_connect_errors_total{netns=\"$NS_INO\",error=\"ECONNREFUSED\"})=$REFUSED" \
		  "count(tcpbacklog_connect_errors_total{netns=\"$NS_INO\"})=2"; do
		[ -n "$errs" ] && break
		wait_query "${qw%=*}" "${qw##*=}" || errs="${errs:+$errs; }${qw%=*} = $GOT, expected ${qw##*=}"
	done
	[ -n "$saw_range" ] || errs="${errs:+$errs; }the tracer with -i never showed tcpbacklog_local_port_range_size 10 toward 127.0.0.1"
	if [ -z "$errs" ]; then
		pass client_side "connect(): $NOTAVAIL EADDRNOTAVAIL (range of 10 ports) and $REFUSED ECONNREFUSED, as the driver saw; the destination's port range 10 on the -i tracer"
	else
		fail client_side "$errs"
	fi
else
	fail client_side "building connect_fail failed: $(head -c 300 "$WORK/client.build")"
fi

# the tracer with -i, scraped directly: the same counts
wanted=("tcpbacklog_syn_drops_total{$LBL,reason=\"accept_queue_full\"} $LO"
	"tcpbacklog_accept_overflows_total{$LBL} $((LD - LO))"
	"tcpbacklog_accepts_total{$LBL} $ACCEPTED"
	"tcpbacklog_accept_errors_total{$LBL,error=\"EMFILE\"} $EMFILED"
	"tcpbacklog_listen_drops_total{kind=\"syn_drop\"} $LO"
	"tcpbacklog_tracer_lost_events_total 0")
for ((i = 0; i < SETTLE_TIMEOUT * 4; i++)); do
	curl -s --max-time 3 -o "$WORK/interval.prom" "http://127.0.0.1:$METRICS2_PORT/metrics" 2>/dev/null
	scrape_missing "$WORK/interval.prom"
	[ -z "$errs" ] && break
	sleep 0.25
done
if [ -z "$errs" ]; then
	pass interval_tracer "with -i (closed listeners taken by the interval report): the same ${#wanted[@]} samples"
else
	fail interval_tracer "$errs"
fi
stop_pid "$TRACER2_PID" INT "$STOP_TENTHS"
TRACER2_PID=""

# ---------------------------------------------------------------- the end --

kill -INT "$TRACER_PID" 2>/dev/null
if ! wait_gone "$TRACER_PID" "$STOP_TENTHS"; then
	fail tracer_exit "still running ${STOP_TIMEOUT}s after SIGINT (killed)"
	stop_pid "$TRACER_PID" KILL "$STOP_TENTHS"
else
	wait "$TRACER_PID"
	rc=$?
	if [ "$rc" = 0 ]; then
		pass tracer_exit "SIGINT: exit status 0"
	else
		fail tracer_exit "exit status $rc after SIGINT: $(head -c 300 "$WORK/tracer.err")"
	fi
fi
TRACER_PID=""
finish
