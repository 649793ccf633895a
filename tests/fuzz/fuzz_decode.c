// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: decode_event() on arbitrary ring-buffer records,
 * then both formatters on what it decoded, as main.c does.
 *
 * Input: the record (any length: short ones must be refused), then, when
 * the input is longer than a record, 8 more bytes give the clock offset
 * (CLOCK_MONOTONIC -> CLOCK_REALTIME) instead of a realistic default.
 *
 * Checked: short records are refused; an accepted one has a known kind
 * and reason, NUL-terminated strings, addresses that are what
 * inet_ntop() prints for the family (empty for an unknown one), a peer
 * only for drops, "ambiguous" only for drops; then the formatter
 * contracts of fuzz_format.h.
 */
#include <arpa/inet.h>
#include <sys/socket.h>

#include "decode/decode.h"
#include "fuzz_format.h"

static void check_addr(const char *what, int family, const char *s, size_t cap)
{
	unsigned char bin[16];
	char again[EVENT_ADDR_LEN];

	if (!memchr(s, '\0', cap))
		fz_fail(what, "address not NUL-terminated", 0, 0);
	if (!family) {
		if (s[0])
			fz_fail(what, s, strlen(s), 0);
		return;
	}
	/* what inet_ntop printed parses back to the same text */
	if (inet_pton(family, s, bin) != 1)
		fz_fail("decoded address does not parse", s, strlen(s), 0);
	inet_ntop(family, bin, again, sizeof(again));
	if (strcmp(again, s))
		fz_fail("decoded address does not round-trip", s, strlen(s), 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct clock_map clock = { .mono_to_real_ns = 1795000000LL * 1000000000LL };
	const size_t rec = sizeof(struct tb_event);
	struct event ev;
	int rc;

	if (size >= rec + sizeof(int64_t)) {
		memcpy(&clock.mono_to_real_ns, data + rec, sizeof(int64_t));
		size -= sizeof(int64_t);
	}

	memset(&ev, 0xa5, sizeof(ev));
	rc = decode_event(data, size, &clock, &ev);
	if (size < rec && rc == 0)
		fz_fail("short record accepted", (const char *)data, size, 0);
	if (rc) {
		if (rc != -1)
			fz_fail("decode_event returned neither 0 nor -1", "", 0, 0);
		return 0;
	}

	if (ev.kind < TB_KIND_SYN_DROP || ev.kind > TB_KIND_ACCEPT_ERROR)
		fz_fail("decoded kind out of range", "", 0, 0);
	if ((unsigned int)ev.reason >= TB_REASON_MAX)
		fz_fail("decoded reason out of range", "", 0, 0);
	if (ev.family != 0 && ev.family != AF_INET && ev.family != AF_INET6)
		fz_fail("decoded family unknown", "", 0, 0);
	if (!memchr(ev.comm, '\0', sizeof(ev.comm)))
		fz_fail("comm not NUL-terminated", ev.comm, sizeof(ev.comm), 0);
	check_addr("laddr", ev.family, ev.laddr, sizeof(ev.laddr));
	if (ev.kind == TB_KIND_ACCEPT_ERROR) {
		if (ev.has_peer)
			fz_fail("accept_error with a peer", "", 0, 0);
		if (ev.ambiguous)
			fz_fail("accept_error marked ambiguous", "", 0, 0);
	} else {
		if (!ev.has_peer)
			fz_fail("drop without a peer", "", 0, 0);
		check_addr("raddr", ev.family, ev.raddr, sizeof(ev.raddr));
		if (ev.open_fds != -1)
			fz_fail("drop with open_fds", "", 0, 0);
	}

	fz_format_event(&ev);
	return 0;
}
