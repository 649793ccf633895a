// SPDX-License-Identifier: GPL-2.0
/*
 * lat_bucket COLUMN...: for each tab-separated line on stdin, print the
 * accept-latency bucket [lo, hi) in microseconds of each named column's
 * value (1-based; empty or missing is 0), then the line itself, all
 * tab-separated. The bucket is tb_lat_slot()'s, the tracer's own, so the
 * runner's latency check cannot drift from it; the last slot is open
 * (hi printed as 1e30).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tb_log2.h"

#define MAX_LINE	4096

/* value of column col (1-based) of a tab-separated line */
static unsigned long long column(const char *line, int col)
{
	const char *p = line;

	while (--col > 0 && p)
		p = (p = strchr(p, '\t')) ? p + 1 : NULL;
	return p ? strtoull(p, NULL, 10) : 0;
}

int main(int argc, char **argv)
{
	char line[MAX_LINE];
	int i;

	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		for (i = 1; i < argc; i++) {
			__u32 slot = tb_lat_slot(column(line, atoi(argv[i])));

			if (slot == TB_LAT_SLOTS - 1)
				printf("%llu\t1e30\t", 1ULL << slot);
			else
				printf("%llu\t%llu\t", slot ? 1ULL << slot : 0, 1ULL << (slot + 1));
		}
		printf("%s\n", line);
	}
	return 0;
}
