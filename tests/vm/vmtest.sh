#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel matrix under qemu: boot Debian's cloud kernels (the newest
# bullseye 5.10, bookworm 6.1 and 6.12 the archive lists) with a busybox initramfs that holds the
# statically linked tracer and scenario drivers, run tests/vm/guest.sh in
# each guest, add a row for the host kernel (the same script, run here in a
# fresh network namespace), print the table kernel x mode x scenario.
#
#   tests/vm/vmtest.sh deps          install the Debian packages it needs
#   tests/vm/vmtest.sh run VMDIR     VMDIR holds tcpbacklog and the drivers,
#                                    all static (make vmtest builds them)
#   tests/vm/vmtest.sh exec VMDIR SERIES 'CMD'
#                                    boot one kernel, run CMD (busybox sh) in
#                                    it instead of the matrix, show the console;
#                                    files named in TB_VM_EXTRA go to /extra
#                                    e.g. exec build/vm 6.12 'tcpbacklog -v -d 1'
#   tests/vm/vmtest.sh table LOG...  the table again, from kept logs
#
# Environment:
#   TB_VM_CACHE      downloads and unpacked kernels
#                    (default $HOME/.cache/tcpbacklog-vm; kept across runs)
#   TB_VM_KERNELS    kernel series (default "5.10 6.1 6.12"; "" = host row only)
#   TB_VM_MODES      tracer modes (default "fentry tracepoint auto")
#   TB_VM_SCENARIOS  scenarios (default: all of them, see SCENARIOS)
#   TB_VM_HOST       0: no host row (default 1)
#   TB_VM_TIMEOUT    s, limit for one boot of a VM (default 600: a whole kernel row takes 330-420 s here; a
#                    boot that hits it is booted again from the cell it died in)
#   TB_VM_RESTARTS   boots after a VM died in a cell (default 3)
#   TB_VM_JOBS       VMs booted at a time (default 1)
#   TB_VM_SMP        vCPUs per VM (default 1, see VM_SMP)
# Exits 1 if any cell failed (or a VM gave no result), 0 otherwise.

set -u

SCENARIOS_ALL="overflow_ipv4 overflow_ipv6 tun_syn_queue_full tun_ack_overflow_cookies
tun_ack_overflow_reqsk reuseport reuseport_owners preexisting emfile_ipv4 emfile_ipv6
two_netns connect_refused connect_uring connect_timeout connect_unreachable connect_outlived bind_in_use connect_exhaust prefork_reuseport identity
tun_ack_overflow_delayed client_delay"
DRIVERS="overflow tun_peer reuseport emfile preexisting connect_fail prefork client_cost"

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${TB_VM_CACHE:-${HOME:-/root}/.cache/tcpbacklog-vm}
KERNELS=${TB_VM_KERNELS-5.10 6.1 6.12}
MODES=${TB_VM_MODES:-fentry tracepoint auto}
SCENARIOS=$(echo ${TB_VM_SCENARIOS:-$SCENARIOS_ALL})
VM_TIMEOUT=${TB_VM_TIMEOUT:-600}
# One vCPU: with two, TCG lets a CPU run code the other is patching
# (text_poke's int3; static keys flip when tracepoints attach, and at boot)
# and the guest oopses now and then, with or without the tracer. The
# host row covers several CPUs.
VM_SMP=${TB_VM_SMP:-1}
JOBS=${TB_VM_JOBS:-1}

log() {
	echo "vmtest: $*" >&2
}

die() {
	log "$*"
	exit 1
}

# Series from another Debian release (bullseye's 5.10) come from lists of
# their own under the cache: the machine's apt sources stay as they are.
foreign_suite() {
	case "$1" in
	5.10) echo bullseye ;;
	esac
}

