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
# The pieces: tests/lib/harness.sh (what every harness shares),
# checks.sh (the tracer, the drivers and the checks on their output) and
# one file per scenario in scenarios/, each defining sc_<name>; the table
# at the end says which scenario runs which with what.
#
# Needs root, ip(8), nstat, jq; the real_* scenarios nginx, redis, haproxy, ab
# (scripts/install-deps.sh servers, run here). Creates namespaces tb-<pid>-<n> and always
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
#   connect_exhaust_*        connect_fail -m exhaust: ip_local_port_range of
#                            10 ports; 10 connects, the 11th EADDRNOTAVAIL, the
#                            same 10 ports to a second destination, TIME_WAIT
#                            (tcp_tw_reuse 0) holding them -> 3 connect_error;
#                            _uring: the failing connects by IORING_OP_CONNECT
#   connect_refused_*        3 (2) blocking + 3 (2) non-blocking refused, one
#                            failure repeated by a second connect() -> 6 (4)
#   connect_bound            bind() then connect(), refused: lport is the bound one
#   bind_in_use_*            bind() to a listener's port -> 3 (2) bind_error
#   real_nginx               nginx (master, 2 workers, worker_rlimit_nofile 24,
#                            backlog 8) under ab -c 100: drops name the master,
#                            accept_error EMFILE the workers, as many as
#                            nginx's own error log counts
#   real_redis, real_python_http  redis-server (tcp-backlog 4) and python3 -m
#                            http.server (backlog 5) stopped 1.5 s under
#                            40 redis-cli / ab: every drop names them
#   real_haproxy             haproxy at maxconn 10 (backlog 4) under ab -c 100
#   connect_outlived         blocking connects whose call returns first
#                            (SO_SNDTIMEO, a signal) end ETIMEDOUT later, 2 + 2;
#                            2 restarted by SA_RESTART fail in the call -> 6
#   connect_unreachable_*    no route: 2 blocking + 2 non-blocking ENETUNREACH;
#                            IPv4 also a TUN router answering ICMP host
#                            unreachable: 2 non-blocking (state change) + 2
#                            blocking EHOSTUNREACH -> 8 (4)
#   prefork_ipv4/_ipv6       prefork, -i 1: a master listens, 3 (2) workers
#                            accept 4 (5) each at a limit of 4 (5) fds more than
#                            they hold, then 2 (3) EMFILE each -> accept_error
#                            and fd_limit name the workers and their limit,
#                            listener records list each with its counts
#   prefork_reuseport        prefork -r: 3 SO_REUSEPORT members made by the
#                            master, worker i accepts from member i; 24 connects
#                            -> each member's drops name its worker as acceptor
#   socket_activate          systemd-socket-activate execs sa_server, whose
#                            worker accepts 5 -> the worker is the acceptor
#   prefork_pidns(_hostproc) prefork_ipv4 with the tracer in its own PID
#                            namespace and /proc (the host's /proc)
#   connect_timeout          a TUN peer that never answers, TCP_SYNCNT 1: 2
#                            non-blocking + 2 blocking connects -> 4 ETIMEDOUT
#   connect_race             connect_fail -m race: 90 non-blocking connects
#                            refused on loopback, each error taken by
#                            getsockopt(SO_ERROR) spinning on another CPU,
#                            before the state change -> 90 ECONNREFUSED
#                            (under the default --rate-limit of 100/s)
#   connect_race_icmp        the same toward a TUN peer answered with ICMP
#                            host unreachable -> 90 EHOSTUNREACH (6.10+: seen
#                            only at getsockopt(SO_ERROR)'s exit)
#   connect_race_timeout     (not in the default list) the same for 90
#                            connects timing out 30 ms apart -> 90 ETIMEDOUT;
#                            here about one run in five misses one: the
#                            state change's program does not run (other
#                            processes' softirqs, no recursion miss counted)
#   connect_uring_ipv4/_ipv6 IORING_OP_CONNECT refused, 2 on blocking and 2 on
#                            non-blocking sockets -> 4 connect_error
#   connect_rate_limit       --rate-limit 2, 10 refused connects of one process
#                            -> 2 lines + 8 suppressed = totals 10
#   identity                 drivers in cgroups made like systemd's, Kubernetes'
#                            and docker's: cgroup, unit, container, pod_uid of
#                            every record and listener record
#   identity_filter          --cgroup: drops, accept errors, connects in and
#                            out of the subtree -> only those inside, exactly
#   identity_preexisting_*   a listener older than the tracer, its owner in a
#                            service: identity and --cgroup from /proc
#   client_delay_ipv4/_ipv6  client_cost -m delay, -i 1: listen(fd, 2), one
#                            accept per 300 ms, 12 (8) blocking connects 10 ms
#                            apart -> delayed = connects with a retransmitted
#                            SYN, their delay = their connect() time
#   client_abandon           client_cost -m abandon, --abandon-after 1.5: a full
#                            queue, 4 clients with TCP_SYNCNT 1 -> 4 ETIMEDOUT
#                            = 4 abandoned
#   tun_ack_overflow_delayed tun_peer -m rtx: an ACK overflows, an accept makes
#                            room, the SYN-ACK comes again 1 s later and its
#                            ACK gets in -> delayed 1 by ~1 s, synack_retransmits
#                            = TCPSynRetrans
#   tun_syn_flood            tun_peer -m flood, syncookies 0: 40 spoofed SYNs (35
#                            dropped), 3 real clients -> 3 delayed, 35
#                            abandoned or untracked, syn_flood hint

