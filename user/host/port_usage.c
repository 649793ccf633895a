// SPDX-License-Identifier: GPL-2.0
/* Local ports held toward a destination, from sock_diag; see port_usage.h. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "host/port_usage.h"

/* One descriptor each: enough for the namespaces of a large host, not for every container farm. */
#define PORT_USAGE_NAMESPACES	256

static struct {
	uint32_t netns;
	int fd;
} sockets[PORT_USAGE_NAMESPACES];
static int nsockets;

int port_usage_open(uint32_t netns)
{
	int fd;

	for (int i = 0; i < nsockets; i++) {
		if (sockets[i].netns == netns)
			return 0;
	}
	if (nsockets == PORT_USAGE_NAMESPACES)
		return -ENOSPC;
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	sockets[nsockets].netns = netns;
	sockets[nsockets].fd = fd;
	nsockets++;
	return 0;
}

void port_usage_close(void)
{
	for (int i = 0; i < nsockets; i++)
		close(sockets[i].fd);
	nsockets = 0;
}

static int socket_of(uint32_t netns)
{
	for (int i = 0; i < nsockets; i++) {
		if (sockets[i].netns == netns)
			return sockets[i].fd;
	}
	return -1;
}

static void count_state(struct port_usage *u, uint8_t state)
{
	switch (state) {
	case TCP_ESTABLISHED:
		u->established++;
		break;
	case TCP_TIME_WAIT:
		u->time_wait++;
		break;
	case TCP_SYN_SENT:
		u->syn_sent++;
		break;
	default:
		u->other++;
	}
}

/* Dump the family's TCP sockets but listeners; 0 when the dump ended, -1 on error. */
static int dump(int fd, int family, const uint8_t dst[16], uint16_t rport, struct port_usage *u)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg = {
		.nlh = { .nlmsg_len = sizeof(msg), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.req = { .sdiag_family = family, .sdiag_protocol = IPPROTO_TCP,
			 .idiag_states = ~(1u << TCP_LISTEN) },
	};
	size_t alen = family == AF_INET6 ? 16 : 4;
	char buf[32768];

	if (send(fd, &msg, sizeof(msg), 0) != sizeof(msg))
		return -1;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (n <= 0)
			return -1;
		for (; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			const struct inet_diag_msg *m = NLMSG_DATA(h);

			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -1;
			if (ntohs(m->id.idiag_dport) == rport && !memcmp(m->id.idiag_dst, dst, alen))
				count_state(u, m->idiag_state);
		}
	}
}

void port_usage_count(uint32_t netns, int family, const char *raddr, uint16_t rport,
		      struct port_usage *u)
{
	uint8_t dst[16] = { 0 };
	int fd = socket_of(netns);

	memset(u, 0, sizeof(*u));
	if (fd < 0 || inet_pton(family, raddr, dst) != 1)
		return;
	u->known = !dump(fd, family, dst, rport, u);
	if (!u->known)
		memset(u, 0, sizeof(*u));
}