# apt_opts SERIES: the apt-get/apt-cache options for SERIES' archive
apt_opts() {
	local suite dir

	suite=$(foreign_suite "$1")
	[ -n "$suite" ] || return 0
	dir="$CACHE/apt-$suite"
	if [ ! -f "$dir/sources.list" ]; then
		mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" || return 1
		cat >"$dir/sources.list" <<-EOF
		deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main
		deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security $suite-security main
		EOF
	fi
	# the cache is root's: apt's sandbox user could not write there
	echo "-o Dir::Etc::SourceList=$dir/sources.list -o Dir::Etc::SourceParts=/dev/null" \
	     "-o Dir::State::Lists=$dir/lists -o Dir::Cache=$dir/cache -o APT::Sandbox::User=root"
}

APT_UPDATED=""
apt_updated() {
	local key

	key=$(foreign_suite "$1")
	case " $APT_UPDATED " in *" ${key:-host} "*) return 0 ;; esac
	return 1
}

apt_update() {
	local key=${1:-}

	apt_updated "$key" && return 0
	key=${key:+$(foreign_suite "$key")}
	APT_UPDATED="$APT_UPDATED ${key:-host}"
	log "apt-get update${key:+ ($key)}"
	DEBIAN_FRONTEND=noninteractive apt-get $(apt_opts "${1:-}") update -qq >/dev/null 2>&1 ||
		log "apt-get update failed (continuing with the lists there are)"
}

# install the packages the matrix needs, only those missing
deps() {
	"$HERE/../../scripts/install-deps.sh" vm || die "cannot install the packages of the matrix"
}

# ------------------------------------------------------------ kernels --

# the apt-cache pattern of a series' cloud image package
series_pattern() {
	case "$1" in
	# the signed image: the security archive has dropped bullseye's unsigned one
	5.10) echo '^linux-image-5\.10\.0-[0-9]+-cloud-amd64$' ;;
	6.1) echo '^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$' ;;
	6.12) echo '^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64-unsigned$' ;;
	*) echo "^linux-image-${1//./\\.}[.-][0-9]+.*-cloud-amd64-unsigned\$" ;;
	esac
}

# newest package of a series the archive lists (empty: none)
newest_pkg() {
	apt-cache $(apt_opts "$1") search --names-only "$(series_pattern "$1")" 2>/dev/null |
		awk '{ print $1 }' | sort -V | tail -n 1
}

