// SPDX-License-Identifier: GPL-2.0
/* JSON and text escaping of untrusted strings. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "format/escape.h"

/* Where escaped output goes: a FILE, or a bounded buffer. */
struct sink {
	FILE *f;
	char *buf;
	size_t size;
	size_t used;	/* bytes stored in buf */
	size_t len;	/* bytes the whole result needs */
	bool full;	/* stop storing once one piece did not fit */
};

static void put(struct sink *s, const void *p, size_t n)
{
	s->len += n;
	if (s->f) {
		fwrite(p, 1, n, s->f);
		return;
	}
	/* all or nothing per piece, and nothing after a miss, so no piece is cut */
	if (s->full || s->used + n >= s->size) {
		s->full = true;
		return;
	}
	memcpy(s->buf + s->used, p, n);
	s->used += n;
}

static void finish(struct sink *s)
{
	if (!s->f && s->size)
		s->buf[s->used] = '\0';
}

static const char hex[] = "0123456789abcdef";

/* RFC 8259 two-character escapes of control bytes */
static const char short_escape[0x20] = {
	['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
};

size_t utf8_valid_len(const unsigned char *p, size_t n, size_t *bad)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong below U+0800 */
		else if (c == 0xed)
			hi = 0x9f;	/* UTF-16 surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		if (c == 0xf0)
			lo = 0x90;	/* overlong below U+10000 */
		else if (c == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else {
		/* continuation byte, C0/C1 overlong lead, F5..FF */
		*bad = 1;
		return 0;
	}
	for (i = 1; i < need; i++) {
		/* a NUL terminator inside n also fails this test: truncated */
		if (i >= n || p[i] < lo || p[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need;
}

static void json_escape(struct sink *s, const char *str)
{
	static const char fffd[] = "\xef\xbf\xbd";
	const unsigned char *p = (const unsigned char *)str;

	put(s, "\"", 1);
	while (p && *p) {
		unsigned char c = *p;
		char esc[6];
		size_t n, bad;

		if (c >= 0x80) {
			n = utf8_valid_len(p, SIZE_MAX, &bad);	/* the NUL ends it */
			if (n) {
				put(s, p, n);
				p += n;
			} else {
				put(s, fffd, 3);
				p += bad;
			}
			continue;
		}
		p++;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(s, esc, 2);
			continue;
		}
		if (c < 0x20 && short_escape[c]) {
			esc[0] = '\\';
			esc[1] = short_escape[c];
			put(s, esc, 2);
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			/* DEL is legal JSON but a terminal may act on it */
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			put(s, esc, 6);
		} else {
			put(s, &c, 1);
		}
	}
	put(s, "\"", 1);
}

static void text_escape_to(struct sink *s, const char *str)
{
	const unsigned char *p = (const unsigned char *)str;

	for (; p && *p; p++) {
		unsigned char c = *p;
		char esc[4];

		if (c == '\\') {
			put(s, "\\\\", 2);
		} else if (c >= 0x21 && c <= 0x7e) {
			put(s, &c, 1);
		} else {
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 0xf];
			put(s, esc, 4);
		}
	}
}

typedef void escaper(struct sink *s, const char *str);

/* One escaper, two destinations: a FILE, or a bounded, NUL-terminated buffer. */
static void escape_to_file(FILE *f, const char *str, escaper *escape)
{
	struct sink sk = { .f = f };

	escape(&sk, str);
}

static size_t escape_to_buffer(char *dst, size_t size, const char *str, escaper *escape)
{
	struct sink sk = { .buf = dst, .size = size };

	escape(&sk, str);
	finish(&sk);
	return sk.len;
}

void json_write_string(FILE *f, const char *s)
{
	escape_to_file(f, s, json_escape);
}

size_t json_quote(char *dst, size_t size, const char *s)
{
	return escape_to_buffer(dst, size, s, json_escape);
}

void text_write_escaped(FILE *f, const char *s)
{
	escape_to_file(f, s, text_escape_to);
}

size_t text_escape(char *dst, size_t size, const char *s)
{
	return escape_to_buffer(dst, size, s, text_escape_to);
}

/* The valid UTF-8 sequence at p, or one U+FFFD for an invalid one: bytes read. */
static size_t put_utf8_or_replacement(struct sink *s, const unsigned char *p, size_t n)
{
	size_t valid, bad;

	valid = utf8_valid_len(p, n, &bad);
	if (!valid) {
		put(s, "\xef\xbf\xbd", 3);
		return bad;
	}
	put(s, p, valid);
	return valid;
}

size_t prom_label_escape(char *dst, size_t size, const char *str, size_t max)
{
	struct sink sk = { .buf = dst, .size = size };
	const unsigned char *p = (const unsigned char *)str;
	size_t n = strnlen(str, max);

	while (n) {
		unsigned char c = *p;
		size_t used = 1;

		if (c >= 0x80)
			used = put_utf8_or_replacement(&sk, p, n);
		else if (c == '\\' || c == '"')
			put(&sk, (char[]){ '\\', (char)c }, 2);
		else if (c == '\n')
			put(&sk, "\\n", 2);
		else
			put(&sk, &c, 1);
		p += used;
		n -= used;
	}
	finish(&sk);
	return sk.len;
}
