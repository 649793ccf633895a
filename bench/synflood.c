// SPDX-License-Identifier: GPL-2.0
/*
 * synflood: TCP SYNs as fast as one CPU can send them, from random source
 * ports, through an AF_PACKET socket on one interface (a veth end in a
 * test namespace: never anything else).
 *
 *   synflood -i IFACE -m DST_MAC -s SRC_IP -d DST_IP -p DPORT
 *            [-t SECONDS] [-n MAX_PACKETS] [-b BATCH]
 *
 * Addresses must lie in 198.18.0.0/15 (benchmark range, RFC 2544). Ends
 * after SECONDS (default 5, at most 60) or MAX_PACKETS (default 50
 * million), whichever comes first. Prints sent=, send_errors=,
 * elapsed_s=, pps=.
 */
#include <getopt.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/ioctl.h>

#include "driver.h"

#define MAX_BATCH	256
#define FRAME_LEN	(ETH_HLEN + 20 + 20)

#ifndef PACKET_QDISC_BYPASS
#define PACKET_QDISC_BYPASS	20
#endif

struct frame {
	uint8_t b[FRAME_LEN];
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint32_t csum_add(uint32_t sum, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static bool in_bench_range(struct in_addr a)
{
	/* 198.18.0.0/15 */
	return (ntohl(a.s_addr) & 0xfffe0000U) == 0xc6120000U;
}

static void parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int m[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
		tb_die("bad MAC address %s", s);
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)m[i];
}

/* fill a frame: Ethernet, IPv4, TCP SYN with a fresh source port and ISN */
static void build(struct frame *f, const uint8_t dmac[6], const uint8_t smac[6],
		  struct in_addr src, struct in_addr dst, uint16_t dport)
{
	struct iphdr *ip = (struct iphdr *)(f->b + ETH_HLEN);
	struct tcphdr *th = (struct tcphdr *)(f->b + ETH_HLEN + 20);
	uint8_t pseudo[12];
	uint32_t sum;
	uint64_t r = rng();

	memcpy(f->b, dmac, 6);
	memcpy(f->b + 6, smac, 6);
	f->b[12] = 0x08;
	f->b[13] = 0x00;

	memset(ip, 0, 20);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(40);
	ip->id = htons((uint16_t)(r >> 48));
	ip->frag_off = htons(IP_DF);
	ip->ttl = 64;
	ip->protocol = IPPROTO_TCP;
	ip->saddr = src.s_addr;
	ip->daddr = dst.s_addr;
	ip->check = htons(csum_fold(csum_add(0, ip, 20)));

	memset(th, 0, 20);
	th->source = htons((uint16_t)(1024 + (r & 0xffff) % 64511));
	th->dest = htons(dport);
	th->seq = htonl((uint32_t)(r >> 16));
	th->doff = 5;
	th->syn = 1;
	th->window = htons(64240);
	memcpy(pseudo, &src.s_addr, 4);
	memcpy(pseudo + 4, &dst.s_addr, 4);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_TCP;
	pseudo[10] = 0;
	pseudo[11] = 20;
	sum = csum_add(0, pseudo, sizeof(pseudo));
	sum = csum_add(sum, th, 20);
	th->check = htons(csum_fold(sum));
}

int main(int argc, char **argv)
{
	static struct frame frames[MAX_BATCH];
	struct mmsghdr msgs[MAX_BATCH];
	struct iovec iov[MAX_BATCH];
	struct sockaddr_ll ll;
	struct in_addr src = { 0 }, dst = { 0 };
	struct ifreq ifr;
	const char *ifname = NULL, *dmac_s = NULL;
	uint8_t dmac[6], smac[6];
	long max_pkts = 50000000L, sent = 0, errors = 0;
	double secs = 5;
	int dport = 0, batch = 64, one = 1, fd, opt, i, k;
	uint64_t t0, t1, deadline;
	struct timespec ts;

	tb_prog = "synflood";
	while ((opt = getopt(argc, argv, "i:m:s:d:p:t:n:b:")) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 'm':
			dmac_s = optarg;
			break;
		case 's':
			if (inet_pton(AF_INET, optarg, &src) != 1)
				tb_die("bad source %s", optarg);
			break;
		case 'd':
			if (inet_pton(AF_INET, optarg, &dst) != 1)
				tb_die("bad destination %s", optarg);
			break;
		case 'p':
			dport = atoi(optarg);
			break;
		case 't':
			secs = atof(optarg);
			break;
		case 'n':
			max_pkts = atol(optarg);
			break;
		case 'b':
			batch = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: synflood -i IFACE -m DST_MAC -s SRC_IP -d DST_IP -p DPORT "
				"[-t SECONDS] [-n MAX_PACKETS] [-b BATCH]\n");
			return 2;
		}
	}
	if (!ifname || !dmac_s || dport < 1 || dport > 65535 || secs <= 0 || secs > 60 ||
	    max_pkts < 1 || batch < 1 || batch > MAX_BATCH)
		tb_die("bad arguments");
	if (!in_bench_range(src) || !in_bench_range(dst))
		tb_die("addresses must lie in 198.18.0.0/15");
	parse_mac(dmac_s, dmac);
	clock_gettime(CLOCK_REALTIME, &ts);
	rng_state ^= (uint64_t)ts.tv_nsec << 20 ^ (uint64_t)getpid();

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);	/* protocol 0: send only */
	if (fd < 0)
		tb_die("AF_PACKET socket: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		tb_die("SIOCGIFHWADDR %s: %s", ifname, strerror(errno));
	memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);
	memset(&ll, 0, sizeof(ll));
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = 0;	/* receive nothing: this socket only sends */
	ll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!ll.sll_ifindex)
		tb_die("no interface %s", ifname);
	if (bind(fd, (struct sockaddr *)&ll, sizeof(ll)))
		tb_die("bind %s: %s", ifname, strerror(errno));
	/* straight to the driver: the qdisc is not what is measured */
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));

	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < batch; i++) {
		iov[i].iov_base = frames[i].b;
		iov[i].iov_len = FRAME_LEN;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	t0 = tb_now_ms();
	deadline = t0 + (uint64_t)(secs * 1000);
	while (sent < max_pkts) {
		int want = batch;

		if (tb_now_ms() >= deadline)
			break;
		if (max_pkts - sent < want)
			want = (int)(max_pkts - sent);
		for (i = 0; i < want; i++)
			build(&frames[i], dmac, smac, src, dst, (uint16_t)dport);
		k = sendmmsg(fd, msgs, (unsigned int)want, 0);
		if (k < 0) {
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
				tb_die("sendmmsg: %s", strerror(errno));
			errors++;
			continue;
		}
		sent += k;
	}
	t1 = tb_now_ms();
	if (t1 == t0)
		t1++;

	tb_kv("sent", "%ld", sent);
	tb_kv("send_errors", "%ld", errors);
	tb_kv("elapsed_s", "%.3f", (double)(t1 - t0) / 1000);
	tb_kv("pps", "%.0f", (double)sent * 1000 / (double)(t1 - t0));
	return 0;
}
