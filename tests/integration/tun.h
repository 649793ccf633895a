/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A TUN peer: the driver plays the remote host 198.18.0.2 behind tun0, so
 * it decides when (or whether) each final ACK goes out. Nothing but the
 * driver answers for the peer, so no RSTs. The device is created with
 * TUNSETIFF (not persistent: it disappears with the fd) and configured with
 * ioctls, so this needs neither ip(8) nor any other program.
 */
#ifndef TB_IT_TUN_H
#define TB_IT_TUN_H

#include "driver.h"

#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>

#define TB_TUN_LOCAL	"198.18.0.1"	/* the listener's side (tun0's address) */
#define TB_TUN_PEER	"198.18.0.2"	/* the driver's side */
#define TB_TUN_PREFIX	24
#define TB_PKT_MAX	2048

/* Create tun device name (IFF_TUN | IFF_NO_PI), non-blocking; returns the fd. */
static inline int tb_tun_open(const char *name)
{
	struct ifreq ifr;
	int fd;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		tb_die("open /dev/net/tun: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr))
		tb_die("TUNSETIFF %s: %s", name, strerror(errno));
	return fd;
}

/* Give the device addr/prefix and bring it up (ioctls on an AF_INET socket). */
static inline void tb_if_up(const char *name, const char *addr, int prefix)
{
	struct sockaddr_in *sin;
	struct ifreq ifr;
	char path[128];
	int s;

	/* no IPv6 chatter (router solicitations, MLD) on the device */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
	s = open(path, O_WRONLY | O_CLOEXEC);
	if (s >= 0) {
		if (write(s, "1\n", 2) != 2)
			tb_warn("could not disable IPv6 on %s", name);
		close(s);
	}

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		tb_die("socket: %s", strerror(errno));

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	sin = (struct sockaddr_in *)&ifr.ifr_addr;
	sin->sin_family = AF_INET;
	if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
		tb_die("bad address %s", addr);
	if (ioctl(s, SIOCSIFADDR, &ifr))
		tb_die("SIOCSIFADDR %s: %s", name, strerror(errno));

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	sin = (struct sockaddr_in *)&ifr.ifr_netmask;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(prefix ? ~0u << (32 - prefix) : 0);
	if (ioctl(s, SIOCSIFNETMASK, &ifr))
		tb_die("SIOCSIFNETMASK %s: %s", name, strerror(errno));

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(s, SIOCGIFFLAGS, &ifr))
		tb_die("SIOCGIFFLAGS %s: %s", name, strerror(errno));
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr))
		tb_die("SIOCSIFFLAGS %s: %s", name, strerror(errno));
	close(s);
}

/* ---------- hand-made IPv4/TCP ---------- */

struct tb_ip4 {
	uint8_t ver_ihl;
	uint8_t tos;
	uint16_t tot_len;
	uint16_t id;
	uint16_t frag;
	uint8_t ttl;
	uint8_t proto;
	uint16_t csum;
	uint32_t saddr;
	uint32_t daddr;
} __attribute__((packed));

struct tb_tcp {
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t doff;		/* data offset << 4 */
	uint8_t flags;
	uint16_t window;
	uint16_t csum;
	uint16_t urg;
} __attribute__((packed));

#define TB_TCP_FIN	0x01
#define TB_TCP_SYN	0x02
#define TB_TCP_RST	0x04
#define TB_TCP_ACK	0x10

