/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus text exposition format (version 0.0.4) of the series (one
 * per label set, see series.h) and the totals. Labels are per listener
 * (netns, laddr, lport, comm), never per peer. No I/O: the server in
 * metrics.c serves the text.
 */
#ifndef TB_EXPOSITION_H
#define TB_EXPOSITION_H

#include <stddef.h>

#include "aggregate/destinations.h"
#include "decode/decode.h"
#include "format/series.h"

#define EXPOSITION_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/*
 * The exposition text of the series as series_table_render() left them
 * (NULL: none) and the totals (NULL: zero), malloc'ed into *out (the
 * caller frees it); returns its length. Out of memory: *out is NULL.
 */
size_t exposition_render(const struct series_table *table, const struct totals *t, char **out);

/* The outbound side: failed connects per namespace, and the destinations of the last interval. */
struct outbound_metrics {
	const struct connect_error_count *errors;
	size_t nerrors;
	const struct destination_report *destinations;	/* the bounded set the records showed */
	size_t ndestinations;
};

/* exposition_render() with the outbound families too (NULL: none). */
size_t exposition_render_outbound(const struct series_table *table, const struct totals *t,
				  const struct outbound_metrics *o, char **out);

#endif /* TB_EXPOSITION_H */