set -u

set -u

usage() {
	echo "usage: $0 BIN DRIVER_DIR [SCENARIO...]" >&2
	exit 2
}
[ $# -ge 2 ] || usage

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/harness.sh"
. "$HERE/checks.sh"
for f in "$HERE"/scenarios/*.sh; do
	. "$f"
done

BIN=$(abspath "$1")
DRV=$(abspath "$2")
shift 2
ONLY="$*"

START_TIMEOUT=10	# s, for the tracer's start record
STOP_TIMEOUT=10		# s, for the tracer to exit after SIGINT
DRIVER_TIMEOUT=30	# s, hard limit for one driver
DRAIN=0.3		# s, after the traffic, before SIGINT

work_dir_make tb-it || exit 1

cleanup() {
	trap - EXIT INT TERM
	bg_stop_all TERM 10
	ns_remove_all
	cg_remove_all
	work_dir_remove "${TB_IT_KEEP:-0}" "work directory kept: "
}
traps_set

# ---------------------------------------------------------------- setup --

PRE_ERR=""
[ "$(id -u)" = 0 ] || PRE_ERR="not root"
command -v ip >/dev/null 2>&1 || PRE_ERR="${PRE_ERR:+$PRE_ERR; }ip(8) missing"
command -v nstat >/dev/null 2>&1 || PRE_ERR="${PRE_ERR:+$PRE_ERR; }nstat missing (iproute2)"
if [ "$(id -u)" = 0 ]; then
	"$HERE/../../scripts/install-deps.sh" integration servers >/dev/null 2>&1
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

# ------------------------------------------------------------ scenarios --

SCENARIOS="overflow_ipv4 overflow_ipv6 tun_syn_queue_full tun_ack_overflow_cookies
tun_ack_overflow_reqsk reuseport reuseport_owners preexisting emfile_ipv4 emfile_ipv6
overflow_wildcard overflow_dualstack relisten preexisting_dirty concurrent two_netns
port_filter_other port_filter_match pid_filter_other pid_filter_match duration netns_reuse failures
slow_accept slow_accept_steady uring_emfile_ipv4 uring_emfile_ipv6
connect_exhaust_ipv4 connect_exhaust_ipv6 connect_exhaust_uring connect_refused_ipv4 connect_refused_ipv6
connect_bound bind_in_use_ipv4 bind_in_use_ipv6 connect_timeout connect_outlived connect_unreachable_ipv4
connect_unreachable_ipv6 connect_race connect_race_icmp connect_uring_ipv4 connect_uring_ipv6 connect_rate_limit
destinations_exhaust destinations_refused_ipv6 destinations_quiet real_nginx real_redis real_python_http real_haproxy
prefork_ipv4 prefork_ipv6 prefork_reuseport socket_activate prefork_pidns prefork_pidns_hostproc
identity identity_filter identity_preexisting_in identity_preexisting_out no_syscall_tracepoints
client_delay_ipv4 client_delay_ipv6 client_abandon tun_ack_overflow_delayed tun_syn_flood"

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
	connect_exhaust_ipv4)	sc_connect_fail "$1" exhaust -n 10 ;;
	connect_exhaust_ipv6)	sc_connect_fail "$1" exhaust -6 -n 10 ;;
	connect_exhaust_uring)	sc_connect_fail "$1" exhaust -u -n 10 ;;
	destinations_quiet)	sc_destinations_quiet "$1" -n 10 ;;
	real_nginx)		sc_real_nginx "$1" ;;
	real_redis)		sc_real_loaded "$1" 6390 redis-server redis-server,redis-cli real_redis_server 1 \
					sh -c 'for i in $(seq 40); do redis-cli -p 6390 ping >/dev/null & done; wait' ;;
	real_python_http)	sc_real_loaded "$1" 8082 python3 ab real_python_server 1 \
					ab -q -c 30 -n 30 -s 10 http://127.0.0.1:8082/ ;;
	real_haproxy)		sc_real_loaded "$1" 8083 haproxy haproxy,ab real_haproxy_server 0 \
					ab -q -c 100 -n 3000 -s 10 http://127.0.0.1:8083/ ;;
	connect_refused_ipv4)	sc_connect_fail "$1" refused -p 8080 -k 3 ;;
	connect_refused_ipv6)	sc_connect_fail "$1" refused -6 -p 8080 -k 2 ;;
	connect_bound)		sc_connect_fail "$1" bound -p 8080 -k 1 ;;
	bind_in_use_ipv4)	sc_connect_fail "$1" bind -p 8080 -k 3 ;;
	bind_in_use_ipv6)	sc_connect_fail "$1" bind -6 -p 8080 -k 2 ;;
	connect_timeout)	sc_connect_fail "$1" timeout -p 8080 -k 2 ;;
	connect_unreachable_ipv4) sc_connect_fail "$1" unreachable -p 8080 -k 2 ;;
	connect_outlived)	sc_connect_fail "$1" outlived -p 8080 -k 2 ;;
	connect_unreachable_ipv6) sc_connect_fail "$1" unreachable -6 -p 8080 -k 2 ;;
	connect_race)		sc_connect_fail "$1" race -p 8080 -k 90 ;;
	connect_race_icmp)	sc_connect_fail "$1" race_icmp -p 8080 -k 90 ;;
	connect_race_timeout)	sc_connect_fail "$1" race_timeout -p 8080 -k 90 ;;
	connect_uring_ipv4)	sc_connect_fail "$1" uring -p 8080 -k 2 ;;
	connect_uring_ipv6)	sc_connect_fail "$1" uring -6 -p 8080 -k 2 ;;
	connect_rate_limit)	sc_connect_rate_limit "$1" ;;
	destinations_exhaust)	sc_destinations "$1" exhaust -n 10 ;;
	destinations_refused_ipv6) sc_destinations "$1" refused -6 -p 8080 -k 3 ;;
	prefork_ipv4)		sc_prefork "$1" "" -p 8080 -w 3 -a 4 -k 2 ;;
	prefork_ipv6)		sc_prefork "$1" "" -6 -p 8080 -w 2 -a 5 -k 3 ;;
	prefork_reuseport)	sc_prefork_reuseport "$1" -p 8080 -w 3 -n 24 -H 0 ;;
	socket_activate)	sc_socket_activate "$1" ;;
	prefork_pidns)		sc_prefork "$1" pidns -p 8080 -w 3 -a 4 -k 2 ;;
	prefork_pidns_hostproc)	sc_prefork "$1" pidns_hostproc -p 8080 -w 3 -a 4 -k 2 ;;
	identity)		sc_identity "$1" ;;
	identity_filter)	sc_identity_filter "$1" ;;
	identity_preexisting_in) sc_identity_preexisting "$1" in ;;
	identity_preexisting_out) sc_identity_preexisting "$1" out ;;
	no_syscall_tracepoints)	sc_no_syscall_tracepoints "$1" -p 8080 -l 16 -k 3 ;;
	client_delay_ipv4)	sc_client_delay "$1" -p 8080 -b 2 -n 12 -a 300 -g 10 ;;
	client_delay_ipv6)	sc_client_delay "$1" -6 -p 8080 -b 2 -n 8 -a 300 -g 10 ;;
	tun_ack_overflow_delayed) sc_tun "$1" rtx -c 0 -p 8080 ;;
	tun_syn_flood)		sc_tun_flood "$1" -c 0 -p 8080 -b 4 -n 40 -r 3 ;;
	client_abandon)		sc_client_abandon "$1" -p 8080 -b 1 -n 6 -s 1 ;;
	*)			echo "unknown scenario $1" >&2; return 1 ;;
	esac
}

for s in ${ONLY:-$SCENARIOS}; do
	run_one "$s" || FAILED=$((FAILED + 1))
done
summary
