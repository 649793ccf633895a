# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# How far apart the driver's clock readings and the kernel's may be for one
# connection: the tracer stamps the child's clone at the final ACK and the
# accept's syscall exit; the driver reads CLOCK_MONOTONIC right after
# connect() returns (or its epoll wakes, for a retransmitted SYN) and right
# after accept() returns. Both run SCHED_FIFO: measured 20-60 us apart;
# 2 ms leaves room for an interrupt burst and is far below the width of
# the buckets these waits fall in (64-256 ms).
SA_SKEW_US=2000

# sa_latency_check WAITS SKEW < "accepts count p50 p99 max" per record
# (tab separated, as jq's @tsv writes them):
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
# The buckets of p50 and p99 come from lat_bucket, the tracer's own
# tb_lat_slot(), in front of each record's figures.
# Prints "ERR ..." lines for failures, "LOST n", then one "SUMMARY ..." line.
sa_latency_check() {
	"$DRV/lat_bucket" 3 4 | awk -v waits="$1" -v eps="$2" '
	function rank(p, n,  r) {
		r = p * n / 100
		if (!(r > 1))
			return 1
		if (r >= n)
			return n
		return r == int(r) ? r : int(r) + 1
	}
	# the bucket [lo, hi) of a tracer figure reaches within eps of the
	# driver figures [d, u] (d == u unless samples were lost)
	function near(lo, hi, d, u) {
		return lo <= u + eps && hi > d - eps
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
		lo50r = $1; hi50r = $2; lo99r = $3; hi99r = $4
		a = $5; c = $6; t50 = $7; t99 = $8; tm = $9
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
		if (!near(lo50r, hi50r, d50, u50))
			printf "ERR record %d (%d accepts, %d measured): p50 %d us (bucket %d-%d), driver %d%s us\n",
				rec, a, c, t50, lo50r, hi50r, d50, k ? "-" u50 : ""
		if (!near(lo99r, hi99r, d99, u99))
			printf "ERR record %d (%d accepts, %d measured): p99 %d us (bucket %d-%d), driver %d%s us\n",
				rec, a, c, t99, lo99r, hi99r, d99, k ? "-" u99 : ""
		if (tm < dm - eps || tm > um + eps)
			printf "ERR record %d (%d accepts, %d measured): max %d us, driver %d%s us (more than %d us apart)\n",
				rec, a, c, tm, dm, k ? "-" um : "", eps
		if (tm > tmax)
			tmax = tm
		if (lo50r < lo50) lo50 = lo50r
		if (hi50r > hi50) hi50 = hi50r
		if (lo99r < lo99) lo99 = lo99r
		if (hi99r > hi99) hi99 = hi99r
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

# A slow accept() loop, seen through the per-listener records: listen(fd, 8),
# one accept every 50 ms, 120 clients at one per 20 ms (SYNs dropped and
# retransmitted). The driver measures every connection's wait itself.
sc_slow_accept() {
	local name=$1 ns ino dpid acc port backlog lrec out n line misses="" lost=0
	local l_acc l_syn l_aqf l_sqf l_oth l_ao l_ae l_peak l_bmax l_pid l_comm l_n
	shift
	scenario_setup ns "$name" || return
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
	expect_overflows_only
	# the queue holds backlog + 1 (sk_acceptq_is_full() is ack_backlog > max),
	# and one more per other CPU: the check is lockless, so final ACKs
	# completing at the same instant on several CPUs all pass it. The driver
	# saw the queue itself, with TCP_INFO on the listener, before accepting.
	seen=$(kv "$DRV_OUT" queue_peak_seen)
	ncpu=$(nproc)
	[ "$seen" -ge $((backlog + 1)) ] 2>/dev/null && [ "$seen" -le $((backlog + ncpu)) ] ||
		err "scenario setup: the driver saw the accept queue at $seen, expected backlog + 1 = $((backlog + 1)) (up to $((backlog + ncpu)) with $ncpu CPUs)"
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
		# the tracer samples at every packet, the driver before each accept:
		# the tracer sees at least what the driver saw, and no more than can be
		[ "$l_peak" -ge "$seen" ] 2>/dev/null && [ "$l_peak" -le $((backlog + ncpu)) ] ||
			err "listener records: max backlog_peak $l_peak, the driver saw $seen (at most backlog + CPUs = $((backlog + ncpu)))"
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
	ns_del "$ns"
	verdict "$name" "driver: accepted $acc (first try $(kv "$DRV_OUT" first_try), after retransmit $(kv "$DRV_OUT" after_retransmit), resets $(kv "$DRV_OUT" resets), late clock readings $(kv "$DRV_OUT" late_stamps)), wait p50 $(kv "$DRV_OUT" wait_p50_us) p99 $(kv "$DRV_OUT" wait_p99_us) max $(kv "$DRV_OUT" wait_max_us) us, queue seen $(kv "$DRV_OUT" queue_peak_seen)/$backlog; listener records: ${l_n:-?} with accepts $l_acc syn_drops $l_syn accept_overflows $l_ao peak ${l_peak:-?}/${l_bmax:-?}, slow_accept hints $(ev_count hint '.kind == "slow_accept"'); latency: ${SA_LAT:-?}; accepts without a latency sample ${lost:-?}, drops seen late $T_SUP, skipped BPF runs: ${misses:-none}; $(summary_line)"
	SA_LAT=""
}
