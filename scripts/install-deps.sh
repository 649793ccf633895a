#!/bin/sh
# Install the Debian packages tcpbacklog needs to build, run and test,
# only those missing (so `make run` / `make test` work on a fresh machine).
set -e
PKGS="clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libcmocka-dev libmicrohttpd-dev iproute2 pkg-config make gcc jq"
missing=""
for p in $PKGS; do
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
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
