// SPDX-License-Identifier: GPL-2.0
/*
 * --metrics-addr parsing: shared by the command line check and the server,
 * so a value the command line accepts is one the server can use.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "setup/metrics_addr.h"

int metrics_parse_addr(const char *addr, char *host, size_t hostlen, unsigned int *port,
		       char *errbuf, size_t errlen)
{
	const char *colon, *h, *p;
	size_t hlen;
	unsigned long v;
	char *end;

	if (!addr || !*addr) {
		snprintf(errbuf, errlen, "empty metrics address (expected HOST:PORT)");
		return -1;
	}
	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');

		if (!close) {
			snprintf(errbuf, errlen, "metrics address \"%s\": missing ']'", addr);
			return -1;
		}
		if (close[1] != ':') {
			snprintf(errbuf, errlen, "metrics address \"%s\": expected [IPv6]:PORT", addr);
			return -1;
		}
		h = addr + 1;
		hlen = (size_t)(close - h);
		p = close + 2;
		if (!hlen) {
			snprintf(errbuf, errlen, "metrics address \"%s\": empty IPv6 address", addr);
			return -1;
		}
		if (strspn(h, "0123456789abcdefABCDEF:.") < hlen) {
			snprintf(errbuf, errlen, "metrics address \"%s\": not an IPv6 address", addr);
			return -1;
		}
	} else {
		colon = strrchr(addr, ':');
		if (!colon) {
			snprintf(errbuf, errlen, "metrics address \"%s\": missing :PORT", addr);
			return -1;
		}
		h = addr;
		hlen = (size_t)(colon - addr);
		p = colon + 1;
		if (memchr(h, ':', hlen)) {
			snprintf(errbuf, errlen,
				 "metrics address \"%s\": put an IPv6 address in brackets, [ADDR]:PORT",
				 addr);
			return -1;
		}
		/* a name or an IPv4 address: nothing a resolver would choke on */
		if (strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") < hlen) {
			snprintf(errbuf, errlen, "metrics address \"%s\": invalid host \"%.*s\"",
				 addr, (int)hlen, h);
			return -1;
		}
	}
	if (!*p || strspn(p, "0123456789") != strlen(p)) {
		snprintf(errbuf, errlen, "metrics address \"%s\": port must be a number 1..65535", addr);
		return -1;
	}
	errno = 0;
	v = strtoul(p, &end, 10);
	if (errno || v < 1 || v > 65535) {
		snprintf(errbuf, errlen, "metrics address \"%s\": port must be 1..65535", addr);
		return -1;
	}
	if (hlen >= hostlen) {
		snprintf(errbuf, errlen, "metrics address \"%s\": host too long", addr);
		return -1;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = (unsigned int)v;
	return 0;
}
