# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# The failure paths a user meets first: a bad flag (one line, exit 2), not
# root (one line naming the capabilities, exit 1), and a reader that goes
# away (| head -1: the tracer exits at once, status 0, nothing on stderr).
sc_failures() {
	local name=$1 out rc lines t0 el copy
	reset_state || { verdict "$name" "setup"; return; }
	if [ -n "$BIN_ERR" ]; then
		err "$BIN_ERR"
		verdict "$name" "setup"
		return
	fi
	out=$("$BIN_RUN" --bogus 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = 2 ] || err "--bogus: exit status $rc, expected 2"
	case "$out" in
	*"unrecognized option '--bogus'"*) ;;
	*) err "--bogus: no message naming the option: $(echo "$out" | head -n 1)" ;;
	esac
	out=$("$BIN_RUN" -P 70000 2>&1 >/dev/null)
	rc=$?
	lines=$(printf '%s\n' "$out" | grep -c .)
	[ "$rc" = 2 ] && [ "$lines" = 1 ] || err "-P 70000: exit status $rc, $lines lines: $out"
	case "$out" in *"invalid port '70000'"*) ;; *) err "-P 70000: message is: $out" ;; esac

	# not root: a copy any user may run (WORK is private)
	copy=$(mktemp /tmp/tb-nonroot.XXXXXX) && install -m 0755 "$BIN_RUN" "$copy"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$copy" -d 1 2>&1 >/dev/null)
	rc=$?
	rm -f "$copy"
	[ "$rc" = 1 ] || err "not root: exit status $rc, expected 1"
	case "$out" in
	*"needs root: CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN) are missing"*) ;;
	*) err "not root: message is: $out" ;;
	esac

	# the reader goes away after the first record
	t0=$(date +%s%N)
	out=$( { timeout -k 1 10 "$BIN_RUN" --json 2>"$WORK/$name.err"; echo "rc=$?" >"$WORK/$name.rc"; } | head -n 1)
	el=$(( ($(date +%s%N) - t0) / 1000000 ))
	rc=$(sed -n 's/^rc=//p' "$WORK/$name.rc")
	case "$out" in '{"event":"start"'*) ;; *) err "| head -1: first line is not the start record: $out" ;; esac
	[ "$rc" = 0 ] || err "| head -1: exit status $rc (124: still running after 10 s)"
	[ ! -s "$WORK/$name.err" ] || err "| head -1: stderr not empty: $(head -n 1 "$WORK/$name.err")"
	verdict "$name" "bad flag: exit 2; not root: exit 1; | head -1: exit 0 after ${el} ms"
}