# fetch_kernel SERIES: download (once) and unpack (once) the newest image of
# SERIES; sets KDIR (the unpacked package) and KVER (its uname -r)
fetch_kernel() {
	local series=$1 pkg ver deb tmp

	pkg=$(newest_pkg "$series")
	if [ -z "$pkg" ]; then
		apt_update "$series"
		pkg=$(newest_pkg "$series")
	fi
	if [ -z "$pkg" ]; then
		# offline: the newest one already unpacked
		KDIR=$(ls -d "$CACHE"/kernels/*/ 2>/dev/null | grep -E "/$(series_pattern "$series" |
			sed 's/^\^//; s/\$$//')_" | sort -V | tail -n 1)
		KDIR=${KDIR%/}
		[ -n "$KDIR" ] || { log "no $series cloud kernel in the archive or the cache"; return 1; }
		log "$series: archive lists none, using cached $(basename "$KDIR")"
	else
		ver=$(apt-cache $(apt_opts "$series") show --no-all-versions "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1)
		[ -n "$ver" ] || { log "no version for $pkg"; return 1; }
		KDIR="$CACHE/kernels/${pkg}_$ver"
		if [ ! -e "$KDIR/.done" ]; then
			mkdir -p "$CACHE/debs" "$CACHE/kernels" || return 1
			deb=$(ls "$CACHE/debs/${pkg}_${ver#*:}_"*.deb 2>/dev/null | head -n 1)
			if [ -z "$deb" ]; then
				log "downloading $pkg $ver"
				if ! (cd "$CACHE/debs" && apt-get $(apt_opts "$series") download "$pkg=$ver" >/dev/null 2>&1); then
					# stale lists name files the mirror has dropped: refresh, resolve again
					if ! apt_updated "$series"; then
						apt_update "$series"
						fetch_kernel "$series"
						return
					fi
					log "apt-get download $pkg=$ver failed"
					return 1
				fi
				deb=$(ls "$CACHE/debs/${pkg}_${ver#*:}_"*.deb 2>/dev/null | head -n 1)
				[ -n "$deb" ] || { log "$pkg: downloaded .deb not found"; return 1; }
			fi
			log "unpacking $(basename "$deb")"
			tmp="$KDIR.tmp.$$"
			rm -rf "$tmp"
			dpkg-deb -x "$deb" "$tmp" || { rm -rf "$tmp"; return 1; }
			KVER=$(ls "$tmp/lib/modules" | head -n 1)
			# the package has no modules.dep (its postinst makes it)
			depmod -b "$tmp" "$KVER" || { rm -rf "$tmp"; return 1; }
			rm -rf "$KDIR"
			mv "$tmp" "$KDIR" && touch "$KDIR/.done" || return 1
		fi
	fi
	KVER=$(ls "$KDIR/lib/modules" | head -n 1)
	[ -n "$KVER" ] && [ -f "$KDIR/boot/vmlinuz-$KVER" ] ||
		{ log "$KDIR: no kernel image"; return 1; }
}

# mod_closure KDIR KVER MOD...: module paths (relative to the modules dir)
# with their dependencies, dependencies first
mod_closure() {
	local kdir=$1 kver=$2 dep

	shift 2
	dep="$kdir/lib/modules/$kver/modules.dep"
	awk -v want="$*" '
	{
		key = $1; sub(/:$/, "", key)
		deps[key] = ""
		for (i = 2; i <= NF; i++) deps[key] = deps[key] " " $i
		n = split(key, parts, "/"); base = parts[n]; sub(/\.ko.*$/, "", base)
		path[base] = key
	}
	function visit(p,   d, nd, i) {
		if (p in seen) return
		seen[p] = 1
		nd = split(deps[p], d, " ")
		for (i = nd; i >= 1; i--) visit(d[i])
		print p
	}
	END {
		nw = split(want, w, " ")
		for (i = 1; i <= nw; i++) {
			if (!(w[i] in path)) { print "missing:" w[i]; continue }
			visit(path[w[i]])
		}
	}' "$dep"
}

# copy_shared_libs BIN ROOT: a dynamic BIN's libraries and loader into ROOT,
# at the paths ldd names (nothing for a static BIN)
copy_shared_libs() {
	local bin=$1 root=$2 lib

	file -L "$bin" 2>/dev/null | grep -q 'dynamically linked' ||
		ldd "$bin" 2>/dev/null | grep -q '=>' || return 0
	for lib in $(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib" || return 1
	done
}

# build_initrd VMDIR KDIR KVER LABEL: $VMDIR/initrd-KVER.cpio.gz
build_initrd() {
	local vmdir=$1 kdir=$2 kver=$3 label=$4 root m base d

	root="$vmdir/root-$kver"
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/drv" "$root/vm" "$root/lib/modules" || return 1
	cp /bin/busybox "$root/bin/busybox" || return 1
	cp "$vmdir/tcpbacklog" "$root/bin/tcpbacklog" || return 1
	copy_shared_libs "$vmdir/tcpbacklog" "$root" || return 1
	for d in $DRIVERS; do
		cp "$vmdir/$d" "$root/drv/$d" || return 1
	done
	cp "$HERE/init" "$root/init" && chmod 755 "$root/init" || return 1
	cp "$HERE/guest.sh" "$root/vm/guest.sh" || return 1
	cp "$HERE/../lib/harness.sh" "$root/vm/harness.sh" || return 1
	cat >"$root/vm/config" <<-EOF
	LABEL='$label'
	MODES='$MODES'
	SCENARIOS='$SCENARIOS'
	EOF
	if [ -n "${EXEC:-}" ]; then
		printf "EXEC='%s'\n" "$(printf '%s' "$EXEC" | sed "s/'/'\\\\''/g")" >>"$root/vm/config"
		mkdir -p "$root/extra"
		for d in ${TB_VM_EXTRA:-}; do
			cp "$d" "$root/extra/" || return 1
		done
	fi
	: >"$root/lib/modules/load.list"
	for m in $(mod_closure "$kdir" "$kver" tun); do
		case "$m" in
		missing:*) log "$kver: module ${m#missing:} not in the package"; return 1 ;;
		esac
		base=$(basename "$m")
		case "$base" in
		*.ko.xz) xz -dc "$kdir/lib/modules/$kver/$m" >"$root/lib/modules/${base%.xz}" || return 1
			base=${base%.xz} ;;
		*.ko.zst) return 1 ;;
		*) cp "$kdir/lib/modules/$kver/$m" "$root/lib/modules/$base" || return 1 ;;
		esac
		echo "$base" >>"$root/lib/modules/load.list"
	done
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$vmdir/initrd-$kver.cpio.gz"
}

# boot_once VMDIR KDIR KVER SKIP: one boot, console (CRs dropped) appended
# to $VMDIR/KVER.log; the new part also in $VMDIR/KVER.last
boot_once() {
	local vmdir=$1 kdir=$2 kver=$3 skip=$4 t0 rc

	t0=$(date +%s)
	timeout -k 5 "$VM_TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp "$VM_SMP" \
		-kernel "$kdir/boot/vmlinuz-$kver" -initrd "$vmdir/initrd-$kver.cpio.gz" \
		-append "console=ttyS0 quiet panic=-1 softlockup_panic=1 tbskip=$skip ${TB_VM_APPEND:-}" \
		-nographic -no-reboot -monitor none -serial stdio -display none \
		</dev/null 2>&1 | tr -d '\r' >"$vmdir/$kver.last"
	rc=${PIPESTATUS[0]}
	echo "VMWALL $kver $(( $(date +%s) - t0 )) rc=$rc" >>"$vmdir/$kver.last"
	cat "$vmdir/$kver.last" >>"$vmdir/$kver.log"
	log "$kver: VM finished after $(( $(date +%s) - t0 ))s (status $rc$([ "$skip" = 0 ] || echo ", from cell $((skip + 1))"))"
	BOOT_RC=$rc
}

# boot VMDIR KDIR KVER: run the matrix in the VM, console in $VMDIR/KVER.log.
# A VM that dies in a cell (kernel lockup or panic, or the time limit) fails
# that cell and is booted again to go on with the next one (at most
# TB_VM_RESTARTS times).
boot() {
	local vmdir=$1 kdir=$2 kver=$3 skip=0 restarts=0 cur why retried=""

	echo "VMLABEL $kver" >"$vmdir/$kver.log"
	while :; do
		boot_once "$vmdir" "$kdir" "$kver" "$skip"
		grep -q "^VMDONE " "$vmdir/$kver.last" && return 0
		# the cell that was running: VMCELL LABEL N MODE SCENARIO
		cur=$(grep "^VMCELL " "$vmdir/$kver.last" | tail -n 1)
		if [ -z "$cur" ]; then
			# died before its first cell (while booting): boot again
			restarts=$((restarts + 1))
			[ "$restarts" -le "${TB_VM_RESTARTS:-3}" ] || return 1
			log "$kver: died before its first cell; booting again"
			continue
		fi
		set -- $cur
		why=$(grep -m 1 -E 'BUG:|Kernel panic|Oops|general protection|watchdog:' "$vmdir/$kver.last" |
			sed 's/^\[ *[0-9.]*\] //')
		[ -n "$why" ] || { [ "$BOOT_RC" = 124 ] && why="it hit the ${VM_TIMEOUT}s limit of one boot"; }
		restarts=$((restarts + 1))
		if [ "$restarts" -gt "${TB_VM_RESTARTS:-3}" ]; then
			log "$kver: died $restarts times, giving up"
			return 1
		fi
		if grep -q "^VMTEST $2 $4 $5 " "$vmdir/$kver.last"; then
			skip=$3
		elif [ "$retried" != "$3" ]; then
			# Once per cell, the cell again: under TCG a CPU may run code
			# another CPU is patching (text_poke's int3) and oops, which
			# real hardware does not. Said in the notes under the table.
			retried=$3
			skip=$(($3 - 1))
			echo "VMNOTE $2 $4 $5: the VM died (${why:-status $BOOT_RC}); the cell ran again" >>"$vmdir/$kver.log"
		else
			echo "VMTEST $2 $4 $5 FAIL sec=- | the VM died in this cell, twice: ${why:-it stopped (status $BOOT_RC)}" >>"$vmdir/$kver.log"
			skip=$3
		fi
		log "$kver: died in cell $3 ($4 $5): ${why:-status $BOOT_RC}; booting again"
	done
}

# --------------------------------------------------------------- table --

# table LOG...: the matrix from the VMTEST lines; exit status 1 on any FAIL
table() {
	awk -v modes="$MODES" -v scens="$SCENARIOS" '
	function cut_to(s, n) { return length(s) > n ? substr(s, 1, n - 3) "..." : s }
	/^VMTEST / {
		# VMTEST LABEL MODE SCENARIO RESULT k=v... | detail
		split($0, halves, " \\| ")
		detail = substr($0, length(halves[1]) + 4)
		n = split(halves[1], f, " ")
		key = f[2] SUBSEP f[3] SUBSEP f[4]
		if (!(f[2] in seenlabel)) { seenlabel[f[2]] = 1; labels[++nl] = f[2] }
		res[key] = f[5]
		delete kv
		for (i = 6; i <= n; i++) { split(f[i], p, "="); kv[p[1]] = p[2] }
		if ("ts" in kv)
			fig[key] = sprintf("%s/%s (%s)", kv["ts"], kv["ao"], kv["aqf"])
		else
			fig[key] = "-"
		kern[key] = ("LD" in kv) ? kv["LD"] "/" kv["LO"] : "-"
		ae[key] = ("ae" in kv) ? kv["ae"] : "-"
		sec[key] = kv["sec"]
		det[key] = detail
		next
	}
	/^VMLABEL / { if (!($2 in seenlabel)) { seenlabel[$2] = 1; labels[++nl] = $2 }; next }
	/^VMDONE / { done[$2] = 1; next }
	END {
		nm = split(modes, m, " ")
		ns = split(scens, s, " ")
		fmt = "%-28s %-10s %-25s %-5s %-14s %-6s %-9s %6s  %s\n"
		printf fmt, "kernel", "mode", "scenario", "cell", "syn/ao (aqf)", "acc_err", "LD/LO", "sec", "why"
		npass = nfail = nna = 0
		for (l = 1; l <= nl; l++) {
			if (!(labels[l] in done))
				printf fmt, labels[l], "-", "-", "FAIL", "-", "-", "-", "-",
					"the run did not finish (timeout or crash: see its log)"
			for (i = 1; i <= nm; i++) for (j = 1; j <= ns; j++) {
				key = labels[l] SUBSEP m[i] SUBSEP s[j]
				if (!(key in res)) {
					printf fmt, labels[l], m[i], s[j], "FAIL", "-", "-", "-", "-",
						(labels[l] in done) ? "no result" : "not run (the VM did not get this far)"
					nfail++
					continue
				}
				r = res[key] == "NA" ? "n/a" : res[key]
				why = det[key]
				if (r == "n/a") nna++; else if (r == "PASS") npass++; else nfail++
				printf fmt, labels[l], m[i], s[j], r, fig[key], ae[key], kern[key], sec[key], cut_to(why, 160)
			}
		}
		# kernel x mode at a glance
		printf "\n%-28s", "summary"
		for (i = 1; i <= nm; i++) printf " %-22s", m[i]
		printf "\n"
		for (l = 1; l <= nl; l++) {
			printf "%-28s", labels[l]
			for (i = 1; i <= nm; i++) {
				cp = cf = ca = 0
				for (j = 1; j <= ns; j++) {
					key = labels[l] SUBSEP m[i] SUBSEP s[j]
					if (!(key in res) || res[key] == "FAIL") cf++
					else if (res[key] == "PASS") cp++
					else ca++
				}
				c = (cp ? cp " PASS " : "") (cf ? cf " FAIL " : "") (ca ? ca " n/a" : "")
				printf " %-22s", c
			}
			printf "\n"
		}
		printf "\n%d PASS, %d FAIL, %d n/a (syn/ao (aqf): the tracer'"'"'s syn_drop/accept_overflow (syn_drop_reasons.accept_queue_full); LD/LO: the kernel'"'"'s ListenDrops/ListenOverflows deltas)\n", npass, nfail, nna
		exit nfail > 0 ? 1 : 0
	}' "$@"
}

# ------------------------------------------------------------------ run --

# the VMs of KLIST, TB_VM_JOBS at a time (a subshell: jobs are its own)
run_vms() {
	local vmdir=$1 k kver

	for k in "${KLIST[@]}"; do
		kver=${k#*|}
		log "$kver: booting (tcg, limit ${VM_TIMEOUT}s)"
		boot "$vmdir" "${k%%|*}" "$kver" &
		while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
			wait -n
		done
	done
	wait
}

run() {
	local vmdir=$1 series logs=() pids=() t0 d kver label hostlog

	t0=$(date +%s)
	vmdir=$(cd "$vmdir" && pwd) || die "no directory $1"
	for d in tcpbacklog $DRIVERS; do
		[ -x "$vmdir/$d" ] || die "$vmdir/$d missing (make vmtest builds it)"
	done
	deps

	# kernels first (downloads), then the VMs, the host row meanwhile
	KLIST=()
	for series in $KERNELS; do
		if fetch_kernel "$series"; then
			label="$KVER"
			build_initrd "$vmdir" "$KDIR" "$KVER" "$label" || die "$KVER: initramfs build failed"
			KLIST+=("$KDIR|$KVER")
		else
			echo "VMLABEL debian-$series" >"$vmdir/missing-$series.log"
			logs+=("$vmdir/missing-$series.log")
		fi
	done

	if [ "${TB_VM_HOST:-1}" = 1 ]; then
		hostlog="$vmdir/host.log"
		log "host row: $(uname -r) in a fresh network namespace"
		(unshare -n sh "$HERE/guest.sh" "host-$(uname -r)" "$vmdir/tcpbacklog" "$vmdir" \
			"$MODES" "$SCENARIOS" >"$hostlog" 2>&1
		 echo "VMWALL host $(( $(date +%s) - t0 ))" >>"$hostlog") &
		pids+=($!)
		logs+=("$hostlog")
	fi

	for k in "${KLIST[@]}"; do
		logs+=("$vmdir/${k#*|}.log")
	done
	run_vms "$vmdir" &
	wait

	echo
	grep -h '^VMINFO\|^VMDMESG\|^VMLOG' "${logs[@]}" 2>/dev/null | cut -c1-600
	echo
	table "${logs[@]}"
	rc=$?
	grep -h '^VMNOTE' "${logs[@]}" 2>/dev/null | sed 's/^VMNOTE /note: /'
	log "logs: ${logs[*]}"
	log "total $(( $(date +%s) - t0 ))s"
	return $rc
}

# exec VMDIR SERIES CMD: one kernel, one command
exec_cmd() {
	local vmdir=$1 series=$2

	EXEC=$3
	vmdir=$(cd "$vmdir" && pwd) || die "no directory $1"
	deps
	fetch_kernel "$series" || exit 1
	build_initrd "$vmdir" "$KDIR" "$KVER" "$KVER" || die "$KVER: initramfs build failed"
	log "$KVER: booting (tcg, limit ${VM_TIMEOUT}s)"
	boot "$vmdir" "$KDIR" "$KVER"
	grep -v '^VMLABEL\|^VMWALL\|^VMDONE' "$vmdir/$KVER.log"
}

case "${1:-}" in
deps)	deps ;;
exec)	[ $# = 4 ] || die "usage: $0 exec VMDIR SERIES CMD"; exec_cmd "$2" "$3" "$4" ;;
table)	shift; table "$@" ;;
run)	[ $# = 2 ] || die "usage: $0 run VMDIR"; run "$2" ;;
*)	echo "usage: $0 deps | run VMDIR" >&2; exit 2 ;;
esac
