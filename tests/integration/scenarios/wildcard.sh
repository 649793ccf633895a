# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/run.sh.

# Listener not bound to the address the clients use: a wildcard (-A) or a
# dual-stack [::] socket taking IPv4 (-D). Exact counts and attribution;
# the addresses reported are shown, not judged.
sc_wildcard() {
	local name=$1 ns
	shift
	overflow_scenario ns "$name" overflow "$@" || return
	if [ "$TRACER_OK" = 1 ]; then
		ev_expect syn_drop pid "$(kv "$DRV_OUT" pid)"
		ev_expect syn_drop comm "$(kv "$DRV_OUT" comm)"
		ev_expect syn_drop lport "$(kv "$DRV_OUT" port)"
		ev_expect syn_drop reason accept_queue_full
		ev_expect_in syn_drop rport "$(kv "$DRV_OUT" dropped_ports)"
		ev_expect_in syn_drop laddr "$(kv "$DRV_OUT" laddr),$(kv "$DRV_OUT" raddr),::ffff:$(kv "$DRV_OUT" raddr)"
		ev_expect_in syn_drop raddr "$(kv "$DRV_OUT" raddr),::ffff:$(kv "$DRV_OUT" raddr)"
	fi
	ns_del "$ns"
	verdict "$name" "listener $(kv "$DRV_OUT" listener_family) $(kv "$DRV_OUT" laddr), events family=$(ev_values syn_drop family) laddr=$(ev_values syn_drop laddr) raddr=$(ev_values syn_drop raddr); $(summary_line)"
}
