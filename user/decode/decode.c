// SPDX-License-Identifier: GPL-2.0
/* Raw BPF records and counters -> decoded structs. */
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include "decode/decode.h"
#include "decode/kinds.h"

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void clock_map_init(struct clock_map *c)
{
	int64_t real = clock_ns(CLOCK_REALTIME);
	int64_t mono = clock_ns(CLOCK_MONOTONIC);

	c->mono_to_real_ns = real - mono;
}

void decode_addr(int family, const uint8_t addr[16], char *buf, size_t len)
{
	if (family == AF_INET) {
		inet_ntop(AF_INET, addr, buf, len);
	} else if (family == AF_INET6) {
		inet_ntop(AF_INET6, addr, buf, len);
	} else if (len) {
		buf[0] = '\0';
	}
}

void decode_bound_addr(const uint8_t addr[16], char *buf, size_t len)
{
	static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	uint8_t v4[16] = { 0 };

	if (memcmp(addr, v4_mapped, sizeof(v4_mapped))) {
		decode_addr(AF_INET6, addr, buf, len);
		return;
	}
	memcpy(v4, addr + 12, 4);
	decode_addr(AF_INET, v4, buf, len);
}

int decode_addr_parse(int family, const char *text, uint8_t addr[16])
{
	memset(addr, 0, 16);
	return inet_pton(family, text, addr) == 1 ? 0 : -1;
}

int decode_event(const void *data, size_t size, const struct clock_map *c, struct event *ev)
{
	const struct kind_info *k;
	struct tb_event raw;

	if (size < sizeof(raw))
		return -1;
	memcpy(&raw, data, sizeof(raw));	/* ring-buffer data may be unaligned for us */
	k = kind_info(raw.kind);
	if (!k)
		return -1;
	if (raw.reason >= TB_REASON_MAX)
		raw.reason = TB_REASON_OTHER;

	memset(ev, 0, sizeof(*ev));
	ev->kind = raw.kind;
	ev->reason = raw.reason;
	/* unsigned: wraps instead of overflowing on a garbage timestamp */
	ev->time_ns = raw.ts_ns + (uint64_t)c->mono_to_real_ns;
	ev->netns = raw.netns;
	ev->family = (raw.family == AF_INET || raw.family == AF_INET6) ? raw.family : 0;
	ev->lport = raw.lport;
	/* a client socket not bound yet has no local endpoint: left "" */
	if (!kind_has_field(k, FIELD_SOURCE) || raw.lport)
		decode_addr(ev->family, raw.laddr, ev->laddr, sizeof(ev->laddr));
	if (k->has_peer) {
		ev->has_peer = true;
		ev->rport = raw.rport;
		decode_addr(ev->family, raw.raddr, ev->raddr, sizeof(ev->raddr));
	}
	ev->pid = raw.pid;
	memcpy(ev->comm, raw.comm, TB_COMM_LEN);
	ev->comm[TB_COMM_LEN] = '\0';
	if (kind_has_field(k, FIELD_ACCEPTOR) && raw.acceptor_pid) {
		ev->acceptor_pid = raw.acceptor_pid;
		memcpy(ev->acceptor_comm, raw.acceptor_comm, TB_COMM_LEN);
		ev->acceptor_comm[TB_COMM_LEN] = '\0';
	}
	if (kind_has_field(k, FIELD_LISTEN_ADDR) && (raw.flags & TB_EVENT_F_LISTEN_ADDR))
		decode_bound_addr(raw.listen_addr, ev->listen_addr, sizeof(ev->listen_addr));
	ev->backlog = raw.backlog;
	ev->backlog_max = raw.backlog_max;
	ev->synq = raw.synq;
	ev->listener_ino = raw.listener_ino;
	/* a guessed SO_REUSEPORT member: only where a listen drop names its listener */
	ev->ambiguous = kind_has_field(k, FIELD_REASON) && (raw.flags & TB_EVENT_F_AMBIGUOUS);
	if (kind_has_field(k, FIELD_ERRNO))
		ev->err = raw.err;
	if (kind_has_field(k, FIELD_PORTS)) {
		ev->port_low = raw.port_low;
		ev->port_high = raw.port_high;
	}
	if (kind_has_field(k, FIELD_IDENTITY))
		ev->cgroup_id = raw.cgroup_id;
	if (kind_has_field(k, FIELD_ACCEPTOR_IDENTITY))
		ev->acceptor_cgroup_id = raw.acceptor_cgroup_id;
	if (kind_has_field(k, FIELD_ATTEMPT))
		ev->attempt = raw.attempt;
	if (kind_has_field(k, FIELD_FD_USAGE)) {
		ev->nofile_limit = raw.nofile_limit;
		ev->open_fds = raw.open_fds;
	} else {
		ev->open_fds = -1;
	}
	return 0;
}

void decode_totals(const uint64_t sums[TB_TOTAL_MAX], struct totals *t)
{
	memset(t, 0, sizeof(*t));
	t->syn_drop_by_reason[TB_REASON_ACCEPT_QUEUE_FULL] = sums[TB_TOTAL_SYN_DROP_ACCEPT_QUEUE_FULL];
	t->syn_drop_by_reason[TB_REASON_SYN_QUEUE_FULL] = sums[TB_TOTAL_SYN_DROP_SYN_QUEUE_FULL];
	t->syn_drop_by_reason[TB_REASON_OTHER] = sums[TB_TOTAL_SYN_DROP_OTHER];
	t->syn_drop = sums[TB_TOTAL_SYN_DROP_ACCEPT_QUEUE_FULL] +
		      sums[TB_TOTAL_SYN_DROP_SYN_QUEUE_FULL] +
		      sums[TB_TOTAL_SYN_DROP_OTHER];
	t->accept_overflow = sums[TB_TOTAL_ACCEPT_OVERFLOW];
	t->accept_overflow_other = sums[TB_TOTAL_ACCEPT_OVERFLOW_OTHER];
	t->accept_error = sums[TB_TOTAL_ACCEPT_ERROR];
	t->connect_error = sums[TB_TOTAL_CONNECT_ERROR];
	t->bind_error = sums[TB_TOTAL_BIND_ERROR];
	t->suppressed = sums[TB_TOTAL_SUPPRESSED];
	t->lost = sums[TB_TOTAL_LOST];
	t->registry_full = sums[TB_TOTAL_REGISTRY_FULL];
	t->ambiguous = sums[TB_TOTAL_AMBIGUOUS];
	t->late = sums[TB_TOTAL_LATE];
	t->tuples_tracked = sums[TB_TOTAL_TUPLES_TRACKED];
	t->delayed = sums[TB_TOTAL_DELAYED];
	t->retried_syns = sums[TB_TOTAL_RETRIED_SYN];
	t->synack_retransmits = sums[TB_TOTAL_SYNACK_RETRANSMIT];
}
