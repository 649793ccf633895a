/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Escaping of untrusted strings (comm, and anything else printed) so that
 * they can neither break a JSON document nor inject newlines, terminal
 * escapes or extra columns into text output. All functions are stateless
 * and thread-safe.
 */
#ifndef TB_ESCAPE_H
#define TB_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Buffer size that always suffices for n input bytes, terminating NUL
 * included. JSON: "\u00XX" is the widest form (6 bytes per input byte),
 * plus the two quotes. Text: "\xNN" (4 bytes per input byte).
 */
#define JSON_QUOTED_MAX(n)	((n) * 6 + 3)
#define TEXT_ESCAPED_MAX(n)	((n) * 4 + 1)

/*
 * Length of the well-formed UTF-8 sequence at p[0..n) (Unicode Table 3-7),
 * or 0 when invalid; *bad is then the length of the maximal subpart that
 * one U+FFFD replaces (at least 1). A NUL byte ends a sequence too.
 */
size_t utf8_valid_len(const unsigned char *p, size_t n, size_t *bad);

/*
 * Write s as a JSON string, surrounding quotes included (RFC 8259):
 * '"' and '\' escaped, control bytes as \n \t \r \b \f or \u00XX, DEL as
 * \u007f, valid UTF-8 passed through, every maximal invalid UTF-8
 * subsequence (overlong, surrogate, above U+10FFFF, truncated, stray
 * continuation byte) replaced by one U+FFFD. s == NULL writes "".
 */
void json_write_string(FILE *f, const char *s);

/*
 * Same into dst (size bytes, always NUL-terminated when size > 0), like
 * snprintf: returns the length the whole result needs, without the NUL.
 * On truncation no escape or UTF-8 sequence is cut in half.
 */
size_t json_quote(char *dst, size_t size, const char *s);

/*
 * Write s for column output: bytes 0x21..0x7e pass except '\', which
 * becomes "\\"; every other byte (space, controls, DEL, >= 0x80) becomes
 * "\xNN" in lowercase hex. The result is one printable, space-free word.
 * s == NULL writes nothing.
 */
void text_write_escaped(FILE *f, const char *s);

/* Same into dst; return value and truncation as json_quote(). */
size_t text_escape(char *dst, size_t size, const char *s);

/* Buffer size that always suffices for a label value of n input bytes. */
#define PROM_LABEL_ESCAPED_MAX(n)	((n) * 3 + 1)

/*
 * A Prometheus label value (text exposition format), without the quotes:
 * '\' '"' and newline escaped, every other byte below 0x80 as is, valid
 * UTF-8 passed through and every maximal invalid subsequence replaced by
 * one U+FFFD, because Prometheus rejects a whole scrape with invalid UTF-8
 * in it. Reads at most max bytes of s (comm arrays need not be
 * terminated). Return value and truncation as json_quote().
 */
size_t prom_label_escape(char *dst, size_t size, const char *s, size_t max);

#endif /* TB_ESCAPE_H */
