// SPDX-License-Identifier: GPL-2.0
/* Local ports held toward a destination, from /proc/<pid>/net/tcp{,6}; see port_usage.h. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "host/port_usage.h"

static void count_state(struct port_usage *u, unsigned int state)
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

/*
 * The kernel prints an address as its 32-bit words in host order, "%08X"
 * each: parsed back into host words, their bytes are the address's.
 */
static int parse_addr(const char *hex, size_t words, uint8_t addr[16])
{
	for (size_t i = 0; i < words; i++) {
		unsigned int w;
		uint32_t v;

		if (sscanf(hex + 8 * i, "%8X", &w) != 1)
			return -1;
		v = w;
		memcpy(addr + 4 * i, &v, 4);
	}
	return 0;
}

void port_usage_count(const char *proc_root, uint32_t pid, uint32_t netns, int family,
		      const char *raddr, uint16_t rport, struct port_usage *u)
{
	size_t words = family == AF_INET6 ? 4 : 1;
	char path[128], line[512], rem[40];
	uint8_t dst[16] = { 0 }, addr[16];
	unsigned int port, state;
	struct stat st;
	FILE *f;

	memset(u, 0, sizeof(*u));
	if (inet_pton(family, raddr, dst) != 1)
		return;
	/* the process may have moved to another namespace since */
	snprintf(path, sizeof(path), "%s/%u/ns/net", proc_root, pid);
	if (stat(path, &st) || st.st_ino != netns)
		return;
	snprintf(path, sizeof(path), "%s/%u/net/%s", proc_root, pid, family == AF_INET6 ? "tcp6" : "tcp");
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		/* "  sl: local_address rem_address st ...", a header line first */
		if (sscanf(line, "%*s %*s %39s %X", rem, &state) != 2 || strlen(rem) != 8 * words + 5)
			continue;
		if (parse_addr(rem, words, addr) || sscanf(rem + 8 * words, ":%X", &port) != 1)
			continue;
		if (port == rport && !memcmp(addr, dst, 4 * words))
			count_state(u, state);
	}
	u->known = !ferror(f);
	fclose(f);
}
