/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the libFuzzer harnesses: a byte reader over the fuzz input,
 * and checkers of what the formatters write. A checker that finds a
 * violation prints it with the offending line and calls abort(), which
 * libFuzzer reports as a crash (with the input saved as an artifact).
 *
 * JSON lines: the whole line is one RFC 8259 object whose first key is
 * "event"; strings are valid UTF-8 without raw control bytes or DEL and
 * with well-formed escapes, so quotes are balanced by construction; no
 * key twice in a record.
 * Text lines: printable ASCII only, each ended by one newline.
 */
#ifndef TB_FUZZ_CHECK_H
#define TB_FUZZ_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- reading the fuzz input ---------- */

struct fz {
	const uint8_t *p;
	size_t left;
};

/* n bytes into dst; zeros once the input is used up */
static inline void fz_bytes(struct fz *c, void *dst, size_t n)
{
	size_t k = n < c->left ? n : c->left;

	memcpy(dst, c->p, k);
	memset((uint8_t *)dst + k, 0, n - k);
	c->p += k;
	c->left -= k;
}

static inline uint8_t fz_u8(struct fz *c)
{
	uint8_t v;

	fz_bytes(c, &v, sizeof(v));
	return v;
}

static inline uint16_t fz_u16(struct fz *c)
{
	uint16_t v;

	fz_bytes(c, &v, sizeof(v));
	return v;
}

static inline uint32_t fz_u32(struct fz *c)
{
	uint32_t v;

	fz_bytes(c, &v, sizeof(v));
	return v;
}

static inline uint64_t fz_u64(struct fz *c)
{
	uint64_t v;

	fz_bytes(c, &v, sizeof(v));
	return v;
}

/*
 * A string for a char array of size cap: a length byte, then that many
 * bytes (NULs included: the string ends at the first), always terminated.
 */
static inline void fz_str(struct fz *c, char *dst, size_t cap)
{
	size_t n = fz_u8(c);

	if (n > cap - 1)
		n = cap - 1;
	fz_bytes(c, dst, n);
	dst[n] = '\0';
}

/* ---------- writing the seeds (same layout as the reader) ---------- */

struct fw {
	uint8_t buf[65536];	/* a few raw listener snapshots, 2.5 KB each */
	size_t len;
};

static inline void fw_bytes(struct fw *w, const void *src, size_t n)
{
	if (w->len + n > sizeof(w->buf))
		n = sizeof(w->buf) - w->len;
	memcpy(w->buf + w->len, src, n);
	w->len += n;
}

static inline void fw_u8(struct fw *w, uint8_t v) { fw_bytes(w, &v, sizeof(v)); }
static inline void fw_u16(struct fw *w, uint16_t v) { fw_bytes(w, &v, sizeof(v)); }
static inline void fw_u32(struct fw *w, uint32_t v) { fw_bytes(w, &v, sizeof(v)); }
static inline void fw_u64(struct fw *w, uint64_t v) { fw_bytes(w, &v, sizeof(v)); }

static inline void fw_str(struct fw *w, const char *s)
{
	size_t n = strlen(s);

	if (n > 255)
		n = 255;
	fw_u8(w, (uint8_t)n);
	fw_bytes(w, s, n);
}

/* ---------- reporting a violation ---------- */

