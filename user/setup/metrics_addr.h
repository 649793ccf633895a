/* SPDX-License-Identifier: GPL-2.0 */
/* The --metrics-addr value: HOST:PORT, checked without resolving HOST. */
#ifndef TB_METRICS_ADDR_H
#define TB_METRICS_ADDR_H

#include <stddef.h>

/*
 * Split addr, "HOST:PORT" ("[::1]:9876" for IPv6, ":9876" for every
 * address), into host ("" for every address) and port 1..65535. 0, or -1
 * with errbuf set to one line naming the problem.
 */
int metrics_parse_addr(const char *addr, char *host, size_t hostlen, unsigned int *port,
		       char *errbuf, size_t errlen);

#endif /* TB_METRICS_ADDR_H */
