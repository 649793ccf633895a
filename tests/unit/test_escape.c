// SPDX-License-Identifier: GPL-2.0
/* Unit tests of user/format/escape.c: JSON and text escaping of hostile strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "format/escape.h"

#define FFFD	"\xef\xbf\xbd"

/* json_quote() into a roomy buffer, checked against the FILE variant */
static void check_json(const char *in, const char *want)
{
	char buf[512], *mem = NULL;
	size_t memlen = 0, n;
	FILE *f;

	n = json_quote(buf, sizeof(buf), in);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));

	f = open_memstream(&mem, &memlen);
	assert_non_null(f);
	json_write_string(f, in);
	fclose(f);
	assert_string_equal(mem, want);
	free(mem);
}

static void check_text(const char *in, const char *want)
{
	char buf[512], *mem = NULL;
	size_t memlen = 0, n;
	FILE *f;

	n = text_escape(buf, sizeof(buf), in);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));

	f = open_memstream(&mem, &memlen);
	assert_non_null(f);
	text_write_escaped(f, in);
	fclose(f);
	assert_string_equal(mem, want);
	free(mem);
}

/* the bound ends a sequence as a NUL would: nothing read past p[n - 1] */
static void test_utf8_valid_len_bounded(void **state)
{
	const unsigned char euro[] = { 0xe2, 0x82, 0xac };	/* U+20AC */
	size_t bad = 0;

	assert_int_equal(utf8_valid_len(euro, 3, &bad), 3);
	assert_int_equal(utf8_valid_len(euro, 2, &bad), 0);
	assert_int_equal(bad, 2);
	assert_int_equal(utf8_valid_len(euro, 1, &bad), 0);
	assert_int_equal(bad, 1);
	assert_int_equal(utf8_valid_len((const unsigned char *)"\x80", 1, &bad), 0);
	assert_int_equal(bad, 1);
}

static void test_json_plain(void **state)
{
	check_json("", "\"\"");
	check_json(NULL, "\"\"");
	check_json("nginx", "\"nginx\"");
	check_json("kworker/0:1 x", "\"kworker/0:1 x\"");
	check_json("a/b'c<d>", "\"a/b'c<d>\"");
}

static void test_json_specials(void **state)
{
	check_json("a\"b", "\"a\\\"b\"");
	check_json("a\\b", "\"a\\\\b\"");
	check_json("x\ny", "\"x\\ny\"");
	check_json("\t\r\b\f", "\"\\t\\r\\b\\f\"");
	check_json("\x1b[2J", "\"\\u001b[2J\"");
	check_json("\x01\x1f", "\"\\u0001\\u001f\"");
	check_json("\x7f", "\"\\u007f\"");
	check_json("\"\\\n\x1b\x7f", "\"\\\"\\\\\\n\\u001b\\u007f\"");
}

/* every control byte escaped, in its short form where RFC 8259 has one */
static void test_json_all_controls(void **state)
{
	char in[2] = { 0, 0 }, buf[16], want[16];
	int c;

	for (c = 1; c < 0x20; c++) {
		in[0] = (char)c;
		json_quote(buf, sizeof(buf), in);
		switch (c) {
		case '\b': strcpy(want, "\"\\b\""); break;
		case '\t': strcpy(want, "\"\\t\""); break;
		case '\n': strcpy(want, "\"\\n\""); break;
		case '\f': strcpy(want, "\"\\f\""); break;
		case '\r': strcpy(want, "\"\\r\""); break;
		default: snprintf(want, sizeof(want), "\"\\u%04x\"", c);
		}
		assert_string_equal(buf, want);
	}
}

static void test_json_valid_utf8(void **state)
{
	check_json("caf\xc3\xa9", "\"caf\xc3\xa9\"");		/* é */
	check_json("\xe2\x82\xac", "\"\xe2\x82\xac\"");		/* € */
	check_json("\xf0\x9f\x98\x80!", "\"\xf0\x9f\x98\x80!\"");	/* 😀 */
	check_json("\xc2\x80", "\"\xc2\x80\"");			/* U+0080 */
	check_json("\xe0\xa0\x80", "\"\xe0\xa0\x80\"");		/* U+0800 */
	check_json("\xed\x9f\xbf", "\"\xed\x9f\xbf\"");		/* U+D7FF */
	check_json("\xee\x80\x80", "\"\xee\x80\x80\"");		/* U+E000 */
	check_json(FFFD, "\"" FFFD "\"");			/* U+FFFD */
	check_json("\xf0\x90\x80\x80", "\"\xf0\x90\x80\x80\"");	/* U+10000 */
	check_json("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");	/* U+10FFFF */
}

