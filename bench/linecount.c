// SPDX-License-Identifier: GPL-2.0
/*
 * linecount: the reader of the tracer's JSON Lines during a flood, where
 * keeping every event line would take gigabytes. Counts event lines by
 * kind and passes every other line (start, totals, listener, hint)
 * through to stdout (flushed at once), then appends
 *   {"event":"linecount","syn_drop":N,"accept_overflow":N,"accept_error":N,
 *    "other":N,"bytes":N}
 * Reads stdin until EOF; a line longer than 64 KiB counts as "other".
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BUF	(1 << 20)

static char buf[BUF];

struct counts {
	uint64_t syn_drop, accept_overflow, accept_error, other, bytes;
};

static void line(const char *p, size_t n, struct counts *c)
{
	static const char sd[] = "{\"event\":\"syn_drop\"";
	static const char ao[] = "{\"event\":\"accept_overflow\"";
	static const char ae[] = "{\"event\":\"accept_error\"";

	if (n >= sizeof(sd) - 1 && !memcmp(p, sd, sizeof(sd) - 1))
		c->syn_drop++;
	else if (n >= sizeof(ao) - 1 && !memcmp(p, ao, sizeof(ao) - 1))
		c->accept_overflow++;
	else if (n >= sizeof(ae) - 1 && !memcmp(p, ae, sizeof(ae) - 1))
		c->accept_error++;
	else if (fwrite(p, 1, n, stdout) == n)
		fflush(stdout);	/* the runner waits for the start record */
}

int main(void)
{
	struct counts c = { 0 };
	size_t used = 0;
	int skipping = 0;	/* inside an overlong line: drop up to its newline */

	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf + used, BUF - used);
		size_t off = 0;
		char *nl;

		if (n <= 0)
			break;
		c.bytes += (uint64_t)n;
		used += (size_t)n;
		while ((nl = memchr(buf + off, '\n', used - off))) {
			if (!skipping)
				line(buf + off, (size_t)(nl - (buf + off)) + 1, &c);
			skipping = 0;
			off = (size_t)(nl - buf) + 1;
		}
		memmove(buf, buf + off, used - off);
		used -= off;
		if (used == BUF) {
			/* an overlong line: count it, drop it */
			if (!skipping)
				c.other++;
			skipping = 1;
			used = 0;
		}
	}
	if (used && !skipping)
		c.other++;	/* a last line without its newline */
	printf("{\"event\":\"linecount\",\"syn_drop\":%llu,\"accept_overflow\":%llu,"
	       "\"accept_error\":%llu,\"other\":%llu,\"bytes\":%llu}\n",
	       (unsigned long long)c.syn_drop, (unsigned long long)c.accept_overflow,
	       (unsigned long long)c.accept_error, (unsigned long long)c.other,
	       (unsigned long long)c.bytes);
	return 0;
}
