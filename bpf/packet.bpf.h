/* SPDX-License-Identifier: GPL-2.0 */
/* A packet's addresses, ports and TCP flags, read from the skb headers. */
#ifndef TB_PACKET_BPF_H
#define TB_PACKET_BPF_H

#include "tcpbacklog.bpf.h"

struct pkt {
	__u16 family;
	__u16 sport;
	__u16 dport;
	__u8 flags;		/* TCP flags byte */
	__u8 pad;
	__u8 saddr[16];		/* IPv4: first 4 bytes */
	__u8 daddr[16];
};

#define TCP_FLAG_SYN	0x02
#define TCP_FLAG_ACK	0x10

/* An IPv4 address as IPv4-mapped IPv6, the form every address is kept in. */
static __always_inline void addr_set_v4(__u8 *dst16, __u32 v4)
{
	__builtin_memset(dst16, 0, 10);
	dst16[10] = 0xff;
	dst16[11] = 0xff;
	__builtin_memcpy(dst16 + 12, &v4, 4);
}

/*
 * From the network header at head + nh and the TCP header at head + th.
 * One read covers either IP header: an IPv4 one is followed by at least
 * a TCP header, so 40 bytes are there in both cases.
 */
static __always_inline int read_pkt_at(unsigned char *head, __u16 nh, __u16 th, struct pkt *p)
{
	union {
		__u8 vihl;
		struct iphdr v4;
		struct ipv6hdr v6;
	} ip;
	__u8 tcp[14];

	if (bpf_probe_read_kernel(&ip, sizeof(ip.v6), head + nh))
		return -1;
	if ((ip.vihl >> 4) == 4) {
		if (ip.v4.protocol != IPPROTO_TCP)
			return -1;
		p->family = AF_INET;
		__builtin_memcpy(p->saddr, &ip.v4.saddr, 4);
		__builtin_memcpy(p->daddr, &ip.v4.daddr, 4);
	} else if ((ip.vihl >> 4) == 6) {
		if (ip.v6.nexthdr != IPPROTO_TCP)
			return -1;
		p->family = AF_INET6;
		__builtin_memcpy(p->saddr, &ip.v6.saddr, 16);
		__builtin_memcpy(p->daddr, &ip.v6.daddr, 16);
	} else {
		return -1;
	}
	if (bpf_probe_read_kernel(tcp, sizeof(tcp), head + th))
		return -1;
	p->sport = (tcp[0] << 8) | tcp[1];
	p->dport = (tcp[2] << 8) | tcp[3];
	p->flags = tcp[13];
	return 0;
}

/* skb: any kernel pointer */
static __always_inline int read_pkt(const struct sk_buff *skb, struct pkt *p)
{
	return read_pkt_at(BPF_CORE_READ(skb, head), BPF_CORE_READ(skb, network_header),
			   BPF_CORE_READ(skb, transport_header), p);
}

/* skb: a BTF argument of a tp_btf program, read with plain loads (no helper calls) */
static __always_inline int read_pkt_arg(const struct sk_buff *skb, struct pkt *p)
{
	return read_pkt_at(skb->head, skb->network_header, skb->transport_header, p);
}

/*
 * The network namespace a received packet is in. TCP has cleared skb->dev
 * by the time it frees the packet; the input route still names the device.
 * skb: a BTF argument of a tp_btf program, its own fields read with plain
 * loads.
 */
static __always_inline struct net *skb_net(const struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;

	/* read, not loaded, in both cases: one kind of pointer for the verifier, one pass */
	if (dev)
		return BPF_CORE_READ(dev, nd_net.net);
	return BPF_CORE_READ((struct dst_entry *)(skb->_skb_refdst & ~1UL), dev, nd_net.net);
}

#endif /* TB_PACKET_BPF_H */
