# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.
#
# Real servers from Debian, loaded by real clients, in the namespace: the
# tracer's counts against the kernel's (check_promise) and, where the
# server logs them, against the server's own count of failed accepts.

# ns_listening NS PORT: wait (bounded) until something listens on PORT in NS
ns_listening() {
	local i

	for ((i = 0; i < 100; i++)); do
		[ -n "$(ip netns exec "$1" ss -Hltn "sport = :$2" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	err "nothing listens on port $2 after 10 s"
	return 1
}

# real_missing CMD...: the first command not installed (the packages come
# from scripts/install-deps.sh servers), or nothing
real_missing() {
	local c

	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || { echo "$c"; return; }
	done
}

# IDLE_CLIENTS PORT N SECONDS: N non-blocking loopback connects that send
# nothing, held open for SECONDS, then closed
IDLE_CLIENTS='
import socket, sys, time
port, n, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
held = []
for _ in range(n):
	s = socket.socket()
	s.setblocking(False)
	s.connect_ex(("127.0.0.1", port))
	held.append(s)
time.sleep(hold)
'

# nginx as it is usually run: a root master that listens, two workers that
# accept with worker_rlimit_nofile 24, a backlog of 8, 60 idle clients that
# connect and send nothing for 3 s (nginx keeps each open, waiting for its
# request: slow clients holding a worker's descriptors) and ab with 100
# concurrent clients. The workers run out of descriptors; nginx logs each
# failed accept4() at "crit" and stops accepting for 500 ms, so the queue
# overflows. Each EMFILE logged is one accept_error naming a worker; each
# drop names the master, the listen() caller, and a worker as acceptor; the
# fd_limit hint speaks of the workers' limit.
sc_real_nginx() {
	local name=$1 ns dir port=8081 master workers emfile ab_done missing n want idle
	scenario_setup ns "$name" || return
	missing=$(real_missing nginx ab ss python3)
	if [ -n "$missing" ]; then
		err "$missing not installed (scripts/install-deps.sh servers)"
		ns_del "$ns"
		verdict "$name" "not run"
		return
	fi
	dir="$WORK/$name.nginx"
	mkdir -p "$dir"
	cat >"$dir/nginx.conf" <<-EOF
	worker_processes 2;
	worker_rlimit_nofile 24;
	daemon off;
	master_process on;
	pid $dir/nginx.pid;
	error_log $dir/error.log error;
	events { worker_connections 64; accept_mutex off; }
	http {
		access_log off;
		client_body_temp_path $dir/body;
		proxy_temp_path $dir/proxy;
		fastcgi_temp_path $dir/fastcgi;
		uwsgi_temp_path $dir/uwsgi;
		scgi_temp_path $dir/scgi;
		server { listen 127.0.0.1:$port backlog=8; location / { return 200 "ok\n"; } }
	}
	EOF
	tracer_start "$ns" "$name" -i 1
	ip netns exec "$ns" nginx -c "$dir/nginx.conf" -e "$dir/error.log" \
		>"$dir/nginx.out" 2>&1 </dev/null &
	master=$!
	bg_add "$master"
	if ns_listening "$ns" "$port"; then
		workers=$(pgrep -P "$master" | paste -sd,)
		timeout -k 2 "$DRIVER_TIMEOUT" ip netns exec "$ns" \
			python3 -c "$IDLE_CLIENTS" "$port" 60 3 >"$dir/idle.out" 2>&1 &
		idle=$!
		timeout -k 2 "$DRIVER_TIMEOUT" ip netns exec "$ns" \
			ab -q -c 100 -n 3000 -s 10 "http://127.0.0.1:$port/" >"$dir/ab.out" 2>&1
		wait "$idle"
		ab_done=$(sed -n 's/^Complete requests: *//p' "$dir/ab.out")
	fi
	# the tracer stops first: a worker shutting down may call accept4()
	# on the listener it has just closed (EBADF), which nginx does not log
	tracer_stop
	kill -QUIT "$master" 2>/dev/null
	wait_gone "$master" 100 || kill -KILL "$master" 2>/dev/null
	bg_done "$master"
	check_promise_interval "$ns" "$name"
	emfile=$(grep -c 'accept4() failed (24: Too many open files)' "$dir/error.log" 2>/dev/null)
	if [ "$TRACER_OK" = 1 ]; then
		[ "$LD" -gt 0 ] && [ "${emfile:-0}" -gt 0 ] ||
			err "scenario setup: expected drops and EMFILE, ListenDrops $LD, nginx logged ${emfile:-0} EMFILE"
		[ "$T_AE" = "${emfile:-0}" ] ||
			err "totals.accept_error $T_AE, nginx logged ${emfile:-0} failed accept4() (EMFILE)"
		ev_expect accept_error error EMFILE
		ev_expect accept_error comm nginx
		ev_expect_in accept_error pid "$workers"
		ev_expect accept_error nofile_limit 24
		ev_expect accept_error lport "$port"
		ev_expect syn_drop pid "$master"
		ev_expect syn_drop comm nginx
		ev_expect syn_drop lport "$port"
		# who accepts: the workers, never the master that listened
		ev_expect_in syn_drop acceptor_pid "$workers,(none)"
		ev_expect_in listener acceptor_pid "$workers,(none)"
		n=$(jqo 'select(.event == "listener") | .acceptors[]?.pid' | sort -u | paste -sd,)
		[ "$n" = "$(tr , '\n' <<<"$workers" | sort -u | paste -sd,)" ] ||
			err "listener records list acceptors $n, the workers are $workers"
		n=$(jqo -s '[.[] | select(.event == "listener") | (.acceptors // []) | map(.accepts) | add // 0] | add // 0')
		want=$(jqo -s '[.[] | select(.event == "listener") | .accepts] | add // 0')
		[ "$n" = "$want" ] || err "the acceptors' accepts sum to $n, the listener records' accepts to $want"
		# the advice names the workers' limit (24), not the master's
		n=$(jqo 'select(.event == "hint" and .kind == "fd_limit") | .text')
		case "$n" in
		*"limit 24"*) ;;
		*) err "fd_limit hint does not name the workers' limit 24: ${n:-no fd_limit hint}" ;;
		esac
		n=$(jqo 'select(.event == "hint" and .kind == "fd_limit") | .text' | grep -c "pid $master:")
		[ "$n" = 0 ] || err "fd_limit hint names the master $master, which never accepts"
	fi
	ns_del "$ns"
	verdict "$name" "nginx master $master, workers $workers; ab: ${ab_done:-?} of 3000 complete; nginx logged ${emfile:-?} EMFILE; $(summary_line)"
}

