# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# Drops racing each other on several CPUs at once (and the connecting
# processes are not the listener's owner)
sc_concurrent() {
	local name=$1 ns
	shift
	overflow_scenario ns "$name" concurrent "$@" || return
	if [ "$TRACER_OK" = 1 ]; then
		expect_queue_full_drops
	fi
	ns_del "$ns"
	verdict "$name" "$(kv "$DRV_OUT" children) connecting processes; $(summary_line)"
}
