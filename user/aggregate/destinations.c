// SPDX-License-Identifier: GPL-2.0
/* Per-destination interval reports from the kernel's counts; see destinations.h. */
#include <stdlib.h>
#include <string.h>

#include "aggregate/destinations.h"
#include "decode/decode.h"

void destinations_free(struct destinations *d)
{
	free(d->prev);
	memset(d, 0, sizeof(*d));
}

uint32_t port_usage_total(const struct port_usage *u)
{
	return u->established + u->time_wait + u->syn_sent + u->other;
}

static void key_of_event(const struct event *ev, struct tb_destination_key *key)
{
	memset(key, 0, sizeof(*key));
	key->netns = ev->netns;
	key->family = ev->family;
	key->rport = ev->rport;
	if (decode_addr_parse(ev->family, ev->raddr, key->raddr))
		memset(key->raddr, 0, sizeof(key->raddr));
}

/* Same netns, address and port (err aside). */
static bool same_destination(const struct tb_destination_key *a, const struct tb_destination_key *b)
{
	return a->netns == b->netns && a->family == b->family && a->rport == b->rport &&
	       !memcmp(a->raddr, b->raddr, sizeof(a->raddr));
}

void destinations_note_event(struct destinations *d, const struct event *ev)
{
	struct tb_destination_key key;
	struct destination_seen *s = NULL;

	key_of_event(ev, &key);
	for (size_t i = 0; i < d->nseen && !s; i++)
		if (same_destination(&d->seen[i].key, &key))
			s = &d->seen[i];
	if (!s) {
		/* full: the oldest makes room */
		if (d->nseen == DESTINATIONS_SEEN_MAX) {
			memmove(d->seen, d->seen + 1, (DESTINATIONS_SEEN_MAX - 1) * sizeof(d->seen[0]));
			d->nseen--;
		}
		s = &d->seen[d->nseen++];
		memset(s, 0, sizeof(*s));
		s->key = key;
	}
	s->pid = ev->pid;
	if (ev->port_low || ev->port_high) {
		s->port_low = ev->port_low;
		s->port_high = ev->port_high;
	}
	if (ev->ports_in_use.known) {
		s->ports_at_failure = ev->ports_in_use;
		if (port_usage_total(&ev->ports_in_use) > s->ports_peak)
			s->ports_peak = port_usage_total(&ev->ports_in_use);
	}
}

static uint64_t previous_count(const struct destinations *d, const struct tb_destination_key *key)
{
	for (size_t i = 0; i < d->nprev; i++)
		if (same_destination(&d->prev[i].key, key) && d->prev[i].key.err == key->err)
			return d->prev[i].count;
	return 0;
}

static struct destination_report *report_for(struct destination_report *out, int *n,
					     const struct tb_destination_key *key)
{
	struct destination_report *r;

	for (int i = 0; i < *n; i++)
		if (out[i].netns == key->netns && out[i].family == key->family && out[i].rport == key->rport &&
		    !memcmp(out[i].raddr_bytes, key->raddr, sizeof(key->raddr)))
			return &out[i];
	r = &out[(*n)++];
	memset(r, 0, sizeof(*r));
	r->netns = key->netns;
	r->family = key->family;
	r->rport = key->rport;
	memcpy(r->raddr_bytes, key->raddr, sizeof(key->raddr));
	decode_addr(key->family, key->raddr, r->raddr, sizeof(r->raddr));
	return r;
}

int destinations_collect(struct destinations *d, const struct destination_entry *now, size_t n,
			 struct destination_report *out)
{
	int nout = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t delta = now[i].count - previous_count(d, &now[i].key);
		struct destination_report *r;

		if (!delta)
			continue;
		r = report_for(out, &nout, &now[i].key);
		if (!now[i].key.err) {
			r->connects = delta;
			continue;
		}
		r->connect_errors += delta;
		/* the kernel's last caller and range: all there is without records (-q) */
		if (now[i].pid)
			r->pid = now[i].pid;
		if (now[i].port_high) {
			r->port_low = now[i].port_low;
			r->port_high = now[i].port_high;
		}
		if (r->nerrnos < DESTINATION_ERRNOS) {
			r->errnos[r->nerrnos].err = now[i].key.err;
			r->errnos[r->nerrnos++].count = delta;
		}
	}
	for (size_t i = 0; i < d->nseen; i++) {
		struct destination_seen *s = &d->seen[i];
		struct destination_report *r = report_for(out, &nout, &s->key);

		r->pid = s->pid;
		if (s->port_high) {
			r->port_low = s->port_low;
			r->port_high = s->port_high;
		}
		r->ports_peak = s->ports_peak;
		r->ports_at_failure = s->ports_at_failure;
		s->ports_peak = 0;
	}
	/* the next interval counts from here */
	if (n > d->prev_cap) {
		struct destination_entry *p = realloc(d->prev, n * sizeof(*p));

		if (!p)
			return nout;
		d->prev = p;
		d->prev_cap = n;
	}
	memcpy(d->prev, now, n * sizeof(*now));
	d->nprev = n;
	return nout;
}

static bool half_used(const struct destination_report *r)
{
	uint32_t range = r->port_high >= r->port_low && r->port_high ? r->port_high - r->port_low + 1u : 0;

	return range && 2u * r->ports_peak > range;
}

static int by_failures(const void *a, const void *b)
{
	const struct destination_report *x = a, *y = b;

	if (x->connect_errors != y->connect_errors)
		return x->connect_errors < y->connect_errors ? 1 : -1;
	return x->ports_peak < y->ports_peak ? 1 : x->ports_peak > y->ports_peak ? -1 : 0;
}

int destinations_select(struct destination_report *r, int n, int max, int *omitted)
{
	int kept = 0;

	for (int i = 0; i < n; i++) {
		if (r[i].ports_in_use.known && port_usage_total(&r[i].ports_in_use) > r[i].ports_peak)
			r[i].ports_peak = port_usage_total(&r[i].ports_in_use);
		if (r[i].connect_errors || half_used(&r[i]))
			r[kept++] = r[i];
	}
	qsort(r, kept, sizeof(*r), by_failures);
	*omitted = kept > max ? kept - max : 0;
	return kept > max ? max : kept;
}

size_t destinations_errors_by_netns(const struct destination_entry *now, size_t n,
				    struct connect_error_count *out, size_t max)
{
	size_t nout = 0, j;

	for (size_t i = 0; i < n; i++) {
		if (!now[i].key.err)
			continue;
		for (j = 0; j < nout; j++)
			if (out[j].netns == now[i].key.netns && out[j].err == now[i].key.err)
				break;
		if (j == nout) {
			if (nout == max)
				continue;
			out[nout].netns = now[i].key.netns;
			out[nout].err = now[i].key.err;
			out[nout++].count = 0;
		}
		out[j].count += now[i].count;
	}
	return nout;
}