# loaded_server_run NS NAME PID STOP CLIENT...: run the clients (bounded);
# STOP 1: with the server stopped (SIGSTOP) for their first 1.5 s, so its
# queue overflows
loaded_server_run() {
	local ns=$1 name=$2 pid=$3 stop=$4 client
	shift 4

	[ "$stop" = 1 ] && kill -STOP "$pid"
	timeout -k 2 "$DRIVER_TIMEOUT" ip netns exec "$ns" "$@" >"$WORK/$name.client" 2>&1 &
	client=$!
	if [ "$stop" = 1 ]; then
		sleep 1.5
		kill -CONT "$pid"
	fi
	wait "$client"
}

# The servers loaded by clients: each runs in the foreground, in NS ($1)
real_redis_server() {
	exec ip netns exec "$1" redis-server --port 6390 --bind 127.0.0.1 --tcp-backlog 4 \
		--save "" --appendonly no --dir "$WORK"
}

real_python_server() {
	exec ip netns exec "$1" /usr/bin/python3 -m http.server --bind 127.0.0.1 --directory "$WORK" 8082
}

# haproxy at its maxconn (10) stops accepting: its backlog of 4 overflows
real_haproxy_server() {
	cat >"$WORK/haproxy.cfg" <<-EOF
	global
		maxconn 10
	defaults
		mode http
		timeout client 5s
		timeout connect 1s
		timeout server 5s
	frontend tb
		bind 127.0.0.1:8083 backlog 4
		http-request return status 200 content-type text/plain string ok
	EOF
	exec ip netns exec "$1" haproxy -db -f "$WORK/haproxy.cfg"
}

# sc_real_loaded NAME PORT COMM NEEDS SERVER_FN STOP CLIENT...: the server
# (SERVER_FN NS, listening on PORT, named COMM) loaded by CLIENT (STOP 1:
# stopped meanwhile): its queue overflows, and every drop names it. NEEDS:
# the commands the scenario runs, comma-separated.
sc_real_loaded() {
	local name=$1 port=$2 comm=$3 needs=$4 server=$5 stop=$6 ns pid missing
	shift 6
	scenario_setup ns "$name" || return
	missing=$(real_missing ${needs//,/ } ss)
	if [ -n "$missing" ]; then
		err "$missing not installed (scripts/install-deps.sh servers)"
		ns_del "$ns"
		verdict "$name" "not run"
		return
	fi
	# every drop a record: a burst of ACK-time overflows can pass the
	# default 100 records a second, and each record is checked
	tracer_start "$ns" "$name" --rate-limit 0
	"$server" "$ns" >"$WORK/$name.server" 2>&1 </dev/null &
	pid=$!
	bg_add "$pid"
	if ns_listening "$ns" "$port"; then
		loaded_server_run "$ns" "$name" "$pid" "$stop" "$@"
	fi
	kill -TERM "$pid" 2>/dev/null
	wait_gone "$pid" 100 || kill -KILL "$pid" 2>/dev/null
	bg_done "$pid"
	tracer_stop
	check_promise "$ns"
	if [ "$TRACER_OK" = 1 ]; then
		[ "$LD" -gt 0 ] || err "scenario setup: expected drops, ListenDrops $LD"
		ev_expect syn_drop pid "$pid"
		ev_expect syn_drop comm "$comm"
		ev_expect syn_drop lport "$port"
		ev_expect accept_overflow pid "$pid"
	fi
	ns_del "$ns"
	verdict "$name" "$comm pid $pid$([ "$stop" = 1 ] && echo " stopped 1.5 s") under load; $(summary_line)"
}
