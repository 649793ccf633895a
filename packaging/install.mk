# SPDX-License-Identifier: GPL-2.0
# Installation and its tests. Included by the top Makefile (BUILD, BIN,
# CC, CFLAGS come from there).
#
#   make install [PREFIX=/usr/local] [DESTDIR=]   binary, man page, systemd unit
#   make uninstall [PREFIX=...] [DESTDIR=]
#   make test-install   DESTDIR installs into a temporary directory, checked;
#                       systemd-analyze verify on the unit; man page warnings
#                       and options; the tracer started with the unit's
#                       capabilities only (root)
#   make test-metrics   tests/metrics/run.sh: /metrics, promtool, Prometheus
#
# Paths inside the unit are the run-time ones ($(SBINDIR)), never DESTDIR.

BUILD		?= build
BIN		?= $(BUILD)/tcpbacklog
PREFIX		?= /usr/local
DESTDIR		?=
SBINDIR		?= $(PREFIX)/sbin
MANDIR		?= $(PREFIX)/share/man
MAN8DIR		?= $(MANDIR)/man8
# systemd searches /usr/local/lib/systemd/system too; a /usr install goes
# where Debian's own units are
UNITDIR		?= $(if $(filter /usr /usr/,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)

INSTALL_STAGE	:= $(BUILD)/install

.PHONY: install uninstall test-install test-metrics

install: $(BIN)
	@mkdir -p $(INSTALL_STAGE)
	gzip -9n <man/tcpbacklog.8 >$(INSTALL_STAGE)/tcpbacklog.8.gz
	sed 's|@SBINDIR@|$(SBINDIR)|g' packaging/tcpbacklog.service >$(INSTALL_STAGE)/tcpbacklog.service
	install -D -m 0755 $(BIN) "$(DESTDIR)$(SBINDIR)/tcpbacklog"
	install -D -m 0644 $(INSTALL_STAGE)/tcpbacklog.8.gz "$(DESTDIR)$(MAN8DIR)/tcpbacklog.8.gz"
	install -D -m 0644 $(INSTALL_STAGE)/tcpbacklog.service "$(DESTDIR)$(UNITDIR)/tcpbacklog.service"

uninstall:
	rm -f "$(DESTDIR)$(SBINDIR)/tcpbacklog" "$(DESTDIR)$(MAN8DIR)/tcpbacklog.8.gz" \
	      "$(DESTDIR)$(UNITDIR)/tcpbacklog.service"

# ------------------------------------------------------------ test-install --

# Run by bash with the expected paths in the environment; prints PASS/FAIL
# lines and "N passed, N failed". Installs systemd, man-db and groff-base
# when missing (scripts/install-deps.sh install; a fresh CI machine has
# none of them).
define tb_test_install_sh
set -u
passed=0
failed=0
pass() { echo "PASS $1${2:+: $2}"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }

[ "$(id -u)" != 0 ] || scripts/install-deps.sh install >/dev/null 2>&1
missing=""
for cp in systemd-analyze:systemd man:man-db lexgrog:man-db groff:groff-base gzip:gzip; do
	command -v "${cp%%:*}" >/dev/null 2>&1 || missing="$missing ${cp#*:}"
done

tmp=$(mktemp -d /tmp/tb-install.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C.UTF-8 MANWIDTH=80

# check_tree NAME ROOT SBINDIR MAN8DIR UNITDIR: one installed tree
check_tree() {
	local name=$1 d=$2 sbin=$3 man8=$4 unit=$5 errs="" f

	f="$d$sbin/tcpbacklog"
	[ -f "$f" ] && [ "$(stat -c %a "$f")" = 755 ] || errs="$errs; $f missing or not mode 755"
	cmp -s "$f" "$TB_BIN" || errs="$errs; $f differs from $TB_BIN"
	f="$d$man8/tcpbacklog.8.gz"
	if [ -f "$f" ] && [ "$(stat -c %a "$f")" = 644 ] && gzip -t "$f" 2>/dev/null; then
		gzip -dc "$f" | cmp -s - man/tcpbacklog.8 || errs="$errs; $f is not man/tcpbacklog.8"
	else
		errs="$errs; $f missing, not mode 644 or not gzip"
	fi
	f="$d$unit/tcpbacklog.service"
	if [ -f "$f" ] && [ "$(stat -c %a "$f")" = 644 ]; then
		grep -qx "ExecStart=$sbin/tcpbacklog --json --metrics-addr 127.0.0.1:9876 --interval 60" "$f" ||
			errs="$errs; $f: no ExecStart=$sbin/tcpbacklog ..."
		! grep -q '@[A-Z_]*@' "$f" || errs="$errs; $f: placeholder left"
	else
		errs="$errs; $f missing or not mode 644"
	fi
	extra=$(cd "$d" && find . -type f | sort | sed 's|^\.||' |
		grep -vx -e "$sbin/tcpbacklog" -e "$man8/tcpbacklog.8.gz" -e "$unit/tcpbacklog.service")
	[ -z "$extra" ] || errs="$errs; unexpected files: $extra"
	if [ -z "$errs" ]; then
		pass "$name" "$sbin/tcpbacklog, $man8/tcpbacklog.8.gz, $unit/tcpbacklog.service"
	else
		fail "$name" "${errs#; }"
	fi
}

# the caller's PREFIX (and directories), as make computed them
if $TB_MAKE -s --no-print-directory install DESTDIR="$tmp/a" >"$tmp/a.log" 2>&1; then
	check_tree install "$tmp/a" "$TB_SBINDIR" "$TB_MAN8DIR" "$TB_UNITDIR"
else
	fail install "make install DESTDIR=$tmp/a: $(tail -n 5 "$tmp/a.log" | tr '\n' ' ')"
fi
# PREFIX=/usr: the unit goes to /lib/systemd/system (no directory
# overrides inherited from the caller's command line)
if MAKEFLAGS= $TB_MAKE -s --no-print-directory install DESTDIR="$tmp/b" PREFIX=/usr \
		BUILD="$TB_BUILD" BIN="$TB_BIN" >"$tmp/b.log" 2>&1; then
	check_tree install_usr "$tmp/b" /usr/sbin /usr/share/man/man8 /lib/systemd/system
else
	fail install_usr "make install PREFIX=/usr: $(tail -n 5 "$tmp/b.log" | tr '\n' ' ')"
fi

# the unit as installed, its binary and man page taken from the staged tree
unit="$tmp/a$TB_UNITDIR/tcpbacklog.service"
if [ -n "$missing" ]; then
	fail tools "missing:$missing (run as root to install them)"
elif [ -f "$unit" ]; then
	mkdir -p "$tmp/verify"
	sed "s|^ExecStart=$TB_SBINDIR/|ExecStart=$tmp/a$TB_SBINDIR/|" "$unit" >"$tmp/verify/tcpbacklog.service"
	out=$(MANPATH="$tmp/a$TB_MAN8DIR/.." systemd-analyze verify "$tmp/verify/tcpbacklog.service" 2>&1)
	rc=$?
	if [ "$rc" = 0 ] && [ -z "$out" ]; then
		pass systemd_verify "systemd-analyze verify: no warning"
	else
		fail systemd_verify "status $rc: $(echo "$out" | tr '\n' ' ')"
	fi
	page="$tmp/a$TB_MAN8DIR/tcpbacklog.8.gz"
	out=$(man --warnings -l "$page" 2>&1 >/dev/null)
	rc=$?
	out2=$(groff -man -ww -z man/tcpbacklog.8 2>&1)
	rc2=$?
	what=$(lexgrog "$page" 2>&1)
	if [ "$rc$rc2" = 00 ] && [ -z "$out$out2" ] &&
	   [ "$what" = "$page: \"tcpbacklog - trace TCP listen-queue drops and accept() errors per listener\"" ]; then
		pass man_page "man --warnings, groff -ww: no warning; whatis entry parses"
	else
		fail man_page "man $rc, groff $rc2: $(echo "$out $out2 $what" | tr '\n' ' ')"
	fi

	# every option of --help has its own entry in OPTIONS
	opts=$("$TB_BIN" --help | grep -o -e '^  -[a-zA-Z], --[a-z-]*' -e '^ *--[a-z-]*' |
		sed 's/^ *//')
	rendered=$(man -l "$page" 2>/dev/null | sed -n '/^OPTIONS/,/^[A-Z]/p')
	undocumented=""
	while read -r o; do
		[ -n "$o" ] || continue
		printf '%s\n' "$rendered" | grep -q -- "^ *${o%%=*}\( \|\$\)" ||
			undocumented="$undocumented '$o'"
	done <<<"$opts"
	if [ -n "$opts" ] && [ -z "$undocumented" ]; then
		pass man_options "$(echo "$opts" | wc -l) options of --help, each with an entry in OPTIONS"
	else
		fail man_options "not in the man page's OPTIONS:${undocumented:- (no options read from --help)}"
	fi
fi

# The tracer started with nothing but the unit's capability bounding set,
# memlock limit and no_new_privs: the probes attach, the namespaces are
# walked, kallsyms is readable. Needs root and a BPF-capable kernel.
if [ "$(id -u)" != 0 ]; then
	echo "SKIP unit_caps: not root"
elif [ -f "$unit" ]; then
	caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
	set=$(for c in $caps; do c=${c#CAP_}; printf ',+%s' "${c,,}"; done)
	# LimitMEMLOCK= matters before 5.11 only; raising it needs SYS_RESOURCE
	memlock="prlimit --memlock=unlimited:unlimited --"
	$memlock true 2>/dev/null || memlock=""
	out=$($memlock setpriv --inh-caps=-all --bounding-set="-all$set" --no-new-privs -- \
		"$TB_BIN" --json -q -d 1 2>&1 </dev/null)
	rc=$?
	if [ "$rc" = 0 ] && printf '%s\n' "$out" | grep -q '^{"event":"start"' &&
	   printf '%s\n' "$out" | grep -q '^{"event":"totals"' &&
	   ! printf '%s\n' "$out" | grep -q '^tcpbacklog:'; then
		pass unit_caps "started and stopped with only$(echo " $caps" | sed 's/ CAP_/ /g')"
	else
		fail unit_caps "status $rc with the unit's capabilities ($caps): $(printf '%s\n' "$out" | grep -v '^{' | head -c 300 | tr '\n' ' ')"
	fi
fi

for t in a b; do
	[ -d "$tmp/$t" ] || continue
	if [ "$t" = a ]; then
		$TB_MAKE -s --no-print-directory uninstall DESTDIR="$tmp/a" >/dev/null 2>&1
	else
		MAKEFLAGS= $TB_MAKE -s --no-print-directory uninstall DESTDIR="$tmp/b" PREFIX=/usr \
			BUILD="$TB_BUILD" BIN="$TB_BIN" >/dev/null 2>&1
	fi
	left=$(find "$tmp/$t" -type f)
	if [ -z "$left" ]; then
		pass "uninstall_$t" "nothing left"
	else
		fail "uninstall_$t" "left: $(echo $left)"
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
endef

test-install: export TB_TEST_INSTALL_SH := $(value tb_test_install_sh)
# deps first, as for make test: a fresh machine has no compiler yet
test-install: deps
	@$(MAKE) -f $(firstword $(MAKEFILE_LIST)) --no-print-directory $(BIN)
	@TB_MAKE="$(MAKE) -f $(firstword $(MAKEFILE_LIST))" TB_BUILD="$(BUILD)" TB_BIN="$(BIN)" TB_SBINDIR="$(SBINDIR)" TB_MAN8DIR="$(MAN8DIR)" \
		TB_UNITDIR="$(UNITDIR)" bash -c "$$TB_TEST_INSTALL_SH"

# ------------------------------------------------------------ test-metrics --

$(BUILD)/tests/metrics/backlog_holder: tests/metrics/backlog_holder.c tests/lib/driver.h | $(BUILD)/tests/metrics
	$(CC) $(CFLAGS) -Itests/lib $< -o $@

$(BUILD)/tests/metrics:
	mkdir -p $@

test-metrics: deps
	@$(MAKE) -f $(firstword $(MAKEFILE_LIST)) --no-print-directory $(BIN) $(BUILD)/tests/metrics/backlog_holder
	tests/metrics/run.sh $(BIN) $(BUILD)/tests/metrics/backlog_holder
