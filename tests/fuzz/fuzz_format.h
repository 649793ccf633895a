/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Run the formatters of user/format/output.h on fuzzed input and hold their
 * output to its contract (fuzz_check.h): JSON records valid, one line
 * each; text lines printable ASCII with a fixed number of columns.
 */
#ifndef TB_FUZZ_FORMAT_H
#define TB_FUZZ_FORMAT_H

#include <errno.h>

#include "decode/kinds.h"
#include "fuzz_check.h"
#include "format/output.h"

/*
 * One event through both formatters. A kind the table does not know: no
 * output at all. Otherwise JSON: exactly one record. Text: exactly one
 * line of 10 cells and the detail, whose words the kind's row decides
 * ("REASON[ ambiguous]", "EMFILE", "nofile=N open=N", "range=L-H ...", "attempt=N",
 * "service=NAME"; "-" when none).
 */
static inline bool has_service(const struct cgroup_identity *id)
{
	char buf[CGROUP_PATH_LEN];

	return cgroup_identity_service(id, buf, sizeof(buf))[0] != '\0';
}

static inline int detail_words(const struct kind_info *k, const struct event *ev)
{
	int words = 0;

	if (kind_has_field(k, FIELD_REASON))
		words += 1 + ev->ambiguous;
	if (kind_has_field(k, FIELD_ERRNO))
		words++;
	if (kind_has_field(k, FIELD_FD_USAGE))
		words += 2;
	/* EADDRNOTAVAIL: "range=L-H", then the four states when the ports held are known */
	if (kind_has_field(k, FIELD_PORTS) && ev->err == EADDRNOTAVAIL)
		words += 1 + (ev->ports_in_use.known ? 4 : 0);
	/* "attempt=N" when the 4-tuple was tracked */
	if (kind_has_field(k, FIELD_ATTEMPT) && ev->attempt)
		words++;
	/* "service=NAME", "acceptor_service=NAME": only where there is one */
	if (kind_has_field(k, FIELD_IDENTITY) && has_service(&ev->identity))
		words++;
	if (kind_has_field(k, FIELD_ACCEPTOR_IDENTITY) && has_service(&ev->acceptor_identity))
		words++;
	return words ? words : 1;
}

static inline void fz_format_event(const struct event *ev)
{
	const struct kind_info *k = kind_info(ev->kind);
	struct fz_sink s;
	int n, words;

	if (!k) {
		fz_sink_open(&s);
		output_json.event(s.f, ev);
		output_text.event(s.f, ev);
		fz_sink_close(&s);
		FZ_ASSERT(s.len == 0, "a kind the table does not know was printed", s.buf, s.len);
		fz_sink_free(&s);
		return;
	}
	fz_sink_open(&s);
	output_json.event(s.f, ev);
	fz_sink_close(&s);
	n = fz_check_json(s.buf, s.len);
	FZ_ASSERT(n == 1, "JSON event: not exactly one line", s.buf, s.len);
	fz_sink_free(&s);

	fz_sink_open(&s);
	output_text.event(s.f, ev);
	fz_sink_close(&s);
	n = fz_check_text(s.buf, s.len);
	FZ_ASSERT(n == 1, "text event: not exactly one line", s.buf, s.len);
	words = fz_words(s.buf, s.len);
	FZ_ASSERT(words == 10 + detail_words(k, ev), "text event line: not 10 columns and the detail",
		  s.buf, s.len);
	fz_sink_free(&s);
}

#endif /* TB_FUZZ_FORMAT_H */