/* one U+FFFD per maximal invalid subpart (Unicode 3.9, W3C/WHATWG practice) */
static void test_json_invalid_utf8(void **state)
{
	check_json("\xff", "\"" FFFD "\"");
	check_json("a\xffz", "\"a" FFFD "z\"");
	check_json("\xfe\xf5\xf8", "\"" FFFD FFFD FFFD "\"");
	/* stray continuation bytes */
	check_json("\x80", "\"" FFFD "\"");
	check_json("\xbf\x80", "\"" FFFD FFFD "\"");
	/* truncated sequences */
	check_json("\xe2\x82", "\"" FFFD "\"");
	check_json("\xe2\x82z", "\"" FFFD "z\"");
	check_json("\xc3", "\"" FFFD "\"");
	check_json("\xf0\x9f\x98", "\"" FFFD "\"");
	check_json("\xf0\x9f\x98\"", "\"" FFFD "\\\"\"");
	check_json("\xe2\x82\xe2\x82\xac", "\"" FFFD "\xe2\x82\xac\"");
	/* overlongs */
	check_json("\xc0\xaf", "\"" FFFD FFFD "\"");
	check_json("\xc1\xbf", "\"" FFFD FFFD "\"");
	check_json("\xe0\x80\xaf", "\"" FFFD FFFD FFFD "\"");
	check_json("\xf0\x8f\xbf\xbf", "\"" FFFD FFFD FFFD FFFD "\"");
	/* UTF-16 surrogates */
	check_json("\xed\xa0\x80", "\"" FFFD FFFD FFFD "\"");
	check_json("\xed\xbf\xbf", "\"" FFFD FFFD FFFD "\"");
	/* above U+10FFFF */
	check_json("\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"");
	/* valid text around garbage survives */
	check_json("\xc3\xa9\xff\xc3\xa9", "\"\xc3\xa9" FFFD "\xc3\xa9\"");
}

static void test_json_truncation(void **state)
{
	char buf[8];

	/* needs "\"a\\nb\"" = 6 bytes */
	assert_int_equal(json_quote(NULL, 0, "a\nb"), 6);
	assert_int_equal(json_quote(buf, sizeof(buf), "a\nb"), 6);
	assert_string_equal(buf, "\"a\\nb\"");

	/* "\n" does not fit whole: cut before it, never inside */
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(json_quote(buf, 4, "a\nb"), 6);
	assert_string_equal(buf, "\"a");

	/* a 6-byte escape or a 3-byte U+FFFD is never split */
	assert_int_equal(json_quote(buf, 6, "\x1b"), 8);
	assert_string_equal(buf, "\"");
	assert_int_equal(json_quote(buf, 3, "\xff"), 5);
	assert_string_equal(buf, "\"");

	assert_int_equal(json_quote(buf, 1, "abc"), 5);
	assert_string_equal(buf, "");
}

static void test_json_max_size(void **state)
{
	char in[17], buf[JSON_QUOTED_MAX(16)];

	memset(in, 0x01, 16);
	in[16] = '\0';
	assert_int_equal(json_quote(buf, sizeof(buf), in), sizeof(buf) - 1);
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
}

static void test_text_plain(void **state)
{
	check_text("", "");
	check_text(NULL, "");
	check_text("nginx", "nginx");
	check_text("kworker/0:1", "kworker/0:1");
	check_text("!~\"'{}", "!~\"'{}");
}

static void test_text_hostile(void **state)
{
	check_text("a b", "a\\x20b");
	check_text("a\\b", "a\\\\b");
	check_text("evil\nline", "evil\\x0aline");
	check_text("\r\t", "\\x0d\\x09");
	check_text("\x1b[31mred", "\\x1b[31mred");
	check_text("\x7f", "\\x7f");
	check_text("caf\xc3\xa9", "caf\\xc3\\xa9");
	check_text("\xff\xe2\x82", "\\xff\\xe2\\x82");
	/* an escaped backslash cannot be confused with an escape */
	check_text("\\x0a", "\\\\x0a");
}

/* whatever comes in, only printable non-space ASCII comes out */
static void test_text_every_byte(void **state)
{
	char in[256], out[TEXT_ESCAPED_MAX(255)];
	size_t i, n;

	for (i = 0; i < 255; i++)
		in[i] = (char)(i + 1);
	in[255] = '\0';
	n = text_escape(out, sizeof(out), in);
	assert_int_equal(n, strlen(out));
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];

		if (c < 0x21 || c > 0x7e)
			fail_msg("byte 0x%02x at %zu", c, i);
	}
	/* 93 pass as is, the backslash doubles, the other 161 take 4 bytes */
	assert_int_equal(n, 93 + 2 + 161 * 4);
}

static void test_text_truncation(void **state)
{
	char buf[8];

	assert_int_equal(text_escape(NULL, 0, "a\nb"), 6);
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(text_escape(buf, 4, "a\nb"), 6);
	assert_string_equal(buf, "a");
	assert_int_equal(text_escape(buf, 4, "a\\b"), 4);
	assert_string_equal(buf, "a\\\\");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid_len_bounded),
		cmocka_unit_test(test_json_plain),
		cmocka_unit_test(test_json_specials),
		cmocka_unit_test(test_json_all_controls),
		cmocka_unit_test(test_json_valid_utf8),
		cmocka_unit_test(test_json_invalid_utf8),
		cmocka_unit_test(test_json_truncation),
		cmocka_unit_test(test_json_max_size),
		cmocka_unit_test(test_text_plain),
		cmocka_unit_test(test_text_hostile),
		cmocka_unit_test(test_text_every_byte),
		cmocka_unit_test(test_text_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