static inline void __attribute__((noreturn))
fz_fail(const char *what, const char *line, size_t len, size_t at)
{
	size_t i;

	fprintf(stderr, "\nFORMAT VIOLATION: %s at byte %zu of this line (%zu bytes):\n",
		what, at, len);
	for (i = 0; i < len && i < 2048; i++) {
		unsigned char ch = (unsigned char)line[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			fputc(ch, stderr);
		else
			fprintf(stderr, "\\x%02x", ch);
	}
	fputc('\n', stderr);
	abort();
}

/* ---------- UTF-8 (Unicode Table 3-7) ---------- */

/* length of the well-formed sequence at p (at most n bytes), 0 if none */
static inline size_t fz_utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (need > n)
		return 0;
	for (i = 1; i < need; i++) {
		if (p[i] < lo || p[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return need;
}

/* ---------- JSON (RFC 8259), one line at a time ---------- */

#define FZ_JSON_DEPTH	16

struct fz_json {
	const char *line;
	size_t len;
	size_t pos;
};

static inline void __attribute__((noreturn)) fz_json_fail(struct fz_json *j, const char *what)
{
	fz_fail(what, j->line, j->len, j->pos);
}

static inline int fz_json_peek(const struct fz_json *j)
{
	return j->pos < j->len ? (unsigned char)j->line[j->pos] : -1;
}

static inline void fz_json_ws(struct fz_json *j)
{
	int c;

	while ((c = fz_json_peek(j)) == ' ' || c == '\t' || c == '\r')
		j->pos++;
}

static inline void fz_json_expect(struct fz_json *j, char ch, const char *what)
{
	if (fz_json_peek(j) != (unsigned char)ch)
		fz_json_fail(j, what);
	j->pos++;
}

static inline int fz_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* a string; its decoded ASCII form into key (if not NULL) for key checks */
static inline void fz_json_string(struct fz_json *j, char *key, size_t keylen)
{
	size_t k = 0;

	fz_json_expect(j, '"', "string expected");
	for (;;) {
		int c = fz_json_peek(j);

		if (c < 0)
			fz_json_fail(j, "unterminated string (unbalanced quotes)");
		if (c == '"') {
			j->pos++;
			break;
		}
		if (c < 0x20)
			fz_json_fail(j, "raw control byte inside a string");
		if (c == 0x7f)
			fz_json_fail(j, "raw DEL inside a string (escape.h promises \\u007f)");
		if (c == '\\') {
			int e;

			j->pos++;
			e = fz_json_peek(j);
			if (e == 'u') {
				unsigned int v = 0;
				int i, h;

				for (i = 0; i < 4; i++) {
					j->pos++;
					h = fz_hexval(fz_json_peek(j));
					if (h < 0)
						fz_json_fail(j, "bad \\u escape");
					v = v << 4 | (unsigned int)h;
				}
				if (v >= 0xd800 && v <= 0xdfff)
					fz_json_fail(j, "surrogate in \\u escape");
				j->pos++;
				if (key && k + 1 < keylen)
					key[k++] = v < 0x80 ? (char)v : '?';
				continue;
			}
			if (!e || !strchr("\"\\/bfnrt", e))
				fz_json_fail(j, "bad escape");
			j->pos++;
			if (key && k + 1 < keylen)
				key[k++] = (char)e;
			continue;
		}
		if (c >= 0x80) {
			size_t n = fz_utf8_len((const unsigned char *)j->line + j->pos,
					       j->len - j->pos);

			if (!n)
				fz_json_fail(j, "invalid UTF-8");
			j->pos += n;
			if (key && k + 1 < keylen)
				key[k++] = '?';
			continue;
		}
		if (key && k + 1 < keylen)
			key[k++] = (char)c;
		j->pos++;
	}
	if (key)
		key[k] = '\0';
}

static inline bool fz_isdigit(int c)
{
	return c >= '0' && c <= '9';
}

static inline void fz_json_number(struct fz_json *j)
{
	if (fz_json_peek(j) == '-')
		j->pos++;
	if (fz_json_peek(j) == '0') {
		j->pos++;
	} else if (fz_isdigit(fz_json_peek(j))) {
		while (fz_isdigit(fz_json_peek(j)))
			j->pos++;
	} else {
		fz_json_fail(j, "bad number");
	}
	if (fz_json_peek(j) == '.') {
		j->pos++;
		if (!fz_isdigit(fz_json_peek(j)))
			fz_json_fail(j, "bad fraction");
		while (fz_isdigit(fz_json_peek(j)))
			j->pos++;
	}
	if (fz_json_peek(j) == 'e' || fz_json_peek(j) == 'E') {
		j->pos++;
		if (fz_json_peek(j) == '+' || fz_json_peek(j) == '-')
			j->pos++;
		if (!fz_isdigit(fz_json_peek(j)))
			fz_json_fail(j, "bad exponent");
		while (fz_isdigit(fz_json_peek(j)))
			j->pos++;
	}
}

static inline void fz_json_literal(struct fz_json *j, const char *lit)
{
	size_t n = strlen(lit);

	if (j->len - j->pos < n || memcmp(j->line + j->pos, lit, n))
		fz_json_fail(j, "bad literal (not a JSON value)");
	j->pos += n;
}

static void fz_json_value(struct fz_json *j, int depth);

#define FZ_JSON_KEYS	64	/* distinct top-level keys checked per record */

static inline void fz_json_object(struct fz_json *j, int depth, bool top)
{
	char key[32], seen[FZ_JSON_KEYS][32];
	bool first = true;
	int nseen = 0, i;

	fz_json_expect(j, '{', "object expected");
	fz_json_ws(j);
	if (fz_json_peek(j) == '}') {
		if (top)
			fz_json_fail(j, "empty record");
		j->pos++;
		return;
	}
	for (;;) {
		fz_json_ws(j);
		fz_json_string(j, key, sizeof(key));
		if (top && first && strcmp(key, "event"))
			fz_json_fail(j, "first key of a record is not \"event\"");
		/* legal JSON, but consumers (jq) keep only one of them */
		if (top) {
			for (i = 0; i < nseen; i++)
				if (!strcmp(seen[i], key))
					fz_json_fail(j, "duplicate key in a record");
			if (nseen < FZ_JSON_KEYS)
				strcpy(seen[nseen++], key);
		}
		fz_json_ws(j);
		fz_json_expect(j, ':', "':' expected");
		fz_json_ws(j);
		if (top && first && fz_json_peek(j) != '"')
			fz_json_fail(j, "\"event\" is not a string");
		fz_json_value(j, depth + 1);
		fz_json_ws(j);
		first = false;
		if (fz_json_peek(j) == ',') {
			j->pos++;
			continue;
		}
		fz_json_expect(j, '}', "',' or '}' expected");
		return;
	}
}

static inline void fz_json_array(struct fz_json *j, int depth)
{
	fz_json_expect(j, '[', "array expected");
	fz_json_ws(j);
	if (fz_json_peek(j) == ']') {
		j->pos++;
		return;
	}
	for (;;) {
		fz_json_ws(j);
		fz_json_value(j, depth + 1);
		fz_json_ws(j);
		if (fz_json_peek(j) == ',') {
			j->pos++;
			continue;
		}
		fz_json_expect(j, ']', "',' or ']' expected");
		return;
	}
}

static void fz_json_value(struct fz_json *j, int depth)
{
	int c = fz_json_peek(j);

	if (depth > FZ_JSON_DEPTH)
		fz_json_fail(j, "nesting too deep");
	if (c == '{')
		fz_json_object(j, depth, false);
	else if (c == '[')
		fz_json_array(j, depth);
	else if (c == '"')
		fz_json_string(j, NULL, 0);
	else if (c == 't')
		fz_json_literal(j, "true");
	else if (c == 'f')
		fz_json_literal(j, "false");
	else if (c == 'n')
		fz_json_literal(j, "null");
	else if (c == '-' || fz_isdigit(c))
		fz_json_number(j);
	else
		fz_json_fail(j, "value expected");
}

/* one line, without its newline */
static inline void fz_check_json_line(const char *line, size_t len)
{
	struct fz_json j = { .line = line, .len = len };

	fz_json_object(&j, 0, true);
	if (j.pos != len)
		fz_json_fail(&j, "bytes after the record");
}

/*
 * Whole output of one formatter call: every line ends with '\n' and is
 * one record; returns the number of lines.
 */
static inline int fz_check_json(const char *buf, size_t len)
{
	size_t off = 0;
	int lines = 0;

	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);

		if (!nl)
			fz_fail("JSON output does not end with a newline", buf + off,
				len - off, len - off);
		fz_check_json_line(buf + off, (size_t)(nl - (buf + off)));
		off = (size_t)(nl - buf) + 1;
		lines++;
	}
	return lines;
}

/* ---------- text ---------- */

/*
 * Every line printable ASCII (0x20..0x7e) and ended by '\n': no control
 * byte, no escape sequence, no raw non-ASCII byte can reach a terminal.
 * Returns the number of lines.
 */
static inline int fz_check_text(const char *buf, size_t len)
{
	size_t off = 0, i;
	int lines = 0;

	while (off < len) {
		const char *line = buf + off;
		const char *nl = memchr(line, '\n', len - off);
		size_t n = nl ? (size_t)(nl - line) : len - off;

		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)line[i];

			if (c < 0x20)
				fz_fail("control byte in text output", line, n, i);
			if (c >= 0x7f)
				fz_fail("DEL or non-ASCII byte in text output", line, n, i);
		}
		if (!nl)
			fz_fail("text output does not end with a newline", line, n, n);
		off += n + 1;
		lines++;
	}
	return lines;
}

