// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the escapers of user/format/escape.h on arbitrary strings,
 * held to what escape.h promises, not only to "does not crash":
 *
 * JSON: one valid JSON string whose decoded value is the input with each
 * maximal invalid UTF-8 subpart replaced by one U+FFFD (Unicode's "best
 * practice", recomputed here independently); so valid UTF-8 round-trips.
 * Text: one space-free printable word that unescapes back to the input,
 * with "\xNN" used only for bytes that need it.
 * Bounded variants (json_quote, text_escape): return the full length;
 * store a NUL-terminated prefix of the full output that ends on a piece
 * boundary (no escape or UTF-8 sequence cut) and is the longest such
 * prefix that fits; write nothing when size is 0. The *_MAX() bounds hold.
 * utf8_valid_len() on bounded buffers with NULs inside: the reference's
 * length and maximal subpart, nothing read past the bound.
 *
 * Input: two bytes of buffer size for the bounded variants, then the
 * string (it ends at its first NUL, as a C string does).
 */
#include "format/escape.h"
#include "fuzz_check.h"

#define CANARY	0x5a

/* ---------- reference UTF-8 repair (Unicode 3.9, U+FFFD substitution) ---------- */

/* could p[0..k) (k >= 1) still become a well-formed sequence? */
static bool utf8_prefix_ok(const unsigned char *p, size_t k)
{
	unsigned char c = p[0];
	size_t need, i;

	if (c < 0x80)
		return k == 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4;
	else
		return false;
	if (k > need)
		return false;
	if (k >= 2) {
		unsigned char b = p[1];

		if ((c == 0xe0 && b < 0xa0) || (c == 0xed && b > 0x9f) ||
		    (c == 0xf0 && b < 0x90) || (c == 0xf4 && b > 0x8f) ||
		    b < 0x80 || b > 0xbf)
			return false;
	}
	for (i = 2; i < k; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return false;
	return true;
}

/* what the JSON string must decode to; returns its length */
static size_t utf8_repair(const unsigned char *s, size_t n, unsigned char *out)
{
	size_t i = 0, o = 0, k;

	while (i < n) {
		k = fz_utf8_len(s + i, n - i);
		if (k) {
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
			continue;
		}
		/* the maximal subpart: longest prefix that could still complete */
		for (k = 1; i + k < n && utf8_prefix_ok(s + i, k + 1); k++)
			;
		memcpy(out + o, "\xef\xbf\xbd", 3);
		o += 3;
		i += k;
	}
	return o;
}

/* ---------- JSON output ---------- */

static void put_utf8(unsigned char *out, size_t *o, unsigned int v)
{
	if (v < 0x80) {
		out[(*o)++] = (unsigned char)v;
	} else if (v < 0x800) {
		out[(*o)++] = (unsigned char)(0xc0 | v >> 6);
		out[(*o)++] = (unsigned char)(0x80 | (v & 0x3f));
	} else {
		out[(*o)++] = (unsigned char)(0xe0 | v >> 12);
		out[(*o)++] = (unsigned char)(0x80 | (v >> 6 & 0x3f));
		out[(*o)++] = (unsigned char)(0x80 | (v & 0x3f));
	}
}

/* length of the piece at j of an escaped JSON string (inside the quotes) */
static size_t json_piece(const char *q, size_t len, size_t j)
{
	unsigned char c = (unsigned char)q[j];
	size_t n;

	if (c == '\\')
		n = q[j + 1] == 'u' ? 6 : 2;
	else if (c >= 0x80)
		n = fz_utf8_len((const unsigned char *)q + j, len - j);
	else
		n = 1;
	if (!n || j + n > len)
		fz_fail("JSON: piece runs past the output", q, len, j);
	return n;
}

/* q[0..len) is one JSON string: validate it (fuzz_check.h), decode it */
static size_t json_decode(const char *q, size_t len, unsigned char *out)
{
	struct fz_json j = { .line = q, .len = len };
	size_t i, o = 0;

	fz_json_string(&j, NULL, 0);
	if (j.pos != len)
		fz_fail("JSON: bytes after the string", q, len, j.pos);
	for (i = 1; i + 1 < len;) {
		unsigned char c = (unsigned char)q[i];

		if (c != '\\') {
			out[o++] = c;
			i++;
			continue;
		}
		c = (unsigned char)q[i + 1];
		if (c == 'u') {
			unsigned int v = 0;
			int k;

			for (k = 2; k < 6; k++)
				v = v << 4 | (unsigned int)fz_hexval(q[i + k]);
			/* only what cannot appear raw may be escaped */
			if (v >= 0x20 && v != 0x7f)
				fz_fail("JSON: needless \\u escape", q, len, i);
			put_utf8(out, &o, v);
			i += 6;
			continue;
		}
		out[o++] = c == 'b' ? '\b' : c == 'f' ? '\f' : c == 'n' ? '\n' :
			   c == 'r' ? '\r' : c == 't' ? '\t' : c;
		if (c == '/')
			fz_fail("JSON: needless \\/ escape", q, len, i);
		i += 2;
	}
	return o;
}

/* a stored prefix: NUL-terminated, a prefix of full, on a piece boundary, maximal */
static void check_prefix(const char *fn, const char *dst, size_t size, const char *full,
			 size_t len, size_t (*piece)(const char *, size_t, size_t))
{
	const char *bad = NULL;
	char what[96];
	size_t used, j;

	if (!memchr(dst, '\0', size)) {
		snprintf(what, sizeof(what), "%s: not NUL-terminated", fn);
		fz_fail(what, dst, size, size);
	}
	used = strlen(dst);
	if (used > len || memcmp(dst, full, used)) {
		bad = "not a prefix of the full output";
	} else if (len < size) {
		if (used != len)
			bad = "cut although it fits";
	} else {
		/* walk the pieces: used must be a boundary, the next must not fit */
		for (j = 0; j < used; j += piece(full, len, j))
			;
		if (j != used)
			bad = "cut inside an escape or UTF-8 sequence";
		else if (used < len && used + piece(full, len, used) < size)
			bad = "cut earlier than needed";
	}
	if (bad) {
		snprintf(what, sizeof(what), "%s: %s (size %zu, full %zu)", fn, bad, size, len);
		fz_fail(what, dst, used, used);
	}
}

/* the piece at j of the whole quoted output: the quotes are pieces of their own */
static size_t json_full_piece(const char *q, size_t len, size_t j)
{
	if (j == 0 || j == len - 1)
		return 1;
	return json_piece(q, len - 1, j);
}

static void check_json(const char *s, size_t n, size_t size)
{
	unsigned char *want = malloc(n * 3 + 1), *got;
	struct fz_sink sk;
	size_t wn, gn, r;
	char *dst;

	fz_sink_open(&sk);
	json_write_string(sk.f, s);
	fz_sink_close(&sk);
	FZ_ASSERT(sk.len >= 2 && sk.buf[0] == '"' && sk.buf[sk.len - 1] == '"',
		  "JSON: not a quoted string", sk.buf, sk.len);
	FZ_ASSERT(sk.len + 1 <= JSON_QUOTED_MAX(n), "JSON: longer than JSON_QUOTED_MAX",
		  sk.buf, sk.len);
	got = malloc(sk.len + 1);
	gn = json_decode(sk.buf, sk.len, got);
	wn = utf8_repair((const unsigned char *)s, n, want);
	if (gn != wn || memcmp(got, want, wn))
		fz_fail("JSON: decoded string is not the input (invalid UTF-8 as U+FFFD)",
			sk.buf, sk.len, 0);
	free(got);
	free(want);

	/* bounded: exactly size bytes, so ASan sees any write past them */
	dst = malloc(size ? size : 1);
	memset(dst, CANARY, size ? size : 1);
	r = json_quote(dst, size, s);
	FZ_ASSERT(r == sk.len, "json_quote: return is not the full length", sk.buf, sk.len);
	if (!size)
		FZ_ASSERT((unsigned char)dst[0] == CANARY, "json_quote: wrote into size 0", "", 0);
	else
		check_prefix("json_quote", dst, size, sk.buf, sk.len,
			     json_full_piece);
	free(dst);
	fz_sink_free(&sk);
}

/* ---------- text output ---------- */

static size_t text_piece(const char *t, size_t len, size_t j)
{
	size_t n = t[j] != '\\' ? 1 : t[j + 1] == 'x' ? 4 : 2;

	if (j + n > len)
		fz_fail("text: escape runs past the output", t, len, j);
	return n;
}

static bool lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static void check_text(const char *s, size_t n, size_t size)
{
	struct fz_sink sk;
	size_t i, o = 0, r;
	char *back, *dst;
	int v;

	fz_sink_open(&sk);
	text_write_escaped(sk.f, s);
	fz_sink_close(&sk);
	FZ_ASSERT(sk.len + 1 <= TEXT_ESCAPED_MAX(n), "text: longer than TEXT_ESCAPED_MAX",
		  sk.buf, sk.len);
	back = malloc(sk.len + 1);
	for (i = 0; i < sk.len;) {
		unsigned char c = (unsigned char)sk.buf[i];

		if (c < 0x21 || c > 0x7e)
			fz_fail("text: byte that is not a printable non-space", sk.buf, sk.len, i);
		if (c != '\\') {
			back[o++] = (char)c;
			i++;
			continue;
		}
		if (i + 1 < sk.len && sk.buf[i + 1] == '\\') {
			back[o++] = '\\';
			i += 2;
			continue;
		}
		if (i + 3 >= sk.len || sk.buf[i + 1] != 'x' || !lower_hex(sk.buf[i + 2]) ||
		    !lower_hex(sk.buf[i + 3]))
			fz_fail("text: bad escape (want \\\\ or lowercase \\xNN)", sk.buf, sk.len, i);
		v = fz_hexval(sk.buf[i + 2]) << 4 | fz_hexval(sk.buf[i + 3]);
		if (v >= 0x21 && v <= 0x7e)
			fz_fail("text: needless \\xNN escape", sk.buf, sk.len, i);
		back[o++] = (char)v;
		i += 4;
	}
	if (o != n || memcmp(back, s, n))
		fz_fail("text: does not unescape to the input", sk.buf, sk.len, 0);
	free(back);

	dst = malloc(size ? size : 1);
	memset(dst, CANARY, size ? size : 1);
	r = text_escape(dst, size, s);
	FZ_ASSERT(r == sk.len, "text_escape: return is not the full length", sk.buf, sk.len);
	if (!size)
		FZ_ASSERT((unsigned char)dst[0] == CANARY, "text_escape: wrote into size 0", "", 0);
	else
		check_prefix("text_escape", dst, size, sk.buf, sk.len,
			     text_piece);
	free(dst);
	fz_sink_free(&sk);
}

/*
 * utf8_valid_len() at every non-ASCII byte of a buffer that is not a C
 * string (NULs inside): the bound n is the end of the heap copy, so any
 * read past it is an ASan report; results as the reference says.
 */
static void check_utf8_len(const uint8_t *data, size_t n)
{
	unsigned char *buf = malloc(n ? n : 1);
	size_t i, k, want, bad, want_bad;

	memcpy(buf, data, n);
	for (i = 0; i < n; i++) {
		if (buf[i] < 0x80)
			continue;	/* callers pass lead bytes >= 0x80 only */
		bad = 0;
		k = utf8_valid_len(buf + i, n - i, &bad);
		want = fz_utf8_len(buf + i, n - i);
		if (k != want)
			fz_fail("utf8_valid_len: wrong length", (const char *)buf + i, n - i, 0);
		if (k)
			continue;
		for (want_bad = 1; i + want_bad < n && utf8_prefix_ok(buf + i, want_bad + 1); want_bad++)
			;
		if (bad != want_bad)
			fz_fail("utf8_valid_len: not the maximal subpart", (const char *)buf + i, n - i, 0);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool null_done;
	struct fz c = { .p = data, .left = size };
	size_t cap = fz_u16(&c) % 4096, n;
	char *s;

	if (!null_done) {
		/* NULL is "" for JSON and nothing for text */
		char buf[8];

		null_done = true;
		FZ_ASSERT(json_quote(buf, sizeof(buf), NULL) == 2 && !strcmp(buf, "\"\""),
			  "json_quote(NULL) is not \"\"", buf, strlen(buf));
		FZ_ASSERT(text_escape(buf, sizeof(buf), NULL) == 0 && !buf[0],
			  "text_escape(NULL) is not empty", buf, strlen(buf));
	}

	/* exactly the string and its NUL on the heap: ASan sees over-reads */
	n = strnlen((const char *)c.p, c.left);
	s = malloc(n + 1);
	memcpy(s, c.p, n);
	s[n] = '\0';
	check_json(s, n, cap);
	check_text(s, n, cap);
	free(s);
	check_utf8_len(c.p, c.left);
	return 0;
}
