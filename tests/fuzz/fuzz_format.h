/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Run the formatters of user/format/output.h on fuzzed input and hold their
 * output to its contract (fuzz_check.h): JSON records valid, one line
 * each; text lines printable ASCII with a fixed number of columns.
 */
#ifndef TB_FUZZ_FORMAT_H
#define TB_FUZZ_FORMAT_H

#include "fuzz_check.h"
#include "format/output.h"

/*
 * One event through both formatters. JSON: exactly one record. Text:
 * exactly one line of 10 cells (drops; 11 when the detail is
 * "REASON ambiguous") or 12 (accept_error: the detail "EMFILE nofile=N
 * open=N" is three words); every cell is one word.
 */
static inline void fz_format_event(const struct event *ev)
{
	struct fz_sink s;
	int n, words;

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
	if (ev->kind == TB_KIND_ACCEPT_ERROR)
		FZ_ASSERT(words == 12, "text accept_error line: not 12 columns", s.buf, s.len);
	else
		FZ_ASSERT(words == 10 + ev->ambiguous, "text drop line: not 10 columns (11 ambiguous)",
			  s.buf, s.len);
	fz_sink_free(&s);
}

#endif /* TB_FUZZ_FORMAT_H */