/* number of space-separated words of one line (runs of spaces count once) */
static inline int fz_words(const char *line, size_t len)
{
	int n = 0;
	size_t i;
	bool in = false;

	for (i = 0; i < len; i++) {
		if (line[i] == ' ' || line[i] == '\n') {
			in = false;
		} else if (!in) {
			in = true;
			n++;
		}
	}
	return n;
}

/* ---------- capturing a formatter's output ---------- */

struct fz_sink {
	FILE *f;
	char *buf;
	size_t len;
};

static inline void fz_sink_open(struct fz_sink *s)
{
	s->buf = NULL;
	s->len = 0;
	s->f = open_memstream(&s->buf, &s->len);
	if (!s->f)
		abort();
}

/* flush and close; buf/len hold everything written */
static inline void fz_sink_close(struct fz_sink *s)
{
	if (fclose(s->f))
		abort();
	s->f = NULL;
}

static inline void fz_sink_free(struct fz_sink *s)
{
	free(s->buf);
	s->buf = NULL;
	s->len = 0;
}

#define FZ_ASSERT(cond, what, buf, len)					\
	do {								\
		if (!(cond))						\
			fz_fail(what, (buf) ? (buf) : "", (buf) ? (len) : 0, 0); \
	} while (0)

#endif /* TB_FUZZ_CHECK_H */
