#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages a task needs, only those missing, so that
# every make target works on a fresh machine. The one place that knows
# which packages each task needs.
#
#   scripts/install-deps.sh [GROUP...]      (default: core)
#
# Groups:
#   core         build, run, unit and integration tests (make run, make test)
#   integration  what tests/integration/run.sh runs besides the tracer
#   servers      the real servers and clients of its real_* scenarios
#                (nginx, redis, haproxy, ab; never started as services on
#                install)
#   vm           the kernel matrix under qemu (make vmtest)
#   fuzz         clang-14 and its fuzzer runtime (make fuzz)
#   bench        bpftrace, the side-by-side figures of make bench
#   metrics      a real Prometheus, curl (make test-metrics)
#   install      systemd-analyze, man, lexgrog, groff (make test-install)
# Exits 1 when a package is missing and cannot be installed (not root, or
# apt-get failed).
set -e

group_packages() {
	case "$1" in
	core)	 echo "clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libcmocka-dev libmicrohttpd-dev iproute2 pkg-config make gcc jq" ;;
	integration) echo "iproute2 jq systemd procps util-linux" ;;
	servers) echo "nginx-light redis-server redis-tools haproxy apache2-utils python3 iproute2" ;;
	vm)	 echo "qemu-system-x86 busybox-static cpio kmod xz-utils" ;;
	fuzz)	 echo "clang-14 libclang-rt-14-dev" ;;
	bench)	 echo "bpftrace" ;;
	metrics) echo "iproute2 curl jq prometheus gcc" ;;
	install) echo "systemd man-db groff-base gzip" ;;
	*)	 echo "install-deps: unknown group '$1' (core integration servers vm fuzz bench metrics install)" >&2
		 return 1 ;;
	esac
}

[ $# -gt 0 ] || set -- core
wanted=""
for group in "$@"; do
	wanted="$wanted $(group_packages "$group")"
done

missing=""
for p in $wanted; do
	case " $missing " in *" $p "*) continue ;; esac
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "tcpbacklog: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "tcpbacklog: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# servers installed for the tests must not start as the host's services
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
