// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: decode_event() on arbitrary ring-buffer records,
 * then both formatters on what it decoded, as main.c does.
 *
 * Input: the record (any length: short ones must be refused), then, when
 * the input is longer than a record, 8 more bytes give the clock offset
 * (CLOCK_MONOTONIC -> CLOCK_REALTIME) instead of a realistic default.
 *
 * Checked: short records are refused; an accepted one has a kind the
 * table knows and a known reason, NUL-terminated strings, addresses that
 * are what inet_ntop() prints for the family (empty for an unknown one),
 * a peer only where its kind's row has one, "ambiguous" only with a
 * reason, fd usage only where the row has it; then the formatter
 * contracts of fuzz_format.h.
 */
#include <arpa/inet.h>
#include <sys/socket.h>

#include "decode/decode.h"
#include "decode/kinds.h"
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
	const struct kind_info *k;
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

	k = kind_info(ev.kind);
	if (!k)
		fz_fail("decoded a kind the table does not know", "", 0, 0);
	if ((unsigned int)ev.reason >= TB_REASON_MAX)
		fz_fail("decoded reason out of range", "", 0, 0);
	if (ev.family != 0 && ev.family != AF_INET && ev.family != AF_INET6)
		fz_fail("decoded family unknown", "", 0, 0);
	if (!memchr(ev.comm, '\0', sizeof(ev.comm)))
		fz_fail("comm not NUL-terminated", ev.comm, sizeof(ev.comm), 0);
	/* a connect's or bind's source that is not bound yet (port 0) has no address */
	if (kind_has_field(k, FIELD_SOURCE) && !ev.lport)
		check_addr("laddr", 0, ev.laddr, sizeof(ev.laddr));
	else
		check_addr("laddr", ev.family, ev.laddr, sizeof(ev.laddr));
	if (ev.has_peer != k->has_peer)
		fz_fail("peer where the kind has none, or none where it has one", k->name, strlen(k->name), 0);
	if (ev.has_peer)
		check_addr("raddr", ev.family, ev.raddr, sizeof(ev.raddr));
	if (ev.ambiguous && !kind_has_field(k, FIELD_REASON))
		fz_fail("marked ambiguous without a reason", k->name, strlen(k->name), 0);
	if (!memchr(ev.acceptor_comm, '\0', sizeof(ev.acceptor_comm)))
		fz_fail("acceptor_comm not NUL-terminated", ev.acceptor_comm, sizeof(ev.acceptor_comm), 0);
	if (!kind_has_field(k, FIELD_ACCEPTOR) && (ev.acceptor_pid || ev.acceptor_comm[0]))
		fz_fail("an acceptor where the kind has none", k->name, strlen(k->name), 0);
	if (!kind_has_field(k, FIELD_LISTEN_ADDR) && ev.listen_addr[0])
		fz_fail("a bound address where the kind has none", k->name, strlen(k->name), 0);
	if (!kind_has_field(k, FIELD_ATTEMPT) && ev.attempt)
		fz_fail("attempt where the kind has none", k->name, strlen(k->name), 0);
	if (!kind_has_field(k, FIELD_FD_USAGE) && ev.open_fds != -1)
		fz_fail("open_fds where the kind has no fd usage", k->name, strlen(k->name), 0);

	fz_format_event(&ev);
	return 0;
}
