/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How fuzz_output reads a struct event from its input, and how the seed
 * generator writes one: the same field order on both sides.
 */
#ifndef TB_FUZZ_OUTPUT_H
#define TB_FUZZ_OUTPUT_H

#include <sys/socket.h>

#include "decode/event.h"
#include "fuzz_check.h"

/* raw bytes into an identity: every string ended */
static inline void cgroup_identity_terminate(struct cgroup_identity *id)
{
	id->path[sizeof(id->path) - 1] = '\0';
	id->unit[sizeof(id->unit) - 1] = '\0';
	id->container[sizeof(id->container) - 1] = '\0';
	id->pod_uid[sizeof(id->pod_uid) - 1] = '\0';
}

static inline void fz_identity(struct fz *c, struct cgroup_identity *id)
{
	fz_str(c, id->path, sizeof(id->path));
	fz_str(c, id->unit, sizeof(id->unit));
	fz_str(c, id->container, sizeof(id->container));
	fz_str(c, id->pod_uid, sizeof(id->pod_uid));
}

static inline void fw_identity(struct fw *w, const struct cgroup_identity *id)
{
	fw_str(w, id->path);
	fw_str(w, id->unit);
	fw_str(w, id->container);
	fw_str(w, id->pod_uid);
}

/* family: 0 unknown, 1 AF_INET, 2 AF_INET6, 3 any value from the input */
static inline void fz_event(struct fz *c, struct event *ev)
{
	uint8_t fam;

	memset(ev, 0, sizeof(*ev));
	ev->kind = (enum tb_kind)fz_u32(c);
	ev->reason = (enum tb_reason)fz_u32(c);
	ev->time_ns = fz_u64(c);
	ev->netns = fz_u32(c);
	fam = fz_u8(c) & 3;
	ev->family = fam == 1 ? AF_INET : fam == 2 ? AF_INET6 : fam == 3 ? (int)fz_u32(c) : 0;
	fz_str(c, ev->laddr, sizeof(ev->laddr));
	ev->lport = fz_u16(c);
	ev->has_peer = fz_u8(c) & 1;
	fz_str(c, ev->raddr, sizeof(ev->raddr));
	ev->rport = fz_u16(c);
	ev->pid = fz_u32(c);
	fz_str(c, ev->comm, sizeof(ev->comm));
	ev->backlog = fz_u32(c);
	ev->backlog_max = fz_u32(c);
	ev->synq = fz_u32(c);
	ev->err = (int)fz_u32(c);
	ev->nofile_limit = fz_u64(c);
	ev->open_fds = (int64_t)fz_u64(c);
	ev->listener_ino = fz_u64(c);
	ev->ambiguous = fz_u8(c) & 1;
	ev->acceptor_pid = fz_u32(c);
	fz_str(c, ev->acceptor_comm, sizeof(ev->acceptor_comm));
	fz_str(c, ev->listen_addr, sizeof(ev->listen_addr));
	fz_str(c, ev->netns_name, sizeof(ev->netns_name));
	fz_identity(c, &ev->identity);
	fz_identity(c, &ev->acceptor_identity);
}

static inline void fw_event(struct fw *w, const struct event *ev)
{
	fw_u32(w, ev->kind);
	fw_u32(w, ev->reason);
	fw_u64(w, ev->time_ns);
	fw_u32(w, ev->netns);
	if (ev->family == 0) {
		fw_u8(w, 0);
	} else if (ev->family == AF_INET) {
		fw_u8(w, 1);
	} else if (ev->family == AF_INET6) {
		fw_u8(w, 2);
	} else {
		fw_u8(w, 3);
		fw_u32(w, (uint32_t)ev->family);
	}
	fw_str(w, ev->laddr);
	fw_u16(w, ev->lport);
	fw_u8(w, ev->has_peer);
	fw_str(w, ev->raddr);
	fw_u16(w, ev->rport);
	fw_u32(w, ev->pid);
	fw_str(w, ev->comm);
	fw_u32(w, ev->backlog);
	fw_u32(w, ev->backlog_max);
	fw_u32(w, ev->synq);
	fw_u32(w, (uint32_t)ev->err);
	fw_u64(w, ev->nofile_limit);
	fw_u64(w, (uint64_t)ev->open_fds);
	fw_u64(w, ev->listener_ino);
	fw_u8(w, ev->ambiguous);
	fw_u32(w, ev->acceptor_pid);
	fw_str(w, ev->acceptor_comm);
	fw_str(w, ev->listen_addr);
	fw_str(w, ev->netns_name);
	fw_identity(w, &ev->identity);
	fw_identity(w, &ev->acceptor_identity);
}

#endif /* TB_FUZZ_OUTPUT_H */