static inline uint32_t tb_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 1) {
		sum += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static inline uint16_t tb_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/*
 * Build one IPv4/TCP segment without payload into buf; with_mss adds the
 * MSS option (SYNs). Returns the packet length.
 */
static inline size_t tb_build_tcp(uint8_t *buf, uint32_t saddr, uint32_t daddr,
				  uint16_t sport, uint16_t dport, uint32_t seq,
				  uint32_t ack, uint8_t flags, bool with_mss)
{
	struct tb_ip4 *ip = (struct tb_ip4 *)buf;
	struct tb_tcp *th = (struct tb_tcp *)(buf + sizeof(*ip));
	size_t tcp_len = sizeof(*th) + (with_mss ? 4 : 0);
	uint8_t pseudo[12];
	uint32_t sum;
	static uint16_t ip_id = 1;

	memset(buf, 0, sizeof(*ip) + tcp_len);
	ip->ver_ihl = 0x45;
	ip->tot_len = htons(sizeof(*ip) + tcp_len);
	ip->id = htons(ip_id++);
	ip->frag = htons(0x4000);	/* DF */
	ip->ttl = 64;
	ip->proto = IPPROTO_TCP;
	ip->saddr = saddr;
	ip->daddr = daddr;
	ip->csum = tb_csum_fold(tb_csum_add(0, ip, sizeof(*ip)));

	th->sport = htons(sport);
	th->dport = htons(dport);
	th->seq = htonl(seq);
	th->ack = htonl(ack);
	th->doff = (uint8_t)((tcp_len / 4) << 4);
	th->flags = flags;
	th->window = htons(65535);
	if (with_mss) {
		uint8_t *opt = (uint8_t *)(th + 1);

		opt[0] = 2;	/* MSS */
		opt[1] = 4;
		opt[2] = 1460 >> 8;
		opt[3] = 1460 & 0xff;
	}

	memcpy(pseudo, &saddr, 4);
	memcpy(pseudo + 4, &daddr, 4);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_TCP;
	pseudo[10] = (uint8_t)(tcp_len >> 8);
	pseudo[11] = (uint8_t)tcp_len;
	sum = tb_csum_add(0, pseudo, sizeof(pseudo));
	sum = tb_csum_add(sum, th, tcp_len);
	th->csum = tb_csum_fold(sum);
	return sizeof(*ip) + tcp_len;
}

/*
 * Build an ICMP destination unreachable (code) from the peer to local,
 * quoting the IP header and the first 8 bytes of orig (a packet the local
 * side sent), as a router would. Returns the packet length.
 */
static inline size_t tb_build_icmp_unreach(uint8_t *buf, uint32_t saddr, uint32_t daddr,
					   const uint8_t *orig, size_t orig_len, uint8_t code)
{
	struct tb_ip4 *ip = (struct tb_ip4 *)buf;
	uint8_t *icmp = buf + sizeof(*ip);
	size_t quote = (size_t)(orig[0] & 0x0f) * 4 + 8;
	size_t icmp_len;
	uint16_t csum;

	if (quote > orig_len)
		quote = orig_len;
	icmp_len = 8 + quote;
	memset(buf, 0, sizeof(*ip) + 8);
	ip->ver_ihl = 0x45;
	ip->tot_len = htons(sizeof(*ip) + icmp_len);
	ip->ttl = 64;
	ip->proto = IPPROTO_ICMP;
	ip->saddr = saddr;
	ip->daddr = daddr;
	ip->csum = tb_csum_fold(tb_csum_add(0, ip, sizeof(*ip)));
	icmp[0] = 3;		/* destination unreachable */
	icmp[1] = code;
	memcpy(icmp + 8, orig, quote);
	csum = tb_csum_fold(tb_csum_add(0, icmp, icmp_len));
	memcpy(icmp + 2, &csum, 2);
	return sizeof(*ip) + icmp_len;
}

struct tb_tun_peer {
	int fd;
	uint32_t local;		/* network order */
	uint32_t peer;
	uint16_t lport;		/* the listener's port */
};

static inline void tb_tun_send(struct tb_tun_peer *t, uint16_t sport,
			       uint32_t seq, uint32_t ack, uint8_t flags)
{
	uint8_t buf[128];
	size_t len;

	len = tb_build_tcp(buf, t->peer, t->local, sport, t->lport, seq, ack,
			   flags, flags & TB_TCP_SYN);
	if (write(t->fd, buf, len) != (ssize_t)len)
		tb_die("write to tun: %s", strerror(errno));
}

/* A segment the listener sent to the peer. */
struct tb_seg {
	uint16_t dport;		/* the peer's port */
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;
};

/*
 * Read the next TCP segment from the listener's port to the peer within
 * timeout_ms; 1 got one, 0 timed out. Other packets are skipped.
 */
static inline int tb_tun_recv(struct tb_tun_peer *t, struct tb_seg *seg,
			      unsigned int timeout_ms)
{
	uint64_t deadline = tb_now_ms() + timeout_ms;
	uint8_t buf[TB_PKT_MAX];
	struct pollfd p = { .fd = t->fd, .events = POLLIN };
	const struct tb_ip4 *ip;
	const struct tb_tcp *th;
	uint64_t now;
	size_t ihl;
	ssize_t n;

	for (;;) {
		now = tb_now_ms();
		if (now >= deadline)
			return 0;
		if (poll(&p, 1, (int)(deadline - now)) <= 0)
			continue;
		n = read(t->fd, buf, sizeof(buf));
		if (n < (ssize_t)(sizeof(*ip) + sizeof(*th)))
			continue;
		ip = (const struct tb_ip4 *)buf;
		if ((ip->ver_ihl >> 4) != 4 || ip->proto != IPPROTO_TCP)
			continue;
		ihl = (ip->ver_ihl & 0x0f) * 4;
		if (ihl < sizeof(*ip) || (size_t)n < ihl + sizeof(*th))
			continue;
		if (ip->saddr != t->local || ip->daddr != t->peer)
			continue;
		th = (const struct tb_tcp *)(buf + ihl);
		if (ntohs(th->sport) != t->lport)
			continue;
		seg->dport = ntohs(th->dport);
		seg->seq = ntohl(th->seq);
		seg->ack = ntohl(th->ack);
		seg->flags = th->flags;
		return 1;
	}
}

#endif /* TB_IT_TUN_H */
